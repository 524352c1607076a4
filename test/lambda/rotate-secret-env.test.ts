/**
 * The rotation function's environment (lambda/rotate-secret/env.ts): defaults,
 * and one error naming the variable for each missing or invalid one, raised
 * before any AWS call.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/rotate-secret';
import { EnvError, readEnv } from '../../lambda/rotate-secret/env';

const ORIGIN_VERIFY = {
  KIND: 'origin-verify',
  REFRESH_DOCUMENT: 'oc-acme-prod-refresh-secrets',
  HOST_INSTANCE_ID: 'i-0123456789abcdef0',
  HOST_REGION: 'eu-west-1',
  DISTRIBUTION_ID: 'E1ABCDEFGHIJKL',
  ORIGIN_HEADER: 'x-origin-verify',
};
const GATEWAY_TOKEN = {
  KIND: 'gateway-token',
  REFRESH_DOCUMENT: 'oc-acme-prod-refresh-secrets',
  HOST_INSTANCE_ID: 'i-0123456789abcdef0',
  HOST_REGION: 'eu-central-1',
};

const without = (env: Record<string, string>, name: string) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));

describe('readEnv', () => {
  it('reads origin-verify with the defaults', () => {
    expect(readEnv(ORIGIN_VERIFY)).toEqual({
      kind: 'origin-verify',
      refreshDocument: 'oc-acme-prod-refresh-secrets',
      hostInstanceId: 'i-0123456789abcdef0',
      hostRegion: 'eu-west-1',
      valueLength: 48,
      refreshPollMs: 2000,
      refreshMaxWaitMs: 120000,
      distributionId: 'E1ABCDEFGHIJKL',
      originHeader: 'x-origin-verify',
    });
  });

  it('reads gateway-token without CloudFront settings, and the optional numbers', () => {
    expect(readEnv({ ...GATEWAY_TOKEN, VALUE_LENGTH: '64', REFRESH_POLL_MS: '500', REFRESH_MAX_WAIT_MS: '30000' })).toEqual({
      kind: 'gateway-token',
      refreshDocument: 'oc-acme-prod-refresh-secrets',
      hostInstanceId: 'i-0123456789abcdef0',
      hostRegion: 'eu-central-1',
      valueLength: 64,
      refreshPollMs: 500,
      refreshMaxWaitMs: 30000,
    });
  });

  it('accepts a document ARN', () => {
    const arn = 'arn:aws:ssm:eu-west-1:123456789012:document/oc-acme-prod-refresh-secrets';
    expect(readEnv({ ...GATEWAY_TOKEN, REFRESH_DOCUMENT: arn }).refreshDocument).toBe(arn);
  });

  it.each([
    ['KIND', 'origin-verify'],
    ['REFRESH_DOCUMENT', 'origin-verify'],
    ['HOST_INSTANCE_ID', 'origin-verify'],
    ['HOST_REGION', 'origin-verify'],
    ['DISTRIBUTION_ID', 'origin-verify'],
    ['ORIGIN_HEADER', 'origin-verify'],
    ['REFRESH_DOCUMENT', 'gateway-token'],
    ['HOST_INSTANCE_ID', 'gateway-token'],
    ['HOST_REGION', 'gateway-token'],
  ])('names %s when it is missing (KIND %s)', (name, kind) => {
    const env = kind === 'origin-verify' ? ORIGIN_VERIFY : GATEWAY_TOKEN;
    expect(() => readEnv(without(env, name))).toThrow(`rotation function misconfigured: environment variable ${name} is missing`);
    expect(() => readEnv(without(env, name))).toThrow(EnvError);
    expect(() => readEnv({ ...env, [name]: '  ' })).toThrow(`environment variable ${name} is missing`);
  });

  it.each([
    ['KIND', 'database-password', 'is invalid: "database-password" is not origin-verify or gateway-token'],
    ['REFRESH_DOCUMENT', 'bad name with spaces', 'is invalid: "bad name with spaces" is not an SSM document name or ARN'],
    ['HOST_INSTANCE_ID', 'web-1', 'is invalid: "web-1" is not an EC2 instance id (i-...)'],
    ['HOST_REGION', 'Ireland', 'is invalid: "Ireland" is not an AWS region such as eu-west-1'],
    ['DISTRIBUTION_ID', 'd111111abcdef8.cloudfront.net', 'is invalid: "d111111abcdef8.cloudfront.net" is not a CloudFront distribution id'],
    ['ORIGIN_HEADER', 'Origin Verify', 'is invalid: "Origin Verify" is not an HTTP header name such as x-origin-verify'],
    ['VALUE_LENGTH', '16', 'is invalid: "16" is not an integer from 32 to 1024'],
    ['VALUE_LENGTH', '48.5', 'is invalid: "48.5" is not an integer from 32 to 1024'],
    ['REFRESH_POLL_MS', '0', 'is invalid: "0" is not an integer from 1 to 60000'],
    ['REFRESH_MAX_WAIT_MS', 'two minutes', 'is invalid: "two minutes" is not an integer from 1 to 900000'],
    ['VALUE_LENGTH', '1025', 'is invalid: "1025" is not an integer from 32 to 1024'],
    ['REFRESH_POLL_MS', '60001', 'is invalid: "60001" is not an integer from 1 to 60000'],
    ['REFRESH_MAX_WAIT_MS', '900001', 'is invalid: "900001" is not an integer from 1 to 900000'],
  ])('names %s when it is invalid (%s)', (name, value, problem) => {
    expect(() => readEnv({ ...ORIGIN_VERIFY, [name]: value })).toThrow(`rotation function misconfigured: environment variable ${name} ${problem}`);
  });

  it('ignores DISTRIBUTION_ID and ORIGIN_HEADER for gateway-token, even when invalid', () => {
    expect(readEnv({ ...GATEWAY_TOKEN, DISTRIBUTION_ID: 'nope', ORIGIN_HEADER: 'no pe' })).not.toHaveProperty('distributionId');
  });
});

describe('readEnv: what each pattern accepts and refuses', () => {
  it.each([
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-north-1'],
  ])('accepts a document ARN and the host region in the %s partition', (partition, region) => {
    const arn = `arn:${partition}:ssm:${region}:123456789012:document/oc-acme-prod-refresh-secrets`;
    expect(readEnv({ ...GATEWAY_TOKEN, REFRESH_DOCUMENT: arn, HOST_REGION: region })).toMatchObject({ refreshDocument: arn, hostRegion: region });
  });

  it('accepts a region numbered 10 or more (AWS numbers the regions of a geography on; ap-southeast is at 7)', () => {
    expect(readEnv({ ...GATEWAY_TOKEN, HOST_REGION: 'ap-southeast-10' }).hostRegion).toBe('ap-southeast-10');
  });

  it.each([
    ['HOST_INSTANCE_ID', 'an instance ARN', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0', 'an EC2 instance id (i-...)'],
    ['HOST_INSTANCE_ID', '18 hex digits', 'i-0123456789abcdef01', 'an EC2 instance id (i-...)'],
    ['HOST_REGION', 'an availability zone', 'eu-west-1a', 'an AWS region such as eu-west-1'],
    ['HOST_REGION', 'a region with a letter before it (a typo)', 'eeu-west-1', 'an AWS region such as eu-west-1'],
    ['HOST_REGION', 'a region after a partition prefix', 'aws:eu-west-1', 'an AWS region such as eu-west-1'],
    ['DISTRIBUTION_ID', 'the distribution ARN', 'arn:aws:cloudfront::123456789012:distribution/E1ABCDEFGHIJKL', 'a CloudFront distribution id'],
    ['DISTRIBUTION_ID', 'two ids', 'E1ABCDEFGHIJKL,E2ABCDEFGHIJKL', 'a CloudFront distribution id'],
    // As the config schema: a custom header name starting with x-, the name alone.
    ['ORIGIN_HEADER', 'a name not starting with x-', 'origin-x-verify', 'an HTTP header name such as x-origin-verify'],
    ['ORIGIN_HEADER', 'the name with its colon', 'x-origin-verify:', 'an HTTP header name such as x-origin-verify'],
  ])('refuses %s: %s', (name, _what, value, shape) => {
    expect(() => readEnv({ ...ORIGIN_VERIFY, [name]: value })).toThrow(
      new EnvError(name, `is invalid: "${value}" is not ${shape}`),
    );
  });

  it('names KIND and both kinds when it is missing', () => {
    expect(() => readEnv(without(ORIGIN_VERIFY, 'KIND'))).toThrow(new EnvError('KIND', 'is missing (expected origin-verify or gateway-token)'));
  });

  it('reads the optional numbers around blanks, and takes empty or blank as unset', () => {
    expect(readEnv({ ...GATEWAY_TOKEN, VALUE_LENGTH: ' 64 ', REFRESH_POLL_MS: '500\n', REFRESH_MAX_WAIT_MS: '\t30000' })).toMatchObject({
      valueLength: 64,
      refreshPollMs: 500,
      refreshMaxWaitMs: 30000,
    });
    expect(readEnv({ ...GATEWAY_TOKEN, VALUE_LENGTH: '', REFRESH_POLL_MS: '  ', REFRESH_MAX_WAIT_MS: '' })).toMatchObject({
      valueLength: 48,
      refreshPollMs: 2000,
      refreshMaxWaitMs: 120000,
    });
  });

  it.each([
    ['VALUE_LENGTH', '32', 'valueLength', 32],
    ['VALUE_LENGTH', '1024', 'valueLength', 1024],
    ['REFRESH_POLL_MS', '1', 'refreshPollMs', 1],
    ['REFRESH_POLL_MS', '60000', 'refreshPollMs', 60000],
    ['REFRESH_MAX_WAIT_MS', '1', 'refreshMaxWaitMs', 1],
    ['REFRESH_MAX_WAIT_MS', '900000', 'refreshMaxWaitMs', 900000],
  ])('reads %s=%s (a bound)', (name, value, key, expected) => {
    expect(readEnv({ ...GATEWAY_TOKEN, [name]: value })).toHaveProperty(key, expected);
  });
});

describe('handler with a bad environment', () => {
  const sm = mockClient(SecretsManagerClient);
  const cf = mockClient(CloudFrontClient);
  const ssm = mockClient(SSMClient);
  const saved = { ...process.env };

  beforeEach(() => {
    sm.reset();
    cf.reset();
    ssm.reset();
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)('%s fails naming the variable, before any AWS call', async (Step) => {
    process.env = { ...saved, ...without(ORIGIN_VERIFY, 'HOST_REGION') };
    delete process.env.HOST_REGION;
    await expect(handler({ SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf', ClientRequestToken: 't-1', Step })).rejects.toThrow(
      'rotation function misconfigured: environment variable HOST_REGION is missing',
    );
    expect(sm.calls()).toHaveLength(0);
    expect(cf.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    const line = JSON.parse(String((console.error as jest.Mock).mock.calls[0]![0])) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', step: Step, kind: 'origin-verify', outcome: 'failed' });
    expect(line.error).toContain('EnvError: rotation function misconfigured: environment variable HOST_REGION is missing');
  });
});
