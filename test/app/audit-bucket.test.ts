import { NAG_PACKS } from '../support/nag-packs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { GATE_CONTEXT, projectContext } from '../../lib/app';
import type { ControlResult } from '../../lib/compliance/evaluate';
import { loadConfig } from '../../lib/config/load';
import { AccessLogBucket } from '../../lib/audit/access-log-bucket';
import { AuditBucket, type AuditBucketProps } from '../../lib/audit/audit-bucket';
import { AUDIT_BUCKET_CONFIG_ACTIONS, AUDIT_OBJECT_TAMPER_ACTIONS } from '../../lib/audit/audit-bucket-policy';
import { DeploymentKey } from '../../lib/keys/deployment-key';
import { AckLedger, collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { evaluateGate } from '../../lib/gate/evaluate';
import type { GateFinding } from '../../lib/gate/finding';
import { installGatePlugins } from '../../lib/gate/plugins';
import { attOf, contextFor, resolveIntrinsics, type CfnTemplate } from '../support/iam-intrinsics';
import { callOf, overOldTls, overPlainHttp, roleActor, S3_DELIVERY, serviceActor, type Actor, type Delivery } from '../support/request-context';
import { simulate } from '../support/simulator';
import { ADMINISTRATOR_ACCESS, type PolicyDocument } from '../support/template-policies';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// A small stack of the log store (not the whole app): the deployment key, the
// access-log bucket and two audit buckets, run through the same gate as every
// synth (rule packs, Control Tower guard rules, CloudFormation validation, the
// control catalogue, stale acknowledgements).

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const BREAK_GLASS_NAME = 'openclaw-break-glass';
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/${BREAK_GLASS_NAME}`;
const CFN_EXEC = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
// A literal partition: @aws-cdk/core:enablePartitionLiterals (cdk.json), the stacks' region is known.
const BREAK_GLASS_TOKEN = `arn:aws:iam::${ACCOUNT}:role/${BREAK_GLASS_NAME}`;
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/openclaw-test`;
const FIREHOSE_ROLE = `arn:aws:iam::${ACCOUNT}:role/openclaw-test-firehose`;

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly findings: readonly GateFinding[];
  readonly controls: readonly ControlResult[];
}

type Parts = { key: DeploymentKey; accessLogs: AccessLogBucket };

/** Builds one stage with a stack `Logs` through `define`, synthesizes it with the gate and evaluates it. */
function buildWithGate(define: (stack: Stack, parts: Parts) => void): Built {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-audit-bucket-'));
  const app = new App({ outdir, context: { ...projectContext(), ...GATE_CONTEXT } });
  const stage = new Stage(app, 'logstore', { env: { account: ACCOUNT, region: REGION } });
  const stack = new Stack(stage, 'Logs');
  const key = new DeploymentKey(stack, 'Key', { aliasName: 'openclaw/test/prod' });
  const accessLogs = new AccessLogBucket(stack, 'AccessLogs', { breakGlassRoleName: BREAK_GLASS_NAME });
  define(stack, { key, accessLogs });
  const ledger = new AckLedger();
  installGatePlugins(app, ledger);
  app.synth();
  const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW });
  const [result] = evaluateGate({ app, ledger, deployments: [{ config, stage }] });
  return { stack, template: Template.fromStack(stack), findings: result!.findings, controls: result!.controls };
}

const auditProps = (parts: Parts): Omit<AuditBucketProps, 'lockMode' | 'lockRetentionDays'> => ({
  key: parts.key,
  accessLogs: parts.accessLogs,
  infrequentAccessAfterDays: 30,
  glacierAfterDays: 90,
  breakGlassRoleName: BREAK_GLASS_NAME,
});

