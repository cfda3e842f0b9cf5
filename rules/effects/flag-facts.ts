/**
 * What the child has set (docs/rules.md, section 3, "What the child has set"): a constant
 * the child's own code assigns to a global or a member path of one (`in_child = 1;`,
 * `toys.stacktop = 0;`) holds at a later call when nothing the analysis sees writes it in
 * between. The callee's verdict and whether it returns are then computed with its tests of
 * that path read with the constant: context-sensitive summaries, remembered per callee and
 * per the facts it (or a callee of it, a few calls down) actually tests.
 */
import type { FileContext } from '../file-context.js';
import { CHILD, PRE } from '../flow/path-state.js';
import { analyseFlow } from '../flow/walk.js';
import { constantAt, constantValue } from '../macros.js';
import type { SyntaxNode } from '../parser.js';
import { contains, descendantsWithin, field, operatorOf } from '../syntax.js';
import { callsIn, classifyCall, expandedMacro, isExecCall, judgedByTheLists, macroFlowInput, statementCall, statementEndsPath, worstVerdict, type CallVerdict } from './calls.js';
import { nestedSummary, summaryRoom } from './nesting.js';
import { changedTargetsIn, pathsOverlap, variableUnchanged } from './unchanged.js';
import { scopeOf } from './writes.js';

/** Member paths (squeezed: `toys.stacktop`, `in_child`) and the constant each holds. */
export type FlagFacts = ReadonlyMap<string, bigint>;

