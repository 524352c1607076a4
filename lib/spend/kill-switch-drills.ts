/**
 * The kill-switch drills of npm run verify --drill=<id>.
 *
 * dry-run (any environment): invokes the kill switch with dryRun (it only
 * reads) and checks that its plan names exactly what a kill must stop and
 * deny (lib/spend/live-kill-plan.ts): no instance more or less, the deny
 * policy on the host role covering every secret, the distribution only when
 * configured. Calls lambda:InvokeFunction (and what the context calls).
 *
 * kill (non-prod only): publishes the breach signal to the shutdown topic as
 * the spend-limit alarm does (its ALARM notification), times the instances to
 * `stopped` (goal: settings.spend.killDrill.stopWithinSeconds, the issue's 3
 * minutes), then restores through the kill switch (what npm run restore
 * invokes) and times the instances to running with status checks ok and the
 * gateway-unhealthy alarm OK. Restore is attempted even when the stop failed.
 * Calls sns:Publish (with kms:GenerateDataKey on the topic's key),
 * ec2:DescribeInstances, ec2:DescribeInstanceStatus, lambda:InvokeFunction,
 * cloudwatch:DescribeAlarms.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, DescribeInstanceStatusCommand, EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { templateAlarms } from '../alarms/live-alarms';
import { liveValue } from '../verify/template-values';
import type { Drill } from '../verify/drill';
import { expect as expectResult, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { describeError } from '../verify/run-checks';
import { invokeKillSwitchFunction, type KillSwitchRequest } from './kill-switch-request';
import { expectedKillPlan } from './live-kill-plan';
import { shutdownTopicArn } from './live-kill-switch';

/** How results of a drill are labelled: like a check, `drill.<id>`. */
const asCheck = (id: string, control: string): LiveCheck => ({ id: `drill.${id}`, control, title: id, concern: 'spend', daily: false, iam: [], run: async () => [] });

interface PlanSummary {
  readonly dryRun?: boolean;
  readonly instances?: readonly { readonly id: string; readonly before: string; readonly result: string }[];
  readonly distribution?: { readonly id: string; readonly result: string };
  readonly denySecrets?: { readonly roleName: string; readonly policyArn: string; readonly result: string };
}

const REQUESTED_BY = 'npm run verify';

function invoke(ctx: VerifyContext, request: KillSwitchRequest) {
  return invokeKillSwitchFunction(ctx.client(LambdaClient, ctx.stack('spend').region), ctx.settings.spend.killSwitchFunction, request);
}

async function dryRun(ctx: VerifyContext, log: (line: string) => void): Promise<CheckResult[]> {
  const check = asCheck('dry-run', 'kill-switch-plan');
  const fn = ctx.settings.spend.killSwitchFunction;
  const want = await expectedKillPlan(ctx);
  log(`invoking ${fn} with a dry-run kill`);
  const answer = await invoke(ctx, { action: 'kill', reason: 'npm run verify --drill=dry-run: a rehearsal, nothing changes', requestedBy: REQUESTED_BY, dryRun: true });
  if (answer.error) return [result(check, 'fail', fn, `the dry run failed: ${answer.error}`)];
  const plan = answer.summary as PlanSummary;
  if (plan.dryRun !== true) return [result(check, 'fail', fn, `the kill switch answered dryRun ${String(plan.dryRun)}: it may have acted; expected a dry run`)];
  const out: CheckResult[] = [];
  const planned = plan.instances ?? [];
  for (const id of want.instances) {
    const p = planned.find((i) => i.id === id);
    out.push(expectResult(check, p !== undefined && ['would-stop', 'already-stopped'].includes(p.result), `instance ${id}`, p ? `plan: ${p.result} (now ${p.before})` : 'not in the plan', 'would-stop: the gateway instance'));
  }
  for (const p of planned.filter((i) => !want.instances.includes(i.id))) {
    out.push(result(check, 'fail', `instance ${p.id}`, `plan: ${p.result} (now ${p.before}); expected no such instance: it is not the gateway stack's`));
  }
  const d = plan.distribution;
  if (want.distribution || d) {
    out.push(expectResult(check, d?.id === want.distribution, `distribution ${want.distribution ?? d?.id}`, d ? `plan: ${d.result} ${d.id}` : 'not in the plan', want.distribution ? `would-disable ${want.distribution}` : 'no distribution (spend.onShutdown.disableDistribution is off)'));
  }
  const deny = plan.denySecrets;
  if (!want.deny) {
    if (deny) out.push(result(check, 'fail', `role ${deny.roleName}`, `plan: ${deny.result} ${deny.policyArn}; expected no deny (spend.onShutdown.denySecrets is off)`));
    return out;
  }
  const denyOk = deny?.roleName === want.deny.roleName && deny.policyArn === want.deny.policyArn && deny.result === 'would-attach';
  out.push(expectResult(check, denyOk, `role ${want.deny.roleName}`, deny ? `plan: ${deny.result} ${deny.policyArn} to ${deny.roleName}` : 'no deny in the plan', `would-attach ${want.deny.policyArn} to ${want.deny.roleName}`));
  for (const [arn, covered] of want.deny.secrets) {
    const seen = !denyOk ? 'not denied by the plan' : covered ? `denied: the plan attaches ${want.deny.policyArn}, which denies reading it` : `NOT covered by ${want.deny.policyArn}`;
    out.push(expectResult(check, denyOk && covered, `secret ${arn}`, seen, 'denied to the host by the plan'));
  }
  return out;
}

