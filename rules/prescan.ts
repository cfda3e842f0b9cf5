/**
 * The pre-scan: can this file's text hold a fork call? Decided without tree-sitter, so a
 * file that cannot is never parsed.
 *
 * A file passes when one of its language's fork spellings (the one table,
 * fork-spellings.ts, plus the configured fork functions) stands where code can call it. A
 * spelling cannot make a fork call when it stands
 * - in a comment (in Go, a cgo preamble is C inside a comment: it is pre-scanned as C,
 *   as the analysis analyses it),
 * - in a string or character literal (C `#include <...>` names included),
 * - as the name a numeric constant definition defines: Go `const SYS_CLONE = 56`
 *   (alone or in a `const (...)` block), C `#define __NR_clone 120` (an object-like
 *   macro whose body is a constant expression), a C enumerator `CLONE = 1`.
 * A spelling in the body of a macro (`#define SPAWN() vfork()`), in a constant's value,
 * or anywhere else is code: the file passes. So does any text the lexer below does not
 * read to its end cleanly (an unterminated comment, string or character literal): when
 * in doubt, parse.
 *
 * The lexer is a single forward scan over the text, run only on the few files whose text
 * holds a spelling at all; the others cost one regular-expression search, as before.
 */
import { CALL_SPELLINGS, SYSCALL_NUMBER_SPELLINGS, configuredForkFunctions } from './fork-spellings.js';
import { cgoPreamble } from './preprocessor.js';
import { escapeRegExp } from './syntax.js';
import type { Language, VforklintConfig } from './types.js';

/** One language's words that can make a fork call by themselves, longest first (the pre-scan's words; raw syscall entries hold a fork number, which is one). */
export function prescanWords(language: Language, config: VforklintConfig = {}): string[] {
  const names = new Set<string>();
  for (const s of CALL_SPELLINGS) if (s.language === language && s.role !== 'syscall') names.add(s.name);
  for (const s of SYSCALL_NUMBER_SPELLINGS) if (s.language === language) names.add(s.name);
  for (const f of configuredForkFunctions(config)) names.add(f.name);
  return [...names].sort((a, b) => b.length - a.length);
}

const patterns = new Map<string, RegExp>();

