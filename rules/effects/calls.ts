/**
 * What a call does in child code: safe, known-unsafe, unknown, or a macro; whether it
 * returns. Calls into functions of the same file are followed (with the chain kept).
 */
import { isPassThroughName, passThroughMacrosOf } from '../flow/pass-through.js';
import type { FileContext } from '../file-context.js';
import { analyseFlow } from '../flow/walk.js';
import { CHILD, PRE } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import { descendantsWithin, field, lastName } from '../syntax.js';
import { ASYNC_SIGNAL_SAFE, EXEC_FUNCTIONS, EXIT_SYSCALLS, GO_ALLOCATING_BUILTINS, GO_BUILTINS_SAFE, GO_SAFE, GO_UNSAFE, KNOWN_UNSAFE, NO_RETURN } from './call-lists.js';

export type CallVerdict =
  | { kind: 'safe' }
  | { kind: 'macro' }
  | { kind: 'unsafe'; chain: string[]; reason: string }
  | { kind: 'unknown'; chain: string[]; reason: string };

const MACRO = /^[A-Z_][A-Z0-9_]*$/;
const MAX_CHAIN = 12;

/** libc's internal spellings: `__dup2`, `__close_nocancel`, `__libc_sigaction` -> the public name. */
export function publicName(name: string): string {
  return name
    .replace(/^__libc_/, '')
    .replace(/^__sys_/, '')
    .replace(/^_+/, '')
    .replace(/_nocancel$/, '')
    .replace(/_internal$/, '')
    .replace(/_time64$/, '')
    .replace(/(?<=[a-z])64$/, '')
    .replace(/^(?:local_|internal_)/, '');
}

/** The syscall a raw syscall call or a syscall-naming macro performs (`exit_group`, `dup2`). */
export function syscallOf(ctx: FileContext, call: SyntaxNode): string | undefined {
  const callee = ctx.calleeText(call);
  if (!callee) return undefined;
  const name = lastName(callee);
  const isRaw = ctx.adapter.language === 'go'
    ? /^(?:RawSyscall6?|rawSyscall6?|RawSyscallNoError|rawSyscallNoError|Syscall6?)$/.test(name)
    : name === 'syscall' || /^__syscall\d?$/.test(name) || (MACRO.test(name) && name.includes('SYSCALL'));
  if (!isRaw) return undefined;
  const first = ctx.adapter.arguments(call)[0];
  if (!first) return undefined;
  return lastName(first.text).replace(/^(?:SYS_|__NR_)/, '').toLowerCase();
}

export function isExecCall(ctx: FileContext, call: SyntaxNode): boolean {
  const callee = ctx.calleeText(call);
  if (callee && EXEC_FUNCTIONS.test(lastName(callee))) return true;
  // A pointer call whose name says it is an exec (musl's `exec(...)`, glibc's `args->exec(...)`).
  if (callee && !ctx.adapter.calleeIsName(call) && /exec/i.test(lastName(callee))) return true;
  const nr = syscallOf(ctx, call);
  return nr === 'execve' || nr === 'execveat';
}

/** The call a simple statement consists of, if any: `_exit(1);`, `(void) execv(...)`. */
export function statementCall(ctx: FileContext, statement: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | null = statement;
  for (let i = 0; n && i < 10; i++) {
    if (n.type === ctx.adapter.callType) return n;
    if (n.type === 'expression_statement' || n.type === 'parenthesized_expression' || n.type === 'expression_list') n = n.namedChild(0);
    else if (n.type === 'cast_expression') n = field(n, 'value') ?? null;
    else return undefined;
  }
  return undefined;
}

/** Does this call never return? (`isLast`: nothing follows it, which makes an exec final.) */
export function callNeverReturns(ctx: FileContext, call: SyntaxNode, isLast: boolean, depth = 0): boolean {
  const callee = ctx.calleeText(call);
  if (!callee) return false;
  const name = lastName(callee);
  if (NO_RETURN.has(callee) || NO_RETURN.has(name)) return true;
  if ((ctx.config.noReturnFunctions ?? []).some((n) => n === callee || n === name)) return true;
  if (ctx.adapter.language === 'go' && (callee === 'panic' || callee === 'os.Exit' || callee === 'syscall.Exit' || callee === 'runtime.Goexit')) return true;
  const nr = syscallOf(ctx, call);
  if (nr && EXIT_SYSCALLS.has(nr)) return true;
  if (isLast && isExecCall(ctx, call)) return true;
  if (ctx.declaredNoReturn.has(name)) return true;
  if (ctx.adapter.calleeIsName(call) && ctx.functionNamed(name) !== undefined && depth < MAX_CHAIN) return functionNeverReturns(ctx, name, depth + 1);
  return false;
}

