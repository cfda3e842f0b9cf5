/**
 * Real C has #if/#ifdef inside functions, and an unbalanced branch can break the parse.
 * These masks blank directive lines (and, in some variants, whole branches) with spaces,
 * keeping every offset and line, so a function the parser lost can be found again.
 */

export type MaskVariant = 'directives' | 'first-branch' | 'else-branch';

export function maskPreprocessor(text: string, variant: MaskVariant): string {
  const lines = text.split('\n');
  const out: string[] = [];
  // Per open #if: which branch we are in (0 = first), whether it has an #else, whether we keep this branch.
  const stack: Array<{ branch: number; keep: boolean; hasElse: boolean }> = [];
  const elseOf = variant === 'else-branch' ? findElses(lines) : new Set<number>();
  let continuation = false;
  const blank = (l: string) => l.replace(/[^\t]/g, ' ');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const isDirective: boolean = continuation || /^\s*#/.test(line);
    const cont = /\\\s*$/.test(line);
    if (isDirective && !continuation) {
      const d = /^\s*#\s*(\w+)/.exec(line)?.[1] ?? '';
      if (d === 'if' || d === 'ifdef' || d === 'ifndef') {
        const hasElse = elseOf.has(i);
        stack.push({ branch: 0, keep: variant !== 'else-branch' || !hasElse, hasElse });
      } else if (d === 'elif' || d === 'else') {
        const top = stack[stack.length - 1];
        if (top) {
          top.branch++;
          top.keep = variant === 'directives' || (variant === 'else-branch' && d === 'else');
        }
      } else if (d === 'endif') {
        stack.pop();
      }
    }
    continuation = isDirective && cont;
    const dropped = stack.some((s) => !s.keep);
    out.push(isDirective || dropped ? blank(line) : line);
  }
  return out.join('\n');
}

/** Line numbers of #if lines whose block has an #else (at the same depth). */
function findElses(lines: string[]): Set<number> {
  const out = new Set<number>();
  const open: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const d = /^\s*#\s*(\w+)/.exec(lines[i])?.[1];
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') open.push(i);
    else if (d === 'else' && open.length) out.add(open[open.length - 1]);
    else if (d === 'endif') open.pop();
  }
  return out;
}

/** Go: the cgo preamble (the comment right above `import "C"`) as C text at the same offsets. */
export function cgoPreamble(text: string): string | undefined {
  const imp = /^import\s+"C"\s*$/m.exec(text);
  if (!imp) return undefined;
  const before = text.slice(0, imp.index);
  const chars: string[] = Array.from({ length: text.length }, (_, i) => (text[i] === '\n' ? '\n' : ' '));
  const block = /\/\*([\s\S]*?)\*\/\s*$/.exec(before);
  if (block) {
    const start = block.index + 2;
    for (let i = start; i < start + block[1].length; i++) chars[i] = text[i];
    return chars.join('');
  }
  // Consecutive `//` lines directly above the import.
  const lines = before.split('\n');
  let offset = before.length;
  let found = false;
  for (let li = lines.length - 2; li >= 0; li--) {
    const l = lines[li];
    offset -= l.length + 1;
    const m = /^(\s*)\/\/(.*)$/.exec(l);
    if (!m) break;
    found = true;
    const contentStart = offset + m[1].length + 2;
    for (let i = 0; i < m[2].length; i++) chars[contentStart + i] = m[2][i];
  }
  return found ? chars.join('') : undefined;
}
