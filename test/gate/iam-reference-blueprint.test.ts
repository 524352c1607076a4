import { App, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { projectContext } from '../../lib/app';
import { AccessLogBucket } from '../../lib/audit/access-log-bucket';
import { AuditBucket } from '../../lib/audit/audit-bucket';
import { AuditTrail } from '../../lib/audit/audit-trail';
import { DeploymentKey } from '../../lib/keys/deployment-key';
import { IamReferenceChecks } from '../../lib/gate/iam-reference/pack';

// The blueprint's own policies that AWS's service authorization reference
// found wrong when the IAMReference pack first ran (issue 12), each on a bare
// stack with just the construct: the pack finds nothing, and the statement
// says what AWS evaluates.

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** A bare stack with cdk.json's feature flags, as the app has them. */
const newStack = () => new Stack(new App({ context: projectContext() }), 'S', { env: { account: ACCOUNT, region: REGION } });
const findings = (stack: Stack) =>
  new IamReferenceChecks().validateScope(stack).violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`));
type Statement = { Sid?: string };
const keyStatements = (stack: Stack) =>
  (Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] as { Properties: { KeyPolicy: { Statement: Statement[] } } }).Properties.KeyPolicy.Statement;
const bySid = (stack: Stack, sid: string) => keyStatements(stack).filter((s) => s.Sid === sid);

describe('the deployment key\'s statement for CloudWatch Logs', () => {
  let stack: Stack;
  beforeAll(() => {
    stack = newStack();
    new DeploymentKey(stack, 'Key', { aliasName: 'openclaw/test/dev' });
  });

  test('passes the IAMReference pack (no kms:Describe* under an encryption-context condition, no ARN operator on the String key)', () => {
    expect(findings(stack)).toEqual([]);
  });

  test('grants only actions that carry the encryption context it tests, with an operator of the key\'s type', () => {
    expect(bySid(stack, 'AllowCloudWatchLogsOfThisAccountAndRegion')).toEqual([
      {
        Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        Effect: 'Allow',
        Principal: { Service: `logs.${REGION}.amazonaws.com` },
        Action: ['kms:Decrypt*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Resource: '*',
        Condition: { StringLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } },
      },
    ]);
  });
});

describe('the deployment key\'s statements for CloudTrail', () => {
  let stack: Stack;
  const trailArn = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/openclaw-test-dev-trail`;
  beforeAll(() => {
    stack = newStack();
    const key = new DeploymentKey(stack, 'Key', { aliasName: 'openclaw/test/dev' });
    const accessLogs = new AccessLogBucket(stack, 'AccessLogs', { breakGlassRoleName: 'openclaw-break-glass' });
    const bucket = new AuditBucket(stack, 'Audit', {
      key,
      accessLogs,
      infrequentAccessAfterDays: 30,
      glacierAfterDays: 90,
      breakGlassRoleName: 'openclaw-break-glass',
      lockMode: 'GOVERNANCE',
      lockRetentionDays: 30,
    });
    new AuditTrail(stack, 'Trail', { deploymentName: 'openclaw-test-dev', bucket, key, logRetentionDays: logs.RetentionDays.ONE_YEAR });
  });

  test('pass the IAMReference pack, with the trail\'s bucket policy and log role', () => {
    expect(findings(stack)).toEqual([]);
  });

  test('let CloudTrail describe the key under aws:SourceArn alone: DescribeKey carries no encryption context', () => {
    const cloudTrail = { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Resource: '*' };
    expect(bySid(stack, 'AllowCloudTrailOfThisDeploymentToDescribeTheKey')).toEqual([
      { Sid: 'AllowCloudTrailOfThisDeploymentToDescribeTheKey', ...cloudTrail, Action: 'kms:DescribeKey', Condition: { StringEquals: { 'aws:SourceArn': trailArn } } },
    ]);
    expect(bySid(stack, 'AllowCloudTrailOfThisDeploymentToEncrypt')).toEqual([
      {
        Sid: 'AllowCloudTrailOfThisDeploymentToEncrypt',
        ...cloudTrail,
        Action: 'kms:GenerateDataKey*',
        Condition: {
          StringEquals: { 'aws:SourceArn': trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/openclaw-test-dev-trail` },
        },
      },
    ]);
  });
});
