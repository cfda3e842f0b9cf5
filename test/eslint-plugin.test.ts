/**
 * The ESLint plugin's languages and adapters, through ESLint's real Linter: directives in C
 * and Go comments, inline config, parse errors, positions, the one-analysis-per-file cache,
 * the fix and suggestion translation, language options, and the plugin's shape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Linter } from 'eslint';
import plugin from '../eslint-plugin/index.js';
import { scanComments } from '../rules/comments.js';
import { NOT_ANALYSED_PREFIX, eslintLanguagesFor, offersSuggestions, toReport } from '../eslint-plugin/core-rules.js';
import { VforklintSourceCode } from '../eslint-plugin/source-code.js';
import { PATH_RULE_IDS, RULE_METAS, analyze, formatMessage, initParsers, parseSource, releaseTree, ruleMeta, stepChain, type Finding, type Fix, type Language, type SyntaxNode } from '../rules/index.js';

await initParsers();

const FIXTURES = new URL('../../fixtures/', import.meta.url);

function fixtureFiles(): Array<{ path: string; language: Language; text: string }> {
  const out: Array<{ path: string; language: Language; text: string }> = [];
  for (const language of ['c', 'go'] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(new URL(`${language}/`, FIXTURES)).filter((n) => n.endsWith(`.${language}`)).sort();
    } catch {
      continue;
    }
    for (const n of names) out.push({ path: `${language}/${n}`, language, text: readFileSync(new URL(`${language}/${n}`, FIXTURES), 'utf8') });
  }
  return out;
}

/** Every rule that runs on `language` (C rules also run on Go: cgo preambles). */
function allRulesOn(language: Language): Linter.RulesRecord {
  return Object.fromEntries(RULE_METAS.filter((m) => eslintLanguagesFor(m).includes(`vforklint/${language}`)).map((m) => [`vforklint/${m.id}`, 'error' as const]));
}

/**
 * The snippets here are linted as virtual files in the working directory (this repository):
 * its hundreds of fixtures are not their project, so the project index is off (the index's
 * ESLint settings are tested in eslint-parity, on fixtures/projects).
 */
function configFor(language: Language, rules: Linter.RulesRecord = allRulesOn(language), languageOptions?: Record<string, unknown>): Linter.Config[] {
  return [
    {
      files: language === 'c' ? ['**/*.c', '**/*.h'] : ['**/*.go'],
      plugins: { vforklint: plugin },
      language: `vforklint/${language}`,
      settings: { vforklint: { projectIndex: false } },
      rules,
      ...(languageOptions ? { languageOptions } : {}),
    },
  ];
}

function lint(text: string, language: Language, rules?: Linter.RulesRecord, linterOptions?: Linter.Config['linterOptions']) {
  const linter = new Linter({ configType: 'flat' });
  const config = configFor(language, rules);
  if (linterOptions) config[0].linterOptions = linterOptions;
  const messages = linter.verify(text, config, `file.${language}`);
  return { messages, sourceCode: linter.getSourceCode() as unknown as VforklintSourceCode };
}

/** The child returns (a plain safe call, no exec: a failed exec would be reported at the exec). */
const VFORK_RETURNS = `int quick(char **argv)
{
	pid_t pid;
	if ((pid = vfork()) == 0)
		chdir(argv[0]);
	return pid;
}
`;

const GO_RETURNS = `package syscall

//go:norace
func forkReturns(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	RawSyscall(SYS_CHDIR, uintptr(unsafe.Pointer(argv0)), 0, 0)
	return 0, 0
}
`;