let built: Built;
let trail: AuditBucket;
let flow: AuditBucket;
let accessLogs: AccessLogBucket;
const id = (construct: s3.Bucket) => built.stack.getLogicalId(construct.node.defaultChild as s3.CfnBucket);
const resource = (construct: s3.Bucket) => built.template.toJSON().Resources[id(construct)] as { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const policyOf = (construct: s3.Bucket) =>
  Object.values(built.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: id(construct) } } }))[0] as {
    Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } };
    DeletionPolicy?: string;
    UpdateReplacePolicy?: string;
  };
const statement = (construct: s3.Bucket, sid: string) => policyOf(construct).Properties.PolicyDocument.Statement.find((s) => s.Sid === sid);

beforeAll(() => {
  built = buildWithGate((stack, parts) => {
    accessLogs = parts.accessLogs;
    trail = new AuditBucket(stack, 'Trail', { ...auditProps(parts), lockMode: 'COMPLIANCE', lockRetentionDays: 400 });
    flow = new AuditBucket(stack, 'Flow', { ...auditProps(parts), lockMode: 'GOVERNANCE', lockRetentionDays: 30 });
    trail.allowLogDeliveryService({ servicePrincipal: 'cloudtrail.amazonaws.com', prefix: 'cloudtrail/', sourceAccount: ACCOUNT, sourceArn: TRAIL_ARN });
    flow.allowLogDeliveryService({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix: 'vpc-flow/', sourceAccount: ACCOUNT });
    flow.allowRoleWrites(FIREHOSE_ROLE);
  });
});

describe('the gate', () => {
  test('passes: no unacknowledged finding of any pack, no stale acknowledgement, every control holds', () => {
    expect(built.findings).toEqual([]);
  });

  test('the S3 controls of the catalogue are present and hold on every bucket they apply to', () => {
    const s3Controls = Object.fromEntries(built.controls.filter((c) => c.control.id.startsWith('s3-')).map((c) => [c.control.id, [c.status, c.resources.length]]));
    expect(s3Controls).toEqual({
      's3-object-locked': ['holds', 2],
      's3-audit-cmk': ['holds', 2],
      's3-audit-tamper-denied': ['holds', 2],
      's3-access-log-bucket': ['holds', 1],
      's3-private-tls-only': ['holds', 3],
      's3-bucket-retained': ['holds', 3],
    });
  });

  test.each(NAG_PACKS)('%s on its own reports nothing unacknowledged on the stack', (_name, pack) => {
    const result = pack().validateScope(built.stack);
    expect(result.violations).toEqual([]);
  });

  test('acknowledged findings: replication everywhere (single region); on the access-log bucket only, its lock, SSE-S3 and logging', () => {
    const acks = collectAcknowledgements(built.stack).map((a) => `${a.path.replace('logstore/Logs/', '')} ${a.rule}`);
    const replication = (bucket: string) => [`${bucket}/Resource NIST.800.53.R5-S3BucketReplicationEnabled`, `${bucket}/Resource HIPAA.Security-S3BucketReplicationEnabled`];
    expect(acks.sort()).toEqual(
      [
        ...replication('AccessLogs'),
        ...replication('Trail'),
        ...replication('Flow'),
        'AccessLogs/Resource cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        'AccessLogs/Resource NIST.800.53.R5-S3DefaultEncryptionKMS',
        'AccessLogs/Resource HIPAA.Security-S3DefaultEncryptionKMS',
        'AccessLogs/Resource cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
        'AccessLogs/Resource cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      ].sort(),
    );
    for (const a of collectAcknowledgements(built.stack)) expect(a.onSingleResource).toBe(true);
  });
});

describe('Object Lock', () => {
  test('the lock mode and the retention days follow the props of each audit bucket', () => {
    for (const [bucket, mode, days] of [
      [trail, 'COMPLIANCE', 400],
      [flow, 'GOVERNANCE', 30],
    ] as const) {
      expect(resource(bucket).Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: mode, Days: days } } },
      });
      expect(resource(bucket).Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: mode, Days: days } } });
      expect([bucket.lockMode, bucket.lockRetentionDays]).toEqual([mode, days]);
    }
  });

  test('the access-log bucket is the one bucket without Object Lock, and it is labelled as such', () => {
    expect(resource(accessLogs).Properties.ObjectLockEnabled).toBeUndefined();
    expect(resource(accessLogs).Properties.ObjectLockConfiguration).toBeUndefined();
    expect(resource(accessLogs).Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'openclaw:bucket-role', Value: 'access-logs' }]));
    for (const bucket of [trail, flow]) expect(resource(bucket).Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'openclaw:bucket-role', Value: 'audit' }]));
    built.template.resourceCountIs('AWS::S3::Bucket', 3);
  });

  test('nothing can empty a bucket at deploy: no auto-delete custom resource, no notification handler', () => {
    expect(Object.keys(built.template.findResources('Custom::S3AutoDeleteObjects'))).toEqual([]);
    expect(Object.keys(built.template.findResources('Custom::S3BucketNotifications'))).toEqual([]);
    built.template.resourceCountIs('AWS::Lambda::Function', 0);
  });
});

