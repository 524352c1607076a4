import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import {
  AUDIT_BUCKET_CONFIG_ACTIONS,
  AUDIT_OBJECT_TAMPER_ACTIONS,
  logDeliverySidBase,
  logDeliveryStatements,
  objectTamperingDeny,
  reconfigurationDeny,
  type PolicyBucket,
} from '../../lib/audit/audit-bucket-policy';

// The statements of an audit bucket's policy (lib/audit/audit-bucket-policy.ts), each on
// its own: the two denies (with and without retention) and a delivery service's grant,
// as the JSON that goes into the bucket policy. Where they are added, and what AWS makes
// of them for every actor of the deployment, is tested on the synthesized templates
// (test/app/audit-bucket*.test.ts, test/app/resource-policy-actors.test.ts); the action lists and
// statement IDs are pinned in test/app/audit-bucket-construct.test.ts.

const BUCKET: PolicyBucket = { bucketArn: 'arn:aws:s3:::audit', arnForObjects: (k) => `arn:aws:s3:::audit/${k}` };
/** The statement as it goes into the template (the service principal resolved, in a stack of aws partition). */
const json = (st: iam.PolicyStatement) => new Stack().resolve(st.toStatementJson()) as Record<string, unknown>;
const BREAK_GLASS = 'arn:aws:iam::111122223333:role/openclaw-example-prod-break-glass';
const CFN = 'arn:aws:iam::111122223333:role/cdk-*-cfn-exec-role-111122223333-*';

describe('objectTamperingDeny', () => {
  test('retained: the tamper actions and DeleteBucket, on the bucket and its objects, to all but break-glass', () => {
    expect(json(objectTamperingDeny(BUCKET, BREAK_GLASS, true))).toEqual({
      Sid: 'DenyObjectTamperingButBreakGlass',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...AUDIT_OBJECT_TAMPER_ACTIONS, 's3:DeleteBucket'],
      Resource: ['arn:aws:s3:::audit', 'arn:aws:s3:::audit/*'],
      Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
    });
  });

  test('not retained: the tamper actions on the objects only (no object action applies to the bucket ARN)', () => {
    expect(json(objectTamperingDeny(BUCKET, BREAK_GLASS, false))).toEqual({
      Sid: 'DenyObjectTamperingButBreakGlass',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...AUDIT_OBJECT_TAMPER_ACTIONS],
      Resource: 'arn:aws:s3:::audit/*',
      Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
    });
  });
});

describe('reconfigurationDeny', () => {
  test('retained: the reconfiguration actions on the bucket, to all but break-glass and the CloudFormation execution role', () => {
    expect(json(reconfigurationDeny(BUCKET, BREAK_GLASS, CFN, true))).toEqual({
      Sid: 'DenyReconfigurationButBreakGlassAndCloudFormation',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [...AUDIT_BUCKET_CONFIG_ACTIONS],
      Resource: 'arn:aws:s3:::audit',
      Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, ArnNotLike: { 'aws:PrincipalArn': [CFN] } },
    });
  });

  test('not retained: DeleteBucket joins it (CloudFormation may delete the bucket it manages)', () => {
    expect(json(reconfigurationDeny(BUCKET, BREAK_GLASS, CFN, false))).toMatchObject({ Action: [...AUDIT_BUCKET_CONFIG_ACTIONS, 's3:DeleteBucket'], Resource: 'arn:aws:s3:::audit' });
  });
});

describe('logDeliveryStatements', () => {
  const grant = { servicePrincipal: 'cloudtrail.amazonaws.com', prefix: 'cloudtrail/', sourceAccount: '111122223333' };

  test('CloudTrail: GetBucketAcl on the bucket, then PutObject under the prefix with bucket-owner-full-control, both from the account', () => {
    expect(logDeliveryStatements(BUCKET, grant, 'AllowLogDeliveryCloudtrail').map(json)).toEqual([
      {
        Sid: 'AllowLogDeliveryCloudtrailBucketCheck',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: 'arn:aws:s3:::audit',
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      },
      {
        Sid: 'AllowLogDeliveryCloudtrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::audit/cloudtrail/*',
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333', 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    ]);
  });

  test('vended logs (delivery.logs): ListBucket too by default; a source ARN is required with ArnLike on both', () => {
    const sourceArn = 'arn:aws:logs:eu-west-1:111122223333:delivery-source:*';
    const [check, write] = logDeliveryStatements(BUCKET, { ...grant, servicePrincipal: 'delivery.logs.amazonaws.com', sourceArn }, 'S').map(json);
    expect(check).toMatchObject({ Sid: 'SBucketCheck', Action: ['s3:GetBucketAcl', 's3:ListBucket'], Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' }, ArnLike: { 'aws:SourceArn': sourceArn } } });
    expect(write).toMatchObject({ Sid: 'SWrite', Condition: { StringEquals: { 'aws:SourceAccount': '111122223333', 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: { 'aws:SourceArn': sourceArn } } });
  });

  test('requireBucketOwnerFullControl false drops only the ACL condition; given read actions replace the default; none drops the check', () => {
    const [check, write = {}] = logDeliveryStatements(BUCKET, { ...grant, requireBucketOwnerFullControl: false, bucketReadActions: ['s3:GetBucketLocation'] }, 'S').map(json);
    expect(check).toMatchObject({ Action: 's3:GetBucketLocation' });
    expect(write.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '111122223333' } });
    expect(json(logDeliveryStatements(BUCKET, { ...grant, requireBucketOwnerFullControl: true }, 'S')[1]!).Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '111122223333', 's3:x-amz-acl': 'bucket-owner-full-control' },
    });
    expect(logDeliveryStatements(BUCKET, { ...grant, bucketReadActions: [] }, 'S').map((s) => json(s).Sid)).toEqual(['SWrite']);
  });
});

test.each([
  ['cloudtrail.amazonaws.com', 'AllowLogDeliveryCloudtrail'],
  ['delivery.logs.amazonaws.com', 'AllowLogDeliveryDeliveryLogs'],
  ['logging.s3.amazonaws.com', 'AllowLogDeliveryLoggingS3'],
  ['cloudtrail.amazonaws.com.cn', 'AllowLogDeliveryCloudtrail'],
  ['firehose-x.amazonaws.com', 'AllowLogDeliveryFirehoseX'],
  ['svc.amazonaws.com.example', 'AllowLogDeliverySvcAmazonawsComExample'],
])('the statement-ID base of %s is %s', (principal, sid) => {
  expect(logDeliverySidBase(principal)).toBe(sid);
});
