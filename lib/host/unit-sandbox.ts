/**
 * The sandbox that openclaw-gateway.service must keep, checked on its text: the
 * hardening settings, the environment, the approvals import, the dependencies and,
 * given a config's expectations, exactly its agent-file mounts and secret files.
 * Checked at render (a weakened template is refused) and by the tests.
 */
import { EXEC_APPROVALS_HOST_FILE } from './host-file-paths';
import { gatewayMemoryProblems } from './gateway-memory-check';
import { HOST_PATHS } from './paths';
import { parseUnit, unitList, unitValue } from './unit-file';
import { PREFLIGHT_UNIT, SECRETS_UNIT, STATE_VOLUME_UNIT } from './unit-names';

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

/** What the gateway unit of a config must hold besides its fixed sandbox (gatewayUnitProblems). */
export interface GatewayUnitExpectations {
  /** BindReadOnlyPaths= entries, `<host path>:<workspace path>`, in order (agentFileBindMounts). */
  readonly bindMounts: readonly string[];
  /** Files that AssertFileNotEmpty= must name, in order (the secret files). */
  readonly secretFiles: readonly string[];
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
  problems.push(...gatewayMemoryProblems(unitText)); // ExecStart (pinned node, heap limit, gateway run), MemoryMax=, MemorySwapMax=0
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
