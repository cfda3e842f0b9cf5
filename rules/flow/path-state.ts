/**
 * Path states after a vfork-style fork (docs/rules.md, section 3).
 *
 *                      fork site
 *        PRE  ─────────────────────────▶  BOTH   (no test of the result yet:
 *   (before the fork:                      │      child and parent both run it)
 *    parent only, safe)                    │
 *                 pid == 0 / r1 == 0       │   pid > 0 / r1 != 0 && err1 == 0
 *              ┌───────────────────────────┼──────────────────────────────┐
 *              ▼                           │ pid < 0 / err1 != 0          ▼
 *            CHILD                         ▼                            PARENT
 *   returns ─▶ child-returns            FAILED (parent only)    any work ─▶ parent-reuses-frame
 *   writes  ─▶ child-writes-shared         │                      (raw sites: the frame is
 *   calls   ─▶ child-unsafe-call           └─ same as PARENT ──▶    the one the child used)
 *   allocs  ─▶ child-allocates (Go)
 *
 * A path ends at return, at the end of the body, at a call that does not return
 * (_exit, exec when nothing follows it, exit_group, noreturn helpers), and at `for {}`.
 * A condition that is not a test of the fork result leaves the state unchanged on both edges.
 *
 * A set of states is a bit mask: one analysis pass carries every path that reaches a node.
 */

export const PRE = 1;
export const BOTH = 2;
export const CHILD = 4;
export const PARENT = 8;
export const FAILED = 16;

/** Outcomes a condition can single out (BOTH splits into these). */
export const ALL_OUTCOMES = CHILD | PARENT | FAILED;

/** States in which the child may be running. */
export const CHILD_SIDE = BOTH | CHILD;
/** States in which only the parent runs, after the fork. */
export const PARENT_SIDE = PARENT | FAILED;

/** The fork call executes: every path still before the fork now runs in both processes. */
export function forkHappens(mask: number): number {
  return (mask & ~PRE) | (mask & PRE ? BOTH : 0);
}

/** Keep the paths on which a test of the fork result can come out as `outcomes`. */
export function restrict(mask: number, outcomes: number): number {
  let out = mask & PRE;
  out |= mask & ALL_OUTCOMES & outcomes;
  if (mask & BOTH) out |= outcomes === ALL_OUTCOMES ? BOTH : outcomes;
  return out;
}

export function describe(mask: number): string {
  const parts: string[] = [];
  if (mask & PRE) parts.push('before fork');
  if (mask & BOTH) parts.push('both');
  if (mask & CHILD) parts.push('child');
  if (mask & PARENT) parts.push('parent');
  if (mask & FAILED) parts.push('failed');
  return parts.join('|') || 'unreachable';
}
