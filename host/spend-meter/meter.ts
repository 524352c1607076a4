/**
 * What to read of a session and what to count, pure (no SQLite, no clock).
 *
 * Incremental: per session, the meter remembers the highest seq it read and a
 * fingerprint of that row (state.ts SessionCursor). When the session only grew (the usual
 * case: OpenClaw appends at max seq + 1), it reads the rows after that seq and
 * counts every usage record in them. When the transcript was rewritten (another
 * rewrite generation, fewer rows, or another row at the remembered seq: a
 * compaction, a repair, a suffix replaced), seqs no longer mean what they meant:
 * it reads the whole session again and counts only records later than the latest
 * it counted there (by the record's own time, and its id at that very time), so
 * that records OpenClaw re-inserted are not counted twice.
 *
 * A record counts for the UTC day and month of its own time (message.timestamp),
 * so a backlog read late still lands where it happened; a time in the future, or
 * none at all, counts as now.
 */
import type { SpendMeterPrice } from '../../lib/host/spend-meter';
import { costUsd, priceFor } from './pricing';
import type { SessionCursor } from './state';
import type { Row, SessionInfo } from './store';
import { parseUsageEvent } from './usage';

/** Earliest plausible record time (2020-01-01): anything before is not a real time. */
const EPOCH_FLOOR_MS = Date.UTC(2020, 0, 1);

export type Plan = { readonly kind: 'skip' } | { readonly kind: 'append'; readonly after: number } | { readonly kind: 'rescan' };

/**
 * What to read of a session, given what the meter read before (`cursor`) and the
 * session now (`info`; `cursorRow`: the fingerprint of the row at cursor.s now, if any).
 */
export function planSession(cursor: SessionCursor | undefined, info: SessionInfo, cursorRow: string | undefined): Plan {
  if (!cursor) return { kind: 'rescan' };
  if (cursor.g !== undefined && info.generation !== undefined && info.generation !== cursor.g) return { kind: 'rescan' };
  if (info.maxSeq < cursor.s || cursorRow !== cursor.f) return { kind: 'rescan' };
  return info.maxSeq > cursor.s ? { kind: 'append', after: cursor.s } : { kind: 'skip' };
}

/** One usage record counted: its model, cost and the time it counts at. */
export interface Counted {
  readonly model: string;
  readonly usd: number;
  /** When it counts (ms): its own time, or now. */
  readonly at: number;
  readonly listed: boolean;
  readonly capped: boolean;
  /** Tool calls the model asked for in it. */
  readonly toolCalls: number;
}

export interface MeterContext {
  readonly nowMs: number;
  readonly prices: Readonly<Record<string, SpendMeterPrice>>;
  readonly fallback: SpendMeterPrice;
}

/** Counts the rows of one session read under one plan; finish() gives the new cursor. */
export class SessionMeter {
  readonly counted: Counted[] = [];
  readonly malformed: { seq: number; why: string }[] = [];
  private lastSeq?: number;
  private latest: number;
  private idsAtLatest: Set<string>;
  private readonly dedupe: boolean;

  constructor(
    private readonly previous: SessionCursor | undefined,
    plan: Plan,
    private readonly info: SessionInfo,
    private readonly ctx: MeterContext,
  ) {
    // A new session (no cursor) has nothing counted yet: no record to skip.
    this.dedupe = plan.kind === 'rescan' && previous !== undefined;
    this.latest = previous?.a ?? 0;
    this.idsAtLatest = new Set(previous?.i ?? []);
  }

  add(row: Row): void {
    this.lastSeq = row.seq;
    if (row.unreadable) {
      this.malformed.push({ seq: row.seq, why: row.unreadable });
      return;
    }
    if (row.text === undefined) return;
    const parsed = parseUsageEvent(row.text);
    if (parsed.kind === 'none') return;
    if (parsed.kind === 'malformed') {
      this.malformed.push({ seq: row.seq, why: parsed.why });
      return;
    }
    const r = parsed.record;
    const rowTime = Number.isFinite(row.createdAt) && row.createdAt >= EPOCH_FLOOR_MS ? row.createdAt : undefined;
    const own = r.at !== undefined && r.at >= EPOCH_FLOOR_MS ? r.at : (rowTime ?? this.ctx.nowMs);
    if (this.dedupe && (own < (this.previous?.a ?? 0) || (own === this.previous?.a && (r.id === undefined || (this.previous.i ?? []).includes(r.id))))) return;
    if (own > this.latest) {
      this.latest = own;
      this.idsAtLatest = new Set();
    }
    if (own === this.latest && r.id !== undefined) this.idsAtLatest.add(r.id);
    const { price, listed } = priceFor(r.model, this.ctx.prices, this.ctx.fallback);
    const at = Math.min(own, this.ctx.nowMs);
    this.counted.push({ model: r.model, usd: costUsd(r.tokens, price), at, listed, capped: r.capped, toolCalls: r.toolCalls });
  }

  /** The cursor after this read; `fingerprint` gives that of the last row read (store.ts). */
  finish(fingerprint: (seq: number) => string | undefined): SessionCursor {
    const seq = this.lastSeq ?? this.previous?.s ?? -1;
    const ids = [...this.idsAtLatest].slice(-20);
    return {
      s: seq,
      f: (this.lastSeq !== undefined ? fingerprint(seq) : this.previous?.f) ?? '',
      ...(this.info.generation !== undefined ? { g: this.info.generation } : {}),
      a: this.latest,
      ...(ids.length ? { i: ids } : {}),
    };
  }
}
