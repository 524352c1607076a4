import { z } from 'zod';

const usd = (what: string, min: number) =>
  z
    .number({ error: `${what}: an amount in US dollars` })
    .min(min, { error: `${what}: at least $${min}` })
    .max(1_000_000, { error: `${what}: at most $1,000,000` });

/** Model id as the agents name it: `<provider>/<model>`, e.g. anthropic/claude-sonnet-4-6. */
const MODEL_ID = /^[a-z0-9-]+\/[A-Za-z0-9._:-]+$/;

const priceSchema = z
  .strictObject({
    inputPerMTok: usd('price of a million input tokens', 0).describe('US dollars per million input (prompt) tokens.'),
    outputPerMTok: usd('price of a million output tokens', 0).describe('US dollars per million output (completion) tokens.'),
    cacheReadPerMTok: usd('price of a million cache-read tokens', 0).describe('US dollars per million prompt-cache read tokens.'),
    cacheWritePerMTok: usd('price of a million cache-write tokens', 0).describe('US dollars per million prompt-cache write tokens.'),
  })
  .describe('List price of one model, per million tokens, from the provider\'s price page.');

export const spendSchema = z
  .strictObject({
    monthlyBudgetUsd: usd('spend.monthlyBudgetUsd', 1).describe(
      'AWS Budgets monthly cost budget of this client x environment (its resources, by the openclaw:client and openclaw:env cost allocation tags). ' +
        'Alerts at 50, 75 and 90 %; at 100 % the kill switch stops the gateway.',
    ),
    dailyBudgetUsd: usd('spend.dailyBudgetUsd', 1).describe('AWS Budgets daily cost budget; same thresholds and kill switch as the monthly one.'),
    modelMonthlyLimitUsd: usd('spend.modelMonthlyLimitUsd', 1).describe(
      'Model API spend this month (metered on the host from OpenClaw\'s usage data, priced by spend.modelPrices) that stops the gateway; alerts at 50, 75 and 90 %.',
    ),
    modelDailyLimitUsd: usd('spend.modelDailyLimitUsd', 1).describe('Model API spend today (UTC) that stops the gateway; alerts at 50, 75 and 90 %.'),
    modelPrices: z
      .record(z.string().regex(MODEL_ID, { error: 'a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6' }), priceSchema)
      .describe('Price table of the models the agents use, keyed <provider>/<model>. Every agent\'s model must be listed, or its spend could not be metered.'),
    onShutdown: z
      .strictObject({
        disableDistribution: z.boolean({ error: 'true or false' }).describe('Also disable the CloudFront distribution (viewers get an error at the edge instead of a timeout).'),
        denySecrets: z
          .boolean({ error: 'true or false' })
          .describe('Also attach a deny-all-secrets policy to the host role, so that even a restarted host cannot read its credentials until restore removes it.'),
      })
      .describe('What the kill switch does besides stopping the gateway instance.'),
    dryRun: z
      .boolean({ error: 'true or false' })
      .describe('Kill switch in dry-run mode: it records and notifies what it would do, and changes nothing. For rehearsals; never in prod.'),
  })
  .refine((s) => s.dailyBudgetUsd <= s.monthlyBudgetUsd, { path: ['dailyBudgetUsd'], error: 'at most spend.monthlyBudgetUsd' })
  .refine((s) => s.modelDailyLimitUsd <= s.modelMonthlyLimitUsd, { path: ['modelDailyLimitUsd'], error: 'at most spend.modelMonthlyLimitUsd' })
  .describe('The spend circuit breaker: AWS Budgets, the host-metered model spend, and the kill switch they trigger.');

export type SpendConfig = z.infer<typeof spendSchema>;
export type ModelPrice = z.infer<typeof priceSchema>;
