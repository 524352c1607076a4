import { App, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GatewayVpc, VPC_FLOW_LOG_PREFIX } from '../../lib/network/gateway-vpc';
import { replacementDigest } from '../../lib/host/replacement-identity';
import type { NetworkConfig } from '../../lib/network/config-schema';
import { ConfigError } from '../../lib/config/errors';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { renderNatUserData } from '../../lib/network/nat-user-data';

// The gateway's VPC on a bare stack (not the whole app), in both NAT modes: the VPC and its
// four subnets pinned exactly (two deploy-time AZs, /24 each, no public IP on launch), the
// routes (only the public subnets reach the internet gateway), the default security group
// stripped, flow logs of all traffic to the audit bucket, the hardened NAT instance (pinned
// AMI, own public IP, our setup script, HTTPS from the VPC only, logical ID that follows a
// replacement) or the NAT gateway, and exactly the acknowledgements the construct makes.

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const AUDIT_BUCKET_ARN = 'arn:aws:s3:::openclaw-test-prod-audit';
const NETWORK: NetworkConfig = {
  vpcCidr: '10.40.0.0/16',
  natMode: 'instance',
  natInstanceType: 't4g.nano',
  natAmiId: 'ami-0123456789abcdef0',
  egress: { providers: [], channels: [], extraDomains: [] },
};

