import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogBucket, SINGLE_REGION_REASON } from '../../lib/audit/access-log-bucket';
import { AuditBucket, type AuditBucketProps } from '../../lib/audit/audit-bucket';
import { AUDIT_BUCKET_CONFIG_ACTIONS, AUDIT_BUCKET_DENY_SIDS, AUDIT_OBJECT_TAMPER_ACTIONS, type LogDeliveryGrant } from '../../lib/audit/audit-bucket-policy';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The audit bucket on a bare stack (not the whole app, no gate): its Object Lock, encryption,
// lifecycle, logging, retention, every statement of its bucket policy, the log-delivery grants
// and the errors of its props, pinned exactly. (test/app/audit-bucket.test.ts runs the same
// construct through the gate and the policy simulator.)

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENV = { account: ACCOUNT, region: REGION };
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BREAK_GLASS_NAME = 'openclaw-break-glass';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/openclaw-test-trail`;
/** An IAM ARN as Stack.formatArn writes it in a bare App (no partition literals). */
const iamArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:${resource}`]] });
const BREAK_GLASS = iamArn(`role/${BREAK_GLASS_NAME}`);
/** The stack's own CloudFormation execution role (the default bootstrap qualifier), exactly: no pattern of every qualifier. */
const CFN_EXEC_DEFAULT = iamArn(`role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`);

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = Record<string, unknown>;

interface Built {
  readonly stack: Stack;
  readonly bucket: AuditBucket;
  readonly accessLogs: AccessLogBucket;
  readonly resources: Record<string, Resource>;
}

const baseProps = (stack: Stack, accessLogs: AccessLogBucket): AuditBucketProps => ({
  key: Key.fromKeyArn(stack, 'Key', KEY_ARN),
  accessLogs,
  lockMode: 'COMPLIANCE',
  lockRetentionDays: 400,
  infrequentAccessAfterDays: 30,
  glacierAfterDays: 90,
  breakGlassRoleName: BREAK_GLASS_NAME,
});

/** A bare stack `X` with an access-log bucket and the audit bucket `Audit`, then `then` (grants) before synth. */
function build(props: Partial<AuditBucketProps> = {}, then: (bucket: AuditBucket) => void = () => undefined): Built {
  const stack = new Stack(new App(), 'X', { env: ENV });
  const accessLogs = new AccessLogBucket(stack, 'AccessLogs');
  const bucket = new AuditBucket(stack, 'Audit', { ...baseProps(stack, accessLogs), ...props });
  then(bucket);
  return { stack, bucket, accessLogs, resources: Template.fromStack(stack).toJSON().Resources as Record<string, Resource> };
}

/** The construct alone, not synthesized. */
const construct = (props: Partial<AuditBucketProps>) => () => {
  const stack = new Stack(new App(), 'X', { env: ENV });
  return new AuditBucket(stack, 'Audit', { ...baseProps(stack, new AccessLogBucket(stack, 'AccessLogs')), ...props });
};
const idOf = (b: Built, bucket: s3.Bucket) => b.stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
const bucketResource = (b: Built, bucket: s3.Bucket = b.bucket) => b.resources[idOf(b, bucket)]!;
const policyResource = (b: Built, bucket: s3.Bucket = b.bucket) =>
  Object.values(b.resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && (r.Properties.Bucket as { Ref: string }).Ref === idOf(b, bucket))!;
const statements = (b: Built, bucket: s3.Bucket = b.bucket) => (policyResource(b, bucket).Properties.PolicyDocument as { Statement: Statement[] }).Statement;
const bySid = (b: Built, sid: string) => statements(b).filter((s) => s.Sid === sid);
const arnOf = (b: Built) => ({ 'Fn::GetAtt': [idOf(b, b.bucket), 'Arn'] });
const objectsOf = (b: Built, suffix = '*') => ({ 'Fn::Join': ['', [arnOf(b), `/${suffix}`]] });
const tiers = (ia: number, glacier: number) => [
  { StorageClass: 'STANDARD_IA', TransitionInDays: ia },
  { StorageClass: 'GLACIER_IR', TransitionInDays: glacier },
];
const tlsDenies = (b: Built) => [
  { Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: [arnOf(b), objectsOf(b)] },
  { Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: [arnOf(b), objectsOf(b)] },
];

