import { checkExceptions, describeExceptions, MAX_EXCEPTION_DAYS } from '../../lib/config/exceptions';
import { HARDENED_CONTROLS } from '../../lib/config/hardened-controls';
import { loadConfig } from '../../lib/config/load';
import { mergeLayers } from '../../lib/config/merge';
import { configSchema, type DeploymentConfig } from '../../lib/config/schema';
import type { ConfigLayer } from '../../lib/config/yaml-source';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// checkExceptions on in-memory layers (no files): a weakened hardened control
// needs an unexpired exception of at most MAX_EXCEPTION_DAYS; an exception must
// weaken something, once. NOW is 2026-11-21T12:00Z.

const BASE_FILE = 'config/base.yaml';
const CLIENT_FILE = 'config/clients/acme/client.yaml';
const FILES = [BASE_FILE, CLIENT_FILE];
/** A valid merged config (the example client in dev), as the first layer. */
const BASE = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).merged.value;

const LINES = new Map([
  ['dataProtection.retainOnDelete', 3],
  ['exceptions[0].control', 5],
  ['exceptions[0].expires', 8],
  ['exceptions[1].control', 9],
]);
const RETAIN_OFF = { dataProtection: { retainOnDelete: false } };
const exception = (over: Record<string, unknown> = {}) => ({
  control: 'data-retention',
  reason: 'a scratch environment rebuilt every night',
  approvedBy: 'security@example.com',
  expires: '2027-01-31',
  ...over,
});

function check(overlay: Record<string, unknown>, env = 'dev', files: readonly string[] = FILES) {
  const layers: ConfigLayer[] = [
    { file: BASE_FILE, value: BASE, lines: new Map() },
    { file: CLIENT_FILE, value: overlay, lines: LINES },
  ];
  const merged = mergeLayers(layers);
  const config = configSchema.parse(merged.value);
  return checkExceptions({ ...config, env }, merged, NOW, files);
}

const WEAKENED_RETENTION =
  'weakens the hardened control "data-retention" (Keys, secrets and log data are retained when a stack is deleted) without an exception; ' +
  'restore the hardened default, or add to exceptions: { control: data-retention, reason, approvedBy, expires }';

test('an exception is approved for at most 366 days', () => {
  expect(MAX_EXCEPTION_DAYS).toBe(366);
});

test('the hardened config needs no exception', () => {
  expect(check({})).toEqual([]);
});

test('a weakened control without an exception is reported at the file and line that weakened it', () => {
  expect(check(RETAIN_OFF)).toEqual([{ file: CLIENT_FILE, line: 3, path: 'dataProtection.retainOnDelete', message: WEAKENED_RETENTION }]);
});

test('a weakened control with an unexpired exception is accepted', () => {
  expect(check({ ...RETAIN_OFF, exceptions: [exception()] })).toEqual([]);
});

test('an exception for another control does not cover the weakened one (and is itself stale)', () => {
  expect(check({ ...RETAIN_OFF, exceptions: [exception({ control: 'agent-elevated' })] })).toEqual([
    {
      file: CLIENT_FILE,
      line: 5,
      path: 'exceptions[0].control',
      message: 'stale exception: "agent-elevated" is not weakened by this config (openclaw.agents keeps its hardened value); remove the entry',
    },
    { file: CLIENT_FILE, line: 3, path: 'dataProtection.retainOnDelete', message: WEAKENED_RETENTION },
  ]);
});

describe('expiry (today is 2026-11-21, UTC)', () => {
  const expiring = (expires: string) => check({ ...RETAIN_OFF, exceptions: [exception({ expires })] });

  test('valid on its expiry day, and from today up to 366 days ahead', () => {
    expect(expiring('2026-11-21')).toEqual([]);
    expect(expiring('2027-11-22')).toEqual([]);
  });

  test('an exception that expired yesterday fails, naming the date and the fix', () => {
    expect(expiring('2026-11-20')).toEqual([
      {
        file: CLIENT_FILE,
        line: 8,
        path: 'exceptions[0].expires',
        message: 'exception for "data-retention" expired on 2026-11-20; renew it with a fresh approval, or restore the hardened default',
      },
    ]);
  });

  test('367 days ahead is too far', () => {
    expect(expiring('2027-11-23')).toEqual([
      {
        file: CLIENT_FILE,
        line: 8,
        path: 'exceptions[0].expires',
        message: 'found 2027-11-23; expected an expiry at most 366 days ahead, so the exception is reviewed at least yearly',
      },
    ]);
  });

  test('"today" is the UTC day of now, whatever its time', () => {
    const layers: ConfigLayer[] = [
      { file: BASE_FILE, value: BASE, lines: new Map() },
      { file: CLIENT_FILE, value: { ...RETAIN_OFF, exceptions: [exception({ expires: '2026-11-21' })] }, lines: LINES },
    ];
    const merged = mergeLayers(layers);
    const config = { ...configSchema.parse(merged.value), env: 'dev' };
    expect(checkExceptions(config, merged, new Date('2026-11-21T23:59:59Z'), FILES)).toEqual([]);
    expect(checkExceptions(config, merged, new Date('2026-11-22T00:00:00Z'), FILES).map((p) => p.path)).toEqual(['exceptions[0].expires']);
    // 366 days after the last second of 2026-11-21 is still allowed; 367 days after its first second is not.
    const far = (expires: string, now: string) =>
      checkExceptions({ ...config, exceptions: [{ ...config.exceptions[0]!, expires }] }, merged, new Date(now), FILES).map((p) => p.path);
    expect(far('2027-11-22', '2026-11-21T23:59:59Z')).toEqual([]);
    expect(far('2027-11-23', '2026-11-21T00:00:00Z')).toEqual(['exceptions[0].expires']);
  });
});