describe('bucket settings', () => {
  test('every bucket is versioned, blocks all public access, has ACLs disabled and sends S3 events to EventBridge', () => {
    built.template.allResourcesProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  test('audit buckets use SSE-KMS with the deployment key and an S3 Bucket Key; the access-log bucket SSE-S3', () => {
    const keyId = built.stack.getLogicalId(trail.encryptionKey!.node.defaultChild as never);
    for (const bucket of [trail, flow]) {
      expect(resource(bucket).Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }],
      });
    }
    expect(resource(accessLogs).Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
  });

  test('audit buckets move objects and noncurrent versions to Standard-IA, then Glacier IR, and never expire them', () => {
    for (const bucket of [trail, flow]) {
      const rules = (resource(bucket).Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
      const tiers = [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
      ];
      expect(rules).toEqual([
        { Id: 'TieredStorageNoExpiry', Status: 'Enabled', Transitions: tiers, NoncurrentVersionTransitions: tiers, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      ]);
      for (const rule of rules) {
        for (const expiry of ['ExpirationInDays', 'ExpirationDate', 'ExpiredObjectDeleteMarker', 'NoncurrentVersionExpiration', 'NoncurrentVersionExpirationInDays']) {
          expect(rule[expiry]).toBeUndefined();
        }
      }
    }
  });

  test('access logs expire after 365 days, their noncurrent versions 30 days later', () => {
    expect((resource(accessLogs).Properties.LifecycleConfiguration as { Rules: unknown[] }).Rules).toEqual([
      { Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
    ]);
  });

  test('buckets and their policies are retained on stack deletion and replacement', () => {
    for (const bucket of [trail, flow, accessLogs]) {
      expect([resource(bucket).DeletionPolicy, resource(bucket).UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
      expect([policyOf(bucket).DeletionPolicy, policyOf(bucket).UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
    }
  });

  test('each audit bucket sends its server access logs to the access-log bucket under its own prefix', () => {
    const prefixes = [trail, flow].map((bucket) => {
      const logging = resource(bucket).Properties.LoggingConfiguration as { DestinationBucketName: unknown; LogFilePrefix: string };
      expect(logging.DestinationBucketName).toEqual({ Ref: id(accessLogs) });
      expect(logging.LogFilePrefix).toBe(bucket.accessLogsPrefix);
      return logging.LogFilePrefix;
    });
    expect(new Set(prefixes).size).toBe(2);
    for (const [bucket, prefix] of [
      [trail, prefixes[0]],
      [flow, prefixes[1]],
    ] as const) {
      built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id(accessLogs) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(accessLogs), 'Arn'] }, `/${prefix}*`]] },
              Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id(bucket), 'Arn'] } } },
            },
          ]),
        },
      });
    }
  });
});

