/**
 * The properties every input must satisfy, checked against the real core:
 * - analyze() never throws and never reports internalError (a caught core bug);
 * - its time stays within a budget that grows linearly with the input's size;
 * - every finding's range (and every related range and step in this file) lies inside the
 *   text, start <= end, and its line/column agree with its offset (1-based lines split at
 *   "\n", UTF-16 columns);
 * - every finding's message is its rule's template `messageId` filled with its data;
 * - every fix's edits lie inside the text, do not overlap, and the fixed text has no more
 *   parse errors than the original (for an original that parses cleanly); no fix was
 *   declined because the split code failed;
 * - no fix changes a literal: the strings, character literals and Go raw strings of the
 *   fixed text are those of the original, as a multiset (a split moves literals, it never
 *   edits one), for each fix and for fixSource's output;
 * - fixSource() never throws, never returns a text with new parse errors, and (where
 *   asked) a second run on its output changes nothing.
 */
import { parseErrors, sameLiterals } from '../rules/fixes/apply.js';
import { analyze, applyEdits, fixSource, formatMessage, parseShared, ruleMeta, unparsedRanges, type Finding, type Language, type Range, type VforklintConfig } from '../rules/index.js';

export interface Violation {
  property: string;
  detail: string;
}

export interface CheckOptions {
  config?: VforklintConfig;
  /** Also run fixSource (and check it). Default true. */
  fix?: boolean;
  /** Also run fixSource on fixSource's output and require no change. Default false. */
  idempotent?: boolean;
  /** Check each fix's parse errors (a parse per fix). Default true. */
  fixParses?: boolean;
  /** Milliseconds allowed for one analyze() of `size` characters; fixSource gets 10 times as much. */
  budgetMs?: (size: number) => number;
}

export interface CheckReport {
  violations: Violation[];
  analyzeMs: number;
  fixMs: number;
  findings: number;
}

/** The budget of the long run: 2 s plus 50 microseconds per character (the core measures 7-25 here). */
export const LONG_BUDGET = (size: number): number => 2000 + size * 0.05;
/** The budget inside `npm test`: only catches hangs (a loaded CI machine must not fail it). */
export const TEST_BUDGET = (size: number): number => 30_000 + size * 0.5;

/** Fixes per input whose result is parsed to check it (see checkFindings). */
export const FIX_PARSE_CHECKS = 20;

/** Did the parse of `text` run out of budget (and blank some of it)? */
export function budgetLimited(text: string, language: Language): boolean {
  return unparsedRanges(parseShared(text, language)).length > 0;
}

