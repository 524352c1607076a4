import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { HOST_PATHS } from '../../lib/host/paths';
import { ALWAYS_DENIED_TOOLS, BASE_AGENT_TOOLS } from '../../lib/openclaw/agent-tools';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE, openclawHostFiles } from '../../lib/openclaw/openclaw-config';
import { agentGateways, gatewayById, type AgentGateway } from '../../lib/openclaw/gateways';
import { OPTIONAL_AGENT_FILES, REQUIRED_AGENT_FILES, agentFileBindMounts, listAgentFiles } from '../../lib/openclaw/agent-files';
import { TRUSTED_PROXIES, enabledPlugins, providerKeyAgent, renderOpenclawConfig, OpenclawConfigError } from '../../lib/openclaw/openclaw-json';
import { openclawSecretFiles } from '../../lib/openclaw/secret-files';
import { renderControlUiOrigins } from '../../lib/openclaw/control-ui-origins';
import { renderExecApprovals } from '../../lib/openclaw/exec-approvals';
import { checkOpenclawEgress } from '../../lib/config/validators/openclaw';
import { BUNDLED_PLUGIN_IDS } from '../../lib/openclaw/plugins';
import { renderAgentFilesManifest } from '../../lib/host/runtime-files';
import { pinnedRuntime } from '../../lib/openclaw/lockfile';
import { agentSecretName, gatewayTokenSecretName } from '../../lib/secrets/secrets-manifest';
import { CONFIG_DIR } from '../support/config-fixture';
import { allConfigs, exampleConfig } from '../host/support/host-tools';

// The generator's output, key by key, without running OpenClaw (the tests next
// to this one prove it with OpenClaw itself). Every hardened setting here has a
// reason in the header of lib/openclaw/openclaw-json.ts. One openclaw.json per
// gateway (lib/openclaw/gateways.ts): the example's support and ops each have
// their own; the shared variant puts both in gateway "team".

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const prod = exampleConfig('prod');
/** The openclaw.json of gateway `id` of `config`. */
const render = (config: ResolvedConfig, id: string) => renderOpenclawConfig(config, gatewayById(config, id)) as Json;
/** The support gateway of the example (prod): support, telegram. */
const rendered = render(prod, 'support');
/** The ops gateway of the example (prod): ops, exec allowlist. */
const renderedOps = render(prod, 'ops');

/** A copy of the example config with the agents (or other keys) changed. */
function withAgents(agents: ResolvedConfig['openclaw']['agents'], base: ResolvedConfig = prod): ResolvedConfig {
  return { ...base, openclaw: { ...base.openclaw, agents } };
}
/** `config` with ops and support in one shared gateway "team" (openclaw.sharedGateways, the weakening). */
function shared(config: ResolvedConfig = prod): ResolvedConfig {
  return { ...config, openclaw: { ...config.openclaw, sharedGateways: { team: ['ops', 'support'] } } };
}
const renderedShared = render(shared(), 'team');
const support = prod.openclaw.agents.support!;
const ops = prod.openclaw.agents.ops!;
const telegram = support.channels.telegram!;

/** Tools no agent ever gets (ALWAYS_DENIED_TOOLS), written out: shrinking the constant must fail here. */
const ALWAYS_DENIED = ['gateway', 'plugins', 'openclaw', 'group:nodes', 'group:ui', 'group:web', 'code_execution', 'suggest_task', 'dismiss_task', 'skill_workshop'];
/** Tools granted only by config: exec, agent-to-agent, sub-agents, automations, cross-session search and conversations. */
const EXEC = ['exec', 'process'];
const A2A = ['sessions_list', 'sessions_history', 'sessions_send', 'agents_list'];
const SUBAGENTS = ['sessions_spawn', 'sessions_yield', 'subagents'];
const AUTOMATIONS = ['automations', 'heartbeat_respond'];
const NEVER_GRANTED = ['sessions_search', 'conversations_list', 'conversations_send', 'conversations_turn'];
const BASE = ['read', 'write', 'edit', 'apply_patch', 'session_status', 'progress_card', 'ask_user'];

test('the tool constants, exactly', () => {
  expect([...ALWAYS_DENIED_TOOLS]).toEqual(ALWAYS_DENIED);
  expect([...BASE_AGENT_TOOLS]).toEqual(BASE);
});

test('the top-level sections of openclaw.json, exactly', () => {
  expect(Object.keys(rendered)).toEqual([
    'gateway', 'secrets', 'models', 'agents', 'bindings', 'channels', 'tools', 'cron', 'hooks', 'session', 'commands', 'approvals',
    'plugins', 'skills', 'browser', 'acp', 'discovery', 'update', 'telemetry', 'logging', 'proxy',
  ]);
});

