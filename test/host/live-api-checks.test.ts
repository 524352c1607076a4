import { CloudFormationClient, ListStackResourcesCommand, type ListStackResourcesCommandInput, type ListStackResourcesCommandOutput } from '@aws-sdk/client-cloudformation';
import {
  DescribeInstancesCommand,
  EC2Client,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  type Instance,
  type InstanceMetadataOptionsResponse,
  type InstanceNetworkInterface,
  type InstanceNetworkInterfaceAssociation,
} from '@aws-sdk/client-ec2';
import { HOST_API_LIVE_CHECKS, imdsv2Required, noPublicIp, publicAddresses } from '../../lib/host/live-api-checks';
import { loadConfig } from '../../lib/config/load';
import type { TemplateResource } from '../../lib/compliance/control';
import type { DeployedStack, StackRole } from '../../lib/verify/deployed-stacks';
import type { CheckStatus } from '../../lib/verify/live-check';
import { verifySettings } from '../../lib/verify/settings';
import { VerifyContext, type ClientClass } from '../../lib/verify/verify-context';
import { CONFIG_DIR, NOW, TEST_AMI_ID } from '../support/config-fixture';

// The two EC2 API checks of lib/host/live-api-checks.ts on a small hand-built deployment: the
// templates are what CloudFormation accepts, CloudFormation answers ListStackResources with their
// physical IDs, and EC2 answers DescribeInstances the way its API reference says it does
// (instances it does not own left out, unknown IDs refused, a call without IDs failing while an
// Availability Zone is disrupted; PublicIpAddress is eth0's public or Carrier IP).

const config = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;
const NAME = 'oc-example-dev';
const ACCOUNT = config.aws.account;
const REGION = config.aws.region;
const LAUNCHED = new Date('2026-11-02T09:14:00Z');

// ---------------------------------------------------------------------------------------------
// The templates (CloudFormation accepts literal subnet and group IDs where the real stacks import them).

type Resources = Record<string, TemplateResource>;
const PUBLIC_SUBNET = 'subnet-0a11b22c33d44e551';
const PRIVATE_SUBNET = 'subnet-0a11b22c33d44e552';
const NAT_SG = 'sg-0b11c22d33e44f551';
const GATEWAY_SG = 'sg-0b11c22d33e44f552';

/** An instance with one network interface (device index 0), as CDK renders ec2.Instance with associatePublicIpAddress. */
const instanceWithInterface = (associatePublicIp: unknown, subnet: string, group: string, type = 't4g.small'): TemplateResource => ({
  Type: 'AWS::EC2::Instance',
  Properties: {
    ImageId: TEST_AMI_ID,
    InstanceType: type,
    NetworkInterfaces: [{ AssociatePublicIpAddress: associatePublicIp, DeviceIndex: '0', GroupSet: [group], SubnetId: subnet }],
  },
});
/** An instance launched straight into a subnet (no NetworkInterfaces property). */
const instanceInSubnet = (subnet: string, group: string): TemplateResource => ({
  Type: 'AWS::EC2::Instance',
  Properties: { ImageId: TEST_AMI_ID, InstanceType: 't4g.small', SubnetId: subnet, SecurityGroupIds: [group] },
});
const NAT_INSTANCE = instanceWithInterface(true, PUBLIC_SUBNET, NAT_SG, 't4g.nano');
const GATEWAY_HOST = instanceWithInterface(false, PRIVATE_SUBNET, GATEWAY_SG, 't4g.medium');

// ---------------------------------------------------------------------------------------------
// What EC2 says about an instance: DescribeInstances' Instance shape.

interface Eni {
  readonly id: string;
  readonly privateIp: string;
  /** A public IPv4 address on its primary private IP: auto-assigned (owner 'amazon') or an Elastic IP (owner the account). */
  readonly publicIp?: { readonly ip: string; readonly owner: string };
  /** A Carrier IP (an interface in a Wavelength Zone subnet). */
  readonly carrierIp?: string;
}

interface LiveInstanceSpec {
  readonly id: string;
  readonly zone: string;
  readonly subnet: string;
  readonly group: string;
  readonly enis: readonly Eni[];
  readonly metadata?: Partial<InstanceMetadataOptionsResponse>;
}

