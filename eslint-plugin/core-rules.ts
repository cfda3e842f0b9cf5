/**
 * The core's rules as ESLint rules: one ESLint rule per RULE_METAS entry, same id, same
 * message templates, same docs URL. A rule does no analysis of its own: it registers
 * itself on the file's VforklintSourceCode, and at the root node it reports the findings
 * of the one cached `analyze()` run that carry its id.
 *
 * Fixes: a finding's first safe fix other than the frame split (norace / noinline / exit,
 * removing an unused vforklint-disable comment: small, local edits) becomes the ESLint fix
 * that `eslint --fix` applies; the frame split, added suppression comments and any other
 * fix become suggestions (offered by editors, never applied by `--fix`).
 */
import type { RuleDefinition, RuleTextEdit, RuleTextEditor, SourceLocation } from '@eslint/core';
import { PATH_RULE_IDS, RULE_METAS, stepChain, type Finding, type Fix, type RuleMeta } from '../rules/index.js';
import type { VforklintSourceCode } from './source-code.js';
import { projectOptionFor, projectSettings } from './project.js';

/**
 * Whether the ESLint rule offers suggestions: the core's own flag (the frame split), or any
 * rule that reports at a fork site, since the core attaches a "disable for this line"
 * (`// vforklint-disable-next-line <rule>`) fix to every such finding, and a suggestion
 * is the only way ESLint can offer it. (`unused-disable-directive` reports comments, not
 * fork sites.)
 */
export function offersSuggestions(meta: RuleMeta): boolean {
  return meta.hasSuggestions || meta.forkKinds.length > 0;
}

/** The ESLint languages a core rule runs on. C rules also run on Go files: cgo preambles are analysed as C. */
export function eslintLanguagesFor(meta: RuleMeta): string[] {
  const out = new Set<string>();
  for (const l of meta.languages) {
    out.add(`vforklint/${l}`);
    if (l === 'c') out.add('vforklint/go');
  }
  return [...out].sort();
}

function editsFor(fix: Fix) {
  return (fixer: RuleTextEditor): RuleTextEdit[] => fix.edits.map((e) => fixer.replaceTextRange([e.start, e.end], e.newText));
}

export interface ReportDescriptor {
  loc: SourceLocation;
  messageId: string;
  data: Record<string, string>;
  fix?: (fixer: RuleTextEditor) => RuleTextEdit[];
  suggest?: Array<{ desc: string; fix: (fixer: RuleTextEditor) => RuleTextEdit[] }>;
}

/** A finding as an ESLint report. Exported for tests. */
export function toReport(finding: Finding, meta: RuleMeta): ReportDescriptor {
  const loc = {
    start: { line: finding.range.start.line, column: finding.range.start.column },
    end: { line: finding.range.end.line, column: finding.range.end.column },
  };
  // ESLint fills the rule's template (the core's own, with the `{{path}}` suffix: eslintMessages)
  // with the finding's data, plus the short chain of its steps and the steps themselves as JSON.
  const data: Record<string, string> = { ...finding.data, steps: JSON.stringify(finding.steps) };
  if (PATH_RULE_IDS.has(finding.rule)) data[PATH_PLACEHOLDER] = stepChain(finding.steps);
  const report: ReportDescriptor = { loc, messageId: finding.messageId, data };
  const usable = finding.fixes.filter((f) => f.edits.length > 0);
  // `eslint --fix` applies small local edits only: never the frame split, whatever its flag.
  const autofix = meta.fixable ? usable.find((f) => f.safe && f.kind !== 'split') : undefined;
  if (autofix) report.fix = editsFor(autofix);
  if (offersSuggestions(meta)) {
    const suggestions = usable.filter((f) => f !== autofix);
    if (suggestions.length) report.suggest = suggestions.map((f) => ({ desc: f.title, fix: editsFor(f) }));
  }
  return report;
}

/** The data key of the chain of steps the ESLint message templates end with. */
export const PATH_PLACEHOLDER = 'path';

/**
 * The core's templates, those of path rules with the chain of steps after them
 * (` (path: line 8 → 11 → 12)`): the messageId stays the core's, and a report's data fills
 * both. Site findings carry the site only, so their templates are the core's unchanged.
 */
