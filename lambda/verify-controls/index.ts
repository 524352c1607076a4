/**
 * The daily drift check of one client x environment (issue 14): on its
 * schedule it reads the deployed templates, runs the read-only live checks
 * (`daily`, the same code as npm run verify) against the live deployment,
 * logs one JSON line per result, and publishes ControlDrifted (1/0 per
 * control) and ControlsDrifted (how many failed). The controls-drifted alarm
 * watches ControlsDrifted, and treats a day without it as drift.
 *
 * Unlike the other functions under lambda/, this one imports from lib/: the
 * checks themselves (lib/verify, lib/<concern>/live-checks.ts), which import
 * nothing from aws-cdk-lib, so the bundle holds them and the SDK clients only.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { dailyChecks, driftData, type DriftDatum } from '../../lib/alarms/controls-drift';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { VerifyContext } from '../../lib/verify/verify-context';
import { readDeployedStacks } from './deployed';
import { readEnv } from './env';

/** What one run found, returned to the invoker (a manual `aws lambda invoke` shows it). */
export interface DriftSummary {
  readonly checks: number;
  readonly controls: number;
  /** The failing controls, sorted. */
  readonly drifted: readonly string[];
}

/** PutMetricData takes up to 1000 data per call; 20 keeps each call small and within the older limit too. */
const BATCH = 20;

async function publish(namespace: string, region: string, data: readonly DriftDatum[]): Promise<void> {
  const cw = new CloudWatchClient({ region });
  for (let i = 0; i < data.length; i += BATCH) {
    await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + BATCH).map((d) => ({ ...d, Dimensions: d.Dimensions?.map((x) => ({ ...x })) })) }));
  }
}

/** Runs `checks` (default: every daily live check) and publishes the result. */
export async function runDailyCheck(checks: readonly LiveCheck[] = dailyChecks(), env: NodeJS.ProcessEnv = process.env, now: () => Date = () => new Date()): Promise<DriftSummary> {
  const e = readEnv(env);
  const { stacks, unread } = await readDeployedStacks(e.stacks);
  for (const u of unread) console.log(JSON.stringify({ event: 'template-unreadable', stack: u.stackName, error: u.error }));
  const at = now();
  const ctx = new VerifyContext({ name: e.name, account: e.account, region: e.region, stacks, settings: e.settings, options: { writeProbes: false, now: at } });
  const results = await runChecks(checks, ctx);
  for (const r of results) console.log(JSON.stringify(r));
  const data = driftData(checks, results, at);
  await publish(e.namespace, e.region, data);
  const drifted = data.filter((d) => d.Dimensions !== undefined && d.Value > 0).map((d) => d.Dimensions![0]!.Value);
  const summary: DriftSummary = { checks: checks.length, controls: data.length - 1, drifted };
  console.log(JSON.stringify({ event: 'summary', ...summary }));
  return summary;
}

export const handler = async (): Promise<DriftSummary> => runDailyCheck();
