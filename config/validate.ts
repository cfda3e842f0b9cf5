/**
 * Validation of a plain configuration object against vforklint.schema.json (ajv), with one
 * line per problem: where it is, which key, what is wrong and what is allowed. Valid
 * objects are normalised (normalise.ts). Every front end validates through here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from './errors.js';
import { normaliseConfig, type ConfigSource, type ResolvedConfig } from './normalise.js';

export const SCHEMA_URL = new URL('../../vforklint.schema.json', import.meta.url);

interface Schema {
  properties: Record<string, unknown> & { rules: { properties: Record<string, unknown> } };
}

let compiled: { schema: Schema; validate: ValidateFunction } | undefined;

/** The shipped schema and its compiled validator, loaded on first use. */
export function configSchema(): { schema: Schema; validate: ValidateFunction } {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Schema;
  // ajv is required lazily: most runs in a tree without configuration files never need it.
  const mod = createRequire(import.meta.url)('ajv') as { default?: unknown };
  const Ajv = (mod.default ?? mod) as new (o: object) => { compile(s: object): ValidateFunction };
  compiled = { schema, validate: new Ajv({ allErrors: false, strict: false }).compile(schema) };
  return compiled;
}

function keyPath(err: ErrorObject): string {
  const parts = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (err.keyword === 'additionalProperties') parts.push(String((err.params as { additionalProperty: string }).additionalProperty));
  return parts.length ? parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') : '(top level)';
}

function describe(err: ErrorObject, schema: Schema): string {
  switch (err.keyword) {
    case 'additionalProperties':
      if (err.instancePath === '/rules') return `unknown rule (known rules: ${Object.keys(schema.properties.rules.properties).join(', ')})`;
      return `unknown key (allowed: ${Object.keys(schema.properties).join(', ')})`;
    case 'enum':
      return `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be ${(err.params as { type: string }).type}`;
    case 'pattern':
      return 'must be a function name (letters, digits, _ and .; a fork function may end in ":raw")';
    case 'uniqueItems':
      return 'has duplicate entries; list each name once';
    case 'minLength':
      return 'must not be empty';
    default:
      return err.message ?? 'is invalid';
  }
}

/** A plain object checked against the schema and normalised; anything else is a one-line ConfigError. */
export function validateConfig(value: unknown, source: ConfigSource): ResolvedConfig {
  const { schema, validate } = configSchema();
  if (!validate(value)) {
    const err = validate.errors![0]!;
    throw new ConfigError(`${source.name}: "${keyPath(err)}" ${describe(err, schema)}`);
  }
  return normaliseConfig(value as Record<string, unknown>, source);
}
