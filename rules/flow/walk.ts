/**
 * The path-state flow pass: follows one function's control flow from the top with a
 * set of paths (path-state.ts: states plus what each path knows about the fork result)
 * and records, for every statement and every evaluated expression, which states reach
 * it. Loops and gotos are iterated to a fixed point. Ternaries, comma expressions and
 * `&&`/`||` split paths like `if` where that matters (a fork in an arm, a test of the
 * result, a call that ends the path).
 */
import type { LanguageAdapter, StatementView } from '../language/adapter.js';
import type { SyntaxNode } from '../parser.js';
import { contains, descendantsWithin, field, namedChildren, operatorOf } from '../syntax.js';
import { ConditionReader } from './conditions.js';
import { ALL_OUTCOMES, CHILD_SIDE, PRE, Paths, forkHappens, restrict, type Facts } from './path-state.js';
import { constantLocals } from './constant-locals.js';
import { ASSIGNING_TYPES, ResultValues, WRITES_OR_CALLS } from './values.js';

export interface Reached {
  node: SyntaxNode;
  mask: number;
  /** For each exec whose failure reaches this node: the child-side states of those paths. */
  execs?: Map<number, number>;
}

export type StatementRole = 'simple' | 'compound' | 'return';

export interface FlowResult {
  /** Statements with the states that reach them. */
  statements: Map<number, Reached & { role: StatementRole }>;
  /** Expressions evaluated (simple statements, conditions, headers, return values) with their states. */
  evaluations: Map<number, Reached>;
  /** States that fall off the end of the body. */
  endMask: number;
  /** For each exec whose failure falls off the end: the child-side states. */
  endExecs?: Map<number, number>;
  /** The exec calls that tag child paths (by node id). */
  execCalls?: Map<number, SyntaxNode>;
  /** Statements that use a macro whose body holds a `return`, with the states that reach them. */
  macroReturns?: Map<number, Reached>;
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
  /** Does this simple statement (or call) end the path? `isLast`: nothing follows it in its block. */
  endsPath(statement: SyntaxNode, isLast: boolean): boolean;
  /** Initial states: PRE for a forking function, CHILD for a clone child or a callee of child code. */
  initialMask?: number;
  /** Is this call an exec? (Exec returns only on failure, with -1: `if (execv(...) < 0)` is always true.) */
  isExec?(call: SyntaxNode): boolean;
  /** Same-file function-like macros that pass their argument through (`#define unlikely(x) __builtin_expect(!!(x), 0)`). */
  passThroughMacros?: ReadonlySet<string>;
  /**
   * The value a function-like macro use computes, read as code (`IS_CHILD(pid)` with
   * `#define IS_CHILD(p) ((p) == 0)`: the expansion's `((pid) == 0)`), or undefined: a test
   * of the fork result through such a macro splits the paths as the written test would.
   */
  macroValue?(call: SyntaxNode): SyntaxNode | undefined;
  /** A simple statement that uses a macro whose body returns or jumps (`CHECK(x);` with `return -1` inside). */
  macroJumps?(statement: SyntaxNode): { returns: boolean; gotos: string[]; fallsThrough: boolean } | undefined;
  /** The value of an `if` condition the file's macros make constant (`if (DEBUG_INIT)`): the other branch is never walked. */
  constantCondition?(condition: SyntaxNode): boolean | undefined;
  /**
   * The side of an `if` that runs only in a new process (`if (fork() == 0)`: true; `if
   * (fork())`: false), or undefined: that side is not walked, it has memory of its own.
   */
  newProcessSide?(condition: SyntaxNode): boolean | undefined;
}

class TooDeep extends Error {}

interface JumpTarget {
  breaks: Paths;
  continues: Paths;
  fallthrough: Paths;
  label?: string;
  isLoop: boolean;
}

/** Statement nesting the flow pass follows (deeper paths are cut off and the result is marked incomplete). */
export const MAX_FLOW_DEPTH = 400;

const SPLITTING = new Set(['conditional_expression', 'comma_expression', 'binary_expression']);
const LOGICAL = new Set(['&&', '||']);

/** A right operand of `&&`/`||` to follow on its own paths: one that writes or calls, or holds parentheses (a call through a macro, a grouped test). */
function actsOrParenthesised(text: string): boolean {
  return text.includes('(') || WRITES_OR_CALLS.test(text);
}

export function analyseFlow(input: FlowInput): FlowResult {
  return new FlowWalker(input).run();
}

