import { parseArgs } from '../../scripts/mutate';

// The command line of `npm run mutate` (scripts/mutate.ts).

test('targets, tests, concurrency, --force and --reuse-synth', () => {
  expect(parseArgs(['lib/spend/live-checks.ts', 'lib/edge', '--tests', 'test/verify/a.test.ts,test/verify/b.test.ts', '--concurrency', '2', '--force', '--reuse-synth'])).toEqual({
    targets: ['lib/spend/live-checks.ts', 'lib/edge'],
    tests: ['test/verify/a.test.ts', 'test/verify/b.test.ts'],
    concurrency: '2',
    force: true,
    reuseSynth: true,
  });
  expect(parseArgs([])).toEqual({ targets: [], tests: [], concurrency: process.env.MUTATE_CONCURRENCY ?? '1', force: false, reuseSynth: false });
});

test('an unknown option is refused, naming the ones there are', () => {
  expect(() => parseArgs(['--reuse'])).toThrow('npm run mutate: unknown option --reuse (expected --tests, --concurrency, --force or --reuse-synth)');
});
