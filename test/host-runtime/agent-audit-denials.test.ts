import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DatabaseSync } from 'node:sqlite';
import { DENIAL_WINDOW_MS, findDenial, toolCallFingerprint } from '../../host/agent-audit/denials';
import { NAVIGATION, TRANSCRIPT_EVENTS } from './support/openclaw-agent-schema';

// host/agent-audit/denials.ts in-process: which failed tool call the agent's transcript shows
// refused by the exec policy. The transcript is a database in OpenClaw 2026.9.6's own schema
// (support/openclaw-agent-schema.ts), its tool results shaped as OpenClaw's agent loop writes
// them (dist/agent-core-*.mjs, emitToolResultMessage: role toolResult, toolCallId, toolName,
// content, details, isError, timestamp; the run in __openclaw.runId) with the errors the exec
// tool throws (dist/bash-tools-*.mjs: "exec denied: allowlist miss", "exec denied: host=node
// security=deny", ...). The real gateway writing such a refusal, end to end:
// test/openclaw/audit-agent-turns.test.ts.
//
// node:sqlite exists from Node 22.5 on: under Node 20 these tests are skipped in `npm test`'s
// first pass and run again by `npm run test:node-sqlite` (which fails, never skips, without such
// a Node); Stryker runs jest with Node 24. The first test is never skipped.
const sqlite = process.getBuiltinModule?.('node:sqlite') as { DatabaseSync: typeof DatabaseSync } | undefined;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const describeWithSqlite = sqlite ? describe : describe.skip;

test('the refusal tests are skipped only on a Node without node:sqlite (before 22.5)', () => {
  expect(!!sqlite).toBe(major > 22 || (major === 22 && minor >= 5));
});

test('a tool call fingerprint is sha256:<hex> of the id, as OpenClaw\'s ledger stores it', () => {
  // The digest of "abc" from FIPS 180-2's test vectors.
  expect(toolCallFingerprint('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(DENIAL_WINDOW_MS).toBe(120_000);
});

const RUN = '6877945b-1c1f-4bd5-9f0f-3c1e2f1a0b01';
const OTHER_RUN = '0b5c2e55-7a44-4e8e-a1a4-7d2a8c6e9f02';
const AT = Date.parse('2026-12-06T10:55:42.458Z');
const CALL = 'toolu_01A2b3C4d5E6f7G8h9J0kLmN';

interface Result {
  readonly toolCallId?: unknown;
  readonly runId?: string;
  readonly isError?: unknown;
  readonly error?: unknown;
  readonly role?: string;
}

/** The transcript event of one tool result, as OpenClaw stores it (event_json). */
const resultEvent = (r: Result = {}): string =>
  JSON.stringify({
    type: 'message',
    id: 'e1',
    message: {
      role: r.role ?? 'toolResult',
      toolCallId: 'toolCallId' in r ? r.toolCallId : CALL,
      toolName: 'exec',
      content: [{ type: 'text', text: typeof r.error === 'string' ? r.error : 'done' }],
      details: { status: r.isError === false ? 'completed' : 'error', tool: 'exec', ...('error' in r ? { error: r.error } : { error: 'exec denied: allowlist miss' }) },
      isError: 'isError' in r ? r.isError : true,
      timestamp: AT,
      __openclaw: { runId: r.runId ?? RUN },
    },
  });

let dir: string;
let db: DatabaseSync;
let seq = 0;

/** Appends one transcript row (session s1) written at `createdAt`. */
const add = (json: string | null, createdAt = AT) => {
  seq += 1;
  if (json === null) {
    db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes, navigation_json) VALUES (?, ?, NULL, ?, ?, ?, ?)').run(
      's1',
      seq,
      createdAt,
      Buffer.from('not read'),
      8,
      NAVIGATION,
    );
  } else db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?, ?, ?, ?)').run('s1', seq, json, createdAt);
};
const lookup = (fingerprint = toolCallFingerprint(CALL), runId = RUN, atMs = AT) => findDenial(db, runId, fingerprint, atMs);

