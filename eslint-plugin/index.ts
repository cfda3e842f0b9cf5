/**
 * vforklint's ESLint plugin, published as `vforklint/eslint-plugin`:
 *
 *   import vforklint from 'vforklint/eslint-plugin';
 *   export default [...vforklint.configs.recommended];
 *
 * - languages `vforklint/c` (`*.c`, `*.h`) and `vforklint/go` (`*.go`), tree-sitter based;
 * - one rule per core rule (`vforklint/child-returns`, ...), reporting the findings of the
 *   same `analyze()` the `vforklint` CLI runs, so both report the same findings;
 * - `vforklint/no-ffi-vfork` for JavaScript/TypeScript FFI bindings of vfork.
 */
import { readFileSync } from 'node:fs';
import type { ESLint, Linter } from 'eslint';
import { RULE_METAS, initParsers } from '../rules/index.js';
import { coreRules } from './core-rules.js';
import { createLanguage } from './language.js';
import { noFfiVfork } from './no-ffi-vfork.js';

// ESLint calls `parse` synchronously: the WebAssembly parsers must be loaded before it
// can. (So this module has a top-level await: load it with `import`, not `require()`.)
await initParsers();

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

type Severity = 'error' | 'warn';

/** Rules on by default for files of `language`, at the core's default severities. */
function recommendedRules(language: 'c' | 'go'): Record<string, Severity> {
  const rules: Record<string, Severity> = {};
  for (const meta of RULE_METAS) {
    if (meta.defaultSeverity === 'off') continue;
    // Go files carry C in cgo preambles, so C rules apply to them too.
    if (!meta.languages.includes(language) && !(language === 'go' && meta.languages.includes('c'))) continue;
    rules[`vforklint/${meta.id}`] = meta.defaultSeverity === 'warning' ? 'warn' : 'error';
  }
  return rules;
}

/** The plugin, typed as ESLint's own `Plugin` so it drops into a typed `eslint.config.ts`. */
export type VforklintPlugin = ESLint.Plugin & { configs: { recommended: Linter.Config[] } };

const plugin: VforklintPlugin = {
  meta: { name: 'vforklint/eslint-plugin', version: packageVersion(), namespace: 'vforklint' },
  languages: { c: createLanguage('c'), go: createLanguage('go') } as unknown as ESLint.Plugin['languages'],
  rules: { ...coreRules, 'no-ffi-vfork': noFfiVfork } as unknown as ESLint.Plugin['rules'],
  configs: { recommended: [] },
};

/**
 * Flat config: C files and Go files with their languages and rules, and `no-ffi-vfork` on
 * JavaScript/TypeScript files (parsed by whatever parser the user's config sets for them).
 */
const recommended: Linter.Config[] = [
  { name: 'vforklint/recommended/c', files: ['**/*.c', '**/*.h'], plugins: { vforklint: plugin }, language: 'vforklint/c', rules: recommendedRules('c') },
  { name: 'vforklint/recommended/go', files: ['**/*.go'], plugins: { vforklint: plugin }, language: 'vforklint/go', rules: recommendedRules('go') },
  {
    name: 'vforklint/recommended/js',
    files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'],
    plugins: { vforklint: plugin },
    rules: { 'vforklint/no-ffi-vfork': 'error' },
  },
];
plugin.configs.recommended = recommended;

export default plugin;
export { plugin, recommended };
export { VforklintSourceCode } from './source-code.js';
export type { VforklintLanguageOptions } from './language-options.js';
