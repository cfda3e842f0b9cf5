/**
 * Macro expansion as the C preprocessor does it, on tokens: arguments split at top-level
 * commas, fully expanded before they are substituted (unless stringised), the result
 * rescanned together with what follows, and a macro never expanded again inside its own
 * expansion (each token carries the names it must not expand: the standard's "blue paint").
 */
import { bodyTokensOf, exclusive, signature, type MacroDefinition, type MacroLookup, type MacroScope } from './model.js';
import { joinTokens, stringize, tokenize, type Token } from './tokens.js';

export type MacroToken = Token<MacroDefinition>;

/** A macro seen during an expansion and left as written. */
export interface NotExpanded {
  name: string;
  reason: string;
  definitions: MacroDefinition[];
}

export interface ExpandedText {
  text: string;
  /** The tokens of `text`, each with its origin (the use's text or a definition's body). */
  tokens: MacroToken[];
  /** Where each token starts in `text`. */
  starts: number[];
  /** Definitions expanded, in the order they were first expanded. */
  used: MacroDefinition[];
  notExpanded: NotExpanded[];
  /** Set when a bound stopped the expansion (the text is then only partly expanded). */
  truncated?: string;
}

/** Nesting deeper than this is not followed (real code nests a handful). */
export const MAX_DEPTH = 16;
/** Expansions per use, and tokens produced per use: a guard against exponential bodies. */
const MAX_EXPANSIONS = 2000;
const MAX_TOKENS = 50_000;
const MAX_ARGUMENT_DEPTH = MAX_DEPTH;

interface Context {
  table: MacroScope;
  offset?: number;
  lookups: Map<string, MacroLookup>;
  used: Set<MacroDefinition>;
  notExpanded: Map<string, NotExpanded>;
  expansions: number;
  argumentDepth: number;
  truncated?: string;
}

const bodies = new WeakMap<MacroDefinition, MacroToken[]>();

function bodyTokens(def: MacroDefinition): MacroToken[] {
  let tokens = bodies.get(def);
  if (!tokens) {
    tokens = bodyTokensOf(def).map((t) => ({ ...t, origin: { definition: def } }));
    bodies.set(def, tokens);
  }
  return tokens;
}

function lookup(ctx: Context, name: string): MacroLookup {
  let found = ctx.lookups.get(name);
  if (!found) {
    found = ctx.table.lookup(name, ctx.offset);
    ctx.lookups.set(name, found);
  }
  return found;
}

function note(ctx: Context, name: string, reason: string, definitions: MacroDefinition[]): void {
  if (!ctx.notExpanded.has(name)) ctx.notExpanded.set(name, { name, reason, definitions });
}

/** The tokens between `(` at `open` and its `)`, and the index after the `)`; undefined when it is not closed. */
function parenthesised(tokens: MacroToken[], open: number): { inner: MacroToken[]; end: number } | undefined {
  let depth = 0;
  for (let k = open + 1; k < tokens.length; k++) {
    const t = tokens[k].text;
    if (t === '(') depth++;
    else if (t === ')') {
      if (depth === 0) return { inner: tokens.slice(open + 1, k), end: k + 1 };
      depth--;
    }
  }
  return undefined;
}

