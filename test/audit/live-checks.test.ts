import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lib/config/load';
import type { TemplateResource } from '../../lib/compliance/control';
import { AUDIT_LIVE_CHECKS, auditBucketEncryption, auditBucketPolicy, auditObjectLock, bucketPublicAccessBlock, cloudTrailDelivering, hostLogsShipped } from '../../lib/audit/live-checks';
import { auditLiveSettings, type AuditLiveSettings } from '../../lib/audit/live-settings';
import { auditWriteProbe } from '../../lib/audit/live-write-probe';
import type { DeployedStack } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';
import { CONFIG_DIR, NOW } from '../support/config-fixture';
import { answerStackResources } from '../support/stack-resources';

// The audit live checks (lib/audit/live-checks.ts, live-write-probe.ts, live-buckets.ts) on one
// hand-made core stack, answer by answer: S3 and CloudTrail answer as their APIs do (S3's errors
// by name: ObjectLockConfigurationNotFoundError, NoSuchBucketPolicy,
// NoSuchPublicAccessBlockConfiguration, AccessDenied), and physical IDs come from CloudFormation's
// ListStackResources. The synthesized example/prod runs in test/verify/audit-live-checks.test.ts.

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const STACK = 'oc-acme-prod-core';
const AUDIT = 'oc-acme-prod-audit-111122223333';
const ACCESS_LOGS = 'oc-acme-prod-access-logs-111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
const TRAIL = 'oc-acme-prod-trail';

const PROD: AuditLiveSettings = {
  lockMode: 'COMPLIANCE',
  lockRetentionDays: 400,
  auditBucketTag: { key: 'openclaw:bucket-role', value: 'audit' },
  logArchivePrefix: 'cloudwatch-logs/',
  hostLogShippingSeconds: 65,
};

const tag = (value: string) => [{ Key: 'openclaw:bucket-role', Value: value }];
const POLICY_DOC = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['AuditBucket', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['AuditBucket', 'Arn'] }, '/*']] }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};
/** The policy S3 returns for POLICY_DOC: intrinsics resolved. */
const LIVE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${AUDIT}`, `arn:aws:s3:::${AUDIT}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

const RESOURCES: Record<string, TemplateResource> = {
  Key: { Type: 'AWS::KMS::Key', Properties: {} },
  AuditBucket: {
    Type: 'AWS::S3::Bucket',
    Properties: {
      Tags: [{ Key: 'other', Value: 'x' }, ...tag('audit')],
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }] },
    },
  },
  AuditBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'AuditBucket' }, PolicyDocument: POLICY_DOC } },
  AccessLogs: { Type: 'AWS::S3::Bucket', Properties: { Tags: tag('access-logs') } },
  AccessLogsPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'AccessLogs' }, PolicyDocument: { Version: '2012-10-17', Statement: [] } } },
  Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { IsLogging: true } },
  Archive: {
    Type: 'AWS::KinesisFirehose::DeliveryStream',
    Properties: { ExtendedS3DestinationConfiguration: { BucketARN: { 'Fn::GetAtt': ['AuditBucket', 'Arn'] }, BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 } } },
  },
};
const PHYSICAL: Record<string, string> = { Key: KEY_ID, AuditBucket: AUDIT, AccessLogs: ACCESS_LOGS, Trail: TRAIL, Archive: 'oc-acme-prod-log-archive' };

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const trail = mockClient(CloudTrailClient);
afterAll(() => {
  cfn.restore();
  s3.restore();
  trail.restore();
});

/** An S3 error as the SDK throws it: its name is S3's error code. */
const s3Error = (name: string, message = name) => new S3ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: name === 'AccessDenied' ? 403 : 404 } });

interface Setup {
  readonly resources?: Record<string, TemplateResource>;
  readonly region?: string;
  readonly settings?: Partial<AuditLiveSettings>;
  readonly now?: Date;
}

/** A context on one core stack; the S3 and CloudTrail mocks are reset for the test to program. */
function context(s: Setup = {}): VerifyContext {
  cfn.reset();
  s3.reset();
  trail.reset();
  const resources = s.resources ?? RESOURCES;
  const stack: DeployedStack = { stackName: STACK, role: 'core', region: s.region ?? REGION, template: { Resources: resources } };
  answerStackResources(cfn, stack, (id) => PHYSICAL[id]);
  const settings = { audit: { ...PROD, ...s.settings } } as unknown as VerifySettings;
  return new VerifyContext({ name: 'oc-acme-prod', account: ACCOUNT, region: REGION, stacks: [stack], settings, options: { writeProbes: true, now: s.now ?? NOW } });
}