class FlowWalker {
  private readonly statements = new Map<number, Reached & { role: StatementRole }>();
  private readonly evaluations = new Map<number, Reached>();
  private readonly labelMasks = new Map<string, Paths>();
  private readonly execCalls = new Map<number, SyntaxNode>();
  private readonly macroReturns = new Map<number, Reached>();
  private labelsChanged = false;
  private readonly targets: JumpTarget[] = [];
  private readonly values: ResultValues;
  private readonly conditions: ConditionReader;
  private forkStatement?: SyntaxNode;
  private depth = 0;
  private readonly assigningCache = new Map<number, SyntaxNode[]>();
  private readonly execCache = new Map<number, SyntaxNode[]>();
  private readonly splitCache = new Map<number, boolean>();

  constructor(private readonly input: FlowInput) {
    // Locals kept as constants only where a fork's paths are followed (C: a flag the child sets).
    const constants = input.forkCall && input.adapter.language === 'c' ? constantLocals(input.body) : undefined;
    this.values = new ResultValues(input.adapter, input.forkCall, input.passThroughMacros ?? new Set(), input.macroValue, input.isExec, constants);
    this.conditions = new ConditionReader(this.values.view);
  }

  run(): FlowResult {
    const start = Paths.of(this.input.initialMask ?? PRE);
    let end = Paths.NONE;
    let incomplete = false;
    try {
      for (let i = 0; i < 30; i++) {
        this.labelsChanged = false;
        end = this.exec(this.input.body, start, true);
        if (!this.labelsChanged) break;
      }
    } catch (e) {
      if (!(e instanceof TooDeep)) throw e;
      incomplete = true;
    }
    const endExecs = end.execMasks();
    return {
      statements: this.statements,
      evaluations: this.evaluations,
      endMask: end.projection,
      ...(endExecs.size ? { endExecs } : {}),
      ...(this.execCalls.size ? { execCalls: this.execCalls } : {}),
      ...(this.macroReturns.size ? { macroReturns: this.macroReturns } : {}),
      forkStatement: this.forkStatement,
      incomplete,
    };
  }

  // ----- conditions ------------------------------------------------------------------

  /** The paths on which `condition` can be true, and those on which it can be false. */
  private splitPaths(condition: SyntaxNode | undefined, paths: Paths): { whenTrue: Paths; whenFalse: Paths } {
    if (!condition) return { whenTrue: paths, whenFalse: Paths.NONE };
    const known = this.execTest(condition);
    const cut = (edge: 'whenTrue' | 'whenFalse') =>
      paths.mapMask((mask, facts) => {
        const s = this.conditions.split(condition, (n) => this.values.valueOf(n, facts));
        return restrict(mask, s[edge]);
      });
    return { whenTrue: known === false ? Paths.NONE : cut('whenTrue'), whenFalse: known === true ? Paths.NONE : cut('whenFalse') };
  }

  // ----- recording -------------------------------------------------------------------

  private note<T extends Reached>(map: Map<number, T>, node: SyntaxNode, paths: Paths, make: (mask: number) => T): void {
    const mask = paths.projection;
    const execs = paths.execMasks();
    const prev = map.get(node.id);
    if (!prev) {
      const r = make(mask);
      if (execs.size) r.execs = execs;
      map.set(node.id, r);
      return;
    }
    prev.mask |= mask;
    if (execs.size) {
      prev.execs ??= new Map();
      for (const [k, m] of execs) prev.execs.set(k, (prev.execs.get(k) ?? 0) | m);
    }
  }

  private noteStatement(node: SyntaxNode, paths: Paths, role: StatementRole): void {
    this.note(this.statements, node, paths, (mask) => ({ node, mask, role }));
  }

  private noteEvaluation(node: SyntaxNode | undefined, paths: Paths): void {
    if (node) this.note(this.evaluations, node, paths, (mask) => ({ node, mask }));
  }

  // ----- expressions -----------------------------------------------------------------

  private holdsFork(node: SyntaxNode | undefined): boolean {
    const call = this.input.forkCall;
    return !!call && !!node && contains(node, call);
  }

  private within(node: SyntaxNode, types: ReadonlySet<string>, cache: Map<number, SyntaxNode[]>): SyntaxNode[] {
    let found = cache.get(node.id);
    if (!found) cache.set(node.id, (found = descendantsWithin(this.input.body, node, types, this.input.adapter.closureTypes)));
    return found;
  }

