/**
 * Settings for one document: the client's `vforklint` section (workspace/configuration)
 * layered over the configuration file the CLI would use for the document's path (the
 * shared reader, config/). The editor's settings win where they say something; lists are
 * joined. A broken file or setting is one line to the user and is left out; the rest applies.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, analysisConfig, isIgnoredBy, layerConfig, nearestConfigFile, validateConfig, type ResolvedConfig } from '../config/index.js';
import type { VforklintConfig } from '../rules/index.js';
import type { ProjectSettings } from './project.js';

/** Keys of the settings section that configure the editor integration, not the analysis. */
const EDITOR_KEYS = new Set(['enable', 'trace', 'projectRoot', 'projectIndex']);

export const SETTINGS_NAME = 'settings "vforklint"';

export interface EffectiveConfig {
  enable: boolean;
  /** The document matches the configuration's `ignorePatterns`: it gets no diagnostics and no fixes. */
  ignored: boolean;
  config: VforklintConfig;
  /** The config file used, if any. */
  file?: string;
  /** `vforklint.projectIndex` and `vforklint.projectRoot` (RULES section 8). */
  project: ProjectSettings;
  /** One-line problems found in the settings or the file (shown to the user once). */
  problems: string[];
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** The workspace folder holding the document (the deepest), else the first one: where relative settings paths start. */
function settingsDir(documentPath: string | undefined, workspaceRoots: string[]): string {
  const roots = workspaceRoots.map((r) => resolve(r));
  const holding = documentPath ? roots.filter((r) => resolve(documentPath).startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => b.length - a.length)[0] : undefined;
  return holding ?? roots[0] ?? process.cwd();
}

interface EditorSettings {
  enable?: boolean;
  project: ProjectSettings;
  config: ResolvedConfig;
  problems: string[];
}

/** `readSettings` of a settings object already read (one per document until the settings change): every keystroke asks. */
const settingsRead = new WeakMap<object, Map<string, EditorSettings>>();

function readSettingsOnce(settings: unknown, dir: string): EditorSettings {
  if (settings === null || typeof settings !== 'object') return readSettings(settings, dir);
  let byDir = settingsRead.get(settings);
  if (!byDir) settingsRead.set(settings, (byDir = new Map()));
  let read = byDir.get(dir);
  if (!read) byDir.set(dir, (read = readSettings(settings, dir)));
  return { ...read, project: { ...read.project }, problems: [...read.problems] };
}

/** The settings section split into the editor's own keys and a configuration, validated as a file is. */
function readSettings(settings: unknown, dir: string): EditorSettings {
  const project: ProjectSettings = { enabled: true };
  if (settings === undefined || settings === null) return { config: {}, problems: [], project };
  const problems: string[] = [];
  let enable: boolean | undefined;
  let rest: unknown = settings;
  if (typeof settings === 'object' && !Array.isArray(settings)) {
    const entries = Object.entries(settings as Record<string, unknown>);
    // An editor sends every declared setting; null and undefined mean "not set here".
    rest = Object.fromEntries(entries.filter(([k, v]) => !EDITOR_KEYS.has(k) && v !== null && v !== undefined));
    const e = (settings as Record<string, unknown>).enable;
    if (typeof e === 'boolean') enable = e;
    else if (e !== undefined && e !== null) problems.push(`${SETTINGS_NAME}: "enable" must be boolean`);
    const index = (settings as Record<string, unknown>).projectIndex;
    if (typeof index === 'boolean') project.enabled = index;
    else if (index !== undefined && index !== null) problems.push(`${SETTINGS_NAME}: "projectIndex" must be boolean`);
    const root = (settings as Record<string, unknown>).projectRoot;
    // Relative to the workspace folder, as the other paths in the settings; empty: the root rule.
    if (typeof root === 'string') {
      if (root.trim()) project.root = resolve(dir, root.trim());
    } else if (root !== undefined && root !== null) problems.push(`${SETTINGS_NAME}: "projectRoot" must be a string (a directory)`);
  }
  try {
    return { enable, config: validateConfig(rest, { name: SETTINGS_NAME, dir }), problems, project };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { enable, config: {}, problems: [...problems, e.message], project };
  }
}

/** Settings and file together, for one document. */
export function effectiveConfig(settings: unknown, documentPath: string | undefined, workspaceRoots: string[]): EffectiveConfig {
  const editor = readSettingsOnce(settings, settingsDir(documentPath, workspaceRoots));
  const problems = [...editor.problems];
  let fileConfig: ResolvedConfig = {};
  let file: string | undefined;
  if (documentPath) {
    try {
      const found = nearestConfigFile(dirname(resolve(documentPath)));
      if (found) ({ path: file, config: fileConfig } = found);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(e.message);
    }
  }
  const merged = layerConfig(fileConfig, editor.config);
  return {
    enable: editor.enable ?? true,
    ignored: documentPath !== undefined && isIgnoredBy(merged.ignorePatterns, resolve(documentPath)),
    config: analysisConfig(merged),
    ...(file ? { file } : {}),
    project: editor.project,
    problems,
  };
}
