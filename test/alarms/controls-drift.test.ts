import {
  CONTROL_DIMENSION,
  CONTROL_DRIFTED_METRIC,
  CONTROLS_DRIFTED_METRIC,
  DRIFT_CHECK_OWN_ACTIONS,
  PUBLISH_ACTION,
  dailyChecks,
  dailyIamActions,
  driftData,
} from '../../lib/alarms/controls-drift';
import { ALL_LIVE_CHECKS } from '../../lib/verify/all-checks';
import type { CheckResult, CheckStatus, LiveCheck } from '../../lib/verify/live-check';

// The daily drift check's shared pieces (lib/alarms/controls-drift.ts) on their own: which
// checks run daily, the actions the Lambda's role must hold, and the metric data made of
// the results. The construct and the Lambda that use them are tested in
// test/app/controls-drift-check.test.ts and test/verify/daily-check.test.ts.

const check = (id: string, control: string, daily: boolean, iam: string[]): LiveCheck => ({ id, control, title: id, concern: 'spend', daily, iam, run: async () => [] });
const res = (c: string, control: string, status: CheckStatus): CheckResult => ({ check: c, control, status, resource: 'r', evidence: 'e' });
const AT = new Date('2026-12-07T06:00:00Z');

test('the daily checks are the ones marked daily, in their order; by default of every live check', () => {
  const checks = [check('a.one', 'c1', true, []), check('a.two', 'c2', false, []), check('a.three', 'c3', true, [])];
  expect(dailyChecks(checks).map((c) => c.id)).toEqual(['a.one', 'a.three']);
  expect(dailyChecks()).toEqual(ALL_LIVE_CHECKS.filter((c) => c.daily));
  expect(dailyChecks().length).toBeGreaterThan(0);
  expect(dailyChecks().length).toBeLessThan(ALL_LIVE_CHECKS.length); // host and write-probe checks are not daily
});

test("the role's actions: the checks' own, ListStackResources, GetTemplate and PutMetricData, sorted, each once", () => {
  const checks = [check('a.one', 'c1', true, ['s3:GetBucketPolicy', 'ec2:DescribeInstances']), check('a.two', 'c2', true, ['s3:GetBucketPolicy', 'budgets:ViewBudget'])];
  expect(dailyIamActions(checks)).toEqual([
    'budgets:ViewBudget',
    'cloudformation:GetTemplate',
    'cloudformation:ListStackResources',
    'cloudwatch:PutMetricData',
    'ec2:DescribeInstances',
    's3:GetBucketPolicy',
  ]);
  expect(dailyIamActions([])).toEqual(['cloudformation:GetTemplate', 'cloudformation:ListStackResources', 'cloudwatch:PutMetricData']);
  expect([DRIFT_CHECK_OWN_ACTIONS, PUBLISH_ACTION]).toEqual([['cloudformation:GetTemplate'], 'cloudwatch:PutMetricData']);
  const all = dailyIamActions();
  expect(all).toEqual([...new Set(dailyChecks().flatMap((c) => c.iam).concat(['cloudformation:GetTemplate', 'cloudformation:ListStackResources', 'cloudwatch:PutMetricData']))].sort());
});

test('one datum per control, 1 when any of its results failed (a skip holds), then the count of failing controls', () => {
  const checks = [check('a.one', 'zeta', true, []), check('a.two', 'alpha', true, []), check('a.three', 'alpha', true, []), check('a.four', 'quiet', true, [])];
  const results = [res('a.one', 'zeta', 'pass'), res('a.one', 'zeta', 'fail'), res('a.two', 'alpha', 'pass'), res('a.three', 'alpha', 'skip'), res('x.other', 'extra', 'fail')];
  const datum = (control: string, value: number) => ({ MetricName: 'ControlDrifted', Dimensions: [{ Name: 'Control', Value: control }], Value: value, Unit: 'Count', Timestamp: AT });
  expect(driftData(checks, results, AT)).toEqual([datum('alpha', 0), datum('extra', 1), datum('quiet', 0), datum('zeta', 1), { MetricName: 'ControlsDrifted', Value: 2, Unit: 'Count', Timestamp: AT }]);
  expect(driftData([], [], AT)).toEqual([{ MetricName: 'ControlsDrifted', Value: 0, Unit: 'Count', Timestamp: AT }]);
  expect([CONTROL_DRIFTED_METRIC, CONTROLS_DRIFTED_METRIC, CONTROL_DIMENSION]).toEqual(['ControlDrifted', 'ControlsDrifted', 'Control']);
});

test('a control with only skips, or only passes, is 0; two failing checks of one control count it once', () => {
  const checks = [check('a.one', 'c', true, []), check('a.two', 'c', true, []), check('a.three', 'd', true, [])];
  const data = driftData(checks, [res('a.one', 'c', 'fail'), res('a.two', 'c', 'fail'), res('a.three', 'd', 'skip')], AT);
  expect(data.map((d) => [d.Dimensions?.[0]?.Value ?? d.MetricName, d.Value])).toEqual([
    ['c', 1],
    ['d', 0],
    ['ControlsDrifted', 1],
  ]);
});
