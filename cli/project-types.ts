/**
 * TEMPORARY stand-ins for the project index core (rules/project/*, built on another branch),
 * shaped exactly like the agreed interface, so the front ends compile and run before it lands.
 * Deleted at merge: every import of this file becomes an import from '../rules/index.js'.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnalysisResult } from '../rules/index.js';

export interface ProjectHost {
  readonly root: string;
  listFiles(): readonly string[];
  readFile(relPath: string): string | undefined;
}

export interface ProjectRead {
  key: string;
  fingerprint: string;
}

/** The stand-in index knows nothing: every key is gone, nothing is partial. */
export class ProjectIndex {
  readonly partial: readonly string[] = [];
  constructor(
    readonly host: ProjectHost,
    readonly options: { maxParsedFiles?: number } = {},
  ) {}
  invalidate(relPaths?: readonly string[]): void {
    void relPaths;
  }
  fingerprint(key: string): string | undefined {
    void key;
    return undefined;
  }
  exportSummaries(): unknown {
    return {};
  }
  importSummaries(data: unknown): void {
    void data;
  }
}

const ROOT_MARKERS = ['.git', '.vforklintrc.json', 'vforklint.config.json', 'go.mod', 'package.json'];

export function findProjectRoot(startDir: string, exists: (absPath: string) => boolean = existsSync): string {
  for (let d = startDir; ; d = dirname(d)) {
    if (ROOT_MARKERS.some((m) => exists(join(d, m)))) return d;
    if (dirname(d) === d) return startDir;
  }
}

/** The analysis result with the project fields the core adds. */
export type ProjectAnalysisResult = AnalysisResult & { projectReads?: ProjectRead[]; projectNotes?: string[] };

/** The `project` analysis option. */
export interface ProjectOption {
  index: ProjectIndex;
  file: string;
}