const build = (network: Partial<NetworkConfig>) => {
  const stack = new Stack(new App(), 'Network', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new GatewayVpc(stack, 'Vpc', {
    network: { ...NETWORK, ...network },
    availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
    key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN),
    auditBucketArn: AUDIT_BUCKET_ARN,
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  return { stack, vpc, resources };
};

const withInstance = build({});
const withGateway = build({ natMode: 'gateway', natInstanceType: 'c7g.large', natAmiId: undefined });
// Another AMI (a replacing change) and another instance type (an in-place change).
const withNewAmi = build({ natAmiId: 'ami-0fedcba9876543210', natInstanceType: 't4g.micro' });

const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const natInstanceOf = (resources: Record<string, Resource>) => {
  const instances = ofType(resources, 'AWS::EC2::Instance');
  expect(instances).toHaveLength(1);
  return { id: instances[0]![0], ...instances[0]![1] };
};

const VPC = 'Vpc8378EB38';
const IGW = 'VpcIGWD7BA715C';
const IGW_ATTACHMENT = 'VpcVPCGWBF912B6E';
const SUBNETS = {
  public1: { id: 'VpcpublicSubnet1Subnet2BB74ED7', table: 'VpcpublicSubnet1RouteTable15C15F8E', route: 'VpcpublicSubnet1DefaultRouteB88F9E93', assoc: 'VpcpublicSubnet1RouteTableAssociation4E83B6E4' },
  public2: { id: 'VpcpublicSubnet2SubnetE34B022A', table: 'VpcpublicSubnet2RouteTableC5A6DF77', route: 'VpcpublicSubnet2DefaultRoute732F0BEB', assoc: 'VpcpublicSubnet2RouteTableAssociationCCE257FF' },
  private1: { id: 'VpcprivateSubnet1SubnetCEAD3716', table: 'VpcprivateSubnet1RouteTable1979EACB', route: 'VpcprivateSubnet1DefaultRouteB506891A', assoc: 'VpcprivateSubnet1RouteTableAssociationEEBD93CE' },
  private2: { id: 'VpcprivateSubnet2Subnet2DE7549C', table: 'VpcprivateSubnet2RouteTable4D0FFC8C', route: 'VpcprivateSubnet2DefaultRouteBAC3C1C3', assoc: 'VpcprivateSubnet2RouteTableAssociationB691E645' },
};
const NAT_BASE_ID = 'VpcpublicSubnet1NatInstance6B5DA608';
const NAT_SG = 'VpcNatSecurityGroup8DA26EDC';
const NAT_LAUNCH_TEMPLATE = 'VpcpublicSubnet1NatInstanceMetadataOptionsBE5A266A';
const NAT_ROLE = 'VpcpublicSubnet1NatInstanceInstanceRoleE2CB6C6C';
const NAT_PROFILE = 'VpcpublicSubnet1NatInstanceInstanceProfileBFDE842A';
const NAT_GATEWAY = 'VpcpublicSubnet1NATGatewayA036E8A6';
const NAT_EIP = 'VpcpublicSubnet1EIP411541E6';
const RESTRICT_DEFAULT_SG = 'VpcRestrictDefaultSecurityGroupCustomResourceC73DA2BE';
const RESTRICT_DEFAULT_SG_ROLE = 'CustomVpcRestrictDefaultSGCustomResourceProviderRole26592FE0';
const RESTRICT_DEFAULT_SG_HANDLER = 'CustomVpcRestrictDefaultSGCustomResourceProviderHandlerDC833E5E';
const FLOW_LOG = 'VpcAllTrafficToAuditBucket2D0DA9D1';

const NAT_REASON =
  'This is the NAT instance: translating private egress to its public IP is its whole function. Its security group admits only HTTPS from the VPC and nothing from the internet.';
const IN_VPC_REASON =
  'The rule reads only the top-level SubnetId; with its public IP requested on the network interface, the NAT instance sits in a public subnet of this VPC through NetworkInterfaces[0].SubnetId.';
const ROUTE_REASON =
  'Only the public subnets route to the internet gateway, for the NAT (and the NAT gateway option); they host no workload and auto-assign no public IPs.';

describe('both NAT modes', () => {
  test.each([
    ['instance', withInstance],
    ['gateway', withGateway],
  ])('natMode %s: the VPC has the configured CIDR and DNS', (_mode, { resources }) => {
    expect(resources[VPC]).toEqual({
      Type: 'AWS::EC2::VPC',
      Properties: { CidrBlock: '10.40.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true, InstanceTenancy: 'default', Tags: [{ Key: 'Name', Value: 'Network/Vpc' }] },
    });
  });

  test.each([
    ['instance', withInstance],
    ['gateway', withGateway],
  ])('natMode %s: two deploy-time AZs, a public and a private /24 in each, none mapping a public IP on launch', (_mode, { resources }) => {
    const subnet = (name: 'public' | 'private', n: 1 | 2, cidr: string) => ({
      Type: 'AWS::EC2::Subnet',
      Properties: {
        AvailabilityZone: { 'Fn::Select': [n - 1, { 'Fn::GetAZs': '' }] },
        CidrBlock: cidr,
        MapPublicIpOnLaunch: false,
        Tags: [
          { Key: 'aws-cdk:subnet-name', Value: name },
          { Key: 'aws-cdk:subnet-type', Value: name === 'public' ? 'Public' : 'Private' },
          { Key: 'Name', Value: `Network/Vpc/${name}Subnet${n}` },
        ],
        VpcId: { Ref: VPC },
      },
    });
    expect(Object.fromEntries(ofType(resources, 'AWS::EC2::Subnet'))).toEqual({
      [SUBNETS.public1.id]: subnet('public', 1, '10.40.0.0/24'),
      [SUBNETS.public2.id]: subnet('public', 2, '10.40.1.0/24'),
      [SUBNETS.private1.id]: subnet('private', 1, '10.40.2.0/24'),
      [SUBNETS.private2.id]: subnet('private', 2, '10.40.3.0/24'),
    });
  });

  test.each([
    ['instance', withInstance, { InstanceId: { Ref: natInstanceOf(withInstance.resources).id } }],
    ['gateway', withGateway, { NatGatewayId: { Ref: NAT_GATEWAY } }],
  ])('natMode %s: only the public subnets route to the internet gateway; both private subnets route everything through the one NAT', (_mode, { resources }, viaNat) => {
    expect(Object.fromEntries(ofType(resources, 'AWS::EC2::Route'))).toEqual({
      [SUBNETS.public1.route]: {
        Type: 'AWS::EC2::Route',
        Properties: { DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: IGW }, RouteTableId: { Ref: SUBNETS.public1.table } },
        DependsOn: [IGW_ATTACHMENT],
      },
      [SUBNETS.public2.route]: {
        Type: 'AWS::EC2::Route',
        Properties: { DestinationCidrBlock: '0.0.0.0/0', GatewayId: { Ref: IGW }, RouteTableId: { Ref: SUBNETS.public2.table } },
        DependsOn: [IGW_ATTACHMENT],
      },
      [SUBNETS.private1.route]: { Type: 'AWS::EC2::Route', Properties: { DestinationCidrBlock: '0.0.0.0/0', ...viaNat, RouteTableId: { Ref: SUBNETS.private1.table } } },
      [SUBNETS.private2.route]: { Type: 'AWS::EC2::Route', Properties: { DestinationCidrBlock: '0.0.0.0/0', ...viaNat, RouteTableId: { Ref: SUBNETS.private2.table } } },
    });
  });

  test.each([
    ['instance', withInstance],
    ['gateway', withGateway],
  ])('natMode %s: the default security group is stripped of all its rules', (_mode, { resources }) => {
    expect(resources[RESTRICT_DEFAULT_SG]).toEqual({
      Type: 'Custom::VpcRestrictDefaultSG',
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [RESTRICT_DEFAULT_SG_HANDLER, 'Arn'] },
        DefaultSecurityGroupId: { 'Fn::GetAtt': [VPC, 'DefaultSecurityGroup'] },
        Account: '123456789012',
      },
      UpdateReplacePolicy: 'Delete',
      DeletionPolicy: 'Delete',
    });
  });

  test.each([
    ['instance', withInstance],
    ['gateway', withGateway],
  ])('natMode %s: flow logs of all traffic of the VPC go to the audit bucket under vpc-flow-logs, aggregated over 10 minutes', (_mode, { stack, vpc, resources }) => {
    expect(VPC_FLOW_LOG_PREFIX).toBe('vpc-flow-logs');
    expect(stack.getLogicalId(vpc.flowLog)).toBe(FLOW_LOG);
    expect(ofType(resources, 'AWS::EC2::FlowLog')).toEqual([
      [
        FLOW_LOG,
        {
          Type: 'AWS::EC2::FlowLog',
          Properties: {
            LogDestination: `${AUDIT_BUCKET_ARN}/vpc-flow-logs`,
            LogDestinationType: 's3',
            MaxAggregationInterval: 600,
            ResourceId: { Ref: VPC },
            ResourceType: 'VPC',
            Tags: [{ Key: 'Name', Value: 'Network/Vpc' }],
            TrafficType: 'ALL',
          },
        },
      ],
    ]);
  });
});

