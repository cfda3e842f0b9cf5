/**
 * Memory nobody else can reach: what a function allocated itself (`malloc`, `strdup`,
 * Go's `make`/`new`, or a same-file callee that returns such memory), or its own frame
 * (a local array, `&local`). Writes through a local pointer that only ever holds such
 * memory (or NULL) are not writes to shared memory.
 */
import type { LocalDeclaration } from '../language/adapter.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { codeChildren, descendants, field, lastName, operatorOf } from '../syntax.js';
import { factsOf } from './calls.js';
import type { FunctionNames } from './scopes.js';

/** Allocating wrappers every C code base spells this way (busybox, git, OpenSSH). */
const CONVENTIONAL_ALLOCATORS = new Set(['xmalloc', 'xzalloc', 'xcalloc', 'xstrdup', 'xstrndup']);
const ASSIGNMENTS = new Set(['assignment_expression', 'assignment_statement']);
const RETURNS = new Set(['return_statement']);
const MAX_DEPTH = 8;

/** Does the local `decl` of `names.fn` only ever point at memory the function allocated? */
export function ownsPointee(ctx: FileContext, names: FunctionNames, decl: LocalDeclaration): boolean {
  if (decl.ownsPointee) return true;
  return ctx.remember(`owns:${decl.node.id}`, () => {
    const body = ctx.adapter.functionBody(names.fn);
    if (!body) return false;
    const values: SyntaxNode[] = [];
    const init = field(decl.node, 'value');
    if (init) values.push(init);
    for (const a of descendants(body, ASSIGNMENTS, ctx.adapter.closureTypes)) {
      const left = field(a, 'left');
      const right = field(a, 'right');
      const lefts = left ? (a.type === 'assignment_statement' ? codeChildren(left) : [left]) : [];
      const rights = right ? (a.type === 'assignment_statement' ? codeChildren(right) : [right]) : [];
      lefts.forEach((l, i) => {
        if (l.type !== 'identifier' || l.text !== decl.name) return;
        const b = names.resolve(l.text, l);
        if (b.kind !== 'local' || b.decl !== decl) return;
        // `p += n` keeps pointing into the same block; any other compound assignment is opaque.
        if (operatorOf(a) === '+=' || operatorOf(a) === '-=') return;
        values.push(operatorOf(a) === '=' && rights[i] ? rights[i] : a);
      });
    }
    const verdicts = values.map((v) => ownMemory(ctx, names, v) ?? isFresh(ctx, v, 0));
    return verdicts.length > 0 && verdicts.every((x) => x !== false) && verdicts.some((x) => x === true);
  });
}

/** The function's own frame: a local array, `&local`, or either plus an offset; undefined when not. */
function ownMemory(ctx: FileContext, names: FunctionNames, value: SyntaxNode): true | undefined {
  let v: SyntaxNode | undefined = value;
  for (let i = 0; v && i < 10; i++) {
    if (v.type === 'parenthesized_expression') v = v.namedChild(0) ?? undefined;
    else if (v.type === 'cast_expression') v = field(v, 'value');
    else if (v.type === 'binary_expression' && /^[+-]$/.test(operatorOf(v))) v = field(v, 'left');
    else break;
  }
  if (!v) return undefined;
  let base: SyntaxNode | undefined = v;
  const addressOf = (v.type === 'pointer_expression' || v.type === 'unary_expression') && operatorOf(v) === '&';
  if (addressOf) base = field(v, v.type === 'pointer_expression' ? 'argument' : 'operand');
  // `&buf[i]`, `&s.f`: the root of a value-typed local.
  while (addressOf && base && (base.type === 'subscript_expression' || (base.type === 'field_expression' && operatorOf(base) === '.'))) base = field(base, 'argument');
  if (base?.type !== 'identifier') return undefined;
  const b = names.resolve(base.text, base);
  if (b.kind !== 'local') return undefined;
  return addressOf || b.decl.storage === 'value' ? true : undefined;
}

/** true: fresh memory; undefined: no memory at all (NULL, 0, nil); false: anything else. */
function isFresh(ctx: FileContext, value: SyntaxNode, depth: number): boolean | undefined {
  let v: SyntaxNode | undefined = value;
  for (let i = 0; v && i < 10 && (v.type === 'parenthesized_expression' || v.type === 'cast_expression'); i++) v = v.type === 'cast_expression' ? field(v, 'value') : v.namedChild(0) ?? undefined;
  if (!v) return false;
  if (v.type === 'null' || v.type === 'nil' || (v.type === 'number_literal' && v.text === '0') || (v.type === 'identifier' && v.text === 'NULL')) return undefined;
  if (v.type !== 'call_expression') return false;
  const callee = ctx.calleeText(v);
  if (!callee) return false;
  if (factsOf(ctx, callee)?.fresh || CONVENTIONAL_ALLOCATORS.has(callee)) return true;
  if (ctx.adapter.language === 'go' && (callee === 'make' || callee === 'new')) return true;
  return ctx.adapter.calleeIsName(v) && returnsFresh(ctx, lastName(callee), depth + 1);
}

/** A same-file function all of whose `return`s give fresh memory (or NULL), at least one fresh. */
export function returnsFresh(ctx: FileContext, name: string, depth = 0): boolean {
  const key = `returns-fresh:${name}`;
  if (!ctx.memo.has(key) && depth > MAX_DEPTH) return false;
  // Recursion: assume not.
  return ctx.rememberRecursive(key, false, () => {
    const fn = ctx.functionNamed(name);
    const body = fn && ctx.adapter.functionBody(fn);
    if (!body) return false;
    const values = descendants(body, RETURNS, ctx.adapter.closureTypes).map((r) => r.namedChild(0) ?? undefined);
    const verdicts = values.map((v) => (v ? isFresh(ctx, v, depth) : false));
    return verdicts.length > 0 && verdicts.every((x) => x !== false) && verdicts.some((x) => x === true);
  });
}
