/**
 * End to end: the real `eslint` CLI in a sample project (test/eslint-e2e) whose flat config
 * uses `vforklint/eslint-plugin` beside `typescript-eslint`, on .c, .go and .ts files:
 * the messages, exit codes, `--fix`, and eslint-disable comments.
 *
 * The project is copied to a temporary directory (so `--fix` never touches the repo), with
 * a node_modules holding links to this package and to eslint / typescript-eslint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initParsers, analyze, parseSource } from '../rules/index.js';

await initParsers();

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROJECT = join(ROOT, 'test', 'eslint-e2e');
const ESLINT_BIN = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

let dir = '';

function eslint(...args: string[]) {
  const r = spawnSync(process.execPath, [ESLINT_BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonResult {
  filePath: string;
  messages: Array<{ ruleId: string | null; line: number; column: number; message: string; fix?: unknown; severity: number }>;
  suppressedMessages: Array<{ ruleId: string | null; line: number; suppressions: Array<{ kind: string; justification: string }> }>;
}

function lintJson(...paths: string[]): { status: number | null; results: JsonResult[]; stderr: string } {
  const r = eslint('--format', 'json', ...paths);
  assert.ok(r.stdout.startsWith('['), `eslint printed no JSON (exit ${r.status}): ${r.stderr}`);
  return { status: r.status, results: JSON.parse(r.stdout) as JsonResult[], stderr: r.stderr };
}

function summary(results: JsonResult[]): string[] {
  return results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)}:${m.line}:${m.column} ${m.ruleId}`)).sort();
}

const EXPECTED = [
  'src/exec_linux.go:11:2 vforklint/child-returns',
  'src/exec_linux.go:3:6 vforklint/missing-norace',
  'src/ffi.ts:10:22 vforklint/no-ffi-vfork',
  'src/spawn.c:15:3 vforklint/child-writes-shared',
  'src/spawn.c:17:3 vforklint/child-unsafe-call',
];

describe('eslint CLI on a C + Go + TypeScript project', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vforklint-eslint-e2e-'));
    cpSync(PROJECT, dir, { recursive: true });
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'vforklint'), 'dir');
    for (const dep of ['eslint', 'typescript-eslint', 'typescript']) symlinkSync(join(ROOT, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the expected messages in all three languages and exits 1', () => {
    const { status, results } = lintJson('.');
    assert.equal(status, 1);
    assert.deepEqual(summary(results), EXPECTED);
    const byFile = new Map(results.map((r) => [r.filePath.slice(dir.length + 1), r]));
    assert.deepEqual([...byFile.keys()].sort(), ['eslint.config.js', 'src/clean.c', 'src/clean.go', 'src/exec_linux.go', 'src/ffi.ts', 'src/spawn.c', 'src/spawn.ts']);
    const ffi = byFile.get('src/ffi.ts')!.messages[0];
    assert.match(ffi.message, /`vfork` is bound through FFI \(koffi\).*child_process\.spawn/);
    // The messages are the core's, word for word.
    const spawnC = readFileSync(join(dir, 'src', 'spawn.c'), 'utf8');
    const core = analyze(spawnC, 'c', { noReturnFunctions: ['die'] }).findings.filter((f) => f.range.start.line === 17);
    // ESLint adds the short path chain after the core's message.
    assert.ok(byFile.get('src/spawn.c')!.messages.find((m) => m.line === 17)!.message.startsWith(core[0].message));
  });

  it('eslint-disable comments in C and Go suppress, with their justification', () => {
    const { results } = lintJson('src/spawn.c', 'src/exec_linux.go');
    const suppressed = results.flatMap((r) => r.suppressedMessages.map((m) => `${r.filePath.slice(dir.length + 1)}:${m.line} ${m.ruleId} ${m.suppressions.map((s) => `${s.kind}:${s.justification}`).join(',')}`)).sort();
    assert.deepEqual(suppressed, [
      'src/exec_linux.go:23 vforklint/child-returns directive:',
      'src/spawn.c:27 vforklint/child-unsafe-call directive:debugging build only',
      'src/spawn.c:39 vforklint/child-returns directive:',
    ]);
  });

  it('exits 0 on clean files, and prints stylish output for people', () => {
    const clean = eslint('src/clean.c', 'src/clean.go', 'src/spawn.ts');
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.equal(clean.stdout.trim(), '');
    const text = eslint('src/spawn.c');
    assert.equal(text.status, 1);
    assert.match(text.stdout, /17:3\s+error\s+The child calls `exit` after `vfork`.*vforklint\/child-unsafe-call/);
    assert.match(text.stdout, /1 error and 0 warnings potentially fixable with the `--fix` option/);
  });

  it('a bad languageOptions key is a one-line configuration error and exit 2', () => {
    writeFileSync(
      join(dir, 'bad.config.js'),
      "import vforklint from 'vforklint/eslint-plugin';\nexport default [...vforklint.configs.recommended, { files: ['**/*.c'], languageOptions: { strcit: true } }];\n",
    );
    const r = eslint('--config', 'bad.config.js', 'src/clean.c');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /ESLint languageOptions: "strcit" unknown key \(allowed: /);
  });

  it('--fix applies the safe fixes (exit -> _exit, //go:norace), leaves the rest, and the result re-parses', () => {
    const beforeC = readFileSync(join(dir, 'src', 'spawn.c'), 'utf8');
    const beforeGo = readFileSync(join(dir, 'src', 'exec_linux.go'), 'utf8');
    const { status, results } = (() => {
      const r = eslint('--fix', '--format', 'json', 'src');
      return { status: r.status, results: JSON.parse(r.stdout) as JsonResult[] };
    })();
    assert.equal(status, 1, 'findings without a safe fix remain');
    assert.deepEqual(summary(results), ['src/exec_linux.go:12:2 vforklint/child-returns', 'src/ffi.ts:10:22 vforklint/no-ffi-vfork', 'src/spawn.c:15:3 vforklint/child-writes-shared']);
    const afterC = readFileSync(join(dir, 'src', 'spawn.c'), 'utf8');
    const afterGo = readFileSync(join(dir, 'src', 'exec_linux.go'), 'utf8');
    assert.equal(afterC, beforeC.replace('\t\texit(127);', '\t\t_exit(127);'));
    assert.equal(afterGo, beforeGo.replace('func forkExec(', '//go:norace\nfunc forkExec('));
    assert.equal(parseSource(afterGo, 'go').rootNode.hasError, false);
    assert.equal(parseSource(afterC, 'c').rootNode.hasError, false);
    // A second --fix changes nothing.
    eslint('--fix', 'src');
    assert.equal(readFileSync(join(dir, 'src', 'spawn.c'), 'utf8'), afterC);
    assert.equal(readFileSync(join(dir, 'src', 'exec_linux.go'), 'utf8'), afterGo);
  });
});
