import { RegionInfo } from 'aws-cdk-lib/region-info';
import type * as RegionInfoModule from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { loadConfig } from '../../lib/config/load';
import { configSchema, exceptionSchema, NAME_PATTERN } from '../../lib/config/schema';
import type * as SchemaModule from '../../lib/config/schema';
import { CONFIG_DIR, NOW } from '../support/config-fixture';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The top-level schema (project, aws, tags, kms, instance, dataProtection,
// exceptions and the cross-section port check), parsed directly: each
// constraint with a value just inside and just outside it, and the exact
// message (key path: expected). The sections with their own files
// (schema-edge, -network, -audit, -secrets, -spend, -openclaw) have their own tests.

/** The merged example/dev config (base.yaml and the example client): a valid config to vary one key of. */
const BASE = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).merged.value as Record<string, unknown>;
const EXCEPTION = { control: 'data-retention', reason: 'r'.repeat(20), approvedBy: 'sec', expires: '2027-01-31' };
const base = (field: string) => (field.startsWith('exceptions') ? { ...BASE, exceptions: [EXCEPTION] } : BASE);

test('the example config parses, and keeps every value it was given (openclaw adds its agent defaults)', () => {
  expect(configSchema.parse(BASE)).toMatchObject(BASE);
});

test('NAME_PATTERN: lowercase letters, digits and hyphens, anchored, at least one', () => {
  expect(['a', 'acme-01', '0'].map((n) => NAME_PATTERN.test(n))).toEqual([true, true, true]);
  expect(['', 'Acme', 'ac_me', ' acme', 'acme ', 'ac.me'].map((n) => NAME_PATTERN.test(n))).toEqual([false, false, false, false, false, false]);
});

