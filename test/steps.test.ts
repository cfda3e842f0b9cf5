/**
 * The child's path, step by step (docs/rules.md, section 9): every path finding carries the
 * fork site, the test that selected its side (or "no test yet"), each call into another
 * function, and the hazard; site findings carry the site only; cached results keep them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, createAnalysisCache, initParsers, type Finding, type Language } from '../rules/index.js';

await initParsers();

/** `line message` per step. */
function stepsOf(f: Finding): string[] {
  return f.steps.map((s) => `${s.range.start.line} ${s.message}`);
}

function only(text: string, language: Language, rule: string, line?: number): Finding {
  const found = analyze(text, language).findings.filter((f) => f.rule === rule && (line === undefined || f.range.start.line === line));
  assert.equal(found.length, 1, `one ${rule}${line ? ` on line ${line}` : ''}: ${JSON.stringify(analyze(text, language).findings.map((f) => `${f.range.start.line} ${f.rule}`))}`);
  return found[0];
}

const C = [
  '#include <stdlib.h>', // 1
  '#include <unistd.h>', // 2
  'int g;', // 3
  'static void deep(void) { void *p = malloc(4); (void)p; }', // 4
  'static void helper(int x) { if (x) deep(); }', // 5
  'static void set_g(void) { g = 1; }', // 6
  'int run(void)', // 7
  '{', // 8
  '\tpid_t pid = vfork();', // 9
  '\tg = 2;', // 10
  '\tif (pid < 0)', // 11
  '\t\treturn -1;', // 12
  '\tif (pid == 0) {', // 13
  '\t\thelper(1);', // 14
  '\t\tset_g();', // 15
  '\t\treturn 1;', // 16
  '\t}', // 17
  '\treturn 0;', // 18
  '}', // 19
  'int early(void)', // 20
  '{', // 21
  '\tpid_t pid = vfork();', // 22
  '\tif (pid != 0)', // 23
  '\t\treturn pid;', // 24
  '\tset_g();', // 25
  '\t_exit(1);', // 26
  '}', // 27
  '',
].join('\n');

