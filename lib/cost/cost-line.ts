/**
 * One line of the monthly cost estimate (what is used, how much, at which price,
 * and why), the categories the report groups lines by, and their total.
 */

/** The report's sections, in the order it prints them (and sorts lines by). */
export const COST_CATEGORIES = ['Compute', 'Network', 'Keys and secrets', 'Edge', 'Monitoring', 'Logs and audit', 'Other', 'Not priced'] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

export interface CostLine {
  /** Stable identifier of the line, e.g. `ec2:t4g.small`, `kms-key`, `secret`. */
  readonly key: string;
  /** The report section the line is printed in. */
  readonly category: CostCategory;
  /** What is charged for, as the report names it. */
  readonly item: string;
  /** How much of `unit` the deployment uses a month (before any free tier). */
  readonly quantity: number;
  /** What `quantity` counts, e.g. `instance-month`, `GB-month`. */
  readonly unit: string;
  /** List price of one `unit`. */
  readonly unitUsd: number;
  /** What the month costs: quantity x unitUsd, less a free tier where the basis says so. */
  readonly monthlyUsd: number;
  /** Where the quantity comes from (resources, assumptions) and how the price applies. */
  readonly basis: string;
  /**
   * The price is marked unsure in the price table.
   * @default false (the property is left out)
   */
  readonly unsurePrice?: boolean;
}

/** What the lines cost a month together (unpriced lines count 0). */
export const totalUsd = (lines: readonly CostLine[]) => lines.reduce((s, l) => s + l.monthlyUsd, 0);
