/**
 * OpenClaw: what openclaw.json needs beyond the schema (the version the
 * lockfile pins, at least one agent, every agent's provider and chat platforms
 * in the egress allowlist). The renderer (lib/openclaw/openclaw-json.ts) runs
 * the same checks and throws without file names; checkOpenclawConfig locates
 * them in the config files, so synth stops before anything is generated.
 */
import type { CHANNELS } from '../../network/config-schema';
import { agentGateways, GATEWAY_USER_PREFIX, MAX_GATEWAY_ID_LENGTH, MAX_GATEWAYS, MAX_USER_NAME_LENGTH } from '../../openclaw/gateways';
import { pinnedRuntime, RUNTIME_LOCKFILE_DISPLAY } from '../../openclaw/lockfile';
import type { ConfigProblem } from '../errors';
import { formatPath } from '../key-path';
import { originOf, type MergedConfig } from '../merge';
import type { ResolvedConfig } from '../schema';

type Channel = (typeof CHANNELS)[number];

/** A problem that makes a config unrenderable (pinned version, egress allowlist, agents), without its file. */
export interface OpenclawConfigProblem {
  /** Key path of the offending value, e.g. ['openclaw', 'agents', 'helper', 'provider']. */
  readonly path: (string | number)[];
  /** What is wrong and how to fix it; egress problems name both keys. */
  readonly message: string;
}

/**
 * Cross-section checks the zod schema cannot make on its own: every agent's
 * provider and chat platforms must be in the egress allowlist
 * (network.egress), or the DNS firewall blocks them at runtime.
 */
export function checkOpenclawEgress(config: ResolvedConfig): OpenclawConfigProblem[] {
  const problems: OpenclawConfigProblem[] = [];
  const egress = config.network.egress;
  for (const [id, agent] of Object.entries(config.openclaw.agents)) {
    if (!egress.providers.includes(agent.provider)) {
      problems.push({
        path: ['openclaw', 'agents', id, 'provider'],
        message:
          `provider "${agent.provider}" is not in network.egress.providers [${egress.providers.join(', ')}]: the gateway could not reach its API. ` +
          `Add ${agent.provider} to network.egress.providers, or pick a provider that is there`,
      });
    }
    for (const channel of Object.keys(agent.channels) as Channel[]) {
      if (!egress.channels.includes(channel)) {
        problems.push({
          path: ['openclaw', 'agents', id, 'channels', channel],
          message:
            `chat platform "${channel}" is not in network.egress.channels [${egress.channels.join(', ')}]: the gateway could not reach its API. ` +
            `Add ${channel} to network.egress.channels, or remove it from the agent`,
        });
      }
    }
  }
  return problems;
}

/**
 * checkOpenclawEgress located like every other config problem: the file and
 * line that set the offending value (pass LoadedConfig.merged). Meant to run
 * right after loadConfig, so synth stops before anything is generated; the
 * generator runs the same check and throws without file names.
 */
export function checkOpenclawConfig(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  return openclawRenderabilityProblems(config).map((p) => {
    const origin = originOf(merged, p.path);
    return { file: origin?.file, line: origin?.line, path: formatPath(p.path), message: p.message };
  });
}

/** Everything that stops openclaw.json from being generated: pinned version, egress, agents. */
export function openclawRenderabilityProblems(config: ResolvedConfig): OpenclawConfigProblem[] {
  const pinned = pinnedRuntime().openclaw;
  const problems: OpenclawConfigProblem[] = [];
  if (config.openclaw.version !== pinned) {
    problems.push({
      path: ['openclaw', 'version'],
      message: `"${config.openclaw.version}" is not the version ${RUNTIME_LOCKFILE_DISPLAY} pins ("${pinned}"); the host would run another OpenClaw than this config is generated for`,
    });
  }
  problems.push(...checkOpenclawEgress(config), ...checkGatewayLimits(config));
  if (Object.keys(config.openclaw.agents).length === 0) {
    problems.push({ path: ['openclaw', 'agents'], message: 'no agents: define at least one under openclaw.agents in clients/<client>/client.yaml' });
  }
  return problems;
}

/**
 * What one host's gateways need (lib/openclaw/gateways.ts): each gateway id short enough
 * to name its OS user, and at most MAX_GATEWAYS of them (the per-gateway port ranges).
 */
export function checkGatewayLimits(config: ResolvedConfig): OpenclawConfigProblem[] {
  const gateways = agentGateways(config);
  const problems: OpenclawConfigProblem[] = gateways
    .filter((g) => g.id.length > MAX_GATEWAY_ID_LENGTH)
    .map((g) => ({
      path: g.shared ? ['openclaw', 'sharedGateways', g.id] : ['openclaw', 'agents', g.id],
      message:
        `found gateway id "${g.id}" (${g.id.length} characters); expected at most ${MAX_GATEWAY_ID_LENGTH}: it names the gateway's OS user ` +
        `${GATEWAY_USER_PREFIX}<id>, and Linux user names have at most ${MAX_USER_NAME_LENGTH} characters. Shorten the ${g.shared ? 'group' : 'agent'} name`,
    }));
  if (gateways.length > MAX_GATEWAYS) {
    problems.push({
      path: ['openclaw', 'agents'],
      message: `found ${gateways.length} gateways; expected at most ${MAX_GATEWAYS} on one host (one per agent, one per shared group): split the client's agents over environments or share gateways (openclaw.sharedGateways)`,
    });
  }
  return problems;
}
