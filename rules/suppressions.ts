/**
 * Inline suppression comments, in both languages:
 *   // vforklint-disable-next-line rule-a, rule-b -- reason
 *   // vforklint-disable-line rule-a
 *   /* vforklint-disable rule-a *\/ ... /* vforklint-enable rule-a *\/
 * A directive that suppresses nothing is itself reported (unused-disable-directive).
 */
import { docsUrl, type RuleMeta } from './rule-kit.js';
import type { LineIndex } from './syntax.js';
import type { Finding, Language, RuleId } from './types.js';

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

/**
 * Directive comments as tree-sitter reads them: a block comment runs to its `*\/` (across
 * lines); a line comment runs to the newline (not to a lone CR or U+2028, which tree-sitter
 * keeps inside the comment), and in C a backslash before the newline continues it.
 */
function directivePattern(language: Language): RegExp {
  const kinds = '(disable-next-line|disable-line|disable|enable)';
  const lineBody = language === 'c' ? String.raw`(?:\\\r?\n|[^\n])` : String.raw`[^\n]`;
  return new RegExp(String.raw`\/\*[ \t]*vforklint-${kinds}\b([\s\S]*?)\*\/|\/\/[ \t]*vforklint-${kinds}\b(${lineBody}*?)(?=\r?\n|$(?![\s\S]))`, 'g');
}

export function findDirectives(text: string, lines: LineIndex, isComment: (offset: number) => boolean, language: Language): Directive[] {
  const out: Directive[] = [];
  if (!text.includes('vforklint-')) return out;
  for (const m of text.matchAll(directivePattern(language))) {
    const start = m.index!;
    if (!isComment(start)) continue;
    let body = m[2] ?? m[4] ?? '';
    const dash = body.indexOf('--');
    if (dash >= 0) body = body.slice(0, dash);
    const rules = body.split(/[\s,]+/).map((r) => r.trim()).filter(Boolean).map((r) => r.replace(/^vforklint\//, ''));
    const kindWord = m[1] ?? m[3];
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
    const unusedRules = d.rules.length ? d.rules.filter((r) => !u?.has(r)) : u ? [] : ['any'];
    if (unusedRules.length === 0) continue;
    kept.push({
      rule: 'unused-disable-directive',
      steps: [],
      severity: unusedSeverity,
      message: `Unused vforklint-disable directive (no ${unusedRules.map((r) => (r === 'any' ? 'finding' : `'${r}'`)).join(', ')}${unusedRules[0] === 'any' ? '' : ' finding'} to suppress here).`,
      range: lines.range(d.start, d.end),
      related: [],
      fixes: text && d.rules.length === unusedRules.length ? [{ title: 'Remove the unused vforklint-disable directive', kind: 'suppress', edits: [removalEdit(text, d)], safe: true }] : [],
    });
  }
  return kept;
}
