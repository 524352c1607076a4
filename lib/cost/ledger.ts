/**
 * The ledger of one estimate: what every service family's pricing reads (the
 * templates, the deployment's config, the usage assumptions) and writes (its
 * cost lines), and which resource types a family has looked at, so that the
 * types no family priced can be listed as not priced at the end.
 */
import type { ResolvedConfig } from '../config/schema';
import { COST_CATEGORIES, type CostCategory, type CostLine } from './cost-line';
import { PRICES, type Price, type PriceKey } from './price-table';
import type { Res, TemplateIndex } from './template-index';
import type { Usage } from './usage-assumptions';

/** How a line departs from `quantity x price` in the price's own unit. */
export interface LineOptions {
  /**
   * Price of one unit of the line.
   * @default the price's `usd`
   */
  readonly unitUsd?: number;
  /**
   * What the quantity counts.
   * @default the price's `unit`
   */
  readonly unit?: string;
  /**
   * What the month costs (e.g. less a free tier).
   * @default quantity x unitUsd
   */
  readonly monthlyUsd?: number;
}

export class Ledger {
  private readonly written: CostLine[] = [];
  private readonly handled = new Set<string>();

  constructor(
    /** The deployment's templates. */
    readonly ix: TemplateIndex,
    /** The deployment's config. */
    readonly config: ResolvedConfig,
    /** The usage assumptions, overrides applied. */
    readonly u: Usage,
  ) {}

  /** The resources of a type, which counts it as handled (priced or deliberately left out). */
  of(type: string): Res[] {
    this.handled.add(type);
    return this.ix.ofType(type);
  }

  /** Whether a family has looked at resources of the type through `of`. */
  isHandled(type: string): boolean {
    return this.handled.has(type);
  }

  /** A priced line: `quantity` x the price (a price table key, or a price). */
  add(key: string, category: CostCategory, item: string, quantity: number, priceKey: PriceKey | Price, basis: string, opts: LineOptions = {}) {
    const p = typeof priceKey === 'string' ? PRICES[priceKey] : priceKey;
    const unitUsd = opts.unitUsd ?? p.usd;
    this.written.push({
      key,
      category,
      item,
      quantity,
      unit: opts.unit ?? p.unit,
      unitUsd,
      monthlyUsd: opts.monthlyUsd ?? quantity * unitUsd,
      basis,
      ...(p.confidence === 'unsure' ? { unsurePrice: true } : {}),
    });
  }

  /** A line under "Not priced": in the report, left out of the total. */
  unpriced(key: string, item: string, quantity: number, basis: string) {
    this.written.push({ key: `unpriced:${key}`, category: 'Not priced', item, quantity, unit: '-', unitUsd: 0, monthlyUsd: 0, basis: `${basis}; left out of the total` });
  }

  /** The lines by category (in COST_CATEGORIES order), in the order written within one. */
  lines(): CostLine[] {
    const order = (l: CostLine) => COST_CATEGORIES.indexOf(l.category);
    return this.written.map((l, i) => ({ l, i })).sort((a, b) => order(a.l) - order(b.l) || a.i - b.i).map(({ l }) => l);
  }
}
