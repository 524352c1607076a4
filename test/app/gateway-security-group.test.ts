import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { GatewaySecurityGroup } from '../../lib/network/gateway-security-group';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The gateway's security group on a bare stack (not the whole app): inbound only the proxy
// port from the CloudFront origin-facing prefix list, outbound only HTTPS, and exactly the
// two guard findings acknowledged that cannot evaluate a managed prefix list.

const stack = new Stack(new App(), 'Network', { env: { account: '123456789012', region: 'eu-west-1' } });
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], vpcCidrBlock: '10.0.0.0/16' });
const sg = new GatewaySecurityGroup(stack, 'Gateway', { vpc, proxyPort: 8080, originFacingPrefixListId: 'pl-3b927c52' });
const template = Template.fromStack(stack);
const sgId = stack.getLogicalId(sg.node.defaultChild as ec2.CfnSecurityGroup);

test('one ingress rule: the proxy port from the origin-facing prefix list; egress: HTTPS only, no IPv6', () => {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const ingressId = Object.keys(template.findResources('AWS::EC2::SecurityGroupIngress'))[0]!;
  expect(resources).toEqual({
    [sgId]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'OpenClaw gateway: proxy port from the VPC origin only; egress HTTPS only',
        VpcId: 'vpc-0123456789abcdef0',
        SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS to allowlisted domains (DNS Firewall)', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 }],
      },
    },
    [ingressId]: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
        SourcePrefixListId: 'pl-3b927c52',
        Description: 'nginx from CloudFront origin-facing servers (VPC origin)',
      },
    },
  });
});

test('acknowledges exactly the two guard rules that cannot evaluate a managed prefix list, on the ingress rule only, with the reason', () => {
  const acks = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint');
  expect(acks.map((a) => [a.path, a.rule, a.onSingleResource])).toEqual([
    ['Network/Gateway/ProxyPortFromCloudFront', 'cdk-validator-cfnguard::vpc_sg_open_only_to_authorized_ports_check', true],
    ['Network/Gateway/ProxyPortFromCloudFront', 'cdk-validator-cfnguard::vpc_sg_restricted_common_ports_check', true],
  ]);
  for (const a of acks) expect(a.reason).toMatch(/^The source is the AWS-managed CloudFront origin-facing prefix list, not 0\.0\.0\.0\/0 or ::\/0/);
});

test.each(NAG_PACKS)('%s reports nothing on the security group', (_name, pack) => {
  expect(pack().validateScope(stack).violations).toEqual([]);
});