describe('steps', () => {
  it('child-returns: the fork, the test that selected the child, the return', () => {
    assert.deepEqual(stepsOf(only(C, 'c', 'child-returns', 16)), ['9 `vfork()` creates the child here', "13 `pid == 0`: the child's side", "16 the child returns here, into the parent's frames"]);
  });

  it('child-unsafe-call through a same-file helper chain: each call on the way, then the unsafe call', () => {
    const f = only(C, 'c', 'child-unsafe-call', 14);
    assert.deepEqual(stepsOf(f), [
      '9 `vfork()` creates the child here',
      "13 `pid == 0`: the child's side",
      '14 the child calls `helper`',
      '5 `helper` calls `deep`',
      '4 `deep` calls `malloc` here: `malloc` uses the heap, whose state is shared with the parent',
    ]);
    // Each step points at the call itself.
    const [, , , toDeep, toMalloc] = f.steps;
    assert.equal(C.slice(toDeep.range.start.offset, toDeep.range.end.offset), 'deep()');
    assert.equal(C.slice(toMalloc.range.start.offset, toMalloc.range.end.offset), 'malloc(4)');
    assert.equal(toMalloc.file, undefined, 'a same-file step names no file');
  });

  it('child-writes-shared in a callee: the call, then the write inside it', () => {
    const f = only(C, 'c', 'child-writes-shared', 15);
    assert.deepEqual(stepsOf(f), ['9 `vfork()` creates the child here', "13 `pid == 0`: the child's side", '15 the child calls `set_g`', '6 `set_g` writes `g` here']);
    const write = f.steps[3];
    assert.equal(C.slice(write.range.start.offset, write.range.end.offset), 'g = 1');
  });

  it('before any test of the result: "no test yet"', () => {
    assert.deepEqual(stepsOf(only(C, 'c', 'child-writes-shared', 10)), ['9 `vfork()` creates the child here', '10 no test of the result yet: both parent and child run this', '10 the child writes `g` here']);
  });

  it('the child after an earlier test whose other side left', () => {
    assert.deepEqual(stepsOf(only(C, 'c', 'child-writes-shared', 25)), ['22 `vfork()` creates the child here', "23 `pid != 0` is false: the child's side", '25 the child calls `set_g`', '6 `set_g` writes `g` here']);
  });

  it('a switch on the result and an else branch select the child too', () => {
    const sw = 'int f(void)\n{\n\tpid_t pid = vfork();\n\tswitch (pid) {\n\tcase -1:\n\t\treturn -1;\n\tcase 0:\n\t\treturn 1;\n\t}\n\treturn 0;\n}\n';
    assert.equal(stepsOf(only(sw, 'c', 'child-returns', 8))[1], "7 `case 0` of `switch (pid)`: the child's side");
    const el = 'int f(void)\n{\n\tpid_t pid = vfork();\n\tif (pid > 0) {\n\t\treturn 0;\n\t} else {\n\t\treturn 1;\n\t}\n}\n';
    assert.equal(stepsOf(only(el, 'c', 'child-returns', 7))[1], "4 `pid > 0` is false: the child's side");
  });

  it('a test through a likely()-style wrapper or a macro of the file selects the child too', () => {
    const text = '#define IS_CHILD(p) ((p) == 0)\n#define unlikely(x) __builtin_expect(!!(x), 0)\nint f(int c)\n{\n\tpid_t pid = vfork();\n\tif (c && unlikely(pid == 0))\n\t\treturn 1;\n\tif (IS_CHILD(pid))\n\t\treturn 2;\n\treturn 0;\n}\n';
    assert.equal(stepsOf(only(text, "c", "child-returns", 7))[1], "6 `c && unlikely(pid == 0)`: the child's side");
    assert.equal(stepsOf(only(text, 'c', 'child-returns', 9))[1], "8 `IS_CHILD(pid)`: the child's side");
  });

  it('parent-reuses-frame: the test that selected the parent', () => {
    const text = '#include <sched.h>\n#include <sys/syscall.h>\nint start(char **argv)\n{\n\tlong pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);\n\tif (pid == 0) {\n\t\texecv(argv[0], argv);\n\t\t_exit(127);\n\t}\n\tif (pid > 0)\n\t\tclose(3);\n\treturn 0;\n}\n';
    const f = only(text, 'c', 'parent-reuses-frame');
    assert.deepEqual(stepsOf(f).slice(1), ["6 `pid == 0` is false: the parent's side", '10 the parent runs on in the frame the child used']);
  });

  it('Go: the tests of r1 and err1', () => {
    const go = 'package p\n\nfunc f() {\n\tr1, err1 := rawVforkSyscall(SYS_CLONE, 0)\n\tif err1 != 0 {\n\t\treturn\n\t}\n\tif r1 != 0 {\n\t\treturn\n\t}\n\tcounter = 1\n\tfor {\n\t\tRawSyscall(SYS_EXIT, 1, 0, 0)\n\t}\n}\n\nvar counter int\n';
    const f = only(go, 'go', 'child-writes-shared');
    assert.deepEqual(stepsOf(f), ['4 `rawVforkSyscall(SYS_CLONE, 0)` creates the child here', "8 `r1 != 0` is false: the child's side", '11 the child writes `counter` here']);
  });

  it('a failed exec: the fork, the test, the exec, then each hazard with the calls on its way', () => {
    const text = [
      '#include <stdlib.h>', // 1
      '#include <unistd.h>', // 2
      'static void deep(void) { void *p = malloc(4); (void)p; }', // 3
      'static void helper(int x) { if (x) deep(); }', // 4
      'int run(char **argv)', // 5
      '{', // 6
      '\tpid_t pid = vfork();', // 7
      '\tif (pid == 0) {', // 8
      '\t\texecv(argv[0], argv);', // 9
      '\t\thelper(1);', // 10
      '\t\treturn 1;', // 11
      '\t}', // 12
      '\treturn 0;', // 13
      '}', // 14
      '',
    ].join('\n');
    const f = only(text, 'c', 'child-unsafe-call', 9);
    assert.equal(f.messageId, 'failedExec');
    assert.deepEqual(stepsOf(f), [
      '7 `vfork()` creates the child here',
      "8 `pid == 0`: the child's side",
      '9 `execv` returns only when it fails',
      '10 the child calls `helper`',
      '4 `helper` calls `deep`',
      '3 child-unsafe-call: `deep` calls `malloc` here: `malloc` uses the heap, whose state is shared with the parent',
      "11 child-returns: The child can reach this `return` after `vfork`: it returns into the parent's frames, which the parent then resumes with a clobbered stack. End the child with `_exit` or exec.",
    ]);
  });

  it('site findings carry the fork site only', () => {
    const text = '#include <unistd.h>\nint f(void)\n{\n\tpid_t pid = vfork();\n\tif (pid == 0)\n\t\t_exit(1);\n\treturn pid;\n}\n';
    const f = analyze(text, 'c', { rules: { 'vfork-discouraged': 'warning' } }).findings.find((x) => x.rule === 'vfork-discouraged');
    assert.ok(f);
    assert.deepEqual(stepsOf(f), ['4 `vfork()` creates the child here']);
  });

  it('a cached result carries the same steps, moved with the code', () => {
    const cache = createAnalysisCache();
    const cold = analyze(C, 'c', {}, { cache }).findings;
    const warm = analyze(C, 'c', {}, { cache }).findings;
    assert.deepEqual(warm.map((f) => f.steps), cold.map((f) => f.steps));
    assert.deepEqual(cold.map((f) => f.steps), analyze(C, 'c').findings.map((f) => f.steps));
    // Two lines added above everything: every step moves down two lines.
    const moved = analyze(`/* a */\n/* b */\n${C}`, 'c', {}, { cache }).findings;
    assert.deepEqual(moved.map((f) => stepsOf(f).map((s) => s.replace(/^\d+/, (n) => String(Number(n) - 2)))), cold.map(stepsOf));
  });
});
