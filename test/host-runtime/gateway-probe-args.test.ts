import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SLOW_MS, DEFAULT_TIMEOUT_MS, parseOptions, UsageError, USAGE } from '../../host/gateway-probe/args';
import { tempDir } from '../host/support/host-tools';
import { ALARMS } from '../../lib/alarms/alarm-catalogue';
import { runProbeProgram, writeProbeProgram } from '../openclaw/support/probe-gateway';

// gateway-probe.js's command line (host/gateway-probe/args.ts): what it reads, what it refuses;
// then the bundled program with the pinned Node 24: a bad command line is one stderr line naming
// the argument, exit 2, nothing on stdout.

const GOOD = ['--gateway', 'support', '--port', '18790', '--token-file', '/run/openclaw/secrets/support/gateway-token', '--agents', 'support', '--identity', '/var/lib/openclaw-probe/support.json'];
/** GOOD with `flag`'s value replaced, or `flag` and its value left out (undefined). */
const set = (flag: string, value: string | undefined): string[] => {
  const i = GOOD.indexOf(flag);
  return value === undefined ? [...GOOD.slice(0, i), ...GOOD.slice(i + 2)] : [...GOOD.slice(0, i + 1), value, ...GOOD.slice(i + 2)];
};

test('the required options are read; the timeout and the slow bound have their defaults; without --channels the channels come from the gateway', () => {
  expect(parseOptions(GOOD)).toEqual({
    gateway: 'support',
    port: 18790,
    tokenFile: '/run/openclaw/secrets/support/gateway-token',
    agents: ['support'],
    identity: '/var/lib/openclaw-probe/support.json',
    timeoutMs: DEFAULT_TIMEOUT_MS,
    slowMs: DEFAULT_SLOW_MS,
    sessionWrite: true,
  });
  expect([DEFAULT_TIMEOUT_MS, DEFAULT_SLOW_MS]).toEqual([10_000, 2_000]);
  expect(parseOptions([...GOOD, '--slow-ms', '100', '--timeout-ms', '1000']).slowMs).toBe(100);
  expect(parseOptions([...GOOD, '--slow-ms', '119999', '--timeout-ms', '120000']).slowMs).toBe(119_999);
  expect(parseOptions([...GOOD, '--slow-ms', '999', '--timeout-ms', '1000']).slowMs).toBe(999);
  // Without --slow-ms, a timeout of 2 s or less keeps the bound just below it.
  expect([1000, 1500, 2000, 2001].map((t) => parseOptions([...GOOD, '--timeout-ms', String(t)]).slowMs)).toEqual([999, 1499, 1999, 2000]);
  expect(parseOptions([...GOOD, '--skip-session-write']).sessionWrite).toBe(false);
});

test('agents and channel bindings are comma lists (duplicates dropped); an empty --channels binds none', () => {
  const o = parseOptions([...set('--agents', 'support,ops,support'), '--channels', 'support:telegram,ops:discord,support:telegram', '--timeout-ms', '2500']);
  expect([o.agents, o.channels, o.timeoutMs]).toEqual([['support', 'ops'], [{ agent: 'support', channel: 'telegram' }, { agent: 'ops', channel: 'discord' }], 2500]);
  expect(parseOptions([...GOOD, '--channels', '']).channels).toEqual([]);
  // Only a pair seen before is a duplicate: one agent's two channels, and one channel of two agents, are kept.
  const both = parseOptions([...set('--agents', 'support,ops'), '--channels', 'support:telegram,support:discord,ops:telegram,ops:telegram']);
  expect(both.channels).toEqual([
    { agent: 'support', channel: 'telegram' },
    { agent: 'support', channel: 'discord' },
    { agent: 'ops', channel: 'telegram' },
  ]);
});

