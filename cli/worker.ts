/**
 * Worker thread: reads and lints the batches of files the main thread sends. The analysis
 * core and tree-sitter load in a worker only when one of its files passes the pre-scan
 * (lint-file.ts), so a tree whose files never do costs no WebAssembly compile per worker.
 */
import { parentPort } from 'node:worker_threads';
import { lintBatch, threadSummaries, useSavedSummaries, useSharedScans, type FileJob, type FixMode } from './lint-file.js';
import type { SharedProject } from './project-host.js';

export interface BatchRequest {
  id: number;
  jobs: FileJob[];
  fixMode: FixMode;
  /** With --cache, on a worker's first batch: the project summaries the last run saved. */
  summaries?: Record<string, unknown>;
  /** With the project index, on a worker's first batch: the text scans of the project roots (and their wrapper searches), made once by the main thread. */
  scans?: Record<string, SharedProject>;
}

/** Load the analysis core before the first batch (the main thread is still preparing what it shares). */
export interface PrepareRequest {
  prepare: true;
}

/** With --cache, once every batch is done: what this worker's indexes computed, for the cache. */
export interface SummariesRequest {
  collect: true;
}

parentPort!.on('message', (req: BatchRequest | SummariesRequest | PrepareRequest) => {
  if ('prepare' in req) {
    // A failure here is met again, and reported, by the first file that needs the core.
    void import('../rules/index.js').then((c) => c.initParsers()).catch(() => undefined);
    return;
  }
  if ('collect' in req) {
    parentPort!.postMessage({ summaries: threadSummaries() });
    return;
  }
  if (req.summaries) useSavedSummaries(req.summaries);
  if (req.scans) useSharedScans(req.scans);
  void lintBatch(req.jobs, req.fixMode).then((results) => parentPort!.postMessage({ id: req.id, results }));
});