describe('gateway', () => {
  test('the whole gateway section, exactly', () => {
    expect(rendered.gateway).toEqual({
      mode: 'local',
      bind: 'loopback',
      port: prod.edge.gatewayPort + 1,
      auth: { mode: 'token', token: { source: 'file', provider: 'gateway-token', id: 'value' }, rateLimit: { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false } },
      trustedProxies: ['127.0.0.1'],
      allowRealIpFallback: false,
      controlUi: {
        $include: `./${CONTROL_UI_ORIGINS_FILE}`,
        enabled: true,
        basePath: '/agents/support',
        allowExternalEmbedUrls: false,
        automaticallyFetchFavicons: false,
        communityInvite: false,
      },
      terminal: { enabled: false },
      cliAgents: { enabled: false },
      tailscale: { mode: 'off' },
      http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: false } } },
      nodes: { allowSkills: false, pluginTools: { enabled: false } },
    });
    expect(CONTROL_UI_ORIGINS_FILE).toBe('control-ui-origins.json');
  });

  test("bound to loopback on the gateway's own port (edge.gatewayPort + its index in id order), local mode", () => {
    expect(renderedOps.gateway).toMatchObject({ mode: 'local', bind: 'loopback', port: prod.edge.gatewayPort });
    expect(rendered.gateway).toMatchObject({ mode: 'local', bind: 'loopback', port: prod.edge.gatewayPort + 1 });
    expect(agentGateways(prod).map((g) => [g.id, g.port])).toEqual([
      ['ops', prod.edge.gatewayPort],
      ['support', prod.edge.gatewayPort + 1],
    ]);
    expect(rendered.gateway.customBindHost).toBeUndefined();
  });

  test("the Control UI under the gateway's edge path /agents/<id> (nginx routes the prefix to this gateway)", () => {
    expect(rendered.gateway.controlUi.basePath).toBe('/agents/support');
    expect(renderedOps.gateway.controlUi.basePath).toBe('/agents/ops');
    expect(renderedShared.gateway.controlUi.basePath).toBe('/agents/team');
  });

  test("token auth from a file SecretRef at the gateway's own token file, never a literal", () => {
    expect(rendered.gateway.auth.mode).toBe('token');
    expect(rendered.gateway.auth.token).toEqual({ source: 'file', provider: 'gateway-token', id: 'value' });
    expect(rendered.secrets.providers['gateway-token']).toEqual({ source: 'file', path: `${HOST_PATHS.secretsDir}/support/gateway-token`, mode: 'singleValue' });
    expect(renderedOps.secrets.providers['gateway-token']).toEqual({ source: 'file', path: `${HOST_PATHS.secretsDir}/ops/gateway-token`, mode: 'singleValue' });
    expect(gatewayById(prod, 'ops').tokenFile).toBe(`${HOST_PATHS.secretsDir}/ops/gateway-token`);
  });

  test('auth attempts are rate limited, loopback included (every request arrives from nginx)', () => {
    expect(rendered.gateway.auth.rateLimit).toEqual({ maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false });
  });

  test('nginx on 127.0.0.1 is the only trusted proxy; no X-Real-IP fallback', () => {
    expect(rendered.gateway.trustedProxies).toEqual(['127.0.0.1']);
    expect(TRUSTED_PROXIES).toEqual(['127.0.0.1']);
    expect(rendered.gateway.allowRealIpFallback).toBe(false);
  });

  test('no host terminal, no CLI session engines, no Tailscale, no OpenAI-compatible HTTP endpoints', () => {
    expect(rendered.gateway.terminal).toEqual({ enabled: false });
    expect(rendered.gateway.cliAgents).toEqual({ enabled: false });
    expect(rendered.gateway.tailscale).toEqual({ mode: 'off' });
    expect(rendered.gateway.http.endpoints).toEqual({ chatCompletions: { enabled: false }, responses: { enabled: false } });
  });

  test('the Control UI origins come from the include file, which boot rewrites with the CloudFront domain', () => {
    expect(rendered.gateway.controlUi.$include).toBe(`./${CONTROL_UI_ORIGINS_FILE}`);
    expect(rendered.gateway.controlUi.allowedOrigins).toBeUndefined();
    expect(rendered.gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback).toBeUndefined();
  });
});

describe('control UI origins', () => {
  const withDomain: ResolvedConfig = {
    ...prod,
    edge: {
      ...prod.edge,
      customDomain: { domainName: 'agents.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b6c4a4e-2f3a-4c55-9d39-6f1e2a3b4c5d' },
      allowedOrigins: ['https://app.example.net'],
    },
  };

  test('the custom domain, edge.allowedOrigins, then the extra (CloudFront) origins, without duplicates', () => {
    expect(JSON.parse(renderControlUiOrigins(withDomain, ['https://d111111abcdef8.cloudfront.net', 'https://agents.example.com']))).toEqual({
      allowedOrigins: ['https://agents.example.com', 'https://app.example.net', 'https://d111111abcdef8.cloudfront.net'],
    });
  });

  test('without a custom domain or allowed origins the list is empty until boot adds CloudFront', () => {
    // dev: the example's prod has a custom domain (edge.customDomain, required in production).
    const dev = exampleConfig('dev');
    expect(dev.edge.customDomain).toBeUndefined();
    expect(JSON.parse(renderControlUiOrigins(dev))).toEqual({ allowedOrigins: [] });
  });

  test.each(['*', 'http://d111.cloudfront.net', 'https://d111.cloudfront.net/path', 'https://*.cloudfront.net'])('refuses the extra origin %s', (o) => {
    expect(() => renderControlUiOrigins(prod, [o])).toThrow(/https:\/\/<host>/);
  });
});

