import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, type ConfigProblem } from '../../lib/config/errors';
import { HARDENED_CONTROL_IDS } from '../../lib/config/hardened-controls';
import { loadConfig, type LoadedConfig } from '../../lib/config/load';
import { configFixture, NOW } from '../support/config-fixture';
import { pseudoRandom } from '../support/pseudo-random';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function load(files: Record<string, string>, client = 'acme', env = 'dev'): LoadedConfig {
  const root = configFixture(files);
  roots.push(root);
  return loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client, env });
}

/** The ConfigError that loading throws; fails the test if it loads or throws something else. */
function loadError(files: Record<string, string>, client = 'acme', env = 'dev'): ConfigError {
  try {
    load(files, client, env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected ${client}/${env} to fail with a ConfigError, but it loaded`);
}

/** Asserts exactly one problem, located as given, and that the rendered message carries it. */
function expectOneProblem(err: ConfigError, where: { file?: string; line?: number; path?: string }, message: RegExp): ConfigProblem {
  expect(err.problems).toHaveLength(1);
  const [problem] = err.problems as [ConfigProblem];
  expect({ file: problem.file, line: problem.line, path: problem.path }).toEqual(where);
  expect(problem.message).toMatch(message);
  const prefix = `${where.file ?? 'config'}${where.line ? `:${where.line}` : ''}: ${where.path ? `${where.path}: ` : ''}`;
  expect(err.message).toContain(`\n  - ${prefix}${problem.message}`);
  expect(err.message).toMatch(/^Invalid configuration \(1 problem\):/);
  return problem;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const CLIENT_FILE = 'config/clients/acme/client.yaml';
const CLIENT_ENV_FILE = 'config/clients/acme/dev.yaml';
/** Lines 1-3 of every acme client.yaml below. */
const AWS = 'aws:\n  account: "111122223333"\n  region: eu-west-1\n';

describe('unknown keys', () => {
  test('a top-level unknown key names file, line and lists the allowed keys', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}retention: 30\n` });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 4, path: 'retention' },
      /^unknown key "retention"; expected one of: project, aws, tags, kms, instance, network, logs, edge, openclaw, secrets, breakGlass, audit, alerts, spend, dataProtection, exceptions$/,
    );
  });

  test('a nested unknown key (aws.acount) names file, line, key path and the allowed keys', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  region: eu-west-1\n  account: "111122223333"\n  acount: "111122223333"\n' });
    expectOneProblem(err, { file: CLIENT_FILE, line: 4, path: 'aws.acount' }, /^unknown key "acount"; expected one of: account, region$/);
  });

  test('an unknown key inside a list item lists the keys of the item', () => {
    const err = loadError({
      'clients/acme/client.yaml':
        `${AWS}dataProtection:\n  retainOnDelete: false\nexceptions:\n` +
        '  - control: data-retention\n    reason: Short-lived sandbox with synthetic data\n    approver: security@example.com\n    expires: 2027-06-30\n',
    });
    const unknown = err.problems.find((p) => p.path === 'exceptions[0].approver');
    expect(unknown).toEqual({
      file: CLIENT_FILE,
      line: 9,
      path: 'exceptions[0].approver',
      message: 'unknown key "approver"; expected one of: control, reason, approvedBy, expires',
    });
  });
});

describe('aws.account', () => {
  test('an unquoted number is rejected with a hint to quote it', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  account: 111122223333\n  region: eu-west-1\n' });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 2, path: 'aws.account' },
      /^found number 111122223333; expected a 12-digit AWS account ID as a quoted string, e\.g\. "123456789012" \(YAML reads unquoted digits as a number\)$/,
    );
  });

  test('11 digits are rejected', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  account: "11112222333"\n  region: eu-west-1\n' });
    expectOneProblem(err, { file: CLIENT_FILE, line: 2, path: 'aws.account' }, /^found "11112222333"; expected a 12-digit AWS account ID/);
  });

  test('the file named is the overlay that set the bad value (clients/<c>/<env>.yaml)', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS, 'clients/acme/dev.yaml': '# dev account\naws:\n  account: "12345"\n' });
    expectOneProblem(err, { file: CLIENT_ENV_FILE, line: 3, path: 'aws.account' }, /^found "12345"; expected a 12-digit AWS account ID/);
  });
});

