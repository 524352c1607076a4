import { Match, Template } from 'aws-cdk-lib/assertions';
import type { BuiltApp } from '../../lib/app';
import type { GateFinding } from '../../lib/gate/finding';
import { renderNatUserData } from '../../lib/network/nat-user-data';
import { buildForTest, gateFindings } from '../support/build';
import { pinnedHostDomains } from '../support/host-egress-domains';

// One synth of example/prod; assertions on the network and gateway stacks.
let built: BuiltApp;
let findings: GateFinding[];
let network: Template;
let gateway: Template;

beforeAll(() => {
  built = buildForTest({ client: 'example', env: 'prod' });
  findings = gateFindings(built);
  network = Template.fromStack(built.deployments[0]!.stage.network);
  gateway = Template.fromStack(built.deployments[0]!.stage.gateway);
});

const resources = (t: Template, type: string) => Object.values(t.findResources(type)) as { Properties: Record<string, unknown> }[];

test('example/prod passes the gate', () => {
  expect(findings).toEqual([]);
});

describe('VPC', () => {
  test('two AZs, a public and a private subnet in each, none auto-assigning public IPs', () => {
    const subnets = resources(network, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(4);
    for (const s of subnets) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
  });

  test('AZs are resolved at deploy time, never looked up or hard-coded at synth', () => {
    for (const s of resources(network, 'AWS::EC2::Subnet')) {
      expect(s.Properties.AvailabilityZone).toEqual({ 'Fn::Select': [expect.any(Number), { 'Fn::GetAZs': '' }] });
    }
  });

  test('the default security group is stripped of its rules', () => {
    network.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('flow logs of all traffic go straight to the object-locked audit bucket (core stack)', () => {
    network.resourceCountIs('AWS::EC2::FlowLog', 1);
    network.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: { Ref: Match.stringLikeRegexp('^Vpc') },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: { 'Fn::Join': ['', [{ 'Fn::ImportValue': Match.stringLikeRegexp('AuditBucket') }, '/vpc-flow-logs']] },
    });
    // The one log group is the prefix-list lookup function's (below).
    network.resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  test('egress goes through one hardened NAT instance, not a NAT gateway', () => {
    network.resourceCountIs('AWS::EC2::NatGateway', 0);
    network.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      Monitoring: false,
      // No EC2 API termination protection: it would block the NAT instance's replacement (host-replacement.test.ts).
      DisableApiTermination: false,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, KmsKeyId: Match.anyValue() }) }],
    });
  });

  test('the NAT instance runs our setup script (swap before dnf, retries, loud failure), not CDK\'s unguarded yum install', () => {
    const [nat] = resources(network, 'AWS::EC2::Instance');
    expect(nat!.Properties.UserData).toEqual({ 'Fn::Base64': renderNatUserData() });
    const script = renderNatUserData();
    expect(script).not.toMatch(/^\s*(sudo )?(yum|iptables|service) /m);
    expect(script).toContain('until dnf -y -q --setopt=install_weak_deps=False install nftables; do');
    expect(script).toMatch(/swapon "\$SWAP_FILE"[\s\S]*until dnf/);
  });

  test('the NAT instance has its own public IP (the public subnets map none), or nothing would leave the VPC', () => {
    const [subnet] = Object.keys(network.findResources('AWS::EC2::Subnet', { Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-type', Value: 'Public' }]) } }));
    network.hasResourceProperties('AWS::EC2::Instance', {
      SourceDestCheck: false,
      NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true, DeviceIndex: '0', SubnetId: { Ref: subnet } })],
    });
  });
});

describe('egress allowlist (DNS Firewall)', () => {
  const allowed = () => resources(network, 'AWS::Route53Resolver::FirewallDomainList').find((d) => (d.Properties.Name as string).endsWith('-allowed'))!;

  test('allows the enabled provider and channel and the host AWS endpoints, and nothing like *.amazonaws.com', () => {
    const domains = allowed().Properties.Domains as string[];
    // The whole list, pinned: a name added or dropped fails here.
    expect(domains).toEqual([...pinnedHostDomains('eu-west-1', '210987654321'), 'api.anthropic.com', 'api.telegram.org'].sort());
    expect(domains).not.toContain('api.openai.com');
    expect(domains.filter((d) => d.startsWith('*.') && d.endsWith('amazonaws.com'))).toEqual([]);
  });

  test('answers NXDOMAIN for everything else, after the allow rule', () => {
    network.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroup', {
      FirewallRules: [
        Match.objectLike({ Action: 'ALLOW', Priority: 100 }),
        Match.objectLike({ Action: 'BLOCK', Priority: 200, BlockResponse: 'NXDOMAIN' }),
      ],
    });
    network.hasResourceProperties('AWS::Route53Resolver::FirewallDomainList', { Domains: ['*'] });
  });

  test('the allow rule trusts the CNAME/DNAME chain of an allowed name (S3 and package CDNs are CNAMEs); the block rule is unchanged', () => {
    const [group] = resources(network, 'AWS::Route53Resolver::FirewallRuleGroup');
    const rules = group!.Properties.FirewallRules as Record<string, unknown>[];
    expect(rules.map((r) => [r.Action, r.Priority, r.FirewallDomainRedirectionAction])).toEqual([
      ['ALLOW', 100, 'TRUST_REDIRECTION_DOMAIN'],
      ['BLOCK', 200, undefined],
    ]);
  });

  test('is associated with the VPC without mutation protection (CloudFormation must be able to update and delete it), and fails closed', () => {
    network.resourceCountIs('AWS::Route53Resolver::FirewallRuleGroupAssociation', 1);
    network.hasResourceProperties('AWS::Route53Resolver::FirewallRuleGroupAssociation', { MutationProtection: 'DISABLED', VpcId: Match.anyValue() });
    network.hasResourceProperties('AWS::Route53Resolver::FirewallConfig', { FirewallFailOpen: 'DISABLED' });
  });
});

