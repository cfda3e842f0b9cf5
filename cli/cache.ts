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
 *
 * A run over a tree where nothing changed is replayed (`replay`): the last run's list of
 * files, each one's configuration key and outcome, and the content hash of every file it
 * linted or its project index could read (`contents`) say that every result holds, so
 * nothing is analysed, no worker starts and neither the analysis core nor tree-sitter
 * loads. Whether a file's content is still the hashed one is decided from its `stat`
 * first (size, modification and change times, inode: recorded beside the hash), only as a
 * shortcut: when they differ (a fresh clone, a `touch`), the content is read and hashed
 * again, and the hash decides.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { AnalysisResult, Finding, Language, NotAnalysed, VforklintConfig } from '../rules/index.js';
import type { DiscoveryRecord } from './discover.js';
import type { FileResult } from './lint-file.js';
import { listProjectFilesStamped, MAX_LISTED_FILES, sourceDirEntries, type StampedListing } from './project-files.js';

/** One piece of project knowledge a result read, with its fingerprint then. */
export type ProjectRead = NonNullable<AnalysisResult['projectReads']>[number];

export const DEFAULT_CACHE_FILE = '.vforklintcache';
const FORMAT = 2;

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

/**
 * What a file's content was: its hash, and the size, modification time, change time (ms)
 * and inode it had when hashed, by which its `stat` says it is unchanged. A file changed
 * within RACY_MS of the run that stamped it has size -1 (racily clean, as git says: its
 * stat could miss a change made in the same timestamp tick): it is hashed again next time.
 */
export type ContentStamp = [hash: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, ...rest: number[]];

/**
 * A stamp as stored, with the file's part in the last run: -1 when it was only one of a
 * project root's files, else `2 * k + s`, k the index of its configuration key in
 * `LastRun.keys` and s 1 when it has an entry in `files` (0: nothing to report).
 */
type StoredStamp = [hash: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, run: number];

/** What the last run linted is in `contents`; here, what it shares. */
interface LastRun {
  /** The configuration keys (`resultKey`) of the files it linted. */
  keys: string[];
  /** Each project root its files used (cwd-relative): the root's source files and directories (project-files.ts). */
  roots: Record<string, StampedListing>;
}

interface CacheData {
  tool: 'vforklint';
  format: number;
  version: string;
  files: Record<string, CachedFile>;
  summaries?: unknown;
  /** Every file the last run linted or indexed, cwd-relative. */
  contents?: Record<string, StoredStamp>;
  lastRun?: LastRun;
  /** The last walk of the tree, to replay while no directory it read changed (discover.ts). */
  discovery?: DiscoveryRecord;
}

/**
 * A file changed less than this long before a run may change again within the same
 * timestamp tick (coarse file systems count whole seconds): its stat is not recorded.
 */
const RACY_MS = 2000;

/** A linted file as the replay and the record see it: its language, the key of its configuration and its project root (absent: no index). */
export interface PlannedFile {
  path: string;
  language: Language;
  key: string;
  root?: string;
}

/**
 * Each file's plan: its configuration key (the same as the linter's, `resultKey`) and project
 * root (`rootOf`; absent: the index is off), computed once per directory.
 */
export function planFiles(files: ReadonlyArray<{ path: string; language: Language }>, configFor: (dir: string) => VforklintConfig, keepFixes: boolean, rootOf: ((dir: string) => string) | undefined, cwd: string): PlannedFile[] {
  const byDir = new Map<string, { key: string; root?: string }>();
  // configFor may answer with one object for many directories: one key each (a hash of its JSON).
  const keys = new Map<VforklintConfig, Map<string | undefined, string>>();
  const keyOf = (config: VforklintConfig, root: string | undefined) => {
    let byRoot = keys.get(config);
    if (!byRoot) keys.set(config, (byRoot = new Map()));
    let key = byRoot.get(root);
    if (key === undefined) byRoot.set(root, (key = resultKey(config, keepFixes, root, cwd)));
    return key;
  };
  return files.map((f) => {
    const cut = f.path.lastIndexOf(sep);
    // dirname's answer, without its cost, for any file not directly under a file system root.
    const dir = cut > 0 && f.path.lastIndexOf(sep, cut - 1) >= 0 ? f.path.slice(0, cut) : dirname(f.path);
    let d = byDir.get(dir);
    if (!d) {
      const root = rootOf?.(dir);
      byDir.set(dir, (d = { key: keyOf(configFor(dir), root), ...(root !== undefined ? { root } : {}) }));
    }
    return { path: f.path, language: f.language, ...d };
  });
}

