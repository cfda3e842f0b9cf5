/** Small C and Go programs shared by the ESLint plugin's tests. */

/** vfork whose child execs and `_exit`s: clean for every default rule. */
export const C_CLEAN = `#include <unistd.h>
int launch(char **argv)
{
	pid_t pid = vfork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}
`;

/** No fork at all. */
export const C_NO_FORK = `#include <stdio.h>
int main(void)
{
	printf("hello\\n");
	return 0;
}
`;

/** The child can fall back into its caller when exec fails: child-returns at the exec, 6:3. */
export const C_CHILD_RETURNS = `#include <unistd.h>
int quick(char **argv)
{
	pid_t pid;
	if ((pid = vfork()) == 0)
		execvp(argv[0], argv);
	return pid;
}
`;

/** Child writes a global (7:3), calls printf (8:3) and exit (10:3). */
export const C_CHILD_WRITES_AND_CALLS = `#include <unistd.h>
int g;
int run(char **argv)
{
	pid_t pid = vfork();
	if (pid == 0) {
		g = 1;
		printf("child\\n");
		execv(argv[0], argv);
		exit(127);
	}
	return pid;
}
`;

/** Raw clone: the parent works on after the fork (10:2, 12:2); a shared-stack clone (17:9); an inner half without noinline (19:13). */
export const C_RAW = `#include <unistd.h>
#include <sys/syscall.h>
long spawn(char **argv)
{
	long pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	close(3);
	return pid;
}
long shared(void)
{
	return syscall(SYS_clone, CLONE_VM | SIGCHLD, 0, 0, 0, 0);
}
static long inner(char **argv)
{
	long pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	if (pid != 0)
		return pid;
	execv(argv[0], argv);
	_exit(127);
}
`;

/** The inner half of a split, marked noinline: clean. */
export const C_RAW_SPLIT = `#include <unistd.h>
#include <sys/syscall.h>
static __attribute__((noinline)) long inner(char **argv)
{
	long pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	if (pid != 0)
		return pid;
	execv(argv[0], argv);
	_exit(127);
}
long spawn(char **argv)
{
	long pid = inner(argv);
	if (pid < 0)
		return -1;
	close(3);
	return pid;
}
`;

/** The seed's "after" shape: clean. */
export const GO_CLEAN = `package syscall

//go:norace
func forkClean(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	RawSyscall(SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), 0, 0)
	for {
		RawSyscall(SYS_EXIT, 253, 0, 0)
	}
}
`;

/** Child writes a global (13:2) and returns (16:2). */
export const GO_CHILD_WRITES_RETURNS = `package syscall

var counter int

//go:norace
func forkReturns(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	counter = 1
	RawSyscall(SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), 0, 0)
	return 0, 0
}
`;

/** The parent works on in the child's frame (8:3). */
export const GO_PARENT_WORKS = `package syscall

//go:norace
func forkParentWorks(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 {
		return 0, err1
	}
	if r1 != 0 {
		runtime_AfterFork()
		return int(r1), 0
	}
	RawSyscall(SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), 0, 0)
	for {
		RawSyscall(SYS_EXIT, 253, 0, 0)
	}
}
`;

/** No //go:norace (3:6), the child allocates (10:9). */
export const GO_ALLOCATES_NO_NORACE = `package syscall

func forkAndExec(argv0 *byte) (pid int, err Errno) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return int(r1), err1
	}
	buf := make([]byte, 10)
	_ = buf
	RawSyscall(SYS_EXECVE, uintptr(unsafe.Pointer(argv0)), 0, 0)
	for {
		RawSyscall(SYS_EXIT, 253, 0, 0)
	}
}
`;

/** A shared-stack clone (5:2). */
export const GO_SHARED_STACK = `package syscall

//go:norace
func forkShared() {
	RawSyscall6(SYS_CLONE, uintptr(SIGCHLD|CLONE_VM), 0, 0, 0, 0, 0)
}
`;

/** cgo: C in the preamble (inlinable-fork-frame at 6:13), Go child calls fmt.Println (25:2). */
export const GO_CGO = `package main

/*
#include <unistd.h>
#include <sys/syscall.h>
static long inner(char **argv)
{
	long pid = syscall(SYS_clone, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	if (pid != 0)
		return pid;
	execv(argv[0], argv);
	_exit(127);
}
*/
import "C"

//go:norace
func f(argv0 *byte) {
	var r1 uintptr
	var err1 Errno
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 != 0 || r1 != 0 {
		return
	}
	fmt.Println("child")
	for {
		RawSyscall(SYS_EXIT, 253, 0, 0)
	}
}
`;

