/**
 * Row (f) of `npm run bench`: on a tree, how many files the pre-scan lets through to the
 * parser, and how many of those yield no finding (or hold no fork site), beside what a
 * pre-scan on the spelling words alone (any whole-word match, the pre-scan before
 * rules/prescan.ts) would parse. Usage: node prescan-count.js <dir>; prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, initParsers, languageForPath, mayContainForkSite } from '../rules/index.js';
import { spellingPattern } from '../rules/fork-spellings.js';
import { listProjectFiles } from '../cli/project-files.js';

export interface PrescanFigures {
  files: number;
  /** Files a whole-word match of any spelling would send to the parser. */
  wordOnly: number;
  /** Files the pre-scan sends to the parser. */
  parsed: number;
  parsedWithoutFinding: number;
  parsedWithoutSite: number;
  /** Milliseconds spent in the pre-scan over all files (reading excluded). */
  prescanMs: number;
}

await initParsers();
const figures: PrescanFigures = { files: 0, wordOnly: 0, parsed: 0, parsedWithoutFinding: 0, parsedWithoutSite: 0, prescanMs: 0 };
for (const path of listProjectFiles(process.argv[2]!).map((p) => join(process.argv[2]!, p))) {
  const language = languageForPath(path);
  if (!language) continue;
  const text = readFileSync(path, 'utf8');
  figures.files++;
  if (spellingPattern().test(text)) figures.wordOnly++;
  const t = performance.now();
  const passes = mayContainForkSite(text, language);
  figures.prescanMs += performance.now() - t;
  if (!passes) continue;
  figures.parsed++;
  const r = analyze(text, language);
  if (r.findings.length === 0) figures.parsedWithoutFinding++;
  if (r.forkSites.length === 0) figures.parsedWithoutSite++;
}
process.stdout.write(`${JSON.stringify(figures)}\n`);
