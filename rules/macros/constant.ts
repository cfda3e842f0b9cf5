/**
 * The value of an integer constant expression (after macro expansion): `0`, `(1 << 3)`,
 * `!DEBUG` once DEBUG is replaced, `0 && x`, `0 & x`. Undefined when it depends on anything that is
 * not a constant. Enough for `if (0)`, `while (0)` and `DEBUG_INIT`-style switches.
 */
import { tokenize, type Token } from './tokens.js';

const BINARY: Array<{ ops: string[]; apply: (a: bigint, b: bigint, op: string) => bigint | undefined }> = [
  { ops: ['||'], apply: (a, b) => (a || b ? 1n : 0n) },
  { ops: ['&&'], apply: (a, b) => (a && b ? 1n : 0n) },
  { ops: ['|'], apply: (a, b) => a | b },
  { ops: ['^'], apply: (a, b) => a ^ b },
  { ops: ['&'], apply: (a, b) => a & b },
  { ops: ['==', '!='], apply: (a, b, op) => ((a === b) === (op === '==') ? 1n : 0n) },
  { ops: ['<', '>', '<=', '>='], apply: (a, b, op) => (compare(a, b, op) ? 1n : 0n) },
  { ops: ['<<', '>>'], apply: (a, b, op) => (b < 0n || b > 63n ? undefined : op === '<<' ? a << b : a >> b) },
  { ops: ['+', '-'], apply: (a, b, op) => (op === '+' ? a + b : a - b) },
  { ops: ['*', '/', '%'], apply: (a, b, op) => (op === '*' ? a * b : b === 0n ? undefined : op === '/' ? a / b : a % b) },
];

function compare(a: bigint, b: bigint, op: string): boolean {
  return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
}

const TYPE_WORDS = new Set(['int', 'long', 'short', 'char', 'unsigned', 'signed', 'bool', '_Bool', 'size_t', 'ssize_t', 'pid_t', 'uintptr_t', 'intptr_t']);

function integerLiteral(text: string): bigint | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)[uUlL]*$/.exec(text);
  if (!m) return undefined;
  const digits = m[1];
  if (/^0[0-7]+$/.test(digits)) return BigInt('0o' + digits.slice(1));
  return BigInt(digits);
}

function charLiteral(text: string): bigint | undefined {
  const m = /^'(?:([^\\'])|\\([nrt0\\'"abfv]))'$/.exec(text);
  if (!m) return undefined;
  if (m[1]) return BigInt(m[1].charCodeAt(0));
  const escapes: Record<string, number> = { n: 10, r: 13, t: 9, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  return BigInt(escapes[m[2]]);
}

/** A recursive-descent reader over tokens; any unknown token makes the whole value unknown. */
class Reader {
  private i = 0;
  private depth = 0;
  constructor(private readonly tokens: ReadonlyArray<Token<unknown>>) {}

  whole(): bigint | undefined {
    const v = this.conditional();
    return this.i === this.tokens.length ? v : undefined;
  }

  private peek(): string | undefined {
    return this.tokens[this.i]?.text;
  }

  private conditional(): bigint | undefined {
    if (++this.depth > 200) return undefined;
    const c = this.binary(0);
    let v = c;
    if (this.peek() === '?') {
      this.i++;
      const a = this.conditional();
      if (this.peek() !== ':') return undefined;
      this.i++;
      const b = this.conditional();
      v = c === undefined ? undefined : c ? a : b;
    }
    this.depth--;
    return v;
  }

  private binary(level: number): bigint | undefined {
    if (level >= BINARY.length) return this.unary();
    let left = this.binary(level + 1);
    let known = left !== undefined;
    for (;;) {
      const op = this.peek();
      if (!op || !BINARY[level].ops.includes(op)) return known ? left : undefined;
      this.i++;
      const right = this.binary(level + 1);
      // `0 && x`, `x && 0`, `1 || x` and `x || 1` are known whatever x is.
      const zero = (v: bigint | undefined) => v === 0n;
      const nonzero = (v: bigint | undefined) => v !== undefined && v !== 0n;
      if (op === '&&' && ((known && zero(left)) || zero(right))) {
        left = 0n;
        known = true;
      } else if ((op === '&' || op === '*') && ((known && zero(left)) || zero(right))) {
        // `0 & FLAG` (a parameter bound to 0 tested against an enum's flag) is 0 whatever FLAG is.
        left = 0n;
        known = true;
      } else if (op === '||' && ((known && nonzero(left)) || nonzero(right))) {
        left = 1n;
        known = true;
      } else if (!known || right === undefined) {
        known = false;
      } else {
        left = BINARY[level].apply(left!, right, op);
        known = left !== undefined;
      }
    }
  }

  private unary(): bigint | undefined {
    const t = this.tokens[this.i];
    if (!t || this.depth > 200) return undefined;
    if (['!', '-', '+', '~'].includes(t.text)) {
      this.i++;
      this.depth++;
      const v = this.unary();
      this.depth--;
      if (v === undefined) return undefined;
      return t.text === '!' ? (v ? 0n : 1n) : t.text === '-' ? -v : t.text === '~' ? ~v : v;
    }
    if (t.text === '(') {
      // A cast to an integer type: `(int)0`, `(unsigned long)1`.
      let j = this.i + 1;
      while (this.tokens[j] && TYPE_WORDS.has(this.tokens[j].text)) j++;
      if (j > this.i + 1 && this.tokens[j]?.text === ')') {
        this.i = j + 1;
        return this.unary();
      }
      this.i++;
      const v = this.conditional();
      if (this.peek() !== ')') return undefined;
      this.i++;
      return v;
    }
    this.i++;
    if (t.kind === 'number') return integerLiteral(t.text);
    if (t.kind === 'char') return charLiteral(t.text);
    if (t.text === 'true') return 1n;
    if (t.text === 'false') return 0n;
    return undefined;
  }
}

/** The integer value of `text` as a constant expression, or undefined when it is not one. */
export function constantValue(text: string): bigint | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0 || tokens.length > 2000) return undefined;
  return new Reader(tokens).whole();
}
