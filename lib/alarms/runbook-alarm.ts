import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { alarmDescription, alarmName, type AlarmSpec } from './alarm-catalogue';

export interface RunbookAlarmProps extends Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription' | 'actionsEnabled'> {
  /** The catalogue entry (ALARMS): the alarm's name suffix, what fired, the first action and its runbook section. */
  readonly alarm: AlarmSpec;
  /** `<prefix>-<client>-<env>`. */
  readonly deploymentName: string;
  /** The alert topic of this region: told when the alarm fires and when it clears. */
  readonly topic: sns.ITopic;
}

/**
 * A CloudWatch alarm from the catalogue (lib/alarms/alarm-catalogue.ts):
 * named `<deployment>-<id>`, described with what fired, the first action and
 * its runbook section, and wired to the alert topic on ALARM and OK.
 */
export class RunbookAlarm extends cloudwatch.Alarm {
  constructor(scope: Construct, id: string, props: RunbookAlarmProps) {
    const { alarm, deploymentName, topic, ...rest } = props;
    super(scope, id, { ...rest, alarmName: alarmName(deploymentName, alarm), alarmDescription: alarmDescription(alarm), actionsEnabled: true });
    this.addAlarmAction(new actions.SnsAction(topic));
    this.addOkAction(new actions.SnsAction(topic));
  }
}
