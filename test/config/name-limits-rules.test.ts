import { checkNameLimits, measuredLength, nameViolation, type NamePartSource } from '../../lib/config/name-limits';
import { NAME_RULES, type NameParts, type NameRule } from '../../lib/config/name-rules';

/** Agents each in its own gateway (no shared group): the gateway ids are the agent ids. */
const agentsAlone = (ids: readonly string[]) => ({ agentIds: ids, gatewayIds: ids });

// Focused, pure tests of lib/config/name-rules.ts and name-limits.ts: the table of AWS's
// physical-name rules (pinned exactly), each pattern against names AWS accepts
// and near misses it refuses, the SSM parameter's ARN-length measure,
// nameViolation's boundaries and messages, and checkNameLimits's choice of the
// reported name and of the part it blames. No config loading, no synth.

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const PARTS: NameParts = { prefix: 'oc', client: 'acme', env: 'prod', account: ACCOUNT, ...agentsAlone(['support', 'ops-bot']) };

function rule(what: string): NameRule {
  const found = NAME_RULES.filter((r) => r.what === what);
  if (found.length !== 1) throw new Error(`expected exactly one rule "${what}", found ${found.length}`);
  return found[0]!;
}

const ALNUM = 'letters, digits, hyphens and underscores';
const IAM = 'letters, digits and +=,.@_-';
const ASCII = 'printable ASCII';
const DNS = 'letters, digits, spaces, hyphens, underscores and apostrophes, not only digits';
const METRIC = 'letters, digits and #:._-/, not All or Default_Action';
const S3 =
  'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit, no "..", not an IP address, ' +
  'not starting with xn--, sthree- or amzn-s3-demo-, not ending with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3';

interface Expected {
  what: string;
  resourceType: string;
  property: string;
  scope: string;
  minLength: number;
  maxLength: number;
  patternText: string;
  measured: boolean;
  derived: string[];
}

const row = (
  what: string,
  resourceType: string,
  property: string,
  scope: string,
  minLength: number,
  maxLength: number,
  patternText: string,
  derived: string[],
  measured = false,
): Expected => ({ what, resourceType, property, scope, minLength, maxLength, patternText, measured, derived });

