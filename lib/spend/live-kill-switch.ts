/**
 * The live check that the kill switch is armed: the function can run (Active,
 * its last update Successful, not throttled to zero), the shutdown topic
 * invokes it (a confirmed subscription), the budgets' 100 % notifications
 * and the spend-limit alarms signal that topic (and the function acts on
 * those alarms), and its recorded state is not `killed`.
 */
import { GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { alarmsWithLive } from '../alarms/live-alarms';
import { bestMatch, isConfirmed, liveSubscriptions, subscriptionState } from '../alarms/live-subscriptions';
import { liveString, liveValue } from '../verify/template-values';
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { liveNotifications, notificationKey, subscriberKeys, templateBudgets } from './live-budgets';

/** The shutdown topic's ARN (the template topic named settings.spend.shutdownTopicName). */
export async function shutdownTopicArn(ctx: VerifyContext): Promise<string> {
  for (const ref of ctx.find('AWS::SNS::Topic')) {
    const arn = await ctx.physicalId(ref);
    if (arn.endsWith(`:${ctx.settings.spend.shutdownTopicName}`)) return arn;
  }
  throw new Error(`the templates have no topic ${ctx.settings.spend.shutdownTopicName}`);
}

async function functionState(ctx: VerifyContext, check: LiveCheck): Promise<{ results: CheckResult[]; triggerAlarms: string[] }> {
  const name = ctx.settings.spend.killSwitchFunction;
  const region = ctx.stack('spend').region;
  const lambda = ctx.client(LambdaClient, region);
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
  const reserved = concurrency.ReservedConcurrentExecutions;
  return {
    triggerAlarms: (config.Environment?.Variables?.TRIGGER_ALARMS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    results: [
      expect(check, config.State === 'Active' && config.LastUpdateStatus === 'Successful', name, `State ${config.State ?? '?'}, LastUpdateStatus ${config.LastUpdateStatus ?? '?'}`, 'State Active, LastUpdateStatus Successful'),
      expect(check, reserved !== 0, `${name} concurrency`, reserved === undefined ? 'no reserved concurrency (unreserved pool)' : `ReservedConcurrentExecutions ${reserved}`, 'not 0: a function reserved 0 is throttled on every invocation (aws lambda delete-function-concurrency)'),
    ],
  };
}

/** The template's lambda subscriptions to the kill switch: each exists on its topic, confirmed. */
async function triggerSubscriptions(ctx: VerifyContext, check: LiveCheck, topicArn: string): Promise<CheckResult[]> {
  const fnName = ctx.settings.spend.killSwitchFunction;
  const wanted = (
    await Promise.all(
      ctx.find('AWS::SNS::Subscription').map(async (ref) => {
        const p = (ref.resource.Properties ?? {}) as Record<string, unknown>;
        if (p.Protocol !== 'lambda') return [];
        const endpoint = await liveString(ctx, ref.stack, p.Endpoint);
        return endpoint.endsWith(`:function:${fnName}`) ? [{ endpoint, topic: await liveString(ctx, ref.stack, p.TopicArn) }] : [];
      }),
    )
  ).flat();
  if (wanted.length === 0) return [result(check, 'fail', fnName, 'the templates subscribe it to no topic: nothing would trigger it')];
  return Promise.all(
    wanted.map(async (w) => {
      const resource = `${w.topic.split(':').pop()} -> ${fnName}`;
      if (w.topic !== topicArn) return result(check, 'fail', resource, `subscribed to ${w.topic}; expected the shutdown topic ${topicArn}`);
      const found = bestMatch((await liveSubscriptions(ctx, w.topic)).filter((s) => s.Protocol === 'lambda' && s.Endpoint === w.endpoint));
      if (!found) return result(check, 'fail', resource, 'no such subscription: the shutdown topic does not invoke the kill switch; expected it confirmed');
      return expect(check, isConfirmed(found), resource, subscriptionState(found), 'confirmed');
    }),
  );
}

/** The alarms that signal the shutdown topic (by the templates): live, they still do, and the function acts on them. */
async function alarmSignals(ctx: VerifyContext, check: LiveCheck, topicArn: string, triggerAlarms: readonly string[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const { alarm, live } of await alarmsWithLive(ctx)) {
    const actions = (await liveValue(ctx, alarm.ref.stack, alarm.properties.AlarmActions ?? [])) as string[];
    if (!actions.includes(topicArn)) continue;
    const resource = `${alarm.name} -> shutdown`;
    if (!live) {
      out.push(result(check, 'fail', resource, 'no alarm of that name in CloudWatch; expected it to signal the shutdown topic'));
      continue;
    }
    const includes = (live.AlarmActions ?? []).includes(topicArn);
    const acted = triggerAlarms.includes(alarm.name);
    out.push(
      expect(
        check,
        live.ActionsEnabled === true && includes && acted,
        resource,
        `ActionsEnabled ${String(live.ActionsEnabled)}, AlarmActions ${includes ? 'include' : 'lack'} the shutdown topic, ${acted ? 'in' : 'NOT in'} the kill switch's TRIGGER_ALARMS`,
        'enabled, signalling the shutdown topic, and in TRIGGER_ALARMS',
      ),
    );
  }
  return out;
}

/** The budgets' notifications that tell the shutdown topic (by the templates): live, they still do. */
async function budgetSignals(ctx: VerifyContext, check: LiveCheck, topicArn: string): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const b of await templateBudgets(ctx)) {
    for (const n of b.notifications.filter((x) => subscriberKeys(x.subscribers).includes(`SNS:${topicArn}`))) {
      const key = notificationKey(n.notification);
      let live;
      try {
        live = (await liveNotifications(ctx, b.name)).find((x) => notificationKey(x.notification) === key);
      } catch (e) {
        out.push(result(check, 'fail', `${b.name} ${key} -> shutdown`, `${(e as Error).name}: ${(e as Error).message}`));
        continue;
      }
      const tells = live !== undefined && subscriberKeys(live.subscribers).includes(`SNS:${topicArn}`);
      out.push(expect(check, tells, `${b.name} ${key} -> shutdown`, live ? `subscribers ${subscriberKeys(live.subscribers).join(', ')}` : 'no such notification', `SNS:${topicArn} among them`));
    }
  }
  return out;
}

