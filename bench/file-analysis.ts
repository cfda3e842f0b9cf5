/**
 * One large file, in process: tree-sitter's parse of it against vforklint's analysis of the
 * parsed tree (row (a) of `npm run bench`). Usage: node file-analysis.js <file> [rounds];
 * prints one JSON line (`FileAnalysisFigures`). Run it under `node --cpu-prof` for a profile.
 */
import { readFileSync } from 'node:fs';
import { analyze, initParsers, languageForPath, parseSource, releaseTree } from '../rules/index.js';

export interface FileAnalysisFigures {
  path: string;
  lines: number;
  chars: number;
  /** Loading the WebAssembly runtime and both grammars. */
  loadMs: number;
  /** The first parse in the process (WebAssembly compiles while it runs). */
  firstParseMs: number;
  /** Warm parse, median. */
  parseMs: number;
  /** Analysis given the parsed tree, median (the first, cold, run excluded). */
  analysisMs: number;
  /** The first analysis in the process. */
  firstAnalysisMs: number;
  findings: number;
  sites: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const path = process.argv[2]!;
const rounds = Math.max(1, Number(process.argv[3] ?? 3));
const language = languageForPath(path) ?? 'c';
const text = readFileSync(path, 'utf8');
let t = performance.now();
await initParsers();
const loadMs = performance.now() - t;
t = performance.now();
releaseTree(parseSource(text, language));
const firstParseMs = performance.now() - t;
const parses: number[] = [];
const analyses: number[] = [];
let firstAnalysisMs = 0;
let findings = 0;
let sites = 0;
for (let r = 0; r <= rounds; r++) {
  t = performance.now();
  const tree = parseSource(text, language);
  parses.push(performance.now() - t);
  t = performance.now();
  const result = analyze(text, language, {}, { tree });
  const ms = performance.now() - t;
  releaseTree(tree);
  if (r === 0) {
    firstAnalysisMs = ms;
    findings = result.findings.length;
    sites = result.forkSites.length;
  } else analyses.push(ms);
}
const figures: FileAnalysisFigures = { path, lines: text.split('\n').length, chars: text.length, loadMs, firstParseMs, parseMs: median(parses), analysisMs: median(analyses), firstAnalysisMs, findings, sites };
process.stdout.write(`${JSON.stringify(figures)}\n`);
