/** Whether a configuration's `ignorePatterns` skip a file (.gitignore syntax, each pattern relative to its base). */
import { relative, sep } from 'node:path';
import ignoreModule from 'ignore';
import type { Ignore } from 'ignore';
import type { BasedPattern } from './normalise.js';

const createIgnore = ignoreModule as unknown as (o?: object) => Ignore;

const matchers = new Map<string, Ignore>();

function matcher(patterns: string[]): Ignore {
  const key = patterns.join('\0');
  let ig = matchers.get(key);
  if (!ig) {
    ig = createIgnore({ allowRelativePaths: true }).add(patterns);
    matchers.set(key, ig);
  }
  return ig;
}

/** The path relative to `base` in / form, or null when it is not inside `base`. */
function inside(base: string, path: string): string | null {
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..') || /^[\\/]|^[A-Za-z]:/.test(rel)) return null;
  return rel.split(sep).join('/');
}

/** True when one of the patterns matches the path (or a directory above it, up to the pattern's base). */
export function isIgnoredBy(patterns: readonly BasedPattern[] | undefined, absolutePath: string, isDirectory = false): boolean {
  if (!patterns?.length) return false;
  const byBase = new Map<string, string[]>();
  for (const p of patterns) byBase.set(p.base, [...(byBase.get(p.base) ?? []), p.pattern]);
  for (const [base, list] of byBase) {
    const rel = inside(base, absolutePath);
    if (rel !== null && matcher(list).ignores(isDirectory ? `${rel}/` : rel)) return true;
  }
  return false;
}
