/**
 * The kill switch of one client x environment: stops the gateway when spend
 * crosses its limit, and restores it after review. It depends on nothing of
 * the agent system: only EC2, CloudFront, IAM, SSM, CloudWatch and SNS.
 *
 * Triggers (triggers.ts): AWS Budgets and CloudWatch alarm notifications from
 * the shutdown topic, and operators' direct invocations (npm run kill |
 * restore | status). Actions (actions.ts): kill, restore, status; dry run.
 *
 * Every invocation: read and check the environment (env.ts), decide, act,
 * write one JSON line with the summary, return it. A kill or restore with a
 * failed step throws after every step was attempted, recorded and notified,
 * so that an SNS-triggered (asynchronous) invocation is retried by Lambda and
 * finally lands in its dead-letter queue.
 */
import { change, status } from './actions';
import { type KillSwitchEnv, readEnv } from './env';
import { describeError, KillSwitchLog } from './log';
import { unreadableNotification } from './message';
import { notify } from './notify';
import { type IgnoredSummary, type Summary } from './summary';
import { decide, type Ignored } from './triggers';

class KillSwitchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KillSwitchError';
  }
}

/** No message acts: each ignored one is logged, an unreadable one told to the alert topic. */
async function ignore(ignored: readonly Ignored[], log: KillSwitchLog, env: KillSwitchEnv): Promise<IgnoredSummary> {
  let notified = false;
  for (const i of ignored) {
    if (i.notify) {
      log.error(i.outcome, i.detail);
      const { subject, message } = unreadableNotification(env, i, new Date().toISOString());
      await notify(env.alertTopicArn, subject, message);
      notified = true;
    } else {
      log.info(i.outcome, i.detail);
    }
  }
  return { action: 'ignored', dryRun: env.dryRun, ignored: ignored.map((i) => ({ outcome: i.outcome, ...i.detail })), notified };
}

export async function handler(event: unknown): Promise<Summary | IgnoredSummary> {
  const log = new KillSwitchLog();
  try {
    const env = readEnv(process.env);
    log.setContext({ client: env.client, env: env.env });
    const decisions = decide(event, env.triggerAlarms);
    const acting = decisions.flatMap((d) => (d.kind === 'act' ? [d.request] : []));
    const ignored = decisions.flatMap((d) => (d.kind === 'ignore' ? [d.ignored] : []));
    const request = acting[0];
    if (request === undefined) return await ignore(ignored, log, env);
    for (const i of ignored) log.info(i.outcome, i.detail);
    if (acting.length > 1) log.info('coalesced', { triggers: acting.length, note: 'one kill for several triggering messages' });

    const dryRun = env.dryRun || request.dryRun;
    log.info('triggered', { action: request.action, dryRun, trigger: request.trigger, reason: request.reason });
    const summary = request.action === 'status' ? await status(env, request) : await change(env, request, dryRun);
    if (summary.failures.length > 0 && request.action !== 'status') {
      log.error('incomplete', { summary });
      throw new KillSwitchError(`kill switch ${request.action} incomplete: ${summary.failures.join('; ')}`);
    }
    log.info(summary.failures.length > 0 ? 'status-partial' : dryRun && request.action !== 'status' ? 'dry-run' : 'done', { summary });
    return summary;
  } catch (err) {
    if (!(err instanceof KillSwitchError)) log.error('failed', { error: describeError(err, 1000) });
    throw err;
  }
}
