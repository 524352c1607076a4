import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GatewayInstance } from '../../lib/host/gateway-instance';
import { replacementDigest } from '../../lib/host/replacement-identity';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The gateway host on a bare stack (not the whole app), once with the defaults and once with
// every option set: placed in the private subnet of the VPC's first AZ, no public IP, the
// given security group, role and pinned AMI, the hardening (IMDSv2 launch template, encrypted
// root volume), a logical ID that follows every replacing change, read by other stacks through
// weak references even when the app-wide default is strong, and exactly its acknowledgements.

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const env = { account: '123456789012', region: 'eu-west-1' };
// The app-wide default is strong references (as cdk.json may set it): the host's own setting must win.
const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
const stack = new Stack(app, 'Gateway', { env });
// Deploy-time AZs, as the network stack passes them.
const azs = [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
const imported = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: azs,
  publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
  privateSubnetIds: ['subnet-1111111111111111a', 'subnet-1111111111111111b'],
});
// The VPC's first AZ (where the state volume is created) is not the AZ of its first private
// subnet: only an explicit AZ selection puts the host next to its volume.
const vpc: ec2.IVpc = Object.create(imported, { availabilityZones: { value: [azs[1], azs[0]] } });
const common = {
  vpc,
  securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0'),
  key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN),
  role: iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/openclaw-test-prod-host', { mutable: false }),
};
const byDefault = new GatewayInstance(stack, 'Host', { ...common, amiId: 'ami-0123456789abcdef0' });
const configured = new GatewayInstance(stack, 'Configured', {
  ...common,
  amiId: 'ami-0fedcba9876543210',
  instanceType: 'm7g.large',
  rootVolumeGiB: 30,
  userData: ec2.UserData.custom('#!/bin/bash\necho configured'),
});
// Another stack (edge, spend) reading both instances' IDs.
const consumer = new Stack(app, 'Edge', { env });
new CfnResource(consumer, 'ReadsHost', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: byDefault.instanceId } });
new CfnResource(consumer, 'ReadsConfigured', { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: configured.instanceId } });

const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown; Export?: unknown }> };
const consumerTemplate = Template.fromStack(consumer).toJSON() as { Resources: Record<string, Resource> };
const cfnOf = (i: GatewayInstance) => i.node.defaultChild as ec2.CfnInstance;
const idOf = (c: { node: { defaultChild?: unknown } }) => stack.resolve((c.node.defaultChild as CfnResource).logicalId) as string;
const HOST_PROFILE = 'HostInstanceProfileFDE6399F';
const HOST_LAUNCH_TEMPLATE = 'HostMetadataOptions1922AB7A';
const CONFIGURED_PROFILE = 'ConfiguredInstanceProfileCA02B4CE';
const CONFIGURED_LAUNCH_TEMPLATE = 'ConfiguredMetadataOptions2554E43C';

const expectedInstance = (o: { ami: string; type: string; rootGiB: number; profile: string; launchTemplate: string; name: string; userData: string }) => ({
  Type: 'AWS::EC2::Instance',
  Properties: {
    AvailabilityZone: { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, KmsKeyId: KEY_ARN, VolumeSize: o.rootGiB, VolumeType: 'gp3' } }],
    DisableApiTermination: false,
    IamInstanceProfile: { Ref: o.profile },
    ImageId: o.ami,
    InstanceType: o.type,
    LaunchTemplate: { LaunchTemplateId: { Ref: o.launchTemplate }, Version: { 'Fn::GetAtt': [o.launchTemplate, 'LatestVersionNumber'] } },
    Monitoring: false,
    NetworkInterfaces: [{ AssociatePublicIpAddress: false, DeviceIndex: '0', GroupSet: ['sg-0123456789abcdef0'], SubnetId: 'subnet-1111111111111111b' }],
    Tags: [{ Key: 'Name', Value: o.name }],
    UserData: { 'Fn::Base64': o.userData },
  },
});

test('exactly these resources: per host its instance, its instance profile for the given role and its metadata launch template', () => {
  expect(Object.entries(template.Resources).map(([id, r]) => [id, r.Type])).toEqual([
    [HOST_PROFILE, 'AWS::IAM::InstanceProfile'],
    [idOf(byDefault), 'AWS::EC2::Instance'],
    [HOST_LAUNCH_TEMPLATE, 'AWS::EC2::LaunchTemplate'],
    [CONFIGURED_PROFILE, 'AWS::IAM::InstanceProfile'],
    [idOf(configured), 'AWS::EC2::Instance'],
    [CONFIGURED_LAUNCH_TEMPLATE, 'AWS::EC2::LaunchTemplate'],
  ]);
  expect(template.Resources[HOST_PROFILE]!.Properties).toEqual({ Roles: ['openclaw-test-prod-host'] });
  expect(template.Resources[CONFIGURED_PROFILE]!.Properties).toEqual({ Roles: ['openclaw-test-prod-host'] });
});

