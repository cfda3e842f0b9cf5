/**
 * The vforklint CLI as a user runs it: a real `node dist/cli/main.js` process per case.
 * Options, exit codes, each output format, config files and their errors, --stdin.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initParsers, RULE_IDS, RULE_METAS, fixSource } from '../rules/index.js';

await initParsers();

const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, '../cli/main.js');
const REPO = resolve(here, '../..');

export const SAMPLES: Record<string, string> = {
  // child-returns (error)
  'bad.c': '#include <unistd.h>\n\nint run(const char *p)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tclose(p[0]);\n\t\treturn -1;\n\t}\n\treturn pid;\n}\n',
  // child-unsafe-call on an unknown callee (warning)
  'warn.c': '#include <unistd.h>\n\nint spawn_it(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tdrop_privileges();\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n',
  'clean.c': '#include <unistd.h>\n\nint spawn_ok(const char *p)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\texecl(p, p, (char *)0);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n',
  'plain.c': 'int add(int a, int b) { return a + b; }\n',
  // parent-reuses-frame (error) on Go's pre-commit shape
  'bad.go':
    'package syscall\n\n//go:norace\nfunc forkExec(argv0 *byte) (pid int, err Errno) {\n\tvar r1 uintptr\n\tvar err1 Errno\n\tr1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))\n\tif err1 != 0 {\n\t\treturn 0, err1\n\t}\n\tif r1 != 0 {\n\t\tpid = int(r1)\n\t\truntime_AfterFork()\n\t\treturn pid, 0\n\t}\n\tfor {\n\t\tRawSyscall(SYS_EXIT, 253, 0, 0)\n\t}\n}\n',
};

const tmpRoots: string[] = [];
after(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory (outside any git repository) holding the given files. */
export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'vforklint-cli-'));
  tmpRoots.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], opts: { cwd: string; input?: string | Buffer; env?: NodeJS.ProcessEnv }): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, input: opts.input ?? '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...opts.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const LINE = /^(\S+):(\d+):(\d+) (error|warning) (.+) \(([a-z-]+)\)$/;

