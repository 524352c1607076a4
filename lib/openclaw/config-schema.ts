import { z } from 'zod';
import { pinnedRuntime, RUNTIME_LOCKFILE_DISPLAY } from './lockfile';
import { BUNDLED_PLUGIN_IDS, CHANNEL_PLUGINS, PROVIDER_PLUGINS, UNSUPPORTED_PLUGINS } from './plugins';
import { CHANNELS, PROVIDERS } from '../network/config-schema';

/**
 * Agent ids (and shared group names): they name workspaces, agent-file folders, OpenClaw's
 * agents.entries keys, Linux users (openclaw-<id>), systemd units and the restore document's
 * allowedPattern. A letter or digit first: a leading hyphen would read as an option to the host's tools.
 */
export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Host exec policy of an agent (OpenClaw tools.exec.mode). deny and allowlist
 * are the hardened values; ask, auto and full need an exception for control
 * agent-exec-unrestricted.
 */
export const EXEC_MODES = ['deny', 'allowlist', 'ask', 'auto', 'full'] as const;
export const UNRESTRICTED_EXEC_MODES: readonly ExecMode[] = ['ask', 'auto', 'full'];
/** Who may DM the agent: allowlist (allowFrom), pairing (operator approves each new sender), disabled, open (anyone: exception). */
export const DM_POLICIES = ['allowlist', 'pairing', 'disabled', 'open'] as const;
/** Which group chats reach the agent: disabled, allowlist (groups + groupAllowFrom), open (any group: exception). */
export const GROUP_POLICIES = ['disabled', 'allowlist', 'open'] as const;

export type ExecMode = (typeof EXEC_MODES)[number];

/**
 * Program names an exec allowlist may not hold: a shell, interpreter or
 * privilege tool runs arbitrary code, which makes the allowlist meaningless.
 */
export const EXEC_ALLOWLIST_FORBIDDEN = [
  'sh', 'bash', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'busybox', 'env', 'xargs', 'nohup', 'timeout', 'nice', 'script',
  'sudo', 'su', 'doas', 'runuser', 'pkexec', 'setpriv', 'chroot', 'nsenter', 'unshare', 'systemd-run',
  'python', 'python2', 'python3', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'tclsh', 'awk', 'gawk', 'mawk', 'sed',
  'find', 'vi', 'vim', 'nvim', 'emacs', 'less', 'more', 'man', 'ssh', 'scp', 'rsync', 'curl', 'wget', 'nc', 'ncat', 'socat', 'telnet',
  'git', 'npm', 'npx', 'pip', 'pip3', 'make', 'docker', 'podman', 'kubectl', 'aws', 'openclaw',
] as const;

/** True for a path whose program (python3.11 counts as python) is in EXEC_ALLOWLIST_FORBIDDEN. */
export function isForbiddenProgram(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const stem = base.replace(/[\d.-]+$/, '');
  return [base, stem].some((name) => (EXEC_ALLOWLIST_FORBIDDEN as readonly string[]).includes(name));
}

const pinnedOpenclaw = (): string | undefined => {
  try {
    return pinnedRuntime().openclaw;
  } catch {
    // unreadable lockfile: no version matches, and the message says why
  }
  return undefined;
};

/** The message for a provider or chat platform whose OpenClaw plugin is not bundled. */
const notBundled = (what: string, supported: readonly string[], name: string) =>
  `${what} whose plugin ships in the pinned OpenClaw (${RUNTIME_LOCKFILE_DISPLAY}): ` +
  `${supported.join(', ')}; "${name}" needs a separate plugin package this blueprint does not install`;

/** The per-agent breaker's defaults (openclaw.agents.<id>.breaker). */
export const BREAKER_DEFAULTS = { modelDailyUsd: 2, modelMonthlyUsd: 25, toolCallsPer5Min: 150, blockedEgressPer5Min: 20 } as const;

const breakerAmount = (what: string) =>
  z.number({ error: `${what}: an amount in US dollars` }).min(0.01, { error: `${what}: at least $0.01` }).max(1_000_000, { error: `${what}: at most $1,000,000` });
