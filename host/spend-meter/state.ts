/**
 * The meter's state file (root 0600 in its root 0700 folder, out of the gateway's
 * reach): the running totals of the current UTC day and month, and, per OpenClaw
 * database and session, how far the meter has read. Written atomically (temporary
 * file in the same folder, fsync, rename) after every run. A missing file starts
 * from nothing; an unreadable one too (with a warning), kept aside as
 * state.json.corrupt: the figures are then rebuilt from the usage records still
 * in OpenClaw's state (records of deleted sessions are lost to them).
 */
import * as fs from 'fs';
import { writeFileAtomic } from './atomic-file';
import { utcDay, utcMonth, utcMonthStart } from './pricing';

export const STATE_VERSION = 1;

/** How far the meter has read one session's transcript (short keys: the file stays small). */
export interface SessionCursor {
  /** Highest seq read. */
  s: number;
  /** Fingerprint of the row at seq `s` (store.ts): another one there means the transcript was rewritten. */
  f: string;
  /** OpenClaw's rewrite generation of the transcript when read (transcript_rewrite_watermarks). */
  g?: string;
  /** Time (ms) of the latest usage record counted in this session; 0: none. */
  a: number;
  /** Ids of the records counted at exactly `a` (to tell them from new ones after a rewrite). */
  i?: string[];
}

/** One gateway's figures for its breaker (breaker.ts). */
export interface GatewayFigures {
  /** Its model spend of the state's day and month. */
  todayUsd: number;
  monthUsd: number;
  /** Times (ms) of its tool calls in the last window, oldest first. */
  toolCalls: number[];
  /** Its refused egress in the last window: [time (ms) read, how many], oldest first. */
  blocked: [number, number][];
  /** The value of its nftables counter at the last read (packets), to take the delta. */
  nftPackets?: number;
  /** Its spend of the day and month when it was last restored: its limits count what it spent since. */
  todayBase?: number;
  monthBase?: number;
}

/** How far the meter has read squid's access log. */
export interface LogCursor {
  /** Inode of the file read (another one: rotated, read from the start). */
  ino: number;
  /** Bytes read. */
  pos: number;
}

export interface MeterState {
  version: typeof STATE_VERSION;
  /** UTC day (YYYY-MM-DD) and month (YYYY-MM) the totals are of. */
  day: string;
  month: string;
  todayUsd: number;
  monthUsd: number;
  /** The month's spend by model (`<provider>/<model>`). */
  monthByModel: Record<string, number>;
  /** Database path relative to OpenClaw's state folder -> session id -> cursor. */
  databases: Record<string, Record<string, SessionCursor>>;
  /** Gateway id -> its figures. */
  gateways: Record<string, GatewayFigures>;
  /** Squid's access log read so far. */
  accessLog?: LogCursor;
  /** Diagnostics since the state began: usage records counted, malformed records ignored. */
  recordsTotal: number;
  malformedTotal: number;
  updatedAt: string;
}

/** Most session cursors kept: beyond, the oldest of sessions no longer in OpenClaw's state go first. */
export const MAX_CURSORS = 50_000;

