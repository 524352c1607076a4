import type { ResolvedConfig } from '../../lib/config/schema';
import { NFT_TABLE } from '../../lib/host/nftables-rules';
import {
  AGENT_BREAKER_TRIPPED_METRIC,
  BREAKER_GATEWAY_DIMENSION,
  BREAKER_NFT_TABLE,
  SPEND_METER_BREAKER_DIR,
  MODEL_DIMENSION,
  MODEL_SPEND_MONTH_METRIC,
  MODEL_SPEND_TODAY_METRIC,
  SPEND_METER_MANIFEST_BUNDLE_PATH,
  SPEND_METER_MANIFEST_PATH,
  SPEND_METER_MANIFEST_VERSION,
  SPEND_METER_PROGRAM_PATH,
  SPEND_METER_STATE_FILE,
  renderSpendMeterManifest,
  spendMeterManifestText,
} from '../../lib/host/spend-meter';
import { exampleConfig } from './support/host-tools';

// lib/host/spend-meter.ts on its own, fast: the manifest the host's spend meter reads
// (prices, limits, paths, namespace), exactly. What the meter does with it is
// test/host-runtime/spend-meter*.test.ts.

const config = exampleConfig('prod');
const price = (inputPerMTok: number, outputPerMTok: number, cacheReadPerMTok: number, cacheWritePerMTok: number) => ({
  inputPerMTok,
  outputPerMTok,
  cacheReadPerMTok,
  cacheWritePerMTok,
});
const DEFAULT_LIMITS = { modelDailyUsd: 2, modelMonthlyUsd: 25, toolCallsPer5Min: 150, blockedEgressPer5Min: 20 };
const withSpend = (spend: Partial<ResolvedConfig['spend']>) => ({ ...config, spend: { ...config.spend, ...spend } }) as ResolvedConfig;

test('paths, metric names and the manifest version, exactly', () => {
  expect([SPEND_METER_MANIFEST_PATH, SPEND_METER_MANIFEST_BUNDLE_PATH, SPEND_METER_PROGRAM_PATH, SPEND_METER_STATE_FILE]).toEqual([
    '/etc/openclaw/spend-meter.json',
    'openclaw/spend-meter.json',
    'scripts/spend-meter.js',
    '/var/lib/openclaw-meter/state.json',
  ]);
  expect([MODEL_SPEND_TODAY_METRIC, MODEL_SPEND_MONTH_METRIC, MODEL_DIMENSION, SPEND_METER_MANIFEST_VERSION]).toEqual([
    'ModelSpendTodayUsd',
    'ModelSpendMonthUsd',
    'Model',
    2,
  ]);
  expect([AGENT_BREAKER_TRIPPED_METRIC, BREAKER_GATEWAY_DIMENSION, SPEND_METER_BREAKER_DIR, BREAKER_NFT_TABLE, NFT_TABLE]).toEqual(['AgentBreakerTripped', 'Gateway', '/var/lib/openclaw-meter/breaker', 'openclaw', 'openclaw']);
});

test('the manifest of the example prod, exactly: host paths by default', () => {
  expect(renderSpendMeterManifest(config)).toEqual({
    version: 2,
    deployment: 'openclaw-example-prod',
    region: 'eu-west-1',
    namespace: 'OpenClaw/openclaw-example-prod',
    openclawStateDir: '/var/lib/openclaw',
    stateFile: '/var/lib/openclaw-meter/state.json',
    prices: { 'anthropic/claude-sonnet-4-6': price(3, 15, 0.3, 3.75) },
    limits: { dailyUsd: 5, monthlyUsd: 50 },
    gateways: [
      { id: 'ops', agents: ['ops'], unit: 'openclaw-gateway@ops.service', user: 'openclaw-ops', stateDir: '/var/lib/openclaw/ops', proxyPort: 3129, nftCounter: 'egress_blocked_ops', limits: DEFAULT_LIMITS },
      {
        id: 'support',
        agents: ['support'],
        unit: 'openclaw-gateway@support.service',
        user: 'openclaw-support',
        stateDir: '/var/lib/openclaw/support',
        proxyPort: 3130,
        nftCounter: 'egress_blocked_support',
        limits: DEFAULT_LIMITS,
      },
    ],
    breakerDir: '/var/lib/openclaw-meter/breaker',
    nftTable: 'openclaw',
    egressAccessLog: '/var/log/squid/access.log',
  });
});

