/**
 * One configuration reader for the three front ends: the same configuration files (a
 * .vforklintrc.json, a vforklint.config.json, package.json's "vforklint" key; valid, and
 * invalid in several ways) given to the CLI (dist/cli/main.js in a temporary tree), the
 * language server (over stdio, plus its config entry point) and the ESLint plugin (ESLint's
 * API). Each must report the same findings (and severities where the front end has its
 * own) and the same one-line error, and see the same effective configuration.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ESLint } from 'eslint';
import plugin from '../eslint-plugin/index.js';
import { configForFile } from '../eslint-plugin/language-options.js';
import { effectiveConfig } from '../server/config.js';
import { CONFIG_KEYS, analysisConfig, normaliseSeverity } from '../config/index.js';
import { RULE_IDS } from '../rules/index.js';
import { LspTestClient, REPO } from './editors/lsp-client.js';

const CLI = join(REPO, 'dist', 'cli', 'main.js');

/** Three functions: `exit` in a vfork child after a failed exec (reported at the exec, line 8), an unknown call after `xvfork` (line 18), a child `return` (line 29). */
const SAMPLE = `#include <stdlib.h>
#include <unistd.h>

int launch(char **argv)
{
	pid_t pid = vfork();
	if (pid == 0) {
		execv(argv[0], argv);
		exit(127);
	}
	return pid;
}

int spawn(char **argv)
{
	pid_t pid = xvfork();
	if (pid == 0) {
		my_log(argv[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int reuse(char **argv)
{
	pid_t pid = vfork();
	if (pid == 0)
		return 1;
	return pid;
}
`;

interface ValidCase {
  name: string;
  files: Record<string, string>;
  /** The C files to lint, relative to the case directory. */
  lint: string[];
  /** `file:line:rule:severity`, sorted. */
  findings: string[];
  /** The effective analysis configuration for the case's files. */
  config: Record<string, unknown>;
  /** ignorePatterns as [base relative to the case directory, pattern]. */
  ignorePatterns?: Array<[string, string]>;
}

const VALID: ValidCase[] = [
  {
    name: 'no configuration: defaults',
    files: {},
    lint: ['a.c'],
    findings: ['a.c:29:child-returns:error', 'a.c:8:child-unsafe-call:error'],
    config: {},
  },
  {
    name: '.vforklintrc.json with ESLint spellings "warn" and 0',
    files: { '.vforklintrc.json': JSON.stringify({ $schema: '../vforklint.schema.json', rules: { 'child-unsafe-call': 'warn', 'child-returns': 0 }, forkFunctions: ['xvfork'] }) },
    lint: ['a.c'],
    findings: ['a.c:18:child-unsafe-call:warning', 'a.c:8:child-unsafe-call:warning'],
    config: { rules: { 'child-unsafe-call': 'warning', 'child-returns': 'off' }, forkFunctions: ['xvfork'] },
  },
  {
    name: 'vforklint.config.json with 1 and "off"',
    files: { 'vforklint.config.json': JSON.stringify({ rules: { 'child-returns': 1, 'child-unsafe-call': 'off' }, strict: false }) },
    lint: ['a.c'],
    findings: ['a.c:29:child-returns:warning'],
    config: { rules: { 'child-returns': 'warning', 'child-unsafe-call': 'off' }, strict: false },
  },
  {
    name: 'package.json "vforklint" key with 2, safeFunctions and ignorePatterns',
    files: {
      'package.json': JSON.stringify({ name: 'pkg', vforklint: { rules: { 'child-unsafe-call': 2 }, forkFunctions: ['xvfork'], safeFunctions: ['my_log'], ignorePatterns: ['skip/'] } }),
      'skip/a.c': SAMPLE,
    },
    lint: ['a.c', 'skip/a.c'],
    findings: ['a.c:29:child-returns:error', 'a.c:8:child-unsafe-call:error'],
    config: { rules: { 'child-unsafe-call': 'error' }, forkFunctions: ['xvfork'], safeFunctions: ['my_log'] },
    ignorePatterns: [['', 'skip/']],
  },
  {
    name: 'the nearest file wins (a subdirectory), ignorePatterns relative to it',
    files: {
      '.vforklintrc.json': JSON.stringify({ rules: { 'child-returns': 'off' } }),
      'sub/vforklint.config.json': JSON.stringify({ ignorePatterns: ['gen_*.c'], noReturnFunctions: ['die'] }),
      'sub/a.c': SAMPLE,
      'sub/gen_a.c': SAMPLE,
    },
    lint: ['sub/a.c', 'sub/gen_a.c'],
    findings: ['sub/a.c:29:child-returns:error', 'sub/a.c:8:child-unsafe-call:error'],
    config: { noReturnFunctions: ['die'] },
    ignorePatterns: [['sub', 'gen_*.c']],
  },
];

