import { HOST_PATHS } from '../../lib/host/paths';
import {
  GATEWAY_TOKEN_FILE,
  GATEWAY_UNIT,
  HOST_ENV_FILE,
  INTEGRITY_TIMER,
  INTEGRITY_UNIT,
  PREFLIGHT_UNIT,
  SECRETS_UNIT,
  gatewayUnitProblems,
  parseUnit,
  renderSystemdFiles,
  unitList,
  unitValue,
  type UnitEntry,
} from '../../lib/host/systemd-units';
import { allConfigs, exampleConfig } from '../host/support/host-tools';

// The unit files read as systemd reads them (parseUnit): every directive the
// design depends on, asserted one by one. systemd-analyze (validators.test.ts)
// checks that the files are valid; these tests check that they say what they
// must, and fail when a directive is dropped or weakened.

const config = exampleConfig('prod');
const files = renderSystemdFiles(config);
const unit = (name: string) => parseUnit(files[`systemd/${name}`]!);
const S = 'Service';

describe(`${GATEWAY_UNIT}`, () => {
  const e = unit(GATEWAY_UNIT);
  const value = (key: string, section = S) => unitValue(e, section, key);

  test('runs the pinned node and OpenClaw as the gateway user', () => {
    expect(value('ExecStart')).toBe(`${HOST_PATHS.node} ${HOST_PATHS.openclawBin} gateway run`);
    expect(value('User')).toBe(HOST_PATHS.user);
    expect(value('Group')).toBe(HOST_PATHS.user);
    expect(value('WorkingDirectory')).toBe(HOST_PATHS.stateDir);
    expect(unitList(e, S, 'Environment')).toEqual(
      expect.arrayContaining([
        `HOME=${HOST_PATHS.stateDir}`,
        `OPENCLAW_STATE_DIR=${HOST_PATHS.stateDir}`,
        `OPENCLAW_CONFIG_PATH=${HOST_PATHS.configFile}`,
        'OPENCLAW_CONFIG_READONLY=1',
        'OPENCLAW_NO_AUTO_UPDATE=1',
      ]),
    );
  });

  test.each([
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
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
    expect(files[`systemd/${GATEWAY_UNIT}`]).toMatch(/MemoryDenyWriteExecute= is deliberately NOT set[\s\S]*JIT/);
  });

  test('writes only the state and log folders; config and agent files read-only', () => {
    expect(unitList(e, S, 'ReadWritePaths').sort()).toEqual([HOST_PATHS.logDir, HOST_PATHS.stateDir].sort());
    expect(unitList(e, S, 'ReadOnlyPaths')).toEqual([HOST_PATHS.configDir, HOST_PATHS.agentFilesDir]);
  });

  test('starts only after the preflight and the secrets step, with their failure stopping it', () => {
    expect(unitList(e, 'Unit', 'Requires')).toEqual([PREFLIGHT_UNIT, SECRETS_UNIT]);
    expect(unitList(e, 'Unit', 'After')).toEqual(expect.arrayContaining([PREFLIGHT_UNIT, SECRETS_UNIT, 'network-online.target', 'nftables.service']));
    expect(value('AssertFileNotEmpty', 'Unit')).toBe(GATEWAY_TOKEN_FILE);
  });

  test('restarts on failure within a start limit, not forever', () => {
    expect(Number(value('StartLimitBurst', 'Unit'))).toBeGreaterThan(0);
    expect(Number(value('StartLimitIntervalSec', 'Unit'))).toBeGreaterThan(0);
    expect(Number(value('RestartSec'))).toBeGreaterThan(0);
    expect(unitValue(e, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  test('IMDS is out of the gateway\'s reach, unless the agents use Bedrock', () => {
    expect(unitList(e, S, 'IPAddressDeny')).toEqual(['169.254.169.254/32', 'fd00:ec2::254/128']);
    const bedrock = { ...config, network: { ...config.network, egress: { ...config.network.egress, providers: ['anthropic', 'bedrock'] as typeof config.network.egress.providers } } };
    const withBedrock = parseUnit(renderSystemdFiles(bedrock)[`systemd/${GATEWAY_UNIT}`]!);
    expect(unitList(withBedrock, S, 'IPAddressDeny')).toEqual([]);
  });

  test('every client x environment renders a gateway unit with no sandbox problem', () => {
    for (const c of allConfigs()) expect(gatewayUnitProblems(renderSystemdFiles(c)[`systemd/${GATEWAY_UNIT}`]!)).toEqual([]);
  });
});

describe('gatewayUnitProblems catches each weakening (the render refuses such a unit)', () => {
  const text = files[`systemd/${GATEWAY_UNIT}`]!;
  test.each([
    ['NoNewPrivileges dropped', (t: string) => t.replace('NoNewPrivileges=yes\n', ''), 'NoNewPrivileges=yes missing'],
    ['NoNewPrivileges=no', (t: string) => t.replace('NoNewPrivileges=yes', 'NoNewPrivileges=no'), 'NoNewPrivileges=yes missing'],
    ['ProtectSystem=full', (t: string) => t.replace('ProtectSystem=strict', 'ProtectSystem=full'), 'ProtectSystem=strict missing'],
    ['a capability kept', (t: string) => t.replace('CapabilityBoundingSet=\n', 'CapabilityBoundingSet=CAP_NET_ADMIN\n'), 'CapabilityBoundingSet= must be present and empty'],
    ['netlink allowed', (t: string) => t.replace('AF_INET6\n', 'AF_INET6 AF_NETLINK\n'), 'RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is AF_INET AF_INET6 AF_NETLINK AF_UNIX)'],
    ['@privileged allowed', (t: string) => t.replace('~@privileged @resources', '~@resources'), 'SystemCallFilter=~@privileged missing'],
    ['MemoryDenyWriteExecute on', (t: string) => `${t}\n[Service]\nMemoryDenyWriteExecute=yes\n`, 'MemoryDenyWriteExecute must be off: the V8 JIT needs writable+executable memory'],
    ['/etc writable', (t: string) => t.replace(/^ReadWritePaths=.*$/m, (l) => `${l} /etc`), `ReadWritePaths must be exactly ${[HOST_PATHS.logDir, HOST_PATHS.stateDir].sort().join(' ')} (is /etc ${[HOST_PATHS.logDir, HOST_PATHS.stateDir].sort().join(' ')})`],
    ['runs as root', (t: string) => t.replace(/^User=.*$/m, 'User=root'), `User=${HOST_PATHS.user} missing`],
    ['preflight not required', (t: string) => t.replace(/^Requires=.*$/m, `Requires=${SECRETS_UNIT}`), `Requires= must include ${PREFLIGHT_UNIT}`],
    ['umask 0022', (t: string) => t.replace('UMask=0077', 'UMask=0022'), 'UMask=0077 missing'],
  ])('%s', (_name, weaken, problem) => {
    expect(gatewayUnitProblems(text)).toEqual([]);
    expect(gatewayUnitProblems(weaken(text))).toContain(problem);
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
    expect(unitList(e, 'Unit', 'Before')).toEqual([SECRETS_UNIT, GATEWAY_UNIT]);
    expect(unitList(e, 'Unit', 'After')).toContain('network-online.target');
  });

  test(`${SECRETS_UNIT}: requires the preflight, writes only the secrets and nginx include folders`, () => {
    const e = unit(SECRETS_UNIT);
    expect(unitList(e, 'Unit', 'Requires')).toEqual([PREFLIGHT_UNIT]);
    expect(unitList(e, 'Unit', 'Before')).toEqual([GATEWAY_UNIT, 'nginx.service']);
    expect(unitValue(e, S, 'ExecStart')).toBe(`${HOST_PATHS.libexecDir}/fetch-secrets.sh`);
    expect(unitList(e, S, 'ReadWritePaths')).toEqual([HOST_PATHS.secretsDir, '/etc/nginx/openclaw']);
    expect(unitValue(e, S, 'UMask')).toBe('0077');
    expect(files[`systemd/${SECRETS_UNIT}`]).toContain(`${GATEWAY_TOKEN_FILE}   the gateway token, owner ${HOST_PATHS.user}, mode 0600`);
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

  test('tmpfiles.d: the secrets folder on tmpfs, gateway user only', () => {
    const lines = files['systemd/tmpfiles.d/openclaw.conf']!.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));
    expect(lines).toEqual([
      ['d', '/run/openclaw', '0755', 'root', 'root', '-'],
      ['d', HOST_PATHS.secretsDir, '0700', HOST_PATHS.user, HOST_PATHS.user, '-'],
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
    ]);
  });
});
