import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARMS, CHANNEL_DOWN_WINDOWS, EGRESS_BLOCKED_BURST, EGRESS_BLOCKED_MINUTES, PROBLEM_MINUTES_OF_WINDOW, PROBLEM_WINDOW_MINUTES } from './alarm-catalogue';
import { RunbookAlarm } from './runbook-alarm';
import {
  AGENT_FILES_INTEGRITY_METRIC,
  BOOT_PREFLIGHT_FAILED_METRIC,
  CHANNELS_DOWN_METRIC,
  DISK_HEADROOM_METRIC,
  MEMORY_HEADROOM_METRIC,
  EGRESS_BLOCKED_METRIC,
  EGRESS_HEALTH_METRIC,
  GATEWAY_HEALTH_METRIC,
  PROXY_AUTH_FAILURES_METRIC,
  SECRET_RETRIEVAL_METRIC,
} from '../shared/metric-names';

/** Minutes of failed or missing health checks before gateway-unhealthy fires. */
export const GATEWAY_UNHEALTHY_MINUTES = 10;
/** Minutes without a successful egress check before egress-unhealthy fires (a first boot stays under it). */
export const EGRESS_UNHEALTHY_MINUTES = 10;

/**
 * A refusal of the egress proxy in squid's native access log format
 * (`time elapsed client TCP_DENIED/403 bytes method url - HIER_NONE/- type`): a quoted
 * term matches an event that contains the exact text, case-sensitive (CloudWatch Logs,
 * "Filter pattern syntax for metric filters, subscription filters, filter log events,
 * and Live Tail", matching terms in unstructured log events:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
 * The slash keeps it to the result-code field: an allowed line is TCP_TUNNEL/200 with a
 * `host:443` URL, which cannot hold a slash.
 */
export const EGRESS_PROXY_DENIED_PATTERN = '"TCP_DENIED/"';

/** nginx's JSON access log writes the status as a string. */
export const PROXY_AUTH_FAILURE_PATTERN = '{ ($.status = "401") || ($.status = "403") }';

export interface GatewayAlarmsProps {
  /** `<prefix>-<client>-<env>`. */
  readonly deploymentName: string;
  /** OpenClaw/<name>: where the host publishes. */
  readonly namespace: string;
  /** The alert topic of the gateway's region: every alarm notifies it on ALARM and OK. */
  readonly topic: sns.ITopic;
  /** The log group the host ships nginx's JSON access log to. */
  readonly nginxAccessLogs: logs.ILogGroup;
  /** Refusals (401/403) in 5 minutes that raise proxy-auth-failures (config alerts.thresholds). */
  readonly proxyAuthFailures: number;
  /** The log group the host ships the egress proxy's access log to (squid's native format). */
  readonly egressProxyLogs: logs.ILogGroup;
}

/**
 * The gateway host's alarms, each from the catalogue with its runbook and the
 * alert topic as its action: boot preflight and secret retrieval failures,
 * gateway or nginx not answering (or the host silent), no egress through the
 * NAT (or the host silent), agent-file integrity, unusual authentication
 * refusals at the proxy, and a burst of refused outbound attempts.
 */
