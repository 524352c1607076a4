/**
 * Why the secret retrieval failed: one Reason per probable cause, each with
 * its own exit code (documented in docs/secrets.md, "Failures are named", and the systemd units), and the one
 * line the program prints for it. A failure message never holds a secret
 * value: only names, paths, endpoints, HTTP statuses and SDK error names and
 * messages (which never echo a value).
 */

/** Exit code of each failure reason. 0 is success; 2 a bad command line or manifest. */
export const EXIT_CODES = {
  Usage: 2,
  ManifestInvalid: 2,
  NoGatewayUser: 2,
  ImdsUnreachable: 10,
  ImdsTokenRefused: 11,
  NoRoleCredentials: 12,
  AccessDenied: 13,
  SecretMissing: 14,
  SecretEmpty: 15,
  KmsDecryptDenied: 16,
  ServiceUnavailable: 17,
  SecretMalformed: 18,
  WriteFailed: 19,
  Unexpected: 20,
} as const;

/** Name of a failure reason: the Reason dimension of the metric and the word after FAILED. */
export type Reason = keyof typeof EXIT_CODES;

/** Prefix of every line the program prints. */
export const LINE_PREFIX = 'openclaw-secrets:';

/**
 * A classified failure. `subject` is what failed (secret name, endpoint or
 * path); `detail` the probable cause and what to check.
 */
export class SecretsFailure extends Error {
  constructor(
    readonly reason: Reason,
    readonly subject: string,
    readonly detail: string,
  ) {
    super(`${reason}: ${subject}: ${detail}`);
    this.name = 'SecretsFailure';
  }

  get exitCode(): number {
    return EXIT_CODES[this.reason];
  }
}

/** What happened to the failure metric: published to a namespace, or why not. */
export type MetricOutcome = { readonly published: true; readonly namespace: string } | { readonly published: false; readonly why: string };

/**
 * The single stderr line of a failure:
 * `openclaw-secrets: FAILED <Reason>: <subject>: <cause> [metric <name>{Reason=<Reason>} published to <ns> | not published: <why>]`
 */
export function failureLine(failure: SecretsFailure, metricName: string, metric: MetricOutcome): string {
  const m = `metric ${metricName}{Reason=${failure.reason}}`;
  const tail = metric.published ? `[${m} published to ${metric.namespace}]` : `[${m} not published: ${metric.why}]`;
  return `${LINE_PREFIX} FAILED ${failure.reason}: ${failure.subject}: ${failure.detail} ${tail}`;
}

/** One line of an SDK or system error: name and message, newlines folded, bounded. */
export function describeError(e: unknown, max = 240): string {
  const err = e as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  const name = typeof err?.name === 'string' && err.name !== 'Error' ? err.name : typeof err?.code === 'string' ? err.code : 'Error';
  const message = typeof err?.message === 'string' ? err.message.replace(/\s+/g, ' ').trim() : String(e);
  const text = message && message !== name ? `${name}: ${message}` : name;
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Name of the failure metric when no manifest could be read (equals SECRET_RETRIEVAL_METRIC of lib/shared/metric-names.ts; test/shared/metric-names.test.ts checks it). */
export const DEFAULT_METRIC_NAME = 'SecretRetrievalFailed';
