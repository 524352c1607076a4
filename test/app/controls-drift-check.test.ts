import * as crypto from 'crypto';
import { readEnv } from '../../lambda/verify-controls/env';
import { loadConfig } from '../../lib/config/load';
import { verifySettings } from '../../lib/verify/settings';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { projectContext } from '../../lib/app';
import { ControlsDriftCheck, LAMBDA_ENVIRONMENT_LIMIT_BYTES, assertLambdaEnvironmentFits, encodeDriftSettings, lambdaEnvironmentBytes, type ControlsDriftCheckProps } from '../../lib/alarms/controls-drift-check';
import * as zlib from 'zlib';
import { dailyChecks, dailyIamActions } from '../../lib/alarms/controls-drift';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import type { LiveCheck } from '../../lib/verify/live-check';
import { STACK_ROLES } from '../../lib/verify/deployed-stacks';
import { NAG_PACKS } from '../support/nag-packs';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The daily drift check on a bare stack (not the whole app), with the feature flags of cdk.json:
// its role derived from the daily checks' declared actions (scoped to the deployment's stacks,
// Resource * only for actions without a resource ARN and the namespace-bound PutMetricData), its
// environment, schedule and its one alarm. The gate on example/prod with it in the Spend stack,
// and its bundle: controls-drift-check-gate.test.ts (kept apart: this file is its mutation run's).

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const NAME = 'openclaw-acme-prod';
const ALERTS = `arn:aws:sns:${REGION}:${ACCOUNT}:${NAME}-alerts`;
const STACKS = STACK_ROLES.map((role) => ({ stackName: `${NAME}-${role}`, role, region: role === 'edge' ? 'us-east-1' : REGION }));
/** In the order IAM policies are rendered (CDK sorts a statement's resources). */
const STACK_ARNS = STACKS.map((s) => `arn:aws:cloudformation:${s.region}:${ACCOUNT}:stack/${s.stackName}/*`).sort();
const SETTINGS = verifySettings(loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW }).config);

/** The audit stores' buckets, as the stage passes them (generated names in a real deployment). */
const BUCKETS = [`${NAME}-core-auditbucket7486e833-1a2b3c4d5e6f`, `${NAME}-core-auditaccesslogs9a4b-0f1e2d3c4b5a`, `aws-waf-logs-${NAME}-${ACCOUNT}`, `${NAME}-edge-auditaccesslogs9a4b-6f5e4d3c2b1a`];

function build(options: Partial<ControlsDriftCheckProps> = {}) {
  const app = new App({ context: projectContext() });
  const env = { account: ACCOUNT, region: REGION };
  const stack = new Stack(app, 'Spend', { env });
  const check = new ControlsDriftCheck(stack, 'ControlsDriftCheck', {
    deploymentName: NAME,
    stacks: STACKS,
    settings: SETTINGS,
    secretPrefix: 'openclaw/example/prod',
    distributionId: 'E2EXAMPLE0DIST',
    bucketNames: BUCKETS,
    namespace: `OpenClaw/${NAME}`,
    alertTopic: sns.Topic.fromTopicArn(stack, 'Alerts', ALERTS),
    key: new kms.Key(new Stack(app, 'Core', { env }), 'Key'),
    logRetentionDays: logs.RetentionDays.ONE_YEAR,
    ...options,
  });
  return { stack, check, template: Template.fromStack(stack) };
}

