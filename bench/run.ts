/**
 * `npm run bench`: every row of the performance goals (docs/performance.md), each measured
 * side by side with the floor its goal is built on, in one run, then a table of figure,
 * floor, goal and ratio. Each measured program runs as its own child process. Prints
 * figures; asserts nothing.
 *
 * Inputs are generated at bench time under bench/out/ (git ignores it): a tree of C and
 * Go files and a C file of busybox hush.c's size and shape. `--tree DIR` (or
 * VFORKLINT_BENCH_TREE=DIR) adds a real tree the user has: its largest fork-site file is
 * measured in rows (a) and (b), and the tree itself in rows (c) and (f).
 *
 * Row (g), the project index, runs on a generated project whose fork-site files call
 * helpers in other files (written under the system's temporary directory, linted with default
 * flags), and on busybox when VFORKLINT_BENCH_BUSYBOX names a checkout (the bench says so
 * when it does not).
 *
 * Options: --tree DIR, --file PATH (in that tree, instead of its largest), --files N (default 20000), --project-files N (default 4000), --seed N, --rounds N (default 3),
 * --compare DIR (another checkout's build, e.g. main's, timed side by side in rows (b)
 * and (c) as "before"), --quick (small inputs, one round: a smoke test), --profile (a CPU profile of row (a),
 * its top costs printed), --cli-only (no language server rows).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendFigures } from './backends.js';
import type { FileAnalysisFigures } from './file-analysis.js';
import { generateTree, type TreeManifest } from './generate.js';
import { largeCFile } from './large-file.js';
import { generateProjectTree } from './project-tree.js';
import type { PrescanFigures } from './prescan-count.js';
import { summariseProfile } from './profile.js';
import type { ServerFigures } from './server-bench.js';
import { spellingWords } from '../rules/fork-spellings.js';
import { languageForPath, mayContainForkSite } from '../rules/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const distBench = here;
const cliMain = join(repo, 'dist/cli/main.js');
const rssHook = join(distBench, 'rss-hook.js');
/** `--compare DIR`: that checkout's CLI, run beside this one's. */
const beforeMain = option('compare') ? resolve(option('compare')!, 'dist/cli/main.js') : undefined;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const quick = flag('quick');
const numberOption = (name: string, def: number) => Number(option(name) ?? def);

interface RunResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  rssBytes?: number;
  /** User + system CPU time of the measured process (all its threads). */
  cpuMs?: number;
}

function run(cmd: string, args: string[], opts: { rss?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolveP, reject) => {
    const tmp = opts.rss ? mkdtempSync(join(tmpdir(), 'vforklint-bench-')) : null;
    const rssFile = tmp ? join(tmp, 'rss') : undefined;
    const env = { ...process.env, ...opts.env, ...(rssFile ? { VFORKLINT_BENCH_RSS_FILE: rssFile } : {}) };
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let usage: { rssBytes?: number; cpuMs?: number } = {};
      if (rssFile && existsSync(rssFile)) usage = JSON.parse(readFileSync(rssFile, 'utf8')) as typeof usage;
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      resolveP({ ms, code, stdout, stderr, ...usage });
    });
  });
}

