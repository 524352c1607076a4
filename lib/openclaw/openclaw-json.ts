/**
 * openclaw.json of one client x environment, for the OpenClaw version pinned by
 * host/openclaw/package-lock.json, generated from the `openclaw` section of the
 * config. Pure functions apart from reading the lockfile: no clock, no network.
 * test/openclaw/ proves the result with OpenClaw itself (`openclaw config
 * validate`, `openclaw security audit`, a live gateway behind the real nginx).
 * Where it and the files it refers to go on the host: openclaw-config.ts.
 *
 * What the generated config enforces, and why (each is asserted by a test):
 * - gateway on loopback only, edge.gatewayPort, token auth from a file SecretRef,
 *   auth rate limit, nginx on 127.0.0.1 as the only trusted proxy (OpenClaw
 *   >= 2026.8 refuses forwarded requests from untrusted proxies), no X-Real-IP
 *   fallback, no Tailscale, no operator terminal, no OpenAI-compatible HTTP APIs;
 * - agents per config (agents.ownership explicit: a message no binding routes is
 *   dropped): own workspace, strict model without fallbacks, no skills, tool
 *   allowlist + denylist, exec per mode (host exec would default to full!),
 *   elevated off, file tools confined to the workspace, no sub-agents or
 *   cross-agent sessions unless configured, heartbeats and the scheduler off
 *   unless automations are configured;
 * - chat platforms with allowlist/pairing DM policy and mention-gated group
 *   allowlists; one agent per platform (bindings);
 * - only the plugins the agents and `openclaw.plugins` need (plugins.allow);
 *   every other bundled plugin is in plugins.deny (40 of 63 are on by default);
 * - no update checks, telemetry, remote model catalog, mDNS, skill workshop
 *   autonomy, hooks, browser, ACP; logs to HOST_LOG_FILES.gateway (lib/host/log-files.ts);
 * - every outbound request through the host's egress proxy (squid on loopback,
 *   lib/host/egress-proxy.ts): `proxy` with loopbackMode gateway-only, so only the
 *   gateway's own loopback traffic stays direct (OPENCLAW_PROXY.loopbackMode).
 */
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { openclawRenderabilityProblems, type OpenclawConfigProblem } from '../config/validators/openclaw';
import { CHANNELS, type PROVIDERS } from '../network/config-schema';
import { channelTokenPointer, providerKeyOwners, providerKeyPointer } from '../secrets/secrets-manifest';
import { EGRESS_PROXY_URL } from '../host/egress-proxy';
import { OPENCLAW_AUDIT_LOGGING } from '../audit/agent-audit';
import { agentTools, ALWAYS_DENIED_TOOLS } from './agent-tools';
import type { AgentConfig, ChannelPolicy } from './config-schema';
import { CONTROL_UI_ORIGINS_FILE, openclawHostPaths, type OpenclawRenderOptions } from './openclaw-config';
import { BUNDLED_PLUGIN_IDS, CHANNEL_PLUGINS, PROVIDER_PLUGINS } from './plugins';
import { openclawSecretFiles } from './secret-files';

type Provider = (typeof PROVIDERS)[number];
type Channel = (typeof CHANNELS)[number];
type Json = Record<string, unknown>;

const join = (dir: string, ...rest: string[]) => path.posix.join(dir, ...rest);

/**
 * Limits of gateway auth attempts per client address (the viewer address
 * nginx forwards). Loopback is not exempt: every request arrives from nginx.
 */
export const AUTH_RATE_LIMIT = { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false } as const;

/**
 * OpenClaw's managed forward proxy (OpenClaw >= 2026.9, src/infra/net/proxy): once the gateway
 * starts it routes the process's HTTP(S) and WebSocket traffic through proxyUrl (CONNECT) and
 * sets HTTP(S)_PROXY for what it runs. gateway-only: loopback URLs (the gateway's own RPC)
 * bypass the proxy; "block" would refuse them, "proxy" would send them to squid, which refuses
 * loopback destinations.
 */
export const OPENCLAW_PROXY = { enabled: true, proxyUrl: EGRESS_PROXY_URL, loopbackMode: 'gateway-only' } as const;

/** The proxies whose X-Forwarded-For the gateway trusts: nginx, which proxies to 127.0.0.1 over IPv4 only. */
export const TRUSTED_PROXIES = ['127.0.0.1'] as const;

const gatewayTokenRef = { source: 'file', provider: 'gateway-token', id: 'value' };
/** A value in an agent's secret document: `{source: file, provider: agent-<id>, id: <JSON pointer>}`. */
const agentSecretRef = (agent: string, pointer: string) => ({ source: 'file', provider: `agent-${agent}`, id: pointer });

