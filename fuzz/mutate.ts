/**
 * Hostile inputs, as fast-check arbitraries over the fixture corpus: byte flips,
 * truncations at every kind of token, splices of fixtures into each other, deleted
 * braces, NUL bytes and invalid UTF-8 (decoded as the CLI decodes a file), CRLF / CR /
 * mixed line endings, 100,000-character lines, deep nesting, and combinations of these.
 * Every input is deterministic in its parameters, so a seed reproduces a run.
 */
import fc from 'fast-check';
import type { Language } from '../rules/index.js';
import { seeds, type Seed } from './corpus.js';

export interface FuzzCase {
  language: Language;
  /** What was done to which fixture, enough to see the input's shape in a report. */
  label: string;
  text: string;
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

/** Decode bytes the way the CLI and the server see a file: UTF-8 with U+FFFD for bad sequences. */
export function decode(bytes: Buffer): string {
  return bytes.toString('utf8');
}

// ----- the mutations (pure functions of their parameters) -------------------------

export function flipBytes(text: string, flips: Array<[number, number]>): string {
  const b = Buffer.from(text, 'utf8');
  if (!b.length) return text;
  for (const [pos, value] of flips) b[pos % b.length] = value & 0xff;
  return decode(b);
}

export type Cut = 'start' | 'middle' | 'end';

/** Cut the text off at a token of the given kind (start, middle or end of the token). */
export function truncateAtToken(seed: Seed, kindIndex: number, occurrence: number, cut: Cut): { text: string; kind: string } {
  const kind = pick(seed.kinds, kindIndex);
  const tokens = seed.tokens.filter((t) => t.type === kind);
  const t = pick(tokens, occurrence);
  const at = cut === 'start' ? t.start : cut === 'end' ? t.end : (t.start + t.end) >> 1;
  return { text: seed.text.slice(0, at), kind };
}

/** A token boundary (or, for n beyond the tokens, a plain character offset). */
function boundary(seed: Seed, n: number): number {
  if (n % 4 === 3 || !seed.tokens.length) return n % (seed.text.length + 1);
  const t = pick(seed.tokens, n >> 2);
  return n & 1 ? t.end : t.start;
}

export type SpliceMode = 'join' | 'insert' | 'replace';

export function splice(a: Seed, b: Seed, n1: number, n2: number, n3: number, mode: SpliceMode): string {
  const at = boundary(a, n1);
  const from = boundary(b, n2);
  const to = Math.max(from, boundary(b, n3));
  if (mode === 'join') return a.text.slice(0, at) + b.text.slice(from);
  if (mode === 'insert') return a.text.slice(0, at) + b.text.slice(from, to) + a.text.slice(at);
  const end = Math.min(a.text.length, at + (to - from));
  return a.text.slice(0, at) + b.text.slice(from, to) + a.text.slice(end);
}

const BRACKETS = new Set(['{', '}', '(', ')', '[', ']']);

export function deleteBraces(text: string, picks: number[], onlyCurly: boolean): string {
  const where: number[] = [];
  for (let i = 0; i < text.length; i++) if (onlyCurly ? text[i] === '{' || text[i] === '}' : BRACKETS.has(text[i])) where.push(i);
  if (!where.length) return text;
  const drop = new Set(picks.map((p) => pick(where, p)));
  let out = '';
  for (let i = 0; i < text.length; i++) if (!drop.has(i)) out += text[i];
  return out;
}

/** Byte sequences that trip decoders and scanners. */
export const HOSTILE_BYTES: readonly number[][] = [
  [0x00], // NUL
  [0xff], // never valid in UTF-8
  [0xc3], // a lead byte with no continuation
  [0x80], // a lone continuation byte
  [0xed, 0xa0, 0x80], // an encoded surrogate (invalid)
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xc0, 0xaf], // overlong '/'
  [0xf0, 0x9f, 0x98, 0x80], // a valid astral character (two UTF-16 units)
  [0xe2, 0x80, 0xa8], // U+2028 LINE SEPARATOR
  [0xef, 0xbb, 0xbf], // a BOM in the middle
  [0x0d], // a lone CR
  [0x0c], // form feed
  [0x0b], // vertical tab
  [0x5c, 0x0a], // backslash-newline (C line splice)
  [0x1a], // ^Z
];