const only = async (check: { run: (c: VerifyContext) => Promise<readonly unknown[]> }, c: VerifyContext) => {
  const out = await check.run(c);
  expect(out).toHaveLength(1);
  return out[0];
};

describe('auditLiveSettings', () => {
  const of = (env: string) => auditLiveSettings(loadConfig({ configDir: CONFIG_DIR, client: 'example', env, now: NOW }).config);
  it("prod: COMPLIANCE for 400 days; the audit tag, the archive prefix and the host's export interval plus the agent's flush", () => {
    expect(of('prod')).toEqual(PROD);
  });
  it('dev: GOVERNANCE for 30 days, the rest the same', () => {
    expect(of('dev')).toEqual({ ...PROD, lockMode: 'GOVERNANCE', lockRetentionDays: 30 });
  });
});

describe('audit.object-lock', () => {
  const lock = (c: object) => s3.on(GetObjectLockConfigurationCommand, { Bucket: AUDIT }).resolves({ ObjectLockConfiguration: c });

  it("only the buckets tagged as audit buckets are looked at, each named by its live name", async () => {
    const c = context();
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
    expect(await auditObjectLock.run(c)).toEqual([{ check: 'audit.object-lock', control: 's3-object-locked', status: 'pass', resource: AUDIT, evidence: 'Object Lock COMPLIANCE 400 days' }]);
    // A bucket tagged with another role or another key, or with no tags, is not an audit bucket.
    const resources = {
      A: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'openclaw:bucket-role', Value: 'access-logs' }] } },
      B: { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'role', Value: 'audit' }] } },
      C: { Type: 'AWS::S3::Bucket' },
    } as Record<string, TemplateResource>;
    expect(await auditObjectLock.run(context({ resources }))).toEqual([]);
  });

  it('a retention in Years counts 365 days a year', async () => {
    const c = context({ settings: { lockRetentionDays: 730 } });
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 2 } } });
    expect(await only(auditObjectLock, c)).toMatchObject({ status: 'pass', evidence: 'Object Lock COMPLIANCE 730 days' });
    const c2 = context();
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } } });
    expect(await only(auditObjectLock, c2)).toMatchObject({ status: 'fail', evidence: 'Object Lock COMPLIANCE 365 days; expected Object Lock COMPLIANCE 400 days' });
  });

  it('the right mode with other days, and the right days in another mode, both fail', async () => {
    const c = context();
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 399 } } });
    expect(await only(auditObjectLock, c)).toMatchObject({ status: 'fail', evidence: 'Object Lock COMPLIANCE 399 days; expected Object Lock COMPLIANCE 400 days' });
    const c2 = context();
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 400 } } });
    expect(await only(auditObjectLock, c2)).toMatchObject({ status: 'fail', evidence: 'Object Lock GOVERNANCE 400 days; expected Object Lock COMPLIANCE 400 days' });
  });

  it('a configuration that does not say Enabled is not a lock, whatever its rule; one without a rule has no default retention', async () => {
    const c = context();
    lock({ Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
    expect(await only(auditObjectLock, c)).toMatchObject({ status: 'fail', evidence: 'Object Lock not enabled; expected Object Lock COMPLIANCE 400 days' });
    const c2 = context();
    lock({ ObjectLockEnabled: 'Enabled' });
    expect(await only(auditObjectLock, c2)).toMatchObject({ status: 'fail', evidence: 'Object Lock enabled without a default retention; expected Object Lock COMPLIANCE 400 days' });
    const c3 = context();
    s3.on(GetObjectLockConfigurationCommand).resolves({});
    expect(await only(auditObjectLock, c3)).toMatchObject({ status: 'fail', evidence: 'Object Lock not enabled; expected Object Lock COMPLIANCE 400 days' });
  });

  it('ObjectLockConfigurationNotFoundError is a failed check; AccessDenied is an error of the run', async () => {
    const c = context();
    s3.on(GetObjectLockConfigurationCommand).rejects(s3Error('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket'));
    expect(await only(auditObjectLock, c)).toEqual({
      check: 'audit.object-lock',
      control: 's3-object-locked',
      status: 'fail',
      resource: AUDIT,
      evidence: 'no Object Lock configuration; expected Object Lock COMPLIANCE 400 days',
    });
    const c2 = context();
    s3.on(GetObjectLockConfigurationCommand).rejects(s3Error('AccessDenied', 'Access Denied'));
    await expect(auditObjectLock.run(c2)).rejects.toThrow('Access Denied');
  });

  it("an error without a name is known by its Code (the SDK's older shape); one with neither is thrown", async () => {
    const c = context();
    s3.on(GetObjectLockConfigurationCommand).rejects(Object.assign(new Error('not found'), { name: undefined, Code: 'ObjectLockConfigurationNotFoundError' }));
    expect(await only(auditObjectLock, c)).toMatchObject({ status: 'fail', evidence: 'no Object Lock configuration; expected Object Lock COMPLIANCE 400 days' });
    const c2 = context();
    s3.on(GetObjectLockConfigurationCommand).rejects(Object.assign(new Error('socket hang up'), { name: undefined }));
    await expect(auditObjectLock.run(c2)).rejects.toThrow('socket hang up');
  });
});

