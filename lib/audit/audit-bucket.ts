/**
 * The audit bucket construct: an S3 bucket for the audit trail with Object Lock,
 * SSE-KMS, lifecycle tiers, server access logs and its policy (whose statements
 * are lib/audit/audit-bucket-policy.ts), and the log-delivery grants made on it.
 */
import { Duration, Names, Stack } from 'aws-cdk-lib';
import { cloudFormationExecutionRoleArn } from '../shared/cloudformation-execution-role';
import { removalPolicyFor } from '../shared/retention';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';
import { acknowledgeSingleRegion, BUCKET_ROLES, denyWritesButServices, tagBucketRole, type AccessLogBucket } from './access-log-bucket';
import {
  AUDIT_BUCKET_DENY_SIDS,
  logDeliverySidBase,
  logDeliveryStatements,
  objectTamperingDeny,
  reconfigurationDeny,
  type LogDeliveryGrant,
} from './audit-bucket-policy';

/** S3 Object Lock retention modes. COMPLIANCE: nobody can shorten or delete; GOVERNANCE: only with s3:BypassGovernanceRetention. */
export type AuditLockMode = 'COMPLIANCE' | 'GOVERNANCE';

export interface AuditBucketProps {
  /**
   * Object Lock mode of the default retention. `COMPLIANCE` (prod): no
   * principal, not even the account root user, can delete a locked object
   * version or shorten its retention until it expires, and the bucket cannot
   * be deleted while it holds one. `GOVERNANCE` (dev, staging): a principal
   * with `s3:BypassGovernanceRetention` can, and this bucket's policy denies
   * that action to everyone but the break-glass role.
   */
  readonly lockMode: AuditLockMode;
  /** Days every object version is locked after it is written (config audit.lockRetentionDays; 1 to 36500). */
  readonly lockRetentionDays: number;
  /**
   * The deployment's customer-managed key (SSE-KMS, S3 Bucket Key on). Writers
   * that are AWS services also need the key policy to let their service
   * principal `kms:GenerateDataKey*` (CloudTrail, and delivery.logs.amazonaws.com
   * for vended logs, with `aws:SourceAccount`/`aws:SourceArn` conditions); this
   * construct does not change the key policy. With the Bucket Key, S3's KMS
   * encryption context is `aws:s3:arn` = this bucket's ARN.
   */
  readonly key: kms.IKey;
  /** The deployment's access-log bucket: this bucket's S3 server access logs go there, under {@link accessLogsPrefix}. */
  readonly accessLogs: AccessLogBucket;
  /**
   * Key prefix of this bucket's server access logs in {@link accessLogs}.
   * @default `<unique id of this construct>/`
   */
  readonly accessLogsPrefix?: string;
  /** Days after which objects (and noncurrent versions) move to S3 Standard-IA (at least 30). */
  readonly infrequentAccessAfterDays: number;
  /**
   * Days after which objects (and noncurrent versions) move to S3 Glacier
   * Instant Retrieval; at least 30 days after {@link infrequentAccessAfterDays}
   * (the time S3 requires an object to stay in Standard-IA first).
   */
  readonly glacierAfterDays: number;
  /**
   * The break-glass role name (config breakGlass.roleName), in this stack's
   * account: the one principal the bucket policy lets delete, unlock or
   * reconfigure. In GOVERNANCE mode it also needs `s3:BypassGovernanceRetention`
   * in its own identity policy to delete a locked version early.
   */
  readonly breakGlassRoleName: string;
  /**
   * ARN pattern (`ArnLike`) of the role CloudFormation deploys with, exempted
   * from the deny on bucket configuration changes (never from the object-level
   * denies), so that later deployments can change the lifecycle, lock
   * defaults or policy that the template declares.
   * @default the exact ARN of the role the stack is deployed with (its DefaultStackSynthesizer's
   * CloudFormation execution role: `cdk-<qualifier>-cfn-exec-role-<account>-<region>` of the
   * bootstrap, or the custom role it names). Not a pattern of every qualifier: an account
   * administrator could create a role whose name fits one and reconfigure the bucket with it.
   */
  readonly cloudFormationRoleArnPattern?: string;
  /**
   * Keep the bucket and its policy when the stack is deleted. Only an
   * approved config exception plus a deploy-time confirmation turns this off
   * (docs/configuration.md, "Destroying data needs two opt-ins"). Even then Object Lock keeps every locked version until its
   * retention ends, CloudFormation can delete only an empty bucket, and
   * `autoDeleteObjects` is never used: COMPLIANCE-locked data cannot be
   * destroyed early by anyone.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * The bucket's physical name.
   * @default - a name CloudFormation generates
   */
  readonly bucketName?: string;
}

