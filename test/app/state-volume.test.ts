import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import type { BuiltApp } from '../../lib/app';
import { STATE_SNAPSHOT_TAG_KEY } from '../../lib/host/gateway-state-backup';
import { STATE_VOLUME_TAG_KEY } from '../../lib/host/gateway-state-volume';
import { buildForTest } from '../support/build';
import { configFixture } from '../support/config-fixture';

// The agent state volume of example/prod: its own retained, encrypted gp3 volume in the
// instance's AZ, snapshotted daily by DLM, attached by the host itself (the volume ID in
// the user data, the permission in the host role). Its logical ID and properties do not
// move when the host changes (a new agent file means new user data, so a new instance),
// and a restore creates a new volume from the snapshot that the new host attaches.

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };
type Resources = Record<string, Resource>;

const DEPLOYMENT = 'openclaw-example-prod';
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function gatewayOf(built: BuiltApp): Template {
  return Template.fromStack(built.deployments[0]!.stage.gateway);
}
function build(files: Record<string, string> = {}): { built: BuiltApp; gateway: Template } {
  const root = configFixture(files);
  roots.push(root);
  const built = buildForTest({ client: 'example', env: 'prod' }, path.join(root, 'config'));
  return { built, gateway: gatewayOf(built) };
}
const ofType = (t: Template, type: string): Resources => t.findResources(type) as Resources;
const only = (r: Resources): [string, Resource] => {
  const entries = Object.entries(r);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};
const userDataOf = (t: Template) => JSON.stringify(only(ofType(t, 'AWS::EC2::Instance'))[1].Properties.UserData);

let base: { built: BuiltApp; gateway: Template };
beforeAll(() => {
  base = build();
}, 300_000);

