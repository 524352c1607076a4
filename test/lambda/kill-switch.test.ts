/**
 * The kill switch (lambda/kill-switch) end to end against mocked EC2,
 * CloudFront, IAM, SSM, CloudWatch and SNS that keep state: triggers, kill,
 * restore, status, dry run, idempotence under repeated and concurrent
 * invocations, retries and failures.
 */
import { CloudFrontClient, type DistributionConfig, GetDistributionConfigCommand, PreconditionFailed, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, EC2ServiceException, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { AttachRolePolicyCommand, DetachRolePolicyCommand, IAMClient, LimitExceededException, NoSuchEntityException } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/kill-switch';
import { UPDATE_ATTEMPTS } from '../../lambda/kill-switch/distribution';
import { retryPolicy } from '../../lambda/kill-switch/retry';
import { type IgnoredSummary, type Summary } from '../../lambda/kill-switch/summary';
import { budgetMessage } from './support/budget-message';
import { captureConsole, setHandlerEnv, type LoggedLine } from './support/handler-env';

const ec2 = mockClient(EC2Client);
const cf = mockClient(CloudFrontClient);
const iam = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);

const INSTANCE = 'i-0123456789abcdef0';
const OTHER_INSTANCE = 'i-0fedcba9876543210';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts';
const SHUTDOWN_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-shutdown';
const PARAMETER = '/openclaw/openclaw-example-prod/kill-switch';
const NAMESPACE = 'OpenClaw/openclaw-example-prod';
const DISTRIBUTION_ID = 'E1ABCDEFGHIJKL';
const ROLE = 'openclaw-example-prod-host';
const POLICY = 'arn:aws:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets';
/** What the host role carries from its template (lib/host/gateway-role.ts): SSM core, its own policy, its Resource * grants, its state volume policy. */
const HOST_ROLE_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
  'arn:aws:iam::123456789012:policy/openclaw-example-prod-gateway-HostRoleHostPolicy',
  'arn:aws:iam::123456789012:policy/openclaw-example-prod-gateway-HostRoleActionsWithoutResourcePolicy',
  'arn:aws:iam::123456789012:policy/openclaw-example-prod-gateway-HostRoleStateVolumePolicy',
];
/** IAM's default quota of managed policies attached to one role (IAM and AWS STS quotas). */
const POLICIES_PER_ROLE = 10;
const MONTHLY_ALARM = 'openclaw-example-prod-model-spend-monthly';
const DAILY_ALARM = 'openclaw-example-prod-model-spend-daily';
const ORIGIN_SECRET = 'OriginVerifySecretValue0123456789abcdefghijklmn';
const RESTORE = 'npm run restore -- --client example --env prod';
/** More calls of one API than any retry in the kill switch makes: a bounded fake fails loudly past it. */
const IMPOSSIBLE_CALLS = 10;

const ENV = {
  CLIENT: 'example',
  ENV: 'prod',
  INSTANCE_IDS: INSTANCE,
  INSTANCE_REGION: 'eu-west-1',
  ALERT_TOPIC_ARN: TOPIC,
  STATE_PARAMETER: PARAMETER,
  METRIC_NAMESPACE: NAMESPACE,
  TRIGGER_ALARMS: `${MONTHLY_ALARM},${DAILY_ALARM}`,
  DISABLE_DISTRIBUTION: 'true',
  DISTRIBUTION_ID,
  DENY_SECRETS: 'true',
  HOST_ROLE_NAME: ROLE,
  DENY_POLICY_ARN: POLICY,
  DRY_RUN: 'false',
};
const ENV_NAMES = [...Object.keys(ENV), 'ASG_NAME'];

const setEnv = (values: Record<string, string>) => setHandlerEnv(ENV_NAMES, values);

/** Commands that change something: none may be sent in a dry run. */
const MUTATING = [
  [ec2, StopInstancesCommand],
  [ec2, StartInstancesCommand],
  [cf, UpdateDistributionCommand],
  [iam, AttachRolePolicyCommand],
  [iam, DetachRolePolicyCommand],
  [ssm, PutParameterCommand],
  [cw, PutMetricDataCommand],
] as const;

function mutatingCalls(): string[] {
  return MUTATING.flatMap(([mock, command]) => (mock.commandCalls(command as never).length > 0 ? [command.name] : []));
}

// ---------------------------------------------------------------- fake AWS

interface World {
  /** Instance id -> state name; absent: EC2 does not know it. */
  instances: Record<string, string>;
  distribution: DistributionConfig;
  etag: number;
  /** Role name -> ARNs of the managed policies attached to it (IAM's ListAttachedRolePolicies); absent: no such role. */
  attached: Record<string, string[]>;
  /** The customer managed policies that exist (CloudFormation made the deny policy). */
  policies: Set<string>;
  parameter: string | undefined;
  /** Order of the mutating calls, for the order of the steps. */
  sequence: string[];
}

let world: World;

const ec2Error = (name: string, httpStatusCode: number, message = name) =>
  new EC2ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode }, message });
const throttled = () => ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.');

function distributionConfig(enabled: boolean): DistributionConfig {
  return {
    CallerReference: 'cdk-ref-1',
    Comment: 'openclaw example prod gateway',
    Enabled: enabled,
    Origins: {
      Quantity: 1,
      Items: [{ Id: 'gateway', DomainName: 'ip-10-0-1-10.eu-west-1.compute.internal', CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: ORIGIN_SECRET }] } }],
    },
    DefaultCacheBehavior: { TargetOriginId: 'gateway', ViewerProtocolPolicy: 'https-only' },
  } as DistributionConfig;
}

/** Fails loudly once `command` was sent an impossible number of times: a retry that never stops fails its test instead of hanging it. */
function bounded(mock: typeof ec2 | typeof cf, command: typeof DescribeInstancesCommand | typeof StopInstancesCommand | typeof GetDistributionConfigCommand | typeof UpdateDistributionCommand): void {
  const calls = mock.commandCalls(command as never).length;
  if (calls > IMPOSSIBLE_CALLS) throw new Error(`bounded fake: ${command.name} sent ${calls} times, more than any retry makes`);
}

/** A fake failing with `error()` every time, bounded. */
const failsEveryTime =
  (mock: typeof ec2 | typeof cf, command: Parameters<typeof bounded>[1], error: () => Error) =>
  async (): Promise<never> => {
    bounded(mock, command);
    throw error();
  };

