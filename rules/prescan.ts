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
 * or anywhere else is code: the file passes. So does a file whose text, before a
 * spelling, does not lex cleanly (an unterminated comment, string or character literal):
 * when in doubt, parse.
 *
 * Cost: a file with no spelling costs a search for a few fixed strings. A file with
 * spellings costs one forward scan that allocates nothing per token (where the comments
 * and strings are), which stops at the first spelling in code; only the spellings outside
 * comments and strings are looked at closely, by lexing their directive line, or the
 * enum or const declaration around them.
 */
import { CALL_SPELLINGS, SYSCALL_NUMBER_SPELLINGS, anchorPattern, configuredForkFunctions } from './fork-spellings.js';
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

interface Patterns {
  /** The words as whole words (`$` counts as a word character, as in C identifiers). */
  words: RegExp;
  /**
   * A few fixed strings one of which every word holds (`fork`, `lone`, ...), when there
   * are such: most files hold none, and finding that out is several times faster than
   * running the alternation of whole words over them.
   */
  anchors?: RegExp;
}

const patterns = new Map<string, Patterns>();

function patternsFor(language: Language, config: VforklintConfig): Patterns {
  // Called once per file: no key to build in the common case of no configured fork functions.
  const key = config.forkFunctions?.length ? `${language}\n${config.forkFunctions.join('\n')}` : language;
  let p = patterns.get(key);
  if (!p) {
    if (patterns.size > 64) patterns.clear();
    const words = prescanWords(language, config);
    p = { words: new RegExp(`(?<![\\w$])(?:${words.map(escapeRegExp).join('|')})(?![\\w$])`, 'g') };
    // A configured name without one of them (`spawn`): no prefilter.
    const anchors = anchorPattern(words);
    if (anchors) p.anchors = anchors;
    patterns.set(key, p);
  }
  p.words.lastIndex = 0;
  return p;
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
  const { words: re, anchors } = patternsFor(language, config);
  if (anchors && !anchors.test(text)) return false;
  let m = re.exec(text);
  if (!m) return false;
  // The scan for comments and strings goes only as far as the spellings: it stops at the
  // first one in code (a language server pre-scans on every keystroke).
  const pairs: number[] = [];
  const inert = new InertRanges(pairs);
  const lexer = new Lexer(text, language, 0, (s, e) => pairs.push(s, e));
  const constants = new ConstantNames(text, language, inert);
  for (; m; m = re.exec(text)) {
    while (lexer.position <= m.index) {
      const k = lexer.next();
      if (k === Kind.Broken) return true;
      if (k === Kind.End) break;
    }
    if (inert.has(m.index)) continue;
    if (!constants.isConstantName(m.index, m[0].length)) return true;
  }
  return false;
}

const enum Kind {
  Identifier,
  Number,
  Punctuation,
  Newline,
  End,
  /** An unterminated comment, string or character literal. */
  Broken,
}

interface Token {
  kind: Kind;
  start: number;
  end: number;
  /** C: a `#` that begins a line (a directive). */
  directive: boolean;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const NL = 10;
const CR = 13;
const BACKSLASH = 92;
/** `#include <name>` after the `#`: the name is a string to the parser. */
const INCLUDE = /[ \t]*(?:include|include_next|import)[ \t]*<[^>\n]*>/y;

/**
 * A forward lexer over C or Go code from a given offset (which must not be inside a comment
 * or a string). `next()` skips whitespace, comments and strings (handing their ranges to
 * `onInert`) and leaves the next code token in `kind`, `start`, `end`: no allocation per token.
 */
class Lexer {
  kind: Kind = Kind.End;
  start = 0;
  end = 0;
  directive = false;
  private lineStart: boolean;
  private readonly c: boolean;

  constructor(
    private readonly text: string,
    language: Language,
    private pos: number,
    private readonly onInert?: (start: number, end: number) => void,
  ) {
    this.c = language === 'c';
    this.lineStart = pos === 0 || text.charCodeAt(pos - 1) === NL;
  }

  /** Where the next token's scan starts: everything before it has been lexed. */
  get position(): number {
    return this.pos;
  }

  /** A backslash-newline (C's line splice) at `at`: its length, else 0. */
  private splice(at: number): number {
    const text = this.text;
    if (text.charCodeAt(at) !== BACKSLASH) return 0;
    if (text.charCodeAt(at + 1) === NL) return 2;
    if (text.charCodeAt(at + 1) === CR && text.charCodeAt(at + 2) === NL) return 3;
    return 0;
  }

  private token(kind: Kind, start: number, end: number): Kind {
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.pos = end;
    return kind;
  }

