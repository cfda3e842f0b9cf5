/**
 * The CLI's project indexes (RULES section 8): one per root per thread, over the disk
 * (project-files.ts), shared by every file linted there; a worker's take over the text scan
 * the main thread made once for the run.
 */
import { relative, resolve, sep } from 'node:path';
import { ProjectIndex } from '../rules/index.js';
import type { SharedScan } from '../rules/project/text-scan.js';
import { diskHost } from './project-files.js';

// The root rule lives with the project's files (no analysis core needed to find a root).
export { diskHost, projectRootOf } from './project-files.js';

const indexes = new Map<string, ProjectIndex>();

/**
 * This thread's index for a root (made on first use). `projectReads`: its analyses record what
 * they read (only --cache keeps them; computing them summarises every callee resolved).
 * `scan`: the root's text scan another thread made, taken over by a new index.
 */
export function projectIndexFor(root: string, projectReads = true, scan?: SharedScan): ProjectIndex {
  const key = `${projectReads ? 'reads' : 'no-reads'}\0${root}`;
  let index = indexes.get(key);
  if (!index) {
    indexes.set(key, (index = new ProjectIndex(diskHost(root), { projectReads, ...(scan ? { scan } : {}) })));
  }
  return index;
}

/** The index and the root-relative path for a file, or undefined when the file lies outside the root. */
export function projectFor(path: string, root: string, projectReads = true, scan?: SharedScan): { index: ProjectIndex; file: string } | undefined {
  const rel = relative(resolve(root), resolve(path)).split(sep).join('/');
  if (rel.startsWith('../') || rel === '..' || rel.startsWith('/')) return undefined;
  return { index: projectIndexFor(root, projectReads, scan), file: rel };
}

/** Several workers' summary snapshots of one root as one (ProjectIndex.mergeSummaries). */
export function mergeSummaries(snapshots: readonly unknown[]): unknown {
  return ProjectIndex.mergeSummaries(snapshots);
}
