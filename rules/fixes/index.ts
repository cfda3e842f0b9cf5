/**
 * Fixes attached to findings. Called once per fork site after the rules ran, with the
 * findings that site produced; fills `finding.fixes` (text edits on the original text)
 * and, where a fix was considered but is unsafe, `finding.fixDeclined`.
 */
import type { SiteAnalysis } from '../site-analysis.js';
import type { Finding, Fix } from '../types.js';
import { Decline } from './regions.js';
import { exitFix, noinlineFix, noraceFix, suppressFix } from './small.js';
import { splitFrame } from './split.js';

export { splitFrame } from './split.js';

/** The split for a site, once: a fix, or the one-line reason it is declined. */
function splitFor(site: SiteAnalysis): { fix?: Fix; reason?: string } {
  try {
    const s = splitFrame(site);
    return { fix: { title: s.title, kind: 'split', edits: s.edits, safe: false } };
  } catch (e) {
    if (e instanceof Decline) return { reason: e.message };
    return { reason: `the split failed on this input (${e instanceof Error ? e.message : String(e)})` };
  }
}

export function attachFixes(site: SiteAnalysis, findings: Finding[]): void {
  let split: { fix?: Fix; reason?: string } | undefined;
  for (const f of findings) {
    const fixes: Fix[] = [...f.fixes];
    if (f.rule === 'parent-reuses-frame') {
      split ??= splitFor(site);
      if (split.fix) fixes.push(split.fix);
      else f.fixDeclined = `Frame split declined: ${split.reason}`;
    }
    const small = f.rule === 'missing-norace' ? noraceFix(site.file, f) : f.rule === 'inlinable-fork-frame' ? noinlineFix(site.file, f) : f.rule === 'child-unsafe-call' ? exitFix(site.file, f) : undefined;
    if (small) fixes.push(small);
    fixes.push(suppressFix(site.file.text, f));
    f.fixes = fixes;
  }
}
