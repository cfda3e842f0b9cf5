/**
 * Findings to LSP: diagnostics, code actions and hovers. Only translation lives here;
 * every fact comes from the core's `AnalysisResult`.
 */
import { pathToFileURL } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CodeActionKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { docsUrl, suppressionFix, type AnalysisResult, type Finding, type ForkSiteInfo, type Language, type Range as CoreRange, type TextEdit as CoreEdit } from '../rules/index.js';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.vforklint`;
export const SOURCE = 'vforklint';

export function toLspRange(r: CoreRange): Range {
  return {
    start: { line: r.start.line - 1, character: r.start.column - 1 },
    end: { line: r.end.line - 1, character: r.end.column - 1 },
  };
}

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  const d: Diagnostic = {
    range: toLspRange(f.range),
    severity: f.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: f.rule,
    codeDescription: { href: docsUrl(f.rule) },
    source: SOURCE,
    message: f.message,
  };
  // The related locations (the fork first; a header's `#define` in its own file), then the
  // child's path (RULES section 9), each step a location of its own file; a step where a
  // related location already points is not repeated.
  const related = f.related.map((r) => ({ location: { uri: r.file === undefined ? uri : stepUri(r.file), range: toLspRange(r.range) }, message: r.message }));
  const at = (l: { uri: string; range: Range }) => `${l.uri}#${l.range.start.line}:${l.range.start.character}-${l.range.end.line}:${l.range.end.character}`;
  const seen = new Set(related.map((r) => at(r.location)));
  for (const s of f.steps) {
    const location = { uri: s.file === undefined ? uri : stepUri(s.file), range: toLspRange(s.range) };
    const key = at(location);
    if (seen.has(key)) continue;
    seen.add(key);
    related.push({ location, message: s.message });
  }
  if (related.length > 0) d.relatedInformation = related;
  return d;
}

/** A step's or related location's file as a URI: the host names files by URI or by path. */
function stepUri(file: string): string {
  return /^[a-z][a-z0-9+.-]+:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? file : pathToFileURL(file).href;
}

/** Every diagnostic of a result: the findings, then an Information note per part the analysis could not cover. */
export function diagnosticsOf(r: AnalysisResult, uri: string): Diagnostic[] {
  const out = r.findings.map((f) => toDiagnostic(f, uri));
  for (const n of r.notAnalysed ?? []) {
    out.push({ range: toLspRange(n.range), severity: DiagnosticSeverity.Information, code: 'not-analysed', source: SOURCE, message: `vforklint did not fully analyse this: ${n.reason}.` });
  }
  // What the project index assumed, or could not know (a partial index): said at the first fork site.
  const notes = (r as { projectNotes?: string[] }).projectNotes ?? [];
  const at = r.forkSites[0]?.range;
  for (const note of notes) {
    out.push({ range: at ? toLspRange(at) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, code: 'project-index', source: SOURCE, message: `vforklint: ${note}` });
  }
  return out;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export interface EditTarget {
  uri: string;
  version: number;
  /** Clients that accept `documentChanges` get versioned edits (rejected when stale). */
  documentChanges: boolean;
}

export function coreEditsToLsp(snapshot: TextDocument, edits: CoreEdit[]): TextEdit[] {
  return edits.map((e) => ({ range: { start: snapshot.positionAt(e.start), end: snapshot.positionAt(e.end) }, newText: e.newText }));
}

export function workspaceEdit(target: EditTarget, edits: TextEdit[]): WorkspaceEdit {
  if (target.documentChanges) {
    return { documentChanges: [{ textDocument: { uri: target.uri, version: target.version }, edits }] };
  }
  return { changes: { [target.uri]: edits } };
}

/** The smallest single edit that turns `before` into `after` (common prefix and suffix kept). */
export function minimalEdit(before: string, after: string): CoreEdit {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return { start, end: endBefore, newText: after.slice(start, endAfter) };
}

function kindAllowed(kind: string, only: string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export interface ActionOptions {
  only?: string[];
  disabledSupport: boolean;
  /** The document's language (the suppression fix reads its comments and literals). */
  language?: Language;
}

/** The quick fixes for the findings that touch `range`. */
export function quickFixes(result: AnalysisResult, snapshot: TextDocument, target: EditTarget, range: Range, opts: ActionOptions): CodeAction[] {
  if (!kindAllowed(CodeActionKind.QuickFix, opts.only)) return [];
  const actions: CodeAction[] = [];
  const text = snapshot.getText();
  for (const f of result.findings) {
    const diag = toDiagnostic(f, target.uri);
    if (!rangesOverlap(diag.range, range)) continue;
    for (const fix of f.fixes) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        isPreferred: fix.kind === 'split' || fix.safe,
        edit: workspaceEdit(target, coreEditsToLsp(snapshot, fix.edits)),
      });
    }
    if (f.fixDeclined && opts.disabledSupport) {
      actions.push({ title: `Split the fork frame (${f.rule})`, kind: CodeActionKind.QuickFix, diagnostics: [diag], disabled: { reason: f.fixDeclined } });
    }
    // Cached results carry no fixes: the core's suppression fix, computed here (none where it would edit a literal).
    const suppress = !f.fixes.some((x) => x.kind === 'suppress') && f.rule !== 'unused-disable-directive' ? suppressionFix(text, f, opts.language ?? 'c') : undefined;
    if (suppress) {
      actions.push({
        title: suppress.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        edit: workspaceEdit(target, coreEditsToLsp(snapshot, suppress.edits)),
      });
    }
  }
  return actions;
}