test('by default: t4g.small, the pinned AMI of the stack\'s region, a 16 GiB encrypted gp3 root volume, no user data of ours; in the private subnet of the VPC\'s first AZ, no public IP, the given security group and role', () => {
  expect(template.Resources[idOf(byDefault)]).toEqual(
    expectedInstance({ ami: 'ami-0123456789abcdef0', type: 't4g.small', rootGiB: 16, profile: HOST_PROFILE, launchTemplate: HOST_LAUNCH_TEMPLATE, name: 'Gateway/Host', userData: '#!/bin/bash' }),
  );
});

test('configured: the given instance type, AMI, root volume size and user data; the same placement and hardening', () => {
  expect(template.Resources[idOf(configured)]).toEqual(
    expectedInstance({
      ami: 'ami-0fedcba9876543210',
      type: 'm7g.large',
      rootGiB: 30,
      profile: CONFIGURED_PROFILE,
      launchTemplate: CONFIGURED_LAUNCH_TEMPLATE,
      name: 'Gateway/Configured',
      userData: '#!/bin/bash\necho configured',
    }),
  );
});

test('IMDSv2 with a hop limit of 1 through the launch template it exposes as metadataLaunchTemplate', () => {
  for (const [instance, id] of [
    [byDefault, HOST_LAUNCH_TEMPLATE],
    [configured, CONFIGURED_LAUNCH_TEMPLATE],
  ] as const) {
    expect(stack.resolve((instance.metadataLaunchTemplate.node.defaultChild as CfnResource).logicalId)).toBe(id);
    const data = (template.Resources[id]!.Properties as { LaunchTemplateData: Record<string, unknown> }).LaunchTemplateData;
    expect(data.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1, HttpTokens: 'required', InstanceMetadataTags: 'disabled' });
  }
});

test('the logical ID follows every replacing change: the base ID plus the digest of what replaces the instance', () => {
  expect(idOf(byDefault)).toBe(`HostB4E45AD7${replacementDigest(cfnOf(byDefault)).slice(0, 16)}`);
  expect(idOf(configured)).toBe(`ConfiguredFA9B805B${replacementDigest(cfnOf(configured)).slice(0, 16)}`);
  expect(idOf(byDefault)).toMatch(/^HostB4E45AD7[0-9a-f]{16}$/);
});

test('other stacks read the instance through Fn::GetStackOutput of a plain output, never an export, although the app-wide default is strong', () => {
  const outputs = template.Outputs ?? {};
  expect(Object.values(outputs).filter((o) => o.Export !== undefined)).toEqual([]);
  const read = (id: string) => consumerTemplate.Resources[id]!.Properties.Value as { 'Fn::GetStackOutput': { StackName: string; Region: string; OutputName: string } };
  for (const [reader, instance] of [
    ['ReadsHost', byDefault],
    ['ReadsConfigured', configured],
  ] as const) {
    const { StackName, Region, OutputName } = read(reader)['Fn::GetStackOutput'];
    expect([StackName, Region]).toEqual(['Gateway', 'eu-west-1']);
    expect(outputs[OutputName]).toEqual({ Value: { Ref: idOf(instance) } });
  }
});

test('acknowledges exactly the hardening, pinned-AMI and in-VPC findings of each host, each with its reason', () => {
  const acks = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint');
  const forHost = (name: string) => [
    [`Gateway/${name}/Resource`, 'AwsSolutions-EC28', true],
    [`Gateway/${name}/Resource`, 'HIPAA.Security-EC2InstanceDetailedMonitoringEnabled', true],
    [`Gateway/${name}/Resource`, 'cdk-validator-cfnguard::ec2_instance_detailed_monitoring_enabled_check', true],
    [`Gateway/${name}/Resource`, 'AwsSolutions-EC29', true],
    [`Gateway/${name}/Resource`, 'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check', true],
    [`Gateway/${name}/Resource`, 'CloudFormation-Validate::W9010', true],
    [`Gateway/${name}/Resource`, 'NIST.800.53.R5-EC2InstancesInVPC', true],
    [`Gateway/${name}/Resource`, 'HIPAA.Security-EC2InstancesInVPC', true],
    [`Gateway/${name}/MetadataOptions/Resource`, 'cdk-validator-cfnguard::ec2_launch_template_monitoring_enabled_check', true],
  ];
  expect(acks.map((a) => [a.path, a.rule, a.onSingleResource])).toEqual([...forHost('Host'), ...forHost('Configured')]);
  const inVpc =
    'The rule reads only the top-level SubnetId; the instance sits in a private subnet through NetworkInterfaces[0].SubnetId, which Control Tower CT.EC2.PR.8 requires so that AssociatePublicIpAddress is explicitly false.';
  expect(acks.filter((a) => a.rule.endsWith('-EC2InstancesInVPC')).map((a) => a.reason)).toEqual([inVpc, inVpc, inVpc, inVpc]);
  expect(acks.find((a) => a.rule === 'CloudFormation-Validate::W9010')!.reason).toMatch(/^The AMI is pinned on purpose in config/);
});