  private inert(start: number, end: number): void {
    this.onInert?.(start, end);
    this.pos = end;
  }

  next(): Kind {
    const text = this.text;
    const n = text.length;
    const c = this.c;
    this.directive = false;
    while (this.pos < n) {
      const i = this.pos;
      const ch = text.charCodeAt(i);
      if (ch === NL) {
        this.lineStart = true;
        return this.token(Kind.Newline, i, i + 1);
      }
      if (ch === 32 || ch === 9 || ch === CR || ch === 11 || ch === 12) {
        this.pos++;
        continue;
      }
      if (c && ch === BACKSLASH) {
        const s = this.splice(i);
        if (s) {
          this.pos += s;
          continue;
        }
      }
      const next = text.charCodeAt(i + 1);
      if (ch === 47 && next === 47) {
        // `//` comment to the end of the line (in C a line splice continues it).
        let j = i + 2;
        while (j < n && text.charCodeAt(j) !== NL) j += (c && this.splice(j)) || 1;
        this.inert(i, j);
        continue;
      }
      if (ch === 47 && next === 42) {
        const close = text.indexOf('*/', i + 2);
        if (close < 0) return this.token(Kind.Broken, i, n);
        this.inert(i, close + 2);
        // A Go comment holding a newline ends a line as a newline does.
        if (!c && text.lastIndexOf('\n', close) > i) return this.token(Kind.Newline, close + 1, close + 2);
        this.lineStart = false;
        continue;
      }
      if (ch === 34 || ch === 39) {
        // "string" or 'c': escapes inside; an unescaped newline ends it unterminated.
        let j = i + 1;
        for (;;) {
          if (j >= n) return this.token(Kind.Broken, i, n);
          const d = text.charCodeAt(j);
          if (d === ch) break;
          if (d === NL) return this.token(Kind.Broken, i, j);
          if (d === BACKSLASH) j += text.charCodeAt(j + 1) === CR && text.charCodeAt(j + 2) === NL ? 3 : 2;
          else j++;
        }
        this.inert(i, j + 1);
        this.lineStart = false;
        continue;
      }
      if (!c && ch === 96) {
        const close = text.indexOf('`', i + 1);
        if (close < 0) return this.token(Kind.Broken, i, n);
        this.inert(i, close + 1);
        this.lineStart = false;
        continue;
      }
      const atLineStart = this.lineStart;
      this.lineStart = false;
      if (isDigit(ch) || (ch === 46 && isDigit(next))) {
        // A preprocessing number: digits, letters, `.`, `_`, C's `'` separators, and a sign after an exponent.
        let j = i + 1;
        for (;;) {
          const d = text.charCodeAt(j);
          if (isIdentPart(d) || d === 46) j++;
          else if ((d === 43 || d === 45) && (text.charCodeAt(j - 1) | 32) === 101) j++;
          else if ((d === 43 || d === 45) && (text.charCodeAt(j - 1) | 32) === 112) j++;
          else if (c && d === 39 && isIdentPart(text.charCodeAt(j + 1))) j += 2;
          else break;
        }
        return this.token(Kind.Number, i, j);
      }
      if (isIdentStart(ch)) {
        let j = i + 1;
        while (j < n && isIdentPart(text.charCodeAt(j))) j++;
        return this.token(Kind.Identifier, i, j);
      }
      if (c && ch === 35 && atLineStart) {
        this.token(Kind.Punctuation, i, i + 1);
        this.directive = true;
        INCLUDE.lastIndex = i + 1;
        if (INCLUDE.test(text)) {
          this.pos = INCLUDE.lastIndex;
          this.onInert?.(text.lastIndexOf('<', this.pos), this.pos);
        }
        return Kind.Punctuation;
      }
      return this.token(Kind.Punctuation, i, i + 1);
    }
    return this.token(Kind.End, n, n);
  }
}

/** The comments and strings lexed so far, as sorted [start, end) pairs (the array grows as the lexer goes). */
class InertRanges {
  constructor(private readonly pairs: number[]) {}

