/**
 * Native verification (CONTRIBUTING.md, "Native verification"; issue 6).
 *
 * Every C fixture tagged `// verify: corrupts <rule...>` or `// verify: clean`
 * (fixtures/c/verify-*.c, and any .fixed golden under fixtures/c tagged `verify: clean`) is
 * built with the machine's `cc` against native/ (the scenario's libc `syscall()` is
 * redirected to an amd64 stub that forks the way Go's rawVforkSyscall does), run
 * under native/vfl-run, and what the parent observed is held against the analyzer:
 *
 * - a scenario observed corrupting the parent must get an error-severity finding of
 *   each rule its tag names;
 * - a `verify: clean` scenario must run clean and get no error-severity finding;
 * - a scenario whose observation disagrees with its tag fails, and so does one that
 *   does not build, hangs, or reports something unparseable: never "clean".
 *
 * Not Linux on x86-64: every test here is skipped with that reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The part of rules/index.ts this test relies on (see rules/api-contract.md). */
interface ReportedFinding {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  range: { start: { line: number } };
}
interface AnalyzerModule {
  initParsers(): Promise<void>;
  analyze(text: string, language: 'c', config?: object): { findings: ReportedFinding[] };
}

type OptLevel = 'O0' | 'O2';
type Observed = 'corrupts' | 'clean' | 'timeout' | 'unparseable' | 'error' | 'build-failed';

interface Scenario {
  name: string;
  file: string;
  expect: 'corrupts' | 'clean';
  rules: string[];
  opts: OptLevel[];
  wantRules: Set<string>;
}

interface RunReport {
  verdict: Observed;
  observations: string[];
  detail: string;
}

