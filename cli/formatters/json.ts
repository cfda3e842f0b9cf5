/**
 * ESLint's JSON shape (an array of file results with `messages`, each with its rule's
 * `messageId`), plus vforklint's own `related` locations, the child's path to the hazard
 * (`steps`, RULES section 9) and declined-fix reasons on each message.
 */
import type { Finding, Range } from '../../rules/index.js';
import type { DiscoveryProblem } from '../discover.js';
import type { FileResult } from '../lint.js';
import { countResults, mergedEdit, type FormatContext } from './common.js';
import { unifiedDiff } from '../diff.js';
import { relative } from 'node:path';

function span(r: Range): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: r.start.line, column: r.start.column, endLine: r.end.line, endColumn: r.end.column };
}

function message(f: Finding, text: string | undefined): Record<string, unknown> {
  const m: Record<string, unknown> = {
    ruleId: f.rule,
    messageId: f.messageId,
    severity: f.severity === 'error' ? 2 : 1,
    message: f.message,
    ...span(f.range),
    related: f.related.map((r) => ({ message: r.message, ...(r.file !== undefined ? { file: r.file } : {}), ...span(r.range) })),
    steps: f.steps.map((s) => ({ message: s.message, ...(s.file !== undefined ? { file: s.file } : {}), ...span(s.range) })),
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
  if (r.notAnalysed) out.notAnalysed = r.notAnalysed.map((n) => ({ ...span(n.range), reason: n.reason }));
  if (r.projectNotes) out.projectNotes = r.projectNotes;
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

/**
 * A path discovery could not check, or skipped with a warning, as ESLint reports an
 * unreadable or ignored file: an entry whose one message has no rule (fatal when the path
 * could not be checked).
 */
function problemResult(p: DiscoveryProblem): Record<string, unknown> {
  return {
    filePath: p.absolutePath,
    messages: [{ ruleId: null, fatal: p.fatal, severity: p.fatal ? 2 : 1, message: p.message, line: 0, column: 0 }],
    suppressedMessages: [],
    errorCount: p.fatal ? 1 : 0,
    fatalErrorCount: p.fatal ? 1 : 0,
    warningCount: p.fatal ? 0 : 1,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}

export function formatJson(ctx: FormatContext): string {
  return `${JSON.stringify([...ctx.problems.map(problemResult), ...ctx.results.map((r) => fileResult(r, ctx))])}\n`;
}