  has(offset: number): boolean {
    const p = this.pairs;
    let lo = 0;
    let hi = p.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offset < p[2 * mid]!) hi = mid - 1;
      else if (offset >= p[2 * mid + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

/** Tokens lexed on demand from an offset in code. */
class Tokens {
  private readonly list: Token[] = [];
  private readonly lexer: Lexer;

  constructor(text: string, language: Language, from: number) {
    this.lexer = new Lexer(text, language, from);
  }

  /** The k-th token (End or Broken past the end, Broken repeating). */
  at(k: number): Token {
    while (this.list.length <= k) {
      const last = this.list[this.list.length - 1];
      if (last && (last.kind === Kind.End || last.kind === Kind.Broken)) return last;
      const kind = this.lexer.next();
      this.list.push({ kind, start: this.lexer.start, end: this.lexer.end, directive: this.lexer.directive });
    }
    return this.list[k]!;
  }
}

/** Operators a constant expression may hold (besides numbers, names and parentheses). */
const CONSTANT_OPERATORS = new Set(['+', '-', '*', '/', '%', '<', '>', '|', '&', '^', '~', '!', '(', ')']);

/** Is this list of tokens a constant expression: numbers, names that are not called, operators and parentheses, with at least one operand? */
function constantExpression(tokens: Token[], text: string): boolean {
  let operands = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === Kind.Number) operands++;
    else if (t.kind === Kind.Identifier) {
      if (text[tokens[k + 1]?.start ?? -1] === '(') return false;
      operands++;
    } else if (t.kind !== Kind.Punctuation || !CONSTANT_OPERATORS.has(text[t.start]!)) return false;
  }
  return operands > 0;
}

const wordAt = (text: string, t: Token) => (t.kind === Kind.Identifier ? text.slice(t.start, t.end) : '');
const charAt = (text: string, t: Token) => (t.kind === Kind.Punctuation ? text[t.start] : '');

/**
 * Is the spelling at `offset` the name a numeric constant definition defines? Each check
 * lexes only the declaration around the spelling (its directive line, the enum or const
 * declaration before it); results are kept per declaration.
 */
class ConstantNames {
  private readonly byDeclaration = new Map<number, Set<number>>();

  constructor(
    private readonly text: string,
    private readonly language: Language,
    private readonly inert: InertRanges,
  ) {}

  isConstantName(offset: number, length: number): boolean {
    const text = this.text;
    // In a lexer's view the spelling must be a whole identifier (the pattern's \w is ASCII only).
    if (isIdentPart(text.charCodeAt(offset - 1)) || isIdentPart(text.charCodeAt(offset + length))) return false;
    if (this.language === 'go') {
      const decl = this.keywordBefore('const', offset);
      return decl !== undefined && this.names(decl, () => this.goConstNames(decl)).has(offset);
    }
    const line = this.logicalLineStart(offset);
    if (line !== undefined) return this.names(line, () => this.defineName(line)).has(offset);
    const decl = this.keywordBefore('enum', offset);
    return decl !== undefined && this.names(decl, () => this.enumeratorNames(decl)).has(offset);
  }

  private names(key: number, read: () => Set<number>): Set<number> {
    let s = this.byDeclaration.get(key);
    if (!s) this.byDeclaration.set(key, (s = read()));
    return s;
  }