async function recordedState(ctx: VerifyContext, check: LiveCheck): Promise<CheckResult> {
  const name = ctx.settings.spend.killSwitchStateParameter;
  const out = await ctx.client(SSMClient, ctx.stack('spend').region).send(new GetParameterCommand({ Name: name }));
  let state: string;
  try {
    state = String((JSON.parse(out.Parameter?.Value ?? '') as { state?: unknown }).state);
  } catch {
    state = `unreadable (${(out.Parameter?.Value ?? '').slice(0, 40)})`;
  }
  return expect(check, state === 'armed' || state === 'restored', name, `state ${state}`, 'armed or restored: after a kill, review and npm run restore');
}

export const killSwitchArmed: LiveCheck = {
  id: 'spend.kill-switch-armed',
  control: 'kill-switch-armed',
  title: 'The kill switch is armed: runnable, triggered by the shutdown topic, signalled by budgets and alarms, not killed',
  concern: 'spend',
  daily: true,
  iam: ['lambda:GetFunctionConfiguration', 'lambda:GetFunctionConcurrency', 'sns:ListSubscriptionsByTopic', 'cloudwatch:DescribeAlarms', 'budgets:ViewBudget', 'ssm:GetParameter'],
  run: async (ctx) => {
    const topic = await shutdownTopicArn(ctx);
    const fn = await functionState(ctx, killSwitchArmed);
    return [
      ...fn.results,
      ...(await triggerSubscriptions(ctx, killSwitchArmed, topic)),
      ...(await alarmSignals(ctx, killSwitchArmed, topic, fn.triggerAlarms)),
      ...(await budgetSignals(ctx, killSwitchArmed, topic)),
      await recordedState(ctx, killSwitchArmed),
    ];
  },
};
