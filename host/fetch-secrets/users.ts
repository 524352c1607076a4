/**
 * The owner of each gateway's secret files: the manifest names the gateway's
 * user (openclaw-<id>), and this resolves it to its uid and primary gid from
 * the passwd database file (/etc/passwd on the host, where cloud-init's
 * `useradd --system --user-group` puts the gateway users; no NSS module is
 * involved). A user that is not there is a NoGatewayUser failure: the file is
 * never written with a guessed owner.
 */
import * as fs from 'fs';
import { SecretsFailure } from './failure';

/** Where the host's users are. */
export const PASSWD_FILE = '/etc/passwd';

/** A user's numeric owner. */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** user name -> uid and primary gid, for the `users` given; throws NoGatewayUser naming the first missing one. */
export function resolveUsers(users: readonly string[], passwdFile: string = PASSWD_FILE): Map<string, Owner> {
  let text: string;
  try {
    text = fs.readFileSync(passwdFile, 'utf8');
  } catch (e) {
    throw new SecretsFailure('NoGatewayUser', passwdFile, `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'}); the gateway users' uids come from it`);
  }
  const entries = new Map<string, Owner>();
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '') || entries.has(name)) continue; // the first entry wins, as getpwnam's
    entries.set(name, { uid: Number(uid), gid: Number(gid) });
  }
  const out = new Map<string, Owner>();
  for (const user of users) {
    const owner = entries.get(user);
    if (!owner) throw new SecretsFailure('NoGatewayUser', `user ${user}`, `not in ${passwdFile}; the gateway users are created by cloud-init (users step) before the secrets step: check that it ran`);
    out.set(user, owner);
  }
  return out;
}