const breakerCount = (what: string) =>
  z.number({ error: `${what}: a whole number` }).int({ error: `${what}: a whole number` }).min(1, { error: `${what}: at least 1` }).max(1_000_000, { error: `${what}: at most 1,000,000` });

/**
 * One agent's circuit breaker, enforced on the host by the spend meter
 * (host/spend-meter/): crossing any limit stops this agent's gateway only, records the
 * stop (it stays stopped across reboots until `npm run restore -- --agent <id>`), and alerts.
 * The deployment-wide limits (spend.*) and the kill switch stay the backstop.
 */
export const breakerSchema = z
  .strictObject({
    modelDailyUsd: breakerAmount('breaker.modelDailyUsd')
      .default(BREAKER_DEFAULTS.modelDailyUsd)
      .describe('Model API spend of this agent today (UTC), priced by spend.modelPrices, that stops its gateway. At most spend.modelDailyLimitUsd.'),
    modelMonthlyUsd: breakerAmount('breaker.modelMonthlyUsd')
      .default(BREAKER_DEFAULTS.modelMonthlyUsd)
      .describe('Model API spend of this agent this month (UTC) that stops its gateway. At most spend.modelMonthlyLimitUsd.'),
    toolCallsPer5Min: breakerCount('breaker.toolCallsPer5Min')
      .default(BREAKER_DEFAULTS.toolCallsPer5Min)
      .describe('Tool calls of this agent in any 5 minutes that stop its gateway (a runaway or hijacked agent loops on tools).'),
    blockedEgressPer5Min: breakerCount('breaker.blockedEgressPer5Min')
      .default(BREAKER_DEFAULTS.blockedEgressPer5Min)
      .describe('Requests of this agent\'s gateway refused by the egress proxy in any 5 minutes that stop its gateway (an agent probing for a way out).'),
  })
  .refine((b) => b.modelDailyUsd <= b.modelMonthlyUsd, { path: ['modelDailyUsd'], error: 'at most breaker.modelMonthlyUsd' })
  .describe('This agent\'s own circuit breaker: limits that stop its gateway only, alert, and record the stop.');

const senderId = z
  .string({ error: 'a sender id of the chat platform as a quoted string, e.g. "123456789" (a Telegram user id)' })
  .regex(/^[A-Za-z0-9@+_.:-]{1,128}$/, {
    error: 'a stable sender id of the chat platform, e.g. "123456789"; no wildcard ("*" would let anyone in: use dmPolicy open with an exception instead)',
  });

const groupId = z
  .string({ error: 'a group chat id as a quoted string, e.g. "-1001234567890" (a Telegram supergroup id)' })
  .regex(/^-?[A-Za-z0-9@+_.:-]{1,128}$/, { error: 'a group chat id, e.g. "-1001234567890"; no wildcard' });

const channelPolicySchema = z
  .strictObject({
    dmPolicy: z
      .enum(DM_POLICIES, { error: `one of: ${DM_POLICIES.join(', ')}` })
      .default('allowlist')
      .describe(
        'Who may send the agent direct messages. allowlist (hardened default): only the ids in allowFrom. pairing: an unknown sender gets a ' +
          'code that an operator must approve (`openclaw pairing approve`). disabled: no DMs. open: anyone, needs an exception for control agent-channel-open.',
      ),
    allowFrom: z
      .array(senderId, { error: 'a list of sender ids' })
      .default([])
      .describe('Sender ids (platform user ids, not names) allowed to DM the agent; required with dmPolicy allowlist.'),
    groupPolicy: z
      .enum(GROUP_POLICIES, { error: `one of: ${GROUP_POLICIES.join(', ')}` })
      .default('disabled')
      .describe(
        'Group chats. disabled (hardened default): the agent ignores groups. allowlist: only the chats in groups, only senders in groupAllowFrom, ' +
          'and only when mentioned. open: any group, needs an exception for control agent-channel-open.',
      ),
    groups: z
      .array(groupId, { error: 'a list of group chat ids' })
      .default([])
      .describe('Group chat ids the agent answers in (groupPolicy allowlist); it answers only when mentioned.'),
    groupAllowFrom: z
      .array(senderId, { error: 'a list of sender ids' })
      .default([])
      .describe('Sender ids allowed to address the agent inside those groups (groupPolicy allowlist).'),
  })
  .superRefine((c, ctx) => {
    if (c.dmPolicy === 'allowlist' && c.allowFrom.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowFrom'],
        message: 'at least one sender id with dmPolicy allowlist (or dmPolicy pairing, or disabled to turn DMs off)',
      });
    }
    if (c.dmPolicy !== 'allowlist' && c.allowFrom.length > 0 && c.dmPolicy !== 'pairing') {
      ctx.addIssue({ code: 'custom', path: ['allowFrom'], message: `no sender ids with dmPolicy ${c.dmPolicy}; they apply only to allowlist (and pairing)` });
    }
    if (c.groupPolicy === 'allowlist') {
      if (c.groups.length === 0) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'at least one group chat id with groupPolicy allowlist' });
      if (c.groupAllowFrom.length === 0) ctx.addIssue({ code: 'custom', path: ['groupAllowFrom'], message: 'at least one sender id with groupPolicy allowlist' });
    } else if (c.groupPolicy === 'disabled' && (c.groups.length > 0 || c.groupAllowFrom.length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['groups'], message: 'no groups or groupAllowFrom with groupPolicy disabled; set groupPolicy allowlist to use them' });
    }
  })
  .describe('Who reaches the agent on this chat platform. Secrets (bot tokens) never go here: the secrets step writes them on the host.');

