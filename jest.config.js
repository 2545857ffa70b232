// Three projects: `unit` (fast, no processes), `integration` (real server processes and sockets) and `e2e`
// (the browser client in headless Chromium). `npm test` runs them all; `npm run test:unit` only the first.
const os = require('node:os');

const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
// The client library (client/, ESM) is tested from its TypeScript source: its package name goes to
// src/index.ts, and its ESM-style `./x.js` imports to the `./x.ts` beside them.
const moduleNameMapper = { '^chatofpomelo-client$': '<rootDir>/client/src/index.ts', '^(\\.{1,2}/.*)\\.js$': '$1' };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testEnvironment: '<rootDir>/test/helpers/failure-environment.js',
      transform,
      moduleNameMapper,
      slowTestThreshold: 30,
    },
    {
      // The browser client in headless Chromium (/usr/bin/chromium) against a real cluster.
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      testEnvironment: '<rootDir>/test/helpers/failure-environment.js',
      transform,
      moduleNameMapper,
      slowTestThreshold: 30,
    },
  ],
  // A project-level testTimeout is not honoured; 60 s bounds the multi-process hooks and tests.
  testTimeout: 60_000,
  // Two test files at a time even on 2 cores, where jest's default (cores - 1) is one: a file spends most of its
  // time waiting for the processes it started, and one at a time took the suite past 5 minutes there.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
};
