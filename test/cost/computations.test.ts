import { loadConfig } from '../../lib/config/load';
import { totalUsd, type CostLine } from '../../lib/cost/cost-line';
import { estimateMonthlyCost } from '../../lib/cost/estimate';
import { formatCostReport } from '../../lib/cost/report';
import { DAYS_PER_MONTH, EC2_HOURLY, HOURS_PER_MONTH, PRICE_TABLE_DATE, PRICES } from '../../lib/cost/price-table';
import type { CfnResource, StackTemplate } from '../../lib/cost/template-index';
import { formatUsageAssumptions, USAGE_ASSUMPTIONS, usageValues, type Usage } from '../../lib/cost/usage-assumptions';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// One test per price-sensitive computation, on small hand-written templates.

const config = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;
const stack = (resources: Record<string, CfnResource>, stackName = 's'): StackTemplate => ({ stackName, template: { Resources: resources } });
const run = (templates: StackTemplate[], usage: Partial<Usage> = {}) => estimateMonthlyCost(templates, config, 'us-east-1', { usage });
const find = (lines: CostLine[], key: string) => lines.find((l) => l.key === key);
const usd = (lines: CostLine[], key: string) => find(lines, key)?.monthlyUsd ?? 0;

const vpc = {
  Vpc: { Type: 'AWS::EC2::VPC', Properties: {} },
  Igw: { Type: 'AWS::EC2::InternetGateway' },
  Public: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: false } },
  PublicRt: { Type: 'AWS::EC2::RouteTable' },
  PublicAssoc: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: { Ref: 'Public' }, RouteTableId: { Ref: 'PublicRt' } } },
  PublicRoute: { Type: 'AWS::EC2::Route', Properties: { RouteTableId: { Ref: 'PublicRt' }, GatewayId: { Ref: 'Igw' }, DestinationCidrBlock: '0.0.0.0/0' } },
  Private: { Type: 'AWS::EC2::Subnet', Properties: {} },
} satisfies Record<string, CfnResource>;
const instance = (type: string, props: Record<string, unknown> = {}): CfnResource => ({
  Type: 'AWS::EC2::Instance',
  Properties: { InstanceType: type, SubnetId: { Ref: 'Private' }, BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 16, VolumeType: 'gp3' } }], ...props },
});

describe('NAT', () => {
  const natInstance = stack({ ...vpc, Nat: instance('t4g.nano', { SourceDestCheck: false, SubnetId: { Ref: 'Public' } }) });
  const natGateway = stack({
    ...vpc,
    Eip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
    NatGw: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'Public' }, AllocationId: { 'Fn::GetAtt': ['Eip', 'AllocationId'] } } },
  });

  test('a NAT gateway costs more than a NAT instance', () => {
    const viaInstance = run([natInstance]);
    const viaGateway = run([natGateway]);
    expect(totalUsd(viaGateway)).toBeGreaterThan(totalUsd(viaInstance));
    expect(usd(viaGateway, 'nat-gateway')).toBeCloseTo(32.85, 10);
    expect(usd(viaGateway, 'nat-gateway-data')).toBeCloseTo(usageValues().natGatewayProcessedGb * 0.045, 10);
    expect(usd(viaInstance, 'ec2-nat:t4g.nano')).toBeCloseTo(0.0042 * 730, 10);
  });

  test('both pay for one public IPv4 address: the Elastic IP, or the NAT instance\'s own', () => {
    expect(find(run([natGateway]), 'public-ipv4')).toMatchObject({ quantity: 1, monthlyUsd: 3.65 });
    const viaInstance = find(run([natInstance]), 'public-ipv4')!;
    expect(viaInstance).toMatchObject({ quantity: 1, monthlyUsd: 3.65 });
    // The template gives it none: the basis says so.
    expect(viaInstance.basis).toContain('the template assigns none');
  });

  test('an instance forwarding traffic in a private subnet, or a private NAT gateway, has no public address', () => {
    const lines = run([
      stack({
        ...vpc,
        Nat: instance('t4g.nano', { SourceDestCheck: false }),
        NatGw: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: { Ref: 'Private' }, ConnectivityType: 'private' } },
      }),
    ]);
    expect(find(lines, 'public-ipv4')).toBeUndefined();
    expect(find(lines, 'nat-gateway')).toBeUndefined();
  });

  test('an explicit public IP on an instance is counted once, and an Elastic IP on it is not counted twice', () => {
    const lines = run([
      stack({
        ...vpc,
        Host: instance('t4g.small', { SubnetId: undefined, NetworkInterfaces: [{ DeviceIndex: '0', AssociatePublicIpAddress: true, SubnetId: { Ref: 'Public' } }] }),
        Nat: instance('t4g.nano', { SourceDestCheck: false, SubnetId: { Ref: 'Public' } }),
        NatIp: { Type: 'AWS::EC2::EIP', Properties: { InstanceId: { Ref: 'Nat' } } },
      }),
    ]);
    expect(find(lines, 'public-ipv4')!.quantity).toBe(2);
  });
});

