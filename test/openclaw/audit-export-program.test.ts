import { gatewayOfAgent } from '../../lib/openclaw/gateways';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { bundleAgentAudit } from '../../lib/bundling/host-programs';
import { runAgentAudit } from '../../host/agent-audit/run';
import { removeAppendOnlyTree, requireRootForRuntime, runAsync } from '../host-runtime/support/runtime-tools';
import { OPENCLAW_CACHE, requireOpenclaw, writeOpenclawFixture } from './support/openclaw';
import { REPO_ROOT } from '../support/config-fixture';
import { exampleConfig } from '../host/support/host-tools';
import { TRANSCRIPT_EVENTS } from '../host-runtime/support/openclaw-agent-schema';

// agent-audit.js (bundled) run as root under the pinned Node 24 against state folders laid
// out as on the host, for what real turns cannot be asked for: a folder of the wrong owner,
// a symlinked database, a stranger's folder, a replaced ledger, every status OpenClaw's
// ledger knows. The ledger is a real one: the state database the real OpenClaw creates
// (`openclaw approvals set` initializes it, as the gateway unit's ExecStartPre does), into
// which the test inserts rows of the shapes the real gateway writes
// (test/openclaw/audit-agent-turns.test.ts shows them written by real turns).

const USER = 'openclaw-ops';
let root: string;
let program: string;
let template: string;
let node: string;
let uid: number;
let n = 0;

interface Row {
  kind: 'tool_action' | 'message' | 'agent_run';
  direction?: 'inbound';
  status: string;
  message_outcome?: string;
  error_code?: string;
  reason_code?: string;
  failure_stage?: string;
  /** The model's tool call id, stored as sha256:<hex> (a fixed one when absent). */
  call?: string;
  agent?: string;
}

/** Inserts `rows` (times 1 s apart from 2026-12-06T10:00:00Z) into the ledger at `db`, with Node 24. */
function insert(db: string, rows: Row[]): void {
  const script = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
const rows = JSON.parse(process.argv[2]);
const ins = db.prepare(\`INSERT INTO audit_events (event_id, source_id, source_sequence, occurred_at, kind, action, status, error_code,
  actor_type, actor_id, agent_id, session_key, session_id, run_id, tool_call_id, tool_name, direction, channel, conversation_kind,
  message_outcome, reason_code, failure_stage, target_ref) VALUES (?, ?, 1, ?, ?, ?, ?, ?, 'agent', 'ops', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)\`);
for (const [i, r] of rows.entries()) {
  const tool = r.kind !== 'message';
  const id = r.id;
  const action = r.kind === 'agent_run' ? 'agent.run.started' : r.direction ? 'message.inbound.processed' : null;
  ins.run(id, 'src-' + id, Date.parse('2026-12-06T10:00:00Z') + i * 1000, r.kind,
    action ?? (tool ? (r.status === 'started' ? 'tool.action.started' : 'tool.action.finished') : 'message.outbound.finished'), r.status, r.error_code ?? null,
    r.agent ?? 'ops', tool ? 'agent:ops:main' : null, tool ? 'session-1' : null, 'run-1', tool ? r.callHash ?? 'sha256:' + 'a'.repeat(64) : null, tool ? 'exec' : null,
    tool ? null : (r.direction ?? 'outbound'), tool ? null : 'telegram', tool ? null : 'direct', r.message_outcome ?? null, r.reason_code ?? null, r.failure_stage ?? null,
    tool ? null : 'hmac-sha256:v1:' + 'b'.repeat(32) + ':' + 'c'.repeat(64));
}
db.close();`;
  const withIds = rows.map((r) => ({ ...r, id: `00000000-0000-4000-8000-${String((n += 1)).padStart(12, '0')}`, callHash: r.call === undefined ? undefined : `sha256:${createHash('sha256').update(r.call).digest('hex')}` }));
  execFileSync(node, ['-e', script, db, JSON.stringify(withIds)]);
}

/** Ledger row i's time (insert()): 2026-12-06T10:00:00Z + i s. */
const rowTime = (i: number) => Date.parse('2026-12-06T10:00:00Z') + i * 1000;

/**
 * The transcript database of `agent` in the gateway's folder (agents/<agent>/agent/openclaw-agent.sqlite,
 * OpenClaw 2026.9.6's schema), every component its user's, holding one tool result per entry as
 * OpenClaw's agent loop writes it (test/host-runtime/agent-audit-denials.test.ts has the shape).
 */
function transcript(gw: string, agent: string, results: { call: string; error?: string; at: number }[]) {
  let p = gw;
  for (const part of ['agents', agent, 'agent']) {
    p = path.join(p, part);
    fs.mkdirSync(p, { recursive: true, mode: 0o700 });
    fs.chownSync(p, uid, uid);
  }
  const file = path.join(p, 'openclaw-agent.sqlite');
  const events = results.map((r) =>
    JSON.stringify({
      type: 'message',
      message: {
        role: 'toolResult',
        toolCallId: r.call,
        toolName: 'exec',
        content: [{ type: 'text', text: r.error ?? 'ok' }],
        details: r.error ? { status: 'error', tool: 'exec', error: r.error } : { status: 'completed', exitCode: 0 },
        isError: !!r.error,
        timestamp: r.at,
        __openclaw: { runId: 'run-1' },
      },
    }),
  );
  const script = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1], { enableForeignKeyConstraints: false });