  private execsIn(node: SyntaxNode): SyntaxNode[] {
    const isExec = this.input.isExec;
    if (!isExec) return [];
    let found = this.execCache.get(node.id);
    if (!found) {
      found = this.within(node, new Set([this.input.adapter.callType]), new Map()).filter((c) => isExec(c));
      this.execCache.set(node.id, found);
    }
    return found;
  }

  /** Must `node` be followed piece by piece (a ternary, comma or `&&`/`||` that can split or end paths)? */
  private needsSplit(node: SyntaxNode, paths: Paths): boolean {
    if (this.input.adapter.language !== 'c') return false;
    if (!(paths.states & ~PRE) && !this.holdsFork(node)) return false;
    let v = this.splitCache.get(node.id);
    if (v === undefined) {
      const inner = this.within(node, SPLITTING, new Map());
      // A right operand that calls or writes (`pid < 0 && ++tries < 5`) runs only on the paths the left lets through.
      v = inner.some((n) => n.type !== 'binary_expression' || (LOGICAL.has(operatorOf(n)) && actsOrParenthesised(field(n, 'right')?.text ?? '')));
      this.splitCache.set(node.id, v);
    }
    return v;
  }

  /** Evaluate an expression (condition, header, simple statement): the fork may happen in it. */
  private evaluate(node: SyntaxNode | undefined, paths: Paths, depth = 0): Paths {
    if (!node || paths.isEmpty) return paths;
    if (depth < 100 && this.needsSplit(node, paths)) return this.evaluatePieces(node, paths, depth);
    if (this.holdsFork(node)) {
      this.forkStatement ??= node;
      this.noteEvaluation(node, paths.mapMask((m) => m & ~PRE));
      paths = paths.mapMask(forkHappens);
    } else {
      this.noteEvaluation(node, paths);
    }
    const out = this.effects(node, paths);
    // A part of a split expression that is a call which does not return: `(_exit(0), 0)`.
    if (depth > 0) {
      const core = this.values.core(node);
      if (core.type === this.input.adapter.callType && this.input.endsPath(core, false)) return Paths.NONE;
    }
    return out;
  }

  /** An expression whose parts run on different paths: each part is recorded with its own. */
  private evaluatePieces(node: SyntaxNode, paths: Paths, depth: number): Paths {
    const next = depth + 1;
    switch (node.type) {
      case 'conditional_expression': {
        const cond = field(node, 'condition');
        const p = this.evaluate(cond, paths, next);
        const s = this.splitPaths(cond, p);
        return this.evaluate(field(node, 'consequence'), s.whenTrue, next).union(this.evaluate(field(node, 'alternative'), s.whenFalse, next));
      }
      case 'comma_expression':
        return this.evaluate(field(node, 'right'), this.evaluate(field(node, 'left'), paths, next), next);
      case 'binary_expression': {
        const op = operatorOf(node);
        if (!LOGICAL.has(op)) break;
        const left = field(node, 'left');
        const p = this.evaluate(left, paths, next);
        const s = this.splitPaths(left, p);
        return op === '&&' ? s.whenFalse.union(this.evaluate(field(node, 'right'), s.whenTrue, next)) : s.whenTrue.union(this.evaluate(field(node, 'right'), s.whenFalse, next));
      }
      case 'init_declarator':
      case 'assignment_expression': {
        const right = field(node, node.type === 'init_declarator' ? 'value' : 'right');
        const left = field(node, node.type === 'init_declarator' ? 'declarator' : 'left');
        const p = this.evaluate(right, paths, next);
        this.noteEvaluation(left, p);
        return p.flatMap((m, facts) => [[m, this.values.assign(node, facts)]]);
      }
      case 'call_expression': {
        let p = paths;
        for (const a of this.input.adapter.arguments(node)) p = this.evaluate(a, p, next);
        // The call itself runs on the paths that got through its arguments.
        this.noteEvaluation(node, p);
        if (this.input.endsPath(node, false)) return Paths.NONE;
        return this.tagExecs([node], p);
      }
      default:
        break;
    }
    // Anything else (a statement, parentheses, a cast, arithmetic): its parts in order.
    let p = paths;
    for (const c of namedChildren(node)) if (c.type !== 'comment') p = this.evaluate(c, p, next);
    return p;
  }

