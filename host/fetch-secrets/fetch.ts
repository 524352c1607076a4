/**
 * Fetches the secrets of the manifest from Secrets Manager: one client per
 * region (origin-verify lives in us-east-1, the others in the host region),
 * at most `concurrency` secrets at a time, each call retried on throttling
 * and 5xx (retry.ts). Returns every secret's file content, or the failure of
 * the first failed secret in manifest order (deterministic).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { renderSecretFile, type FetchedValues } from './content';
import { diagnoseCallError, isNotFound } from './diagnose';
import { SecretsFailure, describeError } from './failure';
import type { InstanceCredentials } from './imds';
import { proxyAwareHandler } from './proxy-agent';
import { JitterRetryStrategy } from './retry';

export interface FetchOptions {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly concurrency: number;
}

/** A secret and the content of its file. */
export interface FetchedSecret {
  readonly secret: ManifestSecret;
  readonly content: string;
}

/** The `requestHandler` options of every client: short connect, bounded request. */
export const HTTP_TIMEOUTS = { connectionTimeout: 3_000, requestTimeout: 10_000 } as const;

/** Runs `task` over `items` with at most `limit` at a time; results in input order, never rejects. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        results[i] = { status: 'fulfilled', value: await task(items[i]!) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Fetches and checks every secret; throws the SecretsFailure of the first failed one (manifest order). */
export async function fetchSecrets(secrets: readonly ManifestSecret[], credentials: InstanceCredentials, o: FetchOptions): Promise<FetchedSecret[]> {
  const clients = new Map<string, SecretsManagerClient>();
  const clientFor = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      c = new SecretsManagerClient({
        region,
        credentials: credentials.provider,
        maxAttempts: o.maxAttempts,
        retryStrategy: new JitterRetryStrategy(o.maxAttempts, o.retryBaseMs),
        requestHandler: proxyAwareHandler(HTTP_TIMEOUTS),
      });
      clients.set(region, c);
    }
    return c;
  };
  try {
    const results = await mapLimited(secrets, o.concurrency, async (secret) => {
      const client = clientFor(secret.region);
      const endpoint = secretsManagerEndpoint(secret.region);
      const get = async (stage: string, optional: boolean): Promise<string | undefined> => {
        try {
          const out = await client.send(new GetSecretValueCommand({ SecretId: secret.secretId, VersionStage: stage }));
          return out.SecretString;
        } catch (e) {
          if (optional && isNotFound(e)) return undefined;
          throw diagnoseCallError(e, { secret, stage, role: credentials.role, endpoint });
        }
      };
      let values: FetchedValues;
      if (secret.kind === 'origin-verify') {
        const [current, pending, previous] = await settleInOrder([get('AWSCURRENT', false), get('AWSPENDING', true), get('AWSPREVIOUS', true)]);
        values = { current, pending, previous };
      } else {
        values = { current: await get('AWSCURRENT', false) };
      }
      return { secret, content: renderSecretFile(secret, values) };
    });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw asFailure(failed.reason);
    return results.map((r) => (r as PromiseFulfilledResult<FetchedSecret>).value);
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}

/** Awaits all, then throws the first rejection in array order (not in time order). */
async function settleInOrder<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * Where the calls of a region go (for messages): the override the SDK honours
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL) or the regional endpoint.
 */
export function secretsManagerEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL || `https://secretsmanager.${region}.amazonaws.com`;
}

function asFailure(e: unknown): SecretsFailure {
  return e instanceof SecretsFailure ? e : new SecretsFailure('Unexpected', 'fetch', `${describeError(e)}; this is a bug of fetch-secrets: report it`);
}
