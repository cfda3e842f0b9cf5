/**
 * The Go half of splitFrame, shaped after the commit: `F1` gets named results for the
 * fork's results and the locals the parent needs (plus a `locked` flag when returns
 * before the fork must skip the parent's post-fork work), early returns become
 * assignments plus `return`, both functions carry `//go:norace`, output is gofmt's.
 */
import { CHILD_SIDE, FAILED, PARENT } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import { children, contains, escapeRegExp, field, fieldChildren, namedChildren, walk } from '../syntax.js';
import type { TextEdit } from '../types.js';
import { codeOnly, indentAt, item, type Item } from './layout.js';
import { blockEntries, decline } from './regions.js';
import { freshDeclarationEdit, innerItems, outerItems, renderBody, viewContext, type SplitContext, type SplitFix } from './split.js';

export type GoPlan = Record<string, never>;

export const GO_WHY_COMMENT = [
  "// The child shares this stack with the parent until it execs or",
  '// exits, so it must not touch any frame the parent still uses. Hence',
  '// the child does all its post-fork work in this frame and never',
  '// returns, while the parent returns from this frame at once and does',
  '// all its post-fork work in the outer frame.',
];

const RETURN_COMMENT = [
  "// The parent returns at once so that it does not keep working in",
  '// the stack frame the child used: it may only use the return PC,',
  '// which the child does not modify, and the fork\'s results, which',
  '// were written after the child was replaced.',
];

function paramNames(list: SyntaxNode | undefined): string[] {
  const out: string[] = [];
  for (const p of list ? namedChildren(list) : []) {
    if (p.type === 'comment') continue;
    const names = fieldChildren(p, 'name');
    if (!names.length) decline('the function has unnamed parameters; the outer function could not pass them on');
    for (const n of names) {
      if (n.text === '_') decline('the function has a parameter named `_`; the outer function could not pass it on');
      out.push(p.type === 'variadic_parameter_declaration' ? `${n.text}...` : n.text);
    }
  }
  return out;
}

function freeName(ctx: SplitContext, base: string): string {
  for (let i = 1; i < 100; i++) {
    const cand = `${base}${i}`;
    if (ctx.sa.file.functionNamed(cand) === undefined && !new RegExp(`\\b${escapeRegExp(cand)}\\b`).test(codeOnly(ctx.text))) return cand;
  }
  return decline('no free name for the inner function');
}

