/**
 * How many GB a month each log source writes, from the usage assumptions:
 * CloudTrail's events, the edge's per-request logs, and the source behind a
 * vended-log delivery destination (CloudFront, ...).
 */
import type { Ledger } from './ledger';
import type { Res } from './template-index';
import type { Usage } from './usage-assumptions';

/** A log source as the report names it, and the raw GB it writes a month. */
export interface LogSource {
  /** How the report names the source, e.g. `CloudFront access logs (vended)`. */
  readonly label: string;
  /** Raw (uncompressed) GB a month. */
  readonly gb: number;
}

/** CloudTrail's management events, raw GB a month. */
export const trailGb = (u: Usage) => (u.cloudTrailManagementEvents * u.cloudTrailKbPerEvent) / 1_000_000;

/** A per-request edge log (WAF, CloudFront) of `kbPerRequest`, raw GB a month. */
export const edgeLogGb = (u: Usage, kbPerRequest: number) => (u.edgeRequestsMillions * 1_000_000 * kbPerRequest) / 1_000_000;

/** The source behind a vended-log destination (CloudFront, ...), by its delivery source; undefined when not known. */
export function vendedSourceOf(l: Ledger, destination: Res): LogSource | undefined {
  const delivery = l.ix.ofType('AWS::Logs::Delivery').find((d) => l.ix.refersTo(d.props.DeliveryDestinationArn, d.stack, destination));
  const source = delivery && l.ix.ofType('AWS::Logs::DeliverySource').find((s) => s.stack === delivery.stack && s.props.Name === delivery.props.DeliverySourceName);
  const arn = JSON.stringify(source?.props.ResourceArn ?? '');
  if (arn.includes(':cloudfront:')) return { label: 'CloudFront access logs (vended)', gb: edgeLogGb(l.u, l.u.cloudFrontLogKbPerRequest) };
  return undefined;
}
