/**
 * The analyzer against its fixtures (CONTRIBUTING.md, "Fixtures"): every C and Go file under
 * fixtures/c and fixtures/go (verify-* and split-* included, .fixed goldens not) is
 * analysed with the configuration its `// vforklint-config:` comment names, and every
 * finding must be wanted by a `// want "rule"` comment on its line, and every want met.
 *
 * Coverage tests then check that the fixtures exercise every rule (positive and
 * negative, per language) and every fork spelling of docs/rules.md, section 2, as the
 * analyzer classifies it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initParsers, analyze, formatMessage, languageForPath, memoryHost, ProjectIndex, RULE_METAS } from '../rules/index.js';
import type { AnalysisResult, ForkKind, Language, VforklintConfig } from '../rules/index.js';
import { compareFindings, configFor, expectationsFor, type Expectation } from './fixture-expectations.js';

await initParsers();

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test -> repository root; also works when run from test/ by a TS loader. */
const root = here.includes(`${join('dist', 'test')}`) ? join(here, '..', '..') : join(here, '..');
const fixturesDir = join(root, 'fixtures');

interface Fixture {
  /** `c/name.c` */
  name: string;
  language: Language;
  text: string;
  config: VforklintConfig;
  configError?: string;
  wants: Expectation[];
  wantError?: string;
  result: AnalysisResult;
}

function listFixtures(): { name: string; language: Language; path: string }[] {
  const out: { name: string; language: Language; path: string }[] = [];
  for (const [dir, ext, language] of [['c', '.c', 'c'], ['go', '.go', 'go']] as const) {
    let entries: string[];
    try {
      entries = readdirSync(join(fixturesDir, dir));
    } catch {
      continue;
    }
    for (const f of entries.sort()) {
      // NAME.fixed goldens (however spelled) are expected outputs of fixes, not inputs.
      if (f.endsWith(ext) && !f.includes('.fixed')) out.push({ name: `${dir}/${f}`, language, path: join(fixturesDir, dir, f) });
    }
  }
  return out;
}

function load(entry: { name: string; language: Language; path: string }): Fixture {
  const text = readFileSync(entry.path, 'utf8');
  let config: VforklintConfig = {};
  let configError: string | undefined;
  try {
    config = configFor(text) as VforklintConfig;
  } catch (e) {
    configError = (e as Error).message;
  }
  let wants: Expectation[] = [];
  let wantError: string | undefined;
  try {
    wants = expectationsFor(text);
  } catch (e) {
    wantError = (e as Error).message;
  }
  let result: AnalysisResult;
  try {
    result = analyze(text, entry.language, config);
  } catch (e) {
    // analyze() must never throw; report it on this fixture instead of losing the suite.
    result = { findings: [], forkSites: [], skipped: false, internalError: `analyze() threw: ${(e as Error).stack ?? e}` };
  }
  return { name: entry.name, language: entry.language, text, config, configError, wants, wantError, result };
}

const fixtures = listFixtures().map(load);
const knownRules = new Set<string>(RULE_METAS.map((m) => m.id));

test('fixtures exist in both languages', () => {
  const c = fixtures.filter((f) => f.language === 'c' && !/^c\/(verify|split)-/.test(f.name)).length;
  const go = fixtures.filter((f) => f.language === 'go' && !/^go\/(verify|split)-/.test(f.name)).length;
  assert.ok(c >= 40, `expected at least 40 C fixtures besides verify-*/split-*, found ${c}`);
  assert.ok(go >= 25, `expected at least 25 Go fixtures besides verify-*/split-*, found ${go}`);
});

for (const fx of fixtures) {
  test(`fixture ${fx.name}`, () => {
    const problems: string[] = [];
    const where = `fixtures/${fx.name}`;
    if (fx.configError) problems.push(`${where}: bad vforklint-config: ${fx.configError}`);
    if (fx.wantError) problems.push(`${where}: bad want comment: ${fx.wantError}`);
    for (const w of fx.wants) {
      if (!knownRules.has(w.rule)) problems.push(`${where}:${w.line}: want names unknown rule "${w.rule}"`);
    }
    if (fx.result.internalError) problems.push(`${where}: analyzer internal error: ${fx.result.internalError}`);
    const { missing, unexpected } = compareFindings(fx.wants, fx.result.findings);
    for (const m of missing) problems.push(`${where}:${m}  (missing)`);
    for (const u of unexpected) problems.push(`${where}:${u}  (unexpected)`);
    assert.ok(problems.length === 0, `\n${problems.join('\n')}\n`);
  });
}