/** The words as whole words (`$` counts as a word character, as in C identifiers). */
function wordPattern(language: Language, config: VforklintConfig): RegExp {
  const key = `${language}\n${(config.forkFunctions ?? []).join('\n')}`;
  let re = patterns.get(key);
  if (!re) {
    if (patterns.size > 64) patterns.clear();
    re = new RegExp(`(?<![\\w$])(?:${prescanWords(language, config).map(escapeRegExp).join('|')})(?![\\w$])`, 'g');
    patterns.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/**
 * False only when no fork call can be in this text: every spelling of `language` in it
 * stands in a comment, a string, or as the name of a numeric constant definition (above).
 */
export function mayHoldForkCall(text: string, language: Language, config: VforklintConfig = {}): boolean {
  if (spellingsInCode(text, language, config)) return true;
  if (language !== 'go' || !text.includes('"C"')) return false;
  // cgo: the comment above `import "C"` is C, analysed as C.
  const preamble = cgoPreamble(text);
  return preamble !== undefined && spellingsInCode(preamble, 'c', config);
}

function spellingsInCode(text: string, language: Language, config: VforklintConfig): boolean {
  const re = wordPattern(language, config);
  const offsets: number[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) offsets.push(m.index);
  if (offsets.length === 0) return false;
  const lexed = lex(text, language);
  if (!lexed) return true;
  const inert = inertNames(lexed.tokens, text, language);
  for (const offset of offsets) {
    if (lexed.insideInertText(offset)) continue;
    const t = tokenAt(lexed.tokens, offset);
    if (t === undefined || !inert.has(t)) return true;
  }
  return false;
}

const enum Kind {
  Identifier,
  Number,
  Punctuation,
  Newline,
}

interface Token {
  kind: Kind;
  start: number;
  end: number;
  /** C: a `#` that begins a line (a directive). */
  directive?: boolean;
}

interface Lexed {
  /** Code tokens in text order (no comments, strings or whitespace; newlines as tokens). */
  tokens: Token[];
  /** Is the offset inside a comment or a string (character literal, raw string, `#include` name)? */
  insideInertText: (offset: number) => boolean;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const NL = 10;
const CR = 13;
const BACKSLASH = 92;

/**
 * The code tokens of the text, and where its comments and strings are; undefined when the
 * text does not lex cleanly (an unterminated comment, string or character literal).
 */
function lex(text: string, language: Language): Lexed | undefined {
  const c = language === 'c';
  const tokens: Token[] = [];
  // Inert ranges as [start, end) pairs, in order.
  const inert: number[] = [];
  const n = text.length;
  let lineStart = true;
  let i = 0;
  /** A backslash-newline (C's line splice) at i: its length, else 0. */
  const splice = (at: number): number => {
    if (text.charCodeAt(at) !== BACKSLASH) return 0;
    if (text.charCodeAt(at + 1) === NL) return 2;
    if (text.charCodeAt(at + 1) === CR && text.charCodeAt(at + 2) === NL) return 3;
    return 0;
  };
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === NL) {
      tokens.push({ kind: Kind.Newline, start: i, end: i + 1 });
      lineStart = true;
      i++;
      continue;
    }
    if (ch === 32 || ch === 9 || ch === CR || ch === 11 || ch === 12) {
      i++;
      continue;
    }
    if (c && ch === BACKSLASH) {
      const s = splice(i);
      if (s) {
        i += s;
        continue;
      }
    }
    const next = text.charCodeAt(i + 1);
    if (ch === 47 && next === 47) {
      // `//` comment to the end of the line (in C a line splice continues it).
      let j = i + 2;
      while (j < n && text.charCodeAt(j) !== NL) {
        const s = c ? splice(j) : 0;
        j += s || 1;
      }
      inert.push(i, j);
      i = j;
      continue;
    }
    if (ch === 47 && next === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return undefined;
      inert.push(i, close + 2);
      // A Go comment holding a newline ends a line as a newline does.
      if (!c && text.lastIndexOf('\n', close) > i) tokens.push({ kind: Kind.Newline, start: close + 1, end: close + 2 });
      i = close + 2;
      lineStart = false;
      continue;
    }
    if (ch === 34 || ch === 39) {
      // "string" or 'c': escapes (and in C line splices) inside; an unescaped newline ends it unterminated.
      let j = i + 1;
      for (;;) {
        if (j >= n) return undefined;
        const d = text.charCodeAt(j);
        if (d === ch) break;
        if (d === NL) return undefined;
        if (d === BACKSLASH) j += text.charCodeAt(j + 1) === CR && text.charCodeAt(j + 2) === NL ? 3 : 2;
        else j++;
      }
      inert.push(i, j + 1);
      i = j + 1;
      lineStart = false;
      continue;
    }
    if (!c && ch === 96) {
      const close = text.indexOf('`', i + 1);
      if (close < 0) return undefined;
      inert.push(i, close + 1);
      i = close + 1;
      lineStart = false;
      continue;
    }
    if (isDigit(ch) || (ch === 46 && isDigit(next))) {
      // A preprocessing number: digits, letters, `.`, `_`, C's `'` separators, and a sign after an exponent.
      let j = i + 1;
      for (;;) {
        const d = text.charCodeAt(j);
        if (isIdentPart(d) || d === 46) j++;
        else if ((d === 43 || d === 45) && /[eEpP]/.test(text[j - 1]!)) j++;
        else if (c && d === 39 && isIdentPart(text.charCodeAt(j + 1))) j += 2;
        else break;
      }
      tokens.push({ kind: Kind.Number, start: i, end: j });
      i = j;
      lineStart = false;
      continue;
    }
    if (isIdentStart(ch)) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ kind: Kind.Identifier, start: i, end: j });
      i = j;
      lineStart = false;
      continue;
    }
    if (c && ch === 35 && lineStart) {
      tokens.push({ kind: Kind.Punctuation, start: i, end: i + 1, directive: true });
      i++;
      lineStart = false;
      // `#include <name>`: the name is a string to the parser.
      const m = /^[ \t]*(?:include|include_next|import)[ \t]*(<[^>\n]*>)/.exec(text.slice(i, i + 512));
      if (m) {
        const start = i + m[0].length - m[1]!.length;
        inert.push(start, i + m[0].length);
        i += m[0].length;
      }
      continue;
    }
    tokens.push({ kind: Kind.Punctuation, start: i, end: i + 1 });
    i++;
    lineStart = false;
  }
  const insideInertText = (offset: number): boolean => {
    // Binary search over the pairs.
    let lo = 0;
    let hi = inert.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offset < inert[2 * mid]!) hi = mid - 1;
      else if (offset >= inert[2 * mid + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  };
  return { tokens, insideInertText };
}

