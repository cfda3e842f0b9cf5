/**
 * `languageOptions` for `vforklint/c` and `vforklint/go`: the parts of VforklintConfig that
 * are not rule severities (those are ESLint's `rules`).
 *
 *   languageOptions: { strict: true, forkFunctions: ['xvfork'], safeFunctions: ['my_log'] }
 */
export interface VforklintLanguageOptions {
  strict?: boolean;
  forkFunctions?: string[];
  noReturnFunctions?: string[];
  safeFunctions?: string[];
  [key: string]: unknown;
}

const LIST_KEYS = ['forkFunctions', 'noReturnFunctions', 'safeFunctions'] as const;
const KNOWN = new Set<string>(['strict', ...LIST_KEYS]);
/**
 * JavaScript's languageOptions keys. Flat configs often set them without `files` (and
 * `typescript-eslint`'s shared configs set `parser` globally), so they reach C and Go files
 * too; they mean nothing here and are ignored, as `@eslint/json` and `@eslint/css` do.
 */
const JAVASCRIPT_KEYS = new Set<string>(['ecmaVersion', 'sourceType', 'globals', 'parser', 'parserOptions']);

/** Throws one line naming the bad key and what it should be. */
export function validateLanguageOptions(options: VforklintLanguageOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('vforklint: languageOptions must be an object.');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key) && !JAVASCRIPT_KEYS.has(key)) {
      throw new TypeError(`vforklint: unknown languageOptions key "${key}" (expected one of: ${[...KNOWN].join(', ')}).`);
    }
  }
  if (options.strict !== undefined && typeof options.strict !== 'boolean') {
    throw new TypeError('vforklint: languageOptions.strict must be true or false.');
  }
  for (const key of LIST_KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
      throw new TypeError(`vforklint: languageOptions.${key} must be an array of function names (non-empty strings).`);
    }
  }
}
