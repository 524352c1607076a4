/**
 * Pricing of model usage, pure: tokens x list price per million tokens, in US
 * dollars, from the manifest's price table (spend.modelPrices). A model not in
 * the table is priced at the highest listed price of each token kind (input,
 * output, cache read, cache write), so an unlisted model is never cheaper than
 * any listed one. UTC day and month keys for the running totals.
 */
import type { SpendMeterPrice } from '../../lib/host/spend-meter';

/** Token counts of one model call (OpenClaw's usage: input, output, cacheRead, cacheWrite). */
export interface Tokens {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/** Most tokens of one kind that one record may claim: more is not a model call but an absurd value, capped to this. */
export const MAX_TOKENS_PER_KIND = 10_000_000;

/** The price of each kind: the highest of the table (the price of a model the table does not list). */
export function fallbackPrice(prices: Readonly<Record<string, SpendMeterPrice>>): SpendMeterPrice {
  const all = Object.values(prices);
  if (all.length === 0) throw new Error('the price table is empty');
  const max = (k: keyof SpendMeterPrice) => Math.max(...all.map((p) => p[k]));
  return { inputPerMTok: max('inputPerMTok'), outputPerMTok: max('outputPerMTok'), cacheReadPerMTok: max('cacheReadPerMTok'), cacheWritePerMTok: max('cacheWritePerMTok') };
}

/** The price of `model` (`<provider>/<model>`), and whether the table lists it. */
export function priceFor(model: string, prices: Readonly<Record<string, SpendMeterPrice>>, fallback: SpendMeterPrice): { price: SpendMeterPrice; listed: boolean } {
  const listed = Object.prototype.hasOwnProperty.call(prices, model);
  return { price: listed ? prices[model]! : fallback, listed };
}

/** What `tokens` cost at `price`, in US dollars. */
export function costUsd(tokens: Tokens, price: SpendMeterPrice): number {
  return (
    (tokens.input * price.inputPerMTok + tokens.output * price.outputPerMTok + tokens.cacheRead * price.cacheReadPerMTok + tokens.cacheWrite * price.cacheWritePerMTok) /
    1_000_000
  );
}

/** `$1,234.56`-style amount for the log line: two decimals, no grouping. */
export const formatUsd = (usd: number) => `$${(Math.round(usd * 100) / 100).toFixed(2)}`;

/** A dollar figure as published: rounded to a millionth of a dollar (no float noise in the metric). */
export const metricValue = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** `YYYY-MM-DD` of a time, UTC. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `YYYY-MM` of a time, UTC. */
export const utcMonth = (ms: number) => new Date(ms).toISOString().slice(0, 7);
/** Start of the UTC month of a time, in ms. */
export function utcMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