test('each gateway\'s limits are its agent\'s breaker; a shared gateway takes the lowest of each', () => {
  const agents = config.openclaw.agents;
  const c = {
    ...config,
    openclaw: {
      ...config.openclaw,
      agents: {
        ops: { ...agents.ops!, breaker: { modelDailyUsd: 3, modelMonthlyUsd: 20, toolCallsPer5Min: 40, blockedEgressPer5Min: 9 } },
        support: { ...agents.support!, breaker: { modelDailyUsd: 1, modelMonthlyUsd: 30, toolCallsPer5Min: 60, blockedEgressPer5Min: 5 } },
      },
    },
  } as ResolvedConfig;
  expect(renderSpendMeterManifest(c).gateways.map((g) => [g.id, g.limits])).toEqual([
    ['ops', { modelDailyUsd: 3, modelMonthlyUsd: 20, toolCallsPer5Min: 40, blockedEgressPer5Min: 9 }],
    ['support', { modelDailyUsd: 1, modelMonthlyUsd: 30, toolCallsPer5Min: 60, blockedEgressPer5Min: 5 }],
  ]);
  const shared = renderSpendMeterManifest({ ...c, openclaw: { ...c.openclaw, sharedGateways: { team: ['ops', 'support'] } } } as ResolvedConfig);
  expect(shared.gateways.map((g) => [g.id, g.agents, g.stateDir, g.limits])).toEqual([
    ['team', ['ops', 'support'], '/var/lib/openclaw/team', { modelDailyUsd: 1, modelMonthlyUsd: 20, toolCallsPer5Min: 40, blockedEgressPer5Min: 5 }],
  ]);
});

test('paths given replace the host paths (what the tests point elsewhere)', () => {
  const m = renderSpendMeterManifest(config, { openclawStateDir: '/tmp/oc', stateFile: '/tmp/meter/state.json', breakerDir: '/tmp/meter/b', egressAccessLog: '/tmp/access.log' });
  expect([m.openclawStateDir, m.stateFile, m.breakerDir, m.egressAccessLog, ...m.gateways.map((g) => g.stateDir)]).toEqual(['/tmp/oc', '/tmp/meter/state.json', '/tmp/meter/b', '/tmp/access.log', '/tmp/oc/ops', '/tmp/oc/support']);
});

test('prices sorted by model, each with its four prices only; limits from the config', () => {
  const c = withSpend({
    modelPrices: {
      'openai/gpt-5': { ...price(1.25, 10, 0.125, 0), extra: 7 } as ReturnType<typeof price>,
      'anthropic/claude-opus-4-6': price(15, 75, 1.5, 18.75),
    },
    modelDailyLimitUsd: 12,
    modelMonthlyLimitUsd: 300,
  });
  const m = renderSpendMeterManifest(c);
  expect(Object.keys(m.prices)).toEqual(['anthropic/claude-opus-4-6', 'openai/gpt-5']);
  expect(m.prices).toEqual({ 'anthropic/claude-opus-4-6': price(15, 75, 1.5, 18.75), 'openai/gpt-5': price(1.25, 10, 0.125, 0) });
  expect(m.limits).toEqual({ dailyUsd: 12, monthlyUsd: 300 });
});

test('refuses an empty price table: the meter could price nothing', () => {
  expect(() => renderSpendMeterManifest(withSpend({ modelPrices: {} }))).toThrow(
    new Error('spend meter: spend.modelPrices of example/prod is empty; the meter could price no usage'),
  );
});

test('the bundle\'s text: the manifest as 2-space JSON and a final newline', () => {
  expect(spendMeterManifestText(config)).toBe(`${JSON.stringify(renderSpendMeterManifest(config), null, 2)}\n`);
  expect(spendMeterManifestText(config).split('\n').slice(0, 3)).toEqual(['{', '  "version": 2,', '  "deployment": "openclaw-example-prod",']);
});
