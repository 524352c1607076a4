/**
 * Reads OpenClaw's transcripts, read-only, where OpenClaw 2026.9.6 records model usage.
 *
 * Where (established from the 2026.9.6 package, dist/ and docs/, and by running it:
 * test/host-runtime/spend-meter.test.ts drives real agent turns against a loopback
 * model API and meters what OpenClaw wrote):
 *   <state dir>/agents/<agentId>/agent/openclaw-agent.sqlite   one SQLite database per
 *     agent (WAL mode; openclaw-agent-db.paths: resolveOpenClawAgentSqlitePath), holding
 *     the agent's sessions and their transcripts. Session JSONL files
 *     (agents/<id>/sessions/*.jsonl) are the legacy format that `openclaw doctor --fix`
 *     imports; 2026.9.6 no longer writes transcripts there.
 *   table transcript_events (session_id TEXT, seq INTEGER, event_json TEXT,
 *     created_at INTEGER ms, event_zstd BLOB, event_utf8_bytes INTEGER, navigation_json TEXT;
 *     primary key (session_id, seq)): one row per transcript event. An event of 1 KiB or
 *     more that compresses well is stored zstd-compressed (event_json NULL, event_zstd the
 *     zstd frame of event_utf8_bytes bytes of UTF-8 JSON; transcript-payload:
 *     prepareTranscriptPayload). Appends take seq max+1 (readNextTranscriptSeq); a
 *     suffix replacement deletes rows from some seq and inserts again; a full rewrite
 *     (compaction, repair) deletes every row, inserts from seq 0 and rotates
 *     transcript_rewrite_watermarks.generation; deleting a session or moving it to cold
 *     storage deletes its rows.
 *   The model call's usage is in the assistant message event (usage.ts).
 *
 * Opening without changing anything: with a -wal and -shm beside the database (the
 * gateway running, or stopped uncleanly) SQLite's read-only mode with a read-only
 * shared-memory file (mode=ro, readonly_shm=1; the unit's file system is read-only and
 * it has no write permission anyway); without them (the gateway stopped cleanly: the
 * database file is all there is) immutable=1, so that SQLite creates no file. All
 * reads of one database are one read transaction: a consistent snapshot.
 *
 * Never trusted: symlinks in the path are refused, payloads are bounded (4 MiB, as
 * OpenClaw bounds them), and an unreadable row is reported, never fatal.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import * as zlib from 'zlib';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** OpenClaw's database file name, and its bound on one event payload. */
export const AGENT_DATABASE = 'openclaw-agent.sqlite';
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;
/** Most agent databases read per run. */
export const MAX_DATABASES = 256;
/** Rows fetched per query. */
const BATCH = 1000;

/** An agent database: its path relative to the state folder (the key in the meter's state), and absolute. */
export interface AgentDatabase {
  readonly rel: string;
  readonly file: string;
}

/** One transcript row: `text` is the event's JSON when it may hold usage; `unreadable` why it could not be decoded. */
export interface Row {
  readonly seq: number;
  readonly createdAt: number;
  readonly text?: string;
  readonly unreadable?: string;
}

/** A session's transcript as it is now. */
export interface SessionInfo {
  readonly maxSeq: number;
  readonly generation?: string;
}

