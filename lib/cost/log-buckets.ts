/**
 * S3 as the logs' and audit trail's store: what each bucket receives a month
 * (flow logs, WAF logs, vended logs, CloudTrail, Firehose, server access logs),
 * the vended deliveries to S3, storage by class at the horizon after the
 * buckets' lifecycle rules, and PUT requests.
 */
import type { Ledger } from './ledger';
import type { FirehoseInflow } from './log-groups';
import { edgeLogGb, trailGb, vendedSourceOf } from './log-volumes';
import { arr, num, obj, refName, str, type Res } from './template-index';
import type { Usage } from './usage-assumptions';
import { fmtQty } from './wording';

/** Per bucket: GB stored a month (after compression), and the sources' labels. */
type Inflow = Map<Res, { stored: number; sources: string[] }>;

/** What reaches the buckets, and the raw GB a month of each vended source delivered to S3. */
interface Deliveries {
  readonly inflow: Inflow;
  readonly vendedS3: Map<string, number>;
}

/** S3: what each bucket receives a month (raw GB, stored GB). */
function bucketDeliveries(l: Ledger, firehose: FirehoseInflow): Deliveries {
  const u = l.u;
  const inflow: Inflow = new Map();
  const vendedS3 = new Map<string, number>();
  const deliver = (bucket: Res | undefined, label: string, rawGb: number, storedRatio: number, vended: boolean) => {
    if (!bucket || bucket.type !== 'AWS::S3::Bucket') return;
    const entry = inflow.get(bucket) ?? { stored: 0, sources: [] };
    entry.stored += rawGb * storedRatio;
    entry.sources.push(label);
    inflow.set(bucket, entry);
    if (vended) vendedS3.set(label, (vendedS3.get(label) ?? 0) + rawGb);
  };
  for (const f of l.of('AWS::EC2::FlowLog').filter((fl) => fl.props.LogDestinationType === 's3')) {
    deliver(l.ix.resolve(f.props.LogDestination, f.stack), 'VPC flow logs', u.flowLogsGb, u.compressedLogRatio, true);
  }
  for (const c of l.of('AWS::WAFv2::LoggingConfiguration')) {
    for (const d of arr(c.props.LogDestinationConfigs)) deliver(l.ix.resolve(d, c.stack), 'WAF logs', edgeLogGb(u, u.wafLogKbPerRequest), u.compressedLogRatio, true);
  }
  for (const d of l.ix.ofType('AWS::Logs::DeliveryDestination')) {
    const bucket = l.ix.resolve(d.props.DestinationResourceArn, d.stack);
    const source = vendedSourceOf(l, d);
    if (bucket?.type === 'AWS::S3::Bucket' && source) deliver(bucket, source.label.replace(' (vended)', ''), source.gb, u.compressedLogRatio, true);
  }
  for (const t of l.of('AWS::CloudTrail::Trail')) deliver(l.ix.resolve(t.props.S3BucketName, t.stack), 'CloudTrail', trailGb(u), u.compressedLogRatio, false);
  for (const s of firehose.streams) {
    const dest = obj(s.props.ExtendedS3DestinationConfiguration ?? s.props.S3DestinationConfiguration);
    const compressed = str(dest.CompressionFormat) !== undefined && dest.CompressionFormat !== 'UNCOMPRESSED';
    deliver(l.ix.resolve(dest.BucketARN, s.stack), 'Firehose', firehose.gb, compressed ? u.compressedLogRatio : 1, false);
  }
  for (const b of l.of('AWS::S3::Bucket')) {
    const target = l.ix.resolve(obj(b.props.LoggingConfiguration).DestinationBucketName, b.stack);
    deliver(target, 'S3 server access logs', u.s3AccessLogsGb, 1, false);
  }
  return { inflow, vendedS3 };
}

/** Storage by class at the horizon: data arrives evenly; lifecycle transitions and expiration from the bucket's rules. */
function storedByClass(u: Usage, inflow: Inflow) {
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
  return classGb;
}

function priceStorage(l: Ledger, inflow: Inflow) {
  if (inflow.size === 0) return;
  const u = l.u;
  const classGb = storedByClass(u, inflow);
  const what = [...inflow.entries()].map(([b, e]) => `${refName(b)} <- ${e.sources.join(', ')}`).join('; ');
  l.add(
    's3-standard',
    'Logs and audit',
    'S3 Standard storage',
    classGb.standard,
    's3StandardGbMonth',
    `held at month ${u.horizonMonths} (${what}); usage assumptions compressedLogRatio, s3TransitionedShare`,
  );
  if (classGb.ia > 0) l.add('s3-standard-ia', 'Logs and audit', 'S3 Standard-IA storage', classGb.ia, 's3StandardIaGbMonth', 'lifecycle transitions of the buckets');
  if (classGb.glacierIr > 0) l.add('s3-glacier-ir', 'Logs and audit', 'S3 Glacier Instant Retrieval storage', classGb.glacierIr, 's3GlacierIrGbMonth', 'lifecycle transitions of the buckets');
  l.add('s3-requests', 'Logs and audit', 'S3 PUT requests', u.s3PutRequests / 1000, 's3Put1k', `usage assumption s3PutRequests (${fmtQty(u.s3PutRequests)})`);
}

/** Every S3 line of the logs: vended deliveries to S3, storage by class, PUT requests. */
export function priceLogBuckets(l: Ledger, firehose: FirehoseInflow) {
  const { inflow, vendedS3 } = bucketDeliveries(l, firehose);
  for (const [label, gb] of vendedS3) {
    l.add(`vended-s3:${label}`, 'Logs and audit', `Vended log delivery to S3: ${label}`, gb, 'vendedLogsToS3Gb', 'same usage assumption as its log group / requests');
  }
  priceStorage(l, inflow);
}
