import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AccessLogBucket } from '../../lib/audit/access-log-bucket';
import { AuditBucket } from '../../lib/audit/audit-bucket';
import { AuditTrail, TRAIL_PREFIX, type AuditTrailProps } from '../../lib/audit/audit-trail';

// The CloudTrail trail on a bare stack (not the whole app) with a real key and audit bucket:
// the trail's settings, its log group and log role, the bucket grant, the key policy
// statements and the deploy order, pinned exactly.

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const NAME = 'openclaw-test-prod';
const TRAIL = `${NAME}-trail`;
const partitionJoin = (...parts: unknown[]) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...parts]] });
const TRAIL_ARN = partitionJoin(`:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`);

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = Record<string, unknown>;

interface Built {
  readonly stack: Stack;
  readonly trail: AuditTrail;
  readonly key: Key;
  readonly bucket: AuditBucket;
  readonly resources: Record<string, Resource>;
}

function build(props: Partial<Pick<AuditTrailProps, 'logRetentionDays' | 'retainOnDelete'>> = {}): Built {
  const stack = new Stack(new App(), 'Core', { env: { account: ACCOUNT, region: REGION } });
  const key = new Key(stack, 'Key');
  const bucket = new AuditBucket(stack, 'Audit', {
    key,
    accessLogs: new AccessLogBucket(stack, 'AccessLogs'),
    lockMode: 'COMPLIANCE',
    lockRetentionDays: 400,
    infrequentAccessAfterDays: 30,
    glacierAfterDays: 90,
    breakGlassRoleName: 'openclaw-break-glass',
  });
  const trail = new AuditTrail(stack, 'Trail', { deploymentName: NAME, bucket, key, logRetentionDays: RetentionDays.ONE_YEAR, ...props });
  return { stack, trail, key, bucket, resources: Template.fromStack(stack).toJSON().Resources as Record<string, Resource> };
}

const id = (b: Built, c: { node: { defaultChild?: unknown } }) => b.stack.getLogicalId(c.node.defaultChild as never);
const ofType = (b: Built, type: string) => Object.entries(b.resources).filter(([, r]) => r.Type === type);
const only = (b: Built, type: string) => {
  const found = ofType(b, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const logGroupId = (b: Built) => id(b, b.trail.logGroup);
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

const DEFAULT = build();
const DESTROYABLE = build({ retainOnDelete: false, logRetentionDays: RetentionDays.TEN_YEARS });

describe('the trail', () => {
  test('every region\'s read and write management events, global service events, log file validation, KMS, to the audit bucket under cloudtrail and to the log group', () => {
    const [, trail] = only(DEFAULT, 'AWS::CloudTrail::Trail');
    const [roleId] = only(DEFAULT, 'AWS::IAM::Role');
    expect(trail.Properties).toEqual({
      TrailName: TRAIL,
      IsLogging: true,
      S3BucketName: { Ref: id(DEFAULT, DEFAULT.bucket) },
      S3KeyPrefix: 'cloudtrail',
      KMSKeyId: arnOf(id(DEFAULT, DEFAULT.key)),
      EnableLogFileValidation: true,
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: true,
      CloudWatchLogsLogGroupArn: arnOf(logGroupId(DEFAULT)),
      CloudWatchLogsRoleArn: arnOf(roleId),
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }],
    });
    expect(TRAIL_PREFIX).toBe('cloudtrail');
    expect(DEFAULT.trail.trail).toBe(DEFAULT.trail.node.findChild('Trail'));
  });

  test('it is created after the bucket policy and the log role\'s policy, which CloudTrail checks at creation', () => {
    const [, trail] = only(DEFAULT, 'AWS::CloudTrail::Trail');
    const [policyId] = only(DEFAULT, 'AWS::IAM::ManagedPolicy');
    expect(trail.DependsOn).toEqual([id(DEFAULT, DEFAULT.bucket.policy!), policyId].sort());
  });

  test('trailArn is the trail\'s ARN by name (no reference to the trail itself)', () => {
    expect(DEFAULT.stack.resolve(DEFAULT.trail.trailArn)).toEqual(TRAIL_ARN);
  });
});

