/**
 * The CLI's project host (RULES section 8): the files under the project root (listed by
 * project-files.ts), read from the disk. One ProjectIndex per root per thread, shared by
 * every file linted there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findProjectRoot, ProjectIndex, type ProjectHost } from '../rules/index.js';
import { listProjectFiles } from './project-files.js';

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

/**
 * This thread's index for a root (made on first use). `projectReads`: its analyses record what
 * they read (only --cache keeps them; computing them summarises every callee resolved).
 */
export function projectIndexFor(root: string, projectReads = true): ProjectIndex {
  const key = `${projectReads ? 'reads' : 'no-reads'}\0${root}`;
  let index = indexes.get(key);
  if (!index) indexes.set(key, (index = new ProjectIndex(diskHost(root), { projectReads })));
  return index;
}

/** The index and the root-relative path for a file, or undefined when the file lies outside the root. */
export function projectFor(path: string, root: string, projectReads = true): { index: ProjectIndex; file: string } | undefined {
  const rel = relative(resolve(root), resolve(path)).split(sep).join('/');
  if (rel.startsWith('../') || rel === '..' || rel.startsWith('/')) return undefined;
  return { index: projectIndexFor(root, projectReads), file: rel };
}
