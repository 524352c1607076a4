import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AccessLogBucket } from '../../lib/audit/access-log-bucket';
import { AuditBucket } from '../../lib/audit/audit-bucket';
import { LOG_ARCHIVE_PREFIX, LogArchive } from '../../lib/audit/log-archive';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The log archive on bare stacks (not the whole app): the Firehose delivery stream into the
// object-locked audit bucket (KMS-encrypted, dated prefix, error prefix, buffering), its
// delivery role (trust with the account as external ID, write only under the archive prefix,
// the key only via S3) and the CloudWatch Logs subscription role (trust limited to the
// deployment's log groups, PutRecord on this stream only), the audit bucket's write exemption
// for the delivery role, the subscription filters archive() creates, and the one acknowledgement.

const ENV = { account: '123456789012', region: 'eu-west-1' };
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const app = new App();
const core = new Stack(app, 'Core', { env: ENV });
const key = kms.Key.fromKeyArn(core, 'Key', KEY_ARN);
const accessLogs = new AccessLogBucket(core, 'AccessLogs');
const bucket = new AuditBucket(core, 'Audit', { key, accessLogs, lockMode: 'COMPLIANCE', lockRetentionDays: 30, infrequentAccessAfterDays: 30, glacierAfterDays: 90, breakGlassRoleName: 'openclaw-break-glass' });
const archive = new LogArchive(core, 'LogArchive', { deploymentName: 'openclaw-test-prod', bucket, key });
// A log group in the same stack, and one in a later stack (where the gateway's groups live).
const localGroup = new logs.LogGroup(core, 'Local', { logGroupName: '/openclaw/openclaw-test-prod/local' });
const localFilter = archive.archive(localGroup);
const gateway = new Stack(app, 'Gateway', { env: ENV });
const gatewayGroup = new logs.LogGroup(gateway, 'GatewayLog', { logGroupName: '/openclaw/openclaw-test-prod/gateway' });
const gatewayFilter = archive.archive(gatewayGroup);

const coreResources = Template.fromStack(core).toJSON().Resources as Record<string, Resource>;
const gatewayResources = Template.fromStack(gateway).toJSON().Resources as Record<string, Resource>;
const id = (stack: Stack, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnResource);
const bucketId = id(core, bucket);
const bucketPolicyId = id(core, bucket.policy!);
const archiveIds = {
  deliveryRole: core.getLogicalId(archive.node.findChild('DeliveryRole').node.defaultChild as CfnResource),
  deliveryPolicy: core.getLogicalId(archive.node.findChild('DeliveryPolicy').node.defaultChild as CfnResource),
  stream: core.getLogicalId(archive.stream),
  subscriptionRole: core.getLogicalId(archive.node.findChild('SubscriptionRole').node.defaultChild as CfnResource),
  subscriptionPolicy: core.getLogicalId(archive.node.findChild('SubscriptionPolicy').node.defaultChild as CfnResource),
};
const STREAM_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':firehose:eu-west-1:123456789012:deliverystream/openclaw-test-prod-log-archive']] };

test('the archive consists of exactly the delivery role and policy, the stream, the subscription role and policy', () => {
  const under = core.node.findChild('LogArchive').node.findAll().filter((c) => (c as CfnResource).cfnResourceType !== undefined);
  expect(under.map((c) => [c.node.path, (c as CfnResource).cfnResourceType])).toEqual([
    ['Core/LogArchive/DeliveryRole/Resource', 'AWS::IAM::Role'],
    ['Core/LogArchive/DeliveryPolicy/Resource', 'AWS::IAM::ManagedPolicy'],
    ['Core/LogArchive/Stream', 'AWS::KinesisFirehose::DeliveryStream'],
    ['Core/LogArchive/SubscriptionRole/Resource', 'AWS::IAM::Role'],
    ['Core/LogArchive/SubscriptionPolicy/Resource', 'AWS::IAM::ManagedPolicy'],
  ]);
});

test('the stream: DirectPut, SSE with the deployment key, into the audit bucket under a dated prefix, objects encrypted with the key, 5 min / 5 MB buffers', () => {
  expect(LOG_ARCHIVE_PREFIX).toBe('cloudwatch-logs/');
  expect(coreResources[archiveIds.stream]).toEqual({
    Type: 'AWS::KinesisFirehose::DeliveryStream',
    Properties: {
      DeliveryStreamName: 'openclaw-test-prod-log-archive',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyARN: KEY_ARN, KeyType: 'CUSTOMER_MANAGED_CMK' },
      ExtendedS3DestinationConfiguration: {
        BucketARN: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        RoleARN: { 'Fn::GetAtt': [archiveIds.deliveryRole, 'Arn'] },
        Prefix: 'cloudwatch-logs/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        ErrorOutputPrefix: 'cloudwatch-logs/errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        CompressionFormat: 'UNCOMPRESSED',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: KEY_ARN } },
      },
    },
    // Created only once its role may write and the bucket policy lets it (Firehose tests delivery at creation).
    DependsOn: [bucketPolicyId, archiveIds.deliveryPolicy],
  });
});

