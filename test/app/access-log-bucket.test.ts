import { App, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AccessLogBucket,
  BUCKET_ROLE_TAG,
  BUCKET_ROLES,
  S3_SERVER_ACCESS_LOGGING_PRINCIPAL,
  SINGLE_REGION_REASON,
  acknowledgeSingleRegion,
  denyWritesButServices,
  tagBucketRole,
  type AccessLogBucketProps,
} from '../../lib/audit/access-log-bucket';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The S3 server access log bucket on bare stacks (not the whole app): the bucket settings
// (SSE-S3, versioning, Block Public Access, ACLs disabled, EventBridge, lifecycle expiry,
// retention), its bucket policy pinned statement by statement (TLS, the write deny, the
// break-glass delete deny, the S3 logging grants per source), the role tag and every
// acknowledgement with its reason, and each prop's default and explicit value.

const ENV = { account: '123456789012', region: 'eu-west-1' };
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = Record<string, unknown>;

const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
const idOf = (stack: Stack, bucket: s3.Bucket) => stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
const policyOf = (stack: Stack, bucket: s3.Bucket) => {
  const all = Object.entries(resourcesOf(stack)).filter(([, r]) => r.Type === 'AWS::S3::BucketPolicy' && (r.Properties.Bucket as { Ref: string }).Ref === idOf(stack, bucket));
  expect(all).toHaveLength(1);
  return { id: all[0]![0], ...all[0]![1] };
};
const statementsOf = (stack: Stack, bucket: s3.Bucket) => (policyOf(stack, bucket).Properties.PolicyDocument as { Statement: Statement[] }).Statement;
const acksOf = (stack: Stack) => collectAcknowledgements(stack).map((a) => [a.path, a.rule, a.reason, a.onSingleResource, a.madeBy]);

/** `arn:<partition>:...` as CDK renders an ARN of this account. */
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const bucketArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsArn = (id: string, prefix = '') => ({ 'Fn::Join': ['', [bucketArn(id), `/${prefix}*`]] });
const tlsStatements = (id: string): Statement[] => [
  { Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: [bucketArn(id), objectsArn(id)] },
  { Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: [bucketArn(id), objectsArn(id)] },
];
const BREAK_GLASS_ARN = partitionArn(':iam::123456789012:role/openclaw-break-glass');

const REPLICATION_ACKS = ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled'];
const OBJECT_LOCK_REASON =
  'This is the S3 server access log destination, and server access logging cannot deliver to a bucket with an Object Lock default ' +
  'retention; only the S3 logging service can write here, versioning keeps overwritten files, and the catalogue control ' +
  's3-access-log-bucket checks it. Every other bucket of the blueprint is object-locked (control s3-object-locked).';
const SSE_S3_REASON =
  'S3 server access log delivery supports only SSE-S3 (AES-256) destination buckets, not SSE-KMS, so this bucket is encrypted with ' +
  'S3-managed keys; it holds request metadata of the audit buckets, whose contents are encrypted with the deployment key.';
const NOT_LOGGED_REASON =
  'This bucket is the server access log destination itself: logging it into itself would log each delivery recursively, and ' +
  'logging it elsewhere needs yet another unlocked bucket; its bucket-level API calls are in CloudTrail management events.';
const CROSS_STACK_REASON =
  'This bucket is the server access log destination of audit buckets in other stacks (cdk-nag sees log destinations only ' +
  'within a stack); logging it into itself would log each delivery recursively. Its bucket-level calls are in CloudTrail.';
