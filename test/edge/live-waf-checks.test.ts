import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  GetLoggingConfigurationCommand,
  GetWebACLCommand,
  WAFNonexistentItemException,
  WAFV2Client,
  type LoggingConfiguration,
  type Rule,
  type WebACL,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { WAF_LIVE_CHECKS, wafLogging, wafRulesBlock } from '../../lib/edge/live-waf-checks';
import type { TemplateResource } from '../../lib/compliance/control';
import type { DeployedStack } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';
import { NOW } from '../support/config-fixture';
import { answerStackResources } from '../support/stack-resources';

// The WAF live checks (lib/edge/live-waf-checks.ts) on one hand-made edge stack: the template is
// what CloudFormation holds (AWS::WAFv2::WebACL and AWS::WAFv2::LoggingConfiguration with the
// API's own rule shapes), GetWebACL and GetLoggingConfiguration answer as WAF does (WebACL.ARN
// always present, WAFNonexistentItemException for a web ACL that does not log), and the physical
// IDs come from CloudFormation's ListStackResources (a web ACL's is `name|id|scope`).

const STACK = 'oc-acme-prod-edge';
const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/oc-acme-prod/a1b2c3d4-0000-4000-8000-000000000001';
const BUCKET = 'oc-acme-prod-waf-logs-111122223333';

const managed = (name: string, priority: number, overrides?: unknown[]) => ({
  Name: name,
  Priority: priority,
  OverrideAction: { None: {} },
  Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name, ...(overrides ? { RuleActionOverrides: overrides } : {}) } },
  VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: name },
});
const rate = (limit: number) => ({
  Name: 'per-ip-rate-limit',
  Priority: 2,
  Action: { Block: {} },
  Statement: { RateBasedStatement: { Limit: limit, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
  VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'per-ip-rate-limit' },
});
const COUNT_SIZE = [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }];
const templateRules = () => [rate(500), managed('AWSManagedRulesCommonRuleSet', 5, COUNT_SIZE)];
const REDACT = [{ SingleHeader: { Name: 'x-origin-verify' } }];

interface Setup {
  /** The web ACL's template properties (Rules, DefaultAction). */
  readonly acl?: Record<string, unknown>;
  /** Template resources beside the web ACL (logging configurations, the bucket). */
  readonly resources?: Record<string, TemplateResource>;
  /** GetWebACL's WebACL. */
  readonly live?: WebACL;
  /** GetLoggingConfiguration's LoggingConfiguration (null: an answer without one), or the error it throws. */
  readonly logging?: LoggingConfiguration | Error | null;
}

const loggingResource = (properties?: Record<string, unknown>): TemplateResource =>
  ({ Type: 'AWS::WAFv2::LoggingConfiguration', ...(properties ? { Properties: properties } : {}) }) as TemplateResource;
const aclLogging = (extra: Record<string, unknown> = {}) =>
  loggingResource({ ResourceArn: { 'Fn::GetAtt': ['Acl', 'Arn'] }, LogDestinationConfigs: [{ 'Fn::GetAtt': ['WafLogs', 'Arn'] }], RedactedFields: REDACT, ...extra });
const BUCKET_RESOURCE = { Type: 'AWS::S3::Bucket', Properties: {} } as TemplateResource;

const cfn = mockClient(CloudFormationClient);
const waf = mockClient(WAFV2Client);
afterAll(() => {
  cfn.restore();
  waf.restore();
});

