/**
 * What a call does in child code: safe, known-unsafe, unknown, or a macro; whether it
 * returns. Calls into functions of the same file are followed (with the chain kept).
 */
import { isPassThroughName, passThroughMacrosOf } from '../flow/pass-through.js';
import type { FileContext, ResolvedCallee } from '../file-context.js';
import { analyseFlow, type FlowInput } from '../flow/walk.js';
import { constantAt, constantValue } from '../macros.js';
import { unwrap } from '../macros/view.js';
import { CHILD, PRE } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import { descendantsWithin, field, lastName, operatorOf } from '../syntax.js';
import { isNotReachedComment } from '../comments.js';
import { variableUnchanged } from './unchanged.js';
import { callSpelling, configuredForkFunctions, isForkSpellingCall, isRawSyscallEntry } from '../fork-spellings.js';
import type { MacroReading } from '../file-context.js';
import type { SummaryOptions } from '../macros.js';
import { GO, GO_SAFE, GO_UNSAFE, LIBC, PTHREAD_WHY, SYSCALLS, type FunctionFacts } from './call-lists.js';
import { predicateValue } from '../flow/predicate-calls.js';
import { goMethodName, isGoMethod } from './go-callee.js';
import { nestedSummary, summaryRoom } from './nesting.js';

export type CallVerdict =
  | { kind: 'safe' }
  | { kind: 'macro' }
  /** `longjmp` and kin: jumps into frames the parent owns (reported as `child-returns`). */
  | { kind: 'leavesFrame'; chain: string[] }
  | { kind: 'unsafe'; chain: string[]; reason: string }
  | { kind: 'unknown'; chain: string[]; reason: string };

const MACRO = /^[A-Z_][A-Z0-9_]*$/;
const TOO_DEEP = 'the call chain is too deep to follow';

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

/** What the tables know about a C callee, by its name as written or its public name. */
export function libcFacts(name: string): FunctionFacts | undefined {
  return LIBC.get(name) ?? LIBC.get(publicName(name));
}

/** What the tables know about a callee in either language (`name` as written for Go). */
export function factsOf(ctx: FileContext, callee: string): FunctionFacts | undefined {
  return ctx.adapter.language === 'go' ? GO.get(callee) : libcFacts(lastName(callee));
}

/** The syscall a raw syscall call or a syscall-naming macro performs (`exit_group`, `dup2`). */
export function syscallOf(ctx: FileContext, call: SyntaxNode): string | undefined {
  const callee = ctx.calleeText(call);
  if (!callee) return undefined;
  const name = lastName(callee);
  const isRaw = isRawSyscallEntry(ctx.adapter.language, name) || (ctx.adapter.language === 'go'
    ? /^Syscall6?$/.test(name)
    : MACRO.test(name) && name.includes('SYSCALL'));
  if (!isRaw) return undefined;
  const first = ctx.adapter.arguments(call)[0];
  if (!first) return undefined;
  return lastName(first.text).replace(/^(?:SYS_|__NR_)/, '').toLowerCase();
}

/** An exec: an exec-family name (also through a pointer named exactly so: musl's `exec(...)`, glibc's `args->exec(...)`), or a raw execve. */
export function isExecCall(ctx: FileContext, call: SyntaxNode): boolean {
  const callee = ctx.calleeText(call);
  if (callee && ctx.adapter.language === 'c' && libcFacts(lastName(callee))?.kind === 'exec') return true;
  const nr = syscallOf(ctx, call);
  return nr === 'execve' || nr === 'execveat';
}

/**
 * The call a simple statement consists of, if any: `_exit(1);`, `(void) execv(...)`; for a
 * macro of unknown definition wrapping one statement, `IF_FEATURE_X(die("x");)`, the call
 * inside it (`statementArgument`).
 */
export function statementCall(ctx: FileContext, statement: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | null = statement;
  for (let i = 0; n && i < 10; i++) {
    if (n.type === ctx.adapter.callType) return statementArgument(ctx, n) ?? n;
    if (n.type === 'expression_statement' || n.type === 'parenthesized_expression' || n.type === 'expression_list') n = n.namedChild(0);
    else if (n.type === 'cast_expression') n = field(n, 'value') ?? null;
    else return undefined;
  }
  return undefined;
}

/**
 * `IF_FEATURE_X(bb_perror_msg_and_die("x");)`: a call in capitals whose definition is not
 * visible (a header generated at build time: busybox's `IF_*`, `USE_*`) and whose one
 * argument is a statement, a call followed by its `;`. Such a macro either compiles its
 * argument or drops it; the code as written is the code of the configuration that builds
 * it, so the use is read as the statement: the inner call (RULES section 3, "Macros").
 */
export function statementArgument(ctx: FileContext, call: SyntaxNode): SyntaxNode | undefined {
  if (ctx.adapter.language !== 'c') return undefined;
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'identifier' || !MACRO.test(callee.text)) return undefined;
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  let inner: SyntaxNode | undefined;
  let semicolon = false;
  for (const c of args.namedChildren) {
    if (!c) continue;
    if (c.type === 'ERROR' && c.text.trim() === ';' && inner) semicolon = true;
    else if (c.type === 'comment') continue;
    else if (inner || c.type !== ctx.adapter.callType) return undefined;
    else inner = c;
  }
  if (!inner || !semicolon) return undefined;
  if (ctx.mayBeMacro(callee.text) || ctx.functionNamed(callee.text) !== undefined) return undefined;
  return inner;
}

