/**
 * OpenClaw 2026.9.6's audit ledger, read-only: table audit_events of the gateway's shared
 * state database (<OPENCLAW_STATE_DIR>/state/openclaw.sqlite). Established from the
 * package (docs/gateway/audit.md, docs/gateway/protocol/ledgers.md, dist/audit-recorder-*.mjs)
 * and by running it (test/openclaw/audit-agent-turns.test.ts drives real agent turns):
 *
 *   sequence INTEGER PRIMARY KEY AUTOINCREMENT (never reused: rows expire after 30 days or
 *   past 100,000, from the oldest), event_id TEXT UNIQUE, occurred_at INTEGER ms, kind
 *   (agent_run | tool_action | message), action (tool.action.started | tool.action.finished |
 *   message.outbound.finished | ...), status (started | succeeded | failed | cancelled |
 *   timed_out | blocked | unknown), error_code (tool_failed, tool_blocked, ...), agent_id,
 *   session_key, session_id, run_id, tool_call_id (sha256:<hex> of the model's tool call id),
 *   tool_name, direction (inbound | outbound), channel, conversation_kind, message_outcome
 *   (sent | suppressed | failed | unknown), reason_code, delivery_kind, failure_stage,
 *   duration_ms, result_count, target_ref (hmac-sha256:v1:... pseudonym of the recipient).
 *
 * Metadata only: OpenClaw never writes prompts, message bodies, tool arguments or results
 * there. Tool actions are recorded by default (logging.audit.enabled); outbound messages
 * only with logging.audit.messages "direct" or "all" (openclaw.json, lib/audit/agent-audit.ts).
 */
import type { DatabaseSync } from 'node:sqlite';

/** The columns read; a ledger without one of them is an OpenClaw this program does not know. */
export const LEDGER_COLUMNS = [
  'sequence',
  'event_id',
  'occurred_at',
  'kind',
  'action',
  'status',
  'error_code',
  'agent_id',
  'session_key',
  'session_id',
  'run_id',
  'tool_call_id',
  'tool_name',
  'direction',
  'channel',
  'conversation_kind',
  'message_outcome',
  'reason_code',
  'delivery_kind',
  'failure_stage',
  'duration_ms',
  'result_count',
  'target_ref',
] as const;

/** One ledger row, values as SQLite gave them (strings, numbers, null). */
export type LedgerRow = Readonly<Record<(typeof LEDGER_COLUMNS)[number], string | number | null>>;

/** Most rows exported per gateway per run; the rest follow on the next run (every minute). */
export const MAX_ROWS_PER_RUN = 20_000;

/** Where the last run stopped: the sequence and event id of the last row exported. */
export interface LedgerPosition {
  readonly sequence: number;
  readonly eventId: string;
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN);

/** Throws when `db` has no audit_events table with the columns read. */
export function checkLedger(db: DatabaseSync): void {
  const columns = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').all('audit_events').map((r) => String(r.name)));
  if (columns.size === 0) throw new Error('no audit_events table (OpenClaw has not recorded anything yet, or is not 2026.9)');
  const missing = LEDGER_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length) throw new Error(`audit_events lacks ${missing.join(', ')} (an OpenClaw version this program does not know?)`);
}

/**
 * True when the row at `pos.sequence` is gone or is another event than the one exported
 * last (the database was replaced or rebuilt) while later rows exist; false when the
 * position is still valid (its row is there, or it expired and the ledger only moved on).
 */
export function ledgerReplaced(db: DatabaseSync, pos: LedgerPosition): boolean {
  if (pos.sequence === 0) return false;
  const at = db.prepare('SELECT event_id FROM audit_events WHERE sequence = ?').get(pos.sequence);
  if (at) return at.event_id !== pos.eventId;
  const max = num(db.prepare('SELECT max(sequence) AS m FROM audit_events').get()?.m ?? 0);
  // Expired rows go from the oldest: the last exported row can be gone only if later rows exist.
  return max < pos.sequence;
}

/** The tool actions and outbound messages recorded after `after`, in order, at most MAX_ROWS_PER_RUN. */
export function readLedger(db: DatabaseSync, after: number): LedgerRow[] {
  const rows = db
    .prepare(
      `SELECT ${LEDGER_COLUMNS.join(', ')} FROM audit_events
       WHERE sequence > ? AND (kind = 'tool_action' OR (kind = 'message' AND direction = 'outbound'))
       ORDER BY sequence LIMIT ?`,
    )
    .all(after, MAX_ROWS_PER_RUN);
  return rows.map((r) => Object.fromEntries(LEDGER_COLUMNS.map((c) => [c, typeof r[c] === 'bigint' ? Number(r[c]) : ((r[c] ?? null) as string | number | null)])) as LedgerRow);
}