describe('security groups', () => {
  const allIngress = () => [
    ...resources(network, 'AWS::EC2::SecurityGroup').flatMap((sg) => (sg.Properties.SecurityGroupIngress as Record<string, unknown>[]) ?? []),
    ...resources(network, 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties),
  ];

  test('nothing anywhere admits 0.0.0.0/0 or ::/0, and no SSH or RDP', () => {
    for (const rule of allIngress()) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
      for (const port of [22, 3389]) expect((rule.FromPort as number) <= port && port <= (rule.ToPort as number)).toBe(false);
    }
  });

  test('the gateway admits only the proxy port, only from the CloudFront origin-facing prefix list resolved at deploy time, and sends only HTTPS', () => {
    const sg = resources(network, 'AWS::EC2::SecurityGroup').find((s) => String(s.Properties.GroupDescription).startsWith('OpenClaw gateway'))!;
    const [lookupId, lookup] = Object.entries(network.findResources('Custom::OriginFacingPrefixList'))[0]!;
    const [sgId] = Object.keys(network.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: sg.Properties.GroupDescription } }));
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = resources(network, 'AWS::EC2::SecurityGroupIngress').filter((r) => JSON.stringify(r.Properties.GroupId).includes(sgId!));
    expect(ingress.map((r) => r.Properties)).toEqual([
      {
        GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
        SourcePrefixListId: { 'Fn::GetAtt': [lookupId, 'PrefixListId'] },
        Description: 'nginx from CloudFront origin-facing servers (VPC origin)',
      },
    ]);
    // The lookup asks for the managed list by name, through its own function; nothing is looked up at synth.
    expect((lookup as { Properties: Record<string, unknown> }).Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^CloudFrontOriginFacingFunction/), 'Arn'] },
      PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing',
      // A function that never answers fails the deploy after 5 minutes, not CloudFormation's hour.
      ServiceTimeout: '300',
    });
    expect(sg.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS to allowlisted domains (DNS Firewall)', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
    ]);
  });
});

describe('deploy-time prefix list lookup', () => {
  test('its function may only describe prefix lists and write its own log group', () => {
    // Its log group policy and its grant on the action that supports no resource ARN (ActionsWithoutResourcePolicy).
    const policies = resources(network, 'AWS::IAM::ManagedPolicy').filter((p) => String(p.Properties.Description).includes('origin-facing'));
    expect(policies).toHaveLength(2);
    const statements = policies
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
      .sort((a, b) => String(a.Sid).localeCompare(String(b.Sid)));
    expect(statements.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['ReadPrefixLists', 'ec2:DescribeManagedPrefixLists', '*'],
      ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': [expect.stringMatching(/^CloudFrontOriginFacingLogs/), 'Arn'] }],
    ]);
    const fn = resources(network, 'AWS::Lambda::Function').find((f) => String(f.Properties.FunctionName).endsWith('-cf-prefix-list'))!;
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.stringMatching(/^CloudFrontOriginFacingLogs/) } });
    expect(resources(network, 'AWS::IAM::Policy').filter((p) => JSON.stringify(p).includes('CloudFrontOriginFacing'))).toEqual([]);
  });

  test('its log group is encrypted with the deployment key and retained', () => {
    const groups = Object.values(network.findResources('AWS::Logs::LogGroup')) as { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }[];
    const group = groups.find((g) => String(g.Properties.LogGroupName).endsWith('-cf-prefix-list'))!;
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Key/) });
    // Retained, except when the stack's first create rolls back (a retry must not find it).
    expect([group.DeletionPolicy, group.UpdateReplacePolicy]).toEqual(['RetainExceptOnCreate', 'Retain']);
  });
});

describe('gateway host', () => {
  test('is in a private subnet with no public IP and no key pair', () => {
    gateway.hasResourceProperties('AWS::EC2::Instance', {
      NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: false, SubnetId: Match.anyValue() })],
      KeyName: Match.absent(),
    });
  });

  test('requires IMDSv2 with a hop limit of 1, through its launch template', () => {
    gateway.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled', InstanceMetadataTags: 'disabled' } }),
    });
    gateway.hasResourceProperties('AWS::EC2::Instance', { LaunchTemplate: { LaunchTemplateId: Match.anyValue(), Version: Match.anyValue() } });
  });

  test('has basic monitoring (no alarm reads 1-minute EC2 metrics) and an encrypted root volume; no API termination protection, even in prod', () => {
    gateway.hasResourceProperties('AWS::EC2::Instance', {
      Monitoring: false,
      DisableApiTermination: false,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3', KmsKeyId: Match.anyValue() }) }],
    });
  });
});
