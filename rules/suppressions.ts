/**
 * Inline suppression comments, in both languages:
 *   // vforklint-disable-next-line rule-a, rule-b -- reason
 *   // vforklint-disable-line rule-a
 *   /* vforklint-disable rule-a *\/ ... /* vforklint-enable rule-a *\/
 * A directive that suppresses nothing is itself reported (unused-disable-directive).
 */
import { scanComments } from './comments.js';
import { docsUrl, formatMessage, type RuleMeta } from './rule-kit.js';
import type { LineIndex } from './syntax.js';
import type { Finding, Language, RuleId } from './types.js';

export const unusedDisableDirectiveMeta: RuleMeta = {
  id: 'unused-disable-directive',
  description: 'A vforklint-disable comment that suppresses nothing.',
  defaultSeverity: 'warning',
  languages: ['c', 'go'],
  forkKinds: [],
  docsUrl: docsUrl('unused-disable-directive'),
  messages: {
    unused: 'Unused vforklint-disable directive (no {{rules}} finding to suppress here).',
    unusedAny: 'Unused vforklint-disable directive (no finding to suppress here).',
  },
  fixable: true,
  hasSuggestions: false,
};

export interface Directive {
  kind: 'next-line' | 'line' | 'disable' | 'enable';
  /** Empty: every rule. */
  rules: string[];
  start: number;
  end: number;
  line: number;
  endLine: number;
}

const DIRECTIVE = /^[ \t]*vforklint-(disable-next-line|disable-line|disable|enable)\b/;

/**
 * The directives of a text: comments (read by the shared lexer, as tree-sitter reads
 * them) that start with `vforklint-...`. Text inside a string, a character literal or a Go
 * raw string is never a directive. A block comment runs to its `*\/` (across lines); a line
 * comment to the newline (a lone CR or U+2028 stays inside it; in C a backslash before the
 * newline continues it).
 */
export function findDirectives(text: string, lines: LineIndex, language: Language): Directive[] {
  const out: Directive[] = [];
  if (!text.includes('vforklint-')) return out;
  for (const comment of scanComments(text, language)) {
    const m = DIRECTIVE.exec(comment.value);
    if (!m) continue;
    let body = comment.value.slice(m[0].length);
    const dash = body.indexOf('--');
    if (dash >= 0) body = body.slice(0, dash);
    const rules = body.split(/[\s,]+/).map((r) => r.trim()).filter(Boolean).map((r) => r.replace(/^vforklint\//, ''));
    const kind = m[1] === 'disable-next-line' ? 'next-line' : m[1] === 'disable-line' ? 'line' : m[1] === 'disable' ? 'disable' : 'enable';
    out.push({ kind, rules, start: comment.start, end: comment.end, line: lines.position(comment.start).line, endLine: lines.position(comment.end).line });
  }
  return out;
}

function covers(rules: string[], rule: RuleId): boolean {
  return rules.length === 0 || rules.includes(rule);
}

/** Remove suppressed findings; add a finding for each directive that suppressed nothing. */
/** An edit that deletes a directive comment, and its whole line when nothing else is on it. */
function removalEdit(text: string, d: Directive): { start: number; end: number; newText: string } {
  const lineStart = text.lastIndexOf('\n', d.start - 1) + 1;
  let lineEnd = text.indexOf('\n', d.end);
  if (lineEnd < 0) lineEnd = text.length;
  const before = text.slice(lineStart, d.start);
  const after = text.slice(d.end, lineEnd);
  if (before.trim() === '' && after.trim() === '') return { start: lineStart, end: Math.min(lineEnd + 1, text.length), newText: '' };
  // Keep the code; drop the comment and the spaces before it.
  const trimmed = before.replace(/[ \t]+$/, '');
  return { start: lineStart + trimmed.length, end: d.end, newText: '' };
}

export function applySuppressions(findings: Finding[], directives: Directive[], lines: LineIndex, unusedSeverity: 'error' | 'warning' | 'off', text = ''): Finding[] {
  if (directives.length === 0) return findings;
  const used = new Map<Directive, Set<string>>();
  const mark = (d: Directive, rule: RuleId) => {
    const s = used.get(d) ?? new Set<string>();
    s.add(rule);
    used.set(d, s);
  };
  const blocks = directives.filter((d) => d.kind === 'disable' || d.kind === 'enable').sort((a, b) => a.start - b.start);
  const kept = findings.filter((f) => {
    const line = f.range.start.line;
    for (const d of directives) {
      if (d.kind === 'next-line' && line === d.endLine + 1 && covers(d.rules, f.rule)) return mark(d, f.rule), false;
      if (d.kind === 'line' && line === d.line && covers(d.rules, f.rule)) return mark(d, f.rule), false;
    }
    // Block directives: the last disable/enable before the finding that names its rule decides.
    let active: Directive | undefined;
    for (const d of blocks) {
      if (d.end > f.range.start.offset) break;
      if (!covers(d.rules, f.rule)) continue;
      active = d.kind === 'disable' ? d : undefined;
    }
    if (active) return mark(active, f.rule), false;
    return true;
  });
  if (unusedSeverity === 'off') return kept;
  for (const d of directives) {
    if (d.kind === 'enable') continue;
    const u = used.get(d);
    // A directive naming no rule covers every rule: unused when it suppressed nothing at all.
    const unusedRules = d.rules.length ? d.rules.filter((r) => !u?.has(r)) : u ? [] : undefined;
    if (unusedRules?.length === 0) continue;
    const messageId = unusedRules ? 'unused' : 'unusedAny';
    const data = unusedRules ? { rules: unusedRules.map((r) => `'${r}'`).join(', ') } : undefined;
    kept.push({
      rule: 'unused-disable-directive',
      messageId,
      ...(data ? { data } : {}),
      steps: [],
      severity: unusedSeverity,
      message: formatMessage(unusedDisableDirectiveMeta.messages[messageId], data),
      range: lines.range(d.start, d.end),
      related: [],
      fixes: text && unusedRules && d.rules.length === unusedRules.length ? [{ title: 'Remove the unused vforklint-disable directive', kind: 'suppress', edits: [removalEdit(text, d)], safe: true }] : [],
    });
  }
  return kept;
}
