import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { renderOriginVerifyMap } from '../../lib/host/nginx-config';
import { renderSecretsManifest } from '../../lib/secrets/secrets-manifest';
import { diagnoseCallError } from '../../host/fetch-secrets/diagnose';
import { describeError, EXIT_CODES, type Reason } from '../../host/fetch-secrets/failure';
import { secretsManagerEndpoint } from '../../host/fetch-secrets/fetch';
import { instanceCredentials } from '../../host/fetch-secrets/imds';
import * as manifestModule from '../../host/fetch-secrets/manifest';
import { publishFailureMetric } from '../../host/fetch-secrets/metric';
import { runFetchSecrets, type RunResult } from '../../host/fetch-secrets/run';
import { exampleConfig, freePort } from '../host/support/host-tools';
import { makeTarget, OWNER, OWNERS, type Target } from '../support/fake-aws/fetch-secrets-suite';
import { fakeRoleCredentials, IMDS_ROLES_PATH, IMDS_TOKEN_PATH } from '../support/fake-aws/imds';
import { SM_ERRORS } from '../support/fake-aws/secrets-manager';
import { originValue, useInProcessFakeAws } from '../support/fake-aws/world';

// The program of fetch-secrets.js (host/fetch-secrets/run.ts) run INSIDE the
// jest process, against the same loopback fakes of IMDSv2, Secrets Manager
// (which recomputes every SigV4 signature) and CloudWatch as the real bundle
// in fetch-secrets.test.ts and fetch-secrets-failures.test.ts. Those prove the
// shipped artefact; these pin every line, exit code, file and metric of the
// program with code that mutation testing can see. The SDK finds the fakes
// the way it finds overrides on a host: AWS_EC2_METADATA_SERVICE_ENDPOINT and
// AWS_ENDPOINT_URL_* (set in this test file's process.env only).

const world = useInProcessFakeAws(9500, 'oc-fetch-secrets-in-process-');
let n = 0;

const NS = 'OpenClaw/openclaw-example-dev';
const ROLE = 'openclaw-test-gateway-role';
const P = 'openclaw-secrets:';
const ALL = 'gateway-token-ops, agent-ops, gateway-token-support, agent-support, origin-verify';
const id = (s: string) =>
  s.startsWith('gateway-token-') ? `openclaw/example/dev/gateways/${s.slice('gateway-token-'.length)}/token` : s === 'origin-verify' ? `openclaw/example/dev/${s}` : `openclaw/example/dev/agents/${s}`;
const published = (reason: Reason) => `[metric SecretRetrievalFailed{Reason=${reason}} published to ${NS}]`;
const notPublished = (reason: Reason, why: string) => `[metric SecretRetrievalFailed{Reason=${reason}} not published: ${why}]`;
const FILL_OPS = 'fill it with: npm run secrets:set -- --client example --env dev --agent ops';
const CHECK_SM = "check the AWS Health Dashboard, the Secrets Manager VPC endpoint or NAT route of the subnet, and the host's outbound security group; the next boot or refresh retries";
const IMDS_FIREWALL = 'check the instance metadata options (HttpEndpoint enabled) and the host firewall';

const target = (rotation = true): Target => makeTarget(world.aws, path.join(world.root, `t${++n}`), 9500 + n, { rotation });

/** 1234.5 ms since the process started: the OK line says 1.23 s. */
const CLOCK = { elapsedMs: () => 1234.5 };

/** Set when a run has hung: its requests and retries may still be going on in the background. */
let hung: string | undefined;

/**
 * `p`, or a rejection when it has not settled within `ms`: a run that hangs
 * fails its test at once. After one hang every later run of this file fails
 * at once too (a retry loop without end never stops by itself and keeps the
 * fakes busy), so a change that makes the program retry forever fails this
 * file in seconds instead of one deadline per test.
 */
function within<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  if (hung) return Promise.reject(new Error(`not run: an earlier run hung (${hung})`));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      hung = expect.getState().currentTestName ?? 'unknown test';
      reject(new Error(`still running after ${ms} ms`));
    }, ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * The metadata service's deadline and attempts of a run unless the test gives its own: the
 * loopback fake answers in milliseconds, so 300 ms once. A change that breaks the metadata
 * requests (every run fetches credentials) then fails each test in 0.3 s, not in the program's
 * default 3 x 1 s, which over the file's 70 runs made a mutation run time out instead of
 * counting the mutant killed.
 */
const IMDS_DEFAULTS: Record<string, string> = { '--imds-timeout-ms': '300', '--imds-attempts': '1' };

function run(t: Target, args: readonly string[] = []): Promise<RunResult> {
  const imds = Object.entries(IMDS_DEFAULTS).flatMap(([flag, value]) => (args.includes(flag) ? [] : [flag, value]));
  return within(runFetchSecrets(['--manifest', t.manifestPath, '--passwd', t.passwd, '--retry-base-ms', '1', ...imds, ...args], CLOCK));
}

function expectedFiles(t: Target): Record<string, { content: string; uid: number; gid: number; mode: number }> {
  const v = (s: string) => t.stored.get(s)!;
  const origin = v('origin-verify');
  const self = { uid: process.getuid!(), gid: process.getgid!() };
  return {
    [path.join(t.secretsDir, 'ops', 'gateway-token')]: { content: v('gateway-token-ops').current, ...OWNERS['openclaw-ops']!, mode: 0o400 },
    [path.join(t.secretsDir, 'ops', 'agent-ops.json')]: { content: v('agent-ops').current, ...OWNERS['openclaw-ops']!, mode: 0o400 },
    [path.join(t.secretsDir, 'support', 'gateway-token')]: { content: v('gateway-token-support').current, ...OWNERS['openclaw-support']!, mode: 0o400 },
    [path.join(t.secretsDir, 'support', 'agent-support.json')]: { content: v('agent-support').current, ...OWNERS['openclaw-support']!, mode: 0o400 },
    [t.originMap]: { content: renderOriginVerifyMap(origin.current, origin.pending, origin.previous), ...self, mode: 0o600 },
  };
}

function fileState(file: string) {
  const st = fs.lstatSync(file);
  return { file, regular: st.isFile(), nlink: st.nlink, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, content: fs.readFileSync(file, 'utf8') };
}

function expectFilesAsExpected(t: Target): void {
  for (const [file, want] of Object.entries(expectedFiles(t))) expect(fileState(file)).toEqual({ file, regular: true, nlink: 1, ...want });
  expect(t.written()).toEqual([
    'nginx/origin-verify.map.conf',
    'secrets/ops/agent-ops.json',
    'secrets/ops/gateway-token',
    'secrets/support/agent-support.json',
    'secrets/support/gateway-token',
  ]);
}

/** The metric data the fake CloudWatch received for one failure: with the Reason dimension and without. */
const metricsOf = (reason: Reason) => [
  { region: 'eu-west-1', namespace: NS, metricName: 'SecretRetrievalFailed', dimensions: { Reason: reason }, value: 1, unit: 'Count' },
  { region: 'eu-west-1', namespace: NS, metricName: 'SecretRetrievalFailed', dimensions: {}, value: 1, unit: 'Count' },
];

