/**
 * Publishes the failure metric (manifest.metricName, value 1, unit Count)
 * twice in one call: with dimension Reason (what went wrong) and without
 * (what the alarm watches: one metric for every reason) to the host region's
 * namespace: best effort, bounded
 * by a short deadline, never throws. Says what happened, for the failure line.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { SecretsManifest } from '../../lib/secrets/secrets-manifest';
import type { MetricOutcome, Reason } from './failure';
import type { InstanceCredentials } from './imds';
import { proxyAwareHandler } from './proxy-agent';
import { JitterRetryStrategy } from './retry';

/** Longest the program waits for CloudWatch. */
export const METRIC_DEADLINE_MS = 4_000;

/** The client's `requestHandler` options: a connection within 2 s, an answer within 3 s (both inside the deadline). */
export const METRIC_HTTP_TIMEOUTS = { connectionTimeout: 2_000, requestTimeout: 3_000 } as const;

/** Publishes {Reason=reason}; `credentials` undefined (IMDS failed) means it cannot. `deadlineMs`: tests only. */
export async function publishFailureMetric(
  manifest: Pick<SecretsManifest, 'region' | 'metricNamespace' | 'metricName'>,
  reason: Reason,
  credentials: InstanceCredentials | undefined,
  deadlineMs: number = METRIC_DEADLINE_MS,
): Promise<MetricOutcome> {
  if (!credentials) return { published: false, why: 'no credentials' };
  const client = new CloudWatchClient({
    region: manifest.region,
    credentials: credentials.provider,
    maxAttempts: 2,
    retryStrategy: new JitterRetryStrategy(2, 100),
    requestHandler: proxyAwareHandler(METRIC_HTTP_TIMEOUTS),
  });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), deadlineMs);
  try {
    await client.send(
      new PutMetricDataCommand({
        Namespace: manifest.metricNamespace,
        MetricData: [
          { MetricName: manifest.metricName, Dimensions: [{ Name: 'Reason', Value: reason }], Value: 1, Unit: 'Count' },
          { MetricName: manifest.metricName, Value: 1, Unit: 'Count' },
        ],
      }),
      { abortSignal: abort.signal },
    );
    return { published: true, namespace: manifest.metricNamespace };
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (abort.signal.aborted) return { published: false, why: `CloudWatch did not answer within ${deadlineMs / 1000} s` };
    const status = err.$metadata?.httpStatusCode;
    return { published: false, why: `${err.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}` };
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