// ---------------------------------------------------------------------------------------
// ESLint's RuleTester, with the plugin's languages, for every rule.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuleTester } from 'eslint';
import { initParsers, analyze, applyEdits, type Language } from '../rules/index.js';
import tseslint from 'typescript-eslint';
import plugin from '../eslint-plugin/index.js';

await initParsers();

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

type Rule = ConstructorParameters<typeof RuleTester> extends unknown[] ? Parameters<RuleTester['run']>[1] : never;
const rules = plugin.rules as unknown as Record<string, Rule>;

const cTester = new RuleTester({ plugins: { vforklint: plugin }, language: 'vforklint/c', settings: { vforklint: { projectIndex: false } } });
const goTester = new RuleTester({ plugins: { vforklint: plugin }, language: 'vforklint/go', settings: { vforklint: { projectIndex: false } } });
const c = (code: string) => ({ code, filename: 'x.c' });
const go = (code: string) => ({ code, filename: 'x.go' });

/**
 * The core's "disable for this line" fix, spelled out: a `vforklint-disable-next-line`
 * comment above the line that starts with `lineText`, at its indentation.
 */
function suppressed(code: string, lineText: string, rule: string): { desc: string; output: string } {
  const at = code.startsWith(lineText) ? 0 : code.indexOf(`\n${lineText}`) + 1;
  assert.ok(at >= 0 && code.slice(at).startsWith(lineText), `no line starts with ${JSON.stringify(lineText)}`);
  const indent = /^[\t ]*/.exec(lineText)![0];
  return { desc: `Disable ${rule} for this line`, output: `${code.slice(0, at)}${indent}// vforklint-disable-next-line ${rule}\n${code.slice(at)}` };
}

/** The core's fix whose title starts with `title` for the finding of `rule` at `line`, applied to `code`. */
function coreFix(code: string, language: Language, rule: string, line: number, title: string): { desc: string; output: string } {
  const finding = analyze(code, language).findings.find((f) => f.rule === rule && f.range.start.line === line);
  const fix = finding?.fixes.find((f) => f.title.startsWith(title));
  assert.ok(fix, `the core offers a fix "${title}..." at line ${line}`);
  return { desc: fix.title, output: applyEdits(code, fix.edits) };
}

/** The core's frame split for the finding at `line`, applied to `code` (what the ESLint suggestion must produce). */
function split(code: string, language: Language, line: number): { desc: string; output: string } {
  const finding = analyze(code, language).findings.find((f) => f.rule === 'parent-reuses-frame' && f.range.start.line === line);
  const fix = finding?.fixes.find((f) => f.kind === 'split');
  assert.ok(fix, `the core offers a split at line ${line}`);
  return { desc: fix.title, output: applyEdits(code, fix.edits) };
}

cTester.run('child-returns (C)', rules['child-returns'], {
  valid: [c(C_CLEAN), c(C_NO_FORK), c(C_RAW)],
  invalid: [
    {
      ...c(C_CHILD_RETURNS),
      // The exec is an `if` body without braces: wrapping it with `_exit(127);` is offered, not applied.
      errors: [{ messageId: 'failedExec', line: 6, column: 3, data: { exec: 'execvp', fn: 'quick', line: '7', exit: '`_exit(127);`', path: ' (path: line 5 → 5 → 6 → 7)' }, suggestions: [coreFix(C_CHILD_RETURNS, 'c', 'child-returns', 6, 'End the child'), suppressed(C_CHILD_RETURNS, '\t\texecvp(', 'child-returns')] }],
    },
  ],
});
goTester.run('child-returns (Go)', rules['child-returns'], {
  valid: [go(GO_CLEAN), go(GO_PARENT_WORKS)],
  invalid: [
    {
      ...go(GO_CHILD_WRITES_RETURNS),
      // Only a return follows the exec: the raw exit loop after it is a safe fix.
      output: GO_CHILD_WRITES_RETURNS.replace('0, 0)\n\treturn 0, 0', '0, 0)\n\tfor {\n\t\tRawSyscall(SYS_EXIT, 253, 0, 0)\n\t}\n\treturn 0, 0'),
      errors: [{ messageId: 'failedExec', line: 14, column: 2, suggestions: [suppressed(GO_CHILD_WRITES_RETURNS, '\tRawSyscall(SYS_EXECVE', 'child-returns')] }],
    },
  ],
});