// The defaults: COMPLIANCE, 400 days, retained, the CDK execution role pattern, a generated prefix and name.
const DEFAULT = build();
// Every option set the other way: GOVERNANCE, destroyable, own name, own prefix, own CloudFormation role pattern.
const CUSTOM_CFN = `arn:aws:iam::${ACCOUNT}:role/deployer-*`;
const CUSTOM = build({
  lockMode: 'GOVERNANCE',
  lockRetentionDays: 30,
  infrequentAccessAfterDays: 45,
  glacierAfterDays: 75,
  retainOnDelete: false,
  bucketName: 'openclaw-test-audit',
  accessLogsPrefix: 'audit-logs/',
  cloudFormationRoleArnPattern: CUSTOM_CFN,
});

describe('the bucket (defaults)', () => {
  test('it is an audit-tagged S3 bucket with exactly these properties: lock, SSE-KMS, lifecycle, logging, events, ownership, public access block, versioning', () => {
    expect(Object.keys(bucketResource(DEFAULT).Properties).sort()).toEqual(
      [
        'BucketEncryption',
        'LifecycleConfiguration',
        'LoggingConfiguration',
        'NotificationConfiguration',
        'ObjectLockConfiguration',
        'ObjectLockEnabled',
        'OwnershipControls',
        'PublicAccessBlockConfiguration',
        'Tags',
        'VersioningConfiguration',
      ].sort(),
    );
    expect(bucketResource(DEFAULT).Properties.Tags).toEqual([{ Key: 'openclaw:bucket-role', Value: 'audit' }]);
  });

  test('Object Lock: COMPLIANCE mode for the given days, on every new version', () => {
    const p = bucketResource(DEFAULT).Properties;
    expect([p.ObjectLockEnabled, p.ObjectLockConfiguration]).toEqual([true, { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } }]);
    expect([DEFAULT.bucket.lockMode, DEFAULT.bucket.lockRetentionDays]).toEqual(['COMPLIANCE', 400]);
  });

  test('versioning on (Object Lock needs it)', () => {
    expect(bucketResource(DEFAULT).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('SSE-KMS with the given key and an S3 Bucket Key', () => {
    expect(bucketResource(DEFAULT).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { KMSMasterKeyID: KEY_ARN, SSEAlgorithm: 'aws:kms' } }],
    });
  });

  test('all four Block Public Access settings, ACLs disabled (BucketOwnerEnforced)', () => {
    const p = bucketResource(DEFAULT).Properties;
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  test('S3 events go to EventBridge, set on the resource (no notification custom resource)', () => {
    expect(bucketResource(DEFAULT).Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
  });

  test('lifecycle: objects and noncurrent versions to Standard-IA, then Glacier IR; uploads aborted after 7 days; no expiry', () => {
    expect(bucketResource(DEFAULT).Properties.LifecycleConfiguration).toEqual({
      Rules: [{ Id: 'TieredStorageNoExpiry', Status: 'Enabled', Transitions: tiers(30, 90), NoncurrentVersionTransitions: tiers(30, 90), AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
    });
  });

  test('server access logs go to the access-log bucket under the construct\'s unique id, and that bucket lets S3 logging of this bucket write there', () => {
    expect(DEFAULT.bucket.accessLogsPrefix).toBe('XAuditAB027C75/');
    expect(bucketResource(DEFAULT).Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: idOf(DEFAULT, DEFAULT.accessLogs) }, LogFilePrefix: 'XAuditAB027C75/' });
    const logsArn = { 'Fn::GetAtt': [idOf(DEFAULT, DEFAULT.accessLogs), 'Arn'] };
    expect(statements(DEFAULT, DEFAULT.accessLogs).filter((s) => s.Effect === 'Allow')).toEqual([
      {
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': arnOf(DEFAULT) } },
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [logsArn, '/XAuditAB027C75/*']] },
      },
    ]);
  });

  test('retained: bucket and policy RetainExceptOnCreate / Retain', () => {
    const [bucket, policy] = [bucketResource(DEFAULT), policyResource(DEFAULT)];
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy, policy.DeletionPolicy, policy.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain', 'RetainExceptOnCreate', 'Retain']);
  });

  test('retainOnDelete true is the default', () => {
    expect(build({ retainOnDelete: true }).resources).toEqual(DEFAULT.resources);
  });

  test('nothing can empty the bucket at deploy: the stack holds the two buckets and their policies only (no auto-delete or notification handler)', () => {
    expect(Object.values(DEFAULT.resources).map((r) => r.Type)).toEqual(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy']);
  });

  test('the break-glass role and the CloudFormation role: this account\'s role by name, and exactly the execution role the stack is deployed with', () => {
    expect(DEFAULT.stack.resolve(DEFAULT.bucket.breakGlassRoleArn)).toEqual(BREAK_GLASS);
    expect(DEFAULT.stack.resolve(DEFAULT.bucket.cloudFormationRoleArnPattern)).toEqual(CFN_EXEC_DEFAULT);
  });
});

describe('the bucket policy (defaults)', () => {
  test('exactly: TLS only, TLS 1.2 or later, the object-tampering deny, the reconfiguration deny, the write deny; no allow', () => {
    expect(statements(DEFAULT)).toEqual([
      ...tlsDenies(DEFAULT),
      {
        Sid: 'DenyObjectTamperingButBreakGlass',
        Action: [...AUDIT_OBJECT_TAMPER_ACTIONS, 's3:DeleteBucket'],
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: [arnOf(DEFAULT), objectsOf(DEFAULT)],
      },
      {
        Sid: 'DenyReconfigurationButBreakGlassAndCloudFormation',
        Action: [...AUDIT_BUCKET_CONFIG_ACTIONS],
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC_DEFAULT] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: arnOf(DEFAULT),
      },
      {
        Sid: 'DenyWritesButLogDelivery',
        Action: 's3:PutObject',
        Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' }, StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objectsOf(DEFAULT),
      },
    ]);
  });

  test('the action lists and statement IDs are exactly these', () => {
    expect(AUDIT_OBJECT_TAMPER_ACTIONS).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:BypassGovernanceRetention']);
    expect(AUDIT_BUCKET_CONFIG_ACTIONS).toEqual([
      's3:PutBucketObjectLockConfiguration',
      's3:PutLifecycleConfiguration',
      's3:PutBucketVersioning',
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:PutEncryptionConfiguration',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketLogging',
      's3:PutBucketNotification',
      's3:PutBucketOwnershipControls',
      's3:PutBucketAcl',
      's3:PutReplicationConfiguration',
    ]);
    expect(AUDIT_BUCKET_DENY_SIDS).toEqual({
      objectTampering: 'DenyObjectTamperingButBreakGlass',
      reconfiguration: 'DenyReconfigurationButBreakGlassAndCloudFormation',
      writes: 'DenyWritesButLogDelivery',
    });
  });

  test('allowRoleWrites exempts each named role from the write deny, also when named after construction', () => {
    const roles = [`arn:aws:iam::${ACCOUNT}:role/firehose`, `arn:aws:iam::${ACCOUNT}:role/shipper`];
    const b = build({}, (bucket) => roles.forEach((r) => bucket.allowRoleWrites(r)));
    expect(bySid(b, 'DenyWritesButLogDelivery').map((s) => s.Condition)).toEqual([
      { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' }, StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS, ...roles] } },
    ]);
  });
});

describe('every option set (GOVERNANCE, retainOnDelete false, own name, prefix and CloudFormation role)', () => {
  test('Object Lock in GOVERNANCE mode for the given days', () => {
    expect(bucketResource(CUSTOM).Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } });
    expect([CUSTOM.bucket.lockMode, CUSTOM.bucket.lockRetentionDays]).toEqual(['GOVERNANCE', 30]);
  });

  test('the lifecycle follows the given days', () => {
    expect((bucketResource(CUSTOM).Properties.LifecycleConfiguration as { Rules: Statement[] }).Rules.map((r) => [r.Transitions, r.NoncurrentVersionTransitions])).toEqual([[tiers(45, 75), tiers(45, 75)]]);
  });

  test('the bucket name and the access-log prefix are the given ones', () => {
    expect(bucketResource(CUSTOM).Properties.BucketName).toBe('openclaw-test-audit');
    expect(CUSTOM.bucket.accessLogsPrefix).toBe('audit-logs/');
    expect(bucketResource(CUSTOM).Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: idOf(CUSTOM, CUSTOM.accessLogs) }, LogFilePrefix: 'audit-logs/' });
    const writes = statements(CUSTOM, CUSTOM.accessLogs).filter((s) => s.Effect === 'Allow').map((s) => s.Resource);
    expect(writes).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(CUSTOM, CUSTOM.accessLogs), 'Arn'] }, '/audit-logs/*']] }]);
  });

  test('destroyed with the stack: bucket and policy Delete', () => {
    const [bucket, policy] = [bucketResource(CUSTOM), policyResource(CUSTOM)];
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy, policy.DeletionPolicy, policy.UpdateReplacePolicy]).toEqual(['Delete', 'Delete', 'Delete', 'Delete']);
  });

  test('the object deny names only the objects, without s3:DeleteBucket; the reconfiguration deny adds s3:DeleteBucket and exempts the given CloudFormation role', () => {
    expect(CUSTOM.bucket.cloudFormationRoleArnPattern).toBe(CUSTOM_CFN);
    expect(statements(CUSTOM)).toEqual([
      ...tlsDenies(CUSTOM),
      {
        Sid: 'DenyObjectTamperingButBreakGlass',
        Action: [...AUDIT_OBJECT_TAMPER_ACTIONS],
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objectsOf(CUSTOM),
      },
      {
        Sid: 'DenyReconfigurationButBreakGlassAndCloudFormation',
        Action: [...AUDIT_BUCKET_CONFIG_ACTIONS, 's3:DeleteBucket'],
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, ArnNotLike: { 'aws:PrincipalArn': [CUSTOM_CFN] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: arnOf(CUSTOM),
      },
      {
        Sid: 'DenyWritesButLogDelivery',
        Action: 's3:PutObject',
        Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' }, StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objectsOf(CUSTOM),
      },
    ]);
  });
});

