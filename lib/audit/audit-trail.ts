import { Stack } from 'aws-cdk-lib';
import { removalPolicyFor } from '../shared/retention';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuditBucket } from './audit-bucket';

/** Where the trail writes in the audit bucket (CloudTrail adds /AWSLogs/<account>/...). */
export const TRAIL_PREFIX = 'cloudtrail';

export interface AuditTrailProps {
  /** `<prefix>-<client>-<env>`: names the trail `<name>-trail` and its log group `/openclaw/<name>/cloudtrail`. */
  readonly deploymentName: string;
  /** The object-locked audit bucket the log files go to. */
  readonly bucket: AuditBucket;
  /** The deployment key: encrypts the log files and the log group. */
  readonly key: kms.Key;
  /** How long the trail's log group keeps events (config logs.retentionDays). */
  readonly logRetentionDays: logs.RetentionDays;
  /** Keep the trail's log group when it leaves the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/**
 * CloudTrail for one client x environment: management events (read and
 * write) of every region, global service events included, log file
 * validation (digest files prove no log file was changed or removed), KMS
 * encryption with the deployment key, delivered to the object-locked audit
 * bucket and to a KMS-encrypted log group, where metric filters watch for
 * changes to secret policies and keys (TrailAlarms).
 */
export class AuditTrail extends Construct {
  readonly trail: cloudtrail.CfnTrail;
  readonly logGroup: logs.LogGroup;
  readonly trailArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const trailName = `${props.deploymentName}-trail`;
    // By name: the trail itself depends on the key and the bucket policy.
    this.trailArn = `arn:${stack.partition}:cloudtrail:${stack.region}:${stack.account}:trail/${trailName}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/openclaw/${props.deploymentName}/cloudtrail`,
      encryptionKey: props.key,
      retention: props.logRetentionDays,
      removalPolicy: removalPolicyFor(props.retainOnDelete),
    });
    const role = new iam.Role(this, 'ToLogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.trailArn } },
      }),
      description: `CloudTrail ${trailName} writes to its own log group only`,
    });
    const policy = new iam.ManagedPolicy(this, 'ToLogsPolicy', {
      description: `CloudTrail ${trailName} to ${this.logGroup.node.id}`,
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroup.logGroupArn}`],
        }),
      ],
    });
    role.addManagedPolicy(policy);
    props.bucket.allowLogDeliveryService({
      servicePrincipal: 'cloudtrail.amazonaws.com',
      prefix: `${TRAIL_PREFIX}/`,
      sourceAccount: stack.account,
      sourceArn: this.trailArn,
    });
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailOfThisDeploymentToEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/${trailName}` },
        },
      }),
    );
    // DescribeKey carries no encryption context (AWS's service authorization
    // reference), so it gets its own statement, as CloudTrail's guide shows:
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailOfThisDeploymentToDescribeTheKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': this.trailArn } },
      }),
    );
    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName,
      isLogging: true,
      s3BucketName: props.bucket.bucketName,
      s3KeyPrefix: TRAIL_PREFIX,
      kmsKeyId: props.key.keyArn,
      enableLogFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: true,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: role.roleArn,
      eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true }],
    });
    // The bucket policy (and the log role's policy) must exist before CloudTrail checks them.
    // An AuditBucket always has its policy (the TLS and tamper denies).
    this.trail.node.addDependency(props.bucket.policy!);
    this.trail.node.addDependency(policy);
  }
}
