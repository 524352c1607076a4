import * as fs from 'fs';
import * as path from 'path';
import { freePort, exampleConfig } from '../host/support/host-tools';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { metricNamespace } from '../../lib/host/template-values';
import { CONFIG_DIR } from '../support/config-fixture';
import { fakeAws, requireRuntimeTool, runAsync, stubImds, tempDir, writeExecutable, type ImdsAnswer, type ImdsRequest } from './support/runtime-tools';

// The rendered imds-preflight.sh, run for real (bash + curl) against a stand-in
// metadata service on loopback, with a fake `aws` on PATH that records the
// metric it is asked to publish. Each failure must give exactly one line that
// names the step, publish BootPreflightFailed{Step}, and exit non-zero.

const config = exampleConfig('dev');
const NAMESPACE = metricNamespace(config);
const REGION = config.aws.region;
const ROLE = 'openclaw-example-dev-gateway-role';
const TOKEN = 'AQAEAtest-imds-token==';
// Obviously fake values; the script must never print them.
const ACCESS_KEY_ID = 'ASIA0TEST0NOT0A0KEY0';
const SECRET = 'test-secret-access-key-never-printed';
const CREDENTIALS = JSON.stringify({
  Code: 'Success',
  LastUpdated: '2026-11-21T12:00:00Z',
  Type: 'AWS-HMAC',
  AccessKeyId: ACCESS_KEY_ID,
  SecretAccessKey: SECRET,
  Token: 'test-session-token-never-printed',
  Expiration: '2026-11-21T18:00:00Z',
});
const TOKEN_PATH = '/latest/api/token';
const ROLES_PATH = '/latest/meta-data/iam/security-credentials/';

let dir: string;
let script: string;
let aws: ReturnType<typeof fakeAws>;