test('a stale exception (the control keeps its hardened value) is reported at its control', () => {
  expect(check({ exceptions: [exception()] })).toEqual([
    {
      file: CLIENT_FILE,
      line: 5,
      path: 'exceptions[0].control',
      message:
        'stale exception: "data-retention" is not weakened by this config (dataProtection.retainOnDelete keeps its hardened value); remove the entry',
    },
  ]);
});

test('a second exception for the same control is reported at the second one', () => {
  expect(check({ ...RETAIN_OFF, exceptions: [exception(), exception()] })).toEqual([
    { file: CLIENT_FILE, line: 9, path: 'exceptions[1].control', message: 'a second exception for "data-retention"; keep one entry per control' },
  ]);
});

test('every problem of one entry is reported, in order: duplicate, expiry, stale', () => {
  const problems = check({ exceptions: [exception(), exception({ expires: '2026-01-01' })] }).map((p) => `${p.path}: ${p.message.slice(0, 30)}`);
  expect(problems).toEqual([
    'exceptions[0].control: stale exception: "data-retenti',
    'exceptions[1].control: a second exception for "data-r',
    'exceptions[1].expires: exception for "data-retention"',
    'exceptions[1].control: stale exception: "data-retenti',
  ]);
});

describe('a hardened setting that must be added (production needs edge.customDomain)', () => {
  const TLS_TITLE = HARDENED_CONTROLS.find((c) => c.id === 'viewer-tls-default-certificate')!.title;

  test('names the most specific file to add it to, every file read, the environment and the fix', () => {
    expect(check({}, 'prod')).toEqual([
      {
        file: CLIENT_FILE,
        path: 'edge.customDomain',
        message:
          `not set in any of: ${BASE_FILE}, ${CLIENT_FILE}; the hardened control "viewer-tls-default-certificate" (${TLS_TITLE}) needs it in ` +
          'environment "prod". Set edge.customDomain, or add to exceptions: { control: viewer-tls-default-certificate, reason, approvedBy, expires }',
      },
    ]);
  });

  test('without the list of files (a caller that has none) it is reported at the key path, in the file of its closest set ancestor', () => {
    expect(check({}, 'prod', [])).toEqual([
      {
        file: BASE_FILE,
        line: undefined,
        path: 'edge.customDomain',
        message:
          `weakens the hardened control "viewer-tls-default-certificate" (${TLS_TITLE}) without an exception; restore the hardened default, ` +
          'or add to exceptions: { control: viewer-tls-default-certificate, reason, approvedBy, expires }',
      },
    ]);
  });

  test('an exception for it is accepted', () => {
    expect(check({ exceptions: [exception({ control: 'viewer-tls-default-certificate' })] }, 'prod')).toEqual([]);
  });
});

test('an entry naming no known control (only possible past the schema) is skipped by the stale check, not a crash', () => {
  const merged = mergeLayers([{ file: BASE_FILE, value: BASE, lines: new Map() }]);
  const config = configSchema.parse(merged.value);
  const unknown = { ...exception(), control: 'no-such-control' } as unknown as DeploymentConfig['exceptions'][number];
  expect(checkExceptions({ ...config, env: 'dev', exceptions: [unknown] }, merged, NOW, FILES)).toEqual([]);
});

describe('describeExceptions (the compliance report)', () => {
  test('each exception with the title and key path of its control', () => {
    const config = configSchema.parse({ ...BASE, exceptions: [exception()] });
    expect(describeExceptions(config)).toEqual([
      { ...exception(), title: 'Keys, secrets and log data are retained when a stack is deleted', path: 'dataProtection.retainOnDelete' },
    ]);
  });

  test('an unknown control (only possible past the schema) shows its id as title and no path', () => {
    const config = configSchema.parse(BASE);
    const unknown = { ...exception(), control: 'no-such-control' } as unknown as DeploymentConfig['exceptions'][number];
    expect(describeExceptions({ ...config, exceptions: [unknown] })).toEqual([{ ...unknown, title: 'no-such-control', path: '' }]);
  });

  test('none when there are none', () => {
    expect(describeExceptions(configSchema.parse(BASE))).toEqual([]);
  });
});

test('a config with no recorded origins (built in code, not read from files): the problem has no file or line; no file list is needed', () => {
  const value = { ...BASE, ...RETAIN_OFF };
  const config = configSchema.parse(value);
  expect(checkExceptions({ ...config, env: 'dev' }, { value, origins: new Map() }, NOW)).toEqual([
    { file: undefined, line: undefined, path: 'dataProtection.retainOnDelete', message: WEAKENED_RETENTION },
  ]);
});
