// jose is published as ESM only. Node loads it through require(), but Jest's module system does not, so
// Jest compiles it to CommonJS like our own TypeScript.
const ESM_ONLY = ['jose'];

module.exports.esmPackages = {
  transform: {
    '^.+\\.ts$': 'ts-jest',
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
};
