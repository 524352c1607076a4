import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { projectContext } from '../../lib/app';
import { DeploymentBudgets } from '../../lib/spend/deployment-budgets';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The AWS Budgets of one deployment on a bare stack (not the whole app), with the feature
// flags of cdk.json: a monthly and a daily cost budget over the deployment's cost allocation
// tag, each notifying the alert topic at 50, 75, 90 and 100 % of actual cost and the
// shutdown topic (the kill switch) at 100 % only, pinned exactly.

const ACCOUNT = '123456789012';
const ALERTS = `arn:aws:sns:eu-west-1:${ACCOUNT}:openclaw-acme-prod-alerts`;
const SHUTDOWN = `arn:aws:sns:eu-west-1:${ACCOUNT}:openclaw-acme-prod-shutdown`;

const stack = new Stack(new App({ context: projectContext() }), 'Spend', { env: { account: ACCOUNT, region: 'eu-west-1' } });
const budgets = new DeploymentBudgets(stack, 'Budgets', { deploymentName: 'openclaw-acme-prod', monthlyUsd: 60, dailyUsd: 2.5, alertTopicArn: ALERTS, shutdownTopicArn: SHUTDOWN });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, unknown>;

const notifications = [50, 75, 90, 100].map((threshold) => ({
  Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: threshold, ThresholdType: 'PERCENTAGE' },
  Subscribers: threshold === 100 ? [{ SubscriptionType: 'SNS', Address: ALERTS }, { SubscriptionType: 'SNS', Address: SHUTDOWN }] : [{ SubscriptionType: 'SNS', Address: ALERTS }],
}));
const budget = (BudgetName: string, TimeUnit: string, Amount: number) => ({
  Type: 'AWS::Budgets::Budget',
  Properties: {
    Budget: { BudgetName, BudgetType: 'COST', TimeUnit, BudgetLimit: { Amount, Unit: 'USD' }, CostFilters: { TagKeyValue: ['user:openclaw:deployment$openclaw-acme-prod'] } },
    NotificationsWithSubscribers: notifications,
  },
});

test('a monthly and a daily cost budget of the configured amounts over this deployment\'s cost tag: 50, 75 and 90 % tell the alert topic, 100 % also the shutdown topic', () => {
  expect(resources).toEqual({
    BudgetsMonthly570BF995: budget('openclaw-acme-prod-monthly', 'MONTHLY', 60),
    BudgetsDaily54E42725: budget('openclaw-acme-prod-daily', 'DAILY', 2.5),
  });
});

test('the construct exposes each budget under its period', () => {
  expect([stack.getLogicalId(budgets.monthly), stack.getLogicalId(budgets.daily)]).toEqual(['BudgetsMonthly570BF995', 'BudgetsDaily54E42725']);
});

test('acknowledges nothing', () => {
  expect(collectAcknowledgements(stack)).toEqual([]);
});
