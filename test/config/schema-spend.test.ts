import { z } from 'zod';
import { spendSchema } from '../../lib/spend/config-schema';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The spend section of the schema, parsed directly (no files, no synth): each
// constraint with a value just inside and just outside it, and the exact
// message (key path: expected).

const PRICE = { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 };
/** base.yaml's spend section. */
const BASE = {
  monthlyBudgetUsd: 60,
  dailyBudgetUsd: 5,
  modelMonthlyLimitUsd: 50,
  modelDailyLimitUsd: 5,
  modelPrices: { 'anthropic/claude-sonnet-4-6': PRICE },
  onShutdown: { disableDistribution: false, denySecrets: true },
  dryRun: false,
};
/** Monthly amounts at the maximum, so that the daily ones are checked against their own limits only. */
const base = (_field?: string) => ({ ...BASE, monthlyBudgetUsd: 1_000_000, modelMonthlyLimitUsd: 1_000_000 });

test('base.yaml\'s spend values parse unchanged', () => {
  expect(spendSchema.parse(BASE)).toEqual(BASE);
});

test('every key is required, each with its own message', () => {
  expect(problemsOf(spendSchema, {})).toEqual([
    'monthlyBudgetUsd: spend.monthlyBudgetUsd: an amount in US dollars',
    'dailyBudgetUsd: spend.dailyBudgetUsd: an amount in US dollars',
    'modelMonthlyLimitUsd: spend.modelMonthlyLimitUsd: an amount in US dollars',
    'modelDailyLimitUsd: spend.modelDailyLimitUsd: an amount in US dollars',
    'modelPrices: Invalid input: expected record, received undefined',
    'onShutdown: Invalid input: expected object, received undefined',
    'dryRun: true or false',
  ]);
  expect(problemsOf(spendSchema, { ...BASE, modelPrices: { 'a/b': {} }, onShutdown: {} })).toEqual([
    'modelPrices.a/b.inputPerMTok: price of a million input tokens: an amount in US dollars',
    'modelPrices.a/b.outputPerMTok: price of a million output tokens: an amount in US dollars',
    'modelPrices.a/b.cacheReadPerMTok: price of a million cache-read tokens: an amount in US dollars',
    'modelPrices.a/b.cacheWritePerMTok: price of a million cache-write tokens: an amount in US dollars',
    'onShutdown.disableDistribution: true or false',
    'onShutdown.denySecrets: true or false',
  ]);
});

test.each([[[]], [['onShutdown']], [['modelPrices', 'anthropic/claude-sonnet-4-6']]])('an unknown key in spend%j is refused', (at) => {
  const r = spendSchema.safeParse(withValue(BASE, [...at, 'extra'], 1));
  expect(r.error?.issues.map((i) => ({ code: i.code, path: i.path, keys: (i as { keys?: string[] }).keys }))).toEqual([
    { code: 'unrecognized_keys', path: at, keys: ['extra'] },
  ]);
});

