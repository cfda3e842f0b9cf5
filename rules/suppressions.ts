/**
 * Inline suppression comments, in both languages:
 *   // vforklint-disable-next-line rule-a, rule-b -- reason
 *   // vforklint-disable-line rule-a
 *   /* vforklint-disable rule-a *\/ ... /* vforklint-enable rule-a *\/
 * A directive that suppresses nothing is itself reported (unused-disable-directive).
 */
import { docsUrl, type RuleMeta } from './rule-kit.js';
import type { LineIndex } from './syntax.js';
import type { Finding, RuleId } from './types.js';

export const unusedDisableDirectiveMeta: RuleMeta = {
  id: 'unused-disable-directive',
  description: 'A vforklint-disable comment that suppresses nothing.',
  defaultSeverity: 'warning',
  languages: ['c', 'go'],
  forkKinds: [],
  docsUrl: docsUrl('unused-disable-directive'),
  messages: { unused: 'Unused vforklint-disable directive (no {{rules}} finding to suppress here).' },
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

// A `//` comment ends at any line terminator tree-sitter knows, U+2028/U+2029 included.
const DIRECTIVE = /(\/\/|\/\*)[ \t]*vforklint-(disable-next-line|disable-line|disable|enable)\b([^\n\r\u2028\u2029]*?)(?:\*\/|(?=[\n\r\u2028\u2029])|$(?![\s\S]))/g;

export function findDirectives(text: string, lines: LineIndex, isComment: (offset: number) => boolean): Directive[] {
  const out: Directive[] = [];
  if (!text.includes('vforklint-')) return out;
  for (const m of text.matchAll(DIRECTIVE)) {
    const start = m.index!;
    if (!isComment(start)) continue;
    let body = m[3];
    const dash = body.indexOf('--');
    if (dash >= 0) body = body.slice(0, dash);
    const rules = body.split(/[\s,]+/).map((r) => r.trim()).filter(Boolean).map((r) => r.replace(/^vforklint\//, ''));
    const kindWord = m[2];
    const kind = kindWord === 'disable-next-line' ? 'next-line' : kindWord === 'disable-line' ? 'line' : kindWord === 'disable' ? 'disable' : 'enable';
    const end = start + m[0].length;
    out.push({ kind, rules, start, end, line: lines.position(start).line, endLine: lines.position(end).line });
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
  let lineEnd = text.slice(d.end).search(/[\n\r\u2028\u2029]/);
  lineEnd = lineEnd < 0 ? text.length : d.end + lineEnd;
  const before = text.slice(lineStart, d.start);
  const after = text.slice(d.end, lineEnd);
  if (before.trim() === '' && after.trim() === '') return { start: lineStart, end: Math.min(lineEnd + 1, text.length), newText: '' };
  // Keep the code; drop the comment and the spaces before it. A comment ended by U+2028 or
  // U+2029 takes the separator with it (alone in code it would not parse).
  const trimmed = before.replace(/[ \t]+$/, '');
  const separator = /[\u2028\u2029]/.test(text[d.end] ?? '');
  return { start: lineStart + trimmed.length, end: separator ? d.end + 1 : d.end, newText: separator ? ' ' : '' };
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
    const unusedRules = d.rules.length ? d.rules.filter((r) => !u?.has(r)) : u ? [] : ['any'];
    if (unusedRules.length === 0) continue;
    kept.push({
      rule: 'unused-disable-directive',
      severity: unusedSeverity,
      message: `Unused vforklint-disable directive (no ${unusedRules.map((r) => (r === 'any' ? 'finding' : `'${r}'`)).join(', ')}${unusedRules[0] === 'any' ? '' : ' finding'} to suppress here).`,
      range: lines.range(d.start, d.end),
      related: [],
      fixes: text && d.rules.length === unusedRules.length ? [{ title: 'Remove the unused vforklint-disable directive', kind: 'suppress', edits: [removalEdit(text, d)], safe: true }] : [],
    });
  }
  return kept;
}
