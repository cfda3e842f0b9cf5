/**
 * Install as a user does, on a machine without a compiler: `npm pack` this checkout,
 * install the tarball into fresh projects whose PATH holds only node, npm, npx, git, sh
 * and a few coreutils (no g++, make or python3, so nothing can be compiled), then use
 * every front end from there: the CLI on a bad C file and a bad Go file, ESLint with the
 * plugin in an ES module project and in a default ("type": "commonjs") project, the
 * library import, and `vforklint-lsp --stdio` answering `initialize`.
 *
 * Then as a git dependency (`npm install git+file://<clone>#<ref>`, a local clone, no
 * network): at the release tag scripts/release.mjs makes (built files inside, nothing to
 * prepare, no devDependencies installed anywhere), and at a source commit (npm installs
 * the devDependencies in a temporary copy and runs `prepare`, which builds). The source
 * commit needs the full PATH: its devDependencies include the native `tree-sitter` the
 * test suite compares the WebAssembly parser with, and that compiles.
 *
 * Packages come from the npm cache first (`--prefer-offline`): the registry is asked only
 * for what `npm ci` of this checkout did not already fetch. This holds with the
 * WebAssembly parser (web-tree-sitter); a native tree-sitter build needs a compiler and
 * fails here, which is the point.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GIT_IDENTITY, makeReleaseClone, type ReleaseClone } from './release-clone.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');

const BAD_C = '#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\n\nint launch(char **argv)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\tprintf("starting %s\\n", argv[0]);\n\t\texecv(argv[0], argv);\n\t\texit(127);\n\t}\n\treturn pid < 0 ? -1 : 0;\n}\n';
const BAD_GO =
  'package syscall\n\nfunc forkExec(argv0 *byte) (pid int, err Errno) {\n\tvar r1 uintptr\n\tvar err1 Errno\n\tr1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))\n\tif err1 != 0 {\n\t\treturn 0, err1\n\t}\n\tif r1 != 0 {\n\t\tpid = int(r1)\n\t\truntime_AfterFork()\n\t\treturn pid, 0\n\t}\n\tbuf := make([]byte, 8)\n\t_ = buf\n\tfor {\n\t\tRawSyscall(SYS_EXIT, 253, 0, 0)\n\t}\n}\n';

/** Commands a user's shell has besides node and npm; compilers and python are deliberately absent. */
const TOOLS = ['node', 'npm', 'npx', 'git', 'sh', 'env', 'cat', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'ln', 'chmod', 'uname', 'dirname', 'basename', 'readlink', 'sed', 'grep', 'tar', 'gzip'];
const ABSENT = ['g++', 'gcc', 'cc', 'c++', 'make', 'python3', 'python'];

let root: string;
let bin: string;
let tarball: string;

function which(tool: string): string | null {
  if (tool === 'node') return process.execPath;
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? realpathSync(r.stdout.trim()) : null;
}

/** A run with the compiler-free PATH; npm's cache is the user's (it holds what `npm ci` fetched). */
function run(cmd: string, args: string[], cwd: string, input?: string, path = bin): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    input,
    timeout: 300_000,
    env: { HOME: process.env.HOME ?? root, PATH: path, npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? root, '.npm'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NO_COLOR: '1' },
  });
}

