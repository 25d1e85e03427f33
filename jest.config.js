/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `npm run typecheck`; transpiling only keeps the suite fast.
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Suites run on virtual time; the bound only catches hangs, and shared 2-core machines can be slow.
  testTimeout: 120000,
};