export function emptyState(nowMs: number): MeterState {
  return {
    version: STATE_VERSION,
    day: utcDay(nowMs),
    month: utcMonth(nowMs),
    todayUsd: 0,
    monthUsd: 0,
    monthByModel: {},
    databases: {},
    gateways: {},
    recordsTotal: 0,
    malformedTotal: 0,
    updatedAt: new Date(nowMs).toISOString(),
  };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A parsed state document, or undefined when it is not one (never trusted blindly either). */
export function checkState(doc: unknown): MeterState | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const s = doc as Partial<MeterState>;
  if (s.version !== STATE_VERSION || typeof s.day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s.day) || typeof s.month !== 'string' || !/^\d{4}-\d{2}$/.test(s.month)) return undefined;
  if (!finite(s.todayUsd) || !finite(s.monthUsd) || s.todayUsd < 0 || s.monthUsd < 0) return undefined;
  if (typeof s.monthByModel !== 'object' || s.monthByModel === null || Object.values(s.monthByModel).some((v) => !finite(v))) return undefined;
  if (typeof s.databases !== 'object' || s.databases === null) return undefined;
  for (const sessions of Object.values(s.databases)) {
    if (typeof sessions !== 'object' || sessions === null) return undefined;
    for (const c of Object.values(sessions)) {
      if (typeof c !== 'object' || c === null || !finite(c.s) || typeof c.f !== 'string' || !finite(c.a)) return undefined;
      if (c.g !== undefined && typeof c.g !== 'string') return undefined;
      if (c.i !== undefined && (!Array.isArray(c.i) || c.i.some((x) => typeof x !== 'string'))) return undefined;
    }
  }
  const gateways: Record<string, GatewayFigures> = {};
  if (s.gateways !== undefined) {
    if (typeof s.gateways !== 'object' || s.gateways === null) return undefined;
    for (const [id, g] of Object.entries(s.gateways)) {
      if (typeof g !== 'object' || g === null || !finite(g.todayUsd) || !finite(g.monthUsd) || g.todayUsd < 0 || g.monthUsd < 0) return undefined;
      if (!Array.isArray(g.toolCalls) || g.toolCalls.some((t) => !finite(t))) return undefined;
      if (!Array.isArray(g.blocked) || g.blocked.some((b) => !Array.isArray(b) || b.length !== 2 || !finite(b[0]) || !finite(b[1]))) return undefined;
      if ([g.nftPackets, g.todayBase, g.monthBase].some((v) => v !== undefined && !finite(v))) return undefined;
      gateways[id] = g;
    }
  }
  if (s.accessLog !== undefined && (typeof s.accessLog !== 'object' || s.accessLog === null || !finite(s.accessLog.ino) || !finite(s.accessLog.pos))) return undefined;
  return {
    ...(s as MeterState),
    gateways,
    recordsTotal: finite(s.recordsTotal) ? s.recordsTotal : 0,
    malformedTotal: finite(s.malformedTotal) ? s.malformedTotal : 0,
  };
}

/** The state of `file`: `fresh` when there was none, `corrupt` (set aside) when it was unreadable. */
export function loadState(file: string, nowMs: number): { state: MeterState; status: 'ok' | 'fresh' | 'corrupt' } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(nowMs), status: 'fresh' };
    throw e;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const state = checkState(doc);
  if (state) return { state, status: 'ok' };
  try {
    fs.renameSync(file, `${file}.corrupt`);
  } catch {
    // best effort: it is rewritten below anyway
  }
  return { state: emptyState(nowMs), status: 'corrupt' };
}

/** Writes the state atomically and durably (atomic-file.ts), root 0600 (the folder is the unit's StateDirectory=, 0700). */
export function saveState(file: string, state: MeterState): void {
  writeFileAtomic(file, `${JSON.stringify(state)}\n`);
}

/**
 * Rolls the totals over to the UTC day and month of `nowMs`: a new month resets the
 * month's totals, a new day today's. Returns what rolled over.
 */
export function rollOver(state: MeterState, nowMs: number): { day: boolean; month: boolean } {
  const day = utcDay(nowMs);
  const month = utcMonth(nowMs);
  const rolled = { day: state.day !== day, month: state.month !== month };
  if (rolled.month) {
    state.month = month;
    state.monthUsd = 0;
    state.monthByModel = {};
    for (const g of Object.values(state.gateways)) {
      g.monthUsd = 0;
      delete g.monthBase;
    }
  }
  if (rolled.day) {
    state.day = day;
    state.todayUsd = 0;
    for (const g of Object.values(state.gateways)) {
      g.todayUsd = 0;
      delete g.todayBase;
    }
  }
  return rolled;
}

/**
 * Drops cursors that can no longer matter: of sessions absent from OpenClaw's state
 * (deleted, archived, their database removed) whose last usage is before this month
 * (if they came back, their older records would count for no current total). Then,
 * beyond MAX_CURSORS, the absent ones with the oldest usage.
 */
export function pruneCursors(state: MeterState, present: ReadonlyMap<string, ReadonlySet<string>>, nowMs: number): number {
  const monthStart = utcMonthStart(nowMs);
  let dropped = 0;
  const absent: { db: string; id: string; a: number }[] = [];
  let total = 0;
  for (const [db, sessions] of Object.entries(state.databases)) {
    const here = present.get(db);
    for (const [id, c] of Object.entries(sessions)) {
      total++;
      if (here?.has(id)) continue;
      if (c.a < monthStart) {
        delete sessions[id];
        dropped++;
        total--;
      } else absent.push({ db, id, a: c.a });
    }
  }
  absent.sort((x, y) => x.a - y.a);
  while (total > MAX_CURSORS && absent.length > 0) {
    const { db, id } = absent.shift()!;
    delete state.databases[db]![id];
    dropped++;
    total--;
  }
  for (const [db, sessions] of Object.entries(state.databases)) if (Object.keys(sessions).length === 0 && !present.has(db)) delete state.databases[db];
  return dropped;
}
