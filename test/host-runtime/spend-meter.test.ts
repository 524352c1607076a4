import { gatewayAt } from '../../lib/openclaw/gateways';
import * as crypto from 'crypto';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MODEL_SPEND_MONTH_METRIC, MODEL_SPEND_TODAY_METRIC, renderSpendMeterManifest, type SpendMeterManifest } from '../../lib/host/spend-meter';
import { exampleConfig, tempDir } from '../host/support/host-tools';
import { requireOpenclaw, runOpenclaw, writeOpenclawFixture, type OpenclawFixture, type OpenclawInstall } from '../openclaw/support/openclaw';
import { IMDS_ROLES_PATH, IMDS_TOKEN_PATH, fakeRoleCredentials } from '../support/fake-aws/imds';
import { startFakeAws, type FakeAws } from '../support/fake-aws/world';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic';
import { requireRootForRuntime } from './support/runtime-tools';
import type { DumpedRow } from './support/spend-db';
import { assistantEvent, breakerFields, dumpRows, runDbOps, runMeter, userEvent, writePrograms, type RecordSpec, type Run } from './support/spend-meter-world';

// The REAL bundled spend-meter.js, run with the pinned Node 24 as on the host,
// against loopback fakes of IMDSv2 and CloudWatch (which checks every SigV4
// signature and records each datum).
//
// Its input is what OpenClaw 2026.9.6 itself writes: the real OpenClaw (the
// pinned package) runs agent turns (`openclaw agent --local`) of the example
// client's generated config against a loopback Anthropic Messages API that
// reports known token counts, and records them in
// <state>/agents/<agent>/agent/openclaw-agent.sqlite (table transcript_events,
// the assistant message's usage; the long answer zstd-compressed, as OpenClaw
// stores large events). The boundary, rewrite and malformed cases need times
// and shapes a real turn cannot be asked for: they are rows inserted into a
// copy of a database the real OpenClaw created (its schema, its constraints),
// each event a copy of the real assistant event with other times, models and
// counts (support/spend-db.ts, support/spend-meter-world.ts).

const config = exampleConfig('dev');
const NAMESPACE = 'OpenClaw/openclaw-example-dev';
const SONNET = 'anthropic/claude-sonnet-4-6';
/** The ops database in OpenClaw's state folder. */
const DB_REL = 'agents/ops/agent/openclaw-agent.sqlite';
/** A long answer (compresses well, over 1 KiB): OpenClaw stores its event zstd-compressed. */
const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Line ${i}: the gateway host is healthy, the disk has room and the load is low.`).join('\n');

let oc: OpenclawInstall;
let root: string;
let aws: FakeAws;
let anthropic: FakeAnthropic;
let fx: OpenclawFixture;
let meter: string;
let helper: string;
/** A copy of the ops database as the real OpenClaw left it after its first turn. */
let template: string;
/** The assistant event the real OpenClaw wrote for that turn (decoded). */
let realEvent: Record<string, unknown>;
/** navigation_json of that compressed row (what OpenClaw stores beside a compressed event). */
let realNavigation: string;

const iso = (ms: number) => new Date(ms).toISOString();
const usageRows = (rows: DumpedRow[]) => rows.filter((r) => (JSON.parse(r.json) as { message?: { usage?: unknown } }).message?.usage !== undefined);

/** Runs one real agent turn of `agent` whose model call reports `usage`. */
async function realTurn(agent: string, usage: { input: number; output: number; cacheRead?: number; cacheWrite?: number }, text: string, message: string) {
  anthropic.turns.push({ usage, text });
  const r = await runOpenclaw(fx, ['agent', '--local', '--agent', agent, '--message', message], 150_000);
  if (r.status !== 0 || anthropic.turns.length !== 0) throw new Error(`openclaw agent --local --agent ${agent} failed (${r.status}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
}