describe('allowLogDeliveryService', () => {
  const OTHER_ACCOUNT = '210987654321';
  const grant = (g: Partial<LogDeliveryGrant> & Pick<LogDeliveryGrant, 'servicePrincipal' | 'prefix'>): LogDeliveryGrant => ({ sourceAccount: ACCOUNT, ...g });
  const GRANTS = build({}, (bucket) => {
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'cloudtrail.amazonaws.com', prefix: 'cloudtrail/', sourceArn: TRAIL_ARN }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix: 'vpc-flow/' }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix: 'waf/', requireBucketOwnerFullControl: false, bucketReadActions: [] }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix: 'cf/', sourceAccount: OTHER_ACCOUNT, requireBucketOwnerFullControl: true, bucketReadActions: ['s3:GetBucketLocation'] }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'cloudtrail.amazonaws.com.cn', prefix: 'cn/' }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: '_x--y_z.amazonaws.com', prefix: 'xyz/' }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'svc.amazonaws.com.example', prefix: 'svc/' }));
  });
  const allows = () => statements(GRANTS).filter((s) => s.Effect === 'Allow');
  const check = (sid: string, principal: string, actions: string | string[], condition: Statement) => ({
    Sid: sid,
    Action: actions,
    Condition: condition,
    Effect: 'Allow',
    Principal: { Service: principal },
    Resource: arnOf(GRANTS),
  });
  const write = (sid: string, principal: string, prefix: string, condition: Statement) => ({
    Sid: sid,
    Action: 's3:PutObject',
    Condition: condition,
    Effect: 'Allow',
    Principal: { Service: principal },
    Resource: objectsOf(GRANTS, `${prefix}*`),
  });
  const ACL = { 's3:x-amz-acl': 'bucket-owner-full-control' };

  test('CloudTrail with a source ARN: GetBucketAcl on the bucket and PutObject under the prefix with the ACL header, both for this account and trail only', () => {
    expect(allows().slice(0, 2)).toEqual([
      check('AllowLogDeliveryCloudtrailBucketCheck', 'cloudtrail.amazonaws.com', 's3:GetBucketAcl', { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': TRAIL_ARN } }),
      write('AllowLogDeliveryCloudtrailWrite', 'cloudtrail.amazonaws.com', 'cloudtrail/', { StringEquals: { 'aws:SourceAccount': ACCOUNT, ...ACL }, ArnLike: { 'aws:SourceArn': TRAIL_ARN } }),
    ]);
  });

  test('vended logs without a source ARN: GetBucketAcl and ListBucket by default, conditioned on the account only', () => {
    expect(allows().slice(2, 4)).toEqual([
      check('AllowLogDeliveryDeliveryLogsBucketCheck', 'delivery.logs.amazonaws.com', ['s3:GetBucketAcl', 's3:ListBucket'], { StringEquals: { 'aws:SourceAccount': ACCOUNT } }),
      write('AllowLogDeliveryDeliveryLogsWrite', 'delivery.logs.amazonaws.com', 'vpc-flow/', { StringEquals: { 'aws:SourceAccount': ACCOUNT, ...ACL } }),
    ]);
  });

  test('no bucket reads and no ACL header when turned off; a second and third grant to one service get numbered statement IDs; given reads replace the default', () => {
    expect(allows().slice(4, 7)).toEqual([
      write('AllowLogDeliveryDeliveryLogs2Write', 'delivery.logs.amazonaws.com', 'waf/', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }),
      check('AllowLogDeliveryDeliveryLogs3BucketCheck', 'delivery.logs.amazonaws.com', 's3:GetBucketLocation', { StringEquals: { 'aws:SourceAccount': OTHER_ACCOUNT } }),
      write('AllowLogDeliveryDeliveryLogs3Write', 'delivery.logs.amazonaws.com', 'cf/', { StringEquals: { 'aws:SourceAccount': OTHER_ACCOUNT, ...ACL } }),
    ]);
  });

  test('statement IDs from the service principal: the amazonaws.com(.cn) suffix dropped, each word capitalized, separators (also leading ones) removed', () => {
    expect(allows().slice(7).map((s) => [s.Sid, (s.Principal as { Service: string }).Service, s.Action])).toEqual([
      // CDK writes the service principal of the stack's partition (cloudtrail.amazonaws.com in eu-west-1).
      ['AllowLogDeliveryCloudtrail2BucketCheck', 'cloudtrail.amazonaws.com', 's3:GetBucketAcl'],
      ['AllowLogDeliveryCloudtrail2Write', 'cloudtrail.amazonaws.com', 's3:PutObject'],
      ['AllowLogDeliveryXYZBucketCheck', '_x--y_z.amazonaws.com', 's3:GetBucketAcl'],
      ['AllowLogDeliveryXYZWrite', '_x--y_z.amazonaws.com', 's3:PutObject'],
      ['AllowLogDeliverySvcAmazonawsComExampleBucketCheck', 'svc.amazonaws.com.example', 's3:GetBucketAcl'],
      ['AllowLogDeliverySvcAmazonawsComExampleWrite', 'svc.amazonaws.com.example', 's3:PutObject'],
    ]);
    expect(allows()).toHaveLength(13);
  });

  test('the denies are unchanged by the grants', () => {
    expect(statements(GRANTS).filter((s) => s.Effect === 'Deny')).toEqual(statements(DEFAULT));
  });

  test('a numbered statement ID that another service already has is refused, not merged', () => {
    const bucket = construct({})();
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'foo.amazonaws.com', prefix: 'a/' }));
    bucket.allowLogDeliveryService(grant({ servicePrincipal: 'foo2.amazonaws.com', prefix: 'b/' }));
    expect(() => bucket.allowLogDeliveryService(grant({ servicePrincipal: 'foo.amazonaws.com', prefix: 'c/' }))).toThrow(
      new Error('AuditBucket X/Audit: allowLogDeliveryService(foo.amazonaws.com) would reuse the statement ID AllowLogDeliveryFoo2 of an earlier grant'),
    );
    const other = construct({})();
    other.allowLogDeliveryService(grant({ servicePrincipal: 'foo.amazonaws.com', prefix: 'a/' }));
    other.allowLogDeliveryService(grant({ servicePrincipal: 'foo.amazonaws.com', prefix: 'c/' }));
    expect(() => other.allowLogDeliveryService(grant({ servicePrincipal: 'foo2.amazonaws.com', prefix: 'b/' }))).toThrow(
      new Error('AuditBucket X/Audit: allowLogDeliveryService(foo2.amazonaws.com) would reuse the statement ID AllowLogDeliveryFoo2 of an earlier grant'),
    );
  });

  test.each([
    ['an empty prefix', ''],
    ['a wildcard in the prefix', 'logs*/'],
    ['a leading slash', '/logs'],
  ])('%s is refused', (_name, prefix) => {
    const bucket = construct({})();
    expect(() => bucket.allowLogDeliveryService(grant({ servicePrincipal: 'cloudtrail.amazonaws.com', prefix }))).toThrow(
      new Error(`AuditBucket X/Audit: allowLogDeliveryService(cloudtrail.amazonaws.com) needs a non-empty prefix without '*' or a leading '/' (got "${prefix}")`),
    );
  });
});

