import { z } from 'zod';
import { agentSchema, AGENT_ID_PATTERN, EXEC_MODES, openclawSchema, UNRESTRICTED_EXEC_MODES } from '../../lib/openclaw/config-schema';
import { pinnedRuntime } from '../../lib/openclaw/lockfile';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The openclaw section of the schema, parsed directly (no files, no synth):
// each constraint with a value just inside and just outside it, and the exact
// message (key path: expected). test/openclaw/schema-openclaw.test.ts pins the
// agent defaults, the forbidden programs and the plugin lists; together they
// are the focused tests of lib/openclaw/config-schema.ts.

const MINIMAL = { description: 'A test agent.', provider: 'anthropic', model: 'claude-sonnet-4-6' };
/** A telegram channel that uses every list, for the cases about one of them. */
const base = (field: string) =>
  field.startsWith('channels')
    ? { ...MINIMAL, channels: { telegram: { allowFrom: ['42'], groupPolicy: 'allowlist', groups: ['-100123'], groupAllowFrom: ['43'] } } }
    : MINIMAL;
const VERSION = pinnedRuntime().openclaw;
const section = (agents: Record<string, unknown>, over: Record<string, unknown> = {}) => ({ version: VERSION, plugins: [], agents, ...over });

test('the exec modes, exactly; ask, auto and full are the unrestricted ones', () => {
  expect([...EXEC_MODES]).toEqual(['deny', 'allowlist', 'ask', 'auto', 'full']);
  expect([...UNRESTRICTED_EXEC_MODES]).toEqual(['ask', 'auto', 'full']);
});

test('AGENT_ID_PATTERN: lowercase letters, digits and hyphens, a letter or digit first, anchored, at least one', () => {
  expect(['a', 'help-desk-2', '0', 'a-'].map((n) => AGENT_ID_PATTERN.test(n))).toEqual([true, true, true, true]);
  expect(['', 'Help', 'help_desk', ' a', 'a ', 'a.b', '-ops', '-'].map((n) => AGENT_ID_PATTERN.test(n))).toEqual([false, false, false, false, false, false, false, false]);
});