describe('agents', () => {
  const entries = rendered.agents.entries as Record<string, Json>;

  const opsEntries = renderedOps.agents.entries as Record<string, Json>;

  test("explicit ownership: one entry per agent of the gateway, nothing implicit, no other gateway's agent", () => {
    expect(rendered.agents.ownership).toBe('explicit');
    expect(Object.keys(entries)).toEqual(['support']);
    expect(Object.keys(opsEntries)).toEqual(['ops']);
    expect(Object.keys(renderedShared.agents.entries)).toEqual(['ops', 'support']);
  });

  test("each agent has its own workspace in its gateway's state folder and a strict model without fallbacks", () => {
    expect(entries.support).toMatchObject({ workspace: `${HOST_PATHS.stateDir}/support/workspaces/support`, model: { primary: 'anthropic/claude-sonnet-4-6', fallbacks: [] } });
    expect(opsEntries.ops!.workspace).toBe(`${HOST_PATHS.stateDir}/ops/workspaces/ops`);
    expect(renderedShared.agents.entries.ops.workspace).toBe(`${HOST_PATHS.stateDir}/team/workspaces/ops`);
  });

  test('OpenClaw creates no bootstrap files of its own; no skills; heartbeats off', () => {
    expect(rendered.agents.defaults).toEqual({
      model: { primary: 'anthropic/claude-sonnet-4-6', fallbacks: [] },
      workspace: `${HOST_PATHS.stateDir}/support/workspaces`,
      skipBootstrap: true,
      skills: [],
      sandbox: { mode: 'off' },
      heartbeat: { every: '0m' },
      subagents: { allowAgents: [], requireAgentId: true, maxSpawnDepth: 1 },
      elevatedDefault: 'off',
    });
    for (const [id, e] of Object.entries({ ...entries, ...opsEntries })) {
      expect(Object.keys(e)).toEqual(['name', 'description', 'workspace', 'model', 'skills', 'heartbeat', 'subagents', 'tools']);
      expect({ ...e, tools: undefined }).toEqual({
        name: id,
        description: prod.openclaw.agents[id]!.description,
        workspace: `${HOST_PATHS.stateDir}/${id}/workspaces/${id}`,
        model: { primary: 'anthropic/claude-sonnet-4-6', fallbacks: [] },
        skills: [],
        heartbeat: { every: '0m' },
        subagents: { allowAgents: [], requireAgentId: true },
        tools: undefined,
      });
    }
  });

  test('support (exec deny): only the base tools, exec denied, file tools confined to the workspace', () => {
    const t = entries.support!.tools;
    expect(t.allow).toEqual(BASE);
    expect(t.deny).toEqual([...ALWAYS_DENIED, ...EXEC, ...A2A, ...SUBAGENTS, ...AUTOMATIONS, ...NEVER_GRANTED]);
    expect(t.exec).toEqual({ mode: 'deny', host: 'gateway', strictInlineEval: true, notifyOnExit: false });
    expect(t.elevated).toEqual({ enabled: false });
    expect(t.fs).toEqual({ workspaceOnly: true });
  });

  test('ops (exec allowlist): exec and process granted, nothing else beyond the base', () => {
    const t = opsEntries.ops!.tools;
    expect(t.allow).toEqual([...BASE, ...EXEC]);
    expect(t.deny).toEqual([...ALWAYS_DENIED, ...A2A, ...SUBAGENTS, ...AUTOMATIONS, ...NEVER_GRANTED]);
    expect(t.exec).toEqual({ mode: 'allowlist', host: 'gateway', strictInlineEval: true, notifyOnExit: false });
    expect(t.elevated).toEqual({ enabled: false });
    expect(t.fs).toEqual({ workspaceOnly: true });
  });

  test('host exec never falls back to OpenClaw\'s default (full): global mode deny, every agent explicit', () => {
    expect(renderedOps.tools).toEqual(rendered.tools);
    expect(rendered.tools).toEqual({
      deny: ALWAYS_DENIED,
      exec: { mode: 'deny', host: 'gateway', strictInlineEval: true, notifyOnExit: false, safeBins: [] },
      elevated: { enabled: false },
      fs: { workspaceOnly: true },
      agentToAgent: { enabled: false },
      sessions: { visibility: 'self' },
      loopDetection: { enabled: true },
    });
    expect(Object.fromEntries(Object.entries({ ...entries, ...opsEntries }).map(([id, e]) => [id, e.tools.exec.mode]))).toEqual({ ops: 'allowlist', support: 'deny' });
    expect(rendered.approvals).toEqual({ exec: { enabled: false } });
    expect(rendered.commands).toEqual({ bash: false, config: false, mcp: false, plugins: false, debug: false, restart: false });
    expect(rendered.session).toEqual({ dmScope: 'per-channel-peer' });
  });

  test('no cross-agent sessions, no sub-agents, no scheduler', () => {
    expect(rendered.tools.agentToAgent).toEqual({ enabled: false });
    expect(rendered.tools.sessions).toEqual({ visibility: 'self' });
    expect(rendered.agents.defaults.subagents).toEqual({ allowAgents: [], requireAgentId: true, maxSpawnDepth: 1 });
    for (const e of Object.values(entries)) expect(e.subagents.allowAgents).toEqual([]);
    expect(rendered.cron).toEqual({ enabled: false });
    expect(rendered.hooks).toEqual({ enabled: false });
  });

  test('configured weakenings show up, and only for the agent that has them (agent-to-agent needs a shared gateway)', () => {
    const weakened = render(
      shared(
        withAgents({
          support: { ...support, agentToAgent: ['ops'], automations: true },
          ops: { ...ops, subagents: true, tools: { exec: { mode: 'full', commands: [] }, elevated: true } },
        }),
      ),
      'team',
    );
    const e = weakened.agents.entries;
    expect(weakened.tools.agentToAgent).toEqual({ enabled: true, allow: ['ops', 'support'] });
    expect(weakened.tools.sessions.visibility).toBe('all');
    expect(weakened.cron).toEqual({ enabled: true });
    expect(e.support.tools.allow).toEqual([...BASE, ...A2A, ...AUTOMATIONS]);
    expect(e.support.tools.deny).toEqual([...ALWAYS_DENIED, ...EXEC, ...SUBAGENTS, ...NEVER_GRANTED]);
    expect(e.support.tools.elevated).toEqual({ enabled: false });
    expect(e.support.subagents.allowAgents).toEqual([]);
    expect(e.ops.tools.allow).toEqual([...BASE, ...EXEC, ...SUBAGENTS]);
    expect(e.ops.tools.deny).toEqual([...ALWAYS_DENIED, ...A2A, ...AUTOMATIONS, ...NEVER_GRANTED]);
    expect(e.ops.tools.exec.mode).toBe('full');
    expect(e.ops.tools.elevated).toEqual({ enabled: true });
    expect(e.ops.subagents.allowAgents).toEqual(['ops']);
    expect(weakened.tools.elevated).toEqual({ enabled: true, allowFrom: {} });
    expect(weakened.tools.deny).toEqual(ALWAYS_DENIED);
    expect(weakened.tools.exec.mode).toBe('deny');
  });

  test('sub-agents alone: tree visibility, not every session; only in the gateway of the agent that has them', () => {
    const cfg = withAgents({ ...prod.openclaw.agents, ops: { ...ops, subagents: true } });
    const r = render(cfg, 'ops');
    expect(r.tools.sessions).toEqual({ visibility: 'tree' });
    expect(r.tools.agentToAgent).toEqual({ enabled: false });
    expect(r.cron).toEqual({ enabled: false });
    expect(render(cfg, 'support').tools.sessions).toEqual({ visibility: 'self' });
  });

  test("agent-to-agent and session visibility come from the gateway's own agents only", () => {
    // A one-sided agentToAgent in a shared gateway: the two agents, all sessions of that gateway.
    const cfg = shared(withAgents({ ...prod.openclaw.agents, support: { ...support, agentToAgent: ['ops'] } }));
    expect(render(cfg, 'team').tools.agentToAgent).toEqual({ enabled: true, allow: ['ops', 'support'] });
    expect(render(cfg, 'team').tools.sessions).toEqual({ visibility: 'all' });
    // Another agent in its own gateway next to the group sees nothing of it.
    const three = shared(withAgents({ ...prod.openclaw.agents, support: { ...support, agentToAgent: ['ops'] }, extra: { ...ops, tools: { exec: { mode: 'deny', commands: [] }, elevated: false } } }));
    const extra = render(three, 'extra');
    expect(Object.keys(extra.agents.entries)).toEqual(['extra']);
    expect(extra.tools.agentToAgent).toEqual({ enabled: false });
    expect(extra.tools.sessions).toEqual({ visibility: 'self' });
  });

  test('elevated reaches only the elevated agent\'s allowlisted DM senders, never another agent\'s', () => {
    const r = render(shared(withAgents({ ...prod.openclaw.agents, support: { ...support, tools: { ...support.tools, elevated: true } } })), 'team');
    expect(r.tools.elevated).toEqual({ enabled: true, allowFrom: { telegram: ['100000001', '100000002'] } });
    expect(r.agents.entries.support.tools.elevated).toEqual({ enabled: true });
    expect(r.agents.entries.ops.tools.elevated).toEqual({ enabled: false });
    const other = render(shared(withAgents({ ...prod.openclaw.agents, ops: { ...ops, tools: { ...ops.tools, elevated: true } } })), 'team');
    expect(other.tools.elevated).toEqual({ enabled: true, allowFrom: {} });
    // In gateways of their own, the other agent's gateway has elevated off.
    const own = withAgents({ ...prod.openclaw.agents, support: { ...support, tools: { ...support.tools, elevated: true } } });
    expect(render(own, 'ops').tools.elevated).toEqual({ enabled: false });
    expect(render(own, 'support').tools.elevated).toEqual({ enabled: true, allowFrom: { telegram: ['100000001', '100000002'] } });
  });
});