/** Thrown by the generator for a config it cannot render; `problems` name the keys. */
export class OpenclawConfigError extends Error {
  constructor(readonly problems: readonly OpenclawConfigProblem[]) {
    super(
      `Cannot generate openclaw.json (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.path.join('.')}: ${p.message}`).join('\n'),
    );
    this.name = 'OpenclawConfigError';
  }
}

function assertRenderable(config: ResolvedConfig): void {
  const problems = openclawRenderabilityProblems(config);
  if (problems.length) throw new OpenclawConfigError(problems);
}

function channelConfig(channel: Channel, agent: string, policy: ChannelPolicy): Json {
  if (channel !== 'telegram') throw new Error(`openclaw render: no renderer for chat platform ${channel}`); // the schema admits bundled platforms only
  return {
    enabled: true,
    botToken: agentSecretRef(agent, channelTokenPointer(channel)),
    dmPolicy: policy.dmPolicy,
    ...(policy.dmPolicy === 'open' ? { allowFrom: ['*'] } : policy.allowFrom.length ? { allowFrom: [...policy.allowFrom] } : {}),
    groupPolicy: policy.groupPolicy,
    ...(policy.groupPolicy === 'allowlist'
      ? {
          groupAllowFrom: [...policy.groupAllowFrom],
          groups: Object.fromEntries(policy.groups.map((g) => [g, { requireMention: true }])),
        }
      : policy.groupPolicy === 'open'
        ? { groups: { '*': { requireMention: true } } }
        : {}),
    // Only the allowlisted senders' content is added as quoted or thread context.
    contextVisibility: 'allowlist',
    // The agent cannot rewrite channel settings from chat.
    configWrites: false,
  };
}

/** `telegram` -> ['100000001', ...]: the DM allowlist of each of the agent's platforms, for elevated. */
function elevatedAllowFrom(agent: AgentConfig): Record<string, string[]> {
  return Object.fromEntries(
    (Object.entries(agent.channels) as [Channel, ChannelPolicy][]).filter(([, c]) => c.allowFrom.length).map(([ch, c]) => [ch, [...c.allowFrom]]),
  );
}

/** Plugin ids to enable: the agents' providers and platforms, plus openclaw.plugins. Sorted. */
export function enabledPlugins(config: ResolvedConfig): string[] {
  const agents = Object.values(config.openclaw.agents);
  const ids = new Set<string>(config.openclaw.plugins);
  for (const a of agents) {
    ids.add(PROVIDER_PLUGINS[a.provider as Provider]!);
    for (const c of Object.keys(a.channels) as Channel[]) ids.add(CHANNEL_PLUGINS[c]!);
  }
  return [...ids].sort();
}

/**
 * The complete openclaw.json of one client x environment (see the header of
 * this file). Throws OpenclawConfigError when the config cannot be rendered:
 * version not pinned by the lockfile, a provider or platform outside the egress
 * allowlist, no agents.
 */
