/**
 * The lint run. Files go out in batches; each batch is read and linted in one thread.
 * With --jobs > 1 and enough files, batches go to worker threads, so reading, the
 * fork-spelling pre-scan and the (rare) parses all spread over the cores; small runs
 * stay in the main thread, where starting workers would cost more than it saves.
 */
import { dirname } from 'node:path';
import type { Language } from '../rules/index.js';
import type { ConfigResolver } from './config.js';
import type { SourceFile } from './discover.js';
import { lintBatch, lintText, type FileJob, type FileResult, type FixMode } from './lint-file.js';
import { projectRootOf } from './project-host.js';
import { WorkerPool } from './worker-pool.js';

export type { FileResult, FixMode } from './lint-file.js';

export interface LintOptions {
  jobs: number;
  fixMode: FixMode;
  /** The report prints fixes (json, sarif). */
  keepFixes: boolean;
  configs: ConfigResolver;
  onProgress?: (done: number, total: number) => void;
  /** Follow callees into other files (the project index); `projectRoot` overrides the root rule. */
  projectIndex?: boolean;
  projectRoot?: string;
}

/** Below this many files the main thread does everything. */
export const MIN_FILES_FOR_WORKERS = 400;
const BATCH = 48;

export class Linter {
  private pool: WorkerPool | null = null;

  constructor(private readonly opts: LintOptions) {}

  /** Start the workers now (their threads start while the main thread walks directories). */
  prewarm(): void {
    if (this.opts.jobs > 1 && !this.pool) this.pool = new WorkerPool(this.opts.jobs, this.opts.fixMode);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }

  private job(path: string, language: Language): FileJob {
    const projectRoot = this.opts.projectIndex === false ? undefined : projectRootOf(path, this.opts.projectRoot);
    return { path, language, config: this.opts.configs.analysisConfig(dirname(path)), keepFixes: this.opts.keepFixes, ...(projectRoot ? { projectRoot } : {}) };
  }

  /** Lint text that did not come from disk (--stdin): never written. */
  lintText(path: string, language: Language, bytes: Buffer): Promise<FileResult> {
    return lintText(this.job(path, language), bytes, this.opts.fixMode === 'fix' ? 'dry-run' : this.opts.fixMode, null);
  }

  /** Lint files; results come back in input order. */
  async lintFiles(files: SourceFile[]): Promise<FileResult[]> {
    const jobs = files.map((f) => this.job(f.path, f.language));
    const batches: FileJob[][] = [];
    for (let i = 0; i < jobs.length; i += BATCH) batches.push(jobs.slice(i, i + BATCH));
    let done = 0;
    const report = (n: number) => {
      done += n;
      this.opts.onProgress?.(done, files.length);
    };
    if (this.opts.jobs <= 1 || files.length < MIN_FILES_FOR_WORKERS) {
      await this.close();
      const out: FileResult[] = [];
      for (const b of batches) {
        out.push(...(await lintBatch(b, this.opts.fixMode)));
        report(b.length);
        // Let the progress line and signals through between batches.
        await new Promise((r) => setImmediate(r));
      }
      return out;
    }
    this.prewarm();
    const pool = this.pool!;
    try {
      const results = await Promise.all(
        batches.map(async (b) => {
          const r = await pool.run(b);
          report(b.length);
          return r;
        }),
      );
      return results.flat();
    } finally {
      await this.close();
    }
  }
}
