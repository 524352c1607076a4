/**
 * One trust boundary per agent: the gateway processes of one client x environment.
 * Pure: no file system, no clock. Every renderer that needs "which gateway, which
 * user, which port, which folder" asks this module, so the systemd units, the
 * openclaw.json files, the secrets manifest, nginx, squid and nftables agree.
 *
 * By default each agent runs in its own gateway (OpenClaw's trust model: one trust
 * boundary per gateway; "adversarial-user isolation needs separate gateways, and
 * ideally separate OS users"). openclaw.sharedGateways may name a group of agents
 * that share one gateway, a weakening that needs an exception for control
 * agent-shared-gateway (lib/config/hardened-controls.ts).
 *
 * Per gateway `<id>` (the agent id, or the shared group's name), on the host:
 *   OS user and group           openclaw-<id>       (system user, no login, no home)
 *   systemd unit                openclaw-gateway@<id>.service (PartOf= openclaw-gateways.target)
 *   port on 127.0.0.1           edge.gatewayPort + n  (n: index in id order)
 *   egress proxy port           GATEWAY_PROXY_BASE_PORT + n on 127.0.0.1 (squid; nftables lets only
 *                               this gateway's user connect to it, and squid allows only the
 *                               domains of this gateway's agents' providers and platforms)
 *   URL path at the edge        /agents/<id>/ (nginx routes it; OpenClaw's controlUi.basePath)
 *   config folder               /etc/openclaw/gateways/<id>/ (openclaw.json, control-ui-origins.json,
 *                               exec-approvals.json), owned by the user, 0400 files, mounted read-only
 *   state                       /var/lib/openclaw/<id>/ (on the state volume), user 0700
 *   workspaces                  /var/lib/openclaw/<id>/workspaces/<agent>
 *   secret files                /run/openclaw/secrets/<id>/ (tmpfs), user 0700: gateway-token and
 *                               agent-<agent>.json of each of its agents, user 0400
 *   log                         /var/log/openclaw/<id>/openclaw.log, user 0750 folder
 */
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { HOST_PATHS } from '../host/paths';

const join = (...parts: string[]) => path.posix.join(...parts);

/** Prefix of every gateway's OS user: openclaw-<gateway id>. */
export const GATEWAY_USER_PREFIX = 'openclaw-';
/** Longest Linux user name useradd accepts (32); the gateway id gets what the prefix leaves. */
export const MAX_USER_NAME_LENGTH = 32;
export const MAX_GATEWAY_ID_LENGTH = MAX_USER_NAME_LENGTH - GATEWAY_USER_PREFIX.length;
/** The systemd template's name: openclaw-gateway@<id>.service. */
export const GATEWAY_UNIT_PREFIX = 'openclaw-gateway@';
/** Every gateway unit is PartOf= and WantedBy= this target: stopping it stops them all (the kill switch). */
export const GATEWAYS_TARGET = 'openclaw-gateways.target';
/** The first per-gateway egress proxy port (squid, 127.0.0.1); 3128 stays the host's own proxy port. */
export const GATEWAY_PROXY_BASE_PORT = 3129;
/** How many gateways one host may run: the per-gateway port ranges are sized for it. */
export const MAX_GATEWAYS = 16;
/** The edge path prefix of every gateway: /agents/<id>/. */
export const GATEWAY_PATH_PREFIX = '/agents';

/** The config folder of every gateway: /etc/openclaw/gateways/<id>. */
export const GATEWAYS_CONFIG_DIR = join(HOST_PATHS.configDir, 'gateways');

/** One gateway process and everything that is its own. */
export interface AgentGateway {
  /** The agent id, or the name of the shared group (openclaw.sharedGateways). */
  readonly id: string;
  /** The agents it runs, sorted (one, unless shared). */
  readonly agents: readonly string[];
  /** True for a shared group (a weakening, with its exception). */
  readonly shared: boolean;
  /** Its OS user and group. */
  readonly user: string;
  /** openclaw-gateway@<id>.service */
  readonly unit: string;
  /** The gateway's port on 127.0.0.1 (gateway.port of its openclaw.json). */
  readonly port: number;
  /** Its egress proxy port on 127.0.0.1 (its openclaw.json proxy.proxyUrl). */
  readonly proxyPort: number;
  /** Its path at the edge, without the trailing slash: /agents/<id> (gateway.controlUi.basePath). */
  readonly basePath: string;
  readonly configDir: string;
  readonly configFile: string;
  readonly controlUiOriginsFile: string;
  readonly execApprovalsFile: string;
  readonly stateDir: string;
  readonly workspacesDir: string;
  readonly secretsDir: string;
  readonly tokenFile: string;
  readonly logDir: string;
  readonly logFile: string;
}

