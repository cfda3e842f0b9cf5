/**
 * The CLI against real file systems: .gitignore and the other ignore sources, symbolic link
 * loops, unreadable files, globs, invalid UTF-8, the progress line (absent when piped,
 * present on a real terminal), and the write path of --fix (atomic, mode kept, refusals).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { unifiedDiff } from '../cli/diff.js';
import { lintFile, type Fixer } from '../cli/lint-file.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, '../cli/main.js');

const BAD_C = '#include <unistd.h>\n\nint run(const char *p)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tchdir(p);\n\t\treturn -1;\n\t}\n\treturn pid;\n}\n';
const CLEAN_C = 'int add(int a, int b) { return a + b; }\n';

const roots: string[] = [];
after(() => {
  for (const d of roots) {
    spawnSync('chmod', ['-R', 'u+rwX', d]);
    rmSync(d, { recursive: true, force: true });
  }
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'vforklint-files-'));
  chmodSync(root, 0o755);
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, wrap: string[] = []): { code: number | null; stdout: string; stderr: string } {
  const [cmd, ...pre] = wrap.length ? wrap : [process.execPath];
  const r = spawnSync(cmd!, [...pre, ...(wrap.length ? [process.execPath] : []), CLI, ...args], { cwd, encoding: 'utf8', input: '', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function reported(stdout: string): string[] {
  return [...new Set(stdout.split('\n').flatMap((l) => /^(\S+?):\d+:\d+ /.exec(l)?.[1] ?? []))].sort();
}

describe('ignoring', () => {
  it('honours .gitignore files (ancestors up to the repository root, nested, negations)', () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'build/\n*.gen.c\n',
      'src/.gitignore': 'vendor/\n!keep.gen.c\n',
      'src/a.c': BAD_C,
      'src/x.gen.c': BAD_C,
      'src/keep.gen.c': BAD_C,
      'src/vendor/v.c': BAD_C,
      'build/b.c': BAD_C,
      'src/node_modules/m.c': BAD_C,
    });
    assert.deepEqual(reported(cli(['.'], root).stdout), ['src/a.c', 'src/keep.gen.c']);
    // Starting below the root still applies the root's .gitignore.
    assert.deepEqual(reported(cli(['src'], join(root)).stdout), ['src/a.c', 'src/keep.gen.c']);
    assert.deepEqual(reported(cli(['.'], join(root, 'src')).stdout), ['a.c', 'keep.gen.c']);
    // --no-ignore turns every ignore source off (but .git is never entered).
    assert.deepEqual(reported(cli(['--no-ignore', '.'], root).stdout), ['build/b.c', 'src/a.c', 'src/keep.gen.c', 'src/node_modules/m.c', 'src/vendor/v.c', 'src/x.gen.c']);
    // A file named on the command line is linted even when .gitignore lists it.
    assert.deepEqual(reported(cli(['build/b.c'], root).stdout), ['build/b.c']);
  });

  it('--ignore-path and config ignorePatterns', () => {
    const root = tree({
      'my-ignore': 'gen/\n',
      'gen/g.c': BAD_C,
      'lib/.vforklintrc.json': JSON.stringify({ ignorePatterns: ['legacy/**', 'old.c'] }),
      'lib/legacy/l.c': BAD_C,
      'lib/old.c': BAD_C,
      'lib/new.c': BAD_C,
      'old.c': BAD_C,
    });
    assert.deepEqual(reported(cli(['.'], root).stdout), ['gen/g.c', 'lib/new.c', 'old.c']);
    assert.deepEqual(reported(cli(['--ignore-path', 'my-ignore', '.'], root).stdout), ['lib/new.c', 'old.c']);
    // ignorePatterns also skip files named explicitly (pre-commit passes every staged file).
    assert.deepEqual(reported(cli(['lib/old.c', 'lib/new.c'], root).stdout), ['lib/new.c']);
    const missing = cli(['--ignore-path', 'nope', '.'], root);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--ignore-path nope: cannot read/);
  });

  it('expands glob patterns', () => {
    const root = tree({ 'a/one.c': BAD_C, 'a/b/two.c': BAD_C, 'a/b/three.go': 'package p\n' });
    assert.deepEqual(reported(cli(['a/**/*.c'], root).stdout), ['a/b/two.c', 'a/one.c']);
    const none = cli(['z/**/*.c'], root);
    assert.equal(none.code, 2);
    assert.equal(none.stderr, "vforklint: No files matching the pattern 'z/**/*.c' were found.\n");
  });
});

