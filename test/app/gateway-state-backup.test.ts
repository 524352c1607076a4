import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GatewayStateBackup, STATE_BACKUP_TIME_UTC, STATE_SNAPSHOT_TAG_KEY } from '../../lib/host/gateway-state-backup';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The daily snapshots of the state volume on a bare stack (not the whole app), in two
// deployments (names, regions, accounts, retention): the DLM policy pinned exactly (the tagged
// volume, every 24 h at 03:00 UTC, kept retainDays, tags copied and the snapshot tag added),
// its role trusted by DLM only, its permissions confined by tags (snapshot only the tagged
// volume, tag only while creating, delete only tagged snapshots, the key only through EC2),
// the describe actions apart, and exactly the acknowledgements.

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

const build = (region: string, account: string, deploymentName: string, retainDays: number) => {
  const stack = new Stack(new App(), 'Gateway', { env: { account, region } });
  const keyArn = `arn:aws:kms:${region}:${account}:key/11111111-2222-3333-4444-555555555555`;
  const backup = new GatewayStateBackup(stack, 'StateBackup', { deploymentName, retainDays, key: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  return { stack, backup, resources, keyArn, region, account, deploymentName, retainDays };
};
const deployments = [build('eu-west-1', '123456789012', 'openclaw-test-prod', 7), build('us-east-1', '210987654321', 'acme-bot-dev', 35)];
const ROLE = 'StateBackupRole6BF302BA';
const PERMISSIONS = 'StateBackupPermissions44712872';
const DESCRIBE = 'StateBackupActionsWithoutResourcePolicyBE24246B';
const POLICY = 'StateBackupPolicy00F42354';
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

test('the tag keys and the backup time', () => {
  expect([STATE_SNAPSHOT_TAG_KEY, STATE_BACKUP_TIME_UTC]).toEqual(['openclaw:state-snapshot', '03:00']);
});

describe.each(deployments.map((d) => [`${d.deploymentName} in ${d.region}, ${d.retainDays} days`, d] as const))('%s', (_name, d) => {
  const { stack, backup, resources, keyArn, region, account, deploymentName, retainDays } = d;

  test('exactly these resources: the role, its two managed policies and the lifecycle policy', () => {
    expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
      [ROLE, 'AWS::IAM::Role'],
      [PERMISSIONS, 'AWS::IAM::ManagedPolicy'],
      [DESCRIBE, 'AWS::IAM::ManagedPolicy'],
      [POLICY, 'AWS::DLM::LifecyclePolicy'],
    ]);
    expect([stack.getLogicalId(backup.policy), stack.resolve(backup.role.roleArn)]).toEqual([POLICY, { 'Fn::GetAtt': [ROLE, 'Arn'] }]);
  });

  test('daily snapshots of the volume with this deployment\'s tag, at 03:00 UTC, kept retainDays, its tags copied and the snapshot tag added, run by the role once its permissions exist', () => {
    expect(resources[POLICY]).toEqual({
      Type: 'AWS::DLM::LifecyclePolicy',
      Properties: {
        Description: `${deploymentName} state volume daily snapshots kept ${retainDays} days`,
        ExecutionRoleArn: { 'Fn::GetAtt': [ROLE, 'Arn'] },
        PolicyDetails: {
          PolicyType: 'EBS_SNAPSHOT_MANAGEMENT',
          ResourceTypes: ['VOLUME'],
          Schedules: [
            {
              CopyTags: true,
              CreateRule: { Interval: 24, IntervalUnit: 'HOURS', Times: ['03:00'] },
              Name: 'daily',
              RetainRule: { Interval: retainDays, IntervalUnit: 'DAYS' },
              TagsToAdd: [{ Key: 'openclaw:state-snapshot', Value: deploymentName }],
            },
          ],
          TargetTags: [{ Key: 'openclaw:state-volume', Value: deploymentName }],
        },
        State: 'ENABLED',
      },
      DependsOn: [DESCRIBE, PERMISSIONS],
    });
  });

  test('the role is trusted by Data Lifecycle Manager only', () => {
    expect(resources[ROLE]).toEqual({
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'dlm.amazonaws.com' } }], Version: '2012-10-17' },
        Description: `Daily snapshots of the ${deploymentName} state volume (Data Lifecycle Manager)`,
      },
    });
  });

  test('its permissions: snapshot only the tagged volume, tag snapshots only while creating them, the volume key only through EC2, delete only snapshots with the snapshot tag', () => {
    const snapshots = arn(`:ec2:${region}::snapshot/*`);
    const viaEc2 = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
    expect(resources[PERMISSIONS]).toEqual({
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `Snapshots of the ${deploymentName} state volume only`,
        Path: '/',
        PolicyDocument: {
          Statement: [
            {
              Sid: 'SnapshotOwnStateVolume',
              Action: ['ec2:CreateSnapshot', 'ec2:CreateSnapshots'],
              Condition: { StringEquals: { 'aws:ResourceTag/openclaw:state-volume': deploymentName } },
              Effect: 'Allow',
              Resource: arn(`:ec2:${region}:${account}:volume/*`),
            },
            { Sid: 'CreateSnapshots', Action: ['ec2:CreateSnapshot', 'ec2:CreateSnapshots'], Effect: 'Allow', Resource: snapshots },
            {
              Sid: 'TagOnlySnapshotsItCreates',
              Action: 'ec2:CreateTags',
              Condition: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSnapshots'] } },
              Effect: 'Allow',
              Resource: snapshots,
            },
            {
              Sid: 'UseTheVolumeKeyThroughEc2',
              Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
              Condition: { StringEquals: viaEc2 },
              Effect: 'Allow',
              Resource: keyArn,
            },
            {
              Sid: 'GrantTheVolumeKeyToEc2',
              Action: 'kms:CreateGrant',
              Condition: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
              Effect: 'Allow',
              Resource: keyArn,
            },
            {
              Sid: 'DeleteOwnStateSnapshots',
              Action: 'ec2:DeleteSnapshot',
              Condition: { StringEquals: { 'aws:ResourceTag/openclaw:state-snapshot': deploymentName } },
              Effect: 'Allow',
              Resource: snapshots,
            },
          ],
          Version: '2012-10-17',
        },
        Roles: [{ Ref: ROLE }],
      },
    });
  });

  test('the describe actions (no resource ARN) in their own policy, on the role', () => {
    expect(resources[DESCRIBE]).toEqual({
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: `Snapshots of the ${deploymentName} state volume: the actions that support no resource ARN`,
        Path: '/',
        PolicyDocument: {
          Statement: [{ Sid: 'FindVolumesAndSnapshots', Action: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'], Effect: 'Allow', Resource: '*' }],
          Version: '2012-10-17',
        },
        Roles: [{ Ref: ROLE }],
      },
    });
  });

  test('acknowledges exactly the volume and snapshot wildcards (confined by tag conditions) and the describe actions, each with its reason', () => {
    expect(collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint')).toEqual([
      {
        path: 'Gateway/StateBackup/Permissions/Resource',
        rule: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${region}:${account}:volume/*]`,
        reason: `Snapshots only volumes tagged openclaw:state-volume=${deploymentName} (aws:ResourceTag condition): the volume ID is not an input of the policy, the tag is how DLM selects it.`,
        onSingleResource: true,
        madeBy: 'blueprint',
      },
      {
        path: 'Gateway/StateBackup/Permissions/Resource',
        rule: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${region}::snapshot/*]`,
        reason: 'Snapshot IDs do not exist before DLM creates them; deleting is limited by condition to snapshots carrying this deployment\'s snapshot tag.',
        onSingleResource: true,
        madeBy: 'blueprint',
      },
      {
        path: 'Gateway/StateBackup/ActionsWithoutResourcePolicy/Resource',
        rule: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ec2:DescribeInstances, DescribeVolumes and DescribeSnapshots support no resource ARN; they are read-only and DLM needs them to find the tagged volume and its snapshots.',
        onSingleResource: true,
        madeBy: 'blueprint',
      },
    ]);
  });
});
