import { App, Fn, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GatewayStateVolume, STATE_VOLUME_TAG_KEY, stateVolumeResourceId } from '../../lib/host/gateway-state-volume';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The state volume on a bare stack (not the whole app): its own encrypted gp3 volume in the
// given AZ, retained by default (deleted only with the data-destruction opt-in), tagged for the
// daily snapshots, a restore creating a NEW volume from the snapshot under a new logical ID,
// its ID and ARN, and exactly the backup-plan acknowledgements.

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const stack = new Stack(new App(), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
const key = kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
const az = Fn.select(0, Fn.getAzs());
const byDefault = new GatewayStateVolume(stack, 'StateVolume', { deploymentName: 'openclaw-test-prod', availabilityZone: az, key, sizeGiB: 20 });
const restored = new GatewayStateVolume(stack, 'Restored', {
  deploymentName: 'openclaw-test-dev',
  availabilityZone: az,
  key,
  sizeGiB: 50,
  restoreFromSnapshotId: 'snap-0123456789abcdef0',
  retainOnDelete: true,
});
const destroyable = new GatewayStateVolume(stack, 'Destroyable', { deploymentName: 'openclaw-test-sandbox', availabilityZone: az, key, sizeGiB: 8, retainOnDelete: false });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
const idOf = (r: CfnResource) => stack.getLogicalId(r);

const volume = (o: { name: string; size: number; snapshotId?: string }) => ({
  AutoEnableIO: false,
  AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
  Encrypted: true,
  KmsKeyId: KEY_ARN,
  MultiAttachEnabled: false,
  Size: o.size,
  ...(o.snapshotId ? { SnapshotId: o.snapshotId } : {}),
  Tags: [
    { Key: 'Name', Value: `${o.name}-state` },
    { Key: 'openclaw:state-volume', Value: o.name },
  ],
  VolumeType: 'gp3',
});

test('the logical-ID part: Volume, or VolumeFrom<the snapshot\'s hex> for a restore', () => {
  expect(stateVolumeResourceId()).toBe('Volume');
  expect(stateVolumeResourceId(undefined)).toBe('Volume');
  expect(stateVolumeResourceId('snap-0123456789abcdef0')).toBe('VolumeFrom0123456789abcdef0');
  expect(byDefault.volume.node.id).toBe('Volume');
  expect(restored.volume.node.id).toBe('VolumeFrom0123456789abcdef0');
});

test('exactly one volume per construct and nothing else', () => {
  expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
    [idOf(byDefault.volume), 'AWS::EC2::Volume'],
    [idOf(restored.volume), 'AWS::EC2::Volume'],
    [idOf(destroyable.volume), 'AWS::EC2::Volume'],
  ]);
  expect([idOf(byDefault.volume), idOf(restored.volume)]).toEqual([expect.stringMatching(/^StateVolume[0-9A-F]{8}$/), expect.stringMatching(/^RestoredVolumeFrom0123456789abcdef0[0-9A-F]{8}$/)]);
});

test('by default: a new encrypted gp3 volume of the given size in the given AZ, single-attach, I/O not auto-enabled, tagged for the backup and named; retained (RetainExceptOnCreate / Retain)', () => {
  expect(resources[idOf(byDefault.volume)]).toEqual({
    Type: 'AWS::EC2::Volume',
    Properties: volume({ name: 'openclaw-test-prod', size: 20 }),
    DeletionPolicy: 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
  });
  expect(STATE_VOLUME_TAG_KEY).toBe('openclaw:state-volume');
});

test('a restore: the same volume created from the snapshot; retainOnDelete true keeps it retained', () => {
  expect(resources[idOf(restored.volume)]).toEqual({
    Type: 'AWS::EC2::Volume',
    Properties: volume({ name: 'openclaw-test-dev', size: 50, snapshotId: 'snap-0123456789abcdef0' }),
    DeletionPolicy: 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
  });
});

test('only the data-destruction opt-in (retainOnDelete false) deletes it with the stack', () => {
  expect(resources[idOf(destroyable.volume)]).toEqual({
    Type: 'AWS::EC2::Volume',
    Properties: volume({ name: 'openclaw-test-sandbox', size: 8 }),
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });
});

test('volumeId is the volume\'s Ref and volumeArn its EC2 volume ARN', () => {
  expect(stack.resolve(byDefault.volumeId)).toEqual({ Ref: idOf(byDefault.volume) });
  expect(stack.resolve(restored.volumeArn)).toEqual({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:volume/', { Ref: idOf(restored.volume) }]],
  });
});

test('acknowledges exactly the AWS Backup plan findings on each volume (it is backed up by Data Lifecycle Manager), with the reason', () => {
  const reason =
    'Backed up daily by Amazon Data Lifecycle Manager (GatewayStateBackup: selected by its tag, snapshots kept instance.stateBackup.retainDays) instead of an AWS Backup plan, which this rule alone recognises.';
  const acks = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint');
  expect(acks.map((a) => [a.path, a.rule, a.reason, a.onSingleResource])).toEqual(
    ['Gateway/StateVolume/Volume', 'Gateway/Restored/VolumeFrom0123456789abcdef0', 'Gateway/Destroyable/Volume'].flatMap((path) => [
      [path, 'NIST.800.53.R5-EC2EBSInBackupPlan', reason, true],
      [path, 'HIPAA.Security-EC2EBSInBackupPlan', reason, true],
    ]),
  );
});