describe('acknowledgements', () => {
  const reasons = (stack: Stack, path: string) => collectAcknowledgements(stack).filter((a) => a.path === path).map((a) => [a.rule, a.reason, a.onSingleResource, a.madeBy]);
  const REPLICATION = [
    ['NIST.800.53.R5-S3BucketReplicationEnabled', SINGLE_REGION_REASON, true, 'blueprint'],
    ['HIPAA.Security-S3BucketReplicationEnabled', SINGLE_REGION_REASON, true, 'blueprint'],
  ];

  test('with the access-log bucket in the same stack: only the single-region replication rules', () => {
    expect(reasons(DEFAULT.stack, 'X/Audit/Resource')).toEqual(REPLICATION);
    expect(collectAcknowledgements(DEFAULT.stack).filter((a) => a.path.startsWith('X/Audit')).map((a) => a.path)).toEqual(['X/Audit/Resource', 'X/Audit/Resource']);
  });

  test('with the access-log bucket in another stack: also the guard\'s logging rule, which cannot resolve the cross-stack import', () => {
    const app = new App();
    const accessLogs = new AccessLogBucket(new Stack(app, 'Logs', { env: ENV }), 'AccessLogs');
    const stack = new Stack(app, 'Audit', { env: ENV });
    new AuditBucket(stack, 'Trail', baseProps(stack, accessLogs));
    expect(reasons(stack, 'Audit/Trail/Resource')).toEqual([
      ...REPLICATION,
      [
        'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
        'Server access logging is configured, to the access-log bucket of another stack: DestinationBucketName is a cross-stack ' +
          'Fn::ImportValue the guard rule cannot resolve (the catalogue and template tests check LoggingConfiguration).',
        true,
        'blueprint',
      ],
    ]);
  });
});

