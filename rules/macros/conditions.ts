/**
 * Which `#if` branches the compiler certainly takes, as far as the file itself tells:
 * `#if 0`, `#if 1`, `#if DEBUG_INIT` with `#define DEBUG_INIT 0` above, and `#ifndef X`
 * after an unconditional `#define X` (busybox's hush defines its debug macros, then
 * `#ifndef debug_printf` / `# define debug_printf ...` / `#endif`: that branch is dead).
 * A name never defined in the file may come from a header or `-D`: unknown, not false.
 */
import type { SyntaxNode } from '../parser.js';
import { constantValue } from './constant.js';

/** One condition a directive depends on: `node`'s condition must be `want`. */
export interface Guard {
  node: SyntaxNode;
  want: boolean;
}

const GUARDED = new Set(['preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_elifdef']);
export const CONDITIONAL = new Set([...GUARDED, 'preproc_else']);

/** Where a directive sits among `#if` branches, tracked on the way down the tree (asking nodes for parents is slow). */
export interface BranchPath {
  /** The conditions that must hold for it to be compiled, innermost first. */
  guards: Guard[];
  /** The conditional nodes around it (start offsets, outermost first) as a string: directives with the same one follow one another in order. */
  key: string;
}

export const TOP: BranchPath = { guards: [], key: '' };

/** The path of `child`, a child of `parent` whose path is `path`. */
export function childPath(path: BranchPath, parent: SyntaxNode, child: SyntaxNode): BranchPath {
  if (!CONDITIONAL.has(parent.type)) return path;
  const key = path.key ? `${path.key}/${parent.startIndex}` : String(parent.startIndex);
  if (!GUARDED.has(parent.type)) return { guards: path.guards, key };
  const alternative = parent.childForFieldName('alternative');
  const viaAlternative = alternative !== null && alternative.startIndex === child.startIndex && alternative.endIndex === child.endIndex;
  return { guards: [{ node: parent, want: !viaAlternative }, ...path.guards], key };
}

export interface ConditionContext {
  /** Whether `name` is certainly defined (true), certainly not (false), or unknown, just before `offset`. */
  definedAt(name: string, offset: number): boolean | undefined;
  /** `text` with the macros in effect at `offset` expanded. */
  expand(text: string, offset: number): string;
}

const UNKNOWN = '__vforklint_unknown__';

/** The value of a conditional directive's condition, or undefined when the file does not decide it. */
export function conditionValue(node: SyntaxNode, ctx: ConditionContext): boolean | undefined {
  const at = node.startIndex;
  if (node.type === 'preproc_ifdef' || node.type === 'preproc_elifdef') {
    const name = node.childForFieldName('name')?.text;
    const negated = /n/.test((node.child(0)?.type ?? '').replace(/^#(el)?if/, ''));
    const defined = name ? ctx.definedAt(name, at) : undefined;
    return defined === undefined ? undefined : defined !== negated;
  }
  const condition = node.childForFieldName('condition');
  if (!condition) return undefined;
  const text = condition.text.replace(/\bdefined\s*(?:\(\s*([A-Za-z_$][\w$]*)\s*\)|([A-Za-z_$][\w$]*))/g, (_, a?: string, b?: string) => {
    const d = ctx.definedAt((a ?? b)!, at);
    return d === undefined ? UNKNOWN : d ? '1' : '0';
  });
  const value = constantValue(ctx.expand(text, at));
  return value === undefined ? undefined : value !== 0n;
}