interface InvalidCase {
  name: string;
  file: string;
  text: string;
  /** The whole error line, given the case directory. */
  error: (dir: string) => RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const KNOWN_KEYS = '$schema, rules, strict, forkFunctions, noReturnFunctions, safeFunctions, ignorePatterns';

const INVALID: InvalidCase[] = [
  {
    name: 'unknown key',
    file: '.vforklintrc.json',
    text: JSON.stringify({ forkFunction: ['xvfork'] }),
    error: (d) => new RegExp(`^${esc(`${d}/.vforklintrc.json: "forkFunction" unknown key (allowed: ${KNOWN_KEYS})`)}$`),
  },
  {
    name: 'unknown rule',
    file: 'vforklint.config.json',
    text: JSON.stringify({ rules: { 'child-return': 'off' } }),
    error: (d) => new RegExp(`^${esc(`${d}/vforklint.config.json: "rules.child-return" unknown rule (known rules: ${RULE_IDS.join(', ')})`)}$`),
  },
  {
    name: 'bad severity',
    file: 'vforklint.config.json',
    text: JSON.stringify({ rules: { 'child-returns': 'fatal' } }),
    error: (d) => new RegExp(`^${esc(`${d}/vforklint.config.json: "rules.child-returns" must be one of "off", "warn", "warning", "error", 0, 1, 2`)}$`),
  },
  {
    name: 'bad numeric severity in package.json',
    file: 'package.json',
    text: JSON.stringify({ name: 'p', vforklint: { rules: { 'child-returns': 3 } } }),
    error: (d) => new RegExp(`^${esc(`${d}/package.json ("vforklint" key): "rules.child-returns" must be one of "off", "warn", "warning", "error", 0, 1, 2`)}$`),
  },
  {
    name: 'wrong type in package.json',
    file: 'package.json',
    text: JSON.stringify({ name: 'p', vforklint: { strict: 'yes' } }),
    error: (d) => new RegExp(`^${esc(`${d}/package.json ("vforklint" key): "strict" must be boolean`)}$`),
  },
  {
    name: 'a list that is a string',
    file: '.vforklintrc.json',
    text: JSON.stringify({ safeFunctions: 'my_log' }),
    error: (d) => new RegExp(`^${esc(`${d}/.vforklintrc.json: "safeFunctions" must be array`)}$`),
  },
  {
    name: 'not a function name',
    file: '.vforklintrc.json',
    text: JSON.stringify({ forkFunctions: ['xvfork:raw', 'not a name'] }),
    error: (d) => new RegExp(`^${esc(`${d}/.vforklintrc.json: "forkFunctions[1]" must be a function name`)}`),
  },
  {
    name: 'broken JSON',
    file: '.vforklintrc.json',
    text: '{"strict": true,',
    error: (d) => new RegExp(`^${esc(`${d}/.vforklintrc.json: invalid JSON (`)}.+\\); fix it or delete the file$`),
  },
];

let root: string;
let server: LspTestClient;

before(async () => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'vforklint-config-')));
  server = await LspTestClient.start({ workspaceFolder: root, settings: {}, initializationOptions: { debounceMs: 0 } });
});
after(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

function caseDir(name: string, files: Record<string, string>): string {
  const dir = join(root, name.replace(/[^A-Za-z0-9]+/g, '-'));
  for (const [rel, text] of Object.entries({ 'a.c': SAMPLE, ...files })) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

interface JsonResult {
  filePath: string;
  messages: Array<{ ruleId: string; line: number; severity: number }>;
}

const SEVERITY_NAME: Record<number, string> = { 1: 'warning', 2: 'error' };

function runCli(dir: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, '--no-progress', ...args], { cwd: dir, encoding: 'utf8' });
}

