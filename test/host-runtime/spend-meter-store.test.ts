import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { pathToFileURL } from 'url';
import type { DatabaseSync } from 'node:sqlite';

// Two conditions the tests cannot create for real: agents/ that cannot be listed
// (EACCES for the meter's own user; the tests run as root) and a Node without zstd.
let mockListingError: { dir: string; error: Error } | undefined;
let mockNoZstd = false;
jest.mock('fs', () => {
  const actual = jest.requireActual<typeof fs>('fs');
  return {
    ...actual,
    readdirSync: (...a: Parameters<typeof actual.readdirSync>) => {
      if (mockListingError && String(a[0]) === mockListingError.dir) throw mockListingError.error;
      return actual.readdirSync(...a);
    },
  };
});
jest.mock('zlib', () => {
  const actual = jest.requireActual<Record<string, unknown>>('zlib');
  const mocked = { ...actual };
  Object.defineProperty(mocked, 'zstdDecompressSync', { enumerable: true, get: () => (mockNoZstd ? undefined : actual.zstdDecompressSync) });
  return mocked;
});
import { NAVIGATION, TRANSCRIPT_EVENTS } from './support/openclaw-agent-schema';
import { AGENT_DATABASE, MAX_DATABASES, MAX_EVENT_BYTES, StoreError, TranscriptStore, findAgentDatabases, openUrl, type Row } from '../../host/spend-meter/store';

// host/spend-meter/store.ts in-process: OpenClaw's agent databases, built here with
// node:sqlite in OpenClaw 2026.9.6's own schema, read by the meter's store.
//
// node:sqlite exists from Node 22.5 on. Under Node 20 (jest's Node today) these tests
// are skipped in the first pass of `npm test`, which then runs this file again with the
// Node 24 of the OpenClaw cache (scripts/test-node-sqlite.ts, `npm run test:node-sqlite`;
// it fails, never skips, without such a Node). Stryker runs jest with Node 24 too. The
// first test is never skipped: it fails if this file is skipped on a Node that has node:sqlite.
const sqlite = process.getBuiltinModule?.('node:sqlite') as
  | { DatabaseSync: typeof DatabaseSync; StatementSync: { prototype: { all: (...a: unknown[]) => unknown[] } } }
  | undefined;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const describeWithSqlite = sqlite ? describe : describe.skip;
type Zstd = { zstdCompressSync(b: Uint8Array): Buffer; zstdDecompressSync?: unknown };
const zstd = zlib as unknown as Zstd;

test('the store tests are skipped only on a Node without node:sqlite (before 22.5)', () => {
  expect(!!sqlite).toBe(major > 22 || (major === 22 && minor >= 5));
});

const REWRITE_WATERMARKS = `CREATE TABLE IF NOT EXISTS transcript_rewrite_watermarks (
  session_id TEXT NOT NULL PRIMARY KEY,
  generation TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  FOREIGN KEY (session_id) REFERENCES "session_windows"(session_id) ON DELETE CASCADE
) STRICT;`;
/** The table before the 2026.9 cutover (LEGACY_STORAGE_TABLES): no compression columns. */
const LEGACY_TRANSCRIPT_EVENTS = `CREATE TABLE IF NOT EXISTS transcript_events (
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  event_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, seq),
  FOREIGN KEY (session_id) REFERENCES "session_windows"(session_id) ON DELETE CASCADE
) STRICT;`;

const USAGE = '{"type":"message","message":{"role":"assistant","usage":{"input":1,"output":2}}}';
const NO_USAGE = '{"type":"message","message":{"role":"user","content":"hi"}}';
/** An event of `n` ASCII bytes, mentioning usage when `usage`. */
const eventOf = (n: number, usage = true): string => {
  const head = usage ? '{"usage":{},"pad":"' : '{"pad":"';
  return `${head}${'x'.repeat(n - head.length - 2)}"}`;
};

let tmp: string;
const writers: DatabaseSync[] = [];
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spend-store-'));
});
afterEach(() => {
  for (const w of writers.splice(0)) {
    try {
      w.close();
    } catch {
      // closed by the test
    }
  }
  jest.restoreAllMocks();
  mockListingError = undefined;
  mockNoZstd = false;
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A writable connection (as OpenClaw's): WAL mode, foreign keys not enforced; closed after the test. */
function writer(file: string, schema: string[] = [TRANSCRIPT_EVENTS, REWRITE_WATERMARKS]): DatabaseSync {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new sqlite!.DatabaseSync(file, { enableForeignKeyConstraints: false, timeout: 2000 });
  db.exec('PRAGMA journal_mode = WAL');
  for (const s of schema) db.exec(s);
  writers.push(db);
  return db;
}
function insert(db: DatabaseSync, session: string, seq: number, json: string, createdAt = 1_000 + seq): void {
  db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_utf8_bytes) VALUES (?, ?, ?, ?, ?)').run(session, seq, json, createdAt, Buffer.byteLength(json));
}
function insertZstd(db: DatabaseSync, session: string, seq: number, blob: Uint8Array, utf8Bytes: number | null, createdAt = 1_000 + seq): void {
  db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes, navigation_json) VALUES (?, ?, NULL, ?, ?, ?, ?)').run(
    session,
    seq,
    createdAt,
    blob,
    utf8Bytes,
    NAVIGATION,
  );
}
const compress = (json: string) => zstd.zstdCompressSync(Buffer.from(json, 'utf8'));
/** A database left as a cleanly stopped gateway leaves it: the file alone, no -wal, no -shm. */
function closed(file: string, fill: (db: DatabaseSync) => void, schema?: string[]): string {
  const db = writer(file, schema);
  fill(db);
  db.close();
  expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  return file;
}
function rows(store: TranscriptStore, session: string, after = -1): { n: number; rows: Row[] } {
  const out: Row[] = [];
  const n = store.forEachRowAfter(session, after, (r) => out.push(r));
  return { n, rows: out };
}
function withStore<T>(file: string, fn: (s: TranscriptStore) => T): T {
  const s = new TranscriptStore(file);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}