describe('exit codes and the default output', () => {
  it('prints path:line:col severity message (rule) and a summary; exit 1 on an error', () => {
    const root = tree({ 'src/bad.c': SAMPLES['bad.c']!, 'src/clean.c': SAMPLES['clean.c']! });
    const r = cli(['src'], { cwd: root });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const m = LINE.exec(lines[0]!);
    assert.ok(m, lines[0]);
    assert.equal(m[1], 'src/bad.c');
    assert.equal(m[2], '8');
    assert.equal(m[4], 'error');
    assert.equal(m[6], 'child-returns');
    assert.match(lines.at(-1)!, /1 problem \(1 error, 0 warnings\) in 2 files/);
    assert.equal(r.stderr, '');
  });

  it('exit 0 on clean code, and 0 with warnings only', () => {
    const root = tree({ 'clean.c': SAMPLES['clean.c']!, 'warn.c': SAMPLES['warn.c']! });
    const c = cli(['clean.c'], { cwd: root });
    assert.equal(c.code, 0, c.stderr);
    const w = cli(['warn.c'], { cwd: root });
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stdout, /warn\.c:7:3 warning .*\(child-unsafe-call\)/);
  });

  it('--max-warnings N: exit 1 when there are more than N warnings', () => {
    const root = tree({ 'warn.c': SAMPLES['warn.c']! });
    assert.equal(cli(['--max-warnings', '1', 'warn.c'], { cwd: root }).code, 0);
    const r = cli(['--max-warnings', '0', 'warn.c'], { cwd: root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /too many warnings \(1\)/);
    assert.equal(cli(['--max-warnings', 'many', 'warn.c'], { cwd: root }).code, 2);
  });

  it('--quiet drops warnings from the report', () => {
    const root = tree({ 'warn.c': SAMPLES['warn.c']!, 'bad.c': SAMPLES['bad.c']! });
    const r = cli(['--quiet', '.'], { cwd: root });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /warning /);
    assert.match(r.stdout, /bad\.c:8:3 error/);
  });

  it('--rule and --strict change severities; a bad --rule is a usage error', () => {
    const root = tree({ 'bad.c': SAMPLES['bad.c']!, 'warn.c': SAMPLES['warn.c']! });
    const off = cli(['--rule', 'child-returns:off', 'bad.c'], { cwd: root });
    assert.equal(off.code, 0);
    assert.doesNotMatch(off.stdout, /child-returns/);
    const warning = cli(['--rule', 'child-returns:warning', 'bad.c'], { cwd: root });
    assert.equal(warning.code, 0);
    assert.match(warning.stdout, /bad\.c:8:3 warning/);
    const strict = cli(['--strict', 'warn.c'], { cwd: root });
    assert.equal(strict.code, 1, 'strict makes the unknown callee an error');
    assert.match(strict.stdout, /warn\.c:7:3 error .*child-unsafe-call/);
    for (const bad of ['child-return:error', 'child-returns:fatal', 'child-returns']) {
      const r = cli(['--rule', bad, 'bad.c'], { cwd: root });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /--rule/);
    }
  });

  it('usage errors exit 2 with one line', () => {
    const root = tree({ 'bad.c': SAMPLES['bad.c']! });
    for (const args of [['--no-such-option'], ['--format', 'xml', 'bad.c'], ['--jobs', '0', 'bad.c'], ['--fix', '--fix-dry-run', 'bad.c'], ['--stdin-filename', 'x.c', 'bad.c']]) {
      const r = cli(args, { cwd: root });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^vforklint: /);
      assert.equal(r.stdout, '');
    }
  });

  it('a missing path is reported with its reason, the others are still checked, exit 2', () => {
    const root = tree({ 'bad.c': SAMPLES['bad.c']! });
    const r = cli(['missing.c', 'bad.c'], { cwd: root });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "vforklint: No files matching the pattern 'missing.c' were found.\n");
    assert.match(r.stdout, /bad\.c:8:3 error/);
    assert.match(r.stdout, /^✖ 1 problem \(1 error, 0 warnings\) in 1 file \(1 parsed\); incomplete: 1 path not checked$/m);
    const alone = cli(['missing.c'], { cwd: root });
    assert.equal(alone.code, 2);
    assert.equal(alone.stderr.split('\n').filter(Boolean).length, 1, alone.stderr);
    assert.doesNotMatch(alone.stdout, /✔/);
    assert.match(alone.stdout, /^✖ no files checked: 1 path not checked$/m);
  });

  it('a path that is neither a file nor a directory is an error, not a hang', () => {
    const root = tree({ 'bad.c': SAMPLES['bad.c']! });
    assert.equal(spawnSync('mkfifo', [join(root, 'pipe.c')]).status, 0);
    const r = cli(['pipe.c', 'bad.c'], { cwd: root });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /pipe\.c: not a regular file or directory/);
    assert.match(r.stdout, /bad\.c:8:3 error/);
    assert.equal(cli(['.'], { cwd: root }).code, 1, 'a FIFO met while walking is skipped');
  });

  it('a reader that closes the pipe early does not crash it', () => {
    // More output than a pipe buffer holds (64 KiB), so writes are still pending when head exits.
    const files: Record<string, string> = {};
    for (let i = 0; i < 350; i++) files[`f${i}.c`] = SAMPLES['bad.c']!;
    const root = tree(files);
    const r = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} . | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: root, encoding: 'utf8' });
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|Error/);
    assert.equal(r.stdout.trim(), '1', 'exit code of the lint, not of a crash');
  });

  it('a file without a fork spelling is never parsed', () => {
    const root = tree({ 'plain.c': SAMPLES['plain.c']!, 'bad.c': SAMPLES['bad.c']! });
    const r = cli(['.'], { cwd: root });
    assert.match(r.stdout, /in 2 files \(1 parsed\)/);
  });

  it('--version, --help and --list-rules', () => {
    const root = tree({});
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const v = cli(['--version'], { cwd: root });
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), pkg.version);
    const h = cli(['--help'], { cwd: root });
    assert.equal(h.code, 0);
    for (const opt of ['--format', '--output-file', '--config', '--rule', '--strict', '--max-warnings', '--quiet', '--stdin', '--stdin-filename', '--ignore-path', '--no-ignore', '--ext', '--jobs', '--fix', '--fix-dry-run', '--print-config', '--list-rules', '--version']) {
      assert.ok(h.stdout.includes(opt), `help mentions ${opt}`);
    }
    // One default for --jobs, not commander's second "(default: n)".
    const jobsHelp = h.stdout.slice(h.stdout.indexOf('--jobs'), h.stdout.indexOf('--fix '));
    assert.equal(jobsHelp.match(/default/g)?.length, 1, jobsHelp);
    const l = cli(['--list-rules'], { cwd: root });
    assert.equal(l.code, 0);
    for (const id of RULE_IDS) assert.match(l.stdout, new RegExp(`^${id} `, 'm'));
    // The ESLint plugin's own rule is listed and marked; fixes and the frame split are marked.
    assert.match(l.stdout, /^no-ffi-vfork +error +js,ts +\(ESLint plugin only\) /m);
    assert.match(l.stdout, /^parent-reuses-frame +error +c,go +split /m);
    assert.match(l.stdout, /^child-unsafe-call +error +c,go +fix /m);
    assert.match(l.stdout, /^child-returns +error +c,go +fix +The /m);
    const j = JSON.parse(cli(['--list-rules', '--format', 'json'], { cwd: root }).stdout) as Array<{ id: string; docsUrl: string; fixable: boolean; split: boolean; eslintOnly: boolean }>;
    assert.deepEqual(
      j.map((x) => x.id),
      [...RULE_METAS.map((m) => m.id), 'no-ffi-vfork'],
    );
    assert.deepEqual(j.filter((x) => x.eslintOnly).map((x) => x.id), ['no-ffi-vfork']);
    assert.deepEqual(j.filter((x) => x.split).map((x) => x.id), ['parent-reuses-frame']);
    assert.deepEqual(j.filter((x) => x.fixable).map((x) => x.id), RULE_METAS.filter((m) => m.fixable).map((m) => m.id));
  });
});