export function eslintMessages(meta: RuleMeta): Record<string, string> {
  if (!PATH_RULE_IDS.has(meta.id)) return meta.messages;
  return Object.fromEntries(Object.entries(meta.messages).map(([id, template]) => [id, `${template}{{${PATH_PLACEHOLDER}}}`]));
}

type CoreRuleDefinition = RuleDefinition<{
  LangOptions: Record<string, unknown>;
  Code: VforklintSourceCode;
  RuleOptions: [];
  Visitor: Record<string, (...args: unknown[]) => void>;
  Node: unknown;
  MessageIds: string;
  ExtRuleDocs: Record<string, unknown>;
}>;

function isVforklintSourceCode(sc: unknown): sc is VforklintSourceCode {
  return !!sc && typeof (sc as VforklintSourceCode).enableRule === 'function' && typeof (sc as VforklintSourceCode).analysis === 'function';
}

/** The start of the message for a part of a file the analysis could not cover. */
export const NOT_ANALYSED_PREFIX = 'vforklint did not fully analyse this: ';

/** The start of the message for what the project index assumed or could not know (RULES section 8). */
export const PROJECT_NOTE_PREFIX = 'vforklint project index: ';

export function adaptCoreRule(meta: RuleMeta): CoreRuleDefinition {
  return {
    meta: {
      type: 'problem',
      docs: { description: meta.description, url: meta.docsUrl, recommended: meta.defaultSeverity !== 'off' },
      messages: eslintMessages(meta),
      schema: [],
      ...(meta.fixable ? { fixable: 'code' as const } : {}),
      ...(offersSuggestions(meta) ? { hasSuggestions: true } : {}),
      languages: eslintLanguagesFor(meta),
    },
    create(context): Record<string, (...args: unknown[]) => void> {
      const sourceCode = context.sourceCode as unknown;
      if (!isVforklintSourceCode(sourceCode)) return {};
      sourceCode.enableRule(meta.id);
      const run = () => {
        // File-level notes are said once per file, by the first enabled rule, never as a crash.
        const saysFileNotes = [...sourceCode.enabledRules][0] === meta.id;
        const cwd = context.cwd ?? process.cwd();
        const settings = projectSettings(context.settings, cwd);
        const result = sourceCode.analysis(projectOptionFor(sourceCode.path, settings));
        const fileNote = (message: string) => context.report({ loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, message });
        if (saysFileNotes) for (const problem of settings.problems) fileNote(`vforklint: ${problem}.`);
        if (result.internalError) {
          if (saysFileNotes) {
            context.report({
              loc: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
              message: `vforklint could not analyse this file (internal error: ${result.internalError}); please report it.`,
            });
          }
          return;
        }
        for (const finding of result.findings) {
          if (finding.rule === meta.id) context.report(toReport(finding, meta) as Parameters<typeof context.report>[0]);
        }
        // Parts the analysis could not cover.
        for (const n of saysFileNotes ? (result.notAnalysed ?? []) : []) {
          context.report({
            // The language counts columns from 1 (columnStart), as the core does: no shift.
            loc: { start: { line: n.range.start.line, column: n.range.start.column }, end: { line: n.range.end.line, column: n.range.end.column } },
            message: `${NOT_ANALYSED_PREFIX}${n.reason}.`,
          });
        }
        // What the project index assumed (a name defined in several files) or could not know.
        const site = result.forkSites[0]?.range;
        for (const note of saysFileNotes ? (result.projectNotes ?? []) : []) {
          if (!site) fileNote(`${PROJECT_NOTE_PREFIX}${note}`);
          else context.report({ loc: { start: { line: site.start.line, column: site.start.column }, end: { line: site.end.line, column: site.end.column } }, message: `${PROJECT_NOTE_PREFIX}${note}` });
        }
      };
      return { translation_unit: run, source_file: run };
    },
  };
}

export const coreRules: Record<string, CoreRuleDefinition> = Object.fromEntries(RULE_METAS.map((meta) => [meta.id, adaptCoreRule(meta)]));