/** Does this call never return? (`isLast`: nothing follows it, which makes an exec final.) */
export function callNeverReturns(ctx: FileContext, call: SyntaxNode, isLast: boolean, depth = 0): boolean {
  const macro = expandedMacro(ctx, call);
  if (macro) return macro.summary.neverReturns;
  const callee = ctx.calleeText(call);
  if (!callee) return false;
  const name = lastName(callee);
  if (factsOf(ctx, callee)?.noReturn) return true;
  if ((ctx.config.noReturnFunctions ?? []).some((n) => n === callee || n === name)) return true;
  const nr = syscallOf(ctx, call);
  if (nr && SYSCALLS.get(nr)?.noReturn) return true;
  if (isLast && isExecCall(ctx, call)) return true;
  if (ctx.isDeclaredNoReturn(name)) return true;
  if (ctx.adapter.calleeIsName(call) && ctx.functionNamed(name) !== undefined) {
    return functionNeverReturns(ctx, name, depth + 1) || neverReturnsWithArguments(ctx, argumentsOf(ctx, call), [{ ctx, fn: ctx.functionNamed(name)! }], depth);
  }
  // Another file of the project (RULES section 8): never returns when declared so, or when no definition that may run returns.
  const project = ctx.project && ctx.adapter.calleeIsName(call) ? ctx.project.resolve(name) : undefined;
  if (project) return projectNeverReturns(project, name, depth) || neverReturnsWithArguments(ctx, argumentsOf(ctx, call), project.definitions, depth);
  return false;
}

/** A callee the project index resolved never returns: declared so, or every definition that may run never returns. */
export function projectNeverReturns(r: ResolvedCallee, name: string, depth: number): boolean {
  if (r.declaredNoReturn) return true;
  return r.definitions.length > 0 && r.definitions.every((d) => functionNeverReturns(d.ctx, d.name, depth + 1));
}

export function statementEndsPath(ctx: FileContext, statement: SyntaxNode, isLast: boolean, depth = 0): boolean {
  const ends = () => {
    // `exec_fn(data);` then `/* NOTREACHED */`: the code says the call does not come back.
    if (followedByNotReached(ctx, statement)) return true;
    const call = statementCall(ctx, statement);
    if (call) return callNeverReturns(ctx, call, isLast, depth);
    const macro = expandedMacro(ctx, statementIdentifier(statement));
    return !!macro && macro.summary.neverReturns;
  };
  // Remembered at the top level only: deeper answers may rest on a callee still being summarised.
  return depth === 0 ? ctx.remember(`ends:${statement.id}:${isLast}`, ends) : ends();
}

/**
 * A C callee that may return in general but not with this call's constant arguments
 * (`bb_daemonize_or_rexec(0, argv)`: only other flags reach its `return`): every definition,
 * its tests of parameters it never changes read with the constants in place, has no path
 * that returns. Not part of the recursion's fixed point: a callee under way counts as
 * returning here.
 */
function neverReturnsWithArguments(ctx: FileContext, argumentTexts: ReadonlyArray<{ text: string; at?: number }>, definitions: ReadonlyArray<{ ctx: FileContext; fn: SyntaxNode }>, depth: number): boolean {
  if (ctx.adapter.language !== 'c' || definitions.length === 0 || !summaryRoom()) return false;
  const args = argumentTexts.map((a) => (a.text.length > 200 ? undefined : ctx.macros ? constantAt(ctx.macros, a.text, a.at) : constantValue(a.text)));
  if (!args.some((v) => v !== undefined)) return false;
  return definitions.every((d) => {
    const bindings = new Map<string, bigint>();
    d.ctx.adapter.parameters(d.fn).forEach((p, i) => {
      const v = args[i];
      if (v !== undefined && testedParameters(d.ctx, d.fn).has(p.name) && variableUnchanged(d.ctx, d.fn, p.name)) bindings.set(p.name, v);
    });
    if (bindings.size === 0) return false;
    const key = `noreturn-with:${d.fn.id}:${[...bindings].map(([n, v]) => `${n}=${v}`).join(',')}`;
    return d.ctx.remember(key, () => {
      const body = d.ctx.adapter.functionBody(d.fn);
      if (!body) return false;
      return nestedSummary(() => noPathReturns(d.ctx, d.fn, body, depth + 1, (c) => conditionWith(d.ctx, c, bindings)), () => false);
    });
  });
}

function argumentsOf(ctx: FileContext, call: SyntaxNode): Array<{ text: string; at: number }> {
  return ctx.adapter.arguments(call).map((a) => ({ text: a.text, at: a.startIndex }));
}

/** A call by name in a macro's body (`bb_daemonize_or_rexec(flags)` once the header's macro expanded) that never returns with its constant arguments. */
function nameNeverReturnsWith(ctx: FileContext, name: string, args: readonly string[]): boolean {
  if (!args.length || ctx.adapter.language !== 'c') return false;
  const own = ctx.functionNamed(name);
  const definitions = own ? [{ ctx, fn: own }] : ctx.project?.resolve(name)?.definitions ?? [];
  return neverReturnsWithArguments(ctx, args.map((text) => ({ text })), definitions, 1);
}

/** The flow of a function's body has no path that returns (`decide`: tests it knows the value of, before the macros'). */
function noPathReturns(ctx: FileContext, fn: SyntaxNode, body: SyntaxNode, depth: number, decide?: (condition: SyntaxNode) => boolean | undefined): boolean {
  const input = macroFlowInput(ctx, fn);
  const constantCondition = decide && input.constantCondition ? (c: SyntaxNode) => decide(c) ?? input.constantCondition!(c) : decide ?? input.constantCondition;
  const flow = analyseFlow({ adapter: ctx.viewAdapter, body, initialMask: PRE, endsPath: (s, last) => statementEndsPath(ctx, s, last, depth), isExec: (c) => isExecCall(ctx, c), ...input, ...(constantCondition ? { constantCondition } : {}) });
  const returns = [...flow.statements.values()].some((s) => s.role === 'return' && s.mask !== 0) || [...(flow.macroReturns?.values() ?? [])].some((s) => s.mask !== 0);
  return !flow.incomplete && flow.endMask === 0 && !returns;
}