/** The metadata options of an instance launched from the stacks' launch templates. */
const LAUNCHED_METADATA: InstanceMetadataOptionsResponse = {
  State: 'applied',
  HttpTokens: 'required',
  HttpPutResponseHopLimit: 1,
  HttpEndpoint: 'enabled',
  HttpProtocolIpv6: 'disabled',
  InstanceMetadataTags: 'disabled',
};

function describedInstance(s: LiveInstanceSpec): Instance {
  const interfaces: InstanceNetworkInterface[] = s.enis.map((e, index) => {
    const association: InstanceNetworkInterfaceAssociation | undefined = e.publicIp
      ? { PublicIp: e.publicIp.ip, IpOwnerId: e.publicIp.owner, PublicDnsName: '' }
      : e.carrierIp
        ? { CarrierIp: e.carrierIp, IpOwnerId: 'amazon', PublicDnsName: '' }
        : undefined;
    return {
      NetworkInterfaceId: e.id,
      OwnerId: ACCOUNT,
      SubnetId: s.subnet,
      VpcId: 'vpc-0c11d22e33f44a551',
      Status: 'in-use',
      InterfaceType: 'interface',
      SourceDestCheck: true,
      PrivateIpAddress: e.privateIp,
      Groups: [{ GroupId: s.group, GroupName: s.group }],
      Attachment: { AttachmentId: `eni-attach-${e.id.slice(4)}`, DeviceIndex: index, NetworkCardIndex: 0, Status: 'attached', DeleteOnTermination: index === 0, AttachTime: LAUNCHED },
      Ipv6Addresses: [],
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIp, ...(association ? { Association: association } : {}) }],
      ...(association ? { Association: association } : {}),
    };
  });
  // PublicIpAddress: the public IPv4 address, or the Carrier IP, of eth0 (EC2 API reference, Instance).
  const eth0 = s.enis[0];
  const publicIpAddress = eth0?.publicIp?.ip ?? eth0?.carrierIp;
  return {
    InstanceId: s.id,
    ImageId: TEST_AMI_ID,
    InstanceType: 't4g.small',
    LaunchTime: LAUNCHED,
    State: { Code: 16, Name: 'running' },
    Placement: { AvailabilityZone: s.zone, Tenancy: 'default' },
    SubnetId: s.subnet,
    VpcId: 'vpc-0c11d22e33f44a551',
    PrivateIpAddress: eth0?.privateIp,
    ...(publicIpAddress ? { PublicIpAddress: publicIpAddress } : {}),
    SecurityGroups: [{ GroupId: s.group, GroupName: s.group }],
    MetadataOptions: { ...LAUNCHED_METADATA, ...s.metadata },
    NetworkInterfaces: interfaces,
  };
}

// ---------------------------------------------------------------------------------------------
// The fake account: CloudFormation's ListStackResources and EC2's DescribeInstances.

class FakeAccount {
  /** Stack name -> logical ID -> physical ID (every resource CREATE_COMPLETE). */
  readonly physicalIds = new Map<string, { region: string; ids: Record<string, string>; types: Record<string, string> }>();
  /** The account's instances, by region. */
  readonly instances = new Map<string, Instance[]>();
  /** Instance IDs EC2 knows but this account does not own: described by ID, EC2 leaves them out of the answer. */
  readonly notOwned = new Set<string>();
  /** An Availability Zone in a service disruption: a DescribeInstances without IDs, or naming an instance there, fails. */
  disruptedZone: string | undefined;
  /** Every DescribeInstances: its region and the InstanceIds it asked for. */
  readonly describeCalls: { region: string; instanceIds: string[] | undefined }[] = [];

  run(region: string, ...specs: LiveInstanceSpec[]): this {
    this.instances.set(region, [...(this.instances.get(region) ?? []), ...specs.map(describedInstance)]);
    return this;
  }

  async answer(region: string, cmd: unknown): Promise<unknown> {
    if (cmd instanceof ListStackResourcesCommand) return this.listStackResources(region, cmd.input);
    if (cmd instanceof DescribeInstancesCommand) return this.describeInstances(region, cmd.input);
    throw new Error(`the fake account does not answer ${(cmd as object).constructor.name}`);
  }

