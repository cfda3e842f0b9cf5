/**
 * The project index against its fixtures (fixtures/README.md, "Projects"): each directory
 * under fixtures/projects is a small multi-file project. Every C and Go file in it is
 * analysed with the index over the directory (an in-memory host); every finding must be
 * wanted (`// want "rule: regexp"`), every want met, every `want-step "file:line regexp"`
 * found among the steps of a finding on its line, and every project note wanted by a
 * `// want-note "regexp"`. Without the index each case must come out differently: the
 * cross-file knowledge is what the case is about.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, initParsers, languageForPath, memoryHost, ProjectIndex } from '../rules/index.js';
import type { AnalysisResult } from '../rules/index.js';
import { compareFindings, expectationsFor } from './fixture-expectations.js';

await initParsers();

const here = dirname(fileURLToPath(import.meta.url));
const root = here.includes(join('dist', 'test')) ? join(here, '..', '..') : join(here, '..');
const projectsDir = join(root, 'fixtures', 'projects');

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(?:c|h|go)$/.test(name)) out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** `want-step "file:line regexp"`: a step of a finding on this line is in `file` (root-relative) at `line`, its message matching. */
function stepWants(text: string): Array<{ line: number; file: string; stepLine: number; message: RegExp }> {
  const out: Array<{ line: number; file: string; stepLine: number; message: RegExp }> = [];
  text.split(/\r?\n/).forEach((l, i) => {
    for (const m of l.matchAll(/want-step\s+"([^":\s]+):(\d+)\s+([^"]*)"/g)) out.push({ line: i + 1, file: m[1], stepLine: Number(m[2]), message: new RegExp(m[3], 'i') });
  });
  return out;
}

function noteWants(text: string): RegExp[] {
  return [...text.matchAll(/\/\/\s*want-note\s+"([^"]*)"/g)].map((m) => new RegExp(m[1], 'i'));
}

/** Every difference between a file's result and what its comments want; empty when it meets them. */
function problems(file: string, text: string, result: AnalysisResult): string[] {
  const out: string[] = [];
  if (result.internalError) out.push(`${file}: internal error ${result.internalError}`);
  const cmp = compareFindings(expectationsFor(text), result.findings);
  out.push(...cmp.missing.map((m) => `${file}: missing ${m}`), ...cmp.unexpected.map((u) => `${file}: unexpected ${u}`));
  for (const w of stepWants(text)) {
    const steps = result.findings.filter((f) => f.range.start.line === w.line).flatMap((f) => f.steps);
    if (!steps.some((s) => (s.file ?? file) === w.file && s.range.start.line === w.stepLine && w.message.test(s.message))) {
      out.push(`${file}:${w.line}: no step ${w.file}:${w.stepLine} /${w.message.source}/ among ${JSON.stringify(steps.map((s) => `${s.file ?? file}:${s.range.start.line} ${s.message}`))}`);
    }
  }
  const notes = result.projectNotes ?? [];
  const wanted = noteWants(text);
  for (const re of wanted) if (!notes.some((n) => re.test(n))) out.push(`${file}: missing note /${re.source}/ among ${JSON.stringify(notes)}`);
  for (const n of notes) if (!wanted.some((re) => re.test(n))) out.push(`${file}: unexpected note ${JSON.stringify(n)}`);
  return out;
}

function runCase(dir: string, withIndex: boolean): string[] {
  const files = filesUnder(dir);
  const index = withIndex ? new ProjectIndex(memoryHost('/project', files)) : undefined;
  const out: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const language = languageForPath(file);
    if (!language || file.endsWith('.h')) continue;
    const result = analyze(text, language, {}, index ? { project: { index, file } } : {});
    out.push(...problems(file, text, result));
  }
  index?.dispose();
  return out;
}

const cases = readdirSync(projectsDir).filter((d) => statSync(join(projectsDir, d)).isDirectory()).sort();

test('there are project fixtures, C and Go', () => {
  assert.ok(cases.length >= 9, `only ${cases.length} cases`);
  assert.ok(cases.some((c) => Object.keys(filesUnder(join(projectsDir, c))).some((f) => f.endsWith('.go'))));
});

