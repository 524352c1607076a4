import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { projectContext } from '../../lib/app';
import { KillSwitch, type KillSwitchProps } from '../../lib/spend/kill-switch';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The kill switch on a bare stack (not the whole app), with the feature flags of cdk.json:
// every resource it makes pinned exactly (dead-letter queue, state parameter, log group,
// role and its policies, the deny-secrets policy, function, invoke config, the shutdown
// topic's permission and subscription, its two alarms), in each of its options: the
// distribution disabled or not, secrets denied or not, dry run, retained or destroyed
// log group, the deployment key in another stack or in this one.

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const ALERTS = `arn:aws:sns:${REGION}:${ACCOUNT}:openclaw-acme-prod-alerts`;
const SHUTDOWN = `arn:aws:sns:${REGION}:${ACCOUNT}:openclaw-acme-prod-shutdown`;

type Options = Partial<Pick<KillSwitchProps, 'disableDistribution' | 'distributionId' | 'denySecrets' | 'dryRun' | 'logRetentionDays' | 'retainOnDelete' | 'triggerAlarmNames'>>;

/** The kill switch of openclaw-acme-prod in a Spend stack; the deployment key in a Core stack unless `keyHere`. */
function build(options: Options, keyHere = false) {
  const app = new App({ context: projectContext() });
  const env = { account: ACCOUNT, region: REGION };
  const stack = new Stack(app, 'Spend', { env });
  // Here an imported key; else the deployment key as it really is: a key of the Core stack, imported across stacks.
  const key = keyHere ? kms.Key.fromKeyArn(stack, 'Key', KEY_ARN) : new kms.Key(new Stack(app, 'Core', { env }), 'Key');
  const killSwitch = new KillSwitch(stack, 'KillSwitch', {
    deploymentName: 'openclaw-acme-prod',
    client: 'acme',
    env: 'prod',
    instanceId: 'i-0123456789abcdef0',
    hostRoleName: 'openclaw-acme-prod-host',
    shutdownTopic: sns.Topic.fromTopicArn(stack, 'Shutdown', SHUTDOWN),
    alertTopic: sns.Topic.fromTopicArn(stack, 'Alerts', ALERTS),
    key,
    triggerAlarmNames: ['openclaw-acme-prod-model-spend-daily-limit', 'openclaw-acme-prod-model-spend-monthly-limit'],
    namespace: 'OpenClaw/openclaw-acme-prod',
    disableDistribution: false,
    denySecrets: false,
    dryRun: false,
    logRetentionDays: logs.RetentionDays.ONE_YEAR,
    ...options,
  });
  return { stack, killSwitch, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const resourcesOf = (t: Template) => t.toJSON().Resources as Record<string, Resource>;

/** Every option on: the distribution disabled, secrets denied, the key in the Core stack, the log group retained (default). */
const full = build({ disableDistribution: true, distributionId: 'E2ABCDEF123456', denySecrets: true });
/** Every option off: a distribution id given but not used, dry run, the key in this stack, the log group destroyed (opt-in). */
const minimal = build(
  { distributionId: 'E2ABCDEF123456', dryRun: true, retainOnDelete: false, logRetentionDays: logs.RetentionDays.THREE_MONTHS, triggerAlarmNames: ['openclaw-acme-prod-model-spend-daily-limit'] },
  true,
);
const F = resourcesOf(full.template);
const M = resourcesOf(minimal.template);

/** The Core stack's key as the Spend stack sees it: an import of the Core stack's export. */
const CORE_KEY = { 'Fn::ImportValue': 'Core:ExportsOutputFnGetAttKey961B73FDArn5A860C43' };

test('exactly these resources, under logical IDs that stay the same from deploy to deploy (a new ID replaces a named resource)', () => {
  const common = [
    ['KillSwitchDeadLetters13BCE714', 'AWS::SQS::Queue'],
    ['KillSwitchDeadLettersPolicy1737E7BE', 'AWS::SQS::QueuePolicy'],
    ['KillSwitchState4D313344', 'AWS::SSM::Parameter'],
    ['KillSwitchLogs99751612', 'AWS::Logs::LogGroup'],
    ['KillSwitchRoleC749DBA0', 'AWS::IAM::Role'],
    ['KillSwitchActionsWithoutResourcePolicyB504B74D', 'AWS::IAM::ManagedPolicy'],
  ];
  const rest = [
    ['KillSwitchPolicyB0CD5890', 'AWS::IAM::ManagedPolicy'],
    ['KillSwitchFunction7C1336E4', 'AWS::Lambda::Function'],
    ['KillSwitchFunctionEventInvokeConfigA3D42C89', 'AWS::Lambda::EventInvokeConfig'],
    ['KillSwitchFunctionInvokedByTheShutdownTopic7BE651AE', 'AWS::Lambda::Permission'],
    ['KillSwitchShutdownSignals43C9EEAD', 'AWS::SNS::Subscription'],
    ['KillSwitchExecutedCEC5E264', 'AWS::CloudWatch::Alarm'],
    ['KillSwitchFailed1FA85D2B', 'AWS::CloudWatch::Alarm'],
  ];
  expect(Object.entries(F).map(([id, r]) => [id, r.Type])).toEqual([...common, ['KillSwitchDenySecrets107E14D7', 'AWS::IAM::ManagedPolicy'], ...rest]);
  expect(Object.entries(M).map(([id, r]) => [id, r.Type])).toEqual([...common, ...rest]);
});

test('the dead-letter queue: named per deployment, SQS-managed encryption, 14 days, TLS only; SNS may send it only the shutdown topic\'s failed deliveries', () => {
  expect(F.KillSwitchDeadLetters13BCE714).toEqual({
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: 'openclaw-acme-prod-kill-switch-dead-letters', SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 },
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });
  const queueArn = { 'Fn::GetAtt': ['KillSwitchDeadLetters13BCE714', 'Arn'] };
  expect(F.KillSwitchDeadLettersPolicy1737E7BE!.Properties).toEqual({
    Queues: [{ Ref: 'KillSwitchDeadLetters13BCE714' }],
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': SHUTDOWN } } },
      ],
    },
  });
  expect(full.stack.resolve(full.killSwitch.deadLetters.queueName)).toEqual({ 'Fn::GetAtt': ['KillSwitchDeadLetters13BCE714', 'QueueName'] });
});

