import type { ComplianceControl, TemplateResource } from '../../lib/compliance/control';
import { cloudFrontHttpsOnly, cloudFrontWaf, wafHasRules, wafLogging } from '../../lib/edge/compliance-controls';

// Near misses of the CloudFront and WAF controls (the rule actions are in waf-controls.test.ts).
type Resources = Record<string, TemplateResource>;
const check = (control: ComplianceControl, id: string, resources: Resources) => control.holds(resources[id]!, { logicalId: id, resources });
const distribution = (config?: Record<string, unknown>): Resources => ({
  D: { Type: 'AWS::CloudFront::Distribution', ...(config === undefined ? {} : { Properties: { DistributionConfig: config } }) },
});
const HTTPS = { ViewerProtocolPolicy: 'https-only' };

test.each<[string, Resources, boolean]>([
  ['default and every cache behavior https-only', distribution({ DefaultCacheBehavior: HTTPS, CacheBehaviors: [HTTPS, HTTPS] }), true],
  ['redirect-to-https is not https-only', distribution({ DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' } }), false],
  ['one of two cache behaviors allows http', distribution({ DefaultCacheBehavior: HTTPS, CacheBehaviors: [HTTPS, { ViewerProtocolPolicy: 'allow-all' }] }), false],
  ['no default cache behavior', distribution({ CacheBehaviors: [HTTPS] }), false],
  ['no distribution config', distribution(), false],
])('CloudFront HTTPS only: %s', (_name, resources, expected) => {
  expect(check(cloudFrontHttpsOnly, 'D', resources)).toBe(expected);
});

test('CloudFront WAF: a web ACL by GetAtt holds; no distribution config fails', () => {
  expect(check(cloudFrontWaf, 'D', distribution({ WebACLId: { 'Fn::GetAtt': ['Acl', 'Arn'] } }))).toBe(true);
  expect(check(cloudFrontWaf, 'D', distribution())).toBe(false);
});

const RATE = { Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 500 } } };
const GROUP = { OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } };
const acl = (rules?: unknown[]): Resources => ({ A: { Type: 'AWS::WAFv2::WebACL', Properties: rules === undefined ? {} : { Rules: rules } } });
test.each<[string, Resources, boolean]>([
  ['rate limit and managed group', acl([RATE, GROUP]), true],
  ['an own blocking rule without a statement, listed first', acl([{ Action: { Block: {} } }, RATE, GROUP]), true],
  ['a managed group with both an override and an action', acl([RATE, { ...GROUP, Action: { Block: {} } }]), false],
  ['an own rule with both an action and an override', acl([{ ...RATE, OverrideAction: { None: {} } }, GROUP]), false],
  ['a rule group reference with override None', acl([RATE, GROUP, { OverrideAction: { None: {} }, Statement: { RuleGroupReferenceStatement: { Arn: 'arn' } } }]), true],
  ['a rule group reference with an action instead', acl([RATE, GROUP, { Action: { Block: {} }, Statement: { RuleGroupReferenceStatement: { Arn: 'arn' } } }]), false],
  ['a rule group reference is not a managed rule group', acl([RATE, { ...GROUP, Statement: { RuleGroupReferenceStatement: { Arn: 'arn' } } }]), false],
  ['a managed group override with content', acl([RATE, { ...GROUP, OverrideAction: { None: { x: 1 } } }]), false],
  ['no rules property', acl(), false],
  ['a web ACL without properties', { A: { Type: 'AWS::WAFv2::WebACL' } }, false],
])('WAF rules: %s', (_name, resources, expected) => {
  expect(check(wafHasRules, 'A', resources)).toBe(expected);
});

const logging = (props?: Record<string, unknown>): TemplateResource => ({ Type: 'AWS::WAFv2::LoggingConfiguration', ...(props === undefined ? {} : { Properties: props }) });
const REDACTED = [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }];
const own = { ResourceArn: { 'Fn::GetAtt': ['A', 'Arn'] }, RedactedFields: REDACTED };
test.each<[string, Resources, boolean]>([
  ['redacting authorization and cookie', { ...acl([]), L: logging(own) }, true],
  ['header names in upper case', { ...acl([]), L: logging({ ...own, RedactedFields: [{ SingleHeader: { Name: 'Authorization' } }, { SingleHeader: { Name: 'COOKIE' } }] }) }, true],
  ['cookie not redacted', { ...acl([]), L: logging({ ...own, RedactedFields: [REDACTED[0]] }) }, false],
  ['authorization not redacted', { ...acl([]), L: logging({ ...own, RedactedFields: [REDACTED[1]] }) }, false],
  ['no redacted fields', { ...acl([]), L: logging({ ResourceArn: own.ResourceArn }) }, false],
  ['logging for another ACL', { ...acl([]), L: logging({ ...own, ResourceArn: { 'Fn::GetAtt': ['B', 'Arn'] } }) }, false],
  ['another ACL\'s logging beside ours', { ...acl([]), L0: logging({ ...own, ResourceArn: { Ref: 'B' } }), L: logging(own) }, true],
  ['a logging configuration without properties', { ...acl([]), L: logging() }, false],
  ['no logging configuration', acl([]), false],
  ['the same properties on another resource type', { ...acl([]), L: { Type: 'AWS::Logs::LogGroup', Properties: own } }, false],
])('WAF logging: %s', (_name, resources, expected) => {
  expect(check(wafLogging, 'A', resources)).toBe(expected);
});