/** The stamps taken before a run that is not replayed: the project roots' listings (the files' stamps stay in the cache). */
export interface RunSnapshot {
  roots: Map<string, StampedListing>;
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
 * The key of a file's configuration, report options and project root (named relative to
 * the working directory, so a moved tree keeps its cache; absent: the index is off).
 */
export function resultKey(config: VforklintConfig, keepFixes: boolean, projectRoot: string | undefined, cwd: string): string {
  return configKey(config, { keepFixes, projectRoot: projectRoot === undefined ? null : relative(cwd, projectRoot) });
}

/** Steps and related locations in other files are stored root-relative; the formatters take absolute paths (as FileResult.path). */
export function withAbsoluteSteps(findings: Finding[], root: string | undefined): Finding[] {
  const elsewhere = (f: Finding) => f.steps.some((s) => s.file !== undefined) || f.related.some((r) => r.file !== undefined);
  if (!root || !findings.some(elsewhere)) return findings;
  const absolute = <T extends { file?: string }>(x: T): T => (x.file === undefined ? x : { ...x, file: join(root, x.file) });
  return findings.map((f) => (elsewhere(f) ? { ...f, steps: f.steps.map(absolute), related: f.related.map(absolute) } : f));
}

/** The result of a file whose stored entry holds (`text`: its text, needed only when it has findings). */
export function cachedResult(path: string, language: Language, projectRoot: string | undefined, entry: CachedFile, text: () => string): FileResult {
  const o = entry.outcome;
  return { path, language, parsed: true, findings: withAbsoluteSteps(o.findings, projectRoot), ...(o.notAnalysed ? { notAnalysed: o.notAnalysed } : {}), ...(o.projectNotes?.length ? { projectNotes: o.projectNotes } : {}), text: o.findings.length ? text() : undefined, cacheEntry: entry, fromCache: true };
}

/** A stored stamp as read back (checked where it is used: the file is large, most stamps are looked at once). */
const isStored = (v: unknown): v is StoredStamp => Array.isArray(v) && v.length === 6 && typeof v[0] === 'string';

/** A file's stamp from its stat and hash; size -1 when it changed too recently (RACY_MS) to trust its stat next time. */
function stampFrom(hash: string, st: Stats, racyAfter: number): ContentStamp {
  return st.mtimeMs < racyAfter && st.ctimeMs < racyAfter ? [hash, st.size, st.mtimeMs, st.ctimeMs, st.ino] : [hash, -1, 0, 0, 0];
}

