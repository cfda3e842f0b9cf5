/**
 * Linting one file, as the main thread or a worker thread runs it: read the bytes, skip
 * (never parse) a text with no fork spelling, analyse the rest, and with --fix write the
 * result back atomically. Never throws: failures come back as `error`.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { AnalysisResult, AnalyzeOptions, Finding, FixOutcome, Language, NotAnalysed, ProjectIndex, VforklintConfig } from '../rules/index.js';
import { mayHoldForkCall as mayContainForkSite } from '../rules/prescan.js';
import { writeAtomically } from './write.js';
import { cachedResult, contentHash, reusable, withAbsoluteSteps, type CachedFile } from './cache.js';
import { appendShared, type SharedScan } from '../rules/project/text-scan.js';

type Core = typeof import('../rules/index.js');
let core: Promise<Core> | undefined;

/**
 * The analysis core and tree-sitter, loaded (once per thread) for the first file that
 * passes the pre-scan: a run whose files all fail it never loads them. The pre-scan is
 * the core's own (`mayContainForkSite` is `mayHoldForkCall`), imported on its own.
 */
async function loadCore(): Promise<Core> {
  core ??= import('../rules/index.js').then(async (c) => {
    await c.initParsers();
    return c;
  });
  try {
    return await core;
  } catch (e) {
    core = undefined; // a later file may try again
    throw e;
  }
}

export type FixMode = 'none' | 'fix' | 'dry-run';

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
  /** Parts of the file the analysis could not cover (AnalysisResult.notAnalysed): a warning on stderr. */
  notAnalysed?: NotAnalysed[];
  /** Assumptions the project index made, or why it was partial (AnalysisResult.projectNotes): no green tick. */
  projectNotes?: string[];
  fix?: FixReport;
  /** With --cache: what to store for this file (absent: nothing to store), and whether it came from the cache. */
  cacheEntry?: CachedFile;
  fromCache?: boolean;
}

export interface FileJob {
  path: string;
  language: Language;
  config: VforklintConfig;
  /**
   * Keep `fixes` and `fixDeclined` (json and sarif print them). The core computes the
   * frame split lazily when they are read, so the other formats drop them unread.
   */
  keepFixes?: boolean;
  /** The project root whose index the analysis consults (RULES section 8); absent: --no-project-index. */
  projectRoot?: string;
  /** With --cache: the file's stored entry, if any, and the key of its configuration (cache.ts). */
  cache?: { entry?: CachedFile; config: string };
}

/** What a file result takes from the analysis besides its findings. */
function analysisOutcome(r: AnalysisResult): Pick<FileResult, 'parsed' | 'error' | 'notAnalysed' | 'projectNotes'> {
  return { parsed: !r.skipped, error: r.internalError && `internal error in the analysis: ${r.internalError}`, ...(r.notAnalysed ? { notAnalysed: r.notAnalysed } : {}), ...(r.projectNotes?.length ? { projectNotes: r.projectNotes } : {}) };
}

/** With --cache: the project summaries the last run saved, by absolute root (cache.ts). */
let savedSummaries: Readonly<Record<string, unknown>> = {};
/** The roots this thread has indexed, with their indexes (saved summaries imported on first use). */
const usedRoots = new Map<string, ProjectIndex>();

/** The text scans of project roots the main thread made for this run (plain data), by absolute root. */
const sharedScans: Record<string, SharedScan> = {};

/** Hand this thread the next part of a root's scan the main thread made (all before its first file): its indexes scan nothing again. */
export function addSharedScan(root: string, part: SharedScan): void {
  const known = sharedScans[root];
  if (known) appendShared(known, part);
  else sharedScans[root] = part;
}

/** Start loading the analysis core and tree-sitter now (a file will need them). */
export function prepareAnalysis(): void {
  loadCore().catch(() => undefined); // a file that needs them tries again, and reports the failure
}

/** Hand this thread the saved summaries (before its first file). */
export function useSavedSummaries(byRoot: Readonly<Record<string, unknown>> | undefined): void {
  savedSummaries = byRoot ?? {};
  usedRoots.clear();
}

