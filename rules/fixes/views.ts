/**
 * The two views of a forking function's post-fork code that the frame split emits:
 * the child view (kept in the inner function: parent-only code becomes an immediate
 * return) and the parent view (moved to the outer function: child-only code, which
 * never returns from the inner function, disappears; tests that only separated the
 * parent from the child are dropped).
 */
import { FAILED, PARENT, PARENT_SIDE } from '../flow/path-state.js';
import type { SyntaxNode } from '../parser.js';
import { contains, field, namedChildren } from '../syntax.js';
import type { TextEdit } from '../types.js';
import { blankBetween, indentAt, item, itemOf, nest, sliceWithEdits, trailsPrevious, type Item } from './layout.js';
import { Regions, blockEntries, decline, isBlock } from './regions.js';

export interface ViewContext {
  text: string;
  language: 'c' | 'go';
  unit: string;
  regions: Regions;
  /** Edits on the original text, applied inside every slice a view copies. */
  edits: TextEdit[];
  /** Nodes that a view leaves out (hoisted or deleted statements). */
  skip: Set<number>;
  /** The statement the parent returns with in the inner function (`return`, `return pid;`). */
  parentReturn: string;
  /** Go: merge consecutive parent-return tests into one `if a || b { return }` with this comment. */
  returnComment: string[];
}

const CONTROL_CALL = /^[A-Z][A-Z0-9_]*$/;

function isComment(n: SyntaxNode): boolean {
  return n.type === 'comment';
}

function headerText(ctx: ViewContext, from: number, to: number): string {
  return sliceWithEdits(ctx.text, from, to, ctx.edits).replace(/\s+$/, '');
}

/** The condition of an `if`, without C's parentheses. */
export function conditionText(ctx: ViewContext, ifNode: SyntaxNode): string {
  const cond = field(ifNode, 'condition')!;
  const inner = cond.type === 'parenthesized_expression' ? cond.namedChild(0) ?? cond : cond;
  return sliceWithEdits(ctx.text, inner.startIndex, inner.endIndex, ctx.edits);
}

function isReturnIf(ctx: ViewContext, n: SyntaxNode): boolean {
  if (n.type !== 'if_statement' || field(n, 'alternative') || field(n, 'initializer')) return false;
  const then = field(n, 'consequence');
  return !!then && ctx.regions.side(then) === 'parent' && !ctx.regions.holdsFork(n);
}

function macroStatement(n: SyntaxNode): boolean {
  if (n.type !== 'expression_statement') return false;
  const e = n.namedChild(0);
  if (!e) return false;
  if (e.type === 'identifier') return CONTROL_CALL.test(e.text);
  if (e.type === 'call_expression') {
    const f = field(e, 'function');
    return !!f && f.type === 'identifier' && CONTROL_CALL.test(f.text) && !n.text.trimEnd().endsWith(';');
  }
  return false;
}

// ----- the child view (inner function) ------------------------------------------------