/** Refuses a lock retention outside 1-36500 days, and lifecycle transitions S3 would reject. */
function checkAuditBucketProps(id: string, props: AuditBucketProps): void {
  const days = props.lockRetentionDays;
  if (!Number.isInteger(days) || days < 1 || days > 36500) {
    throw new Error(`AuditBucket ${id}: lockRetentionDays must be a whole number of days from 1 to 36500 (got ${days})`);
  }
  if (!Number.isInteger(props.infrequentAccessAfterDays) || props.infrequentAccessAfterDays < 30) {
    throw new Error(`AuditBucket ${id}: infrequentAccessAfterDays must be a whole number, at least 30 (S3's minimum before Standard-IA; got ${props.infrequentAccessAfterDays})`);
  }
  if (!Number.isInteger(props.glacierAfterDays) || props.glacierAfterDays < props.infrequentAccessAfterDays + 30) {
    throw new Error(
      `AuditBucket ${id}: glacierAfterDays (${props.glacierAfterDays}) must be at least infrequentAccessAfterDays + 30 ` +
        `(${props.infrequentAccessAfterDays + 30}): S3 keeps an object 30 days in Standard-IA before a lifecycle transition to Glacier`,
    );
  }
}

/**
 * An S3 bucket for the audit trail (CloudTrail, VPC flow logs, WAF,
 * CloudFront, SSM sessions, host logs), hardened:
 *
 * - **Object Lock** on, with a default retention (mode and days from
 *   config) applied to every object version written; versioning on (Object
 *   Lock requires it, and S3 refuses to suspend it).
 * - **SSE-KMS** with the deployment's key and an S3 Bucket Key; ACLs disabled
 *   (BucketOwnerEnforced); all four **Block Public Access** settings;
 *   **TLS 1.2 or later only**; S3 events to EventBridge; server access logs to
 *   the deployment's {@link AccessLogBucket}.
 * - **Lifecycle**: objects and noncurrent versions move to Standard-IA, then
 *   Glacier Instant Retrieval; incomplete uploads are aborted after 7 days.
 *   (S3's default minimum transition size applies: objects under 128 KB,
 *   which the storage-class minimums would make dearer, stay in Standard.)
 *   There is **no expiration rule**: an expiry at or before the lock's end
 *   would be silently ineffective on locked versions and suggest a retention
 *   that does not exist; one after it would delete audit evidence on a
 *   schedule nobody configured (config has no expiry setting). Deleting old
 *   audit data is a break-glass decision.
 * - **Retained** (bucket and policy) on stack deletion unless retainOnDelete
 *   is false; `autoDeleteObjects` is never used.
 * - A **bucket policy** that:
 *   - denies the object-level tamper actions (AUDIT_OBJECT_TAMPER_ACTIONS of audit-bucket-policy.ts)
 *     to every principal but the break-glass role (`aws:PrincipalArn`
 *     StringNotEquals, so administrators must assume the role, which
 *     CloudTrail records), and also `s3:DeleteBucket` while the bucket is retained;
 *   - denies the bucket reconfiguration actions (AUDIT_BUCKET_CONFIG_ACTIONS of audit-bucket-policy.ts)
 *     to every principal but the break-glass role and the CloudFormation
 *     execution role (see below), and `s3:DeleteBucket` likewise when
 *     retainOnDelete is false (CloudFormation can then delete the bucket once
 *     break-glass has emptied it; S3 refuses while any version remains);
 *   - denies `s3:PutObject` to every caller that is not an AWS service
 *     principal, except the break-glass role and the roles of
 *     {@link allowRoleWrites}: the services of {@link allowLogDeliveryService} are the
 *     only other writers.
 *
 * **Why CloudFormation is exempt from the configuration denies.** CloudFormation
 * creates the bucket before its policy exists, but every later change the
 * template makes to the policy, lifecycle, lock defaults, logging or
 * notifications (a new log-delivery grant, a new retention from config) is a
 * call of its execution role; denied, the update fails and so does its
 * rollback (UPDATE_ROLLBACK_FAILED). The cost: whoever can deploy through the
 * CDK execution role (an account administrator) can rewrite this policy by
 * deploying a changed template, which the gate's catalogue control
 * `s3-audit-tamper-denied` refuses at synth, and which CloudTrail and the
 * stack's events record. It still cannot delete or unlock a version: the
 * object-level denies name no CloudFormation role, and in COMPLIANCE mode
 * Object Lock holds against any policy. Note also that the account root user
 * can always delete a bucket policy (S3's lock-out protection): the policy
 * guards against roles and users, Object Lock against everyone.
 */
export class AuditBucket extends s3.Bucket {
  /** `arn:<partition>:iam::<account>:role/<breakGlass.roleName>` */
  readonly breakGlassRoleArn: string;
  /** The CloudFormation execution role pattern exempted from the configuration denies. */
  readonly cloudFormationRoleArnPattern: string;
  readonly lockMode: AuditLockMode;
  readonly lockRetentionDays: number;
  /** Where this bucket's server access logs go in the access-log bucket. */
  readonly accessLogsPrefix: string;
  private readonly writerRoleArns: string[] = [];
  /** Grants made so far per statement-ID base: the second grant to one service is numbered 2, and so on. */
  private readonly deliveryGrants = new Map<string, number>();
  /** Statement IDs of the delivery grants so far. */
  private readonly deliverySids = new Set<string>();