export function insertBytes(text: string, inserts: Array<[number, number]>): string {
  const b = Buffer.from(text, 'utf8');
  const at = inserts.map(([pos, which]) => [b.length ? pos % (b.length + 1) : 0, which] as const).sort((x, y) => y[0] - x[0]);
  let out = b;
  for (const [pos, which] of at) out = Buffer.concat([out.subarray(0, pos), Buffer.from(pick(HOSTILE_BYTES, which)), out.subarray(pos)]);
  return decode(out);
}

export type Eol = 'crlf' | 'cr' | 'mixed';

export function lineEndings(text: string, mode: Eol, picks: number[]): string {
  if (mode === 'crlf') return text.replace(/\n/g, '\r\n');
  if (mode === 'cr') return text.replace(/\n/g, '\r');
  let i = 0;
  return text.replace(/\n/g, () => pick(['\r\n', '\n', '\r', '\n\r', '\r\r\n'], picks.length ? picks[i++ % picks.length] : i++));
}

export type LongKind = 'identifier' | 'comment' | 'string' | 'spaces' | 'statements' | 'joined' | 'number' | 'operators';

/** Put a line of `length` characters into the text at a token boundary. */
export function longLine(seed: Seed, language: Language, n: number, kind: LongKind, length = 100_000): string {
  const at = boundary(seed, n);
  const fill = (unit: string) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  let insert: string;
  switch (kind) {
    case 'identifier': insert = ` ${fill('abcXYZ_09')} `; break;
    case 'comment': insert = `/* ${fill('comment vfork() ')} */`; break;
    case 'string': insert = ` "${fill('str\\" vfork ')}" `; break;
    case 'spaces': insert = fill(' \t'); break;
    case 'statements': insert = fill(language === 'c' ? 'g++; ' : 'g++; '); break;
    case 'number': insert = ` ${fill('1234567890')} `; break;
    case 'operators': insert = fill('+-*/&|^!~<>=?:,;.'); break;
    case 'joined': return seed.text.replace(/\/\/[^\n]*/g, '').replace(/\n/g, ' ').padEnd(length, ' ');
  }
  return seed.text.slice(0, at) + insert + seed.text.slice(at);
}

export type NestShape = 'blocks' | 'ifs' | 'else-if' | 'parens' | 'loops' | 'switch' | 'binary' | 'calls' | 'unclosed';
export type NestPlace = 'child' | 'parent' | 'before-fork' | 'after-test';

