import type { ResolvedConfig } from '../../lib/config/schema';
import { checkGatewayLimits } from '../../lib/config/validators/openclaw';
import { agentGateways, gatewayById, gatewayOfAgent, MAX_GATEWAYS } from '../../lib/openclaw/gateways';
import { openclawSchema } from '../../lib/openclaw/config-schema';
import { exampleConfig } from '../host/support/host-tools';

const example = exampleConfig('dev');
const MINIMAL = { description: 'A test agent.', provider: 'anthropic', model: 'claude-sonnet-4-6' };
const withAgents = (ids: string[], sharedGateways: Record<string, string[]> = {}): ResolvedConfig => ({
  ...example,
  openclaw: { ...example.openclaw, agents: Object.fromEntries(ids.map((id) => [id, example.openclaw.agents.ops!])), sharedGateways },
});
const problemsOf = (value: unknown) => {
  const r = openclawSchema.safeParse(value);
  return (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('the example runs one gateway per agent: own user, unit, ports, edge path and folders', () => {
  expect(agentGateways(example)).toEqual([
    {
      id: 'ops',
      agents: ['ops'],
      shared: false,
      user: 'openclaw-ops',
      unit: 'openclaw-gateway@ops.service',
      port: 18789,
      proxyPort: 3129,
      basePath: '/agents/ops',
      configDir: '/etc/openclaw/gateways/ops',
      configFile: '/etc/openclaw/gateways/ops/openclaw.json',
      controlUiOriginsFile: '/etc/openclaw/gateways/ops/control-ui-origins.json',
      execApprovalsFile: '/etc/openclaw/gateways/ops/exec-approvals.json',
      stateDir: '/var/lib/openclaw/ops',
      workspacesDir: '/var/lib/openclaw/ops/workspaces',
      secretsDir: '/run/openclaw/secrets/ops',
      tokenFile: '/run/openclaw/secrets/ops/gateway-token',
      logDir: '/var/log/openclaw/ops',
      logFile: '/var/log/openclaw/ops/openclaw.log',
    },
    expect.objectContaining({ id: 'support', agents: ['support'], user: 'openclaw-support', port: 18790, proxyPort: 3130, basePath: '/agents/support' }),
  ]);
});

test('no two gateways share a user, unit, port, proxy port or folder', () => {
  const gateways = agentGateways(withAgents(['a', 'b', 'c', 'd'], { team: ['b', 'c'] }));
  for (const key of ['user', 'unit', 'port', 'proxyPort', 'basePath', 'configDir', 'stateDir', 'secretsDir', 'logDir'] as const) {
    const values = gateways.map((g) => g[key]);
    expect(new Set(values).size).toBe(values.length);
  }
});

test('a shared group is one gateway, named by the group, in id order with the others', () => {
  const config = withAgents(['a', 'b', 'z'], { team: ['z', 'b'] });
  expect(agentGateways(config).map((g) => [g.id, g.agents, g.shared, g.port])).toEqual([
    ['a', ['a'], false, 18789],
    ['team', ['b', 'z'], true, 18790],
  ]);
  expect(gatewayOfAgent(config, 'z').id).toBe('team');
  expect(gatewayById(config, 'a').user).toBe('openclaw-a');
  expect(() => gatewayOfAgent(config, 'nobody')).toThrow('no agent "nobody" in openclaw.agents of example/dev');
  expect(() => gatewayById(config, 'b')).toThrow('no gateway "b" in example/dev (gateways: a, team)');
});

describe('sharedGateways in the schema', () => {
  const section = (agents: string[], sharedGateways: unknown) => ({
    version: example.openclaw.version,
    plugins: [],
    agents: Object.fromEntries(agents.map((a) => [a, MINIMAL])),
    sharedGateways,
  });

  test('a group names defined agents, each in one group, under a name that is no agent id; at least two agents', () => {
    expect(problemsOf(section(['a', 'b', 'c'], { team: ['a', 'b'] }))).toEqual([]);
    expect(problemsOf(section(['a', 'b', 'c'], { a: ['b', 'c'], team: ['a', 'x'], other: ['a', 'c'] }))).toEqual([
      'sharedGateways.a: a group name that is not an agent id ("a" is an agent: gateways are named by agent or group)',
      'sharedGateways.team.1: an agent of this config (a, b, c); "x" is not defined',
      'sharedGateways.other.0: an agent of no other group; "a" already shares gateway "team"',
      'sharedGateways.other.1: an agent of no other group; "c" already shares gateway "a"',
    ]);
    expect(problemsOf(section(['a', 'b'], { team: ['a'] }))).toEqual(['sharedGateways.team: at least two agents (one agent has its own gateway anyway)']);
  });

  test('agents that message each other must share a gateway', () => {
    const agents = { a: { ...MINIMAL, agentToAgent: ['b'] }, b: MINIMAL };
    const base = { version: example.openclaw.version, plugins: [], agents };
    expect(problemsOf({ ...base, sharedGateways: {} })).toEqual([
      'agents.a.agentToAgent.0: an agent of the same gateway; "b" runs in its own gateway (agents reach each other only inside one gateway: ' +
        'list both in openclaw.sharedGateways, with an exception for control agent-shared-gateway)',
    ]);
    expect(problemsOf({ ...base, sharedGateways: { team: ['a', 'b'] } })).toEqual([]);
  });
});

describe('gateway limits (lib/config/validators/openclaw.ts)', () => {
  test('a gateway id names an OS user: at most 23 characters', () => {
    const long = 'a'.repeat(24);
    expect(checkGatewayLimits(withAgents(['a'.repeat(23)]))).toEqual([]);
    expect(checkGatewayLimits(withAgents([long]))).toEqual([
      {
        path: ['openclaw', 'agents', long],
        message:
          `found gateway id "${long}" (24 characters); expected at most 23: it names the gateway's OS user openclaw-<id>, ` +
          'and Linux user names have at most 32 characters. Shorten the agent name',
      },
    ]);
    expect(checkGatewayLimits(withAgents(['a', 'b'], { [long]: ['a', 'b'] }))[0]!.path).toEqual(['openclaw', 'sharedGateways', long]);
  });

  test(`at most ${MAX_GATEWAYS} gateways on one host; a shared group counts once`, () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `agent-${i}`);
    expect(checkGatewayLimits(withAgents(ids(16)))).toEqual([]);
    expect(checkGatewayLimits(withAgents(ids(17)))).toEqual([
      {
        path: ['openclaw', 'agents'],
        message:
          'found 17 gateways; expected at most 16 on one host (one per agent, one per shared group): split the client\'s agents over environments or share gateways (openclaw.sharedGateways)',
      },
    ]);
    expect(checkGatewayLimits(withAgents(ids(17), { team: ['agent-0', 'agent-1'] }))).toEqual([]);
  });
});