const NONE: FlagFacts = new Map();
const PATH = /^[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*$/;
const BLOCKS = new Set(['compound_statement', 'case_statement']);
const LABELS = new Set(['labeled_statement']);
const LOOPS = new Set(['while_statement', 'do_statement', 'for_statement']);
/** Globals the C library itself writes (a call the lists judge may change them). */
const LIBRARY_WRITTEN = new Set(['errno', 'h_errno', 'environ', '__environ', 'optind', 'optarg', 'opterr', 'optopt', 'optreset', 'timezone', 'daylight', 'tzname', 'signgam', 'program_invocation_name', 'program_invocation_short_name']);
const TESTS = new Set(['if_statement', 'while_statement', 'do_statement', 'for_statement', 'switch_statement', 'conditional_expression']);
/** How many calls below a callee a test of a fact still counts for its summary's key. */
const RELEVANCE_DEPTH = 4;

function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/** The variable a path starts from (`toys` of `toys.stacktop`); empty for `*p`, `(x)`. */
function rootOf(path: string): string {
  return /^[A-Za-z_]\w*/.exec(path)?.[0] ?? '';
}

function keyOf(facts: FlagFacts): string {
  return [...facts].map(([p, v]) => `${p}=${v}`).sort().join(',');
}

function constantOf(ctx: FileContext, node: SyntaxNode): bigint | undefined {
  if (node.text.length > 100) return undefined;
  return ctx.macros ? constantAt(ctx.macros, node.text, node.startIndex) : constantValue(node.text);
}

/** `path = CONSTANT;` statements of `fn` on a global's path, by statement id. */
function flagAssignments(ctx: FileContext, fn: SyntaxNode): ReadonlyMap<number, { path: string; value: bigint }> {
  return ctx.remember(`flag-assignments:${fn.id}`, () => {
    const out = new Map<number, { path: string; value: bigint }>();
    const body = ctx.adapter.functionBody(fn);
    if (!body || ctx.adapter.language !== 'c') return out;
    for (const n of descendantsWithin(fn, body, new Set(['assignment_expression']))) {
      if (operatorOf(n) !== '=' || n.parent?.type !== 'expression_statement') continue;
      const left = field(n, 'left');
      const right = field(n, 'right');
      if (!left || !right || left.text.length > 200) continue;
      const path = squeeze(left.text);
      if (!PATH.test(path)) continue;
      const root = rootOf(path);
      if (!flagRoot(ctx, fn, root, left)) continue;
      const value = constantOf(ctx, right);
      if (value !== undefined) out.set(n.parent.id, { path, value });
    }
    return out;
  });
}

/**
 * A variable facts may be about: a global of `fn` (no parameter or local of that name),
 * not a macro (toybox's `TT` stands for `this.xargs`: a write spelled the other way would
 * not be seen; a capitalised name the file does not declare is taken for one), not one
 * the C library writes (`errno`, `environ`, `optind`), whose address `fn` never takes.
 */
function flagRoot(ctx: FileContext, fn: SyntaxNode, root: string, at: SyntaxNode): boolean {
  if (LIBRARY_WRITTEN.has(root) || ctx.mayBeMacro(root) || (CAPITALS.test(root) && !declaredInFile(ctx, root))) return false;
  return scopeOf(ctx, fn).names.resolve(root, at).kind === 'global' && !addressTaken(fn, root);
}

const CAPITALS = /^[A-Z_][A-Z0-9_]*$/;

/** A file-scope declaration of the name in the file itself (`int FLAG;`, `extern int FLAG;`): a capitalised name without one is taken for a macro whose definition is not visible. */
function declaredInFile(ctx: FileContext, name: string): boolean {
  return ctx.remember(`declared-global:${name}`, () => new RegExp(`^[A-Za-z_][\\w \\t*]*\\b${name}[ \\t]*(?:\\[[^\\]\\n]*\\][ \\t]*)?[;=,]`, 'm').test(ctx.text));
}

/** `&root...` anywhere in the function: a pointer to the flag may be written through. */
function addressTaken(fn: SyntaxNode, root: string): boolean {
  return new RegExp(`(?<![&\\w])&\\s*\\(?\\s*${root}\\b`).test(fn.text);
}

/**
 * The parts of statement `t` that may run between entering it and reaching `inner` (which
 * it holds): a loop's whole text (it comes round), an `if`'s condition and, for a branch
 * that is no block, that branch; a block holds nothing more (its statements before `inner`
 * are the next level's); any other statement, all of it.
 */
function regionBefore(t: SyntaxNode, inner: SyntaxNode, depth = 0): SyntaxNode[] {
  if (LOOPS.has(t.type) || depth > 16) return [t];
  if (BLOCKS.has(t.type)) return [];
  if (t.type === 'if_statement' || t.type === 'switch_statement') {
    const condition = field(t, 'condition');
    if (!condition || contains(condition, inner)) return [condition ?? t];
    const branch = [field(t, 'consequence'), field(t, 'alternative'), field(t, 'body')].find((b) => b && contains(b, inner));
    return branch ? [condition, ...regionBefore(branch, inner, depth + 1)] : [t];
  }
  if (t.type === 'else_clause') {
    const only = t.namedChildren.find((c) => c && contains(c, inner));
    return only ? regionBefore(only, inner, depth + 1) : [t];
  }
  return [t];
}

/** The nearest ancestor (or `node`) whose parent is a block. */
function statementIn(node: SyntaxNode, stop: SyntaxNode): SyntaxNode | undefined {
  for (let n: SyntaxNode | null = node; n && n.id !== stop.id; n = n.parent) if (n.parent && BLOCKS.has(n.parent.type)) return n;
  return undefined;
}

function hasLabel(fn: SyntaxNode, node: SyntaxNode): boolean {
  return LABELS.has(node.type) || descendantsWithin(fn, node, LABELS).length > 0;
}

/**
 * The facts that hold at `call` in `fn`: a `path = CONSTANT;` statement of a block that
 * holds the call's statement (or an enclosing one), earlier in it, with nothing between
 * them (the statements after it, the call's own statement up to the call, a loop around
 * the call) that writes the path, a part of it or a path it is part of (directly, through a
 * callee, or by passing its address), and no label between that a `goto` could enter by.
 * The function must not take the flag's address anywhere. The call's own effects do not
 * count: the callee is judged with the facts and drops those it writes itself.
 */
export function flagsAtCall(ctx: FileContext, fn: SyntaxNode, call: SyntaxNode, afterFork?: ForkWrapperFacts): FlagFacts {
  const assignments = flagAssignments(ctx, fn);
  if (!assignments.size && !afterFork) return NONE;
  const body = ctx.adapter.functionBody(fn);
  if (!body) return NONE;
  return ctx.remember(`flags-at:${fn.id}:${call.id}:${afterFork ? afterFork.wrapperCall.id : ''}`, () => {
    // Cheap first: the assignments above the call (and the fork's) whose path the callee tests.
    const name = plainCallee(ctx, call);
    const defs = name && !shadows(ctx, fn, name) ? definitionsOf(ctx, name) : [];
    if (!defs.length) return NONE;
    const holdsFork = (n: SyntaxNode) => !!afterFork && contains(n, afterFork.fork);
    const candidates = new Set<string>();
    for (let t = statementIn(call, body); t && t.type !== 'case_statement'; ) {
      if (holdsFork(t)) for (const p of afterFork!.facts.keys()) candidates.add(p);
      for (let s = t.previousNamedSibling; s; s = s.previousNamedSibling) {
        const a = assignments.get(s.id);
        if (a) candidates.add(a.path);
        if (holdsFork(s)) for (const p of afterFork!.facts.keys()) candidates.add(p);
      }
      if (t.parent!.id === body.id) break;
      t = statementIn(t.parent!, body);
    }
    const tested = [...candidates].filter((p) => defs.some((d) => relevantFacts(ctx, d.ctx, d.fn, new Map([[p, 0n]])).size > 0));
    if (!tested.length) return NONE;
    const facts = new Map<string, bigint>();
    const decided = new Set<string>();
    // The fork's facts are not set again when a loop comes round without forking: a write anywhere in a loop around them undoes them.
    const fromFork = new Set<string>();
    const except = afterFork ? [call, afterFork.wrapperCall] : [call];
    const kill = (node: SyntaxNode) => {
      for (const p of tested) if (!decided.has(p) && writesPath(ctx, fn, node, p, except, afterFork?.wrapper)) decided.add(p);
    };
    const setFork = () => {
      for (const [p, v] of afterFork!.facts) if (tested.includes(p) && !decided.has(p) && !facts.has(p)) {
        facts.set(p, v);
        fromFork.add(p);
      }
    };
    for (let t = statementIn(call, body); t; ) {
      const block = t.parent!;
      if (hasLabel(fn, t) || t.type === 'case_statement') break;
      if (LOOPS.has(t.type)) for (const p of fromFork) if (writesPath(ctx, fn, t, p, except, afterFork?.wrapper)) facts.delete(p);
      for (const n of regionBefore(t, call)) kill(n);
      if (holdsFork(t)) setFork();
      let stopped = false;
      for (let s = t.previousNamedSibling; s; s = s.previousNamedSibling) {
        if (s.type === 'comment') continue;
        if (hasLabel(fn, s)) {
          stopped = true;
          break;
        }
        const a = assignments.get(s.id);
        if (a && tested.includes(a.path) && !decided.has(a.path) && !facts.has(a.path)) facts.set(a.path, a.value);
        kill(s);
        if (holdsFork(s)) setFork();
      }
      if (stopped || block.id === body.id) break;
      t = statementIn(block, body);
    }
    return facts.size ? facts : NONE;
  });
}

// ----- set by a fork wrapper: `xvforkwrap(vfork())` ----------------------------------------

/** What a fork wrapper sets on the child's side: the call of it around the fork, and the facts. */
export interface ForkWrapperFacts {
  /** The fork call (the site's). */
  fork: SyntaxNode;
  /** The call of the wrapper (or the macro use that expands to it), whose own writes are the facts. */
  wrapperCall: SyntaxNode;
  /** The wrapper's name. */
  wrapper: string;
  facts: FlagFacts;
}

/** `!p`, `p == 0`, `0 == p` (parentheses and blanks aside): the side where the fork result `p` is the child's 0. */
function childTest(condition: SyntaxNode, p: string): boolean {
  const t = squeeze(condition.text).replace(/^\((.*)\)$/, '$1');
  return t === `!${p}` || t === `!(${p})` || t === `${p}==0` || t === `0==${p}` || t === `(${p})==0`;
}

/**
 * The facts a function that receives a fork result sets on the child's side (toybox's
 * `xvforkwrap(pid)`: `if (!pid) toys.stacktop = 0; return pid;`): a statement of its
 * body's own block `if (!p) path = CONSTANT;` (or a block of such assignments, no `else`)
 * on a parameter it never changes, with no `return`, `goto` or label before it, and nothing
 * after it that may write the path. They hold when the call returns to the child.
 */
function wrapperChildFacts(ctx: FileContext, fn: SyntaxNode, index: number): FlagFacts {
  return ctx.remember(`wrapper-child-facts:${fn.id}:${index}`, () => {
    const body = ctx.adapter.functionBody(fn);
    const p = ctx.adapter.parameters(fn)[index]?.name;
    if (!body || !p || ctx.adapter.language !== 'c' || !variableUnchanged(ctx, fn, p)) return NONE;
    const statements = body.namedChildren.filter((n): n is SyntaxNode => !!n && n.type !== 'comment');
    for (let k = 0; k < statements.length; k++) {
      const s = statements[k];
      if (descendantsWithin(fn, s, JUMPS).length || JUMPS.has(s.type)) return NONE;
      const condition = field(s, 'condition');
      const then = field(s, 'consequence');
      if (s.type !== 'if_statement' || field(s, 'alternative') || !condition || !then || !childTest(condition, p)) continue;
      const assigned = then.type === 'compound_statement' ? then.namedChildren.filter((n): n is SyntaxNode => !!n && n.type !== 'comment') : [then];
      const facts = new Map<string, bigint>();
      for (const a of assigned) {
        const e = a.type === 'expression_statement' ? a.namedChild(0) : null;
        const left = e && e.type === 'assignment_expression' && operatorOf(e) === '=' ? field(e, 'left') : undefined;
        const right = e && field(e, 'right');
        const path = left ? squeeze(left.text) : '';
        const value = right ? constantOf(ctx, right) : undefined;
        if (!left || !PATH.test(path) || value === undefined || !flagRoot(ctx, fn, rootOf(path), left)) return NONE;
        facts.set(path, value);
      }
      const later = statements.slice(k + 1);
      for (const path of [...facts.keys()]) if (later.some((l) => writesPath(ctx, fn, l, path))) facts.delete(path);
      return facts.size ? facts : NONE;
    }
    return NONE;
  });
}

const JUMPS = new Set(['return_statement', 'goto_statement', 'labeled_statement']);
const WRAPPED_FORK = /^\s*\(*\s*([A-Za-z_]\w*)\s*\(\s*\(*\s*([A-Za-z_]\w*)\s*\(\s*\)\s*\)*\s*\)\s*\)*\s*$/;

/**
 * A fork site whose result goes straight into a wrapper that sets facts on the child's
 * side: `xvforkwrap(vfork())` written out, or a macro use expanding to it (`XVFORK()`).
 * The wrapper is a function of this file or of the project; with several definitions, the
 * facts all of them set alike.
 */
export function forkWrapperFacts(ctx: FileContext, fork: SyntaxNode): ForkWrapperFacts | undefined {
  if (ctx.adapter.language !== 'c') return undefined;
  return ctx.remember(`fork-wrapper:${fork.id}`, () => {
    let wrapperCall: SyntaxNode | undefined;
    let name: string | undefined;
    let index = 0;
    let up: SyntaxNode | null = fork.parent;
    while (up?.type === 'parenthesized_expression') up = up.parent;
    if (up?.type === 'argument_list' && up.parent?.type === ctx.adapter.callType) {
      const f = up.parent.childForFieldName('function');
      const args = up.namedChildren.filter((n): n is SyntaxNode => !!n && n.type !== 'comment');
      index = args.findIndex((a) => contains(a, fork));
      if (f?.type === 'identifier' && index >= 0) [wrapperCall, name] = [up.parent, f.text];
    } else {
      const reading = expandedMacro(ctx, fork);
      const m = reading && WRAPPED_FORK.exec(reading.use.code.expansion.text);
      if (m && reading.summary.forks.length === 1 && reading.summary.forks[0].spelling === m[2]) [wrapperCall, name] = [fork, m[1]];
    }
    if (!wrapperCall || !name) return undefined;
    const defs = definitionsOf(ctx, name);
    if (!defs.length) return undefined;
    const each = defs.map((d) => sameObjects(d.ctx, ctx, wrapperChildFacts(d.ctx, d.fn, index)));
    const facts = new Map([...each[0]].filter(([p, v]) => each.every((f) => f.get(p) === v)));
    return facts.size ? { fork, wrapperCall, wrapper: name, facts } : undefined;
  });
}

// ----- what may write a fact --------------------------------------------------------------

/** A `#define` of the file whose body names the variable beside `=`, `++`, `--` or `&`: its uses may write it. */
function macroMayWrite(ctx: FileContext, root: string): boolean {
  return ctx.remember(`macro-writes:${root}`, () => new RegExp(`^[ \\t]*#[ \\t]*define\\b.*(?:(?<![&\\w])&\\s*\\(?\\s*${root}\\b|\\b${root}\\b[^;,)]*(?:[^=!<>]=(?!=)|\\+\\+|--)|(?:\\+\\+|--)\\s*${root}\\b)`, 'm').test(ctx.text));
}

/** Does `node` itself (not its calls) assign, increment or take the address of the path, a part of it or a path it is part of? */
function changesPath(fn: SyntaxNode, node: SyntaxNode, path: string): boolean {
  return changedTargetsIn(fn, node).some((t) => {
    const text = squeeze(t.text).replace(/^\(+|\)+$/g, '');
    return pathsOverlap(text, path);
  });
}

/**
 * May evaluating `node` (in `fn`) change the path: a write, an increment or `&` on it in
 * the code, a use of a macro of the file that may write it, or a call (other than those in `except`, and
 * calls of `exceptName` a macro use around one of those makes)
 * of a function of this file or of the project that may, a call chain of any length down.
 * Calls through pointers and functions the project does not define are taken not to.
 */
function writesPath(ctx: FileContext, fn: SyntaxNode, node: SyntaxNode, path: string, except: readonly SyntaxNode[] = [], exceptName?: string): boolean {
  if (changesPath(fn, node, path)) return true;
  const root = rootOf(path);
  if (macroMayWrite(ctx, root) && new RegExp(`\\b[A-Z_][A-Z0-9_]*\\b`).test(node.text)) return true;
  const functionMayWrite = (name: string) => definitionsOf(ctx, name).some((d) => sameObjects(ctx, d.ctx, new Map([[path, 0n]])).size > 0 && functionWritesPath(d.ctx, d.fn, path));
  for (const c of descendantsWithin(fn, node, new Set([ctx.adapter.callType]))) {
    if (except.some((e) => e.id === c.id)) continue;
    const f = c.childForFieldName('function');
    if (f?.type !== 'identifier' || shadows(ctx, fn, f.text)) continue;
    // A macro (of the file or a header): what its expansion writes and the functions it calls.
    const macro = expandedMacro(ctx, c);
    if (macro) {
      if (macro.summary.writes.some((w) => !w.dead && !w.local && pathsOverlap(squeeze(w.lvalue).replace(/^\(+|\)+$/g, ''), path))) return true;
      // A macro whose arguments hold an excepted call (`NOEXIT(child = XVFORK())`) calls that call's function through them.
      const skip = exceptName !== undefined && except.some((e) => contains(c, e)) ? exceptName : undefined;
      if (macro.summary.calls.some((m) => !m.dead && m.direct && m.name !== skip && functionMayWrite(m.name))) return true;
      continue;
    }
    if (functionMayWrite(f.text)) return true;
  }
  return false;
}

/**
 * The `functionWritesPath` computations under way, each with the lowest of them it met
 * again (a cycle) and the "no" answers that rest on it, settled when it is.
 */
const writesPathFrames: Array<{ low: number; pending: Array<[FileContext, string]> }> = [];

/**
 * May a call of `fn` change the path (transitively)? Remembered per function and path. A
 * function met again while under way (recursion) counts as not writing there: what its own
 * body writes is seen by its first computation. A "no" that rests on a computation still
 * under way further up is settled with it: the first member of a cycle has seen all of it,
 * so its answer is every member's (a "yes" of a member is kept at once).
 */
function functionWritesPath(ctx: FileContext, fn: SyntaxNode, path: string): boolean {
  const key = `writes-path:${fn.id}:${path}`;
  const memo = ctx.memo.get(key);
  if (memo === true || memo === false) return memo;
  if (typeof memo === 'number') {
    const top = writesPathFrames[writesPathFrames.length - 1];
    if (top) top.low = Math.min(top.low, memo);
    return false;
  }
  if (!summaryRoom()) return true;
  const body = ctx.adapter.functionBody(fn);
  if (!body || shadows(ctx, fn, rootOf(path))) return false;
  const me = writesPathFrames.length;
  ctx.memo.set(key, me);
  const frame = { low: me, pending: [] as Array<[FileContext, string]> };
  writesPathFrames.push(frame);
  let result = true;
  try {
    result = nestedSummary(() => writesPath(ctx, fn, body, path), () => true);
  } finally {
    writesPathFrames.pop();
    const parent = writesPathFrames[writesPathFrames.length - 1];
    if (parent) parent.low = Math.min(parent.low, frame.low);
    if (!result && frame.low < me) {
      // Rests on a computation further up: settled with it.
      ctx.memo.set(key, frame.low);
      writesPathFrames[frame.low].pending.push(...frame.pending, [ctx, key]);
    } else {
      ctx.memo.set(key, result);
      for (const [c, k] of frame.pending) c.memo.set(k, result);
    }
  }
  return result;
}

// ----- reading a callee with the facts ---------------------------------------------------

/** The facts that mean the same object in `to` as in `from`: a file-local (`static`) global of either file is another object elsewhere. */
function sameObjects(from: FileContext, to: FileContext, facts: FlagFacts): FlagFacts {
  if (from === to) return facts;
  const isStatic = (ctx: FileContext, root: string) => ctx.remember(`static-name:${root}`, () => new RegExp(`^[ \\t]*static\\b[^;(=]*\\b${root}\\b`, 'm').test(ctx.text));
  const out = new Map([...facts].filter(([p]) => !isStatic(from, rootOf(p)) && !isStatic(to, rootOf(p))));
  return out.size === facts.size ? facts : out;
}

/** Names `fn` declares (parameters and locals of any block): a global of that name is hidden in it. */
function shadows(ctx: FileContext, fn: SyntaxNode, root: string): boolean {
  const names = ctx.remember(`declared-names:${fn.id}`, () => {
    const body = ctx.adapter.functionBody(fn);
    return new Set([...ctx.adapter.parameters(fn).map((p) => p.name), ...(body ? ctx.adapter.localDeclarations(body).map((d) => d.name) : [])]);
  });
  return names.has(root);
}

function pathPattern(path: string): string {
  const parts = path.split(/(\.|->)/);
  return parts.map((p) => (p === '.' ? '\\s*\\.\\s*' : p === '->' ? '\\s*->\\s*' : p)).join('');
}

function pathRegExp(path: string): RegExp {
  return new RegExp(`(?<![\\w.>])${pathPattern(path)}(?!\\s*(?:\\.|->|\\[|\\())(?!\\w)`, 'g');
}

/** The texts of `fn`'s conditions (`if`, loops, `switch`, `?:`). */
function conditionTexts(ctx: FileContext, fn: SyntaxNode): readonly string[] {
  return ctx.remember(`condition-texts:${fn.id}`, () => {
    const body = ctx.adapter.functionBody(fn);
    if (!body) return [];
    return descendantsWithin(fn, body, TESTS).map((n) => n.childForFieldName('condition')?.text ?? '').filter((t) => t && t.length < 2000);
  });
}

/** The definitions a call by name reaches: this file's function, or the project's (none for a macro or a listed name). */
function definitionsOf(ctx: FileContext, name: string): Array<{ ctx: FileContext; fn: SyntaxNode; name: string }> {
  if (judgedByTheLists(name) || ctx.mayBeMacro(name)) return [];
  const own = ctx.functionNamed(name);
  if (own) return [{ ctx, fn: own, name }];
  return ctx.project?.resolve(name)?.definitions.map((d) => ({ ctx: d.ctx, fn: d.fn, name: d.name })) ?? [];
}

/** The names `fn` calls directly. */
function calledNames(ctx: FileContext, fn: SyntaxNode): readonly string[] {
  return ctx.remember(`called-names:${fn.id}`, () => {
    const body = ctx.adapter.functionBody(fn);
    if (!body) return [];
    const names = new Set<string>();
    for (const c of descendantsWithin(fn, body, new Set([ctx.adapter.callType]))) {
      const f = c.childForFieldName('function');
      if (f?.type === 'identifier') names.add(f.text);
    }
    return [...names];
  });
}

/** Does `fn`, or a function it calls (a few calls down), test `path`? */
function testsPath(ctx: FileContext, fn: SyntaxNode, path: string, depth: number): boolean {
  if (shadows(ctx, fn, rootOf(path))) return false;
  return ctx.remember(`tests-path:${fn.id}:${path}:${depth}`, () => {
    const re = pathRegExp(path);
    if (conditionTexts(ctx, fn).some((t) => { re.lastIndex = 0; return re.test(t); })) return true;
    if (depth <= 0) return false;
    return calledNames(ctx, fn).some((n) => definitionsOf(ctx, n).some((d) => sameObjects(ctx, d.ctx, new Map([[path, 0n]])).size > 0 && testsPath(d.ctx, d.fn, path, depth - 1)));
  });
}

/** The facts a callee's summary is keyed by: those it (or a callee of it) tests, meaning the same objects there. */
function relevantFacts(from: FileContext, to: FileContext, fn: SyntaxNode, facts: FlagFacts): FlagFacts {
  const same = sameObjects(from, to, facts);
  const out = new Map([...same].filter(([p]) => testsPath(to, fn, p, RELEVANCE_DEPTH)));
  return out.size ? out : NONE;
}

/** A condition with the facts' paths read as their constants (and the file's macros): `flag && !strchr(...)` with `flag` 0 is false. */
function conditionUnder(ctx: FileContext, condition: SyntaxNode, facts: FlagFacts): boolean | undefined {
  if (condition.text.length > 2000 || ![...facts.keys()].some((p) => pathRegExp(p).test(condition.text))) return undefined;
  return truthUnder(ctx, condition, facts, 0);
}

function truthUnder(ctx: FileContext, node: SyntaxNode, facts: FlagFacts, depth: number): boolean | undefined {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
  if (depth > 32) return undefined;
  if (n.type === 'unary_expression' && operatorOf(n) === '!') {
    const inner = field(n, 'argument');
    const v = inner && truthUnder(ctx, inner, facts, depth + 1);
    return v === undefined || v === null ? undefined : !v;
  }
  if (n.type === 'binary_expression' && (operatorOf(n) === '&&' || operatorOf(n) === '||')) {
    const l = field(n, 'left');
    const r = field(n, 'right');
    const a = l ? truthUnder(ctx, l, facts, depth + 1) : undefined;
    const b = r ? truthUnder(ctx, r, facts, depth + 1) : undefined;
    if (operatorOf(n) === '&&') return a === false || b === false ? false : a === true && b === true ? true : undefined;
    return a === true || b === true ? true : a === false && b === false ? false : undefined;
  }
  let text = n.text;
  let bound = false;
  for (const [path, value] of facts) {
    if (pathRegExp(path).test(text)) {
      bound = true;
      text = text.replace(pathRegExp(path), `(${value})`);
    }
  }
  if (!bound) return undefined;
  const v = ctx.macros ? constantAt(ctx.macros, text, n.startIndex) : constantValue(text);
  return v === undefined ? undefined : v !== 0n;
}

interface Reading {
  flow: ReturnType<typeof analyseFlow>;
  facts: FlagFacts;
}

/**
 * `fn`'s flow with its tests of the facts decided, from `initialMask`. A fact the code so
 * reached writes (itself, through a callee, or by taking its address) is dropped and the
 * flow read again: what remains holds on every path of the call.
 */
function readUnder(ctx: FileContext, fn: SyntaxNode, body: SyntaxNode, facts: FlagFacts, initialMask: number, depth: number): Reading | undefined {
  let current = facts;
  for (let round = 0; round < 4 && current.size; round++) {
    const input = macroFlowInput(ctx, fn);
    const plain = input.constantCondition;
    const f = current;
    const flow = analyseFlow({
      adapter: ctx.viewAdapter,
      body,
      initialMask,
      endsPath: (s, last) => endsPathUnder(ctx, fn, s, last, f, depth + 1),
      isExec: (c) => isExecCall(ctx, c),
      ...input,
      constantCondition: (c) => conditionUnder(ctx, c, f) ?? plain?.(c),
    });
    const written = new Set<string>();
    for (const e of flow.evaluations.values()) {
      if (!e.mask) continue;
      for (const p of f.keys()) if (!written.has(p) && writesPath(ctx, fn, e.node, p)) written.add(p);
    }
    if (!written.size) return { flow, facts: f };
    current = new Map([...f].filter(([p]) => !written.has(p)));
  }
  return undefined;
}

const underWay = new Set<string>();

/** A callee's verdict with the facts (restricted to those it tests): chain starts with `name`. */
function functionVerdictUnder(ctx: FileContext, fn: SyntaxNode, name: string, facts: FlagFacts, depth: number): CallVerdict | undefined {
  const key = `verdict-under:${fn.id}:${keyOf(facts)}`;
  const id = `${ctx.project?.file ?? ''}:${key}`;
  if (underWay.has(id)) return { kind: 'safe' }; // recursion: judged by the outer call
  if (!ctx.memo.has(key) && !summaryRoom()) return undefined;
  underWay.add(id);
  try {
    const v = ctx.remember(key, () => nestedSummary(() => {
      const body = ctx.adapter.functionBody(fn);
      const read = body && readUnder(ctx, fn, body, facts, CHILD, depth);
      if (!body || !read) return undefined;
      let unknown: CallVerdict | undefined;
      let leaves: CallVerdict | undefined;
      for (const e of read.flow.evaluations.values()) {
        if (!e.mask) continue;
        for (const call of callsIn(ctx, e.node, body)) {
          const cv = verdictUnder(ctx, fn, call, read.facts, depth + 1);
          if (cv.kind === 'unsafe') return cv;
          if (cv.kind === 'unknown' && !unknown) unknown = cv;
          if (cv.kind === 'leavesFrame' && !leaves) leaves = cv;
        }
      }
      return leaves ?? unknown ?? ({ kind: 'safe' } as CallVerdict);
    }, () => undefined));
    if (!v) return undefined;
    return v.kind === 'unsafe' || v.kind === 'unknown' || v.kind === 'leavesFrame' ? { ...v, chain: [name, ...v.chain] } : v;
  } finally {
    underWay.delete(id);
  }
}

/** The callee name of a call by plain name that is no macro use, or undefined. */
function plainCallee(ctx: FileContext, call: SyntaxNode): string | undefined {
  if (ctx.adapter.language !== 'c' || !ctx.adapter.calleeIsName(call) || expandedMacro(ctx, call)) return undefined;
  const f = call.childForFieldName('function');
  return f?.type === 'identifier' ? f.text : undefined;
}

/**
 * The verdict of a call in `enclosing` (a child path) with the facts that hold there: a
 * function of this file or of the project judged with its tests of them decided; any other
 * call as `classifyCall` judges it.
 */
export function verdictUnder(ctx: FileContext, enclosing: SyntaxNode, call: SyntaxNode, facts: FlagFacts, depth = 0): CallVerdict {
  const plain = classifyCall(ctx, call, enclosing, depth);
  if (!facts.size || plain.kind === 'safe' || plain.kind === 'macro') return plain;
  const name = plainCallee(ctx, call);
  const defs = name && !(ctx.config.safeFunctions ?? []).includes(name) ? definitionsOf(ctx, name) : [];
  if (!defs.length || defs.some((d) => shadows(ctx, enclosing, d.name))) return plain;
  const verdicts: CallVerdict[] = [];
  for (const d of defs) {
    const relevant = relevantFacts(ctx, d.ctx, d.fn, facts);
    if (!relevant.size) return plain;
    const v = functionVerdictUnder(d.ctx, d.fn, d.name, relevant, depth + 1);
    if (!v) return plain;
    verdicts.push(d.name === name || !('chain' in v) ? v : { ...v, chain: [name!, ...v.chain] });
  }
  return worstVerdict(verdicts);
}

/** Does the function never return, its tests of the facts decided? Remembered per function and facts. */
function neverReturnsUnder(ctx: FileContext, fn: SyntaxNode, facts: FlagFacts, depth: number): boolean {
  const key = `noreturn-under:${fn.id}:${keyOf(facts)}`;
  const id = `${ctx.project?.file ?? ''}:${key}`;
  if (underWay.has(id) || (!ctx.memo.has(key) && !summaryRoom())) return false; // a callee under way counts as returning here
  underWay.add(id);
  try {
    return ctx.remember(key, () => nestedSummary(() => {
      const body = ctx.adapter.functionBody(fn);
      const read = body && readUnder(ctx, fn, body, facts, PRE, depth);
      if (!read) return false;
      const { flow } = read;
      const returns = [...flow.statements.values()].some((s) => s.role === 'return' && s.mask !== 0) || [...(flow.macroReturns?.values() ?? [])].some((s) => s.mask !== 0);
      return !flow.incomplete && flow.endMask === 0 && !returns;
    }, () => false));
  } finally {
    underWay.delete(id);
  }
}

/**
 * Does the statement end the path, with the facts that hold at it: as `statementEndsPath`
 * says, or a call of a function (this file's or the project's) every definition of which
 * never returns with its tests of the facts decided.
 */
export function endsPathUnder(ctx: FileContext, enclosing: SyntaxNode, statement: SyntaxNode, isLast: boolean, facts: FlagFacts, depth = 0): boolean {
  if (statementEndsPath(ctx, statement, isLast, depth)) return true;
  if (!facts.size) return false;
  const call = statementCall(ctx, statement);
  const name = call && plainCallee(ctx, call);
  if (!name || shadows(ctx, enclosing, name)) return false;
  const defs = definitionsOf(ctx, name);
  return defs.length > 0 && defs.every((d) => {
    const relevant = relevantFacts(ctx, d.ctx, d.fn, facts);
    return relevant.size > 0 && neverReturnsUnder(d.ctx, d.fn, relevant, depth + 1);
  });
}