/** A function holding a fork site with `depth`-deep nesting at `place`. */
export function deepNesting(language: Language, shape: NestShape, depth: number, place: NestPlace): string {
  const c = language === 'c';
  let open: string, inner: string, close: string;
  switch (shape) {
    case 'blocks': open = '{'.repeat(depth); inner = 'g++;'; close = '}'.repeat(depth); break;
    case 'ifs': open = (c ? 'if (x) {' : 'if x {').repeat(depth); inner = 'g++;'; close = '}'.repeat(depth); break;
    case 'else-if': open = (c ? 'if (x) g++; else ' : 'if x { g++ } else ').repeat(depth); inner = c ? 'g++;' : '{ g++ }'; close = ''; break;
    case 'parens': open = `g = ${'('.repeat(depth)}`; inner = '1'; close = `${')'.repeat(depth)};`; break;
    case 'loops': open = (c ? 'while (x) {' : 'for x {').repeat(depth); inner = 'g++;'; close = '}'.repeat(depth); break;
    case 'switch': open = (c ? 'switch (x) { case 1: ' : 'switch x { case 1: ').repeat(depth); inner = 'g++;'; close = '}'.repeat(depth); break;
    case 'binary': open = 'g = '; inner = `${'x + '.repeat(depth)}1`; close = ';'; break;
    case 'calls': open = `g = ${'h('.repeat(depth)}`; inner = '1'; close = `${')'.repeat(depth)};`; break;
    case 'unclosed': open = '{'.repeat(depth); inner = 'g++;'; close = ''; break;
  }
  const nest = `${open}${inner}${close}`;
  if (c) {
    const body = (where: NestPlace) => (place === where ? nest : '');
    return [
      '#include <unistd.h>',
      'int g;',
      'int h(int v);',
      'int f(int x)',
      '{',
      '\tpid_t pid;',
      `\t${body('before-fork')}`,
      '\tpid = vfork();',
      `\t${body('after-test')}`,
      '\tif (pid == 0) {',
      `\t\t${body('child')}`,
      '\t\t_exit(127);',
      '\t}',
      `\t${body('parent')}`,
      '\treturn pid;',
      '}',
      '',
    ].join('\n');
  }
  const body = (where: NestPlace) => (place === where ? nest.replace(/;/g, '\n') : '');
  return [
    'package p',
    '',
    'var g int',
    '',
    'func h(v int) int { return v }',
    '',
    '//go:norace',
    'func f(x bool) (pid int) {',
    `\t${body('before-fork')}`,
    '\tr1, _, err1 := RawSyscall(SYS_CLONE, CLONE_VM|CLONE_VFORK, 0, 0)',
    `\t${body('after-test')}`,
    '\tif err1 != 0 || r1 != 0 {',
    `\t\t${body('parent')}`,
    '\t\treturn int(r1)',
    '\t}',
    `\t${body('child')}`,
    '\tfor {',
    '\t}',
    '}',
    '',
  ].join('\n');
}

/** A file of about `size` characters: harmless filler functions around one fixture. */
export function hugeFile(seed: Seed, language: Language, size: number, place: 'start' | 'middle' | 'end'): string {
  const parts: string[] = [];
  let n = 0;
  let length = 0;
  const target = Math.max(0, size - seed.text.length);
  while (length < target) {
    const f = language === 'c' ? `static int filler_${n}(int a) { int b = a * ${n}; if (b > 7) { b -= 3; } return b + 1; }\n` : `func filler_${n}(a int) int { b := a * ${n}; if b > 7 { b -= 3 }; return b + 1 }\n`;
    parts.push(f);
    length += f.length;
    n++;
  }
  const filler = parts.join('');
  if (language === 'go') {
    // Keep one package clause at the top.
    const body = seed.text.replace(/^package \w+\n/m, '');
    const head = 'package p\n';
    if (place === 'start') return head + body + filler;
    if (place === 'end') return head + filler + body;
    const mid = filler.lastIndexOf('\nfunc ', filler.length >> 1) + 1;
    return head + filler.slice(0, mid) + body + filler.slice(mid);
  }
  if (place === 'start') return seed.text + filler;
  if (place === 'end') return filler + seed.text;
  const mid = filler.lastIndexOf('\nstatic ', filler.length >> 1) + 1;
  return filler.slice(0, mid) + seed.text + filler.slice(mid);
}

// ----- fast-check arbitraries ------------------------------------------------------

const nat = fc.nat({ max: 1 << 30 });
const seedOf = (language: Language) => nat.map((n) => pick(seeds(language), n));

type Mutation = (text: string, seed: Seed) => { text: string; label: string };

