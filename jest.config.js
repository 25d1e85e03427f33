/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `npm run typecheck`; transpiling only keeps the suite fast.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
};
