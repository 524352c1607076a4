/**
 * openclaw.json of one client x environment, for the OpenClaw version pinned by
 * host/openclaw/package-lock.json (2026.9.6), generated from the `openclaw`
 * section of the config. Pure functions apart from reading the lockfile: no
 * clock, no network. test/openclaw/ proves the result with OpenClaw itself
 * (`openclaw config validate`, `openclaw security audit`, a live gateway behind
 * the real nginx).
 *
 * Files on the host (HOST_PATHS; the boot step writes them; OPENCLAW_HOST_FILES
 * lists owners and modes):
 *
 *   /etc/openclaw/openclaw.json               renderOpenclawConfig(config)
 *   /etc/openclaw/control-ui-origins.json     renderControlUiOrigins(config, [cloudFrontOrigin])
 *        `$include`d by openclaw.json: the browser origins of the Control UI. The
 *        CloudFront domain is only known after deploy, so boot rewrites this file
 *        with it (as it rewrites nginx's allowed-origins.map.conf).
 *   /etc/openclaw/exec-approvals.json         renderExecApprovals(config); boot imports it
 *        into the gateway's state with `openclaw approvals set --file` (the exec
 *        allowlists live in OpenClaw's state database, not in openclaw.json).
 *   /run/openclaw/secrets/gateway-token       openclawSecretFiles(config): the gateway token (raw),
 *   /run/openclaw/secrets/agent-<agent>.json  and each agent's credential document (model provider
 *        API key, channel bot tokens) as in Secrets Manager, read by `file` SecretRefs in
 *        json mode (lib/secrets/secrets-manifest.ts); host/fetch-secrets/ writes them.
 *   /etc/openclaw/agents/<agent>/<file>       listAgentFiles(config, configDir), bind-mounted
 *        read-only into the agent's workspace (agentFileBindMounts); their manifest
 *        /etc/openclaw/agents.sha256 is renderAgentFilesManifest in lib/host/runtime-files.ts.
 * lib/host/runtime-files.ts (assembleBundleFiles) puts all but the secrets in the
 * deployment bundle; host/scripts/install-bundle.sh installs them as listed here.
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
 *   autonomy, hooks, browser, ACP; logs to HOST_PATHS.logDir.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { openclawRenderabilityProblems, type OpenclawConfigProblem } from '../config/validators/openclaw';
import type { ResolvedConfig } from '../config/schema';
import type { AgentConfig, ChannelPolicy } from './config-schema';
import { CHANNELS, type PROVIDERS } from '../network/config-schema';
import { HOST_PATHS } from '../host/paths';
import {
  agentSecretFile,
  agentSecretName,
  agentSecretPointers,
  channelTokenPointer,
  gatewayTokenFile,
  providerKeyOwners,
  providerKeyPointer,
} from '../secrets/secrets-manifest';
import { BUNDLED_PLUGIN_IDS, CHANNEL_PLUGINS, PROVIDER_PLUGINS } from './plugins';

type Provider = (typeof PROVIDERS)[number];
type Channel = (typeof CHANNELS)[number];
type Json = Record<string, unknown>;

/** The file openclaw.json `$include`s for gateway.controlUi (same folder). */
export const CONTROL_UI_ORIGINS_FILE = 'control-ui-origins.json';
/** The exec approvals document boot imports (`openclaw approvals set --file`). */
export const EXEC_APPROVALS_FILE = 'exec-approvals.json';
/** The agent files every agent must have, in config/clients/<client>/agents/<agent>/. */
export const REQUIRED_AGENT_FILES = ['SOUL.md', 'AGENTS.md'] as const;
/** Optional further bootstrap files OpenClaw reads from a workspace; shipped when present. */
export const OPTIONAL_AGENT_FILES = ['IDENTITY.md', 'USER.md', 'TOOLS.md'] as const;

/** One file of the runtime contract: where it goes, who owns it, and what produces it. */
export interface OpenclawHostFile {
  readonly path: string;
  /** user:group */
  readonly owner: string;
  readonly mode: string;
  readonly content: string;
}

/**
 * The files the boot step installs for the gateway, with owners and modes that
 * `openclaw security audit` accepts (it reports openclaw.json or an include
 * that is group-readable as a warning and world-readable as critical, and
 * OpenClaw refuses secret files that are readable by others, symlinked or
 * hard-linked). The gateway user owning its config is safe only because the
 * unit mounts HOST_PATHS.configDir read-only (ProtectSystem=strict,
 * ReadOnlyPaths=): inside the unit nothing can chmod or rewrite it.
 */
