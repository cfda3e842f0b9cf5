/**
 * For the install tests: a temporary clone of this checkout, checked out at what the
 * working tree holds (its tracked files, committed or not, via `git stash create`), in
 * which scripts/release.mjs makes the release tag `v<version>-built` as a maintainer would.
 * The clone borrows this checkout's node_modules (the release build needs the TypeScript
 * compiler); nothing is fetched.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
export const RELEASE_TAG = `v${VERSION}-built`;

/** A git identity for commits in temporary repositories, whatever the machine's git config says. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'vforklint tests',
  GIT_AUTHOR_EMAIL: 'tests@vforklint.invalid',
  GIT_COMMITTER_NAME: 'vforklint tests',
  GIT_COMMITTER_EMAIL: 'tests@vforklint.invalid',
};

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } });
  assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export interface ReleaseClone {
  /** The clone's folder. */
  dir: string;
  /** The commit the release was made from (this checkout's working tree). */
  source: string;
  /** The release tag scripts/release.mjs made, and its commit. */
  tag: string;
  release: string;
}

/**
 * The commit that holds the tracked files as they are: HEAD when they match it (`git diff`
 * compares contents, so copied or touched files count as unchanged), else the commit
 * `git stash create` writes. git exits 1 without a word when its stat-based first look saw a
 * change that its second look does not: that is "no change" too.
 */
function workingTreeCommit(): string {
  const head = git(['rev-parse', 'HEAD'], REPO);
  if (spawnSync('git', ['diff', '--quiet', 'HEAD', '--'], { cwd: REPO }).status === 0) return head;
  const r = spawnSync('git', ['stash', 'create'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } });
  const created = r.stdout.trim();
  if (r.status === 0 && created) return created;
  assert.ok(r.status === 0 || (r.status === 1 && !r.stderr.trim()), `git stash create: ${r.stderr}`);
  return head;
}

/** Clone this checkout into `dir` and make the release tag there with scripts/release.mjs. */
export function makeReleaseClone(dir: string): ReleaseClone {
  const source = workingTreeCommit();
  // A local clone copies the object store, so the commit `git stash create` wrote is there too.
  git(['clone', '--quiet', '--no-checkout', REPO, dir], dirname(dir));
  git(['checkout', '--quiet', '--detach', source], dir);
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'release.mjs')], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } });
  assert.equal(r.status, 0, `scripts/release.mjs failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`^release: ${RELEASE_TAG.replace(/\./g, '\\.')} -> [0-9a-f]{12} \\(${source.slice(0, 12)} \\+ \\d+ built files\\)$`, 'm'));
  return { dir, source, tag: RELEASE_TAG, release: git(['rev-parse', `${RELEASE_TAG}^{commit}`], dir) };
}