describeWithSqlite('findDenial', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-audit-denials-'));
    db = new sqlite!.DatabaseSync(path.join(dir, 'openclaw-agent.sqlite'), { enableForeignKeyConstraints: false });
    db.exec(TRANSCRIPT_EVENTS);
    seq = 0;
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the exec policy\'s refusal of that tool call, with its reason code', () => {
    add(resultEvent());
    expect(lookup()).toEqual({ by: 'exec-policy', reason: 'allowlist miss' });
  });

  test.each([
    ['host=gateway security=deny', 'host=gateway security=deny'],
    ['host=node security=deny', 'host=node security=deny'],
    ['abc', 'abc'],
    [`a${'b'.repeat(40)}`, `a${'b'.repeat(40)}`],
  ])('the reason "%s" is a code, exported as it is', (reason, code) => {
    add(resultEvent({ error: `exec denied: ${reason}` }));
    expect(lookup()).toEqual({ by: 'exec-policy', reason: code });
  });

  test.each([
    // Text the exec tool writes, which may name the command or the agent: never exported.
    'host=node ask=always requires human approval',
    'agent:ops:main cannot wait for interactive exec approval.',
    'host=node allowlist miss (ask=off)',
    'ab',
    `a${'b'.repeat(41)}`,
    'Allowlist miss',
    'x allowlist miss',
    'allowlist miss ',
    'host=gateway security=deny; rm -rf /',
    '',
  ])('the reason "%s" is not a code: the refusal is kept, its text is not', (reason) => {
    add(resultEvent({ error: `exec denied: ${reason}` }));
    expect(lookup()).toEqual({ by: 'exec-policy' });
  });

  test.each([
    ['an error that is no refusal', { error: 'Command exited with code 1' }],
    ['a refusal text not at the start', { error: 'tool failed: exec denied: allowlist miss' }],
    ['an error that is not text', { error: { message: 'exec denied: allowlist miss' } }],
    ['no error at all', { error: undefined }],
    ['a result that is not an error', { isError: false }],
    ['isError not the boolean true', { isError: 'true' }],
  ])('%s: not a refusal', (_, r) => {
    add(resultEvent(r));
    expect(lookup()).toBeUndefined();
  });

  test('a result of this call with no details, or no run of its own (the run named only in its text): not a refusal', () => {
    const bare = JSON.parse(resultEvent()) as { message: Record<string, unknown> };
    delete bare.message.details;
    add(JSON.stringify(bare));
    expect(lookup()).toBeUndefined();
    db.exec('DELETE FROM transcript_events');
    const runless = JSON.parse(resultEvent()) as { message: Record<string, unknown>; note?: string };
    delete runless.message.__openclaw;
    runless.note = RUN;
    add(JSON.stringify(runless));
    expect(lookup()).toBeUndefined();
  });

  test('another tool call\'s result is passed over; the one of this call found after it', () => {
    add(resultEvent({ toolCallId: 'toolu_other' }));
    add(resultEvent({ toolCallId: 42 }));
    add(resultEvent({ error: 'exec denied: host=gateway security=deny' }));
    expect(lookup()).toEqual({ by: 'exec-policy', reason: 'host=gateway security=deny' });
    expect(lookup(toolCallFingerprint('toolu_missing'))).toBeUndefined();
  });

  test('a row that only quotes a tool result (another role, no message, not JSON) is passed over', () => {
    add(JSON.stringify({ type: 'message', message: { role: 'user', content: `"role":"toolResult" ${RUN} "toolCallId":"${CALL}"` } }));
    add(JSON.stringify({ type: 'custom', note: `"role":"toolResult" ${RUN}` }));
    // The text itself (not escaped inside a string): an event with no message at all.
    add(`{"type":"custom","data":{"role":"toolResult","toolCallId":"${CALL}"},"run":"${RUN}"}`);
    add(`{"role":"toolResult" ${RUN} broken`);
    add(resultEvent({ role: 'assistant' }).replace('"role":"assistant"', '"role":"assistant","quoted":{"role":"toolResult"}'));
    expect(lookup()).toBeUndefined();
    add(resultEvent());
    expect(lookup()).toEqual({ by: 'exec-policy', reason: 'allowlist miss' });
  });

  test('only results that name the run are looked at: the same call id in another run is passed over', () => {
    add(resultEvent({ runId: OTHER_RUN, isError: false }));
    add(resultEvent());
    expect(lookup()).toEqual({ by: 'exec-policy', reason: 'allowlist miss' });
    expect(lookup(undefined, OTHER_RUN)).toBeUndefined();
  });

  test('a result of this call that names the run only in its text, not as its run, is no refusal of this run', () => {
    const json = resultEvent({ runId: OTHER_RUN, error: `exec denied: allowlist miss` }).replace('"id":"e1"', `"id":"e1","note":"${RUN}"`);
    add(json);
    expect(lookup()).toBeUndefined();
  });

  test(`results written more than ${DENIAL_WINDOW_MS / 1000} s before or after the ledger's time are not looked at`, () => {
    add(resultEvent({ error: 'exec denied: early-one' }), AT - DENIAL_WINDOW_MS - 1);
    add(resultEvent({ error: 'exec denied: late-one' }), AT + DENIAL_WINDOW_MS + 1);
    expect(lookup()).toBeUndefined();
    expect(lookup(undefined, undefined, AT - 1)).toEqual({ by: 'exec-policy', reason: 'early-one' });
    expect(lookup(undefined, undefined, AT + 1)).toEqual({ by: 'exec-policy', reason: 'late-one' });
  });

  test(`a result written exactly ${DENIAL_WINDOW_MS / 1000} s before or after is looked at`, () => {
    add(resultEvent({ error: 'exec denied: edge-one' }), AT + DENIAL_WINDOW_MS);
    expect(lookup()).toEqual({ by: 'exec-policy', reason: 'edge-one' });
    expect(lookup(undefined, undefined, AT + 2 * DENIAL_WINDOW_MS)).toEqual({ by: 'exec-policy', reason: 'edge-one' });
    expect(lookup(undefined, undefined, AT + 2 * DENIAL_WINDOW_MS + 1)).toBeUndefined();
  });

  test('compressed rows (1 KiB and more, event_json NULL) are not read: a refusal is some 100 bytes', () => {
    add(null);
    expect(lookup()).toBeUndefined();
  });

  test('at most 2,000 candidate results are examined per lookup', () => {
    const other = resultEvent({ toolCallId: 'toolu_other' });
    db.exec('BEGIN');
    for (let i = 0; i < 2000; i += 1) add(other);
    add(resultEvent());
    db.exec('COMMIT');
    expect(lookup()).toBeUndefined();
    db.prepare('DELETE FROM transcript_events WHERE seq = 1').run();
    expect(lookup()).toEqual({ by: 'exec-policy', reason: 'allowlist miss' });
  });

  test('the fingerprint is compared in full', () => {
    add(resultEvent());
    const fp = toolCallFingerprint(CALL);
    expect(lookup(`sha256:${createHash('sha256').update(`${CALL}x`).digest('hex')}`)).toBeUndefined();
    expect(lookup(fp.toUpperCase())).toBeUndefined();
    expect(lookup(fp)).toBeDefined();
  });
});
