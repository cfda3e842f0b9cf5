/**
 * The path-state flow pass: follows one function's control flow from the top with a
 * set of states (path-state.ts) and records, for every statement and every evaluated
 * expression, which states reach it. Loops and gotos are iterated to a fixed point.
 */
import type { LanguageAdapter, StatementView } from '../language/adapter.js';
import type { SyntaxNode } from '../parser.js';
import { contains, descendantsWithin, namedChildren } from '../syntax.js';

const ASSIGNMENTS = new Set(['assignment_expression', 'assignment_statement']);
import { ConditionReader, type ResultRole } from './conditions.js';
import { ALL_OUTCOMES, CHILD_SIDE, PRE, forkHappens, restrict } from './path-state.js';

export interface Reached {
  node: SyntaxNode;
  mask: number;
}

export type StatementRole = 'simple' | 'compound' | 'return';

export interface FlowResult {
  /** Statements with the states that reach them. */
  statements: Map<number, Reached & { role: StatementRole }>;
  /** Expressions evaluated (simple statements, conditions, headers, return values) with their states. */
  evaluations: Map<number, Reached>;
  /** States that fall off the end of the body. */
  endMask: number;
  /** The statement holding the fork call. */
  forkStatement?: SyntaxNode;
  /** True when the analysis gave up (nesting too deep). */
  incomplete: boolean;
}

export interface FlowInput {
  adapter: LanguageAdapter;
  body: SyntaxNode;
  /** The fork call; omit to analyse a function with no fork (for non-return and callee summaries). */
  forkCall?: SyntaxNode;
  pidVar?: string;
  errVar?: string;
  /** Does this simple statement end the path? `isLast`: nothing follows it in its block. */
  endsPath(statement: SyntaxNode, isLast: boolean): boolean;
  /** Initial states: PRE for a forking function, CHILD for a clone child or a callee of child code. */
  initialMask?: number;
  /** Is this call an exec? (Exec returns only on failure, with -1: `if (execv(...) < 0)` is always true.) */
  isExec?(call: SyntaxNode): boolean;
}

class TooDeep extends Error {}

interface JumpTarget {
  breaks: number;
  continues: number;
  fallthrough: number;
  label?: string;
  isLoop: boolean;
}

/** Statement nesting the flow pass follows (deeper paths are cut off and the result is marked incomplete). */
export const MAX_FLOW_DEPTH = 400;

export function analyseFlow(input: FlowInput): FlowResult {
  return new FlowWalker(input).run();
}

class FlowWalker {
  private readonly statements = new Map<number, Reached & { role: StatementRole }>();
  private readonly evaluations = new Map<number, Reached>();
  private readonly labelMasks = new Map<string, number>();
  private labelsChanged = false;
  private readonly targets: JumpTarget[] = [];
  private readonly conditions: ConditionReader;
  private forkStatement?: SyntaxNode;
  private depth = 0;
  /** False once the result variable is reassigned after the fork: later tests say nothing. */
  private resultValid = true;

  constructor(private readonly input: FlowInput) {
    this.conditions = new ConditionReader(input.adapter, (n) => this.roleOf(n));
  }

  run(): FlowResult {
    const start = this.input.initialMask ?? PRE;
    let endMask = 0;
    let incomplete = false;
    try {
      for (let i = 0; i < 30; i++) {
        this.labelsChanged = false;
        this.resultValid = true;
        endMask = this.exec(this.input.body, start, true);
        if (!this.labelsChanged) break;
      }
    } catch (e) {
      if (!(e instanceof TooDeep)) throw e;
      incomplete = true;
    }
    return { statements: this.statements, evaluations: this.evaluations, endMask, forkStatement: this.forkStatement, incomplete };
  }

  // ----- result tracking -------------------------------------------------------------

  /** Names a statement assigns with `=` (not declarations of new variables). */
  private assignedNames(node: SyntaxNode): string[] {
    const names: string[] = [];
    for (const n of descendantsWithin(this.input.body, node, ASSIGNMENTS)) {
      const left = n.childForFieldName('left');
      if (left) for (const c of left.type === 'expression_list' ? namedChildren(left) : [left]) names.push(c.text);
    }
    return names;
  }

