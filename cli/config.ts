/**
 * Configuration for the CLI: finding config files from each file's directory upward,
 * validating them against vforklint.schema.json, and layering
 * defaults < discovered file < --config file < --rule/--strict flags.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { RULE_IDS } from '../rules/index.js';
import type { RuleId, Severity, VforklintConfig } from '../rules/index.js';
import { UsageError } from './errors.js';

/** VforklintConfig plus the CLI-only keys. */
export interface CliConfig extends VforklintConfig {
  /** .gitignore-syntax patterns, each relative to `base`. */
  ignorePatterns?: Array<{ base: string; pattern: string }>;
}

/** What a config file holds after validation (ignorePatterns still plain strings). */
export interface FileConfig extends VforklintConfig {
  $schema?: string;
  ignorePatterns?: string[];
}

export const CONFIG_FILE_NAMES = ['.vforklintrc.json', 'vforklint.config.json', 'package.json'] as const;

export const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../vforklint.schema.json');

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
  // Loaded on first use: most runs in a tree without config files never need it.
  const mod = createRequire(import.meta.url)('ajv') as { default?: unknown };
  const Ajv = (mod.default ?? mod) as new (o: object) => { compile(s: object): ValidateFunction };
  const ajv = new Ajv({ allErrors: false, strict: false });
  validator = ajv.compile(schema);
  return validator;
}

function keyPath(err: ErrorObject): string {
  const parts = err.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (err.keyword === 'additionalProperties') parts.push(String((err.params as { additionalProperty: string }).additionalProperty));
  return parts.length ? parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') : '(top level)';
}