/** One stderr line, nothing on stdout, the reason's exit code, no file written, the metric as said. */
function expectFailure(r: RunResult, t: Target, reason: Reason, line: string, metric: 'published' | 'none' = 'published'): void {
  expect(r).toEqual({ out: [], err: [line], code: EXIT_CODES[reason] });
  expect(t.written()).toEqual([]);
  expect(world.aws.cw.metrics).toEqual(metric === 'published' ? metricsOf(reason) : []);
}

const imdsLog = () =>
  world.aws.imds.requests.map((q) => `${q.method} ${q.url}${q.headers['x-aws-ec2-metadata-token-ttl-seconds'] ? ` ttl=${String(q.headers['x-aws-ec2-metadata-token-ttl-seconds'])}` : ''}${q.headers['x-aws-ec2-metadata-token'] ? ' +token' : ''}`);
const smLog = (secret: string) => world.aws.sm.calls.filter((c) => c.secretId === id(secret)).map((c) => `${c.stage} ${c.attempt} ${c.outcome}`);

describe('success', () => {
  test('boot: every file with its owner, mode and content; one exact OK line; IMDSv2 token flow; each secret in its region', async () => {
    const t = target();
    const r = await run(t);
    expect(r).toEqual({ out: [`${P} OK 5 secrets (${ALL}) in 1.23 s`], err: [], code: 0 });
    expectFilesAsExpected(t);
    const origin = t.stored.get('origin-verify')!;
    expect(fs.readFileSync(t.originMap, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual(
      [origin.current, origin.pending!, origin.previous!].map((v) => `"~^${v}$" 1;`),
    );
    // The probe (token TTL 300 s, role listing), then the SDK provider's own IMDSv2 flow; never a GET without a token.
    expect(imdsLog()).toEqual([
      `PUT ${IMDS_TOKEN_PATH} ttl=300`,
      `GET ${IMDS_ROLES_PATH} +token`,
      `PUT ${IMDS_TOKEN_PATH} ttl=21600`,
      `GET ${IMDS_ROLES_PATH} +token`,
      `GET ${IMDS_ROLES_PATH}${ROLE} +token`,
    ]);
    expect(world.aws.sm.rejections).toEqual([]);
    expect(world.aws.sm.calls.map((c) => `${c.region} ${c.secretId} ${c.stage} ${c.attempt} ${c.outcome}`).sort()).toEqual([
      'eu-west-1 openclaw/example/dev/agents/ops AWSCURRENT attempt=1; max=5 value',
      'eu-west-1 openclaw/example/dev/agents/support AWSCURRENT attempt=1; max=5 value',
      'eu-west-1 openclaw/example/dev/gateways/ops/token AWSCURRENT attempt=1; max=5 value',
      'eu-west-1 openclaw/example/dev/gateways/support/token AWSCURRENT attempt=1; max=5 value',
      'us-east-1 openclaw/example/dev/origin-verify AWSCURRENT attempt=1; max=5 value',
      'us-east-1 openclaw/example/dev/origin-verify AWSPENDING attempt=1; max=5 value',
      'us-east-1 openclaw/example/dev/origin-verify AWSPREVIOUS attempt=1; max=5 value',
    ]);
    expect(world.aws.cw.metrics).toEqual([]);
  });

  test('the environment credentials are never used: only the IMDS role credentials sign', async () => {
    const t = target();
    const bogus = fakeRoleCredentials(1);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: bogus.accessKeyId, AWS_SECRET_ACCESS_KEY: bogus.secretAccessKey, AWS_SESSION_TOKEN: bogus.sessionToken });
    expect((await run(t)).code).toBe(0);
    expect(world.aws.sm.rejections).toEqual([]);
    expectFilesAsExpected(t);
  });

  test('--only one secret: "1 secret", only its file; origin-verify without rotation holds the current value only', async () => {
    const t = target(false);
    const r = await run(t, ['--only', 'origin-verify']);
    expect(r).toEqual({ out: [`${P} OK 1 secret (origin-verify) in 1.23 s`], err: [], code: 0 });
    expect(fs.readFileSync(t.originMap, 'utf8')).toBe(renderOriginVerifyMap(t.stored.get('origin-verify')!.current));
    expect(smLog('origin-verify').sort()).toEqual(['AWSCURRENT attempt=1; max=5 value', 'AWSPENDING attempt=1; max=5 absent', 'AWSPREVIOUS attempt=1; max=5 absent']);
    expect(t.written()).toEqual(['nginx/origin-verify.map.conf']);
  });

  test('the OK line reports the clock in seconds with two decimals', async () => {
    const t = target();
    const r = await within(runFetchSecrets(['--manifest', t.manifestPath, '--passwd', t.passwd, '--only', 'gateway-token-ops'], { elapsedMs: () => 61_005 }));
    expect(r.out).toEqual([`${P} OK 1 secret (gateway-token-ops) in 61.01 s`]);
  });

  test('without deps, the OK line reports the process clock (performance.now)', async () => {
    const t = target();
    const now = jest.spyOn(performance, 'now').mockReturnValue(42_346);
    try {
      const r = await within(runFetchSecrets(['--manifest', t.manifestPath, '--passwd', t.passwd, '--only', 'gateway-token-ops']));
      expect(r.out).toEqual([`${P} OK 1 secret (gateway-token-ops) in 42.35 s`]);
    } finally {
      now.mockRestore();
    }
  });
});

