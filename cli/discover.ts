/**
 * File discovery: walk directories for the wanted extensions, honouring .gitignore files
 * (the start directory's ancestors up to the repository root, and every directory below),
 * an --ignore-path file and config `ignorePatterns`; follow symbolic links but report
 * loops; report unreadable entries and keep going.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import ignoreModule from 'ignore';
import type { Ignore } from 'ignore';
import type { Language } from '../rules/index.js';
import { isIgnoredBy } from '../config/index.js';
import type { ConfigResolver } from './config.js';
import { UsageError } from './errors.js';
import { noteDirectoryEntries, noteRootMarkers, type DirStamp } from './project-files.js';
import { ROOT_MARKERS } from '../rules/project/root.js';

const ROOT_MARKER_NAMES = new Set<string>(ROOT_MARKERS);

const createIgnore = ignoreModule as unknown as (o?: object) => Ignore;

export interface SourceFile {
  /** Absolute path. */
  path: string;
  language: Language;
}

/**
 * What went wrong with a path: `unreadable` (cannot be read or is not a file or directory),
 * `unmatched` (an argument that named nothing to check: missing, no C or Go files, or all
 * of them ignored; the message then names the argument, in ESLint's words), `ignored` (a
 * file named on the command line that an ignore source excludes, or that is not C or Go),
 * `link` (a symbolic link loop or a broken link met while walking).
 */
export type ProblemKind = 'unreadable' | 'unmatched' | 'ignored' | 'link';

export interface DiscoveryProblem {
  /** The argument as given, or the path met while walking. */
  path: string;
  /** Absolute path, for the machine-readable reports. */
  absolutePath: string;
  message: string;
  kind: ProblemKind;
  /** Fatal problems (unreadable, unmatched) make the exit code 2 and the run incomplete; warnings do not. */
  fatal: boolean;
}

/** ESLint's messages (its Error messages, single quotes) for arguments that named nothing to check. */
export const noFilesMessage = (arg: string): string => `No files matching the pattern '${arg}' were found.`;
export const allIgnoredMessage = (arg: string): string => `All files matched by '${arg}' are ignored.`;
export const IGNORED_FILE_MESSAGE = 'File ignored because of a matching ignore pattern. Use "--no-ignore" to disable file ignore settings or use "--no-warn-ignored" to suppress this warning.';

export interface DiscoveryOptions {
  cwd: string;
  /** Extensions with their dot, lower case. */
  extensions: string[];
  /** False with --no-ignore: no .gitignore, --ignore-path, ignorePatterns or default ignores. */
  useIgnore: boolean;
  ignorePath?: string;
  configs: ConfigResolver;
  /** Warn about files named on the command line that are ignored (ESLint's --no-warn-ignored turns it off). */
  warnIgnored: boolean;
  /** An argument that names nothing to check is an error (ESLint's --no-error-on-unmatched-pattern turns it off). */
  errorOnUnmatchedPattern: boolean;
  /** Keep what a later run needs to replay this walk (`record()`; --cache). */
  record?: boolean;
}

/**
 * What a walk can be replayed from, while nothing it read changed (cache.ts keeps it; paths
 * relative to the working directory). Made only by a walk of directory arguments that met
 * no problem and no symbolic link other than links to files it passes by (entrySignature).
 */
export interface DiscoveryRecord {
  /** The arguments and options the walk was made with. */
  key: string;
  /**
   * Each directory walked (`w`), and each one above a start directory up to the repository
   * root (`a`): its stamp before it was read (0: changed too recently to trust it), and the
   * signature of the entries the walk looks at (`entrySignature`).
   */
  dirs: Record<string, [stamp: DirStamp | 0, signature: string, kind: 'w' | 'a']>;
  /** The .gitignore files read: size, modification and change times, inode (size -1: changed too recently to trust), and a hash of the text (which decides when the stat differs). */
  ignoreFiles: Record<string, [number, number, number, number, string]>;
  /** The directories the walk found ignored (not entered). */
  ignoredDirs: string[];
  /** The configuration's ignorePatterns of every directory walked or ignored. */
  patterns: string;
  /** The files found, in order. */
  files: string[];
}