/** This thread's summaries of every root it indexed, for the cache. */
export function threadSummaries(): Record<string, unknown> {
  return Object.fromEntries([...usedRoots].map(([root, index]) => [root, index.exportSummaries()]));
}

/** The job's project (index and root-relative path), when the index is on and the file lies under the root. */
async function projectOf(job: FileJob) {
  if (!job.projectRoot) return undefined;
  const { projectFor } = await import('./project-host.js');
  // Without --cache no result is kept, so the analysis need not record what it read.
  const project = projectFor(job.path, job.projectRoot, job.cache !== undefined, sharedScans[job.projectRoot]);
  if (project && !usedRoots.has(job.projectRoot)) {
    usedRoots.set(job.projectRoot, project.index);
    const saved = savedSummaries[job.projectRoot];
    if (saved !== undefined) project.index.importSummaries(saved);
  }
  return project;
}

/**
 * The cheap pre-scan: can this text hold a fork call? With the project index on, calls of the
 * project's fork wrappers count too; those are looked up (loading the core) only for text
 * the plain scan rejects.
 */
async function passesPreScan(text: string, job: FileJob): Promise<boolean> {
  if (mayContainForkSite(text, job.language, job.config)) return true;
  const project = await projectOf(job);
  if (!project) return false;
  const c = await loadCore();
  return mayContainForkSite(text, job.language, c.configWithWrappers(project.index, project.file, job.config, text));
}

/** The analysis options for a file: its project, and the tree the index already parsed for this text (no second parse). */
function analyzeOptions(project: Awaited<ReturnType<typeof projectOf>>, text: string): AnalyzeOptions {
  if (!project) return {};
  const tree = project.index.treeFor(project.file, text);
  return tree ? { project, tree } : { project };
}

function errorNodes(text: string, language: Language, { parseShared }: Core): number {
  const root = parseShared(text, language).rootNode;
  return root.hasError ? root.descendantsOfType('ERROR').length + 1 : 0;
}

function describeReadError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EISDIR' ? 'is a directory' : err.message;
  return `cannot read file (${err.code ? `${err.code}: ` : ''}${why})`;
}

/** Lint text already in memory. `onDisk` (bytes and mtime as read) enables writing with --fix. */
/** `fixer` is fixSource; tests pass their own to exercise the write path. */
export type Fixer = (text: string, language: Language, config: VforklintConfig) => FixOutcome;

