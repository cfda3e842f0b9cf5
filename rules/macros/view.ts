/**
 * An expansion read as code: the expanded text parsed as the body of a synthetic function,
 * `void __vforklint_macro(void) { <expansion> ; }`, with a way back from any node of it to
 * the use in the file (and to the `#define` its text came from, for related information).
 * Parsed once per (table, definitions in effect, use text).
 */
import { holdTreeFor, parseSource, releaseTree, type SyntaxNode, type Tree } from '../parser.js';
import type { MacroTable } from './definitions.js';
import type { MacroDefinition } from './model.js';
import { expandUse, type ExpandedText, type MacroToken } from './expand.js';
import { tokenize } from './tokens.js';

export const SYNTHETIC_FUNCTION = '__vforklint_macro';
/** Distinct texts remembered (a long-lived server would otherwise grow without bound). */
const CACHE_LIMIT = 4096;
const PREFIX = `void ${SYNTHETIC_FUNCTION}(void) {\n`;
const SUFFIX = '\n;}\n';

/**
 * - `expression`: one expression (`vfork()`, `(G.top)`, a statement expression `({ ... })`)
 * - `statement`: statements (`do { ... } while (0)`, `if (x) f()`)
 * - `attribute`: only attributes and qualifiers (`__attribute__((aligned(1)))`): no code
 * - `empty`: nothing at all
 * - `fragment`: not code on its own (`{`, half a declaration): the tree has errors
 */
export type ExpansionForm = 'expression' | 'statement' | 'attribute' | 'empty' | 'fragment';

/** The expansion's text parsed (shared by every use that expands to the same text). */
export interface ParsedExpansion {
  /** The synthetic source; the expansion starts at `offset` in it. */
  source: string;
  offset: number;
  tree: Tree;
  /** The synthetic function's `compound_statement`. */
  body: SyntaxNode;
  form: ExpansionForm;
  /** For `expression`: the expression. */
  expression?: SyntaxNode;
  /** The node whose value is the expansion's value: the expression, or a statement expression's last expression. */
  value?: SyntaxNode;
}

/** The expansion of one use text, and (parsed on first access) its code. */
export interface MacroCode {
  expansion: ExpandedText;
  readonly parsed: ParsedExpansion;
}

/** Where a node of the expansion is, for a finding. */
export interface MacroPlace {
  /** In the file: the use, or the part of the use's arguments the node was written in. */
  start: number;
  end: number;
  /** The innermost `#define` the node's text came from (undefined: it was all written at the use). */
  definition?: MacroDefinition;
}

const ATTRIBUTE_CALLS = new Set(['__attribute__', '__attribute', '__declspec', '_Alignas', 'alignas', '__asm__', '__asm', 'asm', '__typeof__']);
/** Storage classes, qualifiers and calling conventions: words that may stand beside a type without changing what it is. */
export const QUALIFIERS: ReadonlySet<string> = new Set([
  'const', 'volatile', 'static', 'extern', 'register', 'inline', '__inline', '__inline__', 'restrict', '__restrict', '__restrict__',
  '_Noreturn', 'noreturn', '__extension__', '_Thread_local', 'thread_local', '__thread', '__cdecl', '__stdcall', '__fastcall',
]);

/** Only attributes and qualifiers: what busybox's `ALIGN1`, `FAST_FUNC`, `NORETURN` expand to. */
function attributesOnly(tokens: ReadonlyArray<MacroToken>): boolean {
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i].text;
    if (QUALIFIERS.has(t)) i++;
    else if (ATTRIBUTE_CALLS.has(t) && tokens[i + 1]?.text === '(') {
      let depth = 0;
      let k = i + 1;
      for (; k < tokens.length; k++) {
        if (tokens[k].text === '(') depth++;
        else if (tokens[k].text === ')' && --depth === 0) break;
      }
      if (k >= tokens.length) return false;
      i = k + 1;
    } else if (t === '[' && tokens[i + 1]?.text === '[') {
      const close = tokens.findIndex((x, k) => k > i && x.text === ']' && tokens[k + 1]?.text === ']');
      if (close < 0) return false;
      i = close + 2;
    } else return false;
  }
  return true;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c) out.push(c);
  }
  return out;
}

/** Named children other than comments (web-tree-sitter may give null entries: skipped). */
export function named(node: SyntaxNode): SyntaxNode[] {
  return (node.namedChildren as Array<SyntaxNode | null>).filter((c): c is SyntaxNode => !!c && c.type !== 'comment');
}

/** An ERROR node or a zero-width (missing) token anywhere below. */
function hasErrors(root: SyntaxNode): boolean {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || (n.startIndex === n.endIndex && n.childCount === 0 && n !== root)) return true;
    stack.push(...children(n));
  }
  return false;
}

/** Parentheses and casts stripped: the expression that gives the value. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let n = node;
  for (;;) {
    if (n.type === 'parenthesized_expression') {
      const inner = named(n)[0];
      if (!inner || inner.type === 'compound_statement') return n;
      n = inner;
    } else if (n.type === 'cast_expression') {
      const v = n.childForFieldName('value');
      if (!v) return n;
      n = v;
    } else return n;
  }
}

/** The expression whose value an expression has: through parentheses, casts, commas and statement expressions. */
export function valueNode(node: SyntaxNode): SyntaxNode {
  let n = unwrap(node);
  for (let guard = 0; guard < 64; guard++) {
    if (n.type === 'comma_expression') {
      const right = n.childForFieldName('right');
      if (!right) return n;
      n = unwrap(right);
    } else if (n.type === 'parenthesized_expression' && named(n)[0]?.type === 'compound_statement') {
      const last = named(named(n)[0]).pop();
      const e = last?.type === 'expression_statement' ? named(last)[0] : undefined;
      if (!e) return n;
      n = unwrap(e);
    } else return n;
  }
  return n;
}

