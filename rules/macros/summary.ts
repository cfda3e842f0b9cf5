/**
 * What an expansion does, read from its synthetic tree without the flow pass: the calls it
 * makes (and which of them sit under a constant-false condition, so never run), writes,
 * `return`/`goto`, whether execution can go on after the use, and fork calls.
 */
import type { SyntaxNode } from '../parser.js';
import { constantValue } from './constant.js';
import type { MacroToken } from './expand.js';
import { unwrap, type MacroCode } from './view.js';

export interface SummaryOptions {
  /** Functions that never return (`_exit`, `exit`, `abort`, the project's noreturn functions). */
  noReturn: ReadonlySet<string>;
  /** Fork spellings and their kinds (`vfork` -> `vfork`, `fork` -> `fork`). */
  forks: ReadonlyMap<string, string>;
}

export interface MacroCall {
  /** The callee's name (`perror`), or the callee's text for a call through an expression (`ops->run`). */
  name: string;
  /** Called by name, not through a pointer expression. */
  direct: boolean;
  /** Under a constant-false condition or after a path end: never runs. */
  dead: boolean;
  node: SyntaxNode;
}

export interface MacroWrite {
  /** The lvalue as written in the expansion (`G.top`, `*p`, `x`). */
  lvalue: string;
  /** To a variable the expansion declares itself (not through a pointer): invisible outside it. */
  local: boolean;
  dead: boolean;
  node: SyntaxNode;
}

export interface MacroFork {
  spelling: string;
  kind: string;
  /**
   * `value`: the fork's result is the expansion's value (`vfork()`, busybox's `xvfork()`);
   * `held`: it is stored in `heldIn` and not the value; `discarded`: neither.
   */
  result: 'value' | 'held' | 'discarded';
  heldIn?: string;
  dead: boolean;
  node: SyntaxNode;
}

export interface MacroSummary {
  /** In evaluation order (arguments before their call). */
  calls: MacroCall[];
  writes: MacroWrite[];
  /** Names the expansion declares. */
  locals: string[];
  forks: MacroFork[];
  /** A `return` that can run. */
  returns: boolean;
  /** Labels of `goto`s that can run. */
  gotos: string[];
  /** A `break` or `continue` that leaves the expansion (into the user's loop or switch). */
  breaks: boolean;
  /** Some path reaches the end of the expansion: the code after the use runs. */
  fallsThrough: boolean;
  /** Every path ends in a call to a never-returning function (or an endless loop): the use is a path end. */
  neverReturns: boolean;
  /** False when the expansion is not code on its own or too deep to read: treat the use as not analysed. */
  complete: boolean;
}

type Exit = 'next' | 'return' | 'goto' | 'exit' | 'break' | 'continue';
type Exits = Set<Exit>;

const NOT_EVALUATED = new Set(['sizeof_expression', 'alignof_expression', 'offsetof_expression', 'attribute_specifier', 'attribute_declaration', 'ms_declspec_modifier', 'gnu_asm_expression', 'type_descriptor', 'string_literal', 'concatenated_string', 'char_literal', 'comment']);
const MAX_NESTING = 400;

const next = (): Exits => new Set<Exit>(['next']);

function named(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((c) => c.type !== 'comment');
}

/** The variable an lvalue writes, and whether the write goes through a pointer. */
function rootOf(lvalue: SyntaxNode): { name?: string; indirect: boolean } {
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
function declaredName(declarator: SyntaxNode | undefined): string | undefined {
  let d = declarator;
  for (let guard = 0; d && guard < 256; guard++) {
    if (d.type === 'identifier') return d.text;
    d = d.childForFieldName('declarator') ?? (d.type === 'parenthesized_declarator' ? named(d)[0] : undefined);
  }
  return undefined;
}

class Reader {
  readonly calls: MacroCall[] = [];
  readonly writes: Array<Omit<MacroWrite, 'local'> & { root: ReturnType<typeof rootOf> }> = [];
  readonly locals = new Set<string>();
  readonly gotos: string[] = [];
  readonly forkCalls: Array<{ spelling: string; kind: string; dead: boolean; node: SyntaxNode }> = [];
  returns = false;
  complete = true;
  private nesting = 0;

  constructor(private readonly options: SummaryOptions) {}

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
      case 'if_statement': {
        const condNode = f('condition');
        const cond = condNode ? this.visit(condNode, dead) : next();
        const v = condNode ? constantValue(condNode.text) : undefined;
        const cons = f('consequence');
        const alt = f('alternative');
        const d = dead || !cond.has('next');
        return this.branch(cond, v, () => (cons ? this.visit(cons, d || v === 0n) : next()), () => (alt ? this.visit(alt, d || (v !== undefined && v !== 0n)) : next()));
      }
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
        return direct && this.options.noReturn.has(name) ? new Set<Exit>(['exit']) : r;
      }
      default:
        return this.sequence(named(node), dead);
    }
  }
}

