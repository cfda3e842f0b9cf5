/**
 * Which memory an expression writes, and whether the parent can still reach it:
 * globals and memory behind received pointers (shared), or the frame's own locals and
 * memory the function allocated (dangerous only if a parent path reads them).
 */
import type { LocalDeclaration } from '../language/adapter.js';
import type { FileContext, ProjectDefinition } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendants, descendantsWithin, field, fieldChildren, lastName, operatorOf } from '../syntax.js';
import { classifyCall, expandedMacro, factsOf, isUnknownMacroCall, syscallOf } from './calls.js';
import { macroUsesIn } from './macro-uses.js';
import { SYSCALLS } from './call-lists.js';
import { readOnlyParameterPositions } from './const-params.js';
import { goMethodName, isGoMethod } from './go-callee.js';
import { ownsPointee, pointerProvenance } from './fresh-memory.js';
import { nestedSummary, summaryRoom } from './nesting.js';
import { functionNames, type Binding, type FunctionNames } from './scopes.js';

export type WriteClass = 'shared' | 'frame' | 'owned';

export interface Write {
  /** The node to report: the assignment, the update, or the call passing an address. */
  node: SyntaxNode;
  /** The variable at the root of the target (`x` in `x->f[2]`). */
  root: string;
  /** Which variable that is (block-scoped locals of one name have different keys). */
  binding: string;
  targetText: string;
  cls: WriteClass;
  /** Through a pointer (`*p`, `p->f`, `p[i]`) rather than the variable itself. */
  indirect: boolean;
  /** Set when the write happens inside a same-file callee: the call chain. */
  chain?: string[];
  /** `&x` handed to a call that may write through it. */
  viaAddress?: boolean;
}

/** What a function knows about its own names. */
export interface Scope {
  fn: SyntaxNode;
  params: Map<string, { pointerLike: boolean; index: number }>;
  /** The first local declared under each name (block scoping: `names`). */
  locals: Map<string, LocalDeclaration>;
  /** Go named results: frame locals. */
  results: Set<string>;
  /** Block-scoped name resolution. */
  names: FunctionNames;
}

export function scopeOf(ctx: FileContext, fn: SyntaxNode): Scope {
  return ctx.remember(`scope:${fn.id}`, () => {
    const names = functionNames(ctx, fn);
    const body = ctx.adapter.functionBody(fn);
    return { fn, params: names.params, locals: body ? ctx.adapter.declaredLocals(body) : new Map(), results: names.results, names };
  });
}

export interface Target {
  root: string;
  binding: Binding;
  indirect: boolean;
  /** Indexing or selecting into a value-typed local (array/struct): still the frame. */
  throughValue: boolean;
}

function localValue(scope: Scope, id: SyntaxNode): boolean {
  const b = scope.names.resolve(id.text, id);
  return b.kind === 'local' && b.decl.storage === 'value';
}

