/**
 * ESLint's JSON shape (an array of file results with `messages`), plus vforklint's own
 * `related` locations and declined-fix reasons on each message.
 */
import type { Finding } from '../../rules/index.js';
import type { FileResult } from '../lint.js';
import { countResults, mergedEdit, type FormatContext } from './common.js';
import { unifiedDiff } from '../diff.js';
import { relative } from 'node:path';

function message(f: Finding, text: string | undefined): Record<string, unknown> {
  const m: Record<string, unknown> = {
    ruleId: f.rule,
    severity: f.severity === 'error' ? 2 : 1,
    message: f.message,
    line: f.range.start.line,
    column: f.range.start.column,
    endLine: f.range.end.line,
    endColumn: f.range.end.column,
    related: f.related.map((r) => ({ message: r.message, line: r.range.start.line, column: r.range.start.column, endLine: r.range.end.line, endColumn: r.range.end.column })),
  };
  if (text !== undefined) {
    const safe = f.fixes.find((x) => x.safe);
    if (safe && safe.edits.length) m.fix = mergedEdit(text, safe);
    const suggestions = f.fixes.filter((x) => !x.safe && x.edits.length);
    if (suggestions.length) m.suggestions = suggestions.map((s) => ({ desc: s.title, fix: mergedEdit(text, s) }));
  }
  if (f.fixDeclined) m.fixDeclined = f.fixDeclined;
  return m;
}

function fileResult(r: FileResult, ctx: FormatContext): Record<string, unknown> {
  const one = countResults([r]);
  const messages = r.findings.map((f) => message(f, r.text));
  if (r.error) messages.unshift({ ruleId: null, fatal: true, severity: 2, message: r.error, line: 0, column: 0 });
  const out: Record<string, unknown> = {
    filePath: r.path,
    messages,
    suppressedMessages: [],
    errorCount: one.errors + (r.error ? 1 : 0),
    fatalErrorCount: r.error ? 1 : 0,
    warningCount: one.warnings,
    fixableErrorCount: one.fixableErrors,
    fixableWarningCount: one.fixableWarnings,
    usedDeprecatedRules: [],
  };
  if (r.notAnalysed) out.notAnalysed = r.notAnalysed.map((n) => ({ line: n.range.start.line, column: n.range.start.column, endLine: n.range.end.line, endColumn: n.range.end.column, reason: n.reason }));
  if (r.fix) {
    if (r.fix.output !== undefined) out.output = r.fix.output;
    out.fixesApplied = r.fix.applied;
    out.fixesDeclined = r.fix.declined;
    out.written = r.fix.written;
    if (r.fix.refused) out.fixRefused = r.fix.refused;
    if (ctx.fixMode === 'dry-run' && r.fix.output !== undefined && r.text !== undefined) {
      const name = relative(ctx.cwd, r.path) || r.path;
      out.diff = unifiedDiff(r.text, r.fix.output, `a/${name}`, `b/${name}`);
    }
  }
  return out;
}

export function formatJson(ctx: FormatContext): string {
  return `${JSON.stringify(ctx.results.map((r) => fileResult(r, ctx)))}\n`;
}
