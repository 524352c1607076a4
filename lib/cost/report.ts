/**
 * The cost report: a fixed-width table of the estimate's lines by category,
 * each with its basis, the price date and region, and the monthly total.
 */
import { COST_CATEGORIES, totalUsd, type CostLine } from './cost-line';
import { PRICE_REGION, PRICE_TABLE_DATE } from './price-table';
import { fmtQty } from './wording';

export interface ReportOptions {
  /**
   * What is estimated, e.g. openclaw-example-prod.
   * @default none: the heading is `Monthly cost estimate`
   */
  readonly title?: string;
  /**
   * The region the deployment runs in (a label: prices are us-east-1's).
   * @default us-east-1 (no note on regional prices)
   */
  readonly region?: string;
  /**
   * Print each line's basis under it.
   * @default true
   */
  readonly basis?: boolean;
}

const money = (n: number) => {
  if (n === 0) return '0';
  if (n >= 0.1) return n.toFixed(2);
  const digits = Math.min(10, Math.ceil(-Math.log10(n)) + 1);
  return n.toFixed(digits).replace(/0+$/, '');
};

/** The table's cells of one line (or of the heading). */
interface Cells {
  readonly item: string;
  readonly qty: string;
  readonly unit: string;
  readonly unitUsd: string;
  readonly monthly: string;
}

const HEAD: Cells = { item: 'Item', qty: 'Quantity', unit: 'Unit', unitUsd: 'Unit price', monthly: 'Per month' };

const cellsOf = (l: CostLine): Cells & { readonly line: CostLine } => ({
  item: `${l.item}${l.unsurePrice ? ' *' : ''}`,
  qty: fmtQty(l.quantity),
  unit: l.unit,
  unitUsd: `$${money(l.unitUsd)}`,
  monthly: `$${l.monthlyUsd.toFixed(2)}`,
  line: l,
});

/** Column widths: the widest cell (items indented by 2), the unit column at most 32. */
function columnWidths(rows: readonly Cells[]): Record<keyof Cells, number> {
  return {
    item: Math.max(HEAD.item.length, ...rows.map((r) => r.item.length + 2)),
    qty: Math.max(HEAD.qty.length, ...rows.map((r) => r.qty.length)),
    unit: Math.min(32, Math.max(HEAD.unit.length, ...rows.map((r) => r.unit.length))),
    unitUsd: Math.max(HEAD.unitUsd.length, ...rows.map((r) => r.unitUsd.length)),
    monthly: Math.max(HEAD.monthly.length, ...rows.map((r) => r.monthly.length)),
  };
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}~` : s);

/** The heading's two lines: what is estimated, and the prices' region and date. */
function heading(options: ReportOptions): string[] {
  const regionNote =
    options.region && options.region !== PRICE_REGION ? `; the deployment runs in ${options.region}, priced here at ${PRICE_REGION} list prices (no regional price table)` : '';
  return [
    `Monthly cost estimate${options.title ? `: ${options.title}` : ''}`,
    `Prices: ${PRICE_REGION} list prices, on demand, checked ${PRICE_TABLE_DATE} (lib/cost/price-table.ts)${regionNote}`,
  ];
}

/** The notes under the table (unsure prices, unpriced resources) and the total. */
function footer(lines: readonly CostLine[]): string[] {
  const out: string[] = [];
  if (lines.some((l) => l.unsurePrice)) out.push('* price marked unsure in lib/cost/price-table.ts: check it on the source page');
  if (lines.some((l) => l.category === 'Not priced')) out.push('Some resources are not priced (see "Not priced"): the total leaves them out.');
  out.push(`Total  $${totalUsd(lines).toFixed(2)} / month (${PRICE_REGION} list prices, ${PRICE_TABLE_DATE})`);
  return out;
}

/**
 * A fixed-width table of the lines, by category, with the price date; the last
 * line is `Total  $NN.NN / month (us-east-1 list prices, <date>)`.
 */
export function formatCostReport(lines: readonly CostLine[], options: ReportOptions = {}): string {
  const showBasis = options.basis ?? true;
  const rows = lines.map(cellsOf);
  const w = columnWidths(rows);
  const row = (r: Cells) =>
    `${r.item.padEnd(w.item)}  ${r.qty.padStart(w.qty)}  ${cut(r.unit, w.unit).padEnd(w.unit)}  ${r.unitUsd.padStart(w.unitUsd)}  ${r.monthly.padStart(w.monthly)}`.trimEnd();
  const rule = '-'.repeat(w.item + w.qty + w.unit + w.unitUsd + w.monthly + 8);
  const out: string[] = [...heading(options), '', row(HEAD), rule];
  for (const category of COST_CATEGORIES) {
    const inCategory = rows.filter((r) => r.line.category === category);
    if (inCategory.length === 0) continue;
    const subtotal = inCategory.reduce((s, r) => s + r.line.monthlyUsd, 0);
    out.push(`${category} ($${subtotal.toFixed(2)})`);
    for (const r of inCategory) {
      out.push(row({ ...r, item: `  ${r.item}` }));
      if (showBasis) out.push(`      ${r.line.basis}`);
    }
  }
  out.push(rule, ...footer(lines));
  return out.join('\n');
}
