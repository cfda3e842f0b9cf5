/**
 * File discovery: walk directories for the wanted extensions, honouring .gitignore files
 * (the start directory's ancestors up to the repository root, and every directory below),
 * an --ignore-path file and config `ignorePatterns`; follow symbolic links but report
 * loops; report unreadable entries and keep going.
 */
import { existsSync, promises as fsp, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import ignoreModule from 'ignore';
import type { Ignore } from 'ignore';
import type { Language } from '../rules/index.js';
import { isIgnoredBy } from '../config/index.js';
import type { ConfigResolver } from './config.js';
import { UsageError } from './errors.js';

const createIgnore = ignoreModule as unknown as (o?: object) => Ignore;

export interface SourceFile {
  /** Absolute path. */
  path: string;
  language: Language;
}

export interface DiscoveryProblem {
  path: string;
  message: string;
  /** Fatal problems (unreadable file or directory) make the exit code 2; warnings do not. */
  fatal: boolean;
}

export interface DiscoveryOptions {
  cwd: string;
  /** Extensions with their dot, lower case. */
  extensions: string[];
  /** False with --no-ignore: no .gitignore, --ignore-path, ignorePatterns or default ignores. */
  useIgnore: boolean;
  ignorePath?: string;
  configs: ConfigResolver;
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

function readIgnoreFile(path: string): Ignore | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return createIgnore({ allowRelativePaths: true }).add(text);
}

function gitRoot(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

export class Discovery {
  readonly files: SourceFile[] = [];
  readonly problems: DiscoveryProblem[] = [];
  private readonly seenFiles = new Set<string>();
  private readonly seenDirs = new Set<string>();
  private readonly gitignoreCache = new Map<string, Ignore | null>();
  private readonly ignorePathLayer: IgnoreLayer | null;

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
  }

  private gitignoreOf(dir: string): Ignore | null {
    if (this.gitignoreCache.has(dir)) return this.gitignoreCache.get(dir)!;
    const ig = readIgnoreFile(join(dir, '.gitignore'));
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

  private addFile(path: string, real: string): void {
    if (this.seenFiles.has(real)) return;
    this.seenFiles.add(real);
    this.files.push({ path, language: languageForExtension(extname(path)) });
  }

  /** .gitignore layers for the ancestors of a start directory, up to the repository root. */
  private ancestorLayers(dir: string): IgnoreLayer[] {
    if (!this.opts.useIgnore) return [];
    const root = gitRoot(dir);
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
    const path = resolve(this.opts.cwd, arg);
    let st;
    try {
      st = await fsp.stat(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && /[*?[\]{}()!]/.test(arg)) return this.addGlob(arg);
      this.problems.push({ path: arg, message: errCode(e), fatal: true });
      return;
    }
    if (st.isDirectory()) {
      const layers = this.ancestorLayers(path);
      // The start directory itself may be ignored by an ancestor; walking it explicitly still lints it (as ESLint does).
      this.walk(path, layers, []);
    } else if (!st.isFile()) {
      this.problems.push({ path: arg, message: 'not a regular file or directory', fatal: true });
    } else {
      // Explicit files are linted whatever their extension's default, unless --ignore-path or ignorePatterns exclude them.
      if (this.opts.useIgnore && this.ignored(path, false, [])) return;
      if (!this.wanted(path) && !/\.(c|h|go)$/i.test(path)) {
        this.problems.push({ path: arg, message: `not a C or Go file (add its extension with --ext ${extname(path) || '<ext>'})`, fatal: false });
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
    if (wanted.length === 0) {
      this.problems.push({ path: pattern, message: 'no files match this pattern', fatal: true });
      return;
    }
    for (const m of wanted) {
      const layers = this.ancestorLayers(join(m, '..', '.'));
      const dirIg = this.opts.useIgnore ? this.gitignoreOf(dirname(m)) : null;
      if (this.ignored(m, false, dirIg ? [...layers, { base: dirname(m), ig: dirIg }] : layers)) continue;
      this.addFile(m, m);
    }
  }

  /** Synchronous on purpose: readdir of a few hundred directories is faster without promise round trips, and the workers start meanwhile. */
  private walk(dir: string, layers: IgnoreLayer[], chain: string[]): void {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (e) {
      this.problems.push({ path: dir, message: errCode(e), fatal: true });
      return;
    }
    if (chain.includes(real)) {
      this.problems.push({ path: dir, message: `symbolic link loop (back to ${real}), not followed`, fatal: false });
      return;
    }
    if (this.seenDirs.has(real)) return;
    this.seenDirs.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      this.problems.push({ path: dir, message: errCode(e), fatal: true });
      return;
    }
    const ig = this.opts.useIgnore ? this.gitignoreOf(dir) : null;
    const here = ig ? [...layers, { base: dir, ig }] : layers;
    const nextChain = [...chain, real];
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    const linkedDirs: string[] = [];
    for (const entry of entries) {
      if (entry.name === '.git') continue;
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const st = statSync(path);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ELOOP') this.problems.push({ path, message: 'symbolic link loop, not followed', fatal: false });
          else if (this.wanted(path)) this.problems.push({ path, message: `broken symbolic link (${errCode(e)})`, fatal: false });
          continue;
        }
      }
      if (isDir) {
        if (this.opts.useIgnore && DEFAULT_IGNORED_DIRS.has(entry.name)) continue;
        if (this.ignored(path, true, here)) continue;
        // Real directories first, so a tree reached both ways is reported under its real path.
        (entry.isSymbolicLink() ? linkedDirs : subdirs).push(path);
      } else if (isFile && this.wanted(path)) {
        if (this.ignored(path, false, here)) continue;
        let realFile = path;
        if (entry.isSymbolicLink()) {
          try {
            realFile = realpathSync(path);
          } catch {
            /* keep path */
          }
        }
        this.addFile(path, realFile);
      }
    }
    for (const sub of [...subdirs, ...linkedDirs]) this.walk(sub, here, nextChain);
  }
}