test('the state parameter: named per deployment, described, "armed" when deployed', () => {
  expect(F.KillSwitchState4D313344).toEqual({
    Type: 'AWS::SSM::Parameter',
    Properties: {
      Name: '/openclaw/openclaw-acme-prod/kill-switch',
      Description: 'What the kill switch of openclaw-acme-prod last did (JSON); written only by it',
      Type: 'String',
      Value: '{"state":"armed"}',
    },
  });
  expect(full.stack.resolve(full.killSwitch.state.parameterName)).toEqual({ Ref: 'KillSwitchState4D313344' });
});

test('the log group: Lambda\'s name for the function, encrypted with the deployment key, the configured retention, retained; destroyed only on the opt-in', () => {
  expect(F.KillSwitchLogs99751612).toEqual({
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: '/aws/lambda/openclaw-acme-prod-kill-switch', KmsKeyId: CORE_KEY, RetentionInDays: 365 },
    DeletionPolicy: 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
  });
  expect(M.KillSwitchLogs99751612).toEqual({
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: '/aws/lambda/openclaw-acme-prod-kill-switch', KmsKeyId: KEY_ARN, RetentionInDays: 90 },
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });
});

test('the role: assumed by Lambda only, holding exactly its two managed policies and no inline policy', () => {
  const role = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Description: 'Kill switch of openclaw-acme-prod: its instance, role, distribution, parameter and topic only',
      ManagedPolicyArns: [{ Ref: 'KillSwitchPolicyB0CD5890' }, { Ref: 'KillSwitchActionsWithoutResourcePolicyB504B74D' }],
    },
  };
  expect(F.KillSwitchRoleC749DBA0).toEqual(role);
  expect(M.KillSwitchRoleC749DBA0).toEqual(role);
});

test('Resource * only for the two actions that support no resource ARN, in their own policy: DescribeInstances, and PutMetricData to its own namespace', () => {
  expect(F.KillSwitchActionsWithoutResourcePolicyB504B74D).toEqual({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'Kill switch of openclaw-acme-prod: the actions that support no resource ARN',
      Path: '/',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'SeeInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
          { Sid: 'PublishOwnMetric', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/openclaw-acme-prod' } } },
        ],
      },
    },
  });
});

