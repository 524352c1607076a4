/**
 * Which failed tool calls were refused by policy. OpenClaw 2026.9.6's ledger records an
 * exec the exec policy refused (not on the allowlist, exec denied on the host, an approval
 * that cannot be asked) as status failed / error_code tool_failed, like any other error:
 * the refusal is an error the exec tool returns. What tells them apart is the tool's result
 * in the agent's transcript (<state>/agents/<agent>/agent/openclaw-agent.sqlite, table
 * transcript_events): a toolResult message of that tool call with isError true and
 * details.error "exec denied: <reason>" (seen with the real gateway: "exec denied:
 * allowlist miss" for a command off the allowlist).
 *
 * The ledger keeps only sha256:<hex> of the model's tool call id; the transcript keeps the
 * id itself, so the match is sha256(toolCallId) = the ledger's tool_call_id, searched among
 * the tool results of that run written within DENIAL_WINDOW_MS of the ledger's time. Only the
 * denial's reason code leaves this module (DENIAL_REASON), never the result's text.
 * Transcript events of 1 KiB or more are stored compressed; a refusal's result is some 100
 * bytes, so only uncompressed events are read.
 */
import { createHash } from 'crypto';
import type { DatabaseSync } from 'node:sqlite';

/** How far apart the ledger's time and the transcript's result may be. */
export const DENIAL_WINDOW_MS = 120_000;
/** The reasons OpenClaw's exec tool gives after "exec denied: " that are codes, not text: exported as they are. */
export const DENIAL_REASON = /^(allowlist miss|host=[a-z]+ security=deny|[a-z][a-z-]{2,40})$/;
/** Most tool results examined per lookup. */
const MAX_CANDIDATES = 2000;

/** A refusal found for one tool call. */
export interface Denial {
  /** "exec-policy": the exec tool refused the command. */
  readonly by: 'exec-policy';
  /** OpenClaw's reason code (e.g. "allowlist miss"), when it is one of DENIAL_REASON. */
  readonly reason?: string;
}

/** sha256:<hex> of a tool call id, as OpenClaw's ledger stores it. */
export const toolCallFingerprint = (id: string): string => `sha256:${createHash('sha256').update(id).digest('hex')}`;

/** The refusal recorded for the tool call `fingerprint` of run `runId` near `atMs`, if the transcript shows one. */
export function findDenial(db: DatabaseSync, runId: string, fingerprint: string, atMs: number): Denial | undefined {
  const rows = db
    .prepare(
      `SELECT event_json FROM transcript_events
       WHERE created_at BETWEEN ? AND ? AND event_json IS NOT NULL
         AND instr(event_json, '"role":"toolResult"') > 0 AND instr(event_json, ?) > 0
       LIMIT ?`,
    )
    .all(atMs - DENIAL_WINDOW_MS, atMs + DENIAL_WINDOW_MS, runId, MAX_CANDIDATES);
  for (const r of rows) {
    let message: { role?: unknown; toolCallId?: unknown; isError?: unknown; details?: { error?: unknown }; __openclaw?: { runId?: unknown } } | undefined;
    try {
      message = (JSON.parse(String(r.event_json)) as { message?: typeof message }).message;
    } catch {
      continue;
    }
    if (message?.role !== 'toolResult' || typeof message.toolCallId !== 'string' || toolCallFingerprint(message.toolCallId) !== fingerprint) continue;
    if (message.__openclaw?.runId !== runId || message.isError !== true) return undefined;
    const error = message.details?.error;
    if (typeof error !== 'string' || !error.startsWith('exec denied: ')) return undefined;
    const reason = error.slice('exec denied: '.length);
    return DENIAL_REASON.test(reason) ? { by: 'exec-policy', reason } : { by: 'exec-policy' };
  }
  return undefined;
}
