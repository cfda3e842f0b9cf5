/** A pool of lint workers: each takes the next batch of files when it is free. */
import { Worker } from 'node:worker_threads';
import type { FileJob, FileResult, FixMode } from './lint-file.js';
import type { SharedScan } from '../rules/project/text-scan.js';
import type { SavedForkFunctions } from '../rules/project/index.js';
import type { ForkSearchRequest } from './worker.js';

interface Pending {
  id: number;
  jobs: FileJob[];
  resolve: (r: FileResult[]) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  /** Waiting for the worker's project summaries (summaries()). */
  collecting?: (byRoot: Record<string, unknown>) => void;
  /** Waiting for the worker's share of the wrapper search (findForkFunctions()). */
  searching?: (forks: Array<SavedForkFunctions | undefined>) => void;
  /** It has had the saved summaries and the shared scans. */
  primed: boolean;
  /** It has had the fork functions found together. */
  hasForks?: boolean;
}

function failed(p: Pending, message: string): FileResult[] {
  return p.jobs.map((j) => ({ path: j.path, language: j.language, findings: [], parsed: false, error: `internal error: ${message}` }));
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private failures = 0;
  private nextId = 0;
  /** The project roots' text scans, sent with each worker's first batch (share() before run()). */
  private scans?: Record<string, SharedScan>;
  /** The fork functions the workers found together, sent with each worker's first batch after the search. */
  private forks?: Record<string, SavedForkFunctions>;

  constructor(
    size: number,
    private readonly fixMode: FixMode,
    /** With --cache: the saved project summaries, sent with each worker's first batch. */
    private readonly summaries?: Record<string, unknown>,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  /** Hand the workers the text scans of the project roots (each gets them with its first batch). */
  share(scans: Record<string, SharedScan>): void {
    this.scans = scans;
  }

  /** The number of workers. */
  get size(): number {
    return this.slots.length;
  }

  /**
   * The wrapper search shared out: worker i finds the fork functions of share i of each
   * root's `files` (`shares[i]`, with the configuration and projectReads given). Each root's
   * shares merged in the order of `files` (as one thread would have found them), for
   * shareForks(); a root with a share that failed is left out (its workers search alone).
   */
  async findForkFunctions(roots: Array<{ root: string; files: string[]; shares: string[][]; config: ForkSearchRequest['findForks'][number]['config']; projectReads: boolean }>): Promise<Record<string, SavedForkFunctions>> {
    const slots = this.slots.slice(0, Math.min(...roots.map((r) => r.shares.length)));
    const answers = await Promise.all(
      slots.map(
        (slot, i) =>
          new Promise<Array<SavedForkFunctions | undefined>>((resolve) => {
            slot.searching = resolve;
            const req: ForkSearchRequest = { findForks: roots.map((r) => ({ root: r.root, paths: r.shares[i], config: r.config, projectReads: r.projectReads })), ...(this.summaries && !slot.primed ? { summaries: this.summaries } : {}), ...(this.scans && !slot.primed ? { scans: this.scans } : {}) };
            slot.worker.postMessage(req);
            slot.primed = true;
          }),
      ),
    );
    const out: Record<string, SavedForkFunctions> = {};
    roots.forEach((r, k) => {
      const parts = answers.map((a) => a[k]);
      if (parts.length !== r.shares.length || parts.some((p) => !p || p.pattern !== parts[0]!.pattern)) return;
      // By file, in the files' order; a file's functions in the order found (the sort is stable).
      const order = new Map(r.files.map((f, i) => [f, i]));
      const functions = parts.flatMap((p) => p!.functions).sort((a, b) => order.get(a.file)! - order.get(b.file)!);
      out[r.root] = { pattern: parts[0]!.pattern, files: Object.assign({}, ...parts.map((p) => p!.files)), functions };
    });
    return out;
  }

  /** Hand the workers the fork functions found together (each gets them with its next batch). */
  shareForks(forks: Record<string, SavedForkFunctions>): void {
    this.forks = forks;
  }

  run(jobs: FileJob[]): Promise<FileResult[]> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, jobs, resolve });
      this.pump();
    });
  }

  private spawn(): void {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    const slot: Slot = { worker, busy: null, primed: false };
    worker.on('message', (m: { results: FileResult[] } | { summaries: Record<string, unknown> } | { forks: Array<SavedForkFunctions | undefined> }) => {
      if ('forks' in m) {
        const done = slot.searching;
        slot.searching = undefined;
        done?.(m.forks);
        return;
      }
      if ('summaries' in m) {
        const done = slot.collecting;
        slot.collecting = undefined;
        done?.(m.summaries);
        return;
      }
      const p = slot.busy;
      slot.busy = null;
      p?.resolve(m.results);
      this.pump();
    });
    worker.on('error', (e) => {
      const p = slot.busy;
      slot.busy = null;
      if (p) p.resolve(failed(p, `worker thread failed: ${e.message}`));
      slot.collecting?.({});
      slot.collecting = undefined;
      slot.searching?.([]);
      slot.searching = undefined;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (++this.failures <= 3) this.spawn();
      if (this.slots.length === 0) for (const q of this.queue.splice(0)) q.resolve(failed(q, `worker thread failed: ${e.message}`));
      this.pump();
    });
    this.slots.push(slot);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = next;
      const first = !slot.primed;
      const forks = this.forks && !slot.hasForks ? { forks: this.forks } : {};
      slot.worker.postMessage({ id: next.id, jobs: next.jobs, fixMode: this.fixMode, ...(this.summaries && first ? { summaries: this.summaries } : {}), ...(this.scans && first ? { scans: this.scans } : {}), ...forks });
      slot.primed = true;
      if (this.forks) slot.hasForks = true;
    }
  }

  /** Each worker's project summaries by root, as computed this run (ask when no batch is left: a busy worker answers after its batch). */
  collectSummaries(): Promise<Array<Record<string, unknown>>> {
    return Promise.all(
      this.slots.filter((s) => s.primed).map(
        (slot) =>
          new Promise<Record<string, unknown>>((resolve) => {
            slot.collecting = resolve;
            slot.worker.postMessage({ collect: true });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