  /** What evaluating `node` does to what the paths know: assignments, then failed execs. */
  private effects(node: SyntaxNode, paths: Paths): Paths {
    let p = paths;
    if (p.hasFacts || this.holdsFork(node) || (this.values.keepsConstants && this.values.mayAssignConstant(node.text))) {
      const assigning = this.within(node, ASSIGNING_TYPES, this.assigningCache);
      if (assigning.length) p = p.flatMap((m, facts) => [[m, assigning.reduce((f: Facts, a) => this.values.assign(a, f), facts)]]);
    }
    if (p.states & CHILD_SIDE) {
      const execs = this.execsIn(node);
      if (execs.length) p = this.tagExecs(execs, p);
    }
    return p;
  }

  /** Child-side paths that get past an exec are paths on which it failed: tag them with it. */
  private tagExecs(calls: SyntaxNode[], paths: Paths): Paths {
    const exec = calls.find((c) => this.input.isExec?.(c));
    if (!exec || !(paths.states & CHILD_SIDE)) return paths;
    this.execCalls.set(exec.id, exec);
    return paths.flatMap((m, facts) =>
      facts.exec || !(m & CHILD_SIDE)
        ? [[m, facts]]
        : [
            [m & ~CHILD_SIDE, facts],
            [m & CHILD_SIDE, { bindings: facts.bindings, exec: exec.id }],
          ],
    );
  }

  // ----- statements ------------------------------------------------------------------

  private exec(node: SyntaxNode, paths: Paths, isLast: boolean): Paths {
    if (++this.depth > MAX_FLOW_DEPTH) throw new TooDeep();
    try {
      return this.execView(node, this.input.adapter.statement(node), paths, isLast);
    } finally {
      this.depth--;
    }
  }

  private execSequence(statements: SyntaxNode[], paths: Paths, lastIsLast: boolean): Paths {
    let p = paths;
    statements.forEach((s, i) => {
      p = this.exec(s, p, lastIsLast && i === statements.length - 1);
    });
    return p;
  }

