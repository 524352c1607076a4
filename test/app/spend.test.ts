import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildForTest } from '../support/build';
import { deploymentPolicies, logicalIdWhere, onResource, rolePrincipal, roleId, type DeploymentPolicies, type StackPolicies } from '../support/deployment-policies';
import { attOf, refOf, resolveIntrinsics } from '../support/iam-intrinsics';
import { evaluate, type PolicyDocument } from '../support/iam-policy';

// The spend circuit breaker of example/prod: budgets -> topics -> kill switch, the 1-minute
// model-spend alarms, and what the kill switch may touch (evaluated, not counted).

const NAME = 'openclaw-example-prod';
const ACCOUNT = '210987654321';
const REGION = 'eu-west-1';
let p: DeploymentPolicies;
let spend: Template;
let core: Template;

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'prod' });
  const { config, stage } = built.deployments[0]!;
  p = deploymentPolicies(config, stage);
  spend = Template.fromStack(stage.spend);
  core = Template.fromStack(stage.core);
});

const topicId = (purpose: 'alerts' | 'shutdown') => logicalIdWhere(p.core, 'AWS::SNS::Topic', 'TopicName', `${NAME}-${purpose}`);
const importOf = (purpose: 'alerts' | 'shutdown') => ({ 'Fn::ImportValue': Match.stringLikeRegexp(`core:ExportsOutputRef${purpose === 'alerts' ? 'Alerts' : 'Shutdown'}Topic`) });

describe('AWS Budgets', () => {
  test('a monthly and a daily cost budget from config, over this deployment\'s cost allocation tag', () => {
    for (const [suffix, unit, amount] of [
      ['monthly', 'MONTHLY', 60],
      ['daily', 'DAILY', 5],
    ] as const) {
      spend.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: {
          BudgetName: `${NAME}-${suffix}`,
          BudgetType: 'COST',
          TimeUnit: unit,
          BudgetLimit: { Amount: amount, Unit: 'USD' },
          CostFilters: { TagKeyValue: [`user:openclaw:deployment$${NAME}`] },
        },
      });
    }
  });

  test('50, 75 and 90 % tell the alert topic; 100 % the alert topic and the shutdown topic (the kill switch)', () => {
    for (const budget of Object.values(spend.findResources('AWS::Budgets::Budget'))) {
      const notifications = (budget as { Properties: { NotificationsWithSubscribers: { Notification: { Threshold: number }; Subscribers: unknown[] }[] } }).Properties.NotificationsWithSubscribers;
      expect(notifications.map((n) => n.Notification)).toEqual(
        [50, 75, 90, 100].map((t) => ({ NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: t, ThresholdType: 'PERCENTAGE' })),
      );
      for (const n of notifications) {
        const expected = [{ SubscriptionType: 'SNS', Address: importOf('alerts') }];
        if (n.Notification.Threshold === 100) expected.push({ SubscriptionType: 'SNS', Address: importOf('shutdown') });
        // Match patterns (the topic ARNs are cross-stack imports) through a one-resource template.
        Template.fromJSON({ Resources: { X: { Type: 'T', Properties: { S: n.Subscribers } } } }).hasResourceProperties('T', { S: expected });
      }
    }
  });

  test('the topic policies let budgets.amazonaws.com publish only for this account\'s budgets of this deployment (else notifications vanish)', () => {
    for (const purpose of ['alerts', 'shutdown'] as const) {
      const topic = topicId(purpose);
      const [policy] = Object.values(p.core.template.Resources!).filter((r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties!.Topics) === JSON.stringify([{ Ref: topic }]));
      const doc = resolveIntrinsics(policy!.Properties!.PolicyDocument, p.core.ctx) as PolicyDocument;
      const publish = (sourceArn: string, sourceAccount = ACCOUNT) =>
        evaluate(
          { principalArn: 'budgets.amazonaws.com', action: 'sns:Publish', resource: refOf(topic, p.core.ctx), context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount, 'aws:SecureTransport': 'true' } },
          { identity: [], resource: doc },
        );
      expect(publish(`arn:aws:budgets::${ACCOUNT}:budget/${NAME}-monthly`)).toBe('Allow');
      expect(publish(`arn:aws:budgets::${ACCOUNT}:budget/someone-else`)).not.toBe('Allow');
      expect(publish(`arn:aws:budgets::${ACCOUNT}:budget/${NAME}-monthly`, '999999999999')).not.toBe('Allow');
    }
    const key = logicalIdWhere(p.core, 'AWS::KMS::Alias', 'AliasName', 'alias/openclaw/example/prod');
    const keyId = (p.core.template.Resources![key]!.Properties!.TargetKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const keyPolicy = resolveIntrinsics(p.core.template.Resources![keyId]!.Properties!.KeyPolicy, p.core.ctx) as PolicyDocument;
    const useKey = (topic: string) =>
      evaluate(
        { principalArn: 'budgets.amazonaws.com', action: 'kms:GenerateDataKey', resource: attOf(keyId, p.core.ctx), context: { 'aws:SourceAccount': ACCOUNT, 'kms:EncryptionContext:aws:sns:topicArn': topic } },
        { identity: [], resource: keyPolicy },
      );
    expect(useKey(`arn:aws:sns:${REGION}:${ACCOUNT}:${NAME}-shutdown`)).toBe('Allow');
    expect(useKey(`arn:aws:sns:${REGION}:${ACCOUNT}:other-topic`)).toBe('ImplicitDeny');
  });
});