function describe(err: ErrorObject): string {
  switch (err.keyword) {
    case 'additionalProperties': {
      const parent = err.instancePath;
      if (parent === '/rules') return `unknown rule (known rules: ${RULE_IDS.join(', ')})`;
      return 'unknown key (allowed: rules, strict, forkFunctions, noReturnFunctions, safeFunctions, ignorePatterns, $schema)';
    }
    case 'enum':
      return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be ${(err.params as { type: string }).type}`;
    case 'pattern':
      return 'must be a function name (letters, digits, _ and .)';
    case 'uniqueItems':
      return 'has duplicate entries';
    default:
      return err.message ?? 'is invalid';
  }
}

/** Validate a parsed config object; throws a one-line UsageError naming the file and the key. */
export function validateConfig(value: unknown, source: string): FileConfig {
  const validate = schemaValidator();
  if (!validate(value)) {
    const err = validate.errors![0]!;
    throw new UsageError(`${source}: "${keyPath(err)}" ${describe(err)}`);
  }
  return value as FileConfig;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`${path}: invalid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

export interface LoadedConfigFile {
  path: string;
  config: FileConfig;
}

/** Load one config file by explicit path (--config): plain JSON, or package.json's "vforklint" key. */
export function loadConfigFile(path: string): LoadedConfigFile {
  const abs = resolve(path);
  const json = readJson(abs);
  if (abs.endsWith('package.json') && json && typeof json === 'object' && !Array.isArray(json)) {
    const v = (json as Record<string, unknown>).vforklint;
    if (v === undefined) throw new UsageError(`${abs}: has no "vforklint" key`);
    return { path: abs, config: validateConfig(v, `${abs} ("vforklint" key)`) };
  }
  return { path: abs, config: validateConfig(json, abs) };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Finds the nearest config file for a directory, walking upward; results are cached per directory. */
export class ConfigFinder {
  private readonly byDir = new Map<string, LoadedConfigFile | null>();

  /** The nearest config file at or above `dir` (null when there is none). */
  nearest(dir: string): LoadedConfigFile | null {
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached;
    let found: LoadedConfigFile | null = null;
    for (const name of CONFIG_FILE_NAMES) {
      const p = join(dir, name);
      if (!isFile(p)) continue;
      if (name === 'package.json') {
        const json = readJson(p);
        if (json && typeof json === 'object' && !Array.isArray(json) && 'vforklint' in json) {
          found = { path: p, config: validateConfig((json as Record<string, unknown>).vforklint, `${p} ("vforklint" key)`) };
          break;
        }
        continue;
      }
      found = { path: p, config: validateConfig(readJson(p), p) };
      break;
    }
    if (!found) {
      const parent = dirname(dir);
      found = parent === dir ? null : this.nearest(parent);
    }
    this.byDir.set(dir, found);
    return found;
  }
}

export interface CliOverrides {
  rules: Partial<Record<RuleId, Severity>>;
  strict?: boolean;
}

function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a && !b) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

/** Layer one config file over an effective config. */
export function layer(base: CliConfig, file: LoadedConfigFile | null): CliConfig {
  if (!file) return base;
  const c = file.config;
  const out: CliConfig = { ...base };
  if (c.rules) out.rules = { ...base.rules, ...c.rules };
  if (c.strict !== undefined) out.strict = c.strict;
  out.forkFunctions = union(base.forkFunctions, c.forkFunctions);
  out.noReturnFunctions = union(base.noReturnFunctions, c.noReturnFunctions);
  out.safeFunctions = union(base.safeFunctions, c.safeFunctions);
  if (c.ignorePatterns) out.ignorePatterns = [...(base.ignorePatterns ?? []), ...c.ignorePatterns.map((pattern) => ({ base: dirname(file.path), pattern }))];
  for (const k of ['forkFunctions', 'noReturnFunctions', 'safeFunctions', 'ignorePatterns'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

export function applyOverrides(base: CliConfig, o: CliOverrides): CliConfig {
  const out: CliConfig = { ...base };
  if (Object.keys(o.rules).length) out.rules = { ...base.rules, ...o.rules };
  if (o.strict !== undefined) out.strict = o.strict;
  return out;
}

/** Resolves the effective config for each directory (cached). */
export class ConfigResolver {
  private readonly finder = new ConfigFinder();
  private readonly cache = new Map<string, CliConfig>();

  constructor(
    private readonly explicit: LoadedConfigFile | null,
    private readonly overrides: CliOverrides,
    private readonly lookup: boolean,
  ) {}

  forDirectory(dir: string): CliConfig {
    let c = this.cache.get(dir);
    if (c) return c;
    const discovered = this.lookup ? this.finder.nearest(dir) : null;
    c = applyOverrides(layer(layer({}, discovered), this.explicit), this.overrides);
    this.cache.set(dir, c);
    return c;
  }

  /** The analysis config (without CLI-only keys) for a directory. */
  analysisConfig(dir: string): VforklintConfig {
    const { ignorePatterns: _ignored, ...rest } = this.forDirectory(dir);
    void _ignored;
    return rest;
  }

  /** Which config file applies in this directory (for --print-config). */
  sourceFor(dir: string): string[] {
    const out: string[] = [];
    const d = this.lookup ? this.finder.nearest(dir) : null;
    if (d) out.push(d.path);
    if (this.explicit) out.push(this.explicit.path);
    return out;
  }
}

export function parseRuleFlag(value: string): [RuleId, Severity] {
  const m = /^\s*([\w-]+)\s*[:=]\s*(\w+)\s*$/.exec(value);
  if (!m) throw new UsageError(`--rule "${value}": expected id:severity, e.g. --rule child-unsafe-call:warning`);
  const [, id, sev] = m as unknown as [string, string, string];
  if (!(RULE_IDS as string[]).includes(id)) throw new UsageError(`--rule "${value}": unknown rule "${id}" (see --list-rules)`);
  const severity = sev === 'warn' ? 'warning' : sev;
  if (severity !== 'error' && severity !== 'warning' && severity !== 'off') throw new UsageError(`--rule "${value}": severity must be error, warning or off`);
  return [id as RuleId, severity];
}
