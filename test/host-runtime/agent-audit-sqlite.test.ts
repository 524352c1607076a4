import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DatabaseSync } from 'node:sqlite';

// One condition the tests cannot time for real: the -wal and -shm a running gateway had,
// gone between the program's look at them and its open (the gateway stopped just then).
let vanishedWal: string | undefined;
jest.mock('fs', () => {
  const actual = jest.requireActual<typeof fs>('fs');
  return { ...actual, existsSync: (p: fs.PathLike) => (vanishedWal !== undefined && (p === `${vanishedWal}-wal` || p === `${vanishedWal}-shm`)) || actual.existsSync(p) };
});
import { checkLedger, ledgerReplaced, LEDGER_COLUMNS, MAX_ROWS_PER_RUN, readLedger } from '../../host/agent-audit/ledger';
import { describeError } from '../../host/agent-audit/run';
import { closeQuietly, openReadOnly, readOnlyUrl } from '../../host/agent-audit/sqlite';

// How agent-audit.js opens OpenClaw's databases (host/agent-audit/sqlite.ts) and reads the
// ledger (ledger.ts), in-process against databases made here with node:sqlite: one left as a
// running gateway leaves it (WAL, -wal and -shm beside it, a writer still open) and one as a
// cleanly stopped gateway leaves it (the file alone). The ledger's table is made with the
// columns the program reads (ledger.ts lists where OpenClaw 2026.9.6 defines them); the real
// ledger OpenClaw creates: test/openclaw/audit-export-program.test.ts.
//
// node:sqlite exists from Node 22.5 on: under Node 20 these tests are skipped in `npm test`'s
// first pass and run again by `npm run test:node-sqlite` (which fails, never skips, without such
// a Node); Stryker runs jest with Node 24. The first test is never skipped.
const sqlite = process.getBuiltinModule?.('node:sqlite') as { DatabaseSync: typeof DatabaseSync } | undefined;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const describeWithSqlite = sqlite ? describe : describe.skip;

test('the database tests are skipped only on a Node without node:sqlite (before 22.5)', () => {
  expect(!!sqlite).toBe(major > 22 || (major === 22 && minor >= 5));
});

test('describeError: the first line of the message of any error, whatever made it; any other value as text', () => {
  expect(describeError(new Error('no such table: audit_events\nat line 2'))).toBe('no such table: audit_events');
  expect(describeError(Object.assign(Object.create(null) as object, { message: 'from another realm' }))).toBe('from another realm');
  expect(describeError({ message: 42 })).toBe('[object Object]');
  expect(describeError('plain\ntext')).toBe('plain');
  expect(describeError(null)).toBe('null');
  expect(describeError(undefined)).toBe('undefined');
});

/** The uid of a gateway's user (made up: the test runs as root, as the program does). */
const GATEWAY_UID = 41_001;
let dir: string;
const writers: DatabaseSync[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-audit-sqlite-'));
});
afterEach(() => {
  vanishedWal = undefined;
  for (const w of writers.splice(0)) closeQuietly(w);
  fs.rmSync(dir, { recursive: true, force: true });
});

const LEDGER = `CREATE TABLE audit_events (sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT UNIQUE NOT NULL, ${LEDGER_COLUMNS.filter((c) => c !== 'sequence' && c !== 'event_id')
  .map((c) => `${c} ${c === 'occurred_at' || c === 'duration_ms' || c === 'result_count' ? 'INTEGER' : 'TEXT'}`)
  .join(', ')})`;

/** A database at `file` made by a writer that keeps it open in WAL mode (a running gateway). */
function live(file: string, sql: string[] = [LEDGER]): DatabaseSync {
  const db = new sqlite!.DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL');
  for (const s of sql) db.exec(s);
  writers.push(db);
  return db;
}
/** The same, closed: the file alone (a cleanly stopped gateway). */
function stopped(file: string, sql: string[] = [LEDGER]): string {
  live(file, sql).close();
  writers.pop();
  expect(fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(path.basename(file)))).toEqual([path.basename(file)]);
  return file;
}
const add = (db: DatabaseSync, eventId: string, kind = 'tool_action', direction: string | null = null) =>
  db.prepare('INSERT INTO audit_events (event_id, occurred_at, kind, status, direction, duration_ms) VALUES (?, ?, ?, ?, ?, ?)').run(eventId, 1_000, kind, 'succeeded', direction, 7);
const filesBeside = (file: string) => fs.readdirSync(path.dirname(file)).sort();

