/**
 * Where the host files sit in the deployment bundle: the systemd files, host.env, the
 * helper scripts and programs, and the entries the installer and packBundle require.
 */
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE } from '../openclaw/openclaw-config';
import { CLOUDWATCH_AGENT_BUNDLE_PATH } from './cloudwatch-agent';
import { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH } from './cloudwatch-agent-proxy';
import { EGRESS_PROXY_UNIT } from './egress-proxy';
import { SPEND_METER_MANIFEST_BUNDLE_PATH, SPEND_METER_PROGRAM_PATH } from './spend-meter';
import { AGENT_AUDIT_PROGRAM_PATH } from '../audit/agent-audit';
import { GATEWAYS_LIST_BUNDLE_PATH } from './gateways-list';
import {
  GATEWAYS_TARGET,
  HEALTH_TIMER,
  HEALTH_UNIT,
  INTEGRITY_TIMER,
  INTEGRITY_UNIT,
  LOG_EXPORT_TIMER,
  LOG_EXPORT_UNIT,
  PROXY_ROTATE_TIMER,
  PROXY_ROTATE_UNIT,
  NGINX_ROTATE_TIMER,
  NGINX_ROTATE_UNIT,
  PREFLIGHT_UNIT,
  SECRETS_REFRESH_TIMER,
  SECRETS_REFRESH_UNIT,
  SECRETS_UNIT,
  SPEND_METER_TIMER,
  SPEND_METER_UNIT,
  SSM_AGENT_UNIT,
  STATE_VOLUME_UNIT,
} from './unit-names';

/** nginx's log rotation (renderNginxLogRotation), installed as /etc/logrotate.d/nginx, root 0644. */
export const NGINX_LOG_ROTATION_BUNDLE_PATH = 'nginx/logrotate.conf';
/** The SSM agent's proxy drop-in, installed in /etc/systemd/system/amazon-ssm-agent.service.d/. */
export const SSM_AGENT_PROXY_BUNDLE_PATH = `systemd/${SSM_AGENT_UNIT}.d/openclaw-proxy.conf`;
/** The egress proxy's restart drop-in, installed in /etc/systemd/system/squid.service.d/. */
export const EGRESS_PROXY_RESTART_BUNDLE_PATH = `systemd/${EGRESS_PROXY_UNIT}.d/openclaw-restart.conf`;
/** The egress proxy's configuration (renderEgressProxyConfig), installed at EGRESS_PROXY_CONFIG_FILE, root:squid 0640. */
export const EGRESS_PROXY_BUNDLE_PATH = 'squid/squid.conf';
export { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH };

/** The gateways' target (rendered from host/systemd/openclaw-gateways.target). */
export const GATEWAYS_TARGET_BUNDLE_PATH = `systemd/${GATEWAYS_TARGET}`;
/**
 * The bundle folder of the gateways' own files: gateways/<id>/openclaw.json,
 * control-ui-origins.json and exec-approvals.json, installed in AgentGateway.configDir.
 */
export const GATEWAY_FILES_BUNDLE_DIR = 'openclaw/gateways';
/** The files of each gateway in GATEWAY_FILES_BUNDLE_DIR/<id>/ (install-bundle.sh and packBundle require them). */
export const GATEWAY_BUNDLE_FILES = ['openclaw.json', CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE] as const;
export { GATEWAYS_LIST_BUNDLE_PATH };

/**
 * Relative render path -> template under host/ (same relative path): the files rendered
 * once per host. Each gateway's unit (systemd/openclaw-gateway@<id>.service, from
 * host/systemd/openclaw-gateway.service) and the target are rendered beside them.
 */
