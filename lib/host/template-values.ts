/**
 * The values of the placeholders of the host templates (lib/host/template.ts), taken
 * from lib/host/paths.ts and from the config, and renderHostTemplate, which fills a
 * template under host/ with them.
 */
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { IMDS_ADDRESS } from './nftables-rules';
import { gatewayUsesInstanceCredentials } from './instance-credentials';
import { CLOUDWATCH_AGENT_BUNDLE_PATH, GATEWAY_LOG_COPY_FILE, JOURNAL_EXPORT_FILE } from './cloudwatch-agent';
import { HOST_LOG_FILES } from './log-files';
import { HOST_PATHS } from './paths';
import { deploymentName, hostMetricNamespace } from '../shared/naming';
import { ORIGIN_VERIFY_MAP_PATH, SECRETS_MANIFEST_PATH } from '../secrets/secrets-manifest';
import { SPEND_METER_MANIFEST_PATH } from './spend-meter';
import { GATEWAY_HEAP_ARG, GATEWAY_MEMORY_MAX } from './gateway-sizing';
import { BUNDLE_REQUIRED_FILES, EGRESS_PROXY_BUNDLE_PATH, EGRESS_PROXY_RESTART_BUNDLE_PATH, NGINX_LOG_ROTATION_BUNDLE_PATH, SSM_AGENT_PROXY_BUNDLE_PATH } from './bundle-layout';
import { EGRESS_NO_PROXY, EGRESS_PROXY_CONFIG_FILE, EGRESS_PROXY_UNIT, EGRESS_PROXY_URL, EGRESS_PROXY_USER } from './egress-proxy';
import { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH, CLOUDWATCH_AGENT_PROXY_FILE } from './cloudwatch-agent-proxy';
import { CONTROL_UI_ORIGINS_HOST_FILE, EXEC_APPROVALS_HOST_FILE, GATEWAYS_LIST_HOST_FILE, GATEWAY_TOKEN_FILE, HOST_ENV_FILE } from './host-file-paths';
import { CHANNELS_DOWN_METRIC, DISK_HEADROOM_METRIC, EGRESS_HEALTH_METRIC, GATEWAY_HEALTH_METRIC, MEMORY_HEADROOM_METRIC, SECRET_RETRIEVAL_METRIC } from '../shared/metric-names';
import { HEADROOM_MIN_PERCENT } from '../alarms/alarm-catalogue';
import { agentGateways, type AgentGateway } from '../openclaw/gateways';
import { gatewayProxyUrl } from '../openclaw/openclaw-json';
import { BREAKER_MARKER_DIR, breakerMarkerFile } from './paths';
import { braceGroups, checkTemplateParts, directoryUnder, fillTemplate, readHostSource, shellWordLines, type TemplateValues } from './template';
import {
  CLOUDWATCH_AGENT_UNIT,
  PROXY_ROTATE_TIMER,
  NGINX_ROTATE_TIMER,
  SSM_AGENT_UNIT,
  GATEWAYS_TARGET,
  journalExportUnits,
  STATE_VOLUME_ATTACH_TIMEOUT_SECONDS,
  STATE_VOLUME_LABEL,
  STATE_VOLUME_UNIT,
} from './unit-names';

/** Instance metadata service, as the scripts reach it by default (IMDS_ENDPOINT overrides). */
export const IMDS_ENDPOINT = `http://${IMDS_ADDRESS}`;
/** IPv6 address of the instance metadata service (when the instance enables it). */
export const IMDS_ADDRESS_V6 = 'fd00:ec2::254';

/** CloudWatch namespace of the host's metrics (BootPreflightFailed, AgentFilesIntegrity, SecretRetrievalFailed, GatewayHealthy, ModelSpend*). */
export function metricNamespace(config: ResolvedConfig): string {
  return hostMetricNamespace(deploymentName(config));
}

