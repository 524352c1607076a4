import { USAGE, UsageError, parseOptions } from '../../host/spend-meter/args';

// The command line of spend-meter.js (host/spend-meter/args.ts), focused: defaults,
// each option's accepted and refused values, and every error message pinned.

const CLOCK = () => 1234;
const parse = (...argv: string[]) => parseOptions(argv, CLOCK);
/** The UsageError message of argv (fails the test when there is none). */
function refusal(...argv: string[]): string {
  try {
    parse(...argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

test('defaults: the clock, an IMDS timeout of 1000 ms and 3 attempts', () => {
  expect(parse('--manifest', '/m.json')).toEqual({ manifest: '/m.json', nowMs: 1234, imdsTimeoutMs: 1000, imdsAttempts: 3, systemctl: '/usr/bin/systemctl', nft: '/usr/sbin/nft' });
  expect(parseOptions(['--manifest', '/m.json']).nowMs).toBeGreaterThan(Date.parse('2025-01-01T00:00:00Z'));
});

test('explicit values, at the bounds of each integer option', () => {
  expect(parse('--manifest', 'm', '--imds-timeout-ms', '50', '--imds-attempts', '1')).toEqual({ manifest: 'm', nowMs: 1234, imdsTimeoutMs: 50, imdsAttempts: 1, systemctl: '/usr/bin/systemctl', nft: '/usr/sbin/nft' });
  expect(parse('--manifest', 'm', '--imds-timeout-ms', '30000', '--imds-attempts', '10')).toEqual({ manifest: 'm', nowMs: 1234, imdsTimeoutMs: 30000, imdsAttempts: 10, systemctl: '/usr/bin/systemctl', nft: '/usr/sbin/nft' });
});

test('--systemctl and --nft: the breaker\'s programs, absolute paths only (the defaults: Amazon Linux 2023\'s)', () => {
  expect(parse('--manifest', 'm', '--systemctl', '/t/systemctl', '--nft', '/t/nft')).toMatchObject({ systemctl: '/t/systemctl', nft: '/t/nft' });
  expect(refusal('--manifest', 'm', '--systemctl', 'systemctl')).toBe(`--systemctl: expected an absolute path (got "systemctl"); ${USAGE}`);
  expect(refusal('--manifest', 'm', '--nft', './nft')).toBe(`--nft: expected an absolute path (got "./nft"); ${USAGE}`);
});

test.each([
  ['imds-timeout-ms', '49', 50, 30000],
  ['imds-timeout-ms', '30001', 50, 30000],
  ['imds-timeout-ms', '1e3', 50, 30000],
  ['imds-timeout-ms', 'x100', 50, 30000],
  ['imds-timeout-ms', '100x', 50, 30000],
  ['imds-attempts', '0', 1, 10],
  ['imds-attempts', '11', 1, 10],
  ['imds-attempts', '3x', 1, 10],
  ['imds-attempts', 'x3', 1, 10],
  ['imds-attempts', '', 1, 10],
])('--%s %j is refused, naming the range', (name, raw, min, max) => {
  expect(refusal('--manifest', 'm', `--${name}`, raw)).toBe(`--${name}: expected an integer from ${min} to ${max} (got "${raw}"); ${USAGE}`);
});

test('a negative integer (given with =) is refused, naming the range', () => {
  expect(refusal('--manifest', 'm', '--imds-attempts=-1')).toBe(`--imds-attempts: expected an integer from 1 to 10 (got "-1"); ${USAGE}`);
});

test('--manifest is required', () => {
  expect(refusal()).toBe(`--manifest is required; ${USAGE}`);
  expect(refusal('--manifest', '')).toBe(`--manifest is required; ${USAGE}`);
});

test.each([
  [['--manifest', 'm', 'extra'], "Unexpected argument 'extra'. This command does not take positional arguments"],
  [['--manifest'], "Option '--manifest <value>' argument missing"],
  [['--manifest', 'm', '--bogus'], "Unknown option '--bogus'"],
  // A message of several lines: its first only.
  [['--manifest', 'm', '--imds-attempts', '-1'], "Option '--imds-attempts' argument is ambiguous."],
])('a bad command line %j: the parser\'s first line and the usage', (argv, first) => {
  expect(refusal(...argv)).toBe(`${first}; ${USAGE}`);
});

test.each([
  ['2026-11-21T09:00:00Z', '2026-11-21T09:00:00.000Z'],
  ['2026-11-21T09:00Z', '2026-11-21T09:00:00.000Z'],
  ['2026-11-21T09:00:00.5Z', '2026-11-21T09:00:00.500Z'],
  ['2026-11-21T09:00:00.123Z', '2026-11-21T09:00:00.123Z'],
  ['2026-11-21T11:00:00+02:00', '2026-11-21T09:00:00.000Z'],
  ['2026-11-21T04:00:00.25-05:00', '2026-11-21T09:00:00.250Z'],
])('--now %s is taken (%s)', (now, iso) => {
  expect(new Date(parse('--manifest', 'm', '--now', now).nowMs).toISOString()).toBe(iso);
});

test.each([
  // Times Date.parse takes but that are not an ISO-8601 time with a zone, or not only one.
  '2026-11-21',
  '2026-11-21T09:00:00',
  '2026-11-21 09:00:00Z',
  '2026-11-21T09:00:00z',
  '2026-11-21T09:00:00.1234Z',
  '2026-11-21T09:00:00+0200',
  '+002026-11-21T09:00:00Z',
  'Sat, 21 Nov 2026 09:00:00 GMT',
  // Shaped like one but not a time.
  '2026-13-45T09:00:00Z',
  'now',
])('--now %j is refused', (now) => {
  expect(refusal('--manifest', 'm', '--now', now)).toBe(`--now: expected an ISO-8601 time with a zone, like 2026-11-21T09:00:00Z (got "${now}"); ${USAGE}`);
});
