// Stryker (mutation testing) configuration: `npm run mutate` (scripts/mutate.ts) runs it.
// See docs/testing.md, "Mutation testing". Not a CI gate: a whole run takes hours on 2 cores.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.mutate.config.js',
    // Only test files that import the mutated code run (jest --findRelatedTests).
    enableFindRelatedTests: true,
  },
  // Each mutant runs only the tests that executed its code in the dry run. Code that
  // runs at module load or in beforeAll (most CDK synths) is "static": such a mutant
  // runs every test file of the run, so narrow the run with --tests.
  coverageAnalysis: 'perTest',
  // `mutate` is always given by scripts/mutate.ts (the control folders, or the
  // folders, files or globs named on its command line).
  // No type checker plugin is installed: mutants that would not type-check still run
  // (ts-jest only transpiles), and are killed or survive like any other.
  checkers: [],
  // Mutants in the text of a zod `.describe(...)` (a config key's documentation) are not
  // run; they are reported as Ignored with the reason (scripts/stryker/describe-text-ignorer.mjs).
  plugins: ['@stryker-mutator/*', './scripts/stryker/describe-text-ignorer.mjs'],
  ignorers: ['describe-text'],
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  incremental: true,
  // scripts/mutate.ts points this at a working copy of the committed
  // reports/mutation/stryker-incremental.json and merges the result back per file.
  incrementalFile: 'reports/mutation/.run-incremental.json',
  reporters: ['json', 'progress', 'clear-text'],
  jsonReporter: { fileName: 'reports/mutation/last-run.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  // .ci stays: tests that run the real OpenClaw call .ci/install-openclaw.sh (a no-op when the
  // install in OPENCLAW_CACHE_DIR, set by scripts/mutate.ts, matches the lockfile). docs stays:
  // tests read the runbooks an alarm points at.
  ignorePatterns: ['cdk.out', '.cache', 'coverage', 'reports', '.github', '.stryker-tmp'],
  timeoutMS: 60000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 90,
  thresholds: { high: 95, low: 80, break: null },
  warnings: { slow: false },
};