export function renderOpenclawConfig(config: ResolvedConfig, options: OpenclawRenderOptions = {}): Json {
  assertRenderable(config);
  const p = openclawHostPaths(options);
  const ids = Object.keys(config.openclaw.agents).sort();
  const agents = ids.map((id) => [id, config.openclaw.agents[id]!] as const);
  const all = agents.map(([, a]) => a);
  const modelOf = (a: AgentConfig) => `${a.provider}/${a.model}`;
  const plugins = enabledPlugins(config);
  const secrets = openclawSecretFiles(config, options);
  const keyOwners = providerKeyOwners(config);
  const anyElevated = all.some((a) => a.tools.elevated);
  const a2a = agents.filter(([, a]) => a.agentToAgent.length > 0);
  const anySubagents = all.some((a) => a.subagents);
  const anyAutomations = all.some((a) => a.automations);
  const providers = [...new Set(all.map((a) => a.provider))].sort();
  // In CHANNELS order, then by agent id: the same openclaw.json whatever the key order of the YAML.
  const channelOwners = CHANNELS.flatMap((ch) => agents.filter(([, a]) => ch in a.channels).map(([id]) => [ch, id] as const));

  return {
    gateway: {
      mode: 'local',
      bind: 'loopback',
      port: config.edge.gatewayPort,
      auth: {
        mode: 'token',
        token: gatewayTokenRef,
        rateLimit: { ...AUTH_RATE_LIMIT },
      },
      trustedProxies: [...TRUSTED_PROXIES],
      allowRealIpFallback: false,
      controlUi: {
        // allowedOrigins: from the include, which boot rewrites with the CloudFront domain.
        $include: `./${CONTROL_UI_ORIGINS_FILE}`,
        enabled: true,
        allowExternalEmbedUrls: false,
        automaticallyFetchFavicons: false,
        communityInvite: false,
      },
      // No PTY shell on the host for admin operators; no external CLI session engines.
      terminal: { enabled: false },
      cliAgents: { enabled: false },
      tailscale: { mode: 'off' },
      http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: false } } },
      nodes: { allowSkills: false, pluginTools: { enabled: false } },
    },
    secrets: {
      providers: Object.fromEntries(secrets.map((s) => [s.name, { source: 'file', path: s.path, mode: s.mode }])),
    },
    models: {
      mode: 'merge',
      catalogRefresh: { enabled: false },
      providers: Object.fromEntries(providers.map((pr) => [pr, { apiKey: agentSecretRef(keyOwners[pr]!, providerKeyPointer(pr)) }])),
    },
    agents: {
      ownership: 'explicit',
      defaults: {
        model: { primary: modelOf(agents[0]![1]), fallbacks: [] },
        workspace: p.workspacesDir,
        // The soul and instruction files are deployed read-only; OpenClaw must not create its own.
        skipBootstrap: true,
        skills: [],
        sandbox: { mode: 'off' },
        heartbeat: { every: '0m' },
        subagents: { allowAgents: [], requireAgentId: true, maxSpawnDepth: 1 },
        elevatedDefault: 'off',
      },
      entries: Object.fromEntries(
        agents.map(([id, a]) => {
          const tools = agentTools(a);
          return [
            id,
            {
              name: id,
              description: a.description,
              workspace: join(p.workspacesDir, id),
              model: { primary: modelOf(a), fallbacks: [] },
              skills: [],
              heartbeat: { every: '0m' },
              subagents: { allowAgents: a.subagents ? [id] : [], requireAgentId: true },
              tools: {
                allow: tools.allow,
                deny: tools.deny,
                exec: {
                  mode: a.tools.exec.mode,
                  host: 'gateway',
                  strictInlineEval: true,
                  notifyOnExit: false,
                },
                elevated: { enabled: a.tools.elevated },
                fs: { workspaceOnly: true },
              },
            },
          ];
        }),
      ),
    },
    // One agent per chat platform; an unrouted message is dropped (ownership explicit).
    bindings: channelOwners.map(([channel, agentId]) => ({ type: 'route', agentId, match: { channel, accountId: '*' } })),
    channels: {
      defaults: { groupPolicy: 'disabled', contextVisibility: 'allowlist' },
      ...Object.fromEntries(channelOwners.map(([ch, id]) => [ch, channelConfig(ch, id, config.openclaw.agents[id]!.channels[ch]!)])),
    },
    tools: {
      deny: [...ALWAYS_DENIED_TOOLS],
      exec: { mode: 'deny', host: 'gateway', strictInlineEval: true, notifyOnExit: false, safeBins: [] },
      elevated: anyElevated
        ? { enabled: true, allowFrom: Object.assign({}, ...all.filter((a) => a.tools.elevated).map(elevatedAllowFrom)) }
        : { enabled: false },
      fs: { workspaceOnly: true },
      agentToAgent: a2a.length
        ? { enabled: true, allow: [...new Set(a2a.flatMap(([id, a]) => [id, ...a.agentToAgent]))].sort() }
        : { enabled: false },
      sessions: { visibility: a2a.length ? 'all' : anySubagents ? 'tree' : 'self' },
      loopDetection: { enabled: true },
    },
    cron: { enabled: anyAutomations },
    hooks: { enabled: false },
    session: { dmScope: 'per-channel-peer' },
    commands: { bash: false, config: false, mcp: false, plugins: false, debug: false, restart: false },
    approvals: { exec: { enabled: false } },
    plugins: {
      enabled: true,
      allow: plugins,
      deny: BUNDLED_PLUGIN_IDS.filter((id) => !plugins.includes(id)),
      entries: Object.fromEntries(plugins.map((id) => [id, { enabled: true }])),
    },
    skills: { allowBundled: [], load: { watch: false }, workshop: { autonomous: { mode: 'off' } } },
    browser: { enabled: false },
    acp: { enabled: false },
    discovery: { mdns: { mode: 'off' } },
    update: { checkOnStart: false },
    telemetry: { enabled: false },
    logging: { level: 'info', file: p.logFile, audit: { ...OPENCLAW_AUDIT_LOGGING } },
    proxy: { ...OPENCLAW_PROXY },
  };
}
