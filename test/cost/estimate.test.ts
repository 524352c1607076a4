import { agentGateways } from '../../lib/openclaw/gateways';
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { totalUsd, type CostLine } from '../../lib/cost/cost-line';
import { estimateMonthlyCost } from '../../lib/cost/estimate';
import { formatCostReport } from '../../lib/cost/report';
import { EC2_HOURLY, HOURS_PER_MONTH, PRICES } from '../../lib/cost/price-table';
import type { StackTemplate } from '../../lib/cost/template-index';
import { stageTemplates } from '../../lib/cost/templates';
import { usageValues } from '../../lib/cost/usage-assumptions';
import { buildForTest } from '../support/build';
import { CONFIG_DIR, configFixture } from '../support/config-fixture';

// The estimate of the real example deployments, built the way `npm run cost` builds them.

/**
 * The project's goal for the default hardened deployment of example, us-east-1, per month
 * (issue 15: "at or under $45"). It was raised to $46 for the daily drift check (issue 14);
 * the egress proxy's log group and the egress-blocked alarm came on top, and the
 * ProxyAuthFailures metric filter lost its default value of 0 (it reported all month; now
 * only in the minutes with a refusal, its alarm treating the rest as not breaching), which
 * brought the default deployment back under $45 (docs/cost.md).
 */
const GOAL_USD = 45;

interface Estimated {
  config: ResolvedConfig;
  templates: StackTemplate[];
  lines: CostLine[];
  total: number;
}

function estimate(context: Record<string, unknown>, configDir?: string, displayBase?: string): Estimated {
  const built = buildForTest(context, configDir, displayBase);
  const { config, stage } = built.deployments[0]!;
  const templates = stageTemplates(stage);
  const lines = estimateMonthlyCost(templates, config, 'us-east-1');
  return { config, templates, lines, total: totalUsd(lines) };
}

const line = (e: Estimated, key: string) => {
  const found = e.lines.find((l) => l.key === key);
  if (!found) throw new Error(`no line ${key} in: ${e.lines.map((l) => l.key).join(', ')}`);
  return found;
};
const resources = (e: Estimated, type: string) =>
  e.templates.flatMap((t) => Object.values(t.template.Resources ?? {}).filter((r) => r.Type === type));

const root = configFixture({
  // natMode gateway instead of the NAT instance
  'clients/natgw/client.yaml': fs.readFileSync(path.join(CONFIG_DIR, 'clients', 'example', 'client.yaml'), 'utf8'),
  'clients/natgw/dev.yaml': 'network:\n  natMode: gateway\n',
  'clients/natgw/agents/ops/SOUL.md': '# Ops\n',
  'clients/natgw/agents/ops/AGENTS.md': '# Ops\n',
  'clients/natgw/agents/support/SOUL.md': '# Support\n',
  'clients/natgw/agents/support/AGENTS.md': '# Support\n',
  // one more agent than example
  'clients/example/dev.yaml':
    'openclaw:\n  agents:\n    billing:\n      description: Answers billing questions, reached only through the gateway.\n      provider: anthropic\n      model: claude-sonnet-4-6\n',
  'clients/example/agents/billing/SOUL.md': '# Billing\nPrecise.\n',
  'clients/example/agents/billing/AGENTS.md': '# Instructions\nNever promise refunds.\n',
});

let prod: Estimated;
let dev: Estimated;
let natGateway: Estimated;
let threeAgents: Estimated;

