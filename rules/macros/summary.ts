/**
 * What an expansion does, read from its synthetic tree without the flow pass: the calls it
 * makes (and which of them sit under a constant-false condition, so never run), writes,
 * `return`/`goto`, whether execution can go on after the use, and fork calls.
 */
import type { SyntaxNode } from '../parser.js';
import type { MacroToken } from './expand.js';
import { declaredName, next, Reader } from './reader.js';
import type { MacroCode } from './view.js';

export interface SummaryOptions {
  /** Functions that never return (`_exit`, `exit`, `abort`, the project's noreturn functions). */
  noReturn: ReadonlySet<string>;
  /** Fork spellings and their kinds (`vfork` -> `vfork`, `fork` -> `fork`). */
  forks: ReadonlyMap<string, string>;
  /** A call that never returns with these arguments (their texts) though its function may in general. */
  neverReturnsWith?(name: string, args: readonly string[]): boolean;
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
