import { measuredLength, nameViolation } from '../../lib/config/name-limits';
import { NAME_RULES, type NameRule, type NameScope } from '../../lib/config/name-rules';
import { agentGateways } from '../../lib/openclaw/gateways';
import { topologies, type SynthesizedStack } from '../support/topologies';

/*
 * Every explicit physical name in every template of every topology (us-east-1
 * as the main region, several clients in one account) must be:
 *   - unique where AWS requires it (S3: everywhere; IAM, Budgets, CloudFront,
 *     CLOUDFRONT-scope WAF: per account; the rest per account and region,
 *     with the edge stack's region being us-east-1), or the second stack to
 *     create it fails;
 *   - within AWS's length and character rules for its type;
 *   - no longer than the config check (lib/config/name-limits.ts) assumes,
 *     so the check refuses every config that would break a limit.
 * Names are found by walking the templates: every property whose key ends in
 * "name" must be a known physical name (NAME_RULES) or be listed below as
 * something else, so a new named resource cannot slip past.
 */

/** Properties ending in "name" that are not this resource's own name, and why. */
const NOT_OWN_NAMES: Record<string, string> = {
  'AWS::CloudFront::Distribution DistributionConfig.Origins[].DomainName': 'the origin it points to',
  'AWS::CloudFront::Distribution DistributionConfig.Origins[].OriginCustomHeaders[].HeaderName': 'an HTTP header',
  'AWS::CloudFront::Distribution DistributionConfig.Logging.Bucket': 'a reference',
  'AWS::CloudTrail::Trail S3BucketName': 'the bucket it writes to',
  'AWS::CloudWatch::Alarm Dimensions[].Name': 'a metric dimension',
  'AWS::CloudWatch::Alarm MetricName': 'a metric',
  'AWS::CloudWatch::Alarm Metrics[].MetricStat.Metric.Dimensions[].Name': 'a metric dimension',
  'AWS::CloudWatch::Alarm Metrics[].MetricStat.Metric.MetricName': 'a metric',
  'AWS::EC2::Instance BlockDeviceMappings[].DeviceName': 'a device path',
  'AWS::EC2::LaunchTemplate LaunchTemplateData.BlockDeviceMappings[].DeviceName': 'a device path',
  'AWS::Lambda::EventInvokeConfig FunctionName': 'the function it configures',
  'AWS::Lambda::Permission FunctionName': 'the function it grants on',
  'AWS::Logs::Delivery DeliverySourceName': 'the delivery source it connects',
  'AWS::Logs::MetricFilter LogGroupName': 'the log group it reads',
  'AWS::Logs::MetricFilter MetricTransformations[].MetricName': 'a metric',
  'AWS::Logs::SubscriptionFilter LogGroupName': 'the log group it reads',
  'AWS::S3::Bucket LoggingConfiguration.DestinationBucketName': 'the access-log bucket',
  'AWS::WAFv2::LoggingConfiguration RedactedFields[].SingleHeader.Name': 'an HTTP header',
  'AWS::WAFv2::WebACL Rules[].Statement.ManagedRuleGroupStatement.Name': 'an AWS managed rule group',
  'AWS::WAFv2::WebACL Rules[].Statement.ManagedRuleGroupStatement.VendorName': 'the managed rule group vendor',
  'AWS::WAFv2::WebACL Rules[].Statement.ManagedRuleGroupStatement.RuleActionOverrides[].Name': 'a rule of the managed group',
  'AWS::WAFv2::WebACL Rules[].Statement.ManagedRuleGroupStatement.ExcludedRules[].Name': 'a rule of the managed group',
  'AWS::DLM::LifecyclePolicy PolicyDetails.Schedules[].Name': 'a label of the schedule inside its policy',
  'Custom::OriginFacingPrefixList PrefixListName': 'the AWS-managed prefix list it looks up',
};

/** Subtrees that hold documents or values, not names of the resource: not walked. */
const DOCUMENTS = new Set([
  'PolicyDocument',
  'AssumeRolePolicyDocument',
  'KeyPolicy',
  'Policies[].PolicyDocument',
  'Environment.Variables',
  'Content',
  'Tags',
  'UserData',
  'DeliveryDestinationPolicy',
]);

interface FoundName {
  readonly key: string;
  readonly rule?: NameRule;
  readonly value: unknown;
  readonly stack: SynthesizedStack;
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
}

/** Evaluates a name the way CloudFormation does for this stack; undefined when it references another resource. */
function evaluate(v: unknown, stack: SynthesizedStack): string | undefined {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const pseudo: Record<string, string> = { 'AWS::AccountId': stack.account, 'AWS::Region': stack.region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  if ('Ref' in o) return pseudo[o.Ref as string];
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    const values = parts.map((p) => evaluate(p, stack));
    return values.every((x) => x !== undefined) ? values.join(sep) : undefined;
  }
  if ('Fn::Sub' in o && typeof o['Fn::Sub'] === 'string') {
    let bad = false;
    const out = (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_, k: string) => pseudo[k] ?? ((bad = true), ''));
    return bad ? undefined : out;
  }
  return undefined;
}

function* walk(type: string, node: unknown, path: string): Generator<[string, unknown]> {
  if (DOCUMENTS.has(path)) return;
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(type, item, `${path}[]`);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('Fn::') || k === 'Ref') continue;
      const p = path ? `${path}.${k}` : k;
      if (/name$/i.test(k)) yield [p, v];
      yield* walk(type, v, p);
    }
  }
}

