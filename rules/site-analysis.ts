/**
 * Everything the rules ask about one fork site: the flow result, which statements run
 * in the child and in the parent, what the child writes and what the parent reads.
 * Computed lazily and once; rules only read it.
 */
import { callsIn, classifyCall, isExecCall, macroFlowInput, macroReadingOf, statementCall, statementEndsPath, type CallVerdict } from './effects/calls.js';
import { macroNotes, macroUsesIn, objectMacroVerdict, type MacroNote } from './effects/macro-uses.js';
import { parentReads } from './effects/parent-reads.js';
import { readsIn, scopeOf, writesIn, type Scope, type Write } from './effects/writes.js';
import type { FileContext } from './file-context.js';
import type { ForkSite } from './fork-sites.js';
import { CHILD, CHILD_SIDE, FAILED_EXEC, PARENT_SIDE, PRE } from './flow/path-state.js';
import { passThroughMacrosOf } from './flow/pass-through.js';
import { armAssumption, assumedCondition } from './flow/arm-assumption.js';
import { factCondition, indexFacts, siteFacts } from './flow/site-facts.js';
import { endsPathUnder, flagsAtCall, forkWrapperFacts, verdictUnder } from './effects/flag-facts.js';
import { analyseFlow, type FlowResult, type Reached } from './flow/walk.js';
import type { SyntaxNode } from './parser.js';
import { contains, rangeOfNode } from './syntax.js';
import type { RelatedLocation } from './types.js';
import { macroRelated } from './macros.js';

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
  private allChildWritesCache?: Write[];
  private parentReadsCache?: Map<string, SyntaxNode>;
  private childCallsCache?: ChildCall[];

  constructor(
    readonly file: FileContext,
    readonly site: ForkSite,
    /** A flow already computed (a view of another analysis's flow, e.g. one exec's failure paths). */
    flow?: FlowResult,
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
    if (flow) {
      this.flow = flow;
    } else if (!body || (site.kind === 'clone-fn' && !this.childFunction) || site.kind === 'concurrent') {
      this.flow = empty;
    } else {
      const input = {
        adapter: file.viewAdapter,
        body,
        forkCall: site.kind === 'clone-fn' ? undefined : site.call,
        initialMask: site.kind === 'clone-fn' ? CHILD : PRE,
        // An exec does not end the child's path, last statement or not: it returns when it fails.
        endsPath: (s: SyntaxNode) => this.endsPath(s),
        isExec: (call: SyntaxNode) => isExecCall(file, call),
        passThroughMacros: passThroughMacrosOf(file),
        ...macroFlowInput(file, analysed),
        ...this.assumingArm(),
      };
      const first = analyseFlow(input);
      // Calls that never return with what a fork wrapper set on the child's side, on
      // statements only the child reaches: the child's paths end there (the parent's, which
      // never pass there, are unchanged), so the flow is read again with them ended.
      const childEnds = this.childOnlyEnds(first, analysed);
      this.flow = childEnds.size ? analyseFlow({ ...input, endsPath: (s) => childEnds.has(s.id) || this.endsPath(s) }) : first;
    }
  }

  /** Statements only child paths reach whose call never returns with the fork wrapper's facts (effects/flag-facts.ts). */
  private childOnlyEnds(flow: FlowResult, fn: SyntaxNode): Set<number> {
    const out = new Set<number>();
    const wrapper = this.site.kind === 'clone-fn' ? undefined : forkWrapperFacts(this.file, this.site.call);
    if (!wrapper) return out;
    for (const s of flow.statements.values()) {
      if (s.role !== 'simple' || !(s.mask & (CHILD_SIDE | FAILED_EXEC)) || s.mask & (PRE | PARENT_SIDE)) continue;
      const call = statementCall(this.file, s.node);
      if (call && endsPathUnder(this.file, fn, s.node, false, flagsAtCall(this.file, fn, call, wrapper))) out.add(s.node.id);
    }
    return out;
  }

  /**
   * Does a statement end the child's path: as `statementEndsPath` says, or a call that never
   * returns with what the child has set before it (effects/flag-facts.ts).
   */
  private endsPath(statement: SyntaxNode): boolean {
    if (statementEndsPath(this.file, statement, false)) return true;
    const call = statementCall(this.file, statement);
    const fn = this.childFunction ?? this.site.fn;
    return !!call && endsPathUnder(this.file, fn, statement, false, flagsAtCall(this.file, fn, call));
  }

  /**
   * What the site's place decides about later tests (flow/arm-assumption.ts): `BB_MMU ?
   * fork() : vfork()` decides `BB_MMU`; an enclosing `if (proggie)` on a variable the
   * function never changes decides later tests of `proggie`.
   */
  private assumingArm(): { constantCondition?: (condition: SyntaxNode) => boolean | undefined } {
    if (this.site.kind === 'clone-fn') return {};
    const file = this.file;
    const assumption = armAssumption(file, this.site.call);
    const facts = indexFacts(siteFacts(file, this.site.call, this.site.fn));
    if (!assumption && facts.size === 0) return {};
    const plain = macroFlowInput(file).constantCondition;
    return { constantCondition: (c) => (assumption ? assumedCondition(file, c, assumption) : undefined) ?? factCondition(c, facts) ?? plain?.(c) };
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

  /**
   * Expressions evaluated where the child may run, excluding the fork call's own statement.
   * Paths only a failed exec reaches are left out (their hazards are reported at the exec)
   * unless `withFailedExec`.
   */
  childEvaluations(withFailedExec = false): Reached[] {
    const side = withFailedExec ? CHILD_SIDE | FAILED_EXEC : CHILD_SIDE;
    return [...this.flow.evaluations.values()].filter((e) => e.mask & side && !this.isForkExpression(e.node));
  }

  /** Statements reached on a parent path after the fork (with `both` for those run before any test). */
  parentStatements(): Array<Reached & { role: string }> {
    return [...this.flow.statements.values()].filter((s) => s.mask & (PARENT_SIDE | CHILD_SIDE) && s.mask & ~(CHILD | PRE | FAILED_EXEC)).filter((s) => !this.isForkExpression(s.node));
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

  /** Every write the child may make, also after a failed exec: what the parent must not rely on. */
  childWritesWithFailedExec(): Write[] {
    if (!this.flow.execCalls) return this.childWrites();
    if (!this.allChildWritesCache) {
      const out: Write[] = [];
      for (const e of this.childEvaluations(true)) out.push(...writesIn(this.file, e.node, this.scope));
      this.allChildWritesCache = out;
    }
    return this.allChildWritesCache;
  }

  /** Variables the parent reads after the fork, with where it first reads each. */
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
      const root = this.childFunction ?? this.site.fn;
      // What a wrapper the fork result goes through sets on the child's side (`xvforkwrap(vfork())`): every child path passed it.
      const wrapper = this.site.kind === 'clone-fn' ? undefined : forkWrapperFacts(this.file, this.site.call);
      for (const e of this.childEvaluations()) {
        for (const call of callsIn(this.file, e.node, root)) {
          if (call.id === this.site.call.id) continue;
          const flags = flagsAtCall(this.file, root, call, wrapper);
          out.push({ call, verdict: flags.size ? verdictUnder(this.file, root, call, flags) : classifyCall(this.file, call, root) });
        }
        // An object-like macro used as a value or statement (`BAIL;`) is what its body does.
        for (const id of macroUsesIn(this.file, e.node, root)) {
          if (id.id === this.site.call.id) continue;
          const verdict = objectMacroVerdict(this.file, id);
          if (verdict) out.push({ call: id, verdict });
        }
      }
      this.childCallsCache = out;
    }
    return this.childCallsCache;
  }

  /** Related information for a finding at `node` when it is a same-file macro use: where the macro is defined. */
  macroRelatedAt(node: SyntaxNode): RelatedLocation[] {
    if (!this.file.hasMacros || (node.type !== 'call_expression' && node.type !== 'identifier' && node.type !== 'expression_statement')) return [];
    const use = node.type === 'expression_statement' ? node.namedChild(0) ?? undefined : node;
    const reading = macroReadingOf(this.file, use);
    return reading ? macroRelated(reading.use) : [];
  }

  /** Macro uses on child paths that could not be read as their bodies: one note each (they keep their plain reading). */
  macroNotes(): MacroNote[] {
    const root = this.childFunction ?? this.site.fn;
    return macroNotes(this.file, this.childEvaluations(true).map((e) => e.node), root);
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
      if (s.mask & (CHILD | FAILED_EXEC)) child.add(line);
      if (s.mask & PARENT_SIDE) parent.add(line);
    }
    const sorted = (x: Set<number>) => [...x].sort((a, b) => a - b);
    return { child: sorted(child), parent: sorted(parent), both: sorted(both) };
  }
}