describeWithSqlite('openReadOnly', () => {
  test('a running gateway\'s database (-wal and -shm beside it): read-only with a read-only shared memory, so no file is made or changed', () => {
    const file = path.join(dir, 'openclaw.sqlite');
    const w = live(file);
    add(w, 'e1');
    expect(readOnlyUrl(file).search).toBe('?mode=ro&readonly_shm=1');
    const before = filesBeside(file);
    const db = openReadOnly(file);
    expect(readLedger(db, 0).map((r) => r.event_id)).toEqual(['e1']);
    expect(() => db.exec("INSERT INTO audit_events (event_id) VALUES ('x')")).toThrow(/readonly/);
    closeQuietly(db);
    expect(filesBeside(file)).toEqual(before);
  });

  test('one snapshot from the open on: a row the gateway writes later is not seen until the next open', () => {
    const file = path.join(dir, 'openclaw.sqlite');
    const w = live(file);
    add(w, 'e1');
    const db = openReadOnly(file);
    add(w, 'e2');
    expect(readLedger(db, 0).map((r) => r.event_id)).toEqual(['e1']);
    closeQuietly(db);
    const again = openReadOnly(file);
    expect(readLedger(again, 0).map((r) => r.event_id)).toEqual(['e1', 'e2']);
    closeQuietly(again);
  });

  test('a stopped gateway\'s database (the file alone): immutable, and no -wal or -shm is made', () => {
    const file = stopped(path.join(dir, 'openclaw.sqlite'));
    expect(readOnlyUrl(file).search).toBe('?immutable=1');
    const db = openReadOnly(file);
    expect(readLedger(db, 0)).toEqual([]);
    closeQuietly(db);
    expect(filesBeside(file)).toEqual(['openclaw.sqlite']);
  });

  test('only one of -wal and -shm: immutable', () => {
    const file = stopped(path.join(dir, 'openclaw.sqlite'));
    fs.writeFileSync(`${file}-wal`, '');
    expect(readOnlyUrl(file).search).toBe('?immutable=1');
    fs.rmSync(`${file}-wal`);
    fs.writeFileSync(`${file}-shm`, '');
    expect(readOnlyUrl(file).search).toBe('?immutable=1');
    expect(readOnlyUrl(file).pathname).toBe(file);
  });

  test('the -wal and -shm gone between the look and the open (the gateway stopped just then): the file alone, immutable; what SQLite leaves is the gateway user\'s', () => {
    const file = stopped(path.join(dir, 'openclaw.sqlite'));
    fs.chownSync(file, GATEWAY_UID, GATEWAY_UID);
    vanishedWal = file;
    try {
      expect(readOnlyUrl(file).search).toBe('?mode=ro&readonly_shm=1');
      // SQLite cannot open a WAL database read-only without its -shm ("unable to open database file").
      const db = openReadOnly(file);
      expect(readLedger(db, 0)).toEqual([]);
      closeQuietly(db);
    } finally {
      vanishedWal = undefined;
    }
    // The read-only try made an empty -wal before it failed; SQLite, run as root, gives it the
    // database's owner, so the gateway's next start can open it.
    expect(filesBeside(file)).toEqual(['openclaw.sqlite', 'openclaw.sqlite-wal']);
    expect([fs.statSync(`${file}-wal`).uid, fs.statSync(`${file}-wal`).size]).toEqual([GATEWAY_UID, 0]);
  });

  test('a file that is no database fails to open, with SQLite\'s reason, with or without -wal and -shm', () => {
    const file = path.join(dir, 'openclaw.sqlite');
    fs.writeFileSync(file, 'not a database, but the size of a page of one '.repeat(100));
    expect(() => openReadOnly(file)).toThrow('file is not a database');
    fs.writeFileSync(`${file}-wal`, '');
    fs.writeFileSync(`${file}-shm`, '');
    expect(() => openReadOnly(file)).toThrow('file is not a database');
  });

  test('a file that is no database leaves no file descriptor open', () => {
    const file = path.join(dir, 'openclaw.sqlite');
    fs.writeFileSync(file, 'not a database, but the size of a page of one '.repeat(100));
    const fds = fs.readdirSync('/proc/self/fd').length;
    expect(() => openReadOnly(file)).toThrow('file is not a database');
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fds);
  });

  test('a Node without node:sqlite: an error naming this Node and the one needed', () => {
    const spy = jest.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    try {
      expect(() => openReadOnly(path.join(dir, 'any.sqlite'))).toThrow(`this Node (${process.version}) has no node:sqlite; agent-audit.js needs Node 24 (the pinned one)`);
      spy.mockReturnValue({} as never);
      expect(() => openReadOnly(path.join(dir, 'any.sqlite'))).toThrow(/has no node:sqlite/);
    } finally {
      spy.mockRestore();
    }
  });

  test('closeQuietly: a database already closed is no error', () => {
    const db = openReadOnly(stopped(path.join(dir, 'openclaw.sqlite')));
    closeQuietly(db);
    expect(() => closeQuietly(db)).not.toThrow();
    expect(() => db.exec('SELECT 1')).toThrow(/not open/);
  });
});

