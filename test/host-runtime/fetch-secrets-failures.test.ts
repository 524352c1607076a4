import * as fs from 'fs';
import { freePort } from '../host/support/host-tools';
import { EXIT_CODES, type Reason } from '../../host/fetch-secrets/failure';
import { startFetchSecretsSuite, type FetchSecretsSuite, type Run, type Target } from '../support/fake-aws/fetch-secrets-suite';
import { SM_ERRORS } from '../support/fake-aws/secrets-manager';
import { originValue } from '../support/fake-aws/world';

// One test per failure reason of the REAL bundled fetch-secrets.js (see
// fetch-secrets.test.ts): exactly one stderr line naming the reason, the
// secret or endpoint and what to check; the reason's exit code; the
// SecretRetrievalFailed{Reason} metric in the fake CloudWatch when the
// program had credentials; and, in boot mode, no file written at all.

let suite: FetchSecretsSuite;
beforeAll(async () => {
  suite = await startFetchSecretsSuite(9300);
});
afterAll(async () => {
  await suite?.close();
});
beforeEach(() => suite.aws.reset());

const NS = 'OpenClaw/openclaw-example-dev';
const ROLE = 'openclaw-test-gateway-role';
const published = (reason: Reason) => `[metric SecretRetrievalFailed{Reason=${reason}} published to ${NS}]`;
const noCredentials = (reason: Reason) => `[metric SecretRetrievalFailed{Reason=${reason}} not published: no credentials]`;
const FILL_OPS = 'fill it with: npm run secrets:set -- --client example --env dev --agent ops';
const FILL_SUPPORT = 'fill it with: npm run secrets:set -- --client example --env dev --agent support';
const secretId = (id: string) =>
  id.startsWith('gateway-token-') ? `openclaw/example/dev/gateways/${id.slice('gateway-token-'.length)}/token` : id === 'origin-verify' ? `openclaw/example/dev/${id}` : `openclaw/example/dev/agents/${id}`;

/** Exactly one stderr line (equal to `line`, or matching it), the reason's exit code, nothing on stdout, no file written. */
function expectFailure(r: Run, t: Target, reason: Reason, line: string | RegExp, metric: 'published' | 'no credentials' = 'published'): void {
  expect(r.err).toEqual([typeof line === 'string' ? line : expect.stringMatching(line)]);
  expect(r.out).toEqual([]);
  expect(r.code).toBe(EXIT_CODES[reason]);
  expect(t.written()).toEqual([]);
  expect(suite.aws.cw.metrics).toEqual(
    metric === 'published'
      ? [
          { region: 'eu-west-1', namespace: NS, metricName: 'SecretRetrievalFailed', dimensions: { Reason: reason }, value: 1, unit: 'Count' },
          // The alarm's metric: every reason in one series.
          { region: 'eu-west-1', namespace: NS, metricName: 'SecretRetrievalFailed', dimensions: {}, value: 1, unit: 'Count' },
        ]
      : [],
  );
}