const execSchema = z
  .strictObject({
    mode: z
      .enum(EXEC_MODES, { error: `one of: ${EXEC_MODES.join(', ')}` })
      .default('deny')
      .describe(
        'Host command execution (OpenClaw tools.exec.mode). deny (hardened default): none. allowlist: only `commands`, without asking. ' +
          'ask, auto and full let the agent run other commands (full: anything) and need an exception for control agent-exec-unrestricted.',
      ),
    commands: z
      .array(
        z
          .string({ error: 'an absolute path of a program, e.g. /usr/bin/uptime' })
          .regex(/^\/[A-Za-z0-9._+/-]+$/, { error: 'an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)' })
          .refine((p) => !p.split('/').includes('..'), { error: 'a path without ".."' })
          .refine((p) => !isForbiddenProgram(p), {
            error: 'a program that cannot run other code: shells, interpreters, editors, pagers, network and privilege tools would make the allowlist run anything',
          }),
        { error: 'a list of absolute program paths' },
      )
      .default([])
      .describe('Programs the agent may run with mode allowlist (absolute paths; matched by OpenClaw\'s exec approvals). Shells and interpreters are refused.'),
  })
  .superRefine((e, ctx) => {
    if (e.mode === 'allowlist' && e.commands.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['commands'], message: 'at least one absolute program path with mode allowlist (or mode deny)' });
    }
    if (e.mode !== 'allowlist' && e.commands.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['commands'], message: `no commands with mode ${e.mode}; the list applies only to mode allowlist` });
    }
  })
  .describe('Host command execution by the agent.');

