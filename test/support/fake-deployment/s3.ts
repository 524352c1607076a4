/**
 * S3 of the fake deployment: every AWS::S3::Bucket of the templates exists in
 * its stack's region with the template's Object Lock, bucket policy, public
 * access block and default encryption (intrinsics resolved); the log archive
 * bucket of each Firehose delivery stream holds an export written 3 minutes
 * ago, as Firehose names it. Objects written with PutObject get the bucket's
 * default retention, and S3 enforces it on a versioned delete as AWS does: a
 * locked version cannot be deleted before its retain-until date (COMPLIANCE:
 * by nobody; GOVERNANCE: only with x-amz-bypass-governance-retention and
 * s3:BypassGovernanceRetention). The bucket policy is evaluated for the
 * caller (`s3State(world).caller`, an administrator: the deployer unless a
 * test sets break-glass) with the IAM simulator.
 */
import { randomUUID } from 'crypto';
import { mockClient } from 'aws-sdk-client-mock';
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
  type ObjectLockRetentionMode,
} from '@aws-sdk/client-s3';
import { NOW } from '../config-fixture';
import { adminPrincipal, decide } from '../deployment-policies';
import type { PolicyDocument } from '../template-policies';
import type { FakeWorld, ServiceFake } from './world';

const DAY_MS = 86_400_000;

/** One object version. */
export interface FakeObjectVersion {
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: Date;
  readonly retention?: { readonly Mode: ObjectLockRetentionMode; readonly RetainUntilDate: Date };
}

/** One bucket as S3 keeps it. */
export interface FakeBucket {
  readonly name: string;
  readonly region: string;
  readonly logicalId: string;
  /** Object Lock: enabled at creation, with a default retention (or none). */
  objectLock?: { readonly enabled: boolean; rule?: { Mode: ObjectLockRetentionMode; Days?: number; Years?: number } };
  /** The bucket policy (a JSON string), or none. */
  policy?: string;
  publicAccessBlock?: Record<'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets', boolean>;
  encryption: { SSEAlgorithm: string; KMSMasterKeyID?: string; BucketKeyEnabled?: boolean };
  versions: FakeObjectVersion[];
}

export interface S3State {
  /** By name. */
  readonly buckets: Map<string, FakeBucket>;
  /** The role ARN of the caller's session (evaluated against bucket policies as an administrator). */
  caller: string;
}

/** The S3 state of `world`, created from the templates on first use. */
export function s3State(world: FakeWorld): S3State {
  const existing = world.state.s3 as S3State | undefined;
  if (existing) return existing;
  const buckets = new Map<string, FakeBucket>();
  for (const s of world.stacks) {
    for (const r of world.resources('AWS::S3::Bucket', s.role)) {
      const p = world.properties(r);
      const name = world.physicalId(s.role, r.logicalId);
      const lock = p.ObjectLockConfiguration as { Rule?: { DefaultRetention?: { Mode: ObjectLockRetentionMode; Days?: number; Years?: number } } } | undefined;
      const sse = (p.BucketEncryption as { ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { SSEAlgorithm: string; KMSMasterKeyID?: string }; BucketKeyEnabled?: boolean }[] } | undefined)
        ?.ServerSideEncryptionConfiguration?.[0];
      buckets.set(name, {
        name,
        region: s.region,
        logicalId: r.logicalId,
        ...(p.ObjectLockEnabled === true ? { objectLock: { enabled: true, ...(lock?.Rule?.DefaultRetention ? { rule: { ...lock.Rule.DefaultRetention } } : {}) } } : {}),
        ...(p.PublicAccessBlockConfiguration ? { publicAccessBlock: { ...(p.PublicAccessBlockConfiguration as FakeBucket['publicAccessBlock'])! } } : {}),
        // Since January 2023 every bucket without a configuration encrypts with SSE-S3.
        encryption: sse?.ServerSideEncryptionByDefault ? { ...sse.ServerSideEncryptionByDefault, ...(sse.BucketKeyEnabled ? { BucketKeyEnabled: true } : {}) } : { SSEAlgorithm: 'AES256' },
        versions: [],
      });
    }
    for (const r of world.resources('AWS::S3::BucketPolicy', s.role)) {
      const p = world.properties(r);
      const b = buckets.get(String(p.Bucket));
      if (b) b.policy = JSON.stringify(p.PolicyDocument);
    }
    for (const r of world.resources('AWS::KinesisFirehose::DeliveryStream', s.role)) {
      const dest = world.properties(r).ExtendedS3DestinationConfiguration as { BucketARN: string; Prefix: string };
      const b = buckets.get(dest.BucketARN.replace(/^arn:[^:]+:s3:::/, ''));
      const at = new Date(NOW.getTime() - 3 * 60_000);
      const iso = at.toISOString();
      const prefix = dest.Prefix.replace('!{timestamp:yyyy}', iso.slice(0, 4)).replace('!{timestamp:MM}', iso.slice(5, 7)).replace('!{timestamp:dd}', iso.slice(8, 10));
      // Firehose's object name: <prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.
      const key = `${prefix}${String(world.properties(r).DeliveryStreamName)}-1-${iso.slice(0, 19).replace(/[T:]/g, '-')}-${randomUUID()}`;
      b?.versions.push({ key, versionId: randomUUID(), lastModified: at, ...defaultRetention(b, at) });
    }
  }
  const state: S3State = { buckets, caller: `arn:aws:iam::${world.account}:role/deployer` };
  world.state.s3 = state;
  return state;
}

