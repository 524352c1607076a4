/**
 * CloudWatch Logs: every log group classified by what writes into it (flow
 * logs, CloudTrail, a vended source, SSM sessions, Lambda, the host), its
 * ingestion by source, what the groups hold at the horizon, and the Firehose
 * ingestion of the groups subscribed to a delivery stream.
 */
import type { Ledger } from './ledger';
import { trailGb, vendedSourceOf } from './log-volumes';
import { num, obj, refName, str, TemplateIndex, type Res } from './template-index';
import { listRefs, plural } from './wording';

/** A log group, what writes into it and how much. */
export interface ClassifiedLogGroup {
  /** The AWS::Logs::LogGroup. */
  readonly res: Res;
  /** What writes into it, as the report names it. */
  readonly label: string;
  /** Raw GB ingested a month. */
  readonly gb: number;
  /** Delivered as vended logs (priced as such). */
  readonly vended: boolean;
}

/** The usage assumption behind each label, for the lines' basis. */
const ASSUMPTION_OF: Record<string, string> = {
  'VPC flow logs (vended)': 'flowLogsGb per flow log',
  'CloudTrail events': 'cloudTrailManagementEvents x cloudTrailKbPerEvent',
  'CloudFront access logs (vended)': 'edgeRequestsMillions x cloudFrontLogKbPerRequest',
  'SSM session logs': 'sessionLogsGb',
  'Lambda logs': 'lambdaLogsGb',
  'host and application logs': 'hostLogsGb',
};

/**
 * Every log group: what it holds, how much, at which price. The Lambda groups
 * share lambdaLogsGb, the rest (host and application) share hostLogsGb; a
 * vended source the estimate does not know is written as not priced.
 */
function classifyLogGroups(l: Ledger): ClassifiedLogGroup[] {
  const u = l.u;
  const groups = l.of('AWS::Logs::LogGroup');
  const flowLogs = l.of('AWS::EC2::FlowLog');
  const trails = l.of('AWS::CloudTrail::Trail');
  const destinations = l.ix.ofType('AWS::Logs::DeliveryDestination');
  const classified: ClassifiedLogGroup[] = [];
  const lambdaGroups: Res[] = [];
  const appGroups: Res[] = [];
  for (const g of groups) {
    const flows = flowLogs.filter((f) => l.ix.refersTo(f.props.LogGroupName, f.stack, g) || l.ix.refersTo(f.props.LogDestination, f.stack, g));
    const trail = trails.some((t) => l.ix.refersTo(t.props.CloudWatchLogsLogGroupArn, t.stack, g));
    const destination = destinations.find((d) => l.ix.refersTo(d.props.DestinationResourceArn, d.stack, g));
    const session = l.ix.ofType('AWS::SSM::Document').some((d) => l.ix.refersTo(obj(obj(d.props.Content).inputs).cloudWatchLogGroupName, d.stack, g));
    const lambda =
      str(g.props.LogGroupName)?.startsWith('/aws/lambda/') ||
      l.ix.ofType('AWS::Lambda::Function').some((f) => l.ix.refersTo(obj(f.props.LoggingConfig).LogGroup, f.stack, g));
    if (flows.length > 0) classified.push({ res: g, label: 'VPC flow logs (vended)', gb: u.flowLogsGb * flows.length, vended: true });
    else if (trail) classified.push({ res: g, label: 'CloudTrail events', gb: trailGb(u), vended: false });
    else if (destination) {
      const source = vendedSourceOf(l, destination);
      if (source) classified.push({ res: g, label: source.label, gb: source.gb, vended: true });
      else l.unpriced(`logs:${g.id}`, `Vended logs into ${refName(g)}`, 1, 'a vended-log source the estimate does not know');
    } else if (session) classified.push({ res: g, label: 'SSM session logs', gb: u.sessionLogsGb, vended: false });
    else if (lambda) lambdaGroups.push(g);
    else appGroups.push(g);
  }
  for (const g of lambdaGroups) classified.push({ res: g, label: 'Lambda logs', gb: u.lambdaLogsGb / lambdaGroups.length, vended: false });
  for (const g of appGroups) classified.push({ res: g, label: 'host and application logs', gb: u.hostLogsGb / appGroups.length, vended: false });
  return classified;
}

