/**
 * tree-sitter setup (WebAssembly: web-tree-sitter with the grammars' own `.wasm` builds),
 * one parser per language, and a parse that always finishes in time roughly linear in the
 * text's size.
 *
 * Loading is asynchronous and happens once per process or worker thread: every front end
 * awaits `initParsers()` before analysing. Parsing is synchronous afterwards.
 *
 * tree-sitter's error recovery is super-linear on some broken text (a 16,000-character
 * run of operators takes two minutes in C). Every parse therefore runs under a budget;
 * when it runs out, the line the parser was stuck in is blanked (spaces, newlines kept,
 * so every offset and position stays the same) and the text is parsed again, widening
 * the blanked window on each retry. The blanked ranges are remembered with the tree
 * (`unparsedRanges`) so that the analysis can say which lines it did not see.
 *
 * Memory: a tree lives in the WebAssembly heap, which the garbage collector neither sees
 * nor frees, and which never shrinks. So trees are released explicitly (`releaseTree`,
 * counted: `retainTree` keeps one alive for another holder). `parseSource` hands its
 * caller one hold; `parseShared` keeps its own and lets go when the next text replaces it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Parser, Language as Grammar, type Tree as WasmTree, type Node, type Edit as WasmEdit, type TreeCursor as WasmTreeCursor } from 'web-tree-sitter';
import { withoutDeclaratorMacros } from './declarator-macros.js';
import type { Language } from './types.js';

export type Tree = WasmTree;
export type SyntaxNode = Node;
export type Edit = WasmEdit;
/** A cursor holds WebAssembly memory: `delete()` it when done. */
export type TreeCursor = WasmTreeCursor;

/** Where the WebAssembly files are: the runtime (web-tree-sitter) and one grammar per language. */
export interface ParserFiles {
  runtime: string;
  c: string;
  go: string;
}

/** The `.wasm` files of the installed packages (`web-tree-sitter`, `tree-sitter-c`, `tree-sitter-go`). */
export function installedParserFiles(): ParserFiles {
  const require = createRequire(import.meta.url);
  const grammar = (pkg: string) => join(dirname(require.resolve(`${pkg}/package.json`)), `${pkg}.wasm`);
  return { runtime: require.resolve('web-tree-sitter/tree-sitter.wasm'), c: grammar('tree-sitter-c'), go: grammar('tree-sitter-go') };
}

/** Thrown by a parse before `initParsers()` finished: a front end forgot to await it. */
export class ParsersNotLoadedError extends Error {
  constructor() {
    super('vforklint: the tree-sitter parsers are not loaded yet: await initParsers() once before analysing');
    this.name = 'ParsersNotLoadedError';
  }
}

let loading: Promise<void> | undefined;
const grammars = new Map<Language, Grammar>();

/**
 * Load the WebAssembly runtime and both grammars (once: later calls return the same
 * promise). `files` overrides where they are found (a bundle that carries them itself).
 */
export function initParsers(files?: ParserFiles): Promise<void> {
  loading ??= (async () => {
    const where = files ?? installedParserFiles();
    await Parser.init({ locateFile: () => where.runtime });
    const [c, go] = await Promise.all([Grammar.load(where.c), Grammar.load(where.go)]);
    grammars.set('c', c);
    grammars.set('go', go);
  })().catch((e: unknown) => {
    loading = undefined; // a later call may try again
    throw e;
  });
  return loading;
}

/** True once `initParsers()` has finished. */
export function parsersLoaded(): boolean {
  return grammars.size === 2;
}

/** A half-open range of UTF-16 offsets that was blanked before parsing. */
export interface UnparsedRange {
  start: number;
  end: number;
}

const parsers = new Map<Language, Parser>();

function parserFor(language: Language): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    const grammar = grammars.get(language);
    if (!grammar) throw new ParsersNotLoadedError();
    parser = new Parser();
    parser.setLanguage(grammar);
    parsers.set(language, parser);
  }
  return parser;
}

/** Holders per live tree this module parsed; a tree is deleted when its last holder lets go. */
const holders = new Map<Tree, number>();

