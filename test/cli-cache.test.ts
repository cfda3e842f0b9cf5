/**
 * `--cache` / `--cache-location` as a user runs them: a small project whose forking file
 * calls a helper defined in another file. A cached result is reused only while the file,
 * its configuration and the helper summaries it read are unchanged, so editing the helper
 * alone updates the forking file's finding. Reuse is observed through the
 * `VFORKLINT_DEBUG=cache` line (counts, no timing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempProject } from './temp-project.js';
import { MIN_FILES_FOR_WORKERS } from '../cli/lint.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = resolve(here, '../cli/main.js');

const FORK_C = `#include <unistd.h>
#include "helper.h"

int spawn(const char *path)
{
	pid_t pid = vfork();
	if (pid == 0) {
		run_child(path);
	}
	return pid;
}
`;
const HELPER_H = 'void run_child(const char *path);\n';
/** The helper returns: so does the child, into spawn()'s frame. */
const HELPER_RETURNS = `#include <unistd.h>
#include "helper.h"

void run_child(const char *path)
{
	(void)path;
}
`;
/** The helper never returns. */
const HELPER_EXITS = `#include <unistd.h>
#include "helper.h"

void run_child(const char *path)
{
	(void)path;
	_exit(127);
}
`;
/** A file with a fork site that reads nothing from other files. */
const ALONE_C = `#include <unistd.h>

int alone(const char *p)
{
	pid_t pid = vfork();
	if (pid == 0) {
		execl(p, p, (char *)0);
		_exit(127);
	}
	return pid;
}
`;

const project = (files: Record<string, string>): string => tempProject('vforklint-cache-', files);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Files whose stored result was reused, and files analysed, from the debug line. */
  reused: number;
  analysed: number;
  /** "file:line rule" of every finding. */
  findings: string[];
  /** Files found unchanged by their stat alone, files read to be hashed; the whole run replayed from the cache (nothing linted). */
  statHits: number;
  hashed: number;
  /** The walk of the tree was replayed from the cache (no directory it read changed). */
  walkReplayed: boolean;
  replayed: boolean;
}

function lint(cwd: string, args: string[] = []): Run {
  const r = spawnSync(process.execPath, [CLI, '--format', 'json', '--no-progress', '--no-config-lookup', ...args, '.'], { cwd, encoding: 'utf8', env: { ...process.env, VFORKLINT_DEBUG: 'cache' } });
  const m = /vforklint: cache: (\d+) reused, (\d+) analysed/.exec(r.stderr);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  const results = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number }> }>;
  const findings = results.flatMap((f) => f.messages.map((x) => `${f.filePath.slice(cwd.length + 1)}:${x.line} ${x.ruleId}`)).sort();
  const w = /vforklint: cache: .*; (\d+) unchanged by stat, (\d+) hashed(; walk replayed)?(; replayed)?/.exec(r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, reused: m ? Number(m[1]) : -1, analysed: m ? Number(m[2]) : -1, findings, statHits: w ? Number(w[1]) : -1, hashed: w ? Number(w[2]) : -1, walkReplayed: !!w?.[3], replayed: !!w?.[4] };
}