  private listStackResources(region: string, input: ListStackResourcesCommandInput): ListStackResourcesCommandOutput {
    const stack = this.physicalIds.get(input.StackName ?? '');
    if (!stack || stack.region !== region) throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    return {
      $metadata: {},
      StackResourceSummaries: Object.entries(stack.ids).map(([logicalId, physicalId]) => ({
        LogicalResourceId: logicalId,
        PhysicalResourceId: physicalId,
        ResourceType: stack.types[logicalId],
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: LAUNCHED,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
    };
  }

  private describeInstances(region: string, input: DescribeInstancesCommandInput): DescribeInstancesCommandOutput {
    this.describeCalls.push({ region, instanceIds: input.InstanceIds });
    const mine = this.instances.get(region) ?? [];
    const unavailable = () => Object.assign(new Error("The server is overloaded and can't handle the request."), { name: 'Unavailable' });
    let answered: Instance[];
    if (!input.InstanceIds?.length) {
      if (this.disruptedZone && mine.length) throw unavailable();
      answered = mine;
    } else {
      const unknown = input.InstanceIds.filter((id) => !mine.some((i) => i.InstanceId === id) && !this.notOwned.has(id));
      if (unknown.length) throw Object.assign(new Error(`The instance ID '${unknown.join("', '")}' does not exist`), { name: 'InvalidInstanceID.NotFound' });
      answered = mine.filter((i) => input.InstanceIds!.includes(i.InstanceId!));
      if (answered.some((i) => i.Placement?.AvailabilityZone === this.disruptedZone)) throw unavailable();
    }
    // One reservation per instance (CloudFormation launches each on its own); EC2 promises no order, so not the asked one.
    return {
      $metadata: {},
      Reservations: [...answered].reverse().map((i) => ({ ReservationId: `r-${i.InstanceId!.slice(2)}`, OwnerId: ACCOUNT, Groups: [], Instances: [structuredClone(i)] })),
    };
  }
}

/** A real VerifyContext whose AWS clients are the fake account's. */
class FakeAccountContext extends VerifyContext {
  constructor(
    private readonly fake: FakeAccount,
    stacks: readonly DeployedStack[],
    region = REGION,
  ) {
    super({ name: NAME, account: ACCOUNT, region, stacks, settings: verifySettings(config), options: { writeProbes: false, now: NOW } });
  }

  override client<T>(cls: ClientClass<T>, region: string = this.region): T {
    if (cls !== (EC2Client as unknown) && cls !== (CloudFormationClient as unknown)) throw new Error(`unexpected client ${cls.name}`);
    // The paginators check `instanceof` the client class.
    return Object.assign(Object.create(cls.prototype) as object, { send: (cmd: unknown) => this.fake.answer(region, cmd) }) as T;
  }
}

/** The stack of `role`: its template, and CloudFormation's physical ID for every resource of it. */
function deploy(account: FakeAccount, role: StackRole, resources: Resources, physicalIds: Record<string, string>, region = REGION): DeployedStack {
  expect(Object.keys(physicalIds).sort()).toEqual(Object.keys(resources).sort());
  const stackName = `${NAME}-${role}`;
  account.physicalIds.set(stackName, { region, ids: physicalIds, types: Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, r.Type])) });
  return { stackName, role, region, template: { Resources: resources } };
}

const NAT_ID = 'i-0a1b2c3d4e5f60711';
const GATEWAY_ID = 'i-0a1b2c3d4e5f60722';
const NAT_ENI = 'eni-0d1e2f3a4b5c60711';
const GATEWAY_ENI = 'eni-0d1e2f3a4b5c60722';
const NAT_PUBLIC_IP = '203.0.113.17';

/** The NAT instance as launched: AssociatePublicIpAddress on eth0 gives it an Amazon-owned public IP. */
const natAsLaunched = (more: Partial<LiveInstanceSpec> = {}): LiveInstanceSpec => ({
  id: NAT_ID,
  zone: `${REGION}a`,
  subnet: PUBLIC_SUBNET,
  group: NAT_SG,
  enis: [{ id: NAT_ENI, privateIp: '10.40.0.12', publicIp: { ip: NAT_PUBLIC_IP, owner: 'amazon' } }],
  ...more,
});
/** The gateway host as launched: a private subnet, no public IP. */
const gatewayAsLaunched = (more: Partial<LiveInstanceSpec> = {}): LiveInstanceSpec => ({
  id: GATEWAY_ID,
  zone: `${REGION}b`,
  subnet: PRIVATE_SUBNET,
  group: GATEWAY_SG,
  enis: [{ id: GATEWAY_ENI, privateIp: '10.40.2.34' }],
  ...more,
});

