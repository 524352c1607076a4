/**
 * What the probe asks a connected gateway (pinned OpenClaw 2026.9.6, methods of
 * dist/method-scopes-*.mjs; the probe holds operator.read and operator.write only):
 *
 *   sessionWrite   a write that a full state disk breaks: `sessions.create` for one of the
 *                  gateway's agents (a new row set in its agent database and the session's
 *                  transcript: "failed to create session transcript: database or disk is full"),
 *                  then the session removed again: `sessions.patch {archived: true}` and
 *                  `sessions.delete {archivedOnly: true}` (the archive-then-delete path open to
 *                  operator.write; a direct delete needs operator.admin), both pinned to the
 *                  created session's id. The session and its transcript leave the agent's
 *                  tables; OpenClaw keeps, as for every deleted session, an archive of the
 *                  (one-line) transcript (agents/<agent>/sessions/<id>.jsonl.deleted.*.zst)
 *                  until its session disk budget prunes it.
 *   channelReports `channels.status`: per channel account its `running` flag and the gateway's
 *                  own `lastError`. An account whose autostart the crash-loop breaker
 *                  suppressed (3 unclean boots within 5 minutes: dist/gateway-boot-lifecycle-*.mjs)
 *                  is stopped with lastError "gateway restart-loop breaker tripped: ..."
 *                  (dist/run-*.mjs, set by dist/server-channels-*.mjs with skip reason
 *                  "autostart-suppressed"): state "suppressed".
 */
import type { Binding } from './args';
import { describeGatewayError, type GatewayConnection } from './client';

/** What the write check found: nothing wrong, or why not. */
export type WriteOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The display name of the probe's sessions (a session left behind is recognizable). */
export const PROBE_SESSION_NAME = 'gateway probe';

/**
 * sessions.create for `agent`, then archive and delete that session. `step` is told what is
 * being waited for (the probe's timeout names it).
 */
export async function sessionWrite(conn: GatewayConnection, agent: string, step: (what: string) => void = () => undefined): Promise<WriteOutcome> {
  step(`sessions.create for agent ${agent}`);
  const created = await conn.request('sessions.create', { agentId: agent, displayName: PROBE_SESSION_NAME });
  if (!created.ok) return { ok: false, reason: `sessions.create for agent ${agent} failed: ${describeGatewayError(created.error)}` };
  const key = created.payload?.key;
  const sessionId = created.payload?.sessionId;
  if (typeof key !== 'string' || typeof sessionId !== 'string') return { ok: false, reason: `sessions.create for agent ${agent} answered without a session key and id` };
  step(`sessions.patch (archive) of the probe's session ${key}`);
  const archived = await conn.request('sessions.patch', { key, archived: true, expectedSessionId: sessionId });
  if (!archived.ok) return { ok: false, reason: `the probe's session ${key} was created but could not be archived to delete it (sessions.patch: ${describeGatewayError(archived.error)}); it is left behind` };
  step(`sessions.delete of the probe's session ${key}`);
  const deleted = await conn.request('sessions.delete', { key, archivedOnly: true, expectedSessionId: sessionId, deleteTranscript: true });
  if (!deleted.ok) return { ok: false, reason: `the probe's session ${key} was created but could not be deleted (sessions.delete: ${describeGatewayError(deleted.error)}); it is left behind` };
  if (deleted.payload?.deleted !== true) return { ok: false, reason: `the probe's session ${key} was created but sessions.delete did not delete it; it is left behind` };
  return { ok: true };
}

/** One channel account as the probe reports it. */
export interface ChannelReport {
  readonly channel: string;
  readonly account: string;
  readonly running: boolean;
  /** running; stopped; suppressed (by the crash-loop breaker); missing (bound, but the gateway reports no account). */
  readonly state: 'running' | 'stopped' | 'suppressed' | 'missing';
  /** The gateway's own text (the account's lastError), or the probe's for a missing one. */
  readonly reason: string | null;
}

/** The start of the message OpenClaw stops every channel account with when its crash-loop breaker trips. */
export const CRASH_LOOP_SUPPRESSED = 'gateway restart-loop breaker tripped';

interface AccountSnapshot {
  readonly accountId?: unknown;
  readonly running?: unknown;
  readonly lastError?: unknown;
}

function report(channel: string, a: AccountSnapshot): ChannelReport {
  const running = a.running === true;
  const reason = typeof a.lastError === 'string' && a.lastError !== '' ? a.lastError : null;
  const state = running ? 'running' : reason?.startsWith(CRASH_LOOP_SUPPRESSED) ? 'suppressed' : 'stopped';
  return { channel, account: typeof a.accountId === 'string' ? a.accountId : 'default', running, state, reason };
}

/**
 * The channel accounts of a `channels.status` answer: of the bound channels (each account;
 * a bound channel without any: one "missing" line, account "*" as the bindings match it), or,
 * without bindings, of every channel it lists. Sorted by channel, then account.
 */
export function channelReports(payload: Record<string, unknown> | undefined, bindings?: readonly Binding[]): ChannelReport[] {
  const accounts = (payload?.channelAccounts ?? {}) as Record<string, readonly AccountSnapshot[] | undefined>;
  const channels = [...new Set(bindings ? bindings.map((b) => b.channel) : Object.keys(accounts))].sort();
  return channels.flatMap((channel) => {
    const list = Array.isArray(accounts[channel]) ? accounts[channel] : [];
    if (list.length === 0) return [{ channel, account: '*', running: false, state: 'missing' as const, reason: `the gateway reports no ${channel} account (channels.status)` }];
    return list.map((a) => report(channel, a)).sort((x, y) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0));
  });
}

/** channels.status, mapped; or why it could not be read. */
export async function readChannels(conn: GatewayConnection, bindings?: readonly Binding[]): Promise<{ ok: true; channels: ChannelReport[] } | { ok: false; reason: string }> {
  const status = await conn.request('channels.status', {});
  if (!status.ok) return { ok: false, reason: `channels.status failed: ${describeGatewayError(status.error)}` };
  return { ok: true, channels: channelReports(status.payload, bindings) };
}
