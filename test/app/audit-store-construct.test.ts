import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { loadConfig } from '../../lib/config/load';
import type { ResolvedConfig } from '../../lib/config/schema';
import { AuditStore, auditBucketNameForWaf } from '../../lib/audit/audit-store';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The audit store on a bare stack (not the whole app): which config values reach the
// audit bucket and the access-log bucket, its output, the vended-logs grant (bucket and
// key policy) and the WAF bucket name, pinned exactly. The buckets themselves are
// pinned in audit-bucket-construct.test.ts (the access-log bucket in access-log-bucket.test.ts).

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const prod = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW }).config;
const dev = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = Record<string, unknown>;

interface Built {
  readonly stack: Stack;
  readonly store: AuditStore;
  readonly key: Key;
  readonly template: Record<string, unknown> & { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
}

function build(config: ResolvedConfig, bucketName?: string, then: (store: AuditStore) => void = () => undefined): Built {
  const stack = new Stack(new App(), 'Core', { env: { account: ACCOUNT, region: REGION } });
  const key = new Key(stack, 'Key');
  const store = new AuditStore(stack, 'Store', { config, key, bucketName });
  then(store);
  return { stack, store, key, template: Template.fromStack(stack).toJSON() as Built['template'] };
}

const idOf = (b: Built, c: s3.Bucket | Key) => b.stack.getLogicalId(c.node.defaultChild as never);
const resourceOf = (b: Built, c: s3.Bucket | Key) => b.template.Resources[idOf(b, c)]!;
const policyOf = (b: Built, bucket: s3.Bucket) =>
  Object.values(b.template.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && (r.Properties.Bucket as { Ref: string }).Ref === idOf(b, bucket))!;
const statements = (b: Built, bucket: s3.Bucket) => (policyOf(b, bucket).Properties.PolicyDocument as { Statement: Statement[] }).Statement;
const sids = (b: Built, bucket: s3.Bucket) => statements(b, bucket).map((s) => s.Sid);
const keyStatements = (b: Built) => (resourceOf(b, b.key).Properties.KeyPolicy as { Statement: Statement[] }).Statement;
const breakGlass = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/${name}`]] });
const lockOf = (b: Built) => (resourceOf(b, b.store.bucket).Properties.ObjectLockConfiguration as { Rule: unknown }).Rule;
const transitionsOf = (b: Built) =>
  (resourceOf(b, b.store.bucket).Properties.LifecycleConfiguration as { Rules: { Transitions: { TransitionInDays: number }[] }[] }).Rules.map((r) => r.Transitions.map((t) => t.TransitionInDays));

const PROD = build(prod);
// Every value the store reads, changed: the environment (dev: GOVERNANCE), retention days, tiers, break-glass name, data retention.
const CHANGED_CONFIG: ResolvedConfig = {
  ...dev,
  audit: { ...dev.audit, lockRetentionDays: 123, infrequentAccessAfterDays: 45, glacierAfterDays: 80 },
  breakGlass: { ...dev.breakGlass, roleName: 'other-break-glass' },
  dataProtection: { ...dev.dataProtection, retainOnDelete: false },
};
const CHANGED = build(CHANGED_CONFIG, 'aws-waf-logs-openclaw-example-dev-123456789012');

describe('from config', () => {
  test('the config read here: prod locks 400 days, tiers at 30 and 90 days, break-glass openclaw-break-glass, data retained', () => {
    expect([prod.env, prod.audit.lockRetentionDays, prod.audit.infrequentAccessAfterDays, prod.audit.glacierAfterDays, prod.breakGlass.roleName, prod.dataProtection.retainOnDelete]).toEqual([
      'prod',
      400,
      30,
      90,
      'openclaw-break-glass',
      true,
    ]);
  });

  test('prod: the audit bucket locks in COMPLIANCE mode for config.audit.lockRetentionDays', () => {
    expect(lockOf(PROD)).toEqual({ DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } });
  });

  test('dev: GOVERNANCE mode, and the days follow config', () => {
    expect(lockOf(CHANGED)).toEqual({ DefaultRetention: { Mode: 'GOVERNANCE', Days: 123 } });
  });

  test('the storage tiers follow config.audit', () => {
    expect([transitionsOf(PROD), transitionsOf(CHANGED)]).toEqual([[[30, 90]], [[45, 80]]]);
  });

  test('the audit bucket is encrypted with the given key', () => {
    const sse = resourceOf(PROD, PROD.store.bucket).Properties.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: unknown }[] };
    expect(sse.ServerSideEncryptionConfiguration.map((c) => c.ServerSideEncryptionByDefault)).toEqual([{ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [idOf(PROD, PROD.key), 'Arn'] } }]);
  });

  test('both buckets name the break-glass role of config in their denies (the access-log bucket denies deletion to all others)', () => {
    for (const [b, name] of [
      [PROD, 'openclaw-break-glass'],
      [CHANGED, 'other-break-glass'],
    ] as const) {
      expect(b.stack.resolve(b.store.bucket.breakGlassRoleArn)).toEqual(breakGlass(name));
      expect(b.stack.resolve(b.store.accessLogs.breakGlassRoleArn)).toEqual(breakGlass(name));
      expect(statements(b, b.store.accessLogs).find((s) => s.Sid === 'DenyLogDeletionButBreakGlass')!.Condition).toEqual({ StringNotEquals: { 'aws:PrincipalArn': [breakGlass(name)] } });
    }
  });

  test('the audit bucket\'s server access logs go to the store\'s access-log bucket', () => {
    expect(resourceOf(PROD, PROD.store.bucket).Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: idOf(PROD, PROD.store.accessLogs) }, LogFilePrefix: 'CoreStoreBucketD2927BA3/' });
  });

  test('config.dataProtection.retainOnDelete: both buckets and their policies are retained by default, deleted when false', () => {
    const policies = (b: Built) =>
      [b.store.bucket, b.store.accessLogs].flatMap((bucket) => [resourceOf(b, bucket), policyOf(b, bucket)].map((r) => [r.DeletionPolicy, r.UpdateReplacePolicy]));
    expect(policies(PROD)).toEqual(Array(4).fill(['RetainExceptOnCreate', 'Retain']));
    expect(policies(CHANGED)).toEqual(Array(4).fill(['Delete', 'Delete']));
  });

  test('the bucket name: generated by default, the given one otherwise', () => {
    expect(resourceOf(PROD, PROD.store.bucket).Properties.BucketName).toBeUndefined();
    expect(resourceOf(CHANGED, CHANGED.store.bucket).Properties.BucketName).toBe('aws-waf-logs-openclaw-example-dev-123456789012');
    expect(resourceOf(CHANGED, CHANGED.store.accessLogs).Properties.BucketName).toBeUndefined();
  });

  test('the stack holds exactly the key, two buckets and their policies, and outputs the audit bucket name', () => {
    expect(Object.values(PROD.template.Resources).map((r) => r.Type).sort()).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::S3::BucketPolicy']);
    expect(PROD.template.Outputs).toEqual({
      StoreAuditBucketNameA86BA25E: { Description: 'The object-locked audit bucket of this region (docs/runbooks.md).', Value: { Ref: idOf(PROD, PROD.store.bucket) } },
    });
  });
});

describe('allowVendedLogs', () => {
  const LOGS_SOURCES = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:${REGION}:${ACCOUNT}:*`]] };
  const VENDED = build(prod, undefined, (store) => {
    store.allowVendedLogs('vpc-flow-logs/');
    store.allowVendedLogs('waf/');
  });
  const bucketArn = { 'Fn::GetAtt': [idOf(VENDED, VENDED.store.bucket), 'Arn'] };
  const condition = (acl: boolean) => ({
    StringEquals: { 'aws:SourceAccount': ACCOUNT, ...(acl ? { 's3:x-amz-acl': 'bucket-owner-full-control' } : {}) },
    ArnLike: { 'aws:SourceArn': LOGS_SOURCES },
  });

  test('each prefix: delivery.logs.amazonaws.com of this account and region checks the bucket and writes under the prefix', () => {
    expect(statements(VENDED, VENDED.store.bucket).filter((s) => s.Effect === 'Allow')).toEqual([
      { Sid: 'AllowLogDeliveryDeliveryLogsBucketCheck', Action: ['s3:GetBucketAcl', 's3:ListBucket'], Condition: condition(false), Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Resource: bucketArn },
      { Sid: 'AllowLogDeliveryDeliveryLogsWrite', Action: 's3:PutObject', Condition: condition(true), Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Resource: { 'Fn::Join': ['', [bucketArn, '/vpc-flow-logs/*']] } },
      { Sid: 'AllowLogDeliveryDeliveryLogs2BucketCheck', Action: ['s3:GetBucketAcl', 's3:ListBucket'], Condition: condition(false), Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Resource: bucketArn },
      { Sid: 'AllowLogDeliveryDeliveryLogs2Write', Action: 's3:PutObject', Condition: condition(true), Effect: 'Allow', Principal: { Service: 'delivery.logs.amazonaws.com' }, Resource: { 'Fn::Join': ['', [bucketArn, '/waf/*']] } },
    ]);
  });

  test('the key lets the same deliveries encrypt, in one statement however many prefixes', () => {
    expect(keyStatements(VENDED).slice(1)).toEqual([
      {
        Sid: 'AllowLogDeliveryOfThisAccountToEncryptAuditObjects',
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': LOGS_SOURCES } },
        Effect: 'Allow',
        Principal: { Service: 'delivery.logs.amazonaws.com' },
        Resource: '*',
      },
    ]);
  });

  test('without vended logs: no grant on the bucket or the key', () => {
    expect(statements(PROD, PROD.store.bucket).filter((s) => s.Effect === 'Allow')).toEqual([]);
    expect(keyStatements(PROD).map((s) => s.Sid)).toEqual([undefined]);
    expect(sids(PROD, PROD.store.bucket)).toEqual([undefined, undefined, 'DenyObjectTamperingButBreakGlass', 'DenyReconfigurationButBreakGlassAndCloudFormation', 'DenyWritesButLogDelivery']);
  });
});

