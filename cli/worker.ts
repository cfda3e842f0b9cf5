/** Worker thread: analyses the files the main thread sends (tree-sitter loads per worker). */
import { parentPort } from 'node:worker_threads';
import { runAnalysisJob, type AnalysisJob } from './analyze-job.js';

parentPort!.on('message', (job: AnalysisJob) => {
  parentPort!.postMessage(runAnalysisJob(job));
});
