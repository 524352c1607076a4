import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ALARMS, alarmDescription } from '../../lib/alarms/alarm-catalogue';
import { KMS_KEY_EVENTS, KMS_KEY_PATTERN, SECRET_POLICY_EVENTS, SECRET_POLICY_PATTERN, TrailAlarms } from '../../lib/audit/trail-alarms';

// The CloudTrail metric filters and their alarms on a bare stack (imported log group and
// topic): each filter's pattern, metric and value, and each alarm's name, metric, threshold,
// comparison, periods, missing-data handling and actions, pinned exactly.

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const NAME = 'openclaw-test-prod';
const NAMESPACE = 'OpenClaw/openclaw-test-prod';
const LOG_GROUP = '/openclaw/openclaw-test-prod/cloudtrail';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:openclaw-test-prod-alerts`;

const stack = new Stack(new App(), 'Core', { env: { account: ACCOUNT, region: REGION } });
const construct = new TrailAlarms(stack, 'TrailAlarms', {
  deploymentName: NAME,
  namespace: NAMESPACE,
  trailLogs: LogGroup.fromLogGroupName(stack, 'TrailLogs', LOG_GROUP),
  topic: Topic.fromTopicArn(stack, 'Alerts', TOPIC_ARN),
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties);

// Written out here, not built from the construct's lists: the filters CloudWatch Logs evaluates.
const SECRET_FILTER =
  '{ ($.eventSource = "secretsmanager.amazonaws.com") && (($.eventName = "PutResourcePolicy") || ($.eventName = "DeleteResourcePolicy") || ' +
  '($.eventName = "UpdateSecret") || ($.eventName = "DeleteSecret") || ($.eventName = "RestoreSecret") || ($.eventName = "CancelRotateSecret")) }';
const KMS_FILTER =
  '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion") || ' +
  '($.eventName = "PutKeyPolicy") || ($.eventName = "DisableKeyRotation")) }';

test('the watched events are exactly these', () => {
  expect(SECRET_POLICY_EVENTS).toEqual(['PutResourcePolicy', 'DeleteResourcePolicy', 'UpdateSecret', 'DeleteSecret', 'RestoreSecret', 'CancelRotateSecret']);
  expect(KMS_KEY_EVENTS).toEqual(['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation']);
  expect([SECRET_POLICY_PATTERN, KMS_KEY_PATTERN]).toEqual([SECRET_FILTER, KMS_FILTER]);
});

test('two metric filters on the trail\'s log group: any matching event counts 1 in the deployment\'s namespace', () => {
  expect(ofType('AWS::Logs::MetricFilter')).toEqual([
    { LogGroupName: LOG_GROUP, FilterPattern: SECRET_FILTER, MetricTransformations: [{ MetricNamespace: NAMESPACE, MetricName: 'SecretPolicyChanges', MetricValue: '1' }] },
    { LogGroupName: LOG_GROUP, FilterPattern: KMS_FILTER, MetricTransformations: [{ MetricNamespace: NAMESPACE, MetricName: 'KmsKeyChanges', MetricValue: '1' }] },
  ]);
});

test('two alarms: one event in 5 minutes alarms, no data is not breaching, the alert topic is told on ALARM and OK', () => {
  const alarm = (id: string, spec: (typeof ALARMS)[keyof typeof ALARMS], metricName: string) => ({
    AlarmName: `${NAME}-${id}`,
    AlarmDescription: alarmDescription(spec),
    ActionsEnabled: true,
    Namespace: NAMESPACE,
    MetricName: metricName,
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
    AlarmActions: [TOPIC_ARN],
    OKActions: [TOPIC_ARN],
  });
  expect(ofType('AWS::CloudWatch::Alarm')).toEqual([
    alarm('secret-policy-changed', ALARMS.secretPolicyChanged, 'SecretPolicyChanges'),
    alarm('kms-key-changed', ALARMS.kmsKeyChanged, 'KmsKeyChanges'),
  ]);
});

test('the construct exposes both alarms, in that order, and creates nothing else', () => {
  const alarmIds = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([logicalId]) => logicalId);
  expect(construct.alarms.map((a) => stack.getLogicalId(a.node.defaultChild as never))).toEqual(alarmIds);
  expect(construct.alarms.map((a) => a.node.id)).toEqual(['SecretPolicyChanged', 'KmsKeyChanged']);
  expect(construct.node.children.map((c) => c.node.id)).toEqual(['SecretPolicyChangedFilter', 'SecretPolicyChanged', 'KmsKeyChangedFilter', 'KmsKeyChanged']);
  expect(Object.values(resources).map((r) => r.Type)).toEqual(['AWS::Logs::MetricFilter', 'AWS::CloudWatch::Alarm', 'AWS::Logs::MetricFilter', 'AWS::CloudWatch::Alarm']);
});
