/**
 * The unit renderers: the systemd side of the gateway host, rendered from the real
 * files under host/systemd/ (units, the nginx drop-in, tmpfiles.d, host.env) with
 * the placeholder engine (lib/host/template.ts) and the config's values
 * (lib/host/template-values.ts). One gateway unit per gateway of the config
 * (lib/openclaw/gateways.ts), each refused unless its sandbox holds
 * (lib/host/unit-sandbox.ts). The unit names: lib/host/unit-names.ts.
 *
 * Units (all in /etc/systemd/system):
 *   openclaw-imds-preflight.service  oneshot: IMDSv2 token + role credentials, or fail naming the step
 *   openclaw-secrets.service         oneshot: the secrets step writes every gateway's secret files
 *   openclaw-state-volume.service    oneshot: attaches the state volume and mounts it on the state paths
 *   openclaw-gateways.target         every gateway unit is PartOf= and WantedBy= it (the kill switch stops it)
 *   openclaw-gateway@<id>.service    one per gateway, an instance file rendered from
 *                                    host/systemd/openclaw-gateway.service: its own user, folders,
 *                                    port and proxy, sandboxed; requires the three oneshots. Imports
 *                                    its exec approvals before every start (ExecStartPre), refuses to
 *                                    start without each of its secret files (AssertFileNotEmpty=),
 *                                    sees each of its agents' files read-only in that agent's
 *                                    workspace (BindReadOnlyPaths=), and does not start while its
 *                                    breaker's marker exists (ConditionPathExists=!)
 *   openclaw-integrity.service/.timer  agent files read-only and matching their manifest, boot + every 15 min
 *   openclaw-secrets-refresh.service/.timer  re-reads the secrets (every 15 min, and on rotation through
 *                                    SSM): reloads nginx on a new origin-verify value, restarts the
 *                                    gateway whose token or agent key changed (only that one)
 *   openclaw-health.service/.timer   a gateway answers on loopback and nginx listens, every minute:
 *                                    GatewayHealthy (1 or 0; lib/shared/metric-names.ts)
 *   openclaw-log-export.service/.timer  the root-owned, append-only audit copies that the CloudWatch
 *                                    agent ships (lib/host/cloudwatch-agent.ts), every minute
 *   openclaw-spend-meter.service/.timer  the model spend of the day and month from OpenClaw's usage
 *                                    records, every minute, as root (lib/host/spend-meter.ts)
 */
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { agentFileBindMounts, listAgentFiles } from '../openclaw/agent-files';
import { agentGateways, type AgentGateway } from '../openclaw/gateways';
import { openclawSecretFiles } from '../openclaw/secret-files';
import { GATEWAYS_TARGET_BUNDLE_PATH, HOST_ENV_PATH, SYSTEMD_FILES } from './bundle-layout';
import { HOST_PATHS } from './paths';
import { gatewayTemplateValues, renderHostTemplate } from './template-values';
import { GATEWAY_UNIT_TEMPLATE } from './unit-names';
import { gatewayUnitProblems, type GatewayUnitExpectations } from './unit-sandbox';

/** A path in a unit setting that systemd reads without quoting: absolute, no spaces, quotes, `:` or `$`. */
const UNIT_PATH = /^\/[A-Za-z0-9_./+@-]+$/;

/** The bundle path of a gateway's unit: systemd/openclaw-gateway@<id>.service. */
export const gatewayUnitBundlePath = (gateway: AgentGateway): string => `systemd/${gateway.unit}`;

/**
 * The agent-file bind mounts, agent-file folders and secret files of one gateway's unit:
 * one BindReadOnlyPaths= per file of its agents in `<configDir>/clients/<client>/agents/`
 * (listAgentFiles), shown in that agent's workspace under the gateway's state; one
 * ReadOnlyPaths= entry per agent folder; one AssertFileNotEmpty= per secret file of the
 * gateway (its token and its agents' documents, in its own secrets folder).
 */
export function gatewayUnitExpectations(config: ResolvedConfig, configDir: string, gateway: AgentGateway): GatewayUnitExpectations {
  const bindMounts = agentFileBindMounts(listAgentFiles(config, configDir), gateway);
  const secretFiles = openclawSecretFiles(config, gateway).map((s) => s.path);
  const agentFilesDirs = gateway.agents.map((a) => path.posix.join(HOST_PATHS.agentFilesDir, a));
  // Each part absolute and without ':' (UNIT_PATH), so a mount of three parts has a relative one and is refused.
  for (const p of [...bindMounts.flatMap((m) => m.split(':')), ...secretFiles, ...agentFilesDirs]) {
    if (!UNIT_PATH.test(p)) throw new Error(`gateway unit ${gateway.unit}: unsafe path ${JSON.stringify(p)}`);
  }
  return { bindMounts, secretFiles, agentFilesDirs };
}

/**
 * The unit of one gateway, rendered from host/systemd/openclaw-gateway.service. Throws
 * when its sandbox is not as designed (gatewayUnitProblems), naming the unit.
 */
export function renderGatewayUnit(config: ResolvedConfig, configDir: string, gateway: AgentGateway): string {
  const expected = gatewayUnitExpectations(config, configDir, gateway);
  const text = renderHostTemplate(config, `systemd/${GATEWAY_UNIT_TEMPLATE}`, {
    ...gatewayTemplateValues(gateway, expected.agentFilesDirs),
    AGENT_FILE_BIND_MOUNTS: expected.bindMounts.map((m) => `BindReadOnlyPaths=${m}`).join('\n'),
    SECRET_FILE_ASSERTS: expected.secretFiles.map((f) => `AssertFileNotEmpty=${f}`).join('\n'),
  });
  const problems = gatewayUnitProblems(text, gateway, expected);
  if (problems.length) throw new Error(`${gateway.unit} (host/systemd/${GATEWAY_UNIT_TEMPLATE}): sandbox weakened:\n  - ${problems.join('\n  - ')}`);
  return text;
}

/**
 * The rendered systemd files and host.env, keyed by their path in the deployment
 * bundle ('systemd/openclaw-gateway@<id>.service' per gateway, 'systemd/openclaw-gateways.target',
 * ..., 'openclaw/host.env'). `configDir` is the config folder (the one loadConfig read):
 * each gateway unit gets one BindReadOnlyPaths= per file of its agents under
 * `<configDir>/clients/<client>/agents/`. Throws when the unit of any gateway is not as
 * designed, or the agent files are not (listAgentFiles).
 */
export function renderSystemdFiles(config: ResolvedConfig, configDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const gateway of agentGateways(config)) files[gatewayUnitBundlePath(gateway)] = renderGatewayUnit(config, configDir, gateway);
  files[GATEWAYS_TARGET_BUNDLE_PATH] = renderHostTemplate(config, GATEWAYS_TARGET_BUNDLE_PATH);
  for (const rel of SYSTEMD_FILES) files[rel] = renderHostTemplate(config, rel);
  files[HOST_ENV_PATH] = renderHostTemplate(config, 'systemd/host.env');
  return files;
}