/** A condition on parameters bound to constants, evaluated with them (and the file's macros) in place. */
function conditionWith(ctx: FileContext, condition: SyntaxNode, bindings: ReadonlyMap<string, bigint>): boolean | undefined {
  if (condition.text.length > 2000) return undefined;
  let text = condition.text;
  let bound = false;
  for (const [name, value] of bindings) {
    const re = new RegExp(`(?<![\\w.>])${name}\\b`, 'g');
    if (re.test(text)) {
      bound = true;
      text = text.replace(re, `(${value})`);
    }
  }
  if (!bound) return undefined;
  const v = ctx.macros ? constantAt(ctx.macros, text, condition.startIndex) : constantValue(text);
  return v === undefined ? undefined : v !== 0n;
}

/**
 * The parameters a function's `if`, loop and `switch` conditions test as a mode: for a flag
 * (`flags & X`), for equality (`mode == X`, `!=`) or for truth (`if (verbose)`, `!p`). A
 * quantity compared by order (`n > 0`: a counter, a recursion's depth) is not bound.
 */
function testedParameters(ctx: FileContext, fn: SyntaxNode): ReadonlySet<string> {
  return ctx.remember(`tested-params:${fn.id}`, () => {
    const params = new Set(ctx.adapter.parameters(fn).map((p) => p.name));
    const body = ctx.adapter.functionBody(fn);
    const out = new Set<string>();
    if (!body || params.size === 0) return out;
    for (const n of descendantsWithin(fn, body, TESTS)) {
      const c = n.childForFieldName('condition');
      const text = c && c.text.length < 2000 ? c.text : '';
      for (const w of text.match(/[A-Za-z_]\w*/g) ?? []) if (params.has(w) && !out.has(w) && testsAsMode(text, w)) out.add(w);
    }
    return out;
  });
}

function testsAsMode(condition: string, name: string): boolean {
  const p = `(?<![\\w.>])${name}\\b`;
  const bare = new RegExp(`^[\\s(!]*${p}[\\s)]*$`);
  const mode = new RegExp(`${p}\\s*(?:&(?!&)|[!=]=)|(?:[^&]&|[!=]=)\\s*${p}|!\\s*${p}|(?:&&|\\|\\|)\\s*\\(*\\s*${p}\\s*\\)*\\s*(?:&&|\\|\\||\\)|$)|^\\(*\\s*${p}\\s*\\)*\\s*(?:&&|\\|\\|)`);
  return bare.test(condition) || mode.test(condition);
}

const TESTS = new Set(['if_statement', 'while_statement', 'do_statement', 'for_statement', 'switch_statement', 'conditional_expression']);

const COMMENT_AHEAD = /^\s*(\/\*[\s\S]*?\*\/|\/\/[^\n]*)/;

/**
 * Is the statement followed, past blanks and other comments, by lint's `NOTREACHED`? Read
 * from the text: a node's next sibling costs the tree's depth in tree-sitter.
 */
function followedByNotReached(ctx: FileContext, statement: SyntaxNode): boolean {
  if (!ctx.remember('mentions-not-reached', () => /not\s*reached/i.test(ctx.text))) return false;
  let at = statement.endIndex;
  for (let i = 0; i < 8; i++) {
    const m = COMMENT_AHEAD.exec(ctx.text.slice(at, at + 400));
    if (!m) return false;
    if (isNotReachedComment(m[1])) return true;
    at += m[0].length;
  }
  return false;
}

/**
 * The never-returns computations under way, across files. A function being computed is
 * assumed not to return when it is reached again (recursion), so a cycle in which every path
 * ends in a non-returning call or in another member of the cycle never returns: the least
 * fixed point of "may return", as compilers infer `noreturn`. A "never returns" that rests
 * on such an assumption is settled when the cycle's first member is: kept if it never
 * returns either, forgotten (and computed again when asked) if it may return.
 */
interface NoReturnFrame {
  /** The lowest frame whose assumption this computation used. */
  low: number;
  /** Results resting on this frame's assumption. */
  pending: Array<[FileContext, string]>;
}
const noReturnFrames: NoReturnFrame[] = [];

/** A function none of whose paths returns: of this file, or of another file through the project index. */
export function functionNeverReturns(ctx: FileContext, name: string, depth = 0): boolean {
  const key = `noreturn:${name}`;
  const memo = ctx.memo.get(key);
  if (memo === true || memo === false) return memo;
  const top = noReturnFrames[noReturnFrames.length - 1];
  if (typeof memo === 'number') {
    // Under way (or resting on a frame under way): assume it never returns.
    if (top) top.low = Math.min(top.low, memo);
    return true;
  }
  // Past the nesting bound: may return (the cautious answer), not remembered.
  if (!summaryRoom()) return false;
  const me = noReturnFrames.length;
  const frame: NoReturnFrame = { low: me, pending: [] };
  noReturnFrames.push(frame);
  ctx.memo.set(key, me);
  let result = false;
  try {
    const fn = ctx.functionNamed(name);
    const body = fn && ctx.adapter.functionBody(fn);
    if (body) {
      result = nestedSummary(() => noPathReturns(ctx, fn, body, depth), () => false);
    }
  } finally {
    noReturnFrames.pop();
    const settle = (value: boolean) => {
      for (const [c, k] of frame.pending) {
        if (value) c.memo.set(k, true);
        else c.memo.delete(k);
      }
    };
    if (frame.low < me && result) {
      // Rests on a caller's assumption: settled with that caller.
      ctx.memo.set(key, frame.low);
      const owner = noReturnFrames[frame.low];
      owner.pending.push(...frame.pending, [ctx, key]);
      const parent = noReturnFrames[noReturnFrames.length - 1];
      parent.low = Math.min(parent.low, frame.low);
    } else {
      ctx.memo.set(key, result);
      settle(result);
    }
  }
  return result;
}