  private roleOf(node: SyntaxNode): ResultRole | undefined {
    const { forkCall, pidVar, errVar, adapter } = this.input;
    if (!forkCall) return undefined;
    if (!this.resultValid) return undefined;
    if (node.id === forkCall.id) return 'pid';
    const v = adapter.expression(node);
    if (v.kind === 'identifier') {
      if (v.name === pidVar) return 'pid';
      if (v.name === errVar) return 'err';
      return undefined;
    }
    if (v.kind === 'call') return v.call.id === forkCall.id ? 'pid' : undefined;
    if (v.kind === 'assign' && v.op === '=') {
      const inner = adapter.expression(v.value);
      if (inner.kind === 'call' && inner.call.id === forkCall.id) return 'pid';
    }
    return undefined;
  }

  private holdsFork(node: SyntaxNode | undefined): boolean {
    const call = this.input.forkCall;
    return !!call && !!node && contains(node, call);
  }

  // ----- recording -------------------------------------------------------------------

  private noteStatement(node: SyntaxNode, mask: number, role: StatementRole): void {
    const prev = this.statements.get(node.id);
    if (prev) prev.mask |= mask;
    else this.statements.set(node.id, { node, mask, role });
  }

  private noteEvaluation(node: SyntaxNode | undefined, mask: number): void {
    if (!node) return;
    const prev = this.evaluations.get(node.id);
    if (prev) prev.mask |= mask;
    else this.evaluations.set(node.id, { node, mask });
  }

  /** Evaluate an expression (condition, header, simple statement): the fork may happen in it. */
  private evaluate(node: SyntaxNode | undefined, mask: number): number {
    if (!node) return mask;
    if (this.holdsFork(node)) {
      this.forkStatement ??= node;
      this.noteEvaluation(node, mask & ~PRE);
      return forkHappens(mask);
    }
    this.noteEvaluation(node, mask);
    return mask;
  }

  // ----- statements ------------------------------------------------------------------

  private exec(node: SyntaxNode, mask: number, isLast: boolean): number {
    if (++this.depth > MAX_FLOW_DEPTH) throw new TooDeep();
    try {
      return this.execView(node, this.input.adapter.statement(node), mask, isLast);
    } finally {
      this.depth--;
    }
  }

  private execSequence(statements: SyntaxNode[], mask: number, lastIsLast: boolean): number {
    let m = mask;
    statements.forEach((s, i) => {
      m = this.exec(s, m, lastIsLast && i === statements.length - 1);
    });
    return m;
  }

  private execView(node: SyntaxNode, view: StatementView, mask: number, isLast: boolean): number {
    switch (view.kind) {
      case 'block':
        return this.execSequence(view.statements, mask, isLast);
      case 'empty':
        return mask;
      case 'simple': {
        this.noteStatement(node, mask, 'simple');
        const out = this.evaluate(node, mask);
        if (this.holdsFork(node)) return out;
        if (mask & CHILD_SIDE && (this.input.pidVar || this.input.errVar)) {
          const assigned = this.assignedNames(node);
          if (assigned.includes(this.input.pidVar ?? '\0') || assigned.includes(this.input.errVar ?? '\0')) this.resultValid = false;
        }
        if (this.input.endsPath(node, isLast)) return 0;
        return out;
      }
      case 'return':
        // `return vfork();` forks and returns in both processes.
        if (this.holdsFork(node)) {
          this.forkStatement ??= node;
          mask = forkHappens(mask);
        }
        this.noteStatement(node, mask, 'return');
        for (const v of view.values) this.noteEvaluation(v, mask);
        if (view.values.length === 0) this.noteEvaluation(node, mask);
        return 0;
      case 'if': {
        // An `else if` chain is followed in a loop, not by recursion: chains of thousands
        // of branches are real (generated code) and must not hit the nesting limit.
        let out = 0;
        let ifNode = node;
        let ifView = view;
        let entry = mask;
        for (;;) {
          this.noteStatement(ifNode, entry, 'compound');
          let m = this.evaluate(ifView.init, entry);
          m = this.evaluate(ifView.condition, m);
          const split = this.conditions.split(ifView.condition);
          const known = this.execTest(ifView.condition);
          out |= this.exec(ifView.then, known === false ? 0 : restrict(m, split.whenTrue), isLast);
          const elseIn = known === true ? 0 : restrict(m, split.whenFalse);
          if (!ifView.else) return out | elseIn;
          const elseView = this.input.adapter.statement(ifView.else);
          if (elseView.kind !== 'if') return out | this.exec(ifView.else, elseIn, isLast);
          ifNode = ifView.else;
          ifView = elseView;
          entry = elseIn;
        }
      }
      case 'loop':
        this.noteStatement(node, mask, 'compound');
        return this.execLoop(node, view, this.evaluate(view.init, mask));
      case 'switch':
        this.noteStatement(node, mask, 'compound');
        return this.execSwitch(node, view, mask, isLast);
      case 'alternatives': {
        let out = view.mayBeNone ? mask : 0;
        for (const alt of view.alternatives) out |= this.execSequence(alt, mask, isLast);
        return out;
      }
      case 'break': {
        const t = this.target(view.label, false);
        if (t) t.breaks |= mask;
        return 0;
      }
      case 'continue': {
        const t = this.target(view.label, true);
        if (t) t.continues |= mask;
        return 0;
      }
      case 'fallthrough': {
        const t = this.targets[this.targets.length - 1];
        if (t) t.fallthrough |= mask;
        return 0;
      }
      case 'goto': {
        this.noteStatement(node, mask, 'simple');
        this.jumpTo(view.label, mask);
        return 0;
      }
      case 'label': {
        const entry = mask | (this.labelMasks.get(view.label) ?? 0);
        if (!view.body) return entry;
        if (this.isLoopOrSwitch(view.body)) this.pendingLabel = view.label;
        return this.exec(view.body, entry, isLast);
      }
    }
  }

