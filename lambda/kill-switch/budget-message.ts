/**
 * AWS Budgets notifications as they reach SNS: plain text, not JSON. AWS does
 * not publish a schema; this is the body Budgets has sent (unchanged since at
 * least 2019) for a cost budget:
 *
 *   AWS Budget Notification <Month DD, YYYY>
 *   AWS Account <account id>
 *
 *   Dear AWS Customer,
 *
 *   You requested that we alert you when the ACTUAL Cost associated with your <name> budget is
 *   greater than $100.00 for the current month. The ACTUAL Cost associated with this budget is
 *   $120.00. You can find additional details below and by accessing the AWS Budgets dashboard [1].
 *
 *   Budget Name: <name>
 *   Budget Type: Cost
 *   Budgeted Amount: $100.00
 *   Alert Type: ACTUAL
 *   Alert Threshold: > $100.00
 *   ACTUAL Amount: $120.00
 *
 *   [1] https://console.aws.amazon.com/billing/home#/budgets
 *
 * A PERCENTAGE threshold is shown as the amount it stands for, so the
 * percentage is Alert Threshold / Budgeted Amount. A threshold written as a
 * percentage ("> 100%", "Greater than 100%", or "(100.0% of your budget)" in
 * the prose) is read as well, in case the wording changes.
 */

export interface BudgetNotification {
  readonly budgetName: string;
  /** ACTUAL or FORECASTED; undefined when the message does not say. */
  readonly alertType: string | undefined;
  /** The alert threshold as a percentage of the budgeted amount, to 0.1. */
  readonly thresholdPercent: number;
  /** The budgeted amount as written (e.g. "$100.00"), when the message gives it. */
  readonly budgetedAmount: string | undefined;
}

export type BudgetParse =
  | { readonly kind: 'budget'; readonly notification: BudgetNotification }
  | { readonly kind: 'not-budget' }
  | { readonly kind: 'unreadable'; readonly problem: string; readonly budgetName: string | undefined };

const ANCHOR = /^\s*AWS Budget Notification\b/m;
/**
 * A field is a line that starts with its name. Blanks around the name, the colon and the value are
 * spaces and tabs only (`[^\S\r\n]`), never a line break: an empty value must not take the next line.
 */
const FIELD = /^[^\S\r\n]*(Budget Name|Budgeted Amount|Alert Type|Alert Threshold|Threshold)[^\S\r\n]*:[^\S\r\n]*(.*?)[^\S\r\n]*$/gim;
const COMPARATOR = /^(>=|>|greater than or equal to|greater than|exceeds|over)\s*/i;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const AMOUNT = /^(?:[$€£¥]|[A-Z]{3})?\s*(\d[\d,]*(?:\.\d+)?)\s*(?:[A-Z]{3})?$/;
const PROSE_PERCENT = /\((\d+(?:\.\d+)?)\s*% of your budget\)/i;

/** Cents of an amount such as "$1,234.50" or "1234.5 USD" (a trimmed field value); undefined when it is none. */
function cents(text: string): number | undefined {
  const m = AMOUNT.exec(text);
  return m === null ? undefined : Math.round(Number(m[1]!.replace(/,/g, '')) * 100);
}

/**
 * A percentage to 0.1, never rounded across 100: a threshold below 100 % stays at most 99.9 (it must not
 * stop the gateway), one that `reached` 100 % stays at least 100.
 */
function percentage(n: number, reached = n >= 100): number {
  const tenth = Math.round(n * 10) / 10;
  return reached ? Math.max(100, tenth) : Math.min(99.9, tenth);
}

export function parseBudgetMessage(text: string): BudgetParse {
  const fields = new Map<string, string>();
  for (const m of text.matchAll(FIELD)) {
    const key = m[1]!.toLowerCase();
    if (!fields.has(key)) fields.set(key, m[2]!);
  }
  const budgetName = fields.get('budget name');
  if (!ANCHOR.test(text) && budgetName === undefined) return { kind: 'not-budget' };
  if (budgetName === undefined || budgetName === '') return { kind: 'unreadable', problem: 'no "Budget Name:" line', budgetName: undefined };

  const alertType = fields.get('alert type')?.toUpperCase() || undefined;
  const budgetedAmount = fields.get('budgeted amount') || undefined;
  // Field values are trimmed, and COMPARATOR takes the blanks after it.
  const threshold = (fields.get('alert threshold') ?? fields.get('threshold') ?? '').replace(COMPARATOR, '');

  let thresholdPercent: number | undefined;
  const percent = PERCENT.exec(threshold);
  if (percent !== null) {
    thresholdPercent = percentage(Number(percent[1]));
  } else if (threshold !== '') {
    const over = cents(threshold);
    const budget = cents(budgetedAmount ?? '');
    if (over === undefined) return { kind: 'unreadable', problem: `alert threshold "${threshold.slice(0, 40)}" is not an amount or a percentage`, budgetName };
    if (budget === undefined || budget <= 0) return { kind: 'unreadable', problem: 'no positive "Budgeted Amount:" to compare the alert threshold with', budgetName };
    // Whole cents on both sides: a 100 % threshold is shown as exactly the budgeted amount.
    thresholdPercent = percentage((over / budget) * 100, over >= budget);
  } else {
    const prose = PROSE_PERCENT.exec(text);
    if (prose === null) return { kind: 'unreadable', problem: 'no "Alert Threshold:" line', budgetName };
    thresholdPercent = percentage(Number(prose[1]));
  }
  return { kind: 'budget', notification: { budgetName, alertType, thresholdPercent, budgetedAmount } };
}