function cliFindings(dir: string, files: string[]): string[] {
  const r = runCli(dir, ['--format', 'json', '--no-warn-ignored', ...files]);
  assert.ok(r.status === 0 || r.status === 1, `CLI exit ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as JsonResult[]).flatMap((f) => f.messages.map((m) => `${relative(dir, f.filePath)}:${m.line}:${m.ruleId}:${SEVERITY_NAME[m.severity]}`)).sort();
}

async function serverFindings(dir: string, files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const rel of files) {
    const uri = await server.open(join(dir, rel));
    for (const d of await server.diagnosticsFor(uri)) out.push(`${rel}:${d.range.start.line + 1}:${String(d.code)}:${d.severity === 1 ? 'error' : 'warning'}`);
  }
  return out.sort();
}

async function eslintResults(dir: string, files: string[]) {
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: plugin.configs.recommended, ignore: false });
  return eslint.lintFiles(files.map((f) => join(dir, f)));
}

/** ESLint's severity is ESLint's (its `rules`); what is found must be the same. */
const withoutSeverity = (keys: string[]) => keys.map((k) => k.replace(/:[a-z]+$/, '')).sort();

describe('one configuration reader, three front ends', () => {
  it('the schema and the normaliser name the same keys; every severity spelling normalises', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'vforklint.schema.json'), 'utf8')) as { properties: Record<string, unknown>; definitions: { severity: { enum: unknown[] } } };
    assert.deepEqual(Object.keys(schema.properties).filter((k) => k !== '$schema').sort(), [...CONFIG_KEYS].sort());
    assert.deepEqual(schema.definitions.severity.enum.map(normaliseSeverity), ['off', 'warning', 'warning', 'error', 'off', 'warning', 'error']);
    assert.equal(normaliseSeverity('fatal'), undefined);
    assert.equal(normaliseSeverity(3), undefined);
  });

  for (const c of VALID) {
    it(`valid: ${c.name}`, async () => {
      const dir = caseDir(c.name, c.files);

      // Findings.
      const cli = cliFindings(dir, c.lint);
      assert.deepEqual(cli, [...c.findings].sort(), 'CLI findings');
      assert.deepEqual(await serverFindings(dir, c.lint), cli, 'server findings and severities = CLI');
      const eslint = (await eslintResults(dir, c.lint)).flatMap((r) => r.messages.map((m) => `${relative(dir, r.filePath)}:${m.line}:${m.ruleId?.replace(/^vforklint\//, '')}`));
      assert.deepEqual(eslint.sort(), withoutSeverity(cli), 'ESLint findings = CLI');

      // Effective configuration, per linted file.
      const ignorePatterns = (c.ignorePatterns ?? []).map(([base, pattern]) => ({ base: join(dir, base), pattern }));
      for (const rel of c.lint) {
        const file = join(dir, rel);
        const printed = runCli(dir, ['--print-config', rel]);
        assert.equal(printed.status, 0, printed.stderr);
        const { configFiles: _files, ignorePatterns: cliIgnore, ...cliConfig } = JSON.parse(printed.stdout) as Record<string, unknown>;
        void _files;
        delete (cliConfig as { rulesInForce?: unknown }).rulesInForce; // the CLI's own addition: the severities in force
        assert.deepEqual(cliConfig, c.config, `CLI --print-config ${rel}`);
        assert.deepEqual(cliIgnore ?? [], ignorePatterns, `CLI ignorePatterns ${rel}`);
        const onServer = effectiveConfig({}, file, [root]);
        assert.deepEqual(onServer.problems, []);
        assert.deepEqual(onServer.config, c.config, `server config ${rel}`);
        const inEslint = configForFile(file, {});
        assert.deepEqual(analysisConfig(inEslint), c.config, `ESLint config ${rel}`);
        assert.deepEqual(inEslint.ignorePatterns ?? [], ignorePatterns, `ESLint ignorePatterns ${rel}`);
      }
    });
  }

  for (const c of INVALID) {
    it(`invalid: ${c.name}: the same one line from each front end`, async () => {
      const dir = caseDir(`bad ${c.name}`, { [c.file]: c.text });
      const expected = c.error(dir);

      const cli = runCli(dir, ['a.c']);
      assert.equal(cli.status, 2, cli.stdout + cli.stderr);
      const lines = cli.stderr.trim().split('\n');
      assert.equal(lines.length, 1, cli.stderr);
      assert.match(lines[0]!, /^vforklint: /);
      const line = lines[0]!.slice('vforklint: '.length);
      assert.match(line, expected);

      await server.open(join(dir, 'a.c'));
      const shown = await server.until(`the server's message for ${c.name}`, () => server.messages.find((m) => m.includes(dir)));
      assert.equal(shown, `vforklint: ${line}`, 'server message');

      const [result] = await eslintResults(dir, ['a.c']);
      const fatal = result!.messages.filter((m) => m.fatal);
      assert.equal(fatal.length, 1, JSON.stringify(result!.messages));
      assert.equal(result!.messages.length, 1, 'nothing but the error');
      assert.equal(fatal[0]!.message.replace(/^Parsing error: /, ''), line, 'ESLint message');
    });
  }

  it('editor settings and ESLint languageOptions: the same validation and spellings as a file', () => {
    const dir = caseDir('settings', {});
    const file = join(dir, 'a.c');
    const good = effectiveConfig({ enable: true, trace: { server: 'off' }, strict: null, rules: { 'child-returns': 'warn', 'child-unsafe-call': 0 }, forkFunctions: ['xvfork:raw'] }, file, [root]);
    assert.deepEqual(good.problems, []);
    assert.deepEqual(good.config, { rules: { 'child-returns': 'warning', 'child-unsafe-call': 'off' }, forkFunctions: ['xvfork:raw'] });
    assert.deepEqual(analysisConfig(configForFile(file, { rules: { 'child-returns': 'warn', 'child-unsafe-call': 0 }, forkFunctions: ['xvfork:raw'], ecmaVersion: 2022 })), good.config);

    const bad = effectiveConfig({ rules: { 'child-returns': 'fatal' } }, file, [root]);
    assert.deepEqual(bad.problems, ['settings "vforklint": "rules.child-returns" must be one of "off", "warn", "warning", "error", 0, 1, 2']);
    assert.throws(() => configForFile(file, { rules: { 'child-returns': 'fatal' } }), { message: 'ESLint languageOptions: "rules.child-returns" must be one of "off", "warn", "warning", "error", 0, 1, 2' });

    // ignorePatterns in the settings are relative to the workspace folder.
    assert.equal(effectiveConfig({ ignorePatterns: ['settings/*.c'] }, file, [root]).ignored, true);
    assert.equal(effectiveConfig({ ignorePatterns: ['other/*.c'] }, file, [root]).ignored, false);
  });

  it('CLI --rule takes the same spellings', () => {
    const dir = caseDir('rule-flag', {});
    assert.equal(runCli(dir, ['--rule', 'child-returns:0', '--rule', 'child-unsafe-call:warn', 'a.c']).status, 0);
    const bad = runCli(dir, ['--rule', 'child-returns:3', 'a.c']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^vforklint: --rule "child-returns:3": severity must be off, warn \(or warning\), error, or 0, 1, 2\n$/);
  });
});
