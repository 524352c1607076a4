/**
 * The systemd side of the gateway host, rendered from the real files under
 * host/systemd/ (units, the nginx drop-in, tmpfiles.d, host.env), and the
 * placeholder engine that every host template (host/systemd, host/scripts,
 * host/cloud-init) shares: `@@NAME@@` is replaced by a value taken from
 * lib/host/paths.ts or from the config; an unknown or left-over placeholder
 * is an error, so nothing half-rendered reaches a host.
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
 *                                    GATEWAY_HEALTH_METRIC (1 or 0)
 *   openclaw-log-export.service/.timer  the root-owned, append-only audit copies that the CloudWatch
 *                                    agent ships (lib/host/cloudwatch-agent.ts), every minute
 *   openclaw-spend-meter.service/.timer  the model spend of the day and month from OpenClaw's usage
 *                                    records, every minute, as root (lib/host/spend-meter.ts)
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE } from '../openclaw/openclaw-config';
import { agentFileBindMounts, listAgentFiles } from '../openclaw/agent-files';
import { openclawSecretFiles } from '../openclaw/secret-files';
import { IMDS_ADDRESS } from './nftables-rules';
import { CLOUDWATCH_AGENT_BUNDLE_PATH, GATEWAY_LOG_COPY_FILE, JOURNAL_EXPORT_FILE, openclawLogFile } from './cloudwatch-agent';
import { HOST_PATHS } from './paths';
import { deploymentName, hostMetricNamespace } from '../shared/naming';
import { ORIGIN_VERIFY_MAP_PATH, SECRET_RETRIEVAL_METRIC, SECRETS_MANIFEST_PATH } from '../secrets/secrets-manifest';
import { SPEND_METER_MANIFEST_BUNDLE_PATH, SPEND_METER_MANIFEST_PATH, SPEND_METER_PROGRAM_PATH } from './spend-meter';

/** The repo folder holding the host templates (host/cloud-init, host/systemd, host/scripts). */
export const HOST_SOURCE_DIR = path.resolve(__dirname, '..', '..', 'host');

export const GATEWAY_UNIT = 'openclaw-gateway.service';
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
/** The CloudWatch agent's own unit (package amazon-cloudwatch-agent): enabled and started by install-bundle.sh. */
export const CLOUDWATCH_AGENT_UNIT = 'amazon-cloudwatch-agent.service';
/** Published by openclaw-health every minute to the host namespace, no dimensions: 1 healthy, 0 not. */
export const GATEWAY_HEALTH_METRIC = 'GatewayHealthy';
/**
 * Published by openclaw-health with the value 1 only when an HTTPS request from the host
 * (through the NAT and the DNS Firewall) to its region's STS endpoint got an answer; a host
 * without egress cannot publish at all, so its alarm treats missing data as breaching.
 */
export const EGRESS_HEALTH_METRIC = 'EgressHealthy';
/**
 * The units whose journal openclaw-log-export copies (the CloudWatch `journal` group): the
 * gateway, the proxy, every OpenClaw helper unit, the firewall, the CloudWatch agent, and
 * cloud-final (install-bundle.sh's output, its `openclaw-install: FAILED` line included).
 */
export const JOURNAL_EXPORT_UNITS = [
  GATEWAY_UNIT,
  'nginx.service',
  PREFLIGHT_UNIT,
  SECRETS_UNIT,
  STATE_VOLUME_UNIT,
  SECRETS_REFRESH_UNIT,
  INTEGRITY_UNIT,
  HEALTH_UNIT,
  LOG_EXPORT_UNIT,
  SPEND_METER_UNIT,
  'nftables.service',
  CLOUDWATCH_AGENT_UNIT,
  'cloud-final.service',
] as const;

/** Deployment identity read by the helper units (EnvironmentFile=): namespace, region. */
export const HOST_ENV_FILE = `${HOST_PATHS.configDir}/host.env`;
/**
 * The gateway token: written by openclaw-secrets.service (the secrets step) on tmpfs,
 * owner HOST_PATHS.user:HOST_PATHS.user, mode 0400, a regular file with one hard link
 * (OpenClaw refuses secret files readable by others, symlinked or hard-linked), like
 * every other secret file of openclawSecretFiles(config); openclaw-gateway.service
 * refuses to start without any of them (AssertFileNotEmpty=). openclaw.json refers to
 * them (`file` SecretRefs).
 */
