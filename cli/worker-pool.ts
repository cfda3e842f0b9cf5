/** A pool of lint workers: each takes the next batch of files when it is free. */
import { Worker } from 'node:worker_threads';
import type { FileJob, FileResult, FixMode } from './lint-file.js';

interface Pending {
  id: number;
  jobs: FileJob[];
  resolve: (r: FileResult[]) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  /** It has had the saved summaries. */
  primed: boolean;
}

function failed(p: Pending, message: string): FileResult[] {
  return p.jobs.map((j) => ({ path: j.path, language: j.language, findings: [], parsed: false, error: `internal error: ${message}` }));
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private failures = 0;
  private nextId = 0;

  constructor(
    size: number,
    private readonly fixMode: FixMode,
    /** With --cache: the saved project summaries, sent with each worker's first batch. */
    private readonly summaries?: Record<string, unknown>,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
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
    worker.on('message', (m: { results: FileResult[] }) => {
      const p = slot.busy;
      slot.busy = null;
      p?.resolve(m.results);
      this.pump();
    });
    worker.on('error', (e) => {
      const p = slot.busy;
      slot.busy = null;
      if (p) p.resolve(failed(p, `worker thread failed: ${e.message}`));
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
      slot.worker.postMessage({ id: next.id, jobs: next.jobs, fixMode: this.fixMode, ...(this.summaries && !slot.primed ? { summaries: this.summaries } : {}) });
      slot.primed = true;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
