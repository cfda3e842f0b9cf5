/**
 * What the parent reads after the fork: reads on parent paths of variables the parent has
 * not overwritten first on that path. A child write to a local the parent assigns before
 * it reads it cannot hurt the parent.
 *
 * One forward pass over the statements (the flow pass says which run on parent paths):
 * the set of variables the parent has certainly overwritten grows along a path, and is
 * intersected where paths join (branches); a loop body, a switch case and a label start
 * from what is certain on entry, and what follows a loop or a switch is what was certain
 * before it. Only whole-variable assignments (`x = ...`) overwrite.
 */
import type { FileContext } from '../file-context.js';
import { BOTH, PARENT_SIDE } from '../flow/path-state.js';
import type { FlowResult } from '../flow/walk.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendantsWithin, field, operatorOf } from '../syntax.js';
import { DECLARING_NODES, declaredIdentifiers, readsIn, type Scope } from './writes.js';

type Certain = ReadonlySet<string>;

const ASSIGNMENTS = new Set(['assignment_expression', 'assignment_statement', 'short_var_declaration']);
/** Declared names start a new variable: what the child wrote to an earlier one is gone. */
const MAX_DEPTH = 400;

export interface ParentReadInput {
  ctx: FileContext;
  scope: Scope;
  flow: FlowResult;
  /** Does this simple statement end the path (`_exit`, a noreturn call)? */
  endsPath(statement: SyntaxNode): boolean;
}

/** Variables (binding keys) the parent reads after the fork, with where it first reads each. */
export function parentReads(input: ParentReadInput): Map<string, SyntaxNode> {
  const walker = new ParentReadWalker(input);
  const { ctx, scope, flow } = input;
  const body = ctx.adapter.functionBody(scope.fn);
  if (body) walker.statement(body, new Set(), 0);
  // Every expression the flow pass saw evaluated on a parent path, judged by what was
  // certain where its statement (or condition) began.
  const reads = new Map<string, SyntaxNode>();
  const evaluations = [...flow.evaluations.values()].filter((e) => e.mask & PARENT_SIDE).sort((a, b) => a.node.startIndex - b.node.startIndex);
  for (const e of evaluations) {
    const certain = walker.certainAt(e.node);
    for (const [name, at] of readsIn(ctx, e.node, scope.fn)) {
      const key = scope.names.resolve(name, at).key;
      if (!certain.has(key) && !reads.has(key)) reads.set(key, at);
    }
  }
  for (const [key, at] of walker.bareReturnReads) if (!reads.has(key)) reads.set(key, at);
  return reads;
}

class ParentReadWalker {
  /** What was certain where each visited statement or expression began. */
  private readonly entries = new Map<number, Certain>();
  readonly bareReturnReads = new Map<string, SyntaxNode>();

  constructor(private readonly input: ParentReadInput) {}

  /** Visited nodes by offsets, for the enclosing-node search (a `parent` step costs the tree's depth). */
  private readonly spans: Array<{ start: number; end: number; certain: Certain }> = [];
  private sorted = true;

