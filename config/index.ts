/**
 * The one configuration reader for the CLI, the language server and the ESLint plugin:
 * files and their lookup (load.ts), the schema check (validate.ts), the keys and how
 * layers combine (normalise.ts), `ignorePatterns` (ignore.ts).
 */
export { ConfigError } from './errors.js';
export { CONFIG_FILE_NAMES, ConfigFinder, configFileIn, loadConfigFile, nearestConfigFile, type LoadedConfigFile } from './load.js';
export { CONFIG_KEYS, SEVERITY_WORDS, analysisConfig, layerConfig, normaliseSeverity, type BasedPattern, type ConfigSource, type ResolvedConfig } from './normalise.js';
export { SCHEMA_URL, configSchema, validateConfig } from './validate.js';
export { isIgnoredBy } from './ignore.js';
