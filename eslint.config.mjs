// Lint: ESLint with typescript-eslint's strict type-checked rules; formatting is Prettier's
// (`npm run format:check`). Rule options below differ from the preset only where a comment says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.sandbox/',
      'coverage/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers print the same everywhere in a template; the rule still rejects objects, nullish
      // values and unions that would print "[object Object]" or "undefined".
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `const { dropped: _dropped, ...rest } = value` is how a copy leaves out a field; the names
      // that only mark what is left out are not unused code.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Test fakes and the sandbox's stand-ins implement async ports (stores, queues, clients) without
    // awaiting anything. `async` keeps them faithful to the real adapters: a throw inside becomes a
    // rejected promise, as it would from AWS. Rewriting each as `Promise.resolve(...)` would change
    // that and read worse.
    files: ['test/**/*.ts', 'sandbox/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // Jest's asymmetric matchers (expect.any, expect.objectContaining, expect.stringMatching, ...)
    // are typed `any` by @types/jest, so every expected object that uses one is an "unsafe
    // assignment". JSON read in tests is typed where it is read, and member access, calls and
    // arguments on `any` stay errors.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
);
