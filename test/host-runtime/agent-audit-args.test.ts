import { parseOptions, UsageError, USAGE } from '../../host/agent-audit/args';

// agent-audit.js's command line: three absolute paths, nothing else.

const GOOD = ['--state-root', '/var/lib/openclaw', '--out', '/var/log/openclaw/agent-audit.jsonl', '--position-dir', '/var/lib/openclaw-audit'];

test('the three absolute paths are read', () => {
  expect(parseOptions(GOOD)).toEqual({ stateRoot: '/var/lib/openclaw', out: '/var/log/openclaw/agent-audit.jsonl', positionDir: '/var/lib/openclaw-audit' });
});

test.each([
  ['an unknown option', [...GOOD, '--all'], /^Unknown option '--all'/],
  ['a positional argument', [...GOOD, 'extra'], /^Unexpected argument 'extra'/],
  ['a missing value', ['--state-root'], /^Option '--state-root <value>' argument missing/],
  ['a relative path', GOOD.map((a) => (a === '/var/lib/openclaw' ? 'var/lib/openclaw' : a)), /^--state-root must be an absolute path/],
  ['a missing option', GOOD.slice(0, 4), /^--position-dir must be an absolute path/],
])('%s is a usage error that says how to call the program', (_what, argv, message) => {
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
