import * as async_hooks from 'async_hooks';
import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import { METRIC_DEADLINE_MS, METRIC_HTTP_TIMEOUTS, publishFailureMetric } from '../../host/fetch-secrets/metric';

// Focused, in-process checks of host/fetch-secrets/metric.ts's failure
// descriptions against a loopback CloudWatch stand-in (AWS_ENDPOINT_URL_CLOUDWATCH,
// set in this test file's process only).

const manifest = { region: 'eu-west-1', metricNamespace: 'Ns', metricName: 'SecretRetrievalFailed' };
const credentials = { provider: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }) } as never;
let server: http.Server;
let status = 400;
const open = new Set<Socket>();
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('');
    });
  });
  server.on('connection', (sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  await new Promise((r) => server.close(r));
});

test('an HTTP error answer is described by the error name and the HTTP status', async () => {
  status = 403;
  expect(await publishFailureMetric(manifest, 'SecretMissing', credentials, 2_000)).toEqual({ published: false, why: 'Unknown (HTTP 403)' });
});

test('no HTTP answer at all (connection refused) is described by the error name only', async () => {
  const saved = process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  process.env.AWS_ENDPOINT_URL_CLOUDWATCH = 'http://127.0.0.1:1';
  try {
    expect(await publishFailureMetric(manifest, 'SecretMissing', credentials, 2_000)).toEqual({ published: false, why: 'Error' });
  } finally {
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = saved;
  }
});

test('a credentials failure (an error without $metadata, as the SDK raises before any HTTP call) is described by its name', async () => {
  const refusing = { provider: async () => Promise.reject(Object.assign(new Error('no role'), { name: 'CredentialsProviderError' })) } as never;
  expect(await publishFailureMetric(manifest, 'SecretMissing', refusing, 2_000)).toEqual({ published: false, why: 'CredentialsProviderError' });
});

test('a thrown value without a name is described as "error"', async () => {
  const odd = { provider: async () => Promise.reject({ tryNextLink: false }) } as never;
  expect(await publishFailureMetric(manifest, 'SecretMissing', odd, 2_000)).toEqual({ published: false, why: 'error' });
});

test('after publishing, the client is destroyed (no connection kept open) and the deadline timer cleared (nothing keeps the host process alive)', async () => {
  status = 200;
  // Only the timers this call creates are tracked: a global count would also see
  // earlier tests' SDK timers expire meanwhile. A Timeout's destroy hook fires
  // (batched, a tick later) when it is cleared or has fired; the 60 s deadline
  // can only have been cleared.
  const live = new Set<number>();
  let tracking = true;
  const hook = async_hooks.createHook({
    init: (id, type) => {
      if (tracking && type === 'Timeout') live.add(id);
    },
    destroy: (id) => {
      live.delete(id);
    },
  });
  hook.enable();
  try {
    expect(await publishFailureMetric(manifest, 'SecretMissing', credentials, 60_000)).toEqual({ published: true, namespace: 'Ns' });
    tracking = false;
    await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setImmediate(r));
  } finally {
    hook.disable();
  }
  expect(open.size).toBe(0);
  expect([...live]).toEqual([]);
});

test('CloudWatch gets 2 s to connect and 3 s to answer, inside the 4 s deadline of the whole call', () => {
  expect(METRIC_HTTP_TIMEOUTS).toEqual({ connectionTimeout: 2_000, requestTimeout: 3_000 });
  expect(METRIC_DEADLINE_MS).toBe(4_000);
});