for (const name of cases) {
  test(`project ${name}: as its comments want, with the index`, () => {
    assert.deepEqual(runCase(join(projectsDir, name), true), []);
  });
  test(`project ${name}: differs without the index`, () => {
    assert.notDeepEqual(runCase(join(projectsDir, name), false), [], 'the case passes without the project index: it tests nothing of it');
  });
}

test('fingerprints: an edit that changes no summary keeps them, one that does changes them', () => {
  const files = filesUnder(join(projectsDir, 'noreturn-helper'));
  const host = { ...memoryHost('/project', files), readFile: (p: string) => files[p] };
  const index = new ProjectIndex(host);
  const result = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  const read = result.projectReads?.find((r) => r.key.includes('child_fail'));
  assert.ok(read, JSON.stringify(result.projectReads));
  files['fail.c'] = `${files['fail.c']}\nint unrelated(void) { return 1; }\n`;
  index.invalidate(['fail.c']);
  assert.equal(index.fingerprint(read.key), read.fingerprint);
  files['fail.c'] = files['fail.c'].replace('_exit(code);', 'return;');
  index.invalidate(['fail.c']);
  assert.notEqual(index.fingerprint(read.key), read.fingerprint);
  const again = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  assert.ok(again.findings.some((f) => f.rule === 'child-returns'));
  index.dispose();
});

test('imported summaries answer fingerprints until a file they rest on changes', () => {
  const files = filesUnder(join(projectsDir, 'malloc-two-deep'));
  const first = new ProjectIndex(memoryHost('/project', files));
  const result = analyze(files['spawn.c'], 'c', {}, { project: { index: first, file: 'spawn.c' } });
  const exported = JSON.parse(JSON.stringify(first.exportSummaries()));
  first.dispose();
  const second = new ProjectIndex(memoryHost('/project', files));
  second.importSummaries(exported);
  for (const r of result.projectReads ?? []) assert.equal(second.fingerprint(r.key), r.fingerprint, r.key);
  const changed = { ...files, 'args.c': files['args.c'].replace('malloc(2 * sizeof *argv)', '0') };
  const third = new ProjectIndex(memoryHost('/project', changed));
  third.importSummaries(exported);
  const key = result.projectReads!.find((r) => r.key.includes('prepare'))!;
  assert.notEqual(third.fingerprint(key.key), key.fingerprint);
});

test('a chain of helpers far longer than the summary nesting bound ends cautiously, not in a stack overflow', () => {
  const files: Record<string, string> = {};
  const count = 400;
  for (let i = 0; i < count; i++) {
    const file = `h${Math.floor(i / 40)}.c`;
    const body = i < count - 1 ? `\tif (code) step_${i + 1}(code - 1); else step_${i + 1}(code);\n\tcounter_${i}++;` : '\t_exit(code);';
    files[file] = `${files[file] ?? '#include <unistd.h>\n'}int counter_${i};\nvoid step_${i + 1}(int code);\nvoid step_${i}(int code)\n{\n${body}\n}\n`;
  }
  files['spawn.c'] = '#include <unistd.h>\nvoid step_0(int);\nint spawn(void)\n{\n\tint pid = vfork();\n\tif (pid == 0)\n\t\tstep_0(3);\n\treturn pid;\n}\n';
  const index = new ProjectIndex(memoryHost('/project', files));
  const result = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  index.dispose();
  assert.equal(result.internalError, undefined);
  assert.deepEqual(result.notAnalysed ?? [], []);
  const rules = result.findings.map((f) => f.rule).sort();
  // Past the bound: the chain could not be checked and may return (the cautious answers); the writes seen so far count.
  assert.deepEqual(rules, ['child-returns', 'child-unsafe-call', 'child-writes-shared']);
  assert.match(result.findings.find((f) => f.rule === 'child-unsafe-call')!.message, /too deep to follow/);
});