describe('formats', () => {
  const files = { 'bad.c': SAMPLES['bad.c']!, 'warn.c': SAMPLES['warn.c']!, 'plain.c': SAMPLES['plain.c']!, 'go/bad.go': SAMPLES['bad.go']! };

  it('compact', () => {
    const root = tree(files);
    const r = cli(['--format', 'compact', '.'], { cwd: root });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^bad\.c: line 8, col 3, Error - .+ \(child-returns\)$/m);
    assert.match(r.stdout, /^warn\.c: line 7, col 3, Warning - .+ \(child-unsafe-call\)$/m);
    assert.match(r.stdout, /^go\/bad\.go: line \d+, col \d+, Error - .+ \(parent-reuses-frame\)$/m);
    assert.match(r.stdout, /^\d+ problems$/m);
    assert.doesNotMatch(r.stdout, /note:/, 'compact stays one line per finding');
  });

  it('stylish: the child\'s path as notes indented under the finding', () => {
    const helper = 'bad_helper.c';
    const text = '#include <stdlib.h>\n#include <unistd.h>\nstatic void grow(void) { (void)malloc(8); }\nstatic void prepare(void) { grow(); }\nvoid run(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprepare();\n\t\t_exit(1);\n\t}\n}\n';
    const root = tree({ [helper]: text });
    const r = cli([helper], { cwd: root });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.slice(0, 6).map((l) => l.replace(/ error .*\((child-unsafe-call)\)$/, ' error ($1)')), [
      'bad_helper.c:9:3 error (child-unsafe-call)',
      '    7:14  note: `vfork()` creates the child here',
      "    8:6  note: `pid == 0`: the child's side",
      '    9:3  note: the child calls `prepare`',
      '    4:29  note: `prepare` calls `grow`',
      '    3:32  note: `grow` calls `malloc` here: `malloc` uses the heap, whose state is shared with the parent',
    ]);
    assert.match(lines[6]!, /1 problem/);
    // github stays one line per finding.
    assert.equal(cli(['--format', 'github', helper], { cwd: root }).stdout.trim().split('\n').length, 1);
  });

  it('json (ESLint shape with messageId, plus related locations and steps)', () => {
    const root = tree(files);
    const r = cli(['--format', 'json', '.'], { cwd: root });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; messageId: string; message: string; severity: number; line: number; column: number; endLine: number; related: unknown[]; steps: unknown[] }>; errorCount: number; warningCount: number }>;
    assert.equal(out.length, 4);
    const bad = out.find((f) => f.filePath === join(root, 'bad.c'))!;
    assert.equal(bad.errorCount, 1);
    assert.equal(bad.messages[0]!.ruleId, 'child-returns');
    assert.equal(bad.messages[0]!.messageId, 'returns');
    // The child's path: the fork, the test that selected the child, the return (RULES section 9).
    assert.deepEqual(
      (bad.messages[0]!.steps as Array<{ message: string; line: number; column: number }>).map((s) => `${s.line}:${s.column} ${s.message}`),
      ['5:14 `vfork()` creates the child here', "6:6 `pid == 0`: the child's side", "8:3 the child returns here, into the parent's frames"],
    );
    for (const m of out.flatMap((f) => f.messages)) {
      const meta = RULE_METAS.find((x) => x.id === m.ruleId)!;
      assert.ok(m.messageId in meta.messages, `${m.ruleId}: messageId ${m.messageId}`);
      assert.ok(Array.isArray(m.steps), 'steps is an array');
    }
    assert.equal(bad.messages[0]!.severity, 2);
    assert.equal(bad.messages[0]!.line, 8);
    assert.ok(bad.messages[0]!.related.length >= 1, 'points at the fork site');
    const warn = out.find((f) => f.filePath.endsWith('warn.c'))!;
    assert.equal(warn.warningCount, 1);
    assert.equal(warn.messages[0]!.severity, 1);
    assert.equal(warn.messages[0]!.messageId, 'unknown');
    assert.equal(out.find((f) => f.filePath.endsWith('bad.go'))!.messages[0]!.messageId, 'work');
    assert.equal(out.find((f) => f.filePath.endsWith('plain.c'))!.messages.length, 0);
  });

  it('github: workflow-command annotations', () => {
    const root = tree(files);
    const r = cli(['--format', 'github', '.'], { cwd: root });
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.every((l) => /^::(error|warning) file=[^,]+,line=\d+,endLine=\d+,col=\d+(,endColumn=\d+)?,title=vforklint \([a-z-]+\)::.+$/.test(l)), r.stdout);
    assert.ok(lines.some((l) => l.startsWith('::error file=bad.c,line=8,')));
    assert.ok(lines.some((l) => l.startsWith('::warning file=warn.c,line=7,')));
    assert.ok(lines.some((l) => l.startsWith('::error file=go/bad.go,')));
    // A path that could not be checked is an annotation too, not only a line in the log.
    const missing = cli(['--format', 'github', 'gone.c', 'bad.c'], { cwd: root });
    assert.equal(missing.code, 2);
    assert.ok(missing.stdout.split('\n').includes("::error title=vforklint::No files matching the pattern 'gone.c' were found."), missing.stdout);
  });

  it('--output-file writes the report there and nothing to stdout', () => {
    const root = tree(files);
    const r = cli(['--format', 'json', '--output-file', 'reports/out.json', '.'], { cwd: root });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const out = JSON.parse(readFileSync(join(root, 'reports/out.json'), 'utf8')) as unknown[];
    assert.equal(out.length, 4);
  });
});