/** A node child process running one of this directory's scripts; its one JSON line. */
async function nodeJson<T>(script: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  const r = await run(process.execPath, [...nodeArgs, join(distBench, script), ...args]);
  if (r.code !== 0) throw new Error(`${script} failed (${r.code}): ${r.stderr.split('\n').slice(0, 3).join(' ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Both runs alternate, round by round, so that a busy machine slows both alike. */
async function sideBySide(rounds: number, ...contenders: Array<() => Promise<RunResult>>): Promise<RunResult[][]> {
  const out: RunResult[][] = contenders.map(() => []);
  for (let r = 0; r < rounds; r++) for (let i = 0; i < contenders.length; i++) out[i]!.push(await contenders[i]!());
  return out;
}
const medianMs = (rs: RunResult[]) => median(rs.map((r) => r.ms));
const medianRss = (rs: RunResult[]) => median(rs.map((r) => r.rssBytes ?? NaN));

/** The pre-scan's words (rules/fork-spellings.ts) as a grep -E pattern. */
const GREP_PATTERN = `\\b(${spellingWords().join('|')})\\b`;
const GREP_INCLUDES = ['--include=*.c', '--include=*.h', '--include=*.go', '--exclude-dir=.git'];

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const fmtMB = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function backendName(): string {
  const require = createRequire(import.meta.url);
  const version = (pkg: string) => {
    // A package's exports may hide its package.json: look for it above its entry point.
    try {
      for (let d = dirname(require.resolve(pkg)); dirname(d) !== d; d = dirname(d)) {
        const p = join(d, 'package.json');
        if (existsSync(p)) {
          const json = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
          if (json.name === pkg) return json.version ?? '?';
        }
      }
    } catch {
      /* not installed */
    }
    return '?';
  };
  return `WebAssembly (web-tree-sitter ${version('web-tree-sitter')}, tree-sitter-c ${version('tree-sitter-c')}, tree-sitter-go ${version('tree-sitter-go')})`;
}
const BACKEND = backendName();

/** One row of the closing table. */
interface Row {
  id: string;
  measure: string;
  figure: string;
  floor: string;
  goal: string;
  /** figure / goal's bound: <= 1 is met; NaN: no bound to divide by (read the figure). */
  against: number;
}
const rows: Row[] = [];
function row(r: Row): void {
  rows.push(r);
  console.log(`  => (${r.id}) ${r.measure}: ${r.figure}; floor: ${r.floor}; goal: ${r.goal} (${verdict(r)})`);
}

function verdict(r: Row): string {
  if (Number.isNaN(r.against)) return 'read the figure';
  return r.against <= 1 ? `met, ${r.against.toFixed(2)}x of the bound` : `not met, ${r.against.toFixed(2)}x of the bound`;
}

function heading(s: string): void {
  console.log(`\n${s}`);
}

/** The largest file of a tree that the pre-scan sends to the parser, for rows (a) and (b). */
function largestForkFile(dir: string): string | undefined {
  let best: { path: string; size: number } | undefined;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.(c|h|go)$/.test(e.name)) {
        const size = statSync(p).size;
        if ((!best || size > best.size) && mayContainForkSite(readFileSync(p, 'utf8'), languageForPath(p)!)) best = { path: p, size };
      }
    }
  };
  walk(dir);
  return best?.path;
}

/** Rows (a) and (b): one large file, in process and as a whole CLI process. */
async function oneFile(label: string, path: string, rounds: number): Promise<void> {
  heading(`one large file: ${label} (${BACKEND})`);
  const profileDir = flag('profile') ? mkdtempSync(join(tmpdir(), 'vforklint-profile-')) : undefined;
  const a = await nodeJson<FileAnalysisFigures>('file-analysis.js', [path, String(quick ? 1 : 3)], profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []);
  console.log(`  ${a.lines} lines, ${(a.chars / 1000).toFixed(0)} K characters; ${a.sites} fork sites, ${a.findings} findings`);
  console.log(`  load tree-sitter ${fmtMs(a.loadMs)}; first parse ${fmtMs(a.firstParseMs)}; warm parse ${fmtMs(a.parseMs)}; analysis of the parsed tree ${fmtMs(a.analysisMs)} (first run ${fmtMs(a.firstAnalysisMs)})`);
  row({ id: 'a', measure: `analysis after the parse, ${label}`, figure: fmtMs(a.analysisMs), floor: `parse ${fmtMs(a.parseMs)}`, goal: '<= 1x the parse', against: a.analysisMs / a.parseMs });
  if (profileDir) {
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      console.log(`  CPU profile of that process (${join(profileDir, file)}), top self time:`);
      for (const line of summariseProfile(readFileSync(join(profileDir, file), 'utf8'), 25)) console.log(`    ${line}`);
    }
  }
  const [cli, floor, before] = await sideBySide(
    rounds,
    () => run(process.execPath, ['--import', rssHook, cliMain, '--no-config-lookup', '--format', 'json', path], { rss: true }),
    () => run(process.execPath, ['--import', rssHook, join(distBench, 'parse-only.js'), path], { rss: true }),
    ...(beforeMain ? [() => run(process.execPath, ['--import', rssHook, beforeMain, '--no-config-lookup', '--format', 'json', path], { rss: true })] : []),
  );
  if (before) console.log(`  before (${beforeMain}): whole CLI process ${fmtMs(medianMs(before))}, peak RSS ${fmtMB(medianRss(before))}`);
  const cliMs = medianMs(cli!);
  const floorMs = medianMs(floor!);
  const bound = floorMs + a.analysisMs + 100;
  console.log(`  whole CLI process ${fmtMs(cliMs)}, peak RSS ${fmtMB(medianRss(cli!))}; parse-only process (node + tree-sitter + one parse) ${fmtMs(floorMs)}, peak RSS ${fmtMB(medianRss(floor!))}`);
  row({ id: 'b', measure: `whole CLI process, ${label}`, figure: fmtMs(cliMs), floor: `parse-only process ${fmtMs(floorMs)} + analysis ${fmtMs(a.analysisMs)} + 100 ms = ${fmtMs(bound)}`, goal: `<= ${fmtMs(bound)}`, against: cliMs / bound });
  row({ id: 'b', measure: `CLI peak RSS, ${label}`, figure: fmtMB(medianRss(cli!)), floor: `parse-only process ${fmtMB(medianRss(floor!))}`, goal: '<= 120 MB', against: medianRss(cli!) / 120e6 });
}

/** Row (c): the CLI over a whole tree against grep -rlE (and rg -l) for the spellings, same tree, same run. */
async function wholeTree(label: string, dir: string, cliArgs: string[], rounds: number): Promise<void> {
  heading(`whole tree: ${label} (${BACKEND})`);
  const hasRg = (await run('sh', ['-c', 'command -v rg']).catch(() => ({ code: 1 }) as RunResult)).code === 0;
  // Warm the page cache so that every contender reads from memory.
  await run('grep', ['-rlE', ...GREP_INCLUDES, GREP_PATTERN, '.'], { cwd: dir });
  const contenders = [
    () => run('grep', ['-rlE', ...GREP_INCLUDES, GREP_PATTERN, '.'], { cwd: dir }),
    () => run(process.execPath, ['--import', rssHook, cliMain, '--no-progress', '--no-config-lookup', ...cliArgs, '.'], { cwd: dir, rss: true }),
    () => run(process.execPath, ['--import', rssHook, cliMain, '--no-progress', '--no-config-lookup', '--jobs', '1', ...cliArgs, '.'], { cwd: dir, rss: true }),
    () => (hasRg ? run('rg', ['-l', '-g', '*.{c,h,go}', GREP_PATTERN, '.'], { cwd: dir }) : Promise.resolve({ ms: NaN, code: 0, stdout: '', stderr: '' })),
    ...(beforeMain ? [() => run(process.execPath, ['--import', rssHook, beforeMain, '--no-progress', '--no-config-lookup', ...cliArgs, '.'], { cwd: dir, rss: true })] : []),
  ];
  const [grep, cli, cli1, rgRuns, before] = await sideBySide(rounds, ...contenders);
  const rg = hasRg ? rgRuns : undefined;
  const cliRun = cli![cli!.length - 1]!;
  if (cliRun.code !== 0 && cliRun.code !== 1) throw new Error(`vforklint exited ${cliRun.code} on ${dir}: ${cliRun.stderr.split('\n')[0]}`);
  const grepMs = medianMs(grep!);
  const summary = cliRun.stdout.trim().split('\n').pop() ?? '';
  console.log(`  grep -rlE (C and Go files) ${fmtMs(grepMs)}, ${grep![0]!.stdout.split('\n').filter(Boolean).length} files matched${rg ? `; rg -l ${fmtMs(medianMs(rg))}` : '; rg not installed'}`);
  console.log(`  vforklint (--jobs ${availableParallelism()}) ${fmtMs(medianMs(cli!))}, CPU ${fmtMs(median(cli!.map((r) => r.cpuMs ?? NaN)))}, peak RSS ${fmtMB(medianRss(cli!))}; --jobs 1 ${fmtMs(medianMs(cli1!))}; ${summary}`);
  if (before) console.log(`  before (${beforeMain}): ${fmtMs(medianMs(before))}, CPU ${fmtMs(median(before.map((r) => r.cpuMs ?? NaN)))}, peak RSS ${fmtMB(medianRss(before))}; ${before[before.length - 1]!.stdout.trim().split('\n').pop() ?? ''}`);
  row({ id: 'c', measure: `CLI over ${label}`, figure: fmtMs(medianMs(cli!)), floor: `grep -rlE ${fmtMs(grepMs)}${rg ? `, rg -l ${fmtMs(medianMs(rg))}` : ''}`, goal: '<= 2x grep -rlE', against: medianMs(cli!) / (2 * grepMs) });
}

/**
 * Row (g): the project index (RULES section 8) over a whole tree, default flags: the CLI
 * without the index, with it from cold (no cache), and with a warm `--cache`, beside
 * `grep -rlE` for the spellings on the same tree. Goals: cold <= 1.5x the run without the
 * index; warm cache <= grep.
 */
async function projectIndexRows(label: string, dir: string, rounds: number): Promise<void> {
  heading(`project index: ${label} (${BACKEND})`);
  const cacheDir = mkdtempSync(join(tmpdir(), 'vforklint-bench-cache-'));
  const cacheFile = join(cacheDir, 'cache');
  try {
    const cli = (...args: string[]) => () => run(process.execPath, [cliMain, '--no-progress', '--no-config-lookup', ...args, '.'], { cwd: dir });
    const grep = () => run('grep', ['-rlE', ...GREP_INCLUDES, GREP_PATTERN, '.'], { cwd: dir });
    await grep(); // the page cache, warm for every contender
    const primed = await cli('--cache', '--cache-location', cacheFile)();
    if (primed.code !== 0 && primed.code !== 1) throw new Error(`vforklint exited ${primed.code} on ${dir}: ${primed.stderr.split('\n')[0]}`);
    const [g, off, cold, warm] = await sideBySide(rounds, grep, cli('--no-project-index'), cli(), cli('--cache', '--cache-location', cacheFile));
    const [grepMs, offMs, coldMs, warmMs] = [g!, off!, cold!, warm!].map(medianMs) as [number, number, number, number];
    const summary = (rs: RunResult[]) => rs[rs.length - 1]!.stdout.trim().split('\n').pop() ?? '';
    console.log(`  grep -rlE ${fmtMs(grepMs)}; without the index ${fmtMs(offMs)} (${summary(off!)}); with it, cold ${fmtMs(coldMs)} (${summary(cold!)}); warm --cache ${fmtMs(warmMs)}`);
    row({ id: 'g', measure: `project index, cold, ${label}`, figure: fmtMs(coldMs), floor: `without the index ${fmtMs(offMs)}`, goal: `<= 1.5x without = ${fmtMs(1.5 * offMs)}`, against: coldMs / (1.5 * offMs) });
    row({ id: 'g', measure: `project index, warm --cache, ${label}`, figure: fmtMs(warmMs), floor: `grep -rlE ${fmtMs(grepMs)}`, goal: `<= grep -rlE = ${fmtMs(grepMs)}`, against: warmMs / grepMs });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/**
 * busybox, at the commit the figures in docs/performance.md were taken on. The bench cannot
 * fetch it (it runs where only the npm registry may be reachable): VFORKLINT_BENCH_BUSYBOX
 * names a checkout, and without one the bench says so and measures the generated project only.
 */
const BUSYBOX_PINNED = { tag: '1_37_0', version: '1.37.0', clone: 'git clone --depth 1 --branch 1_37_0 https://git.busybox.net/busybox' };

function busyboxVersion(dir: string): string | undefined {
  try {
    const make = readFileSync(join(dir, 'Makefile'), 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\S*)`, 'm').exec(make)?.[1];
    return [field('VERSION'), field('PATCHLEVEL'), field('SUBLEVEL')].join('.') + (field('EXTRAVERSION') ?? '');
  } catch {
    return undefined;
  }
}