export function statementEndsPath(ctx: FileContext, statement: SyntaxNode, isLast: boolean, depth = 0): boolean {
  const ends = () => {
    const call = statementCall(ctx, statement);
    return !!call && callNeverReturns(ctx, call, isLast, depth);
  };
  // Remembered at the top level only: deeper answers may rest on a callee still being summarised.
  return depth === 0 ? ctx.remember(`ends:${statement.id}:${isLast}`, ends) : ends();
}

/** A same-file function none of whose paths returns (e.g. a Go helper looping on SYS_EXIT). */
export function functionNeverReturns(ctx: FileContext, name: string, depth = 0): boolean {
  const key = `noreturn:${name}`;
  const memo = ctx.memo.get(key);
  if (memo !== undefined) return memo === true;
  ctx.memo.set(key, false); // in progress: assume it returns
  const fn = ctx.functionNamed(name);
  const body = fn && ctx.adapter.functionBody(fn);
  let result = false;
  if (body) {
    const flow = analyseFlow({ adapter: ctx.adapter, body, initialMask: PRE, endsPath: (s, last) => statementEndsPath(ctx, s, last, depth), isExec: (c) => isExecCall(ctx, c) });
    const returns = [...flow.statements.values()].some((s) => s.role === 'return' && s.mask !== 0);
    result = !flow.incomplete && flow.endMask === 0 && !returns;
  }
  ctx.memo.set(key, result);
  return result;
}

function isLocalOrParam(ctx: FileContext, fn: SyntaxNode | undefined, name: string): boolean {
  if (!fn) return false;
  const key = `names:${fn.id}`;
  let names = ctx.memo.get(key) as Set<string> | undefined;
  if (!names) {
    const body = ctx.adapter.functionBody(fn);
    names = new Set([...ctx.adapter.parameters(fn).map((p) => p.name), ...(body ? ctx.adapter.declaredLocals(body).keys() : [])]);
    ctx.memo.set(key, names);
  }
  return names.has(name);
}

function isGoNosplit(ctx: FileContext, fn: SyntaxNode): boolean {
  return ctx.leadingComments(fn).some((c) => /^\/\/go:nosplit\b/.test(c.trim()));
}

/**
 * Classify a call made in child code. `enclosing` is the function the call is written in.
 * Remembered per file: every fork site of a function asks about the same calls (and the
 * rules ask twice, for unsafe calls and for what the call writes).
 */
export function classifyCall(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode | undefined, depth = 0): CallVerdict {
  return ctx.remember(`call:${call.id}:${enclosing?.id ?? ''}:${depth}`, () => classifyCallUncached(ctx, call, enclosing, depth));
}

function classifyCallUncached(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode | undefined, depth: number): CallVerdict {
  const a = ctx.adapter;
  const callee = ctx.calleeText(call);
  const safeExtra = ctx.config.safeFunctions ?? [];
  if (callee && safeExtra.includes(callee)) return { kind: 'safe' };
  if (a.isConversion(call)) return { kind: 'safe' };
  if (!callee) {
    return { kind: 'unknown', chain: [], reason: 'is called through an expression that could not be resolved' };
  }
  const name = lastName(callee);
  if (safeExtra.includes(name)) return { kind: 'safe' };
  const isName = a.calleeIsName(call);
  const pointerCall = !isName || (a.language === 'c' && isLocalOrParam(ctx, enclosing, name));
  if (isExecCall(ctx, call)) return { kind: 'safe' };
  if (pointerCall && a.language === 'c') {
    return { kind: 'unknown', chain: [], reason: `\`${callee}\` is a call through a function pointer that could not be checked` };
  }

  if (a.language === 'c') {
    if (KNOWN_UNSAFE.has(name)) return { kind: 'unsafe', chain: [name], reason: unsafeReason(name) };
    if (ASYNC_SIGNAL_SAFE.has(name) || NO_RETURN.has(name) && name !== 'exit') return { kind: 'safe' };
    if (name.startsWith('__builtin_') || name === 'sizeof' || name === 'alignof' || isPassThroughName(name, passThroughMacrosOf(ctx))) return { kind: 'safe' };
    if (ctx.functionNamed(name) !== undefined) return followCallee(ctx, name, depth);
    if (MACRO.test(name)) return { kind: 'macro' };
    const pub = publicName(name);
    if (KNOWN_UNSAFE.has(pub)) return { kind: 'unsafe', chain: [name], reason: unsafeReason(pub) };
    if (ASYNC_SIGNAL_SAFE.has(pub) || INTERNAL_SAFE.has(pub) || EXEC_FUNCTIONS.test(pub)) return { kind: 'safe' };
    return { kind: 'unknown', chain: [name], reason: `\`${name}\` is neither on the async-signal-safe list nor defined in this file` };
  }

  // Go
  if (GO_SAFE.test(callee) || GO_BUILTINS_SAFE.has(callee)) return { kind: 'safe' };
  if (GO_ALLOCATING_BUILTINS.has(callee)) return { kind: 'safe' }; // reported by child-allocates
  if (isName && ctx.functionNamed(callee) !== undefined) {
    const fn = ctx.functionNamed(callee)!;
    if (isGoNosplit(ctx, fn)) return { kind: 'safe' };
    return followCallee(ctx, callee, depth);
  }
  if (GO_UNSAFE.test(callee)) return { kind: 'unsafe', chain: [callee], reason: `\`${callee}\` is not a raw syscall: it may allocate, take locks or grow the stack` };
  return { kind: 'unknown', chain: [callee], reason: `\`${callee}\` is not defined in this file and is not a raw syscall` };
}