/** One ingestion line per source label. */
function priceIngestion(l: Ledger, classified: readonly ClassifiedLogGroup[]) {
  const byLabel = new Map<string, ClassifiedLogGroup[]>();
  for (const g of classified) byLabel.set(g.label, [...(byLabel.get(g.label) ?? []), g]);
  for (const [label, gs] of byLabel) {
    const gb = gs.reduce((s, g) => s + g.gb, 0);
    const names = gs.map((g) => str(g.res.props.LogGroupName) ?? refName(g.res));
    l.add(
      `logs-ingest:${label}`,
      'Logs and audit',
      `CloudWatch Logs ingestion: ${label}`,
      gb,
      gs[0]!.vended ? 'vendedLogsToLogsGb' : 'logsIngestGb',
      `${plural(gs.length, 'log group')} (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', ...' : ''}); usage assumption ${ASSUMPTION_OF[label] ?? '?'}`,
    );
  }
}

/** What the groups hold at the horizon within their retention, compressed. */
function priceStorage(l: Ledger, classified: readonly ClassifiedLogGroup[]) {
  if (classified.length === 0) return;
  const u = l.u;
  const stored = classified.reduce((s, g) => {
    const retentionMonths = (num(g.res.props.RetentionInDays) ?? Infinity) / (365 / 12);
    return s + g.gb * u.compressedLogRatio * Math.min(u.horizonMonths, retentionMonths);
  }, 0);
  l.add(
    'logs-storage',
    'Logs and audit',
    'CloudWatch Logs storage',
    stored,
    'logsStorageGbMonth',
    `what the log groups hold at month ${u.horizonMonths} within their retention, compressed (usage assumptions horizonMonths, compressedLogRatio)`,
  );
}

/** Firehose delivery streams, and the raw GB a month of the log groups subscribed to one. */
export interface FirehoseInflow {
  /** The AWS::KinesisFirehose::DeliveryStream resources. */
  readonly streams: readonly Res[];
  /** Raw GB a month the subscribed log groups send. */
  readonly gb: number;
}

/** Firehose: the log groups subscribed to a delivery stream. */
function priceFirehose(l: Ledger, classified: readonly ClassifiedLogGroup[]): FirehoseInflow {
  const streams = l.of('AWS::KinesisFirehose::DeliveryStream');
  let gb = 0;
  const subscribed: string[] = [];
  for (const f of l.ix.ofType('AWS::Logs::SubscriptionFilter')) {
    const toFirehose =
      l.ix.resolve(f.props.DestinationArn, f.stack)?.type === 'AWS::KinesisFirehose::DeliveryStream' ||
      TemplateIndex.literals(f.props.DestinationArn).some((lit) => lit.includes(':firehose:'));
    const g = classified.find((c) => l.ix.refersTo(f.props.LogGroupName, f.stack, c.res));
    if (toFirehose && g) {
      gb += g.gb;
      subscribed.push(str(g.res.props.LogGroupName) ?? refName(g.res));
    }
  }
  if (streams.length > 0) {
    l.add('firehose', 'Logs and audit', 'Firehose ingestion', gb, 'firehoseGb', `${plural(subscribed.length, 'log group')} subscribed to ${listRefs(streams)}`);
  }
  return { streams, gb };
}

/** Every CloudWatch Logs and Firehose line; returns what Firehose delivers on (to S3). */
export function priceLogGroups(l: Ledger): FirehoseInflow {
  const classified = classifyLogGroups(l);
  priceIngestion(l, classified);
  priceStorage(l, classified);
  return priceFirehose(l, classified);
}
