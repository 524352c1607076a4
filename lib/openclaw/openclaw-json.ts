/**
 * openclaw.json of one gateway (lib/openclaw/gateways.ts: one per agent, or per
 * shared group) of a client x environment, for the OpenClaw version pinned by
 * host/openclaw/package-lock.json, generated from the `openclaw` section of the
 * config. Pure functions apart from reading the lockfile: no clock, no network.
 * test/openclaw/ proves the result with OpenClaw itself (`openclaw config
 * validate`, `openclaw security audit`, a live gateway behind the real nginx).
 * Where it and the files it refers to go on the host: openclaw-config.ts.
 *
 * What the generated config enforces, and why (each is asserted by a test):
 * - only the gateway's own agents: their entries, bindings, channels, plugins,
 *   model providers and secret files; agent-to-agent and session visibility are
 *   computed from them alone (another gateway's agents do not exist for it);
 * - gateway on loopback only, on the gateway's own port, token auth from its own
 *   token file (a file SecretRef), auth rate limit, nginx on 127.0.0.1 as the only
 *   trusted proxy (OpenClaw >= 2026.8 refuses forwarded requests from untrusted
 *   proxies), no X-Real-IP fallback, no Tailscale, no operator terminal, no
 *   OpenAI-compatible HTTP APIs; the Control UI under the gateway's edge path
 *   (gateway.controlUi.basePath /agents/<id>, the prefix nginx routes on);
 * - agents per config (agents.ownership explicit: a message no binding routes is
 *   dropped): own workspace, strict model without fallbacks, no skills, tool
 *   allowlist + denylist, exec per mode (host exec would default to full!),
 *   elevated off, file tools confined to the workspace, no sub-agents or
 *   cross-agent sessions unless configured, heartbeats and the scheduler off
 *   unless automations are configured;
 * - each model provider's API key from the secret of an agent of this gateway
 *   (providerKeyAgent): in a gateway of its own, the agent's own key;
 * - chat platforms with allowlist/pairing DM policy and mention-gated group
 *   allowlists; one agent per platform in a gateway (bindings);
 * - only the plugins its agents and `openclaw.plugins` need (plugins.allow);
 *   every other bundled plugin is in plugins.deny (40 of 63 are on by default);
 * - no update checks, telemetry, remote model catalog, mDNS, skill workshop
 *   autonomy, hooks, browser, ACP; logs to the gateway's own log file;
 * - every outbound request through the gateway's own egress proxy port (squid on
 *   loopback, lib/host/egress-proxy.ts: only the domains of its agents' providers
 *   and platforms): `proxy` with loopbackMode gateway-only, so only the gateway's
 *   own loopback traffic stays direct (OPENCLAW_PROXY.loopbackMode).
 */
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { openclawRenderabilityProblems, type OpenclawConfigProblem } from '../config/validators/openclaw';
import { CHANNELS, type PROVIDERS } from '../network/config-schema';
import { channelTokenPointer, providerKeyPointer } from '../secrets/secrets-manifest';
import { EGRESS_PROXY_ADDRESS } from '../host/egress-proxy';
import { agentTools, ALWAYS_DENIED_TOOLS } from './agent-tools';
import type { AgentConfig, ChannelPolicy } from './config-schema';
import type { AgentGateway } from './gateways';
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
 * loopback destinations. proxyUrl: gatewayProxyUrl(gateway), the gateway's own squid port.
 */
export const OPENCLAW_PROXY = { enabled: true, loopbackMode: 'gateway-only' } as const;

/** The egress proxy URL of a gateway: its own squid port on loopback (AgentGateway.proxyPort). */
export const gatewayProxyUrl = (gateway: Pick<AgentGateway, 'proxyPort'>) => `http://${EGRESS_PROXY_ADDRESS}:${gateway.proxyPort}`;

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

