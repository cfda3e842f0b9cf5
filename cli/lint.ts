/**
 * The lint run: read files in parallel, skip (unparsed) every file whose text has no fork
 * spelling, analyse the rest in the main thread or on worker threads, and with --fix
 * write results back atomically.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { analyze, mayContainForkSite } from '../rules/index.js';
import type { Finding, FixOutcome, Language, VforklintConfig } from '../rules/index.js';
import { runAnalysisJob, type AnalysisJob, type AnalysisJobResult } from './analyze-job.js';
import type { ConfigResolver } from './config.js';
import type { SourceFile } from './discover.js';
import { writeAtomically } from './write.js';
import { WorkerPool } from './worker-pool.js';

export interface FixReport {
  applied: FixOutcome['applied'];
  declined: FixOutcome['declined'];
  /** The fixed text (also when not written: dry run or refused). */
  output?: string;
  written: boolean;
  /** Why a changed text was not written (invalid UTF-8, changed on disk, new parse errors). */
  refused?: string;
}

export interface FileResult {
  /** Absolute path (or the --stdin-filename). */
  path: string;
  language: Language;
  findings: Finding[];
  /** The analysed text, kept only for files with findings or fixes (formatters need lines). */
  text?: string;
  parsed: boolean;
  /** Unreadable file or analysis failure: reported on stderr, exit code 2. */
  error?: string;
  fix?: FixReport;
}

export type FixMode = 'none' | 'fix' | 'dry-run';

export interface LintOptions {
  jobs: number;
  fixMode: FixMode;
  configs: ConfigResolver;
  onProgress?: (done: number, total: number) => void;
}

/** Files that need no parse go inline; the first few candidates too (starting workers costs more than they save). */
const INLINE_CANDIDATES = 6;
const READ_CONCURRENCY = 64;

export class Linter {
  private pool: WorkerPool | null = null;
  private candidates = 0;
  private nextId = 0;

  constructor(private readonly opts: LintOptions) {}

  private analyseText(text: string, language: Language, config: VforklintConfig): Promise<AnalysisJobResult> {
    const job: AnalysisJob = { id: this.nextId++, text, language, config, fix: this.opts.fixMode !== 'none' };
    this.candidates++;
    if (this.opts.jobs <= 1 || this.candidates <= INLINE_CANDIDATES) return Promise.resolve(runAnalysisJob(job));
    this.pool ??= new WorkerPool(this.opts.jobs);
    return this.pool.run(job);
  }

  /** Lint text that did not come from disk (--stdin). */
  async lintText(path: string, language: Language, text: string, bytes: Buffer): Promise<FileResult> {
    const config = this.opts.configs.analysisConfig(dirname(path));
    return this.finish(path, language, text, bytes, config, null);
  }

  private async finish(path: string, language: Language, text: string, bytes: Buffer, config: VforklintConfig, mtimeMs: number | null): Promise<FileResult> {
    const candidate = mayContainForkSite(text, language, config);
    if (!candidate) {
      if (!text.includes('vforklint-')) return { path, language, findings: [], parsed: false };
      if (this.opts.fixMode === 'none') {
        const r = analyze(text, language, config);
        return { path, language, findings: r.findings, parsed: false, text: r.findings.length ? text : undefined, error: r.internalError && `internal error in the analysis: ${r.internalError}` };
      }
    }
    const r = await this.analyseText(text, language, config);
    const result: FileResult = { path, language, findings: r.findings, parsed: r.parsed };
    if (r.internalError) result.error = `internal error in the analysis: ${r.internalError}`;
    if (r.fix) {
      const changed = r.fix.changed && r.fix.text !== text;
      const report: FixReport = { applied: changed ? r.fix.applied : [], declined: r.fix.declined, written: false };
      if (changed) {
        report.output = r.fix.text;
        if (r.fix.newParseErrors) report.refused = 'the fixed text would not parse as cleanly as the original; nothing written';
        else if (!isUtf8(bytes)) report.refused = 'the file is not valid UTF-8; --fix would corrupt its bytes, so nothing was written';
        else if (this.opts.fixMode === 'fix' && mtimeMs !== null) {
          const w = await writeAtomically(path, bytes, mtimeMs, r.fix.text);
          if (w.ok) report.written = true;
          else report.refused = w.reason;
        }
        if (report.refused) {
          // Nothing was applied: report the findings of the text on disk.
          report.applied = [];
          result.findings = analyze(text, language, config).findings;
        }
      }
      result.fix = report;
    }
    if (result.findings.length || result.fix?.output !== undefined) result.text = text;
    return result;
  }

  private async lintFile(file: SourceFile): Promise<FileResult> {
    let bytes: Buffer;
    let mtimeMs: number;
    try {
      const fh = await fsp.open(file.path, 'r');
      try {
        const st = await fh.stat();
        if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
        mtimeMs = st.mtimeMs;
        bytes = await fh.readFile();
      } finally {
        await fh.close();
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'no such file or directory' : (e as Error).message;
      return { path: file.path, language: file.language, findings: [], parsed: false, error: `cannot read file (${code ? `${code}: ` : ''}${why})` };
    }
    const text = bytes.toString('utf8');
    const config = this.opts.configs.analysisConfig(dirname(file.path));
    return this.finish(file.path, file.language, text, bytes, config, mtimeMs);
  }

  /** Lint files, reading up to READ_CONCURRENCY at once; results come back in input order. */
  async lintFiles(files: SourceFile[]): Promise<FileResult[]> {
    const results: FileResult[] = new Array(files.length);
    let next = 0;
    let done = 0;
    const workers = Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, async () => {
      while (next < files.length) {
        const i = next++;
        results[i] = await this.lintFile(files[i]!);
        done++;
        this.opts.onProgress?.(done, files.length);
      }
    });
    await Promise.all(workers);
    return results;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