function ruleEnabled(fx: Fixture, rule: string): boolean {
  const meta = RULE_METAS.find((m) => m.id === rule)!;
  const sev = (fx.config.rules as Record<string, string> | undefined)?.[rule] ?? meta.defaultSeverity;
  return sev !== 'off';
}

test('every rule is expected somewhere, in each of its languages (positive coverage)', () => {
  const gaps: string[] = [];
  for (const meta of RULE_METAS) {
    for (const lang of meta.languages) {
      const hit = fixtures.some((f) => f.language === lang && f.wants.some((w) => w.rule === meta.id));
      if (!hit) gaps.push(`${meta.id} (${lang}): no fixture wants it`);
    }
  }
  assert.deepEqual(gaps, []);
});

test('every rule has a clean fixture where it does not fire, in each of its languages (negative coverage)', () => {
  // A negative fixture for rule R is named R-*, enables R, wants no R finding, and
  // exercises R's subject: a fork site (or, for vfork-discouraged, the non-sites it
  // must not flag; for unused-disable-directive, a directive that is used).
  const gaps: string[] = [];
  for (const meta of RULE_METAS) {
    for (const lang of meta.languages) {
      const hit = fixtures.some((f) => {
        const base = f.name.slice(f.name.indexOf('/') + 1);
        if (f.language !== lang || !base.startsWith(`${meta.id}-`)) return false;
        if (!ruleEnabled(f, meta.id) || f.wants.some((w) => w.rule === meta.id)) return false;
        if (meta.id === 'vfork-discouraged') return true;
        if (meta.id === 'unused-disable-directive') return /vforklint-disable/.test(f.text);
        return f.result.forkSites.length > 0;
      });
      if (!hit) gaps.push(`${meta.id} (${lang}): no clean ${lang} fixture named ${meta.id}-* with a fork site`);
    }
  }
  assert.deepEqual(gaps, []);
});

/** The findings of the multi-file fixtures (fixtures/projects, each analysed with its index): some messages only a project has. */
function projectFixtureResults(): Array<{ name: string; result: AnalysisResult }> {
  const out: Array<{ name: string; result: AnalysisResult }> = [];
  const dir = join(fixturesDir, 'projects');
  for (const project of readdirSync(dir).sort()) {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(?:c|h|go)$/.test(name)) files[relative(join(dir, project), p).split('\\').join('/')] = readFileSync(p, 'utf8');
      }
    };
    if (!statSync(join(dir, project)).isDirectory()) continue;
    walk(join(dir, project));
    const index = new ProjectIndex(memoryHost('/project', files));
    for (const [file, text] of Object.entries(files)) {
      const language = languageForPath(file);
      if (language && !file.endsWith('.h')) out.push({ name: `projects/${project}/${file}`, result: analyze(text, language, {}, { project: { index, file } }) });
    }
    index.dispose();
  }
  return out;
}

