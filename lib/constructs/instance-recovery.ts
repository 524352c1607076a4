import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface InstanceRecoveryProps {
  readonly instance: ec2.IInstance;
}

/**
 * Self-healing that keeps the instance ID (so CloudFront's VPC origin, which
 * points at one instance, stays valid): EC2 auto-recovery on a failed system
 * status check (the host moves to healthy hardware with the same ID, volumes
 * and controls), and a reboot on a failed instance status check.
 */
export class InstanceRecovery extends Construct {
  readonly recoverAlarm: cloudwatch.Alarm;
  readonly rebootAlarm: cloudwatch.Alarm;

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
    this.recoverAlarm = new cloudwatch.Alarm(this, 'RecoverOnSystemFailure', {
      metric: statusMetric('StatusCheckFailed_System'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: 'Gateway host failed its system status check twice: EC2 recovers it onto healthy hardware (same instance ID).',
    });
    this.recoverAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: `arn:${partition}:automate:${region}:ec2:recover` }) });
    this.rebootAlarm = new cloudwatch.Alarm(this, 'RebootOnInstanceFailure', {
      metric: statusMetric('StatusCheckFailed_Instance'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
      alarmDescription: 'Gateway host failed its instance status check for 3 minutes: EC2 reboots it.',
    });
    this.rebootAlarm.addAlarmAction({ bind: () => ({ alarmActionArn: `arn:${partition}:automate:${region}:ec2:reboot` }) });
  }
}