describe('Secrets Manager retries (throttling and 5xx only, bounded by --max-attempts)', () => {
  test('3 throttles, then the value: the same call retried, attempts counted', async () => {
    const t = target();
    world.aws.sm.inject(id('gateway-token-ops'), SM_ERRORS.throttling(), 3);
    const r = await run(t);
    expect(r).toEqual({ out: [`${P} OK 5 secrets (${ALL}) in 1.23 s`], err: [], code: 0 });
    expect(smLog('gateway-token-ops')).toEqual([
      'AWSCURRENT attempt=1; max=5 ThrottlingException',
      'AWSCURRENT attempt=2; max=5 ThrottlingException',
      'AWSCURRENT attempt=3; max=5 ThrottlingException',
      'AWSCURRENT attempt=4; max=5 value',
    ]);
    expectFilesAsExpected(t);
  });

  test('HTTP 500 twice, then the value', async () => {
    const t = target();
    world.aws.sm.inject(id('ops'), SM_ERRORS.internal(), 2);
    expect((await run(t)).code).toBe(0);
    expect(smLog('ops')).toEqual(['AWSCURRENT attempt=1; max=5 InternalServiceError', 'AWSCURRENT attempt=2; max=5 InternalServiceError', 'AWSCURRENT attempt=3; max=5 value']);
  });

  test('a client error is never retried', async () => {
    const t = target();
    world.aws.sm.inject(id('ops'), SM_ERRORS.accessDenied());
    expect((await run(t)).code).toBe(13);
    expect(smLog('ops')).toEqual(['AWSCURRENT attempt=1; max=5 AccessDeniedException']);
  });

  test('ServiceUnavailable (17): HTTP 500 on every attempt; says how many', async () => {
    const t = target();
    world.aws.sm.inject(id('ops'), SM_ERRORS.internal());
    const r = await run(t, ['--max-attempts', '3']);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `${P} FAILED ServiceUnavailable: ${id('ops')}: Secrets Manager in eu-west-1 still failing after 3 attempts (HTTP 500: InternalServiceError: An error occurred on the server side.); ${CHECK_SM} ${published('ServiceUnavailable')}`,
    );
    expect(smLog('ops')).toEqual(['AWSCURRENT attempt=1; max=3 InternalServiceError', 'AWSCURRENT attempt=2; max=3 InternalServiceError', 'AWSCURRENT attempt=3; max=3 InternalServiceError']);
  });

  test('ServiceUnavailable (17): HTTP 503 with --max-attempts 1: one attempt, "1 attempt"', async () => {
    const t = target();
    world.aws.sm.inject(id('support'), { status: 503, type: 'ServiceUnavailable', message: 'Service is unavailable.' });
    const r = await run(t, ['--max-attempts', '1']);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `${P} FAILED ServiceUnavailable: ${id('support')}: Secrets Manager in eu-west-1 still failing after 1 attempt (HTTP 503: ServiceUnavailable: Service is unavailable.); ${CHECK_SM} ${published('ServiceUnavailable')}`,
    );
    expect(smLog('support')).toEqual(['AWSCURRENT attempt=1; max=1 ServiceUnavailable']);
  });

  test('ServiceUnavailable (17): InternalServiceError with HTTP 400 (as the Secrets Manager error list gives it) is a server fault', async () => {
    const t = target();
    world.aws.sm.inject(id('support'), { status: 400, type: 'InternalServiceError', message: 'An error occurred on the server side.' });
    const r = await run(t);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `${P} FAILED ServiceUnavailable: ${id('support')}: Secrets Manager in eu-west-1 still failing after 1 attempt (HTTP 400: InternalServiceError: An error occurred on the server side.); ${CHECK_SM} ${published('ServiceUnavailable')}`,
    );
    expect(smLog('support')).toEqual(['AWSCURRENT attempt=1; max=5 InternalServiceError']);
  });

  test('ServiceUnavailable (17): HTTP 500 of an error type the SDK does not model (InternalFailure, a common error)', async () => {
    const t = target();
    world.aws.sm.inject(id('support'), { status: 500, type: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.' });
    const r = await run(t, ['--max-attempts', '2']);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `${P} FAILED ServiceUnavailable: ${id('support')}: Secrets Manager in eu-west-1 still failing after 2 attempts (HTTP 500: InternalFailure: The request processing has failed because of an unknown error, exception or failure.); ${CHECK_SM} ${published('ServiceUnavailable')}`,
    );
  });

  test.each([
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway'],
  ])('ServiceUnavailable (17): an HTTP %i page that is not an AWS error (a proxy in the path), retried', async (status, text) => {
    const t = target();
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(String(req.headers['amz-sdk-request']));
      req.resume();
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(`<html><body>${status} ${text}</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${port}`;
    try {
      const r = await run(t, ['--max-attempts', '2', '--only', 'gateway-token-ops']);
      expect(r).toEqual({ out: [], err: [expect.stringMatching(new RegExp(`^${P} FAILED ServiceUnavailable: ${id('gateway-token-ops')}: Secrets Manager in eu-west-1 still failing after 2 attempts \\(HTTP ${status}: `))], code: 17 });
      expect(hits).toEqual(['attempt=1; max=2', 'attempt=2; max=2']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('ServiceUnavailable (17): throttled on every attempt; the first secret in manifest order is reported', async () => {
    const t = target();
    world.aws.sm.inject('*', SM_ERRORS.throttling());
    const r = await run(t);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `${P} FAILED ServiceUnavailable: ${id('gateway-token-ops')}: Secrets Manager in eu-west-1 still failing after 5 attempts (throttled: ThrottlingException: Rate exceeded); ${CHECK_SM} ${published('ServiceUnavailable')}`,
    );
    expect(smLog('gateway-token-ops')).toHaveLength(5);
  });
  // Nothing listening at the Secrets Manager endpoint (ECONNREFUSED) is run for real in
  // fetch-secrets-failures.test.ts only: inside jest, Node's network errors come from another
  // realm (not `instanceof Error` of the test's), so the SDK wraps them and the run would not
  // see what the host sees. diagnoseCallError's network branch is pinned in the test below.
});

describe('--refresh', () => {
  test('nothing changed: nothing rewritten; a change: only that file, one changed line each; a failure: nothing touched', async () => {
    const t = target();
    expect((await run(t)).code).toBe(0);
    const files = Object.keys(expectedFiles(t));
    const inodes = () => files.map((f) => fs.statSync(f).ino);
    const before = inodes();

    expect(await run(t, ['--refresh'])).toEqual({ out: [`${P} OK 5 secrets (${ALL}) in 1.23 s, 0 changed`], err: [], code: 0 });
    expect(inodes()).toEqual(before);

    const ops = t.manifest.secrets.find((s) => s.id === 'agent-ops')!;
    const newOps = JSON.stringify({ anthropic: { apiKey: `test-rotated-${originValue(5)}` } });
    world.aws.sm.put(ops.secretId, { region: 'eu-west-1', stages: { AWSCURRENT: newOps } });
    expect(await run(t, ['--refresh'])).toEqual({ out: [`${P} changed agent-ops`, `${P} OK 5 secrets (${ALL}) in 1.23 s, 1 changed`], err: [], code: 0 });
    expect(fileState(files[1]!)).toEqual({ file: files[1], regular: true, nlink: 1, ...OWNER, mode: 0o400, content: newOps });
    expect(inodes().filter((ino, i) => ino !== before[i])).toHaveLength(1);

    const snapshot = files.map(fileState);
    world.aws.sm.put(ops.secretId, { region: 'eu-west-1', stages: { AWSCURRENT: JSON.stringify({ anthropic: { apiKey: 'test-never-written' } }) } });
    world.aws.sm.inject(id('support'), SM_ERRORS.accessDenied());
    const failed = await run(t, ['--refresh']);
    expect(failed.code).toBe(13);
    expect(failed.out).toEqual([]);
    expect(files.map(fileState)).toEqual(snapshot);
    expect(t.written()).toHaveLength(5);
  });

  test('drift is repaired: mode, extra hard link, content, a file replaced by a symlink', async () => {
    const t = target();
    expect((await run(t)).code).toBe(0);
    const [token, ops, , support] = Object.keys(expectedFiles(t));
    fs.chmodSync(token!, 0o440);
    fs.linkSync(t.originMap, path.join(t.dir, 'extra-link'));
    fs.chmodSync(ops!, 0o600);
    fs.writeFileSync(ops!, '{"edited": true}');
    fs.chmodSync(ops!, 0o400);
    fs.rmSync(support!);
    fs.symlinkSync(token!, support!);
    const r = await run(t, ['--refresh']);
    expect(r).toEqual({
      out: [`${P} changed gateway-token-ops`, `${P} changed agent-ops`, `${P} changed agent-support`, `${P} changed origin-verify`, `${P} OK 5 secrets (${ALL}) in 1.23 s, 4 changed`],
      err: [],
      code: 0,
    });
    expectFilesAsExpected(t);
  });

  test('a file that disappeared is written again', async () => {
    const t = target();
    expect((await run(t)).code).toBe(0);
    fs.rmSync(path.join(t.secretsDir, 'support', 'agent-support.json'));
    expect(await run(t, ['--refresh'])).toEqual({ out: [`${P} changed agent-support`, `${P} OK 5 secrets (${ALL}) in 1.23 s, 1 changed`], err: [], code: 0 });
    expectFilesAsExpected(t);
  });

  // chown to another user needs root (as on the host, where the program runs as root).
  (process.getuid?.() === 0 ? test : test.skip)('a gateway user with another uid: its folder and files are given to it, those of the other gateway keep their owner; the origin map stays root-owned', async () => {
    const t = target();
    expect((await run(t)).code).toBe(0);
    // openclaw-ops now has another uid and gid in the passwd file (openclaw-support keeps its own).
    const other = { uid: OWNER.uid + 100, gid: OWNER.gid + 100 };
    const passwd = path.join(t.dir, 'passwd-other');
    fs.writeFileSync(passwd, fs.readFileSync(t.passwd, 'utf8').replace(/^openclaw-ops:x:\d+:\d+:/m, `openclaw-ops:x:${other.uid}:${other.gid}:`));
    const r = await within(runFetchSecrets(['--manifest', t.manifestPath, '--passwd', passwd, '--refresh'], CLOCK));
    expect(r.out).toEqual([`${P} changed gateway-token-ops`, `${P} changed agent-ops`, `${P} OK 5 secrets (${ALL}) in 1.23 s, 2 changed`]);
    const owner = (f: string) => [fs.lstatSync(f).uid, fs.lstatSync(f).gid];
    for (const f of ['ops', path.join('ops', 'gateway-token'), path.join('ops', 'agent-ops.json')]) expect(owner(path.join(t.secretsDir, f))).toEqual([other.uid, other.gid]);
    const support = OWNERS['openclaw-support']!;
    for (const f of ['support', path.join('support', 'gateway-token'), path.join('support', 'agent-support.json')]) expect(owner(path.join(t.secretsDir, f))).toEqual([support.uid, support.gid]);
    expect(owner(t.originMap)).toEqual([0, 0]);
  });
});

describe('instance metadata (IMDSv2 only)', () => {
  const imds = () => world.aws.imds.endpoint;

  test('ImdsUnreachable (10): nothing listens; retried --imds-attempts times', async () => {
    const t = target();
    const port = await freePort();
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${port}`;
    const r = await run(t, ['--imds-attempts', '2']);
    expectFailure(
      r,
      t,
      'ImdsUnreachable',
      `${P} FAILED ImdsUnreachable: http://127.0.0.1:${port}: no answer from the instance metadata service (PUT ${IMDS_TOKEN_PATH}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}, after 2 attempts); ${IMDS_FIREWALL} ${notPublished('ImdsUnreachable', 'no credentials')}`,
      'none',
    );
    expect(world.aws.sm.calls).toEqual([]);
  });

  test('ImdsUnreachable (10): accepts, never answers: bounded by --imds-timeout-ms, each attempt a new request', async () => {
    const t = target();
    world.aws.imds.behaviour.hang = true;
    const started = Date.now();
    const r = await run(t, ['--imds-timeout-ms', '60', '--imds-attempts', '3']);
    expect(Date.now() - started).toBeLessThan(2_000);
    expectFailure(
      r,
      t,
      'ImdsUnreachable',
      `${P} FAILED ImdsUnreachable: ${imds()}: no answer from the instance metadata service (PUT ${IMDS_TOKEN_PATH}: no answer within 60 ms, after 3 attempts); ${IMDS_FIREWALL} ${notPublished('ImdsUnreachable', 'no credentials')}`,
      'none',
    );
    expect(imdsLog()).toEqual([`PUT ${IMDS_TOKEN_PATH} ttl=300`, `PUT ${IMDS_TOKEN_PATH} ttl=300`, `PUT ${IMDS_TOKEN_PATH} ttl=300`]);
  });

  test('ImdsUnreachable (10): an answer that never completes (headers, then a byte now and then) is bounded too', async () => {
    const t = target();
    const drips = new Set<NodeJS.Timeout>();
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 10);
      drips.add(timer);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${port}`;
    try {
      const r = await run(t, ['--imds-timeout-ms', '80', '--imds-attempts', '1']);
      expectFailure(
        r,
        t,
        'ImdsUnreachable',
        `${P} FAILED ImdsUnreachable: http://127.0.0.1:${port}: no answer from the instance metadata service (PUT ${IMDS_TOKEN_PATH}: no answer within 80 ms, after 1 attempt); ${IMDS_FIREWALL} ${notPublished('ImdsUnreachable', 'no credentials')}`,
        'none',
      );
    } finally {
      for (const d of drips) clearInterval(d);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a metadata service that answers once retried: the run succeeds', async () => {
    const t = target();
    world.aws.imds.behaviour.hang = true;
    const pending = run(t, ['--imds-timeout-ms', '150', '--imds-attempts', '2']);
    // The first token request hangs; the service answers from then on.
    await new Promise((r) => setTimeout(r, 60));
    world.aws.imds.behaviour.hang = false;
    expect(await pending).toEqual({ out: [`${P} OK 5 secrets (${ALL}) in 1.23 s`], err: [], code: 0 });
    expect(imdsLog().slice(0, 3)).toEqual([`PUT ${IMDS_TOKEN_PATH} ttl=300`, `PUT ${IMDS_TOKEN_PATH} ttl=300`, `GET ${IMDS_ROLES_PATH} +token`]);
  });

  test('credentials close to expiry (under 5 minutes) are fetched again before signing; fresh ones are not', async () => {
    const roleGets = () => world.aws.imds.requests.filter((q) => q.method === 'GET' && q.url === IMDS_ROLES_PATH + ROLE).length;
    expect((await run(target(), ['--only', 'gateway-token-ops'])).code).toBe(0);
    expect(roleGets()).toBe(1);
    world.aws.imds.reset();
    world.aws.imds.behaviour.credentialsTtlMs = 6 * 60_000;
    expect((await run(target(), ['--only', 'gateway-token-ops'])).code).toBe(0);
    expect(roleGets()).toBe(1);
    world.aws.imds.reset();
    world.aws.imds.behaviour.credentialsTtlMs = 4 * 60_000;
    expect((await run(target(), ['--only', 'gateway-token-ops'])).code).toBe(0);
    expect(roleGets()).toBeGreaterThan(1);
  });

  test('ImdsTokenRefused (11): the token PUT answers 403; never a GET without a token', async () => {
    const t = target();
    world.aws.imds.behaviour.token = 403;
    const r = await run(t);
    expectFailure(
      r,
      t,
      'ImdsTokenRefused',
      `${P} FAILED ImdsTokenRefused: ${imds()}: the instance metadata service refused an IMDSv2 token (PUT ${IMDS_TOKEN_PATH} answered HTTP 403); IMDSv2 disabled or hop limit too low? check the instance metadata options (HttpTokens required, HttpPutResponseHopLimit) and that no proxy sits in the path ${notPublished('ImdsTokenRefused', 'no credentials')}`,
      'none',
    );
    // An HTTP error is an answer: not retried.
    expect(imdsLog()).toEqual([`PUT ${IMDS_TOKEN_PATH} ttl=300`]);
  });

  test('ImdsTokenRefused (11): HTTP 200 without a token (a proxy in the path)', async () => {
    const t = target();
    world.aws.imds.behaviour.token = 'empty';
    const r = await run(t);
    expectFailure(
      r,
      t,
      'ImdsTokenRefused',
      `${P} FAILED ImdsTokenRefused: ${imds()}: the instance metadata service refused an IMDSv2 token (PUT ${IMDS_TOKEN_PATH} answered HTTP 200 with no token); IMDSv2 disabled or hop limit too low? check the instance metadata options (HttpTokens required, HttpPutResponseHopLimit) and that no proxy sits in the path ${notPublished('ImdsTokenRefused', 'no credentials')}`,
      'none',
    );
  });

  test("ImdsTokenRefused (11): the SDK's own token request is refused after the probe (no IMDSv1 fallback)", async () => {
    const t = target();
    world.aws.imds.behaviour.afterRequests = { requests: 2, then: 403 };
    const r = await run(t);
    expectFailure(
      r,
      t,
      'ImdsTokenRefused',
      `${P} FAILED ImdsTokenRefused: ${imds()}: the instance metadata service refused the SDK's IMDSv2 token request (InstanceMetadataV1FallbackError: AWS EC2 Metadata v1 fallback has been blocked by AWS SDK configuration in the following: [credential provider initialization (runtime option ec2MetadataV1Disabled)].); check the instance metadata options (HttpTokens required, HttpPutResponseHopLimit) ${notPublished('ImdsTokenRefused', 'no credentials')}`,
      'none',
    );
    expect(imdsLog()).toEqual([`PUT ${IMDS_TOKEN_PATH} ttl=300`, `GET ${IMDS_ROLES_PATH} +token`, `PUT ${IMDS_TOKEN_PATH} ttl=21600`]);
  });

  test('ImdsUnreachable (10): the service stops answering between the probe and the SDK', async () => {
    const t = target();
    world.aws.imds.behaviour.afterRequests = { requests: 3, then: 'hang' };
    const r = await run(t, ['--imds-timeout-ms', '60', '--imds-attempts', '1']);
    expectFailure(
      r,
      t,
      'ImdsUnreachable',
      `${P} FAILED ImdsUnreachable: ${imds()}: the instance metadata service stopped answering (ProviderError: TimeoutError from instance metadata service); ${IMDS_FIREWALL} ${notPublished('ImdsUnreachable', 'no credentials')}`,
      'none',
    );
  });

  test('NoRoleCredentials (12): no role attached (404 on the role listing)', async () => {
    const t = target();
    world.aws.imds.behaviour.role = null;
    const r = await run(t);
    expectFailure(
      r,
      t,
      'NoRoleCredentials',
      `${P} FAILED NoRoleCredentials: ${imds()}: no IAM role attached to the instance (GET ${IMDS_ROLES_PATH} answered HTTP 404); instance profile missing? check the instance profile of the host ${notPublished('NoRoleCredentials', 'no credentials')}`,
      'none',
    );
  });

  const notRetrievable = (what: string) =>
    `${P} FAILED NoRoleCredentials: ${world.aws.imds.endpoint}: role ${ROLE} is attached but its credentials are not retrievable (GET ${IMDS_ROLES_PATH}${ROLE}: ${what}); instance profile missing or its role deleted? check the instance profile of the host and the role's trust policy (ec2.amazonaws.com) ${notPublished('NoRoleCredentials', 'no credentials')}`;

  test('NoRoleCredentials (12): the role is listed but its credentials answer 404', async () => {
    const t = target();
    world.aws.imds.behaviour.credentials = 404;
    const r = await run(t, ['--imds-attempts', '1']);
    expectFailure(r, t, 'NoRoleCredentials', notRetrievable('ProviderError: Error response received from instance metadata service, HTTP 404'), 'none');
  });

  test('NoRoleCredentials (12): the credentials document has no keys', async () => {
    const t = target();
    world.aws.imds.behaviour.credentials = 'invalid';
    const r = await run(t, ['--imds-attempts', '1']);
    expectFailure(r, t, 'NoRoleCredentials', notRetrievable('CredentialsProviderError: Invalid response received from instance metadata service.'), 'none');
  });

  test("NoRoleCredentials (12): the SDK's token request answers 400", async () => {
    const t = target();
    world.aws.imds.behaviour.afterRequests = { requests: 2, then: 400 };
    const r = await run(t);
    expectFailure(r, t, 'NoRoleCredentials', notRetrievable('ProviderError: EC2 Metadata token request returned error, HTTP 400'), 'none');
  });
});

