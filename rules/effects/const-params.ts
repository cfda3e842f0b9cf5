/**
 * C parameters declared as pointers to `const`: a callee only reads through them, so
 * passing `&x` there is no write. Read from the callee's same-file definition and every
 * same-file declaration of it (one `const` in any of them is enough).
 */
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { field, fieldChildren, namedChildren } from '../syntax.js';

const NO_POSITIONS: ReadonlySet<number> = new Set();

/** 0-based positions of `name`'s parameters that point to `const`. */
export function readOnlyParameterPositions(ctx: FileContext, name: string): ReadonlySet<number> {
  if (ctx.adapter.language !== 'c') return NO_POSITIONS;
  ctx.reads.record('const-params', name);
  return ctx.remember(`const-params:${name}`, () => {
    const out = new Set<number>();
    const lists = declarationsOf(ctx).get(name) ?? [];
    const fn = ctx.functionNamed(name);
    const own = fn && parameterList(field(fn, 'declarator'));
    for (const list of own ? [...lists, own] : lists) {
      namedChildren(list)
        .filter((p) => p.type === 'parameter_declaration')
        .forEach((p, i) => {
          if (pointsToConst(p)) out.add(i);
        });
    }
    return out.size ? out : NO_POSITIONS;
  });
}

/** Top-level prototypes of the file, by function name: their parameter lists. */
function declarationsOf(ctx: FileContext): Map<string, SyntaxNode[]> {
  return ctx.remember('const-params:declarations', () => {
    const out = new Map<string, SyntaxNode[]>();
    for (const d of namedChildren(ctx.root)) {
      if (d.type !== 'declaration') continue;
      for (const declarator of fieldChildren(d, 'declarator')) {
        const fd = functionDeclarator(declarator);
        const id = fd && field(fd, 'declarator');
        const list = fd && field(fd, 'parameters');
        if (id?.type === 'identifier' && list) out.set(id.text, [...(out.get(id.text) ?? []), list]);
      }
    }
    return out;
  });
}

function functionDeclarator(d: SyntaxNode | undefined): SyntaxNode | undefined {
  for (let i = 0; d && i < 10; i++) {
    if (d.type === 'function_declarator') return d;
    d = field(d, 'declarator');
  }
  return undefined;
}

function parameterList(d: SyntaxNode | undefined): SyntaxNode | undefined {
  const fd = functionDeclarator(d);
  return fd && field(fd, 'parameters');
}

/** `const T *p`, `T const *p`, `const T p[]` (also unnamed): one level of indirection to const. `const T **p` is not. */
function pointsToConst(p: SyntaxNode): boolean {
  if (!p.namedChildren.some((c) => c !== null && c.type === 'type_qualifier' && c.text === 'const')) return false;
  let levels = 0;
  for (let d = field(p, 'declarator'), i = 0; d && i < 20; d = field(d, 'declarator'), i++) {
    if (/pointer_declarator|array_declarator/.test(d.type)) levels++;
    else if (d.type !== 'identifier' && d.type !== 'parenthesized_declarator') return false;
  }
  return levels === 1;
}
