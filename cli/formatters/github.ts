/** GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding. */
import { relative, sep } from 'node:path';
import type { FormatContext } from './common.js';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(ctx: FormatContext): string {
  let out = '';
  // Paths that could not be checked fail the job visibly, not only in the log.
  for (const p of ctx.problems) {
    const file = p.kind === 'unmatched' ? '' : `file=${escapeProperty((relative(ctx.cwd, p.absolutePath) || p.path).split(sep).join('/'))},`;
    out += `::${p.fatal ? 'error' : 'warning'} ${file}title=${escapeProperty('vforklint')}::${escapeData(p.message)}\n`;
  }
  for (const r of ctx.results) {
    const path = (relative(ctx.cwd, r.path) || r.path).split(sep).join('/');
    for (const f of r.findings) {
      const { start, end } = f.range;
      const props = [`file=${escapeProperty(path)}`, `line=${start.line}`, `endLine=${end.line}`, `col=${start.column}`];
      if (end.line === start.line) props.push(`endColumn=${end.column}`);
      props.push(`title=${escapeProperty(`vforklint (${f.rule})`)}`);
      out += `::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(f.message)}\n`;
    }
  }
  return out;
}