/** What one argument's walk or glob met: wanted files (checked now or by an earlier argument) and ignored entries. */
interface ArgumentTally {
  matched: number;
  ignored: number;
  failed: number;
}

interface IgnoreLayer {
  base: string;
  ig: Ignore;
}

/** Directories never entered unless --no-ignore. `.git` is never entered at all. */
const DEFAULT_IGNORED_DIRS = new Set(['node_modules']);

export function languageForExtension(ext: string): Language {
  return ext.toLowerCase() === '.go' ? 'go' : 'c';
}

function errCode(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${reason(err.code)}` : String((e as Error).message ?? e);
}

function reason(code: string): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return 'cannot read';
  }
}

function under(base: string, path: string): string | null {
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep + sep)) return null;
  if (/^[a-zA-Z]:/.test(rel)) return null;
  return rel.split(sep).join('/');
}

function readIgnoreFile(path: string, onText?: (text: string) => void): Ignore | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  onText?.(text);
  return createIgnore({ allowRelativePaths: true }).add(text);
}

const textHash = (text: string): string => createHash('sha1').update(text).digest('hex');

function gitRoot(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/** A directory's stamp, when it changed long enough ago (2 s, as cache.ts) for its stat to show the next change. */
function dirStamp(st: Stats, racyAfter: number): DirStamp | 0 {
  return st.mtimeMs < racyAfter && st.ctimeMs < racyAfter ? [st.mtimeMs, st.ctimeMs, st.ino] : 0;
}

/**
 * The entries of a directory (`dir`) a walk looks at: subdirectories, files with a wanted
 * extension, `.gitignore`, and the project root markers (`.git`, ...), with their types,
 * and the symbolic links to files of other names (`l:`; the walk passes them by while they
 * lead to a file, which a replay checks: a link's target may change with no trace in the
 * directory). Undefined when it holds any other symbolic link.
 */
function entrySignature(dir: string, entries: readonly Dirent[], wanted: (name: string) => boolean): string | undefined {
  const out: string[] = [];
  for (const e of entries) {
    if (e.isSymbolicLink()) {
      if (e.name === '.gitignore' || ROOT_MARKER_NAMES.has(e.name) || wanted(e.name) || !leadsToFile(join(dir, e.name))) return undefined;
      out.push(`l:${e.name}`);
    } else if (e.isDirectory()) out.push(`d:${e.name}`);
    else if (e.name === '.gitignore' || ROOT_MARKER_NAMES.has(e.name) || (e.isFile() && wanted(e.name))) out.push(`${e.isFile() ? 'f' : 'o'}:${e.name}`);
  }
  return out.sort().join('/');
}

/** Does this symbolic link lead to a file (not a directory, not broken)? */
function leadsToFile(link: string): boolean {
  try {
    return statSync(link, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** Do the symbolic links a directory's signature names (`l:`) all still lead to files? */
function linksLeadToFiles(dir: string, signature: string): boolean {
  return !signature.includes('l:') || signature.split('/').every((e) => !e.startsWith('l:') || leadsToFile(join(dir, e.slice(2))));
}

/** What a walk reads above a start directory: whether it holds `.git` and `.gitignore`. */
function ancestorSignature(dir: string): string {
  return ['.git', '.gitignore'].filter((n) => existsSync(join(dir, n))).join('/');
}

export class Discovery {
  readonly files: SourceFile[] = [];
  readonly problems: DiscoveryProblem[] = [];
  private readonly seenFiles = new Set<string>();
  private readonly seenDirs = new Set<string>();
  private readonly gitignoreCache = new Map<string, Ignore | null>();
  private readonly ignorePathLayer: IgnoreLayer | null;
  /** While recording (options.record): what the walk read, or null once it met what cannot be replayed. */
  private recording: Pick<DiscoveryRecord, 'dirs' | 'ignoreFiles' | 'ignoredDirs'> | null = null;
  private readonly racyAfter = Date.now() - 2000;

  constructor(private readonly opts: DiscoveryOptions) {
    if (opts.ignorePath) {
      const p = resolve(opts.cwd, opts.ignorePath);
      let text: string;
      try {
        text = readFileSync(p, 'utf8');
      } catch (e) {
        throw new UsageError(`--ignore-path ${opts.ignorePath}: cannot read (${errCode(e)})`);
      }
      this.ignorePathLayer = opts.useIgnore ? { base: opts.cwd, ig: createIgnore({ allowRelativePaths: true }).add(text) } : null;
    } else this.ignorePathLayer = null;
    if (opts.record) this.recording = { dirs: {}, ignoreFiles: {}, ignoredDirs: [] };
  }

  private name(path: string): string {
    return relative(this.opts.cwd, path).split(sep).join('/');
  }

  /** The key of a walk: the arguments and every option it reads. */
  private walkKey(args: readonly string[]): string {
    const o = this.opts;
    return JSON.stringify([o.cwd, args, o.extensions, o.useIgnore, o.ignorePath ?? null, o.warnIgnored, o.errorOnUnmatchedPattern]);
  }

  /** The ignorePatterns of these directories, as one comparable string. */
  private patternsKey(dirs: readonly string[]): string {
    const ids = new Map<unknown, number>();
    const per = dirs.map((d) => {
      const p = this.opts.configs.forDirectory(d).ignorePatterns;
      let id = ids.get(p);
      if (id === undefined) ids.set(p, (id = ids.size));
      return id;
    });
    return JSON.stringify([[...ids.keys()], per]);
  }

  /** What a later run needs to replay this walk of `args`; undefined when it cannot be replayed. */
  record(args: readonly string[]): DiscoveryRecord | undefined {
    const r = this.recording;
    if (!r || this.problems.length) return undefined;
    const walked = Object.entries(r.dirs).filter(([, d]) => d[2] === 'w').map(([n]) => resolve(this.opts.cwd, n));
    const patterns = this.patternsKey([...walked, ...r.ignoredDirs.map((n) => resolve(this.opts.cwd, n))]);
    return { key: this.walkKey(args), dirs: r.dirs, ignoreFiles: r.ignoreFiles, ignoredDirs: r.ignoredDirs, patterns, files: this.files.map((f) => this.name(f.path)) };
  }

  /**
   * The walk of `args` as recorded, when nothing it read changed: every directory has its
   * stamp, or holds the same entries (read again); every .gitignore its stamp; every
   * directory its ignorePatterns. True when the files were taken from the record.
   */
  replay(args: readonly string[], rec: DiscoveryRecord | undefined): boolean {
    if (!rec || rec.key !== this.walkKey(args) || this.files.length) return false;
    const cwd = this.opts.cwd;
    const walked: string[] = [];
    for (const [name, [stamp, signature, kind]] of Object.entries(rec.dirs)) {
      const dir = resolve(cwd, name);
      const st = statSync(dir, { throwIfNoEntry: false });
      if (!st?.isDirectory()) return false;
      if (kind === 'w') {
        walked.push(dir);
        // The root markers it holds, as the walk would have told the root rule.
        noteRootMarkers(dir, new Set(signature.split('/').map((e) => e.slice(2))));
      }
      if (stamp && st.mtimeMs === stamp[0] && st.ctimeMs === stamp[1] && st.ino === stamp[2]) {
        if (kind === 'a' || linksLeadToFiles(dir, signature)) continue;
        return false;
      }
      let now: string | undefined;
      try {
        now = kind === 'a' ? ancestorSignature(dir) : entrySignature(dir, readdirSync(dir, { withFileTypes: true }), (n) => this.wantedName(n));
      } catch {
        return false;
      }
      if (now !== signature) return false;
    }
    for (const [name, s] of Object.entries(rec.ignoreFiles)) {
      const file = resolve(cwd, name);
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st) return false;
      if (st.size === s[0] && st.mtimeMs === s[1] && st.ctimeMs === s[2] && st.ino === s[3]) continue;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return false;
      }
      if (textHash(text) !== s[4]) return false;
    }
    // The directories the walk ignored count too (a configuration file in one may un-ignore it).
    if (this.patternsKey([...walked, ...rec.ignoredDirs.map((n) => resolve(cwd, n))]) !== rec.patterns) return false;
    const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
    const files = rec.files.map((n) => {
      const path = n.startsWith('..') || sep !== '/' ? resolve(cwd, n) : prefix + n;
      // languageForExtension(extname(n)), without extname's cost (`.go` alone is a name with no extension).
      const go = n.length > 3 && n[n.length - 4] !== '/' && n.slice(-3).toLowerCase() === '.go';
      return { path, language: go ? ('go' as const) : ('c' as const) };
    });
    this.files.push(...files);
    return true;
  }

  private gitignoreOf(dir: string): Ignore | null {
    if (this.gitignoreCache.has(dir)) return this.gitignoreCache.get(dir)!;
    const file = join(dir, '.gitignore');
    // Stamped before it is read (a stat changed too recently to trust has size -1); a missing one is in its directory's signature.
    const st = this.recording ? statSync(file, { throwIfNoEntry: false }) : undefined;
    const ig = readIgnoreFile(file, (text) => {
      if (!this.recording) return;
      const trusted = st && st.mtimeMs < this.racyAfter && st.ctimeMs < this.racyAfter;
      this.recording.ignoreFiles[this.name(file)] = st && trusted ? [st.size, st.mtimeMs, st.ctimeMs, st.ino, textHash(text)] : [-1, 0, 0, 0, textHash(text)];
    });
    this.gitignoreCache.set(dir, ig);
    return ig;
  }

  /** Whether a path is ignored by the given .gitignore layers (deepest decides) or by --ignore-path / ignorePatterns. */
  private ignored(path: string, isDir: boolean, gitLayers: IgnoreLayer[]): boolean {
    if (!this.opts.useIgnore) return false;
    const test = (layer: IgnoreLayer): { ignored: boolean; unignored: boolean } => {
      const rel = under(layer.base, path);
      if (rel === null) return { ignored: false, unignored: false };
      return layer.ig.test(isDir ? `${rel}/` : rel);
    };
    for (let i = gitLayers.length - 1; i >= 0; i--) {
      const r = test(gitLayers[i]!);
      if (r.ignored) return true;
      if (r.unignored) break;
    }
    if (this.ignorePathLayer && test(this.ignorePathLayer).ignored) return true;
    return isIgnoredBy(this.opts.configs.forDirectory(isDir ? path : dirname(path)).ignorePatterns, path, isDir);
  }

  private wanted(path: string): boolean {
    return this.opts.extensions.includes(extname(path).toLowerCase());
  }

  /** `wanted` for a file name (its extension as extname reads it: a leading dot is no extension). */
  private wantedName(name: string): boolean {
    const dot = name.lastIndexOf('.');
    return dot > 0 && this.opts.extensions.includes(name.slice(dot).toLowerCase());
  }

  private tally: ArgumentTally = { matched: 0, ignored: 0, failed: 0 };

  private problem(path: string, message: string, kind: ProblemKind, fatal: boolean): void {
    if (fatal) this.tally.failed++;
    this.problems.push({ path, absolutePath: resolve(this.opts.cwd, path), message, kind, fatal });
  }

  /** After a directory or glob argument: nothing to check is an error unless --no-error-on-unmatched-pattern. */
  private unmatchedCheck(arg: string): void {
    const t = this.tally;
    if (t.matched > 0 || t.failed > 0 || !this.opts.errorOnUnmatchedPattern) return;
    this.problem(arg, t.ignored > 0 ? allIgnoredMessage(arg) : noFilesMessage(arg), 'unmatched', true);
  }

  private addFile(path: string, real: string): void {
    this.tally.matched++;
    if (this.seenFiles.has(real)) return;
    this.seenFiles.add(real);
    this.files.push({ path, language: languageForExtension(extname(path)) });
  }

  /** .gitignore layers for the ancestors of a start directory, up to the repository root. */
  private ancestorLayers(dir: string): IgnoreLayer[] {
    if (!this.opts.useIgnore) return [];
    const root = gitRoot(dir);
    // A walk replayed later rests on what the directories up to the root (or every one above, without a root) hold.
    if (this.recording) {
      for (let d = dirname(dir); ; d = dirname(d)) {
        if (root && d !== root && under(root, d) === null) break;
        const st = statSync(d, { throwIfNoEntry: false });
        if (!st) {
          this.recording = null;
          break;
        }
        this.recording.dirs[this.name(d)] = [dirStamp(st, this.racyAfter), ancestorSignature(d), 'a'];
        if (d === root || dirname(d) === d) break;
      }
    }
    if (!root) return [];
    const dirs: string[] = [];
    for (let d = dirname(dir); under(root, d) !== null || d === root; d = dirname(d)) {
      dirs.unshift(d);
      if (d === root) break;
    }
    return dirs.flatMap((d) => {
      const ig = this.gitignoreOf(d);
      return ig ? [{ base: d, ig }] : [];
    });
  }

  /** Add one command-line argument: a file, a directory or a glob pattern. */
  async addArgument(arg: string): Promise<void> {
    this.tally = { matched: 0, ignored: 0, failed: 0 };
    const path = resolve(this.opts.cwd, arg);
    let st;
    try {
      st = await fsp.stat(path);
      // Only walks of directories are replayed.
      if (!st.isDirectory()) this.recording = null;
    } catch (e) {
      this.recording = null;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && /[*?[\]{}()!]/.test(arg)) return this.addGlob(arg);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (this.opts.errorOnUnmatchedPattern) this.problem(arg, noFilesMessage(arg), 'unmatched', true);
        return;
      }
      this.problem(arg, errCode(e), 'unreadable', true);
      return;
    }
    if (st.isDirectory()) {
      // .gitignore files above the start directory apply to what is below it; an ignored
      // start directory therefore yields "all files ignored" (as ESLint's ignores do).
      this.walk(path, this.ancestorLayers(path), []);
      this.unmatchedCheck(arg);
    } else if (!st.isFile()) {
      this.problem(arg, 'not a regular file or directory', 'unreadable', true);
    } else {
      // Explicit files are linted whatever their extension's default, unless --ignore-path or ignorePatterns exclude them.
      if (this.opts.useIgnore && this.ignored(path, false, [])) {
        if (this.opts.warnIgnored) this.problem(arg, IGNORED_FILE_MESSAGE, 'ignored', false);
        return;
      }
      if (!this.wanted(path) && !/\.(c|h|go)$/i.test(path)) {
        if (this.opts.warnIgnored) this.problem(arg, `not a C or Go file (add its extension with --ext ${extname(path) || '<ext>'}, or use "--no-warn-ignored" to suppress this warning)`, 'ignored', false);
        return;
      }
      let real = path;
      try {
        real = await fsp.realpath(path);
      } catch {
        /* keep path */
      }
      this.addFile(path, real);
    }
  }

  private async addGlob(pattern: string): Promise<void> {
    const { glob } = await import('tinyglobby');
    const matches = await glob(pattern, { cwd: this.opts.cwd, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: true, ignore: ['**/.git/**'] });
    const wanted = matches.filter((m) => this.wanted(m)).sort();
    for (const m of wanted) {
      const layers = this.ancestorLayers(join(m, '..', '.'));
      const dirIg = this.opts.useIgnore ? this.gitignoreOf(dirname(m)) : null;
      if (this.ignored(m, false, dirIg ? [...layers, { base: dirname(m), ig: dirIg }] : layers)) {
        this.tally.ignored++;
        continue;
      }
      this.addFile(m, m);
    }
    this.unmatchedCheck(pattern);
  }

  /**
   * Synchronous on purpose: readdir of a few hundred directories is faster without promise
   * round trips, and the workers start meanwhile. `knownReal`: the directory's real path
   * when the caller knows it (a plain subdirectory of a real path), saving a realpath per
   * directory; otherwise one realpath system call. Per directory, not per entry: each
   * ignore layer's path to it, its configuration's ignore patterns, its separator.
   */
  private walk(dir: string, layers: IgnoreLayer[], chain: string[], knownReal?: string): void {
    let real: string;
    try {
      real = knownReal ?? realpathSync.native(dir);
    } catch (e) {
      this.problem(dir, errCode(e), 'unreadable', true);
      return;
    }
    if (chain.includes(real)) {
      this.problem(dir, `symbolic link loop (back to ${real}), not followed`, 'link', false);
      return;
    }
    if (this.seenDirs.has(real)) return;
    this.seenDirs.add(real);
    const st = this.recording ? statSync(dir, { throwIfNoEntry: false }) : undefined;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      this.problem(dir, errCode(e), 'unreadable', true);
      return;
    }
    noteDirectoryEntries(dir, entries);
    if (this.recording) {
      const signature = st && entrySignature(dir, entries, (n) => this.wantedName(n));
      if (signature === undefined) this.recording = null;
      else this.recording.dirs[this.name(dir)] = [dirStamp(st!, this.racyAfter), signature, 'w'];
    }
    const ig = this.opts.useIgnore ? this.gitignoreOf(dir) : null;
    const here = ig ? [...layers, { base: dir, ig }] : layers;
    const files = this.opts.useIgnore ? this.fileIgnores(dir, here) : null;
    const nextChain = [...chain, real];
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: Array<[string, string]> = [];
    const linkedDirs: string[] = [];
    for (const entry of entries) {
      const name = entry.name;
      if (name === '.git') continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      const link = !isDir && !isFile && entry.isSymbolicLink();
      if (!isDir && !link && (!isFile || !this.wantedName(name))) continue;
      const path = prefix + name;
      if (link) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ELOOP') this.problem(path, 'symbolic link loop, not followed', 'link', false);
          else if (this.wanted(path)) this.problem(path, `broken symbolic link (${errCode(e)})`, 'link', false);
          continue;
        }
      }
      if (isDir) {
        if ((this.opts.useIgnore && DEFAULT_IGNORED_DIRS.has(name)) || this.ignored(path, true, here)) {
          this.tally.ignored++;
          this.recording?.ignoredDirs.push(this.name(path));
          continue;
        }
        // Real directories first, so a tree reached both ways is reported under its real path.
        if (link) linkedDirs.push(path);
        else subdirs.push([path, join(real, name)]);
      } else if (isFile && this.wantedName(name)) {
        if (files?.(name)) {
          this.tally.ignored++;
          continue;
        }
        let realFile = path;
        if (link) {
          try {
            realFile = realpathSync.native(path);
          } catch {
            /* keep path */
          }
        }
        this.addFile(path, realFile);
      }
    }
    for (const [sub, subReal] of subdirs) this.walk(sub, here, nextChain, subReal);
    for (const sub of linkedDirs) this.walk(sub, here, nextChain);
  }

  /**
   * `ignored(path, false, layers)` for the files of one directory, by name: each layer's
   * path to the directory, the --ignore-path layer's and the directory's ignore patterns
   * worked out once.
   */
  private fileIgnores(dir: string, layers: IgnoreLayer[]): (name: string) => boolean {
    const relDir = (base: string): string | null => (base === dir ? '' : under(base, dir));
    const git = layers.map((l) => ({ ig: l.ig, rel: relDir(l.base) })).reverse();
    const byPath = this.ignorePathLayer ? { ig: this.ignorePathLayer.ig, rel: relDir(this.ignorePathLayer.base) } : null;
    const patterns = this.opts.configs.forDirectory(dir).ignorePatterns;
    const join = (rel: string, name: string) => (rel ? `${rel}/${name}` : name);
    return (name) => {
      for (const l of git) {
        if (l.rel === null) continue;
        const r = l.ig.test(join(l.rel, name));
        if (r.ignored) return true;
        if (r.unignored) break;
      }
      if (byPath && byPath.rel !== null && byPath.ig.test(join(byPath.rel, name)).ignored) return true;
      return patterns?.length ? isIgnoredBy(patterns, dir + sep + name, false) : false;
    };
  }
}
