// Browser tests of the demo web client: Chromium (playwright-core) against the real app on 127.0.0.1, SQLite.
// `npm run test:browser`; the client is built first (global-setup.js).
const { esmPackages } = require('../jest-esm');

module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/browser/.*\\.browser-spec\\.ts$',
  ...esmPackages,
  globalSetup: '<rootDir>/test/browser/global-setup.js',
  testTimeout: 60000,
};