describe('secrets', () => {
  const secrets = (n: number) =>
    stack(Object.fromEntries(Array.from({ length: n }, (_, i) => [`Secret${i}`, { Type: 'AWS::SecretsManager::Secret', Properties: {} }])));

  test('each added agent (one secret each) adds $0.40 a month, plus its reads', () => {
    const two = run([secrets(4)]);
    const three = run([secrets(5)]);
    expect(find(three, 'secret')!.quantity).toBe(find(two, 'secret')!.quantity + 1);
    expect(usd(three, 'secret') - usd(two, 'secret')).toBeCloseTo(0.4, 10);
    expect(usd(three, 'secrets-api') - usd(two, 'secrets-api')).toBeCloseTo((usageValues().secretReadsPerSecret / 10_000) * 0.05, 10);
  });
});

describe('instances', () => {
  test('the instance type sets the price; a bigger type costs more', () => {
    const small = run([stack({ ...vpc, Host: instance('t4g.small') })]);
    const medium = run([stack({ ...vpc, Host: instance('t4g.medium') })]);
    expect(usd(small, 'ec2:t4g.small')).toBeCloseTo(12.264, 10);
    expect(usd(medium, 'ec2:t4g.medium')).toBeCloseTo(2 * 12.264, 10);
    expect(totalUsd(medium)).toBeGreaterThan(totalUsd(small));
  });

  test('the type may come from the launch template', () => {
    const lines = run([
      stack({
        ...vpc,
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 'm7g.large', Monitoring: { Enabled: true } } } },
        Host: { Type: 'AWS::EC2::Instance', Properties: { LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '1' } } },
      }),
    ]);
    expect(usd(lines, 'ec2:m7g.large')).toBeCloseTo(0.0816 * 730, 10);
    expect(find(lines, 'ec2-detailed-monitoring')!.quantity).toBe(1);
    // no block device mappings: the AMI's 8 GiB root
    expect(find(lines, 'ebs:gp3')!.quantity).toBe(8);
  });

  test('an Auto Scaling group counts its desired capacity', () => {
    const lines = run([
      stack({
        Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: 't4g.micro' } } },
        Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { DesiredCapacity: '2', MinSize: '1', LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' } } } },
      }),
    ]);
    expect(find(lines, 'ec2:t4g.micro')!.quantity).toBe(2);
    expect(find(lines, 'ebs:gp3')!.quantity).toBe(16);
  });

  test('an instance type without a price is an error naming where to add it', () => {
    expect(() => run([stack({ Host: instance('x9g.huge') })])).toThrow(/no price for EC2 instance type x9g\.huge in lib\/cost\/price-table\.ts/);
  });

  test('EBS: a volume of its own (the state volume) per GB on its own line; its DLM snapshots from the retention and the usage assumptions', () => {
    const volume = { Type: 'AWS::EC2::Volume', Properties: { Size: 20, VolumeType: 'gp3', Encrypted: true } };
    const dlm = (retain: Record<string, unknown>) => ({
      Type: 'AWS::DLM::LifecyclePolicy',
      Properties: { PolicyDetails: { Schedules: [{ CreateRule: { Interval: 24, IntervalUnit: 'HOURS' }, RetainRule: retain }] } },
    });
    const lines = run([stack({ Host: instance('t4g.small'), State: volume, Backup: dlm({ Interval: 30, IntervalUnit: 'DAYS' }) })]);
    expect(usd(lines, 'ebs:gp3')).toBeCloseTo(16 * 0.08, 10);
    expect(usd(lines, 'ebs-volume:gp3')).toBeCloseTo(20 * 0.08, 10);
    const u = usageValues();
    expect(find(lines, 'ebs-snapshots')!.quantity).toBeCloseTo(u.stateVolumeUsedGb + 29 * u.stateDailyChangeGb, 10);
    expect(usd(lines, 'ebs-snapshots')).toBeCloseTo((u.stateVolumeUsedGb + 29 * u.stateDailyChangeGb) * 0.05, 10);
    const weeks = run([stack({ State: volume, Backup: dlm({ Interval: 2, IntervalUnit: 'WEEKS' }) })]);
    expect(find(weeks, 'ebs-snapshots')!.quantity).toBeCloseTo(u.stateVolumeUsedGb + 13 * u.stateDailyChangeGb, 10);
    // No policy: no snapshots; an io2 volume has no price: named, not guessed.
    expect(find(run([stack({ State: volume })]), 'ebs-snapshots')).toBeUndefined();
    expect(find(run([stack({ State: { Type: 'AWS::EC2::Volume', Properties: { Size: 5, VolumeType: 'io2' } } })]), 'unpriced:ebs-volume:io2')).toBeDefined();
  });

  test('EBS: gp3 per GB, plus IOPS and throughput above the included baseline', () => {
    const lines = run([
      stack({
        Host: instance('t4g.small', { BlockDeviceMappings: [{ Ebs: { VolumeSize: 100, VolumeType: 'gp3', Iops: 4000, Throughput: 250 } }] }),
      }),
    ]);
    expect(usd(lines, 'ebs:gp3')).toBeCloseTo(8, 10);
    expect(usd(lines, 'ebs:gp3-iops')).toBeCloseTo(1000 * 0.005, 10);
    expect(usd(lines, 'ebs:gp3-throughput')).toBeCloseTo(125 * 0.04, 10);
  });

  test('detailed monitoring is $2.10 per instance, only where it is on', () => {
    const lines = run([stack({ A: instance('t4g.small', { Monitoring: true }), B: instance('t4g.small', { Monitoring: false }) })]);
    expect(find(lines, 'ec2-detailed-monitoring')).toMatchObject({ quantity: 1, monthlyUsd: 2.1 });
  });
});