  /** C: where the directive line holding `offset` starts (its `#`), if that line is a directive. */
  private logicalLineStart(offset: number): number | undefined {
    const text = this.text;
    let start = text.lastIndexOf('\n', offset - 1) + 1;
    // A line ending in a backslash continues on the next.
    while (start > 0) {
      let e = start - 2;
      if (text.charCodeAt(e) === CR) e--;
      if (text.charCodeAt(e) !== BACKSLASH) break;
      start = text.lastIndexOf('\n', e - 1) + 1;
    }
    let i = start;
    while (i < offset && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    return text.charCodeAt(i) === 35 && !this.inert.has(i) ? i : undefined;
  }

  /** `#define NAME <constant expression>`: NAME's offset. */
  private defineName(hash: number): Set<number> {
    const text = this.text;
    const t = new Tokens(text, 'c', hash);
    const out = new Set<number>();
    if (charAt(text, t.at(0)) !== '#' || wordAt(text, t.at(1)) !== 'define') return out;
    const name = t.at(2);
    const after = t.at(3);
    if (name.kind !== Kind.Identifier || (after.start === name.end && charAt(text, after) === '(')) return out;
    const body: Token[] = [];
    for (let k = 3; ; k++) {
      const b = t.at(k);
      if (b.kind === Kind.Newline || b.kind === Kind.End) break;
      if (b.kind === Kind.Broken) return out;
      body.push(b);
    }
    if (constantExpression(body, text)) out.add(name.start);
    return out;
  }

  /** The nearest `keyword` before `offset` that is code (not in a comment or string, a whole word, not after `.`). */
  private keywordBefore(keyword: string, offset: number): number | undefined {
    const text = this.text;
    for (let at = text.lastIndexOf(keyword, offset - 1); at >= 0; at = text.lastIndexOf(keyword, at - 1)) {
      if (isIdentPart(text.charCodeAt(at - 1)) || isIdentPart(text.charCodeAt(at + keyword.length)) || text.charCodeAt(at - 1) === 46) continue;
      if (this.inert.has(at)) continue;
      return at;
    }
    return undefined;
  }

  /** C: `enum [tag] { NAME [= constant], ... }`: the names, read up to the closing brace (or the first thing that is no enumerator). */
  private enumeratorNames(at: number): Set<number> {
    const text = this.text;
    const t = new Tokens(text, 'c', at);
    const out = new Set<number>();
    let k = 1;
    const skipLines = () => {
      for (;;) {
        const tok = t.at(k);
        if (tok.kind === Kind.Newline) k++;
        else if (tok.directive) {
          while (t.at(k).kind !== Kind.Newline && t.at(k).kind !== Kind.End && t.at(k).kind !== Kind.Broken) k++;
        } else return;
      }
    };
    skipLines();
    if (t.at(k).kind === Kind.Identifier) k++;
    skipLines();
    if (charAt(text, t.at(k)) !== '{') return out;
    k++;
    for (;;) {
      skipLines();
      const name = t.at(k);
      if (name.kind !== Kind.Identifier) return out;
      k++;
      skipLines();
      let valueOk = true;
      if (charAt(text, t.at(k)) === '=') {
        const values: Token[] = [];
        let depth = 0;
        for (k++; ; k++) {
          skipLines();
          const v = t.at(k);
          if (v.kind === Kind.End || v.kind === Kind.Broken) return out;
          const ch = charAt(text, v);
          if (depth === 0 && (ch === ',' || ch === '}')) break;
          if (ch === '(') depth++;
          else if (ch === ')') depth--;
          values.push(v);
        }
        valueOk = constantExpression(values, text);
      }
      const sep = charAt(text, t.at(k));
      if (sep !== ',' && sep !== '}') return out;
      if (valueOk) out.add(name.start);
      if (sep === '}') return out;
      k++;
    }
  }

  /** Go: `const NAME = 1` or `const ( ... )`: the names given constant values. */
  private goConstNames(at: number): Set<number> {
    const text = this.text;
    const t = new Tokens(text, 'go', at);
    const out = new Set<number>();
    if (charAt(text, t.at(1)) !== '(') {
      goConstSpec(t, 1, text, out, false);
      return out;
    }
    let k = 2;
    for (;;) {
      while (t.at(k).kind === Kind.Newline || charAt(text, t.at(k)) === ';') k++;
      const first = t.at(k);
      if (first.kind === Kind.End || first.kind === Kind.Broken || charAt(text, first) === ')') return out;
      const next = goConstSpec(t, k, text, out, true);
      if (next !== undefined) {
        k = next;
        continue;
      }
      // Not `names = values` (an iota repetition, or something this reader does not know): its names stay code.
      for (;;) {
        const tok = t.at(k);
        if (tok.kind === Kind.End || tok.kind === Kind.Broken) return out;
        if (tok.kind === Kind.Newline || charAt(text, tok) === ')') break;
        k++;
      }
    }
  }
}

/**
 * One const spec at token k: `A, B [Type] = expr, expr`, ending at a newline or `;` (or
 * the block's `)`). Adds its names when every value is a constant expression; returns
 * where the spec ends, or undefined when it does not read as one.
 */
function goConstSpec(t: Tokens, k: number, text: string, out: Set<number>, inBlock: boolean): number | undefined {
  const names: number[] = [];
  for (;;) {
    const name = t.at(k);
    if (name.kind !== Kind.Identifier) return undefined;
    names.push(name.start);
    k++;
    if (charAt(text, t.at(k)) !== ',') break;
    k++;
  }
  // An optional type: a name, or a qualified name.
  if (t.at(k).kind === Kind.Identifier) {
    k++;
    if (charAt(text, t.at(k)) === '.' && t.at(k + 1).kind === Kind.Identifier) k += 2;
  }
  if (charAt(text, t.at(k)) !== '=') return undefined;
  const values: Token[][] = [[]];
  let depth = 0;
  for (k++; ; k++) {
    const v = t.at(k);
    if (v.kind === Kind.End) break;
    if (v.kind === Kind.Broken) return undefined;
    const ch = charAt(text, v);
    if (depth === 0 && (v.kind === Kind.Newline || ch === ';')) break;
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0 && inBlock) break;
      depth--;
    }
    if (depth === 0 && ch === ',') values.push([]);
    else if (v.kind !== Kind.Newline) values[values.length - 1]!.push(v);
  }
  if (values.every((v) => constantExpression(v, text))) for (const name of names) out.add(name);
  return k;
}
