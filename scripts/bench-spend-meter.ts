/**
 * `npx tsx scripts/bench-spend-meter.ts`: how long one run of the spend meter (the
 * real bundled spend-meter.js, run with the pinned Node 24 as on the host, process
 * start, IMDSv2 and PutMetricData to the loopback fakes of test/support/fake-aws/
 * included) takes over 10,000 usage records: 100 sessions of two agents, each record an
 * assistant event as OpenClaw 2026.9.6 writes it (half of them zstd-compressed, as
 * OpenClaw stores events of 1 KiB or more), each after a user event: 20,000 rows.
 * Figures: the first run (all 10,000 new), a run with 10 new records, a run with none
 * (median of 5 each). The database holds the columns of OpenClaw's transcript_events and
 * transcript_rewrite_watermarks (what the meter reads). Prints figures; asserts nothing.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleSpendMeter } from '../lib/bundling/host-programs';
import { renderSpendMeterManifest } from '../lib/host/spend-meter';
import { exampleConfig } from '../test/host/support/host-tools';
import { requireOpenclaw } from '../test/openclaw/support/openclaw';
import { startFakeAws } from '../test/support/fake-aws/world';
import { runAsync } from '../test/host-runtime/support/runtime-tools';

const RECORDS = 10_000;
const SESSIONS = 100;
const RUNS = 5;

/** Node 24 program that writes `count` records (and as many user events) into the databases, starting at `start`. */
const WRITER = `
const { DatabaseSync } = require('node:sqlite');
const zlib = require('node:zlib');
const [stateDir, startText, countText, sessionsText] = process.argv.slice(1);
const start = Number(startText), count = Number(countText), sessions = Number(sessionsText);
const schema = \`CREATE TABLE IF NOT EXISTS transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, event_json TEXT,
  created_at INTEGER NOT NULL, event_zstd BLOB, event_utf8_bytes INTEGER, navigation_json TEXT, PRIMARY KEY (session_id, seq)) STRICT;
  CREATE TABLE IF NOT EXISTS transcript_rewrite_watermarks (session_id TEXT NOT NULL PRIMARY KEY, generation TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;\`;
const dbs = {};
for (const agent of ['ops', 'support']) {
  const dir = stateDir + '/agents/' + agent + '/agent';
  require('fs').mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(dir + '/openclaw-agent.sqlite');
  db.exec('PRAGMA journal_mode = WAL'); db.exec(schema); db.exec('BEGIN');
  dbs[agent] = { db, insert: db.prepare('INSERT INTO transcript_events VALUES (?, ?, ?, ?, ?, ?, ?)'), next: db.prepare('SELECT coalesce(max(seq), -1) + 1 AS n FROM transcript_events WHERE session_id = ?') };
}
const base = Date.parse('2026-11-21T00:00:00Z');
const pad = 'The gateway host is healthy; the disk has room and the load is low. '.repeat(30);
for (let i = start; i < start + count; i++) {
  const s = i % sessions, agent = s % 2 ? 'support' : 'ops', session = 'session-' + s, t = base + i * 1000;
  const d = dbs[agent], seq = Number(d.next.get(session).n);
  const user = JSON.stringify({ type: 'message', id: 'u' + i, parentId: null, timestamp: new Date(t).toISOString(), message: { role: 'user', content: 'status?', timestamp: t } });
  d.insert.run(session, seq, user, t, null, Buffer.byteLength(user), null);
  const text = i % 2 ? pad : 'All fine.';
  const event = JSON.stringify({ type: 'message', id: 'a' + i, parentId: 'u' + i, timestamp: new Date(t + 500).toISOString(), message: { role: 'assistant',
    content: [{ type: 'text', text }], api: 'anthropic-messages', provider: 'anthropic', model: 'claude-sonnet-4-6',
    usage: { input: 1000, output: 200, cacheRead: 5000, cacheWrite: 0, totalTokens: 6200, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } },
    stopReason: 'stop', timestamp: t + 100, responseId: 'msg_' + i } });
  if (i % 2) d.insert.run(session, seq + 1, null, t + 500, zlib.zstdCompressSync(Buffer.from(event)), Buffer.byteLength(event), '{}');
  else d.insert.run(session, seq + 1, event, t + 500, null, Buffer.byteLength(event), null);
}
for (const d of Object.values(dbs)) { d.db.exec('COMMIT'); d.db.close(); }
`;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const oc = requireOpenclaw();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-meter-'));
  fs.mkdirSync(path.join(root, 'home'));
  const aws = await startFakeAws(9500, path.join(root, 'home'));
  try {
    const state = path.join(root, 'state');
    const meterDir = path.join(root, 'meter');
    fs.mkdirSync(meterDir, { mode: 0o700 });
    const program = path.join(root, 'spend-meter.js');
    fs.writeFileSync(program, bundleSpendMeter());
    const manifest = { ...renderSpendMeterManifest(exampleConfig('prod'), { openclawStateDir: state, stateFile: path.join(meterDir, 'state.json') }), limits: { dailyUsd: 1e6, monthlyUsd: 1e6 } };
    const manifestFile = path.join(root, 'spend-meter.json');
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    let written = 0;
    const write = (count: number) => {
      const r = spawnSync(oc.node, ['-e', WRITER, state, String(written), String(count), String(SESSIONS)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`writing the records failed: ${r.stderr}`);
      written += count;
    };
    const run = async () => {
      const started = process.hrtime.bigint();
      const r = await runAsync(oc.node, [program, '--manifest', manifestFile, '--now', '2026-11-21T23:00:00Z'], { env: aws.env(), timeoutMs: 120_000 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (r.code !== 0) throw new Error(`the meter failed (${r.code}): ${r.stdout}${r.stderr}`);
      return { seconds, line: r.stdout.trim() };
    };
    const row = (label: string, seconds: number, line: string) => console.log(`${label.padEnd(36)}${seconds.toFixed(3)} s   ${line}`);

    const firsts: number[] = [];
    let firstLine = '';
    for (let i = 0; i < RUNS; i++) {
      fs.rmSync(state, { recursive: true, force: true });
      fs.rmSync(manifest.stateFile, { force: true });
      written = 0;
      write(RECORDS);
      const r = await run();
      firsts.push(r.seconds);
      firstLine = r.line;
    }
    const incremental: number[] = [];
    let incrementalLine = '';
    for (let i = 0; i < RUNS; i++) {
      write(10);
      const r = await run();
      incremental.push(r.seconds);
      incrementalLine = r.line;
    }
    const idle: number[] = [];
    let idleLine = '';
    for (let i = 0; i < RUNS; i++) {
      const r = await run();
      idle.push(r.seconds);
      idleLine = r.line;
    }
    console.log(`spend meter (Node ${spawnSync(oc.node, ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${RECORDS} usage records in ${SESSIONS} sessions, ${2 * RECORDS} rows; median of ${RUNS}, process start included):`);
    row(`first run, ${RECORDS} new records:`, median(firsts), firstLine);
    row('a run with 10 new records:', median(incremental), incrementalLine);
    row('a run with nothing new:', median(idle), idleLine);
  } finally {
    await aws.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
