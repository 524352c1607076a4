import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import * as imdsModule from '../../host/fetch-secrets/imds';
import { JitterRetryStrategy } from '../../host/fetch-secrets/retry';
import { MAX_MODEL_DATA, PUBLISH_DEADLINE_MS, metricData, publishFigures } from '../../host/spend-meter/publish';
import type { FakeCloudWatch } from '../support/fake-aws/cloudwatch';
import type { FakeImds } from '../support/fake-aws/imds';
import { useInProcessFakeAws } from '../support/fake-aws/world';

// Publishing the figures (host/spend-meter/publish.ts), focused: the exact data of a
// run, the one PutMetricData call signed with IMDSv2 credentials (loopback fakes),
// and every way it can fail, each bounded and named.

const TARGET = { region: 'eu-west-1', namespace: 'OpenClaw/openclaw-example-dev' };
const IMDS = { timeoutMs: 300, attempts: 1 };
const FIGURES = { todayUsd: 1.5, monthUsd: 0.1 + 0.2, monthByModel: { 'b/small': 0.1, 'a/big': 0.2 } };

// The loopback IMDS and CloudWatch fakes, and this process's environment pointed at them
// (no profile or environment credentials of this machine), as for every in-process host test.
const world = useInProcessFakeAws(9800, 'oc-spend-meter-publish-');
let imds: FakeImds;
let cw: FakeCloudWatch;
beforeAll(() => ({ imds, cw } = world.aws));
afterEach(() => jest.restoreAllMocks());

const published = () => cw.metrics.map((m) => `${m.region}/${m.namespace} ${m.metricName}${Object.entries(m.dimensions).map(([k, v]) => `{${k}=${v}}`).join('')}=${m.value} ${m.unit}`);

describe('metricData', () => {
  test('today and month without dimensions, then the month by model: highest first, ties by name', () => {
    expect(metricData({ todayUsd: 0.1 + 0.2, monthUsd: 7, monthByModel: { 'z/tie': 2, 'a/low': 1, 'b/high': 5, 'a/tie': 2 } })).toEqual([
      { MetricName: 'ModelSpendTodayUsd', Value: 0.3, Unit: 'None' },
      { MetricName: 'ModelSpendMonthUsd', Value: 7, Unit: 'None' },
      { MetricName: 'ModelSpendMonthUsd', Dimensions: [{ Name: 'Model', Value: 'b/high' }], Value: 5, Unit: 'None' },
      { MetricName: 'ModelSpendMonthUsd', Dimensions: [{ Name: 'Model', Value: 'a/tie' }], Value: 2, Unit: 'None' },
      { MetricName: 'ModelSpendMonthUsd', Dimensions: [{ Name: 'Model', Value: 'z/tie' }], Value: 2, Unit: 'None' },
      { MetricName: 'ModelSpendMonthUsd', Dimensions: [{ Name: 'Model', Value: 'a/low' }], Value: 1, Unit: 'None' },
    ]);
  });

  test(`at most ${MAX_MODEL_DATA} models: the highest spenders`, () => {
    const monthByModel = Object.fromEntries(Array.from({ length: MAX_MODEL_DATA + 2 }, (_, n) => [`p/m${String(n).padStart(2, '0')}`, n + 1]));
    const data = metricData({ todayUsd: 0, monthUsd: 0, monthByModel });
    expect(MAX_MODEL_DATA).toBe(50);
    expect(data.length).toBe(2 + MAX_MODEL_DATA);
    expect(data.slice(2).map((d) => d.Dimensions![0]!.Value)).toEqual(Array.from({ length: MAX_MODEL_DATA }, (_, n) => `p/m${String(MAX_MODEL_DATA + 1 - n).padStart(2, '0')}`));
  });
});

