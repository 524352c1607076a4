import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';
import { SPEND_THRESHOLDS } from '../alarms/alarm-catalogue';

/** The cost allocation tag that names one client x environment (activate it in Billing for budgets to see cost). */
export const DEPLOYMENT_COST_TAG = 'openclaw:deployment';

export interface DeploymentBudgetsProps {
  /** `<prefix>-<client>-<env>`: names the budgets `<name>-monthly` and `<name>-daily` and is the value of DEPLOYMENT_COST_TAG. */
  readonly deploymentName: string;
  /** The monthly cost budget in USD (config spend.monthlyBudgetUsd). */
  readonly monthlyUsd: number;
  /** The daily cost budget in USD (config spend.dailyBudgetUsd). */
  readonly dailyUsd: number;
  /** Told at 50, 75, 90 and 100 %. */
  readonly alertTopicArn: string;
  /** The kill switch listens here: told at 100 %. */
  readonly shutdownTopicArn: string;
}

/**
 * AWS Budgets for one client x environment: a monthly and a daily cost
 * budget over the resources tagged `openclaw:deployment=<name>`, notifying
 * the alert topic at 50, 75 and 90 % of actual cost, and at 100 % the alert
 * topic and the shutdown topic (the kill switch). Both topics let
 * budgets.amazonaws.com publish for budgets named `<name>-*` of this account
 * (AlertTopic.allowBudgets); without that, notifications are dropped silently.
 * Budgets refresh a few times a day and never see outside model APIs: the
 * host-metered model spend (SpendAlarms) is the fast breaker.
 */
export class DeploymentBudgets extends Construct {
  readonly monthly: budgets.CfnBudget;
  readonly daily: budgets.CfnBudget;

  constructor(scope: Construct, id: string, props: DeploymentBudgetsProps) {
    super(scope, id);
    const budget = (suffix: 'monthly' | 'daily', timeUnit: 'MONTHLY' | 'DAILY', amount: number) =>
      new budgets.CfnBudget(this, suffix === 'monthly' ? 'Monthly' : 'Daily', {
        budget: {
          budgetName: `${props.deploymentName}-${suffix}`,
          budgetType: 'COST',
          timeUnit,
          budgetLimit: { amount, unit: 'USD' },
          costFilters: { TagKeyValue: [`user:${DEPLOYMENT_COST_TAG}$${props.deploymentName}`] },
        },
        notificationsWithSubscribers: SPEND_THRESHOLDS.map((pct) => ({
          notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold: pct, thresholdType: 'PERCENTAGE' },
          subscribers: [
            { subscriptionType: 'SNS', address: props.alertTopicArn },
            ...(pct === 100 ? [{ subscriptionType: 'SNS', address: props.shutdownTopicArn }] : []),
          ],
        })),
      });
    this.monthly = budget('monthly', 'MONTHLY', props.monthlyUsd);
    this.daily = budget('daily', 'DAILY', props.dailyUsd);
  }
}
