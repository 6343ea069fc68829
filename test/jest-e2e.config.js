// End-to-end specs: the real AppModule over SQLite or PostgreSQL. Run through `npm run test:e2e` (test/run-e2e.js).
const { esmPackages } = require('./jest-esm');

module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/.*\\.e2e-spec\\.ts$',
  ...esmPackages,
  testTimeout: 30000,
};
