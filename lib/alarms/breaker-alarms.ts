/**
 * One alarm per gateway on its breaker (openclaw.agents.<id>.breaker): the spend meter
 * publishes AgentBreakerTripped{Gateway=<id>} every minute, 1 while that gateway's marker
 * is there (it stopped the gateway), 0 otherwise (host/spend-meter/breaker.ts). The alarm
 * fires on the first minute at 1 and clears (OK, also told to the alert topic) after a
 * restore. Missing data (the meter silent) is not breaching: the meter-silent alarm of
 * lib/spend/spend-alarms.ts covers that.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BREAKER_GATEWAY_DIMENSION } from '../host/spend-meter';
import { AGENT_BREAKER_TRIPPED_METRIC } from '../shared/metric-names';
import { agentBreakerAlarm } from './alarm-catalogue';
import { RunbookAlarm } from './runbook-alarm';

export interface BreakerAlarmsProps {
  /** `<prefix>-<client>-<env>`. */
  readonly deploymentName: string;
  /** OpenClaw/<name>: where the meter publishes. */
  readonly namespace: string;
  /** The alert topic of the gateway's region. */
  readonly topic: sns.ITopic;
  /** The deployment's gateway ids (agentGateways(config)), one alarm each. */
  readonly gatewayIds: readonly string[];
}

/** The per-gateway breaker alarms (see the module comment). */
export class BreakerAlarms extends Construct {
  readonly alarms: RunbookAlarm[] = [];

  constructor(scope: Construct, id: string, props: BreakerAlarmsProps) {
    super(scope, id);
    for (const gatewayId of props.gatewayIds) {
      this.alarms.push(
        new RunbookAlarm(this, `Breaker-${gatewayId}`, {
          alarm: agentBreakerAlarm(gatewayId),
          deploymentName: props.deploymentName,
          topic: props.topic,
          metric: new cloudwatch.Metric({
            namespace: props.namespace,
            metricName: AGENT_BREAKER_TRIPPED_METRIC,
            dimensionsMap: { [BREAKER_GATEWAY_DIMENSION]: gatewayId },
            statistic: 'Maximum',
            period: Duration.minutes(1),
          }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