/** The edge stack of `s`, its clients answering as AWS, and a context to run the checks in. */
function context(s: Setup = {}): VerifyContext {
  cfn.reset();
  waf.reset();
  const aclProps = s.acl ?? { DefaultAction: { Allow: {} }, Scope: 'CLOUDFRONT', Rules: templateRules() };
  const resources: Record<string, TemplateResource> = {
    Acl: { Type: 'AWS::WAFv2::WebACL', Properties: aclProps } as TemplateResource,
    ...(s.resources ?? { AclLogging: aclLogging(), WafLogs: BUCKET_RESOURCE }),
  };
  const stack: DeployedStack = { stackName: STACK, role: 'edge', region: 'us-east-1', template: { Resources: resources } };
  const physical: Record<string, string> = { Acl: 'oc-acme-prod|a1b2c3d4-0000-4000-8000-000000000001|CLOUDFRONT', WafLogs: BUCKET, AclLogging: ACL_ARN };
  answerStackResources(cfn, stack, (id) => physical[id]);
  const live: WebACL = s.live ?? baseLive();
  waf.on(GetWebACLCommand, { Name: 'oc-acme-prod', Id: 'a1b2c3d4-0000-4000-8000-000000000001', Scope: 'CLOUDFRONT' }).resolves({ WebACL: live, LockToken: 'lock' });
  const logging: LoggingConfiguration | Error | null = s.logging !== undefined ? s.logging : {
    ResourceArn: ACL_ARN,
    LogDestinationConfigs: [`arn:aws:s3:::${BUCKET}`],
    RedactedFields: REDACT,
    ManagedByFirewallManager: false,
    LogType: 'WAF_LOGS',
    LogScope: 'CUSTOMER',
  };
  if (logging instanceof Error) waf.on(GetLoggingConfigurationCommand, { ResourceArn: live.ARN }).rejects(logging);
  else waf.on(GetLoggingConfigurationCommand, { ResourceArn: live.ARN }).resolves(logging ? { LoggingConfiguration: logging } : {});
  return new VerifyContext({ name: 'oc-acme-prod', account: '111122223333', region: 'eu-west-1', stacks: [stack], settings: {} as VerifySettings, options: { writeProbes: false, now: NOW } });
}

/** GetWebACL's WebACL for the rendered rules. */
const baseLive = (): WebACL & { Rules: Rule[] } => ({
  Name: 'oc-acme-prod',
  Id: 'a1b2c3d4-0000-4000-8000-000000000001',
  ARN: ACL_ARN,
  DefaultAction: { Allow: {} },
  Rules: templateRules() as Rule[],
  VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'oc-acme-prod' },
  Capacity: 731,
  ManagedByFirewallManager: false,
});

/** The live web ACL after `change`. */
const liveAcl = (change: (acl: WebACL & { Rules: Rule[] }) => void): WebACL => {
  const acl = baseLive();
  change(acl);
  return acl;
};

const PASS_RULES = 'DefaultAction Allow; 2 rules as rendered: per-ip-rate-limit(2) Block, AWSManagedRulesCommonRuleSet(5) override None';