/** The call and the expressions whose value is the call's value (through parentheses, casts, conditional arms and commas), innermost first. */
function carriers(call: SyntaxNode): SyntaxNode[] {
  let n: SyntaxNode = call;
  const out = [n];
  for (let guard = 0; guard < 256 && n.parent; guard++) {
    const p: SyntaxNode = n.parent;
    const at = (field: string) => p.childForFieldName(field)?.startIndex === n.startIndex;
    const passes =
      p.type === 'parenthesized_expression' ||
      p.type === 'cast_expression' ||
      (p.type === 'conditional_expression' && (at('consequence') || at('alternative'))) ||
      (p.type === 'comma_expression' && at('right'));
    if (!passes) break;
    n = p;
    out.push(n);
  }
  return out;
}

/** Where a value is stored: the declarator or lvalue it initialises or is assigned to, if any. */
function storedIn(n: SyntaxNode): string | undefined {
  const p = n.parent;
  if (p?.type === 'init_declarator' && p.childForFieldName('value')?.startIndex === n.startIndex) return declaredName(p.childForFieldName('declarator') ?? undefined);
  if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.startIndex === n.startIndex) return p.childForFieldName('left')?.text;
  return undefined;
}

const STATEMENT_WORDS = new Set(['return', 'goto', 'break', 'continue', 'if', 'else', 'while', 'for', 'do', 'switch', 'case', 'default', 'asm', '__asm__', '__asm']);
const EFFECT_PUNCTUATORS = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=', '++', '--', '{', '}', ';']);

/**
 * Text that can do nothing (no call, no write, no statement) and is balanced: constants,
 * names, member accesses, casts (`0`, `(G.top)`, `((char**)NULL)`). Its summary is known
 * without parsing it.
 */
function inert(tokens: ReadonlyArray<MacroToken>): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'identifier' && (STATEMENT_WORDS.has(t.text) || tokens[i + 1]?.text === '(')) return false;
    if (t.kind === 'punct') {
      if (EFFECT_PUNCTUATORS.has(t.text)) return false;
      if (t.text === '(' || t.text === '[') depth++;
      else if (t.text === ')' || t.text === ']') depth--;
      if (depth < 0) return false;
    }
  }
  return depth === 0;
}

const summaries = new WeakMap<MacroCode, WeakMap<SummaryOptions, MacroSummary>>();

/** The summary of a parsed expansion (remembered per options object: pass the same one each time). */
export function summarize(code: MacroCode, options: SummaryOptions): MacroSummary {
  let byOptions = summaries.get(code);
  if (!byOptions) summaries.set(code, (byOptions = new WeakMap()));
  const known = byOptions.get(options);
  if (known) return known;
  if (inert(code.expansion.tokens) && !code.expansion.truncated) {
    const none: MacroSummary = { calls: [], writes: [], locals: [], forks: [], returns: false, gotos: [], breaks: false, fallsThrough: true, neverReturns: false, complete: true };
    byOptions.set(options, none);
    return none;
  }
  const parsed = code.parsed;
  const reader = new Reader(options);
  const noCode = parsed.form === 'attribute' || parsed.form === 'empty';
  const exits = noCode ? next() : reader.visit(parsed.body, false);
  const same = (a: SyntaxNode, b: SyntaxNode) => a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
  const forks: MacroFork[] = reader.forkCalls.map((c) => {
    const path = carriers(c.node);
    const heldIn = storedIn(path[path.length - 1]);
    const value = parsed.value;
    const isValue = value !== undefined && (path.some((n) => same(value, n)) || (heldIn !== undefined && value.type === 'identifier' && value.text === heldIn));
    return { ...c, result: isValue ? 'value' : heldIn !== undefined ? 'held' : 'discarded', heldIn };
  });
  const summary: MacroSummary = {
    calls: reader.calls,
    writes: reader.writes.map(({ root, ...w }) => ({ ...w, local: !root.indirect && root.name !== undefined && reader.locals.has(root.name) })),
    locals: [...reader.locals],
    forks,
    returns: reader.returns,
    gotos: reader.gotos,
    breaks: exits.has('break') || exits.has('continue'),
    fallsThrough: exits.has('next'),
    neverReturns: [...exits].every((e) => e === 'exit'),
    complete: reader.complete && parsed.form !== 'fragment' && !code.expansion.truncated,
  };
  byOptions.set(options, summary);
  return summary;
}