  /** The certain set at the nearest visited node enclosing `node` (empty when none was visited). */
  certainAt(node: SyntaxNode): Certain {
    const direct = this.entries.get(node.id);
    if (direct) return direct;
    if (!this.sorted) {
      this.spans.sort((a, b) => a.start - b.start || b.end - a.end);
      this.sorted = true;
    }
    // The last span starting at or before the node; walking back, the first that also ends at or
    // after it is the innermost enclosing one (visited nodes nest or are disjoint).
    let lo = 0;
    let hi = this.spans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid].start <= node.startIndex) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let i = hi; i >= 0; i--) if (this.spans[i].end >= node.endIndex) return this.spans[i].certain;
    return new Set();
  }

  private mask(node: SyntaxNode): number {
    return this.input.flow.statements.get(node.id)?.mask ?? this.input.flow.evaluations.get(node.id)?.mask ?? 0;
  }

  /** Note what is certain where an expression begins; returns the certain set after its whole-variable assignments. */
  private evaluate(node: SyntaxNode | undefined, certain: Certain): Certain {
    if (!node) return certain;
    if (!this.entries.has(node.id)) {
      this.entries.set(node.id, certain);
      this.spans.push({ start: node.startIndex, end: node.endIndex, certain });
      this.sorted = false;
    }
    const mask = this.mask(node);
    const { ctx, scope } = this.input;
    // A statement the parent runs overwrites for the parent, whoever else runs it: the parent
    // runs it after the child has exec'd or exited (a vfork-style parent waits), so the
    // child's writes came first. A `both` statement is run by the parent too (the child's
    // own run of it does not matter to the parent).
    if (!(mask & (PARENT_SIDE | BOTH))) return certain;
    const out = new Set(certain);
    for (const a of descendantsWithin(scope.fn, node, ASSIGNMENTS, ctx.adapter.closureTypes)) {
      const op = a.type === 'short_var_declaration' ? ':=' : operatorOf(a);
      if (op !== '=' && op !== ':=') continue;
      const left = field(a, 'left');
      for (const l of left ? (a.type === 'assignment_expression' ? [left] : codeChildren(left)) : []) {
        if (l.type === 'identifier') out.add(scope.names.resolve(l.text, l).key);
      }
    }
    // Declared names found from their declarators, top down (an identifier's parent costs
    // the tree's depth: quadratic on deep nesting).
    for (const d of descendantsWithin(scope.fn, node, DECLARING_NODES, ctx.adapter.closureTypes)) {
      for (const id of declaredIdentifiers(d)) out.add(scope.names.resolve(id.text, id).key);
    }
    return out;
  }

  /** Walk a statement; returns the certain set where it falls through, or undefined when it does not. */
  statement(node: SyntaxNode, certain: Certain, depth: number): Certain | undefined {
    if (depth > MAX_DEPTH) return new Set();
    const { ctx } = this.input;
    const view = ctx.viewAdapter.statement(node);
    switch (view.kind) {
      case 'block': {
        let cur: Certain | undefined = certain;
        for (const s of view.statements) {
          // After a jump, only a label (or a loop's back edge) reaches: nothing is certain there.
          cur = this.statement(s, cur ?? new Set(), depth + 1);
        }
        return cur;
      }
      case 'simple': {
        const out = this.evaluate(node, certain);
        return this.input.endsPath(node) ? undefined : out;
      }
      case 'return':
        this.evaluate(node, certain);
        for (const v of view.values) this.evaluate(v, certain);
        if (view.values.length === 0) this.bareReturn(node, certain);
        return undefined;
      case 'if': {
        const entry = this.evaluate(view.condition, this.evaluate(view.init, certain));
        const then = this.branch(view.then, entry, depth);
        const other = view.else ? this.branch(view.else, entry, depth) : entry;
        if (!then) return other;
        if (!other) return then;
        return new Set([...then].filter((k) => other.has(k)));
      }
      case 'loop': {
        const entry = this.evaluate(view.condition, this.evaluate(view.init, certain));
        const afterBody = this.statement(view.body, entry, depth + 1);
        this.evaluate(view.update, afterBody ?? entry);
        return entry;
      }
      case 'switch': {
        const entry = this.evaluate(view.subject, this.evaluate(view.init, certain));
        for (const c of view.cases) {
          for (const v of c.values ?? []) this.evaluate(v, entry);
          let cur: Certain | undefined = entry;
          for (const s of c.statements) cur = this.statement(s, cur ?? new Set(), depth + 1);
        }
        return entry;
      }
      case 'alternatives':
        for (const alt of view.alternatives) {
          let cur: Certain | undefined = certain;
          for (const s of alt) cur = this.statement(s, cur ?? new Set(), depth + 1);
        }
        return certain;
      case 'label':
        return view.body ? this.statement(view.body, new Set(), depth + 1) : new Set();
      case 'break':
      case 'continue':
      case 'goto':
        return undefined;
      default:
        return certain;
    }
  }

  /** A branch no parent path enters does not weaken what the parent knows after the `if`. */
  private branch(node: SyntaxNode, entry: Certain, depth: number): Certain | undefined {
    const out = this.statement(node, entry, depth + 1);
    return this.parentEnters(node) ? out : undefined;
  }

  private parentEnters(node: SyntaxNode): boolean {
    const view = this.input.ctx.viewAdapter.statement(node);
    if (view.kind === 'block') return view.statements.length === 0 || this.parentEnters(view.statements[0]);
    const probe = view.kind === 'if' ? view.init ?? view.condition : view.kind === 'loop' ? view.init ?? view.condition : view.kind === 'switch' ? view.init ?? view.subject : view.kind === 'return' ? view.values[0] ?? node : node;
    const mask = probe ? this.mask(probe) || this.mask(node) : this.mask(node);
    // Unrecorded (e.g. a label or an empty statement): assume the parent may enter.
    if (!probe || (!this.input.flow.evaluations.has(probe.id) && !this.input.flow.statements.has(node.id))) return true;
    return (mask & PARENT_SIDE) !== 0;
  }

  /** A bare Go `return` reads the named results. */
  private bareReturn(node: SyntaxNode, certain: Certain): void {
    if (!(this.mask(node) & PARENT_SIDE)) return;
    for (const r of this.input.scope.results) {
      const key = `result:${r}`;
      if (!certain.has(key) && !this.bareReturnReads.has(key)) this.bareReturnReads.set(key, node);
    }
  }
}
