import * as fs from 'fs';
import * as path from 'path';
import { describeExceptions } from '../../lib/config/exceptions';
import { ConfigError, type ConfigProblem } from '../../lib/config/errors';
import { loadConfig, type LoadedConfig } from '../../lib/config/load';
import { checkOpenclawConfig } from '../../lib/config/validators/openclaw';
import { renderOpenclawConfig } from '../../lib/openclaw/openclaw-json';
import { gatewayOfAgent } from '../../lib/openclaw/gateways';
import { configFixture, NOW } from '../support/config-fixture';

// Every way the openclaw section can be wrong stops synth with one line that
// names the file, the line, the key, what was found and what to do instead.

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const CLIENT_FILE = 'config/clients/acme/client.yaml';
const ENV_FILE = 'config/clients/acme/dev.yaml';

/** acme's client.yaml: lines 1-3 AWS, 4 openclaw, 5 agents, 6 bot, 7.. the agent's keys (then `extra`). */
const client = (extra = '') =>
  'aws:\n  account: "111122223333"\n  region: eu-west-1\n' +
  'openclaw:\n  agents:\n    bot:\n' +
  '      description: A test agent.\n' +
  '      provider: anthropic\n' +
  '      model: claude-sonnet-4-6\n' +
  extra;

/** The agent files acme's agents need. */
const agentFiles = (...ids: string[]) =>
  Object.fromEntries(ids.flatMap((id) => [[`clients/acme/agents/${id}/SOUL.md`, `# ${id}\n`], [`clients/acme/agents/${id}/AGENTS.md`, `# ${id}\n`]]));

function load(files: Record<string, string>): LoadedConfig {
  const root = configFixture({ ...agentFiles('bot'), ...files });
  roots.push(root);
  return loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' });
}