describe('--stdin', () => {
  it('lints standard input, named by --stdin-filename (language and config)', () => {
    const root = tree({ 'sub/.vforklintrc.json': JSON.stringify({ rules: { 'child-returns': 'warning' } }) });
    const c = cli(['--stdin', '--stdin-filename', 'sub/x.c'], { cwd: root, input: SAMPLES['bad.c']! });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^sub\/x\.c:8:3 warning .*\(child-returns\)$/m);
    const go = cli(['--stdin', '--stdin-filename', 'y.go', '--format', 'compact'], { cwd: root, input: SAMPLES['bad.go']! });
    assert.equal(go.code, 1);
    assert.match(go.stdout, /y\.go: line \d+, col \d+, Error - .*parent-reuses-frame/);
    const plain = cli(['--stdin'], { cwd: root, input: SAMPLES['bad.c']! });
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /<stdin>:8:3 error/);
  });

  it('--fix-dry-run on stdin reports what a fix would do and prints a diff when there is one', () => {
    const root = tree({});
    const r = cli(['--stdin', '--stdin-filename', 'w.c', '--fix-dry-run'], { cwd: root, input: SAMPLES['warn.c']! });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const expected = fixSource(SAMPLES['warn.c']!, 'c', {});
    if (expected.changed) assert.match(r.stdout, /^--- a\/w\.c$/m);
    else assert.doesNotMatch(r.stdout, /^--- /m);
    for (const d of expected.declined) assert.ok(r.stdout.includes(d.reason));
  });

  it('rejects an unknown file type and --fix (cannot write stdin)', () => {
    const root = tree({});
    const t = cli(['--stdin', '--stdin-filename', 'notes.txt'], { cwd: root, input: 'x' });
    assert.equal(t.code, 2);
    assert.match(t.stderr, /notes\.txt: not a C or Go file name/);
    const f = cli(['--stdin', '--fix'], { cwd: root, input: 'x' });
    assert.equal(f.code, 2);
    assert.match(f.stderr, /--fix-dry-run/);
  });
});

