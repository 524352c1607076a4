/**
 * Publishes the figures to CloudWatch in one PutMetricData call, to the host
 * namespace in the host's region, signed with the instance role's credentials
 * from IMDSv2 only (host/fetch-secrets/imds.ts: fromInstanceMetadata, IMDSv1
 * fallback off; the bundle replaces the SDK's default chain by a stub that
 * refuses). Unit None, no timestamp (CloudWatch's receive time):
 *   ModelSpendTodayUsd, ModelSpendMonthUsd   no dimensions (the spend alarms)
 *   ModelSpendMonthUsd{Model=<provider>/<model>}   one per model with spend this month
 *   AgentBreakerTripped{Gateway=<id>}  unit Count, 1 while its breaker marker is there, else 0
 * Bounded by a deadline; never throws: says whether it published, or why not.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { AGENT_BREAKER_TRIPPED_METRIC, BREAKER_GATEWAY_DIMENSION, MODEL_DIMENSION, MODEL_SPEND_MONTH_METRIC, MODEL_SPEND_TODAY_METRIC } from '../../lib/host/spend-meter';
import { describeError, SecretsFailure } from '../fetch-secrets/failure';
import { instanceCredentials } from '../fetch-secrets/imds';
import { proxyAwareHandler } from '../fetch-secrets/proxy-agent';
import { JitterRetryStrategy } from '../fetch-secrets/retry';
import { metricValue } from './pricing';

/** Longest the meter waits for CloudWatch. */
export const PUBLISH_DEADLINE_MS = 10_000;
/** Most per-model data in one run (the highest spenders). */
export const MAX_MODEL_DATA = 50;

export type PublishOutcome = { readonly published: true } | { readonly published: false; readonly why: string };

export interface Figures {
  readonly todayUsd: number;
  readonly monthUsd: number;
  readonly monthByModel: Readonly<Record<string, number>>;
  /** Gateway id -> whether its breaker marker is there (in the manifest's order). */
  readonly tripped?: Readonly<Record<string, boolean>>;
}

/** The data of one run, in the order published. */
export function metricData(f: Figures): MetricDatum[] {
  const models = Object.entries(f.monthByModel)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_MODEL_DATA);
  return [
    { MetricName: MODEL_SPEND_TODAY_METRIC, Value: metricValue(f.todayUsd), Unit: 'None' },
    { MetricName: MODEL_SPEND_MONTH_METRIC, Value: metricValue(f.monthUsd), Unit: 'None' },
    ...models.map(([model, usd]): MetricDatum => ({ MetricName: MODEL_SPEND_MONTH_METRIC, Dimensions: [{ Name: MODEL_DIMENSION, Value: model }], Value: metricValue(usd), Unit: 'None' })),
    ...Object.entries(f.tripped ?? {}).map(
      ([id, on]): MetricDatum => ({ MetricName: AGENT_BREAKER_TRIPPED_METRIC, Dimensions: [{ Name: BREAKER_GATEWAY_DIMENSION, Value: id }], Value: on ? 1 : 0, Unit: 'Count' }),
    ),
  ];
}

export async function publishFigures(
  target: { readonly region: string; readonly namespace: string },
  figures: Figures,
  imds: { readonly timeoutMs: number; readonly attempts: number },
): Promise<PublishOutcome> {
  let provider;
  try {
    provider = (await instanceCredentials(imds)).provider;
  } catch (e) {
    return { published: false, why: e instanceof SecretsFailure ? `no credentials (${e.reason})` : `no credentials (${describeError(e)})` };
  }
  const client = new CloudWatchClient({
    region: target.region,
    credentials: provider,
    maxAttempts: 3,
    retryStrategy: new JitterRetryStrategy(3, 200),
    requestHandler: proxyAwareHandler({ connectionTimeout: 3_000, requestTimeout: 5_000 }),
  });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), PUBLISH_DEADLINE_MS);
  try {
    await client.send(new PutMetricDataCommand({ Namespace: target.namespace, MetricData: metricData(figures) }), { abortSignal: abort.signal });
    return { published: true };
  } catch (e) {
    if (abort.signal.aborted) return { published: false, why: `CloudWatch did not answer within ${PUBLISH_DEADLINE_MS / 1000} s` };
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    return { published: false, why: `${err.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}` };
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