describe('Secrets Manager answers (errors as the real service sends them: awsJson1.1, x-amzn-errortype)', () => {
  const denied = (secret: string, what: string, reason: Reason = 'AccessDenied') =>
    `${P} FAILED AccessDenied: ${id(secret)}: Secrets Manager refused the request's credentials (${what}); is the host clock right (chronyd)? were the credentials of role ${ROLE} revoked? check the instance profile and the time sync ${published(reason)}`;
  const kms = (secret: string, region: string, what: string) =>
    `${P} FAILED KmsDecryptDenied: ${id(secret)}: Secrets Manager could not decrypt the value with the secret's KMS key (${what}); key disabled or policy changed? check that the key is enabled and that its key policy lets role ${ROLE} use kms:Decrypt through Secrets Manager (kms:ViaService secretsmanager.${region}.amazonaws.com) ${published('KmsDecryptDenied')}`;
  const missing = (secret: string, stage: string, what: string) =>
    `${P} FAILED SecretMissing: ${id(secret)}${stage === 'AWSCURRENT' ? '' : ` (${stage})`}: Secrets Manager in ${secret === 'origin-verify' ? 'us-east-1' : 'eu-west-1'} has no secret of that name with a value labelled ${stage} (${what}); check that the deployment created it (cdk deploy), that it is not scheduled for deletion, and the region of the manifest ${published('SecretMissing')}`;

  test('AccessDenied (13): GetSecretValue denied by IAM; the message is bounded to 240 characters', async () => {
    const t = target();
    world.aws.sm.inject(id('ops'), SM_ERRORS.accessDenied());
    const r = await run(t);
    const message = `AccessDeniedException: ${SM_ERRORS.accessDenied().message}`;
    expect(message.length).toBeGreaterThan(240);
    expectFailure(
      r,
      t,
      'AccessDenied',
      `${P} FAILED AccessDenied: ${id('ops')}: Secrets Manager denied GetSecretValue (${message.slice(0, 237)}...); policy changed? check the IAM policy of the host role ${ROLE} (secretsmanager:GetSecretValue on this secret) and the secret's resource policy ${published('AccessDenied')}`,
    );
  });

  test('AccessDenied (13): the signature does not match (credentials other than the role ones): the metric cannot be published either', async () => {
    const t = target();
    world.aws.imds.behaviour.served = { ...world.aws.credentials, secretAccessKey: fakeRoleCredentials(2).secretAccessKey };
    const r = await run(t);
    expect(r).toEqual({
      out: [],
      err: [
        `${P} FAILED AccessDenied: ${id('gateway-token-ops')}: Secrets Manager refused the request's credentials (InvalidSignatureException: The request signature we calculated does not match the signature you provided.); is the host clock right (chronyd)? were the credentials of role ${ROLE} revoked? check the instance profile and the time sync ${notPublished('AccessDenied', 'InvalidSignatureException (HTTP 403)')}`,
      ],
      code: 13,
    });
    expect(world.aws.cw.rejections).toEqual(['signature mismatch']);
    expect(t.written()).toEqual([]);
  });

  test('AccessDenied (13): the access key is unknown (InvalidClientTokenId, HTTP 403)', async () => {
    const t = target();
    world.aws.sm.inject(id('gateway-token-ops'), { status: 403, type: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
    expectFailure(await run(t), t, 'AccessDenied', denied('gateway-token-ops', 'InvalidClientTokenId: The security token included in the request is invalid.'));
    expect(smLog('gateway-token-ops')).toEqual(['AWSCURRENT attempt=1; max=5 InvalidClientTokenId']);
  });

  test('SecretMissing (14): no such secret', async () => {
    const t = target();
    world.aws.sm.remove(id('support'));
    expectFailure(await run(t), t, 'SecretMissing', missing('support', 'AWSCURRENT', "ResourceNotFoundException: Secrets Manager can't find the specified secret."));
  });

  test('SecretMissing (14): the secret is scheduled for deletion (InvalidRequestException)', async () => {
    const t = target();
    world.aws.sm.inject(id('gateway-token-ops'), { status: 400, type: 'InvalidRequestException', message: "You can't perform this operation on the secret because it was marked for deletion." });
    expectFailure(
      await run(t),
      t,
      'SecretMissing',
      missing('gateway-token-ops', 'AWSCURRENT', "InvalidRequestException: You can't perform this operation on the secret because it was marked for deletion."),
    );
  });

  test('SecretMissing (14): origin-verify without an AWSCURRENT value (the other stages are optional)', async () => {
    const t = target();
    world.aws.sm.put(id('origin-verify'), { region: 'us-east-1', stages: { AWSPENDING: originValue(3) } });
    expectFailure(
      await run(t),
      t,
      'SecretMissing',
      missing('origin-verify', 'AWSCURRENT', "ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"),
    );
  });

  test('SecretMissing (14): AWSPENDING refused with another error than not-found is not optional: named with its stage', async () => {
    const t = target();
    world.aws.sm.inject(id('origin-verify'), { status: 400, type: 'InvalidRequestException', message: 'test: secret marked deleted' }, Number.POSITIVE_INFINITY, 'AWSPENDING');
    expectFailure(await run(t), t, 'SecretMissing', missing('origin-verify', 'AWSPENDING', 'InvalidRequestException: test: secret marked deleted'));
  });

  test('KmsDecryptDenied (16): DecryptionFailure', async () => {
    const t = target();
    world.aws.sm.inject(id('gateway-token-ops'), SM_ERRORS.decryptionFailure());
    expectFailure(await run(t), t, 'KmsDecryptDenied', kms('gateway-token-ops', 'eu-west-1', "DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key."));
  });

  test('KmsDecryptDenied (16): AccessDeniedException about KMS (origin-verify, us-east-1)', async () => {
    const t = target();
    world.aws.sm.inject(id('origin-verify'), SM_ERRORS.kmsAccessDenied(), Number.POSITIVE_INFINITY, 'AWSCURRENT');
    expectFailure(await run(t), t, 'KmsDecryptDenied', kms('origin-verify', 'us-east-1', 'AccessDeniedException: Access to KMS is not allowed'));
  });

  test('KmsDecryptDenied (16): InvalidRequestException because the key is disabled', async () => {
    const t = target();
    world.aws.sm.inject(id('ops'), { status: 400, type: 'InvalidRequestException', message: 'The KMS key used to encrypt the secret is disabled.' });
    expectFailure(await run(t), t, 'KmsDecryptDenied', kms('ops', 'eu-west-1', 'InvalidRequestException: The KMS key used to encrypt the secret is disabled.'));
  });

  test('Unexpected (20): an error the program does not classify; HTTP status named', async () => {
    const t = target();
    world.aws.sm.inject(id('gateway-token-ops'), { status: 400, type: 'InvalidParameterException', message: 'test parameter refused' });
    expectFailure(
      await run(t),
      t,
      'Unexpected',
      `${P} FAILED Unexpected: ${id('gateway-token-ops')}: Secrets Manager in eu-west-1 answered an error this program does not classify (InvalidParameterException: test parameter refused, HTTP 400); check the secret in the Secrets Manager console ${published('Unexpected')}`,
    );
    expect(smLog('gateway-token-ops')).toHaveLength(1);
  });

  test('the first failed secret in manifest order is reported, whatever fails first in time', async () => {
    const t = target();
    world.aws.sm.inject(id('gateway-token-ops'), SM_ERRORS.internal());
    world.aws.sm.inject(id('ops'), SM_ERRORS.accessDenied());
    const r = await run(t, ['--max-attempts', '3', '--retry-base-ms', '30']);
    expect(r.err).toEqual([expect.stringMatching(new RegExp(`^${P} FAILED ServiceUnavailable: openclaw/example/dev/gateways/ops/token: .*after 3 attempts`))]);
    expect(r.code).toBe(17);
  });

  test('--concurrency 1: one secret at a time, in manifest order', async () => {
    const t = target();
    expect((await run(t, ['--concurrency', '1'])).code).toBe(0);
    expect([...new Set(world.aws.sm.calls.map((c) => c.secretId))]).toEqual([id('gateway-token-ops'), id('ops'), id('gateway-token-support'), id('support'), id('origin-verify')]);
  });
});

describe('secret values checked before anything is written', () => {
  const empty = (secret: string, what: string, check: string) => `${P} FAILED SecretEmpty: ${id(secret)}: ${what}; ${check} ${published('SecretEmpty')}`;
  const malformed = (secret: string, what: string) => `${P} FAILED SecretMalformed: ${id(secret)}: ${what} ${published('SecretMalformed')}`;
  const TOKEN_CHECK = 'check the secret and its rotation (the gateway token is generated by the rotation Lambda)';
  const put = (secret: string, value: string) => world.aws.sm.put(id(secret), { region: 'eu-west-1', stages: { AWSCURRENT: value } });

  test('SecretEmpty (15): the gateway token is an empty string', async () => {
    const t = target();
    put('gateway-token-ops', '');
    expectFailure(await run(t), t, 'SecretEmpty', empty('gateway-token-ops', 'the AWSCURRENT value is empty or not a string (SecretBinary?)', TOKEN_CHECK));
  });

  test('SecretEmpty (15): the gateway token is stored as SecretBinary', async () => {
    const t = target();
    world.aws.sm.put(id('gateway-token-ops'), { region: 'eu-west-1', stages: { AWSCURRENT: 'test-binary-token-value-0123456789' }, binary: true });
    expectFailure(await run(t), t, 'SecretEmpty', empty('gateway-token-ops', 'the AWSCURRENT value is empty or not a string (SecretBinary?)', TOKEN_CHECK));
  });

  test('SecretEmpty (15): an agent document is empty', async () => {
    const t = target();
    put('ops', '');
    expectFailure(await run(t), t, 'SecretEmpty', empty('ops', 'the AWSCURRENT value is empty or not a string (SecretBinary?)', FILL_OPS));
  });

  test.each([
    ['{}', 'required key /anthropic/apiKey is missing'],
    ['{"anthropic":{"apiKey":""}}', 'required key /anthropic/apiKey is empty'],
    ['{"anthropic":{"apiKey":null}}', 'required key /anthropic/apiKey is not a string (null)'],
    ['{"anthropic":{"apiKey":7}}', 'required key /anthropic/apiKey is not a string (number)'],
    ['{"anthropic":{"apiKey":{"k":"v"}}}', 'required key /anthropic/apiKey is not a string (object)'],
  ])('SecretEmpty (15): agent document %s: %s', async (doc, what) => {
    const t = target();
    put('ops', doc);
    expectFailure(await run(t), t, 'SecretEmpty', empty('ops', what, FILL_OPS));
  });

  test.each([
    ['{"anthropic": {"apiKey": "test-unterminated"', 'the AWSCURRENT value is not valid JSON (44 characters)'],
    ['["test-not-an-object"]', 'the AWSCURRENT value is JSON but not an object (an array)'],
    ['null', 'the AWSCURRENT value is JSON but not an object (null)'],
    ['42', 'the AWSCURRENT value is JSON but not an object (a number)'],
    ['"test-a-string"', 'the AWSCURRENT value is JSON but not an object (a string)'],
  ])('SecretMalformed (18): agent document %s', async (doc, what) => {
    const t = target();
    put('ops', doc);
    expectFailure(await run(t), t, 'SecretMalformed', malformed('ops', `${what}; ${FILL_OPS}`));
  });

  test('SecretEmpty (15): origin-verify AWSCURRENT is an empty string', async () => {
    const t = target();
    world.aws.sm.put(id('origin-verify'), { region: 'us-east-1', stages: { AWSCURRENT: '' } });
    expectFailure(await run(t), t, 'SecretEmpty', empty('origin-verify', 'the AWSCURRENT value is empty or not a string', 'check the secret and its rotation Lambda'));
  });

  test.each(['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'] as const)('SecretMalformed (18): an origin-verify %s value renderOriginVerifyMap rejects; never the value', async (stage) => {
    const t = target();
    const good = { AWSCURRENT: originValue(1), AWSPENDING: originValue(2), AWSPREVIOUS: originValue(3) };
    world.aws.sm.put(id('origin-verify'), { region: 'us-east-1', stages: { ...good, [stage]: 'test short value' } });
    const r = await run(t);
    expectFailure(
      r,
      t,
      'SecretMalformed',
      `${P} FAILED SecretMalformed: ${id('origin-verify')} (${stage}): the value is not an accepted origin-verify value (origin-verify value: expected 32-1024 characters of [A-Za-z0-9_-+/=.~] (got 16 characters)); check the rotation Lambda that generates it ${published('SecretMalformed')}`,
    );
  });
});

describe('files, command line, manifest and the metric', () => {
  test('Unexpected (20): an error that is not a SecretsFailure is reported as a bug of fetch-secrets (exit 20; no metric before credentials)', async () => {
    const t = target();
    const spy = jest.spyOn(manifestModule, 'selectSecrets').mockImplementation(() => {
      throw new TypeError('boom');
    });
    try {
      const r = await run(t);
      expect(r).toEqual({
        out: [],
        err: [`${P} FAILED Unexpected: fetch-secrets: TypeError: boom; this is a bug of fetch-secrets: report it ${notPublished('Unexpected', 'no credentials')}`],
        code: 20,
      });
      expect(world.aws.imds.requests).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  test('WriteFailed (19): the folder of the last file is missing; the files staged before are removed (all or nothing)', async () => {
    const t = target();
    fs.rmSync(t.nginxDir, { recursive: true });
    expectFailure(
      await run(t),
      t,
      'WriteFailed',
      `${P} FAILED WriteFailed: ${t.originMap}: cannot write it (ENOENT on open); check that its folder exists and that root can write there (the secrets folder comes from tmpfiles.d, the nginx include folder from the bundle) and that the file system is not full or read-only ${published('WriteFailed')}`,
    );
    // The gateways' folders were made (owner, 0700) before the staging; no file in them, no temp file left.
    expect(fs.readdirSync(t.secretsDir)).toEqual(['ops', 'support']);
    for (const g of ['ops', 'support']) {
      const dir = path.join(t.secretsDir, g);
      const st = fs.lstatSync(dir);
      expect({ entries: fs.readdirSync(dir), uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }).toEqual({ entries: [], ...OWNERS[`openclaw-${g}`]!, mode: 0o700 });
    }
  });

  test('WriteFailed (19): a target is a folder: the rename fails, the temp files are removed, nothing else is left behind', async () => {
    const t = target();
    const ops = path.join(t.secretsDir, 'ops', 'agent-ops.json');
    fs.mkdirSync(path.join(ops, 'inside'), { recursive: true });
    const r = await run(t);
    expect(r).toEqual({
      out: [],
      err: [
        `${P} FAILED WriteFailed: ${ops}: cannot write it (EISDIR on rename); check that its folder exists and that root can write there (the secrets folder comes from tmpfiles.d, the nginx include folder from the bundle) and that the file system is not full or read-only ${published('WriteFailed')}`,
      ],
      code: 19,
    });
    // Renames run in manifest order: the ops gateway token was already in place; no temp file stays.
    expect(t.written()).toEqual(['secrets/ops/gateway-token']);
    expect(fs.readdirSync(ops)).toEqual(['inside']);
  });

  test('Usage (2): a bad option value; the metric needs a manifest', async () => {
    const t = target();
    const r = await run(t, ['--max-attempts', 'many']);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      `${P} FAILED Usage: command line: --max-attempts: expected an integer from 1 to 20 (got "many"); usage: node fetch-secrets.js --manifest PATH [--passwd /etc/passwd] [--only id1,id2] [--refresh] [--max-attempts 5] [--retry-base-ms 100] [--concurrency 8] [--imds-timeout-ms 1000] [--imds-attempts 3] [metric SecretRetrievalFailed{Reason=Usage} not published: no usable manifest]`,
    ]);
    expect(world.aws.imds.requests).toEqual([]);
  });

  test('Usage (2): an --only id the manifest does not have: no metric (a command line error), no request', async () => {
    const t = target();
    const r = await run(t, ['--only', 'gateway-token-ops,agent-nobody,agent-else']);
    expect(r).toEqual({
      out: [],
      err: [
        `${P} FAILED Usage: --only: no secret "agent-nobody", "agent-else" in the manifest (ids: ${ALL}) [metric SecretRetrievalFailed{Reason=Usage} not published: command line error]`,
      ],
      code: 2,
    });
    expect(world.aws.imds.requests).toEqual([]);
    expect(world.aws.cw.metrics).toEqual([]);
  });

  test('ManifestInvalid (2): the manifest cannot be read, or is not JSON', async () => {
    const t = target();
    const tail = 'the manifest is rendered by lib/secrets/secrets-manifest.ts and installed by the bundle: reinstall it [metric SecretRetrievalFailed{Reason=ManifestInvalid} not published: no usable manifest]';
    fs.rmSync(t.manifestPath);
    expect(await run(t)).toEqual({ out: [], err: [`${P} FAILED ManifestInvalid: ${t.manifestPath}: file: cannot read it (ENOENT); ${tail}`], code: 2 });
    fs.writeFileSync(t.manifestPath, '{"deployment": ');
    expect(await run(t)).toEqual({ out: [], err: [`${P} FAILED ManifestInvalid: ${t.manifestPath}: document: not valid JSON; ${tail}`], code: 2 });
    expect(world.aws.imds.requests).toEqual([]);
  });

  test('the metric: a CloudWatch that never answers is given up after the deadline', async () => {
    const credentials = await within(instanceCredentials({ timeoutMs: 500, attempts: 1 }));
    world.aws.cw.state.hang = true;
    const manifest = { region: 'eu-west-1', metricNamespace: NS, metricName: 'SecretRetrievalFailed' };
    const started = Date.now();
    expect(await within(publishFailureMetric(manifest, 'SecretMissing', credentials, 150))).toEqual({ published: false, why: 'CloudWatch did not answer within 0.15 s' });
    expect(Date.now() - started).toBeLessThan(2_000);
    world.aws.cw.state.hang = false;
    expect(await within(publishFailureMetric(manifest, 'SecretMissing', credentials, 2_000))).toEqual({ published: true, namespace: NS });
    expect(world.aws.cw.metrics).toEqual(metricsOf('SecretMissing'));
    expect(await within(publishFailureMetric(manifest, 'SecretMissing', undefined))).toEqual({ published: false, why: 'no credentials' });
  });

  test('the metric: not published when CloudWatch answers 500 twice (one retry)', async () => {
    const t = target();
    world.aws.sm.remove(id('gateway-token-ops'));
    world.aws.cw.state.failing = true;
    const r = await run(t);
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-secrets: FAILED SecretMissing: openclaw\/example\/dev\/gateways\/ops\/token: .* \[metric SecretRetrievalFailed\{Reason=SecretMissing\} not published: InternalServiceFault \(HTTP 500\)\]$/)]);
    expect(r.code).toBe(14);
  });
});