/** Peel `x->f[i].g` down to its root variable. */
export function targetOf(node: SyntaxNode, scope: Scope): Target | undefined {
  let n: SyntaxNode | undefined = node;
  let indirect = false;
  let sawPointerStep = false;
  // Iterative and unbounded: each step goes one node down, so `x->a->...->a` of any length ends.
  while (n) {
    switch (n.type) {
      case 'identifier':
        return { root: n.text, binding: scope.names.resolve(n.text, n), indirect, throughValue: indirect && !sawPointerStep };
      case 'parenthesized_expression':
        n = n.namedChild(0) ?? undefined;
        break;
      case 'field_expression': {
        // C: `p->f` goes through a pointer; `s.f` stays in s.
        if (operatorOf(n) === '->') sawPointerStep = true;
        indirect = true;
        n = field(n, 'argument');
        break;
      }
      case 'subscript_expression':
      case 'index_expression': {
        const base = field(n, n.type === 'subscript_expression' ? 'argument' : 'operand');
        indirect = true;
        if (!(base?.type === 'identifier' && localValue(scope, base))) sawPointerStep = true;
        n = base;
        break;
      }
      case 'selector_expression': {
        const base = field(n, 'operand');
        indirect = true;
        if (base?.type === 'identifier') {
          const b = scope.names.resolve(base.text, base);
          if (b.kind === 'param' ? b.pointerLike : !(b.kind === 'local' && b.decl.storage === 'value')) sawPointerStep = true;
        } else sawPointerStep = true;
        n = base;
        break;
      }
      case 'pointer_expression':
        if (operatorOf(n) === '&') return undefined;
        indirect = true;
        sawPointerStep = true;
        n = field(n, 'argument');
        break;
      case 'unary_expression':
        if (operatorOf(n) !== '*') return undefined;
        indirect = true;
        sawPointerStep = true;
        n = field(n, 'operand');
        break;
      case 'cast_expression':
        n = field(n, 'value');
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** How the parent sees a write to `target` made in `scope`'s frame. */
export function classify(ctx: FileContext, target: Target, scope: Scope): WriteClass {
  const b = target.binding;
  switch (b.kind) {
    case 'param':
      return target.indirect && !target.throughValue ? 'shared' : 'frame';
    case 'result':
      return !target.indirect || target.throughValue ? 'frame' : 'shared';
    case 'local':
      if (!target.indirect || target.throughValue) return 'frame';
      if (ownsPointee(ctx, scope.names, b.decl)) return 'owned';
      return b.decl.storage === 'value' ? 'frame' : 'shared';
    default:
      return 'shared';
  }
}

/** `e` in `&e`, through parentheses, casts and Go conversions (`uintptr(unsafe.Pointer(&e))`). */
function addressOperand(ctx: FileContext, arg: SyntaxNode): SyntaxNode | undefined {
  const n = unwrap(ctx, arg);
  if (n && (n.type === 'pointer_expression' || n.type === 'unary_expression') && operatorOf(n) === '&') return field(n, n.type === 'pointer_expression' ? 'argument' : 'operand');
  return undefined;
}

function unwrap(ctx: FileContext, arg: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | undefined = arg;
  for (let i = 0; n && i < 10; i++) {
    if (n.type === 'parenthesized_expression') n = n.namedChild(0) ?? undefined;
    else if (n.type === 'cast_expression') n = field(n, 'value');
    else if (n.type === 'call_expression' && ctx.adapter.isConversion(n)) n = ctx.adapter.arguments(n)[0];
    else return n;
  }
  return n;
}

/**
 * The memory a pointer-valued argument designates, whatever its spelling: `&x` is x,
 * a local array `buf` (or `buf + 1`, Go's `buf[:]`) is that array, a pointer `p` (or
 * `p->msg`) is memory behind it.
 */
export function pointeeOf(ctx: FileContext, arg: SyntaxNode, scope: Scope): Target | undefined {
  let n = unwrap(ctx, arg);
  for (let i = 0; n && i < 10; i++) {
    if ((n.type === 'pointer_expression' || n.type === 'unary_expression') && operatorOf(n) === '&') {
      const inner = field(n, n.type === 'pointer_expression' ? 'argument' : 'operand');
      return inner ? targetOf(inner, scope) : undefined;
    }
    // Go `buf[i:j]` and C `buf + i` designate the same memory as `buf`.
    const inner = n.type === 'slice_expression' ? field(n, 'operand') : n.type === 'binary_expression' && /^[+-]$/.test(operatorOf(n)) ? field(n, 'left') : undefined;
    if (!inner) break;
    n = unwrap(ctx, inner);
  }
  if (!n) return undefined;
  const t = targetOf(n, scope);
  if (!t) return undefined;
  if (n.type === 'identifier') {
    // A plain number passed where the callee writes through a pointer (`ioctl(fd, VT_ACTIVATE, cc)`)
    // is no address of this frame or of anything the analysis tracks.
    if ((t.binding.kind === 'local' && t.binding.decl.scalar) || (t.binding.kind === 'param' && t.binding.scalar)) return undefined;
    return { ...t, indirect: true, throughValue: t.binding.kind === 'local' && t.binding.decl.storage === 'value' };
  }
  return { ...t, indirect: true };
}

type WrittenPositions = { positions?: readonly number[]; readOnly?: ReadonlySet<number>; chain?: string[]; calleeWrites?: CalleeWriteSummary };

/** Argument positions a call writes through, or undefined when unknown (then every address counts). Remembered per file. */
function writtenPositions(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode, depth: number): WrittenPositions {
  return ctx.remember(`written:${call.id}:${enclosing.id}`, () => writtenPositionsUncached(ctx, call, enclosing, depth));
}

function writtenPositionsUncached(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode, depth: number): WrittenPositions {
  const callee = ctx.calleeText(call);
  const nr = syscallOf(ctx, call);
  if (nr) return { positions: (SYSCALLS.get(nr)?.writes ?? []).map((p) => p + 1) };
  if (!callee) return {};
  const name = lastName(callee);
  const sameFile = ctx.adapter.calleeIsName(call) && ctx.functionNamed(name) !== undefined;
  const facts = sameFile ? undefined : factsOf(ctx, callee);
  if (facts) return { positions: facts.writes ?? [] };
  if ((ctx.config.safeFunctions ?? []).includes(name)) return { positions: [] };
  // Whether the callee is a macro of unknown definition is all this asks of the call's
  // verdict: a callee that is followed (its writes summarised) needs no verdict of its own.
  if (isUnknownMacroCall(ctx, call, enclosing)) return { positions: [] };
  const readOnly = ctx.adapter.calleeIsName(call) ? readOnlyParameterPositions(ctx, name) : new Set<number>();
  if (sameFile && summaryRoom()) {
    const summary = calleeWrites(ctx, name, depth + 1);
    return { positions: summary.paramPositions.filter((p) => !readOnly.has(p)), chain: [name], calleeWrites: summary };
  }
  // Another file of the project: what every definition that may run writes (RULES section 8).
  const remote = !sameFile && summaryRoom() && ctx.adapter.calleeIsName(call) ? ctx.project?.resolve(name) : undefined;
  if (remote?.definitions.length) {
    const summary = projectCalleeWrites(remote.definitions, name, depth + 1);
    return { positions: summary.paramPositions.filter((p) => !readOnly.has(p)), chain: [name], calleeWrites: summary };
  }
  if (classifyCall(ctx, call, enclosing, depth).kind === 'safe') return { positions: [] };
  return { readOnly };
}

export interface CalleeWriteSummary {
  paramPositions: number[];
  /**
   * What it writes to globals and other shared memory, as found: its own writes, and the
   * summaries of the callees whose writes it makes, by reference (`sharedWritesOf` lists
   * them, one write per target). A helper reaching half of a program would otherwise copy
   * the program's targets into the list of each of its callers, and theirs.
   */
  shared: readonly SharedWritePart[];
}

/**
 * One part of a summary's shared writes: a write of its own (with its chain), or a callee's
 * summary, whose writes count with `prefix` before their chains and, when `node` is set,
 * are reported at that call.
 */
type SharedWritePart = { write: Write } | { callee: CalleeWriteSummary; prefix: readonly string[]; node?: SyntaxNode };

const listedShared = new WeakMap<CalleeWriteSummary, readonly Write[]>();

/**
 * A summary's shared writes, one per target (the first found, with its chain): what the
 * eager lists held, built once per summary when asked. Do not modify the result.
 */
export function sharedWritesOf(summary: CalleeWriteSummary): readonly Write[] {
  let out = listedShared.get(summary);
  if (!out) {
    const list: Write[] = [];
    listShared(summary, [], undefined, new Set(), new Set(), list);
    listedShared.set(summary, (out = list));
  }
  return out;
}

/**
 * The writes of `summary`, in the order they were found, each target once (`seen`), with
 * `prefix` before their chains and `node` for the place. A callee's summary is listed once:
 * listed again, its targets are all in `seen` already. Summaries refer only to summaries
 * finished before them (a callee under way is referred to by its empty stand-in), so this
 * ends.
 */
function listShared(summary: CalleeWriteSummary, prefix: readonly string[], node: SyntaxNode | undefined, seen: Set<string>, listed: Set<CalleeWriteSummary>, out: Write[]): void {
  for (const part of summary.shared) {
    if ('write' in part) {
      const w = part.write;
      if (!firstOfTarget(seen, w)) continue;
      out.push(prefix.length || node ? { ...w, ...(node ? { node } : {}), chain: [...prefix, ...(w.chain ?? [])] } : w);
    } else if (!listed.has(part.callee)) {
      listed.add(part.callee);
      listShared(part.callee, [...prefix, ...part.prefix], node ?? part.node, seen, listed, out);
    }
  }
}

/** What the definitions of a callee in other files write, together (any of them may run). */
export function projectCalleeWrites(definitions: readonly ProjectDefinition[], name: string, depth = 0): CalleeWriteSummary {
  const positions = new Set<number>();
  const shared: SharedWritePart[] = [];
  for (const d of definitions) {
    const s = calleeWrites(d.ctx, d.name, depth);
    for (const p of s.paramPositions) positions.add(p);
    shared.push({ callee: s, prefix: d.name === name ? [] : [name] });
  }
  return { paramPositions: [...positions].sort((a, b) => a - b), shared };
}

/**
 * Is `w` the first write to its target among those `seen` (which it joins)? A summary keeps
 * one write per target (the first found, with its chain): it says what a callee writes, not
 * every path to it; a helper that calls another six times, which calls a third six times,
 * would otherwise carry 6^n copies of the third's write.
 */
function firstOfTarget(seen: Set<string>, w: Write): boolean {
  const key = `${w.binding}\0${w.targetText}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** Writes a same-file callee makes to globals and through its parameters. */
export function calleeWrites(ctx: FileContext, name: string, depth: number): CalleeWriteSummary {
  return ctx.rememberRecursive<CalleeWriteSummary>(`writes:${name}`, { paramPositions: [], shared: [] }, () => nestedSummary(() => {
    const fn = ctx.functionNamed(name)!;
    const body = ctx.adapter.functionBody(fn);
    const scope = scopeOf(ctx, fn);
    const positions = new Set<number>();
    const shared: SharedWritePart[] = [];
    // One write of its own per target (firstOfTarget), found before its chain is copied.
    const targets = new Set<string>();
    if (body) {
      for (const w of writesFound(ctx, body, scope, depth)) {
        if ('callee' in w) {
          // A callee's shared writes are shared here too (none is bound to a parameter or a
          // local of this function): referred to, listed when asked (sharedWritesOf).
          shared.push({ callee: w.callee, prefix: [name], node: w.node });
          continue;
        }
        const param = w.binding.startsWith('param:') ? scope.params.get(w.root) : undefined;
        if (param && w.indirect) positions.add(param.index);
        else if (w.cls === 'shared' && !param) {
          // `char *d = dst; *d++ = c;`: through a local copy of a parameter is through the parameter.
          const through = w.indirect ? parametersBehindLocal(ctx, scope, w) : undefined;
          if (through) for (const p of through) positions.add(p);
          else if (firstOfTarget(targets, w)) shared.push({ write: { ...w, chain: [name, ...(w.chain ?? [])] } });
        }
      }
    }
    return { paramPositions: [...positions], shared };
  }, () => ({ paramPositions: [], shared: [] })));
}

/** The parameters a local pointer may point behind, when it points nowhere else (its own memory aside). */
function parametersBehindLocal(ctx: FileContext, scope: Scope, w: Write): number[] | undefined {
  if (!w.binding.startsWith('local:')) return undefined;
  const decl = scope.names.localsNamed(w.root).find((d) => w.binding === `local:${d.node.id}:${w.root}`);
  if (!decl) return undefined;
  const p = pointerProvenance(ctx, scope.names, decl);
  return !p.other && p.params.length ? p.params : undefined;
}

const WRITE_NODES = new Set(['assignment_expression', 'update_expression', 'assignment_statement', 'inc_statement', 'dec_statement', 'call_expression']);
const READ_NODES = new Set(['identifier', 'assignment_expression', 'assignment_statement']);

/**
 * Every write an expression or statement performs, classified for `scope`. Remembered per
 * file (every fork site of a function asks about the same statements): do not modify the result.
 */
export function writesIn(ctx: FileContext, node: SyntaxNode, scope: Scope, depth = 0): readonly Write[] {
  return ctx.remember(`writesIn:${node.id}:${scope.fn.id}`, () => {
    const out: Write[] = [];
    for (const w of writesFound(ctx, node, scope, depth)) {
      if (!('callee' in w)) out.push(w);
      // Globals the callee writes itself, reported at the call.
      else for (const c of sharedWritesOf(w.callee)) out.push({ ...c, node: w.node });
    }
    return out;
  });
}

/**
 * Where `writesIn(node)`'s first write to `targetText` is made: the write's node, or the
 * call whose callee writes it (found without listing the callees' writes).
 */
export function firstWriteTo(ctx: FileContext, node: SyntaxNode, scope: Scope, targetText: string): SyntaxNode | undefined {
  for (const w of writesFound(ctx, node, scope, 0)) {
    if ('callee' in w ? writesTarget(w.callee, targetText, new Set()) : w.targetText === targetText) return w.node;
  }
  return undefined;
}

/** Does a summary list a write to `targetText`? */
function writesTarget(summary: CalleeWriteSummary, targetText: string, looked: Set<CalleeWriteSummary>): boolean {
  for (const part of summary.shared) {
    if ('write' in part) {
      if (part.write.targetText === targetText) return true;
    } else if (!looked.has(part.callee)) {
      looked.add(part.callee);
      if (writesTarget(part.callee, targetText, looked)) return true;
    }
  }
  return false;
}

/** A call's callee's shared writes, in `writesFound`'s list as one entry. */
interface CalleeWritesAt {
  node: SyntaxNode;
  callee: CalleeWriteSummary;
}

/** `writesIn` with each call's callee writes as one entry (summaries refer to them instead of copying them). Remembered per file. */
function writesFound(ctx: FileContext, node: SyntaxNode, scope: Scope, depth: number): ReadonlyArray<Write | CalleeWritesAt> {
  return ctx.remember(`writesFound:${node.id}:${scope.fn.id}`, () => writesFoundUncached(ctx, node, scope, depth));
}

function writesFoundUncached(ctx: FileContext, node: SyntaxNode, scope: Scope, depth: number): Array<Write | CalleeWritesAt> {
  const out: Array<Write | CalleeWritesAt> = [];
  const push = (reportAt: SyntaxNode, t: Target | undefined, text: string, extra: Partial<Write> = {}) => {
    // `errno` is per thread and means nothing in the parent after a fork that succeeded.
    if (!t || t.root === '_' || t.root === 'errno') return;
    out.push({ node: reportAt, root: t.root, binding: t.binding.key, targetText: withoutOuterParentheses(text), cls: classify(ctx, t, scope), indirect: t.indirect && !t.throughValue, ...extra });
  };
  const add = (reportAt: SyntaxNode, targetNode: SyntaxNode, extra: Partial<Write> = {}) => push(reportAt, targetOf(targetNode, scope), targetNode.text, extra);
  for (const n of descendantsWithin(scope.fn, node, WRITE_NODES, ctx.adapter.closureTypes)) {
    switch (n.type) {
      case 'assignment_expression': {
        const left = field(n, 'left');
        if (left && !declarationNotWrite(ctx, n, left)) add(n, left);
        break;
      }
      case 'update_expression': {
        const arg = field(n, 'argument');
        if (arg) add(n, arg);
        break;
      }
      case 'assignment_statement': {
        const left = field(n, 'left');
        for (const l of left ? codeChildren(left) : []) add(n, l);
        break;
      }
      case 'inc_statement':
      case 'dec_statement': {
        const arg = n.namedChild(0);
        if (arg) add(n, arg);
        break;
      }
      case 'call_expression':
        callWrites(ctx, n, scope, depth, push, (w) => out.push(w));
        macroWrites(ctx, n, scope, push);
        break;
      default:
        break;
    }
  }
  // Object-like macros whose body writes (`#define RESET_STATE (state = 0)`).
  for (const id of macroUsesIn(ctx, node, scope.fn)) macroWrites(ctx, id, scope, push);
  return out;
}

/** `(X)` as a macro body writes it (`#define m_free(X) do { ...; (X) = NULL; } while (0)`), named as `X`. */
function withoutOuterParentheses(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')')) {
    let depth = 0;
    let closesFirst = -1;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')' && --depth === 0) {
        closesFirst = i;
        break;
      }
    }
    if (closesFirst !== t.length - 1) break;
    t = t.slice(1, -1).trim();
  }
  return t;
}

