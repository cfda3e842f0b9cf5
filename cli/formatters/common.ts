/** What every formatter receives, and small helpers they share. */
import type { Finding, Fix } from '../../rules/index.js';
import type { DiscoveryProblem } from '../discover.js';
import type { FileResult } from '../lint.js';

export interface FormatContext {
  results: FileResult[];
  /** Directory that printed paths are relative to (the working directory). */
  cwd: string;
  /** Directory that SARIF URIs are relative to (the repository root, else the working directory). */
  root: string;
  /** Colour allowed (human formats on a terminal). */
  color: boolean;
  toolVersion: string;
  fixMode: 'none' | 'fix' | 'dry-run';
  /** Paths that could not be checked or were skipped with a warning (from file discovery). */
  problems: DiscoveryProblem[];
}

/** What a run left unchecked: a run with any of these is incomplete and never reported with a tick. */
export interface Gaps {
  /** Arguments or entries that could not be checked (missing, unreadable, nothing to check). */
  paths: number;
  /** Files whose reading or analysis failed. */
  failedFiles: number;
  /** Parts of files the analysis could not cover. */
  notAnalysed: number;
  /** Files whose analysis rests on an assumption of the project index, or on a partial index. */
  projectNotes: number;
}

export function gaps(ctx: Pick<FormatContext, 'results' | 'problems'>): Gaps {
  return {
    paths: ctx.problems.filter((p) => p.fatal).length,
    failedFiles: ctx.results.filter((r) => r.error).length,
    notAnalysed: ctx.results.reduce((n, r) => n + (r.notAnalysed?.length ?? 0), 0),
    projectNotes: ctx.results.filter((r) => r.projectNotes?.length).length,
  };
}

/** The gaps in words (`1 path not checked, 2 parts not analysed`); empty when the run was complete. */
export function describeGaps(g: Gaps): string {
  const words: string[] = [];
  if (g.paths) words.push(`${plural(g.paths, 'path')} not checked`);
  if (g.failedFiles) words.push(`${plural(g.failedFiles, 'file')} failed`);
  if (g.notAnalysed) words.push(`${plural(g.notAnalysed, 'part')} not analysed`);
  if (g.projectNotes) words.push(`${plural(g.projectNotes, 'file')} analysed on assumptions of a partial or ambiguous project index`);
  return words.join(', ');
}

export interface Counts {
  errors: number;
  warnings: number;
  fixableErrors: number;
  fixableWarnings: number;
  fatal: number;
  files: number;
  parsed: number;
}

export function isFixable(f: Finding): boolean {
  return f.fixes.some((x) => x.safe);
}

export function countResults(results: FileResult[]): Counts {
  const c: Counts = { errors: 0, warnings: 0, fixableErrors: 0, fixableWarnings: 0, fatal: 0, files: results.length, parsed: 0 };
  for (const r of results) {
    if (r.error) c.fatal++;
    if (r.parsed) c.parsed++;
    for (const f of r.findings) {
      if (f.severity === 'error') {
        c.errors++;
        if (isFixable(f)) c.fixableErrors++;
      } else {
        c.warnings++;
        if (isFixable(f)) c.fixableWarnings++;
      }
    }
  }
  return c;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Maps UTF-16 offsets to 1-based line and column. */
export class Lines {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
  lineText(line: number): string {
    const s = this.starts[line - 1] ?? this.text.length;
    const e = this.starts[line] ?? this.text.length;
    return this.text.slice(s, e).replace(/\r?\n$/, '');
  }
}

/** A fix's edits as one replacement of the covered range (ESLint's shape). */
export function mergedEdit(text: string, fix: Fix): { range: [number, number]; text: string } {
  const start = Math.min(...fix.edits.map((e) => e.start));
  const end = Math.max(...fix.edits.map((e) => e.end));
  const sorted = [...fix.edits].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = start;
  for (const e of sorted) {
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return { range: [start, end], text: out + text.slice(pos, end) };
}
