/** Applying text edits (offsets into the original text). */
import type { TextEdit } from './types.js';

/** Apply non-overlapping edits; overlapping ones after the first are dropped. Returns the new text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos || e.start > text.length || e.end < e.start) continue;
    out += text.slice(pos, e.start) + e.newText;
    pos = Math.min(e.end, text.length);
  }
  return out + text.slice(pos);
}
