import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { EgressDnsFirewall } from '../../lib/network/egress-dns-firewall';

// The DNS Firewall egress allowlist on a bare stack (not the whole app): every resource
// it makes, pinned exactly: the allow list, the block-everything list answering NXDOMAIN
// after it, the association with the VPC and the fail-closed configuration.

const stack = new Stack(new App(), 'Network', { env: { account: '123456789012', region: 'eu-west-1' } });
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], vpcCidrBlock: '10.0.0.0/16' });
new EgressDnsFirewall(stack, 'Egress', { vpc, allowedDomains: ['api.anthropic.com', '*.example.org'], namePrefix: 'openclaw-test-prod' });
const template = Template.fromStack(stack);
const byType = (type: string) => Object.entries(template.findResources(type)).map(([id, r]) => ({ id, ...(r.Properties as Record<string, unknown>) }));

test('an allow list of exactly the configured domains, then a block-everything list answering NXDOMAIN; the VPC associated; failing closed', () => {
  const lists = byType('AWS::Route53Resolver::FirewallDomainList');
  expect(lists.map(({ id: _id, ...p }) => p)).toEqual([
    { Name: 'openclaw-test-prod-allowed', Domains: ['api.anthropic.com', '*.example.org'] },
    { Name: 'openclaw-test-prod-everything', Domains: ['*'] },
  ]);
  const [allowed, everything] = lists;
  const groups = byType('AWS::Route53Resolver::FirewallRuleGroup');
  expect(groups.map(({ id: _id, ...p }) => p)).toEqual([
    {
      Name: 'openclaw-test-prod-egress',
      FirewallRules: [
        { FirewallDomainListId: { 'Fn::GetAtt': [allowed!.id, 'Id'] }, Priority: 100, Action: 'ALLOW', FirewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN' },
        { FirewallDomainListId: { 'Fn::GetAtt': [everything!.id, 'Id'] }, Priority: 200, Action: 'BLOCK', BlockResponse: 'NXDOMAIN' },
      ],
    },
  ]);
  expect(byType('AWS::Route53Resolver::FirewallRuleGroupAssociation').map(({ id: _id, ...p }) => p)).toEqual([
    { FirewallRuleGroupId: { 'Fn::GetAtt': [groups[0]!.id, 'Id'] }, VpcId: 'vpc-0123456789abcdef0', Priority: 101, MutationProtection: 'DISABLED', Name: 'openclaw-test-prod-egress' },
  ]);
  expect(byType('AWS::Route53Resolver::FirewallConfig').map(({ id: _id, ...p }) => p)).toEqual([{ ResourceId: 'vpc-0123456789abcdef0', FirewallFailOpen: 'DISABLED' }]);
  expect(Object.keys(template.toJSON().Resources).length).toBe(5);
});

test.each(NAG_PACKS)('%s reports nothing on the DNS Firewall', (_name, pack) => {
  expect(pack().validateScope(stack).violations).toEqual([]);
});