/** Every entry under `dir` with its size and mtime: what "changed nothing" is compared on. */
function listing(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((e) => {
      const st = fs.lstatSync(path.join(dir, e));
      return `${e} ${st.size} ${st.mtimeMs}`;
    });
}
const dbFile = (agent = 'ops') => path.join(tmp, 'agents', agent, 'agent', AGENT_DATABASE);

describe('findAgentDatabases: the agent databases under the state folder', () => {
  const agentDb = (id: string, kind: 'file' | 'dir' = 'file') => {
    fs.mkdirSync(path.join(tmp, 'agents', id, 'agent'), { recursive: true });
    const f = path.join(tmp, 'agents', id, 'agent', AGENT_DATABASE);
    if (kind === 'file') fs.writeFileSync(f, '');
    else fs.mkdirSync(f);
  };

  test("agents/<id>/agent/openclaw-agent.sqlite, in id order, with its path relative to the state folder", () => {
    expect(AGENT_DATABASE).toBe('openclaw-agent.sqlite');
    for (const id of ['support', 'a', 'ops']) agentDb(id);
    expect(findAgentDatabases(tmp)).toEqual({
      databases: [
        { rel: 'agents/a/agent/openclaw-agent.sqlite', file: path.join(tmp, 'agents/a/agent/openclaw-agent.sqlite') },
        { rel: 'agents/ops/agent/openclaw-agent.sqlite', file: path.join(tmp, 'agents/ops/agent/openclaw-agent.sqlite') },
        { rel: 'agents/support/agent/openclaw-agent.sqlite', file: path.join(tmp, 'agents/support/agent/openclaw-agent.sqlite') },
      ],
      problems: [],
    });
  });

  test('no agents folder yet (no agent has run): no database, no problem', () => {
    expect(findAgentDatabases(tmp)).toEqual({ databases: [], problems: [] });
  });

  test('an agent folder without its database, a stray file in agents/, an agent/ that is a file: skipped silently', () => {
    fs.mkdirSync(path.join(tmp, 'agents', 'new', 'agent'), { recursive: true });
    fs.mkdirSync(path.join(tmp, 'agents', 'bare'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'agents', 'notes.txt'), '');
    fs.mkdirSync(path.join(tmp, 'agents', 'odd'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'agents', 'odd', 'agent'), '');
    fs.mkdirSync(path.join(tmp, 'agents', 'Upper', 'agent'), { recursive: true });
    expect(findAgentDatabases(tmp)).toEqual({ databases: [], problems: [] });
  });

  test('agent ids as OpenClaw normalizes them ([a-z0-9][a-z0-9_-]{0,63}); any other folder with a database is reported and skipped', () => {
    const good = ['0', 'a', 'a-b_c', 'z'.repeat(64)];
    const bad = ['Ops', '_ops', '-ops', 'ops.bak', 'o.ps', 'opS', 'z'.repeat(65)];
    for (const id of [...good, ...bad]) agentDb(id);
    const found = findAgentDatabases(tmp);
    expect(found.databases.map((d) => d.rel)).toEqual([...good].sort().map((id) => `agents/${id}/agent/openclaw-agent.sqlite`));
    expect(found.problems).toEqual([...bad].sort().map((id) => `agents/${id}: not an agent id; skipped`));
  });

  test('a symlink anywhere in agents/<id>/agent/openclaw-agent.sqlite, or a database that is a folder: reported and skipped', () => {
    agentDb('real');
    agentDb('folder', 'dir');
    fs.mkdirSync(path.join(tmp, 'agents', 'linkdb', 'agent'), { recursive: true });
    fs.symlinkSync(dbFile('real'), dbFile('linkdb'));
    fs.mkdirSync(path.join(tmp, 'agents', 'linkagent'), { recursive: true });
    fs.symlinkSync(path.join(tmp, 'agents', 'real', 'agent'), path.join(tmp, 'agents', 'linkagent', 'agent'));
    fs.symlinkSync(path.join(tmp, 'agents', 'real'), path.join(tmp, 'agents', 'linkid'));
    expect(findAgentDatabases(tmp)).toEqual({
      databases: [{ rel: 'agents/real/agent/openclaw-agent.sqlite', file: dbFile('real') }],
      problems: ['folder', 'linkagent', 'linkdb', 'linkid'].map((id) => `agents/${id}/agent/openclaw-agent.sqlite: a symlink or not a regular file; skipped`),
    });
  });

  test('an entry that cannot be examined (a symlink loop in its path): reported with its error and skipped, the others read', () => {
    agentDb('ops');
    fs.symlinkSync('loop', path.join(tmp, 'agents', 'loop'));
    expect(findAgentDatabases(tmp)).toEqual({
      databases: [{ rel: 'agents/ops/agent/openclaw-agent.sqlite', file: dbFile('ops') }],
      problems: [`agents/loop/agent/openclaw-agent.sqlite: ${path.join(tmp, 'agents', 'loop', 'agent')}: cannot read it (ELOOP); skipped`],
    });
  });

  test(`at most ${MAX_DATABASES} databases: exactly that many read without a problem, one more reported`, () => {
    expect(MAX_DATABASES).toBe(256);
    const ids = Array.from({ length: MAX_DATABASES }, (_, i) => `a${String(i).padStart(3, '0')}`);
    for (const id of ids) agentDb(id);
    const all = findAgentDatabases(tmp);
    expect(all.problems).toEqual([]);
    expect(all.databases.map((d) => d.rel)).toEqual(ids.map((id) => `agents/${id}/agent/openclaw-agent.sqlite`));
    agentDb('b000');
    agentDb('b001');
    const over = findAgentDatabases(tmp);
    expect(over.problems).toEqual(['more than 256 agent databases; the rest skipped']);
    expect(over.databases.map((d) => d.rel)).toEqual(ids.map((id) => `agents/${id}/agent/openclaw-agent.sqlite`));
  });

  test('a state folder that is missing or not a folder: a StoreError, never "no usage"', () => {
    const missing = path.join(tmp, 'missing');
    expect(() => findAgentDatabases(missing)).toThrow(new StoreError(`${missing}: not a folder (OpenClaw's state folder)`));
    fs.writeFileSync(missing, '');
    expect(() => findAgentDatabases(missing)).toThrow(StoreError);
    expect(() => findAgentDatabases(missing)).toThrow(`${missing}: not a folder (OpenClaw's state folder)`);
    const linked = path.join(tmp, 'linked');
    fs.mkdirSync(path.join(tmp, 'real'));
    fs.symlinkSync(path.join(tmp, 'real'), linked);
    expect(() => findAgentDatabases(linked)).toThrow(`${linked}: not a folder (OpenClaw's state folder)`);
  });

  test('a state folder path that cannot be examined: a StoreError naming the error', () => {
    const long = path.join(tmp, 'x'.repeat(300));
    expect(() => findAgentDatabases(long)).toThrow(new StoreError(`${long}: cannot read it (ENAMETOOLONG)`));
  });

  test('agents/ that is a file or a symlink: a StoreError', () => {
    const agents = path.join(tmp, 'agents');
    fs.writeFileSync(agents, '');
    expect(() => findAgentDatabases(tmp)).toThrow(new StoreError(`${agents}: not a folder, or a symlink`));
    fs.rmSync(agents);
    fs.mkdirSync(path.join(tmp, 'elsewhere'));
    fs.symlinkSync(path.join(tmp, 'elsewhere'), agents);
    expect(() => findAgentDatabases(tmp)).toThrow(`${agents}: not a folder, or a symlink`);
  });

  test('agents/ that cannot be listed (EACCES for a non-root reader; the tests run as root, so the error is simulated): a StoreError naming the error', () => {
    const agents = path.join(tmp, 'agents');
    fs.mkdirSync(agents);
    mockListingError = { dir: agents, error: Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }) };
    expect(() => findAgentDatabases(tmp)).toThrow(new StoreError(`${agents}: cannot read it (EACCES)`));
    mockListingError = { dir: agents, error: new Error('no code') };
    expect(() => findAgentDatabases(tmp)).toThrow(`${agents}: cannot read it (error)`);
  });
});

