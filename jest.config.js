/** TypeScript through swc, with decorator metadata (entities and GraphQL types). */
const typescript = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // jose is ESM only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};

/**
 * Two projects: `unit` (test/unit: the pure rules, no database, seconds) and `integration`
 * (everything else, on real PostgreSQL started once by globalSetup). `npm test` runs both;
 * `npx jest --selectProjects unit` runs the unit tests alone without starting PostgreSQL.
 * @type {import('jest').Config}
 */
module.exports = {
  projects: [
    {
      ...typescript,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
    },
    {
      ...typescript,
      displayName: 'integration',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/'],
      setupFilesAfterEnv: ['<rootDir>/test/helpers/release-observers.ts'],
      globalSetup: '<rootDir>/test/global-setup.mjs',
      globalTeardown: '<rootDir>/test/global-teardown.mjs',
    },
  ],
  // A global option (jest ignores it inside projects): the integration tests run real workloads.
  testTimeout: 120000,
  maxWorkers: 2,
  // A worker whose heap passed this after a test file is replaced by a fresh one. Each file leaves
  // a little behind in its worker (modules jest loads per file, kept by what Node shares across
  // them); a worker that ended the run with ~550 MB took longer than jest's 500 ms to exit.
  workerIdleMemoryLimit: '400MB',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
