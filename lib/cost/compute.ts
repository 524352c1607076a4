/**
 * Compute: the EC2 instances and Auto Scaling groups of the templates (with
 * their launch templates' settings), priced by the hour on demand, and their
 * detailed monitoring. Their volumes are priced by lib/cost/volumes.ts.
 */
import type { Ledger } from './ledger';
import { HOURS_PER_MONTH, ec2Hourly } from './price-table';
import { num, obj, refName, str, type Res } from './template-index';
import { fmtPrice, listRefs, plural } from './wording';

/** One instance, or an Auto Scaling group of `count` of them. */
export interface PricedInstance {
  /** The AWS::EC2::Instance or AWS::AutoScaling::AutoScalingGroup. */
  readonly res: Res;
  /** Its instance type, e.g. t4g.small. */
  readonly type: string;
  /** It forwards traffic (SourceDestCheck false): a NAT instance. */
  readonly nat: boolean;
  /** How many instances run. */
  readonly count: number;
  /** Its properties over its launch template's data (the group's: the launch template's data). */
  readonly data: Record<string, unknown>;
}

function launchTemplateData(l: Ledger, r: Res): Record<string, unknown> {
  const lt = obj(r.props.LaunchTemplate);
  const res = l.ix.resolve(lt.LaunchTemplateId, r.stack) ?? l.ix.resolve(lt.LaunchTemplateName, r.stack);
  return res?.type === 'AWS::EC2::LaunchTemplate' ? obj(res.props.LaunchTemplateData) : {};
}

/** Every instance and Auto Scaling group; throws for one whose instance type cannot be found. */
function findInstances(l: Ledger): PricedInstance[] {
  const instances: PricedInstance[] = [];
  for (const r of l.of('AWS::EC2::Instance')) {
    const lt = launchTemplateData(l, r);
    const type = str(r.props.InstanceType) ?? str(lt.InstanceType);
    if (!type) throw new Error(`${refName(r)}: an EC2 instance without an InstanceType (nor one in its launch template); cannot price it`);
    instances.push({ res: r, type, nat: r.props.SourceDestCheck === false, count: 1, data: { ...lt, ...r.props } });
  }
  for (const r of l.of('AWS::AutoScaling::AutoScalingGroup')) {
    const lt = launchTemplateData(l, r);
    const type = str(lt.InstanceType);
    if (!type) throw new Error(`${refName(r)}: an Auto Scaling group without an instance type in its launch template; cannot price it`);
    const count = num(r.props.DesiredCapacity) ?? num(r.props.MinSize) ?? 0;
    instances.push({ res: r, type, nat: false, count, data: lt });
  }
  return instances;
}

/** One line per instance type (NAT instances apart), by the hour for the month. */
function priceInstanceHours(l: Ledger, instances: readonly PricedInstance[]) {
  const groups = new Map<string, PricedInstance[]>();
  for (const i of instances) groups.set(`${i.nat ? 'ec2-nat' : 'ec2'}:${i.type}`, [...(groups.get(`${i.nat ? 'ec2-nat' : 'ec2'}:${i.type}`) ?? []), i]);
  for (const [key, group] of groups) {
    const first = group[0]!;
    const hourly = ec2Hourly(first.type);
    const n = group.reduce((s, i) => s + i.count, 0);
    l.add(
      key,
      'Compute',
      `EC2 ${first.type} on-demand${first.nat ? ' (NAT instance)' : ''}`,
      n,
      hourly,
      `${plural(n, 'instance')}: ${listRefs(group.map((i) => i.res))}; ${fmtPrice(hourly)} x ${HOURS_PER_MONTH} h`,
      { unitUsd: hourly.usd * HOURS_PER_MONTH, unit: 'instance-month' },
    );
  }
}

/** Instances with Monitoring on: their one-minute metrics are billed as custom metrics. */
export function priceDetailedMonitoring(l: Ledger, instances: readonly PricedInstance[]) {
  const monitored = instances.filter((i) => i.data.Monitoring === true || obj(i.data.Monitoring).Enabled === true);
  if (monitored.length > 0) {
    const n = monitored.reduce((s, i) => s + i.count, 0);
    l.add(
      'ec2-detailed-monitoring',
      'Monitoring',
      'EC2 detailed monitoring',
      n,
      'detailedMonitoringInstanceMonth',
      `Monitoring: true on ${listRefs(monitored.map((i) => i.res))}: 7 one-minute EC2 metrics each, billed as custom metrics`,
    );
  }
}

/** Finds the instances and prices their hours; returns them for their volumes, addresses and monitoring. */
export function priceInstances(l: Ledger): PricedInstance[] {
  const instances = findInstances(l);
  priceInstanceHours(l, instances);
  return instances;
}
