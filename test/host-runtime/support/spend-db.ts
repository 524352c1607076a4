/**
 * A helper program for the spend meter's tests, run with the pinned Node 24 (the
 * tests' own Node 20 has no node:sqlite): reads and changes an OpenClaw agent
 * database the way OpenClaw 2026.9.6 does, on a copy of one that OpenClaw itself
 * created (so the schema, its CHECK constraints and the WAL mode are OpenClaw's).
 *
 *   node spend-db.js <ops.json>      runs the operations in order, prints one JSON result per op
 *   node spend-db.js --hold <db> <event-json-file>
 *                                    appends the event to a session "live" as a running gateway
 *                                    would (WAL, connection kept open), prints "ready", and
 *                                    waits for stdin to close
 *
 * Bundled by spendDbHelper() (esbuild) into one file. Test-only.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { DatabaseSync } from 'node:sqlite';

export type SpendDbOp =
  /** A consistent copy of `from` (VACUUM INTO), its transcripts emptied when `clear`. */
  | { op: 'copy'; from: string; to: string; clear?: boolean }
  /** One transcript row: `json` stored as OpenClaw stores a small event; with `zstd`, compressed (`garbage`: bytes that are no zstd frame). */
  | { op: 'insert'; db: string; session: string; seq?: number; createdAt: number; json: string; zstd?: { navigation: string; garbage?: boolean } }
  /** Deletes a session's rows from `fromSeq` on (all when absent): a deleted session, or the first half of a suffix replacement. */
  | { op: 'delete'; db: string; session: string; fromSeq?: number }
  /** Sets a session's rewrite generation (transcript_rewrite_watermarks), as a rewrite does. */
  | { op: 'generation'; db: string; session: string; generation: string }
  /** Every transcript row, decoded. */
  | { op: 'rows'; db: string };

export interface DumpedRow {
  session: string;
  seq: number;
  createdAt: number;
  compressed: boolean;
  navigation: string | null;
  json: string;
}

type Zstd = { zstdCompressSync(b: Uint8Array): Buffer; zstdDecompressSync(b: Uint8Array): Buffer };
const z = zlib as unknown as Zstd;

function open(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { timeout: 5000, enableForeignKeyConstraints: false });
  db.exec('PRAGMA journal_mode = WAL');
  return db;
}

function nextSeq(db: DatabaseSync, session: string): number {
  const r = db.prepare('SELECT max(seq) AS m FROM transcript_events WHERE session_id = ?').get(session);
  return r?.m === null || r?.m === undefined ? 0 : Number(r.m) + 1;
}

function run(op: SpendDbOp): unknown {
  if (op.op === 'copy') {
    fs.rmSync(op.to, { force: true });
    const src = new DatabaseSync(op.from, { readOnly: true });
    src.prepare('VACUUM INTO ?').run(op.to);
    src.close();
    const db = open(op.to);
    if (op.clear) db.exec('DELETE FROM transcript_event_identities; DELETE FROM transcript_events; DELETE FROM transcript_rewrite_watermarks;');
    db.close();
    return { copied: op.to };
  }
  const db = open(op.db);
  try {
    if (op.op === 'insert') {
      const seq = op.seq ?? nextSeq(db, op.session);
      if (op.zstd) {
        const bytes = Buffer.from(op.json, 'utf8');
        const blob = op.zstd.garbage ? Buffer.from('not a zstd frame, but it mentions "usage"') : z.zstdCompressSync(bytes);
        db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes, navigation_json) VALUES (?, ?, NULL, ?, ?, ?, ?)').run(
          op.session,
          seq,
          op.createdAt,
          blob,
          bytes.byteLength,
          op.zstd.navigation,
        );
      } else {
        db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_utf8_bytes) VALUES (?, ?, ?, ?, ?)').run(
          op.session,
          seq,
          op.json,
          op.createdAt,
          Buffer.byteLength(op.json),
        );
      }
      return { seq };
    }
    if (op.op === 'delete') {
      const r = db.prepare('DELETE FROM transcript_events WHERE session_id = ? AND seq >= ?').run(op.session, op.fromSeq ?? -1);
      return { deleted: Number(r.changes) };
    }
    if (op.op === 'generation') {
      db.prepare(
        'INSERT INTO transcript_rewrite_watermarks (session_id, generation, updated_at) VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET generation = excluded.generation',
      ).run(op.session, op.generation, Date.now());
      return { generation: op.generation };
    }
    const rows: DumpedRow[] = db
      .prepare('SELECT session_id, seq, created_at, event_json, event_zstd, navigation_json FROM transcript_events ORDER BY session_id, seq')
      .all()
      .map((r) => ({
        session: String(r.session_id),
        seq: Number(r.seq),
        createdAt: Number(r.created_at),
        compressed: r.event_json === null,
        navigation: typeof r.navigation_json === 'string' ? r.navigation_json : null,
        json: typeof r.event_json === 'string' ? r.event_json : z.zstdDecompressSync(r.event_zstd as Uint8Array).toString('utf8'),
      }));
    return rows;
  } finally {
    db.close();
  }
}

const [first, ...rest] = process.argv.slice(2);
if (first === '--hold') {
  const [file, eventFile] = rest as [string, string];
  const db = open(file);
  const event = JSON.parse(fs.readFileSync(eventFile, 'utf8')) as { session: string; createdAt: number; json: string };
  db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_utf8_bytes) VALUES (?, ?, ?, ?, ?)').run(
    event.session,
    nextSeq(db, event.session),
    event.json,
    event.createdAt,
    Buffer.byteLength(event.json),
  );
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    db.close();
    process.exit(0);
  });
} else {
  const ops = JSON.parse(fs.readFileSync(first!, 'utf8')) as SpendDbOp[];
  process.stdout.write(`${JSON.stringify(ops.map(run))}\n`);
}
