/**
 * The live checks of the alarms concern (see lib/verify/live-check.ts): every
 * alarm of the templates exists with its actions enabled and wired, none is
 * stuck without data after its warm-up, and every subscription of the
 * deployment's topics (the alert topics and the shutdown topic) is confirmed.
 */
import type { Subscription } from '@aws-sdk/client-sns';
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { alarmsWithLive, type LiveAlarm, type TemplateAlarm } from './live-alarms';
import { bestMatch, DELETED, isConfirmed, liveSubscriptions, PENDING, subscriptionState } from './live-subscriptions';
import { liveString, liveValue } from '../verify/template-values';

const ACTION_LISTS = ['AlarmActions', 'OKActions', 'InsufficientDataActions'] as const;

const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const show = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');

/** The action lists the template gives an alarm, resolved to the ARNs the deployment has. */
async function expectedActions(ctx: VerifyContext, alarm: TemplateAlarm): Promise<Record<(typeof ACTION_LISTS)[number], string[]>> {
  const out = {} as Record<(typeof ACTION_LISTS)[number], string[]>;
  for (const k of ACTION_LISTS) out[k] = listOf(await liveValue(ctx, alarm.ref.stack, alarm.properties[k] ?? []));
  return out;
}

const where = (a: TemplateAlarm) => `${a.name} (${a.region})`;

export const alarmActions: LiveCheck = {
  id: 'alarms.alarm-actions',
  control: 'alarm-actions',
  title: 'Every alarm of the templates exists, its actions enabled and wired as deployed',
  concern: 'alarms',
  daily: true,
  iam: ['cloudwatch:DescribeAlarms'],
  run: async (ctx) =>
    Promise.all(
      (await alarmsWithLive(ctx)).map(async ({ alarm, live }): Promise<CheckResult> => {
        const want = await expectedActions(ctx, alarm);
        if (!live) return result(alarmActions, 'fail', where(alarm), `no alarm of that name in CloudWatch; expected it with AlarmActions ${show(want.AlarmActions)}`);
        const problems: string[] = [];
        if (live.ActionsEnabled !== true) problems.push(`ActionsEnabled ${String(live.ActionsEnabled)}; expected true`);
        for (const k of ACTION_LISTS) {
          const seen = listOf(live[k]);
          if (!sameSet(seen, want[k])) problems.push(`${k} ${show(seen)}; expected ${show(want[k])}`);
        }
        if (problems.length) return result(alarmActions, 'fail', where(alarm), problems.join('; '));
        return result(alarmActions, 'pass', where(alarm), `ActionsEnabled true; AlarmActions ${show(want.AlarmActions)}; OKActions ${show(want.OKActions)}`);
      }),
    ),
};

/** The evaluation window of an alarm in minutes: Period x EvaluationPeriods (for metric math, its longest period). */
function windowMinutes(p: Readonly<Record<string, unknown>>): number {
  const periods = [Number(p.Period ?? 0), ...((p.Metrics as { Period?: number; MetricStat?: { Period?: number } }[] | undefined) ?? []).map((m) => Number(m.MetricStat?.Period ?? m.Period ?? 0))];
  return (Math.max(...periods) * Number(p.EvaluationPeriods ?? 1)) / 60;
}

/**
 * INSUFFICIENT_DATA is the normal state of an alarm only when the template lets
 * missing data read as missing (TreatMissingData missing, the default, or
 * ignore) on a metric published only on events (not an AWS/ namespace, whose
 * metrics a running resource publishes all the time). breaching and
 * notBreaching alarms leave INSUFFICIENT_DATA at their first evaluation.
 */
function insufficientDataExpected(p: Readonly<Record<string, unknown>>): boolean {
  const treat = String(p.TreatMissingData ?? 'missing');
  const namespace = String(p.Namespace ?? '');
  return (treat === 'missing' || treat === 'ignore') && namespace !== '' && !namespace.startsWith('AWS/');
}

const minutes = (ms: number) => Math.round(ms / 60_000);

export const alarmHasData: LiveCheck = {
  id: 'alarms.alarm-has-data',
  control: 'alarm-has-data',
  title: 'No alarm is stuck in INSUFFICIENT_DATA after its warm-up',
  concern: 'alarms',
  daily: true,
  iam: ['cloudwatch:DescribeAlarms'],
  run: async (ctx) =>
    (await alarmsWithLive(ctx)).map(({ alarm, live }) => judgeData(ctx, alarm, live)),
};

