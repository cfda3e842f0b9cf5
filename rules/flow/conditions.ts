/** Which fork outcomes make a condition true or false (docs/rules.md, section 3, "Tests that split the state"). */
import type { ExpressionView } from '../language/adapter.js';
import type { SyntaxNode } from '../parser.js';
import { ALL_OUTCOMES, CHILD, FAILED, PARENT, type Binding, type ResultRole } from './path-state.js';

export type { ResultRole } from './path-state.js';

export interface Split {
  whenTrue: number;
  whenFalse: number;
}

const UNKNOWN: Split = { whenTrue: ALL_OUTCOMES, whenFalse: ALL_OUTCOMES };

/** The values each result can have for each outcome: the child gets pid 0, the parent a positive pid, a failure -1 / a positive errno. */
const RANGES: Record<ResultRole, Array<[number, number, number]>> = {
  pid: [[CHILD, 0, 0], [PARENT, 1, Infinity], [FAILED, -1, -1]],
  err: [[CHILD, 0, 0], [PARENT, 0, 0], [FAILED, 1, Infinity]],
};

/** Can `x op c` be true / false for some x in [lo, hi]? */
function possible(lo: number, hi: number, op: string, c: number): { canTrue: boolean; canFalse: boolean } | undefined {
  switch (op) {
    case '==': return { canTrue: lo <= c && c <= hi, canFalse: !(lo === c && hi === c) };
    case '!=': return { canTrue: !(lo === c && hi === c), canFalse: lo <= c && c <= hi };
    case '<': return { canTrue: lo < c, canFalse: hi >= c };
    case '<=': return { canTrue: lo <= c, canFalse: hi > c };
    case '>': return { canTrue: hi > c, canFalse: lo <= c };
    case '>=': return { canTrue: hi >= c, canFalse: lo < c };
    default: return undefined;
  }
}

/** The outcomes for which `value op constant` can be true, and those for which it can be false. */
export function compareBinding(value: Binding, op: string, constant: number): Split | undefined {
  let whenTrue = 0;
  let whenFalse = 0;
  for (const [outcome, lo0, hi0] of RANGES[value.role]) {
    let lo = value.sign === 0 ? value.offset : value.sign * lo0 + value.offset;
    let hi = value.sign === 0 ? value.offset : value.sign * hi0 + value.offset;
    if (lo > hi) [lo, hi] = [hi, lo];
    const p = possible(lo, hi, op, constant);
    if (!p) return undefined;
    if (p.canTrue) whenTrue |= outcome;
    if (p.canFalse) whenFalse |= outcome;
  }
  return { whenTrue, whenFalse };
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

export class ConditionReader {
  constructor(
    /** The expression view with pass-through wrappers (`__builtin_expect`, `likely`) seen through. */
    private readonly view: (node: SyntaxNode) => ExpressionView,
  ) {}

  /** Outcomes for which a switch case value `constant` matches the result. */
  caseOutcomes(value: Binding, constant: number): number {
    return compareBinding(value, '==', constant)?.whenTrue ?? ALL_OUTCOMES;
  }

  /** The split of `node` for paths on which `valueOf` says what each expression holds. */
  split(node: SyntaxNode, valueOf: (node: SyntaxNode) => Binding | undefined): Split {
    return this.splitAt(node, valueOf, 0);
  }

  private splitAt(node: SyntaxNode, valueOf: (node: SyntaxNode) => Binding | undefined, depth: number): Split {
    if (depth > 200) return UNKNOWN;
    const view = this.view(node);
    if (view.kind === 'not') {
      const s = this.splitAt(view.operand, valueOf, depth + 1);
      return { whenTrue: s.whenFalse, whenFalse: s.whenTrue };
    }
    if (view.kind === 'binary') {
      if (view.op === '&&' || view.op === '||') {
        const l = this.splitAt(view.left, valueOf, depth + 1);
        const r = this.splitAt(view.right, valueOf, depth + 1);
        return view.op === '&&'
          ? { whenTrue: l.whenTrue & r.whenTrue, whenFalse: l.whenFalse | r.whenFalse }
          : { whenTrue: l.whenTrue | r.whenTrue, whenFalse: l.whenFalse & r.whenFalse };
      }
      if (FLIP[view.op]) {
        let value = valueOf(view.left);
        let constant = this.view(view.right);
        let op = view.op;
        if (!value) {
          value = valueOf(view.right);
          constant = this.view(view.left);
          op = FLIP[view.op];
        }
        if (value && constant.kind === 'integer') return compareBinding(value, op, constant.value) ?? UNKNOWN;
      }
      return UNKNOWN;
    }
    const value = valueOf(node);
    if (value) return compareBinding(value, '!=', 0) ?? UNKNOWN;
    return UNKNOWN;
  }
}
