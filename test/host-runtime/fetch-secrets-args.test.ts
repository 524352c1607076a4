import { parseOptions, USAGE } from '../../host/fetch-secrets/args';
import { SecretsFailure } from '../../host/fetch-secrets/failure';

// Focused in-process checks of the command line of fetch-secrets.js (host/fetch-secrets/args.ts).

const BASE = ['--manifest', '/m'];

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
  for (const argv of [['--passwd', '/etc/passwd'], ['--manifest', '']]) {
    const f = failure(argv);
    expect(f.reason).toBe('Usage');
    expect(f.exitCode).toBe(2);
    expect(f.message).toBe(`Usage: command line: --manifest is required; ${USAGE}`);
  }
});

test('positional arguments are refused', () => {
  expect(failure([...BASE, 'extra']).message).toMatch(/^Usage: command line: Unexpected argument 'extra'/);
});

test('--passwd: the file the gateway users are looked up in, /etc/passwd by default; an empty value is refused', () => {
  expect(parseOptions(BASE).passwd).toBe('/etc/passwd');
  expect(parseOptions([...BASE, '--passwd', '/tmp/p']).passwd).toBe('/tmp/p');
  expect(failure([...BASE, '--passwd', '']).message).toBe(`Usage: command line: --passwd: expected the path of a passwd file (default /etc/passwd); ${USAGE}`);
});

test('--uid and --gid are gone: each file\'s owner is its secret\'s user in the manifest', () => {
  expect(failure([...BASE, '--uid', '0']).message).toMatch(/^Usage: command line: Unknown option '--uid'/);
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
