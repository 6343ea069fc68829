// Browser tests of the demo web client: Chromium (playwright-core) against the real app on 127.0.0.1, SQLite.
// `npm run test:browser`; the client is built first (global-setup.js).
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'test/browser/.*\\.browser-spec\\.ts$',
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/browser/global-setup.js',
  testTimeout: 60000,
};