describe('configuration files', () => {
  it('nearest file upward wins: .vforklintrc.json, vforklint.config.json, package.json "vforklint"', () => {
    const root = tree({
      '.vforklintrc.json': JSON.stringify({ rules: { 'child-returns': 'warning' } }),
      'a/bad.c': SAMPLES['bad.c']!,
      'b/vforklint.config.json': JSON.stringify({ rules: { 'child-returns': 'off' } }),
      'b/bad.c': SAMPLES['bad.c']!,
      'c/package.json': JSON.stringify({ name: 'c', vforklint: { safeFunctions: ['drop_privileges'] } }),
      'c/warn.c': SAMPLES['warn.c']!,
      'd/package.json': JSON.stringify({ name: 'no-config-here' }),
      'd/bad.c': SAMPLES['bad.c']!,
    });
    const r = cli(['--format', 'compact', '.'], { cwd: root });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^a\/bad\.c: line 8, col 3, Warning/m);
    assert.doesNotMatch(r.stdout, /^b\/bad\.c/m);
    assert.doesNotMatch(r.stdout, /^c\/warn\.c/m, 'safeFunctions from package.json');
    assert.match(r.stdout, /^d\/bad\.c: line 8, col 3, Warning/m, 'a package.json without the key is skipped');
  });

  it('precedence: discovered < --config < --rule; --print-config shows the result', () => {
    const root = tree({
      '.vforklintrc.json': JSON.stringify({ rules: { 'child-returns': 'off', 'child-unsafe-call': 'off' }, forkFunctions: ['xvfork'] }),
      'extra.json': JSON.stringify({ rules: { 'child-returns': 'warning' }, strict: true }),
      'bad.c': SAMPLES['bad.c']!,
    });
    assert.equal(cli(['bad.c'], { cwd: root }).code, 0);
    const withConfig = cli(['--config', 'extra.json', 'bad.c'], { cwd: root });
    assert.equal(withConfig.code, 0);
    assert.match(withConfig.stdout, /bad\.c:8:3 warning/);
    assert.equal(cli(['--config', 'extra.json', '--rule', 'child-returns:error', 'bad.c'], { cwd: root }).code, 1);
    assert.equal(cli(['--no-config-lookup', 'bad.c'], { cwd: root }).code, 1);
    const p = cli(['--config', 'extra.json', '--rule', 'vfork-discouraged:warning', '--print-config', 'bad.c'], { cwd: root });
    assert.equal(p.code, 0);
    const printed = JSON.parse(p.stdout) as { rules: Record<string, string>; strict: boolean; forkFunctions: string[]; configFiles: string[] };
    assert.deepEqual(printed.rules, { 'child-returns': 'warning', 'child-unsafe-call': 'off', 'vfork-discouraged': 'warning' });
    assert.equal(printed.strict, true);
    assert.deepEqual(printed.forkFunctions, ['xvfork']);
    assert.deepEqual(printed.configFiles, [join(root, '.vforklintrc.json'), join(root, 'extra.json')]);
    // Every rule with the severity in force for that file, not only the configured ones.
    const inForce = (JSON.parse(p.stdout) as { rulesInForce: Record<string, string> }).rulesInForce;
    assert.deepEqual(Object.keys(inForce), RULE_IDS);
    assert.equal(inForce['child-returns'], 'warning');
    assert.equal(inForce['child-unsafe-call'], 'off');
    assert.equal(inForce['vfork-discouraged'], 'warning');
    for (const m of RULE_METAS.filter((x) => !['child-returns', 'child-unsafe-call', 'vfork-discouraged'].includes(x.id))) assert.equal(inForce[m.id], m.defaultSeverity, m.id);
  });

  it('an unknown key, a bad value or bad JSON: one line naming the file and the key, exit 2', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['.vforklintrc.json', JSON.stringify({ forkFunction: ['x'] }), /\.vforklintrc\.json: "forkFunction" unknown key/],
      ['.vforklintrc.json', JSON.stringify({ rules: { 'child-return': 'error' } }), /\.vforklintrc\.json: "rules\.child-return" unknown rule/],
      ['vforklint.config.json', JSON.stringify({ rules: { 'child-returns': 'fatal' } }), /vforklint\.config\.json: "rules\.child-returns" must be one of "off", "warn", "warning", "error", 0, 1, 2/],
      ['vforklint.config.json', JSON.stringify({ strict: 'yes' }), /vforklint\.config\.json: "strict" must be boolean/],
      ['package.json', JSON.stringify({ vforklint: { safeFunctions: ['ok', 'not a name'] } }), /package\.json \("vforklint" key\): "safeFunctions\[1\]" must be a function name/],
      ['.vforklintrc.json', '{"strict": true,', /\.vforklintrc\.json: invalid JSON/],
    ];
    for (const [name, text, re] of cases) {
      const root = tree({ [name]: text, 'bad.c': SAMPLES['bad.c']! });
      const r = cli(['bad.c'], { cwd: root });
      assert.equal(r.code, 2, `${name} ${text}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
      assert.ok(r.stderr.includes(root), 'names the file by path');
    }
    const root = tree({ 'bad.c': SAMPLES['bad.c']! });
    const missing = cli(['--config', 'nope.json', 'bad.c'], { cwd: root });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read config file \(ENOENT\)/);
  });

  it('the shipped schema names exactly the core rules', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'vforklint.schema.json'), 'utf8')) as { properties: { rules: { properties: Record<string, unknown> } } };
    assert.deepEqual(Object.keys(schema.properties.rules.properties).sort(), [...RULE_IDS].sort());
  });
});

describe('--ext and --jobs', () => {
  it('--ext adds extensions for directory walks', () => {
    const root = tree({ 'src/bad.inc': SAMPLES['bad.c']!, 'src/bad.c': SAMPLES['bad.c']! });
    assert.match(cli(['src'], { cwd: root }).stdout, /in 1 file /);
    const r = cli(['--ext', '.inc', 'src'], { cwd: root });
    assert.match(r.stdout, /^src\/bad\.inc:8:3 error/m);
    assert.match(r.stdout, /in 2 files/);
  });

  it('worker threads give the same report as the main thread', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 450; i++) {
      const go = i % 3 === 0;
      files[`d${i % 7}/f${i}.${go ? 'go' : 'c'}`] = go ? (i % 60 === 0 ? SAMPLES['bad.go']! : `package p\n\n// file ${i}\nfunc F${i}() int { return ${i} }\n`) : i % 40 === 1 ? SAMPLES['bad.c']! : `${SAMPLES['plain.c']!}/* file ${i} */\n`;
    }
    const root = tree(files);
    const one = cli(['--jobs', '1', '--format', 'json', '.'], { cwd: root });
    const many = cli(['--jobs', '3', '--format', 'json', '.'], { cwd: root });
    assert.equal(one.code, 1);
    assert.equal(many.code, 1, many.stderr);
    assert.equal(many.stdout, one.stdout);
    const parsed = JSON.parse(many.stdout) as Array<{ errorCount: number }>;
    assert.equal(parsed.length, 450);
    // bad.c at i = 1, 41, ..., 441 (i % 3 != 0 for all but 81, 201, 321, 441), bad.go at i = 0, 60, ..., 420
    assert.equal(parsed.filter((f) => f.errorCount > 0).length, 12 - 4 + 8);
  });

  it('worker threads find the project\'s fork wrappers as the main thread does', () => {
    // Fork wrappers in the first and the last fork-spelling file, called from files linted
    // early and late (by either worker): the calls are fork sites only where a worker found
    // both wrappers.
    const wrapper = (name: string) => `#include <unistd.h>\n\npid_t ${name}(void)\n{\n\tpid_t p = vfork();\n\treturn p;\n}\n`;
    const caller = (name: string) => `#include <stdio.h>\n#include <unistd.h>\n\npid_t ${name}(void);\n\nvoid run_${name}(void)\n{\n\tif (${name}() == 0) {\n\t\tprintf("child\\n");\n\t\t_exit(1);\n\t}\n}\n`;
    const files: Record<string, string> = { 'a/first.c': wrapper('spawn_first'), 'z/last.c': wrapper('spawn_last') };
    for (let i = 0; i < 6; i++) files[`m/fork${i}.c`] = SAMPLES['bad.c']!;
    for (let i = 0; i < 440; i++) files[`f/f${i}.c`] = i === 5 || i === 430 ? caller(i === 5 ? 'spawn_last' : 'spawn_first') : `${SAMPLES['plain.c']!}/* file ${i} */\n`;
    const root = tree(files);
    const one = cli(['--jobs', '1', '--format', 'json', '--project-root', '.', '.'], { cwd: root });
    const many = cli(['--jobs', '2', '--format', 'json', '--project-root', '.', '.'], { cwd: root });
    assert.equal(one.code, 1, one.stderr);
    assert.equal(many.stdout, one.stdout);
    const parsed = JSON.parse(many.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string }> }>;
    for (const f of ['f/f5.c', 'f/f430.c']) {
      const messages = parsed.find((r) => r.filePath === join(root, f))?.messages ?? [];
      assert.ok(messages.some((m) => m.ruleId === 'child-unsafe-call'), `${f}: the wrapper's child calls printf: ${JSON.stringify(messages)}`);
    }
  });
});

