import * as http from 'http';
import type { AddressInfo } from 'net';
import { publishFailureMetric } from '../../host/fetch-secrets/metric';

// Focused, in-process checks of host/fetch-secrets/metric.ts's failure
// descriptions against a loopback CloudWatch stand-in (AWS_ENDPOINT_URL_CLOUDWATCH,
// set in this test file's process only).

const manifest = { region: 'eu-west-1', metricNamespace: 'Ns', metricName: 'SecretRetrievalFailed' };
const credentials = { provider: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }) } as never;
let server: http.Server;
let status = 400;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('');
    });
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