describe('publishFigures', () => {
  test('one PutMetricData call to the region and namespace, signed with the instance role\'s IMDSv2 credentials', async () => {
    expect(await publishFigures(TARGET, FIGURES, IMDS)).toEqual({ published: true });
    expect(published()).toEqual([
      'eu-west-1/OpenClaw/openclaw-example-dev ModelSpendTodayUsd=1.5 None',
      'eu-west-1/OpenClaw/openclaw-example-dev ModelSpendMonthUsd=0.3 None',
      'eu-west-1/OpenClaw/openclaw-example-dev ModelSpendMonthUsd{Model=a/big}=0.2 None',
      'eu-west-1/OpenClaw/openclaw-example-dev ModelSpendMonthUsd{Model=b/small}=0.1 None',
    ]);
    const asked = imds.requests.map((r) => `${r.method} ${r.url}`);
    expect([asked[0], asked.at(-1)]).toEqual(['PUT /latest/api/token', 'GET /latest/meta-data/iam/security-credentials/openclaw-test-gateway-role']);
  });

  test('the client: the region, 3 attempts with the jittered retry strategy, connection and request timeouts; destroyed after the call', async () => {
    const seen: { config: Record<string, unknown>; destroyed: boolean }[] = [];
    const send = CloudWatchClient.prototype.send;
    jest.spyOn(CloudWatchClient.prototype, 'send').mockImplementation(function (this: CloudWatchClient, ...args: unknown[]) {
      seen.push({ config: (this as unknown as { config: Record<string, unknown> }).config, destroyed: false });
      return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } as never);
    const destroy = jest.spyOn(CloudWatchClient.prototype, 'destroy');
    expect(await publishFigures(TARGET, FIGURES, IMDS)).toEqual({ published: true });
    expect(seen.length).toBe(1);
    const config = seen[0]!.config;
    expect(await (config.region as () => Promise<string>)()).toBe('eu-west-1');
    expect(await (config.maxAttempts as () => Promise<number>)()).toBe(3);
    expect(await (config.retryStrategy as () => Promise<unknown>)()).toBeInstanceOf(JitterRetryStrategy);
    const handler = config.requestHandler as { httpHandlerConfigs(): Record<string, unknown>; configProvider?: Promise<unknown> };
    await handler.configProvider;
    expect(handler.httpHandlerConfigs()).toMatchObject({ connectionTimeout: 3_000, requestTimeout: 5_000 });
    expect(destroy).toHaveBeenCalledTimes(1);
  });

  test('no credentials from the metadata service: not published, the reason named, CloudWatch not called', async () => {
    imds.behaviour.role = null;
    const outcome = await publishFigures(TARGET, FIGURES, IMDS);
    expect(outcome).toEqual({ published: false, why: 'no credentials (NoRoleCredentials)' });
    expect(cw.metrics).toEqual([]);
  });

  test('an unexpected error getting credentials: not published, its message on one line', async () => {
    jest.spyOn(imdsModule, 'instanceCredentials').mockRejectedValue(new Error('socket\n  closed'));
    expect(await publishFigures(TARGET, FIGURES, IMDS)).toEqual({ published: false, why: 'no credentials (Error: socket closed)' });
  });

  test('CloudWatch failing (HTTP 500 on every attempt): not published, its error name and status', async () => {
    cw.state.failing = true;
    expect(await publishFigures(TARGET, FIGURES, IMDS)).toEqual({ published: false, why: 'InternalServiceFault (HTTP 500)' });
  });

  test.each<[string, unknown, string]>([
    ['without name or status', {}, 'error'],
    ['with a name, no metadata', { name: 'TimeoutError' }, 'TimeoutError'],
    ['with a name, metadata without status', { name: 'Throttling', $metadata: {} }, 'Throttling'],
  ])('an SDK error %s', async (_name, error, why) => {
    jest.spyOn(CloudWatchClient.prototype, 'send').mockRejectedValue(error as never);
    expect(await publishFigures(TARGET, FIGURES, IMDS)).toEqual({ published: false, why });
  });

  test(`CloudWatch not answering: aborted at the ${PUBLISH_DEADLINE_MS / 1000} s deadline (fired early here), its timer cleared`, async () => {
    cw.state.hang = true;
    const realSetTimeout = global.setTimeout as unknown as (cb: () => void, ms?: number, ...rest: unknown[]) => NodeJS.Timeout;
    const deadlines: unknown[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation(((cb: () => void, ms?: number, ...rest: unknown[]) => {
      if (ms !== PUBLISH_DEADLINE_MS) return realSetTimeout(cb, ms, ...rest);
      const t = realSetTimeout(cb, 200);
      deadlines.push(t);
      return t;
    }) as never);
    const clear = jest.spyOn(global, 'clearTimeout');
    let bound: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      publishFigures(TARGET, FIGURES, IMDS),
      new Promise((resolve) => {
        bound = realSetTimeout(() => resolve('still waiting after 2 s'), 2_000);
      }),
    ]);
    clearTimeout(bound);
    expect(outcome).toEqual({ published: false, why: 'CloudWatch did not answer within 10 s' });
    expect(deadlines.length).toBe(1);
    expect(clear).toHaveBeenCalledWith(deadlines[0]);
  });

  test('the deadline timer is cleared after a successful call too', async () => {
    const realSetTimeout = global.setTimeout as unknown as (cb: () => void, ms?: number, ...rest: unknown[]) => NodeJS.Timeout;
    const deadlines: unknown[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation(((cb: () => void, ms?: number, ...rest: unknown[]) => {
      const t = realSetTimeout(cb, ms, ...rest);
      if (ms === PUBLISH_DEADLINE_MS) deadlines.push(t);
      return t;
    }) as never);
    const clear = jest.spyOn(global, 'clearTimeout');
    expect(await publishFigures(TARGET, FIGURES, IMDS)).toEqual({ published: true });
    expect(deadlines.length).toBe(1);
    expect(clear).toHaveBeenCalledWith(deadlines[0]);
  });
});