describe('auditBucketNameForWaf', () => {
  test('aws-waf-logs-<deployment>-<account> when it fits in 63 characters', () => {
    expect(auditBucketNameForWaf('openclaw-example-prod', ACCOUNT)).toBe('aws-waf-logs-openclaw-example-prod-123456789012');
    const exactly63 = `${'d'.repeat(63 - 'aws-waf-logs--123456789012'.length)}`;
    expect(auditBucketNameForWaf(exactly63, ACCOUNT)).toBe(`aws-waf-logs-${exactly63}-123456789012`);
    expect(auditBucketNameForWaf(exactly63, ACCOUNT)).toHaveLength(63);
  });

  test('longer: cut to 54 characters plus - and the first 8 hex digits of its SHA-256, 63 in all', () => {
    const long = `openclaw-${'x'.repeat(40)}-prod`;
    const name = auditBucketNameForWaf(long, ACCOUNT);
    expect(name).toBe('aws-waf-logs-openclaw-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-f5df9580');
    expect(name).toHaveLength(63);
    // One character more at the end changes the hash, not the cut prefix. (Hashes computed independently with Python's hashlib.)
    expect(auditBucketNameForWaf(`${long}x`, ACCOUNT)).not.toBe(name);
    // 64 characters: the shortest name that is cut.
    expect(auditBucketNameForWaf('d'.repeat(38), ACCOUNT)).toBe(`aws-waf-logs-${'d'.repeat(38)}-12-7834868a`);
  });
});
