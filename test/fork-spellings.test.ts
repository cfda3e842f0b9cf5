/**
 * The one table of fork spellings (rules/fork-spellings.ts) against every part that reads
 * it: for each spelling, a file holding only that spelling, called as a site of its kind,
 * passes the pre-scan, is recognised as a site of that kind, is never an unknown call (it is
 * called again in the child, where child-unsafe-call would report an unknown callee), and in
 * Go is no allocation (a raw syscall's `uintptr(unsafe.Pointer(&v))` argument). Also:
 * prototypes and CLONE_THREAD clones are no sites.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initParsers, analyze, mayContainForkSite, type ForkKind, type Language, type VforklintConfig } from '../rules/index.js';

await initParsers();
import { CALL_SPELLINGS, SYSCALL_NUMBER_SPELLINGS, spellingPattern, type CallSpelling, type SyscallNumberSpelling } from '../rules/fork-spellings.js';

interface Case {
  label: string;
  language: Language;
  text: string;
  kind: ForkKind;
  /** 1-based line of the site. */
  line: number;
  config?: VforklintConfig;
}

/** Arguments `f(a, b)` with `n` leading placeholders: `glibc's argument count` and the like. */
function padArgs(count: number): string[] {
  return Array.from({ length: count }, () => '0');
}

/** A C program whose site (line 8) is `call`, and whose child calls `again` before `_exit`. */
function cProgram(call: string, again: string): string {
  return [
    '#include <sched.h>', // 1
    '#include <signal.h>', // 2
    '#include <unistd.h>', // 3
    'struct clone_args { unsigned long long flags, stack, exit_signal; };', // 4
    'static int child_fn(void *arg) { (void)arg; _exit(1); }', // 5
    'int run(char *stack) {', // 6
    '\tstruct clone_args args = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };', // 7
    `\tlong pid = ${call};`, // 8
    '\tif (pid == 0) {', // 9
    `\t\t${again};`, // 10
    '\t\t_exit(127);', // 11
    '\t}', // 12
    '\t(void)stack; (void)args;', // 13
    '\treturn pid;', // 14
    '}', // 15
    '',
  ].join('\n');
}

/** A C clone(fn, ...) program: the site on line 9, the child function calls the spelling again. */
function cCloneProgram(call: string, again: string): string {
  return [
    '#include <sched.h>', // 1
    '#include <signal.h>', // 2
    '#include <unistd.h>', // 3
    'struct clone_args { unsigned long long flags, stack, exit_signal; };', // 4
    'static int child_fn(void *arg) {', // 5
    `\t${again};`, // 6
    '\t_exit(127);', // 7
    '}', // 8
    `int run(char *stack) { struct clone_args args = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD }; (void)args; return ${call}; }`, // 9
    '',
  ].join('\n');
}

/** A Go program: the site on line 7; the child passes `&st` to the same spelling and loops on exit. */
function goProgram(call: string, again: string): string {
  return [
    'package syscall', // 1
    '', // 2
    'import "unsafe"', // 3
    '', // 4
    '//go:norace', // 5
    'func forkExec() (pid uintptr, err1 Errno) {', // 6
    `\tpid, _, err1 = ${call}`, // 7
    '\tif err1 != 0 || pid != 0 {', // 8
    '\t\treturn', // 9
    '\t}', // 10
    '\tvar st int32', // 11
    `\t${again}`, // 12
    '\tfor {', // 13
    '\t}', // 14
    '}', // 15
    '',
  ].join('\n');
}

function args(...xs: string[]): string {
  return xs.join(', ');
}

