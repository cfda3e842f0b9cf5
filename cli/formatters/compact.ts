/** ESLint's compact format: one line per finding, then the problem count. */
import { relative } from 'node:path';
import { countResults, plural, type FormatContext } from './common.js';

export function formatCompact(ctx: FormatContext): string {
  let out = '';
  for (const r of ctx.results) {
    const path = relative(ctx.cwd, r.path) || r.path;
    for (const f of r.findings) {
      out += `${path}: line ${f.range.start.line}, col ${f.range.start.column}, ${f.severity === 'error' ? 'Error' : 'Warning'} - ${f.message} (${f.rule})\n`;
    }
  }
  const c = countResults(ctx.results);
  const total = c.errors + c.warnings;
  return total ? `${out}\n${plural(total, 'problem')}\n` : out;
}
