/**
 * splitFrame: the cure of Go's "syscall: use CLONE_VFORK safely" (docs/rules.md, section 5),
 * for Go and C. The forking function F becomes
 *
 *   - an inner function (Go `F1`, C `F_vfork`) holding everything through the fork, an
 *     immediate return on the parent side, and the child code (which never returns);
 *   - the outer F, same signature, which calls the inner one and does all the parent's
 *     post-fork work in its own frame.
 *
 * The fix is correct or it is not offered: every shape it cannot move safely throws a
 * Decline whose message is the one-line reason the user sees.
 */
import { PARENT_SIDE } from '../flow/path-state.js';
import { findForkSites } from '../fork-sites.js';
import type { SyntaxNode } from '../parser.js';
import type { SiteAnalysis } from '../site-analysis.js';
import { contains, field, fieldChildren, namedChildren, walk } from '../syntax.js';
import type { TextEdit } from '../types.js';
import { indentAt, indentUnitOf, item, renderItems, type Item } from './layout.js';
import { Regions, blockEntries, decline, declaratorName, identifiersIn, statementIndex } from './regions.js';
import { childItems, parentItems, type ViewContext } from './views.js';
import { buildC, type CPlan } from './split-c.js';
import { buildGo, type GoPlan } from './split-go.js';

export interface SplitFix {
  title: string;
  edits: TextEdit[];
}

/** How the parent's post-fork code gets each name it reads. */
export interface NeededNames {
  /** Locals computed before the fork that the parent needs: Go named results, C out-parameters. */
  carried: string[];
  /** Locals the parent uses but the code before the fork never touches: declared afresh in the outer function. */
  fresh: string[];
}

export interface SplitContext {
  sa: SiteAnalysis;
  text: string;
  language: 'c' | 'go';
  fn: SyntaxNode;
  body: SyntaxNode;
  entries: SyntaxNode[];
  /** Index in `entries` of the top-level statement holding the fork. */
  forkIndex: number;
  regions: Regions;
  unit: string;
  needed: NeededNames;
  /** `return` statements before the fork. */
  earlyReturns: SyntaxNode[];
}

const LOOPS = /^(?:for_statement|while_statement|do_statement)$/;

/** Compute the frame split for this site's function, or throw Decline. */
export function splitFrame(sa: SiteAnalysis): SplitFix {
  const ctx = prepare(sa);
  return ctx.language === 'go' ? buildGo(ctx) : buildC(ctx);
}

