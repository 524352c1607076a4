import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARMS } from './alarm-catalogue';
import { RunbookAlarm } from './runbook-alarm';

/** Metrics the host publishes to its namespace (host/scripts, host/fetch-secrets). */
export const HOST_METRICS = {
  bootPreflightFailed: 'BootPreflightFailed',
  secretRetrievalFailed: 'SecretRetrievalFailed',
  gatewayHealthy: 'GatewayHealthy',
  /** 1 when an HTTPS request through the NAT got an answer; never published otherwise. */
  egressHealthy: 'EgressHealthy',
  agentFilesIntegrity: 'AgentFilesIntegrity',
  /** From the nginx access log (a metric filter of this construct). */
  proxyAuthFailures: 'ProxyAuthFailures',
} as const;

/** Minutes of failed or missing health checks before gateway-unhealthy fires. */
export const GATEWAY_UNHEALTHY_MINUTES = 10;
/** Minutes without a successful egress check before egress-unhealthy fires (a first boot stays under it). */
export const EGRESS_UNHEALTHY_MINUTES = 10;

/** nginx's JSON access log writes the status as a string. */
export const PROXY_AUTH_FAILURE_PATTERN = '{ ($.status = "401") || ($.status = "403") }';

export interface GatewayAlarmsProps {
  /** `<prefix>-<client>-<env>`. */
  readonly deploymentName: string;
  /** OpenClaw/<name>: where the host publishes. */
  readonly namespace: string;
  /** The regional alert topic: every alarm notifies it on ALARM and OK. */
  readonly topic: sns.ITopic;
  /** The log group the host ships nginx's JSON access log to. */
  readonly nginxAccessLogs: logs.ILogGroup;
  /** Refusals (401/403) in 5 minutes that raise proxy-auth-failures (config alerts.thresholds). */
  readonly proxyAuthFailures: number;
}

/**
 * The gateway host's alarms, each from the catalogue with its runbook and the
 * alert topic as its action: boot preflight and secret retrieval failures,
 * gateway or nginx not answering (or the host silent), no egress through the
 * NAT (or the host silent), agent-file integrity,
 * and unusual authentication refusals at the proxy.
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
    add('BootPreflightFailed', ALARMS.bootPreflightFailed, { ...atLeastOnce, metric: metric(HOST_METRICS.bootPreflightFailed, 'Sum', 5) });
    add('SecretRetrievalFailed', ALARMS.secretRetrievalFailed, { ...atLeastOnce, metric: metric(HOST_METRICS.secretRetrievalFailed, 'Sum', 5) });
    // Published every minute (1 = both answer); silence means the host is down or cannot
    // publish. Ten minutes: a new host's first boot (install, then the first check) stays
    // under it, so a deploy does not page anyone.
    add('GatewayUnhealthy', ALARMS.gatewayUnhealthy, {
      metric: metric(HOST_METRICS.gatewayHealthy, 'Minimum', 1),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: GATEWAY_UNHEALTHY_MINUTES,
      datapointsToAlarm: GATEWAY_UNHEALTHY_MINUTES,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Published (always 1) only when the host's HTTPS request through the NAT got an answer:
    // a host without egress cannot publish at all, so missing data is the failure signal.
    add('EgressUnhealthy', ALARMS.egressUnhealthy, {
      metric: metric(HOST_METRICS.egressHealthy, 'Minimum', 1),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: EGRESS_UNHEALTHY_MINUTES,
      datapointsToAlarm: EGRESS_UNHEALTHY_MINUTES,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    // Published at boot and every 15 minutes (1 = intact); one bad check is enough.
    add('AgentFilesIntegrity', ALARMS.agentFilesIntegrity, {
      metric: metric(HOST_METRICS.agentFilesIntegrity, 'Minimum', 15),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new logs.MetricFilter(this, 'ProxyAuthFailuresFilter', {
      logGroup: props.nginxAccessLogs,
      filterPattern: logs.FilterPattern.literal(PROXY_AUTH_FAILURE_PATTERN),
      metricNamespace: props.namespace,
      metricName: HOST_METRICS.proxyAuthFailures,
      metricValue: '1',
      defaultValue: 0,
    });
    add('ProxyAuthFailures', ALARMS.proxyAuthFailures, {
      metric: metric(HOST_METRICS.proxyAuthFailures, 'Sum', 5),
      threshold: props.proxyAuthFailures,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
