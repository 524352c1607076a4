/**
 * The live checks of the audit concern (see lib/verify/live-check.ts): each
 * audit bucket's Object Lock, policy, public access block and encryption;
 * CloudTrail logging and delivering; the host log export reaching the
 * archive; and (--write-probes) a locked probe whose delete is refused
 * (lib/audit/live-write-probe.ts).
 */
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { policyDifferences } from '../secrets/live-policy';
import { liveValue, partitionOf } from '../verify/template-values';
import { expect, result, type LiveCheck } from '../verify/live-check';
import { allBuckets, auditBuckets, bucketPolicyOf, s3ErrorName } from './live-buckets';
import { auditWriteProbe } from './live-write-probe';

export const auditObjectLock: LiveCheck = {
  id: 'audit.object-lock',
  control: 's3-object-locked',
  title: "Each audit bucket's Object Lock default retention has the config's mode and days",
  concern: 'audit',
  daily: true,
  iam: ['s3:GetBucketObjectLockConfiguration'],
  run: async (ctx) => {
    const { lockMode, lockRetentionDays } = ctx.settings.audit;
    const want = `Object Lock ${lockMode} ${lockRetentionDays} days`;
    return Promise.all(
      (await auditBuckets(ctx)).map(async (b) => {
        try {
          const out = await ctx.client(S3Client, b.region).send(new GetObjectLockConfigurationCommand({ Bucket: b.name }));
          const c = out.ObjectLockConfiguration;
          const r = c?.Rule?.DefaultRetention;
          const days = r?.Days ?? (r?.Years === undefined ? undefined : r.Years * 365);
          const seen = c?.ObjectLockEnabled !== 'Enabled' ? 'Object Lock not enabled' : !r ? 'Object Lock enabled without a default retention' : `Object Lock ${r.Mode} ${days} days`;
          return expect(auditObjectLock, r?.Mode === lockMode && days === lockRetentionDays && c?.ObjectLockEnabled === 'Enabled', b.name, seen, want);
        } catch (e) {
          if (s3ErrorName(e) === 'ObjectLockConfigurationNotFoundError') return result(auditObjectLock, 'fail', b.name, `no Object Lock configuration; expected ${want}`);
          throw e;
        }
      }),
    );
  },
};

export const auditBucketPolicy: LiveCheck = {
  id: 'audit.bucket-policy',
  control: 's3-audit-tamper-denied',
  title: "Each audit bucket's policy is the template's (tampering and insecure transport denied)",
  concern: 'audit',
  daily: true,
  iam: ['s3:GetBucketPolicy'],
  run: async (ctx) =>
    Promise.all(
      (await auditBuckets(ctx)).map(async (b) => {
        const policy = bucketPolicyOf(b);
        if (!policy) return result(auditBucketPolicy, 'fail', b.name, 'the template has no bucket policy for this audit bucket');
        const expected = await liveValue(ctx, policy.stack, policy.resource.Properties?.PolicyDocument);
        try {
          const out = await ctx.client(S3Client, b.region).send(new GetBucketPolicyCommand({ Bucket: b.name }));
          const diff = policyDifferences(out.Policy ?? '{}', expected);
          return expect(auditBucketPolicy, diff.length === 0, b.name, diff.length === 0 ? "bucket policy equals the template's" : diff.join('; '), "the template's bucket policy");
        } catch (e) {
          if (s3ErrorName(e) === 'NoSuchBucketPolicy') return result(auditBucketPolicy, 'fail', b.name, "NoSuchBucketPolicy: the bucket has no policy; expected the template's denies");
          throw e;
        }
      }),
    ),
};

const BLOCKS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export const bucketPublicAccessBlock: LiveCheck = {
  id: 'audit.public-access-block',
  control: 's3-private-tls-only',
  title: 'Every bucket of the deployment blocks all public access (all four settings)',
  concern: 'audit',
  daily: true,
  iam: ['s3:GetBucketPublicAccessBlock'],
  run: async (ctx) =>
    Promise.all(
      (await allBuckets(ctx)).map(async (b) => {
        try {
          const out = await ctx.client(S3Client, b.region).send(new GetPublicAccessBlockCommand({ Bucket: b.name }));
          const c = out.PublicAccessBlockConfiguration ?? {};
          const off = BLOCKS.filter((k) => c[k] !== true);
          return expect(bucketPublicAccessBlock, off.length === 0, b.name, off.length === 0 ? 'all four Block Public Access settings on' : `${off.join(', ')} off`, 'all four on');
        } catch (e) {
          if (s3ErrorName(e) === 'NoSuchPublicAccessBlockConfiguration') return result(bucketPublicAccessBlock, 'fail', b.name, 'no public access block; expected all four settings on');
          throw e;
        }
      }),
    ),
};

