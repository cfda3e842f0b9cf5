#!/usr/bin/env node
/**
 * The fuzz run: `npm run fuzz` (long: 10,000 inputs per language plus the fixed
 * extremes) or `node dist/fuzz/run.js [options]`. Reports inputs tried per language,
 * failures by property, and the slowest input; failing inputs (and a shrunk copy) are
 * written to fuzz/out/ for a regression fixture.
 *
 *   --long            10,000 random inputs per language, the extremes, the scaling check
 *   --count N         random inputs per language (default 500)
 *   --seed N          fast-check seed (default 20261127)
 *   --lang c|go       one language only (default: both, one worker process each)
 *   --no-extremes     skip 10,000-deep nesting and 10 MB files
 *   --out DIR         where failing inputs go (default fuzz/out)
 *   --watchdog S      seconds before an input of 100,000 characters counts as a hang (default 30;
 *                     scaled by size: half of it fixed, half per 100,000 characters). The
 *                     watchdog covers the checker's own parses too; the time properties
 *                     (linear-time) are the budgets in check.ts.
 *   --json            print the report as JSON (used between the processes)
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { analyze, initParsers, type Language } from '../rules/index.js';
import { checkInput, type Violation } from './check.js';
import { WatchedChecker } from './pool.js';
import { REPO, seeds } from './corpus.js';
import { deepNesting, fuzzCase, hugeFile, type FuzzCase, type NestPlace, type NestShape } from './mutate.js';
import { reduce } from './reduce.js';

interface Options {
  count: number;
  seed: number;
  langs: Language[];
  extremes: boolean;
  out: string;
  json: boolean;
  scaling: boolean;
  /** Seconds one input of 100,000 characters may take before it counts as a hang (scaled by size). */
  watchdog: number;
}

export interface LanguageReport {
  language: Language;
  seed: number;
  random: number;
  extremes: number;
  failures: Array<{ label: string; size: number; violations: Violation[]; file?: string; reduced?: string }>;
  slowest: { label: string; size: number; analyzeMs: number; fixMs: number };
  /** Largest analyze() time per character among inputs of 10,000+ characters. */
  worstMicrosPerChar: { label: string; size: number; micros: number };
  scaling?: Array<{ size: number; ms: number; microsPerChar: number }>;
  totalMs: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { count: 500, seed: 20261127, langs: ['c', 'go'], extremes: true, out: join(REPO, 'fuzz', 'out'), json: false, scaling: false, watchdog: 30 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    const int = (v: string) => {
      if (!/^\d+$/.test(v)) fail(`${a} needs a whole number, not "${v}"`);
      return Number(v);
    };
    if (a === '--long') {
      o.count = 10_000;
      o.scaling = true;
    } else if (a === '--count') o.count = int(value());
    else if (a === '--seed') o.seed = int(value());
    else if (a === '--lang') {
      const v = value();
      if (v !== 'c' && v !== 'go') fail(`--lang must be c or go, not "${v}"`);
      o.langs = [v];
    } else if (a === '--no-extremes') o.extremes = false;
    else if (a === '--scaling') o.scaling = true;
    else if (a === '--out') o.out = resolve(value());
    else if (a === '--json') o.json = true;
    else if (a === '--watchdog') o.watchdog = int(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`usage: node dist/fuzz/run.js [--long] [--count N] [--seed N] [--lang c|go] [--no-extremes] [--scaling] [--watchdog S] [--out DIR] [--json]\n`);
      process.exit(0);
    } else fail(`unknown option "${a}" (see --help)`);
  }
  return o;
}

function fail(message: string): never {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
}