describe('bucket policies, as written', () => {
  test('every bucket refuses requests without TLS, and below TLS 1.2', () => {
    for (const bucket of [trail, flow, accessLogs]) {
      const arn = { 'Fn::GetAtt': [id(bucket), 'Arn'] };
      const both = [arn, { 'Fn::Join': ['', [arn, '/*']] }];
      expect(policyOf(bucket).Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: both, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: both, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
        ]),
      );
    }
  });

  test('object tampering (and deleting the retained bucket) is denied to all but break-glass, CloudFormation included', () => {
    for (const bucket of [trail, flow]) {
      expect(statement(bucket, 'DenyObjectTamperingButBreakGlass')).toEqual({
        Sid: 'DenyObjectTamperingButBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        // Sorted: @aws-cdk/aws-iam:minimizePolicies (cdk.json) sorts each statement's actions.
        Action: [...AUDIT_OBJECT_TAMPER_ACTIONS, 's3:DeleteBucket'].sort(),
        Resource: [{ 'Fn::GetAtt': [id(bucket), 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(bucket), 'Arn'] }, '/*']] }],
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS_TOKEN] } },
      });
    }
    expect(AUDIT_OBJECT_TAMPER_ACTIONS).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:BypassGovernanceRetention']);
  });

  test('reconfiguration is denied to all but break-glass and the CDK CloudFormation execution role', () => {
    for (const bucket of [trail, flow]) {
      expect(statement(bucket, 'DenyReconfigurationButBreakGlassAndCloudFormation')).toEqual({
        Sid: 'DenyReconfigurationButBreakGlassAndCloudFormation',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [...AUDIT_BUCKET_CONFIG_ACTIONS].sort(),
        Resource: { 'Fn::GetAtt': [id(bucket), 'Arn'] },
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS_TOKEN] }, ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC] } },
      });
    }
    expect(AUDIT_BUCKET_CONFIG_ACTIONS).toEqual(
      expect.arrayContaining(['s3:PutBucketObjectLockConfiguration', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']),
    );
  });

  test('writes are denied to every non-service caller but break-glass and the roles named with allowRoleWrites', () => {
    expect(statement(flow, 'DenyWritesButLogDelivery')).toEqual({
      Sid: 'DenyWritesButLogDelivery',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(flow), 'Arn'] }, '/*']] },
      Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' }, StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS_TOKEN, FIREHOSE_ROLE] } },
    });
    expect((statement(trail, 'DenyWritesButLogDelivery')!.Condition as Record<string, unknown>).StringNotEquals).toEqual({ 'aws:PrincipalArn': [BREAK_GLASS_TOKEN] });
  });

  test('allowLogDeliveryService: a bucket check and a write under the prefix, conditioned on the source account (and ARN)', () => {
    const trailArn = { 'Fn::GetAtt': [id(trail), 'Arn'] };
    expect(statement(trail, 'AllowLogDeliveryCloudtrailBucketCheck')).toEqual({
      Sid: 'AllowLogDeliveryCloudtrailBucketCheck',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: trailArn,
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': TRAIL_ARN } },
    });
    expect(statement(trail, 'AllowLogDeliveryCloudtrailWrite')).toEqual({
      Sid: 'AllowLogDeliveryCloudtrailWrite',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [trailArn, '/cloudtrail/*']] },
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: { 'aws:SourceArn': TRAIL_ARN } },
    });
    expect(statement(flow, 'AllowLogDeliveryDeliveryLogsBucketCheck')).toMatchObject({
      Principal: { Service: 'delivery.logs.amazonaws.com' },
      Action: ['s3:GetBucketAcl', 's3:ListBucket'],
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
    expect(statement(flow, 'AllowLogDeliveryDeliveryLogsWrite')).toMatchObject({
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 's3:x-amz-acl': 'bucket-owner-full-control' } },
    });
    // The only Allow statements of an audit bucket's policy are those grants.
    const allows = (bucket: s3.Bucket) => policyOf(bucket).Properties.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow').map((s) => s.Sid);
    expect(allows(trail)).toEqual(['AllowLogDeliveryCloudtrailBucketCheck', 'AllowLogDeliveryCloudtrailWrite']);
    expect(allows(flow)).toEqual(['AllowLogDeliveryDeliveryLogsBucketCheck', 'AllowLogDeliveryDeliveryLogsWrite']);
  });
});