describe('KMS', () => {
  const key = (props: Record<string, unknown>): CfnResource => ({ Type: 'AWS::KMS::Key', Properties: props });

  test('$1 a key, plus $1 for each of its first two rotations by month 12', () => {
    const lines = run([
      stack({
        Fast: key({ EnableKeyRotation: true, RotationPeriodInDays: 90 }),
        HalfYear: key({ EnableKeyRotation: true, RotationPeriodInDays: 180 }),
        Yearly: key({ EnableKeyRotation: true }),
        Off: key({}),
      }),
    ]);
    expect(find(lines, 'kms-key')).toMatchObject({ quantity: 4, monthlyUsd: 4 });
    expect(find(lines, 'kms-rotation')).toMatchObject({ quantity: 2 + 2 + 1 + 0, monthlyUsd: 5 });
  });

  test('in the first months no key has rotated yet', () => {
    const lines = run([stack({ K: key({ EnableKeyRotation: true, RotationPeriodInDays: 180 }) })], { horizonMonths: 3 });
    expect(find(lines, 'kms-rotation')!.quantity).toBe(0);
  });
});

describe('CloudWatch', () => {
  const alarm = (props: Record<string, unknown>): CfnResource => ({ Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 300, ...props } });

  test('alarms: $0.10 per metric, high resolution $0.30, metric math per metric', () => {
    const lines = run([
      stack({
        A: alarm({ Namespace: 'OpenClaw/x', MetricName: 'GatewayHealthy' }),
        B: alarm({ Namespace: 'AWS/EC2', MetricName: 'StatusCheckFailed_System', Period: 10 }),
        C: alarm({
          Period: undefined,
          Metrics: [
            { Id: 'e', Expression: 'a + b' },
            { Id: 'a', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors' }, Period: 60 } },
            { Id: 'b', MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'NumberOfMessagesSent' }, Period: 60 } },
          ],
        }),
      }),
    ]);
    expect(find(lines, 'alarm')).toMatchObject({ quantity: 3 });
    expect(usd(lines, 'alarm')).toBeCloseTo(0.3, 10);
    expect(find(lines, 'alarm-high-res')).toMatchObject({ quantity: 1, monthlyUsd: 0.3 });
  });

  test('custom metrics: distinct name and dimensions from alarms and metric filters, those that report all month; AWS namespaces are not custom', () => {
    const lines = run([
      stack({
        A: alarm({ Namespace: 'OpenClaw/x', MetricName: 'GatewayHealthy' }),
        A2: alarm({ Namespace: 'OpenClaw/x', MetricName: 'GatewayHealthy', Threshold: 2 }),
        B: alarm({ Namespace: 'OpenClaw/x', MetricName: 'SecretRetrievalFailed', Dimensions: [{ Name: 'Reason', Value: 'SecretEmpty' }] }),
        C: alarm({ Namespace: 'OpenClaw/x', MetricName: 'SecretRetrievalFailed' }),
        D: alarm({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests' }),
        F: { Type: 'AWS::Logs::MetricFilter', Properties: { MetricTransformations: [{ MetricNamespace: 'OpenClaw/x', MetricName: 'ProxyAuthFailures', MetricValue: '1', DefaultValue: 0 }] } },
        // A filter without a default value reports only when an event matches.
        G: { Type: 'AWS::Logs::MetricFilter', Properties: { MetricTransformations: [{ MetricNamespace: 'OpenClaw/x', MetricName: 'KmsKeyChanges', MetricValue: '1' }] } },
      }),
    ]);
    // GatewayHealthy and ProxyAuthFailures report all month; SecretRetrievalFailed (both variants) and
    // KmsKeyChanges only on failure; plus one ModelSpend{Model} series per model the agents use.
    const models = new Set(Object.values(config.openclaw.agents).map((a) => `${a.provider}/${a.model}`)).size;
    expect(find(lines, 'custom-metric')).toMatchObject({ quantity: 2 + models });
    expect(find(lines, 'custom-metric')?.basis).toMatch(/not counted, as they report only when something fails or changes.*SecretRetrievalFailed.*KmsKeyChanges|KmsKeyChanges.*SecretRetrievalFailed/);
    expect(usd(lines, 'custom-metric')).toBeCloseTo(0.3 * (2 + models), 10);
  });
});