describe('openUrl: how SQLite opens the database without changing anything', () => {
  test('with both a -wal and a -shm beside it: read-only with a read-only shared memory; otherwise immutable', () => {
    const f = path.join(tmp, 'x.sqlite');
    const base = `file://${tmp}/x.sqlite`;
    expect(openUrl(f).href).toBe(`${base}?immutable=1`);
    fs.writeFileSync(`${f}-wal`, '');
    expect(openUrl(f).href).toBe(`${base}?immutable=1`);
    fs.writeFileSync(`${f}-shm`, '');
    expect(openUrl(f).href).toBe(`${base}?mode=ro&readonly_shm=1`);
    fs.rmSync(`${f}-wal`);
    expect(openUrl(f).href).toBe(`${base}?immutable=1`);
  });
});

describeWithSqlite('TranscriptStore: opening', () => {
  test('a database a running gateway holds open (-wal and -shm beside): read with its WAL, and nothing in the folder created or changed', () => {
    const live = writer(dbFile());
    // The tables in the database file itself, the rows only in the WAL (not yet checkpointed).
    live.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    insert(live, 's1', 0, USAGE);
    insert(live, 's1', 1, NO_USAGE);
    const dir = path.dirname(dbFile());
    expect(fs.readdirSync(dir)).toStrictEqual([AGENT_DATABASE, `${AGENT_DATABASE}-shm`, `${AGENT_DATABASE}-wal`]);
    const before = listing(tmp);
    withStore(dbFile(), (s) => {
      expect(s.notes).toStrictEqual([]);
      expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 1 }]]);
      expect(rows(s, 's1')).toStrictEqual({ n: 2, rows: [{ seq: 0, createdAt: 1000, text: USAGE }, { seq: 1, createdAt: 1001 }] });
    });
    expect(listing(tmp)).toStrictEqual(before);
  });

  test('a database of a cleanly stopped gateway (the file alone): read immutable, and no -wal, -shm or journal created', () => {
    closed(dbFile(), (db) => insert(db, 's1', 0, USAGE));
    const before = listing(tmp);
    withStore(dbFile(), (s) => {
      expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 0 }]]);
      expect(fs.readdirSync(path.dirname(dbFile()))).toStrictEqual([AGENT_DATABASE]);
    });
    expect(listing(tmp)).toStrictEqual(before);
  });

  test('the connection is read-only: a write through it is refused', () => {
    closed(dbFile(), (db) => insert(db, 's1', 0, USAGE));
    withStore(dbFile(), (s) => {
      const db = (s as unknown as { db: DatabaseSync }).db;
      expect(() => db.exec('CREATE TABLE meter_was_here (a)')).toThrow(/readonly/);
    });
    expect(fs.readdirSync(path.dirname(dbFile()))).toStrictEqual([AGENT_DATABASE]);
  });

  test('a -wal and -shm beside it that the read-only open cannot use: read from the database file alone, with a note when the WAL holds bytes', () => {
    closed(dbFile(), (db) => insert(db, 's1', 0, USAGE));
    // A -shm SQLite cannot open (here a symlink to a folder): the read-only open fails, the immutable one works.
    fs.writeFileSync(`${dbFile()}-wal`, '');
    fs.mkdirSync(path.join(tmp, 'folder'));
    fs.symlinkSync(path.join(tmp, 'folder'), `${dbFile()}-shm`);
    const before = listing(tmp);
    withStore(dbFile(), (s) => {
      expect(s.notes).toStrictEqual([]);
      expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 0 }]]);
    });
    expect(listing(tmp)).toStrictEqual(before);
    fs.writeFileSync(`${dbFile()}-wal`, 'x'.repeat(100));
    const withWal = listing(tmp);
    withStore(dbFile(), (s) => {
      expect(s.notes).toStrictEqual(['read without its WAL (cannot read (unable to open database file)): the records in its 100 bytes not yet checkpointed count once OpenClaw checkpoints them']);
      expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 0 }]]);
    });
    expect(listing(tmp)).toStrictEqual(withWal);
  });

  test('no database file: a StoreError saying it cannot be opened', () => {
    const f = path.join(tmp, 'none.sqlite');
    expect(() => new TranscriptStore(f)).toThrow(new StoreError('cannot open (unable to open database file)'));
    expect(fs.readdirSync(tmp)).toStrictEqual([]);
  });

  test('a file that is not a database: a StoreError, with or without a -wal and -shm beside it', () => {
    const f = path.join(tmp, 'junk.sqlite');
    fs.writeFileSync(f, 'not a database, but it mentions "usage"'.repeat(200));
    expect(() => new TranscriptStore(f)).toThrow(new StoreError('cannot read (file is not a database)'));
    fs.writeFileSync(`${f}-wal`, '');
    fs.writeFileSync(`${f}-shm`, '');
    expect(() => new TranscriptStore(f)).toThrow(new StoreError('cannot read (file is not a database)'));
  });

  test('a file opened immutable that fails is not opened again; a read-only open that fails is retried once, immutable', () => {
    const openAt = jest.spyOn(TranscriptStore as unknown as { openAt: (...a: unknown[]) => unknown }, 'openAt');
    const f = path.join(tmp, 'junk.sqlite');
    fs.writeFileSync(f, 'not a database'.repeat(200));
    expect(() => new TranscriptStore(f)).toThrow(new StoreError('cannot read (file is not a database)'));
    expect(openAt.mock.calls.map((c) => String(c[1]))).toEqual([`${pathToFileURL(f).href}?immutable=1`]);
    openAt.mockClear();
    fs.writeFileSync(`${f}-wal`, '');
    fs.writeFileSync(`${f}-shm`, '');
    expect(() => new TranscriptStore(f)).toThrow(StoreError);
    expect(openAt.mock.calls.map((c) => String(c[1]))).toEqual([`${pathToFileURL(f).href}?mode=ro&readonly_shm=1`, `${pathToFileURL(f).href}?immutable=1`]);
  });

  test('the read-only open and the immutable retry both fail: the StoreError of the first (the retry only a fallback), no note', () => {
    const f = path.join(tmp, 'junk.sqlite');
    fs.writeFileSync(f, 'not a database'.repeat(200));
    fs.writeFileSync(`${f}-wal`, 'x'.repeat(100));
    fs.mkdirSync(path.join(tmp, 'folder'));
    fs.symlinkSync(path.join(tmp, 'folder'), `${f}-shm`);
    expect(() => new TranscriptStore(f)).toThrow(new StoreError('cannot read (unable to open database file)'));
  });

  test('the -wal went away before the immutable retry (the gateway stopped): read from the database file alone, no note', () => {
    closed(dbFile(), (db) => insert(db, 's1', 0, USAGE));
    // The check sees a -wal and a -shm (one SQLite cannot use: the read-only open fails); the
    // -wal is gone by the time of the retry (removed as the immutable open starts).
    fs.writeFileSync(`${dbFile()}-wal`, 'x'.repeat(100));
    fs.mkdirSync(path.join(tmp, 'folder'));
    fs.symlinkSync(path.join(tmp, 'folder'), `${dbFile()}-shm`);
    const opener = TranscriptStore as unknown as { openAt: (...a: unknown[]) => unknown };
    const openAt = opener.openAt.bind(TranscriptStore);
    const spy = jest.spyOn(opener, 'openAt').mockImplementation((...a) => {
      if (spy.mock.calls.length === 2) fs.rmSync(`${dbFile()}-wal`);
      return openAt(...a);
    });
    withStore(dbFile(), (s) => {
      expect(s.notes).toStrictEqual([]);
      expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 0 }]]);
    });
    expect(spy.mock.calls.map((c) => String(c[1]))).toEqual([`${pathToFileURL(dbFile()).href}?mode=ro&readonly_shm=1`, `${pathToFileURL(dbFile()).href}?immutable=1`]);
  });

  test('a database refused after its open (no transcript_events) is closed, not left open', () => {
    closed(dbFile(), () => undefined, [REWRITE_WATERMARKS]);
    const close = jest.spyOn(sqlite!.DatabaseSync.prototype, 'close');
    expect(() => new TranscriptStore(dbFile())).toThrow(StoreError);
    expect(close).toHaveBeenCalledTimes(1);
  });

  test('a database without transcript_events: a StoreError (not an OpenClaw 2026.9 agent database)', () => {
    closed(dbFile(), () => undefined, [REWRITE_WATERMARKS]);
    expect(() => new TranscriptStore(dbFile())).toThrow(new StoreError('no transcript_events table (not an OpenClaw 2026.9 agent database?)'));
  });

  test('a transcript_events without the columns the meter reads: a StoreError naming each, in order', () => {
    closed(dbFile(), () => undefined, ['CREATE TABLE transcript_events (session_id TEXT, seq INTEGER, navigation_json TEXT)']);
    expect(() => new TranscriptStore(dbFile())).toThrow(new StoreError('transcript_events lacks event_json, created_at (an OpenClaw version the meter does not know?)'));
    fs.rmSync(path.join(tmp, 'agents'), { recursive: true });
    closed(dbFile(), () => undefined, ['CREATE TABLE transcript_events (event_json TEXT, created_at INTEGER)']);
    expect(() => new TranscriptStore(dbFile())).toThrow(new StoreError('transcript_events lacks session_id, seq (an OpenClaw version the meter does not know?)'));
  });

  test('a Node without node:sqlite: a StoreError naming the Node the meter needs', () => {
    const message = `this Node (${process.version}) has no node:sqlite; the meter needs Node 24 (the pinned one)`;
    const spy = jest.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    expect(() => new TranscriptStore(dbFile())).toThrow(new StoreError(message));
    spy.mockReturnValue({});
    expect(() => new TranscriptStore(dbFile())).toThrow(new StoreError(message));
  });
});

