/**
 * The OpenClaw runtime files of the gateway host, rendered from the real files
 * under host/ (cloud-init, systemd, scripts) with the config's values, and the
 * deployment bundle that carries them to the host. `configDir` is the config
 * folder loadConfig read (config/): the agent files come from
 * `<configDir>/clients/<client>/agents/`.
 *
 *   renderRuntimeFiles(config, configDir)   relative path -> content, for review:
 *     cloud-init/user-data.yaml            the user data (PLACEHOLDER_BUNDLE, PLACEHOLDER_EDGE, PLACEHOLDER_STATE_VOLUME)
 *     systemd/*.service, *.timer           -> /etc/systemd/system/
 *     systemd/nginx.service.d/openclaw.conf, systemd/tmpfiles.d/openclaw.conf
 *     openclaw/host.env                    -> HOST_PATHS.configDir/host.env
 *     scripts/*.sh                         -> HOST_PATHS.libexecDir/ (install-bundle.sh: in the user data)
 *
 * The bundle (assembleBundleFiles, then packBundle) is one deterministic tar.gz
 * holding, by these paths (owners and modes: OPENCLAW_HOST_FILES, set by install-bundle.sh):
 *   renderBundleRuntimeFiles(config, configDir)  the above minus the user data and the installer
 *   renderHostFiles(config)               nginx/..., nftables/openclaw.nft, squid/squid.conf (lib/host/render.ts)
 *   openclaw/gateways.list                -> GATEWAYS_LIST_HOST_FILE, root 0644: the gateways (renderGatewaysList)
 *   systemd/openclaw-gateway@<id>.service -> /etc/systemd/system/, one per gateway, and openclaw-gateways.target
 *   openclaw/gateways/<id>/openclaw.json  -> AgentGateway.configFile, <user> 0400 (folder root:<user> 0750)
 *   openclaw/gateways/<id>/control-ui-origins.json -> its configDir, <user> 0400,
 *                                            with https://<CloudFront domain> added at boot
 *   openclaw/gateways/<id>/exec-approvals.json -> its configDir, <user> 0400
 *   openclaw/secrets-manifest.json        -> SECRETS_MANIFEST_PATH, root 0644 (names and paths, no values)
 *   cloudwatch/common-config.toml         -> the CloudWatch agent's common-config.toml, root 0644: its
 *                                            proxy settings (renderCloudWatchAgentProxyConfig)
 *   cloudwatch/amazon-cloudwatch-agent.json -> HOST_PATHS.cloudwatchAgentConfig, root 0644: what the
 *                                            CloudWatch agent ships (renderCloudWatchAgentConfig)
 *   scripts/fetch-secrets.js              -> HOST_PATHS.libexecDir/, root 0644: the retrieval program
 *   scripts/spend-meter.js                -> HOST_PATHS.libexecDir/, root 0644: the model-spend meter
 *   scripts/agent-audit.js                -> HOST_PATHS.libexecDir/, root 0644: the attributable audit export
 *                                            (run by export-logs.sh; lib/audit/agent-audit.ts)
 *   scripts/gateway-probe.js              -> HOST_PATHS.libexecDir/, root 0644: the probe of one gateway
 *                                            (run by run-gateway-probes.sh for the health check)
 *   openclaw/spend-meter.json             -> SPEND_METER_MANIFEST_PATH, root 0644: its manifest (region,
 *                                            namespace, paths, price table, limits; lib/host/spend-meter.ts)
 *   openclaw/package.json, openclaw/package-lock.json -> HOST_PATHS.installDir (npm ci)
 *   agents/<agent>/<file>                 -> HOST_PATHS.agentFilesDir/<agent>/<file>, root:<its gateway's user> 0440
 *                                            (folder root:<user> 0750)
 *   agents.sha256                         -> HOST_PATHS.agentFilesManifest (renderAgentFilesManifest)
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { ResolvedConfig } from '../config/schema';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE } from '../openclaw/openclaw-config';
import { agentGateways, type AgentGateway } from '../openclaw/gateways';
import { GATEWAYS_LIST_BUNDLE_PATH, renderGatewaysList } from './gateways-list';
import { listAgentFiles } from '../openclaw/agent-files';
import { renderControlUiOrigins } from '../openclaw/control-ui-origins';
import { renderExecApprovals } from '../openclaw/exec-approvals';
import { renderOpenclawConfig } from '../openclaw/openclaw-json';
import { RUNTIME_PACKAGE_DIR } from '../openclaw/lockfile';
import {
  INSTALL_SCRIPT_PATH,
  PLACEHOLDER_BUNDLE,
  PLACEHOLDER_EDGE,
  PLACEHOLDER_STATE_VOLUME,
  USER_DATA_PATH,
  renderUserData,
  type BundleRef,
  type EdgeRef,
  type StateVolumeRef,
} from './cloud-init';
import { bundleAgentAudit, bundleFetchSecrets, bundleGatewayProbe, bundleSpendMeter } from '../bundling/host-programs';
import { SPEND_METER_MANIFEST_BUNDLE_PATH, SPEND_METER_PROGRAM_PATH, spendMeterManifestText } from './spend-meter';
import { AGENT_AUDIT_PROGRAM_PATH } from '../audit/agent-audit';
import { renderSecretsManifest } from '../secrets/secrets-manifest';
import { CLOUDWATCH_AGENT_BUNDLE_PATH, renderCloudWatchAgentConfig } from './cloudwatch-agent';
import { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH, renderCloudWatchAgentProxyConfig } from './cloudwatch-agent-proxy';
import { renderHostFiles } from './render';
import {
  BUNDLE_REQUIRED_FILES,
  FETCH_SECRETS_PROGRAM_PATH,
  GATEWAY_BUNDLE_FILES,
  GATEWAY_PROBE_PROGRAM_PATH,
  GATEWAY_FILES_BUNDLE_DIR,
  HELPER_SCRIPT_FILES,
  SECRETS_MANIFEST_BUNDLE_PATH,
} from './bundle-layout';
import { renderHostTemplate } from './template-values';
import { renderSystemdFiles } from './systemd-units';


/** The scripts under host/scripts/: the helpers (in the bundle) and the installer (in the user data). */
export const SCRIPT_FILES = [...HELPER_SCRIPT_FILES, INSTALL_SCRIPT_PATH] as const;

