/**
 * The configuration of a C or Go file linted by ESLint, read by the shared reader (config/):
 *
 * - the configuration file the CLI would use for the file (`.vforklintrc.json`,
 *   `vforklint.config.json` or package.json's `vforklint` key, nearest at or above it);
 * - layered under `languageOptions` for `vforklint/c` and `vforklint/go`, which take the
 *   same keys with the same validation and messages:
 *
 *     languageOptions: { strict: true, forkFunctions: ['xvfork'], safeFunctions: ['my_log'] }
 *
 * How ESLint uses each key (decided here, for this front end):
 * - `strict`, `forkFunctions`, `noReturnFunctions`, `safeFunctions`: the analysis, as in the CLI.
 * - `rules`: ESLint's own `rules` decide which rules run and at what severity (ESLint gives
 *   a rule one severity per file); a rule the vforklint configuration turns "off" reports
 *   nothing, so ESLint never shows a finding the CLI and the editor turned off.
 * - `ignorePatterns`: a file they match gets no findings, as the CLI skips it (ESLint's own
 *   `ignores` remain the ESLint way to keep a file from being linted at all). In
 *   languageOptions, patterns are relative to the working directory.
 * A broken configuration file is a one-line parsing error on each file it governs.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { layerConfig, nearestConfigFile, validateConfig, type ResolvedConfig } from '../config/index.js';

/** The vforklint configuration keys (see vforklint.schema.json); JavaScript's keys are tolerated. */
export type VforklintLanguageOptions = Record<string, unknown>;

export const LANGUAGE_OPTIONS_NAME = 'ESLint languageOptions';

/**
 * JavaScript's languageOptions keys. Flat configs often set them without `files` (and
 * `typescript-eslint`'s shared configs set `parser` globally), so they reach C and Go files
 * too; they mean nothing here and are ignored, as `@eslint/json` and `@eslint/css` do.
 */
const JAVASCRIPT_KEYS = new Set<string>(['ecmaVersion', 'sourceType', 'globals', 'parser', 'parserOptions']);

const normalised = new WeakMap<object, ResolvedConfig>();

/** languageOptions as a configuration; throws one line naming the bad key and what it should be. */
export function languageOptionsConfig(options: VforklintLanguageOptions | undefined): ResolvedConfig {
  if (options === undefined) return {};
  if (options !== null && typeof options === 'object') {
    const known = normalised.get(options);
    if (known) return known;
  }
  const own = options !== null && typeof options === 'object' && !Array.isArray(options) ? Object.fromEntries(Object.entries(options).filter(([k]) => !JAVASCRIPT_KEYS.has(k))) : options;
  const config = validateConfig(own, { name: LANGUAGE_OPTIONS_NAME, dir: process.cwd() });
  normalised.set(options, config);
  return config;
}

/** ESLint's check of the merged languageOptions. */
export function validateLanguageOptions(options: VforklintLanguageOptions): void {
  languageOptionsConfig(options);
}

/** Whether ESLint names a real file (not `<text>` from lintText without a file name). */
function onDisk(path: string | undefined): path is string {
  return !!path && !/^<.*>$/.test(path);
}

/** The configuration for one file: its configuration file, then languageOptions. Throws ConfigError. */
export function configForFile(path: string | undefined, options: VforklintLanguageOptions | undefined): ResolvedConfig {
  const file = onDisk(path) ? nearestConfigFile(dirname(isAbsolute(path) ? path : resolve(path))) : null;
  return layerConfig(layerConfig({}, file?.config), languageOptionsConfig(options));
}