describe('instance metadata and credentials', () => {
  test('ImdsUnreachable (exit 10): nothing listens at the metadata endpoint', async () => {
    const t = suite.target();
    const port = await freePort();
    const r = await suite.run(t, ['--imds-attempts', '2'], { AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` });
    expectFailure(
      r,
      t,
      'ImdsUnreachable',
      `openclaw-secrets: FAILED ImdsUnreachable: http://127.0.0.1:${port}: no answer from the instance metadata service (PUT /latest/api/token: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}, after 2 attempts); check the instance metadata options (HttpEndpoint enabled) and the host firewall ${noCredentials('ImdsUnreachable')}`,
      'no credentials',
    );
    expect(suite.aws.sm.calls).toEqual([]);
  });

  test('ImdsUnreachable (exit 10): the metadata service accepts but never answers (bounded by the time-out)', async () => {
    const t = suite.target();
    suite.aws.imds.behaviour.hang = true;
    const started = Date.now();
    const r = await suite.run(t, ['--imds-timeout-ms', '300', '--imds-attempts', '2']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expectFailure(
      r,
      t,
      'ImdsUnreachable',
      `openclaw-secrets: FAILED ImdsUnreachable: ${suite.aws.imds.endpoint}: no answer from the instance metadata service (PUT /latest/api/token: no answer within 300 ms, after 2 attempts); check the instance metadata options (HttpEndpoint enabled) and the host firewall ${noCredentials('ImdsUnreachable')}`,
      'no credentials',
    );
  });

  test('ImdsTokenRefused (exit 11): PUT /latest/api/token answers 403', async () => {
    const t = suite.target();
    suite.aws.imds.behaviour.token = 403;
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'ImdsTokenRefused',
      `openclaw-secrets: FAILED ImdsTokenRefused: ${suite.aws.imds.endpoint}: the instance metadata service refused an IMDSv2 token (PUT /latest/api/token answered HTTP 403); IMDSv2 disabled or hop limit too low? check the instance metadata options (HttpTokens required, HttpPutResponseHopLimit) and that no proxy sits in the path ${noCredentials('ImdsTokenRefused')}`,
      'no credentials',
    );
    // Never an IMDSv1 request (a GET without a token).
    expect(suite.aws.imds.requests.filter((q) => q.method === 'GET')).toEqual([]);
  });

  test('NoRoleCredentials (exit 12): no role attached to the instance', async () => {
    const t = suite.target();
    suite.aws.imds.behaviour.role = null;
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'NoRoleCredentials',
      `openclaw-secrets: FAILED NoRoleCredentials: ${suite.aws.imds.endpoint}: no IAM role attached to the instance (GET /latest/meta-data/iam/security-credentials/ answered HTTP 404); instance profile missing? check the instance profile of the host ${noCredentials('NoRoleCredentials')}`,
      'no credentials',
    );
  });

  test("NoRoleCredentials (exit 12): a role is listed but its credentials are not served", async () => {
    const t = suite.target();
    suite.aws.imds.behaviour.credentials = 404;
    const r = await suite.run(t, ['--imds-attempts', '1']);
    expectFailure(
      r,
      t,
      'NoRoleCredentials',
      `openclaw-secrets: FAILED NoRoleCredentials: ${suite.aws.imds.endpoint}: role ${ROLE} is attached but its credentials are not retrievable (GET /latest/meta-data/iam/security-credentials/${ROLE}: ProviderError: Error response received from instance metadata service, HTTP 404); instance profile missing or its role deleted? check the instance profile of the host and the role's trust policy (ec2.amazonaws.com) ${noCredentials('NoRoleCredentials')}`,
      'no credentials',
    );
  });
});