test('every key of the openclaw section has a description, an agent\'s and a channel policy\'s included', () => {
  expect(undescribed(z.toJSONSchema(openclawSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
  const agent = z.toJSONSchema(agentSchema, { io: 'input' }) as unknown as { properties: { channels: { properties: Record<string, { description?: string }> } } };
  expect(agent.properties.channels.properties.telegram!.description).toBe(
    'Who reaches the agent on this chat platform. Secrets (bot tokens) never go here: the secrets step writes them on the host.',
  );
  expect(undescribed(agent as unknown as Record<string, unknown>)).toEqual([]);
});

describe('the section', () => {
  test('agents default to none; version and plugins are required', () => {
    expect(openclawSchema.parse({ version: VERSION, plugins: [] })).toEqual({ version: VERSION, plugins: [], agents: {}, sharedGateways: {} });
    expect(problemsOf(openclawSchema, {})).toEqual([
      'version: an OpenClaw version such as "2026.9.6" (quoted)',
      'plugins: a list of plugin ids',
    ]);
  });

  test('the version must be the one the lockfile pins, named in the message', () => {
    expect(problemsOf(openclawSchema, section({}, { version: '2026.1.1' }))).toEqual([
      `version: the OpenClaw version pinned by host/openclaw/package-lock.json: "${VERSION}". "2026.1.1" is not what the host installs: ` +
        'pin it there first (lib/openclaw/lockfile.ts says how), then set it here',
    ]);
    expect(problemsOf(openclawSchema, section({}, { version: 2026 }))).toEqual(['version: an OpenClaw version such as "2026.9.6" (quoted)']);
  });

  test('a plugin that is not bundled is refused, listing the bundled ones; a bundled extra plugin is accepted', () => {
    const [problem, ...rest] = problemsOf(openclawSchema, section({}, { plugins: ['no-such-plugin'] }));
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^plugins\.0: a plugin bundled with the pinned OpenClaw: [a-z0-9-]+(, [a-z0-9-]+)+$/);
    expect(problem).toContain(', document-extract, ');
    expect(problemsOf(openclawSchema, section({}, { plugins: ['document-extract'] }))).toEqual([]);
    expect(problemsOf(openclawSchema, section({}, { plugins: ['telegram'] }))).toEqual([
      'plugins.0: not a provider or channel plugin: those are enabled by the agents that use them (openclaw.agents.<id>.provider / channels)',
    ]);
    expect(problemsOf(openclawSchema, section({}, { plugins: 'document-extract' }))).toEqual(['plugins: a list of plugin ids']);
  });

  test.each<[string, string[]]>([
    ['help-desk-2', []],
    ['Help', ['agents.Help: an agent id of lowercase letters, digits and hyphens, starting with a letter or digit ([a-z0-9][a-z0-9-]*)']],
    ['help_desk', ['agents.help_desk: an agent id of lowercase letters, digits and hyphens, starting with a letter or digit ([a-z0-9][a-z0-9-]*)']],
    ['', ['agents.: an agent id of lowercase letters, digits and hyphens, starting with a letter or digit ([a-z0-9][a-z0-9-]*)']],
    ['-ops', ['agents.-ops: an agent id of lowercase letters, digits and hyphens, starting with a letter or digit ([a-z0-9][a-z0-9-]*)']],
  ])('agent ids are [a-z0-9][a-z0-9-]*: %j', (id, expected) => {
    expect(problemsOf(openclawSchema, section({ [id]: MINIMAL }))).toEqual(expected);
  });

  test('agents must be a mapping', () => {
    expect(problemsOf(openclawSchema, section([] as unknown as Record<string, unknown>))).toEqual(['agents: a mapping from agent id to agent']);
  });

  test('an unknown key is refused, in the section and in an agent', () => {
    const codes = (v: unknown) => openclawSchema.safeParse(v).error?.issues.map((i) => ({ code: i.code, path: i.path }));
    expect(codes(section({}, { extra: 1 }))).toEqual([{ code: 'unrecognized_keys', path: [] }]);
    expect(codes(section({ a: { ...MINIMAL, extra: 1 } }))).toEqual([{ code: 'unrecognized_keys', path: ['agents', 'a'] }]);
    expect(codes(section({ a: { ...MINIMAL, channels: { telegram: { allowFrom: ['1'], extra: 1 } } } }))).toEqual([
      { code: 'unrecognized_keys', path: ['agents', 'a', 'channels', 'telegram'] },
    ]);
  });

  test('agentToAgent names other agents of this config, not itself; each bad entry at its index', () => {
    const shared = { sharedGateways: { team: ['a', 'b'] } };
    expect(problemsOf(openclawSchema, { ...section({ a: { ...MINIMAL, agentToAgent: ['b'] }, b: MINIMAL }), ...shared })).toEqual([]);
    expect(problemsOf(openclawSchema, { ...section({ a: { ...MINIMAL, agentToAgent: ['b', 'a', 'c'] }, b: MINIMAL }), ...shared })).toEqual([
      'agents.a.agentToAgent.1: another agent\'s id; an agent always reaches its own sessions',
      'agents.a.agentToAgent.2: an agent of this config (a, b); "c" is not defined',
    ]);
    expect(problemsOf(openclawSchema, section({ b: MINIMAL, a: { ...MINIMAL, agentToAgent: ['c'] } }))).toEqual([
      'agents.a.agentToAgent.0: an agent of this config (b, a); "c" is not defined',
    ]);
  });

  test('a chat platform routes to one agent: the second agent on it is refused, naming the first', () => {
    const tg = { channels: { telegram: { allowFrom: ['1'] } } };
    expect(problemsOf(openclawSchema, section({ a: { ...MINIMAL, ...tg }, b: MINIMAL }))).toEqual([]);
    expect(problemsOf(openclawSchema, section({ a: { ...MINIMAL, ...tg }, b: { ...MINIMAL, ...tg }, c: { ...MINIMAL, ...tg } }))).toEqual([
      'agents.b.channels.telegram: a chat platform no other agent uses; telegram already routes to agent "a" (one bot account per platform, one agent per account)',
      'agents.c.channels.telegram: a chat platform no other agent uses; telegram already routes to agent "a" (one bot account per platform, one agent per account)',
    ]);
  });
});

/**
 * Each cross-field rule's issue, whole: a custom issue (the config loader then
 * reports the value found at its path), at the key it is about, with its message.
 */
describe('cross-field rules report custom issues at the key they are about', () => {
  const issuesOf = (schema: z.ZodType, value: unknown) =>
    (schema.safeParse(value).error?.issues ?? []).map((i) => ({ code: i.code, path: i.path, message: i.message }));
  const channel = (c: object) => issuesOf(agentSchema, { ...MINIMAL, channels: { telegram: c } });
  const custom = (path: PropertyKey[], message: string) => [{ code: 'custom', path, message }];

  test('dmPolicy allowlist without senders', () => {
    expect(channel({})).toEqual(
      custom(['channels', 'telegram', 'allowFrom'], 'at least one sender id with dmPolicy allowlist (or dmPolicy pairing, or disabled to turn DMs off)'),
    );
  });

  test('senders with dmPolicy open', () => {
    expect(channel({ dmPolicy: 'open', allowFrom: ['42'] })).toEqual(
      custom(['channels', 'telegram', 'allowFrom'], 'no sender ids with dmPolicy open; they apply only to allowlist (and pairing)'),
    );
  });

  test('groupPolicy allowlist without groups, and without group senders', () => {
    expect(channel({ dmPolicy: 'disabled', groupPolicy: 'allowlist' })).toEqual([
      ...custom(['channels', 'telegram', 'groups'], 'at least one group chat id with groupPolicy allowlist'),
      ...custom(['channels', 'telegram', 'groupAllowFrom'], 'at least one sender id with groupPolicy allowlist'),
    ]);
  });

  test('groups with groupPolicy disabled', () => {
    expect(channel({ dmPolicy: 'disabled', groups: ['-1'] })).toEqual(
      custom(['channels', 'telegram', 'groups'], 'no groups or groupAllowFrom with groupPolicy disabled; set groupPolicy allowlist to use them'),
    );
  });

  test('exec mode allowlist without commands, and commands with another mode', () => {
    expect(issuesOf(agentSchema, { ...MINIMAL, tools: { exec: { mode: 'allowlist' } } })).toEqual(
      custom(['tools', 'exec', 'commands'], 'at least one absolute program path with mode allowlist (or mode deny)'),
    );
    expect(issuesOf(agentSchema, { ...MINIMAL, tools: { exec: { mode: 'auto', commands: ['/usr/bin/uptime'] } } })).toEqual(
      custom(['tools', 'exec', 'commands'], 'no commands with mode auto; the list applies only to mode allowlist'),
    );
  });

  test('a chat platform whose plugin is not bundled', () => {
    expect(issuesOf(agentSchema, { ...MINIMAL, channels: { slack: { allowFrom: ['1'] } } })).toEqual(
      custom(
        ['channels', 'slack'],
        'a chat platform whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): telegram; "slack" needs a separate plugin package this blueprint does not install',
      ),
    );
  });

  test('agentToAgent naming the agent itself, or an agent that is not defined', () => {
    expect(issuesOf(openclawSchema, section({ a: { ...MINIMAL, agentToAgent: ['a', 'c'] } }))).toEqual([
      ...custom(['agents', 'a', 'agentToAgent', 0], 'another agent\'s id; an agent always reaches its own sessions'),
      ...custom(['agents', 'a', 'agentToAgent', 1], 'an agent of this config (a); "c" is not defined'),
    ]);
  });

  test('a second agent on the same chat platform', () => {
    const tg = { channels: { telegram: { allowFrom: ['1'] } } };
    expect(issuesOf(openclawSchema, section({ a: { ...MINIMAL, ...tg }, b: { ...MINIMAL, ...tg } }))).toEqual(
      custom(
        ['agents', 'b', 'channels', 'telegram'],
        'a chat platform no other agent uses; telegram already routes to agent "a" (one bot account per platform, one agent per account)',
      ),
    );
  });
});

describe('an agent', () => {
  test('every key but the hardened ones is required', () => {
    expect(problemsOf(agentSchema, {})).toEqual([
      'description: a sentence describing what the agent is for',
      'provider: one of the model providers: anthropic, openai, google, openrouter, bedrock, mistral, groq, xai',
      'model: a model id of the provider, e.g. claude-sonnet-4-6',
    ]);
  });

  test('a channel that says nothing needs senders; pairing and disabled DMs do not; group allowlist needs groups and senders', () => {
    const ch = (c: object) => problemsOf(agentSchema, { ...MINIMAL, channels: { telegram: c } });
    expect(ch({})).toEqual(['channels.telegram.allowFrom: at least one sender id with dmPolicy allowlist (or dmPolicy pairing, or disabled to turn DMs off)']);
    expect(ch({ dmPolicy: 'pairing' })).toEqual([]);
    expect(ch({ dmPolicy: 'disabled' })).toEqual([]);
    expect(ch({ dmPolicy: 'open' })).toEqual([]);
    expect(ch({ dmPolicy: 'disabled', groupPolicy: 'allowlist', groups: ['-1'] })).toEqual([
      'channels.telegram.groupAllowFrom: at least one sender id with groupPolicy allowlist',
    ]);
    expect(ch({ dmPolicy: 'disabled', groupPolicy: 'allowlist', groupAllowFrom: ['1'] })).toEqual([
      'channels.telegram.groups: at least one group chat id with groupPolicy allowlist',
    ]);
    expect(ch({ dmPolicy: 'disabled', groupPolicy: 'open' })).toEqual([]);
  });

  test('tools without exec: exec is denied, with no commands', () => {
    expect(agentSchema.parse({ ...MINIMAL, tools: { elevated: false } }).tools).toEqual({ exec: { mode: 'deny', commands: [] }, elevated: false });
  });

  test('mode allowlist needs commands', () => {
    expect(problemsOf(agentSchema, { ...MINIMAL, tools: { exec: { mode: 'allowlist' } } })).toEqual([
      'tools.exec.commands: at least one absolute program path with mode allowlist (or mode deny)',
    ]);
    expect(problemsOf(agentSchema, { ...MINIMAL, tools: { exec: { mode: 'ask', commands: ['/usr/bin/uptime'] } } })).toEqual([
      'tools.exec.commands: no commands with mode ask; the list applies only to mode allowlist',
    ]);
  });

  test.each<[unknown, string[]]>([
    ["abc", []],
    ["ab", ["description: a sentence describing what the agent is for"]],
    ["dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", []],
    ["ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", ["description: at most 200 characters"]],
    [5, ["description: a sentence describing what the agent is for"]],
  ])('description: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('description'), ['description'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["anthropic", []],
    ["openai", []],
    ["google", []],
    ["openrouter", []],
    ["xai", []],
    ["bedrock", ["provider: a model provider whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): anthropic, openai, google, openrouter, xai; \"bedrock\" needs a separate plugin package this blueprint does not install"]],
    ["mistral", ["provider: a model provider whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): anthropic, openai, google, openrouter, xai; \"mistral\" needs a separate plugin package this blueprint does not install"]],
    ["groq", ["provider: a model provider whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): anthropic, openai, google, openrouter, xai; \"groq\" needs a separate plugin package this blueprint does not install"]],
    ["cohere", ["provider: one of the model providers: anthropic, openai, google, openrouter, bedrock, mistral, groq, xai"]],
  ])('provider: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('provider'), ['provider'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["claude-sonnet-4-6", []],
    ["a", []],
    ["A1._:@-z", []],
    ["mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", []],
    ["mxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    ["-model", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    [".model", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    ["anthropic/claude", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    ["claude sonnet", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    [" claude", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    ["claude ", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    ["", ["model: a model id of the provider without the provider prefix, e.g. claude-sonnet-4-6"]],
    [4, ["model: a model id of the provider, e.g. claude-sonnet-4-6"]],
  ])('model: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('model'), ['model'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [{"telegram":{"allowFrom":["1"]}}, []],
    [{"slack":{"allowFrom":["1"]}}, ["channels.slack: a chat platform whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): telegram; \"slack\" needs a separate plugin package this blueprint does not install"]],
    [{"discord":{"allowFrom":["1"]}}, ["channels.discord: a chat platform whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): telegram; \"discord\" needs a separate plugin package this blueprint does not install"]],
    [{"whatsapp":{"dmPolicy":"disabled"}}, ["channels.whatsapp: a chat platform whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): telegram; \"whatsapp\" needs a separate plugin package this blueprint does not install"]],
    [{"msteams":{"dmPolicy":"disabled"}}, ["channels.msteams: a chat platform whose plugin ships in the pinned OpenClaw (host/openclaw/package-lock.json): telegram; \"msteams\" needs a separate plugin package this blueprint does not install"]],
    [{"signal":{}}, ["channels: a mapping from chat platform to its access policy"]],
    [[], ["channels: a mapping from chat platform to its access policy"]],
    ["telegram", ["channels: a mapping from chat platform to its access policy"]],
  ])('channels: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('channels'), ['channels'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["123456789","A-z_0.9@+:x"], []],
    [["11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"], []],
    [["111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"], ["channels.telegram.allowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [[""], ["channels.telegram.allowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [["*"], ["channels.telegram.allowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [["12 34"], ["channels.telegram.allowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [[" 1"], ["channels.telegram.allowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [["1 "], ["channels.telegram.allowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [["-1"], []],
    [[123], ["channels.telegram.allowFrom.0: a sender id of the chat platform as a quoted string, e.g. \"123456789\" (a Telegram user id)"]],
    ["42", ["channels.telegram.allowFrom: a list of sender ids"]],
  ])('channels.telegram.allowFrom: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('channels.telegram.allowFrom'), ['channels','telegram','allowFrom'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["-1001234567890"], []],
    [["abc"], []],
    [["-11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"], []],
    [["-111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"], ["channels.telegram.groups.0: a group chat id, e.g. \"-1001234567890\"; no wildcard"]],
    [["111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"], ["channels.telegram.groups.0: a group chat id, e.g. \"-1001234567890\"; no wildcard"]],
    [["--1"], []],
    [["-"], []],
    [["*"], ["channels.telegram.groups.0: a group chat id, e.g. \"-1001234567890\"; no wildcard"]],
    [[" -1"], ["channels.telegram.groups.0: a group chat id, e.g. \"-1001234567890\"; no wildcard"]],
    [["-1 "], ["channels.telegram.groups.0: a group chat id, e.g. \"-1001234567890\"; no wildcard"]],
    [[-100], ["channels.telegram.groups.0: a group chat id as a quoted string, e.g. \"-1001234567890\" (a Telegram supergroup id)"]],
    ["-1", ["channels.telegram.groups: a list of group chat ids"]],
  ])('channels.telegram.groups: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('channels.telegram.groups'), ['channels','telegram','groups'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["43"], []],
    [["*"], ["channels.telegram.groupAllowFrom.0: a stable sender id of the chat platform, e.g. \"123456789\"; no wildcard (\"*\" would let anyone in: use dmPolicy open with an exception instead)"]],
    [[43], ["channels.telegram.groupAllowFrom.0: a sender id of the chat platform as a quoted string, e.g. \"123456789\" (a Telegram user id)"]],
    ["43", ["channels.telegram.groupAllowFrom: a list of sender ids"]],
  ])('channels.telegram.groupAllowFrom: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('channels.telegram.groupAllowFrom'), ['channels','telegram','groupAllowFrom'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["allowlist", []],
    ["pairing", []],
    ["open", ["channels.telegram.allowFrom: no sender ids with dmPolicy open; they apply only to allowlist (and pairing)"]],
    ["disabled", ["channels.telegram.allowFrom: no sender ids with dmPolicy disabled; they apply only to allowlist (and pairing)"]],
    ["closed", ["channels.telegram.dmPolicy: one of: allowlist, pairing, disabled, open"]],
  ])('channels.telegram.dmPolicy: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('channels.telegram.dmPolicy'), ['channels','telegram','dmPolicy'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["allowlist", []],
    ["open", []],
    ["disabled", ["channels.telegram.groups: no groups or groupAllowFrom with groupPolicy disabled; set groupPolicy allowlist to use them"]],
    ["everyone", ["channels.telegram.groupPolicy: one of: disabled, allowlist, open"]],
  ])('channels.telegram.groupPolicy: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('channels.telegram.groupPolicy'), ['channels','telegram','groupPolicy'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [{"exec":{"mode":"ask"}}, []],
    [{"exec":{"mode":"auto"}}, []],
    [{"exec":{"mode":"full"}}, []],
    [{"exec":{"mode":"sometimes"}}, ["tools.exec.mode: one of: deny, allowlist, ask, auto, full"]],
    [{"elevated":true}, []],
    [{"elevated":"yes"}, ["tools.elevated: true or false"]],
    [{"exec":{"commands":["/usr/bin/uptime"]}}, ["tools.exec.commands: no commands with mode deny; the list applies only to mode allowlist"]],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/uptime","/opt/a-b/c_d+e.f"]}}, []],
    [{"exec":{"mode":"allowlist","commands":["/"]}}, ["tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)"]],
    [{"exec":{"mode":"allowlist","commands":["usr/bin/uptime"]}}, ["tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)"]],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/uptime "]}}, ["tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)"]],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/up time"]}}, ["tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)"]],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/*"]}}, ["tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime (no globs, arguments or spaces)"]],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/.."]}}, ["tools.exec.commands.0: a path without \"..\""]],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/..x"]}}, []],
    [{"exec":{"mode":"allowlist","commands":["/usr/bin/bash"]}}, ["tools.exec.commands.0: a program that cannot run other code: shells, interpreters, editors, pagers, network and privilege tools would make the allowlist run anything"]],
    [{"exec":{"mode":"allowlist","commands":[5]}}, ["tools.exec.commands.0: an absolute path of a program, e.g. /usr/bin/uptime"]],
    [{"exec":{"mode":"allowlist","commands":"/usr/bin/uptime"}}, ["tools.exec.commands: a list of absolute program paths"]],
    [{"extra":1}, ["tools: Unrecognized key: \"extra\""]],
    [{"exec":{"extra":1}}, ["tools.exec: Unrecognized key: \"extra\""]],
  ])('tools: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('tools'), ['tools'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["a-1"], []],
    [["A"], ["agentToAgent.0: an agent id"]],
    [["a_b"], ["agentToAgent.0: an agent id"]],
    [[" a"], ["agentToAgent.0: an agent id"]],
    [["a "], ["agentToAgent.0: an agent id"]],
    [[""], ["agentToAgent.0: an agent id"]],
    ["a", ["agentToAgent: a list of agent ids"]],
  ])('agentToAgent: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('agentToAgent'), ['agentToAgent'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    ["no", ["subagents: true or false"]],
  ])('subagents: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('subagents'), ['subagents'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    [1, ["automations: true or false"]],
  ])('automations: %j', (value, expected) => {
    expect(problemsOf(agentSchema, withValue(base('automations'), ['automations'], value))).toEqual(expected);
  });
});