  private pendingLabel?: string;
  /** Bumped whenever a label's states grow (memoised loops must then run again). */
  private labelGeneration = 0;

  /** The value of a test of an exec call's result, which can only be -1 when exec returns. */
  private execTest(condition: SyntaxNode): boolean | undefined {
    const { adapter, isExec } = this.input;
    if (!isExec) return undefined;
    const isExecExpr = (n: SyntaxNode) => {
      const v = adapter.expression(n);
      return v.kind === 'call' && isExec(v.call);
    };
    const v = adapter.expression(condition);
    if (v.kind === 'call') return isExecExpr(condition) ? true : undefined;
    if (v.kind === 'not') return isExecExpr(v.operand) ? false : undefined;
    if (v.kind !== 'binary') return undefined;
    const sides: Array<[SyntaxNode, SyntaxNode, string]> = [[v.left, v.right, v.op], [v.right, v.left, ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[v.op] ?? v.op]];
    for (const [call, other, op] of sides) {
      if (!isExecExpr(call)) continue;
      const c = adapter.expression(other);
      if (c.kind !== 'integer') return undefined;
      const r = op === '<' ? -1 < c.value : op === '<=' ? -1 <= c.value : op === '==' ? c.value === -1 : op === '!=' ? c.value !== -1 : op === '>' ? -1 > c.value : op === '>=' ? -1 >= c.value : undefined;
      return r;
    }
    return undefined;
  }

  private isLoopOrSwitch(node: SyntaxNode): boolean {
    const k = this.input.adapter.statement(node).kind;
    return k === 'loop' || k === 'switch';
  }

  private jumpTo(label: string, mask: number): void {
    const prev = this.labelMasks.get(label) ?? 0;
    if ((prev | mask) !== prev) {
      this.labelMasks.set(label, prev | mask);
      this.labelsChanged = true;
      this.labelGeneration++;
    }
  }