/**
 * How to run the CLI so that a chmod 000 file is really unreadable: as root, through
 * setpriv as `nobody`, provided that user can read the checkout; null when impossible.
 */
function unprivileged(): { wrap: string[] } | { skip: string } {
  if (process.getuid?.() !== 0) return { wrap: [] };
  const wrap = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  const probe = spawnSync(wrap[0]!, [...wrap.slice(1), process.execPath, '-e', `import(${JSON.stringify(new URL(`file://${CLI}`).href)}).then(() => process.exit(0), () => process.exit(3))`, '--', '--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skip: `running as root and user nobody cannot load the CLI from this checkout (${(probe.stderr || probe.error?.message || '').split('\n')[0]})` };
  return { wrap };
}

describe('unreadable entries and symbolic links', () => {
  it('reports an unreadable file and a symlink loop, still checks the rest, exit 2', (t) => {
    const how = unprivileged();
    if ('skip' in how) return t.skip(how.skip);
    const root = tree({ 'ok/bad.c': BAD_C, 'ok/clean.c': CLEAN_C, 'secret/locked.c': BAD_C, 'loop/inner/x.c': CLEAN_C });
    chmodSync(join(root, 'secret/locked.c'), 0o000);
    symlinkSync('..', join(root, 'loop/inner/up'));
    symlinkSync('self', join(root, 'loop/self'));
    symlinkSync('ok', join(root, 'alias'));
    // As root, permissions do not stop reads: the CLI runs as an unprivileged user then.
    const r = cli(['--format', 'compact', '.'], root, {}, how.wrap);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^vforklint: secret\/locked\.c: cannot read file \(EACCES: permission denied\)$/m);
    assert.match(r.stderr, /^vforklint: warning: loop\/inner\/up: symbolic link loop/m);
    assert.match(r.stderr, /^vforklint: warning: loop\/self: symbolic link loop/m);
    // The readable files were still checked (the alias of ok/ is not checked twice).
    assert.match(r.stdout, /^ok\/bad\.c: line 8, col 3, Error/m);
    assert.equal(r.stdout.match(/bad\.c: line 8/g)?.length, 1);
    assert.doesNotMatch(r.stdout, /locked/);
  });

  it('a symlink loop alone is a warning: exit code from the findings', () => {
    const root = tree({ 'ok/bad.c': BAD_C, 'loop/x.c': CLEAN_C });
    symlinkSync('..', join(root, 'loop/up'));
    const r = cli(['.'], root);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vforklint: warning: loop\/up: symbolic link loop/m);
    assert.equal(r.stdout.match(/bad\.c:8:3 error/g)?.length, 1);
  });

  it('an unreadable directory is reported, the rest still checked', (t) => {
    const how = unprivileged();
    if ('skip' in how) return t.skip(how.skip);
    const root = tree({ 'ok/bad.c': BAD_C, 'closed/c.c': BAD_C });
    chmodSync(join(root, 'closed'), 0o000);
    const r = cli(['.'], root, {}, how.wrap);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /closed: EACCES: permission denied/);
    assert.match(r.stdout, /^ok\/bad\.c:8:3 error/m);
  });

  it('a file with invalid UTF-8 is still analysed', () => {
    const root = tree({});
    writeFileSync(join(root, 'latin1.c'), Buffer.concat([Buffer.from('/* caf\xe9 */\n', 'latin1'), Buffer.from(BAD_C)]));
    const r = cli(['latin1.c'], root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^latin1\.c:9:3 error .*child-returns/m);
  });
});

