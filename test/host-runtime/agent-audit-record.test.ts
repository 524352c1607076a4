import { LEDGER_COLUMNS, type LedgerRow } from '../../host/agent-audit/ledger';
import { auditRecord, messageOutcome, SOURCE, toolOutcome } from '../../host/agent-audit/record';

// The audit line of one ledger row (host/agent-audit/record.ts), field by field and in order:
// what an operator's log query sees. Rows shaped as OpenClaw 2026.9.6 writes them (see
// host/agent-audit/ledger.ts); the real ledger and real turns: test/openclaw/audit-*.test.ts.

/** A row with every column null, then `over`. */
const row = (over: Partial<Record<(typeof LEDGER_COLUMNS)[number], string | number | null>>): LedgerRow =>
  ({ ...Object.fromEntries(LEDGER_COLUMNS.map((c) => [c, null])), ...over }) as LedgerRow;

const AT = Date.parse('2026-12-06T10:55:42.458Z');
const TOOL = row({
  sequence: 3,
  event_id: 'ev-3',
  occurred_at: AT,
  kind: 'tool_action',
  action: 'tool.action.finished',
  status: 'failed',
  error_code: 'tool_failed',
  agent_id: 'ops',
  session_key: 'agent:ops:main',
  session_id: 'session-1',
  run_id: 'run-1',
  tool_call_id: `sha256:${'a'.repeat(64)}`,
  tool_name: 'exec',
});
const MESSAGE = row({
  sequence: 9,
  event_id: 'ev-9',
  occurred_at: AT,
  kind: 'message',
  action: 'message.outbound.finished',
  status: 'succeeded',
  agent_id: 'support',
  run_id: 'run-2',
  direction: 'outbound',
  channel: 'telegram',
  conversation_kind: 'direct',
  message_outcome: 'sent',
  delivery_kind: 'text',
  duration_ms: 0,
  result_count: 0,
  target_ref: `hmac-sha256:v1:${'b'.repeat(32)}:${'c'.repeat(64)}`,
});

test('the source names OpenClaw\'s audit ledger', () => {
  expect(SOURCE).toBe('openclaw-audit-ledger');
});

test('a tool row: every field in order, the refusal\'s policy and reason when there is one', () => {
  const line = auditRecord('ops', TOOL, { by: 'exec-policy', reason: 'allowlist miss' });
  expect(Object.entries(line)).toEqual([
    ['time', '2026-12-06T10:55:42.458Z'],
    ['gateway', 'ops'],
    ['agent', 'ops'],
    ['session', 'agent:ops:main'],
    ['sessionId', 'session-1'],
    ['run', 'run-1'],
    ['kind', 'tool'],
    ['event', 'finished'],
    ['tool', 'exec'],
    ['toolCall', `sha256:${'a'.repeat(64)}`],
    ['outcome', 'denied'],
    ['status', 'failed'],
    ['errorCode', 'tool_failed'],
    ['deniedBy', 'exec-policy'],
    ['reason', 'allowlist miss'],
    ['source', 'openclaw-audit-ledger'],
    ['sequence', 3],
    ['eventId', 'ev-3'],
  ]);
  expect(auditRecord('ops', TOOL)).toEqual({ ...line, outcome: 'error', deniedBy: undefined, reason: undefined });
  expect(Object.keys(auditRecord('ops', TOOL))).not.toContain('deniedBy');
  expect(auditRecord('ops', TOOL, { by: 'exec-policy' })).not.toHaveProperty('reason');
});

test('a tool row\'s start is event "started"; a row without a status is unknown', () => {
  expect(auditRecord('ops', { ...TOOL, status: 'started', error_code: null })).toMatchObject({ event: 'started', outcome: 'started', status: 'started' });
  expect(auditRecord('ops', { ...TOOL, status: null })).toMatchObject({ event: 'finished', outcome: 'unknown', status: 'unknown' });
  expect(auditRecord('ops', { ...TOOL, status: '' })).toMatchObject({ event: 'finished', outcome: 'unknown', status: 'unknown' });
});

test('an outbound message row: every field in order; 0 is a value (duration, result count), null and "" are left out', () => {
  expect(Object.entries(auditRecord('support', MESSAGE))).toEqual([
    ['time', '2026-12-06T10:55:42.458Z'],
    ['gateway', 'support'],
    ['agent', 'support'],
    ['run', 'run-2'],
    ['kind', 'message'],
    ['event', 'outbound'],
    ['channel', 'telegram'],
    ['target', `hmac-sha256:v1:${'b'.repeat(32)}:${'c'.repeat(64)}`],
    ['conversation', 'direct'],
    ['outcome', 'ok'],
    ['status', 'sent'],
    ['deliveryKind', 'text'],
    ['resultCount', 0],
    ['durationMs', 0],
    ['source', 'openclaw-audit-ledger'],
    ['sequence', 9],
    ['eventId', 'ev-9'],
  ]);
  const failed = auditRecord('support', { ...MESSAGE, message_outcome: 'failed', error_code: 'message_delivery_failed', failure_stage: 'platform_send', reason_code: '', duration_ms: 1250, result_count: null, channel: '' });
  expect(failed).toMatchObject({ outcome: 'error', status: 'failed', errorCode: 'message_delivery_failed', failureStage: 'platform_send', durationMs: 1250 });
  expect(Object.keys(failed)).not.toEqual(expect.arrayContaining(['reason']));
  expect(Object.keys(failed)).not.toContain('resultCount');
  expect(Object.keys(failed)).not.toContain('channel');
  expect(auditRecord('support', { ...MESSAGE, result_count: '2', duration_ms: '35' })).toMatchObject({ resultCount: 2, durationMs: 35 });
  expect(Object.keys(auditRecord('support', { ...MESSAGE, duration_ms: null }))).not.toContain('durationMs');
});

test('numbers stored as text are kept as their text (agent, session), never dropped', () => {
  expect(auditRecord('ops', { ...TOOL, agent_id: 7, session_id: 0 })).toMatchObject({ agent: '7', sessionId: '0' });
});

test('tool outcomes: every status OpenClaw\'s ledger knows', () => {
  const denial = { by: 'exec-policy' as const };
  expect(['started', 'succeeded', 'blocked', 'failed', 'cancelled', 'timed_out', 'unknown', 'other'].map((s) => [s, toolOutcome(s, undefined), toolOutcome(s, denial)])).toEqual([
    ['started', 'started', 'started'],
    ['succeeded', 'ok', 'ok'],
    ['blocked', 'denied', 'denied'],
    // Only a failure the transcript shows refused is a denial.
    ['failed', 'error', 'denied'],
    ['cancelled', 'error', 'error'],
    ['timed_out', 'error', 'error'],
    ['unknown', 'unknown', 'unknown'],
    ['other', 'error', 'error'],
  ]);
});

test('message outcomes: sent, suppressed, failed; anything else unknown (the send may have happened)', () => {
  expect(['sent', 'suppressed', 'failed', 'unknown', undefined, 'queued'].map(messageOutcome)).toEqual(['ok', 'suppressed', 'error', 'unknown', 'unknown', 'unknown']);
});
