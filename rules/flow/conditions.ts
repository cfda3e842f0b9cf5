/** Which fork outcomes make a condition true or false (docs/rules.md, section 3, "Tests that split the state"). */
import type { LanguageAdapter } from '../language/adapter.js';
import type { SyntaxNode } from '../parser.js';
import { ALL_OUTCOMES, CHILD, FAILED, PARENT } from './path-state.js';

export interface Split {
  whenTrue: number;
  whenFalse: number;
}

const UNKNOWN: Split = { whenTrue: ALL_OUTCOMES, whenFalse: ALL_OUTCOMES };

export type ResultRole = 'pid' | 'err';

/** A representative value of each result for each outcome: the child gets pid 0, the parent a pid, a failure -1 / errno. */
const REPRESENTATIVE: Record<ResultRole, Array<[number, number]>> = {
  pid: [[CHILD, 0], [PARENT, 1], [FAILED, -1]],
  err: [[CHILD, 0], [PARENT, 0], [FAILED, 1]],
};

function compare(a: number, op: string, b: number): boolean | undefined {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: return undefined;
  }
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

export class ConditionReader {
  constructor(
    private readonly adapter: LanguageAdapter,
    /** The role of an expression as a fork result, or undefined. */
    private readonly roleOf: (node: SyntaxNode) => ResultRole | undefined,
  ) {}

  /** Outcomes for which `value` compares true with `constant`. */
  private outcomesWhere(role: ResultRole, op: string, constant: number): number | undefined {
    let out = 0;
    for (const [outcome, v] of REPRESENTATIVE[role]) {
      const r = compare(v, op, constant);
      if (r === undefined) return undefined;
      if (r) out |= outcome;
    }
    return out;
  }

  /** Outcomes for which a switch case value `constant` matches the result. */
  caseOutcomes(role: ResultRole, constant: number): number {
    return this.outcomesWhere(role, '==', constant) ?? ALL_OUTCOMES;
  }

  split(node: SyntaxNode): Split {
    // An explicit stack keeps deep `a && b && c ...` chains from overflowing.
    return this.splitAt(node, 0);
  }

  private splitAt(node: SyntaxNode, depth: number): Split {
    if (depth > 200) return UNKNOWN;
    const view = this.adapter.expression(node);
    if (view.kind === 'not') {
      const s = this.splitAt(view.operand, depth + 1);
      return { whenTrue: s.whenFalse, whenFalse: s.whenTrue };
    }
    if (view.kind === 'binary') {
      if (view.op === '&&' || view.op === '||') {
        const l = this.splitAt(view.left, depth + 1);
        const r = this.splitAt(view.right, depth + 1);
        return view.op === '&&'
          ? { whenTrue: l.whenTrue & r.whenTrue, whenFalse: l.whenFalse | r.whenFalse }
          : { whenTrue: l.whenTrue | r.whenTrue, whenFalse: l.whenFalse & r.whenFalse };
      }
      if (FLIP[view.op]) {
        let role = this.roleOf(view.left);
        let constant = this.adapter.expression(view.right);
        let op = view.op;
        if (!role) {
          role = this.roleOf(view.right);
          constant = this.adapter.expression(view.left);
          op = FLIP[view.op];
        }
        if (role && constant.kind === 'integer') {
          const t = this.outcomesWhere(role, op, constant.value);
          if (t !== undefined) return { whenTrue: t, whenFalse: ALL_OUTCOMES & ~t };
        }
      }
      return UNKNOWN;
    }
    const role = this.roleOf(node);
    if (role) {
      const t = this.outcomesWhere(role, '!=', 0)!;
      return { whenTrue: t, whenFalse: ALL_OUTCOMES & ~t };
    }
    return UNKNOWN;
  }
}