describe('edge.waf-rules-block', () => {
  it('passes on the rules as rendered, named by the ARN, each rule with its priority and action', async () => {
    expect(await wafRulesBlock.run(context())).toEqual([{ check: 'edge.waf-rules-block', control: 'waf-rules', status: 'pass', resource: ACL_ARN, evidence: PASS_RULES }]);
  });

  it('a live answer that lists an empty RuleActionOverrides where the template has none is the same rule group', async () => {
    const live = liveAcl((a) => {
      a.Rules = [rate(500), managed('AWSManagedRulesCommonRuleSet', 5, [])] as Rule[];
    });
    const acl = { DefaultAction: { Allow: {} }, Rules: [rate(500), managed('AWSManagedRulesCommonRuleSet', 5)] };
    expect((await wafRulesBlock.run(context({ acl, live })))[0]!.status).toBe('pass');
  });

  it('a moved priority, a rule group switched to Count, a rule turned to Count and a raised rate limit are each named', async () => {
    const live = liveAcl((a) => {
      a.Rules[0] = { ...a.Rules[0]!, Action: { Count: {} }, Statement: { RateBasedStatement: { Limit: 20000, AggregateKeyType: 'IP' } } };
      a.Rules[1] = { ...a.Rules[1]!, Priority: 7, OverrideAction: { Count: {} } };
    });
    const [r] = await wafRulesBlock.run(context({ live }));
    expect(r).toEqual({
      check: 'edge.waf-rules-block',
      control: 'waf-rules',
      status: 'fail',
      resource: ACL_ARN,
      evidence:
        'per-ip-rate-limit Action Count; expected Block; per-ip-rate-limit rate limit 20000; expected 500; ' +
        'AWSManagedRulesCommonRuleSet priority 7; expected 5; AWSManagedRulesCommonRuleSet OverrideAction Count; expected None',
    });
  });

  it('an action the template does not give the rule (an OverrideAction on a plain rule, an Action on a rule group) is a difference', async () => {
    const live = liveAcl((a) => {
      a.Rules[0] = { ...a.Rules[0]!, OverrideAction: { Count: {} } };
      a.Rules[1] = { ...a.Rules[1]!, Action: { Block: {} } };
    });
    expect((await wafRulesBlock.run(context({ live })))[0]!.evidence).toBe(
      'per-ip-rate-limit OverrideAction Count; expected (none); AWSManagedRulesCommonRuleSet Action Block; expected (none)',
    );
  });

  it("a rule group's overrides removed, or another group in its place, names the live and the rendered group", async () => {
    const dropped = liveAcl((a) => {
      a.Rules[1] = managed('AWSManagedRulesCommonRuleSet', 5) as Rule;
    });
    expect((await wafRulesBlock.run(context({ live: dropped })))[0]!.evidence).toBe(
      'AWSManagedRulesCommonRuleSet managed group AWS/AWSManagedRulesCommonRuleSet overrides []; expected AWS/AWSManagedRulesCommonRuleSet overrides [{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]',
    );
    // The template's group without overrides, the live one with them.
    const acl = { DefaultAction: { Allow: {} }, Rules: [rate(500), managed('AWSManagedRulesCommonRuleSet', 5)] };
    expect((await wafRulesBlock.run(context({ acl })))[0]!.evidence).toBe(
      'AWSManagedRulesCommonRuleSet managed group AWS/AWSManagedRulesCommonRuleSet overrides [{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]; expected AWS/AWSManagedRulesCommonRuleSet overrides []',
    );
  });

  it('a rule whose statement was replaced by another kind (no managed group, no rate limit left) is named, not a TypeError', async () => {
    const live = liveAcl((a) => {
      const byteMatch = { ByteMatchStatement: { SearchString: new TextEncoder().encode('x'), FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: 'NONE' }], PositionalConstraint: 'CONTAINS' } };
      a.Rules[0] = { ...a.Rules[0]!, Statement: byteMatch } as Rule;
      a.Rules[1] = { ...a.Rules[1]!, Statement: byteMatch } as Rule;
    });
    expect((await wafRulesBlock.run(context({ live })))[0]!.evidence).toBe(
      'per-ip-rate-limit rate limit undefined; expected 500; AWSManagedRulesCommonRuleSet managed group undefined/undefined overrides []; expected AWS/AWSManagedRulesCommonRuleSet overrides [{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]',
    );
  });

  it('a live rule answered without its statement is named as a difference of each kind the template has', async () => {
    const live = liveAcl((a) => {
      a.Rules = a.Rules.map(({ Statement: _s, ...rest }) => rest as Rule);
    });
    expect((await wafRulesBlock.run(context({ live })))[0]!.evidence).toBe(
      'per-ip-rate-limit rate limit undefined; expected 500; AWSManagedRulesCommonRuleSet managed group undefined/undefined overrides []; expected AWS/AWSManagedRulesCommonRuleSet overrides [{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]',
    );
  });

  it('a rule removed and one added are both named, with their priorities; the DefaultAction too', async () => {
    const live = liveAcl((a) => {
      a.DefaultAction = { Block: {} };
      a.Rules = [a.Rules[1]!, { ...rate(100), Name: 'allow-office', Priority: 0, Action: { Allow: {} } } as Rule];
    });
    expect((await wafRulesBlock.run(context({ live })))[0]!.evidence).toBe(
      'DefaultAction Block; expected Allow; rule per-ip-rate-limit (priority 2) missing; extra rule allow-office (priority 0) not in the template',
    );
  });

  it('a web ACL the template gives no Rules, and a live one answered without Rules', async () => {
    const bare = await wafRulesBlock.run(context({ acl: { DefaultAction: { Allow: {} } } }));
    expect(bare[0]!.evidence).toBe('extra rule per-ip-rate-limit (priority 2) not in the template; extra rule AWSManagedRulesCommonRuleSet (priority 5) not in the template');
    const live = liveAcl((a) => {
      delete (a as { Rules?: Rule[] }).Rules;
    });
    const none = await wafRulesBlock.run(context({ live }));
    expect(none[0]!.evidence).toBe('rule per-ip-rate-limit (priority 2) missing; rule AWSManagedRulesCommonRuleSet (priority 5) missing');
    // Neither has rules: nothing to differ.
    const empty = await wafRulesBlock.run(context({ acl: { DefaultAction: { Allow: {} } }, live }));
    expect(empty[0]).toMatchObject({ status: 'pass', evidence: 'DefaultAction Allow; 0 rules as rendered: ' });
  });

  it('a GetWebACL answer without the ARN WAF always returns is an error, not a result about an unnamed resource', async () => {
    const live = liveAcl((a) => {
      delete (a as { ARN?: string }).ARN;
    });
    await expect(wafRulesBlock.run(context({ live }))).rejects.toThrow('GetWebACL oc-acme-prod returned no web ACL ARN');
  });
});

