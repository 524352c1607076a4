import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { EdgeConfig } from './config-schema';

export interface GatewayWebAclProps {
  /** config.edge.waf: the viewer IP and country allowlists, the per-IP rate limit and the optional rule groups. */
  readonly waf: EdgeConfig['waf'];
  /** Header carrying the origin-verify secret: redacted from WAF logs. */
  readonly originVerifyHeader: string;
  /** Names the ACL and its metrics. */
  readonly name: string;
  /**
   * ARN of the object-locked us-east-1 audit bucket the WAF logs go to (its
   * name must start with aws-waf-logs-; WAF writes under AWSLogs/).
   */
  readonly logBucketArn: string;
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

const managed = (name: string, priority: number, overrides: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
  name: `aws-${name}`,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: 'AWS',
      name,
      ruleActionOverrides: overrides.length ? overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
    },
  },
  visibilityConfig: visibility(name),
});

/**
 * The CloudFront-scope web ACL (deployed in us-east-1): optional viewer IP and
 * country allowlists, a per-IP rate limit, and the AWS managed rule groups for
 * IP reputation, known bad inputs and common exploits (anonymous IPs and bot
 * control optional). Logs go to the object-locked us-east-1 audit bucket with
 * the authorization, cookie and origin-verify headers and query strings redacted.
 */
export class GatewayWebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: GatewayWebAclProps) {
    super(scope, id);
    const { waf } = props;
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const v4 = waf.ipAllowlist.filter((c) => c.includes('.'));
    const v6 = waf.ipAllowlist.filter((c) => c.includes(':'));
    if (waf.ipAllowlist.length > 0) {
      const sets = [
        ...(v4.length ? [new wafv2.CfnIPSet(this, 'AllowedIpv4', { scope: 'CLOUDFRONT', ipAddressVersion: 'IPV4', addresses: v4 })] : []),
        ...(v6.length ? [new wafv2.CfnIPSet(this, 'AllowedIpv6', { scope: 'CLOUDFRONT', ipAddressVersion: 'IPV6', addresses: v6 })] : []),
      ];
      const inAllowlist: wafv2.CfnWebACL.StatementProperty =
        sets.length === 1
          ? { ipSetReferenceStatement: { arn: sets[0]!.attrArn } }
          : { orStatement: { statements: sets.map((s) => ({ ipSetReferenceStatement: { arn: s.attrArn } })) } };
      rules.push({
        name: 'viewer-ip-allowlist',
        priority: 0,
        action: { block: {} },
        statement: { notStatement: { statement: inAllowlist } },
        visibilityConfig: visibility('viewer-ip-allowlist'),
      });
    }
    if (waf.geoAllowlist.length > 0) {
      rules.push({
        name: 'viewer-country-allowlist',
        priority: 1,
        action: { block: {} },
        statement: { notStatement: { statement: { geoMatchStatement: { countryCodes: waf.geoAllowlist } } } },
        visibilityConfig: visibility('viewer-country-allowlist'),
      });
    }
    rules.push({
      name: 'per-ip-rate-limit',
      priority: 2,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: waf.rateLimitPer5Min, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
      visibilityConfig: visibility('per-ip-rate-limit'),
    });
    rules.push(managed('AWSManagedRulesAmazonIpReputationList', 3));
    rules.push(managed('AWSManagedRulesKnownBadInputsRuleSet', 4));
    // nginx enforces the body size from config; WAF's 8 KB body rule would break uploads.
    rules.push(managed('AWSManagedRulesCommonRuleSet', 5, ['SizeRestrictions_BODY']));
    if (waf.anonymousIpList) rules.push(managed('AWSManagedRulesAnonymousIpList', 6));
    if (waf.botControl) rules.push(managed('AWSManagedRulesBotControlRuleSet', 7));

    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      name: props.name,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility(props.name),
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.acl.attrArn,
      // The us-east-1 object-locked audit bucket (its name starts with aws-waf-logs-, as WAF requires).
      logDestinationConfigs: [props.logBucketArn],
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'cookie' } },
        { singleHeader: { Name: props.originVerifyHeader } },
        { queryString: {} },
      ],
    });
  }
}
