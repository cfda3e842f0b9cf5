/**
 * The CLI's project host (RULES section 8): the files under the project root, read from
 * the disk. `.gitignore` is not applied (it limits what is linted, not what is indexed);
 * `.git` and `node_modules` are skipped, and so are symbolic links to directories (no cycles).
 * One ProjectIndex per root per thread, shared by every file linted there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findProjectRoot, ProjectIndex, type ProjectHost } from '../rules/index.js';

const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
const INDEXED = /\.(?:c|h|go)$/;

/** Files listed at most (a home directory taken for a root must not be walked for ever). */
export const MAX_LISTED_FILES = 200_000;

export function diskHost(root: string): ProjectHost {
  const abs = resolve(root);
  return {
    root: abs.split(sep).join('/'),
    listFiles(): string[] {
      const out: string[] = [];
      const walk = (dir: string) => {
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          if (out.length >= MAX_LISTED_FILES) return;
          if (e.isDirectory()) {
            if (!SKIPPED_DIRS.has(e.name)) walk(join(dir, e.name));
          } else if (e.isFile() && INDEXED.test(e.name)) {
            out.push(relative(abs, join(dir, e.name)).split(sep).join('/'));
          }
        }
      };
      walk(abs);
      return out.sort();
    },
    readFile(relPath: string): string | undefined {
      try {
        return readFileSync(join(abs, relPath), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

const roots = new Map<string, string>();

/** The project root of a file: `override` when given, else the one root rule from the file's directory. */
export function projectRootOf(path: string, override?: string): string {
  if (override) return resolve(override);
  const dir = dirname(resolve(path));
  let root = roots.get(dir);
  if (root === undefined) {
    root = findProjectRoot(dir.split(sep).join('/'), (p) => existsSync(p));
    roots.set(dir, root);
  }
  return root;
}

const indexes = new Map<string, ProjectIndex>();

/** This thread's index for a root (made on first use). */
export function projectIndexFor(root: string): ProjectIndex {
  let index = indexes.get(root);
  if (!index) indexes.set(root, (index = new ProjectIndex(diskHost(root))));
  return index;
}

/** The index and the root-relative path for a file, or undefined when the file lies outside the root. */
export function projectFor(path: string, root: string): { index: ProjectIndex; file: string } | undefined {
  const rel = relative(resolve(root), resolve(path)).split(sep).join('/');
  if (rel.startsWith('../') || rel === '..' || rel.startsWith('/')) return undefined;
  return { index: projectIndexFor(root), file: rel };
}