/** Group name -> agents of openclaw.sharedGateways (empty without the weakening). */
const sharedGroups = (config: ResolvedConfig): Record<string, readonly string[]> => config.openclaw.sharedGateways;

/** The gateway of one id, at index `n` of the host's gateways. */
export function gatewayAt(config: ResolvedConfig, id: string, agents: readonly string[], n: number, shared: boolean): AgentGateway {
  const configDir = join(GATEWAYS_CONFIG_DIR, id);
  const stateDir = join(HOST_PATHS.stateDir, id);
  const secretsDir = join(HOST_PATHS.secretsDir, id);
  const logDir = join(HOST_PATHS.logDir, id);
  return {
    id,
    agents: [...agents].sort(),
    shared,
    user: `${GATEWAY_USER_PREFIX}${id}`,
    unit: `${GATEWAY_UNIT_PREFIX}${id}.service`,
    port: config.edge.gatewayPort + n,
    proxyPort: GATEWAY_PROXY_BASE_PORT + n,
    basePath: `${GATEWAY_PATH_PREFIX}/${id}`,
    configDir,
    configFile: join(configDir, 'openclaw.json'),
    controlUiOriginsFile: join(configDir, 'control-ui-origins.json'),
    execApprovalsFile: join(configDir, 'exec-approvals.json'),
    stateDir,
    workspacesDir: join(stateDir, 'workspaces'),
    secretsDir,
    tokenFile: join(secretsDir, 'gateway-token'),
    logDir,
    logFile: join(logDir, 'openclaw.log'),
  };
}

/**
 * The gateways of a config, in id order: one per agent, except the agents of a
 * shared group, which share the group's gateway. Ports and proxy ports follow
 * that order.
 */
export function agentGateways(config: ResolvedConfig): AgentGateway[] {
  return gatewayMembers(Object.keys(config.openclaw.agents), sharedGroups(config)).map(({ id, agents, shared }, n) => gatewayAt(config, id, agents, n, shared));
}

/** One gateway's id and agents, before it gets its ports and folders. */
export interface GatewayMembers {
  /** The agent id, or the name of the shared group. */
  readonly id: string;
  /** The agents it runs. */
  readonly agents: readonly string[];
  /** Whether it is a shared group (openclaw.sharedGateways). */
  readonly shared: boolean;
}

/**
 * The gateways of these agents and shared groups, in id order (the order
 * agentGateways numbers them in): each agent not in a group alone, each group
 * together. Also what the config check derives the gateway names from.
 */
export function gatewayMembers(agentIds: readonly string[], groups: Readonly<Record<string, readonly string[]>>): GatewayMembers[] {
  const grouped = new Set(Object.values(groups).flat());
  const entries: GatewayMembers[] = [
    ...agentIds.filter((a) => !grouped.has(a)).map((a) => ({ id: a, agents: [a], shared: false })),
    ...Object.entries(groups).map(([g, agents]) => ({ id: g, agents, shared: true })),
  ];
  return entries.sort(({ id: a }, { id: b }) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The gateway that runs `agent`. Throws for an agent the config does not define. */
export function gatewayOfAgent(config: ResolvedConfig, agent: string): AgentGateway {
  const gateway = agentGateways(config).find((g) => g.agents.includes(agent));
  if (!gateway) throw new Error(`no agent "${agent}" in openclaw.agents of ${config.client}/${config.env}`);
  return gateway;
}

/** The gateway of id `id`. Throws for an id the config does not define. */
export function gatewayById(config: ResolvedConfig, id: string): AgentGateway {
  const gateway = agentGateways(config).find((g) => g.id === id);
  if (!gateway) throw new Error(`no gateway "${id}" in ${config.client}/${config.env} (gateways: ${agentGateways(config).map((g) => g.id).join(', ')})`);
  return gateway;
}
