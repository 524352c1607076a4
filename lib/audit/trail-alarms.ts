import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARMS, type AlarmSpec } from '../alarms/alarm-catalogue';
import { RunbookAlarm } from '../alarms/runbook-alarm';

const anyEvent = (source: string, names: readonly string[]) =>
  `{ ($.eventSource = "${source}") && (${names.map((n) => `($.eventName = "${n}")`).join(' || ')}) }`;

/**
 * CloudTrail events that change who can read a secret, its value or key outside
 * rotation (UpdateSecret: only a deploy or break-glass may), or whether it
 * exists or rotates.
 */
export const SECRET_POLICY_EVENTS = ['PutResourcePolicy', 'DeleteResourcePolicy', 'UpdateSecret', 'DeleteSecret', 'RestoreSecret', 'CancelRotateSecret'] as const;
/** CloudTrail events that can lock data away (disable, delete) or open it (policy) on a KMS key. */
export const KMS_KEY_EVENTS = ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation'] as const;

export const SECRET_POLICY_PATTERN = anyEvent('secretsmanager.amazonaws.com', SECRET_POLICY_EVENTS);
export const KMS_KEY_PATTERN = anyEvent('kms.amazonaws.com', KMS_KEY_EVENTS);

export interface TrailAlarmsProps {
  /** `<prefix>-<client>-<env>`: names the alarms. */
  readonly deploymentName: string;
  /** OpenClaw/<name>: where the metric filters publish. */
  readonly namespace: string;
  /** The trail's log group. */
  readonly trailLogs: logs.ILogGroup;
  /** The regional alert topic: told when an alarm fires and when it clears. */
  readonly topic: sns.ITopic;
}

/**
 * CloudTrail metric filters and their alarms (CIS 4.x style): a change to a
 * secret's resource policy, value or key (UpdateSecret), rotation or existence, and a change to a KMS key
 * that could lock data away or open it. Any one event alarms.
 */
export class TrailAlarms extends Construct {
  readonly alarms: RunbookAlarm[] = [];

  constructor(scope: Construct, id: string, props: TrailAlarmsProps) {
    super(scope, id);
    const watch = (alarmId: string, alarm: AlarmSpec, metricName: string, pattern: string) => {
      new logs.MetricFilter(this, `${alarmId}Filter`, {
        logGroup: props.trailLogs,
        filterPattern: logs.FilterPattern.literal(pattern),
        metricNamespace: props.namespace,
        metricName,
        metricValue: '1',
      });
      this.alarms.push(
        new RunbookAlarm(this, alarmId, {
          alarm,
          deploymentName: props.deploymentName,
          topic: props.topic,
          metric: new cloudwatch.Metric({ namespace: props.namespace, metricName, statistic: 'Sum', period: Duration.minutes(5) }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    };
    watch('SecretPolicyChanged', ALARMS.secretPolicyChanged, 'SecretPolicyChanges', SECRET_POLICY_PATTERN);
    watch('KmsKeyChanged', ALARMS.kmsKeyChanged, 'KmsKeyChanges', KMS_KEY_PATTERN);
  }
}