/**
 * `x[] ALIGN1 = "..."`, `y FAST_FUNC = 0`: the parser, not knowing the attribute macro,
 * reads the declaration's initialiser as an assignment to the macro's name. A declaration
 * writes only the variable it declares (a local, or a static the parent never had a view
 * of before), never a shared object: such an "assignment" whose target is a macro with no
 * code, or which sits in a declaration, is no write.
 */
function declarationNotWrite(ctx: FileContext, assignment: SyntaxNode, left: SyntaxNode): boolean {
  if (left.type !== 'identifier' || ctx.adapter.language !== 'c') return false;
  const macro = expandedMacro(ctx, left);
  if (macro && (macro.use.code.parsed.form === 'attribute' || macro.use.code.parsed.form === 'empty')) return true;
  // Error recovery ends the declaration with a missing `;` and reads `ALIGN1 = "..."` as the next statement.
  const statement = assignment.parent;
  if (statement?.type === 'expression_statement' && statement.namedChild(0)?.id === assignment.id) {
    const prev = statement.previousNamedSibling;
    const end = prev?.type === 'declaration' ? prev.lastChild : null;
    if (end && (end.isMissing || end.startIndex === end.endIndex)) return true;
  }
  // Or puts the assignment right inside the declaration (or an ERROR node in it).
  let p = assignment.parent;
  let recovered = false;
  for (let i = 0; p && i < 3; i++, p = p.parent) {
    if (p.type === 'declaration' || (recovered && p.type === 'init_declarator')) return true;
    if (p.type === 'ERROR') recovered = true;
    else return false;
  }
  return false;
}