export function childItems(ctx: ViewContext, entries: SyntaxNode[], prevEndStart: number): Item[] {
  const out: Item[] = [];
  let pending: Item[] = [];
  let prevEnd = prevEndStart;
  let lastWasReturn = false;
  let returnConds: string[] | undefined;
  let returnBlank = false;
  const flushReturns = () => {
    if (!returnConds) return;
    const cond = returnConds.join(' || ');
    if (ctx.language === 'go') {
      out.push(item([`if ${cond} {`, ...ctx.returnComment.map((c) => ctx.unit + c), ctx.unit + ctx.parentReturn, '}'], returnBlank));
    } else {
      out.push(item([`if (${cond})`, ctx.unit + ctx.parentReturn], returnBlank));
    }
    returnConds = undefined;
    lastWasReturn = true;
  };
  let lastEmitted: SyntaxNode | undefined;
  for (const n of entries) {
    const blank = blankBetween(ctx.text, prevEnd, n.startIndex);
    const trailing = isComment(n) && trailsPrevious(ctx.text, prevEnd, n.startIndex);
    const prevNode = lastEmitted;
    prevEnd = n.endIndex;
    if (ctx.skip.has(n.id)) continue;
    if (isComment(n)) {
      if (trailing) {
        if (prevNode && out.length && prevNode.endIndex === entries[entries.indexOf(n) - 1]?.endIndex) appendTrailing(out[out.length - 1], n.text);
        continue;
      }
      pending.push(itemOf(ctx.text, n, ctx.edits, blank));
      continue;
    }
    lastEmitted = undefined;
    const side = ctx.regions.side(n);
    if (side === 'parent' || (side === 'mixed' && isReturnIf(ctx, n))) {
      if (side === 'mixed') {
        if (!returnConds) returnBlank = pending[0]?.blankBefore ?? blank;
        (returnConds ??= []).push(wrapOr(conditionText(ctx, n)));
        pending = [];
        continue;
      }
      pending = [];
      if (!lastWasReturn && !returnConds) {
        out.push(item(ctx.parentReturn, blank));
        lastWasReturn = true;
      }
      continue;
    }
    flushReturns();
    out.push(...pending);
    pending = [];
    if (side === 'child') {
      out.push(itemOf(ctx.text, n, ctx.edits, blank));
      lastWasReturn = false;
      lastEmitted = n;
      continue;
    }
    out.push(mixedChild(ctx, n, blank));
    lastWasReturn = false;
  }
  flushReturns();
  out.push(...pending);
  return out;
}

function appendTrailing(it: Item, comment: string): void {
  it.lines[it.lines.length - 1] += ` ${comment}`;
}

function wrapOr(cond: string): string {
  return /\?|&&|[^=!<>]=[^=]/.test(cond) ? `(${cond})` : cond;
}

/** A branch in the child view: a block's items, or the parent return when the branch is the parent's. */
function branchItems(ctx: ViewContext, branch: SyntaxNode, view: 'child' | 'parent'): Item[] {
  if (isBlock(branch)) {
    const entries = blockEntries(branch);
    return view === 'child' ? childItems(ctx, entries, branch.startIndex) : parentItems(ctx, entries, branch.startIndex, undefined);
  }
  return view === 'child' ? childItems(ctx, [branch], branch.startIndex) : parentItems(ctx, [branch], branch.startIndex, undefined);
}

function braced(ctx: ViewContext, header: string, items: Item[], originalBlock: SyntaxNode | undefined): string[] {
  if (ctx.language === 'c' && !isBlock(originalBlock) && items.length === 1 && items[0].lines.length === 1) return [header, ...nest(items, ctx.unit)];
  return [`${header} {`, ...nest(items, ctx.unit), '}'];
}

function mixedChild(ctx: ViewContext, n: SyntaxNode, blank: boolean): Item {
  if (n.type === 'if_statement') return item(ifLines(ctx, n, 'child'), blank);
  if (isBlock(n)) return item(['{', ...nest(childItems(ctx, blockEntries(n), n.startIndex), ctx.unit), '}'], blank);
  if (n.type === 'switch_statement' || n.type === 'expression_switch_statement') return item(switchLines(ctx, n, 'child'), blank);
  if (macroStatement(n)) decline(`the macro \`${n.text.split('(')[0]}\` may hide control flow after the fork`);
  if (/^(?:for|while|do)_statement$/.test(n.type)) decline('a loop after the fork runs in both the parent and the child');
  if (n.type === 'labeled_statement') decline('a label after the fork is reached by both the parent and the child');
  return decline(`\`${firstLine(n.text)}\` runs in both the parent and the child before the fork's result is tested`);
}

function firstLine(s: string): string {
  const l = s.split('\n')[0].trim();
  return l.length > 60 ? `${l.slice(0, 57)}...` : l;
}

