/** A small pool of analysis workers, started on first use. */
import { Worker } from 'node:worker_threads';
import type { AnalysisJob, AnalysisJobResult } from './analyze-job.js';

interface Pending {
  job: AnalysisJob;
  resolve: (r: AnalysisJobResult) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private started = false;
  private failures = 0;

  constructor(private readonly size: number) {}

  run(job: AnalysisJob): Promise<AnalysisJobResult> {
    if (!this.started) this.start();
    return new Promise((resolve) => {
      this.queue.push({ job, resolve });
      this.pump();
    });
  }

  private start(): void {
    this.started = true;
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./worker.js', import.meta.url));
    const slot: Slot = { worker, busy: null };
    worker.on('message', (r: AnalysisJobResult) => {
      const p = slot.busy;
      slot.busy = null;
      p?.resolve(r);
      this.pump();
    });
    worker.on('error', (e) => {
      const p = slot.busy;
      slot.busy = null;
      p?.resolve({ id: p.job.id, findings: [], parsed: true, internalError: `worker failed: ${e.message}` });
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (++this.failures <= 3) this.spawn();
      if (this.slots.length === 0) for (const q of this.queue.splice(0)) q.resolve({ id: q.job.id, findings: [], parsed: false, internalError: `worker failed: ${e.message}` });
      this.pump();
    });
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = next;
      slot.worker.postMessage(next.job);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