function localVar(taken: (n: string) => boolean, base: string): string {
  if (!taken(base)) return base;
  for (let i = 2; i < 50; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
  return decline(`no free name for the \`${base}\` flag`);
}

/** The declared type of a local or result, as written. */
function typeOf(ctx: SplitContext, name: string): string {
  const { sa } = ctx;
  const local = sa.scope.locals.get(name);
  if (local?.node.type === 'var_spec') {
    const t = field(local.node, 'type');
    if (t) return t.text;
  }
  const results = field(ctx.fn, 'result');
  if (results?.type === 'parameter_list') {
    for (const p of namedChildren(results)) if (fieldChildren(p, 'name').some((n) => n.text === name)) return field(p, 'type')?.text ?? decline(`cannot tell the type of \`${name}\``);
  }
  if (local && contains(ctx.entries[ctx.forkIndex], local.node) && contains(local.node, sa.site.call)) {
    const qual = /^(\w+)\./.exec(sa.file.adapter.calleeText(sa.site.call) ?? '');
    if (name === sa.site.errVar) return qual ? 'syscall.Errno' : 'Errno';
    if (name === sa.site.pidVar) return 'uintptr';
  }
  return decline(`cannot tell the type of \`${name}\` (declared with :=) to carry it out of the inner function; declare it with var`);
}

/** A top-level `var` declaration without some names, gofmt-aligned; '' when nothing is left. */
function rewriteVar(ctx: SplitContext, decl: SyntaxNode, remove: Set<string>): string | undefined {
  const specs: SyntaxNode[] = [];
  walk(decl, (n) => {
    if (n.type === 'var_spec') specs.push(n);
    return n.type === 'var_declaration' || n.type === 'var_spec_list';
  });
  if (!specs.some((s) => fieldChildren(s, 'name').some((n) => remove.has(n.text)))) return undefined;
  const list = namedChildren(decl).find((c) => c.type === 'var_spec_list');
  const rows: Array<{ names: string; rest: string } | { raw: string } | { blank: true }> = [];
  let prevEnd = list ? list.startIndex + 1 : decl.startIndex;
  for (const s of list ? namedChildren(list) : specs) {
    if (/\n[ \t\r]*\n/.test(ctx.text.slice(prevEnd, s.startIndex)) && rows.length) rows.push({ blank: true });
    prevEnd = s.endIndex;
    if (s.type === 'comment') {
      rows.push({ raw: s.text });
      continue;
    }
    if (s.type !== 'var_spec') continue;
    const names = fieldChildren(s, 'name').map((n) => n.text);
    const kept = names.filter((n) => !remove.has(n));
    if (!kept.length) continue;
    const value = field(s, 'value');
    if (value && kept.length !== names.length) decline('a `var` declaration with values would have to lose some of its names');
    const type = field(s, 'type');
    const restStart = type ? type.startIndex : fieldChildren(s, 'name').slice(-1)[0].endIndex;
    rows.push({ names: kept.join(', '), rest: ctx.text.slice(restStart, s.endIndex).trim() });
  }
  while (rows.length && 'blank' in rows[rows.length - 1]) rows.pop();
  const specRows = rows.filter((r): r is { names: string; rest: string } => 'names' in r);
  if (!specRows.length) return '';
  const base = indentAt(ctx.text, decl.startIndex);
  if (!list && specRows.length === 1) return `var ${specRows[0].names} ${specRows[0].rest}`;
  // gofmt aligns the type column within each run of consecutive specs.
  const lines: string[] = ['var ('];
  let run: Array<{ names: string; rest: string }> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((r) => r.names.length));
    for (const r of run) lines.push(`${base}\t${r.names}${' '.repeat(width - r.names.length + 1)}${r.rest}`);
    run = [];
  };
  for (const r of rows) {
    if ('names' in r) run.push(r);
    else {
      flush();
      lines.push('raw' in r ? `${base}\t${r.raw}` : '');
    }
  }
  flush();
  lines.push(`${base})`);
  return lines.join('\n');
}