beforeAll(() => {
  requireRuntimeTool('bash');
  requireRuntimeTool('curl');
  dir = tempDir('oc-preflight-');
  script = writeExecutable(path.join(dir, 'imds-preflight.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/imds-preflight.sh']!);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A healthy metadata service, with `override` answering first where it returns something. */
function imds(override: (req: ImdsRequest, i: number) => ImdsAnswer | undefined = () => undefined) {
  return (req: ImdsRequest, i: number): ImdsAnswer => {
    const o = override(req, i);
    if (o) return o;
    if (req.method === 'PUT' && req.url === TOKEN_PATH) return { status: 200, body: TOKEN };
    if (req.headers['x-aws-ec2-metadata-token'] !== TOKEN) return { status: 401 };
    if (req.method === 'GET' && req.url === ROLES_PATH) return { status: 200, body: `${ROLE}\n` };
    if (req.method === 'GET' && req.url === ROLES_PATH + ROLE) return { status: 200, body: CREDENTIALS };
    return { status: 404 };
  };
}

async function preflight(endpoint: string, env: Record<string, string> = {}, awsExit = 0) {
  const callDir = fs.mkdtempSync(path.join(dir, 'run-'));
  aws = fakeAws(callDir);
  const r = await runAsync(script, [], {
    env: {
      PATH: `${aws.binDir}:/usr/local/bin:/usr/bin:/bin`,
      IMDS_ENDPOINT: endpoint,
      IMDS_ATTEMPTS: '1',
      IMDS_RETRY_DELAY: '0',
      FAKE_AWS_EXIT: String(awsExit),
      ...env,
    },
    timeoutMs: 20_000,
  });
  return { ...r, lines: r.stderr.split('\n').filter(Boolean), calls: aws.calls() };
}

/** The metric call the script must make for a failed step. */
const metricCall = (step: string) => [
  'cloudwatch', 'put-metric-data', '--region', REGION, '--namespace', NAMESPACE,
  // With the step (diagnosis) and without dimensions (the alarm's series).
  '--metric-data', `MetricName=BootPreflightFailed,Dimensions=[{Name=Step,Value=${step}}],Value=1,Unit=Count`, 'MetricName=BootPreflightFailed,Value=1,Unit=Count',
  '--cli-connect-timeout', '3', '--cli-read-timeout', '5',
];
const published = (step: string) => `[metric BootPreflightFailed{Step=${step}} published to ${NAMESPACE}]`;

async function withImds<T>(answer: (req: ImdsRequest, i: number) => ImdsAnswer, fn: (endpoint: string, requests: ImdsRequest[]) => Promise<T>): Promise<T> {
  const stub = await stubImds(answer);
  try {
    return await fn(stub.endpoint, stub.requests);
  } finally {
    await stub.close();
  }
}

test('success: token, role and credentials; one OK line, no metric, no secret printed', async () => {
  await withImds(imds(), async (endpoint, requests) => {
    const r = await preflight(endpoint);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`openclaw-preflight: OK: IMDSv2 token obtained, role ${ROLE} attached, credentials served (expire 2026-11-21T18:00:00Z)\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([]);
    expect(r.stdout).not.toContain(ACCESS_KEY_ID);
    expect(r.stdout).not.toContain(SECRET);
    // IMDSv2: a PUT with the TTL header, then GETs carrying the token; never a forwarded-for header.
    expect(requests.map((q) => `${q.method} ${q.url}`)).toEqual([`PUT ${TOKEN_PATH}`, `GET ${ROLES_PATH}`, `GET ${ROLES_PATH}${ROLE}`]);
    expect(requests[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('21600');
    expect(requests.slice(1).every((q) => q.headers['x-aws-ec2-metadata-token'] === TOKEN)).toBe(true);
    expect(requests.some((q) => 'x-forwarded-for' in q.headers)).toBe(false);
  });
});

test.each([401, 403])('token refused (HTTP %i): ImdsTokenRefused, metric published, exit 1', async (status) => {
  await withImds(imds((q) => (q.method === 'PUT' ? { status } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint);
    expect(r.lines).toEqual([
      `openclaw-preflight: FAILED ImdsTokenRefused: the instance metadata service refused an IMDSv2 token (PUT ${TOKEN_PATH} answered HTTP ${status}); check the instance metadata options and that no proxy sits in the path ${published('ImdsTokenRefused')}`,
    ]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metricCall('ImdsTokenRefused')]);
  });
});

test('IMDS unreachable (closed port): ImdsUnreachable after the configured attempts, exit 1', async () => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const r = await preflight(endpoint, { IMDS_ATTEMPTS: '2' });
  expect(r.lines).toHaveLength(1);
  expect(r.lines[0]).toMatch(
    new RegExp(
      `^openclaw-preflight: FAILED ImdsUnreachable: no usable answer from the instance metadata service at ${endpoint.replace(/\./g, '\\.')} ` +
        `\\(PUT /latest/api/token: curl exit 7, Failed to connect to 127\\.0\\.0\\.1 port ${port}[^)]*, after 2 attempts\\); ` +
        `check the instance metadata options \\(HttpEndpoint enabled, hop limit\\) and the host firewall ` +
        `\\[metric BootPreflightFailed\\{Step=ImdsUnreachable\\} published to ${NAMESPACE.replace(/\//g, '\\/')}\\]$`,
    ),
  );
  expect(r.code).toBe(1);
  expect(r.calls).toEqual([metricCall('ImdsUnreachable')]);
});

test('IMDS that accepts but never answers: ImdsUnreachable within the 2 s time-out (curl exit 28)', async () => {
  await withImds(() => 'hang', async (endpoint) => {
    const started = Date.now();
    const r = await preflight(endpoint);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^openclaw-preflight: FAILED ImdsUnreachable: .*\(PUT \/latest\/api\/token: curl exit 28, .*after 1 attempt\)/);
    expect(r.code).toBe(1);
  });
});

test('no role attached (404 on security-credentials/): NoInstanceRole, exit 1', async () => {
  await withImds(imds((q) => (q.url === ROLES_PATH ? { status: 404 } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint);
    expect(r.lines).toEqual([
      `openclaw-preflight: FAILED NoInstanceRole: no IAM role is attached to the instance (GET ${ROLES_PATH} answered HTTP 404); attach the gateway's instance profile ${published('NoInstanceRole')}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metricCall('NoInstanceRole')]);
  });
});

test('no role attached (empty list): NoInstanceRole', async () => {
  await withImds(imds((q) => (q.url === ROLES_PATH ? { status: 200, body: '' } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint);
    expect(r.lines).toEqual([
      `openclaw-preflight: FAILED NoInstanceRole: no IAM role is attached to the instance (GET ${ROLES_PATH} answered an empty list); attach the gateway's instance profile ${published('NoInstanceRole')}`,
    ]);
    expect(r.code).toBe(1);
  });
});

test('credentials missing (404 on the role document): CredentialsMissing, exit 1', async () => {
  await withImds(imds((q) => (q.url === ROLES_PATH + ROLE ? { status: 404 } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint);
    expect(r.lines).toEqual([
      `openclaw-preflight: FAILED CredentialsMissing: role ${ROLE} is attached but IMDS serves no credentials for it (GET ${ROLES_PATH}${ROLE} answered HTTP 404); check the instance profile and its role's trust policy ${published('CredentialsMissing')}`,
    ]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metricCall('CredentialsMissing')]);
  });
});

test('credentials missing (role document without AccessKeyId): CredentialsMissing naming the Code', async () => {
  const doc = JSON.stringify({ Code: 'AssumeRoleUnauthorizedAccess', Message: 'EC2 cannot assume the role', LastUpdated: '2026-11-21T12:00:00Z' });
  await withImds(imds((q) => (q.url === ROLES_PATH + ROLE ? { status: 200, body: doc } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint);
    expect(r.lines).toEqual([
      `openclaw-preflight: FAILED CredentialsMissing: role ${ROLE} is attached but its credentials document has no AccessKeyId (Code: AssumeRoleUnauthorizedAccess); check the instance profile and its role's trust policy ${published('CredentialsMissing')}`,
    ]);
    expect(r.code).toBe(1);
  });
});

test('a token that IMDS rejects on use (401): ImdsTokenRefused', async () => {
  await withImds(imds((q) => (q.method === 'GET' ? { status: 401 } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint);
    expect(r.lines).toEqual([
      `openclaw-preflight: FAILED ImdsTokenRefused: the IMDSv2 token was rejected (GET ${ROLES_PATH} answered HTTP 401) ${published('ImdsTokenRefused')}`,
    ]);
    expect(r.code).toBe(1);
  });
});

test('IMDS answering 503 at first (boot): retried, then success', async () => {
  await withImds(imds((_q, i) => (i < 2 ? { status: 503 } : undefined)), async (endpoint, requests) => {
    const r = await preflight(endpoint, { IMDS_ATTEMPTS: '3' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(requests.filter((q) => q.method === 'PUT')).toHaveLength(3);
  });
});

test('the metric cannot be published: still one line (saying so) and exit 1', async () => {
  await withImds(imds((q) => (q.method === 'PUT' ? { status: 403 } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint, {}, 255);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^openclaw-preflight: FAILED ImdsTokenRefused: .* \[metric BootPreflightFailed\{Step=ImdsTokenRefused\} not published: aws exit 255\]$/);
    expect(r.code).toBe(1);
  });
});

test('namespace and region come from the environment (host.env) when set', async () => {
  await withImds(imds((q) => (q.method === 'PUT' ? { status: 403 } : undefined)), async (endpoint) => {
    const r = await preflight(endpoint, { OPENCLAW_METRIC_NAMESPACE: 'OpenClaw/other', AWS_REGION: 'ap-southeast-2' });
    expect(r.calls[0]).toEqual(expect.arrayContaining(['--namespace', 'OpenClaw/other', '--region', 'ap-southeast-2']));
    expect(r.code).toBe(1);
  });
});