function isLocalOrParam(ctx: FileContext, fn: SyntaxNode | undefined, name: string): boolean {
  if (!fn) return false;
  const names = ctx.remember(`names:${fn.id}`, () => {
    const body = ctx.adapter.functionBody(fn);
    return new Set([...ctx.adapter.parameters(fn).map((p) => p.name), ...(body ? ctx.adapter.declaredLocals(body).keys() : [])]);
  });
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
  return ctx.remember(`call:${call.id}:${enclosing?.id ?? ''}`, () => classifyCallUncached(ctx, call, enclosing, depth, true));
}

/**
 * Is this call a macro of unknown definition (what `classifyCall` calls `{ kind: 'macro' }`)?
 * Answered without following any function, of this file or of the project (following one
 * never gives that answer): what a caller that needs nothing else asks (what a call writes),
 * so no callee's verdict is computed for it.
 */
export function isUnknownMacroCall(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode | undefined): boolean {
  return classifyCallUncached(ctx, call, enclosing, 0, false).kind === 'macro';
}

/** The verdict `classifyCall` gives when a callee would be followed but `follow` is off: never `macro`. */
const NOT_FOLLOWED: CallVerdict = { kind: 'unknown', chain: [], reason: 'not followed' };

function classifyCallUncached(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode | undefined, depth: number, follow: boolean): CallVerdict {
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
  // A same-file macro is what its expansion does (RULES section 3, "Macros").
  const macro = a.language === 'c' && a.calleeIsName(call) ? (follow ? macroVerdict(ctx, call, depth) : expandedMacro(ctx, call) && NOT_FOLLOWED) : undefined;
  if (macro) return macro;
  const isName = a.calleeIsName(call);
  const pointerCall = !isName || (a.language === 'c' && isLocalOrParam(ctx, enclosing, name));
  if (isExecCall(ctx, call)) return { kind: 'safe' };
  // A fork or raw syscall spelling (a nested fork is its own site; see fork-spellings.ts).
  if ((a.language === 'go' || !pointerCall) && isForkSpellingCall(a.language, callee, ctx.config)) return { kind: 'safe' };
  if (pointerCall && a.language === 'c') {
    const arms = conditionalCallee(ctx, call, enclosing);
    if (arms) return eitherArm(arms.map((n) => classifyCName(ctx, n, depth)));
    return { kind: 'unknown', chain: [], reason: `\`${callee}\` is a call through a function pointer that could not be checked` };
  }

  if (a.language === 'c') return classifyCName(ctx, name, depth, follow);
  if (!follow) return NOT_FOLLOWED;

  // Go
  if (GO_SAFE.test(callee)) return { kind: 'safe' };
  const builtin = GO.get(callee);
  if (builtin && builtin.kind !== 'unjudged') return verdictOf(callee, builtin);
  // A function of the file, or (`s.note(1)`, go-callee.ts) a method of the file.
  const method = goMethodName(ctx, call);
  const local = isName && ctx.functionNamed(callee) !== undefined ? callee : method !== undefined && isGoMethod(ctx.functionNamed(method)) ? method : undefined;
  if (local !== undefined) {
    if (isGoNosplit(ctx, ctx.functionNamed(local)!)) return { kind: 'safe' };
    return followCallee(ctx, local, depth);
  }
  if (GO_UNSAFE.test(callee)) return { kind: 'unsafe', chain: [callee], reason: `\`${callee}\` is not a raw syscall: it may allocate, take locks or grow the stack` };
  const project = isName ? projectVerdict(ctx, callee, depth) : undefined;
  if (project) return project;
  const projectMethod = method !== undefined && ctx.project?.resolve(method)?.definitions.some((d) => isGoMethod(d.fn)) ? projectVerdict(ctx, method, depth) : undefined;
  if (projectMethod) return projectMethod;
  return { kind: 'unknown', chain: [callee], reason: `\`${callee}\` is not defined in this file and is not a raw syscall` };
}

/**
 * `((flags & WARN_ONLY) ? perror_msg_raw : perror_exit_raw)(msg)`: a call through a
 * conditional choosing between two functions named in the code calls one of them. Their
 * names, when both arms are names that are no local or parameter of the enclosing function.
 */
function conditionalCallee(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode | undefined): string[] | undefined {
  const callee = field(call, 'function');
  const f = callee && unwrap(callee);
  if (f?.type !== 'conditional_expression') return undefined;
  const arms = [field(f, 'consequence'), field(f, 'alternative')].map((n) => n && unwrap(n));
  if (!arms.every((n) => n?.type === 'identifier' && !isLocalOrParam(ctx, enclosing, n.text))) return undefined;
  return arms.map((n) => n!.text);
}

/** What a call of one of several functions may do: the worst of theirs. */
function eitherArm(verdicts: CallVerdict[]): CallVerdict {
  const rank = (v: CallVerdict) => (v.kind === 'unsafe' ? 0 : v.kind === 'leavesFrame' ? 1 : v.kind === 'unknown' || v.kind === 'macro' ? 2 : 3);
  const worst = [...verdicts].sort((x, y) => rank(x) - rank(y))[0];
  return worst.kind === 'macro' ? { kind: 'unknown', chain: [], reason: 'is called through a macro that could not be checked' } : worst;
}

