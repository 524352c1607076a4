import {
  agentSchema,
  DM_POLICIES,
  EXEC_ALLOWLIST_FORBIDDEN,
  GROUP_POLICIES,
  isForbiddenProgram,
  openclawSchema,
} from '../../lib/openclaw/config-schema';
import { pinnedRuntime } from '../../lib/openclaw/lockfile';
import { BUNDLED_PLUGIN_IDS, CHANNEL_PLUGINS, PROVIDER_PLUGINS, UNSUPPORTED_PLUGINS } from '../../lib/openclaw/plugins';

// The openclaw section's hardened defaults and refusals, straight from the
// schema: what an agent gets when its config says nothing, which values the
// schema refuses outright, and the lists behind those refusals, pinned exactly.

const MINIMAL = { description: 'A test agent.', provider: 'anthropic', model: 'claude-sonnet-4-6' };
const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

test('an agent that says nothing gets the hardened values', () => {
  expect(agentSchema.parse(MINIMAL)).toEqual({
    ...MINIMAL,
    channels: {},
    tools: { exec: { mode: 'deny', commands: [] }, elevated: false },
    agentToAgent: [],
    subagents: false,
    automations: false,
    breaker: { modelDailyUsd: 2, modelMonthlyUsd: 25, toolCallsPer5Min: 150, blockedEgressPer5Min: 20 },
  });
});

test('a chat platform that says nothing: DMs from the allowlist only (which must then be given), groups off', () => {
  expect(agentSchema.parse({ ...MINIMAL, channels: { telegram: { allowFrom: ['42'] } } }).channels.telegram).toEqual({
    dmPolicy: 'allowlist',
    allowFrom: ['42'],
    groupPolicy: 'disabled',
    groups: [],
    groupAllowFrom: [],
  });
  expect(issues(agentSchema.safeParse({ ...MINIMAL, channels: { telegram: {} } }))).toEqual([
    'channels.telegram.allowFrom: at least one sender id with dmPolicy allowlist (or dmPolicy pairing, or disabled to turn DMs off)',
  ]);
  expect(agentSchema.parse({ ...MINIMAL, tools: { exec: { mode: 'allowlist', commands: ['/usr/bin/uptime'] } } }).tools).toEqual({
    exec: { mode: 'allowlist', commands: ['/usr/bin/uptime'] },
    elevated: false,
  });
});

test('the policy values, exactly', () => {
  expect([...DM_POLICIES]).toEqual(['allowlist', 'pairing', 'disabled', 'open']);
  expect([...GROUP_POLICIES]).toEqual(['disabled', 'allowlist', 'open']);
});

describe('a group allowlist', () => {
  const channel = (c: object) => agentSchema.safeParse({ ...MINIMAL, channels: { telegram: { allowFrom: ['42'], ...c } } });

  test('needs groups and senders; a wildcard group or sender is refused', () => {
    expect(issues(channel({ groupPolicy: 'allowlist' }))).toEqual([
      'channels.telegram.groups: at least one group chat id with groupPolicy allowlist',
      'channels.telegram.groupAllowFrom: at least one sender id with groupPolicy allowlist',
    ]);
    expect(issues(channel({ groupPolicy: 'allowlist', groups: ['*'], groupAllowFrom: ['42'] }))).toEqual([
      'channels.telegram.groups.0: a group chat id, e.g. "-1001234567890"; no wildcard',
    ]);
    expect(issues(channel({ groupPolicy: 'allowlist', groups: ['-100123'], groupAllowFrom: ['*'] }))).toEqual([
      expect.stringMatching(/^channels\.telegram\.groupAllowFrom\.0: a stable sender id .*no wildcard/),
    ]);
    expect(channel({ groupPolicy: 'allowlist', groups: ['-100123'], groupAllowFrom: ['42'] }).success).toBe(true);
  });

  test('groups or group senders with groups disabled are refused (they would look allowed but are not used)', () => {
    expect(issues(channel({ groups: ['-100123'] }))).toEqual([
      'channels.telegram.groups: no groups or groupAllowFrom with groupPolicy disabled; set groupPolicy allowlist to use them',
    ]);
    expect(issues(channel({ groupAllowFrom: ['42'] }))).toEqual([
      'channels.telegram.groups: no groups or groupAllowFrom with groupPolicy disabled; set groupPolicy allowlist to use them',
    ]);
  });

  test('sender ids with open or disabled DMs are refused; pairing may pre-approve some', () => {
    const dm = (dmPolicy: string) => agentSchema.safeParse({ ...MINIMAL, channels: { telegram: { dmPolicy, allowFrom: ['42'] } } });
    expect(issues(dm('open'))).toEqual(['channels.telegram.allowFrom: no sender ids with dmPolicy open; they apply only to allowlist (and pairing)']);
    expect(issues(dm('disabled'))).toEqual(['channels.telegram.allowFrom: no sender ids with dmPolicy disabled; they apply only to allowlist (and pairing)']);
    expect(dm('pairing').success).toBe(true);
  });
});

