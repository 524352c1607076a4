/**
 * Monthly cost of one client x environment, from its synthesized templates:
 * what they create (instances, volumes, keys, secrets, alarms, WAF rules, log
 * groups, ...) times the list prices of lib/cost/price-table.ts, plus the
 * usage-based charges of lib/cost/usage-assumptions.ts. Nothing here is
 * written per stack: every line is found by resource type and properties.
 */
import type { ResolvedConfig } from '../config/schema';
import { deploymentName, hostMetricNamespace } from '../shared/naming';
import {
  DAYS_PER_MONTH,
  FREE_TIERS,
  HOURS_PER_MONTH,
  PRICE_REGION,
  PRICE_TABLE_DATE,
  PRICES,
  ec2Hourly,
  type Price,
  type PriceKey,
} from './price-table';
import { arr, isObj, num, obj, refName, str, TemplateIndex, type Res, type StackTemplate } from './template-index';
import { usageValues, type Usage } from './usage-assumptions';
import { BOOT_PREFLIGHT_FAILED_METRIC, KILL_SWITCH_METRIC, SECRET_RETRIEVAL_METRIC } from '../shared/metric-names';

/** Metrics the host or the kill switch publish only when something fails or happens (not every period). */
const EVENT_ONLY_HOST_METRICS = [BOOT_PREFLIGHT_FAILED_METRIC, SECRET_RETRIEVAL_METRIC, KILL_SWITCH_METRIC];

export type { StackTemplate } from './template-index';

export const COST_CATEGORIES = ['Compute', 'Network', 'Keys and secrets', 'Edge', 'Monitoring', 'Logs and audit', 'Other', 'Not priced'] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

export interface CostLine {
  /** Stable identifier of the line, e.g. `ec2:t4g.small`, `kms-key`, `secret`. */
  readonly key: string;
  readonly category: CostCategory;
  readonly item: string;
  /** How much of `unit` the deployment uses a month (before any free tier). */
  readonly quantity: number;
  readonly unit: string;
  /** List price of one `unit`. */
  readonly unitUsd: number;
  /** What the month costs: quantity x unitUsd, less a free tier where the basis says so. */
  readonly monthlyUsd: number;
  /** Where the quantity comes from (resources, assumptions) and how the price applies. */
  readonly basis: string;
  /** The price is marked unsure in the price table. */
  readonly unsurePrice?: boolean;
}

export interface EstimateOptions {
  /** Override some usage assumptions. */
  readonly usage?: Partial<Usage>;
}

