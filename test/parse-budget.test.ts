/**
 * Text tree-sitter cannot get through in time (its error recovery is super-linear on a
 * long run of operators) is blanked and reported as not analysed; the rest of the file
 * is still analysed, and every front end says what was left out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initParsers, analyze, createAnalysisCache, fixSource, parseSource, unparsedRanges, type Language } from '../rules/index.js';

await initParsers();

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../cli/main.js');
const OPERATORS = '+-*/&|^!~<>=?:,;.'.repeat(6000).slice(0, 100_000);

/** A forking function with a real hazard, then a line tree-sitter cannot parse in time, then more code. */
function hostile(language: Language): { text: string; badLine: number; hazardLine: number; hazardRule: string } {
  if (language === 'c') {
    const lines = ['#include <unistd.h>', 'int f(void)', '{', '\tpid_t pid = vfork();', '\tif (pid == 0)', '\t\texit(127);', '\treturn pid;', '}', `int g = 1${OPERATORS};`, 'int h(void) { return 2; }', ''];
    return { text: lines.join('\n'), badLine: 9, hazardLine: 6, hazardRule: 'child-unsafe-call' };
  }
  const lines = ['package p', '', 'func f() {', '\tr1, _, _ := RawSyscall(SYS_CLONE, CLONE_VM|CLONE_VFORK, 0, 0)', '\tif r1 == 0 {', '\t\treturn', '\t}', '}', '', `var g = 1${OPERATORS}`, ''];
  return { text: lines.join('\n'), badLine: 10, hazardLine: 6, hazardRule: 'child-returns' };
}

const tmp = mkdtempSync(join(tmpdir(), 'vforklint-parse-budget-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('parse budget', () => {
  for (const language of ['c', 'go'] as const) {
    it(`${language}: the line that stalls tree-sitter is left out and named; the hazard above it is still found`, () => {
      const { text, badLine, hazardLine, hazardRule } = hostile(language);
      const r = analyze(text, language);
      assert.equal(r.internalError, undefined);
      assert.ok(r.findings.some((f) => f.rule === hazardRule && f.range.start.line === hazardLine), `${hazardRule} at line ${hazardLine}: ${r.findings.map((f) => `${f.rule}@${f.range.start.line}`).join(', ')}`);
      assert.deepEqual(r.notAnalysed?.map((n) => [n.range.start.line, n.range.end.line]), [[badLine, badLine]]);
      assert.match(r.notAnalysed![0].reason, /could not parse/);
    });

    it(`${language}: the budget counts parser work, so the blanked lines are the same on every run`, () => {
      const { text } = hostile(language);
      const a = unparsedRanges(parseSource(text, language));
      const b = unparsedRanges(parseSource(text, language));
      assert.ok(a.length > 0);
      assert.deepEqual(a, b);
    });

    it(`${language}: fixSource still fixes the rest and never touches the blanked line`, () => {
      const { text, badLine } = hostile(language);
      const out = fixSource(text, language);
      assert.ok(out.changed, `a fix applies elsewhere in the file (${out.declined.map((d) => d.reason).join('; ')})`);
      assert.equal(out.text.split('\n').find((l) => l.includes(OPERATORS)), text.split('\n')[badLine - 1]);
    });
  }

  it('a function nested deeper than the flow pass follows is named, with and without the per-function cache', () => {
    const text = `#include <unistd.h>\nint g;\nint f(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n${'{'.repeat(600)}g++;${'}'.repeat(600)}\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n`;
    const cache = createAnalysisCache();
    for (const options of [{}, { cache }, { cache }]) {
      const r = analyze(text, 'c', {}, options);
      assert.equal(r.internalError, undefined);
      assert.deepEqual(r.notAnalysed?.map((n) => [n.range.start.line, n.range.end.line]), [[3, 11]]);
      assert.match(r.notAnalysed![0].reason, /nests more than 400/);
    }
  });

  it('an else-if chain of 3,000 branches is followed to the end (no nesting limit)', () => {
    const chain = Array.from({ length: 3000 }, (_, i) => `${i ? 'else ' : ''}if (x == ${i}) g = ${i};`).join('\n');
    const text = `#include <unistd.h>\nint g;\nint f(int x)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n${chain}\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n`;
    const r = analyze(text, 'c');
    assert.equal(r.notAnalysed, undefined);
    assert.equal(r.findings.filter((f) => f.rule === 'child-writes-shared').length, 3000);
  });

  it('a file that parses normally reports nothing as not analysed', () => {
    const text = 'int f(void)\n{\n\treturn vfork();\n}\n';
    assert.equal(analyze(text, 'c').notAnalysed, undefined);
    assert.deepEqual(unparsedRanges(parseSource(text, 'c')), []);
  });

  it('the CLI warns on stderr (one line), lists it in JSON and as a SARIF notification, and still exits 1 for the hazard', () => {
    const { text, badLine } = hostile('c');
    const file = join(tmp, 'ops.c');
    writeFileSync(file, text);
    const plain = spawnSync(process.execPath, [CLI, '--no-config-lookup', 'ops.c'], { cwd: tmp, encoding: 'utf8' });
    assert.equal(plain.status, 1, plain.stderr);
    const warnings = plain.stderr.split('\n').filter(Boolean);
    assert.equal(warnings.length, 1, plain.stderr);
    assert.match(warnings[0], new RegExp(`^vforklint: warning: ops\\.c:${badLine}: line ${badLine} not fully analysed: `));

    const json = spawnSync(process.execPath, [CLI, '--no-config-lookup', '--format', 'json', 'ops.c'], { cwd: tmp, encoding: 'utf8' });
    const results = JSON.parse(json.stdout) as Array<{ notAnalysed?: Array<{ line: number; endLine: number }> }>;
    assert.deepEqual(results[0].notAnalysed?.map((n) => [n.line, n.endLine]), [[badLine, badLine]]);

    const sarif = spawnSync(process.execPath, [CLI, '--no-config-lookup', '--format', 'sarif', 'ops.c'], { cwd: tmp, encoding: 'utf8' });
    const inv = (JSON.parse(sarif.stdout) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ level: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }> }> }).runs[0].invocations[0];
    assert.equal(inv.executionSuccessful, true);
    assert.deepEqual(inv.toolExecutionNotifications.map((n) => [n.level, n.locations[0].physicalLocation.region.startLine]), [['warning', badLine]]);
  });
});

describe('a macro word between a pointer declarator\'s `*` and its name', async () => {
  const { withoutDeclaratorMacros } = await import('../rules/declarator-macros.js');

  it('is blanked, keeping every offset, so the function parses', () => {
    const text = 'msg_t *FAST_FUNC make_msg(int n)\n{\n\treturn 0;\n}\nchar ** NOINLINE FAST_FUNC const_name(void) { return 0; }\n';
    const out = withoutDeclaratorMacros(text);
    assert.equal(out.length, text.length);
    assert.equal(out, text.replace('FAST_FUNC make_msg', '          make_msg').replace('NOINLINE FAST_FUNC const_name', '                   const_name'));
    const root = parseSource(text, 'c').rootNode;
    assert.deepEqual(root.namedChildren.map((n) => n?.type), ['function_definition', 'function_definition']);
  });

  it('leaves qualifiers and code inside functions alone', () => {
    for (const text of ['char *const restrict p(void);\n', 'int f(void)\n{\n\treturn a * b c(d);\n}\n', 'x = a * b;\n']) {
      assert.equal(withoutDeclaratorMacros(text), text);
    }
  });
});