/** A C callee by name (called directly, not through a pointer). */
function classifyCName(ctx: FileContext, name: string, depth: number, follow = true): CallVerdict {
  const listed = LIBC.get(name);
  if (listed && listed.kind !== 'unjudged') return verdictOf(name, listed);
  if (name.startsWith('__builtin_') || name === 'sizeof' || name === 'alignof' || isPassThroughName(name, passThroughMacrosOf(ctx))) return { kind: 'safe' };
  if (ctx.functionNamed(name) !== undefined) return follow ? followCallee(ctx, name, depth) : NOT_FOLLOWED;
  if (MACRO.test(name)) return { kind: 'macro' };
  const pub = publicName(name);
  if (INTERNAL_SAFE.has(name.replace(/^_+/, '')) || INTERNAL_SAFE.has(pub)) return { kind: 'safe' };
  const internal = LIBC.get(pub);
  if (internal && internal.kind !== 'unjudged') return verdictOf(name, internal);
  if (/^pthread_/.test(pub)) return { kind: 'unsafe', chain: [name], reason: whyFor(name, PTHREAD_WHY) };
  if (!follow) return NOT_FOLLOWED;
  const project = projectVerdict(ctx, name, depth);
  if (project) return project;
  return { kind: 'unknown', chain: [name], reason: `\`${name}\` is neither on the async-signal-safe list nor defined in this file` };
}

// ----- macros ------------------------------------------------------------------------

/** The options this file's macro expansions are summarised with: which names never return, which are forks. */
export function macroOptions(ctx: FileContext): SummaryOptions {
  return ctx.macroSummaryOptions(() => ({
    noReturn: { has: (name: string) => nameNeverReturns(ctx, name) } as unknown as ReadonlySet<string>,
    forks: { get: (name: string) => macroForkKind(ctx, name) } as unknown as ReadonlyMap<string, string>,
    neverReturnsWith: (name: string, args: readonly string[]) => nameNeverReturnsWith(ctx, name, args),
  }));
}

/** A function called by name that never returns: `_exit`, a configured or declared noreturn function, a same-file one. */
function nameNeverReturns(ctx: FileContext, name: string): boolean {
  if (libcFacts(name)?.noReturn) return true;
  if ((ctx.config.noReturnFunctions ?? []).includes(name)) return true;
  if (ctx.isDeclaredNoReturn(name)) return true;
  if (ctx.functionNamed(name) !== undefined) return functionNeverReturns(ctx, name, 1);
  const project = ctx.project?.resolve(name);
  return !!project && projectNeverReturns(project, name, 1);
}

/** The fork kind of a spelling called inside a macro body: `vfork` (and configured wrappers), `raw` for raw vforks. */
function macroForkKind(ctx: FileContext, name: string): 'vfork' | 'raw' | undefined {
  const configured = configuredForkFunctions(ctx.config).find((f) => f.name === name);
  if (configured) return configured.role === 'raw-vfork' ? 'raw' : 'vfork';
  const role = callSpelling('c', name)?.role;
  return role === 'vfork' ? 'vfork' : role === 'raw-vfork' ? 'raw' : undefined;
}

/** The reading of a macro use (a call or an identifier) in C, or undefined when the node is no same-file macro use. */
export function macroReadingOf(ctx: FileContext, node: SyntaxNode | undefined): MacroReading | undefined {
  if (!node || ctx.adapter.language !== 'c') return undefined;
  if (node.type === 'call_expression' && node.childForFieldName('function')?.type !== 'identifier') return undefined;
  const reading = ctx.macroReading(node, macroOptions(ctx));
  // A header's macro named like a function the lists judge (musl's `__syscall`, a raw syscall
  // entry defined as a token-pasting dispatcher): the list entry wins (RULES section 8).
  if (reading && reading.use.kind === 'expanded' && reading.use.definition.location.file !== undefined && judgedByTheLists(reading.use.macro)) return undefined;
  if (reading?.kind === 'expanded') {
    // A summary remembered from another use read these too.
    const options = macroOptions(ctx);
    for (const c of reading.summary.calls) if (c.direct) options.noReturn.has(c.name);
  }
  return reading;
}

/** A use that could be expanded and read as code. */
export function expandedMacro(ctx: FileContext, node: SyntaxNode | undefined): Extract<MacroReading, { kind: 'expanded' }> | undefined {
  const r = macroReadingOf(ctx, node);
  return r?.kind === 'expanded' ? r : undefined;
}

/** `BAIL;`: the identifier a statement consists of. */
function statementIdentifier(statement: SyntaxNode): SyntaxNode | undefined {
  if (statement.type !== 'expression_statement' || statement.namedChildCount !== 1) return undefined;
  const only = statement.namedChild(0);
  return only?.type === 'identifier' ? only : undefined;
}

/** What a statement that is a macro use does to control flow: `return`/`goto` in the body, whether the code after it runs. */
export function macroJumps(ctx: FileContext, statement: SyntaxNode): { returns: boolean; gotos: string[]; fallsThrough: boolean } | undefined {
  if (ctx.adapter.language !== 'c') return undefined;
  const macro = expandedMacro(ctx, statementCall(ctx, statement) ?? statementIdentifier(statement));
  if (!macro) return undefined;
  const s = macro.summary;
  if (!s.returns && s.gotos.length === 0) return undefined;
  return { returns: s.returns, gotos: s.gotos, fallsThrough: s.fallsThrough };
}