/** libc-internal helpers that only block or restore signals or read thread state. */
const INTERNAL_SAFE = new Set(['is_internal_signal', 'seteuid', 'setegid', 'sigismember', 'block_all_sigs', 'block_app_sigs', 'restore_sigs', 'get_handler_set', 'pthread_self', 'sigaction', 'sigprocmask', 'syscall', 'syscall_cp', 'sys_dup2', 'sys_open', 'sys_close', 'dup2', 'close', 'fcntl', 'open', 'getpid']);

function unsafeReason(name: string): string {
  if (name === 'exit') return '`exit` runs atexit handlers and flushes stdio buffers shared with the parent; use `_exit`';
  if (/alloc|free|strdup|asprintf/.test(name)) return `\`${name}\` uses the heap, whose state is shared with the parent`;
  if (/printf|puts|put|fflush|fopen|fclose|fwrite|perror|fdopen|fgets|getc|scanf|fread/.test(name)) return `\`${name}\` uses stdio buffers and locks shared with the parent`;
  return `\`${name}\` is not async-signal-safe`;
}

interface CalleeSummary {
  verdict: CallVerdict;
}

/** Follow a same-file callee: unsafe if anything it does (transitively) is unsafe. */
function followCallee(ctx: FileContext, name: string, depth: number): CallVerdict {
  const key = `calls:${name}`;
  const memo = ctx.memo.get(key) as CalleeSummary | undefined | null;
  if (memo === null) return { kind: 'safe' }; // recursion: judged by the outer call
  if (memo) return prefix(name, memo.verdict);
  if (depth > MAX_CHAIN) return { kind: 'unknown', chain: [name], reason: 'the call chain is too deep to follow' };
  ctx.memo.set(key, null);
  const fn = ctx.functionNamed(name)!;
  const body = ctx.adapter.functionBody(fn);
  let verdict: CallVerdict = { kind: 'safe' };
  if (!body) verdict = { kind: 'unknown', chain: [], reason: 'has no body in this file' };
  else {
    let unknown: CallVerdict | undefined;
    for (const call of childCalls(ctx, fn, body)) {
      const v = classifyCall(ctx, call, fn, depth + 1);
      if (v.kind === 'unsafe') {
        verdict = v;
        break;
      }
      if (v.kind === 'unknown' && !unknown) unknown = v;
    }
    if (verdict.kind === 'safe' && unknown) verdict = unknown;
  }
  ctx.memo.set(key, { verdict });
  return prefix(name, verdict);
}

function prefix(name: string, v: CallVerdict): CallVerdict {
  if (v.kind === 'unsafe' || v.kind === 'unknown') return { ...v, chain: [name, ...v.chain] };
  return v;
}

/** Calls a same-file callee makes on its reachable paths (run as child code). */
function childCalls(ctx: FileContext, fn: SyntaxNode, body: SyntaxNode): SyntaxNode[] {
  const flow = analyseFlow({ adapter: ctx.adapter, body, initialMask: CHILD, endsPath: (s, last) => statementEndsPath(ctx, s, last), isExec: (c) => isExecCall(ctx, c) });
  const out: SyntaxNode[] = [];
  for (const e of flow.evaluations.values()) {
    if (!e.mask) continue;
    out.push(...callsIn(ctx, e.node, body));
  }
  void fn;
  return out;
}

/** Call expressions evaluated by an expression or simple statement (not inside closures). */
export function callsIn(ctx: FileContext, node: SyntaxNode, root: SyntaxNode = node): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  out.push(...descendantsWithin(root, node, new Set([ctx.adapter.callType]), ctx.adapter.closureTypes));
  return out;
}
