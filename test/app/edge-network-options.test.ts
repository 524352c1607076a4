import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import type { BuiltApp } from '../../lib/app';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import type { GateFinding } from '../../lib/gate/finding';
import { configFixture, TEST_AMI_ID } from '../support/config-fixture';
import { buildForTest, gateFindings } from '../support/build';
import { pinnedHostDomains } from '../support/host-egress-domains';

// One synth of a client that turns on every option of the edge and network.
const OPTIONS = `aws:
  account: "123456789012"
  region: eu-central-1
instance:
  amiId: ${TEST_AMI_ID}
network:
  natMode: gateway
  egress:
    providers: [openai, bedrock]
    channels: [slack]
    extraDomains: [hooks.example.com]
edge:
  customDomain:
    domainName: agents.example.com
    certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789
  allowedOrigins: [https://admin.example.com]
  waf:
    rateLimitPer5Min: 300
    anonymousIpList: true
    botControl: true
    ipAllowlist: [203.0.113.0/24, "2001:db8::/32"]
    geoAllowlist: [DE, AT]
`;
const AGENT = `openclaw:
  agents:
    assistant:
      description: Drafts replies for the team, reached only through the gateway.
      provider: openai
      model: gpt-5
spend:
  modelPrices:
    openai/gpt-5: { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125, cacheWritePerMTok: 0 }
`;
const root = configFixture({
  'clients/options/client.yaml': OPTIONS + AGENT,
  'clients/options/agents/assistant/SOUL.md': '# Assistant\nCareful and brief.\n',
  'clients/options/agents/assistant/AGENTS.md': '# Instructions\nDraft, never send.\n',
});
let built: BuiltApp;
let findings: GateFinding[];
let network: Template;
let edge: Template;

beforeAll(() => {
  built = buildForTest({ client: 'options', env: 'dev' }, path.join(root, 'config'), root);
  findings = gateFindings(built);
  network = Template.fromStack(built.deployments[0]!.stage.network);
  edge = Template.fromStack(built.deployments[0]!.stage.edge);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('passes the gate', () => {
  expect(findings).toEqual([]);
});

test('natMode gateway uses one managed NAT gateway and no NAT instance', () => {
  network.resourceCountIs('AWS::EC2::NatGateway', 1);
  network.resourceCountIs('AWS::EC2::Instance', 0);
});

test('the egress allowlist follows the providers, channels and extra domains', () => {
  const [list] = Object.values(network.findResources('AWS::Route53Resolver::FirewallDomainList')).filter((d) => String((d as { Properties: { Name: string } }).Properties.Name).endsWith('-allowed'));
  // The whole list, pinned: OpenAI, Bedrock (runtime and control) and Slack with its subdomains from the
  // providers and channels, hooks.example.com from network.egress, and the host's AWS endpoints.
  expect((list as { Properties: { Domains: string[] } }).Properties.Domains).toEqual(
    [...pinnedHostDomains('eu-central-1', '123456789012'), '*.slack.com', 'api.openai.com', 'bedrock-runtime.eu-central-1.amazonaws.com', 'bedrock.eu-central-1.amazonaws.com', 'hooks.example.com', 'slack.com'].sort(),
  );
});

test('a custom domain gets its certificate, SNI and TLS 1.2 (2021), and no TLS acknowledgement', () => {
  edge.hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      Aliases: ['agents.example.com'],
      ViewerCertificate: {
        AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    }),
  });
  const rules = collectAcknowledgements(built.app).map((a) => a.rule);
  expect(rules).not.toContain('AwsSolutions-CFR4');
  expect(rules).not.toContain('cdk-validator-cfnguard::cloudfront_security_policy_check');
});

describe('WAF options', () => {
  const rules = () => Object.values(edge.findResources('AWS::WAFv2::WebACL'))[0]!.Properties.Rules as Record<string, unknown>[];
  // A WAF rule as CloudFormation has it; only the parts read here.
  type WafRule = { Action: unknown; Statement: { NotStatement: { Statement: { OrStatement: { Statements: unknown[] } } }; RateBasedStatement: { Limit: number } } };
  const named = (name: string) => rules().find((r) => r.Name === name) as unknown as WafRule;

  test('blocks viewers outside the IP allowlist (IPv4 and IPv6 sets)', () => {
    expect(named('viewer-ip-allowlist').Action).toEqual({ Block: {} });
    expect(named('viewer-ip-allowlist').Statement.NotStatement.Statement.OrStatement.Statements).toHaveLength(2);
    edge.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] });
    edge.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] });
  });

  test('blocks viewers outside the country allowlist', () => {
    expect(named('viewer-country-allowlist').Statement).toEqual({ NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ['DE', 'AT'] } } } });
  });

  test('adds the anonymous IP list and bot control, and the configured rate', () => {
    // The whole list in priority order, pinned: the two added after the baseline rules.
    expect(rules().map((r) => r.Name)).toEqual([
      'viewer-ip-allowlist',
      'viewer-country-allowlist',
      'per-ip-rate-limit',
      'aws-AWSManagedRulesAmazonIpReputationList',
      'aws-AWSManagedRulesKnownBadInputsRuleSet',
      'aws-AWSManagedRulesCommonRuleSet',
      'aws-AWSManagedRulesAnonymousIpList',
      'aws-AWSManagedRulesBotControlRuleSet',
    ]);
    expect(named('per-ip-rate-limit').Statement.RateBasedStatement.Limit).toBe(300);
  });
});
