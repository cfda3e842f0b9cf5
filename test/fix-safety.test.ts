/**
 * `vforklint --fix` never loses code: the real CLI (dist/cli/main.js, its own process)
 * on temp copies of fixtures, with the failures made real:
 * - the file changes on disk after vforklint read it and before it writes (a preload that
 *   edits the file then: once growing it, once same-size with the mtime put back);
 * - the fixer's output has new parse errors (a module hook that breaks the core's output);
 * - a read-only file (mode 0444) and a read-only file system (a tmpfs remounted ro);
 * - the disk fills up part way through the write (a tmpfs with one free page, and
 *   RLIMIT_FSIZE via `ulimit -f`, which fails the write part way with EFBIG).
 * In every case the original bytes and mode stay as they were, no temp file is left
 * behind, and the CLI says in one line why nothing was written.
 *
 * And no fix changes program data: after `--fix` on every fixture, the bytes of every
 * string, character and raw string literal are those of the original, as a multiset (the
 * frame split moves literals, it never edits them); directive-like text inside literals is
 * never taken for a directive and removed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { literalMultiset } from '../rules/comments.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'main.js');
const C_FIXTURE = join(REPO, 'fixtures', 'c', 'split-c-basic.c');
const GO_FIXTURE = join(REPO, 'fixtures', 'go', 'split-go-basic.go');

const work = mkdtempSync(join(tmpdir(), 'vforklint-fix-safety-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
function freshDir(): string {
  const d = join(work, `case-${n++}`);
  mkdirSync(d);
  return d;
}

function stripWants(text: string): string {
  return text.replace(/ *\/\/ want "[^"]*"(?: "[^"]*")*/g, '');
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, files: string[], options: { nodeArgs?: string[]; env?: Record<string, string>; ulimitBlocks?: number } = {}): Run {
  const args = [...(options.nodeArgs ?? []), CLI, '--fix', '--no-config-lookup', '--no-progress', '-j', '1', ...files];
  const env = { ...process.env, NO_COLOR: '1', ...options.env };
  const r =
    options.ulimitBlocks === undefined
      ? spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 60_000 })
      : spawnSync('bash', ['-c', `ulimit -f ${options.ulimitBlocks} && exec "$0" "$@"`, process.execPath, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Nothing but the original (and what the test put there) is left in the directory. */
function assertNoTempFiles(dir: string, expected: string[]): void {
  assert.deepEqual(readdirSync(dir).sort(), [...expected].sort(), 'no temporary file may be left behind');
}

function assertNotWritten(r: Run, path: string, original: Buffer, why: RegExp): void {
  const out = r.stdout + r.stderr;
  assert.ok(readFileSync(path).equals(original), `the original must be untouched\n--- CLI said:\n${out}`);
  assert.match(out, /not written/, `the CLI must say the file was not written\n--- CLI said:\n${out}`);
  assert.match(out, why, `the CLI must say why\n--- CLI said:\n${out}`);
  assert.doesNotMatch(out, /internal error|\n\s+at /, 'no crash, no stack trace');
  const line = out.split('\n').find((l) => /not written/.test(l))!;
  assert.ok(line.length < 400, `one short line: ${line}`);
}

/**
 * A preload that edits `FIX_SAFETY_TARGET` after the CLI read it and before it writes:
 * at the CLI's first write-side call (create, write, rename) in the target's directory,
 * whichever fs API it uses.
 */
function touchPreload(dir: string): string {
  const file = join(dir, '..', 'touch-before-write.mjs');
  writeFileSync(
    file,
    `import fs from 'node:fs';
import { dirname } from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
const target = process.env.FIX_SAFETY_TARGET;
const mode = process.env.FIX_SAFETY_MODE;
const real = { readFileSync: fs.readFileSync, writeFileSync: fs.writeFileSync };
let done = false;
function touch(path, flags) {
  if (done || !target || typeof path !== 'string' || dirname(path) !== dirname(target)) return;
  if (flags !== undefined && !/[wa+]/.test(String(flags)) && typeof flags !== 'number') return;
  done = true;
  if (mode === 'append') fs.appendFileSync(target, '\\n/* edited in the editor meanwhile */\\n');
  else {
    // Same length, same mtime: only the bytes tell.
    const st = fs.statSync(target);
    real.writeFileSync(target, real.readFileSync(target, 'utf8').replace('status', 'STATUS'));
    fs.utimesSync(target, st.atime, st.mtime);
  }
}
for (const [obj, name, flagArg] of [[fs, 'writeFileSync', -1], [fs, 'openSync', 1], [fs, 'renameSync', -1], [fs, 'createWriteStream', -1], [fs.promises, 'writeFile', -1], [fs.promises, 'open', 1], [fs.promises, 'rename', -1]]) {
  const orig = obj[name];
  obj[name] = function (path, ...rest) {
    touch(typeof path === 'string' ? path : String(path), flagArg < 0 ? undefined : rest[flagArg - 1] ?? 'r');
    return orig.call(this, path, ...rest);
  };
}
syncBuiltinESMExports();
`,
  );
  return pathToFileURL(file).href;
}

/** A module hook that makes the core's fixSource return text with a new syntax error. */
function breakingFixerHook(dir: string): string {
  const hooks = join(dir, '..', 'break-fixer-hooks.mjs');
  writeFileSync(
    hooks,
    `export async function load(url, context, next) {
  const r = await next(url, context);
  if (url.endsWith('/dist/rules/fixes/apply.js')) {
    const source = String(r.source).replace('export function fixSource(', 'function realFixSource(') +
      '\\nexport function fixSource(t, l, c) { const o = realFixSource(t, l, c); return { ...o, changed: true, text: o.text + "\\\\nint broken( {\\\\n" }; }\\n';
    return { ...r, source, shortCircuit: true };
  }
  return r;
}
`,
  );
  const register = join(dir, '..', 'break-fixer.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return pathToFileURL(register).href;
}

/** A C fixture padded with a comment so that it fits in 4096 bytes and its fix does not. */
function paddedFixture(dir: string): { path: string; original: Buffer } {
  const base = readFileSync(C_FIXTURE, 'utf8');
  const pad = `/*${' padding'.repeat(Math.floor((3800 - base.length) / 8))} */\n`;
  const path = join(dir, 'padded.c');
  writeFileSync(path, pad + base);
  const original = readFileSync(path);
  assert.ok(original.length < 4096, `the original (${original.length} bytes) fits in one 4096-byte page`);
  return { path, original };
}

function tryMountTmpfs(dir: string, size: string): string | undefined {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}); needs root with CAP_SYS_ADMIN`;
  mounts.push(dir);
  return undefined;
}

describe('vforklint --fix never loses code', () => {
  test('control: the fix is written when nothing goes wrong (C and Go)', () => {
    const d = freshDir();
    copyFileSync(C_FIXTURE, join(d, 'a.c'));
    copyFileSync(GO_FIXTURE, join(d, 'a.go'));
    const r = cli(d, ['a.c', 'a.go']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(stripWants(readFileSync(join(d, 'a.c'), 'utf8')), stripWants(readFileSync(C_FIXTURE.replace(/\.c$/, '.fixed'), 'utf8')));
    assert.equal(stripWants(readFileSync(join(d, 'a.go'), 'utf8')), stripWants(readFileSync(GO_FIXTURE.replace(/\.go$/, '.fixed'), 'utf8')));
    assertNoTempFiles(d, ['a.c', 'a.go']);
  });

  test('control: the preload and the size limit themselves do not stop a normal fix', () => {
    const d = freshDir();
    copyFileSync(C_FIXTURE, join(d, 'a.c'));
    const r = cli(d, ['a.c'], { nodeArgs: ['--import', touchPreload(d)], env: { FIX_SAFETY_TARGET: '/nonexistent' }, ulimitBlocks: 64 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(readFileSync(join(d, 'a.c'), 'utf8'), /run_tool_vfork/);
  });

  for (const mode of ['append', 'same-size'] as const) {
    test(`a file changed on disk after it was read is not written (${mode === 'append' ? 'grown' : 'same size, mtime restored'})`, () => {
      const d = freshDir();
      const path = join(d, 'a.c');
      copyFileSync(C_FIXTURE, path);
      const r = cli(d, ['a.c'], { nodeArgs: ['--import', touchPreload(d)], env: { FIX_SAFETY_TARGET: path, FIX_SAFETY_MODE: mode } });
      const now = readFileSync(path, 'utf8');
      const original = readFileSync(C_FIXTURE, 'utf8');
      const expected = mode === 'append' ? `${original}\n/* edited in the editor meanwhile */\n` : original.replace('status', 'STATUS');
      assert.equal(now, expected, `the concurrent edit must survive, and no fix be applied over it\n--- CLI said:\n${r.stdout}${r.stderr}`);
      assertNotWritten(r, path, Buffer.from(expected), /changed/);
      assertNoTempFiles(d, ['a.c']);
    });
  }

  test('a fixed text with new parse errors is not written', () => {
    const d = freshDir();
    const path = join(d, 'a.c');
    copyFileSync(C_FIXTURE, path);
    const original = readFileSync(path);
    const r = cli(d, ['a.c'], { nodeArgs: ['--import', breakingFixerHook(d)] });
    assertNotWritten(r, path, original, /pars/);
    assertNoTempFiles(d, ['a.c']);
  });

  test('a read-only file (mode 0444) is not written, even by root', () => {
    const d = freshDir();
    const path = join(d, 'a.c');
    copyFileSync(C_FIXTURE, path);
    chmodSync(path, 0o444);
    const original = readFileSync(path);
    const r = cli(d, ['a.c']);
    assert.equal(statSync(path).mode & 0o777, 0o444, 'the mode is kept');
    assertNotWritten(r, path, original, /read-only|permission|EACCES|EPERM/i);
    assertNoTempFiles(d, ['a.c']);
  });

  test('a file on a read-only file system is not written', (t) => {
    const d = freshDir();
    const skip = tryMountTmpfs(d, '1m');
    if (skip) return t.skip(skip);
    const path = join(d, 'a.c');
    copyFileSync(C_FIXTURE, path);
    const original = readFileSync(path);
    const ro = spawnSync('mount', ['-o', 'remount,ro', d], { encoding: 'utf8' });
    if (ro.status !== 0) return t.skip(`cannot remount read-only: ${ro.stderr.trim()}`);
    const r = cli(d, ['a.c']);
    assertNotWritten(r, path, original, /EROFS|read-only/i);
    assertNoTempFiles(d, ['a.c']);
  });

  test('a full disk (tmpfs with one free page) fails the write part way: the original is untouched', (t) => {
    const d = freshDir();
    const skip = tryMountTmpfs(d, '64k');
    if (skip) return t.skip(skip);
    const { path, original } = paddedFixture(d);
    // Fill the file system, then give back exactly one page: the temp file's first 4096
    // bytes fit, the rest does not.
    const filler = join(d, 'filler');
    const fill = spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4096'], { encoding: 'utf8' });
    assert.match(fill.stderr, /No space left/, 'the tmpfs is full');
    truncateSync(filler, statSync(filler).size - 4096);
    const r = cli(d, ['padded.c']);
    assertNotWritten(r, path, original, /ENOSPC|space/i);
    assertNoTempFiles(d, ['padded.c', 'filler']);
  });

  test('a write that fails part way (RLIMIT_FSIZE, EFBIG) leaves the original untouched', () => {
    const d = freshDir();
    const { path, original } = paddedFixture(d);
    const r = cli(d, ['padded.c'], { ulimitBlocks: 4 });
    assertNotWritten(r, path, original, /EFBIG|too large/i);
    assertNoTempFiles(d, ['padded.c']);
  });

  test('invalid UTF-8 in a file is never rewritten', () => {
    const d = freshDir();
    const path = join(d, 'a.c');
    const original = Buffer.concat([Buffer.from('/* caf\xe9 in Latin-1: */\n', 'latin1'), readFileSync(C_FIXTURE)]);
    writeFileSync(path, original);
    const r = cli(d, ['a.c']);
    assertNotWritten(r, path, original, /UTF-8/);
    assertNoTempFiles(d, ['a.c']);
  });

  test('no fix changes a literal: --fix on every fixture keeps the literals as a multiset', () => {
    const d = freshDir();
    const files: Array<{ name: string; language: 'c' | 'go'; original: string }> = [];
    for (const language of ['c', 'go'] as const) {
      const dir = join(REPO, 'fixtures', language);
      for (const name of readdirSync(dir).filter((n) => n.endsWith(`.${language}`) && !n.startsWith('fuzz-regression-'))) {
        const original = readFileSync(join(dir, name), 'utf8');
        writeFileSync(join(d, name), original);
        files.push({ name, language, original });
      }
    }
    const r = cli(d, files.map((f) => f.name), { nodeArgs: [] });
    assert.doesNotMatch(r.stdout + r.stderr, /internal error/, r.stdout + r.stderr);
    let changed = 0;
    for (const f of files) {
      const after = readFileSync(join(d, f.name), 'utf8');
      if (after !== f.original) changed++;
      assert.deepEqual(literalMultiset(after, f.language), literalMultiset(f.original, f.language), `${f.name}: --fix changed a literal`);
    }
    assert.ok(changed >= 10, `--fix changed ${changed} fixtures: the property is checked on real fixes`);
  });

  test('--fix leaves directive-like text in C and Go literals intact', () => {
    const d = freshDir();
    const names = ['c/suppress-directive-in-string-no-fork.c', 'c/suppress-directive-in-string.c', 'go/suppress-go-directive-in-string.go'];
    for (const n of names) copyFileSync(join(REPO, 'fixtures', n), join(d, n.split('/')[1]));
    const r = cli(d, names.map((n) => n.split('/')[1]));
    for (const n of names) {
      const original = readFileSync(join(REPO, 'fixtures', n), 'utf8');
      const after = readFileSync(join(d, n.split('/')[1]), 'utf8');
      const language = n.endsWith('.go') ? 'go' : 'c';
      const directiveLike = literalMultiset(original, language).filter((l) => l.includes('vforklint-'));
      assert.ok(directiveLike.length >= 2, n);
      for (const l of directiveLike) assert.ok(after.includes(l), `${n}: --fix removed text from the literal ${l}\n--- CLI said:\n${r.stdout}${r.stderr}`);
    }
  });
});