/** The fixed extremes: 10,000-deep nesting of every shape at every place, 10 MB files, huge lines. */
export function extremeCases(language: Language): FuzzCase[] {
  const out: FuzzCase[] = [];
  const shapes: NestShape[] = ['blocks', 'ifs', 'else-if', 'parens', 'loops', 'switch', 'binary', 'calls', 'unclosed'];
  const places: NestPlace[] = ['child', 'parent', 'before-fork', 'after-test'];
  for (const shape of shapes) for (const place of places) out.push({ language, label: `${shape} nested 10000 deep (${place})`, text: deepNesting(language, shape, 10_000, place) });
  const seed = seeds(language).find((s) => s.name.startsWith(language === 'c' ? 'split-c-basic' : 'seed-before')) ?? seeds(language)[0];
  for (const place of ['start', 'middle', 'end'] as const) out.push({ language, label: `10 MB file, ${seed.name} at the ${place}`, text: hugeFile(seed, language, 10_000_000, place) });
  return out;
}

/** analyze() time per character on ever larger files dense with fork sites. */
function scaling(language: Language): Array<{ size: number; ms: number; microsPerChar: number }> {
  const seed = seeds(language).find((s) => s.name.startsWith(language === 'c' ? 'child-writes-shared-global' : 'seed-before')) ?? seeds(language)[0];
  const out: Array<{ size: number; ms: number; microsPerChar: number }> = [];
  for (const size of [125_000, 250_000, 500_000, 1_000_000, 2_000_000]) {
    let text = language === 'go' ? 'package p\n' : '';
    const unit = seed.text.replace(/^package \w+\n/m, '');
    for (let i = 0; text.length < size; i++) text += unit.replace(/\b(forkAndExecInChild\w*|f|main|child|run|spawn)\b/g, (m) => `${m}_${i}`);
    const start = performance.now();
    analyze(text, language);
    const ms = performance.now() - start;
    out.push({ size: text.length, ms: Math.round(ms), microsPerChar: Math.round((ms * 1000) / text.length * 10) / 10 });
  }
  return out;
}

async function runLanguage(language: Language, o: Options): Promise<LanguageReport> {
  // 100,000 characters get `watchdog` seconds; 10 MB get 100 times the per-character share.
  const checker = new WatchedChecker((size) => o.watchdog * 1000 * (0.5 + size / 200_000));
  const began = performance.now();
  const report: LanguageReport = {
    language,
    seed: o.seed,
    random: 0,
    extremes: 0,
    failures: [],
    slowest: { label: '', size: 0, analyzeMs: 0, fixMs: 0 },
    worstMicrosPerChar: { label: '', size: 0, micros: 0 },
    totalMs: 0,
  };
  mkdirSync(o.out, { recursive: true });
  const one = async (c: FuzzCase, idempotent: boolean) => {
    let r = await checker.check({ text: c.text, language, idempotent, fixParses: c.text.length < 200_000 });
    // A time-budget miss on a busy machine is retried once before it counts.
    if (r.violations.length && r.violations.every((v) => v.property === 'linear-time')) r = await checker.check({ text: c.text, language, idempotent, fixParses: false });
    const total = r.analyzeMs + r.fixMs;
    if (total > report.slowest.analyzeMs + report.slowest.fixMs) report.slowest = { label: c.label, size: c.text.length, analyzeMs: Math.round(r.analyzeMs), fixMs: Math.round(r.fixMs) };
    if (c.text.length >= 10_000) {
      const micros = (r.analyzeMs * 1000) / c.text.length;
      if (micros > report.worstMicrosPerChar.micros) report.worstMicrosPerChar = { label: c.label, size: c.text.length, micros: Math.round(micros * 10) / 10 };
    }
    if (r.violations.length) {
      const n = report.failures.length;
      const file = join(o.out, `${language}-failure-${n}.${language}`);
      writeFileSync(file, c.text);
      const props = new Set(r.violations.map((v) => v.property));
      let reduced: string | undefined;
      if (c.text.length < 50_000 && !props.has('linear-time') && !props.has('no-hang') && !props.has('no-crash')) {
        const small = reduce(c.text, (t) => checkInput(t, language, { idempotent, fixParses: true }).violations.some((v) => props.has(v.property)));
        reduced = join(o.out, `${language}-failure-${n}.reduced.${language}`);
        writeFileSync(reduced, small);
      }
      report.failures.push({ label: c.label, size: c.text.length, violations: r.violations, file, reduced });
      if (!o.json) process.stderr.write(`FAIL ${language} ${c.label}: ${r.violations.map((v) => `${v.property}: ${v.detail.split('\n')[0].slice(0, 300)}`).join('; ')}\n`);
    }
  };
  if (o.extremes) {
    for (const c of extremeCases(language)) {
      await one(c, false);
      report.extremes++;
    }
  }
  const arb = fuzzCase(language);
  const batch = 200;
  for (let done = 0; done < o.count; done += batch) {
    const n = Math.min(batch, o.count - done);
    for (const c of fc.sample(arb, { seed: o.seed + done, numRuns: n })) {
      await one(c, c.text.length < 20_000);
      report.random++;
    }
    process.stderr.write(`${language}: ${report.random}/${o.count} random inputs, ${report.failures.length} failures\n`);
    // The report so far, for a run stopped early.
    writeFileSync(join(o.out, `progress-${language}.json`), JSON.stringify({ ...report, totalMs: Math.round(performance.now() - began) }, null, 1));
  }
  if (o.scaling) report.scaling = scaling(language);
  checker.close();
  report.totalMs = Math.round(performance.now() - began);
  return report;
}