describe('aws.region', () => {
  test('a region that does not exist (eu-west-9) is rejected, listing real regions', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  account: "111122223333"\n  region: eu-west-9\n' });
    const p = expectOneProblem(err, { file: CLIENT_FILE, line: 3, path: 'aws.region' }, /^found "eu-west-9"; expected an AWS commercial-partition region, one of: /);
    const listed = p.message.split('one of: ')[1]?.split(', ') ?? [];
    expect(listed).toEqual(expect.arrayContaining(['eu-west-1', 'eu-west-2', 'eu-west-3', 'us-east-1']));
    expect(listed).not.toContain('eu-west-9');
  });

  test('a region of another partition (cn-north-1) is rejected', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  account: "111122223333"\n  region: cn-north-1\n' });
    const p = expectOneProblem(err, { file: CLIENT_FILE, line: 3, path: 'aws.region' }, /^found "cn-north-1"; expected an AWS commercial-partition region/);
    const listed = p.message.split('one of: ')[1]?.split(', ') ?? [];
    expect(listed).toContain('eu-west-1');
    expect(listed).not.toContain('cn-north-1');
    expect(listed).not.toContain('us-gov-west-1');
  });
});

describe('other schema violations', () => {
  test('a number out of range names what was found and the limit', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}kms:\n  rotationPeriodDays: 30\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 5, path: 'kms.rotationPeriodDays' }, /^found number 30; expected at least 90 days/);
  });

  test('a wrong type names what was found', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}dataProtection:\n  retainOnDelete: "no"\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 5, path: 'dataProtection.retainOnDelete' }, /^found "no"; expected true or false$/);
  });

  test('a tag value with characters AWS does not allow names what was found', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  team: "a, b & c"\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 5, path: 'tags.team' }, /^found "a, b & c"; expected a tag value of up to 256 letters/);
  });

  test('a reserved tag key (aws:...) is rejected with file, line and key path', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  "aws:cost": x\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 5, path: 'tags.aws:cost' }, /^found "aws:cost"; expected /);
  });

  // zod nests the schema's own message for a bad record key; it must reach the user.
  test('a reserved tag key (aws:...) says what is expected', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  "aws:cost": x\n` });
    expect(err.problems[0]?.message).toMatch(/not starting with "aws:"/);
  });

  test('a missing required key says it is not set in any of the files, and lists them in order', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  region: eu-west-1\n', 'clients/acme/dev.yaml': 'tags:\n  team: acme\n' });
    expectOneProblem(
      err,
      { file: undefined, line: undefined, path: 'aws.account' },
      new RegExp(
        '^required but not set in any of: ' +
          esc('config/base.yaml, config/environments/dev.yaml, config/clients/acme/client.yaml, config/clients/acme/dev.yaml') +
          '; expected a 12-digit AWS account ID',
      ),
    );
  });

  test('every problem is reported, not just the first', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  account: 1\n  region: mars-1\nkms:\n  rotationPeriodDays: 9999\n' });
    expect(err.problems.map((p) => [p.path, p.line])).toEqual([
      ['aws.account', 2],
      ['aws.region', 3],
      ['kms.rotationPeriodDays', 5],
    ]);
    expect(err.message).toMatch(/^Invalid configuration \(3 problems\):/);
  });
});

describe('client and environment names', () => {
  test.each([
    ['client', 'Acme_Co', 'dev'],
    ['client', '../example', 'dev'],
    ['env', 'Prod', 'example'],
    ['env', 'dev/../../x', 'example'],
  ])('a bad %s name (%s) is rejected before any file is read', (what, name) => {
    const [client, env] = what === 'client' ? [name, 'dev'] : ['example', name];
    const err = loadError({}, client, env);
    expectOneProblem(
      err,
      { file: undefined, line: undefined, path: undefined },
      new RegExp(`^${what} "${esc(name)}": expected lowercase letters, digits and hyphens \\(\\[a-z0-9-\\]\\+\\)$`),
    );
  });

  test('a missing client names the file looked for and lists the available clients', () => {
    const err = loadError(
      {
        'clients/acme/client.yaml': AWS,
        // a folder without client.yaml is not a client
        'clients/ghost/dev.yaml': 'tags: {}\n',
      },
      'nope',
    );
    expectOneProblem(err, { file: 'config/clients/nope/client.yaml', line: undefined, path: undefined }, /^no client "nope"; available: acme, example$/);
  });

  test('a missing environment names the file looked for and lists the available environments', () => {
    const err = loadError({ 'environments/qa-2.yaml': 'tags: {}\n' }, 'example', 'qa');
    expectOneProblem(err, { file: 'config/environments/qa.yaml', line: undefined, path: undefined }, /^no environment "qa"; available: dev, prod, qa-2, staging$/);
  });
});

describe('YAML syntax', () => {
  test('a syntax error names the file and the line', () => {
    const err = loadError({ 'clients/acme/client.yaml': 'aws:\n  account: "111122223333"\n region: eu-west-1\n' });
    expectOneProblem(err, { file: CLIENT_FILE, line: 3, path: undefined }, /^YAML syntax error: /);
  });

  test('a syntax error in an environment file names that file', () => {
    const err = loadError({ 'environments/dev.yaml': 'tags:\n  a: b: c\n' }, 'example');
    expectOneProblem(err, { file: 'config/environments/dev.yaml', line: 2, path: undefined }, /^YAML syntax error: /);
  });

  test('a duplicate key names the file and the line of the second occurrence', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  team: a\n  team: b\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 6, path: undefined }, /^YAML syntax error: Map keys must be unique/);
  });

  test('a file that is not a mapping is rejected', () => {
    const err = loadError({ 'clients/acme/dev.yaml': '- a\n- b\n', 'clients/acme/client.yaml': AWS });
    expectOneProblem(err, { file: CLIENT_ENV_FILE, line: 1, path: undefined }, /^found a list; expected a YAML mapping of keys to values$/);
  });

  test('an empty overlay (comments only) is fine', () => {
    const { config, files } = load({ 'clients/acme/client.yaml': AWS, 'clients/acme/dev.yaml': '# nothing yet\n' });
    expect(files).toContain(CLIENT_ENV_FILE);
    expect(config.aws.account).toBe('111122223333');
  });
});


describe('credentials in config', () => {
  // Every secret-looking string is assembled at runtime: none sits in the source.
  const SECRETS: readonly (readonly [string, string, RegExp])[] = [
    ['AWS access key ID', 'AKIA' + 'Z'.repeat(4) + '2345ABCDEFGH', /an AWS access key ID/],
    ['private key block', '-----BEGIN ' + 'RSA PRIVATE KEY-----', /a private key block/],
    ['Anthropic API key', 'sk-' + 'ant-' + 'x'.repeat(30), /an Anthropic API key/],
    ['OpenAI API key', 'sk-' + 'proj-' + 'Ab1'.repeat(12), /an OpenAI-style API key/],
    ['Slack bot token', 'xox' + 'b-' + '1234567890-' + '0987654321-' + 'q'.repeat(24), /a Slack token/],
    ['Telegram bot token', '123456789' + ':' + 'AAH' + 'z'.repeat(32), /a Telegram bot token/],
  ];

  const expectLeakReported = (err: ConfigError, where: { file: string; line: number; path: string }, kind: RegExp, secret: string) => {
    const p = expectOneProblem(err, where, kind);
    expect(p.message).toMatch(/AWS Secrets Manager/);
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err.problems)).not.toContain(secret);
  };

  test.each(SECRETS)('%s in a value is reported with file, line, key path and kind, without the value', (_name, secret, kind) => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  deploy-token: "${secret}"\n` });
    expectLeakReported(err, { file: CLIENT_FILE, line: 5, path: 'tags.deploy-token' }, kind, secret);
  });

  test('a whole private key block in a block scalar is reported without echoing any of it', () => {
    const body = 'MIIEow' + 'IBAAKCAQEA' + 'q7'.repeat(20);
    const block = '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----';
    const err = loadError({
      'clients/acme/client.yaml': `${AWS}tags:\n  ssh: |\n    ${block}\n    ${body}\n    -----END OPENSSH PRIVATE KEY-----\n`,
    });
    expectLeakReported(err, { file: CLIENT_FILE, line: 5, path: 'tags.ssh' }, /a private key block/, block);
    expect(err.message).not.toContain(body);
  });

  test('a long high-entropy random string in a tag value is reported', () => {
    const token = pseudoRandom(40, 20261121);
    // guard: the generated token really mixes lower case, upper case and digits
    expect(token).toMatch(/[a-z]/);
    expect(token).toMatch(/[A-Z]/);
    expect(token).toMatch(/[0-9]/);
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  build: ${token}\n` });
    expectLeakReported(err, { file: CLIENT_FILE, line: 5, path: 'tags.build' }, /a long random string/, token);
  });

  test('a credential in an environment file names that file and the list path', () => {
    const secret = 'sk-' + 'ant-' + 'y'.repeat(30);
    const err = loadError(
      {
        'environments/dev.yaml':
          'dataProtection:\n  retainOnDelete: false\nexceptions:\n  - control: data-retention\n' +
          `    reason: "rotate ${secret} later"\n    approvedBy: security@example.com\n    expires: 2027-01-31\n`,
      },
      'example',
    );
    expectLeakReported(err, { file: 'config/environments/dev.yaml', line: 5, path: 'exceptions[0].reason' }, /an Anthropic API key/, secret);
  });

  test('a credential used as a key is reported as "the key" with file, line and kind', () => {
    const secret = 'AKIA' + 'Q'.repeat(4) + '6789WXYZ2345';
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  ${secret}: owner\n` });
    expect(err.problems).toHaveLength(1);
    const [p] = err.problems as [ConfigProblem];
    expect(p.file).toBe(CLIENT_FILE);
    expect(p.line).toBe(5);
    expect(p.message).toMatch(/^the key looks like an AWS access key ID\./);
    expect(p.message).toMatch(/AWS Secrets Manager/);
    expect(p.message).not.toContain(secret);
  });

  test('a credential used as a key is not echoed in the error (path included)', () => {
    const secret = 'AKIA' + 'Q'.repeat(4) + '6789WXYZ2345';
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}tags:\n  ${secret}: owner\n` });
    expect(err.message).not.toContain(secret);
    expect(JSON.stringify(err.problems)).not.toContain(secret);
  });

  test('credentials are caught before any schema check (the value is never echoed as "found ...")', () => {
    const secret = 'xox' + 'b-' + '1234567890-' + 'r'.repeat(24);
    // aws.account is wrong too: a schema message would quote the found value
    const err = loadError({ 'clients/acme/client.yaml': `aws:\n  account: "${secret}"\n  region: eu-west-1\n` });
    expectLeakReported(err, { file: CLIENT_FILE, line: 2, path: 'aws.account' }, /a Slack token/, secret);
  });

  test('non-secrets are not flagged', () => {
    const notSecrets: Record<string, string> = {
      uuid: '550e8400-e29b-41d4-a716-446655440000',
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      role: 'arn:aws:iam::123456789012:role/BreakGlassAdmin',
      kms: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      note: 'Owned by the platform team. Ask in the ops channel before changing anything.',
      'cost-center': 'cost-center-engineering-team',
      contact: 'security@example.com',
      url: 'https://wiki.example.com/teams/platform',
    };
    const yaml = Object.entries(notSecrets)
      .map(([k, v]) => `  ${k}: "${v}"`)
      .join('\n');
    const { config } = load({ 'clients/acme/client.yaml': `${AWS}tags:\n${yaml}\n` });
    expect(config.tags).toEqual({ 'environment-class': 'non-production', ...notSecrets });
  });
});

describe('exceptions to hardened controls', () => {
  const WEAKEN = 'dataProtection:\n  retainOnDelete: false\n';
  const REASON = 'Short-lived sandbox holding synthetic data only';
  /** Lines (after AWS + WEAKEN, i.e. from 6): exceptions 6, control 7, reason 8, approvedBy 9, expires 10. */
  const exceptionYaml = (o: { control?: string; reason?: string; expires?: string } = {}) =>
    'exceptions:\n' +
    `  - control: ${o.control ?? 'data-retention'}\n` +
    `    reason: ${o.reason ?? REASON}\n` +
    '    approvedBy: security@example.com\n' +
    `    expires: ${o.expires ?? '2027-06-30'}\n`;

  test('weakening retainOnDelete without an exception fails naming the file and line that set it', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS, 'clients/acme/dev.yaml': `# sandbox\n${WEAKEN}` });
    expectOneProblem(
      err,
      { file: CLIENT_ENV_FILE, line: 3, path: 'dataProtection.retainOnDelete' },
      /^weakens the hardened control "data-retention" \(.+\) without an exception; .*add to exceptions: \{ control: data-retention, reason, approvedBy, expires \}/,
    );
  });

  test('weakening with a valid exception loads', () => {
    const { config } = load({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml() });
    expect(config.dataProtection.retainOnDelete).toBe(false);
    expect(config.exceptions).toEqual([{ control: 'data-retention', reason: REASON, approvedBy: 'security@example.com', expires: '2027-06-30' }]);
  });

  test('an exception that expired yesterday fails', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ expires: '2026-11-20' }) });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 10, path: 'exceptions[0].expires' },
      /^exception for "data-retention" expired on 2026-11-20; renew it/,
    );
  });

  test('an exception is still valid on its expiry day', () => {
    const { config } = load({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ expires: '2026-11-21' }) });
    expect(config.exceptions[0]?.expires).toBe('2026-11-21');
  });

  test('an expiry more than 366 days ahead fails; exactly 366 days is allowed', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ expires: '2027-11-23' }) });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 10, path: 'exceptions[0].expires' },
      /^found 2027-11-23; expected an expiry at most 366 days ahead/,
    );
    expect(load({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ expires: '2027-11-22' }) }).config.exceptions).toHaveLength(1);
  });

  test('an exception for a control that is not weakened is rejected as stale', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS + exceptionYaml() });
    // no WEAKEN: exceptions 4, control 5
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 5, path: 'exceptions[0].control' },
      /^stale exception: "data-retention" is not weakened by this config \(dataProtection\.retainOnDelete keeps its hardened value\); remove the entry$/,
    );
  });

  test('an unknown control is rejected, listing the known ones', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ control: 'mfa-everywhere' }) });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 7, path: 'exceptions[0].control' },
      new RegExp(`^found "mfa-everywhere"; expected one of the hardened controls: ${esc(HARDENED_CONTROL_IDS.join(', '))}$`),
    );
    expect(err.message).toContain('data-retention');
  });

  test('a reason that is too short is rejected', () => {
    const err = loadError({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ reason: 'because' }) });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 8, path: 'exceptions[0].reason' },
      /^found "because"; expected a reason of at least 20 characters/,
    );
  });

  test('a second exception for the same control is rejected', () => {
    const second = `  - control: data-retention\n    reason: ${REASON}\n    approvedBy: ciso@example.com\n    expires: 2027-05-31\n`;
    const err = loadError({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml() + second });
    expectOneProblem(
      err,
      { file: CLIENT_FILE, line: 11, path: 'exceptions[1].control' },
      /^a second exception for "data-retention"; keep one entry per control$/,
    );
  });

  test.each([
    ['2027/06/30', /expected a date as YYYY-MM-DD/],
    ['30-06-2027', /expected a date as YYYY-MM-DD/],
    ['"2027-02-30"', /expected a real calendar date as YYYY-MM-DD/],
  ])('a bad expiry date (%s) is rejected', (expires, expected) => {
    const err = loadError({ 'clients/acme/client.yaml': AWS + WEAKEN + exceptionYaml({ expires }) });
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) {
      expect(p).toMatchObject({ file: CLIENT_FILE, line: 10, path: 'exceptions[0].expires' });
      expect(p.message).toMatch(new RegExp(`^found "${esc(expires.replace(/"/g, ''))}"; expected `));
    }
    expect(err.problems.some((p) => expected.test(p.message))).toBe(true);
  });
});