export const GATEWAY_TOKEN_FILE = `${HOST_PATHS.secretsDir}/gateway-token`;
/** control-ui-origins.json on the host: `$include`d by openclaw.json; boot adds the CloudFront domain. */
export const CONTROL_UI_ORIGINS_HOST_FILE = `${HOST_PATHS.configDir}/${CONTROL_UI_ORIGINS_FILE}`;
/** exec-approvals.json on the host: imported before every gateway start (GATEWAY_APPROVALS_IMPORT). */
export const EXEC_APPROVALS_HOST_FILE = `${HOST_PATHS.configDir}/${EXEC_APPROVALS_FILE}`;
/**
 * The gateway unit's ExecStartPre=: imports the exec approvals into the gateway's
 * state (the allowlists live in OpenClaw's state database, not in openclaw.json),
 * as the gateway user, with the gateway's environment, before every start.
 */
export const GATEWAY_APPROVALS_IMPORT = `${HOST_PATHS.node} ${HOST_PATHS.openclawBin} approvals set --file ${EXEC_APPROVALS_HOST_FILE}`;
/** Environment= entries the gateway unit must set (checked by gatewayUnitProblems). */
export const GATEWAY_ENVIRONMENT = [
  `HOME=${HOST_PATHS.stateDir}`,
  `OPENCLAW_STATE_DIR=${HOST_PATHS.stateDir}`,
  `OPENCLAW_CONFIG_PATH=${HOST_PATHS.configFile}`,
  'OPENCLAW_CONFIG_READONLY=1',
  'OPENCLAW_NO_RESPAWN=1',
  'OPENCLAW_NO_AUTO_UPDATE=1',
] as const;
/**
 * Environment variables the gateway unit must not set: the token comes from its
 * secret file (a `file` SecretRef); in the environment it would show in
 * `systemctl show` and be inherited by every exec child.
 */
export const GATEWAY_FORBIDDEN_ENVIRONMENT = ['OPENCLAW_GATEWAY_TOKEN'] as const;
/** Instance metadata service, as the scripts reach it by default (IMDS_ENDPOINT overrides). */
export const IMDS_ENDPOINT = `http://${IMDS_ADDRESS}`;
/** IPv6 address of the instance metadata service (when the instance enables it). */
export const IMDS_ADDRESS_V6 = 'fd00:ec2::254';

/** Relative render path -> template under host/ (same relative path). */
export const SYSTEMD_FILES = [
  `systemd/${GATEWAY_UNIT}`,
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
  'systemd/nginx.service.d/openclaw.conf',
  'systemd/tmpfiles.d/openclaw.conf',
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
] as const;
/** The retrieval program (host/fetch-secrets/, bundled), installed root 0644 in HOST_PATHS.libexecDir and run by Node 24. */
export const FETCH_SECRETS_PROGRAM_PATH = 'scripts/fetch-secrets.js';
/** The secrets manifest (renderSecretsManifest), installed root 0644 at SECRETS_MANIFEST_PATH. */
export const SECRETS_MANIFEST_BUNDLE_PATH = 'openclaw/secrets-manifest.json';
/**
 * Bundle entries that install-bundle.sh requires (it fails naming the first one
 * missing; its list is @@BUNDLE_REQUIRED_FILES@@, rendered from this one) and that
 * packBundle refuses to pack without.
 */
export const BUNDLE_REQUIRED_FILES = [
  'openclaw/openclaw.json',
  `openclaw/${CONTROL_UI_ORIGINS_FILE}`,
  `openclaw/${EXEC_APPROVALS_FILE}`,
  'openclaw/package.json',
  'openclaw/package-lock.json',
  'agents.sha256',
  HOST_ENV_PATH,
  'nginx/nginx.conf',
  'nginx/openclaw/allowed-origins.map.conf',
  'nftables/openclaw.nft',
  ...SYSTEMD_FILES,
  ...HELPER_SCRIPT_FILES,
  FETCH_SECRETS_PROGRAM_PATH,
  SPEND_METER_PROGRAM_PATH,
  SECRETS_MANIFEST_BUNDLE_PATH,
  SPEND_METER_MANIFEST_BUNDLE_PATH,
  CLOUDWATCH_AGENT_BUNDLE_PATH,
] as const;

/** `<prefix>-<client>-<env>`, as in the stack names. */

/** CloudWatch namespace of the host's metrics (BootPreflightFailed, AgentFilesIntegrity, SecretRetrievalFailed, GatewayHealthy, ModelSpend*). */
export function metricNamespace(config: ResolvedConfig): string {
  return hostMetricNamespace(deploymentName(config));
}

