/**
 * Fixing a whole file: apply every safe fix and the frame split, re-analyse, and repeat
 * until nothing changes (bounded passes). A pass is kept only if its result parses with
 * no more tree-sitter errors than the text before it; so a second run changes nothing.
 */
import { analyze } from '../analyze.js';
import { literalMultiset } from '../comments.js';
import { applyEdits } from '../edits.js';
import { parseShared } from '../parser.js';
import { cursorAt } from '../syntax.js';
import type { Finding, Fix, Language, RuleId, TextEdit, VforklintConfig } from '../types.js';

export interface FixOutcome {
  /** The fixed text (the input when nothing applied). */
  text: string;
  changed: boolean;
  applied: Array<{ rule: RuleId; title: string; line: number }>;
  /** Fixes considered and not applied, with the one-line reason a user sees. */
  declined: Array<{ rule: RuleId; line: number; reason: string }>;
}

const MAX_PASSES = 16;

const FRAME_RULES = new Set<RuleId>(['parent-reuses-frame', 'child-returns']);

/** A finding by what it is about: its rule, its kind of message and the code it sits on (positions shift as fixes insert lines). */
function findingKey(text: string, f: Finding): string {
  return `${f.rule}\0${f.messageId ?? f.message}\0${text.slice(f.range.start.offset, f.range.end.offset)}`;
}

function countOf(findings: readonly Finding[], text: string, key: string): number {
  return findings.filter((f) => findingKey(text, f) === key).length;
}

function frameFindings(findings: Finding[]): number {
  return findings.filter((f) => FRAME_RULES.has(f.rule)).length;
}

/** ERROR and MISSING nodes in a parse of `text`. */
export function parseErrors(text: string, language: Language): number {
  const root = parseShared(text, language).rootNode;
  if (!root.hasError) return 0;
  let n = 0;
  using cursor = cursorAt(root);
  for (;;) {
    const node = cursor.currentNode;
    if (node.type === 'ERROR' || node.isMissing) n++;
    if (node.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return n;
    }
  }
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start > b.start && a.start < b.end) || (b.start === b.end && b.start > a.start && b.start < a.end);
}

