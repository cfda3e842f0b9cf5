/**
 * The small fixes: `//go:norace` (missing-norace), `noinline` (inlinable-fork-frame),
 * `exit(` -> `_exit(` in child code, and for every finding the "disable for this line"
 * edit that writes the suppression comment the core honours.
 */
import type { LineIndex } from '../syntax.js';
import type { FileContext } from '../file-context.js';
import type { SyntaxNode } from '../parser.js';
import { field } from '../syntax.js';
import { insideLiteral, lex, type LexedText } from '../comments.js';
import type { Finding, Fix, Language } from '../types.js';
import { indentAt } from './layout.js';

/**
 * The "disable for this line" fix: `// vforklint-disable-next-line RULE` above the finding's
 * line, or the rule added to such a directive already there. None when the line starts
 * inside a literal (a Go raw string or a continued C string running onto it): the comment
 * would become part of the literal's data.
 */
export function suppressFix(text: string, finding: Finding, language: Language, lines?: LineIndex, lexed: LexedText = lex(text, language)): Fix | undefined {
  // The line index answers in O(log n); a backwards scan would cost a line's length per finding.
  const lineStart = lines ? lines.lineStart(finding.range.start.line) : text.lastIndexOf('\n', finding.range.start.offset - 1) + 1;
  if (insideLiteral(lexed.literals, lineStart)) return undefined;
  const indent = indentAt(text, lineStart + /^[ \t]*/.exec(text.slice(lineStart))![0].length);
  // A directive already above the line: add this rule to it (a second one would only cover the first).
  const prevStart = lineStart > 0 ? text.lastIndexOf('\n', lineStart - 2) + 1 : -1;
  const prev = prevStart >= 0 ? text.slice(prevStart, lineStart - 1) : '';
  const m = /^([ \t]*\/\/\s*vforklint-disable-next-line\b[ \t]*)([^\n]*?)([ \t]+--[^\n]*)?$/.exec(prev);
  // ... and only a real comment: the same text inside a raw string is data.
  const commentStart = m ? prevStart + prev.indexOf('//') : -1;
  if (m && m[2].trim() && lexed.comments.some((c) => c.start === commentStart)) {
    const rules = m[2].split(/[\s,]+/).filter(Boolean);
    if (!rules.includes(finding.rule)) {
      const at = prevStart + m[1].length + m[2].length;
      return { title: `Disable ${finding.rule} for this line`, kind: 'suppress', edits: [{ start: at, end: at, newText: `, ${finding.rule}` }], safe: false };
    }
  }
  return {
    title: `Disable ${finding.rule} for this line`,
    kind: 'suppress',
    edits: [{ start: lineStart, end: lineStart, newText: `${indent}// vforklint-disable-next-line ${finding.rule}\n` }],
    safe: false,
  };
}

/** The function declaration whose name the finding points at. */
function functionAt(file: FileContext, offset: number): SyntaxNode | undefined {
  let n: SyntaxNode | null = file.root.descendantForIndex(offset);
  while (n && !file.adapter.functionTypes.has(n.type)) n = n.parent;
  return n ?? undefined;
}

/** `//go:norace` directly above `func`, after any doc comment (gofmt wants a `//` line between doc text and directives). */
export function noraceFix(file: FileContext, finding: Finding): Fix | undefined {
  const fn = functionAt(file, finding.range.start.offset);
  if (!fn || fn.type === 'func_literal') return undefined;
  const comments = file.leadingComments(fn);
  const last = comments[0];
  const separator = last && !/^\/\/go:|^\/\/line |^\/\/export /.test(last.trim()) && /^\/\//.test(last.trim()) ? '//\n' : '';
  const lineStart = file.text.lastIndexOf('\n', fn.startIndex - 1) + 1;
  return {
    title: `Add //go:norace to \`${file.adapter.functionName(fn)}\``,
    kind: 'norace',
    edits: [{ start: lineStart, end: lineStart, newText: `${separator}//go:norace\n` }],
    safe: true,
  };
}

/** `__attribute__((noinline))` before the function's return type (after `static`/`inline`-less storage). */
export function noinlineFix(file: FileContext, finding: Finding): Fix | undefined {
  const fn = functionAt(file, finding.range.start.offset);
  if (!fn || fn.type !== 'function_definition') return undefined;
  const type = field(fn, 'type');
  if (!type) return undefined;
  if (/\binline\b/.test(file.text.slice(fn.startIndex, type.startIndex))) return undefined;
  return {
    title: `Mark \`${file.adapter.functionName(fn)}\` noinline`,
    kind: 'noinline',
    edits: [{ start: type.startIndex, end: type.startIndex, newText: '__attribute__((noinline)) ' }],
    safe: true,
  };
}

/** `exit(` -> `_exit(` for a call the child makes; adds `#include <unistd.h>` when missing. */
export function exitFix(file: FileContext, finding: Finding): Fix | undefined {
  if (file.adapter.language !== 'c') return undefined;
  const text = file.text;
  const at = finding.range.start.offset;
  const m = /^exit(\s*\()/.exec(text.slice(at, finding.range.end.offset));
  if (!m || /[\w.>]$/.test(text.slice(0, at))) return undefined;
  const edits = [{ start: at, end: at + 4, newText: '_exit' }];
  if (!/^[ \t]*#[ \t]*include[ \t]*<unistd\.h>/m.test(text)) {
    const includes = [...text.matchAll(/^[ \t]*#[ \t]*include[^\n]*\n/gm)];
    const pos = includes.length ? includes[includes.length - 1].index! + includes[includes.length - 1][0].length : 0;
    edits.push({ start: pos, end: pos, newText: '#include <unistd.h>\n' });
  }
  return { title: 'Use _exit: exit runs atexit handlers and flushes stdio buffers shared with the parent', kind: 'exit', edits, safe: true };
}