export const OPENCLAW_HOST_FILES: readonly OpenclawHostFile[] = [
  { path: HOST_PATHS.configFile, owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', content: 'renderOpenclawConfig(config)' },
  {
    path: `${HOST_PATHS.configDir}/control-ui-origins.json`,
    owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`,
    mode: '0400',
    content: 'renderControlUiOrigins(config, [https://<CloudFront domain>]): the bundle ships it without CloudFront; boot rewrites it',
  },
  {
    path: `${HOST_PATHS.configDir}/exec-approvals.json`,
    owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`,
    mode: '0400',
    content: 'renderExecApprovals(config); imported before every gateway start: `openclaw approvals set --file` as the gateway user',
  },
  { path: `${HOST_PATHS.agentFilesDir}/<agent>/<file>`, owner: `root:${HOST_PATHS.user}`, mode: '0444', content: 'listAgentFiles(config, configDir)[].content (folders root:root 0755)' },
  {
    path: HOST_PATHS.agentFilesManifest,
    owner: 'root:root',
    mode: '0644',
    content: 'renderAgentFilesManifest (lib/host/runtime-files.ts): `<sha256>  <agent>/<file>` per line, relative to the agent files folder',
  },
  { path: `${HOST_PATHS.workspacesDir}/<agent>/<file>`, owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0444', content: 'empty mount point; the unit bind-mounts the agent file over it read-only (agentFileBindMounts)' },
  { path: `${HOST_PATHS.secretsDir}/<name>`, owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', content: 'openclawSecretFiles(config): gateway-token (raw) and agent-<agent>.json (the agent\'s document), on tmpfs (folder 0700)' },
];

/** Host folders the generated config refers to; tests point them at a temporary folder. */
export interface OpenclawHostPaths {
  /** Folder of openclaw.json and its include files. */
  readonly configDir: string;
  /** Per-agent workspaces: <workspacesDir>/<agent>. */
  readonly workspacesDir: string;
  /** Read-only agent files: <agentFilesDir>/<agent>/SOUL.md, AGENTS.md. */
  readonly agentFilesDir: string;
  /** Secret files (`file` SecretRefs). */
  readonly secretsDir: string;
  /** Gateway log file folder. */
  readonly logDir: string;
}

export const DEFAULT_OPENCLAW_PATHS: OpenclawHostPaths = {
  configDir: HOST_PATHS.configDir,
  workspacesDir: HOST_PATHS.workspacesDir,
  agentFilesDir: HOST_PATHS.agentFilesDir,
  secretsDir: HOST_PATHS.secretsDir,
  logDir: HOST_PATHS.logDir,
};

export interface OpenclawRenderOptions {
  /** @default DEFAULT_OPENCLAW_PATHS (HOST_PATHS) */
  readonly paths?: Partial<OpenclawHostPaths>;
}

/**
 * Limits of gateway auth attempts per client address (the viewer address
 * nginx forwards). Loopback is not exempt: every request arrives from nginx.
 */
export const AUTH_RATE_LIMIT = { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false } as const;

/** The proxies whose X-Forwarded-For the gateway trusts: nginx, which proxies to 127.0.0.1 over IPv4 only. */
export const TRUSTED_PROXIES = ['127.0.0.1'] as const;

/** Tools no agent gets, whatever its config: gateway control, plugins, nodes, UI surfaces, the web, remote code. */
export const ALWAYS_DENIED_TOOLS = [
  'gateway',
  'plugins',
  'openclaw',
  'group:nodes',
  'group:ui',
  'group:web',
  'code_execution',
  'suggest_task',
  'dismiss_task',
  'skill_workshop',
] as const;

/** Base tools of every agent: files in its workspace, its own session, plans and questions to the operator. */
export const BASE_AGENT_TOOLS = ['read', 'write', 'edit', 'apply_patch', 'session_status', 'progress_card', 'ask_user'] as const;
const EXEC_TOOLS = ['exec', 'process'] as const;
const AGENT_TO_AGENT_TOOLS = ['sessions_list', 'sessions_history', 'sessions_send', 'agents_list'] as const;
const SUBAGENT_TOOLS = ['sessions_spawn', 'sessions_yield', 'subagents'] as const;
const AUTOMATION_TOOLS = ['automations', 'heartbeat_respond'] as const;
/** Granted only by the config; denied otherwise (deny wins over any allow). */
const CONDITIONAL_TOOLS = [
  ...EXEC_TOOLS,
  ...AGENT_TO_AGENT_TOOLS,
  ...SUBAGENT_TOOLS,
  ...AUTOMATION_TOOLS,
  'sessions_search',
  'conversations_list',
  'conversations_send',
  'conversations_turn',
] as const;

const paths = (options: OpenclawRenderOptions): OpenclawHostPaths => ({ ...DEFAULT_OPENCLAW_PATHS, ...options.paths });

const join = (dir: string, ...rest: string[]) => path.posix.join(dir, ...rest);

/** A secret file the gateway reads through a `file` SecretRef, written by the secrets step. */
export interface OpenclawSecretFile {
  /** secrets.providers key in openclaw.json (the manifest id of lib/secrets/secrets-manifest.ts). */
  readonly name: string;
  /** Absolute path on the host. */
  readonly path: string;
  /** `singleValue`: the raw value; `json`: a JSON document read by pointer. */
  readonly mode: 'singleValue' | 'json';
  /** What goes in it. */
  readonly purpose: string;
}

/**
 * The secret files of a config (the secrets manifest's text and json
 * entries): the gateway token and one JSON document per agent, as stored in
 * Secrets Manager. Owner HOST_PATHS.user, mode 0400 (OpenClaw refuses group-
 * or world-readable, symlinked or hard-linked secret files), on tmpfs.
 */
export function openclawSecretFiles(config: ResolvedConfig, options: OpenclawRenderOptions = {}): OpenclawSecretFile[] {
  const dir = paths(options).secretsDir;
  return [
    { name: 'gateway-token', path: gatewayTokenFile(dir), mode: 'singleValue', purpose: 'the gateway token operators and the Control UI authenticate with (generated, rotated)' },
    ...Object.keys(config.openclaw.agents)
      .sort()
      .map((agent) => ({
        name: `agent-${agent}`,
        path: agentSecretFile(agent, dir),
        mode: 'json' as const,
        purpose: `agent ${agent}'s credentials (${agentSecretPointers(config, agent).join(', ') || 'none needed'}), from ${agentSecretName(config, agent)}`,
      })),
  ];
}

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

/** Browser origins of the Control UI from the config: the custom domain and edge.allowedOrigins. */
export function configAllowedOrigins(config: ResolvedConfig): string[] {
  return [...new Set([...(config.edge.customDomain ? [`https://${config.edge.customDomain.domainName}`] : []), ...config.edge.allowedOrigins])];
}

/**
 * Content of control-ui-origins.json, `$include`d as gateway.controlUi by
 * openclaw.json: the config's browser origins plus `extraOrigins` (boot passes
 * the CloudFront domain, https://dxxxx.cloudfront.net). OpenClaw refuses Control
 * UI and WebChat WebSockets from any other browser origin.
 */
export function renderControlUiOrigins(config: ResolvedConfig, extraOrigins: readonly string[] = []): string {
  for (const o of extraOrigins) {
    if (!/^https:\/\/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/.test(o)) {
      throw new Error(`control UI origin: expected https://<host>[:port] without a path or wildcard, got ${JSON.stringify(o)}`);
    }
  }
  return `${JSON.stringify({ allowedOrigins: [...new Set([...configAllowedOrigins(config), ...extraOrigins])] }, null, 2)}\n`;
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

function agentTools(agent: AgentConfig): { allow: string[]; deny: string[] } {
  const granted = new Set<string>(BASE_AGENT_TOOLS);
  if (agent.tools.exec.mode !== 'deny') EXEC_TOOLS.forEach((t) => granted.add(t));
  if (agent.agentToAgent.length) AGENT_TO_AGENT_TOOLS.forEach((t) => granted.add(t));
  if (agent.subagents) SUBAGENT_TOOLS.forEach((t) => granted.add(t));
  if (agent.automations) AUTOMATION_TOOLS.forEach((t) => granted.add(t));
  return {
    allow: [...granted],
    deny: [...ALWAYS_DENIED_TOOLS, ...CONDITIONAL_TOOLS.filter((t) => !granted.has(t))],
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
  const p = paths(options);
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
    logging: { level: 'info', file: join(p.logDir, 'openclaw.log') },
  };
}

/**
 * The exec approvals document of a config, imported at boot into the gateway's
 * state with `openclaw approvals set --file` (as the gateway user): host exec is
 * denied by default; an allowlist agent may run exactly its commands, without a
 * prompt, skills' binaries not trusted implicitly. OpenClaw applies the stricter
 * of this and tools.exec in openclaw.json.
 */
export function renderExecApprovals(config: ResolvedConfig): string {
  const doc = {
    version: 1,
    defaults: { security: 'deny', ask: 'off', askFallback: 'deny', autoAllowSkills: false },
    agents: Object.fromEntries(
      Object.keys(config.openclaw.agents)
        .sort()
        .filter((id) => config.openclaw.agents[id]!.tools.exec.mode !== 'deny')
        .map((id) => {
          const exec = config.openclaw.agents[id]!.tools.exec;
          // full: no allowlist limit; ask: the allowlist, a human decides misses; allowlist and auto: the allowlist.
          const security = exec.mode === 'full' ? 'full' : 'allowlist';
          const ask = exec.mode === 'ask' ? 'on-miss' : 'off';
          return [
            id,
            {
              security,
              ask,
              askFallback: 'deny',
              autoAllowSkills: false,
              allowlist: exec.commands.map((pattern) => ({ pattern })),
            },
          ];
        }),
    ),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** One agent file to deploy: read from the config folder, installed read-only on the host. */
export interface AgentFile {
  readonly agent: string;
  /** File name, e.g. SOUL.md. */
  readonly file: string;
  /** `<agent>/<file>`, relative to HOST_PATHS.agentFilesDir (and to the bundle's agents/ folder). */
  readonly relativePath: string;
  /** Absolute path on the host: HOST_PATHS.agentFilesDir/<agent>/<file>. */
  readonly hostPath: string;
  /** Where it appears to OpenClaw: the agent's workspace, read-only bind-mounted from hostPath. */
  readonly workspacePath: string;
  readonly content: Buffer;
  /** Hex SHA-256 of content. */
  readonly sha256: string;
}

/**
 * The agent files of a config, read from `<configDir>/clients/<client>/agents/<agent>/`:
 * SOUL.md and AGENTS.md (required), IDENTITY.md, USER.md, TOOLS.md (when present).
 * Sorted by relative path. Throws naming every missing required file and any
 * file in an agent folder that is not an agent file (or a folder without an agent).
 */
export function listAgentFiles(config: ResolvedConfig, configDir: string, options: OpenclawRenderOptions = {}): AgentFile[] {
  const p = paths(options);
  const root = path.join(configDir, 'clients', config.client, 'agents');
  // Every path here is inside configDir, so this is never empty: e.g. config/clients/<client>/agents/<agent>/SOUL.md.
  const rel = (f: string) => path.relative(path.dirname(configDir), f);
  const problems: string[] = [];
  const files: AgentFile[] = [];
  const known = new Set<string>([...REQUIRED_AGENT_FILES, ...OPTIONAL_AGENT_FILES]);
  for (const agent of Object.keys(config.openclaw.agents).sort()) {
    const dir = path.join(root, agent);
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    for (const required of REQUIRED_AGENT_FILES) {
      if (!present.includes(required)) problems.push(`${rel(path.join(dir, required))}: missing; every agent needs ${REQUIRED_AGENT_FILES.join(' and ')}`);
    }
    for (const name of present) {
      const file = path.join(dir, name);
      if (!known.has(name) || !fs.lstatSync(file).isFile()) {
        problems.push(`${rel(file)}: not an agent file; an agent folder holds only regular files named ${[...known].join(', ')}`);
        continue;
      }
      const content = fs.readFileSync(file);
      files.push({
        agent,
        file: name,
        relativePath: `${agent}/${name}`,
        hostPath: join(p.agentFilesDir, agent, name),
        workspacePath: join(p.workspacesDir, agent, name),
        content,
        sha256: crypto.createHash('sha256').update(content).digest('hex'),
      });
    }
  }
  if (fs.existsSync(root)) {
    for (const name of fs.readdirSync(root)) {
      if (!(name in config.openclaw.agents)) problems.push(`${rel(path.join(root, name))}: no agent "${name}" in openclaw.agents; remove the folder or define the agent`);
    }
  }
  if (problems.length) throw new Error(`Agent files of client ${config.client}:\n${problems.map((m) => `  - ${m}`).join('\n')}`);
  return files;
}

/**
 * systemd BindReadOnlyPaths= entries for the gateway unit: every agent file
 * appears at its workspace path, read-only. OpenClaw reads bootstrap files
 * (SOUL.md, AGENTS.md) only from the agent's workspace, which the gateway (and
 * so the agent's own file tools) can write; a read-only bind mount cannot be
 * written, replaced, renamed or deleted from inside the unit.
 */
export function agentFileBindMounts(files: readonly AgentFile[]): string[] {
  return files.map((f) => `${f.hostPath}:${f.workspacePath}`);
}