describe('the state volume', () => {
  test('its own gp3 volume, encrypted with the deployment key, sized from config, in the AZ the host is placed in', () => {
    const [, volume] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    const stage = base.built.deployments[0]!.stage;
    expect(volume.Properties).toMatchObject({ VolumeType: 'gp3', Encrypted: true, Size: base.built.deployments[0]!.config.instance.stateVolume.sizeGiB, MultiAttachEnabled: false });
    expect(volume.Properties.Size).toBe(4);
    expect(volume.Properties.KmsKeyId).toEqual(stage.gateway.resolve(stage.core.key.keyArn));
    // GatewayInstance puts the host in the VPC's first AZ; the volume must be in the same one.
    expect(volume.Properties.AvailabilityZone).toEqual(stage.gateway.resolve(stage.network.vpc.availabilityZones[0]));
    expect(volume.Properties.SnapshotId).toBeUndefined();
  });

  test('retained: it outlives its removal from the stack and any replacement', () => {
    const [, volume] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    expect([volume.DeletionPolicy, volume.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
  });

  test('tagged for the backup policy with this deployment\'s name', () => {
    const [, volume] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    expect(volume.Properties.Tags).toEqual(expect.arrayContaining([{ Key: STATE_VOLUME_TAG_KEY, Value: DEPLOYMENT }]));
  });

  test('the host is told which volume to attach: the user data carries its Ref as the installer\'s last argument', () => {
    const [id] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    expect(userDataOf(base.gateway)).toContain(`', '",{"Ref":"${id}"},"']\\n"`);
  });

  test('references nothing of the host: no Ref, GetAtt or DependsOn to the instance or its profile, role and launch template', () => {
    const [, volume] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    const host = [
      ...Object.keys(ofType(base.gateway, 'AWS::EC2::Instance')),
      ...Object.keys(ofType(base.gateway, 'AWS::EC2::LaunchTemplate')),
      ...Object.keys(ofType(base.gateway, 'AWS::IAM::InstanceProfile')),
      ...Object.keys(ofType(base.gateway, 'AWS::IAM::Role')),
    ];
    expect(host.length).toBeGreaterThanOrEqual(4);
    for (const id of host) expect([id, JSON.stringify(volume).includes(`"${id}"`)]).toEqual([id, false]);
    expect(volume.DependsOn).toBeUndefined();
  });

  test('no VolumeAttachment and no Volumes on the instance: CloudFormation would attach before the old host lets go (VolumeInUse)', () => {
    base.gateway.resourceCountIs('AWS::EC2::VolumeAttachment', 0);
    expect(only(ofType(base.gateway, 'AWS::EC2::Instance'))[1].Properties.Volumes).toBeUndefined();
  });
});

describe('the host may attach exactly that volume, to an instance of this deployment only', () => {
  const statementsOf = () => {
    const policies = Object.entries(ofType(base.gateway, 'AWS::IAM::ManagedPolicy')).filter(([, p]) => p.Properties.Description === 'The gateway host attaches its own state volume to itself');
    expect(policies).toHaveLength(1);
    return policies[0]!;
  };

  test('AttachVolume on the one volume ARN and on instances carrying this deployment\'s instance profile; the EC2 key grant; nothing else', () => {
    const [, policy] = statementsOf();
    const [volumeId] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    const [profileId] = only(ofType(base.gateway, 'AWS::IAM::InstanceProfile'));
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements.map((s) => [s.Sid, s.Effect, s.Action])).toEqual([
      ['AttachOwnStateVolume', 'Allow', 'ec2:AttachVolume'],
      ['AttachStateVolumeToOwnHost', 'Allow', 'ec2:AttachVolume'],
      ['GrantStateVolumeKeyToEc2', 'Allow', 'kms:CreateGrant'],
    ]);
    // DescribeVolumes (no resource ARN), to wait for the volume, is in the host's ActionsWithoutResourcePolicy.
    const withoutResource = Object.values(ofType(base.gateway, 'AWS::IAM::ManagedPolicy')).find((p) => p.Properties.Description === `The ${DEPLOYMENT} gateway host: the actions that support no resource ARN`)!;
    const find = (withoutResource.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.find((s) => s.Sid === 'FindOwnStateVolume');
    expect(find).toEqual({ Sid: 'FindOwnStateVolume', Effect: 'Allow', Action: 'ec2:DescribeVolumes', Resource: '*' });
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(new RegExp(`:volume/",\\{"Ref":"${volumeId}"\\}\\]\\]\\}$`));
    expect(statements[0]!.Condition).toBeUndefined();
    expect(JSON.stringify(statements[1]!.Resource)).toMatch(/:instance\/\*"(\]\]\})?$/);
    expect(statements[1]!.Condition).toEqual({ ArnEquals: { 'ec2:InstanceProfile': { 'Fn::GetAtt': [profileId, 'Arn'] } } });
    expect(statements[2]!.Condition).toEqual({
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
      StringEquals: { 'kms:ViaService': expect.stringMatching(/^ec2\..+\.amazonaws\.com$/) },
    });
    // No detach: the volume is freed by the old host's termination, never taken from it.
    expect(JSON.stringify(statements)).not.toContain('DetachVolume');
  });

  test('attached to the host role, and the instance is created only once it exists', () => {
    const [policyId, policy] = statementsOf();
    const [roleId] = Object.entries(ofType(base.gateway, 'AWS::IAM::Role')).find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'))!;
    expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    expect(only(ofType(base.gateway, 'AWS::EC2::Instance'))[1].DependsOn).toEqual(expect.arrayContaining([policyId]));
  });
});

describe('daily snapshots (Amazon Data Lifecycle Manager)', () => {
  test('of the volume with this deployment\'s tag, every 24 h, kept instance.stateBackup.retainDays, tags copied', () => {
    const [, policy] = only(ofType(base.gateway, 'AWS::DLM::LifecyclePolicy'));
    expect(policy.Properties.State).toBe('ENABLED');
    expect(policy.Properties.PolicyDetails).toEqual({
      PolicyType: 'EBS_SNAPSHOT_MANAGEMENT',
      ResourceTypes: ['VOLUME'],
      TargetTags: [{ Key: STATE_VOLUME_TAG_KEY, Value: DEPLOYMENT }],
      Schedules: [
        {
          Name: 'daily',
          CreateRule: { Interval: 24, IntervalUnit: 'HOURS', Times: ['03:00'] },
          RetainRule: { Interval: 14, IntervalUnit: 'DAYS' },
          CopyTags: true,
          TagsToAdd: [{ Key: STATE_SNAPSHOT_TAG_KEY, Value: DEPLOYMENT }],
        },
      ],
    });
  });

  test('its role, trusted by DLM only, snapshots only volumes with the tag and deletes only snapshots with the snapshot tag', () => {
    const [, policy] = only(ofType(base.gateway, 'AWS::DLM::LifecyclePolicy'));
    const roleId = (policy.Properties.ExecutionRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const role = ofType(base.gateway, 'AWS::IAM::Role')[roleId]!;
    expect((role.Properties.AssumeRolePolicyDocument as { Statement: { Principal: unknown }[] }).Statement.map((s) => s.Principal)).toEqual([{ Service: 'dlm.amazonaws.com' }]);
    // Its permissions and its grants on actions that support no resource ARN (ActionsWithoutResourcePolicy).
    const attached = Object.values(ofType(base.gateway, 'AWS::IAM::ManagedPolicy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(attached.map((p) => p.Properties.Description)).toEqual([
      `Snapshots of the ${DEPLOYMENT} state volume only`,
      `Snapshots of the ${DEPLOYMENT} state volume: the actions that support no resource ARN`,
    ]);
    const statements = attached.flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Sid: string; Action: unknown; Condition?: unknown }[] }).Statement);
    expect(statements.map((s) => s.Sid)).toEqual([
      'SnapshotOwnStateVolume',
      'CreateSnapshots',
      'TagOnlySnapshotsItCreates',
      'UseTheVolumeKeyThroughEc2',
      'GrantTheVolumeKeyToEc2',
      'DeleteOwnStateSnapshots',
      'FindVolumesAndSnapshots',
    ]);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.SnapshotOwnStateVolume!.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${STATE_VOLUME_TAG_KEY}`]: DEPLOYMENT } });
    expect(bySid.DeleteOwnStateSnapshots!.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${STATE_SNAPSHOT_TAG_KEY}`]: DEPLOYMENT } });
    expect(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).filter((a) => a === 'ec2:DeleteSnapshot')).toHaveLength(1);
    // Tags only what it creates (else: tag any snapshot as ours, then delete it).
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('ec2:CreateTags')).map((s) => [s.Sid, s.Condition])).toEqual([
      ['TagOnlySnapshotsItCreates', { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSnapshots'] } }],
    ]);
    // The volume's customer-managed key, only through EC2 (without it DLM cannot snapshot an encrypted volume).
    const via = { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' };
    expect(bySid.UseTheVolumeKeyThroughEc2!.Condition).toEqual({ StringEquals: via });
    expect(bySid.GrantTheVolumeKeyToEc2!.Condition).toEqual({ StringEquals: via, Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('kms:')).map((s) => s.Sid).sort()).toEqual(['GrantTheVolumeKeyToEc2', 'UseTheVolumeKeyThroughEc2']);
  });

  test('retention comes from config', () => {
    const { gateway } = build({ 'clients/example/prod.yaml': `${fs.readFileSync(path.join(__dirname, '../../config/clients/example/prod.yaml'), 'utf8')}\ninstance:\n  stateBackup:\n    retainDays: 35\n` });
    const [, policy] = only(ofType(gateway, 'AWS::DLM::LifecyclePolicy'));
    expect((policy.Properties.PolicyDetails as { Schedules: { RetainRule: unknown }[] }).Schedules[0]!.RetainRule).toEqual({ Interval: 35, IntervalUnit: 'DAYS' });
  }, 300_000);
});