async function busyboxRows(rounds: number): Promise<void> {
  const dir = process.env.VFORKLINT_BENCH_BUSYBOX;
  if (!dir) {
    heading(`project index: busybox NOT MEASURED: set VFORKLINT_BENCH_BUSYBOX to a busybox checkout at tag ${BUSYBOX_PINNED.tag} (${BUSYBOX_PINNED.clone})`);
    return;
  }
  const version = busyboxVersion(resolve(dir));
  if (!version) {
    heading(`project index: busybox NOT MEASURED: VFORKLINT_BENCH_BUSYBOX=${dir} holds no busybox Makefile`);
    return;
  }
  const note = version === BUSYBOX_PINNED.version ? `busybox ${version}, the pinned tag ${BUSYBOX_PINNED.tag}` : `busybox ${version}, NOT the pinned tag ${BUSYBOX_PINNED.tag}: figures may differ`;
  await projectIndexRows(note, resolve(dir), rounds);
}

/** Row (f): what the pre-scan sends to the parser. */
async function prescan(label: string, dir: string): Promise<void> {
  const f = await nodeJson<PrescanFigures>('prescan-count.js', [dir]);
  console.log(`  pre-scan on ${label}: ${f.files} files, ${f.parsed} parsed (a whole-word match of any spelling would parse ${f.wordOnly}), ${f.parsedWithoutFinding} of them with no finding, ${f.parsedWithoutSite} with no fork site; pre-scan time ${fmtMs(f.prescanMs)}`);
  // A parsed file with no site still held a spelling where code could call it (a macro body, a prototype): not a goal missed.
  row({ id: 'f', measure: `pre-scan, ${label}: parsed files with no finding`, figure: `${f.parsedWithoutFinding} of ${f.parsed} (${f.parsedWithoutSite} no site)`, floor: `word-only pre-scan parses ${f.wordOnly}`, goal: 'only text that can fork', against: NaN });
}

