/**
 * Per-function result cache for callers that analyse the same file again and again (the
 * language server, on every keystroke). A function's findings depend on its own text,
 * the comments and attributes just above it, the same-file functions it refers to
 * (followed calls, a clone child), a few file-wide declarations and the configuration:
 * all of that makes the key. Positions are stored relative to the function and rebased.
 * Cached findings carry no fixes: ask `analyze` without a cache for those.
 */
import { createHash } from 'node:crypto';
import { readOnlyParameterSignature } from './effects/const-params.js';
import type { FileContext } from './file-context.js';
import type { SyntaxNode } from './parser.js';
import type { LineIndex } from './syntax.js';
import type { Finding, FindingStep, ForkSiteInfo, Range, VforklintConfig } from './types.js';

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
  findings: Array<Omit<Finding, 'range' | 'related' | 'fixes' | 'fixDeclined' | 'steps'> & { range: RelRange; related: Array<{ range: RelRange; message: string }>; steps: CachedStep[] }>;
  forkSites: Array<Omit<ForkSiteInfo, 'range' | 'childLines' | 'parentLines' | 'bothLines'> & { range: RelRange; childLines: number[]; parentLines: number[]; bothLines: number[] }>;
}

/** A step in the analysed file is stored relative to the function; one in another file as it is. */
type CachedStep = { message: string; range: RelRange } | FindingStep & { file: string };

export function createAnalysisCache(limit = 2000): AnalysisCache {
  return { entries: new Map(), limit };
}

const HEADER_CHARS = 400;
const WORD = /[A-Za-z_]\w*/g;

/** Names a line starting in column 0 introduces as a call or definition: a superset of the file's functions. */
function definitionCandidates(file: FileContext): Set<string> {
  const cached = file.memo.get('definition-candidates') as Set<string> | undefined;
  if (cached) return cached;
  const out = new Set<string>();
  const re = file.adapter.language === 'go' ? /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/gm : /^(?!#)[^\n;(]*?\b([A-Za-z_]\w*)\s*\(/gm;
  for (const m of file.text.matchAll(re)) out.add(m[1]);
  file.memo.set('definition-candidates', out);
  return out;
}

/** The same-file functions `fn` refers to, transitively (a few levels), in a stable order. */
function referencedFunctions(file: FileContext, fn: SyntaxNode): SyntaxNode[] {
  const candidates = definitionCandidates(file);
  const out: SyntaxNode[] = [];
  const seen = new Set<number>([fn.startIndex]);
  let frontier = [fn];
  for (let depth = 0; depth < 4 && frontier.length; depth++) {
    const next: SyntaxNode[] = [];
    for (const f of frontier) {
      const names = new Set(f.text.match(WORD) ?? []);
      for (const name of names) {
        if (!candidates.has(name)) continue;
        const def = file.functionNamed(name);
        if (!def || seen.has(def.startIndex)) continue;
        seen.add(def.startIndex);
        out.push(def);
        next.push(def);
      }
    }
    frontier = next;
  }
  return out;
}

export function cacheKey(file: FileContext, fn: SyntaxNode, config: VforklintConfig): string {
  const text = file.text;
  const parts = [
    // Messages name lines ("the parent reads it at line 41"): a function that moved lines is recomputed.
    String(fn.startPosition.row),
    file.adapter.language,
    JSON.stringify(config),
    text.slice(Math.max(0, fn.startIndex - HEADER_CHARS), fn.startIndex),
    fn.text,
    [...file.declaredNoReturn].sort().join(','),
    // Prototypes anywhere in the file say which parameters only read (effects/const-params.ts).
    readOnlyParameterSignature(file),
  ];
  for (const r of referencedFunctions(file, fn)) {
    parts.push(`${r.startIndex - fn.startIndex}:${text.slice(Math.max(0, r.startIndex - HEADER_CHARS), r.startIndex)}${r.text}`);
  }
  // A digest keeps the cache small: the parts themselves can be whole functions.
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\u0001');
  return h.digest('base64');
}

export function lookup(cache: AnalysisCache, key: string): CachedFunction | undefined {
  const hit = cache.entries.get(key);
  if (hit) {
    cache.entries.delete(key);
    cache.entries.set(key, hit);
  }
  return hit;
}

export function store(cache: AnalysisCache, key: string, fn: SyntaxNode, findings: Finding[], forkSites: ForkSiteInfo[]): void {
  const base = fn.startIndex;
  const baseLine = fn.startPosition.row + 1;
  const rel = (r: Range): RelRange => ({ start: r.start.offset - base, end: r.end.offset - base });
  cache.entries.set(key, {
    findings: findings.map((f) => ({
      rule: f.rule,
      messageId: f.messageId,
      ...(f.data ? { data: f.data } : {}),
      severity: f.severity,
      message: f.message,
      range: rel(f.range),
      related: f.related.map((x) => ({ range: rel(x.range), message: x.message })),
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
      related: f.related.map((x) => ({ range: abs(x.range), message: x.message })),
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