test('header macros: the result reads their fingerprint, which follows an edit of an included header only', () => {
  const files = filesUnder(join(projectsDir, 'header-macros'));
  const host = { ...memoryHost('/project', files), readFile: (p: string) => files[p] };
  const index = new ProjectIndex(host);
  const result = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  const read = result.projectReads?.find((r) => r.key.startsWith('macros:'));
  assert.ok(read, JSON.stringify(result.projectReads));
  files['tools/other.h'] = `${files['tools/other.h']}#define UNRELATED 1\n`;
  index.invalidate(['tools/other.h']);
  assert.equal(index.fingerprint(read.key), read.fingerprint, 'a header spawn.c does not include');
  files['include/platform.h'] = files['include/platform.h'].replace('(child_state = (v))', '((void)(v))');
  index.invalidate(['include/platform.h']);
  assert.notEqual(index.fingerprint(read.key), read.fingerprint);
  const again = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  assert.ok(!again.findings.some((f) => f.rule === 'child-writes-shared'));
  index.dispose();
});

/** A host whose reads of `failing` fail from the `after`-th on (the text scan reads every file once). */
function failingHost(files: Record<string, string>, failing: string, after: number) {
  const reads = new Map<string, number>();
  return {
    ...memoryHost('/project', files),
    readFile: (p: string) => {
      reads.set(p, (reads.get(p) ?? 0) + 1);
      if (p === failing && reads.get(p)! >= after) throw new Error('disk gone');
      return files[p];
    },
  };
}

const SPAWN_B = 'int spawn_b(void)\n{\n\tint pid = vfork();\n\tif (pid == 0) {\n\t\tprintf("x");\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n';

test('an internal error in one function costs its findings, with a note naming it, not the file\'s others', () => {
  // spawn_a's child ends in `_exit` whatever `helper` does, so the fork wrapper search (is
  // spawn_a one?) never reads helper.c; the analysis of spawn_a (is `helper` safe?) does.
  const files: Record<string, string> = {
    'spawn.h': '#define MYFORK() vfork()\n',
    'spawn.c': `#include <unistd.h>\n#include <stdio.h>\n#include "spawn.h"\nint helper(void);\nint spawn_a(void)\n{\n\tint pid = MYFORK();\n\tif (pid == 0) {\n\t\t_exit(helper());\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n${SPAWN_B}`,
    'helper.c': 'int helper(void)\n{\n\treturn 0;\n}\n',
  };
  const index = new ProjectIndex(failingHost(files, 'helper.c', 2));
  const result = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  index.dispose();
  assert.equal(result.internalError, undefined);
  assert.deepEqual(result.findings.map((f) => [f.rule, f.range.start.line]), [['child-unsafe-call', 18]]);
  assert.ok(result.notAnalysed?.some((n) => /internal error in the analysis of `spawn_a`: disk gone/.test(n.reason) && n.range.start.line === 5), JSON.stringify(result.notAnalysed));
});

test('the project\'s fork wrappers failing is said, and the file is analysed without them', () => {
  const files: Record<string, string> = {
    'spawn.c': `#include <unistd.h>\n#include <stdio.h>\nvoid helper(void);\nint spawn_a(void)\n{\n\tint pid = vfork();\n\tif (pid == 0) {\n\t\thelper();\n\t\t_exit(1);\n\t}\n\treturn pid;\n}\n${SPAWN_B}`,
    'helper.c': 'void helper(void)\n{\n}\n',
  };
  const index = new ProjectIndex(failingHost(files, 'helper.c', 2));
  const result = analyze(files['spawn.c'], 'c', {}, { project: { index, file: 'spawn.c' } });
  index.dispose();
  assert.equal(result.internalError, undefined);
  assert.ok(result.findings.some((f) => f.rule === 'child-unsafe-call' && f.range.start.line === 17), JSON.stringify(result.findings.map((f) => [f.rule, f.range.start.line])));
  assert.ok(result.projectNotes?.some((n) => /fork wrappers could not be computed \(internal error: disk gone\)/.test(n)), JSON.stringify(result.projectNotes));
});