/** The network stack (the NAT instance) and the gateway stack (the host), both deployed. */
function deployment(account: FakeAccount, natInstance: TemplateResource = NAT_INSTANCE, gatewayResources: Resources = { GatewayHost: GATEWAY_HOST }, gatewayIds: Record<string, string> = { GatewayHost: GATEWAY_ID }) {
  return new FakeAccountContext(account, [deploy(account, 'network', { NatInstance: natInstance }, { NatInstance: NAT_ID }), deploy(account, 'gateway', gatewayResources, gatewayIds)]);
}

const NAT_LABEL = `${NAT_ID} (network/NatInstance)`;
const GATEWAY_LABEL = `${GATEWAY_ID} (gateway/GatewayHost)`;
const IMDS_EXPECTED = 'HttpTokens required, HttpPutResponseHopLimit 1, HttpEndpoint enabled';

const imds = (status: CheckStatus, resource: string, evidence: string) => ({ check: 'host.imdsv2-required', control: 'ec2-imdsv2-hop-limit-1', status, resource, evidence });
const publicIp = (status: CheckStatus, resource: string, evidence: string) => ({ check: 'host.no-public-ip', control: 'ec2-no-public-ip', status, resource, evidence });

// ---------------------------------------------------------------------------------------------

describe('host.imdsv2-required', () => {
  it('both instances launched with tokens required, hop limit 1 and the endpoint enabled: one pass each, in stack order', async () => {
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched()));
    expect(await imdsv2Required.run(ctx)).toEqual([imds('pass', NAT_LABEL, IMDS_EXPECTED), imds('pass', GATEWAY_LABEL, IMDS_EXPECTED)]);
  });

  it('the metadata endpoint turned off (ModifyInstanceMetadataOptions HttpEndpoint disabled) while tokens stay required with hop limit 1: a fail', async () => {
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched({ metadata: { HttpEndpoint: 'disabled' } })));
    expect(await imdsv2Required.run(ctx)).toEqual([
      imds('pass', NAT_LABEL, IMDS_EXPECTED),
      imds('fail', GATEWAY_LABEL, `HttpTokens required, HttpPutResponseHopLimit 1, HttpEndpoint disabled; expected ${IMDS_EXPECTED}`),
    ]);
  });

  it('tokens made optional on the NAT instance and the hop limit raised to 2 on the gateway host: both fail, each naming what EC2 reports', async () => {
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched({ metadata: { HttpTokens: 'optional' } }), gatewayAsLaunched({ metadata: { HttpPutResponseHopLimit: 2 } })));
    expect(await imdsv2Required.run(ctx)).toEqual([
      imds('fail', NAT_LABEL, `HttpTokens optional, HttpPutResponseHopLimit 1, HttpEndpoint enabled; expected ${IMDS_EXPECTED}`),
      imds('fail', GATEWAY_LABEL, `HttpTokens required, HttpPutResponseHopLimit 2, HttpEndpoint enabled; expected ${IMDS_EXPECTED}`),
    ]);
  });
});

describe('an instance DescribeInstances leaves out of its answer (EC2 omits instances the caller does not own)', () => {
  it('both checks fail on it, saying it was not found, and still judge the other instance', async () => {
    const account = new FakeAccount().run(REGION, natAsLaunched());
    account.notOwned.add(GATEWAY_ID);
    const ctx = deployment(account);
    expect(await imdsv2Required.run(ctx)).toEqual([
      imds('pass', NAT_LABEL, IMDS_EXPECTED),
      imds('fail', GATEWAY_LABEL, `instance not found by DescribeInstances; expected ${IMDS_EXPECTED}`),
    ]);
    expect(await noPublicIp.run(ctx)).toEqual([
      publicIp('pass', NAT_LABEL, `public IP ${NAT_PUBLIC_IP} on ${NAT_ENI} (its template asks for one: AssociatePublicIpAddress true on its network interface)`),
      publicIp('fail', GATEWAY_LABEL, 'instance not found by DescribeInstances; expected the deployed instance'),
    ]);
  });
});