cTester.run('parent-reuses-frame (C)', rules['parent-reuses-frame'], {
  valid: [c(C_CLEAN), c(C_RAW_SPLIT)],
  invalid: [
    {
      ...c(C_RAW),
      errors: [
        { messageId: 'work', line: 10, column: 2, suggestions: [split(C_RAW, 'c', 10), suppressed(C_RAW, '\tif (pid < 0)', 'parent-reuses-frame')] },
        { messageId: 'work', line: 12, column: 2, suggestions: [split(C_RAW, 'c', 12), suppressed(C_RAW, '\tclose(3);', 'parent-reuses-frame')] },
      ],
    },
  ],
});
goTester.run('parent-reuses-frame (Go)', rules['parent-reuses-frame'], {
  valid: [go(GO_CLEAN)],
  invalid: [
    {
      ...go(GO_PARENT_WORKS),
      errors: [{ messageId: 'work', line: 12, column: 3, suggestions: [split(GO_PARENT_WORKS, 'go', 12), suppressed(GO_PARENT_WORKS, '\t\truntime_AfterFork()', 'parent-reuses-frame')] }],
    },
  ],
});

cTester.run('child-writes-shared (C)', rules['child-writes-shared'], {
  valid: [c(C_CLEAN), c(C_CHILD_RETURNS)],
  invalid: [
    {
      ...c(C_CHILD_WRITES_AND_CALLS),
      errors: [{ messageId: 'global', line: 7, column: 3, data: { target: 'g', fork: 'vfork', path: ' (path: line 5 → 6 → 7)' }, suggestions: [suppressed(C_CHILD_WRITES_AND_CALLS, '\t\tg = 1;', 'child-writes-shared')] }],
    },
  ],
});
goTester.run('child-writes-shared (Go)', rules['child-writes-shared'], {
  valid: [go(GO_CLEAN)],
  invalid: [
    {
      ...go(GO_CHILD_WRITES_RETURNS),
      errors: [{ messageId: 'global', line: 13, column: 2, suggestions: [suppressed(GO_CHILD_WRITES_RETURNS, '\tcounter = 1', 'child-writes-shared')] }],
    },
  ],
});

cTester.run('child-unsafe-call (C)', rules['child-unsafe-call'], {
  valid: [c(C_CLEAN), c(C_NO_FORK)],
  invalid: [
    {
      ...c(C_CHILD_WRITES_AND_CALLS),
      // exit -> _exit is a safe fix: eslint --fix applies it.
      output: C_CHILD_WRITES_AND_CALLS.replace('\t\texit(127);', '\t\t_exit(127);'),
      errors: [
        { messageId: 'unsafe', line: 8, column: 3, data: { callee: 'printf', fork: 'vfork', reason: '`printf` uses stdio buffers and locks shared with the parent', path: ' (path: line 5 → 6 → 8)' }, suggestions: [suppressed(C_CHILD_WRITES_AND_CALLS, '\t\tprintf(', 'child-unsafe-call')] },
        // exit after a failed exec: reported at the exec; its own exit -> _exit fix still applies.
        { message: /^When `execv` fails, the child goes on to line 10: The child calls `exit`/ as unknown as string, line: 9, column: 3, suggestions: [coreFix(C_CHILD_WRITES_AND_CALLS, 'c', 'child-unsafe-call', 9, 'End the child'), suppressed(C_CHILD_WRITES_AND_CALLS, '\t\texecv(', 'child-unsafe-call')] },
      ],
    },
  ],
});
goTester.run('child-unsafe-call (Go)', rules['child-unsafe-call'], {
  valid: [go(GO_CLEAN)],
  invalid: [{ ...go(GO_CGO), errors: [{ messageId: 'unsafe', line: 25, column: 2, suggestions: [suppressed(GO_CGO, '\tfmt.Println', 'child-unsafe-call')] }] }],
});

goTester.run('child-allocates (Go)', rules['child-allocates'], {
  valid: [go(GO_CLEAN), go(GO_CGO)],
  invalid: [
    {
      ...go(GO_ALLOCATES_NO_NORACE),
      errors: [{ messageId: 'allocates', line: 10, column: 9, suggestions: [suppressed(GO_ALLOCATES_NO_NORACE, '\tbuf := make', 'child-allocates')] }],
    },
  ],
});

goTester.run('missing-norace (Go)', rules['missing-norace'], {
  valid: [go(GO_CLEAN), go(GO_SHARED_STACK)],
  invalid: [
    {
      ...go(GO_ALLOCATES_NO_NORACE),
      output: GO_ALLOCATES_NO_NORACE.replace('func forkAndExec', '//go:norace\nfunc forkAndExec'),
      errors: [{ messageId: 'forks', line: 3, column: 6, data: { fn: 'forkAndExec' }, suggestions: [suppressed(GO_ALLOCATES_NO_NORACE, 'func forkAndExec', 'missing-norace')] }],
    },
  ],
});