describe('bucket policies, simulated (test/support/simulator.ts)', () => {
  const ctx = () => contextFor(built.template.toJSON() as CfnTemplate, { account: ACCOUNT, region: REGION });
  const arnOfBucket = (bucket: s3.Bucket) => attOf(id(bucket), ctx());
  const policyDoc = (bucket: s3.Bucket) => resolveIntrinsics(policyOf(bucket).Properties.PolicyDocument, ctx()) as PolicyDocument;
  const admin = (arn: string) => roleActor(arn, [ADMINISTRATOR_ACCESS]);
  type Variant = (call: ReturnType<typeof callOf>) => ReturnType<typeof callOf>;
  const callOn = (bucket: s3.Bucket, who: Actor, action: string, key?: string, delivery?: Delivery) =>
    callOf(who, { action, resource: key === undefined ? arnOfBucket(bucket) : `${arnOfBucket(bucket)}/${key}`, resourceAccount: ACCOUNT, region: REGION }, delivery);
  const on = async (bucket: s3.Bucket, who: Actor, action: string, key?: string, delivery?: Delivery, variant: Variant = (c) => c) => {
    const call = variant(callOn(bucket, who, action, key, delivery));
    return simulate(call.request, { ...call.policies, resource: policyDoc(bucket) });
  };
  const ADMIN = admin(`arn:aws:iam::${ACCOUNT}:role/Admin`);
  const BREAK = admin(BREAK_GLASS);
  const CFN = admin(CFN_EXEC);
  const CFN_OTHER_REGION = admin(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-us-east-1`);
  /** A role an account administrator creates with a name of the bootstrap's form, another qualifier. */
  const CFN_LOOKALIKE = admin(`arn:aws:iam::${ACCOUNT}:role/cdk-lookalike-cfn-exec-role-${ACCOUNT}-${REGION}`);
  const OBJECT = 'cloudtrail/AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/21/file.json.gz';
  const cloudtrail = serviceActor('cloudtrail.amazonaws.com');
  const deliveryLogs = serviceActor('delivery.logs.amazonaws.com');

  test.each(AUDIT_OBJECT_TAMPER_ACTIONS.map((a) => [a]))('%s: an administrator and the CloudFormation role are denied; break-glass is allowed', async (action) => {
    for (const bucket of [trail, flow]) {
      expect(await on(bucket, ADMIN, action, OBJECT)).toBe('ExplicitDeny');
      expect(await on(bucket, CFN, action, OBJECT)).toBe('ExplicitDeny');
      expect(await on(bucket, BREAK, action, OBJECT)).toBe('Allow');
    }
  });

  test.each(AUDIT_BUCKET_CONFIG_ACTIONS.map((a) => [a]))('%s: an administrator (and a role named like another bootstrap\'s) is denied; break-glass and the stack\'s own CloudFormation role are allowed', async (action) => {
    for (const bucket of [trail, flow]) {
      expect(await on(bucket, ADMIN, action)).toBe('ExplicitDeny');
      expect(await on(bucket, CFN_OTHER_REGION, action)).toBe('ExplicitDeny');
      expect(await on(bucket, CFN_LOOKALIKE, action)).toBe('ExplicitDeny');
      expect(await on(bucket, CFN, action)).toBe('Allow');
      expect(await on(bucket, BREAK, action)).toBe('Allow');
    }
  });

  test('deleting a retained bucket is denied to CloudFormation as well', async () => {
    expect(await on(trail, CFN, 's3:DeleteBucket')).toBe('ExplicitDeny');
    expect(await on(trail, BREAK, 's3:DeleteBucket')).toBe('Allow');
  });

  test('only the granted services, break-glass and the named roles write', async () => {
    expect(await on(trail, cloudtrail, 's3:PutObject', OBJECT, S3_DELIVERY.cloudTrail(TRAIL_ARN))).toBe('Allow');
    expect(await on(trail, cloudtrail, 's3:GetBucketAcl', undefined, S3_DELIVERY.cloudTrailCheck(TRAIL_ARN))).toBe('Allow');
    // Another trail, another account's trail, no ACL header, another prefix: nothing.
    expect(await on(trail, cloudtrail, 's3:PutObject', OBJECT, S3_DELIVERY.cloudTrail(`${TRAIL_ARN}-other`))).toBe('ImplicitDeny');
    expect(await on(trail, cloudtrail, 's3:PutObject', OBJECT, S3_DELIVERY.cloudTrail(TRAIL_ARN.replace(ACCOUNT, '999999999999')))).toBe('ImplicitDeny');
    expect(await on(trail, cloudtrail, 's3:PutObject', OBJECT, S3_DELIVERY.cloudTrail(TRAIL_ARN, false))).toBe('ImplicitDeny');
    expect(await on(trail, cloudtrail, 's3:PutObject', 'vpc-flow/x', S3_DELIVERY.cloudTrail(TRAIL_ARN))).toBe('ImplicitDeny');
    expect(await on(trail, deliveryLogs, 's3:PutObject', 'cloudtrail/x', S3_DELIVERY.vendedLogs(REGION, ACCOUNT))).toBe('ImplicitDeny');
    expect(await on(flow, deliveryLogs, 's3:PutObject', 'vpc-flow/AWSLogs/x.log.gz', S3_DELIVERY.vendedLogs(REGION, ACCOUNT))).toBe('Allow');
    expect(await on(flow, deliveryLogs, 's3:PutObject', 'vpc-flow/AWSLogs/x.log.gz', S3_DELIVERY.vendedLogs(REGION, '999999999999'))).toBe('ImplicitDeny');
    expect(await on(flow, deliveryLogs, 's3:ListBucket', undefined, S3_DELIVERY.vendedLogs(REGION, ACCOUNT, false))).toBe('Allow');
    // People: an administrator cannot plant a log file; break-glass and the Firehose role (its own grant) can.
    expect(await on(trail, ADMIN, 's3:PutObject', OBJECT)).toBe('ExplicitDeny');
    expect(await on(flow, admin(FIREHOSE_ROLE), 's3:PutObject', 'firehose/x')).toBe('Allow');
    expect(await on(trail, admin(FIREHOSE_ROLE), 's3:PutObject', 'firehose/x')).toBe('ExplicitDeny');
    expect(await on(trail, BREAK, 's3:PutObject', OBJECT)).toBe('Allow');
  });

  test('without TLS, or below TLS 1.2, even break-glass is refused', async () => {
    expect(await on(trail, BREAK, 's3:GetObject', OBJECT, undefined, overPlainHttp)).toBe('ExplicitDeny');
    expect(await on(trail, BREAK, 's3:GetObject', OBJECT, undefined, (c) => overOldTls(c, '1.1'))).toBe('ExplicitDeny');
    expect(await on(trail, ADMIN, 's3:GetObject', OBJECT)).toBe('Allow');
  });

  test('the access-log bucket: only S3 logging writes, per source bucket and prefix; only break-glass deletes', async () => {
    const logging = serviceActor('logging.s3.amazonaws.com');
    const fromTrail = S3_DELIVERY.serverAccessLogs(arnOfBucket(trail), ACCOUNT);
    expect(await on(accessLogs, logging, 's3:PutObject', `${trail.accessLogsPrefix}2026-11-21-12-00-00-ABCDEF`, fromTrail)).toBe('Allow');
    expect(await on(accessLogs, logging, 's3:PutObject', `${flow.accessLogsPrefix}2026-11-21-12-00-00-ABCDEF`, fromTrail)).toBe('ImplicitDeny');
    expect(await on(accessLogs, logging, 's3:PutObject', `${trail.accessLogsPrefix}x`, S3_DELIVERY.serverAccessLogs(arnOfBucket(trail), '999999999999'))).toBe('ImplicitDeny');
    expect(await on(accessLogs, ADMIN, 's3:PutObject', `${trail.accessLogsPrefix}x`)).toBe('ExplicitDeny');
    expect(await on(accessLogs, ADMIN, 's3:DeleteObjectVersion', `${trail.accessLogsPrefix}x`)).toBe('ExplicitDeny');
    expect(await on(accessLogs, BREAK, 's3:DeleteObjectVersion', `${trail.accessLogsPrefix}x`)).toBe('Allow');
  });
});

describe('weakened buckets', () => {
  test('without the retention, or without Object Lock, the gate fails (guard rule and catalogue control)', () => {
    const weak = buildWithGate((stack, parts) => {
      const noRetention = new AuditBucket(stack, 'NoRetention', { ...auditProps(parts), lockMode: 'COMPLIANCE', lockRetentionDays: 400 });
      (noRetention.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('ObjectLockConfiguration.Rule');
      const noLock = new AuditBucket(stack, 'NoLock', { ...auditProps(parts), lockMode: 'GOVERNANCE', lockRetentionDays: 30 });
      (noLock.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('ObjectLockEnabled');
      (noLock.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('ObjectLockConfiguration');
    });
    const at = (f: GateFinding) => `${f.rule} ${f.resource.replace(/^logstore(\/|-)Logs\//, '').replace(/[0-9A-F]{8}$/, '')}`;
    expect(weak.findings.map(at).sort()).toEqual(['s3-object-locked NoLock', 's3-object-locked NoRetention', 's3_bucket_object_lock_enabled_check NoLock/Resource'].sort());
  });

  test('retainOnDelete false: bucket and policy are destroyed with the stack, and CloudFormation (only) may then delete the emptied bucket', () => {
    const destroyable = buildWithGate((stack, parts) => {
      new AuditBucket(stack, 'Demo', { ...auditProps(parts), lockMode: 'GOVERNANCE', lockRetentionDays: 1, retainOnDelete: false });
    });
    const demo = destroyable.template.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } });
    const [demoId] = Object.keys(demo);
    expect(demo[demoId!]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    const policy = Object.values(destroyable.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: demoId } } }))[0] as {
      DeletionPolicy: string;
      Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string[] }[] } };
    };
    expect(policy.DeletionPolicy).toBe('Delete');
    const actions = (sid: string) => policy.Properties.PolicyDocument.Statement.find((s) => s.Sid === sid)!.Action;
    expect(actions('DenyObjectTamperingButBreakGlass')).not.toContain('s3:DeleteBucket');
    // Without s3:DeleteBucket the object deny names only the objects: no object action applies to the bucket's ARN.
    const tampering = policy.Properties.PolicyDocument.Statement.find((s) => s.Sid === 'DenyObjectTamperingButBreakGlass') as unknown as { Resource: unknown };
    expect(tampering.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [demoId, 'Arn'] }, '/*']] });
    expect(actions('DenyReconfigurationButBreakGlassAndCloudFormation')).toContain('s3:DeleteBucket');
    // The example/prod config has no data-retention exception, so the gate refuses exactly that.
    expect(destroyable.findings.map((f) => f.rule)).toEqual(['s3-bucket-retained']);
  });
});

