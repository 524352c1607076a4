/** The body AWS Budgets sends to SNS for a cost budget (see budget-message.ts). */
export function budgetMessage(o: { name?: string; budgeted?: string; threshold?: string; actual?: string; type?: string } = {}): string {
  const { name = 'openclaw-example-prod-monthly', budgeted = '$100.00', threshold = '$100.00', actual = '$120.00', type = 'ACTUAL' } = o;
  return [
    'AWS Budget Notification May 20, 2026',
    'AWS Account 123456789012',
    '',
    'Dear AWS Customer,',
    '',
    `You requested that we alert you when the ${type} Cost associated with your ${name} budget is greater than ${threshold} for the current month. ` +
      `The ${type} Cost associated with this budget is ${actual}. You can find additional details below and by accessing the AWS Budgets dashboard [1].`,
    '',
    `Budget Name: ${name}`,
    'Budget Type: Cost',
    `Budgeted Amount: ${budgeted}`,
    `Alert Type: ${type}`,
    `Alert Threshold: > ${threshold}`,
    `${type} Amount: ${actual}`,
    '',
    '[1] https://console.aws.amazon.com/billing/home#/budgets',
    '',
  ].join('\n');
}