function fakeAws(): void {
  ec2.on(DescribeInstancesCommand).callsFake(async (input: { InstanceIds: string[] }) => {
    bounded(ec2, DescribeInstancesCommand);
    const missing = input.InstanceIds.filter((id) => world.instances[id] === undefined);
    if (missing.length > 0) throw ec2Error('InvalidInstanceID.NotFound', 400, `The instance ID '${missing.join(', ')}' does not exist`);
    return { Reservations: [{ Instances: input.InstanceIds.map((id) => ({ InstanceId: id, State: { Name: world.instances[id] } })) }] };
  });
  // EC2 refuses a state change that is illegal from the instance's current state (IncorrectInstanceState, HTTP 400):
  // stopping a shutting-down or terminated instance, starting one that is stopping, shutting down or terminated.
  // Stopping a stopped one, or starting a running one, succeeds and changes nothing.
  const refuse = (id: string, verb: string) =>
    ec2Error('IncorrectInstanceState', 400, `The instance '${id}' is not in a state from which it can be ${verb}.`);
  ec2.on(StopInstancesCommand).callsFake(async (input: { InstanceIds: string[] }) => {
    world.sequence.push('StopInstances');
    for (const id of input.InstanceIds) if (['shutting-down', 'terminated'].includes(world.instances[id]!)) throw refuse(id, 'stopped');
    return {
      StoppingInstances: input.InstanceIds.map((id) => {
        const previous = world.instances[id]!;
        if (previous === 'running' || previous === 'pending') world.instances[id] = 'stopping';
        return { InstanceId: id, PreviousState: { Name: previous }, CurrentState: { Name: world.instances[id] } };
      }),
    };
  });
  ec2.on(StartInstancesCommand).callsFake(async (input: { InstanceIds: string[] }) => {
    world.sequence.push('StartInstances');
    for (const id of input.InstanceIds) if (['stopping', 'shutting-down', 'terminated'].includes(world.instances[id]!)) throw refuse(id, 'started');
    return {
      StartingInstances: input.InstanceIds.map((id) => {
        const previous = world.instances[id]!;
        if (previous === 'stopped') world.instances[id] = 'pending';
        return { InstanceId: id, PreviousState: { Name: previous }, CurrentState: { Name: world.instances[id] } };
      }),
    };
  });
  cf.on(GetDistributionConfigCommand).callsFake(async () => {
    bounded(cf, GetDistributionConfigCommand);
    return { ETag: `E${world.etag}`, DistributionConfig: structuredClone(world.distribution) };
  });
  cf.on(UpdateDistributionCommand).callsFake(async (input: { IfMatch: string; DistributionConfig: DistributionConfig }) => {
    world.sequence.push('UpdateDistribution');
    if (input.IfMatch !== `E${world.etag}`) throw new PreconditionFailed({ message: 'The If-Match version is missing or not valid for the resource.', $metadata: {} });
    world.distribution = structuredClone(input.DistributionConfig);
    world.etag += 1;
    return { ETag: `E${world.etag}` };
  });
  // IAM as AWS documents it (API Reference, AttachRolePolicy / DetachRolePolicy): attaching an attached policy
  // succeeds and changes nothing; a role at its quota of attached policies refuses another (LimitExceeded);
  // detaching a policy that is not attached, or naming a role or policy that does not exist, is NoSuchEntity.
  iam.on(AttachRolePolicyCommand).callsFake(async (input: { RoleName: string; PolicyArn: string }) => {
    world.sequence.push('AttachRolePolicy');
    const attached = world.attached[input.RoleName];
    if (attached === undefined) throw new NoSuchEntityException({ message: `The role with name ${input.RoleName} cannot be found.`, $metadata: {} });
    if (!world.policies.has(input.PolicyArn) && !input.PolicyArn.startsWith('arn:aws:iam::aws:')) {
      throw new NoSuchEntityException({ message: `Policy ${input.PolicyArn} does not exist or is not attachable.`, $metadata: {} });
    }
    if (attached.includes(input.PolicyArn)) return {};
    if (attached.length >= POLICIES_PER_ROLE) throw new LimitExceededException({ message: `Cannot exceed quota for PoliciesPerRole: ${POLICIES_PER_ROLE}`, $metadata: {} });
    attached.push(input.PolicyArn);
    return {};
  });
  iam.on(DetachRolePolicyCommand).callsFake(async (input: { RoleName: string; PolicyArn: string }) => {
    world.sequence.push('DetachRolePolicy');
    const attached = world.attached[input.RoleName];
    if (attached === undefined) throw new NoSuchEntityException({ message: `The role with name ${input.RoleName} cannot be found.`, $metadata: {} });
    if (!attached.includes(input.PolicyArn)) throw new NoSuchEntityException({ message: `Policy ${input.PolicyArn} was not found.`, $metadata: {} });
    world.attached[input.RoleName] = attached.filter((a) => a !== input.PolicyArn);
    return {};
  });
  ssm.on(PutParameterCommand).callsFake(async (input: { Value: string }) => {
    world.sequence.push('PutParameter');
    world.parameter = input.Value;
    return { Version: 2 };
  });
  ssm.on(GetParameterCommand).callsFake(async () => {
    if (world.parameter === undefined) throw new ParameterNotFound({ message: 'parameter not found', $metadata: {} });
    return { Parameter: { Name: PARAMETER, Type: 'String', Value: world.parameter } };
  });
  cw.on(PutMetricDataCommand).callsFake(async () => {
    world.sequence.push('PutMetricData');
    return {};
  });
  sns.on(PublishCommand).callsFake(async () => {
    world.sequence.push('Publish');
    return { MessageId: 'msg-1' };
  });
}

// ---------------------------------------------------------------- events


function alarmMessage(alarmName: string, state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'): string {
  return JSON.stringify({
    AlarmName: alarmName,
    AlarmDescription: 'Model spend this month reached its limit',
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-05-01T10:00:00.000+0000',
    NewStateValue: state,
    NewStateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [512.3 (20/05/26 10:00:00)] was greater than or equal to the threshold (500.0).',
    StateChangeTime: '2026-05-20T10:01:00.000+0000',
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`,
    OldStateValue: 'OK',
    Trigger: { MetricName: 'ModelSpendMonthUsd', Namespace: NAMESPACE, Statistic: 'MAXIMUM', Period: 60, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 500 },
  });
}

function snsEvent(message: string, subject: string | null = 'AWS Budgets: openclaw-example-prod-monthly has exceeded your alert threshold'): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${SHUTDOWN_TOPIC}:0b4e1f4c-1111-2222-3333-444455556666`,
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: SHUTDOWN_TOPIC,
          Subject: subject ?? '',
          Message: message,
          Timestamp: '2026-05-20T10:01:02.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const operator = (action: 'kill' | 'restore' | 'status', extra: Record<string, unknown> = {}) => ({
  action,
  reason: action === 'kill' ? 'agent loop burning tokens' : 'reviewed: loop fixed, limits raised',
  requestedBy: 'alice@example.com',
  ...extra,
});

// ---------------------------------------------------------------- helpers

let logged: LoggedLine[];

// Every test here takes milliseconds: a retry that never stops fails its test within 10 s instead of the suite's 60.
jest.setTimeout(10_000);

beforeAll(() => {
  retryPolicy.baseDelayMs = 0;
});

beforeEach(() => {
  for (const m of [ec2, cf, iam, ssm, sns, cw]) m.reset();
  world = { instances: { [INSTANCE]: 'running' }, distribution: distributionConfig(true), etag: 1, attached: { [ROLE]: [...HOST_ROLE_POLICIES] }, policies: new Set([POLICY]), parameter: JSON.stringify({ state: 'armed' }), sequence: [] };
  fakeAws();
  setEnv(ENV);
  logged = captureConsole();
});

afterEach(() => jest.restoreAllMocks());

afterAll(() => setEnv({}));

const lines = () => logged.map((l) => JSON.parse(l.text) as Record<string, unknown>);
const outcomes = () => lines().map((l) => l.outcome);
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input as { TopicArn: string; Subject: string; Message: string });
/** Whether the deny policy is attached to the host role now. */
const denyAttached = () => world.attached[ROLE]!.includes(POLICY);
const attachDenyDirectly = () => world.attached[ROLE]!.push(POLICY);
const recorded = () => JSON.parse(world.parameter!) as Record<string, unknown>;
const run = (event: unknown) => handler(event) as Promise<Summary>;

// ---------------------------------------------------------------- tests