test('every key at every depth has a description, the top level and an exception included', () => {
  expect(undescribed(z.toJSONSchema(configSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
  expect(exceptionSchema.description).toBe('An approved, time-limited weakening of one hardened default.');
});

test('every top-level section is required', () => {
  expect(problemsOf(configSchema, {})).toEqual([
    'project: Invalid input: expected object, received undefined',
    'aws: Invalid input: expected object, received undefined',
    'tags: Invalid input: expected record, received undefined',
    'kms: Invalid input: expected object, received undefined',
    'instance: Invalid input: expected object, received undefined',
    'network: Invalid input: expected object, received undefined',
    'logs: Invalid input: expected object, received undefined',
    'edge: Invalid input: expected object, received undefined',
    'openclaw: Invalid input: expected object, received undefined',
    'secrets: Invalid input: expected object, received undefined',
    'breakGlass: Invalid input: expected object, received undefined',
    'audit: Invalid input: expected object, received undefined',
    'alerts: Invalid input: expected object, received undefined',
    'spend: Invalid input: expected object, received undefined',
    'dataProtection: Invalid input: expected object, received undefined',
    'exceptions: a list of exceptions (use [] for none)',
  ]);
});

test('every key of an exception is required, each with its own message', () => {
  expect(problemsOf(configSchema, { ...BASE, exceptions: [{}] })).toEqual([
    'exceptions.0.control: one of the hardened controls: data-retention, agent-exec-unrestricted, agent-elevated, agent-to-agent, agent-automations, agent-channel-open, agent-shared-gateway, viewer-tls-default-certificate',
    'exceptions.0.reason: a sentence explaining why the control is weakened',
    'exceptions.0.approvedBy: the name or e-mail of whoever approved the exception',
    'exceptions.0.expires: a date as YYYY-MM-DD',
  ]);
});

test.each([
  [[]],
  [['project']],
  [['aws']],
  [['kms']],
  [['instance']],
  [['instance', 'stateVolume']],
  [['instance', 'stateBackup']],
  [['dataProtection']],
  [['exceptions', 0]],
])('an unknown key in %j is refused', (at) => {
  const r = configSchema.safeParse(withValue(base('exceptions'), [...at, 'extra'], 1));
  expect(r.error?.issues.map((i) => ({ code: i.code, path: i.path, keys: (i as { keys?: string[] }).keys }))).toEqual([
    { code: 'unrecognized_keys', path: at, keys: ['extra'] },
  ]);
});

describe('aws.region: a region of the commercial partition', () => {
  const refusal = (value: unknown) => problemsOf(configSchema, withValue(BASE, ['aws', 'region'], value));

  test.each(['eu-west-1', 'us-east-1', 'ap-southeast-2'])('%s is accepted', (region) => {
    expect(refusal(region)).toEqual([]);
  });

  test.each(['eu-west-9', 'cn-north-1', 'us-gov-west-1', 'EU-WEST-1', '', 3])('%j is refused, listing the commercial regions in order', (region) => {
    const [problem, ...rest] = refusal(region);
    expect(rest).toEqual([]);
    const listed = /^aws\.region: an AWS commercial-partition region, one of: (.*)$/.exec(problem!)![1]!.split(', ');
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']));
    expect(listed.filter((r) => r.startsWith('cn-') || r.startsWith('us-gov-') || r.startsWith('us-iso'))).toEqual([]);
    expect(listed).toEqual(RegionInfo.regions.filter((r) => r.partition === 'aws').map((r) => r.name).sort());
  });

  test('the schema sorts the list itself, whatever order the CDK\'s region table has', () => {
    // A CDK release may list its regions in another order: the message (and the enum) must not follow it.
    const commercial = (regions: readonly { partition?: string; name: string }[]) => regions.filter((r) => r.partition === 'aws').map((r) => r.name);
    let reversed: string[] = [];
    let listed: string[] = [];
    jest.isolateModules(() => {
      jest.doMock('aws-cdk-lib/region-info', () => {
        const actual = jest.requireActual<typeof RegionInfoModule>('aws-cdk-lib/region-info');
        const regions = [...actual.RegionInfo.regions].reverse();
        return { ...actual, RegionInfo: new Proxy(actual.RegionInfo, { get: (target, p) => (p === 'regions' ? regions : Reflect.get(target, p)) }) };
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const reloaded = require('../../lib/config/schema') as typeof SchemaModule;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      reversed = commercial((require('aws-cdk-lib/region-info') as typeof RegionInfoModule).RegionInfo.regions);
      const [problem] = problemsOf(reloaded.configSchema, withValue(BASE, ['aws', 'region'], 'eu-west-9'));
      listed = /^aws\.region: an AWS commercial-partition region, one of: (.*)$/.exec(problem!)![1]!.split(', ');
    });
    jest.dontMock('aws-cdk-lib/region-info');
    const sorted = commercial(RegionInfo.regions).sort();
    expect(reversed).toEqual([...sorted].reverse());
    expect(listed).toEqual(sorted);
  });
});

describe('constraints', () => {
  test.each<[unknown, string[]]>([
    ["openclaw", []],
    ["a", []],
    ["a-0", []],
    ["pppppppppppppppppppp", []],
    ["ppppppppppppppppppppp", ["project.prefix: a prefix of at most 20 characters (it leads every stack and resource name)"]],
    ["", ["project.prefix: prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)"]],
    ["Openclaw", ["project.prefix: prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)"]],
    ["open_claw", ["project.prefix: prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)"]],
    [" openclaw", ["project.prefix: prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)"]],
    ["openclaw ", ["project.prefix: prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)"]],
    ["open.claw", ["project.prefix: prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)"]],
    [5, ["project.prefix: prefix: a string of lowercase letters, digits and hyphens"]],
  ])('project.prefix: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('project.prefix'), ['project','prefix'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    ["yes", ["project.terminationProtection: true or false"]],
  ])('project.terminationProtection: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('project.terminationProtection'), ['project','terminationProtection'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["123456789012", []],
    [123456789012, ["aws.account: a 12-digit AWS account ID as a quoted string, e.g. \"123456789012\" (YAML reads unquoted digits as a number)"]],
    ["12345678901", ["aws.account: a 12-digit AWS account ID, e.g. \"123456789012\""]],
    ["1234567890123", ["aws.account: a 12-digit AWS account ID, e.g. \"123456789012\""]],
    ["x123456789012", ["aws.account: a 12-digit AWS account ID, e.g. \"123456789012\""]],
    ["12345678901a", ["aws.account: a 12-digit AWS account ID, e.g. \"123456789012\""]],
    ["123456789012 ", ["aws.account: a 12-digit AWS account ID, e.g. \"123456789012\""]],
  ])('aws.account: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('aws.account'), ['aws','account'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [90, []],
    [89, ["kms.rotationPeriodDays: at least 90 days (the KMS minimum)"]],
    [2560, []],
    [2561, ["kms.rotationPeriodDays: at most 2560 days (the KMS maximum)"]],
    [90.5, ["kms.rotationPeriodDays: a whole number of days between 90 and 2560"]],
    ["365", ["kms.rotationPeriodDays: a whole number of days between 90 and 2560"]],
  ])('kms.rotationPeriodDays: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('kms.rotationPeriodDays'), ['kms','rotationPeriodDays'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["t4g.small", []],
    ["m7g.large", []],
    ["c7gn.xlarge", []],
    ["x2gd.medium", []],
    ["im4gn.large", []], // two letters before the generation digit
    ["is4gen.medium", []],
    ["t3.small", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    ["T4g.small", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    ["g.small", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    [" t4g.small", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    ["t4g.small ", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    ["t4g", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    ["t4g.", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    ["t4g.Small", ["instance.type: a Graviton (arm64) instance type such as t4g.small or m7g.large"]],
    [1, ["instance.type: an EC2 instance type such as t4g.small"]],
  ])('instance.type: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('instance.type'), ['instance','type'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [12, []],
    [11, ["instance.rootVolumeGiB: at least 12 GiB (the OS, Node 24 and OpenClaw take about 4)"]],
    [200, []],
    [201, ["instance.rootVolumeGiB: at most 200 GiB"]],
    [12.5, ["instance.rootVolumeGiB: a whole number of GiB from 12 to 200"]],
    ["16", ["instance.rootVolumeGiB: a whole number of GiB from 12 to 200"]],
  ])('instance.rootVolumeGiB: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('instance.rootVolumeGiB'), ['instance','rootVolumeGiB'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["ami-01234567", []],
    [undefined, []],
    ["ami-0123456", ["instance.amiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-0123456789abcdef", ["instance.amiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    [1, ["instance.amiId: an AMI ID such as ami-0123456789abcdef0, quoted or not"]],
  ])('instance.amiId: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('instance.amiId'), ['instance','amiId'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0, ["instance.stateVolume.sizeGiB: at least 1 GiB"]],
    [1024, []],
    [1025, ["instance.stateVolume.sizeGiB: at most 1024 GiB"]],
    [1.5, ["instance.stateVolume.sizeGiB: a whole number of GiB from 1 to 1024"]],
    ["4", ["instance.stateVolume.sizeGiB: a whole number of GiB from 1 to 1024"]],
  ])('instance.stateVolume.sizeGiB: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('instance.stateVolume.sizeGiB'), ['instance','stateVolume','sizeGiB'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["snap-01234567", []],
    ["snap-0123456789abcdef0", []],
    [undefined, []],
    ["snap-0123456", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["snap-012345678", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["snap-0123456789abcdef", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["snap-0123456789abcdef01", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["snap-0123456789ABCDEF0", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["xsnap-01234567", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["snap-01234567 ", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    ["snap-0123456g", ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)"]],
    [7, ["instance.stateVolume.restoreFromSnapshotId: an EBS snapshot ID such as snap-0123456789abcdef0"]],
  ])('instance.stateVolume.restoreFromSnapshotId: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('instance.stateVolume.restoreFromSnapshotId'), ['instance','stateVolume','restoreFromSnapshotId'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0, ["instance.stateBackup.retainDays: at least 1 day"]],
    [365, []],
    [366, ["instance.stateBackup.retainDays: at most 365 days"]],
    [1.5, ["instance.stateBackup.retainDays: a whole number of days from 1 to 365"]],
    ["14", ["instance.stateBackup.retainDays: a whole number of days from 1 to 365"]],
  ])('instance.stateBackup.retainDays: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('instance.stateBackup.retainDays'), ['instance','stateBackup','retainDays'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [false, []],
    ["no", ["dataProtection.retainOnDelete: true or false"]],
  ])('dataProtection.retainOnDelete: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('dataProtection.retainOnDelete'), ['dataProtection','retainOnDelete'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["none", ["exceptions: a list of exceptions (use [] for none)"]],
    [{}, ["exceptions: a list of exceptions (use [] for none)"]],
  ])('exceptions: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('exceptions'), ['exceptions'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["data-retention", []],
    ["agent-elevated", []],
    ["no-such-control", ["exceptions.0.control: one of the hardened controls: data-retention, agent-exec-unrestricted, agent-elevated, agent-to-agent, agent-automations, agent-channel-open, agent-shared-gateway, viewer-tls-default-certificate"]],
    [3, ["exceptions.0.control: one of the hardened controls: data-retention, agent-exec-unrestricted, agent-elevated, agent-to-agent, agent-automations, agent-channel-open, agent-shared-gateway, viewer-tls-default-certificate"]],
  ])('exceptions.0.control: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('exceptions.0.control'), ['exceptions','0','control'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["rrrrrrrrrrrrrrrrrrrr", []],
    ["rrrrrrrrrrrrrrrrrrr", ["exceptions.0.reason: a reason of at least 20 characters that a reviewer can judge"]],
    [20, ["exceptions.0.reason: a sentence explaining why the control is weakened"]],
  ])('exceptions.0.reason: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('exceptions.0.reason'), ['exceptions','0','reason'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["sec", []],
    ["se", ["exceptions.0.approvedBy: the name or e-mail of whoever approved the exception"]],
    [3, ["exceptions.0.approvedBy: the name or e-mail of whoever approved the exception"]],
  ])('exceptions.0.approvedBy: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('exceptions.0.approvedBy'), ['exceptions','0','approvedBy'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["2027-01-31", []],
    ["2028-02-29", []],
    ["2027-02-29", ["exceptions.0.expires: a real calendar date as YYYY-MM-DD"]],
    ["2027-02-30", ["exceptions.0.expires: a real calendar date as YYYY-MM-DD"]],
    ["2027-13-01", ["exceptions.0.expires: a real calendar date as YYYY-MM-DD"]],
    ["2027-00-10", ["exceptions.0.expires: a real calendar date as YYYY-MM-DD"]],
    ["2027-04-31", ["exceptions.0.expires: a real calendar date as YYYY-MM-DD"]],
    ["2027-1-01", ["exceptions.0.expires: a date as YYYY-MM-DD"]],
    ["27-01-01", ["exceptions.0.expires: a date as YYYY-MM-DD"]],
    ["2027-01-011", ["exceptions.0.expires: a date as YYYY-MM-DD"]],
    [" 2027-01-01", ["exceptions.0.expires: a date as YYYY-MM-DD"]],
    ["2027-01-01 ", ["exceptions.0.expires: a date as YYYY-MM-DD"]],
    ["2027/01/01", ["exceptions.0.expires: a date as YYYY-MM-DD"]],
    [20270101, ["exceptions.0.expires: a date as YYYY-MM-DD"]],
  ])('exceptions.0.expires: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('exceptions.0.expires'), ['exceptions','0','expires'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [8081, []],
    [8080, ["edge.gatewayPort: a port different from edge.proxyPort: the gateway listens on loopback behind nginx, never on the proxy port"]],
  ])('edge.gatewayPort: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('edge.gatewayPort'), ['edge','gatewayPort'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [{"cost-center":"a b_c.d:e/f=g+h@i-j"}, []],
    [{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"v"}, []],
    [{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"v"}, ["tags.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: a tag key of 1-128 letters, digits, spaces or _.:/=+@-"]],
    [{"cost-center":"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"}, []],
    [{"cost-center":"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"}, ["tags.cost-center: a tag value of up to 256 letters, digits, spaces or _.:/=+@-"]],
    [{"cost-center":""}, []],
    [{"":"v"}, ["tags.: a tag key of 1-128 letters, digits, spaces or _.:/=+@-"]],
    [{"aws:x":"v"}, ["tags.aws:x: a tag key not starting with \"aws:\" (reserved)"]],
    [{"AWS:x":"v"}, ["tags.AWS:x: a tag key not starting with \"aws:\" (reserved)"]],
    [{"x-aws:y":"v"}, []],
    [{"cost#center":"v"}, ["tags.cost#center: a tag key of 1-128 letters, digits, spaces or _.:/=+@-"]],
    [{"cost-center":"a#b"}, ["tags.cost-center: a tag value of up to 256 letters, digits, spaces or _.:/=+@-"]],
    [{"cost-center":5}, ["tags.cost-center: a tag value (string)"]],
    [[], ["tags: Invalid input: expected record, received array"]],
  ])('tags: %j', (value, expected) => {
    expect(problemsOf(configSchema, withValue(base('tags'), ['tags'], value))).toEqual(expected);
  });
});
