import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BREAKER_MARKER_DIR, HOST_PATHS } from '../../lib/host/paths';
import { ORIGIN_VERIFY_MAP_PATH, SECRETS_MANIFEST_PATH } from '../../lib/secrets/secrets-manifest';
import { SPEND_METER_MANIFEST_PATH } from '../../lib/host/spend-meter';
import { GATEWAY_HEALTH_METRIC } from '../../lib/shared/metric-names';
import { EGRESS_NO_PROXY, EGRESS_PROXY_UNIT, EGRESS_PROXY_URL } from '../../lib/host/egress-proxy';
import { EGRESS_BLOCKED_COUNTER, NFT_TABLE } from '../../lib/host/nftables-rules';
import {
  GATEWAYS_TARGET,
  HEALTH_TIMER,
  HEALTH_UNIT,
  INTEGRITY_TIMER,
  INTEGRITY_UNIT,
  LOG_EXPORT_TIMER,
  LOG_EXPORT_UNIT,
  PREFLIGHT_UNIT,
  SECRETS_REFRESH_TIMER,
  SECRETS_REFRESH_UNIT,
  SECRETS_UNIT,
  SPEND_METER_TIMER,
  SPEND_METER_UNIT,
  STATE_VOLUME_ATTACH_TIMEOUT_SECONDS,
  STATE_VOLUME_UNIT,
} from '../../lib/host/unit-names';
import { GATEWAY_TOKEN_FILE, HOST_ENV_FILE } from '../../lib/host/host-file-paths';
import { parseUnit, unitList, unitValue, type UnitEntry } from '../../lib/host/unit-file';
import { gatewayApprovalsImport, gatewayUnitProblems } from '../../lib/host/unit-sandbox';
import { agentGateways, gatewayById } from '../../lib/openclaw/gateways';
import { gatewayUnitExpectations, renderSystemdFiles } from '../../lib/host/systemd-units';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';

// The unit files read as systemd reads them (parseUnit): every directive the
// design depends on, asserted one by one. systemd-analyze (validators.test.ts)
// checks that the files are valid; these tests check that they say what they
// must, and fail when a directive is dropped or weakened.

const config = exampleConfig('prod');
const files = renderSystemdFiles(config, CONFIG_DIR);
const unit = (name: string) => parseUnit(files[`systemd/${name}`]!);
const S = 'Service';

/** The example's gateways, pinned: ops on 18789, support on 18790, each its own user. */
const GATEWAYS = [
  { id: 'ops', user: 'openclaw-ops', port: 18789, proxyPort: 3129, other: 'support' },
  { id: 'support', user: 'openclaw-support', port: 18790, proxyPort: 3130, other: 'ops' },
] as const;

test('the example renders exactly two gateway units and the target', () => {
  expect(Object.keys(files).filter((f) => f.startsWith('systemd/openclaw-gateway'))).toEqual([
    'systemd/openclaw-gateway@ops.service',
    'systemd/openclaw-gateway@support.service',
    `systemd/${GATEWAYS_TARGET}`,
  ]);
  expect(agentGateways(config).map((g) => [g.id, g.user, g.port, g.proxyPort])).toEqual(GATEWAYS.map((g) => [g.id, g.user, g.port, g.proxyPort]));
});

describe(`${GATEWAYS_TARGET}`, () => {
  const e = unit(GATEWAYS_TARGET);
  test('is wanted by multi-user.target, and wants nothing itself (each enabled gateway unit adds itself)', () => {
    expect(e).toEqual([
      { section: 'Unit', key: 'Description', value: 'OpenClaw gateways (openclaw-example-prod)', line: expect.any(Number) },
      { section: 'Unit', key: 'Documentation', value: 'https://docs.openclaw.ai', line: expect.any(Number) },
      { section: 'Install', key: 'WantedBy', value: 'multi-user.target', line: expect.any(Number) },
    ]);
  });
});