test('every finding names its message template (messageId), which its data fills to its message; every template is used', () => {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const fx of [...fixtures, ...projectFixtureResults()]) {
    for (const f of fx.result.findings) {
      const where = `fixtures/${fx.name}:${f.range.start.line}: ${f.rule}`;
      const template = RULE_METAS.find((m) => m.id === f.rule)!.messages[f.messageId];
      if (template === undefined) problems.push(`${where}: messageId '${f.messageId}' is not one of the rule's messages`);
      else if (formatMessage(template, f.data) !== f.message) problems.push(`${where}: template '${f.messageId}' with ${JSON.stringify(f.data ?? {})} is not ${JSON.stringify(f.message)}`);
      if (/\{\{/.test(f.message)) problems.push(`${where}: a placeholder left unfilled: ${JSON.stringify(f.message)}`);
      if (!Array.isArray(f.steps)) problems.push(`${where}: no steps array`);
      used.add(`${f.rule}/${f.messageId}`);
    }
  }
  for (const meta of RULE_METAS) {
    for (const id of Object.keys(meta.messages)) if (!used.has(`${meta.id}/${id}`)) problems.push(`${meta.id}: no fixture finding uses message '${id}'`);
  }
  assert.ok(problems.length === 0, `\n${problems.join('\n')}\n`);
});

/**
 * The fork spellings of docs/rules.md, section 2 (and the look-alikes it says are not
 * sites). `call` finds the line of the call in some fixture; the analyzer must report
 * a fork site of `kind` starting on that line (`none`: no site on that line), and a
 * positive spelling's fixture must want at least one finding.
 */
interface Spelling {
  name: string;
  language: Language;
  call: RegExp;
  /** Extra text the same fixture must contain (e.g. the flags assignment). */
  also?: RegExp;
  kind: ForkKind | 'none';
}

const SPELLINGS: Spelling[] = [
  { name: 'vfork()', language: 'c', call: /(?<![\w.])vfork\s*\(\s*\)/, kind: 'vfork' },
  { name: '__vfork()', language: 'c', call: /\b__vfork\s*\(\s*\)/, kind: 'vfork' },
  { name: '__libc_vfork()', language: 'c', call: /\b__libc_vfork\s*\(\s*\)/, kind: 'vfork' },
  { name: '__clone_internal(&args, fn, arg)', language: 'c', call: /\b__clone_internal\s*\(\s*&/, also: /\.flags\s*=\s*clone_flags/, kind: 'clone-fn' },
  { name: '__clone_internal_fallback(&args, fn, arg)', language: 'c', call: /\b__clone_internal_fallback\s*\(\s*&/, kind: 'clone-fn' },
  { name: 'clone with CLONE_THREAD (a thread, not a site)', language: 'c', call: /\b__clone\s*\(\s*start\s*,\s*stack\s*,\s*flags/, also: /\|\s*CLONE_THREAD\b/, kind: 'none' },
  { name: 'prototype (not a site)', language: 'c', call: /\bextern\s+pid_t\s+__vfork\s*\(\s*void\s*\)/, kind: 'none' },
  { name: 'syscall(SYS_vfork)', language: 'c', call: /\bsyscall\s*\(\s*SYS_vfork\s*\)/, kind: 'raw' },
  { name: 'syscall(__NR_vfork)', language: 'c', call: /\bsyscall\s*\(\s*__NR_vfork\s*\)/, kind: 'raw' },
  { name: 'syscall(SYS_clone, CLONE_VM|CLONE_VFORK, 0)', language: 'c', call: /\bsyscall\s*\(\s*SYS_clone\s*,[^;]*CLONE_VM[^;]*CLONE_VFORK|\bsyscall\s*\(\s*SYS_clone\s*,[^;]*CLONE_VFORK[^;]*CLONE_VM/, kind: 'raw' },
  { name: 'syscall(__NR_clone, CLONE_VM|CLONE_VFORK, 0)', language: 'c', call: /\bsyscall\s*\(\s*__NR_clone\s*,[^;]*CLONE_V/, kind: 'raw' },
  { name: 'syscall(SYS_clone, CLONE_VM without CLONE_VFORK)', language: 'c', call: /\bsyscall\s*\(\s*(?:SYS|__NR)_clone\s*,(?![^;]*CLONE_VFORK)[^;]*CLONE_VM/, kind: 'concurrent' },
  { name: 'syscall(SYS_clone3, &args)', language: 'c', call: /\bsyscall\s*\(\s*SYS_clone3\s*,/, also: /\.flags\s*=[^;]*CLONE_VM/, kind: 'raw' },
  { name: 'clone(fn, stack, CLONE_VM..., arg)', language: 'c', call: /(?<![\w.])clone\s*\(\s*\w+\s*,[^;]*CLONE_VM/, kind: 'clone-fn' },
  { name: '__clone(...)', language: 'c', call: /\b__clone\s*\(\s*\w+\s*,[^;]*CLONE_VM/, kind: 'clone-fn' },
  { name: 'flags through a local (flags |= CLONE_VFORK)', language: 'c', call: /\bsyscall\s*\(\s*SYS_clone\s*,\s*flags\b/, also: /flags\s*\|=\s*CLONE_VFORK/, kind: 'raw' },
  { name: 'opaque flags parameter (not a site)', language: 'c', call: /\bsyscall\s*\(\s*SYS_clone\s*,\s*(?:SIGCHLD\s*\|\s*)?extra_flags\b/, kind: 'none' },
  { name: 'fork() (not a site)', language: 'c', call: /(?<![\w.])fork\s*\(\s*\)/, kind: 'none' },
  { name: 'posix_spawn (not a site)', language: 'c', call: /\bposix_spawn\s*\(/, kind: 'none' },
  { name: 'clone without CLONE_VM (not a site)', language: 'c', call: /(?<![\w.])clone\s*\(\s*\w+\s*,(?![^;]*CLONE_VM)[^;]*SIGCHLD/, kind: 'none' },
  { name: 'configured fork wrapper (xvfork)', language: 'c', call: /\bxvfork\s*\(\s*\)/, also: /"forkFunctions"/, kind: 'vfork' },
  { name: 'Go rawVforkSyscall', language: 'go', call: /\brawVforkSyscall\s*\(\s*SYS_CLONE/, kind: 'raw' },
  { name: 'Go vfork.RawVforkSyscall (a copy in another package)', language: 'go', call: /\bvfork\.RawVforkSyscall\s*\(/, kind: 'raw' },
  { name: 'Go RawSyscall(SYS_CLONE, CLONE_VM|CLONE_VFORK)', language: 'go', call: /(?<![\w.])RawSyscall\s*\(\s*SYS_CLONE\s*,[^\n]*CLONE_VFORK/, kind: 'raw' },
  { name: 'Go RawSyscall6(SYS_CLONE, CLONE_VM|CLONE_VFORK)', language: 'go', call: /(?<![\w.])RawSyscall6\s*\(\s*SYS_CLONE\s*,[^\n]*CLONE_VM/, kind: 'raw' },
  { name: 'Go syscall.RawSyscall(SYS_CLONE, ...)', language: 'go', call: /\bsyscall\.RawSyscall\s*\(\s*syscall\.SYS_CLONE\s*,[^\n]*CLONE_VM/, kind: 'raw' },
  { name: 'Go unix.RawSyscall6(SYS_CLONE, ...)', language: 'go', call: /\bunix\.RawSyscall6\s*\(\s*unix\.SYS_CLONE\s*,[^\n]*CLONE_VM/, kind: 'raw' },
  { name: 'Go RawSyscall(SYS_VFORK)', language: 'go', call: /RawSyscall\s*\(\s*(?:syscall\.)?SYS_VFORK\b/, kind: 'raw' },
  { name: 'Go RawSyscall(SYS_CLONE, CLONE_VM without CLONE_VFORK)', language: 'go', call: /RawSyscall6?\s*\(\s*SYS_CLONE\s*,(?![^\n]*CLONE_VFORK)[^\n]*CLONE_VM/, kind: 'concurrent' },
  { name: 'Go RawSyscall6(SYS_CLONE, SIGCHLD|sys.Cloneflags) (not a site)', language: 'go', call: /RawSyscall6\s*\(\s*SYS_CLONE\s*,\s*uintptr\(SIGCHLD\)\s*\|\s*sys\.Cloneflags/, kind: 'none' },
  { name: 'Go RawSyscall(SYS_CLONE, flags with CLONE_THREAD) (a thread, not a site)', language: 'go', call: /RawSyscall\s*\(\s*SYS_CLONE\s*,\s*flags\b/, also: /flags\s*\|=\s*CLONE_THREAD/, kind: 'none' },
  { name: 'Go cgo preamble with vfork', language: 'go', call: /(?<![\w.])vfork\s*\(\s*\)/, also: /import\s+"C"/, kind: 'vfork' },
];

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

test('every fork spelling of docs/rules.md, section 2 is in a fixture and classified as the table says', () => {
  const gaps: string[] = [];
  for (const sp of SPELLINGS) {
    const seen: string[] = [];
    let ok = false;
    for (const f of fixtures) {
      if (f.language !== sp.language || (sp.also && !sp.also.test(f.text))) continue;
      const global = new RegExp(sp.call.source, sp.call.flags.includes('g') ? sp.call.flags : `${sp.call.flags}g`);
      for (const m of f.text.matchAll(global)) {
        const line = lineOfOffset(f.text, m.index!);
        const lineText = f.text.split('\n')[line - 1];
        if (/^\s*(\/\/|\*|\/\*)/.test(lineText)) continue; // prose in a comment
        const sites = f.result.forkSites.filter((s) => s.range.start.line === line);
        const kinds = sites.map((s) => s.kind);
        if (sp.kind === 'none' ? sites.length === 0 : kinds.includes(sp.kind) && f.wants.length > 0) {
          ok = true;
          break;
        }
        seen.push(`fixtures/${f.name}:${line} analysed as ${kinds.length ? kinds.join(',') : 'no site'}${f.wants.length ? '' : ' (fixture wants nothing)'}`);
      }
      if (ok) break;
    }
    if (!ok) gaps.push(`${sp.name} (want ${sp.kind}): ${seen.length ? seen.join('; ') : 'in no fixture'}`);
  }
  assert.ok(gaps.length === 0, `\n${gaps.join('\n')}\n`);
});

test('the want and config parser', () => {
  const text = [
    '// vforklint-config: {"strict": true, "safeFunctions": ["f"]}',
    'x = 1; // want "child-writes-shared" "child-unsafe-call"',
    'url = "http://example.com/want"; // no expectation here',
    'f(/* want "child-unsafe-call" */ g()); // want "child-unsafe-call"',
    '// vforklint-disable-line child-unsafe-call -- reason // want "unused-disable-directive"',
  ].join('\n');
  assert.deepEqual(expectationsFor(text), [
    { line: 2, rule: 'child-writes-shared' },
    { line: 2, rule: 'child-unsafe-call' },
    { line: 4, rule: 'child-unsafe-call' },
    { line: 4, rule: 'child-unsafe-call' },
    { line: 5, rule: 'unused-disable-directive' },
  ]);
  assert.deepEqual(configFor(text), { strict: true, safeFunctions: ['f'] });
  assert.deepEqual(configFor('int x;\n'), {});
  assert.throws(() => configFor('// vforklint-config: {strict: true}\n'), /line 1: vforklint-config is not valid JSON/);
  assert.throws(() => configFor('// vforklint-config: {"strikt": true}\n'), /unknown key "strikt"/);
  assert.throws(() => configFor('\n'.repeat(12) + '// vforklint-config: {}\n'), /first 10 lines/);

  const at = (line: number, rule: string, message = 'm') => ({ rule, message, severity: 'error', range: { start: { line, column: 1 } } });
  const cmp = compareFindings(
    [{ line: 2, rule: 'child-returns' }, { line: 3, rule: 'child-returns' }, { line: 3, rule: 'child-returns' }],
    [at(2, 'child-returns'), at(3, 'child-returns'), at(4, 'child-unsafe-call', 'calls printf')],
  );
  assert.deepEqual(cmp.missing, ['3: child-returns']);
  assert.deepEqual(cmp.unexpected, ['4:1: child-unsafe-call (error) "calls printf"']);

  // `rule-id: regexp` also checks the message (unanchored, case-insensitive), as analysistest does.
  const withMessage = expectationsFor('execv(p, a); // want "child-returns: when `execv` fails" "child-unsafe-call"');
  assert.deepEqual(withMessage.map((e) => [e.line, e.rule, e.message?.source]), [[1, 'child-returns', 'when `execv` fails'], [1, 'child-unsafe-call', undefined]]);
  const ok = compareFindings(withMessage, [at(1, 'child-returns', 'When `execv` fails, the child goes on'), at(1, 'child-unsafe-call')]);
  assert.deepEqual(ok, { missing: [], unexpected: [] });
  const wrong = compareFindings(withMessage, [at(1, 'child-returns', 'The child can reach this return'), at(1, 'child-unsafe-call')]);
  assert.deepEqual(wrong.missing, ['1: child-returns with a message matching /when `execv` fails/i']);
  assert.deepEqual(wrong.unexpected, ['1:1: child-returns (error) "The child can reach this return"']);
  assert.throws(() => expectationsFor('x; // want "child-returns: (unclosed"'), /line 1: bad message regexp/);
});
