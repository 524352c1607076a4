/**
 * Credentials from the instance role, through IMDSv2 only: the SDK's
 * fromInstanceMetadata with the IMDSv1 fallback disabled. Environment and
 * profile credentials are never used (the bundle even replaces the SDK's
 * default chain with a stub that refuses).
 *
 * Before asking the SDK, the program probes the metadata service itself (PUT
 * the token, list the role) to tell the failures apart precisely: nothing
 * answers (ImdsUnreachable), the token is refused (ImdsTokenRefused), no role
 * or no credentials (NoRoleCredentials). The credentials the calls are
 * signed with come from the SDK provider, never from the probe.
 */
import * as http from 'http';
import { fromInstanceMetadata, getInstanceMetadataEndpoint } from '@smithy/credential-provider-imds';
import { describeError, SecretsFailure } from './failure';

export const IMDS_TOKEN_PATH = '/latest/api/token';
export const IMDS_ROLES_PATH = '/latest/meta-data/iam/security-credentials/';

type Credentials = Awaited<ReturnType<ReturnType<typeof fromInstanceMetadata>>>;

/** What the calls are signed with, and where it came from (for messages). */
export interface InstanceCredentials {
  /** The SDK credential provider the clients use (the first answer cached until 5 min before expiry). */
  readonly provider: () => Promise<Credentials>;
  /** Name of the instance role. */
  readonly role: string;
  /** The metadata service, e.g. http://169.254.169.254. */
  readonly endpoint: string;
}

export interface ImdsOptions {
  readonly timeoutMs: number;
  readonly attempts: number;
}

const SILENT = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

type Answer = { status: number; body: string };

/** One request to the metadata service; rejects on a network error, or when the whole answer has not come within `timeoutMs`. */
function request(base: URL, method: 'PUT' | 'GET', path: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { protocol: base.protocol, hostname: base.hostname.replace(/^\[(.+)\]$/, '$1'), port: base.port || undefined, method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

/** `request`, retried on network errors and time-outs (not on HTTP errors). */
async function requestWithRetry(base: URL, method: 'PUT' | 'GET', path: string, headers: Record<string, string>, o: ImdsOptions): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(base, method, path, headers, o.timeoutMs);
    } catch (e) {
      if (attempt >= o.attempts) {
        const err = e as NodeJS.ErrnoException;
        const what = err.code === 'ETIMEDOUT' ? err.message : describeError(e);
        throw new SecretsFailure(
          'ImdsUnreachable',
          printable(base),
          `no answer from the instance metadata service (${method} ${path}: ${what}, after ${attempt} attempt${attempt === 1 ? '' : 's'}); check the instance metadata options (HttpEndpoint enabled) and the host firewall`,
        );
      }
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

const printable = (base: URL) => `${base.protocol}//${base.host}`;

async function imdsBase(): Promise<URL> {
  const e = await getInstanceMetadataEndpoint();
  return new URL(`${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}`);
}

/**
 * Probes the metadata service (token, role), then gets the role's
 * credentials through the SDK provider. Throws a SecretsFailure with reason
 * ImdsUnreachable, ImdsTokenRefused or NoRoleCredentials.
 */
export async function instanceCredentials(o: ImdsOptions): Promise<InstanceCredentials> {
  const base = await imdsBase();
  const endpoint = printable(base);
  const token = await requestWithRetry(base, 'PUT', IMDS_TOKEN_PATH, { 'x-aws-ec2-metadata-token-ttl-seconds': '300' }, o);
  if (token.status !== 200 || token.body === '') {
    throw new SecretsFailure(
      'ImdsTokenRefused',
      endpoint,
      `the instance metadata service refused an IMDSv2 token (PUT ${IMDS_TOKEN_PATH} answered HTTP ${token.status}${token.status === 200 ? ' with no token' : ''}); IMDSv2 disabled or hop limit too low? check the instance metadata options (HttpTokens required, HttpPutResponseHopLimit) and that no proxy sits in the path`,
    );
  }
  const roles = await requestWithRetry(base, 'GET', IMDS_ROLES_PATH, { 'x-aws-ec2-metadata-token': token.body }, o);
  const role = roles.status === 200 ? roles.body.split('\n')[0]!.trim() : '';
  if (!role) {
    throw new SecretsFailure(
      'NoRoleCredentials',
      endpoint,
      `no IAM role attached to the instance (GET ${IMDS_ROLES_PATH} answered HTTP ${roles.status}${roles.status === 200 ? ' with no role' : ''}); instance profile missing? check the instance profile of the host`,
    );
  }
  const sdkProvider = fromInstanceMetadata({ timeout: o.timeoutMs, maxRetries: o.attempts - 1, ec2MetadataV1Disabled: true, logger: SILENT });
  let credentials: Credentials;
  try {
    credentials = await sdkProvider();
  } catch (e) {
    // The probe just worked, so these are races (the service went away, or refused the SDK's own token).
    if (/Unable to connect|TimeoutError/.test(String((e as Error).message))) {
      throw new SecretsFailure('ImdsUnreachable', endpoint, `the instance metadata service stopped answering (${describeError(e)}); check the instance metadata options (HttpEndpoint enabled) and the host firewall`);
    }
    if ((e as Error).name === 'InstanceMetadataV1FallbackError') {
      throw new SecretsFailure('ImdsTokenRefused', endpoint, `the instance metadata service refused the SDK's IMDSv2 token request (${describeError(e)}); check the instance metadata options (HttpTokens required, HttpPutResponseHopLimit)`);
    }
    throw new SecretsFailure(
      'NoRoleCredentials',
      endpoint,
      `role ${role} is attached but its credentials are not retrievable (GET ${IMDS_ROLES_PATH}${role}: ${describeError(e)}${statusOf(e)}); instance profile missing or its role deleted? check the instance profile of the host and the role's trust policy (ec2.amazonaws.com)`,
    );
  }
  let cached = credentials;
  const provider = async () => {
    if (cached.expiration && cached.expiration.getTime() - Date.now() < 5 * 60_000) cached = await sdkProvider();
    return cached;
  };
  return { provider, role, endpoint };
}

function statusOf(e: unknown): string {
  const status = (e as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? `, HTTP ${status}` : '';
}
