/**
 * Comments of a C or Go file, found by a small lexer instead of a tree walk: ESLint needs
 * them only for `eslint-disable` directives, and a linear scan of the text is far cheaper
 * than materialising tree-sitter nodes. The lexer knows just enough of each language to
 * tell a comment opener from the same characters inside a string or character literal:
 *
 *   C:  "..." and '...' (backslash escapes, ended by a newline if unterminated),
 *       // ... (a backslash before the newline continues it), /* ... *\/
 *   Go: "..." and '...' (as C), `...` raw strings (no escapes, may span lines),
 *       // ..., /* ... *\/
 *
 * test/eslint-plugin.test.ts holds it against tree-sitter's `comment` nodes.
 */
import type { Language } from '../rules/index.js';

export interface CommentSpan {
  /** ESLint's names: `Line` for `//`, `Block` for `/* *\/`. */
  type: 'Line' | 'Block';
  /** Offset of the opening `//` or `/*`. */
  start: number;
  /** Offset just past the comment (the `*\/`, or the end of the line without its newline). */
  end: number;
  /** The text between the delimiters. */
  value: string;
}

const NL = 10;
const CR = 13;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKTICK = 96;

/** End of a quoted literal that starts at `i` (the quote): just past the closing quote, or at the newline. */
function skipQuoted(text: string, i: number, quote: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) {
      j += 2;
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

/** Every comment in `text`, in order. */
export function scanComments(text: string, language: Language): CommentSpan[] {
  const out: CommentSpan[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === SLASH && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === SLASH) {
        const end = lineCommentEnd(text, i, language);
        out.push({ type: 'Line', start: i, end, value: text.slice(i + 2, end) });
        i = end;
        continue;
      }
      if (d === STAR) {
        const close = text.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        out.push({ type: 'Block', start: i, end, value: text.slice(i + 2, close < 0 ? n : close) });
        i = end;
        continue;
      }
      i++;
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) {
      i = skipQuoted(text, i, c);
      continue;
    }
    if (c === BACKTICK && language === 'go') {
      const close = text.indexOf('`', i + 1);
      i = close < 0 ? n : close + 1;
      continue;
    }
    i++;
  }
  return out;
}

/** Cheap pre-check: no directive can exist when the text never says `eslint`. */
export function mayHoldDirectives(text: string): boolean {
  return text.includes('eslint');
}
