/**
 * The budgets of a deployment, as its templates define them (every
 * AWS::Budgets::Budget, properties resolved to the live topic ARNs) and as
 * AWS Budgets has them (DescribeBudgets in the account, then each budget's
 * notifications and their subscribers). Budgets is one endpoint, us-east-1.
 */
import {
  BudgetsClient,
  DescribeBudgetCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  type Budget,
  type Notification,
  type Subscriber,
} from '@aws-sdk/client-budgets';
import { liveValue } from '../verify/template-values';
import type { VerifyContext } from '../verify/verify-context';

export const BUDGETS_REGION = 'us-east-1';

/** A notification with its subscribers (template or live). */
export interface BudgetNotification {
  /** Type, comparison, threshold and threshold type. */
  readonly notification: Notification;
  /** Who it tells. */
  readonly subscribers: readonly Subscriber[];
}

/** A budget of the templates, resolved. */
export interface TemplateBudget {
  /** BudgetName. */
  readonly name: string;
  /** BudgetLimit.Amount. */
  readonly amount: number;
  /** BudgetLimit.Unit (USD). */
  readonly unit: string;
  /** MONTHLY or DAILY. */
  readonly timeUnit: string;
  /** COST. */
  readonly budgetType: string;
  /** CostFilters, e.g. TagKeyValue: [`user:<key>$<value>`]. */
  readonly costFilters: Readonly<Record<string, readonly string[]>>;
  /** NotificationsWithSubscribers. */
  readonly notifications: readonly BudgetNotification[];
}

interface BudgetProps {
  Budget: { BudgetName: string; BudgetType: string; TimeUnit: string; BudgetLimit: { Amount: number; Unit: string }; CostFilters?: Record<string, string[]> };
  NotificationsWithSubscribers?: { Notification: Notification; Subscribers: Subscriber[] }[];
}

export function templateBudgets(ctx: VerifyContext): Promise<TemplateBudget[]> {
  return ctx.memo('budgets:template', () =>
    Promise.all(
      ctx.find('AWS::Budgets::Budget').map(async (ref) => {
        const p = (await liveValue(ctx, ref.stack, ref.resource.Properties ?? {})) as BudgetProps;
        return {
          name: p.Budget.BudgetName,
          amount: Number(p.Budget.BudgetLimit.Amount),
          unit: p.Budget.BudgetLimit.Unit,
          timeUnit: p.Budget.TimeUnit,
          budgetType: p.Budget.BudgetType,
          costFilters: p.Budget.CostFilters ?? {},
          notifications: (p.NotificationsWithSubscribers ?? []).map((n) => ({ notification: n.Notification, subscribers: n.Subscribers })),
        };
      }),
    ),
  );
}

/**
 * The live budgets of `names`, by name (absent when Budgets has none of that name). One
 * DescribeBudget per name: the daily check's role may view this deployment's budgets only
 * (budget/<name>-*), and DescribeBudgets lists every budget of the account.
 */
export function liveBudgets(ctx: VerifyContext, names: readonly string[]): Promise<ReadonlyMap<string, Budget>> {
  const sorted = [...new Set(names)].sort();
  return ctx.memo(`budgets:live:${sorted.join(',')}`, async () => {
    const client = ctx.client(BudgetsClient, BUDGETS_REGION);
    const out = new Map<string, Budget>();
    for (const BudgetName of sorted) {
      try {
        const page = await client.send(new DescribeBudgetCommand({ AccountId: ctx.account, BudgetName }));
        if (page.Budget) out.set(BudgetName, page.Budget);
      } catch (e) {
        if ((e as { name?: string }).name !== 'NotFoundException') throw e;
      }
    }
    return out;
  });
}

/** The notifications of a live budget with their subscribers. */
export function liveNotifications(ctx: VerifyContext, budgetName: string): Promise<readonly BudgetNotification[]> {
  return ctx.memo(`budgets:notifications:${budgetName}`, async () => {
    const client = ctx.client(BudgetsClient, BUDGETS_REGION);
    const notifications: Notification[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new DescribeNotificationsForBudgetCommand({ AccountId: ctx.account, BudgetName: budgetName, NextToken }));
      notifications.push(...(page.Notifications ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return Promise.all(
      notifications.map(async (notification) => {
        const subscribers: Subscriber[] = [];
        let token: string | undefined;
        do {
          const page = await client.send(new DescribeSubscribersForNotificationCommand({ AccountId: ctx.account, BudgetName: budgetName, Notification: notification, NextToken: token }));
          subscribers.push(...(page.Subscribers ?? []));
          token = page.NextToken;
        } while (token);
        return { notification, subscribers };
      }),
    );
  });
}

/** `ACTUAL > 100 PERCENTAGE`, for evidence and matching. */
export const notificationKey = (n: Notification) => `${n.NotificationType ?? '?'} ${n.ComparisonOperator ?? '?'} ${String(n.Threshold)} ${n.ThresholdType ?? 'PERCENTAGE'}`;

/** `SNS:<arn>` of each subscriber, sorted. */
export const subscriberKeys = (subs: readonly Subscriber[]) => subs.map((s) => `${s.SubscriptionType ?? '?'}:${s.Address ?? '?'}`).sort();

/** The tag keys a budget's cost filter selects on (`user:<key>$<value>` -> `<key>`). */
export const filteredTagKeys = (b: TemplateBudget): string[] =>
  (b.costFilters.TagKeyValue ?? []).map((kv) => kv.split('$')[0]!.replace(/^user:/, ''));
