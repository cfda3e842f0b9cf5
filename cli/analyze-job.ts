/**
 * One file's analysis as the CLI needs it: findings, and with --fix the fixed text and
 * whether it still parses as well as the original. Runs in the main thread or in a worker.
 */
import { analyze, fixSource, parseSource } from '../rules/index.js';
import type { Finding, FixOutcome, Language, VforklintConfig } from '../rules/index.js';

export interface AnalysisJob {
  id: number;
  text: string;
  language: Language;
  config: VforklintConfig;
  fix: boolean;
}

export interface AnalysisJobResult {
  id: number;
  findings: Finding[];
  parsed: boolean;
  internalError?: string;
  /** With fix: what fixSource did, and the findings left in its output. */
  fix?: FixOutcome & { newParseErrors: boolean };
}

function errorCount(text: string, language: Language): number {
  const root = parseSource(text, language).rootNode;
  if (!root.hasError) return 0;
  return root.descendantsOfType('ERROR').length + 1;
}

export function runAnalysisJob(job: AnalysisJob): AnalysisJobResult {
  try {
    if (!job.fix) {
      const r = analyze(job.text, job.language, job.config);
      return { id: job.id, findings: r.findings, parsed: !r.skipped, internalError: r.internalError };
    }
    const outcome = fixSource(job.text, job.language, job.config);
    const finalText = outcome.changed ? outcome.text : job.text;
    const newParseErrors = outcome.changed && errorCount(finalText, job.language) > errorCount(job.text, job.language);
    const r = analyze(newParseErrors ? job.text : finalText, job.language, job.config);
    return { id: job.id, findings: r.findings, parsed: !r.skipped, internalError: r.internalError, fix: { ...outcome, newParseErrors } };
  } catch (e) {
    return { id: job.id, findings: [], parsed: true, internalError: e instanceof Error ? e.message : String(e) };
  }
}