describe('the DescribeInstances request', () => {
  it("names the deployment's instances, so a disrupted Availability Zone holding other instances of the account does not fail it", async () => {
    // EC2 API reference: while a zone is disrupted, a call without instance IDs fails; one naming only instances elsewhere works.
    const account = new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched(), {
      id: 'i-0f9e8d7c6b5a40399',
      zone: `${REGION}c`,
      subnet: 'subnet-0a11b22c33d44e559',
      group: 'sg-0b11c22d33e44f559',
      enis: [{ id: 'eni-0d1e2f3a4b5c60799', privateIp: '10.99.0.5' }],
    });
    account.disruptedZone = `${REGION}c`;
    const ctx = deployment(account);
    expect(await imdsv2Required.run(ctx)).toEqual([imds('pass', NAT_LABEL, IMDS_EXPECTED), imds('pass', GATEWAY_LABEL, IMDS_EXPECTED)]);
    expect((await noPublicIp.run(ctx)).map((r) => r.status)).toEqual(['pass', 'pass']);
    // One call per region for both checks, with exactly the stacks' instances.
    expect(account.describeCalls).toEqual([{ region: REGION, instanceIds: [NAT_ID, GATEWAY_ID] }]);
  });
});

describe('host.no-public-ip: what the template asks for', () => {
  const NAT_PASS = publicIp('pass', NAT_LABEL, `public IP ${NAT_PUBLIC_IP} on ${NAT_ENI} (its template asks for one: AssociatePublicIpAddress true on its network interface)`);
  const GATEWAY_PASS = publicIp('pass', GATEWAY_LABEL, 'no public IP, no association on any network interface');

  it("the NAT instance's Amazon public IP (AssociatePublicIpAddress true) and the gateway host without one: both pass", async () => {
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched()));
    expect(await noPublicIp.run(ctx)).toEqual([NAT_PASS, GATEWAY_PASS]);
  });

  it('AssociatePublicIpAddress written as the string "true" (CloudFormation takes it for the Boolean): the public IP is asked for', async () => {
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched()), instanceWithInterface('true', PUBLIC_SUBNET, NAT_SG, 't4g.nano'));
    expect(await noPublicIp.run(ctx)).toEqual([NAT_PASS, GATEWAY_PASS]);
  });

  it('a host launched straight into its subnet (no NetworkInterfaces) with a data volume attached (AWS::EC2::VolumeAttachment names it): no public IP asked, none seen', async () => {
    const resources: Resources = {
      GatewayHost: instanceInSubnet(PRIVATE_SUBNET, GATEWAY_SG),
      DataVolume: { Type: 'AWS::EC2::Volume', Properties: { AvailabilityZone: `${REGION}b`, Size: 20, VolumeType: 'gp3', Encrypted: true } },
      DataVolumeAttachment: { Type: 'AWS::EC2::VolumeAttachment', Properties: { InstanceId: { Ref: 'GatewayHost' }, VolumeId: { Ref: 'DataVolume' }, Device: '/dev/sdf' } },
    };
    const ids = { GatewayHost: GATEWAY_ID, DataVolume: 'vol-0e1f2a3b4c5d60722', DataVolumeAttachment: 'oc-exam-DataV-1A2B3C4D5E6F' };
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched()), NAT_INSTANCE, resources, ids);
    expect(await noPublicIp.run(ctx)).toEqual([NAT_PASS, GATEWAY_PASS]);
  });

  describe('an Elastic IP of the stack that names the instance', () => {
    const EIP = '198.51.100.40';
    // Associating an Elastic IP releases the auto-assigned one: eth0 shows the EIP, owned by the account.
    const withEip = () => gatewayAsLaunched({ enis: [{ id: GATEWAY_ENI, privateIp: '10.40.2.34', publicIp: { ip: EIP, owner: ACCOUNT } }] });
    const eipStack: Resources = { GatewayHost: instanceInSubnet(PRIVATE_SUBNET, GATEWAY_SG), GatewayEip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc', InstanceId: { Ref: 'GatewayHost' } } } };
    const eipIds = { GatewayHost: GATEWAY_ID, GatewayEip: EIP };

    it('AWS::EC2::EIP with InstanceId, associated: a pass naming the Elastic IP resource', async () => {
      const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), withEip()), NAT_INSTANCE, eipStack, eipIds);
      expect(await noPublicIp.run(ctx)).toEqual([NAT_PASS, publicIp('pass', GATEWAY_LABEL, `public IP ${EIP} on ${GATEWAY_ENI} (its template asks for one: Elastic IP GatewayEip)`)]);
    });

    it('AWS::EC2::EIP with InstanceId, but disassociated live: a fail, the template asks for one', async () => {
      const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched()), NAT_INSTANCE, eipStack, eipIds);
      expect(await noPublicIp.run(ctx)).toEqual([
        NAT_PASS,
        publicIp('fail', GATEWAY_LABEL, 'no public IP, no association on any network interface (its template asks for one: Elastic IP GatewayEip); expected a public IP, as its template asks'),
      ]);
    });

    it('an AWS::EC2::EIP allocated alone and an AWS::EC2::EIPAssociation giving it to the instance: a pass naming the association', async () => {
      const resources: Resources = {
        GatewayHost: instanceInSubnet(PRIVATE_SUBNET, GATEWAY_SG),
        GatewayEip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
        GatewayEipAssociation: { Type: 'AWS::EC2::EIPAssociation', Properties: { AllocationId: { 'Fn::GetAtt': ['GatewayEip', 'AllocationId'] }, InstanceId: { Ref: 'GatewayHost' } } },
      };
      const ids = { GatewayHost: GATEWAY_ID, GatewayEip: EIP, GatewayEipAssociation: 'eipassoc-0a1b2c3d4e5f60722' };
      const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), withEip()), NAT_INSTANCE, resources, ids);
      expect(await noPublicIp.run(ctx)).toEqual([NAT_PASS, publicIp('pass', GATEWAY_LABEL, `public IP ${EIP} on ${GATEWAY_ENI} (its template asks for one: Elastic IP GatewayEipAssociation)`)]);
    });
  });

  it("Elastic IPs of the stack that name no instance (a bare AWS::EC2::EIP) or another one (a jump host's): the host's template asks for none", async () => {
    const JUMP_ID = 'i-0a1b2c3d4e5f60733';
    const JUMP_ENI = 'eni-0d1e2f3a4b5c60733';
    const JUMP_EIP = '198.51.100.41';
    const resources: Resources = {
      SpareEip: { Type: 'AWS::EC2::EIP' },
      GatewayHost: instanceInSubnet(PRIVATE_SUBNET, GATEWAY_SG),
      JumpHost: instanceInSubnet(PUBLIC_SUBNET, GATEWAY_SG),
      JumpHostEip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc', InstanceId: { Ref: 'JumpHost' } } },
    };
    const ids = { SpareEip: '198.51.100.42', GatewayHost: GATEWAY_ID, JumpHost: JUMP_ID, JumpHostEip: JUMP_EIP };
    const jump: LiveInstanceSpec = { id: JUMP_ID, zone: `${REGION}a`, subnet: PUBLIC_SUBNET, group: GATEWAY_SG, enis: [{ id: JUMP_ENI, privateIp: '10.40.0.50', publicIp: { ip: JUMP_EIP, owner: ACCOUNT } }] };
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), gatewayAsLaunched(), jump), NAT_INSTANCE, resources, ids);
    expect(await noPublicIp.run(ctx)).toEqual([
      NAT_PASS,
      GATEWAY_PASS,
      publicIp('pass', `${JUMP_ID} (gateway/JumpHost)`, `public IP ${JUMP_EIP} on ${JUMP_ENI} (its template asks for one: Elastic IP JumpHostEip)`),
    ]);
  });
});

