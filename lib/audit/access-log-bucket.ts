import { Aspects, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { removalPolicyFor } from '../shared/retention';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';

/**
 * Tag on every bucket of the blueprint saying what it is for, so that the
 * compliance catalogue can tell the one bucket that may not be object-locked
 * (the server access log bucket) from the audit buckets, which must be.
 */
export const BUCKET_ROLE_TAG = 'openclaw:bucket-role';
/** Values of {@link BUCKET_ROLE_TAG}. */
export const BUCKET_ROLES = { accessLogs: 'access-logs', audit: 'audit' } as const;
export type BucketRole = (typeof BUCKET_ROLES)[keyof typeof BUCKET_ROLES];

/** The service principal that delivers S3 server access logs. */
export const S3_SERVER_ACCESS_LOGGING_PRINCIPAL = 'logging.s3.amazonaws.com';

/**
 * Why no bucket of the blueprint replicates to another region (NIST 800-53
 * and HIPAA packs), shared by the audit and access-log buckets.
 */
export const SINGLE_REGION_REASON =
  'Single-region audit store by design: each deployment lives in one region, S3 already keeps every object across at least three ' +
  'Availability Zones, and the risk a replica would cover here (deletion or tampering) is covered by versioning, the bucket policy ' +
  'denies and (for audit buckets) Object Lock; a replica would double storage and KMS cost for a small-team deployment.';

/** Acknowledges the cross-region replication rules on a bucket (see {@link SINGLE_REGION_REASON}). */
export function acknowledgeSingleRegion(bucket: s3.Bucket): void {
  for (const rule of ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled']) acknowledgeFinding(bucket, rule, SINGLE_REGION_REASON);
}

/** Higher than the default priority of `Tags.of(...).add`, so a stage-wide tag cannot relabel a bucket. */
const ROLE_TAG_PRIORITY = 1000;

/** Labels a bucket's CloudFormation resource with its role (see {@link BUCKET_ROLE_TAG}). */
export function tagBucketRole(bucket: s3.Bucket, role: BucketRole): void {
  (bucket.node.defaultChild as s3.CfnBucket).tags.setTag(BUCKET_ROLE_TAG, role, ROLE_TAG_PRIORITY);
}

/**
 * A Deny of `s3:PutObject` to every caller that is not an AWS service
 * principal, except the roles `exempt` returns (resolved at synth, so roles
 * added after construction count). Service principals such as
 * cloudtrail.amazonaws.com need an explicit Allow in the bucket policy to write
 * at all, so the writers are exactly the services granted there plus the
 * exempt roles: a person with `s3:*` in an identity policy cannot plant or
 * overwrite log files. `aws:PrincipalIsAWSService` is true when a service
 * principal calls directly; where the key is absent, BoolIfExists applies the deny.
 */
export function denyWritesButServices(bucket: s3.IBucket, sid: string, exempt?: () => string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions: {
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      ...(exempt ? { StringNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: exempt }) } } : {}),
    },
  });
}

export interface AccessLogBucketProps {
  /**
   * Days after which server access log files are deleted (current versions;
   * the deletion leaves a delete marker and the version becomes noncurrent).
   * @default 365
   */
  readonly expireAfterDays?: number;
  /**
   * Days a noncurrent version (an overwritten or expired log file) is kept
   * before it is deleted for good.
   * @default 30
   */
  readonly noncurrentExpireAfterDays?: number;
  /**
   * The break-glass role name (config breakGlass.roleName), in this stack's
   * account. When given, deleting log files (or their versions) by hand is
   * denied to every principal but that role; lifecycle expiry still applies.
   * @default - no deny on deletion (log files are still not object-locked)
   */
  readonly breakGlassRoleName?: string;
  /**
   * Keep the bucket (and its policy) when the stack is deleted. Only an
   * approved config exception plus a deploy-time confirmation turns this off
   * (docs/configuration.md, "Destroying data needs two opt-ins"). Even then CloudFormation deletes only an empty bucket:
   * `autoDeleteObjects` is never used.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /** @default - a name CloudFormation generates */
  readonly bucketName?: string;
}

/**
 * The bucket that receives S3 server access logs of the audit buckets, and the
 * one bucket of the blueprint that is **not** object-locked: server access
 * logging cannot deliver to a destination bucket with an Object Lock default
 * retention, nor to one encrypted with SSE-KMS, so it uses SSE-S3. Otherwise
 * hardened: versioning, all four Block Public Access settings, TLS 1.2 only,
 * ACLs disabled (BucketOwnerEnforced), S3 events to EventBridge, lifecycle
 * expiry, retained on stack deletion, and a bucket policy under which only the
 * S3 logging service (for the buckets registered with
 * {@link allowServerAccessLogsFrom}, in this account) writes objects.
 *
 * It carries the tag `openclaw:bucket-role=access-logs`, which the compliance
 * catalogue reads (`s3-access-log-bucket`).
 */
