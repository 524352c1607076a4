import { GATEWAY_EXEC_START } from '../../lib/host/gateway-memory-check';
import { agentGateways, type AgentGateway } from '../../lib/openclaw/gateways';
import { GATEWAY_REQUIRED_TRUE, gatewayApprovalsImport, gatewayEnvironment, gatewayUnitProblems } from '../../lib/host/unit-sandbox';
import { gatewayUnitBundlePath, gatewayUnitExpectations, renderSystemdFiles } from '../../lib/host/systemd-units';
import { CONFIG_DIR } from '../support/config-fixture';
import { exampleConfig } from './support/host-tools';

// lib/host/unit-sandbox.ts: the gateway sandbox checker, every refusal with its exact message,
// on the rendered unit of EACH gateway of the example config (ops, support) with one line changed.

const config = exampleConfig('prod');
const files = renderSystemdFiles(config, CONFIG_DIR);
const gateways = agentGateways(config);

/** `text` with `from` replaced by `to`; fails when `from` is not there (an edit that changes nothing proves nothing). */
function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

test('the example has two gateways, ops and support, each checked below', () => {
  expect(gateways.map((g) => g.id)).toEqual(['ops', 'support']);
});

describe.each(gateways.map((g) => [g.id, g] as [string, AgentGateway]))('gateway %s', (_id, gateway) => {
const gatewayText = files[gatewayUnitBundlePath(gateway)]!;
const expected = gatewayUnitExpectations(config, CONFIG_DIR, gateway);
const GATEWAY_APPROVALS_IMPORT = gatewayApprovalsImport(gateway);
const GATEWAY_ENVIRONMENT = gatewayEnvironment(gateway);
const id = gateway.id;
const user = gateway.user;
/** The gateway unit with the whole line `line` replaced by `to` ('' drops it). */
const gatewayWith = (line: string, to: string) => edit(gatewayText, `\n${line}\n`, to === '' ? '\n' : `\n${to}\n`);

describe('gatewayUnitProblems: the gateway sandbox, each weakening refused with its message', () => {
  test('the rendered unit has none, with and without the config\'s expectations', () => {
    expect(gatewayUnitProblems(gatewayText, gateway, expected)).toEqual([]);
    expect(gatewayUnitProblems(gatewayText, gateway)).toEqual([]);
  });

  test.each(GATEWAY_REQUIRED_TRUE.map((k) => [k]))('%s=no, or dropped, is refused', (key) => {
    expect(gatewayUnitProblems(gatewayWith(`${key}=yes`, `${key}=no`), gateway, expected)).toEqual([`${key}=yes missing`]);
    expect(gatewayUnitProblems(gatewayWith(`${key}=yes`, ''), gateway, expected)).toEqual([`${key}=yes missing`]);
  });

  test.each(['true', 'on', '1'])('%s counts as yes', (yes) => {
    expect(gatewayUnitProblems(gatewayWith('NoNewPrivileges=yes', `NoNewPrivileges=${yes}`), gateway, expected)).toEqual([]);
  });

  test('a setting in another section does not count', () => {
    const moved = edit(gatewayWith('NoNewPrivileges=yes', ''), '[Unit]\n', '[Unit]\nNoNewPrivileges=yes\n');
    expect(gatewayUnitProblems(moved, gateway, expected)).toEqual(['NoNewPrivileges=yes missing']);
  });

  /** The gateway unit with `line` moved from its section to the end of `section` ([Unit] ends where [Service] starts, [Service] where [Install] does). */
  const moveTo = (line: string, section: 'Unit' | 'Service' | 'Install') => {
    const without = gatewayWith(line, '');
    if (section === 'Install') return `${without}${line}\n`;
    const next = section === 'Unit' ? '[Service]\n' : '[Install]\n';
    return edit(without, next, `${line}\n${next}`);
  };

  test.each([
    ['CapabilityBoundingSet=', 'Unit', ['CapabilityBoundingSet= must be present and empty']],
    ['SystemCallFilter=@system-service', 'Install', ['SystemCallFilter=@system-service missing']],
    ['SystemCallFilter=~@privileged @resources', 'Unit', ['SystemCallFilter=~@privileged missing', 'SystemCallFilter=~@resources missing']],
    [`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, 'Unit', [`ExecStartPre=${GATEWAY_APPROVALS_IMPORT} missing`]],
    ['AssertPathIsMountPoint=/var/lib/openclaw', 'Service', ['AssertPathIsMountPoint=/var/lib/openclaw missing (the state volume)']],
    ['PartOf=openclaw-gateways.target', 'Service', ['PartOf=openclaw-gateways.target missing']],
    ['WantedBy=openclaw-gateways.target', 'Unit', ['WantedBy=openclaw-gateways.target missing']],
  ] as const)('%s moved to [%s] does not count', (line, section, problems) => {
    expect(gatewayUnitProblems(moveTo(line, section), gateway, expected)).toEqual(problems);
  });

  test('a secret-file assertion moved to [Service] does not count', () => {
    const last = `AssertFileNotEmpty=${expected.secretFiles[1]}`;
    expect(gatewayUnitProblems(moveTo(last, 'Service'), gateway, expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.slice(0, 1).join(' ')}`,
    ]);
  });

  test('only SystemCallFilter= filters system calls: the same value under SystemCallLog= does not count', () => {
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=@system-service', 'SystemCallLog=@system-service'), gateway, expected)).toEqual(['SystemCallFilter=@system-service missing']);
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=~@privileged @resources', 'SystemCallLog=~@privileged @resources'), gateway, expected)).toEqual([
      'SystemCallFilter=~@privileged missing',
      'SystemCallFilter=~@resources missing',
    ]);
  });

  test.each(['Unit', 'Install'] as const)('EnvironmentFile= and PassEnvironment= outside [Service] (in [%s]) are not the service\'s environment', (section) => {
    const inSection = (text: string, l: string) =>
      section === 'Install' ? `${text}${l}\n` : edit(text, '[Service]\n', `${l}\n[Service]\n`);
    expect(gatewayUnitProblems(inSection(inSection(gatewayText, 'EnvironmentFile=/etc/openclaw/host.env'), 'PassEnvironment=X'), gateway, expected)).toEqual([]);
  });

  test.each([
    ['ProtectSystem=strict', 'ProtectSystem=full', 'ProtectSystem=strict missing'],
    [`User=${user}`, 'User=root', `User=${user} missing`],
    [`User=${user}`, 'User=openclaw-other', `User=${user} missing`],
    [`Group=${user}`, 'Group=root', `Group=${user} missing`],
    ['ProtectProc=invisible', 'ProtectProc=default', 'ProtectProc=invisible missing'],
    ['ProtectProc=invisible', '', 'ProtectProc=invisible missing'],
    ['PartOf=openclaw-gateways.target', '', 'PartOf=openclaw-gateways.target missing'],
    ['WantedBy=openclaw-gateways.target', 'WantedBy=multi-user.target', 'WantedBy=openclaw-gateways.target missing'],
    [`ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped`, '', `ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped missing (the breaker's stop marker)`],
    [`ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped`, `ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id === 'ops' ? 'support' : 'ops'}.tripped`, `ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped missing (the breaker's stop marker)`],
    [`ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped`, `ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped\nConditionPathExists=`, `ConditionPathExists=!/var/lib/openclaw-meter/breaker/${id}.tripped missing (the breaker's stop marker)`],
    [`Environment=HTTPS_PROXY=http://127.0.0.1:${gateway.proxyPort} https_proxy=http://127.0.0.1:${gateway.proxyPort}`, `Environment=HTTPS_PROXY=http://127.0.0.1:3128 https_proxy=http://127.0.0.1:${gateway.proxyPort}`, `Environment=HTTPS_PROXY=http://127.0.0.1:${gateway.proxyPort} missing`],
    ['PrivateMounts=yes', '', 'PrivateMounts=yes missing'],
    ['CapabilityBoundingSet=', 'CapabilityBoundingSet=CAP_NET_RAW', 'CapabilityBoundingSet= must be present and empty'],
    ['CapabilityBoundingSet=', '', 'CapabilityBoundingSet= must be present and empty'],
    ['AmbientCapabilities=', 'AmbientCapabilities=CAP_NET_RAW', 'AmbientCapabilities= must be present and empty'],
    ['AmbientCapabilities=', '', 'AmbientCapabilities= must be present and empty'],
    ['SystemCallArchitectures=native', 'SystemCallArchitectures=native x86', 'SystemCallArchitectures=native missing'],
    ['SystemCallFilter=@system-service', '', 'SystemCallFilter=@system-service missing'],
    ['SystemCallFilter=~@privileged @resources', 'SystemCallFilter=~@resources', 'SystemCallFilter=~@privileged missing'],
    ['SystemCallFilter=~@privileged @resources', 'SystemCallFilter=~@privileged', 'SystemCallFilter=~@resources missing'],
    ['RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK', 'RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is AF_INET AF_INET6 AF_NETLINK AF_UNIX)'],
    ['RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', '', 'RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is unset)'],
    ['UMask=0077', 'UMask=0022', 'UMask=0077 missing'],
    [`ReadWritePaths=/var/lib/openclaw/${id} /var/log/openclaw/${id}`, `ReadWritePaths=/var/lib/openclaw/${id} /var/log/openclaw/${id} /etc`, `ReadWritePaths must be exactly /var/lib/openclaw/${id} /var/log/openclaw/${id} (is /etc /var/lib/openclaw/${id} /var/log/openclaw/${id})`],
    [`ReadWritePaths=/var/lib/openclaw/${id} /var/log/openclaw/${id}`, `ReadWritePaths=/var/lib/openclaw /var/log/openclaw/${id}`, `ReadWritePaths must be exactly /var/lib/openclaw/${id} /var/log/openclaw/${id} (is /var/lib/openclaw /var/log/openclaw/${id})`],
    [`ReadWritePaths=/var/lib/openclaw/${id} /var/log/openclaw/${id}`, '', `ReadWritePaths must be exactly /var/lib/openclaw/${id} /var/log/openclaw/${id} (is unset)`],
    [`ReadOnlyPaths=/etc/openclaw/gateways/${id} /etc/openclaw/agents/${id}`, `ReadOnlyPaths=/etc/openclaw/gateways/${id}`, `ReadOnlyPaths must include /etc/openclaw/agents/${id}`],
    [`ReadOnlyPaths=/etc/openclaw/gateways/${id} /etc/openclaw/agents/${id}`, `ReadOnlyPaths=/etc/openclaw/agents/${id}`, `ReadOnlyPaths must include /etc/openclaw/gateways/${id}`],
    [
      `ExecStart=${GATEWAY_EXEC_START}`,
      `ExecStart=${GATEWAY_EXEC_START} --dev`,
      `ExecStart must be ${GATEWAY_EXEC_START} (the heap limit before the entry script; is ${GATEWAY_EXEC_START} --dev)`,
    ],
    [`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, '', `ExecStartPre=${GATEWAY_APPROVALS_IMPORT} missing`],
    ['Environment=OPENCLAW_CONFIG_READONLY=1', 'Environment=OPENCLAW_CONFIG_READONLY=0', 'Environment=OPENCLAW_CONFIG_READONLY=1 missing'],
    ['Restart=on-failure', 'Restart=always', 'Restart=on-failure missing'],
    ['StartLimitBurst=5', '', 'StartLimitBurst= and StartLimitIntervalSec= missing'],
    ['StartLimitIntervalSec=600', '', 'StartLimitBurst= and StartLimitIntervalSec= missing'],
    ['AssertPathIsMountPoint=/var/lib/openclaw', 'AssertPathIsMountPoint=/var/lib', 'AssertPathIsMountPoint=/var/lib/openclaw missing (the state volume)'],
    // The same path under another [Unit] key is not the mount assertion.
    ['AssertPathIsMountPoint=/var/lib/openclaw', 'ConditionPathIsDirectory=/var/lib/openclaw', 'AssertPathIsMountPoint=/var/lib/openclaw missing (the state volume)'],
  ])('%s -> %j: refused', (line, to, problem) => {
    expect(gatewayUnitProblems(gatewayWith(line, to), gateway, expected)).toEqual([problem]);
  });

  test('an emptied capability list later in the file is empty (systemd resets a list on an empty assignment)', () => {
    expect(gatewayUnitProblems(gatewayWith('CapabilityBoundingSet=', 'CapabilityBoundingSet=CAP_NET_RAW\nCapabilityBoundingSet='), gateway, expected)).toEqual([]);
  });

  test('the address families and writable paths may be listed in any order', () => {
    expect(gatewayUnitProblems(gatewayWith('RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'RestrictAddressFamilies=AF_INET6 AF_INET AF_UNIX'), gateway, expected)).toEqual([]);
    expect(gatewayUnitProblems(gatewayWith(`ReadWritePaths=/var/lib/openclaw/${id} /var/log/openclaw/${id}`, `ReadWritePaths=/var/log/openclaw/${id} /var/lib/openclaw/${id}`), gateway, expected)).toEqual([]);
  });

  test('a denied group only counts in a ~ filter', () => {
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=~@privileged @resources', 'SystemCallFilter=@privileged @resources'), gateway, expected)).toEqual([
      'SystemCallFilter=~@privileged missing',
      'SystemCallFilter=~@resources missing',
    ]);
  });

  test('MemoryDenyWriteExecute on breaks the V8 JIT: refused; explicitly off is fine', () => {
    const add = (v: string) => gatewayWith('LockPersonality=yes', `LockPersonality=yes\nMemoryDenyWriteExecute=${v}`);
    expect(gatewayUnitProblems(add('yes'), gateway, expected)).toEqual(['MemoryDenyWriteExecute must be off: the V8 JIT needs writable+executable memory']);
    expect(gatewayUnitProblems(add('no'), gateway, expected)).toEqual([]);
  });

  test.each(['-', '+', '!', ':', '@'])('an ExecStartPre= with the %s prefix is refused', (prefix) => {
    const extra = gatewayWith(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, `ExecStartPre=${GATEWAY_APPROVALS_IMPORT}\nExecStartPre=${prefix}/bin/true`);
    expect(gatewayUnitProblems(extra, gateway, expected)).toEqual(['ExecStartPre must run as the gateway user, and its failure must stop the start (no -, +, ! or : prefix)']);
  });

  test('an ExecStartPre= whose prefix is not the first character is not a prefix', () => {
    const extra = gatewayWith(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, `ExecStartPre=${GATEWAY_APPROVALS_IMPORT}\nExecStartPre=/bin/true -x`);
    expect(gatewayUnitProblems(extra, gateway, expected)).toEqual([]);
  });

  test.each(GATEWAY_ENVIRONMENT.filter((v) => !/^https?_proxy=/i.test(v)).map((v) => [v]))('Environment=%s dropped is refused', (v) => {
    expect(gatewayUnitProblems(gatewayWith(`Environment=${v}`, ''), gateway, expected)).toEqual([`Environment=${v} missing`]);
  });

  test('the proxy line dropped: both variables missing (another gateway\'s proxy port is not this one\'s)', () => {
    const proxy = `http://127.0.0.1:${gateway.proxyPort}`;
    expect(GATEWAY_ENVIRONMENT).toEqual(expect.arrayContaining([`HTTPS_PROXY=${proxy}`, `https_proxy=${proxy}`]));
    expect(gatewayUnitProblems(gatewayWith(`Environment=HTTPS_PROXY=${proxy} https_proxy=${proxy}`, ''), gateway, expected)).toEqual([`Environment=HTTPS_PROXY=${proxy} missing`, `Environment=https_proxy=${proxy} missing`]);
  });

  test('the gateway token in the environment is refused; a longer variable name is not that one', () => {
    const add = (v: string) => gatewayWith('Environment=NODE_ENV=production', `Environment=NODE_ENV=production\nEnvironment=${v}`);
    expect(gatewayUnitProblems(add('OPENCLAW_GATEWAY_TOKEN=abc'), gateway, expected)).toEqual(['Environment=OPENCLAW_GATEWAY_TOKEN must not be set']);
    expect(gatewayUnitProblems(add('OPENCLAW_GATEWAY_TOKEN_FILE=/x'), gateway, expected)).toEqual([]);
  });

  test.each(['EnvironmentFile=/etc/openclaw/host.env', 'PassEnvironment=OPENCLAW_GATEWAY_TOKEN'])('%s is refused', (line) => {
    expect(gatewayUnitProblems(gatewayWith('UMask=0077', `UMask=0077\n${line}`), gateway, expected)).toEqual([
      'EnvironmentFile= and PassEnvironment= must not be set (nothing but the listed Environment=)',
    ]);
  });

  test('writable bind mounts (BindPaths=) are refused', () => {
    expect(gatewayUnitProblems(gatewayWith('UMask=0077', `UMask=0077\nBindPaths=/etc:/var/lib/openclaw/${id}/etc`), gateway, expected)).toEqual([
      'BindPaths= must not be set (writable bind mounts)',
    ]);
  });

  test.each([
    ['Requires', 'openclaw-imds-preflight.service'],
    ['Requires', 'openclaw-secrets.service'],
    ['Requires', 'openclaw-state-volume.service'],
    ['After', 'openclaw-imds-preflight.service'],
    ['After', 'openclaw-secrets.service'],
    ['After', 'openclaw-state-volume.service'],
  ])('%s= without %s is refused', (key, unit) => {
    const line = `${key}=openclaw-imds-preflight.service openclaw-secrets.service openclaw-state-volume.service`;
    expect(gatewayUnitProblems(gatewayWith(line, line.replace(` ${unit}`, '').replace(`=${unit} `, '=')), gateway, expected)).toEqual([`${key}= must include ${unit}`]);
  });

  test('given the expectations: exactly the agent-file bind mounts and the secret-file assertions', () => {
    const lastBind = `BindReadOnlyPaths=${expected.bindMounts[1]}`;
    const lastAssert = `AssertFileNotEmpty=${expected.secretFiles[1]}`;
    expect(gatewayUnitProblems(gatewayWith(lastBind, ''), gateway, expected)).toEqual([
      `BindReadOnlyPaths must be exactly the agent files (${expected.bindMounts.join(' ')}), is ${expected.bindMounts.slice(0, 1).join(' ')}`,
    ]);
    expect(gatewayUnitProblems(gatewayWith(lastAssert, ''), gateway, expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.slice(0, 1).join(' ')}`,
    ]);
    // Both there, in the other order: the message lists what the unit has, as it has it.
    /** The unit with lines `a` and `b` swapped. */
    const swap = (a: string, b: string) => edit(edit(edit(gatewayText, `\n${a}\n`, '\n\u0000\n'), `\n${b}\n`, `\n${a}\n`), '\n\u0000\n', `\n${b}\n`);
    const swapped = swap(`BindReadOnlyPaths=${expected.bindMounts[0]}`, lastBind);
    expect(gatewayUnitProblems(swapped, gateway, expected)).toEqual([
      `BindReadOnlyPaths must be exactly the agent files (${expected.bindMounts.join(' ')}), is ${[...expected.bindMounts].reverse().join(' ')}`,
    ]);
    const swappedAsserts = swap(`AssertFileNotEmpty=${expected.secretFiles[0]}`, lastAssert);
    expect(gatewayUnitProblems(swappedAsserts, gateway, expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${[...expected.secretFiles].reverse().join(' ')}`,
    ]);
    // Without expectations, neither is checked.
    expect(gatewayUnitProblems(gatewayWith(lastBind, ''), gateway)).toEqual([]);
    const none = { bindMounts: ['/a:/b'], secretFiles: ['/c'], agentFilesDirs: [] };
    const stripped = gatewayText
      .split('\n')
      .filter((l) => !l.startsWith('BindReadOnlyPaths=') && !l.startsWith('AssertFileNotEmpty='))
      .join('\n');
    expect(gatewayUnitProblems(stripped, gateway, none)).toEqual([
      'BindReadOnlyPaths must be exactly the agent files (/a:/b), is unset',
      'AssertFileNotEmpty must name exactly the secret files (/c), is unset',
    ]);
  });
});
});
