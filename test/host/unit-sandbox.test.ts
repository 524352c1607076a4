import { GATEWAY_EXEC_START } from '../../lib/host/gateway-memory-check';
import { GATEWAY_UNIT } from '../../lib/host/unit-names';
import { GATEWAY_APPROVALS_IMPORT, GATEWAY_ENVIRONMENT, GATEWAY_REQUIRED_TRUE, gatewayUnitProblems } from '../../lib/host/unit-sandbox';
import { gatewayUnitExpectations, renderSystemdFiles } from '../../lib/host/systemd-units';
import { CONFIG_DIR } from '../support/config-fixture';
import { exampleConfig } from './support/host-tools';

// lib/host/unit-sandbox.ts: the gateway sandbox checker, every refusal with its exact message,
// on the rendered gateway unit of the example config with one line changed.

const config = exampleConfig('prod');
const gatewayText = renderSystemdFiles(config, CONFIG_DIR)[`systemd/${GATEWAY_UNIT}`]!;
const expected = gatewayUnitExpectations(config, CONFIG_DIR);

/** `text` with `from` replaced by `to`; fails when `from` is not there (an edit that changes nothing proves nothing). */
function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}
/** The gateway unit with the whole line `line` replaced by `to` ('' drops it). */
const gatewayWith = (line: string, to: string) => edit(gatewayText, `\n${line}\n`, to === '' ? '\n' : `\n${to}\n`);