  constructor(scope: Construct, id: string, props: AuditBucketProps) {
    checkAuditBucketProps(id, props);
    const days = props.lockRetentionDays;
    const retain = props.retainOnDelete !== false;
    const removalPolicy = removalPolicyFor(retain);
    const retention = Duration.days(days);
    super(scope, id, {
      bucketName: props.bucketName,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        props.lockMode === 'COMPLIANCE' ? s3.ObjectLockRetention.compliance(retention) : s3.ObjectLockRetention.governance(retention),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'TieredStorageNoExpiry',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(props.infrequentAccessAfterDays) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(props.glacierAfterDays) },
          ],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(props.infrequentAccessAfterDays) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(props.glacierAfterDays) },
          ],
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
      autoDeleteObjects: false,
    });
    this.lockMode = props.lockMode;
    this.lockRetentionDays = days;
    const stack = Stack.of(this);
    this.breakGlassRoleArn = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: props.breakGlassRoleName });
    this.cloudFormationRoleArnPattern = props.cloudFormationRoleArnPattern ?? cloudFormationExecutionRoleArn(stack);

    const cfn = this.node.defaultChild as s3.CfnBucket;
    cfn.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    tagBucketRole(this, BUCKET_ROLES.audit);

    // Server access logs, wired on the CloudFormation resource: the L2's
    // serverAccessLogsBucket would fall back to an ACL grant on the target
    // without the serverAccessLogsUseBucketPolicy feature flag.
    this.accessLogsPrefix = props.accessLogsPrefix ?? `${Names.uniqueId(this)}/`;
    cfn.loggingConfiguration = { destinationBucketName: props.accessLogs.bucketName, logFilePrefix: this.accessLogsPrefix };
    props.accessLogs.allowServerAccessLogsFrom(this, this.accessLogsPrefix);

    this.addToResourcePolicy(objectTamperingDeny(this, this.breakGlassRoleArn, retain));
    this.addToResourcePolicy(reconfigurationDeny(this, this.breakGlassRoleArn, this.cloudFormationRoleArnPattern, retain));
    this.addToResourcePolicy(denyWritesButServices(this, AUDIT_BUCKET_DENY_SIDS.writes, () => [this.breakGlassRoleArn, ...this.writerRoleArns]));
    // A retained bucket keeps its denies: the policy follows the bucket's removal policy.
    this.policy!.applyRemovalPolicy(removalPolicy);

    acknowledgeSingleRegion(this);
    if (Stack.of(props.accessLogs) !== stack) {
      acknowledgeFinding(
        this,
        'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
        'Server access logging is configured, to the access-log bucket of another stack: DestinationBucketName is a cross-stack ' +
          'Fn::ImportValue the guard rule cannot resolve (the catalogue and template tests check LoggingConfiguration).',
      );
    }
  }

  /**
   * Lets one AWS log-delivery service write under `<prefix>*`: `s3:PutObject`
   * there (with `s3:x-amz-acl = bucket-owner-full-control` unless turned
   * off) and the bucket-level reads it makes first, each only for deliveries
   * from `sourceAccount` (`aws:SourceAccount`) and, when given, from
   * `sourceArn` (`aws:SourceArn`). Service principals are not subject to the
   * deny on writes; these grants make them the bucket's writers.
   *
   * The service also needs the deployment key: its key policy must allow the
   * service principal `kms:GenerateDataKey*` (same conditions); not done here.
   *
   * Kinesis Data Firehose is not a service-principal writer: it writes with its
   * delivery stream's IAM role. Use {@link allowRoleWrites} for that role and
   * grant it `s3:PutObject` on its prefix in its own policy.
   *
   * (Not named `allowLogDelivery`: s3.Bucket has a private method of that name.)
   */
  allowLogDeliveryService(grant: LogDeliveryGrant): void {
    const { servicePrincipal, prefix } = grant;
    if (prefix.length === 0 || prefix.includes('*') || prefix.startsWith('/')) {
      throw new Error(`AuditBucket ${this.node.path}: allowLogDeliveryService(${servicePrincipal}) needs a non-empty prefix without '*' or a leading '/' (got "${prefix}")`);
    }
    const base = logDeliverySidBase(servicePrincipal);
    const n = (this.deliveryGrants.get(base) ?? 0) + 1;
    this.deliveryGrants.set(base, n);
    const sid = n === 1 ? base : `${base}${n}`;
    // A numbered ID can equal another service's own (Foo's second grant and foo2's first): refuse it, never merge two grants.
    if (this.deliverySids.has(sid)) {
      throw new Error(`AuditBucket ${this.node.path}: allowLogDeliveryService(${servicePrincipal}) would reuse the statement ID ${sid} of an earlier grant`);
    }
    this.deliverySids.add(sid);
    for (const statement of logDeliveryStatements(this, grant, sid)) this.addToResourcePolicy(statement);
  }

  /**
   * Exempts one role from the deny on writes (e.g. a Firehose delivery
   * stream's role, or the host's log shipper). The role still needs
   * `s3:PutObject` on its prefix and `kms:GenerateDataKey` on the key in its
   * own identity policy; it can write new versions, never delete or unlock one.
   */
  allowRoleWrites(roleArn: string): void {
    this.writerRoleArns.push(roleArn);
  }
}
