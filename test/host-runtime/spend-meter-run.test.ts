import * as fs from 'fs';
import * as path from 'path';
import * as manifestModule from '../../host/spend-meter/manifest';
import { describeError, MAX_ROWS_PER_RUN, runSpendMeter as runMeter, type RunResult } from '../../host/spend-meter/run';
import * as stateModule from '../../host/spend-meter/state';
import { emptyState, saveState, type MeterState } from '../../host/spend-meter/state';
import { TranscriptStore } from '../../host/spend-meter/store';
import type { FakeCloudWatch } from '../support/fake-aws/cloudwatch';
import type { FakeImds } from '../support/fake-aws/imds';
import { useInProcessFakeAws } from '../support/fake-aws/world';
import { settlesWithin } from '../support/settles-within';
import { writeExecutable } from './support/runtime-tools';
import { breakerFields, breakerTools } from './support/spend-meter-world';

// The program of spend-meter.js (host/spend-meter/run.ts), focused on the paths that
// need no agent database (jest may run a Node without node:sqlite; metering itself is
// proven by the bundled program in spend-meter.test.ts): prune of old cursors, the
// state file unreadable or unsavable, store problems as warnings, bugs reported as
// such, and the IMDS options passed on (bounded by a deadline here).

const NOW = '2026-11-21T09:00:00Z';
const NS = 'OpenClaw/openclaw-example-dev';
/** A path whose lstat fails with EACCES, as for a folder the meter may not look at (root never is refused here). */
let refusedLstat: string | undefined;
jest.mock('fs', () => {
  const actual = jest.requireActual<typeof fs>('fs');
  return {
    ...actual,
    lstatSync: ((p: fs.PathLike, o?: fs.StatSyncOptions) => {
      if (refusedLstat !== undefined && p === refusedLstat) throw Object.assign(new Error(`EACCES: permission denied, lstat '${refusedLstat}'`), { code: 'EACCES' });
      return actual.lstatSync(p, o);
    }) as typeof fs.lstatSync,
  };
});

// The loopback IMDS and CloudWatch fakes, and this process's environment pointed at them
// (no profile or environment credentials of this machine), as for every in-process host test.
const world = useInProcessFakeAws(9900, 'oc-spend-meter-run-');
let imds: FakeImds;
let cw: FakeCloudWatch;
let root: string;
let n = 0;
beforeAll(() => ({ imds, cw, root } = { ...world.aws, root: world.root }));
afterEach(() => jest.restoreAllMocks());

/**
 * An empty OpenClaw state folder with gateways `ids` (ops alone unless given) and the agents
 * folder of each in `made` (all of them unless given), a meter state folder, and the manifest
 * written. `stateDir`: the first gateway's state folder; `dir`: the test's own folder (the
 * access log, the stand-in tools).
 */
