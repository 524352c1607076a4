/**
 * What the live checks of the host concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON). The
 * host checks run through the deployment's verification document
 * (lib/host/verification-document.ts), which runs host/verify/collect-host-facts.sh.
 */
import * as crypto from 'crypto';
import type { ResolvedConfig } from '../config/schema';
import { egressDomains } from '../network/egress-domains';
import { REQUIRED_AGENT_FILES } from '../openclaw/agent-files';
import { agentGateways } from '../openclaw/gateways';
import { gatewayHostPaths } from '../openclaw/openclaw-config';
import { openclawSecretFiles } from '../openclaw/secret-files';
import { ORIGIN_VERIFY_MAP_PATH, renderSecretsManifest } from '../secrets/secrets-manifest';
import { deploymentName, verificationDocumentName } from '../shared/naming';
import { DENY_STATUS } from './nginx-config';
import { renderNftablesRules } from './nftables-rules';
import { EGRESS_PROXY_CONFIG_FILE, EGRESS_PROXY_UNIT, renderEgressProxyConfig } from './egress-proxy';
import { PREFLIGHT_UNIT, SECRETS_UNIT } from './unit-names';

/** A file the host must hold with this owner and mode (never read: stat only). */
export interface ExpectedHostFile {
  /** Absolute path on the host. */
  readonly path: string;
  /** `regular file` or `directory` (stat's %F). */
  readonly type: 'regular file' | 'directory';
  readonly owner: string;
  readonly group: string;
  /** Octal permission bits as stat prints them, e.g. `400`. */
  readonly mode: string;
}

/** An `openclaw security audit` finding that is known and documented, so it does not fail the check. */
export interface KnownAuditFinding {
  /** The finding's checkId. */
  readonly id: string;
  readonly severity: 'warn';
  /** Its detail, exactly. */
  readonly detail: string;
  /** Where it is documented and why it is accepted. */
  readonly why: string;
}

export interface HostLiveSettings {
  /** The deployment's verification document (an SSM Command document). */
  readonly documentName: string;
  /** SendCommand parameters: the names the host resolves (one allowlisted, one not). */
  readonly parameters: { readonly AllowedName: string; readonly DeniedName: string };
  /** The gateway user. */
  readonly gatewayUser: string;
  /** The gateway's unit. */
  readonly gatewayUnit: string;
  /** The gateway's loopback port. */
  readonly gatewayPort: number;
  /** /etc/nftables/openclaw.nft on the host, and the SHA-256 of its rendered content. */
  readonly ruleset: { readonly path: string; readonly sha256: string };
  /** Mount points the gateway must see read-only (its unit's ReadOnlyPaths= and the required agent files' BindReadOnlyPaths=). */
  readonly readOnlyMounts: readonly string[];
  /** Folders under which every mount the gateway sees must be read-only. */
  readonly readOnlyRoots: readonly string[];
  /** Folders the gateway must see read-only (its unit's ReadOnlyPaths=), mount points or not. */
  readonly readOnlyDirs: readonly string[];
  /** The agent files folder (names the write test's result). */
  readonly agentFilesDir: string;
  /** The secrets folder, every secret file and the origin-verify map. */
  readonly secretFiles: readonly ExpectedHostFile[];
  /** The secrets folder (listed on the host: nothing else may be in it). */
  readonly secretsDir: string;
  /** Boot units that must have succeeded. */
  readonly bootUnits: readonly string[];
  /** The retrieval unit and the IDs its OK line must name (every secret of the manifest). */
  readonly retrieval: { readonly unit: string; readonly ids: readonly string[] };
  /** nginx's listen address from the host, requested without the origin-verify header, and the status it must answer. */
  readonly origin: { readonly url: string; readonly status: number };
  /** The egress proxy: its unit (must be active), its configuration file and the SHA-256 of the rendered one. */
  readonly proxy: { readonly unit: string; readonly path: string; readonly sha256: string };
  /** Known, documented audit findings. */
  readonly knownAuditFindings: readonly KnownAuditFinding[];
}

/**
 * OpenClaw 2026.9.6's deep audit against a running gateway whose token is configured:
 * its probe connects without a device identity and gets no scopes (docs/openclaw.md,
 * "Proof by OpenClaw itself"; pinned by test/openclaw/gateway-e2e.test.ts).
 */
export const KNOWN_AUDIT_FINDINGS: readonly KnownAuditFinding[] = [
  {
    id: 'gateway.probe_failed',
    severity: 'warn',
    detail: 'missing scope: operator.read',
    why: 'the deep probe connects without a paired device, so a configured-token gateway gives it no read scope (docs/openclaw.md)',
  },
];

/** A name no allowlist of this blueprint holds; `example.org` when a client allowlisted it. */
function deniedName(allowed: readonly string[]): string {
  return ['example.com', 'example.org', 'example.net'].find((n) => !allowed.includes(n)) ?? 'iana.org';
}

export function hostLiveSettings(config: ResolvedConfig): HostLiveSettings {
  const name = deploymentName(config);
  const allowed = egressDomains(config.network, config.aws.region, config.aws.account);
  const secretsManager = `secretsmanager.${config.aws.region}.amazonaws.com`;
  const first = agentGateways(config)[0]!;
  const user = first.user;
  const p = gatewayHostPaths(first);
  // The host checks cover the first gateway (its unit, user, mounts and secret files); the others are checked
  // on the host by hand (README, "One trust boundary per agent").
  const agentMounts = first.agents.flatMap((agent) => REQUIRED_AGENT_FILES.map((f) => `${p.workspacesDir}/${agent}/${f}`));
  const agentDirs = first.agents.map((agent) => `${p.agentFilesDir}/${agent}`);
  return {
    documentName: verificationDocumentName(name),
    parameters: { AllowedName: allowed.includes(secretsManager) ? secretsManager : allowed[0]!, DeniedName: deniedName(allowed) },
    gatewayUser: user,
    gatewayUnit: first.unit,
    gatewayPort: first.port,
    ruleset: { path: '/etc/nftables/openclaw.nft', sha256: crypto.createHash('sha256').update(renderNftablesRules(config)).digest('hex') },
    readOnlyMounts: [p.configDir, ...agentDirs, ...agentMounts],
    readOnlyDirs: [p.configDir, ...agentDirs],
    readOnlyRoots: [p.configDir, p.workspacesDir],
    agentFilesDir: p.agentFilesDir,
    secretsDir: p.secretsDir,
    secretFiles: [
      { path: p.secretsDir, type: 'directory', owner: user, group: user, mode: '700' },
      ...openclawSecretFiles(config, first).map((s): ExpectedHostFile => ({ path: s.path, type: 'regular file', owner: user, group: user, mode: '400' })),
      { path: ORIGIN_VERIFY_MAP_PATH, type: 'regular file', owner: 'root', group: 'root', mode: '600' },
    ],
    bootUnits: [PREFLIGHT_UNIT, SECRETS_UNIT],
    retrieval: { unit: SECRETS_UNIT, ids: renderSecretsManifest(config).secrets.map((s) => s.id) },
    origin: { url: `http://127.0.0.1:${config.edge.proxyPort}/`, status: DENY_STATUS },
    proxy: { unit: EGRESS_PROXY_UNIT, path: EGRESS_PROXY_CONFIG_FILE, sha256: crypto.createHash('sha256').update(renderEgressProxyConfig(config)).digest('hex') },
    knownAuditFindings: KNOWN_AUDIT_FINDINGS,
  };
}