  private execView(node: SyntaxNode, view: StatementView, paths: Paths, isLast: boolean): Paths {
    switch (view.kind) {
      case 'block':
        return this.execSequence(view.statements, paths, isLast);
      case 'empty':
        return paths;
      case 'simple': {
        this.noteStatement(node, paths, 'simple');
        const out = this.evaluate(node, paths);
        if (this.holdsFork(node)) return out;
        if (this.input.endsPath(node, isLast)) return Paths.NONE;
        const jumps = this.input.macroJumps?.(node);
        if (jumps) {
          if (jumps.returns) this.note(this.macroReturns, node, out, (mask) => ({ node, mask }));
          for (const label of jumps.gotos) this.jumpTo(label, out);
          if (!jumps.fallsThrough) return Paths.NONE;
        }
        return out;
      }
      case 'return': {
        // `return vfork();` forks and returns in both processes; `return vfork() ? 0 : (_exit(0), 0);` only in the parent.
        let p = paths;
        for (const v of view.values) {
          p = this.evaluate(v, p);
          // `return child_main(argv);` with a callee that never returns: the return is never reached.
          const core = this.values.core(v);
          if (core.type === this.input.adapter.callType && !this.holdsFork(core) && this.input.endsPath(core, false)) return Paths.NONE;
        }
        if (view.values.length === 0) this.noteEvaluation(node, p);
        if (this.holdsFork(node)) this.forkStatement ??= node;
        this.noteStatement(node, p, 'return');
        return Paths.NONE;
      }
      case 'if': {
        // An `else if` chain is followed in a loop, not by recursion: chains of thousands
        // of branches are real (generated code) and must not hit the nesting limit.
        let out = Paths.NONE;
        let ifNode = node;
        let ifView = view;
        let entry = paths;
        for (;;) {
          this.noteStatement(ifNode, entry, 'compound');
          let p = this.evaluate(ifView.init, entry);
          p = this.evaluate(ifView.condition, p);
          const s = this.splitPaths(ifView.condition, p);
          // `if (DEBUG_INIT)` with `#define DEBUG_INIT 0`: the branch the compiler drops is never walked.
          const constant = ifView.condition ? this.input.constantCondition?.(ifView.condition) : undefined;
          if (constant === false) s.whenTrue = Paths.NONE;
          else if (constant === true) s.whenFalse = Paths.NONE;
          // `if (fork()) _exit(0);`: the side where fork() returned 0 is another process, with a copy of the memory.
          const forked = ifView.condition ? this.input.newProcessSide?.(ifView.condition) : undefined;
          if (forked === true) s.whenTrue = Paths.NONE;
          else if (forked === false) s.whenFalse = Paths.NONE;
          out = out.union(this.exec(ifView.then, s.whenTrue, isLast));
          if (!ifView.else) return out.union(s.whenFalse);
          const elseView = this.input.adapter.statement(ifView.else);
          if (elseView.kind !== 'if') return out.union(this.exec(ifView.else, s.whenFalse, isLast));
          ifNode = ifView.else;
          ifView = elseView;
          entry = s.whenFalse;
        }
      }
      case 'loop':
        this.noteStatement(node, paths, 'compound');
        return this.execLoop(node, view, this.evaluate(view.init, paths));
      case 'switch':
        this.noteStatement(node, paths, 'compound');
        return this.execSwitch(view, paths, isLast);
      case 'alternatives': {
        let out = view.mayBeNone ? paths : Paths.NONE;
        for (const alt of view.alternatives) out = out.union(this.execSequence(alt, paths, isLast));
        return out;
      }
      case 'break': {
        const t = this.target(view.label, false);
        if (t) t.breaks = t.breaks.union(paths);
        return Paths.NONE;
      }
      case 'continue': {
        const t = this.target(view.label, true);
        if (t) t.continues = t.continues.union(paths);
        return Paths.NONE;
      }
      case 'fallthrough': {
        const t = this.targets[this.targets.length - 1];
        if (t) t.fallthrough = t.fallthrough.union(paths);
        return Paths.NONE;
      }
      case 'goto': {
        this.noteStatement(node, paths, 'simple');
        this.jumpTo(view.label, paths);
        return Paths.NONE;
      }
      case 'label': {
        const entry = paths.union(this.labelMasks.get(view.label) ?? Paths.NONE);
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
    const { isExec } = this.input;
    if (!isExec) return undefined;
    const view = this.values.view;
    const isExecExpr = (n: SyntaxNode) => {
      const v = view(n);
      return v.kind === 'call' && isExec(v.call);
    };
    const v = view(condition);
    if (v.kind === 'call') return isExecExpr(condition) ? true : undefined;
    if (v.kind === 'not') return isExecExpr(v.operand) ? false : undefined;
    if (v.kind !== 'binary') return undefined;
    const sides: Array<[SyntaxNode, SyntaxNode, string]> = [[v.left, v.right, v.op], [v.right, v.left, ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[v.op] ?? v.op]];
    for (const [call, other, op] of sides) {
      if (!isExecExpr(call)) continue;
      const c = view(other);
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

  private jumpTo(label: string, paths: Paths): void {
    const prev = this.labelMasks.get(label) ?? Paths.NONE;
    if (!prev.covers(paths)) {
      this.labelMasks.set(label, prev.union(paths));
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
   * A loop's result depends only on the paths entering it and the label states: nested
   * loops would otherwise re-run their inner fixed points at every outer iteration
   * (2^depth). Effects on enclosing loops and switches (labelled break/continue) are replayed.
   */
  private readonly loopMemo = new Map<number, { key: string; gen: number; out: Paths; effects: Array<[number, Paths, Paths, Paths]> }>();

  private execLoop(node: SyntaxNode, view: Extract<StatementView, { kind: 'loop' }>, paths: Paths): Paths {
    const memo = this.loopMemo.get(node.id);
    const key = paths.key;
    if (memo && memo.key === key && memo.gen === this.labelGeneration) {
      this.takeLabel();
      for (const [i, b, c, f] of memo.effects) {
        const t = this.targets[i];
        if (t) {
          t.breaks = t.breaks.union(b);
          t.continues = t.continues.union(c);
          t.fallthrough = t.fallthrough.union(f);
        }
      }
      return memo.out;
    }
    const genBefore = this.labelGeneration;
    const outer = this.targets.map((t) => [t.breaks, t.continues, t.fallthrough]);
    const out = this.runLoop(view, paths);
    if (this.labelGeneration === genBefore) {
      const effects: Array<[number, Paths, Paths, Paths]> = [];
      outer.forEach(([b, c, f], i) => {
        const t = this.targets[i];
        if (!t) return;
        const e: [number, Paths, Paths, Paths] = [i, t.breaks.minus(b), t.continues.minus(c), t.fallthrough.minus(f)];
        if (!e[1].isEmpty || !e[2].isEmpty || !e[3].isEmpty) effects.push(e);
      });
      this.loopMemo.set(node.id, { key, gen: genBefore, out, effects });
    }
    return out;
  }

  private runLoop(view: Extract<StatementView, { kind: 'loop' }>, paths: Paths): Paths {
    const target: JumpTarget = { breaks: Paths.NONE, continues: Paths.NONE, fallthrough: Paths.NONE, label: this.takeLabel(), isLoop: true };
    this.targets.push(target);
    try {
      let back = Paths.NONE;
      let exit = Paths.NONE;
      for (let i = 0; i < 12; i++) {
        let next: Paths;
        if (view.testsFirst) {
          const head = this.evaluate(view.condition, paths.union(back));
          const s = this.splitPaths(view.condition, head);
          exit = view.condition ? s.whenFalse : Paths.NONE;
          const bodyOut = this.exec(view.body, s.whenTrue, false).union(target.continues);
          next = this.evaluate(view.update, bodyOut);
        } else {
          const bodyOut = this.exec(view.body, paths.union(back), false).union(target.continues);
          const tail = this.evaluate(view.condition, bodyOut);
          const s = this.splitPaths(view.condition, tail);
          exit = view.condition ? s.whenFalse : Paths.NONE;
          next = s.whenTrue;
        }
        if (back.covers(next)) break;
        back = back.union(next);
      }
      return exit.union(target.breaks);
    } finally {
      this.targets.pop();
    }
  }

  private takeLabel(): string | undefined {
    const l = this.pendingLabel;
    this.pendingLabel = undefined;
    return l;
  }

  private execSwitch(view: Extract<StatementView, { kind: 'switch' }>, paths: Paths, isLast: boolean): Paths {
    const target: JumpTarget = { breaks: Paths.NONE, continues: Paths.NONE, fallthrough: Paths.NONE, label: this.takeLabel(), isLoop: false };
    let m = this.evaluate(view.init, paths);
    m = this.evaluate(view.subject, m);
    const subject = view.subject;
    const valueIn = (facts: Facts) => (subject ? this.values.valueOf(subject, facts) : undefined);
    /** Outcomes a case's values select on paths that know `facts` (all, when the subject is no fork result). */
    const caseOutcomes = (values: SyntaxNode[], facts: Facts): number => {
      const b = valueIn(facts);
      if (!b) return ALL_OUTCOMES;
      let outcomes = 0;
      for (const v of values) {
        const e = this.values.view(v);
        outcomes |= e.kind === 'integer' ? this.conditions.caseOutcomes(b, e.value) : ALL_OUTCOMES;
      }
      return outcomes;
    };
    this.targets.push(target);
    try {
      let fall = Paths.NONE;
      let out = Paths.NONE;
      const previous: SyntaxNode[][] = [];
      let hasDefault = false;
      // For an expression-less Go switch, each case is a condition tried in order.
      let remaining = m;
      /** Paths whose subject matched none of the cases listed so far. */
      const unmatched = () => m.mapMask((mask, facts) => (valueIn(facts) ? restrict(mask, ALL_OUTCOMES & ~previous.reduce((acc, vs) => acc | caseOutcomes(vs, facts), 0)) : mask));
      for (const c of view.cases) {
        let entry: Paths;
        if (!c.values) {
          hasDefault = true;
          entry = subject ? unmatched() : remaining;
        } else if (subject) {
          const values = c.values;
          entry = m.mapMask((mask, facts) => restrict(mask, caseOutcomes(values, facts)));
          previous.push(values);
        } else if (c.values.length > 0) {
          let t = Paths.NONE;
          let f = remaining;
          for (const v of c.values) {
            this.noteEvaluation(v, remaining);
            const s = this.splitPaths(v, remaining);
            t = t.union(s.whenTrue);
            f = this.splitPaths(v, f).whenFalse;
          }
          entry = t;
          remaining = f;
        } else {
          entry = m;
        }
        target.fallthrough = Paths.NONE;
        const caseOut = this.execSequence(c.statements, entry.union(fall), isLast);
        if (view.fallsThrough) {
          fall = caseOut;
        } else {
          out = out.union(caseOut);
          fall = target.fallthrough;
        }
      }
      out = out.union(fall);
      if (!hasDefault) out = out.union(subject ? unmatched() : remaining);
      return out.union(target.breaks);
    } finally {
      this.targets.pop();
    }
  }
}
