/**
 * The core's rules as ESLint rules: one ESLint rule per RULE_METAS entry, same id, same
 * message templates, same docs URL. A rule does no analysis of its own: it registers
 * itself on the file's VforklintSourceCode, and at the root node it reports the findings
 * of the one cached `analyze()` run that carry its id.
 *
 * Fixes: a finding's first safe fix (norace / noinline / exit: small, local edits) becomes
 * the ESLint fix that `eslint --fix` applies; the frame split, suppression comments and any
 * other fix become suggestions (offered by editors, never applied by `--fix`).
 */
import type { RuleDefinition, RuleTextEdit, RuleTextEditor, SourceLocation } from '@eslint/core';
import { RULE_METAS, type Finding, type Fix, type RuleMeta } from '../rules/index.js';
import type { VforklintSourceCode } from './source-code.js';

/** Fix kinds `eslint --fix` may apply on its own; everything else is a suggestion. */
const AUTOFIX_KINDS = new Set<Fix['kind']>(['norace', 'noinline', 'exit']);

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

interface MessageMatch {
  messageId: string;
  data: Record<string, string>;
}

/** ESLint's placeholder syntax, as its interpolate() reads it. */
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/gu;

function interpolate(template: string, data: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => (key in data ? data[key] : whole));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const templateCache = new Map<string, RegExp>();

function templatePattern(template: string): RegExp {
  let re = templateCache.get(template);
  if (!re) {
    let source = '^';
    let last = 0;
    const seen = new Map<string, string>();
    for (const m of template.matchAll(PLACEHOLDER)) {
      source += escapeRe(template.slice(last, m.index));
      const key = m[1];
      const group = seen.get(key);
      if (group) source += `\\k<${group}>`;
      else {
        const name = `g${seen.size}`;
        seen.set(key, name);
        source += `(?<${name}>[\\s\\S]*?)`;
      }
      last = m.index! + m[0].length;
    }
    source += `${escapeRe(template.slice(last))}$`;
    re = new RegExp(source, 'u');
    templateCache.set(template, re);
  }
  return re;
}

/**
 * Which of the rule's message templates produced `message`, with the data that fills it.
 * The match is accepted only if ESLint's interpolation of the template gives back exactly
 * `message`; otherwise the caller reports the text as it is.
 */
export function matchMessage(meta: RuleMeta, message: string): MessageMatch | undefined {
  for (const [messageId, template] of Object.entries(meta.messages)) {
    const m = templatePattern(template).exec(message);
    if (!m) continue;
    const keys = [...new Set([...template.matchAll(PLACEHOLDER)].map((p) => p[1]))];
    const data: Record<string, string> = {};
    keys.forEach((k, i) => (data[k] = m.groups?.[`g${i}`] ?? ''));
    if (interpolate(template, data) === message) return { messageId, data };
  }
  return undefined;
}

function editsFor(fix: Fix) {
  return (fixer: RuleTextEditor): RuleTextEdit[] => fix.edits.map((e) => fixer.replaceTextRange([e.start, e.end], e.newText));
}

export interface ReportDescriptor {
  loc: SourceLocation;
  messageId?: string;
  data?: Record<string, string>;
  message?: string;
  fix?: (fixer: RuleTextEditor) => RuleTextEdit[];
  suggest?: Array<{ desc: string; fix: (fixer: RuleTextEditor) => RuleTextEdit[] }>;
}

/** A finding as an ESLint report. Exported for tests. */
export function toReport(finding: Finding, meta: RuleMeta): ReportDescriptor {
  const loc = {
    start: { line: finding.range.start.line, column: finding.range.start.column },
    end: { line: finding.range.end.line, column: finding.range.end.column },
  };
  const matched = matchMessage(meta, finding.message);
  const report: ReportDescriptor = matched ? { loc, messageId: matched.messageId, data: matched.data } : { loc, message: finding.message };
  const usable = finding.fixes.filter((f) => f.edits.length > 0);
  const autofix = meta.fixable ? usable.find((f) => f.safe && AUTOFIX_KINDS.has(f.kind)) : undefined;
  if (autofix) report.fix = editsFor(autofix);
  if (offersSuggestions(meta)) {
    const suggestions = usable.filter((f) => f !== autofix);
    if (suggestions.length) report.suggest = suggestions.map((f) => ({ desc: f.title, fix: editsFor(f) }));
  }
  return report;
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

export function adaptCoreRule(meta: RuleMeta): CoreRuleDefinition {
  return {
    meta: {
      type: 'problem',
      docs: { description: meta.description, url: meta.docsUrl, recommended: meta.defaultSeverity !== 'off' },
      messages: meta.messages,
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
        const result = sourceCode.analysis();
        // File-level notes are said once per file, by the first enabled rule, never as a crash.
        const saysFileNotes = [...sourceCode.enabledRules][0] === meta.id;
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
            loc: { start: { line: n.range.start.line, column: n.range.start.column - 1 }, end: { line: n.range.end.line, column: n.range.end.column - 1 } },
            message: `${NOT_ANALYSED_PREFIX}${n.reason}.`,
          });
        }
      };
      return { translation_unit: run, source_file: run };
    },
  };
}

export const coreRules: Record<string, CoreRuleDefinition> = Object.fromEntries(RULE_METAS.map((meta) => [meta.id, adaptCoreRule(meta)]));