interface Row {
  scenario: string;
  opt: OptLevel;
  declared: string;
  observed: Observed;
  observations: string[];
  reported: string;
  agrees: boolean;
}

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'native')) && existsSync(join(dir, 'fixtures'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no vforklint checkout above ${start}`);
    dir = parent;
  }
}

const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, 'native');
const buildDir = join(nativeDir, 'build');
const fixturesDir = join(root, 'fixtures', 'c');
const cc = process.env.CC ?? 'cc';
const RUN_TIMEOUT_MS = 5000;

const unsupported =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? `native verification runs the amd64 vfork path and needs Linux on x86-64; this machine is ${process.platform}/${process.arch}`
    : undefined;

/** Scenarios: verify-*.c with a verify tag, and .fixed goldens tagged clean. */
function discoverScenarios(): { scenarios: Scenario[]; problems: string[] } {
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (dir === fixturesDir && /^verify-.*\.c$/.test(entry)) files.push(full);
      else if (entry.endsWith('.fixed')) files.push(full);
    }
  };
  if (existsSync(fixturesDir)) walk(fixturesDir);
  for (const file of files.sort()) {
    const text = readFileSync(file, 'utf8');
    const name = relative(fixturesDir, file);
    const tag = /^\s*\/\/\s*verify:\s*(corrupts|clean)\b([^\n]*)$/m.exec(text);
    if (file.endsWith('.fixed')) {
      if (!tag || tag[1] !== 'clean') continue;
    } else if (!tag) {
      problems.push(`${name}: no "// verify: corrupts <rule>" or "// verify: clean" line`);
      continue;
    }
    const expect = tag![1] as 'corrupts' | 'clean';
    const rules = tag![2].trim().split(/[\s,]+/).filter(Boolean);
    if (expect === 'corrupts' && rules.length === 0) {
      problems.push(`${name}: "verify: corrupts" must name the rule that reports it`);
      continue;
    }
    const optLine = /^\s*\/\/\s*verify-opt:([^\n]*)$/m.exec(text);
    const opts = (optLine ? optLine[1].trim().split(/\s+/) : ['O0']).filter(Boolean);
    const badOpt = opts.find((o) => o !== 'O0' && o !== 'O2');
    if (badOpt || opts.length === 0) {
      problems.push(`${name}: verify-opt takes O0 and/or O2, got "${optLine?.[1].trim() ?? ''}"`);
      continue;
    }
    const wantRules = new Set<string>();
    for (const m of text.matchAll(/\/\/\s*want\s+((?:"[^"]*"\s*)+)/g)) {
      for (const id of m[1].matchAll(/"([^"]*)"/g)) wantRules.add(id[1].split(":")[0].trim());
    }
    scenarios.push({ name, file, expect, rules, opts: opts as OptLevel[], wantRules });
  }
  return { scenarios, problems };
}

function run(cmd: string, args: string[], timeoutMs: number) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 << 20 });
}

/** Build vfl-run and the stub objects once. Returns an error text, or undefined. */
function buildHelper(): string | undefined {
  mkdirSync(buildDir, { recursive: true });
  const steps: [string, string[]][] = [
    [cc, ['-O2', '-Wall', '-o', join(buildDir, 'vfl-run'), join(nativeDir, 'vfl_run.c')]],
    [cc, ['-c', '-o', join(buildDir, 'vfl_raw_syscall_amd64.o'), join(nativeDir, 'vfl_raw_syscall_amd64.S')]],
    [cc, ['-O2', '-c', '-o', join(buildDir, 'vfl_raw_syscall_error.o'), join(nativeDir, 'vfl_raw_syscall_error.c')]],
  ];
  for (const [cmd, args] of steps) {
    const r = run(cmd, args, 60_000);
    if (r.error) return `${cmd} ${args.join(' ')}: ${r.error.message}`;
    if (r.status !== 0) return `${cmd} ${args.join(' ')} failed:\n${r.stderr}`;
  }
  return undefined;
}

function buildScenario(s: Scenario, opt: OptLevel): { binary?: string; error?: string } {
  const binary = join(buildDir, `${s.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${opt}`);
  const args = [
    '-std=gnu11', `-${opt}`, '-g', '-w',
    '-I', nativeDir,
    '-include', join(nativeDir, 'vfl_redirect.h'),
    '-x', 'c', s.file, '-x', 'none',
    join(buildDir, 'vfl_raw_syscall_amd64.o'), join(buildDir, 'vfl_raw_syscall_error.o'),
    '-o', binary,
  ];
  const r = run(cc, args, 60_000);
  if (r.error) return { error: r.error.message };
  if (r.status !== 0) return { error: (r.stderr || `cc exited with ${r.status}`).trim() };
  return { binary };
}

function runScenario(binary: string): RunReport {
  const r = run(join(buildDir, 'vfl-run'), ['--timeout-ms', String(RUN_TIMEOUT_MS), binary], RUN_TIMEOUT_MS * 4);
  if (r.error) {
    const timedOut = (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return { verdict: timedOut ? 'timeout' : 'error', observations: [], detail: `vfl-run: ${r.error.message}` };
  }
  let report: unknown;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    return { verdict: 'unparseable', observations: [], detail: `vfl-run printed: ${JSON.stringify(r.stdout.slice(0, 400))} ${r.stderr}` };
  }
  const rep = report as { verdict?: unknown; observations?: unknown; stdout?: unknown; stderr?: unknown; malformed?: unknown };
  const verdicts: Observed[] = ['corrupts', 'clean', 'timeout', 'unparseable', 'error'];
  if (typeof rep.verdict !== 'string' || !verdicts.includes(rep.verdict as Observed) || !Array.isArray(rep.observations)) {
    return { verdict: 'unparseable', observations: [], detail: `vfl-run report lacks a verdict: ${r.stdout.slice(0, 400)}` };
  }
  const observations = (rep.observations as unknown[]).map(String);
  const malformed = Array.isArray(rep.malformed) && rep.malformed.length ? ` malformed probe lines: ${JSON.stringify(rep.malformed)}` : '';
  const detail = `stdout ${JSON.stringify(String(rep.stdout ?? '').slice(0, 300))}, stderr ${JSON.stringify(String(rep.stderr ?? '').slice(0, 300))}${malformed}`;
  return { verdict: rep.verdict as Observed, observations, detail };
}

let analyzer: AnalyzerModule | undefined;
let analyzerLoadError: string | undefined;

async function loadAnalyzer(): Promise<void> {
  try {
    // rules/index.js, resolved at run time so this file builds before the core does.
    const analyzerUrl = new URL('../rules/index.js', import.meta.url).href;
    analyzer = (await import(analyzerUrl)) as AnalyzerModule;
    if (typeof analyzer.analyze !== 'function') throw new Error('rules/index.js exports no analyze()');
    await analyzer.initParsers();
  } catch (e) {
    analyzer = undefined;
    analyzerLoadError = e instanceof Error ? e.message : String(e);
  }
}

function analyzerErrors(s: Scenario): { errors: ReportedFinding[]; failure?: string } {
  if (!analyzer) return { errors: [], failure: `analyzer unavailable: ${analyzerLoadError}` };
  try {
    const result = analyzer.analyze(readFileSync(s.file, 'utf8'), 'c', {});
    return { errors: result.findings.filter((f) => f.severity === 'error') };
  } catch (e) {
    return { errors: [], failure: `analyze() threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
  }
}

function formatTable(rows: Row[]): string {
  const header = ['scenario', 'opt', 'declared', 'observed', 'reported (errors)', 'agree'];
  const cells = rows.map((r) => [r.scenario, r.opt, r.declared, r.observed, r.reported || '-', r.agrees ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join(' | ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)];
  const notes = rows.filter((r) => r.observations.length).map((r) => `  ${r.scenario} ${r.opt}: ${r.observations.join('; ')}`);
  return `\nNative verification: scenario x observed x reported\n${out.join('\n')}\n\nWhat the parents observed:\n${notes.join('\n')}\n`;
}

const rows: Row[] = [];

if (unsupported) {
  test('native verification', { skip: unsupported }, () => {});
} else {
  const { scenarios, problems } = discoverScenarios();
  let helperError: string | undefined;

  test('native helper builds with the machine cc', async () => {
    await loadAnalyzer();
    helperError = buildHelper();
    assert.equal(helperError, undefined, `native helper did not build: ${helperError}`);
  });

  test('scenario files are well formed', () => {
    assert.ok(scenarios.length > 0, `no verify-*.c scenarios under ${fixturesDir}`);
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  for (const s of scenarios) {
    const declared = s.expect === 'corrupts' ? `corrupts ${s.rules.join(',')}` : 'clean';
    test(`verify ${s.name} (${declared}; ${s.opts.join(' ')})`, () => {
      assert.equal(helperError, undefined, `${s.name}: native helper did not build: ${helperError}`);
      const failures: string[] = [];

      // A fixture's verify tag and its wants must agree with each other.
      if (!s.name.endsWith('.fixed')) {
        for (const rule of s.rules) {
          if (!s.wantRules.has(rule)) failures.push(`${s.name}: tagged "corrupts ${rule}" but no line says // want "${rule}"`);
        }
      }

      const { errors, failure: analyzerFailure } = analyzerErrors(s);
      const reportedRules = [...new Set(errors.map((f) => f.rule))];
      const reported = analyzerFailure
        ? 'analyzer failed'
        : errors.map((f) => `${f.rule}@${f.range.start.line}`).join(' ');
      if (analyzerFailure) failures.push(`${s.name}: ${analyzerFailure}`);

      for (const opt of s.opts) {
        const built = buildScenario(s, opt);
        let observed: Observed;
        let observations: string[] = [];
        let detail = '';
        if (!built.binary) {
          observed = 'build-failed';
          detail = built.error ?? '';
        } else {
          const report = runScenario(built.binary);
          observed = report.verdict;
          observations = report.observations;
          detail = report.detail;
        }

        const rowFailures: string[] = [];
        const where = `${s.name} at -${opt}`;
        const sawText = observations.length ? observations.join('; ') : detail;
        if (observed === 'build-failed') {
          rowFailures.push(`${where}: did not build: ${detail}`);
        } else if (observed === 'timeout' || observed === 'unparseable' || observed === 'error') {
          rowFailures.push(`${where}: observation ${observed}: ${sawText}`);
        } else if (observed !== s.expect) {
          rowFailures.push(`${where}: tagged ${declared} but the parent observed ${observed}${observations.length ? `: ${sawText}` : ''}`);
        }
        if (!analyzerFailure && observed === 'corrupts') {
          if (errors.length === 0) {
            rowFailures.push(`${where}: observed corrupting the parent (${sawText}) but the analyzer reported no error`);
          }
          for (const rule of s.rules) {
            if (!reportedRules.includes(rule)) {
              rowFailures.push(`${where}: observed corrupting (${sawText}); expected an error of ${rule}, analyzer reported ${reported || 'nothing'}`);
            }
          }
        }
        if (!analyzerFailure && s.expect === 'clean' && errors.length > 0) {
          rowFailures.push(`${where}: tagged clean and observed ${observed}, but the analyzer reported errors: ${errors.map((f) => `${f.rule}@${f.range.start.line} ${f.message}`).join('; ')}`);
        }
        rows.push({
          scenario: s.name,
          opt,
          declared,
          observed,
          observations: observed === 'build-failed' ? [detail.split('\n')[0]] : observations,
          reported,
          agrees: rowFailures.length === 0 && !analyzerFailure,
        });
        failures.push(...rowFailures);
      }
      assert.deepEqual(failures, [], failures.join('\n'));
    });
  }

  test('verification table', () => {
    process.stdout.write(formatTable(rows));
    const disagreeing = rows.filter((r) => !r.agrees);
    assert.equal(
      disagreeing.length,
      0,
      `${disagreeing.length} of ${rows.length} scenario runs disagree: ${disagreeing.map((r) => `${r.scenario} -${r.opt} (observed ${r.observed}, reported ${r.reported || 'nothing'})`).join(', ')}`,
    );
  });
}
