import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, type LoadedConfig } from '../../../lib/config/load';
import { checkAgentFiles } from '../../../lib/config/validators/agent-files';
import { checkAlerts } from '../../../lib/config/validators/alerts';
import { checkDistinctBreakGlassRoles } from '../../../lib/config/validators/break-glass-roles';
import { checkDestructionConfirmed } from '../../../lib/config/validators/destruction';
import { checkInstanceSize } from '../../../lib/config/validators/instance-size';
import { GATEWAY_MEMORY_MAX_MIB, HOST_OVERHEAD_MIB, INSTANCE_MEMORY_GIB, requiredMemoryMiB } from '../../../lib/host/gateway-sizing';
import { configFixture, NOW, TEST_AMI_ID } from '../../support/config-fixture';

// Four cross-field validators of lib/config/validators, each called on its own with a loaded
// config (loadConfig: the schema and exceptions, no validator): what each refuses, the file,
// line and key it names, its whole message, and the edge where it starts to refuse. Through the
// loader and the app: load-deployment.test.ts, runtime-checks.test.ts, data-destruction-opt-in.test.ts.

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const AWS = 'aws:\n  account: "123456789012"\n  region: eu-west-1\n';
// A custom domain, so that prod loads (viewer-tls-default-certificate).
const DOMAIN = 'edge:\n  customDomain:\n    domainName: agents.acme.example\n    certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-111111111111\n';
const amis = (type?: string) => `instance:\n  amiId: ${TEST_AMI_ID}\n${type ? `  type: ${type}\n` : ''}network:\n  natAmiId: ${TEST_AMI_ID}\n`;
const agent = (id: string) => `    ${id}:\n      description: Reached only through the gateway.\n      provider: anthropic\n      model: claude-sonnet-4-6\n`;
const agentFiles = (ids: readonly string[]) => Object.fromEntries(ids.flatMap((id) => [[`clients/acme/agents/${id}/SOUL.md`, '# Soul\n'], [`clients/acme/agents/${id}/AGENTS.md`, '# Instructions\n']]));
const DESTROY =
  'dataProtection:\n  retainOnDelete: false\nexceptions:\n  - control: data-retention\n    reason: Throw-away demo environment rebuilt nightly; holds no client data.\n' +
  '    approvedBy: security@agency.example\n    expires: "2027-01-31"\n';

/** acme/<env> with `clientYaml` after the account, domain and AMIs (and instance.type `type`), agents `ids` and their files. */
function load(env: string, clientYaml: string, ids: readonly string[] = ['helper'], type?: string): LoadedConfig & { configDir: string; root: string } {
  const root = configFixture({ 'clients/acme/client.yaml': AWS + DOMAIN + amis(type) + clientYaml + `openclaw:\n  agents:\n${ids.map(agent).join('')}`, ...agentFiles(ids) });
  roots.push(root);
  const configDir = path.join(root, 'config');
  return { ...loadConfig({ configDir, displayBase: root, now: NOW, client: 'acme', env }), configDir, root };
}
/** The same merged layers with no key's origin known (a key no file sets): problems then carry no file or line. */
const noOrigins = (l: LoadedConfig) => ({ ...l.merged, origins: new Map() });
const lineOf = (file: string, key: string) => fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith(`${key}:`) || l.trimStart().startsWith(`${key}:`)) + 1;

describe('alerts', () => {
  test('prod (COMPLIANCE) with no subscription: one problem at alerts, where alerts.email is set, naming the files to add one in', () => {
    const l = load('prod', '');
    expect(l.config.audit.lockMode).toBe('COMPLIANCE');
    const problems = checkAlerts(l.config, l.merged);
    expect(problems).toEqual([
      {
        file: 'config/base.yaml',
        line: lineOf(path.join(l.configDir, 'base.yaml'), 'email'),
        path: 'alerts',
        message:
          'prod needs at least one alert subscription (alerts.email, alerts.sms or alerts.https): its alarms (boot, secrets, integrity, WAF, auth failures, policy changes) would reach nobody. ' +
          'Add one in config/clients/acme/client.yaml or prod.yaml',
      },
    ]);
  });

  test.each([
    ['an email', 'alerts:\n  email: ["oncall@acme.example"]\n'],
    ['an SMS number', 'alerts:\n  sms: ["+15555550100"]\n'],
    ['an HTTPS endpoint', 'alerts:\n  https: ["https://hooks.acme.example/alerts"]\n'],
  ])('prod with only %s: accepted', (_name, yaml) => {
    const l = load('prod', yaml);
    expect(checkAlerts(l.config, l.merged)).toEqual([]);
  });

  test('where no file sets alerts: no file or line, the rest the same', () => {
    const l = load('prod', '');
    expect(checkAlerts(l.config, noOrigins(l))).toEqual([{ ...checkAlerts(l.config, l.merged)[0], file: undefined, line: undefined }]);
  });

  test('dev (GOVERNANCE) with no subscription: accepted', () => {
    const l = load('dev', '');
    expect(l.config.audit.lockMode).toBe('GOVERNANCE');
    expect(checkAlerts(l.config, l.merged)).toEqual([]);
  });
});