describe('a host change never replaces the state volume', () => {
  test('a changed agent file: new user data (so a new instance), the same volume logical ID and properties', () => {
    const soul = path.join(__dirname, '../../config/clients/example/agents/ops/SOUL.md');
    const { gateway } = build({ 'clients/example/agents/ops/SOUL.md': `${fs.readFileSync(soul, 'utf8')}\nOne more line.\n` });
    // The change reached the host: its user data (the bundle checksum) differs.
    expect(userDataOf(gateway)).not.toEqual(userDataOf(base.gateway));
    expect(ofType(gateway, 'AWS::EC2::Volume')).toEqual(ofType(base.gateway, 'AWS::EC2::Volume'));
    expect(ofType(gateway, 'AWS::DLM::LifecyclePolicy')).toEqual(ofType(base.gateway, 'AWS::DLM::LifecyclePolicy'));
  }, 300_000);

  test('a different instance type: the same volume', () => {
    const { gateway } = build({ 'clients/example/prod.yaml': `${fs.readFileSync(path.join(__dirname, '../../config/clients/example/prod.yaml'), 'utf8')}\ninstance:\n  type: t4g.medium\n` });
    expect(only(ofType(gateway, 'AWS::EC2::Instance'))[1].Properties.InstanceType).toBe('t4g.medium');
    expect(ofType(gateway, 'AWS::EC2::Volume')).toEqual(ofType(base.gateway, 'AWS::EC2::Volume'));
  }, 300_000);
});

