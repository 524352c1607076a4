/**
 * AWS list prices, us-east-1, on-demand, in US dollars: what `npm run cost`
 * multiplies the synthesized templates by. Every entry names the page it comes
 * from and the day it was checked. `confidence` says how sure the entry is:
 *   - reference: stated in the project's reference notes (../shared/REFERENCE.md), which agree with the page;
 *   - list:      the AWS list price as published on the page named;
 *   - unsure:    from the page as remembered, not re-read on the day; check before relying on it.
 * No account-wide free tier is folded into these figures: each service family's
 * pricing (lib/cost/network.ts, edge.ts, ...)
 * decides where one applies (see FREE_TIERS).
 */

/** The day every price below was checked. */
export const PRICE_TABLE_DATE = '2026-11-21';
/** The region every price below is for. */
export const PRICE_REGION = 'us-east-1';
/** Hours in a month, as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;
/** Days in a month (730 h / 24). */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export type PriceConfidence = 'reference' | 'list' | 'unsure';

export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  /** What one `usd` buys, e.g. `GB-month`, `instance-hour`. */
  readonly unit: string;
  /** Where the price is published. */
  readonly source: string;
  /** The day the price was checked on its page. */
  readonly checked: typeof PRICE_TABLE_DATE;
  /** How sure the entry is (see the header). */
  readonly confidence: PriceConfidence;
  /**
   * What the price covers or leaves out, where the page needs reading.
   * @default none
   */
  readonly note?: string;
}

const price = (usd: number, unit: string, source: string, confidence: PriceConfidence, note?: string): Price => ({
  usd,
  unit,
  source,
  checked: PRICE_TABLE_DATE,
  confidence,
  ...(note ? { note } : {}),
});

const SRC = {
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  privatelink: 'https://aws.amazon.com/privatelink/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  waf: 'https://aws.amazon.com/waf/pricing/',
  route53: 'https://aws.amazon.com/route53/pricing/',
  cloudfront: 'https://aws.amazon.com/cloudfront/pricing/',
  cloudtrail: 'https://aws.amazon.com/cloudtrail/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  firehose: 'https://aws.amazon.com/firehose/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  budgets: 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/',
  ssm: 'https://aws.amazon.com/systems-manager/pricing/',
  freeTier: 'https://aws.amazon.com/free/',
} as const;

/** On-demand Linux, per instance-hour: the Graviton types the config allows (instance.type, network.natInstanceType). */
export const EC2_HOURLY: Readonly<Record<string, Price>> = (() => {
  const families: Record<string, { sizes: Record<string, number>; confidence: PriceConfidence }> = {
    t4g: {
      sizes: { nano: 0.0042, micro: 0.0084, small: 0.0168, medium: 0.0336, large: 0.0672, xlarge: 0.1344, '2xlarge': 0.2688 },
      confidence: 'list',
    },
    m6g: { sizes: { medium: 0.0385, large: 0.077, xlarge: 0.154, '2xlarge': 0.308 }, confidence: 'list' },
    m7g: { sizes: { medium: 0.0408, large: 0.0816, xlarge: 0.1632, '2xlarge': 0.3264 }, confidence: 'list' },
    c6g: { sizes: { medium: 0.034, large: 0.068, xlarge: 0.136, '2xlarge': 0.272 }, confidence: 'list' },
    c7g: { sizes: { medium: 0.0363, large: 0.0725, xlarge: 0.145, '2xlarge': 0.29 }, confidence: 'list' },
    r6g: { sizes: { medium: 0.0504, large: 0.1008, xlarge: 0.2016, '2xlarge': 0.4032 }, confidence: 'list' },
    r7g: { sizes: { medium: 0.0536, large: 0.1071, xlarge: 0.2142, '2xlarge': 0.4284 }, confidence: 'list' },
  };
  const table: Record<string, Price> = {};
  for (const [family, { sizes, confidence }] of Object.entries(families)) {
    for (const [size, usd] of Object.entries(sizes)) {
      const type = `${family}.${size}`;
      const stated = type === 't4g.small' || type === 't4g.nano';
      table[type] = price(usd, 'instance-hour', SRC.ec2, stated ? 'reference' : confidence, stated ? 'REFERENCE.md: t4g.small $12.26/month, t4g.nano ~$3.1/month' : undefined);
    }
  }
  return table;
})();

