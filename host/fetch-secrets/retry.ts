/**
 * The retry strategy of the Secrets Manager and CloudWatch clients: up to
 * `maxAttempts` attempts per call, retrying throttling, transient errors
 * (time-outs, connection resets, HTTP 500/502/503/504) and other 5xx, with
 * exponential backoff and jitter: before retry n (1-based) it waits a random
 * time in [d/2, d] with d = min(baseMs * 2^(n-1), MAX_DELAY_MS). A client
 * error (access denied, not found...) is never retried.
 *
 * It implements the SDK's RetryStrategyV2 interface (the client's
 * `retryStrategy` option); the SDK sets `$metadata.attempts` on the error it
 * finally throws.
 */

/** Upper bound of one backoff delay. */
export const MAX_DELAY_MS = 5_000;

const RETRYABLE = new Set(['THROTTLING', 'TRANSIENT', 'SERVER_ERROR']);

class Token {
  constructor(
    private readonly count: number,
    private readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
  getRetryCost(): number | undefined {
    return undefined;
  }
}

/** Backoff before retry `retry` (1-based): random in [d/2, d], d = min(base * 2^(retry-1), MAX_DELAY_MS). */
export function backoffDelay(retry: number, baseMs: number, random: () => number = Math.random): number {
  const d = Math.min(baseMs * 2 ** (retry - 1), MAX_DELAY_MS);
  return Math.round(d / 2 + random() * (d / 2));
}

/** Exponential backoff with jitter, as the SDK's RetryStrategyV2. */
export class JitterRetryStrategy {
  readonly mode = 'standard';

  constructor(
    readonly maxAttempts: number,
    readonly baseMs: number,
  ) {}

  async acquireInitialRetryToken(_scope: string): Promise<Token> {
    return new Token(0, 0);
  }

  async refreshRetryTokenForRetry(token: { getRetryCount(): number }, errorInfo: { errorType: string }): Promise<Token> {
    const retry = token.getRetryCount() + 1;
    if (!RETRYABLE.has(errorInfo.errorType) || retry >= this.maxAttempts) throw new Error('no retry');
    return new Token(retry, backoffDelay(retry, this.baseMs));
  }

  recordSuccess(_token: unknown): void {}
}