describe('exec allowlist', () => {
  test('the programs an allowlist may not hold, exactly', () => {
    expect([...EXEC_ALLOWLIST_FORBIDDEN]).toEqual([
      'sh', 'bash', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'busybox', 'env', 'xargs', 'nohup', 'timeout', 'nice', 'script',
      'sudo', 'su', 'doas', 'runuser', 'pkexec', 'setpriv', 'chroot', 'nsenter', 'unshare', 'systemd-run',
      'python', 'python2', 'python3', 'node', 'nodejs', 'deno', 'bun', 'perl', 'ruby', 'php', 'lua', 'tclsh', 'awk', 'gawk', 'mawk', 'sed',
      'find', 'vi', 'vim', 'nvim', 'emacs', 'less', 'more', 'man', 'ssh', 'scp', 'rsync', 'curl', 'wget', 'nc', 'ncat', 'socat', 'telnet',
      'git', 'npm', 'npx', 'pip', 'pip3', 'make', 'docker', 'podman', 'kubectl', 'aws', 'openclaw',
    ]);
  });

  test('every forbidden program is refused by path, with a version suffix too; other programs pass', () => {
    for (const f of EXEC_ALLOWLIST_FORBIDDEN) {
      expect([f, `/usr/bin/${f}`, `/usr/local/bin/${f}3.11`, `/opt/x/${f}-2`].map(isForbiddenProgram)).toEqual([true, true, true, true]);
    }
    expect(['/usr/bin/uptime', '/usr/bin/df', '/usr/bin/free', '/usr/bin/shasum', '/usr/bin/nodeinfo'].map(isForbiddenProgram)).toEqual([false, false, false, false, false]);
  });

  test('mode allowlist: commands required, absolute, no "..", no shell; other modes take no commands', () => {
    const exec = (e: object) => issues(agentSchema.safeParse({ ...MINIMAL, tools: { exec: e } }));
    expect(exec({ mode: 'allowlist' })).toEqual(['tools.exec.commands: at least one absolute program path with mode allowlist (or mode deny)']);
    expect(exec({ mode: 'allowlist', commands: ['uptime'] })).toEqual(['tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)']);
    expect(exec({ mode: 'allowlist', commands: ['/usr/bin/*'] })).toHaveLength(1);
    expect(exec({ mode: 'allowlist', commands: ['/usr/bin/../bin/uptime'] })).toEqual(['tools.exec.commands.0: a path without ".."']);
    expect(exec({ mode: 'allowlist', commands: ['/usr/bin/python3'] })).toEqual([expect.stringMatching(/^tools\.exec\.commands\.0: a program that cannot run other code/)]);
    expect(exec({ mode: 'deny', commands: ['/usr/bin/uptime'] })).toEqual(['tools.exec.commands: no commands with mode deny; the list applies only to mode allowlist']);
    expect(exec({ mode: 'full', commands: ['/usr/bin/uptime'] })).toEqual(['tools.exec.commands: no commands with mode full; the list applies only to mode allowlist']);
  });
});

describe('plugins', () => {
  const section = (plugins: string[]) => openclawSchema.safeParse({ version: pinnedRuntime().openclaw, plugins, agents: {} });

  test('the bundled plugins that hand control beyond the gateway, exactly; each is refused with its reason', () => {
    expect(Object.keys(UNSUPPORTED_PLUGINS).sort()).toEqual([
      'a2a', 'admin-http-rpc', 'browser', 'canvas', 'crabbox', 'cua-computer', 'file-transfer', 'imap', 'linux-node', 'logbook', 'reef', 'webhooks',
    ]);
    // The reason the config error gives, word for word (an empty or vague reason must fail here).
    expect(UNSUPPORTED_PLUGINS).toEqual({
      'admin-http-rpc': 'an admin RPC endpoint over HTTP',
      browser: 'a browser the agents drive',
      canvas: 'widget documents on paired desktop panels',
      crabbox: 'cloud worker sandboxes outside this host',
      'cua-computer': 'computer control of node hosts',
      'file-transfer': 'file access on paired nodes, bypassing exec policy',
      'linux-node': 'camera, notifications and location of Linux node hosts',
      logbook: 'screen snapshots of paired nodes',
      webhooks: 'inbound webhooks that start automation flows',
      imap: 'inbound e-mail dispatch to agents',
      a2a: 'the Agent-to-Agent protocol channel (agents of other gateways)',
      reef: 'an additional inbound channel',
    });
    for (const [id, reason] of Object.entries(UNSUPPORTED_PLUGINS)) {
      expect(issues(section([id]))).toEqual([`plugins.0: a plugin this blueprint supports; "${id}" gives ${reason}`]);
    }
  });

  test('provider and channel plugins are refused (the agents enable them); every other bundled plugin is accepted', () => {
    const byAgents = ['anthropic', 'google', 'openai', 'openrouter', 'telegram', 'xai'];
    expect([...Object.values(PROVIDER_PLUGINS), ...Object.values(CHANNEL_PLUGINS)].filter((p) => p !== null).sort()).toEqual(byAgents);
    for (const id of byAgents) expect(issues(section([id]))).toEqual([expect.stringMatching(/^plugins\.0: not a provider or channel plugin/)]);
    expect(BUNDLED_PLUGIN_IDS.filter((id) => section([id]).success)).toEqual(
      BUNDLED_PLUGIN_IDS.filter((id) => !(id in UNSUPPORTED_PLUGINS) && !byAgents.includes(id)),
    );
  });
});