function judgeData(ctx: VerifyContext, alarm: TemplateAlarm, live: LiveAlarm | undefined): CheckResult {
  if (!live) return result(alarmHasData, 'fail', where(alarm), 'no alarm of that name in CloudWatch: it cannot have data');
  const since = live.StateTransitionedTimestamp ?? live.StateUpdatedTimestamp;
  const state = live.StateValue ?? '(none)';
  if (state !== 'INSUFFICIENT_DATA') return result(alarmHasData, 'pass', where(alarm), `StateValue ${state}${since ? ` since ${since.toISOString()}` : ''}`);
  const { minimumMinutes, windows } = ctx.settings.alarms.warmUp;
  const warmUp = Math.max(minimumMinutes, windows * windowMinutes(alarm.properties));
  const age = since ? minutes(ctx.options.now.getTime() - since.getTime()) : Number.POSITIVE_INFINITY;
  const seen = `INSUFFICIENT_DATA for ${Number.isFinite(age) ? `${age} min (since ${since!.toISOString()})` : 'an unknown time'}`;
  if (insufficientDataExpected(alarm.properties)) {
    return result(alarmHasData, 'pass', where(alarm), `${seen}: expected, TreatMissingData ${String(alarm.properties.TreatMissingData ?? 'missing')} on ${String(alarm.properties.Namespace)}`);
  }
  return expect(alarmHasData, age <= warmUp, where(alarm), seen, `data within the warm-up of ${warmUp} min (TreatMissingData ${String(alarm.properties.TreatMissingData ?? 'missing')})`);
}

interface WantedSubscription {
  readonly protocol: string;
  readonly endpoint: string;
  /** Where the expectation comes from: the template or config.alerts. */
  readonly from: string;
}

/** Every topic of the templates with the subscriptions it must have: its template subscriptions and, on alert topics, config.alerts. */
async function wantedSubscriptions(ctx: VerifyContext): Promise<{ readonly name: string; readonly arn: string; readonly wanted: WantedSubscription[] }[]> {
  const subs = await Promise.all(
    ctx.find('AWS::SNS::Subscription').map(async (ref) => {
      const p = (ref.resource.Properties ?? {}) as Record<string, unknown>;
      return {
        topicArn: await liveString(ctx, ref.stack, p.TopicArn),
        protocol: String(p.Protocol),
        endpoint: await liveString(ctx, ref.stack, p.Endpoint),
        from: `template ${ref.logicalId}`,
      };
    }),
  );
  return Promise.all(
    ctx.find('AWS::SNS::Topic').map(async (ref) => {
      const arn = await ctx.physicalId(ref);
      const name = arn.split(':').pop() ?? arn;
      const wanted = new Map<string, WantedSubscription>();
      if (ctx.settings.alarms.alertTopicNames.includes(name)) {
        for (const e of ctx.settings.alarms.alertEndpoints) wanted.set(`${e.protocol}|${e.endpoint}`, { ...e, from: 'config alerts' });
      }
      for (const s of subs.filter((x) => x.topicArn === arn)) wanted.set(`${s.protocol}|${s.endpoint}`, s);
      return { name, arn, wanted: [...wanted.values()] };
    }),
  );
}

const describeSub = (s: Subscription) => `${s.Protocol ?? '?'}:${s.Endpoint ?? '?'} ${isConfirmed(s) ? 'confirmed' : subscriptionState(s)}`;

export const alertsSubscribed: LiveCheck = {
  id: 'alarms.alerts-subscribed',
  control: 'alerts-subscribed',
  title: 'Every subscription of the alert and shutdown topics exists and is confirmed',
  concern: 'alarms',
  daily: true,
  iam: ['sns:ListSubscriptionsByTopic'],
  run: async (ctx) =>
    (
      await Promise.all(
        (await wantedSubscriptions(ctx)).map(async (topic) => {
          const live = await liveSubscriptions(ctx, topic.arn);
          return topic.wanted.map((w) => {
            const resource = `${topic.name} ${w.protocol}:${w.endpoint}`;
            const found = bestMatch(live.filter((s) => s.Protocol === w.protocol && s.Endpoint === w.endpoint));
            if (!found) return result(alertsSubscribed, 'fail', resource, `no such subscription (the topic has ${live.length ? live.map(describeSub).join(', ') : 'none'}); expected it confirmed (${w.from})`);
            const fix =
              found.SubscriptionArn === PENDING ? 'the recipient must click the link in the confirmation message'
              : found.SubscriptionArn === DELETED ? 'the recipient unsubscribed: subscribe the endpoint again'
              : 'SNS lists it without a subscription ARN: subscribe the endpoint again';
            return expect(alertsSubscribed, isConfirmed(found), resource, subscriptionState(found), `confirmed: ${fix}, or remove it from ${w.from}`);
          });
        }),
      )
    ).flat(),
};

export const ALARMS_LIVE_CHECKS: readonly LiveCheck[] = [alarmActions, alarmHasData, alertsSubscribed];
