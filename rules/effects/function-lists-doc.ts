/**
 * docs/function-lists.md, rendered from the tables in call-lists.ts (test/effects.test.ts
 * checks the committed page against this, so the two cannot drift).
 */
import { GO, GROUPS, LIBC, SYSCALLS, type FunctionFacts, type GroupId } from './call-lists.js';

const VERDICT: Record<FunctionFacts['kind'], string> = {
  safe: 'safe',
  exec: 'safe; the path goes on',
  unsafe: '`child-unsafe-call` error',
  'leaves-frame': '`child-returns` error',
  allocates: '`child-allocates`',
  unjudged: 'unknown call',
};

function facts(f: FunctionFacts, offset = 0): string {
  const out: string[] = [];
  if (f.writes?.length) out.push(`writes argument ${f.writes.map((p) => p + 1 + offset).join(', ')}`);
  if (f.fresh) out.push('returns fresh memory');
  if (f.noReturn) out.push('never returns');
  if (f.newProcess) out.push('returns 0 in a new process with its own memory');
  return out.join('; ');
}

function table(entries: Array<[string, FunctionFacts]>, offset = 0): string[] {
  const rows = ['| function | facts |', '| --- | --- |'];
  for (const [name, f] of entries.sort(([a], [b]) => a.localeCompare(b))) rows.push(`| \`${name}\` | ${facts(f, offset) || ''} |`);
  return rows;
}

export function renderFunctionLists(): string {
  const lines: string[] = [
    '# Function lists',
    '',
    '<!-- Generated from rules/effects/call-lists.ts; test/effects.test.ts checks it. Regenerate: UPDATE_DOCS=1 node --test dist/test/effects.test.js -->',
    '',
    'What vforklint knows about callees it cannot see: whether a vfork child may call them',
    '(`child-unsafe-call`), which arguments they write through (`child-writes-shared`; argument',
    'numbers count from 1), whether they return fresh memory (writes through it are not writes',
    'to shared memory), and whether they return at all (the path ends). libc\'s internal spellings',
    '(`__dup2`, `__libc_sigaction`, `__close_nocancel`) count as the public name. A function',
    'listed nowhere and not defined in the same file is an unknown call (a warning); add it to',
    '`safeFunctions` in the configuration if it is async-signal-safe. Any other `pthread_*`',
    'function is unsafe (thread-library locks).',
    '',
    '## C library',
    '',
  ];
  const byGroup = new Map<GroupId, Array<[string, FunctionFacts]>>();
  for (const [name, f] of LIBC) byGroup.set(f.group, [...(byGroup.get(f.group) ?? []), [name, f]]);
  for (const id of Object.keys(GROUPS) as GroupId[]) {
    const entries = byGroup.get(id);
    if (!entries) continue;
    const verdict = [...new Set(entries.map((e) => VERDICT[e[1].kind]))].join(', ');
    lines.push(`### ${GROUPS[id].title} (${verdict})`, '', GROUPS[id].about, '');
    const why = [...new Set(entries.map((e) => e[1].why).filter(Boolean))];
    for (const w of why) lines.push(`- Why: ${w!.replace(/\$/g, '`f`')}.`);
    if (why.length) lines.push('');
    lines.push(...table(entries), '');
  }
  lines.push('## Raw syscalls', '', 'Through `syscall(SYS_x, ...)`, `INLINE_SYSCALL`-style macros and Go\'s `RawSyscall*`: every raw syscall is safe; these write through arguments (counted after the syscall number) or end the process.', '');
  lines.push(...table([...SYSCALLS]), '');
  lines.push('## Go', '', GROUPS.go.about, '', '- Safe: `RawSyscall`, `RawSyscall6`, `RawSyscallNoError`, `rawSyscall*`, `rawVforkSyscall`, the runtime\'s fork hooks (`runtime_AfterForkInChild`, `runtime_BeforeExec`, `runtime_AfterExec`) and `//go:nosplit` functions of the same package.', '- Unsafe: `Syscall*` and the ordinary `syscall` wrappers, and anything from `fmt`, `os`, `log`, `strconv`, `strings`, `bytes`, `errors`, `sync`, `time`, `runtime`, `io`, `bufio`, `sort`, `reflect`, `exec`, `path`, `filepath`.', '- Allocating built-ins are reported by `child-allocates`.', '');
  const go = [...GO].map(([n, f]): [string, FunctionFacts] => [n, f]);
  lines.push('| function | kind | facts |', '| --- | --- | --- |');
  for (const [name, f] of go.sort(([a], [b]) => a.localeCompare(b))) lines.push(`| \`${name}\` | ${f.kind} | ${facts(f)} |`);
  lines.push('');
  return lines.join('\n');
}