/** Every rule, in order, with the names derived from PARTS. */
const EXPECTED: Expected[] = [
  row('CloudFormation stack name', 'AWS::CloudFormation::Stack', 'StackName', 'region', 1, 128, 'a letter, then letters, digits and hyphens', ['oc-acme-prod-network', 'oc-acme-prod-gateway']),
  row('S3 bucket name', 'AWS::S3::Bucket', 'BucketName', 'global', 3, 63, S3, [
    'aws-waf-logs-oc-acme-prod-111122223333',
  ]),
  row('SNS topic name', 'AWS::SNS::Topic', 'TopicName', 'region', 1, 256, ALNUM, ['oc-acme-prod-shutdown', 'oc-acme-prod-edge-alerts']),
  row('SNS topic display name', 'AWS::SNS::Topic', 'DisplayName', 'none', 1, 100, ASCII, ['OpenClaw oc-acme-prod edge alerts']),
  row('Lambda function name', 'AWS::Lambda::Function', 'FunctionName', 'region', 1, 64, ALNUM, [
    'oc-acme-prod-rotate-token-support',
    'oc-acme-prod-rotate-origin-verify',
    'oc-acme-prod-cf-prefix-list',
  ]),
  row('IAM role name', 'AWS::IAM::Role', 'RoleName', 'account', 1, 64, IAM, []),
  row('IAM inline policy name', 'AWS::IAM::Role', 'Policies[].PolicyName', 'resource', 1, 128, IAM, []),
  row('IAM managed policy name', 'AWS::IAM::ManagedPolicy', 'ManagedPolicyName', 'account', 1, 128, IAM, ['oc-acme-prod-kill-switch-deny-secrets']),
  row('CloudWatch Logs log group name', 'AWS::Logs::LogGroup', 'LogGroupName', 'region', 1, 512, 'letters, digits and ._-/#', [
    '/aws/lambda/oc-acme-prod-rotate-token-support',
    '/aws/lambda/oc-acme-prod-rotate-origin-verify',
    '/aws/lambda/oc-acme-prod-cf-prefix-list',
    '/openclaw/oc-acme-prod/ssm-sessions',
  ]),
  // 'support' and 'ops-bot' are both 7 long: the first of the longest is named.
  row('Secrets Manager secret name', 'AWS::SecretsManager::Secret', 'Name', 'region', 1, 512, 'letters, digits and /_+=.@-', [
    'oc/acme/prod/agents/support',
    'oc/acme/prod/gateways/support/token',
    'oc/acme/prod/origin-verify',
  ]),
  row('KMS alias name', 'AWS::KMS::Alias', 'AliasName', 'region', 7, 256, 'alias/ then letters, digits and /_- (not alias/aws/)', ['alias/oc/acme/prod/edge']),
  row('SSM document name', 'AWS::SSM::Document', 'Name', 'region', 3, 128, 'letters, digits and _.- (not starting with aws, amazon or amzn)', ['oc-acme-prod-refresh-secrets']),
  row(
    'SSM parameter name (counted with its ARN)',
    'AWS::SSM::Parameter',
    'Name',
    'region',
    1,
    1011,
    'letters, digits and _.-/ (not starting with aws or ssm)',
    ['/openclaw/oc-acme-prod/kill-switch'],
    true,
  ),
  row('Route 53 Resolver DNS Firewall domain list name', 'AWS::Route53Resolver::FirewallDomainList', 'Name', 'region', 1, 64, DNS, ['oc-acme-prod-everything']),
  row('Route 53 Resolver DNS Firewall rule group name', 'AWS::Route53Resolver::FirewallRuleGroup', 'Name', 'region', 1, 64, DNS, ['oc-acme-prod-egress']),
  row('Route 53 Resolver DNS Firewall rule group association name', 'AWS::Route53Resolver::FirewallRuleGroupAssociation', 'Name', 'region', 1, 64, DNS, [
    'oc-acme-prod-egress',
  ]),
  row('WAF web ACL name', 'AWS::WAFv2::WebACL', 'Name', 'function', 1, 128, ALNUM, ['oc-acme-prod']),
  row('WAF web ACL metric name', 'AWS::WAFv2::WebACL', 'VisibilityConfig.MetricName', 'none', 1, 128, METRIC, ['oc-acme-prod']),
  row('WAF rule name', 'AWS::WAFv2::WebACL', 'Rules[].Name', 'resource', 1, 128, ALNUM, []),
  row('WAF rule metric name', 'AWS::WAFv2::WebACL', 'Rules[].VisibilityConfig.MetricName', 'none', 1, 128, METRIC, []),
  row('CloudFront origin request policy name', 'AWS::CloudFront::OriginRequestPolicy', 'OriginRequestPolicyConfig.Name', 'account', 1, 128, ALNUM, [
    'oc-acme-prod-security-headers',
  ]),
  row('CloudFront response headers policy name', 'AWS::CloudFront::ResponseHeadersPolicy', 'ResponseHeadersPolicyConfig.Name', 'account', 1, 128, ALNUM, [
    'oc-acme-prod-security-headers',
  ]),
  row('CloudFront cache policy name', 'AWS::CloudFront::CachePolicy', 'CachePolicyConfig.Name', 'account', 1, 128, ALNUM, ['oc-acme-prod-security-headers']),
  row('CloudFront origin access control name', 'AWS::CloudFront::OriginAccessControl', 'OriginAccessControlConfig.Name', 'account', 1, 64, ASCII, []),
  row('CloudFront VPC origin name', 'AWS::CloudFront::VpcOrigin', 'VpcOriginEndpointConfig.Name', 'account', 1, 64, ALNUM, []),
  row('CloudWatch Logs delivery source name', 'AWS::Logs::DeliverySource', 'Name', 'account', 1, 60, ALNUM, ['oc-acme-prod-cf-access']),
  row('CloudWatch Logs delivery destination name', 'AWS::Logs::DeliveryDestination', 'Name', 'account', 1, 60, ALNUM, ['oc-acme-prod-cf-access-audit']),
  row('CloudWatch alarm name', 'AWS::CloudWatch::Alarm', 'AlarmName', 'region', 1, 255, ASCII, [
    'oc-acme-prod-model-spend-monthly-limit',
    'oc-acme-prod-secret-retrieval-failed',
    'oc-acme-prod-agent-breaker-support',
  ]),
  row('AWS Budgets budget name', 'AWS::Budgets::Budget', 'Budget.BudgetName', 'account', 1, 100, 'no ":" or "\\", no "/action/" and no <script>...</script>', ['oc-acme-prod-monthly']),
  row('CloudTrail trail name', 'AWS::CloudTrail::Trail', 'TrailName', 'region', 3, 128, 'letters, digits and ._-, starting and ending with a letter or digit, no two of ._- in a row, not an IP address', [
    'oc-acme-prod-trail',
  ]),
  row('SQS queue name', 'AWS::SQS::Queue', 'QueueName', 'region', 1, 80, ALNUM, ['oc-acme-prod-kill-switch-dead-letters']),
  row('Firehose stream name', 'AWS::KinesisFirehose::DeliveryStream', 'DeliveryStreamName', 'region', 1, 64, 'letters, digits and _.-', ['oc-acme-prod-log-archive']),
];

test('NAME_RULES: every rule (name, resource type, property, scope, lengths, pattern text, measure, derived names) is pinned exactly', () => {
  expect(
    NAME_RULES.map(
      (r): Expected => ({
        what: r.what,
        resourceType: r.resourceType,
        property: r.property,
        scope: typeof r.scope === 'function' ? 'function' : r.scope,
        minLength: r.minLength,
        maxLength: r.maxLength,
        patternText: r.patternText,
        measured: r.measure !== undefined,
        derived: [...r.derived(PARTS)],
      }),
    ),
  ).toEqual(EXPECTED);
});

