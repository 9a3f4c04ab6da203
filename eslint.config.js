import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// Layering (DESIGN §3) is not here: dependency-cruiser enforces it as an allowlist
// (.dependency-cruiser.cjs, `npm run lint:deps`, run by `npm run lint`), and each folder's tsc
// project guards the globals (its own lib/types: no `document` in shared, no `process` in the
// renderer). Eslint keeps what neither can see: an import whose name is computed at run time
// (`import(name)`, `createRequire`, `require(name)`) in production code would pass both, so it
// is banned there; and which globals a folder's code may assume.

export default tseslint.config(
  {
    ignores: ['*.d.ts', 'out/**', 'dist/**', 'node_modules/**', '.tsbuild/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', 'echoscope-reports/**', '.peers/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.type!="Literal"]',
          message: 'import() of a computed name hides a dependency from the layer rules (.dependency-cruiser.cjs); import a literal.',
        },
        {
          selector: 'CallExpression[callee.name=/^(require|createRequire)$/]',
          message: 'require/createRequire hides a dependency from the layer rules (.dependency-cruiser.cjs); use a static import.',
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    languageOptions: { globals: {} },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The example's Echo page: a plain browser script, pusher-js and laravel-echo loaded as globals before it.
    files: ['examples/**/echo-page/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, Echo: 'readonly', Pusher: 'readonly' } },
  },
  // ---- Typed linting: promises (issue 16, item 6) ----
  // Every .ts/.tsx file belongs to one of the tsc projects referenced from tsconfig.json; the
  // project service finds it. Plain JS config and scripts are linted without type information.
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs', 'types/**/*.d.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  // ---- React hooks (issue 16, item 6) ----
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  // ---- end typed linting / react hooks ----
);
