import { CloudFormationClient, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { DescribeManagedPrefixListsCommand, DescribeSecurityGroupRulesCommand, type Filter, type ManagedPrefixList, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { TemplateResource } from '../../lib/compliance/control';
import { SECURITY_GROUP_LIVE_CHECKS, sgNoWorldIngress, sgRulesAsRendered } from '../../lib/network/live-security-groups';
import type { DeployedStack, StackRole } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext, type ClientClass } from '../../lib/verify/verify-context';
import { NOW } from '../support/config-fixture';

// The security group live checks (lib/network/live-security-groups.ts) on small hand-built
// deployments: templates as CloudFormation takes them, physical IDs as ListStackResources gives
// them, and EC2 answering DescribeSecurityGroupRules and DescribeManagedPrefixLists as it
// documents (protocol names for tcp/udp/icmp, -1 ports for "all", no NextToken when MaxResults
// is not given, an empty PrefixLists for an unknown name).

const NAME = 'oc-example-prod';
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

const VPC = 'vpc-0b5e3c1d2a4f69788';
const GATEWAY_SG = 'sg-0a1f2e3d4c5b69781';
const ADMIN_SG = 'sg-0c3b2a19f8e7d6c54';
const OPERATOR_SG = 'sg-0f9e8d7c6b5a43210';
const SERVICE_SG = 'sg-0d4c3b2a1f0e98765';
/** com.amazonaws.global.cloudfront.origin-facing in eu-west-1 (AWS-managed: one ID per region). */
const ORIGIN_FACING = 'pl-4fa04526';
const ORIGIN_FACING_NAME = 'com.amazonaws.global.cloudfront.origin-facing';
/** The deployment's own (customer-managed) prefix list. */
const ADMIN_LIST = 'pl-0e1d2c3b4a5968778';
const ADMIN_LIST_NAME = 'oc-example-prod-admins';

/** What AWS holds for the deployment: physical IDs per stack, security group rules and prefix lists per region. */
interface Aws {
  readonly physicalIds: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly rules: readonly SecurityGroupRule[];
  readonly prefixLists: readonly ManagedPrefixList[];
}

/** The AWS-managed lists every account sees in eu-west-1, before any list of its own (DescribeManagedPrefixLists order). */
const AWS_MANAGED_LISTS: ManagedPrefixList[] = [
  { PrefixListId: 'pl-6fa54006', PrefixListName: 'com.amazonaws.eu-west-1.dynamodb', AddressFamily: 'IPv4', State: 'create-complete', OwnerId: 'AWS', PrefixListArn: 'arn:aws:ec2:eu-west-1:aws:prefix-list/pl-6fa54006' },
  { PrefixListId: 'pl-6da54004', PrefixListName: 'com.amazonaws.eu-west-1.s3', AddressFamily: 'IPv4', State: 'create-complete', OwnerId: 'AWS', PrefixListArn: 'arn:aws:ec2:eu-west-1:aws:prefix-list/pl-6da54004' },
  { PrefixListId: ORIGIN_FACING, PrefixListName: ORIGIN_FACING_NAME, AddressFamily: 'IPv4', State: 'create-complete', OwnerId: 'AWS', PrefixListArn: `arn:aws:ec2:eu-west-1:aws:prefix-list/${ORIGIN_FACING}` },
];
const ADMIN_PREFIX_LIST: ManagedPrefixList = {
  PrefixListId: ADMIN_LIST,
  PrefixListName: ADMIN_LIST_NAME,
  AddressFamily: 'IPv4',
  State: 'create-complete',
  MaxEntries: 10,
  Version: 1,
  OwnerId: ACCOUNT,
  PrefixListArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:prefix-list/${ADMIN_LIST}`,
};

const values = (filters: Filter[] | undefined, name: string) => filters?.find((f) => f.Name === name)?.Values;

/** An EC2 error as the SDK throws it. */
const ec2Error = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });

/** A VerifyContext whose CloudFormation and EC2 clients answer from `aws`. */
class DeployedContext extends VerifyContext {
  constructor(
    stacks: readonly DeployedStack[],
    private readonly aws: Aws,
  ) {
    // The security group checks read no settings.
    super({ name: NAME, account: ACCOUNT, region: REGION, stacks, settings: {} as VerifySettings, options: { writeProbes: false, now: NOW } });
  }

  override client<T>(cls: ClientClass<T>, region: string = this.region): T {
    if ((cls as unknown) === CloudFormationClient) {
      // The paginator insists on a real CloudFormationClient; only its send is replaced.
      const cfn = new CloudFormationClient({ region });
      cfn.send = (async (cmd: unknown) => this.cloudFormation(region, cmd)) as never;
      return cfn as T;
    }
    return { send: async (cmd: unknown) => this.ec2(region, cmd) } as T;
  }

  private cloudFormation(region: string, cmd: unknown) {
    if (!(cmd instanceof ListStackResourcesCommand)) throw new Error(`unexpected CloudFormation call ${String(cmd)}`);
    const stack = this.stacks.find((s) => s.stackName === cmd.input.StackName && s.region === region);
    if (!stack) throw Object.assign(new Error(`Stack with id ${cmd.input.StackName} does not exist`), { name: 'ValidationError' });
    const ids = this.aws.physicalIds[stack.stackName] ?? {};
    const summaries: StackResourceSummary[] = Object.entries(stack.template.Resources ?? {})
      .filter(([logicalId]) => ids[logicalId] !== undefined)
      .map(([logicalId, r]) => ({ LogicalResourceId: logicalId, PhysicalResourceId: ids[logicalId], ResourceType: r.Type, ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: NOW }));
    return { StackResourceSummaries: summaries };
  }

  private ec2(region: string, cmd: unknown) {
    if (region !== REGION) throw new Error(`no EC2 call expected in ${region}`);
    if (cmd instanceof DescribeSecurityGroupRulesCommand) {
      // Without MaxResults, EC2 returns every matching rule in one answer, with no NextToken.
      const groups = values(cmd.input.Filters, 'group-id');
      return { SecurityGroupRules: structuredClone(this.aws.rules.filter((r) => !groups || groups.includes(r.GroupId!))) };
    }
    if (cmd instanceof DescribeManagedPrefixListsCommand) {
      for (const f of cmd.input.Filters ?? []) {
        if (!['owner-id', 'prefix-list-id', 'prefix-list-name'].includes(f.Name ?? '')) throw ec2Error('InvalidParameterValue', `The filter '${String(f.Name)}' is invalid`);
      }
      const names = values(cmd.input.Filters, 'prefix-list-name');
      return { PrefixLists: structuredClone(this.aws.prefixLists.filter((l) => !names || names.includes(l.PrefixListName!))) };
    }
    throw new Error(`unexpected EC2 call ${String(cmd)}`);
  }
}

const stack = (role: StackRole, resources: Record<string, TemplateResource>, outputs?: Record<string, unknown>): DeployedStack => ({
  stackName: `${NAME}-${role}`,
  role,
  region: REGION,
  template: { Resources: resources, ...(outputs ? { Outputs: outputs } : {}) },
});

const securityGroup = (description: string, rules: { SecurityGroupIngress?: unknown[]; SecurityGroupEgress?: unknown[] }): TemplateResource => ({
  Type: 'AWS::EC2::SecurityGroup',
  Properties: { GroupDescription: description, VpcId: { Ref: 'Vpc' }, ...rules },
});

const VPC_RESOURCE: TemplateResource = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.40.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true } };

/** The stack's lookup of the origin-facing list: its function answers with the list ID as physical ID and as PrefixListId. */
const ORIGIN_FACING_LOOKUP: TemplateResource = {
  Type: 'Custom::OriginFacingPrefixList',
  Properties: { ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${NAME}-origin-facing-prefix-list`, PrefixListName: ORIGIN_FACING_NAME },
};

