/**
 * The lint run. Files go out in batches; each batch is read and linted in one thread.
 * With --jobs > 1 and enough files, batches go to worker threads, so reading, the
 * fork-spelling pre-scan and the (rare) parses all spread over the cores; small runs
 * stay in the main thread, where starting workers would cost more than it saves.
 */
import { dirname, relative, resolve } from 'node:path';
import type { Language } from '../rules/index.js';
import type { ConfigResolver } from './config.js';
import type { SourceFile } from './discover.js';
import { lintBatch, lintText, threadSummaries, useSavedSummaries, type FileJob, type FileResult, type FixMode } from './lint-file.js';
import { WorkerPool } from './worker-pool.js';
import { resultKey, type ResultCache } from './cache.js';
import { diskHost, projectRootOf } from './project-files.js';
import { spellingPattern } from '../rules/fork-spellings.js';
import { sharedScan } from '../rules/project/text-scan.js';

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
  /** --cache: stored results to reuse, and where new ones go (fix modes neither read nor write it). */
  cache?: ResultCache;
  /** Whatever else decides a file's result (the project root, the index on or off): part of the cache key. */
  cacheKeyExtra?: Record<string, unknown>;
}

/** Below this many files the main thread does everything. */
export const MIN_FILES_FOR_WORKERS = 400;
const BATCH = 48;
/** Files scanned per part of a project's text scan sent to the workers (they take in a part while the main thread scans the next). */
const SCAN_PART = 1000;

export class Linter {
  private pool: WorkerPool | null = null;

  constructor(private readonly opts: LintOptions) {}

  /** Start the workers now (their threads start while the main thread walks directories). */
  prewarm(): void {
    if (this.opts.jobs > 1 && !this.pool) this.pool = new WorkerPool(this.opts.jobs, this.opts.fixMode, this.savedSummaries());
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }

  /** The cache key of each directory's configuration. */
  private readonly configKeys = new Map<string, string>();

  private job(path: string, language: Language): FileJob {
    const projectRoot = this.opts.projectIndex === false ? undefined : projectRootOf(path, this.opts.projectRoot);
    const config = this.opts.configs.analysisConfig(dirname(path));
    const job: FileJob = { path, language, config, keepFixes: this.opts.keepFixes, ...(projectRoot ? { projectRoot } : {}) };
    const cache = this.opts.fixMode === 'none' ? this.opts.cache : undefined;
    if (cache) {
      // The key names the root relative to the working directory, so a moved tree keeps its cache.
      const dirKey = `${dirname(path)}\0${projectRoot ?? ''}`;
      let key = this.configKeys.get(dirKey);
      if (key === undefined) {
        key = resultKey(config, this.opts.keepFixes, projectRoot, cache.cwd);
        this.configKeys.set(dirKey, key);
      }
      const entry = cache.get(path);
      job.cache = { config: key, ...(entry ? { entry } : {}) };
    }
    return job;
  }

  /** The cache's project summaries by absolute root (stored relative to the working directory). */
  private savedSummaries(): Record<string, unknown> | undefined {
    const cache = this.opts.fixMode === 'none' ? this.opts.cache : undefined;
    const saved = cache?.summaries as Record<string, unknown> | undefined;
    if (!cache || !saved || typeof saved !== 'object') return undefined;
    return Object.fromEntries(Object.entries(saved).map(([root, data]) => [resolve(cache.cwd, root), data]));
  }

  /**
   * Store what the run learnt in the cache (the caller saves it): the results, and the
   * project summaries of the thread that computed them (the workers', merged).
   */
  private remember(results: FileResult[], byRoot: () => Record<string, unknown> | Promise<Record<string, unknown>>): Promise<void> | void {
    const cache = this.opts.fixMode === 'none' ? this.opts.cache : undefined;
    if (!cache) return;
    for (const r of results) cache.set(r.path, r.cacheEntry, r.fromCache === true);
    // A run that analysed nothing computed no summary: what was saved is still what holds.
    if (!results.some((r) => r.cacheEntry && !r.fromCache)) return;
    const save = (summaries: Record<string, unknown>) => {
      cache.summaries = Object.fromEntries(Object.entries(summaries).map(([root, data]) => [relative(cache.cwd, root) || '.', data]));
    };
    const s = byRoot();
    return s instanceof Promise ? s.then(save) : save(s);
  }

  /** The summaries the workers computed, one snapshot per root. */
  private static async workerSummaries(pool: WorkerPool): Promise<Record<string, unknown>> {
    const byRoot = new Map<string, unknown[]>();
    for (const w of await pool.collectSummaries()) for (const [root, data] of Object.entries(w)) byRoot.set(root, [...(byRoot.get(root) ?? []), data]);
    const { mergeSummaries } = await import('./project-host.js');
    const out: Record<string, unknown> = {};
    for (const [root, list] of byRoot) {
      const merged = mergeSummaries(list);
      if (merged !== undefined) out[root] = merged;
    }
    return out;
  }

  /**
   * The text scan of each project root the jobs use (RULES section 8), made with the fork
   * spellings of the first job's configuration under it (a worker whose configuration
   * differs scans again), handed to the workers part by part as it is made: they take in
   * each part (and load the analysis) while this thread scans the next.
   */
  private shareProjectScans(pool: WorkerPool, jobs: readonly FileJob[]): void {
    const done = new Set<string>();
    for (const j of jobs) {
      if (!j.projectRoot || done.has(j.projectRoot)) continue;
      done.add(j.projectRoot);
      const host = diskHost(j.projectRoot);
      const paths = host.listFiles();
      const pattern = spellingPattern(j.config);
      for (let i = 0; i === 0 || i < paths.length; i += SCAN_PART) pool.shareScan(j.projectRoot, sharedScan(paths.slice(i, i + SCAN_PART), (p) => host.readFile(p), pattern));
    }
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
      useSavedSummaries(this.savedSummaries());
      const out: FileResult[] = [];
      for (const b of batches) {
        out.push(...(await lintBatch(b, this.opts.fixMode)));
        report(b.length);
        // Let the progress line and signals through between batches.
        await new Promise((r) => setImmediate(r));
      }
      this.remember(out, threadSummaries);
      return out;
    }
    this.prewarm();
    const pool = this.pool!;
    // Every worker's index would scan the whole project first: scan each root once, here.
    if (this.opts.projectIndex !== false) this.shareProjectScans(pool, jobs);
    try {
      const results = await Promise.all(
        batches.map(async (b) => {
          const r = await pool.run(b);
          report(b.length);
          return r;
        }),
      );
      const out = results.flat();
      await this.remember(out, () => Linter.workerSummaries(pool));
      return out;
    } finally {
      await this.close();
    }
  }
}