describe('comment lexer', () => {
  function treeComments(text: string, language: Language): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const tree = parseSource(text, language);
    // A cursor walk: fixtures nest deeper than the JavaScript stack allows a recursive one.
    const cursor = tree.walk();
    for (let more = true; more; ) {
      if (cursor.nodeType === 'comment') out.push([cursor.startIndex, cursor.endIndex]);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
      }
    }
    cursor.delete();
    releaseTree(tree);
    return out;
  }

  it('finds exactly the comments tree-sitter finds, in every fixture', () => {
    const files = fixtureFiles();
    assert.ok(files.length > 0, 'no fixtures found');
    for (const f of files) {
      const lexed = scanComments(f.text, f.language).map((c) => [c.start, c.end]);
      assert.deepEqual(lexed, treeComments(f.text, f.language), f.path);
    }
  });

  it('does not mistake comment openers inside strings, chars and raw strings', () => {
    const cText = 'char *s = "/* not */ // not"; char c = \'"\'; /* yes */ int x; // yes too\n#define A "\\" // still string"\n';
    assert.deepEqual(scanComments(cText, 'c').map((c) => c.value), [' yes ', ' yes too']);
    assert.deepEqual(scanComments(cText, 'c').map((c) => [c.start, c.end]), treeComments(cText, 'c'));
    const goText = 'package p\n\nvar s = `raw // not\n/* not */`\nvar r = \'/\' // yes\nvar q = "a\\"/*b" /* yes */\n';
    assert.deepEqual(scanComments(goText, 'go').map((c) => c.type), ['Line', 'Block']);
    assert.deepEqual(scanComments(goText, 'go').map((c) => [c.start, c.end]), treeComments(goText, 'go'));
  });

  it('continues a C line comment across a backslash-newline', () => {
    const text = 'int a; // one \\\ntwo\nint b;\n';
    const [comment] = scanComments(text, 'c');
    assert.equal(comment.value, ' one \\\ntwo');
    assert.deepEqual([[comment.start, comment.end]], treeComments(text, 'c'));
  });
});

describe('eslint-disable comments in C and Go', () => {
  it('eslint-disable-next-line suppresses the named rule on the next line only (C)', () => {
    const before = lint(VFORK_RETURNS, 'c');
    assert.deepEqual(before.messages.map((m) => [m.ruleId, m.line]), [['vforklint/vfork-discouraged', 4], ['vforklint/child-returns', 6]]);
    const text = VFORK_RETURNS.replace('\treturn pid;', '\t// eslint-disable-next-line vforklint/child-returns -- exec never fails here\n\treturn pid;');
    const after = lint(text, 'c');
    assert.deepEqual(after.messages.map((m) => [m.ruleId, m.line]), [['vforklint/vfork-discouraged', 4]]);
    assert.equal(after.sourceCode.getDisableDirectives().directives[0].justification, 'exec never fails here');
  });

  it('eslint-disable-line and block disable/enable work (C)', () => {
    const text = VFORK_RETURNS.replace('\treturn pid;', '\treturn pid; // eslint-disable-line vforklint/child-returns').replace(
      '\tif ((pid',
      '\t/* eslint-disable vforklint/vfork-discouraged */\n\tif ((pid',
    );
    assert.deepEqual(lint(text, 'c').messages, []);
    const reenabled = text.replace('\t\tchdir', '\t/* eslint-enable vforklint/vfork-discouraged */\n\t\tchdir');
    assert.deepEqual(lint(reenabled, 'c').messages, []);
  });

  it('eslint-disable-next-line works in Go, and a // eslint-disable (block form in a line comment) does not, as in JavaScript', () => {
    const text = GO_RETURNS.replace('\treturn 0, 0', '\t// eslint-disable-next-line vforklint/child-returns\n\treturn 0, 0');
    assert.deepEqual(lint(text, 'go', { 'vforklint/child-returns': 'error' }).messages, []);
    const lineForm = GO_RETURNS.replace('\tvar r1', '\t// eslint-disable vforklint/child-returns\n\tvar r1');
    assert.deepEqual(lint(lineForm, 'go', { 'vforklint/child-returns': 'error' }).messages.map((m) => m.line), [13]);
    const blockForm = GO_RETURNS.replace('\tvar r1', '\t/* eslint-disable vforklint/child-returns */\n\tvar r1');
    assert.deepEqual(lint(blockForm, 'go', { 'vforklint/child-returns': 'error' }).messages, []);
  });

  it('a directive inside a string literal is not a directive', () => {
    const text = VFORK_RETURNS.replace('\treturn pid;', '\tputs("// eslint-disable-next-line vforklint/child-returns");\n\treturn pid;');
    const { messages } = lint(text, 'c', { 'vforklint/child-returns': 'error' });
    assert.deepEqual(messages.map((m) => m.ruleId), ['vforklint/child-returns']);
  });

  it('an unused directive is reported when reportUnusedDisableDirectives is on', () => {
    const text = VFORK_RETURNS.replace('\tpid_t pid;', '\tpid_t pid; // eslint-disable-line vforklint/child-returns');
    const { messages } = lint(text, 'c', { 'vforklint/child-returns': 'error' }, { reportUnusedDisableDirectives: 'error' });
    assert.deepEqual(
      messages.map((m) => [m.ruleId, m.line, m.column]),
      [
        [null, 3, 13],
        ['vforklint/child-returns', 6, 2],
      ],
    );
    assert.match(messages[0].message, /Unused eslint-disable directive/);
  });

  it('a multi-line block eslint-disable-line is a problem, not a directive', () => {
    const text = VFORK_RETURNS.replace('\treturn pid;', '\treturn pid; /* eslint-disable-line\n vforklint/child-returns */');
    const { messages } = lint(text, 'c', { 'vforklint/child-returns': 'error' });
    assert.ok(messages.some((m) => m.message === 'eslint-disable-line comment should not span multiple lines.'));
    assert.ok(messages.some((m) => m.ruleId === 'vforklint/child-returns'));
  });

  it('/* eslint rule: "off" */ inline config applies, and a malformed one is a clear error', () => {
    const off = `/* eslint vforklint/child-returns: "off" */\n${VFORK_RETURNS}`;
    assert.deepEqual(lint(off, 'c', { 'vforklint/child-returns': 'error' }).messages, []);
    const on = `/* eslint vforklint/vfork-discouraged: "warn" */\n${VFORK_RETURNS}`;
    const { messages } = lint(on, 'c', { 'vforklint/child-returns': 'error' });
    assert.deepEqual(messages.map((m) => [m.ruleId, m.severity]), [['vforklint/vfork-discouraged', 1], ['vforklint/child-returns', 2]]);
    const bad = `/* eslint vforklint/child-returns: [ */\n${VFORK_RETURNS}`;
    const broken = lint(bad, 'c', { 'vforklint/child-returns': 'error' }).messages;
    assert.equal(broken[0].ruleId, null);
    assert.equal(broken[0].line, 1);
  });

  it('noInlineConfig turns directives into warnings that name the comment', () => {
    const text = VFORK_RETURNS.replace('\treturn pid;', '\treturn pid; // eslint-disable-line vforklint/child-returns');
    const { messages } = lint(text, 'c', { 'vforklint/child-returns': 'error' }, { noInlineConfig: true });
    assert.ok(messages.some((m) => m.ruleId === 'vforklint/child-returns'));
    assert.ok(messages.some((m) => /has no effect because you have 'noInlineConfig'/.test(m.message)));
  });

  it('vforklint-disable comments keep working under ESLint (the core applies them)', () => {
    const text = VFORK_RETURNS.replace('\treturn pid;', '\t// vforklint-disable-next-line child-returns\n\treturn pid;');
    assert.deepEqual(lint(text, 'c', { 'vforklint/child-returns': 'error', 'vforklint/unused-disable-directive': 'warn' }).messages, []);
  });
});

