/**
 * Per-function result cache for callers that analyse the same file again and again (the
 * language server, on every keystroke). A result is stored under a key made of the
 * function's own text, the comments and attributes just above it, its line, the language
 * and the configuration; beside it, what its analysis read elsewhere in the file
 * (read-log.ts): the same-file functions it followed at any depth, the declarations and
 * attributes it consulted (`noreturn`, `noinline`, `const` parameters of a prototype), the
 * macros it looked up or expanded. A stored result is used only when every one of those
 * reads gives what it gave then. Positions are stored relative to the function and rebased.
 * Cached findings carry no fixes: ask `analyze` without a cache for those.
 */
import { createHash } from 'node:crypto';
import { readOnlyParameterPositions } from './effects/const-params.js';
import type { FileContext } from './file-context.js';
import { passThroughMacrosOf } from './flow/pass-through.js';
import type { SyntaxNode } from './parser.js';
import type { Read } from './read-log.js';
import type { LineIndex } from './syntax.js';
import type { Finding, FindingStep, ForkSiteInfo, Range, RelatedLocation, VforklintConfig } from './types.js';

export interface AnalysisCache {
  readonly entries: Map<string, CachedFunction>;
  /** Most entries kept (least recently used go first). */
  readonly limit: number;
}

interface RelRange {
  start: number;
  end: number;
}

export interface CachedFunction {
  findings: Array<Omit<Finding, 'range' | 'related' | 'fixes' | 'fixDeclined' | 'steps'> & { range: RelRange; related: CachedStep[]; steps: CachedStep[] }>;
  forkSites: Array<Omit<ForkSiteInfo, 'range' | 'childLines' | 'parentLines' | 'bothLines'> & { range: RelRange; childLines: number[]; parentLines: number[]; bothLines: number[] }>;
  /** What the analysis read outside the function, each with what it gave (see `readValue`). */
  reads: Array<{ read: Read; value: string }>;
}

/** A step or related location in the analysed file is stored relative to the function; one in another file as it is. */
type CachedStep = { message: string; range: RelRange } | FindingStep & { file: string };

export function createAnalysisCache(limit = 2000): AnalysisCache {
  return { entries: new Map(), limit };
}

const HEADER_CHARS = 400;

/** The text just above a node (comments, attributes, a `noinline` on the line before). */
function header(file: FileContext, node: SyntaxNode): string {
  return file.text.slice(Math.max(0, node.startIndex - HEADER_CHARS), node.startIndex);
}

/** The key a function's result is stored under: what it is, not what it read. */
export function cacheKey(file: FileContext, fn: SyntaxNode, config: VforklintConfig): string {
  const parts = [
    // Messages name lines ("the parent reads it at line 41"): a function that moved lines is recomputed.
    String(fn.startPosition.row),
    file.adapter.language,
    JSON.stringify(config),
    header(file, fn),
    fn.text,
  ];
  // A digest keeps the cache small: the parts themselves can be whole functions.
  return digest(parts);
}

function digest(parts: string[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\u0001');
  return h.digest('base64');
}

/**
 * What one read gives in `file` now, for the function `fn` (positions are kept relative to
 * it: a related location at a `#define`, a followed function's place).
 */
export function readValue(file: FileContext, fn: SyntaxNode, read: Read): string {
  switch (read.kind) {
    case 'function': {
      const def = file.findFunction(read.name);
      return def ? digest([String(def.startIndex - fn.startIndex), header(file, def), def.text]) : '-';
    }
    case 'noreturn':
      return file.declaredNoReturn.has(read.name) ? '1' : '0';
    case 'noinline':
      return file.isDeclaredNoinline(read.name) ? '1' : '0';
    case 'const-params':
      return [...readOnlyParameterPositions(file, read.name)].join('.');
    case 'pass-through':
      return [...passThroughMacrosOf(file)].sort().join(',');
    case 'macro': {
      const table = file.mayBeMacro(read.name) ? file.macros : undefined;
      if (!table?.has(read.name)) return '-';
      const l = table.lookup(read.name);
      const defs = l.kind === 'macro' ? [l.definition] : l.kind === 'not-expandable' ? l.definitions : [];
      // Each definition as written and where it is (findings point at it), and the names that can change its meaning at a point.
      return digest([l.kind, l.kind === 'not-expandable' ? l.reason : '', table.epochAt(fn.startIndex), ...defs.map((d) => `${d.location.file ?? ''}:${d.location.range.start.offset - fn.startIndex}:${(d.params ?? ['<object>']).join(',')}:${d.body}`)]);
    }
  }
}

/** The stored result for `key`, if everything its analysis read still reads the same in `file`. */
export function lookup(cache: AnalysisCache, key: string, file: FileContext, fn: SyntaxNode): CachedFunction | undefined {
  const hit = cache.entries.get(key);
  if (!hit) return undefined;
  if (!hit.reads.every((r) => readValue(file, fn, r.read) === r.value)) {
    cache.entries.delete(key);
    return undefined;
  }
  cache.entries.delete(key);
  cache.entries.set(key, hit);
  return hit;
}

export function store(cache: AnalysisCache, key: string, fn: SyntaxNode, findings: Finding[], forkSites: ForkSiteInfo[], reads: Read[], file: FileContext): void {
  const base = fn.startIndex;
  const baseLine = fn.startPosition.row + 1;
  const rel = (r: Range): RelRange => ({ start: r.start.offset - base, end: r.end.offset - base });
  cache.entries.set(key, {
    reads: reads.map((read) => ({ read, value: readValue(file, fn, read) })),
    findings: findings.map((f) => ({
      rule: f.rule,
      messageId: f.messageId,
      ...(f.data ? { data: f.data } : {}),
      severity: f.severity,
      message: f.message,
      range: rel(f.range),
      related: f.related.map((x): CachedStep => (x.file === undefined ? { range: rel(x.range), message: x.message } : { range: x.range, message: x.message, file: x.file })),
      steps: f.steps.map((x): CachedStep => (x.file === undefined ? { message: x.message, range: rel(x.range) } : { ...x, file: x.file })),
    })),
    forkSites: forkSites.map((s) => ({
      kind: s.kind,
      functionName: s.functionName,
      range: rel(s.range),
      childLines: s.childLines.map((l) => l - baseLine),
      parentLines: s.parentLines.map((l) => l - baseLine),
      bothLines: s.bothLines.map((l) => l - baseLine),
    })),
  });
  while (cache.entries.size > cache.limit) cache.entries.delete(cache.entries.keys().next().value as string);
}

export function rebase(entry: CachedFunction, fn: SyntaxNode, lines: LineIndex): { findings: Finding[]; forkSites: ForkSiteInfo[] } {
  const base = fn.startIndex;
  const baseLine = fn.startPosition.row + 1;
  const abs = (r: RelRange): Range => lines.range(base + r.start, base + r.end);
  return {
    findings: entry.findings.map((f) => ({
      ...f,
      range: abs(f.range),
      related: f.related.map((x): RelatedLocation => ('file' in x ? x : { range: abs(x.range), message: x.message })),
      fixes: [],
      steps: f.steps.map((x): FindingStep => ('file' in x ? x : { message: x.message, range: abs(x.range) })),
    })),
    forkSites: entry.forkSites.map((s) => ({
      kind: s.kind,
      range: abs(s.range),
      functionName: s.functionName,
      childLines: s.childLines.map((l) => l + baseLine),
      parentLines: s.parentLines.map((l) => l + baseLine),
      bothLines: s.bothLines.map((l) => l + baseLine),
    })),
  };
}
