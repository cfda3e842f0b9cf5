/**
 * The one root rule (RULES section 8): every front end finds a file's project the same
 * way, so `vforklint` and `eslint` agree on it.
 */

/** The files whose presence makes a directory a project root (vforklint's config files, as config/ reads them). */
export const ROOT_MARKERS = ['.git', '.vforklintrc.json', 'vforklint.config.json', 'go.mod', 'package.json'] as const;

/**
 * Nearest directory at or above `startDir` holding `.git`, a vforklint config file, `go.mod`
 * or `package.json`; `startDir` itself if none. Paths are '/'-separated (a Windows drive
 * prefix is kept as is).
 */
export function findProjectRoot(startDir: string, exists: (absPath: string) => boolean): string {
  const start = startDir.replace(/\\/g, '/').replace(/(?<=.)\/+$/, '');
  let dir = start;
  for (let i = 0; i < 256; i++) {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    if (ROOT_MARKERS.some((m) => exists(`${prefix}${m}`))) return dir;
    const up = dir.replace(/\/[^/]*$/, '') || '/';
    if (up === dir || (dir === '/' && up === '/')) break;
    dir = up;
  }
  return start;
}