describe('destruction', () => {
  test('retainOnDelete false, approved but not confirmed (or another deployment confirmed): one problem at the key, naming the flag', () => {
    const l = load('dev', DESTROY);
    const expected = [
      {
        file: 'config/clients/acme/client.yaml',
        line: lineOf(path.join(l.configDir, 'clients/acme/client.yaml'), 'retainOnDelete'),
        path: 'dataProtection.retainOnDelete',
        message: 'false deletes keys, secrets and logs with the stacks of acme-dev; the exception is approved, now confirm it on the command line with -c confirmDataDestruction=acme-dev',
      },
    ];
    expect(checkDestructionConfirmed(l, [])).toEqual(expected);
    expect(checkDestructionConfirmed(l, ['acme-prod', 'example-dev'])).toEqual(expected);
    expect(checkDestructionConfirmed(l, ['acme-dev'])).toEqual([]);
  });

  test('where no file sets the key: no file or line', () => {
    const l = load('dev', DESTROY);
    const [p] = checkDestructionConfirmed({ ...l, merged: noOrigins(l) }, []);
    expect([p!.file, p!.line, p!.path]).toEqual([undefined, undefined, 'dataProtection.retainOnDelete']);
  });

  test('retained (the default): nothing to confirm', () => {
    const l = load('dev', '');
    expect(l.config.dataProtection.retainOnDelete).toBe(true);
    expect(checkDestructionConfirmed(l, [])).toEqual([]);
  });
});