describe('never a silent green', () => {
  const TICK = /✔/;

  it('a directory whose files are all ignored exits 2 with ESLint\'s message (.gitignore, ignorePatterns, a glob)', () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'build/\n',
      'build/gen.c': BAD_C,
      'lib/.vforklintrc.json': JSON.stringify({ ignorePatterns: ['old/**'] }),
      'lib/old/o.c': BAD_C,
      'src/a.c': CLEAN_C,
    });
    for (const arg of ['build', 'build/', 'lib/old', 'build/*.c']) {
      const r = cli([arg], root);
      assert.equal(r.code, 2, `${arg}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, `vforklint: All files matched by '${arg}' are ignored.\n`);
      assert.doesNotMatch(r.stdout, TICK);
    }
    // The other arguments are still checked, and the run still fails.
    const mixed = cli(['src', 'build'], root);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stdout, /^⚠ incomplete: 1 path not checked; no problems found in 1 file \(0 parsed\)$/m);
  });

  it('a dotfiles home under git (`*` in .gitignore): the default run and a named directory both exit 2', () => {
    const home = tree({ '.git/HEAD': 'ref: refs/heads/main\n', '.gitignore': '*\n', 'src/tool/a.c': BAD_C, 'notes.go': 'package notes\n' });
    const here = cli([], home);
    assert.equal(here.code, 2);
    assert.equal(here.stderr, "vforklint: All files matched by '.' are ignored.\n");
    const sub = cli(['.'], join(home, 'src/tool'));
    assert.equal(sub.code, 2);
    assert.equal(sub.stderr, "vforklint: All files matched by '.' are ignored.\n");
    assert.doesNotMatch(sub.stdout, TICK);
  });

  it('a directory or pattern with no C or Go files at all: "No files matching the pattern"', () => {
    const root = tree({ 'docs/readme.txt': 'hello\n', 'src/a.c': CLEAN_C });
    const r = cli(['docs'], root);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "vforklint: No files matching the pattern 'docs' were found.\n");
    assert.match(r.stdout, /^✖ no files checked: 1 path not checked$/m);
  });

  it('a file named on the command line that is ignored: ESLint\'s warning, exit from the findings; --no-warn-ignored silences it', () => {
    const root = tree({ '.vforklintrc.json': JSON.stringify({ ignorePatterns: ['gen/**'] }), 'gen/g.c': BAD_C, 'src/a.c': BAD_C, 'notes.txt': 'x\n' });
    const r = cli(['gen/g.c'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'vforklint: warning: gen/g.c: File ignored because of a matching ignore pattern. Use "--no-ignore" to disable file ignore settings or use "--no-warn-ignored" to suppress this warning.\n');
    assert.equal(r.stdout, 'no files checked\n');
    const quiet = cli(['--no-warn-ignored', 'gen/g.c', 'notes.txt', 'src/a.c'], root);
    assert.equal(quiet.code, 1);
    assert.equal(quiet.stderr, '');
    assert.match(quiet.stdout, /^src\/a\.c:8:3 error/m);
    assert.match(cli(['notes.txt'], root).stderr, /^vforklint: warning: notes\.txt: not a C or Go file/);
  });

  it('--no-error-on-unmatched-pattern: missing paths and all-ignored patterns are skipped (lint-staged, pre-commit)', () => {
    const root = tree({ '.gitignore': 'build/\n', '.git/HEAD': 'x\n', 'build/b.c': BAD_C, 'src/a.c': BAD_C });
    const skipped = cli(['--no-error-on-unmatched-pattern', 'build', 'gone.c', 'none/*.c'], root);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stderr, '');
    assert.equal(skipped.stdout, 'no files checked\n');
    const rest = cli(['--no-error-on-unmatched-pattern', 'build', 'gone.c', 'src/a.c'], root);
    assert.equal(rest.code, 1);
    assert.deepEqual(reported(rest.stdout), ['src/a.c']);
    // Without the flag the same arguments fail.
    assert.equal(cli(['gone.c', 'src/a.c'], root).code, 2);
  });

  it('a run with parts not analysed has no tick; the summary says so', () => {
    const fixture = resolve(here, '../../fixtures/c/fuzz-regression-many-sites.c');
    const root = tree({ 'many.c': readFileSync(fixture, 'utf8') });
    const r = cli(['--no-config-lookup', 'many.c'], root);
    assert.match(r.stderr, /^vforklint: warning: many\.c:\d+: lines \d+-\d+ not fully analysed: /m);
    assert.doesNotMatch(r.stdout, TICK);
    assert.match(r.stdout, /incomplete: 1 part not analysed/);
  });

  it('a complete clean run keeps the tick', () => {
    const root = tree({ 'a.c': CLEAN_C });
    assert.equal(cli(['.'], root).stdout, '✔ no problems in 1 file (0 parsed)\n');
  });

  it('JSON and SARIF carry paths that could not be checked (ESLint\'s fatal entry; executionSuccessful false)', () => {
    const root = tree({ 'src/a.c': BAD_C });
    symlinkSync('loop', join(root, 'loop'));
    const json = cli(['--format', 'json', 'src', 'gone.c', 'loop'], root);
    assert.equal(json.code, 2);
    const entries = JSON.parse(json.stdout) as Array<{ filePath: string; errorCount: number; fatalErrorCount: number; messages: Array<{ ruleId: string | null; fatal?: boolean; severity: number; message: string }> }>;
    const byPath = new Map(entries.map((e) => [e.filePath, e]));
    assert.deepEqual(byPath.get(join(root, 'gone.c'))?.messages, [{ ruleId: null, fatal: true, severity: 2, message: "No files matching the pattern 'gone.c' were found.", line: 0, column: 0 }]);
    const loop = byPath.get(join(root, 'loop'))!;
    assert.equal(loop.fatalErrorCount, 1);
    assert.match(loop.messages[0]!.message, /ELOOP/);
    assert.ok(byPath.get(join(root, 'src/a.c'))!.errorCount > 0);

    const sarif = cli(['--format', 'sarif', 'src', 'gone.c'], root);
    assert.equal(sarif.code, 2);
    const inv = (JSON.parse(sarif.stdout) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; message: { text: string } }> }> }> }).runs[0]!.invocations[0]!;
    assert.equal(inv.executionSuccessful, false);
    assert.deepEqual(
      inv.toolExecutionNotifications.map((n) => [n.level, n.message.text]),
      [['error', "No files matching the pattern 'gone.c' were found."]],
    );
    const ok = JSON.parse(cli(['--format', 'sarif', 'src'], root).stdout) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean }> }> };
    assert.equal(ok.runs[0]!.invocations[0]!.executionSuccessful, true);
  });

  it('an unreadable directory appears in JSON and SARIF', (t) => {
    const how = unprivileged();
    if ('skip' in how) return t.skip(how.skip);
    const root = tree({ 'ok/bad.c': BAD_C, 'closed/c.c': BAD_C });
    chmodSync(join(root, 'closed'), 0o000);
    const json = cli(['--format', 'json', '.'], root, {}, how.wrap);
    assert.equal(json.code, 2, json.stderr);
    const closed = (JSON.parse(json.stdout) as Array<{ filePath: string; fatalErrorCount: number; messages: Array<{ fatal: boolean; message: string }> }>).find((e) => e.filePath === join(root, 'closed'));
    assert.ok(closed, json.stdout);
    assert.equal(closed.fatalErrorCount, 1);
    assert.match(closed.messages[0]!.message, /EACCES: permission denied/);
    const sarif = cli(['--format', 'sarif', '.'], root, {}, how.wrap);
    const inv = (JSON.parse(sarif.stdout) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; message: { text: string } }> }> }> }).runs[0]!.invocations[0]!;
    assert.equal(inv.executionSuccessful, false);
    assert.ok(inv.toolExecutionNotifications.some((n) => n.level === 'error' && /closed: EACCES/.test(n.message.text)), JSON.stringify(inv));
  });

  it('the fix diff prints removed lines before added ones', () => {
    assert.equal(unifiedDiff('a\nold\nb\n', 'a\nnew\nb\n', 'a/x', 'b/x'), '--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-old\n+new\n b\n');
  });
});

describe('progress', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`f${i}.c`] = CLEAN_C;

  it('is absent when stderr is piped', () => {
    const root = tree(files);
    const r = cli(['.'], root, { VFORKLINT_PROGRESS_DELAY_MS: '0' });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.doesNotMatch(r.stdout, /\/30 files/);
  });

  it('is shown on a terminal (a real pty through script(1)), and never with --no-progress', () => {
    const root = tree(files);
    const run = (extra: string) => spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ${extra} . 2>&1`, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, VFORKLINT_PROGRESS_DELAY_MS: '0', NO_COLOR: '1' } });
    const shown = run('');
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /vforklint: \d+\/30 files \(\d+%\)/);
    assert.match(shown.stdout, /no problems in 30 files/);
    const hidden = run('--no-progress');
    assert.doesNotMatch(hidden.stdout, /\/30 files/);
  });
});