describeWithSqlite('TranscriptStore: one read transaction, a consistent snapshot', () => {
  test('rows the gateway commits after the store opened are not seen until the next store', () => {
    const live = writer(dbFile());
    insert(live, 's1', 0, USAGE);
    const s = new TranscriptStore(dbFile());
    insert(live, 's1', 1, USAGE);
    insert(live, 's2', 0, USAGE);
    expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 0 }]]);
    expect(rows(s, 's1').n).toBe(1);
    s.close();
    withStore(dbFile(), (again) => {
      expect([...again.sessions()]).toStrictEqual([
        ['s1', { maxSeq: 1 }],
        ['s2', { maxSeq: 0 }],
      ]);
    });
  });

  test('close() ends the transaction and the connection; a second close() does nothing', () => {
    closed(dbFile(), (db) => insert(db, 's1', 0, USAGE));
    const s = new TranscriptStore(dbFile());
    s.close();
    expect(() => s.sessions()).toThrow(/not open/);
    expect(() => s.close()).not.toThrow();
  });
});

describeWithSqlite('TranscriptStore.sessions: every session with rows, its highest seq and its rewrite generation', () => {
  test('generations from transcript_rewrite_watermarks (at most 100 characters); a session without one has none', () => {
    closed(dbFile(), (db) => {
      insert(db, 's1', 0, USAGE);
      insert(db, 's1', 7, NO_USAGE);
      insert(db, 's2', 3, USAGE);
      insert(db, 's3', 0, USAGE);
      const gen = db.prepare('INSERT INTO transcript_rewrite_watermarks (session_id, generation, updated_at) VALUES (?, ?, 1)');
      gen.run('s1', 'g1');
      gen.run('s2', 'g'.repeat(150));
      gen.run('gone', 'g9');
    });
    withStore(dbFile(), (s) => {
      expect([...s.sessions()]).toStrictEqual([
        ['s1', { maxSeq: 7, generation: 'g1' }],
        ['s2', { maxSeq: 3, generation: 'g'.repeat(100) }],
        ['s3', { maxSeq: 0 }],
      ]);
    });
  });

  test('no transcript_rewrite_watermarks table (an older database): sessions without generations', () => {
    closed(dbFile(), (db) => insert(db, 's1', 4, USAGE), [TRANSCRIPT_EVENTS]);
    withStore(dbFile(), (s) => expect([...s.sessions()]).toStrictEqual([['s1', { maxSeq: 4 }]]));
  });

  test('never trusted: empty or over-long session ids, non-integer seqs and non-text generations are left out', () => {
    // Not OpenClaw's STRICT tables: what a damaged or foreign database may hold.
    closed(
      dbFile(),
      (db) => {
        const ins = db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?, ?, ?, 1)');
        ins.run('', 0, USAGE);
        ins.run('x'.repeat(201), 0, USAGE);
        ins.run('y'.repeat(200), 2, USAGE);
        ins.run('half', 2.5, USAGE);
        ins.run(5, 1, USAGE);
        ins.run('ok', 1, USAGE);
        const gen = db.prepare('INSERT INTO transcript_rewrite_watermarks (session_id, generation, updated_at) VALUES (?, ?, 1)');
        gen.run('ok', 42);
        gen.run('half', 'g');
      },
      ['CREATE TABLE transcript_events (session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes)', 'CREATE TABLE transcript_rewrite_watermarks (session_id, generation, updated_at)'],
    );
    withStore(dbFile(), (s) => {
      expect([...s.sessions()]).toStrictEqual([
        ['ok', { maxSeq: 1 }],
        ['y'.repeat(200), { maxSeq: 2 }],
      ]);
      expect(rows(s, 'half')).toStrictEqual({ n: 0, rows: [] });
    });
  });
});

