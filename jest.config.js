/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/client-examples', '<rootDir>/sdk/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['reflect-metadata'],
  // Each API test file starts its own server and database; two cores, two workers.
  maxWorkers: 2,
  testTimeout: 60_000,
};
