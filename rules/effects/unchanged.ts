/**
 * Variables whose value is the same at every point of one call of a function: nothing in its
 * body assigns, increments or takes the address of them. Read by the site facts (a test a
 * fork is nested under) and by the never-returns check with a call's constant arguments.
 */
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { descendantsWithin, field, operatorOf } from '../syntax.js';

const CHANGING = new Set(['assignment_expression', 'update_expression', 'pointer_expression']);

/** What the assignments, increments and `&` operations in `body` change, in order (`x`, `s.f`, `(*p)`). */
export function changedTargetsIn(fn: SyntaxNode, body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const n of descendantsWithin(fn, body, CHANGING)) {
    if (n.type === 'pointer_expression' && operatorOf(n) !== '&') continue;
    const target = n.type === 'assignment_expression' ? field(n, 'left') : field(n, 'argument');
    if (target) out.push(target);
  }
  return out;
}

/**
 * A parameter or local of `fn` that nothing in its body changes: one variable of that name in
 * the function (no shadowing), a parameter or a local of the body's own block (a loop's local
 * starts again each time round), never assigned, incremented or taken the address of.
 */
export function variableUnchanged(ctx: FileContext, fn: SyntaxNode, name: string): boolean {
  return ctx.remember(`unchanged:${fn.id}:${name}`, () => {
    const body = ctx.adapter.functionBody(fn);
    if (!body) return false;
    const locals = ctx.adapter.localDeclarations(body).filter((d) => d.name === name);
    const param = ctx.adapter.parameters(fn).some((p) => p.name === name);
    if (locals.length + (param ? 1 : 0) !== 1) return false;
    if (locals.length === 1 && enclosingBlock(locals[0].node) !== body.id) return false;
    return !changedTargetsIn(fn, body).some((t) => t.type === 'identifier' && t.text === name);
  });
}

function enclosingBlock(node: SyntaxNode): number | undefined {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'compound_statement') return n.id;
  return undefined;
}

/** Does a write to `target` touch `path`: the same path, or one is a member or element of the other (`toys` and `toys.optc`)? */
export function pathsOverlap(target: string, path: string): boolean {
  const within = (a: string, b: string) => a === b || ['.', '->', '['].some((sep) => a.startsWith(b + sep));
  return within(path, target) || within(target, path);
}
