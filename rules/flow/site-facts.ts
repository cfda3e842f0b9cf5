/**
 * Tests a fork site is nested under (`if (is_persistent && proggie) { ... vfork() ... }`,
 * `if (toys.optc && FLAG(L)) child = XVFORK();`), kept when what they test stays the same
 * for the whole call: a later test of the same thing on the fork's paths is decided the
 * same way (RULES section 3).
 */
import { expanded } from './arm-assumption.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { field } from '../syntax.js';
import { changedTargetsIn, pathsOverlap, variableUnchanged } from '../effects/unchanged.js';
import { scopeOf } from '../effects/writes.js';

/** One test known at the site: its text (blanks removed), its value there, and where it was written. */
export interface SiteFact {
  text: string;
  value: boolean;
  at: number;
}

const IDENT = /^[A-Za-z_]\w*$/;
/** What a simple test is about: a variable, a member path (`toys.optc`, `opts->verbose`), or a macro call on names (`FLAG(L)`). */
const SUBJECT = String.raw`[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*|[A-Z_][A-Z0-9_]*\([\w,]*\)`;
/** A test on one subject: `x`, `!x`, `x == 3`, `x != NULL`, `s.f > 0`, `FLAG(L)`. */
const SIMPLE_TEST = new RegExp(`^(!?)(${SUBJECT})(?:(==|!=|<=|>=|<|>)(-?\\w+))?$`);
const PATH = /^[A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*$/;
const PATHS_IN = /[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*/g;
/** An expansion that changes something or calls something is no stable test. */
const NOT_PURE = /[^=!<>]=[^=]|\+\+|--|[A-Za-z_]\w*\s*\(/;

function squeeze(node: SyntaxNode): string {
  return node.text.replace(/\s+/g, '');
}

/** Peel `( ... )` around a condition. */
function unparen(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
  return n;
}

/** The parts of a condition that each hold when it is `value`: `a && b` true gives a and b true; `a || b` false gives both false. */
function parts(node: SyntaxNode, value: boolean, out: SiteFact[], depth = 0): void {
  const n = unparen(node);
  if (depth > 16) return;
  if (n.type === 'binary_expression') {
    const op = n.childForFieldName('operator')?.text;
    if ((op === '&&' && value) || (op === '||' && !value)) {
      const l = field(n, 'left');
      const r = field(n, 'right');
      if (l) parts(l, value, out, depth + 1);
      if (r) parts(r, value, out, depth + 1);
      return;
    }
  }
  out.push({ text: squeeze(n), value, at: n.startIndex });
}

/** The squeezed texts the function's body assigns, increments or takes the address of. */
function changedTargets(ctx: FileContext, fn: SyntaxNode): readonly string[] {
  return ctx.remember(`changed-targets:${fn.id}`, () => {
    const body = ctx.adapter.functionBody(fn);
    return body ? changedTargetsIn(fn, body).map((t) => squeeze(unparen(t))) : [];
  });
}

/**
 * A member path (or a variable) whose value is the same at every point of one call: its
 * root is a parameter or local that nothing changes, or a global the function does not
 * shadow, and nothing in the function assigns, increments or takes the address of the path,
 * a part of it or a path it is part of. Callees are taken not to change it (RULES section 3).
 */
function stablePath(ctx: FileContext, fn: SyntaxNode, path: string): boolean {
  return ctx.remember(`stable:${fn.id}:${path}`, () => {
    const root = /^\w+/.exec(path)![0];
    const body = ctx.adapter.functionBody(fn);
    if (!body) return false;
    const scope = scopeOf(ctx, fn);
    const isLocal = scope.params.has(root) || ctx.adapter.localDeclarations(body).some((d) => d.name === root);
    if (isLocal && !variableUnchanged(ctx, fn, root)) return false;
    return !changedTargets(ctx, fn).some((t) => pathsOverlap(t, path));
  });
}

/** A macro call used as a test (`FLAG(L)`) whose expansion only reads stable paths and constants. */
function stableMacroTest(ctx: FileContext, fn: SyntaxNode, subject: string, at: number): boolean {
  const text = expanded(ctx, subject, at);
  if (text === subject || NOT_PURE.test(text)) return false;
  const paths = text.match(PATHS_IN) ?? [];
  return paths.every((p) => stablePath(ctx, fn, p.replace(/\s+/g, '')));
}

function stableSubject(ctx: FileContext, fn: SyntaxNode, subject: string, at: number): boolean {
  if (!PATH.test(subject)) return stableMacroTest(ctx, fn, subject, at);
  return IDENT.test(subject) && variableUnchanged(ctx, fn, subject) ? true : stablePath(ctx, fn, subject);
}

/**
 * The tests a fork site is nested under (`if (is_persistent && proggie) { ... vfork() ... }`),
 * kept when what they test stays the same for the whole call: they hold wherever the
 * fork's paths go, so a later `if (proggie)` on them is decided (RULES section 3).
 */
export function siteFacts(ctx: FileContext, call: SyntaxNode, fn: SyntaxNode): SiteFact[] {
  if (ctx.adapter.language !== 'c') return [];
  const found: SiteFact[] = [];
  let child = call;
  for (let up = call.parent; up && up.id !== fn.id; child = up, up = up.parent) {
    if (up.type !== 'if_statement') continue;
    const condition = field(up, 'condition');
    if (!condition || condition.id === child.id) continue;
    const inThen = field(up, 'consequence')?.id === child.id;
    const elseClause = field(up, 'alternative');
    const inElse = elseClause?.id === child.id;
    if (inThen || inElse) parts(condition, inThen, found);
  }
  return found.filter((f) => {
    const m = SIMPLE_TEST.exec(f.text);
    return !!m && (!m[4] || !IDENT.test(m[4]) || /^[A-Z_0-9]+$/.test(m[4]) || m[4] === 'NULL') && stableSubject(ctx, fn, m[2], f.at);
  });
}

/** The site's facts by text, for lookups per condition (a fork under thousands of nested tests keeps thousands). */
export type SiteFactIndex = ReadonlyMap<string, boolean>;

export function indexFacts(facts: readonly SiteFact[]): SiteFactIndex {
  const out = new Map<string, boolean>();
  // The innermost test first: a name tested again further out keeps the nearest value.
  for (const f of facts) if (!out.has(f.text)) out.set(f.text, f.value);
  return out;
}

/** A condition that is one of the site's facts (or its negation `!x`). */
export function factCondition(condition: SyntaxNode, facts: SiteFactIndex): boolean | undefined {
  if (facts.size === 0 || condition.text.length > 400) return undefined;
  const text = squeeze(unparen(condition));
  const direct = facts.get(text);
  if (direct !== undefined) return direct;
  const negated = text.startsWith('!') ? facts.get(text.slice(1)) : facts.get(`!${text}`);
  return negated === undefined ? undefined : !negated;
}
