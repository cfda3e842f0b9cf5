/**
 * Parity: over every fixture (fixtures/c/*.c, fixtures/go/*.go), the ESLint plugin run
 * through ESLint's real API with `configs.recommended` reports exactly the findings the
 * `vforklint` CLI reports with its defaults (`--format json --no-config-lookup`): the
 * same (rule, line, column, end, message) set per file, and the same parts not analysed
 * (start and end line and column, reason).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import plugin from '../eslint-plugin/index.js';
import { PATH_RULE_IDS, initParsers, parseSource, stepChain, type RuleId } from '../rules/index.js';
import { NOT_ANALYSED_PREFIX, PROJECT_NOTE_PREFIX } from '../eslint-plugin/core-rules.js';

await initParsers();

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}dist/cli/main.js`;

interface Message {
  ruleId: string | null;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  /** The CLI's JSON steps (RULES section 9). */
  steps?: Array<{ line: number; file?: string }>;
}

/** The CLI's message as ESLint shows it: the same text, then the short chain of the steps. */
function withChain(m: Message): Message {
  if (!m.ruleId || !PATH_RULE_IDS.has(m.ruleId as RuleId)) return m;
  return { ...m, message: `${m.message}${stepChain((m.steps ?? []).map((s) => ({ ...(s.file !== undefined ? { file: s.file } : {}), range: { start: { line: s.line } } })))}` };
}

function key(rule: string | null, m: Message): string {
  return `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${rule} ${m.message}`;
}

function fixturePaths(): string[] {
  const out: string[] = [];
  for (const language of ['c', 'go']) {
    const dir = `${ROOT}fixtures/${language}`;
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir).sort()) if (n.endsWith(`.${language}`)) out.push(`${dir}/${n}`);
  }
  return out;
}

/** Runs both tools over the fixtures and returns every difference, one line each. */
/**
 * The single-file fixtures are compared with the project index off on both sides (the
 * repository around them is not their project); `project` compares a multi-file fixture
 * project with the index on, rooted at its directory (CLI --project-root, ESLint settings).
 */
