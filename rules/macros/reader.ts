/**
 * A walk over an expansion's synthetic tree that records what runs: calls in evaluation
 * order, writes, locals, fork calls, `return`/`goto`, and how each statement can end
 * (falls through, returns, jumps, never returns). Conditions with a constant value make
 * the branch they exclude dead; so does anything after a path end.
 */
import type { SyntaxNode } from '../parser.js';
import { constantValue } from './constant.js';
import { named, unwrap } from './view.js';

export interface ReaderOptions {
  noReturn: ReadonlySet<string>;
  forks: ReadonlyMap<string, string>;
  neverReturnsWith?(name: string, args: readonly string[]): boolean;
}

export type Exit = 'next' | 'return' | 'goto' | 'exit' | 'break' | 'continue';
export type Exits = Set<Exit>;

const NOT_EVALUATED = new Set(['sizeof_expression', 'alignof_expression', 'offsetof_expression', 'attribute_specifier', 'attribute_declaration', 'ms_declspec_modifier', 'gnu_asm_expression', 'type_descriptor', 'string_literal', 'concatenated_string', 'char_literal', 'comment']);
const MAX_NESTING = 400;

export const next = (): Exits => new Set<Exit>(['next']);

/** The variable an lvalue writes, and whether the write goes through a pointer. */
export function rootOf(lvalue: SyntaxNode): { name?: string; indirect: boolean } {
  let n = unwrap(lvalue);
  let indirect = false;
  for (let guard = 0; guard < 256; guard++) {
    if (n.type === 'identifier') return { name: n.text, indirect };
    if (n.type === 'field_expression') {
      if (n.child(1)?.type === '->') indirect = true;
    } else if (n.type === 'pointer_expression') indirect = true;
    else if (n.type !== 'subscript_expression') return { indirect: true };
    const inner = n.childForFieldName('argument');
    if (!inner) return { indirect: true };
    n = unwrap(inner);
  }
  return { indirect: true };
}

const DECLARATORS = new Set(['identifier', 'init_declarator', 'pointer_declarator', 'array_declarator', 'function_declarator', 'parenthesized_declarator']);

/** The name a declarator declares (`*p`, `a[4]`, `(*fn)(void)` give p, a, fn). */
export function declaredName(declarator: SyntaxNode | undefined): string | undefined {
  let d = declarator;
  for (let guard = 0; d && guard < 256; guard++) {
    if (d.type === 'identifier') return d.text;
    d = d.childForFieldName('declarator') ?? (d.type === 'parenthesized_declarator' ? named(d)[0] : undefined);
  }
  return undefined;
}

export class Reader {
  readonly calls: Array<{ name: string; direct: boolean; dead: boolean; node: SyntaxNode }> = [];
  readonly writes: Array<{ lvalue: string; dead: boolean; node: SyntaxNode; root: ReturnType<typeof rootOf> }> = [];
  readonly locals = new Set<string>();
  readonly gotos: string[] = [];
  readonly forkCalls: Array<{ spelling: string; kind: string; dead: boolean; node: SyntaxNode }> = [];
  returns = false;
  complete = true;
  private nesting = 0;

  constructor(private readonly options: ReaderOptions) {}

  /** Run `parts` one after another: once one cannot go on, the rest are dead. */
  private sequence(parts: SyntaxNode[], dead: boolean): Exits {
    let result = next();
    for (const part of parts) {
      const live = !dead && result.has('next');
      const r = this.visit(part, !live);
      if (!live) continue;
      result.delete('next');
      for (const e of r) result.add(e);
    }
    return result;
  }

  /** Two branches of a condition whose value is `v` (undefined: unknown). */
  private branch(cond: Exits, v: bigint | undefined, yes: () => Exits, no: () => Exits): Exits {
    const a = yes();
    const b = no();
    if (!cond.has('next')) return cond;
    const out = new Set(cond);
    out.delete('next');
    for (const e of v === undefined ? [...a, ...b] : v ? a : b) out.add(e);
    return out;
  }

  visit(node: SyntaxNode, dead: boolean): Exits {
    if (NOT_EVALUATED.has(node.type)) return next();
    if (++this.nesting > MAX_NESTING) {
      this.complete = false;
      this.nesting--;
      return next();
    }
    try {
      return this.visitInner(node, dead);
    } finally {
      this.nesting--;
    }
  }

  /**
   * `while`/`for` (condition first) and `do` (body first). The loop is left when the
   * condition can be false or the body breaks; a constant-true condition with no `break`
   * never ends (a path end, as RULES counts `for (;;) {}`).
   */
  private loop(cond: SyntaxNode | undefined, body: SyntaxNode | undefined, before: SyntaxNode[], after: SyntaxNode[], dead: boolean, bodyFirst: boolean): Exits {
    const pre = this.sequence(before, dead);
    const live = !dead && pre.has('next');
    const v = cond ? constantValue(cond.text) : 1n;
    let c: Exits;
    let b: Exits;
    if (bodyFirst) {
      b = body ? this.visit(body, !live) : next();
      c = cond ? this.visit(cond, !live || !(b.has('next') || b.has('continue'))) : next();
    } else {
      c = cond ? this.visit(cond, !live) : next();
      b = body ? this.visit(body, !live || v === 0n || !c.has('next')) : next();
    }
    this.sequence(after, !live || v === 0n);
    if (!pre.has('next')) return pre;
    const out = new Set<Exit>([...pre].filter((e) => e !== 'next'));
    for (const e of c) if (e !== 'next') out.add(e);
    const condRuns = bodyFirst ? b.has('next') || b.has('continue') : true;
    if (condRuns && !c.has('next')) return out;
    if (!bodyFirst && v === 0n) return out.add('next');
    for (const e of b) if (e === 'return' || e === 'goto' || e === 'exit') out.add(e);
    const condMayBeFalse = v === undefined || v === 0n;
    if (b.has('break') || (condRuns && condMayBeFalse)) out.add('next');
    return out;
  }