export function fixAllAction(before: string, after: string, target: EditTarget, only: string[] | undefined): CodeAction | undefined {
  if (!only || !only.some((o) => FIX_ALL_KIND === o || FIX_ALL_KIND.startsWith(`${o}.`))) return undefined;
  if (before === after) return undefined;
  return { title: 'Fix all vforklint problems', kind: FIX_ALL_KIND, edit: fixAllEdit(before, after, target) };
}

export function fixAllEdit(before: string, after: string, target: EditTarget): WorkspaceEdit {
  const e = minimalEdit(before, after);
  // Positions are computed on the text before the edit.
  const toPos = (offset: number): Position => {
    const head = before.slice(0, offset);
    const line = (head.match(/\n/g) ?? []).length;
    return { line, character: offset - (head.lastIndexOf('\n') + 1) };
  };
  return workspaceEdit(target, [{ range: { start: toPos(e.start), end: toPos(e.end) }, newText: e.newText }]);
}

/** "3-7, 12" from [3,4,5,6,7,12]. */
export function lineList(lines: number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.length ? parts.join(', ') : 'none';
}

const KIND_TEXT: Record<ForkSiteInfo['kind'], string> = {
  vfork: 'vfork: the compiler knows it returns twice; child and parent share this frame until exec or _exit',
  raw: 'raw vfork-style clone (CLONE_VM|CLONE_VFORK): the compiler does not know it returns twice, so child and parent share this frame and its stack slots',
  concurrent: 'CLONE_VM without CLONE_VFORK on this stack: parent and child run at the same time on one stack',
  'clone-fn': 'clone(fn, ...) with CLONE_VM: the child runs fn on its own stack, sharing memory',
};

function contains(r: CoreRange, offset: number): boolean {
  return r.start.offset <= offset && offset <= r.end.offset;
}

export function hoverAt(result: AnalysisResult, offset: number): Hover | undefined {
  const parts: string[] = [];
  let range: Range | undefined;
  for (const site of result.forkSites) {
    if (!contains(site.range, offset)) continue;
    range ??= toLspRange(site.range);
    parts.push(
      [
        `**vforklint: \`${site.kind}\` fork site** in \`${site.functionName}\``,
        '',
        KIND_TEXT[site.kind],
        '',
        `- runs in the child only: lines ${lineList(site.childLines)}`,
        `- runs in the parent only: lines ${lineList(site.parentLines)}`,
        `- runs in both (before the result is tested): lines ${lineList(site.bothLines)}`,
      ].join('\n'),
    );
  }
  for (const f of result.findings) {
    if (f.fixDeclined && contains(f.range, offset)) {
      range ??= toLspRange(f.range);
      parts.push(`**vforklint (${f.rule})**: the frame split is not offered here: ${f.fixDeclined}`);
    }
  }
  if (parts.length === 0) return undefined;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
}
