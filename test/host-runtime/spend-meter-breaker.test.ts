import * as crypto from 'crypto';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { renderSpendMeterManifest, type SpendMeterManifest } from '../../lib/host/spend-meter';
import { agentGateways } from '../../lib/openclaw/gateways';
import { restoreAgentScript } from '../../lib/spend/restore-agent-document';
import { exampleConfig, tempDir } from '../host/support/host-tools';
import { requireOpenclaw, runOpenclaw, writeOpenclawFixture, type OpenclawFixture, type OpenclawInstall } from '../openclaw/support/openclaw';
import { startFakeAws, type FakeAws } from '../support/fake-aws/world';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic';
import { readCalls, recorder, requireRootForRuntime, runAsync, writeExecutable } from './support/runtime-tools';
import type { DumpedRow } from './support/spend-db';
import { breakerTools, dumpRows, runDbOps, runMeter, writePrograms } from './support/spend-meter-world';

// The per-agent breaker ("revoke, suspend, alert") of the REAL bundled spend-meter.js, run with
// the pinned Node 24 as on the host, on the example's two gateways (ops, support), each with its
// own OpenClaw state folder <state>/<id>/ as on the host (/var/lib/openclaw/<id>/), and the
// example config's own limits (openclaw.agents.<id>.breaker: the defaults, $2 a day, $25 a
// month, 150 tool calls and 20 refused egress attempts in 5 minutes).
//
// What trips it is never a figure handed to the meter: it is what the meter reads.
//   - Model spend and tool calls: records in the format OpenClaw 2026.9.6 writes, made from an
//     assistant message the REAL OpenClaw wrote in a real agent turn (`openclaw agent --local`
//     against a loopback Anthropic Messages API that asked for three tool calls), inserted into
//     a database the real OpenClaw created (support/spend-db.ts).
//   - Refused egress: the real nft, in a network namespace of this test, whose kernel counter
//     egress_blocked_<id> counts the gateway user's refused connections as the host's ruleset
//     does; and squid's access-log lines (native format + the listening port) of its proxy port.
// systemctl is a stand-in that records its arguments: stopping a unit is what is checked.

const config = exampleConfig('dev');
const gateways = agentGateways(config);
const SUPPORT = gateways.find((g) => g.id === 'support')!;
const OPS = gateways.find((g) => g.id === 'ops')!;
const STOP_SUPPORT = ['stop', '--no-block', 'openclaw-gateway@support.service'];

let oc: OpenclawInstall;
let root: string;
let aws: FakeAws;
let anthropic: FakeAnthropic;
let fx: OpenclawFixture;
let meter: string;
let helper: string;
/** A copy of the support database as the real OpenClaw left it (its schema; rows cleared when copied). */
let template: string;
/** The assistant event with three tool calls the real OpenClaw wrote (decoded). */
let toolEvent: Record<string, unknown> & { message: Record<string, unknown> & { content: Record<string, unknown>[] } };