cTester.run('inlinable-fork-frame (C)', rules['inlinable-fork-frame'], {
  valid: [c(C_RAW_SPLIT), c(C_CLEAN)],
  invalid: [
    {
      ...c(C_RAW),
      output: C_RAW.replace('static long inner', 'static __attribute__((noinline)) long inner'),
      errors: [{ messageId: 'inlinable', line: 19, column: 13, suggestions: [suppressed(C_RAW, 'static long inner', 'inlinable-fork-frame')] }],
    },
  ],
});
goTester.run('inlinable-fork-frame (Go, cgo preamble)', rules['inlinable-fork-frame'], {
  valid: [go(GO_CLEAN)],
  invalid: [
    {
      ...go(GO_CGO),
      output: GO_CGO.replace('static long inner', 'static __attribute__((noinline)) long inner'),
      errors: [{ messageId: 'inlinable', line: 6, column: 13, suggestions: [suppressed(GO_CGO, 'static long inner', 'inlinable-fork-frame')] }],
    },
  ],
});

cTester.run('shared-stack-clone (C)', rules['shared-stack-clone'], {
  valid: [c(C_CLEAN), c(C_RAW_SPLIT)],
  invalid: [{ ...c(C_RAW), errors: [{ messageId: 'concurrent', line: 17, column: 9, suggestions: [suppressed(C_RAW, '\treturn syscall(SYS_clone, CLONE_VM | SIGCHLD', 'shared-stack-clone')] }] }],
});
goTester.run('shared-stack-clone (Go)', rules['shared-stack-clone'], {
  valid: [go(GO_CLEAN)],
  invalid: [{ ...go(GO_SHARED_STACK), errors: [{ messageId: 'concurrent', line: 5, column: 2, suggestions: [suppressed(GO_SHARED_STACK, '\tRawSyscall6(', 'shared-stack-clone')] }] }],
});

cTester.run('vfork-discouraged (C)', rules['vfork-discouraged'], {
  valid: [c(C_NO_FORK)],
  invalid: [{ ...c(C_CLEAN), errors: [{ messageId: 'discouraged', line: 4, column: 14, suggestions: [suppressed(C_CLEAN, '\tpid_t pid = vfork();', 'vfork-discouraged')] }] }],
});
goTester.run('vfork-discouraged (Go)', rules['vfork-discouraged'], {
  valid: [go('package main\n\nfunc main() {}\n')],
  invalid: [{ ...go(GO_CLEAN), errors: [{ messageId: 'discouraged', line: 7, column: 13, suggestions: [suppressed(GO_CLEAN, '\tr1, err1 = rawVforkSyscall', 'vfork-discouraged')] }] }],
});

// Only the rule under test is on, so a directive naming another rule suppresses nothing.
// `eslint --fix` removes an unused directive that names rules, as `vforklint --fix` does.
cTester.run('unused-disable-directive (C)', rules['unused-disable-directive'], {
  valid: [c(C_CLEAN), c(C_CHILD_RETURNS)],
  invalid: [
    {
      ...c(C_CLEAN.replace('\tpid_t pid', '\t// vforklint-disable-next-line child-returns\n\tpid_t pid')),
      output: C_CLEAN,
      errors: [{ messageId: 'unused', data: { rules: "'child-returns'" }, line: 4, column: 2 }],
    },
    {
      ...c(C_CLEAN.replace('\tpid_t pid', '\t// vforklint-disable-next-line\n\tpid_t pid')),
      output: null,
      errors: [{ messageId: 'unusedAny', line: 4, column: 2 }],
    },
  ],
});
goTester.run('unused-disable-directive (Go)', rules['unused-disable-directive'], {
  valid: [go(GO_CLEAN)],
  invalid: [
    {
      ...go(GO_CLEAN.replace('\tvar r1', '\t/* vforklint-disable child-allocates */\n\tvar r1')),
      output: GO_CLEAN,
      errors: [{ messageId: 'unused', data: { rules: "'child-allocates'" }, line: 5, column: 2 }],
    },
  ],
});

// ---------------------------------------------------------------------------------------
// no-ffi-vfork on JavaScript (espree) and TypeScript (typescript-eslint's parser).

const jsTester = new RuleTester({ languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } });
const tsTester = new RuleTester({ languageOptions: { parser: tseslint.parser as never, sourceType: 'module' } });

