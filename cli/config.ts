/**
 * The CLI's configuration: the shared reader (config/) layered as
 * defaults < nearest config file < --config file < --rule/--strict flags, per directory.
 * Configuration errors become UsageErrors (one line, exit 2).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, ConfigFinder, SCHEMA_URL, analysisConfig, layerConfig, loadConfigFile as loadSharedConfigFile, normaliseSeverity, type LoadedConfigFile, type ResolvedConfig } from '../config/index.js';
import type { RuleId, Severity, VforklintConfig } from '../rules/index.js';
import { UsageError } from './errors.js';

export type CliConfig = ResolvedConfig;

/** The shared reader's one-line errors as the CLI's usage errors. */
function asUsageError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** Load one config file by explicit path (--config). */
export function loadConfigFile(path: string): LoadedConfigFile {
  return asUsageError(() => loadSharedConfigFile(resolve(path)));
}

export interface CliOverrides {
  rules: Partial<Record<RuleId, Severity>>;
  strict?: boolean;
}

/** Resolves the effective config for each directory (cached). */
export class ConfigResolver {
  private readonly finder = new ConfigFinder();
  private readonly cache = new Map<string, CliConfig>();
  private readonly flags: ResolvedConfig;

  constructor(
    private readonly explicit: LoadedConfigFile | null,
    overrides: CliOverrides,
    private readonly lookup: boolean,
  ) {
    this.flags = {
      ...(Object.keys(overrides.rules).length ? { rules: overrides.rules } : {}),
      ...(overrides.strict !== undefined ? { strict: overrides.strict } : {}),
    };
  }

  private discovered(dir: string): LoadedConfigFile | null {
    return this.lookup ? asUsageError(() => this.finder.nearest(dir)) : null;
  }

  forDirectory(dir: string): CliConfig {
    let c = this.cache.get(dir);
    if (c) return c;
    c = layerConfig(layerConfig(layerConfig({}, this.discovered(dir)?.config), this.explicit?.config), this.flags);
    this.cache.set(dir, c);
    return c;
  }

  /** The analysis config (without front-end keys) for a directory. */
  analysisConfig(dir: string): VforklintConfig {
    return analysisConfig(this.forDirectory(dir));
  }

  /** Which config files apply in this directory (for --print-config). */
  sourceFor(dir: string): string[] {
    const out: string[] = [];
    const d = this.discovered(dir);
    if (d) out.push(d.path);
    if (this.explicit) out.push(this.explicit.path);
    return out;
  }
}

/**
 * The rule ids a configuration may name: the schema's, which configuration files are
 * validated against (and which a test holds equal to the rule registry). Read from the
 * schema, not the registry, so that start-up loads no rule (nor tree-sitter with them).
 */
function knownRuleIds(): string[] {
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as { properties: { rules: { properties: Record<string, unknown> } } };
  return Object.keys(schema.properties.rules.properties);
}

export function parseRuleFlag(value: string): [RuleId, Severity] {
  const m = /^\s*([\w-]+)\s*[:=]\s*(\w+)\s*$/.exec(value);
  if (!m) throw new UsageError(`--rule "${value}": expected id:severity, e.g. --rule child-unsafe-call:warn`);
  const [, id, spelling] = m as unknown as [string, string, string];
  if (!knownRuleIds().includes(id)) throw new UsageError(`--rule "${value}": unknown rule "${id}" (see --list-rules)`);
  const severity = normaliseSeverity(spelling);
  if (!severity) throw new UsageError(`--rule "${value}": severity must be off, warn (or warning), error, or 0, 1, 2`);
  return [id as RuleId, severity];
}
