import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { wafHasRules } from '../../lib/edge/compliance-controls';
import { loadConfig } from '../../lib/config/load';
import type { EdgeConfig } from '../../lib/edge/config-schema';
import { GatewayWebAcl } from '../../lib/edge/gateway-web-acl';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The web ACL on a bare us-east-1 stack (not the whole app): every rule, its action
// (block, never count), the managed groups' override action (none: the group's own
// block actions apply), the default action and the log redaction, pinned exactly.

const LOG_BUCKET_ARN = 'arn:aws:s3:::aws-waf-logs-openclaw-test-prod-123456789012';
const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW });

function synth(waf: EdgeConfig['waf']): { stack: Stack; template: Template } {
  const stack = new Stack(new App(), 'Edge', { env: { account: '123456789012', region: 'us-east-1' } });
  new GatewayWebAcl(stack, 'WebAcl', { waf, originVerifyHeader: 'x-origin-verify', name: 'openclaw-test-prod', logBucketArn: LOG_BUCKET_ARN });
  return { stack, template: Template.fromStack(stack) };
}
const acl = (t: Template) => Object.values(t.findResources('AWS::WAFv2::WebACL'))[0]!.Properties as Record<string, unknown>;
const visibility = (MetricName: string) => ({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName });
/** A managed rule group as WAF evaluates it: OverrideAction None keeps the group's own Block actions. */
const managed = (name: string, priority: number, extra: Record<string, unknown> = {}) => ({
  Name: `aws-${name}`,
  Priority: priority,
  OverrideAction: { None: {} },
  Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name, ...extra } },
  VisibilityConfig: visibility(name),
});
const RATE_RULE = (limit: number) => ({
  Name: 'per-ip-rate-limit',
  Priority: 2,
  Action: { Block: {} },
  Statement: { RateBasedStatement: { Limit: limit, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
  VisibilityConfig: visibility('per-ip-rate-limit'),
});
const BASELINE_GROUPS = [
  managed('AWSManagedRulesAmazonIpReputationList', 3),
  managed('AWSManagedRulesKnownBadInputsRuleSet', 4),
  // Only the 8 KB body-size rule counts (nginx enforces the configured body size); every other rule of the group blocks.
  managed('AWSManagedRulesCommonRuleSet', 5, { RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] }),
];

describe('the default deployment (config/base.yaml)', () => {
  const { stack, template } = synth(config.edge.waf);

  test('the defaults read here are the hardened ones: no allowlists, no optional groups, 500 requests per IP per 5 minutes', () => {
    expect(config.edge.waf).toEqual({ rateLimitPer5Min: 500, anonymousIpList: false, botControl: false, ipAllowlist: [], geoAllowlist: [] });
  });

  test('a CLOUDFRONT-scope ACL that allows by default only what no rule blocks: the rate limit and three managed groups, each blocking', () => {
    expect(acl(template)).toEqual({
      Name: 'openclaw-test-prod',
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [RATE_RULE(500), ...BASELINE_GROUPS],
      VisibilityConfig: visibility('openclaw-test-prod'),
    });
    template.resourceCountIs('AWS::WAFv2::IPSet', 0);
  });

  test("the catalogue's waf-rules control holds on it", () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    const [logicalId, acl] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::WAFv2::WebACL')!;
    expect(wafHasRules.holds(acl, { logicalId, resources })).toBe(true);
  });

  test('logs every request to the audit bucket with credentials, the origin-verify header and query strings redacted', () => {
    const [aclId] = Object.keys(template.findResources('AWS::WAFv2::WebACL'));
    const logging = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(logging).toEqual([
      {
        Type: 'AWS::WAFv2::LoggingConfiguration',
        Properties: {
          ResourceArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
          LogDestinationConfigs: [LOG_BUCKET_ARN],
          RedactedFields: [
            { SingleHeader: { Name: 'authorization' } },
            { SingleHeader: { Name: 'cookie' } },
            { SingleHeader: { Name: 'x-origin-verify' } },
            { QueryString: {} },
          ],
        },
      },
    ]);
  });

  test.each(NAG_PACKS)('%s reports nothing on the web ACL', (_name, pack) => {
    expect(pack().validateScope(stack).violations).toEqual([]);
  });
});

describe('the options', () => {
  const waf = (over: Partial<EdgeConfig['waf']>): EdgeConfig['waf'] => ({ ...config.edge.waf, ...over });
  const ipRule = (statement: unknown) => ({
    Name: 'viewer-ip-allowlist',
    Priority: 0,
    Action: { Block: {} },
    Statement: { NotStatement: { Statement: statement } },
    VisibilityConfig: visibility('viewer-ip-allowlist'),
  });
  const ipSets = (t: Template) =>
    Object.entries(t.findResources('AWS::WAFv2::IPSet')).map(([id, r]) => ({ id, ...(r.Properties as Record<string, unknown>) }));

  test('an IPv4-only allowlist: one IPv4 set, and everything outside it blocked', () => {
    const { template } = synth(waf({ ipAllowlist: ['203.0.113.0/24', '198.51.100.7/32'] }));
    const sets = ipSets(template);
    expect(sets.map(({ id: _id, ...p }) => p)).toEqual([{ Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24', '198.51.100.7/32'] }]);
    expect(acl(template).Rules).toEqual([ipRule({ IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [sets[0]!.id, 'Arn'] } } }), RATE_RULE(500), ...BASELINE_GROUPS]);
  });

  test('an IPv6-only allowlist: one IPv6 set', () => {
    const { template } = synth(waf({ ipAllowlist: ['2001:db8::/32'] }));
    const sets = ipSets(template);
    expect(sets.map(({ id: _id, ...p }) => p)).toEqual([{ Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] }]);
    expect(acl(template).Rules).toEqual([ipRule({ IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [sets[0]!.id, 'Arn'] } } }), RATE_RULE(500), ...BASELINE_GROUPS]);
  });

  test('a mixed allowlist: a viewer in either set passes, everyone else is blocked', () => {
    const { template } = synth(waf({ ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] }));
    const sets = ipSets(template);
    expect(sets.map(({ id: _id, ...p }) => p)).toEqual([
      { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24'] },
      { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32'] },
    ]);
    expect(acl(template).Rules).toEqual([
      ipRule({ OrStatement: { Statements: sets.map((s) => ({ IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [s.id, 'Arn'] } } })) } }),
      RATE_RULE(500),
      ...BASELINE_GROUPS,
    ]);
  });

  test('a country allowlist blocks every other country', () => {
    const { template } = synth(waf({ geoAllowlist: ['DE', 'AT'] }));
    expect(acl(template).Rules).toEqual([
      {
        Name: 'viewer-country-allowlist',
        Priority: 1,
        Action: { Block: {} },
        Statement: { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ['DE', 'AT'] } } } },
        VisibilityConfig: visibility('viewer-country-allowlist'),
      },
      RATE_RULE(500),
      ...BASELINE_GROUPS,
    ]);
  });

  test('the configured rate, the anonymous IP list and bot control, each blocking', () => {
    const { template } = synth(waf({ rateLimitPer5Min: 300, anonymousIpList: true, botControl: true }));
    expect(acl(template).Rules).toEqual([
      RATE_RULE(300),
      ...BASELINE_GROUPS,
      managed('AWSManagedRulesAnonymousIpList', 6),
      managed('AWSManagedRulesBotControlRuleSet', 7),
    ]);
  });
});
