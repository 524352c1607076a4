/**
 * EC2 of the fake deployment, derived from the templates the way EC2 derives
 * it at launch:
 * - DescribeInstances: MetadataOptions from the instance's own MetadataOptions,
 *   else its launch template's, else EC2's defaults for an AMI without
 *   ImdsSupport v2.0 (HttpTokens optional, hop limit 1, endpoint enabled; an
 *   AMI registered with ImdsSupport v2.0 gives required and hop limit 2:
 *   `world.state.amiImdsSupport`); a public IP only when the network interface
 *   asks for one (AssociatePublicIpAddress), else when the subnet maps one on
 *   launch, or when an Elastic IP of the templates names the instance.
 * - DescribeSecurityGroupRules: each group's inline rules, the separate
 *   SecurityGroupIngress/Egress resources of every stack that name it, and the
 *   allow-all IPv4 egress EC2 adds when a group declares no inline egress.
 * - DescribeManagedPrefixLists: the AWS-managed lists the templates' lookup
 *   custom resources (PrefixListName) resolved at deploy time.
 * Drift tests change `ec2State(world)`; deleting world.state.ec2 restores it.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeInstancesCommand,
  DescribeManagedPrefixListsCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  type Filter,
  type Instance,
  type InstanceMetadataOptionsResponse,
  type ManagedPrefixList,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { logicalIdHash } from '../iam-intrinsics';
import type { FakeWorld, ServiceFake, WorldResource } from './world';

export interface Ec2State {
  /** What DescribeInstances returns, by instance ID. */
  readonly instances: Map<string, Instance>;
  /** Rules by security group ID. */
  readonly rules: Map<string, SecurityGroupRule[]>;
  /** The AWS-managed prefix lists DescribeManagedPrefixLists knows. */
  readonly prefixLists: ManagedPrefixList[];
}

type Cfn = Record<string, unknown>;

/** EC2's metadata defaults for an AMI without ImdsSupport v2.0 (and with it). */
const DEFAULT_METADATA = { HttpTokens: 'optional', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled', InstanceMetadataTags: 'disabled' } as const;
const IMDSV2_AMI_METADATA = { ...DEFAULT_METADATA, HttpTokens: 'required', HttpPutResponseHopLimit: 2 } as const;

function metadataOptions(world: FakeWorld, r: WorldResource, props: Cfn, imdsV2Ami: boolean): InstanceMetadataOptionsResponse {
  const ltId = ((r.resource.Properties?.LaunchTemplate as Cfn | undefined)?.LaunchTemplateId as { Ref?: string } | undefined)?.Ref;
  const lt = ltId ? world.resources('AWS::EC2::LaunchTemplate', r.role).find((x) => x.logicalId === ltId) : undefined;
  const fromLt = lt ? ((world.properties(lt).LaunchTemplateData as Cfn | undefined)?.MetadataOptions as Cfn | undefined) : undefined;
  const own = props.MetadataOptions as Cfn | undefined;
  const chosen = { ...(imdsV2Ami ? IMDSV2_AMI_METADATA : DEFAULT_METADATA), ...fromLt, ...own };
  return { State: 'applied', HttpProtocolIpv6: 'disabled', ...chosen, HttpPutResponseHopLimit: Number(chosen.HttpPutResponseHopLimit) } as InstanceMetadataOptionsResponse;
}

/** AMI ID -> its ImdsSupport attribute, set by a test before the state is built (`world.state.amiImdsSupport`). @default every AMI without */
const amiImdsSupport = (world: FakeWorld) => (world.state.amiImdsSupport as Record<string, string> | undefined) ?? {};

function instancesOf(world: FakeWorld): Map<string, Instance> {
  const out = new Map<string, Instance>();
  const subnets = world.resources('AWS::EC2::Subnet').map((s) => ({ id: world.physicalId(s.role, s.logicalId), props: world.properties(s) }));
  let n = 10;
  for (const r of world.resources('AWS::EC2::Instance')) {
    const id = world.physicalId(r.role, r.logicalId);
    // Everything but the user data (Fn::Base64, which nothing here reads).
    const raw: Cfn = { ...r.resource.Properties };
    delete raw.UserData;
    const props = world.resolve(r.role, raw) as Cfn;
    const nic = ((props.NetworkInterfaces as Cfn[] | undefined) ?? [])[0] ?? {};
    const subnetId = (nic.SubnetId ?? props.SubnetId) as string;
    const subnet = subnets.find((s) => s.id === subnetId);
    const eip = world.resources('AWS::EC2::EIP', r.role).some((e) => world.properties(e).InstanceId === id);
    const asked = nic.AssociatePublicIpAddress ?? subnet?.props.MapPublicIpOnLaunch ?? false;
    const publicIp = asked === true || asked === 'true' || eip ? `203.0.113.${n++}` : undefined;
    const groups = ((nic.GroupSet ?? props.SecurityGroupIds ?? []) as string[]).map((g) => ({ GroupId: g, GroupName: g }));
    const eni = `eni-${logicalIdHash(`${r.logicalId}/eni`)}`;
    out.set(id, {
      InstanceId: id,
      ImageId: props.ImageId as string,
      InstanceType: props.InstanceType as Instance['InstanceType'],
      State: { Code: 16, Name: 'running' },
      SubnetId: subnetId,
      PrivateIpAddress: `10.40.2.${n++}`,
      ...(publicIp ? { PublicIpAddress: publicIp } : {}),
      SecurityGroups: groups,
      MetadataOptions: metadataOptions(world, r, props, amiImdsSupport(world)[props.ImageId as string] === 'v2.0'),
      NetworkInterfaces: [
        {
          NetworkInterfaceId: eni,
          SubnetId: subnetId,
          Groups: groups,
          ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: eip ? world.account : 'amazon', PublicDnsName: '' } } : {}),
        },
      ],
    });
  }
  return out;
}

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': '58' };

