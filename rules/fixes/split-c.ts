/**
 * The C half of splitFrame: `static __attribute__((noinline)) T F_vfork(params...)`
 * holds the setup, the fork, `return pid;` on the parent side and the child code; locals
 * the parent needs leave through out-parameters written before the fork, so the parent
 * never reads a slot the child may have written. The outer F keeps its signature.
 */
import { FAILED, PARENT } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import { contains, escapeRegExp, field, fieldChildren, namedChildren, walk } from '../syntax.js';
import type { TextEdit } from '../types.js';
import { codeOnly, indentAt, item, type Item } from './layout.js';
import { blockEntries, decline, declaratorName } from './regions.js';
import { innerItems, isConstant, outerItems, renderBody, viewContext, type SplitContext, type SplitFix } from './split.js';

export type CPlan = Record<string, never>;

export const C_WHY_COMMENT = [
  '/*',
  ' * The child shares the stack with the parent until it execs or exits, so it',
  ' * must not touch any frame the parent still uses: it does all its post-fork',
  ' * work in this frame and never returns, while the parent returns from this',
  ' * frame at once and does its post-fork work in the outer frame. noinline',
  ' * keeps the compiler from merging the two frames again.',
  ' */',
];

function declarationOf(node: SyntaxNode | undefined): SyntaxNode | undefined {
  for (let n: SyntaxNode | null | undefined = node; n; n = n.parent) if (n.type === 'declaration') return n;
  return undefined;
}

function declaratorFor(decl: SyntaxNode, name: string): SyntaxNode | undefined {
  return fieldChildren(decl, 'declarator').find((d) => declaratorName(d) === name);
}

/** `T` for a declaration `T x, *y;` (everything before the first declarator). */
function baseType(text: string, decl: SyntaxNode): string {
  const first = fieldChildren(decl, 'declarator')[0];
  return text.slice(decl.startIndex, first ? first.startIndex : decl.endIndex).trim();
}

/** The declarator without its initializer: `*p = x` -> `*p`. */
function bareDeclarator(d: SyntaxNode): SyntaxNode {
  return d.type === 'init_declarator' ? field(d, 'declarator') ?? d : d;
}

function localType(ctx: SplitContext, name: string): { type: string; declarator: string; initialised: string } {
  const local = ctx.sa.scope.locals.get(name);
  const decl = declarationOf(local?.node);
  const d = decl && declaratorFor(decl, name);
  if (!decl || !d) return decline(`cannot find the declaration of \`${name}\``);
  const bare = bareDeclarator(d);
  if (bare.type === 'array_declarator') decline(`the parent needs the array \`${name}\`; move it out by hand`);
  return { type: baseType(ctx.text, decl), declarator: bare.text, initialised: d.type === 'init_declarator' && isConstant(field(d, 'value')) ? d.text : bare.text };
}

function freeName(ctx: SplitContext, base: string): string {
  for (let i = 1; i < 100; i++) {
    const cand = i === 1 ? `${base}_vfork` : `${base}_vfork${i}`;
    if (ctx.sa.file.functionNamed(cand) === undefined && !new RegExp(`\\b${escapeRegExp(cand)}\\b`).test(codeOnly(ctx.text))) return cand;
  }
  return decline('no free name for the inner function');
}

function parameterNames(fn: SyntaxNode): { names: string[]; text: string } {
  let d = field(fn, 'declarator');
  while (d && d.type !== 'function_declarator') d = field(d, 'declarator');
  const list = d && field(d, 'parameters');
  if (!list) return decline('cannot read the function\'s parameters');
  const names: string[] = [];
  for (const p of namedChildren(list)) {
    if (p.type === 'comment') continue;
    if (p.type === 'variadic_parameter') decline('the function is variadic; the outer function could not pass its arguments on');
    if (p.type !== 'parameter_declaration') decline('the function has old-style parameters; split it by hand');
    const name = declaratorName(field(p, 'declarator'));
    if (!name) {
      if (p.text.trim() === 'void') continue;
      decline('the function has unnamed parameters; the outer function could not pass them on');
    }
    names.push(name);
  }
  const inner = list.text.slice(1, -1).trim();
  return { names, text: inner === 'void' ? '' : inner };
}

