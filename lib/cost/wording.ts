/**
 * How the estimate words quantities, prices and resources in its lines and
 * report: thousands separators, `$usd/unit`, singular or plural, and a list of
 * resources cut after a few.
 */
import type { Price } from './price-table';
import { refName, type Res } from './template-index';

/** A quantity with thousands separators and at most three decimals. */
export const fmtQty = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 3 });
/** A price as `$usd/unit`. */
export const fmtPrice = (p: Price) => `$${p.usd}/${p.unit}`;
/** `1 instance`, `2 instances`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** The resources' `stack/logicalId`s, the first `max` of them and how many more. */
export const listRefs = (rs: readonly Res[], max = 4) =>
  rs.length <= max ? rs.map(refName).join(', ') : `${rs.slice(0, max).map(refName).join(', ')} and ${rs.length - max} more`;