export class StoreError extends Error {}

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** What is at `p` (never following a symlink); undefined when nothing; a StoreError when it cannot be told. */
function entryKind(p: string): 'dir' | 'file' | 'symlink' | 'other' | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new StoreError(`${p}: cannot read it (${code ?? 'error'})`);
  }
  return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch (e) {
    throw new StoreError(`${dir}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The agent databases under `stateDir`: agents/<id>/agent/openclaw-agent.sqlite, every
 * component a real folder or file (no symlink), ids as OpenClaw normalizes them.
 * `problems`: what was skipped and why. Throws a StoreError when the state folder or
 * its agents/ folder cannot be read (never reads that as "no usage").
 */
export function findAgentDatabases(stateDir: string): { databases: AgentDatabase[]; problems: string[] } {
  const problems: string[] = [];
  if (entryKind(stateDir) !== 'dir') throw new StoreError(`${stateDir}: not a folder (OpenClaw's state folder)`);
  const agentsDir = path.join(stateDir, 'agents');
  const agents = entryKind(agentsDir);
  if (agents === undefined) return { databases: [], problems };
  if (agents !== 'dir') throw new StoreError(`${agentsDir}: not a folder, or a symlink`);
  const databases: AgentDatabase[] = [];
  for (const id of listDir(agentsDir)) {
    const rel = path.posix.join('agents', id, 'agent', AGENT_DATABASE);
    let kinds: (string | undefined)[];
    try {
      kinds = [entryKind(path.join(agentsDir, id)), entryKind(path.join(agentsDir, id, 'agent')), entryKind(path.join(agentsDir, id, 'agent', AGENT_DATABASE))];
    } catch (e) {
      problems.push(`${rel}: ${(e as Error).message}; skipped`);
      continue;
    }
    if (kinds.includes(undefined)) continue;
    if (!AGENT_ID.test(id)) {
      problems.push(`agents/${id}: not an agent id; skipped`);
      continue;
    }
    if (kinds.join() !== 'dir,dir,file') {
      problems.push(`${rel}: a symlink or not a regular file; skipped`);
      continue;
    }
    if (databases.length >= MAX_DATABASES) {
      problems.push(`more than ${MAX_DATABASES} agent databases; the rest skipped`);
      break;
    }
    databases.push({ rel, file: path.join(agentsDir, id, 'agent', AGENT_DATABASE) });
  }
  return { databases, problems };
}

type Sqlite = { DatabaseSync: typeof DatabaseSync };

/** node:sqlite of this Node, or a StoreError naming the Node it needs. */
function sqlite(): Sqlite {
  const mod = process.getBuiltinModule?.('node:sqlite') as Sqlite | undefined;
  if (!mod?.DatabaseSync) throw new StoreError(`this Node (${process.version}) has no node:sqlite; the meter needs Node 24 (the pinned one)`);
  return mod;
}

type Zstd = { zstdDecompressSync?: (data: Uint8Array, options?: { maxOutputLength?: number }) => Buffer };

/** The URL SQLite opens: see the module comment. */
export function openUrl(file: string): URL {
  const url = pathToFileURL(file);
  url.search = fs.existsSync(`${file}-wal`) && fs.existsSync(`${file}-shm`) ? '?mode=ro&readonly_shm=1' : '?immutable=1';
  return url;
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN);

/** One agent database, read in one read transaction. close() ends it. */
export class TranscriptStore {
  private readonly db: DatabaseSync;
  private readonly compressed: boolean;
  private open = true;
  /** What the caller should know about this read (a fallback taken). */
  readonly notes: string[] = [];
  private fingerprintStmt?: StatementSync;
  private rowsStmt?: StatementSync;

  constructor(readonly file: string) {
    const { DatabaseSync: Db } = sqlite();
    const url = openUrl(file);
    let opened = TranscriptStore.openAt(Db, url);
    if ('error' in opened && url.search !== '?immutable=1') {
      // The -wal went away between the check and the open (the gateway stopped), or its
      // shared memory cannot be used read-only: read the database file alone.
      const immutable = pathToFileURL(file);
      immutable.search = '?immutable=1';
      const again = TranscriptStore.openAt(Db, immutable);
      if (!('error' in again)) {
        const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
        if (wal > 0) this.notes.push(`read without its WAL (${opened.error}): the records in its ${wal} bytes not yet checkpointed count once OpenClaw checkpoints them`);
        opened = again;
      }
    }
    if ('error' in opened) throw new StoreError(opened.error);
    this.db = opened.db;
    this.compressed = opened.compressed;
  }

  /** Opens `url` read-only, starts the read transaction and checks the table; or says why not. */
  private static openAt(Db: typeof DatabaseSync, url: URL): { db: DatabaseSync; compressed: boolean } | { error: string } {
    let db: DatabaseSync;
    try {
      db = new Db(url, { readOnly: true, timeout: 2000 });
    } catch (e) {
      return { error: `cannot open (${(e as Error).message})` };
    }
    try {
      db.exec('BEGIN');
      const columns = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').all('transcript_events').map((r) => String(r.name)));
      const missing = ['session_id', 'seq', 'event_json', 'created_at'].filter((c) => !columns.has(c));
      if (columns.size === 0) throw new StoreError('no transcript_events table (not an OpenClaw 2026.9 agent database?)');
      if (missing.length) throw new StoreError(`transcript_events lacks ${missing.join(', ')} (an OpenClaw version the meter does not know?)`);
      return { db, compressed: columns.has('event_zstd') && columns.has('event_utf8_bytes') };
    } catch (e) {
      try {
        db.close();
      } catch {
        // already unusable
      }
      return { error: e instanceof StoreError ? e.message : `cannot read (${(e as Error).message})` };
    }
  }

  /** Every session that has transcript rows: its highest seq and its rewrite generation. */
  sessions(): Map<string, SessionInfo> {
    const generations = new Map<string, string>();
    const hasGenerations = this.db.prepare("SELECT 1 AS x FROM sqlite_schema WHERE type = 'table' AND name = 'transcript_rewrite_watermarks'").get();
    if (hasGenerations) {
      for (const r of this.db.prepare('SELECT session_id, generation FROM transcript_rewrite_watermarks').all()) {
        if (typeof r.session_id === 'string' && typeof r.generation === 'string') generations.set(r.session_id, r.generation.slice(0, 100));
      }
    }
    const out = new Map<string, SessionInfo>();
    for (const r of this.db.prepare('SELECT session_id, max(seq) AS max_seq FROM transcript_events GROUP BY session_id').all()) {
      const id = r.session_id;
      const maxSeq = num(r.max_seq);
      if (typeof id !== 'string' || id.length === 0 || id.length > 200 || !Number.isSafeInteger(maxSeq)) continue;
      const generation = generations.get(id);
      out.set(id, { maxSeq, ...(generation !== undefined ? { generation } : {}) });
    }
    return out;
  }

  /**
   * A fingerprint of a session's row at `seq` (its time, size and first bytes, hashed),
   * or undefined when there is none: another row at that seq has another one.
   */
  fingerprint(sessionId: string, seq: number): string | undefined {
    const z = this.compressed ? 'event_utf8_bytes AS z0, length(event_zstd) AS z1, substr(event_zstd, 1, 48) AS z2' : 'NULL AS z0, NULL AS z1, NULL AS z2';
    this.fingerprintStmt ??= this.db.prepare(
      `SELECT created_at AS t, length(event_json) AS lj, substr(event_json, 1, 160) AS hj, ${z} FROM transcript_events WHERE session_id = ? AND seq = ?`,
    );
    const r = this.fingerprintStmt.get(sessionId, seq);
    if (!r) return undefined;
    const h = crypto.createHash('sha256');
    for (const v of [r.t, r.lj, r.hj, r.z0, r.z1]) h.update(`${v === null || v === undefined ? '' : String(v)}\x1f`);
    if (r.z2 instanceof Uint8Array) h.update(r.z2);
    return h.digest('base64url').slice(0, 16);
  }

  /** Calls `fn` with each row of a session after `afterSeq`, in seq order. Returns how many. */
  forEachRowAfter(sessionId: string, afterSeq: number, fn: (row: Row) => void): number {
    // Only bodies that may hold usage leave SQLite uncompressed; compressed ones are decoded here.
    const body = this.compressed
      ? `CASE WHEN event_json IS NULL OR instr(event_json, '"usage"') > 0 THEN event_json END AS event_json,
         CASE WHEN event_json IS NULL THEN event_zstd END AS event_zstd, event_utf8_bytes`
      : `CASE WHEN instr(event_json, '"usage"') > 0 THEN event_json END AS event_json, NULL AS event_zstd, NULL AS event_utf8_bytes`;
    this.rowsStmt ??= this.db.prepare(`SELECT seq, created_at, ${body} FROM transcript_events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ${BATCH}`);
    const stmt = this.rowsStmt;
    let after = afterSeq;
    let n = 0;
    for (;;) {
      const rows = stmt.all(sessionId, after);
      const from = after;
      for (const r of rows) {
        const seq = num(r.seq);
        if (!Number.isSafeInteger(seq)) continue;
        fn({ seq, createdAt: num(r.created_at), ...decode(r) });
        after = seq;
        n++;
      }
      // Done when a batch moved nothing on: no rows left, or only rows whose seq is no
      // integer (a damaged or foreign table), which would be fetched again forever.
      if (after === from) return n;
    }
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.db.exec('COMMIT');
    } catch {
      // no transaction open
    }
    this.db.close();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The event's JSON text when it may hold usage, or why it cannot be read. */
function decode(r: Record<string, unknown>): { text?: string; unreadable?: string } {
  if (typeof r.event_json === 'string') return r.event_json.length > MAX_EVENT_BYTES ? { unreadable: 'event larger than 4 MiB' } : { text: r.event_json };
  const blob = r.event_zstd;
  if (!(blob instanceof Uint8Array)) return {};
  const bytes = num(r.event_utf8_bytes);
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > MAX_EVENT_BYTES || blob.byteLength > MAX_EVENT_BYTES) return { unreadable: 'compressed event with an invalid size' };
  const z = zlib as unknown as Zstd;
  if (!z.zstdDecompressSync) return { unreadable: 'compressed event, and this Node has no zstd' };
  let text: string;
  try {
    const raw = z.zstdDecompressSync(blob, { maxOutputLength: bytes });
    if (raw.byteLength !== bytes) return { unreadable: 'compressed event of another size than recorded' };
    text = utf8.decode(raw);
  } catch {
    return { unreadable: 'compressed event that does not decode' };
  }
  return text.includes('"usage"') ? { text } : {};
}
