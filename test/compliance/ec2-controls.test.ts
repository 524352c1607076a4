import type { ComplianceControl, TemplateResource } from '../../lib/compliance/control';
import { ebsStateVolumeProtected, ec2Imdsv2, ec2NoPublicIp, ec2VolumesEncrypted, noWorldIngress, vpcDefaultSecurityGroupClosed, vpcFlowLogs } from '../../lib/host/compliance-controls';

// Near misses of the EC2/VPC controls: each differs from a compliant template in one detail, with the exact outcome.
type Resources = Record<string, TemplateResource>;
const check = (control: ComplianceControl, logicalId: string, resources: Resources) => control.holds(resources[logicalId]!, { logicalId, resources });

const METADATA = { HttpTokens: 'required', HttpPutResponseHopLimit: 1 };
const launchTemplate = (data: Record<string, unknown> | null = { MetadataOptions: METADATA }): TemplateResource => ({
  Type: 'AWS::EC2::LaunchTemplate',
  ...(data === null ? {} : { Properties: { LaunchTemplateData: data } }),
});
const instance = (props: Record<string, unknown> = {}, lt: TemplateResource = launchTemplate()): Resources => ({
  Lt: lt,
  I: {
    Type: 'AWS::EC2::Instance',
    Properties: {
      LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '1' },
      NetworkInterfaces: [{ AssociatePublicIpAddress: false, SubnetId: 's' }],
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: 'k' } }],
      ...props,
    },
  },
});

test.each<[string, ComplianceControl, Resources, boolean]>([
  ['IMDSv2: compliant', ec2Imdsv2, instance(), true],
  ['IMDSv2: the launch template by GetAtt LaunchTemplateId', ec2Imdsv2, instance({ LaunchTemplate: { LaunchTemplateId: { 'Fn::GetAtt': ['Lt', 'LaunchTemplateId'] } } }), true],
  ['IMDSv2: tokens optional', ec2Imdsv2, instance({}, launchTemplate({ MetadataOptions: { ...METADATA, HttpTokens: 'optional' } })), false],
  ['IMDSv2: hop limit unset', ec2Imdsv2, instance({}, launchTemplate({ MetadataOptions: { HttpTokens: 'required' } })), false],
  ['IMDSv2: no metadata options', ec2Imdsv2, instance({}, launchTemplate({})), false],
  ['IMDSv2: a launch template without properties', ec2Imdsv2, instance({}, launchTemplate(null)), false],
  ['IMDSv2: no launch template on the instance', ec2Imdsv2, instance({ LaunchTemplate: undefined }), false],
  ['IMDSv2: an instance without properties', ec2Imdsv2, { Lt: launchTemplate(), I: { Type: 'AWS::EC2::Instance' } }, false],
  ['IMDSv2: a launch template the instance does not use', ec2Imdsv2, { ...instance({ LaunchTemplate: { LaunchTemplateId: { Ref: 'Other' } } }), Other: launchTemplate({ MetadataOptions: { ...METADATA, HttpTokens: 'optional' } }) }, false],
  ['IMDSv2: a resource of another type under the referenced id', ec2Imdsv2, { ...instance(), Lt: { Type: 'AWS::EC2::Volume', Properties: { LaunchTemplateData: { MetadataOptions: METADATA } } } }, false],
  ['no public IP: compliant', ec2NoPublicIp, instance(), true],
  ['no public IP: no network interface declared (the subnet decides)', ec2NoPublicIp, instance({ NetworkInterfaces: undefined }), false],
  ['no public IP: an empty interface list', ec2NoPublicIp, instance({ NetworkInterfaces: [] }), false],
  ['no public IP: one of two interfaces public', ec2NoPublicIp, instance({ NetworkInterfaces: [{ AssociatePublicIpAddress: false }, { AssociatePublicIpAddress: true }] }), false],
  ['no public IP: an interface that leaves it unset', ec2NoPublicIp, instance({ NetworkInterfaces: [{ SubnetId: 's' }] }), false],
  ['no public IP: two private interfaces', ec2NoPublicIp, instance({ NetworkInterfaces: [{ AssociatePublicIpAddress: false }, { AssociatePublicIpAddress: false }] }), true],
  ['volumes encrypted: compliant', ec2VolumesEncrypted, instance(), true],
  ['volumes encrypted: no mapping', ec2VolumesEncrypted, instance({ BlockDeviceMappings: undefined }), false],
  ['volumes encrypted: an empty mapping list', ec2VolumesEncrypted, instance({ BlockDeviceMappings: [] }), false],
  ['volumes encrypted: a mapping without Ebs', ec2VolumesEncrypted, instance({ BlockDeviceMappings: [{ DeviceName: '/dev/sdb', NoDevice: {} }] }), false],
  ['volumes encrypted: encrypted with the AWS-managed key', ec2VolumesEncrypted, instance({ BlockDeviceMappings: [{ Ebs: { Encrypted: true } }] }), false],
  ['volumes encrypted: a key but not encrypted', ec2VolumesEncrypted, instance({ BlockDeviceMappings: [{ Ebs: { KmsKeyId: 'k' } }] }), false],
  ['volumes encrypted: one of two volumes unencrypted', ec2VolumesEncrypted, instance({ BlockDeviceMappings: [{ Ebs: { Encrypted: true, KmsKeyId: 'k' } }, { Ebs: { Encrypted: false } }] }), false],
])('EC2 instance: %s', (_name, control, resources, expected) => {
  expect(check(control, 'I', resources)).toBe(expected);
});