test('WAF web ACL scope: a CLOUDFRONT web ACL is unique per account, a REGIONAL one (or one without Scope) per region', () => {
  const scope = rule('WAF web ACL name').scope;
  if (typeof scope !== 'function') throw new Error('expected the WAF web ACL scope to depend on the resource');
  expect(scope({ Scope: 'CLOUDFRONT' })).toBe('account');
  expect(scope({ Scope: 'REGIONAL' })).toBe('region');
  expect(scope({})).toBe('region');
});

test('derived secret names use the longest agent id (the first of equally long ones) and stay well-formed without agents', () => {
  const secret = rule('Secrets Manager secret name');
  expect(secret.derived({ ...PARTS, ...agentsAlone(['ab', 'abcd', 'xyzw', 'abc']) })).toEqual(['oc/acme/prod/agents/abcd', 'oc/acme/prod/gateways/abcd/token', 'oc/acme/prod/origin-verify']);
  expect(secret.derived({ ...PARTS, ...agentsAlone([]) })).toEqual(['oc/acme/prod/agents/', 'oc/acme/prod/gateways//token', 'oc/acme/prod/origin-verify']);
});

// ---------------------------------------------------------------------------
// Patterns: for each rule, names AWS accepts and near misses it refuses.

interface PatternCase {
  /** A name of valid length that breaks the pattern, for the message test. */
  bad: string;
  accept: string[];
  refuse: string[];
}

const CASES: Record<string, PatternCase> = {
  stack: {
    bad: '9abc',
    accept: ['a', 'Z', 'ab', 'aZ09-', 'Ab-9z', 'oc-acme-prod-network'],
    refuse: ['', '9abc', '-abc', 'ab_c', 'a.b', 'a b', '!abc', 'abc!'],
  },
  s3: {
    bad: 'Abc',
    accept: ['ab', 'abc', 'a0', '0a', 'a.b-c9', 'a.b.c', 'axn--b', 'x-s3alias-y', 'x--ol-s3-y', 'x--x-s3-y', 'aws-waf-logs-oc-acme-prod-111122223333',
      'x-sthree-a', 'sthree', 'xamzn-s3-demo-b', 'amzn-s3-demo', 'a.mrap.b', 'amrap', 'x--table-s3-y', 'x-table-s3',
      '1.2.3', '192.168.5.4a', 'a192.168.5.4', '192.168.5.4.5', '1234.1.1.1', '1.2.3.1234', '1-2-3-4'],
    refuse: ['', 'a', 'Abc', 'aBc', 'ab_c', 'a b', '-abc', 'abc-', '.abc', 'abc.', '!abc', 'abc!', 'xn--abc', 'a..b', 'abc-s3alias', 'abc--ol-s3', 'abc--x-s3',
      'sthree-abc', 'sthree-configurator-x', 'amzn-s3-demo-bucket', 'abc.mrap', 'abc--table-s3', '192.168.5.4', '1.2.3.4', '255.255.255.255', 'abc..d'],
  },
  alnum: {
    bad: 'a.b',
    accept: ['a', 'Z', '_', '-', 'aZ09_-'],
    refuse: ['', 'a.b', 'a b', 'a/b', '!a', 'a!'],
  },
  ascii: {
    bad: 'a\tb',
    accept: ['a', ' ', '~', 'a b~!"/:\\'],
    refuse: ['', 'a\tb', 'a\x7f', '\x1f', 'é', '\tab', 'ab\t'],
  },
  iam: {
    bad: 'a/b',
    accept: ['a', 'aZ9_+=,.@-'],
    refuse: ['', 'a b', 'a/b', 'a:b', '!a', 'a!'],
  },
  logGroup: {
    bad: 'a b',
    accept: ['a', '/aws/lambda/x', '.-_/#aZ9'],
    refuse: ['', 'a b', 'a:b', 'a*b', '!a', 'a!'],
  },
  secret: {
    bad: 'a b',
    accept: ['a', 'aZ9/_+=.@-'],
    refuse: ['', 'a b', 'a#b', 'a:b', '!a', 'a!'],
  },
  kms: {
    bad: 'alias/!',
    accept: ['alias/a', 'alias/aZ9/_-', 'alias/awsx', 'alias/aws', 'alias/x/aws/y'],
    refuse: ['', 'alias/', 'alias/aws/x', 'xalias/a', 'Alias/a', 'alias:a', 'alias/a!', 'alias/a.b', 'alias/a b'],
  },
  ssmDocument: {
    bad: 'aws-x',
    accept: ['abc', 'aZ9_.-', 'xaws', 'amaz', 'amz', 'a-aws', 'a-amazon', 'xamzn'],
    refuse: ['', 'aws', 'aws-x', 'AWS-x', 'Aws', 'amazon', 'Amazon-x', 'amzn', 'amzn-x', 'AMZN-x', 'AWSEC2-x', 'AWSSupport-x', 'a b', 'a/b', '!abc', 'abc!'],
  },
  ssmParameter: {
    bad: '/ssm/x',
    accept: ['a', '/openclaw/x/kill-switch', 'aZ9_./-', 'x/aws', '/x/ssm', '/awx', 'ss'],
    refuse: ['', 'aws', '/aws/x', 'AWS', '/Aws', 'ssm', '/ssm/x', 'SSM-x', 'a b', 'a:b', '!a', 'a!'],
  },
  dns: {
    bad: '123',
    accept: ['a', '123a', 'a123', "aZ9_' -", ' '],
    refuse: ['', '0', '123', 'a.b', 'a/b', '!a', 'a!'],
  },
  word: {
    bad: 'a.b',
    accept: ['a', 'aZ9_-'],
    refuse: ['', 'a.b', 'a b', '!a', 'a!'],
  },
  metric: {
    bad: 'a b',
    accept: ['a', 'aZ9_#:.-/', 'Allx', 'xAll', 'all', 'Default_Actions', 'xDefault_Action', 'Default'],
    refuse: ['', 'a b', 'a@b', '!a', 'a!', 'All', 'Default_Action'],
  },
  budget: {
    bad: 'a:b',
    accept: ['a', 'oc-acme-prod-monthly', 'a b!/actio', 'x/action', 'action/', 'x/Action/y', '<>', '<script>', 'a</script><script>', '<scrip></script>', '<script></scrip>'],
    refuse: ['', 'a:b', 'a\\b', ':ab', 'ab:', '\\ab', 'ab\\', '/action/', 'x/action/y', '<script></script>', 'a<script>b</script>c', 'a<SCRIPT>b</Script>c', '<sCrIpT></ScRiPt>', '<SCRIPT></SCRIPT>'],
  },
  trail: {
    bad: 'ab-',
    accept: ['ab', 'abc', 'Z9', '9a', 'a.b_c-d', 'a.b.c', '1.2.3', '192.168.5.4a', 'a192.168.5.4', '1.2.3.4.5', '1234.1.1.1', '1-2-3-4', '1_2_3_4'],
    refuse: ['', 'a', '-ab', 'ab-', '.ab', 'ab_', 'a--b', 'a-_b', 'a._b', 'a..b', 'a__b', 'ab--c', 'ab!', '!ab', 'a b', '192.168.5.4', '1.2.3.4'],
  },
  firehose: {
    bad: 'a/b',
    accept: ['a', 'aZ9_.-'],
    refuse: ['', 'a b', 'a/b', 'a:b', '!a', 'a!'],
  },
};

