import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';
import type { AuditBucket } from './audit-bucket';

/** Where exported log events land in the audit bucket (gzip-compressed CloudWatch Logs batches). */
export const LOG_ARCHIVE_PREFIX = 'cloudwatch-logs/';

export interface LogArchiveProps {
  /** `<prefix>-<client>-<env>`: names the delivery stream `<name>-log-archive`. */
  readonly deploymentName: string;
  /** The object-locked audit bucket of this region. */
  readonly bucket: AuditBucket;
  /** The key the bucket and the stream encrypt with (the deployment key). */
  readonly key: kms.IKey;
}

/**
 * Exports CloudWatch log groups into the object-locked audit bucket: a
 * Firehose delivery stream (KMS-encrypted) that writes under
 * `cloudwatch-logs/<year>/<month>/<day>/`, fed by one subscription filter per
 * log group (archive()). Within minutes (Firehose buffers up to 5 minutes),
 * every event is also in a locked object that nobody can change or delete
 * before its retention ends, whatever happens to the log group.
 */
export class LogArchive extends Construct {
  readonly stream: firehose.CfnDeliveryStream;
  private readonly logsRole: iam.Role;
  private readonly streamArn: string;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const streamName = `${props.deploymentName}-log-archive`;
    this.streamArn = `arn:${stack.partition}:firehose:${stack.region}:${stack.account}:deliverystream/${streamName}`;
    const deliveryRole = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', { conditions: { StringEquals: { 'sts:ExternalId': stack.account } } }),
      description: `Firehose ${streamName}: writes exported logs to the audit bucket only`,
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      description: `Firehose ${streamName} to the audit bucket`,
      statements: [
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(`${LOG_ARCHIVE_PREFIX}*`)] }),
        new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [props.bucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    deliveryRole.addManagedPolicy(deliveryPolicy);
    acknowledgeFinding(
      deliveryPolicy.node.defaultChild as iam.CfnManagedPolicy,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${LOG_ARCHIVE_PREFIX}*]`,
      'Firehose names each object by time and a random suffix, so it needs the whole prefix; the prefix is this archive\'s alone, and Object Lock keeps what it wrote.',
    );
    props.bucket.allowRoleWrites(deliveryRole.roleArn);
    this.stream = new firehose.CfnDeliveryStream(this, 'Stream', {
      deliveryStreamName: streamName,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: props.key.keyArn },
      extendedS3DestinationConfiguration: {
        bucketArn: props.bucket.bucketArn,
        roleArn: deliveryRole.roleArn,
        prefix: `${LOG_ARCHIVE_PREFIX}!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
        errorOutputPrefix: `${LOG_ARCHIVE_PREFIX}errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/`,
        // CloudWatch Logs sends gzip batches already; Firehose stores them as they come.
        compressionFormat: 'UNCOMPRESSED',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 5 },
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: props.key.keyArn } },
      },
    });
    this.stream.node.addDependency(deliveryPolicy);
    // An AuditBucket always has its policy (the TLS and tamper denies); the stream waits for the write exemption in it.
    this.stream.node.addDependency(props.bucket.policy!);
    // The stream's SSE (CUSTOMER_MANAGED_CMK) makes Firehose create a grant on the key.
    this.logsRole = new iam.Role(this, 'SubscriptionRole', {
      assumedBy: new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`, {
        conditions: { StringLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/openclaw/${props.deploymentName}/*` } },
      }),
      description: `CloudWatch Logs: feeds ${streamName} only`,
    });
    this.logsRole.addManagedPolicy(
      new iam.ManagedPolicy(this, 'SubscriptionPolicy', {
        description: `CloudWatch Logs subscriptions of ${props.deploymentName} to ${streamName}`,
        statements: [new iam.PolicyStatement({ actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'], resources: [this.streamArn] })],
      }),
    );
  }

  /**
   * Exports every event of `group` (an empty filter pattern). The filter is
   * created beside the group, in its stack (a later stack than this one).
   */
  archive(group: logs.ILogGroup): logs.SubscriptionFilter {
    const filter = new logs.SubscriptionFilter(group, 'ArchiveToAuditBucket', {
      logGroup: group,
      filterPattern: logs.FilterPattern.allEvents(),
      destination: { bind: () => ({ arn: this.streamArn, role: this.logsRole }) },
    });
    filter.node.addDependency(this.stream);
    return filter;
  }
}