/** The egress rule EC2 gives every new VPC security group (IPv4 only). */
const defaultEgress = (groupId: string, id: string): SecurityGroupRule => ({
  SecurityGroupRuleId: id,
  GroupId: groupId,
  GroupOwnerId: ACCOUNT,
  IsEgress: true,
  IpProtocol: '-1',
  FromPort: -1,
  ToPort: -1,
  CidrIpv4: '0.0.0.0/0',
});

const liveRule = (groupId: string, id: string, r: Omit<SecurityGroupRule, 'SecurityGroupRuleId' | 'GroupId' | 'GroupOwnerId'>): SecurityGroupRule => ({
  SecurityGroupRuleId: id,
  GroupId: groupId,
  GroupOwnerId: ACCOUNT,
  ...r,
});

const rendered = (status: 'pass' | 'fail', resource: string, evidence: string) => ({ check: 'host.sg-rules-as-rendered', control: 'sg-rules-as-rendered', status, resource, evidence });
const world = (status: 'pass' | 'fail', resource: string, evidence: string) => ({ check: 'host.sg-no-world-ingress', control: 'sg-no-world-ingress', status, resource, evidence });

describe('protocols and ports as EC2 reports them', () => {
  // CloudFormation takes protocol numbers; EC2 reports tcp, udp and icmp by name, and an ICMPv6 rule made with 58 as 58
  // (as test/support/fake-deployment/ec2.ts models it; the check maps 58 and icmpv6 alike).
  // ICMPv6 is the one protocol whose port range may be left out: EC2 then allows every type and code (-1).
  const group = securityGroup('Service', {
    SecurityGroupIngress: [
      { IpProtocol: '6', FromPort: 8000, ToPort: 8100, CidrIp: '10.40.0.0/16' },
      { IpProtocol: '17', FromPort: 53, ToPort: 53, CidrIp: '10.40.0.0/16' },
      { IpProtocol: '1', FromPort: 8, ToPort: 0, CidrIp: '10.40.0.0/16' },
      { IpProtocol: '58', CidrIpv6: '2001:db8:1234:1a00::/56' },
    ],
    SecurityGroupEgress: [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }],
  });
  const live = [
    liveRule(SERVICE_SG, 'sgr-0a00000000000001', { IsEgress: false, IpProtocol: 'tcp', FromPort: 8000, ToPort: 8100, CidrIpv4: '10.40.0.0/16' }),
    liveRule(SERVICE_SG, 'sgr-0a00000000000002', { IsEgress: false, IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIpv4: '10.40.0.0/16' }),
    liveRule(SERVICE_SG, 'sgr-0a00000000000003', { IsEgress: false, IpProtocol: 'icmp', FromPort: 8, ToPort: 0, CidrIpv4: '10.40.0.0/16' }),
    liveRule(SERVICE_SG, 'sgr-0a00000000000004', { IsEgress: false, IpProtocol: '58', FromPort: -1, ToPort: -1, CidrIpv6: '2001:db8:1234:1a00::/56' }),
    liveRule(SERVICE_SG, 'sgr-0a00000000000005', { IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' }),
  ];
  const ctx = () => new DeployedContext([stack('network', { Vpc: VPC_RESOURCE, ServiceSecurityGroup: group })], { physicalIds: { [`${NAME}-network`]: { Vpc: VPC, ServiceSecurityGroup: SERVICE_SG } }, rules: live, prefixLists: AWS_MANAGED_LISTS });
  const resource = `${SERVICE_SG} (network/ServiceSecurityGroup)`;

  it('a group rendered with protocol numbers, a port range and a portless ICMPv6 rule is as rendered once EC2 names the protocols', async () => {
    expect(await sgRulesAsRendered.run(ctx())).toEqual([
      rendered(
        'pass',
        resource,
        '5 rule(s) as rendered: egress all traffic to 0.0.0.0/0; ingress icmp 8-0 from 10.40.0.0/16; ingress icmpv6 -1 from 2001:db8:1234:1a00::/56; ingress tcp 8000-8100 from 10.40.0.0/16; ingress udp 53 from 10.40.0.0/16',
      ),
    ]);
  });

  it('the same group admits nothing from the world: its ingress rules are listed in the order EC2 gives them', async () => {
    expect(await sgNoWorldIngress.run(ctx())).toEqual([
      world('pass', resource, '4 ingress rule(s), none from the world: ingress tcp 8000-8100 from 10.40.0.0/16; ingress udp 53 from 10.40.0.0/16; ingress icmp 8-0 from 10.40.0.0/16; ingress icmpv6 -1 from 2001:db8:1234:1a00::/56'),
    ]);
  });
});

describe('the allow-all egress EC2 adds to a group without inline egress', () => {
  const network = () =>
    stack('network', {
      Vpc: VPC_RESOURCE,
      OriginFacingPrefixList: ORIGIN_FACING_LOOKUP,
      GatewaySecurityGroup: securityGroup('Gateway', { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourcePrefixListId: { 'Fn::GetAtt': ['OriginFacingPrefixList', 'PrefixListId'] } }] }),
    });
  const physicalIds = { [`${NAME}-network`]: { Vpc: VPC, OriginFacingPrefixList: ORIGIN_FACING, GatewaySecurityGroup: GATEWAY_SG } };
  const ingress = liveRule(GATEWAY_SG, 'sgr-0b00000000000001', { IsEgress: false, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, PrefixListId: ORIGIN_FACING });

  it('a group whose template declares no SecurityGroupEgress has exactly its ingress and the default egress EC2 created', async () => {
    const ctx = new DeployedContext([network()], { physicalIds, rules: [ingress, defaultEgress(GATEWAY_SG, 'sgr-0b00000000000002')], prefixLists: AWS_MANAGED_LISTS });
    expect(await sgRulesAsRendered.run(ctx)).toEqual([
      rendered('pass', `${GATEWAY_SG} (network/GatewaySecurityGroup)`, `2 rule(s) as rendered: egress all traffic to 0.0.0.0/0; ingress tcp 8080 from ${ORIGIN_FACING}`),
    ]);
  });

  it('the default egress revoked outside CloudFormation is missing', async () => {
    const ctx = new DeployedContext([network()], { physicalIds, rules: [ingress], prefixLists: AWS_MANAGED_LISTS });
    expect(await sgRulesAsRendered.run(ctx)).toEqual([
      rendered(
        'fail',
        `${GATEWAY_SG} (network/GatewaySecurityGroup)`,
        `missing egress all traffic to 0.0.0.0/0; expected exactly: egress all traffic to 0.0.0.0/0; ingress tcp 8080 from ${ORIGIN_FACING}`,
      ),
    ]);
  });
});