function loadError(files: Record<string, string>): ConfigError {
  try {
    load(files);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

function only(err: ConfigError): ConfigProblem {
  expect(err.problems.map((p) => `${p.file}:${p.line}: ${p.path}: ${p.message}`)).toHaveLength(1);
  return err.problems[0]!;
}

const EXCEPTION = (control: string) =>
  `exceptions:\n  - control: ${control}\n    reason: The ops agent needs a shell during the migration; reviewed weekly.\n` +
  '    approvedBy: security@example.com\n    expires: "2027-06-30"\n';

describe('exec', () => {
  const FULL = 'openclaw:\n  agents:\n    bot:\n      tools:\n        exec:\n          mode: full\n';

  test('exec mode full without an exception: names the file, the key and the exception to add', () => {
    const p = only(loadError({ 'clients/acme/client.yaml': client(), 'clients/acme/dev.yaml': FULL }));
    expect({ file: p.file, line: p.line, path: p.path }).toEqual({ file: CLIENT_FILE, line: 5, path: 'openclaw.agents' });
    expect(p.message).toMatch(/^weakens the hardened control "agent-exec-unrestricted" \(.*openclaw\.agents\.<id>\.tools\.exec\.mode deny or allowlist.*\) without an exception; /);
    expect(p.message).toContain('add to exceptions: { control: agent-exec-unrestricted, reason, approvedBy, expires }');
  });

  test('with the exception it loads, renders mode full, and the exception is listed for the compliance report', () => {
    const { config } = load({ 'clients/acme/client.yaml': client(), 'clients/acme/dev.yaml': FULL + EXCEPTION('agent-exec-unrestricted') });
    expect((renderOpenclawConfig(config, gatewayOfAgent(config, 'bot')) as { agents: { entries: Record<string, { tools: { exec: { mode: string } } }> } }).agents.entries.bot!.tools.exec.mode).toBe('full');
    expect(describeExceptions(config)).toEqual([expect.objectContaining({ control: 'agent-exec-unrestricted', path: 'openclaw.agents' })]);
  });

  test('an allowlist holding a shell is refused (it would run anything)', () => {
    const p = only(loadError({ 'clients/acme/client.yaml': client('      tools:\n        exec:\n          mode: allowlist\n          commands: [/usr/bin/uptime, /bin/bash]\n') }));
    expect({ file: p.file, line: p.line, path: p.path }).toEqual({ file: CLIENT_FILE, line: 13, path: 'openclaw.agents.bot.tools.exec.commands[1]' });
    expect(p.message).toMatch(/^found "\/bin\/bash"; expected a program that cannot run other code/);
  });

  test('an allowlist without commands, and commands without the allowlist mode', () => {
    expect(only(loadError({ 'clients/acme/client.yaml': client('      tools:\n        exec:\n          mode: allowlist\n') })).message).toMatch(
      /expected at least one absolute program path with mode allowlist/,
    );
    expect(only(loadError({ 'clients/acme/client.yaml': client('      tools:\n        exec:\n          commands: [/usr/bin/uptime]\n') })).message).toMatch(
      /expected no commands with mode deny/,
    );
  });
});

test('elevated without an exception names the control agent-elevated', () => {
  const p = only(loadError({ 'clients/acme/client.yaml': client('      tools:\n        elevated: true\n') }));
  expect({ file: p.file, path: p.path }).toEqual({ file: CLIENT_FILE, path: 'openclaw.agents' });
  expect(p.message).toMatch(/hardened control "agent-elevated".*add to exceptions: \{ control: agent-elevated, reason, approvedBy, expires \}/);
});

/** dev.yaml putting bot and helper in one gateway, with the exception that weakening needs (agents reach each other only inside one gateway). */
const SHARED = 'openclaw:\n  sharedGateways:\n    pair: [bot, helper]\n' + EXCEPTION('agent-shared-gateway');

test("a shared group's name is held to the names it gives (its token secret, rotation Lambda and log group, breaker alarm): blamed with its file and line", () => {
  const group = 'customer-facing-pair-xy'; // 23: the longest gateway id
  const prefix = 'abcdefghijklmnopqrst'; // 20: the schema's longest prefix
  const helper = '    helper:\n      description: Helps.\n      provider: anthropic\n      model: claude-sonnet-4-6\n';
  const env = `project:\n  prefix: ${prefix}\n` + SHARED.replace('pair:', `${group}:`);
  const err = loadError({ 'clients/acme/client.yaml': client() + helper, 'clients/acme/dev.yaml': env, ...agentFiles('helper') });
  const fn = `${prefix}-acme-dev-rotate-token-${group}`;
  expect(err.problems.map((p) => `${p.file}:${p.line}: ${p.path}: ${p.message.split(':')[0]}`)).toEqual([
    `${ENV_FILE}:5: openclaw.sharedGateways.${group}: found gateway "${group}", which gives the Lambda function name "${fn}"`,
  ]);
  expect(err.problems[0]!.message).toContain(`${fn.length} characters; expected at most 64`);
  expect(err.problems[0]!.message).toMatch(/shorten or change the shared gateway group name$/);
  // A short group name with the same prefix loads.
  expect(load({ 'clients/acme/client.yaml': client() + helper, 'clients/acme/dev.yaml': `project:\n  prefix: ${prefix}\n` + SHARED, ...agentFiles('helper') }).config.openclaw.sharedGateways).toEqual({ pair: ['bot', 'helper'] });
});

test.each([
  ['agentToAgent', '      agentToAgent: [helper]\n', 'agent-to-agent', SHARED],
  ['subagents', '      subagents: true\n', 'agent-to-agent', ''],
  ['automations', '      automations: true\n', 'agent-automations', ''],
  ['an open DM policy', '      channels:\n        telegram:\n          dmPolicy: open\n', 'agent-channel-open', ''],
  // Any group, any sender in it: strangers reach the agent even though DMs stay allowlisted.
  ['an open group policy', '      channels:\n        telegram:\n          allowFrom: ["42"]\n          groupPolicy: open\n', 'agent-channel-open', ''],
])('%s without an exception names its control', (_what, extra, control, env) => {
  const helper = '    helper:\n      description: Helps.\n      provider: anthropic\n      model: claude-sonnet-4-6\n';
  const p = only(loadError({ 'clients/acme/client.yaml': client(extra) + helper, ...(env ? { 'clients/acme/dev.yaml': env } : {}), ...agentFiles('helper') }));
  expect(p.message).toContain(`hardened control "${control}"`);
  expect(p.message).toContain(`add to exceptions: { control: ${control}, reason, approvedBy, expires }`);
});

describe('provider', () => {
  test('an unknown provider lists the known ones', () => {
    const p = only(loadError({ 'clients/acme/client.yaml': client().replace('provider: anthropic', 'provider: acmeai') }));
    expect({ file: p.file, line: p.line, path: p.path }).toEqual({ file: CLIENT_FILE, line: 8, path: 'openclaw.agents.bot.provider' });
    expect(p.message).toBe('found "acmeai"; expected one of the model providers: anthropic, openai, google, openrouter, bedrock, mistral, groq, xai');
  });

  test('a provider whose plugin the pinned OpenClaw does not bundle says so', () => {
    const p = only(loadError({ 'clients/acme/client.yaml': client().replace('provider: anthropic', 'provider: bedrock') }));
    expect(p.path).toBe('openclaw.agents.bot.provider');
    expect(p.message).toMatch(/ships in the pinned OpenClaw \(host\/openclaw\/package-lock\.json\): anthropic, openai, google, openrouter, xai; "bedrock" needs a separate plugin/);
  });
});

describe('channels', () => {
  test('an agent channel not in the egress allowlist: names the agent key and network.egress.channels, with file and line', () => {
    const loaded = load({
      'clients/acme/client.yaml': client('      channels:\n        telegram:\n          allowFrom: ["42"]\n') + 'network:\n  egress:\n    channels: []\n',
    });
    const problems = checkOpenclawConfig(loaded.config, loaded.merged);
    expect(problems).toEqual([
      {
        file: CLIENT_FILE,
        line: 11,
        path: 'openclaw.agents.bot.channels.telegram',
        message: expect.stringMatching(/^chat platform "telegram" is not in network\.egress\.channels \[\]: .*Add telegram to network\.egress\.channels/),
      },
    ]);
    expect(() => renderOpenclawConfig(loaded.config, gatewayOfAgent(loaded.config, 'bot'))).toThrow(/openclaw\.agents\.bot\.channels\.telegram: chat platform "telegram" is not in network\.egress\.channels/);
  });

  test('a provider not in the egress allowlist likewise', () => {
    const loaded = load({ 'clients/acme/client.yaml': client().replace('provider: anthropic', 'provider: openai') });
    expect(checkOpenclawConfig(loaded.config, loaded.merged)).toEqual([
      expect.objectContaining({ file: CLIENT_FILE, line: 8, path: 'openclaw.agents.bot.provider', message: expect.stringContaining('network.egress.providers [anthropic]') }),
    ]);
  });

  test('an unknown platform lists the known ones', () => {
    const p = only(loadError({ 'clients/acme/client.yaml': client('      channels:\n        signal:\n          allowFrom: ["U1"]\n') }));
    expect(p).toMatchObject({ path: 'openclaw.agents.bot.channels.signal', message: 'unknown key "signal"; expected one of: telegram, slack, discord, whatsapp, msteams' });
  });

  test('a platform whose plugin is not bundled', () => {
    const p = only(loadError({ 'clients/acme/client.yaml': client('      channels:\n        slack:\n          allowFrom: ["U1"]\n') }));
    expect(p.path).toBe('openclaw.agents.bot.channels.slack');
    expect(p.message).toMatch(/"slack" needs a separate plugin package/);
  });

  test('dmPolicy allowlist needs sender ids; a wildcard is not an id', () => {
    expect(only(loadError({ 'clients/acme/client.yaml': client('      channels:\n        telegram: {}\n') }))).toMatchObject({
      path: 'openclaw.agents.bot.channels.telegram.allowFrom',
      message: expect.stringMatching(/at least one sender id with dmPolicy allowlist/),
    });
    expect(only(loadError({ 'clients/acme/client.yaml': client('      channels:\n        telegram:\n          allowFrom: ["*"]\n') }))).toMatchObject({
      path: 'openclaw.agents.bot.channels.telegram.allowFrom[0]',
      message: expect.stringMatching(/no wildcard/),
    });
  });

  test('one platform, one agent', () => {
    const second = '    helper:\n      description: Helps.\n      provider: anthropic\n      model: claude-sonnet-4-6\n      channels:\n        telegram:\n          allowFrom: ["7"]\n';
    const p = only(loadError({ 'clients/acme/client.yaml': client('      channels:\n        telegram:\n          allowFrom: ["42"]\n') + second, ...agentFiles('helper') }));
    expect(p.path).toBe('openclaw.agents.helper.channels.telegram');
    expect(p.message).toMatch(/telegram already routes to agent "bot"/);
  });
});

test('openclaw.version not pinned by the lockfile: names the file, the key and the pinned version', () => {
  const p = only(loadError({ 'clients/acme/client.yaml': client(), 'clients/acme/dev.yaml': 'openclaw:\n  version: "2026.9.7"\n' }));
  expect({ file: p.file, line: p.line, path: p.path }).toEqual({ file: ENV_FILE, line: 2, path: 'openclaw.version' });
  expect(p.message).toBe(
    'found "2026.9.7"; expected the OpenClaw version pinned by host/openclaw/package-lock.json: "2026.9.6". "2026.9.7" is not what the host installs: ' +
      'pin it there first (lib/openclaw/lockfile.ts says how), then set it here',
  );
});

test('plugins: a host-control plugin and a provider plugin are refused with the reason', () => {
  expect(only(loadError({ 'clients/acme/client.yaml': client() + '  plugins: [browser]\n' })).message).toMatch(/"browser" gives a browser the agents drive/);
  expect(only(loadError({ 'clients/acme/client.yaml': client() + '  plugins: [openai]\n' })).message).toMatch(/enabled by the agents that use them/);
});

test('agentToAgent must name another defined agent', () => {
  const p = only(loadError({ 'clients/acme/client.yaml': client('      agentToAgent: [nobody]\n') + EXCEPTION('agent-to-agent') }));
  expect(p.path).toBe('openclaw.agents.bot.agentToAgent[0]');
  expect(p.message).toMatch(/an agent of this config \(bot\); "nobody" is not defined/);
});

test('a problem whose key no config file set (a config assembled in code) still names the key and the message, without a file', () => {
  const loaded = load({
    'clients/acme/client.yaml': client('      channels:\n        telegram:\n          allowFrom: ["42"]\n') + 'network:\n  egress:\n    channels: []\n',
  });
  expect(checkOpenclawConfig(loaded.config, { value: loaded.merged.value, origins: new Map() })).toEqual([
    {
      file: undefined,
      line: undefined,
      path: 'openclaw.agents.bot.channels.telegram',
      message:
        'chat platform "telegram" is not in network.egress.channels []: the gateway could not reach its API. Add telegram to network.egress.channels, or remove it from the agent',
    },
  ]);
});
