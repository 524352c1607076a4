/**
 * The daily drift check's pieces that both sides share: the Lambda
 * (lambda/verify-controls/, which runs them) and its construct
 * (lib/alarms/controls-drift-check.ts, which grants exactly what they call and
 * alarms on what they publish). Which checks run daily, the metric names, and
 * the metric data made of their results. No aws-cdk-lib here: it is bundled
 * into the Lambda.
 */
import { ALL_LIVE_CHECKS } from '../verify/all-checks';
import type { CheckResult, LiveCheck } from '../verify/live-check';
import { CONTEXT_IAM_ACTIONS } from '../verify/verify-context';
import { CONTROL_DIMENSION, CONTROL_DRIFTED_METRIC, CONTROLS_DRIFTED_METRIC } from './controls-drift-metrics';

export { CONTROL_DIMENSION, CONTROL_DRIFTED_METRIC, CONTROLS_DRIFTED_METRIC };

/** The live checks that run daily in the account: read-only API calls only (`daily`). */
export const dailyChecks = (checks: readonly LiveCheck[] = ALL_LIVE_CHECKS): LiveCheck[] => checks.filter((c) => c.daily);

/** The calls the Lambda makes itself, besides the checks: it reads the deployed templates. */
export const DRIFT_CHECK_OWN_ACTIONS = ['cloudformation:GetTemplate'] as const;

/** The call that publishes the metrics (granted only under the cloudwatch:namespace condition). */
export const PUBLISH_ACTION = 'cloudwatch:PutMetricData';

/**
 * Every IAM action the daily run calls, sorted and without duplicates: the
 * daily checks' declared `iam`, the context's own calls (CONTEXT_IAM_ACTIONS),
 * GetTemplate and PutMetricData.
 */
export function dailyIamActions(checks: readonly LiveCheck[] = dailyChecks()): string[] {
  return [...new Set([...checks.flatMap((c) => c.iam), ...CONTEXT_IAM_ACTIONS, ...DRIFT_CHECK_OWN_ACTIONS, PUBLISH_ACTION])].sort();
}

/** One metric datum, shaped as PutMetricData takes it. */
export interface DriftDatum {
  readonly MetricName: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value: string }[];
  readonly Value: number;
  readonly Unit: 'Count';
  readonly Timestamp: Date;
}

/**
 * One datum per control of `checks` (1 when any of its results failed, else 0;
 * a skip holds) and the count of failing controls. Controls come from the
 * checks, so a control whose check returned nothing still gets its datum.
 */
export function driftData(checks: readonly LiveCheck[], results: readonly CheckResult[], at: Date): DriftDatum[] {
  const controls = [...new Set([...checks.map((c) => c.control), ...results.map((r) => r.control)])].sort();
  const failing = new Set(results.filter((r) => r.status === 'fail').map((r) => r.control));
  const perControl = controls.map(
    (control): DriftDatum => ({
      MetricName: CONTROL_DRIFTED_METRIC,
      Dimensions: [{ Name: CONTROL_DIMENSION, Value: control }],
      Value: failing.has(control) ? 1 : 0,
      Unit: 'Count',
      Timestamp: at,
    }),
  );
  return [...perControl, { MetricName: CONTROLS_DRIFTED_METRIC, Value: failing.size, Unit: 'Count', Timestamp: at }];
}