function ifLines(ctx: ViewContext, n: SyntaxNode, view: 'child' | 'parent'): string[] {
  const then = field(n, 'consequence')!;
  const altRaw = field(n, 'alternative');
  const alt = altRaw && altRaw.type === 'else_clause' ? altRaw.namedChild(0) ?? undefined : altRaw ?? undefined;
  const header = headerText(ctx, n.startIndex, then.startIndex);
  const thenItems = branchItems(ctx, then, view);
  const lines = braced(ctx, header, thenItems.length ? thenItems : [item(view === 'child' ? ctx.parentReturn : '')], then);
  if (!alt) return lines;
  const skipAlt = view === 'parent' ? !ctx.regions.hasParent(alt) : ctx.regions.side(alt) === 'parent' && thenItems.length === 0;
  if (skipAlt) return lines;
  if (alt.type === 'if_statement') {
    let sub: string[];
    if (view === 'child') sub = ctx.regions.side(alt) === 'child' ? itemOf(ctx.text, alt, ctx.edits, false).lines : ifLines(ctx, alt, 'child');
    else {
      const items = ctx.regions.side(alt) === 'parent' ? [itemOf(ctx.text, alt, ctx.edits, false)] : mixedParent(ctx, alt, false, undefined, undefined);
      sub = items.length === 1 && /^if\b/.test(items[0].lines[0]) ? items[0].lines : braced(ctx, 'else', items, undefined).slice(0);
      if (sub[0] !== items[0]?.lines[0]) {
        // Not an `if` any more: an unconditional else block.
        lines[lines.length - 1] += ' else {';
        return [...lines, ...nest(items, ctx.unit), '}'];
      }
    }
    lines[lines.length - 1] += ` else ${sub[0]}`;
    return [...lines, ...sub.slice(1)];
  }
  const altItems = branchItems(ctx, alt, view);
  const elseLines = braced(ctx, 'else', altItems.length ? altItems : [item(ctx.parentReturn)], alt);
  if (elseLines[0] === 'else {' && lines[lines.length - 1] === '}') {
    lines[lines.length - 1] = '} else {';
    return [...lines, ...elseLines.slice(1)];
  }
  return [...lines, ...elseLines];
}

function caseParts(n: SyntaxNode): Array<{ node: SyntaxNode; header: [number, number]; entries: SyntaxNode[] }> {
  const container = n.type === 'switch_statement' ? field(n, 'body') : n;
  const out: Array<{ node: SyntaxNode; header: [number, number]; entries: SyntaxNode[] }> = [];
  for (const c of container ? namedChildren(container) : []) {
    if (!/^(?:case_statement|expression_case|default_case)$/.test(c.type)) continue;
    const value = field(c, 'value');
    const entries = blockEntries(c).filter((s) => s.id !== value?.id);
    const colon = c.text.indexOf(':', value ? value.endIndex - c.startIndex : 0);
    out.push({ node: c, header: [c.startIndex, c.startIndex + colon + 1], entries });
  }
  return out;
}

function switchLines(ctx: ViewContext, n: SyntaxNode, view: 'child' | 'parent'): string[] {
  const parts = caseParts(n);
  const firstCase = parts[0]?.node;
  const open = firstCase ? firstCase.startIndex : n.endIndex - 1;
  const header = headerText(ctx, n.startIndex, open);
  const base = indentAt(ctx.text, n.startIndex);
  const lines = [header];
  for (const p of parts) {
    if (view === 'parent' && !ctx.regions.hasParent(p.node)) continue;
    const caseIndent = indentAt(ctx.text, p.node.startIndex).slice(base.length);
    const stmtIndent = p.entries[0] ? indentAt(ctx.text, p.entries[0].startIndex).slice(base.length) : caseIndent + ctx.unit;
    const items = view === 'child' ? childItems(ctx, p.entries, p.header[1]) : parentItems(ctx, p.entries, p.header[1], undefined);
    lines.push(caseIndent + ctx.text.slice(p.header[0], p.header[1]));
    const body = items.length || view === 'parent' ? items : [item(ctx.parentReturn)];
    for (const l of nest(body, stmtIndent)) lines.push(l);
  }
  lines.push('}');
  return lines;
}

// ----- the parent view (outer function) -----------------------------------------------