beforeAll(async () => {
  requireRootForRuntime('the spend meter test (its state and OpenClaw\'s are owned by different users, as on the host)');
  oc = requireOpenclaw();
  root = tempDir('oc-spend-meter-');
  fs.mkdirSync(path.join(root, 'home'));
  aws = await startFakeAws(9400, path.join(root, 'home'));
  anthropic = await startFakeAnthropic();
  ({ meter, helper } = writePrograms(root));

  // The example client's generated config, its Anthropic provider pointed at the loopback fake.
  // A record generator for both agents' real turns: one process with both (a shared gateway built in the
  // test; the meter reads the records, not the process layout).
  fx = writeOpenclawFixture(config, path.join(root, 'openclaw'), [], gatewayAt(config, 'records', Object.keys(config.openclaw.agents), 0, true));
  const doc = JSON.parse(fs.readFileSync(fx.configFile, 'utf8')) as { models: { providers: { anthropic: Record<string, unknown> } } };
  doc.models.providers.anthropic.baseUrl = anthropic.endpoint;
  fs.chmodSync(fx.configFile, 0o600);
  fs.writeFileSync(fx.configFile, `${JSON.stringify(doc, null, 2)}\n`);
  fs.chmodSync(fx.configFile, 0o400);

  await realTurn('ops', { input: 1_000_000, output: 200_000 }, LONG_ANSWER, 'How is the host?');
  template = path.join(root, 'template.sqlite');
  await runDbOps(oc.node, helper, [{ op: 'copy', from: path.join(fx.stateDir, DB_REL), to: template }]);
  const row = usageRows(await dumpRows(oc.node, helper, template))[0]!;
  realEvent = JSON.parse(row.json) as Record<string, unknown>;
  realNavigation = row.navigation!;
}, 300_000);