/** Writes a same-file macro's body makes (not those written in its arguments: the file's tree holds them), at the use. */
function macroWrites(ctx: FileContext, use: SyntaxNode, scope: Scope, push: (at: SyntaxNode, t: Target | undefined, text: string, extra?: Partial<Write>) => void): void {
  const macro = expandedMacro(ctx, use);
  if (!macro || macro.summary.writes.length === 0) return;
  // Names in the body resolve as they would at the use.
  const names = Object.create(scope.names) as FunctionNames;
  names.resolve = (name: string) => scope.names.resolve(name, use);
  const atUse: Scope = { ...scope, names };
  for (const w of macro.summary.writes) {
    if (w.dead || w.local || !macro.use.place(w.node).definition) continue;
    push(use, targetOf(w.node, atUse), w.lvalue, { chain: [macro.use.macro] });
  }
}

/** What a call writes through its arguments: by position for known callees, every `&x` for unknown ones. */
function callWrites(ctx: FileContext, call: SyntaxNode, scope: Scope, depth: number, push: (at: SyntaxNode, t: Target | undefined, text: string, extra?: Partial<Write>) => void, pushCallee: (w: CalleeWritesAt) => void): void {
  const calleeName = lastName(ctx.calleeText(call) ?? '');
  // Go: a method's receiver is its parameter 0 (the adapter lists it first): `s` of `s.note(1)`.
  const receiver = goReceiverOf(ctx, call, calleeName);
  const args = receiver ? [receiver, ...ctx.adapter.arguments(call)] : ctx.adapter.arguments(call);
  const addressed = args.map((a) => addressOperand(ctx, a));
  const needsCallee = addressed.some(Boolean) || (ctx.adapter.calleeIsName(call) && (ctx.functionNamed(calleeName) !== undefined || !!ctx.project?.resolve(calleeName)?.definitions.length)) || (args.length > 0 && writesSomething(ctx, call));
  if (!needsCallee) return;
  const known = writtenPositions(ctx, call, scope.fn, depth);
  if (known.positions) {
    for (const i of known.positions) {
      const a = args[i];
      if (!a) continue;
      push(call, pointeeOf(ctx, a, scope), (addressed[i] ?? a).text, { viaAddress: !!addressed[i], chain: known.chain });
    }
  } else {
    addressed.forEach((t, i) => {
      if (t && !known.readOnly?.has(i)) push(call, targetOf(t, scope), t.text, { viaAddress: true });
    });
  }
  // Globals the callee writes itself, reported at this call.
  if (known.calleeWrites?.shared.length) pushCallee({ node: call, callee: known.calleeWrites });
}