export type TemplateValues = Readonly<Record<string, string>>;

/** Characters a path or name placeholder value may hold (no spaces, quotes, `$`, `;`, newlines). */
const SAFE_VALUE = /^[A-Za-z0-9_./:+=@-]+$/;
/** A systemd unit name as the journal export lists it (a shell word, no globs). */
const UNIT_NAME = /^[A-Za-z0-9_.@-]+\.(service|timer|socket|target)$/;

/** The one folder name below `parent` that systemd's LogsDirectory=/StateDirectory= take (`/var/log/x` -> `x`). */
export function directoryUnder(parent: string, dir: string): string {
  const name = path.posix.relative(parent, dir);
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) throw new Error(`host template: ${dir} must be one folder directly under ${parent}`);
  return name;
}

/**
 * The IMDS line of the gateway unit. The gateway needs no AWS credentials (its
 * secrets arrive as files), so the metadata service is out of its reach: an SSRF
 * through an agent tool cannot read the instance role's credentials. Only a
 * deployment whose agents use Amazon Bedrock (AWS SDK default credential chain)
 * keeps access.
 */
function imdsAccess(config: ResolvedConfig): string {
  if (config.network.egress.providers.includes('bedrock')) {
    return '# network.egress.providers includes bedrock: the gateway keeps access to IMDS for the\n# instance role credentials that the AWS SDK uses to call Bedrock.';
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

/**
 * Refuses what would break the shell or unit syntax it is substituted into: a value
 * outside SAFE_VALUE, a bundle path outside SAFE_VALUE, a script (`node -e '...'`) with a
 * newline or single quote, a unit name that is not a plain unit (UNIT_NAME).
 * hostTemplateValues runs it on its own values and lists.
 */
export function checkTemplateParts(
  values: TemplateValues,
  bundlePaths: readonly string[],
  scripts: TemplateValues,
  units: readonly string[],
): void {
  for (const [name, value] of Object.entries(values)) {
    if (!SAFE_VALUE.test(value)) throw new Error(`host template: unsafe value for @@${name}@@: ${JSON.stringify(value)}`);
  }
  for (const rel of bundlePaths) {
    if (!SAFE_VALUE.test(rel)) throw new Error(`host template: unsafe bundle path for @@BUNDLE_REQUIRED_FILES@@: ${JSON.stringify(rel)}`);
  }
  for (const [name, js] of Object.entries(scripts)) {
    if (/['\n]/.test(js)) throw new Error(`host template: ${name} must be one line without single quotes`);
  }
  for (const unit of units) {
    if (!UNIT_NAME.test(unit)) throw new Error(`host template: unsafe unit name for @@JOURNAL_UNITS@@: ${JSON.stringify(unit)}`);
  }
}

/** The values of every placeholder the host templates use. */
export function hostTemplateValues(config: ResolvedConfig): TemplateValues {
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
    GATEWAY_UNIT,
    GATEWAY_PORT: String(config.edge.gatewayPort),
    PROXY_PORT: String(config.edge.proxyPort),
    HEALTH_METRIC: GATEWAY_HEALTH_METRIC,
    EGRESS_METRIC: EGRESS_HEALTH_METRIC,
    AUDIT_LOG_DIR: HOST_PATHS.auditLogDir,
    AUDIT_LOG_DIR_NAME: directoryUnder('/var/log', HOST_PATHS.auditLogDir),
    LOG_EXPORT_STATE_DIR: HOST_PATHS.logExportStateDir,
    LOG_EXPORT_STATE_DIR_NAME: directoryUnder('/var/lib', HOST_PATHS.logExportStateDir),
    SPEND_METER_MANIFEST: SPEND_METER_MANIFEST_PATH,
    SPEND_METER_STATE_DIR: HOST_PATHS.spendMeterStateDir,
    SPEND_METER_STATE_DIR_NAME: directoryUnder('/var/lib', HOST_PATHS.spendMeterStateDir),
    JOURNAL_EXPORT_FILE,
    GATEWAY_LOG_COPY: GATEWAY_LOG_COPY_FILE,
    GATEWAY_LOG_FILE: openclawLogFile(config),
    CLOUDWATCH_AGENT_CONFIG: HOST_PATHS.cloudwatchAgentConfig,
    CLOUDWATCH_AGENT_BUNDLE: CLOUDWATCH_AGENT_BUNDLE_PATH,
    CLOUDWATCH_AGENT_UNIT,
  };
  checkTemplateParts(values, BUNDLE_REQUIRED_FILES, { LOCKFILE_CHECK_JS, CONTROL_UI_ORIGINS_JS }, JOURNAL_EXPORT_UNITS);
  return {
    ...values,
    IMDS_ACCESS: imdsAccess(config),
    LOCKFILE_CHECK_JS,
    CONTROL_UI_ORIGINS_JS,
    BUNDLE_REQUIRED_FILES: shellWordLines(braceGroups(BUNDLE_REQUIRED_FILES)),
    JOURNAL_UNITS: JOURNAL_EXPORT_UNITS.join(' '),
  };
}

/**
 * Paths as shell words with brace expansion, for the user data's 16 KB: the paths of one
 * folder with one extension become one word, `dir/x{a,b}.ext` (x: what their names start
 * with), which bash expands to `dir/xa.ext dir/xb.ext` in the order given (a group stands
 * where its first path was).
 * The paths must not hold `,`, `{` or `}` (SAFE_VALUE).
 */
export function braceGroups(paths: readonly string[]): string[] {
  const groups = new Map<string, { dir: string; ext: string; stems: string[] }>();
  for (const p of paths) {
    const dir = p.slice(0, p.lastIndexOf('/') + 1); // '' without a '/' (lastIndexOf is -1)
    const base = p.slice(dir.length);
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.')) : '';
    const key = `${dir}\0${ext}`;
    const group = groups.get(key) ?? { dir, ext, stems: [] };
    group.stems.push(base.slice(0, base.length - ext.length));
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => {
    if (g.stems.length === 1) return `${g.dir}${g.stems[0]}${g.ext}`;
    // What every stem starts with goes before the brace (never a whole stem: no empty alternative).
    let common = g.stems.reduce((a, b) => {
      const differ = [...a].findIndex((c, i) => c !== b[i]);
      return differ === -1 ? a : a.slice(0, differ);
    });
    if (g.stems.includes(common)) common = common.slice(0, -1);
    return `${g.dir}${common}{${g.stems.map((t) => t.slice(common.length)).join(',')}}${g.ext}`;
  });
}

/** `words` as one shell word list, wrapped at `width` columns with ` \` continuations (the body of a `for ... in`). */
export function shellWordLines(words: readonly string[], width = 110): string {
  const lines = [''];
  for (const word of words) {
    const last = lines[lines.length - 1]!;
    if (last && last.length + 1 + word.length > width) lines.push(word);
    else lines[lines.length - 1] = last ? `${last} ${word}` : word;
  }
  return lines.join(' \\\n  ');
}

/** A path in a unit setting that systemd reads without quoting: absolute, no spaces, quotes, `:` or `$`. */
const UNIT_PATH = /^\/[A-Za-z0-9_./+@-]+$/;

/** What the gateway unit of a config must hold besides its fixed sandbox (gatewayUnitProblems). */
export interface GatewayUnitExpectations {
  /** BindReadOnlyPaths= entries, `<host path>:<workspace path>`, in order (agentFileBindMounts). */
  readonly bindMounts: readonly string[];
  /** Files that AssertFileNotEmpty= must name, in order (the secret files). */
  readonly secretFiles: readonly string[];
}

/**
 * The agent-file bind mounts and secret files of a config's gateway unit: one
 * BindReadOnlyPaths= per agent file of `<configDir>/clients/<client>/agents/`
 * (listAgentFiles), one AssertFileNotEmpty= per secret file (openclawSecretFiles).
 */
export function gatewayUnitExpectations(config: ResolvedConfig, configDir: string): GatewayUnitExpectations {
  const bindMounts = agentFileBindMounts(listAgentFiles(config, configDir));
  const secretFiles = openclawSecretFiles(config).map((s) => s.path);
  // Each part absolute and without ':' (UNIT_PATH), so a mount of three parts has a relative one and is refused.
  for (const p of [...bindMounts.flatMap((m) => m.split(':')), ...secretFiles]) {
    if (!UNIT_PATH.test(p)) throw new Error(`gateway unit: unsafe path ${JSON.stringify(p)}`);
  }
  return { bindMounts, secretFiles };
}

const PLACEHOLDER = /@@([A-Z0-9_]+)@@/g;

/**
 * Replaces every `@@NAME@@` of `text` with `values[NAME]`. Throws on a name
 * without a value, unless it is listed in `keep` (left in place for a later step).
 */
export function fillTemplate(text: string, values: TemplateValues, source: string, keep?: readonly string[]): string {
  const unknown = new Set<string>();
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    if (keep?.includes(name)) return whole;
    const value = values[name];
    if (value === undefined) {
      unknown.add(name);
      return whole;
    }
    return value;
  });
  if (unknown.size) throw new Error(`host template ${source}: no value for ${[...unknown].map((n) => `@@${n}@@`).join(', ')}`);
  return out;
}

/** The text of a template under host/, e.g. readHostSource('systemd/openclaw-gateway.service'). */
export function readHostSource(rel: string): string {
  return fs.readFileSync(path.join(HOST_SOURCE_DIR, rel), 'utf8');
}

/** A template under host/ with the config's values (and `extra` ones) filled in. */
export function renderHostTemplate(config: ResolvedConfig, rel: string, extra: TemplateValues = {}): string {
  return fillTemplate(readHostSource(rel), { ...hostTemplateValues(config), ...extra }, `host/${rel}`);
}

/** One `Key=value` line of a unit file, in order. */
export interface UnitEntry {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/**
 * Parses a unit file (or drop-in) the way systemd reads it: sections, `Key=value`,
 * comments (# ;), backslash line continuation. Keeps every assignment in order, since
 * list settings accumulate and an empty assignment resets them.
 */
export function parseUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    }
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`unit line ${start}: expected Key=value, got ${JSON.stringify(line)}`);
    entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start });
  }
  return entries;
}

