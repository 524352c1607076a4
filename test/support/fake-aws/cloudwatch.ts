import { gunzipSync } from 'zlib';
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from './server';
import { verifySigV4, type FakeCredentials } from './sigv4';

/** One datum of a PutMetricData call, decoded. */
export interface RecordedMetric {
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly value: number;
  readonly unit: string;
}

interface PutMetricDataInput {
  Namespace?: string;
  MetricData?: { MetricName?: string; Dimensions?: { Name?: string; Value?: string }[]; Value?: number; Unit?: string }[];
}

/**
 * Decodes the body of PutMetricData. @aws-sdk/client-cloudwatch 3.1162.0
 * speaks awsJson1.0 (X-Amz-Target GraniteServiceVersion20100801.PutMetricData,
 * application/x-amz-json-1.0, awsQuery-compatible); a gzip body (request
 * compression) is inflated first. Any other protocol throws, so a change of
 * the SDK's wire format fails the tests instead of passing silently.
 */
export function decodePutMetricData(req: ReceivedRequest): PutMetricDataInput {
  const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(req.body) : req.body;
  const type = req.headers['content-type'];
  if (type !== 'application/x-amz-json-1.0' || req.headers['x-amz-target'] !== 'GraniteServiceVersion20100801.PutMetricData') {
    throw new Error(`unexpected CloudWatch protocol: content-type ${String(type)}, target ${String(req.headers['x-amz-target'])}`);
  }
  return JSON.parse(body.toString('utf8')) as PutMetricDataInput;
}

/**
 * A stand-in CloudWatch on 127.0.0.1 that records PutMetricData calls.
 * Requests must be SigV4-signed (service monitoring) with the accepted
 * credentials; `failing` makes it answer 500, `hang` accept and never answer.
 */
export async function startFakeCloudWatch(accepted: FakeCredentials) {
  const metrics: RecordedMetric[] = [];
  const rejections: string[] = [];
  const state = { failing: false, hang: false };
  const answer = (req: ReceivedRequest): FakeAnswer => {
    if (state.hang) return 'hang';
    const sig = verifySigV4(req, accepted, 'monitoring');
    const err = (status: number, type: string, message: string): FakeAnswer => ({
      status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${type};Sender` },
      body: JSON.stringify({ __type: type, message }),
    });
    if (!sig.ok) {
      rejections.push(sig.why);
      return err(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    if (state.failing) return err(500, 'InternalServiceFault', 'An error occurred on the server side.');
    const input = decodePutMetricData(req);
    for (const d of input.MetricData ?? []) {
      metrics.push({
        region: sig.region,
        namespace: input.Namespace ?? '',
        metricName: d.MetricName ?? '',
        dimensions: Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name ?? '', x.Value ?? ''])),
        value: d.Value ?? NaN,
        unit: d.Unit ?? '',
      });
    }
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: '{}' };
  };
  const server = await startFakeServer(answer);
  return {
    ...server,
    metrics,
    rejections,
    state,
    reset() {
      metrics.length = 0;
      rejections.length = 0;
      state.failing = false;
      state.hang = false;
    },
  };
}

export type FakeCloudWatch = Awaited<ReturnType<typeof startFakeCloudWatch>>;