/** A mutation that can be applied on top of another one (they take the current text). */
function textMutation(language: Language): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.array(fc.tuple(nat, fc.nat({ max: 255 })), { minLength: 1, maxLength: 12 }).map((flips): Mutation => (t) => ({ text: flipBytes(t, flips), label: `flip${flips.length}` })),
    fc.tuple(fc.array(nat, { minLength: 1, maxLength: 6 }), fc.boolean()).map(([picks, curly]): Mutation => (t) => ({ text: deleteBraces(t, picks, curly), label: `del-${curly ? 'braces' : 'brackets'}${picks.length}` })),
    fc.array(fc.tuple(nat, nat), { minLength: 1, maxLength: 8 }).map((ins): Mutation => (t) => ({ text: insertBytes(t, ins), label: `bytes${ins.length}` })),
    fc.tuple(fc.constantFrom<Eol>('crlf', 'cr', 'mixed'), fc.array(nat, { maxLength: 16 })).map(([mode, picks]): Mutation => (t) => ({ text: lineEndings(t, mode, picks), label: `eol-${mode}` })),
    fc.tuple(nat, nat).map(([a, b]): Mutation => (t) => {
      // Delete or duplicate a random slice of the current text.
      const x = a % (t.length + 1);
      const y = Math.min(t.length, x + (b % 200));
      return b & 1 ? { text: t.slice(0, x) + t.slice(y), label: 'cut' } : { text: t.slice(0, y) + t.slice(x, y) + t.slice(y), label: 'dup' };
    }),
  );
  void language;
}

/** A first step that builds a text from the corpus. */
function baseInput(language: Language, allowLong: boolean): fc.Arbitrary<{ text: string; label: string; seed: Seed }> {
  const arbs: Array<fc.Arbitrary<{ text: string; label: string; seed: Seed }>> = [
    seedOf(language).map((s) => ({ text: s.text, label: s.name, seed: s })),
    fc.tuple(seedOf(language), nat, nat, fc.constantFrom<Cut>('start', 'middle', 'end')).map(([s, k, o, cut]) => {
      const r = truncateAtToken(s, k, o, cut);
      return { text: r.text, label: `${s.name} truncated at ${cut} of ${JSON.stringify(r.kind)}`, seed: s };
    }),
    fc.tuple(seedOf(language), seedOf(language), nat, nat, nat, fc.constantFrom<SpliceMode>('join', 'insert', 'replace')).map(([a, b, n1, n2, n3, mode]) => ({
      text: splice(a, b, n1, n2, n3, mode),
      label: `${a.name} ${mode}-spliced with ${b.name}`,
      seed: a,
    })),
    // The other language's fixtures, fed as this language: hostile to every assumption.
    fc.tuple(seedOf(language === 'c' ? 'go' : 'c'), seedOf(language)).map(([other, s]) => ({ text: other.text, label: `${other.name} analysed as ${language}`, seed: s })),
    fc.tuple(fc.constantFrom<NestShape>('blocks', 'ifs', 'else-if', 'parens', 'loops', 'switch', 'binary', 'calls', 'unclosed'), fc.nat({ max: 600 }), fc.constantFrom<NestPlace>('child', 'parent', 'before-fork', 'after-test'), seedOf(language)).map(([shape, depth, place, s]) => ({
      text: deepNesting(language, shape, depth, place),
      label: `${shape} nested ${depth} deep (${place})`,
      seed: s,
    })),
  ];
  if (allowLong) {
    arbs.push(
      fc.tuple(seedOf(language), nat, fc.constantFrom<LongKind>('identifier', 'comment', 'string', 'spaces', 'statements', 'joined', 'number', 'operators')).map(([s, n, kind]) => ({
        text: longLine(s, language, n, kind),
        label: `${s.name} with a 100,000-character ${kind} line`,
        seed: s,
      })),
    );
  }
  return fc.oneof(...arbs);
}

/** A hostile input for `language`: a corpus-built text with up to three mutations on top. */
export function fuzzCase(language: Language, options: { allowLong?: boolean } = {}): fc.Arbitrary<FuzzCase> {
  return fc.tuple(baseInput(language, options.allowLong ?? true), fc.array(textMutation(language), { maxLength: 3 })).map(([base, muts]) => {
    let text = base.text;
    const labels = [base.label];
    for (const m of muts) {
      const r = m(text, base.seed);
      text = r.text;
      labels.push(r.label);
    }
    return { language, label: labels.join(' + '), text };
  });
}
