/**
 * Text layout for generated code: statements are carried as lines relative to their
 * block's indentation, so moving one into a shallower or deeper block re-indents it the
 * way the language's formatter would (Go: tabs, gofmt; C: the file's own indent unit).
 */
import type { SyntaxNode } from '../parser.js';
import { namedChildren } from '../syntax.js';
import type { TextEdit } from '../types.js';

/** A statement (or comment) ready to be emitted in some block. */
export interface Item {
  /** Lines without the enclosing block's indentation. Nested lines keep their extra indentation. */
  lines: string[];
  /** A blank line precedes it (ignored for the first item of a block, as gofmt does). */
  blankBefore: boolean;
  /** The first line sits this many indentation characters left of the block (labels). */
  outdent?: number;
}

/** Apply the edits that fall inside [start, end) to that slice of `text`. */
export function sliceWithEdits(text: string, start: number, end: number, edits: TextEdit[]): string {
  const inside = edits.filter((e) => e.start >= start && e.end <= end).sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = start;
  for (const e of inside) {
    if (e.start < pos) continue;
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos, end);
}

/** Leading whitespace of the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** Does the original text hold a blank line between the end of `prev` and the start of `node`? */
export function blankBetween(text: string, prevEnd: number, start: number): boolean {
  return /\n[ \t\r]*\n/.test(text.slice(prevEnd, start));
}

/** An original node as an item: its text (with edits), made relative to its own line's indentation. */
export function itemOf(text: string, node: SyntaxNode, edits: TextEdit[], blankBefore: boolean): Item {
  let base = indentAt(text, node.startIndex);
  let outdent = 0;
  if (node.type === 'labeled_statement') {
    // A label sits left of the statements it labels (gofmt: one level; C: as written).
    const inner = namedChildren(node).filter((c) => !/^(?:statement_identifier|label_name|comment)$/.test(c.type)).pop();
    const innerBase = inner && text.lastIndexOf('\n', inner.startIndex) > node.startIndex ? indentAt(text, inner.startIndex) : base;
    if (innerBase.startsWith(base) && innerBase.length > base.length) {
      outdent = innerBase.length - base.length;
      base = innerBase;
    }
  }
  const body = sliceWithEdits(text, node.startIndex, node.endIndex, edits);
  const lines = body.split('\n').map((l, i) => (i === 0 ? l : l.startsWith(base) ? l.slice(base.length) : l.replace(/^[ \t]+/, '')));
  return { lines, blankBefore, ...(outdent ? { outdent } : {}) };
}

export function item(lines: string[] | string, blankBefore = false): Item {
  return { lines: typeof lines === 'string' ? lines.split('\n') : lines, blankBefore };
}

/** Lines of a block's items, each prefixed with `indent`, blank lines where asked (never first). */
export function renderItems(items: Item[], indent: string): string[] {
  const out: string[] = [];
  items.forEach((it, i) => {
    if (i > 0 && it.blankBefore) out.push('');
    it.lines.forEach((l, j) => out.push(l.length ? (j === 0 && it.outdent ? indent.slice(0, Math.max(0, indent.length - it.outdent)) : indent) + l : ''));
  });
  return out;
}

/** Items nested one level deeper, as lines relative to the outer block. */
export function nest(items: Item[], unit: string): string[] {
  return renderItems(items, unit);
}

/** The file's indent unit, from the first indented line inside `body` (tab when unsure). */
export function indentUnitOf(text: string, body: SyntaxNode): string {
  const m = /\n([ \t]+)\S/.exec(text.slice(body.startIndex, body.endIndex));
  if (!m) return '\t';
  const base = indentAt(text, body.startIndex);
  const ind = m[1];
  return ind.startsWith(base) && ind.length > base.length ? ind.slice(base.length) : ind;
}

/** The text without comments (for "is this name free?" checks). */
let codeOnlyCache: { text: string; code: string } | undefined;
export function codeOnly(text: string): string {
  if (codeOnlyCache?.text !== text) codeOnlyCache = { text, code: text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ') };
  return codeOnlyCache.code;
}

/** Does a comment entry sit at the end of the previous entry's last line? */
export function trailsPrevious(text: string, prevEnd: number, start: number): boolean {
  return prevEnd > 0 && !text.slice(prevEnd, start).includes('\n');
}
