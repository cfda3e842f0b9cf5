/**
 * The effect model (rules/effects): the function tables, their documentation, and the
 * messages of the findings the effect fixtures expect (the fixture harness checks rule ids).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, initParsers } from '../rules/index.js';
import { LIBC } from '../rules/effects/call-lists.js';
import { renderFunctionLists } from '../rules/effects/function-lists-doc.js';

await initParsers();

const here = dirname(fileURLToPath(import.meta.url));
const root = here.includes(join('dist', 'test')) ? join(here, '..', '..') : join(here, '..');

test('docs/function-lists.md is generated from the tables', () => {
  const path = join(root, 'docs', 'function-lists.md');
  const rendered = renderFunctionLists();
  if (process.env.UPDATE_DOCS === '1') writeFileSync(path, rendered);
  assert.equal(readFileSync(path, 'utf8'), rendered, 'docs/function-lists.md is stale: UPDATE_DOCS=1 node --test dist/test/effects.test.js');
});

test('the table holds the verdicts RULES section 4 names', () => {
  for (const n of ['setuid', 'setgid', 'seteuid', 'setegid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setgroups']) assert.equal(LIBC.get(n)?.kind, 'unsafe', n);
  for (const n of ['pthread_exit', 'thrd_exit', 'quick_exit']) assert.deepEqual([LIBC.get(n)?.kind, LIBC.get(n)?.noReturn], ['unsafe', true], n);
  for (const n of ['longjmp', 'siglongjmp', '_longjmp']) assert.equal(LIBC.get(n)?.kind, 'leaves-frame', n);
  for (const n of ['nanosleep', 'clock_nanosleep', 'getpriority', 'setpriority', 'sethostname', 'setdomainname', 'prlimit', 'ioctl', 'fcntl', 'sched_setaffinity', 'personality', 'umask', 'chroot', 'mount', 'unshare', 'setns']) assert.equal(LIBC.get(n)?.kind, 'safe', n);
  assert.deepEqual(LIBC.get('read')?.writes, [1]);
  assert.deepEqual(LIBC.get('sigprocmask')?.writes, [2]);
});

/** One finding the fixture must produce, with its message. */
const MESSAGES: Array<{ fixture: string; line: number; rule: string; message: RegExp }> = [
  { fixture: 'c/child-writes-shared-read-into-local-array.c', line: 13, rule: 'child-writes-shared', message: /the local `buf`.*reads it after `vfork` \(line 16\)/ },
  { fixture: 'c/child-writes-shared-strcpy-global.c', line: 12, rule: 'child-writes-shared', message: /writes `last_program`/ },
  { fixture: 'c/child-writes-shared-memset-param.c', line: 12, rule: 'child-writes-shared', message: /writes `job`.*behind a pointer/ },
  { fixture: 'c/child-writes-shared-block-scoped-local.c', line: 16, rule: 'child-writes-shared', message: /writes `fd`.*a global/ },
  { fixture: 'c/child-writes-shared-const-pointer-helper.c', line: 14, rule: 'child-unsafe-call', message: /`check_state` is neither on the async-signal-safe list/ },
  { fixture: 'c/child-writes-shared-child-allocated.c', line: 17, rule: 'child-unsafe-call', message: /`malloc`.*uses the heap/ },
  { fixture: 'c/child-unsafe-call-setuid.c', line: 11, rule: 'child-unsafe-call', message: /`setuid`.*every thread of the process.*__nptl_setxid.*__synccall.*syscall\(SYS_/ },
  { fixture: 'c/child-returns-longjmp.c', line: 13, rule: 'child-returns', message: /`longjmp`.*jumps into frames the parent owns/ },
  { fixture: 'c/child-unsafe-call-pthread-exit.c', line: 12, rule: 'child-unsafe-call', message: /`pthread_exit`.*ends the calling thread.*use `_exit`/ },
  { fixture: 'c/child-unsafe-call-execute-query-pointer.c', line: 10, rule: 'child-unsafe-call', message: /`ops->execute_query` is a call through a function pointer/ },
  { fixture: 'go/child-writes-shared-go-copy-global.go', line: 15, rule: 'child-writes-shared', message: /writes `lastArgv0\[:\]`/ },
];

for (const m of MESSAGES) {
  test(`message: ${m.fixture}:${m.line} ${m.rule}`, () => {
    const text = readFileSync(join(root, 'fixtures', m.fixture), 'utf8');
    const result = analyze(text, m.fixture.endsWith('.go') ? 'go' : 'c');
    const found = result.findings.filter((f) => f.rule === m.rule && f.range.start.line === m.line);
    assert.equal(found.length, 1, `${m.fixture}:${m.line}: ${JSON.stringify(result.findings.map((f) => [f.range.start.line, f.rule, f.message]))}`);
    assert.match(found[0].message, m.message);
  });
}

/** Small programs for cases the fixtures do not spell out: every finding listed, nothing else. */
const CASES: Array<{ name: string; language: 'c' | 'go'; source: string; expect: Array<[number, string, RegExp]> }> = [
  {
    name: 'a callee\'s writes through shared and recursive callees: every target once, in the order found, the first one\'s chain',
    language: 'c',
    source: `#include <unistd.h>
int a, b, c, d, e, f;
static void ping(int n);
static void leaf(void) { c = 1; d = 2; }
static void left(void) { a = 1; leaf(); }
static void pong(int n) { f = n; ping(n - 1); }
static void ping(int n) { e = n; if (n) pong(n); }
static void right(void) { leaf(); b = 1; ping(3); }
static void both(void) { left(); right(); a = 2; }
int spawn(void) {
	pid_t pid = vfork();
	if (pid == 0) {
		both();
		_exit(1);
	}
	return pid;
}
`,
    expect: [[13, 'child-writes-shared', /writes `a`, `c`, `d`, `b` and 2 more \(chain: both -> left\)/]],
  },
  {
    name: 'snprintf writes the field it is given',
    language: 'c',
    source: `#include <stdio.h>
#include <unistd.h>
struct req { char msg[64]; };
int spawn(struct req *p, char *const argv[]) {
	pid_t pid = vfork();
	if (pid == 0) {
		snprintf(p->msg, sizeof p->msg, "%s", argv[0]);
		_exit(1);
	}
	return pid;
}
`,
    expect: [
      [7, 'child-unsafe-call', /`snprintf`.*stdio/],
      [7, 'child-writes-shared', /writes `p->msg`/],
    ],
  },
  {
    name: 'an overwrite on one branch only leaves the read',
    language: 'c',
    source: `#include <unistd.h>
int run(char *const argv[], int reset) {
	int status = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		status = 1;
		_exit(127);
	}
	if (reset)
		status = 0;
	return status;
}
`,
    expect: [[6, 'child-writes-shared', /the local `status`.*\(line 11\)/]],
  },
  {
    name: 'memory a same-file callee returns fresh is not shared',
    language: 'c',
    source: `#include <stdlib.h>
#include <unistd.h>
struct job { int state; };
static struct job *new_job(void) { return malloc(sizeof(struct job)); }
int spawn(void) {
	struct job *j;
	pid_t pid = vfork();
	if (pid == 0) {
		j = new_job();
		j->state = 1;
		_exit(0);
	}
	return pid;
}
`,
    expect: [[9, 'child-unsafe-call', /new_job -> malloc/]],
  },
  {
    name: 'a const pointer parameter in the definition: the caller\'s local is only read',
    language: 'c',
    source: `#include <unistd.h>
struct state { int fd; int flags; };
extern int audit(const int *flags);
static int check(const struct state *s) { return s->fd > 0 ? 0 : audit(&s->flags); }
int spawn(char *const argv[], int fd) {
	struct state st = { fd, 0 };
	pid_t pid = vfork();
	if (pid == 0) {
		if (check(&st) < 0)
			_exit(126);
		_exit(127);
	}
	return st.flags;
}
`,
    expect: [[9, 'child-unsafe-call', /check -> audit/]],
  },
  {
    name: 'a local pointer into the frame is not shared memory',
    language: 'c',
    source: `#include <string.h>
#include <unistd.h>
int spawn(char *const argv[]) {
	char buf[64];
	char *p = buf;
	char *q;
	pid_t pid = vfork();
	if (pid == 0) {
		q = &buf[4];
		strcpy(p, argv[0]);
		strcpy(q, argv[0]);
		_exit(1);
	}
	return pid;
}
`,
    expect: [],
  },
  {
    name: 'a local pointer of unknown origin is',
    language: 'c',
    source: `#include <string.h>
#include <unistd.h>
extern char *next_slot(void);
int spawn(char *const argv[]) {
	char *p = next_slot();
	pid_t pid = vfork();
	if (pid == 0) {
		strcpy(p, argv[0]);
		_exit(1);
	}
	return pid;
}
`,
    expect: [[8, 'child-writes-shared', /writes `p`.*a global, or memory behind a pointer/]],
  },
  {
    name: 'Go: a raw read into a local array the parent reads',
    language: 'go',
    source: `package syscall

import "unsafe"

//go:norace
func forkRead(fd uintptr) (r1 uintptr, err1 Errno, first byte) {
	var buf [16]byte
	r1, err1 = rawVforkSyscall(SYS_CLONE, uintptr(SIGCHLD|CLONE_VFORK|CLONE_VM))
	if err1 == 0 && r1 == 0 {
		RawSyscall(SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), 16)
		for {
			RawSyscall(SYS_EXIT, 0, 0, 0)
		}
	}
	first = buf[0]
	return
}
`,
    expect: [
      [10, 'child-writes-shared', /the local `buf\[0\]`/],
      [15, 'parent-reuses-frame', /./],
    ],
  },
];

for (const c of CASES) {
  test(`case: ${c.name}`, () => {
    const result = analyze(c.source, c.language);
    const got = result.findings.map((f) => `${f.range.start.line} ${f.rule}: ${f.message}`).sort();
    assert.equal(got.length, c.expect.length, got.join('\n'));
    for (const [line, rule, message] of c.expect) {
      assert.ok(got.some((g) => g.startsWith(`${line} ${rule}: `) && message.test(g)), `${line} ${rule} ${message}\n${got.join('\n')}`);
    }
  });
}