const fmtQty = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 3 });
const fmtPrice = (p: Price) => `$${p.usd}/${p.unit}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const listRefs = (rs: readonly Res[], max = 4) =>
  rs.length <= max ? rs.map(refName).join(', ') : `${rs.slice(0, max).map(refName).join(', ')} and ${rs.length - max} more`;

/** Resource types that cost nothing by themselves (their usage, if any, is priced elsewhere). */
const FREE_TYPES = new Set([
  'AWS::CDK::Metadata',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::Route',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::LaunchTemplate',
  'AWS::EC2::EIPAssociation',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::KMS::Alias',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SecretsManager::ResourcePolicy',
  'AWS::SecretsManager::RotationSchedule',
  'AWS::SSM::Document',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::SubscriptionFilter',
  'AWS::Logs::ResourcePolicy',
  'AWS::Logs::DeliverySource',
  'AWS::Logs::DeliveryDestination',
  'AWS::Logs::Delivery',
  'AWS::Route53Resolver::FirewallRuleGroup',
  'AWS::Route53Resolver::FirewallConfig',
  'AWS::CloudFront::OriginRequestPolicy',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::WAFv2::LoggingConfiguration',
  'AWS::WAFv2::WebACLAssociation',
  'AWS::Budgets::BudgetsAction',
  'AWS::Events::Rule',
]);

/** AWS managed WAF rule groups with a charge of their own beyond the $1 rule, other than Bot Control (priced). */
const PAID_WAF_GROUPS = new Set(['AWSManagedRulesATPRuleSet', 'AWSManagedRulesACFPRuleSet', 'AWSManagedRulesAntiDDoSRuleSet']);
const BOT_CONTROL = 'AWSManagedRulesBotControlRuleSet';

class Estimator {
  readonly lines: CostLine[] = [];
  private readonly handled = new Set<string>();

  constructor(
    private readonly ix: TemplateIndex,
    private readonly config: ResolvedConfig,
    private readonly u: Usage,
  ) {}

  private add(
    key: string,
    category: CostCategory,
    item: string,
    quantity: number,
    priceKey: PriceKey | Price,
    basis: string,
    opts: { unitUsd?: number; unit?: string; monthlyUsd?: number } = {},
  ) {
    const p = typeof priceKey === 'string' ? PRICES[priceKey] : priceKey;
    const unitUsd = opts.unitUsd ?? p.usd;
    this.lines.push({
      key,
      category,
      item,
      quantity,
      unit: opts.unit ?? p.unit,
      unitUsd,
      monthlyUsd: opts.monthlyUsd ?? quantity * unitUsd,
      basis,
      ...(p.confidence === 'unsure' ? { unsurePrice: true } : {}),
    });
  }

  private of(type: string): Res[] {
    this.handled.add(type);
    return this.ix.ofType(type);
  }

  private launchTemplateData(r: Res): Record<string, unknown> {
    const lt = obj(r.props.LaunchTemplate);
    const res = this.ix.resolve(lt.LaunchTemplateId, r.stack) ?? this.ix.resolve(lt.LaunchTemplateName, r.stack);
    return res?.type === 'AWS::EC2::LaunchTemplate' ? obj(res.props.LaunchTemplateData) : {};
  }

  /** Subnet is routed to an internet gateway (a public subnet). */
  private isPublicSubnet(subnet: Res): boolean {
    const tables = this.ix
      .ofType('AWS::EC2::SubnetRouteTableAssociation')
      .filter((a) => this.ix.refersTo(a.props.SubnetId, a.stack, subnet))
      .map((a) => this.ix.resolve(a.props.RouteTableId, a.stack))
      .filter((t): t is Res => t !== undefined);
    return this.ix
      .ofType('AWS::EC2::Route')
      .some((route) => tables.some((t) => this.ix.refersTo(route.props.RouteTableId, route.stack, t)) && this.ix.resolve(route.props.GatewayId, route.stack)?.type === 'AWS::EC2::InternetGateway');
  }

  compute() {
    const instances: { res: Res; type: string; nat: boolean; count: number; data: Record<string, unknown> }[] = [];
    for (const r of this.of('AWS::EC2::Instance')) {
      const lt = this.launchTemplateData(r);
      const type = str(r.props.InstanceType) ?? str(lt.InstanceType);
      if (!type) throw new Error(`${refName(r)}: an EC2 instance without an InstanceType (nor one in its launch template); cannot price it`);
      instances.push({ res: r, type, nat: r.props.SourceDestCheck === false, count: 1, data: { ...lt, ...r.props } });
    }
    for (const r of this.of('AWS::AutoScaling::AutoScalingGroup')) {
      const lt = this.launchTemplateData(r);
      const type = str(lt.InstanceType);
      if (!type) throw new Error(`${refName(r)}: an Auto Scaling group without an instance type in its launch template; cannot price it`);
      const count = num(r.props.DesiredCapacity) ?? num(r.props.MinSize) ?? 0;
      instances.push({ res: r, type, nat: false, count, data: lt });
    }

    const groups = new Map<string, typeof instances>();
    for (const i of instances) groups.set(`${i.nat ? 'ec2-nat' : 'ec2'}:${i.type}`, [...(groups.get(`${i.nat ? 'ec2-nat' : 'ec2'}:${i.type}`) ?? []), i]);
    for (const [key, group] of groups) {
      const first = group[0]!;
      const hourly = ec2Hourly(first.type);
      const n = group.reduce((s, i) => s + i.count, 0);
      this.add(
        key,
        'Compute',
        `EC2 ${first.type} on-demand${first.nat ? ' (NAT instance)' : ''}`,
        n,
        hourly,
        `${plural(n, 'instance')}: ${listRefs(group.map((i) => i.res))}; ${fmtPrice(hourly)} x ${HOURS_PER_MONTH} h`,
        { unitUsd: hourly.usd * HOURS_PER_MONTH, unit: 'instance-month' },
      );
    }

    // Volumes: the instance's (or its launch template's) block device mappings; without any, the AMI's 8 GiB gp3 root.
    const gb = new Map<string, { gb: number; refs: Res[] }>();
    let extraIops = 0;
    let extraThroughput = 0;
    for (const i of instances) {
      const mappings = arr(i.data.BlockDeviceMappings).map(obj).filter((m) => isObj(m.Ebs));
      const vols = mappings.length > 0 ? mappings.map((m) => obj(m.Ebs)) : [{ VolumeSize: 8, VolumeType: 'gp3' }];
      for (const v of vols) {
        const type = str(v.VolumeType) ?? 'gp3';
        const size = num(v.VolumeSize) ?? 8;
        const entry = gb.get(type) ?? { gb: 0, refs: [] };
        entry.gb += size * i.count;
        if (!entry.refs.includes(i.res)) entry.refs.push(i.res);
        gb.set(type, entry);
        if (type === 'gp3') {
          extraIops += Math.max(0, (num(v.Iops) ?? 3000) - 3000) * i.count;
          extraThroughput += Math.max(0, (num(v.Throughput) ?? 125) - 125) * i.count;
        }
      }
    }
    for (const [type, { gb: size, refs }] of gb) {
      const priceKey = type === 'gp3' ? 'ebsGp3GbMonth' : type === 'gp2' ? 'ebsGp2GbMonth' : undefined;
      if (!priceKey) {
        this.unpriced(`ebs:${type}`, `EBS ${type} volumes`, size, `${listRefs(refs)}: no ${type} price in lib/cost/price-table.ts`);
        continue;
      }
      this.add(`ebs:${type}`, 'Compute', `EBS ${type} volumes`, size, priceKey, `root volumes of ${listRefs(refs)}`);
    }
    // Volumes of their own (the state volume): per GB like the root volumes, on a line of their own.
    const volumes = this.of('AWS::EC2::Volume');
    const volumeGb = new Map<string, { gb: number; refs: Res[] }>();
    for (const v of volumes) {
      const type = str(v.props.VolumeType) ?? 'gp2';
      const size = num(v.props.Size);
      if (size === undefined) throw new Error(`${refName(v)}: an EBS volume without a Size; cannot price it`);
      const entry = volumeGb.get(type) ?? { gb: 0, refs: [] };
      entry.gb += size;
      entry.refs.push(v);
      volumeGb.set(type, entry);
      if (type === 'gp3') {
        extraIops += Math.max(0, (num(v.props.Iops) ?? 3000) - 3000);
        extraThroughput += Math.max(0, (num(v.props.Throughput) ?? 125) - 125);
      }
    }
    for (const [type, { gb: size, refs }] of volumeGb) {
      const priceKey = type === 'gp3' ? 'ebsGp3GbMonth' : type === 'gp2' ? 'ebsGp2GbMonth' : undefined;
      if (!priceKey) {
        this.unpriced(`ebs-volume:${type}`, `EBS ${type} volumes (not root)`, size, `${listRefs(refs)}: no ${type} price in lib/cost/price-table.ts`);
        continue;
      }
      this.add(`ebs-volume:${type}`, 'Compute', `EBS ${type} volumes (state, kept across hosts)`, size, priceKey, listRefs(refs));
    }
    // Their daily snapshots (Data Lifecycle Manager, free itself): the first holds the data, each
    // later one the blocks changed since; kept RetainRule days.
    const policies = this.of('AWS::DLM::LifecyclePolicy');
    if (policies.length > 0 && volumes.length > 0) {
      const days = Math.max(
        ...policies.flatMap((p) => arr(obj(p.props.PolicyDetails).Schedules).map((sc) => {
          const rule = obj(obj(sc).RetainRule);
          const n = num(rule.Interval) ?? num(rule.Count) ?? 0;
          const unit = str(rule.IntervalUnit) ?? 'DAYS';
          return unit === 'WEEKS' ? n * 7 : unit === 'MONTHS' ? n * 30 : unit === 'YEARS' ? n * 365 : n;
        })),
      );
      const stored = volumes.length * (this.u.stateVolumeUsedGb + this.u.stateDailyChangeGb * Math.max(0, days - 1));
      this.add(
        'ebs-snapshots',
        'Compute',
        'EBS snapshots (daily, Data Lifecycle Manager)',
        stored,
        'ebsSnapshotGbMonth',
        `${listRefs(policies)} keeping ${days} daily snapshots of ${listRefs(volumes)}: usage assumption stateVolumeUsedGb + ${days - 1} x stateDailyChangeGb`,
      );
    }
    if (extraIops > 0) this.add('ebs:gp3-iops', 'Compute', 'EBS gp3 IOPS above 3,000', extraIops, 'ebsGp3IopsMonth', 'provisioned Iops of the gp3 volumes');
    if (extraThroughput > 0) this.add('ebs:gp3-throughput', 'Compute', 'EBS gp3 throughput above 125 MB/s', extraThroughput, 'ebsGp3ThroughputMonth', 'provisioned Throughput of the gp3 volumes');

    const monitored = instances.filter((i) => i.data.Monitoring === true || obj(i.data.Monitoring).Enabled === true);
    if (monitored.length > 0) {
      const n = monitored.reduce((s, i) => s + i.count, 0);
      this.add(
        'ec2-detailed-monitoring',
        'Monitoring',
        'EC2 detailed monitoring',
        n,
        'detailedMonitoringInstanceMonth',
        `Monitoring: true on ${listRefs(monitored.map((i) => i.res))}: 7 one-minute EC2 metrics each, billed as custom metrics`,
      );
    }
    return instances;
  }

  network(instances: ReturnType<Estimator['compute']>) {
    // Public IPv4 addresses: explicit ones, Elastic IPs, and the NAT instance's (it cannot work without one).
    const ips: string[] = [];
    const covered = new Set<Res>();
    for (const eip of this.of('AWS::EC2::EIP')) {
      const target = this.ix.resolve(eip.props.InstanceId, eip.stack);
      if (target) covered.add(target);
      ips.push(`Elastic IP ${refName(eip)}`);
    }
    for (const assoc of this.ix.ofType('AWS::EC2::EIPAssociation')) {
      const target = this.ix.resolve(assoc.props.InstanceId, assoc.stack);
      if (target) covered.add(target);
    }
    for (const i of instances) {
      if (i.res.type !== 'AWS::EC2::Instance' || covered.has(i.res)) continue;
      const nics = arr(i.res.props.NetworkInterfaces).map(obj);
      const subnet = this.ix.resolve(i.res.props.SubnetId ?? nics[0]?.SubnetId, i.res.stack);
      const explicit =
        nics.some((n) => n.AssociatePublicIpAddress === true || n.AssociatePublicIpAddress === 'true') ||
        (nics.length === 0 && subnet !== undefined && subnet.props.MapPublicIpOnLaunch === true);
      const publicSubnet = subnet !== undefined && this.isPublicSubnet(subnet);
      if (explicit) ips.push(`public IP of ${refName(i.res)}`);
      else if (i.nat && publicSubnet) {
        ips.push(
          `NAT instance ${refName(i.res)} (needs one to reach the internet; note: the template assigns none: no AssociatePublicIpAddress, MapPublicIpOnLaunch false, no Elastic IP)`,
        );
      }
    }
    if (ips.length > 0) {
      this.add('public-ipv4', 'Network', 'Public IPv4 addresses', ips.length, 'publicIpv4Hour', `${ips.join('; ')}; $0.005/h x ${HOURS_PER_MONTH} h`, {
        unitUsd: PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH,
        unit: 'address-month',
      });
    }

    const natGateways = this.of('AWS::EC2::NatGateway').filter((n) => n.props.ConnectivityType !== 'private');
    if (natGateways.length > 0) {
      this.add('nat-gateway', 'Network', 'NAT gateway', natGateways.length, 'natGatewayHour', `${listRefs(natGateways)}; $0.045/h x ${HOURS_PER_MONTH} h`, {
        unitUsd: PRICES.natGatewayHour.usd * HOURS_PER_MONTH,
        unit: 'gateway-month',
      });
      this.add('nat-gateway-data', 'Network', 'NAT gateway data processed', this.u.natGatewayProcessedGb, 'natGatewayGb', 'usage assumption natGatewayProcessedGb');
    }

    const endpoints = this.of('AWS::EC2::VPCEndpoint').filter((e) => e.props.VpcEndpointType === 'Interface');
    const enis = endpoints.reduce((s, e) => s + Math.max(1, arr(e.props.SubnetIds).length), 0);
    if (enis > 0) {
      this.add('interface-endpoint', 'Network', 'VPC interface endpoints', enis, 'interfaceEndpointAzHour', `${listRefs(endpoints)}: one ENI per subnet`, {
        unitUsd: PRICES.interfaceEndpointAzHour.usd * HOURS_PER_MONTH,
        unit: 'endpoint-AZ-month',
      });
    }

    if (this.ix.ofType('AWS::EC2::InternetGateway').length > 0) {
      const q = this.u.internetEgressGb;
      const free = FREE_TIERS.dataTransferOutGb.quantity;
      this.add('data-transfer-out', 'Network', 'Data transfer out to the internet', q, 'dataTransferOutGb', `usage assumption internetEgressGb; the first ${free} GB a month are free`, {
        monthlyUsd: Math.max(0, q - free) * PRICES.dataTransferOutGb.usd,
      });
    }

    const associations = this.of('AWS::Route53Resolver::FirewallRuleGroupAssociation');
    if (associations.length > 0) {
      this.add(
        'dns-firewall-queries',
        'Network',
        'DNS Firewall queries',
        this.u.dnsQueriesMillions * associations.length,
        'dnsFirewallQueriesMillion',
        `${plural(associations.length, 'VPC association')} x usage assumption dnsQueriesMillions`,
      );
    }
    const lists = this.of('AWS::Route53Resolver::FirewallDomainList');
    const domains = lists.reduce((s, l) => s + arr(l.props.Domains).length, 0);
    if (lists.length > 0) {
      this.add('dns-firewall-domains', 'Network', 'DNS Firewall domains', domains, 'dnsFirewallDomainMonth', `${plural(lists.length, 'domain list')}: ${listRefs(lists)}`);
    }
  }

  keysAndSecrets() {
    const keys = this.of('AWS::KMS::Key');
    if (keys.length > 0) {
      this.add('kms-key', 'Keys and secrets', 'KMS customer-managed keys', keys.length, 'kmsKeyMonth', listRefs(keys));
      const horizonDays = (this.u.horizonMonths * 365) / 12;
      const rotations = keys.map((k) => {
        if (k.props.EnableKeyRotation !== true) return 0;
        const period = num(k.props.RotationPeriodInDays) ?? 365;
        return Math.min(2, Math.floor(horizonDays / period));
      });
      const billed = rotations.reduce((s, n) => s + n, 0);
      const periods = [...new Set(keys.map((k) => num(k.props.RotationPeriodInDays) ?? 365))].join('/');
      this.add(
        'kms-rotation',
        'Keys and secrets',
        'KMS rotated key material',
        billed,
        'kmsRotationMonth',
        `automatic rotation every ${periods} days: ${billed} rotations by month ${this.u.horizonMonths} (usage assumption horizonMonths), each of a key's first two adds $1/month for good`,
      );
      this.add('kms-requests', 'Keys and secrets', 'KMS requests', this.u.kmsRequests / 10_000, 'kmsRequests10k', `usage assumption kmsRequests (${fmtQty(this.u.kmsRequests)}); the account's 20,000 free requests are not applied`);
    }
    const secrets = this.of('AWS::SecretsManager::Secret');
    if (secrets.length > 0) {
      this.add('secret', 'Keys and secrets', 'Secrets Manager secrets', secrets.length, 'secretMonth', listRefs(secrets, 8));
      const calls = secrets.length * this.u.secretReadsPerSecret;
      this.add('secrets-api', 'Keys and secrets', 'Secrets Manager API calls', calls / 10_000, 'secretsApi10k', `${plural(secrets.length, 'secret')} x usage assumption secretReadsPerSecret (${fmtQty(calls)} calls)`);
    }
  }

  edge() {
    const acls = this.of('AWS::WAFv2::WebACL');
    if (acls.length > 0) {
      this.add('waf-web-acl', 'Edge', 'WAF web ACLs', acls.length, 'wafWebAclMonth', listRefs(acls));
      const rules = acls.flatMap((a) => arr(a.props.Rules).map(obj));
      this.add('waf-rules', 'Edge', 'WAF rules and rule groups', rules.length, 'wafRuleMonth', rules.map((r) => str(r.Name) ?? '?').join(', '));
      this.add('waf-requests', 'Edge', 'WAF requests', this.u.edgeRequestsMillions * acls.length, 'wafRequestsMillion', `usage assumption edgeRequestsMillions per web ACL`);
      const managed = rules.map((r) => obj(obj(r.Statement).ManagedRuleGroupStatement)).filter((m) => Object.keys(m).length > 0);
      const bot = managed.filter((m) => m.Name === BOT_CONTROL);
      if (bot.length > 0) {
        this.add('waf-bot-control', 'Edge', 'WAF Bot Control (common)', bot.length, 'wafBotControlMonth', 'AWSManagedRulesBotControlRuleSet in the web ACL');
        this.add('waf-bot-control-requests', 'Edge', 'WAF Bot Control requests', this.u.edgeRequestsMillions * bot.length, 'wafBotControlRequestsMillion', 'usage assumption edgeRequestsMillions');
      }
      for (const m of managed.filter((g) => g.VendorName !== 'AWS' || PAID_WAF_GROUPS.has(str(g.Name) ?? ''))) {
        this.unpriced(`waf-group:${str(m.Name)}`, `WAF rule group ${str(m.VendorName)}/${str(m.Name)}`, 1, 'a paid rule group with no price in lib/cost/price-table.ts');
      }
    }

    const distributions = this.of('AWS::CloudFront::Distribution');
    if (distributions.length > 0) {
      const gbOut = this.u.cloudFrontEgressGb * distributions.length;
      const requests = this.u.edgeRequestsMillions * 1_000_000 * distributions.length;
      const freeGb = FREE_TIERS.cloudFrontGb.quantity;
      const freeReq = FREE_TIERS.cloudFrontRequests.quantity;
      this.add('cloudfront-egress', 'Edge', 'CloudFront data transfer out', gbOut, 'cloudFrontGb', `usage assumption cloudFrontEgressGb; the first ${fmtQty(freeGb)} GB a month are free (always-free tier)`, {
        monthlyUsd: Math.max(0, gbOut - freeGb) * PRICES.cloudFrontGb.usd,
      });
      this.add(
        'cloudfront-requests',
        'Edge',
        'CloudFront HTTPS requests',
        requests / 10_000,
        'cloudFrontHttps10k',
        `usage assumption edgeRequestsMillions; the first ${fmtQty(freeReq)} requests a month are free (always-free tier)`,
        { monthlyUsd: (Math.max(0, requests - freeReq) / 10_000) * PRICES.cloudFrontHttps10k.usd },
      );
    }
    const vpcOrigins = this.of('AWS::CloudFront::VpcOrigin');
    if (vpcOrigins.length > 0) this.add('cloudfront-vpc-origin', 'Edge', 'CloudFront VPC origins', vpcOrigins.length, 'cloudFrontVpcOriginMonth', listRefs(vpcOrigins));
  }

  monitoring() {
    let standard = 0;
    let highRes = 0;
    const metrics = new Map<string, string>();
    const addMetric = (namespace: unknown, name: unknown, dims: unknown) => {
      const ns = str(namespace);
      const n = str(name);
      if (!ns || !n || ns.startsWith('AWS/')) return;
      const d = JSON.stringify(dims ?? null);
      metrics.set(`${ns}|${n}|${d}`, `${n}${dims && (Array.isArray(dims) ? dims.length > 0 : Object.keys(obj(dims)).length > 0) ? '{...}' : ''}`);
    };
    const alarms = this.of('AWS::CloudWatch::Alarm');
    for (const a of alarms) {
      const stats = arr(a.props.Metrics).map(obj).filter((m) => isObj(m.MetricStat));
      const n = Math.max(1, stats.length);
      const period = num(a.props.Period) ?? Math.min(...stats.map((s) => num(obj(s.MetricStat).Period) ?? 60), 60);
      if (period < 60) highRes += n;
      else standard += n;
      addMetric(a.props.Namespace, a.props.MetricName, a.props.Dimensions);
      for (const s of stats) {
        const m = obj(obj(s.MetricStat).Metric);
        addMetric(m.Namespace, m.MetricName, m.Dimensions);
      }
    }
    if (standard > 0) this.add('alarm', 'Monitoring', 'CloudWatch alarms (standard)', standard, 'alarmStandardMonth', `${plural(alarms.length, 'AWS::CloudWatch::Alarm')}; the account's 10 free alarms are not applied`);
    if (highRes > 0) this.add('alarm-high-res', 'Monitoring', 'CloudWatch alarms (high resolution)', highRes, 'alarmHighResMonth', 'alarms with a period under 60 s');
    const composite = this.of('AWS::CloudWatch::CompositeAlarm');
    if (composite.length > 0) this.add('alarm-composite', 'Monitoring', 'CloudWatch composite alarms', composite.length, 'alarmCompositeMonth', listRefs(composite));

    // Metric filters without a default value publish only when an event matches.
    const eventOnly = new Set<string>(EVENT_ONLY_HOST_METRICS);
    for (const f of this.ix.ofType('AWS::Logs::MetricFilter')) {
      for (const t of arr(f.props.MetricTransformations).map(obj)) {
        addMetric(t.MetricNamespace, t.MetricName, t.Dimensions);
        if (t.DefaultValue === undefined && str(t.MetricName)) eventOnly.add(str(t.MetricName)!);
      }
    }
    if (metrics.size > 0) {
      const hostNs = hostMetricNamespace(deploymentName(this.config));
      const continuous = [...metrics.values()].filter((n) => !eventOnly.has(n.replace(/\{\.\.\.\}$/, '')));
      const skipped = [...metrics.values()].filter((n) => eventOnly.has(n.replace(/\{\.\.\.\}$/, '')));
      // The spend meter also publishes one series per model in use (dimension Model).
      const models = [...new Set(Object.values(this.config.openclaw.agents).map((a) => `${a.provider}/${a.model}`))];
      const namespaces = [...new Set([...metrics.keys()].map((k) => k.split('|')[0]))].join(', ');
      this.add(
        'custom-metric',
        'Monitoring',
        'CloudWatch custom metrics',
        continuous.length + models.length,
        'customMetricMonth',
        `series that report all month, namespace ${namespaces}${namespaces === hostNs ? ' (the host\'s)' : ''}: ${continuous.join(', ')}, ModelSpend{Model} x ${models.length}; ` +
          `not counted, as they report only when something fails or changes (billed by the hour they report): ${skipped.join(', ') || 'none'}`,
      );
      const q = this.u.putMetricDataRequests;
      const free = FREE_TIERS.putMetricData.quantity;
      this.add('put-metric-data', 'Monitoring', 'CloudWatch PutMetricData requests', q / 1000, 'putMetricData1k', `usage assumption putMetricDataRequests; the first ${fmtQty(free)} API requests a month are free`, {
        monthlyUsd: (Math.max(0, q - free) / 1000) * PRICES.putMetricData1k.usd,
      });
    }
  }

  logsAndAudit() {
    const u = this.u;
    const groups = this.of('AWS::Logs::LogGroup');
    const flowLogs = this.of('AWS::EC2::FlowLog');
    const trails = this.of('AWS::CloudTrail::Trail');
    const destinations = this.ix.ofType('AWS::Logs::DeliveryDestination');
    const deliveries = this.ix.ofType('AWS::Logs::Delivery');
    const sources = this.ix.ofType('AWS::Logs::DeliverySource');
    const trailGb = (u.cloudTrailManagementEvents * u.cloudTrailKbPerEvent) / 1_000_000;
    const edgeLogGb = (kbPerRequest: number) => (u.edgeRequestsMillions * 1_000_000 * kbPerRequest) / 1_000_000;

    // The source behind a vended-log destination (CloudFront, ...), by its delivery source.
    const vendedSourceOf = (destination: Res): { label: string; gb: number } | undefined => {
      const delivery = deliveries.find((d) => this.ix.refersTo(d.props.DeliveryDestinationArn, d.stack, destination));
      const source = delivery && sources.find((s) => s.stack === delivery.stack && s.props.Name === delivery.props.DeliverySourceName);
      const arn = JSON.stringify(source?.props.ResourceArn ?? '');
      if (arn.includes(':cloudfront:')) return { label: 'CloudFront access logs (vended)', gb: edgeLogGb(u.cloudFrontLogKbPerRequest) };
      return undefined;
    };

    // Every log group: what it holds, how much, at which price.
    type Group = { res: Res; label: string; gb: number; vended: boolean };
    const classified: Group[] = [];
    const lambdaGroups: Res[] = [];
    const appGroups: Res[] = [];
    for (const g of groups) {
      const flows = flowLogs.filter((f) => this.ix.refersTo(f.props.LogGroupName, f.stack, g) || this.ix.refersTo(f.props.LogDestination, f.stack, g));
      const trail = trails.some((t) => this.ix.refersTo(t.props.CloudWatchLogsLogGroupArn, t.stack, g));
      const destination = destinations.find((d) => this.ix.refersTo(d.props.DestinationResourceArn, d.stack, g));
      const session = this.ix.ofType('AWS::SSM::Document').some((d) => this.ix.refersTo(obj(obj(d.props.Content).inputs).cloudWatchLogGroupName, d.stack, g));
      const lambda =
        str(g.props.LogGroupName)?.startsWith('/aws/lambda/') ||
        this.ix.ofType('AWS::Lambda::Function').some((f) => this.ix.refersTo(obj(f.props.LoggingConfig).LogGroup, f.stack, g));
      if (flows.length > 0) classified.push({ res: g, label: 'VPC flow logs (vended)', gb: u.flowLogsGb * flows.length, vended: true });
      else if (trail) classified.push({ res: g, label: 'CloudTrail events', gb: trailGb, vended: false });
      else if (destination) {
        const source = vendedSourceOf(destination);
        if (source) classified.push({ res: g, label: source.label, gb: source.gb, vended: true });
        else this.unpriced(`logs:${g.id}`, `Vended logs into ${refName(g)}`, 1, 'a vended-log source the estimate does not know');
      } else if (session) classified.push({ res: g, label: 'SSM session logs', gb: u.sessionLogsGb, vended: false });
      else if (lambda) lambdaGroups.push(g);
      else appGroups.push(g);
    }
    for (const g of lambdaGroups) classified.push({ res: g, label: 'Lambda logs', gb: u.lambdaLogsGb / lambdaGroups.length, vended: false });
    for (const g of appGroups) classified.push({ res: g, label: 'host and application logs', gb: u.hostLogsGb / appGroups.length, vended: false });

    const assumptionOf: Record<string, string> = {
      'VPC flow logs (vended)': 'flowLogsGb per flow log',
      'CloudTrail events': 'cloudTrailManagementEvents x cloudTrailKbPerEvent',
      'CloudFront access logs (vended)': 'edgeRequestsMillions x cloudFrontLogKbPerRequest',
      'SSM session logs': 'sessionLogsGb',
      'Lambda logs': 'lambdaLogsGb',
      'host and application logs': 'hostLogsGb',
    };
    const byLabel = new Map<string, Group[]>();
    for (const g of classified) byLabel.set(g.label, [...(byLabel.get(g.label) ?? []), g]);
    for (const [label, gs] of byLabel) {
      const gb = gs.reduce((s, g) => s + g.gb, 0);
      const names = gs.map((g) => str(g.res.props.LogGroupName) ?? refName(g.res));
      this.add(
        `logs-ingest:${label}`,
        'Logs and audit',
        `CloudWatch Logs ingestion: ${label}`,
        gb,
        gs[0]!.vended ? 'vendedLogsToLogsGb' : 'logsIngestGb',
        `${plural(gs.length, 'log group')} (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}); usage assumption ${assumptionOf[label] ?? '?'}`,
      );
    }
    if (classified.length > 0) {
      const stored = classified.reduce((s, g) => {
        const retentionMonths = (num(g.res.props.RetentionInDays) ?? Infinity) / (365 / 12);
        return s + g.gb * u.compressedLogRatio * Math.min(u.horizonMonths, retentionMonths);
      }, 0);
      this.add(
        'logs-storage',
        'Logs and audit',
        'CloudWatch Logs storage',
        stored,
        'logsStorageGbMonth',
        `what the log groups hold at month ${u.horizonMonths} within their retention, compressed (usage assumptions horizonMonths, compressedLogRatio)`,
      );
    }

    // Firehose: the log groups subscribed to a delivery stream.
    const streams = this.of('AWS::KinesisFirehose::DeliveryStream');
    let firehoseGb = 0;
    const subscribed: string[] = [];
    for (const f of this.ix.ofType('AWS::Logs::SubscriptionFilter')) {
      const toFirehose =
        this.ix.resolve(f.props.DestinationArn, f.stack)?.type === 'AWS::KinesisFirehose::DeliveryStream' ||
        TemplateIndex.literals(f.props.DestinationArn).some((l) => l.includes(':firehose:'));
      const g = classified.find((c) => this.ix.refersTo(f.props.LogGroupName, f.stack, c.res));
      if (toFirehose && g) {
        firehoseGb += g.gb;
        subscribed.push(str(g.res.props.LogGroupName) ?? refName(g.res));
      }
    }
    if (streams.length > 0) {
      this.add('firehose', 'Logs and audit', 'Firehose ingestion', firehoseGb, 'firehoseGb', `${plural(subscribed.length, 'log group')} subscribed to ${listRefs(streams)}`);
    }

    // S3: what each bucket receives a month (raw GB, stored GB).
    const inflow = new Map<Res, { stored: number; sources: string[] }>();
    const vendedS3 = new Map<string, number>();
    const deliver = (bucket: Res | undefined, label: string, rawGb: number, storedRatio: number, vended: boolean) => {
      if (!bucket || bucket.type !== 'AWS::S3::Bucket') return;
      const entry = inflow.get(bucket) ?? { stored: 0, sources: [] };
      entry.stored += rawGb * storedRatio;
      entry.sources.push(label);
      inflow.set(bucket, entry);
      if (vended) vendedS3.set(label, (vendedS3.get(label) ?? 0) + rawGb);
    };
    for (const f of flowLogs.filter((fl) => fl.props.LogDestinationType === 's3')) {
      deliver(this.ix.resolve(f.props.LogDestination, f.stack), 'VPC flow logs', u.flowLogsGb, u.compressedLogRatio, true);
    }
    for (const l of this.of('AWS::WAFv2::LoggingConfiguration')) {
      for (const d of arr(l.props.LogDestinationConfigs)) deliver(this.ix.resolve(d, l.stack), 'WAF logs', edgeLogGb(u.wafLogKbPerRequest), u.compressedLogRatio, true);
    }
    for (const d of destinations) {
      const bucket = this.ix.resolve(d.props.DestinationResourceArn, d.stack);
      const source = vendedSourceOf(d);
      if (bucket?.type === 'AWS::S3::Bucket' && source) deliver(bucket, source.label.replace(' (vended)', ''), source.gb, u.compressedLogRatio, true);
    }
    for (const t of trails) deliver(this.ix.resolve(t.props.S3BucketName, t.stack), 'CloudTrail', trailGb, u.compressedLogRatio, false);
    for (const s of streams) {
      const dest = obj(s.props.ExtendedS3DestinationConfiguration ?? s.props.S3DestinationConfiguration);
      const compressed = str(dest.CompressionFormat) !== undefined && dest.CompressionFormat !== 'UNCOMPRESSED';
      deliver(this.ix.resolve(dest.BucketARN, s.stack), 'Firehose', firehoseGb, compressed ? u.compressedLogRatio : 1, false);
    }
    const buckets = this.of('AWS::S3::Bucket');
    for (const b of buckets) {
      const target = this.ix.resolve(obj(b.props.LoggingConfiguration).DestinationBucketName, b.stack);
      deliver(target, 'S3 server access logs', u.s3AccessLogsGb, 1, false);
    }
    for (const [label, gb] of vendedS3) {
      this.add(`vended-s3:${label}`, 'Logs and audit', `Vended log delivery to S3: ${label}`, gb, 'vendedLogsToS3Gb', 'same usage assumption as its log group / requests');
    }

    // Storage by class at the horizon: data arrives evenly; lifecycle transitions and expiration from the bucket's rules.
    const classGb = { standard: 0, ia: 0, glacierIr: 0 };
    const horizonDays = (u.horizonMonths * 365) / 12;
    for (const [bucket, { stored }] of inflow) {
      const rules = arr(obj(bucket.props.LifecycleConfiguration).Rules)
        .map(obj)
        .filter((r) => r.Status === 'Enabled');
      const transitions = rules.flatMap((r) => arr(r.Transitions).map(obj));
      const dayOf = (cls: string) => num(transitions.find((t) => t.StorageClass === cls)?.TransitionInDays);
      const expiry = Math.min(horizonDays, ...rules.map((r) => num(r.ExpirationInDays) ?? Infinity));
      const perDay = stored / (365 / 12);
      const ia = Math.min(dayOf('STANDARD_IA') ?? Infinity, expiry);
      const gir = Math.min(dayOf('GLACIER_IR') ?? Infinity, expiry);
      const share = u.s3TransitionedShare;
      const standardDays = share * Math.min(ia, gir) + (1 - share) * expiry;
      classGb.standard += perDay * standardDays;
      classGb.ia += perDay * share * Math.max(0, gir - ia);
      classGb.glacierIr += perDay * share * Math.max(0, expiry - gir);
    }
    if (inflow.size > 0) {
      const what = [...inflow.entries()].map(([b, e]) => `${refName(b)} <- ${e.sources.join(', ')}`).join('; ');
      this.add(
        's3-standard',
        'Logs and audit',
        'S3 Standard storage',
        classGb.standard,
        's3StandardGbMonth',
        `held at month ${u.horizonMonths} (${what}); usage assumptions compressedLogRatio, s3TransitionedShare`,
      );
      if (classGb.ia > 0) this.add('s3-standard-ia', 'Logs and audit', 'S3 Standard-IA storage', classGb.ia, 's3StandardIaGbMonth', 'lifecycle transitions of the buckets');
      if (classGb.glacierIr > 0) this.add('s3-glacier-ir', 'Logs and audit', 'S3 Glacier Instant Retrieval storage', classGb.glacierIr, 's3GlacierIrGbMonth', 'lifecycle transitions of the buckets');
      this.add('s3-requests', 'Logs and audit', 'S3 PUT requests', u.s3PutRequests / 1000, 's3Put1k', `usage assumption s3PutRequests (${fmtQty(u.s3PutRequests)})`);
    }

    if (trails.length > 0) {
      const free = u.otherTrailsInAccount === 0 ? 1 : 0;
      const paid = trails.length - free;
      const events100k = (u.cloudTrailManagementEvents / 100_000) * paid;
      this.add(
        'cloudtrail',
        'Logs and audit',
        'CloudTrail management events',
        events100k,
        'cloudTrailExtraCopy100k',
        `${listRefs(trails)}; ${free ? 'the account\'s first copy is free (usage assumption otherTrailsInAccount = 0); ' : ''}` +
          `an additional copy costs $2 per 100,000 events (${fmtQty(u.cloudTrailManagementEvents)} a month: $${((u.cloudTrailManagementEvents / 100_000) * 2).toFixed(2)})`,
        {},
      );
      const dataSelectors = trails.filter((t) => arr(t.props.EventSelectors).some((s) => arr(obj(s).DataResources).length > 0) || arr(t.props.AdvancedEventSelectors).length > 0);
      for (const t of dataSelectors) this.unpriced(`cloudtrail-data:${t.id}`, `CloudTrail data events of ${refName(t)}`, 1, 'data events are not priced here');
    }
  }

  other() {
    const u = this.u;
    const functions = this.of('AWS::Lambda::Function');
    if (functions.length > 0) {
      const freeReq = FREE_TIERS.lambdaRequests.quantity;
      const freeGbs = FREE_TIERS.lambdaGbSeconds.quantity;
      this.add(
        'lambda',
        'Other',
        `Lambda (${plural(functions.length, 'function')})`,
        u.lambdaInvocations,
        'lambdaRequestsMillion',
        `usage assumptions lambdaInvocations, lambdaGbSeconds; within the always-free ${fmtQty(freeReq)} requests and ${fmtQty(freeGbs)} GB-seconds`,
        {
          unit: 'request',
          unitUsd: PRICES.lambdaRequestsMillion.usd / 1_000_000,
          monthlyUsd:
            (Math.max(0, u.lambdaInvocations - freeReq) / 1_000_000) * PRICES.lambdaRequestsMillion.usd +
            Math.max(0, u.lambdaGbSeconds - freeGbs) * PRICES.lambdaGbSecond.usd,
        },
      );
    }

    const topics = this.of('AWS::SNS::Topic');
    const subs = this.of('AWS::SNS::Subscription');
    const byProtocol = (p: string) => subs.filter((s) => s.props.Protocol === p).length;
    const topicSubs = topics.reduce((s, t) => s + arr(t.props.Subscription).length, 0);
    const email = byProtocol('email') + byProtocol('email-json');
    if (topics.length > 0 || subs.length > 0) {
      const q = u.alarmNotifications * (email + topicSubs);
      const free = FREE_TIERS.snsEmail.quantity;
      this.add('sns-email', 'Other', 'SNS email notifications', q, PRICES.snsEmail100k, `${plural(topics.length, 'topic')}, ${plural(email, 'email subscription')} x usage assumption alarmNotifications; the first ${fmtQty(free)} a month are free`, {
        unitUsd: PRICES.snsEmail100k.usd / 100_000,
        unit: 'email',
        monthlyUsd: (Math.max(0, q - free) / 100_000) * PRICES.snsEmail100k.usd,
      });
    }
    const sms = byProtocol('sms');
    if (sms > 0) this.add('sns-sms', 'Other', 'SNS SMS notifications', u.alarmNotifications * sms, 'snsSmsMessage', `${plural(sms, 'SMS subscription')} x usage assumption alarmNotifications`);
    const https = byProtocol('https') + byProtocol('http');
    if (https > 0) {
      const q = u.alarmNotifications * https;
      this.add('sns-https', 'Other', 'SNS HTTP/S notifications', q / 1_000_000, 'snsHttps1m', `${plural(https, 'HTTP/S subscription')}; the first 100,000 a month are free`, {
        monthlyUsd: (Math.max(0, q - FREE_TIERS.snsHttps.quantity) / 1_000_000) * PRICES.snsHttps1m.usd,
      });
    }

    const budgets = this.of('AWS::Budgets::Budget');
    if (budgets.length > 0) {
      const actions = this.ix.ofType('AWS::Budgets::BudgetsAction');
      const names = budgets.map((b) => obj(b.props.Budget).BudgetName);
      const actionEnabled = names.filter((n) => n !== undefined && actions.some((a) => JSON.stringify(a.props.BudgetName) === JSON.stringify(n))).length;
      const plain = budgets.length - actionEnabled;
      const free = FREE_TIERS.budgets.quantity;
      const already = u.budgetsAlreadyInAccount;
      const billable = (n: number) => Math.max(0, already + n - free) - Math.max(0, already - free);
      if (plain > 0) {
        this.add('budget', 'Other', 'AWS Budgets', plain, 'budgetDay', `${listRefs(budgets)}; the account's first ${free} are free (usage assumption budgetsAlreadyInAccount)`, {
          unitUsd: PRICES.budgetDay.usd * DAYS_PER_MONTH,
          unit: 'budget-month',
          monthlyUsd: billable(plain) * PRICES.budgetDay.usd * DAYS_PER_MONTH,
        });
      }
      if (actionEnabled > 0) {
        this.add('budget-action', 'Other', 'AWS Budgets with actions', actionEnabled, 'budgetActionDay', `budgets with an AWS::Budgets::BudgetsAction; the account's first ${free} are free`, {
          unitUsd: PRICES.budgetActionDay.usd * DAYS_PER_MONTH,
          unit: 'budget-month',
          monthlyUsd: billable(actionEnabled) * PRICES.budgetActionDay.usd * DAYS_PER_MONTH,
        });
      }
    }

    const queues = this.of('AWS::SQS::Queue');
    if (queues.length > 0) {
      this.add('sqs', 'Other', `SQS queues (${queues.length})`, 0, 'sqsRequestsMillion', `${listRefs(queues)}: charged per request beyond the free 1,000,000 a month; a dead-letter queue nothing polls makes almost none`);
    }

    const parameters = this.of('AWS::SSM::Parameter');
    const advanced = parameters.filter((p) => p.props.Tier === 'Advanced' || p.props.Tier === 'Intelligent-Tiering');
    for (const p of advanced) this.unpriced(`ssm-advanced:${p.id}`, `SSM advanced parameter ${refName(p)}`, 1, 'advanced parameters are not priced here');
    const documents = this.ix.ofType('AWS::SSM::Document');
    if (documents.length > 0) this.add('ssm', 'Other', 'Session Manager and SSM documents', documents.length, 'ssm', listRefs(documents));
  }

  unpriced(key: string, item: string, quantity: number, basis: string) {
    this.lines.push({ key: `unpriced:${key}`, category: 'Not priced', item, quantity, unit: '-', unitUsd: 0, monthlyUsd: 0, basis: `${basis}; left out of the total` });
  }

  rest() {
    const counts = new Map<string, number>();
    for (const r of this.ix.resources) {
      if (this.handled.has(r.type) || FREE_TYPES.has(r.type) || r.type.startsWith('Custom::') || r.type === 'AWS::CloudFormation::CustomResource') continue;
      counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    for (const [type, n] of counts) this.unpriced(type, type, n, 'a resource type with no entry in lib/cost (priced or known to be free)');
  }
}