async function generatedTree(): Promise<TreeManifest> {
  const spec = { root: join(repo, 'bench/out'), files: quick ? 600 : numberOption('files', 20000), seed: numberOption('seed', 20260101), forkEvery: 200, fileBytes: 5000 };
  const t = performance.now();
  const manifest = generateTree(spec);
  console.log(`generated tree: ${manifest.files} files, ${fmtMB(manifest.totalBytes)}, ${manifest.forkFiles.length} with fork sites, ${manifest.constantFiles ?? 0} with only fork constants (ready in ${fmtMs(performance.now() - t)})`);
  return manifest;
}

/** Per file, on the generated tree's fork-site files: parse against analysis (given the tree). */
async function forkFiles(manifestPath: string): Promise<void> {
  const f = await nodeJson<{ files: number; findings: number; parseMedianMs: number; analysisMedianMs: number; endToEndMedianMs: number; parseTotalMs: number; analysisTotalMs: number }>('fork-files.js', [manifestPath]);
  heading(`per file, on the generated tree's ${f.files} fork-site files (median of 5 rounds each; ${f.findings} findings; ${BACKEND})`);
  console.log(`  tree-sitter parse ${f.parseMedianMs.toFixed(3)} ms; analysis of the parsed tree ${f.analysisMedianMs.toFixed(3)} ms (${(f.analysisTotalMs / f.parseTotalMs).toFixed(2)}x of the parse, all files); analyze() end to end ${f.endToEndMedianMs.toFixed(3)} ms`);
}

