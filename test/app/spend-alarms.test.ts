import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { alarmDescription, modelSpendAlarm, ALARMS } from '../../lib/alarms/alarm-catalogue';
import { projectContext } from '../../lib/app';
import { SpendAlarms } from '../../lib/spend/spend-alarms';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The fast model-spend breaker on a bare stack (not the whole app), with the feature flags
// of cdk.json: for the daily and the monthly limit, 1-minute alarms on the metered spend at
// 50, 75 and 90 % (the alert topic) and 100 % (the alert topic and the shutdown topic), and
// the alarm on a silent meter, every alarm pinned exactly. The texts of the descriptions
// come from the alarm catalogue (lib/alarms/alarm-catalogue.ts, checked in alarms.test.ts).

const ACCOUNT = '123456789012';
const ALERTS = `arn:aws:sns:eu-west-1:${ACCOUNT}:openclaw-acme-prod-alerts`;
const SHUTDOWN = `arn:aws:sns:eu-west-1:${ACCOUNT}:openclaw-acme-prod-shutdown`;

const stack = new Stack(new App({ context: projectContext() }), 'Spend', { env: { account: ACCOUNT, region: 'eu-west-1' } });
const spendAlarms = new SpendAlarms(stack, 'ModelSpend', {
  deploymentName: 'openclaw-acme-prod',
  namespace: 'OpenClaw/openclaw-acme-prod',
  // Limits whose percentages need rounding to the cent (3.33 x 50 % = 1.665), and two different limits.
  dailyLimitUsd: 3.33,
  monthlyLimitUsd: 80,
  alertTopic: sns.Topic.fromTopicArn(stack, 'Alerts', ALERTS),
  shutdownTopic: sns.Topic.fromTopicArn(stack, 'Shutdown', SHUTDOWN),
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, unknown>;

const spendAlarm = (period: 'daily' | 'monthly', pct: 50 | 75 | 90 | 100, threshold: number) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: `openclaw-acme-prod-model-spend-${period}-${pct === 100 ? 'limit' : pct}`,
    AlarmDescription: alarmDescription(modelSpendAlarm(period, pct)),
    ActionsEnabled: true,
    AlarmActions: pct === 100 ? [ALERTS, SHUTDOWN] : [ALERTS],
    OKActions: [ALERTS],
    Namespace: 'OpenClaw/openclaw-acme-prod',
    MetricName: period === 'daily' ? 'ModelSpendTodayUsd' : 'ModelSpendMonthUsd',
    Statistic: 'Maximum',
    Period: 60,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Threshold: threshold,
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  },
});

test('daily and monthly: 1-minute alarms at 50, 75 and 90 % of the limit (rounded to the cent) to the alert topic, at 100 % also to the shutdown topic; a meter silent for 15 minutes alarms', () => {
  expect(resources).toEqual({
    ModelSpenddaily50451D0077: spendAlarm('daily', 50, 1.67),
    ModelSpenddaily75723EE626: spendAlarm('daily', 75, 2.5),
    ModelSpenddaily90A9980E03: spendAlarm('daily', 90, 3),
    ModelSpenddaily1006F253105: spendAlarm('daily', 100, 3.33),
    ModelSpendmonthly501CD7359B: spendAlarm('monthly', 50, 40),
    ModelSpendmonthly75FA7A4348: spendAlarm('monthly', 75, 60),
    ModelSpendmonthly90DBB6FA99: spendAlarm('monthly', 90, 72),
    ModelSpendmonthly1003E2BB15A: spendAlarm('monthly', 100, 80),
    ModelSpendMeterSilent174CC9B2: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: 'openclaw-acme-prod-spend-meter-silent',
        AlarmDescription: alarmDescription(ALARMS.spendMeterSilent),
        ActionsEnabled: true,
        AlarmActions: [ALERTS],
        OKActions: [ALERTS],
        Namespace: 'OpenClaw/openclaw-acme-prod',
        MetricName: 'ModelSpendMonthUsd',
        Statistic: 'SampleCount',
        Period: 300,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'breaching',
      },
    },
  });
});

test('the names of the two 100 % alarms are what the kill switch acts on (TRIGGER_ALARMS), daily first', () => {
  expect(spendAlarms.limitAlarmNames).toEqual(['openclaw-acme-prod-model-spend-daily-limit', 'openclaw-acme-prod-model-spend-monthly-limit']);
});

test('the construct lists all nine alarms', () => {
  expect(spendAlarms.alarms.map((a) => stack.getLogicalId(a.node.defaultChild as never))).toEqual([
    'ModelSpenddaily50451D0077',
    'ModelSpenddaily75723EE626',
    'ModelSpenddaily90A9980E03',
    'ModelSpenddaily1006F253105',
    'ModelSpendmonthly501CD7359B',
    'ModelSpendmonthly75FA7A4348',
    'ModelSpendmonthly90DBB6FA99',
    'ModelSpendmonthly1003E2BB15A',
    'ModelSpendMeterSilent174CC9B2',
  ]);
});

test('acknowledges nothing', () => {
  expect(collectAcknowledgements(stack)).toEqual([]);
});
