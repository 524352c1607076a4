/**
 * Live checks of the CloudFront-scope WAF web ACL (us-east-1): its rules
 * block as the template says (a managed rule group switched to Count, a rule
 * removed or added, a rate limit raised all fail), and it logs to the
 * deployed destination with the template's redactions.
 */
import { GetLoggingConfigurationCommand, WAFV2Client, type Rule } from '@aws-sdk/client-wafv2';
import type { TemplateRef } from '../verify/deployed-stacks';
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { actionName, canonical, liveWebAcl, referencedResource } from './live-template';

/** A rule as the template (CloudFormation) writes it: the same shape as the WAFv2 API's. */
interface TemplateRule {
  readonly Name: string;
  readonly Priority: number;
  readonly Action?: unknown;
  readonly OverrideAction?: unknown;
  readonly Statement?: { readonly ManagedRuleGroupStatement?: ManagedStatement; readonly RateBasedStatement?: { readonly Limit?: unknown } };
}
interface ManagedStatement {
  readonly VendorName?: unknown;
  readonly Name?: unknown;
  readonly RuleActionOverrides?: unknown;
}

const managedKey = (m: ManagedStatement | undefined) => (m ? canonical({ v: m.VendorName, n: m.Name, o: m.RuleActionOverrides ?? [] }) : undefined);

/** What differs between a template rule and its live counterpart, in words. */
function ruleDifferences(t: TemplateRule, live: Rule | undefined): string[] {
  if (!live) return [`rule ${t.Name} (priority ${t.Priority}) missing`];
  const out: string[] = [];
  if (live.Priority !== t.Priority) out.push(`${t.Name} priority ${live.Priority}; expected ${t.Priority}`);
  // A rule has an Action, or an OverrideAction (a rule group's), never both, in the template as in the API: compare both always.
  if (actionName(live.OverrideAction) !== actionName(t.OverrideAction)) out.push(`${t.Name} OverrideAction ${actionName(live.OverrideAction)}; expected ${actionName(t.OverrideAction)}`);
  if (actionName(live.Action) !== actionName(t.Action)) out.push(`${t.Name} Action ${actionName(live.Action)}; expected ${actionName(t.Action)}`);
  const tm = t.Statement?.ManagedRuleGroupStatement;
  if (tm && managedKey(tm) !== managedKey(live.Statement?.ManagedRuleGroupStatement as ManagedStatement | undefined)) {
    const lm = live.Statement?.ManagedRuleGroupStatement;
    out.push(`${t.Name} managed group ${String(lm?.VendorName)}/${String(lm?.Name)} overrides ${canonical(lm?.RuleActionOverrides ?? [])}; expected ${String(tm.VendorName)}/${String(tm.Name)} overrides ${canonical(tm.RuleActionOverrides ?? [])}`);
  }
  const tr = t.Statement?.RateBasedStatement;
  if (tr && live.Statement?.RateBasedStatement?.Limit !== tr.Limit) out.push(`${t.Name} rate limit ${String(live.Statement?.RateBasedStatement?.Limit)}; expected ${String(tr.Limit)}`);
  return out;
}

/** `name(priority) Action` for each live rule, for the evidence of a pass. */
const ruleSummary = (r: Rule) => `${r.Name}(${r.Priority}) ${r.OverrideAction ? `override ${actionName(r.OverrideAction)}` : actionName(r.Action)}`;