describe('Secrets Manager answers', () => {
  test('AccessDenied (exit 13): GetSecretValue denied on one agent secret', async () => {
    const t = suite.target();
    suite.aws.sm.inject(secretId('ops'), SM_ERRORS.accessDenied());
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'AccessDenied',
      `openclaw-secrets: FAILED AccessDenied: ${secretId('ops')}: Secrets Manager denied GetSecretValue (AccessDeniedException: ${SM_ERRORS.accessDenied().message.slice(0, 240 - 'AccessDeniedException: '.length - 3)}...); policy changed? check the IAM policy of the host role ${ROLE} (secretsmanager:GetSecretValue on this secret) and the secret's resource policy ${published('AccessDenied')}`,
    );
  });

  test('SecretMissing (exit 14): no such secret (AWSCURRENT not found)', async () => {
    const t = suite.target();
    suite.aws.sm.remove(secretId('support'));
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'SecretMissing',
      `openclaw-secrets: FAILED SecretMissing: ${secretId('support')}: Secrets Manager in eu-west-1 has no secret of that name with a value labelled AWSCURRENT (ResourceNotFoundException: Secrets Manager can't find the specified secret.); check that the deployment created it (cdk deploy), that it is not scheduled for deletion, and the region of the manifest ${published('SecretMissing')}`,
    );
  });

  test('SecretMissing, with CloudWatch failing too: the line says the metric was not published', async () => {
    const t = suite.target();
    suite.aws.sm.remove(secretId('gateway-token-ops'));
    suite.aws.cw.state.failing = true;
    const r = await suite.run(t);
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-secrets: FAILED SecretMissing: openclaw\/example\/dev\/gateways\/ops\/token: .* \[metric SecretRetrievalFailed\{Reason=SecretMissing\} not published: InternalServiceFault \(HTTP 500\)\]$/)]);
    expect(r.code).toBe(14);
    expect(t.written()).toEqual([]);
  });

  test('SecretEmpty (exit 15): a required key of an agent document is empty; names the pointer and the fill command', async () => {
    const t = suite.target();
    suite.aws.sm.put(secretId('support'), { region: 'eu-west-1', stages: { AWSCURRENT: JSON.stringify({ anthropic: { apiKey: 'test-support-key' }, telegram: { botToken: '' } }) } });
    const r = await suite.run(t);
    expectFailure(r, t, 'SecretEmpty', `openclaw-secrets: FAILED SecretEmpty: ${secretId('support')}: required key /telegram/botToken is empty; ${FILL_SUPPORT} ${published('SecretEmpty')}`);
  });

  test('SecretEmpty (exit 15): a required key is missing (the document was never filled)', async () => {
    const t = suite.target();
    suite.aws.sm.put(secretId('ops'), { region: 'eu-west-1', stages: { AWSCURRENT: '{}' } });
    const r = await suite.run(t);
    expectFailure(r, t, 'SecretEmpty', `openclaw-secrets: FAILED SecretEmpty: ${secretId('ops')}: required key /anthropic/apiKey is missing; ${FILL_OPS} ${published('SecretEmpty')}`);
  });

  test('SecretEmpty (exit 15): the gateway token is an empty string', async () => {
    const t = suite.target();
    suite.aws.sm.put(secretId('gateway-token-ops'), { region: 'eu-west-1', stages: { AWSCURRENT: '' } });
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'SecretEmpty',
      `openclaw-secrets: FAILED SecretEmpty: ${secretId('gateway-token-ops')}: the AWSCURRENT value is empty or not a string (SecretBinary?); check the secret and its rotation (the gateway token is generated by the rotation Lambda) ${published('SecretEmpty')}`,
    );
  });

  test('KmsDecryptDenied (exit 16): DecryptionFailure', async () => {
    const t = suite.target();
    suite.aws.sm.inject(secretId('gateway-token-ops'), SM_ERRORS.decryptionFailure());
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'KmsDecryptDenied',
      `openclaw-secrets: FAILED KmsDecryptDenied: ${secretId('gateway-token-ops')}: Secrets Manager could not decrypt the value with the secret's KMS key (DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key.); key disabled or policy changed? check that the key is enabled and that its key policy lets role ${ROLE} use kms:Decrypt through Secrets Manager (kms:ViaService secretsmanager.eu-west-1.amazonaws.com) ${published('KmsDecryptDenied')}`,
    );
  });

  test('KmsDecryptDenied (exit 16): AccessDeniedException "Access to KMS is not allowed" (origin-verify, us-east-1)', async () => {
    const t = suite.target();
    suite.aws.sm.inject(secretId('origin-verify'), SM_ERRORS.kmsAccessDenied(), Number.POSITIVE_INFINITY, 'AWSCURRENT');
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'KmsDecryptDenied',
      `openclaw-secrets: FAILED KmsDecryptDenied: ${secretId('origin-verify')}: Secrets Manager could not decrypt the value with the secret's KMS key (AccessDeniedException: Access to KMS is not allowed); key disabled or policy changed? check that the key is enabled and that its key policy lets role ${ROLE} use kms:Decrypt through Secrets Manager (kms:ViaService secretsmanager.us-east-1.amazonaws.com) ${published('KmsDecryptDenied')}`,
    );
  });

  test('ServiceUnavailable (exit 17): HTTP 500 on every attempt; says how many', async () => {
    const t = suite.target();
    suite.aws.sm.inject(secretId('ops'), SM_ERRORS.internal());
    const r = await suite.run(t, ['--max-attempts', '3', '--retry-base-ms', '10']);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `openclaw-secrets: FAILED ServiceUnavailable: ${secretId('ops')}: Secrets Manager in eu-west-1 still failing after 3 attempts (HTTP 500: InternalServiceError: An error occurred on the server side.); check the AWS Health Dashboard, the Secrets Manager VPC endpoint or NAT route of the subnet, and the host's outbound security group; the next boot or refresh retries ${published('ServiceUnavailable')}`,
    );
    expect(suite.aws.sm.calls.filter((c) => c.secretId === secretId('ops')).map((c) => c.attempt)).toEqual(['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);
  });

  test('ServiceUnavailable (exit 17): throttled on every attempt (default 5)', async () => {
    const t = suite.target();
    suite.aws.sm.inject('*', SM_ERRORS.throttling());
    const r = await suite.run(t, ['--retry-base-ms', '5']);
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `openclaw-secrets: FAILED ServiceUnavailable: ${secretId('gateway-token-ops')}: Secrets Manager in eu-west-1 still failing after 5 attempts (throttled: ThrottlingException: Rate exceeded); check the AWS Health Dashboard, the Secrets Manager VPC endpoint or NAT route of the subnet, and the host's outbound security group; the next boot or refresh retries ${published('ServiceUnavailable')}`,
    );
  });

  test('ServiceUnavailable (exit 17): nothing listens at the Secrets Manager endpoint (no VPC endpoint, no route)', async () => {
    const t = suite.target();
    const port = await freePort();
    const r = await suite.run(t, ['--max-attempts', '2', '--retry-base-ms', '5'], { AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}` });
    expectFailure(
      r,
      t,
      'ServiceUnavailable',
      `openclaw-secrets: FAILED ServiceUnavailable: ${secretId('gateway-token-ops')}: Secrets Manager in eu-west-1 still failing after 2 attempts (no answer from http://127.0.0.1:${port}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}); check the AWS Health Dashboard, the Secrets Manager VPC endpoint or NAT route of the subnet, and the host's outbound security group; the next boot or refresh retries ${published('ServiceUnavailable')}`,
    );
  });

  test('SecretMalformed (exit 18): an agent document that is JSON but not an object', async () => {
    const t = suite.target();
    suite.aws.sm.put(secretId('ops'), { region: 'eu-west-1', stages: { AWSCURRENT: '["test-not-an-object"]' } });
    const r = await suite.run(t);
    expectFailure(r, t, 'SecretMalformed', `openclaw-secrets: FAILED SecretMalformed: ${secretId('ops')}: the AWSCURRENT value is JSON but not an object (an array); ${FILL_OPS} ${published('SecretMalformed')}`);
  });

  test('SecretMalformed (exit 18): an origin-verify value that renderOriginVerifyMap rejects (AWSPENDING)', async () => {
    const t = suite.target();
    suite.aws.sm.put(secretId('origin-verify'), { region: 'us-east-1', stages: { AWSCURRENT: originValue(1), AWSPENDING: 'test-short' } });
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'SecretMalformed',
      `openclaw-secrets: FAILED SecretMalformed: ${secretId('origin-verify')} (AWSPENDING): the value is not an accepted origin-verify value (origin-verify value: expected 32-1024 characters of [A-Za-z0-9_-+/=.~] (got 10 characters)); check the rotation Lambda that generates it ${published('SecretMalformed')}`,
    );
  });

  test('Unexpected (exit 20): an error the program does not classify', async () => {
    const t = suite.target();
    suite.aws.sm.inject(secretId('gateway-token-ops'), { status: 400, type: 'InvalidParameterException', message: 'test parameter refused' });
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'Unexpected',
      `openclaw-secrets: FAILED Unexpected: ${secretId('gateway-token-ops')}: Secrets Manager in eu-west-1 answered an error this program does not classify (InvalidParameterException: test parameter refused, HTTP 400); check the secret in the Secrets Manager console ${published('Unexpected')}`,
    );
  });
});