/** Can the parent never take the false edge of this `if` (it falls only into child code)? */
function parentAlwaysTakes(ctx: ViewContext, n: SyntaxNode, next: SyntaxNode | undefined, endMask: number | undefined): boolean {
  const cond = field(n, 'condition');
  if (!cond || /[A-Za-z_]\w*\s*\(/.test(cond.text)) return false;
  if (next) return (ctx.regions.maskOf(next) & PARENT_SIDE) === 0 && !ctx.regions.holdsFork(next);
  return endMask !== undefined && (endMask & PARENT_SIDE) === 0;
}

/**
 * Items of the outer function. `endMask`: the states that fall off the end of this list
 * (known only for the function body; undefined for nested blocks).
 */
export function parentItems(ctx: ViewContext, entries: SyntaxNode[], prevEndStart: number, endMask: number | undefined): Item[] {
  const out: Item[] = [];
  let pending: Item[] = [];
  let prevEnd = prevEndStart;
  const code = entries.filter((e) => !isComment(e));
  let lastEmitted: SyntaxNode | undefined;
  for (const n of entries) {
    const blank = blankBetween(ctx.text, prevEnd, n.startIndex);
    const trailing = isComment(n) && trailsPrevious(ctx.text, prevEnd, n.startIndex);
    prevEnd = n.endIndex;
    const prevNode = lastEmitted;
    lastEmitted = undefined;
    if (ctx.skip.has(n.id)) continue;
    if (isComment(n)) {
      if (trailing) {
        if (prevNode && out.length) appendTrailing(out[out.length - 1], n.text);
        continue;
      }
      pending.push(itemOf(ctx.text, n, ctx.edits, blank));
      continue;
    }
    if (!ctx.regions.hasParent(n)) {
      pending = [];
      continue;
    }
    const side = ctx.regions.side(n);
    if (side === 'parent') {
      out.push(...pending, itemOf(ctx.text, n, ctx.edits, blank));
      pending = [];
      lastEmitted = n;
      continue;
    }
    const next = code[code.indexOf(n) + 1];
    const lead = pending;
    pending = [];
    const produced = mixedParent(ctx, n, blank, next, next ? undefined : endMask);
    out.push(...(produced.length ? lead : []), ...produced);
  }
  return out;
}

function mixedParent(ctx: ViewContext, n: SyntaxNode, blank: boolean, next: SyntaxNode | undefined, endMask: number | undefined): Item[] {
  if (n.type === 'if_statement') {
    const then = field(n, 'consequence')!;
    const altRaw = field(n, 'alternative');
    const alt = altRaw && altRaw.type === 'else_clause' ? altRaw.namedChild(0) ?? undefined : altRaw ?? undefined;
    const thenP = ctx.regions.hasParent(then);
    const altP = alt ? ctx.regions.hasParent(alt) : false;
    const unwrap = (branch: SyntaxNode): Item[] => {
      const items = isBlock(branch) ? parentItems(ctx, blockEntries(branch), branch.startIndex, undefined) : parentItems(ctx, [branch], branch.startIndex, undefined);
      if (items[0]) items[0].blankBefore = blank;
      return items;
    };
    if (!thenP) return alt && altP ? unwrap(alt) : [];
    const alwaysThen = alt ? !altP && !/\w\s*\(/.test(conditionText(ctx, n)) : parentAlwaysTakes(ctx, n, next, endMask);
    if (alwaysThen) return unwrap(then);
    return [item(ifLines(ctx, n, 'parent'), blank)];
  }
  if (isBlock(n)) return [item(['{', ...nest(parentItems(ctx, blockEntries(n), n.startIndex, undefined), ctx.unit), '}'], blank)];
  if (n.type === 'switch_statement' || n.type === 'expression_switch_statement') {
    if (ctx.regions.holdsFork(n) && !contains(field(n, 'condition') ?? field(n, 'value') ?? n, ctx.regions.sa.site.call)) decline('the fork is inside a switch case that also holds parent code');
    return [item(switchLines(ctx, n, 'parent'), blank)];
  }
  if (ctx.regions.holdsFork(n) && ctx.regions.side(n) === 'mixed' && !(ctx.regions.subtreeMask(n) & (PARENT | FAILED))) return [];
  if (macroStatement(n)) decline(`the macro \`${n.text.split('(')[0]}\` may hide control flow after the fork`);
  if (/^(?:for|while|do)_statement$/.test(n.type)) decline('parent and child code share a loop after the fork');
  if (n.type === 'labeled_statement') decline('a label after the fork is reached by both the parent and the child');
  return decline(`\`${firstLine(n.text)}\` runs in both the parent and the child before the fork's result is tested`);
}
