/**
 * EBS: the instances' root volumes (their block device mappings), the volumes
 * of their own (the state volume), the daily snapshots Data Lifecycle Manager
 * keeps of them, and gp3 IOPS and throughput provisioned above the included.
 */
import type { PricedInstance } from './compute';
import type { Ledger } from './ledger';
import { arr, isObj, num, obj, refName, str, type Res } from './template-index';
import { listRefs } from './wording';

/** GB of one volume type, and the resources holding them. */
type VolumesOfType = { gb: number; refs: Res[] };

/** gp3 IOPS and throughput provisioned above the 3,000 and 125 MB/s included. */
type Gp3Extra = { iops: number; throughput: number };

function addGp3Extra(extra: Gp3Extra, volume: Record<string, unknown>, count: number) {
  extra.iops += Math.max(0, (num(volume.Iops) ?? 3000) - 3000) * count;
  extra.throughput += Math.max(0, (num(volume.Throughput) ?? 125) - 125) * count;
}

const gbPrice = (type: string) => (type === 'gp3' ? 'ebsGp3GbMonth' : type === 'gp2' ? 'ebsGp2GbMonth' : undefined);

/** The instance's (or its launch template's) block device mappings; without any, the AMI's 8 GiB gp3 root. */
function rootVolumes(instances: readonly PricedInstance[], extra: Gp3Extra): Map<string, VolumesOfType> {
  const gb = new Map<string, VolumesOfType>();
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
      if (type === 'gp3') addGp3Extra(extra, v, i.count);
    }
  }
  return gb;
}

function priceRootVolumes(l: Ledger, gb: ReadonlyMap<string, VolumesOfType>) {
  for (const [type, { gb: size, refs }] of gb) {
    const priceKey = gbPrice(type);
    if (!priceKey) {
      l.unpriced(`ebs:${type}`, `EBS ${type} volumes`, size, `${listRefs(refs)}: no ${type} price in lib/cost/price-table.ts`);
      continue;
    }
    l.add(`ebs:${type}`, 'Compute', `EBS ${type} volumes`, size, priceKey, `root volumes of ${listRefs(refs)}`);
  }
}

/** Volumes of their own (the state volume): per GB like the root volumes, on a line of their own. */
function priceOwnVolumes(l: Ledger, volumes: readonly Res[], extra: Gp3Extra) {
  const volumeGb = new Map<string, VolumesOfType>();
  for (const v of volumes) {
    const type = str(v.props.VolumeType) ?? 'gp2';
    const size = num(v.props.Size);
    if (size === undefined) throw new Error(`${refName(v)}: an EBS volume without a Size; cannot price it`);
    const entry = volumeGb.get(type) ?? { gb: 0, refs: [] };
    entry.gb += size;
    entry.refs.push(v);
    volumeGb.set(type, entry);
    if (type === 'gp3') addGp3Extra(extra, v.props, 1);
  }
  for (const [type, { gb: size, refs }] of volumeGb) {
    const priceKey = gbPrice(type);
    if (!priceKey) {
      l.unpriced(`ebs-volume:${type}`, `EBS ${type} volumes (not root)`, size, `${listRefs(refs)}: no ${type} price in lib/cost/price-table.ts`);
      continue;
    }
    l.add(`ebs-volume:${type}`, 'Compute', `EBS ${type} volumes (state, kept across hosts)`, size, priceKey, listRefs(refs));
  }
}

/** Days a lifecycle policy's schedule keeps its snapshots (its RetainRule, by interval or count). */
function retainedDays(schedule: unknown): number {
  const rule = obj(obj(schedule).RetainRule);
  const n = num(rule.Interval) ?? num(rule.Count) ?? 0;
  const unit = str(rule.IntervalUnit) ?? 'DAYS';
  return unit === 'WEEKS' ? n * 7 : unit === 'MONTHS' ? n * 30 : unit === 'YEARS' ? n * 365 : n;
}

/**
 * The volumes' daily snapshots (Data Lifecycle Manager, free itself): the first
 * holds the data, each later one the blocks changed since; kept RetainRule days.
 */
function priceSnapshots(l: Ledger, volumes: readonly Res[]) {
  const policies = l.of('AWS::DLM::LifecyclePolicy');
  if (policies.length === 0 || volumes.length === 0) return;
  const days = Math.max(...policies.flatMap((p) => arr(obj(p.props.PolicyDetails).Schedules).map(retainedDays)));
  const stored = volumes.length * (l.u.stateVolumeUsedGb + l.u.stateDailyChangeGb * Math.max(0, days - 1));
  l.add(
    'ebs-snapshots',
    'Compute',
    'EBS snapshots (daily, Data Lifecycle Manager)',
    stored,
    'ebsSnapshotGbMonth',
    `${listRefs(policies)} keeping ${days} daily snapshots of ${listRefs(volumes)}: usage assumption stateVolumeUsedGb + ${days - 1} x stateDailyChangeGb`,
  );
}

/** Every EBS line: root volumes, own volumes, their snapshots, then the gp3 extras of both. */
export function priceVolumes(l: Ledger, instances: readonly PricedInstance[]) {
  const extra: Gp3Extra = { iops: 0, throughput: 0 };
  priceRootVolumes(l, rootVolumes(instances, extra));
  const volumes = l.of('AWS::EC2::Volume');
  priceOwnVolumes(l, volumes, extra);
  priceSnapshots(l, volumes);
  if (extra.iops > 0) l.add('ebs:gp3-iops', 'Compute', 'EBS gp3 IOPS above 3,000', extra.iops, 'ebsGp3IopsMonth', 'provisioned Iops of the gp3 volumes');
  if (extra.throughput > 0) l.add('ebs:gp3-throughput', 'Compute', 'EBS gp3 throughput above 125 MB/s', extra.throughput, 'ebsGp3ThroughputMonth', 'provisioned Throughput of the gp3 volumes');
}
