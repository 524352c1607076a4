import type { TemplateResource } from '../../lib/compliance/control';
import { wafHasRules } from '../../lib/edge/compliance-controls';

// The waf-rules control (lib/edge/compliance-controls.ts): a web ACL whose rules only
// COUNT blocks nothing, so a rule that counts, or a managed group overridden to count,
// fails the control the same way a missing rule does.

const RATE = { Name: 'rate', Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } } };
const GROUP = { Name: 'common', OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } };
const ALLOWLIST = { Name: 'ip', Action: { Block: {} }, Statement: { NotStatement: { Statement: { IPSetReferenceStatement: { Arn: 'arn' } } } } };
const holds = (rules: unknown[]) => {
  const acl: TemplateResource = { Type: 'AWS::WAFv2::WebACL', Properties: { DefaultAction: { Allow: {} }, Rules: rules } };
  return wafHasRules.holds(acl, { logicalId: 'A', resources: { A: acl } });
};

test('holds when the rate limit and every own rule block and every managed group keeps its own actions', () => {
  expect(holds([ALLOWLIST, RATE, GROUP])).toBe(true);
});

test.each([
  ['the rate limit counts', [{ ...RATE, Action: { Count: {} } }, GROUP]],
  ['the rate limit has no action', [{ ...RATE, Action: undefined }, GROUP]],
  ['a managed group is overridden to count', [RATE, { ...GROUP, OverrideAction: { Count: {} } }]],
  ['a managed group has no override action', [RATE, { ...GROUP, OverrideAction: undefined }]],
  ['an own rule counts', [{ ...ALLOWLIST, Action: { Count: {} } }, RATE, GROUP]],
  ['an own rule allows', [{ ...ALLOWLIST, Action: { Allow: {} } }, RATE, GROUP]],
  ['a rule group reference counts', [RATE, GROUP, { Name: 'own', OverrideAction: { Count: {} }, Statement: { RuleGroupReferenceStatement: { Arn: 'arn' } } }]],
  ['there is no rate limit', [GROUP]],
  ['there is no managed group', [RATE]],
  ['there are no rules', []],
])('fails when %s', (_case, rules) => {
  expect(holds(rules)).toBe(false);
});
