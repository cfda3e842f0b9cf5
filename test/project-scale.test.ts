/**
 * The project index at scale (RULES section 8, "Only what is needed"; issue "Cost"): a
 * generated project where one name has many definitions (a tree of examples, each with its
 * own `helper`), a function with hundreds of fork sites, and a parse budget. Each case
 * bounds the index's work counter (`ProjectIndex.work`), never a clock, and checks the note
 * that says what was left unknown: a cut is never silent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initParsers, memoryHost, ProjectIndex } from '../rules/index.js';
import { MAX_DEFINITIONS_PER_NAME } from '../rules/project/resolve.js';
import { MAX_WRAPPER_SITES_PER_FUNCTION, macroWrappers } from '../rules/project/wrappers.js';
import { classifyCall, isUnknownMacroCall } from '../rules/effects/calls.js';
import { descendantsOfType } from '../rules/syntax.js';

await initParsers();

const SPAWN = `#include <unistd.h>
void helper(void);

pid_t spawn(char *const argv[])
{
	pid_t pid = vfork();
	if (pid == 0) {
		helper();
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}
`;

/** `count` example directories, each defining its own non-static `helper` (half of them call `malloc`). */
function examples(count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    out[`examples/ex${i}/helper.c`] = `#include <stdlib.h>\nvoid helper(void)\n{\n\t${i % 2 ? 'free(malloc(1));' : 'return;'}\n}\n`;
    out[`examples/ex${i}/main.c`] = `void helper(void);\nint main(void)\n{\n\thelper();\n\treturn 0;\n}\n`;
  }
  return out;
}

function analyseSpawn(files: Record<string, string>, options: { maxParsedFiles?: number } = {}) {
  const index = new ProjectIndex(memoryHost('/p', files), options);
  const result = analyze(files['src/spawn.c'], 'c', {}, { project: { index, file: 'src/spawn.c' } });
  assert.equal(result.internalError, undefined);
  return { index, result };
}

test('a name defined in more files than the cap is left unknown, says so, and parses none of them', () => {
  const count = MAX_DEFINITIONS_PER_NAME * 20;
  const { index, result } = analyseSpawn({ ...examples(count), 'src/spawn.c': SPAWN });
  // Nothing but the analysed file's own fork-spelling scan: no `helper.c` was parsed.
  assert.equal(index.work.parsedFiles, 1, JSON.stringify(index.work));
  const note = (result.projectNotes ?? []).find((n) => n.includes('`helper`'));
  assert.match(note ?? '', new RegExp(`^${count} definitions of \`helper\`.*any of them may run.*left unknown`));
  // Unknown, not safe: the call is reported as one that could not be checked.
  const atHelper = result.findings.filter((f) => f.range.start.line === 8);
  assert.ok(atHelper.some((f) => f.rule === 'child-unsafe-call' && f.severity === 'warning'), JSON.stringify(result.findings.map((f) => [f.rule, f.severity, f.message])));
});

test('below the cap every definition is followed: any may run, the worst wins', () => {
  const { index, result } = analyseSpawn({ ...examples(3), 'src/spawn.c': SPAWN });
  assert.equal(index.work.parsedFiles, 1 + 3, JSON.stringify(index.work));
  assert.ok((result.projectNotes ?? []).some((n) => /`helper` is defined in several files/.test(n)), JSON.stringify(result.projectNotes));
  assert.ok(result.findings.some((f) => f.rule === 'child-unsafe-call' && f.severity === 'error' && /uses the heap/.test(f.message)), JSON.stringify(result.findings.map((f) => f.message)));
});

test('one summary per definition, shared by every caller', () => {
  const files: Record<string, string> = { 'lib/helper.c': '#include <stdlib.h>\nvoid helper(void)\n{\n\tfree(malloc(1));\n}\n' };
  const callers = 40;
  for (let i = 0; i < callers; i++) files[`src/spawn${i}.c`] = SPAWN;
  const index = new ProjectIndex(memoryHost('/p', files));
  for (let i = 0; i < callers; i++) {
    const r = analyze(files[`src/spawn${i}.c`], 'c', {}, { project: { index, file: `src/spawn${i}.c` } });
    assert.ok(r.findings.some((f) => /uses the heap/.test(f.message)));
    assert.ok(r.projectReads?.some((k) => k.key.endsWith('\0helper')));
  }
  assert.equal(index.work.summaries, 1, JSON.stringify(index.work));
  assert.equal(index.work.parsedFiles, callers + 1, JSON.stringify(index.work));
});

test('a function with hundreds of fork sites is checked for a wrapper at its first sites only, and the index says so', () => {
  const sites = 400;
  const many = `#include <unistd.h>\nint many(void)\n{\n\tpid_t pid;\n${'\tpid = vfork();\n\tif (pid == 0)\n\t\t_exit(0);\n'.repeat(sites)}\treturn 0;\n}\n`;
  const files = { 'lib/many.c': many, 'src/spawn.c': SPAWN.replace('helper();', '_exit(many());') };
  const { index, result } = analyseSpawn(files);
  assert.ok(index.work.wrapperSites <= MAX_WRAPPER_SITES_PER_FUNCTION + 1, JSON.stringify(index.work));
  assert.ok(index.partial.some((r) => r.includes(`\`many\` in lib/many.c holds ${sites} fork sites; only the first ${MAX_WRAPPER_SITES_PER_FUNCTION}`)), JSON.stringify(index.partial));
  assert.ok((result.projectNotes ?? []).some((n) => n.startsWith('the project index is partial: `many`')), JSON.stringify(result.projectNotes));
});