describe('a bigger state volume', () => {
  test('is resized in place: the same volume, the same host (no replacement for a Ref\'d resource\'s properties)', () => {
    const prod = fs.readFileSync(path.join(__dirname, '../../config/clients/example/prod.yaml'), 'utf8');
    const { gateway } = build({ 'clients/example/prod.yaml': `${prod}\ninstance:\n  stateVolume:\n    sizeGiB: 20\n` });
    const [volumeId, volume] = only(ofType(gateway, 'AWS::EC2::Volume'));
    expect(volumeId).toBe(only(ofType(base.gateway, 'AWS::EC2::Volume'))[0]);
    expect(volume.Properties.Size).toBe(20);
    expect(only(ofType(gateway, 'AWS::EC2::Instance'))[0]).toBe(only(ofType(base.gateway, 'AWS::EC2::Instance'))[0]);
  }, 300_000);
});

describe('restore: instance.stateVolume.restoreFromSnapshotId', () => {
  const SNAPSHOT = 'snap-0123456789abcdef0';
  let restored: Template;
  beforeAll(() => {
    const prod = fs.readFileSync(path.join(__dirname, '../../config/clients/example/prod.yaml'), 'utf8');
    restored = build({ 'clients/example/prod.yaml': `${prod}\ninstance:\n  stateVolume:\n    restoreFromSnapshotId: ${SNAPSHOT}\n` }).gateway;
  }, 300_000);

  test('creates a NEW volume (new logical ID) from that snapshot, encrypted, retained; the old one leaves the stack (retained, not deleted)', () => {
    const [oldId] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    const [newId, volume] = only(ofType(restored, 'AWS::EC2::Volume'));
    expect(newId).not.toBe(oldId);
    expect(volume.Properties).toMatchObject({ SnapshotId: SNAPSHOT, Encrypted: true, VolumeType: 'gp3' });
    expect(volume.Properties.KmsKeyId).toEqual(only(ofType(base.gateway, 'AWS::EC2::Volume'))[1].Properties.KmsKeyId);
    expect([volume.DeletionPolicy, volume.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
    // Still selected by the backup policy.
    expect(volume.Properties.Tags).toEqual(expect.arrayContaining([{ Key: STATE_VOLUME_TAG_KEY, Value: DEPLOYMENT }]));
  });

  test('the host attaches the restored volume: the user data and the attach permission name it', () => {
    const [newId] = only(ofType(restored, 'AWS::EC2::Volume'));
    expect(userDataOf(restored)).toContain(`{"Ref":"${newId}"}`);
    const policy = Object.values(ofType(restored, 'AWS::IAM::ManagedPolicy')).find((p) => p.Properties.Description === 'The gateway host attaches its own state volume to itself')!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain(`{"Ref":"${newId}"}`);
    const [oldId] = only(ofType(base.gateway, 'AWS::EC2::Volume'));
    expect(JSON.stringify(restored.toJSON())).not.toContain(`"${oldId}"`);
  });
});