type Statement = { Sid: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (t: Template) => t.toJSON().Resources as Record<string, Resource>;
const policies = (t: Template) =>
  Object.values(resourcesOf(t))
    .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
    .map((r) => ({ description: r.Properties.Description as string, statements: (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement }));
const statementsOf = (t: Template) => policies(t).flatMap((p) => p.statements);

/** A daily check that calls `iam` (only its declared actions matter here). */
const fakeCheck = (id: string, iam: string[], daily = true): LiveCheck => ({ id, control: id, title: id, concern: 'deployment', daily, iam, run: async () => [] });

const base = build();

test('exactly a log group, a role with two managed policies, the function, its schedule and one alarm', () => {
  expect(Object.values(resourcesOf(base.template)).map((r) => r.Type).sort()).toEqual(
    ['AWS::CloudWatch::Alarm', 'AWS::Events::Rule', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup'].sort(),
  );
});

test('the role: the daily checks\' actions on the five stacks of the deployment, its own logs, and PutMetricData to its namespace only', () => {
  expect(dailyIamActions()).toEqual([
    'budgets:ViewBudget',
    'ce:ListCostAllocationTags',
    'cloudformation:DescribeStacks',
    'cloudformation:GetTemplate',
    'cloudformation:ListStackResources',
    'cloudfront:GetDistributionConfig',
    'cloudtrail:GetTrailStatus',
    'cloudwatch:DescribeAlarms',
    'cloudwatch:PutMetricData',
    'ec2:DescribeInstances',
    'ec2:DescribeManagedPrefixLists',
    'ec2:DescribeSecurityGroupRules',
    'lambda:GetFunctionConcurrency',
    'lambda:GetFunctionConfiguration',
    's3:GetBucketObjectLockConfiguration',
    's3:GetBucketPolicy',
    's3:GetBucketPublicAccessBlock',
    's3:GetEncryptionConfiguration',
    's3:ListBucket',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetResourcePolicy',
    'sns:ListSubscriptionsByTopic',
    'ssm:GetParameter',
    'wafv2:GetLoggingConfiguration',
    'wafv2:GetWebACL',
  ]);
  const statements = statementsOf(base.template);
  expect(statements.find((s) => s.Sid === 'ReadTheDeploymentStacksOnly')).toEqual({
    Sid: 'ReadTheDeploymentStacksOnly',
    Effect: 'Allow',
    Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:ListStackResources'],
    Resource: STACK_ARNS,
  });
  expect(statements.find((s) => s.Sid === 'PublishDriftMetrics')).toEqual({
    Sid: 'PublishDriftMetrics',
    Effect: 'Allow',
    Action: 'cloudwatch:PutMetricData',
    Resource: '*',
    Condition: { StringEquals: { 'cloudwatch:namespace': `OpenClaw/${NAME}` } },
  });
  const bySid = Object.fromEntries(statements.map((s) => [s.Sid, [[s.Action].flat().sort(), s.Resource]]));
  expect(bySid).toEqual({
    ReadTheDeploymentBudgetsOnly: [['budgets:ViewBudget'], `arn:aws:budgets::${ACCOUNT}:budget/${NAME}-*`],
    ReadTheDeploymentStacksOnly: [['cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:ListStackResources'], STACK_ARNS],
    ReadTheDeploymentDistributionOnly: [['cloudfront:GetDistributionConfig'], `arn:aws:cloudfront::${ACCOUNT}:distribution/E2EXAMPLE0DIST`],
    ReadTheDeploymentTrailOnly: [['cloudtrail:GetTrailStatus'], [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${NAME}-*`, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/${NAME}-*`]],
    ReadTheDeploymentAlarmsOnly: [['cloudwatch:DescribeAlarms'], [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${NAME}-*`, `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${NAME}-*`]],
    ReadTheDeploymentFunctionsOnly: [['lambda:GetFunctionConcurrency', 'lambda:GetFunctionConfiguration'], [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}-*`, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${NAME}-*`]],
    ReadTheDeploymentBucketsOnly: [
      ['s3:GetBucketObjectLockConfiguration', 's3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock', 's3:GetEncryptionConfiguration', 's3:ListBucket'],
      BUCKETS.map((b) => `arn:aws:s3:::${b}`).sort(),
    ],
    DescribeTheDeploymentSecretsOnly: [
      ['secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy'],
      [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:openclaw/example/prod/*`, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:openclaw/example/prod/*`],
    ],
    ListTheDeploymentTopicSubscriptionsOnly: [['sns:ListSubscriptionsByTopic'], [`arn:aws:sns:${REGION}:${ACCOUNT}:${NAME}-*`, `arn:aws:sns:us-east-1:${ACCOUNT}:${NAME}-*`]],
    ReadTheDeploymentParametersOnly: [['ssm:GetParameter'], [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/openclaw/${NAME}/*`, `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/openclaw/${NAME}/*`]],
    ReadTheDeploymentWebAclOnly: [['wafv2:GetLoggingConfiguration', 'wafv2:GetWebACL'], `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/${NAME}/*`],
    WriteOwnLogs: [['logs:CreateLogStream', 'logs:PutLogEvents'], expect.anything()],
    CallActionsWithoutResourceArn: [['ce:ListCostAllocationTags', 'ec2:DescribeInstances', 'ec2:DescribeManagedPrefixLists', 'ec2:DescribeSecurityGroupRules'], '*'],
    PublishDriftMetrics: [['cloudwatch:PutMetricData'], '*'],
  });
  const star = policies(base.template).find((p) => p.description.endsWith('the actions that support no resource ARN'))!;
  expect(star.statements.map((s) => s.Sid)).toEqual(['CallActionsWithoutResourceArn', 'PublishDriftMetrics']);
});

test('a new daily check\'s actions are granted without editing the role: on the deployment\'s ARNs, or on * when they have none; a non-daily check\'s are not', () => {
  const checks = [
    ...dailyChecks(),
    fakeCheck('x.new', ['cloudformation:DescribeStackEvents', 'ec2:DescribeVolumes', 'cloudwatch:DescribeAlarmHistory']),
    fakeCheck('x.not-daily', ['s3:PutObject'], false),
  ];
  const { template } = build({ checks: dailyChecks(checks) });
  const statements = statementsOf(template);
  const bySid = Object.fromEntries(statements.map((s) => [s.Sid, [[s.Action].flat().sort(), s.Resource]]));
  expect(bySid.ReadTheDeploymentStacksOnly).toEqual([
    ['cloudformation:DescribeStackEvents', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:ListStackResources'],
    STACK_ARNS,
  ]);
  expect(bySid.CallActionsWithoutResourceArn).toEqual([['ce:ListCostAllocationTags', 'ec2:DescribeInstances', 'ec2:DescribeManagedPrefixLists', 'ec2:DescribeSecurityGroupRules', 'ec2:DescribeVolumes'], '*']);
  expect(bySid.ReadTheDeploymentAlarmsOnly).toEqual([
    ['cloudwatch:DescribeAlarmHistory', 'cloudwatch:DescribeAlarms'],
    [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${NAME}-*`, `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${NAME}-*`],
  ]);
  expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('s3:PutObject');
});

test('an action without a scope for its resource type, or not in AWS\'s reference, fails the synth with what to do', () => {
  expect(() => build({ checks: [fakeCheck('x.key', ['kms:DescribeKey'])] })).toThrow(
    /kms:DescribeKey needs a resource ARN of type key.*add this deployment's ARNs of that type to RESOURCE_SCOPES/,
  );
  expect(() => build({ checks: [fakeCheck('x.cdn', ['cloudfront:GetDistribution'])], distributionId: undefined })).toThrow(/ControlsDriftCheckProps.distributionId is required/);
  expect(() => build({ checks: [fakeCheck('x.s3', ['s3:GetBucketPolicy'])], bucketNames: [] })).toThrow(/ControlsDriftCheckProps.bucketNames is required/);
  expect(() => build({ checks: [fakeCheck('x.typo', ['cloudformation:DescribeStack'])] })).toThrow(/cloudformation:DescribeStack is not an action of AWS's service authorization reference/);
});

test('every ARN with a * is acknowledged on the scoped policy alone, one finding each, with its reason; the * policy carries Resource::*', () => {
  const acks = collectAcknowledgements(base.stack).map((a) => [a.path.replace(/^Spend\//, ''), a.rule]);
  const policyAcks = acks.filter(([p]) => p === 'ControlsDriftCheck/Policy/Resource').map(([, r]) => r);
  const scoped = statementsOf(base.template).filter((s) => s.Sid !== 'CallActionsWithoutResourceArn' && s.Sid !== 'PublishDriftMetrics');
  const wildcardArns = scoped.flatMap((s) => [s.Resource].flat()).filter((r): r is string => typeof r === 'string' && r.includes('*'));
  expect(wildcardArns.length).toBeGreaterThan(STACK_ARNS.length);
  expect(policyAcks.sort()).toEqual(wildcardArns.map((arn) => `AwsSolutions-IAM5[Resource::${arn}]`).sort());
  expect(acks.filter(([p]) => p === 'ControlsDriftCheck/ActionsWithoutResourcePolicy/Resource').map(([, r]) => r)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
});

test('the function: arm64 Node 24, its environment carries the stacks and the verify settings (gzip, base64), run daily at 06:00 UTC', () => {
  const fn = Object.values(resourcesOf(base.template)).find((r) => r.Type === 'AWS::Lambda::Function')!;
  expect(fn.Properties).toMatchObject({ FunctionName: `${NAME}-verify-controls`, Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 300 });
  const vars = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
  expect(vars).toEqual({ DEPLOYMENT_NAME: NAME, ACCOUNT, STACKS: JSON.stringify(STACKS), SETTINGS_GZIP: encodeDriftSettings(SETTINGS), METRIC_NAMESPACE: `OpenClaw/${NAME}` });
  // The function's own reader gets back exactly the settings from the synthesized variables.
  expect(readEnv({ ...vars, AWS_REGION: 'eu-west-1' }).settings).toEqual(SETTINGS);
  const rule = Object.values(resourcesOf(base.template)).find((r) => r.Type === 'AWS::Events::Rule')!;
  expect(rule.Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
  expect(rule.Properties.Targets).toEqual([expect.objectContaining({ RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 } })]);
});

test('settings too large for Lambda\'s 4 KB environment fail the synth', () => {
  // Random bytes do not compress: 4 KB of them cannot fit.
  const noise = crypto.randomBytes(3072).toString('base64');
  expect(() => build({ settings: { ...SETTINGS, host: { big: noise } } as never })).toThrow(/over Lambda's 4096/);
});

test('one alarm, controls-drifted: ControlsDrifted >= 1 over a day, missing data breaching, to the alert topic on ALARM and OK', () => {
  const alarm = Object.values(resourcesOf(base.template)).find((r) => r.Type === 'AWS::CloudWatch::Alarm')!;
  expect(alarm.Properties).toMatchObject({
    AlarmName: `${NAME}-controls-drifted`,
    Namespace: `OpenClaw/${NAME}`,
    MetricName: 'ControlsDrifted',
    Statistic: 'Maximum',
    Period: 86400,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'breaching',
    AlarmActions: [ALERTS],
    OKActions: [ALERTS],
  });
  expect(alarm.Properties.AlarmDescription).toContain('Runbook: docs/runbooks.md#controls-drifted');
});

describe('cdk-nag', () => {
  test.each(NAG_PACKS)('%s reports nothing on the drift check', (_name, pack) => {
    expect(pack().validateScope(base.check).violations).toEqual([]);
  });
});

test('the role: assumed by Lambda only, described, with exactly its two managed policies; the function waits for both', () => {
  const resources = resourcesOf(base.template);
  const [roleId, role] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::IAM::Role')!;
  expect(role.Properties.AssumeRolePolicyDocument).toEqual({ Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] });
  expect(role.Properties.Description).toBe(`Daily drift check of ${NAME}: reads this deployment only`);
  const policyIds = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy').map(([id]) => id);
  expect((role.Properties.ManagedPolicyArns as { Ref: string }[]).map((r) => r.Ref).sort()).toEqual([...policyIds].sort());
  expect(policies(base.template).map((p) => p.description).sort()).toEqual([`Daily drift check of ${NAME}`, `Daily drift check of ${NAME}: the actions that support no resource ARN`]);
  const fn = Object.values(base.template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[]; Properties: Record<string, unknown> }>).find((r) => r.Type === 'AWS::Lambda::Function')!;
  expect(fn.Properties.Description).toBe(`Daily drift check of ${NAME}: the read-only live checks of npm run verify`);
  expect((fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).toBe(roleId);
  // Exactly its role and its policies: the function is created once they exist (its first run needs them).
  expect([...fn.DependsOn!].sort()).toEqual([...policyIds, roleId].sort());
  const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule')!;
  expect(rule.Properties.Description).toBe(`Runs the daily drift check of ${NAME}`);
});

test("Lambda's environment limit: every key and value counted in UTF-8 bytes; exactly 4096 fits, one more does not", () => {
  expect(LAMBDA_ENVIRONMENT_LIMIT_BYTES).toBe(4096);
  expect(lambdaEnvironmentBytes({ AB: 'cd', E: 'é' })).toBe(7);
  const exactly = { K: 'x'.repeat(4095) };
  expect(lambdaEnvironmentBytes(exactly)).toBe(4096);
  expect(() => assertLambdaEnvironmentFits(exactly)).not.toThrow();
  expect(() => assertLambdaEnvironmentFits({ K: 'x'.repeat(4096) })).toThrow(
    "ControlsDriftCheck: its environment (the verify settings as JSON) is 4097 bytes, over Lambda's 4096: pass the settings another way (an SSM parameter)",
  );
});

test('the settings are gzipped at level 9 (the smallest), then base64', () => {
  const json = JSON.stringify(SETTINGS);
  expect(encodeDriftSettings(SETTINGS)).toBe(zlib.gzipSync(json, { level: 9 }).toString('base64'));
  // The settings are an input where the level shows.
  expect(zlib.gzipSync(json, { level: 9 }).toString('base64')).not.toBe(zlib.gzipSync(json).toString('base64'));
});