/** The identifier token that starts at `offset`, if any. */
function tokenAt(tokens: Token[], offset: number): Token | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    if (t.start < offset) lo = mid + 1;
    else if (t.start > offset) hi = mid - 1;
    else return t.kind === Kind.Identifier ? t : undefined;
  }
  return undefined;
}

/** Operators a constant expression may hold (besides numbers, names and parentheses). */
const CONSTANT_OPERATORS = new Set(['+', '-', '*', '/', '%', '<', '>', '|', '&', '^', '~', '!', '(', ')']);

/**
 * Is tokens[from, to) a constant expression: numbers, names that are not called, operators
 * and parentheses, with at least one number or name?
 */
function constantExpression(tokens: Token[], from: number, to: number, text: string): boolean {
  let operands = 0;
  for (let k = from; k < to; k++) {
    const t = tokens[k]!;
    if (t.kind === Kind.Number) operands++;
    else if (t.kind === Kind.Identifier) {
      const after = tokens[k + 1];
      if (k + 1 < to && after && text[after.start] === '(') return false;
      operands++;
    } else if (t.kind !== Kind.Punctuation || !CONSTANT_OPERATORS.has(text[t.start]!)) return false;
  }
  return operands > 0;
}

/** The identifier tokens that are names of numeric constant definitions. */
function inertNames(tokens: Token[], text: string, language: Language): Set<Token> {
  return language === 'c' ? cConstantNames(tokens, text) : goConstantNames(tokens, text);
}

const word = (text: string, t: Token | undefined) => (t ? text.slice(t.start, t.end) : '');

/** C: `#define NAME <constant>` and enumerators. */
function cConstantNames(tokens: Token[], text: string): Set<Token> {
  const out = new Set<Token>();
  const lineEnd = (k: number) => {
    while (k < tokens.length && tokens[k]!.kind !== Kind.Newline) k++;
    return k;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.directive) {
      const end = lineEnd(k);
      if (word(text, tokens[k + 1]) === 'define') {
        const name = tokens[k + 2];
        const after = tokens[k + 3];
        const functionLike = after !== undefined && after.start === name?.end && text[after.start] === '(';
        if (name?.kind === Kind.Identifier && !functionLike && constantExpression(tokens, k + 3, end, text)) out.add(name);
      }
      k = end;
      continue;
    }
    if (t.kind !== Kind.Identifier || word(text, t) !== 'enum') continue;
    let k2 = k + 1;
    while (tokens[k2]?.kind === Kind.Newline) k2++;
    if (tokens[k2]?.kind === Kind.Identifier) k2++;
    while (tokens[k2]?.kind === Kind.Newline) k2++;
    if (text[tokens[k2]?.start ?? -1] !== '{') continue;
    k = enumerators(tokens, k2 + 1, text, out, lineEnd);
  }
  return out;
}

