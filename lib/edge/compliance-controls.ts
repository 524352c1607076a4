import type { ComplianceControl } from '../compliance/control';
import { refersTo, resourcesOfType } from '../compliance/refs';

type DistributionConfig = { DefaultCacheBehavior?: { ViewerProtocolPolicy?: string }; CacheBehaviors?: { ViewerProtocolPolicy?: string }[]; WebACLId?: unknown };
const distributionConfig = (r: { Properties?: Record<string, unknown> }) => (r.Properties?.DistributionConfig ?? {}) as DistributionConfig;

export const cloudFrontHttpsOnly: ComplianceControl = {
  id: 'cloudfront-https-only',
  title: 'CloudFront accepts viewers over HTTPS only',
  resourceType: 'AWS::CloudFront::Distribution',
  fsbp: ['CloudFront.3'],
  cis: [],
  controlTower: [],
  evidence: 'Every cache behavior has ViewerProtocolPolicy https-only.',
  holds: (r) => {
    const c = distributionConfig(r);
    return [c.DefaultCacheBehavior, ...(c.CacheBehaviors ?? [])].every((b) => b?.ViewerProtocolPolicy === 'https-only');
  },
};

export const cloudFrontWaf: ComplianceControl = {
  id: 'cloudfront-waf',
  title: 'CloudFront is protected by an AWS WAF web ACL',
  resourceType: 'AWS::CloudFront::Distribution',
  fsbp: ['CloudFront.6'],
  cis: [],
  controlTower: [],
  evidence: 'DistributionConfig.WebACLId is set.',
  holds: (r) => distributionConfig(r).WebACLId !== undefined,
};

type WafRule = { Action?: Record<string, unknown>; OverrideAction?: Record<string, unknown>; Statement?: Record<string, unknown> };

export const wafHasRules: ComplianceControl = {
  id: 'waf-rules',
  title: 'The web ACL blocks with a rate limit and AWS managed rule groups',
  resourceType: 'AWS::WAFv2::WebACL',
  fsbp: ['WAF.10'],
  cis: [],
  controlTower: [],
  evidence:
    'Rules include a RateBasedStatement and at least one ManagedRuleGroupStatement; every rule of its own has Action Block and every rule group OverrideAction None (no rule or group only counts).',
  holds: (r) => {
    const rules = (r.Properties?.Rules as WafRule[] | undefined) ?? [];
    const blocks = (x: WafRule) =>
      x.Statement?.ManagedRuleGroupStatement || x.Statement?.RuleGroupReferenceStatement
        ? x.Action === undefined && JSON.stringify(x.OverrideAction) === JSON.stringify({ None: {} })
        : x.OverrideAction === undefined && JSON.stringify(x.Action) === JSON.stringify({ Block: {} });
    return (
      rules.some((x) => x.Statement?.RateBasedStatement) && rules.some((x) => x.Statement?.ManagedRuleGroupStatement) && rules.every(blocks)
    );
  },
};

export const wafLogging: ComplianceControl = {
  id: 'waf-logging',
  title: 'WAF logs every request, with credentials redacted',
  resourceType: 'AWS::WAFv2::WebACL',
  fsbp: ['WAF.11'],
  cis: [],
  controlTower: [],
  evidence: 'An AWS::WAFv2::LoggingConfiguration for the ACL redacts the authorization and cookie headers.',
  holds: (_r, context) =>
    resourcesOfType(context, 'AWS::WAFv2::LoggingConfiguration').some((l) => {
      const redacted = JSON.stringify(l.Properties?.RedactedFields ?? []).toLowerCase();
      return refersTo(l.Properties?.ResourceArn, context.logicalId) && redacted.includes('authorization') && redacted.includes('cookie');
    }),
};
