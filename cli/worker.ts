/**
 * Worker thread: reads and lints the batches of files the main thread sends. The analysis
 * core and tree-sitter load in a worker only when one of its files passes the pre-scan
 * (lint-file.ts), so a tree whose files never do costs no WebAssembly compile per worker.
 */
import { parentPort } from 'node:worker_threads';
import { lintBatch, threadSummaries, useSavedSummaries, useSharedScans, type FileJob, type FixMode } from './lint-file.js';
import type { SharedScan } from '../rules/project/text-scan.js';

export interface BatchRequest {
  id: number;
  jobs: FileJob[];
  fixMode: FixMode;
  /** With --cache, on a worker's first batch: the project summaries the last run saved. */
  summaries?: Record<string, unknown>;
  /** With the project index, on a worker's first batch: the text scans of the project roots, made once by the main thread. */
  scans?: Record<string, SharedScan>;
}

/** With --cache, once every batch is done: what this worker's indexes computed, for the cache. */
export interface SummariesRequest {
  collect: true;
}

parentPort!.on('message', (req: BatchRequest | SummariesRequest) => {
  if ('collect' in req) {
    parentPort!.postMessage({ summaries: threadSummaries() });
    return;
  }
  if (req.summaries) useSavedSummaries(req.summaries);
  if (req.scans) useSharedScans(req.scans);
  void lintBatch(req.jobs, req.fixMode).then((results) => parentPort!.postMessage({ id: req.id, results }));
});