/** The value of a condition the file's macros make constant (`if (DEBUG_INIT)`), or undefined. */
export function constantCondition(ctx: FileContext, condition: SyntaxNode): boolean | undefined {
  if (ctx.adapter.language !== 'c' || condition.text.length > 2000) return undefined;
  const names = condition.text.match(/[A-Za-z_]\w*/g) ?? [];
  if (!names.some((n) => ctx.mayBeMacro(n))) return undefined;
  const table = ctx.macros;
  if (!table) return undefined;
  return ctx.remember(`constant:${condition.startIndex}:${condition.endIndex}`, () => {
    for (const n of names) ctx.reads.record('macro', n);
    const v = constantAt(table, condition.text, condition.startIndex);
    return v === undefined ? undefined : v !== 0n;
  });
}

/** What the flow pass needs to read macro uses as their bodies, and `fork()` results. */
export function macroFlowInput(ctx: FileContext, fn?: SyntaxNode): Pick<FlowInput, 'macroJumps' | 'constantCondition' | 'newProcessSide' | 'macroValue'> {
  if (ctx.adapter.language !== 'c') return {};
  return { macroJumps: (s) => macroJumps(ctx, s), constantCondition: (c) => constantCondition(ctx, c), macroValue: (c) => macroValue(ctx, c), ...(fn ? { newProcessSide: (c: SyntaxNode) => newProcessSide(ctx, c, fn) } : {}) };
}

/**
 * What a function-like macro use computes, when its expansion is one expression
 * (`IS_CHILD(pid)` -> `((pid) == 0)`), or a call of a predicate function of the file
 * (flow/predicate-calls.ts).
 */
export function macroValue(ctx: FileContext, call: SyntaxNode): SyntaxNode | undefined {
  const parsed = expandedMacro(ctx, call)?.use.code.parsed;
  return parsed?.form === 'expression' ? parsed.value : predicateValue(ctx, call);
}

// ----- fork(): the side where it returned 0 is a new process ------------------------------

const MAX_FORK_DEPTH = 6;

/**
 * Does this expression hold what `fork()` returned: a call of `fork` (the lists' `newProcess`),
 * of a macro that expands to one such call (busybox's `fork_or_rexec(argv)` -> `xfork()`),
 * or of a function every `return` of which returns one (`xfork`)?
 */
function isForkResult(ctx: FileContext, expr: SyntaxNode, depth: number): boolean {
  const n = unwrap(expr);
  if (n.type === 'assignment_expression' && operatorOf(n) === '=') {
    const right = field(n, 'right');
    return !!right && isForkResult(ctx, right, depth);
  }
  if (n.type !== 'call_expression') return false;
  const callee = n.childForFieldName('function');
  if (callee?.type !== 'identifier') return false;
  if (libcFacts(callee.text)?.newProcess) return true;
  if (depth >= MAX_FORK_DEPTH) return false;
  return ctx.remember(`forkResult:${n.startIndex}:${n.endIndex}:${depth}`, () => {
    // A macro whose body is one call (`#define fork_or_rexec(argv) xfork()`): followed one
    // definition at a time, so a function of that name counts before a later macro hides it.
    const table = ctx.mayBeMacro(callee.text) ? ctx.macros : undefined;
    let name = callee.text;
    for (let i = 0; table && i < MAX_FORK_DEPTH; i++) {
      if (functionReturnsFork(ctx, name, depth + 1, i > 0)) return true;
      const found = table.lookup(name, n.startIndex);
      if (found.kind !== 'macro') return false;
      const m = /^\(*\s*([A-Za-z_]\w*)\s*\([^()]*\)\s*\)*$/.exec(found.definition.body.trim());
      if (!m || m[1] === name) return false;
      name = m[1];
    }
    return !table && functionReturnsFork(ctx, name, depth + 1);
  });
}

/**
 * A function of this file whose every `return` returns a `fork()` result. A name reached
 * through a macro's body (`#define fork_or_rexec(argv) xfork()` in a header) is looked up in
 * the project index too; a name written in the condition itself is not (it is not otherwise
 * resolved, and resolving it would parse other files and say so for every `if (f(x))`).
 */
function functionReturnsFork(ctx: FileContext, name: string, depth: number, throughMacro = false): boolean {
  if (libcFacts(name)?.newProcess) return true;
  const own = ctx.functionNamed(name);
  if (own) return returnsFork(ctx, own, depth);
  if (!throughMacro || !ctx.project) return false;
  const r = ctx.project.resolve(name);
  return !!r && r.definitions.length > 0 && r.definitions.every((d) => returnsFork(d.ctx, d.fn, depth));
}

function returnsFork(ctx: FileContext, fn: SyntaxNode, depth: number): boolean {
  return ctx.remember(`returnsFork:${fn.id}:${depth}`, () => {
    const body = ctx.adapter.functionBody(fn);
    if (!body) return false;
    const returns = descendantsWithin(fn, body, RETURNS);
    return returns.length > 0 && returns.every((r) => {
      const value = r.namedChild(0);
      if (!value) return false;
      const v = unwrap(value);
      return v.type === 'identifier' ? variableHoldsFork(ctx, fn, v.text, depth) : isForkResult(ctx, v, depth);
    });
  });
}

const RETURNS = new Set(['return_statement']);
const STORES = new Set(['assignment_expression', 'init_declarator', 'update_expression', 'pointer_expression']);