/** The acknowledgements every access-log bucket carries, in order, on its CfnBucket at `path`. */
const ownAcks = (path: string) => [
  ...REPLICATION_ACKS.map((rule) => [path, rule, SINGLE_REGION_REASON, true, 'blueprint']),
  [path, 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check', OBJECT_LOCK_REASON, true, 'blueprint'],
  ...['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS', 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check'].map((rule) => [
    path,
    rule,
    SSE_S3_REASON,
    true,
    'blueprint',
  ]),
  [path, 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', NOT_LOGGED_REASON, true, 'blueprint'],
];
const crossStackAcks = (path: string) =>
  ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled'].map((rule) => [path, rule, CROSS_STACK_REASON, true, 'blueprint']);

const newStack = (app = new App(), id = 'Logs') => new Stack(app, id, { env: ENV });

// 1. Every default: no props, no source bucket.
const plainStack = newStack();
const plain = new AccessLogBucket(plainStack, 'AccessLogs');
const plainId = idOf(plainStack, plain);

// 2. Every prop given, one source in the same stack and one in another stack.
const fullApp = new App();
const fullStack = newStack(fullApp);
const full = new AccessLogBucket(fullStack, 'AccessLogs', {
  bucketName: 'openclaw-test-prod-access-logs',
  expireAfterDays: 90,
  noncurrentExpireAfterDays: 7,
  breakGlassRoleName: 'openclaw-break-glass',
  retainOnDelete: false,
});
const fullId = idOf(fullStack, full);
const auditStack = newStack(fullApp, 'Audit');
const localSource = new s3.Bucket(fullStack, 'Trail');
full.allowServerAccessLogsFrom(new s3.Bucket(auditStack, 'Flow'), 'vpc-flow/');
full.allowServerAccessLogsFrom(localSource, 'cloudtrail/');

// 3. Sources only in other stacks (two of them), the retention given explicitly.
const splitApp = new App();
const splitStack = newStack(splitApp);
const split = new AccessLogBucket(splitStack, 'AccessLogs', { retainOnDelete: true });
const otherStack = newStack(splitApp, 'Audit');
split.allowServerAccessLogsFrom(new s3.Bucket(otherStack, 'Trail'), 'cloudtrail/');
split.allowServerAccessLogsFrom(new s3.Bucket(otherStack, 'Flow'), 'vpc-flow/');

// The cross-stack acknowledgements are added by an aspect, at synth: synthesize every app first.
for (const app of [plainStack.node.root as App, fullApp, splitApp]) app.synth();

const HARDENED_PROPERTIES = {
  BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
  NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  Tags: [{ Key: 'openclaw:bucket-role', Value: 'access-logs' }],
  VersioningConfiguration: { Status: 'Enabled' },
};
const lifecycle = (expire: number, noncurrent: number) => ({
  Rules: [
    { Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: expire, NoncurrentVersionExpiration: { NoncurrentDays: noncurrent }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
  ],
});

describe('defaults', () => {
  test('the stack holds exactly the bucket and its policy: SSE-S3, versioned, all public access blocked, ACLs disabled, EventBridge, role tag', () => {
    const policy = policyOf(plainStack, plain);
    expect(resourcesOf(plainStack)).toEqual({
      [plainId]: {
        Type: 'AWS::S3::Bucket',
        Properties: { ...HARDENED_PROPERTIES, LifecycleConfiguration: lifecycle(365, 30) },
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      },
      [policy.id]: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: { Bucket: { Ref: plainId }, PolicyDocument: { Version: '2012-10-17', Statement: statementsOf(plainStack, plain) } },
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      },
    });
  });

  test('log files expire after 365 days, noncurrent versions after 30, incomplete uploads after 7, expired delete markers go', () => {
    expect(resourcesOf(plainStack)[plainId]!.Properties.LifecycleConfiguration).toEqual(lifecycle(365, 30));
  });

  test('bucket and policy are retained on deletion and replacement (RetainExceptOnCreate / Retain)', () => {
    const bucket = resourcesOf(plainStack)[plainId]!;
    const policy = policyOf(plainStack, plain);
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy, policy.DeletionPolicy, policy.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain', 'RetainExceptOnCreate', 'Retain']);
  });

  test('policy without break-glass: TLS only, TLS 1.2 at least, and PutObject denied to every caller that is not an AWS service', () => {
    expect(plain.breakGlassRoleArn).toBeUndefined();
    expect(statementsOf(plainStack, plain)).toEqual([
      ...tlsStatements(plainId),
      { Sid: 'DenyWritesButS3Logging', Action: 's3:PutObject', Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: objectsArn(plainId) },
    ]);
  });

  test('acknowledgements: replication, Object Lock, SSE-KMS and logging, on the bucket resource, each with its reason; no cross-stack logging acks', () => {
    expect(acksOf(plainStack)).toEqual(ownAcks('Logs/AccessLogs/Resource'));
  });
});

describe('every prop given, one source in the stack and one in another', () => {
  test('the bucket name, the expiry days and destruction (Delete, no auto-delete custom resource) follow the props', () => {
    const resources = resourcesOf(fullStack);
    const policy = policyOf(fullStack, full);
    const trailId = idOf(fullStack, localSource);
    expect(resources).toEqual({
      [fullId]: {
        Type: 'AWS::S3::Bucket',
        Properties: { ...HARDENED_PROPERTIES, BucketName: 'openclaw-test-prod-access-logs', LifecycleConfiguration: lifecycle(90, 7) },
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      },
      [policy.id]: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: { Bucket: { Ref: fullId }, PolicyDocument: { Version: '2012-10-17', Statement: statementsOf(fullStack, full) } },
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      },
      [trailId]: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
    });
  });

  test('break-glass: its role ARN in this account; deletes denied to all but it, and it alone may write besides AWS services', () => {
    expect(fullStack.resolve(full.breakGlassRoleArn)).toEqual(BREAK_GLASS_ARN);
    expect(statementsOf(fullStack, full).slice(0, 4)).toEqual([
      ...tlsStatements(fullId),
      {
        Sid: 'DenyLogDeletionButBreakGlass',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS_ARN] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objectsArn(fullId),
      },
      {
        Sid: 'DenyWritesButS3Logging',
        Action: 's3:PutObject',
        Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' }, StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS_ARN] } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objectsArn(fullId),
      },
    ]);
  });

  test('S3 logging writes under each source prefix, from this account; from that bucket only when the source is in the same stack', () => {
    expect(statementsOf(fullStack, full).slice(4)).toEqual([
      {
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Resource: objectsArn(fullId, 'vpc-flow/'),
      },
      {
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': bucketArn(idOf(fullStack, localSource)) } },
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Resource: objectsArn(fullId, 'cloudtrail/'),
      },
    ]);
    expect(S3_SERVER_ACCESS_LOGGING_PRINCIPAL).toBe('logging.s3.amazonaws.com');
  });

  test('a bucket of the same stack logs here (added after a cross-stack one): the cross-stack logging findings are not acknowledged', () => {
    expect(acksOf(fullStack)).toEqual(ownAcks('Logs/AccessLogs/Resource'));
  });
});