db.exec(process.argv[2]);
const ins = db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?, ?, ?, ?)');
for (const [i, e] of JSON.parse(process.argv[3]).entries()) ins.run('session-1', i + 1, e.json, e.at);
db.close();`;
  execFileSync(node, ['-e', script, file, TRANSCRIPT_EVENTS, JSON.stringify(events.map((json, i) => ({ json, at: results[i]!.at })))]);
  fs.chownSync(file, uid, uid);
  return file;
}

/** A host layout: <case>/state-root/ops (the gateway's folder, its user's) with a copy of the real empty ledger. */
function layout(owner = uid) {
  const dir = fs.mkdtempSync(path.join(root, 'case-'));
  const stateRoot = path.join(dir, 'state-root');
  const gw = path.join(stateRoot, 'ops');
  fs.mkdirSync(path.join(gw, 'state'), { recursive: true, mode: 0o700 });
  const db = path.join(gw, 'state', 'openclaw.sqlite');
  fs.copyFileSync(template, db);
  for (const p of [gw, path.join(gw, 'state'), db]) fs.chownSync(p, owner, owner);
  const out = path.join(dir, 'agent-audit.jsonl');
  fs.writeFileSync(out, '', { mode: 0o600 });
  return { dir, stateRoot, gw, db, out, positions: path.join(dir, 'positions') };
}

/**
 * One run of the export: the bundle under the pinned Node 24 when jest's own Node has no
 * node:sqlite (Node 20: `npm test`'s jest run); in this process when it has
 * (`process.getBuiltinModule?.('node:sqlite')`: `npm run test:node-sqlite` runs this file again
 * with Node 24, and so does the mutation run), so the same cases reach the program's modules
 * directly. main.ts only prints what runAgentAudit returns.
 */
async function run(l: ReturnType<typeof layout>) {
  const argv = ['--state-root', l.stateRoot, '--out', l.out, '--position-dir', l.positions];
  let code: number;
  let err: string[];
  let out: string[];
  if (process.getBuiltinModule?.('node:sqlite')) {
    const fds = fs.readdirSync('/proc/self/fd').length;
    const r = runAgentAudit(argv);
    [code, err, out] = [r.code, r.err, r.out];
    // Every database and the audit file closed again (in-process only: the bundle's process ends).
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fds);
  } else {
    const r = await runAsync(node, ['--jitless', program, ...argv], { timeoutMs: 30_000 });
    [code, err, out] = [r.code ?? -1, r.stderr.split('\n').filter(Boolean), r.stdout.split('\n').filter(Boolean)];
  }
  const regular = fs.lstatSync(l.out, { throwIfNoEntry: false })?.isFile();
  const lines = regular ? fs.readFileSync(l.out, 'utf8').split('\n').filter(Boolean).map((x) => JSON.parse(x) as Record<string, unknown>) : [];
  return { code, err, out, lines };
}

beforeAll(async () => {
  requireRootForRuntime('the audit export program test (folders owned by the gateway user; the program runs as root)');
  node = requireOpenclaw().node;
  uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
  root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'oc-audit-program-'));
  program = path.join(root, 'agent-audit.js');
  fs.writeFileSync(program, bundleAgentAudit());
  // A real, empty ledger: the state database OpenClaw 2026.9.6 creates. Made once per pinned
  // OpenClaw (named by its lockfile's digest, beside the install) and copied from there, so
  // that each run of this file (each mutant of a mutation run too) does not start OpenClaw again.
  const lock = fs.readFileSync(path.join(REPO_ROOT, 'host', 'openclaw', 'package-lock.json'));
  template = path.join(OPENCLAW_CACHE, `empty-state-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}.sqlite`);
  if (fs.existsSync(template)) return;
  const dev = exampleConfig('dev');
  const fx = writeOpenclawFixture(dev, path.join(root, 'openclaw'), [], gatewayOfAgent(dev, 'ops'));
  const r = await runAsync(node, [requireOpenclaw().cli, 'approvals', 'set', '--file', path.join(fx.paths.configDir, 'exec-approvals.json')], {
    timeoutMs: 120_000,
    env: { PATH: `${path.dirname(node)}:/usr/bin:/bin`, HOME: fx.home, OPENCLAW_HOME: fx.home, OPENCLAW_STATE_DIR: fx.stateDir, OPENCLAW_CONFIG_PATH: fx.configFile, OPENCLAW_NO_AUTO_UPDATE: '1' },
  });
  const made = path.join(fx.stateDir, 'state', 'openclaw.sqlite');
  if (r.code !== 0 || !fs.existsSync(made)) throw new Error(`openclaw approvals set did not create ${made}:\n${r.stderr}${r.stdout}`);
  // Put in place whole (a copy, then a rename), as the file OpenClaw left at its clean exit.
  const partial = `${template}.${process.pid}.tmp`;
  fs.copyFileSync(made, partial);
  fs.renameSync(partial, template);
}, 180_000);

afterAll(() => removeAppendOnlyTree(root));

test('every status of the ledger, mapped to its outcome; runs and inbound messages left out', async () => {
  const l = layout();
  insert(l.db, [
    { kind: 'agent_run', status: 'started' },
    { kind: 'message', direction: 'inbound', status: 'succeeded', message_outcome: 'completed' },
    { kind: 'tool_action', status: 'started' },
    { kind: 'tool_action', status: 'succeeded' },
    { kind: 'tool_action', status: 'blocked', error_code: 'tool_blocked' },
    { kind: 'tool_action', status: 'failed', error_code: 'tool_failed' },
    { kind: 'tool_action', status: 'cancelled', error_code: 'tool_cancelled' },
    { kind: 'tool_action', status: 'timed_out', error_code: 'tool_timed_out' },
    { kind: 'tool_action', status: 'unknown', error_code: 'tool_outcome_unknown' },
    { kind: 'message', status: 'succeeded', message_outcome: 'sent' },
    { kind: 'message', status: 'blocked', message_outcome: 'suppressed', reason_code: 'no_visible_payload' },
    { kind: 'message', status: 'failed', message_outcome: 'failed', error_code: 'message_delivery_failed', failure_stage: 'platform_send' },
    { kind: 'message', status: 'unknown', message_outcome: 'unknown', failure_stage: 'unknown' },
  ]);
  const r = await run(l);
  expect([r.code, r.err, r.out]).toEqual([0, [], ['openclaw-agent-audit: ops: 11 records']]);
  expect(r.lines.map((x) => [x.gateway, x.agent, x.kind, x.event, x.tool ?? x.channel, x.outcome, x.status, x.time])).toEqual([
    ['ops', 'ops', 'tool', 'started', 'exec', 'started', 'started', '2026-12-06T10:00:02.000Z'],
    ['ops', 'ops', 'tool', 'finished', 'exec', 'ok', 'succeeded', '2026-12-06T10:00:03.000Z'],
    ['ops', 'ops', 'tool', 'finished', 'exec', 'denied', 'blocked', '2026-12-06T10:00:04.000Z'],
    // No transcript shows a refusal: an error.
    ['ops', 'ops', 'tool', 'finished', 'exec', 'error', 'failed', '2026-12-06T10:00:05.000Z'],
    ['ops', 'ops', 'tool', 'finished', 'exec', 'error', 'cancelled', '2026-12-06T10:00:06.000Z'],
    ['ops', 'ops', 'tool', 'finished', 'exec', 'error', 'timed_out', '2026-12-06T10:00:07.000Z'],
    ['ops', 'ops', 'tool', 'finished', 'exec', 'unknown', 'unknown', '2026-12-06T10:00:08.000Z'],
    ['ops', 'ops', 'message', 'outbound', 'telegram', 'ok', 'sent', '2026-12-06T10:00:09.000Z'],
    ['ops', 'ops', 'message', 'outbound', 'telegram', 'suppressed', 'suppressed', '2026-12-06T10:00:10.000Z'],
    ['ops', 'ops', 'message', 'outbound', 'telegram', 'error', 'failed', '2026-12-06T10:00:11.000Z'],
    ['ops', 'ops', 'message', 'outbound', 'telegram', 'unknown', 'unknown', '2026-12-06T10:00:12.000Z'],
  ]);
  expect([r.lines[8]!.reason, r.lines[9]!.failureStage]).toEqual(['no_visible_payload', 'platform_send']);
});

test('each run appends only what is new; a replaced ledger is reported and exported from its start', async () => {
  const l = layout();
  insert(l.db, [{ kind: 'tool_action', status: 'started' }]);
  const first = await run(l);
  expect([first.lines.length, first.out]).toEqual([1, ['openclaw-agent-audit: ops: 1 record']]);
  // Nothing new: nothing appended, nothing said.
  expect((await run(l)).out).toEqual([]);
  insert(l.db, [{ kind: 'tool_action', status: 'succeeded' }]);
  const second = await run(l);
  expect([second.code, second.err, second.out, second.lines.map((x) => x.status)]).toEqual([0, [], ['openclaw-agent-audit: ops: 1 record'], ['started', 'succeeded']]);
  // The gateway's database swapped for a fresh one with one record.
  // (A fresh file, as the gateway makes it: its user's. copyFileSync over a file keeps the owner
  // on Node 20 but not on Node 24, whose copy makes a new file.)
  fs.rmSync(l.db);
  fs.copyFileSync(template, l.db);
  fs.chownSync(l.db, uid, uid);
  insert(l.db, [{ kind: 'tool_action', status: 'failed', error_code: 'tool_failed' }]);
  const third = await run(l);
  expect(third.err).toEqual([
    expect.stringMatching(/^openclaw-agent-audit: WARNING ops: the ledger no longer holds record 2 \(.+\) exported last, and has none after it: the state database was replaced; exporting it from its start$/),
  ]);
  expect(third.lines.map((x) => x.status)).toEqual(['started', 'succeeded', 'failed']);
});

test('a folder not owned by its gateway user, a symlinked database, a stranger\'s folder: refused, nothing read', async () => {
  const notOwned = layout(0);
  insert(notOwned.db, [{ kind: 'tool_action', status: 'succeeded' }]);
  const a = await run(notOwned);
  expect([a.code, a.err, a.lines]).toEqual([0, [`openclaw-agent-audit: WARNING ${notOwned.gw}: owned by uid 0, not by openclaw-ops (${uid}); not read`], []]);

  const linked = layout();
  const elsewhere = path.join(linked.dir, 'other.sqlite');
  fs.renameSync(linked.db, elsewhere);
  insert(elsewhere, [{ kind: 'tool_action', status: 'succeeded' }]);
  fs.symlinkSync(elsewhere, linked.db);
  const b = await run(linked);
  expect([b.code, b.err, b.lines]).toEqual([1, [`openclaw-agent-audit: FAILED ops: ${linked.db}: a symlink or not a regular file; not read`], []]);

  const stranger = layout();
  fs.mkdirSync(path.join(stranger.stateRoot, 'intruder'), { mode: 0o700 });
  const c = await run(stranger);
  expect([c.code, c.err]).toEqual([0, [`openclaw-agent-audit: WARNING ${path.join(stranger.stateRoot, 'intruder')}: no gateway user openclaw-intruder; not read`]]);
});

test('the audit file is only appended to: never created; a symlink or a folder in its place is refused', async () => {
  const l = layout();
  insert(l.db, [{ kind: 'tool_action', status: 'started' }]);
  fs.rmSync(l.out);
  const missing = await run(l);
  expect([missing.code, missing.out, fs.existsSync(l.out)]).toEqual([1, [], false]);
  expect(missing.err).toEqual([expect.stringMatching(/^openclaw-agent-audit: FAILED Setup: ENOENT/)]);
  fs.writeFileSync(path.join(l.dir, 'target'), '');
  fs.symlinkSync(path.join(l.dir, 'target'), l.out);
  const linked = await run(l);
  expect([linked.code, linked.err]).toEqual([1, [`openclaw-agent-audit: FAILED Setup: ${l.out} is not a regular file`]]);
  expect(fs.readFileSync(path.join(l.dir, 'target'), 'utf8')).toBe('');
  fs.rmSync(l.out);
  fs.mkdirSync(l.out);
  const folder = await run(l);
  expect([folder.code, folder.err]).toEqual([1, [`openclaw-agent-audit: FAILED Setup: ${l.out} is not a regular file`]]);
  // Nothing was exported, so nothing is marked as exported.
  expect(fs.existsSync(l.positions)).toBe(false);
});

test('a gateway that has not started (no state database) is skipped quietly; a state database without the ledger fails that gateway alone, named', async () => {
  const l = layout();
  fs.rmSync(l.db);
  expect(await run(l)).toMatchObject({ code: 0, err: [], out: [], lines: [] });
  const other = path.join(l.dir, 'other.sqlite');
  execFileSync(node, ['-e', "const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(process.argv[1]); db.exec('CREATE TABLE t (x)'); db.close();", other]);
  fs.copyFileSync(other, l.db);
  fs.chownSync(l.db, uid, uid);
  expect(await run(l)).toMatchObject({ code: 1, err: ['openclaw-agent-audit: FAILED ops: no audit_events table (OpenClaw has not recorded anything yet, or is not 2026.9)'], out: [] });
});

test('a failed exec the agent\'s transcript shows refused is denied, with the policy and its reason code; other failures stay errors', async () => {
  const l = layout();
  insert(l.db, [
    { kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call: 'toolu_refused' },
    { kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call: 'toolu_broke' },
    // A call that succeeded is never looked up, whatever the transcript holds.
    { kind: 'tool_action', status: 'succeeded', call: 'toolu_refused_too' },
    { kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call: 'toolu_free_text' },
  ]);
  transcript(l.gw, 'ops', [
    { call: 'toolu_refused', error: 'exec denied: allowlist miss', at: rowTime(0) + 40 },
    { call: 'toolu_broke', error: 'Command exited with code 2', at: rowTime(1) + 40 },
    { call: 'toolu_refused_too', error: 'exec denied: allowlist miss', at: rowTime(2) + 40 },
    { call: 'toolu_free_text', error: 'exec denied: agent:ops:main cannot wait for interactive exec approval.', at: rowTime(3) + 40 },
  ]);
  const r = await run(l);
  expect([r.code, r.err]).toEqual([0, []]);
  expect(r.lines.map((x) => [x.status, x.outcome, x.errorCode, x.deniedBy, x.reason])).toEqual([
    ['failed', 'denied', 'tool_failed', 'exec-policy', 'allowlist miss'],
    ['failed', 'error', 'tool_failed', undefined, undefined],
    ['succeeded', 'ok', undefined, undefined, undefined],
    // Refused, but the reason is text (it may name the agent or the command): not exported.
    ['failed', 'denied', 'tool_failed', 'exec-policy', undefined],
  ]);
  expect(JSON.stringify(r.lines)).not.toMatch(/cannot wait|Command exited|toolu_/);
});

test('a failed call is looked up only in the transcript of its own agent, and only for an agent id', async () => {
  const l = layout();
  insert(l.db, [
    { kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call: 'toolu_a', agent: 'support' },
    { kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call: 'toolu_b', agent: 'Not_An_Id' },
  ]);
  // ops's transcript shows both refused; support has no transcript; Not_An_Id's is not an agent's.
  transcript(l.gw, 'ops', [
    { call: 'toolu_a', error: 'exec denied: allowlist miss', at: rowTime(0) },
    { call: 'toolu_b', error: 'exec denied: allowlist miss', at: rowTime(1) },
  ]);
  transcript(l.gw, 'Not_An_Id', [{ call: 'toolu_b', error: 'exec denied: allowlist miss', at: rowTime(1) }]);
  // An id that starts like one and climbs out of its folder is no agent id either.
  insert(l.db, [{ kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call: 'toolu_a', agent: 'ops/../ops' }]);
  const r = await run(l);
  expect([r.code, r.err]).toEqual([0, []]);
  expect(r.lines.map((x) => [x.agent, x.outcome, x.deniedBy])).toEqual([
    ['support', 'error', undefined],
    ['Not_An_Id', 'error', undefined],
    ['ops/../ops', 'error', undefined],
  ]);
});

test('a transcript that cannot be read or searched: one warning per database or per search, the calls exported as errors, the run succeeds', async () => {
  const failed = (call: string, agent = 'ops'): Row => ({ kind: 'tool_action', status: 'failed', error_code: 'tool_failed', call, agent });

  const garbage = layout();
  insert(garbage.db, [failed('toolu_1'), failed('toolu_2')]);
  const file = transcript(garbage.gw, 'ops', []);
  fs.writeFileSync(file, 'not a database, but the size of a page of one '.repeat(100));
  const a = await run(garbage);
  expect([a.code, a.lines.map((x) => x.outcome)]).toEqual([0, ['error', 'error']]);
  // Opened once per agent: one warning for its two calls.
  expect(a.err).toEqual([`openclaw-agent-audit: WARNING ops: cannot read ${file} (file is not a database): its failed tool calls are exported as errors`]);

  const linked = layout();
  insert(linked.db, [failed('toolu_1')]);
  const real = transcript(linked.gw, 'ops', [{ call: 'toolu_1', error: 'exec denied: allowlist miss', at: rowTime(0) }]);
  fs.renameSync(real, path.join(linked.dir, 'elsewhere.sqlite'));
  fs.symlinkSync(path.join(linked.dir, 'elsewhere.sqlite'), real);
  const b = await run(linked);
  expect([b.code, b.lines.map((x) => x.outcome)]).toEqual([0, ['error']]);
  expect(b.err).toEqual([`openclaw-agent-audit: WARNING ops: ${real}: a symlink or not a regular file; not read`]);

  const tableless = layout();
  insert(tableless.db, [failed('toolu_1'), failed('toolu_2')]);
  const empty = transcript(tableless.gw, 'ops', []);
  execFileSync(node, ['-e', "const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(process.argv[1]); db.exec('DROP TABLE transcript_events'); db.close();", empty]);
  const c = await run(tableless);
  expect([c.code, c.lines.map((x) => x.outcome)]).toEqual([0, ['error', 'error']]);
  expect(c.err).toEqual([
    'openclaw-agent-audit: WARNING ops: cannot search the transcript of ops (no such table: transcript_events)',
    'openclaw-agent-audit: WARNING ops: cannot search the transcript of ops (no such table: transcript_events)',
  ]);
});
