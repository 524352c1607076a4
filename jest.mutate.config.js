// Jest configuration used ONLY by Stryker (`npm run mutate`, stryker.config.mjs).
// A mutant counts as killed only by a focused test, so this leaves out:
//  - whole-template snapshots (test/all-deployments.test.ts); any other toMatchSnapshot
//    is neutralised by test/support/mutate-no-snapshots.js, so it passes whatever it sees;
//  - the slow CLI runs (test/cli*.test.ts: the real CDK CLI, minutes per run).
// MUTATE_TESTS (set by scripts/mutate.ts --tests) narrows the run to the listed test files.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS jest config extending the project's
const base = require('./jest.config.js');

const only = (process.env.MUTATE_TESTS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // jest --findRelatedTests (stryker.config.mjs) walks jest's module graph, which holds
  // only the files under `roots`. With the base config's roots (test/ only), a test that
  // reaches the mutated file through another module (catalogue.test.ts -> catalogue.ts
  // -> controls/ec2.ts) is not "related", never runs against the mutant, and the mutant
  // is reported as surviving. So the graph also holds the mutated folders.
  roots: ['<rootDir>/test', '<rootDir>/lib', '<rootDir>/lambda', '<rootDir>/host'],
  reporters: ['default'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/all-deployments\\.test\\.ts$', '<rootDir>/test/cli[^/]*\\.test\\.ts$'],
  setupFilesAfterEnv: ['<rootDir>/test/support/mutate-no-snapshots.js'],
  ...(only.length ? { testMatch: only.map((f) => `<rootDir>/${f.replace(/^\.\//, '')}`) } : {}),
};
