/**
 * Monitoring: CloudWatch alarms (standard, high resolution, composite), the
 * custom metrics they and the log metric filters watch (those that report all
 * month; the event-only ones are named but not counted), and PutMetricData.
 */
import { CONTROLS_DRIFTED_METRIC } from '../alarms/controls-drift-metrics';
import {
  AGENT_FILES_INTEGRITY_METRIC,
  BOOT_PREFLIGHT_FAILED_METRIC,
  CHANNELS_DOWN_METRIC,
  DISK_HEADROOM_METRIC,
  KILL_SWITCH_METRIC,
  MEMORY_HEADROOM_METRIC,
  SECRET_RETRIEVAL_METRIC,
} from '../shared/metric-names';
import { deploymentName, hostMetricNamespace } from '../shared/naming';
import type { Ledger } from './ledger';
import { FREE_TIERS, PRICES } from './price-table';
import { arr, isObj, num, obj, str } from './template-index';
import { fmtQty, listRefs, plural } from './wording';

/**
 * Metrics the host or the kill switch publish only when something fails or happens (not every period):
 * the boot and retrieval failures, the health check's disk, memory and channel problems, a failed
 * agent-file integrity check, the kill switch; and the daily drift check's, published once a day
 * (billed for the hour it reports, not the month).
 */
const EVENT_ONLY_HOST_METRICS = [
  BOOT_PREFLIGHT_FAILED_METRIC,
  SECRET_RETRIEVAL_METRIC,
  DISK_HEADROOM_METRIC,
  MEMORY_HEADROOM_METRIC,
  CHANNELS_DOWN_METRIC,
  AGENT_FILES_INTEGRITY_METRIC,
  KILL_SWITCH_METRIC,
  CONTROLS_DRIFTED_METRIC,
];

/** Custom metric series (not AWS/*), `namespace|name|dimensions` to how the report names them (`name{...}` with dimensions). */
type MetricSeries = Map<string, string>;

function addMetric(metrics: MetricSeries, namespace: unknown, name: unknown, dims: unknown) {
  const ns = str(namespace);
  const n = str(name);
  if (!ns || !n || ns.startsWith('AWS/')) return;
  const d = JSON.stringify(dims ?? null);
  metrics.set(`${ns}|${n}|${d}`, `${n}${dims && (Array.isArray(dims) ? dims.length > 0 : Object.keys(obj(dims)).length > 0) ? '{...}' : ''}`);
}

/** The alarms, by resolution, and the series they watch (into `metrics`). */
function priceAlarms(l: Ledger, metrics: MetricSeries) {
  let standard = 0;
  let highRes = 0;
  const alarms = l.of('AWS::CloudWatch::Alarm');
  for (const a of alarms) {
    const stats = arr(a.props.Metrics).map(obj).filter((m) => isObj(m.MetricStat));
    const n = Math.max(1, stats.length);
    const period = num(a.props.Period) ?? Math.min(...stats.map((s) => num(obj(s.MetricStat).Period) ?? 60), 60);
    if (period < 60) highRes += n;
    else standard += n;
    addMetric(metrics, a.props.Namespace, a.props.MetricName, a.props.Dimensions);
    for (const s of stats) {
      const m = obj(obj(s.MetricStat).Metric);
      addMetric(metrics, m.Namespace, m.MetricName, m.Dimensions);
    }
  }
  if (standard > 0) l.add('alarm', 'Monitoring', 'CloudWatch alarms (standard)', standard, 'alarmStandardMonth', `${plural(alarms.length, 'AWS::CloudWatch::Alarm')}; the account's 10 free alarms are not applied`);
  if (highRes > 0) l.add('alarm-high-res', 'Monitoring', 'CloudWatch alarms (high resolution)', highRes, 'alarmHighResMonth', 'alarms with a period under 60 s');
  const composite = l.of('AWS::CloudWatch::CompositeAlarm');
  if (composite.length > 0) l.add('alarm-composite', 'Monitoring', 'CloudWatch composite alarms', composite.length, 'alarmCompositeMonth', listRefs(composite));
}

/**
 * The series the log metric filters publish (into `metrics`), and the names of
 * those that report only on an event: the host's failure metrics, and a metric
 * filter's without a default value (it publishes only when an event matches).
 */
function metricFilterSeries(l: Ledger, metrics: MetricSeries): Set<string> {
  const eventOnly = new Set<string>(EVENT_ONLY_HOST_METRICS);
  for (const f of l.ix.ofType('AWS::Logs::MetricFilter')) {
    for (const t of arr(f.props.MetricTransformations).map(obj)) {
      addMetric(metrics, t.MetricNamespace, t.MetricName, t.Dimensions);
      if (t.DefaultValue === undefined && str(t.MetricName)) eventOnly.add(str(t.MetricName)!);
    }
  }
  return eventOnly;
}

function priceCustomMetrics(l: Ledger, metrics: MetricSeries, eventOnly: ReadonlySet<string>) {
  if (metrics.size === 0) return;
  const hostNs = hostMetricNamespace(deploymentName(l.config));
  const continuous = [...metrics.values()].filter((n) => !eventOnly.has(n.replace(/\{\.\.\.\}$/, '')));
  const skipped = [...metrics.values()].filter((n) => eventOnly.has(n.replace(/\{\.\.\.\}$/, '')));
  // The spend meter also publishes one series per model in use (dimension Model).
  const models = [...new Set(Object.values(l.config.openclaw.agents).map((a) => `${a.provider}/${a.model}`))];
  const namespaces = [...new Set([...metrics.keys()].map((k) => k.split('|')[0]))].join(', ');
  l.add(
    'custom-metric',
    'Monitoring',
    'CloudWatch custom metrics',
    continuous.length + models.length,
    'customMetricMonth',
    `series that report all month, namespace ${namespaces}${namespaces === hostNs ? ' (the host\'s)' : ''}: ${continuous.join(', ')}, ModelSpend{Model} x ${models.length}; ` +
      `not counted, as they report only when something fails or changes (billed by the hour they report): ${skipped.join(', ') || 'none'}`,
  );
  const q = l.u.putMetricDataRequests;
  const free = FREE_TIERS.putMetricData.quantity;
  l.add('put-metric-data', 'Monitoring', 'CloudWatch PutMetricData requests', q / 1000, 'putMetricData1k', `usage assumption putMetricDataRequests; the first ${fmtQty(free)} API requests a month are free`, {
    monthlyUsd: (Math.max(0, q - free) / 1000) * PRICES.putMetricData1k.usd,
  });
}

/** Every monitoring line but EC2 detailed monitoring (lib/cost/compute.ts). */
export function priceMonitoring(l: Ledger) {
  const metrics: MetricSeries = new Map();
  priceAlarms(l, metrics);
  const eventOnly = metricFilterSeries(l, metrics);
  priceCustomMetrics(l, metrics, eventOnly);
}
