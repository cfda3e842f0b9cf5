/**
 * The fork result as a value (docs/rules.md, section 3, "The fork result is a value, not a
 * name"): which lvalue holds it on a path, what an expression's value is in terms of it,
 * and how an assignment changes what each path knows.
 */
import type { ExpressionView, LanguageAdapter } from '../language/adapter.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, field, fieldChildren, lastName, operatorOf } from '../syntax.js';
import { binding, type Binding, type Facts } from './path-state.js';
import { isPassThroughName } from './pass-through.js';

/** Node types that name a storage location: `pid`, `cmd->pid`, `pids[i]`, `*out`, `s.pid`. */
const LVALUE_TYPES = new Set(['identifier', 'field_expression', 'subscript_expression', 'pointer_expression', 'selector_expression', 'index_expression', 'unary_expression']);

/** Text that writes or calls: `++`/`--`, an assignment (not `==`, `!=`, `<=`, `>=`), a call. An lvalue key may not hold it (two spellings would mean different places). */
export const WRITES_OR_CALLS = /\+\+|--|[^=!<>]=(?!=)|\w\s*\(/;

/** Node types that assign or declare (what `assignmentsIn` looks at). */
export const ASSIGNING_TYPES = new Set(['assignment_expression', 'update_expression', 'init_declarator', 'declaration', 'assignment_statement', 'short_var_declaration', 'inc_statement', 'dec_statement', 'var_spec']);

const identity: Binding = { role: 'pid', sign: 1, offset: 0 };
const errIdentity: Binding = { role: 'err', sign: 1, offset: 0 };
/** What a C exec call returns when it returns at all: the constant -1 (the role is immaterial for a constant). */
const EXEC_FAILED_VALUE: Binding = { role: 'pid', sign: 0, offset: -1 };

export class ResultValues {
  constructor(
    private readonly adapter: LanguageAdapter,
    private readonly forkCall: SyntaxNode | undefined,
    private readonly macros: ReadonlySet<string>,
    /** What a macro use computes, read as code (FlowInput.macroValue). */
    private readonly macroValue?: (call: SyntaxNode) => SyntaxNode | undefined,
    /** Is this call an exec (FlowInput.isExec)? In C, an exec that returns has failed and returns -1. */
    private readonly isExec?: (call: SyntaxNode) => boolean,
    /** Locals the flow carries as constants from their declaration on (constant-locals.ts). */
    private readonly constantPlaces: ReadonlySet<string> = new Set(),
  ) {}

  /** C: is `node` (seen through parentheses, casts and wrappers) a call of an exec, whose value on any path past it is -1? */
  private isFailedExecValue(node: SyntaxNode): boolean {
    if (!this.isExec || this.adapter.language !== 'c') return false;
    const v = this.view(node);
    return v.kind === 'call' && this.isExec(v.call);
  }

  /** Does the flow carry any local as a constant? */
  get keepsConstants(): boolean {
    return this.constantPlaces.size > 0;
  }

  /** Does this text name a local the flow carries as a constant (so evaluating it may set one)? */
  mayAssignConstant(text: string): boolean {
    for (const name of this.constantPlaces) if (text.includes(name)) return true;
    return false;
  }

  /** The pass-through wrapper's argument, if `call` is such a wrapper. */
  passThroughArgument(call: SyntaxNode): SyntaxNode | undefined {
    const callee = this.adapter.calleeText(call);
    if (!callee || !this.adapter.calleeIsName(call) || !isPassThroughName(lastName(callee), this.macros)) return undefined;
    return this.adapter.arguments(call)[0];
  }

  /** The adapter's view, seeing through pass-through wrappers and into what a macro use computes. */
  view = (node: SyntaxNode): ExpressionView => {
    let v = this.adapter.expression(node);
    for (let i = 0; i < 20 && v.kind === 'call'; i++) {
      const arg = this.passThroughArgument(v.call) ?? this.macroValue?.(v.call);
      if (!arg) break;
      v = this.adapter.expression(arg);
    }
    return v;
  };

  /** `node` without parentheses, casts, conversions and pass-through wrappers. */
  core(node: SyntaxNode): SyntaxNode {
    let n = node;
    for (let i = 0; i < 100; i++) {
      if (n.type === 'parenthesized_expression') {
        const inner = codeChildren(n);
        if (inner.length !== 1) return n;
        n = inner[0];
      } else if (n.type === 'cast_expression') {
        const v = field(n, 'value');
        if (!v) return n;
        n = v;
      } else if (n.type === this.adapter.callType) {
        const arg = this.adapter.isConversion(n) && this.adapter.arguments(n).length === 1 ? this.adapter.arguments(n)[0] : this.passThroughArgument(n);
        if (!arg) return n;
        n = arg;
      } else {
        return n;
      }
    }
    return n;
  }

  /** The normalised text of the place `node` names, or undefined when it names none. */
  key(node: SyntaxNode): string | undefined {
    const n = this.core(node);
    if (!LVALUE_TYPES.has(n.type)) return undefined;
    if (n.type === 'identifier') return n.text;
    if ((n.type === 'pointer_expression' || n.type === 'unary_expression') && operatorOf(n) !== '*') return undefined;
    if (n.endIndex - n.startIndex > 200 || WRITES_OR_CALLS.test(n.text)) return undefined;
    return n.text.replace(/\s+/g, '');
  }

  isFork(node: SyntaxNode): boolean {
    return !!this.forkCall && this.core(node).id === this.forkCall.id;
  }

  /** `node`'s value in terms of the fork result on paths that know `facts`. */
  valueOf(node: SyntaxNode, facts: Facts, depth = 0): Binding | undefined {
    if (depth > 50) return undefined;
    const n = this.core(node);
    // An exec that returns failed: its value is the constant -1 (`if (logit() || execve(...)) _exit(2);`, `r = execvp(...)`).
    if (this.isFailedExecValue(n)) return EXEC_FAILED_VALUE;
    if (!this.forkCall) return undefined;
    if (n.id === this.forkCall.id) return identity;
    // `c ? fork() : vfork()`: on the paths where the fork ran, the value is its result.
    if (n.type === 'conditional_expression') {
      for (const arm of [field(n, 'consequence'), field(n, 'alternative')]) if (arm && this.isFork(arm)) return identity;
      return undefined;
    }
    const k = this.key(n);
    if (k !== undefined) return facts.bindings.get(k);
    const v = this.view(n);
    switch (v.kind) {
      case 'assign':
        return v.op === '=' ? this.valueOf(v.value, facts, depth + 1) : undefined;
      case 'negate': {
        const b = this.valueOf(v.operand, facts, depth + 1);
        return b && binding(b.role, (b.sign === 0 ? 0 : -b.sign) as 1 | -1 | 0, -b.offset);
      }
      case 'call':
        return v.call.id === this.forkCall.id ? identity : undefined;
      case 'binary': {
        if (v.op !== '+' && v.op !== '-') return undefined;
        const r = this.view(v.right);
        const l = this.view(v.left);
        if (r.kind === 'integer') {
          const b = this.valueOf(v.left, facts, depth + 1);
          return b && binding(b.role, b.sign, b.offset + (v.op === '+' ? r.value : -r.value));
        }
        if (l.kind === 'integer' && v.op === '+') {
          const b = this.valueOf(v.right, facts, depth + 1);
          return b && binding(b.role, b.sign, b.offset + l.value);
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * Would assigning `value` give the place a meaning? A constant means something in a place
   * that had one, and in a local the flow carries as a constant (`place` names it).
   */
  private assigned(value: SyntaxNode | undefined, facts: Facts, previous: Binding | undefined, place?: string): Binding | undefined {
    if (!value) return undefined;
    const b = this.valueOf(value, facts);
    if (b) return b;
    const v = this.view(value);
    if (v.kind !== 'integer') return undefined;
    if (previous) return binding(previous.role, 0, v.value);
    return place !== undefined && this.constantPlaces.has(place) ? binding('pid', 0, v.value) : undefined;
  }

  /**
   * The facts after one assigning node (`pid = ...`, `pid--`, `r1, _, err1 = RawSyscall(...)`,
   * `pid_t pid = vfork();`): evaluable changes keep what the path knows; anything else
   * forgets the place, and every place whose spelling goes through it (`pids[i]` when `i`
   * changes).
   */
  assign(node: SyntaxNode, facts: Facts): Facts {
    const changes: Array<[string, Binding | undefined]> = [];
    const set = (place: SyntaxNode | undefined, compute: (previous: Binding | undefined, key: string) => Binding | undefined) => {
      if (!place) return;
      const k = this.key(place);
      if (k !== undefined) changes.push([k, compute(facts.bindings.get(k), k)]);
    };
    switch (node.type) {
      case 'assignment_expression': {
        const op = operatorOf(node);
        const right = field(node, 'right');
        set(field(node, 'left'), (prev, key) => this.compound(op, right, facts, prev, key));
        break;
      }
      case 'update_expression': {
        const step = node.text.includes('++') ? 1 : -1;
        set(field(node, 'argument'), (prev) => prev && binding(prev.role, prev.sign, prev.offset + step));
        break;
      }
      case 'inc_statement':
      case 'dec_statement': {
        const step = node.type === 'inc_statement' ? 1 : -1;
        set(node.namedChild(0) ?? undefined, (prev) => prev && binding(prev.role, prev.sign, prev.offset + step));
        break;
      }
      case 'init_declarator': {
        const declarator = field(node, 'declarator')?.text ?? '';
        const name = this.adapter.declaredNames(node.parent ?? node).find((nm) => dependsOn(declarator, nm));
        const value = field(node, 'value');
        if (name) changes.push([name, this.assigned(value, facts, undefined, name)]);
        break;
      }
      case 'declaration':
        // A declaration without an initialiser hides any place of that name.
        for (const d of fieldChildren(node, 'declarator')) if (d.type !== 'init_declarator') for (const nm of this.adapter.declaredNames(node)) if (dependsOn(d.text, nm)) changes.push([nm, undefined]);
        break;
      case 'assignment_statement':
      case 'short_var_declaration':
      case 'var_spec': {
        const lefts = node.type === 'var_spec' ? fieldChildren(node, 'name') : codeChildren(field(node, 'left') ?? node);
        const rightNode = field(node, node.type === 'var_spec' ? 'value' : 'right');
        const rights = rightNode ? codeChildren(rightNode) : [];
        const op = node.type === 'assignment_statement' ? operatorOf(node) : '=';
        if (rights.length === 1 && lefts.length > 1) {
          // `r1, _, err1 = RawSyscall(...)`: the first is the pid, the last the errno.
          const fork = this.isFork(rights[0]);
          lefts.forEach((l, i) => set(l, () => (!fork ? undefined : i === 0 ? identity : i === lefts.length - 1 ? errIdentity : undefined)));
        } else {
          lefts.forEach((l, i) => set(l, (prev) => this.compound(op, rights[i], facts, prev)));
        }
        break;
      }
      default:
        break;
    }
    if (changes.length === 0) return facts;
    const bindings = new Map(facts.bindings);
    for (const [k, b] of changes) {
      for (const other of [...bindings.keys()]) if (other !== k && dependsOn(other, k)) bindings.delete(other);
      if (b) bindings.set(k, b);
      else bindings.delete(k);
    }
    return { bindings, exec: facts.exec };
  }

  private compound(op: string, right: SyntaxNode | undefined, facts: Facts, prev: Binding | undefined, place?: string): Binding | undefined {
    if (op === '=' || op === ':=') return this.assigned(right, facts, prev, place);
    if ((op === '+=' || op === '-=') && prev && right) {
      const v = this.view(right);
      if (v.kind === 'integer') return binding(prev.role, prev.sign, prev.offset + (op === '+=' ? v.value : -v.value));
    }
    return undefined;
  }
}

/** Does the place spelled `place` go through the place `part` (`pids[i]` through `i`, `cmd->pid` through `cmd`)? */
function dependsOn(place: string, part: string): boolean {
  let at = place.indexOf(part);
  while (at >= 0) {
    const before = place[at - 1];
    const after = place[at + part.length];
    if (!(before && /\w/.test(before)) && !(after && /\w/.test(after))) return true;
    at = place.indexOf(part, at + 1);
  }
  return false;
}