describe('host.no-public-ip: the public IPs EC2 reports', () => {
  const NOT_ASKED = 'expected no public IP (the template asks for none)';

  it('Elastic IPs associated by hand with eth0 and with a second interface attached later: a fail listing each once, with its interface', async () => {
    const SECOND_ENI = 'eni-0d1e2f3a4b5c60723';
    const live = gatewayAsLaunched({
      enis: [
        { id: GATEWAY_ENI, privateIp: '10.40.2.34', publicIp: { ip: '198.51.100.23', owner: ACCOUNT } },
        { id: SECOND_ENI, privateIp: '10.40.2.35', publicIp: { ip: '198.51.100.24', owner: ACCOUNT } },
      ],
    });
    const ctx = deployment(new FakeAccount().run(REGION, natAsLaunched(), live));
    expect((await noPublicIp.run(ctx))[1]).toEqual(publicIp('fail', GATEWAY_LABEL, `public IP 198.51.100.23 on ${GATEWAY_ENI}, 198.51.100.24 on ${SECOND_ENI}; ${NOT_ASKED}`));
  });

  it('a Carrier IP associated by hand with a host in a Wavelength Zone (PublicIpAddress is the Carrier IP, the interface has no PublicIp): a fail naming it and its interface', async () => {
    const region = 'eu-west-2';
    const zone = 'eu-west-2-wl1-lon-wlz-1';
    const account = new FakeAccount().run(region, {
      id: GATEWAY_ID,
      zone,
      subnet: PRIVATE_SUBNET,
      group: GATEWAY_SG,
      enis: [{ id: GATEWAY_ENI, privateIp: '10.40.2.34', carrierIp: '198.51.100.77' }],
    });
    const ctx = new FakeAccountContext(account, [deploy(account, 'gateway', { GatewayHost: GATEWAY_HOST }, { GatewayHost: GATEWAY_ID }, region)], region);
    expect(await noPublicIp.run(ctx)).toEqual([publicIp('fail', GATEWAY_LABEL, `public IP 198.51.100.77 on ${GATEWAY_ENI}; ${NOT_ASKED}`)]);
  });
});