export const AGENT_FILES_PREFIX = 'agents/';
export const AGENT_MANIFEST_PATH = 'agents.sha256';
/** The bundle paths of a gateway's openclaw.json and its include files (installed by install-bundle.sh in its configDir). */
export const gatewayConfigBundlePath = (id: string) => `${GATEWAY_FILES_BUNDLE_DIR}/${id}/openclaw.json`;
export const gatewayControlUiOriginsBundlePath = (id: string) => `${GATEWAY_FILES_BUNDLE_DIR}/${id}/${CONTROL_UI_ORIGINS_FILE}`;
export const gatewayExecApprovalsBundlePath = (id: string) => `${GATEWAY_FILES_BUNDLE_DIR}/${id}/${EXEC_APPROVALS_FILE}`;
/** The runtime package (installed by install-bundle.sh). */
export const RUNTIME_PACKAGE_FILES = ['package.json', 'package-lock.json'] as const;

export interface RuntimeRenderOptions {
  /** The bundle the user data points at. @default PLACEHOLDER_BUNDLE */
  readonly bundle?: BundleRef;
  /** The CloudFront domain the user data passes to boot. @default PLACEHOLDER_EDGE */
  readonly edge?: EdgeRef;
  /** The state volume the user data passes to boot. @default PLACEHOLDER_STATE_VOLUME */
  readonly stateVolume?: StateVolumeRef;
}

/** Every runtime file of one client x environment: relative path -> content. */
export function renderRuntimeFiles(config: ResolvedConfig, configDir: string, options: RuntimeRenderOptions = {}): Record<string, string> {
  const files: Record<string, string> = {
    [USER_DATA_PATH]: renderUserData(
      config,
      options.bundle ?? PLACEHOLDER_BUNDLE,
      options.edge ?? PLACEHOLDER_EDGE,
      options.stateVolume ?? PLACEHOLDER_STATE_VOLUME,
    ),
  };
  Object.assign(files, renderSystemdFiles(config, configDir));
  for (const rel of SCRIPT_FILES) files[rel] = renderHostTemplate(config, rel);
  return files;
}

/** The runtime files that travel in the bundle (not the user data, not the installer it embeds). */
export function renderBundleRuntimeFiles(config: ResolvedConfig, configDir: string): Record<string, string> {
  const files = renderRuntimeFiles(config, configDir);
  delete files[USER_DATA_PATH];
  delete files[INSTALL_SCRIPT_PATH];
  return files;
}

