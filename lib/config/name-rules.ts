/**
 * AWS's rules for the physical names this blueprint gives its resources: how
 * long a name may be, which characters it may hold, and where it must be
 * unique, with the longest names the blueprint derives for each. One table,
 * used twice:
 *   - the config check (lib/config/name-limits.ts) refuses a prefix, client or
 *     environment name whose derived names would break a rule, before synth;
 *   - test/app/physical-names.test.ts walks every synthesized template of
 *     every topology and holds each explicit name to the same rules (and to
 *     the `derived` upper bound, so this table cannot fall behind the code).
 * Sources: the CloudFormation resource reference and the service API
 * references (length constraints and patterns), checked 2026-12.
 *
 * Over 300 lines as one cohesive thing: one entry per named resource type,
 * all of the same shape; splitting the table by service would only scatter
 * the one list the check and the test walk.
 */

/** Where AWS requires a name to be unique. */
export type NameScope =
  /** Every account and region (S3 bucket names). */
  | 'global'
  /** One account, any region (IAM, Budgets, CloudFront, CLOUDFRONT-scope WAF, log delivery sources and destinations). */
  | 'account'
  /** One account in one region. */
  | 'region'
  /** Inside the one resource that holds it (inline policy names, WAF rule names). */
  | 'resource'
  /** Not an identifier: a label or metric name, only length and characters matter. */
  | 'none';

/** The parts a deployment's names are derived from. */
export interface NameParts {
  /** The project prefix (project.prefix). */
  readonly prefix: string;
  /** The client name. */
  readonly client: string;
  /** The environment name. */
  readonly env: string;
  /** The deployment's AWS account (12 digits). */
  readonly account: string;
  /** The deployment's agent ids (secrets are named after them). */
  readonly agentIds: readonly string[];
  /**
   * The deployment's gateway ids (lib/openclaw/gateways.ts: an agent's own id,
   * or the name of an openclaw.sharedGateways group): the gateway token
   * secrets, their rotation functions and the breaker alarms are named after them.
   */
  readonly gatewayIds: readonly string[];
}

/** AWS's rule for one kind of physical name, and the names this blueprint derives for it. */
export interface NameRule {
  /** What the name is, for messages: `Lambda function name`. */
  readonly what: string;
  /** CloudFormation resource type. */
  readonly resourceType: string;
  /** Path of the name inside the resource's Properties (`[]` for every list item). */
  readonly property: string;
  /** Where the name must be unique; a function when the resource decides (WAF scope). */
  readonly scope: NameScope | ((properties: Record<string, unknown>) => NameScope);
  /** The shortest name AWS accepts. */
  readonly minLength: number;
  /** The longest name AWS accepts (as `measure` counts it). */
  readonly maxLength: number;
  /** Characters AWS accepts (the whole name must match). */
  readonly pattern: RegExp;
  /** The pattern in words, for messages. */
  readonly patternText: string;
  /**
   * How the length is counted, when AWS counts more than the name (SSM
   * parameters count their full ARN). @default the name's length
   */
  readonly measure?: (name: string, region: string, account: string) => number;
  /**
   * The longest names this blueprint derives for the type from prefix,
   * client, environment (and agent ids, account): what the config check
   * measures. Every synthesized name of the type is at most as long as the
   * longest of these (the physical-names test proves it).
   */
  readonly derived: (p: NameParts) => readonly string[];
}

/** `<prefix>-<client>-<env>`, as lib/shared/naming.ts deploymentName builds it. */
const dn = (p: NameParts) => `${p.prefix}-${p.client}-${p.env}`;
const longest = (ids: readonly string[]) => ids.reduce((a, b) => (b.length > a.length ? b : a), '');
const longestAgent = (p: NameParts) => longest(p.agentIds);
const longestGateway = (p: NameParts) => longest(p.gatewayIds);