const PASS_LOGGING = `logs to arn:aws:s3:::${BUCKET}, redacted [{"SingleHeader":{"Name":"x-origin-verify"}}]`;

describe('edge.waf-logging', () => {
  it('passes when WAF logs to the bucket the template names, with its redactions', async () => {
    expect(await wafLogging.run(context())).toEqual([{ check: 'edge.waf-logging', control: 'waf-logging', status: 'pass', resource: ACL_ARN, evidence: PASS_LOGGING }]);
  });

  it("finds the web ACL's own logging configuration among others (another ACL's, one without properties, a literal ARN)", async () => {
    const resources = {
      OtherLogging: loggingResource({ ResourceArn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/other/x', LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-other'] }),
      Odd: loggingResource(),
      OtherAclLogging: loggingResource({ ResourceArn: { 'Fn::GetAtt': ['OtherAcl', 'Arn'] }, LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-other'] }),
      AclLogging: aclLogging(),
      WafLogs: BUCKET_RESOURCE,
    };
    expect((await wafLogging.run(context({ resources })))[0]).toMatchObject({ status: 'pass', evidence: PASS_LOGGING });
  });

  it('a template with no logging configuration for the web ACL fails, named by the ARN', async () => {
    const resources = { OtherAclLogging: loggingResource({ ResourceArn: { 'Fn::GetAtt': ['OtherAcl', 'Arn'] }, LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-other'] }) };
    expect(await wafLogging.run(context({ resources }))).toEqual([
      { check: 'edge.waf-logging', control: 'waf-logging', status: 'fail', resource: ACL_ARN, evidence: 'the template has no AWS::WAFv2::LoggingConfiguration for this web ACL' },
    ]);
  });

  it('WAFNonexistentItemException (the web ACL does not log) fails with the expected destinations; any other error is thrown', async () => {
    const resources = { AclLogging: aclLogging({ LogDestinationConfigs: [{ 'Fn::GetAtt': ['WafLogs', 'Arn'] }, 'arn:aws:s3:::aws-waf-logs-second'] }), WafLogs: BUCKET_RESOURCE };
    const logging = new WAFNonexistentItemException({ message: "AWS WAF couldn't perform the operation because your resource doesn't exist.", $metadata: {} });
    expect((await wafLogging.run(context({ resources, logging })))[0]).toMatchObject({
      status: 'fail',
      resource: ACL_ARN,
      evidence: `no logging configuration; expected logs to arn:aws:s3:::${BUCKET}, arn:aws:s3:::aws-waf-logs-second`,
    });
    const denied = Object.assign(new Error('User is not authorized to perform: wafv2:GetLoggingConfiguration'), { name: 'AccessDeniedException' });
    await expect(wafLogging.run(context({ logging: denied }))).rejects.toThrow('not authorized to perform: wafv2:GetLoggingConfiguration');
  });

  it('another destination, or the redaction of the origin-verify header dropped, fails with what was seen and what was expected', async () => {
    const elsewhere = await wafLogging.run(context({ logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-elsewhere'], RedactedFields: REDACT } }));
    expect(elsewhere[0]!.evidence).toBe(`logs to arn:aws:s3:::aws-waf-logs-elsewhere, redacted [{"SingleHeader":{"Name":"x-origin-verify"}}]; expected ${PASS_LOGGING}`);
    const unredacted = await wafLogging.run(context({ logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: [`arn:aws:s3:::${BUCKET}`] } }));
    expect(unredacted[0]).toMatchObject({ status: 'fail', evidence: `logs to arn:aws:s3:::${BUCKET}, redacted []; expected ${PASS_LOGGING}` });
  });

  it('a configuration answered without destinations shows "(nothing)"; a template without redactions expects none', async () => {
    const resources = { AclLogging: aclLogging({ RedactedFields: undefined }), WafLogs: BUCKET_RESOURCE };
    const [r] = await wafLogging.run(context({ resources, logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: [] } }));
    expect(r).toMatchObject({ status: 'fail', evidence: `logs to (nothing), redacted []; expected logs to arn:aws:s3:::${BUCKET}, redacted []` });
    // An answer without LoggingConfiguration at all reads the same.
    expect((await wafLogging.run(context({ resources, logging: null })))[0]!.evidence).toBe(`logs to (nothing), redacted []; expected logs to arn:aws:s3:::${BUCKET}, redacted []`);
  });

  it('destinations compare as a set whichever side lists them out of order; a difference names every expected one', async () => {
    const resources = { AclLogging: aclLogging({ LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-a', 'arn:aws:s3:::aws-waf-logs-b'] }) };
    const [r] = await wafLogging.run(context({ resources, logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-b', 'arn:aws:s3:::aws-waf-logs-a'], RedactedFields: REDACT } }));
    expect(r).toMatchObject({ status: 'pass' });
    const [d] = await wafLogging.run(context({ resources, logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-a'], RedactedFields: REDACT } }));
    expect(d!.evidence).toBe(
      'logs to arn:aws:s3:::aws-waf-logs-a, redacted [{"SingleHeader":{"Name":"x-origin-verify"}}]; expected logs to arn:aws:s3:::aws-waf-logs-a, arn:aws:s3:::aws-waf-logs-b, redacted [{"SingleHeader":{"Name":"x-origin-verify"}}]',
    );
  });

  it('destinations compare as a set, and a literal ARN in the template is taken as written', async () => {
    const resources = { AclLogging: aclLogging({ LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-b', 'arn:aws:s3:::aws-waf-logs-a'] }) };
    const [r] = await wafLogging.run(context({ resources, logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: ['arn:aws:s3:::aws-waf-logs-a', 'arn:aws:s3:::aws-waf-logs-b'], RedactedFields: REDACT } }));
    expect(r).toMatchObject({ status: 'pass', evidence: 'logs to arn:aws:s3:::aws-waf-logs-a, arn:aws:s3:::aws-waf-logs-b, redacted [{"SingleHeader":{"Name":"x-origin-verify"}}]' });
  });

  it("a bucket's ARN takes the web ACL's partition (aws-cn, aws-us-gov)", async () => {
    const cn = 'arn:aws-cn:wafv2:cn-north-1:111122223333:regional/webacl/oc-acme-prod/a1b2c3d4-0000-4000-8000-000000000001';
    const live = liveAcl((a) => {
      a.ARN = cn;
    });
    const [r] = await wafLogging.run(context({ live, logging: { ResourceArn: cn, LogDestinationConfigs: [`arn:aws-cn:s3:::${BUCKET}`], RedactedFields: REDACT } }));
    expect(r).toMatchObject({ status: 'pass', resource: cn, evidence: `logs to arn:aws-cn:s3:::${BUCKET}, redacted [{"SingleHeader":{"Name":"x-origin-verify"}}]` });
  });

  it('a template destination that is neither an ARN nor an S3 bucket of the stack is refused by name', async () => {
    const logGroup = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'aws-waf-logs-acme' } } as TemplateResource;
    const resources = { AclLogging: aclLogging({ LogDestinationConfigs: [{ 'Fn::GetAtt': ['WafLogGroup', 'Arn'] }] }), WafLogGroup: logGroup };
    await expect(wafLogging.run(context({ resources }))).rejects.toThrow(
      'AclLogging: log destination {"Fn::GetAtt":["WafLogGroup","Arn"]} not understood (expected an ARN or an S3 bucket\'s Arn)',
    );
    const outside = { AclLogging: aclLogging({ LogDestinationConfigs: [{ 'Fn::ImportValue': 'waf-logs-arn' }] }) };
    await expect(wafLogging.run(context({ resources: outside }))).rejects.toThrow('AclLogging: log destination {"Fn::ImportValue":"waf-logs-arn"} not understood');
  });

  it('a logging configuration without LogDestinationConfigs in the template expects none', async () => {
    const resources = { AclLogging: loggingResource({ ResourceArn: { Ref: 'Acl' } }) };
    const [r] = await wafLogging.run(context({ resources, logging: { ResourceArn: ACL_ARN, LogDestinationConfigs: [] } }));
    expect(r).toMatchObject({ status: 'pass', evidence: 'logs to (nothing), redacted []' });
  });
});

test("each WAF check's id, control, title, concern, schedule and actions, exactly", () => {
  expect(WAF_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam, needs: c.needs }))).toEqual([
    {
      id: 'edge.waf-rules-block',
      control: 'waf-rules',
      title: 'The web ACL has exactly the rendered rules, blocking (managed groups not in Count)',
      concern: 'edge',
      daily: true,
      iam: ['wafv2:GetWebACL'],
      needs: undefined,
    },
    {
      id: 'edge.waf-logging',
      control: 'waf-logging',
      title: 'The web ACL logs to the deployed destination with the rendered redactions',
      concern: 'edge',
      daily: true,
      iam: ['wafv2:GetWebACL', 'wafv2:GetLoggingConfiguration'],
      needs: undefined,
    },
  ]);
});
