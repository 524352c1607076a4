/**
 * What "a small deployment" uses each month, for the prices that depend on
 * usage rather than on what the templates create: one client x environment,
 * two agents, a small team. Each value carries a one-line justification; the
 * report prints them all. Override any of them through estimateMonthlyCost's
 * `usage` argument.
 */

/** One usage assumption: how much, of what, and why that figure. */
export interface UsageAssumption {
  /** The assumed amount, in `unit`. */
  readonly value: number;
  /** What `value` counts, e.g. `GB/month`. */
  readonly unit: string;
  /** Where the figure comes from: what it covers and why it is that size. */
  readonly why: string;
}

export const USAGE_ASSUMPTIONS = {
  horizonMonths: {
    value: 12,
    unit: 'months',
    why: 'Costs that grow while the deployment runs (stored logs, rotated key material) are taken at its 12th month.',
  },
  edgeRequestsMillions: {
    value: 1,
    unit: 'million requests/month',
    why: 'Viewer requests through CloudFront and WAF: ~0.4 a second on average, a small team\'s Control UI, WebSocket sessions and chat webhooks.',
  },
  cloudFrontEgressGb: {
    value: 5,
    unit: 'GB/month',
    why: 'Responses to viewers: chat text and the Control UI\'s assets; well within CloudFront\'s always-free 1 TB.',
  },
  wafLogKbPerRequest: {
    value: 1.5,
    unit: 'KB/request',
    why: 'A WAF log record carries the request\'s headers (credentials redacted): 1-2 KB each.',
  },
  cloudFrontLogKbPerRequest: {
    value: 1,
    unit: 'KB/request',
    why: 'A CloudFront standard-logging v2 record in JSON is about 1 KB.',
  },
  stateVolumeUsedGb: {
    value: 1,
    unit: 'GB',
    why: 'What the agents keep on the state volume (sessions, memory, paired devices, the spend month) of two agents after a year: the first snapshot holds this much.',
  },
  stateDailyChangeGb: {
    value: 0.05,
    unit: 'GB/day',
    why: 'Blocks of the state volume changed each day (new transcripts, updated memory): what each daily incremental snapshot adds.',
  },
  hostLogsGb: {
    value: 1.1,
    unit: 'GB/month',
    why:
      'OpenClaw\'s log, nginx access and error logs and the units\' journal of one host with two agents (1 GB), and the egress proxy\'s access log ' +
      '(0.1 GB: one line of about 150 bytes per outbound connection, some 15 a minute from the agents, the AWS CLI and the agents of SSM and CloudWatch), shipped by the CloudWatch agent.',
  },
  sessionLogsGb: {
    value: 0.01,
    unit: 'GB/month',
    why: 'Break-glass SSM sessions are rare: a few short sessions a month.',
  },
  lambdaLogsGb: {
    value: 0.01,
    unit: 'GB/month',
    why: 'The rotation functions run about twice a month; the deploy-time handlers only on deploys.',
  },
  flowLogsGb: {
    value: 2,
    unit: 'GB/month per flow log',
    why: 'All-traffic records of a VPC with two instances and the VPC origin\'s interfaces; each flow-log destination receives the same records.',
  },
  cloudTrailManagementEvents: {
    value: 100_000,
    unit: 'events/month',
    why: 'Management events of the account: the host\'s SSM agent, Secrets Manager and KMS calls (~17,000 secret reads alone), rotations and deploys.',
  },
  cloudTrailKbPerEvent: {
    value: 2,
    unit: 'KB/event',
    why: 'A CloudTrail record in JSON is 1-3 KB; the trail also sends every event to its log group for the metric filters.',
  },
  otherTrailsInAccount: {
    value: 0,
    unit: 'trails',
    why: 'The trail is the account\'s first copy of management events (free): example prod lives in its own account. With another trail (e.g. an organization trail) this one is a paid copy.',
  },
  compressedLogRatio: {
    value: 0.2,
    unit: 'stored/raw',
    why: 'gzip shrinks text and JSON logs about 5x: applies to gzip deliveries to S3 (vended logs, CloudTrail) and to CloudWatch Logs storage, which is billed compressed.',
  },
  s3TransitionedShare: {
    value: 0,
    unit: 'share of stored bytes',
    why: 'At this volume every log object (one about every 5 minutes per source) is under 128 KB, which S3 lifecycle rules do not transition by default: it all stays in Standard.',
  },
  s3PutRequests: {
    value: 130_000,
    unit: 'requests/month',
    why: 'Log deliveries into the buckets: CloudTrail (log files every ~5 minutes in active regions, hourly digests in every region), flow logs, WAF, CloudFront, Firehose and server access logs, each about every 5 minutes.',
  },
  s3AccessLogsGb: {
    value: 0.05,
    unit: 'GB/month per logged bucket',
    why: 'S3 server access logs of an audit bucket: one ~350-byte record per request it serves (~130,000 a month).',
  },
  kmsRequests: {
    value: 100_000,
    unit: 'requests/month',
    why: 'Decrypts behind ~17,000 secret reads, CloudTrail\'s per-file data keys, Firehose, CloudWatch Logs and SNS; S3 bucket keys keep the buckets\' own share small.',
  },
  secretReadsPerSecret: {
    value: 4380,
    unit: 'API calls/month per secret',
    why: 'The host re-reads its secrets every 15 minutes (2,920 times a month), the origin-verify secret at three stages: ~1.5 calls per secret on average.',
  },
  putMetricDataRequests: {
    value: 43_800,
    unit: 'requests/month',
    why: 'GatewayHealthy and EgressHealthy in one request every minute (43,800); the disk, memory, channel and agent-file metrics publish only on a problem, and failure metrics are rare.',
  },
  dnsQueriesMillions: {
    value: 1,
    unit: 'million queries/month',
    why: 'DNS lookups of the host and the NAT instance through the Resolver (the figure of docs/network.md, "Cost of the network path").',
  },
  internetEgressGb: {
    value: 5,
    unit: 'GB/month',
    why: 'Requests the host sends to the model and chat APIs (their responses come in, which is free); within the 100 GB always-free data transfer out.',
  },
  natGatewayProcessedGb: {
    value: 10,
    unit: 'GB/month',
    why: 'Bytes a NAT gateway would process in both directions: model API responses, package installs at boot. Used only with natMode gateway.',
  },
  alarmNotifications: {
    value: 30,
    unit: 'notifications/month per subscription',
    why: 'Alarm state changes (ALARM and OK) a month, each sent to every subscription of the alert topics.',
  },
  lambdaInvocations: {
    value: 100,
    unit: 'invocations/month',
    why: 'Secret rotations (four steps, once a month each) and the deploy-time handlers.',
  },
  lambdaGbSeconds: {
    value: 500,
    unit: 'GB-seconds/month',
    why: 'A rotation waits for the host\'s refresh: up to ~2 minutes at 256 MB.',
  },
  budgetsAlreadyInAccount: {
    value: 0,
    unit: 'budgets',
    why: 'The account has no other budgets (prod in its own account), so its first two are free.',
  },
} as const satisfies Record<string, UsageAssumption>;

export type UsageKey = keyof typeof USAGE_ASSUMPTIONS;
/** The values the estimate uses, one per assumption. */
export type Usage = { readonly [K in UsageKey]: number };

/** The default values, optionally with some overridden. */
export function usageValues(overrides: Partial<Usage> = {}): Usage {
  const values = Object.fromEntries(Object.entries(USAGE_ASSUMPTIONS).map(([k, a]) => [k, a.value])) as Record<UsageKey, number>;
  return { ...values, ...overrides };
}

/** One line per assumption: name, value, unit and why. */
export function formatUsageAssumptions(usage: Usage = usageValues()): string {
  const keys = Object.keys(USAGE_ASSUMPTIONS) as UsageKey[];
  const width = Math.max(...keys.map((k) => k.length));
  const lines = keys.map((k) => {
    const a = USAGE_ASSUMPTIONS[k];
    const changed = usage[k] !== a.value ? ' (overridden)' : '';
    return `  ${k.padEnd(width)}  ${usage[k].toLocaleString('en-US')} ${a.unit}${changed}: ${a.why}`;
  });
  return ['Usage assumptions (lib/cost/usage-assumptions.ts):', ...lines].join('\n');
}