describeWithSqlite('TranscriptStore.forEachRowAfter: the rows after a seq, decoded', () => {
  test('rows after the given seq in seq order; only events that may hold usage carry their text', () => {
    closed(dbFile(), (db) => {
      insert(db, 's1', 3, NO_USAGE);
      insert(db, 's1', 1, USAGE);
      insert(db, 's1', 2, USAGE, 5);
      insert(db, 's2', 9, USAGE);
    });
    withStore(dbFile(), (s) => {
      expect(rows(s, 's1')).toStrictEqual({
        n: 3,
        rows: [{ seq: 1, createdAt: 1001, text: USAGE }, { seq: 2, createdAt: 5, text: USAGE }, { seq: 3, createdAt: 1003 }],
      });
      expect(rows(s, 's1', 1)).toStrictEqual({ n: 2, rows: [{ seq: 2, createdAt: 5, text: USAGE }, { seq: 3, createdAt: 1003 }] });
      expect(rows(s, 's1', 3)).toStrictEqual({ n: 0, rows: [] });
      expect(rows(s, 'none')).toStrictEqual({ n: 0, rows: [] });
    });
  });

  test('more rows than one batch (1000): all of them, once each', () => {
    closed(dbFile(), (db) => {
      db.exec('BEGIN');
      for (let i = 0; i < 2001; i++) insert(db, 's1', i, i % 2 ? USAGE : NO_USAGE);
      db.exec('COMMIT');
    });
    withStore(dbFile(), (s) => {
      const seen = rows(s, 's1');
      expect(seen.n).toBe(2001);
      expect(seen.rows.map((r) => r.seq)).toStrictEqual(Array.from({ length: 2001 }, (_, i) => i));
      expect(seen.rows.filter((r) => r.text === USAGE).length).toBe(1000);
      expect(rows(s, 's1', 999).n).toBe(1001);
      expect(rows(s, 's1', 1000).n).toBe(1000);
    });
  });

  test('never trusted: a full batch of rows whose seq is no integer (a damaged or foreign table) ends the read instead of reading the same batch forever', () => {
    closed(
      dbFile(),
      (db) => {
        const ins = db.prepare('INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES (?, ?, ?, ?)');
        db.exec('BEGIN');
        ins.run('s1', 0, USAGE, null);
        ins.run('s1', 1, USAGE, '7');
        ins.run('s1', 2, USAGE, 'soon');
        for (let i = 0; i < 1000; i++) ins.run('s1', `seq ${i}`, USAGE, 1);
        db.exec('COMMIT');
      },
      ['CREATE TABLE transcript_events (session_id, seq, event_json, created_at, event_zstd, event_utf8_bytes)'],
    );
    // A read that fetches the same batch again and again would never return (a synchronous
    // loop no jest timeout can stop): the 11th batch read of this test throws instead.
    const proto = sqlite!.StatementSync.prototype;
    const real = proto.all;
    let reads = 0;
    const all = jest.spyOn(proto, 'all').mockImplementation(function (this: unknown, ...a: unknown[]) {
      if (++reads > 10) throw new Error('the same batch was read 10 times: the read never ends');
      return real.apply(this, a);
    });
    try {
      withStore(dbFile(), (s) => {
        expect(rows(s, 's1')).toStrictEqual({
          n: 3,
          rows: [
            { seq: 0, createdAt: NaN, text: USAGE },
            { seq: 1, createdAt: NaN, text: USAGE },
            { seq: 2, createdAt: NaN, text: USAGE },
          ],
        });
      });
    } finally {
      all.mockRestore();
    }
  });

  test('a zstd-compressed event (event_json NULL, event_zstd its frame): decoded when it mentions usage, nothing when it does not', () => {
    const big = eventOf(2048);
    const plain = eventOf(2048, false);
    closed(dbFile(), (db) => {
      insertZstd(db, 's1', 0, compress(big), 2048);
      insertZstd(db, 's1', 1, compress(plain), 2048);
      insertZstd(db, 's1', 2, compress('"'), 1);
    });
    withStore(dbFile(), (s) => {
      expect(rows(s, 's1')).toStrictEqual({ n: 3, rows: [{ seq: 0, createdAt: 1000, text: big }, { seq: 1, createdAt: 1001 }, { seq: 2, createdAt: 1002 }] });
    });
  });

  test('compressed events that cannot be read are reported, never fatal: a bad frame, another size than recorded, invalid UTF-8', () => {
    const ev = eventOf(2048);
    closed(dbFile(), (db) => {
      insertZstd(db, 's1', 0, Buffer.from('not a zstd frame, but it mentions "usage"'), 2048);
      insertZstd(db, 's1', 1, compress(ev), 2049);
      insertZstd(db, 's1', 2, compress(ev), 2047);
      insertZstd(db, 's1', 3, zstd.zstdCompressSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 4);
      insert(db, 's1', 4, USAGE);
    });
    withStore(dbFile(), (s) => {
      expect(rows(s, 's1').rows).toStrictEqual([
        { seq: 0, createdAt: 1000, unreadable: 'compressed event that does not decode' },
        { seq: 1, createdAt: 1001, unreadable: 'compressed event of another size than recorded' },
        { seq: 2, createdAt: 1002, unreadable: 'compressed event that does not decode' },
        { seq: 3, createdAt: 1003, unreadable: 'compressed event that does not decode' },
        { seq: 4, createdAt: 1004, text: USAGE },
      ]);
    });
  });

  test('bounded at 4 MiB as OpenClaw bounds them: a recorded size outside 1..4 MiB or a frame over 4 MiB is an invalid size; 4 MiB itself is read', () => {
    expect(MAX_EVENT_BYTES).toBe(4194304);
    const max = eventOf(MAX_EVENT_BYTES);
    closed(dbFile(), (db) => {
      // Outside OpenClaw's CHECK constraints: what a damaged database may hold.
      db.exec('PRAGMA ignore_check_constraints = ON');
      insertZstd(db, 's1', 0, compress('{"usage":{}}'), 0);
      insertZstd(db, 's1', 1, compress(eventOf(MAX_EVENT_BYTES + 1)), MAX_EVENT_BYTES + 1);
      insertZstd(db, 's1', 2, Buffer.alloc(MAX_EVENT_BYTES + 1), 100);
      insertZstd(db, 's1', 3, compress(max), MAX_EVENT_BYTES);
      insertZstd(db, 's1', 4, Buffer.alloc(MAX_EVENT_BYTES), 100);
      insertZstd(db, 's1', 5, compress('{"usage":{}}'), null);
    });
    withStore(dbFile(), (s) => {
      const got = rows(s, 's1').rows;
      expect(got.map((r) => [r.seq, r.unreadable ?? (r.text === max ? 'the 4 MiB event' : r.text)])).toStrictEqual([
        [0, 'compressed event with an invalid size'],
        [1, 'compressed event with an invalid size'],
        [2, 'compressed event with an invalid size'],
        [3, 'the 4 MiB event'],
        [4, 'compressed event that does not decode'],
        [5, 'compressed event with an invalid size'],
      ]);
    });
  });

  test('an uncompressed event over 4 MiB is reported; one of exactly 4 MiB is read', () => {
    const max = eventOf(MAX_EVENT_BYTES);
    closed(dbFile(), (db) => {
      insert(db, 's1', 0, max);
      insert(db, 's1', 1, eventOf(MAX_EVENT_BYTES + 1));
    });
    withStore(dbFile(), (s) => {
      const got = rows(s, 's1').rows;
      expect(got[0]!.text === max).toBe(true);
      expect(got[1]).toStrictEqual({ seq: 1, createdAt: 1001, unreadable: 'event larger than 4 MiB' });
    });
  });

  test('a Node without zstd: a compressed event is reported as such', () => {
    closed(dbFile(), (db) => {
      insertZstd(db, 's1', 0, compress(eventOf(2048)), 2048);
      insert(db, 's1', 1, USAGE);
    });
    mockNoZstd = true;
    withStore(dbFile(), (s) => {
        expect(rows(s, 's1').rows).toStrictEqual([
          { seq: 0, createdAt: 1000, unreadable: 'compressed event, and this Node has no zstd' },
          { seq: 1, createdAt: 1001, text: USAGE },
        ]);
      });
  });

  test('a database before the compression columns (or with only one of them): read as uncompressed', () => {
    closed(dbFile(), (db) => {
      insert(db, 's1', 0, USAGE);
      insert(db, 's1', 1, NO_USAGE);
    }, [LEGACY_TRANSCRIPT_EVENTS.replace('created_at INTEGER NOT NULL,', 'created_at INTEGER NOT NULL, event_utf8_bytes INTEGER,')]);
    withStore(dbFile(), (s) => {
      expect(rows(s, 's1')).toStrictEqual({ n: 2, rows: [{ seq: 0, createdAt: 1000, text: USAGE }, { seq: 1, createdAt: 1001 }] });
      expect(s.fingerprint('s1', 0)).toBe(s.fingerprint('s1', 0));
    });
    fs.rmSync(path.join(tmp, 'agents'), { recursive: true });
    closed(dbFile(), (db) => db.prepare("INSERT INTO transcript_events (session_id, seq, event_json, created_at) VALUES ('s1', 0, ?, 1000)").run(USAGE), [
      LEGACY_TRANSCRIPT_EVENTS.replace('created_at INTEGER NOT NULL,', 'created_at INTEGER NOT NULL, event_zstd BLOB,'),
    ]);
    withStore(dbFile(), (s) => {
      expect(rows(s, 's1')).toStrictEqual({ n: 1, rows: [{ seq: 0, createdAt: 1000, text: USAGE }] });
    });
  });
});

