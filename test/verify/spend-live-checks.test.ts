/**
 * The live checks of the spend concern against the fake of a correct
 * example/prod, and each against its drifts: a budget deleted or its limit
 * changed, the cost allocation tag inactive or never seen, the kill switch
 * throttled to zero, its trigger subscription removed, its state killed.
 */
import { BudgetsClient, DescribeBudgetCommand, DescribeNotificationsForBudgetCommand, DescribeSubscribersForNotificationCommand } from '@aws-sdk/client-budgets';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, ListCostAllocationTagsCommand } from '@aws-sdk/client-cost-explorer';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { NOW } from '../support/config-fixture';
import { budgetDrift } from '../support/fake-deployment/budgets';
import { costTagDrift } from '../support/fake-deployment/cost-explorer';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { parameters } from '../support/fake-deployment/kill-world';
import { functionDrift } from '../support/fake-deployment/lambda';
import { subscriptionDrift } from '../support/fake-deployment/sns';
import { FakeWorld, synthesizeFixture } from '../support/fake-deployment/world';
import { budgetsPresent, costTagActive, SPEND_LIVE_CHECKS } from '../../lib/spend/live-checks';
import { killSwitchArmed } from '../../lib/spend/live-kill-switch';
import { filteredTagKeys, liveBudgets, notificationKey, subscriberKeys, templateBudgets } from '../../lib/spend/live-budgets';
import type { VerifyContext } from '../../lib/verify/verify-context';
import { answering as answerWith } from '../support/fake-deployment/wrapped-client';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';

let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
}, 180_000);
afterAll(() => fake.restore());

const ctx = () =>
  fake.world.verifyContext({ now: NOW });
const run = (check: LiveCheck) => runChecks([check], ctx());

async function drifted(check: LiveCheck, drift: () => void, undo: () => void) {
  drift();
  try {
    return await run(check);
  } finally {
    undo();
  }
}

const failures = (results: readonly { status: string; control: string; resource: string; evidence: string }[]) =>
  results.filter((r) => r.status === 'fail').map((r) => [r.control, r.resource, r.evidence]);

const name = () => fake.world.name;
const shutdown = () => `arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-shutdown`;
const killSwitch = () => `${name()}-kill-switch`;

describe('on the fake of a correct example/prod', () => {
  it.each(SPEND_LIVE_CHECKS.map((c) => [c.id, c] as const))('%s passes', async (_id, check) => {
    const results = await run(check);
    expect(failures(results)).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
  });

  it('kill-switch-armed looks at the function, its trigger, both limit alarms, both budgets at 100 % and its state', async () => {
    const resources = (await run(killSwitchArmed)).map((r) => r.resource);
    expect(resources).toEqual([
      killSwitch(),
      `${killSwitch()} concurrency`,
      `${name()}-shutdown -> ${killSwitch()}`,
      `${name()}-model-spend-daily-limit -> shutdown`,
      `${name()}-model-spend-monthly-limit -> shutdown`,
      `${name()}-monthly ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`,
      `${name()}-daily ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`,
      `/openclaw/${name()}/kill-switch`,
    ]);
  });

  it('cost-tag-active asks for the tag the budgets filter on', async () => {
    expect((await run(costTagActive)).map((r) => [r.resource, r.evidence])).toEqual([['tag openclaw:deployment', 'Active (UserDefined, last used 2026-12-01T00:00:00Z)']]);
  });
});