const CASE_OF: Record<string, keyof typeof CASES> = {
  'CloudFormation stack name': 'stack',
  'S3 bucket name': 's3',
  'SNS topic name': 'alnum',
  'SNS topic display name': 'ascii',
  'Lambda function name': 'alnum',
  'IAM role name': 'iam',
  'IAM inline policy name': 'iam',
  'IAM managed policy name': 'iam',
  'CloudWatch Logs log group name': 'logGroup',
  'Secrets Manager secret name': 'secret',
  'KMS alias name': 'kms',
  'SSM document name': 'ssmDocument',
  'SSM parameter name (counted with its ARN)': 'ssmParameter',
  'Route 53 Resolver DNS Firewall domain list name': 'dns',
  'Route 53 Resolver DNS Firewall rule group name': 'dns',
  'Route 53 Resolver DNS Firewall rule group association name': 'dns',
  'WAF web ACL name': 'word',
  'WAF web ACL metric name': 'metric',
  'WAF rule name': 'word',
  'WAF rule metric name': 'metric',
  'CloudFront origin request policy name': 'alnum',
  'CloudFront response headers policy name': 'alnum',
  'CloudFront cache policy name': 'alnum',
  'CloudFront origin access control name': 'ascii',
  'CloudFront VPC origin name': 'alnum',
  'CloudWatch Logs delivery source name': 'word',
  'CloudWatch Logs delivery destination name': 'word',
  'CloudWatch alarm name': 'ascii',
  'AWS Budgets budget name': 'budget',
  'CloudTrail trail name': 'trail',
  'SQS queue name': 'alnum',
  'Firehose stream name': 'firehose',
};

test('every rule has its pattern cases', () => {
  expect(Object.keys(CASE_OF)).toEqual(NAME_RULES.map((r) => r.what));
});

describe.each(NAME_RULES.map((r) => [r.what, r] as const))('%s pattern', (_what, r) => {
  const c = CASES[CASE_OF[r.what]!]!;
  test.each(c.accept)('accepts %j', (name) => expect(r.pattern.test(name)).toBe(true));
  test.each(c.refuse)('refuses %j', (name) => expect(r.pattern.test(name)).toBe(false));
});

// ---------------------------------------------------------------------------
// Measure.

