/**
 * `--cache` / `--cache-location`: results of the files the analysis had to read, kept
 * between runs, as ESLint's cache (default file `.vforklintcache` in the working directory).
 *
 * A file's cached result is reused only while all of these are what they were when it was
 * recorded: the file's content (a hash: the key survives a fresh CI clone, unlike a
 * modification time), the configuration that applies to it, the vforklint version, and the
 * fingerprint of every piece of project knowledge the analysis read (a helper's summary in
 * another file: `AnalysisResult.projectReads`), so editing that helper re-checks this file.
 * The project index's summaries are kept too (keyed by content hash), so a second run over
 * an unchanged tree parses nothing new. Files with no fork spelling are never analysed and
 * need no entry. A cache file that cannot be read or makes no sense is one warning, then
 * ignored (and rewritten); nothing else is lost.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { AnalysisResult, Finding, NotAnalysed, VforklintConfig } from '../rules/index.js';

/** One piece of project knowledge a result read, with its fingerprint then. */
export type ProjectRead = NonNullable<AnalysisResult['projectReads']>[number];

export const DEFAULT_CACHE_FILE = '.vforklintcache';
const FORMAT = 1;

/** What a file's analysis said, as stored. */
export interface CachedOutcome {
  findings: Finding[];
  notAnalysed?: NotAnalysed[];
  projectNotes?: string[];
}

export interface CachedFile {
  /** Hash of the file's bytes. */
  hash: string;
  /** configKey() of the configuration and report options it was analysed with. */
  config: string;
  /** The project knowledge it read, with the fingerprints it had then. */
  reads: ProjectRead[];
  outcome: CachedOutcome;
}

interface CacheData {
  tool: 'vforklint';
  format: number;
  version: string;
  files: Record<string, CachedFile>;
  summaries?: unknown;
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** JSON with object keys sorted, so equal configurations give equal text. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The key of everything besides the text that decides a file's result: its configuration and the report options. */
export function configKey(config: VforklintConfig, extra: Record<string, unknown>): string {
  return createHash('sha1').update(stableJson({ config, extra })).digest('hex');
}

/**
 * The stored outcome when it is still valid for this text: same content hash, same
 * configuration key, and every project read still has its recorded fingerprint.
 */
export function reusable(entry: CachedFile | undefined, hash: string, config: string, fingerprint: (key: string) => string | undefined): CachedFile | undefined {
  if (!entry || entry.hash !== hash || entry.config !== config) return undefined;
  for (const r of entry.reads) if (fingerprint(r.key) !== r.fingerprint) return undefined;
  return entry;
}

/**
 * Where the cache lives, as ESLint decides: the default file in the working directory; a
 * location that is an existing directory, or ends with a path separator, is a directory
 * that holds a file named after a hash of the working directory; anything else is the file.
 */
export function cacheFilePath(cwd: string, location: string | undefined): string {
  const where = resolve(cwd, location ?? DEFAULT_CACHE_FILE);
  let isDir = location !== undefined && /[\\/]$/.test(location);
  if (!isDir) {
    try {
      isDir = statSync(where).isDirectory();
    } catch {
      isDir = false;
    }
  }
  return isDir ? join(where, `.cache_${createHash('sha1').update(cwd).digest('hex').slice(0, 12)}`) : where;
}

function isCachedFile(v: unknown): v is CachedFile {
  const e = v as CachedFile;
  return !!e && typeof e === 'object' && typeof e.hash === 'string' && typeof e.config === 'string' && Array.isArray(e.reads) && !!e.outcome && Array.isArray(e.outcome.findings);
}

export class ResultCache {
  private files = new Map<string, CachedFile>();
  /** The project index's summaries as last saved (`ProjectIndex.exportSummaries()`). */
  summaries: unknown;
  /** Files whose stored result was used, and files analysed afresh and stored, this run. */
  readonly stats = { reused: 0, analysed: 0 };

  private constructor(
    readonly path: string,
    readonly cwd: string,
    private readonly version: string,
  ) {}

  /** Read the cache file; a missing one is an empty cache, an unusable one a warning (then empty). */
  static load(path: string, cwd: string, version: string, warn: (message: string) => void): ResultCache {
    const cache = new ResultCache(path, cwd, version);
    let raw: string;
    try {
      raw = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') warn(`cannot read the cache ${relative(cwd, path) || path} (${code ?? (e as Error).message}); not using it`);
      return cache;
    }
    try {
      const data = JSON.parse(raw) as CacheData;
      if (!data || typeof data !== 'object' || data.tool !== 'vforklint' || typeof data.files !== 'object' || data.files === null) throw new Error('not a vforklint cache');
      // Another version or format: everything in it may be stale; start again quietly.
      if (data.format !== FORMAT || data.version !== version) return cache;
      for (const [file, entry] of Object.entries(data.files)) if (isCachedFile(entry)) cache.files.set(file, entry);
      cache.summaries = data.summaries;
    } catch (e) {
      warn(`the cache ${relative(cwd, path) || path} is not usable (${e instanceof SyntaxError ? 'not valid JSON' : e instanceof Error ? e.message : String(e)}); ignoring it`);
    }
    return cache;
  }

  private name(absPath: string): string {
    return relative(this.cwd, absPath).split(sep).join('/');
  }

  get(absPath: string): CachedFile | undefined {
    return this.files.get(this.name(absPath));
  }

  /** Record a file's new entry; `undefined` forgets it (not analysed, or failed). */
  set(absPath: string, entry: CachedFile | undefined, reused: boolean): void {
    if (entry) {
      this.files.set(this.name(absPath), entry);
      if (reused) this.stats.reused++;
      else this.stats.analysed++;
    } else this.files.delete(this.name(absPath));
  }

  /** Write the cache atomically (a temporary file renamed over it); a failure is a warning. */
  save(warn: (message: string) => void): void {
    const data: CacheData = { tool: 'vforklint', format: FORMAT, version: this.version, files: Object.fromEntries([...this.files].sort(([a], [b]) => (a < b ? -1 : 1))), ...(this.summaries !== undefined ? { summaries: this.summaries } : {}) };
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, JSON.stringify(data));
      renameSync(tmp, this.path);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing written
      }
      warn(`cannot write the cache ${relative(this.cwd, this.path) || this.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}