describeWithSqlite('the ledger', () => {
  test('checkLedger: no audit_events table, or one without a column read, is named', () => {
    const none = openReadOnly(stopped(path.join(dir, 'none.sqlite'), ['CREATE TABLE other (x)']));
    expect(() => checkLedger(none)).toThrow('no audit_events table (OpenClaw has not recorded anything yet, or is not 2026.9)');
    const short = openReadOnly(stopped(path.join(dir, 'short.sqlite'), [LEDGER.replace(', target_ref TEXT', '').replace(', tool_call_id TEXT', '')]));
    expect(() => checkLedger(short)).toThrow('audit_events lacks tool_call_id, target_ref (an OpenClaw version this program does not know?)');
    const full = openReadOnly(stopped(path.join(dir, 'full.sqlite')));
    expect(() => checkLedger(full)).not.toThrow();
    [none, short, full].forEach(closeQuietly);
  });

  test('readLedger: tool actions and outbound messages after the position, in order, every column, numbers as numbers', () => {
    const file = path.join(dir, 'openclaw.sqlite');
    const w = live(file);
    add(w, 'e1');
    add(w, 'e2', 'agent_run');
    add(w, 'e3', 'message', 'inbound');
    add(w, 'e4', 'message', 'outbound');
    add(w, 'e5');
    const db = openReadOnly(file);
    const rows = readLedger(db, 1);
    expect(rows.map((r) => [r.sequence, r.event_id])).toEqual([
      [4, 'e4'],
      [5, 'e5'],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([...LEDGER_COLUMNS]);
    expect([rows[0]!.duration_ms, rows[0]!.result_count, rows[0]!.kind]).toEqual([7, null, 'message']);
    expect(readLedger(db, 5)).toEqual([]);
    closeQuietly(db);
  });

  test(`readLedger: at most ${MAX_ROWS_PER_RUN} rows a run, the rest on the next`, () => {
    const file = path.join(dir, 'openclaw.sqlite');
    const w = live(file);
    w.exec('BEGIN');
    for (let i = 1; i <= MAX_ROWS_PER_RUN + 1; i += 1) add(w, `e${i}`);
    w.exec('COMMIT');
    const db = openReadOnly(file);
    const first = readLedger(db, 0);
    expect([first.length, first[first.length - 1]!.sequence]).toEqual([MAX_ROWS_PER_RUN, MAX_ROWS_PER_RUN]);
    expect(readLedger(db, MAX_ROWS_PER_RUN).map((r) => r.sequence)).toEqual([MAX_ROWS_PER_RUN + 1]);
    closeQuietly(db);
  });

  test('ledgerReplaced: the row exported last still there, or expired while the ledger moved on, is no replacement', () => {
    const file = path.join(dir, 'openclaw.sqlite');
    const w = live(file);
    for (const id of ['e1', 'e2', 'e3']) add(w, id);
    const db = openReadOnly(file);
    expect(ledgerReplaced(db, { sequence: 0, eventId: '' })).toBe(false);
    expect(ledgerReplaced(db, { sequence: 0, eventId: 'anything' })).toBe(false);
    expect(ledgerReplaced(db, { sequence: 2, eventId: 'e2' })).toBe(false);
    // Another event at that sequence: another database.
    expect(ledgerReplaced(db, { sequence: 2, eventId: 'e9' })).toBe(true);
    closeQuietly(db);
    // Rows 1 and 2 expired (OpenClaw deletes from the oldest), row 3 is later: the ledger moved on.
    w.exec('DELETE FROM audit_events WHERE sequence <= 2');
    const later = openReadOnly(file);
    expect(ledgerReplaced(later, { sequence: 2, eventId: 'e2' })).toBe(false);
    // The row exported last is past the end: the database was replaced by a younger one.
    expect(ledgerReplaced(later, { sequence: 4, eventId: 'e4' })).toBe(true);
    expect(ledgerReplaced(later, { sequence: 3, eventId: 'e3' })).toBe(false);
    closeQuietly(later);
    w.exec('DELETE FROM audit_events');
    const empty = openReadOnly(file);
    expect(ledgerReplaced(empty, { sequence: 3, eventId: 'e3' })).toBe(true);
    closeQuietly(empty);
  });
});