/** Do two texts hold the same literals (as a multiset: a split moves literals, no fix edits one)? */
export function sameLiterals(before: string, after: string, language: Language): boolean {
  const a = literalMultiset(before, language);
  const b = literalMultiset(after, language);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The fix `--fix` applies for a finding: the split, else the first safe fix. */
export function autoFix(f: Finding): Fix | undefined {
  return f.fixes.find((x) => x.kind === 'split') ?? f.fixes.find((x) => x.safe);
}

export function fixSource(text: string, language: Language, config: VforklintConfig = {}): FixOutcome {
  let current = text;
  let errors = parseErrors(text, language);
  const applied: FixOutcome['applied'] = [];
  const rejected: FixOutcome['declined'] = [];
  let last = analyze(current, language, config);
  const refused = new Set<string>();
  // Findings whose fix was undone because the finding outlived it (in code the parser reads
  // its own way, an inserted `_exit` may not end the path): never offered again.
  const stubborn = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES && !last.internalError; pass++) {
    const chosen: Array<{ finding: Finding; fix: Fix }> = [];
    const taken: TextEdit[] = [];
    const seen = new Set<string>();
    const candidates = last.findings.map((f) => ({ finding: f, fix: autoFix(f) })).filter((c): c is { finding: Finding; fix: Fix } => !!c.fix && !stubborn.has(findingKey(current, c.finding)));
    // Splits first: they rewrite whole functions, the small fixes come back next pass if still needed.
    candidates.sort((a, b) => Number(b.fix.kind === 'split') - Number(a.fix.kind === 'split'));
    let splits = 0;
    const seenFixes = new Set<Fix>();
    for (const c of candidates) {
      // Findings of one function share their split: compare by identity before by content
      // (a split's edits can be the whole function, and there can be thousands of findings).
      if (seenFixes.has(c.fix)) continue;
      seenFixes.add(c.fix);
      const key = JSON.stringify(c.fix.edits);
      if (seen.has(key) || refused.has(key)) continue;
      seen.add(key);
      // One split per pass, so that each can be checked on its own below.
      if (c.fix.kind === 'split' && splits++ > 0) continue;
      if (c.fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
      chosen.push(c);
      taken.push(...c.fix.edits);
    }
    if (!chosen.length) break;
    let next = applyEdits(current, taken);
    let kept = chosen;
    if (next !== current && parseErrors(next, language) > errors) {
      // Keep only the fixes that parse on their own; never write a text that does not re-parse.
      kept = chosen.filter((c) => {
        const ok = parseErrors(applyEdits(current, c.fix.edits), language) <= errors;
        if (!ok) {
          refused.add(JSON.stringify(c.fix.edits));
          rejected.push({ rule: c.finding.rule, line: c.finding.range.start.line, reason: `${c.fix.title}: the fixed text would not parse cleanly, so it was not applied` });
        }
        return ok;
      });
      next = applyEdits(current, kept.flatMap((c) => c.fix.edits));
      if (parseErrors(next, language) > errors) {
        kept = kept.slice(0, 1);
        next = applyEdits(current, kept.flatMap((c) => c.fix.edits));
      }
    }
    if (next !== current && !sameLiterals(current, next, language)) {
      // No fix may change program data: a fix that edits a string or character literal is refused.
      kept = kept.filter((c) => {
        const ok = sameLiterals(current, applyEdits(current, c.fix.edits), language);
        if (!ok) {
          refused.add(JSON.stringify(c.fix.edits));
          rejected.push({ rule: c.finding.rule, line: c.finding.range.start.line, reason: `${c.fix.title}: it would change a string or character literal, so it was not applied` });
        }
        return ok;
      });
      next = applyEdits(current, kept.flatMap((c) => c.fix.edits));
      if (!sameLiterals(current, next, language)) next = current;
    }
    if (next === current) break;
    let after = analyze(next, language, config);
    const split = kept.find((c) => c.fix.kind === 'split');
    if (split) {
      // A split must leave fewer frame findings than it found, or it is undone and refused.
      if (after.internalError || frameFindings(after.findings) >= frameFindings(last.findings)) {
        refused.add(JSON.stringify(split.fix.edits));
        rejected.push({ rule: split.finding.rule, line: split.finding.range.start.line, reason: `${split.fix.title}: the result would still reuse the frame, so it was not applied` });
        continue;
      }
    }
    // A fix must take its finding away: one that leaves as many findings of its kind at the
    // same code is undone (the rest of the pass kept), so that fixing twice changes nothing.
    const outlived = kept.filter((c) => {
      if (c.fix.kind === 'split') return false;
      const key = findingKey(current, c.finding);
      return countOf(after.findings, next, key) >= countOf(last.findings, current, key);
    });
    if (outlived.length) {
      for (const c of outlived) {
        stubborn.add(findingKey(current, c.finding));
        rejected.push({ rule: c.finding.rule, line: c.finding.range.start.line, reason: `${c.fix.title}: the finding would remain after it, so it was not applied` });
      }
      kept = kept.filter((c) => !outlived.includes(c));
      next = applyEdits(current, kept.flatMap((c) => c.fix.edits));
      if (next === current) continue;
      after = analyze(next, language, config);
    }
    for (const c of kept) applied.push({ rule: c.finding.rule, title: c.fix.title, line: c.finding.range.start.line });
    current = next;
    errors = Math.min(errors, parseErrors(current, language));
    last = after;
  }
  // One entry per reason: a declined split is reported once, at its function's first finding.
  const seenReasons = new Set<string>();
  const declined = [
    ...rejected,
    ...last.findings.filter((f) => f.fixDeclined).map((f) => ({ rule: f.rule, line: f.range.start.line, reason: f.fixDeclined! })),
  ].filter((d) => !seenReasons.has(`${d.rule}:${d.reason}`) && seenReasons.add(`${d.rule}:${d.reason}`));
  return { text: current, changed: current !== text, applied, declined };
}
