import * as path from 'path';
import { mutateEnv, parseArgs } from '../../scripts/mutate';

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

test("Stryker's environment: the tests to run, --reuse-synth's switch, and the repository's OpenClaw for the sandboxed workers unless one is named", () => {
  const root = path.resolve(__dirname, '../..');
  expect(mutateEnv({ PATH: '/bin' }, ['test/a.test.ts', 'test/b.test.ts'], false)).toEqual({
    PATH: '/bin',
    OPENCLAW_CACHE_DIR: path.join(root, '.cache', 'openclaw'),
    MUTATE_TESTS: 'test/a.test.ts,test/b.test.ts',
  });
  expect(mutateEnv({ OPENCLAW_CACHE_DIR: '/opt/oc' }, [], true)).toEqual({ OPENCLAW_CACHE_DIR: '/opt/oc', MUTATE_TESTS: '', MUTATE_REUSE_SYNTH: '1' });
});