function project(name: string, type: 'module' | 'commonjs' | undefined, deps: string[], source = tarball, path = bin): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...(type ? { type } : {}) }, null, 2));
  writeFileSync(join(dir, 'bad.c'), BAD_C);
  writeFileSync(join(dir, 'exec_linux.go'), BAD_GO);
  writeFileSync(join(dir, 'eslint.config.mjs'), "import vforklint from 'vforklint/eslint-plugin';\n\nexport default [...vforklint.configs.recommended];\n");
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', source, ...deps], dir, undefined, path);
  assert.equal(r.status, 0, `npm install in ${name} failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

/** The eslint version this checkout tests with, so the install is served from the cache. */
function eslintSpec(): string {
  const v = (JSON.parse(readFileSync(join(REPO, 'node_modules/eslint/package.json'), 'utf8')) as { version: string }).version;
  return `eslint@${v}`;
}

before(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'vforklint-install-')));
  bin = join(root, 'bin');
  mkdirSync(bin);
  for (const tool of TOOLS) {
    const path = which(tool);
    if (path) symlinkSync(path, join(bin, tool));
  }
  const packed = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root], { cwd: REPO, encoding: 'utf8' });
  assert.equal(packed.status, 0, packed.stderr);
  tarball = join(root, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('install from the tarball without a compiler', { timeout: 900_000 }, () => {
  let esm: string;
  let cjs: string;

  it('the PATH has no compiler, make or python', () => {
    for (const tool of ABSENT) assert.notEqual(run('sh', ['-c', `command -v ${tool}`], root).status, 0, `${tool} is on the PATH`);
  });

  it('installs into an ES module project and a default (CommonJS) project, with a clean dependency tree', () => {
    esm = project('esm-project', 'module', [eslintSpec()]);
    cjs = project('cjs-project', undefined, [eslintSpec()]);
    for (const dir of [esm, cjs]) {
      const ls = run('npm', ['ls', '--all', '--json'], dir);
      const tree = JSON.parse(ls.stdout) as { problems?: string[] };
      assert.deepEqual(tree.problems ?? [], [], `npm ls in ${dir}`);
    }
  });

  it('the CLI lints a bad C file and a bad Go file: exit 1, findings in both', () => {
    const r = run(join(esm, 'node_modules/.bin/vforklint'), ['--format', 'json', 'bad.c', 'exec_linux.go'], esm);
    assert.equal(r.status, 1, r.stderr);
    const results = JSON.parse(r.stdout) as Array<{ filePath: string; errorCount: number; messages: Array<{ ruleId: string }> }>;
    const byFile = new Map(results.map((x) => [x.filePath, x]));
    assert.ok(byFile.get(join(esm, 'bad.c'))!.messages.some((m) => m.ruleId === 'child-unsafe-call'), r.stdout);
    assert.ok(byFile.get(join(esm, 'exec_linux.go'))!.messages.some((m) => m.ruleId === 'child-allocates'), r.stdout);
    const human = run(join(cjs, 'node_modules/.bin/vforklint'), ['.'], cjs);
    assert.equal(human.status, 1, human.stderr);
    assert.match(human.stdout, /^bad\.c:9:3 error .*\(child-unsafe-call\)$/m);
    assert.match(human.stdout, /^exec_linux\.go:\d+:\d+ error .*\(child-allocates\)$/m);
  });

  for (const kind of ['esm', 'cjs'] as const) {
    it(`eslint with the plugin (${kind === 'esm' ? '"type": "module"' : 'default "type": "commonjs"'}, eslint.config.mjs) reports both files`, () => {
      const dir = kind === 'esm' ? esm : cjs;
      const r = run(join(dir, 'node_modules/.bin/eslint'), ['--format', 'json', 'bad.c', 'exec_linux.go'], dir);
      assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
      const results = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string | null; message: string }> }>;
      const rules = (file: string) => results.find((x) => x.filePath === join(dir, file))?.messages.map((m) => m.ruleId) ?? [];
      assert.ok(rules('bad.c').includes('vforklint/child-unsafe-call'), r.stdout);
      assert.ok(rules('exec_linux.go').includes('vforklint/child-allocates'), r.stdout);
    });
  }

  it('the library import analyses text', () => {
    const script = [
      "const core = await import('vforklint');",
      "if (typeof core.initParsers === 'function') await core.initParsers();",
      "const { readFileSync } = await import('node:fs');",
      "const r = core.analyze(readFileSync('bad.c', 'utf8'), 'c', {});",
      'console.log(JSON.stringify(r.findings.map((f) => f.rule)));',
    ].join('\n');
    for (const dir of [esm, cjs]) {
      const r = run('node', ['--input-type=module', '-e', script], dir);
      assert.equal(r.status, 0, r.stderr);
      assert.ok((JSON.parse(r.stdout) as string[]).includes('child-unsafe-call'), r.stdout);
    }
  });

  it('vforklint-lsp --stdio answers initialize', async () => {
    const child = spawn(join(esm, 'node_modules/.bin/vforklint-lsp'), ['--stdio'], { cwd: esm, env: { PATH: bin, HOME: process.env.HOME ?? root } });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    const answer = await new Promise<{ id: number; result: { capabilities: Record<string, unknown> } }>((resolveP, reject) => {
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`no answer; stderr so far: ${stderr}`)), 60_000);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => reject(new Error(`vforklint-lsp exited (${code}): ${stderr}`)));
      child.stdout.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const head = buf.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())?.[1]);
        if (buf.length < head + 4 + length) return;
        clearTimeout(timer);
        resolveP(JSON.parse(buf.subarray(head + 4, head + 4 + length).toString()));
      });
      child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }).finally(() => child.kill());
    assert.equal(answer.id, 1);
    assert.ok(answer.result.capabilities.textDocumentSync !== undefined, JSON.stringify(answer));
  });
});

describe('install as a git dependency from a local clone', { timeout: 900_000 }, () => {
  let clone: ReleaseClone;
  const gitShow = (args: string[]) => spawnSync('git', args, { cwd: clone.dir, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } });

  before(() => {
    clone = makeReleaseClone(join(root, 'clone'));
  });

  it('scripts/release.mjs: the tag is a child of the source commit carrying the built files; the source stays without them', () => {
    assert.equal(gitShow(['rev-parse', `${clone.release}^1`]).stdout.trim(), clone.source);
    const files = gitShow(['ls-tree', '-r', '--name-only', clone.release]).stdout.split('\n');
    for (const f of ['dist/cli/main.js', 'dist/server/main.js', 'dist/rules/index.js', 'dist/rules/index.d.ts', 'dist/eslint-plugin/index.js']) assert.ok(files.includes(f), `${f} is in the release commit`);
    assert.deepEqual(files.filter((f) => /^dist\/(test|bench|fuzz)\//.test(f) || f.endsWith('.map')), [], 'only what the package ships');
    assert.match(gitShow(['ls-tree', clone.release, 'dist/cli/main.js']).stdout, /^100755 /, 'the CLI is executable');
    assert.equal(gitShow(['ls-tree', '-r', '--name-only', clone.source, 'dist']).stdout.trim(), '', 'the source commit has no dist/');
    const manifest = JSON.parse(gitShow(['show', `${clone.release}:package.json`]).stdout) as Record<string, unknown>;
    assert.equal(manifest.scripts, undefined);
    assert.equal(manifest.devDependencies, undefined);
    assert.equal(manifest.overrides, undefined);
    assert.ok(manifest.dependencies && manifest.bin && manifest.files, 'what an install needs stays');
    // Made twice: refused unless --force.
    const again = spawnSync(process.execPath, [join(clone.dir, 'scripts', 'release.mjs')], { cwd: clone.dir, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY } });
    assert.equal(again.status, 1);
    assert.match(again.stderr, new RegExp(`tag ${clone.tag.replace(/\./g, '\\.')} exists \\(--force replaces it\\)`));
  });

  it('at the release tag, without a compiler: installs without building or devDependencies; the CLI lints', () => {
    const dir = project('git-release', undefined, [], `git+${pathToFileURL(clone.dir).href}#${clone.tag}`);
    for (const dev of ['typescript', 'eslint', 'tree-sitter', 'esbuild']) assert.ok(!existsSync(join(dir, 'node_modules', dev)), `${dev} was installed`);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.match(manifest.dependencies.vforklint!, new RegExp(`^git\\+file://.*#${clone.tag.replace(/\./g, '\\.')}$`));
    const r = run(join(dir, 'node_modules/.bin/vforklint'), ['bad.c', 'exec_linux.go'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^bad\.c:9:3 error .*\(child-unsafe-call\)$/m);
    assert.match(r.stdout, /^exec_linux\.go:\d+:\d+ error .*\(child-allocates\)$/m);
  });

  it('at a source commit, with a compiler: npm installs the devDependencies in its own copy, `prepare` builds, the CLI lints', () => {
    const dir = project('git-source', undefined, [], `git+${pathToFileURL(clone.dir).href}#${clone.source}`, process.env.PATH);
    assert.ok(existsSync(join(dir, 'node_modules/vforklint/dist/cli/main.js')), 'built by prepare');
    assert.ok(!existsSync(join(dir, 'node_modules', 'typescript')), 'the devDependencies stay in npm\'s copy');
    const r = run(join(dir, 'node_modules/.bin/vforklint'), ['bad.c'], dir);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^bad\.c:9:3 error .*\(child-unsafe-call\)$/m);
  });
});
