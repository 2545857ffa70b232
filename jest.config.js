// Two projects: `unit` (fast, no processes) and `integration` (real server processes and sockets).
// `npm test` runs both; `npm run test:unit` only the first.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  // Jest takes testTimeout (tests and hooks) from the top level only, not from a project. Integration hooks
  // start whole clusters; unit tests finish in milliseconds either way.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testEnvironment: '<rootDir>/test/helpers/failure-environment.js',
      transform,
      slowTestThreshold: 30,
    },
  ],
};