function casesFor(s: CallSpelling): Case[] {
  const label = `${s.language} ${s.name} (${s.role})`;
  if (s.language === 'c') {
    switch (s.role) {
      case 'vfork':
        return [{ label, language: 'c', kind: 'vfork', line: 8, text: cProgram(`${s.name}()`, `${s.name}()`) }];
      case 'syscall':
        return SYSCALL_NUMBER_SPELLINGS.filter((n) => n.language === 'c' && isStyle(s, n)).map((n) => cSyscallCase(s, n));
      case 'clone-fn': {
        // clone(fn, stack, flags, arg); __clone2(fn, base, size, flags, arg).
        const call = s.name === '__clone2' || s.name === 'CLONE' ? `${s.name}(child_fn, stack, 4096, CLONE_VM | CLONE_VFORK | SIGCHLD, 0)` : `${s.name}(child_fn, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, 0)`;
        return [{ label, language: 'c', kind: 'clone-fn', line: 9, text: cCloneProgram(call, call) }];
      }
      case 'clone-args': {
        const list = padArgs(Math.max(s.functionArgument ?? 1, s.argsArgument ?? 0) + 2);
        list[s.argsArgument ?? 0] = '&args';
        list[s.functionArgument ?? 1] = 'child_fn';
        const call = `${s.name}(${args(...list)})`;
        return [{ label, language: 'c', kind: 'clone-fn', line: 9, text: cCloneProgram(call, call.replace('&args', '0')) }];
      }
      default:
        return [];
    }
  }
  switch (s.role) {
    case 'raw-vfork':
      return ['', 'syscall.', 'vfork.'].map((pkg) => ({
        label: `${label} as ${pkg || 'a bare name'}`,
        language: 'go' as const,
        kind: 'raw' as const,
        line: 7,
        text: goProgram(`${pkg}${s.name}(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM), 0, 0)`, `${pkg}${s.name}(SYS_WAIT4, uintptr(unsafe.Pointer(&st)), 0, 0)`),
      }));
    case 'syscall':
      return SYSCALL_NUMBER_SPELLINGS.filter((n) => n.language === 'go').flatMap((n) => ['', 'unix.'].map((pkg) => goSyscallCase(s, n, pkg)));
    default:
      return [];
  }
}

function isStyle(s: CallSpelling, n: SyscallNumberSpelling): boolean {
  const constant = /^(?:SYS_|__NR_)/.test(n.name);
  return s.numberStyle === 'name' ? !constant : constant;
}

function cSyscallCase(s: CallSpelling, n: SyscallNumberSpelling): Case {
  const pad = padArgs((s.firstArgument ?? 1) - 1);
  const label = `c ${s.name}(${n.name}, ...)`;
  const number = n.name;
  if (n.syscall === 'vfork') return { label, language: 'c', kind: 'raw', line: 8, text: cProgram(`${s.name}(${args(number, ...pad)})`, `${s.name}(${args(number, ...pad)})`) };
  if (n.syscall === 'clone') {
    const call = `${s.name}(${args(number, ...pad, 'CLONE_VM | CLONE_VFORK | SIGCHLD', '0')})`;
    return { label, language: 'c', kind: 'raw', line: 8, text: cProgram(call, call) };
  }
  const call = `${s.name}(${args(number, ...pad, '&args', 'sizeof args')})`;
  return { label, language: 'c', kind: 'raw', line: 8, text: cProgram(call, call) };
}

function goSyscallCase(s: CallSpelling, n: SyscallNumberSpelling, pkg: string): Case {
  const label = `go ${pkg}${s.name}(${n.name}, ...)`;
  const number = `${pkg}${n.name}`;
  const again = `${pkg}${s.name}(${pkg}SYS_WAIT4, uintptr(unsafe.Pointer(&st)), 0, 0)`;
  if (n.syscall === 'vfork') return { label, language: 'go', kind: 'raw', line: 7, text: goProgram(`${pkg}${s.name}(${number}, 0, 0, 0)`, again) };
  if (n.syscall === 'clone') return { label, language: 'go', kind: 'raw', line: 7, text: goProgram(`${pkg}${s.name}(${number}, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM), 0, 0)`, again) };
  const text = goProgram(`${pkg}${s.name}(${number}, uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args), 0)`, again).replace('\tpid, _, err1 =', '\targs := cloneArgs{flags: CLONE_VM | CLONE_VFORK, exitSignal: uint64(SIGCHLD)}\n\tpid, _, err1 =');
  return { label, language: 'go', kind: 'raw', line: 8, text };
}

const CASES: Case[] = [
  ...CALL_SPELLINGS.flatMap(casesFor),
  { label: 'c configured forkFunctions (xvfork)', language: 'c', kind: 'vfork', line: 8, text: cProgram('xvfork()', 'xvfork()'), config: { forkFunctions: ['xvfork'] } },
  { label: 'c configured forkFunctions (my_clone:raw)', language: 'c', kind: 'raw', line: 8, text: cProgram('my_clone()', 'my_clone()'), config: { forkFunctions: ['my_clone:raw'] } },
  { label: 'go configured forkFunctions (forkvm.Clone:raw)', language: 'go', kind: 'raw', line: 7, text: goProgram('forkvm.Clone(0, 0, 0, 0)', 'forkvm.Clone(SYS_WAIT4, uintptr(unsafe.Pointer(&st)), 0, 0)'), config: { forkFunctions: ['forkvm.Clone:raw'] } },
];

