import { execFileSync } from 'child_process';
import * as path from 'path';
import { startFetchSecretsSuite, type FetchSecretsSuite } from '../support/fake-aws/fetch-secrets-suite';
import { startConnectProxy, startTlsFront, type ConnectProxy, type TlsFront } from './support/connect-proxy';
import { runAsync } from './support/runtime-tools';

// The REAL bundled fetch-secrets.js, run with the pinned Node 24 (the host's @@NODE@@), against
// a loopback CONNECT proxy and a TLS Secrets Manager (the fake, behind a TLS front for
// "localhost"): every Secrets Manager call goes through the proxy named by HTTPS_PROXY (as on
// the host, where the firewall lets only the proxy out on 443), and IMDS (on 127.0.0.1, in
// NO_PROXY as in host.env) stays direct. spend-meter.js builds its CloudWatch client with the
// same handler (host/fetch-secrets/proxy-agent.ts proxyAwareHandler).

const NODE24 = path.resolve(__dirname, '../../.cache/openclaw/node_modules/node/bin/node');

let suite: FetchSecretsSuite;
let proxy: ConnectProxy;
let front: TlsFront;
beforeAll(async () => {
  suite = await startFetchSecretsSuite(9400);
  proxy = await startConnectProxy();
  front = await startTlsFront(suite.aws.sm.endpoint, suite.root);
}, 60_000);
afterAll(async () => {
  await front?.close();
  await proxy?.close();
  await suite?.close();
});
beforeEach(() => {
  suite.aws.reset();
  proxy.connects.length = 0;
  proxy.refused.length = 0;
});

function run(extra: Record<string, string>) {
  const t = suite.target();
  const env = suite.aws.env({ AWS_ENDPOINT_URL_SECRETS_MANAGER: front.endpoint, NODE_EXTRA_CA_CERTS: front.caFile, ...extra });
  return runAsync(NODE24, [suite.program, '--manifest', t.manifestPath, '--passwd', t.passwd], { env, timeoutMs: 30_000 }).then((r) => ({ ...r, t }));
}

test('the pinned Node is 24.5 or later (http.Agent proxyEnv)', () => {
  const [major, minor] = execFileSync(NODE24, ['--version'], { encoding: 'utf8' }).trim().slice(1).split('.').map(Number);
  expect(major! > 24 || (major === 24 && minor! >= 5)).toBe(true);
});

test('with HTTPS_PROXY: every Secrets Manager call is a CONNECT through the proxy; IMDS stays direct', async () => {
  const port = new URL(front.endpoint).port;
  const r = await run({ HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1,169.254.169.254' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^openclaw-secrets: OK 5 secrets \(gateway-token-ops, agent-ops, gateway-token-support, agent-support, origin-verify\)/);
  // One tunnel (keep-alive) or more, all to the Secrets Manager endpoint, none to IMDS.
  expect(proxy.connects.length).toBeGreaterThan(0);
  expect(new Set(proxy.connects)).toEqual(new Set([`localhost:${port}`]));
  expect(proxy.refused).toEqual([]);
  expect(suite.aws.sm.calls.length).toBeGreaterThanOrEqual(5);
  expect(suite.aws.imds.requests.length).toBeGreaterThan(0);
}, 60_000);

test('lowercase https_proxy and no_proxy (what the AWS CLI and curl read) work the same', async () => {
  const r = await run({ https_proxy: proxy.url, no_proxy: '127.0.0.1' });
  expect(r.code).toBe(0);
  expect(proxy.connects.length).toBeGreaterThan(0);
}, 60_000);

test('a proxy that is down fails the run: the program never falls back to a direct connection', async () => {
  const r = await run({ HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' });
  expect(r.code).not.toBe(0);
  expect(suite.aws.sm.calls).toEqual([]);
  expect(proxy.connects).toEqual([]);
}, 60_000);

test('without HTTPS_PROXY the calls go direct (the proxy sees nothing): the setting is what routes them', async () => {
  const r = await run({});
  expect(r.code).toBe(0);
  expect(proxy.connects).toEqual([]);
}, 60_000);
