/**
 * Per-file cost on the files that hold fork sites: tree-sitter's parse of the file against
 * vforklint's analysis of it (given the tree, and end to end including its own parse).
 * Usage: node fork-files.js <manifest.json>; prints JSON with per-file medians in ms.
 */
import { readFileSync } from 'node:fs';
import { analyze, initParsers, languageForPath, parseSource, releaseTree } from '../rules/index.js';
import type { TreeManifest } from './generate.js';

const manifest = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as TreeManifest;
const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

await initParsers();
const texts = manifest.forkFiles.map((p) => ({ text: readFileSync(p, 'utf8'), lang: languageForPath(p)! }));
// Warm up both paths (JIT, parser creation).
for (const { text, lang } of texts.slice(0, 5)) analyze(text, lang);

const parse: number[] = [];
const analysis: number[] = [];
const endToEnd: number[] = [];
let findings = 0;
for (const { text, lang } of texts) {
  const p: number[] = [];
  const a: number[] = [];
  const e: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    const tree = parseSource(text, lang);
    p.push(performance.now() - t);
    t = performance.now();
    const res = analyze(text, lang, {}, { tree });
    a.push(performance.now() - t);
    releaseTree(tree);
    if (r === 0) findings += res.findings.length;
    t = performance.now();
    analyze(text, lang);
    e.push(performance.now() - t);
  }
  parse.push(median(p));
  analysis.push(median(a));
  endToEnd.push(median(e));
}
const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
process.stdout.write(
  JSON.stringify({ files: texts.length, findings, parseMedianMs: median(parse), analysisMedianMs: median(analysis), endToEndMedianMs: median(endToEnd), parseTotalMs: sum(parse), analysisTotalMs: sum(analysis), endToEndTotalMs: sum(endToEnd) }) + '\n',
);