test('SSM parameter names are measured with the ARN before them: the name given, or "/" and the name', () => {
  const ssm = rule('SSM parameter name (counted with its ARN)');
  expect(ssm.measure!('/openclaw/x/kill-switch', 'eu-west-1', ACCOUNT)).toBe('arn:aws:ssm:eu-west-1:111122223333:parameter/openclaw/x/kill-switch'.length);
  expect(ssm.measure!('/openclaw/x/kill-switch', 'eu-west-1', ACCOUNT)).toBe(67);
  expect(ssm.measure!('abc', 'eu-west-1', ACCOUNT)).toBe('arn:aws:ssm:eu-west-1:111122223333:parameter/abc'.length);
  expect(ssm.measure!('abc', 'eu-west-1', ACCOUNT)).toBe(48);
  expect(ssm.measure!('abc', 'ap-southeast-1', '123')).toBe('arn:aws:ssm:ap-southeast-1:123:parameter/abc'.length);
  expect(measuredLength(ssm, '/abc', 'eu-west-1', ACCOUNT)).toBe(48);
});

test("SSM parameter measure matches AWS's documented example: ExampleParameterName in us-east-2 counts 65 characters, not 20", () => {
  const ssm = rule('SSM parameter name (counted with its ARN)');
  expect(measuredLength(ssm, 'ExampleParameterName', 'us-east-2', '111222333444')).toBe(65);
});

test('every other rule measures the name itself', () => {
  for (const r of NAME_RULES.filter((x) => x.what !== 'SSM parameter name (counted with its ARN)')) {
    expect([r.what, r.measure, measuredLength(r, 'abcde', 'ap-southeast-1', ACCOUNT)]).toEqual([r.what, undefined, 5]);
  }
});

// ---------------------------------------------------------------------------
// nameViolation: boundaries and messages, for every rule.

/** A name that matches `r`'s pattern and measures `length`. */
function validName(r: NameRule, length: number): string {
  if (r.what === 'KMS alias name') return `alias/${'a'.repeat(length - 6)}`;
  if (r.what === 'SSM parameter name (counted with its ARN)') return `/${'a'.repeat(length - 'arn:aws:ssm:eu-west-1:111122223333:parameter/'.length)}`;
  return 'a'.repeat(length);
}

describe.each(EXPECTED.map((e) => [e.what, e] as const))('%s: nameViolation', (what, e) => {
  const r = rule(what);
  const c = CASES[CASE_OF[what]!]!;
  test(`exactly ${e.maxLength} characters is accepted, ${e.maxLength + 1} is too long`, () => {
    expect(measuredLength(r, validName(r, e.maxLength), REGION, ACCOUNT)).toBe(e.maxLength);
    expect(nameViolation(r, validName(r, e.maxLength), REGION, ACCOUNT)).toBeUndefined();
    expect(nameViolation(r, validName(r, e.maxLength + 1), REGION, ACCOUNT)).toBe(`${e.maxLength + 1} characters; expected at most ${e.maxLength}`);
  });
  test(`exactly ${e.minLength} characters is accepted, fewer is too short`, () => {
    if (e.measured) {
      // The ARN alone is longer than the minimum: an empty name only breaks the pattern.
      expect(nameViolation(r, '', REGION, ACCOUNT)).toBe(`expected ${e.patternText}`);
      return;
    }
    expect(nameViolation(r, validName(r, e.minLength), REGION, ACCOUNT)).toBeUndefined();
    const short = e.minLength === 7 ? 'alias/' : 'a'.repeat(e.minLength - 1);
    expect(nameViolation(r, short, REGION, ACCOUNT)).toBe(`${e.minLength - 1} characters; expected at least ${e.minLength}`);
  });
  test('a name of valid length that breaks the pattern is refused with the pattern in words', () => {
    expect(nameViolation(r, c.bad, REGION, ACCOUNT)).toBe(`expected ${e.patternText}`);
  });
});

test('nameViolation reports the length before the characters', () => {
  const lambda = rule('Lambda function name');
  expect(nameViolation(lambda, '!'.repeat(65), REGION, ACCOUNT)).toBe('65 characters; expected at most 64');
  const bucket = rule('S3 bucket name');
  expect(nameViolation(bucket, 'A', REGION, ACCOUNT)).toBe('1 characters; expected at least 3');
});

test('nameViolation counts an SSM parameter with its ARN, in the given region and account', () => {
  const ssm = rule('SSM parameter name (counted with its ARN)');
  const name = `/${'a'.repeat(1011 - 45)}`; // 45: "arn:aws:ssm:eu-west-1:111122223333:parameter"
  expect(nameViolation(ssm, name, 'eu-west-1', ACCOUNT)).toBeUndefined();
  expect(nameViolation(ssm, name, 'eu-west-10', ACCOUNT)).toBe('1012 characters; expected at most 1011');
  expect(nameViolation(ssm, name, 'eu-west-1', `${ACCOUNT}0`)).toBe('1012 characters; expected at most 1011');
});

// ---------------------------------------------------------------------------
// checkNameLimits.

