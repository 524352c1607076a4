/**
 * An explicit retry on top of the SDK's own, for the calls that must not fail
 * on a passing throttle, server or network error (the EC2 calls on the
 * instances: DescribeInstances, StopInstances, StartInstances).
 * Anything else (access denied, a wrong state) fails at once.
 */

/** Attempts and exponential backoff with full jitter. Tests shorten the delays. */
export const retryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 };

/**
 * Error names the SDK itself classes as throttling (@smithy's THROTTLING_ERROR_CODES, minus the
 * quota-type ones): EC2's RequestLimitExceeded comes with HTTP 503, but IAM's Throttling and the JSON
 * services' ThrottlingException come with HTTP 400, so the name is what marks them.
 */
const THROTTLING: ReadonlySet<unknown> = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
]);
/** The SDK's own timeout (its HTTP handler's TimeoutError carries no HTTP status). Server errors are known by their 5xx status instead. */
const TIMEOUT = 'TimeoutError';
/** Node network errors on the way to the endpoint (no HTTP status either). */
const NETWORK: ReadonlySet<unknown> = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** A throttle, a 5xx or a network error: worth another attempt. */
export function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return (
    THROTTLING.has(e.name) ||
    e.name === TIMEOUT ||
    NETWORK.has(e.code) ||
    status === 429 ||
    status >= 500 ||
    e.$fault === 'server' ||
    e.$retryable !== undefined
  );
}

/** The last error of a retried call: same name and message, with how many attempts were made. */
export class AttemptsError extends Error {
  constructor(
    readonly original: unknown,
    readonly attempts: number,
  ) {
    const source = original instanceof Error ? original : new Error(String(original));
    super(attempts > 1 ? `${source.message} (after ${attempts} attempts)` : source.message);
    this.name = source.name;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `call()`, tried up to `retryPolicy.attempts` times while it fails transiently. Throws the last error as an AttemptsError. */
export function withRetry<T>(call: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  return attemptFrom(call, 1);
}

/** Attempt number `attempt` and, while it fails transiently and attempts are left, the next ones (after a jittered backoff). */
async function attemptFrom<T>(call: () => Promise<T>, attempt: number): Promise<{ value: T; attempts: number }> {
  try {
    return { value: await call(), attempts: attempt };
  } catch (err) {
    if (attempt >= retryPolicy.attempts || !isTransient(err)) throw new AttemptsError(err, attempt);
    const cap = Math.min(retryPolicy.maxDelayMs, retryPolicy.baseDelayMs * 2 ** (attempt - 1));
    await sleep(Math.random() * cap);
    return attemptFrom(call, attempt + 1);
  }
}