/** Everything else, by what the estimate calls it. */
export const PRICES = {
  // EBS
  ebsGp3GbMonth: price(0.08, 'GB-month', SRC.ebs, 'list'),
  ebsGp2GbMonth: price(0.1, 'GB-month', SRC.ebs, 'list'),
  ebsGp3IopsMonth: price(0.005, 'IOPS-month', SRC.ebs, 'list', 'provisioned IOPS above the 3,000 included'),
  ebsGp3ThroughputMonth: price(0.04, 'MB/s-month', SRC.ebs, 'list', 'provisioned throughput above the 125 MB/s included'),
  ebsSnapshotGbMonth: price(0.05, 'GB-month', SRC.ebs, 'list', 'EBS snapshots, standard tier: only the blocks stored (incremental); Data Lifecycle Manager itself is free'),

  // VPC
  publicIpv4Hour: price(0.005, 'address-hour', SRC.vpc, 'reference', 'REFERENCE.md: public IPv4 $3.65/month; in-use and idle addresses alike'),
  natGatewayHour: price(0.045, 'gateway-hour', SRC.vpc, 'reference', 'REFERENCE.md: NAT gateway $32.85/month'),
  natGatewayGb: price(0.045, 'GB processed', SRC.vpc, 'reference', 'REFERENCE.md: + $0.045/GB; both directions'),
  interfaceEndpointAzHour: price(0.01, 'endpoint-AZ-hour', SRC.privatelink, 'reference', 'REFERENCE.md: $7.30 per AZ per month'),
  dataTransferOutGb: price(0.09, 'GB out', SRC.ec2, 'list', 'to the internet, first 10 TB; the first 100 GB a month per account are free'),

  // KMS
  kmsKeyMonth: price(1, 'key-month', SRC.kms, 'reference', 'REFERENCE.md: KMS key $1'),
  kmsRotationMonth: price(1, 'rotation-month', SRC.kms, 'list', 'the first and second rotation of a key each add $1/month; later rotations are free'),
  kmsRequests10k: price(0.03, '10,000 requests', SRC.kms, 'list', '20,000 requests a month per account are free'),

  // Secrets Manager
  secretMonth: price(0.4, 'secret-month', SRC.secrets, 'reference', 'REFERENCE.md: secret $0.40'),
  secretsApi10k: price(0.05, '10,000 API calls', SRC.secrets, 'list'),

  // CloudWatch
  alarmStandardMonth: price(0.1, 'alarm metric-month', SRC.cloudwatch, 'reference', 'REFERENCE.md: alarm $0.10; standard resolution; a metric-math alarm pays per metric'),
  alarmHighResMonth: price(0.3, 'alarm metric-month', SRC.cloudwatch, 'list', 'high resolution (period under 60 s)'),
  alarmCompositeMonth: price(0.5, 'alarm-month', SRC.cloudwatch, 'list'),
  customMetricMonth: price(0.3, 'metric-month', SRC.cloudwatch, 'reference', 'REFERENCE.md: custom metric $0.30; first 10,000 metrics; prorated by the hour'),
  detailedMonitoringInstanceMonth: price(2.1, 'instance-month', SRC.cloudwatch, 'list', 'EC2 detailed monitoring is billed as custom metrics: 7 one-minute metrics x $0.30'),
  putMetricData1k: price(0.01, '1,000 requests', SRC.cloudwatch, 'list', 'the first 1,000,000 requests a month per account are free'),
  logsIngestGb: price(0.5, 'GB ingested', SRC.cloudwatch, 'list', 'standard log class'),
  vendedLogsToLogsGb: price(0.5, 'GB delivered', SRC.cloudwatch, 'list', 'vended logs to CloudWatch Logs, first 10 TB: VPC flow logs, CloudFront standard logging v2'),
  vendedLogsToS3Gb: price(0.25, 'GB delivered', SRC.cloudwatch, 'list', 'vended logs to S3, first 10 TB: VPC flow logs, WAF logs, CloudFront standard logging v2'),
  logsStorageGbMonth: price(0.03, 'GB-month', SRC.cloudwatch, 'list', 'stored, compressed'),

  // WAF
  wafWebAclMonth: price(5, 'web ACL-month', SRC.waf, 'reference', 'REFERENCE.md: WAF $5 per ACL'),
  wafRuleMonth: price(1, 'rule-month', SRC.waf, 'reference', 'REFERENCE.md: $1 per rule/group'),
  wafRequestsMillion: price(0.6, 'million requests', SRC.waf, 'reference', 'REFERENCE.md: $0.60 per 1M requests'),
  wafBotControlMonth: price(10, 'subscription-month', SRC.waf, 'reference', 'REFERENCE.md: Bot Control +$10'),
  wafBotControlRequestsMillion: price(1, 'million requests', SRC.waf, 'unsure', 'requests inspected by Bot Control (common)'),

  // Route 53 Resolver DNS Firewall
  dnsFirewallQueriesMillion: price(0.6, 'million queries', SRC.route53, 'unsure', 'queries processed by DNS Firewall'),
  dnsFirewallDomainMonth: price(0.0018, 'domain-month', SRC.route53, 'unsure', 'domains stored in DNS Firewall domain lists'),

  // CloudFront (North America edge prices; the always-free tier is in FREE_TIERS)
  cloudFrontGb: price(0.085, 'GB out', SRC.cloudfront, 'list', 'to viewers, first 10 TB, North America'),
  cloudFrontHttps10k: price(0.01, '10,000 requests', SRC.cloudfront, 'list', 'HTTPS, North America'),
  cloudFrontVpcOriginMonth: price(0, 'VPC origin-month', SRC.cloudfront, 'list', 'VPC origins have no additional charge'),

  // CloudTrail
  cloudTrailFirstCopy: price(0, '100,000 events', SRC.cloudtrail, 'reference', 'REFERENCE.md: first CloudTrail trail free'),
  cloudTrailExtraCopy100k: price(2, '100,000 events', SRC.cloudtrail, 'list', 'management events, each copy after the first'),

  // S3
  s3StandardGbMonth: price(0.023, 'GB-month', SRC.s3, 'list', 'S3 Standard, first 50 TB'),
  s3StandardIaGbMonth: price(0.0125, 'GB-month', SRC.s3, 'list', 'S3 Standard-IA'),
  s3GlacierIrGbMonth: price(0.004, 'GB-month', SRC.s3, 'list', 'S3 Glacier Instant Retrieval'),
  s3Put1k: price(0.005, '1,000 requests', SRC.s3, 'list', 'PUT, COPY, POST or LIST, S3 Standard'),

  // Firehose
  firehoseGb: price(0.029, 'GB ingested', SRC.firehose, 'list', 'Direct PUT, first 500 TB; records rounded up to 5 KB'),

  // Lambda (arm64)
  lambdaRequestsMillion: price(0.2, 'million requests', SRC.lambda, 'list'),
  lambdaGbSecond: price(0.0000133334, 'GB-second', SRC.lambda, 'list', 'arm64'),

  // SNS
  snsEmail100k: price(2, '100,000 emails', SRC.sns, 'list', 'the first 1,000 a month are free'),
  snsHttps1m: price(0.6, 'million notifications', SRC.sns, 'list', 'the first 100,000 a month are free'),
  snsSmsMessage: price(0.00581, 'SMS', SRC.sns, 'unsure', 'to a US number, before carrier fees; varies by country and carrier'),

  // SQS
  sqsRequestsMillion: price(0.4, 'million requests', SRC.sqs, 'list', 'standard queues; the first 1,000,000 requests a month are free'),

  // AWS Budgets
  budgetDay: price(0.02, 'budget-day', SRC.budgets, 'unsure', 'each budget beyond the first two in the account'),
  budgetActionDay: price(0.1, 'budget-day', SRC.budgets, 'unsure', 'each action-enabled budget beyond the first two in the account'),

  // Free
  ssm: price(0, 'document-month', SRC.ssm, 'list', 'Session Manager sessions, documents and standard parameters are free'),
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/**
 * Always-free monthly allowances (per account) that the estimate applies,
 * because one small deployment uses a small fraction of each: several
 * deployments in one account still fit. Not applied: CloudWatch's (10 metrics,
 * 10 alarms, 5 GB of logs) and KMS's (20,000 requests), which one deployment
 * alone uses up.
 */
export const FREE_TIERS = {
  cloudFrontGb: { quantity: 1024, unit: 'GB', source: SRC.cloudfront },
  cloudFrontRequests: { quantity: 10_000_000, unit: 'requests', source: SRC.cloudfront },
  lambdaRequests: { quantity: 1_000_000, unit: 'requests', source: SRC.lambda },
  lambdaGbSeconds: { quantity: 400_000, unit: 'GB-seconds', source: SRC.lambda },
  snsEmail: { quantity: 1000, unit: 'emails', source: SRC.sns },
  snsHttps: { quantity: 100_000, unit: 'notifications', source: SRC.sns },
  dataTransferOutGb: { quantity: 100, unit: 'GB', source: SRC.freeTier },
  putMetricData: { quantity: 1_000_000, unit: 'API requests', source: SRC.cloudwatch },
  sqsRequests: { quantity: 1_000_000, unit: 'requests', source: SRC.sqs },
  budgets: { quantity: 2, unit: 'budgets', source: SRC.budgets },
} as const;

/** The on-demand price of one instance type, or a message naming where to add it. */
export function ec2Hourly(instanceType: string): Price {
  const p = EC2_HOURLY[instanceType];
  if (!p) {
    throw new Error(
      `no price for EC2 instance type ${instanceType} in lib/cost/price-table.ts (EC2_HOURLY); add its us-east-1 on-demand Linux price from ${SRC.ec2}`,
    );
  }
  return p;
}