test('the parse budget stops the index with a partial note, never silently', () => {
  const files: Record<string, string> = {};
  const calls: string[] = [];
  for (let i = 0; i < 6; i++) {
    files[`lib/h${i}.c`] = `void h${i}(void)\n{\n}\n`;
    calls.push(`h${i}();`);
  }
  files['src/spawn.c'] = SPAWN.replace('helper();', calls.join(' '));
  const { index, result } = analyseSpawn(files, { maxParsedFiles: 3 });
  assert.equal(index.work.parsedFiles, 3, JSON.stringify(index.work));
  assert.ok((result.projectNotes ?? []).some((n) => /the project index is partial: the project index stopped after parsing 3 files/.test(n)), JSON.stringify(result.projectNotes));
});

test('fork wrappers are looked for only among the functions a file names', () => {
  const files: Record<string, string> = {
    'lib/wrap.c': '#include <unistd.h>\npid_t my_vfork(void)\n{\n\treturn vfork();\n}\n',
    'src/uses.c': '#include <unistd.h>\npid_t my_vfork(void);\nvoid run(void)\n{\n\tif (my_vfork() == 0) {\n\t\twrite(1, "x", 1);\n\t}\n}\n',
    'src/other.c': 'int other(void)\n{\n\treturn 1;\n}\n',
  };
  const index = new ProjectIndex(memoryHost('/p', files));
  assert.deepEqual(index.wrappersFor('src/other.c').filter((w) => !w.macro), []);
  assert.equal(index.work.wrapperSites, 0, 'no flow for a file that names no function holding a fork');
  assert.deepEqual(index.wrappersFor('src/uses.c').map((w) => w.name), ['my_vfork']);
  assert.equal(index.work.wrapperSites, 1);
});

test('what a call writes asks only whether the callee is a macro of unknown definition: no callee is followed for it', () => {
  const files: Record<string, string> = {
    'lib/h.c': '#include <stdlib.h>\nint counter;\nvoid helper(void)\n{\n\tcounter++;\n\tfree(malloc(1));\n}\nvoid CAPS_FN(void)\n{\n}\n',
    'src/a.c': 'void helper(void);\nvoid CAPS_FN(void);\nstatic void local(void)\n{\n\thelper();\n}\nvoid run(int x)\n{\n\tLOG_IT(x);\n\thelper();\n\tCAPS_FN();\n\tlocal();\n}\n',
  };
  const index = new ProjectIndex(memoryHost('/p', files));
  const a = index.parsedFile('src/a.c')!;
  const run = a.ctx.functionNamed('run')!;
  const calls = descendantsOfType(run, 'call_expression');
  const shallow = calls.map((c) => isUnknownMacroCall(a.ctx, c, run));
  // Nothing followed: no callee resolved in the project, no same-file callee judged.
  assert.deepEqual({ resolutions: index.work.resolutions, parsed: index.work.parsedFiles }, { resolutions: 0, parsed: 1 }, JSON.stringify(index.work));
  assert.equal(a.ctx.memo.has('calls:local'), false);
  // The same answer as the full verdict's `macro` kind (a capitalised name not defined in the file is one, wherever it is defined).
  const full = calls.map((c) => classifyCall(a.ctx, c, run).kind);
  assert.deepEqual(full, ['macro', 'unsafe', 'macro', 'unsafe']);
  assert.deepEqual(shallow, full.map((k) => k === 'macro'));
  assert.ok(index.work.resolutions > 0);
});

test('a header macro is a fork wrapper by a call in its code, not by a spelling in its strings or comments', () => {
  const macros = new Map([
    ['HELP_STRING', [{ name: 'HELP_STRING', body: '"see vfork(2): the child uses vfork() here"', file: 'sh.h' }]],
    ['NOTE', [{ name: 'NOTE', params: ['x'], body: '/* not vfork() */ note(x)', file: 'sh.h' }]],
    ['xvfork', [{ name: 'xvfork', params: [], body: '({ pid_t p = vfork(); p; })', file: 'libbb.h' }]],
  ]);
  assert.deepEqual(macroWrappers(macros).map((w) => w.name), ['xvfork']);
});

test('a note about a name defined in several files names the first five and counts the rest', () => {
  const count = 9;
  const files: Record<string, string> = { 'src/spawn.c': SPAWN };
  for (let i = 0; i < count; i++) files[`tools/t${i}/helper.c`] = `void helper(void)\n{\n}\n`;
  const { result } = analyseSpawn(files);
  const note = (result.projectNotes ?? []).find((n) => n.includes('`helper` is defined in several files'));
  assert.match(note ?? '', /^`helper` is defined in several files \(tools\/t0\/helper\.c, tools\/t1\/helper\.c, tools\/t2\/helper\.c, tools\/t3\/helper\.c, tools\/t4\/helper\.c and 4 more\): any of them may run/, JSON.stringify(result.projectNotes));
});