export const agentSchema = z
  .strictObject({
    description: z
      .string({ error: 'a sentence describing what the agent is for' })
      .min(3)
      .max(200, { error: 'at most 200 characters' })
      .describe('What the agent is for; shown to operators.'),
    provider: z
      .enum(PROVIDERS, { error: `one of the model providers: ${PROVIDERS.join(', ')}` })
      .refine((p) => PROVIDER_PLUGINS[p] !== null, {
        error: (issue) => notBundled('a model provider', PROVIDERS.filter((p) => PROVIDER_PLUGINS[p] !== null), String(issue.input)),
      })
      .describe('Model provider of the agent; its API domains must be in network.egress.providers. Its API key is a host secret, not config.'),
    model: z
      .string({ error: 'a model id of the provider, e.g. claude-sonnet-4-6' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, { error: 'a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6' })
      .describe('Model id at the provider, without the provider prefix (OpenClaw gets "<provider>/<model>"). No fallback models.'),
    channels: z
      .strictObject(
        Object.fromEntries(CHANNELS.map((c) => [c, channelPolicySchema.optional()])) as { [C in (typeof CHANNELS)[number]]: z.ZodOptional<typeof channelPolicySchema> },
        { error: 'a mapping from chat platform to its access policy' },
      )
      .superRefine((channels, ctx) => {
        for (const c of Object.keys(channels) as (typeof CHANNELS)[number][]) {
          if (CHANNEL_PLUGINS[c] === null) {
            ctx.addIssue({
              code: 'custom',
              path: [c],
              message: notBundled('a chat platform', CHANNELS.filter((ch) => CHANNEL_PLUGINS[ch] !== null), c),
            });
          }
        }
      })
      .default({})
      .describe(
        'Chat platforms the agent answers on, each with its DM and group policy. Each platform routes to one agent; its API domains must be in ' +
          'network.egress.channels. An agent without channels is reached only by operators through the gateway (Control UI).',
      ),
    tools: z
      .strictObject({
        exec: execSchema.default({ mode: 'deny', commands: [] }),
        elevated: z
          .boolean({ error: 'true or false' })
          .default(false)
          .describe(
            'Elevated exec outside every restriction for the allowlisted DM senders of the agent. Hardened default: false; true needs an exception for control agent-elevated.',
          ),
      })
      .default({ exec: { mode: 'deny', commands: [] }, elevated: false })
      .describe('What the agent may do on the host. File tools are always confined to its workspace; browser, node, web and control-plane tools are off.'),
    agentToAgent: z
      .array(z.string().regex(AGENT_ID_PATTERN, { error: 'an agent id' }), { error: 'a list of agent ids' })
      .default([])
      .describe(
        'Other agents of this gateway this agent may message and read the sessions of. Hardened default: none; a non-empty list needs an exception ' +
          'for control agent-to-agent whose reason explains the flow.',
      ),
    subagents: z
      .boolean({ error: 'true or false' })
      .default(false)
      .describe('Whether the agent may spawn sub-agents (copies of itself with its own tools). Hardened default: false; true needs an exception for control agent-to-agent.'),
    breaker: breakerSchema.default(BREAKER_DEFAULTS),
    automations: z
      .boolean({ error: 'true or false' })
      .default(false)
      .describe(
        'Whether the agent may create scheduled automations (cron jobs) of its own. Hardened default: false (the scheduler is off, heartbeats are off); ' +
          'true needs an exception for control agent-automations.',
      ),
  })
  .describe('One OpenClaw agent: its model, the chat platforms it answers on, and what it may do. Soul and instructions: config/clients/<client>/agents/<id>/SOUL.md and AGENTS.md.');

export const openclawSchema = z
  .strictObject({
    version: z
      .string({ error: 'an OpenClaw version such as "2026.9.6" (quoted)' })
      .refine((v) => v === pinnedOpenclaw(), {
        error: (issue) => {
          const pinned = pinnedOpenclaw();
          return pinned
            ? `the OpenClaw version pinned by ${RUNTIME_LOCKFILE_DISPLAY}: "${pinned}". "${String(issue.input)}" is not what the host installs: ` +
                'pin it there first (lib/openclaw/lockfile.ts says how), then set it here'
            : `a version pinned by ${RUNTIME_LOCKFILE_DISPLAY}, which cannot be read`;
        },
      })
      .describe(
        `OpenClaw version the generated openclaw.json targets; must equal the version ${RUNTIME_LOCKFILE_DISPLAY} pins (the host installs exactly that one).`,
      ),
    plugins: z
      .array(
        z
          .enum(BUNDLED_PLUGIN_IDS, { error: `a plugin bundled with the pinned OpenClaw: ${BUNDLED_PLUGIN_IDS.join(', ')}` })
          .refine((p) => !(p in UNSUPPORTED_PLUGINS), {
            error: (issue) => `a plugin this blueprint supports; "${String(issue.input)}" gives ${UNSUPPORTED_PLUGINS[issue.input as keyof typeof UNSUPPORTED_PLUGINS]}`,
          })
          .refine((p) => !(Object.values(PROVIDER_PLUGINS) as unknown[]).includes(p) && !(Object.values(CHANNEL_PLUGINS) as unknown[]).includes(p), {
            error: 'not a provider or channel plugin: those are enabled by the agents that use them (openclaw.agents.<id>.provider / channels)',
          }),
        { error: 'a list of plugin ids' },
      )
      .describe(
        'Extra bundled OpenClaw plugins the client needs, e.g. document-extract. The plugins of the agents\' providers and channels are added ' +
          'automatically; every other plugin is disabled.',
      ),
    sharedGateways: z
      .record(
        z.string().regex(AGENT_ID_PATTERN, { error: 'a group name of lowercase letters, digits and hyphens, starting with a letter or digit ([a-z0-9][a-z0-9-]*)' }),
        z.array(z.string().regex(AGENT_ID_PATTERN, { error: 'an agent id' }), { error: 'a list of agent ids' }).min(2, { error: 'at least two agents (one agent has its own gateway anyway)' }),
        { error: 'a mapping from group name to the agents that share one gateway' },
      )
      .default({})
      .describe(
        'Named groups of agents that share one gateway process, OS user and gateway token. Hardened default: none, every agent runs in its own ' +
          'gateway (lib/openclaw/gateways.ts); a group needs an exception for control agent-shared-gateway. Agents that message each other ' +
          '(agentToAgent) must share a gateway.',
      ),
    agents: z
      .record(z.string().regex(AGENT_ID_PATTERN, { error: 'an agent id of lowercase letters, digits and hyphens, starting with a letter or digit ([a-z0-9][a-z0-9-]*)' }), agentSchema, {
        error: 'a mapping from agent id to agent',
      })
      .default({})
      .describe('The agents of this client, keyed by id ([a-z0-9-]+). Define them in clients/<client>/client.yaml (base.yaml defines none).'),
  })
  .superRefine((o, ctx) => {
    const ids = Object.keys(o.agents);
    const channelOwner = new Map<string, string>();
    // Gateways (lib/openclaw/gateways.ts): each agent in at most one shared group of defined agents.
    const groupOf = new Map<string, string>();
    for (const [group, members] of Object.entries(o.sharedGateways)) {
      if (ids.includes(group)) {
        ctx.addIssue({ code: 'custom', path: ['sharedGateways', group], message: `a group name that is not an agent id ("${group}" is an agent: gateways are named by agent or group)` });
      }
      members.forEach((agent, i) => {
        if (!ids.includes(agent)) {
          ctx.addIssue({ code: 'custom', path: ['sharedGateways', group, i], message: `an agent of this config (${ids.join(', ')}); "${agent}" is not defined` });
        } else if (groupOf.has(agent)) {
          ctx.addIssue({ code: 'custom', path: ['sharedGateways', group, i], message: `an agent of no other group; "${agent}" already shares gateway "${groupOf.get(agent)}"` });
        } else groupOf.set(agent, group);
      });
    }
    const gatewayOf = (agent: string) => groupOf.get(agent) ?? agent;
    for (const [id, agent] of Object.entries(o.agents)) {
      agent.agentToAgent.forEach((target, i) => {
        if (target === id) {
          ctx.addIssue({ code: 'custom', path: ['agents', id, 'agentToAgent', i], message: 'another agent\'s id; an agent always reaches its own sessions' });
        } else if (!ids.includes(target)) {
          ctx.addIssue({ code: 'custom', path: ['agents', id, 'agentToAgent', i], message: `an agent of this config (${ids.join(', ')}); "${target}" is not defined` });
        } else if (gatewayOf(target) !== gatewayOf(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['agents', id, 'agentToAgent', i],
            message: `an agent of the same gateway; "${target}" runs in its own gateway (agents reach each other only inside one gateway: list both in openclaw.sharedGateways, with an exception for control agent-shared-gateway)`,
          });
        }
      });
      for (const channel of Object.keys(agent.channels)) {
        const owner = channelOwner.get(channel);
        if (owner) {
          ctx.addIssue({
            code: 'custom',
            path: ['agents', id, 'channels', channel],
            message: `a chat platform no other agent uses; ${channel} already routes to agent "${owner}" (one bot account per platform, one agent per account)`,
          });
        } else channelOwner.set(channel, id);
      }
    }
  })
  .describe('The OpenClaw gateway: pinned version, agents and plugins. lib/openclaw/openclaw-json.ts generates openclaw.json from this section.');

export type OpenclawConfig = z.infer<typeof openclawSchema>;
export type AgentConfig = z.infer<typeof agentSchema>;
export type ChannelPolicy = z.infer<typeof channelPolicySchema>;