describe('the log group', () => {
  test('named /openclaw/<deployment>/cloudtrail, encrypted with the key, retention from props, retained by default', () => {
    const group = DEFAULT.resources[logGroupId(DEFAULT)]!;
    expect(group).toEqual({
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/openclaw/${NAME}/cloudtrail`, KmsKeyId: arnOf(id(DEFAULT, DEFAULT.key)), RetentionInDays: 365 },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('retainOnDelete false: deleted with the stack; the retention follows props', () => {
    const group = DESTROYABLE.resources[logGroupId(DESTROYABLE)]!;
    expect([group.DeletionPolicy, group.UpdateReplacePolicy, group.Properties.RetentionInDays]).toEqual(['Delete', 'Delete', 3653]);
  });

  test('retainOnDelete true is the default', () => {
    expect(build({ retainOnDelete: true }).resources).toEqual(DEFAULT.resources);
  });
});

describe('the log role', () => {
  test('assumable by CloudTrail for this trail of this account only', () => {
    const [, role] = only(DEFAULT, 'AWS::IAM::Role');
    const [policyId] = only(DEFAULT, 'AWS::IAM::ManagedPolicy');
    expect(role.Properties).toEqual({
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': TRAIL_ARN } },
          },
        ],
      },
      Description: `CloudTrail ${TRAIL} writes to its own log group only`,
      ManagedPolicyArns: [{ Ref: policyId }],
    });
    expect(ofType(DEFAULT, 'AWS::IAM::Policy')).toEqual([]);
  });

  test('its one policy: create streams and put events in the trail\'s log group, nothing else', () => {
    const [, policy] = only(DEFAULT, 'AWS::IAM::ManagedPolicy');
    expect(policy.Properties).toEqual({
      Description: `CloudTrail ${TRAIL} to Logs`,
      Path: '/',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: arnOf(logGroupId(DEFAULT)) }],
      },
    });
  });
});

describe('grants to CloudTrail', () => {
  test('the audit bucket: GetBucketAcl and PutObject under cloudtrail/ with the ACL header, for this account and trail', () => {
    const bucketArn = arnOf(id(DEFAULT, DEFAULT.bucket));
    const statements = (DEFAULT.resources[id(DEFAULT, DEFAULT.bucket.policy!)]!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Sid: 'AllowLogDeliveryCloudtrailBucketCheck',
        Action: 's3:GetBucketAcl',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': TRAIL_ARN } },
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Resource: bucketArn,
      },
      {
        Sid: 'AllowLogDeliveryCloudtrailWrite',
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: { 'aws:SourceArn': TRAIL_ARN } },
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [bucketArn, '/cloudtrail/*']] },
      },
    ]);
  });

  test('the key: GenerateDataKey* for this trail\'s encryption context, DescribeKey for this trail; nothing else added', () => {
    const statements = (DEFAULT.resources[id(DEFAULT, DEFAULT.key)]!.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    expect(statements.slice(1)).toEqual([
      {
        Sid: 'AllowCloudTrailOfThisDeploymentToEncrypt',
        Action: 'kms:GenerateDataKey*',
        Condition: {
          StringEquals: { 'aws:SourceArn': TRAIL_ARN },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': partitionJoin(`:cloudtrail:*:${ACCOUNT}:trail/${TRAIL}`) },
        },
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Resource: '*',
      },
      {
        Sid: 'AllowCloudTrailOfThisDeploymentToDescribeTheKey',
        Action: 'kms:DescribeKey',
        Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Resource: '*',
      },
    ]);
    // The first statement is the key's own (the account root); CloudTrail gets no other grant on the key.
    expect(statements[0]!.Sid).toBeUndefined();
    expect(statements[0]!.Principal).toEqual({ AWS: partitionJoin(`:iam::${ACCOUNT}:root`) });
  });

  test('the stack holds exactly the trail, its log group, role and policy beside the key and buckets', () => {
    expect(Object.values(DEFAULT.resources).map((r) => r.Type).sort()).toEqual(
      ['AWS::CloudTrail::Trail', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::Role', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::S3::BucketPolicy'].sort(),
    );
  });
});