/** Go: the operand of a call `x.m(...)` that resolves to the package's method `m`, or undefined. */
function goReceiverOf(ctx: FileContext, call: SyntaxNode, name: string): SyntaxNode | undefined {
  if (goMethodName(ctx, call) !== name) return undefined;
  const isMethod = isGoMethod(ctx.functionNamed(name)) || (!ctx.functionNamed(name) && !!ctx.project?.resolve(name)?.definitions.some((d) => isGoMethod(d.fn)));
  return isMethod ? field(field(call, 'function')!, 'operand') : undefined;
}

/** Does a known function or raw syscall write through any argument? (Cheap test before the full lookup.) */
function writesSomething(ctx: FileContext, call: SyntaxNode): boolean {
  const nr = syscallOf(ctx, call);
  if (nr) return !!SYSCALLS.get(nr)?.writes?.length;
  const callee = ctx.calleeText(call);
  return !!callee && !!factsOf(ctx, callee)?.writes?.length;
}

/** Identifiers an expression reads (all mentions except the plain target of `=`). */
export function readsIn(ctx: FileContext, node: SyntaxNode, root: SyntaxNode = node): ReadonlyMap<string, SyntaxNode> {
  // Remembered per file (every fork site of a function asks about the same statements).
  return ctx.remember(`readsIn:${node.id}:${root.id}`, () => readsInUncached(ctx, node, root));
}

