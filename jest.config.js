// Unit specs sit next to the code they test (*.spec.ts under src).
const { esmPackages } = require('./test/jest-esm');

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: 'src/.*\\.spec\\.ts$',
  ...esmPackages,
  collectCoverageFrom: ['src/**/*.ts', '!src/main.ts', '!src/database/migrations/**'],
};