const src = (part: NamePartSource['part'], value: string, extra: Partial<NamePartSource> = {}): NamePartSource => ({ part, value, path: `${part}:${value}`, ...extra });
const sourcesOf = (p: NameParts): NamePartSource[] => [
  src('prefix', p.prefix, { path: 'project.prefix', file: 'config/base.yaml', line: 2 }),
  src('client', p.client, { path: 'client name', file: 'config/clients/x' }),
  src('env', p.env, { path: 'environment name', file: 'config/environments/x.yaml' }),
  ...p.agentIds.map((id, i) => src('agent', id, { path: `openclaw.agents.${id}`, file: 'config/clients/x/client.yaml', line: 10 + i })),
];

test('names that fit every rule give no problem', () => {
  expect(checkNameLimits(PARTS, REGION, sourcesOf(PARTS))).toEqual([]);
});

test('a long client name: one problem per rule it breaks, in table order, blaming the client, with the exact message', () => {
  const client = 'c'.repeat(40);
  const parts = { ...PARTS, client };
  const dn = `oc-${client}-prod`;
  const tail = (n: number) => `(AWS's rule: 1-${n} characters, ${ALNUM}); shorten or change the client name`;
  expect(checkNameLimits(parts, REGION, sourcesOf(parts))).toEqual([
    {
      file: 'config/clients/x',
      path: 'client name',
      message:
        `found client "${client}", which gives the S3 bucket name "aws-waf-logs-${dn}-111122223333": 74 characters; expected at most 63 ` +
        `(AWS's rule: 3-63 characters, ${S3}); shorten or change the client name`,
    },
    {
      file: 'config/clients/x',
      path: 'client name',
      // rotate-token-support and rotate-origin-verify are equally long: the first derived is reported.
      message: `found client "${client}", which gives the Lambda function name "${dn}-rotate-token-support": 69 characters; expected at most 64 ${tail(64)}`,
    },
    {
      file: 'config/clients/x',
      path: 'client name',
      message: `found client "${client}", which gives the CloudWatch Logs delivery destination name "${dn}-cf-access-audit": 64 characters; expected at most 60 ${tail(60)}`,
    },
  ]);
});

test('a long prefix is blamed as project.prefix, with the file and line that set it', () => {
  const prefix = 'p'.repeat(40);
  const parts = { ...PARTS, prefix };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  expect(problems.map((p) => [p.file, p.line, p.path])).toEqual([
    ['config/base.yaml', 2, 'project.prefix'],
    ['config/base.yaml', 2, 'project.prefix'],
    ['config/base.yaml', 2, 'project.prefix'],
  ]);
  expect(problems[1]!.message).toBe(
    `found prefix "${prefix}", which gives the Lambda function name "${prefix}-acme-prod-rotate-token-support": 71 characters; expected at most 64 ` +
      `(AWS's rule: 1-64 characters, ${ALNUM}); shorten or change project.prefix`,
  );
});

test('a long environment name is blamed as the env name', () => {
  const env = 'e'.repeat(40);
  const parts = { ...PARTS, env };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  expect(problems.map((p) => p.path)).toEqual(['environment name', 'environment name', 'environment name']);
  expect(problems[1]!.message).toBe(
    `found env "${env}", which gives the Lambda function name "oc-acme-${env}-rotate-token-support": 69 characters; expected at most 64 ` +
      `(AWS's rule: 1-64 characters, ${ALNUM}); shorten or change the env name`,
  );
});

test('the longest derived name is the one reported (SNS: edge-alerts, derived after the shorter shutdown topic)', () => {
  const client = 'c'.repeat(250);
  const parts = { ...PARTS, client };
  const sns = checkNameLimits(parts, REGION, sourcesOf(parts)).filter((p) => p.message.includes('the SNS topic name "'));
  expect(sns.map((p) => p.message)).toEqual([
    `found client "${client}", which gives the SNS topic name "oc-${client}-prod-edge-alerts": 270 characters; expected at most 256 ` +
      `(AWS's rule: 1-256 characters, ${ALNUM}); shorten or change the client name`,
  ]);
});