describe('drifts', () => {
  it('a budget deleted fails budgets-present', async () => {
    const r = await drifted(budgetsPresent, () => budgetDrift(fake.world).set(`${name()}-daily`, { deleted: true }), () => budgetDrift(fake.world).clear());
    expect(failures(r)).toEqual([['budgets-present', `${name()}-daily`, `no budget of that name in account ${fake.world.account}; expected 5 USD DAILY COST`]]);
  });

  it('a limit changed fails budgets-present', async () => {
    const r = await drifted(budgetsPresent, () => budgetDrift(fake.world).set(`${name()}-monthly`, { limitAmount: '500.0' }), () => budgetDrift(fake.world).clear());
    expect(failures(r)).toEqual([['budgets-present', `${name()}-monthly`, 'limit 500 USD MONTHLY COST; expected 60 USD MONTHLY COST']]);
  });

  it('a subscriber removed from the 100 % notification fails budgets-present and kill-switch-armed', async () => {
    const drift = () => budgetDrift(fake.world).set(`${name()}-monthly`, { removedSubscribers: [shutdown()] });
    const r = await drifted(budgetsPresent, drift, () => budgetDrift(fake.world).clear());
    expect(failures(r)).toEqual([['budgets-present', `${name()}-monthly`, expect.stringMatching(/^notification ACTUAL GREATER_THAN 100 PERCENTAGE tells SNS:\S+-alerts; expected SNS:\S+-alerts, SNS:\S+-shutdown$/)]]);
    const k = await drifted(killSwitchArmed, drift, () => budgetDrift(fake.world).clear());
    expect(failures(k)).toEqual([['kill-switch-armed', `${name()}-monthly ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`, expect.stringMatching(/^subscribers SNS:\S+-alerts; expected SNS:\S+-shutdown among them$/)]]);
  });

  it('the cost allocation tag Inactive fails cost-tag-active', async () => {
    const r = await drifted(costTagActive, () => costTagDrift(fake.world).set('openclaw:deployment', 'Inactive'), () => costTagDrift(fake.world).clear());
    expect(failures(r)).toEqual([['cost-tag-active', 'tag openclaw:deployment', expect.stringMatching(/^Inactive \(UserDefined, last used 2026-12-01T00:00:00Z\); expected Active/)]]);
  });

  it('the cost allocation tag never seen fails cost-tag-active', async () => {
    const r = await drifted(costTagActive, () => costTagDrift(fake.world).set('openclaw:deployment', 'absent'), () => costTagDrift(fake.world).clear());
    expect(failures(r)).toEqual([['cost-tag-active', 'tag openclaw:deployment', expect.stringMatching(/^not among the cost allocation tags: Billing has not seen it/)]]);
  });

  it('concurrency 0 fails kill-switch-armed', async () => {
    const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { reservedConcurrency: 0 }), () => functionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', `${killSwitch()} concurrency`, expect.stringMatching(/^ReservedConcurrentExecutions 0; expected not 0/)]]);
  });

  it('a function whose last update failed fails kill-switch-armed', async () => {
    const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { config: { LastUpdateStatus: 'Failed' } }), () => functionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', killSwitch(), 'State Active, LastUpdateStatus Failed; expected State Active, LastUpdateStatus Successful']]);
  });

  it('the trigger subscription removed fails kill-switch-armed', async () => {
    const endpoint = `arn:aws:lambda:eu-west-1:${fake.world.account}:function:${killSwitch()}`;
    const r = await drifted(killSwitchArmed, () => subscriptionDrift(fake.world).set(`${shutdown()}|lambda|${endpoint}`, 'deleted'), () => subscriptionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', `${name()}-shutdown -> ${killSwitch()}`, 'no such subscription: the shutdown topic does not invoke the kill switch; expected it confirmed']]);
  });

  it('a limit alarm dropped from TRIGGER_ALARMS fails kill-switch-armed', async () => {
    const env = { TRIGGER_ALARMS: `${name()}-model-spend-daily-limit` };
    const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { environment: env }), () => functionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', `${name()}-model-spend-monthly-limit -> shutdown`, expect.stringContaining("NOT in the kill switch's TRIGGER_ALARMS; expected")]]);
  });

  it('the state killed fails kill-switch-armed', async () => {
    const param = `/openclaw/${name()}/kill-switch`;
    const r = await drifted(killSwitchArmed, () => parameters(fake.world).set(param, JSON.stringify({ state: 'killed', at: '2026-12-05T00:00:00Z' })), () => parameters(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', param, 'state killed; expected armed or restored: after a kill, review and npm run restore']]);
  });
});