describe('props are checked', () => {
  const retention = (got: number) => new Error(`AuditBucket Audit: lockRetentionDays must be a whole number of days from 1 to 36500 (got ${got})`);
  const ia = (got: number) => new Error(`AuditBucket Audit: infrequentAccessAfterDays must be a whole number, at least 30 (S3's minimum before Standard-IA; got ${got})`);
  const glacier = (got: number, min: number) =>
    new Error(`AuditBucket Audit: glacierAfterDays (${got}) must be at least infrequentAccessAfterDays + 30 (${min}): S3 keeps an object 30 days in Standard-IA before a lifecycle transition to Glacier`);

  test.each<[string, Partial<AuditBucketProps>, Error]>([
    ['no retention', { lockRetentionDays: 0 }, retention(0)],
    ['more than 100 years', { lockRetentionDays: 36501 }, retention(36501)],
    ['a fractional retention', { lockRetentionDays: 1.5 }, retention(1.5)],
    ['Standard-IA before 30 days', { infrequentAccessAfterDays: 29 }, ia(29)],
    ['a fractional Standard-IA day', { infrequentAccessAfterDays: 30.5, glacierAfterDays: 90 }, ia(30.5)],
    ['Glacier less than 30 days after Standard-IA', { infrequentAccessAfterDays: 60, glacierAfterDays: 89 }, glacier(89, 90)],
    ['a fractional Glacier day', { infrequentAccessAfterDays: 30, glacierAfterDays: 90.5 }, glacier(90.5, 60)],
  ])('%s is refused', (_name, props, error) => {
    expect(construct(props)).toThrow(error);
  });

  test.each<[string, Partial<AuditBucketProps>]>([
    ['one day of retention', { lockRetentionDays: 1 }],
    ['100 years of retention', { lockRetentionDays: 36500 }],
    ['Glacier exactly 30 days after Standard-IA', { infrequentAccessAfterDays: 30, glacierAfterDays: 60 }],
  ])('%s is accepted', (_name, props) => {
    expect(construct(props)().lockRetentionDays).toBe(props.lockRetentionDays ?? 400);
  });
});
