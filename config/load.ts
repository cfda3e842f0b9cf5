/**
 * Configuration files: `.vforklintrc.json`, `vforklint.config.json` or the `vforklint` key
 * of `package.json`, the first of them in a file's directory or the nearest directory above
 * it. JSON only: nothing in a configuration file is ever run.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import type { ResolvedConfig } from './normalise.js';
import { validateConfig } from './validate.js';

/** Looked for in this order in each directory. */
export const CONFIG_FILE_NAMES = ['.vforklintrc.json', 'vforklint.config.json', 'package.json'] as const;

const PACKAGE_KEY = 'vforklint';

export interface LoadedConfigFile {
  path: string;
  config: ResolvedConfig;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path and its permissions`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ConfigError(`${path}: invalid JSON (${(e as Error).message.split('\n')[0]}); fix it or delete the file`);
  }
}

function isPackageJson(path: string): boolean {
  return /(^|[\\/])package\.json$/.test(path);
}

function packageKey(json: unknown): unknown {
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>)[PACKAGE_KEY] : undefined;
}

/** A file's configuration, or null for a package.json without the key. Throws ConfigError. */
function parseConfigFile(path: string): LoadedConfigFile | null {
  const json = readJson(path);
  const source = { name: path, dir: dirname(path) };
  if (!isPackageJson(path)) return { path, config: validateConfig(json, source) };
  const value = packageKey(json);
  if (value === undefined) return null;
  return { path, config: validateConfig(value, { ...source, name: `${path} ("${PACKAGE_KEY}" key)` }) };
}

/** Parsed files by path, reused while the file's size and modification time stay the same. */
const parsed = new Map<string, { stamp: string; result: LoadedConfigFile | null | ConfigError }>();

function stampOf(path: string): string | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? `${s.size}:${s.mtimeMs}:${s.ino}` : undefined;
  } catch {
    return undefined;
  }
}

function cachedConfigFile(path: string, stamp: string): LoadedConfigFile | null {
  let entry = parsed.get(path);
  if (!entry || entry.stamp !== stamp) {
    let result: LoadedConfigFile | null | ConfigError;
    try {
      result = parseConfigFile(path);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      result = e;
    }
    entry = { stamp, result };
    parsed.set(path, entry);
  }
  if (entry.result instanceof ConfigError) throw entry.result;
  return entry.result;
}

/** One file named explicitly (the CLI's --config): plain JSON, or package.json's key, which must be there. */
export function loadConfigFile(path: string): LoadedConfigFile {
  const abs = resolve(path);
  const loaded = parseConfigFile(abs);
  if (!loaded) throw new ConfigError(`${abs}: has no "${PACKAGE_KEY}" key; add one or name another file`);
  return loaded;
}

/** The configuration file that holds in one directory (not above it), or null. */
export function configFileIn(dir: string): LoadedConfigFile | null {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name);
    const stamp = stampOf(path);
    if (stamp === undefined) continue;
    const loaded = cachedConfigFile(path, stamp);
    if (loaded) return loaded;
  }
  return null;
}

/** The nearest configuration file at or above `dir`, or null. Throws ConfigError for a broken one. */
export function nearestConfigFile(dir: string): LoadedConfigFile | null {
  let current = resolve(dir);
  for (;;) {
    const found = configFileIn(current);
    if (found) return found;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** nearestConfigFile, remembered per directory: for one run over many files (the CLI). */
export class ConfigFinder {
  private readonly byDir = new Map<string, LoadedConfigFile | null>();

  nearest(dir: string): LoadedConfigFile | null {
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached;
    const found = configFileIn(dir) ?? (dirname(dir) === dir ? null : this.nearest(dirname(dir)));
    this.byDir.set(dir, found);
    return found;
  }
}