let names: FoundName[];
beforeAll(() => {
  const rules = new Map(NAME_RULES.map((r) => [`${r.resourceType} ${r.property}`, r]));
  names = topologies().stacks.flatMap((stack) => {
    const own: FoundName = {
      key: 'AWS::CloudFormation::Stack StackName',
      rule: rules.get('AWS::CloudFormation::Stack StackName'),
      value: stack.stack.stackName,
      stack,
      logicalId: '(stack)',
      properties: {},
    };
    const resources = Object.entries((stack.template.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown> }>);
    return [
      own,
      ...resources.flatMap(([logicalId, r]) =>
        [...walk(r.Type, r.Properties ?? {}, '')].map(([p, value]) => ({
          key: `${r.Type} ${p}`,
          rule: rules.get(`${r.Type} ${p}`),
          value,
          stack,
          logicalId,
          properties: r.Properties ?? {},
        })),
      ),
    ];
  });
});

const where = (n: FoundName) => `${n.stack.stack.stackName}/${n.logicalId} (${n.stack.account} ${n.stack.region})`;

test('the walk finds the names it must: every rule with a name in the templates, every stack of every topology', () => {
  expect(names.length).toBeGreaterThan(1000);
  const keys = new Set(names.map((n) => n.key));
  for (const k of ['AWS::SNS::Topic TopicName', 'AWS::Lambda::Function FunctionName', 'AWS::S3::Bucket BucketName', 'AWS::Budgets::Budget Budget.BudgetName', 'AWS::CloudFront::VpcOrigin VpcOriginEndpointConfig.Name']) {
    expect(keys).toContain(k);
  }
});

test('every property whose key ends in "name" is a known physical name or listed as something else', () => {
  const unknown = [...new Set(names.filter((n) => !n.rule && !(n.key in NOT_OWN_NAMES)).map((n) => n.key))];
  expect(unknown).toEqual([]);
});

test('every physical name is a literal (or pseudo-parameter join) the test can evaluate', () => {
  const opaque = names.filter((n) => n.rule && evaluate(n.value, n.stack) === undefined).map((n) => `${where(n)} ${n.key} = ${JSON.stringify(n.value)}`);
  expect(opaque).toEqual([]);
});

test('every physical name is within AWS\'s length and character rules for its type', () => {
  const broken = names.flatMap((n) => {
    if (!n.rule) return [];
    const name = evaluate(n.value, n.stack)!;
    const v = nameViolation(n.rule, name, n.stack.region, n.stack.account);
    return v ? [`${where(n)} ${n.rule.what} "${name}": ${v}`] : [];
  });
  expect(broken).toEqual([]);
});

test('every physical name is unique where AWS requires it (S3 everywhere; account-wide services per account; the rest per account and region)', () => {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const n of names) {
    if (!n.rule) continue;
    const scope: NameScope = typeof n.rule.scope === 'function' ? n.rule.scope(n.properties) : n.rule.scope;
    if (scope === 'none') continue;
    const name = evaluate(n.value, n.stack)!;
    const within = { global: '', account: n.stack.account, region: `${n.stack.account}/${n.stack.region}`, resource: `${n.stack.stack.stackName}/${n.logicalId}` }[scope];
    // One namespace per resource type (a rule group and a domain list may share a name).
    const key = `${n.rule.resourceType}|${n.rule.property}|${scope}|${within}|${name}`;
    const at = where(n);
    const first = seen.get(key);
    if (first !== undefined) clashes.push(`${n.rule.what} "${name}" (${scope} ${within || 'global'}): ${first === at ? `twice in ${at}` : `${first} and ${at}`}`);
    seen.set(key, at);
  }
  expect(clashes).toEqual([]);
});

test('no name is longer than the config check assumes (the derived names of lib/config/name-limits.ts bound every synthesized one)', () => {
  const deployments = new Map(topologies().built.deployments.map((d) => [d.stage, d.config]));
  const beyond = names.flatMap((n) => {
    if (!n.rule) return [];
    const config = deployments.get(n.stack.stack.node.scope as never)!;
    const parts = { prefix: config.project.prefix, client: config.client, env: config.env, account: config.aws.account, agentIds: Object.keys(config.openclaw.agents ?? {}), gatewayIds: agentGateways(config).map((g) => g.id) };
    const derived = n.rule.derived(parts);
    const name = evaluate(n.value, n.stack)!;
    const length = measuredLength(n.rule, name, n.stack.region, n.stack.account);
    const bound = Math.max(0, ...derived.map((d) => measuredLength(n.rule!, d, config.aws.region, config.aws.account)));
    // A type the check derives nothing for must not be built from the deployment's name (CDK-generated names are cut to the limit).
    if (derived.length === 0) {
      const dn = [`${parts.prefix}-${parts.client}-${parts.env}`, `${parts.prefix}/${parts.client}/${parts.env}`];
      return dn.some((d) => name.includes(d)) ? [`${where(n)} ${n.rule.what} "${name}" is built from the deployment name, but the config check derives no name of its type`] : [];
    }
    return length > bound ? [`${where(n)} ${n.rule.what} "${name}" (${length}) is longer than the check's longest derived name (${bound})`] : [];
  });
  expect(beyond).toEqual([]);
});