function defaultRetention(b: FakeBucket, at: Date): Pick<FakeObjectVersion, 'retention'> {
  const rule = b.objectLock?.enabled ? b.objectLock.rule : undefined;
  if (!rule) return {};
  const days = rule.Days ?? (rule.Years ?? 0) * 365;
  return { retention: { Mode: rule.Mode, RetainUntilDate: new Date(at.getTime() + days * DAY_MS) } };
}

const s3Error = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, Code: name, $metadata: { httpStatusCode: status } });

type GetClient = () => { config: { region: () => Promise<string> } };

export const s3Fake: ServiceFake = (world) => {
  const s3 = mockClient(S3Client);
  const bucket = async (name: string | undefined, getClient: GetClient) => {
    const b = s3State(world).buckets.get(String(name));
    if (!b) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
    const region = await getClient().config.region();
    if (region !== b.region) throw s3Error('PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', 301);
    return b;
  };
  /** The bucket policy's decision for the caller (an administrator) on an object action. */
  const allowed = async (b: FakeBucket, action: string, key: string) => {
    const resource = b.policy ? (JSON.parse(b.policy) as PolicyDocument) : undefined;
    const call = { action, resource: `arn:aws:s3:::${b.name}/${key}`, resourceAccount: world.account, region: b.region };
    return (await decide(adminPrincipal(s3State(world).caller), call, resource)) === 'Allow';
  };
  s3.on(GetObjectLockConfigurationCommand).callsFake(async (input: { Bucket?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    if (!b.objectLock?.enabled) throw s3Error('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', 404);
    return { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', ...(b.objectLock.rule ? { Rule: { DefaultRetention: b.objectLock.rule } } : {}) } };
  });
  s3.on(GetBucketPolicyCommand).callsFake(async (input: { Bucket?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    if (!b.policy) throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
    return { Policy: b.policy };
  });
  s3.on(GetPublicAccessBlockCommand).callsFake(async (input: { Bucket?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    if (!b.publicAccessBlock) throw s3Error('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 404);
    return { PublicAccessBlockConfiguration: b.publicAccessBlock };
  });
  s3.on(GetBucketEncryptionCommand).callsFake(async (input: { Bucket?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    const { BucketKeyEnabled, ...byDefault } = b.encryption;
    return { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: byDefault, BucketKeyEnabled: BucketKeyEnabled ?? false }] } };
  });
  s3.on(ListObjectsV2Command).callsFake(async (input: { Bucket?: string; Prefix?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    const latest = new Map<string, FakeObjectVersion>();
    for (const v of b.versions) if (v.key.startsWith(input.Prefix ?? '') && (!latest.has(v.key) || latest.get(v.key)!.lastModified <= v.lastModified)) latest.set(v.key, v);
    const contents = [...latest.values()].sort((x, y) => x.key.localeCompare(y.key)).map((v) => ({ Key: v.key, LastModified: v.lastModified, Size: 1024, StorageClass: 'STANDARD' }));
    return { Name: b.name, Prefix: input.Prefix, KeyCount: contents.length, IsTruncated: false, ...(contents.length ? { Contents: contents } : {}) };
  });
  s3.on(PutObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string; ContentMD5?: string; ChecksumAlgorithm?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    const key = String(input.Key);
    if (!(await allowed(b, 's3:PutObject', key))) throw s3Error('AccessDenied', 'Access Denied', 403);
    if (b.objectLock?.enabled && !input.ContentMD5 && !input.ChecksumAlgorithm) {
      throw s3Error('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters', 400);
    }
    const version: FakeObjectVersion = { key, versionId: randomUUID(), lastModified: NOW, ...defaultRetention(b, NOW) };
    b.versions.push(version);
    return { VersionId: version.versionId, ETag: '"probe"' };
  });
  s3.on(GetObjectRetentionCommand).callsFake(async (input: { Bucket?: string; Key?: string; VersionId?: string }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    const v = b.versions.find((x) => x.key === input.Key && x.versionId === input.VersionId);
    if (!v) throw s3Error('NoSuchVersion', 'The specified version does not exist.', 404);
    if (!b.objectLock?.enabled) throw s3Error('InvalidRequest', 'Bucket is missing Object Lock Configuration', 400);
    if (!v.retention) throw s3Error('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', 404);
    return { Retention: v.retention };
  });
  s3.on(DeleteObjectCommand).callsFake(async (input: { Bucket?: string; Key?: string; VersionId?: string; BypassGovernanceRetention?: boolean }, getClient: GetClient) => {
    const b = await bucket(input.Bucket, getClient);
    const key = String(input.Key);
    if (!input.VersionId) throw new Error('the fake S3 models versioned deletes only');
    if (!(await allowed(b, 's3:DeleteObjectVersion', key))) throw s3Error('AccessDenied', 'Access Denied', 403);
    const v = b.versions.find((x) => x.key === key && x.versionId === input.VersionId);
    if (!v) return {};
    if (v.retention && v.retention.RetainUntilDate > NOW) {
      const bypass = v.retention.Mode === 'GOVERNANCE' && input.BypassGovernanceRetention === true && (await allowed(b, 's3:BypassGovernanceRetention', key));
      if (!bypass) throw s3Error('AccessDenied', 'Access Denied because object protected by object lock.', 403);
    }
    b.versions.splice(b.versions.indexOf(v), 1);
    return { VersionId: v.versionId };
  });
  return [s3];
};
