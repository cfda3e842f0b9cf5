/** A pool of lint workers: each takes the next batch of files when it is free. */
import { serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { FileJob, FileResult, FixMode } from './lint-file.js';
import type { SharedScan } from '../rules/project/text-scan.js';
import type { ScanPart } from './worker.js';

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
  /** It has had the saved summaries. */
  primed: boolean;
  /** How many of the pool's scan parts it has been sent. */
  partsSent: number;
}

function failed(p: Pending, message: string): FileResult[] {
  return p.jobs.map((j) => ({ path: j.path, language: j.language, findings: [], parsed: false, error: `internal error: ${message}` }));
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private failures = 0;
  private nextId = 0;
  /** The parts of the project roots' text scans, in order (shareScan() before run()). */
  private readonly scanParts: ScanPart[] = [];

  constructor(
    size: number,
    private readonly fixMode: FixMode,
    /** With --cache: the saved project summaries, sent with each worker's first batch. */
    private readonly summaries?: Record<string, unknown>,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  /**
   * Hand the workers the next part of a project root's text scan (each part once, in order,
   * before any batch; a worker started later gets them all first). Serialised once for all
   * of them, into shared memory.
   */
  shareScan(root: string, part: SharedScan): void {
    const bytes = serialize(part);
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    this.scanParts.push({ root, bytes: shared });
    for (const slot of this.slots) this.sendScanParts(slot);
  }

  private sendScanParts(slot: Slot): void {
    while (slot.partsSent < this.scanParts.length) slot.worker.postMessage({ scanPart: this.scanParts[slot.partsSent++] });
  }

  run(jobs: FileJob[]): Promise<FileResult[]> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, jobs, resolve });
      this.pump();
    });
  }

  private spawn(): void {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    const slot: Slot = { worker, busy: null, primed: false, partsSent: 0 };
    worker.on('message', (m: { results: FileResult[] } | { summaries: Record<string, unknown> }) => {
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
      this.sendScanParts(slot);
      slot.worker.postMessage({ id: next.id, jobs: next.jobs, fixMode: this.fixMode, ...(this.summaries && first ? { summaries: this.summaries } : {}) });
      slot.primed = true;
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
