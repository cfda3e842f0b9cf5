/**
 * Everything the rules ask about one fork site: the flow result, which statements run
 * in the child and in the parent, what the child writes and what the parent reads.
 * Computed lazily and once; rules only read it.
 */
import { callsIn, classifyCall, isExecCall, statementEndsPath, type CallVerdict } from './effects/calls.js';
import { parentReads } from './effects/parent-reads.js';
import { readsIn, scopeOf, writesIn, type Scope, type Write } from './effects/writes.js';
import type { FileContext } from './file-context.js';
import type { ForkSite } from './fork-sites.js';
import { CHILD, CHILD_SIDE, PARENT_SIDE, PRE } from './flow/path-state.js';
import { analyseFlow, type FlowResult, type Reached } from './flow/walk.js';
import type { SyntaxNode } from './parser.js';
import { contains, rangeOfNode } from './syntax.js';
import type { RelatedLocation } from './types.js';

export interface ChildCall {
  call: SyntaxNode;
  verdict: CallVerdict;
}

export class SiteAnalysis {
  readonly flow: FlowResult;
  /** The function whose code the child runs: the forking function, or `fn` of `clone(fn, ...)`. */
  readonly childFunction?: SyntaxNode;
  readonly scope: Scope;
  private childWritesCache?: Write[];
  private parentReadsCache?: Map<string, SyntaxNode>;
  private childCallsCache?: ChildCall[];

  constructor(
    readonly file: FileContext,
    readonly site: ForkSite,
  ) {
    const a = file.adapter;
    if (site.kind === 'clone-fn') {
      this.childFunction = site.childFunction ? file.functionNamed(site.childFunction) : undefined;
    } else {
      this.childFunction = site.fn;
    }
    const analysed = this.childFunction ?? site.fn;
    this.scope = scopeOf(file, analysed);
    const body = a.functionBody(analysed);
    const empty: FlowResult = { statements: new Map(), evaluations: new Map(), endMask: 0, incomplete: false };
    if (!body || (site.kind === 'clone-fn' && !this.childFunction) || site.kind === 'concurrent') {
      this.flow = empty;
    } else {
      this.flow = analyseFlow({
        adapter: file.viewAdapter,
        body,
        forkCall: site.kind === 'clone-fn' ? undefined : site.call,
        pidVar: site.pidVar,
        errVar: site.errVar,
        initialMask: site.kind === 'clone-fn' ? CHILD : PRE,
        endsPath: (s, last) => statementEndsPath(file, s, last),
        isExec: (call) => isExecCall(file, call),
      });
    }
  }

  get inline(): boolean {
    return this.site.kind === 'vfork' || this.site.kind === 'raw';
  }

  get forkRelated(): RelatedLocation {
    return { range: rangeOfNode(this.site.call), message: `the fork: \`${this.site.spelling}\` (${this.site.kind})` };
  }

  isResultVariable(name: string): boolean {
    return name === this.site.pidVar || name === this.site.errVar;
  }

  /** Expressions evaluated where the child may run, excluding the fork call's own statement. */
  childEvaluations(): Reached[] {
    return [...this.flow.evaluations.values()].filter((e) => e.mask & CHILD_SIDE && !this.isForkExpression(e.node));
  }

  /** Statements reached on a parent path after the fork (with `both` for those run before any test). */
  parentStatements(): Array<Reached & { role: string }> {
    return [...this.flow.statements.values()].filter((s) => s.mask & (PARENT_SIDE | CHILD_SIDE) && s.mask & ~(CHILD | PRE)).filter((s) => !this.isForkExpression(s.node));
  }

  isForkExpression(node: SyntaxNode): boolean {
    return this.site.kind !== 'clone-fn' && contains(node, this.site.call) && node.type !== 'compound_statement' && node.type !== 'block';
  }

  childWrites(): Write[] {
    if (!this.childWritesCache) {
      const out: Write[] = [];
      for (const e of this.childEvaluations()) out.push(...writesIn(this.file, e.node, this.scope));
      this.childWritesCache = out;
    }
    return this.childWritesCache;
  }

  /**
   * Variables the parent reads after the fork before overwriting them on that path, by
   * binding key (effects/scopes.ts), with where it first reads each.
   */
  parentReads(): Map<string, SyntaxNode> {
    if (!this.parentReadsCache) {
      this.parentReadsCache = this.flow.incomplete ? this.everyParentRead() : parentReads({ ctx: this.file, scope: this.scope, flow: this.flow, endsPath: (s) => statementEndsPath(this.file, s, false) });
    }
    return this.parentReadsCache;
  }

  /** Every read on a parent path, overwritten first or not (when the flow pass gave up). */
  private everyParentRead(): Map<string, SyntaxNode> {
    const out = new Map<string, SyntaxNode>();
    for (const e of this.flow.evaluations.values()) {
      if (!(e.mask & PARENT_SIDE)) continue;
      for (const [name, node] of readsIn(this.file, e.node, this.site.fn)) {
        const key = this.scope.names.resolve(name, node).key;
        if (!out.has(key)) out.set(key, node);
      }
    }
    // A bare Go `return` in the parent reads the named results.
    for (const s of this.flow.statements.values()) {
      if (s.role === 'return' && s.mask & PARENT_SIDE && s.node.namedChildCount === 0) for (const r of this.scope.results) if (!out.has(`result:${r}`)) out.set(`result:${r}`, s.node);
    }
    return out;
  }

  childCalls(): ChildCall[] {
    if (!this.childCallsCache) {
      const out: ChildCall[] = [];
      for (const e of this.childEvaluations()) {
        for (const call of callsIn(this.file, e.node, this.childFunction ?? this.site.fn)) {
          if (call.id === this.site.call.id) continue;
          out.push({ call, verdict: classifyCall(this.file, call, this.childFunction ?? this.site.fn) });
        }
      }
      this.childCallsCache = out;
    }
    return this.childCallsCache;
  }

  /** Line sets for hover: which lines run in the child, the parent, or both. */
  lineSets(): { child: number[]; parent: number[]; both: number[] } {
    const child = new Set<number>();
    const parent = new Set<number>();
    const both = new Set<number>();
    for (const s of this.flow.statements.values()) {
      if (s.role === 'compound') continue;
      const line = s.node.startPosition.row + 1;
      if (s.mask & 2) both.add(line);
      if (s.mask & CHILD) child.add(line);
      if (s.mask & PARENT_SIDE) parent.add(line);
    }
    const sorted = (x: Set<number>) => [...x].sort((a, b) => a - b);
    return { child: sorted(child), parent: sorted(parent), both: sorted(both) };
  }
}
