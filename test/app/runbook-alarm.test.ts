import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { AlarmSpec } from '../../lib/alarms/alarm-catalogue';
import { projectContext } from '../../lib/app';
import { RunbookAlarm } from '../../lib/alarms/runbook-alarm';

// A catalogue alarm on a bare stack (not the whole app), with the feature flags of cdk.json:
// named <deployment>-<id>, described with what fired, the first action and its runbook
// section, actions enabled, the alert topic told on ALARM and on OK; every other alarm
// property passed through as given.

const ALERTS = 'arn:aws:sns:eu-west-1:123456789012:openclaw-acme-prod-alerts';
const SPEC: AlarmSpec = { id: 'disk-full', runbook: 'host-disk', fired: 'The state volume is over 90 % full.', firstAction: 'Delete old session logs on the host.' };

const stack = new Stack(new App({ context: projectContext() }), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
const alarm = new RunbookAlarm(stack, 'DiskFull', {
  alarm: SPEC,
  deploymentName: 'openclaw-acme-prod',
  topic: sns.Topic.fromTopicArn(stack, 'Alerts', ALERTS),
  metric: new cloudwatch.Metric({ namespace: 'OpenClaw/openclaw-acme-prod', metricName: 'DiskUsedPercent', statistic: 'Maximum', period: Duration.minutes(5) }),
  threshold: 90,
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: cloudwatch.TreatMissingData.IGNORE,
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, unknown>;

test('named <deployment>-<id>, described with what fired, what to do first and the runbook section, notifying the alert topic on ALARM and OK; the rest as given', () => {
  expect(resources).toEqual({
    DiskFull4B7B3513: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: 'openclaw-acme-prod-disk-full',
        AlarmDescription: 'The state volume is over 90 % full. First: Delete old session logs on the host. Runbook: docs/runbooks.md#host-disk',
        ActionsEnabled: true,
        AlarmActions: [ALERTS],
        OKActions: [ALERTS],
        Namespace: 'OpenClaw/openclaw-acme-prod',
        MetricName: 'DiskUsedPercent',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 90,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'ignore',
      },
    },
  });
});

test('no insufficient-data action, and actions enabled even when a caller tries to turn them off or rename the alarm', () => {
  const other = new Stack(new App({ context: projectContext() }), 'Other', { env: { account: '123456789012', region: 'eu-west-1' } });
  new RunbookAlarm(other, 'DiskFull', {
    alarm: SPEC,
    deploymentName: 'openclaw-acme-prod',
    topic: sns.Topic.fromTopicArn(other, 'Alerts', ALERTS),
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }),
    threshold: 1,
    evaluationPeriods: 1,
    // Props a caller cannot pass through the type, passed anyway: the construct's own values win.
    ...({ actionsEnabled: false, alarmName: 'renamed', alarmDescription: 'nothing' } as object),
  });
  const [props] = Object.values(Template.fromStack(other).toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>).map((r) => r.Properties);
  expect([props!.AlarmName, props!.AlarmDescription, props!.ActionsEnabled, props!.InsufficientDataActions]).toEqual([
    'openclaw-acme-prod-disk-full',
    'The state volume is over 90 % full. First: Delete old session logs on the host. Runbook: docs/runbooks.md#host-disk',
    true,
    undefined,
  ]);
});

test('it is the alarm itself (an Alarm others can refer to)', () => {
  expect(alarm).toBeInstanceOf(cloudwatch.Alarm);
  expect(stack.resolve(alarm.alarmArn)).toEqual({ 'Fn::GetAtt': ['DiskFull4B7B3513', 'Arn'] });
});