describe('natMode instance (the default)', () => {
  const { resources } = withInstance;
  const nat = natInstanceOf(resources);

  test('exactly these resources: the VPC, its subnets and routes, one NAT instance with its launch template, role, profile and security group, the default-SG cleaner, the flow log', () => {
    expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
      [VPC, 'AWS::EC2::VPC'],
      [SUBNETS.public1.id, 'AWS::EC2::Subnet'],
      [SUBNETS.public1.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.public1.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.public1.route, 'AWS::EC2::Route'],
      [NAT_ROLE, 'AWS::IAM::Role'],
      [NAT_PROFILE, 'AWS::IAM::InstanceProfile'],
      [nat.id, 'AWS::EC2::Instance'],
      [NAT_LAUNCH_TEMPLATE, 'AWS::EC2::LaunchTemplate'],
      [SUBNETS.public2.id, 'AWS::EC2::Subnet'],
      [SUBNETS.public2.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.public2.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.public2.route, 'AWS::EC2::Route'],
      [SUBNETS.private1.id, 'AWS::EC2::Subnet'],
      [SUBNETS.private1.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.private1.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.private1.route, 'AWS::EC2::Route'],
      [SUBNETS.private2.id, 'AWS::EC2::Subnet'],
      [SUBNETS.private2.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.private2.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.private2.route, 'AWS::EC2::Route'],
      [IGW, 'AWS::EC2::InternetGateway'],
      [IGW_ATTACHMENT, 'AWS::EC2::VPCGatewayAttachment'],
      [NAT_SG, 'AWS::EC2::SecurityGroup'],
      [RESTRICT_DEFAULT_SG, 'Custom::VpcRestrictDefaultSG'],
      [FLOW_LOG, 'AWS::EC2::FlowLog'],
      [RESTRICT_DEFAULT_SG_ROLE, 'AWS::IAM::Role'],
      [RESTRICT_DEFAULT_SG_HANDLER, 'AWS::Lambda::Function'],
    ]);
  });

  test('the NAT instance: configured type, the pinned AMI, its own public IP on its interface in the first public subnet, forwarding on, our setup script, hardened (IMDSv2 launch template, encrypted 8 GiB gp3 root volume)', () => {
    expect(nat).toEqual({
      id: nat.id,
      Type: 'AWS::EC2::Instance',
      Properties: {
        AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, KmsKeyId: KEY_ARN, VolumeSize: 8, VolumeType: 'gp3' } }],
        DisableApiTermination: false,
        IamInstanceProfile: { Ref: NAT_PROFILE },
        ImageId: 'ami-0123456789abcdef0',
        InstanceType: 't4g.nano',
        LaunchTemplate: { LaunchTemplateId: { Ref: NAT_LAUNCH_TEMPLATE }, Version: { 'Fn::GetAtt': [NAT_LAUNCH_TEMPLATE, 'LatestVersionNumber'] } },
        Monitoring: false,
        NetworkInterfaces: [{ AssociatePublicIpAddress: true, DeviceIndex: '0', GroupSet: [{ 'Fn::GetAtt': [NAT_SG, 'GroupId'] }], SubnetId: { Ref: SUBNETS.public1.id } }],
        SourceDestCheck: false,
        Tags: [{ Key: 'Name', Value: 'Network/Vpc/publicSubnet1/NatInstance' }],
        UserData: { 'Fn::Base64': renderNatUserData() },
      },
      DependsOn: [SUBNETS.public1.route, NAT_ROLE, SUBNETS.public1.assoc],
    });
  });

  test('the NAT instance requires IMDSv2 with a hop limit of 1 through its launch template', () => {
    const data = (resources[NAT_LAUNCH_TEMPLATE]!.Properties as { LaunchTemplateData: Record<string, unknown> }).LaunchTemplateData;
    expect(data.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1, HttpTokens: 'required', InstanceMetadataTags: 'disabled' });
  });

  test('the NAT security group admits only HTTPS from the VPC CIDR (nothing from the internet) and sends out what it forwards', () => {
    expect(resources[NAT_SG]).toEqual({
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'Security Group for NAT instances',
        SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' }],
        SecurityGroupIngress: [{ CidrIp: '10.40.0.0/16', Description: 'HTTPS from the VPC, the only egress', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }],
        Tags: [{ Key: 'Name', Value: 'Network/Vpc' }],
        VpcId: { Ref: VPC },
      },
    });
  });

  test('the NAT instance\'s logical ID follows every replacing change (its base ID and the digest of what replaces it), not an in-place one', () => {
    const cfn = (stack: Stack) => stack.node.findChild('Vpc').node.findChild('publicSubnet1').node.findChild('NatInstance').node.defaultChild as ec2.CfnInstance;
    expect(nat.id).toBe(`${NAT_BASE_ID}${replacementDigest(cfn(withInstance.stack)).slice(0, 16)}`);
    expect(nat.id).toMatch(/^VpcpublicSubnet1NatInstance6B5DA608[0-9a-f]{16}$/);
    // A new AMI replaces the instance: a new ID. The type alone would not (checked in the digest's own tests).
    const renewed = natInstanceOf(withNewAmi.resources);
    expect(renewed.id).toBe(`${NAT_BASE_ID}${replacementDigest(cfn(withNewAmi.stack)).slice(0, 16)}`);
    expect(renewed.id).not.toBe(nat.id);
    expect(renewed.Properties.ImageId).toBe('ami-0fedcba9876543210');
    expect(renewed.Properties.InstanceType).toBe('t4g.micro');
    // The private routes follow the new instance by Ref.
    expect(resources[SUBNETS.private1.route]!.Properties.InstanceId).toEqual({ Ref: nat.id });
    expect(withNewAmi.resources[SUBNETS.private1.route]!.Properties.InstanceId).toEqual({ Ref: renewed.id });
  });

  test('acknowledges exactly the NAT instance\'s public IP and subnet findings, the hardening and pinned-AMI ones, and the public routes to the internet gateway, each with its reason', () => {
    const acks = collectAcknowledgements(withInstance.stack).filter((a) => a.madeBy === 'blueprint');
    const nat = 'Network/Vpc/publicSubnet1/NatInstance/Resource';
    expect(acks.map((a) => [a.path, a.rule, a.onSingleResource])).toEqual([
      ['Network/Vpc/publicSubnet1/DefaultRoute', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', true],
      ['Network/Vpc/publicSubnet1/DefaultRoute', 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW', true],
      [nat, 'AwsSolutions-EC28', true],
      [nat, 'HIPAA.Security-EC2InstanceDetailedMonitoringEnabled', true],
      [nat, 'cdk-validator-cfnguard::ec2_instance_detailed_monitoring_enabled_check', true],
      [nat, 'AwsSolutions-EC29', true],
      [nat, 'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check', true],
      [nat, 'CloudFormation-Validate::W9010', true],
      [nat, 'cdk-validator-cfnguard::ec2_instance_no_public_ip_check', true],
      [nat, 'NIST.800.53.R5-EC2InstanceNoPublicIp', true],
      [nat, 'HIPAA.Security-EC2InstanceNoPublicIp', true],
      [nat, 'NIST.800.53.R5-EC2InstancesInVPC', true],
      [nat, 'HIPAA.Security-EC2InstancesInVPC', true],
      ['Network/Vpc/publicSubnet1/NatInstance/MetadataOptions/Resource', 'cdk-validator-cfnguard::ec2_launch_template_monitoring_enabled_check', true],
      ['Network/Vpc/publicSubnet2/DefaultRoute', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', true],
      ['Network/Vpc/publicSubnet2/DefaultRoute', 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW', true],
    ]);
    const reasons = Object.fromEntries(acks.filter((a) => a.path === nat || a.path.endsWith('/DefaultRoute')).map((a) => [`${a.path} ${a.rule}`, a.reason]));
    expect(reasons).toMatchObject({
      [`${nat} cdk-validator-cfnguard::ec2_instance_no_public_ip_check`]: NAT_REASON,
      [`${nat} NIST.800.53.R5-EC2InstanceNoPublicIp`]: NAT_REASON,
      [`${nat} HIPAA.Security-EC2InstanceNoPublicIp`]: NAT_REASON,
      [`${nat} NIST.800.53.R5-EC2InstancesInVPC`]: IN_VPC_REASON,
      [`${nat} HIPAA.Security-EC2InstancesInVPC`]: IN_VPC_REASON,
      [`${nat} CloudFormation-Validate::W9010`]: expect.stringMatching(/^The AMI is pinned on purpose in config/),
      [`${nat} AwsSolutions-EC29`]: expect.stringMatching(/^EC2 API termination protection/),
      ['Network/Vpc/publicSubnet1/DefaultRoute NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW']: ROUTE_REASON,
      ['Network/Vpc/publicSubnet1/DefaultRoute HIPAA.Security-VPCNoUnrestrictedRouteToIGW']: ROUTE_REASON,
      ['Network/Vpc/publicSubnet2/DefaultRoute NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW']: ROUTE_REASON,
      ['Network/Vpc/publicSubnet2/DefaultRoute HIPAA.Security-VPCNoUnrestrictedRouteToIGW']: ROUTE_REASON,
    });
  });

  test('without network.natAmiId: a config error naming the key, not a NAT instance of an unknown AMI', () => {
    expect(() => build({ natAmiId: undefined })).toThrow(ConfigError);
    expect(() => build({ natAmiId: undefined })).toThrow(
      'Invalid configuration (1 problem):\n  - config: network.natAmiId: required: the pinned AMI ID (checkAmis reports where to set it)',
    );
  });
});

describe('natMode gateway', () => {
  const { stack, resources } = withGateway;

  test('exactly these resources: one NAT gateway with its Elastic IP in the first public subnet, no NAT instance and no NAT security group', () => {
    expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
      [VPC, 'AWS::EC2::VPC'],
      [SUBNETS.public1.id, 'AWS::EC2::Subnet'],
      [SUBNETS.public1.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.public1.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.public1.route, 'AWS::EC2::Route'],
      [NAT_EIP, 'AWS::EC2::EIP'],
      [NAT_GATEWAY, 'AWS::EC2::NatGateway'],
      [SUBNETS.public2.id, 'AWS::EC2::Subnet'],
      [SUBNETS.public2.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.public2.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.public2.route, 'AWS::EC2::Route'],
      [SUBNETS.private1.id, 'AWS::EC2::Subnet'],
      [SUBNETS.private1.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.private1.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.private1.route, 'AWS::EC2::Route'],
      [SUBNETS.private2.id, 'AWS::EC2::Subnet'],
      [SUBNETS.private2.table, 'AWS::EC2::RouteTable'],
      [SUBNETS.private2.assoc, 'AWS::EC2::SubnetRouteTableAssociation'],
      [SUBNETS.private2.route, 'AWS::EC2::Route'],
      [IGW, 'AWS::EC2::InternetGateway'],
      [IGW_ATTACHMENT, 'AWS::EC2::VPCGatewayAttachment'],
      [RESTRICT_DEFAULT_SG, 'Custom::VpcRestrictDefaultSG'],
      [FLOW_LOG, 'AWS::EC2::FlowLog'],
      [RESTRICT_DEFAULT_SG_ROLE, 'AWS::IAM::Role'],
      [RESTRICT_DEFAULT_SG_HANDLER, 'AWS::Lambda::Function'],
    ]);
    expect(resources[NAT_GATEWAY]!.Properties).toEqual({
      AllocationId: { 'Fn::GetAtt': [NAT_EIP, 'AllocationId'] },
      SubnetId: { Ref: SUBNETS.public1.id },
      Tags: [{ Key: 'Name', Value: 'Network/Vpc/publicSubnet1' }],
    });
  });

  test('acknowledges only the public routes to the internet gateway, with the reason', () => {
    const acks = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint');
    expect(acks.map((a) => [a.path, a.rule, a.reason, a.onSingleResource])).toEqual([
      ['Network/Vpc/publicSubnet1/DefaultRoute', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', ROUTE_REASON, true],
      ['Network/Vpc/publicSubnet1/DefaultRoute', 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW', ROUTE_REASON, true],
      ['Network/Vpc/publicSubnet2/DefaultRoute', 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', ROUTE_REASON, true],
      ['Network/Vpc/publicSubnet2/DefaultRoute', 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW', ROUTE_REASON, true],
    ]);
  });
});
