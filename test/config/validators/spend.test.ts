import { loadConfig } from '../../../lib/config/load';
import { mergeLayers } from '../../../lib/config/merge';
import { configSchema, resolveConfig } from '../../../lib/config/schema';
import { checkSpend } from '../../../lib/config/validators/spend';
import { CONFIG_DIR, NOW } from '../../support/config-fixture';

// Every agent's model needs a price in spend.modelPrices (the host meter could
// not price it otherwise). In-memory layers, no files.

const BASE = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).merged.value;
const CLIENT = 'config/clients/acme/client.yaml';
const agent = (model: string) => ({ description: 'An agent.', provider: 'anthropic', model });

/** base.yaml with no agents (and, when given, its price table replaced), then `overlay`. */
function check(overlay: Record<string, unknown>, lines: [string, number][] = [], prices?: Record<string, unknown>) {
  const spend = prices ? { ...(BASE.spend as object), modelPrices: prices } : BASE.spend;
  const merged = mergeLayers([
    { file: 'config/base.yaml', value: { ...BASE, spend, openclaw: { ...(BASE.openclaw as object), agents: {} } }, lines: new Map() },
    { file: CLIENT, value: overlay, lines: new Map(lines) },
  ]);
  return checkSpend(resolveConfig(configSchema.parse(merged.value), 'acme', 'dev'), merged);
}

test('agents whose models are priced pass; no agents pass', () => {
  expect(check({ openclaw: { agents: { a: agent('claude-sonnet-4-6'), b: agent('claude-sonnet-4-6') } } })).toEqual([]);
  expect(check({})).toEqual([]);
});

test('each unpriced agent is reported at its model, listing the priced ones', () => {
  expect(
    check({ openclaw: { agents: { a: agent('claude-sonnet-4-6'), b: agent('claude-opus-9'), c: agent('claude-haiku-9') } } }, [
      ['openclaw.agents.b.model', 12],
      ['openclaw.agents.c.model', 16],
    ]),
  ).toEqual(
    ['b', 'c'].map((id, i) => ({
      file: CLIENT,
      line: [12, 16][i],
      path: `openclaw.agents.${id}.model`,
      message:
        `model "anthropic/claude-${id === 'b' ? 'opus' : 'haiku'}-9" has no price in spend.modelPrices (priced: anthropic/claude-sonnet-4-6): the spend meter could not price its usage. ` +
        `Add spend.modelPrices."anthropic/claude-${id === 'b' ? 'opus' : 'haiku'}-9" with the provider's list prices per million tokens`,
    })),
  );
});

test('with an empty price table, "none" is priced; two priced models are listed comma-separated', () => {
  const PRICE = { inputPerMTok: 1, outputPerMTok: 1, cacheReadPerMTok: 1, cacheWritePerMTok: 1 };
  const none = check({ openclaw: { agents: { a: agent('m') } } }, [], {});
  expect(none.map((p) => p.message.split(':')[0])).toEqual(['model "anthropic/m" has no price in spend.modelPrices (priced']);
  expect(none[0]!.message).toContain('(priced: none): the spend meter');
  const two = check({ spend: { modelPrices: { 'x/y': PRICE, 'anthropic/n': PRICE } }, openclaw: { agents: { a: agent('m') } } });
  expect(two[0]!.message).toContain('(priced: anthropic/claude-sonnet-4-6, x/y, anthropic/n)');
});

test('the model of an agent that no layer sets at its own line is reported at the agent\'s origin', () => {
  expect(check({ openclaw: { agents: { a: agent('m') } } }).map((p) => [p.file, p.line, p.path])).toEqual([[CLIENT, undefined, 'openclaw.agents.a.model']]);
});

test('an agent with no recorded origin is still reported, without file or line (not a TypeError)', () => {
  const merged = mergeLayers([
    { file: 'config/base.yaml', value: { ...BASE, openclaw: { ...(BASE.openclaw as object), agents: { a: agent('m') } } }, lines: new Map() },
  ]);
  const config = resolveConfig(configSchema.parse(merged.value), 'acme', 'dev');
  expect(checkSpend(config, { value: merged.value, origins: new Map() })).toEqual([
    {
      file: undefined,
      line: undefined,
      path: 'openclaw.agents.a.model',
      message:
        'model "anthropic/m" has no price in spend.modelPrices (priced: anthropic/claude-sonnet-4-6): the spend meter could not price its usage. ' +
        'Add spend.modelPrices."anthropic/m" with the provider\'s list prices per million tokens',
    },
  ]);
});

describe('each agent\'s breaker limits are at most the deployment\'s (spend.modelDailyLimitUsd $5, modelMonthlyLimitUsd $50 in base.yaml)', () => {
  const withBreaker = (breaker: Record<string, number>) => ({ openclaw: { agents: { a: { ...agent('claude-sonnet-4-6'), breaker } } } });

  test('equal to the deployment\'s passes; the defaults ($2, $25) pass', () => {
    expect(check(withBreaker({ modelDailyUsd: 5, modelMonthlyUsd: 50 }))).toEqual([]);
    expect(check({ openclaw: { agents: { a: agent('claude-sonnet-4-6') } } })).toEqual([]);
  });

  test('a cent above either is reported at its key, with what was found and what is expected', () => {
    expect(check(withBreaker({ modelDailyUsd: 5.01, modelMonthlyUsd: 50.01 }), [['openclaw.agents.a.breaker.modelDailyUsd', 7], ['openclaw.agents.a.breaker.modelMonthlyUsd', 8]])).toEqual([
      {
        file: CLIENT,
        line: 7,
        path: 'openclaw.agents.a.breaker.modelDailyUsd',
        message:
          '$5.01 is above spend.modelDailyLimitUsd $5.00: expected at most $5.00, the deployment\'s own limit (the agent\'s breaker must stop its gateway before the deployment-wide kill switch stops every gateway). Lower it, or raise spend.modelDailyLimitUsd',
      },
      {
        file: CLIENT,
        line: 8,
        path: 'openclaw.agents.a.breaker.modelMonthlyUsd',
        message:
          '$50.01 is above spend.modelMonthlyLimitUsd $50.00: expected at most $50.00, the deployment\'s own limit (the agent\'s breaker must stop its gateway before the deployment-wide kill switch stops every gateway). Lower it, or raise spend.modelMonthlyLimitUsd',
      },
    ]);
  });

  test('checked against the deployment\'s own limits, not the base ones: a raised spend limit admits a raised breaker', () => {
    expect(check({ spend: { modelDailyLimitUsd: 20, modelMonthlyLimitUsd: 100 }, ...withBreaker({ modelDailyUsd: 20, modelMonthlyUsd: 100 }) })).toEqual([]);
    expect(check({ spend: { modelDailyLimitUsd: 3 }, ...withBreaker({ modelDailyUsd: 4 }) }).map((p) => p.path)).toEqual(['openclaw.agents.a.breaker.modelDailyUsd']);
  });
});
