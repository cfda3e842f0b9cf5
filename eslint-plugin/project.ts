/**
 * The project index under ESLint (RULES section 8): the same index and root rule as the
 * CLI. The root is found by the one root rule from the linted file's directory, or named
 * in the shared settings (relative to ESLint's working directory):
 *
 *   settings: { vforklint: { projectRoot: 'native', projectIndex: true } }
 *
 * `projectRoot` is relative to the working directory; `projectIndex: false` turns the index
 * off (each file is analysed alone). One index per root lives as long as the ESLint process;
 * files it read are checked for changes (size and modification time) at most once a second,
 * so a long-running ESLint (an editor's) sees a helper edited on disk.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ProjectIndex, findProjectRoot, type AnalyzeOptions, type ProjectHost } from '../rules/index.js';
import { listProjectFiles } from '../cli/project-files.js';

type ProjectOption = NonNullable<AnalyzeOptions['project']>;

const RECHECK_MS = 1000;

/** The disk under a root; remembers what it read to notice changes. */
class DiskHost implements ProjectHost {
  private files: string[] | undefined;
  private readonly seen = new Map<string, string>();

  constructor(readonly root: string) {}

  listFiles(): readonly string[] {
    this.files ??= listProjectFiles(this.root);
    return this.files;
  }

  readFile(relPath: string): string | undefined {
    const abs = join(this.root, relPath);
    try {
      const text = readFileSync(abs, 'utf8');
      this.seen.set(relPath, stamp(abs));
      return text;
    } catch {
      this.seen.set(relPath, '');
      return undefined;
    }
  }

  /** Files read before that changed since; and whether the file list may have changed (one was created or deleted). */
  changed(): { paths: string[]; listChanged: boolean } {
    const paths: string[] = [];
    let listChanged = false;
    for (const [rel, before] of this.seen) {
      const now = stamp(join(this.root, rel));
      if (now === before) continue;
      paths.push(rel);
      if (!now || !before) listChanged = true;
      this.seen.delete(rel);
    }
    if (listChanged) this.files = undefined;
    return { paths, listChanged };
  }
}

function stamp(abs: string): string {
  try {
    const s = statSync(abs);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}

interface Project {
  host: DiskHost;
  index: ProjectIndex;
  checkedAt: number;
}

const projects = new Map<string, Project>();

/** The settings ESLint hands every rule, `settings.vforklint`, read leniently: a value of the wrong type is a problem and is left out. */
export interface ProjectSettings {
  enabled: boolean;
  root?: string;
  problems: string[];
}

export function projectSettings(settings: unknown, cwd: string): ProjectSettings {
  const out: ProjectSettings = { enabled: true, problems: [] };
  const s = (settings as { vforklint?: unknown } | undefined)?.vforklint;
  if (s === undefined || s === null) return out;
  if (typeof s !== 'object' || Array.isArray(s)) {
    out.problems.push('settings.vforklint must be an object ({ projectRoot, projectIndex })');
    return out;
  }
  const { projectIndex, projectRoot } = s as Record<string, unknown>;
  if (typeof projectIndex === 'boolean') out.enabled = projectIndex;
  else if (projectIndex !== undefined) out.problems.push('settings.vforklint.projectIndex must be true or false');
  if (typeof projectRoot === 'string' && projectRoot.trim()) out.root = resolve(cwd, projectRoot.trim());
  else if (projectRoot !== undefined) out.problems.push('settings.vforklint.projectRoot must be a directory name (a string)');
  return out;
}

function inside(root: string, abs: string): string | undefined {
  const r = relative(root, abs);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r.split(sep).join('/') : undefined;
}

/**
 * The root a file is analysed in: the setting (relative to the working directory), else the
 * one root rule from the file's directory, exactly as the CLI finds it, so both agree on a file.
 */
export function projectRootFor(filePath: string, settings: ProjectSettings): string {
  return settings.root ?? findProjectRoot(dirname(resolve(filePath)), existsSync);
}

/** The `project` analysis option for a file on disk, or undefined (index off, or not a file). */
export function projectOptionFor(filePath: string | undefined, settings: ProjectSettings): ProjectOption | undefined {
  if (!filePath || /^<.*>$/.test(filePath) || !settings.enabled) return undefined;
  const root = projectRootFor(filePath, settings);
  const file = inside(root, resolve(filePath));
  if (file === undefined) return undefined;
  let p = projects.get(root);
  if (!p) {
    const host = new DiskHost(root);
    p = { host, index: new ProjectIndex(host), checkedAt: Date.now() };
    projects.set(root, p);
  } else if (Date.now() - p.checkedAt >= RECHECK_MS) {
    p.checkedAt = Date.now();
    const { paths, listChanged } = p.host.changed();
    if (listChanged) p.index.invalidate();
    else if (paths.length) p.index.invalidate(paths);
  }
  return { index: p.index, file };
}
