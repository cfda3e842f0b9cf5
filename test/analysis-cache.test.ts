/**
 * The per-function cache (used by the language server on every keystroke) must give
 * exactly the findings of a fresh analysis, whatever the edit, and carry no fixes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initParsers, analyze, createAnalysisCache, parseSource, type AnalysisResult, type Language } from '../rules/index.js';

await initParsers();

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtureFiles = (['c', 'go'] as const).flatMap((lang) =>
  readdirSync(join(root, 'fixtures', lang))
    .filter((f) => f.endsWith(`.${lang}`))
    .map((f) => ({ path: join(root, 'fixtures', lang, f), lang: lang as Language })),
);

function comparable(r: AnalysisResult): string {
  return JSON.stringify({ findings: r.findings.map((f) => [f.rule, f.messageId, f.data, f.severity, f.message, f.range, f.related, f.steps]), sites: r.forkSites });
}

/** Deterministic edits of several kinds: a character typed, a line inserted, a line deleted, a function's body changed. */
function edit(text: string, k: number): string {
  const lines = text.split('\n');
  const i = (k * 7919) % Math.max(1, lines.length);
  switch (k % 4) {
    case 0:
      lines[i] = `${lines[i]} `;
      break;
    case 1:
      lines.splice(i, 0, '// an inserted line');
      break;
    case 2:
      if (lines.length > 2) lines.splice(i, 1);
      break;
    default:
      lines[i] = lines[i].replace(/_exit\(/, 'exit(').replace(/\bvfork\(\)/, 'fork()');
  }
  return lines.join('\n');
}

test('cached analysis equals fresh analysis across edits of every fixture', () => {
  const cache = createAnalysisCache();
  let compared = 0;
  for (const { path, lang } of fixtureFiles) {
    let text = readFileSync(path, 'utf8');
    for (let k = 0; k < 6; k++) {
      const tree = parseSource(text, lang);
      const cached = analyze(text, lang, {}, { tree, cache });
      const fresh = analyze(text, lang, {});
      assert.equal(comparable(cached), comparable(fresh), `${path} after ${k} edits`);
      assert.ok(cached.findings.every((f) => f.fixes.length === 0 || f.rule === 'unused-disable-directive'), 'with a cache, findings carry no rule fixes');
      compared++;
      text = edit(text, k + compared);
    }
  }
  assert.ok(compared >= fixtureFiles.length * 6);
});

test('the cache is keyed on configuration too', () => {
  const cache = createAnalysisCache();
  const text = readFileSync(join(root, 'examples', 'spawn.c'), 'utf8');
  const plain = analyze(text, 'c', {}, { cache });
  const strict = analyze(text, 'c', { strict: true }, { cache });
  assert.equal(comparable(strict), comparable(analyze(text, 'c', { strict: true })));
  assert.notEqual(comparable(plain), comparable(strict));
  const off = analyze(text, 'c', { rules: { 'child-unsafe-call': 'off' } }, { cache });
  assert.ok(!off.findings.some((f) => f.rule === 'child-unsafe-call'));
});

test('a change in a same-file callee invalidates the caller', () => {
  const cache = createAnalysisCache();
  const before = 'static void helper(void) { }\nint f(char **argv) {\n  pid_t pid = vfork();\n  if (pid == 0) {\n    helper();\n    execv(argv[0], argv);\n    _exit(1);\n  }\n  return pid;\n}\n';
  assert.equal(analyze(before, 'c', {}, { cache }).findings.length, 0);
  const after = before.replace('static void helper(void) { }', 'static void helper(void) { printf("x"); }');
  const r = analyze(after, 'c', {}, { cache });
  assert.deepEqual(r.findings.map((f) => f.rule), ['child-unsafe-call']);
});

/** Text that keeps what follows more than the cache's header window away from what precedes. */
const FILLER = Array.from({ length: 40 }, (_, i) => `/* filler line ${i} keeps the declarations above far from the function below */`).join('\n');

/**
 * What the analysis read beyond the function (read-log.ts) keys its cached result: each
 * change below leaves the forking function's text and its header as they were, and must
 * change the cached result exactly as it changes a fresh one.
 */
function assertFollows(before: string, after: string, config = {}): void {
  const cache = createAnalysisCache();
  const first = analyze(before, 'c', config, { cache });
  assert.equal(comparable(first), comparable(analyze(before, 'c', config)), 'cached equals fresh before the change');
  // Analysed again unchanged: served from the cache, same result.
  assert.equal(comparable(analyze(before, 'c', config, { cache })), comparable(first));
  const cached = analyze(after, 'c', config, { cache });
  const fresh = analyze(after, 'c', config);
  assert.equal(comparable(cached), comparable(fresh), 'cached equals fresh after the change');
  assert.notEqual(comparable(fresh), comparable(first), 'the change changes the result');
  // And back again.
  assert.equal(comparable(analyze(before, 'c', config, { cache })), comparable(first), 'cached equals fresh after undoing the change');
}

test('an edit eight callees deep changes the cached result as it changes a fresh one', () => {
  const depth = 8;
  const helpers = Array.from({ length: depth }, (_, i) => `static void step${i}(int fd) { ${i + 1 < depth ? `step${i + 1}(fd);` : 'close(fd);'} }`).reverse();
  const fn = 'int spawn(char **argv, int fd) {\n  pid_t pid = vfork();\n  if (pid == 0) {\n    step0(fd);\n    execv(argv[0], argv);\n    _exit(1);\n  }\n  return pid;\n}\n';
  // Each function far from the next: no header window holds another function's text.
  const before = `#include <unistd.h>\n${helpers.join(`\n${FILLER}\n`)}\n${FILLER}\n${fn}`;
  const after = before.replace('close(fd);', 'printf("%d", fd);');
  assert.notEqual(after, before);
  assertFollows(before, after);
  const r = analyze(after, 'c');
  assert.match(r.findings.map((f) => f.message).join('\n'), /step0 -> step1 -> .* -> step7 -> printf/);
});

test("a distant prototype's noinline changes the cached result as it changes a fresh one", () => {
  const fn = [
    'int inner(char **argv) {',
    '  long pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);',
    '  if (pid == 0) {',
    '    execve(argv[0], argv, 0);',
    '    _exit(127);',
    '  }',
    '  return pid;',
    '}',
    '',
  ].join('\n');
  const before = `#include <unistd.h>\nint inner(char **argv);\n${FILLER}\n${fn}`;
  const after = before.replace('int inner(char **argv);', '__attribute__((noinline)) int inner(char **argv);');
  assertFollows(before, after);
  assert.ok(analyze(before, 'c').findings.some((f) => f.rule === 'inlinable-fork-frame'));
});

test("a distant prototype's noreturn and const parameters change the cached result as they change a fresh one", () => {
  const fn = 'int spawn(char **argv) {\n  pid_t pid = vfork();\n  if (pid == 0) {\n    execv(argv[0], argv);\n    die(127);\n  }\n  return pid;\n}\n';
  const before = `#include <unistd.h>\nvoid die(int code);\n${FILLER}\n${fn}`;
  assertFollows(before, before.replace('void die(int code);', 'void die(int code) __attribute__((noreturn));'));
  const writer = 'int counter;\nint spawn2(char **argv) {\n  pid_t pid = vfork();\n  if (pid == 0) {\n    fill(&counter);\n    execv(argv[0], argv);\n    _exit(1);\n  }\n  return counter + pid;\n}\n';
  const withProto = `#include <unistd.h>\nvoid fill(int *p);\n${FILLER}\n${writer}`;
  assertFollows(withProto, withProto.replace('void fill(int *p);', 'void fill(const int *p);'), { safeFunctions: ['fill'] });
});

test('a change to a macro definition changes the cached result as it changes a fresh one', () => {
  const fn = 'int spawn(char **argv) {\n  pid_t pid = vfork();\n  if (pid == 0) {\n    LOG("exec");\n    execv(argv[0], argv);\n    _exit(1);\n  }\n  return pid;\n}\n';
  const before = `#include <stdio.h>\n#include <unistd.h>\n#define LOG(msg) do { } while (0)\n${FILLER}\n${fn}`;
  assertFollows(before, before.replace('do { } while (0)', 'fprintf(stderr, "%s\\n", msg)'));
  // A macro nested in the one used: its definition counts too.
  const nested = `#include <stdio.h>\n#include <unistd.h>\n#define DEBUG 0\n#define LOG(msg) do { if (DEBUG) fputs(msg, stderr); } while (0)\n${FILLER}\n${fn}`;
  assertFollows(nested, nested.replace('#define DEBUG 0', '#define DEBUG 1'));
  // A name that was no macro becomes one.
  const lower = fn.replace('LOG(', 'log_msg(');
  const plain = `#include <unistd.h>\nvoid log_msg(const char *msg);\n${FILLER}\n${lower}`;
  assertFollows(plain, plain.replace('void log_msg(const char *msg);', '#define log_msg(msg) ((void)0)'));
});