describe('vforklint --cache', () => {
  it('reuses unchanged results, and re-checks a forking file when a helper in another file changes', () => {
    const root = project({ 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C });

    const first = lint(root, ['--cache']);
    const returns = (r: Run) => r.findings.some((f) => /^fork\.c:\d+ child-returns$/.test(f));
    assert.ok(returns(first), `the helper returns: ${first.findings.join(', ')}`);
    assert.deepEqual([first.reused, first.analysed], [0, 2], first.stderr);
    assert.ok(existsSync(join(root, '.vforklintcache')), 'the default cache file in the working directory');

    const second = lint(root, ['--cache']);
    assert.deepEqual([second.reused, second.analysed], [2, 0], 'an unchanged tree: every result reused');
    assert.equal(second.stdout, first.stdout, 'the same report');

    // The helper now never returns: only the forking file is analysed again, and its finding goes.
    writeFileSync(join(root, 'helper.c'), HELPER_EXITS);
    const third = lint(root, ['--cache']);
    assert.ok(!returns(third), `the helper exits now: ${third.findings.join(', ')}`);
    assert.ok(!third.findings.some((f) => f.startsWith('fork.c:')), `nothing left in fork.c: ${third.findings.join(', ')}`);
    // (spawn() stopped being a fork wrapper; only files that name it read that, so helper.c's result is reused.)
    assert.deepEqual([third.reused, third.analysed], [1, 1]);
    assert.deepEqual(third.findings, lint(root).findings, 'the same findings as a run without the cache');

    // And back: the finding returns.
    writeFileSync(join(root, 'helper.c'), HELPER_RETURNS);
    const fourth = lint(root, ['--cache']);
    assert.ok(returns(fourth), fourth.findings.join(', '));
  });

  it('with worker threads: the workers\' project summaries are kept, a warm run reuses every result, a changed helper re-checks', () => {
    const files: Record<string, string> = { 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C };
    // Enough files for the run to go to worker threads (MIN_FILES_FOR_WORKERS).
    for (let i = 0; i < MIN_FILES_FOR_WORKERS; i++) files[`more/f${i}.c`] = `int f${i}(void)\n{\n\treturn ${i};\n}\n`;
    const root = project(files);
    const args = ['--cache', '--jobs', '2'];
    const first = lint(root, args);
    assert.deepEqual(first.findings, lint(root, ['--jobs', '1']).findings, 'the same findings as one thread without the cache');
    const saved = JSON.parse(readFileSync(join(root, '.vforklintcache'), 'utf8')) as { summaries?: Record<string, { entries?: object; forks?: { functions?: unknown[] } }> };
    const summaries = saved.summaries?.['.'];
    assert.ok(summaries && Object.keys(summaries.entries ?? {}).length > 0, `the workers' summaries are in the cache: ${JSON.stringify(saved.summaries).slice(0, 200)}`);
    assert.ok((summaries.forks?.functions ?? []).length > 0, 'and the fork functions found');

    const second = lint(root, args);
    assert.deepEqual([second.reused, second.analysed], [2, 0], 'an unchanged tree: every result reused');
    assert.equal(second.stdout, first.stdout);

    writeFileSync(join(root, 'helper.c'), HELPER_EXITS);
    const third = lint(root, args);
    assert.ok(!third.findings.some((f) => f.startsWith('fork.c:')), `the helper exits now: ${third.findings.join(', ')}`);
    assert.deepEqual(third.findings, lint(root, ['--jobs', '1']).findings, 'the same findings as a run without the cache');
  });

  it('re-checks only the files that read the changed helper', () => {
    const prep = (body: string) => `#include <stdlib.h>\n\nvoid prepare(void)\n{\n${body}}\n`;
    const spawnC = '#include <unistd.h>\nvoid prepare(void);\n\nint spawn(const char *p)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprepare();\n\t\texecl(p, p, (char *)0);\n\t\t_exit(127);\n\t}\n\treturn pid;\n}\n';
    const root = project({ 'spawn.c': spawnC, 'prep.c': prep('\t(void)malloc(8);\n'), 'alone.c': ALONE_C });
    const first = lint(root, ['--cache']);
    assert.ok(first.findings.includes('spawn.c:8 child-unsafe-call'), `prepare() allocates: ${first.findings.join(', ')}`);
    writeFileSync(join(root, 'prep.c'), prep('\t/* nothing */\n'));
    const second = lint(root, ['--cache']);
    assert.deepEqual(second.findings, [], 'prepare() is safe now');
    assert.deepEqual([second.reused, second.analysed], [1, 1], 'alone.c reused, spawn.c re-checked');
    assert.deepEqual(second.findings, lint(root).findings, 'the same findings as a run without the cache');
  });

  it('a changed configuration re-checks every file', () => {
    const root = project({ 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C });
    lint(root, ['--cache']);
    const strict = lint(root, ['--cache', '--strict']);
    assert.deepEqual([strict.reused, strict.analysed], [0, 2]);
    const quietRule = lint(root, ['--cache', '--strict', '--rule', 'child-returns:warn']);
    assert.deepEqual([quietRule.reused, quietRule.analysed], [0, 2]);
  });

  it('a corrupt or unreadable cache is one warning, and the run loses nothing', () => {
    const root = project({ 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS });
    const clean = lint(root);
    for (const junk of ['{not json', '[]', JSON.stringify({ tool: 'vforklint', format: 1, version: 'x', files: 3 })]) {
      writeFileSync(join(root, '.vforklintcache'), junk);
      const r = lint(root, ['--cache']);
      assert.match(r.stderr, /^vforklint: warning: the cache \.vforklintcache is not usable \([^\n]+\); ignoring it$/m, junk);
      assert.deepEqual(r.findings, clean.findings);
      assert.deepEqual([r.reused, r.analysed], [0, 1]);
      const again = lint(root, ['--cache']);
      assert.doesNotMatch(again.stderr, /warning: the cache/, 'rewritten as a good cache');
      assert.deepEqual([again.reused, again.analysed], [1, 0]);
    }
    // A file where the cache's directory should be: it cannot be read or written; the run still reports.
    writeFileSync(join(root, 'blocked'), '');
    const blocked = lint(root, ['--cache', '--cache-location', 'blocked/vfl.cache']);
    assert.deepEqual(blocked.findings, clean.findings);
    assert.match(blocked.stderr, /^vforklint: warning: cannot read the cache blocked\/vfl\.cache \(ENOTDIR\); not using it$/m);
    assert.match(blocked.stderr, /^vforklint: warning: cannot write the cache blocked\/vfl\.cache \((ENOTDIR|EEXIST)\)$/m);
  });

  it('--cache-location names a file, or a directory (existing, or ending with a slash) that holds one', () => {
    const root = project({ 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS });
    lint(root, ['--cache', '--cache-location', 'build/vfl.cache']);
    assert.ok(existsSync(join(root, 'build', 'vfl.cache')));
    assert.equal(lint(root, ['--cache', '--cache-location', 'build/vfl.cache']).reused, 1);

    lint(root, ['--cache', '--cache-location', 'cachedir/']);
    const inDir = readdirSync(join(root, 'cachedir'));
    assert.equal(inDir.length, 1);
    assert.match(inDir[0], /^\.cache_[0-9a-f]+$/);
    assert.equal(lint(root, ['--cache', '--cache-location', 'cachedir']).reused, 1, 'an existing directory: the same file in it');
    assert.ok(!existsSync(join(root, '.vforklintcache')), 'no default file when a location is given');
  });

  it('survives a fresh copy of the tree elsewhere (content hashes and relative names, no modification times)', () => {
    const root = project({ 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C });
    lint(root, ['--cache']);
    const copy = project({ 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C });
    spawnSync('cp', [join(root, '.vforklintcache'), join(copy, '.vforklintcache')]);
    const r = lint(copy, ['--cache']);
    assert.deepEqual([r.reused, r.analysed], [2, 0], r.stderr);
    assert.ok(r.replayed, `no file's stat is the stored one, but every content hash is: replayed. ${r.stderr}`);
    assert.equal(r.statHits, 0);
  });

  it('--fix neither reads nor writes the cache', () => {
    const root = project({ 'alone.c': ALONE_C });
    const r = spawnSync(process.execPath, [CLI, '--fix-dry-run', '--cache', '--no-config-lookup', '.'], { cwd: root, encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.ok(!existsSync(join(root, '.vforklintcache')));
  });
});

/** Past the cache's racy window (cli/cache.ts RACY_MS): files written before it have their stat recorded. */
const pastRacyWindow = () => new Promise((r) => setTimeout(r, 2100));

describe('vforklint --cache: a run over an unchanged tree is replayed', () => {
  const files = { 'fork.c': FORK_C, 'helper.h': HELPER_H, 'helper.c': HELPER_RETURNS, 'alone.c': ALONE_C };

  it('decides from the stat alone (reads no file) once the files are older than the racy window; files just written are hashed', async () => {
    const root = project(files);
    const first = lint(root, ['--cache']);
    assert.equal(first.replayed, false);
    // Written just now: their stat could miss a change within the same timestamp tick, so it is not trusted.
    const second = lint(root, ['--cache']);
    assert.ok(second.replayed, second.stderr);
    assert.deepEqual([second.statHits, second.hashed, second.reused, second.analysed], [0, 4, 2, 0], second.stderr);
    assert.equal(second.stdout, first.stdout, 'the same report');
    await pastRacyWindow();
    lint(root, ['--cache']); // hashes them once more, now recording their stat
    const warm = lint(root, ['--cache']);
    assert.ok(warm.replayed && warm.walkReplayed, warm.stderr);
    assert.deepEqual([warm.statHits, warm.hashed], [4, 0], `no file read: ${warm.stderr}`);
    assert.equal(warm.stdout, first.stdout, 'the same report');
    assert.equal(warm.stderr.replace(/^vforklint: cache:.*\n/m, ''), first.stderr.replace(/^vforklint: cache:.*\n/m, ''), 'the same notes and warnings');
  });

  it('a touched file is hashed and still replayed; a same-size change that keeps the modification time is seen (its change time moves)', async () => {
    const root = project(files);
    // Whole seconds, so that the modification time can be set back exactly below.
    const past = Math.floor(Date.now() / 1000) - 100;
    for (const f of Object.keys(files)) utimesSync(join(root, f), past, past);
    await pastRacyWindow();
    const first = lint(root, ['--cache']);
    assert.ok(first.findings.some((f) => /^fork\.c:\d+ child-returns$/.test(f)), first.findings.join(', '));

    const now = new Date();
    utimesSync(join(root, 'alone.c'), now, now);
    const touched = lint(root, ['--cache']);
    assert.ok(touched.replayed, touched.stderr);
    assert.deepEqual([touched.hashed, touched.statHits], [1, 3], touched.stderr);

    // The helper now exits, in the same number of bytes, with its modification time set back.
    const helper = join(root, 'helper.c');
    const exits = HELPER_RETURNS.replace('(void)path;', '_exit(1);  ');
    assert.equal(exits.length, HELPER_RETURNS.length);
    writeFileSync(helper, exits);
    utimesSync(helper, past, past);
    assert.equal(statSync(helper).mtimeMs, past * 1000, 'the same modification time as recorded');
    const changed = lint(root, ['--cache']);
    assert.equal(changed.replayed, false, changed.stderr);
    assert.ok(!changed.findings.some((f) => f.startsWith('fork.c:')), `the helper exits now: ${changed.findings.join(', ')}`);
    assert.deepEqual(changed.findings, lint(root).findings, 'the same findings as a run without the cache');
  });

  it('a change to a file the run does not lint but the project index reads (.gitignore\'d) is not replayed', () => {
    const root = project({ ...files, '.gitignore': 'helper.c\n' });
    const first = lint(root, ['--cache']);
    assert.ok(first.findings.some((f) => /^fork\.c:\d+ child-returns$/.test(f)), first.findings.join(', '));
    assert.ok(!first.findings.some((f) => f.startsWith('helper.c')), 'helper.c is not linted');
    assert.ok(lint(root, ['--cache']).replayed);
    writeFileSync(join(root, 'helper.c'), HELPER_EXITS);
    const changed = lint(root, ['--cache']);
    assert.equal(changed.replayed, false, changed.stderr);
    assert.ok(!changed.findings.some((f) => f.startsWith('fork.c:')), `the helper exits now: ${changed.findings.join(', ')}`);
  });

  it('a new source file anywhere under the root, or a changed configuration, is not replayed', () => {
    const root = project(files);
    lint(root, ['--cache']);
    assert.ok(lint(root, ['--cache']).replayed);
    // A file the run does not lint (another extension) but that the root's listing holds.
    writeFileSync(join(root, 'more.h'), 'void more(void);\n');
    const added = lint(root, ['--cache', '--ext', '.c']);
    assert.equal(added.replayed, false, added.stderr);
    assert.ok(lint(root, ['--cache', '--ext', '.c']).replayed);
    const strict = lint(root, ['--cache', '--ext', '.c', '--strict']);
    assert.equal(strict.replayed, false, strict.stderr);
  });

  it('the walk of the tree is replayed while no directory and no .gitignore it read changed', () => {
    const root = project({ ...files, 'sub/more.c': ALONE_C.replace('alone', 'more'), '.gitignore': '*.o\n' });
    lint(root, ['--cache']);
    const again = lint(root, ['--cache']);
    assert.ok(again.walkReplayed && again.replayed, again.stderr);
    // The .gitignore now lists fork.c (its directory's entries are the same): the walk is made again, and fork.c is no longer linted.
    writeFileSync(join(root, '.gitignore'), 'fork.c\n');
    const ignored = lint(root, ['--cache']);
    assert.equal(ignored.walkReplayed, false, ignored.stderr);
    assert.ok(!ignored.findings.some((f) => f.startsWith('fork.c:')), ignored.findings.join(', '));
    assert.deepEqual(ignored.findings, lint(root).findings, 'the same findings as a run without the cache');
    assert.ok(lint(root, ['--cache']).walkReplayed);
    // A new file in a subdirectory: that directory's entries changed.
    writeFileSync(join(root, 'sub', 'new.c'), FORK_C);
    const added = lint(root, ['--cache']);
    assert.equal(added.walkReplayed, false, added.stderr);
    assert.ok(added.findings.some((f) => f.startsWith('sub/new.c:')), added.findings.join(', '));
    // Other arguments: another walk.
    const sub = lint(root, ['--cache', 'sub']);
    assert.equal(sub.walkReplayed, false, sub.stderr);
  });

  it('a symbolic link to a file the walk passes by is checked on replay: one that comes to lead to a directory is walked', async () => {
    const outside = project({ 'LICENSE': 'text\n' });
    const root = project(files);
    symlinkSync(join(outside, 'LICENSE'), join(root, 'COPYING'));
    // The cache file outside the tree (written into it, it would change the root directory's stamp).
    const cached = ['--cache', '--cache-location', join(outside, 'cache')];
    // Directories older than the racy window keep their stamp: the replay reads none of them again.
    await pastRacyWindow();
    lint(root, cached);
    const again = lint(root, cached);
    assert.ok(again.walkReplayed && again.replayed, again.stderr);
    // The link's target becomes a directory holding a C file: no directory of the tree changed, the link did.
    rmSync(join(outside, 'LICENSE'));
    mkdirSync(join(outside, 'LICENSE'));
    writeFileSync(join(outside, 'LICENSE', 'linked.c'), FORK_C);
    const changed = lint(root, cached);
    assert.equal(changed.walkReplayed, false, changed.stderr);
    assert.ok(changed.findings.some((f) => f.startsWith('COPYING/linked.c:')), changed.findings.join(', '));
    assert.deepEqual(changed.findings, lint(root).findings, 'the same findings as a run without the cache');
  });
});
