import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

// Layering (DESIGN §3). The tsc projects are the first guard (each folder has its own lib/types);
// these rules catch what types alone cannot (an import of a module whose types happen to resolve).
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'stream', 'url', 'worker_threads'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['*.d.ts', 'out/**', 'dist/**', 'node_modules/**', '.tsbuild/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', 'echoscope-reports/**', '.peers/**'] },
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
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: restrict(['../electron/*', '../../electron/*', '../renderer/*', '../../renderer/*', 'electron', 'react', ...nodeBuiltins], 'shared/ is pure: no Node, DOM, Electron or renderer imports.'),
  },
  {
    files: ['electron/core/**/*.ts', 'electron/mock/**/*.ts', 'electron/cli/**/*.ts'],
    rules: restrict(['electron', '../../renderer/*', '../renderer/*', '**/electron/main/*', '../main/*'], 'core, mock and cli never import electron or the renderer.'),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/**/*.test.ts', 'renderer/**/*.test.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(['electron', '../electron/*', '../../electron/*', '../../../electron/*', ...nodeBuiltins], 'the renderer talks to main only through the App API bridge.'),
  },
  {
    files: ['e2e/**/*.ts'],
    rules: restrict(['../electron/*', '../renderer/*', '../shared/*'], 'e2e treats the app as a black box: selectors, API, CLI.'),
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

