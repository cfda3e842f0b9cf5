/**
 * The parser backend, measured: the product's WebAssembly parser (web-tree-sitter with
 * the grammars' `.wasm`) against tree-sitter's native Node binding (a devDependency, kept
 * only for this comparison). Run once per backend, each in its own process, so that load
 * time, the first parse (WebAssembly compiles while it runs) and peak RSS are the
 * backend's own. Both parse under the same work budget (progress callbacks).
 *
 * Usage: node backends.js <manifest.json> wasm|native; prints one JSON line (`BackendFigures`),
 * or `{ "backend": "native", "unavailable": "<why>" }` when the native binding does not load.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { initParsers, languageForPath, parseSource, releaseTree, type Language } from '../rules/index.js';
import { parseBudget } from '../rules/parser.js';
import type { TreeManifest } from './generate.js';

export interface BackendFigures {
  backend: 'wasm' | 'native';
  /** Loading the runtime and both grammars. */
  loadMs: number;
  /** The big text's first parse in the process. */
  firstParseMs: number;
  /** The big text's parse once warm (median of 5). */
  warmParseMs: number;
  bigChars: number;
  /** The sample of the tree's files parsed once each (after the big text's parses). */
  allFilesMs: number;
  files: number;
  /** Peak RSS of the process. */
  rssBytes: number;
  /** Nodes in the big text's tree: the same on both backends. */
  bigNodes: number;
}

type Parse = (text: string, language: Language) => { nodes: () => number; free: () => void };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function loadWasm(): Promise<Parse> {
  await initParsers();
  return (text, language) => {
    const tree = parseSource(text, language);
    return { nodes: () => tree.rootNode.descendantCount, free: () => releaseTree(tree) };
  };
}

interface NativeTree {
  rootNode: { descendantCount: number };
}
interface NativeParser {
  setLanguage(l: unknown): void;
  parse(input: (index: number) => string, old: undefined, options: { bufferSize: number; progressCallback: (index: number) => boolean }): NativeTree | null;
}

function loadNative(): Parse {
  const require = createRequire(import.meta.url);
  const Parser = require('tree-sitter') as new () => NativeParser;
  const grammars = { c: require('tree-sitter-c') as unknown, go: require('tree-sitter-go') as unknown };
  const parsers = new Map<Language, NativeParser>();
  return (text, language) => {
    let parser = parsers.get(language);
    if (!parser) {
      parser = new Parser();
      parser.setLanguage(grammars[language]);
      parsers.set(language, parser);
    }
    // As the product parses: the same work budget, counted in progress callbacks.
    const budget = parseBudget(text.length);
    let calls = 0;
    const tree = parser.parse((i) => (i < text.length ? text.slice(i, i + 64 * 1024) : ''), undefined, { bufferSize: 1024 * 1024, progressCallback: () => ++calls > budget });
    if (!tree) throw new Error('native parse ran out of budget');
    return { nodes: () => tree.rootNode.descendantCount, free: () => undefined };
  };
}

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

/** Files of the generated tree parsed one by one (the first of them in name order). */
const SAMPLE_FILES = 2000;
/** The big text: generated C files joined until it is this long (a large real file is 0.3-1 MB). */
const BIG_CHARS = 1_000_000;

const manifest = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as TreeManifest;
const backend = process.argv[3] === 'native' ? 'native' : 'wasm';

const files: Array<{ text: string; language: Language }> = [];
for (const path of walk(join(manifest.spec.root, 'tree'))) {
  const language = languageForPath(path);
  if (language) files.push({ text: readFileSync(path, 'utf8'), language });
  if (files.length === SAMPLE_FILES) break;
}
let big = '';
for (const f of files) {
  if (big.length >= BIG_CHARS) break;
  if (f.language === 'c') big += `${f.text}\n`;
}

let parse: Parse;
const t0 = performance.now();
try {
  parse = backend === 'wasm' ? await loadWasm() : loadNative();
} catch (e) {
  process.stdout.write(`${JSON.stringify({ backend, unavailable: e instanceof Error ? e.message.split('\n')[0] : String(e) })}\n`);
  process.exit(0);
}
const loadMs = performance.now() - t0;

const timed = (text: string, language: Language): { ms: number; nodes: number } => {
  const t = performance.now();
  const r = parse(text, language);
  const ms = performance.now() - t;
  const nodes = r.nodes();
  r.free();
  return { ms, nodes };
};
const first = timed(big, 'c');
const warm = Array.from({ length: 5 }, () => timed(big, 'c').ms);
const t1 = performance.now();
for (const f of files) timed(f.text, f.language);
const allFilesMs = performance.now() - t1;

const figures: BackendFigures = {
  backend,
  loadMs,
  firstParseMs: first.ms,
  warmParseMs: median(warm),
  bigChars: big.length,
  allFilesMs,
  files: files.length,
  rssBytes: process.resourceUsage().maxRSS * 1024,
  bigNodes: first.nodes,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
