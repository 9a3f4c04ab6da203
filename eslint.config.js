import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layering (DESIGN §3) is not here: dependency-cruiser enforces it as an allowlist
// (.dependency-cruiser.cjs, `npm run lint:deps`, run by `npm run lint`), and each folder's tsc
// project guards the globals (its own lib/types: no `document` in shared, no `process` in the
// renderer). Eslint keeps what neither can see: an import whose name is computed at run time
// (`import(name)`, `createRequire`, `require(name)`) in production code would pass both, so it
// is banned there; and which globals a folder's code may assume.

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
    files: ['electron/**/*.ts', 'shared/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.type!="Literal"]', message: 'import() of a computed name hides a dependency from the layer rules (.dependency-cruiser.cjs); import a literal.' },
        { selector: 'CallExpression[callee.name=/^(require|createRequire)$/]', message: 'require/createRequire hides a dependency from the layer rules (.dependency-cruiser.cjs); use a static import.' },
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
);