/**
 * The parser backends side by side, each in its own process: the product's WebAssembly
 * parser and tree-sitter's native binding (a devDependency kept for this comparison).
 */
async function backendBenchmark(manifestPath: string): Promise<void> {
  const figures: Array<BackendFigures | { backend: string; unavailable: string }> = [];
  for (const backend of ['wasm', 'native']) figures.push(await nodeJson<BackendFigures | { backend: string; unavailable: string }>('backends.js', [manifestPath, backend]));
  const big = figures.find((f): f is BackendFigures => 'bigChars' in f);
  heading(`parser backends, each in its own process (big text: ${big ? `${(big.bigChars / 1e6).toFixed(2)} MB of generated C` : 'n/a'}; sample: ${big?.files ?? 'n/a'} files)`);
  console.log(`  ${''.padEnd(26)} ${'load'.padStart(8)} ${'1st parse'.padStart(10)} ${'warm parse'.padStart(11)} ${'sample'.padStart(9)} ${'per file'.padStart(9)} ${'peak RSS'.padStart(9)} ${'nodes'.padStart(8)}`);
  for (const f of figures) {
    const name = f.backend === 'wasm' ? 'WebAssembly (the product)' : 'native binding (dev only)';
    if ('unavailable' in f) {
      console.log(`  ${name.padEnd(26)} not available here: ${f.unavailable}`);
      continue;
    }
    console.log(`  ${name.padEnd(26)} ${fmtMs(f.loadMs).padStart(8)} ${fmtMs(f.firstParseMs).padStart(10)} ${fmtMs(f.warmParseMs).padStart(11)} ${fmtMs(f.allFilesMs).padStart(9)} ${`${(f.allFilesMs / f.files).toFixed(2)} ms`.padStart(9)} ${fmtMB(f.rssBytes).padStart(9)} ${String(f.bigNodes).padStart(8)}`);
  }
  const [w, n] = figures;
  if (w && n && 'warmParseMs' in w && 'warmParseMs' in n) console.log(`  WebAssembly / native: warm parse ${ratio(w.warmParseMs, n.warmParseMs)}, sample ${ratio(w.allFilesMs, n.allFilesMs)}`);
  console.log("  every other figure is the product's (WebAssembly); the analysis never runs on the native binding.");
}