export function buildGo(ctx: SplitContext): SplitFix {
  const { sa, text, fn, body } = ctx;
  const fnName = sa.file.adapter.functionName(fn);
  const inner = freeName(ctx, fnName);
  const pid = sa.site.pidVar!;
  const err = sa.site.errVar;
  const params = paramNames(field(fn, 'parameters'));
  const receiver = field(fn, 'receiver');
  const receiverName = receiver ? paramNames(receiver)[0] : undefined;
  const outerNames = new Set([...params.map((p) => p.replace(/\.\.\.$/, '')), ...sa.scope.results, ...(receiverName ? [receiverName] : [])]);
  const fork = ctx.entries[ctx.forkIndex];
  const innerEdits: TextEdit[] = [];
  const outerEdits: TextEdit[] = [];
  const innerSkip = new Set<number>();
  const outerSkip = new Set<number>();

  // The inner function must not use the outer one's results.
  const prefixAndChild = ctx.entries.filter((e) => !(ctx.regions.side(e) === 'parent'));
  for (const r of sa.scope.results) {
    if (r === pid || r === err) continue;
    const used = prefixAndChild.some((e) => {
      let hit = false;
      walk(e, (n) => {
        if (hit || n.type === 'func_literal') return false;
        if (n.type === 'identifier' && n.text === r && !parentOnly(ctx, n)) hit = true;
        return !hit;
      });
      return hit;
    });
    const redeclared = prefixAndChild.some((e) => new RegExp(`\\b${escapeRegExp(r)}\\b[^=\\n]*:=|var\\s+${escapeRegExp(r)}\\b`).test(e.text));
    if (used && !redeclared) decline(`the code that stays in the inner function uses the result \`${r}\``);
  }

  const results = [pid, ...(err ? [err] : []), ...ctx.needed.carried];
  const resultTypes = results.map((r) => typeOf(ctx, r));

  // Early returns before the fork become assignments to the fork's results plus `return`.
  let flag: string | undefined;
  if (ctx.earlyReturns.length) {
    const failure = [...sa.flow.statements.values()].find((s) => s.role === 'return' && s.mask & FAILED && !(s.mask & (CHILD_SIDE | PARENT)));
    if (!failure) decline('a return before the fork, and no failed-fork path in the parent to carry it to');
    const fvals = returnValues(failure.node);
    const taken = (n: string) => new RegExp(`\\b${escapeRegExp(n)}\\b`).test(text.slice(fn.startIndex, fn.endIndex));
    flag = localVar(taken, /runtime_BeforeFork\s*\(/.test(text.slice(body.startIndex, fork.startIndex)) ? 'locked' : 'forked');
    for (const r of ctx.earlyReturns) {
      const evals = returnValues(r);
      if (evals.length !== fvals.length) decline('a return before the fork returns different values than the failed-fork path');
      const assigns: string[] = [];
      fvals.forEach((f, i) => {
        const e = evals[i].text;
        if (f.type === 'identifier' && (f.text === pid || f.text === err)) {
          if (e !== '0' || f.text !== pid) assigns.push(`${f.text} = ${e}`);
        } else if (f.text !== e) decline(`a return before the fork returns \`${e}\` where the failed-fork path returns \`${f.text}\``);
      });
      // The outer function routes the early return through the failed-fork test on the errno.
      if (!err || !assigns.some((a) => a.startsWith(`${err} = `))) decline('a return before the fork does not return an error the outer function could tell from a fork');
      const ind = indentAt(text, r.startIndex);
      innerEdits.push({ start: r.startIndex, end: r.endIndex, newText: [...assigns, 'return'].join(`\n${ind}`) });
    }
    innerEdits.push({ start: fork.startIndex, end: fork.startIndex, newText: `${flag} = true\n${indentAt(text, fork.startIndex)}` });
  }

  // Returns the child never reaches (dead code after a call that never returns) keep the
  // compiler's terminating-statement rule satisfied: in the inner function they become bare.
  for (const e of ctx.entries.slice(ctx.forkIndex)) {
    walk(e, (n) => {
      if (n.type === 'func_literal') return false;
      if (n.type === 'return_statement' && returnValues(n).length && !parentOnly(ctx, n) && !(ctx.regions.maskOf(n) & (PARENT | FAILED))) innerEdits.push({ start: n.startIndex, end: n.endIndex, newText: 'return' });
      return true;
    });
  }

  // The fork's own `:=` becomes `=`: its results are now the inner function's.
  walk(fork, (n) => {
    if (n.type !== 'short_var_declaration' || !contains(n, sa.site.call)) return true;
    const left = field(n, 'left');
    for (const l of left ? namedChildren(left) : []) if (l.text !== '_' && l.text !== pid && l.text !== err) decline(`the fork's statement declares \`${l.text}\` too`);
    const op = children(n).find((c) => c.type === ':=');
    if (op) innerEdits.push({ start: op.startIndex, end: op.endIndex, newText: '=' });
    return false;
  });

  // Hoist what the failure and parent paths both do first, under the flag (the commit's `if locked`).
  const hoisted: Item[] = [];
  if (flag) {
    const post = ctx.entries.slice(ctx.forkIndex + 1).filter((e) => e.type === 'if_statement');
    const thenOf = (e: SyntaxNode) => field(e, 'consequence');
    const failIf = post.find((e) => thenOf(e) && ctx.regions.side(thenOf(e)!) === 'parent' && ctx.regions.subtreeMask(thenOf(e)!) & FAILED && !(ctx.regions.subtreeMask(thenOf(e)!) & PARENT));
    const parentIf = post.find((e) => thenOf(e) && ctx.regions.side(thenOf(e)!) === 'parent' && ctx.regions.subtreeMask(thenOf(e)!) & PARENT);
    const failWork = failIf ? blockEntries(thenOf(failIf)!).filter((s) => s.type !== 'comment' && s.type !== 'return_statement') : [];
    const parentWork = parentIf ? blockEntries(thenOf(parentIf)!).filter((s) => s.type !== 'comment') : [];
    failWork.forEach((s, i) => {
      if (parentWork[i]?.text !== s.text) decline('the failed-fork path does work that a return before the fork must skip');
      outerSkip.add(s.id);
      outerSkip.add(parentWork[i].id);
      hoisted.push(item(s.text));
    });
  }

  // Locals that become results, or that only the parent used, leave the inner `var` block.
  const varDecls = ctx.entries.slice(0, ctx.forkIndex).filter((e) => e.type === 'var_declaration');
  const build = (remove: Set<string>) => {
    const edits = [...innerEdits];
    const skip = new Set(innerSkip);
    for (const d of varDecls) {
      const t = rewriteVar(ctx, d, remove);
      if (t === '') skip.add(d.id);
      else if (t !== undefined) edits.push({ start: d.startIndex, end: d.endIndex, newText: t });
    }
    const view = viewContext(ctx, edits, skip, 'return', RETURN_COMMENT);
    return innerItems(ctx, view);
  };
  const remove = new Set(results);
  let innerBody = build(remove);
  const innerText = innerBody.map((i) => i.lines.join('\n')).join('\n');
  const unused = [...sa.scope.locals.keys()].filter((n) => varDecls.some((d) => new RegExp(`\\b${escapeRegExp(n)}\\b`).test(d.text)) && (innerText.match(new RegExp(`(?<![\\w.])${escapeRegExp(n)}\\b`, 'g')) ?? []).length <= 1);
  if (unused.length) innerBody = build(new Set([...remove, ...unused]));

  // The outer function: call, flag, the parent's post-fork work.
  const fresh: Item[] = [];
  for (const name of ctx.needed.fresh) {
    const decl = `var ${name} ${typeOf(ctx, name)}`;
    const e = freshDeclarationEdit(ctx, name, decl);
    if (e) outerEdits.push(e);
    else fresh.push(item(decl));
  }
  const outerView = viewContext(ctx, outerEdits, outerSkip, 'return', []);
  const parentBody = outerItems(ctx, outerView);
  const parentText = [...hoisted, ...parentBody].map((i) => i.lines.join('\n')).join('\n');
  const lhsNames = [...results, ...(flag ? [flag] : [])].map((n) => (n === flag || new RegExp(`(?<![\\w.])${escapeRegExp(n)}\\b`).test(parentText) ? n : '_'));
  const callee = receiverName ? `${receiverName}.${inner}` : inner;
  const callText = `${callee}(${params.join(', ')})`;
  const named = lhsNames.filter((n) => n !== '_');
  let callLine: string;
  if (!named.length) callLine = callText;
  else if (named.every((n) => outerNames.has(n))) callLine = `${lhsNames.join(', ')} = ${callText}`;
  else callLine = `${lhsNames.join(', ')} := ${callText}`;
  const outer: Item[] = [
    item(['// Set up and fork. This returns at once in the parent, or in', "// this function if there's an error before the fork.", callLine]),
    ...(flag ? [item([`if ${flag} {`, ...hoisted.flatMap((h) => h.lines.map((l) => `\t${l}`)), '}'])] : []),
    ...fresh,
    ...parentBody,
  ];
  if (flag && !hoisted.length) outer.splice(1, 1);
  if (parentBody[0]) parentBody[0].blankBefore = parentBody[0].blankBefore && true;

  const recv = receiver ? `${receiver.text} ` : '';
  const paramsText = field(fn, 'parameters')!.text;
  const resultList = results.map((r, i) => `${r} ${resultTypes[i]}`).concat(flag ? [`${flag} bool`] : []).join(', ');
  const innerFn = [
    '//go:noinline',
    '//go:norace',
    `func ${recv}${inner}${paramsText} (${resultList}) ${renderBody([item(GO_WHY_COMMENT), ...innerBody], '\t', '')}`,
  ].join('\n');
  const outerBody = renderBody(outer, '\t', '');
  return {
    title: `Split the frame: move the parent's post-fork work out of \`${fnName}\` into its caller half (new \`${inner}\`)`,
    edits: [{ start: body.startIndex, end: fn.endIndex, newText: `${outerBody}\n\n${innerFn}` }],
  };
}

/** Is this node only ever run by the parent after the fork? */
function parentOnly(ctx: SplitContext, n: SyntaxNode): boolean {
  for (let p: SyntaxNode | null = n; p; p = p.parent) {
    const s = ctx.sa.flow.statements.get(p.id);
    if (s) return (s.mask & (PARENT | FAILED)) !== 0 && (s.mask & CHILD_SIDE) === 0;
  }
  return false;
}

function returnValues(ret: SyntaxNode): SyntaxNode[] {
  const list = ret.namedChild(0);
  if (!list || list.type === 'comment') return [];
  return list.type === 'expression_list' ? namedChildren(list).filter((c) => c.type !== 'comment') : [list];
}
