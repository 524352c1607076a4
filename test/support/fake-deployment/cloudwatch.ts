/**
 * CloudWatch of the fake deployment: DescribeAlarms answers with every alarm
 * of the templates in the client's region (a correct deployment: actions
 * enabled, as deployed, state OK since the deploy), PutMetricData is recorded.
 * Drift: world.state['cloudwatch.alarms'] (alarmDrift) changes or deletes an
 * alarm by name.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand, type CompositeAlarm, type MetricAlarm, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { FakeWorld, ServiceFake, WorldResource } from './world';

/** What a drift test changes on one alarm; `deleted` removes it. */
export type AlarmDrift = Partial<MetricAlarm> & { readonly deleted?: boolean };

/** The drift of each alarm, by name (created on first use). */
export function alarmDrift(world: FakeWorld): Map<string, AlarmDrift> {
  return ((world.state['cloudwatch.alarms'] as Map<string, AlarmDrift> | undefined) ??= new Map());
}

/** Metric data put through the fake, in order. */
export function putMetricData(world: FakeWorld): { readonly namespace: string; readonly data: MetricDatum[] }[] {
  return ((world.state['cloudwatch.metricData'] as { namespace: string; data: MetricDatum[] }[] | undefined) ??= []);
}

/** When the fake deployment was deployed: every alarm entered its state then. */
export const DEPLOYED_AT = new Date('2026-11-01T00:00:00Z');

function alarmOf(world: FakeWorld, r: WorldResource): { metric?: MetricAlarm; composite?: CompositeAlarm } {
  const p = world.properties(r);
  const name = String(p.AlarmName ?? world.physicalId(r.role, r.logicalId));
  const region = world.stack(r.role).region;
  const common = {
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:${region}:${world.account}:alarm:${name}`,
    AlarmDescription: p.AlarmDescription as string | undefined,
    ActionsEnabled: (p.ActionsEnabled as boolean | undefined) ?? true,
    AlarmActions: (p.AlarmActions as string[] | undefined) ?? [],
    OKActions: (p.OKActions as string[] | undefined) ?? [],
    InsufficientDataActions: (p.InsufficientDataActions as string[] | undefined) ?? [],
    StateValue: 'OK' as const,
    StateReason: 'Threshold Crossed: no datapoints were breaching the threshold',
    StateUpdatedTimestamp: DEPLOYED_AT,
    StateTransitionedTimestamp: DEPLOYED_AT,
  };
  const drift = alarmDrift(world).get(name);
  if (drift?.deleted) return {};
  if (r.resource.Type === 'AWS::CloudWatch::CompositeAlarm') return { composite: { ...common, AlarmRule: p.AlarmRule as string, ...(drift as Partial<CompositeAlarm>) } };
  return {
    metric: {
      ...common,
      MetricName: p.MetricName as string | undefined,
      Namespace: p.Namespace as string | undefined,
      Statistic: p.Statistic as MetricAlarm['Statistic'],
      Period: p.Period as number | undefined,
      EvaluationPeriods: p.EvaluationPeriods as number | undefined,
      DatapointsToAlarm: p.DatapointsToAlarm as number | undefined,
      Threshold: p.Threshold as number | undefined,
      ComparisonOperator: p.ComparisonOperator as MetricAlarm['ComparisonOperator'],
      TreatMissingData: p.TreatMissingData as string | undefined,
      Metrics: p.Metrics as MetricAlarm['Metrics'],
      ...drift,
    },
  };
}

export const cloudWatchFake: ServiceFake = (world) => {
  const cw = mockClient(CloudWatchClient);
  cw.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[]; AlarmTypes?: string[] }, getClient: () => CloudWatchClient) => {
    const region = await getClient().config.region();
    const all = world
      .resources('AWS::CloudWatch::Alarm')
      .concat(world.resources('AWS::CloudWatch::CompositeAlarm'))
      .filter((r) => world.stack(r.role).region === region)
      .map((r) => alarmOf(world, r));
    const named = (a: { AlarmName?: string } | undefined) => a !== undefined && (!input.AlarmNames || input.AlarmNames.includes(a.AlarmName ?? ''));
    // Without AlarmTypes, CloudWatch returns metric alarms only (API reference, DescribeAlarms).
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    return {
      MetricAlarms: types.includes('MetricAlarm') ? all.map((a) => a.metric).filter(named) : [],
      CompositeAlarms: types.includes('CompositeAlarm') ? all.map((a) => a.composite).filter(named) : [],
    };
  });
  cw.on(PutMetricDataCommand).callsFake(async (input: { Namespace?: string; MetricData?: MetricDatum[] }) => {
    putMetricData(world).push({ namespace: input.Namespace ?? '', data: input.MetricData ?? [] });
    return {};
  });
  return [cw];
};
