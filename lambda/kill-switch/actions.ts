/**
 * The three actions. Kill and restore attempt every step even when one fails,
 * then record, (kill) count and notify; the failures are in the summary and
 * the handler throws on them. Every step is safe to repeat and to run twice
 * at once: stopping a stopping instance, attaching an attached deny policy,
 * overwriting the state, a CloudFront ETag race (retried).
 *
 *   kill      1 stop the instances   2 disable the distribution   3 attach the deny policy
 *             4 record "killed"      5 KillSwitchExecuted = 1      6 notify
 *   restore   1 detach the deny policy   2 enable the distribution   3 start the stopped instances
 *             4 record "restored"    6 notify
 *   status    the recorded state and the instances' states; changes nothing, tells no one
 *
 * A dry run (DRY_RUN=true or the event's dryRun) only reads (DescribeInstances,
 * GetDistributionConfig), records nothing, publishes no metric, and notifies
 * what it would do.
 */
import { attachDeny, type DenyOutcome, removeDeny } from './deny-secrets';
import { type DistributionOutcome, setDistributionEnabled } from './distribution';
import { type KillSwitchEnv } from './env';
import { FAILED_RESULTS, type InstanceOutcome, observeInstance, startInstance, stopInstance } from './instances';
import { describeError } from './log';
import { actionNotification } from './message';
import { publishExecuted } from './metric';
import { notify } from './notify';
import { readRecordedState, recordState } from './state';
import { type Summary } from './summary';
import { type ActionRequest } from './triggers';

function stepFailures(instances: readonly InstanceOutcome[], distribution?: DistributionOutcome, deny?: DenyOutcome): string[] {
  const out = instances.filter((i) => FAILED_RESULTS.has(i.result)).map((i) => `instance ${i.id}: ${i.error ?? i.result}`);
  if (distribution?.result === 'failed') out.push(`distribution ${distribution.id}: ${distribution.error}`);
  if (deny?.result === 'failed') out.push(`deny policy ${deny.policyArn} on role ${deny.roleName}: ${deny.error}`);
  return out;
}

/** Kill or restore, for real or as a dry run. */
export async function change(env: KillSwitchEnv, request: ActionRequest, dryRun: boolean, now: Date = new Date()): Promise<Summary> {
  const kill = request.action === 'kill';
  const region = env.instanceRegion;
  let instances: InstanceOutcome[];
  let distribution: DistributionOutcome | undefined;
  let deny: DenyOutcome | undefined;
  if (kill) {
    instances = await Promise.all(env.instanceIds.map((id) => stopInstance(region, id, dryRun)));
    if (env.distributionId !== undefined) distribution = await setDistributionEnabled(env.distributionId, false, dryRun);
    if (env.denySecrets !== undefined) deny = await attachDeny(env.denySecrets, dryRun);
  } else {
    // The deny goes first, so that a host that starts can read its secrets.
    if (env.denySecrets !== undefined) deny = await removeDeny(env.denySecrets, dryRun);
    if (env.distributionId !== undefined) distribution = await setDistributionEnabled(env.distributionId, true, dryRun);
    instances = await Promise.all(env.instanceIds.map((id) => startInstance(region, id, dryRun)));
  }
  const failures = stepFailures(instances, distribution, deny);
  const at = now.toISOString();

  let recorded = false;
  if (!dryRun) {
    try {
      await recordState(env.stateParameter, {
        state: kill ? 'killed' : 'restored',
        at,
        trigger: { ...request.trigger },
        reason: request.reason,
        complete: failures.length === 0,
        actions: [
          ...instances.map((i) => ({ step: 'instance', ...i })),
          ...(distribution === undefined ? [] : [{ step: 'distribution', ...distribution }]),
          ...(deny === undefined ? [] : [{ step: 'deny-secrets', ...deny }]),
        ],
      });
      recorded = true;
    } catch (err) {
      failures.push(`record state in ${env.stateParameter}: ${describeError(err)}`);
    }
  }

  let metricPublished: boolean | undefined;
  if (kill && !dryRun) {
    try {
      await publishExecuted(env.metricNamespace);
      metricPublished = true;
    } catch (err) {
      metricPublished = false;
      failures.push(`metric KillSwitchExecuted: ${describeError(err)}`);
    }
  }

  const summary: Summary = {
    action: request.action,
    dryRun,
    trigger: request.trigger,
    reason: request.reason,
    at,
    instances,
    ...(distribution === undefined ? {} : { distribution }),
    ...(deny === undefined ? {} : { denySecrets: deny }),
    recorded,
    ...(metricPublished === undefined ? {} : { metricPublished }),
    notified: false,
    failures,
  };
  const { subject, message } = actionNotification(env, summary);
  try {
    await notify(env.alertTopicArn, subject, message);
    return { ...summary, notified: true };
  } catch (err) {
    return { ...summary, failures: [...failures, `notify ${env.alertTopicArn}: ${describeError(err)}`] };
  }
}

/** Status: reads only. A read that fails is listed in failures; status never throws for it. */
export async function status(env: KillSwitchEnv, request: ActionRequest, now: Date = new Date()): Promise<Summary> {
  const [instances, recordedState] = await Promise.all([
    Promise.all(env.instanceIds.map((id) => observeInstance(env.instanceRegion, id))),
    readRecordedState(env.stateParameter).then(
      (state) => ({ state, error: undefined }),
      (err: unknown) => ({ state: undefined, error: describeError(err) }),
    ),
  ]);
  const failures = stepFailures(instances);
  if (recordedState.error !== undefined) failures.push(`read state from ${env.stateParameter}: ${recordedState.error}`);
  return {
    action: 'status',
    dryRun: request.dryRun || env.dryRun,
    trigger: request.trigger,
    reason: request.reason,
    at: now.toISOString(),
    instances,
    recorded: false,
    notified: false,
    failures,
    recordedState: recordedState.state,
  };
}
