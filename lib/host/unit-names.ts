/**
 * The names of the OpenClaw systemd units on the gateway host (all in /etc/systemd/system),
 * of the units their journal export covers, and of the state volume's unit parameters.
 * What each unit does: lib/host/systemd-units.ts.
 */
import type { ResolvedConfig } from '../config/schema';
import { agentGateways, GATEWAY_UNIT_PREFIX, GATEWAYS_TARGET } from '../openclaw/gateways';

/**
 * The gateways' target: every gateway unit (openclaw-gateway@<id>.service, one per
 * AgentGateway) is PartOf= and WantedBy= it, so `systemctl stop` of it stops them all
 * (the kill switch), and `systemctl start` of it starts every gateway not tripped.
 */
export { GATEWAYS_TARGET };
/** The host template every gateway unit is rendered from (host/systemd/openclaw-gateway.service). */
export const GATEWAY_UNIT_TEMPLATE = 'openclaw-gateway.service';
/** The unit of gateway `id`: openclaw-gateway@<id>.service (AgentGateway.unit). */
export const gatewayUnitName = (id: string): string => `${GATEWAY_UNIT_PREFIX}${id}.service`;
export const PREFLIGHT_UNIT = 'openclaw-imds-preflight.service';
export const SECRETS_UNIT = 'openclaw-secrets.service';
/**
 * Attaches the state volume to this host once the previous host let go of it, and mounts it
 * on the state paths (attach-state-volume.sh); the gateway and the spend meter require it.
 */
export const STATE_VOLUME_UNIT = 'openclaw-state-volume.service';
/** How long attach-state-volume.sh waits for the old host to be terminated (seconds). */
export const STATE_VOLUME_ATTACH_TIMEOUT_SECONDS = 1800;
/** The ext4 label of the state volume's file system. */
export const STATE_VOLUME_LABEL = 'openclaw-state';
/** The BootPreflightFailed Step values attach-state-volume.sh publishes, in the order of its steps. */
export const STATE_VOLUME_STEPS = ['StateVolumeAttach', 'StateVolumeDevice', 'StateVolumeFilesystem', 'StateVolumeMount'] as const;
export const INTEGRITY_UNIT = 'openclaw-integrity.service';
export const INTEGRITY_TIMER = 'openclaw-integrity.timer';
/** Started by its timer and by the rotation functions' SSM document (lib/secrets/secrets-refresh-document.ts). */
export const SECRETS_REFRESH_UNIT = 'openclaw-secrets-refresh.service';
export const SECRETS_REFRESH_TIMER = 'openclaw-secrets-refresh.timer';
/** The gateway health check (check-gateway-health.sh) and its timer (every minute). */
export const HEALTH_UNIT = 'openclaw-health.service';
export const HEALTH_TIMER = 'openclaw-health.timer';
/** The audit copies (export-logs.sh: journal export, copy of OpenClaw's log) and their timer (every minute). */
export const LOG_EXPORT_UNIT = 'openclaw-log-export.service';
export const LOG_EXPORT_TIMER = 'openclaw-log-export.timer';
/** The model-spend meter (host/spend-meter/, scripts/spend-meter.js) and its timer (every minute). */
export const SPEND_METER_UNIT = 'openclaw-spend-meter.service';
export const SPEND_METER_TIMER = 'openclaw-spend-meter.timer';
/** The egress proxy's daily log rotation (`squid -k rotate`) and its timer. */
export const PROXY_ROTATE_UNIT = 'openclaw-proxy-rotate.service';
export const PROXY_ROTATE_TIMER = 'openclaw-proxy-rotate.timer';
/** nginx's size-based log rotation (logrotate, lib/host/nginx-log-rotation.ts) and its timer (every minute). */
export const NGINX_ROTATE_UNIT = 'openclaw-nginx-rotate.service';
export const NGINX_ROTATE_TIMER = 'openclaw-nginx-rotate.timer';
/** The SSM agent's own unit (in the AMI): install-bundle.sh gives it the proxy drop-in and restarts it. */
export const SSM_AGENT_UNIT = 'amazon-ssm-agent.service';
/** The CloudWatch agent's own unit (package amazon-cloudwatch-agent): enabled and started by install-bundle.sh. */
export const CLOUDWATCH_AGENT_UNIT = 'amazon-cloudwatch-agent.service';
/**
 * The units whose journal openclaw-log-export copies (the CloudWatch `journal` group), besides
 * each gateway unit (journalUnits adds them): the gateways' target, the proxy (nginx), every OpenClaw helper unit, the firewall, the egress proxy (squid),
 * the CloudWatch agent, and
 * cloud-final (install-bundle.sh's output, its `openclaw-install: FAILED` line included).
 */
export const JOURNAL_EXPORT_UNITS = [
  GATEWAYS_TARGET,
  'nginx.service',
  PREFLIGHT_UNIT,
  SECRETS_UNIT,
  STATE_VOLUME_UNIT,
  SECRETS_REFRESH_UNIT,
  INTEGRITY_UNIT,
  HEALTH_UNIT,
  LOG_EXPORT_UNIT,
  SPEND_METER_UNIT,
  PROXY_ROTATE_UNIT,
  NGINX_ROTATE_UNIT,
  'nftables.service',
  'squid.service',
  CLOUDWATCH_AGENT_UNIT,
  'cloud-final.service',
] as const;

/** Every unit whose journal openclaw-log-export copies: each gateway unit of `config`, then JOURNAL_EXPORT_UNITS. */
export function journalExportUnits(config: ResolvedConfig): string[] {
  return [...agentGateways(config).map((g) => g.unit), ...JOURNAL_EXPORT_UNITS];
}
