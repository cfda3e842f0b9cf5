/**
 * What a front end hands the project index (RULES section 8): the root, the files under
 * it, and their text. The core reads nothing else: the CLI's host reads the disk, the
 * language server's overlays open documents on it, tests use an in-memory host.
 */
export interface ProjectHost {
  /** Absolute project root, '/'-separated. */
  readonly root: string;
  /**
   * Root-relative ('/'-separated) paths of every .c/.h/.go file under root. Skips .git and
   * node_modules directories, does NOT apply .gitignore/ignorePatterns (they limit linting,
   * not indexing). Called lazily, at most once per index unless invalidated.
   */
  listFiles(): readonly string[];
  /** Text of a root-relative file, or undefined when unreadable (the index records a partial reason). */
  readFile(relPath: string): string | undefined;
}

/** A host over files held in memory (tests, and front ends that already hold the texts). */
export function memoryHost(root: string, files: Readonly<Record<string, string>>): ProjectHost {
  return {
    root,
    listFiles: () => Object.keys(files).filter((p) => /\.(?:c|h|go)$/.test(p)).sort(),
    readFile: (p) => files[p],
  };
}