afterAll(async () => {
  await aws?.close();
  await anthropic?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

beforeEach(() => aws?.reset());

/**
 * A meter state folder (root 0700, as systemd makes it) and the manifest pointing at `stateDir`:
 * one OpenClaw state folder with both agents, as one gateway ("state", the folder's name) whose
 * breaker no test here reaches (the breaker's tests: spend-meter-breaker.test.ts).
 */
function meterManifest(stateDir: string, name: string, change: (m: SpendMeterManifest) => SpendMeterManifest = (m) => m): SpendMeterManifest {
  const dir = path.join(root, 'meter', name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const parent = path.dirname(stateDir);
  const m = renderSpendMeterManifest(config, { openclawStateDir: parent, stateFile: path.join(dir, 'state.json') });
  return change({ ...m, ...breakerFields(dir, parent, [path.basename(stateDir)]) });
}

/** The data the fake CloudWatch received, as `name{dims}=value unit @region/namespace`. */
const published = () => aws.cw.metrics.map((m) => `${m.metricName}${Object.keys(m.dimensions).length ? `{${Object.entries(m.dimensions).map(([k, v]) => `${k}=${v}`).join(',')}}` : ''}=${m.value} ${m.unit} @${m.region}/${m.namespace}`);
const figures = (today: number, month: number, byModel: Record<string, number>) => [
  `${MODEL_SPEND_TODAY_METRIC}=${today} None @eu-west-1/${NAMESPACE}`,
  `${MODEL_SPEND_MONTH_METRIC}=${month} None @eu-west-1/${NAMESPACE}`,
  ...Object.entries(byModel).map(([m, v]) => `${MODEL_SPEND_MONTH_METRIC}{Model=${m}}=${v} None @eu-west-1/${NAMESPACE}`),
  `AgentBreakerTripped{Gateway=state}=0 Count @eu-west-1/${NAMESPACE}`,
];
const line = (today: string, month: string, n: number, tail = `[metrics published to ${NAMESPACE}]`) =>
  `openclaw-meter: today ${today}, month ${month} (${n} new usage record${n === 1 ? '' : 's'}) ${tail}`;

/** Names, sizes and modes of every file under a folder (to show the meter changes nothing there). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.isDirectory() ? 'dir' : st.size} ${(st.mode & 0o7777).toString(8)} ${st.uid} ${st.mtimeMs}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('what the real OpenClaw 2026.9.6 records for a real agent turn', () => {
  let manifest: SpendMeterManifest;
  beforeAll(() => {
    manifest = meterManifest(fx.stateDir, 'real');
  });

  test('OpenClaw recorded the call in the agent\'s SQLite transcript: provider, model, token counts, zstd-compressed', async () => {
    const rows = usageRows(await dumpRows(oc.node, helper, path.join(fx.stateDir, DB_REL)));
    expect(rows).toHaveLength(1);
    const event = JSON.parse(rows[0]!.json) as { type: string; id: string; timestamp: string; message: Record<string, unknown> };
    expect(event.type).toBe('message');
    expect(event.message).toMatchObject({ role: 'assistant', provider: 'anthropic', model: 'claude-sonnet-4-6', usage: { input: 1_000_000, output: 200_000, cacheRead: 0, cacheWrite: 0 } });
    expect(typeof event.message.timestamp).toBe('number');
    expect(rows[0]!.compressed).toBe(true);
    expect(rows[0]!.createdAt).toBe(Date.parse(event.timestamp));
  });

  test('$6.00 for 1,000,000 input + 200,000 output tokens of anthropic/claude-sonnet-4-6 at $3/$15, published with IMDSv2 credentials only', async () => {
    const before = snapshot(fx.stateDir);
    // Environment credentials must be ignored: the fake CloudWatch would refuse their signature.
    const bogus = fakeRoleCredentials(3);
    const r = await runMeter(oc.node, meter, aws, manifest, ['--now', iso(anthropic.calls[0]!.at + 5000)], {
      AWS_ACCESS_KEY_ID: bogus.accessKeyId,
      AWS_SECRET_ACCESS_KEY: bogus.secretAccessKey,
      AWS_SESSION_TOKEN: bogus.sessionToken,
    });
    expect(r.out).toEqual([line('$6.00', '$6.00', 1)]);
    // spend.modelDailyLimitUsd of the example is $5.
    expect(r.err).toEqual(['openclaw-meter: WARNING today\'s model spend $6.00 is at or over the daily limit $5.00']);
    expect(r.code).toBe(0);
    expect(published()).toEqual(figures(6, 6, { [SONNET]: 6 }));
    expect(aws.cw.rejections).toEqual([]);
    const gets = aws.imds.requests.filter((q) => q.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((q) => typeof q.headers['x-aws-ec2-metadata-token'] === 'string' && q.url.startsWith(IMDS_ROLES_PATH))).toBe(true);
    expect(aws.imds.requests.filter((q) => q.method === 'PUT').every((q) => q.url === IMDS_TOKEN_PATH)).toBe(true);
    // Read-only: nothing in OpenClaw's state changed.
    expect(snapshot(fx.stateDir)).toEqual(before);
    const st = fs.statSync(manifest.stateFile);
    expect({ mode: (st.mode & 0o777).toString(8), uid: st.uid }).toEqual({ mode: '600', uid: 0 });
  });

  test('incremental: a second real turn (another agent, with prompt cache) adds only its own call; a run with nothing new adds nothing', async () => {
    await realTurn('support', { input: 100_000, output: 10_000, cacheRead: 2_000_000, cacheWrite: 400_000 }, 'Short answer.', 'Hello');
    const rows = usageRows(await dumpRows(oc.node, helper, path.join(fx.stateDir, 'agents/support/agent/openclaw-agent.sqlite')));
    expect((JSON.parse(rows[0]!.json) as { message: { usage: unknown } }).message.usage).toMatchObject({ input: 100_000, output: 10_000, cacheRead: 2_000_000, cacheWrite: 400_000 });
    const now = iso(anthropic.calls[1]!.at + 5000);
    // 100,000 x $3 + 10,000 x $15 + 2,000,000 x $0.30 + 400,000 x $3.75 per million = $2.55.
    const r = await runMeter(oc.node, meter, aws, manifest, ['--now', now]);
    expect(r.out).toEqual([line('$8.55', '$8.55', 1)]);
    expect(r.code).toBe(0);
    expect(published()).toEqual(figures(8.55, 8.55, { [SONNET]: 8.55 }));
    aws.reset();
    const again = await runMeter(oc.node, meter, aws, manifest, ['--now', now]);
    expect(again.out).toEqual([line('$8.55', '$8.55', 0)]);
    expect(published()).toEqual(figures(8.55, 8.55, { [SONNET]: 8.55 }));
  }, 200_000);
});

describe('as its unit runs it on the host', () => {
  test('root with CAP_DAC_READ_SEARCH only reads the gateway user\'s 0600 database while the gateway writes it (WAL), creating nothing there', async () => {
    const state = path.join(root, 'live', 'state');
    const db = path.join(state, DB_REL);
    fs.mkdirSync(path.dirname(db), { recursive: true });
    const session = crypto.randomUUID();
    const a = assistantEvent(realEvent, { at: '2026-05-10T08:00:00Z', input: 1_000_000 });
    await runDbOps(oc.node, helper, [
      { op: 'copy', from: template, to: db, clear: true },
      { op: 'insert', db, session, createdAt: a.createdAt, json: a.json },
    ]);
    fs.rmSync(`${db}-wal`, { force: true });
    fs.rmSync(`${db}-shm`, { force: true });
    // The gateway's layout: daemon stands for openclaw; folders 0700, files 0600.
    spawnSync('chown', ['-R', 'daemon:daemon', state]);
    for (const d of [state, path.join(state, 'agents'), path.join(state, 'agents/ops'), path.dirname(db)]) fs.chmodSync(d, 0o700);
    fs.chmodSync(db, 0o600);
    // The gateway appends a second call and keeps its connection open: the record is in the WAL.
    const b = assistantEvent(realEvent, { at: '2026-05-10T08:01:00Z', output: 100_000 });
    const eventFile = path.join(root, 'live', 'event.json');
    fs.writeFileSync(eventFile, JSON.stringify({ session, createdAt: b.createdAt, json: b.json }), { mode: 0o644 });
    const gateway = spawn('setpriv', ['--reuid=daemon', '--regid=daemon', '--clear-groups', oc.node, helper, '--hold', db, eventFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        gateway.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        gateway.on('exit', (code) => reject(new Error(`the writer exited (${code})`)));
      });
      expect(fs.existsSync(`${db}-wal`)).toBe(true);
      const before = snapshot(state);
      const manifest = meterManifest(state, 'live');
      const unitCaps = ['setpriv', '--bounding-set=-all,+dac_read_search', '--inh-caps=-all', '--'];
      const r = await runMeter(oc.node, meter, aws, manifest, ['--now', '2026-05-10T09:00:00Z'], {}, unitCaps);
      // $3.00 (the committed row) + $1.50 (the row still in the WAL).
      expect(r.out).toEqual([line('$4.50', '$4.50', 2)]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      expect(snapshot(state)).toEqual(before);
      // Without the capability the same run cannot read the gateway's folder: it says so and fails.
      const noCaps = await runMeter(oc.node, meter, aws, meterManifest(state, 'live-nocaps'), ['--now', '2026-05-10T09:00:00Z'], {}, ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--']);
      expect(noCaps.code).toBe(3);
      expect(noCaps.err).toEqual([expect.stringMatching(/^openclaw-meter: FAILED OpenClaw's state folder of gateway state: .*(EACCES|permission denied|not a folder)/i)]);
    } finally {
      gateway.stdin.end();
      await new Promise((resolve) => gateway.once('close', resolve));
    }
  });
});

describe('records in the format OpenClaw 2026.9.6 writes (rows added to a database the real OpenClaw created)', () => {
  let n = 0;
  /** A fresh OpenClaw state folder with an empty ops database (the real one's schema). */
  async function freshState(agents: readonly string[] = ['ops']): Promise<{ state: string; db: (agent?: string) => string }> {
    const state = path.join(root, 'constructed', `s${++n}`, 'state');
    const db = (agent = 'ops') => path.join(state, 'agents', agent, 'agent', 'openclaw-agent.sqlite');
    for (const a of agents) fs.mkdirSync(path.dirname(db(a)), { recursive: true, mode: 0o700 });
    await runDbOps(oc.node, helper, agents.map((a) => ({ op: 'copy' as const, from: template, to: db(a), clear: true })));
    return { state, db };
  }
  /** Appends usage records (and other events) to a session, as OpenClaw appends them. */
  async function append(db: string, session: string, events: readonly ({ json: string; createdAt: number } | RecordSpec)[]): Promise<string[]> {
    const made = events.map((e) => ('json' in e ? { ...e, id: '' } : assistantEvent(realEvent, e)));
    await runDbOps(oc.node, helper, made.map((e) => ({ op: 'insert' as const, db, session, createdAt: e.createdAt, json: e.json })));
    return made.map((e) => e.json);
  }

  test('today and this month (UTC) across a day and a month boundary; runs add only new records; totals persist', async () => {
    const { state, db } = await freshState();
    const m = meterManifest(state, 'boundaries');
    const s = crypto.randomUUID();
    await append(db(), s, [
      userEvent('2026-02-28T23:58:00Z', 'What did my usage cost?'),
      { at: '2026-02-28T23:59:59Z', output: 1_000_000 }, // last month: $15, in no total
      { at: '2026-03-30T23:59:59.999Z', input: 100_000 }, // yesterday: $0.30, this month
      userEvent('2026-03-31T09:59:00Z', 'Check the disk'),
      { at: '2026-03-31T10:00:00Z', input: 1_000_000, output: 200_000 }, // today: $6.00
    ]);
    const r1 = await runMeter(oc.node, meter, aws, m, ['--now', '2026-03-31T23:59:30Z']);
    expect(r1.out).toEqual([line('$6.00', '$6.30', 3)]);
    expect(r1.code).toBe(0);
    expect(published()).toEqual(figures(6, 6.3, { [SONNET]: 6.3 }));

    aws.reset();
    const r2 = await runMeter(oc.node, meter, aws, m, ['--now', '2026-03-31T23:59:45Z']);
    expect(r2.out).toEqual([line('$6.00', '$6.30', 0)]);
    expect(published()).toEqual(figures(6, 6.3, { [SONNET]: 6.3 }));

    // A new month: both totals start again; the new record counts in both.
    await append(db(), s, [{ at: '2026-04-01T00:00:20Z', output: 10_000 }]);
    aws.reset();
    const r3 = await runMeter(oc.node, meter, aws, m, ['--now', '2026-04-01T00:00:30Z']);
    expect(r3.out).toEqual([line('$0.15', '$0.15', 1)]);
    expect(published()).toEqual(figures(0.15, 0.15, { [SONNET]: 0.15 }));

    // A new day, nothing new: today is $0, the month keeps its spend.
    aws.reset();
    const r4 = await runMeter(oc.node, meter, aws, m, ['--now', '2026-04-02T00:00:05Z']);
    expect(r4.out).toEqual([line('$0.00', '$0.15', 0)]);
    expect(published()).toEqual(figures(0, 0.15, { [SONNET]: 0.15 }));

    // A record of yesterday read today (the meter was down): the month's, not today's.
    await append(db(), s, [{ at: '2026-04-01T23:59:00Z', output: 2000 }]);
    const r5 = await runMeter(oc.node, meter, aws, m, ['--now', '2026-04-02T00:01:00Z']);
    expect(r5.out).toEqual([line('$0.00', '$0.18', 1)]);
    // A record dated in the future counts as now.
    await append(db(), s, [{ at: '2027-01-01T00:00:00Z', input: 10_000 }]);
    const r6 = await runMeter(oc.node, meter, aws, m, ['--now', '2026-04-02T00:02:00Z']);
    expect(r6.out).toEqual([line('$0.03', '$0.21', 1)]);
  });

  test('rewritten, shortened, deleted and removed transcripts: nothing counted twice, nothing new missed', async () => {
    const { state, db } = await freshState(['ops', 'support']);
    const m = meterManifest(state, 'rewrites');
    const now = ['--now', '2026-06-15T12:00:00Z'];
    const s1 = crypto.randomUUID();
    const s2 = crypto.randomUUID();
    await runDbOps(oc.node, helper, [{ op: 'generation', db: db(), session: s1, generation: 'g1' }]);
    const [u1, r1, u2, r2] = await append(db(), s1, [
      userEvent('2026-06-15T10:00:00Z', 'one'),
      { at: '2026-06-15T10:00:01Z', input: 1_000_000 }, // $3
      userEvent('2026-06-15T10:05:00Z', 'two'),
      { at: '2026-06-15T10:05:01Z', output: 100_000 }, // $1.50
    ]);
    await append(db('support'), s2, [{ at: '2026-06-15T09:00:00Z', input: 500_000 }]); // $1.50
    expect((await runMeter(oc.node, meter, aws, m, now)).out).toEqual([line('$6.00', '$6.00', 3)]);

    // A full rewrite (compaction): every row deleted, the same events again from seq 0, a new
    // generation, a summary, and then a new call.
    const compaction = JSON.stringify({ type: 'compaction', id: crypto.randomUUID(), parentId: null, timestamp: '2026-06-15T11:00:00Z', summary: 'earlier talk', firstKeptEntryId: 'x', tokensBefore: 1_100_000 });
    await runDbOps(oc.node, helper, [
      { op: 'delete', db: db(), session: s1 },
      { op: 'generation', db: db(), session: s1, generation: 'g2' },
      ...[u1!, r1!, u2!, r2!, compaction].map((json) => ({ op: 'insert' as const, db: db(), session: s1, createdAt: Date.parse((JSON.parse(json) as { timestamp: string }).timestamp), json })),
    ]);
    await append(db(), s1, [{ at: '2026-06-15T11:00:05Z', cacheRead: 1_000_000 }]); // $0.30
    expect((await runMeter(oc.node, meter, aws, m, now)).out).toEqual([line('$6.30', '$6.30', 1)]);

    // A suffix replaced in place (same generation): the last rows deleted and written again, one call added.
    const rows = (await dumpRows(oc.node, helper, db())).filter((r) => r.session === s1);
    const last = rows.at(-1)!;
    await runDbOps(oc.node, helper, [
      { op: 'delete', db: db(), session: s1, fromSeq: last.seq },
      { op: 'insert', db: db(), session: s1, createdAt: last.createdAt, json: userEvent('2026-06-15T11:00:04Z', 'retry').json },
      { op: 'insert', db: db(), session: s1, createdAt: last.createdAt, json: last.json },
    ]);
    await append(db(), s1, [{ at: '2026-06-15T11:10:00Z', cacheWrite: 200_000 }]); // $0.75
    expect((await runMeter(oc.node, meter, aws, m, now)).out).toEqual([line('$7.05', '$7.05', 1)]);

    // A session deleted, then a whole agent database removed: what was counted stays counted.
    await runDbOps(oc.node, helper, [{ op: 'delete', db: db(), session: s1 }]);
    expect((await runMeter(oc.node, meter, aws, m, now)).out).toEqual([line('$7.05', '$7.05', 0)]);
    fs.rmSync(path.dirname(db('support')), { recursive: true });
    aws.reset();
    const gone = await runMeter(oc.node, meter, aws, m, now);
    expect(gone.out).toEqual([line('$7.05', '$7.05', 0)]);
    expect(gone.err).toEqual(['openclaw-meter: WARNING today\'s model spend $7.05 is at or over the daily limit $5.00']);
    expect(published()).toEqual(figures(7.05, 7.05, { [SONNET]: 7.05 }));
    // The agent's database back (a new session): counted from scratch.
    fs.mkdirSync(path.dirname(db('support')), { recursive: true });
    await runDbOps(oc.node, helper, [{ op: 'copy', from: template, to: db('support'), clear: true }]);
    await append(db('support'), crypto.randomUUID(), [{ at: '2026-06-15T11:30:00Z', input: 10_000 }]); // $0.03
    expect((await runMeter(oc.node, meter, aws, m, now)).out).toEqual([line('$7.08', '$7.08', 1)]);
  });

  test('malformed, truncated, undecodable and absurd records: never priced as such, counted in a warning; the rest priced', async () => {
    const { state, db } = await freshState();
    const m = meterManifest(state, 'malformed', (x) => ({ ...x, limits: { dailyUsd: 1000, monthlyUsd: 1000 } }));
    const s = crypto.randomUUID();
    const good = assistantEvent(realEvent, { at: '2026-07-01T10:00:00Z', input: 1_000_000 }); // $3
    const truncated = good.json.slice(0, good.json.length - 25); // a write cut short: usage there, JSON broken
    const withUsage = (usage: unknown) => {
      const e = JSON.parse(assistantEvent(realEvent, { at: '2026-07-01T10:01:00Z' }).json) as { message: { usage: unknown } };
      e.message.usage = usage;
      return JSON.stringify(e);
    };
    const compressed = assistantEvent(realEvent, { at: '2026-07-01T10:02:00Z', output: 100_000 }); // $1.50, stored zstd-compressed
    const absurd = assistantEvent(realEvent, { at: '2026-07-01T10:03:00Z', input: 1e15 }); // capped at 10,000,000: $30
    const t = Date.parse('2026-07-01T10:00:00Z');
    await runDbOps(oc.node, helper, [
      { op: 'insert', db: db(), session: s, createdAt: t, json: good.json },
      { op: 'insert', db: db(), session: s, createdAt: t, json: truncated },
      { op: 'insert', db: db(), session: s, createdAt: t, json: withUsage({ input: 'lots', output: 5 }) },
      { op: 'insert', db: db(), session: s, createdAt: t, json: withUsage({ input: -1000 }) },
      { op: 'insert', db: db(), session: s, createdAt: t, json: withUsage([1, 2, 3]) },
      { op: 'insert', db: db(), session: s, createdAt: t, json: '{"usage": 12' },
      { op: 'insert', db: db(), session: s, createdAt: t, json: compressed.json, zstd: { navigation: realNavigation, garbage: true } },
      { op: 'insert', db: db(), session: s, createdAt: compressed.createdAt, json: compressed.json, zstd: { navigation: realNavigation } },
      { op: 'insert', db: db(), session: s, createdAt: absurd.createdAt, json: absurd.json },
      // Usage that is zero, and the word "usage" in text only: not a model call's usage, not malformed.
      { op: 'insert', db: db(), session: s, createdAt: t, json: withUsage({ input: 0, output: 0 }) },
      { op: 'insert', db: db(), session: s, createdAt: t, json: userEvent('2026-07-01T10:04:00Z', 'show "usage" please').json },
    ]);
    const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-07-01T12:00:00Z']);
    expect(r.out).toEqual([line('$34.50', '$34.50', 3)]);
    expect(r.err).toEqual([
      `openclaw-meter: WARNING 6 malformed usage records ignored (first: state/${DB_REL} session ${s} seq 1: not JSON); 6 since the state began`,
      'openclaw-meter: WARNING 1 usage record with absurd token counts, capped at 10000000 tokens of each kind',
    ]);
    expect(r.code).toBe(0);
    expect(published()).toEqual(figures(34.5, 34.5, { [SONNET]: 34.5 }));
    // Read once: the next run finds nothing new, malformed or not.
    const again = await runMeter(oc.node, meter, aws, m, ['--now', '2026-07-01T12:01:00Z']);
    expect(again.out).toEqual([line('$34.50', '$34.50', 0)]);
    expect(again.err).toEqual([]);
  });

  test('a model missing from the price table is priced at the highest listed price of each kind, with one warning per run', async () => {
    const { state, db } = await freshState();
    const bigInput = { inputPerMTok: 10, outputPerMTok: 1, cacheReadPerMTok: 1, cacheWritePerMTok: 12.5 };
    const m = meterManifest(state, 'unpriced', (x) => ({ ...x, prices: { ...x.prices, 'example/big-input': bigInput }, limits: { dailyUsd: 1000, monthlyUsd: 1000 } }));
    const s = crypto.randomUUID();
    await append(db(), s, [
      { at: '2026-08-01T10:00:00Z', input: 1_000_000, output: 1_000_000, provider: 'openai', model: 'gpt-9' }, // $10 + $15 = $25 (sonnet alone: $18)
      { at: '2026-08-01T10:01:00Z', input: 1_000_000, output: 1_000_000, provider: 'openai', model: 'gpt-9' }, // $25
      { at: '2026-08-01T10:02:00Z', cacheWrite: 1_000_000, provider: null, model: null }, // $12.50, model unknown
      { at: '2026-08-01T10:03:00Z', input: 1_000_000, provider: 'example', model: 'big-input' }, // $10, listed
    ]);
    const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-08-01T11:00:00Z']);
    expect(r.out).toEqual([line('$72.50', '$72.50', 4)]);
    expect(r.err).toEqual([
      'openclaw-meter: WARNING unpriced model openai/gpt-9 (priced at the highest listed price of each kind; add it to spend.modelPrices)',
      'openclaw-meter: WARNING unpriced model unknown/unknown (priced at the highest listed price of each kind; add it to spend.modelPrices)',
    ]);
    expect(published()).toEqual(figures(72.5, 72.5, { 'openai/gpt-9': 50, 'unknown/unknown': 12.5, 'example/big-input': 10 }));
  });

  test('CloudWatch or IMDS unavailable: the line says why, exit 1; the figures are kept and published by the next run', async () => {
    const { state, db } = await freshState();
    const m = meterManifest(state, 'unpublished');
    await append(db(), crypto.randomUUID(), [{ at: '2026-09-01T10:00:00Z', input: 1_000_000 }]);
    aws.imds.behaviour.token = 403;
    const noToken = await runMeter(oc.node, meter, aws, m, ['--now', '2026-09-01T10:05:00Z']);
    expect(noToken.out).toEqual([line('$3.00', '$3.00', 1, '[not published: no credentials (ImdsTokenRefused)]')]);
    expect(noToken.code).toBe(1);
    aws.reset();
    aws.cw.state.failing = true;
    const failing = await runMeter(oc.node, meter, aws, m, ['--now', '2026-09-01T10:06:00Z']);
    expect(failing.out).toEqual([line('$3.00', '$3.00', 0, '[not published: InternalServiceFault (HTTP 500)]')]);
    expect(failing.code).toBe(1);
    aws.reset();
    const ok = await runMeter(oc.node, meter, aws, m, ['--now', '2026-09-01T10:07:00Z']);
    expect(ok.out).toEqual([line('$3.00', '$3.00', 0)]);
    expect(published()).toEqual(figures(3, 3, { [SONNET]: 3 }));
  });

  test('what it must not trust: a symlinked or broken database, a broken state file, a bad manifest or command line', async () => {
    const { state, db } = await freshState();
    const m = meterManifest(state, 'untrusted');
    await append(db(), crypto.randomUUID(), [{ at: '2026-10-01T10:00:00Z', input: 1_000_000 }]);
    // Another agent's database as a symlink to the first: refused, not read twice.
    fs.mkdirSync(path.join(state, 'agents/evil/agent'), { recursive: true });
    fs.symlinkSync(db(), path.join(state, 'agents/evil/agent/openclaw-agent.sqlite'));
    // And a database that is not one: named, read again next run; the others still count.
    fs.mkdirSync(path.join(state, 'agents/junk/agent'), { recursive: true });
    fs.writeFileSync(path.join(state, 'agents/junk/agent/openclaw-agent.sqlite'), 'not a database, but it mentions "usage"'.repeat(200));
    const r = await runMeter(oc.node, meter, aws, m, ['--now', '2026-10-01T11:00:00Z']);
    expect(r.out).toEqual([line('$3.00', '$3.00', 1)]);
    expect(r.err).toEqual([
      'openclaw-meter: WARNING state/agents/evil/agent/openclaw-agent.sqlite: a symlink or not a regular file; skipped',
      expect.stringMatching(/^openclaw-meter: WARNING state\/agents\/junk\/agent\/openclaw-agent\.sqlite: cannot (open|read) \(.*not a database.*\); read again next run$/),
    ]);
    expect(r.code).toBe(0);

    // A state file that is not one: set aside, the figures rebuilt from OpenClaw's records.
    fs.writeFileSync(m.stateFile, '{"version": 1, "todayUsd": -5');
    const rebuilt = await runMeter(oc.node, meter, aws, m, ['--now', '2026-10-01T11:01:00Z']);
    expect(rebuilt.out).toEqual([line('$3.00', '$3.00', 1)]);
    expect(rebuilt.err[0]).toBe(`openclaw-meter: WARNING ${m.stateFile} was unreadable: set aside as ${m.stateFile}.corrupt; the figures are rebuilt from the records still in OpenClaw's state`);
    expect(fs.existsSync(`${m.stateFile}.corrupt`)).toBe(true);

    // Its state inside OpenClaw's state folder (where the gateway could change it): refused.
    const inside = await runMeter(oc.node, meter, aws, { ...m, stateFile: path.join(path.dirname(state), 'meter.json') }, []);
    expect(inside.code).toBe(2);
    expect(inside.err).toEqual([expect.stringMatching(/^openclaw-meter: FAILED .*stateFile: must not be in OpenClaw's state folder/)]);
    const badNow = await runMeter(oc.node, meter, aws, m, ['--now', 'yesterday']);
    expect(badNow.code).toBe(2);
    expect(badNow.err).toEqual([expect.stringMatching(/^openclaw-meter: FAILED --now: expected an ISO-8601 time/)]);
  });
});

/** The meter's line of a run, for a failing test's message. */
export const describeRun = (r: Run) => `${r.code} ${r.out.join(' | ')} ${r.err.join(' | ')}`;