/** Rows (d) and (e): the language server (dist/bench/server-bench.js, its own process). */
async function server(): Promise<void> {
  heading(`language server (${BACKEND})`);
  const env = quick ? { VFORKLINT_BENCH_LINES: '2000', VFORKLINT_BENCH_EDITS: '40', VFORKLINT_BENCH_FILES: '10', VFORKLINT_BENCH_SETTLE_MS: '200' } : {};
  const r = await run(process.execPath, [join(distBench, 'server-bench.js'), '--json'], { env });
  const lines = r.stdout.trim().split('\n');
  for (const l of lines) if (!l.startsWith('JSON ')) console.log(l);
  const json = lines.find((l) => l.startsWith('JSON '));
  if (r.code !== 0 || !json) {
    console.log(`  language server benchmark failed (${r.code}): ${r.stderr.split('\n').slice(0, 3).join(' ')}`);
    process.exitCode = 1;
    return;
  }
  const s = JSON.parse(json.slice(5)) as ServerFigures;
  for (const language of ['c', 'go'] as const) {
    const f = s[language];
    const bound = f.reparse.p50 + f.emptyPublish.p50 + 3;
    row({ id: 'd', measure: `server, 1-char edit -> diagnostics, ${s.lines}-line ${language === 'c' ? 'C' : 'Go'} file, p50`, figure: fmtMs(f.lsp.p50), floor: `reparse ${fmtMs(f.reparse.p50)} + empty publish ${fmtMs(f.emptyPublish.p50)} + 3 ms = ${fmtMs(bound)}`, goal: `<= ${fmtMs(bound)}`, against: f.lsp.p50 / bound });
    row({ id: 'd', measure: `same, p99`, figure: fmtMs(f.lsp.p99), floor: `reparse p99 ${fmtMs(f.reparse.p99)}, empty publish p99 ${fmtMs(f.emptyPublish.p99)}`, goal: '<= 20 ms', against: f.lsp.p99 / 20 });
  }
  row({ id: 'e', measure: `server RSS, ${s.openFiles} files open`, figure: `${s.rssOpenMB.toFixed(0)} MB`, floor: `${s.rssIdleMB.toFixed(0)} MB with none`, goal: '<= 150 MB', against: s.rssOpenMB / 150 });
}