describe('audit.bucket-policy', () => {
  it("passes when S3's policy is the template's with its intrinsics resolved", async () => {
    const c = context();
    s3.on(GetBucketPolicyCommand, { Bucket: AUDIT }).resolves({ Policy: JSON.stringify(LIVE_POLICY) });
    expect(await only(auditBucketPolicy, c)).toEqual({ check: 'audit.bucket-policy', control: 's3-audit-tamper-denied', status: 'pass', resource: AUDIT, evidence: "bucket policy equals the template's" });
  });

  it('a changed statement is named, with the expected policy in words', async () => {
    const c = context();
    const weak = structuredClone(LIVE_POLICY);
    weak.Statement[0]!.Condition.Bool['aws:SecureTransport'] = 'true';
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(weak) });
    expect(await only(auditBucketPolicy, c)).toMatchObject({
      status: 'fail',
      // Compared in IAM's normal form: condition keys lower-cased, values as lists.
      evidence: 'statement DenyInsecureTransport differs in Condition: Condition {"Bool":{"aws:securetransport":["true"]}}; expected the template\'s bucket policy',
    });
  });

  it('several differences are listed, each once, separated by semicolons', async () => {
    const c = context();
    const changed = structuredClone(LIVE_POLICY);
    changed.Statement[0]!.Condition.Bool['aws:SecureTransport'] = 'true';
    const extra = { Sid: 'AllowAll', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${AUDIT}/*` };
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ ...changed, Statement: [...changed.Statement, extra] }) });
    expect((await only(auditBucketPolicy, c)) as { evidence: string }).toMatchObject({
      evidence:
        'statement DenyInsecureTransport differs in Condition: Condition {"Bool":{"aws:securetransport":["true"]}}; ' +
        'extra statement AllowAll: {"Effect":"Allow","Sid":"AllowAll","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::oc-acme-prod-audit-111122223333/*"],"Principal":{"AWS":["*"]}}; ' +
        "expected the template's bucket policy",
    });
  });

  it('an answer without a policy reads as an empty one: every statement missing', async () => {
    const c = context();
    s3.on(GetBucketPolicyCommand).resolves({});
    expect(await only(auditBucketPolicy, c)).toMatchObject({ status: 'fail', evidence: "statement DenyInsecureTransport missing; expected the template's bucket policy" });
  });

  it("NoSuchBucketPolicy fails naming the template's denies; another error is thrown", async () => {
    const c = context();
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist'));
    expect(await only(auditBucketPolicy, c)).toMatchObject({ status: 'fail', resource: AUDIT, evidence: "NoSuchBucketPolicy: the bucket has no policy; expected the template's denies" });
    const c2 = context();
    s3.on(GetBucketPolicyCommand).rejects(s3Error('AccessDenied', 'Access Denied'));
    await expect(auditBucketPolicy.run(c2)).rejects.toThrow('Access Denied');
  });

  it("the policy is found by its Bucket's Ref among other resources; a policy of another bucket, or with a literal name, is not this bucket's", async () => {
    const resources = {
      ...RESOURCES,
      AuditBucketPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'AccessLogs' }, PolicyDocument: POLICY_DOC } },
      Literal: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: AUDIT, PolicyDocument: POLICY_DOC } },
      NoProps: { Type: 'AWS::S3::BucketPolicy' },
      Topic: { Type: 'AWS::SNS::TopicPolicy', Properties: { Bucket: { Ref: 'AuditBucket' } } },
    } as Record<string, TemplateResource>;
    expect(await only(auditBucketPolicy, context({ resources }))).toMatchObject({ status: 'fail', resource: AUDIT, evidence: 'the template has no bucket policy for this audit bucket' });
    expect(s3.commandCalls(GetBucketPolicyCommand)).toHaveLength(0);
  });
});

describe('audit.public-access-block', () => {
  const ALL = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

  it('every bucket, audit or not, with all four settings on passes', async () => {
    const c = context();
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL });
    expect(await bucketPublicAccessBlock.run(c)).toEqual(
      [AUDIT, ACCESS_LOGS].map((b) => ({ check: 'audit.public-access-block', control: 's3-private-tls-only', status: 'pass', resource: b, evidence: 'all four Block Public Access settings on' })),
    );
  });

  it('settings off (false or absent) are named in order', async () => {
    const c = context();
    s3.on(GetPublicAccessBlockCommand, { Bucket: AUDIT }).resolves({ PublicAccessBlockConfiguration: { ...ALL, BlockPublicAcls: false, RestrictPublicBuckets: undefined } });
    s3.on(GetPublicAccessBlockCommand, { Bucket: ACCESS_LOGS }).resolves({});
    expect((await bucketPublicAccessBlock.run(c)).map((r) => [r.resource, r.status, r.evidence])).toEqual([
      [AUDIT, 'fail', 'BlockPublicAcls, RestrictPublicBuckets off; expected all four on'],
      [ACCESS_LOGS, 'fail', 'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off; expected all four on'],
    ]);
  });

  it('NoSuchPublicAccessBlockConfiguration fails; another error is thrown', async () => {
    const c = context();
    s3.on(GetPublicAccessBlockCommand, { Bucket: AUDIT }).resolves({ PublicAccessBlockConfiguration: ALL });
    s3.on(GetPublicAccessBlockCommand, { Bucket: ACCESS_LOGS }).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found'));
    expect((await bucketPublicAccessBlock.run(c))[1]).toEqual({
      check: 'audit.public-access-block',
      control: 's3-private-tls-only',
      status: 'fail',
      resource: ACCESS_LOGS,
      evidence: 'no public access block; expected all four settings on',
    });
    const c2 = context();
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('AccessDenied', 'Access Denied'));
    await expect(bucketPublicAccessBlock.run(c2)).rejects.toThrow('Access Denied');
  });
});

describe('audit.bucket-encryption', () => {
  const enc = (byDefault: object | undefined) =>
    s3.on(GetBucketEncryptionCommand, { Bucket: AUDIT }).resolves({ ServerSideEncryptionConfiguration: { Rules: byDefault ? [{ ApplyServerSideEncryptionByDefault: byDefault as never, BucketKeyEnabled: true }] : [] } });

  it("SSE-KMS with the template's key passes, whether S3 reports the key's ARN or its ID", async () => {
    const c = context();
    enc({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN });
    expect(await only(auditBucketEncryption, c)).toEqual({ check: 'audit.bucket-encryption', control: 's3-audit-cmk', status: 'pass', resource: AUDIT, evidence: `aws:kms ${KEY_ARN}` });
    const c2 = context();
    enc({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ID });
    expect(await only(auditBucketEncryption, c2)).toMatchObject({ status: 'pass', evidence: `aws:kms ${KEY_ID}` });
  });

  it('another key, SSE-S3, DSSE-KMS, the AWS managed key (no key ID) or no default encryption all fail', async () => {
    const cases: [object | undefined, string][] = [
      [{ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: `arn:aws:kms:${REGION}:${ACCOUNT}:key/other` }, `aws:kms arn:aws:kms:${REGION}:${ACCOUNT}:key/other`],
      [{ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'other' }, 'aws:kms other'],
      [{ SSEAlgorithm: 'AES256' }, 'AES256'],
      [{ SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: KEY_ARN }, `aws:kms:dsse ${KEY_ARN}`],
      [{ SSEAlgorithm: 'aws:kms' }, 'aws:kms'],
      [undefined, '(no default encryption)'],
    ];
    for (const [byDefault, seen] of cases) {
      const c = context();
      enc(byDefault);
      expect({ byDefault, r: await only(auditBucketEncryption, c) }).toEqual({
        byDefault,
        r: { check: 'audit.bucket-encryption', control: 's3-audit-cmk', status: 'fail', resource: AUDIT, evidence: `${seen}; expected aws:kms ${KEY_ARN}` },
      });
    }
  });

  it('a key ID that only ends the expected ARN without its `:key/` boundary is another key', async () => {
    const c = context();
    enc({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ID.slice(4) });
    expect(await only(auditBucketEncryption, c)).toMatchObject({ status: 'fail' });
  });

  it('an answer without a configuration, or without rules, or whose rule has no default, reads as no default encryption', async () => {
    const c0 = context();
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: undefined } });
    expect(await only(auditBucketEncryption, c0)).toMatchObject({ status: 'fail', evidence: `(no default encryption); expected aws:kms ${KEY_ARN}` });
    const c = context();
    s3.on(GetBucketEncryptionCommand).resolves({});
    expect(await only(auditBucketEncryption, c)).toMatchObject({ status: 'fail', evidence: `(no default encryption); expected aws:kms ${KEY_ARN}` });
    const c2 = context();
    s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ BucketKeyEnabled: true }] } });
    expect(await only(auditBucketEncryption, c2)).toMatchObject({ status: 'fail', evidence: `(no default encryption); expected aws:kms ${KEY_ARN}` });
  });

  it('a template whose encryption has no rule, or a rule without a default, expects a key it cannot name', async () => {
    for (const BucketEncryption of [{ ServerSideEncryptionConfiguration: [] }, { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true }] }]) {
      const resources = { ...RESOURCES, AuditBucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: tag('audit'), BucketEncryption } } } as Record<string, TemplateResource>;
      const c = context({ resources });
      enc({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN });
      expect(await only(auditBucketEncryption, c)).toMatchObject({ status: 'fail', evidence: `aws:kms ${KEY_ARN}; expected aws:kms undefined` });
    }
  });

  it('a template bucket without encryption expects a key it cannot name, and fails', async () => {
    const resources = { ...RESOURCES, AuditBucket: { Type: 'AWS::S3::Bucket', Properties: { Tags: tag('audit') } } } as Record<string, TemplateResource>;
    const c = context({ resources });
    enc({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN });
    expect(await only(auditBucketEncryption, c)).toMatchObject({ status: 'fail', evidence: `aws:kms ${KEY_ARN}; expected aws:kms undefined` });
  });
});

describe('audit.cloudtrail-delivering', () => {
  const ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
  const status = (s: object, arn = ARN) => trail.on(GetTrailStatusCommand, { Name: arn }).resolves(s);

  it('logging, delivered 10 minutes ago without error: named by the trail ARN it asked about', async () => {
    const c = context();
    status({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 10 * 60_000) });
    expect(await only(cloudTrailDelivering, c)).toEqual({
      check: 'audit.cloudtrail-delivering',
      control: 'cloudtrail-delivering',
      status: 'pass',
      resource: ARN,
      evidence: 'logging; last delivery 2026-11-21T11:50:00.000Z (10 min ago), no error',
    });
  });

  it('a delivery exactly a day old still passes; a millisecond older fails, in hours', async () => {
    const c = context();
    status({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 86_400_000) });
    expect(await only(cloudTrailDelivering, c)).toMatchObject({ status: 'pass', evidence: 'logging; last delivery 2026-11-20T12:00:00.000Z (1440 min ago), no error' });
    const c2 = context();
    status({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 86_400_001) });
    expect(await only(cloudTrailDelivering, c2)).toMatchObject({
      status: 'fail',
      evidence: 'last delivery 24.0 h ago; expected IsLogging true, no LatestDeliveryError, a delivery within a day',
    });
  });

  it('stopped, failing and never delivered are all named, in that order', async () => {
    const c = context();
    status({ IsLogging: false, LatestDeliveryError: 'AccessDenied' });
    expect(await only(cloudTrailDelivering, c)).toMatchObject({
      status: 'fail',
      evidence: 'IsLogging false, LatestDeliveryError AccessDenied, no delivery yet; expected IsLogging true, no LatestDeliveryError, a delivery within a day',
    });
    const c2 = context();
    status({ LatestDeliveryTime: new Date(NOW.getTime() - 60_000) });
    expect(await only(cloudTrailDelivering, c2)).toMatchObject({ status: 'fail', evidence: 'IsLogging false; expected IsLogging true, no LatestDeliveryError, a delivery within a day' });
  });

  it("a trail in another partition is asked for by that partition's ARN", async () => {
    const arn = `arn:aws-us-gov:cloudtrail:us-gov-west-1:${ACCOUNT}:trail/${TRAIL}`;
    const c = context({ region: 'us-gov-west-1' });
    status({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 60_000) }, arn);
    expect(await only(cloudTrailDelivering, c)).toMatchObject({ status: 'pass', resource: arn });
  });
});

describe('audit.host-logs-shipped', () => {
  const RESOURCE = `s3://${AUDIT}/cloudwatch-logs/`;
  const list = (prefix: string, pages: { keys: [string, Date | undefined][] }[]) => {
    pages.forEach((p, i) =>
      s3.on(ListObjectsV2Command, { Bucket: AUDIT, Prefix: prefix, ContinuationToken: i === 0 ? undefined : `token-${i}` }).resolves({
        Contents: p.keys.map(([Key, LastModified]) => ({ Key, LastModified, Size: 100 })),
        IsTruncated: i < pages.length - 1,
        ...(i < pages.length - 1 ? { NextContinuationToken: `token-${i + 1}` } : {}),
        KeyCount: p.keys.length,
      }),
    );
  };
  const ago = (min: number) => new Date(NOW.getTime() - min * 60_000);

  it("today's newest export, across pages, within twice the export interval and the stream's buffer (4 min here); yesterday is not listed", async () => {
    const c = context();
    list('cloudwatch-logs/2026/11/21/', [{ keys: [['a', ago(30)], ['b', undefined]] }, { keys: [['c', ago(3)], ['d', ago(20)]] }]);
    s3.on(ListObjectsV2Command, { Prefix: 'cloudwatch-logs/2026/11/20/' }).rejects(new Error('yesterday listed'));
    expect(await only(hostLogsShipped, c)).toEqual({ check: 'audit.host-logs-shipped', control: 'host-logs-shipped', status: 'pass', resource: RESOURCE, evidence: 'newest export 2026-11-21T11:57:00.000Z (3 min ago)' });
  });

  it('the limit is 2 x (export interval + flush + buffer) seconds: 250 s with a 60 s buffer passes at 250 s and fails past it', async () => {
    const c = context();
    list('cloudwatch-logs/2026/11/21/', [{ keys: [['a', new Date(NOW.getTime() - 250_000)]] }]);
    expect(await only(hostLogsShipped, c)).toMatchObject({ status: 'pass', evidence: 'newest export 2026-11-21T11:55:50.000Z (4 min ago)' });
    const c2 = context();
    list('cloudwatch-logs/2026/11/21/', [{ keys: [['a', new Date(NOW.getTime() - 250_001)]] }]);
    expect(await only(hostLogsShipped, c2)).toMatchObject({
      status: 'fail',
      evidence: 'newest export 2026-11-21T11:55:49.999Z (4 min ago); expected an export within 4 min (twice the export interval and the Firehose buffer)',
    });
  });

  it("a stream without buffering hints has Firehose's 300 s default: 12 min", async () => {
    const resources = {
      ...RESOURCES,
      Archive: { Type: 'AWS::KinesisFirehose::DeliveryStream', Properties: { ExtendedS3DestinationConfiguration: { BucketARN: `arn:aws:s3:::${AUDIT}` } } },
    } as Record<string, TemplateResource>;
    const c = context({ resources });
    list('cloudwatch-logs/2026/11/21/', [{ keys: [['a', ago(13)]] }]);
    expect(await only(hostLogsShipped, c)).toMatchObject({
      status: 'fail',
      resource: RESOURCE,
      evidence: 'newest export 2026-11-21T11:47:00.000Z (13 min ago); expected an export within 12 min (twice the export interval and the Firehose buffer)',
    });
  });

  it("just after midnight, an empty today falls back to yesterday's folder (zero-padded month and day)", async () => {
    const now = new Date('2027-01-01T00:02:00Z');
    const c = context({ now });
    list('cloudwatch-logs/2027/01/01/', [{ keys: [] }]);
    list('cloudwatch-logs/2026/12/31/', [{ keys: [['z', new Date('2026-12-31T23:59:00Z')]] }]);
    expect(await only(hostLogsShipped, c)).toMatchObject({ status: 'pass', evidence: 'newest export 2026-12-31T23:59:00.000Z (3 min ago)' });
  });

  it('a delivery stream without an S3 destination is an error naming it, not a listing of a bucket called undefined', async () => {
    const resources = { ...RESOURCES, Archive: { Type: 'AWS::KinesisFirehose::DeliveryStream', Properties: { HttpEndpointDestinationConfiguration: {} } } } as Record<string, TemplateResource>;
    await expect(hostLogsShipped.run(context({ resources }))).rejects.toThrow('Archive: no ExtendedS3DestinationConfiguration.BucketARN (the host log archive is delivered to S3)');
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('no export today or yesterday (no Contents at all) fails with what is expected', async () => {
    const c = context();
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
    expect(await only(hostLogsShipped, c)).toEqual({
      check: 'audit.host-logs-shipped',
      control: 'host-logs-shipped',
      status: 'fail',
      resource: RESOURCE,
      evidence: 'no export today or yesterday; expected an export within 4 min (twice the export interval and the Firehose buffer)',
    });
    expect(s3.commandCalls(ListObjectsV2Command).map((x) => x.args[0].input.Prefix)).toEqual(['cloudwatch-logs/2026/11/21/', 'cloudwatch-logs/2026/11/20/']);
  });
});

describe('audit.write-probe', () => {
  const RETAIN = new Date('2027-12-26T12:00:00.000Z');
  const put = () => s3.on(PutObjectCommand).resolves({ VersionId: 'v-1', ETag: '"e"', ChecksumSHA256: 'c' });
  const retention = (Mode: string) => s3.on(GetObjectRetentionCommand).resolves({ Retention: { Mode: Mode as never, RetainUntilDate: RETAIN } });
  const locked = () => s3.on(DeleteObjectCommand).rejects(s3Error('AccessDenied', 'Access Denied because object protected by object lock.'));
  const resources = { AuditBucket: RESOURCES.AuditBucket! };

  it('writes a checksummed text probe under verify-probes/, reads its retention, and passes when deleting its version is refused by the lock', async () => {
    const c = context({ resources });
    put();
    retention('COMPLIANCE');
    locked();
    const [r] = await auditWriteProbe.run(c);
    expect(r).toMatchObject({ check: 'audit.write-probe', control: 's3-object-locked', status: 'pass' });
    expect(r!.resource).toMatch(new RegExp(`^s3://${AUDIT}/verify-probes/2026-11-21T12-00-00-000Z-[0-9a-f-]{36}\\.txt$`));
    expect(r!.evidence).toBe(
      'version v-1 COMPLIANCE until 2027-12-26T12:00:00.000Z; DeleteObject refused (AccessDenied: Access Denied because object protected by object lock.); the probe stays until its retention ends',
    );
    const key = r!.resource.slice(`s3://${AUDIT}/`.length);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: AUDIT,
      Key: key,
      Body: 'npm run verify --write-probes of oc-acme-prod at 2026-11-21T12:00:00.000Z\n',
      ContentType: 'text/plain',
      ChecksumAlgorithm: 'SHA256',
    });
    expect(s3.commandCalls(GetObjectRetentionCommand)[0]!.args[0].input).toEqual({ Bucket: AUDIT, Key: key, VersionId: 'v-1' });
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: AUDIT, Key: key, VersionId: 'v-1' });
  });

  it('two probes never share a key', async () => {
    const c = context({ resources });
    put();
    retention('COMPLIANCE');
    locked();
    const [a] = await auditWriteProbe.run(c);
    const [b] = await auditWriteProbe.run(c);
    expect(a!.resource).not.toBe(b!.resource);
  });

  it('a refusal under another mode than the config names is the policy, not the lock: it fails', async () => {
    const c = context({ resources });
    put();
    retention('GOVERNANCE');
    locked();
    expect((await auditWriteProbe.run(c))[0]!.evidence).toBe(
      "version v-1 GOVERNANCE until 2027-12-26T12:00:00.000Z; DeleteObject refused (AccessDenied: Access Denied because object protected by object lock.); expected the version locked COMPLIANCE by the bucket's default retention",
    );
  });

  it('no retention (an answer without one, or an error) with the delete refused fails, naming it', async () => {
    const c = context({ resources });
    put();
    s3.on(GetObjectRetentionCommand).resolves({});
    locked();
    expect((await auditWriteProbe.run(c))[0]).toMatchObject({
      status: 'fail',
      evidence: "version v-1 no retention; DeleteObject refused (AccessDenied: Access Denied because object protected by object lock.); expected the version locked COMPLIANCE by the bucket's default retention",
    });
    const c2 = context({ resources });
    put();
    s3.on(GetObjectRetentionCommand).rejects(s3Error('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration'));
    locked();
    expect((await auditWriteProbe.run(c2))[0]!.evidence).toMatch(/^version v-1 no retention \(NoSuchObjectLockConfiguration\); DeleteObject refused/);
    // An error with neither a name nor a Code is named 'Error'.
    const c3 = context({ resources });
    put();
    s3.on(GetObjectRetentionCommand).rejects(Object.assign(new Error('socket hang up'), { name: undefined }));
    locked();
    expect((await auditWriteProbe.run(c3))[0]!.evidence).toMatch(/^version v-1 no retention \(Error\); DeleteObject refused/);
  });

  it('a delete that succeeds fails the probe; a delete error other than AccessDenied is thrown', async () => {
    const c = context({ resources });
    put();
    retention('COMPLIANCE');
    s3.on(DeleteObjectCommand).resolves({ VersionId: 'v-1' });
    expect((await auditWriteProbe.run(c))[0]).toMatchObject({
      status: 'fail',
      evidence: 'version v-1 COMPLIANCE until 2027-12-26T12:00:00.000Z; DeleteObject of the version succeeded: the probe is gone; expected AccessDenied (Object Lock)',
    });
    const c2 = context({ resources });
    put();
    retention('COMPLIANCE');
    s3.on(DeleteObjectCommand).rejects(s3Error('SlowDown', 'Please reduce your request rate.'));
    await expect(auditWriteProbe.run(c2)).rejects.toThrow('Please reduce your request rate.');
  });

  it('a PutObject refused by the policy says to use break-glass; another refusal does not; an unversioned bucket is named', async () => {
    const c = context({ resources });
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 'Access Denied'));
    expect((await auditWriteProbe.run(c))[0]).toMatchObject({
      status: 'fail',
      evidence:
        'PutObject refused: AccessDenied: Access Denied (the bucket policy lets only log delivery and the break-glass role write: run --write-probes with the break-glass role); expected the probe written',
    });
    const c2 = context({ resources });
    s3.on(PutObjectCommand).rejects(s3Error('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters'));
    expect((await auditWriteProbe.run(c2))[0]!.evidence).toBe(
      'PutObject refused: InvalidRequest: Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters; expected the probe written',
    );
    const c3 = context({ resources });
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    expect((await auditWriteProbe.run(c3))[0]).toMatchObject({
      status: 'fail',
      evidence: 'PutObject returned no VersionId: the bucket is not versioned; expected a versioned, object-locked bucket',
    });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });
});

test("each audit check's id, control, title, concern, schedule, needs and actions, exactly", () => {
  expect(AUDIT_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, needs: c.needs, iam: c.iam }))).toEqual([
    { id: 'audit.object-lock', control: 's3-object-locked', title: "Each audit bucket's Object Lock default retention has the config's mode and days", concern: 'audit', daily: true, needs: undefined, iam: ['s3:GetBucketObjectLockConfiguration'] },
    { id: 'audit.bucket-policy', control: 's3-audit-tamper-denied', title: "Each audit bucket's policy is the template's (tampering and insecure transport denied)", concern: 'audit', daily: true, needs: undefined, iam: ['s3:GetBucketPolicy'] },
    { id: 'audit.public-access-block', control: 's3-private-tls-only', title: 'Every bucket of the deployment blocks all public access (all four settings)', concern: 'audit', daily: true, needs: undefined, iam: ['s3:GetBucketPublicAccessBlock'] },
    { id: 'audit.bucket-encryption', control: 's3-audit-cmk', title: 'Each audit bucket encrypts by default with the deployment key (SSE-KMS)', concern: 'audit', daily: true, needs: undefined, iam: ['s3:GetEncryptionConfiguration'] },
    { id: 'audit.cloudtrail-delivering', control: 'cloudtrail-delivering', title: 'CloudTrail is logging and its last delivery to the audit bucket had no error, within a day', concern: 'audit', daily: true, needs: undefined, iam: ['cloudtrail:GetTrailStatus'] },
    { id: 'audit.host-logs-shipped', control: 'host-logs-shipped', title: 'The newest host log export in the audit archive is recent', concern: 'audit', daily: true, needs: undefined, iam: ['s3:ListBucket'] },
    { id: 'audit.write-probe', control: 's3-object-locked', title: 'A probe object written to each audit bucket is locked: deleting its version is refused', concern: 'audit', daily: false, needs: 'write-probes', iam: ['s3:PutObject', 's3:GetObjectRetention', 's3:DeleteObjectVersion'] },
  ]);
});