describe('AWS Budgets notifications', () => {
  it('below 100 % (90 %): ignored with a log line, no action and no message', async () => {
    const out = (await handler(snsEvent(budgetMessage({ threshold: '$90.00' })))) as IgnoredSummary;
    expect(out).toEqual({
      action: 'ignored',
      dryRun: false,
      ignored: [{ outcome: 'ignored-below-threshold', messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 90, alertType: 'ACTUAL' }],
      notified: false,
    });
    for (const m of [ec2, cf, iam, ssm, sns, cw]) expect(m.calls()).toHaveLength(0);
    expect(lines()).toEqual([expect.objectContaining({ level: 'info', function: 'kill-switch', client: 'example', env: 'prod', outcome: 'ignored-below-threshold', thresholdPercent: 90 })]);
  });

  it('at 100 %: kills, naming the budget as the trigger', async () => {
    const out = await run(snsEvent(budgetMessage({ threshold: '$100.00' })));
    expect(out.action).toBe('kill');
    expect(out.trigger).toEqual({ source: 'budget', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 100, alertType: 'ACTUAL' });
    expect(out.reason).toBe('AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00');
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(world.instances[INSTANCE]).toBe('stopping');
    expect(published()[0]!.Subject).toBe('[OpenClaw example/prod] Kill switch: gateway stopped (budget)');
    expect(published()[0]!.Message).toContain('Trigger: AWS Budgets: budget openclaw-example-prod-monthly at 100% (ACTUAL)');
  });

  it('above 100 % (120 %, the daily budget): kills', async () => {
    const out = await run(snsEvent(budgetMessage({ name: 'openclaw-example-prod-daily', budgeted: '$10.00', threshold: '$12.00' })));
    expect(out.trigger).toEqual({ source: 'budget', budgetName: 'openclaw-example-prod-daily', thresholdPercent: 120, alertType: 'ACTUAL' });
    expect(world.instances[INSTANCE]).toBe('stopping');
  });

  it('FORECASTED at 100 %: ignored (only actual spend stops the gateway)', async () => {
    const out = (await handler(snsEvent(budgetMessage({ type: 'FORECASTED' })))) as IgnoredSummary;
    expect(out.ignored[0]).toMatchObject({ outcome: 'ignored-forecast', alertType: 'FORECASTED' });
    expect(ec2.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });

  it('an unreadable budget notification: nothing done, the alert topic told', async () => {
    const out = (await handler(snsEvent('AWS Budget Notification May 20, 2026\nBudget Name: openclaw-example-prod-monthly\nAlert Type: ACTUAL\n'))) as IgnoredSummary;
    expect(out).toMatchObject({ action: 'ignored', notified: true, ignored: [{ outcome: 'ignored-unreadable', shape: 'budget', problem: 'no "Alert Threshold:" line' }] });
    expect(ec2.calls()).toHaveLength(0);
    expect(mutatingCalls()).toEqual([]);
    const [message] = published();
    expect(message!.TopicArn).toBe(TOPIC);
    expect(message!.Subject).toBe('[OpenClaw example/prod] Kill switch: unreadable shutdown message, nothing done');
    expect(message!.Message).toContain('stop the gateway by hand (npm run kill)');
    expect(lines()[0]).toMatchObject({ level: 'error', outcome: 'ignored-unreadable' });
  });

  it('any other message: nothing done, the alert topic told', async () => {
    const out = (await handler(snsEvent('Something else entirely', null))) as IgnoredSummary;
    expect(out.ignored[0]).toMatchObject({ outcome: 'ignored-unreadable', shape: 'text' });
    expect(ec2.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
  });

  it('never logs the message body', async () => {
    await handler(snsEvent(budgetMessage({ threshold: '$90.00' })));
    await handler(snsEvent(budgetMessage({ threshold: '$100.00' })));
    for (const l of logged) {
      expect(l.text).not.toContain('Dear AWS Customer');
      expect(l.text).not.toContain('AWS Account 123456789012');
    }
  });
});

describe('CloudWatch alarm notifications', () => {
  it('ALARM of an alarm in TRIGGER_ALARMS: kills', async () => {
    const out = await run(snsEvent(alarmMessage(DAILY_ALARM, 'ALARM'), `ALARM: "${DAILY_ALARM}" in EU (Ireland)`));
    expect(out.trigger).toEqual({ source: 'alarm', alarmName: DAILY_ALARM });
    expect(out.reason).toMatch(new RegExp(`^CloudWatch alarm ${DAILY_ALARM} in ALARM: Threshold Crossed`));
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(published()[0]!.Subject).toBe('[OpenClaw example/prod] Kill switch: gateway stopped (alarm)');
  });

  it.each(['OK', 'INSUFFICIENT_DATA'] as const)('%s: ignored with a log line', async (state) => {
    const out = (await handler(snsEvent(alarmMessage(MONTHLY_ALARM, state)))) as IgnoredSummary;
    expect(out.ignored).toEqual([{ outcome: 'ignored-not-alarm-state', messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', alarmName: MONTHLY_ALARM, newState: state }]);
    for (const m of [ec2, cf, iam, ssm, sns, cw]) expect(m.calls()).toHaveLength(0);
    expect(outcomes()).toEqual(['ignored-not-alarm-state']);
  });

  it('ALARM of an alarm not in TRIGGER_ALARMS: ignored with a log line', async () => {
    const out = (await handler(snsEvent(alarmMessage('openclaw-example-prod-gateway-unhealthy', 'ALARM')))) as IgnoredSummary;
    expect(out.ignored[0]).toMatchObject({ outcome: 'ignored-unknown-alarm', alarmName: 'openclaw-example-prod-gateway-unhealthy' });
    for (const m of [ec2, cf, iam, ssm, sns, cw]) expect(m.calls()).toHaveLength(0);
    expect(outcomes()).toEqual(['ignored-unknown-alarm']);
  });

  it('with TRIGGER_ALARMS empty, no alarm kills', async () => {
    setEnv({ ...ENV, TRIGGER_ALARMS: '' });
    const out = (await handler(snsEvent(alarmMessage(MONTHLY_ALARM, 'ALARM')))) as IgnoredSummary;
    expect(out.ignored[0]!.outcome).toBe('ignored-unknown-alarm');
    expect(ec2.calls()).toHaveLength(0);
  });

  it('several records: one kill, the others logged', async () => {
    const event = snsEvent(alarmMessage(MONTHLY_ALARM, 'ALARM'));
    const second = structuredClone(event.Records[0]!);
    second.Sns.Message = budgetMessage();
    const third = structuredClone(event.Records[0]!);
    third.Sns.Message = alarmMessage(MONTHLY_ALARM, 'OK');
    const out = await run({ Records: [event.Records[0]!, second, third] });
    expect(out.trigger).toEqual({ source: 'alarm', alarmName: MONTHLY_ALARM });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(published()).toHaveLength(1);
    expect(outcomes()).toEqual(['ignored-not-alarm-state', 'coalesced', 'triggered', 'done']);
    expect(lines()[1]).toEqual({ level: 'info', function: 'kill-switch', client: 'example', env: 'prod', outcome: 'coalesced', triggers: 2, note: 'one kill for several triggering messages' });
    expect(lines()[2]).toEqual({
      level: 'info',
      function: 'kill-switch',
      client: 'example',
      env: 'prod',
      outcome: 'triggered',
      action: 'kill',
      dryRun: false,
      trigger: { source: 'alarm', alarmName: MONTHLY_ALARM },
      reason: out.reason,
    });
  });

  it('a first record that is ignored does not hide a later one that acts', async () => {
    const event = snsEvent(alarmMessage(MONTHLY_ALARM, 'OK'));
    const second = structuredClone(event.Records[0]!);
    second.Sns.Message = alarmMessage(DAILY_ALARM, 'ALARM');
    const out = await run({ Records: [event.Records[0]!, second] });
    expect(out.trigger).toEqual({ source: 'alarm', alarmName: DAILY_ALARM });
    expect(world.instances[INSTANCE]).toBe('stopping');
    expect(outcomes()).toEqual(['ignored-not-alarm-state', 'triggered', 'done']);
  });
});

describe('kill', () => {
  it('stops the instance, disables the distribution, denies the secrets, records, counts and notifies: exact inputs', async () => {
    const out = await run(operator('kill'));
    expect(out).toEqual({
      action: 'kill',
      dryRun: false,
      trigger: { source: 'operator', requestedBy: 'alice@example.com' },
      reason: 'agent loop burning tokens',
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      instances: [{ id: INSTANCE, before: 'running', result: 'stop-requested' }],
      distribution: { id: DISTRIBUTION_ID, result: 'disabled', attempts: 1 },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'attached' },
      recorded: true,
      metricPublished: true,
      notified: true,
      failures: [],
    });

    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [INSTANCE] }]);
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [INSTANCE], Hibernate: false }]);
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(0);

    expect(cf.commandCalls(GetDistributionConfigCommand).map((c) => c.args[0].input)).toEqual([{ Id: DISTRIBUTION_ID }]);
    expect(cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input)).toEqual([
      { Id: DISTRIBUTION_ID, IfMatch: 'E1', DistributionConfig: { ...distributionConfig(true), Enabled: false } },
    ]);

    expect(iam.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: ROLE, PolicyArn: POLICY }]);
    expect(world.attached[ROLE]).toEqual([...HOST_ROLE_POLICIES, POLICY]);

    const param = ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
    expect(param).toEqual([{ Name: PARAMETER, Value: expect.any(String), Type: 'String', Overwrite: true }]);
    expect(JSON.parse(param[0]!.Value!)).toEqual({
      state: 'killed',
      at: out.at,
      trigger: { source: 'operator', requestedBy: 'alice@example.com' },
      reason: 'agent loop burning tokens',
      complete: true,
      actions: [
        { step: 'instance', id: INSTANCE, before: 'running', result: 'stop-requested' },
        { step: 'distribution', id: DISTRIBUTION_ID, result: 'disabled', attempts: 1 },
        { step: 'deny-secrets', roleName: ROLE, policyArn: POLICY, result: 'attached' },
      ],
    });

    expect(cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input)).toEqual([
      { Namespace: NAMESPACE, MetricData: [{ MetricName: 'KillSwitchExecuted', Value: 1, Unit: 'Count' }] },
    ]);

    const [message] = published();
    expect(message).toEqual({ TopicArn: TOPIC, Subject: '[OpenClaw example/prod] Kill switch: gateway stopped (operator)', Message: expect.any(String) });
    expect(message!.Message).toContain('Trigger: operator alice@example.com (npm run kill)');
    expect(message!.Message).toContain('Reason: agent loop burning tokens');
    expect(message!.Message).toContain(`- instance ${INSTANCE} (eu-west-1): stop requested (was running)`);
    expect(message!.Message).toContain(`- CloudFront distribution ${DISTRIBUTION_ID}: disabled`);
    expect(message!.Message).toContain(`- deny policy ${POLICY} (secretsmanager:GetSecretValue and BatchGetSecretValue on *): attached to role ${ROLE}`);
    expect(message!.Message).toContain(`- state recorded in SSM parameter ${PARAMETER}`);
    expect(message!.Message).toContain(`  ${RESTORE}`);
    expect(message!.Message).not.toContain('DRY RUN');

    expect(world.sequence).toEqual(['StopInstances', 'UpdateDistribution', 'AttachRolePolicy', 'PutParameter', 'PutMetricData', 'Publish']);
    expect(outcomes()).toEqual(['triggered', 'done']);
    expect(lines().at(-1)).toEqual({ level: 'info', function: 'kill-switch', client: 'example', env: 'prod', outcome: 'done', summary: out });
  });

  it("sends each call to its region: EC2 to the instances, CloudFront and IAM to us-east-1, SNS to the topic, SSM and CloudWatch to the function's own", async () => {
    setEnv({ ...ENV, INSTANCE_REGION: 'eu-central-1', ALERT_TOPIC_ARN: 'arn:aws:sns:eu-north-1:123456789012:alerts' });
    // Lambda sets AWS_REGION to the function's region; a client made without a region reads it.
    const functionRegion = process.env.AWS_REGION;
    process.env.AWS_REGION = 'eu-south-2';
    try {
      await run(operator('kill'));
      const region = (mock: typeof ec2 | typeof cf | typeof iam | typeof sns | typeof ssm | typeof cw) =>
        mock.calls()[0]!.thisValue as { config: { region: () => Promise<string> } };
      expect(await region(ec2).config.region()).toBe('eu-central-1');
      expect(await region(cf).config.region()).toBe('us-east-1');
      expect(await region(iam).config.region()).toBe('us-east-1');
      expect(await region(sns).config.region()).toBe('eu-north-1');
      expect(await region(ssm).config.region()).toBe('eu-south-2');
      expect(await region(cw).config.region()).toBe('eu-south-2');
    } finally {
      if (functionRegion === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = functionRegion;
    }
  });

  it('keeps its clients for the warm container: a second invocation sends through the same client objects', async () => {
    await run(operator('kill'));
    world.instances[INSTANCE] = 'stopped';
    await run(operator('restore'));
    for (const mock of [ec2, cf, iam, ssm, sns]) {
      const clients = new Set(mock.calls().map((c) => c.thisValue));
      expect(clients.size).toBe(1);
    }
  });

  it('repeated: an already stopped gateway is not stopped again, and every step is harmless', async () => {
    const first = await run(operator('kill'));
    world.instances[INSTANCE] = 'stopped';
    const second = await run(operator('kill'));
    expect(first.failures).toEqual([]);
    expect(second.instances).toEqual([{ id: INSTANCE, before: 'stopped', result: 'already-stopped' }]);
    expect(second.distribution).toEqual({ id: DISTRIBUTION_ID, result: 'already-disabled', attempts: 1 });
    expect(second.denySecrets?.result).toBe('attached');
    expect(second.failures).toEqual([]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(2);
    // Attaching an attached policy is idempotent: attached once.
    expect(world.attached[ROLE]).toEqual([...HOST_ROLE_POLICIES, POLICY]);
    expect(published()[1]!.Message).toContain(`- instance ${INSTANCE} (eu-west-1): already stopped, nothing to do`);
  });

  it('a stopping instance counts as already stopped', async () => {
    world.instances[INSTANCE] = 'stopping';
    const out = await run(operator('kill'));
    expect(out.instances).toEqual([{ id: INSTANCE, before: 'stopping', result: 'already-stopped' }]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('concurrent: two kills at once both succeed; the second distribution update loses the ETag race and finds it disabled', async () => {
    const [a, b] = await Promise.all([run(operator('kill')), run(snsEvent(budgetMessage()))]);
    for (const out of [a, b]) {
      expect(out.failures).toEqual([]);
      expect(out.instances[0]).toMatchObject({ id: INSTANCE, before: 'running', result: 'stop-requested' });
    }
    // Both read "running" before either stopped it: two StopInstances, the second on a stopping instance, harmless.
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(2);
    expect(world.instances[INSTANCE]).toBe('stopping');
    expect([a.distribution?.result, b.distribution?.result].sort()).toEqual(['already-disabled', 'disabled']);
    expect(cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['E1', 'E1']);
    expect(world.distribution.Enabled).toBe(false);
    expect(denyAttached()).toBe(true);
    expect(recorded()).toMatchObject({ state: 'killed', complete: true });
    expect(published()).toHaveLength(2);
  });

  it('a missing instance is recorded as missing, not an error; the others are stopped', async () => {
    setEnv({ ...ENV, INSTANCE_IDS: `${INSTANCE},${OTHER_INSTANCE}` });
    const out = await run(operator('kill'));
    expect(out.instances).toEqual([
      { id: INSTANCE, before: 'running', result: 'stop-requested' },
      { id: OTHER_INSTANCE, before: 'missing', result: 'missing' },
    ]);
    expect(out.failures).toEqual([]);
    expect(ec2.commandCalls(StopInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [INSTANCE], Hibernate: false }]);
    expect(published()[0]!.Message).toContain(`- instance ${OTHER_INSTANCE} (eu-west-1): not found, nothing to do`);
  });

  it('a describe that finds no reservation is missing too, and a terminated instance is left alone', async () => {
    setEnv({ ...ENV, INSTANCE_IDS: `${INSTANCE},${OTHER_INSTANCE}` });
    world.instances[OTHER_INSTANCE] = 'terminated';
    ec2.on(DescribeInstancesCommand, { InstanceIds: [INSTANCE] }).resolves({ Reservations: [] });
    const out = await run(operator('kill'));
    expect(out.instances).toEqual([
      { id: INSTANCE, before: 'missing', result: 'missing' },
      { id: OTHER_INSTANCE, before: 'terminated', result: 'terminated' },
    ]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('a shutting-down instance is left alone like a terminated one (EC2 would refuse to stop it)', async () => {
    world.instances[INSTANCE] = 'shutting-down';
    const out = await run(operator('kill'));
    expect(out.instances).toEqual([{ id: INSTANCE, before: 'shutting-down', result: 'terminated' }]);
    expect(out.failures).toEqual([]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('StopInstances throttled twice, then it succeeds', async () => {
    ec2.on(StopInstancesCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ StoppingInstances: [{ InstanceId: INSTANCE }] });
    const out = await run(operator('kill'));
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(3);
    expect(ec2.commandCalls(StopInstancesCommand).every((c) => c.args[0].input.InstanceIds?.[0] === INSTANCE)).toBe(true);
    expect(out.instances).toEqual([{ id: INSTANCE, before: 'running', result: 'stop-requested' }]);
    expect(out.failures).toEqual([]);
  });

  it('StopInstances failing persistently: every other step is still done, recorded and notified, then the handler throws', async () => {
    ec2.on(StopInstancesCommand).callsFake(failsEveryTime(ec2, StopInstancesCommand, throttled));
    await expect(run(operator('kill'))).rejects.toThrow(
      `kill switch kill incomplete: instance ${INSTANCE}: RequestLimitExceeded: Request limit exceeded. (after 3 attempts)`,
    );
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(3);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(1);
    expect(recorded()).toMatchObject({
      state: 'killed',
      complete: false,
      actions: [{ step: 'instance', id: INSTANCE, before: 'running', result: 'failed', error: 'RequestLimitExceeded: Request limit exceeded. (after 3 attempts)' }, {}, {}],
    });
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    const [message] = published();
    expect(message!.Subject).toBe('[OpenClaw example/prod] Kill switch kill INCOMPLETE: 1 step(s) failed');
    expect(message!.Message).toContain(`- instance ${INSTANCE} (eu-west-1): FAILED: RequestLimitExceeded: Request limit exceeded. (after 3 attempts)`);
    expect(message!.Message).toContain('FAILED steps');
    const last = lines().at(-1)!;
    expect(last).toMatchObject({ level: 'error', outcome: 'incomplete', summary: { action: 'kill', recorded: true, metricPublished: true, notified: true } });
    expect((last.summary as Summary).failures).toEqual([`instance ${INSTANCE}: RequestLimitExceeded: Request limit exceeded. (after 3 attempts)`]);
    expect(lines()).toHaveLength(2);
  });

  it('a non-transient StopInstances error is not retried', async () => {
    ec2.on(StopInstancesCommand).callsFake(failsEveryTime(ec2, StopInstancesCommand, () => ec2Error('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.')));
    await expect(run(operator('kill'))).rejects.toThrow('UnauthorizedOperation');
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
  });

  it('a DescribeInstances failure fails the instance step (throttles retried first)', async () => {
    ec2.on(DescribeInstancesCommand).callsFake(failsEveryTime(ec2, DescribeInstancesCommand, throttled));
    await expect(run(operator('kill'))).rejects.toThrow(`instance ${INSTANCE}: RequestLimitExceeded`);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
    expect(recorded().actions).toEqual(expect.arrayContaining([expect.objectContaining({ id: INSTANCE, before: 'unknown', result: 'failed' })]));
  });

  describe('distribution', () => {
    it('already disabled: no update', async () => {
      world.distribution = distributionConfig(false);
      const out = await run(operator('kill'));
      expect(out.distribution).toEqual({ id: DISTRIBUTION_ID, result: 'already-disabled', attempts: 1 });
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    });

    it('PreconditionFailed (another writer in between): read again and retried with the new ETag', async () => {
      let first = true;
      cf.on(GetDistributionConfigCommand).callsFake(async () => {
        const out = { ETag: `E${world.etag}`, DistributionConfig: structuredClone(world.distribution) };
        if (first) {
          first = false;
          world.etag += 1; // someone else updates it now
        }
        return out;
      });
      const out = await run(operator('kill'));
      expect(out.distribution).toEqual({ id: DISTRIBUTION_ID, result: 'disabled', attempts: 2 });
      expect(cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['E1', 'E2']);
      expect(world.distribution.Enabled).toBe(false);
    });

    it(`PreconditionFailed ${UPDATE_ATTEMPTS} times (another writer each time): the step fails, the others are done, the handler throws`, async () => {
      // Someone else updates the distribution between every read and write; the fake fails loudly past an impossible number of calls.
      cf.on(UpdateDistributionCommand).callsFake(async () => {
        bounded(cf, UpdateDistributionCommand);
        world.etag += 1;
        throw new PreconditionFailed({ message: 'The If-Match version is missing or not valid for the resource.', $metadata: {} });
      });
      await expect(run(operator('kill'))).rejects.toThrow(
        `kill switch kill incomplete: distribution ${DISTRIBUTION_ID}: PreconditionFailed: The If-Match version is missing or not valid for the resource.`,
      );
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(UPDATE_ATTEMPTS);
      expect(cf.commandCalls(GetDistributionConfigCommand)).toHaveLength(UPDATE_ATTEMPTS);
      expect(recorded().actions).toContainEqual({
        step: 'distribution',
        id: DISTRIBUTION_ID,
        result: 'failed',
        attempts: UPDATE_ATTEMPTS,
        error: 'PreconditionFailed: The If-Match version is missing or not valid for the resource.',
      });
      expect(world.instances[INSTANCE]).toBe('stopping');
      expect(denyAttached()).toBe(true);
      expect(recorded()).toMatchObject({ complete: false });
      expect(published()[0]!.Subject).toContain('INCOMPLETE');
    });

    it('an error quoting the origin header value is scrubbed; an error other than PreconditionFailed is not retried', async () => {
      cf.on(UpdateDistributionCommand).callsFake(
        failsEveryTime(cf, UpdateDistributionCommand, () => Object.assign(new Error(`Invalid header value ${ORIGIN_SECRET}`), { name: 'InvalidArgument' })),
      );
      await expect(run(operator('kill'))).rejects.toThrow('InvalidArgument: Invalid header value [REDACTED]');
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
      expect(recorded().actions).toContainEqual({ step: 'distribution', id: DISTRIBUTION_ID, result: 'failed', attempts: 1, error: 'InvalidArgument: Invalid header value [REDACTED]' });
      for (const l of logged) expect(l.text).not.toContain(ORIGIN_SECRET);
      for (const m of published()) expect(m.Message).not.toContain(ORIGIN_SECRET);
      expect(world.parameter).not.toContain(ORIGIN_SECRET);
    });

    it('a header value containing another one is redacted whole; an origin without custom headers (Quantity 0, no Items) is fine', async () => {
      // An origin without custom headers: { Quantity: 0 } without Items, or (the SDK types allow it) no CustomHeaders at all.
      const longer = `${ORIGIN_SECRET}Next`;
      world.distribution.Origins = {
        Quantity: 4,
        Items: [
          ...world.distribution.Origins!.Items!,
          { Id: 'errors', DomainName: 'openclaw-errors.s3.eu-west-1.amazonaws.com', CustomHeaders: { Quantity: 0 } },
          { Id: 'status', DomainName: 'openclaw-status.s3.eu-west-1.amazonaws.com' },
          { Id: 'gateway-next', DomainName: 'ip-10-0-1-11.eu-west-1.compute.internal', CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: longer }] } },
        ],
      } as DistributionConfig['Origins'];
      cf.on(UpdateDistributionCommand).callsFake(
        failsEveryTime(cf, UpdateDistributionCommand, () => Object.assign(new Error(`Invalid header value ${longer} on origin gateway-next`), { name: 'InvalidArgument' })),
      );
      await expect(run(operator('kill'))).rejects.toThrow(`distribution ${DISTRIBUTION_ID}: InvalidArgument: Invalid header value [REDACTED] on origin gateway-next`);
      for (const l of logged) expect(l.text).not.toContain('Next on origin');
    });

    it('a GetDistributionConfig answer without its config or its ETag (the SDK types allow both) is a failed step, not a TypeError', async () => {
      const answers = [{ ETag: 'E1' }, { DistributionConfig: structuredClone(world.distribution) }];
      for (const answer of answers) {
        cf.on(GetDistributionConfigCommand).resolves(answer);
        await expect(run(operator('kill'))).rejects.toThrow(`distribution ${DISTRIBUTION_ID}: Error: GetDistributionConfig of ${DISTRIBUTION_ID} returned no config or no ETag`);
      }
      expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    });

    it('DISABLE_DISTRIBUTION=false: CloudFront is not touched', async () => {
      setEnv({ ...ENV, DISABLE_DISTRIBUTION: 'false' });
      const out = await run(operator('kill'));
      expect(out).not.toHaveProperty('distribution');
      expect(cf.calls()).toHaveLength(0);
    });
  });

  describe('deny secrets', () => {
    it('DENY_SECRETS=false: IAM is not touched', async () => {
      setEnv({ ...ENV, DENY_SECRETS: 'false' });
      const out = await run(operator('kill'));
      expect(out).not.toHaveProperty('denySecrets');
      expect(iam.calls()).toHaveLength(0);
    });

    it('an AttachRolePolicy failure: the others are done, the handler throws', async () => {
      iam.on(AttachRolePolicyCommand).rejects(Object.assign(new Error('User is not authorized to perform: iam:AttachRolePolicy'), { name: 'AccessDenied' }));
      await expect(run(operator('kill'))).rejects.toThrow(`deny policy ${POLICY} on role ${ROLE}: AccessDenied`);
      expect(world.instances[INSTANCE]).toBe('stopping');
      expect(world.distribution.Enabled).toBe(false);
      expect(recorded()).toMatchObject({ complete: false });
    });
    it('a host role already at IAM\'s quota of attached policies: LimitExceeded fails the kill (retried, then dead-lettered)', async () => {
      world.attached[ROLE] = [...HOST_ROLE_POLICIES, ...Array.from({ length: POLICIES_PER_ROLE - HOST_ROLE_POLICIES.length }, (_, i) => `arn:aws:iam::123456789012:policy/extra-${i}`)];
      await expect(run(operator('kill'))).rejects.toThrow(`deny policy ${POLICY} on role ${ROLE}: LimitExceeded`);
      expect(denyAttached()).toBe(false);
      expect(world.instances[INSTANCE]).toBe('stopping');
      expect(recorded()).toMatchObject({ complete: false, actions: expect.arrayContaining([expect.objectContaining({ step: 'deny-secrets', result: 'failed' })]) });
    });

    it('with one slot left under the quota the deny policy fits', async () => {
      world.attached[ROLE] = [...HOST_ROLE_POLICIES, ...Array.from({ length: POLICIES_PER_ROLE - 1 - HOST_ROLE_POLICIES.length }, (_, i) => `arn:aws:iam::123456789012:policy/extra-${i}`)];
      const out = await run(operator('kill'));
      expect(out.denySecrets?.result).toBe('attached');
      expect(world.attached[ROLE]).toHaveLength(POLICIES_PER_ROLE);
    });

    it('kill then restore: the host role ends with exactly the policies it had', async () => {
      await run(operator('kill'));
      expect(world.attached[ROLE]).toEqual([...HOST_ROLE_POLICIES, POLICY]);
      world.instances[INSTANCE] = 'stopped';
      await run(operator('restore'));
      expect(world.attached[ROLE]).toEqual(HOST_ROLE_POLICIES);
    });
  });

  it('a failure to record: still counted and notified, then the handler throws', async () => {
    ssm.on(PutParameterCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(run(operator('kill'))).rejects.toThrow(`record state in ${PARAMETER}: AccessDeniedException: not authorized`);
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(published()[0]!.Message).toContain(`- state NOT recorded in SSM parameter ${PARAMETER}`);
  });

  it('several failed steps: one KillSwitchError naming each, in step order', async () => {
    ec2.on(StopInstancesCommand).callsFake(failsEveryTime(ec2, StopInstancesCommand, () => ec2Error('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.')));
    iam.on(AttachRolePolicyCommand).rejects(Object.assign(new Error('User is not authorized to perform: iam:AttachRolePolicy'), { name: 'AccessDenied' }));
    await expect(run(operator('kill'))).rejects.toMatchObject({
      name: 'KillSwitchError',
      message:
        `kill switch kill incomplete: instance ${INSTANCE}: UnauthorizedOperation: You are not authorized to perform this operation.; ` +
        `deny policy ${POLICY} on role ${ROLE}: AccessDenied: User is not authorized to perform: iam:AttachRolePolicy`,
    });
    expect(outcomes()).toEqual(['triggered', 'incomplete']);
  });

  it('a failure to count: notified, then the handler throws', async () => {
    cw.on(PutMetricDataCommand).rejects(new Error('throttled'));
    await expect(run(operator('kill'))).rejects.toThrow('metric KillSwitchExecuted: Error: throttled');
    expect(published()[0]!.Message).toContain('metric KillSwitchExecuted NOT published');
  });

  it('a failure to notify: the handler throws (the kill itself is done and recorded)', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(run(operator('kill'))).rejects.toThrow(`notify ${TOPIC}: KMSDisabledException: KMS key disabled`);
    expect(lines().at(-1)).toMatchObject({ outcome: 'incomplete', summary: { notified: false, recorded: true, failures: [`notify ${TOPIC}: KMSDisabledException: KMS key disabled`] } });
    expect(world.instances[INSTANCE]).toBe('stopping');
    expect(recorded()).toMatchObject({ state: 'killed', complete: true });
  });
});

describe('restore', () => {
  beforeEach(() => {
    world.instances[INSTANCE] = 'stopped';
    world.distribution = distributionConfig(false);
    attachDenyDirectly();
  });

  it('removes the deny, enables the distribution, starts the stopped instance, records and notifies: exact inputs', async () => {
    const out = await run(operator('restore'));
    expect(out).toEqual({
      action: 'restore',
      dryRun: false,
      trigger: { source: 'operator', requestedBy: 'alice@example.com' },
      reason: 'reviewed: loop fixed, limits raised',
      at: expect.any(String),
      instances: [{ id: INSTANCE, before: 'stopped', result: 'start-requested' }],
      distribution: { id: DISTRIBUTION_ID, result: 'enabled', attempts: 1 },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'removed' },
      recorded: true,
      notified: true,
      failures: [],
    });
    expect(iam.commandCalls(DetachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: ROLE, PolicyArn: POLICY }]);
    expect(iam.commandCalls(AttachRolePolicyCommand)).toHaveLength(0);
    expect(world.attached[ROLE]).toEqual(HOST_ROLE_POLICIES);
    expect(cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input)).toEqual([
      { Id: DISTRIBUTION_ID, IfMatch: 'E1', DistributionConfig: { ...distributionConfig(false), Enabled: true } },
    ]);
    expect(ec2.commandCalls(StartInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [INSTANCE] }]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
    expect(recorded()).toEqual({
      state: 'restored',
      at: out.at,
      trigger: { source: 'operator', requestedBy: 'alice@example.com' },
      reason: 'reviewed: loop fixed, limits raised',
      complete: true,
      actions: [
        { step: 'instance', id: INSTANCE, before: 'stopped', result: 'start-requested' },
        { step: 'distribution', id: DISTRIBUTION_ID, result: 'enabled', attempts: 1 },
        { step: 'deny-secrets', roleName: ROLE, policyArn: POLICY, result: 'removed' },
      ],
    });
    expect(cw.calls()).toHaveLength(0);
    expect(world.sequence).toEqual(['DetachRolePolicy', 'UpdateDistribution', 'StartInstances', 'PutParameter', 'Publish']);
    const [message] = published();
    expect(message!.Subject).toBe('[OpenClaw example/prod] Kill switch: gateway restored');
    expect(message!.Message).toContain('Trigger: operator alice@example.com (npm run restore)');
    expect(message!.Message).toContain(`- instance ${INSTANCE} (eu-west-1): start requested (was stopped)`);
  });

  it('DISABLE_DISTRIBUTION=false and DENY_SECRETS=false: only the instances are started, and only they are recorded', async () => {
    setEnv({ ...ENV, DISABLE_DISTRIBUTION: 'false', DENY_SECRETS: 'false' });
    const out = await run(operator('restore'));
    expect(out).not.toHaveProperty('distribution');
    expect(out).not.toHaveProperty('denySecrets');
    expect(cf.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
    expect(recorded().actions).toEqual([{ step: 'instance', id: INSTANCE, before: 'stopped', result: 'start-requested' }]);
    expect(world.sequence).toEqual(['StartInstances', 'PutParameter', 'Publish']);
  });

  it('a deny policy that is not there (NoSuchEntity) is fine', async () => {
    world.attached[ROLE] = [...HOST_ROLE_POLICIES];
    const out = await run(operator('restore'));
    expect(out.denySecrets).toEqual({ roleName: ROLE, policyArn: POLICY, result: 'not-attached' });
    expect(out.failures).toEqual([]);
  });

  it('NoSuchEntity by its wire code (an SDK that does not map it to NoSuchEntityException) is "not attached" too; another error code fails', async () => {
    iam.on(DetachRolePolicyCommand).rejects(Object.assign(new Error(`Policy ${POLICY} was not found.`), { name: 'NoSuchEntity' }));
    expect((await run(operator('restore'))).denySecrets).toEqual({ roleName: ROLE, policyArn: POLICY, result: 'not-attached' });
    iam.on(DetachRolePolicyCommand).rejects(Object.assign(new Error(`Policy ${POLICY} was not found.`), { name: '' }));
    await expect(run(operator('restore'))).rejects.toThrow();
  });

  it('repeated: a running instance and an enabled distribution are left as they are', async () => {
    await run(operator('restore'));
    world.instances[INSTANCE] = 'running';
    const out = await run(operator('restore'));
    expect(out.instances).toEqual([{ id: INSTANCE, before: 'running', result: 'already-running' }]);
    expect(out.distribution?.result).toBe('already-enabled');
    expect(out.denySecrets?.result).toBe('not-attached');
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(1);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
  });

  it('starts only the stopped instances; a missing one is reported, not an error', async () => {
    setEnv({ ...ENV, INSTANCE_IDS: `${INSTANCE},${OTHER_INSTANCE}` });
    const out = await run(operator('restore'));
    expect(out.instances).toEqual([
      { id: INSTANCE, before: 'stopped', result: 'start-requested' },
      { id: OTHER_INSTANCE, before: 'missing', result: 'missing' },
    ]);
    expect(ec2.commandCalls(StartInstancesCommand).map((c) => c.args[0].input)).toEqual([{ InstanceIds: [INSTANCE] }]);
  });

  it('every other EC2 state: pending counts as running, shutting-down and terminated are left alone; none fails the restore', async () => {
    const ids = { pending: 'i-0000000000000000a', 'shutting-down': 'i-0000000000000000b', terminated: 'i-0000000000000000c' };
    for (const [state, id] of Object.entries(ids)) world.instances[id] = state;
    setEnv({ ...ENV, INSTANCE_IDS: Object.values(ids).join(',') });
    const out = await run(operator('restore'));
    expect(out.instances).toEqual([
      { id: ids.pending, before: 'pending', result: 'already-running' },
      { id: ids['shutting-down'], before: 'shutting-down', result: 'terminated' },
      { id: ids.terminated, before: 'terminated', result: 'terminated' },
    ]);
    expect(out.failures).toEqual([]);
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(0);
  });

  it('a still stopping instance fails the restore (run it again shortly); the other steps are done', async () => {
    world.instances[INSTANCE] = 'stopping';
    await expect(run(operator('restore'))).rejects.toThrow(`instance ${INSTANCE}: the instance is still stopping: run restore again in a minute`);
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(0);
    expect(denyAttached()).toBe(false);
    expect(world.distribution.Enabled).toBe(true);
    expect(recorded()).toMatchObject({ state: 'restored', complete: false });
    expect(published()[0]!.Subject).toBe('[OpenClaw example/prod] Kill switch restore INCOMPLETE: 1 step(s) failed');
  });

  it('a DetachRolePolicy failure other than NoSuchEntity fails the restore', async () => {
    iam.on(DetachRolePolicyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(run(operator('restore'))).rejects.toThrow(`deny policy ${POLICY} on role ${ROLE}: AccessDenied: denied`);
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(1);
  });
});

describe('status', () => {
  it('returns the recorded state and the instance states, and changes nothing', async () => {
    world.parameter = JSON.stringify({ state: 'killed', at: '2026-05-20T10:01:03.000Z', trigger: { source: 'alarm', alarmName: MONTHLY_ALARM } });
    world.instances[INSTANCE] = 'stopped';
    const out = await run({ action: 'status' });
    expect(out).toEqual({
      action: 'status',
      dryRun: false,
      trigger: { source: 'operator', requestedBy: 'operator' },
      reason: 'status request',
      at: expect.any(String),
      instances: [{ id: INSTANCE, before: 'stopped', result: 'observed' }],
      recorded: false,
      notified: false,
      failures: [],
      recordedState: { state: 'killed', at: '2026-05-20T10:01:03.000Z', trigger: { source: 'alarm', alarmName: MONTHLY_ALARM } },
    });
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: PARAMETER }]);
    expect(mutatingCalls()).toEqual([]);
    expect(sns.calls()).toHaveLength(0);
    expect(cf.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('the initial state written by the stack, and no state at all', async () => {
    expect((await run(operator('status'))).recordedState).toEqual({ state: 'armed' });
    world.parameter = undefined;
    expect((await run(operator('status'))).recordedState).toBeNull();
    world.parameter = 'not json';
    expect((await run(operator('status'))).recordedState).toEqual({ unreadable: 'not json' });
    // Someone overwrote the parameter with a long text: the first 200 characters are shown.
    world.parameter = `${'killed by hand '.repeat(20)}end`;
    expect((await run(operator('status'))).recordedState).toEqual({ unreadable: world.parameter.slice(0, 200) });
  });

  it('reports what it could not read, without throwing', async () => {
    setEnv({ ...ENV, INSTANCE_IDS: `${INSTANCE},${OTHER_INSTANCE}` });
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const out = await run(operator('status'));
    expect(out.instances).toEqual([
      { id: INSTANCE, before: 'running', result: 'observed' },
      { id: OTHER_INSTANCE, before: 'missing', result: 'observed' },
    ]);
    expect(out.failures).toEqual([`read state from ${PARAMETER}: AccessDeniedException: denied`]);
    expect(out.recordedState).toBeUndefined();
    expect(lines().at(-1)).toEqual({ level: 'info', function: 'kill-switch', client: 'example', env: 'prod', outcome: 'status-partial', summary: out });
  });
});

describe('status in a dry run', () => {
  it('DRY_RUN=true or the event flag: status says it is a dry run, and its log line is "done" (status changes nothing anyway)', async () => {
    setEnv({ ...ENV, DRY_RUN: 'true' });
    expect((await run(operator('status'))).dryRun).toBe(true);
    expect(outcomes()).toEqual(['triggered', 'done']);
    setEnv(ENV);
    expect((await run(operator('status', { dryRun: true }))).dryRun).toBe(true);
    expect((await run(operator('status', { dryRun: false }))).dryRun).toBe(false);
    expect(outcomes()).toEqual(['triggered', 'done', 'triggered', 'done', 'triggered', 'done']);
  });
});

describe('dry run', () => {
  const expectDryKill = (out: Summary) => {
    expect(out).toMatchObject({
      action: 'kill',
      dryRun: true,
      instances: [{ id: INSTANCE, before: 'running', result: 'would-stop' }],
      distribution: { id: DISTRIBUTION_ID, result: 'would-disable', attempts: 1 },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'would-attach' },
      recorded: false,
      notified: true,
      failures: [],
    });
    expect(out).not.toHaveProperty('metricPublished');
    expect(mutatingCalls()).toEqual([]);
    expect(iam.calls()).toHaveLength(0);
    expect(cw.calls()).toHaveLength(0);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(cf.commandCalls(GetDistributionConfigCommand)).toHaveLength(1);
    expect(world.parameter).toBe(JSON.stringify({ state: 'armed' }));
    const [message] = published();
    expect(message!.Subject).toBe('DRY RUN: [OpenClaw example/prod] kill switch would stop the gateway');
    expect(message!.Message).toMatch(/^DRY RUN: nothing was changed\./);
    expect(message!.Message).toContain(`- DRY RUN: would stop instance ${INSTANCE} (eu-west-1) (now running)`);
    expect(message!.Message).toContain(`- DRY RUN: would disable CloudFront distribution ${DISTRIBUTION_ID}`);
    expect(message!.Message).toContain(`- DRY RUN: would attach deny policy ${POLICY} (secretsmanager:GetSecretValue and BatchGetSecretValue on *) to role ${ROLE}`);
    expect(message!.Message).toContain(`- DRY RUN: would record the state in SSM parameter ${PARAMETER}`);
    expect(lines().at(-1)).toMatchObject({ outcome: 'dry-run' });
  };

  it('the event flag: a kill only reads, and notifies what it would do', async () => {
    expectDryKill(await run(operator('kill', { dryRun: true })));
  });

  it('DRY_RUN=true: a budget-triggered kill only reads; an event cannot turn it off', async () => {
    setEnv({ ...ENV, DRY_RUN: 'true' });
    expectDryKill(await run(snsEvent(budgetMessage({ threshold: '$120.00' }))));
    for (const m of [ec2, cf, iam, ssm, sns, cw]) m.resetHistory();
    expectDryKill(await run(operator('kill', { dryRun: false })));
  });

  it('a restore only reads, and notifies what it would do', async () => {
    world.instances[INSTANCE] = 'stopped';
    world.distribution = distributionConfig(false);
    const out = await run(operator('restore', { dryRun: true }));
    expect(out).toMatchObject({
      dryRun: true,
      instances: [{ id: INSTANCE, before: 'stopped', result: 'would-start' }],
      distribution: { result: 'would-enable' },
      denySecrets: { result: 'would-remove' },
      recorded: false,
      notified: true,
    });
    expect(mutatingCalls()).toEqual([]);
    expect(iam.calls()).toHaveLength(0);
    const [message] = published();
    expect(message!.Subject).toBe('DRY RUN: [OpenClaw example/prod] kill switch would restore the gateway');
    expect(message!.Message).toContain(`- DRY RUN: would start instance ${INSTANCE} (eu-west-1) (now stopped)`);
    expect(message!.Message).toContain(`- DRY RUN: would detach deny policy ${POLICY}`);
  });
});

describe('operator requests', () => {
  it.each([
    [{ action: 'terminate', reason: 'r', requestedBy: 'a' }, 'operator request: "action" must be kill, restore, status'],
    [{ action: 'kill', requestedBy: 'a' }, 'operator request: "reason" must be a non-empty string'],
    [{ action: 'kill', reason: 'r', requestedBy: 'a', dryrun: true }, 'operator request: unknown key(s) "dryrun"'],
    ['kill', 'event is not an object'],
  ])('a bad request is refused before any AWS call: %j', async (event, message) => {
    await expect(handler(event)).rejects.toThrow(message);
    for (const m of [ec2, cf, iam, ssm, sns, cw]) expect(m.calls()).toHaveLength(0);
    expect(lines()).toEqual([expect.objectContaining({ level: 'error', outcome: 'failed', error: expect.stringContaining(`EventError: ${message}`) })]);
  });
});