function table(): void {
  heading(`summary (${BACKEND}; node ${process.version}; ${availableParallelism()} CPUs${quick ? '; --quick: small inputs, figures are not comparable' : ''})`);
  const w = (s: string, n: number) => s.padEnd(n);
  const width = (pick: (r: Row) => string, title: string) => Math.max(title.length, ...rows.map((r) => pick(r).length));
  const [m, f, g] = [width((r) => r.measure, 'measure'), width((r) => r.figure, 'figure'), width((r) => r.goal, 'goal')];
  const met = (r: Row) => (Number.isNaN(r.against) ? 'n/a' : r.against <= 1 ? 'met' : `${r.against.toFixed(1)}x over`);
  console.log(`  ${w('row', 4)} ${w('measure', m)}  ${w('figure', f)}  ${w('goal', g)}  ${w('met', 10)} floor`);
  for (const r of rows) console.log(`  ${w(`(${r.id})`, 4)} ${w(r.measure, m)}  ${w(r.figure, f)}  ${w(r.goal, g)}  ${w(met(r), 10)} ${r.floor}`);
}

async function main(): Promise<void> {
  const rounds = quick ? 1 : Math.max(1, numberOption('rounds', 3));
  const realTree = option('tree') ?? process.env.VFORKLINT_BENCH_TREE;
  console.log(`vforklint benchmark: parser backend ${BACKEND}; node ${process.version}; ${availableParallelism()} CPUs${quick ? '; --quick' : ''}`);

  const largeDir = join(repo, 'bench/out/large');
  mkdirSync(largeDir, { recursive: true });
  const generatedLarge = join(largeDir, 'hush-like.c');
  writeFileSync(generatedLarge, largeCFile(quick ? 2000 : 12_365));
  const realLarge = realTree ? (option('file') ? resolve(realTree, option('file')!) : largestForkFile(resolve(realTree))) : undefined;
  if (realLarge) await oneFile(relative(resolve(realTree!), realLarge), realLarge, rounds);
  else await oneFile(`generated C of hush.c's size and shape (${relative(repo, generatedLarge)})`, generatedLarge, rounds);

  const manifest = await generatedTree();
  const manifestPath = join(manifest.spec.root, 'manifest.json');
  // The generated tree sits under bench/out/, which .gitignore lists: lint it with --no-ignore.
  await wholeTree(`the generated tree (${fmtMB(manifest.totalBytes)}, ${manifest.files} files)`, join(manifest.spec.root, 'tree'), ['--no-ignore'], rounds);
  if (realTree) await wholeTree(`${realTree}`, resolve(realTree), [], rounds);
  // Outside the repository (its .gitignore lists bench/out/), so that it is linted with default flags.
  const project = generateProjectTree({ root: join(tmpdir(), 'vforklint-bench-project'), files: quick ? 450 : numberOption('project-files', 4000), seed: numberOption('seed', 20260101), forkEvery: quick ? 30 : 50, helperFiles: quick ? 10 : 40, fileBytes: 5000 });
  await projectIndexRows(`the generated project (${project.files} files, ${fmtMB(project.totalBytes)}, ${project.forkFiles} fork-site files calling helpers in other files)`, join(project.spec.root, 'tree'), rounds);
  await busyboxRows(rounds);
  heading('pre-scan');
  await prescan('the generated tree', join(manifest.spec.root, 'tree'));
  if (realTree) await prescan(realTree, resolve(realTree));
  if (!quick) {
    await forkFiles(manifestPath);
    await backendBenchmark(manifestPath);
  }
  if (!flag('cli-only')) await server();
  table();
}

await main();