describeWithSqlite('TranscriptStore.fingerprint: what tells a row at a seq from another row at the same seq', () => {
  const FIRST = '{"usage":{"input":1}}';
  test('pinned for an uncompressed and a compressed row; none where there is no row', () => {
    closed(dbFile(), (db) => {
      insert(db, 's1', 0, FIRST, 1000);
      insertZstd(db, 's1', 1, compress(eventOf(2048)), 2048, 2000);
    });
    withStore(dbFile(), (s) => {
      expect([s.fingerprint('s1', 0), s.fingerprint('s1', 1), s.fingerprint('s1', 2), s.fingerprint('s9', 0)]).toStrictEqual(['iNmcVra9jGKkwIg4', 'b4jjz6m9f6WI91nb', undefined, undefined]);
    });
  });

  test('another time, another text or another compressed frame at the same seq: another fingerprint', () => {
    const prints = (fill: (db: DatabaseSync) => void, schema?: string[]) => {
      fs.rmSync(path.join(tmp, 'agents'), { recursive: true, force: true });
      closed(dbFile(), fill, schema);
      return withStore(dbFile(), (s) => s.fingerprint('s1', 0));
    };
    const a = prints((db) => insert(db, 's1', 0, FIRST, 1000));
    expect(prints((db) => insert(db, 's1', 0, FIRST, 1000))).toBe(a);
    expect(prints((db) => insert(db, 's1', 0, FIRST, 1001))).not.toBe(a);
    expect(prints((db) => insert(db, 's1', 0, '{"usage":{"input":2}}', 1000))).not.toBe(a);
    // Compressed frames of the same length and size, differing in their first 48 bytes.
    const f1 = Buffer.from(compress(eventOf(2048)));
    const f2 = Buffer.from(f1);
    f2[20] = f2[20]! ^ 1;
    const c1 = prints((db) => insertZstd(db, 's1', 0, f1, 2048, 1000));
    expect(prints((db) => insertZstd(db, 's1', 0, f2, 2048, 1000))).not.toBe(c1);
    expect(prints((db) => insertZstd(db, 's1', 0, f1, 2047, 1000))).not.toBe(c1);
    expect(prints((db) => insertZstd(db, 's1', 0, Buffer.concat([f1, Buffer.from([0])]), 2048, 1000))).not.toBe(c1);
  });
});