export const wafRulesBlock: LiveCheck = {
  id: 'edge.waf-rules-block',
  control: 'waf-rules',
  title: 'The web ACL has exactly the rendered rules, blocking (managed groups not in Count)',
  concern: 'edge',
  daily: true,
  iam: ['wafv2:GetWebACL'],
  run: async (ctx) =>
    Promise.all(
      ctx.find('AWS::WAFv2::WebACL', 'edge').map(async (ref): Promise<CheckResult> => {
        const acl = await liveWebAcl(ctx, ref);
        const props = ref.resource.Properties ?? {};
        const templateRules = (props.Rules as TemplateRule[] | undefined) ?? [];
        const live = acl.Rules ?? [];
        const problems: string[] = [];
        if (actionName(acl.DefaultAction) !== actionName(props.DefaultAction)) problems.push(`DefaultAction ${actionName(acl.DefaultAction)}; expected ${actionName(props.DefaultAction)}`);
        for (const t of templateRules) problems.push(...ruleDifferences(t, live.find((r) => r.Name === t.Name)));
        for (const r of live) if (!templateRules.some((t) => t.Name === r.Name)) problems.push(`extra rule ${r.Name} (priority ${r.Priority}) not in the template`);
        return problems.length
          ? result(wafRulesBlock, 'fail', acl.ARN, problems.join('; '))
          : result(wafRulesBlock, 'pass', acl.ARN, `DefaultAction ${actionName(acl.DefaultAction)}; ${live.length} rules as rendered: ${live.map(ruleSummary).join(', ')}`);
      }),
    ),
};

/** The ARN a template LogDestinationConfigs entry names: a literal, or the Arn of a bucket of the stack (the deployment logs WAF to S3). */
async function destinationArn(ctx: VerifyContext, ref: TemplateRef, value: unknown, partition: string): Promise<string> {
  if (typeof value === 'string') return value;
  const target = referencedResource(ref, value);
  if (target?.resource.Type === 'AWS::S3::Bucket') return `arn:${partition}:s3:::${await ctx.physicalId(target)}`;
  throw new Error(`${ref.logicalId}: log destination ${JSON.stringify(value)} not understood (expected an ARN or an S3 bucket's Arn)`);
}

export const wafLogging: LiveCheck = {
  id: 'edge.waf-logging',
  control: 'waf-logging',
  title: 'The web ACL logs to the deployed destination with the rendered redactions',
  concern: 'edge',
  daily: true,
  iam: ['wafv2:GetWebACL', 'wafv2:GetLoggingConfiguration'],
  run: async (ctx) => {
    const loggings = ctx.find('AWS::WAFv2::LoggingConfiguration', 'edge');
    return Promise.all(
      ctx.find('AWS::WAFv2::WebACL', 'edge').map(async (ref): Promise<CheckResult> => {
        const acl = await liveWebAcl(ctx, ref);
        const arn = acl.ARN;
        const logging = loggings.find((l) => referencedResource(l, l.resource.Properties?.ResourceArn)?.logicalId === ref.logicalId);
        if (!logging) return result(wafLogging, 'fail', arn, 'the template has no AWS::WAFv2::LoggingConfiguration for this web ACL');
        const partition = arn.split(':')[1] ?? 'aws';
        const expected = await Promise.all(((logging.resource.Properties?.LogDestinationConfigs as unknown[]) ?? []).map((v) => destinationArn(ctx, logging, v, partition)));
        let live;
        try {
          live = (await ctx.client(WAFV2Client, ref.stack.region).send(new GetLoggingConfigurationCommand({ ResourceArn: arn }))).LoggingConfiguration;
        } catch (e) {
          if ((e as Error).name === 'WAFNonexistentItemException') return result(wafLogging, 'fail', arn, `no logging configuration; expected logs to ${expected.join(', ')}`);
          throw e;
        }
        const destinations = live?.LogDestinationConfigs ?? [];
        const redacted = canonical(live?.RedactedFields ?? []);
        const expectedRedacted = canonical(logging.resource.Properties?.RedactedFields ?? []);
        const sameDestinations = canonical([...destinations].sort()) === canonical([...expected].sort());
        return expect(
          wafLogging,
          sameDestinations && redacted === expectedRedacted,
          arn,
          `logs to ${destinations.join(', ') || '(nothing)'}, redacted ${redacted}`,
          `logs to ${expected.join(', ')}, redacted ${expectedRedacted}`,
        );
      }),
    );
  },
};

export const WAF_LIVE_CHECKS: readonly LiveCheck[] = [wafRulesBlock, wafLogging];