/** Plugin ids to enable in `gateway`: its agents' providers and platforms, plus openclaw.plugins. Sorted. */
export function enabledPlugins(config: ResolvedConfig, gateway: AgentGateway): string[] {
  const agents = gateway.agents.map((id) => config.openclaw.agents[id]!);
  const ids = new Set<string>(config.openclaw.plugins);
  for (const a of agents) {
    ids.add(PROVIDER_PLUGINS[a.provider as Provider]!);
    for (const c of Object.keys(a.channels) as Channel[]) ids.add(CHANNEL_PLUGINS[c]!);
  }
  return [...ids].sort();
}

/**
 * The agent of `gateway` whose secret holds the API key of `provider` in that
 * gateway's openclaw.json. Every agent's secret holds its own provider's key,
 * but OpenClaw 2026.9.6 reads one key per model provider per gateway
 * (models.providers.<id>.apiKey; it has no per-agent provider credential). In
 * a gateway of its own (the default) that is the agent's own key. In a shared
 * gateway (openclaw.sharedGateways, a weakening with its exception), agents on
 * the same provider all use the key of the first of them by id; the others'
 * keys are required in their secrets all the same (they take over when the
 * group is dissolved), but unused.
 */
export function providerKeyAgent(config: ResolvedConfig, gateway: AgentGateway, provider: string): string {
  const agent = [...gateway.agents].sort().find((id) => config.openclaw.agents[id]?.provider === provider);
  if (!agent) throw new Error(`no agent of gateway ${gateway.id} uses the model provider ${provider}`);
  return agent;
}

/**
 * The complete openclaw.json of one gateway (see the header of this file).
 * Throws OpenclawConfigError when the config cannot be rendered: version not
 * pinned by the lockfile, a provider or platform outside the egress
 * allowlist, no agents; and an Error for a gateway with an agent the config
 * does not define.
 */
export function renderOpenclawConfig(config: ResolvedConfig, gateway: AgentGateway, options: OpenclawRenderOptions = {}): Json {
  assertRenderable(config);
  const unknown = gateway.agents.filter((id) => !config.openclaw.agents[id]);
  if (unknown.length || gateway.agents.length === 0) {
    throw new Error(`openclaw render: gateway ${gateway.id} runs ${unknown.length ? `agents not in openclaw.agents: ${unknown.join(', ')}` : 'no agent'}`);
  }
  const p = openclawHostPaths(gateway, options);
  const ids = [...gateway.agents].sort();
  const agents = ids.map((id) => [id, config.openclaw.agents[id]!] as const);
  const all = agents.map(([, a]) => a);
  const modelOf = (a: AgentConfig) => `${a.provider}/${a.model}`;
  const plugins = enabledPlugins(config, gateway);
  const secrets = openclawSecretFiles(config, gateway, options);
  const anyElevated = all.some((a) => a.tools.elevated);
  // Only agents of this gateway, and only targets in it (the schema refuses others; this keeps the file self-contained).
  const a2a = agents
    .map(([id, a]) => [id, a.agentToAgent.filter((t) => ids.includes(t))] as const)
    .filter(([, targets]) => targets.length > 0);
  const anySubagents = all.some((a) => a.subagents);
  const anyAutomations = all.some((a) => a.automations);
  const providers = [...new Set(all.map((a) => a.provider))].sort();
  // In CHANNELS order, then by agent id: the same openclaw.json whatever the key order of the YAML.
  const channelOwners = CHANNELS.flatMap((ch) => agents.filter(([, a]) => ch in a.channels).map(([id]) => [ch, id] as const));

  return {
    gateway: {
      mode: 'local',
      bind: 'loopback',
      port: gateway.port,
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
        // The edge path of this gateway: nginx routes /agents/<id>/ here without rewriting it.
        basePath: gateway.basePath,
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
      providers: Object.fromEntries(providers.map((pr) => [pr, { apiKey: agentSecretRef(providerKeyAgent(config, gateway, pr), providerKeyPointer(pr)) }])),
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
        ? { enabled: true, allow: [...new Set(a2a.flatMap(([id, targets]) => [id, ...targets]))].sort() }
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
    logging: { level: 'info', file: p.logFile },
    proxy: { enabled: OPENCLAW_PROXY.enabled, proxyUrl: gatewayProxyUrl(gateway), loopbackMode: OPENCLAW_PROXY.loopbackMode },
  };
}
