import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { addedAgentCost, formatAddedAgent, instanceSteps, type AddedAgentCost } from '../../lib/cost/added-agent';
import { totalUsd, type CostLine } from '../../lib/cost/cost-line';
import { estimateMonthlyCost } from '../../lib/cost/estimate';
import { ADDED_AGENT_ID, configWithOneMoreAgent } from '../../lib/cost/one-more-agent';
import { EC2_HOURLY, HOURS_PER_MONTH } from '../../lib/cost/price-table';
import { stageTemplates } from '../../lib/cost/templates';
import { usageValues } from '../../lib/cost/usage-assumptions';
import { gatewayInstanceType } from '../../lib/host/gateway-sizing';
import { agentGateways } from '../../lib/openclaw/gateways';
import { buildForTest } from '../support/build';
import { CONFIG_DIR, configFixture } from '../support/config-fixture';
import { topologyClientFiles } from '../support/topologies';

// What each added isolated agent costs (issue 16): a ONE-agent deployment with the hardened
// defaults within $45 a month, and the next agent priced by synthesizing the same deployment
// with one more agent (lib/cost/one-more-agent.ts) and comparing the estimates line by line.
// The one-agent deployment is the topology fixture globex (test/fixtures/topologies/clients/globex:
// the example's account, region and defaults, one Telegram agent).

const GOAL_USD = 45;

interface Estimated {
  config: ResolvedConfig;
  lines: CostLine[];
  total: number;
}

function estimate(client: string, configDir: string, displayBase: string): Estimated {
  const built = buildForTest({ client, env: 'dev' }, configDir, displayBase);
  const { config, stage } = built.deployments[0]!;
  const lines = estimateMonthlyCost(stageTemplates(stage), config, 'us-east-1');
  return { config, lines, total: totalUsd(lines) };
}

/** The estimate of the deployment and of the same with one more agent, and their difference. */
function withNext(client: string, configDir: string, displayBase: string): { before: Estimated; after: Estimated; cost: AddedAgentCost } {
  const before = estimate(client, configDir, displayBase);
  const copy = configWithOneMoreAgent(configDir, before.config);
  roots.push(copy.root);
  const after = estimate(client, copy.configDir, copy.root);
  return { before, after, cost: addedAgentCost(before.lines, after.lines, agentGateways(before.config).length) };
}

const roots: string[] = [];
const step = (from: string, to: string) => (EC2_HOURLY[to]!.usd - EC2_HOURLY[from]!.usd) * HOURS_PER_MONTH;
/** One more secret ($0.40) and its reads at the assumed rate. */
const SECRET_AND_READS = 0.4 + (usageValues().secretReadsPerSecret / 10_000) * 0.05;
/** What every added gateway brings besides memory: two secrets (the agent's document, the gateway's token) with their reads, its breaker alarm ($0.10) and its custom metric ($0.30). */
const PER_GATEWAY = 2 * SECRET_AND_READS + 0.1 + 0.3;

let one: ReturnType<typeof withNext>;
let two: ReturnType<typeof withNext>;

beforeAll(() => {
  const root = configFixture(topologyClientFiles('globex'));
  roots.push(root);
  one = withNext('globex', path.join(root, 'config'), root);
  two = withNext('example', CONFIG_DIR, path.dirname(CONFIG_DIR));
}, 600_000);
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

test(`a one-agent deployment with the hardened defaults costs $44.95, within the $${GOAL_USD} goal (us-east-1 list prices)`, () => {
  expect(Object.keys(one.before.config.openclaw.agents)).toEqual(['support']);
  expect(gatewayInstanceType(one.before.config)).toBe('t4g.small');
  expect(one.before.lines.filter((l) => l.key.startsWith('ec2:')).map((l) => l.key)).toEqual(['ec2:t4g.small']);
  expect(one.before.total.toFixed(2)).toBe('44.95');
  expect(one.before.total).toBeLessThanOrEqual(GOAL_USD);
});

test('the second agent: the host steps up to t4g.medium, plus two secrets and their reads, an alarm and a metric ($13.51)', () => {
  expect(Object.keys(one.after.config.openclaw.agents)).toEqual(['support', ADDED_AGENT_ID]);
  expect(one.cost.gatewaysBefore).toBe(1);
  expect(one.cost.lines.map((l) => [l.key, Number(l.deltaUsd.toFixed(4))])).toEqual([
    ['ec2:t4g.small', -12.264],
    ['secret', 0.8],
    ['secrets-api', Number((2 * (SECRET_AND_READS - 0.4)).toFixed(4))],
    ['alarm', 0.1],
    ['custom-metric', 0.3],
    ['ec2:t4g.medium', 24.528],
  ]);
  expect(one.cost.deltaUsd).toBeCloseTo(step('t4g.small', 't4g.medium') + PER_GATEWAY, 6);
  expect(one.cost.deltaUsd.toFixed(2)).toBe('13.51');
  expect(one.after.total - one.before.total).toBeCloseTo(one.cost.deltaUsd, 6);
});

test('example dev (two agents, $58.46): the third agent fits the same t4g.medium and adds its secrets, reads, alarm and metric ($1.24)', () => {
  expect(two.before.total.toFixed(2)).toBe('58.46');
  expect(two.cost.gatewaysBefore).toBe(2);
  expect(two.cost.lines.map((l) => l.key)).toEqual(['secret', 'secrets-api', 'alarm', 'custom-metric']);
  expect(two.cost.deltaUsd).toBeCloseTo(PER_GATEWAY, 6);
  expect(two.cost.deltaUsd.toFixed(2)).toBe('1.24');
  // example with two agents is the one-agent deployment plus one added agent (globex is the same defaults, one agent).
  expect(two.before.total).toBeCloseTo(one.after.total, 6);
});

test('the instance by agent count, with its price', () => {
  expect(instanceSteps().map((s) => [s.type, s.fromGateways, s.toGateways, s.monthlyUsd.toFixed(2)])).toEqual([
    ['t4g.small', 1, 1, '12.26'],
    ['t4g.medium', 2, 3, '24.53'],
    ['t4g.large', 4, 7, '49.06'],
    ['t4g.xlarge', 8, 15, '98.11'],
    ['t4g.2xlarge', 16, 16, '196.22'],
  ]);
});

test('the report section of the next agent', () => {
  expect(formatAddedAgent(one.cost).split('\n')).toEqual([
    'Each added isolated agent (its own gateway, user, secrets and alarms): gateway 2 adds +$13.51 / month',
    '  EC2 t4g.small on-demand         -$12.26  ($12.26 -> $0.00)',
    '  Secrets Manager secrets          +$0.80  ($1.20 -> $2.00)',
    '  Secrets Manager API calls        +$0.04  ($0.07 -> $0.11)',
    '  CloudWatch alarms (standard)     +$0.10  ($2.90 -> $3.00)',
    '  CloudWatch custom metrics        +$0.30  ($1.80 -> $2.10)',
    '  EC2 t4g.medium on-demand        +$24.53  ($0.00 -> $24.53)',
    'Instance by agent count (768 MiB for the host + 1024 MiB MemoryMax per gateway; lib/host/gateway-sizing.ts):',
    '      1 agent   t4g.small    $12.26 / month',
    '    2-3 agents  t4g.medium   $24.53 / month',
    '    4-7 agents  t4g.large    $49.06 / month',
    '   8-15 agents  t4g.xlarge   $98.11 / month',
    '     16 agents  t4g.2xlarge  $196.22 / month',
  ]);
});
