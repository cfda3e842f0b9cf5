/**
 * Which memory an expression writes, and whether the parent can still reach it:
 * globals and memory behind received pointers (shared), or the frame's own locals and
 * memory the function allocated (dangerous only if a parent path reads them).
 */
import type { LocalDeclaration } from '../language/adapter.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendantsWithin, field, lastName, operatorOf } from '../syntax.js';
import { classifyCall, syscallOf } from './calls.js';
import { ASYNC_SIGNAL_SAFE, SYSCALL_WRITES, WRITES_THROUGH } from './call-lists.js';

export type WriteClass = 'shared' | 'frame' | 'owned';

export interface Write {
  /** The node to report: the assignment, the update, or the call passing an address. */
  node: SyntaxNode;
  /** The variable at the root of the target (`x` in `x->f[2]`). */
  root: string;
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
  locals: Map<string, LocalDeclaration>;
  /** Go named results: frame locals. */
  results: Set<string>;
}

export function scopeOf(ctx: FileContext, fn: SyntaxNode): Scope {
  const key = `scope:${fn.id}`;
  const memo = ctx.memo.get(key) as Scope | undefined;
  if (memo) return memo;
  const params = new Map<string, { pointerLike: boolean; index: number }>();
  ctx.adapter.parameters(fn).forEach((p, index) => params.set(p.name, { pointerLike: p.pointerLike, index }));
  const body = ctx.adapter.functionBody(fn);
  const scope: Scope = { fn, params, locals: body ? ctx.adapter.declaredLocals(body) : new Map(), results: new Set(ctx.adapter.namedResults(fn)) };
  ctx.memo.set(key, scope);
  return scope;
}