/**
 * The monthly cost lines of one deployment: every stack's synthesized
 * template, the deployment's config, and the region the report is labelled
 * with (prices are always us-east-1 list prices: there is no regional table).
 */
export function estimateMonthlyCost(templates: readonly StackTemplate[], config: ResolvedConfig, region: string = PRICE_REGION, options: EstimateOptions = {}): CostLine[] {
  void region; // a label only: see formatCostReport
  const e = new Estimator(new TemplateIndex(templates), config, usageValues(options.usage));
  const instances = e.compute();
  e.network(instances);
  e.keysAndSecrets();
  e.edge();
  e.monitoring();
  e.logsAndAudit();
  e.other();
  e.rest();
  const order = (l: CostLine) => COST_CATEGORIES.indexOf(l.category);
  return e.lines.map((l, i) => ({ l, i })).sort((a, b) => order(a.l) - order(b.l) || a.i - b.i).map(({ l }) => l);
}

export const totalUsd = (lines: readonly CostLine[]) => lines.reduce((s, l) => s + l.monthlyUsd, 0);

export interface ReportOptions {
  /** What is estimated, e.g. openclaw-example-prod. */
  readonly title?: string;
  /** The region the deployment runs in (a label: prices are us-east-1's). */
  readonly region?: string;
  /** Print each line's basis under it. @default true */
  readonly basis?: boolean;
}