describe('edge', () => {
  const acl = (rules: unknown[]): CfnResource => ({ Type: 'AWS::WAFv2::WebACL', Properties: { Scope: 'CLOUDFRONT', Rules: rules } });
  const managed = (name: string) => ({ Name: name, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } });

  test('WAF: $5 a web ACL, $1 a rule or rule group, $0.60 per million requests; Bot Control adds $10 and its requests', () => {
    const plain = run([stack({ Acl: acl([managed('AWSManagedRulesCommonRuleSet'), { Name: 'rate', Statement: { RateBasedStatement: { Limit: 500 } } }]) })]);
    expect(usd(plain, 'waf-web-acl') + usd(plain, 'waf-rules') + usd(plain, 'waf-requests')).toBeCloseTo(5 + 2 + 0.6, 10);
    const bots = run([stack({ Acl: acl([managed('AWSManagedRulesCommonRuleSet'), managed('AWSManagedRulesBotControlRuleSet')]) })]);
    expect(usd(bots, 'waf-bot-control')).toBe(10);
    expect(usd(bots, 'waf-bot-control-requests')).toBeCloseTo(1, 10);
    expect(totalUsd(bots)).toBeGreaterThan(totalUsd(plain) + 10);
  });

  test('CloudFront: free within the always-free tier, per GB beyond it', () => {
    const dist = stack({ D: { Type: 'AWS::CloudFront::Distribution', Properties: {} } });
    expect(usd(run([dist]), 'cloudfront-egress')).toBe(0);
    expect(usd(run([dist], { cloudFrontEgressGb: 2024 }), 'cloudfront-egress')).toBeCloseTo(1000 * 0.085, 10);
    expect(usd(run([dist], { edgeRequestsMillions: 20 }), 'cloudfront-requests')).toBeCloseTo(1000 * 0.01, 10);
  });
});