describe('the fork spelling table', () => {
  test('every spelling of the table has a case', () => {
    const covered = new Set(CASES.map((c) => c.label.split(' ')[1].replace(/\(.*$/, '').replace(/^\w+\./, '')));
    for (const s of CALL_SPELLINGS) assert.ok(covered.has(s.name), `${s.language} ${s.name} has no case`);
    const numbers = new Set(CASES.map((c) => /\((?:\w+\.)?(\w+),/.exec(c.label)?.[1]).filter(Boolean));
    for (const n of SYSCALL_NUMBER_SPELLINGS) assert.ok(numbers.has(n.name) || n.name === n.syscall, `${n.language} ${n.name} has no case`);
  });

  for (const c of CASES) {
    test(`${c.label}: pre-scan, site of kind ${c.kind}, never an unknown call, no allocation`, () => {
      const config = c.config ?? {};
      assert.ok(mayContainForkSite(c.text, c.language, config), 'the pre-scan lets the file be parsed');
      const r = analyze(c.text, c.language, config);
      assert.equal(r.internalError, undefined);
      const sites = r.forkSites.filter((s) => s.range.start.line === c.line);
      assert.deepEqual(sites.map((s) => s.kind), [c.kind], `a ${c.kind} site on line ${c.line}; all sites: ${JSON.stringify(r.forkSites.map((s) => `${s.range.start.line}:${s.kind}`))}\n${c.text}`);
      const bad = r.findings.filter((f) => f.rule === 'child-unsafe-call' || f.rule === 'child-allocates');
      assert.deepEqual(bad.map((f) => `${f.range.start.line}: ${f.rule}: ${f.message}`), [], c.text);
    });
  }

  test('the pre-scan does not match inside longer names', () => {
    const re = spellingPattern();
    assert.equal(re.test('int my_vfork_count; long SYS_clone_x; int vforked;'), false);
    assert.equal(spellingPattern().test('x = __libc_vfork ();'), true);
    assert.equal(spellingPattern().test('__clone_internal_fallback (&a, f, 0);'), true);
  });
});

describe('threads and prototypes are not fork sites', () => {
  const sites = (text: string, language: Language) => analyze(text, language).forkSites.map((s) => `${s.range.start.line}:${s.kind}`);

  test('CLONE_THREAD in clone flags, directly and through a local', () => {
    const thread = 'int f(void *stack) {\n\tint flags = CLONE_VM | CLONE_FS | CLONE_SIGHAND;\n\tflags |= CLONE_THREAD;\n\treturn clone(start, stack, flags, 0);\n}\n';
    assert.deepEqual(sites(thread, 'c'), []);
    assert.deepEqual(sites(thread.replace('\tflags |= CLONE_THREAD;\n', ''), 'c'), ['3:clone-fn']);
    const raw = 'long f(void) {\n\treturn syscall(SYS_clone, CLONE_VM | CLONE_VFORK | CLONE_THREAD, 0);\n}\n';
    assert.deepEqual(sites(raw, 'c'), []);
    assert.deepEqual(sites(raw.replace(' | CLONE_THREAD', ''), 'c'), ['2:raw']);
    const clone3 = 'int f(void) {\n\tstruct clone_args a = { .flags = CLONE_VM | CLONE_THREAD };\n\treturn __clone_internal(&a, start, 0);\n}\n';
    assert.deepEqual(sites(clone3, 'c'), []);
    assert.deepEqual(sites(clone3.replace(' | CLONE_THREAD', ''), 'c'), ['3:clone-fn']);
    const go = 'package p\n\nfunc f() {\n\tr1, _, _ := RawSyscall(SYS_CLONE, uintptr(CLONE_VM|CLONE_VFORK|CLONE_THREAD), 0, 0)\n\t_ = r1\n}\n';
    assert.deepEqual(sites(go, 'go'), []);
    assert.deepEqual(sites(go.replace('|CLONE_THREAD', ''), 'go'), ['4:raw']);
  });

  test('prototypes, also ones the parser reads as calls after an unreadable macro', () => {
    const c = 'libc_hidden_proto (__setresgid)\nextern __pid_t __vfork (void);\nlibc_hidden_proto (__vfork)\nint g(void) {\n\tpid_t vfork(void);\n\textern pid_t __libc_vfork (void) attribute_hidden;\n\treturn __vfork();\n}\n';
    assert.deepEqual(sites(c, 'c'), ['7:vfork']);
    const go = 'package syscall\n\nfunc rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err Errno)\n\nfunc f() {\n\tvar g func(trap, a1, a2, a3 uintptr) (uintptr, Errno) = rawVforkSyscall\n\t_ = g\n}\n';
    assert.deepEqual(sites(go, 'go'), []);
  });
});
