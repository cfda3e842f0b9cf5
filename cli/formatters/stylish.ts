/**
 * Default format: `path:line:col severity message (rule)` per finding, the child's path to
 * it indented below as compiler-style notes (`    12:5  note: ...`, with the file when the
 * step is in another one), then a summary line.
 */
import { relative } from 'node:path';
import type { Finding } from '../../rules/types.js';
import { countResults, describeGaps, gaps, plural, type FormatContext } from './common.js';

const paint = (on: boolean, code: string, s: string): string => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

/**
 * The last line. The tick only for a complete run that checked files and found nothing;
 * a run with paths not checked, failed files or parts not analysed says so instead.
 */
export function summaryLine(ctx: FormatContext): string {
  const c = countResults(ctx.results);
  const problems = c.errors + c.warnings;
  const scope = c.files ? `in ${plural(c.files, 'file')} (${c.parsed} parsed)` : 'in no files';
  const missed = describeGaps(gaps(ctx));
  if (problems > 0) return `${paint(ctx.color, '31', '✖')} ${plural(problems, 'problem')} (${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}) ${scope}${missed ? `; incomplete: ${missed}` : ''}`;
  if (missed && c.files === 0) return `${paint(ctx.color, '31', '✖')} no files checked: ${missed}`;
  if (missed) return `${paint(ctx.color, '33', '⚠')} incomplete: ${missed}; no problems found ${scope}`;
  if (c.files === 0) return 'no files checked';
  return `${paint(ctx.color, '32', '✔')} no problems ${scope}`;
}

export function formatStylish(ctx: FormatContext): string {
  let out = '';
  for (const r of ctx.results) {
    const path = relative(ctx.cwd, r.path) || r.path;
    for (const f of r.findings) {
      const sev = f.severity === 'error' ? paint(ctx.color, '31', 'error') : paint(ctx.color, '33', 'warning');
      out += `${path}:${f.range.start.line}:${f.range.start.column} ${sev} ${f.message} ${paint(ctx.color, '2', `(${f.rule})`)}\n`;
      out += stepNotes(ctx, f);
    }
  }
  return `${out}${summaryLine(ctx)}\n`;
}

/** The steps of one finding, one note a line; a lone step at the finding itself (a site finding's own site) is not repeated. */
function stepNotes(ctx: FormatContext, f: Finding): string {
  const steps = f.steps;
  if (steps.length === 1 && steps[0].file === undefined && steps[0].range.start.offset === f.range.start.offset) return '';
  let out = '';
  for (const s of steps) {
    const file = s.file === undefined ? '' : `${relative(ctx.cwd, s.file) || s.file}:`;
    out += `    ${file}${s.range.start.line}:${s.range.start.column}  ${paint(ctx.color, '36', 'note')}: ${s.message}\n`;
  }
  return out;
}
