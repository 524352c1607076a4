/**
 * The live checks of the spend concern (see lib/verify/live-check.ts): the
 * budgets exist as deployed, the cost allocation tag they filter on is active
 * (else they see no cost), and the kill switch is armed end to end.
 */
import { CostExplorerClient, ListCostAllocationTagsCommand } from '@aws-sdk/client-cost-explorer';
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import { filteredTagKeys, liveBudgets, liveNotifications, notificationKey, subscriberKeys, templateBudgets } from './live-budgets';
import { killSwitchArmed } from './live-kill-switch';

export const budgetsPresent: LiveCheck = {
  id: 'spend.budgets-present',
  control: 'budgets-present',
  title: 'The budgets exist with the limits and notification subscribers of the templates',
  concern: 'spend',
  daily: true,
  iam: ['budgets:ViewBudget'],
  run: async (ctx) => {
    const wanted = await templateBudgets(ctx);
    const live = await liveBudgets(ctx, wanted.map((w) => w.name));
    return Promise.all(
      wanted.map(async (want): Promise<CheckResult> => {
        const b = live.get(want.name);
        const limit = `${want.amount} ${want.unit} ${want.timeUnit} ${want.budgetType}`;
        if (!b) return result(budgetsPresent, 'fail', want.name, `no budget of that name in account ${ctx.account}; expected ${limit}`);
        const problems: string[] = [];
        const seenLimit = `${Number(b.BudgetLimit?.Amount)} ${b.BudgetLimit?.Unit ?? '?'} ${b.TimeUnit ?? '?'} ${b.BudgetType ?? '?'}`;
        if (seenLimit !== limit) problems.push(`limit ${seenLimit}; expected ${limit}`);
        if (JSON.stringify(b.CostFilters ?? {}) !== JSON.stringify(want.costFilters)) problems.push(`cost filters ${JSON.stringify(b.CostFilters ?? {})}; expected ${JSON.stringify(want.costFilters)}`);
        const notes = await liveNotifications(ctx, want.name);
        for (const n of want.notifications) {
          const key = notificationKey(n.notification);
          const found = notes.find((x) => notificationKey(x.notification) === key);
          if (!found) problems.push(`no notification ${key}`);
          // subscriberKeys sorts: the same subscribers in another order are the same.
          else if (subscriberKeys(found.subscribers).join('\n') !== subscriberKeys(n.subscribers).join('\n')) {
            problems.push(`notification ${key} tells ${subscriberKeys(found.subscribers).join(', ') || 'no one'}; expected ${subscriberKeys(n.subscribers).join(', ')}`);
          }
        }
        if (problems.length) return result(budgetsPresent, 'fail', want.name, problems.join('; '));
        return result(budgetsPresent, 'pass', want.name, `limit ${seenLimit}; notifications ${want.notifications.map((n) => `${String(n.notification.Threshold)}%`).join(', ')} with their subscribers`);
      }),
    );
  },
};

/** Cost Explorer's API is one endpoint, us-east-1. */
const COST_EXPLORER_REGION = 'us-east-1';

export const costTagActive: LiveCheck = {
  id: 'spend.cost-tag-active',
  control: 'cost-tag-active',
  title: 'The cost allocation tag the budgets filter on is active in Billing',
  concern: 'spend',
  daily: true,
  iam: ['ce:ListCostAllocationTags'],
  run: async (ctx) => {
    const keys = [...new Set((await templateBudgets(ctx)).flatMap(filteredTagKeys))].sort();
    if (keys.length === 0) return [];
    const out = await ctx.client(CostExplorerClient, COST_EXPLORER_REGION).send(new ListCostAllocationTagsCommand({ TagKeys: keys }));
    return keys.map((key) => {
      const tag = (out.CostAllocationTags ?? []).find((t) => t.TagKey === key);
      if (!tag) return result(costTagActive, 'fail', `tag ${key}`, 'not among the cost allocation tags: Billing has not seen it on any resource yet (it lists a tag up to 24 h after first use); expected Active');
      return expect(
        costTagActive,
        tag.Status === 'Active',
        `tag ${key}`,
        `${tag.Status ?? '(no status)'} (${tag.Type ?? '?'}${tag.LastUsedDate ? `, last used ${tag.LastUsedDate}` : ''})`,
        'Active: activate it in Billing > Cost allocation tags, or the budgets filtering on it see no cost',
      );
    });
  },
};

export const SPEND_LIVE_CHECKS: readonly LiveCheck[] = [budgetsPresent, costTagActive, killSwitchArmed];