describe('channels', () => {
  test('telegram routes to the support agent only, allowlisted DMs, groups off, bot token from a secret file', () => {
    expect(rendered.bindings).toEqual([{ type: 'route', agentId: 'support', match: { channel: 'telegram', accountId: '*' } }]);
    expect(rendered.channels.telegram).toEqual({
      enabled: true,
      botToken: { source: 'file', provider: 'agent-support', id: '/telegram/botToken' },
      dmPolicy: 'allowlist',
      allowFrom: ['100000001', '100000002'],
      groupPolicy: 'disabled',
      contextVisibility: 'allowlist',
      configWrites: false,
    });
    expect(rendered.secrets.providers['agent-support'].path).toBe(`${HOST_PATHS.secretsDir}/support/agent-support.json`);
    // The ops gateway has no platform at all.
    expect(renderedOps.bindings).toEqual([]);
    expect(renderedOps.channels).toEqual({ defaults: { groupPolicy: 'disabled', contextVisibility: 'allowlist' } });
  });

  test('a group allowlist answers only when mentioned, only the listed senders', () => {
    const cfg = withAgents({
      ...prod.openclaw.agents,
      support: { ...support, channels: { telegram: { dmPolicy: 'pairing', allowFrom: [], groupPolicy: 'allowlist', groups: ['-1001234567890'], groupAllowFrom: ['100000003'] } } },
    });
    expect(render(cfg, 'support').channels.telegram).toEqual({
      enabled: true,
      botToken: { source: 'file', provider: 'agent-support', id: '/telegram/botToken' },
      dmPolicy: 'pairing',
      groupPolicy: 'allowlist',
      groupAllowFrom: ['100000003'],
      groups: { '-1001234567890': { requireMention: true } },
      contextVisibility: 'allowlist',
      configWrites: false,
    });
  });

  test('pairing keeps its pre-approved senders; disabled DMs render no allowFrom', () => {
    const renderTelegram = (c: Partial<typeof telegram>): Json =>
      render(withAgents({ ...prod.openclaw.agents, support: { ...support, channels: { telegram: { ...telegram, ...c } } } }), 'support').channels.telegram;
    expect(renderTelegram({ dmPolicy: 'pairing' })).toMatchObject({ dmPolicy: 'pairing', allowFrom: ['100000001', '100000002'] });
    const disabled = renderTelegram({ dmPolicy: 'disabled', allowFrom: [] });
    expect(disabled.dmPolicy).toBe('disabled');
    expect(disabled).not.toHaveProperty('allowFrom');
  });

  test('open DMs and open groups (with the agent-channel-open exception): anyone, groups still only when mentioned', () => {
    const cfg = withAgents({ ...prod.openclaw.agents, support: { ...support, channels: { telegram: { ...telegram, dmPolicy: 'open', allowFrom: [], groupPolicy: 'open' } } } });
    expect(render(cfg, 'support').channels.telegram).toEqual({
      enabled: true,
      botToken: { source: 'file', provider: 'agent-support', id: '/telegram/botToken' },
      dmPolicy: 'open',
      allowFrom: ['*'],
      groupPolicy: 'open',
      groups: { '*': { requireMention: true } },
      contextVisibility: 'allowlist',
      configWrites: false,
    });
  });

  test('channel defaults: groups off, only allowlisted senders as context', () => {
    expect(rendered.channels.defaults).toEqual({ groupPolicy: 'disabled', contextVisibility: 'allowlist' });
    expect(Object.keys(rendered.channels)).toEqual(['defaults', 'telegram']);
  });
});

describe('plugins', () => {
  test("allow exactly the plugins of the gateway's agents' providers and platforms; deny every other bundled plugin", () => {
    expect(enabledPlugins(prod, gatewayById(prod, 'support'))).toEqual(['anthropic', 'telegram']);
    expect(enabledPlugins(prod, gatewayById(prod, 'ops'))).toEqual(['anthropic']);
    expect(renderedOps.plugins.allow).toEqual(['anthropic']);
    expect(renderedOps.plugins.deny).toEqual(BUNDLED_PLUGIN_IDS.filter((p) => p !== 'anthropic'));
    expect(rendered.plugins.allow).toEqual(['anthropic', 'telegram']);
    expect(rendered.plugins.deny).toEqual(BUNDLED_PLUGIN_IDS.filter((p) => p !== 'anthropic' && p !== 'telegram'));
    // The ones that matter most, named (the line above is the exact pin).
    expect(rendered.plugins.deny).toEqual(expect.arrayContaining(['browser', 'memory-core', 'cua-computer', 'file-transfer', 'device-pair']));
    expect(rendered.plugins.deny).toHaveLength(61);
    expect({ ...rendered.plugins, deny: undefined }).toEqual({
      enabled: true,
      allow: ['anthropic', 'telegram'],
      deny: undefined,
      entries: { anthropic: { enabled: true }, telegram: { enabled: true } },
    });
  });

  test('openclaw.plugins adds to the allowlist', () => {
    const cfg = { ...prod, openclaw: { ...prod.openclaw, plugins: ['document-extract' as const] } };
    const r = render(cfg, 'support');
    expect(r.plugins.allow).toEqual(['anthropic', 'document-extract', 'telegram']);
    expect(r.plugins.deny).not.toContain('document-extract');
    expect(render(cfg, 'ops').plugins.allow).toEqual(['anthropic', 'document-extract']);
  });
});

