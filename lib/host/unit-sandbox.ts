/**
 * The sandbox that every gateway unit (openclaw-gateway@<id>.service, one per
 * AgentGateway) must keep, checked on its text: the hardening settings, its own user,
 * folders and environment, the approvals import, the dependencies, its place in the
 * gateways' target, its breaker marker and, given a config's expectations, exactly its
 * agent-file mounts and secret files. Checked at render for every gateway (a weakened
 * unit of any gateway is refused) and by the tests.
 */
import { gatewayMemoryProblems } from './gateway-memory-check';
import type { AgentGateway } from '../openclaw/gateways';
import { GATEWAYS_TARGET } from '../openclaw/gateways';
import { breakerMarkerFile, HOST_PATHS } from './paths';
import { parseUnit, unitList, unitValue } from './unit-file';
import { PREFLIGHT_UNIT, SECRETS_UNIT, STATE_VOLUME_UNIT } from './unit-names';

/**
 * A gateway unit's ExecStartPre=: imports its exec approvals into its state (the
 * allowlists live in OpenClaw's state database, not in openclaw.json), as its user,
 * with its environment, before every start.
 */
export const gatewayApprovalsImport = (gateway: AgentGateway): string =>
  `${HOST_PATHS.node} ${HOST_PATHS.openclawBin} approvals set --file ${gateway.execApprovalsFile}`;
/** The egress proxy of a gateway, as its unit's environment names it: its own squid port on loopback. */
const proxyUrl = (gateway: AgentGateway) => `http://127.0.0.1:${gateway.proxyPort}`;
/** Environment= entries a gateway unit must set (checked by gatewayUnitProblems). */
export const gatewayEnvironment = (gateway: AgentGateway): string[] => [
  `HOME=${gateway.stateDir}`,
  `OPENCLAW_STATE_DIR=${gateway.stateDir}`,
  `OPENCLAW_CONFIG_PATH=${gateway.configFile}`,
  'OPENCLAW_CONFIG_READONLY=1',
  'OPENCLAW_NO_RESPAWN=1',
  'OPENCLAW_NO_AUTO_UPDATE=1',
  `HTTPS_PROXY=${proxyUrl(gateway)}`,
  `https_proxy=${proxyUrl(gateway)}`,
];
/**
 * Environment variables the gateway unit must not set: the token comes from its
 * secret file (a `file` SecretRef); in the environment it would show in
 * `systemctl show` and be inherited by every exec child.
 */
export const GATEWAY_FORBIDDEN_ENVIRONMENT = ['OPENCLAW_GATEWAY_TOKEN'] as const;

/** What the unit of one gateway of a config must hold besides its fixed sandbox (gatewayUnitProblems). */
export interface GatewayUnitExpectations {
  /** Its agents' folders of agent files (HOST_PATHS.agentFilesDir/<agent>), which ReadOnlyPaths= must name. */
  readonly agentFilesDirs: readonly string[];
  /** BindReadOnlyPaths= entries, `<host path>:<workspace path>`, in order (agentFileBindMounts). */
  readonly bindMounts: readonly string[];
  /** Files that AssertFileNotEmpty= must name, in order (the secret files). */
  readonly secretFiles: readonly string[];
}

/** The values systemd reads as true (an unset setting, undefined, is not one). */
const TRUE: ReadonlySet<string | undefined> = new Set(['yes', 'true', 'on', '1']);

/**
 * The sandbox of every gateway unit, as settings that must hold. Checked at
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
  'PrivateMounts',
] as const;

/**
 * Problems with the unit of `gateway` (empty when it is as designed): its sandbox, its
 * user, folders and environment, the approvals import, the target and breaker marker,
 * and, given `expected`, exactly its agent-file bind mounts, agent-file folders and
 * secret-file assertions.
 */
export function gatewayUnitProblems(unitText: string, gateway: AgentGateway, expected?: GatewayUnitExpectations): string[] {
  const e = parseUnit(unitText);
  const S = 'Service';
  const problems: string[] = [];
  const val = (k: string) => unitValue(e, S, k);
  for (const key of GATEWAY_REQUIRED_TRUE) {
    if (!TRUE.has(val(key))) problems.push(`${key}=yes missing`);
  }
  if (val('ProtectSystem') !== 'strict') problems.push('ProtectSystem=strict missing');
  for (const key of ['User', 'Group']) if (val(key) !== gateway.user) problems.push(`${key}=${gateway.user} missing`);
  // The other gateways' processes are other users': invisible in /proc.
  if (val('ProtectProc') !== 'invisible') problems.push('ProtectProc=invisible missing');
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
  const rwWanted = [gateway.stateDir, gateway.logDir].sort();
  if (rw.join(' ') !== rwWanted.join(' ')) problems.push(`ReadWritePaths must be exactly ${rwWanted.join(' ')} (is ${rw.join(' ') || 'unset'})`);
  const ro = unitList(e, S, 'ReadOnlyPaths');
  for (const p of [gateway.configDir, ...(expected?.agentFilesDirs ?? [])]) if (!ro.includes(p)) problems.push(`ReadOnlyPaths must include ${p}`);
  problems.push(...gatewayMemoryProblems(unitText)); // ExecStart (pinned node, heap limit, gateway run), MemoryMax=, MemorySwapMax=0
  const pre = e.filter((x) => x.section === S && x.key === 'ExecStartPre').map((x) => x.value);
  const approvals = gatewayApprovalsImport(gateway);
  if (!pre.includes(approvals)) problems.push(`ExecStartPre=${approvals} missing`);
  if (pre.some((p) => /^[-@:+!]/.test(p))) problems.push('ExecStartPre must run as the gateway user, and its failure must stop the start (no -, +, ! or : prefix)');
  const env = unitList(e, S, 'Environment');
  for (const v of gatewayEnvironment(gateway)) if (!env.includes(v)) problems.push(`Environment=${v} missing`);
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
  // One of the gateways: the target's stop (the kill switch) stops it, its start starts it.
  if (!unitList(e, 'Unit', 'PartOf').includes(GATEWAYS_TARGET)) problems.push(`PartOf=${GATEWAYS_TARGET} missing`);
  if (!unitList(e, 'Install', 'WantedBy').includes(GATEWAYS_TARGET)) problems.push(`WantedBy=${GATEWAYS_TARGET} missing`);
  // A tripped breaker keeps it stopped (across reboots) until the restore removes the marker.
  const marker = `!${breakerMarkerFile(gateway.id)}`;
  if (!unitList(e, 'Unit', 'ConditionPathExists').includes(marker)) problems.push(`ConditionPathExists=${marker} missing (the breaker's stop marker)`);
  if (val('Restart') !== 'on-failure') problems.push('Restart=on-failure missing');
  if (!unitValue(e, 'Unit', 'StartLimitBurst') || !unitValue(e, 'Unit', 'StartLimitIntervalSec')) problems.push('StartLimitBurst= and StartLimitIntervalSec= missing');
  return problems;
}
