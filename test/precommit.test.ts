/**
 * The pre-commit framework (https://pre-commit.com; Debian's `pre-commit` package, which
 * .ci/debian-packages.d/precommit.txt installs in CI) runs the `vforklint` hook of
 * .pre-commit-hooks.yaml from a local clone at the release tag scripts/release.mjs makes,
 * as a user's `.pre-commit-config.yaml` would name it (`repo:` the clone, `rev:` the tag).
 * `pre-commit install`, then `git commit`: a staged C file with a vfork hazard is blocked
 * with the finding in the output; a clean one is committed.
 *
 * The hook environment lives in a temporary PRE_COMMIT_HOME; npm fills it from its cache
 * first (--prefer-offline), so only what `npm ci` of this checkout did not fetch is asked of
 * the registry.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GIT_IDENTITY, REPO, RELEASE_TAG, makeReleaseClone, type ReleaseClone } from './release-clone.js';

const preCommit = spawnSync('sh', ['-c', 'command -v pre-commit'], { encoding: 'utf8' }).stdout.trim();
const skip = preCommit ? false : 'pre-commit is not on the PATH (the Debian package pre-commit; .ci/install-debian.sh installs it from .ci/debian-packages.d/precommit.txt)';
if (skip) console.log(`# skipping the pre-commit tests: ${skip}`);

const BAD_C = '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n\nint launch(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprintf("starting %s\\n", argv[0]);\n\t\texecv(argv[0], argv);\n\t\texit(127);\n\t}\n\treturn pid < 0 ? -1 : 0;\n}\n';
const GOOD_C = '#include <unistd.h>\n\nint launch(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\treturn pid < 0 ? -1 : 0;\n}\n';

describe('pre-commit hook from a local clone at the release tag', { skip, timeout: 900_000 }, () => {
  let root: string;
  let clone: ReleaseClone;
  let repo: string;
  let env: NodeJS.ProcessEnv;

  const run = (cmd: string, args: string[]): SpawnSyncReturns<string> => spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', env, timeout: 600_000 });
  const output = (r: SpawnSyncReturns<string>) => `${r.stdout}${r.stderr}`;
  const commits = () => run('git', ['rev-list', '--count', '--all']).stdout.trim() || '0';

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'vforklint-precommit-')));
    clone = makeReleaseClone(join(root, 'vforklint'));
    repo = join(root, 'project');
    mkdirSync(repo);
    env = {
      ...process.env,
      ...GIT_IDENTITY,
      PRE_COMMIT_HOME: join(root, 'pre-commit-home'),
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      NO_COLOR: '1',
    };
    assert.equal(run('git', ['init', '--quiet']).status, 0);
    writeFileSync(join(repo, '.pre-commit-config.yaml'), `repos:\n  - repo: ${clone.dir}\n    rev: ${clone.tag}\n    hooks:\n      - id: vforklint\n`);
    const install = run('pre-commit', ['install']);
    assert.equal(install.status, 0, output(install));
    assert.match(install.stdout, /pre-commit installed at \.git\/hooks\/pre-commit/);
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the comment in .pre-commit-hooks.yaml names the tag scripts/release.mjs makes', () => {
    const hooks = readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8');
    assert.match(hooks, new RegExp(`^#\\s+rev: ${RELEASE_TAG.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('blocks a commit that stages a C file with a vfork hazard, showing the finding', () => {
    writeFileSync(join(repo, 'launch.c'), BAD_C);
    assert.equal(run('git', ['add', '.pre-commit-config.yaml', 'launch.c']).status, 0);
    const r = run('git', ['commit', '-m', 'launch']);
    assert.equal(r.status, 1, output(r));
    assert.match(output(r), /^vforklint\.+Failed$/m);
    assert.match(output(r), /^launch\.c:9:3 error The child calls `printf` after `vfork`.*\(child-unsafe-call\)$/m);
    assert.match(output(r), /^launch\.c:10:3 error When `execv` fails, .*`exit`.*\(child-unsafe-call\)$/m, 'exit(127) after a failed exec too');
    assert.equal(commits(), '0', 'nothing was committed');
  });

  it('lets a clean C file through', () => {
    writeFileSync(join(repo, 'launch.c'), GOOD_C);
    assert.equal(run('git', ['add', 'launch.c']).status, 0);
    const r = run('git', ['commit', '-m', 'launch']);
    assert.equal(r.status, 0, output(r));
    assert.match(output(r), /^vforklint\.+Passed$/m);
    assert.equal(commits(), '1');
  });
});