describe('quiet host', () => {
  test('no update checks, telemetry, remote model catalog, mDNS, skill autonomy, browser, ACP', () => {
    expect(rendered.update).toEqual({ checkOnStart: false });
    expect(rendered.telemetry).toEqual({ enabled: false });
    expect(rendered.models.catalogRefresh).toEqual({ enabled: false });
    expect(rendered.discovery).toEqual({ mdns: { mode: 'off' } });
    expect(rendered.skills).toEqual({ allowBundled: [], load: { watch: false }, workshop: { autonomous: { mode: 'off' } } });
    expect(rendered.hooks).toEqual({ enabled: false });
    expect(rendered.models).toEqual({
      mode: 'merge',
      catalogRefresh: { enabled: false },
      providers: { anthropic: { apiKey: { source: 'file', provider: 'agent-support', id: '/anthropic/apiKey' } } },
    });
    expect(rendered.browser).toEqual({ enabled: false });
    expect(rendered.acp).toEqual({ enabled: false });
  });

  test("logs go to the gateway's own log file in HOST_PATHS.logDir/<id>", () => {
    expect(rendered.logging).toEqual({ level: 'info', file: `${HOST_PATHS.logDir}/support/openclaw.log` });
    expect(renderedOps.logging).toEqual({ level: 'info', file: `${HOST_PATHS.logDir}/ops/openclaw.log` });
  });

  test("every outbound request through the gateway's own egress proxy port", () => {
    expect(renderedOps.proxy).toEqual({ enabled: true, proxyUrl: 'http://127.0.0.1:3129', loopbackMode: 'gateway-only' });
    expect(rendered.proxy).toEqual({ enabled: true, proxyUrl: 'http://127.0.0.1:3130', loopbackMode: 'gateway-only' });
    expect(renderedShared.proxy).toEqual({ enabled: true, proxyUrl: 'http://127.0.0.1:3129', loopbackMode: 'gateway-only' });
  });

  test("model API keys: each agent's own key in a gateway of its own; in a shared gateway the first agent's by id (one key per provider per gateway)", () => {
    // support and ops both use anthropic, each with its own key in its own gateway.
    expect(rendered.models.providers).toEqual({ anthropic: { apiKey: { source: 'file', provider: 'agent-support', id: '/anthropic/apiKey' } } });
    expect(renderedOps.models.providers).toEqual({ anthropic: { apiKey: { source: 'file', provider: 'agent-ops', id: '/anthropic/apiKey' } } });
    // Shared (the accepted weakening): OpenClaw 2026.9.6 has one key per provider per gateway, the first agent's by id.
    expect(renderedShared.models.providers).toEqual({ anthropic: { apiKey: { source: 'file', provider: 'agent-ops', id: '/anthropic/apiKey' } } });
    expect(providerKeyAgent(prod, gatewayById(shared(), 'team'), 'anthropic')).toBe('ops');
    expect(() => providerKeyAgent(prod, gatewayById(prod, 'ops'), 'openai')).toThrow(new Error('no agent of gateway ops uses the model provider openai'));
    // Two providers in a shared gateway: each from the agent that uses it.
    const mixed = shared(withAgents({ ...prod.openclaw.agents, support: { ...support, provider: 'openai', model: 'gpt-5' } }, { ...prod, network: { ...prod.network, egress: { ...prod.network.egress, providers: ['anthropic', 'openai'] } } }));
    expect(render(mixed, 'team').models.providers).toEqual({
      anthropic: { apiKey: { source: 'file', provider: 'agent-ops', id: '/anthropic/apiKey' } },
      openai: { apiKey: { source: 'file', provider: 'agent-support', id: '/openai/apiKey' } },
    });
  });

  test('no literal secret anywhere: every credential is a SecretRef', () => {
    for (const r of [rendered, renderedOps, renderedShared]) expect(JSON.stringify(r)).not.toMatch(/"(token|botToken|apiKey|password)":"/);
  });

  test("no gateway's openclaw.json names another gateway's agent, secret file, workspace, port or log", () => {
    const [opsText, supportText] = [JSON.stringify(renderedOps), JSON.stringify(rendered)];
    expect(opsText).not.toMatch(/support/);
    expect(supportText).not.toMatch(/"ops"|agent-ops|\/ops\//);
  });
});

describe('secret files', () => {
  test("the gateway's token and one JSON document per agent of the gateway; all in the gateway's folder under HOST_PATHS.secretsDir", () => {
    expect(openclawSecretFiles(prod, gatewayById(prod, 'support')).map((s) => s.path)).toEqual([
      `${HOST_PATHS.secretsDir}/support/gateway-token`,
      `${HOST_PATHS.secretsDir}/support/agent-support.json`,
    ]);
    expect(openclawSecretFiles(prod, gatewayById(prod, 'ops')).map((s) => s.path)).toEqual([`${HOST_PATHS.secretsDir}/ops/gateway-token`, `${HOST_PATHS.secretsDir}/ops/agent-ops.json`]);
    expect(rendered.secrets.providers).toEqual({
      'gateway-token': { source: 'file', path: `${HOST_PATHS.secretsDir}/support/gateway-token`, mode: 'singleValue' },
      'agent-support': { source: 'file', path: `${HOST_PATHS.secretsDir}/support/agent-support.json`, mode: 'json' },
    });
    expect(renderedShared.secrets.providers).toEqual({
      'gateway-token': { source: 'file', path: `${HOST_PATHS.secretsDir}/team/gateway-token`, mode: 'singleValue' },
      'agent-ops': { source: 'file', path: `${HOST_PATHS.secretsDir}/team/agent-ops.json`, mode: 'json' },
      'agent-support': { source: 'file', path: `${HOST_PATHS.secretsDir}/team/agent-support.json`, mode: 'json' },
    });
  });
});

describe('exec approvals', () => {
  test('deny by default; ops may run exactly its three programs without a prompt; skills are not trusted', () => {
    expect(JSON.parse(renderExecApprovals(prod, gatewayById(prod, 'support')))).toEqual({
      version: 1,
      defaults: { security: 'deny', ask: 'off', askFallback: 'deny', autoAllowSkills: false },
      agents: {},
    });
    expect(renderExecApprovals(shared(), gatewayById(shared(), 'team'))).toBe(renderExecApprovals(prod, gatewayById(prod, 'ops')));
    expect(JSON.parse(renderExecApprovals(prod, gatewayById(prod, 'ops')))).toEqual({
      version: 1,
      defaults: { security: 'deny', ask: 'off', askFallback: 'deny', autoAllowSkills: false },
      agents: {
        ops: {
          security: 'allowlist',
          ask: 'off',
          askFallback: 'deny',
          autoAllowSkills: false,
          allowlist: [{ pattern: '/usr/bin/uptime' }, { pattern: '/usr/bin/df' }, { pattern: '/usr/bin/free' }],
        },
      },
    });
  });
});

test.each([
  ['ask', 'allowlist', 'on-miss'],
  ['auto', 'allowlist', 'off'],
  ['full', 'full', 'off'],
])('exec approvals of an agent with exec mode %s (an exception): security %s, ask %s, misses still denied without a human', (mode, security, ask) => {
  const commands = mode === 'full' ? [] : ['/usr/bin/uptime'];
  const cfg = withAgents({ ...prod.openclaw.agents, ops: { ...ops, tools: { exec: { mode: mode as 'ask' | 'auto' | 'full', commands }, elevated: false } } });
  expect(JSON.parse(renderExecApprovals(cfg, gatewayById(cfg, 'ops'))).agents).toEqual({
    ops: { security, ask, askFallback: 'deny', autoAllowSkills: false, allowlist: commands.map((pattern) => ({ pattern })) },
  });
});

describe('agent files', () => {
  const files = listAgentFiles(prod, CONFIG_DIR);

  test('SOUL.md and AGENTS.md of each agent, from config/clients/<client>/agents/<agent>/', () => {
    expect(files.map((f) => f.relativePath)).toEqual(['ops/AGENTS.md', 'ops/SOUL.md', 'support/AGENTS.md', 'support/SOUL.md']);
    const soul = files.find((f) => f.relativePath === 'support/SOUL.md')!;
    expect(soul.content.equals(fs.readFileSync(path.join(CONFIG_DIR, 'clients/example/agents/support/SOUL.md')))).toBe(true);
    expect(soul.hostPath).toBe(`${HOST_PATHS.agentFilesDir}/support/SOUL.md`);
    expect(soul.workspacePath).toBe(`${HOST_PATHS.stateDir}/support/workspaces/support/SOUL.md`);
    expect(files.map((f) => [f.relativePath, f.gateway])).toEqual([
      ['ops/AGENTS.md', 'ops'],
      ['ops/SOUL.md', 'ops'],
      ['support/AGENTS.md', 'support'],
      ['support/SOUL.md', 'support'],
    ]);
    expect(listAgentFiles(shared(), CONFIG_DIR).map((f) => [f.gateway, f.workspacePath])).toEqual(
      ['ops/AGENTS.md', 'ops/SOUL.md', 'support/AGENTS.md', 'support/SOUL.md'].map((f) => ['team', `${HOST_PATHS.stateDir}/team/workspaces/${f}`]),
    );
  });

  test('the manifest (renderAgentFilesManifest, the one format) is sha256sum format with paths relative to the agent files folder, sorted', () => {
    const manifest = renderAgentFilesManifest(Object.fromEntries(files.map((f) => [f.relativePath, f.content])));
    const lines = manifest.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const [i, line] of lines.entries()) {
      const f = files[i]!;
      expect(f.sha256).toBe(crypto.createHash('sha256').update(f.content).digest('hex'));
      expect(line).toBe(`${f.sha256}  ${f.relativePath}`);
      // Relative to agentFilesDir: joined to it, each line names the file's host path.
      expect(path.posix.join(HOST_PATHS.agentFilesDir, f.relativePath)).toBe(f.hostPath);
    }
    expect(manifest.endsWith('\n')).toBe(true);
  });

  test("bind mounts of a gateway put each file of its agents read-only into the agent's workspace, and no other agent's file", () => {
    expect(agentFileBindMounts(files, gatewayById(prod, 'ops'))).toEqual(
      ['ops/AGENTS.md', 'ops/SOUL.md'].map((f) => `${HOST_PATHS.agentFilesDir}/${f}:${HOST_PATHS.stateDir}/ops/workspaces/${f}`),
    );
    expect(agentFileBindMounts(files, gatewayById(prod, 'support'))).toEqual(
      ['support/AGENTS.md', 'support/SOUL.md'].map((f) => `${HOST_PATHS.agentFilesDir}/${f}:${HOST_PATHS.stateDir}/support/workspaces/${f}`),
    );
  });

  test('the agent files, exactly: SOUL.md and AGENTS.md required; IDENTITY.md, USER.md, TOOLS.md shipped when present; nothing else', () => {
    expect([...REQUIRED_AGENT_FILES]).toEqual(['SOUL.md', 'AGENTS.md']);
    expect([...OPTIONAL_AGENT_FILES]).toEqual(['IDENTITY.md', 'USER.md', 'TOOLS.md']);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-agentfiles-'));
    try {
      fs.cpSync(CONFIG_DIR, path.join(root, 'config'), { recursive: true });
      const dir = path.join(root, 'config', 'clients', 'example', 'agents', 'ops');
      for (const f of OPTIONAL_AGENT_FILES) fs.writeFileSync(path.join(dir, f), `# ${f}\n`);
      expect(listAgentFiles(prod, path.join(root, 'config')).map((f) => f.relativePath)).toEqual([
        'ops/AGENTS.md', 'ops/IDENTITY.md', 'ops/SOUL.md', 'ops/TOOLS.md', 'ops/USER.md', 'support/AGENTS.md', 'support/SOUL.md',
      ]);
      fs.mkdirSync(path.join(dir, 'SOUL.d'));
      fs.rmSync(path.join(dir, 'TOOLS.md'));
      fs.mkdirSync(path.join(dir, 'TOOLS.md'));
      expect(() => listAgentFiles(prod, path.join(root, 'config'))).toThrow(/ops\/SOUL\.d: not an agent file[\s\S]*ops\/TOOLS\.md: not an agent file; an agent folder holds only regular files named SOUL\.md, AGENTS\.md, IDENTITY\.md, USER\.md, TOOLS\.md/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a missing SOUL.md, a stray file and a folder without an agent are errors naming the path', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-agentfiles-'));
    try {
      fs.cpSync(CONFIG_DIR, path.join(root, 'config'), { recursive: true });
      const dir = path.join(root, 'config', 'clients', 'example', 'agents');
      fs.rmSync(path.join(dir, 'ops', 'SOUL.md'));
      fs.writeFileSync(path.join(dir, 'support', 'notes.txt'), 'x');
      fs.mkdirSync(path.join(dir, 'ghost'));
      expect(() => listAgentFiles(prod, path.join(root, 'config'))).toThrow(
        /config\/clients\/example\/agents\/ops\/SOUL\.md: missing[\s\S]*support\/notes\.txt: not an agent file[\s\S]*agents\/ghost: no agent "ghost"/,
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

test("each gateway's host file contract names its files, owned by its user, none readable by others but the mount points", () => {
  const files = (g: AgentGateway) => openclawHostFiles(g).map((f) => [f.path, f.owner, f.mode]);
  expect(files(gatewayById(prod, 'support'))).toEqual([
    ['/etc/openclaw/gateways/support/openclaw.json', 'openclaw-support:openclaw-support', '0400'],
    ['/etc/openclaw/gateways/support/control-ui-origins.json', 'openclaw-support:openclaw-support', '0400'],
    ['/etc/openclaw/gateways/support/exec-approvals.json', 'openclaw-support:openclaw-support', '0400'],
    [`${HOST_PATHS.agentFilesDir}/support/<file>`, 'root:openclaw-support', '0440'],
    ['/var/lib/openclaw/support/workspaces/support/<file>', 'openclaw-support:openclaw-support', '0444'],
    ['/run/openclaw/secrets/support/<name>', 'openclaw-support:openclaw-support', '0400'],
  ]);
  expect(files(gatewayById(shared(), 'team'))).toEqual([
    ['/etc/openclaw/gateways/team/openclaw.json', 'openclaw-team:openclaw-team', '0400'],
    ['/etc/openclaw/gateways/team/control-ui-origins.json', 'openclaw-team:openclaw-team', '0400'],
    ['/etc/openclaw/gateways/team/exec-approvals.json', 'openclaw-team:openclaw-team', '0400'],
    [`${HOST_PATHS.agentFilesDir}/ops/<file>`, 'root:openclaw-team', '0440'],
    ['/var/lib/openclaw/team/workspaces/ops/<file>', 'openclaw-team:openclaw-team', '0444'],
    [`${HOST_PATHS.agentFilesDir}/support/<file>`, 'root:openclaw-team', '0440'],
    ['/var/lib/openclaw/team/workspaces/support/<file>', 'openclaw-team:openclaw-team', '0444'],
    ['/run/openclaw/secrets/team/<name>', 'openclaw-team:openclaw-team', '0400'],
  ]);
  const g = gatewayById(prod, 'ops');
  expect(openclawHostFiles(g)[0]!.path).toBe(path.posix.join(g.configDir, 'openclaw.json'));
  expect(openclawHostFiles(g)[1]!.path).toBe(path.posix.join(g.configDir, CONTROL_UI_ORIGINS_FILE));
  expect(openclawHostFiles(g)[2]!.path).toBe(path.posix.join(g.configDir, EXEC_APPROVALS_FILE));
});

describe('what cannot be rendered', () => {
  test('a provider or platform outside network.egress, naming both keys', () => {
    const cfg: ResolvedConfig = { ...prod, network: { ...prod.network, egress: { ...prod.network.egress, providers: [], channels: [] } } };
    expect(checkOpenclawEgress(cfg).map((p) => p.path.join('.'))).toEqual([
      'openclaw.agents.support.provider',
      'openclaw.agents.support.channels.telegram',
      'openclaw.agents.ops.provider',
    ]);
    expect(() => render(cfg, 'ops')).toThrow(OpenclawConfigError);
    expect(() => render(cfg, 'ops')).toThrow(/openclaw\.agents\.support\.channels\.telegram: chat platform "telegram" is not in network\.egress\.channels \[\]/);
  });

  test('a version the lockfile does not pin', () => {
    const cfg = { ...prod, openclaw: { ...prod.openclaw, version: '2026.9.7' } };
    expect(() => render(cfg, 'ops')).toThrow(/openclaw\.version: "2026\.9\.7" is not the version host\/openclaw\/package-lock\.json pins \("2026\.9\.6"\)/);
  });

  test('no agents', () => {
    expect(() => renderOpenclawConfig(withAgents({}), gatewayById(prod, 'ops'))).toThrow(/openclaw\.agents: no agents/);
  });

  test('a gateway with an agent the config does not define, or with none', () => {
    expect(() => renderOpenclawConfig(withAgents({ ops }), gatewayById(prod, 'support'))).toThrow(new Error('openclaw render: gateway support runs agents not in openclaw.agents: support'));
    expect(() => renderOpenclawConfig(prod, { ...gatewayById(prod, 'ops'), agents: [] })).toThrow(new Error('openclaw render: gateway ops runs no agent'));
  });
});

test('every gateway of every client x environment renders, and the example agrees with the lockfile', () => {
  for (const config of allConfigs()) {
    for (const g of agentGateways(config)) expect(() => renderOpenclawConfig(config, g)).not.toThrow();
    expect(config.openclaw.version).toBe(pinnedRuntime().openclaw);
  }
});

describe('exact texts and orders (each pinned so that a weakened message or an order leaking from YAML fails)', () => {
  /** prod with network.egress set. */
  const withEgress = (egress: Partial<ResolvedConfig['network']['egress']>, base: ResolvedConfig = prod): ResolvedConfig => ({
    ...base,
    network: { ...base.network, egress: { ...base.network.egress, ...egress } },
  });

  test('the host file contract says what produces each file', () => {
    expect(openclawHostFiles(gatewayById(prod, 'ops')).map((f) => f.content)).toEqual([
      'renderOpenclawConfig(config, gateway)',
      'renderControlUiOrigins(config, [https://<CloudFront domain>]): the bundle ships it without CloudFront; boot rewrites it',
      'renderExecApprovals(config, gateway); imported before every start of the gateway: `openclaw approvals set --file` as the gateway user',
      'listAgentFiles(config, configDir)[].content of agent ops (its folder root:openclaw-ops 0750)',
      'empty mount point; the unit bind-mounts the agent file over it read-only (agentFileBindMounts(files, gateway))',
      "openclawSecretFiles(config, gateway): gateway-token (raw) and agent-<agent>.json (the agent's document), on tmpfs (folder openclaw-ops:openclaw-ops 0700)",
    ]);
  });

  test("each secret file says what it holds: the gateway's token and its secret, each agent's pointers (always its provider key) and its secret", () => {
    const secret = (agent: string) => agentSecretName(prod, agent);
    expect(secret('ops')).toMatch(/\/agents\/ops$/);
    expect(gatewayTokenSecretName(prod, 'ops')).toBe('openclaw/example/prod/gateways/ops/token');
    expect(openclawSecretFiles(prod, gatewayById(prod, 'ops')).map((s) => [s.name, s.mode, s.purpose])).toEqual([
      ['gateway-token', 'singleValue', `the token operators and the Control UI authenticate to gateway ops with (generated, rotated), from ${gatewayTokenSecretName(prod, 'ops')}`],
      ['agent-ops', 'json', `agent ops's credentials (/anthropic/apiKey), from ${secret('ops')}`],
    ]);
    expect(openclawSecretFiles(prod, gatewayById(prod, 'support')).map((s) => [s.name, s.mode, s.purpose])).toEqual([
      ['gateway-token', 'singleValue', `the token operators and the Control UI authenticate to gateway support with (generated, rotated), from ${gatewayTokenSecretName(prod, 'support')}`],
      ['agent-support', 'json', `agent support's credentials (/anthropic/apiKey, /telegram/botToken), from ${secret('support')}`],
    ]);
  });

  test('egress problems, word for word, listing what the allowlist holds', () => {
    const cfg = withEgress({ providers: ['openai', 'google'], channels: ['slack', 'discord'] });
    expect(checkOpenclawEgress(cfg)).toEqual([
      {
        path: ['openclaw', 'agents', 'support', 'provider'],
        message:
          'provider "anthropic" is not in network.egress.providers [openai, google]: the gateway could not reach its API. ' +
          'Add anthropic to network.egress.providers, or pick a provider that is there',
      },
      {
        path: ['openclaw', 'agents', 'support', 'channels', 'telegram'],
        message:
          'chat platform "telegram" is not in network.egress.channels [slack, discord]: the gateway could not reach its API. ' +
          'Add telegram to network.egress.channels, or remove it from the agent',
      },
      {
        path: ['openclaw', 'agents', 'ops', 'provider'],
        message:
          'provider "anthropic" is not in network.egress.providers [openai, google]: the gateway could not reach its API. ' +
          'Add anthropic to network.egress.providers, or pick a provider that is there',
      },
    ]);
  });

  const renderError = (cfg: ResolvedConfig): OpenclawConfigError => {
    try {
      render(cfg, 'ops');
    } catch (e) {
      if (e instanceof OpenclawConfigError) return e;
      throw e;
    }
    throw new Error('expected an OpenclawConfigError');
  };

  test('the generator\'s error counts its problems and lists each on its own line', () => {
    const one = renderError({ ...prod, openclaw: { ...prod.openclaw, version: '2026.9.7' } });
    expect(one.name).toBe('OpenclawConfigError');
    expect(one.message).toBe(
      'Cannot generate openclaw.json (1 problem):\n' +
        '  - openclaw.version: "2026.9.7" is not the version host/openclaw/package-lock.json pins ("2026.9.6"); the host would run another OpenClaw than this config is generated for',
    );
    const three = renderError(withEgress({ providers: [], channels: [] }));
    expect(three.message.split('\n')).toEqual([
      'Cannot generate openclaw.json (3 problems):',
      expect.stringMatching(/^ {2}- openclaw\.agents\.support\.provider: provider "anthropic" is not in network\.egress\.providers \[\]: /),
      expect.stringMatching(/^ {2}- openclaw\.agents\.support\.channels\.telegram: chat platform "telegram" /),
      expect.stringMatching(/^ {2}- openclaw\.agents\.ops\.provider: provider "anthropic" /),
    ]);
    expect(three.problems).toHaveLength(3);
  });

  test('control UI origins: one-letter labels and a port are accepted; an https origin at the end of something else is not', () => {
    // prod: edge.customDomain agents.example.com, no edge.allowedOrigins.
    expect(JSON.parse(renderControlUiOrigins(prod, ['https://a.example.com:8443', 'https://x.cloudfront.net'])).allowedOrigins).toEqual([
      'https://agents.example.com',
      'https://a.example.com:8443',
      'https://x.cloudfront.net',
    ]);
    for (const o of ['http://evil.example/https://d111.cloudfront.net', 'https://evil.example https://d111.cloudfront.net', 'https://d111.cloudfront.net:port']) {
      expect(() => renderControlUiOrigins(prod, [o])).toThrow(`control UI origin: expected https://<host>[:port] without a path or wildcard, got ${JSON.stringify(o)}`);
    }
  });

  test('a chat platform without a renderer is refused, never rendered with telegram\'s settings', () => {
    // The schema admits only bundled platforms (telegram); this guards a config that got past it.
    const cfg = withEgress(
      { channels: ['telegram', 'slack'] },
      withAgents({ ...prod.openclaw.agents, ops: { ...ops, channels: { slack: { ...telegram } } } as typeof ops }),
    );
    expect(() => render(cfg, 'ops')).toThrow(new Error('openclaw render: no renderer for chat platform slack'));
  });

  test('elevated: a platform without allowlisted senders is left out, not given an empty list', () => {
    const r = render(
      withAgents({ ...prod.openclaw.agents, support: { ...support, channels: { telegram: { ...telegram, dmPolicy: 'pairing', allowFrom: [] } }, tools: { ...support.tools, elevated: true } } }),
      'support',
    );
    expect(r.tools.elevated).toEqual({ enabled: true, allowFrom: {} });
  });

  test('the same openclaw.json and exec approvals whatever the key order of the agents in the YAML: agents and providers by id', () => {
    const a = { ...support, tools: { exec: { mode: 'allowlist' as const, commands: ['/usr/bin/id'] }, elevated: false } };
    const b = { ...ops, provider: 'openai' as const, model: 'gpt-5' };
    const egress = { providers: ['anthropic', 'openai'] as ResolvedConfig['network']['egress']['providers'] };
    const forward = shared(withEgress(egress, withAgents({ support: a, ops: b })));
    const backward = { ...withEgress(egress, withAgents({ ops: b, support: a })), openclaw: { ...forward.openclaw, agents: { ops: b, support: a }, sharedGateways: { team: ['support', 'ops'] } } };
    const r = render(forward, 'team');
    expect(Object.keys(r.agents.entries)).toEqual(['ops', 'support']);
    expect(r.agents.defaults.model).toEqual({ primary: 'openai/gpt-5', fallbacks: [] });
    expect(Object.keys(r.models.providers)).toEqual(['anthropic', 'openai']);
    expect(JSON.stringify(render(backward, 'team'))).toBe(JSON.stringify(r));
    expect(Object.keys(JSON.parse(renderExecApprovals(forward, gatewayById(forward, 'team'))).agents)).toEqual(['ops', 'support']);
    expect(renderExecApprovals(backward, gatewayById(backward, 'team'))).toBe(renderExecApprovals(forward, gatewayById(forward, 'team')));
  });

  describe('agent file errors, word for word', () => {
    const MISSING = 'missing; every agent needs SOUL.md and AGENTS.md';
    const withCopy = (change: (agentsDir: string) => void): string => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-agentfiles-'));
      try {
        fs.cpSync(CONFIG_DIR, path.join(root, 'config'), { recursive: true });
        change(path.join(root, 'config', 'clients', 'example', 'agents'));
        try {
          listAgentFiles(prod, path.join(root, 'config'));
        } catch (e) {
          return (e as Error).message;
        }
        throw new Error('expected listAgentFiles to throw');
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    };

    test('each problem on its own line, paths relative to the folder holding config/', () => {
      expect(
        withCopy((dir) => {
          fs.rmSync(path.join(dir, 'ops', 'SOUL.md'));
          fs.writeFileSync(path.join(dir, 'support', 'notes.txt'), 'x');
          fs.mkdirSync(path.join(dir, 'ghost'));
        }),
      ).toBe(
        'Agent files of client example:\n' +
          `  - config/clients/example/agents/ops/SOUL.md: ${MISSING}\n` +
          '  - config/clients/example/agents/support/notes.txt: not an agent file; an agent folder holds only regular files named SOUL.md, AGENTS.md, IDENTITY.md, USER.md, TOOLS.md\n' +
          '  - config/clients/example/agents/ghost: no agent "ghost" in openclaw.agents; remove the folder or define the agent',
      );
    });

    test('an agent without a folder: both required files missing, nothing else', () => {
      expect(withCopy((dir) => fs.rmSync(path.join(dir, 'support'), { recursive: true }))).toBe(
        `Agent files of client example:\n  - config/clients/example/agents/support/SOUL.md: ${MISSING}\n  - config/clients/example/agents/support/AGENTS.md: ${MISSING}`,
      );
    });

    test('no agents folder at all: every agent\'s files missing (not a crash on the absent folder)', () => {
      expect(withCopy((dir) => fs.rmSync(dir, { recursive: true }))).toBe(
        'Agent files of client example:\n' +
          ['ops/SOUL.md', 'ops/AGENTS.md', 'support/SOUL.md', 'support/AGENTS.md'].map((f) => `  - config/clients/example/agents/${f}: ${MISSING}`).join('\n'),
      );
    });
  });
});
