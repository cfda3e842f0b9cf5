/**
 * Which code of a forking function runs where, at the granularity the split moves it:
 * a statement is `child` (the parent never reaches it: it stays in the inner function),
 * `parent` (only the parent reaches it after the fork: it moves to the outer function),
 * or `mixed` (a compound statement whose parts divide: the split rebuilds it on each side).
 */
import { CHILD_SIDE, PARENT_SIDE, PRE } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import type { SiteAnalysis } from '../site-analysis.js';
import { contains, cursorAt, fieldChildren, firstAtOrAfter, namedChildren } from '../syntax.js';

export class Decline extends Error {}

export function decline(reason: string): never {
  throw new Decline(reason);
}

export type Side = 'child' | 'parent' | 'mixed';

/**
 * The flow pass's statements ordered by position (outer before inner at the same start),
 * their offsets and masks read once into typed arrays, each with the innermost statement
 * around it. Which statement holds a node is a binary search and a short climb (a climb
 * through tree-sitter's `parent` costs the depth of the tree at every step), and the
 * states inside a node are one contiguous run.
 */
class StatementIndex {
  private readonly nodes: SyntaxNode[];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly masks: Int32Array;
  private readonly up: Int32Array;

  constructor(sa: SiteAnalysis) {
    const recorded = [...sa.flow.statements.values()].sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
    this.nodes = recorded.map((r) => r.node);
    this.starts = Int32Array.from(this.nodes, (n) => n.startIndex);
    this.ends = Int32Array.from(this.nodes, (n) => n.endIndex);
    this.masks = Int32Array.from(recorded, (r) => r.mask);
    this.up = new Int32Array(this.nodes.length);
    const open: number[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      while (open.length && this.ends[open[open.length - 1]] < this.ends[i]) open.pop();
      this.up[i] = open.length ? open[open.length - 1] : -1;
      open.push(i);
    }
  }

  /** The innermost recorded statement holding `n` (`n` itself when it is one). */
  innermost(n: SyntaxNode): SyntaxNode | undefined {
    let i = firstAtOrAfter(this.starts, n.startIndex + 1) - 1;
    while (i >= 0 && this.ends[i] < n.endIndex) i = this.up[i];
    return i >= 0 ? this.nodes[i] : undefined;
  }

  /** States reaching any recorded statement within [start, end]. */
  maskWithin(start: number, end: number): number {
    let m = 0;
    for (let i = firstAtOrAfter(this.starts, start); i < this.starts.length && this.starts[i] <= end; i++) if (this.ends[i] <= end) m |= this.masks[i];
    return m;
  }
}

const statementIndexes = new WeakMap<SiteAnalysis, StatementIndex>();

/** The statement index of a site's flow result, built once. */
export function statementIndex(sa: SiteAnalysis): StatementIndex {
  let index = statementIndexes.get(sa);
  if (!index) statementIndexes.set(sa, (index = new StatementIndex(sa)));
  return index;
}

export class Regions {
  private readonly cache = new Map<number, number>();

  constructor(readonly sa: SiteAnalysis) {}

  /** States reaching any statement inside `node` (itself included). */
  subtreeMask(node: SyntaxNode): number {
    const hit = this.cache.get(node.id);
    if (hit !== undefined) return hit;
    const m = statementIndex(this.sa).maskWithin(node.startIndex, node.endIndex);
    this.cache.set(node.id, m);
    return m;
  }

  maskOf(node: SyntaxNode): number {
    return this.sa.flow.statements.get(node.id)?.mask ?? 0;
  }

  holdsFork(node: SyntaxNode): boolean {
    return contains(node, this.sa.site.call);
  }

  hasParent(node: SyntaxNode): boolean {
    return (this.subtreeMask(node) & PARENT_SIDE) !== 0;
  }

  /** End of the top-level statement holding the fork: after it, PRE paths (a non-sharing fork in another branch) follow the same tests. */
  afterFork = Number.MAX_SAFE_INTEGER;

  side(node: SyntaxNode): Side {
    let m = this.subtreeMask(node);
    if (node.startIndex >= this.afterFork) m &= ~PRE;
    const fork = this.holdsFork(node);
    if (!(m & PARENT_SIDE) && !fork) return 'child';
    if (!(m & PARENT_SIDE)) return 'child';
    if (!fork && !(m & (CHILD_SIDE | PRE))) return 'parent';
    return 'mixed';
  }
}

/** The statements and comments directly inside a block (Go's statement_list flattened). */
export function blockEntries(block: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of namedChildren(block)) {
    if (c.type === 'statement_list') out.push(...namedChildren(c));
    else out.push(c);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

export function isBlock(node: SyntaxNode | undefined): boolean {
  return !!node && (node.type === 'block' || node.type === 'compound_statement');
}

/** Identifier nodes named `name` inside `node`, skipping nested function literals. */
export function identifiersIn(node: SyntaxNode, filter?: (n: SyntaxNode) => boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  using cursor = cursorAt(node);
  let descend = true;
  for (;;) {
    const n = cursor.currentNode;
    if (descend) {
      if (n.type === 'identifier' && (!filter || filter(n))) out.push(n);
      if (n.type !== 'func_literal' && cursor.gotoFirstChild()) continue;
    }
    if (cursor.currentNode.id === node.id) break;
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    if (!cursor.gotoParent()) break;
    descend = false;
    if (cursor.currentNode.id === node.id) break;
  }
  return out;
}

/** Names declared (`:=`, `var`, C declarations, range variables) anywhere inside `node`. */
export function declaredInside(node: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const visit = (n: SyntaxNode) => {
    if (n.type === 'short_var_declaration' || n.type === 'range_clause') {
      const left = n.childForFieldName('left');
      for (const c of left ? namedChildren(left) : []) if (c.type === 'identifier') out.add(c.text);
    } else if (n.type === 'var_spec' || n.type === 'const_spec') {
      for (const c of fieldChildren(n, 'name')) out.add(c.text);
    } else if (n.type === 'declaration') {
      for (const d of fieldChildren(n, 'declarator')) {
        const name = declaratorName(d);
        if (name) out.add(name);
      }
    }
    for (const c of namedChildren(n)) if (c.type !== 'func_literal') visit(c);
  };
  visit(node);
  return out;
}

/** The identifier a C declarator declares (`*p`, `a[3]`, `x = 1` -> p, a, x). */
export function declaratorName(d: SyntaxNode | null | undefined): string | undefined {
  let n: SyntaxNode | null | undefined = d;
  for (let i = 0; n && i < 20; i++) {
    if (n.type === 'identifier') return n.text;
    n = n.childForFieldName('declarator') ?? n.namedChild(0);
  }
  return undefined;
}