const sameStat = (s: StoredStamp, st: Stats): boolean => s[1] === st.size && s[2] === st.mtimeMs && s[3] === st.ctimeMs && s[4] === st.ino;
const sameStamp = (a: ContentStamp, b: ContentStamp): boolean => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4];

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
  /** The content stamps as loaded (a file read back as is: looked up, not copied), and as taken this run (null: not a readable file). */
  private stored: Record<string, StoredStamp> = Object.create(null) as Record<string, StoredStamp>;
  private readonly fresh = new Map<string, ContentStamp | null>();
  private lastRun?: LastRun;
  private walk?: DiscoveryRecord;
  /** Something to write: the last run's record or a stamp changed (a replay that changed nothing writes nothing). */
  private dirty = false;
  /** Stamps taken after this moment are racy (RACY_MS before the run started). */
  private readonly racyAfter = Date.now() - RACY_MS;
  /**
   * Files whose stored result was used, and files analysed afresh and stored, this run; and
   * the work of deciding whether contents changed (a counter, no clock): files found
   * unchanged by their stat alone, files read to be hashed; `replayed` when the whole run was,
   * `walkReplayed` when the walk of the tree was (discover.ts).
   */
  readonly stats = { reused: 0, analysed: 0, statHits: 0, hashed: 0, replayed: false, walkReplayed: false };

  /** The working directory with a trailing separator: names of paths under it are a slice. */
  private readonly under: string;

  private constructor(
    readonly path: string,
    readonly cwd: string,
    private readonly version: string,
  ) {
    this.under = cwd.endsWith(sep) ? cwd : cwd + sep;
  }

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
      if (data.discovery && typeof data.discovery === 'object' && typeof data.discovery.key === 'string' && Array.isArray(data.discovery.files)) cache.walk = data.discovery;
      const run = data.lastRun;
      if (data.contents && typeof data.contents === 'object' && run && Array.isArray(run.keys) && typeof run.roots === 'object' && run.roots) {
        // Used as parsed (names end in .c, .h or .go: never an Object.prototype key; copying 10,000s costs).
        cache.stored = data.contents;
        cache.lastRun = run;
      }
    } catch (e) {
      warn(`the cache ${relative(cwd, path) || path} is not usable (${e instanceof SyntaxError ? 'not valid JSON' : e instanceof Error ? e.message : String(e)}); ignoring it`);
    }
    return cache;
  }

  private name(absPath: string): string {
    const rel = absPath.startsWith(this.under) && !absPath.includes(`${sep}..`) ? absPath.slice(this.under.length) : relative(this.cwd, absPath);
    return sep === '/' ? rel : rel.split(sep).join('/');
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

  private storedStamp(name: string): StoredStamp | undefined {
    const s = this.stored[name];
    return isStored(s) ? s : undefined;
  }

  /**
   * The file's content stamp now (once per run): the stored one when its stat says the file is
   * unchanged, else the hash of what it holds now (null: not a readable file).
   */
  private stampOf(absPath: string, name = this.name(absPath)): ContentStamp | null {
    const known = this.fresh.get(name);
    if (known !== undefined) return known;
    let stamp: ContentStamp | null = null;
    const st = statSync(absPath, { throwIfNoEntry: false });
    const stored = this.storedStamp(name);
    if (st?.isFile()) {
      if (stored && sameStat(stored, st)) {
        this.stats.statHits++;
        stamp = stored;
      } else {
        try {
          stamp = stampFrom(contentHash(readFileSync(absPath)), st, this.racyAfter);
          this.stats.hashed++;
        } catch {
          stamp = null;
        }
      }
    }
    if (!stamp || !stored || !sameStamp(stamp, stored)) this.dirty = true;
    this.fresh.set(name, stamp);
    return stamp;
  }

  /** Is the file's content the one its stored stamp hashed? */
  private unchanged(absPath: string, name: string, stored: StoredStamp | undefined): boolean {
    const now = stored && this.stampOf(absPath, name);
    return !!now && now[0] === stored![0];
  }

  /**
   * The last run's results again, when they all hold: every file was linted by the last run
   * with the same configuration key and has the same content, and every project root they
   * used has the same source files with the same contents (so every summary, fingerprint and
   * fork wrapper they rest on is what it was). Undefined when anything differs (then lint).
   * Reads only the files with findings (the formatters print their lines).
   */
  replay(plan: readonly PlannedFile[]): FileResult[] | undefined {
    const run = this.lastRun;
    if (!run) return undefined;
    const out: FileResult[] = [];
    const roots = new Set<string>();
    let reused = 0;
    for (const f of plan) {
      const name = this.name(f.path);
      const stored = this.storedStamp(name);
      const part = stored ? stored[5] : -1;
      if (part < 0 || run.keys[part >> 1] !== f.key || !this.unchanged(f.path, name, stored)) return undefined;
      if (f.root !== undefined) roots.add(f.root);
      if ((part & 1) === 0) {
        out.push({ path: f.path, language: f.language, findings: [], parsed: false });
        continue;
      }
      const entry = this.files.get(name);
      if (!entry || entry.config !== f.key || entry.hash !== stored![0]) return undefined;
      reused++;
      out.push(cachedResult(f.path, f.language, f.root, entry, () => readFileSync(f.path, 'utf8')));
    }
    for (const root of roots) {
      const rootName = this.name(root);
      const listing = run.roots[rootName || '.'];
      if (!listing || !listingHolds(root, listing)) return undefined;
      const prefix = rootName ? `${rootName}/` : '';
      for (const rel of listing.files) {
        const name = prefix + rel;
        const stored = this.storedStamp(name);
        const now = this.fresh.get(name); // most were linted, so stamped above
        if (now !== undefined ? !now || !stored || now[0] !== stored[0] : !this.unchanged(join(root, rel), name, stored)) return undefined;
      }
    }
    this.stats.reused += reused;
    this.stats.replayed = true;
    return out;
  }

  /**
   * Before a run that is not replayed: the stamps of every file it will lint and of every
   * source file of the project roots it uses, taken before the analysis reads them (a file
   * changed during the run then differs from its stamp next time, and is linted again).
   */
  snapshot(plan: readonly PlannedFile[]): RunSnapshot {
    for (const f of plan) this.stampOf(f.path);
    const roots = new Map<string, StampedListing>();
    for (const f of plan) {
      if (f.root === undefined || roots.has(f.root)) continue;
      const listing = listProjectFilesStamped(f.root, this.racyAfter);
      roots.set(f.root, listing);
      for (const rel of listing.files) this.stampOf(join(f.root, rel));
    }
    return { roots };
  }

  /** After that run: what the next run needs to replay it (results in the plan's order). */
  recordRun(plan: readonly PlannedFile[], results: readonly FileResult[], snap: RunSnapshot): void {
    const contents: Record<string, StoredStamp> = Object.create(null) as Record<string, StoredStamp>;
    const keys = new Map<string, number>();
    const keep = (name: string, part: number) => {
      const s = this.fresh.get(name);
      if (s) contents[name] = [s[0], s[1], s[2], s[3], s[4], part];
      return s;
    };
    const roots: LastRun['roots'] = {};
    for (const [root, listing] of snap.roots) {
      roots[this.name(root) || '.'] = listing;
      for (const rel of listing.files) keep(this.name(join(root, rel)), -1);
    }
    plan.forEach((f, i) => {
      const r = results[i];
      const name = this.name(f.path);
      const s = this.fresh.get(name);
      // A failure, or a file that changed between its stamp and its analysis, is not replayed.
      const replayable = !!r && r.path === f.path && !r.error && !!s && (!r.cacheEntry || r.cacheEntry.hash === s[0]);
      let k = keys.get(f.key);
      if (replayable && k === undefined) keys.set(f.key, (k = keys.size));
      keep(name, replayable ? 2 * k! + (r!.cacheEntry ? 1 : 0) : -1);
    });
    this.stored = contents;
    this.lastRun = { keys: [...keys.keys()], roots };
    this.dirty = true;
  }

  /** The last walk of the tree (discover.ts replays it while nothing it read changed). */
  get discovery(): DiscoveryRecord | undefined {
    return this.walk;
  }

  /** This run walked the tree: its record replaces the last (undefined: it cannot be replayed). */
  set discovery(record: DiscoveryRecord | undefined) {
    this.walk = record;
    this.dirty = true;
  }

  /** The walk was replayed from `discovery`. */
  walkReplayed(): void {
    this.stats.walkReplayed = true;
  }

  /** Whether save() has anything to write (a replay that found every stamp as stored has not). */
  get changed(): boolean {
    return this.dirty;
  }

  /** Write the cache atomically (a temporary file renamed over it); a failure is a warning. */
  save(warn: (message: string) => void): void {
    // After a replay, stamps taken afresh (a touched file, a fresh clone) replace their stored stat.
    if (this.stats.replayed) for (const [name, s] of this.fresh) {
      const old = this.storedStamp(name);
      if (s && old && s !== old) this.stored[name] = [s[0], s[1], s[2], s[3], s[4], old[5]];
    }
    const data: CacheData = {
      tool: 'vforklint',
      format: FORMAT,
      version: this.version,
      files: Object.fromEntries([...this.files].sort(([a], [b]) => (a < b ? -1 : 1))),
      ...(this.summaries !== undefined ? { summaries: this.summaries } : {}),
      ...(this.lastRun ? { contents: this.stored, lastRun: this.lastRun } : {}),
      ...(this.walk ? { discovery: this.walk } : {}),
    };
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

/**
 * Does a root still hold the source files listed? Yes when every directory listed has its
 * stamp (a directory's stat changes when an entry is added, removed or renamed in it); a
 * directory whose stamp differs (the cache file written beside the sources, say) is read
 * again and must hold the same source files and subdirectories.
 */
function listingHolds(root: string, listing: StampedListing): boolean {
  if (listing.files.length >= MAX_LISTED_FILES) return false;
  const changed = new Set<string>();
  for (const [dir, stamp] of Object.entries(listing.dirs)) {
    const st = statSync(dir ? join(root, dir) : root, { throwIfNoEntry: false });
    if (!st || !stamp || st.mtimeMs !== stamp[0] || st.ctimeMs !== stamp[1] || st.ino !== stamp[2]) changed.add(dir);
  }
  if (changed.size === 0) return true;
  const parent = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  const was = new Map<string, string[]>([...changed].map((d) => [d, []]));
  for (const f of listing.files) was.get(parent(f))?.push(f);
  for (const d of Object.keys(listing.dirs)) if (d) was.get(parent(d))?.push(`${d}/`);
  for (const dir of changed) {
    const now = sourceDirEntries(root, dir);
    if (!now) return false;
    const names = [...now.files, ...now.dirs.map((d) => `${d}/`)].sort();
    if (names.join('\0') !== was.get(dir)!.sort().join('\0')) return false;
  }
  return true;
}
