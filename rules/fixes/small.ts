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

/** Node types a statement may sit in directly, so that another statement can follow it. */
const STATEMENT_LISTS = new Set(['compound_statement', 'case_statement', 'block', 'statement_list', 'expression_case', 'default_case', 'communication_case', 'type_case', 'labeled_statement', 'translation_unit']);

/** The statement that consists of `call` alone (`execv(...);`, `(void) execv(...);`), if any. */
function statementOfCall(call: SyntaxNode): SyntaxNode | undefined {
  let n: SyntaxNode = call;
  for (let i = 0; i < 10 && n.parent; i++) {
    const p: SyntaxNode = n.parent;
    if (p.type === 'expression_statement') return p;
    if (p.type !== 'parenthesized_expression' && p.type !== 'cast_expression') return undefined;
    n = p;
  }
  return undefined;
}

/**
 * After an exec the child goes on to when it fails: insert `_exit(127);` (Go: the raw exit
 * loop of Go's own forkAndExecInChild). Safe when the statement sits in a block and the
 * code after it only returns (nothing the author meant to run on failure is skipped).
 */
export function exitAfterExecFix(file: FileContext, call: SyntaxNode, onlyReturnsFollow: boolean): Fix | undefined {
  const statement = statementOfCall(call);
  if (!statement) return undefined;
  const text = file.text;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', statement.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  let exit: string;
  if (file.adapter.language === 'c') {
    exit = '_exit(127);';
  } else {
    // Only the raw syscall the exec itself used is known to be in scope: `RawSyscall` or `syscall.RawSyscall`.
    const callee = file.adapter.calleeText(call) ?? '';
    const m = /^(?:(\w+)\.)?(?:RawSyscall6?|rawSyscall6?)$/.exec(callee);
    if (!m) return undefined;
    const q = m[1] ? `${m[1]}.` : '';
    const raw = callee.slice(q.length).startsWith('raw') ? 'rawSyscall' : 'RawSyscall';
    exit = `for {${newline}${indent}\t${q}${raw}(${q}SYS_EXIT, 253, 0, 0)${newline}${indent}}`;
  }
  const inList = !!statement.parent && STATEMENT_LISTS.has(statement.parent.type);
  // After a trailing comment on the exec's line, not before it (the comment stays with the exec).
  const lineEnd = text.slice(statement.endIndex).search(/\r?\n|$/) + statement.endIndex;
  const at = /^[ \t]*(?:\/\/[^\n]*|\/\*[^\n]*?\*\/[ \t]*)?$/.test(text.slice(statement.endIndex, lineEnd)) ? lineEnd : statement.endIndex;
  const edits = inList
    ? [{ start: at, end: at, newText: `${newline}${indent}${exit}` }]
    : [
        { start: statement.startIndex, end: statement.startIndex, newText: '{ ' },
        { start: statement.endIndex, end: statement.endIndex, newText: ` ${exit.replace(/\r?\n\s*/g, ' ')} }` },
      ];
  if (file.adapter.language === 'c' && !/^[ \t]*#[ \t]*include[ \t]*<unistd\.h>/m.test(text)) {
    const includes = [...text.matchAll(/^[ \t]*#[ \t]*include[^\n]*\n/gm)];
    const pos = includes.length ? includes[includes.length - 1].index! + includes[includes.length - 1][0].length : 0;
    edits.unshift({ start: pos, end: pos, newText: `#include <unistd.h>${newline}` });
  }
  const name = file.adapter.language === 'c' ? '`_exit(127);`' : 'a raw `SYS_EXIT` loop';
  return { title: `End the child with ${name} when the exec fails`, kind: 'exit', edits, safe: inList && onlyReturnsFollow };
}