describe('sources only in other stacks', () => {
  test('the logging findings cdk-nag cannot link across stacks are acknowledged, once each, with the reason', () => {
    expect(acksOf(splitStack)).toEqual([...ownAcks('Logs/AccessLogs/Resource'), ...crossStackAcks('Logs/AccessLogs/Resource')]);
  });

  test('each grant carries only the source account (no cross-stack ARN reference), and retainOnDelete true keeps bucket and policy', () => {
    const id = idOf(splitStack, split);
    const grant = (prefix: string) => ({ Action: 's3:PutObject', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } }, Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Resource: objectsArn(id, prefix) });
    expect(statementsOf(splitStack, split).slice(2)).toEqual([
      { Sid: 'DenyWritesButS3Logging', Action: 's3:PutObject', Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: objectsArn(id) },
      grant('cloudtrail/'),
      grant('vpc-flow/'),
    ]);
    const bucket = resourcesOf(splitStack)[id]!;
    const policy = policyOf(splitStack, split);
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy, policy.DeletionPolicy, policy.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain', 'RetainExceptOnCreate', 'Retain']);
  });
});

describe('props are checked', () => {
  test.each<[string, AccessLogBucketProps, string]>([
    ['expireAfterDays 0', { expireAfterDays: 0 }, 'AccessLogBucket L: expireAfterDays must be a whole number of days, at least 1 (got 0)'],
    ['a fractional expireAfterDays', { expireAfterDays: 1.5 }, 'AccessLogBucket L: expireAfterDays must be a whole number of days, at least 1 (got 1.5)'],
    ['noncurrentExpireAfterDays 0', { noncurrentExpireAfterDays: 0 }, 'AccessLogBucket L: noncurrentExpireAfterDays must be a whole number of days, at least 1 (got 0)'],
    ['a fractional noncurrentExpireAfterDays', { noncurrentExpireAfterDays: 2.5 }, 'AccessLogBucket L: noncurrentExpireAfterDays must be a whole number of days, at least 1 (got 2.5)'],
  ])('%s is refused', (_name, props, message) => {
    expect(() => new AccessLogBucket(newStack(), 'L', props)).toThrow(new Error(message));
  });

  test('one day each is accepted', () => {
    const stack = newStack();
    const bucket = new AccessLogBucket(stack, 'L', { expireAfterDays: 1, noncurrentExpireAfterDays: 1 });
    expect(resourcesOf(stack)[idOf(stack, bucket)]!.Properties.LifecycleConfiguration).toEqual(lifecycle(1, 1));
  });

  test('a source without a prefix is refused', () => {
    const stack = newStack();
    const bucket = new AccessLogBucket(stack, 'L');
    expect(() => bucket.allowServerAccessLogsFrom(new s3.Bucket(stack, 'S'), '')).toThrow(new Error('AccessLogBucket Logs/L: give each source bucket its own non-empty prefix'));
  });
});