test('the no-public-IP control applies to an instance without properties (only SourceDestCheck false marks the NAT instance)', () => {
  expect(ec2NoPublicIp.appliesTo?.({ Type: 'AWS::EC2::Instance' })).toBe(true);
  expect(ec2NoPublicIp.appliesTo?.({ Type: 'AWS::EC2::Instance', Properties: { SourceDestCheck: 'false' } })).toBe(true);
});

const vpc = (extra: Resources): Resources => ({ V: { Type: 'AWS::EC2::VPC' }, ...extra });
const flowLog = (props: Record<string, unknown> = { ResourceId: { Ref: 'V' }, TrafficType: 'ALL' }): TemplateResource => ({ Type: 'AWS::EC2::FlowLog', Properties: props });
const restrictSg = (id: unknown): TemplateResource => ({ Type: 'Custom::VpcRestrictDefaultSG', Properties: { DefaultSecurityGroupId: id } });
test.each<[string, ComplianceControl, Resources, boolean]>([
  ['flow logs: by Ref', vpcFlowLogs, vpc({ F: flowLog() }), true],
  ['flow logs: by GetAtt', vpcFlowLogs, vpc({ F: flowLog({ ResourceId: { 'Fn::GetAtt': ['V', 'VpcId'] }, TrafficType: 'ALL' }) }), true],
  ['flow logs: none', vpcFlowLogs, vpc({}), false],
  ['flow logs: ACCEPT only', vpcFlowLogs, vpc({ F: flowLog({ ResourceId: { Ref: 'V' }, TrafficType: 'ACCEPT' }) }), false],
  ['flow logs: of another VPC', vpcFlowLogs, vpc({ F: flowLog({ ResourceId: { Ref: 'V2' }, TrafficType: 'ALL' }) }), false],
  ['flow logs: a literal VPC id', vpcFlowLogs, vpc({ F: flowLog({ ResourceId: 'V', TrafficType: 'ALL' }) }), false],
  ['flow logs: one for another VPC beside ours', vpcFlowLogs, vpc({ G: flowLog({ ResourceId: { Ref: 'V2' }, TrafficType: 'ALL' }), F: flowLog() }), true],
  ['flow logs: a flow log without properties', vpcFlowLogs, vpc({ F: { Type: 'AWS::EC2::FlowLog' } }), false],
  ['flow logs: a resource of another type with the same properties', vpcFlowLogs, vpc({ F: { Type: 'AWS::Logs::LogGroup', Properties: { ResourceId: { Ref: 'V' }, TrafficType: 'ALL' } } }), false],
  ['default SG: closed by GetAtt', vpcDefaultSecurityGroupClosed, vpc({ C: restrictSg({ 'Fn::GetAtt': ['V', 'DefaultSecurityGroup'] }) }), true],
  ['default SG: of another VPC', vpcDefaultSecurityGroupClosed, vpc({ C: restrictSg({ 'Fn::GetAtt': ['V2', 'DefaultSecurityGroup'] }) }), false],
  ['default SG: a custom resource without properties', vpcDefaultSecurityGroupClosed, vpc({ C: { Type: 'Custom::VpcRestrictDefaultSG' } }), false],
  ['default SG: another custom resource type', vpcDefaultSecurityGroupClosed, vpc({ C: { Type: 'Custom::Other', Properties: { DefaultSecurityGroupId: { 'Fn::GetAtt': ['V', 'DefaultSecurityGroup'] } } } }), false],
])('VPC: %s', (_name, control, resources, expected) => {
  expect(check(control, 'V', resources)).toBe(expected);
});