export function formatReport(reports: LanguageReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.language}: ${r.random} random inputs (seed ${r.seed}) + ${r.extremes} extremes, ${r.failures.length} failures, ${(r.totalMs / 1000).toFixed(0)} s`);
    lines.push(`  slowest: ${r.slowest.label} (${r.slowest.size} chars): analyze ${r.slowest.analyzeMs} ms, fixSource ${r.slowest.fixMs} ms`);
    lines.push(`  worst analyze time per character (inputs of 10,000+ chars): ${r.worstMicrosPerChar.micros} us/char, ${r.worstMicrosPerChar.label} (${r.worstMicrosPerChar.size} chars)`);
    if (r.scaling) lines.push(`  scaling (files dense with fork sites): ${r.scaling.map((s) => `${s.size} chars ${s.ms} ms (${s.microsPerChar} us/char)`).join('; ')}`);
    const byProperty = new Map<string, number>();
    for (const f of r.failures) for (const v of f.violations) byProperty.set(v.property, (byProperty.get(v.property) ?? 0) + 1);
    if (byProperty.size) lines.push(`  failures by property: ${[...byProperty].map(([p, n]) => `${p} ${n}`).join(', ')}`);
    for (const f of r.failures.slice(0, 20)) lines.push(`  - ${f.label} (${f.size} chars; ${f.reduced ?? f.file}): ${f.violations.map((v) => `${v.property}: ${v.detail.split('\n')[0].slice(0, 300)}`).join('; ')}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  await initParsers();
  const o = parseArgs(process.argv.slice(2));
  if (o.langs.length === 1) {
    const report = await runLanguage(o.langs[0], o);
    if (o.json) process.stdout.write(JSON.stringify(report));
    else process.stdout.write(`${formatReport([report])}\n`);
    process.exitCode = report.failures.length ? 1 : 0;
    return;
  }
  // Both languages: one process each (two cores), reports joined here.
  const self = fileURLToPath(import.meta.url);
  const args = process.argv.slice(2);
  const reports = await Promise.all(
    o.langs.map(
      (language) =>
        new Promise<LanguageReport>((ok, bad) => {
          let out = '';
          const child = fork(self, [...args, '--lang', language, '--json'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
          child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          child.on('exit', (code) => {
            try {
              ok(JSON.parse(out) as LanguageReport);
            } catch {
              bad(new Error(`the ${language} fuzz process exited with ${code} and no report`));
            }
          });
        }),
    ),
  );
  process.stdout.write(`${formatReport(reports)}\n`);
  process.exitCode = reports.some((r) => r.failures.length) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