describe('logs and audit', () => {
  test('Firehose is paid on what the subscribed log groups ingest; storage by retention and compression', () => {
    const lines = run([
      stack({
        Host: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/openclaw/x/gateway', RetentionInDays: 365 } },
        Short: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/openclaw/x/journal', RetentionInDays: 30 } },
        Stream: { Type: 'AWS::KinesisFirehose::DeliveryStream', Properties: { DeliveryStreamName: 'archive' } },
        Sub: {
          Type: 'AWS::Logs::SubscriptionFilter',
          Properties: { LogGroupName: { Ref: 'Host' }, DestinationArn: { 'Fn::Join': ['', ['arn:aws:firehose:eu-west-1:1:deliverystream/archive']] } },
        },
      }),
    ]);
    const hostGb = usageValues().hostLogsGb;
    expect(find(lines, 'logs-ingest:host and application logs')).toMatchObject({ quantity: hostGb, monthlyUsd: hostGb * 0.5 });
    expect(find(lines, 'firehose')!.quantity).toBeCloseTo(hostGb / 2, 10);
    // half the volume kept 12 months, half kept ~1 month, stored compressed
    const expected = (hostGb / 2) * 0.2 * 12 + (hostGb / 2) * 0.2 * (30 / (365 / 12));
    expect(find(lines, 'logs-storage')!.quantity).toBeCloseTo(expected, 10);
  });

  test('S3: deliveries follow references across stacks, and lifecycle transitions apply to the share that can transition', () => {
    const core = {
      stackName: 'core',
      template: {
        Resources: {
          Bucket: {
            Type: 'AWS::S3::Bucket',
            Properties: {
              LifecycleConfiguration: {
                Rules: [{ Status: 'Enabled', Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }, { StorageClass: 'GLACIER_IR', TransitionInDays: 90 }] }],
              },
            },
          },
        },
        Outputs: { BucketArn: { Value: { 'Fn::GetAtt': ['Bucket', 'Arn'] }, Export: { Name: 'core:BucketArn' } } },
      },
    };
    const network = stack(
      { Flow: { Type: 'AWS::EC2::FlowLog', Properties: { LogDestinationType: 's3', LogDestination: { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'core:BucketArn' }, '/flow']] } } } },
      'network',
    );
    const flowGb = usageValues().flowLogsGb;
    const all = run([core, network]);
    expect(find(all, 'vended-s3:VPC flow logs')).toMatchObject({ quantity: flowGb, monthlyUsd: flowGb * 0.25 });
    expect(find(all, 's3-standard')!.quantity).toBeCloseTo(flowGb * 0.2 * 12, 10);
    const tiered = run([core, network], { s3TransitionedShare: 1 });
    const perMonth = flowGb * 0.2;
    expect(find(tiered, 's3-standard')!.quantity).toBeCloseTo(perMonth * (30 / (365 / 12)), 10);
    expect(find(tiered, 's3-standard-ia')!.quantity).toBeCloseTo(perMonth * (60 / (365 / 12)), 10);
    expect(find(tiered, 's3-glacier-ir')!.quantity).toBeCloseTo(perMonth * (275 / (365 / 12)), 10);
    expect(totalUsd(tiered)).toBeLessThan(totalUsd(all));
  });

  test('CloudTrail: the first trail in the account is free, another copy $2 per 100,000 events', () => {
    const trail = stack({ Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { IsLogging: true } } });
    expect(usd(run([trail]), 'cloudtrail')).toBe(0);
    const events = usageValues().cloudTrailManagementEvents;
    expect(usd(run([trail], { otherTrailsInAccount: 1 }), 'cloudtrail')).toBeCloseTo((events / 100_000) * 2, 10);
  });
});

describe('other', () => {
  const budgets = (n: number) => stack(Object.fromEntries(Array.from({ length: n }, (_, i) => [`B${i}`, { Type: 'AWS::Budgets::Budget', Properties: { Budget: { BudgetName: `b${i}` } } }])));

  test('Budgets: the account\'s first two are free, then $0.02 a day each', () => {
    expect(usd(run([budgets(2)]), 'budget')).toBe(0);
    expect(usd(run([budgets(3)]), 'budget')).toBeCloseTo(0.02 * DAYS_PER_MONTH, 10);
    expect(usd(run([budgets(2)], { budgetsAlreadyInAccount: 2 }), 'budget')).toBeCloseTo(2 * 0.02 * DAYS_PER_MONTH, 10);
  });

  test('SNS email within the free 1,000 a month costs nothing; SMS is paid per message', () => {
    const lines = run([
      stack({
        Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
        Mail: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'email', Endpoint: 'a@example.com' } },
        Text: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'sms', Endpoint: '+15550100' } },
      }),
    ]);
    expect(usd(lines, 'sns-email')).toBe(0);
    expect(usd(lines, 'sns-sms')).toBeCloseTo(usageValues().alarmNotifications * PRICES.snsSmsMessage.usd, 10);
  });

  test('a resource type the estimate does not know is listed as not priced, and left out of the total', () => {
    const lines = run([stack({ Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} } })]);
    expect(find(lines, 'unpriced:AWS::ElasticLoadBalancingV2::LoadBalancer')).toMatchObject({ category: 'Not priced', quantity: 1, monthlyUsd: 0 });
    expect(formatCostReport(lines)).toContain('the total leaves them out');
  });
});

