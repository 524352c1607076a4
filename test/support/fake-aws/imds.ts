import { pseudoRandom, ALNUM_UPPER } from '../pseudo-random';
import type { FakeCredentials } from './sigv4';
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from './server';

export const IMDS_TOKEN_PATH = '/latest/api/token';
export const IMDS_ROLES_PATH = '/latest/meta-data/iam/security-credentials/';

/** How the fake metadata service behaves (per test; change it between runs). */
export interface ImdsBehaviour {
  /**
   * Answer of PUT /latest/api/token: 'ok' (a token, when the TTL header is present), an HTTP status,
   * or 'empty' (HTTP 200 with no body: what a proxy in the path, not the real service, may answer).
   */
  token: 'ok' | number | 'empty';
  /** The attached role; null: none (404 on the role listing). */
  role: string | null;
  /** Answer of GET .../security-credentials/<role>: 'ok', an HTTP status, or 'invalid' (a document without keys). */
  credentials: 'ok' | number | 'invalid';
  /** Accept connections, never answer. */
  hang: boolean;
  /** Serve these credentials instead of the accepted ones (to prove the services check signatures). */
  served?: FakeCredentials;
  /**
   * The service changes during a run: after answering `requests` requests as
   * above, it never answers again ('hang') or answers every request with this
   * HTTP status (e.g. 403 to token requests once IMDSv2 is disabled).
   */
  afterRequests?: { readonly requests: number; readonly then: 'hang' | number };
  /** Lifetime of the served credentials (Expiration - now); the real service serves ~6 h and rotates them before expiry. */
  credentialsTtlMs?: number;
}

/** Obviously fake role credentials, made at run time from `seed`. */
export function fakeRoleCredentials(seed: number): FakeCredentials {
  return {
    accessKeyId: `TESTAKID${pseudoRandom(12, seed, ALNUM_UPPER)}`,
    secretAccessKey: `test-secret-access-key-${pseudoRandom(24, seed + 1)}`,
    sessionToken: `test-session-token-${pseudoRandom(48, seed + 2)}`,
  };
}

/**
 * A stand-in IMDSv2 on 127.0.0.1: PUT /latest/api/token (requires the TTL
 * header) gives a session token; GETs without that token get 401 (IMDSv1 is
 * refused); the role listing and the role's credentials document (with a
 * 6-hour expiration) follow `behaviour`. Records every request.
 */
export async function startFakeImds(credentials: FakeCredentials, role = 'openclaw-test-gateway-role') {
  const token = `test-imds-token-${pseudoRandom(16, 77)}`;
  const behaviour: ImdsBehaviour = { token: 'ok', role, credentials: 'ok', hang: false };
  const requests: ReceivedRequest[] = [];
  const answer = (req: ReceivedRequest): FakeAnswer => {
    requests.push(req);
    if (behaviour.hang) return 'hang';
    const text = (status: number, body = '') => ({ status, headers: { 'content-type': 'text/plain' }, body });
    const after = behaviour.afterRequests;
    if (after && requests.length > after.requests) return after.then === 'hang' ? 'hang' : text(after.then);
    if (req.method === 'PUT' && req.url === IMDS_TOKEN_PATH) {
      if (behaviour.token === 'empty') return text(200);
      if (behaviour.token !== 'ok') return text(behaviour.token);
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      return ttl >= 1 && ttl <= 21600 ? text(200, token) : text(400);
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== token) return text(401);
    if (req.method !== 'GET') return text(405);
    if (req.url === IMDS_ROLES_PATH) return behaviour.role ? text(200, behaviour.role) : text(404);
    if (behaviour.role && req.url === IMDS_ROLES_PATH + behaviour.role) {
      if (typeof behaviour.credentials === 'number') return text(behaviour.credentials);
      if (behaviour.credentials === 'invalid') return text(200, JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC' }));
      const now = Date.now();
      const c = behaviour.served ?? credentials;
      return text(
        200,
        JSON.stringify({
          Code: 'Success',
          LastUpdated: new Date(now).toISOString(),
          Type: 'AWS-HMAC',
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          Token: c.sessionToken,
          Expiration: new Date(now + (behaviour.credentialsTtlMs ?? 6 * 3600_000)).toISOString(),
        }),
      );
    }
    return text(404);
  };
  const server = await startFakeServer(answer);
  return {
    ...server,
    behaviour,
    requests,
    /** Back to a healthy service; forgets the recorded requests. */
    reset() {
      Object.assign(behaviour, { token: 'ok', role, credentials: 'ok', hang: false, served: undefined, afterRequests: undefined, credentialsTtlMs: undefined } satisfies ImdsBehaviour);
      requests.length = 0;
    },
  };
}

export type FakeImds = Awaited<ReturnType<typeof startFakeImds>>;
