/**
 * The fixes (issue 3): the frame split against its golden fixtures, checked by real
 * compilers (gcc -std=gnu11 -Wall -Werror -c; gofmt -l and go vet in a small module),
 * re-linted (no parent-reuses-frame or child-returns) and fixed again (no change);
 * every decline with its one-line reason; the seed's division of statements; the small
 * fixes; and fixSource never writing a text that parses worse than its input.
 *
 * A golden `split-NAME.fixed` is fixSource applied to `split-NAME.{c,go}` with its
 * `// want` comments removed (they would otherwise drift to wherever the split moves
 * the statements they annotate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { analyze, applyEdits, fixSource, initParsers, parseSource, releaseTree } from '../rules/index.js';
import type { Language, SyntaxNode } from '../rules/index.js';
import { parseErrors } from '../rules/fixes/apply.js';

await initParsers();

const here = dirname(fileURLToPath(import.meta.url));
const root = here.includes(join('dist', 'test')) ? join(here, '..', '..') : join(here, '..');
const fixturesDir = join(root, 'fixtures');

/** Remove `// want "..."` comments (and the blanks before them). */
export function stripWants(text: string): string {
  return text.replace(/[ \t]*(?:\/\/|\/\*)\s*want\s+"[^\n]*?(?:\*\/)?(?=\n|$)/g, '');
}

interface SplitFixture {
  name: string;
  language: Language;
  input: string;
  golden: string;
  /** From a `// decline: TEXT` line: the split must be declined with a reason containing TEXT. */
  decline?: string;
}

function splitFixtures(): SplitFixture[] {
  const out: SplitFixture[] = [];
  for (const [dir, ext, language] of [['c', '.c', 'c'], ['go', '.go', 'go']] as const) {
    for (const f of readdirSync(join(fixturesDir, dir)).sort()) {
      if (!f.startsWith('split-') || !f.endsWith(ext)) continue;
      const path = join(fixturesDir, dir, f);
      const goldenPath = path.slice(0, -ext.length) + '.fixed';
      const text = readFileSync(path, 'utf8');
      out.push({
        name: `${dir}/${f}`,
        language,
        input: stripWants(text),
        golden: existsSync(goldenPath) ? readFileSync(goldenPath, 'utf8') : '<missing .fixed>',
        decline: /^\/\/ decline: (.+)$/m.exec(text)?.[1].trim(),
      });
    }
  }
  return out;
}

const fixtures = splitFixtures();

function haveTool(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

test('there are at least 10 Go and 10 C splits, and a decline fixture for each kind of decline', () => {
  const splits = fixtures.filter((f) => !f.decline);
  assert.ok(splits.filter((f) => f.language === 'go').length >= 10, 'Go splits');
  assert.ok(splits.filter((f) => f.language === 'c').length >= 10, 'C splits');
  const reasons = fixtures.filter((f) => f.decline).map((f) => f.decline!).join('\n');
  for (const kind of ['jumps across the fork', '`defer`', 'which the child writes', 'inside a loop', 'may hide control flow', 'preprocessor directives']) {
    assert.ok(reasons.includes(kind), `a decline fixture for: ${kind}`);
  }
});

for (const fx of fixtures) {
  test(`fix ${fx.name}: golden, re-lint, idempotent`, () => {
    const before = analyze(fx.input, fx.language);
    assert.equal(before.internalError, undefined);
    const frame = before.findings.filter((f) => f.rule === 'parent-reuses-frame');
    assert.ok(frame.length > 0, 'the fixture has a parent-reuses-frame finding');
    const out = fixSource(fx.input, fx.language);
    assert.equal(out.text, fx.golden, `fixSource output differs from ${fx.name.replace(/\.(c|go)$/, '.fixed')}`);
    if (fx.decline) {
      for (const f of frame) {
        assert.ok(f.fixDeclined?.includes(fx.decline), `finding on line ${f.range.start.line}: expected a decline with "${fx.decline}", got ${f.fixDeclined ?? 'a split'}`);
        assert.equal(f.fixDeclined!.split('\n').length, 1, 'one-line reason');
        assert.ok(!f.fixes.some((x) => x.kind === 'split'), 'no split offered when declined');
      }
      assert.ok(out.declined.some((d) => d.rule === 'parent-reuses-frame' && d.reason.includes(fx.decline!)), 'fixSource reports the decline');
      assert.equal(out.applied.filter((a) => a.rule === 'parent-reuses-frame').length, 0);
      return;
    }
    for (const f of frame) assert.ok(f.fixes.some((x) => x.kind === 'split' && !x.safe), `finding on line ${f.range.start.line} offers the split (as a suggestion)`);
    assert.ok(out.applied.some((a) => a.rule === 'parent-reuses-frame'), 'the split was applied');
    const after = analyze(out.text, fx.language);
    const bad = after.findings.filter((f) => f.rule === 'parent-reuses-frame' || f.rule === 'child-returns');
    assert.deepEqual(bad.map((f) => `${f.range.start.line}: ${f.rule}: ${f.message}`), [], 're-lint of the fixed text');
    assert.equal(parseErrors(out.text, fx.language), parseErrors(fx.input, fx.language), 'no new parse errors');
    const again = fixSource(out.text, fx.language);
    assert.equal(again.changed, false, 'fixing the fixed text again changes nothing');
  });
}

test('every C .fixed compiles with gcc -std=gnu11 -Wall -Werror -c', (t) => {
  if (!haveTool('gcc', ['--version'])) assert.fail('gcc not found: install Debian package gcc (listed in .ci/debian-packages.d/fix.txt)');
  const dir = mkdtempSync(join(tmpdir(), 'vforklint-fix-c-'));
  try {
    for (const fx of fixtures.filter((f) => f.language === 'c')) {
      const src = join(dir, 'fixed.c');
      writeFileSync(src, fx.golden);
      const r = spawnSync('gcc', ['-std=gnu11', '-Wall', '-Werror', '-I', join(root, 'native'), '-c', src, '-o', join(dir, 'fixed.o')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${fx.name}.fixed does not compile:\n${r.stderr}`);
    }
    t.diagnostic(`${fixtures.filter((f) => f.language === 'c').length} C goldens compiled`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every Go .fixed is gofmt-clean and passes go vet in a small module', (t) => {
  if (!haveTool('go', ['version'])) assert.fail('go not found: install Debian package golang-go (listed in .ci/debian-packages.d/fix.txt)');
  const dir = mkdtempSync(join(tmpdir(), 'vforklint-fix-go-'));
  const env = { ...process.env, GOPATH: join(dir, 'gopath'), GOCACHE: join(dir, 'gocache'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GO111MODULE: 'on', GOPROXY: 'off' };
  try {
    for (const fx of fixtures.filter((f) => f.language === 'go')) {
      const mod = join(dir, fx.name.replace(/[^\w]/g, '_'));
      execFileSync('mkdir', ['-p', mod]);
      writeFileSync(join(mod, 'go.mod'), 'module fixture\n\ngo 1.19\n');
      writeFileSync(join(mod, 'fixed.go'), fx.golden);
      const fmt = spawnSync('gofmt', ['-l', 'fixed.go'], { cwd: mod, encoding: 'utf8' });
      assert.equal(fmt.status, 0, `gofmt failed on ${fx.name}.fixed: ${fmt.stderr}`);
      assert.equal(fmt.stdout.trim(), '', `${fx.name}.fixed is not gofmt-formatted:\n${spawnSync('gofmt', ['-d', 'fixed.go'], { cwd: mod, encoding: 'utf8' }).stdout}`);
      const vet = spawnSync('go', ['vet', './...'], { cwd: mod, encoding: 'utf8', env });
      assert.equal(vet.status, 0, `go vet failed on ${fx.name}.fixed:\n${vet.stderr}`);
    }
    t.diagnostic(`${fixtures.filter((f) => f.language === 'go').length} Go goldens formatted and vetted`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The top-level statements of a Go function, one normalised line each. */
function goStatements(text: string, name: string): string[] {
  const tree = parseSource(text, 'go');
  const named = (n: SyntaxNode) => n.namedChildren.filter((c) => c !== null);
  const fn = named(tree.rootNode).find((n) => n.type === 'function_declaration' && n.childForFieldName('name')?.text === name);
  assert.ok(fn, `function ${name} in the fixed text`);
  const body = fn.childForFieldName('body')!;
  const list = named(body).find((c) => c.type === 'statement_list');
  const lines = (list ? named(list) : []).filter((c) => c.type !== 'comment').map((c) => c.text.split('\n')[0].trim());
  releaseTree(tree);
  return lines;
}

test("the seed's split divides its statements as Go commit 67e5375 does", () => {
  const fx = fixtures.find((f) => f.name === 'go/split-seed-forkexec.go');
  assert.ok(fx, 'seed fixture');
  const out = fixSource(fx.input, 'go').text;
  // The outer function: call, AfterFork under `locked`, the failure return, then the parent's work.
  assert.deepEqual(goStatements(out, 'forkAndExecInChild'), [
    'r1, err1, p, locked := forkAndExecInChild1(argv0, argv, envv, attr, sys, pipe)',
    'if locked {',
    'if err1 != 0 {',
    'pid = int(r1)',
    'if sys.UidMappings != nil || sys.GidMappings != nil {',
    'return pid, 0',
  ]);
  assert.match(out, /if locked \{\n\t\truntime_AfterFork\(\)\n\t\}\n\tif err1 != 0 \{\n\t\treturn 0, err1\n\t\}/);
  // err2: the parent's is a fresh local of the outer function, declared where the commit declares it.
  assert.match(out, /err := writeUidGidMappings\(pid, sys\)\n\t\tvar err2 Errno\n\t\tif err != nil \{/);
  const inner = goStatements(out, 'forkAndExecInChild1');
  assert.ok(inner.includes('locked = true'), 'locked = true before the fork');
  assert.ok(inner.includes('if err1 != 0 || r1 != 0 {'), 'the immediate return');
  assert.ok(!inner.some((s) => s.includes('runtime_AfterFork()')), 'no parent post-fork work in the inner function');
  assert.match(out, /func forkAndExecInChild1\(argv0 \*byte, argv, envv \[\]\*byte, attr \*ProcAttr, sys \*SysProcAttr, pipe int\) \(r1 uintptr, err1 Errno, p \[2\]int, locked bool\)/);
  assert.match(out, /if err := forkExecPipe\(p\[:\]\); err != nil \{\n\t\t\terr1 = err\.\(Errno\)\n\t\t\treturn\n/);
  assert.match(out, /\/\/go:noinline\n\/\/go:norace\nfunc forkAndExecInChild1/);
  // The inner var block keeps err2 (the child reads into it) and loses r1, err1, p.
  assert.match(out, /var \(\n\t\terr2   Errno\n\t\tnextfd int\n\t\ti      int\n\t\)/);
});

test('every finding carries a "disable for this line" fix that silences it', () => {
  const fx = fixtures.find((f) => f.name === 'c/split-c-basic.c')!;
  const result = analyze(fx.input, 'c');
  const f = result.findings[0];
  const suppress = f.fixes.find((x) => x.kind === 'suppress');
  assert.ok(suppress && !suppress.safe);
  for (const x of result.findings) assert.ok(x.fixes.some((y) => y.kind === 'suppress'), `finding on line ${x.range.start.line}`);
  const text = applyEdits(fx.input, suppress.edits);
  assert.match(text, new RegExp(`\\n\\t// vforklint-disable-next-line ${f.rule}\\n\\t`));
  const again = analyze(text, 'c').findings;
  assert.ok(!again.some((x) => x.rule === f.rule && x.range.start.line === f.range.start.line + 1), 'silenced');
  assert.ok(!again.some((x) => x.rule === 'unused-disable-directive'), 'the directive is used');
});

test('missing-norace: --fix inserts //go:norace, gofmt-clean after a doc comment', () => {
  const src = [
    'package p',
    '',
    '// spawn forks.',
    'func spawn() (r1 uintptr, err1 Errno) {',
    '\tr1, _, err1 = RawSyscall(SYS_CLONE, CLONE_VM|CLONE_VFORK, 0, 0)',
    '\tif err1 != 0 || r1 != 0 {',
    '\t\treturn',
    '\t}',
    '\tfor {',
    '\t\tRawSyscall(SYS_EXIT, 0, 0, 0)',
    '\t}',
    '}',
    '',
  ].join('\n');
  const finding = analyze(src, 'go').findings.find((f) => f.rule === 'missing-norace');
  assert.ok(finding?.fixes.some((x) => x.kind === 'norace' && x.safe));
  const out = fixSource(src, 'go');
  assert.match(out.text, /\/\/ spawn forks\.\n\/\/\n\/\/go:norace\nfunc spawn/);
  assert.ok(!analyze(out.text, 'go').findings.some((f) => f.rule === 'missing-norace'));
  assert.equal(fixSource(out.text, 'go').changed, false);
});

test('inlinable-fork-frame: --fix adds __attribute__((noinline)); exit( becomes _exit( in the child', () => {
  const src = [
    '#define _GNU_SOURCE',
    '#include <sched.h>',
    '#include <signal.h>',
    '#include <stdlib.h>',
    '#include <sys/syscall.h>',
    '',
    'static long spawn(char *const argv[])',
    '{',
    '\tlong pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);',
    '\tif (pid != 0)',
    '\t\treturn pid;',
    '\texit(1);',
    '}',
    '',
    'long run(char *const argv[]) { return spawn(argv); }',
    '',
  ].join('\n');
  const findings = analyze(src, 'c').findings;
  assert.ok(findings.some((f) => f.rule === 'inlinable-fork-frame' && f.fixes.some((x) => x.kind === 'noinline' && x.safe)));
  assert.ok(findings.some((f) => f.rule === 'child-unsafe-call' && f.fixes.some((x) => x.kind === 'exit' && x.safe)));
  const out = fixSource(src, 'c');
  assert.match(out.text, /static __attribute__\(\(noinline\)\) long spawn/);
  assert.match(out.text, /\t_exit\(1\);/);
  assert.match(out.text, /#include <unistd\.h>\n/);
  const left = analyze(out.text, 'c').findings.filter((f) => f.severity === 'error' || f.rule === 'inlinable-fork-frame');
  assert.deepEqual(left.map((f) => `${f.range.start.line} ${f.rule}`), []);
  const dir = mkdtempSync(join(tmpdir(), 'vforklint-fix-small-'));
  try {
    writeFileSync(join(dir, 'a.c'), out.text);
    const r = spawnSync('gcc', ['-std=gnu11', '-Wall', '-Werror', '-c', join(dir, 'a.c'), '-o', join(dir, 'a.o')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(fixSource(out.text, 'c').changed, false);
});

test('fixSource never makes a text parse worse, and a second run changes nothing (mutated fixtures)', () => {
  const pool = fixtures.filter((f) => !f.decline);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: pool.length - 1 }), fc.nat(), fc.constantFrom('delete', 'duplicate', 'brace'), (i, lineSeed, how) => {
      const fx = pool[i];
      const lines = fx.input.split('\n');
      const at = lineSeed % lines.length;
      if (how === 'delete') lines.splice(at, 1);
      else if (how === 'duplicate') lines.splice(at, 0, lines[at]);
      else lines[at] += ' {';
      const text = lines.join('\n');
      const out = fixSource(text, fx.language);
      assert.ok(parseErrors(out.text, fx.language) <= parseErrors(text, fx.language), `${fx.name} (${how} line ${at + 1}) parses worse after fixing`);
      assert.equal(fixSource(out.text, fx.language).text, out.text, `${fx.name} (${how} line ${at + 1}): a second run changed the text`);
    }),
    { numRuns: 60, seed: 4242 },
  );
});

test('CRLF files: the same split, with CRLF line ends throughout', () => {
  for (const fx of fixtures) {
    const crlf = fx.input.replace(/\n/g, '\r\n');
    const out = fixSource(crlf, fx.language);
    assert.equal(out.text, fx.golden.replace(/\n/g, '\r\n'), `${fx.name} in CRLF`);
    assert.ok(!/[^\r]\n/.test(out.text), `${fx.name}: a bare LF in the CRLF result`);
  }
});

test('Go: a return before the fork that carries no error is declined (the outer function could not route it)', () => {
  const src = [
    'package p',
    '',
    '//go:norace',
    'func spawn(n int) (pid int, err Errno) {',
    '\tif n == 0 {',
    '\t\treturn 1, 0',
    '\t}',
    '\tr1, _, err1 := RawSyscall(SYS_CLONE, CLONE_VM|CLONE_VFORK, 0, 0)',
    '\tif err1 != 0 {',
    '\t\treturn 0, err1',
    '\t}',
    '\tif r1 == 0 {',
    '\t\tfor {',
    '\t\t\tRawSyscall(SYS_EXIT, 0, 0, 0)',
    '\t\t}',
    '\t}',
    '\tpid = int(r1)',
    '\treturn pid, 0',
    '}',
    '',
  ].join('\n');
  const f = analyze(src, 'go').findings.find((x) => x.rule === 'parent-reuses-frame');
  assert.ok(f, 'parent-reuses-frame');
  assert.match(f.fixDeclined ?? '', /return before the fork/);
  assert.equal(fixSource(src, 'go').changed, false);
});