describe('what each check says, and its edges (every line a mutation run found unpinned)', () => {
  /** A context (`c`, else a new one) whose `kind` client answers `type` commands with `answer`. */
  const answering = (kind: unknown, type: abstract new (...a: never[]) => unknown, answer: (input: Record<string, unknown>, real: () => Promise<Record<string, unknown>>) => Promise<unknown> | unknown, c: VerifyContext = ctx()) =>
    answerWith(c, kind, type, answer);
  /** The world with the templates of `role` changed by `change` (resource by resource; undefined drops it, extra ones added). */
  const reshaped = (role: string, change: (id: string, r: { Type: string; Properties?: Record<string, unknown> }) => object | undefined, extra: Record<string, object> = {}) =>
    new FakeWorld({
      ...fake.world.fixture,
      stacks: fake.world.stacks.map((s) =>
        s.role !== role
          ? s
          : { ...s, template: { ...s.template, Resources: { ...Object.fromEntries(Object.entries(s.template.Resources ?? {}).flatMap(([id, r]) => { const o = change(id, r as never); return o ? [[id, o]] : []; })), ...extra } } },
      ) as typeof fake.world.stacks,
    }).verifyContext({ now: NOW });
  const evidence = (results: readonly { resource: string; evidence: string; status: string }[], resource: string) => results.filter((r) => r.resource === resource).map((r) => [r.status, r.evidence]);

  it("each check's id, control, title, concern, schedule and actions", () => {
    expect(SPEND_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam }))).toEqual([
      { id: 'spend.budgets-present', control: 'budgets-present', title: 'The budgets exist with the limits and notification subscribers of the templates', concern: 'spend', daily: true, iam: ['budgets:ViewBudget'] },
      { id: 'spend.cost-tag-active', control: 'cost-tag-active', title: 'The cost allocation tag the budgets filter on is active in Billing', concern: 'spend', daily: true, iam: ['ce:ListCostAllocationTags'] },
      {
        id: 'spend.kill-switch-armed',
        control: 'kill-switch-armed',
        title: 'The kill switch is armed: runnable, triggered by the shutdown topic, signalled by budgets and alarms, not killed',
        concern: 'spend',
        daily: true,
        iam: ['lambda:GetFunctionConfiguration', 'lambda:GetFunctionConcurrency', 'sns:ListSubscriptionsByTopic', 'cloudwatch:DescribeAlarms', 'budgets:ViewBudget', 'ssm:GetParameter'],
      },
    ]);
  });

  it('the evidence of each pass, exactly', async () => {
    const results = await runChecks(SPEND_LIVE_CHECKS, ctx());
    const alerts = `SNS:arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts`;
    expect(results.map((r) => [r.status, r.resource, r.evidence.replace(/:[0-9a-f-]{36}\)$/, ':<id>)')])).toEqual([
      ['pass', `${name()}-monthly`, 'limit 60 USD MONTHLY COST; notifications 50%, 75%, 90%, 100% with their subscribers'],
      ['pass', `${name()}-daily`, 'limit 5 USD DAILY COST; notifications 50%, 75%, 90%, 100% with their subscribers'],
      ['pass', 'tag openclaw:deployment', 'Active (UserDefined, last used 2026-12-01T00:00:00Z)'],
      ['pass', killSwitch(), 'State Active, LastUpdateStatus Successful'],
      ['pass', `${killSwitch()} concurrency`, 'no reserved concurrency (unreserved pool)'],
      ['pass', `${name()}-shutdown -> ${killSwitch()}`, `confirmed (${shutdown()}:<id>)`],
      ['pass', `${name()}-model-spend-daily-limit -> shutdown`, "ActionsEnabled true, AlarmActions include the shutdown topic, in the kill switch's TRIGGER_ALARMS"],
      ['pass', `${name()}-model-spend-monthly-limit -> shutdown`, "ActionsEnabled true, AlarmActions include the shutdown topic, in the kill switch's TRIGGER_ALARMS"],
      ['pass', `${name()}-monthly ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`, `subscribers ${alerts}, SNS:${shutdown()}`],
      ['pass', `${name()}-daily ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`, `subscribers ${alerts}, SNS:${shutdown()}`],
      ['pass', `/openclaw/${name()}/kill-switch`, 'state armed'],
    ]);
  });

  describe('budgets-present', () => {
    const monthly = () => `${name()}-monthly`;
    it('a budget without limit, unit, time unit or type, and other cost filters: one failure naming each, with what was expected', async () => {
      const c = answering(BudgetsClient, DescribeBudgetCommand, async (input, real) => {
        const out = await real();
        if (input.BudgetName !== monthly()) return out;
        return { Budget: { BudgetName: monthly(), CostFilters: { TagKeyValue: ['user:other$x'] } } };
      });
      expect(evidence(await runChecks([budgetsPresent], c), monthly())).toEqual([
        ['fail', 'limit NaN ? ? ?; expected 60 USD MONTHLY COST; cost filters {"TagKeyValue":["user:other$x"]}; expected {"TagKeyValue":["user:openclaw:deployment$openclaw-example-prod"]}'],
      ]);
      const none = answering(BudgetsClient, DescribeBudgetCommand, async (input, real) => {
        const out = (await real()) as { Budget: Record<string, unknown> };
        return input.BudgetName === monthly() ? { Budget: { ...out.Budget, CostFilters: undefined } } : out;
      });
      expect(evidence(await runChecks([budgetsPresent], none), monthly())).toEqual([['fail', 'cost filters {}; expected {"TagKeyValue":["user:openclaw:deployment$openclaw-example-prod"]}']]);
    });

    it('notifications: one missing, and one that tells no one (no Subscribers in the answer), both named', async () => {
      const c = answering(BudgetsClient, DescribeNotificationsForBudgetCommand, async (input, real) => {
        const out = (await real()) as { Notifications: { Threshold: number }[] };
        return input.BudgetName === monthly() ? { Notifications: out.Notifications.filter((n) => n.Threshold !== 100) } : out;
      });
      const quiet = answering(BudgetsClient, DescribeSubscribersForNotificationCommand, async (input, real) => ((input.Notification as { Threshold: number }).Threshold === 50 && input.BudgetName === monthly() ? {} : real()), c);
      expect(evidence(await runChecks([budgetsPresent], quiet), monthly())).toEqual([
        ['fail', `notification ACTUAL GREATER_THAN 50 PERCENTAGE tells no one; expected SNS:arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts; no notification ACTUAL GREATER_THAN 100 PERCENTAGE`],
      ]);
      // No Notifications in the answer at all: each is missing.
      const empty = answering(BudgetsClient, DescribeNotificationsForBudgetCommand, async (input, real) => (input.BudgetName === monthly() ? {} : real()));
      expect(evidence(await runChecks([budgetsPresent], empty), monthly())).toEqual([
        ['fail', ['50', '75', '90', '100'].map((t) => `no notification ACTUAL GREATER_THAN ${t} PERCENTAGE`).join('; ')],
      ]);
    });

    it('subscribers in another order are the same subscribers; a notification telling one more is named with all of them', async () => {
      const reversed = answering(BudgetsClient, DescribeSubscribersForNotificationCommand, async (_input, real) => {
        const out = (await real()) as { Subscribers: unknown[] };
        return { ...out, Subscribers: [...out.Subscribers].reverse() };
      });
      expect((await runChecks([budgetsPresent], reversed)).map((r) => r.status)).toEqual(['pass', 'pass']);
      const more = answering(BudgetsClient, DescribeSubscribersForNotificationCommand, async (input, real) => {
        const out = (await real()) as { Subscribers: unknown[] };
        return input.BudgetName === monthly() && (input.Notification as { Threshold: number }).Threshold === 50 ? { Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'x@example.com' }, ...out.Subscribers] } : out;
      });
      expect(evidence(await runChecks([budgetsPresent], more), monthly())).toEqual([
        ['fail', `notification ACTUAL GREATER_THAN 50 PERCENTAGE tells EMAIL:x@example.com, SNS:arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts; expected SNS:arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts`],
      ]);
    });

    it('notifications and their subscribers are read page by page (NextToken)', async () => {
      const calls: string[] = [];
      /** Pages of one item, the real answer cut up. */
      const paged = (list: string) => async (input: Record<string, unknown>, real: () => Promise<Record<string, unknown>>) => {
        const all = (await real())[list] as unknown[];
        const i = Number(input.NextToken ?? 0);
        calls.push(`${list}@${i}`);
        return { [list]: all.slice(i, i + 1), ...(i + 1 < all.length ? { NextToken: String(i + 1) } : {}) };
      };
      const c = answering(BudgetsClient, DescribeSubscribersForNotificationCommand, paged('Subscribers'), answering(BudgetsClient, DescribeNotificationsForBudgetCommand, paged('Notifications')));
      expect((await runChecks([budgetsPresent], c)).map((r) => r.status)).toEqual(['pass', 'pass']);
      // 4 notification pages per budget; the 100 % notification's 2 subscribers on 2 pages.
      expect(calls.filter((x) => x.startsWith('Notifications')).length).toBe(8);
      expect(calls).toContain('Subscribers@1');
    });

    it('a budget DescribeBudget does not find (NotFoundException) is absent; any other error is not read as absent', async () => {
      const notFound = answering(BudgetsClient, DescribeBudgetCommand, async (input, real) => {
        if (input.BudgetName === monthly()) throw Object.assign(new Error('Unable to get budget'), { name: 'NotFoundException' });
        return real();
      });
      expect(await liveBudgets(notFound, [monthly(), `${name()}-daily`]).then((m) => [...m.keys()])).toEqual([`${name()}-daily`]);
      const denied = answering(BudgetsClient, DescribeBudgetCommand, async () => {
        throw Object.assign(new Error('not authorized to perform: budgets:ViewBudget'), { name: 'AccessDeniedException' });
      });
      await expect(liveBudgets(denied, [monthly()])).rejects.toThrow('not authorized to perform: budgets:ViewBudget');
      // An answer without a Budget is absent too.
      const empty = answering(BudgetsClient, DescribeBudgetCommand, async () => ({}));
      expect((await liveBudgets(empty, [monthly()])).has(monthly())).toBe(false);
    });

    it('live budgets are memoized per set of names, whatever their order; different sets are asked apart', async () => {
      let asked = 0;
      const c = answering(BudgetsClient, DescribeBudgetCommand, async (_input, real) => {
        asked += 1;
        return real();
      });
      const a = `${name()}-daily`;
      const b = `${name()}-monthly`;
      expect([...(await liveBudgets(c, [b, a])).keys()]).toEqual([a, b]);
      await liveBudgets(c, [a, b, a]);
      expect(asked).toBe(2);
      // A set whose names run together the same way is another set.
      expect([...(await liveBudgets(c, [`${a}${b}`])).keys()]).toEqual([]);
      expect(asked).toBe(3);
    });
  });

  describe('the budgets helpers', () => {
    it('notificationKey and subscriberKeys: every field named, ? for what is missing, the threshold type PERCENTAGE unless given; subscribers sorted', () => {
      expect(notificationKey({} as never)).toBe('? ? undefined PERCENTAGE');
      expect(notificationKey({ NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 40, ThresholdType: 'ABSOLUTE_VALUE' })).toBe('FORECASTED GREATER_THAN 40 ABSOLUTE_VALUE');
      expect(subscriberKeys([{ SubscriptionType: 'SNS', Address: 'b' }, { SubscriptionType: 'EMAIL', Address: 'a' }, {} as never])).toEqual(['?:?', 'EMAIL:a', 'SNS:b']);
    });

    it('filteredTagKeys: the key of each user:<key>$<value> (a "user:" inside a key, or after another prefix, kept); none without TagKeyValue', () => {
      const budget = (costFilters: Record<string, string[]>) => ({ name: 'b', amount: 1, unit: 'USD', timeUnit: 'DAILY', budgetType: 'COST', costFilters, notifications: [] });
      expect(filteredTagKeys(budget({ TagKeyValue: ['user:team-user:x$v', 'user:env$prod', 'aws:user:x$v'] }))).toEqual(['team-user:x', 'env', 'aws:user:x']);
      expect(filteredTagKeys(budget({ Service: ['Amazon EC2'] }))).toEqual([]);
    });

    it('a template budget without notifications has none', async () => {
      const c = reshaped('spend', (_id, r) => (r.Type === 'AWS::Budgets::Budget' ? { ...r, Properties: { ...r.Properties, NotificationsWithSubscribers: undefined } } : r));
      expect((await templateBudgets(c)).map((b) => [b.name, b.notifications])).toEqual([
        [`${name()}-monthly`, []],
        [`${name()}-daily`, []],
      ]);
    });
  });

  describe('cost-tag-active', () => {
    it('asks Cost Explorer for exactly the filtered keys, sorted; each result matches its own key', async () => {
      const inputs: unknown[] = [];
      const retagged = reshaped('spend', (_id, r) => {
        if (r.Type !== 'AWS::Budgets::Budget') return r;
        const p = r.Properties as { Budget: { TimeUnit: string } };
        return { ...r, Properties: { ...p, Budget: { ...p.Budget, CostFilters: { TagKeyValue: [p.Budget.TimeUnit === 'MONTHLY' ? 'user:zeta$1' : 'user:alpha$2'] } } } };
      });
      const c = answering(CostExplorerClient, ListCostAllocationTagsCommand, async (input) => {
        inputs.push(input);
        return { CostAllocationTags: [{ TagKey: 'zeta', Type: 'UserDefined', Status: 'Inactive' }, { TagKey: 'alpha', Type: 'UserDefined', Status: 'Active' }] };
      }, retagged);
      expect((await runChecks([costTagActive], c)).map((r) => [r.status, r.resource, r.evidence])).toEqual([
        ['pass', 'tag alpha', 'Active (UserDefined)'],
        ['fail', 'tag zeta', 'Inactive (UserDefined); expected Active: activate it in Billing > Cost allocation tags, or the budgets filtering on it see no cost'],
      ]);
      expect(inputs).toEqual([{ TagKeys: ['alpha', 'zeta'] }]);
    });

    it('no budget filters on a tag: nothing to check, and Cost Explorer is not asked', async () => {
      let asked = 0;
      const untagged = reshaped('spend', (_id, r) => {
        if (r.Type !== 'AWS::Budgets::Budget') return r;
        const p = r.Properties as { Budget: Record<string, unknown> };
        return { ...r, Properties: { ...p, Budget: { ...p.Budget, CostFilters: undefined } } };
      });
      const c = answering(CostExplorerClient, ListCostAllocationTagsCommand, async (_input, real) => {
        asked += 1;
        return real();
      }, untagged);
      expect(await costTagActive.run(c)).toEqual([]);
      // (The runner reports a check that looked at nothing as a failure.)
      expect((await runChecks([costTagActive], c)).map((r) => [r.status, r.resource])).toEqual([['fail', '(none)']]);
      expect(asked).toBe(0);
    });

    it('an answer without tags, or a tag without status and type: named as such', async () => {
      const none = answering(CostExplorerClient, ListCostAllocationTagsCommand, async () => ({}));
      expect((await runChecks([costTagActive], none)).map((r) => r.evidence)).toEqual([expect.stringMatching(/^not among the cost allocation tags: /)]);
      const bare = answering(CostExplorerClient, ListCostAllocationTagsCommand, async () => ({ CostAllocationTags: [{ TagKey: 'openclaw:deployment' }] }));
      expect((await runChecks([costTagActive], bare)).map((r) => r.evidence)).toEqual(['(no status) (?); expected Active: activate it in Billing > Cost allocation tags, or the budgets filtering on it see no cost']);
    });
  });

  describe('kill-switch-armed', () => {
    const fnResource = () => killSwitch();
    it('a function not Active (even with its last update successful) fails', async () => {
      const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { config: { State: 'Inactive' } }), () => functionDrift(fake.world).clear());
      expect(evidence(r, fnResource())).toEqual([['fail', 'State Inactive, LastUpdateStatus Successful; expected State Active, LastUpdateStatus Successful']]);
      const unknown = answering(LambdaClient, GetFunctionConfigurationCommand, async () => ({ Environment: { Variables: { TRIGGER_ALARMS: `${name()}-model-spend-daily-limit,${name()}-model-spend-monthly-limit` } } }));
      expect(evidence(await runChecks([killSwitchArmed], unknown), fnResource())).toEqual([['fail', 'State ?, LastUpdateStatus ?; expected State Active, LastUpdateStatus Successful']]);
    });

    it('a reserved concurrency above 0 passes, naming it', async () => {
      const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { reservedConcurrency: 2 }), () => functionDrift(fake.world).clear());
      expect(evidence(r, `${killSwitch()} concurrency`)).toEqual([['pass', 'ReservedConcurrentExecutions 2']]);
    });

    it('TRIGGER_ALARMS is read as a comma list with spaces trimmed; without it (no environment, no variables) no alarm is acted on', async () => {
      const limits = [`${name()}-model-spend-daily-limit -> shutdown`, `${name()}-model-spend-monthly-limit -> shutdown`];
      const spaced = { TRIGGER_ALARMS: ` ${name()}-model-spend-daily-limit , ${name()}-model-spend-monthly-limit ,` };
      const ok = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { environment: spaced }), () => functionDrift(fake.world).clear());
      expect(limits.flatMap((l) => evidence(ok, l)).map(([s]) => s)).toEqual(['pass', 'pass']);
      for (const answer of [{ State: 'Active', LastUpdateStatus: 'Successful' }, { State: 'Active', LastUpdateStatus: 'Successful', Environment: {} }]) {
        const results = await runChecks([killSwitchArmed], answering(LambdaClient, GetFunctionConfigurationCommand, async () => answer));
        expect(limits.flatMap((l) => evidence(results, l))).toEqual([
          ['fail', "ActionsEnabled true, AlarmActions include the shutdown topic, NOT in the kill switch's TRIGGER_ALARMS; expected enabled, signalling the shutdown topic, and in TRIGGER_ALARMS"],
          ['fail', "ActionsEnabled true, AlarmActions include the shutdown topic, NOT in the kill switch's TRIGGER_ALARMS; expected enabled, signalling the shutdown topic, and in TRIGGER_ALARMS"],
        ]);
      }
    });

    it('a limit alarm disabled, or no longer signalling the shutdown topic (or signalling nothing), fails; one gone from CloudWatch fails too', async () => {
      const daily = `${name()}-model-spend-daily-limit`;
      const change = (alarm: (a: Record<string, unknown>) => Record<string, unknown> | undefined) =>
        answering(CloudWatchClient, DescribeAlarmsCommand, async (_input, real) => {
          const out = (await real()) as { MetricAlarms?: Record<string, unknown>[] };
          return { ...out, MetricAlarms: (out.MetricAlarms ?? []).flatMap((a) => (a.AlarmName === daily ? [alarm(a)].filter((x) => x !== undefined) : [a])) };
        });
      const resource = `${daily} -> shutdown`;
      expect(evidence(await runChecks([killSwitchArmed], change((a) => ({ ...a, ActionsEnabled: false }))), resource)).toEqual([
        ['fail', "ActionsEnabled false, AlarmActions include the shutdown topic, in the kill switch's TRIGGER_ALARMS; expected enabled, signalling the shutdown topic, and in TRIGGER_ALARMS"],
      ]);
      for (const actions of [[`arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts`], undefined]) {
        expect(evidence(await runChecks([killSwitchArmed], change((a) => ({ ...a, AlarmActions: actions }))), resource)).toEqual([
          ['fail', "ActionsEnabled true, AlarmActions lack the shutdown topic, in the kill switch's TRIGGER_ALARMS; expected enabled, signalling the shutdown topic, and in TRIGGER_ALARMS"],
        ]);
      }
      expect(evidence(await runChecks([killSwitchArmed], change(() => undefined)), resource)).toEqual([['fail', 'no alarm of that name in CloudWatch; expected it to signal the shutdown topic']]);
    });

    it('the trigger subscription: pending, unsubscribed, on another topic, or not in the templates at all', async () => {
      const endpoint = `arn:aws:lambda:eu-west-1:${fake.world.account}:function:${killSwitch()}`;
      const trigger = `${name()}-shutdown -> ${killSwitch()}`;
      const pending = await drifted(killSwitchArmed, () => subscriptionDrift(fake.world).set(`${shutdown()}|lambda|${endpoint}`, 'pending'), () => subscriptionDrift(fake.world).clear());
      expect(evidence(pending, trigger)).toEqual([['fail', expect.stringMatching(/^PendingConfirmation.*; expected confirmed$/)]]);
      // Unsubscribed: SNS lists it as Deleted until it drops it, and delivers nothing to it.
      const left = await drifted(killSwitchArmed, () => subscriptionDrift(fake.world).set(`${shutdown()}|lambda|${endpoint}`, 'unsubscribed'), () => subscriptionDrift(fake.world).clear());
      expect(evidence(left, trigger)).toEqual([['fail', 'Deleted; expected confirmed']]);
      const alertsRef = Object.entries(fake.world.stack('core').template.Outputs ?? {}).find(([k]) => k.includes('AlertsTopic'))![0];
      const elsewhere = reshaped('spend', (_id, r) => (r.Type === 'AWS::SNS::Subscription' ? { ...r, Properties: { ...r.Properties, TopicArn: { 'Fn::ImportValue': `${name()}-core:${alertsRef}` } } } : r));
      expect((await runChecks([killSwitchArmed], elsewhere)).filter((r) => r.resource.endsWith(`-> ${killSwitch()}`)).map((r) => [r.status, r.resource, r.evidence])).toEqual([
        ['fail', `${name()}-alerts -> ${killSwitch()}`, `subscribed to arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts; expected the shutdown topic ${shutdown()}`],
      ]);
      const none = reshaped('spend', (_id, r) => (r.Type === 'AWS::SNS::Subscription' ? undefined : r));
      expect(evidence(await runChecks([killSwitchArmed], none), killSwitch())).toEqual([
        ['pass', 'State Active, LastUpdateStatus Successful'],
        ['fail', 'the templates subscribe it to no topic: nothing would trigger it'],
      ]);
    });

    it("only the templates' lambda subscriptions to the kill switch count; live, only a lambda subscription of that endpoint", async () => {
      // Another function's lambda subscription and an HTTPS one whose URL ends like the function's ARN: not triggers.
      const topicRef = Object.entries(fake.world.stack('spend').template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::SNS::Subscription')![1]!.Properties!.TopicArn;
      const extra = {
        OtherFunctionSub: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'lambda', Endpoint: `arn:aws:lambda:eu-west-1:${fake.world.account}:function:someone-else`, TopicArn: topicRef } },
        HttpsLookalike: { Type: 'AWS::SNS::Subscription', Properties: { Protocol: 'https', Endpoint: `https://hooks.example.com/:function:${killSwitch()}`, TopicArn: topicRef } },
      };
      const c = reshaped('spend', (_id, r) => r, extra);
      expect((await runChecks([killSwitchArmed], c)).filter((r) => r.resource.includes(' -> ') && !r.resource.endsWith('-> shutdown')).map((r) => [r.status, r.resource])).toEqual([
        ['pass', `${name()}-shutdown -> ${killSwitch()}`],
      ]);
      // Live: a subscription of the endpoint under another protocol, and another lambda, do not stand for it.
      const endpoint = `arn:aws:lambda:eu-west-1:${fake.world.account}:function:${killSwitch()}`;
      const lookalikes = answering(SNSClient, ListSubscriptionsByTopicCommand, async (input, real) =>
        input.TopicArn === shutdown()
          ? {
              Subscriptions: [
                { SubscriptionArn: `${shutdown()}:1`, Protocol: 'sqs', Endpoint: endpoint, TopicArn: shutdown() },
                { SubscriptionArn: `${shutdown()}:2`, Protocol: 'lambda', Endpoint: `${endpoint}-old`, TopicArn: shutdown() },
              ],
            }
          : real(),
      );
      expect(evidence(await runChecks([killSwitchArmed], lookalikes), `${name()}-shutdown -> ${killSwitch()}`)).toEqual([
        ['fail', 'no such subscription: the shutdown topic does not invoke the kill switch; expected it confirmed'],
      ]);
    });

    it('a budget notification that cannot be read, or is gone: each fails, naming it', async () => {
      const key = `${name()}-monthly ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`;
      const denied = answering(BudgetsClient, DescribeNotificationsForBudgetCommand, async (input, real) => {
        if (input.BudgetName === `${name()}-monthly`) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return real();
      });
      expect(evidence(await runChecks([killSwitchArmed], denied), key)).toEqual([['fail', 'ThrottlingException: Rate exceeded']]);
      const gone = answering(BudgetsClient, DescribeNotificationsForBudgetCommand, async (input, real) => {
        const out = (await real()) as { Notifications: { Threshold: number }[] };
        return input.BudgetName === `${name()}-monthly` ? { Notifications: out.Notifications.filter((n) => n.Threshold !== 100) } : out;
      });
      expect(evidence(await runChecks([killSwitchArmed], gone), key)).toEqual([['fail', `no such notification; expected SNS:${shutdown()} among them`]]);
    });

    it('the recorded state: restored passes; unreadable or missing fails, quoting it', async () => {
      const param = `/openclaw/${name()}/kill-switch`;
      const restored = await drifted(killSwitchArmed, () => parameters(fake.world).set(param, JSON.stringify({ state: 'restored' })), () => parameters(fake.world).clear());
      expect(evidence(restored, param)).toEqual([['pass', 'state restored']]);
      const garbled = await drifted(killSwitchArmed, () => parameters(fake.world).set(param, 'not json at all, and longer than forty characters'), () => parameters(fake.world).clear());
      expect(evidence(garbled, param)).toEqual([['fail', 'state unreadable (not json at all, and longer than forty c); expected armed or restored: after a kill, review and npm run restore']]);
      const missing = answering(SSMClient, GetParameterCommand, async () => ({}));
      expect(evidence(await runChecks([killSwitchArmed], missing), param)).toEqual([['fail', 'state unreadable (); expected armed or restored: after a kill, review and npm run restore']]);
    });

    it('no shutdown topic in the templates: the check fails, naming the topic it looked for', async () => {
      const c = reshaped('core', (_id, r) => (r.Type === 'AWS::SNS::Topic' && JSON.stringify(r.Properties ?? {}).includes('-shutdown') ? undefined : r));
      expect((await runChecks([killSwitchArmed], c)).map((r) => [r.status, r.resource, r.evidence])).toEqual([['fail', '(check)', `Error: the templates have no topic ${name()}-shutdown`]]);
    });
  });
});