export async function lintText(job: FileJob, bytes: Buffer, fixMode: FixMode, onDisk: { mtimeMs: number } | null, fixer?: Fixer): Promise<FileResult> {
  const { path, language, config } = job;
  const text = bytes.toString('utf8');
  const base: FileResult = { path, language, findings: [], parsed: false };
  try {
    // The cheap pre-scan: no fork spelling and no vforklint directive means nothing to report or fix.
    if (!(await passesPreScan(text, job)) && !text.includes('vforklint-')) return base;
    const c = await loadCore(); // once per thread, for the first file that needs a parse
    const project = await projectOf(job);
    const { analyze, withoutFixes } = c;
    if (fixMode === 'none') {
      // With --cache: the stored result while the text, configuration and project reads are unchanged.
      const hash = job.cache ? contentHash(bytes) : '';
      const hit = job.cache && reusable(job.cache.entry, hash, job.cache.config, (key) => project?.index.fingerprint(key));
      if (hit) return cachedResult(path, language, job.projectRoot, hit, () => text);
      const r = analyze(text, language, config, analyzeOptions(project, text));
      const rootRelative = job.keepFixes ? r.findings : r.findings.map(withoutFixes);
      const outcome = analysisOutcome(r);
      // Stored with steps relative to the project root: the cache survives the tree moving.
      const cacheEntry: CachedFile | undefined =
        job.cache && !outcome.error ? { hash, config: job.cache.config, reads: r.projectReads ?? [], outcome: { findings: rootRelative, ...(r.notAnalysed ? { notAnalysed: r.notAnalysed } : {}), ...(r.projectNotes?.length ? { projectNotes: r.projectNotes } : {}) } } : undefined;
      return { ...base, ...outcome, findings: withAbsoluteSteps(rootRelative, job.projectRoot), text: r.findings.length ? text : undefined, ...(cacheEntry ? { cacheEntry } : {}) };
    }
    const outcome = (fixer ?? c.fixSource)(text, language, config);
    const changed = outcome.changed && outcome.text !== text;
    const report: FixReport = { applied: changed ? outcome.applied : [], declined: outcome.declined, written: false };
    let finalText = text;
    if (changed) {
      report.output = outcome.text;
      if (errorNodes(outcome.text, language, c) > errorNodes(text, language, c)) report.refused = 'the fixed text would not parse as cleanly as the original; nothing written';
      else if (!isUtf8(bytes)) report.refused = 'the file is not valid UTF-8; --fix would corrupt its bytes, so nothing was written';
      else if (fixMode === 'fix' && onDisk) {
        const w = await writeAtomically(path, bytes, onDisk.mtimeMs, outcome.text);
        if (w.ok) report.written = true;
        else report.refused = w.reason;
      }
      if (report.refused) report.applied = [];
      else if (fixMode === 'fix') finalText = outcome.text;
    }
    // Report what is left in the file as it now is on disk (ESLint's --fix does the same).
    const r = analyze(finalText, language, config, analyzeOptions(project, finalText));
    const keepText = r.findings.length > 0 || report.output !== undefined;
    return { ...base, ...analysisOutcome(r), findings: withAbsoluteSteps(r.findings, job.projectRoot), fix: report, text: keepText ? finalText : undefined };
  } catch (e) {
    return { ...base, error: `internal error in the analysis: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** One read buffer per thread, reused across files (no per-file allocation for the many files with nothing to report). */
let scratch = Buffer.allocUnsafe(1 << 20);

/**
 * Read a whole file into the scratch buffer; returns its length. For linting, a short
 * read of a regular file is its end (saves one read call per file, 20,000 on a large
 * tree); `exact` (used by --fix, which compares bytes before writing) reads until read
 * returns 0.
 */
function readIntoScratch(path: string, exact: boolean): number {
  const fd = openSync(path, 'r');
  try {
    let len = 0;
    for (;;) {
      if (len === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, len);
        scratch = bigger;
      }
      const want = scratch.length - len;
      const n = readSync(fd, scratch, len, want, null);
      if (n === 0) return len;
      len += n;
      if (!exact && n < want) return len;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Read and lint one file from disk. The pre-scan runs on a latin1 view of the bytes
 * (cheaper than UTF-8 decoding): every fork spelling and `vforklint-` is ASCII, and a
 * UTF-8 multi-byte sequence maps to latin1 letters that are not ASCII word characters
 * either way, so the answer is the same as on the decoded text. Only files that pass are
 * decoded as UTF-8 (with replacement) and analysed.
 */
export async function lintFile(job: FileJob, fixMode: FixMode, fixer?: Fixer): Promise<FileResult> {
  let len: number;
  let mtimeMs = 0;
  try {
    if (fixMode === 'fix') mtimeMs = statSync(job.path).mtimeMs;
    len = readIntoScratch(job.path, fixMode !== 'none');
  } catch (e) {
    return { path: job.path, language: job.language, findings: [], parsed: false, error: describeReadError(e) };
  }
  const view = scratch.toString('latin1', 0, len);
  if (!(await passesPreScan(view, job)) && !view.includes('vforklint-')) {
    if (scratch.length > 16 << 20) scratch = Buffer.allocUnsafe(1 << 20);
    return { path: job.path, language: job.language, findings: [], parsed: false };
  }
  const bytes = Buffer.from(scratch.subarray(0, len));
  return lintText(job, bytes, fixMode, { mtimeMs }, fixer);
}

export async function lintBatch(jobs: FileJob[], fixMode: FixMode): Promise<FileResult[]> {
  const out: FileResult[] = [];
  for (const j of jobs) out.push(await lintFile(j, fixMode));
  return out;
}
