import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ALARMS, alarmDescription, type AlarmSpec } from '../../lib/alarms/alarm-catalogue';
import { GatewayAlarms } from '../../lib/alarms/gateway-alarms';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The gateway host's alarms on a bare stack (not the whole app): each alarm pinned exactly
// (metric, statistic, period, threshold, comparison, evaluation, missing data, name, description
// and the alert topic on ALARM and OK), the metric filter that counts nginx's 401/403, and the
// one that counts the egress proxy's refusals.
// The metric names and the pattern are written out here, not imported: the host publishes
// them under these names, so a changed constant must fail this file.

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:openclaw-test-prod-alerts';
const NAMESPACE = 'OpenClaw/openclaw-test-prod';
const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
const gatewayAlarms = new GatewayAlarms(stack, 'Alarms', {
  deploymentName: 'openclaw-test-prod',
  namespace: NAMESPACE,
  topic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
  nginxAccessLogs: logs.LogGroup.fromLogGroupName(stack, 'NginxAccess', '/openclaw/openclaw-test-prod/nginx-access'),
  proxyAuthFailures: 25,
  egressProxyLogs: logs.LogGroup.fromLogGroupName(stack, 'EgressProxy', '/openclaw/openclaw-test-prod/egress-proxy'),
});
const template = Template.fromStack(stack);
type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = template.toJSON().Resources as Record<string, Resource>;
const alarmNamed = (name: string) => {
  const found = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.AlarmName === name);
  expect(found).toHaveLength(1);
  return found[0]!.Properties;
};
/** What every alarm of the construct has: its name and description from the catalogue, the alert topic on ALARM and OK. */
const wired = (spec: AlarmSpec) => ({
  AlarmName: `openclaw-test-prod-${spec.id}`,
  AlarmDescription: alarmDescription(spec),
  ActionsEnabled: true,
  AlarmActions: [TOPIC_ARN],
  OKActions: [TOPIC_ARN],
  Namespace: NAMESPACE,
});

test('ten alarms and two metric filters, nothing else; the construct lists its ten alarms', () => {
  expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
    ['AlarmsBootPreflightFailed8B6FD207', 'AWS::CloudWatch::Alarm'],
    ['AlarmsSecretRetrievalFailed817958DE', 'AWS::CloudWatch::Alarm'],
    ['AlarmsGatewayUnhealthy574488BD', 'AWS::CloudWatch::Alarm'],
    ['AlarmsEgressUnhealthyFC23BC49', 'AWS::CloudWatch::Alarm'],
    ['AlarmsChannelDown5C9C03D5', 'AWS::CloudWatch::Alarm'],
    ['AlarmsDiskLow1846E80C', 'AWS::CloudWatch::Alarm'],
    ['AlarmsMemoryLow2305194A', 'AWS::CloudWatch::Alarm'],
    ['AlarmsAgentFilesIntegrity83755579', 'AWS::CloudWatch::Alarm'],
    ['AlarmsProxyAuthFailuresFilter03DD6524', 'AWS::Logs::MetricFilter'],
    ['AlarmsProxyAuthFailures1F1C703E', 'AWS::CloudWatch::Alarm'],
    ['AlarmsEgressProxyDeniedFilterACA2988D', 'AWS::Logs::MetricFilter'],
    ['AlarmsEgressBlockedB5FE043B', 'AWS::CloudWatch::Alarm'],
  ]);
  expect(gatewayAlarms.alarms.map((a) => stack.getLogicalId(a.node.defaultChild as CfnResource))).toEqual([
    'AlarmsBootPreflightFailed8B6FD207',
    'AlarmsSecretRetrievalFailed817958DE',
    'AlarmsGatewayUnhealthy574488BD',
    'AlarmsEgressUnhealthyFC23BC49',
    'AlarmsChannelDown5C9C03D5',
    'AlarmsDiskLow1846E80C',
    'AlarmsMemoryLow2305194A',
    'AlarmsAgentFilesIntegrity83755579',
    'AlarmsProxyAuthFailures1F1C703E',
    'AlarmsEgressBlockedB5FE043B',
  ]);
});

