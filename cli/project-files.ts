/**
 * The one walk that lists a project's source files (RULES section 8), for every front end's
 * project host (the CLI's, the language server's, the ESLint plugin's) and the benchmark:
 * root-relative, '/'-separated paths of the .c, .h and .go files under a root, sorted.
 * `.gitignore` is not applied (it limits what is linted, not what is indexed); `.git` and
 * `node_modules` are skipped, and so are symbolic links to directories (no cycles).
 */
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { opendir } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ProjectHost } from '../rules/project/host.js';
import { findProjectRoot, ROOT_MARKERS } from '../rules/project/root.js';

/** What the project index reads. */
export const PROJECT_SOURCE_FILE = /\.(?:c|h|go)$/;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/** Files listed at most (a home directory taken for a root must not be walked for ever). */
export const MAX_LISTED_FILES = 200_000;

/** One directory's entries into the walk's stack and list; false once the list is full. */
function take(rel: string, e: Dirent, stack: string[], out: string[], limit: number): boolean {
  const r = rel ? `${rel}/${e.name}` : e.name;
  if (e.isDirectory()) {
    if (!SKIPPED_DIRS.has(e.name)) stack.push(r);
  } else if (e.isFile() && PROJECT_SOURCE_FILE.test(e.name)) {
    out.push(r);
    if (out.length >= limit) return false;
  }
  return true;
}

/** The project's source files under `root` (an unreadable directory contributes nothing). */
export function listProjectFiles(root: string, limit = MAX_LISTED_FILES): string[] {
  return walkProject(root, limit).sort();
}

/** The walk of listProjectFiles, unsorted; `beforeRead` hears each directory (root-relative) before it is read. */
function walkProject(root: string, limit: number, beforeRead?: (rel: string) => void): string[] {
  const out: string[] = [];
  const stack = [''];
  walk: while (stack.length) {
    const rel = stack.pop()!;
    beforeRead?.(rel);
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) if (!take(rel, e, stack, out, limit)) break walk;
  }
  return out;
}

/** A directory's stat as a listing records it: modification and change times (ms), inode. */
export type DirStamp = [mtimeMs: number, ctimeMs: number, ino: number];

/**
 * The project's source files (as listProjectFiles) with every directory walked, root-relative
 * ('' the root), and its stamp taken before it was read (0 when it changed at or after
 * `racyAfter`, a time in ms: its stat cannot be trusted to show the next change). While
 * a directory keeps its stamp, no entry was added, removed or renamed in it.
 */
export interface StampedListing {
  files: string[];
  dirs: Record<string, DirStamp | 0>;
}

export function listProjectFilesStamped(root: string, racyAfter: number): StampedListing {
  const dirs: Record<string, DirStamp | 0> = {};
  const files = walkProject(root, MAX_LISTED_FILES, (rel) => {
    const st = statSync(rel ? join(root, rel) : root, { throwIfNoEntry: false });
    dirs[rel] = st && st.mtimeMs < racyAfter && st.ctimeMs < racyAfter ? [st.mtimeMs, st.ctimeMs, st.ino] : 0;
  });
  return { files: files.sort(), dirs };
}

/** One directory's share of the listing (root-relative): its source files and the subdirectories walked; undefined when unreadable. */
export function sourceDirEntries(root: string, rel: string): { files: string[]; dirs: string[] } | undefined {
  const files: string[] = [];
  const dirs: string[] = [];
  try {
    for (const e of readdirSync(rel ? join(root, rel) : root, { withFileTypes: true })) take(rel, e, dirs, files, Infinity);
  } catch {
    return undefined;
  }
  return { files, dirs };
}

const roots = new Map<string, string>();
/** Whether a root marker exists at a path ('/'-separated), as learnt from a directory read elsewhere (noteDirectoryEntries). */
const markers = new Map<string, boolean>();
const MARKER_NAMES = new Set<string>(ROOT_MARKERS);

/**
 * A directory's entries as discovery read them: which root markers it holds, so the root
 * rule needs no existence check there (one per marker per directory otherwise). A symbolic
 * link named like a marker is left to the check (it may be broken).
 */
export function noteDirectoryEntries(dir: string, entries: readonly Dirent[]): void {
  const links = new Set<string>();
  const present = new Set<string>();
  for (const e of entries) if (MARKER_NAMES.has(e.name)) (e.isSymbolicLink() ? links : present).add(e.name);
  noteRootMarkers(dir, present, links);
}

/** The same from the names a directory holds (none of them a symbolic link, except those in `links`). */
export function noteRootMarkers(dir: string, present: ReadonlySet<string>, links: ReadonlySet<string> = new Set()): void {
  const base = dir.split(sep).join('/').replace(/\/$/, '');
  for (const m of ROOT_MARKERS) if (!links.has(m)) markers.set(`${base}/${m}`, present.has(m));
}

function markerExists(path: string): boolean {
  let known = markers.get(path);
  if (known === undefined) markers.set(path, (known = existsSync(path)));
  return known;
}

/** The project root of the files in a directory (absolute): `override` when given, else the one root rule (RULES section 8). */
export function projectRootOfDir(dir: string, override?: string): string {
  if (override) return resolve(override);
  let root = roots.get(dir);
  if (root === undefined) {
    root = findProjectRoot(dir.split(sep).join('/'), markerExists);
    roots.set(dir, root);
  }
  return root;
}

/** The project root of a file: `override` when given, else the one root rule from the file's directory. */
export function projectRootOf(path: string, override?: string): string {
  return projectRootOfDir(dirname(resolve(path)), override);
}

/** The same list, walked without blocking the thread; `onCount` hears how many files so far. */
export async function listProjectFilesInBackground(root: string, onCount: (n: number) => void, limit = MAX_LISTED_FILES): Promise<string[]> {
  const out: string[] = [];
  const stack = [''];
  let dirs = 0;
  walk: while (stack.length) {
    const rel = stack.pop()!;
    try {
      for await (const e of await opendir(join(root, rel))) if (!take(rel, e, stack, out, limit)) break walk;
    } catch {
      // unreadable directory: its files are not indexed (the index says so when a callee is missing)
    }
    if (++dirs % 64 === 0) onCount(out.length);
  }
  onCount(out.length);
  return out.sort();
}

/** The project under `root` as it is on disk (the CLI's host; the others overlay what they hold). */
export function diskHost(root: string): ProjectHost {
  const abs = resolve(root);
  return {
    root: abs.split(sep).join('/'),
    listFiles: () => listProjectFiles(abs),
    readFile(relPath: string): string | undefined {
      try {
        return readFileSync(join(abs, relPath), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