export const auditBucketEncryption: LiveCheck = {
  id: 'audit.bucket-encryption',
  control: 's3-audit-cmk',
  title: 'Each audit bucket encrypts by default with the deployment key (SSE-KMS)',
  concern: 'audit',
  daily: true,
  iam: ['s3:GetEncryptionConfiguration'],
  run: async (ctx) =>
    Promise.all(
      (await auditBuckets(ctx)).map(async (b) => {
        const rules = (b.ref.resource.Properties?.BucketEncryption as { ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { KMSMasterKeyID?: unknown } }[] } | undefined)
          ?.ServerSideEncryptionConfiguration;
        const expectedKey = String(await liveValue(ctx, b.ref.stack, rules?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID));
        const out = await ctx.client(S3Client, b.region).send(new GetBucketEncryptionCommand({ Bucket: b.name }));
        const live = out.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
        const key = live?.KMSMasterKeyID;
        const ok = live?.SSEAlgorithm === 'aws:kms' && key !== undefined && (key === expectedKey || expectedKey.endsWith(`:key/${key}`));
        return expect(auditBucketEncryption, ok, b.name, `${live?.SSEAlgorithm ?? '(no default encryption)'}${key ? ` ${key}` : ''}`, `aws:kms ${expectedKey}`);
      }),
    ),
};

const DAY_MS = 86_400_000;

export const cloudTrailDelivering: LiveCheck = {
  id: 'audit.cloudtrail-delivering',
  control: 'cloudtrail-delivering',
  title: 'CloudTrail is logging and its last delivery to the audit bucket had no error, within a day',
  concern: 'audit',
  daily: true,
  iam: ['cloudtrail:GetTrailStatus'],
  run: async (ctx) =>
    Promise.all(
      ctx.find('AWS::CloudTrail::Trail').map(async (ref) => {
        const name = await ctx.physicalId(ref);
        const arn = `arn:${partitionOf(ref.stack.region)}:cloudtrail:${ref.stack.region}:${ctx.account}:trail/${name}`;
        const out = await ctx.client(CloudTrailClient, ref.stack.region).send(new GetTrailStatusCommand({ Name: arn }));
        const last = out.LatestDeliveryTime;
        const age = last === undefined ? undefined : ctx.options.now.getTime() - last.getTime();
        const problems = [
          ...(out.IsLogging === true ? [] : ['IsLogging false']),
          ...(out.LatestDeliveryError ? [`LatestDeliveryError ${out.LatestDeliveryError}`] : []),
          ...(age === undefined ? ['no delivery yet'] : age > DAY_MS ? [`last delivery ${(age / 3_600_000).toFixed(1)} h ago`] : []),
        ];
        const seen = problems.length > 0 ? problems.join(', ') : `logging; last delivery ${last!.toISOString()} (${Math.round(age! / 60_000)} min ago), no error`;
        return expect(cloudTrailDelivering, problems.length === 0, arn, seen, 'IsLogging true, no LatestDeliveryError, a delivery within a day');
      }),
    ),
};

/** YYYY/MM/DD of a date, UTC (the archive's date folders, Firehose's !{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/). */
const dayFolder = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '/');

export const hostLogsShipped: LiveCheck = {
  id: 'audit.host-logs-shipped',
  control: 'host-logs-shipped',
  title: 'The newest host log export in the audit archive is recent',
  concern: 'audit',
  daily: true,
  iam: ['s3:ListBucket'],
  run: async (ctx) => {
    const { logArchivePrefix, hostLogShippingSeconds } = ctx.settings.audit;
    return Promise.all(
      ctx.find('AWS::KinesisFirehose::DeliveryStream').map(async (stream) => {
        const dest = stream.resource.Properties?.ExtendedS3DestinationConfiguration as { BucketARN?: unknown; BufferingHints?: { IntervalInSeconds?: number } } | undefined;
        if (dest?.BucketARN === undefined) throw new Error(`${stream.logicalId}: no ExtendedS3DestinationConfiguration.BucketARN (the host log archive is delivered to S3)`);
        const bucket = String(await liveValue(ctx, stream.stack, dest.BucketARN)).replace(/^arn:[^:]+:s3:::/, '');
        const maxAgeMs = 2 * (hostLogShippingSeconds + (dest.BufferingHints?.IntervalInSeconds ?? 300)) * 1000;
        const now = ctx.options.now;
        const s3 = ctx.client(S3Client, stream.stack.region);
        let newest: Date | undefined;
        // Today's folder, then yesterday's (just after midnight today's may be empty).
        for (const day of [now, new Date(now.getTime() - DAY_MS)]) {
          let token: string | undefined;
          do {
            const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${logArchivePrefix}${dayFolder(day)}/`, ContinuationToken: token }));
            for (const o of page.Contents ?? []) if (o.LastModified && (!newest || o.LastModified > newest)) newest = o.LastModified;
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
          } while (token);
          if (newest) break;
        }
        const resource = `s3://${bucket}/${logArchivePrefix}`;
        const want = `an export within ${Math.round(maxAgeMs / 60_000)} min (twice the export interval and the Firehose buffer)`;
        if (!newest) return result(hostLogsShipped, 'fail', resource, `no export today or yesterday; expected ${want}`);
        const age = now.getTime() - newest.getTime();
        return expect(hostLogsShipped, age <= maxAgeMs, resource, `newest export ${newest.toISOString()} (${(age / 60_000).toFixed(0)} min ago)`, want);
      }),
    );
  },
};

export const AUDIT_LIVE_CHECKS: readonly LiveCheck[] = [
  auditObjectLock,
  auditBucketPolicy,
  bucketPublicAccessBlock,
  auditBucketEncryption,
  cloudTrailDelivering,
  hostLogsShipped,
  auditWriteProbe,
];
