/**
 * The one normaliser: every configuration key, how its schema-valid value becomes what the
 * front ends and the core use, and how a later layer (a nearer file, editor settings, CLI
 * flags, ESLint languageOptions) combines with an earlier one.
 *
 * Adding a key: describe it in vforklint.schema.json, add it to VforklintConfig (if the
 * core reads it) or to ResolvedConfig (if only front ends do), and give it a row in KEYS.
 * The type of KEYS makes the row compulsory; test/config-reader.test.ts checks the schema
 * and KEYS name the same keys. No front end names keys.
 */
import { resolve } from 'node:path';
import type { RuleId, Severity, VforklintConfig } from '../rules/index.js';

/** A path pattern with the directory it is relative to. */
export interface BasedPattern {
  base: string;
  pattern: string;
}

/** The effective configuration: what the core reads plus keys only front ends read. */
export interface ResolvedConfig extends VforklintConfig {
  /** .gitignore-syntax patterns of files to skip, each relative to its `base`. */
  ignorePatterns?: BasedPattern[];
}

/** Where a configuration object came from: its name in messages, the directory relative paths start from. */
export interface ConfigSource {
  name: string;
  dir: string;
}

type Key = keyof ResolvedConfig;

interface KeySpec<K extends Key> {
  /** The schema-valid value as the configuration holds it. */
  normalise(value: unknown, source: ConfigSource): NonNullable<ResolvedConfig[K]>;
  /** A later layer's value: replaces, merges key by key (objects), joins without repeats, or appends (lists). */
  merge: 'replace' | 'merge' | 'union' | 'append';
  /** Whether the analysis core reads the key; the others tell a front end what to do (e.g. which files to skip). */
  analysis: boolean;
}

/** Every spelling of a severity, ESLint's included, and the core's word for it. */
const SEVERITY_SPELLINGS: ReadonlyMap<string | number, Severity> = new Map<string | number, Severity>([
  ['off', 'off'],
  [0, 'off'],
  ['warn', 'warning'],
  ['warning', 'warning'],
  [1, 'warning'],
  ['error', 'error'],
  [2, 'error'],
]);

export const SEVERITY_WORDS = [...SEVERITY_SPELLINGS.keys()];

/** The core's Severity for any accepted spelling ("warn", 1, ...); undefined for anything else. */
export function normaliseSeverity(value: unknown): Severity | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return SEVERITY_SPELLINGS.get(value) ?? (typeof value === 'string' && /^[012]$/.test(value) ? SEVERITY_SPELLINGS.get(Number(value)) : undefined);
}

const names = (value: unknown): string[] => [...(value as string[])];

const KEYS: { [K in Key]-?: KeySpec<K> } = {
  rules: {
    normalise: (value) => {
      const out: Partial<Record<RuleId, Severity>> = {};
      for (const [id, spelling] of Object.entries(value as Record<string, unknown>)) out[id as RuleId] = normaliseSeverity(spelling)!;
      return out;
    },
    merge: 'merge',
    analysis: true,
  },
  strict: { normalise: (value) => value as boolean, merge: 'replace', analysis: true },
  forkFunctions: { normalise: names, merge: 'union', analysis: true },
  noReturnFunctions: { normalise: names, merge: 'union', analysis: true },
  safeFunctions: { normalise: names, merge: 'union', analysis: true },
  ignorePatterns: {
    normalise: (value, source) => (value as string[]).map((pattern) => ({ base: resolve(source.dir), pattern })),
    merge: 'append',
    analysis: false,
  },
};

/** The keys a configuration may hold besides `$schema` (the schema says the same; a test checks). */
export const CONFIG_KEYS = Object.keys(KEYS) as Key[];

function isKey(key: string): key is Key {
  return Object.hasOwn(KEYS, key);
}

/** A schema-valid configuration object as a ResolvedConfig. Keys it does not know (`$schema`) are dropped. */
export function normaliseConfig(valid: Record<string, unknown>, source: ConfigSource): ResolvedConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(valid)) {
    if (isKey(key) && value !== undefined) out[key] = KEYS[key].normalise(value, source);
  }
  return out as ResolvedConfig;
}

function combine(spec: KeySpec<Key>, before: unknown, after: unknown): unknown {
  if (before === undefined) return after;
  switch (spec.merge) {
    case 'replace':
      return after;
    case 'merge':
      return { ...(before as object), ...(after as object) };
    case 'union':
      return [...new Set([...(before as unknown[]), ...(after as unknown[])])];
    case 'append':
      return [...(before as unknown[]), ...(after as unknown[])];
  }
}

/** `over` layered on `base`: what `over` says wins; lists are joined; rule severities merge. */
export function layerConfig(base: ResolvedConfig, over: ResolvedConfig | null | undefined): ResolvedConfig {
  if (!over) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined || !isKey(key)) continue;
    out[key] = combine(KEYS[key] as KeySpec<Key>, out[key], value);
  }
  return out as ResolvedConfig;
}

/** The part of a configuration the analysis core reads. */
export function analysisConfig(config: ResolvedConfig): VforklintConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (isKey(key) && KEYS[key].analysis && value !== undefined) out[key] = value;
  return out as VforklintConfig;
}