/** A local every store to which is a `fork()` result (`pid_t pid = fork();`, `pid = xfork();`), and whose address is never taken. */
function variableHoldsFork(ctx: FileContext, fn: SyntaxNode, name: string, depth: number): boolean {
  return ctx.remember(`holdsFork:${fn.id}:${name}:${depth}`, () => {
    const body = ctx.adapter.functionBody(fn);
    if (!body || ctx.adapter.parameters(fn).some((p) => p.name === name)) return false;
    let stores = 0;
    for (const n of descendantsWithin(fn, body, STORES)) {
      if (n.type === 'pointer_expression') {
        if (operatorOf(n) === '&' && field(n, 'argument')?.text === name) return false;
        continue;
      }
      if (n.type === 'update_expression') {
        if (field(n, 'argument')?.text === name) return false;
        continue;
      }
      const target = n.type === 'init_declarator' ? field(n, 'declarator') : field(n, 'left');
      if (target?.type !== 'identifier' || target.text !== name) continue;
      const value = field(n, n.type === 'init_declarator' ? 'value' : 'right');
      if (!value || (n.type === 'assignment_expression' && operatorOf(n) !== '=') || !isForkResult(ctx, value, depth)) return false;
      stores++;
    }
    return stores > 0;
  });
}

/**
 * The side of an `if` that runs only where `fork()` returned 0, a new process with its own
 * copy of memory: `if (fork())` -> false, `if (!fork())`, `if ((pid = fork()) == 0)`,
 * `if (pid == 0)` with `pid` only ever holding a fork result -> true. A daemonising
 * `if (fork()) _exit(0);` thus ends the calling process's path (RULES section 3).
 */
export function newProcessSide(ctx: FileContext, condition: SyntaxNode, fn: SyntaxNode): boolean | undefined {
  if (ctx.adapter.language !== 'c' || condition.text.length > 500) return undefined;
  // Cheap first: a fork result is written `fork` in the function, or comes from a macro.
  const mentionsFork = ctx.remember(`mentionsFork:${fn.id}`, () => /fork/i.test(fn.text));
  if (!mentionsFork && !(condition.text.match(/[A-Za-z_]\w*/g) ?? []).some((n) => ctx.mayBeMacro(n))) return undefined;
  return ctx.remember(`newProcess:${condition.startIndex}:${condition.endIndex}`, () => {
    const holdsFork = (e: SyntaxNode): boolean => {
      const v = unwrap(e);
      return v.type === 'identifier' ? variableHoldsFork(ctx, fn, v.text, 0) : isForkResult(ctx, v, 0);
    };
    let n = unwrap(condition);
    let zeroSide = false;
    for (let i = 0; i < 8 && n.type === 'unary_expression' && operatorOf(n) === '!'; i++) {
      const inner = field(n, 'argument');
      if (!inner) return undefined;
      zeroSide = !zeroSide;
      n = unwrap(inner);
    }
    if (n.type === 'binary_expression') {
      const op = operatorOf(n);
      const l = field(n, 'left');
      const r = field(n, 'right');
      if (!l || !r || (op !== '==' && op !== '!=')) return undefined;
      const zero = (x: SyntaxNode) => unwrap(x).text === '0';
      const tested = zero(r) ? l : zero(l) ? r : undefined;
      if (!tested || !holdsFork(tested)) return undefined;
      return op === '==' ? !zeroSide : zeroSide;
    }
    return holdsFork(n) ? zeroSide : undefined;
  });
}

/**
 * A same-file macro call read as its expansion: the calls its body makes (not those written
 * in its arguments: the file's own tree holds those, and they are classified as written).
 * Undefined when the call is no expandable same-file macro (then it keeps its plain reading).
 */
function macroVerdict(ctx: FileContext, node: SyntaxNode, depth: number): CallVerdict | undefined {
  const macro = expandedMacro(ctx, node);
  if (!macro) return undefined;
  return macroBodyVerdict(ctx, macro, depth);
}

export function macroBodyVerdict(ctx: FileContext, macro: Extract<MacroReading, { kind: 'expanded' }>, depth = 0): CallVerdict {
  const { use, summary } = macro;
  let unknown: CallVerdict | undefined;
  let leaves: CallVerdict | undefined;
  for (const c of summary.calls) {
    if (c.dead || !use.place(c.node).definition) continue;
    const v = macroCallVerdict(ctx, c.name, c.direct, depth);
    if (v.kind === 'safe' || v.kind === 'macro') continue;
    // `#define pseudo_exec(a, b, c) pseudo_exec(b, c)` (busybox's hush): the macro and the function are one step.
    const chain = v.chain[0] === use.macro ? v.chain : [use.macro, ...v.chain];
    if (v.kind === 'unsafe') return { ...v, chain };
    if (v.kind === 'unknown' && !unknown) unknown = { ...v, chain };
    if (v.kind === 'leavesFrame' && !leaves) leaves = { ...v, chain };
  }
  return leaves ?? unknown ?? { kind: 'safe' };
}

/** A call written in a macro body, by its callee's name (`direct`) or through an expression. */
function macroCallVerdict(ctx: FileContext, name: string, direct: boolean, depth: number): CallVerdict {
  if (!direct) return { kind: 'unknown', chain: [], reason: `\`${name}\` is a call through a function pointer that could not be checked` };
  if ((ctx.config.safeFunctions ?? []).includes(name)) return { kind: 'safe' };
  if (libcFacts(name)?.kind === 'exec' || isForkSpellingCall('c', name, ctx.config)) return { kind: 'safe' };
  return classifyCName(ctx, name, depth + 1);
}

/**
 * The one hook into the project index (RULES section 8): a callee this file does not define,
 * judged by the same code run on the file that defines it. With several definitions any may
 * run: the worst verdict wins. Undefined when the project does not define it either.
 */