describe('props are checked', () => {
  const stackWithParts = () => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: REGION } });
    return { stack, parts: { key: new DeploymentKey(stack, 'K', { aliasName: 'a/b' }), accessLogs: new AccessLogBucket(stack, 'L') } };
  };

  test.each<[string, Partial<AuditBucketProps>, RegExp]>([
    ['no retention', { lockRetentionDays: 0 }, /lockRetentionDays must be a whole number of days from 1 to 36500/],
    ['a fractional retention', { lockRetentionDays: 1.5 }, /lockRetentionDays/],
    ['Standard-IA before 30 days', { infrequentAccessAfterDays: 29 }, /infrequentAccessAfterDays must be a whole number, at least 30/],
    ['Glacier less than 30 days after Standard-IA', { infrequentAccessAfterDays: 60, glacierAfterDays: 89 }, /glacierAfterDays \(89\) must be at least infrequentAccessAfterDays \+ 30 \(90\)/],
  ])('%s is refused', (_name, override, message) => {
    const { stack, parts } = stackWithParts();
    expect(() => new AuditBucket(stack, 'A', { ...auditProps(parts), lockMode: 'COMPLIANCE', lockRetentionDays: 10, ...override })).toThrow(message);
  });

  test('a log-delivery grant needs a real prefix', () => {
    const { stack, parts } = stackWithParts();
    const bucket = new AuditBucket(stack, 'A', { ...auditProps(parts), lockMode: 'COMPLIANCE', lockRetentionDays: 10 });
    for (const prefix of ['', '*', '/logs/']) {
      expect(() => bucket.allowLogDeliveryService({ servicePrincipal: 'cloudtrail.amazonaws.com', prefix, sourceAccount: ACCOUNT })).toThrow(/needs a non-empty prefix/);
    }
    expect(() => parts.accessLogs.allowServerAccessLogsFrom(bucket, '')).toThrow(/non-empty prefix/);
  });

  test('a second grant to one service gets its own statement IDs', () => {
    const { stack, parts } = stackWithParts();
    const bucket = new AuditBucket(stack, 'A', { ...auditProps(parts), lockMode: 'COMPLIANCE', lockRetentionDays: 10 });
    bucket.allowLogDeliveryService({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix: 'waf/', sourceAccount: ACCOUNT });
    bucket.allowLogDeliveryService({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix: 'cloudfront/', sourceAccount: ACCOUNT, requireBucketOwnerFullControl: false, bucketReadActions: [] });
    const statements = Template.fromStack(stack).findResources('AWS::S3::BucketPolicy');
    const sids = Object.values(statements).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }).Properties.PolicyDocument.Statement.map((s) => s.Sid));
    expect(sids).toEqual(expect.arrayContaining(['AllowLogDeliveryDeliveryLogsBucketCheck', 'AllowLogDeliveryDeliveryLogsWrite', 'AllowLogDeliveryDeliveryLogs2Write']));
    expect(sids).not.toContain('AllowLogDeliveryDeliveryLogs2BucketCheck');
  });
});