describe('helpers shared with the audit buckets', () => {
  test('tagBucketRole: the role tag outranks a same-named tag set on the whole app', () => {
    const app = new App();
    const stack = newStack(app);
    const audit = new s3.Bucket(stack, 'Audit');
    tagBucketRole(audit, BUCKET_ROLES.audit);
    const logs = new AccessLogBucket(stack, 'AccessLogs');
    Tags.of(app).add(BUCKET_ROLE_TAG, 'relabelled', { priority: 999 });
    const resources = resourcesOf(stack);
    expect([resources[idOf(stack, audit)]!.Properties.Tags, resources[idOf(stack, logs)]!.Properties.Tags]).toEqual([
      [{ Key: 'openclaw:bucket-role', Value: 'audit' }],
      [{ Key: 'openclaw:bucket-role', Value: 'access-logs' }],
    ]);
    expect(BUCKET_ROLES).toEqual({ accessLogs: 'access-logs', audit: 'audit' });
  });

  test('denyWritesButServices: exempt roles are read at synth, so a role added after the call counts', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'B');
    const exempt: string[] = [];
    const statement = denyWritesButServices(bucket, 'DenyWrites', () => exempt);
    exempt.push('arn:aws:iam::123456789012:role/firehose');
    expect(stack.resolve(statement.toStatementJson())).toEqual({
      Sid: 'DenyWrites',
      Action: 's3:PutObject',
      Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' }, StringNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/firehose'] } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: objectsArn(idOf(stack, bucket)),
    });
  });

  test('acknowledgeSingleRegion: the two replication rules on the bucket resource, with the single-region reason', () => {
    const stack = newStack();
    acknowledgeSingleRegion(new s3.Bucket(stack, 'B'));
    expect(acksOf(stack)).toEqual(REPLICATION_ACKS.map((rule) => ['Logs/B/Resource', rule, SINGLE_REGION_REASON, true, 'blueprint']));
    expect(SINGLE_REGION_REASON).toBe(
      'Single-region audit store by design: each deployment lives in one region, S3 already keeps every object across at least three ' +
        'Availability Zones, and the risk a replica would cover here (deletion or tampering) is covered by versioning, the bucket policy ' +
        'denies and (for audit buckets) Object Lock; a replica would double storage and KMS cost for a small-team deployment.',
    );
  });
});
