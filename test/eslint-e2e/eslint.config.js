// A project that lints C, Go and TypeScript with one ESLint config.
// `vforklint/eslint-plugin` resolves to this repository (the package refers to itself).
import vforklint from 'vforklint/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['dist/**'] },
  // typescript-eslint's shared configs set languageOptions.parser without `files`;
  // the vforklint languages ignore JavaScript's languageOptions keys, so this is fine.
  ...tseslint.configs.recommended,
  ...vforklint.configs.recommended,
  {
    files: ['**/*.c', '**/*.h'],
    languageOptions: { noReturnFunctions: ['die'] },
  },
  {
    files: ['**/*.go'],
    rules: { 'vforklint/missing-norace': 'error' },
  },
];