/**
 * The IMDS line of the gateway unit. The gateway needs no AWS credentials (its
 * secrets arrive as files), so the metadata service is out of its reach: an SSRF
 * through an agent tool cannot read the instance role's credentials. Only a
 * deployment whose agents use Amazon Bedrock (AWS SDK default credential chain)
 * keeps access (gatewayUsesInstanceCredentials, the predicate the egress proxy's IMDS lines follow too).
 */
function imdsAccess(config: ResolvedConfig): string {
  if (gatewayUsesInstanceCredentials(config)) {
    return [
      '# network.egress.providers includes bedrock: the gateway keeps access to IMDS for the',
      '# instance role credentials that the AWS SDK uses to call Bedrock (through the egress proxy,',
      '# whose squid.conf allows exactly these IMDSv2 requests: lib/host/egress-proxy.ts).',
    ].join('\n');
  }
  return [
    '# No AWS credentials for the gateway (its secrets arrive as files): IMDS is out of reach,',
    '# so no SSRF or agent tool can read the instance role credentials.',
    `IPAddressDeny=${IMDS_ADDRESS}/32 ${IMDS_ADDRESS_V6}/128`,
  ].join('\n');
}

/**
 * Run by install-bundle.sh with the OS node (`node -e <this> <control-ui-origins.json> <origin>`):
 * prints the file with `origin` appended to its allowedOrigins (once), in the format of
 * renderControlUiOrigins, so the result equals renderControlUiOrigins(config, [origin]).
 * One line, no single quotes (it sits in a single-quoted shell word).
 */
export const CONTROL_UI_ORIGINS_JS =
  'const [f, o] = process.argv.slice(1); const d = JSON.parse(require("fs").readFileSync(f, "utf8")); ' +
  'if (!Array.isArray(d.allowedOrigins)) { console.error(f + ": no allowedOrigins list"); process.exit(1); } ' +
  'if (!d.allowedOrigins.includes(o)) d.allowedOrigins.push(o); process.stdout.write(JSON.stringify(d, null, 2) + "\\n");';

/**
 * Run by install-bundle.sh with the OS node before `npm ci` (`node -e <this> <lockfile>`):
 * refuses a lockfile older than v2 or with a package that npm would fetch without a
 * sha512 integrity hash to check it against. Packages inside another package's tarball
 * (inBundle) and workspace links carry none and are exempt. One line, no single quotes
 * (it sits in a single-quoted shell word).
 */
export const LOCKFILE_CHECK_JS =
  'const l = require(process.argv[1]); ' +
  'const bad = Object.entries(l.packages || {}).filter(([k, v]) => k && !v.inBundle && !v.link && !/^sha512-/.test(v.integrity || "")).map(([k]) => k); ' +
  'if (!(l.lockfileVersion >= 2) || bad.length) { console.error("no sha512 integrity: " + (bad.join(", ") || "lockfileVersion < 2")); process.exit(1); }';