export const SYSTEMD_FILES = [
  `systemd/${PREFLIGHT_UNIT}`,
  `systemd/${SECRETS_UNIT}`,
  `systemd/${STATE_VOLUME_UNIT}`,
  `systemd/${INTEGRITY_UNIT}`,
  `systemd/${INTEGRITY_TIMER}`,
  `systemd/${SECRETS_REFRESH_UNIT}`,
  `systemd/${SECRETS_REFRESH_TIMER}`,
  `systemd/${HEALTH_UNIT}`,
  `systemd/${HEALTH_TIMER}`,
  `systemd/${LOG_EXPORT_UNIT}`,
  `systemd/${LOG_EXPORT_TIMER}`,
  `systemd/${SPEND_METER_UNIT}`,
  `systemd/${SPEND_METER_TIMER}`,
  `systemd/${PROXY_ROTATE_UNIT}`,
  `systemd/${PROXY_ROTATE_TIMER}`,
  `systemd/${NGINX_ROTATE_UNIT}`,
  `systemd/${NGINX_ROTATE_TIMER}`,
  'systemd/nginx.service.d/openclaw.conf',
  'systemd/tmpfiles.d/openclaw.conf',
  SSM_AGENT_PROXY_BUNDLE_PATH,
  EGRESS_PROXY_RESTART_BUNDLE_PATH,
] as const;
/** host.env, rendered from host/systemd/host.env; installed at HOST_ENV_FILE. */
export const HOST_ENV_PATH = 'openclaw/host.env';
/** The helper scripts (host/scripts/) that travel in the bundle, installed 0755 root in HOST_PATHS.libexecDir. */
export const HELPER_SCRIPT_FILES = [
  'scripts/imds-preflight.sh',
  'scripts/check-agent-files.sh',
  'scripts/fetch-secrets.sh',
  'scripts/refresh-secrets.sh',
  'scripts/check-gateway-health.sh',
  'scripts/export-logs.sh',
  'scripts/attach-state-volume.sh',
  'scripts/prepare-state.sh',
  'scripts/start-egress-proxy.sh',
  'scripts/install-gateways.sh',
  'scripts/record-clean-stop.sh',
  'scripts/run-gateway-probes.sh',
] as const;
/** The gateway probe (host/gateway-probe/, bundled), installed root 0644 in HOST_PATHS.libexecDir and run by run-gateway-probes.sh with Node 24. */
export const GATEWAY_PROBE_PROGRAM_PATH = 'scripts/gateway-probe.js';
/** The retrieval program (host/fetch-secrets/, bundled), installed root 0644 in HOST_PATHS.libexecDir and run by Node 24. */
export const FETCH_SECRETS_PROGRAM_PATH = 'scripts/fetch-secrets.js';
/** The secrets manifest (renderSecretsManifest), installed root 0644 at SECRETS_MANIFEST_PATH. */
export const SECRETS_MANIFEST_BUNDLE_PATH = 'openclaw/secrets-manifest.json';
/**
 * Bundle entries that install-bundle.sh requires (it fails naming the first one
 * missing; its list is @@BUNDLE_REQUIRED_FILES@@, rendered from this one) and that
 * packBundle refuses to pack without. Besides these, each gateway of GATEWAYS_LIST_BUNDLE_PATH
 * needs its unit and its GATEWAY_BUNDLE_FILES (both check that too).
 */
export const BUNDLE_REQUIRED_FILES = [
  GATEWAYS_LIST_BUNDLE_PATH,
  GATEWAYS_TARGET_BUNDLE_PATH,
  'openclaw/package.json',
  'openclaw/package-lock.json',
  'agents.sha256',
  HOST_ENV_PATH,
  'nginx/nginx.conf',
  'nginx/openclaw/allowed-origins.map.conf',
  NGINX_LOG_ROTATION_BUNDLE_PATH,
  'nftables/openclaw.nft',
  EGRESS_PROXY_BUNDLE_PATH,
  ...SYSTEMD_FILES,
  ...HELPER_SCRIPT_FILES,
  FETCH_SECRETS_PROGRAM_PATH,
  SPEND_METER_PROGRAM_PATH,
  AGENT_AUDIT_PROGRAM_PATH,
  GATEWAY_PROBE_PROGRAM_PATH,
  SECRETS_MANIFEST_BUNDLE_PATH,
  SPEND_METER_MANIFEST_BUNDLE_PATH,
  CLOUDWATCH_AGENT_BUNDLE_PATH,
  CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH,
] as const;
