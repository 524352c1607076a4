import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { agentBreakerAlarm } from '../../lib/alarms/alarm-catalogue';
import { BreakerAlarms } from '../../lib/alarms/breaker-alarms';
import { projectContext } from '../../lib/app';

// The per-gateway breaker alarms (lib/alarms/breaker-alarms.ts) on a bare stack: one per gateway,
// on the meter's AgentBreakerTripped{Gateway=<id>}, firing on the first minute at 1, missing data
// not breaching (the meter-silent alarm covers a silent meter), the alert topic told both ways.

const ALERTS = 'arn:aws:sns:eu-west-1:123456789012:oc-acme-prod-alerts';
const stack = new Stack(new App({ context: projectContext() }), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
const alarms = new BreakerAlarms(stack, 'Breakers', {
  deploymentName: 'oc-acme-prod',
  namespace: 'OpenClaw/oc-acme-prod',
  topic: sns.Topic.fromTopicArn(stack, 'Alerts', ALERTS),
  gatewayIds: ['ops', 'team-a'],
});
const props = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((r) => (r as { Properties: Record<string, unknown> }).Properties);

test('one alarm per gateway, in the order given', () => {
  expect(alarms.alarms).toHaveLength(2);
  expect(props.map((p) => p.AlarmName)).toEqual(['oc-acme-prod-agent-breaker-ops', 'oc-acme-prod-agent-breaker-team-a']);
});

test.each([['ops'], ['team-a']])('gateway %s: its own dimension, Maximum over 1 minute, >= 1 once, missing data not breaching, ALARM and OK to the topic', (id) => {
  const spec = agentBreakerAlarm(id);
  expect(props.find((p) => p.AlarmName === `oc-acme-prod-agent-breaker-${id}`)).toEqual({
    AlarmName: `oc-acme-prod-agent-breaker-${id}`,
    AlarmDescription: `${spec.fired} First: ${spec.firstAction} Runbook: docs/runbooks.md#agent-breaker`,
    ActionsEnabled: true,
    AlarmActions: [ALERTS],
    OKActions: [ALERTS],
    Namespace: 'OpenClaw/oc-acme-prod',
    MetricName: 'AgentBreakerTripped',
    Dimensions: [{ Name: 'Gateway', Value: id }],
    Statistic: 'Maximum',
    Period: 60,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
});