function owned(tree: Tree): Tree {
  holders.set(tree, 1);
  return tree;
}

/** One more holder for `tree` (each calls `releaseTree` once when done). No effect on a tree already deleted. */
export function retainTree(tree: Tree): void {
  const n = holders.get(tree);
  if (n !== undefined) holders.set(tree, n + 1);
}

/** Let go of `tree`: the last holder's release frees its WebAssembly memory. Never use a released tree again. */
export function releaseTree(tree: Tree): void {
  const n = holders.get(tree);
  if (n === undefined) return;
  if (n > 1) {
    holders.set(tree, n - 1);
    return;
  }
  holders.delete(tree);
  unparsed.delete(tree);
  tree.delete();
}

/** Trees parsed and not yet released (a leak check for tests and the bench). */
export function liveTreeCount(): number {
  return holders.size;
}

const lazyHolds = new FinalizationRegistry<Tree>((tree) => releaseTree(tree));

/**
 * Keep `tree` alive as long as `holder` is reachable, or until `letGo(holder)`: for
 * values computed lazily from the tree (a finding's frame split) after the code that
 * parsed it has moved on.
 */
export function holdTreeFor(holder: object, tree: Tree): void {
  if (!holders.has(tree)) return;
  retainTree(tree);
  lazyHolds.register(holder, tree, holder);
}

/** End a `holdTreeFor(holder, tree)` early (the lazy value was computed). */
export function letGo(holder: object, tree: Tree): void {
  if (lazyHolds.unregister(holder)) releaseTree(tree);
}

/**
 * The work one parse attempt of `size` characters may do, in tree-sitter progress
 * callbacks (one per 100 parser operations). Counting work rather than time keeps the
 * result the same on every machine, however loaded (and on both builds of tree-sitter:
 * the WebAssembly and the native parser call back at the same points). Real code needs about 1.3 callbacks
 * per 100 characters, the deepest nesting the fuzzer builds 6; the super-linear error
 * recovery on a run of operators needs 130-260 and far more as the run grows.
 */
export function parseBudget(size: number): number {
  return 1000 + Math.ceil(size / 10);
}

/**
 * The time one attempt may take, as a safety net: in some error recoveries a single
 * operation is slow (many stack versions), so the work count alone does not bound time.
 * Real code parses at about 1 microsecond per character with the native parser and up to
 * twice that in WebAssembly; this allows ten times the WebAssembly figure. (Wall time: on
 * a heavily loaded machine a slow-but-finite parse may still hit it.)
 */
export function parseTimeBudgetMs(size: number): number {
  return 1000 + size * 0.02;
}

/**
 * The first parses of a language in a process run while V8 is still compiling its
 * grammar's WebAssembly to optimised code: a 350 KB C file's first parse takes 0.7 s more
 * than the next ones on an idle machine, 1.5-2 s on a busy one. Until a language has
 * parsed this much text, its time net is `WARM_UP_FACTOR` times wider, so that
 * compilation is never taken for a stuck parse. (The work budget does not change.)
 */
