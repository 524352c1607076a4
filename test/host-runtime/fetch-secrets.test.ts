import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderOriginVerifyMap } from '../../lib/host/nginx-config';
import { SECRET_RETRIEVAL_METRIC } from '../../lib/shared/metric-names';
import { bundleFetchSecrets, buildHostProgram } from '../../lib/bundling/host-programs';
import { DEFAULT_METRIC_NAME } from '../../host/fetch-secrets/failure';
import { OWNER, OWNERS, startFetchSecretsSuite, type FetchSecretsSuite, type Target } from '../support/fake-aws/fetch-secrets-suite';
import { SM_ERRORS } from '../support/fake-aws/secrets-manager';
import { fakeRoleCredentials, IMDS_ROLES_PATH, IMDS_TOKEN_PATH } from '../support/fake-aws/imds';
import { originValue } from '../support/fake-aws/world';

// The REAL bundled fetch-secrets.js, run with node as a child process against
// loopback fakes of IMDSv2, Secrets Manager (which recomputes every SigV4
// signature) and CloudWatch: the success path, --refresh, retries, and that
// no secret value leaks. One test per failure reason: fetch-secrets-failures.test.ts.

let suite: FetchSecretsSuite;
beforeAll(async () => {
  suite = await startFetchSecretsSuite(9100);
});
afterAll(async () => {
  await suite?.close();
});
beforeEach(() => suite.aws.reset());

const OK_LINE = /^openclaw-secrets: OK 5 secrets \(gateway-token-ops, agent-ops, gateway-token-support, agent-support, origin-verify\) in \d+\.\d\d s$/;

/** The content each file must have after a successful run. */
function expectedFiles(t: Target): Record<string, { content: string; uid: number; gid: number; mode: number }> {
  const v = (id: string) => t.stored.get(id)!;
  const origin = v('origin-verify');
  const root = { uid: process.getuid!(), gid: process.getgid!() };
  return {
    [path.join(t.secretsDir, 'ops', 'gateway-token')]: { content: v('gateway-token-ops').current, ...OWNERS['openclaw-ops']!, mode: 0o400 },
    [path.join(t.secretsDir, 'ops', 'agent-ops.json')]: { content: v('agent-ops').current, ...OWNERS['openclaw-ops']!, mode: 0o400 },
    [path.join(t.secretsDir, 'support', 'gateway-token')]: { content: v('gateway-token-support').current, ...OWNERS['openclaw-support']!, mode: 0o400 },
    [path.join(t.secretsDir, 'support', 'agent-support.json')]: { content: v('agent-support').current, ...OWNERS['openclaw-support']!, mode: 0o400 },
    [t.originMap]: { content: renderOriginVerifyMap(origin.current, origin.pending, origin.previous), ...root, mode: 0o600 },
  };
}

