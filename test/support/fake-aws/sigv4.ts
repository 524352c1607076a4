import { createHash, createHmac, timingSafeEqual } from 'crypto';
import type { ReceivedRequest } from './server';

/** Credentials a fake service accepts. */
export interface FakeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** What a correctly signed request claims. */
export interface SignedBy {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
}

/** The outcome of a signature check: who signed, or why it is refused. */
export type SignatureCheck = ({ ok: true } & SignedBy) | { ok: false; why: string };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
const strictEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const [k, v = ''] = p.split('=');
      return [strictEncode(decodeURIComponent(k!)), strictEncode(decodeURIComponent(v))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * The signing key of SigV4: HMAC chain of "AWS4" + secret, date, region,
 * service and "aws4_request".
 */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

/** The canonical request of SigV4 for a received request and its signed headers (non-S3 path rules). */
export function canonicalRequest(req: ReceivedRequest, signedHeaders: readonly string[]): string {
  const [rawPath = '/', query = ''] = req.url.split('?');
  const canonicalPath = rawPath.split('/').map(strictEncode).join('/');
  const header = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
  };
  const payload = typeof req.headers['x-amz-content-sha256'] === 'string' ? req.headers['x-amz-content-sha256'] : sha256(req.body);
  return [req.method, canonicalPath, canonicalQuery(query), ...signedHeaders.map((h) => `${h}:${header(h)}`), '', signedHeaders.join(';'), payload].join('\n');
}

/**
 * Recomputes the SigV4 signature of `req` (canonical request, string to
 * sign, signing key) with the credentials the fake accepts and compares it.
 * Also requires: host, x-amz-date and x-amz-security-token among the signed
 * headers, the session token equal to the expected one, the scope's date
 * equal to x-amz-date's, the scope's service equal to `service`, and a
 * signing time within 15 minutes of now.
 */
export function verifySigV4(req: ReceivedRequest, accepted: FakeCredentials, service: string): SignatureCheck {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return { ok: false, why: 'unsigned request (no Authorization header)' };
  const m = AUTH.exec(auth);
  if (!m) return { ok: false, why: 'Authorization header is not AWS4-HMAC-SHA256' };
  const [, accessKeyId, date, region, scopeService, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  const signedHeaders = signedList.split(';');
  const amzDate = req.headers['x-amz-date'];
  if (accessKeyId !== accepted.accessKeyId) return { ok: false, why: 'unknown access key id' };
  if (scopeService !== service) return { ok: false, why: `credential scope service ${scopeService}, expected ${service}` };
  for (const h of ['host', 'x-amz-date', 'x-amz-security-token']) if (!signedHeaders.includes(h)) return { ok: false, why: `${h} is not signed` };
  if (req.headers['x-amz-security-token'] !== accepted.sessionToken) return { ok: false, why: 'x-amz-security-token is not the session token' };
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return { ok: false, why: 'x-amz-date missing or not the scope date' };
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(Date.now() - signedAt) > 15 * 60_000) return { ok: false, why: 'signing time more than 15 minutes off' };
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonicalRequest(req, signedHeaders))].join('\n');
  const expected = createHmac('sha256', signingKey(accepted.secretAccessKey, date, region, service)).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, why: 'signature mismatch' };
  return { ok: true, accessKeyId, region, service, signedHeaders };
}
