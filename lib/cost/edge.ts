/**
 * Edge: WAF web ACLs, their rules and requests (Bot Control priced, other paid
 * managed rule groups listed as not priced), and CloudFront distributions'
 * data transfer, requests and VPC origins.
 */
import type { Ledger } from './ledger';
import { FREE_TIERS, PRICES } from './price-table';
import { arr, obj, str } from './template-index';
import { fmtQty, listRefs } from './wording';

/** AWS managed WAF rule groups with a charge of their own beyond the $1 rule, other than Bot Control (priced). */
const PAID_WAF_GROUPS = new Set(['AWSManagedRulesATPRuleSet', 'AWSManagedRulesACFPRuleSet', 'AWSManagedRulesAntiDDoSRuleSet']);
const BOT_CONTROL = 'AWSManagedRulesBotControlRuleSet';

function priceWaf(l: Ledger) {
  const acls = l.of('AWS::WAFv2::WebACL');
  if (acls.length === 0) return;
  l.add('waf-web-acl', 'Edge', 'WAF web ACLs', acls.length, 'wafWebAclMonth', listRefs(acls));
  const rules = acls.flatMap((a) => arr(a.props.Rules).map(obj));
  l.add('waf-rules', 'Edge', 'WAF rules and rule groups', rules.length, 'wafRuleMonth', rules.map((r) => str(r.Name) ?? '?').join(', '));
  l.add('waf-requests', 'Edge', 'WAF requests', l.u.edgeRequestsMillions * acls.length, 'wafRequestsMillion', `usage assumption edgeRequestsMillions per web ACL`);
  const managed = rules.map((r) => obj(obj(r.Statement).ManagedRuleGroupStatement)).filter((m) => Object.keys(m).length > 0);
  const bot = managed.filter((m) => m.Name === BOT_CONTROL);
  if (bot.length > 0) {
    l.add('waf-bot-control', 'Edge', 'WAF Bot Control (common)', bot.length, 'wafBotControlMonth', 'AWSManagedRulesBotControlRuleSet in the web ACL');
    l.add('waf-bot-control-requests', 'Edge', 'WAF Bot Control requests', l.u.edgeRequestsMillions * bot.length, 'wafBotControlRequestsMillion', 'usage assumption edgeRequestsMillions');
  }
  for (const m of managed.filter((g) => g.VendorName !== 'AWS' || PAID_WAF_GROUPS.has(str(g.Name) ?? ''))) {
    l.unpriced(`waf-group:${str(m.Name)}`, `WAF rule group ${str(m.VendorName)}/${str(m.Name)}`, 1, 'a paid rule group with no price in lib/cost/price-table.ts');
  }
}

function priceCloudFront(l: Ledger) {
  const distributions = l.of('AWS::CloudFront::Distribution');
  if (distributions.length > 0) {
    const gbOut = l.u.cloudFrontEgressGb * distributions.length;
    const requests = l.u.edgeRequestsMillions * 1_000_000 * distributions.length;
    const freeGb = FREE_TIERS.cloudFrontGb.quantity;
    const freeReq = FREE_TIERS.cloudFrontRequests.quantity;
    l.add('cloudfront-egress', 'Edge', 'CloudFront data transfer out', gbOut, 'cloudFrontGb', `usage assumption cloudFrontEgressGb; the first ${fmtQty(freeGb)} GB a month are free (always-free tier)`, {
      monthlyUsd: Math.max(0, gbOut - freeGb) * PRICES.cloudFrontGb.usd,
    });
    l.add(
      'cloudfront-requests',
      'Edge',
      'CloudFront HTTPS requests',
      requests / 10_000,
      'cloudFrontHttps10k',
      `usage assumption edgeRequestsMillions; the first ${fmtQty(freeReq)} requests a month are free (always-free tier)`,
      { monthlyUsd: (Math.max(0, requests - freeReq) / 10_000) * PRICES.cloudFrontHttps10k.usd },
    );
  }
  const vpcOrigins = l.of('AWS::CloudFront::VpcOrigin');
  if (vpcOrigins.length > 0) l.add('cloudfront-vpc-origin', 'Edge', 'CloudFront VPC origins', vpcOrigins.length, 'cloudFrontVpcOriginMonth', listRefs(vpcOrigins));
}

/** Every edge line: WAF, then CloudFront. */
export function priceEdge(l: Ledger) {
  priceWaf(l);
  priceCloudFront(l);
}