const ffiValid = [
  `import koffi from 'koffi'; const lib = koffi.load('libc.so.6'); const getpid = lib.func('int getpid()');`,
  `const lib = koffi.load('libc.so.6'); lib.func('fork', 'int', []);`,
  `ffi.Library('libc', { getpid: ['int', []] });`,
  `const { symbols } = dlopen('libc.so.6', { syscall: { args: ['i64'], returns: 'i64' } }); symbols.syscall(39);`,
  `import { spawn } from 'node:child_process'; spawn('ls', ['-l']);`,
  `const lib = koffi.load('libc.so.6'); const clone = lib.func('int clone(void *fn, void *stack, int flags, void *arg)');`,
  `obj.func('vfork is a word in a sentence, not a prototype (');`.replace('vfork is', 'this is'),
];

const ffiInvalid = [
  { code: `const lib = koffi.load('libc.so.6'); const vfork = lib.func('int vfork()');`, errors: [{ messageId: 'vfork', data: { name: 'vfork', library: 'koffi' }, line: 1, column: 52 }] },
  { code: `const lib = koffi.load('libc.so.6'); lib.func('vfork', 'int', []);`, errors: [{ messageId: 'vfork', data: { name: 'vfork', library: 'koffi' } }] },
  { code: `lib.func('__stdcall', '__vfork', 'int', []);`, errors: [{ messageId: 'vfork', data: { name: '__vfork', library: 'koffi' } }] },
  { code: `const libc = ffi.Library('libc', {\n  getpid: ['int', []],\n  vfork: ['int', []],\n});`, errors: [{ messageId: 'vfork', line: 3, column: 3, data: { name: 'vfork', library: 'ffi-napi Library' } }] },
  { code: `const libc = new Library('libc', { 'vfork': ['int', []] });`, errors: [{ messageId: 'vfork', data: { name: 'vfork', library: 'ffi-napi Library' } }] },
  { code: `define({ vfork: { library: 'libc', retType: DataType.I32, paramsType: [] } });`, errors: [{ messageId: 'vfork', data: { name: 'vfork', library: 'ffi-rs define' } }] },
  { code: `load({ library: 'libc', funcName: 'vfork', retType: DataType.I32, paramsType: [], paramsValue: [] });`, errors: [{ messageId: 'vfork', data: { name: 'vfork', library: 'ffi-rs load' } }] },
  { code: "import { dlopen } from 'bun:ffi';\nconst { symbols } = dlopen(`libc.so.6`, { vfork: { args: [], returns: 'i32' } });", errors: [{ messageId: 'vfork', line: 2, data: { name: 'vfork', library: 'bun:ffi dlopen' } }] },
  { code: `const lib = Deno.dlopen('libc.so.6', { vfork: { parameters: [], result: 'i32' } });`, errors: [{ messageId: 'vfork', data: { name: 'vfork', library: 'Deno.dlopen' } }] },
  {
    code: `const CLONE_VM = 0x100;\nconst { symbols } = dlopen('libc.so.6', { syscall: { args: ['i64', 'i64'], returns: 'i64' } });\nsymbols.syscall(56, CLONE_VM | 0x4000);`,
    errors: [{ messageId: 'cloneVm', line: 2, data: { name: 'syscall', library: 'bun:ffi dlopen' } }],
  },
  {
    code: `const lib = koffi.load('libc.so.6');\nconst clone = lib.func('int clone(void *fn, void *stack, int flags, void *arg)');\nclone(fn, stack, os.constants.CLONE_VM, null);`,
    errors: [{ messageId: 'cloneVm', line: 2, data: { name: 'clone', library: 'koffi' } }],
  },
];

jsTester.run('no-ffi-vfork (JavaScript, espree)', rules['no-ffi-vfork'], { valid: ffiValid, invalid: ffiInvalid });

tsTester.run('no-ffi-vfork (TypeScript, typescript-eslint)', rules['no-ffi-vfork'], {
  valid: [...ffiValid, `const lib: koffi.IKoffiLib = koffi.load('libc.so.6'); const getpid = lib.func('int getpid()') as () => number;`],
  invalid: [
    ...ffiInvalid,
    {
      code: `import koffi from 'koffi';\nconst lib: koffi.IKoffiLib = koffi.load('libc.so.6');\nconst vfork = lib.func('int vfork()') as () => number;`,
      errors: [{ messageId: 'vfork', line: 3, column: 15 }],
    },
    {
      code: `interface Syms { vfork: { parameters: []; result: 'i32' } }\nconst lib = Deno.dlopen<Syms>('libc.so.6', { vfork: { parameters: [], result: 'i32' } } as const);`,
      errors: [{ messageId: 'vfork', line: 2 }],
    },
  ],
});