/**
 * One gateway's openclaw.json, control-ui-origins.json and exec-approvals.json, by bundle
 * path (gateways/<id>/...): rendered for that gateway's folders (its config, workspaces,
 * secrets and log).
 */
export function gatewayConfigFiles(config: ResolvedConfig, gateway: AgentGateway, extraAllowedOrigins: readonly string[] = []): Record<string, string> {
  return {
    [gatewayConfigBundlePath(gateway.id)]: `${JSON.stringify(renderOpenclawConfig(config, gateway), null, 2)}\n`,
    [gatewayControlUiOriginsBundlePath(gateway.id)]: renderControlUiOrigins(config, extraAllowedOrigins),
    [gatewayExecApprovalsBundlePath(gateway.id)]: renderExecApprovals(config, gateway),
  };
}

/** Every file of a deployment bundle: bundle path -> content (agent files as read, byte for byte). */
export type BundleFiles = Record<string, string | Buffer>;

export interface AssembleBundleOptions {
  /**
   * Browser origins known at synth, added to both nginx's allowed-origins map
   * and control-ui-origins.json (boot adds the CloudFront domain to both anyway).
   * @default []
   */
  readonly extraAllowedOrigins?: readonly string[];
}

/**
 * Every file of the deployment bundle of one client x environment, ready for
 * packBundle: the host files (nginx, nftables), the runtime files (units,
 * scripts, host.env), the CloudWatch agent configuration, openclaw.json with its include files, the runtime
 * package.json and lockfile (host/openclaw/), the agent files of
 * `<configDir>/clients/<client>/agents/` and their manifest. Throws when the
 * config cannot be rendered (OpenclawConfigError) or its agent files are wrong.
 */
export function assembleBundleFiles(config: ResolvedConfig, configDir: string, options: AssembleBundleOptions = {}): BundleFiles {
  const extra = options.extraAllowedOrigins ?? [];
  const agentFiles = listAgentFiles(config, configDir);
  const agents = Object.fromEntries(agentFiles.map((f) => [f.relativePath, f.content]));
  const files: BundleFiles = {
    ...renderHostFiles(config, { extraAllowedOrigins: extra }),
    ...renderBundleRuntimeFiles(config, configDir),
    [GATEWAYS_LIST_BUNDLE_PATH]: renderGatewaysList(config),
    ...Object.assign({}, ...agentGateways(config).map((g) => gatewayConfigFiles(config, g, extra))),
    [FETCH_SECRETS_PROGRAM_PATH]: bundleFetchSecrets(),
    [SECRETS_MANIFEST_BUNDLE_PATH]: `${JSON.stringify(renderSecretsManifest(config), null, 2)}\n`,
    [SPEND_METER_PROGRAM_PATH]: bundleSpendMeter(),
    [AGENT_AUDIT_PROGRAM_PATH]: bundleAgentAudit(),
    [GATEWAY_PROBE_PROGRAM_PATH]: bundleGatewayProbe(),
    [SPEND_METER_MANIFEST_BUNDLE_PATH]: spendMeterManifestText(config),
    [CLOUDWATCH_AGENT_BUNDLE_PATH]: renderCloudWatchAgentConfig(config),
    [CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH]: renderCloudWatchAgentProxyConfig(),
    ...Object.fromEntries(RUNTIME_PACKAGE_FILES.map((f) => [`openclaw/${f}`, fs.readFileSync(path.join(RUNTIME_PACKAGE_DIR, f), 'utf8')])),
    ...Object.fromEntries(Object.entries(agents).map(([rel, content]) => [`${AGENT_FILES_PREFIX}${rel}`, content])),
    [AGENT_MANIFEST_PATH]: renderAgentFilesManifest(agents),
  };
  return files;
}

