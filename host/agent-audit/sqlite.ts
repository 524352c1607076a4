/**
 * Opening one of OpenClaw's SQLite databases without changing it, as root, while the
 * gateway may be writing it (WAL mode). With a -wal and -shm beside the database: SQLite's
 * read-only mode with a read-only shared-memory file (mode=ro, readonly_shm=1), which
 * creates no file a later gateway start could not open; without them (the gateway stopped
 * cleanly) immutable=1, so that SQLite creates no file either. The caller reads in one
 * read transaction (BEGIN ... close): one consistent snapshot, taken when the database is
 * opened (its schema is read then, so a file that is not a database fails to open).
 */
import * as fs from 'fs';
import { pathToFileURL } from 'url';
import type { DatabaseSync } from 'node:sqlite';

type Sqlite = { DatabaseSync: typeof DatabaseSync };

/** node:sqlite of this Node (24 on the host), or an Error naming the Node it needs. */
function sqlite(): Sqlite {
  const mod = process.getBuiltinModule?.('node:sqlite') as Sqlite | undefined;
  if (!mod?.DatabaseSync) throw new Error(`this Node (${process.version}) has no node:sqlite; agent-audit.js needs Node 24 (the pinned one)`);
  return mod;
}

/** The URL SQLite opens `file` at (see the module comment). */
export function readOnlyUrl(file: string): URL {
  const url = pathToFileURL(file);
  url.search = fs.existsSync(`${file}-wal`) && fs.existsSync(`${file}-shm`) ? '?mode=ro&readonly_shm=1' : '?immutable=1';
  return url;
}

/** `file` opened read-only inside a read transaction; falls back to the database file alone when its WAL cannot be used. */
export function openReadOnly(file: string): DatabaseSync {
  const { DatabaseSync: Db } = sqlite();
  const attempt = (url: URL): DatabaseSync => {
    const db = new Db(url, { readOnly: true, timeout: 2000 });
    try {
      db.exec('BEGIN');
      // The first read starts the snapshot, and fails here for a file that is no database.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  };
  const url = readOnlyUrl(file);
  try {
    return attempt(url);
  } catch (e) {
    if (url.search === '?immutable=1') throw e;
    // The -wal went away between the check and the open (the gateway stopped): the file alone.
    // SQLite leaves an empty -wal behind, given to the database's owner (it does so when run
    // as root), so the gateway's user can still open its database.
    const immutable = pathToFileURL(file);
    immutable.search = '?immutable=1';
    return attempt(immutable);
  }
}

/** Closes `db`, ignoring a database that is already unusable. */
export function closeQuietly(db: DatabaseSync): void {
  try {
    db.close();
  } catch {
    // already closed
  }
}
