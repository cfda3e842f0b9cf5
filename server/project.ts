/**
 * The project index in the language server (RULES section 8): one ProjectIndex per project
 * root, found by the one root rule (or the `vforklint.projectRoot` setting), whose host
 * reads open documents from the editor and every other file from the disk.
 *
 * The file list is walked in the background (the caller reports it as work done progress);
 * summaries are computed lazily by the core, when a document with a fork site is analysed.
 * A change (an edit of an open document, a file changed on disk) is handed to the index as
 * an invalidation of that file (what rests on it, no more); the server then re-checks only
 * the open documents whose last result read project knowledge whose fingerprint changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ProjectIndex, findProjectRoot, type AnalyzeOptions, type ProjectHost } from '../rules/index.js';
import type { ProjectRead } from '../cli/cache.js';
import { listProjectFiles, listProjectFilesInBackground, PROJECT_SOURCE_FILE as SOURCE_FILE } from '../cli/project-files.js';

type ProjectOption = NonNullable<AnalyzeOptions['project']>;

function slash(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** The host of one root: open documents over the disk. */
export class OverlayHost implements ProjectHost {
  private files: string[] | undefined;
  private walking: Promise<void> | undefined;

  constructor(
    readonly root: string,
    /** The text of an open document at this absolute path, if one is open. */
    private readonly openText: (absPath: string) => string | undefined,
    /** Absolute paths of the open documents (a new file may not be on disk yet). */
    private readonly openPaths: () => Iterable<string>,
  ) {}

  listFiles(): readonly string[] {
    // Asked before the background walk finished: walk now (the walk's answer is the same).
    if (!this.files) this.files = listProjectFiles(this.root);
    const extra = [...this.openPaths()].map((p) => this.relative(p)).filter((r): r is string => r !== undefined && SOURCE_FILE.test(r) && !this.files!.includes(r));
    return extra.length ? [...this.files, ...extra] : this.files;
  }

  readFile(relPath: string): string | undefined {
    const abs = join(this.root, relPath);
    const open = this.openText(abs);
    if (open !== undefined) return open;
    try {
      return readFileSync(abs, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Walk the tree without blocking the server; `onCount` hears how many files so far. */
  walkInBackground(onCount: (n: number) => void): Promise<void> {
    if (this.files) return Promise.resolve();
    this.walking ??= listProjectFilesInBackground(this.root, onCount).then((files) => {
      this.files ??= files;
    });
    return this.walking;
  }

  /** Forget the file list (files were created or deleted). */
  forgetFiles(): void {
    this.files = undefined;
    this.walking = undefined;
  }

  /** The root-relative path of an absolute path inside the root, else undefined. */
  relative(absPath: string): string | undefined {
    const r = relative(this.root, absPath);
    return r && !r.startsWith('..') && !isAbsolute(r) ? slash(r) : undefined;
  }
}

/** The project settings of a document (server/config.ts reads them). */
export interface ProjectSettings {
  /** Off: same-file analysis only. */
  enabled: boolean;
  /** An absolute root that overrides the root rule. */
  root?: string;
}

interface Project {
  host: OverlayHost;
  index: ProjectIndex;
}

export class ServerProjects {
  private readonly projects = new Map<string, Project>();

  constructor(
    private readonly openText: (absPath: string) => string | undefined,
    private readonly openPaths: () => Iterable<string>,
    /** A new root: the caller walks its files in the background (with progress). */
    private readonly onNewProject: (root: string, host: OverlayHost) => void,
  ) {}

  /** The root of a document: the setting, else the root rule from the document's directory. */
  rootFor(documentPath: string, settings: ProjectSettings): string {
    return this.rootForDirectory(dirname(resolve(documentPath)), settings);
  }

  /** The root of the files in a directory (a workspace folder). */
  rootForDirectory(dir: string, settings: ProjectSettings): string {
    return settings.root ?? findProjectRoot(resolve(dir), existsSync);
  }

  /** The project of a root, made on first use. */
  project(root: string): Project {
    let p = this.projects.get(root);
    if (!p) {
      const host = new OverlayHost(root, this.openText, this.openPaths);
      p = { host, index: new ProjectIndex(host) };
      this.projects.set(root, p);
      this.onNewProject(root, host);
    }
    return p;
  }

  get isEmpty(): boolean {
    return this.projects.size === 0;
  }

  /** The `project` analysis option for a document and its root, or undefined when the index is off or the document is not a file in its root. */
  optionFor(documentPath: string | undefined, settings: ProjectSettings): { option: ProjectOption; root: string } | undefined {
    if (!documentPath || !settings.enabled) return undefined;
    const root = this.rootFor(documentPath, settings);
    const p = this.project(root);
    const file = p.host.relative(resolve(documentPath));
    return file === undefined ? undefined : { option: { index: p.index, file }, root };
  }

  /**
   * Files changed (absolute paths); `listChanged`: files were created or deleted, so the
   * file lists are stale too. Returns nothing: callers re-check with `stale()`. A changed
   * file costs what rests on it: an edit inside a function body of a file no summary was
   * read from forgets that file's parse alone (`ProjectIndex.invalidateFile`); one that
   * changes what the text scan reads (a definition, an include, a fork spelling), or a
   * file other summaries rest on, forgets what was derived from it and its dependents.
   */
  invalidate(absPaths: readonly string[], listChanged: boolean): void {
    for (const p of this.projects.values()) {
      if (listChanged && absPaths.some((a) => p.host.relative(a) !== undefined)) {
        p.host.forgetFiles();
        p.index.invalidate();
        continue;
      }
      for (const a of absPaths) {
        const rel = p.host.relative(a);
        if (rel !== undefined) p.index.invalidateFile(rel);
      }
    }
  }

  /** Whether a result that read these keys (in this root's index) would now read something else. */
  stale(root: string, reads: readonly ProjectRead[]): boolean {
    const p = this.projects.get(root);
    if (!p) return reads.length > 0;
    return reads.some((r) => p.index.fingerprint(r.key) !== r.fingerprint);
  }

  /** Absolute path of a root-relative file of a root (for steps in other files). */
  static absolute(root: string, relPath: string): string {
    return isAbsolute(relPath) ? relPath : join(root, relPath);
  }
}
