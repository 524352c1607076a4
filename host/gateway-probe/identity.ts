/**
 * The probe's own Ed25519 device identity, one file per gateway, as OpenClaw clients hold
 * theirs: the device id is the SHA-256 (hex) of the raw 32-byte public key, the public key
 * travels base64url. Created 0600 on the first run (written whole to a private temporary
 * file, then linked into place, so a half-written file is never seen and two runs never both
 * create one), reused on every run after: the gateway pairs the probe once, not once a minute.
 * A file readable by group or others, or one whose key does not match its device id, is
 * refused, not replaced.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';

export interface DeviceIdentity {
  /** SHA-256 (hex) of the raw public key. */
  readonly id: string;
  /** Raw public key, base64url. */
  readonly publicKey: string;
  readonly privateKey: crypto.KeyObject;
}

/** What the file holds. */
interface IdentityFile {
  readonly version: 1;
  readonly deviceId: string;
  readonly publicKey: string;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
}

/** The identity could not be read or created; the message names the file. */
export class IdentityError extends Error {}

function fromPrivateKey(privateKey: crypto.KeyObject): DeviceIdentity {
  const raw = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).subarray(-32);
  return { id: crypto.createHash('sha256').update(raw).digest('hex'), publicKey: raw.toString('base64url'), privateKey };
}

function load(file: string): DeviceIdentity {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new IdentityError(`probe identity ${file} is not a regular file`);
  if ((st.mode & 0o077) !== 0) throw new IdentityError(`probe identity ${file} is readable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}): refused`);
  let doc: Partial<IdentityFile>;
  let identity: DeviceIdentity;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<IdentityFile>;
    const key = crypto.createPrivateKey(String(doc.privateKey));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType} key`);
    identity = fromPrivateKey(key);
  } catch (e) {
    throw new IdentityError(`probe identity ${file} is not an Ed25519 identity: ${(e as Error).message}`);
  }
  if (doc.deviceId !== identity.id || doc.publicKey !== identity.publicKey) throw new IdentityError(`probe identity ${file}: its device id or public key does not match its private key`);
  return identity;
}

function create(file: string): DeviceIdentity {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const identity = fromPrivateKey(privateKey);
  const doc: IdentityFile = { version: 1, deviceId: identity.id, publicKey: identity.publicKey, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, `${JSON.stringify(doc)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file); // fails when another run created it meanwhile: that one is used
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return identity;
}

/**
 * The identity in `file`, created there first when there is none. Throws an IdentityError.
 * When another run links its identity into place first (EEXIST), that one is loaded: once. A
 * second EEXIST (the file gone again between the two) is an error, never an endless retry.
 */
export function loadOrCreateIdentity(file: string, retried = false): DeviceIdentity {
  try {
    return load(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (e instanceof IdentityError) throw e;
      throw new IdentityError(`probe identity ${file}: ${(e as Error).message}`);
    }
  }
  try {
    return create(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' && !retried) return loadOrCreateIdentity(file, true);
    throw new IdentityError(`probe identity ${file} could not be created: ${(e as Error).message}`);
  }
}

/**
 * The device signature of a `connect` request (payload v3, as OpenClaw's gateway client
 * signs it and the gateway verifies it: dist/device-auth-*.mjs buildDeviceAuthPayloadV3):
 * v3|device|client id|client mode|role|scopes|signed at (ms)|token|nonce|platform|device family
 * (none here: an empty field).
 */
export function signConnect(
  identity: DeviceIdentity,
  p: { clientId: string; clientMode: string; role: string; scopes: readonly string[]; signedAtMs: number; token: string; nonce: string; platform: string },
): string {
  const payload = ['v3', identity.id, p.clientId, p.clientMode, p.role, p.scopes.join(','), String(p.signedAtMs), p.token, p.nonce, p.platform, ''].join('|');
  return crypto.sign(null, Buffer.from(payload, 'utf8'), identity.privateKey).toString('base64url');
}
