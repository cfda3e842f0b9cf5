/**
 * Comments and literals of a C or Go file, found by a small lexer, read as tree-sitter's
 * grammars read them. One lexer for every front end: suppression directives (CLI, server,
 * fixSource) and ESLint's `eslint-disable` comments are recognised only inside real
 * comments, and the fix checks compare the literals before and after a fix.
 *
 *   C:  "..." and '...' (any prefix: L u U u8; backslash escapes, a backslash-newline
 *       continues the literal, and so does a backslash-CRLF, as the preprocessor splices
 *       lines, where tree-sitter-c stops with a parse error: a file reads the same with
 *       either line end; ended by a newline if unterminated); numbers with `'` digit
 *       separators (`1'000`); // ... (a backslash before the newline continues it, as in
 *       the preprocessor); /* ... *\/. tree-sitter-c has no C++ raw strings: `R"(...)"` is
 *       the identifier R and a plain string, and so it is here.
 *   Go: "..." and '...' (as C), `...` raw strings (no escapes, may span lines), // ..., /* ... *\/.
 *
 * A `//` line comment runs to the newline: a lone CR or U+2028 stays inside it, as in
 * tree-sitter. One difference on purpose: tree-sitter-c reads a `//` comment at the end of
 * a `#define` line as part of the macro's value; the preprocessor (and this lexer) reads it
 * as the comment it is.
 *
 * test/comments.test.ts holds it against tree-sitter's `comment` and literal nodes.
 */
import type { Language } from './types.js';

export interface CommentSpan {
  /** ESLint's names: `Line` for `//`, `Block` for `/* *\/`. */
  type: 'Line' | 'Block';
  /** Offset of the opening `//` or `/*`. */
  start: number;
  /** Offset just past the comment (the `*\/`, or the end of the line without its newline or the CR before it). */
  end: number;
  /** The text between the delimiters. */
  value: string;
}

/** A string, character or raw string literal: [start, end) from its opening quote (a C prefix such as `L` not included). */
export interface LiteralSpan {
  start: number;
  end: number;
}

export interface LexedText {
  comments: CommentSpan[];
  literals: LiteralSpan[];
}

const NL = 10;
const CR = 13;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKTICK = 96;
const DOT = 46;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentifierPart(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}

/** End of a quoted literal whose opening quote is at `i`: just past the closing quote, or at the newline. */
function skipQuoted(text: string, i: number, quote: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) {
      // A backslash-CRLF continues the literal like a backslash-newline (the preprocessor's line splice).
      j += text.charCodeAt(j + 1) === CR && text.charCodeAt(j + 2) === NL ? 3 : 2;
      continue;
    }
    if (c === quote) return j + 1;
    if (c === NL) return j;
    j++;
  }
  return text.length;
}

/** End of a `//` comment starting at `i`: the offset of the newline that ends it (not included). */
function lineCommentEnd(text: string, i: number, language: Language): number {
  let j = i + 2;
  for (;;) {
    const nl = text.indexOf('\n', j);
    if (nl < 0) return text.length;
    // C: backslash-newline splices the next line into the comment.
    let k = nl - 1;
    if (k >= 0 && text.charCodeAt(k) === CR) k--;
    if (language === 'c' && k >= j && text.charCodeAt(k) === BACKSLASH) {
      j = nl + 1;
      continue;
    }
    // The comment's text excludes a trailing CR of a CRLF line end.
    return nl > i + 2 && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
  }
}

/** End of a C number starting at `i` (a pp-number: digits, letters, `.`, exponent signs, `'` separators). */
function numberEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (isIdentifierPart(c) || c === DOT) {
      j++;
      continue;
    }
    // 1e+5, 0x1p-3
    if ((c === 43 || c === 45) && /[eEpP]/.test(text[j - 1])) {
      j++;
      continue;
    }
    if (c === SQUOTE && j + 1 < text.length && isIdentifierPart(text.charCodeAt(j + 1))) {
      j += 2;
      continue;
    }
    return j;
  }
  return j;
}

/** Every comment and literal in `text`, in order. */
export function lex(text: string, language: Language): LexedText {
  const comments: CommentSpan[] = [];
  const literals: LiteralSpan[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === SLASH && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === SLASH) {
        const end = lineCommentEnd(text, i, language);
        comments.push({ type: 'Line', start: i, end, value: text.slice(i + 2, end) });
        i = end;
        continue;
      }
      if (d === STAR) {
        const close = text.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        comments.push({ type: 'Block', start: i, end, value: text.slice(i + 2, close < 0 ? n : close) });
        i = end;
        continue;
      }
      i++;
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) {
      // A C prefix (L, u, U, u8) was skipped with the identifiers; the literal is read from its quote.
      const end = skipQuoted(text, i, c);
      literals.push({ start: i, end });
      i = end;
      continue;
    }
    if (c === BACKTICK && language === 'go') {
      const close = text.indexOf('`', i + 1);
      const end = close < 0 ? n : close + 1;
      literals.push({ start: i, end });
      i = end;
      continue;
    }
    if (language === 'c' && (isDigit(c) || (c === DOT && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) && !(i > 0 && isIdentifierPart(text.charCodeAt(i - 1)))) {
      i = numberEnd(text, i);
      continue;
    }
    if (isIdentifierPart(c)) {
      // Skip the whole identifier so that its digits are not read as a number.
      let j = i + 1;
      while (j < n && isIdentifierPart(text.charCodeAt(j))) j++;
      i = j;
      continue;
    }
    i++;
  }
  return { comments, literals };
}

/** Every comment in `text`, in order. */
export function scanComments(text: string, language: Language): CommentSpan[] {
  return lex(text, language).comments;
}

/** The text of every literal (with its quotes), sorted: equal before and after a fix that edits no literal. */
export function literalMultiset(text: string, language: Language): string[] {
  return lex(text, language).literals.map((l) => text.slice(l.start, l.end)).sort();
}

/** Is `offset` strictly inside a literal (after its opening quote, before its end)? */
export function insideLiteral(literals: LiteralSpan[], offset: number): boolean {
  let lo = 0;
  let hi = literals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = literals[mid];
    if (offset <= l.start) hi = mid - 1;
    else if (offset >= l.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Cheap pre-check: no ESLint directive can exist when the text never says `eslint`. */
export function mayHoldDirectives(text: string): boolean {
  return text.includes('eslint');
}

/** lint's annotation `/* NOTREACHED *\/` (also `// not reached`, any case): control never gets past the statement before it. */
const NOT_REACHED = /^\s*not\s*reached\.?\s*$/i;

/** Is a comment's whole text (delimiters included) lint's `NOTREACHED` annotation? */
export function isNotReachedComment(text: string): boolean {
  const body = text.startsWith('//') ? text.slice(2) : text.startsWith('/*') ? text.slice(2, text.endsWith('*/') ? -2 : undefined) : text;
  return NOT_REACHED.test(body);
}