function parse(expansion: ExpandedText): ParsedExpansion {
  const source = PREFIX + expansion.text + SUFFIX;
  const tree = parseSource(source, 'c');
  const fn = children(tree.rootNode).find((c) => c.type === 'function_definition');
  const body = fn?.childForFieldName('body') ?? tree.rootNode;
  const code: ParsedExpansion = { source, offset: PREFIX.length, tree, body, form: 'statement' };
  // The tree lives in WebAssembly memory: keep it exactly as long as this view is reachable.
  holdTreeFor(code, tree);
  releaseTree(tree);
  const end = PREFIX.length + expansion.text.length;
  if (expansion.tokens.length === 0) code.form = 'empty';
  else if (attributesOnly(expansion.tokens)) code.form = 'attribute';
  else if (!fn || hasErrors(tree.rootNode)) code.form = 'fragment';
  else {
    const statements = named(body).filter((s) => !(s.type === 'expression_statement' && s.startIndex >= end));
    const only = statements.length === 1 && statements[0].type === 'expression_statement' ? named(statements[0])[0] : undefined;
    if (only && only.startIndex <= PREFIX.length && only.endIndex >= end) {
      code.form = 'expression';
      code.expression = only;
      code.value = valueNode(only);
    }
  }
  return code;
}

/**
 * Parsed expansions by text: uses with different arguments often expand alike (`do {} while (0)`).
 * Each view holds its tree while reachable (parse above), so clearing the map frees the
 * trees once no summary or caller still holds their views.
 */
const parsedByText = new Map<string, ParsedExpansion>();

function parsedOnce(expansion: ExpandedText): ParsedExpansion {
  let parsed = parsedByText.get(expansion.text);
  if (!parsed) {
    if (parsedByText.size >= CACHE_LIMIT) parsedByText.clear();
    parsed = parse(expansion);
    parsedByText.set(expansion.text, parsed);
  }
  return parsed;
}

function readCode(expansion: ExpandedText): MacroCode {
  let parsed: ParsedExpansion | undefined;
  return {
    expansion,
    get parsed() {
      return (parsed ??= parsedOnce(expansion));
    },
  };
}

const codes = new WeakMap<MacroTable, Map<string, MacroCode>>();

/** A macro use, expanded and parsed, or the reason it cannot be. */
export type MacroUse =
  | {
      kind: 'expanded';
      macro: string;
      definition: MacroDefinition;
      use: { start: number; end: number };
      code: MacroCode;
      /** Where `node` (of `code.tree`) is in the file. */
      place(node: { startIndex: number; endIndex: number }): MacroPlace;
    }
  | { kind: 'not-expandable'; macro: string; reason: string; definitions: MacroDefinition[]; use: { start: number; end: number } };

function placeOf(code: MacroCode, use: { start: number; end: number }, from: number, to: number): MacroPlace {
  const { tokens, starts } = code.expansion;
  const a = from - code.parsed.offset;
  const b = to - code.parsed.offset;
  let useMin = Infinity;
  let useMax = -Infinity;
  let allAtUse = true;
  let definition: MacroDefinition | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const s = starts[i];
    const e = s + tokens[i].text.length;
    if (e <= a || s >= b) continue;
    const origin = tokens[i].origin;
    if (origin && 'use' in origin) {
      useMin = Math.min(useMin, origin.use);
      useMax = Math.max(useMax, origin.use + tokens[i].text.length);
    } else {
      allAtUse = false;
      if (origin && !definition) definition = origin.definition;
    }
  }
  if (allAtUse && useMin <= useMax) return { start: use.start + useMin, end: Math.min(use.end, use.start + useMax) };
  return { start: use.start, end: use.end, definition };
}

/**
 * The macro use whose text is `useText`, starting at `useStart` in the file (the offset
 * also picks the definitions in effect). Undefined when the text is not a macro use.
 */
export function readMacroUse(table: MacroTable, useText: string, useStart: number): MacroUse | undefined {
  const first = tokenize(useText)[0];
  if (first?.kind !== 'identifier' || !table.has(first.text)) return undefined;
  const use = { start: useStart, end: useStart + useText.length };
  let cache = codes.get(table);
  if (!cache) codes.set(table, (cache = new Map()));
  const key = `${table.epochAt(useStart)}\u0000${useText}`;
  let code = cache.get(key);
  if (!code) {
    const expanded = expandUse(table, useText, useStart);
    if (!expanded) return undefined;
    if (expanded.kind === 'not-expandable') return { ...expanded, use };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    code = readCode(expanded.expansion);
    cache.set(key, code);
  }
  const c = code;
  const definition = c.expansion.used[0];
  return { kind: 'expanded', macro: first.text, definition, use, code: c, place: (node) => placeOf(c, use, node.startIndex, node.endIndex) };
}