export class GatewayAlarms extends Construct {
  readonly alarms: RunbookAlarm[] = [];

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    const metric = (metricName: string, statistic: string, minutes: number) =>
      new cloudwatch.Metric({ namespace: props.namespace, metricName, statistic, period: Duration.minutes(minutes) });
    const add = (alarmId: string, alarm: (typeof ALARMS)[keyof typeof ALARMS], p: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'actionsEnabled'>) =>
      this.alarms.push(new RunbookAlarm(this, alarmId, { ...p, alarm, deploymentName: props.deploymentName, topic: props.topic }));
    const atLeastOnce = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    add('BootPreflightFailed', ALARMS.bootPreflightFailed, { ...atLeastOnce, metric: metric(BOOT_PREFLIGHT_FAILED_METRIC, 'Sum', 5) });
    add('SecretRetrievalFailed', ALARMS.secretRetrievalFailed, { ...atLeastOnce, metric: metric(SECRET_RETRIEVAL_METRIC, 'Sum', 5) });
    // Published every minute (1 = both answer); silence means the host is down or cannot
    // publish. Ten minutes: a new host's first boot (install, then the first check) stays
    // under it, so a deploy does not page anyone.
    add('GatewayUnhealthy', ALARMS.gatewayUnhealthy, {
      metric: metric(GATEWAY_HEALTH_METRIC, 'Minimum', 1),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: GATEWAY_UNHEALTHY_MINUTES,
      datapointsToAlarm: GATEWAY_UNHEALTHY_MINUTES,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Published (always 1) only when the host's HTTPS request through the NAT got an answer:
    // a host without egress cannot publish at all, so missing data is the failure signal.
    add('EgressUnhealthy', ALARMS.egressUnhealthy, {
      metric: metric(EGRESS_HEALTH_METRIC, 'Minimum', 1),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: EGRESS_UNHEALTHY_MINUTES,
      datapointsToAlarm: EGRESS_UNHEALTHY_MINUTES,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Published by the health check only in the minutes with the problem (see PROBLEM_WINDOW_MINUTES):
    // the minutes reported in a window count, so a minute without a datapoint cannot make it flap;
    // a silent host is gateway-unhealthy's.
    const problem = (metricName: string, windows: number) => ({
      metric: metric(metricName, 'SampleCount', PROBLEM_WINDOW_MINUTES),
      threshold: PROBLEM_MINUTES_OF_WINDOW,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: windows,
      datapointsToAlarm: windows,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('ChannelDown', ALARMS.channelDown, problem(CHANNELS_DOWN_METRIC, CHANNEL_DOWN_WINDOWS));
    add('DiskLow', ALARMS.diskLow, problem(DISK_HEADROOM_METRIC, 1));
    add('MemoryLow', ALARMS.memoryLow, problem(MEMORY_HEADROOM_METRIC, 1));
    // Published (0) only when the check, at boot and every 15 minutes, finds a problem; one is enough.
    add('AgentFilesIntegrity', ALARMS.agentFilesIntegrity, {
      metric: metric(AGENT_FILES_INTEGRITY_METRIC, 'Minimum', 15),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new logs.MetricFilter(this, 'ProxyAuthFailuresFilter', {
      logGroup: props.nginxAccessLogs,
      filterPattern: logs.FilterPattern.literal(PROXY_AUTH_FAILURE_PATTERN),
      metricNamespace: props.namespace,
      metricName: PROXY_AUTH_FAILURES_METRIC,
      // nginx logs one in REFUSAL_LOG_SAMPLE of its own refusals with that weight (lib/host/nginx-config.ts),
      // a gateway's answer always with weight 1: the sum estimates every refusal.
      metricValue: '$.weight',
      // No default value: the metric reports only in the minutes with a refusal (a quiet
      // month costs nothing); the alarm treats the missing minutes as not breaching.
    });
    add('ProxyAuthFailures', ALARMS.proxyAuthFailures, {
      metric: metric(PROXY_AUTH_FAILURES_METRIC, 'Sum', 5),
      threshold: props.proxyAuthFailures,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // One series, two publishers: this filter (1 per proxy refusal) and the health check
    // (the rise of the nftables counter egress_blocked: connections that skipped the proxy).
    // Neither publishes a 0, so missing data is the quiet case.
    new logs.MetricFilter(this, 'EgressProxyDeniedFilter', {
      logGroup: props.egressProxyLogs,
      filterPattern: logs.FilterPattern.literal(EGRESS_PROXY_DENIED_PATTERN),
      metricNamespace: props.namespace,
      metricName: EGRESS_BLOCKED_METRIC,
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    add('EgressBlocked', ALARMS.egressBlocked, {
      metric: metric(EGRESS_BLOCKED_METRIC, 'Sum', EGRESS_BLOCKED_MINUTES),
      threshold: EGRESS_BLOCKED_BURST,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