export const dryRunDrill: Drill = {
  id: 'dry-run',
  title: 'The kill switch plans to stop and deny exactly the gateway instances and secrets (dry run, changes nothing)',
  nonProdOnly: false,
  run: dryRun,
};

/** The clock and the wait of the kill drill; tests inject both. */
export interface DrillClock {
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Waits `ms` between polls. */
  readonly sleep: (ms: number) => Promise<void>;
}

const REAL_CLOCK: DrillClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

async function states(ctx: VerifyContext, ids: readonly string[]): Promise<Map<string, { state: string; checks: string }>> {
  const ec2 = ctx.client(EC2Client, ctx.stack('gateway').region);
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids] }));
  const m = new Map<string, { state: string; checks: string }>();
  for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) m.set(i.InstanceId ?? '', { state: i.State?.Name ?? '?', checks: '-' });
  const running = ids.filter((id) => m.get(id)?.state === 'running');
  if (running.length) {
    const st = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: running }));
    for (const s of st.InstanceStatuses ?? []) m.get(s.InstanceId ?? '')!.checks = `${s.InstanceStatus?.Status ?? '?'}/${s.SystemStatus?.Status ?? '?'}`;
  }
  return m;
}

/** Polls `done` until it holds or `limitMs` passed; the elapsed ms, or undefined on timeout. */
async function until(clock: DrillClock, limitMs: number, pollMs: number, done: () => Promise<boolean>): Promise<number | undefined> {
  const start = clock.now();
  for (;;) {
    if (await done()) return clock.now() - start;
    if (clock.now() - start >= limitMs) return undefined;
    await clock.sleep(pollMs);
  }
}

