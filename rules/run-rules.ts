/** Run the enabled rules on one fork site's analysis and turn their reports into findings. */
import { RULE_MODULES, resolveSeverity } from './registry.js';
import { formatMessage } from './rule-kit.js';
import type { SiteAnalysis } from './site-analysis.js';
import { rangeOfNode } from './syntax.js';
import { stepsFor } from './steps.js';
import type { Finding, RuleId, VforklintConfig } from './types.js';

/** Append the findings of every enabled rule (or only those in `only`) that applies to the site. */
export function runRules(analysis: SiteAnalysis, config: VforklintConfig, out: Finding[], only?: ReadonlySet<RuleId>): void {
  const language = analysis.file.adapter.language;
  for (const rule of RULE_MODULES) {
    const meta = rule.meta;
    if (only && !only.has(meta.id)) continue;
    if (!meta.languages.includes(language) || !meta.forkKinds.includes(analysis.site.kind)) continue;
    const severity = resolveSeverity(meta.id, config);
    if (severity === 'off') continue;
    rule.check(analysis, (r) => {
      const template = meta.messages[r.messageId];
      if (template === undefined) throw new Error(`rule ${meta.id} reported an unknown messageId '${r.messageId}'`);
      out.push({
        rule: meta.id,
        messageId: r.messageId,
        ...(r.data ? { data: r.data } : {}),
        severity: severity === 'warning' ? 'warning' : r.severity ?? severity,
        message: formatMessage(template, r.data),
        range: rangeOfNode(r.node),
        // A finding at a macro use also points at the `#define` (RULES section 3, "Macros").
        related: [...(r.related ?? []), ...analysis.macroRelatedAt(r.node)],
        fixes: r.fixes ?? [],
        steps: stepsFor(analysis, meta.id, r),
        ...(r.fixDeclined ? { fixDeclined: r.fixDeclined } : {}),
      });
    });
  }
}
