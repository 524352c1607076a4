import { HOST_API_LIVE_CHECKS, imdsv2Required, noPublicIp } from '../../lib/host/live-api-checks';
import { sgNoWorldIngress, sgRulesAsRendered } from '../../lib/network/live-security-groups';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { NOW } from '../support/config-fixture';
import { ec2State } from '../support/fake-deployment/ec2';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { FakeWorld, synthesizeFixture } from '../support/fake-deployment/world';

let fake: InstalledFake;

beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
}, 120_000);
afterAll(() => fake?.restore());

const ctx = () =>
  fake.world.verifyContext({ now: NOW });

/** Runs `check` after `drift` changed the EC2 state, and puts the world back. */
async function drifted(check: LiveCheck, drift: () => void) {
  try {
    drift();
    return await runChecks([check], ctx());
  } finally {
    delete fake.world.state.ec2;
  }
}

const instanceOf = (role: 'gateway' | 'network') => {
  const r = fake.world.resources('AWS::EC2::Instance', role)[0]!;
  const id = fake.world.physicalId(role, r.logicalId);
  return { id, live: ec2State(fake.world).instances.get(id)! };
};
const groupOf = (logicalIdStart: string) => {
  const r = fake.world.resources('AWS::EC2::SecurityGroup', 'network').find((g) => g.logicalId.startsWith(logicalIdStart))!;
  const id = fake.world.physicalId('network', r.logicalId);
  return { id, rules: ec2State(fake.world).rules.get(id)! };
};