describe('messages of errors the loopback fakes cannot produce inside jest', () => {
  // Inside jest, Node's network errors come from another realm, so the SDK wraps them
  // ("AWS SDK error wrapper for ..."); the real bundle sees them as below (its
  // ECONNREFUSED line is pinned in fetch-secrets-failures.test.ts).
  const secret = renderSecretsManifest(exampleConfig('dev')).secrets[0]!;
  const ctx = { secret, stage: 'AWSCURRENT', role: ROLE, endpoint: 'https://secretsmanager.eu-west-1.amazonaws.com' };
  const unavailable = (why: string, attempts: string) =>
    `ServiceUnavailable: ${secret.secretId}: Secrets Manager in eu-west-1 still failing after ${attempts} (${why}); ${CHECK_SM}`;

  test('no answer from the endpoint: connection refused, or the SDK time-out', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED', $metadata: { attempts: 2 } });
    expect(diagnoseCallError(refused, ctx).message).toBe(unavailable(`no answer from ${ctx.endpoint}: ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:443`, '2 attempts'));
    const timeout = Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError', $metadata: { attempts: 5 } });
    expect(diagnoseCallError(timeout, ctx).message).toBe(unavailable(`no answer from ${ctx.endpoint}: TimeoutError: Connection timed out after 3000 ms`, '5 attempts'));
    // A status means an answer: an unclassified 4xx is not "no answer".
    const answered = Object.assign(new Error('x'), { name: 'EUNKNOWN', $metadata: { httpStatusCode: 404, attempts: 1 } });
    expect(diagnoseCallError(answered, ctx).reason).toBe('Unexpected');
  });

  test('an error without name, message or metadata', () => {
    expect(diagnoseCallError({}, { ...ctx, stage: 'AWSPENDING' }).message).toBe(
      `Unexpected: ${secret.secretId} (AWSPENDING): Secrets Manager in eu-west-1 answered an error this program does not classify (Error: [object Object]); check the secret in the Secrets Manager console`,
    );
  });

  test('describeError: name (or code), message folded to one line, bounded', () => {
    expect(describeError(Object.assign(new Error('connect\n  ECONNRESET'), { code: 'ECONNRESET' }))).toBe('ECONNRESET: connect ECONNRESET');
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError(Object.assign(new Error('Same'), { name: 'Same' }))).toBe('Same');
    expect(describeError('a string')).toBe('Error: a string');
    expect(describeError(new Error('x'.repeat(300)), 20)).toBe('Error: xxxxxxxxxx...');
    expect(describeError(new Error('x'.repeat(13)), 20)).toBe('Error: xxxxxxxxxxxxx');
  });

  test('the endpoint named in messages: the SDK overrides, else the regional endpoint', () => {
    expect(secretsManagerEndpoint('eu-west-1', {})).toBe('https://secretsmanager.eu-west-1.amazonaws.com');
    expect(secretsManagerEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'https://all.example' })).toBe('https://all.example');
    expect(secretsManagerEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'https://all.example', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'https://sm.example' })).toBe('https://sm.example');
  });
});