function prepare(sa: SiteAnalysis): SplitContext {
  const file = sa.file;
  const language = file.adapter.language;
  const fn = sa.site.fn;
  const call = sa.site.call;
  if (!/^(?:function_declaration|method_declaration|function_definition)$/.test(fn.type)) decline('the fork is inside a function literal; split it by hand');
  if (sa.site.kind !== 'raw' && sa.site.kind !== 'vfork') decline(`a ${sa.site.kind} fork site has no frame to split`);
  const body = file.adapter.functionBody(fn);
  if (!body) decline('the forking function has no body');
  if (fn.hasError) decline('the function does not parse cleanly (macros or directives may hide its control flow)');
  if (sa.flow.incomplete) decline('the function nests too deeply to analyse every path');
  const text = file.text;
  const fnText = text.slice(fn.startIndex, fn.endIndex);
  if (/\w{1000}/.test(fnText)) decline('the function holds a name of over 1,000 characters; split it by hand');
  // Directive lines (or the blanks the analysis masked them with) inside the function.
  const written = (file.originalText ?? text).slice(fn.startIndex, fn.endIndex);
  if (file.masked || /^[ \t]*#/m.test(written)) decline('preprocessor directives inside the function hide which code is compiled');
  if (language === 'go' && field(fn, 'type_parameters')) decline('the function has type parameters; split it by hand');
  // Loops and gotos across the fork.
  for (let n = call.parent; n && n.id !== fn.id; n = n.parent) {
    if (LOOPS.test(n.type)) decline('the fork is inside a loop whose parent part continues the loop');
  }
  if (findForkSites(fn, file.adapter, file.config).length > 1) decline('the function forks more than once; split it by hand');
  if (!sa.site.pidVar) decline("the fork's result is not kept in a variable the parent could return");
  const entries = blockEntries(body);
  const forkIndex = entries.findIndex((e) => contains(e, call));
  if (forkIndex < 0) decline('the fork is not a statement of the function body');
  const forkStart = entries[forkIndex].startIndex;
  if (language === 'go' && /^(?:if_statement|expression_switch_statement|type_switch_statement)$/.test(entries[forkIndex].type)) {
    const head = ['initializer', 'condition', 'value'].map((k) => entries[forkIndex].childForFieldName(k)).find((h) => h && contains(h, call));
    if (head) decline('the fork is in the header of an `if` or `switch`; assign its results in a statement of their own first');
  }
  const regions = new Regions(sa);
  regions.afterFork = entries[forkIndex].endIndex;
  const labels = new Map<string, SyntaxNode>();
  const gotos: SyntaxNode[] = [];
  const earlyReturns: SyntaxNode[] = [];
  let hasDefer = false;
  walk(body, (n) => {
    if (n.type === 'func_literal' || n.type === 'function_definition') return false;
    if (n.type === 'labeled_statement') {
      const l = field(n, 'label') ?? namedChildren(n).find((c) => c.type === 'label_name' || c.type === 'statement_identifier');
      if (l) labels.set(l.text, n);
    }
    if (n.type === 'goto_statement') gotos.push(n);
    if (n.type === 'defer_statement') hasDefer = true;
    if (n.type === 'return_statement' && n.endIndex <= entries[forkIndex].endIndex && !(regions.maskOf(n) & PARENT_SIDE) && !regions.holdsFork(n)) earlyReturns.push(n);
    return true;
  });
  // A statement-level macro after the fork (`CHECK_PID(pid);`, `UNLOCK;`) may return, jump or fork.
  for (const e of entries.slice(forkIndex)) {
    walk(e, (n) => {
      if (n.type !== 'expression_statement' || !sa.flow.statements.has(n.id)) return true;
      const x = n.namedChild(0);
      const callee = x?.type === 'call_expression' ? field(x, 'function') : x;
      if (callee?.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(callee.text) && (regions.maskOf(n) & PARENT_SIDE)) decline(`the macro \`${callee.text}\` after the fork may hide control flow`);
      return false;
    });
  }
  if (hasDefer) decline('`defer` in a function that forks: the deferred calls would run in the wrong frame after the split');
  for (const g of gotos) {
    const label = (field(g, 'label') ?? namedChildren(g)[0])?.text ?? '';
    const target = labels.get(label);
    if (!target) decline(`\`goto ${label}\` jumps to a label the split cannot find`);
    const before = (n: SyntaxNode) => n.startIndex < forkStart;
    if (before(g) !== before(target) || contains(entries[forkIndex], g) !== contains(entries[forkIndex], target)) decline(`\`goto ${label}\` jumps across the fork`);
    if (regions.maskOf(g) & PARENT_SIDE) decline(`\`goto ${label}\` on the parent's side after the fork`);
  }
  const ctx: SplitContext = {
    sa,
    text,
    language,
    fn,
    body,
    entries,
    forkIndex,
    regions,
    unit: language === 'go' ? '\t' : indentUnitOf(text, body),
    needed: { carried: [], fresh: [] },
    earlyReturns,
  };
  ctx.needed = neededNames(ctx);
  return ctx;
}

/** The recorded statement that holds `n` (its nearest ancestor the flow pass saw). */
function statementOf(sa: SiteAnalysis, n: SyntaxNode): SyntaxNode | undefined {
  return statementIndex(sa).innermost(n);
}

function onParentSide(sa: SiteAnalysis, n: SyntaxNode): boolean {
  const s = statementOf(sa, n);
  return !!s && ((sa.flow.statements.get(s.id)?.mask ?? 0) & PARENT_SIDE) !== 0;
}

/** Is this identifier the declared name of a declaration without a value (`var x T`, `int x;`)? */
function bareDeclarationName(n: SyntaxNode): boolean {
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'var_spec') return !field(p, 'value') && fieldChildren(p, 'name').some((c) => c.id === n.id);
  if (p.type === 'declaration') return fieldChildren(p, 'declarator').some((c) => c.id === n.id);
  if (p.type === 'pointer_declarator' && p.parent?.type === 'declaration') return true;
  // `int status = 0;`: a constant initialiser the outer function can repeat.
  if (p.type === 'init_declarator' && field(p, 'declarator')?.id === n.id) return isConstant(field(p, 'value'));
  return false;
}

export function isConstant(v: SyntaxNode | undefined): boolean {
  return !!v && /^(?:number_literal|char_literal|string_literal|null|true|false)$/.test(v.type) || (!!v && /^-?\s*\d+$/.test(v.text)) || v?.text === 'NULL';
}

/** Every name declared by a declaration the parent runs after the fork. */
function parentDeclared(ctx: SplitContext): Set<string> {
  const out = new Set<string>();
  for (const e of ctx.entries.slice(ctx.forkIndex)) {
    walk(e, (n) => {
      if (n.type === 'func_literal') return false;
      if (!/^(?:short_var_declaration|var_spec|declaration|range_clause)$/.test(n.type) || !onParentSide(ctx.sa, n)) return true;
      if (n.type === 'var_spec') for (const c of fieldChildren(n, 'name')) out.add(c.text);
      else if (n.type === 'declaration') for (const d of fieldChildren(n, 'declarator')) out.add(declaratorName(d) ?? '');
      else for (const c of namedChildren(field(n, 'left') ?? n)) if (c.type === 'identifier') out.add(c.text);
      return true;
    });
  }
  return out;
}

