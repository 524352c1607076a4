/**
 * The origin-verify header in the CloudFront distribution's config: every
 * origin that sends the header gets the pending value; nothing else changes.
 * The config holds the header's current value (a secret) and maybe other
 * secret headers: every custom header value is registered with the step's log
 * as soon as the config is read, and none is ever put in an error.
 */
import {
  CloudFrontClient,
  type DistributionConfig,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { type StepLog } from './log';

/** CloudFront's API is global, signed for us-east-1. */
const cloudfront = new CloudFrontClient({ region: 'us-east-1' });

/** Tries of the read-modify-write when another writer changes the distribution in between (PreconditionFailed). */
export const UPDATE_ATTEMPTS = 3;

export class OriginHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginHeaderError';
  }
}

export interface HeaderScan {
  /** Ids of the origins that send the header. */
  readonly withHeader: readonly string[];
  /** Ids of those whose value is not (yet) `value`. */
  readonly stale: readonly string[];
}

const sameName = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** Each origin of `config` with its custom headers (none when it has none). */
const originsOf = (config: DistributionConfig | undefined) =>
  (config?.Origins?.Items ?? []).map((origin) => ({ origin, headers: origin.CustomHeaders?.Items ?? [] }));

/** Which origins send `headerName` (any case), and which of them with a value other than `value`. */
export function scanHeader(config: DistributionConfig, headerName: string, value: string): HeaderScan {
  const withHeader: string[] = [];
  const stale: string[] = [];
  for (const { origin, headers } of originsOf(config)) {
    const sent = headers.filter((h) => sameName(h.HeaderName, headerName));
    if (sent.length === 0) continue;
    const id = origin.Id ?? '?';
    withHeader.push(id);
    if (sent.some((h) => h.HeaderValue !== value)) stale.push(id);
  }
  return { withHeader, stale };
}

/** A copy of `config` with `headerName` set to `value` wherever it is sent; every other field as it was. */
export function withHeaderValue(config: DistributionConfig, headerName: string, value: string): DistributionConfig {
  const copy = structuredClone(config);
  for (const { headers } of originsOf(copy)) {
    for (const header of headers) {
      if (sameName(header.HeaderName, headerName)) header.HeaderValue = value;
    }
  }
  return copy;
}

async function readConfig(distributionId: string, log: StepLog): Promise<{ etag: string; config: DistributionConfig }> {
  const out = await cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId }));
  for (const { headers } of originsOf(out.DistributionConfig)) {
    for (const header of headers) log.secret(header.HeaderValue);
  }
  if (out.DistributionConfig === undefined || out.ETag === undefined) {
    throw new OriginHeaderError(`GetDistributionConfig of ${distributionId} returned no config or no ETag`);
  }
  return { etag: out.ETag, config: out.DistributionConfig };
}

function requireHeader(scan: HeaderScan, distributionId: string, headerName: string): void {
  if (scan.withHeader.length === 0) {
    throw new OriginHeaderError(`no origin of distribution ${distributionId} sends the header ${headerName}: nothing to rotate into`);
  }
}

/**
 * setSecret's CloudFront half: every origin sending `headerName` sends `value`.
 * Skips the update when they all do already (a retried step). Retries the
 * read-modify-write on PreconditionFailed (the ETag changed underneath).
 */
export async function setOriginHeader(
  distributionId: string,
  headerName: string,
  value: string,
  log: StepLog,
): Promise<{ updated: boolean; origins: number; attempts: number }> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    const { etag, config } = await readConfig(distributionId, log);
    const scan = scanHeader(config, headerName, value);
    requireHeader(scan, distributionId, headerName);
    if (scan.stale.length === 0) return { updated: false, origins: scan.withHeader.length, attempts: attempt };
    try {
      await cloudfront.send(
        new UpdateDistributionCommand({ Id: distributionId, IfMatch: etag, DistributionConfig: withHeaderValue(config, headerName, value) }),
      );
      return { updated: true, origins: scan.withHeader.length, attempts: attempt };
    } catch (err) {
      if (!(err instanceof Error && err.name === 'PreconditionFailed')) throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/** testSecret: every origin sending `headerName` sends `value`. Throws naming the origins that do not. */
export async function checkOriginHeader(distributionId: string, headerName: string, value: string, log: StepLog): Promise<{ origins: number }> {
  const { config } = await readConfig(distributionId, log);
  const scan = scanHeader(config, headerName, value);
  requireHeader(scan, distributionId, headerName);
  if (scan.stale.length > 0) {
    throw new OriginHeaderError(
      `distribution ${distributionId} does not send the pending value in ${headerName} from origin(s) ${scan.stale.join(', ')}`,
    );
  }
  return { origins: scan.withHeader.length };
}

/**
 * Secrets Manager's configuration test: every origin sending `headerName`
 * sends one of `accepted` (the current value, or the test's own pending value).
 * Throws naming the origins that send anything else.
 */
export async function checkOriginHeaderIsOneOf(
  distributionId: string,
  headerName: string,
  accepted: readonly [string, ...string[]],
  log: StepLog,
): Promise<{ origins: number }> {
  const { config } = await readConfig(distributionId, log);
  const [first, ...others] = accepted;
  const scan = scanHeader(config, headerName, first);
  requireHeader(scan, distributionId, headerName);
  const neither = scan.stale.filter((origin) => others.every((value) => scanHeader(config, headerName, value).stale.includes(origin)));
  if (neither.length > 0) {
    throw new OriginHeaderError(
      `distribution ${distributionId} sends neither the current nor the pending value in ${headerName} from origin(s) ${neither.join(', ')}`,
    );
  }
  return { origins: scan.withHeader.length };
}