/** Split at top-level commas: parentheses group (as in C); with `braces`, `{}` and `[]` group too. */
function splitArguments(inner: MacroToken[], braces: boolean): MacroToken[][] {
  const out: MacroToken[][] = [[]];
  let depth = 0;
  for (const t of inner) {
    if (t.text === '(' || (braces && (t.text === '{' || t.text === '['))) depth++;
    else if (t.text === ')' || (braces && (t.text === '}' || t.text === ']'))) depth--;
    if (t.text === ',' && depth === 0) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out;
}

interface Arguments {
  named: MacroToken[][];
  variadic: MacroToken[][];
}

/** The arguments matched to the parameters, or undefined when their number does not fit. */
function fit(args: MacroToken[][], named: number, variadic: boolean): Arguments | undefined {
  if (named === 0 && args.length === 1 && args[0].length === 0) args = [];
  if (variadic ? args.length < named : args.length !== named) return undefined;
  return { named: args.slice(0, named), variadic: args.slice(named) };
}

function joinVariadic(args: MacroToken[][]): MacroToken[] {
  const out: MacroToken[] = [];
  args.forEach((a, i) => {
    if (i > 0) out.push({ kind: 'punct', text: ',', space: false, offset: 0, origin: a[0]?.origin });
    out.push(...a);
  });
  return out;
}

/** The body with the arguments in place (`#x` stringised, `a ## b` pasted, `, ## __VA_ARGS__` eliding its comma). */
function substitute(def: MacroDefinition, args: Arguments | undefined, ctx: Context): MacroToken[] {
  const body = bodyTokens(def);
  const sig = signature(def);
  if ((!sig || !args) && !body.some((t) => t.text === '##')) return body.slice();
  const raw = new Map<string, MacroToken[]>();
  if (sig && args) sig.named.forEach((p, i) => raw.set(p, args.named[i]));
  const va = sig && args ? sig.variadic : undefined;
  if (va !== undefined) raw.set(va, joinVariadic(args!.variadic));
  const vaEmpty = va === undefined || raw.get(va)!.length === 0;
  const expanded = new Map<string, MacroToken[]>();
  const expandedArg = (p: string) => {
    let e = expanded.get(p);
    if (!e) {
      // Arguments nest as deep as the use's text does (`F(F(F(...)))`): bound the recursion.
      if (ctx.argumentDepth >= MAX_ARGUMENT_DEPTH) {
        ctx.truncated ??= `macro arguments nest deeper than ${MAX_ARGUMENT_DEPTH}`;
        e = raw.get(p)!;
      } else {
        ctx.argumentDepth++;
        e = expandTokens(raw.get(p)!, ctx);
        ctx.argumentDepth--;
      }
      expanded.set(p, e);
    }
    return e;
  };
  const out: MacroToken[] = [];
  const place = (tokens: MacroToken[], space: boolean) => tokens.forEach((t, i) => out.push(i === 0 ? { ...t, space } : t));
  /** An operand of `##` is the argument as written, not expanded; an empty one leaves a placemarker. */
  const operand = (t: MacroToken): MacroToken[] => (t.kind === 'identifier' && raw.has(t.text) ? raw.get(t.text)! : [t]);
  let skipClose = -1;
  for (let k = 0; k < body.length; k++) {
    const b = body[k];
    if (k === skipClose) continue;
    if (b.text === '#' && raw.has(body[k + 1]?.text ?? '')) {
      out.push({ kind: 'string', text: stringize(raw.get(body[k + 1].text)!), space: b.space, offset: b.offset, origin: b.origin });
      k++;
    } else if (b.text === ',' && body[k + 1]?.text === '##' && va !== undefined && body[k + 2]?.text === va) {
      if (!vaEmpty) {
        out.push(b);
        place(raw.get(va)!, true);
      }
      k += 2;
    } else if (b.text === '##' && k > 0 && k + 1 < body.length) {
      // `a ## b`: the last token before and the first token after become one (C11 6.10.3.3).
      const right = operand(body[k + 1]);
      const left = out.pop();
      if (!left || isPlacemarker(left)) out.push(...(right.length ? right : [placemarker(b)]));
      else if (!right.length) out.push(left);
      else out.push(pasted(left, right[0]), ...right.slice(1));
      k++;
    } else if (b.text === '__VA_OPT__' && va !== undefined && body[k + 1]?.text === '(') {
      const group = parenthesised(body, k + 1);
      if (!group) out.push(b);
      else if (vaEmpty) k = group.end - 1;
      else {
        skipClose = group.end - 1;
        k++;
      }
    } else if (b.kind === 'identifier' && raw.has(b.text)) {
      if (body[k + 1]?.text === '##') {
        const tokens = operand(b);
        if (tokens.length) place(tokens, b.space);
        else out.push(placemarker(b));
      } else {
        place(expandedArg(b.text), b.space);
      }
    } else {
      out.push(b);
    }
  }
  return out.some(isPlacemarker) ? out.filter((t) => !isPlacemarker(t)) : out;
}

/** Stands for an empty operand of `##` until the pasting is done: no real token is empty. */
function placemarker(at: MacroToken): MacroToken {
  return { ...at, kind: 'other', text: '' };
}

function isPlacemarker(t: MacroToken): boolean {
  return t.text === '' && t.kind === 'other';
}

/** `left ## right` as one token (its kind read again: `bb ## _error_msg` is an identifier). */
function pasted(left: MacroToken, right: MacroToken): MacroToken {
  const text = left.text + right.text;
  const read = tokenize(text);
  return { ...left, text, kind: read.length === 1 ? read[0].kind : 'other', hide: left.hide ?? right.hide };
}

function paint(tokens: MacroToken[], hide: ReadonlySet<string>): MacroToken[] {
  // Tokens painted alike share one set (an argument's tokens usually carry the same one).
  const unions = new Map<ReadonlySet<string>, ReadonlySet<string>>();
  return tokens.map((t) => {
    if (!t.hide) return { ...t, hide };
    let both = unions.get(t.hide);
    if (!both) {
      const set = new Set(t.hide);
      for (const h of hide) set.add(h);
      unions.set(t.hide, (both = set));
    }
    return { ...t, hide: both };
  });
}

/** The arguments of a call whose `(` is on top of `pending` (read last first), and how many tokens they take. */
function argumentsOnStack(pending: MacroToken[]): { inner: MacroToken[]; taken: number } | undefined {
  const open = pending.length - 1;
  let depth = 0;
  for (let k = open - 1; k >= 0; k--) {
    const t = pending[k].text;
    if (t === '(') depth++;
    else if (t === ')') {
      if (depth === 0) return { inner: pending.slice(k + 1, open).reverse(), taken: open - k + 1 };
      depth--;
    }
  }
  return undefined;
}

/** Does `def` stand in another branch of an `#if` group than a macro whose expansion this token came from? */
function outsideTheBranches(ctx: Context, producers: ReadonlySet<string>, def: MacroDefinition): boolean {
  for (const name of producers) {
    const p = lookup(ctx, name);
    if (p.kind === 'macro' && exclusive(p.definition, def)) return true;
  }
  return false;
}

function expandTokens(input: MacroToken[], ctx: Context): MacroToken[] {
  const out: MacroToken[] = [];
  // The tokens still to read, next one last: taking one and putting a replacement back are cheap.
  const pending = input.slice().reverse();
  const next = () => pending[pending.length - 1] as MacroToken | undefined;
  while (pending.length) {
    if (ctx.truncated) {
      for (let k = pending.length - 1; k >= 0; k--) out.push(pending[k]);
      break;
    }
    const t = pending.pop()!;
    const found = t.kind === 'identifier' && !t.hide?.has(t.text) && ctx.table.has(t.text) ? lookup(ctx, t.text) : undefined;
    if (!found || found.kind === 'none') {
      out.push(t);
      continue;
    }
    if (found.kind === 'not-expandable') {
      note(ctx, t.text, found.reason, found.definitions);
      out.push(t);
      continue;
    }
    const def = found.definition;
    // A name in the expansion of a macro from another branch of the same `#if` group is
    // not this macro there (the configuration that defines one does not define the other).
    if (def.conditions && t.hide && outsideTheBranches(ctx, t.hide, def)) {
      out.push(t);
      continue;
    }
    const sig = signature(def);
    let args: Arguments | undefined;
    let taken = 0;
    if (sig) {
      // A function-like macro's name not followed by `(` is an ordinary identifier.
      const group = next()?.text === '(' ? argumentsOnStack(pending) : undefined;
      if (!group) {
        if (next()?.text === '(') note(ctx, t.text, `\`${t.text}(\` is not closed`, [def]);
        out.push(t);
        continue;
      }
      args = fit(splitArguments(group.inner, false), sig.named.length, sig.variadic !== undefined) ?? fit(splitArguments(group.inner, true), sig.named.length, sig.variadic !== undefined);
      if (!args) {
        const given = splitArguments(group.inner, false).filter((a, _, all) => all.length > 1 || a.length > 0).length;
        note(ctx, t.text, `\`${t.text}\` takes ${sig.named.length}${sig.variadic !== undefined ? ' or more' : ''} arguments, given ${given}`, [def]);
        out.push(t);
        continue;
      }
      taken = group.taken;
    }
    const depth = t.hide?.size ?? 0;
    if (depth >= MAX_DEPTH || ++ctx.expansions > MAX_EXPANSIONS || out.length + pending.length > MAX_TOKENS) {
      ctx.truncated ??= depth >= MAX_DEPTH ? `macros nest deeper than ${MAX_DEPTH}` : 'the expansion is too large';
      out.push(t);
      continue;
    }
    pending.length -= taken;
    ctx.used.add(def);
    const hide = new Set(t.hide ?? []);
    hide.add(def.name);
    const replacement = paint(substitute(def, args, ctx), hide);
    if (replacement.length) replacement[0] = { ...replacement[0], space: t.space };
    // Rescan the replacement with what follows it (a body may end in a function-like macro's name).
    for (let k = replacement.length - 1; k >= 0; k--) pending.push(replacement[k]);
  }
  return out;
}

/** Every macro use in `text` expanded, as the definitions in effect at `offset` of the file say. */
export function expandText(table: MacroScope, text: string, offset?: number): ExpandedText {
  const ctx: Context = { table, offset, lookups: new Map(), used: new Set(), notExpanded: new Map(), expansions: 0, argumentDepth: 0 };
  const input: MacroToken[] = tokenize(text).map((t) => ({ ...t, origin: { use: t.offset } }));
  const tokens = expandTokens(input, ctx);
  const starts: number[] = [];
  const result = joinTokens(tokens, starts);
  return { text: result, tokens, starts, used: [...ctx.used], notExpanded: [...ctx.notExpanded.values()], truncated: ctx.truncated };
}

/** The use of one macro: the text starts with its name (and, for a function-like macro, its arguments). */
export type UseExpansion =
  | { kind: 'expanded'; macro: string; definition: MacroDefinition; expansion: ExpandedText }
  | { kind: 'not-expandable'; macro: string; reason: string; definitions: MacroDefinition[] };

/**
 * The expansion of the macro use `useText` (`DIE("x")`, `FOO`, `xvfork()`) at `offset` of
 * the file. Undefined when the text does not start with a use of a macro (a function-like
 * macro's name without arguments is not a use).
 */
export function expandUse(table: MacroScope, useText: string, offset?: number): UseExpansion | undefined {
  const tokens = tokenize(useText);
  const head = tokens[0];
  if (head?.kind !== 'identifier') return undefined;
  const found = table.lookup(head.text, offset);
  if (found.kind === 'none') return undefined;
  if (found.kind === 'not-expandable') return { kind: 'not-expandable', macro: head.text, reason: found.reason, definitions: found.definitions };
  if (found.definition.params && tokens[1]?.text !== '(') return undefined;
  const expansion = expandText(table, useText, offset);
  const headLeft = expansion.notExpanded.find((n) => n.name === head.text);
  if (!expansion.used.includes(found.definition)) return { kind: 'not-expandable', macro: head.text, reason: headLeft?.reason ?? expansion.truncated ?? `\`${head.text}\` could not be expanded`, definitions: [found.definition] };
  return { kind: 'expanded', macro: head.text, definition: found.definition, expansion };
}