test.each([
  ['an unknown option', [...GOOD, '--all'], /^Unknown option '--all'/],
  ['a positional argument', [...GOOD, 'extra'], /^Unexpected argument 'extra'/],
  ['no --gateway', set('--gateway', undefined), /^--gateway is required/],
  ['a gateway id that is not a word', set('--gateway', 'Support'), /^--gateway: expected a word of \[a-z0-9-\] \(got "Support"\)/],
  ['no --port', set('--port', undefined), /^--port is required/],
  ['port 0', set('--port', '0'), /^--port: expected an integer from 1 to 65535 \(got "0"\)/],
  ['port 65536', set('--port', '65536'), /^--port: expected an integer from 1 to 65535/],
  ['a port that is not a number', set('--port', '18790x'), /^--port: expected an integer/],
  ['no --token-file', set('--token-file', undefined), /^--token-file is required/],
  ['a relative token file', set('--token-file', 'gateway-token'), /^--token-file: expected an absolute path \(got "gateway-token"\)/],
  ['no --agents', set('--agents', undefined), /^--agents is required/],
  ['an empty agent', set('--agents', 'support,'), /^--agents: expected a word of \[a-z0-9-\] \(got ""\)/],
  ['no --identity', set('--identity', undefined), /^--identity is required/],
  ['a relative identity', set('--identity', 'support.json'), /^--identity: expected an absolute path/],
  ['a binding without its agent', [...GOOD, '--channels', 'telegram'], /^--channels: expected AGENT:CHANNEL pairs/],
  ['a binding of another agent', [...GOOD, '--channels', 'ops:telegram'], /^--channels: agent "ops" is not one of --agents \(support\)/],
  ['a binding of another agent, several agents', [...set('--agents', 'support,ops'), '--channels', 'sales:telegram'], /^--channels: agent "sales" is not one of --agents \(support, ops\)/],
  ['a binding with a third part', [...GOOD, '--channels', 'support:telegram:extra'], /^--channels: expected AGENT:CHANNEL pairs separated by commas \(got "support:telegram:extra"\)/],
  ['a binding with a part before it', [...GOOD, '--channels', 'extra:support:telegram'], /^--channels: expected AGENT:CHANNEL pairs separated by commas \(got "extra:support:telegram"\)/],
  ['a binding whose agent is not a word', [...GOOD, '--channels', 'Support:telegram'], /^--channels: expected a word of \[a-z0-9-\] \(got "Support"\)/],
  ['a binding whose channel is not a word', [...GOOD, '--channels', 'support:tele gram'], /^--channels: expected a word of \[a-z0-9-\] \(got "tele gram"\)/],
  ['a gateway id with a word and more after it', set('--gateway', 'support!'), /^--gateway: expected a word of \[a-z0-9-\] \(got "support!"\)/],
  ['a timeout below 1 s', [...GOOD, '--timeout-ms', '999'], /^--timeout-ms: expected an integer from 1000 to 120000 \(got "999"\)/],
  ['a timeout above 2 min', [...GOOD, '--timeout-ms', '120001'], /^--timeout-ms: expected an integer from 1000 to 120000/],
  ['a slow bound below 100 ms', [...GOOD, '--slow-ms', '99'], /^--slow-ms: expected an integer from 100 to 119999 \(got "99"\)/],
  ['a slow bound above the largest timeout', [...GOOD, '--slow-ms', '120000', '--timeout-ms', '120000'], /^--slow-ms: expected an integer from 100 to 119999/],
  ['a slow bound at the timeout', [...GOOD, '--slow-ms', '10000'], /^--slow-ms: expected less than --timeout-ms \(10000\) \(got 10000\)/],
  ['a slow bound above a shorter timeout', [...GOOD, '--slow-ms', '1500', '--timeout-ms', '1000'], /^--slow-ms: expected less than --timeout-ms \(1000\) \(got 1500\)/],
])('%s is a usage error naming the argument, saying how to call the program', (_what, argv, message) => {
  let error: unknown;
  try {
    parseOptions(argv);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message.endsWith(`; ${USAGE}`)).toBe(true);
});

describe('the bundled program', () => {
  let dir: string;
  let program: string;
  beforeAll(() => {
    dir = tempDir('probe-args-');
    program = writeProbeProgram(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['no argument', [], '--gateway is required'],
    ['a bad port', set('--port', 'http'), '--port: expected an integer from 1 to 65535 (got "http")'],
    ['an unknown option', [...GOOD, '--verbose'], "Unknown option '--verbose'"],
  ])('%s: exit 2, one stderr line naming the argument, no stdout, no identity file made', async (_what, argv, named) => {
    const identity = path.join(dir, 'identity.json');
    const r = await runProbeProgram(program, argv.map((a) => (a === '/var/lib/openclaw-probe/support.json' ? identity : a)), 30_000);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`openclaw-gateway-probe: ${named}; ${USAGE}\n`);
    expect(fs.existsSync(identity)).toBe(false);
  });
});

test('the slow bound the alarm, the runbook, README and docs/host.md state is the probe\'s default', () => {
  const said = `over ${DEFAULT_SLOW_MS / 1000} s`;
  const root = path.join(__dirname, '..', '..');
  expect(ALARMS.gatewayUnhealthy.fired).toContain(`wait ${said} to connect, twice in a row`);
  expect(fs.readFileSync(path.join(root, 'docs/runbooks.md'), 'utf8')).toContain(`takes ${said}\ntwice in a row`);
  expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`takes ${said} twice in a row`);
  expect(fs.readFileSync(path.join(root, 'docs/host.md'), 'utf8')).toContain(`at\nmost ${DEFAULT_SLOW_MS / 1000} s (\`--slow-ms\``);
});