function apiRule(world: FakeWorld, groupId: string, egress: boolean, p: Cfn, key: string): SecurityGroupRule {
  const raw = String(p.IpProtocol ?? '-1').toLowerCase();
  const protocol = PROTOCOLS[raw] ?? raw;
  const all = protocol === '-1';
  const peer = egress ? (p.DestinationPrefixListId ?? p.DestinationSecurityGroupId) : (p.SourcePrefixListId ?? p.SourceSecurityGroupId);
  const isList = typeof peer === 'string' && !peer.startsWith('sg-');
  return {
    SecurityGroupRuleId: `sgr-${logicalIdHash(key)}`,
    GroupId: groupId,
    GroupOwnerId: world.account,
    IsEgress: egress,
    IpProtocol: protocol,
    FromPort: all ? -1 : Number(p.FromPort ?? -1),
    ToPort: all ? -1 : Number(p.ToPort ?? -1),
    ...(p.CidrIp !== undefined ? { CidrIpv4: p.CidrIp as string } : {}),
    ...(p.CidrIpv6 !== undefined ? { CidrIpv6: p.CidrIpv6 as string } : {}),
    ...(typeof peer === 'string' && isList ? { PrefixListId: peer } : {}),
    ...(typeof peer === 'string' && !isList ? { ReferencedGroupInfo: { GroupId: peer, UserId: world.account } } : {}),
    ...(p.Description !== undefined ? { Description: p.Description as string } : {}),
  };
}

function rulesOf(world: FakeWorld): Map<string, SecurityGroupRule[]> {
  const out = new Map<string, SecurityGroupRule[]>();
  for (const g of world.resources('AWS::EC2::SecurityGroup')) {
    const id = world.physicalId(g.role, g.logicalId);
    const p = world.properties(g);
    const rules: SecurityGroupRule[] = [];
    ((p.SecurityGroupIngress as Cfn[] | undefined) ?? []).forEach((r, i) => rules.push(apiRule(world, id, false, r, `${id}/in/${i}`)));
    const egress = p.SecurityGroupEgress as Cfn[] | undefined;
    if (egress === undefined) rules.push(apiRule(world, id, true, { IpProtocol: '-1', CidrIp: '0.0.0.0/0' }, `${id}/out/default`));
    (egress ?? []).forEach((r, i) => rules.push(apiRule(world, id, true, r, `${id}/out/${i}`)));
    out.set(id, rules);
  }
  for (const [type, egress] of [['AWS::EC2::SecurityGroupIngress', false], ['AWS::EC2::SecurityGroupEgress', true]] as const) {
    for (const r of world.resources(type)) {
      const p = world.properties(r);
      out.get(p.GroupId as string)?.push(apiRule(world, p.GroupId as string, egress, p, `${r.stackName}/${r.logicalId}`));
    }
  }
  return out;
}

function prefixListsOf(world: FakeWorld): ManagedPrefixList[] {
  return world.stacks.flatMap((s) =>
    Object.entries(s.template.Resources ?? {})
      .filter(([, r]) => (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource') && typeof r.Properties?.PrefixListName === 'string')
      .map(([logicalId, r]) => ({
        PrefixListName: r.Properties!.PrefixListName as string,
        PrefixListId: world.resolve(s.role, { 'Fn::GetAtt': [logicalId, 'PrefixListId'] }) as string,
        OwnerId: 'AWS',
        AddressFamily: 'IPv4',
        MaxEntries: 55,
        State: 'create-complete' as const,
      })),
  );
}

/** The fake's instances, security group rules and prefix lists (built from the templates on first use). */
export function ec2State(world: FakeWorld): Ec2State {
  world.state.ec2 ??= { instances: instancesOf(world), rules: rulesOf(world), prefixLists: prefixListsOf(world) };
  return world.state.ec2 as Ec2State;
}

const filterValues = (filters: Filter[] | undefined, name: string) => filters?.find((f) => f.Name === name)?.Values;

export const ec2Fake: ServiceFake = (world) => {
  const ec2 = mockClient(EC2Client);
  ec2.on(DescribeInstancesCommand).callsFake(async (input: { InstanceIds?: string[] }) => {
    const state = ec2State(world);
    const ids = input.InstanceIds ?? [...state.instances.keys()];
    const unknown = ids.filter((i) => !state.instances.has(i));
    if (unknown.length) throw Object.assign(new Error(`The instance IDs '${unknown.join(', ')}' do not exist`), { name: 'InvalidInstanceID.NotFound' });
    return { Reservations: ids.map((i) => ({ ReservationId: `r-${logicalIdHash(i)}`, OwnerId: world.account, Instances: [structuredClone(state.instances.get(i)!)] })) };
  });
  ec2.on(DescribeSecurityGroupRulesCommand).callsFake(async (input: { Filters?: Filter[] }) => {
    const groups = filterValues(input.Filters, 'group-id');
    const rules = [...ec2State(world).rules.entries()].filter(([g]) => !groups || groups.includes(g)).flatMap(([, r]) => r);
    return { SecurityGroupRules: structuredClone(rules) };
  });
  ec2.on(DescribeManagedPrefixListsCommand).callsFake(async (input: { Filters?: Filter[] }) => {
    const names = filterValues(input.Filters, 'prefix-list-name');
    return { PrefixLists: ec2State(world).prefixLists.filter((l) => !names || names.includes(l.PrefixListName!)) };
  });
  return [ec2];
};