describe('--fix and --fix-dry-run', () => {
  it('--fix writes exactly what fixSource produces, keeps the mode, and reports', () => {
    const root = tree({ 'warn.c': SAMPLES['warn.c']!, 'bad.go': SAMPLES['bad.go']! });
    for (const name of ['warn.c', 'bad.go']) {
      const path = join(root, name);
      const before = readFileSync(path, 'utf8');
      const mode = statSync(path).mode;
      const expected = fixSource(before, name.endsWith('.go') ? 'go' : 'c', {});
      const r = cli(['--fix', name], { cwd: root });
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const after = readFileSync(path, 'utf8');
      assert.equal(after, expected.changed ? expected.text : before);
      assert.equal(statSync(path).mode, mode);
      for (const a of expected.changed ? expected.applied : []) assert.ok(r.stdout.includes(`fixed: ${a.title}`), r.stdout);
      for (const d of expected.declined) assert.ok(r.stdout.includes(`fix declined (${d.rule}): ${d.reason}`), r.stdout);
    }
  });

  it('--fix-dry-run writes nothing', () => {
    const root = tree({ 'warn.c': SAMPLES['warn.c']!, 'bad.go': SAMPLES['bad.go']! });
    const before = [readFileSync(join(root, 'warn.c')), readFileSync(join(root, 'bad.go'))];
    const mtimes = [statSync(join(root, 'warn.c')).mtimeMs, statSync(join(root, 'bad.go')).mtimeMs];
    const r = cli(['--fix-dry-run', '.'], { cwd: root });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.deepEqual([readFileSync(join(root, 'warn.c')), readFileSync(join(root, 'bad.go'))], before);
    assert.deepEqual([statSync(join(root, 'warn.c')).mtimeMs, statSync(join(root, 'bad.go')).mtimeMs], mtimes);
    const expected = fixSource(SAMPLES['warn.c']!, 'c', {});
    if (expected.changed) assert.match(r.stdout, /^--- a\/warn\.c\n\+\+\+ b\/warn\.c\n@@ /m);
  });

  it('says so when there is nothing to fix', () => {
    const root = tree({ 'clean.c': SAMPLES['clean.c']! });
    const dry = cli(['--fix-dry-run', 'clean.c'], { cwd: root });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^nothing to fix: --fix would change no file$/m);
    const fix = cli(['--fix', 'clean.c'], { cwd: root });
    assert.equal(fix.code, 0, fix.stderr);
    assert.match(fix.stdout, /^nothing to fix: no file was changed$/m);
    assert.equal(readFileSync(join(root, 'clean.c'), 'utf8'), SAMPLES['clean.c']);
  });
});
