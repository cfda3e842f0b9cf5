/**
 * Settings: the client's `vforklint` section (workspace/configuration) merged over the
 * workspace's config file (`.vforklintrc.json` or `vforklint.config.json`, JSON only).
 * The editor's settings win where they say something; lists are joined.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_IDS, type RuleId, type Severity, type VforklintConfig } from '../rules/index.js';

export const CONFIG_FILE_NAMES = ['.vforklintrc.json', 'vforklint.config.json'] as const;

/** The `vforklint` settings section as an editor sends it. Every key is optional. */
export interface EditorSettings {
  enable?: boolean;
  rules?: Record<string, string>;
  strict?: boolean | null;
  forkFunctions?: string[];
  noReturnFunctions?: string[];
  safeFunctions?: string[];
}

export interface EffectiveConfig {
  enable: boolean;
  config: VforklintConfig;
  /** The config file used, if any. */
  file?: string;
  /** One-line problems found in the settings or the file (shown to the user once). */
  problems: string[];
}

const SEVERITIES: ReadonlySet<string> = new Set(['error', 'warning', 'off']);
const LIST_KEYS = ['forkFunctions', 'noReturnFunctions', 'safeFunctions'] as const;
const FILE_KEYS = new Set(['$schema', 'rules', 'strict', ...LIST_KEYS]);

interface Parsed {
  config: VforklintConfig;
  enable?: boolean;
  problems: string[];
}

/** Validate a plain object as a vforklint configuration; unknown parts are dropped with a problem. */
export function validateConfig(raw: unknown, where: string, allowEditorKeys: boolean): Parsed {
  const problems: string[] = [];
  const config: VforklintConfig = {};
  let enable: boolean | undefined;
  if (raw === undefined || raw === null) return { config, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { config, problems: [`${where}: expected a JSON object, found ${Array.isArray(raw) ? 'an array' : typeof raw}`] };
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (key === 'rules') {
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${where}: "rules" must be an object of rule id to "error", "warning" or "off"`);
        continue;
      }
      const rules: Partial<Record<RuleId, Severity>> = {};
      for (const [id, sev] of Object.entries(value as Record<string, unknown>)) {
        const ruleId = id.replace(/^vforklint\//, '');
        if (!(RULE_IDS as readonly string[]).includes(ruleId)) {
          problems.push(`${where}: unknown rule "${id}" (known: ${RULE_IDS.join(', ')})`);
        } else if (typeof sev !== 'string' || !SEVERITIES.has(sev)) {
          problems.push(`${where}: rule "${id}" must be "error", "warning" or "off", not ${JSON.stringify(sev)}`);
        } else {
          rules[ruleId as RuleId] = sev as Severity;
        }
      }
      config.rules = rules;
    } else if (key === 'strict') {
      if (typeof value === 'boolean') config.strict = value;
      else problems.push(`${where}: "strict" must be true or false`);
    } else if ((LIST_KEYS as readonly string[]).includes(key)) {
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) config[key as (typeof LIST_KEYS)[number]] = value as string[];
      else problems.push(`${where}: "${key}" must be a list of function names`);
    } else if (allowEditorKeys && (key === 'enable' || key === 'trace')) {
      if (key === 'enable') {
        if (typeof value === 'boolean') enable = value;
        else problems.push(`${where}: "enable" must be true or false`);
      }
    } else if (!FILE_KEYS.has(key)) {
      problems.push(`${where}: unknown key "${key}" (expected one of rules, strict, forkFunctions, noReturnFunctions, safeFunctions)`);
    }
  }
  return { config, enable, problems };
}

/** Read a config file. A missing file is no problem; an unreadable or invalid one is, in one line. */
export function readConfigFile(path: string): Parsed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { config: {}, problems: [`${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { config: {}, problems: [`${path}: not valid JSON (${e instanceof Error ? e.message : String(e)}); fix it or delete it`] };
  }
  return validateConfig(raw, path, false);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * The config file for a document: the nearest `.vforklintrc.json` / `vforklint.config.json`
 * in its folder or above, not above the workspace folder that holds it.
 */
export function findConfigFile(documentPath: string, workspaceRoots: string[]): string | undefined {
  const abs = resolve(documentPath);
  const root = workspaceRoots.map((r) => resolve(r)).filter((r) => abs === r || abs.startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => b.length - a.length)[0];
  let dir = dirname(abs);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (isFile(candidate)) return candidate;
    }
    if (root !== undefined && dir === root) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Editor settings win over the file; lists are the union of both. */
export function mergeConfig(file: VforklintConfig, editor: VforklintConfig): VforklintConfig {
  const out: VforklintConfig = { ...file };
  if (file.rules || editor.rules) out.rules = { ...file.rules, ...editor.rules };
  if (editor.strict !== undefined) out.strict = editor.strict;
  for (const key of LIST_KEYS) {
    const joined = [...new Set([...(file[key] ?? []), ...(editor[key] ?? [])])];
    if (joined.length > 0) out[key] = joined;
  }
  return out;
}

/** Settings and file together, for one document. */
export function effectiveConfig(settings: unknown, documentPath: string | undefined, workspaceRoots: string[]): EffectiveConfig {
  const editor = validateConfig(settings, 'settings "vforklint"', true);
  const problems = [...editor.problems];
  let fileConfig: VforklintConfig = {};
  let file: string | undefined;
  if (documentPath) {
    file = findConfigFile(documentPath, workspaceRoots);
    if (file) {
      const parsed = readConfigFile(file);
      problems.push(...parsed.problems);
      fileConfig = parsed.config;
    }
  }
  return { enable: editor.enable ?? true, config: mergeConfig(fileConfig, editor.config), file, problems };
}
