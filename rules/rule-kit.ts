/** The shape every rule module has (modelled on ESLint's rule modules: `meta` + one check). */
import type { SiteAnalysis } from './site-analysis.js';
import type { SyntaxNode } from './parser.js';
import type { FindingStep, Fix, ForkKind, Language, RelatedLocation, RuleId, Severity } from './types.js';

export const DOCS_BASE = 'https://github.com/vforklint/vforklint/blob/main/docs/rules/';

export interface RuleMeta {
  id: RuleId;
  /** One line, for --list-rules, SARIF shortDescription and ESLint docs.description. */
  description: string;
  defaultSeverity: Severity;
  languages: Language[];
  /** Which fork kinds the rule looks at. */
  forkKinds: ForkKind[];
  docsUrl: string;
  /** Message templates by id; `{{name}}` placeholders are filled from the report's data. */
  messages: Record<string, string>;
  /** Has fixes applied by --fix (`code`) or only offered as suggestions. */
  fixable: boolean;
  hasSuggestions: boolean;
}

export interface RuleReport {
  messageId: string;
  data?: Record<string, string>;
  node: SyntaxNode;
  /** Report a narrower range than `node` (e.g. a function's name). */
  related?: RelatedLocation[];
  /** A lower severity for this report (unknown callees are warnings). */
  severity?: 'error' | 'warning';
  fixes?: Fix[];
  fixDeclined?: string;
  /** The child's path to the hazard (RULES section 9). */
  steps?: FindingStep[];
}

export interface RuleModule {
  meta: RuleMeta;
  check(site: SiteAnalysis, report: (r: RuleReport) => void): void;
}

export function docsUrl(id: RuleId): string {
  return `${DOCS_BASE}${id}.md`;
}

export function formatMessage(template: string, data: Record<string, string> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => data[k] ?? `{{${k}}}`);
}

export function lineOf(node: SyntaxNode): string {
  return String(node.startPosition.row + 1);
}