describe('model-spend alarms (the fast breaker)', () => {
  const alarm = (id: string) => {
    const found = Object.values(spend.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `${NAME}-${id}` } }));
    expect(found).toHaveLength(1);
    return (found[0] as { Properties: Record<string, unknown> }).Properties;
  };

  test.each([
    ['daily', 'ModelSpendTodayUsd', 5],
    ['monthly', 'ModelSpendMonthUsd', 50],
  ] as const)('%s: 1-minute alarms at 50/75/90 %% to the alert topic, 100 %% also to the shutdown topic', (period, metric, limit) => {
    for (const pct of [50, 75, 90]) {
      expect(alarm(`model-spend-${period}-${pct}`)).toMatchObject({
        Namespace: `OpenClaw/${NAME}`,
        MetricName: metric,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: (limit * pct) / 100,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const actions = JSON.stringify(alarm(`model-spend-${period}-${pct}`).AlarmActions);
      expect(actions).toMatch(/core:ExportsOutputRefAlertsTopic/);
      expect(actions).not.toMatch(/Shutdown/);
    }
    const atLimit = alarm(`model-spend-${period}-limit`);
    expect(atLimit).toMatchObject({ MetricName: metric, Period: 60, Threshold: limit });
    expect(JSON.stringify(atLimit.AlarmActions)).toMatch(/core:ExportsOutputRefAlertsTopic/);
    expect(JSON.stringify(atLimit.AlarmActions)).toMatch(/core:ExportsOutputRefShutdownTopic/);
    expect(JSON.stringify(atLimit.OKActions)).not.toMatch(/Shutdown/);
  });

  test('a silent meter is not "not breaching": 15 minutes without a figure alarms', () => {
    expect(alarm('spend-meter-silent')).toMatchObject({
      Namespace: `OpenClaw/${NAME}`,
      MetricName: 'ModelSpendMonthUsd',
      Statistic: 'SampleCount',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('the kill switch acts only on the two limit alarms', () => {
    spend.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TRIGGER_ALARMS: `${NAME}-model-spend-daily-limit,${NAME}-model-spend-monthly-limit` }) },
    });
  });
});