beforeAll(async () => {
  requireRootForRuntime('the breaker test (the meter runs as root; the refused connections are another user\'s)');
  oc = requireOpenclaw();
  root = tempDir('oc-spend-breaker-');
  fs.mkdirSync(path.join(root, 'home'));
  aws = await startFakeAws(9470, path.join(root, 'home'));
  anthropic = await startFakeAnthropic();
  ({ meter, helper } = writePrograms(root));
  fx = writeOpenclawFixture(config, path.join(root, 'openclaw'), [], SUPPORT);
  const doc = JSON.parse(fs.readFileSync(fx.configFile, 'utf8')) as { models: { providers: { anthropic: Record<string, unknown> } } };
  doc.models.providers.anthropic.baseUrl = anthropic.endpoint;
  fs.chmodSync(fx.configFile, 0o600);
  fs.writeFileSync(fx.configFile, `${JSON.stringify(doc, null, 2)}\n`);
  fs.chmodSync(fx.configFile, 0o400);
  // One real turn: the model asks for three tool calls, OpenClaw answers them (or refuses them:
  // either way its transcript records the calls the model asked for), then the model answers.
  anthropic.turns.push(
    { usage: { input: 1000, output: 100 }, text: 'Let me look.', tools: [1, 2, 3].map((n) => ({ name: 'read', input: { path: `notes-${n}.md` } })) },
    { usage: { input: 1200, output: 50 }, text: 'Nothing there.' },
    { usage: { input: 1200, output: 50 }, text: 'Nothing there.' },
  );
  const r = await runOpenclaw(fx, ['agent', '--local', '--agent', 'support', '--message', 'Read the notes'], 280_000);
  if (r.status !== 0) throw new Error(`openclaw agent failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const db = path.join(fx.stateDir, 'agents/support/agent/openclaw-agent.sqlite');
  template = path.join(root, 'template.sqlite');
  await runDbOps(oc.node, helper, [{ op: 'copy', from: db, to: template }]);
  const rows: DumpedRow[] = await dumpRows(oc.node, helper, template);
  const withTools = rows.map((row) => JSON.parse(row.json) as typeof toolEvent).filter((e) => Array.isArray(e.message?.content) && e.message.content.some((b) => b.type === 'toolCall'));
  if (withTools.length !== 1) throw new Error(`expected one assistant message with tool calls, found ${withTools.length}: ${rows.map((x) => x.json.slice(0, 200)).join('\n')}`);
  toolEvent = withTools[0]!;
}, 420_000);

afterAll(async () => {
  await aws?.close();
  await anthropic?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

beforeEach(() => aws?.reset());

test('what the real OpenClaw 2026.9.6 records for a tool call: toolCall blocks of the assistant message, beside its usage', () => {
  const calls = toolEvent.message.content.filter((b) => b.type === 'toolCall');
  expect(calls.map((b) => [b.name, b.arguments])).toEqual([1, 2, 3].map((n) => ['read', { path: `notes-${n}.md` }]));
  expect(toolEvent.message).toMatchObject({ role: 'assistant', provider: 'anthropic', model: 'claude-sonnet-4-6', usage: { input: 1000, output: 100 } });
});

/** One world: the two gateways' state folders with empty databases (the real schema), a meter folder, the manifest. */
let n = 0;
async function world(): Promise<{ m: SpendMeterManifest; db: (id: string) => string; dir: string; systemctlCalls: () => string[][] }> {
  const dir = path.join(root, 'w', `${++n}`);
  const state = path.join(dir, 'openclaw');
  const meterDir = path.join(dir, 'meter');
  fs.mkdirSync(meterDir, { recursive: true, mode: 0o700 });
  const db = (id: string) => path.join(state, id, 'agents', id, 'agent', 'openclaw-agent.sqlite');
  for (const g of gateways) fs.mkdirSync(path.dirname(db(g.id)), { recursive: true, mode: 0o700 });
  await runDbOps(oc.node, helper, gateways.map((g) => ({ op: 'copy' as const, from: template, to: db(g.id), clear: true })));
  const m = renderSpendMeterManifest(config, { openclawStateDir: state, stateFile: path.join(meterDir, 'state.json'), breakerDir: path.join(meterDir, 'breaker'), egressAccessLog: path.join(dir, 'access.log') });
  return { m, db, dir, systemctlCalls: breakerTools(meterDir).systemctlCalls };
}

/** An assistant message as the real one, at `at`, with its usage and `calls` of its tool calls (0 to 3). */
function assistant(at: string, usage: { input?: number; output?: number }, calls = 0): { json: string; createdAt: number } {
  const ms = Date.parse(at);
  const e = structuredClone(toolEvent);
  e.id = crypto.randomUUID();
  e.parentId = crypto.randomUUID();
  e.timestamp = new Date(ms + 150).toISOString();
  const text = e.message.content.filter((b) => b.type !== 'toolCall');
  const tools = e.message.content.filter((b) => b.type === 'toolCall').slice(0, calls).map((b) => ({ ...b, id: `toolu_${crypto.randomBytes(8).toString('hex')}` }));
  e.message.content = [...text, ...tools];
  const u = { input: usage.input ?? 0, output: usage.output ?? 0, cacheRead: 0, cacheWrite: 0 };
  e.message.usage = { ...(e.message.usage as object), ...u, totalTokens: u.input + u.output };
  e.message.timestamp = ms;
  return { json: JSON.stringify(e), createdAt: ms + 150 };
}

async function append(db: string, events: readonly { json: string; createdAt: number }[], session = crypto.randomUUID()) {
  await runDbOps(oc.node, helper, events.map((e) => ({ op: 'insert' as const, db, session, createdAt: e.createdAt, json: e.json })));
}

/** `count` messages of 3 tool calls (and a few tokens) from `from`, one every `everyMs`. */
const toolBurst = (from: string, count: number, everyMs: number, calls = 3) =>
  Array.from({ length: count }, (_, i) => assistant(new Date(Date.parse(from) + i * everyMs).toISOString(), { input: 100, output: 10 }, calls));

const tripped = () => aws.cw.metrics.filter((x) => x.metricName === 'AgentBreakerTripped').map((x) => `${x.dimensions.Gateway}=${x.value} ${x.unit}`);
const markerOf = (m: SpendMeterManifest, id: string) => path.join(m.breakerDir, `${id}.tripped`);

test('below every limit nothing happens: no marker, no stop, both gateways published as not tripped', async () => {
  const { m, db, systemctlCalls } = await world();
  // support: $1.95 + 49 x $0.00045 = $1.97 today (under $2), 147 tool calls in 5 minutes (under 150); ops: $1.99.
  await append(db('support'), [assistant('2026-11-21T08:00:00Z', { input: 500_000, output: 30_000 }), ...toolBurst('2026-11-21T09:56:00Z', 49, 1000)]);
  await append(db('ops'), [assistant('2026-11-21T09:00:00Z', { input: 663_000 })]);
  const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:00:00Z']);
  expect(r.err.filter((l) => l.includes('BREAKER'))).toEqual([]);
  expect(r.code).toBe(0);
  expect(systemctlCalls()).toEqual([]);
  expect(fs.existsSync(m.breakerDir) ? fs.readdirSync(m.breakerDir) : []).toEqual([]);
  expect(tripped()).toEqual(['ops=0 Count', 'support=0 Count']);
});

test('support crossing its daily limit: its marker, its unit stopped (only it), one line, its alarm metric; not stopped twice; restore clears it', async () => {
  const { m, db, dir, systemctlCalls } = await world();
  await append(db('support'), [assistant('2026-11-21T08:00:00Z', { input: 500_000 })]); // $1.50
  await append(db('ops'), [assistant('2026-11-21T08:30:00Z', { input: 600_000 })]); // $1.80: ops under its own limit
  expect((await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T09:00:00Z'])).err).toEqual([]);
  expect(systemctlCalls()).toEqual([]);

  await append(db('support'), [assistant('2026-11-21T09:10:00Z', { input: 100_000, output: 20_000 })]); // + $0.60 = $2.10
  aws.reset();
  const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T09:11:00Z']);
  expect(r.err).toEqual([
    `openclaw-meter: BREAKER tripped gateway support (agents support, user openclaw-support): model-daily-usd: model spend today $2.10 at or over its daily limit $2.00 ` +
      `(today $2.10, month $2.10, 0 tool calls and 0 refused egress in 5 min); openclaw-gateway@support.service stopped; marker ${markerOf(m, 'support')}`,
  ]);
  expect(r.out).toEqual(['openclaw-meter: today $3.90, month $3.90 (1 new usage record) [metrics published to OpenClaw/openclaw-example-dev]']);
  expect(systemctlCalls()).toEqual([STOP_SUPPORT]);
  const st = fs.statSync(markerOf(m, 'support'));
  expect({ mode: (st.mode & 0o777).toString(8), uid: st.uid, dirMode: (fs.statSync(m.breakerDir).mode & 0o777).toString(8) }).toEqual({ mode: '600', uid: 0, dirMode: '700' });
  expect(JSON.parse(fs.readFileSync(markerOf(m, 'support'), 'utf8'))).toEqual({
    gateway: 'support',
    agents: ['support'],
    unit: 'openclaw-gateway@support.service',
    reason: 'model-daily-usd',
    limit: 2,
    figure: 2.1,
    figures: { todayUsd: 2.1, monthUsd: 2.1, toolCalls5Min: 0, blockedEgress5Min: 0 },
    time: '2026-11-21T09:11:00.000Z',
    stopped: true,
  });
  expect(fs.existsSync(markerOf(m, 'ops'))).toBe(false);
  expect(tripped()).toEqual(['ops=0 Count', 'support=1 Count']);

  // Idempotent: more spend, more runs; the marker is there, the unit is not stopped again.
  await append(db('support'), [assistant('2026-11-21T09:12:00Z', { input: 100_000 })]);
  aws.reset();
  const again = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T09:13:00Z']);
  expect(again.err).toEqual([]);
  aws.reset();
  await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T09:14:00Z']);
  expect(systemctlCalls()).toEqual([STOP_SUPPORT]);
  expect(tripped()).toEqual(['ops=0 Count', 'support=1 Count']);

  // Restore (the SSM document's script, with the test's folder and systemctl): the marker gone, the unit started.
  const restoreCalls = path.join(dir, 'restore-systemctl-calls');
  const systemctl = recorder(path.join(dir, 'restore-systemctl'), restoreCalls, 'exit 0');
  const script = restoreAgentScript(gateways.map((g) => g.id), m.breakerDir, systemctl).join('\n').replaceAll('{{ agent }}', 'support');
  const restored = await runAsync('bash', ['-c', script], { timeoutMs: 20_000 });
  expect(restored.code).toBe(0);
  expect(restored.stdout).toContain('restore-agent: gateway support restored (it had tripped: model-daily-usd');
  expect(fs.existsSync(markerOf(m, 'support'))).toBe(false);
  expect(readCalls(restoreCalls)).toEqual([
    ['reset-failed', 'openclaw-gateway@support.service'],
    ['start', 'openclaw-gateway@support.service'],
  ]);
  // The next run takes the restore: its limits count from now; not stopped again for what stopped it.
  aws.reset();
  const after = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T09:20:00Z']);
  expect(after.err).toEqual(['openclaw-meter: BREAKER gateway support restored: its limits count again from now']);
  expect(systemctlCalls()).toEqual([STOP_SUPPORT]);
  expect(tripped()).toEqual(['ops=0 Count', 'support=0 Count']);
  // $2 more after the restore trips it again.
  await append(db('support'), [assistant('2026-11-21T09:30:00Z', { input: 666_667 })]);
  const twice = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T09:31:00Z']);
  expect(twice.err.filter((l) => l.includes('BREAKER'))).toEqual([expect.stringMatching(/^openclaw-meter: BREAKER tripped gateway support .*: model-daily-usd: model spend today \$2\.00 at or over its daily limit \$2\.00 /)]);
  expect(systemctlCalls()).toEqual([STOP_SUPPORT, STOP_SUPPORT]);
});

test('the restore script refuses an id that is not one of the gateways (checked again behind the document\'s allowedPattern)', async () => {
  const { m, dir } = await world();
  fs.mkdirSync(m.breakerDir, { mode: 0o700 });
  fs.writeFileSync(markerOf(m, 'ops'), '{}', { mode: 0o600 });
  const calls = path.join(dir, 'calls');
  const systemctl = recorder(path.join(dir, 'systemctl'), calls, 'exit 0');
  const script = restoreAgentScript(gateways.map((g) => g.id), m.breakerDir, systemctl).join('\n');
  for (const bad of ['ops; rm -rf /', '../ops', 'OPS', '']) {
    const r = await runAsync('bash', ['-c', script.replaceAll('{{ agent }}', bad)], { timeoutMs: 20_000 });
    expect({ bad, code: r.code }).toEqual({ bad, code: 2 });
  }
  expect(fs.existsSync(markerOf(m, 'ops'))).toBe(true);
  expect(readCalls(calls)).toEqual([]);
});

test('a tool-call spike: 150 tool calls of support in 5 minutes trip it; 149, or 150 spread over more than 5 minutes, do not', async () => {
  const { m, db, systemctlCalls } = await world();
  // 149 in the window (49 messages of 3, one of 2) and, 6 minutes earlier, 30 more.
  await append(db('support'), [...toolBurst('2026-11-21T09:50:00Z', 10, 1000), ...toolBurst('2026-11-21T09:56:00Z', 49, 2000), assistant('2026-11-21T09:58:00Z', { input: 100 }, 2)]);
  const below = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:00:30Z']);
  expect(below.err).toEqual([]);
  expect(systemctlCalls()).toEqual([]);
  // One more call: 150 in the last 5 minutes.
  await append(db('support'), [assistant('2026-11-21T10:00:40Z', { input: 100 }, 1)]);
  aws.reset();
  const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:00:45Z']);
  expect(r.err).toEqual([expect.stringMatching(/^openclaw-meter: BREAKER tripped gateway support \(agents support, user openclaw-support\): tool-calls-5min: 150 tool calls in the last 5 minutes, at or over its limit 150 /)]);
  expect(systemctlCalls()).toEqual([STOP_SUPPORT]);
  expect(JSON.parse(fs.readFileSync(markerOf(m, 'support'), 'utf8'))).toMatchObject({ reason: 'tool-calls-5min', limit: 150, figure: 150 });
  expect(fs.existsSync(markerOf(m, 'ops'))).toBe(false);
  expect(tripped()).toEqual(['ops=0 Count', 'support=1 Count']);
});

describe('a blocked-egress spike (the real nft in a network namespace of this test)', () => {
  const ns = `ocbrk${process.pid % 100000}`;
  let nft: string;
  beforeAll(() => {
    const add = spawnSync('ip', ['netns', 'add', ns]);
    if (add.status !== 0) throw new Error(`ip netns add: ${add.stderr.toString()}`);
    spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // The host ruleset's shape (host/nftables/openclaw.nft, H4's per-gateway counters): each
    // gateway user's direct connections refused with a reset and counted in its own counter.
    const rules = [
      'table inet openclaw {',
      ...gateways.map((g) => `  counter egress_blocked_${g.id} { }`),
      '  chain output {',
      '    type filter hook output priority filter; policy accept;',
      ...gateways.map((g) => `    meta skuid "${g.user}" tcp dport 443 counter name "egress_blocked_${g.id}" reject with tcp reset`),
      '  }',
      '}',
    ].join('\n');
    const load = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: rules });
    if (load.status !== 0) throw new Error(`nft -f: ${load.stderr.toString()}`);
    nft = writeExecutable(path.join(root, 'nft-in-netns'), `#!/usr/bin/env bash\nexec ip netns exec ${ns} nft "$@"\n`);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'delete', ns]);
  });

  /** `count` direct HTTPS connections tried by `user` in the namespace (each refused by the kernel). */
  function tryDirect(user: string, count: number) {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'setpriv', `--reuid=${user}`, `--regid=${user}`, '--clear-groups', 'bash', '-c', `for i in $(seq ${count}); do (exec 3<>/dev/tcp/127.0.0.2/443) 2>/dev/null; done; true`], { timeout: 30_000 });
    if (r.status !== 0) throw new Error(`direct attempts failed: ${r.stderr?.toString()}`);
  }

  test('20 refused direct connections of support\'s user in 5 minutes trip support; ops\'s 19 do not trip ops', async () => {
    const { m, systemctlCalls } = await world();
    const base = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:00:00Z', '--nft', nft]);
    expect(base.err).toEqual([]);
    tryDirect(SUPPORT.user, 19);
    tryDirect(OPS.user, 19);
    const below = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:01:00Z', '--nft', nft]);
    expect(below.err).toEqual([]);
    expect(systemctlCalls()).toEqual([]);
    tryDirect(SUPPORT.user, 1);
    aws.reset();
    const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:02:00Z', '--nft', nft]);
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-meter: BREAKER tripped gateway support \(agents support, user openclaw-support\): blocked-egress-5min: 20 refused egress attempts in the last 5 minutes, at or over its limit 20 /)]);
    expect(systemctlCalls()).toEqual([STOP_SUPPORT]);
    expect(fs.existsSync(markerOf(m, 'ops'))).toBe(false);
    expect(tripped()).toEqual(['ops=0 Count', 'support=1 Count']);
  });

  test('squid\'s TCP_DENIED lines count for the gateway of their port; older than 5 minutes, allowed, or of another port they do not', async () => {
    const { m, systemctlCalls } = await world();
    const line = (at: string, result: string, port: number) => `${(Date.parse(at) / 1000).toFixed(3)}      0 127.0.0.1 ${result} 3912 CONNECT evil.example:443 - HIER_NONE/- text/html ${port}\n`;
    fs.writeFileSync(m.egressAccessLog, [
      ...Array.from({ length: 10 }, () => line('2026-11-21T09:50:00Z', 'TCP_DENIED/403', SUPPORT.proxyPort)), // too old
      ...Array.from({ length: 19 }, () => line('2026-11-21T09:58:00Z', 'TCP_DENIED/403', SUPPORT.proxyPort)),
      ...Array.from({ length: 5 }, () => line('2026-11-21T09:58:00Z', 'TCP_TUNNEL/200', SUPPORT.proxyPort)), // allowed
      ...Array.from({ length: 25 }, () => line('2026-11-21T09:58:00Z', 'TCP_DENIED/403', 3128)), // the host's own port
    ].join(''));
    const below = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:00:00Z', '--nft', nft]);
    expect(below.err).toEqual([]);
    expect(systemctlCalls()).toEqual([]);
    fs.appendFileSync(m.egressAccessLog, line('2026-11-21T10:00:10Z', 'TCP_DENIED/403', SUPPORT.proxyPort));
    const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-11-21T10:00:30Z', '--nft', nft]);
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-meter: BREAKER tripped gateway support .*: blocked-egress-5min: 20 refused egress attempts in the last 5 minutes, at or over its limit 20 /)]);
    expect(systemctlCalls()).toEqual([STOP_SUPPORT]);
    expect(fs.existsSync(markerOf(m, 'ops'))).toBe(false);
  });
});
