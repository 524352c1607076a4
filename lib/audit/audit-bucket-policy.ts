/**
 * The statements of an audit bucket's policy (lib/audit/audit-bucket.ts): the
 * denies on object tampering and on bucket reconfiguration to all but the
 * break-glass role (and CloudFormation, for reconfiguration), and the grants
 * that let an AWS log-delivery service write under its prefix. The construct
 * decides when each is added; this file says what each says.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Object-level actions that destroy or unlock audit data. Denied to every
 * principal but the break-glass role, CloudFormation included: a deployment
 * never needs them (no `autoDeleteObjects`, no bucket deployments).
 */
export const AUDIT_OBJECT_TAMPER_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
] as const;

/**
 * Bucket-level actions that weaken the bucket's protection (its lock
 * defaults, lifecycle, versioning, policy, encryption, public access block,
 * logging, notifications, ownership, replication). Denied to every principal
 * but the break-glass role and the CDK CloudFormation execution role, which
 * must apply the template's own changes to them (see AuditBucket).
 */
export const AUDIT_BUCKET_CONFIG_ACTIONS = [
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
] as const;

/** A log-delivery service allowed to write into an audit bucket. */
export interface LogDeliveryGrant {
  /** e.g. `cloudtrail.amazonaws.com`, `delivery.logs.amazonaws.com` (VPC flow logs, WAF, CloudFront standard logging v2). */
  readonly servicePrincipal: string;
  /**
   * Key prefix the service writes under; the grant covers `<prefix>*`. For
   * CloudTrail, set the trail's S3KeyPrefix to this prefix without its
   * trailing slash (CloudTrail writes `<S3KeyPrefix>/AWSLogs/<account>/...`).
   */
  readonly prefix: string;
  /** The account whose resources deliver (`aws:SourceAccount`). */
  readonly sourceAccount: string;
  /** ARN of the delivering resource (`aws:SourceArn`, ArnLike, wildcards allowed), e.g. the trail or the log-delivery source. @default - any resource of sourceAccount */
  readonly sourceArn?: string;
  /**
   * Require `s3:x-amz-acl = bucket-owner-full-control` on each PutObject, as
   * CloudTrail and vended-log delivery send it (with ACLs disabled the
   * bucket owner owns every object anyway).
   * @default true
   */
  readonly requireBucketOwnerFullControl?: boolean;
  /**
   * Bucket-level reads the service makes before writing.
   * @default ['s3:GetBucketAcl'], plus 's3:ListBucket' for delivery.logs.amazonaws.com
   */
  readonly bucketReadActions?: readonly string[];
}

/** The statement IDs of the bucket policy's denies, for tests and controls. */
export const AUDIT_BUCKET_DENY_SIDS = {
  objectTampering: 'DenyObjectTamperingButBreakGlass',
  reconfiguration: 'DenyReconfigurationButBreakGlassAndCloudFormation',
  writes: 'DenyWritesButLogDelivery',
} as const;

const VENDED_LOGS_PRINCIPAL = 'delivery.logs.amazonaws.com';

/** `cloudtrail.amazonaws.com` -> `Cloudtrail`, for statement IDs. */
const sidPart = (servicePrincipal: string) =>
  servicePrincipal
    .replace(/\.amazonaws\.com(\.cn)?$/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** The statement-ID base of a service's delivery grants: `cloudtrail.amazonaws.com` -> `AllowLogDeliveryCloudtrail`. */
export const logDeliverySidBase = (servicePrincipal: string) => `AllowLogDelivery${sidPart(servicePrincipal)}`;

/** The bucket a statement is about: its ARN and the ARN of its objects. */
export interface PolicyBucket {
  /** The bucket's ARN. */
  readonly bucketArn: string;
  /** The ARN of the bucket's objects matching a key pattern. */
  arnForObjects(keyPattern: string): string;
}

/**
 * Denies the object-level tamper actions to every principal but the break-glass
 * role, and s3:DeleteBucket too while the bucket is retained.
 */
export function objectTamperingDeny(bucket: PolicyBucket, breakGlassRoleArn: string, retain: boolean): iam.PolicyStatement {
  // The object deny names the bucket only while it also denies s3:DeleteBucket (retained):
  // no object action applies to the bucket's ARN (IAMReference-ResourceArn).
  const resources = retain ? [bucket.bucketArn, bucket.arnForObjects('*')] : [bucket.arnForObjects('*')];
  return new iam.PolicyStatement({
    sid: AUDIT_BUCKET_DENY_SIDS.objectTampering,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [...AUDIT_OBJECT_TAMPER_ACTIONS, ...(retain ? ['s3:DeleteBucket'] : [])],
    resources,
    // aws:PrincipalArn is the role ARN for a role session, so a condition (not a
    // Principal element) names a role that may not exist yet, such as break-glass.
    conditions: { StringNotEquals: { 'aws:PrincipalArn': [breakGlassRoleArn] } },
  });
}

/**
 * Denies the bucket reconfiguration actions to every principal but the
 * break-glass role and the CloudFormation execution role, and s3:DeleteBucket
 * likewise when the bucket is not retained.
 */
export function reconfigurationDeny(bucket: PolicyBucket, breakGlassRoleArn: string, cloudFormationRoleArnPattern: string, retain: boolean): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: AUDIT_BUCKET_DENY_SIDS.reconfiguration,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [...AUDIT_BUCKET_CONFIG_ACTIONS, ...(retain ? [] : ['s3:DeleteBucket'])],
    resources: [bucket.bucketArn],
    conditions: {
      StringNotEquals: { 'aws:PrincipalArn': [breakGlassRoleArn] },
      ArnNotLike: { 'aws:PrincipalArn': [cloudFormationRoleArnPattern] },
    },
  });
}

/**
 * One service's delivery grant under statement ID `sid`: the bucket-level reads
 * it makes first (`<sid>BucketCheck`, unless none) and `s3:PutObject` under
 * `<prefix>*` (`<sid>Write`), each only from `sourceAccount` (and `sourceArn`).
 */
export function logDeliveryStatements(bucket: PolicyBucket, grant: LogDeliveryGrant, sid: string): iam.PolicyStatement[] {
  const { servicePrincipal, prefix, sourceAccount, sourceArn } = grant;
  const source = sourceArn === undefined ? {} : { ArnLike: { 'aws:SourceArn': sourceArn } };
  const principals = [new iam.ServicePrincipal(servicePrincipal)];
  const readActions = grant.bucketReadActions ?? (servicePrincipal === VENDED_LOGS_PRINCIPAL ? ['s3:GetBucketAcl', 's3:ListBucket'] : ['s3:GetBucketAcl']);
  const statements: iam.PolicyStatement[] = [];
  if (readActions.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: `${sid}BucketCheck`,
        principals,
        actions: [...readActions],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: { 'aws:SourceAccount': sourceAccount }, ...source },
      }),
    );
  }
  statements.push(
    new iam.PolicyStatement({
      sid: `${sid}Write`,
      principals,
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
      conditions: {
        StringEquals: {
          'aws:SourceAccount': sourceAccount,
          ...(grant.requireBucketOwnerFullControl === false ? {} : { 's3:x-amz-acl': 'bucket-owner-full-control' }),
        },
        ...source,
      },
    }),
  );
  return statements;
}