describe('languages', () => {
  it('the root spans the whole text, from 1:1, even with leading comments and no trailing newline', () => {
    const text = '\n\n// lead\nint x;\nint yy';
    const { sourceCode } = lint(text, 'c');
    assert.deepEqual(sourceCode.ast.range, [0, text.length]);
    assert.deepEqual(sourceCode.ast.loc, { start: { line: 1, column: 1 }, end: { line: 5, column: 7 } });
    assert.deepEqual(sourceCode.getLocFromIndex(text.length - 1), { line: 5, column: 6 });
    assert.equal(sourceCode.getIndexFromLoc({ line: 4, column: 1 }), text.indexOf('int x'));
    assert.equal(sourceCode.lines.length, 5);
  });

  it('columns count UTF-16 code units, as tree-sitter and the core do', () => {
    const text = VFORK_RETURNS.replace('\treturn pid;', '\t/* ✓ 😀 */ return pid;');
    const { messages } = lint(text, 'c', { 'vforklint/child-returns': 'error' });
    const finding = analyze(text, 'c').findings.find((f) => f.rule === 'child-returns')!;
    assert.equal(messages[0].column, finding.range.start.column);
    assert.equal(messages[0].column, 2 + '/* ✓ 😀 */ '.length);
    assert.equal(messages[0].endColumn, finding.range.end.column);
  });

  it('CRLF line ends: the same lines and columns as the core, and fixes keep the CR', () => {
    const text = '#include <unistd.h>\r\nint f(void)\r\n{\r\n\tpid_t pid = vfork();\r\n\tif (pid == 0) {\r\n\t\texit(1);\r\n\t}\r\n\treturn pid;\r\n}\r\n';
    const { messages } = lint(text, 'c');
    const core = analyze(text, 'c', { rules: { 'vfork-discouraged': 'error' } }).findings;
    assert.ok(core.length > 1);
    assert.deepEqual(
      messages.map((m) => [m.ruleId, m.line, m.column, m.endLine, m.endColumn]),
      core.map((f) => [`vforklint/${f.rule}`, f.range.start.line, f.range.start.column, f.range.end.line, f.range.end.column]),
    );
    const linter = new Linter({ configType: 'flat' });
    const fixed = linter.verifyAndFix(text, configFor('c'), 'f.c');
    assert.equal(fixed.output, text.replace('\t\texit(1);', '\t\t_exit(1);'));
  });

  it('a SourceCode verified again with more rules is analysed again', () => {
    const linter = new Linter({ configType: 'flat' });
    linter.verify(VFORK_RETURNS, configFor('c', { 'vforklint/child-returns': 'error' }), 'f.c');
    const sourceCode = linter.getSourceCode()!;
    const again = linter.verify(sourceCode, configFor('c', { 'vforklint/child-returns': 'error', 'vforklint/vfork-discouraged': 'error' }), 'f.c');
    assert.deepEqual(again.map((m) => m.ruleId), ['vforklint/vfork-discouraged', 'vforklint/child-returns']);
  });

  it('traversal hands ESLint the root only: two steps, however large the file', () => {
    const big = VFORK_RETURNS.repeat(500).replace(/quick/g, (_, i: number) => `quick${i}`);
    const { sourceCode, messages } = lint(big, 'c', { 'vforklint/child-returns': 'error' });
    assert.equal(messages.length, 500);
    assert.deepEqual([...sourceCode.traverse()].map((s) => (s as { phase: number }).phase), [1, 2]);
  });

  it('runs the analysis once per file, however many rules are on', () => {
    const { sourceCode, messages } = lint(VFORK_RETURNS, 'c');
    assert.ok(messages.length >= 2);
    assert.equal(sourceCode.enabledRules.size, Object.keys(allRulesOn('c')).length);
    assert.equal(sourceCode.analysisRuns, 1);
  });

  it('a Go syntax error is a fatal parsing error at its position; the file is not linted', () => {
    const text = 'package main\n\nfunc main() {\n\tx := \n}\n';
    const { messages } = lint(text, 'go');
    assert.equal(messages.length, 1);
    assert.equal(messages[0].fatal, true);
    assert.equal(messages[0].ruleId, null);
    assert.match(messages[0].message, /^Parsing error: Go syntax error: missing /);
    assert.deepEqual([messages[0].line, messages[0].column], [4, 6]);
  });

  it('C code tree-sitter misreads (GNU attributes, preprocessor) is still linted, not a parse error', () => {
    const text = `static char stack[64] __attribute__((aligned(16)));\n${VFORK_RETURNS}`;
    assert.ok(parseSource(text, 'c').rootNode.hasError);
    const { messages } = lint(text, 'c', { 'vforklint/child-returns': 'error' });
    assert.deepEqual(messages.map((m) => [m.ruleId, m.line]), [['vforklint/child-returns', 7]]);
  });

  it('odd input never crashes: empty, binary-ish, NUL bytes, lone CR', () => {
    for (const text of ['', '\0\0\0', 'vfork(\0', '\r\r\rvfork();\r', '\uFEFFint x;', '}}}{{{ vfork() ((((']) {
      for (const language of ['c', 'go'] as const) {
        const { messages } = lint(text, language);
        for (const m of messages) assert.ok(m.line >= 1 && m.column >= 1, JSON.stringify(m));
      }
    }
  });

  it('languageOptions: strict reaches the core; bad keys are one-line errors', () => {
    const raw = `int launch(char **argv)\n{\n\tint failed = 0;\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\tif (failed)\n\t\treturn -1;\n\treturn pid;\n}\n`;
    const rules = { 'vforklint/parent-reuses-frame': 'error' } as const;
    const linter = new Linter({ configType: 'flat' });
    const plain = linter.verify(raw, configFor('c', rules), 'f.c');
    const strict = linter.verify(raw, configFor('c', rules, { strict: true }), 'f.c');
    const coreStrict = analyze(raw, 'c', { strict: true }).findings.filter((f) => f.rule === 'parent-reuses-frame');
    assert.equal(plain.length, 0);
    assert.ok(coreStrict.length > 0, 'the core reports parent-reuses-frame for vfork in strict mode');
    assert.deepEqual(strict.map((m) => [m.line, m.column, m.message]), coreStrict.map((f) => [f.range.start.line, f.range.start.column, `${f.message}${PATH_RULE_IDS.has(f.rule) ? stepChain(f.steps) : ''}`]));
    assert.throws(() => linter.verify(raw, configFor('c', rules, { strcit: true }), 'f.c'), /ESLint languageOptions: "strcit" unknown key \(allowed: /);
    assert.throws(() => linter.verify(raw, configFor('c', rules, { safeFunctions: 'log' }), 'f.c'), /ESLint languageOptions: "safeFunctions" must be array/);
  });

  it('configured forkFunctions and safeFunctions reach the core', () => {
    const text = 'int f(void)\n{\n\tpid_t pid = xvfork();\n\tif (pid == 0) {\n\t\tmy_log();\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n';
    const rules = { 'vforklint/child-unsafe-call': 'error' } as const;
    const linter = new Linter({ configType: 'flat' });
    assert.deepEqual(linter.verify(text, configFor('c', rules), 'f.c'), []);
    const found = linter.verify(text, configFor('c', rules, { forkFunctions: ['xvfork'] }), 'f.c');
    assert.deepEqual(found.map((m) => m.line), [5]);
    assert.deepEqual(linter.verify(text, configFor('c', rules, { forkFunctions: ['xvfork'], safeFunctions: ['my_log'] }), 'f.c'), []);
  });
});

describe('rule metadata', () => {
  it('every core rule is an ESLint rule with the core meta', () => {
    const rules = plugin.rules as unknown as Record<string, { meta: Record<string, unknown> & { docs: Record<string, unknown> } }>;
    for (const meta of RULE_METAS) {
      const rule = rules[meta.id];
      assert.ok(rule, meta.id);
      // The core's templates; a path rule's end with the chain of its steps (`{{path}}`).
      assert.deepEqual(rule.meta.messages, PATH_RULE_IDS.has(meta.id) ? Object.fromEntries(Object.entries(meta.messages).map(([k, t]) => [k, `${t}{{path}}`])) : meta.messages);
      assert.equal(rule.meta.docs.url, meta.docsUrl);
      assert.equal(rule.meta.docs.description, meta.description);
      assert.equal(rule.meta.fixable, meta.fixable ? 'code' : undefined);
      assert.equal(rule.meta.hasSuggestions, offersSuggestions(meta) ? true : undefined);
      assert.deepEqual(rule.meta.languages, eslintLanguagesFor(meta));
    }
    assert.deepEqual(eslintLanguagesFor(ruleMeta('child-allocates')), ['vforklint/go']);
    assert.deepEqual(eslintLanguagesFor(ruleMeta('inlinable-fork-frame')), ['vforklint/c', 'vforklint/go']);
    assert.deepEqual(rules['no-ffi-vfork'].meta.languages, ['js/js']);
  });

  it('an enabled rule that does not support the language is refused by ESLint', () => {
    const linter = new Linter({ configType: 'flat' });
    assert.throws(() => linter.verify('int x;', configFor('c', { 'vforklint/child-allocates': 'error' }), 'f.c'), /do not support the language "vforklint\/c"/);
  });

  it('configs.recommended: C and Go blocks at the core default severities, no-ffi-vfork on JS/TS', () => {
    const [cBlock, goBlock, jsBlock] = plugin.configs.recommended;
    assert.equal(cBlock.language, 'vforklint/c');
    assert.deepEqual(cBlock.files, ['**/*.c', '**/*.h']);
    assert.equal(goBlock.language, 'vforklint/go');
    assert.deepEqual(goBlock.files, ['**/*.go']);
    assert.equal(cBlock.rules?.['vforklint/child-returns'], 'error');
    assert.equal(cBlock.rules?.['vforklint/inlinable-fork-frame'], 'warn');
    assert.equal(cBlock.rules?.['vforklint/child-allocates'], undefined);
    assert.equal(cBlock.rules?.['vforklint/vfork-discouraged'], undefined);
    assert.equal(goBlock.rules?.['vforklint/missing-norace'], 'warn');
    assert.equal(goBlock.rules?.['vforklint/inlinable-fork-frame'], 'warn');
    assert.deepEqual(jsBlock.rules, { 'vforklint/no-ffi-vfork': 'error' });
  });
});

describe('messages, fixes and suggestions', () => {
  it('every finding, of every rule, is reported with its messageId and data; the rule template gives the core text', () => {
    const ids = new Set<string>();
    for (const f of fixtureFiles()) {
      const { messages, sourceCode } = lint(f.text, f.language);
      if (messages.some((m) => m.fatal)) continue; // a Go fixture with syntax errors (the fuzzer's regressions)
      const findings = sourceCode.analysis().findings;
      const reported = messages.filter((m) => !m.message.startsWith(NOT_ANALYSED_PREFIX));
      assert.equal(reported.length, findings.length, `${f.path}: one ESLint message per finding`);
      for (const finding of findings) {
        const where = `${f.path}:${finding.range.start.line}:${finding.range.start.column} ${finding.rule}`;
        const template = ruleMeta(finding.rule).messages[finding.messageId];
        assert.ok(template !== undefined, `${where}: messageId '${finding.messageId}' is one of the rule's messages`);
        assert.equal(formatMessage(template, finding.data), finding.message, where);
        const message = reported.find((m) => m.ruleId === `vforklint/${finding.rule}` && m.line === finding.range.start.line && m.column === finding.range.start.column && m.endLine === finding.range.end.line && m.endColumn === finding.range.end.column);
        assert.ok(message, `${where}: reported by ESLint`);
        assert.equal(message.messageId, finding.messageId, where);
        // The text is the core's, then the short chain of the finding's steps; the steps themselves ride in data.
        assert.equal(message.message, `${finding.message}${PATH_RULE_IDS.has(finding.rule) ? stepChain(finding.steps) : ''}`, where);
        assert.deepEqual(JSON.parse(toReport(finding, ruleMeta(finding.rule)).data.steps!) as unknown, finding.steps, `${where}: data.steps`);
        if (PATH_RULE_IDS.has(finding.rule)) assert.ok(finding.steps.length >= 2, `${where}: a path finding shows the fork and the hazard`);
        ids.add(finding.rule);
      }
    }
    // Every core rule has a fixture finding here, unused-disable-directive included.
    assert.deepEqual([...ids].sort(), RULE_METAS.map((m) => m.id).sort());
  });

  /** A finding with the fix kinds the core attaches, turned into a report by a probe rule, through ESLint. */
  function probe(finding: Finding) {
    const meta = ruleMeta(finding.rule);
    const probePlugin = {
      meta: { name: 'probe' },
      languages: plugin.languages,
      rules: {
        probe: {
          meta: { type: 'problem' as const, fixable: meta.fixable ? ('code' as const) : undefined, hasSuggestions: offersSuggestions(meta), messages: meta.messages, schema: [] },
          create(context: { report(d: unknown): void; sourceCode: { text: string } }) {
            // Like a real finding, it goes away once fixed (the core re-analyses the fixed text).
            const stillThere = context.sourceCode.text.includes('\t\texit(1);');
            return { translation_unit: () => stillThere && context.report(toReport(finding, meta)) };
          },
        },
      },
    };
    return [{ files: ['**/*.c'], plugins: { vforklint: plugin, probe: probePlugin as never }, language: 'vforklint/c', rules: { 'probe/probe': 'error' as const } }];
  }

  const text = 'int f(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0) {\n\t\texit(1);\n\t}\n\treturn pid;\n}\n';
  const exitAt = text.indexOf('exit(1)');
  const range = { start: { line: 5, column: 3, offset: exitAt }, end: { line: 5, column: 10, offset: exitAt + 7 } };

  it('a safe small fix becomes an ESLint fix that --fix applies; the suppression becomes a suggestion', () => {
    const data = { callee: 'exit', fork: 'vfork', reason: '`exit` runs atexit handlers; use `_exit`' };
    const finding: Finding = {
      rule: 'child-unsafe-call',
      messageId: 'unsafe',
      data,
      severity: 'error',
      message: formatMessage(ruleMeta('child-unsafe-call').messages.unsafe, data),
      range,
      related: [],
      steps: [],
      fixes: [
        { title: 'Use _exit', kind: 'exit', safe: true, edits: [{ start: exitAt, end: exitAt + 4, newText: '_exit' }] },
        { title: 'Suppress with a comment', kind: 'suppress', safe: false, edits: [{ start: exitAt - 2, end: exitAt - 2, newText: '// vforklint-disable-next-line child-unsafe-call\n\t\t' }] },
      ],
    };
    const linter = new Linter({ configType: 'flat' });
    const [message] = linter.verify(text, probe(finding), 'f.c');
    assert.deepEqual(message.fix, { range: [exitAt, exitAt + 4], text: '_exit' });
    assert.deepEqual(message.suggestions?.map((s) => [s.desc, s.fix]), [
      ['Suppress with a comment', { range: [exitAt - 2, exitAt - 2], text: '// vforklint-disable-next-line child-unsafe-call\n\t\t' }],
    ]);
    const fixed = linter.verifyAndFix(text, probe(finding), 'f.c');
    assert.equal(fixed.fixed, true);
    assert.equal(fixed.output, text.replace('\t\texit(1);', '\t\t_exit(1);'));
    assert.deepEqual(fixed.messages, []);
  });

  it('the frame split is a suggestion, never an automatic fix', () => {
    const finding: Finding = {
      rule: 'parent-reuses-frame',
      messageId: 'work',
      data: { fork: 'vfork' },
      severity: 'error',
      message: formatMessage(ruleMeta('parent-reuses-frame').messages.work, { fork: 'vfork' }),
      range,
      related: [],
      steps: [],
      fixes: [{ title: 'Split the frame', kind: 'split', safe: true, edits: [{ start: 0, end: 0, newText: '/* split */\n' }] }],
    };
    const linter = new Linter({ configType: 'flat' });
    const [message] = linter.verify(text, probe(finding), 'f.c');
    assert.equal(message.fix, undefined);
    assert.equal(message.messageId, 'work');
    assert.deepEqual(message.suggestions?.map((s) => [s.desc, s.fix]), [['Split the frame', { range: [0, 0], text: '/* split */\n' }]]);
    assert.equal(linter.verifyAndFix(text, probe(finding), 'f.c').fixed, false);
  });

  /** One core fix as ESLint shows it: its edits merged into one replacement of the span they cover. */
  function merged(text: string, fix: Fix): { range: [number, number]; text: string } {
    const edits = [...fix.edits].sort((x, y) => x.start - y.start || x.end - y.end);
    let out = '';
    let at = edits[0].start;
    for (const e of edits) {
      out += text.slice(at, e.start) + e.newText;
      at = e.end;
    }
    return { range: [edits[0].start, at], text: out };
  }

  it('the core fixes come through as ESLint fixes and suggestions, edit for edit', () => {
    let compared = 0;
    const kinds = new Set<string>();
    for (const f of fixtureFiles()) {
      const linter = new Linter({ configType: 'flat' });
      const messages = linter.verify(f.text, plugin.configs.recommended, `x.${f.language}`);
      if (messages.some((m) => m.fatal)) continue;
      const findings = (linter.getSourceCode() as unknown as VforklintSourceCode).analysis().findings;
      for (const finding of findings) {
        const where = `${f.path}:${finding.range.start.line} ${finding.rule}`;
        const message = messages.find((m) => m.ruleId === `vforklint/${finding.rule}` && m.line === finding.range.start.line && m.column === finding.range.start.column && m.messageId === finding.messageId);
        assert.ok(message, `${where}: reported by ESLint`);
        const fixes = finding.fixes.filter((x) => x.edits.length > 0);
        // eslint --fix applies the first safe fix that is not the frame split; every other fix is a suggestion.
        const autofix = fixes.find((x) => x.safe && x.kind !== 'split');
        assert.deepEqual(message.fix, autofix && merged(f.text, autofix), `${where}: fix`);
        const suggested = fixes.filter((x) => x !== autofix).map((x) => ({ desc: x.title, fix: merged(f.text, x) }));
        assert.deepEqual(message.suggestions?.map((x) => ({ desc: x.desc, fix: x.fix })) ?? [], suggested, `${where}: suggestions`);
        for (const x of fixes) kinds.add(x.kind);
        compared += fixes.length;
      }
    }
    assert.ok(compared > 0, 'the fixtures have findings with fixes');
    assert.deepEqual([...kinds].sort(), ['exit', 'noinline', 'norace', 'split', 'suppress'], 'every fix kind was compared');
  });
});