describe('the grants that name their resources', () => {
  const ec2Key = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
  const always = (key: unknown) => [
    { Sid: 'StopAndStartTheGatewayOnly', Effect: 'Allow', Action: ['ec2:StartInstances', 'ec2:StopInstances'], Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` },
    {
      Sid: 'StartTheEncryptedVolumeThroughEc2',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      Resource: key,
      Condition: { StringEquals: ec2Key },
    },
    { Sid: 'GrantTheVolumeKeyToEc2', Effect: 'Allow', Action: 'kms:CreateGrant', Resource: key, Condition: { StringEquals: ec2Key, Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    {
      Sid: 'RecordWhatItDid',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:PutParameter'],
      Resource: { 'Fn::Join': ['', [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter`, { Ref: 'KillSwitchState4D313344' }]] },
    },
    { Sid: 'TellTheAlertTopic', Effect: 'Allow', Action: 'sns:Publish', Resource: ALERTS },
    { Sid: 'EncryptForTheAlertTopic', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key, Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } } },
    { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['KillSwitchLogs99751612', 'Arn'] } },
    { Sid: 'DeadLetterFailedSignals', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['KillSwitchDeadLetters13BCE714', 'Arn'] } },
  ];
  const policy = (statements: unknown[]) => ({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: { Description: 'Kill switch of openclaw-acme-prod', Path: '/', PolicyDocument: { Version: '2012-10-17', Statement: statements } },
  });

  test('always: stop and start the gateway instance, its volume key through EC2, its parameter, the alert topic and its key through SNS, its logs, its dead letters', () => {
    expect(M.KillSwitchPolicyB0CD5890).toEqual(policy(always(KEY_ARN)));
  });

  test('denySecrets: attach and detach, on the host role only, the one deny policy it creates; disableDistribution: get and update that distribution only', () => {
    expect(F.KillSwitchPolicyB0CD5890).toEqual(
      policy([
        ...always(CORE_KEY),
        {
          Sid: 'AttachAndDetachTheDenyPolicyOnTheHostRoleOnly',
          Effect: 'Allow',
          Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
          Resource: `arn:aws:iam::${ACCOUNT}:role/openclaw-acme-prod-host`,
          Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: 'KillSwitchDenySecrets107E14D7' } } },
        },
        {
          Sid: 'DisableAndEnableTheDistributionOnly',
          Effect: 'Allow',
          Action: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
          Resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/E2ABCDEF123456`,
        },
      ]),
    );
  });

  test('each option adds only its own grant: denySecrets alone, disableDistribution alone', () => {
    const statementsOf = (t: Template) => (resourcesOf(t).KillSwitchPolicyB0CD5890!.Properties.PolicyDocument as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);
    const sids = always(KEY_ARN).map((s) => s.Sid);
    expect(statementsOf(build({ denySecrets: true }).template)).toEqual([...sids, 'AttachAndDetachTheDenyPolicyOnTheHostRoleOnly']);
    expect(statementsOf(build({ disableDistribution: true, distributionId: 'E2ABCDEF123456' }).template)).toEqual([...sids, 'DisableAndEnableTheDistributionOnly']);
  });
});

test('denySecrets: the deny policy, named per deployment, denies GetSecretValue and BatchGetSecretValue on every resource and is attached to no one', () => {
  expect(F.KillSwitchDenySecrets107E14D7).toEqual({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      ManagedPolicyName: 'openclaw-acme-prod-kill-switch-deny-secrets',
      Description: 'Kill switch of openclaw-acme-prod: attached to the host role when killed, the host cannot read secrets',
      Path: '/',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Sid: 'KillSwitchDenySecretValues', Effect: 'Deny', Action: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'], Resource: '*' }],
      },
    },
  });
  expect(full.stack.resolve(full.killSwitch.denyPolicy!.managedPolicyArn)).toEqual({ Ref: 'KillSwitchDenySecrets107E14D7' });
  expect(minimal.killSwitch.denyPolicy).toBeUndefined();
});

describe('the function', () => {
  const fn = (environment: Record<string, unknown>) => ({
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: 'openclaw-acme-prod-kill-switch',
      Description: 'Kill switch of openclaw-acme-prod: stops the gateway on a 100 % spend signal; npm run kill / restore',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Code: { S3Bucket: `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`, S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) },
      Role: { 'Fn::GetAtt': ['KillSwitchRoleC749DBA0', 'Arn'] },
      Timeout: 120,
      MemorySize: 256,
      LoggingConfig: { LogGroup: { Ref: 'KillSwitchLogs99751612' } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': ['KillSwitchDeadLetters13BCE714', 'Arn'] } },
      Environment: { Variables: environment },
    },
    // Created after both its policies: its first invocation already has every grant.
    DependsOn: ['KillSwitchActionsWithoutResourcePolicyB504B74D', 'KillSwitchPolicyB0CD5890', 'KillSwitchRoleC749DBA0'],
  });
  const common = {
    CLIENT: 'acme',
    ENV: 'prod',
    INSTANCE_IDS: 'i-0123456789abcdef0',
    INSTANCE_REGION: REGION,
    ALERT_TOPIC_ARN: ALERTS,
    STATE_PARAMETER: { Ref: 'KillSwitchState4D313344' },
    METRIC_NAMESPACE: 'OpenClaw/openclaw-acme-prod',
  };

  test('arm64, Node 24, 2 minutes, 256 MB, its log group and dead-letter queue; its environment names the distribution, the host role and the deny policy when those options are on', () => {
    expect(F.KillSwitchFunction7C1336E4).toEqual(
      fn({
        ...common,
        TRIGGER_ALARMS: 'openclaw-acme-prod-model-spend-daily-limit,openclaw-acme-prod-model-spend-monthly-limit',
        DISABLE_DISTRIBUTION: 'true',
        DISTRIBUTION_ID: 'E2ABCDEF123456',
        DENY_SECRETS: 'true',
        HOST_ROLE_NAME: 'openclaw-acme-prod-host',
        DENY_POLICY_ARN: { Ref: 'KillSwitchDenySecrets107E14D7' },
        DRY_RUN: 'false',
      }),
    );
  });

  test('with the options off: no distribution id (even when one is given), no host role or deny policy, dry run', () => {
    expect(M.KillSwitchFunction7C1336E4).toEqual(
      fn({ ...common, TRIGGER_ALARMS: 'openclaw-acme-prod-model-spend-daily-limit', DISABLE_DISTRIBUTION: 'false', DENY_SECRETS: 'false', DRY_RUN: 'true' }),
    );
  });

  test('asynchronous invocations (the shutdown topic) are retried twice', () => {
    expect(F.KillSwitchFunctionEventInvokeConfigA3D42C89).toEqual({
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: { FunctionName: { Ref: 'KillSwitchFunction7C1336E4' }, Qualifier: '$LATEST', MaximumRetryAttempts: 2 },
      DependsOn: ['KillSwitchActionsWithoutResourcePolicyB504B74D', 'KillSwitchPolicyB0CD5890'],
    });
  });

  test('the shutdown topic of this account may invoke it, and is subscribed with the dead-letter queue behind it', () => {
    expect(F.KillSwitchFunctionInvokedByTheShutdownTopic7BE651AE).toEqual({
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['KillSwitchFunction7C1336E4', 'Arn'] }, Principal: 'sns.amazonaws.com', SourceArn: SHUTDOWN, SourceAccount: ACCOUNT },
      DependsOn: ['KillSwitchActionsWithoutResourcePolicyB504B74D', 'KillSwitchPolicyB0CD5890'],
    });
    expect(F.KillSwitchShutdownSignals43C9EEAD).toEqual({
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: SHUTDOWN,
        Protocol: 'lambda',
        Endpoint: { 'Fn::GetAtt': ['KillSwitchFunction7C1336E4', 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['KillSwitchDeadLetters13BCE714', 'Arn'] } },
      },
    });
  });

  test('disableDistribution without the distribution id is refused; without disableDistribution no id is needed', () => {
    const message = 'KillSwitch: disableDistribution needs the distribution id';
    expect(() => build({ disableDistribution: true })).toThrow(new Error(message));
    expect(() => build({ disableDistribution: true, distributionId: '' })).toThrow(new Error(message));
    expect(resourcesOf(build({}).template).KillSwitchFunction7C1336E4!.Properties.Environment).toEqual({
      Variables: expect.objectContaining({ DISABLE_DISTRIBUTION: 'false' }),
    });
  });
});

describe('its alarms, to the alert topic on ALARM and OK', () => {
  const alarm = (properties: Record<string, unknown>) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: { ActionsEnabled: true, AlarmActions: [ALERTS], OKActions: [ALERTS], ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, Threshold: 1, TreatMissingData: 'notBreaching', ...properties },
  });

  test('kill-switch-executed: any KillSwitchExecuted in its namespace within a minute', () => {
    expect(F.KillSwitchExecutedCEC5E264).toEqual(
      alarm({
        AlarmName: 'openclaw-acme-prod-kill-switch-executed',
        AlarmDescription:
          'The kill switch ran: the gateway instance is stopped (and, as configured, CloudFront disabled and the host denied its secrets). First: Read the kill switch notification (what triggered it and what it did), find the spend, and restore only after review: npm run restore. Runbook: docs/runbooks.md#kill-switch-executed',
        Namespace: 'OpenClaw/openclaw-acme-prod',
        MetricName: 'KillSwitchExecuted',
        Statistic: 'Sum',
        Period: 60,
      }),
    );
  });

  test('kill-switch-failed: any error of the function plus any message in its dead-letter queue, per minute', () => {
    const stat = (Namespace: string, MetricName: string, Dimensions: unknown[], Stat: string) => ({ Metric: { Namespace, MetricName, Dimensions }, Period: 60, Stat });
    expect(F.KillSwitchFailed1FA85D2B).toEqual(
      alarm({
        AlarmName: 'openclaw-acme-prod-kill-switch-failed',
        AlarmDescription:
          'The kill switch failed (an error, or a signal that reached its dead-letter queue): the gateway may still be running while spend is over the limit. First: Stop the gateway instance by hand now (aws ec2 stop-instances), then read the kill switch log group and the dead-letter queue. Runbook: docs/runbooks.md#kill-switch-failed',
        Metrics: [
          { Id: 'expr_1', Expression: 'errors + deadLetters', ReturnData: true },
          { Id: 'errors', MetricStat: stat('AWS/Lambda', 'Errors', [{ Name: 'FunctionName', Value: { Ref: 'KillSwitchFunction7C1336E4' } }], 'Sum'), ReturnData: false },
          {
            Id: 'deadLetters',
            MetricStat: stat('AWS/SQS', 'ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['KillSwitchDeadLetters13BCE714', 'QueueName'] } }], 'Maximum'),
            ReturnData: false,
          },
        ],
      }),
    );
  });

  test('the construct lists both', () => {
    expect(full.killSwitch.alarms.map((a) => full.stack.resolve(a.alarmArn))).toEqual([
      { 'Fn::GetAtt': ['KillSwitchExecutedCEC5E264', 'Arn'] },
      { 'Fn::GetAtt': ['KillSwitchFailed1FA85D2B', 'Arn'] },
    ]);
  });
});

describe('acknowledgements', () => {
  const blueprint = (s: Stack) => collectAcknowledgements(s).filter((a) => a.madeBy === 'blueprint').map((a) => [a.path, a.rule, a.reason, a.onSingleResource]);
  const OUTSIDE_VPC =
    'The kill switch calls only AWS APIs (EC2, IAM, CloudFront, SSM, SNS); outside a VPC it keeps working when the VPC, its NAT or the DNS firewall is what failed, and its role reaches only this deployment.';
  const NO_CONCURRENCY =
    'Reserving concurrency fails the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved); the kill switch runs a few times a month at most, and failed signals are retried and dead-lettered with an alarm.';
  const expected = (logGroup: unknown[][]) => [
    ['Spend/KillSwitch/DeadLetters/Resource', 'cdk-validator-cfnguard::sqs_dlq_check', 'This queue is itself the dead-letter queue of the kill switch; a dead-letter queue behind it would only move the same failed signals again. Its depth raises the kill-switch-failed alarm.', true],
    ...logGroup,
    ['Spend/KillSwitch/ActionsWithoutResourcePolicy/Resource', 'AwsSolutions-IAM5[Resource::*]', 'Only ec2:DescribeInstances (no resource-level permissions) and cloudwatch:PutMetricData (confined by the cloudwatch:namespace condition to this deployment) take Resource *.', true],
    ['Spend/KillSwitch/Function/Resource', 'NIST.800.53.R5-LambdaInsideVPC', OUTSIDE_VPC, true],
    ['Spend/KillSwitch/Function/Resource', 'HIPAA.Security-LambdaInsideVPC', OUTSIDE_VPC, true],
    ['Spend/KillSwitch/Function/Resource', 'cdk-validator-cfnguard::lambda_inside_vpc_check', OUTSIDE_VPC, true],
    ['Spend/KillSwitch/Function/Resource', 'NIST.800.53.R5-LambdaConcurrency', NO_CONCURRENCY, true],
    ['Spend/KillSwitch/Function/Resource', 'HIPAA.Security-LambdaConcurrency', NO_CONCURRENCY, true],
  ];

  test('with the key in the Core stack: the dead-letter queue, the cross-stack key of the log group, the wildcard policy, the function outside a VPC and without reserved concurrency', () => {
    expect(blueprint(full.stack)).toEqual(
      expected([
        [
          'Spend/KillSwitch/Logs/Resource',
          'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
          'The log group is encrypted with the deployment key, which lives in the core stack: KmsKeyId is a cross-stack Fn::ImportValue the guard rule cannot resolve (the template assertion checks it).',
          true,
        ],
      ]),
    );
  });

  test('with the key in its own stack the guard resolves the log group\'s key: not acknowledged', () => {
    expect(blueprint(minimal.stack)).toEqual(expected([]));
  });

  test.each(NAG_PACKS)('%s reports nothing on the kill switch', (_name, pack) => {
    expect(pack().validateScope(full.killSwitch).violations).toEqual([]);
  });
});