beforeAll(() => {
  prod = estimate({ client: 'example', env: 'prod' });
  dev = estimate({ client: 'example', env: 'dev' });
  natGateway = estimate({ client: 'natgw', env: 'dev' }, path.join(root, 'config'), root);
  threeAgents = estimate({ client: 'example', env: 'dev' }, path.join(root, 'config'), root);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe.each([
  ['prod', () => prod],
  ['dev', () => dev],
])('example/%s', (_env, get) => {
  test('the gateway host: sized from its two agents (two gateways of 1024 MiB + 768 MiB for the host), one t4g.medium at 730 h', () => {
    const e = get();
    expect(e.config.instance.type).toBeUndefined();
    expect(line(e, 'ec2:t4g.medium')).toMatchObject({ quantity: 1, unitUsd: EC2_HOURLY['t4g.medium']!.usd * HOURS_PER_MONTH });
    expect(e.lines.some((l) => l.key === 'ec2:t4g.small')).toBe(false);
  });

  test('the NAT instance: one t4g.nano, and its public IPv4 address', () => {
    const e = get();
    expect(line(e, 'ec2-nat:t4g.nano').quantity).toBe(1);
    expect(line(e, 'public-ipv4')).toMatchObject({ quantity: 1, monthlyUsd: 3.65 });
    expect(e.lines.some((l) => l.key === 'nat-gateway')).toBe(false);
  });

  test('EBS: the root volumes of the host and the NAT instance', () => {
    const e = get();
    expect(line(e, 'ebs:gp3').quantity).toBe(e.config.instance.rootVolumeGiB + 8);
  });

  test('the state volume (instance.stateVolume.sizeGiB of gp3) and its daily snapshots, kept instance.stateBackup.retainDays', () => {
    const e = get();
    expect(line(e, 'ebs-volume:gp3')).toMatchObject({ quantity: e.config.instance.stateVolume.sizeGiB, unitUsd: PRICES.ebsGp3GbMonth.usd });
    const u = usageValues();
    const snapshots = line(e, 'ebs-snapshots');
    expect(snapshots.quantity).toBeCloseTo(u.stateVolumeUsedGb + u.stateDailyChangeGb * (e.config.instance.stateBackup.retainDays - 1), 10);
    expect(snapshots.monthlyUsd).toBeCloseTo(snapshots.quantity * PRICES.ebsSnapshotGbMonth.usd, 10);
    expect(e.lines.filter((l) => l.key.startsWith('unpriced:'))).toEqual([]);
  });

  test('KMS keys, secrets, alarms and WAF rules are counted from the templates', () => {
    const e = get();
    expect(line(e, 'kms-key').quantity).toBe(resources(e, 'AWS::KMS::Key').length);
    expect(line(e, 'kms-key').quantity).toBeGreaterThanOrEqual(2);
    expect(line(e, 'secret').quantity).toBe(resources(e, 'AWS::SecretsManager::Secret').length);
    // one per agent, one gateway token per gateway (one gateway per agent), and the origin-verify header
    expect(line(e, 'secret').quantity).toBe(Object.keys(e.config.openclaw.agents).length + agentGateways(e.config).length + 1);
    const alarmMetrics = resources(e, 'AWS::CloudWatch::Alarm').reduce(
      (s, a) => s + Math.max(1, ((a.Properties?.Metrics as { MetricStat?: unknown }[] | undefined) ?? []).filter((m) => m.MetricStat).length),
      0,
    );
    expect(line(e, 'alarm').quantity).toBe(alarmMetrics);
    expect(line(e, 'alarm').quantity).toBeGreaterThanOrEqual(10);
    const rules = resources(e, 'AWS::WAFv2::WebACL').reduce((s, a) => s + (a.Properties?.Rules as unknown[]).length, 0);
    expect(line(e, 'waf-rules').quantity).toBe(rules);
    expect(line(e, 'waf-web-acl').quantity).toBe(1);
  });

  test('custom metrics: the host\'s metrics seen in alarms and metric filters, AWS metrics excluded', () => {
    const e = get();
    const custom = line(e, 'custom-metric');
    for (const name of ['GatewayHealthy', 'EgressHealthy', 'AgentFilesIntegrity', 'BootPreflightFailed', 'SecretRetrievalFailed', 'ProxyAuthFailures', 'EgressBlocked', 'SecretPolicyChanges', 'KmsKeyChanges']) {
      expect(custom.basis).toContain(name);
    }
    expect(custom.basis).not.toContain('StatusCheckFailed');
    expect(custom.basis).toContain(`OpenClaw/openclaw-example-${e.config.env}`);
    // Those reporting all month: GatewayHealthy, EgressHealthy, the two spend totals and one ModelSpend{Model}
    // per model; failure metrics (AgentFilesIntegrity and the health check's disk, memory and channel metrics
    // among them: published only on a problem), and metric filters without a default value (ProxyAuthFailures,
    // EgressBlocked), are billed only for the hours they report; and AgentBreakerTripped{Gateway} of each gateway.
    expect(custom.basis).toContain('AgentBreakerTripped');
    expect(custom.quantity).toBe(5 + agentGateways(e.config).length);
    expect(custom.basis).toMatch(/not counted, as they report only when something fails or changes.*BootPreflightFailed/);
    const notCounted = custom.basis.slice(custom.basis.indexOf('not counted'));
    for (const name of ['AgentFilesIntegrity', 'DiskHeadroom', 'MemoryHeadroom', 'ChannelsDown']) expect(notCounted).toContain(name);
    expect(notCounted).toContain('ProxyAuthFailures');
    expect(notCounted).toContain('EgressBlocked');
  });

  test('no detailed monitoring (basic EC2 metrics), and the rotated key material by month 12', () => {
    const e = get();
    expect(e.lines.find((l) => l.key === 'ec2-detailed-monitoring')).toBeUndefined();
    const periods = resources(e, 'AWS::KMS::Key').map((k) => (k.Properties?.RotationPeriodInDays as number | undefined) ?? 365);
    expect(line(e, 'kms-rotation').quantity).toBe(periods.reduce((s, p) => s + Math.min(2, Math.floor(365 / p)), 0));
  });

  test('every resource type is priced or known to be free', () => {
    expect(get().lines.filter((l) => l.category === 'Not priced')).toEqual([]);
  });

  test('every line is a finite, non-negative amount with a basis', () => {
    for (const l of get().lines) {
      expect(Number.isFinite(l.monthlyUsd)).toBe(true);
      expect(l.monthlyUsd).toBeGreaterThanOrEqual(0);
      expect(l.basis.length).toBeGreaterThan(0);
    }
  });

  test('the report ends with the Total line, the sum of the lines', () => {
    const e = get();
    const report = formatCostReport(e.lines, { title: `openclaw-example-${e.config.env}` });
    const last = report.split('\n').at(-1)!;
    expect(last).toMatch(/^Total {2}\$\d+\.\d{2} \/ month \(us-east-1 list prices, 2026-11-21\)$/);
    expect(last).toContain(`$${e.total.toFixed(2)} `);
  });
});

// Issue 16: one gateway per agent, each capped at 1 GiB. The $45 goal is now a ONE-agent
// deployment's (test/cost/added-agent.test.ts pins it); example has two agents, so its host is a
// t4g.medium: the one-agent figure plus one added agent (the instance step, its secret and reads).
test(`example with the hardened defaults (dev): two agents, $58.46, the one-agent goal ($${GOAL_USD}) plus one instance step and one gateway's secrets, alarm and metric`, () => {
  expect(dev.total.toFixed(2)).toBe('58.46');
  const step = (EC2_HOURLY['t4g.medium']!.usd - EC2_HOURLY['t4g.small']!.usd) * HOURS_PER_MONTH;
  const secretAndReads = 0.4 + (usageValues().secretReadsPerSecret / 10_000) * 0.05;
  expect(dev.total - step - 2 * secretAndReads - 0.1 - 0.3).toBeLessThanOrEqual(GOAL_USD);
});

test(`example/prod costs what dev does but for its twice-yearly key rotation ($1 a month per key per rotation, at month 12)`, () => {
  const rotation = (e: Estimated) => line(e, 'kms-rotation').monthlyUsd;
  expect(prod.total - rotation(prod) + rotation(dev)).toBeCloseTo(dev.total, 6);
});

test('example/prod: the total is the sum of its parts, in a plausible range', () => {
  expect(prod.total).toBeCloseTo(prod.lines.reduce((s, l) => s + l.monthlyUsd, 0), 10);
  expect(prod.total).toBeGreaterThan(30);
  expect(prod.total).toBeLessThan(80);
});

test('a managed NAT gateway costs more than the NAT instance', () => {
  expect(natGateway.lines.some((l) => l.key.startsWith('ec2-nat:'))).toBe(false);
  expect(line(natGateway, 'nat-gateway')).toMatchObject({ quantity: 1, monthlyUsd: PRICES.natGatewayHour.usd * HOURS_PER_MONTH });
  expect(line(natGateway, 'nat-gateway-data').quantity).toBe(usageValues().natGatewayProcessedGb);
  // its Elastic IP is a public IPv4 address too
  expect(line(natGateway, 'public-ipv4').quantity).toBe(1);
  expect(natGateway.total).toBeGreaterThan(dev.total + 25);
});

test('each added agent (within one instance size) adds two secrets ($0.80: its document, its gateway\'s token) and their reads, its breaker alarm and metric', () => {
  expect(Object.keys(threeAgents.config.openclaw.agents)).toHaveLength(3);
  expect(line(threeAgents, 'secret').quantity).toBe(line(dev, 'secret').quantity + 2);
  expect(line(threeAgents, 'secret').monthlyUsd - line(dev, 'secret').monthlyUsd).toBeCloseTo(0.8, 10);
  expect(line(threeAgents, 'secrets-api').monthlyUsd).toBeGreaterThan(line(dev, 'secrets-api').monthlyUsd);
  expect(threeAgents.total - dev.total).toBeCloseTo(2 * (0.4 + (usageValues().secretReadsPerSecret / 10_000) * 0.05) + 0.1 + 0.3, 6);
});