function expectFilesAsExpected(t: Target): void {
  for (const [file, want] of Object.entries(expectedFiles(t))) {
    const st = fs.lstatSync(file);
    expect({ file, regular: st.isFile(), nlink: st.nlink, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }).toEqual({
      file,
      regular: true,
      nlink: 1,
      uid: want.uid,
      gid: want.gid,
      mode: want.mode,
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(want.content);
  }
  expect(t.written()).toEqual([
    'nginx/origin-verify.map.conf',
    'secrets/ops/agent-ops.json',
    'secrets/ops/gateway-token',
    'secrets/support/agent-support.json',
    'secrets/support/gateway-token',
  ]);
  // Each gateway's folder: its user's, 0700.
  for (const [gw, owner] of [['ops', OWNERS['openclaw-ops']!], ['support', OWNERS['openclaw-support']!]] as const) {
    const st = fs.lstatSync(path.join(t.secretsDir, gw));
    expect({ gw, dir: st.isDirectory(), uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }).toEqual({ gw, dir: true, ...owner, mode: 0o700 });
  }
}

test('success: all five secrets written with their owner and mode, one OK line, IMDSv2 credentials only', async () => {
  const t = suite.target();
  // Environment credentials must be ignored: the fake Secrets Manager would refuse them.
  const bogus = fakeRoleCredentials(1);
  const r = await suite.run(t, [], { AWS_ACCESS_KEY_ID: bogus.accessKeyId, AWS_SECRET_ACCESS_KEY: bogus.secretAccessKey, AWS_SESSION_TOKEN: bogus.sessionToken, AWS_PROFILE: 'test-none' });
  expect(r.err).toEqual([]);
  expect(r.out).toHaveLength(1);
  expect(r.out[0]).toMatch(OK_LINE);
  expect(r.code).toBe(0);
  expectFilesAsExpected(t);
  // The origin map accepts current, pending and previous, in that order.
  const origin = t.stored.get('origin-verify')!;
  const map = fs.readFileSync(t.originMap, 'utf8');
  const entries = map.split('\n').filter((l) => !l.startsWith('#') && l !== '');
  expect(entries).toEqual([origin.current, origin.pending!, origin.previous!].map((v) => `"~^${v}$" 1;`));
  // Each secret asked in its own region (origin-verify in us-east-1), signed correctly, once.
  const { sm, imds, cw } = suite.aws;
  expect(sm.rejections).toEqual([]);
  expect(sm.calls.map((c) => `${c.region} ${c.secretId} ${c.stage} ${c.outcome}`).sort()).toEqual([
    'eu-west-1 openclaw/example/dev/agents/ops AWSCURRENT value',
    'eu-west-1 openclaw/example/dev/agents/support AWSCURRENT value',
    'eu-west-1 openclaw/example/dev/gateways/ops/token AWSCURRENT value',
    'eu-west-1 openclaw/example/dev/gateways/support/token AWSCURRENT value',
    'us-east-1 openclaw/example/dev/origin-verify AWSCURRENT value',
    'us-east-1 openclaw/example/dev/origin-verify AWSPENDING value',
    'us-east-1 openclaw/example/dev/origin-verify AWSPREVIOUS value',
  ]);
  // IMDSv2 only: every GET carries a session token obtained by PUT.
  const gets = imds.requests.filter((q) => q.method === 'GET');
  expect(imds.requests.filter((q) => q.method === 'PUT').every((q) => q.url === IMDS_TOKEN_PATH && q.headers['x-aws-ec2-metadata-token-ttl-seconds'])).toBe(true);
  expect(gets.length).toBeGreaterThan(0);
  expect(gets.every((q) => typeof q.headers['x-aws-ec2-metadata-token'] === 'string' && q.url.startsWith(IMDS_ROLES_PATH))).toBe(true);
  expect(cw.metrics).toEqual([]);
});

test("the AWS SDK's notice about the Node version is switched off (on a Node it warns about, stderr stays empty)", async () => {
  const t = suite.target();
  const preload = path.join(suite.root, 'old-node.js');
  fs.writeFileSync(preload, "Object.defineProperty(process, 'version', { value: 'v20.0.0' });\n");
  const r = await suite.run(t, [], { NODE_OPTIONS: `--require=${preload}` });
  expect({ code: r.code, err: r.err, out: r.out.map((l) => OK_LINE.test(l)) }).toEqual({ code: 0, err: [], out: [true] });
});

test('origin-verify without a rotation in progress: the map holds the current value only', async () => {
  const t = suite.target({ rotation: false });
  const r = await suite.run(t, ['--only', 'origin-verify']);
  expect(r.out).toEqual([expect.stringMatching(/^openclaw-secrets: OK 1 secret \(origin-verify\) in \d+\.\d\d s$/)]);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(t.originMap, 'utf8')).toBe(renderOriginVerifyMap(t.stored.get('origin-verify')!.current));
  expect(suite.aws.sm.calls.filter((c) => c.outcome === 'absent').map((c) => c.stage).sort()).toEqual(['AWSPENDING', 'AWSPREVIOUS']);
  expect(t.written()).toEqual(['nginx/origin-verify.map.conf']);
});

test('retries: 3 throttles of one secret, then success (exponential backoff, same call retried)', async () => {
  const t = suite.target();
  suite.aws.sm.inject('openclaw/example/dev/gateways/ops/token', SM_ERRORS.throttling(), 3);
  const r = await suite.run(t, ['--retry-base-ms', '20']);
  expect(r.err).toEqual([]);
  expect(r.out[0]).toMatch(OK_LINE);
  expect(r.code).toBe(0);
  expect(suite.aws.sm.calls.filter((c) => c.secretId.endsWith('/gateways/ops/token')).map((c) => `${c.attempt} ${c.outcome}`)).toEqual([
    'attempt=1; max=5 ThrottlingException',
    'attempt=2; max=5 ThrottlingException',
    'attempt=3; max=5 ThrottlingException',
    'attempt=4; max=5 value',
  ]);
  expectFilesAsExpected(t);
});

test('retries: HTTP 500 twice, then success', async () => {
  const t = suite.target();
  suite.aws.sm.inject('openclaw/example/dev/agents/ops', SM_ERRORS.internal(), 2);
  const r = await suite.run(t, ['--retry-base-ms', '10']);
  expect(r.out[0]).toMatch(OK_LINE);
  expect(r.code).toBe(0);
  expect(suite.aws.sm.calls.filter((c) => c.secretId.endsWith('/ops')).map((c) => c.outcome)).toEqual(['InternalServiceError', 'InternalServiceError', 'value']);
});

test('--refresh: writes only the changed files, prints a changed line for each, leaves files untouched on failure', async () => {
  const t = suite.target();
  expect((await suite.run(t)).code).toBe(0);
  const inode = (f: string) => fs.statSync(f).ino;
  const files = Object.keys(expectedFiles(t));
  const before = Object.fromEntries(files.map((f) => [f, inode(f)]));

  // Nothing changed: nothing rewritten.
  const same = await suite.run(t, ['--refresh']);
  expect(same.out).toEqual([expect.stringMatching(/^openclaw-secrets: OK 5 secrets \(.*\) in \d+\.\d\d s, 0 changed$/)]);
  expect(files.map(inode)).toEqual(files.map((f) => before[f]));

  // The ops agent's document and the origin-verify rotation change.
  const ops = t.manifest.secrets.find((s) => s.id === 'agent-ops')!;
  const newOps = JSON.stringify({ anthropic: { apiKey: `test-rotated-${originValue(5)}` } });
  suite.aws.sm.put(ops.secretId, { region: ops.region, stages: { AWSCURRENT: newOps } });
  const origin = t.stored.get('origin-verify')!;
  const originSecret = t.manifest.secrets.find((s) => s.id === 'origin-verify')!;
  suite.aws.sm.put(originSecret.secretId, { region: 'us-east-1', stages: { AWSCURRENT: origin.pending!, AWSPREVIOUS: origin.current } });
  const changed = await suite.run(t, ['--refresh']);
  expect(changed.err).toEqual([]);
  expect(changed.out).toEqual([
    'openclaw-secrets: changed agent-ops',
    'openclaw-secrets: changed origin-verify',
    expect.stringMatching(/^openclaw-secrets: OK 5 secrets \(.*\) in \d+\.\d\d s, 2 changed$/),
  ]);
  expect(changed.code).toBe(0);
  const opsFile = path.join(t.secretsDir, 'ops', 'agent-ops.json');
  expect(fs.readFileSync(opsFile, 'utf8')).toBe(newOps);
  expect(fs.readFileSync(t.originMap, 'utf8')).toBe(renderOriginVerifyMap(origin.pending!, origin.current));
  expect(inode(path.join(t.secretsDir, 'ops', 'gateway-token'))).toBe(before[path.join(t.secretsDir, 'ops', 'gateway-token')]);
  expect(inode(path.join(t.secretsDir, 'support', 'agent-support.json'))).toBe(before[path.join(t.secretsDir, 'support', 'agent-support.json')]);
  const st = fs.lstatSync(opsFile);
  expect([st.uid, st.gid, st.mode & 0o7777, st.nlink]).toEqual([OWNER.uid, OWNER.gid, 0o400, 1]);

  // A failure during refresh: the ops document changes again, but support is denied: nothing is touched.
  const snapshot = Object.fromEntries(files.map((f) => [f, [fs.readFileSync(f, 'utf8'), inode(f)]]));
  suite.aws.sm.put(ops.secretId, { region: ops.region, stages: { AWSCURRENT: JSON.stringify({ anthropic: { apiKey: 'test-never-written' } }) } });
  suite.aws.sm.inject('openclaw/example/dev/agents/support', SM_ERRORS.accessDenied());
  const failed = await suite.run(t, ['--refresh']);
  expect(failed.code).toBe(13);
  expect(failed.out).toEqual([]);
  expect(failed.err).toEqual([expect.stringMatching(/^openclaw-secrets: FAILED AccessDenied: openclaw\/example\/dev\/agents\/support: /)]);
  expect(Object.fromEntries(files.map((f) => [f, [fs.readFileSync(f, 'utf8'), inode(f)]]))).toEqual(snapshot);
  expect(t.written()).toHaveLength(5);
});

test('a file that drifted (mode, extra hard link) is rewritten by --refresh', async () => {
  const t = suite.target();
  expect((await suite.run(t)).code).toBe(0);
  const token = path.join(t.secretsDir, 'ops', 'gateway-token');
  fs.chmodSync(token, 0o644);
  fs.linkSync(t.originMap, path.join(t.dir, 'extra-link'));
  const r = await suite.run(t, ['--refresh']);
  expect(r.out.slice(0, -1)).toEqual(['openclaw-secrets: changed gateway-token-ops', 'openclaw-secrets: changed origin-verify']);
  expectFilesAsExpected(t);
});

test('several failing secrets: the first in manifest order is reported, whatever finishes first', async () => {
  const t = suite.target();
  // The gateway token (first) fails slowly after its retries; the ops agent (second) fails at once.
  suite.aws.sm.inject('openclaw/example/dev/gateways/ops/token', SM_ERRORS.internal());
  suite.aws.sm.inject('openclaw/example/dev/agents/ops', SM_ERRORS.accessDenied());
  const r = await suite.run(t, ['--max-attempts', '3', '--retry-base-ms', '50']);
  expect(r.err).toEqual([expect.stringMatching(/^openclaw-secrets: FAILED ServiceUnavailable: openclaw\/example\/dev\/gateways\/ops\/token: .*after 3 attempts/)]);
  expect(r.code).toBe(17);
  expect(t.written()).toEqual([]);
});

test('no secret value in stdout, stderr or any file but the secret files', async () => {
  const t = suite.target();
  const outputs: string[] = [];
  const record = (r: { stdout: string; stderr: string }) => outputs.push(r.stdout, r.stderr);
  record(await suite.run(t));
  record(await suite.run(t, ['--refresh']));
  const values = [...t.stored.values()].flatMap((v) => [v.current, v.pending, v.previous]).filter((v): v is string => !!v);
  const docs = [...t.stored.entries()].filter(([id]) => id.startsWith('agent-')).map(([, v]) => Object.values(JSON.parse(v.current) as Record<string, Record<string, string>>).flatMap((o) => Object.values(o)));
  const { credentials } = suite.aws;
  const secrets = [...values, ...docs.flat(), credentials.secretAccessKey, credentials.sessionToken];
  // ops: its anthropic key; support: its own anthropic key and its bot token.
  expect(docs.flat()).toHaveLength(3);

  // Failures whose messages are about a value: empty key, malformed JSON quoting the value, bad origin value.
  const ops = t.manifest.secrets.find((s) => s.id === 'agent-ops')!;
  const leaky = `test-leak-${originValue(99)}`;
  suite.aws.sm.put(ops.secretId, { region: ops.region, stages: { AWSCURRENT: `{"anthropic": {"apiKey": "${leaky}"` } });
  record(await suite.run(t, ['--refresh']));
  suite.aws.sm.put(ops.secretId, { region: ops.region, stages: { AWSCURRENT: JSON.stringify({ anthropic: { apiKey: 7 }, other: leaky }) } });
  record(await suite.run(t, ['--refresh']));
  suite.aws.sm.put(ops.secretId, { region: ops.region, stages: { AWSCURRENT: t.stored.get('agent-ops')!.current } });
  const origin = t.manifest.secrets.find((s) => s.id === 'origin-verify')!;
  suite.aws.sm.put(origin.secretId, { region: 'us-east-1', stages: { AWSCURRENT: t.stored.get('origin-verify')!.current, AWSPENDING: `${leaky} with spaces` } });
  record(await suite.run(t, ['--refresh']));
  suite.aws.sm.inject('*', SM_ERRORS.accessDenied());
  record(await suite.run(t, ['--refresh']));
  secrets.push(leaky);

  expect(outputs.map((o) => /FAILED (\w+)/.exec(o)?.[1]).filter(Boolean)).toEqual(['SecretMalformed', 'SecretEmpty', 'SecretMalformed', 'AccessDenied']);
  for (const s of secrets) expect({ s, leaked: outputs.some((o) => o.includes(s)) }).toEqual({ s, leaked: false });
  const intended = new Set(Object.keys(expectedFiles(t)));
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  // This test's folder (manifest, outputs), HOME of the runs and the program; other tests' folders hold the same values legitimately.
  const others = [...walk(t.dir), ...walk(path.join(suite.root, 'home')), suite.program].filter((f) => !intended.has(f));
  expect(others).toEqual(expect.arrayContaining([suite.program, t.manifestPath]));
  for (const f of others) {
    const text = fs.readFileSync(f, 'latin1');
    for (const s of secrets) expect({ f, s, leaked: text.includes(s) }).toEqual({ f, s, leaked: false });
  }
});

test('the fake Secrets Manager checks signatures: credentials with the wrong secret key are refused (AccessDenied, exit 13)', async () => {
  const t = suite.target();
  const right = suite.aws.credentials;
  suite.aws.imds.behaviour.served = { ...right, secretAccessKey: fakeRoleCredentials(2).secretAccessKey };
  const r = await suite.run(t);
  expect(r.err).toEqual([
    "openclaw-secrets: FAILED AccessDenied: openclaw/example/dev/gateways/ops/token: Secrets Manager refused the request's credentials (InvalidSignatureException: The request signature we calculated does not match the signature you provided.); is the host clock right (chronyd)? were the credentials of role openclaw-test-gateway-role revoked? check the instance profile and the time sync [metric SecretRetrievalFailed{Reason=AccessDenied} not published: InvalidSignatureException (HTTP 403)]",
  ]);
  expect(r.code).toBe(13);
  expect(new Set(suite.aws.sm.rejections)).toEqual(new Set(['signature mismatch']));
  expect(suite.aws.cw.rejections).toEqual(['signature mismatch']);
  expect(t.written()).toEqual([]);
});

test('the fake Secrets Manager refuses unsigned requests and a session token other than the IMDS one', async () => {
  const { sm } = suite.aws;
  const call = (headers: Record<string, string>) =>
    fetch(sm.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue', ...headers },
      body: JSON.stringify({ SecretId: 'openclaw/example/dev/gateways/ops/token' }),
    }).then(async (res) => ({ status: res.status, type: res.headers.get('x-amzn-errortype') }));
  expect(await call({})).toEqual({ status: 403, type: 'InvalidSignatureException' });
  const c = suite.aws.credentials;
  const forged = `AWS4-HMAC-SHA256 Credential=${c.accessKeyId}/20261121/eu-west-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${'0'.repeat(64)}`;
  expect(await call({ authorization: forged, 'x-amz-date': '20261121T000000Z', 'x-amz-security-token': 'test-other-token' })).toEqual({ status: 403, type: 'InvalidSignatureException' });
  expect(sm.rejections).toEqual(['unsigned request (no Authorization header)', 'x-amz-security-token is not the session token']);
});

describe('the bundle', () => {
  const bundle = bundleFetchSecrets();

  test('is one deterministic file without CDK, constructs, zod or paths of this machine', () => {
    expect(buildHostProgram('fetch-secrets')).toBe(bundle);
    expect(bundleFetchSecrets()).toBe(bundle);
    for (const s of ['aws-cdk-lib', 'node_modules/constructs', 'node_modules/zod', path.resolve(__dirname, '../..'), os.tmpdir() + '/', 'sourceMappingURL']) {
      expect({ s, found: bundle.includes(s) }).toEqual({ s, found: false });
    }
    expect(Buffer.byteLength(bundle)).toBeLessThan(1_000_000);
    expect(bundle).not.toContain('credential-provider-sso');
  });

  test('the metric name the program falls back to is the manifest one', () => {
    expect(DEFAULT_METRIC_NAME).toBe(SECRET_RETRIEVAL_METRIC);
  });
});