  private target(label: string | undefined, loopOnly: boolean): JumpTarget | undefined {
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i];
      if (label ? t.label === label : !loopOnly || t.isLoop) return t;
    }
    return undefined;
  }

  /**
   * A loop's result depends only on the states entering it, the label states and whether
   * the fork result still means anything: nested loops would otherwise re-run their inner
   * fixed points at every outer iteration (2^depth). Effects on enclosing loops and
   * switches (labelled break/continue) are replayed.
   */
  private readonly loopMemo = new Map<number, { mask: number; gen: number; validBefore: boolean; validAfter: boolean; out: number; effects: Array<[number, number, number, number]> }>();

  private execLoop(node: SyntaxNode, view: Extract<StatementView, { kind: 'loop' }>, mask: number): number {
    const memo = this.loopMemo.get(node.id);
    if (memo && memo.mask === mask && memo.gen === this.labelGeneration && memo.validBefore === this.resultValid) {
      this.takeLabel();
      for (const [i, b, c, f] of memo.effects) {
        const t = this.targets[i];
        if (t) {
          t.breaks |= b;
          t.continues |= c;
          t.fallthrough |= f;
        }
      }
      this.resultValid = memo.validAfter;
      return memo.out;
    }
    const validBefore = this.resultValid;
    const genBefore = this.labelGeneration;
    const outer = this.targets.map((t) => [t.breaks, t.continues, t.fallthrough]);
    const out = this.runLoop(node, view, mask);
    if (this.labelGeneration === genBefore) {
      const effects: Array<[number, number, number, number]> = [];
      outer.forEach(([b, c, f], i) => {
        const t = this.targets[i];
        if (t && (t.breaks & ~b || t.continues & ~c || t.fallthrough & ~f)) effects.push([i, t.breaks & ~b, t.continues & ~c, t.fallthrough & ~f]);
      });
      this.loopMemo.set(node.id, { mask, gen: genBefore, validBefore, validAfter: this.resultValid, out, effects });
    }
    return out;
  }

  private runLoop(node: SyntaxNode, view: Extract<StatementView, { kind: 'loop' }>, mask: number): number {
    const target: JumpTarget = { breaks: 0, continues: 0, fallthrough: 0, label: this.takeLabel(), isLoop: true };
    this.targets.push(target);
    try {
      let back = 0;
      let exit = 0;
      for (let i = 0; i < 12; i++) {
        if (view.testsFirst) {
          let head = this.evaluate(view.condition, mask | back);
          const split = view.condition ? this.conditions.split(view.condition) : { whenTrue: ALL_OUTCOMES, whenFalse: 0 };
          exit = view.condition ? restrict(head, split.whenFalse) : 0;
          head = restrict(head, split.whenTrue);
          const bodyOut = this.exec(view.body, head, false) | target.continues;
          const next = this.evaluate(view.update, bodyOut);
          if ((back | next) === back) break;
          back |= next;
        } else {
          const bodyOut = this.exec(view.body, mask | back, false) | target.continues;
          const tail = this.evaluate(view.condition, bodyOut);
          const split = view.condition ? this.conditions.split(view.condition) : { whenTrue: ALL_OUTCOMES, whenFalse: 0 };
          exit = view.condition ? restrict(tail, split.whenFalse) : 0;
          const next = restrict(tail, split.whenTrue);
          if ((back | next) === back) break;
          back |= next;
        }
      }
      void node;
      return exit | target.breaks;
    } finally {
      this.targets.pop();
    }
  }

  private takeLabel(): string | undefined {
    const l = this.pendingLabel;
    this.pendingLabel = undefined;
    return l;
  }

  private execSwitch(node: SyntaxNode, view: Extract<StatementView, { kind: 'switch' }>, mask: number, isLast: boolean): number {
    const target: JumpTarget = { breaks: 0, continues: 0, fallthrough: 0, label: this.takeLabel(), isLoop: false };
    let m = this.evaluate(view.init, mask);
    m = this.evaluate(view.subject, m);
    const role = view.subject ? this.roleOf(view.subject) : undefined;
    this.targets.push(target);
    try {
      let fall = 0;
      let out = 0;
      let covered = 0;
      let hasDefault = false;
      // For an expression-less Go switch, each case is a condition tried in order.
      let remaining = m;
      for (const c of view.cases) {
        let entry: number;
        if (!c.values) {
          hasDefault = true;
          entry = role ? restrict(m, ALL_OUTCOMES & ~covered) : view.subject ? m : remaining;
        } else if (role) {
          let outcomes = 0;
          for (const v of c.values) {
            const e = this.input.adapter.expression(v);
            outcomes |= e.kind === 'integer' ? this.conditions.caseOutcomes(role, e.value) : ALL_OUTCOMES;
          }
          covered |= outcomes;
          entry = restrict(m, outcomes);
        } else if (!view.subject && c.values.length > 0) {
          let t = 0;
          let f = remaining;
          for (const v of c.values) {
            this.noteEvaluation(v, remaining);
            const s = this.conditions.split(v);
            t |= restrict(remaining, s.whenTrue);
            f = restrict(f, s.whenFalse);
          }
          entry = t;
          remaining = f;
        } else {
          entry = m;
        }
        target.fallthrough = 0;
        const caseOut = this.execSequence(c.statements, entry | fall, isLast);
        if (view.fallsThrough) {
          fall = caseOut;
        } else {
          out |= caseOut;
          fall = target.fallthrough;
        }
      }
      out |= fall;
      if (!hasDefault) out |= role ? restrict(m, ALL_OUTCOMES & ~covered) : view.subject ? m : remaining;
      void node;
      return out | target.breaks;
    } finally {
      this.targets.pop();
    }
  }
}
