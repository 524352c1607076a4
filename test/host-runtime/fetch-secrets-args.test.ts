import { parseOptions, USAGE } from '../../host/fetch-secrets/args';
import { SecretsFailure } from '../../host/fetch-secrets/failure';

// Focused in-process checks of the command line of fetch-secrets.js (host/fetch-secrets/args.ts).

const BASE = ['--manifest', '/m', '--uid', '0', '--gid', '0'];

function failure(argv: string[]): SecretsFailure {
  try {
    parseOptions(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(SecretsFailure);
    return e as SecretsFailure;
  }
  throw new Error(`parseOptions(${JSON.stringify(argv)}) did not throw`);
}

test('a missing or empty --manifest is refused with its pinned message', () => {
  for (const argv of [['--uid', '0', '--gid', '0'], ['--manifest', '', '--uid', '0', '--gid', '0']]) {
    const f = failure(argv);
    expect(f.reason).toBe('Usage');
    expect(f.exitCode).toBe(2);
    expect(f.message).toBe(`Usage: command line: --manifest is required; ${USAGE}`);
  }
});

test('positional arguments are refused', () => {
  expect(failure([...BASE, 'extra']).message).toMatch(/^Usage: command line: Unexpected argument 'extra'/);
});

test('--uid and --gid accept 0 to 2^32-2 and refuse 2^32-1 (the kernel\'s "no id")', () => {
  const max = 2 ** 32 - 2;
  expect(parseOptions(['--manifest', '/m', '--uid', String(max), '--gid', String(max)])).toMatchObject({ uid: max, gid: max });
  expect(failure(['--manifest', '/m', '--uid', String(max + 1), '--gid', '0']).message).toBe(
    `Usage: command line: --uid: expected an integer from 0 to ${max} (got "${max + 1}"); ${USAGE}`,
  );
  expect(failure(['--manifest', '/m', '--uid', '0', '--gid', String(max + 1)]).message).toBe(
    `Usage: command line: --gid: expected an integer from 0 to ${max} (got "${max + 1}"); ${USAGE}`,
  );
});

test('integers must be whole decimal strings: anchors at both ends', () => {
  expect(failure([...BASE, '--concurrency', 'x4']).message).toMatch(/^Usage: command line: --concurrency: expected an integer from 1 to 64 \(got "x4"\)/);
  expect(failure([...BASE, '--concurrency', '4x']).message).toMatch(/^Usage: command line: --concurrency: expected an integer from 1 to 64 \(got "4x"\)/);
});

test.each([
  ['max-attempts', 'maxAttempts', 5, 1, 20],
  ['retry-base-ms', 'retryBaseMs', 100, 0, 10_000],
  ['concurrency', 'concurrency', 8, 1, 64],
  ['imds-timeout-ms', 'imdsTimeoutMs', 1000, 50, 30_000],
  ['imds-attempts', 'imdsAttempts', 3, 1, 10],
] as const)('--%s: default, explicit value, both bounds accepted, just outside refused', (flag, key, fallback, min, max) => {
  expect(parseOptions(BASE)[key]).toBe(fallback);
  expect(parseOptions([...BASE, `--${flag}`, String(min)])[key]).toBe(min);
  expect(parseOptions([...BASE, `--${flag}`, String(max)])[key]).toBe(max);
  const expected = (got: number) => `Usage: command line: --${flag}: expected an integer from ${min} to ${max} (got "${got}"); ${USAGE}`;
  expect(failure([...BASE, `--${flag}`, String(max + 1)]).message).toBe(expected(max + 1));
  if (min > 0) expect(failure([...BASE, `--${flag}`, String(min - 1)]).message).toBe(expected(min - 1));
});

test('--only: an empty value is refused, ids are trimmed and deduplicated', () => {
  expect(failure([...BASE, '--only', '']).message).toBe(`Usage: command line: --only: expected comma-separated secret ids (got ""); ${USAGE}`);
  expect(parseOptions([...BASE, '--only', ' a ,b,a']).only).toEqual(['a', 'b']);
  expect(parseOptions(BASE).only).toBeUndefined();
});
