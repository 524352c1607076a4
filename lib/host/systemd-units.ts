/**
 * The unit renderers: the systemd side of the gateway host, rendered from the real
 * files under host/systemd/ (units, the nginx drop-in, tmpfiles.d, host.env) with
 * the placeholder engine (lib/host/template.ts) and the config's values
 * (lib/host/template-values.ts); the gateway unit is refused unless its sandbox
 * holds (lib/host/unit-sandbox.ts). The unit names: lib/host/unit-names.ts.
 *
 * Units (all in /etc/systemd/system):
 *   openclaw-imds-preflight.service  oneshot: IMDSv2 token + role credentials, or fail naming the step
 *   openclaw-secrets.service         oneshot: the secrets step writes the secret files (see GATEWAY_TOKEN_FILE)
 *   openclaw-state-volume.service    oneshot: attaches the state volume and mounts it on the state paths
 *   openclaw-gateway.service         the gateway, sandboxed; requires the three above. Imports the exec
 *                                    approvals before every start (ExecStartPre), refuses to start
 *                                    without every secret file (AssertFileNotEmpty=), and sees each
 *                                    agent file read-only in its agent's workspace (BindReadOnlyPaths=)
 *   openclaw-integrity.service/.timer  agent files read-only and matching their manifest, boot + every 15 min
 *   openclaw-secrets-refresh.service/.timer  re-reads the secrets (every 15 min, and on rotation through
 *                                    SSM): reloads nginx on a new origin-verify value, restarts the
 *                                    gateway on a new token or agent key
 *   openclaw-health.service/.timer   the gateway answers on loopback and nginx listens, every minute:
 *                                    GatewayHealthy (1 or 0; lib/shared/metric-names.ts)
 *   openclaw-log-export.service/.timer  the root-owned, append-only audit copies that the CloudWatch
 *                                    agent ships (lib/host/cloudwatch-agent.ts), every minute
 *   openclaw-spend-meter.service/.timer  the model spend of the day and month from OpenClaw's usage
 *                                    records, every minute, as root (lib/host/spend-meter.ts)
 */
import type { ResolvedConfig } from '../config/schema';
import { agentFileBindMounts, listAgentFiles } from '../openclaw/agent-files';
import { openclawSecretFiles } from '../openclaw/secret-files';
import { agentGateways } from '../openclaw/gateways';
import { HOST_ENV_PATH, SYSTEMD_FILES } from './bundle-layout';
import { renderHostTemplate } from './template-values';
import { GATEWAY_UNIT } from './unit-names';
import { gatewayUnitProblems, type GatewayUnitExpectations } from './unit-sandbox';


/** A path in a unit setting that systemd reads without quoting: absolute, no spaces, quotes, `:` or `$`. */
const UNIT_PATH = /^\/[A-Za-z0-9_./+@-]+$/;

/**
 * The agent-file bind mounts and secret files of a config's gateway unit: one
 * BindReadOnlyPaths= per agent file of `<configDir>/clients/<client>/agents/`
 * (listAgentFiles), one AssertFileNotEmpty= per secret file (openclawSecretFiles).
 */
export function gatewayUnitExpectations(config: ResolvedConfig, configDir: string): GatewayUnitExpectations {
  // Bridge until each gateway has its own unit (H2): every gateway's mounts and secret files.
  const files = listAgentFiles(config, configDir);
  const bindMounts = agentGateways(config).flatMap((g) => agentFileBindMounts(files, g));
  const secretFiles = agentGateways(config).flatMap((g) => openclawSecretFiles(config, g).map((s) => s.path));
  // Each part absolute and without ':' (UNIT_PATH), so a mount of three parts has a relative one and is refused.
  for (const p of [...bindMounts.flatMap((m) => m.split(':')), ...secretFiles]) {
    if (!UNIT_PATH.test(p)) throw new Error(`gateway unit: unsafe path ${JSON.stringify(p)}`);
  }
  return { bindMounts, secretFiles };
}

/**
 * The rendered systemd files and host.env, keyed by their path in the
 * deployment bundle ('systemd/openclaw-gateway.service', ..., 'openclaw/host.env').
 * `configDir` is the config folder (the one loadConfig read): the gateway unit
 * gets one BindReadOnlyPaths= per agent file under
 * `<configDir>/clients/<client>/agents/`. Throws when the gateway unit is not as
 * designed, or the agent files are not (listAgentFiles).
 */
export function renderSystemdFiles(config: ResolvedConfig, configDir: string): Record<string, string> {
  const expected = gatewayUnitExpectations(config, configDir);
  const gatewayValues = {
    AGENT_FILE_BIND_MOUNTS: expected.bindMounts.map((m) => `BindReadOnlyPaths=${m}`).join('\n'),
    SECRET_FILE_ASSERTS: expected.secretFiles.map((f) => `AssertFileNotEmpty=${f}`).join('\n'),
  };
  const files: Record<string, string> = {};
  for (const rel of SYSTEMD_FILES) files[rel] = renderHostTemplate(config, rel, gatewayValues);
  files[HOST_ENV_PATH] = renderHostTemplate(config, 'systemd/host.env');
  const problems = gatewayUnitProblems(files[`systemd/${GATEWAY_UNIT}`]!, expected);
  if (problems.length) throw new Error(`host/systemd/${GATEWAY_UNIT}: sandbox weakened:\n  - ${problems.join('\n  - ')}`);
  return files;
}