const sg = (inline?: unknown[], extra: Resources = {}): Resources => ({
  S: { Type: 'AWS::EC2::SecurityGroup', Properties: inline === undefined ? {} : { SecurityGroupIngress: inline } },
  ...extra,
});
const ingress = (props: Record<string, unknown>): TemplateResource => ({ Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['S', 'GroupId'] }, ...props } });
test.each<[string, Resources, boolean]>([
  ['no ingress at all', sg(), true],
  ['a security group without properties', { S: { Type: 'AWS::EC2::SecurityGroup' } }, true],
  ['inline 0.0.0.0/0 on 443 (any port counts)', sg([{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }]), false],
  ['inline ::/0 on all protocols', sg([{ CidrIpv6: '::/0', IpProtocol: '-1' }]), false],
  ['a private rule then a world rule', sg([{ CidrIp: '10.0.0.0/16', FromPort: 22, ToPort: 22 }, { CidrIp: '0.0.0.0/0', FromPort: 22, ToPort: 22 }]), false],
  ['a /1 is not the world', sg([{ CidrIp: '0.0.0.0/1', FromPort: 22, ToPort: 22 }, { CidrIpv6: '::/1' }]), true],
  ['a separate world ingress by Ref', sg(undefined, { R: ingress({ GroupId: { Ref: 'S' }, CidrIp: '0.0.0.0/0', FromPort: 3389, ToPort: 3389 }) }), false],
  ['a separate world ingress for another group', sg(undefined, { R: ingress({ GroupId: { Ref: 'S2' }, CidrIp: '0.0.0.0/0' }) }), true],
  ['a separate private ingress', sg(undefined, { R: ingress({ CidrIp: '10.0.0.0/8' }) }), true],
  ['a separate ingress without properties', sg(undefined, { R: { Type: 'AWS::EC2::SecurityGroupIngress' } }), true],
  ['a world egress is not ingress', sg(undefined, { R: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: { Ref: 'S' }, CidrIp: '0.0.0.0/0' } } }), true],
])('no world ingress: %s', (_name, resources, expected) => {
  expect(check(noWorldIngress, 'S', resources)).toBe(expected);
});

