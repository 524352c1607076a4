import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { dailyChecks } from '../../lib/alarms/controls-drift';
import { unknownAction } from '../../lib/gate/iam-reference/rules/action-exists';
import { ALL_LIVE_CHECKS } from '../../lib/verify/all-checks';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { CONTEXT_IAM_ACTIONS } from '../../lib/verify/verify-context';
import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { synthesizeFixture } from '../support/fake-deployment/world';

// Each daily check declares every IAM action it calls (LiveCheck.iam): the drift check's role is
// granted exactly those (lib/alarms/controls-drift-policy.ts), so an undeclared call would be
// AccessDenied in the account. Here every daily check runs against the fake of example/prod with
// every SDK client's send() recorded; each command maps to its IAM action (the command's name
// without "Command", the client's service prefix), which must be declared by the check (or be a
// call of the context itself) and exist in AWS's service authorization reference.

/** The IAM service prefix of each SDK client the checks may use. */
const CLIENTS: readonly (readonly [{ prototype: { send: unknown } }, string])[] = [
  [BudgetsClient, 'budgets'],
  [CloudFormationClient, 'cloudformation'],
  [CloudFrontClient, 'cloudfront'],
  [CloudTrailClient, 'cloudtrail'],
  [CloudWatchClient, 'cloudwatch'],
  [CloudWatchLogsClient, 'logs'],
  [CostExplorerClient, 'ce'],
  [EC2Client, 'ec2'],
  [IAMClient, 'iam'],
  [LambdaClient, 'lambda'],
  [S3Client, 's3'],
  [SecretsManagerClient, 'secretsmanager'],
  [SNSClient, 'sns'],
  [SSMClient, 'ssm'],
  [STSClient, 'sts'],
  [WAFV2Client, 'wafv2'],
];

/**
 * API operations whose IAM action has another name (AWS's service authorization
 * reference and the S3, Budgets and Lambda API permission tables).
 */
const ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  'budgets:DescribeBudget': 'budgets:ViewBudget',
  'budgets:DescribeBudgets': 'budgets:ViewBudget',
  'budgets:DescribeNotificationsForBudget': 'budgets:ViewBudget',
  'budgets:DescribeSubscribersForNotification': 'budgets:ViewBudget',
  'lambda:Invoke': 'lambda:InvokeFunction',
};

/** The IAM action of a command sent through a client of `service`. */
function actionOf(service: string, command: object): string {
  const operation = `${service}:${command.constructor.name.replace(/Command$/, '')}`;
  return ACTION_OF_OPERATION[operation] ?? operation;
}

let fake: InstalledFake;
let sent: string[] = [];

beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
  for (const [cls, service] of CLIENTS) {
    // Whatever answers now (a service fake's stub, or the real send) still answers; the call is recorded first.
    const next = cls.prototype.send as (this: unknown, c: object) => Promise<unknown>;
    jest.spyOn(cls.prototype as { send: (c: object) => Promise<unknown> }, 'send').mockImplementation(function (this: unknown, command: object) {
      sent.push(actionOf(service, command));
      return next.call(this, command);
    });
  }
});
afterAll(() => {
  jest.restoreAllMocks();
  fake.restore();
});

/** The actions `check` called on the fake (a fresh context each time, so no memo hides a call) that it did not declare. */
async function undeclaredCalls(check: LiveCheck): Promise<{ called: string[]; undeclared: string[] }> {
  const w = fake.world;
  const ctx = w.verifyContext({ now: NOW });
  sent = [];
  await runChecks([check], ctx);
  const called = [...new Set(sent)].sort();
  const allowed = new Set<string>([...check.iam, ...CONTEXT_IAM_ACTIONS]);
  return { called, undeclared: called.filter((a) => !allowed.has(a)) };
}

test('there are daily checks to look at', () => {
  expect(dailyChecks().length).toBeGreaterThan(0);
});

test.each(dailyChecks().map((c) => [c.id, c] as const))('%s calls only the IAM actions it declares', async (_id, check) => {
  const { called, undeclared } = await undeclaredCalls(check);
  expect(undeclared).toEqual([]);
  expect(called.filter((a) => unknownAction(a) !== undefined)).toEqual([]);
}, 60_000);

test('the recorder sees the calls: stacks-deployed calls DescribeStacks, and a check calling what it does not declare is caught', async () => {
  const stacksDeployed = dailyChecks().find((c) => c.id === 'deployment.stacks-deployed')!;
  expect((await undeclaredCalls(stacksDeployed)).called).toEqual(['cloudformation:DescribeStacks']);
  const sneaky: LiveCheck = {
    ...stacksDeployed,
    id: 'x.sneaky',
    iam: ['cloudformation:DescribeStacks'],
    run: async (ctx) => {
      await ctx.client(CloudFormationClient).send(new DescribeStackEventsCommand({ StackName: ctx.stacks[0]!.stackName })).catch(() => undefined);
      return stacksDeployed.run(ctx);
    },
  };
  expect((await undeclaredCalls(sneaky)).undeclared).toEqual(['cloudformation:DescribeStackEvents']);
}, 60_000);

test('every action any check declares, and every renamed operation above, exists in AWS\'s service authorization reference', () => {
  const declared = [...new Set([...ALL_LIVE_CHECKS.flatMap((c) => c.iam), ...CONTEXT_IAM_ACTIONS, ...Object.values(ACTION_OF_OPERATION)])].sort();
  expect(declared.map((a) => [a, unknownAction(a)]).filter(([, why]) => why !== undefined)).toEqual([]);
  expect(unknownAction('cloudformation:DescribeStack')).toMatch(/lists no action DescribeStack/);
});
