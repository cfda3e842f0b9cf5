/** Worker thread: reads and lints the batches of files the main thread sends (tree-sitter loads per worker). */
import { parentPort } from 'node:worker_threads';
import { initParsers } from '../rules/index.js';
import { lintBatch, useSavedSummaries, type FileJob, type FixMode } from './lint-file.js';

export interface BatchRequest {
  id: number;
  jobs: FileJob[];
  fixMode: FixMode;
  /** With --cache, on a worker's first batch: the project summaries the last run saved. */
  summaries?: Record<string, unknown>;
}

// Load the parsers now, while the main thread is still walking directories (lintBatch
// awaits the same promise; a failure to load surfaces there).
initParsers().catch(() => undefined);

parentPort!.on('message', (req: BatchRequest) => {
  if (req.summaries) useSavedSummaries(req.summaries);
  void lintBatch(req.jobs, req.fixMode).then((results) => parentPort!.postMessage({ id: req.id, results }));
});