/** The kill drill with `clock` (the registered one uses the real clock). */
export function makeKillDrill(clock: DrillClock = REAL_CLOCK): Drill {
  const run = async (ctx: VerifyContext, log: (line: string) => void): Promise<CheckResult[]> => {
    const check = asCheck('kill', 'kill-switch-drill');
    const { stopWithinSeconds, restoreWithinSeconds, pollSeconds } = ctx.settings.spend.killDrill;
    const ids = await Promise.all(ctx.find('AWS::EC2::Instance', 'gateway').map((r) => ctx.physicalId(r)));
    const before = await states(ctx, ids);
    const notRunning = ids.filter((id) => before.get(id)?.state !== 'running');
    if (notRunning.length) return [result(check, 'fail', notRunning.join(', '), `not running (${notRunning.map((id) => before.get(id)?.state ?? 'missing').join(', ')}): nothing to drill; expected running`)];

    const topic = await shutdownTopicArn(ctx);
    const alarms = await templateAlarms(ctx);
    let trigger;
    for (const a of alarms) if (((await liveValue(ctx, a.ref.stack, a.properties.AlarmActions ?? [])) as string[]).includes(topic)) trigger ??= a;
    if (!trigger) return [result(check, 'fail', topic, 'no alarm of the templates signals the shutdown topic: nothing to imitate')];
    const message = JSON.stringify({
      AlarmName: trigger.name,
      AlarmDescription: 'npm run verify --drill=kill',
      AWSAccountId: ctx.account,
      NewStateValue: 'ALARM',
      NewStateReason: 'npm run verify --drill=kill: a drill of the kill switch, not a real breach',
      StateChangeTime: new Date(clock.now()).toISOString(),
      Region: trigger.region,
      AlarmArn: `arn:aws:cloudwatch:${trigger.region}:${ctx.account}:alarm:${trigger.name}`,
      OldStateValue: 'OK',
    });
    log(`publishing ${trigger.name} ALARM to ${topic}`);
    await ctx.client(SNSClient, topic.split(':')[3]).send(new PublishCommand({ TopicArn: topic, Subject: `ALARM: "${trigger.name}" (drill)`, Message: message }));
    let last = before;
    // From the publish on, the restore below always runs: an error while waiting for the stop
    // (throttling, credentials expiring, ...) must not leave the deployment killed.
    let out: CheckResult[];
    try {
      const stoppedIn = await until(clock, stopWithinSeconds * 1000, pollSeconds * 1000, async () => {
        last = await states(ctx, ids);
        return ids.every((id) => last.get(id)?.state === 'stopped');
      });
      const stopSeen = ids.map((id) => `${id} ${last.get(id)?.state ?? 'missing'}`).join(', ');
      out = [
        stoppedIn === undefined
          ? result(check, 'fail', ids.join(', '), `${stopSeen} ${stopWithinSeconds} s after the breach signal; expected stopped within ${stopWithinSeconds} s`)
          : result(check, 'pass', ids.join(', '), `stopped ${Math.round(stoppedIn / 1000)} s after the breach signal (goal ${stopWithinSeconds} s)`),
      ];
    } catch (e) {
      out = [result(check, 'fail', ids.join(', '), `waiting for the stop failed: ${describeError(e)}`)];
    }

    log('restoring through the kill switch (npm run restore)');
    let restored;
    try {
      restored = await invoke(ctx, { action: 'restore', reason: 'npm run verify --drill=kill: restore after the drill', requestedBy: REQUESTED_BY });
    } catch (e) {
      return [...out, result(check, 'fail', ctx.settings.spend.killSwitchFunction, `restore failed: ${describeError(e)}; run npm run restore, then check the instance`)];
    }
    if (restored.error) return [...out, result(check, 'fail', ctx.settings.spend.killSwitchFunction, `restore failed: ${restored.error}; run npm run restore, then check the instance`)];
    const unhealthy = alarms.find((a) => a.name.endsWith('-gateway-unhealthy'));
    let alarmState = '-';
    const healthyIn = await until(clock, restoreWithinSeconds * 1000, pollSeconds * 1000, async () => {
      last = await states(ctx, ids);
      if (!ids.every((id) => last.get(id)?.state === 'running' && last.get(id)?.checks === 'ok/ok')) return false;
      if (!unhealthy) return true;
      alarmState = await alarmStateNow(ctx, unhealthy.region, unhealthy.name);
      return alarmState === 'OK';
    });
    const seen = `${ids.map((id) => `${id} ${last.get(id)?.state ?? 'missing'} status ${last.get(id)?.checks ?? '-'}`).join(', ')}${unhealthy ? `, ${unhealthy.name} ${alarmState}` : ''}`;
    out.push(
      healthyIn === undefined
        ? result(check, 'fail', ids.join(', '), `${seen} ${restoreWithinSeconds} s after the restore; expected running, status checks ok and the gateway healthy`)
        : result(check, 'pass', ids.join(', '), `restored and healthy ${Math.round(healthyIn / 1000)} s after the restore (${seen})`),
    );
    return out;
  };
  return { id: 'kill', title: 'A real kill and restore, timed: stopped within 3 minutes of the breach signal, then healthy again', nonProdOnly: true, run };
}

/** The alarm's state now (not memoised: the drill polls it). */
async function alarmStateNow(ctx: VerifyContext, region: string, name: string): Promise<string> {
  const out = await ctx.client(CloudWatchClient, region).send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0]?.StateValue ?? 'missing';
}

export const killDrill: Drill = makeKillDrill();