describe('--fix writing', () => {
  // A stand-in for fixSource that really changes the text, so the write path can be exercised.
  const renameFixer: Fixer = (text) => {
    const out = text.replace('return -1;', '_exit(127);');
    return { text: out, changed: out !== text, applied: out !== text ? [{ rule: 'child-returns', title: 'End the child with _exit', line: 8 }] : [], declined: [] };
  };

  it('writes atomically, keeps the mode, leaves no temporary file', async () => {
    const root = tree({ 'a.c': BAD_C });
    const path = join(root, 'a.c');
    chmodSync(path, 0o640);
    const r = await lintFile({ path, language: 'c', config: {} }, 'fix', renameFixer);
    assert.equal(r.fix?.written, true, r.fix?.refused);
    assert.equal(readFileSync(path, 'utf8'), BAD_C.replace('return -1;', '_exit(127);'));
    assert.equal(statSync(path).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(root), ['a.c']);
    assert.ok(!r.findings.some((f) => f.rule === 'child-returns'), 'reports the findings left after the fix');
  });

  it('writes through a symbolic link to the real file', async () => {
    const root = tree({ 'real.c': BAD_C });
    symlinkSync('real.c', join(root, 'link.c'));
    const r = await lintFile({ path: join(root, 'link.c'), language: 'c', config: {} }, 'fix', renameFixer);
    assert.equal(r.fix?.written, true);
    assert.ok(statSync(join(root, 'link.c')).isFile());
    assert.match(readFileSync(join(root, 'real.c'), 'utf8'), /_exit\(127\)/);
    assert.equal(spawnSync('test', ['-L', join(root, 'link.c')]).status, 0, 'the link is still a link');
  });

  it('refuses a file that is not valid UTF-8, byte for byte untouched', async () => {
    const root = tree({});
    const path = join(root, 'bad.c');
    const bytes = Buffer.concat([Buffer.from([0x2f, 0x2a, 0xff, 0xfe, 0x2a, 0x2f, 0x0a]), Buffer.from(BAD_C)]);
    writeFileSync(path, bytes);
    const r = await lintFile({ path, language: 'c', config: {} }, 'fix', renameFixer);
    assert.equal(r.fix?.written, false);
    assert.match(r.fix?.refused ?? '', /not valid UTF-8/);
    assert.deepEqual(readFileSync(path), bytes);
  });

  it('refuses when the file changed on disk after it was read', async () => {
    const root = tree({ 'a.c': BAD_C });
    const path = join(root, 'a.c');
    const racing: Fixer = (text, language, config) => {
      writeFileSync(path, `${BAD_C}/* edited meanwhile */\n`);
      return renameFixer(text, language, config);
    };
    const r = await lintFile({ path, language: 'c', config: {} }, 'fix', racing);
    assert.equal(r.fix?.written, false);
    assert.match(r.fix?.refused ?? '', /changed on disk/);
    assert.equal(readFileSync(path, 'utf8'), `${BAD_C}/* edited meanwhile */\n`);
    assert.deepEqual(readdirSync(root), ['a.c']);
  });

  it('refuses a fix whose output no longer parses', async () => {
    const root = tree({ 'a.c': BAD_C });
    const path = join(root, 'a.c');
    const breaking: Fixer = (text) => ({ text: text.replace('return -1;', 'return -1; }}} ((('), changed: true, applied: [{ rule: 'child-returns', title: 'x', line: 8 }], declined: [] });
    const r = await lintFile({ path, language: 'c', config: {} }, 'fix', breaking);
    assert.equal(r.fix?.written, false);
    assert.match(r.fix?.refused ?? '', /would not parse/);
    assert.equal(readFileSync(path, 'utf8'), BAD_C);
  });

  it('dry run: a unified diff that patch(1) applies', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'int x;', '}', ''), { maxLength: 30 }), fc.array(fc.constantFrom('a', 'b', 'c', 'int x;', '}', ''), { maxLength: 30 }), fc.boolean(), (a, b, nl) => {
        const oldText = a.join('\n') + (nl && a.length ? '\n' : '');
        const newText = b.join('\n') + (b.length ? '\n' : '');
        const root = tree({ 'f.c': oldText });
        const diff = unifiedDiff(oldText, newText, 'a/f.c', 'b/f.c');
        if (oldText === newText) return diff === '';
        const p = spawnSync('patch', ['-s', '-p1', '--no-backup-if-mismatch'], { cwd: root, input: diff, encoding: 'utf8' });
        assert.equal(p.status, 0, `${p.stdout}${p.stderr}\n${diff}`);
        assert.equal(readFileSync(join(root, 'f.c'), 'utf8'), newText);
        return true;
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});
