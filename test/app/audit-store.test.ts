import { Match, Template } from 'aws-cdk-lib/assertions';
import type { DeploymentStage } from '../../lib/deployment-stage';
import { buildForTest } from '../support/build';

// The audit store as the app builds it for each environment: lock mode and retention follow
// the environment, every bucket is locked or the access-log bucket, CloudTrail goes there.

let stages: Record<'dev' | 'staging' | 'prod', DeploymentStage>;

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'all' });
  stages = Object.fromEntries(built.deployments.map((d) => [d.config.env, d.stage])) as typeof stages;
});

const templates = (stage: DeploymentStage) => [stage.core, stage.network, stage.gateway, stage.edge].map((s) => Template.fromStack(s));
const lockedBuckets = (t: Template) => Object.values(t.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } })) as { Properties: Record<string, unknown> }[];

test.each([
  ['prod', 'COMPLIANCE', 400],
  ['staging', 'GOVERNANCE', 90],
  ['dev', 'GOVERNANCE', 30],
] as const)('%s: both audit buckets (regional and us-east-1) lock in %s mode for %i days', (env, mode, days) => {
  for (const stack of [stages[env].core, stages[env].edge]) {
    const buckets = lockedBuckets(Template.fromStack(stack));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: mode, Days: days } } });
    expect(buckets[0]!.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  }
});

test('every bucket of every stack is object-locked, or is the access-log bucket of its region', () => {
  for (const env of ['dev', 'staging', 'prod'] as const) {
    for (const t of templates(stages[env])) {
      for (const [id, b] of Object.entries(t.findResources('AWS::S3::Bucket'))) {
        const p = (b as { Properties: { ObjectLockEnabled?: boolean; Tags?: { Key: string; Value: string }[] } }).Properties;
        const role = p.Tags?.find((tag) => tag.Key === 'openclaw:bucket-role')?.Value;
        expect([id, role, role === 'audit' ? p.ObjectLockEnabled : role === 'access-logs']).toEqual([id, expect.stringMatching(/^(audit|access-logs)$/), true]);
      }
    }
  }
});

test('data is kept: every bucket and log group is retained when its stack is deleted', () => {
  for (const t of templates(stages.prod)) {
    for (const type of ['AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      for (const r of Object.values(t.findResources(type))) expect([type, (r as { DeletionPolicy?: string }).DeletionPolicy]).toEqual([type, 'RetainExceptOnCreate']);
    }
  }
});

test('CloudTrail: every region\'s management events, validated, KMS-encrypted, to the locked bucket and a log group', () => {
  const core = Template.fromStack(stages.prod.core);
  const [bucketId] = Object.keys(core.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }));
  core.hasResourceProperties('AWS::CloudTrail::Trail', {
    TrailName: 'openclaw-example-prod-trail',
    IsLogging: true,
    IsMultiRegionTrail: true,
    IncludeGlobalServiceEvents: true,
    EnableLogFileValidation: true,
    KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeploymentKey'), 'Arn'] },
    S3BucketName: { Ref: bucketId },
    S3KeyPrefix: 'cloudtrail',
    CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TrailLogs'), 'Arn'] },
    EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
  });
  core.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/openclaw/openclaw-example-prod/cloudtrail', KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
});

test('the host\'s logs ship to KMS-encrypted, retained log groups under its prefix', () => {
  const gateway = Template.fromStack(stages.prod.gateway);
  for (const id of ['gateway', 'nginx-access', 'nginx-error', 'journal', 'egress-proxy']) {
    gateway.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { LogGroupName: `/openclaw/openclaw-example-prod/${id}`, KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
    });
  }
});

describe('what goes into the locked store', () => {
  const core = () => Template.fromStack(stages.prod.core);
  const auditBucketId = () => Object.keys(core().findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }))[0]!;

  test('VPC flow logs: all traffic, also delivered to the locked bucket', () => {
    const network = Template.fromStack(stages.prod.network);
    network.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: { 'Fn::Join': ['', [{ 'Fn::ImportValue': Match.stringLikeRegexp('AuditBucket') }, '/vpc-flow-logs']] },
    });
  });

  test('host logs and break-glass sessions: every group exported to a KMS-encrypted Firehose stream into the locked bucket', () => {
    core().hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'openclaw-example-prod-log-archive',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: Match.anyValue() },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [auditBucketId(), 'Arn'] },
        Prefix: 'cloudwatch-logs/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/',
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: Match.anyValue() } },
      }),
    });
    const gateway = Template.fromStack(stages.prod.gateway);
    const groups = Object.entries(gateway.findResources('AWS::Logs::LogGroup')).filter(([, g]) =>
      /^\/openclaw\/openclaw-example-prod\/(gateway|nginx-access|nginx-error|journal|egress-proxy|agent-audit|ssm-sessions)$/.test((g as { Properties: { LogGroupName: string } }).Properties.LogGroupName),
    );
    expect(groups).toHaveLength(7);
    const filters = Object.values(gateway.findResources('AWS::Logs::SubscriptionFilter')).map((f) => (f as { Properties: { LogGroupName: { Ref: string }; FilterPattern: string; DestinationArn: string } }).Properties);
    expect(filters.map((f) => f.LogGroupName.Ref).sort()).toEqual(groups.map(([id]) => id).sort());
    for (const f of filters) {
      expect(f.FilterPattern).toBe('');
      expect(JSON.stringify(f.DestinationArn)).toContain(':deliverystream/openclaw-example-prod-log-archive');
    }
  });
});
