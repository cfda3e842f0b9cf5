/**
 * Preprocessing tokens, as a C preprocessor reads a macro body or a macro use: comments
 * and backslash-newlines vanish, whitespace only separates, string and character literals
 * are single tokens (so a `,` or `(` inside them never splits an argument).
 */

export type TokenKind = 'identifier' | 'number' | 'string' | 'char' | 'punct' | 'other';

/** Where a token of an expansion came from: the use's text (at an offset) or a definition's body. */
export type TokenOrigin<D> = { use: number } | { definition: D };

export interface Token<D = unknown> {
  kind: TokenKind;
  text: string;
  /** Whitespace (or a comment) came before it. */
  space: boolean;
  /** Offset of the token in the text it was read from. */
  offset: number;
  /** Macros that must not expand this token again (the "blue paint" of the C standard). */
  hide?: ReadonlySet<string>;
  origin?: TokenOrigin<D>;
}

const PUNCTUATORS = ['...', '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##'];

const isIdentStartCode = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
const isDigitCode = (c: number) => c >= 48 && c <= 57;
const isIdentPartCode = (c: number) => isIdentStartCode(c) || isDigitCode(c);
const isSpaceCode = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isIdentPart = (c: string) => c !== '' && isIdentPartCode(c.charCodeAt(0));

/** The text with backslash-newline continuations removed, and a map from its offsets to the original's. */
function joinContinuations(text: string): { text: string; offsets: number[] } {
  // Most texts (a condition, a macro use) hold no backslash: the same text, each offset its own.
  if (!text.includes('\\')) return { text, offsets: Array.from({ length: text.length + 1 }, (_, i) => i) };
  let out = '';
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      const m = /^\\[ \t]*(\r\n|\n|\r)/.exec(text.slice(i, i + 64));
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    out += text[i];
    offsets.push(i);
  }
  offsets.push(text.length);
  return { text: out, offsets };
}

/** The end of a quoted literal starting at `i` (the quote), or the end of the line when it is unterminated. */
function literalEnd(s: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < s.length && s[j] !== quote && s[j] !== '\n') j += s[j] === '\\' ? 2 : 1;
  return Math.min(s.length, j + 1);
}

export function tokenize(source: string): Token[] {
  const { text: s, offsets } = joinContinuations(source);
  const out: Token[] = [];
  let space = false;
  let i = 0;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: s.slice(i, end), space, offset: offsets[i] });
    space = false;
    i = end;
  };
  while (i < s.length) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (isSpaceCode(code)) {
      space = true;
      i++;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
      space = true;
    } else if (c === '/' && s[i + 1] === '/') {
      const end = s.indexOf('\n', i);
      i = end < 0 ? s.length : end;
      space = true;
    } else if (c === '"' || c === "'") {
      push(c === '"' ? 'string' : 'char', literalEnd(s, i, c));
    } else if ((c === 'L' || c === 'u' || c === 'U') && /^(?:u8|[LuU])["']/.test(s.slice(i, i + 3))) {
      const prefix = s[i + 1] === '8' ? 2 : 1;
      const quote = s[i + prefix];
      push(quote === '"' ? 'string' : 'char', literalEnd(s, i + prefix, quote));
    } else if (isIdentStartCode(code)) {
      let j = i + 1;
      while (j < s.length && isIdentPartCode(s.charCodeAt(j))) j++;
      push('identifier', j);
    } else if (isDigitCode(code) || (c === '.' && isDigitCode(s.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < s.length && (isIdentPartCode(s.charCodeAt(j)) || s[j] === '.' || ((s[j] === '+' || s[j] === '-') && /[eEpP]/.test(s[j - 1])))) j++;
      push('number', j);
    } else {
      const p = PUNCTUATORS.find((q) => q[0] === c && s.startsWith(q, i));
      push(p || '-+*/%&|^!~<>=?:;,.()[]{}#'.includes(c) ? 'punct' : 'other', i + (p ? p.length : 1));
    }
  }
  return out;
}

/** Whether two adjacent tokens would read as one if written without a space. */
function wouldMerge(a: Token<unknown>, b: Token<unknown>): boolean {
  const last = a.text[a.text.length - 1];
  const first = b.text[0];
  if (isIdentPart(last) && (isIdentPart(first) || ((b.kind === 'string' || b.kind === 'char') && a.kind === 'identifier'))) return true;
  if (a.kind === 'number' && (first === '.' || /[+-]/.test(first))) return true;
  if (a.kind === 'punct' && b.kind === 'punct') return PUNCTUATORS.some((p) => p.startsWith(a.text + first)) || (a.text === '/' && (first === '/' || first === '*'));
  return false;
}

/** Tokens back to text; `starts` receives each token's offset in the result. */
export function joinTokens<D>(tokens: ReadonlyArray<Token<D>>, starts?: number[]): string {
  let out = '';
  tokens.forEach((t, i) => {
    if (i > 0 && (t.space || wouldMerge(tokens[i - 1], t))) out += ' ';
    starts?.push(out.length);
    out += t.text;
  });
  return out;
}

/** `#x`: the argument's spelling as a string literal. */
export function stringize<D>(tokens: ReadonlyArray<Token<D>>): string {
  const body = tokens.map((t, i) => (i > 0 && t.space ? ' ' : '') + (t.kind === 'string' || t.kind === 'char' ? t.text.replace(/[\\"]/g, '\\$&') : t.text)).join('');
  return `"${body}"`;
}