/** The effective values of a list setting: assignments accumulate, an empty one resets. */
export function unitList(entries: readonly UnitEntry[], section: string, key: string): string[] {
  let list: string[] = [];
  for (const e of entries) {
    if (e.section !== section || e.key !== key) continue;
    list = e.value === '' ? [] : [...list, ...e.value.split(/\s+/)];
  }
  return list;
}

/** The last assignment of a setting (what systemd uses for a single-valued one), or undefined. */
export function unitValue(entries: readonly UnitEntry[], section: string, key: string): string | undefined {
  return entries.filter((e) => e.section === section && e.key === key).pop()?.value;
}

/** The values systemd reads as true (an unset setting, undefined, is not one). */
const TRUE: ReadonlySet<string | undefined> = new Set(['yes', 'true', 'on', '1']);

/**
 * The sandbox of openclaw-gateway.service, as settings that must hold. Checked at
 * render (a weakened template is refused) and by the tests.
 */
export const GATEWAY_REQUIRED_TRUE = [
  'NoNewPrivileges',
  'ProtectHome',
  'PrivateTmp',
  'PrivateDevices',
  'ProtectKernelTunables',
  'ProtectKernelModules',
  'ProtectKernelLogs',
  'ProtectControlGroups',
  'ProtectClock',
  'ProtectHostname',
  'RestrictNamespaces',
  'RestrictRealtime',
  'RestrictSUIDSGID',
  'LockPersonality',
] as const;

