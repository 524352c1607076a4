/**
 * The gateways whose audit ledgers are exported: every folder <state root>/<id> that
 * belongs to the OS user openclaw-<id> (lib/openclaw/gateways.ts: one user and one state
 * folder per gateway). The gateway id of a record is the folder it was read from, known to
 * root, never a value from inside the gateway's own files.
 *
 * Refused with a warning, not read: a symlink, a folder whose owner is not its gateway's
 * user, a name that is not a gateway id. Skipped quietly: lost+found (the state volume's
 * file system), and a folder whose gateway has no OpenClaw state database yet.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The OS user of gateway `<id>` (GATEWAY_USER_PREFIX of lib/openclaw/gateways.ts). */
export const GATEWAY_USER_PREFIX = 'openclaw-';
/** A gateway id as lib/openclaw/gateways.ts allows it (an agent id or a shared group name, at most 23 characters). */
const GATEWAY_ID = /^[a-z0-9-]{1,23}$/;
/** OpenClaw 2026.9.6's shared state database, under OPENCLAW_STATE_DIR: its audit ledger is the audit_events table. */
export const STATE_DATABASE = path.posix.join('state', 'openclaw.sqlite');

/** One gateway to export. */
export interface GatewayState {
  readonly id: string;
  /** Its state folder (OPENCLAW_STATE_DIR). */
  readonly dir: string;
  /** Its user's uid: the owner every file read must have. */
  readonly uid: number;
}

/** uid of each user of a passwd file. */
export function passwdUids(text: string): Map<string, number> {
  const uids = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid)) uids.set(name, Number(uid));
  }
  return uids;
}

/** The gateways under `stateRoot`, in id order; `warn` gets one line per refused folder. */
export function findGateways(stateRoot: string, uids: Map<string, number>, warn: (line: string) => void): GatewayState[] {
  const out: GatewayState[] = [];
  for (const name of fs.readdirSync(stateRoot).sort()) {
    if (name === 'lost+found') continue;
    const dir = path.join(stateRoot, name);
    const st = fs.lstatSync(dir);
    if (st.isSymbolicLink() || !st.isDirectory()) {
      warn(`${dir}: a symlink or not a folder; not read`);
      continue;
    }
    const uid = uids.get(`${GATEWAY_USER_PREFIX}${name}`);
    if (!GATEWAY_ID.test(name) || uid === undefined) {
      warn(`${dir}: no gateway user ${GATEWAY_USER_PREFIX}${name}; not read`);
      continue;
    }
    if (st.uid !== uid) {
      warn(`${dir}: owned by uid ${st.uid}, not by ${GATEWAY_USER_PREFIX}${name} (${uid}); not read`);
      continue;
    }
    out.push({ id: name, dir, uid });
  }
  return out;
}

/**
 * The regular file at `rel` under the gateway's folder, every component a real folder
 * or file owned by the gateway's user (no symlink that could make root read another
 * file); undefined when it does not exist; an Error saying why it is refused.
 */
export function gatewayFile(gateway: GatewayState, rel: string): string | undefined | Error {
  let p = gateway.dir;
  const parts = rel.split('/');
  for (const [i, part] of parts.entries()) {
    p = path.join(p, part);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return undefined;
    const last = i === parts.length - 1;
    if (st.isSymbolicLink() || (last ? !st.isFile() : !st.isDirectory())) return new Error(`${p}: a symlink or not a regular ${last ? 'file' : 'folder'}; not read`);
    if (st.uid !== gateway.uid) return new Error(`${p}: owned by uid ${st.uid}, not by the gateway's user (${gateway.uid}); not read`);
  }
  return p;
}
