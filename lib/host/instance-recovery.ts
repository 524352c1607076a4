import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ALARMS } from '../alarms/alarm-catalogue';
import { RunbookAlarm } from '../alarms/runbook-alarm';

export interface InstanceRecoveryProps {
  /** The gateway host: its status checks are watched, and it is recovered or rebooted in place. */
  readonly instance: ec2.IInstance;
  /** `<prefix>-<client>-<env>`: names the alarms. */
  readonly deploymentName: string;
  /** The alert topic: told when EC2 recovers or reboots the host. */
  readonly topic: sns.ITopic;
}

/**
 * Self-healing that keeps the instance ID (so CloudFront's VPC origin, which
 * points at one instance, stays valid): EC2 auto-recovery on a failed system
 * status check (the host moves to healthy hardware with the same ID, volumes
 * and controls), and a reboot on a failed instance status check. Both also
 * tell the alert topic (runbooks instance-recovered, instance-rebooted).
 */
export class InstanceRecovery extends Construct {
  readonly recoverAlarm: RunbookAlarm;
  readonly rebootAlarm: RunbookAlarm;

  constructor(scope: Construct, id: string, props: InstanceRecoveryProps) {
    super(scope, id);
    const { region, partition } = Stack.of(this);
    const statusMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/EC2',
        metricName,
        dimensionsMap: { InstanceId: props.instance.instanceId },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      });
    const alerting = { deploymentName: props.deploymentName, topic: props.topic };
    this.recoverAlarm = new RunbookAlarm(this, 'RecoverOnSystemFailure', {
      ...alerting,
      alarm: ALARMS.instanceRecovered,
      metric: statusMetric('StatusCheckFailed_System'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.recoverAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: `arn:${partition}:automate:${region}:ec2:recover` }) });
    this.rebootAlarm = new RunbookAlarm(this, 'RebootOnInstanceFailure', {
      ...alerting,
      alarm: ALARMS.instanceRebooted,
      metric: statusMetric('StatusCheckFailed_Instance'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.rebootAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: `arn:${partition}:automate:${region}:ec2:reboot` }) });
  }
}
