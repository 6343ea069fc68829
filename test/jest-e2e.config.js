// End-to-end specs: the real AppModule over SQLite or PostgreSQL. Run through `npm run test:e2e` (test/run-e2e.js).
module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
};