describe('the kill switch', () => {
  let fn: ReturnType<typeof rolePrincipal>;
  const instanceArn = () => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${refOf(logicalIdsOf(p.gateway, 'AWS::EC2::Instance')[0]!, p.gateway.ctx)}`;
  const hostRoleArn = () => attOf(roleId(p.gateway, 'ec2.amazonaws.com', 'OpenClaw gateway host'), p.gateway.ctx);
  const logicalIdsOf = (stack: StackPolicies, type: string) => Object.entries(stack.template.Resources!).filter(([, r]) => r.Type === type).map(([id]) => id);

  beforeAll(() => {
    fn = rolePrincipal(p.spend, roleId(p.spend, 'lambda.amazonaws.com', 'Kill switch of'));
  });

  test('arm64, Node 24, its dead-letter queue, retried twice, subscribed to the shutdown topic, invocable by it only', () => {
    spend.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: `${NAME}-kill-switch`,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('KillSwitchDeadLetters'), 'Arn'] } },
      Environment: {
        Variables: Match.objectLike({ CLIENT: 'example', ENV: 'prod', INSTANCE_REGION: REGION, DENY_SECRETS: 'true', DISABLE_DISTRIBUTION: 'false', DRY_RUN: 'false' }),
      },
    });
    spend.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    spend.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: importOf('shutdown'), RedrivePolicy: Match.anyValue() });
    spend.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'sns.amazonaws.com', SourceArn: importOf('shutdown'), SourceAccount: ACCOUNT });
    expect(logicalIdsOf(p.spend, 'AWS::IAM::Policy')).toEqual([]);
  });

  test('can stop and start the gateway instance, and no other; can never terminate', () => {
    expect(onResource(fn, { action: 'ec2:StopInstances', resource: instanceArn() })).toBe('Allow');
    expect(onResource(fn, { action: 'ec2:StartInstances', resource: instanceArn() })).toBe('Allow');
    expect(onResource(fn, { action: 'ec2:StopInstances', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0` })).toBe('ImplicitDeny');
    expect(onResource(fn, { action: 'ec2:TerminateInstances', resource: instanceArn() })).toBe('ImplicitDeny');
  });

  test('can put and remove only its own deny policy on the host role, nothing else in IAM', () => {
    const own = `${NAME}-kill-switch-deny-secrets`;
    expect(onResource(fn, { action: 'iam:PutRolePolicy', resource: hostRoleArn(), context: { 'iam:PolicyName': own } })).toBe('Allow');
    expect(onResource(fn, { action: 'iam:DeleteRolePolicy', resource: hostRoleArn(), context: { 'iam:PolicyName': own } })).toBe('Allow');
    expect(onResource(fn, { action: 'iam:PutRolePolicy', resource: hostRoleArn(), context: { 'iam:PolicyName': 'AllowEverything' } })).toBe('ImplicitDeny');
    expect(onResource(fn, { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/Administrator`, context: { 'iam:PolicyName': own } })).toBe('ImplicitDeny');
    expect(onResource(fn, { action: 'iam:AttachRolePolicy', resource: hostRoleArn() })).toBe('ImplicitDeny');
  });

  test('records only in its parameter, tells only the alert topic, publishes only to its namespace', () => {
    const param = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/openclaw/${NAME}/kill-switch`;
    expect(onResource(fn, { action: 'ssm:PutParameter', resource: param })).toBe('Allow');
    expect(onResource(fn, { action: 'ssm:PutParameter', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/other` })).toBe('ImplicitDeny');
    expect(onResource(fn, { action: 'sns:Publish', resource: `arn:aws:sns:${REGION}:${ACCOUNT}:${NAME}-alerts` })).toBe('Allow');
    expect(onResource(fn, { action: 'sns:Publish', resource: `arn:aws:sns:${REGION}:${ACCOUNT}:${NAME}-shutdown` })).toBe('ImplicitDeny');
    expect(onResource(fn, { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': `OpenClaw/${NAME}` } })).toBe('Allow');
    expect(onResource(fn, { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'AWS/EC2' } })).toBe('ImplicitDeny');
    expect(onResource(fn, { action: 'cloudfront:UpdateDistribution', resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/E123` })).toBe('ImplicitDeny');
  });

  test('its dead letters and errors raise kill-switch-failed; its runs raise kill-switch-executed', () => {
    spend.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${NAME}-kill-switch-failed`,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'errors + deadLetters' })]),
      Threshold: 1,
    });
    spend.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${NAME}-kill-switch-executed`, MetricName: 'KillSwitchExecuted', Namespace: `OpenClaw/${NAME}`, Threshold: 1 });
    core.hasResourceProperties('AWS::SNS::Topic', { TopicName: `${NAME}-shutdown`, KmsMasterKeyId: Match.anyValue() });
  });
});