function projectVerdict(ctx: FileContext, name: string, depth: number): CallVerdict | undefined {
  const r = ctx.project?.resolve(name);
  if (!r) return undefined;
  if (r.alias !== undefined) {
    if (GO_SAFE.test(r.alias)) return { kind: 'safe' };
    const listed = GO.get(r.alias);
    if (listed && listed.kind !== 'unjudged') return verdictOf(name, listed);
  }
  if (!r.definitions.length) return undefined;
  return worstVerdict(r.definitions.map((d) => renamed(calleeVerdict(d.ctx, d.name, depth + 1), d.name, name)));
}

/** A verdict whose chain starts at the name called (a macro forwarding to `real`). */
function renamed(v: CallVerdict, real: string, called: string): CallVerdict {
  if (real === called || !('chain' in v) || v.chain[0] !== real) return v;
  return { ...v, chain: [called, ...v.chain] };
}

const VERDICT_ORDER: Record<CallVerdict['kind'], number> = { safe: 0, macro: 1, unknown: 2, leavesFrame: 3, unsafe: 4 };

/** Of the verdicts of the definitions that may run, the worst. */
export function worstVerdict(verdicts: CallVerdict[]): CallVerdict {
  return verdicts.reduce((a, b) => (VERDICT_ORDER[b.kind] > VERDICT_ORDER[a.kind] ? b : a), { kind: 'safe' } as CallVerdict);
}

/** A function's verdict as a callee (its chain starts with its name): the summary the project index reads. */
export function calleeVerdict(ctx: FileContext, name: string, depth = 0): CallVerdict {
  if (ctx.adapter.language === 'go' && ctx.functionNamed(name) && isGoNosplit(ctx, ctx.functionNamed(name)!)) return { kind: 'safe' };
  return followCallee(ctx, name, depth);
}

/** A C name the lists judge: a listed function (also by its libc-internal spelling), a raw syscall entry, a libc-internal safe helper. */
export function judgedByTheLists(name: string): boolean {
  const facts = libcFacts(name);
  return (!!facts && facts.kind !== 'unjudged') || isRawSyscallEntry('c', name) || INTERNAL_SAFE.has(name.replace(/^_+/, '')) || INTERNAL_SAFE.has(publicName(name));
}

/** libc-internal helpers that only block or restore signals, read thread state or make raw syscalls. */
const INTERNAL_SAFE = new Set([
  // glibc's local-setxid.h: "SETxID functions which only have to change the local thread" (raw syscalls).
  'local_seteuid', 'local_setegid', 'local_setuid', 'local_setgid',
  'is_internal_signal', 'block_all_sigs', 'block_app_sigs', 'restore_sigs', 'get_handler_set', 'syscall_cp', 'sys_dup2', 'sys_open', 'sys_close']);

/** A table's reason with the function's name put in. */
function whyFor(name: string, why = '$ is not async-signal-safe'): string {
  return why.replace(/\$/g, `\`${name}\``);
}

/** The verdict a table entry gives a call named `name`. */
function verdictOf(name: string, facts: FunctionFacts): CallVerdict {
  switch (facts.kind) {
    case 'unsafe':
      return { kind: 'unsafe', chain: [name], reason: whyFor(name, facts.why) };
    case 'leaves-frame':
      return { kind: 'leavesFrame', chain: [name] };
    default:
      // safe, exec; Go's allocating built-ins are reported by child-allocates.
      return { kind: 'safe' };
  }
}

interface CalleeSummary {
  verdict: CallVerdict;
}

/** Follow a same-file callee: unsafe if anything it does (transitively) is unsafe. */
function followCallee(ctx: FileContext, name: string, depth: number): CallVerdict {
  const key = `calls:${name}`;
  // Recursion ends at the summary under way (below); the nesting bound only spares the stack.
  if (!ctx.memo.has(key) && !summaryRoom()) return { kind: 'unknown', chain: [name], reason: TOO_DEEP };
  const memo = ctx.rememberRecursive<CalleeSummary | null>(key, null, () => nestedSummary(() => {
    const fn = ctx.functionNamed(name)!;
    const body = ctx.adapter.functionBody(fn);
    let verdict: CallVerdict = { kind: 'safe' };
    if (!body) return { verdict: { kind: 'unknown', chain: [], reason: 'has no body in this file' } };
    let unknown: CallVerdict | undefined;
    let leaves: CallVerdict | undefined;
    for (const call of childCalls(ctx, fn, body)) {
      const v = classifyCall(ctx, call, fn, depth + 1);
      if (v.kind === 'unsafe') {
        verdict = v;
        break;
      }
      if (v.kind === 'unknown' && !unknown) unknown = v;
      if (v.kind === 'leavesFrame' && !leaves) leaves = v;
    }
    if (verdict.kind === 'safe') verdict = leaves ?? unknown ?? verdict;
    return { verdict };
  }, () => ({ verdict: { kind: 'unknown', chain: [], reason: TOO_DEEP } as CallVerdict })));
  if (memo === null) return { kind: 'safe' }; // recursion: judged by the outer call
  return prefix(name, memo.verdict);
}

function prefix(name: string, v: CallVerdict): CallVerdict {
  if (v.kind === 'unsafe' || v.kind === 'unknown' || v.kind === 'leavesFrame') return { ...v, chain: [name, ...v.chain] };
  return v;
}

/** Calls a same-file callee makes on its reachable paths (run as child code). */
function childCalls(ctx: FileContext, fn: SyntaxNode, body: SyntaxNode): SyntaxNode[] {
  const flow = analyseFlow({ adapter: ctx.viewAdapter, body, initialMask: CHILD, endsPath: (s, last) => statementEndsPath(ctx, s, last), isExec: (c) => isExecCall(ctx, c), ...macroFlowInput(ctx, fn) });
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
