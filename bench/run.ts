/**
 * `npm run bench`: the CLI benchmark on a generated tree (bench/out/, not in git), then
 * the language server's benchmark (dist/bench/server-bench.js) when it exists. Each
 * measured program runs as its own child process. Prints figures; asserts nothing.
 *
 * Options: --files N (default 20000), --seed N, --rounds N (default 3), --cli-only.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendFigures } from './backends.js';
import { generateTree, type TreeManifest } from './generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const distBench = here;
const cliMain = join(repo, 'dist/cli/main.js');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

interface RunResult {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  rssBytes?: number;
  /** User + system CPU time of the measured process (all its threads). */
  cpuMs?: number;
}

function run(cmd: string, args: string[], opts: { rss?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolveP, reject) => {
    const tmp = opts.rss ? mkdtempSync(join(tmpdir(), 'vforklint-bench-')) : null;
    const rssFile = tmp ? join(tmp, 'rss') : undefined;
    const env = { ...process.env, ...opts.env, ...(rssFile ? { VFORKLINT_BENCH_RSS_FILE: rssFile } : {}) };
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const GREP_PATTERN = String.raw`\b_?_?vfork\b|\b_?_?clone(2|3|_internal)?\b|\bCLONE\b|SYS_clone|__NR_clone|SYS_vfork|__NR_vfork|SYS_CLONE|SYS_VFORK|[Rr]awVforkSyscall`;

const fmtMs = (ms: number) => `${ms.toFixed(0)} ms`;
const fmtMB = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

async function cliBenchmark(): Promise<void> {
  const files = arg('files', 20000);
  const rounds = Math.max(1, arg('rounds', 3));
  const spec = { root: join(repo, 'bench/out'), files, seed: arg('seed', 20260101), forkEvery: 200, fileBytes: 5000 };
  const tg = performance.now();
  const manifest: TreeManifest = generateTree(spec);
  const tree = join(spec.root, 'tree');
  console.log(`vforklint CLI benchmark: ${manifest.files} files, ${fmtMB(manifest.totalBytes)}, ${manifest.forkFiles.length} with fork sites (tree ready in ${fmtMs(performance.now() - tg)}; ${availableParallelism()} CPUs)`);

  // Warm the page cache so that every contender reads from memory.
  await run('grep', ['-rlE', GREP_PATTERN, tree]);

  const grepMs: number[] = [];
  const grepCpu: number[] = [];
  const cliCpu: number[] = [];
  const cli1Cpu: number[] = [];
  const cliMs: number[] = [];
  const cli1Ms: number[] = [];
  const rss: number[] = [];
  let grepHits = 0;
  let cliSummary = '';
  for (let r = 0; r < rounds; r++) {
    const g = await run('grep', ['-rlE', GREP_PATTERN, tree]);
    grepMs.push(g.ms);
    grepHits = g.stdout.split('\n').filter(Boolean).length;
    // CPU time of grep: bash's `times` reports its children's user and system time.
    const gt = await run('bash', ['-c', 'grep -rlE "$1" "$2" >/dev/null; times', 'bash', GREP_PATTERN, tree]);
    const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(gt.stdout.trim());
    if (m) grepCpu.push((Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000);
    const c = await run(process.execPath, ['--import', join(distBench, 'rss-hook.js'), cliMain, '--no-progress', '--no-ignore', tree], { rss: true });
    if (c.code !== 0 && c.code !== 1) throw new Error(`vforklint exited ${c.code}: ${c.stderr.split('\n')[0]}`);
    cliMs.push(c.ms);
    if (c.rssBytes) rss.push(c.rssBytes);
    if (c.cpuMs) cliCpu.push(c.cpuMs);
    cliSummary = c.stdout.trim().split('\n').pop() ?? '';
    const c1 = await run(process.execPath, ['--import', join(distBench, 'rss-hook.js'), cliMain, '--no-progress', '--no-ignore', '--jobs', '1', tree], { rss: true });
    cli1Ms.push(c1.ms);
    if (c1.cpuMs) cli1Cpu.push(c1.cpuMs);
  }
  const naive = await run(process.execPath, ['--import', join(distBench, 'rss-hook.js'), join(distBench, 'parse-all.js'), tree], { rss: true });
  const naiveMs = JSON.parse(naive.stdout).ms as number;
  const nodeStart = await run(process.execPath, ['-e', '0']);

  const cli = median(cliMs);
  const grep = median(grepMs);
  const row = (name: string, ms: number, cpu: number | undefined): string =>
    `  ${name.padEnd(34)} ${fmtMs(ms).padStart(9)}  ${(cpu === undefined ? 'n/a' : fmtMs(cpu)).padStart(9)}  ${`${(manifest.files / (ms / 1000)).toFixed(0)} files/s`.padStart(14)}  ${`${(manifest.totalBytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`.padStart(9)}`;
  console.log('');
  console.log(`  ${`median of ${rounds}`.padEnd(34)} ${'wall'.padStart(9)}  ${'CPU'.padStart(9)}  ${'files/s'.padStart(14)}  ${'MB/s'.padStart(9)}`);
  console.log(row('grep -rlE (the floor)', grep, grepCpu.length ? median(grepCpu) : undefined));
  console.log(row(`vforklint (--jobs ${availableParallelism()})`, cli, cliCpu.length ? median(cliCpu) : undefined));
  console.log(row('vforklint --jobs 1', median(cli1Ms), cli1Cpu.length ? median(cli1Cpu) : undefined));
  console.log(row('tree-sitter parse of every file', naiveMs, naive.cpuMs));
  console.log(`  vforklint peak RSS: ${rss.length ? fmtMB(median(rss)) : 'n/a'}; node start-up alone: ${fmtMs(nodeStart.ms)}`);
  console.log(`  vforklint / grep: ${(cli / grep).toFixed(2)}x wall (target <= 2x)${grepCpu.length && cliCpu.length ? `, ${(median(cliCpu) / median(grepCpu)).toFixed(2)}x CPU` : ''}; grep matched ${grepHits} files; vforklint: ${cliSummary}`);
  console.log(`  (the tree is under bench/out/, which .gitignore lists, so vforklint runs with --no-ignore)`);

  const ff = await run(process.execPath, [join(distBench, 'fork-files.js'), join(spec.root, 'manifest.json')]);
  if (ff.code !== 0) throw new Error(`fork-files benchmark failed: ${ff.stderr.split('\n')[0]}`);
  const f = JSON.parse(ff.stdout) as { files: number; findings: number; parseMedianMs: number; analysisMedianMs: number; endToEndMedianMs: number; parseTotalMs: number; analysisTotalMs: number };
  console.log('');
  console.log(`per file, on the ${f.files} fork-site files (median of 5 rounds each; ${f.findings} findings)`);
  console.log(`  tree-sitter parse              ${f.parseMedianMs.toFixed(3)} ms`);
  console.log(`  vforklint analysis (given tree) ${f.analysisMedianMs.toFixed(3)} ms   ratio ${(f.analysisTotalMs / f.parseTotalMs).toFixed(2)}x of parse (target <= 1x)`);
  console.log(`  vforklint analyze() end to end ${f.endToEndMedianMs.toFixed(3)} ms`);

  await backendBenchmark(join(spec.root, 'manifest.json'));
}

/**
 * The parser backends side by side, each in its own process: the product's WebAssembly
 * parser and tree-sitter's native binding (a devDependency kept for this comparison).
 */
async function backendBenchmark(manifestPath: string): Promise<void> {
  const figures: Array<BackendFigures | { backend: string; unavailable: string }> = [];
  for (const backend of ['wasm', 'native']) {
    const r = await run(process.execPath, [join(distBench, 'backends.js'), manifestPath, backend]);
    if (r.code !== 0) throw new Error(`backends benchmark (${backend}) failed: ${r.stderr.split('\n')[0]}`);
    figures.push(JSON.parse(r.stdout) as BackendFigures | { backend: string; unavailable: string });
  }
  const big = figures.find((f): f is BackendFigures => 'bigChars' in f);
  console.log('');
  console.log(`parser backends, each in its own process (big text: ${big ? `${(big.bigChars / 1e6).toFixed(2)} MB of generated C` : 'n/a'}; sample: ${big?.files ?? 'n/a'} files)`);
  console.log(`  ${''.padEnd(26)} ${'load'.padStart(8)} ${'1st parse'.padStart(10)} ${'warm parse'.padStart(11)} ${'sample'.padStart(9)} ${'per file'.padStart(9)} ${'peak RSS'.padStart(9)} ${'nodes'.padStart(8)}`);
  for (const f of figures) {
    const name = f.backend === 'wasm' ? 'WebAssembly (the product)' : 'native binding (dev only)';
    if ('unavailable' in f) {
      console.log(`  ${name.padEnd(26)} not available here: ${f.unavailable}`);
      continue;
    }
    console.log(
      `  ${name.padEnd(26)} ${fmtMs(f.loadMs).padStart(8)} ${fmtMs(f.firstParseMs).padStart(10)} ${fmtMs(f.warmParseMs).padStart(11)} ${fmtMs(f.allFilesMs).padStart(9)} ${`${(f.allFilesMs / f.files).toFixed(2)} ms`.padStart(9)} ${fmtMB(f.rssBytes).padStart(9)} ${String(f.bigNodes).padStart(8)}`,
    );
  }
  const [w, n] = figures;
  if (w && n && 'warmParseMs' in w && 'warmParseMs' in n) {
    console.log(`  WebAssembly / native: warm parse ${(w.warmParseMs / n.warmParseMs).toFixed(2)}x, sample ${(w.allFilesMs / n.allFilesMs).toFixed(2)}x; first-parse warm-up ${fmtMs(w.firstParseMs - w.warmParseMs)} (WebAssembly) vs ${fmtMs(n.firstParseMs - n.warmParseMs)} (native)`);
  }
  console.log('  analysis time and RSS above are the product\'s (WebAssembly). The analysis is not run on the native');
  console.log('  binding: the product has one backend, and its trees, cursors and memory handling are WebAssembly\'s.');
}

async function serverBenchmark(): Promise<void> {
  const script = join(repo, 'dist/bench/server-bench.js');
  if (!existsSync(script)) {
    console.log('\n(language server benchmark: dist/bench/server-bench.js not present, skipped)');
    return;
  }
  console.log('\nlanguage server benchmark (dist/bench/server-bench.js):');
  const code = await new Promise<number | null>((resolveP) => {
    const child = spawn(process.execPath, [script], { stdio: 'inherit' });
    child.on('close', resolveP);
    child.on('error', () => resolveP(-1));
  });
  if (code !== 0) {
    console.log(`language server benchmark exited with ${code}`);
    process.exitCode = 1;
  }
}

await cliBenchmark();
if (!process.argv.includes('--cli-only')) await serverBenchmark();
