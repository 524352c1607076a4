import { GOVERNANCE_ENVIRONMENTS } from '../audit/audit-config';
import type { DeploymentConfig } from './schema';

/**
 * Identifiers of the hardened defaults a client may weaken, each only with an
 * approved, unexpired entry in `exceptions`. The schema's
 * `exceptions[].control` enum is this list.
 */
export const HARDENED_CONTROL_IDS = [
  'data-retention',
  'agent-exec-unrestricted',
  'agent-elevated',
  'agent-to-agent',
  'agent-automations',
  'agent-channel-open',
  'agent-shared-gateway',
  'viewer-tls-default-certificate',
] as const;

export type HardenedControlId = (typeof HARDENED_CONTROL_IDS)[number];

/** A hardened default and how to tell that a merged config weakens it. */
export interface HardenedControl {
  /** The control's id, as exceptions name it. */
  readonly id: HardenedControlId;
  /** Dotted key path of the setting that carries the control. */
  readonly path: string;
  /** What the control protects, for messages and the compliance report. */
  readonly title: string;
  /** True when the merged config of environment `env` weakens this control. */
  readonly isWeakened: (config: DeploymentConfig & { readonly env: string }) => boolean;
}

/**
 * Environments that are not production: dev and staging (the same list that
 * picks GOVERNANCE-mode Object Lock). Every other environment is production.
 */
export const isProductionEnv = (env: string) => !(GOVERNANCE_ENVIRONMENTS as readonly string[]).includes(env);

const agents = (config: DeploymentConfig) => Object.values(config.openclaw.agents);

const DEFINITIONS: { readonly [id in HardenedControlId]: Omit<HardenedControl, 'id'> } = {
  'data-retention': {
    path: 'dataProtection.retainOnDelete',
    title: 'Keys, secrets and log data are retained when a stack is deleted',
    isWeakened: (config) => !config.dataProtection.retainOnDelete,
  },
  'agent-exec-unrestricted': {
    path: 'openclaw.agents',
    title: 'Agents run host commands only from an explicit allowlist (openclaw.agents.<id>.tools.exec.mode deny or allowlist; ask, auto and full are unrestricted)',
    isWeakened: (config) => agents(config).some((a) => a.tools.exec.mode !== 'deny' && a.tools.exec.mode !== 'allowlist'),
  },
  'agent-elevated': {
    path: 'openclaw.agents',
    title: 'No agent has elevated exec, which bypasses every tool restriction (openclaw.agents.<id>.tools.elevated false)',
    isWeakened: (config) => agents(config).some((a) => a.tools.elevated),
  },
  'agent-to-agent': {
    path: 'openclaw.agents',
    title: 'Agents neither message each other nor spawn sub-agents (openclaw.agents.<id>.agentToAgent empty, subagents false)',
    isWeakened: (config) => agents(config).some((a) => a.agentToAgent.length > 0 || a.subagents),
  },
  'agent-automations': {
    path: 'openclaw.agents',
    title: 'Agents create no scheduled automations of their own; the scheduler and heartbeats are off (openclaw.agents.<id>.automations false)',
    isWeakened: (config) => agents(config).some((a) => a.automations),
  },
  'agent-channel-open': {
    path: 'openclaw.agents',
    title: 'Only allowlisted or operator-paired senders reach an agent on a chat platform (openclaw.agents.<id>.channels.<platform>.dmPolicy and groupPolicy not open)',
    isWeakened: (config) => agents(config).some((a) => Object.values(a.channels).some((c) => c.dmPolicy === 'open' || c.groupPolicy === 'open')),
  },
  'agent-shared-gateway': {
    path: 'openclaw.sharedGateways',
    title:
      'Every agent runs in its own gateway process, as its own OS user, with its own gateway token, secret files and egress allowlist ' +
      '(openclaw.sharedGateways empty; a shared gateway is one trust boundary for all its agents)',
    isWeakened: (config) => Object.keys(config.openclaw.sharedGateways).length > 0,
  },
  'viewer-tls-default-certificate': {
    path: 'edge.customDomain',
    title:
      'Production viewers connect with TLS 1.2 or later: a custom domain with its us-east-1 ACM certificate (edge.customDomain) puts ' +
      'CloudFront on the TLSv1.2_2021 security policy; the default *.cloudfront.net certificate is fixed by AWS at TLSv1',
    isWeakened: (config) => isProductionEnv(config.env) && config.edge.customDomain === undefined,
  },
};

export const HARDENED_CONTROLS: readonly HardenedControl[] = HARDENED_CONTROL_IDS.map((id) => ({ id, ...DEFINITIONS[id] }));
