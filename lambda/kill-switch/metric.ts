/**
 * KillSwitchExecuted = 1, no dimensions: what the kill-switch-executed alarm watches.
 * METRIC_NAME equals KILL_SWITCH_METRIC of lib/shared/metric-names.ts (Lambda code
 * imports nothing from lib/; test/shared/metric-names.test.ts pins the two).
 */
import { cloudwatch } from './clients';

export const METRIC_NAME = 'KillSwitchExecuted';

export async function publishExecuted(namespace: string): Promise<void> {
  const { sdk, client } = await cloudwatch();
  await client.send(new sdk.PutMetricDataCommand({ Namespace: namespace, MetricData: [{ MetricName: METRIC_NAME, Value: 1, Unit: 'Count' }] }));
}
