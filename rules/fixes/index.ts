/**
 * Fixes attached to findings. Called once per fork site after the rules ran, with the
 * findings that site produced; fills `finding.fixes` (text edits on the original text)
 * and, where a fix was considered but is unsafe, `finding.fixDeclined`.
 */
import type { SiteAnalysis } from '../site-analysis.js';
import type { Finding } from '../types.js';

export function attachFixes(site: SiteAnalysis, findings: Finding[]): void {
  void site;
  void findings;
}