test('a missing section says a mapping is expected, in plain words', () => {
  const err = loadError({ 'clients/acme/client.yaml': 'tags: {}\n' });
  expect(err.problems.find((p) => p.path === 'aws')?.message).toMatch(/^required but not set in any of: .*; expected a mapping$/);
});

describe('the state volume keys', () => {
  test('restoreFromSnapshotId that is not a snapshot ID names file, line, key path and the expected form', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}instance:\n  stateVolume:\n    restoreFromSnapshotId: vol-0123456789abcdef0\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 6, path: 'instance.stateVolume.restoreFromSnapshotId' }, /an EBS snapshot ID such as snap-0123456789abcdef0/);
  });

  test('stateBackup.retainDays of 0 names the key and the range', () => {
    const err = loadError({ 'clients/acme/client.yaml': `${AWS}instance:\n  stateBackup:\n    retainDays: 0\n` });
    expectOneProblem(err, { file: CLIENT_FILE, line: 6, path: 'instance.stateBackup.retainDays' }, /at least 1 day/);
  });

  test('defaults: an 8 GiB state volume, 14 days of daily snapshots, no restore', () => {
    const { config } = load({ 'clients/acme/client.yaml': AWS });
    expect(config.instance.stateVolume).toEqual({ sizeGiB: 4 });
    expect(config.instance.stateBackup).toEqual({ retainDays: 14 });
  });
});