/**
 * Problems with the gateway unit (empty when it is as designed): its sandbox, its
 * environment, the approvals import, and, given `expected`, exactly the agent-file
 * bind mounts and secret-file assertions of the config.
 */
export function gatewayUnitProblems(unitText: string, expected?: GatewayUnitExpectations): string[] {
  const e = parseUnit(unitText);
  const S = 'Service';
  const problems: string[] = [];
  const val = (k: string) => unitValue(e, S, k);
  for (const key of GATEWAY_REQUIRED_TRUE) {
    if (!TRUE.has(val(key))) problems.push(`${key}=yes missing`);
  }
  if (val('ProtectSystem') !== 'strict') problems.push('ProtectSystem=strict missing');
  if (val('User') !== HOST_PATHS.user) problems.push(`User=${HOST_PATHS.user} missing`);
  for (const key of ['CapabilityBoundingSet', 'AmbientCapabilities']) {
    if (!e.some((x) => x.section === S && x.key === key) || unitList(e, S, key).length) problems.push(`${key}= must be present and empty`);
  }
  if (val('SystemCallArchitectures') !== 'native') problems.push('SystemCallArchitectures=native missing');
  const filters = e.filter((x) => x.section === S && x.key === 'SystemCallFilter').map((x) => x.value);
  if (!filters.includes('@system-service')) problems.push('SystemCallFilter=@system-service missing');
  const denied = filters.filter((f) => f.startsWith('~')).flatMap((f) => f.slice(1).split(/\s/)); // empty words between blanks do not matter: only includes() asks
  for (const group of ['@privileged', '@resources']) if (!denied.includes(group)) problems.push(`SystemCallFilter=~${group} missing`);
  const families = unitList(e, S, 'RestrictAddressFamilies').sort();
  if (families.join(' ') !== 'AF_INET AF_INET6 AF_UNIX') problems.push(`RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is ${families.join(' ') || 'unset'})`);
  if (TRUE.has(val('MemoryDenyWriteExecute'))) problems.push('MemoryDenyWriteExecute must be off: the V8 JIT needs writable+executable memory');
  if (val('UMask') !== '0077') problems.push('UMask=0077 missing');
  const rw = unitList(e, S, 'ReadWritePaths').sort();
  const rwWanted = [HOST_PATHS.stateDir, HOST_PATHS.logDir].sort();
  if (rw.join(' ') !== rwWanted.join(' ')) problems.push(`ReadWritePaths must be exactly ${rwWanted.join(' ')} (is ${rw.join(' ') || 'unset'})`);
  const ro = unitList(e, S, 'ReadOnlyPaths');
  for (const p of [HOST_PATHS.configDir, HOST_PATHS.agentFilesDir]) if (!ro.includes(p)) problems.push(`ReadOnlyPaths must include ${p}`);
  if (val('ExecStart') !== `${HOST_PATHS.node} ${HOST_PATHS.openclawBin} gateway run`) problems.push('ExecStart must run the pinned node and openclaw: gateway run');
  const pre = e.filter((x) => x.section === S && x.key === 'ExecStartPre').map((x) => x.value);
  if (!pre.includes(GATEWAY_APPROVALS_IMPORT)) problems.push(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT} missing`);
  if (pre.some((p) => /^[-@:+!]/.test(p))) problems.push('ExecStartPre must run as the gateway user, and its failure must stop the start (no -, +, ! or : prefix)');
  const env = unitList(e, S, 'Environment');
  for (const v of GATEWAY_ENVIRONMENT) if (!env.includes(v)) problems.push(`Environment=${v} missing`);
  for (const name of GATEWAY_FORBIDDEN_ENVIRONMENT) if (env.some((v) => v.startsWith(`${name}=`))) problems.push(`Environment=${name} must not be set`);
  if (e.some((x) => x.section === S && (x.key === 'EnvironmentFile' || x.key === 'PassEnvironment'))) problems.push('EnvironmentFile= and PassEnvironment= must not be set (nothing but the listed Environment=)');
  if (expected) {
    const binds = unitList(e, S, 'BindReadOnlyPaths');
    if (binds.join(' ') !== expected.bindMounts.join(' ')) {
      problems.push(`BindReadOnlyPaths must be exactly the agent files (${expected.bindMounts.join(' ')}), is ${binds.join(' ') || 'unset'}`);
    }
    const asserts = e.filter((x) => x.section === 'Unit' && x.key === 'AssertFileNotEmpty').map((x) => x.value);
    if (asserts.join(' ') !== expected.secretFiles.join(' ')) {
      problems.push(`AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${asserts.join(' ') || 'unset'}`);
    }
  }
  if (unitList(e, S, 'BindPaths').length) problems.push('BindPaths= must not be set (writable bind mounts)');
  for (const key of ['Requires', 'After']) {
    const deps = unitList(e, 'Unit', key);
    for (const unit of [PREFLIGHT_UNIT, SECRETS_UNIT, STATE_VOLUME_UNIT]) if (!deps.includes(unit)) problems.push(`${key}= must include ${unit}`);
  }
  // The gateway's state must be the state volume, never the root volume (lost with the host).
  const mountAsserts = e.filter((x) => x.section === 'Unit' && x.key === 'AssertPathIsMountPoint').map((x) => x.value);
  if (!mountAsserts.includes(HOST_PATHS.stateDir)) problems.push(`AssertPathIsMountPoint=${HOST_PATHS.stateDir} missing (the state volume)`);
  if (val('Restart') !== 'on-failure') problems.push('Restart=on-failure missing');
  if (!unitValue(e, 'Unit', 'StartLimitBurst') || !unitValue(e, 'Unit', 'StartLimitIntervalSec')) problems.push('StartLimitBurst= and StartLimitIntervalSec= missing');
  return problems;
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