function setup(ids: readonly string[] = ['ops'], made: readonly string[] = ids): { file: string; stateFile: string; stateDir: string; dir: string; openclawStateDir: string } {
  const dir = path.join(root, `t${++n}`);
  const openclawStateDir = path.join(dir, 'openclaw');
  fs.mkdirSync(openclawStateDir, { recursive: true });
  for (const id of made) fs.mkdirSync(path.join(openclawStateDir, id, 'agents'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'meter'), { mode: 0o700 });
  const stateFile = path.join(dir, 'meter', 'state.json');
  const manifest = {
    version: 2,
    deployment: 'openclaw-example-dev',
    region: 'eu-west-1',
    namespace: NS,
    openclawStateDir,
    stateFile,
    prices: { 'anthropic/claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 } },
    limits: { dailyUsd: 10, monthlyUsd: 200 },
    ...breakerFields(dir, openclawStateDir, ids),
  };
  tools = breakerTools(dir);
  const file = path.join(dir, 'spend-meter.json');
  fs.writeFileSync(file, JSON.stringify(manifest));
  return { file, stateFile, stateDir: path.join(openclawStateDir, ids[0]!), dir, openclawStateDir };
}
let tools: ReturnType<typeof breakerTools>;
/**
 * A run, failing when it has not answered within RUN_BOUND_MS. A run here takes well under a second
 * (IMDS: 300 ms, one attempt); one that loses its IMDS bounds (a regression, a mutant) then fails each
 * test in seconds instead of at the test timeout.
 */
const RUN_BOUND_MS = 5_000;
const runSpendMeter = (argv: readonly string[], maxRows?: number): Promise<RunResult> => settlesWithin(runMeter(argv, maxRows), RUN_BOUND_MS);
const args = (file: string, extra: readonly string[] = []) => ['--manifest', file, '--now', NOW, '--imds-timeout-ms', '300', '--imds-attempts', '1', '--systemctl', tools.systemctl, '--nft', tools.nft, ...extra];
const ZERO_LINE = `openclaw-meter: today $0.00, month $0.00 (0 new usage records) [metrics published to ${NS}]`;
const readState = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as MeterState;

describe('describeError', () => {
  test.each<[string, unknown, string]>([
    ['an error: its message', new Error('boom'), 'boom'],
    ['whitespace runs collapsed to one space', new Error('a  \n\t b\nc'), 'a b c'],
    ['at most 240 characters', new Error('x'.repeat(300)), 'x'.repeat(240)],
    ['a string', 'plain', 'plain'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
  ])('%s', (_name, e, text) => {
    expect(describeError(e)).toBe(text);
  });
});

test('cursors of sessions gone from OpenClaw with no usage this month are pruned from the saved state', async () => {
  const { file, stateFile } = setup();
  const old = { s: 3, f: 'fp3', a: Date.parse('2026-10-31T23:00:00Z') };
  const recent = { s: 4, f: 'fp4', a: Date.parse('2026-11-02T00:00:00Z') };
  saveState(stateFile, { ...emptyState(Date.parse(NOW)), databases: { 'agents/gone/agent/openclaw-agent.sqlite': { old }, 'agents/away/agent/openclaw-agent.sqlite': { recent } } });
  expect(await runSpendMeter(args(file))).toEqual({ out: [ZERO_LINE], err: [], code: 0 });
  expect(readState(stateFile).databases).toEqual({ 'agents/away/agent/openclaw-agent.sqlite': { recent } });
});

test('what the store skipped is warned about, the run goes on', async () => {
  const { file, stateDir } = setup();
  fs.mkdirSync(path.join(stateDir, 'agents', 'Not_An_Id', 'agent'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'agents', 'Not_An_Id', 'agent', 'openclaw-agent.sqlite'), '');
  fs.mkdirSync(path.join(stateDir, 'agents', 'b', 'agent', 'openclaw-agent.sqlite'), { recursive: true });
  expect(await runSpendMeter(args(file))).toEqual({
    out: [ZERO_LINE],
    err: ['openclaw-meter: WARNING ops/agents/Not_An_Id: not an agent id; skipped', 'openclaw-meter: WARNING ops/agents/b/agent/openclaw-agent.sqlite: a symlink or not a regular file; skipped'],
    code: 0,
  });
});

test('a gateway whose state folder is not there yet is said, and starts at nothing; one that is there but cannot be read fails the run (exit 3)', async () => {
  const { file, stateFile, openclawStateDir } = setup(['ops', 'sales'], ['ops']);
  const sales = path.join(openclawStateDir, 'sales');
  expect(await runSpendMeter(args(file))).toEqual({ out: [ZERO_LINE], err: [`openclaw-meter: WARNING gateway sales: no state folder ${sales} yet (its gateway never ran?)`], code: 0 });
  expect(readState(stateFile).gateways).toEqual({
    ops: { todayUsd: 0, monthUsd: 0, toolCalls: [], blocked: [], nftPackets: 0 },
    sales: { todayUsd: 0, monthUsd: 0, toolCalls: [], blocked: [], nftPackets: 0 },
  });
  // Something at the path, but not a folder: its spend would go unseen, so the run fails.
  fs.writeFileSync(sales, '');
  expect(await runSpendMeter(args(file))).toEqual({ out: [], err: [`openclaw-meter: FAILED OpenClaw's state folder of gateway sales: ${sales}: not a folder (OpenClaw's state folder)`], code: 3 });
  // A folder that cannot even be looked at (EACCES: root is never refused here, so lstat says it) is not "absent".
  fs.rmSync(sales);
  refusedLstat = sales;
  const refused = await runSpendMeter(args(file));
  refusedLstat = undefined;
  expect(refused).toEqual({ out: [], err: [`openclaw-meter: FAILED OpenClaw's state folder of gateway sales: ${sales}: cannot read it (EACCES)`], code: 3 });
});

test('exit 3: the state file unreadable (not missing): nothing published', async () => {
  const { file, stateFile } = setup();
  fs.mkdirSync(stateFile);
  expect(await runSpendMeter(args(file))).toEqual({ out: [], err: [`openclaw-meter: FAILED state file ${stateFile}: EISDIR: illegal operation on a directory, read`], code: 3 });
  expect(cw.metrics).toEqual([]);
});

test('the state cannot be saved: a warning, the figures still published', async () => {
  const { file, stateFile } = setup();
  fs.rmSync(path.dirname(stateFile), { recursive: true });
  const tmp = path.join(path.dirname(stateFile), `.state.json.${process.pid}.tmp`);
  expect(await runSpendMeter(args(file))).toEqual({
    out: [ZERO_LINE],
    err: [`openclaw-meter: WARNING could not save ${stateFile} (ENOENT: no such file or directory, open '${tmp}'): the next run reads these records again`],
    code: 0,
  });
  // The two totals and the ops gateway's AgentBreakerTripped.
  expect(cw.metrics.length).toBe(3);
});

test('a bug inside the run: exit 3, reported as a bug of the spend meter', async () => {
  const { file } = setup();
  jest.spyOn(stateModule, 'rollOver').mockImplementation(() => {
    throw new TypeError('x is  not\na function');
  });
  expect(await runSpendMeter(args(file))).toEqual({ out: [], err: ['openclaw-meter: FAILED unexpected: x is not a function; this is a bug of the spend meter: report it'], code: 3 });
});

test('a bug while reading the command line or manifest is thrown (main.ts prints it), not taken for a bad manifest', async () => {
  const { file } = setup();
  jest.spyOn(manifestModule, 'loadManifest').mockImplementation(() => {
    throw new TypeError('not a manifest error');
  });
  await expect(runSpendMeter(args(file))).rejects.toThrow(new TypeError('not a manifest error'));
});

test('the IMDS timeout and attempts of the command line are used: a metadata service that never answers is given up quickly (exit 1)', async () => {
  const { file } = setup();
  imds.behaviour.hang = true;
  let bound: NodeJS.Timeout | undefined;
  const started = Date.now();
  const r = await Promise.race([
    runSpendMeter(['--manifest', file, '--now', NOW, '--imds-timeout-ms', '100', '--imds-attempts', '1', '--nft', tools.nft]),
    new Promise<RunResult>((resolve) => {
      bound = setTimeout(() => resolve({ out: ['still waiting after 3 s'], err: [], code: -1 }), 3_000);
    }),
  ]);
  clearTimeout(bound);
  expect(r).toEqual({ out: ['openclaw-meter: today $0.00, month $0.00 (0 new usage records) [not published: no credentials (ImdsUnreachable)]'], err: [], code: 1 });
  expect(imds.requests.length).toBe(1);
  expect(Date.now() - started).toBeLessThan(3_000);
});

// Reading agent databases: node:sqlite only (Node 24, the host's and Stryker's Node).
// Under an older Node these are skipped in jest's first pass, and `npm test` runs this file
// again with the Node 24 of the OpenClaw cache (scripts/test-node-sqlite.ts); the bundled
// program's test (spend-meter.test.ts) proves the same paths on databases OpenClaw created.
const withSqlite = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') ? describe : describe.skip;

withSqlite('metering agent databases (a minimal transcript_events table)', () => {
  type Db = { exec(sql: string): void; prepare(sql: string): { run(...a: unknown[]): unknown }; close(): void };
  const sqlite = () => (process as unknown as { getBuiltinModule(id: string): { DatabaseSync: new (file: string) => Db } }).getBuiltinModule('node:sqlite');
  /** Agent a's database inside its gateway's state folder (ops), and how the meter names it: relative to the state root. */
  const REL = 'agents/a/agent/openclaw-agent.sqlite';
  const KEY = `ops/${REL}`;
  const ms = (iso: string) => Date.parse(iso);
  const rec = (id: string, at: string, model: string, usage: Record<string, number>) =>
    JSON.stringify({ type: 'message', id, message: { role: 'assistant', provider: model.split('/')[0], model: model.split('/')[1], usage, timestamp: ms(at) } });

  /** Writes agent a's database with these rows (session, seq, json) and generations. */
  function writeDb(stateDir: string, rows: readonly [string, number, string][], generations: Record<string, string> = {}): string {
    const dir = path.join(stateDir, 'agents', 'a', 'agent');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'openclaw-agent.sqlite');
    const db = new (sqlite().DatabaseSync)(file);
    db.exec('CREATE TABLE IF NOT EXISTS transcript_events (session_id TEXT, seq INTEGER, event_json TEXT, created_at INTEGER); CREATE TABLE IF NOT EXISTS transcript_rewrite_watermarks (session_id TEXT, generation TEXT)');
    for (const [s, seq, json] of rows) db.prepare('INSERT INTO transcript_events VALUES (?, ?, ?, ?)').run(s, seq, json, ms('2026-11-20T00:00:00Z'));
    db.exec('DELETE FROM transcript_rewrite_watermarks');
    for (const [s, g] of Object.entries(generations)) db.prepare('INSERT INTO transcript_rewrite_watermarks VALUES (?, ?)').run(s, g);
    db.close();
    return file;
  }

  test('records counted into today, the month and the model totals by their own time; each kind of warning; the cursor and counters saved', async () => {
    const { file, stateFile, stateDir } = setup();
    writeDb(stateDir, [
      ['s1', 0, rec('r0', '2026-11-21T08:00:00Z', 'anthropic/claude-sonnet-4-6', { input: 1_000_000 })],
      ['s1', 1, rec('r1', '2026-11-20T08:00:00Z', 'openai/gpt-9', { output: 100_000 })],
      ['s1', 2, '{"usage":'],
      ['s1', 3, rec('r3', '2026-10-31T08:00:00Z', 'anthropic/claude-sonnet-4-6', { input: 20_000_000 })],
      ['s1', 4, JSON.stringify({ type: 'message', message: { role: 'user', content: 'hi' } })],
    ]);
    const close = jest.spyOn(TranscriptStore.prototype, 'close');
    expect(await runSpendMeter(args(file))).toEqual({
      out: [`openclaw-meter: today $3.00, month $4.50 (3 new usage records) [metrics published to ${NS}]`],
      err: [
        'openclaw-meter: WARNING unpriced model openai/gpt-9 (priced at the highest listed price of each kind; add it to spend.modelPrices)',
        `openclaw-meter: WARNING 1 malformed usage record ignored (first: ${KEY} session s1 seq 2: not JSON); 1 since the state began`,
        'openclaw-meter: WARNING 1 usage record with absurd token counts, capped at 10000000 tokens of each kind',
      ],
      code: 0,
    });
    const state = readState(stateFile);
    expect({ ...state, databases: undefined, updatedAt: undefined }).toEqual({
      version: 1,
      day: '2026-11-21',
      month: '2026-11',
      todayUsd: 3,
      monthUsd: 4.5,
      monthByModel: { 'anthropic/claude-sonnet-4-6': 3, 'openai/gpt-9': 1.5 },
      recordsTotal: 3,
      malformedTotal: 1,
      // The gateway's own figures, for its breaker: the same spend (one gateway here), no tool calls, nothing refused.
      gateways: { ops: { todayUsd: 3, monthUsd: 4.5, toolCalls: [], blocked: [], nftPackets: 0 } },
    });
    expect(close).toHaveBeenCalledTimes(1); // the database is closed after its read
    const store = new TranscriptStore(path.join(stateDir, REL));
    const f = store.fingerprint('s1', 4);
    store.close();
    expect(f).toBe('4eoHrW6u3tgJWPgu'); // the fingerprint of seq 4's row (its time and text), not of another
    expect(state.databases).toEqual({ [KEY]: { s1: { s: 4, f, a: ms('2026-11-21T08:00:00Z'), i: ['r0'] } } });
    expect(state.updatedAt).toBe('2026-11-21T09:00:00.000Z');
  });

  test('two malformed records and two unpriced models: plural, sorted, the first named', async () => {
    const { file, stateDir } = setup();
    writeDb(stateDir, [
      ['s1', 0, '{"usage":1'],
      ['s1', 1, '{"usage":2'],
      ['s1', 2, rec('r2', '2026-11-21T08:00:00Z', 'zeta/m', { input: 1 })],
      ['s1', 3, rec('r3', '2026-11-21T08:00:00Z', 'alpha/m', { input: 1 })],
      ['s1', 4, rec('r4', '2026-11-21T08:00:00Z', 'alpha/m', { input: 1 })],
      ['s1', 5, rec('r5', '2026-11-01T08:00:00Z', 'x/y', { input: 20_000_000 })],
      ['s1', 6, rec('r6', '2026-11-01T08:00:00Z', 'x/y', { output: 20_000_000 })],
    ]);
    const r = await runSpendMeter(args(file));
    expect(r.err).toEqual([
      'openclaw-meter: WARNING unpriced model alpha/m (priced at the highest listed price of each kind; add it to spend.modelPrices)',
      'openclaw-meter: WARNING unpriced model x/y (priced at the highest listed price of each kind; add it to spend.modelPrices)',
      'openclaw-meter: WARNING unpriced model zeta/m (priced at the highest listed price of each kind; add it to spend.modelPrices)',
      `openclaw-meter: WARNING 2 malformed usage records ignored (first: ${KEY} session s1 seq 0: not JSON); 2 since the state began`,
      'openclaw-meter: WARNING 2 usage records with absurd token counts, capped at 10000000 tokens of each kind',
    ]);
    expect(r.out).toEqual([expect.stringMatching(/ \(5 new usage records\) \[metrics published/)]);
  });

  test('incremental: an unchanged session is skipped (its new generation kept), a grown one read after the cursor, a rewritten one read again without counting twice', async () => {
    const { file, stateFile, stateDir } = setup();
    const r0 = rec('r0', '2026-11-21T08:00:00Z', 'anthropic/claude-sonnet-4-6', { input: 1_000_000 });
    writeDb(stateDir, [['s1', 0, r0]]);
    expect((await runSpendMeter(args(file))).out[0]).toMatch(/today \$3\.00, month \$3\.00 \(1 new usage record\)/);
    writeDb(stateDir, [], { s1: 'g2' });
    expect((await runSpendMeter(args(file))).out[0]).toMatch(/today \$3\.00, month \$3\.00 \(0 new usage records\)/);
    expect(readState(stateFile).databases[KEY]!.s1).toMatchObject({ s: 0, g: 'g2' });
    writeDb(stateDir, [['s1', 1, rec('r1', '2026-11-21T08:30:00Z', 'anthropic/claude-sonnet-4-6', { input: 1_000_000 })]], { s1: 'g2' });
    expect((await runSpendMeter(args(file))).out[0]).toMatch(/today \$6\.00, month \$6\.00 \(1 new usage record\)/);
    writeDb(stateDir, [['s1', 2, rec('r2', '2026-11-21T08:45:00Z', 'anthropic/claude-sonnet-4-6', { input: 1_000_000 })]], { s1: 'g3' });
    expect((await runSpendMeter(args(file))).out[0]).toMatch(/today \$9\.00, month \$9\.00 \(1 new usage record\)/);
    expect(readState(stateFile).databases[KEY]!.s1).toMatchObject({ s: 2, g: 'g3', a: ms('2026-11-21T08:45:00Z'), i: ['r2'] });
  });

  test('a database that cannot be read: a warning, its cursors kept (not pruned), read again next run', async () => {
    const { file, stateFile, stateDir } = setup();
    const dir = path.join(stateDir, 'agents', 'a', 'agent');
    fs.mkdirSync(dir, { recursive: true });
    const db = new (sqlite().DatabaseSync)(path.join(dir, 'openclaw-agent.sqlite'));
    db.exec('CREATE TABLE other (x)');
    db.close();
    const old = { s: 3, f: 'fp3', a: ms('2026-10-01T00:00:00Z') };
    saveState(stateFile, { ...emptyState(ms(NOW)), databases: { [KEY]: { old } } });
    expect(await runSpendMeter(args(file))).toEqual({
      out: [ZERO_LINE],
      err: [`openclaw-meter: WARNING ${KEY}: no transcript_events table (not an OpenClaw 2026.9 agent database?); read again next run`],
      code: 0,
    });
    expect(readState(stateFile).databases).toEqual({ [KEY]: { old } });
  });

  test('a session still in OpenClaw keeps its cursor though its last usage is before this month', async () => {
    const { file, stateFile, stateDir } = setup();
    writeDb(stateDir, [['s1', 0, rec('r0', '2026-10-31T08:00:00Z', 'anthropic/claude-sonnet-4-6', { input: 1 })]]);
    await runSpendMeter(args(file));
    const cursor = readState(stateFile).databases[KEY]!.s1;
    expect(cursor).toMatchObject({ s: 0, a: ms('2026-10-31T08:00:00Z'), i: ['r0'] });
    expect(await runSpendMeter(args(file))).toEqual({ out: [ZERO_LINE], err: [], code: 0 });
    expect(readState(stateFile).databases).toEqual({ [KEY]: { s1: cursor } });
  });

  test('a bound on the rows a run reads: the sessions and databases after it are read on the next run, said', async () => {
    const { file, stateDir, stateFile } = setup();
    const usage = (id: string, at: string) => rec(id, at, 'anthropic/claude-sonnet-4-6', { input: 1_000_000 });
    // Agent a: session s1 with exactly the bound's 3 rows (none with usage), then s2 with one usage record.
    writeDb(stateDir, [
      ['s1', 0, '{"type":"custom"}'],
      ['s1', 1, '{"type":"custom"}'],
      ['s1', 2, '{"type":"custom"}'],
      ['s2', 0, usage('r-a', '2026-11-21T08:00:00Z')],
    ]);
    // Agent b: one usage record.
    const bDir = path.join(stateDir, 'agents', 'b', 'agent');
    fs.mkdirSync(bDir, { recursive: true });
    const b = new (sqlite().DatabaseSync)(path.join(bDir, 'openclaw-agent.sqlite'));
    b.exec('CREATE TABLE transcript_events (session_id TEXT, seq INTEGER, event_json TEXT, created_at INTEGER)');
    b.prepare('INSERT INTO transcript_events VALUES (?, ?, ?, ?)').run('t1', 0, usage('r-b', '2026-11-21T08:10:00Z'), ms('2026-11-21T08:10:00Z'));
    b.close();

    // A cursor of agent b's from an earlier run (a session gone, its last usage last month): an unread database's cursors are not pruned.
    const gone = { s: 0, f: 'fp0', a: ms('2026-10-30T00:00:00Z') };
    saveState(stateFile, { ...emptyState(ms(NOW)), databases: { 'ops/agents/b/agent/openclaw-agent.sqlite': { gone } } });

    const first = await runSpendMeter(args(file), 3);
    expect(first.out).toEqual([ZERO_LINE]);
    expect(first.err).toEqual(['openclaw-meter: WARNING ops/agents/b/agent/openclaw-agent.sqlite: not read this run (more than 3 rows read already); read next run']);
    expect(readState(stateFile).databases['ops/agents/b/agent/openclaw-agent.sqlite']).toEqual({ gone });
    // The next run: s1 is unchanged (skipped), s2 and b are read.
    const second = await runSpendMeter(args(file), 3);
    expect([second.out, second.err]).toEqual([[`openclaw-meter: today $6.00, month $6.00 (2 new usage records) [metrics published to ${NS}]`], []]);
    // Below the bound every database is read in one run.
    const { file: again, stateDir: dir2 } = setup();
    writeDb(dir2, [
      ['s1', 0, '{"type":"custom"}'],
      ['s2', 0, usage('r-a', '2026-11-21T08:00:00Z')],
    ]);
    expect((await runSpendMeter(args(again), 3)).out).toEqual([`openclaw-meter: today $3.00, month $3.00 (1 new usage record) [metrics published to ${NS}]`]);
    // The program's bound.
    expect(MAX_ROWS_PER_RUN).toBe(500_000);
  });

  test('what the store notes about a read (its WAL left out) is a warning naming the database', async () => {
    const { file, stateDir } = setup();
    const db = writeDb(stateDir, [['s1', 0, rec('r0', '2026-11-21T08:00:00Z', 'anthropic/claude-sonnet-4-6', { input: 1_000_000 })]]);
    // A -wal with bytes and a -shm SQLite cannot open (a symlink to a folder): read from the file alone, noted.
    fs.writeFileSync(`${db}-wal`, 'x'.repeat(100));
    fs.mkdirSync(`${db}-shm.folder`);
    fs.symlinkSync(`${db}-shm.folder`, `${db}-shm`);
    const r = await runSpendMeter(args(file));
    expect([r.out, r.err]).toEqual([
      [`openclaw-meter: today $3.00, month $3.00 (1 new usage record) [metrics published to ${NS}]`],
      [`openclaw-meter: WARNING ${KEY}: read without its WAL (cannot read (unable to open database file)): the records in its 100 bytes not yet checkpointed count once OpenClaw checkpoints them`],
    ]);
  });

  test('the generation of a cursor is kept when the session has none any more', async () => {
    const { file, stateFile, stateDir } = setup();
    writeDb(stateDir, [['s1', 0, rec('r0', '2026-11-21T08:00:00Z', 'anthropic/claude-sonnet-4-6', { input: 1 })]], { s1: 'g2' });
    await runSpendMeter(args(file));
    writeDb(stateDir, [], {});
    await runSpendMeter(args(file));
    expect(readState(stateFile).databases[KEY]!.s1).toMatchObject({ s: 0, g: 'g2' });
  });

  test("each gateway's breaker inputs: the tool calls its models asked for (sorted by time), its nft counter's growth and its port's refusals (each access-log line once)", async () => {
    const { file, stateFile, dir, openclawStateDir } = setup(['ops', 'sales']);
    const at = (hhmmss: string) => ms(`2026-11-21T${hhmmss}Z`);
    /** An assistant message of `calls` tool calls (content blocks of type toolCall) at `hhmmss`. */
    const calling = (id: string, hhmmss: string, calls: number) =>
      JSON.stringify({
        type: 'message',
        id,
        message: { role: 'assistant', provider: 'anthropic', model: 'claude-sonnet-4-6', usage: { input: 1 }, timestamp: at(hhmmss), content: Array.from({ length: calls }, (_, i) => ({ type: 'toolCall', id: `toolu_${id}_${i}`, name: 'exec', arguments: {} })) },
      });
    // Out of time order on purpose: the later call first.
    writeDb(path.join(openclawStateDir, 'ops'), [
      ['s1', 0, calling('r0', '08:58:00', 1)],
      ['s1', 1, calling('r1', '08:56:00', 2)],
    ]);
    writeDb(path.join(openclawStateDir, 'sales'), [['s1', 0, calling('r2', '08:57:00', 1)]]);
    // nft's counter of each gateway from packets-<counter> (0 without one); squid's log with refusals on each gateway's port.
    writeExecutable(
      tools.nft,
      [
        '#!/usr/bin/env bash',
        '[ "$1 $2 $3 $4" = "-j list counter inet" ] || { echo "fake nft: unexpected $*" >&2; exit 1; }',
        `p=$(cat "${dir}/packets-$6" 2>/dev/null || echo 0)`,
        'printf \'{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"counter": {"family": "inet", "name": "%s", "table": "%s", "handle": 3, "packets": %s, "bytes": 0}}]}\\n\' "$6" "$5" "$p"',
        '',
      ].join('\n'),
    );
    const packets = (counter: string, n: number) => fs.writeFileSync(path.join(dir, `packets-${counter}`), String(n));
    const log = path.join(dir, 'access.log');
    const denied = (hhmmss: string, port: number) => `${(at(hhmmss) / 1000).toFixed(3)}    0 127.0.0.1 TCP_DENIED/403 3912 CONNECT evil.example:443 - HIER_NONE/- text/html ${port}\n`;
    packets('egress_blocked_ops', 5);
    // A refusal stamped after the run's clock counts at the run's time; one on no gateway's port counts for none.
    fs.writeFileSync(log, denied('09:10:00', 3129) + denied('08:57:30', 3129) + denied('08:56:00', 3130) + denied('08:58:00', 3999));
    expect((await runSpendMeter(args(file))).code).toBe(0);
    const first = readState(stateFile);
    expect(first.gateways).toEqual({
      ops: { todayUsd: 0.000006, monthUsd: 0.000006, toolCalls: [at('08:56:00'), at('08:56:00'), at('08:58:00')], blocked: [[at('08:57:30'), 1], [at('09:00:00'), 1]], nftPackets: 5 },
      sales: { todayUsd: 0.000003, monthUsd: 0.000003, toolCalls: [at('08:57:00')], blocked: [[at('08:56:00'), 1]], nftPackets: 0 },
    });
    expect(first.accessLog).toEqual({ ino: fs.statSync(log).ino, pos: fs.statSync(log).size });

    // The next run: the counter grew by 3 (counted at the run's time), one new line; the old lines are not counted again.
    packets('egress_blocked_ops', 8);
    fs.appendFileSync(log, denied('08:59:00', 3129));
    expect((await runSpendMeter(args(file))).code).toBe(0);
    const second = readState(stateFile);
    expect([second.gateways.ops!.blocked, second.gateways.ops!.nftPackets, second.gateways.sales!.blocked]).toEqual([
      [[at('08:57:30'), 1], [at('08:59:00'), 1], [at('09:00:00'), 1], [at('09:00:00'), 3]],
      8,
      [[at('08:56:00'), 1]],
    ]);
    expect(second.accessLog).toEqual({ ino: fs.statSync(log).ino, pos: fs.statSync(log).size });

    // A log that cannot be read this run (not a regular file): said, and the cursor kept for the next.
    fs.rmSync(log);
    fs.mkdirSync(log);
    const third = await runSpendMeter(args(file));
    expect(third.err).toEqual([`openclaw-meter: WARNING ${log}: not a regular file`]);
    expect(readState(stateFile).accessLog).toEqual(second.accessLog);
  });

  test("a trip of the breaker is printed with the meter's prefix, after the warnings, and its gateway is stopped", async () => {
    const { file, stateDir, dir } = setup();
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { gateways: { limits: { toolCallsPer5Min: number } }[] };
    manifest.gateways[0]!.limits.toolCallsPer5Min = 2;
    fs.writeFileSync(file, JSON.stringify(manifest));
    const content = [0, 1].map((i) => ({ type: 'toolCall', id: `toolu_${i}`, name: 'exec', arguments: {} }));
    writeDb(stateDir, [['s1', 0, JSON.stringify({ type: 'message', id: 'r0', message: { role: 'assistant', provider: 'zeta', model: 'm', usage: { input: 1 }, timestamp: ms('2026-11-21T08:58:00Z'), content } })]]);
    const r = await runSpendMeter(args(file));
    expect(r.err).toEqual([
      'openclaw-meter: WARNING unpriced model zeta/m (priced at the highest listed price of each kind; add it to spend.modelPrices)',
      `openclaw-meter: BREAKER tripped gateway ops (agents ops, user openclaw-ops): tool-calls-5min: 2 tool calls in the last 5 minutes, at or over its limit 2 (today $0.00, month $0.00, 2 tool calls and 0 refused egress in 5 min); openclaw-gateway@ops.service stopped; marker ${path.join(dir, 'breaker', 'ops.tripped')}`,
    ]);
    expect(tools.systemctlCalls()).toEqual([['stop', '--no-block', 'openclaw-gateway@ops.service']]);
    expect(fs.existsSync(path.join(dir, 'breaker', 'ops.tripped'))).toBe(true);
  });

  test('a malformed record names its session by the first 40 characters of its id', async () => {
    const { file, stateDir } = setup();
    writeDb(stateDir, [['x'.repeat(50), 0, '{"usage":']]);
    expect((await runSpendMeter(args(file))).err).toEqual([`openclaw-meter: WARNING 1 malformed usage record ignored (first: ${KEY} session ${'x'.repeat(40)} seq 0: not JSON); 1 since the state began`]);
  });
});
