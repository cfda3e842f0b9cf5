/**
 * A finding's steps as a short chain of line numbers, for front ends that have one line
 * of text per finding (the ESLint plugin): ` (path: line 8 → 11 → 12 → helper.c:5)`.
 * Empty for findings that carry the site only.
 */

import type { RuleId } from './types.js';

/**
 * Rules whose findings lie on the child's path (for parent-reuses-frame, the parent's) and
 * carry it step by step; the others are site findings and carry the fork site only.
 */
export const PATH_RULE_IDS: ReadonlySet<RuleId> = new Set(['child-returns', 'child-writes-shared', 'child-unsafe-call', 'child-allocates', 'parent-reuses-frame']);

/** The least a step needs to appear in the chain: its line and, in another file, the file. */
export interface ChainStep {
  file?: string;
  range: { start: { line: number } };
}

export function stepChain(steps: readonly ChainStep[]): string {
  if (steps.length < 2) return '';
  const parts = steps.map((s) => (s.file === undefined ? String(s.range.start.line) : `${baseName(s.file)}:${s.range.start.line}`));
  return ` (path: line ${parts.join(' → ')})`;
}

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i < 0 ? file : file.slice(i + 1);
}
