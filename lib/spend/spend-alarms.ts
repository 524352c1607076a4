import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARMS, SPEND_THRESHOLDS, modelSpendAlarm, alarmName } from '../alarms/alarm-catalogue';
import { RunbookAlarm } from '../alarms/runbook-alarm';
import { MODEL_SPEND_MONTH_METRIC, MODEL_SPEND_TODAY_METRIC } from '../shared/metric-names';

/** The metric of each limit period: what the host's spend meter publishes every minute (host/spend-meter), no dimensions. */
export const MODEL_SPEND_METRICS = { daily: MODEL_SPEND_TODAY_METRIC, monthly: MODEL_SPEND_MONTH_METRIC } as const;

export interface SpendAlarmsProps {
  /** `<prefix>-<client>-<env>`: names the alarms. */
  readonly deploymentName: string;
  /** OpenClaw/<name>. */
  readonly namespace: string;
  /** The daily model-spend limit in USD (config spend.modelDailyLimitUsd). */
  readonly dailyLimitUsd: number;
  /** The monthly model-spend limit in USD (config spend.modelMonthlyLimitUsd). */
  readonly monthlyLimitUsd: number;
  /** The regional alert topic: told at every threshold and when the meter falls silent. */
  readonly alertTopic: sns.ITopic;
  /** The kill switch listens here. */
  readonly shutdownTopic: sns.ITopic;
}

/**
 * The fast model-spend breaker: 1-minute alarms on the spend the host meters
 * from OpenClaw's own usage records, at 50, 75 and 90 % of the daily and the
 * monthly limit (to the alert topic) and at 100 % (to the alert topic and the
 * shutdown topic, which invokes the kill switch). By design, from the minute
 * the meter publishes a figure over the limit: the alarm evaluates within a
 * minute, SNS invokes the kill switch within seconds, and StopInstances takes
 * effect within a minute: under 3 minutes.
 */
export class SpendAlarms extends Construct {
  readonly alarms: RunbookAlarm[] = [];
  /** The 100 % alarms, by period: their names are the kill switch's TRIGGER_ALARMS. */
  readonly limitAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: SpendAlarmsProps) {
    super(scope, id);
    for (const period of ['daily', 'monthly'] as const) {
      const limit = period === 'daily' ? props.dailyLimitUsd : props.monthlyLimitUsd;
      const metric = new cloudwatch.Metric({ namespace: props.namespace, metricName: MODEL_SPEND_METRICS[period], statistic: 'Maximum', period: Duration.minutes(1) });
      for (const pct of SPEND_THRESHOLDS) {
        const spec = modelSpendAlarm(period, pct);
        const alarm = new RunbookAlarm(this, `${period}${pct}`, {
          alarm: spec,
          deploymentName: props.deploymentName,
          topic: props.alertTopic,
          metric,
          threshold: Math.round(limit * pct) / 100,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
        if (pct === 100) {
          alarm.addAlarmAction(new actions.SnsAction(props.shutdownTopic));
          this.limitAlarmNames.push(alarmName(props.deploymentName, spec));
        }
        this.alarms.push(alarm);
      }
    }
    // Missing data would read as "not breaching" above: a meter that stopped must not go unnoticed.
    this.alarms.push(
      new RunbookAlarm(this, 'MeterSilent', {
        alarm: ALARMS.spendMeterSilent,
        deploymentName: props.deploymentName,
        topic: props.alertTopic,
        metric: new cloudwatch.Metric({ namespace: props.namespace, metricName: MODEL_SPEND_METRICS.monthly, statistic: 'SampleCount', period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
  }
}
