/**
 * One audit line per ledger row: who (gateway, agent, session, run), what (the tool, or
 * the channel and recipient pseudonym of a message), when, and how it ended, as one JSON
 * object. Never the content: the ledger holds none, and nothing of a transcript but a
 * refusal's reason code is added (denials.ts).
 *
 *   {"time":"2026-12-06T10:55:42.458Z","gateway":"ops","agent":"ops","session":"agent:ops:main",
 *    "run":"6877945b-...","kind":"tool","event":"finished","tool":"exec","toolCall":"sha256:...",
 *    "outcome":"ok","status":"succeeded","source":"openclaw-audit-ledger","sequence":3,"eventId":"..."}
 *
 * outcome, from OpenClaw's status:
 *   tool     started -> started; succeeded -> ok; blocked (a tool policy or hook refused it) ->
 *            denied; failed with a refusal in the transcript (exec not allowed) -> denied, with
 *            deniedBy and reason; failed, cancelled, timed_out -> error; unknown -> unknown
 *   message  sent -> ok; suppressed (a hook or an empty reply: nothing sent) -> suppressed;
 *            failed -> error; unknown (the send may have happened) -> unknown
 * gateway is the state folder root read the row from; agent, session and run are what the
 * gateway's OpenClaw recorded.
 */
import type { Denial } from './denials';
import type { LedgerRow } from './ledger';

/** Where the records come from (the field `source`). */
export const SOURCE = 'openclaw-audit-ledger';

export type Outcome = 'started' | 'ok' | 'denied' | 'error' | 'suppressed' | 'unknown';

/** An audit line before serialization; fields without a value are left out. */
export type AuditRecord = Record<string, string | number>;

const str = (v: string | number | null): string | undefined => (v === null || v === '' ? undefined : String(v));

/** The outcome of a tool row (see the module comment). */
export function toolOutcome(status: string, denial: Denial | undefined): Outcome {
  if (status === 'started') return 'started';
  if (status === 'succeeded') return 'ok';
  if (status === 'blocked') return 'denied';
  if (status === 'failed' && denial) return 'denied';
  if (status === 'unknown') return 'unknown';
  return 'error';
}

/** The outcome of an outbound message row (see the module comment). */
export function messageOutcome(outcome: string | undefined): Outcome {
  if (outcome === 'sent') return 'ok';
  if (outcome === 'suppressed') return 'suppressed';
  if (outcome === 'failed') return 'error';
  return 'unknown';
}

/** Drops the fields without a value, keeping the order. */
function compact(fields: Record<string, string | number | undefined>): AuditRecord {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as AuditRecord;
}

/** The audit line of one ledger row of gateway `gateway`. */
export function auditRecord(gateway: string, row: LedgerRow, denial?: Denial): AuditRecord {
  const common = {
    time: new Date(Number(row.occurred_at)).toISOString(),
    gateway,
    agent: str(row.agent_id),
  };
  const tail = { source: SOURCE, sequence: Number(row.sequence), eventId: str(row.event_id) };
  if (row.kind === 'tool_action') {
    const status = str(row.status) ?? 'unknown';
    return compact({
      ...common,
      session: str(row.session_key),
      sessionId: str(row.session_id),
      run: str(row.run_id),
      kind: 'tool',
      event: status === 'started' ? 'started' : 'finished',
      tool: str(row.tool_name),
      toolCall: str(row.tool_call_id),
      outcome: toolOutcome(status, denial),
      status,
      errorCode: str(row.error_code),
      deniedBy: denial?.by,
      reason: denial?.reason,
      ...tail,
    });
  }
  const outcome = str(row.message_outcome);
  return compact({
    ...common,
    run: str(row.run_id),
    kind: 'message',
    event: 'outbound',
    channel: str(row.channel),
    target: str(row.target_ref),
    conversation: str(row.conversation_kind),
    outcome: messageOutcome(outcome),
    status: outcome,
    reason: str(row.reason_code),
    errorCode: str(row.error_code),
    failureStage: str(row.failure_stage),
    deliveryKind: str(row.delivery_kind),
    resultCount: row.result_count === null ? undefined : Number(row.result_count),
    durationMs: row.duration_ms === null ? undefined : Number(row.duration_ms),
    ...tail,
  });
}
