/**
 * Worker thread: reads and lints the batches of files the main thread sends. The analysis
 * core and tree-sitter load in a worker only when one of its files passes the pre-scan
 * (lint-file.ts), so a tree whose files never do costs no WebAssembly compile per worker.
 */
import { parentPort } from 'node:worker_threads';
import { lintBatch, type FileJob, type FixMode } from './lint-file.js';

export interface BatchRequest {
  id: number;
  jobs: FileJob[];
  fixMode: FixMode;
}

parentPort!.on('message', (req: BatchRequest) => {
  void lintBatch(req.jobs, req.fixMode).then((results) => parentPort!.postMessage({ id: req.id, results }));
});