test('boot-preflight-failed: any BootPreflightFailed in 5 minutes (Sum >= 1); no data is no failure', () => {
  expect(alarmNamed('openclaw-test-prod-boot-preflight-failed')).toEqual({
    ...wired(ALARMS.bootPreflightFailed),
    MetricName: 'BootPreflightFailed',
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
});

// Published only in the minutes with a problem: the alarms count the minutes reported in 5 (SampleCount), so a
// clock minute without a datapoint (the check runs about once a minute, not on the minute) cannot make them flap.
test.each([
  ['channel-down', 'channelDown', 'ChannelsDown', 2],
  ['disk-low', 'diskLow', 'DiskHeadroom', 1],
  ['memory-low', 'memoryLow', 'MemoryHeadroom', 1],
] as const)('%s: %s reported in at least 3 of 5 minutes, in %s window(s) in a row; silence is fine (a silent host is gateway-unhealthy\'s)', (id, key, metricName, windows) => {
  expect(alarmNamed(`openclaw-test-prod-${id}`)).toEqual({
    ...wired(ALARMS[key]),
    MetricName: metricName,
    Statistic: 'SampleCount',
    Period: 300,
    Threshold: 3,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: windows,
    DatapointsToAlarm: windows,
    TreatMissingData: 'notBreaching',
  });
});

test('secret-retrieval-failed: any SecretRetrievalFailed in 5 minutes (Sum >= 1); no data is no failure', () => {
  expect(alarmNamed('openclaw-test-prod-secret-retrieval-failed')).toEqual({
    ...wired(ALARMS.secretRetrievalFailed),
    MetricName: 'SecretRetrievalFailed',
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
});

test('gateway-unhealthy: GatewayHealthy below 1 or missing in each of 10 one-minute periods (a silent host alarms)', () => {
  expect(alarmNamed('openclaw-test-prod-gateway-unhealthy')).toEqual({
    ...wired(ALARMS.gatewayUnhealthy),
    MetricName: 'GatewayHealthy',
    Statistic: 'Minimum',
    Period: 60,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    EvaluationPeriods: 10,
    DatapointsToAlarm: 10,
    TreatMissingData: 'breaching',
  });
});

test('egress-unhealthy: EgressHealthy (published only on success) missing in each of 10 one-minute periods alarms', () => {
  expect(alarmNamed('openclaw-test-prod-egress-unhealthy')).toEqual({
    ...wired(ALARMS.egressUnhealthy),
    MetricName: 'EgressHealthy',
    Statistic: 'Minimum',
    Period: 60,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    EvaluationPeriods: 10,
    DatapointsToAlarm: 10,
    TreatMissingData: 'breaching',
  });
});

test('agent-files-integrity: one AgentFilesIntegrity below 1 in a 15-minute period alarms', () => {
  expect(alarmNamed('openclaw-test-prod-agent-files-integrity')).toEqual({
    ...wired(ALARMS.agentFilesIntegrity),
    MetricName: 'AgentFilesIntegrity',
    Statistic: 'Minimum',
    Period: 900,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
});

const filters = () => Object.values(resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter').map((r) => r.Properties);

test('proxy-auth-failures: the metric filter sums the weight of each 401 or 403 line (status is a string in the JSON log; nginx logs one in 10 of its own refusals, weight 10) of the nginx access log, nothing otherwise', () => {
  // No DefaultValue: the metric reports only in minutes with a refusal (not all month); the alarm
  // treats the other minutes as not breaching, so it fires on the same refusals as before.
  expect(filters()[0]).toEqual({
    LogGroupName: '/openclaw/openclaw-test-prod/nginx-access',
    FilterPattern: '{ ($.status = "401") || ($.status = "403") }',
    MetricTransformations: [{ MetricNamespace: NAMESPACE, MetricName: 'ProxyAuthFailures', MetricValue: '$.weight' }],
  });
});

test('egress-blocked: the metric filter counts each TCP_DENIED line of the egress proxy log group, nothing otherwise', () => {
  expect(filters()).toHaveLength(2);
  expect(filters()[1]).toEqual({
    LogGroupName: '/openclaw/openclaw-test-prod/egress-proxy',
    FilterPattern: '"TCP_DENIED/"',
    MetricTransformations: [{ MetricNamespace: NAMESPACE, MetricName: 'EgressBlocked', MetricValue: '1', Unit: 'Count' }],
  });
});

test('egress-blocked: 10 refused attempts in 5 minutes (Sum >= 10 of EgressBlocked, proxy refusals and skipped-proxy packets together) alarms; silence is the quiet case', () => {
  expect(alarmNamed('openclaw-test-prod-egress-blocked')).toEqual({
    ...wired(ALARMS.egressBlocked),
    MetricName: 'EgressBlocked',
    Statistic: 'Sum',
    Period: 300,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
  expect(ALARMS.egressBlocked.runbook).toBe('egress-blocked');
});

test('proxy-auth-failures: the configured number of refusals in 5 minutes (Sum >= alerts.thresholds.proxyAuthFailures) alarms', () => {
  expect(alarmNamed('openclaw-test-prod-proxy-auth-failures')).toEqual({
    ...wired(ALARMS.proxyAuthFailures),
    MetricName: 'ProxyAuthFailures',
    Statistic: 'Sum',
    Period: 300,
    Threshold: 25,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
});

test('acknowledges no finding', () => {
  expect(collectAcknowledgements(stack)).toEqual([]);
});