describe('ingress from the world', () => {
  const network = stack('network', {
    Vpc: VPC_RESOURCE,
    GatewaySecurityGroup: securityGroup('Gateway', { SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }] }),
  });
  const physicalIds = { [`${NAME}-network`]: { Vpc: VPC, GatewaySecurityGroup: GATEWAY_SG } };
  const egress = liveRule(GATEWAY_SG, 'sgr-0c00000000000001', { IsEgress: true, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' });
  const resource = `${GATEWAY_SG} (network/GatewaySecurityGroup)`;

  it('a group with egress only has no ingress rule at all', async () => {
    const ctx = new DeployedContext([network], { physicalIds, rules: [egress], prefixLists: AWS_MANAGED_LISTS });
    expect(await sgNoWorldIngress.run(ctx)).toEqual([world('pass', resource, '0 ingress rule(s), none from the world: (none)')]);
  });

  it('HTTPS opened to 0.0.0.0/0 and to ::/0 by hand: both rules fail, with their rule IDs', async () => {
    const rules = [
      egress,
      liveRule(GATEWAY_SG, 'sgr-0c00000000000002', { IsEgress: false, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' }),
      liveRule(GATEWAY_SG, 'sgr-0c00000000000003', { IsEgress: false, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv6: '::/0' }),
    ];
    const ctx = new DeployedContext([network], { physicalIds, rules, prefixLists: AWS_MANAGED_LISTS });
    expect(await sgNoWorldIngress.run(ctx)).toEqual([
      world('fail', resource, 'ingress tcp 443 from 0.0.0.0/0 (sgr-0c00000000000002); ingress tcp 443 from ::/0 (sgr-0c00000000000003); expected no ingress from 0.0.0.0/0 or ::/0'),
    ]);
    expect(await sgRulesAsRendered.run(ctx)).toEqual([
      rendered('fail', resource, 'extra ingress tcp 443 from 0.0.0.0/0; extra ingress tcp 443 from ::/0; expected exactly: egress tcp 443 to 0.0.0.0/0'),
    ]);
  });

  it('only ::/0 opened: IPv6 world ingress fails on its own', async () => {
    const rules = [egress, liveRule(GATEWAY_SG, 'sgr-0c00000000000004', { IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv6: '::/0' })];
    const ctx = new DeployedContext([network], { physicalIds, rules, prefixLists: AWS_MANAGED_LISTS });
    expect(await sgNoWorldIngress.run(ctx)).toEqual([world('fail', resource, 'ingress tcp 22 from ::/0 (sgr-0c00000000000004); expected no ingress from 0.0.0.0/0 or ::/0')]);
  });
});

describe('a rule changed outside CloudFormation', () => {
  it('the gateway port moved from 8080 to 8081: one extra, one missing, the same number of rules', async () => {
    const network = stack('network', {
      Vpc: VPC_RESOURCE,
      OriginFacingPrefixList: ORIGIN_FACING_LOOKUP,
      GatewaySecurityGroup: securityGroup('Gateway', {
        SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourcePrefixListId: { 'Fn::GetAtt': ['OriginFacingPrefixList', 'PrefixListId'] } }],
        SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
      }),
    });
    const rules = [
      liveRule(GATEWAY_SG, 'sgr-0d00000000000001', { IsEgress: false, IpProtocol: 'tcp', FromPort: 8081, ToPort: 8081, PrefixListId: ORIGIN_FACING }),
      liveRule(GATEWAY_SG, 'sgr-0d00000000000002', { IsEgress: true, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' }),
    ];
    const ctx = new DeployedContext([network], { physicalIds: { [`${NAME}-network`]: { Vpc: VPC, OriginFacingPrefixList: ORIGIN_FACING, GatewaySecurityGroup: GATEWAY_SG } }, rules, prefixLists: AWS_MANAGED_LISTS });
    expect(await sgRulesAsRendered.run(ctx)).toEqual([
      rendered(
        'fail',
        `${GATEWAY_SG} (network/GatewaySecurityGroup)`,
        `extra ingress tcp 8081 from ${ORIGIN_FACING}; missing ingress tcp 8080 from ${ORIGIN_FACING}; expected exactly: egress tcp 443 to 0.0.0.0/0; ingress tcp 8080 from ${ORIGIN_FACING}`,
      ),
    ]);
  });
});

describe('template values resolved the way CloudFormation resolved them', () => {
  // The core stack comes first and has an output it does not export (as the audit store's bucket name).
  const core = stack('core', { AuditBucket: { Type: 'AWS::S3::Bucket', Properties: { ObjectLockEnabled: true } } }, { AuditBucketName: { Value: { Ref: 'AuditBucket' }, Description: 'The audit bucket' } });
  // Cross-stack references as CDK writes them: `<exporting stack>:ExportsOutput...`.
  const EXPORT = `${NAME}-network:ExportsOutputFnGetAttGatewaySecurityGroupGroupId5E9A2F1C`;
  const VPC_EXPORT = `${NAME}-network:ExportsOutputRefVpc8378EB38`;
  const network = stack(
    'network',
    {
      Vpc: VPC_RESOURCE,
      OriginFacingPrefixList: ORIGIN_FACING_LOOKUP,
      AdminPrefixList: { Type: 'AWS::EC2::PrefixList', Properties: { PrefixListName: ADMIN_LIST_NAME, AddressFamily: 'IPv4', MaxEntries: 10, Entries: [{ Cidr: '198.51.100.0/24', Description: 'office' }] } },
      GatewaySecurityGroup: securityGroup('Gateway', {
        SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourcePrefixListId: { 'Fn::GetAtt': ['OriginFacingPrefixList', 'PrefixListId'] } }],
        SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
      }),
      AdminSecurityGroup: securityGroup('Admin', { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, SourcePrefixListId: { 'Fn::GetAtt': ['AdminPrefixList', 'PrefixListId'] } }] }),
    },
    {
      ExportsOutputRefVpc8378EB38: { Value: { Ref: 'Vpc' }, Export: { Name: VPC_EXPORT } },
      ExportsOutputFnGetAttGatewaySecurityGroupGroupId5E9A2F1C: { Value: { 'Fn::GetAtt': ['GatewaySecurityGroup', 'GroupId'] }, Export: { Name: EXPORT } },
    },
  );
  // The gateway stack opens the gateway group (imported) to the admin group (Ref, in the network stack's VPC) with a separate ingress.
  const gateway = stack('gateway', {
    GatewayFromAdmin: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: { GroupId: { 'Fn::ImportValue': EXPORT }, IpProtocol: 'tcp', FromPort: 18789, ToPort: 18789, SourceSecurityGroupId: { Ref: 'OperatorSecurityGroup' } },
    },
    OperatorSecurityGroup: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'Operator', VpcId: { 'Fn::ImportValue': VPC_EXPORT }, SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 18789, ToPort: 18789, DestinationSecurityGroupId: { 'Fn::ImportValue': EXPORT } }] } },
  });
  const physicalIds = {
    [`${NAME}-core`]: { AuditBucket: 'oc-example-prod-audit-111122223333-eu-west-1' },
    [`${NAME}-network`]: { Vpc: VPC, OriginFacingPrefixList: ORIGIN_FACING, AdminPrefixList: ADMIN_LIST, GatewaySecurityGroup: GATEWAY_SG, AdminSecurityGroup: ADMIN_SG },
    [`${NAME}-gateway`]: { GatewayFromAdmin: 'sgr-0e00000000000009', OperatorSecurityGroup: OPERATOR_SG },
  };
  const rules = [
    liveRule(GATEWAY_SG, 'sgr-0e00000000000001', { IsEgress: false, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, PrefixListId: ORIGIN_FACING }),
    liveRule(GATEWAY_SG, 'sgr-0e00000000000002', { IsEgress: true, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' }),
    liveRule(GATEWAY_SG, 'sgr-0e00000000000009', { IsEgress: false, IpProtocol: 'tcp', FromPort: 18789, ToPort: 18789, ReferencedGroupInfo: { GroupId: OPERATOR_SG, UserId: ACCOUNT } }),
    liveRule(ADMIN_SG, 'sgr-0e00000000000003', { IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListId: ADMIN_LIST }),
    defaultEgress(ADMIN_SG, 'sgr-0e00000000000004'),
    liveRule(OPERATOR_SG, 'sgr-0e00000000000005', { IsEgress: true, IpProtocol: 'tcp', FromPort: 18789, ToPort: 18789, ReferencedGroupInfo: { GroupId: GATEWAY_SG, UserId: ACCOUNT } }),
  ];
  const prefixLists = [...AWS_MANAGED_LISTS, ADMIN_PREFIX_LIST];

  it('imports through the exporting stack, Refs and GetAtts to physical IDs, both prefix lists by name: every group as rendered', async () => {
    const ctx = new DeployedContext([core, network, gateway], { physicalIds, rules, prefixLists });
    expect(await sgRulesAsRendered.run(ctx)).toEqual([
      rendered('pass', `${GATEWAY_SG} (network/GatewaySecurityGroup)`, `3 rule(s) as rendered: egress tcp 443 to 0.0.0.0/0; ingress tcp 18789 from ${OPERATOR_SG}; ingress tcp 8080 from ${ORIGIN_FACING}`),
      rendered('pass', `${ADMIN_SG} (network/AdminSecurityGroup)`, `2 rule(s) as rendered: egress all traffic to 0.0.0.0/0; ingress tcp 22 from ${ADMIN_LIST}`),
      rendered('pass', `${OPERATOR_SG} (gateway/OperatorSecurityGroup)`, `1 rule(s) as rendered: egress tcp 18789 to ${GATEWAY_SG}`),
    ]);
  });

  it('a customer-managed prefix list deleted outside CloudFormation: DescribeManagedPrefixLists finds no list of its name', async () => {
    const ctx = new DeployedContext([core, network, gateway], { physicalIds, rules, prefixLists: AWS_MANAGED_LISTS });
    await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `no managed prefix list ${ADMIN_LIST_NAME} in ${REGION}`);
  });
});

