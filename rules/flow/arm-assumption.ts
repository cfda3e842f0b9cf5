/**
 * A fork site that is one arm of a conditional on a configuration macro
 * (`pid = BB_MMU ? xfork() : xvfork();`, `BB_MMU` from a header the build generates):
 * the vfork child exists only in the builds where the condition picks that arm. The macro
 * is one constant for the whole compilation, so every later test of it in the same
 * analysis (`if (BB_MMU) { ... } else { exec }`) is decided the same way (RULES section 3).
 */
import { constantValue, expandText } from '../macros.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { descendantsWithin, field, operatorOf } from '../syntax.js';
import { scopeOf } from '../effects/writes.js';

const MACRO_NAME = /^[A-Z_][A-Z0-9_]*$/;
const PEEL = new Set(['parenthesized_expression', 'cast_expression']);

export interface ArmAssumption {
  /** The configuration macro and the value under which the site's arm is chosen. */
  name: string;
  value: bigint;
}

/** The text of `text` once the file's macros in effect at `offset` are expanded (the text itself without a table). */
function expanded(ctx: FileContext, text: string, offset: number): string {
  for (const n of text.match(/[A-Za-z_]\w*/g) ?? []) ctx.reads.record('macro', n);
  const table = ctx.macros;
  return table ? expandText(table, text, offset).text : text;
}

function substitute(text: string, a: ArmAssumption): string {
  return text.replace(new RegExp(`\\b${a.name}\\b`, 'g'), String(a.value));
}

/**
 * The assumption a site's place makes: `C ? fork() : vfork()` with `C` a condition on one
 * macro-like name the file does not decide, and one value (0 or 1) of it that picks the
 * site's arm. Undefined for any other place.
 */
export function armAssumption(ctx: FileContext, call: SyntaxNode): ArmAssumption | undefined {
  if (ctx.adapter.language !== 'c') return undefined;
  let arm = call;
  let up = call.parent;
  while (up && PEEL.has(up.type)) {
    arm = up;
    up = up.parent;
  }
  if (up?.type !== 'conditional_expression') return undefined;
  const condition = field(up, 'condition');
  const chosen = field(up, 'consequence')?.id === arm.id ? true : field(up, 'alternative')?.id === arm.id ? false : undefined;
  if (!condition || chosen === undefined || condition.text.length > 200) return undefined;
  const text = expanded(ctx, condition.text, condition.startIndex);
  if (constantValue(text) !== undefined) return undefined;
  const names = [...new Set(text.match(/[A-Za-z_]\w*/g) ?? [])];
  if (names.length !== 1 || !MACRO_NAME.test(names[0])) return undefined;
  const picks = [0n, 1n].filter((value) => {
    const v = constantValue(substitute(text, { name: names[0], value }));
    return v !== undefined && (v !== 0n) === chosen;
  });
  return picks.length === 1 ? { name: names[0], value: picks[0] } : undefined;
}

/** The value of a condition under the site's assumption, when the assumption decides it. */
export function assumedCondition(ctx: FileContext, condition: SyntaxNode, a: ArmAssumption): boolean | undefined {
  if (condition.text.length > 2000 || !condition.text.includes(a.name)) return undefined;
  const text = expanded(ctx, condition.text, condition.startIndex);
  if (!new RegExp(`\\b${a.name}\\b`).test(text)) return undefined;
  const v = constantValue(substitute(text, a));
  return v === undefined ? undefined : v !== 0n;
}

// ----- tests the site is nested under, on variables the function never changes ------------

/** One test known at the site: its text (blanks removed) and its value there. */
export interface SiteFact {
  text: string;
  value: boolean;
}

const IDENT = /^[A-Za-z_]\w*$/;
/** A test on one variable: `x`, `!x`, `x == 3`, `x != NULL`, `x > 0`. */
const SIMPLE_TEST = /^(!?)([A-Za-z_]\w*)(?:(==|!=|<=|>=|<|>)(-?\w+))?$/;

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
  out.push({ text: squeeze(n), value });
}

/**
 * Variables of the function (parameters and locals) that nothing in its body assigns,
 * increments or takes the address of: their value is the same at every point of one call.
 */
function unchangedIn(ctx: FileContext, fn: SyntaxNode, name: string): boolean {
  return ctx.remember(`unchanged:${fn.id}:${name}`, () => {
    const body = ctx.adapter.functionBody(fn);
    if (!body) return false;
    const scope = scopeOf(ctx, fn);
    const locals = ctx.adapter.localDeclarations(body).filter((d) => d.name === name);
    // One variable of that name in the function (no shadowing), a parameter or a local of
    // the body's own block (a loop's local starts again each time round), and nothing changes it.
    if (locals.length + (scope.params.has(name) ? 1 : 0) !== 1) return false;
    if (locals.length === 1 && enclosingBlock(locals[0].node) !== body.id) return false;
    for (const n of descendantsWithin(fn, body, CHANGES)) {
      const target = n.type === 'assignment_expression' ? field(n, 'left') : field(n, 'argument');
      if (n.type === 'pointer_expression' && operatorOf(n) !== '&') continue;
      if (target?.type === 'identifier' && target.text === name) return false;
    }
    return true;
  });
}

function enclosingBlock(node: SyntaxNode): number | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'compound_statement') return n.id;
  return undefined;
}

const CHANGES = new Set(['assignment_expression', 'update_expression', 'pointer_expression']);

/**
 * The tests a fork site is nested under (`if (is_persistent && proggie) { ... vfork() ... }`),
 * kept when they test one variable the function never changes: they hold wherever the
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
    return !!m && (!m[4] || !IDENT.test(m[4]) || /^[A-Z_0-9]+$/.test(m[4]) || m[4] === 'NULL') && unchangedIn(ctx, fn, m[2]);
  });
}

/** A condition that is one of the site's facts (or its negation `!x`). */
export function factCondition(condition: SyntaxNode, facts: readonly SiteFact[]): boolean | undefined {
  if (facts.length === 0) return undefined;
  const text = squeeze(unparen(condition));
  for (const f of facts) {
    if (f.text === text) return f.value;
    if (`!${f.text}` === text || f.text === `!${text}`) return !f.value;
  }
  return undefined;
}