describe('the report', () => {
  const lines = run([stack({ ...vpc, Host: instance('t4g.small', { Monitoring: true }), K: { Type: 'AWS::KMS::Key', Properties: {} } })]);

  test('a fixed-width table by category, with the price date, ending with the Total line', () => {
    const report = formatCostReport(lines, { title: 'test', region: 'eu-west-1' });
    const rows = report.split('\n');
    expect(rows[0]).toBe('Monthly cost estimate: test');
    expect(rows[1]).toContain(`checked ${PRICE_TABLE_DATE}`);
    expect(rows[1]).toContain('runs in eu-west-1, priced here at us-east-1 list prices');
    expect(report).toMatch(/^Compute \(\$\d+\.\d{2}\)$/m);
    const header = rows.find((r) => r.startsWith('Item'))!;
    const ec2 = rows.find((r) => r.includes('EC2 t4g.small on-demand'))!;
    expect(ec2.length).toBe(header.length);
    expect(rows.at(-1)).toBe(`Total  $${totalUsd(lines).toFixed(2)} / month (us-east-1 list prices, 2026-11-21)`);
  });

  test('unsure prices are marked', () => {
    const withDns = run([stack({ A: { Type: 'AWS::Route53Resolver::FirewallRuleGroupAssociation', Properties: {} } })]);
    const report = formatCostReport(withDns);
    expect(report).toContain('DNS Firewall queries *');
    expect(report).toContain('* price marked unsure');
  });
});

describe('the price table and the assumptions', () => {
  const entries = [...Object.entries(PRICES), ...Object.entries(EC2_HOURLY)];

  test('every price names its source page and the day it was checked', () => {
    expect(PRICE_TABLE_DATE).toBe('2026-11-21');
    for (const [name, p] of entries) {
      expect({ name, source: p.source }).toEqual({ name, source: expect.stringMatching(/^https:\/\/aws\.amazon\.com\//) });
      expect(p.checked).toBe(PRICE_TABLE_DATE);
      expect(p.usd).toBeGreaterThanOrEqual(0);
      expect(p.unit.length).toBeGreaterThan(0);
    }
  });

  test('the prices the reference notes state', () => {
    expect(EC2_HOURLY['t4g.small']!.usd * HOURS_PER_MONTH).toBeCloseTo(12.26, 2);
    expect(EC2_HOURLY['t4g.nano']!.usd * HOURS_PER_MONTH).toBeCloseTo(3.07, 2);
    expect(PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH).toBeCloseTo(3.65, 10);
    expect(PRICES.natGatewayHour.usd * HOURS_PER_MONTH).toBeCloseTo(32.85, 10);
    expect([PRICES.secretMonth.usd, PRICES.kmsKeyMonth.usd, PRICES.alarmStandardMonth.usd, PRICES.customMetricMonth.usd]).toEqual([0.4, 1, 0.1, 0.3]);
    expect([PRICES.wafWebAclMonth.usd, PRICES.wafRuleMonth.usd, PRICES.wafRequestsMillion.usd, PRICES.wafBotControlMonth.usd]).toEqual([5, 1, 0.6, 10]);
  });

  test('every Graviton type the schema\'s examples name has a price', () => {
    for (const type of ['t4g.nano', 't4g.micro', 't4g.small', 't4g.medium', 't4g.large', 'm7g.large']) expect(EC2_HOURLY[type]).toBeDefined();
  });

  test('every usage assumption has a value, a unit and a one-line justification, and all are printed', () => {
    const printed = formatUsageAssumptions();
    for (const [name, a] of Object.entries(USAGE_ASSUMPTIONS)) {
      expect(a.why.length).toBeGreaterThan(20);
      expect(a.why).not.toContain('\n');
      expect(printed).toContain(name);
    }
    expect(formatUsageAssumptions(usageValues({ hostLogsGb: 3 }))).toMatch(/hostLogsGb +3 GB\/month \(overridden\)/);
  });
});