/** Where the function's leading comment block starts (the inner function goes above it). */
function leadingStart(ctx: SplitContext): number {
  let start = ctx.fn.startIndex;
  let prev = ctx.fn.previousSibling;
  while (prev && prev.type === 'comment' && !/\n[ \t\r]*\n/.test(ctx.text.slice(prev.endIndex, start))) {
    start = prev.startIndex;
    prev = prev.previousSibling;
  }
  return start;
}

export function buildC(ctx: SplitContext): SplitFix {
  const { sa, text, fn, body } = ctx;
  const fnName = sa.file.adapter.functionName(fn);
  const inner = freeName(ctx, fnName);
  const pid = sa.site.pidVar!;
  if (!sa.scope.locals.has(pid)) decline(`the fork's result \`${pid}\` is not a local of \`${fnName}\``);
  const pidDecl = localType(ctx, pid);
  if (pidDecl.declarator !== pid) decline(`the fork's result \`${pid}\` is not a plain variable`);
  const { names: params, text: paramsText } = parameterNames(fn);
  const fork = ctx.entries[ctx.forkIndex];
  const ind = indentAt(text, fork.startIndex);
  const innerEdits: TextEdit[] = [];
  const outerEdits: TextEdit[] = [];

  // Returns before the fork: only when the parent's failed-fork path returns the same value and does nothing else.
  for (const r of ctx.earlyReturns) {
    const value = r.namedChild(0)?.text ?? '';
    const failIf = ctx.entries.slice(ctx.forkIndex).find((e) => {
      if (e.type !== 'if_statement') return false;
      const then = field(e, 'consequence');
      if (!then || ctx.regions.side(then) !== 'parent' || !(ctx.regions.subtreeMask(then) & FAILED) || ctx.regions.subtreeMask(then) & PARENT) return false;
      const code = (then.type === 'compound_statement' ? blockEntries(then) : [then]).filter((s) => s.type !== 'comment');
      return code.length === 1 && code[0].type === 'return_statement' && code[0].namedChild(0)?.text === value;
    });
    const cond = failIf ? field(failIf, 'condition')?.text.replace(/^\(|\)$/g, '').replace(/\s+/g, '') ?? '' : '';
    const negative = /^-\d+$/.test(value);
    const taken = negative && (cond === `${pid}<0` || cond === `${pid}==${value}` || cond === `${pid}<=0` || cond === `${pid}==(pid_t)${value}`);
    if (!taken) decline('a return before the fork: the outer function could not tell it from a failed fork');
  }

  // Locals the parent needs leave through out-parameters, written before the fork.
  const outParams: string[] = [];
  const outDecls: string[] = [];
  const outArgs: string[] = [];
  for (const name of ctx.needed.carried) {
    const { type, declarator } = localType(ctx, name);
    const ptr = declarator.replace(new RegExp(`\\b${escapeRegExp(name)}\\b`), '');
    const fnCode = codeOnly(text.slice(fn.startIndex, fn.endIndex));
    let out = `${name}_out`;
    for (let i = 2; new RegExp(`\\b${escapeRegExp(out)}\\b`).test(fnCode) || outParams.some((p) => p.endsWith(`*${out}`)); i++) out = `${name}_out${i}`;
    outParams.push(`${type} ${ptr}*${out}`);
    outDecls.push(`${type} ${declarator};`);
    outArgs.push(`&${name}`);
    innerEdits.push({ start: fork.startIndex, end: fork.startIndex, newText: `*${out} = ${name};\n${ind}` });
  }
  for (const name of ctx.needed.fresh) {
    const { type, initialised } = localType(ctx, name);
    outDecls.push(`${type} ${initialised};`);
  }

  // In the outer function the fork's assignment inside a test reads the result instead.
  walk(fork, (n) => {
    if (n.type !== 'assignment_expression' || !contains(n, sa.site.call)) return true;
    const target = n.parent?.type === 'parenthesized_expression' ? n.parent : n;
    outerEdits.push({ start: target.startIndex, end: target.endIndex, newText: pid });
    return false;
  });

  // Declarations that only the parent used leave the inner function (-Wunused-variable).
  const decls = ctx.entries.slice(0, ctx.forkIndex + 1).filter((e) => e.type === 'declaration');
  const build = (remove: Set<string>) => {
    const edits = [...innerEdits];
    const skip = new Set<number>();
    for (const d of decls) {
      const ds = fieldChildren(d, 'declarator');
      const kept = ds.filter((x) => !remove.has(declaratorName(x) ?? ''));
      if (kept.length === ds.length) continue;
      if (ds.some((x) => remove.has(declaratorName(x) ?? '') && x.type === 'init_declarator' && /\(/.test(field(x, 'value')?.text ?? ''))) decline('a declaration the parent alone needs calls a function in its initialiser');
      if (!kept.length) skip.add(d.id);
      else edits.push({ start: d.startIndex, end: d.endIndex, newText: `${baseType(text, d)} ${kept.map((k) => k.text).join(', ')};` });
    }
    return innerItems(ctx, viewContext(ctx, edits, skip, `return ${pid};`, []));
  };
  const declared = decls.flatMap((d) => fieldChildren(d, 'declarator').map((x) => declaratorName(x) ?? '')).filter((n) => n && n !== pid);
  let innerBody = build(new Set());
  const innerText = innerBody.map((i) => i.lines.join('\n')).join('\n');
  const unused = declared.filter((n) => (innerText.match(new RegExp(`(?<![\\w.>])${escapeRegExp(n)}\\b`, 'g')) ?? []).length <= 1);
  if (unused.length) innerBody = build(new Set(unused));
  // A parent path that falls off the end still returns the fork's result.
  if (sa.flow.endMask & (PARENT | FAILED)) {
    const last = innerBody[innerBody.length - 1];
    if (!last || last.lines.join('\n').trim() !== `return ${pid};`) innerBody.push(item(`return ${pid};`, true));
  }

  const parentBody = outerItems(ctx, viewContext(ctx, outerEdits, new Set(), `return ${pid};`, []));
  const parentText = parentBody.map((i) => i.lines.join('\n')).join('\n');
  const args = [...params, ...outArgs].join(', ');
  const callLine = new RegExp(`(?<![\\w.>])${escapeRegExp(pid)}\\b`).test(parentText) ? `${pidDecl.type} ${pid} = ${inner}(${args});` : `(void)${inner}(${args});`;
  const outer: Item[] = [...outDecls.map((d) => item(d)), item(callLine), ...parentBody];
  if (parentBody[0]) parentBody[0].blankBefore = true;

  const brace = text.slice(field(fn, 'declarator')!.endIndex, body.startIndex);
  const sig = `static __attribute__((noinline)) ${pidDecl.type} ${inner}(${[paramsText, ...outParams].filter(Boolean).join(', ') || 'void'})`;
  const innerFn = [...C_WHY_COMMENT, `${sig}${brace}${renderBody(innerBody, ctx.unit, '')}`].join('\n');
  const at = leadingStart(ctx);
  return {
    title: `Split the frame: move the parent's post-fork work out of \`${fnName}\` into its caller half (new \`${inner}\`)`,
    edits: [
      { start: at, end: at, newText: `${at > 0 && !/\n[ \t\r]*\n$/.test(text.slice(0, at)) ? '\n' : ''}${innerFn}\n\n` },
      { start: body.startIndex, end: body.endIndex, newText: renderBody(outer, ctx.unit, '') },
    ],
  };
}