describe('host API live checks on the fake of a correct example/prod', () => {
  it('every check passes, one result per instance or group, with what it saw', async () => {
    const results = await runChecks(HOST_API_LIVE_CHECKS, ctx());
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    const of = (check: string) => results.filter((r) => r.check === check);
    const gw = instanceOf('gateway');
    const nat = instanceOf('network');
    // Every instance of every stack, in stack order: the NAT instance (network), then the gateway host.
    expect(of('host.imdsv2-required').map((r) => r.resource)).toEqual([expect.stringMatching(new RegExp(`^${nat.id} \\(network/`)), expect.stringMatching(new RegExp(`^${gw.id} \\(gateway/`))]);
    expect(new Set(of('host.imdsv2-required').map((r) => r.evidence))).toEqual(new Set(['HttpTokens required, HttpPutResponseHopLimit 1, HttpEndpoint enabled']));
    const ip = of('host.no-public-ip');
    expect(ip.find((r) => r.resource.startsWith(gw.id))!.evidence).toBe('no public IP, no association on any network interface');
    // The NAT instance's template asks for a public IP: reported as such, never skipped.
    expect(ip.find((r) => r.resource.startsWith(nat.id))!.evidence).toMatch(/^public IP 203\.0\.113\.\d+ on eni-\w+ \(its template asks for one: AssociatePublicIpAddress true on its network interface\)$/);
    const gwSg = groupOf('GatewaySecurityGroup');
    const rendered = of('host.sg-rules-as-rendered').find((r) => r.resource.startsWith(gwSg.id))!;
    const prefixList = gwSg.rules.find((r) => !r.IsEgress)!.PrefixListId!;
    expect(rendered.evidence).toBe(`2 rule(s) as rendered: egress tcp 443 to 0.0.0.0/0; ingress tcp 8080 from ${prefixList}`);
    // No inline egress in a group's template would mean EC2's allow-all egress; the NAT group renders it itself.
    const natSg = groupOf('VpcNatSecurityGroup');
    expect(of('host.sg-rules-as-rendered').find((r) => r.resource.startsWith(natSg.id))!.evidence).toBe('2 rule(s) as rendered: egress all traffic to 0.0.0.0/0; ingress tcp 443 from 10.40.0.0/16');
    expect(of('host.sg-no-world-ingress').find((r) => r.resource.startsWith(gwSg.id))!.evidence).toBe(`1 ingress rule(s), none from the world: ingress tcp 8080 from ${prefixList}`);
  });

  it('declares its controls and the IAM actions it calls', () => {
    expect(HOST_API_LIVE_CHECKS.map((c) => [c.id, c.control, c.daily, c.iam])).toEqual([
      ['host.imdsv2-required', 'ec2-imdsv2-hop-limit-1', true, ['ec2:DescribeInstances']],
      ['host.no-public-ip', 'ec2-no-public-ip', true, ['ec2:DescribeInstances']],
      ['host.sg-no-world-ingress', 'sg-no-world-ingress', true, ['ec2:DescribeSecurityGroupRules']],
      ['host.sg-rules-as-rendered', 'sg-rules-as-rendered', true, ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeManagedPrefixLists']],
    ]);
  });
});

describe('host API live checks fail on drift, naming what they saw', () => {
  it('hop limit 2 on the gateway host', async () => {
    const results = await drifted(imdsv2Required, () => (instanceOf('gateway').live.MetadataOptions!.HttpPutResponseHopLimit = 2));
    const r = results.find((x) => x.status === 'fail')!;
    expect(r).toMatchObject({ control: 'ec2-imdsv2-hop-limit-1', resource: expect.stringContaining(instanceOf('gateway').id) });
    expect(r.evidence).toBe('HttpTokens required, HttpPutResponseHopLimit 2, HttpEndpoint enabled; expected HttpTokens required, HttpPutResponseHopLimit 1, HttpEndpoint enabled');
    expect(results.filter((x) => x.status === 'fail')).toHaveLength(1);
  });

  it('tokens optional on the NAT instance', async () => {
    const results = await drifted(imdsv2Required, () => (instanceOf('network').live.MetadataOptions!.HttpTokens = 'optional'));
    const r = results.find((x) => x.status === 'fail')!;
    expect(r.resource).toContain(instanceOf('network').id);
    expect(r.evidence).toMatch(/^HttpTokens optional, HttpPutResponseHopLimit 1, HttpEndpoint enabled; expected/);
  });

  it('an Elastic IP associated with the gateway host', async () => {
    const results = await drifted(noPublicIp, () => {
      const { live } = instanceOf('gateway');
      live.PublicIpAddress = '198.51.100.23';
      live.NetworkInterfaces![0]!.Association = { PublicIp: '198.51.100.23', IpOwnerId: fake.world.account };
    });
    const r = results.find((x) => x.status === 'fail')!;
    expect(r).toMatchObject({ control: 'ec2-no-public-ip', resource: expect.stringContaining(instanceOf('gateway').id) });
    expect(r.evidence).toMatch(/^public IP 198\.51\.100\.23 on eni-\w+; expected no public IP \(the template asks for none\)$/);
  });

  it('the NAT instance without the public IP its template asks for', async () => {
    const results = await drifted(noPublicIp, () => {
      const { live } = instanceOf('network');
      delete live.PublicIpAddress;
      delete live.NetworkInterfaces![0]!.Association;
    });
    const r = results.find((x) => x.status === 'fail')!;
    expect(r.resource).toContain(instanceOf('network').id);
    expect(r.evidence).toMatch(/^no public IP, no association on any network interface \(its template asks for one: .*\); expected a public IP, as its template asks$/);
  });

  it('an added 0.0.0.0/0 ingress on port 22', async () => {
    const ssh = { SecurityGroupRuleId: 'sgr-0ssh', IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' };
    for (const check of [sgNoWorldIngress, sgRulesAsRendered]) {
      const results = await drifted(check, () => groupOf('GatewaySecurityGroup').rules.push({ ...ssh, GroupId: groupOf('GatewaySecurityGroup').id }));
      const failed = results.filter((x) => x.status === 'fail');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.resource).toContain(groupOf('GatewaySecurityGroup').id);
      expect(failed[0]!.evidence).toMatch(check === sgNoWorldIngress ? /^ingress tcp 22 from 0\.0\.0\.0\/0 \(sgr-0ssh\); expected no ingress/ : /^extra ingress tcp 22 from 0\.0\.0\.0\/0; expected exactly: /);
    }
  });

  it('an egress rule removed', async () => {
    const results = await drifted(sgRulesAsRendered, () => {
      const g = groupOf('GatewaySecurityGroup');
      g.rules.splice(g.rules.findIndex((x) => x.IsEgress), 1);
    });
    const r = results.find((x) => x.status === 'fail')!;
    expect(r).toMatchObject({ control: 'sg-rules-as-rendered', resource: expect.stringContaining(groupOf('GatewaySecurityGroup').id) });
    expect(r.evidence).toMatch(/^missing egress tcp 443 to 0\.0\.0\.0\/0; expected exactly: egress tcp 443 to 0\.0\.0\.0\/0; ingress tcp 8080 from /);
  });

  it("the NAT group's ingress widened from the VPC to 0.0.0.0/0", async () => {
    const results = await drifted(sgNoWorldIngress, () => {
      for (const r of groupOf('VpcNatSecurityGroup').rules) if (!r.IsEgress) r.CidrIpv4 = '0.0.0.0/0';
    });
    const r = results.find((x) => x.status === 'fail')!;
    expect(r.resource).toContain(groupOf('VpcNatSecurityGroup').id);
    expect(r.evidence).toMatch(/^ingress tcp 443 from 0\.0\.0\.0\/0 \(sgr-\w+\); expected no ingress from 0\.0\.0\.0\/0 or ::\/0$/);
  });
});

describe("the EC2 fake derives metadata options from the templates as EC2 does", () => {
  /** A world whose gateway instance has no launch template: EC2's defaults apply. */
  const withoutLaunchTemplate = () => {
    const fixture = fake.world.fixture;
    const stacks = fixture.stacks.map((s) => {
      if (s.role !== 'gateway') return s;
      const resources = Object.fromEntries(
        Object.entries(s.template.Resources ?? {}).map(([id, r]) => {
          if (r.Type !== 'AWS::EC2::Instance') return [id, r];
          const props = { ...r.Properties };
          delete props.LaunchTemplate;
          return [id, { ...r, Properties: props }];
        }),
      );
      return { ...s, template: { ...s.template, Resources: resources } };
    });
    return new FakeWorld({ ...fixture, stacks });
  };

  it('without a launch template and an AMI without ImdsSupport: tokens optional, hop limit 1', () => {
    const world = withoutLaunchTemplate();
    const gw = [...ec2State(world).instances.values()].find((i) => i.InstanceId === instanceOf('gateway').id)!;
    expect(gw.MetadataOptions).toMatchObject({ HttpTokens: 'optional', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' });
  });

  it('without a launch template and an AMI registered with ImdsSupport v2.0: tokens required, hop limit 2', () => {
    const world = withoutLaunchTemplate();
    world.state.amiImdsSupport = { [String(instanceOf('gateway').live.ImageId)]: 'v2.0' };
    const gw = [...ec2State(world).instances.values()].find((i) => i.InstanceId === instanceOf('gateway').id)!;
    expect(gw.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
  });
});

test("each check's id, control, title, concern, schedule and actions, exactly (the list a mutation run found unpinned)", () => {
  expect(HOST_API_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam }))).toEqual([
      {"id":"host.imdsv2-required","control":"ec2-imdsv2-hop-limit-1","title":"Every instance requires IMDSv2 tokens with a hop limit of 1 (instance metadata options)","concern":"host","daily":true,"iam":["ec2:DescribeInstances"]},
      {"id":"host.no-public-ip","control":"ec2-no-public-ip","title":"No instance has a public IP, except where its template asks for one (the NAT instance)","concern":"host","daily":true,"iam":["ec2:DescribeInstances"]},
      {"id":"host.sg-no-world-ingress","control":"sg-no-world-ingress","title":"No security group admits 0.0.0.0/0 or ::/0 on any port","concern":"host","daily":true,"iam":["ec2:DescribeSecurityGroupRules"]},
      {"id":"host.sg-rules-as-rendered","control":"sg-rules-as-rendered","title":"Every security group has exactly the ingress and egress rules the templates render","concern":"host","daily":true,"iam":["ec2:DescribeSecurityGroupRules","ec2:DescribeManagedPrefixLists"]},
  ]);
});
