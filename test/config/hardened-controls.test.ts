import { GOVERNANCE_ENVIRONMENTS } from '../../lib/audit/audit-config';
import { HARDENED_CONTROL_IDS, HARDENED_CONTROLS, isProductionEnv, type HardenedControlId } from '../../lib/config/hardened-controls';
import type { ResolvedConfig } from '../../lib/config/schema';
import type { AgentConfig, ChannelPolicy } from '../../lib/openclaw/config-schema';
import { EXEC_MODES, UNRESTRICTED_EXEC_MODES } from '../../lib/openclaw/config-schema';
import { exampleConfig } from '../host/support/host-tools';

// Each hardened control's isWeakened, value by value: every hardened value
// keeps it false, every weakening value makes it true (so the config needs an
// exception). A weakening the predicate misses would load without one.

const prod = exampleConfig('prod');
const support = prod.openclaw.agents.support!;
const telegram = support.channels.telegram!;

const weakened = (id: HardenedControlId, config: ResolvedConfig) => HARDENED_CONTROLS.find((c) => c.id === id)!.isWeakened(config);
/** Which controls a config weakens, in the order of HARDENED_CONTROL_IDS. */
const weakenedIds = (config: ResolvedConfig) => HARDENED_CONTROLS.filter((c) => c.isWeakened(config)).map((c) => c.id);

/** prod with the support agent changed (ops unchanged). */
const withSupport = (change: Partial<AgentConfig>): ResolvedConfig => ({
  ...prod,
  openclaw: { ...prod.openclaw, agents: { ...prod.openclaw.agents, support: { ...support, ...change } } },
});
const withTelegram = (change: Partial<ChannelPolicy>) => withSupport({ channels: { telegram: { ...telegram, ...change } } });

test('the list of hardened controls an exception can name, exactly', () => {
  expect([...HARDENED_CONTROL_IDS]).toEqual([
    'data-retention',
    'agent-exec-unrestricted',
    'agent-elevated',
    'agent-to-agent',
    'agent-automations',
    'agent-channel-open',
    'agent-shared-gateway',
    'viewer-tls-default-certificate',
  ]);
  expect(HARDENED_CONTROLS.map((c) => [c.id, c.path])).toEqual([
    ['data-retention', 'dataProtection.retainOnDelete'],
    ['agent-exec-unrestricted', 'openclaw.agents'],
    ['agent-elevated', 'openclaw.agents'],
    ['agent-to-agent', 'openclaw.agents'],
    ['agent-automations', 'openclaw.agents'],
    ['agent-channel-open', 'openclaw.agents'],
    ['agent-shared-gateway', 'openclaw.sharedGateways'],
    ['viewer-tls-default-certificate', 'edge.customDomain'],
  ]);
});

test('each control\'s title, which the error message and the compliance report show, names the setting and its hardened value', () => {
  expect(Object.fromEntries(HARDENED_CONTROLS.map((c) => [c.id, c.title]))).toEqual({
    'data-retention': 'Keys, secrets and log data are retained when a stack is deleted',
    'agent-exec-unrestricted':
      'Agents run host commands only from an explicit allowlist (openclaw.agents.<id>.tools.exec.mode deny or allowlist; ask, auto and full are unrestricted)',
    'agent-elevated': 'No agent has elevated exec, which bypasses every tool restriction (openclaw.agents.<id>.tools.elevated false)',
    'agent-to-agent': 'Agents neither message each other nor spawn sub-agents (openclaw.agents.<id>.agentToAgent empty, subagents false)',
    'agent-automations':
      'Agents create no scheduled automations of their own; the scheduler and heartbeats are off (openclaw.agents.<id>.automations false)',
    'agent-channel-open':
      'Only allowlisted or operator-paired senders reach an agent on a chat platform (openclaw.agents.<id>.channels.<platform>.dmPolicy and groupPolicy not open)',
    'agent-shared-gateway':
      'Every agent runs in its own gateway process, as its own OS user, with its own gateway token, secret files and egress allowlist ' +
      '(openclaw.sharedGateways empty; a shared gateway is one trust boundary for all its agents)',
    'viewer-tls-default-certificate':
      'Production viewers connect with TLS 1.2 or later: a custom domain with its us-east-1 ACM certificate (edge.customDomain) puts ' +
      'CloudFront on the TLSv1.2_2021 security policy; the default *.cloudfront.net certificate is fixed by AWS at TLSv1',
  });
});

test('the example config in every environment weakens nothing', () => {
  for (const env of ['dev', 'staging', 'prod']) expect(weakenedIds(exampleConfig(env))).toEqual([]);
});