describe('values the check does not resolve are named, not guessed', () => {
  const core = stack('core', { AuditBucket: { Type: 'AWS::S3::Bucket', Properties: { ObjectLockEnabled: true } } }, { AuditBucketName: { Value: { Ref: 'AuditBucket' } } });
  /** A network stack whose gateway group admits tcp 22 from `peer` (with `extra` resources and template sections). */
  const withPeer = (peer: Record<string, unknown>, extra: Record<string, TemplateResource> = {}, sections: Record<string, unknown> = {}) => {
    const network = stack('network', {
      Vpc: VPC_RESOURCE,
      GatewaySecurityGroup: securityGroup('Gateway', { SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, ...peer }] }),
      ...extra,
    });
    const physicalIds = {
      [`${NAME}-core`]: { AuditBucket: 'oc-example-prod-audit-111122223333-eu-west-1' },
      [`${NAME}-network`]: { Vpc: VPC, GatewaySecurityGroup: GATEWAY_SG, SharedGroupLookup: 'shared-group-lookup', PrefixListLookup: 'prefix-list-lookup' },
    };
    return new DeployedContext([core, { ...network, template: { ...network.template, ...sections } }], { physicalIds, rules: [defaultEgress(GATEWAY_SG, 'sgr-0f00000000000001')], prefixLists: AWS_MANAGED_LISTS });
  };
  const lookup = (type: string, properties: Record<string, unknown>): TemplateResource => ({ Type: type, Properties: { ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:lookup`, ...properties } });

  it('a CidrIp from a template parameter (Ref to a Parameter, not a resource)', async () => {
    const ctx = withPeer({ CidrIp: { Ref: 'AdminCidr' } }, {}, { Parameters: { AdminCidr: { Type: 'String', Default: '198.51.100.0/24' } } });
    await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `${NAME}-network: {"Ref":"AdminCidr"} names no resource of the stack`);
  });

  it("the VPC's default security group as source (Fn::GetAtt Vpc.DefaultSecurityGroup)", async () => {
    const ctx = withPeer({ SourceSecurityGroupId: { 'Fn::GetAtt': ['Vpc', 'DefaultSecurityGroup'] } });
    await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `${NAME}-network: cannot resolve {"Fn::GetAtt":["Vpc","DefaultSecurityGroup"]} in a security group rule`);
  });

  it('a group ID returned by a custom resource (Fn::GetAtt Lookup.GroupId): its physical ID is not the group', async () => {
    const ctx = withPeer({ SourceSecurityGroupId: { 'Fn::GetAtt': ['SharedGroupLookup', 'GroupId'] } }, { SharedGroupLookup: lookup('Custom::SecurityGroupLookup', { GroupName: 'shared' }) });
    await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `${NAME}-network: cannot resolve {"Fn::GetAtt":["SharedGroupLookup","GroupId"]} in a security group rule`);
  });

  it('a prefix list ID from a custom resource that does not name the list by PrefixListName', async () => {
    const ctx = withPeer({ SourcePrefixListId: { 'Fn::GetAtt': ['PrefixListLookup', 'PrefixListId'] } }, { PrefixListLookup: lookup('Custom::PrefixListLookup', { Name: ORIGIN_FACING_NAME }) });
    await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `${NAME}-network: cannot resolve {"Fn::GetAtt":["PrefixListLookup","PrefixListId"]} in a security group rule`);
  });

  it('Fn::GetAtt in its "Resource.Attribute" string form (which CDK never writes)', async () => {
    const ctx = withPeer({ SourceSecurityGroupId: { 'Fn::GetAtt': 'GatewaySecurityGroup.GroupId' } });
    await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `${NAME}-network: cannot resolve {"Fn::GetAtt":"GatewaySecurityGroup.GroupId"} in a security group rule`);
  });

  it("the VPC's default group both as an inline egress peer and as a separate ingress's GroupId: one rejection, no unhandled one", async () => {
    // Two values the check cannot resolve in one deployment; the second must not leave the first rejected promise unhandled
    // (Node ends the process on an unhandled rejection, which would lose every other check's result).
    const defaultGroup = { 'Fn::GetAtt': ['Vpc', 'DefaultSecurityGroup'] };
    const network = stack('network', {
      Vpc: VPC_RESOURCE,
      GatewaySecurityGroup: securityGroup('Gateway', { SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, DestinationSecurityGroupId: defaultGroup }] }),
      DefaultFromGateway: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: defaultGroup, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': ['GatewaySecurityGroup', 'GroupId'] } } },
    });
    const rules = [liveRule(GATEWAY_SG, 'sgr-0f00000000000004', { IsEgress: true, IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, ReferencedGroupInfo: { GroupId: 'sg-0aaaabbbbccccdddd', UserId: ACCOUNT } })];
    const ctx = new DeployedContext([network], { physicalIds: { [`${NAME}-network`]: { Vpc: VPC, GatewaySecurityGroup: GATEWAY_SG, DefaultFromGateway: 'sgr-0f00000000000005' } }, rules, prefixLists: AWS_MANAGED_LISTS });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(sgRulesAsRendered.run(ctx)).rejects.toHaveProperty('message', `${NAME}-network: cannot resolve {"Fn::GetAtt":["Vpc","DefaultSecurityGroup"]} in a security group rule`);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('a default-VPC source named by SourceSecurityGroupName: the template names no ID, EC2 reports the group it found', async () => {
    const defaultVpc = 'vpc-0d3f1e2c5b4a69870';
    const web = 'sg-0123456789abcdef0';
    const network = stack('network', {
      BastionSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { GroupDescription: 'Bastion', VpcId: defaultVpc, SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, SourceSecurityGroupName: 'web' }] },
      },
    });
    const live = [
      liveRule(GATEWAY_SG, 'sgr-0f00000000000002', { IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, ReferencedGroupInfo: { GroupId: web, UserId: ACCOUNT } }),
      defaultEgress(GATEWAY_SG, 'sgr-0f00000000000003'),
    ];
    const ctx = new DeployedContext([network], { physicalIds: { [`${NAME}-network`]: { BastionSecurityGroup: GATEWAY_SG } }, rules: live, prefixLists: AWS_MANAGED_LISTS });
    expect(await sgRulesAsRendered.run(ctx)).toEqual([
      rendered(
        'fail',
        `${GATEWAY_SG} (network/BastionSecurityGroup)`,
        `extra ingress tcp 22 from ${web}; missing ingress tcp 22 from (no peer); expected exactly: egress all traffic to 0.0.0.0/0; ingress tcp 22 from (no peer)`,
      ),
    ]);
  });
});

test("the security group checks' metadata, exactly", () => {
  expect(SECURITY_GROUP_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam, needs: c.needs }))).toEqual([
    {
      id: sgNoWorldIngress.id,
      control: sgNoWorldIngress.control,
      title: 'No security group admits 0.0.0.0/0 or ::/0 on any port',
      concern: 'host',
      daily: true,
      iam: ['ec2:DescribeSecurityGroupRules'],
      needs: undefined,
    },
    {
      id: sgRulesAsRendered.id,
      control: sgRulesAsRendered.control,
      title: 'Every security group has exactly the ingress and egress rules the templates render',
      concern: 'host',
      daily: true,
      iam: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeManagedPrefixLists'],
      needs: undefined,
    },
  ]);
  expect([sgNoWorldIngress.id, sgNoWorldIngress.control, sgRulesAsRendered.id, sgRulesAsRendered.control]).toEqual(['host.sg-no-world-ingress', 'sg-no-world-ingress', 'host.sg-rules-as-rendered', 'sg-rules-as-rendered']);
});