  private visitInner(node: SyntaxNode, dead: boolean): Exits {
    const f = (name: string) => node.childForFieldName(name) ?? undefined;
    switch (node.type) {
      case 'ERROR':
        this.complete = false;
        return this.sequence(named(node), dead);
      case 'compound_statement':
      case 'translation_unit':
        return this.sequence(named(node), dead);
      case 'labeled_statement':
        return this.sequence(named(node).filter((c) => c.type !== 'statement_identifier'), dead);
      // A statement `if` and an expression `?:` branch alike.
      case 'if_statement':
      case 'conditional_expression': {
        const condNode = f('condition');
        const cond = condNode ? this.visit(condNode, dead) : next();
        const v = condNode ? constantValue(condNode.text) : undefined;
        const cons = f('consequence');
        const alt = f('alternative');
        const d = dead || !cond.has('next');
        return this.branch(cond, v, () => (cons ? this.visit(cons, d || v === 0n) : next()), () => (alt ? this.visit(alt, d || (v !== undefined && v !== 0n)) : next()));
      }
      case 'binary_expression': {
        const op = node.child(1)?.type;
        const left = f('left');
        const right = f('right');
        if ((op === '&&' || op === '||') && left && right) {
          const l = this.visit(left, dead);
          const v = constantValue(left.text);
          const skipped = v !== undefined && (op === '&&' ? v === 0n : v !== 0n);
          const r = this.visit(right, dead || skipped || !l.has('next'));
          if (!l.has('next') || skipped) return l;
          const out = new Set(r);
          if (v === undefined) out.add('next');
          return out;
        }
        return this.sequence(named(node), dead);
      }
      case 'do_statement':
        return this.loop(f('condition'), f('body'), [], [], dead, true);
      case 'while_statement':
        return this.loop(f('condition'), f('body'), [], [], dead, false);
      case 'for_statement': {
        const init = f('initializer');
        const update = f('update');
        return this.loop(f('condition'), f('body'), init ? [init] : [], update ? [update] : [], dead, false);
      }
      case 'return_statement': {
        const r = this.sequence(named(node), dead);
        if (!r.has('next')) return r;
        if (!dead) this.returns = true;
        return new Set<Exit>(['return']);
      }
      case 'goto_statement': {
        if (!dead) this.gotos.push(f('label')?.text ?? '');
        return new Set<Exit>(['goto']);
      }
      case 'break_statement':
        return new Set<Exit>(['break']);
      case 'continue_statement':
        return new Set<Exit>(['continue']);
      case 'switch_statement': {
        const cond = f('condition');
        const c = cond ? this.visit(cond, dead) : next();
        const body = f('body');
        const b = body ? this.visit(body, dead || !c.has('next')) : next();
        if (!c.has('next')) return c;
        const out = new Set([...b].filter((e) => e !== 'break'));
        return out.add('next');
      }
      case 'init_declarator': {
        const name = declaredName(f('declarator'));
        if (name) this.locals.add(name);
        const value = f('value');
        return value ? this.visit(value, dead) : next();
      }
      case 'declaration': {
        const type = f('type');
        const declarators = named(node).filter((c) => c.startIndex !== type?.startIndex && DECLARATORS.has(c.type));
        for (const d of declarators) {
          const name = d.type === 'init_declarator' ? undefined : declaredName(d);
          if (name) this.locals.add(name);
        }
        return this.sequence(declarators.filter((c) => c.type === 'init_declarator'), dead);
      }
      case 'assignment_expression': {
        const left = f('left');
        const right = f('right');
        const r = this.sequence([right, left].filter((x): x is SyntaxNode => !!x), dead);
        if (left) this.writes.push({ lvalue: left.text, dead, node: left, root: rootOf(left) });
        return r;
      }
      case 'update_expression': {
        const arg = f('argument');
        const r = this.sequence(named(node), dead);
        if (arg) this.writes.push({ lvalue: arg.text, dead, node: arg, root: rootOf(arg) });
        return r;
      }
      case 'call_expression': {
        const fn = f('function');
        const args = f('arguments');
        const r = this.sequence([fn, args].filter((x): x is SyntaxNode => !!x), dead);
        const callee = fn ? unwrap(fn) : undefined;
        const direct = callee?.type === 'identifier';
        const name = callee?.text ?? '';
        const isDead = dead || !r.has('next');
        this.calls.push({ name, direct, dead: isDead, node });
        const kind = direct ? this.options.forks.get(name) : undefined;
        if (kind !== undefined) this.forkCalls.push({ spelling: name, kind, dead: isDead, node });
        if (!r.has('next')) return r;
        if (!direct) return r;
        const ends = this.options.noReturn.has(name) || !!this.options.neverReturnsWith?.(name, args ? named(args).map((a) => a.text) : []);
        return ends ? new Set<Exit>(['exit']) : r;
      }
      default:
        return this.sequence(named(node), dead);
    }
  }
}