function readsInUncached(ctx: FileContext, node: SyntaxNode, root: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  const skip = new Set<number>();
  // Declared names, marked from their declarators on the way down (asking each identifier for
  // its parent costs the tree's depth per step: quadratic on deep nesting).
  const declared = new Set<number>();
  for (const n of descendantsWithin(root, node, READ_OR_DECLARING_NODES)) {
    if (DECLARING_NODES.has(n.type)) {
      for (const d of declaredIdentifiers(n)) declared.add(d.id);
      continue;
    }
    // `sizeof` does not evaluate its operand: `len = sizeof(buf)` reads nothing of `buf`.
    if (n.type === 'sizeof_expression') {
      for (const id of descendants(n, ID)) skip.add(id.id);
      continue;
    }
    if (n.type === 'assignment_expression' && operatorOf(n) === '=') {
      const l = field(n, 'left');
      const stored = l && storedVariable(ctx, l, root);
      if (stored) skip.add(stored.id);
    }
    if (n.type === 'assignment_statement' && operatorOf(n) === '=') {
      const l = field(n, 'left');
      for (const c of l ? codeChildren(l) : []) {
        const stored = storedVariable(ctx, c, root);
        if (stored) skip.add(stored.id);
      }
    }
    if (n.type === 'identifier' && !skip.has(n.id) && !out.has(n.text) && !declared.has(n.id) && !(n.id === node.id && isDeclaredName(n))) out.set(n.text, n);
  }
  void ctx;
  return out;
}