test('of the parts whose shortening fixes the name, the longest is blamed', () => {
  // Lambda: oc-<30>-<20>-rotate-token-support is 75; a one-letter client gives 46, a one-letter env 56: both fit.
  const parts = { ...PARTS, client: 'c'.repeat(30), env: 'e'.repeat(20) };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  expect(problems.map((p) => [p.path, /gives the (.+?) "/.exec(p.message)?.[1]])).toEqual([
    ['client name', 'S3 bucket name'],
    ['client name', 'Lambda function name'],
    ['client name', 'Route 53 Resolver DNS Firewall domain list name'],
    ['client name', 'CloudWatch Logs delivery source name'],
    ['client name', 'CloudWatch Logs delivery destination name'],
    ['client name', 'Firehose stream name'],
  ]);
});

test('a bad character in the environment name blames the environment, not the longer client (whose shortening does not help)', () => {
  const parts = { ...PARTS, client: 'c'.repeat(20), env: 'pr!d' };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  // Every rule with a derived name whose pattern refuses "!" (display name, alarm and budget names allow it).
  expect(problems.map((p) => /gives the (.+?) "/.exec(p.message)?.[1])).toEqual([
    'CloudFormation stack name',
    'S3 bucket name',
    'SNS topic name',
    'Lambda function name',
    'IAM managed policy name',
    'CloudWatch Logs log group name',
    'Secrets Manager secret name',
    'KMS alias name',
    'SSM document name',
    'SSM parameter name (counted with its ARN)',
    'Route 53 Resolver DNS Firewall domain list name',
    'Route 53 Resolver DNS Firewall rule group name',
    'Route 53 Resolver DNS Firewall rule group association name',
    'WAF web ACL name',
    'WAF web ACL metric name',
    'CloudFront origin request policy name',
    'CloudFront response headers policy name',
    'CloudFront cache policy name',
    'CloudWatch Logs delivery source name',
    'CloudWatch Logs delivery destination name',
    'CloudTrail trail name',
    'SQS queue name',
    'Firehose stream name',
  ]);
  expect(new Set(problems.map((p) => p.path))).toEqual(new Set(['environment name']));
  expect(problems[0]!.message).toBe(
    `found env "pr!d", which gives the CloudFormation stack name "oc-${'c'.repeat(20)}-pr!d-network": ` +
      "expected a letter, then letters, digits and hyphens (AWS's rule: 1-128 characters, a letter, then letters, digits and hyphens); shorten or change the env name",
  );
});

test('a bad character in an agent id blames that agent, not the longer client (whose shortening does not help)', () => {
  const parts = { ...PARTS, client: 'c'.repeat(20), ...agentsAlone(['support', 'bad!!!!!']) };
  const c = 'c'.repeat(20);
  const agent = (message: string) => ({ file: 'config/clients/x/client.yaml', line: 11, path: 'openclaw.agents.bad!!!!!', message });
  // Its gateway's rotation Lambda (and that Lambda's log group) and its secrets; of the secrets the longer
  // gateway token secret is reported.
  expect(checkNameLimits(parts, REGION, sourcesOf(parts))).toEqual([
    agent(
      `found agent "bad!!!!!", which gives the Lambda function name "oc-${c}-prod-rotate-token-bad!!!!!": ` +
        `expected ${ALNUM} (AWS's rule: 1-64 characters, ${ALNUM}); shorten or change the agent name`,
    ),
    agent(
      `found agent "bad!!!!!", which gives the CloudWatch Logs log group name "/aws/lambda/oc-${c}-prod-rotate-token-bad!!!!!": ` +
        "expected letters, digits and ._-/# (AWS's rule: 1-512 characters, letters, digits and ._-/#); shorten or change the agent name",
    ),
    agent(
      `found agent "bad!!!!!", which gives the Secrets Manager secret name "oc/${c}/prod/gateways/bad!!!!!/token": ` +
        "expected letters, digits and /_+=.@- (AWS's rule: 1-512 characters, letters, digits and /_+=.@-); shorten or change the agent name",
    ),
  ]);
});

test('a long agent id is blamed for the secret name it gives (and for its gateway\'s rotation Lambda, log group and breaker alarm)', () => {
  const agent = 'g'.repeat(500);
  const parts = { ...PARTS, ...agentsAlone(['support', agent]) };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  const tail = (rule: string) => `(AWS's rule: ${rule}); shorten or change the agent name`;
  expect(problems).toEqual(
    [
      `the Lambda function name "oc-acme-prod-rotate-token-${agent}": 526 characters; expected at most 64 ${tail(`1-64 characters, ${ALNUM}`)}`,
      `the CloudWatch Logs log group name "/aws/lambda/oc-acme-prod-rotate-token-${agent}": 538 characters; expected at most 512 ${tail('1-512 characters, letters, digits and ._-/#')}`,
      // agents/<id> is 520 long, gateways/<id>/token 528: the longer is reported.
      `the Secrets Manager secret name "oc/acme/prod/gateways/${agent}/token": 528 characters; expected at most 512 ${tail('1-512 characters, letters, digits and /_+=.@-')}`,
      // Its gateway's breaker alarm.
      `the CloudWatch alarm name "oc-acme-prod-agent-breaker-${agent}": 527 characters; expected at most 255 ${tail('1-255 characters, printable ASCII')}`,
    ].map((gives) => ({ file: 'config/clients/x/client.yaml', line: 11, path: `openclaw.agents.${agent}`, message: `found agent "${agent}", which gives ${gives}` })),
  );
});

test("a shared group's name is a gateway id: its derived names count, and the group, not its agents, is blamed", () => {
  const group = 'g'.repeat(40);
  const parts: NameParts = { ...PARTS, agentIds: ['support', 'ops-bot'], gatewayIds: [group] };
  const sources = [...sourcesOf(parts), src('gateway', group, { path: `openclaw.sharedGateways.${group}`, file: 'config/clients/x/prod.yaml', line: 7 })];
  const fn = `oc-acme-prod-rotate-token-${group}`;
  expect(checkNameLimits(parts, REGION, sources)).toEqual([
    {
      file: 'config/clients/x/prod.yaml',
      line: 7,
      path: `openclaw.sharedGateways.${group}`,
      message: `found gateway "${group}", which gives the Lambda function name "${fn}": ${fn.length} characters; expected at most 64 (AWS's rule: 1-64 characters, ${ALNUM}); shorten or change the shared gateway group name`,
    },
  ]);
  // The same agents, each alone: their own short ids name the gateways, nothing is refused.
  expect(checkNameLimits({ ...parts, gatewayIds: parts.agentIds }, REGION, sourcesOf(parts))).toEqual([]);
  // The breaker alarm and token secret are derived from the gateway ids, not the agent ids.
  expect(rule('CloudWatch alarm name').derived(parts)).toContain(`oc-acme-prod-agent-breaker-${group}`);
  expect(rule('Secrets Manager secret name').derived(parts)).toContain(`oc/acme/prod/gateways/${group}/token`);
});

test('replacing an agent id replaces only that id: when another agent still breaks the rule, the longest part in the name is blamed', () => {
  // Names with the longest agent ab!; with ab! replaced the longest agent is x!, which breaks them too.
  const parts = { ...PARTS, client: 'c'.repeat(10), ...agentsAlone(['x!', 'ab!']) };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  expect(problems.map((p) => [p.path, p.message])).toEqual([
    [
      'client name',
      'found client "cccccccccc", which gives the Lambda function name "oc-cccccccccc-prod-rotate-token-ab!": ' +
        `expected ${ALNUM} (AWS's rule: 1-64 characters, ${ALNUM}); shorten or change the client name`,
    ],
    [
      'client name',
      'found client "cccccccccc", which gives the CloudWatch Logs log group name "/aws/lambda/oc-cccccccccc-prod-rotate-token-ab!": ' +
        "expected letters, digits and ._-/# (AWS's rule: 1-512 characters, letters, digits and ._-/#); shorten or change the client name",
    ],
    [
      'client name',
      'found client "cccccccccc", which gives the Secrets Manager secret name "oc/cccccccccc/prod/gateways/ab!/token": ' +
        "expected letters, digits and /_+=.@- (AWS's rule: 1-512 characters, letters, digits and /_+=.@-); shorten or change the client name",
    ],
  ]);
});

test('when no single part fixes the name, the longest part in the name is blamed, never a part not in it', () => {
  // Uppercase in both prefix and client breaks the S3 bucket name; shortening one alone does not help.
  // The agent ids are longer than every part in the bucket name, but are not in it.
  const parts = { ...PARTS, prefix: 'Oc', client: 'Acme1', ...agentsAlone(['support-agent-long']) };
  const problems = checkNameLimits(parts, REGION, sourcesOf(parts));
  expect(problems).toEqual([
    {
      file: 'config/clients/x',
      path: 'client name',
      message:
        'found client "Acme1", which gives the S3 bucket name "aws-waf-logs-Oc-Acme1-prod-111122223333": ' +
        `expected ${S3} (AWS's rule: 3-63 characters, ${S3}); shorten or change the client name`,
    },
  ]);
});

test('when no source value is in the name, the first source is blamed (empty values are never "in" a name)', () => {
  const parts = { ...PARTS, client: 'c'.repeat(40) };
  const problems = checkNameLimits(parts, REGION, [src('client', 'zzz', { path: 'first', file: 'f.yaml', line: 7 }), src('env', '', { path: 'empty env' })]);
  expect(problems.map((p) => [p.file, p.line, p.path])).toEqual([
    ['f.yaml', 7, 'first'],
    ['f.yaml', 7, 'first'],
    ['f.yaml', 7, 'first'],
  ]);
  expect(problems[1]!.message).toMatch(/^found client "zzz", which gives the Lambda function name "oc-c{40}-prod-rotate-token-support": 69 characters/);
});

test('the SSM parameter name is measured in the deployment region and account', () => {
  // /openclaw/oc-<937>-prod/kill-switch with eu-west-1's ARN measures exactly 1011; ap-southeast-1 adds 5.
  const parts = { ...PARTS, client: 'c'.repeat(937) };
  const ssm = (region: string, account = ACCOUNT) =>
    checkNameLimits({ ...parts, account }, region, sourcesOf(parts))
      .map((p) => p.message)
      .filter((m) => m.includes('SSM parameter'))
      .map((m) => m.replace(/"c+"/, '"<client>"').replace(/c{937}/, '<client>'));
  expect(ssm('eu-west-1')).toEqual([]);
  expect(ssm('ap-southeast-1')).toEqual([
    'found client "<client>", which gives the SSM parameter name (counted with its ARN) "/openclaw/oc-<client>-prod/kill-switch": 1016 characters; expected at most 1011 ' +
      "(AWS's rule: 1-1011 characters, letters, digits and _.-/ (not starting with aws or ssm)); shorten or change the client name",
  ]);
  expect(ssm('eu-west-1', `${ACCOUNT}0`)).toHaveLength(1);
});