const money = (n: number) => {
  if (n === 0) return '0';
  if (n >= 0.1) return n.toFixed(2);
  const digits = Math.min(10, Math.ceil(-Math.log10(n)) + 1);
  return n.toFixed(digits).replace(/0+$/, '');
};

/**
 * A fixed-width table of the lines, by category, with the price date; the last
 * line is `Total  $NN.NN / month (us-east-1 list prices, <date>)`.
 */
export function formatCostReport(lines: readonly CostLine[], options: ReportOptions = {}): string {
  const showBasis = options.basis ?? true;
  const rows = lines.map((l) => ({
    item: `${l.item}${l.unsurePrice ? ' *' : ''}`,
    qty: fmtQty(l.quantity),
    unit: l.unit,
    unitUsd: `$${money(l.unitUsd)}`,
    monthly: `$${l.monthlyUsd.toFixed(2)}`,
    line: l,
  }));
  const head = { item: 'Item', qty: 'Quantity', unit: 'Unit', unitUsd: 'Unit price', monthly: 'Per month' };
  const w = {
    item: Math.max(head.item.length, ...rows.map((r) => r.item.length + 2)),
    qty: Math.max(head.qty.length, ...rows.map((r) => r.qty.length)),
    unit: Math.min(32, Math.max(head.unit.length, ...rows.map((r) => r.unit.length))),
    unitUsd: Math.max(head.unitUsd.length, ...rows.map((r) => r.unitUsd.length)),
    monthly: Math.max(head.monthly.length, ...rows.map((r) => r.monthly.length)),
  };
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}~` : s);
  const row = (r: typeof head) =>
    `${r.item.padEnd(w.item)}  ${r.qty.padStart(w.qty)}  ${cut(r.unit, w.unit).padEnd(w.unit)}  ${r.unitUsd.padStart(w.unitUsd)}  ${r.monthly.padStart(w.monthly)}`.trimEnd();
  const width = w.item + w.qty + w.unit + w.unitUsd + w.monthly + 8;
  const total = totalUsd(lines);
  const regionNote =
    options.region && options.region !== PRICE_REGION ? `; the deployment runs in ${options.region}, priced here at ${PRICE_REGION} list prices (no regional price table)` : '';
  const out: string[] = [
    `Monthly cost estimate${options.title ? `: ${options.title}` : ''}`,
    `Prices: ${PRICE_REGION} list prices, on demand, checked ${PRICE_TABLE_DATE} (lib/cost/price-table.ts)${regionNote}`,
    '',
    row(head),
    '-'.repeat(width),
  ];
  for (const category of COST_CATEGORIES) {
    const inCategory = rows.filter((r) => r.line.category === category);
    if (inCategory.length === 0) continue;
    const subtotal = inCategory.reduce((s, r) => s + r.line.monthlyUsd, 0);
    out.push(`${category} ($${subtotal.toFixed(2)})`);
    for (const r of inCategory) {
      out.push(row({ ...r, item: `  ${r.item}` }));
      if (showBasis) out.push(`      ${r.line.basis}`);
    }
  }
  out.push('-'.repeat(width));
  if (rows.some((r) => r.line.unsurePrice)) out.push('* price marked unsure in lib/cost/price-table.ts: check it on the source page');
  if (rows.some((r) => r.line.category === 'Not priced')) out.push('Some resources are not priced (see "Not priced"): the total leaves them out.');
  out.push(`Total  $${total.toFixed(2)} / month (${PRICE_REGION} list prices, ${PRICE_TABLE_DATE})`);
  return out.join('\n');
}