describe('instance size', () => {
  test('no instance.type: nothing to check', () => {
    const l = load('dev', '', ['a', 'b', 'c']);
    expect(l.config.instance.type).toBeUndefined();
    expect(checkInstanceSize(l.config, l.merged)).toEqual([]);
  });

  test('a type too small for the gateways: the memory, the need and its sum, and the smallest default type that holds them', () => {
    const l = load('dev', '', ['a', 'b', 'c'], 't4g.small');
    const need = requiredMemoryMiB(3);
    expect(need).toBe(3 * GATEWAY_MEMORY_MAX_MIB + HOST_OVERHEAD_MIB);
    expect(checkInstanceSize(l.config, l.merged)).toEqual([
      {
        file: 'config/clients/acme/client.yaml',
        line: lineOf(path.join(l.configDir, 'clients/acme/client.yaml'), 'type'),
        path: 'instance.type',
        message:
          `"t4g.small" has 2048 MiB of memory; 3 gateways (one per agent) need ${need} MiB (3 x ${GATEWAY_MEMORY_MAX_MIB} MiB MemoryMax + ${HOST_OVERHEAD_MIB} MiB for the host). ` +
          `Expected a type with at least ${need} MiB, such as t4g.medium, or leave instance.type out`,
      },
    ]);
  });

  test('the need is never exactly a listed memory (so >= and > decide alike): the host overhead is not a multiple of 512 MiB, every memory is', () => {
    expect(HOST_OVERHEAD_MIB % 512).not.toBe(0);
    for (const gib of Object.values(INSTANCE_MEMORY_GIB)) expect((gib * 1024) % 512).toBe(0);
  });

  test('one gateway: "gateway", not "gateways"; a type that holds it is accepted', () => {
    const small = load('dev', '', ['a'], 't4g.nano');
    expect(checkInstanceSize(small.config, small.merged)[0]!.message).toMatch(/^"t4g\.nano" has 512 MiB of memory; 1 gateway \(one per agent\) need \d+ MiB \(1 x /);
    const fits = load('dev', '', ['a'], 't4g.small');
    expect(requiredMemoryMiB(1)).toBeLessThanOrEqual(2048);
    expect(checkInstanceSize(fits.config, fits.merged)).toEqual([]);
  });

  test('more gateways than any default type holds: no default type is suggested', () => {
    const ids = Array.from({ length: 32 }, (_, i) => `a${i}`);
    const l = load('dev', '', ids, 't4g.2xlarge');
    expect(requiredMemoryMiB(32)).toBeGreaterThan(32 * 1024);
    expect(checkInstanceSize(l.config, l.merged)[0]!.message).toMatch(/^"t4g\.2xlarge" has 32768 MiB of memory; 32 gateways .* such as a larger Graviton type, or leave instance\.type out$/);
  });

  test('where no file sets instance.type: no file or line', () => {
    const l = load('dev', '', ['a', 'b', 'c'], 't4g.small');
    const [p] = checkInstanceSize(l.config, noOrigins(l));
    expect([p!.file, p!.line, p!.path]).toEqual([undefined, undefined, 'instance.type']);
  });

  test('a type whose memory is not known: refused, listing the known ones and the default for the count', () => {
    const l = load('dev', '', ['a', 'b'], 'm8g.large');
    const [p] = checkInstanceSize(l.config, l.merged);
    expect(p!.path).toBe('instance.type');
    expect(p!.message).toMatch(/^"m8g\.large": its memory is not known here, so the host cannot be checked to hold its 2 gateways\. Expected one of t4g\.nano, t4g\.micro, t4g\.small, .*, or leave instance\.type out \(sized from the agent count: t4g\.\w+\)$/);
    const one = load('dev', '', ['a'], 'm8g.large');
    expect(checkInstanceSize(one.config, one.merged)[0]!.message).toContain('to hold its 1 gateway. Expected');
  });
});

describe('agent files', () => {
  test('complete: nothing', () => {
    const l = load('dev', '');
    expect(checkAgentFiles(l.config, l.configDir)).toEqual([]);
  });

  test("an agent's SOUL.md missing: one problem at the agents folder (relative to the working folder), with listAgentFiles' message", () => {
    const l = load('dev', '');
    fs.rmSync(path.join(l.configDir, 'clients/acme/agents/helper/SOUL.md'));
    const problems = checkAgentFiles(l.config, l.configDir);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe(path.relative(process.cwd(), path.join(l.configDir, 'clients/acme/agents')));
    expect(problems[0]!.message).toContain('SOUL.md');
    expect(Object.keys(problems[0]!)).toEqual(['file', 'message']);
  });
});

describe('break-glass roles', () => {
  const CREATE = 'breakGlass:\n  createRole:\n    enabled: true\n    trustedPrincipalArns: ["arn:aws:iam::123456789012:root"]\n';

  test('two deployments of one account creating the same role: one problem, naming the other deployment, both files and the way out', () => {
    const dev = load('dev', CREATE);
    const prod = load('prod', CREATE);
    const client = 'config/clients/acme/client.yaml';
    const enabledLine = lineOf(path.join(dev.configDir, 'clients/acme/client.yaml'), 'enabled');
    const roleLine = lineOf(path.join(dev.configDir, 'base.yaml'), 'roleName');
    expect(checkDistinctBreakGlassRoles(dev, [prod])).toEqual([
      {
        file: 'config/base.yaml',
        line: roleLine,
        path: 'breakGlass.roleName',
        message:
          `"openclaw-break-glass" with breakGlass.createRole.enabled (${client}:${enabledLine}) is also the break-glass role of acme-prod in account 123456789012 ` +
          `(breakGlass.roleName at config/base.yaml:${roleLine}, breakGlass.createRole.enabled at ${client}:${enabledLine}); ` +
          "a role name exists once per account and each role holds only its own deployment's operator policy: give each deployment its own breakGlass.roleName, e.g. <prefix>-<client>-<env>-break-glass",
      },
    ]);
  });

  test('not creating the role itself: nothing, whatever the others do; itself among the others: not a clash', () => {
    const dev = load('dev', '');
    const prod = load('prod', CREATE);
    expect(dev.config.breakGlass.createRole.enabled).toBe(false);
    expect(checkDistinctBreakGlassRoles(dev, [prod])).toEqual([]);
    expect(checkDistinctBreakGlassRoles(prod, [prod, load('prod', CREATE)])).toEqual([]);
  });

  test('an origin without a line: its file alone', () => {
    const dev = load('dev', CREATE);
    const prod = load('prod', CREATE);
    const origins = new Map(dev.merged.origins);
    origins.set('breakGlass.createRole.enabled', { file: 'x.yaml' });
    const [p] = checkDistinctBreakGlassRoles({ ...dev, merged: { ...dev.merged, origins } }, [prod]);
    expect(p!.message).toContain('breakGlass.createRole.enabled (x.yaml) is also');
  });

  test('where no file sets the keys: the files of each deployment are named instead', () => {
    const dev = load('dev', CREATE);
    const prod = load('prod', CREATE);
    const [p] = checkDistinctBreakGlassRoles({ ...dev, merged: noOrigins(dev) }, [{ ...prod, merged: noOrigins(prod) }]);
    expect(p!.file).toBeUndefined();
    expect(p!.message).toContain(`breakGlass.createRole.enabled (${dev.files.join(', ')}) is also`);
    expect(p!.message).toContain(`(breakGlass.roleName at ${prod.files.join(', ')}, breakGlass.createRole.enabled at ${prod.files.join(', ')})`);
  });
});