const ALNUM_DASH = /^[A-Za-z0-9_-]+$/;
const ALNUM_DASH_TEXT = 'letters, digits, hyphens and underscores';
const DNS_FIREWALL = /^(?![0-9]+$)[A-Za-z0-9_' -]+$/;
const DNS_FIREWALL_TEXT = "letters, digits, spaces, hyphens, underscores and apostrophes, not only digits";
const WAF_METRIC = /^(?!(?:All|Default_Action)$)[\w#:.\-/]+$/;
const WAF_METRIC_TEXT = 'letters, digits and #:._-/, not All or Default_Action';

export const NAME_RULES: readonly NameRule[] = [
  {
    what: 'CloudFormation stack name',
    resourceType: 'AWS::CloudFormation::Stack',
    property: 'StackName',
    scope: 'region',
    minLength: 1,
    maxLength: 128,
    pattern: /^[A-Za-z][A-Za-z0-9-]*$/,
    patternText: 'a letter, then letters, digits and hyphens',
    derived: (p) => [`${dn(p)}-network`, `${dn(p)}-gateway`],
  },
  {
    what: 'S3 bucket name',
    resourceType: 'AWS::S3::Bucket',
    property: 'BucketName',
    scope: 'global',
    minLength: 3,
    maxLength: 63,
    // S3's general purpose bucket naming rules: lowercase letters, digits, hyphens and dots, starting and
    // ending with a letter or digit, no "..", not an IP address, none of the reserved prefixes and suffixes.
    pattern: /^(?!xn--|sthree-|amzn-s3-demo-)(?!\d{1,3}(?:\.\d{1,3}){3}$)(?!.*\.\.)(?!.*(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]*[a-z0-9]$/,
    patternText:
      'lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit, no "..", not an IP address, ' +
      'not starting with xn--, sthree- or amzn-s3-demo-, not ending with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3',
    derived: (p) => [`aws-waf-logs-${dn(p)}-${p.account}`],
  },
  {
    what: 'SNS topic name',
    resourceType: 'AWS::SNS::Topic',
    property: 'TopicName',
    scope: 'region',
    minLength: 1,
    maxLength: 256,
    pattern: ALNUM_DASH,
    patternText: ALNUM_DASH_TEXT,
    derived: (p) => [`${dn(p)}-shutdown`, `${dn(p)}-edge-alerts`],
  },
  {
    // SMS subscriptions show it as the sender; SNS refuses longer display names.
    what: 'SNS topic display name',
    resourceType: 'AWS::SNS::Topic',
    property: 'DisplayName',
    scope: 'none',
    minLength: 1,
    maxLength: 100,
    pattern: /^[\x20-\x7e]+$/,
    patternText: 'printable ASCII',
    derived: (p) => [`OpenClaw ${dn(p)} edge alerts`],
  },
  {
    what: 'Lambda function name',
    resourceType: 'AWS::Lambda::Function',
    property: 'FunctionName',
    scope: 'region',
    minLength: 1,
    maxLength: 64,
    pattern: ALNUM_DASH,
    patternText: ALNUM_DASH_TEXT,
    derived: (p) => [`${dn(p)}-rotate-token-${longestGateway(p)}`, `${dn(p)}-rotate-origin-verify`, `${dn(p)}-cf-prefix-list`],
  },
  {
    what: 'IAM role name',
    resourceType: 'AWS::IAM::Role',
    property: 'RoleName',
    scope: 'account',
    minLength: 1,
    maxLength: 64,
    pattern: /^[\w+=,.@-]+$/,
    patternText: 'letters, digits and +=,.@_-',
    derived: () => [],
  },
  {
    what: 'IAM inline policy name',
    resourceType: 'AWS::IAM::Role',
    property: 'Policies[].PolicyName',
    scope: 'resource',
    minLength: 1,
    maxLength: 128,
    pattern: /^[\w+=,.@-]+$/,
    patternText: 'letters, digits and +=,.@_-',
    derived: () => [],
  },
  {
    what: 'IAM managed policy name',
    resourceType: 'AWS::IAM::ManagedPolicy',
    property: 'ManagedPolicyName',
    scope: 'account',
    minLength: 1,
    maxLength: 128,
    pattern: /^[\w+=,.@-]+$/,
    patternText: 'letters, digits and +=,.@_-',
    // The kill switch's deny-secrets policy (lib/spend/kill-switch.ts), attached to the host role when killed.
    derived: (p) => [`${dn(p)}-kill-switch-deny-secrets`],
  },
  {
    what: 'CloudWatch Logs log group name',
    resourceType: 'AWS::Logs::LogGroup',
    property: 'LogGroupName',
    scope: 'region',
    minLength: 1,
    maxLength: 512,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    patternText: 'letters, digits and ._-/#',
    derived: (p) => [`/aws/lambda/${dn(p)}-rotate-token-${longestGateway(p)}`, `/aws/lambda/${dn(p)}-rotate-origin-verify`, `/aws/lambda/${dn(p)}-cf-prefix-list`, `/openclaw/${dn(p)}/ssm-sessions`],
  },
  {
    what: 'Secrets Manager secret name',
    resourceType: 'AWS::SecretsManager::Secret',
    property: 'Name',
    scope: 'region',
    minLength: 1,
    maxLength: 512,
    pattern: /^[A-Za-z0-9/_+=.@-]+$/,
    patternText: 'letters, digits and /_+=.@-',
    derived: (p) => [`${p.prefix}/${p.client}/${p.env}/agents/${longestAgent(p)}`, `${p.prefix}/${p.client}/${p.env}/gateways/${longestGateway(p)}/token`, `${p.prefix}/${p.client}/${p.env}/origin-verify`],
  },
  {
    what: 'KMS alias name',
    resourceType: 'AWS::KMS::Alias',
    property: 'AliasName',
    scope: 'region',
    minLength: 7,
    maxLength: 256,
    pattern: /^alias\/(?!aws\/)[A-Za-z0-9/_-]+$/,
    patternText: 'alias/ then letters, digits and /_- (not alias/aws/)',
    derived: (p) => [`alias/${p.prefix}/${p.client}/${p.env}/edge`],
  },
  {
    what: 'SSM document name',
    resourceType: 'AWS::SSM::Document',
    property: 'Name',
    scope: 'region',
    minLength: 3,
    maxLength: 128,
    // CreateDocument reserves the prefixes aws, amazon and amzn (AWSEC2, AWSConfigRemediation and AWSSupport start with aws).
    pattern: /^(?!aws|amazon|amzn)[A-Za-z0-9_.-]+$/i,
    patternText: 'letters, digits and _.- (not starting with aws, amazon or amzn)',
    derived: (p) => [`${dn(p)}-refresh-secrets`],
  },
  {
    what: 'SSM parameter name (counted with its ARN)',
    resourceType: 'AWS::SSM::Parameter',
    property: 'Name',
    scope: 'region',
    minLength: 1,
    maxLength: 1011,
    pattern: /^(?!\/?aws)(?!\/?ssm)[A-Za-z0-9_./-]+$/i,
    patternText: 'letters, digits and _.-/ (not starting with aws or ssm)',
    measure: (name, region, account) => `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`.length,
    derived: (p) => [`/openclaw/${dn(p)}/kill-switch`],
  },
  {
    what: 'Route 53 Resolver DNS Firewall domain list name',
    resourceType: 'AWS::Route53Resolver::FirewallDomainList',
    property: 'Name',
    scope: 'region',
    minLength: 1,
    maxLength: 64,
    pattern: DNS_FIREWALL,
    patternText: DNS_FIREWALL_TEXT,
    derived: (p) => [`${dn(p)}-everything`],
  },
  {
    what: 'Route 53 Resolver DNS Firewall rule group name',
    resourceType: 'AWS::Route53Resolver::FirewallRuleGroup',
    property: 'Name',
    scope: 'region',
    minLength: 1,
    maxLength: 64,
    pattern: DNS_FIREWALL,
    patternText: DNS_FIREWALL_TEXT,
    derived: (p) => [`${dn(p)}-egress`],
  },
  {
    what: 'Route 53 Resolver DNS Firewall rule group association name',
    resourceType: 'AWS::Route53Resolver::FirewallRuleGroupAssociation',
    property: 'Name',
    scope: 'region',
    minLength: 1,
    maxLength: 64,
    pattern: DNS_FIREWALL,
    patternText: DNS_FIREWALL_TEXT,
    derived: (p) => [`${dn(p)}-egress`],
  },
  {
    what: 'WAF web ACL name',
    resourceType: 'AWS::WAFv2::WebACL',
    property: 'Name',
    scope: (props) => (props.Scope === 'CLOUDFRONT' ? 'account' : 'region'),
    minLength: 1,
    maxLength: 128,
    pattern: /^[\w-]+$/,
    patternText: ALNUM_DASH_TEXT,
    derived: (p) => [dn(p)],
  },
  {
    what: 'WAF web ACL metric name',
    resourceType: 'AWS::WAFv2::WebACL',
    property: 'VisibilityConfig.MetricName',
    scope: 'none',
    minLength: 1,
    // The API allows 255, but VisibilityConfig's documentation (and CloudFormation's schema) say 1 to 128,
    // and All and Default_Action are reserved for WAF's own metrics.
    maxLength: 128,
    pattern: WAF_METRIC,
    patternText: WAF_METRIC_TEXT,
    derived: (p) => [dn(p)],
  },
  {
    what: 'WAF rule name',
    resourceType: 'AWS::WAFv2::WebACL',
    property: 'Rules[].Name',
    scope: 'resource',
    minLength: 1,
    maxLength: 128,
    pattern: /^[\w-]+$/,
    patternText: ALNUM_DASH_TEXT,
    derived: () => [],
  },
  {
    what: 'WAF rule metric name',
    resourceType: 'AWS::WAFv2::WebACL',
    property: 'Rules[].VisibilityConfig.MetricName',
    scope: 'none',
    minLength: 1,
    // The API allows 255, but VisibilityConfig's documentation (and CloudFormation's schema) say 1 to 128,
    // and All and Default_Action are reserved for WAF's own metrics.
    maxLength: 128,
    pattern: WAF_METRIC,
    patternText: WAF_METRIC_TEXT,
    derived: () => [],
  },
  ...(['OriginRequestPolicy', 'ResponseHeadersPolicy', 'CachePolicy'] as const).map(
    (kind): NameRule => ({
      what: `CloudFront ${kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} name`,
      resourceType: `AWS::CloudFront::${kind}`,
      property: `${kind}Config.Name`,
      scope: 'account',
      minLength: 1,
      maxLength: 128,
      pattern: ALNUM_DASH,
      patternText: ALNUM_DASH_TEXT,
      derived: (p) => [`${dn(p)}-security-headers`],
    }),
  ),
  {
    what: 'CloudFront origin access control name',
    resourceType: 'AWS::CloudFront::OriginAccessControl',
    property: 'OriginAccessControlConfig.Name',
    scope: 'account',
    minLength: 1,
    maxLength: 64,
    pattern: /^[\x20-\x7e]+$/,
    patternText: 'printable ASCII',
    derived: () => [],
  },
  {
    // aws-cdk-lib names it from the construct path and cuts it to 64 characters with a hash.
    what: 'CloudFront VPC origin name',
    resourceType: 'AWS::CloudFront::VpcOrigin',
    property: 'VpcOriginEndpointConfig.Name',
    scope: 'account',
    minLength: 1,
    maxLength: 64,
    pattern: ALNUM_DASH,
    patternText: ALNUM_DASH_TEXT,
    derived: () => [],
  },
  {
    what: 'CloudWatch Logs delivery source name',
    resourceType: 'AWS::Logs::DeliverySource',
    property: 'Name',
    scope: 'account',
    minLength: 1,
    maxLength: 60,
    pattern: /^[\w-]+$/,
    patternText: ALNUM_DASH_TEXT,
    derived: (p) => [`${dn(p)}-cf-access`],
  },
  {
    what: 'CloudWatch Logs delivery destination name',
    resourceType: 'AWS::Logs::DeliveryDestination',
    property: 'Name',
    scope: 'account',
    minLength: 1,
    maxLength: 60,
    pattern: /^[\w-]+$/,
    patternText: ALNUM_DASH_TEXT,
    derived: (p) => [`${dn(p)}-cf-access-audit`],
  },
  {
    what: 'CloudWatch alarm name',
    resourceType: 'AWS::CloudWatch::Alarm',
    property: 'AlarmName',
    scope: 'region',
    minLength: 1,
    maxLength: 255,
    pattern: /^[\x20-\x7e]+$/,
    patternText: 'printable ASCII',
    derived: (p) => [`${dn(p)}-model-spend-monthly-limit`, `${dn(p)}-secret-retrieval-failed`, `${dn(p)}-agent-breaker-${longestGateway(p)}`],
  },
  {
    what: 'AWS Budgets budget name',
    resourceType: 'AWS::Budgets::Budget',
    property: 'Budget.BudgetName',
    scope: 'account',
    minLength: 1,
    maxLength: 100,
    // The API's pattern: ^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$ (no case-insensitive group in JavaScript before ES2025).
    pattern: /^(?!.*\/action\/)(?!.*<[Ss][Cc][Rr][Ii][Pp][Tt]>.*<\/[Ss][Cc][Rr][Ii][Pp][Tt]>)[^:\\]+$/,
    patternText: 'no ":" or "\\", no "/action/" and no <script>...</script>',
    derived: (p) => [`${dn(p)}-monthly`],
  },
  {
    what: 'CloudTrail trail name',
    resourceType: 'AWS::CloudTrail::Trail',
    property: 'TrailName',
    scope: 'region',
    minLength: 3,
    maxLength: 128,
    pattern: /^(?!\d{1,3}(?:\.\d{1,3}){3}$)[A-Za-z0-9](?!.*[._-]{2})[A-Za-z0-9._-]*[A-Za-z0-9]$/,
    patternText: 'letters, digits and ._-, starting and ending with a letter or digit, no two of ._- in a row, not an IP address',
    derived: (p) => [`${dn(p)}-trail`],
  },
  {
    what: 'SQS queue name',
    resourceType: 'AWS::SQS::Queue',
    property: 'QueueName',
    scope: 'region',
    minLength: 1,
    maxLength: 80,
    pattern: ALNUM_DASH,
    patternText: ALNUM_DASH_TEXT,
    derived: (p) => [`${dn(p)}-kill-switch-dead-letters`],
  },
  {
    what: 'Firehose stream name',
    resourceType: 'AWS::KinesisFirehose::DeliveryStream',
    property: 'DeliveryStreamName',
    scope: 'region',
    minLength: 1,
    maxLength: 64,
    pattern: /^[A-Za-z0-9_.-]+$/,
    patternText: 'letters, digits and _.-',
    derived: (p) => [`${dn(p)}-log-archive`],
  },
];