async function compare(cliArgs: string[], languageOptions: Record<string, unknown> | undefined, project?: string): Promise<{ mismatches: string[]; compared: number; findings: number }> {
  const files = project ? projectFiles(project) : fixturePaths();
  assert.ok(project ? files.length >= 2 : files.length >= 10, `expected fixtures, found ${files.length}`);
  cliArgs = [...cliArgs, ...(project ? ['--project-root', project] : ['--no-project-index'])];
  assert.ok(existsSync(CLI), 'the vforklint CLI is built (dist/cli/main.js)');

  const cli = spawnSync(process.execPath, [CLI, '--format', 'json', '--no-config-lookup', '--no-progress', ...cliArgs, ...files], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.ok(cli.status === 0 || cli.status === 1, `vforklint exited ${cli.status}: ${cli.stderr}`);
  const cliResults = JSON.parse(cli.stdout) as Array<{ filePath: string; messages: Message[]; projectNotes?: string[]; notAnalysed?: Array<{ line: number; column: number; endLine: number; endColumn: number; reason: string }> }>;
  const cliNotAnalysed = new Map(cliResults.map((r) => [r.filePath, r.notAnalysed ?? []]));
  const cliByFile = new Map(cliResults.map((r) => [r.filePath, r.messages.map((m) => key(m.ruleId && `vforklint/${m.ruleId}`, withChain(m))).sort()]));

  const overrideConfig = [
    ...plugin.configs.recommended,
    ...(languageOptions ? [{ files: ['**/*.c', '**/*.h', '**/*.go'], languageOptions }] : []),
    { settings: { vforklint: project ? { projectRoot: project } : { projectIndex: false } } },
  ];
  const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig, ignore: false });
  const eslintResults = await eslint.lintFiles(files);
  assert.equal(eslintResults.length, files.length);

  let findings = 0;
  const mismatches: string[] = [];
  for (const r of eslintResults) {
    const fatal = r.messages.filter((m) => m.fatal);
    // By design a Go file with syntax errors is a fatal parsing error in ESLint (as a broken
    // JavaScript file is), while the CLI still reports what it understands: such fixtures
    // (the fuzzer's regressions) are compared for that verdict only.
    if (fatal.length && r.filePath.endsWith('.go') && parseSource(readFileSync(r.filePath, 'utf8'), 'go').rootNode.hasError) continue;
    assert.deepEqual(fatal, [], `${r.filePath}: ESLint could not parse it`);
    // Parts the analysis could not cover: the CLI lists them apart (notAnalysed), ESLint as messages.
    // (ESLint has them said by the first enabled rule, so the rule is not compared.)
    const notes = r.messages.filter((m) => m.message.startsWith(NOT_ANALYSED_PREFIX)).map((m) => key(null, m as Message)).sort();
    const cliNotes = (cliNotAnalysed.get(r.filePath) ?? []).map((n) => key(null, { ...n, ruleId: null, message: `${NOT_ANALYSED_PREFIX}${n.reason}.` })).sort();
    if (notes.join() !== cliNotes.join()) mismatches.push(`${r.filePath}: not analysed: ESLint [${notes.join(', ')}], CLI [${cliNotes.join(', ')}]`);
    // What the project index assumed: the CLI lists it apart (projectNotes), ESLint as messages at the first fork site.
    const projectNotes = r.messages.filter((m) => m.message.startsWith(PROJECT_NOTE_PREFIX)).map((m) => m.message.slice(PROJECT_NOTE_PREFIX.length)).sort();
    const cliProjectNotes = [...(cliResults.find((x) => x.filePath === r.filePath)?.projectNotes ?? [])].sort();
    if (projectNotes.join('\n') !== cliProjectNotes.join('\n')) mismatches.push(`${r.filePath}: project notes: ESLint [${projectNotes.join(', ')}], CLI [${cliProjectNotes.join(', ')}]`);
    const mine = r.messages.filter((m) => !m.message.startsWith(NOT_ANALYSED_PREFIX) && !m.message.startsWith(PROJECT_NOTE_PREFIX)).map((m) => key(m.ruleId, m as Message)).sort();
    const theirs = cliByFile.get(r.filePath) ?? [];
    findings += theirs.length;
    for (const k of theirs.filter((x) => !mine.includes(x))) mismatches.push(`${r.filePath}: only the CLI: ${k}`);
    for (const k of mine.filter((x) => !theirs.includes(x))) mismatches.push(`${r.filePath}: only ESLint: ${k}`);
  }
  return { mismatches, compared: eslintResults.length, findings };
}

/** The C and Go files of a fixture project (fixtures/projects/<case>/), recursively. */
function projectFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...projectFiles(p));
    else if (/\.(?:c|h|go)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

describe('ESLint plugin and vforklint CLI report the same findings', () => {
  it('on every multi-file fixture project, with the project index', async (t) => {
    const dir = `${ROOT}fixtures/projects`;
    const cases = existsSync(dir) ? readdirSync(dir).sort() : [];
    assert.ok(cases.length >= 5, `expected fixture projects, found ${cases.length}`);
    let total = 0;
    const mismatches: string[] = [];
    for (const c of cases) {
      const r = await compare([], undefined, `${dir}/${c}`);
      mismatches.push(...r.mismatches);
      total += r.findings;
    }
    assert.deepEqual(mismatches, []);
    assert.ok(total > 0, 'the projects produce findings');
    t.diagnostic(`${cases.length} projects, ${total} findings, identical`);
  });

  it('on every fixture, with the defaults', async (t) => {
    const { mismatches, compared, findings } = await compare([], undefined);
    assert.deepEqual(mismatches, []);
    assert.ok(findings > 0, 'the fixtures produce findings');
    t.diagnostic(`${compared} fixtures, ${findings} findings, identical`);
  });

  it('on every fixture, in strict mode (CLI --strict, ESLint languageOptions.strict)', async (t) => {
    const { mismatches, compared, findings } = await compare(['--strict'], { strict: true });
    assert.deepEqual(mismatches, []);
    t.diagnostic(`${compared} fixtures, ${findings} findings, identical`);
  });
});
