/**
 * What an analysis read beyond the function it analyses: the same-file functions it
 * followed (at any depth), the declarations and attributes it consulted (a `noreturn` or
 * `noinline` on a prototype, `const` parameters of a prototype), and the macros it looked
 * up or expanded. The per-function cache (function-cache.ts) keys a result by these
 * reads, so a change anywhere the analysis looked makes it analyse again.
 *
 * Results remembered during a file's analysis (`FileContext.remember`) keep the reads
 * made while computing them, and hand them on each time they are reused: a callee's
 * summary computed for one function counts as read by every function that uses it.
 */

/** What was read: a same-file function, a declared attribute, a prototype's parameters, a macro name, a file-wide list. */
export type ReadKind = 'function' | 'noreturn' | 'noinline' | 'const-params' | 'macro' | 'pass-through';

export interface Read {
  kind: ReadKind;
  name: string;
}

const SEPARATOR = '\u0000';

const NO_READS: ReadonlySet<string> = new Set();

export class ReadLog {
  /** Open frames, innermost last; the first is the analysis of the current function. */
  private readonly frames: Array<Set<string>> = [new Set()];
  private recording = true;

  /** Record nothing from now on (no cache will ask: merging the frames costs time on large files). */
  stopRecording(): void {
    this.recording = false;
    this.reset();
  }

  record(kind: ReadKind, name: string): void {
    if (this.recording) this.frames[this.frames.length - 1].add(`${kind}${SEPARATOR}${name}`);
  }

  /** Reads remembered with a result, read again now. */
  replay(reads: ReadonlySet<string>): void {
    if (!this.recording) return;
    const top = this.frames[this.frames.length - 1];
    for (const r of reads) top.add(r);
  }

  /** Runs `compute` in a frame of its own: returns its value and what it read (also counted as read by the enclosing frame). */
  within<T>(compute: () => T): { value: T; reads: ReadonlySet<string> } {
    if (!this.recording) return { value: compute(), reads: NO_READS };
    const frame = new Set<string>();
    this.frames.push(frame);
    let value: T;
    try {
      value = compute();
    } finally {
      this.frames.pop();
      this.replay(frame);
    }
    return { value, reads: frame };
  }

  /** Starts the log of a new function's analysis. */
  reset(): void {
    this.frames.length = 0;
    this.frames.push(new Set());
  }

  /** The reads of the current function's analysis, sorted (a stable order for keys). */
  entries(): Read[] {
    return [...this.frames[0]].sort().map((r) => {
      const i = r.indexOf(SEPARATOR);
      return { kind: r.slice(0, i) as ReadKind, name: r.slice(i + 1) };
    });
  }
}