const SAFE_REL = /^[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/;

function checkRel(rel: string, what: string): void {
  if (!SAFE_REL.test(rel) || rel.split('/').some((p) => p === '.' || p === '..')) {
    throw new Error(`${what}: path ${JSON.stringify(rel)} must be relative, without "." or ".." parts, of [A-Za-z0-9._@+-]`);
  }
}

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * The agent files manifest (`sha256sum` format, sorted, paths relative to
 * HOST_PATHS.agentFilesDir) of `agentFiles`: `<agent>/<file>` -> content
 * (from listAgentFiles: relativePath -> content). The one manifest format:
 * packBundle checks it, check-agent-files.sh and `sha256sum -c` read it.
 */
export function renderAgentFilesManifest(agentFiles: Readonly<Record<string, string | Buffer>>): string {
  const rels = Object.keys(agentFiles).sort();
  if (!rels.length) throw new Error('agent files manifest: no agent files');
  return rels
    .map((rel) => {
      checkRel(rel, 'agent files manifest');
      return `${sha256(agentFiles[rel]!)}  ${rel}\n`;
    })
    .join('');
}

/**
 * One ustar header field of `length` bytes: `value` as NUL-padded bytes. Every value fits:
 * bundle paths are ASCII (packBundle refuses any other character), tarHeader cuts a long one
 * into a name of at most 100 and a prefix of at most 155 bytes, and the numbers are octal of
 * the field's width.
 */
function field(header: Buffer, offset: number, _length: number, value: string): void {
  Buffer.from(value).copy(header, offset);
}

const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0');

/** A ustar header for a regular file: root:root 0644, mtime 0 (the installer sets owners and modes). */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    // No slash (cut -1) leaves the whole name, over 100 bytes: refused the same way.
    if (Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar: path too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  field(header, 0, 100, base);
  field(header, 100, 8, octal(0o644, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(size, 12));
  field(header, 136, 12, octal(0, 12));
  header.fill(' ', 148, 156);
  field(header, 156, 1, '0');
  field(header, 257, 6, 'ustar');
  field(header, 263, 2, '00');
  field(header, 265, 32, 'root');
  field(header, 297, 32, 'root');
  field(header, 345, 155, prefix);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${octal(sum, 7)}\0`);
  return header;
}

/** The deployment bundle as a deterministic tar.gz, and its SHA-256 (to pin in the user data). */
export interface PackedBundle {
  /** The tar.gz itself (sorted entries, root:root 0644, mtime 0). */
  readonly archive: Buffer;
  /** SHA-256 of `archive`, 64 lowercase hex digits (what the user data pins). */
  readonly sha256: string;
}

/**
 * The bundle paths each gateway of a gateways.list (renderGatewaysList) needs: its unit and
 * its GATEWAY_BUNDLE_FILES. Throws on an empty list.
 */
export function gatewayBundlePaths(gatewaysList: string): string[] {
  const ids = gatewaysList.split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
  if (!ids.length) throw new Error(`bundle: ${GATEWAYS_LIST_BUNDLE_PATH} lists no gateway`);
  return ids.flatMap((id) => [`systemd/openclaw-gateway@${id}.service`, ...GATEWAY_BUNDLE_FILES.map((f) => `${GATEWAY_FILES_BUNDLE_DIR}/${id}/${f}`)]);
}

/**
 * Packs the bundle files (path -> content) into a deterministic tar.gz: sorted
 * entries, fixed owner, mode and mtime, so the same files always give the same
 * SHA-256. Refuses a bundle that install-bundle.sh would refuse on the host: a
 * required file missing, no agent files, or an agents.sha256 that does not match
 * the agent files it ships.
 */
export function packBundle(files: Readonly<Record<string, string | Buffer>>): PackedBundle {
  const rels = Object.keys(files).sort();
  for (const rel of rels) checkRel(rel, 'bundle');
  const missing: string[] = BUNDLE_REQUIRED_FILES.filter((f) => !(f in files));
  if (!missing.length) missing.push(...gatewayBundlePaths(files[GATEWAYS_LIST_BUNDLE_PATH]!.toString()).filter((f) => !(f in files)));
  if (missing.length) throw new Error(`bundle: missing ${missing.join(', ')}`);
  const agentFiles = Object.fromEntries(rels.filter((r) => r.startsWith(AGENT_FILES_PREFIX)).map((r) => [r.slice(AGENT_FILES_PREFIX.length), files[r]!]));
  if (!Object.keys(agentFiles).length) throw new Error(`bundle: no agent files under ${AGENT_FILES_PREFIX}`);
  const manifest = files[AGENT_MANIFEST_PATH]!.toString();
  if (manifest !== renderAgentFilesManifest(agentFiles)) {
    throw new Error(`bundle: ${AGENT_MANIFEST_PATH} does not match the agent files under ${AGENT_FILES_PREFIX} (renderAgentFilesManifest gives the expected content)`);
  }
  const blocks: Buffer[] = [];
  for (const rel of rels) {
    const data = Buffer.isBuffer(files[rel]) ? (files[rel] as Buffer) : Buffer.from(files[rel] as string);
    blocks.push(tarHeader(rel, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const archive = zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
  return { archive, sha256: sha256(archive) };
}