test('the delivery role: assumed by Firehose with this account as external ID, its only policy the delivery policy', () => {
  expect(coreResources[archiveIds.deliveryRole]).toEqual({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': '123456789012' } }, Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' } }],
      },
      Description: 'Firehose openclaw-test-prod-log-archive: writes exported logs to the audit bucket only',
      ManagedPolicyArns: [{ Ref: archiveIds.deliveryPolicy }],
    },
  });
});

test('the delivery policy: PutObject under the archive prefix only, bucket location and listing, the key only through S3 in this region', () => {
  expect(coreResources[archiveIds.deliveryPolicy]).toEqual({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'Firehose openclaw-test-prod-log-archive to the audit bucket',
      Path: '/',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/cloudwatch-logs/*']] } },
          { Action: ['s3:GetBucketLocation', 's3:ListBucket'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
          { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, Effect: 'Allow', Resource: KEY_ARN },
        ],
      },
    },
  });
});

test('the audit bucket exempts the delivery role (besides break-glass) from its deny of non-service writes', () => {
  const statements = (coreResources[bucketPolicyId]!.Properties.PolicyDocument as { Statement: { Sid?: string; Condition?: unknown }[] }).Statement;
  expect(statements.find((s) => s.Sid === 'DenyWritesButLogDelivery')!.Condition).toEqual({
    BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
    StringNotEquals: {
      'aws:PrincipalArn': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/openclaw-break-glass']] }, { 'Fn::GetAtt': [archiveIds.deliveryRole, 'Arn'] }],
    },
  });
});

test("the subscription role: assumed by this region's CloudWatch Logs for the deployment's log groups only; PutRecord(Batch) on this stream only", () => {
  expect([coreResources[archiveIds.subscriptionRole], coreResources[archiveIds.subscriptionPolicy]]).toEqual([
    {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Condition: { StringLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:/openclaw/openclaw-test-prod/*']] } } },
              Effect: 'Allow',
              Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            },
          ],
        },
        Description: 'CloudWatch Logs: feeds openclaw-test-prod-log-archive only',
        ManagedPolicyArns: [{ Ref: archiveIds.subscriptionPolicy }],
      },
    },
    {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: 'CloudWatch Logs subscriptions of openclaw-test-prod to openclaw-test-prod-log-archive',
        Path: '/',
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Effect: 'Allow', Resource: STREAM_ARN }] },
      },
    },
  ]);
});

test('archive(): every event of the group to the stream with the subscription role, created after the stream', () => {
  expect(localFilter.node.path).toBe('Core/Local/ArchiveToAuditBucket');
  expect(coreResources[id(core, localFilter)]).toEqual({
    Type: 'AWS::Logs::SubscriptionFilter',
    Properties: { DestinationArn: STREAM_ARN, FilterPattern: '', LogGroupName: { Ref: id(core, localGroup) }, RoleArn: { 'Fn::GetAtt': [archiveIds.subscriptionRole, 'Arn'] } },
    DependsOn: [archiveIds.stream],
  });
});

test('archive() of a group in a later stack: the filter is created beside the group, and that stack deploys after the archive', () => {
  expect(gatewayFilter.node.path).toBe('Gateway/GatewayLog/ArchiveToAuditBucket');
  expect(gatewayResources[id(gateway, gatewayFilter)]!.Properties).toEqual({
    DestinationArn: STREAM_ARN,
    FilterPattern: '',
    LogGroupName: { Ref: id(gateway, gatewayGroup) },
    RoleArn: { 'Fn::ImportValue': expect.stringMatching(/^Core:ExportsOutputFnGetAttLogArchiveSubscriptionRole/) },
  });
  expect(gateway.dependencies).toEqual([core]);
});

test('acknowledged: only the wildcard under the archive prefix of the delivery policy, with the reason', () => {
  expect(collectAcknowledgements(archive).map((a) => [a.path, a.rule, a.reason, a.onSingleResource, a.madeBy])).toEqual([
    [
      'Core/LogArchive/DeliveryPolicy/Resource',
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/cloudwatch-logs/*]`,
      "Firehose names each object by time and a random suffix, so it needs the whole prefix; the prefix is this archive's alone, and Object Lock keeps what it wrote.",
      true,
      'blueprint',
    ],
  ]);
});