const WARM_UP_CHARS = 1_000_000;
const WARM_UP_FACTOR = 4;
const charsParsed = new Map<Language, number>();

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
  const tree = parser.parse(text, oldTree, {
    // Returning true cancels the parse (web-tree-sitter passes the C callback's result on).
    progressCallback: (state) => {
      at = state.currentOffset;
      // The clock is read every 16th call: the callback runs very often on real code.
      return ++calls > budget || ((calls & 15) === 0 && performance.now() - began > timeBudgetMs);
    },
  });
  if (tree) return tree;
  parser.reset();
  // tree-sitter reads the text as UTF-16: the offset is in bytes.
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
 * through in time is blanked (see the module comment and `unparsedRanges`). The caller
 * holds the new tree and calls `releaseTree` when done with it (`oldTree` stays its
 * holder's: the new tree does not need it).
 */
export function parseSource(text: string, language: Language, oldTree?: Tree): Tree {
  const parser = parserFor(language);
  const budget = parseBudget(text.length);
  const parsedBefore = charsParsed.get(language) ?? 0;
  const timeBudget = parseTimeBudgetMs(text.length) * (parsedBefore < WARM_UP_CHARS ? WARM_UP_FACTOR : 1);
  charsParsed.set(language, parsedBefore + text.length);
  // A tree parsed from blanked text does not describe the old text: start afresh.
  let reuse = oldTree && !unparsed.has(oldTree) ? oldTree : undefined;
  let ranges: UnparsedRange[] = [];
  // Macro words where a C declaration cannot hold them are blanked first (declarator-macros.ts).
  const base = language === 'c' ? withoutDeclaratorMacros(text) : text;
  let current = base;
  for (const window of WINDOWS) {
    const r = attempt(parser, current, reuse, budget, timeBudget);
    if (typeof r !== 'number') {
      if (ranges.length) unparsed.set(r, ranges);
      return owned(r);
    }
    reuse = undefined;
    ranges = merge([...ranges, { start: lineStartBefore(text, r, window), end: lineEndAfter(text, r, window) }]);
    current = blankRanges(base, ranges);
  }
  // Nothing parsed in time: the whole text is blanked, which always parses at once.
  const all = [{ start: 0, end: text.length }];
  const tree = parser.parse(blankRanges(base, all));
  if (!tree) throw new Error('tree-sitter returned no tree for blank text');
  unparsed.set(tree, all);
  return owned(tree);
}

const shared = new Map<Language, { text: string; tree: Tree }>();

/**
 * `parseSource` without an old tree, remembering the last tree per language: analysing a
 * text and counting its parse errors (fixSource does both for every pass) parse it once.
 * The tree is shared and stays alive only until the next `parseShared` of another text in
 * the same language (or `forgetSharedParses`): callers must not keep it beyond that
 * (`retainTree` it to), nor `edit()` or release it (the language server parses its own).
 */
export function parseShared(text: string, language: Language): Tree {
  const last = shared.get(language);
  if (last && last.text === text) return last.tree;
  const tree = parseSource(text, language);
  shared.set(language, { text, tree });
  if (last) releaseTree(last.tree);
  return tree;
}

/** Drop the trees `parseShared` remembers (a long-lived process that is done with a file). */
export function forgetSharedParses(): void {
  for (const { tree } of shared.values()) releaseTree(tree);
  shared.clear();
}

/**
 * Parse `variant`, a copy of `original`'s text with some lines blanked (same length, same
 * line breaks: a preprocessor mask), reusing `original`'s tree: each run of changed lines is
 * an edit of a copy of that tree, so only the regions around them are parsed again.
 * tree-sitter's incremental parse gives the tree a fresh parse gives. Falls back to a fresh
 * parse when the original tree was parsed from blanked text or the texts do not line up.
 */
export function parseLineVariant(original: Tree, originalText: string, variant: string, language: Language): Tree {
  if (unparsed.has(original) || originalText.length !== variant.length) return parseSource(variant, language);
  const copy = original.copy();
  try {
    // The current run of changed lines: where it starts, and where its last line ends.
    let run: { start: number; row: number; end: number; endRow: number; endColumn: number } | undefined;
    const edit = (r: NonNullable<typeof run>) => {
      // UTF-16 offsets in and out of web-tree-sitter; the edit keeps every extent.
      const endPosition = { row: r.endRow, column: r.endColumn };
      copy.edit({ startIndex: r.start, oldEndIndex: r.end, newEndIndex: r.end, startPosition: { row: r.row, column: 0 }, oldEndPosition: endPosition, newEndPosition: endPosition });
    };
    for (let start = 0, row = 0; start <= originalText.length; row++) {
      let end = originalText.indexOf('\n', start);
      if (end < 0) end = originalText.length;
      if (originalText.slice(start, end) !== variant.slice(start, end)) {
        if (run) [run.end, run.endRow, run.endColumn] = [end, row, end - start];
        else run = { start, row, end, endRow: row, endColumn: end - start };
      } else if (run) {
        edit(run);
        run = undefined;
      }
      start = end + 1;
    }
    if (run) edit(run);
    return parseSource(variant, language, copy);
  } finally {
    copy.delete();
  }
}
