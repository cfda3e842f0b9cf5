/**
 * The one walk that lists a project's source files (RULES section 8), for every front end's
 * project host (the CLI's, the language server's, the ESLint plugin's) and the benchmark:
 * root-relative, '/'-separated paths of the .c, .h and .go files under a root, sorted.
 * `.gitignore` is not applied (it limits what is linted, not what is indexed); `.git` and
 * `node_modules` are skipped, and so are symbolic links to directories (no cycles).
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { opendir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { ProjectHost } from '../rules/project/host.js';

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
  const out: string[] = [];
  const stack = [''];
  walk: while (stack.length) {
    const rel = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) if (!take(rel, e, stack, out, limit)) break walk;
  }
  return out.sort();
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