describe('gatewayUnitProblems: the gateway sandbox, each weakening refused with its message', () => {
  test('the rendered unit has none, with and without the config\'s expectations', () => {
    expect(gatewayUnitProblems(gatewayText, expected)).toEqual([]);
    expect(gatewayUnitProblems(gatewayText)).toEqual([]);
  });

  test.each(GATEWAY_REQUIRED_TRUE.map((k) => [k]))('%s=no, or dropped, is refused', (key) => {
    expect(gatewayUnitProblems(gatewayWith(`${key}=yes`, `${key}=no`), expected)).toEqual([`${key}=yes missing`]);
    expect(gatewayUnitProblems(gatewayWith(`${key}=yes`, ''), expected)).toEqual([`${key}=yes missing`]);
  });

  test.each(['true', 'on', '1'])('%s counts as yes', (yes) => {
    expect(gatewayUnitProblems(gatewayWith('NoNewPrivileges=yes', `NoNewPrivileges=${yes}`), expected)).toEqual([]);
  });

  test('a setting in another section does not count', () => {
    const moved = edit(gatewayWith('NoNewPrivileges=yes', ''), '[Unit]\n', '[Unit]\nNoNewPrivileges=yes\n');
    expect(gatewayUnitProblems(moved, expected)).toEqual(['NoNewPrivileges=yes missing']);
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
  ] as const)('%s moved to [%s] does not count', (line, section, problems) => {
    expect(gatewayUnitProblems(moveTo(line, section), expected)).toEqual(problems);
  });

  test('a secret-file assertion moved to [Service] does not count', () => {
    const last = `AssertFileNotEmpty=${expected.secretFiles[2]}`;
    expect(gatewayUnitProblems(moveTo(last, 'Service'), expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.slice(0, 2).join(' ')}`,
    ]);
  });

  test('only SystemCallFilter= filters system calls: the same value under SystemCallLog= does not count', () => {
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=@system-service', 'SystemCallLog=@system-service'), expected)).toEqual(['SystemCallFilter=@system-service missing']);
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=~@privileged @resources', 'SystemCallLog=~@privileged @resources'), expected)).toEqual([
      'SystemCallFilter=~@privileged missing',
      'SystemCallFilter=~@resources missing',
    ]);
  });

  test.each(['Unit', 'Install'] as const)('EnvironmentFile= and PassEnvironment= outside [Service] (in [%s]) are not the service\'s environment', (section) => {
    const inSection = (text: string, l: string) =>
      section === 'Install' ? `${text}${l}\n` : edit(text, '[Service]\n', `${l}\n[Service]\n`);
    expect(gatewayUnitProblems(inSection(inSection(gatewayText, 'EnvironmentFile=/etc/openclaw/host.env'), 'PassEnvironment=X'), expected)).toEqual([]);
  });

  test.each([
    ['ProtectSystem=strict', 'ProtectSystem=full', 'ProtectSystem=strict missing'],
    ['User=openclaw', 'User=root', 'User=openclaw missing'],
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
    ['ReadWritePaths=/var/lib/openclaw /var/log/openclaw', 'ReadWritePaths=/var/lib/openclaw /var/log/openclaw /etc', 'ReadWritePaths must be exactly /var/lib/openclaw /var/log/openclaw (is /etc /var/lib/openclaw /var/log/openclaw)'],
    ['ReadWritePaths=/var/lib/openclaw /var/log/openclaw', '', 'ReadWritePaths must be exactly /var/lib/openclaw /var/log/openclaw (is unset)'],
    ['ReadOnlyPaths=/etc/openclaw /etc/openclaw/agents', 'ReadOnlyPaths=/etc/openclaw', 'ReadOnlyPaths must include /etc/openclaw/agents'],
    ['ReadOnlyPaths=/etc/openclaw /etc/openclaw/agents', 'ReadOnlyPaths=/etc/openclaw/agents', 'ReadOnlyPaths must include /etc/openclaw'],
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
  ])('%s -> %j: refused', (line, to, problem) => {
    expect(gatewayUnitProblems(gatewayWith(line, to), expected)).toEqual([problem]);
  });

  test('an emptied capability list later in the file is empty (systemd resets a list on an empty assignment)', () => {
    expect(gatewayUnitProblems(gatewayWith('CapabilityBoundingSet=', 'CapabilityBoundingSet=CAP_NET_RAW\nCapabilityBoundingSet='), expected)).toEqual([]);
  });

  test('the address families and writable paths may be listed in any order', () => {
    expect(gatewayUnitProblems(gatewayWith('RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'RestrictAddressFamilies=AF_INET6 AF_INET AF_UNIX'), expected)).toEqual([]);
    expect(gatewayUnitProblems(gatewayWith('ReadWritePaths=/var/lib/openclaw /var/log/openclaw', 'ReadWritePaths=/var/log/openclaw /var/lib/openclaw'), expected)).toEqual([]);
  });

  test('a denied group only counts in a ~ filter', () => {
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=~@privileged @resources', 'SystemCallFilter=@privileged @resources'), expected)).toEqual([
      'SystemCallFilter=~@privileged missing',
      'SystemCallFilter=~@resources missing',
    ]);
  });

  test('MemoryDenyWriteExecute on breaks the V8 JIT: refused; explicitly off is fine', () => {
    const add = (v: string) => gatewayWith('LockPersonality=yes', `LockPersonality=yes\nMemoryDenyWriteExecute=${v}`);
    expect(gatewayUnitProblems(add('yes'), expected)).toEqual(['MemoryDenyWriteExecute must be off: the V8 JIT needs writable+executable memory']);
    expect(gatewayUnitProblems(add('no'), expected)).toEqual([]);
  });

  test.each(['-', '+', '!', ':', '@'])('an ExecStartPre= with the %s prefix is refused', (prefix) => {
    const extra = gatewayWith(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, `ExecStartPre=${GATEWAY_APPROVALS_IMPORT}\nExecStartPre=${prefix}/bin/true`);
    expect(gatewayUnitProblems(extra, expected)).toEqual(['ExecStartPre must run as the gateway user, and its failure must stop the start (no -, +, ! or : prefix)']);
  });

  test('an ExecStartPre= whose prefix is not the first character is not a prefix', () => {
    const extra = gatewayWith(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, `ExecStartPre=${GATEWAY_APPROVALS_IMPORT}\nExecStartPre=/bin/true -x`);
    expect(gatewayUnitProblems(extra, expected)).toEqual([]);
  });

  test.each(GATEWAY_ENVIRONMENT.map((v) => [v]))('Environment=%s dropped is refused', (v) => {
    expect(gatewayUnitProblems(gatewayWith(`Environment=${v.replace(/\/var\/lib\/openclaw$/, '/var/lib/openclaw')}`, ''), expected)).toEqual([`Environment=${v} missing`]);
  });

  test('the gateway token in the environment is refused; a longer variable name is not that one', () => {
    const add = (v: string) => gatewayWith('Environment=NODE_ENV=production', `Environment=NODE_ENV=production\nEnvironment=${v}`);
    expect(gatewayUnitProblems(add('OPENCLAW_GATEWAY_TOKEN=abc'), expected)).toEqual(['Environment=OPENCLAW_GATEWAY_TOKEN must not be set']);
    expect(gatewayUnitProblems(add('OPENCLAW_GATEWAY_TOKEN_FILE=/x'), expected)).toEqual([]);
  });

  test.each(['EnvironmentFile=/etc/openclaw/host.env', 'PassEnvironment=OPENCLAW_GATEWAY_TOKEN'])('%s is refused', (line) => {
    expect(gatewayUnitProblems(gatewayWith('UMask=0077', `UMask=0077\n${line}`), expected)).toEqual([
      'EnvironmentFile= and PassEnvironment= must not be set (nothing but the listed Environment=)',
    ]);
  });

  test('writable bind mounts (BindPaths=) are refused', () => {
    expect(gatewayUnitProblems(gatewayWith('UMask=0077', 'UMask=0077\nBindPaths=/etc:/var/lib/openclaw/etc'), expected)).toEqual([
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
    expect(gatewayUnitProblems(gatewayWith(line, line.replace(` ${unit}`, '').replace(`=${unit} `, '=')), expected)).toEqual([`${key}= must include ${unit}`]);
  });

  test('given the expectations: exactly the agent-file bind mounts and the secret-file assertions', () => {
    const lastBind = `BindReadOnlyPaths=${expected.bindMounts[3]}`;
    const lastAssert = `AssertFileNotEmpty=${expected.secretFiles[2]}`;
    expect(gatewayUnitProblems(gatewayWith(lastBind, ''), expected)).toEqual([
      `BindReadOnlyPaths must be exactly the agent files (${expected.bindMounts.join(' ')}), is ${expected.bindMounts.slice(0, 3).join(' ')}`,
    ]);
    expect(gatewayUnitProblems(gatewayWith(lastAssert, ''), expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.slice(0, 2).join(' ')}`,
    ]);
    // Without expectations, neither is checked.
    expect(gatewayUnitProblems(gatewayWith(lastBind, ''))).toEqual([]);
    const none = { bindMounts: ['/a:/b'], secretFiles: ['/c'] };
    const stripped = gatewayText
      .split('\n')
      .filter((l) => !l.startsWith('BindReadOnlyPaths=') && !l.startsWith('AssertFileNotEmpty='))
      .join('\n');
    expect(gatewayUnitProblems(stripped, none)).toEqual([
      'BindReadOnlyPaths must be exactly the agent files (/a:/b), is unset',
      'AssertFileNotEmpty must name exactly the secret files (/c), is unset',
    ]);
  });
});
