/**
 * AWS Budgets of the fake deployment (one account-wide service, endpoint
 * us-east-1): the AWS::Budgets::Budget resources of the templates with their
 * notifications and subscribers, as DescribeBudgets,
 * DescribeNotificationsForBudget and DescribeSubscribersForNotification
 * answer (BudgetLimit.Amount is a string in the API).
 * Drift: world.state['budgets.budgets'] (budgetDrift) by budget name.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  BudgetsClient,
  DescribeBudgetCommand,
  DescribeBudgetsCommand,
  DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand,
  NotFoundException,
  type Budget,
  type Notification,
  type Subscriber,
} from '@aws-sdk/client-budgets';
import type { FakeWorld, ServiceFake } from './world';

/** A budget deleted, or its limit changed (the amount as the API returns it, e.g. `500.0`). */
export interface BudgetDrift {
  readonly deleted?: boolean;
  readonly limitAmount?: string;
  /** Subscribers removed from every notification, by address. */
  readonly removedSubscribers?: readonly string[];
}

export function budgetDrift(world: FakeWorld): Map<string, BudgetDrift> {
  return ((world.state['budgets.budgets'] as Map<string, BudgetDrift> | undefined) ??= new Map());
}

interface FakeBudget {
  readonly budget: Budget;
  readonly notifications: { readonly notification: Notification; readonly subscribers: Subscriber[] }[];
}

type Props = {
  Budget: { BudgetName: string; BudgetType: string; TimeUnit: string; BudgetLimit: { Amount: number; Unit: string }; CostFilters?: Record<string, string[]> };
  NotificationsWithSubscribers?: { Notification: Notification; Subscribers: Subscriber[] }[];
};

function budgetsOf(world: FakeWorld): FakeBudget[] {
  return world.resources('AWS::Budgets::Budget').flatMap((r) => {
    const p = world.properties(r) as unknown as Props;
    const drift = budgetDrift(world).get(p.Budget.BudgetName);
    if (drift?.deleted) return [];
    return [
      {
        budget: {
          BudgetName: p.Budget.BudgetName,
          BudgetType: p.Budget.BudgetType as Budget['BudgetType'],
          TimeUnit: p.Budget.TimeUnit as Budget['TimeUnit'],
          BudgetLimit: { Amount: drift?.limitAmount ?? p.Budget.BudgetLimit.Amount.toFixed(1), Unit: p.Budget.BudgetLimit.Unit },
          CostFilters: p.Budget.CostFilters,
        },
        notifications: (p.NotificationsWithSubscribers ?? []).map((n) => ({
          notification: { ...n.Notification, NotificationState: 'OK' },
          subscribers: n.Subscribers.filter((s) => !(drift?.removedSubscribers ?? []).includes(s.Address ?? '')),
        })),
      },
    ];
  });
}

const notFound = (what: string) => new NotFoundException({ message: `${what} not found`, $metadata: { httpStatusCode: 400 } });

export const budgetsFake: ServiceFake = (world) => {
  const b = mockClient(BudgetsClient);
  const byName = (name: string | undefined) => {
    const found = budgetsOf(world).find((x) => x.budget.BudgetName === name);
    if (!found) throw notFound(`Unable to get budget: ${name} - the budget doesn't exist.`);
    return found;
  };
  const accountOk = (id: string | undefined) => {
    if (id !== world.account) throw Object.assign(new Error(`Account ${id} is not the caller's account`), { name: 'AccessDeniedException' });
  };
  b.on(DescribeBudgetsCommand).callsFake(async (input: { AccountId?: string }) => {
    accountOk(input.AccountId);
    return { Budgets: budgetsOf(world).map((x) => x.budget) };
  });
  b.on(DescribeBudgetCommand).callsFake(async (input: { AccountId?: string; BudgetName?: string }) => {
    accountOk(input.AccountId);
    return { Budget: byName(input.BudgetName).budget };
  });
  b.on(DescribeNotificationsForBudgetCommand).callsFake(async (input: { AccountId?: string; BudgetName?: string }) => {
    accountOk(input.AccountId);
    return { Notifications: byName(input.BudgetName).notifications.map((n) => n.notification) };
  });
  b.on(DescribeSubscribersForNotificationCommand).callsFake(async (input: { AccountId?: string; BudgetName?: string; Notification?: Notification }) => {
    accountOk(input.AccountId);
    const same = (n: Notification) =>
      n.NotificationType === input.Notification?.NotificationType &&
      n.ComparisonOperator === input.Notification?.ComparisonOperator &&
      n.Threshold === input.Notification?.Threshold &&
      (n.ThresholdType ?? 'PERCENTAGE') === (input.Notification?.ThresholdType ?? 'PERCENTAGE');
    const found = byName(input.BudgetName).notifications.find((n) => same(n.notification));
    if (!found) throw notFound('Notification');
    return { Subscribers: found.subscribers };
  });
  return [b];
};