export class AccessLogBucket extends s3.Bucket {
  /** `arn:<partition>:iam::<account>:role/<breakGlass.roleName>`, when a break-glass role was given. */
  readonly breakGlassRoleArn?: string;
  private sameStackSources = 0;
  private crossStackCheckAdded = false;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    const expireAfterDays = props.expireAfterDays ?? 365;
    const noncurrentExpireAfterDays = props.noncurrentExpireAfterDays ?? 30;
    for (const [name, days] of [
      ['expireAfterDays', expireAfterDays],
      ['noncurrentExpireAfterDays', noncurrentExpireAfterDays],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) throw new Error(`AccessLogBucket ${id}: ${name} must be a whole number of days, at least 1 (got ${days})`);
    }
    const removalPolicy = removalPolicyFor(props.retainOnDelete);
    super(scope, id, {
      bucketName: props.bucketName,
      // Server access log delivery supports SSE-S3 destinations only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'ExpireAccessLogs',
          expiration: Duration.days(expireAfterDays),
          noncurrentVersionExpiration: Duration.days(noncurrentExpireAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        // Once a log file's last version has expired, its delete marker goes too.
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy,
      autoDeleteObjects: false,
    });
    const cfn = this.node.defaultChild as s3.CfnBucket;
    // S3 event notifications to EventBridge (free for AWS service events), set on the
    // CloudFormation resource itself rather than through CDK's notification custom resource.
    cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    tagBucketRole(this, BUCKET_ROLES.accessLogs);

    const stack = Stack.of(this);
    if (props.breakGlassRoleName !== undefined) {
      this.breakGlassRoleArn = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: props.breakGlassRoleName });
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyLogDeletionButBreakGlass',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: [this.arnForObjects('*')],
          conditions: { StringNotEquals: { 'aws:PrincipalArn': [this.breakGlassRoleArn] } },
        }),
      );
    }
    // Only the S3 logging service writes (the break-glass role may too, to repair).
    const breakGlass = this.breakGlassRoleArn;
    this.addToResourcePolicy(denyWritesButServices(this, 'DenyWritesButS3Logging', breakGlass === undefined ? undefined : () => [breakGlass]));
    // The policy lives and dies with the bucket: a retained bucket keeps its denies.
    // (The statements above created it: enforceSSL, and the write deny.)
    this.policy!.applyRemovalPolicy(removalPolicy);

    acknowledgeSingleRegion(this);
    acknowledgeFinding(
      this,
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      'This is the S3 server access log destination, and server access logging cannot deliver to a bucket with an Object Lock default ' +
        'retention; only the S3 logging service can write here, versioning keeps overwritten files, and the catalogue control ' +
        's3-access-log-bucket checks it. Every other bucket of the blueprint is object-locked (control s3-object-locked).',
    );
    for (const rule of ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS', 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check']) {
      acknowledgeFinding(
        this,
        rule,
        'S3 server access log delivery supports only SSE-S3 (AES-256) destination buckets, not SSE-KMS, so this bucket is encrypted with ' +
          'S3-managed keys; it holds request metadata of the audit buckets, whose contents are encrypted with the deployment key.',
      );
    }
    acknowledgeFinding(
      this,
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      'This bucket is the server access log destination itself: logging it into itself would log each delivery recursively, and ' +
        'logging it elsewhere needs yet another unlocked bucket; its bucket-level API calls are in CloudTrail management events.',
    );
  }

  /**
   * Lets S3 server access logging of `source` write under `<prefix>*`, for
   * requests from this account (`aws:SourceAccount`) and, when `source` is in
   * the same stack, from that bucket only (`aws:SourceArn`; across stacks the
   * reference would make the two stacks depend on each other).
   *
   * Done here rather than through `serverAccessLogsBucket`, whose policy
   * grant depends on the `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`
   * feature flag and otherwise falls back to a bucket ACL, which
   * BucketOwnerEnforced disables.
   */
  allowServerAccessLogsFrom(source: s3.IBucket, prefix: string): void {
    if (prefix.length === 0) throw new Error(`AccessLogBucket ${this.node.path}: give each source bucket its own non-empty prefix`);
    const stack = Stack.of(this);
    const sameStack = Stack.of(source) === stack;
    if (sameStack) this.sameStackSources++;
    else this.acknowledgeLoggingIfNoLocalSource();
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal(S3_SERVER_ACCESS_LOGGING_PRINCIPAL)],
        actions: ['s3:PutObject'],
        resources: [this.arnForObjects(`${prefix}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ...(sameStack ? { ArnLike: { 'aws:SourceArn': source.bucketArn } } : {}),
        },
      }),
    );
  }

  /**
   * cdk-nag accepts an unlogged bucket as a log destination only when a bucket
   * of the same stack logs to it. When every source is in another stack, its
   * logging rules are acknowledged here, at synth (once all sources are known).
   */
  private acknowledgeLoggingIfNoLocalSource(): void {
    if (this.crossStackCheckAdded) return;
    this.crossStackCheckAdded = true;
    let done = false;
    Aspects.of(this).add({
      visit: () => {
        if (done) return;
        done = true;
        if (this.sameStackSources > 0) return;
        for (const rule of ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled']) {
          acknowledgeFinding(
            this,
            rule,
            'This bucket is the server access log destination of audit buckets in other stacks (cdk-nag sees log destinations only ' +
              'within a stack); logging it into itself would log each delivery recursively. Its bucket-level calls are in CloudTrail.',
          );
        }
      },
    });
  }
}
