/**
 * The notifications to the alert topic, for people: what was done (or, in a
 * dry run, what would be), by which trigger, what failed, and how to restore.
 */
import { type KillSwitchEnv } from './env';
import { type InstanceOutcome } from './instances';
import { type Ignored, type Trigger } from './triggers';
import { type Summary } from './summary';

export interface Notification {
  readonly subject: string;
  readonly message: string;
}

const deployment = (env: KillSwitchEnv) => `OpenClaw ${env.client}/${env.env}`;
export const restoreCommand = (env: KillSwitchEnv) => `npm run restore -- --client ${env.client} --env ${env.env}`;

export function describeTrigger(trigger: Trigger, action: string): string {
  switch (trigger.source) {
    case 'budget':
      return `AWS Budgets: budget ${trigger.budgetName} at ${trigger.thresholdPercent}% (${trigger.alertType})`;
    case 'alarm':
      return `CloudWatch alarm ${trigger.alarmName} in ALARM`;
    case 'operator':
      return `operator ${trigger.requestedBy} (npm run ${action})`;
  }
}

function instanceLine(i: InstanceOutcome, region: string): string {
  const what = `instance ${i.id} (${region})`;
  switch (i.result) {
    case 'stop-requested':
      return `${what}: stop requested (was ${i.before})`;
    case 'start-requested':
      return `${what}: start requested (was ${i.before})`;
    case 'would-stop':
      return `DRY RUN: would stop ${what} (now ${i.before})`;
    case 'would-start':
      return `DRY RUN: would start ${what} (now ${i.before})`;
    case 'already-stopped':
    case 'already-running':
      return `${what}: already ${i.before}, nothing to do`;
    case 'missing':
      return `${what}: not found, nothing to do`;
    case 'terminated':
      return `${what}: ${i.before}, nothing to do`;
    default:
      // failed and still-stopping. (observed is status's, and status notifies no one.)
      return `${what}: FAILED: ${i.error ?? 'unknown error'}`;
  }
}

function lines(env: KillSwitchEnv, s: Summary): string[] {
  const out = s.instances.map((i) => instanceLine(i, env.instanceRegion));
  const d = s.distribution;
  if (d !== undefined) {
    const what = `CloudFront distribution ${d.id}`;
    out.push(
      {
        disabled: `${what}: disabled (viewers get an error at the edge; takes a few minutes to deploy)`,
        'already-disabled': `${what}: already disabled`,
        'would-disable': `DRY RUN: would disable ${what}`,
        enabled: `${what}: enabled again (takes a few minutes to deploy)`,
        'already-enabled': `${what}: already enabled`,
        'would-enable': `DRY RUN: would enable ${what}`,
        failed: `${what}: FAILED: ${d.error}`,
      }[d.result],
    );
  }
  const p = s.denySecrets;
  if (p !== undefined) {
    const policy = `deny policy ${p.policyArn} (secretsmanager:GetSecretValue and BatchGetSecretValue on *)`;
    out.push(
      {
        attached: `${policy}: attached to role ${p.roleName}`,
        'would-attach': `DRY RUN: would attach ${policy} to role ${p.roleName}`,
        removed: `${policy}: detached from role ${p.roleName}`,
        'not-attached': `${policy}: was not attached to role ${p.roleName}, nothing to detach`,
        'would-remove': `DRY RUN: would detach ${policy} from role ${p.roleName}`,
        failed: `${policy} on role ${p.roleName}: FAILED: ${p.error}`,
      }[p.result],
    );
  }
  if (s.dryRun) out.push(`DRY RUN: would record the state in SSM parameter ${env.stateParameter}`);
  else out.push(s.recorded ? `state recorded in SSM parameter ${env.stateParameter}` : `state NOT recorded in SSM parameter ${env.stateParameter}`);
  if (s.metricPublished !== undefined) out.push(s.metricPublished ? `metric ${env.metricNamespace} KillSwitchExecuted published` : 'metric KillSwitchExecuted NOT published');
  return out.map((l) => `- ${l}`);
}

function subject(env: KillSwitchEnv, s: Summary): string {
  const kill = s.action === 'kill';
  if (s.dryRun) return `DRY RUN: [${deployment(env)}] kill switch would ${kill ? 'stop' : 'restore'} the gateway`;
  if (s.failures.length > 0) return `[${deployment(env)}] Kill switch ${s.action} INCOMPLETE: ${s.failures.length} step(s) failed`;
  return kill ? `[${deployment(env)}] Kill switch: gateway stopped (${s.trigger.source})` : `[${deployment(env)}] Kill switch: gateway restored`;
}

/** The notification of a kill or a restore (or of its dry run). */
export function actionNotification(env: KillSwitchEnv, s: Summary): Notification {
  const kill = s.action === 'kill';
  const body = [
    ...(s.dryRun ? ['DRY RUN: nothing was changed. This is what the kill switch would do.', ''] : []),
    `Kill switch of ${deployment(env)}: ${kill ? 'stop the gateway' : 'restore the gateway'}${s.dryRun ? ' (dry run)' : ''}`,
    `Trigger: ${describeTrigger(s.trigger, s.action)}`,
    `Reason: ${s.reason}`,
    `At: ${s.at}`,
    '',
    s.dryRun ? 'What would be done:' : 'What was done:',
    ...lines(env, s),
  ];
  if (s.failures.length > 0) {
    body.push(
      '',
      'FAILED steps (every step was attempted; the invocation fails, so a triggered kill is retried by Lambda and then lands in the dead-letter queue):',
      ...s.failures.map((f) => `- ${f}`),
    );
  }
  if (kill && !s.dryRun) body.push('', 'To restore the gateway after review (follow the kill-switch runbook first):', `  ${restoreCommand(env)}`);
  // Only a complete restore boots the host: after a failed step the FAILED list says what to run again.
  if (!kill && !s.dryRun && s.failures.length === 0) body.push('', 'The gateway host boots and reads its secrets again; the gateway-unhealthy alarm clears once it answers.');
  return { subject: subject(env, s), message: body.join('\n') };
}

/** The notification of a shutdown-topic message the kill switch could not read: it did nothing. */
export function unreadableNotification(env: KillSwitchEnv, ignored: Ignored, at: string): Notification {
  const detail = Object.entries(ignored.detail).map(([k, v]) => `- ${k}: ${v}`);
  return {
    subject: `[${deployment(env)}] Kill switch: unreadable shutdown message, nothing done`,
    message: [
      `The kill switch of ${deployment(env)} received a message on its shutdown topic that it could not read, and did nothing.`,
      `At: ${at}`,
      ...detail,
      '',
      'If it was an AWS Budgets notification, its format may have changed: check the budgets of this deployment,',
      'and stop the gateway by hand (npm run kill) if spend crossed its limit. Then fix lambda/kill-switch/budget-message.ts.',
    ].join('\n'),
  };
}
