#!/usr/bin/env node
/**
 * Make a release commit that carries the built files, without touching the branch you are on:
 *
 *   node scripts/release.mjs [--ref REV] [--tag NAME] [--branch NAME] [--force]
 *
 * Builds REV (default HEAD) in a temporary export of that commit, with the TypeScript
 * compiler from this checkout's node_modules (run `npm ci` first), then writes a commit
 * whose tree is REV's tree plus the built `dist/` files the package ships (the `files`
 * field) and whose package.json has no scripts, devDependencies or overrides: installing
 * it builds nothing and needs no development tools. Its parent is REV. Build output never
 * lands on a working branch; the commit is reachable only from
 *
 *   - the tag `v<version>-built` (or --tag NAME; --force replaces an existing one), and
 *   - with --branch NAME, that branch (e.g. `release`), moved to the new commit; the
 *     branch's previous tip becomes a second parent, so the branch only moves forward.
 *
 * What the tag is for: `npm install git+https://...#v<version>-built` (a git dependency
 * with nothing to prepare) and the pre-commit framework (`rev: v<version>-built`), which
 * installs a `language: node` hook from the repository at that tag. Push it with
 * `git push origin v<version>-built`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = 'usage: node scripts/release.mjs [--ref REV] [--tag NAME] [--branch NAME] [--force]';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { ref: 'HEAD', tag: undefined, branch: undefined, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? fail(`${a} needs a value\n${USAGE}`);
    if (a === '--ref') opts.ref = value();
    else if (a === '--tag') opts.tag = value();
    else if (a === '--branch') opts.branch = value();
    else if (a === '--force') opts.force = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else fail(`unknown argument ${a}\n${USAGE}`);
  }
  return opts;
}

/** Run a command; its stdout (trimmed) or a failure naming the command. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return (r.stdout ?? '').trim();
}
const git = (args, options) => run('git', args, options);
const exists = (ref) => spawnSync('git', ['rev-parse', '--verify', '--quiet', ref], { cwd: root }).status === 0;

/** package.json for the release commit: what an install needs, nothing that builds. */
function releaseManifest(text) {
  const manifest = JSON.parse(text);
  delete manifest.scripts;
  delete manifest.devDependencies;
  delete manifest.overrides;
  if (manifest.allowScripts) {
    const deps = new Set(Object.keys(manifest.dependencies ?? {}));
    manifest.allowScripts = Object.fromEntries(Object.entries(manifest.allowScripts).filter(([name]) => deps.has(name)));
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const opts = parseArgs(process.argv.slice(2));
const commit = git(['rev-parse', '--verify', `${opts.ref}^{commit}`]);
const manifestText = git(['show', `${commit}:package.json`]);
const { version } = JSON.parse(manifestText);
const tag = opts.tag ?? `v${version}-built`;
if (exists(`refs/tags/${tag}`) && !opts.force) fail(`tag ${tag} exists (--force replaces it)`);

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  fail(`the TypeScript compiler is not installed in ${root}: run npm ci first`);
}

const work = mkdtempSync(join(tmpdir(), 'vforklint-release-'));
try {
  // 1. Build exactly the commit: an export of its tree, this checkout's node_modules.
  const tree = join(work, 'tree');
  run('sh', ['-c', `mkdir -p "$1" && git archive --format=tar "$2" | tar -x -C "$1"`, 'sh', tree, commit]);
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
  // Only the shipped front ends and core (not the tests, benchmarks or fuzzing).
  const shipped = ['rules', 'config', 'cli', 'server', 'eslint-plugin'].map((d) => `${d}/**/*.ts`);
  writeFileSync(join(tree, 'tsconfig.release.json'), JSON.stringify({ extends: './tsconfig.json', include: shipped }));
  run(process.execPath, [tsc, '-p', 'tsconfig.release.json'], { cwd: tree });

  // 2. The shipped dist/ files: what `npm pack` takes from the export (the `files` field).
  const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: tree, env: { ...process.env, npm_config_update_notifier: 'false' } }));
  const files = packed[0].files.map((f) => f.path).filter((p) => p.startsWith('dist/')).sort();
  if (!files.length) fail('the build produced no dist/ files to ship');
  const manifest = JSON.parse(manifestText);
  const bins = new Set(Object.values(manifest.bin ?? {}).map((p) => p.replace(/^\.\//, '')));
  for (const bin of bins) if (!files.includes(bin)) fail(`bin ${bin} was not built`);
  writeFileSync(join(tree, 'package.json'), releaseManifest(manifestText));
  for (const bin of bins) chmodSync(join(tree, bin), 0o755);

  // 3. The release tree: the commit's tree plus those files, in a private index.
  const env = { ...process.env, GIT_INDEX_FILE: join(work, 'index') };
  git(['read-tree', commit], { env });
  const paths = [...files, 'package.json'];
  const blobs = git(['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: `${paths.map((p) => join(tree, p)).join('\n')}\n` }).split('\n');
  const entries = paths.map((p, i) => `${bins.has(p) ? '100755' : '100644'} ${blobs[i]}\t${p}`);
  git(['update-index', '--index-info'], { env, input: `${entries.join('\n')}\n` });
  const releaseTree = git(['write-tree'], { env });

  // 4. The commit, the tag, and optionally the branch.
  const parents = ['-p', commit];
  const branchRef = opts.branch ? `refs/heads/${opts.branch}` : undefined;
  const previous = branchRef && exists(branchRef) ? git(['rev-parse', branchRef]) : undefined;
  if (previous && previous !== commit) parents.push('-p', previous);
  const short = commit.slice(0, 12);
  const release = git(['commit-tree', releaseTree, ...parents, '-m', `vforklint ${version}, built\n\nThe tree of ${short} plus the built dist/ files the package ships; package.json without\nscripts or devDependencies, so installing it builds nothing. Made by scripts/release.mjs.`]);
  git(['tag', ...(opts.force ? ['-f'] : []), '-a', tag, '-m', `vforklint ${version} (built from ${short})`, release]);
  if (branchRef) git(['update-ref', '-m', `release: ${tag}`, branchRef, release]);
  process.stdout.write(
    `release: ${tag} -> ${release.slice(0, 12)} (${short} + ${files.length} built files)${branchRef ? `, branch ${opts.branch}` : ''}\n` +
      `release: publish with: git push origin ${tag}${opts.branch ? ` ${opts.branch}` : ''}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