function neededNames(ctx: SplitContext): NeededNames {
  const { sa } = ctx;
  const scope = sa.scope;
  const declaredByParent = parentDeclared(ctx);
  const reads = new Map<string, SyntaxNode>();
  for (const e of ctx.entries.slice(ctx.forkIndex)) {
    for (const id of identifiersIn(e)) {
      if (contains(sa.site.call, id)) continue;
      if (!onParentSide(sa, id) || reads.has(id.text)) continue;
      reads.set(id.text, id);
    }
  }
  const prefix = ctx.entries.slice(0, ctx.forkIndex + 1);
  const mentionedBeforeFork = (name: string) => prefix.some((e) => identifiersIn(e, (n) => n.text === name && !bareDeclarationName(n) && !contains(sa.site.call, n) || (n.text === name && contains(sa.site.call, n))).length > 0);
  const childWrite = (name: string) => sa.childWrites().find((w) => w.root === name && !sa.isResultVariable(name));
  const carried: string[] = [];
  const fresh: string[] = [];
  for (const [name] of reads) {
    if (sa.isResultVariable(name) || declaredByParent.has(name) || scope.results.has(name)) continue;
    if (scope.params.has(name)) {
      const assigned = prefix.some((e) => identifiersIn(e, (n) => n.text === name && isAssignedName(n)).length > 0);
      if (assigned) decline(`the parameter \`${name}\` is assigned before the fork and read by the parent after it`);
      continue;
    }
    const local = scope.locals.get(name);
    if (!local) continue;
    if (local.node.startIndex >= ctx.entries[ctx.forkIndex].endIndex) decline(`the parent reads \`${name}\`, declared after the fork`);
    const w = childWrite(name);
    if (!mentionedBeforeFork(name)) {
      // Untouched before the fork: the parent meant its initial value. When the child writes
      // it too, that holds only if the parent also assigns it (the seed's err2); a local the
      // parent only reads is the child's channel to the parent, and the split will not guess.
      if (w && !parentAssigns(ctx, name)) decline(`the parent reads \`${name}\`, which the child writes (line ${w.node.startPosition.row + 1}) and only the child sets; the split cannot keep that channel`);
      fresh.push(name);
      continue;
    }
    if (w) decline(`the parent reads \`${name}\`, which the child writes (line ${w.node.startPosition.row + 1}); the split cannot tell which value it needs`);
    carried.push(name);
  }
  return { carried, fresh };
}

/** Does the parent's post-fork code assign `name` itself? */
function parentAssigns(ctx: SplitContext, name: string): boolean {
  return ctx.entries.slice(ctx.forkIndex).some((e) => identifiersIn(e, (n) => n.text === name && isAssignedName(n) && onParentSide(ctx.sa, n)).length > 0);
}

function isAssignedName(n: SyntaxNode): boolean {
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'assignment_expression' || p.type === 'update_expression') return field(p, 'left')?.id === n.id || field(p, 'argument')?.id === n.id;
  if (p.type === 'expression_list' && p.parent && /^(?:assignment_statement|short_var_declaration)$/.test(p.parent.type)) return field(p.parent, 'left')?.id === p.id;
  if (p.type === 'inc_statement' || p.type === 'dec_statement') return true;
  return false;
}

/** Shared view context for one side. */
export function viewContext(ctx: SplitContext, edits: TextEdit[], skip: Set<number>, parentReturn: string, returnComment: string[]): ViewContext {
  return { text: ctx.text, language: ctx.language, unit: ctx.unit, regions: ctx.regions, edits, skip, parentReturn, returnComment };
}

/** The inner function's body items: everything before the fork as written, then the child view. */
export function innerItems(ctx: SplitContext, view: ViewContext): Item[] {
  return childItems(view, ctx.entries, ctx.body.startIndex + 1);
}

export function outerItems(ctx: SplitContext, view: ViewContext): Item[] {
  return parentItems(view, ctx.entries.slice(ctx.forkIndex), ctx.forkIndex > 0 ? ctx.entries[ctx.forkIndex - 1].endIndex : ctx.body.startIndex + 1, ctx.sa.flow.endMask);
}

/** Where to declare a fresh local in the outer function: before the first parent statement that mentions it. */
export function freshDeclarationEdit(ctx: SplitContext, name: string, declaration: string): TextEdit | undefined {
  const refs: SyntaxNode[] = [];
  for (const e of ctx.entries.slice(ctx.forkIndex)) for (const id of identifiersIn(e, (n) => n.text === name)) if (onParentSide(ctx.sa, id)) refs.push(id);
  if (!refs.length) return undefined;
  // The smallest block holding every reference, then its statement that holds the first one.
  let block: SyntaxNode | null = refs[0].parent;
  const isBlockish = (n: SyntaxNode) => n.type === 'block' || n.type === 'compound_statement' || n.type === 'statement_list';
  while (block && !(isBlockish(block) && refs.every((r) => contains(block!, r)))) block = block.parent;
  if (block?.type === 'statement_list') block = block.parent;
  if (!block || block.id === ctx.body.id) return undefined;
  const stmt = blockEntries(block).find((c) => contains(c, refs[0]));
  if (!stmt || ctx.regions.side(stmt) !== 'parent') return undefined;
  return { start: stmt.startIndex, end: stmt.startIndex, newText: `${declaration}\n${indentAt(ctx.text, stmt.startIndex)}` };
}

export function renderBody(items: Item[], indent: string, closeIndent: string): string {
  return ['{', ...renderItems(items, indent), `${closeIndent}}`].join('\n');
}

export { item };
export type { CPlan, GoPlan };