interface StateVolumeVariant {
  readonly volume?: Record<string, unknown>;
  readonly tags?: unknown[];
  readonly deletion?: string;
  readonly details?: Record<string, unknown>;
  readonly policy?: Record<string, unknown> | null;
  readonly schedules?: unknown[];
  readonly extra?: Resources;
}
const TAG = { Key: 'openclaw:state-volume', Value: 'p-c-e' };
const DAILY = { CreateRule: { Interval: 24, IntervalUnit: 'HOURS' }, RetainRule: { Interval: 14, IntervalUnit: 'DAYS' } };
const stateVolume = (v: StateVolumeVariant = {}): Resources => ({
  V: {
    Type: 'AWS::EC2::Volume',
    DeletionPolicy: v.deletion ?? 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
    Properties: { Encrypted: true, KmsKeyId: 'k', Size: 8, Tags: v.tags ?? [TAG], ...v.volume },
  },
  ...(v.policy === null
    ? {}
    : {
        D: {
          Type: 'AWS::DLM::LifecyclePolicy',
          Properties: {
            State: 'ENABLED',
            PolicyDetails: { ResourceTypes: ['VOLUME'], TargetTags: [TAG], Schedules: v.schedules ?? [DAILY], ...v.details },
            ...v.policy,
          },
        },
      }),
  ...v.extra,
});
const schedule = (create: Record<string, unknown> | undefined, retain: Record<string, unknown> | undefined) => ({
  ...(create === undefined ? {} : { CreateRule: create }),
  ...(retain === undefined ? {} : { RetainRule: retain }),
});
test.each<[string, Resources, boolean]>([
  ['compliant (RetainExceptOnCreate)', stateVolume(), true],
  ['encrypted "true" as a string', stateVolume({ volume: { Encrypted: 'true' } }), false],
  ['a volume without properties', { ...stateVolume(), V: { Type: 'AWS::EC2::Volume', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } }, false],
  ['the policy targets another tag key with the same value', stateVolume({ details: { TargetTags: [{ Key: 'other', Value: 'p-c-e' }] } }), false],
  ['the policy targets two tags, the second ours', stateVolume({ details: { TargetTags: [{ Key: 'other', Value: 'x' }, TAG] } }), true],
  ['the volume has two tags, the second targeted', stateVolume({ tags: [{ Key: 'client', Value: 'c' }, TAG] }), true],
  ['a volume tag whose key is not a string matches nothing', stateVolume({ tags: [{ Key: { Ref: 'K' }, Value: 'p-c-e' }], details: { TargetTags: [{ Key: { Ref: 'K' }, Value: 'p-c-e' }] } }), false],
  ['the volume has no tags', stateVolume({ volume: { Tags: undefined } }), false],
  ['the policy has no target tags', stateVolume({ details: { TargetTags: undefined } }), false],
  ['the policy has no properties', stateVolume({ extra: { D: { Type: 'AWS::DLM::LifecyclePolicy' } } }), false],
  ['the policy has no details', stateVolume({ extra: { D: { Type: 'AWS::DLM::LifecyclePolicy', Properties: { State: 'ENABLED' } } } }), false],
  ['the policy targets instances', stateVolume({ details: { ResourceTypes: ['INSTANCE'] } }), false],
  ['the policy names no resource type', stateVolume({ details: { ResourceTypes: undefined } }), false],
  ['a disabled policy beside an enabled one', stateVolume({ extra: { D0: { ...stateVolume().D!, Properties: { ...stateVolume().D!.Properties, State: 'DISABLED' } } } }), true],
  ['a resource of another type shaped like the policy', { V: stateVolume().V!, D: { ...stateVolume().D!, Type: 'AWS::Backup::BackupPlan' } }, false],
  ['no schedules', stateVolume({ details: { Schedules: undefined } }), false],
  ['a weekly schedule then a daily one', stateVolume({ schedules: [schedule({ Interval: 168, IntervalUnit: 'HOURS' }, { Count: 4 }), DAILY] }), true],
  ['every 24 hours is daily', stateVolume({ schedules: [schedule({ Interval: 24, IntervalUnit: 'HOURS' }, { Count: 1 })] }), true],
  ['every 25 hours is not daily', stateVolume({ schedules: [schedule({ Interval: 25, IntervalUnit: 'HOURS' }, { Count: 1 })] }), false],
  ['an interval as a string', stateVolume({ schedules: [schedule({ Interval: '24', IntervalUnit: 'HOURS' }, { Count: 1 })] }), false],
  ['an interval in another unit', stateVolume({ schedules: [schedule({ Interval: 1, IntervalUnit: 'DAYS' }, { Count: 1 })] }), false],
  ['a cron expression is not proven daily', stateVolume({ schedules: [schedule({ CronExpression: 'cron(0 3 * * ? *)' }, { Count: 1 })] }), false],
  ['no create rule', stateVolume({ schedules: [schedule(undefined, { Count: 1 })] }), false],
  ['no retain rule', stateVolume({ schedules: [schedule({ Interval: 12, IntervalUnit: 'HOURS' }, undefined)] }), false],
  ['retained one day', stateVolume({ schedules: [schedule({ Interval: 12, IntervalUnit: 'HOURS' }, { Interval: 1, IntervalUnit: 'DAYS' })] }), true],
  ['retained zero days', stateVolume({ schedules: [schedule({ Interval: 12, IntervalUnit: 'HOURS' }, { Interval: 0, IntervalUnit: 'DAYS' })] }), false],
  ['retained one snapshot', stateVolume({ schedules: [schedule({ Interval: 12, IntervalUnit: 'HOURS' }, { Count: 1 })] }), true],
  ['retained zero snapshots', stateVolume({ schedules: [schedule({ Interval: 12, IntervalUnit: 'HOURS' }, { Count: 0 })] }), false],
])('state volume: %s', (_name, resources, expected) => {
  expect(check(ebsStateVolumeProtected, 'V', resources)).toBe(expected);
});