/** Read `NAME [= constant], ...` up to the enum's closing brace; returns the index of that brace (or where reading stopped). */
function enumerators(tokens: Token[], k: number, text: string, out: Set<Token>, lineEnd: (k: number) => number): number {
  const skipLines = (j: number): number => {
    for (;;) {
      const t = tokens[j];
      if (t?.kind === Kind.Newline) j++;
      else if (t?.directive) j = lineEnd(j);
      else return j;
    }
  };
  for (;;) {
    k = skipLines(k);
    const name = tokens[k];
    if (!name) return k;
    if (text[name.start] === '}') return k;
    if (name.kind !== Kind.Identifier) return k;
    k = skipLines(k + 1);
    let valueOk = true;
    if (text[tokens[k]?.start ?? -1] === '=') {
      // The value: up to a `,` or `}` outside parentheses, directive lines left out.
      const values: Token[] = [];
      let depth = 0;
      for (k = k + 1; k < tokens.length; k++) {
        k = skipLines(k);
        const v = tokens[k];
        if (!v) break;
        const ch = text[v.start];
        if (depth === 0 && (ch === ',' || ch === '}')) break;
        if (ch === '(') depth++;
        else if (ch === ')') depth--;
        values.push(v);
      }
      valueOk = constantExpression(values, 0, values.length, text);
    }
    const sep = tokens[k];
    if (!sep || (text[sep.start] !== ',' && text[sep.start] !== '}')) return k;
    if (valueOk) out.add(name);
    if (text[sep.start] === '}') return k;
    k++;
  }
}

/** Go: the names `const` declarations give numeric values (`const X = 1`, `const ( X T = 0x10 ... )`). */
function goConstantNames(tokens: Token[], text: string): Set<Token> {
  const out = new Set<Token>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== Kind.Identifier || word(text, t) !== 'const' || text[tokens[k - 1]?.start ?? -1] === '.') continue;
    let j = k + 1;
    if (text[tokens[j]?.start ?? -1] === '(') {
      j++;
      for (;;) {
        while (tokens[j]?.kind === Kind.Newline || text[tokens[j]?.start ?? -1] === ';') j++;
        const t2 = tokens[j];
        if (!t2 || text[t2.start] === ')') break;
        const next = goConstSpec(tokens, j, text, out, true);
        if (next !== undefined) {
          j = next;
          continue;
        }
        // Not `names = values` (an iota repetition, or something this reader does not know): its names stay code.
        while (j < tokens.length && tokens[j]!.kind !== Kind.Newline && text[tokens[j]!.start] !== ')') j++;
      }
    } else goConstSpec(tokens, j, text, out, false);
    k = j;
  }
  return out;
}

/**
 * One const spec at tokens[k]: `A, B [Type] = expr, expr`, ending at a newline or `;` (or
 * the block's `)`). Adds its names when every value is a constant expression; returns
 * where the spec ends, or undefined when it does not read as one.
 */
function goConstSpec(tokens: Token[], k: number, text: string, out: Set<Token>, inBlock: boolean): number | undefined {
  const names: Token[] = [];
  for (;;) {
    const t = tokens[k];
    if (t?.kind !== Kind.Identifier) return undefined;
    names.push(t);
    k++;
    if (text[tokens[k]?.start ?? -1] !== ',') break;
    k++;
  }
  // An optional type: a name, or a qualified name.
  if (tokens[k]?.kind === Kind.Identifier) {
    k++;
    if (text[tokens[k]?.start ?? -1] === '.' && tokens[k + 1]?.kind === Kind.Identifier) k += 2;
  }
  if (text[tokens[k]?.start ?? -1] !== '=') return undefined;
  const from = k + 1;
  let depth = 0;
  let end = from;
  for (; end < tokens.length; end++) {
    const v = tokens[end]!;
    const ch = text[v.start];
    if (depth === 0 && (v.kind === Kind.Newline || ch === ';')) break;
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0 && inBlock) break;
      depth--;
    }
  }
  // Several values: each a constant expression.
  let ok = true;
  let start = from;
  for (let v = from; v <= end; v++) {
    if (v === end || (text[tokens[v]!.start] === ',' && tokens[v]!.kind === Kind.Punctuation)) {
      if (!constantExpression(tokens, start, v, text)) ok = false;
      start = v + 1;
    }
  }
  if (ok) for (const name of names) out.add(name);
  return end;
}
