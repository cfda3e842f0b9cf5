/**
 * C locals whose value the flow carries as a constant (docs/rules.md, section 3, "Flags the
 * function keeps"): a local flag the child sets (`int forked = 0; ... forked++;`,
 * `in_child = 1;`) decides the function's later tests of it, path by path.
 *
 * A local qualifies when the function declares it once, with an integer constant
 * initialiser; every write to it is a constant assignment, `++`/`--`, or `+=`/`-=` a
 * constant, none inside a loop (a counter would give every round a path of its own); its
 * address is never taken, but for `(void) &x;` (the idiom that keeps a local out of a
 * register around `setjmp`); and a condition of the function tests it.
 */
import type { SyntaxNode } from '../parser.js';
import { descendantsOfType, field, operatorOf } from '../syntax.js';

const LOOPS = new Set(['for_statement', 'while_statement', 'do_statement']);
const TESTS = ['if_statement', 'while_statement', 'do_statement', 'for_statement', 'conditional_expression', 'switch_statement'];
const INTEGER = /^-?(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/;
/** More would multiply the paths the flow keeps apart. */
const MAX_CONSTANT_LOCALS = 4;

function inLoop(node: SyntaxNode, body: SyntaxNode): boolean {
  for (let p = node.parent; p && p.id !== body.id; p = p.parent) if (LOOPS.has(p.type)) return true;
  return false;
}

const isInteger = (n: SyntaxNode | undefined) => !!n && INTEGER.test(n.text.replace(/\s+/g, ''));

export function constantLocals(body: SyntaxNode): ReadonlySet<string> {
  const tested = new Set<string>();
  for (const t of descendantsOfType(body, TESTS)) {
    const c = field(t, 'condition');
    for (const m of c?.text.matchAll(/\b[A-Za-z_]\w*\b/g) ?? []) tested.add(m[0]);
  }
  if (tested.size === 0) return new Set();
  const declared = new Map<string, number>();
  const bad = new Set<string>();
  for (const d of descendantsOfType(body, 'init_declarator')) {
    const name = field(d, 'declarator');
    if (name?.type !== 'identifier' || !tested.has(name.text)) continue;
    declared.set(name.text, (declared.get(name.text) ?? 0) + 1);
    if (!isInteger(field(d, 'value'))) bad.add(name.text);
  }
  // A second declaration of the name (in another block) is another variable: leave both.
  for (const d of descendantsOfType(body, 'declaration')) {
    for (const c of d.namedChildren) if (c?.type === 'identifier' && declared.has(c.text)) bad.add(c.text);
  }
  for (const [name, n] of declared) if (n > 1) bad.add(name);
  for (const a of descendantsOfType(body, 'assignment_expression')) {
    const left = field(a, 'left');
    if (left?.type !== 'identifier' || !declared.has(left.text)) continue;
    const op = operatorOf(a);
    if (!['=', '+=', '-='].includes(op) || !isInteger(field(a, 'right')) || inLoop(a, body)) bad.add(left.text);
  }
  for (const u of descendantsOfType(body, 'update_expression')) {
    const arg = field(u, 'argument');
    if (arg?.type === 'identifier' && declared.has(arg.text) && inLoop(u, body)) bad.add(arg.text);
  }
  for (const p of descendantsOfType(body, 'pointer_expression')) {
    const arg = field(p, 'argument');
    if (operatorOf(p) !== '&' || arg?.type !== 'identifier' || !declared.has(arg.text)) continue;
    const cast = p.parent;
    const discarded = cast?.type === 'cast_expression' && field(cast, 'type')?.text.trim() === 'void' && cast.parent?.type === 'expression_statement';
    if (!discarded) bad.add(arg.text);
  }
  const out = new Set<string>();
  for (const name of declared.keys()) if (!bad.has(name) && out.size < MAX_CONSTANT_LOCALS) out.add(name);
  return out;
}
