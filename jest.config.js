// Two projects: `unit` (fast, no processes) and `integration` (real server processes and sockets).
// `npm test` runs both; `npm run test:unit` only the first.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
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
  // A project-level testTimeout is not honoured; 60 s bounds the multi-process hooks and tests.
  testTimeout: 60_000,
};