describe('files, command line and manifest', () => {
  test('WriteFailed (exit 19): the folder of the last file is missing; names it; no file written (all or nothing)', async () => {
    const t = suite.target();
    fs.rmSync(t.nginxDir, { recursive: true });
    const r = await suite.run(t);
    expectFailure(
      r,
      t,
      'WriteFailed',
      `openclaw-secrets: FAILED WriteFailed: ${t.originMap}: cannot write it (ENOENT on open); check that its folder exists and that root can write there (the secrets folder comes from tmpfiles.d, the nginx include folder from the bundle) and that the file system is not full or read-only ${published('WriteFailed')}`,
    );
  });

  test('Usage (exit 2): a bad option value, and an --only id the manifest does not have', async () => {
    const t = suite.target();
    const bad = await suite.run(t, ['--max-attempts', 'many']);
    expect(bad.err).toEqual([expect.stringMatching(/^openclaw-secrets: FAILED Usage: command line: --max-attempts: expected an integer from 1 to 20 \(got "many"\); usage: node fetch-secrets\.js --manifest PATH .* \[metric SecretRetrievalFailed\{Reason=Usage\} not published: no usable manifest\]$/)]);
    expect(bad.code).toBe(2);
    const unknown = await suite.run(t, ['--only', 'gateway-token-ops,agent-nobody']);
    expect(unknown.err).toEqual([
      'openclaw-secrets: FAILED Usage: --only: no secret "agent-nobody" in the manifest (ids: gateway-token-ops, agent-ops, gateway-token-support, agent-support, origin-verify) [metric SecretRetrievalFailed{Reason=Usage} not published: command line error]',
    ]);
    expect(unknown.code).toBe(2);
    expect(t.written()).toEqual([]);
    expect(suite.aws.imds.requests).toEqual([]);
  });

  test('ManifestInvalid (exit 2): a secret of an unknown kind', async () => {
    const t = suite.target({ manifest: (m) => ({ ...m, secrets: m.secrets.map((s, i) => (i === 1 ? ({ ...s, kind: 'binary' } as unknown as typeof s) : s)) }) });
    const r = await suite.run(t);
    expect(r.err).toEqual([
      `openclaw-secrets: FAILED ManifestInvalid: ${t.manifestPath}: secrets[1].kind: expected "text", "json" or "origin-verify"; the manifest is rendered by lib/secrets/secrets-manifest.ts and installed by the bundle: reinstall it [metric SecretRetrievalFailed{Reason=ManifestInvalid} not published: no usable manifest]`,
    ]);
    expect(r.code).toBe(2);
    expect(t.written()).toEqual([]);
  });
});

test('every reason has its own exit code (2 only for the command line, the manifest and a missing gateway user)', () => {
  const codes = Object.entries(EXIT_CODES).filter(([r]) => r !== 'Usage' && r !== 'ManifestInvalid' && r !== 'NoGatewayUser').map(([, c]) => c);
  expect(codes).not.toContain(2);
  expect(new Set(codes).size).toBe(codes.length);
  expect(EXIT_CODES).toEqual({
    Usage: 2,
    ManifestInvalid: 2,
    NoGatewayUser: 2,
    ImdsUnreachable: 10,
    ImdsTokenRefused: 11,
    NoRoleCredentials: 12,
    AccessDenied: 13,
    SecretMissing: 14,
    SecretEmpty: 15,
    KmsDecryptDenied: 16,
    ServiceUnavailable: 17,
    SecretMalformed: 18,
    WriteFailed: 19,
    Unexpected: 20,
  });
});