/** Line starts of `text` (a line ends at "\n", as tree-sitter counts rows). */
class Lines {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

function rangeProblem(r: Range, text: string, lines: Lines): string | undefined {
  for (const [which, p] of [['start', r.start], ['end', r.end]] as const) {
    if (!Number.isInteger(p.offset) || p.offset < 0 || p.offset > text.length) return `${which} offset ${p.offset} outside the text (length ${text.length})`;
    const want = lines.position(p.offset);
    if (p.line !== want.line || p.column !== want.column) return `${which} ${p.line}:${p.column} does not match offset ${p.offset} (which is ${want.line}:${want.column})`;
  }
  if (r.start.offset > r.end.offset) return `start offset ${r.start.offset} after end offset ${r.end.offset}`;
  return undefined;
}

function describe(f: Finding): string {
  return `${f.rule} at ${f.range.start.line}:${f.range.start.column}`;
}

export function checkFindings(text: string, language: Language, findings: Finding[], options: { fixParses?: boolean } = {}): Violation[] {
  const out: Violation[] = [];
  const lines = new Lines(text);
  let baseErrors: number | undefined;
  let baseLimited: boolean | undefined;
  let parseChecks = 0;
  let literalChecks = 0;
  for (const f of findings) {
    const bad = rangeProblem(f.range, text, lines);
    if (bad) out.push({ property: 'finding-range', detail: `${describe(f)}: ${bad}` });
    for (const rel of f.related) {
      const relBad = rangeProblem(rel.range, text, lines);
      if (relBad) out.push({ property: 'related-range', detail: `${describe(f)}, related "${rel.message}": ${relBad}` });
    }
    for (const step of f.steps) {
      const stepBad = step.file === undefined ? rangeProblem(step.range, text, lines) : undefined;
      if (stepBad) out.push({ property: 'step-range', detail: `${describe(f)}, step "${step.message}": ${stepBad}` });
    }
    const template = ruleMeta(f.rule).messages[f.messageId];
    if (template === undefined || formatMessage(template, f.data) !== f.message) out.push({ property: 'message-template', detail: `${describe(f)}: "${f.message}" is not template '${f.messageId}' of ${f.rule} filled with ${JSON.stringify(f.data ?? {})}` });
    if (f.fixDeclined && /failed on this input/.test(f.fixDeclined)) out.push({ property: 'fix-internal-error', detail: `${describe(f)}: ${f.fixDeclined}` });
    for (const fix of f.fixes) {
      const edits = [...fix.edits].sort((a, b) => a.start - b.start || a.end - b.end);
      let prevEnd = 0;
      let ok = true;
      for (const e of edits) {
        if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end > text.length || e.start > e.end) {
          out.push({ property: 'fix-edit-range', detail: `${describe(f)}, fix "${fix.title}": edit [${e.start}, ${e.end}) outside the text (length ${text.length})` });
          ok = false;
        } else if (e.start < prevEnd) {
          out.push({ property: 'fix-edits-overlap', detail: `${describe(f)}, fix "${fix.title}": edit [${e.start}, ${e.end}) overlaps the previous one (ending ${prevEnd})` });
          ok = false;
        }
        prevEnd = Math.max(prevEnd, e.end);
      }
      // Each check lexes the whole fixed text: the first FIX_PARSE_CHECKS fixes (as below).
      if (ok && literalChecks++ < FIX_PARSE_CHECKS && !sameLiterals(text, applyEdits(text, fix.edits), language)) {
        out.push({ property: 'fix-keeps-literals', detail: `${describe(f)}, fix "${fix.title}": the fixed text's string and character literals differ from the original's` });
      }
      // Each check parses the whole fixed text: on an input with thousands of findings only
      // the first FIX_PARSE_CHECKS fixes are parsed (the cost would be findings x size).
      if (ok && options.fixParses !== false && parseChecks++ < FIX_PARSE_CHECKS) {
        baseErrors ??= parseErrors(text, language);
        baseLimited ??= budgetLimited(text, language);
        // On a text that already has parse errors, tree-sitter's recovery may count an
        // unrelated insertion differently; the writers (fixSource, --fix) guard that case.
        // A parse that ran out of budget blanked text (parser.ts): its error count says nothing.
        const fixed = baseErrors === 0 ? applyEdits(text, fix.edits) : '';
        const after = baseErrors === 0 && !baseLimited ? parseErrors(fixed, language) : 0;
        if (after > baseErrors && !budgetLimited(fixed, language)) out.push({ property: 'fix-parses', detail: `${describe(f)}, fix "${fix.title}": the fixed text has ${after} parse errors, the original ${baseErrors}` });
      }
    }
  }
  return out;
}

export function checkInput(text: string, language: Language, options: CheckOptions = {}): CheckReport {
  const violations: Violation[] = [];
  const budget = options.budgetMs ?? LONG_BUDGET;
  const config = options.config ?? {};
  let start = performance.now();
  let findings: Finding[] = [];
  try {
    const r = analyze(text, language, config);
    findings = r.findings;
    if (r.internalError) violations.push({ property: 'no-internal-error', detail: `analyze() reported internalError: ${r.internalError.slice(0, 300)}` });
  } catch (e) {
    violations.push({ property: 'no-throw', detail: `analyze() threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
  }
  const analyzeMs = performance.now() - start;
  if (analyzeMs > budget(text.length)) violations.push({ property: 'linear-time', detail: `analyze() took ${analyzeMs.toFixed(0)} ms on ${text.length} characters (budget ${budget(text.length).toFixed(0)} ms)` });
  violations.push(...checkFindings(text, language, findings, { fixParses: options.fixParses }));

  let fixMs = 0;
  if (options.fix !== false) {
    start = performance.now();
    try {
      const out = fixSource(text, language, config);
      fixMs = performance.now() - start;
      if (out.changed) {
        const before = parseErrors(text, language);
        const after = parseErrors(out.text, language);
        if (after > before && !budgetLimited(text, language) && !budgetLimited(out.text, language)) violations.push({ property: 'fixsource-parses', detail: `fixSource() produced ${after} parse errors, the original had ${before}` });
        if (!sameLiterals(text, out.text, language)) violations.push({ property: 'fixsource-keeps-literals', detail: `fixSource() changed a string or character literal (applied: ${out.applied.map((a) => `${a.rule}@${a.line}`).join(', ')})` });
        if (options.idempotent) {
          const again = fixSource(out.text, language, config);
          if (again.changed) violations.push({ property: 'fixsource-idempotent', detail: `a second fixSource() changed the text again (applied: ${again.applied.map((a) => `${a.rule}@${a.line}`).join(', ')})` });
        }
      }
    } catch (e) {
      fixMs = performance.now() - start;
      violations.push({ property: 'fixsource-no-throw', detail: `fixSource() threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
    }
    if (fixMs > 10 * budget(text.length)) violations.push({ property: 'linear-time', detail: `fixSource() took ${fixMs.toFixed(0)} ms on ${text.length} characters (budget ${(10 * budget(text.length)).toFixed(0)} ms)` });
  }
  return { violations, analyzeMs, fixMs, findings: findings.length };
}