test('every key of the spend section has a description, the price table\'s entries included', () => {
  expect(undescribed(z.toJSONSchema(spendSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
  const prices = (z.toJSONSchema(spendSchema, { io: 'input' }) as unknown as { properties: { modelPrices: { additionalProperties: { description?: string } } } })
    .properties.modelPrices.additionalProperties;
  expect(prices.description).toBe('List price of one model, per million tokens, from the provider\'s price page.');
});

describe('a daily amount may not exceed its monthly one', () => {
  test.each<[string, string, number, number, string[]]>([
    ['dailyBudgetUsd', 'monthlyBudgetUsd', 5, 5, []],
    ['dailyBudgetUsd', 'monthlyBudgetUsd', 5.01, 5, ['dailyBudgetUsd: at most spend.monthlyBudgetUsd']],
    ['modelDailyLimitUsd', 'modelMonthlyLimitUsd', 5, 5, []],
    ['modelDailyLimitUsd', 'modelMonthlyLimitUsd', 5.01, 5, ['modelDailyLimitUsd: at most spend.modelMonthlyLimitUsd']],
  ])('%s %d against %s %d', (daily, monthly, d, m, expected) => {
    expect(problemsOf(spendSchema, { ...base(), [daily]: d, [monthly]: m })).toEqual(expected);
  });

  test('the two pairs are checked independently (each message on its own daily key)', () => {
    expect(problemsOf(spendSchema, { ...BASE, dailyBudgetUsd: 61, modelDailyLimitUsd: 51 })).toEqual([
      'dailyBudgetUsd: at most spend.monthlyBudgetUsd',
      'modelDailyLimitUsd: at most spend.modelMonthlyLimitUsd',
    ]);
  });
});

test.each<[string, string[]]>([
  ['anthropic/claude-sonnet-4-6', []],
  ['openrouter/Meta.Llama_3:70b-x', []],
  ['a/b', []],
  ['claude-sonnet-4-6', ['modelPrices.claude-sonnet-4-6: a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
  ['Anthropic/claude', ['modelPrices.Anthropic/claude: a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
  ['/claude', ['modelPrices./claude: a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
  ['anthropic/', ['modelPrices.anthropic/: a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
  ['a/b/c', ['modelPrices.a/b/c: a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
  [' a/b', ['modelPrices. a/b: a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
  ['a/b ', ['modelPrices.a/b : a model id as the agents name it: <provider>/<model>, e.g. anthropic/claude-sonnet-4-6']],
])('modelPrices keys: <provider>/<model>, anchored: %j', (key, expected) => {
  const r = spendSchema.safeParse({ ...BASE, modelPrices: { [key]: PRICE } });
  const messages = (r.error?.issues ?? []).map((i) => {
    const nested = (i as { issues?: { message: string }[] }).issues?.[0]?.message;
    return `${i.path.map(String).join('.')}: ${nested ?? i.message}`;
  });
  expect(messages).toEqual(expected);
});

describe('constraints', () => {
  test.each<[unknown, string[]]>([
    [1, ["dailyBudgetUsd: at most spend.monthlyBudgetUsd"]],
    [0.99, ["monthlyBudgetUsd: spend.monthlyBudgetUsd: at least $1","dailyBudgetUsd: at most spend.monthlyBudgetUsd"]],
    [1000000, []],
    [1000000.01, ["monthlyBudgetUsd: spend.monthlyBudgetUsd: at most $1,000,000"]],
    ["x", ["monthlyBudgetUsd: spend.monthlyBudgetUsd: an amount in US dollars"]],
  ])('monthlyBudgetUsd: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('monthlyBudgetUsd'), ['monthlyBudgetUsd'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0.99, ["dailyBudgetUsd: spend.dailyBudgetUsd: at least $1"]],
    [1000000, []],
    [1000000.01, ["dailyBudgetUsd: spend.dailyBudgetUsd: at most $1,000,000","dailyBudgetUsd: at most spend.monthlyBudgetUsd"]],
    [2.5, []],
    ["x", ["dailyBudgetUsd: spend.dailyBudgetUsd: an amount in US dollars"]],
  ])('dailyBudgetUsd: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('dailyBudgetUsd'), ['dailyBudgetUsd'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, ["modelDailyLimitUsd: at most spend.modelMonthlyLimitUsd"]],
    [0.99, ["modelMonthlyLimitUsd: spend.modelMonthlyLimitUsd: at least $1","modelDailyLimitUsd: at most spend.modelMonthlyLimitUsd"]],
    [1000000, []],
    [1000000.01, ["modelMonthlyLimitUsd: spend.modelMonthlyLimitUsd: at most $1,000,000"]],
    ["x", ["modelMonthlyLimitUsd: spend.modelMonthlyLimitUsd: an amount in US dollars"]],
  ])('modelMonthlyLimitUsd: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('modelMonthlyLimitUsd'), ['modelMonthlyLimitUsd'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0.99, ["modelDailyLimitUsd: spend.modelDailyLimitUsd: at least $1"]],
    [1000000, []],
    [1000000.01, ["modelDailyLimitUsd: spend.modelDailyLimitUsd: at most $1,000,000","modelDailyLimitUsd: at most spend.modelMonthlyLimitUsd"]],
    [2.5, []],
    ["x", ["modelDailyLimitUsd: spend.modelDailyLimitUsd: an amount in US dollars"]],
  ])('modelDailyLimitUsd: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('modelDailyLimitUsd'), ['modelDailyLimitUsd'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [0, []],
    [-0.01, ["modelPrices.anthropic/claude-sonnet-4-6.inputPerMTok: price of a million input tokens: at least $0"]],
    [1000000, []],
    [1000000.01, ["modelPrices.anthropic/claude-sonnet-4-6.inputPerMTok: price of a million input tokens: at most $1,000,000"]],
    ["x", ["modelPrices.anthropic/claude-sonnet-4-6.inputPerMTok: price of a million input tokens: an amount in US dollars"]],
  ])('modelPrices.anthropic/claude-sonnet-4-6.inputPerMTok: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('modelPrices.anthropic/claude-sonnet-4-6.inputPerMTok'), ['modelPrices','anthropic/claude-sonnet-4-6','inputPerMTok'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [0, []],
    [-0.01, ["modelPrices.anthropic/claude-sonnet-4-6.outputPerMTok: price of a million output tokens: at least $0"]],
    [1000000, []],
    [1000000.01, ["modelPrices.anthropic/claude-sonnet-4-6.outputPerMTok: price of a million output tokens: at most $1,000,000"]],
    ["x", ["modelPrices.anthropic/claude-sonnet-4-6.outputPerMTok: price of a million output tokens: an amount in US dollars"]],
  ])('modelPrices.anthropic/claude-sonnet-4-6.outputPerMTok: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('modelPrices.anthropic/claude-sonnet-4-6.outputPerMTok'), ['modelPrices','anthropic/claude-sonnet-4-6','outputPerMTok'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [0, []],
    [-0.01, ["modelPrices.anthropic/claude-sonnet-4-6.cacheReadPerMTok: price of a million cache-read tokens: at least $0"]],
    [1000000, []],
    [1000000.01, ["modelPrices.anthropic/claude-sonnet-4-6.cacheReadPerMTok: price of a million cache-read tokens: at most $1,000,000"]],
    ["x", ["modelPrices.anthropic/claude-sonnet-4-6.cacheReadPerMTok: price of a million cache-read tokens: an amount in US dollars"]],
  ])('modelPrices.anthropic/claude-sonnet-4-6.cacheReadPerMTok: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('modelPrices.anthropic/claude-sonnet-4-6.cacheReadPerMTok'), ['modelPrices','anthropic/claude-sonnet-4-6','cacheReadPerMTok'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [0, []],
    [-0.01, ["modelPrices.anthropic/claude-sonnet-4-6.cacheWritePerMTok: price of a million cache-write tokens: at least $0"]],
    [1000000, []],
    [1000000.01, ["modelPrices.anthropic/claude-sonnet-4-6.cacheWritePerMTok: price of a million cache-write tokens: at most $1,000,000"]],
    ["x", ["modelPrices.anthropic/claude-sonnet-4-6.cacheWritePerMTok: price of a million cache-write tokens: an amount in US dollars"]],
  ])('modelPrices.anthropic/claude-sonnet-4-6.cacheWritePerMTok: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('modelPrices.anthropic/claude-sonnet-4-6.cacheWritePerMTok'), ['modelPrices','anthropic/claude-sonnet-4-6','cacheWritePerMTok'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    ["yes", ["onShutdown.disableDistribution: true or false"]],
  ])('onShutdown.disableDistribution: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('onShutdown.disableDistribution'), ['onShutdown','disableDistribution'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [false, []],
    ["no", ["onShutdown.denySecrets: true or false"]],
  ])('onShutdown.denySecrets: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('onShutdown.denySecrets'), ['onShutdown','denySecrets'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    [1, ["dryRun: true or false"]],
  ])('dryRun: %j', (value, expected) => {
    expect(problemsOf(spendSchema, withValue(base('dryRun'), ['dryRun'], value))).toEqual(expected);
  });
});
