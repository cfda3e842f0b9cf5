/**
 * tree-sitter setup: one parser per language, created on first use, and a parse that
 * always finishes in time roughly linear in the text's size.
 *
 * tree-sitter's error recovery is super-linear on some broken text (a 16,000-character
 * run of operators takes two minutes in C). Every parse therefore runs under a budget;
 * when it runs out, the line the parser was stuck in is blanked (spaces, newlines kept,
 * so every offset and position stays the same) and the text is parsed again, widening
 * the blanked window on each retry. The blanked ranges are remembered with the tree
 * (`unparsedRanges`) so that the analysis can say which lines it did not see.
 */
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Go from 'tree-sitter-go';
import type { Language } from './types.js';

export type Tree = Parser.Tree;
export type SyntaxNode = Parser.SyntaxNode;
export type Edit = Parser.Edit;

/** A half-open range of UTF-16 offsets that was blanked before parsing. */
export interface UnparsedRange {
  start: number;
  end: number;
}

const parsers = new Map<Language, Parser>();

function parserFor(language: Language): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage((language === 'c' ? C : Go) as Parser.Language);
    parsers.set(language, parser);
  }
  return parser;
}

/** tree-sitter's default input chunking rejects very long strings; feed it in slices. */
function textInput(text: string): Parser.Input {
  return (index: number) => (index < text.length ? text.slice(index, index + 64 * 1024) : '');
}

/**
 * The work one parse attempt of `size` characters may do, in tree-sitter progress
 * callbacks (one per 100 parser operations). Counting work rather than time keeps the
 * result the same on every machine, however loaded. Real code needs about 1.3 callbacks
 * per 100 characters, the deepest nesting the fuzzer builds 6; the super-linear error
 * recovery on a run of operators needs 130-260 and far more as the run grows.
 */
export function parseBudget(size: number): number {
  return 1000 + Math.ceil(size / 10);
}

/**
 * The time one attempt may take, as a safety net: in some error recoveries a single
 * operation is slow (many stack versions), so the work count alone does not bound time.
 * Real code parses at about 1 microsecond per character; this allows ten times that.
 */
export function parseTimeBudgetMs(size: number): number {
  return 500 + size * 0.01;
}

/** Lines blanked around the stuck point on each retry (the last attempt blanks everything). */
const WINDOWS = [0, 16, 512];

const unparsed = new WeakMap<Tree, UnparsedRange[]>();

/** The ranges blanked before `tree` was parsed (empty for a normal parse). */
export function unparsedRanges(tree: Tree): UnparsedRange[] {
  return unparsed.get(tree) ?? [];
}

/** One attempt under a budget: the tree, or the UTF-16 offset the parser was at when the budget ran out. */
function attempt(parser: Parser, text: string, oldTree: Tree | undefined, budget: number, timeBudgetMs: number): Tree | number {
  let at = 0;
  let calls = 0;
  const began = performance.now();
  const tree = parser.parse(textInput(text), oldTree, {
    bufferSize: 1024 * 1024,
    progressCallback: (index: number) => {
      at = index;
      // The clock is read every 16th call: the callback runs very often on real code.
      return ++calls > budget || ((calls & 15) === 0 && performance.now() - began > timeBudgetMs);
    },
  }) as Tree | null;
  if (tree) return tree;
  parser.reset();
  // The Node binding feeds tree-sitter UTF-16: the index is in bytes.
  return Math.min(text.length, Math.max(0, at >> 1));
}

/** The start of the line holding `offset`, `n` lines further back. */
function lineStartBefore(text: string, offset: number, n: number): number {
  let i = offset;
  for (let k = 0; k <= n; k++) {
    const nl = text.lastIndexOf('\n', i - 1);
    if (nl < 0) return 0;
    i = nl;
  }
  return i + 1;
}

/** The end (the newline) of the line holding `offset`, `n` lines further on. */
function lineEndAfter(text: string, offset: number, n: number): number {
  let i = offset;
  for (let k = 0; k <= n; k++) {
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
  }
  return i - 1;
}

/** `text` with the characters of `ranges` replaced by spaces (line breaks kept). */
export function blankRanges(text: string, ranges: UnparsedRange[]): string {
  let out = '';
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start < at) continue;
    out += text.slice(at, r.start) + text.slice(r.start, r.end).replace(/[^\n\r]/g, ' ');
    at = r.end;
  }
  return out + text.slice(at);
}

function merge(ranges: UnparsedRange[]): UnparsedRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: UnparsedRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * Parse `text`. Pass `oldTree` (already `edit()`ed to match `text`) to reparse incrementally.
 * Never throws on odd text: tree-sitter recovers with ERROR nodes, and text it cannot get
 * through in time is blanked (see the module comment and `unparsedRanges`).
 */
export function parseSource(text: string, language: Language, oldTree?: Tree): Tree {
  const parser = parserFor(language);
  const budget = parseBudget(text.length);
  const timeBudget = parseTimeBudgetMs(text.length);
  // A tree parsed from blanked text does not describe the old text: start afresh.
  let reuse = oldTree && !unparsed.has(oldTree) ? oldTree : undefined;
  let ranges: UnparsedRange[] = [];
  let current = text;
  for (const window of WINDOWS) {
    const r = attempt(parser, current, reuse, budget, timeBudget);
    if (typeof r !== 'number') {
      if (ranges.length) unparsed.set(r, ranges);
      return r;
    }
    reuse = undefined;
    ranges = merge([...ranges, { start: lineStartBefore(text, r, window), end: lineEndAfter(text, r, window) }]);
    current = blankRanges(text, ranges);
  }
  // Nothing parsed in time: the whole text is blanked, which always parses at once.
  const all = [{ start: 0, end: text.length }];
  const tree = parser.parse(textInput(blankRanges(text, all)), undefined, { bufferSize: 1024 * 1024 });
  unparsed.set(tree, all);
  return tree;
}

const shared = new Map<Language, { text: string; tree: Tree }>();

/**
 * `parseSource` without an old tree, remembering the last tree per language: analysing a
 * text and counting its parse errors (fixSource does both for every pass) parse it once.
 * The tree is shared: callers must not `edit()` it (the language server parses its own).
 */
export function parseShared(text: string, language: Language): Tree {
  const last = shared.get(language);
  if (last && last.text === text) return last.tree;
  const tree = parseSource(text, language);
  shared.set(language, { text, tree });
  return tree;
}

/** Drop the trees `parseShared` remembers (a long-lived process that is done with a file). */
export function forgetSharedParses(): void {
  shared.clear();
}
