/**
 * The kill switch's environment (lambda/kill-switch/env.ts): one error naming
 * the variable for each missing or invalid one, the conditional variables,
 * ASG_NAME refused, and the handler failing before any AWS call.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { handler } from '../../lambda/kill-switch';
import { EnvError, readEnv, topicRegion } from '../../lambda/kill-switch/env';

const FULL = {
  CLIENT: 'example',
  ENV: 'prod',
  INSTANCE_IDS: 'i-0123456789abcdef0',
  INSTANCE_REGION: 'eu-west-1',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts',
  STATE_PARAMETER: '/openclaw/openclaw-example-prod/kill-switch',
  METRIC_NAMESPACE: 'OpenClaw/openclaw-example-prod',
  TRIGGER_ALARMS: 'openclaw-example-prod-model-spend-monthly, openclaw-example-prod-model-spend-daily',
  DISABLE_DISTRIBUTION: 'true',
  DISTRIBUTION_ID: 'E1ABCDEFGHIJKL',
  DENY_SECRETS: 'true',
  HOST_ROLE_NAME: 'openclaw-example-prod-host',
  DENY_POLICY_ARN: 'arn:aws:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets',
  DRY_RUN: 'false',
};
const MINIMAL = { ...FULL, DISABLE_DISTRIBUTION: 'false', DENY_SECRETS: 'false', TRIGGER_ALARMS: '' };

const without = (env: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));

describe('readEnv', () => {
  it('reads every variable', () => {
    expect(readEnv(FULL)).toEqual({
      client: 'example',
      env: 'prod',
      instanceIds: ['i-0123456789abcdef0'],
      instanceRegion: 'eu-west-1',
      alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts',
      stateParameter: '/openclaw/openclaw-example-prod/kill-switch',
      metricNamespace: 'OpenClaw/openclaw-example-prod',
      triggerAlarms: ['openclaw-example-prod-model-spend-monthly', 'openclaw-example-prod-model-spend-daily'],
      distributionId: 'E1ABCDEFGHIJKL',
      denySecrets: { roleName: 'openclaw-example-prod-host', policyArn: 'arn:aws:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets' },
      dryRun: false,
    });
  });

  it('leaves out the distribution and the deny when they are off, ignoring their variables', () => {
    const env = readEnv({ ...MINIMAL, DISTRIBUTION_ID: 'not an id', HOST_ROLE_NAME: 'bad role name!' });
    expect(env).not.toHaveProperty('distributionId');
    expect(env).not.toHaveProperty('denySecrets');
    expect(env.triggerAlarms).toEqual([]);
  });

  it('takes TRIGGER_ALARMS empty or unset as no alarm, and drops empty items and duplicates', () => {
    expect(readEnv(without(MINIMAL, 'TRIGGER_ALARMS')).triggerAlarms).toEqual([]);
    expect(readEnv({ ...MINIMAL, TRIGGER_ALARMS: ' a ,, b,a ' }).triggerAlarms).toEqual(['a', 'b']);
  });

  it('reads several instances (deduplicated), DRY_RUN=true, and a parameter name without a path', () => {
    const env = readEnv({ ...MINIMAL, INSTANCE_IDS: 'i-0123456789abcdef0, i-0fedcba9876543210,i-0123456789abcdef0', DRY_RUN: 'true', STATE_PARAMETER: 'kill-switch-state' });
    expect(env.instanceIds).toEqual(['i-0123456789abcdef0', 'i-0fedcba9876543210']);
    expect(env.dryRun).toBe(true);
    expect(env.stateParameter).toBe('kill-switch-state');
  });

  it.each([
    ['CLIENT', MINIMAL],
    ['ENV', MINIMAL],
    ['INSTANCE_IDS', MINIMAL],
    ['INSTANCE_REGION', MINIMAL],
    ['ALERT_TOPIC_ARN', MINIMAL],
    ['STATE_PARAMETER', MINIMAL],
    ['METRIC_NAMESPACE', MINIMAL],
    ['DISABLE_DISTRIBUTION', MINIMAL],
    ['DENY_SECRETS', MINIMAL],
    ['DRY_RUN', MINIMAL],
    ['DISTRIBUTION_ID', FULL],
    ['HOST_ROLE_NAME', FULL],
    ['DENY_POLICY_ARN', FULL],
  ])('names %s when it is missing', (name, env) => {
    expect(() => readEnv(without(env, name))).toThrow(`kill switch misconfigured: environment variable ${name} is missing`);
    expect(() => readEnv(without(env, name))).toThrow(EnvError);
    expect(() => readEnv({ ...env, [name]: '  ' })).toThrow(`environment variable ${name} is missing`);
  });

  it.each([
    ['CLIENT', 'Example Corp', 'is invalid: "Example Corp" is not a client name (lowercase letters, digits and hyphens)'],
    ['ENV', 'prod_1', 'is invalid: "prod_1" is not an environment name (lowercase letters, digits and hyphens)'],
    ['INSTANCE_IDS', 'i-0123456789abcdef0,web-1', 'is invalid: "web-1" is not an EC2 instance id (i-...)'],
    ['INSTANCE_IDS', ' , ', 'is missing (expected a comma list of EC2 instance ids)'],
    ['INSTANCE_IDS', Array.from({ length: 11 }, (_, i) => `i-0123456789abcde${i.toString(16).padStart(2, '0')}`).join(','), 'is invalid: 11 instances, at most 10'],
    ['INSTANCE_REGION', 'Ireland', 'is invalid: "Ireland" is not an AWS region such as eu-west-1'],
    ['ALERT_TOPIC_ARN', 'openclaw-example-prod-alerts', 'is invalid: "openclaw-example-prod-alerts" is not an SNS topic ARN'],
    ['STATE_PARAMETER', 'openclaw/no-leading-slash', 'is invalid: "openclaw/no-leading-slash" is not an SSM parameter name'],
    ['STATE_PARAMETER', '/aws/reserved', 'is invalid: "/aws/reserved" is not an SSM parameter name'],
    ['METRIC_NAMESPACE', 'AWS/EC2', 'is invalid: "AWS/EC2" is not a CloudWatch namespace (not AWS/...)'],
    ['TRIGGER_ALARMS', 'ok-alarm,bad\talarm', 'is invalid: "bad\talarm" is not a CloudWatch alarm name'],
    ['DISABLE_DISTRIBUTION', 'yes', 'is invalid: "yes" is not true or false'],
    ['DISTRIBUTION_ID', 'd111111abcdef8.cloudfront.net', 'is invalid: "d111111abcdef8.cloudfront.net" is not a CloudFront distribution id (DISABLE_DISTRIBUTION=true)'],
    ['DENY_SECRETS', 'TRUE', 'is invalid: "TRUE" is not true or false'],
    ['HOST_ROLE_NAME', 'role/with/path', 'is invalid: "role/with/path" is not an IAM role name (DENY_SECRETS=true)'],
    // A policy name is not its ARN; an AWS managed policy (account "aws") is not the deny policy CloudFormation made.
    ['DENY_POLICY_ARN', 'openclaw-example-prod-kill-switch-deny-secrets', 'is invalid: "openclaw-example-prod-kill-switch-deny-secrets" is not the ARN of a customer managed IAM policy, arn:aws:iam::<account>:policy/<name> (DENY_SECRETS=true)'],
    ['DENY_POLICY_ARN', 'arn:aws:iam::aws:policy/AdministratorAccess', 'is invalid: "arn:aws:iam::aws:policy/AdministratorAccess" is not the ARN of a customer managed IAM policy, arn:aws:iam::<account>:policy/<name> (DENY_SECRETS=true)'],
    ['DENY_POLICY_ARN', 'arn:aws:iam::123456789012:role/openclaw-example-prod-host', 'is invalid: "arn:aws:iam::123456789012:role/openclaw-example-prod-host" is not the ARN of a customer managed IAM policy, arn:aws:iam::<account>:policy/<name> (DENY_SECRETS=true)'],
    ['DENY_POLICY_ARN', 'arn:aws:iam::123456789012:policy/deny secrets', 'is invalid: "arn:aws:iam::123456789012:policy/deny secrets" is not the ARN of a customer managed IAM policy, arn:aws:iam::<account>:policy/<name> (DENY_SECRETS=true)'],
    ['DRY_RUN', '1', 'is invalid: "1" is not true or false'],
  ])('names %s when it is invalid (%j)', (name, value, problem) => {
    expect(() => readEnv({ ...FULL, [name]: value })).toThrow(`kill switch misconfigured: environment variable ${name} ${problem}`);
  });

  it('refuses ASG_NAME: the blueprint deploys a single instance', () => {
    expect(() => readEnv({ ...FULL, ASG_NAME: ' openclaw-example-prod-gateway ' })).toThrow(
      new EnvError(
        'ASG_NAME',
        'is set ("openclaw-example-prod-gateway") but Auto Scaling groups are not supported: this blueprint deploys a single gateway instance ' +
          '(an Auto Scaling group would replace the stopped instance). List the instance in INSTANCE_IDS and unset ASG_NAME',
      ),
    );
    // Empty or blank is unset, as for every other variable.
    expect(readEnv({ ...FULL, ASG_NAME: '' })).toEqual(readEnv(FULL));
    expect(readEnv({ ...FULL, ASG_NAME: ' \t' })).toEqual(readEnv(FULL));
  });

  it('takes the topic region from its ARN', () => {
    expect(topicRegion('arn:aws:sns:eu-central-1:123456789012:t')).toBe('eu-central-1');
  });
});

describe('readEnv: what each pattern accepts and refuses', () => {
  const refused = (name: string, value: string, shape: string) =>
    expect(() => readEnv({ ...FULL, [name]: value })).toThrow(`kill switch misconfigured: environment variable ${name} is invalid: "${value}" is not ${shape}`);

  // The partitions whose ARNs the patterns name (aws, aws-cn, aws-us-gov): every region CDK knows in them.
  const REGIONS = RegionInfo.regions.filter((r) => ['aws', 'aws-cn', 'aws-us-gov'].includes(String(r.partition)));

  it.each(REGIONS.map((r) => [r.name, String(r.partition)]))('accepts the instances, the topic and the deny policy in %s (%s)', (region, partition) => {
    const env = readEnv({
      ...FULL,
      INSTANCE_REGION: region,
      ALERT_TOPIC_ARN: `arn:${partition}:sns:${region}:123456789012:openclaw-example-prod-alerts`,
      DENY_POLICY_ARN: `arn:${partition}:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets`,
    });
    expect(env).toMatchObject({
      instanceRegion: region,
      alertTopicArn: `arn:${partition}:sns:${region}:123456789012:openclaw-example-prod-alerts`,
      denySecrets: { roleName: 'openclaw-example-prod-host', policyArn: `arn:${partition}:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets` },
    });
    expect(topicRegion(env.alertTopicArn)).toBe(region);
  });

  it('accepts a region numbered 10 or more (AWS numbers the regions of a geography on; ap-southeast is at 7)', () => {
    const env = readEnv({ ...FULL, INSTANCE_REGION: 'ap-southeast-10', ALERT_TOPIC_ARN: 'arn:aws:sns:ap-southeast-10:123456789012:alerts' });
    expect([env.instanceRegion, env.alertTopicArn]).toEqual(['ap-southeast-10', 'arn:aws:sns:ap-southeast-10:123456789012:alerts']);
  });

  it('accepts a FIFO topic, a deny policy with a path, and a parameter named by one word', () => {
    const env = readEnv({
      ...FULL,
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts.fifo',
      DENY_POLICY_ARN: 'arn:aws:iam::123456789012:policy/openclaw/example-prod/kill-switch-deny-secrets',
    });
    expect(env.alertTopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts.fifo');
    expect(env.denySecrets).toEqual({ roleName: 'openclaw-example-prod-host', policyArn: 'arn:aws:iam::123456789012:policy/openclaw/example-prod/kill-switch-deny-secrets' });
  });

  it('accepts exactly 10 instances', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `i-0123456789abcde${i.toString(16).padStart(2, '0')}`);
    expect(readEnv({ ...FULL, INSTANCE_IDS: ten.join(',') }).instanceIds).toEqual(ten);
  });

  it.each([
    // An instance's ARN, or an id one hex digit longer than EC2's 17, is not an instance id.
    ['INSTANCE_IDS', 'an instance ARN', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0', 'an EC2 instance id (i-...)'],
    ['INSTANCE_IDS', '18 hex digits', 'i-0123456789abcdef01', 'an EC2 instance id (i-...)'],
    // An availability zone, or a region with text before it, is not a region.
    ['INSTANCE_REGION', 'an availability zone', 'eu-west-1a', 'an AWS region such as eu-west-1'],
    ['INSTANCE_REGION', 'text before the region', 'Europe (Ireland) eu-west-1', 'an AWS region such as eu-west-1'],
    // A subscription ARN is the topic ARN followed by the subscription id.
    ['ALERT_TOPIC_ARN', 'a subscription ARN', 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'an SNS topic ARN'],
    ['ALERT_TOPIC_ARN', 'text before the ARN', 'topic arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts', 'an SNS topic ARN'],
    // SSM: no name prefixed with aws or ssm, whatever the case, with or without a leading slash; at most 1011 characters.
    ['STATE_PARAMETER', 'prefixed ssm, no slash', 'ssm-kill-switch', 'an SSM parameter name such as /openclaw/acme/prod/kill-switch'],
    ['STATE_PARAMETER', 'prefixed AWS, no slash', 'AWS.kill-switch', 'an SSM parameter name such as /openclaw/acme/prod/kill-switch'],
    ['STATE_PARAMETER', '1012 characters', `/openclaw/${'k'.repeat(1002)}`, 'an SSM parameter name such as /openclaw/acme/prod/kill-switch'],
    // CloudWatch namespaces are at most 255 characters.
    ['METRIC_NAMESPACE', '256 characters', `OpenClaw/${'n'.repeat(247)}`, 'a CloudWatch namespace (not AWS/...)'],
    // The distribution's ARN, or two ids, are not a distribution id.
    ['DISTRIBUTION_ID', 'the distribution ARN', 'arn:aws:cloudfront::123456789012:distribution/E1ABCDEFGHIJKL', 'a CloudFront distribution id (DISABLE_DISTRIBUTION=true)'],
    ['DISTRIBUTION_ID', 'two ids', 'E1ABCDEFGHIJKL,E2ABCDEFGHIJKL', 'a CloudFront distribution id (DISABLE_DISTRIBUTION=true)'],
    ['DENY_POLICY_ARN', 'text before the ARN', 'policy arn:aws:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets', 'the ARN of a customer managed IAM policy, arn:aws:iam::<account>:policy/<name> (DENY_SECRETS=true)'],
  ])('refuses %s: %s', (name, _what, value, shape) => {
    refused(name, value, shape);
  });
});

describe('handler with a bad environment', () => {
  const mocks = [mockClient(EC2Client), mockClient(CloudFrontClient), mockClient(IAMClient), mockClient(SSMClient), mockClient(SNSClient), mockClient(CloudWatchClient)];
  const saved = { ...process.env };

  beforeEach(() => {
    for (const m of mocks) m.reset();
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it.each([
    ['an operator kill', { action: 'kill', reason: 'test', requestedBy: 'alice' }],
    ['an SNS message', { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm-1', Message: '{"AlarmName":"a","NewStateValue":"ALARM"}' } }] }],
  ])('%s fails naming the variable, before any AWS call', async (_what, event) => {
    process.env = { ...saved, ...without(FULL, 'STATE_PARAMETER') };
    delete process.env.STATE_PARAMETER;
    await expect(handler(event)).rejects.toThrow('kill switch misconfigured: environment variable STATE_PARAMETER is missing');
    for (const m of mocks) expect(m.calls()).toHaveLength(0);
    const line = JSON.parse(String((console.error as jest.Mock).mock.calls[0]![0])) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', function: 'kill-switch', outcome: 'failed' });
    expect(line.error).toContain('EnvError: kill switch misconfigured: environment variable STATE_PARAMETER is missing');
  });

  it('fails on ASG_NAME before any AWS call', async () => {
    process.env = { ...saved, ...FULL, ASG_NAME: 'gateway-asg' };
    await expect(handler({ action: 'status' })).rejects.toThrow('environment variable ASG_NAME is set');
    for (const m of mocks) expect(m.calls()).toHaveLength(0);
  });
});