describe('publicAddresses: every public IPv4 address on any private IP of any interface', () => {
  const assoc = (ip: { PublicIp?: string; CarrierIp?: string }): InstanceNetworkInterfaceAssociation => ({ ...ip, IpOwnerId: ACCOUNT, PublicDnsName: '' });
  it("an Elastic IP on a secondary private IP (only under PrivateIpAddresses[].Association), a Carrier IP on a second interface, each once", () => {
    const instance: Instance = {
      InstanceId: GATEWAY_ID,
      PublicIpAddress: '198.51.100.10',
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-a',
          Association: assoc({ PublicIp: '198.51.100.10' }),
          PrivateIpAddresses: [
            { Primary: true, PrivateIpAddress: '10.40.2.34', Association: assoc({ PublicIp: '198.51.100.10' }) },
            { Primary: false, PrivateIpAddress: '10.40.2.40', Association: assoc({ PublicIp: '203.0.113.5' }) },
            { Primary: false, PrivateIpAddress: '10.40.2.41' },
          ],
        },
        { NetworkInterfaceId: 'eni-b', Association: assoc({ CarrierIp: '155.146.1.2' }), PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.40.2.50', Association: assoc({ CarrierIp: '155.146.1.2' }) }] },
        { NetworkInterfaceId: 'eni-c', PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.40.2.60' }] },
        { NetworkInterfaceId: 'eni-d' },
      ],
    };
    expect(publicAddresses(instance)).toEqual([
      { ip: '198.51.100.10', eni: 'eni-a' },
      { ip: '203.0.113.5', eni: 'eni-a' },
      { ip: '155.146.1.2', eni: 'eni-b' },
    ]);
    expect(publicAddresses({ InstanceId: GATEWAY_ID })).toEqual([]);
  });
});

test("the host API checks' metadata, exactly, and the security group checks after them", () => {
  expect(HOST_API_LIVE_CHECKS.map((c) => [c.id, c.control, c.title, c.concern, c.daily, c.iam, c.needs])).toEqual([
    ['host.imdsv2-required', 'ec2-imdsv2-hop-limit-1', 'Every instance requires IMDSv2 tokens with a hop limit of 1 (instance metadata options)', 'host', true, ['ec2:DescribeInstances'], undefined],
    ['host.no-public-ip', 'ec2-no-public-ip', 'No instance has a public IP, except where its template asks for one (the NAT instance)', 'host', true, ['ec2:DescribeInstances'], undefined],
    ['host.sg-no-world-ingress', 'sg-no-world-ingress', expect.any(String), 'host', true, ['ec2:DescribeSecurityGroupRules'], undefined],
    ['host.sg-rules-as-rendered', 'sg-rules-as-rendered', expect.any(String), 'host', true, ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeManagedPrefixLists'], undefined],
  ]);
});