describe('agent-exec-unrestricted', () => {
  test('the exec modes, exactly; ask, auto and full are the unrestricted ones', () => {
    expect([...EXEC_MODES]).toEqual(['deny', 'allowlist', 'ask', 'auto', 'full']);
    expect([...UNRESTRICTED_EXEC_MODES]).toEqual(['ask', 'auto', 'full']);
  });

  test.each(EXEC_MODES.map((m) => [m, UNRESTRICTED_EXEC_MODES.includes(m)] as const))('exec mode %s weakens it: %s', (mode, expected) => {
    const config = withSupport({ tools: { exec: { mode, commands: mode === 'deny' ? [] : ['/usr/bin/uptime'] }, elevated: false } });
    expect(weakenedIds(config)).toEqual(expected ? ['agent-exec-unrestricted'] : []);
  });
});

test('agent-elevated: elevated true on any agent, and only that', () => {
  expect(weakenedIds(withSupport({ tools: { ...support.tools, elevated: true } }))).toEqual(['agent-elevated']);
  expect(weakened('agent-elevated', withSupport({ tools: { ...support.tools, elevated: false } }))).toBe(false);
});

test.each([
  ['agentToAgent with one agent', { agentToAgent: ['ops'] }],
  ['subagents', { subagents: true }],
])('agent-to-agent: %s weakens it, and only it', (_what, change) => {
  expect(weakenedIds(withSupport(change))).toEqual(['agent-to-agent']);
});

test('agent-automations: automations true weakens it, and only it', () => {
  expect(weakenedIds(withSupport({ automations: true }))).toEqual(['agent-automations']);
});

describe('agent-channel-open', () => {
  test.each([
    [{ dmPolicy: 'open', allowFrom: [] }, true],
    [{ groupPolicy: 'open' }, true],
    [{ dmPolicy: 'open', allowFrom: [], groupPolicy: 'open' }, true],
    [{ dmPolicy: 'allowlist' }, false],
    [{ dmPolicy: 'pairing' }, false],
    [{ dmPolicy: 'disabled', allowFrom: [] }, false],
    [{ groupPolicy: 'allowlist', groups: ['-100123'], groupAllowFrom: ['42'] }, false],
    [{ groupPolicy: 'disabled' }, false],
  ] as [Partial<ChannelPolicy>, boolean][])('%j weakens it: %s', (change, expected) => {
    expect(weakenedIds(withTelegram(change))).toEqual(expected ? ['agent-channel-open'] : []);
  });

  test('an open channel on any agent counts, not only the first', () => {
    const ops = prod.openclaw.agents.ops!;
    const config: ResolvedConfig = {
      ...prod,
      openclaw: { ...prod.openclaw, agents: { ...prod.openclaw.agents, ops: { ...ops, channels: { telegram: { ...telegram, groupPolicy: 'open' } } } } },
    };
    expect(weakened('agent-channel-open', config)).toBe(true);
  });
});

test('agent-shared-gateway: a shared group weakens it, and only it; agents in their own gateways do not', () => {
  expect(weakenedIds({ ...prod, openclaw: { ...prod.openclaw, sharedGateways: { team: ['ops', 'support'] } } })).toEqual(['agent-shared-gateway']);
  expect(prod.openclaw.sharedGateways).toEqual({});
});

test('data-retention: retainOnDelete false weakens it, and only it', () => {
  expect(weakenedIds({ ...prod, dataProtection: { ...prod.dataProtection, retainOnDelete: false } })).toEqual(['data-retention']);
  expect(prod.dataProtection.retainOnDelete).toBe(true);
});

describe('viewer-tls-default-certificate', () => {
  test('production without a custom domain weakens it; dev and staging do not need one', () => {
    const noDomain = { ...prod, edge: { ...prod.edge, customDomain: undefined } };
    expect(weakenedIds(noDomain)).toEqual(['viewer-tls-default-certificate']);
    expect(weakenedIds({ ...noDomain, env: 'perf' })).toEqual(['viewer-tls-default-certificate']);
    expect(weakenedIds({ ...noDomain, env: 'dev' })).toEqual([]);
    expect(weakenedIds({ ...noDomain, env: 'staging' })).toEqual([]);
    expect(prod.edge.customDomain).toBeDefined();
  });

  test('only dev and staging are not production', () => {
    expect([...GOVERNANCE_ENVIRONMENTS]).toEqual(['dev', 'staging']);
    expect(['dev', 'staging', 'prod', 'production', 'perf', ''].filter(isProductionEnv)).toEqual(['prod', 'production', 'perf', '']);
  });
});