/**
 * The variable a plain store's left side writes without reading it: `x` in `x = ...`, and
 * the value-typed local under `s.f = ...`, `arr[i] = ...`, `pfds[0].fd = ...` (a store into
 * part of a struct or array held in the frame reads nothing of it; the index is still read).
 * A store through a pointer (`p->f = ...`, `p[i] = ...`) reads the pointer: undefined.
 */
function storedVariable(ctx: FileContext, left: SyntaxNode, root: SyntaxNode): SyntaxNode | undefined {
  if (left.type === 'identifier') return left;
  if (!ctx.adapter.functionTypes.has(root.type)) return undefined;
  const target = targetOf(left, scopeOf(ctx, root));
  if (!target?.throughValue) return undefined;
  let n: SyntaxNode | undefined = left;
  while (n && n.type !== 'identifier') {
    n = n.type === 'parenthesized_expression' ? n.namedChild(0) ?? undefined
      : n.type === 'field_expression' ? field(n, 'argument')
      : n.type === 'subscript_expression' ? field(n, 'argument')
      : n.type === 'index_expression' || n.type === 'selector_expression' ? field(n, 'operand')
      : undefined;
  }
  return n;
}

const ID = new Set(['identifier']);

/** C declarator parents whose `declarator` field holds the declared name. */
const DECLARATORS = new Set(['declaration', 'init_declarator', 'pointer_declarator', 'array_declarator', 'parenthesized_declarator', 'attributed_declarator']);

/** Node types that declare names (`declaredIdentifiers` reads them). */
export const DECLARING_NODES: ReadonlySet<string> = new Set([...DECLARATORS, 'var_spec', 'const_spec']);

const READ_OR_DECLARING_NODES = new Set([...READ_NODES, 'sizeof_expression', ...DECLARING_NODES]);

/** The names a declarator or Go spec declares directly (what `isDeclaredName` says of them, found top-down). */
export function declaredIdentifiers(n: SyntaxNode): SyntaxNode[] {
  if (n.type === 'var_spec' || n.type === 'const_spec') return fieldChildren(n, 'name');
  const d = field(n, 'declarator') ?? (n.type === 'parenthesized_declarator' ? n.namedChild(0) ?? undefined : undefined);
  return d?.type === 'identifier' ? [d] : [];
}

/** The name a declaration declares (`x` in `int x;`, `char *x = ...`, Go `var x T`): not a read. */
export function isDeclaredName(id: SyntaxNode): boolean {
  const parent = id.parent;
  if (!parent) return false;
  if (DECLARATORS.has(parent.type)) return field(parent, 'declarator')?.id === id.id || (parent.type === 'parenthesized_declarator' && parent.namedChild(0)?.id === id.id);
  if (parent.type === 'var_spec' || parent.type === 'const_spec') return parent.childrenForFieldName('name').some((c) => c?.id === id.id);
  return false;
}