describe('across stacks (key in a core stack, access logs in another)', () => {
  test('the gate passes, with the cross-stack logging findings acknowledged where the guard and cdk-nag cannot see the link', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-audit-bucket-'));
    const app = new App({ outdir, context: { ...projectContext(), ...GATE_CONTEXT } });
    const stage = new Stage(app, 'split', { env: { account: ACCOUNT, region: REGION } });
    const key = new DeploymentKey(new Stack(stage, 'Core'), 'Key', { aliasName: 'openclaw/test/prod' });
    const logs = new AccessLogBucket(new Stack(stage, 'AccessLogs'), 'AccessLogs');
    new AuditBucket(new Stack(stage, 'Audit'), 'Trail', { key, accessLogs: logs, infrequentAccessAfterDays: 30, glacierAfterDays: 90, breakGlassRoleName: BREAK_GLASS_NAME, lockMode: 'COMPLIANCE', lockRetentionDays: 400 });
    const ledger = new AckLedger();
    installGatePlugins(app, ledger);
    app.synth();
    const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW });
    const [result] = evaluateGate({ app, ledger, deployments: [{ config, stage }] });
    expect(result!.findings).toEqual([]);
    const rules = collectAcknowledgements(app).map((a) => `${a.path} ${a.rule}`);
    expect(rules).toEqual(expect.arrayContaining(['split/Audit/Trail/Resource cdk-validator-cfnguard::s3_bucket_logging_enabled_check', 'split/AccessLogs/AccessLogs/Resource AwsSolutions-S1']));
  });
});