describe.each(GATEWAYS.map((g) => [g.id, g]))('openclaw-gateway@%s.service', (id, g) => {
  const gateway = gatewayById(config, id);
  const e = unit(`openclaw-gateway@${id}.service`);
  const value = (key: string, section = S) => unitValue(e, section, key);
  const stateDir = `${HOST_PATHS.stateDir}/${id}`;
  const configDir = `${HOST_PATHS.configDir}/gateways/${id}`;

  test('runs the pinned node and OpenClaw as its own user, in its own state folder, with its own config and proxy', () => {
    expect(value('ExecStart')).toBe(`${HOST_PATHS.node} --max-old-space-size=512 ${HOST_PATHS.openclawBin} gateway run`);
    expect(value('User')).toBe(g.user);
    expect(value('Group')).toBe(g.user);
    expect(value('WorkingDirectory')).toBe(stateDir);
    expect(unitList(e, S, 'Environment')).toEqual(
      expect.arrayContaining([
        `HOME=${stateDir}`,
        `OPENCLAW_STATE_DIR=${stateDir}`,
        `OPENCLAW_CONFIG_PATH=${configDir}/openclaw.json`,
        'OPENCLAW_CONFIG_READONLY=1',
        'OPENCLAW_NO_RESPAWN=1',
        'OPENCLAW_NO_AUTO_UPDATE=1',
        `HTTPS_PROXY=http://127.0.0.1:${g.proxyPort}`,
        `https_proxy=http://127.0.0.1:${g.proxyPort}`,
        `HTTP_PROXY=http://127.0.0.1:${g.proxyPort}`,
        `http_proxy=http://127.0.0.1:${g.proxyPort}`,
      ]),
    );
    // The token is read from its secret file, never from the environment.
    expect(unitList(e, S, 'Environment').filter((v) => v.startsWith('OPENCLAW_GATEWAY_TOKEN'))).toEqual([]);
    expect(e.some((x) => x.key === 'EnvironmentFile' || x.key === 'PassEnvironment')).toBe(false);
  });

  test('imports its own exec approvals before every start, as its user, failing the start if it fails', () => {
    const pre = e.filter((x) => x.section === S && x.key === 'ExecStartPre').map((x) => x.value);
    expect(pre).toEqual([`${HOST_PATHS.node} ${HOST_PATHS.openclawBin} approvals set --file ${configDir}/exec-approvals.json`]);
    expect(pre).toEqual([gatewayApprovalsImport(gateway)]);
    // No "+" (root), "-" (failure ignored) or "!" prefix; User= applies to it as to ExecStart=.
    expect(value('User')).toBe(g.user);
  });

  test('only its own agent\'s files are bind-mounted read-only, into that agent\'s workspace in its own state', () => {
    const binds = e.filter((x) => x.section === S && x.key === 'BindReadOnlyPaths').map((x) => x.value);
    expect(binds).toEqual([
      `${HOST_PATHS.agentFilesDir}/${id}/AGENTS.md:${stateDir}/workspaces/${id}/AGENTS.md`,
      `${HOST_PATHS.agentFilesDir}/${id}/SOUL.md:${stateDir}/workspaces/${id}/SOUL.md`,
    ]);
    expect(unitList(e, S, 'BindPaths')).toEqual([]);
  });

  test('the agent files come from the config folder it is given, not the working directory', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-units-'));
    try {
      fs.cpSync(CONFIG_DIR, path.join(elsewhere, 'config'), { recursive: true });
      fs.writeFileSync(path.join(elsewhere, `config/clients/example/agents/${id}/TOOLS.md`), '# Tools\n');
      const rendered = renderSystemdFiles(config, path.join(elsewhere, 'config'));
      expect(unitList(parseUnit(rendered[`systemd/openclaw-gateway@${id}.service`]!), S, 'BindReadOnlyPaths')).toContain(`${HOST_PATHS.agentFilesDir}/${id}/TOOLS.md:${stateDir}/workspaces/${id}/TOOLS.md`);
      // Not in the other gateway's unit.
      expect(unitList(parseUnit(rendered[`systemd/openclaw-gateway@${g.other}.service`]!), S, 'BindReadOnlyPaths').join(' ')).not.toContain('TOOLS.md');
      fs.rmSync(path.join(elsewhere, `config/clients/example/agents/${id}/SOUL.md`));
      expect(() => renderSystemdFiles(config, path.join(elsewhere, 'config'))).toThrow(new RegExp(`${id}/SOUL\\.md: missing`));
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test.each([
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['PrivateMounts', 'yes'],
    ['ProtectProc', 'invisible'],
    ['SystemCallArchitectures', 'native'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectKernelLogs', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['ProtectClock', 'yes'],
    ['ProtectHostname', 'yes'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictRealtime', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['UMask', '0077'],
    ['Restart', 'on-failure'],
  ])('%s=%s', (key, expected) => {
    expect(value(key)).toBe(expected);
  });

  test('no capabilities: CapabilityBoundingSet= and AmbientCapabilities= present and empty', () => {
    for (const key of ['CapabilityBoundingSet', 'AmbientCapabilities']) {
      expect(e.filter((x: UnitEntry) => x.section === S && x.key === key).map((x) => x.value)).toEqual(['']);
    }
  });

  test('sockets: only AF_UNIX, AF_INET and AF_INET6', () => {
    expect(unitList(e, S, 'RestrictAddressFamilies').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
  });

  test('system calls: @system-service without @privileged and @resources; EPERM, not a kill', () => {
    expect(e.filter((x) => x.key === 'SystemCallFilter').map((x) => x.value)).toEqual(['@system-service', '~@privileged @resources']);
    expect(value('SystemCallErrorNumber')).toBe('EPERM');
  });

  test('MemoryDenyWriteExecute is not set (the V8 JIT needs it off), and the unit says why', () => {
    expect(e.some((x) => x.key === 'MemoryDenyWriteExecute')).toBe(false);
    expect(files[`systemd/openclaw-gateway@${id}.service`]).toMatch(/MemoryDenyWriteExecute= is deliberately NOT set[\s\S]*JIT/);
  });

  test('writes only its own state and log folders; its own config and agent files read-only', () => {
    expect(unitList(e, S, 'ReadWritePaths')).toEqual([stateDir, `${HOST_PATHS.logDir}/${id}`]);
    expect(unitList(e, S, 'ReadOnlyPaths')).toEqual([configDir, `${HOST_PATHS.agentFilesDir}/${id}`]);
  });

  test('starts only after the preflight, the secrets step and the state volume (their failure stopping it), the network, the firewall and the egress proxy', () => {
    expect(unitList(e, 'Unit', 'Requires')).toEqual([PREFLIGHT_UNIT, SECRETS_UNIT, STATE_VOLUME_UNIT]);
    // The whole list, pinned: also the network, the host firewall and the egress proxy it reaches out through.
    expect(unitList(e, 'Unit', 'After')).toEqual([PREFLIGHT_UNIT, SECRETS_UNIT, STATE_VOLUME_UNIT, 'network-online.target', 'nftables.service', EGRESS_PROXY_UNIT]);
  });

  test('runs only on the state volume: the gateways\' state folder must be a mount point', () => {
    expect(unitList(e, 'Unit', 'RequiresMountsFor')).toEqual([stateDir]);
    expect(e.filter((x) => x.section === 'Unit' && x.key === 'AssertPathIsMountPoint').map((x) => x.value)).toEqual([HOST_PATHS.stateDir]);
  });

  test('one of the gateways (the target stops it), kept stopped while its own breaker marker exists', () => {
    expect(unitList(e, 'Unit', 'PartOf')).toEqual([GATEWAYS_TARGET]);
    expect(unitList(e, 'Install', 'WantedBy')).toEqual([GATEWAYS_TARGET]);
    expect(unitList(e, 'Unit', 'ConditionPathExists')).toEqual([`!/var/lib/openclaw-meter/breaker/${id}.tripped`]);
  });

  test('refuses to start without each of its own secret files (its token, its agent\'s document), in its own folder', () => {
    const asserts = e.filter((x) => x.section === 'Unit' && x.key === 'AssertFileNotEmpty').map((x) => x.value);
    expect(asserts).toEqual([`${HOST_PATHS.secretsDir}/${id}/gateway-token`, `${HOST_PATHS.secretsDir}/${id}/agent-${id}.json`]);
    expect(asserts).toEqual(gatewayUnitExpectations(config, CONFIG_DIR, gateway).secretFiles);
  });

  test('restarts on failure within a start limit, not forever', () => {
    expect(Number(value('StartLimitBurst', 'Unit'))).toBeGreaterThan(0);
    expect(Number(value('StartLimitIntervalSec', 'Unit'))).toBeGreaterThan(0);
    expect(Number(value('RestartSec'))).toBeGreaterThan(0);
  });

  test('IMDS is out of the gateway\'s reach, unless the agents use Bedrock', () => {
    expect(unitList(e, S, 'IPAddressDeny')).toEqual(['169.254.169.254/32', 'fd00:ec2::254/128']);
    const bedrock = { ...config, network: { ...config.network, egress: { ...config.network.egress, providers: ['anthropic', 'bedrock'] as typeof config.network.egress.providers } } };
    const withBedrock = parseUnit(renderSystemdFiles(bedrock, CONFIG_DIR)[`systemd/openclaw-gateway@${id}.service`]!);
    expect(unitList(withBedrock, S, 'IPAddressDeny')).toEqual([]);
  });
});

test('every client x environment renders a unit per gateway with no sandbox problem', () => {
  for (const c of allConfigs()) {
    const rendered = renderSystemdFiles(c, CONFIG_DIR);
    for (const g of agentGateways(c)) expect(gatewayUnitProblems(rendered[`systemd/${g.unit}`]!, g, gatewayUnitExpectations(c, CONFIG_DIR, g))).toEqual([]);
  }
});

describe.each(GATEWAYS.map((g) => [g.id]))('gatewayUnitProblems catches each weakening of openclaw-gateway@%s.service (the render refuses such a unit)', (id) => {
  const gateway = gatewayById(config, id);
  const text = files[`systemd/${gateway.unit}`]!;
  const expected = gatewayUnitExpectations(config, CONFIG_DIR, gateway);
  const rw = [gateway.stateDir, gateway.logDir].sort().join(' ');
  test.each([
    ['NoNewPrivileges dropped', (t: string) => t.replace('NoNewPrivileges=yes\n', ''), 'NoNewPrivileges=yes missing'],
    ['NoNewPrivileges=no', (t: string) => t.replace('NoNewPrivileges=yes', 'NoNewPrivileges=no'), 'NoNewPrivileges=yes missing'],
    ['ProtectSystem=full', (t: string) => t.replace('ProtectSystem=strict', 'ProtectSystem=full'), 'ProtectSystem=strict missing'],
    ['ProtectProc dropped', (t: string) => t.replace('ProtectProc=invisible\n', ''), 'ProtectProc=invisible missing'],
    ['a capability kept', (t: string) => t.replace('CapabilityBoundingSet=\n', 'CapabilityBoundingSet=CAP_NET_ADMIN\n'), 'CapabilityBoundingSet= must be present and empty'],
    ['netlink allowed', (t: string) => t.replace('AF_INET6\n', 'AF_INET6 AF_NETLINK\n'), 'RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is AF_INET AF_INET6 AF_NETLINK AF_UNIX)'],
    ['@privileged allowed', (t: string) => t.replace('~@privileged @resources', '~@resources'), 'SystemCallFilter=~@privileged missing'],
    ['MemoryDenyWriteExecute on', (t: string) => `${t}\n[Service]\nMemoryDenyWriteExecute=yes\n`, 'MemoryDenyWriteExecute must be off: the V8 JIT needs writable+executable memory'],
    ['/etc writable', (t: string) => t.replace(/^ReadWritePaths=.*$/m, (l) => `${l} /etc`), `ReadWritePaths must be exactly ${rw} (is /etc ${rw})`],
    ['all gateways\' state writable', (t: string) => t.replace(/^ReadWritePaths=\S+/m, `ReadWritePaths=${HOST_PATHS.stateDir}`), `ReadWritePaths must be exactly ${rw} (is ${[HOST_PATHS.stateDir, gateway.logDir].sort().join(' ')})`],
    ['runs as root', (t: string) => t.replace(/^User=.*$/m, 'User=root'), `User=openclaw-${id} missing`],
    ['runs as the old shared user', (t: string) => t.replace(/^User=.*$/m, 'User=openclaw'), `User=openclaw-${id} missing`],
    ['preflight not required', (t: string) => t.replace(/^Requires=.*$/m, `Requires=${SECRETS_UNIT}`), `Requires= must include ${PREFLIGHT_UNIT}`],
    ['umask 0022', (t: string) => t.replace('UMask=0077', 'UMask=0022'), 'UMask=0077 missing'],
    ['approvals import dropped', (t: string) => t.replace(/^ExecStartPre=.*\n/m, ''), `ExecStartPre=${gatewayApprovalsImport(gateway)} missing`],
    ['approvals import as root', (t: string) => t.replace('ExecStartPre=', 'ExecStartPre=+'), 'ExecStartPre must run as the gateway user, and its failure must stop the start (no -, +, ! or : prefix)'],
    ['token in the environment', (t: string) => t.replace('Environment=NODE_ENV=production', 'Environment=OPENCLAW_GATEWAY_TOKEN=abc'), 'Environment=OPENCLAW_GATEWAY_TOKEN must not be set'],
    ['config writable by OpenClaw', (t: string) => t.replace('Environment=OPENCLAW_CONFIG_READONLY=1\n', ''), 'Environment=OPENCLAW_CONFIG_READONLY=1 missing'],
    ['an agent file not mounted', (t: string) => t.replace(new RegExp(`^BindReadOnlyPaths=.*${id}/SOUL\\.md\n`, 'm'), ''), `BindReadOnlyPaths must be exactly the agent files (${expected.bindMounts.join(' ')}), is ${expected.bindMounts.filter((m) => !m.includes(`${id}/SOUL.md`)).join(' ')}`],
    ['a secret file not asserted', (t: string) => t.replace(/^AssertFileNotEmpty=.*gateway-token\n/m, ''), `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.filter((f) => !f.endsWith('gateway-token')).join(' ')}`],
    ['a writable bind mount', (t: string) => `${t}\n[Service]\nBindPaths=/etc/openclaw\n`, 'BindPaths= must not be set (writable bind mounts)'],
    ['out of the target', (t: string) => t.replace(/^PartOf=.*\n/m, ''), `PartOf=${GATEWAYS_TARGET} missing`],
    ['breaker marker ignored', (t: string) => t.replace(/^ConditionPathExists=.*\n/m, ''), `ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped missing (the breaker's stop marker)`],
  ])('%s', (_name, weaken, problem) => {
    expect(gatewayUnitProblems(text, gateway, expected)).toEqual([]);
    expect(gatewayUnitProblems(weaken(text), gateway, expected)).toContain(problem);
  });
});

/**
 * The sandbox of the secrets units: root (to hand the secret files to the gateway user),
 * but writing only the secrets folder and nginx's include folder, with three capabilities.
 * openclaw-secrets-refresh.service runs the same program: the same sandbox, setting by setting.
 */
const SECRETS_SANDBOX: readonly (readonly [string, readonly string[]])[] = [
  ['ProtectSystem', ['strict']],
  ['ReadWritePaths', [HOST_PATHS.secretsDir, '/etc/nginx/openclaw']],
  ['UMask', ['0077']],
  ['ProtectHome', ['yes']],
  ['PrivateTmp', ['yes']],
  ['PrivateDevices', ['yes']],
  ['NoNewPrivileges', ['yes']],
  ['CapabilityBoundingSet', ['CAP_CHOWN', 'CAP_FOWNER', 'CAP_DAC_OVERRIDE']],
  ['AmbientCapabilities', []],
  ['RestrictSUIDSGID', ['yes']],
  ['ProtectKernelTunables', ['yes']],
  ['ProtectKernelModules', ['yes']],
  ['ProtectKernelLogs', ['yes']],
  ['ProtectControlGroups', ['yes']],
  ['ProtectClock', ['yes']],
  ['ProtectHostname', ['yes']],
  ['LockPersonality', ['yes']],
  ['RestrictNamespaces', ['yes']],
  ['RestrictRealtime', ['yes']],
  ['RestrictAddressFamilies', ['AF_UNIX', 'AF_INET', 'AF_INET6']],
  ['SystemCallArchitectures', ['native']],
  ['SystemCallFilter', ['@system-service']],
  ['SystemCallErrorNumber', ['EPERM']],
];

describe.each([SECRETS_UNIT, SECRETS_REFRESH_UNIT])('%s: the secrets sandbox', (name) => {
  const e = unit(name);
  test.each(SECRETS_SANDBOX)('%s', (key, expected) => {
    expect(e.some((x) => x.section === S && x.key === key)).toBe(true);
    expect(unitList(e, S, key)).toEqual(expected);
  });

  test('no other writable path, no command besides ExecStart= (which the sandbox covers)', () => {
    const keys = new Set(e.filter((x) => x.section === S).map((x) => x.key));
    for (const key of ['ReadWriteDirectories', 'BindPaths', 'ExecStartPre', 'ExecStartPost', 'ExecStopPost', 'PermissionsStartOnly']) {
      expect({ key, set: keys.has(key) }).toEqual({ key, set: false });
    }
  });
});

describe('the helper units', () => {
  test(`${PREFLIGHT_UNIT}: oneshot before the secrets step and the gateway, sandboxed, no root`, () => {
    const e = unit(PREFLIGHT_UNIT);
    expect(unitValue(e, S, 'Type')).toBe('oneshot');
    expect(unitValue(e, S, 'RemainAfterExit')).toBe('yes');
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/imds-preflight.sh`);
    expect(unitValue(e, S, 'EnvironmentFile')).toBe(HOST_ENV_FILE);
    expect(unitValue(e, S, 'DynamicUser')).toBe('yes');
    expect(unitValue(e, S, 'NoNewPrivileges')).toBe('yes');
    expect(unitList(e, 'Unit', 'Before')).toEqual([SECRETS_UNIT, 'openclaw-gateway@ops.service', 'openclaw-gateway@support.service']);
    expect(unitList(e, 'Unit', 'After')).toContain('network-online.target');
  });

  test(`${SECRETS_UNIT}: requires the preflight, writes only the secrets and nginx include folders`, () => {
    const e = unit(SECRETS_UNIT);
    expect(unitList(e, 'Unit', 'Requires')).toEqual([PREFLIGHT_UNIT]);
    expect(unitList(e, 'Unit', 'Before')).toEqual(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service', 'nginx.service']);
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/fetch-secrets.sh`);
    expect(unitList(e, S, 'ReadWritePaths')).toEqual([HOST_PATHS.secretsDir, '/etc/nginx/openclaw']);
    expect(unitValue(e, S, 'UMask')).toBe('0077');
    // A hung retrieval fails the boot step (and so keeps the gateway stopped) instead of waiting forever.
    const timeout = Number(unitValue(e, S, 'TimeoutStartSec'));
    expect(timeout).toBeGreaterThanOrEqual(90);
    expect(timeout).toBeLessThanOrEqual(300);
    const doc = files[`systemd/${SECRETS_UNIT}`]!;
    // The contract with the retrieval program (lib/secrets/secrets-manifest.ts, host/fetch-secrets/).
    expect(doc).toContain(`reads every secret of ${SECRETS_MANIFEST_PATH} from AWS Secrets\n# Manager and, only when all succeeded, writes`);
    expect(doc).toContain(`#   ${GATEWAY_TOKEN_FILE}               the gateway token\n`);
    expect(doc).toContain(`#   ${HOST_PATHS.secretsDir}/agent-<agent>.json    each agent's credential document\n`);
    expect(doc).toContain(`owner ${HOST_PATHS.user}:${HOST_PATHS.user}, mode 0400, a regular file with one hard link`);
    expect(doc).toContain(`#   ${ORIGIN_VERIFY_MAP_PATH}   root:root 0600`);
    expect(doc).toContain('each atomically (temp file in the same folder, then rename)');
    expect(doc).toMatch(/the gateway and\n# nginx, which require this unit, stay stopped/);
    expect(doc).not.toMatch(/0600[^\n]*(gateway token|secret)/);
    expect(doc).not.toMatch(/placeholder/i);
  });

  test(`${SECRETS_REFRESH_UNIT}: re-runs the secrets step on demand, bounded in time, never at boot by itself`, () => {
    const e = unit(SECRETS_REFRESH_UNIT);
    expect(unitValue(e, S, 'Type')).toBe('oneshot');
    // Each `systemctl start` (timer, SSM document) must run it again: no RemainAfterExit=.
    expect(unitValue(e, S, 'RemainAfterExit')).toBeUndefined();
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/refresh-secrets.sh`);
    expect(unitValue(e, S, 'EnvironmentFile')).toBe(HOST_ENV_FILE);
    expect(unitList(e, 'Unit', 'After')).toEqual([SECRETS_UNIT, EGRESS_PROXY_UNIT]);
    const timeout = Number(unitValue(e, S, 'TimeoutStartSec'));
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThanOrEqual(300);
    // Started by its timer and the rotation's SSM document only.
    expect(e.filter((x) => x.section === 'Install')).toEqual([]);
  });

  test(`${SECRETS_REFRESH_TIMER}: every 15 minutes, starting the refresh unit`, () => {
    const timer = unit(SECRETS_REFRESH_TIMER);
    expect(unitValue(timer, 'Timer', 'OnBootSec')).toBe('15min');
    expect(unitValue(timer, 'Timer', 'OnUnitActiveSec')).toBe('15min');
    expect(unitValue(timer, 'Timer', 'Unit')).toBe(SECRETS_REFRESH_UNIT);
    expect(unitValue(timer, 'Install', 'WantedBy')).toBe('timers.target');
  });

  test(`${INTEGRITY_UNIT} and ${INTEGRITY_TIMER}: the check at boot and every 15 minutes`, () => {
    const svc = unit(INTEGRITY_UNIT);
    expect(unitValue(svc, S, 'Type')).toBe('oneshot');
    expect(unitValue(svc, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/check-agent-files.sh`);
    expect(unitValue(svc, S, 'ProtectSystem')).toBe('strict');
    expect(unitList(svc, S, 'CapabilityBoundingSet')).toEqual(['CAP_SETUID', 'CAP_SETGID', 'CAP_AUDIT_WRITE']);
    const timer = unit(INTEGRITY_TIMER);
    expect(unitValue(timer, 'Timer', 'OnBootSec')).toBe('1min');
    expect(unitValue(timer, 'Timer', 'OnUnitActiveSec')).toBe('15min');
    expect(unitValue(timer, 'Timer', 'Unit')).toBe(INTEGRITY_UNIT);
    expect(unitValue(timer, 'Install', 'WantedBy')).toBe('timers.target');
  });

  test('tmpfiles.d: the secrets folders on tmpfs, one per gateway, its user only', () => {
    const lines = files['systemd/tmpfiles.d/openclaw.conf']!.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));
    expect(lines).toEqual([
      ['d', '/run/openclaw', '0755', 'root', 'root', '-'],
      ['d', HOST_PATHS.secretsDir, '0755', 'root', 'root', '-'],
      ['d', `${HOST_PATHS.secretsDir}/ops`, '0700', 'openclaw-ops', 'openclaw-ops', '-'],
      ['d', `${HOST_PATHS.secretsDir}/support`, '0700', 'openclaw-support', 'openclaw-support', '-'],
    ]);
    expect(HOST_PATHS.secretsDir.startsWith('/run/')).toBe(true);
  });

  test('nginx waits for the secrets step and requires the firewall', () => {
    const e = parseUnit(files['systemd/nginx.service.d/openclaw.conf']!);
    expect(unitList(e, 'Unit', 'After')).toEqual([SECRETS_UNIT, 'nftables.service']);
    expect(unitList(e, 'Unit', 'Requires')).toEqual(['nftables.service']);
  });

  test('host.env names the deployment, its metric namespace and region', () => {
    expect(files['openclaw/host.env']!.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'OPENCLAW_DEPLOYMENT=openclaw-example-prod',
      'OPENCLAW_METRIC_NAMESPACE=OpenClaw/openclaw-example-prod',
      `AWS_REGION=${config.aws.region}`,
      `AWS_DEFAULT_REGION=${config.aws.region}`,
      'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional',
      ...['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].map((k) => `${k}=${EGRESS_PROXY_URL}`),
      ...['NO_PROXY', 'no_proxy'].map((k) => `${k}=${EGRESS_NO_PROXY.join(',')}`),
    ]);
  });
});

describe('the audit trail and health units', () => {
  const commonSandbox = (e: UnitEntry[], allowed: { execStartPre?: string[] } = {}) => {
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectClock', 'ProtectHostname', 'LockPersonality', 'RestrictNamespaces', 'RestrictRealtime', 'RestrictSUIDSGID']) {
      expect({ key, value: unitValue(e, S, key) }).toEqual({ key, value: 'yes' });
    }
    expect(unitValue(e, S, 'ProtectSystem')).toBe('strict');
    expect(unitValue(e, S, 'UMask')).toBe('0077');
    expect(unitList(e, S, 'AmbientCapabilities')).toEqual([]);
    expect(e.filter((x) => x.section === S && x.key === 'SystemCallFilter').map((x) => x.value)).toEqual(['@system-service', '~@privileged @resources']);
    expect(unitValue(e, S, 'SystemCallErrorNumber')).toBe('EPERM');
    // Failures only in the journal: output at warning, systemd's per-minute start/finish (info) dropped.
    expect(unitValue(e, S, 'SyslogLevel')).toBe('warning');
    expect(unitValue(e, S, 'LogLevelMax')).toBe('notice');
    // Started by its timer only; each start runs it again.
    expect(unitValue(e, S, 'Type')).toBe('oneshot');
    expect(unitValue(e, S, 'RemainAfterExit')).toBeUndefined();
    expect(e.filter((x) => x.section === 'Install')).toEqual([]);
    for (const key of ['ReadWritePaths', 'ReadWriteDirectories', 'BindPaths', 'ExecStartPost', 'PermissionsStartOnly']) {
      expect({ key, set: e.some((x) => x.section === S && x.key === key) }).toEqual({ key, set: false });
    }
    // Only the ExecStartPre commands a test names exactly (a privileged "+" command is a hole otherwise).
    expect(e.filter((x) => x.section === S && x.key === 'ExecStartPre').map((x) => x.value)).toEqual(allowed.execStartPre ?? []);
  };

  test(`${HEALTH_UNIT}: the health check, as a throw-away user without capabilities, bounded in time`, () => {
    const e = unit(HEALTH_UNIT);
    // The two privileged steps: a fixed, read-only `nft list counter` of the ruleset's named counter, and the
    // names in the breaker's root 0700 marker folder (the gateways it stopped), each into a root-owned file
    // of /run (the check cannot write there, so it cannot redirect the root write), failure ignored.
    const snapshot = `/run/openclaw-egress-blocked.counter`;
    const tripped = '/run/openclaw-breaker-tripped.list';
    commonSandbox(e, {
      execStartPre: [
        `-+/bin/sh -c 'umask 022; /usr/sbin/nft list counter inet ${NFT_TABLE} ${EGRESS_BLOCKED_COUNTER} >${snapshot} || rm -f ${snapshot}'`,
        `-+/bin/sh -c 'umask 022; ls -1 ${BREAKER_MARKER_DIR} >${tripped} 2>/dev/null || rm -f ${tripped}'`,
        // The gateways' probes, each as its gateway's user (run-gateway-probes.sh: test/host-runtime/gateway-probes-run.test.ts).
        `-+${HOST_PATHS.libexecDir}/run-gateway-probes.sh`,
      ],
    });
    // The last value survives between runs (not a reboot, when the counter restarts too), readable by the check alone.
    expect(unitValue(e, S, 'RuntimeDirectory')).toBe('openclaw-health');
    expect(unitValue(e, S, 'RuntimeDirectoryMode')).toBe('0700');
    expect(unitValue(e, S, 'RuntimeDirectoryPreserve')).toBe('yes');
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/check-gateway-health.sh`);
    expect(unitValue(e, S, 'EnvironmentFile')).toBe(HOST_ENV_FILE);
    expect(unitValue(e, S, 'DynamicUser')).toBe('yes');
    expect(unitList(e, S, 'CapabilityBoundingSet')).toEqual([]);
    expect(e.some((x) => x.section === S && x.key === 'CapabilityBoundingSet')).toBe(true);
    expect(unitList(e, S, 'RestrictAddressFamilies').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    // Healthy runs print their OK line to nowhere: the metric is the record.
    expect(unitValue(e, S, 'StandardOutput')).toBe('null');
    expect(unitValue(e, S, 'StandardError')).toBe('journal');
    const timeout = Number(unitValue(e, S, 'TimeoutStartSec'));
    // The gateways' probes in parallel (10 s, a 15 s backstop), then a probe of 5 s per gateway, the nginx and egress probes, the metric call (15 s).
    expect(timeout).toBeGreaterThan(15 + (agentGateways(config).length + 2) * 5 + 15);
    expect(timeout).toBeLessThanOrEqual(90);
    expect(files[`systemd/${HEALTH_UNIT}`]).toContain(`publishes ${GATEWAY_HEALTH_METRIC} (1 all fine, 0 not; and one per gateway with`);
  });

  test(`${HEALTH_TIMER}: every minute, the first two minutes after it starts`, () => {
    const t = unit(HEALTH_TIMER);
    expect(unitValue(t, 'Timer', 'OnActiveSec')).toBe('2min');
    expect(unitValue(t, 'Timer', 'OnUnitActiveSec')).toBe('1min');
    expect(unitValue(t, 'Timer', 'Unit')).toBe(HEALTH_UNIT);
    expect(unitValue(t, 'Install', 'WantedBy')).toBe('timers.target');
  });

  test(`${LOG_EXPORT_UNIT}: root with two capabilities (read the gateway's log, set append-only), no network, writing only its own folders`, () => {
    const e = unit(LOG_EXPORT_UNIT);
    commonSandbox(e);
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/export-logs.sh`);
    expect(unitValue(e, S, 'User')).toBeUndefined();
    expect(unitValue(e, S, 'DynamicUser')).toBeUndefined();
    expect(unitList(e, S, 'CapabilityBoundingSet')).toEqual(['CAP_DAC_READ_SEARCH', 'CAP_LINUX_IMMUTABLE']);
    expect(unitValue(e, S, 'PrivateNetwork')).toBe('yes');
    expect(unitList(e, S, 'IPAddressDeny')).toEqual(['any']);
    expect(unitList(e, S, 'RestrictAddressFamilies')).toEqual(['AF_UNIX']);
    expect(unitValue(e, S, 'MemoryDenyWriteExecute')).toBe('yes');
    // The only writable paths: the audit folder and the state folder, which systemd creates root 0700.
    expect(`/var/log/${unitValue(e, S, 'LogsDirectory')}`).toBe(HOST_PATHS.auditLogDir);
    expect(`/var/lib/${unitValue(e, S, 'StateDirectory')}`).toBe(HOST_PATHS.logExportStateDir);
    expect(unitValue(e, S, 'LogsDirectoryMode')).toBe('0700');
    expect(unitValue(e, S, 'StateDirectoryMode')).toBe('0700');
    const timeout = Number(unitValue(e, S, 'TimeoutStartSec'));
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThanOrEqual(300);
  });

  test(`${LOG_EXPORT_TIMER}: every minute from the first minute after boot`, () => {
    const t = unit(LOG_EXPORT_TIMER);
    expect(unitValue(t, 'Timer', 'OnBootSec')).toBe('1min');
    expect(unitValue(t, 'Timer', 'OnUnitActiveSec')).toBe('1min');
    expect(unitValue(t, 'Timer', 'Unit')).toBe(LOG_EXPORT_UNIT);
    expect(unitValue(t, 'Install', 'WantedBy')).toBe('timers.target');
  });

  test('the audit copies are out of the gateway\'s reach: not under any folder its unit may write', () => {
    const writable = agentGateways(config).flatMap((g) => unitList(unit(g.unit), S, 'ReadWritePaths'));
    expect(writable.length).toBeGreaterThan(0);
    for (const dir of [HOST_PATHS.auditLogDir, HOST_PATHS.logExportStateDir]) {
      for (const w of writable) expect({ dir, w, inside: dir === w || dir.startsWith(`${w}/`) }).toEqual({ dir, w, inside: false });
    }
  });
});

describe('the state volume', () => {
  test(`${STATE_VOLUME_UNIT}: a oneshot before the gateway and the spend meter, after the preflight, bounded in time`, () => {
    const e = unit(STATE_VOLUME_UNIT);
    expect(unitValue(e, S, 'Type')).toBe('oneshot');
    expect(unitValue(e, S, 'RemainAfterExit')).toBe('yes');
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/attach-state-volume.sh`);
    expect(unitValue(e, S, 'EnvironmentFile')).toBe(HOST_ENV_FILE);
    expect(unitList(e, 'Unit', 'Requires')).toEqual([PREFLIGHT_UNIT]);
    expect(unitList(e, 'Unit', 'After')).toEqual(expect.arrayContaining([PREFLIGHT_UNIT]));
    expect(unitList(e, 'Unit', 'Before')).toEqual(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service', SPEND_METER_UNIT]);
    expect(Number(unitValue(e, S, 'TimeoutStartSec'))).toBeGreaterThan(STATE_VOLUME_ATTACH_TIMEOUT_SECONDS + 120);
    expect(unitValue(e, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  test(`${STATE_VOLUME_UNIT}: no option that would give it a mount namespace of its own (its mounts must reach the host) or hide the device`, () => {
    const e = unit(STATE_VOLUME_UNIT);
    for (const key of ['ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'PrivateMounts', 'ReadOnlyPaths', 'ReadWritePaths', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectClock', 'DevicePolicy', 'DeviceAllow', 'DynamicUser', 'TemporaryFileSystem', 'MountFlags']) {
      expect([key, unitValue(e, S, key)]).toEqual([key, undefined]);
    }
    expect(unitList(e, S, 'CapabilityBoundingSet').sort()).toEqual(['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_SYS_ADMIN']);
    expect(unitValue(e, S, 'NoNewPrivileges')).toBe('yes');
  });

  test(`${SPEND_METER_UNIT}: requires the state volume, and both its folders mounted (the month's totals survive the host)`, () => {
    const e = unit(SPEND_METER_UNIT);
    expect(unitList(e, 'Unit', 'Requires')).toEqual([STATE_VOLUME_UNIT]);
    expect(unitList(e, 'Unit', 'After')).toEqual(expect.arrayContaining([STATE_VOLUME_UNIT]));
    expect(e.filter((x) => x.section === 'Unit' && x.key === 'AssertPathIsMountPoint').map((x) => x.value)).toEqual([HOST_PATHS.stateDir, HOST_PATHS.spendMeterStateDir]);
  });

  test.each(['ops', 'support'])('the unit of gateway %s without the state volume is refused at render', (id) => {
    const g = gatewayById(config, id);
    const text = renderSystemdFiles(config, CONFIG_DIR)[`systemd/${g.unit}`]!;
    const weakened = text.replace(`AssertPathIsMountPoint=${HOST_PATHS.stateDir}\n`, '');
    expect(gatewayUnitProblems(weakened, g, gatewayUnitExpectations(config, CONFIG_DIR, g))).toEqual([`AssertPathIsMountPoint=${HOST_PATHS.stateDir} missing (the state volume)`]);
    const noRequire = text.replace(` ${STATE_VOLUME_UNIT}\nAfter=`, '\nAfter=');
    expect(gatewayUnitProblems(noRequire, g, gatewayUnitExpectations(config, CONFIG_DIR, g))).toEqual([`Requires= must include ${STATE_VOLUME_UNIT}`]);
  });
});

describe('the spend meter', () => {
  test(`${SPEND_METER_UNIT}: root with two capabilities (read the gateways' state; the breaker's nft counters), that state read-only, writing only its own folder (the breaker's markers too)`, () => {
    const e = unit(SPEND_METER_UNIT);
    expect(unitValue(e, S, 'Type')).toBe('oneshot');
    expect(unitValue(e, S, 'RemainAfterExit')).toBeUndefined();
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.node} ${HOST_PATHS.libexecDir}/spend-meter.js --manifest ${SPEND_METER_MANIFEST_PATH}`);
    // Root, so that the gateway user can neither stop it nor change its state.
    expect(unitValue(e, S, 'User')).toBeUndefined();
    expect(unitValue(e, S, 'DynamicUser')).toBeUndefined();
    // CAP_NET_ADMIN: nf_tables answers `nft list counter` (the breaker's refused-egress counters) only with it.
    expect(unitList(e, S, 'CapabilityBoundingSet').sort()).toEqual(['CAP_DAC_READ_SEARCH', 'CAP_NET_ADMIN']);
    expect(e.filter((x) => x.section === S && x.key === 'AmbientCapabilities').map((x) => x.value)).toEqual(['']);
    expect(unitValue(e, S, 'ProtectSystem')).toBe('strict');
    expect(unitList(e, S, 'ReadOnlyPaths')).toEqual([HOST_PATHS.stateDir]);
    expect(unitList(e, S, 'ReadWritePaths')).toEqual([HOST_PATHS.spendMeterStateDir]);
    expect(`/var/lib/${unitValue(e, S, 'StateDirectory')}`).toBe(HOST_PATHS.spendMeterStateDir);
    expect(unitValue(e, S, 'StateDirectoryMode')).toBe('0700');
    // The breaker writes its stop markers there: inside the one writable folder.
    expect(BREAKER_MARKER_DIR.startsWith(`${HOST_PATHS.spendMeterStateDir}/`)).toBe(true);
    // Nothing that would cut it off from netlink, loopback (its proxy) or systemd's socket.
    for (const key of ['PrivateNetwork', 'IPAddressDeny', 'IPAddressAllow', 'PrivateUsers', 'InaccessiblePaths', 'NetworkNamespacePath']) {
      expect({ key, set: e.some((x) => x.section === S && x.key === key) }).toEqual({ key, set: false });
    }
    for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectClock', 'ProtectHostname', 'LockPersonality', 'RestrictNamespaces', 'RestrictRealtime', 'RestrictSUIDSGID', 'PrivateMounts']) {
      expect({ key, value: unitValue(e, S, key) }).toEqual({ key, value: 'yes' });
    }
    expect(unitValue(e, S, 'UMask')).toBe('0077');
    // AF_NETLINK: nft; AF_UNIX: systemctl stop (systemd's private socket); AF_INET(6): the proxy.
    expect(unitList(e, S, 'RestrictAddressFamilies').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
    expect(e.filter((x) => x.section === S && x.key === 'SystemCallFilter').map((x) => x.value)).toEqual(['@system-service', '~@privileged @resources']);
    expect(unitValue(e, S, 'SystemCallErrorNumber')).toBe('EPERM');
    // Its own line every run reaches the journal (notice), systemd's start/finish (info) does not.
    expect(unitValue(e, S, 'SyslogLevel')).toBe('notice');
    expect(unitValue(e, S, 'LogLevelMax')).toBe('notice');
    const timeout = Number(unitValue(e, S, 'TimeoutStartSec'));
    expect(timeout).toBeGreaterThan(10);
    expect(timeout).toBeLessThan(60);
    // Started by its timer only; no other command than ExecStart=.
    expect(e.filter((x) => x.section === 'Install')).toEqual([]);
    for (const key of ['ReadWriteDirectories', 'BindPaths', 'ExecStartPre', 'ExecStartPost', 'PermissionsStartOnly', 'EnvironmentFile']) {
      expect({ key, set: e.some((x) => x.section === S && x.key === key) }).toEqual({ key, set: false });
    }
  });

  test(`${SPEND_METER_TIMER}: every minute from the first minute after boot, 5 s accuracy`, () => {
    const t = unit(SPEND_METER_TIMER);
    expect(unitValue(t, 'Timer', 'OnBootSec')).toBe('1min');
    expect(unitValue(t, 'Timer', 'OnUnitActiveSec')).toBe('1min');
    expect(unitValue(t, 'Timer', 'AccuracySec')).toBe('5s');
    expect(unitValue(t, 'Timer', 'Unit')).toBe(SPEND_METER_UNIT);
    expect(unitValue(t, 'Install', 'WantedBy')).toBe('timers.target');
  });

  test('its state is out of the gateway\'s reach, and the gateway\'s state out of its writes', () => {
    const gatewayWritable = agentGateways(config).flatMap((g) => unitList(unit(g.unit), S, 'ReadWritePaths'));
    for (const w of gatewayWritable) {
      const dir = HOST_PATHS.spendMeterStateDir;
      expect({ w, inside: dir === w || dir.startsWith(`${w}/`) }).toEqual({ w, inside: false });
    }
    const meterWritable = unitList(unit(SPEND_METER_UNIT), S, 'ReadWritePaths');
    for (const w of meterWritable) expect({ w, inGatewayState: w === HOST_PATHS.stateDir || w.startsWith(`${HOST_PATHS.stateDir}/`) }).toEqual({ w, inGatewayState: false });
  });
});
