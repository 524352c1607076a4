/**
 * Writes the secret files atomically and all-or-nothing as far as the file
 * system allows: every file is first written to a temp file in its own folder
 * (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, content, fsync, then fchmod and
 * fchown to its final mode and owner), and only when all are staged are they
 * renamed over their targets. Each target ends up a regular file with exactly
 * one hard link; a failed staging removes its temp files and touches nothing.
 * The text and json files of a gateway live in its own folder, owned by its
 * user, 0700 (prepareFolders creates it, or resets its owner and mode).
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { SecretsFailure } from './failure';
import type { FetchedSecret } from './fetch';
import type { Owner } from './users';

/** A file to write: where, what, owner and mode. */
export interface PlannedFile {
  readonly secret: ManifestSecret;
  readonly path: string;
  readonly content: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** Mode of the text and json files (the gateway user reads them). */
export const GATEWAY_FILE_MODE = 0o400;
/** Mode of a gateway's secrets folder (its user only). */
export const GATEWAY_DIR_MODE = 0o700;
/** Mode of nginx's origin-verify map (root reads it; nginx's master runs as root). */
export const ORIGIN_MAP_MODE = 0o600;

/**
 * Owner and mode of each fetched secret's file: text/json to its own user (the
 * secret's `user`, resolved in `owners`) 0400, origin-verify to the running user 0600.
 */
export function planFiles(fetched: readonly FetchedSecret[], owners: ReadonlyMap<string, Owner>): PlannedFile[] {
  const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  return fetched.map(({ secret, content }) => {
    if (secret.kind === 'origin-verify') return { secret, path: secret.file, content, ...self, mode: ORIGIN_MAP_MODE };
    const owner = owners.get(secret.user);
    if (!owner) throw new SecretsFailure('NoGatewayUser', `user ${secret.user}`, `no uid resolved for the owner of ${secret.file}`);
    return { secret, path: secret.file, content, uid: owner.uid, gid: owner.gid, mode: GATEWAY_FILE_MODE };
  });
}

/**
 * Makes the folder of every text and json file a real folder (not a symlink)
 * owned by the file's owner, mode 0700: created when missing (its parent must
 * exist: tmpfiles.d makes the secrets root), owner and mode reset when they
 * differ. A gateway's user can then reach its own files and no other user can.
 */
export function prepareFolders(files: readonly PlannedFile[]): void {
  const folders = new Map<string, PlannedFile>();
  for (const f of files) if (f.secret.kind !== 'origin-verify') folders.set(path.dirname(f.path), f);
  for (const [dir, f] of folders) {
    try {
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      if (!st) {
        fs.mkdirSync(dir, { mode: GATEWAY_DIR_MODE });
        st = fs.lstatSync(dir);
      }
      if (!st.isDirectory()) throw Object.assign(new Error('not a folder'), { code: st.isSymbolicLink() ? 'ELOOP' : 'ENOTDIR', syscall: 'lstat' });
      if (st.uid !== f.uid || st.gid !== f.gid) fs.chownSync(dir, f.uid, f.gid);
      if ((st.mode & 0o7777) !== GATEWAY_DIR_MODE) fs.chmodSync(dir, GATEWAY_DIR_MODE);
    } catch (e) {
      throw writeFailed(dir, e);
    }
  }
}

/** True when the file already is exactly as planned: regular, one link, same owner, mode and content. */
export function isUpToDate(f: PlannedFile): boolean {
  try {
    const st = fs.lstatSync(f.path);
    if (!st.isFile() || st.nlink !== 1 || st.uid !== f.uid || st.gid !== f.gid || (st.mode & 0o7777) !== f.mode) return false;
    return fs.readFileSync(f.path, 'utf8') === f.content;
  } catch {
    return false;
  }
}

function writeFailed(target: string, e: unknown): SecretsFailure {
  const err = e as NodeJS.ErrnoException;
  const what = [err.code, err.syscall].filter(Boolean).join(' on ') || 'error';
  return new SecretsFailure(
    'WriteFailed',
    target,
    `cannot write it (${what}); check that its folder exists and that root can write there (the secrets folder comes from tmpfiles.d, the nginx include folder from the bundle) and that the file system is not full or read-only`,
  );
}

/** Writes `f` to a new temp file next to it and returns the temp path. */
function stage(f: PlannedFile): string {
  const tmp = path.join(path.dirname(f.path), `.${path.basename(f.path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeFileSync(fd, f.content, 'utf8');
    fs.fsyncSync(fd);
    fs.fchmodSync(fd, f.mode);
    fs.fchownSync(fd, f.uid, f.gid);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return tmp;
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Best effort: some file systems refuse fsync on folders; the renames are done.
  }
}

/** Stages every file, then renames them all into place; throws WriteFailed naming the target. */
export function writeFiles(files: readonly PlannedFile[]): void {
  const staged: { tmp: string; f: PlannedFile }[] = [];
  try {
    for (const f of files) {
      try {
        staged.push({ tmp: stage(f), f });
      } catch (e) {
        throw writeFailed(f.path, e);
      }
    }
    for (const { tmp, f } of [...staged]) {
      try {
        fs.renameSync(tmp, f.path);
      } catch (e) {
        throw writeFailed(f.path, e);
      }
      staged.shift();
    }
  } finally {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
  }
  for (const dir of new Set(files.map((f) => path.dirname(f.path)))) syncDir(dir);
}