/** The values of every placeholder the host templates use (the gateway unit's own: gatewayTemplateValues). */
export function hostTemplateValues(config: ResolvedConfig): TemplateValues {
  const gateways = agentGateways(config);
  const values: Record<string, string> = {
    USER: HOST_PATHS.user,
    INSTALL_DIR: HOST_PATHS.installDir,
    NODE: HOST_PATHS.node,
    OPENCLAW_BIN: HOST_PATHS.openclawBin,
    CONFIG_DIR: HOST_PATHS.configDir,
    CONFIG_FILE: HOST_PATHS.configFile,
    CONTROL_UI_ORIGINS_FILE: CONTROL_UI_ORIGINS_HOST_FILE,
    EXEC_APPROVALS_FILE: EXEC_APPROVALS_HOST_FILE,
    AGENT_FILES_DIR: HOST_PATHS.agentFilesDir,
    AGENT_FILES_MANIFEST: HOST_PATHS.agentFilesManifest,
    STATE_DIR: HOST_PATHS.stateDir,
    STATE_VOLUME_DIR: HOST_PATHS.stateVolumeDir,
    STATE_VOLUME_LABEL,
    STATE_VOLUME_UNIT,
    STATE_VOLUME_ATTACH_TIMEOUT: String(STATE_VOLUME_ATTACH_TIMEOUT_SECONDS),
    // The attach wait, the device wait (120 s) and a minute for the rest.
    STATE_VOLUME_UNIT_TIMEOUT: String(STATE_VOLUME_ATTACH_TIMEOUT_SECONDS + 180),
    IMDS_ENDPOINT,
    WORKSPACES_DIR: HOST_PATHS.workspacesDir,
    SECRETS_DIR: HOST_PATHS.secretsDir,
    SECRETS_PARENT_DIR: path.posix.dirname(HOST_PATHS.secretsDir),
    LOG_DIR: HOST_PATHS.logDir,
    LIBEXEC_DIR: HOST_PATHS.libexecDir,
    HOST_ENV_FILE,
    GATEWAY_TOKEN_FILE,
    DEPLOYMENT: deploymentName(config),
    METRIC_NAMESPACE: metricNamespace(config),
    REGION: config.aws.region,
    SECRETS_MANIFEST: SECRETS_MANIFEST_PATH,
    ORIGIN_VERIFY_MAP: ORIGIN_VERIFY_MAP_PATH,
    SECRET_METRIC: SECRET_RETRIEVAL_METRIC,
    // The health check probes the first gateway (id order), on edge.gatewayPort.
    GATEWAY_UNIT: gateways[0]!.unit,
    GATEWAY_PORT: String(gateways[0]!.port),
    GATEWAYS_TARGET,
    GATEWAYS_CONFIG_DIR: path.posix.join(HOST_PATHS.configDir, 'gateways'),
    GATEWAYS_LIST: GATEWAYS_LIST_HOST_FILE,
    GATEWAY_UNIT_PREFIX: 'openclaw-gateway@',
    BREAKER_MARKER_DIR,
    PROXY_PORT: String(config.edge.proxyPort),
    HEALTH_METRIC: GATEWAY_HEALTH_METRIC,
    EGRESS_METRIC: EGRESS_HEALTH_METRIC,
    DISK_METRIC: DISK_HEADROOM_METRIC,
    MEMORY_METRIC: MEMORY_HEADROOM_METRIC,
    HEADROOM_MIN: String(HEADROOM_MIN_PERCENT),
    CHANNELS_DOWN_METRIC,
    AUDIT_LOG_DIR: HOST_PATHS.auditLogDir,
    AUDIT_LOG_DIR_NAME: directoryUnder('/var/log', HOST_PATHS.auditLogDir),
    LOG_EXPORT_STATE_DIR: HOST_PATHS.logExportStateDir,
    LOG_EXPORT_STATE_DIR_NAME: directoryUnder('/var/lib', HOST_PATHS.logExportStateDir),
    SPEND_METER_MANIFEST: SPEND_METER_MANIFEST_PATH,
    SPEND_METER_STATE_DIR: HOST_PATHS.spendMeterStateDir,
    SPEND_METER_STATE_DIR_NAME: directoryUnder('/var/lib', HOST_PATHS.spendMeterStateDir),
    JOURNAL_EXPORT_FILE,
    GATEWAY_LOG_COPY: GATEWAY_LOG_COPY_FILE,
    GATEWAY_LOG_FILE: HOST_LOG_FILES.gateway,
    CLOUDWATCH_AGENT_CONFIG: HOST_PATHS.cloudwatchAgentConfig,
    CLOUDWATCH_AGENT_BUNDLE: CLOUDWATCH_AGENT_BUNDLE_PATH,
    CLOUDWATCH_AGENT_UNIT,
    GATEWAY_MEMORY_MAX,
    GATEWAY_HEAP_ARG,
  };
  const journalUnits = journalExportUnits(config);
  checkTemplateParts(values, BUNDLE_REQUIRED_FILES, { LOCKFILE_CHECK_JS, CONTROL_UI_ORIGINS_JS }, journalUnits);
  return {
    ...values,
    IMDS_ACCESS: imdsAccess(config),
    EGRESS_PROXY_URL,
    EGRESS_NO_PROXY: EGRESS_NO_PROXY.join(','),
    EGRESS_PROXY_UNIT,
    EGRESS_PROXY_USER,
    SSM_AGENT_UNIT,
    PROXY_ROTATE_TIMER,
    NGINX_ROTATE_TIMER,
    NGINX_LOG_ROTATION_BUNDLE: NGINX_LOG_ROTATION_BUNDLE_PATH,
    EGRESS_PROXY_CONFIG_FILE,
    EGRESS_PROXY_BUNDLE: EGRESS_PROXY_BUNDLE_PATH,
    SSM_AGENT_PROXY_BUNDLE: SSM_AGENT_PROXY_BUNDLE_PATH,
    SSM_AGENT_PROXY_BUNDLE_NAME: SSM_AGENT_PROXY_BUNDLE_PATH.replace(/^systemd\//, ''),
    EGRESS_PROXY_RESTART_BUNDLE: EGRESS_PROXY_RESTART_BUNDLE_PATH,
    EGRESS_PROXY_RESTART_BUNDLE_NAME: EGRESS_PROXY_RESTART_BUNDLE_PATH.replace(/^systemd\//, ''),
    CLOUDWATCH_AGENT_PROXY_BUNDLE: CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH,
    CLOUDWATCH_AGENT_PROXY_FILE,
    LOCKFILE_CHECK_JS,
    CONTROL_UI_ORIGINS_JS,
    BUNDLE_REQUIRED_FILES: shellWordLines(braceGroups(BUNDLE_REQUIRED_FILES)),
    JOURNAL_UNITS: journalUnits.join(' '),
    GATEWAY_UNITS: gateways.map((g) => g.unit).join(' '),
    GATEWAY_SECRETS_TMPFILES: gateways.map((g) => `d      ${g.secretsDir.padEnd(30)}0700 ${g.user} ${g.user} -`).join('\n'),
  };
}

/**
 * The values of the gateway unit's own placeholders (host/systemd/openclaw-gateway.service),
 * for one gateway: its id, user, folders, files, proxy and breaker marker. Checked like the
 * host's values (no spaces, quotes or `$`).
 */
export function gatewayTemplateValues(gateway: AgentGateway, agentFilesDirs: readonly string[]): TemplateValues {
  const values: Record<string, string> = {
    GATEWAY_ID: gateway.id,
    GATEWAY_USER: gateway.user,
    GATEWAY_UNIT_NAME: gateway.unit,
    GATEWAY_LISTEN_PORT: String(gateway.port),
    GATEWAY_STATE_DIR: gateway.stateDir,
    GATEWAY_CONFIG_DIR: gateway.configDir,
    GATEWAY_CONFIG_FILE: gateway.configFile,
    GATEWAY_EXEC_APPROVALS_FILE: gateway.execApprovalsFile,
    GATEWAY_SECRETS_DIR: gateway.secretsDir,
    GATEWAY_LOG_DIR: gateway.logDir,
    GATEWAY_PROXY_URL: gatewayProxyUrl(gateway),
    BREAKER_MARKER: breakerMarkerFile(gateway.id),
  };
  checkTemplateParts(values, [], {}, [gateway.unit]);
  return { ...values, GATEWAY_AGENT_FILES_DIRS: agentFilesDirs.join(' ') };
}

/** A template under host/ with the config's values (and `extra` ones) filled in. */
export function renderHostTemplate(config: ResolvedConfig, rel: string, extra: TemplateValues = {}): string {
  return fillTemplate(readHostSource(rel), { ...hostTemplateValues(config), ...extra }, `host/${rel}`);
}