interface Target {
  root: string;
  indirect: boolean;
  /** Indexing or selecting into a value-typed local (array/struct): still the frame. */
  throughValue: boolean;
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
        return { root: n.text, indirect, throughValue: indirect && !sawPointerStep };
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
        if (base?.type === 'identifier') {
          const local = scope.locals.get(base.text);
          if (!(local && local.storage === 'value')) sawPointerStep = true;
        } else sawPointerStep = true;
        n = base;
        break;
      }
      case 'selector_expression': {
        const base = field(n, 'operand');
        indirect = true;
        if (base?.type === 'identifier') {
          const local = scope.locals.get(base.text);
          const param = scope.params.get(base.text);
          if (param ? param.pointerLike : !(local && local.storage === 'value')) sawPointerStep = true;
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
export function classify(target: Target, scope: Scope): WriteClass {
  const { root } = target;
  const param = scope.params.get(root);
  const local = scope.locals.get(root);
  if (param) return target.indirect && !target.throughValue ? 'shared' : 'frame';
  if (local || scope.results.has(root)) {
    if (!target.indirect || target.throughValue) return 'frame';
    if (local?.ownsPointee) return 'owned';
    if (local?.storage === 'value') return 'frame';
    return 'shared';
  }
  return 'shared';
}

function addressOperand(ctx: FileContext, arg: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode | undefined = arg;
  for (let i = 0; n && i < 10; i++) {
    if ((n.type === 'pointer_expression' || n.type === 'unary_expression') && operatorOf(n) === '&') return field(n, n.type === 'pointer_expression' ? 'argument' : 'operand');
    if (n.type === 'parenthesized_expression') n = n.namedChild(0) ?? undefined;
    else if (n.type === 'cast_expression') n = field(n, 'value');
    else if (n.type === 'call_expression' && ctx.adapter.isConversion(n)) n = ctx.adapter.arguments(n)[0];
    else return undefined;
  }
  return undefined;
}

type WrittenPositions = { positions?: number[]; chain?: string[]; calleeWrites?: Write[] };

/** Argument positions a call writes through, or undefined when unknown (then every address counts). Remembered per file. */
function writtenPositions(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode, depth: number): WrittenPositions {
  return ctx.remember(`written:${call.id}:${enclosing.id}:${depth}`, () => writtenPositionsUncached(ctx, call, enclosing, depth));
}

function writtenPositionsUncached(ctx: FileContext, call: SyntaxNode, enclosing: SyntaxNode, depth: number): WrittenPositions {
  const callee = ctx.calleeText(call);
  const nr = syscallOf(ctx, call);
  if (nr) return { positions: (SYSCALL_WRITES[nr] ?? []).map((p) => p + 1) };
  if (!callee) return {};
  const name = lastName(callee);
  if (WRITES_THROUGH[name]) return { positions: WRITES_THROUGH[name] };
  const pub = name.replace(/^__libc_/, '').replace(/^_+/, '').replace(/_nocancel$/, '');
  if (WRITES_THROUGH[pub]) return { positions: WRITES_THROUGH[pub] };
  if (ASYNC_SIGNAL_SAFE.has(name) || ASYNC_SIGNAL_SAFE.has(pub) || (ctx.config.safeFunctions ?? []).includes(name)) return { positions: [] };
  const v = classifyCall(ctx, call, enclosing, depth);
  if (v.kind === 'macro') return { positions: [] };
  if (ctx.adapter.calleeIsName(call) && ctx.functionNamed(name) !== undefined && depth < 8) {
    const summary = calleeWrites(ctx, name, depth + 1);
    return { positions: summary.paramPositions, chain: [name], calleeWrites: summary.sharedWrites };
  }
  if (v.kind === 'safe') return { positions: [] };
  return {};
}

interface CalleeWriteSummary {
  paramPositions: number[];
  sharedWrites: Write[];
}

/** Writes a same-file callee makes to globals and through its parameters. */
function calleeWrites(ctx: FileContext, name: string, depth: number): CalleeWriteSummary {
  const key = `writes:${name}`;
  const memo = ctx.memo.get(key) as CalleeWriteSummary | null | undefined;
  if (memo) return memo;
  if (memo === null) return { paramPositions: [], sharedWrites: [] };
  ctx.memo.set(key, null);
  const fn = ctx.functionNamed(name)!;
  const body = ctx.adapter.functionBody(fn);
  const scope = scopeOf(ctx, fn);
  const positions = new Set<number>();
  const shared: Write[] = [];
  if (body) {
    for (const w of writesIn(ctx, body, scope, depth)) {
      const param = scope.params.get(w.root);
      if (param && w.indirect) positions.add(param.index);
      else if (w.cls === 'shared' && !param) shared.push({ ...w, chain: [name, ...(w.chain ?? [])] });
    }
  }
  const summary = { paramPositions: [...positions], sharedWrites: shared };
  ctx.memo.set(key, summary);
  return summary;
}

const WRITE_NODES = new Set(['assignment_expression', 'update_expression', 'assignment_statement', 'inc_statement', 'dec_statement', 'call_expression']);
const READ_NODES = new Set(['identifier', 'assignment_expression', 'assignment_statement']);

/**
 * Every write an expression or statement performs, classified for `scope`. Remembered per
 * file (every fork site of a function asks about the same statements): do not modify the result.
 */
export function writesIn(ctx: FileContext, node: SyntaxNode, scope: Scope, depth = 0): readonly Write[] {
  return ctx.remember(`writesIn:${node.id}:${scope.fn.id}:${depth}`, () => writesInUncached(ctx, node, scope, depth));
}

function writesInUncached(ctx: FileContext, node: SyntaxNode, scope: Scope, depth: number): Write[] {
  const out: Write[] = [];
  const add = (reportAt: SyntaxNode, targetNode: SyntaxNode, extra: Partial<Write> = {}) => {
    const t = targetOf(targetNode, scope);
    // `errno` is per thread and means nothing in the parent after a fork that succeeded.
    if (!t || t.root === '_' || t.root === 'errno') return;
    out.push({ node: reportAt, root: t.root, targetText: targetNode.text, cls: classify(t, scope), indirect: t.indirect && !t.throughValue, ...extra });
  };
  for (const n of descendantsWithin(scope.fn, node, WRITE_NODES, ctx.adapter.closureTypes)) {
    switch (n.type) {
      case 'assignment_expression': {
        const left = field(n, 'left');
        if (left) add(n, left);
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
      case 'call_expression': {
        const args = ctx.adapter.arguments(n);
        const addrArgs = args.map((a, i) => [i, addressOperand(ctx, a)] as const).filter(([, t]) => t);
        const needsCallee = addrArgs.length > 0 || (ctx.adapter.calleeIsName(n) && ctx.functionNamed(lastName(ctx.calleeText(n) ?? '')) !== undefined);
        if (!needsCallee) break;
        const known = writtenPositions(ctx, n, scope.fn, depth);
        for (const [i, t] of addrArgs) {
          if (known.positions && !known.positions.includes(i)) continue;
          add(n, t!, { viaAddress: true, chain: known.chain });
        }
        if (known.positions && known.chain) {
          // Pointer parameters the callee writes through, given the caller's pointers.
          for (const i of known.positions) {
            const a = args[i];
            if (!a || addressOperand(ctx, a)) continue;
            const t = targetOf(a, scope);
            if (t && (scope.params.get(t.root)?.pointerLike || (!scope.locals.has(t.root) && !scope.params.has(t.root)))) {
              out.push({ node: n, root: t.root, targetText: a.text, cls: 'shared', indirect: true, chain: known.chain });
            }
          }
        }
        for (const w of known.calleeWrites ?? []) out.push({ ...w, node: n });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** Identifiers an expression reads (all mentions except the plain target of `=`). */
export function readsIn(ctx: FileContext, node: SyntaxNode, root: SyntaxNode = node): ReadonlyMap<string, SyntaxNode> {
  // Remembered per file (every fork site of a function asks about the same statements).
  return ctx.remember(`readsIn:${node.id}:${root.id}`, () => readsInUncached(ctx, node, root));
}

function readsInUncached(ctx: FileContext, node: SyntaxNode, root: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  const skip = new Set<number>();
  for (const n of descendantsWithin(root, node, READ_NODES)) {
    if (n.type === 'assignment_expression' && operatorOf(n) === '=') {
      const l = field(n, 'left');
      if (l?.type === 'identifier') skip.add(l.id);
    }
    if (n.type === 'assignment_statement' && operatorOf(n) === '=') {
      const l = field(n, 'left');
      for (const c of l ? codeChildren(l) : []) if (c.type === 'identifier') skip.add(c.id);
    }
    if (n.type === 'identifier' && !skip.has(n.id) && !out.has(n.text)) out.set(n.text, n);
  }
  void ctx;
  return out;
}
