/**
 * How deep summaries of callees are nested right now, across files and kinds (never
 * returns, verdict, writes). Recursion ends by the fixed point (a summary under way is
 * answered by its assumption); this bound only keeps a chain of thousands of distinct
 * helpers from exhausting the JavaScript stack: past it, the caller gets the cautious answer.
 */

/** Summaries nested at most (each costs a few dozen JavaScript frames; the stack holds ~10,000). */
export const MAX_SUMMARY_NESTING = 120;

let nesting = 0;

/** `compute()` one level deeper, or `tooDeep()` when the chain of summaries under way is already MAX_SUMMARY_NESTING long. */
export function nestedSummary<T>(compute: () => T, tooDeep: () => T): T {
  if (nesting >= MAX_SUMMARY_NESTING) return tooDeep();
  nesting++;
  try {
    return compute();
  } finally {
    nesting--;
  }
}

/** Is there room for one more nested summary? */
export function summaryRoom(): boolean {
  return nesting < MAX_SUMMARY_NESTING;
}
