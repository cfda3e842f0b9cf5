/**
 * Worker thread: reads and lints the batches of files the main thread sends. The analysis
 * core and tree-sitter load in a worker only when one of its files passes the pre-scan
 * (lint-file.ts), so a tree whose files never do costs no WebAssembly compile per worker;
 * with the project index on, as the project's text scan comes in (every file the plain
 * pre-scan rejects then asks for the project's fork wrappers, which needs them).
 */
import { deserialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { addSharedScan, lintBatch, prepareAnalysis, threadSummaries, useSavedSummaries, type FileJob, type FixMode } from './lint-file.js';
import type { SharedScan } from '../rules/project/text-scan.js';

export interface BatchRequest {
  id: number;
  jobs: FileJob[];
  fixMode: FixMode;
  /** With --cache, on a worker's first batch: the project summaries the last run saved. */
  summaries?: Record<string, unknown>;
}

/**
 * With the project index, before the first batch: the next part of a project root's text
 * scan, made once by the main thread (a SharedScan serialised with node:v8, in shared memory).
 */
export interface ScanPart {
  root: string;
  bytes: Uint8Array;
}

/** With --cache, once every batch is done: what this worker's indexes computed, for the cache. */
export interface SummariesRequest {
  collect: true;
}

parentPort!.on('message', (req: BatchRequest | SummariesRequest | { scanPart: ScanPart }) => {
  if ('scanPart' in req) {
    addSharedScan(req.scanPart.root, deserialize(req.scanPart.bytes) as SharedScan);
    // With the index on, every file the plain pre-scan rejects asks for the project's wrappers, which needs the analysis: load it while the scan comes in.
    prepareAnalysis();
    return;
  }
  if ('collect' in req) {
    parentPort!.postMessage({ summaries: threadSummaries() });
    return;
  }
  if (req.summaries) useSavedSummaries(req.summaries);
  void lintBatch(req.jobs, req.fixMode).then((results) => parentPort!.postMessage({ id: req.id, results }));
});
