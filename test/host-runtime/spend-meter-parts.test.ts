import { bundleSpendMeter, buildHostProgram } from '../../lib/bundling/host-programs';
import { parseOptions, UsageError } from '../../host/spend-meter/args';
import { checkManifest, ManifestError } from '../../host/spend-meter/manifest';
import { SessionMeter, planSession } from '../../host/spend-meter/meter';
import { MAX_TOKENS_PER_KIND, costUsd, fallbackPrice, formatUsd, metricValue, priceFor, utcDay, utcMonth, utcMonthStart } from '../../host/spend-meter/pricing';
import { metricData } from '../../host/spend-meter/publish';
import { checkState, emptyState, pruneCursors, rollOver, type SessionCursor } from '../../host/spend-meter/state';
import { parseUsageEvent } from '../../host/spend-meter/usage';
import { NFT_TABLE } from '../../lib/host/nftables-rules';
import { HOST_PATHS } from '../../lib/host/paths';
import { agentGateways } from '../../lib/openclaw/gateways';
import { MODEL_SPEND_MONTH_METRIC, MODEL_SPEND_TODAY_METRIC, SPEND_METER_MANIFEST_PATH, SPEND_METER_STATE_FILE, renderSpendMeterManifest, spendMeterManifestText } from '../../lib/host/spend-meter';
import { metricNamespace } from '../../lib/host/template-values';
import { MODEL_SPEND_METRICS } from '../../lib/spend/spend-alarms';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import { REPO_ROOT } from '../support/config-fixture';

// The pure parts of the spend meter (host/spend-meter/), one by one; the whole
// program, run for real against OpenClaw's own records: spend-meter.test.ts.

const SONNET = { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 };
const BIG_INPUT = { inputPerMTok: 10, outputPerMTok: 1, cacheReadPerMTok: 1, cacheWritePerMTok: 12.5 };
const PRICES = { 'anthropic/claude-sonnet-4-6': SONNET, 'example/big-input': BIG_INPUT };
const tokens = (t: Partial<{ input: number; output: number; cacheRead: number; cacheWrite: number }>) => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, ...t });

describe('pricing', () => {
  test.each([
    ['1,000,000 input + 200,000 output at $3/$15', tokens({ input: 1_000_000, output: 200_000 }), 6],
    ['cache reads and writes at $0.30/$3.75', tokens({ cacheRead: 2_000_000, cacheWrite: 400_000 }), 2.1],
    ['all four kinds', tokens({ input: 100_000, output: 10_000, cacheRead: 2_000_000, cacheWrite: 400_000 }), 2.55],
    ['one token of each', tokens({ input: 1, output: 1, cacheRead: 1, cacheWrite: 1 }), 0.00002205],
    ['nothing', tokens({}), 0],
  ])('%s', (_name, t, usd) => {
    expect(costUsd(t, SONNET)).toBeCloseTo(usd, 12);
  });

  test('an unlisted model: the highest listed price of each kind, so never cheaper than any listed model', () => {
    const fallback = fallbackPrice(PRICES);
    expect(fallback).toEqual({ inputPerMTok: 10, outputPerMTok: 15, cacheReadPerMTok: 1, cacheWritePerMTok: 12.5 });
    expect(priceFor('openai/gpt-9', PRICES, fallback)).toEqual({ price: fallback, listed: false });
    expect(priceFor('anthropic/claude-sonnet-4-6', PRICES, fallback)).toEqual({ price: SONNET, listed: true });
    // Names of Object.prototype are not models.
    expect(priceFor('constructor', PRICES, fallback).listed).toBe(false);
    for (const t of [tokens({ input: 1e6 }), tokens({ output: 1e6 }), tokens({ cacheRead: 1e6 }), tokens({ cacheWrite: 1e6 }), tokens({ input: 1e6, output: 3e5 })]) {
      for (const p of Object.values(PRICES)) expect(costUsd(t, fallback)).toBeGreaterThanOrEqual(costUsd(t, p));
    }
    expect(() => fallbackPrice({})).toThrow('the price table is empty');
  });

  test('dollars for the line (two decimals) and for the metric (a millionth, no float noise)', () => {
    expect(formatUsd(6)).toBe('$6.00');
    expect(formatUsd(8.549999999999999)).toBe('$8.55');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(1234.5)).toBe('$1234.50');
    expect(metricValue(0.1 + 0.2)).toBe(0.3);
    expect(metricValue(6.3000000000000007)).toBe(6.3);
  });

  test('UTC day and month keys at the boundaries', () => {
    expect(utcDay(Date.parse('2026-03-31T23:59:59.999Z'))).toBe('2026-03-31');
    expect(utcDay(Date.parse('2026-04-01T00:00:00Z'))).toBe('2026-04-01');
    expect(utcMonth(Date.parse('2026-03-31T23:59:59.999Z'))).toBe('2026-03');
    expect(utcMonth(Date.parse('2026-04-01T00:00:00+02:00'))).toBe('2026-03');
    expect(utcMonthStart(Date.parse('2026-04-17T12:00:00Z'))).toBe(Date.parse('2026-04-01T00:00:00Z'));
  });
});

/** An assistant event as OpenClaw 2026.9.6 writes it (see usage.ts). */
function event(over: { usage?: unknown; provider?: unknown; model?: unknown; timestamp?: unknown; iso?: unknown; id?: unknown } = {}): string {
  const message: Record<string, unknown> = { role: 'assistant', content: [{ type: 'text', text: 'ok' }], api: 'anthropic-messages', provider: 'anthropic', model: 'claude-sonnet-4-6', stopReason: 'stop', timestamp: 1795251856981 };
  message.usage = { input: 1_000_000, output: 200_000, cacheRead: 0, cacheWrite: 0, totalTokens: 1_200_000, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
  for (const [k, v] of Object.entries(over)) if (k !== 'iso' && k !== 'id') message[k] = v;
  return JSON.stringify({ type: 'message', id: 'id' in over ? over.id : 'e1', parentId: 'p1', timestamp: 'iso' in over ? over.iso : '2026-11-21T09:04:17.143Z', message });
}

describe('parseUsageEvent', () => {
  test('an assistant message with usage: model, time, counts', () => {
    expect(parseUsageEvent(event())).toEqual({
      kind: 'usage',
      record: { id: 'e1', model: 'anthropic/claude-sonnet-4-6', at: 1795251856981, tokens: { input: 1_000_000, output: 200_000, cacheRead: 0, cacheWrite: 0 }, capped: false, toolCalls: 0 },
    });
  });

  test('time: message.timestamp, else the event\'s ISO timestamp, else none (the caller uses the row\'s)', () => {
    const at = (text: string) => (parseUsageEvent(text) as { record: { at?: number } }).record.at;
    expect(at(event({ timestamp: undefined }))).toBe(Date.parse('2026-11-21T09:04:17.143Z'));
    expect(at(event({ timestamp: 'soon', iso: 'never' }))).toBeUndefined();
    expect(at(event({ timestamp: -5, iso: 17 }))).toBeUndefined();
  });

  test('model: message.provider/model, else the event\'s, else unknown; never anything unprintable', () => {
    const model = (text: string) => (parseUsageEvent(text) as { record: { model: string } }).record.model;
    expect(model(event({ provider: undefined, model: undefined }))).toBe('unknown/unknown');
    expect(model(JSON.stringify({ ...JSON.parse(event({ provider: undefined, model: undefined })), provider: 'openai', model: 'gpt-9' }))).toBe('openai/gpt-9');
    expect(model(event({ model: 'bad\nmodel' }))).toBe('anthropic/unknown');
    expect(model(event({ model: 'x'.repeat(121) }))).toBe('anthropic/unknown');
    expect(model(event({ provider: 7 }))).toBe('unknown/claude-sonnet-4-6');
  });

  test('not usage: no usage, zero tokens, null usage', () => {
    expect(parseUsageEvent(JSON.stringify({ type: 'message', message: { role: 'user', content: 'what is my "usage"?' } }))).toEqual({ kind: 'none' });
    expect(parseUsageEvent(event({ usage: { input: 0, output: 0, cost: { total: 0 } } }))).toEqual({ kind: 'none' });
    expect(parseUsageEvent(event({ usage: null }))).toEqual({ kind: 'none' });
  });

  test.each([
    ['not JSON', '{"type":"message","message":{"usage":{"input":5', 'not JSON'],
    ['a JSON array', '[{"usage":1}]', 'not a JSON object'],
    ['usage a number', event({ usage: 12 }), 'usage is not an object'],
    ['usage an array', event({ usage: [1, 2] }), 'usage is not an object'],
    ['a count as a string', event({ usage: { input: '5' } }), 'usage.input is not a token count'],
    ['a negative count', event({ usage: { output: -1 } }), 'usage.output is not a token count'],
    ['a count that is not finite', '{"message":{"usage":{"cacheRead":1e999}}}', 'usage.cacheRead is not a token count'],
  ])('malformed: %s', (_name, text, why) => {
    expect(parseUsageEvent(text)).toEqual({ kind: 'malformed', why });
  });

  test(`absurd counts are capped at ${MAX_TOKENS_PER_KIND} per kind; fractions truncated`, () => {
    expect(parseUsageEvent(event({ usage: { input: 1e15, output: 2.9 } }))).toMatchObject({ kind: 'usage', record: { tokens: { input: MAX_TOKENS_PER_KIND, output: 2, cacheRead: 0, cacheWrite: 0 }, capped: true } });
  });
});

describe('state', () => {
  const cursor = (over: Partial<SessionCursor> = {}): SessionCursor => ({ s: 5, f: 'fp5', g: 'g1', a: 1000, i: ['e1'], ...over });

  test('a new UTC day resets today; a new month both; the same day nothing', () => {
    const s = { ...emptyState(Date.parse('2026-03-31T10:00:00Z')), todayUsd: 6, monthUsd: 6.3, monthByModel: { m: 6.3 } };
    expect(rollOver(s, Date.parse('2026-03-31T23:59:59Z'))).toEqual({ day: false, month: false });
    expect(s).toMatchObject({ todayUsd: 6, monthUsd: 6.3 });
    expect(rollOver(s, Date.parse('2026-04-01T00:00:00Z'))).toEqual({ day: true, month: true });
    expect(s).toMatchObject({ day: '2026-04-01', month: '2026-04', todayUsd: 0, monthUsd: 0, monthByModel: {} });
    s.todayUsd = 1;
    s.monthUsd = 2;
    expect(rollOver(s, Date.parse('2026-04-02T00:00:01Z'))).toEqual({ day: true, month: false });
    expect(s).toMatchObject({ todayUsd: 0, monthUsd: 2 });
  });

  test("each gateway's figures (the breaker's) roll over with the totals: its today and today's base on a new day, its month and month's base on a new month", () => {
    const gw = () => ({ todayUsd: 4, monthUsd: 9, todayBase: 1, monthBase: 2, toolCalls: [1], blocked: [[1, 2]] as [number, number][] });
    const s = { ...emptyState(Date.parse('2026-03-31T10:00:00Z')), gateways: { ops: gw(), support: gw() } };
    rollOver(s, Date.parse('2026-03-31T23:00:00Z'));
    expect(s.gateways).toEqual({ ops: gw(), support: gw() });
    rollOver(s, Date.parse('2026-04-01T00:00:00Z'));
    const reset = { todayUsd: 0, monthUsd: 0, toolCalls: [1], blocked: [[1, 2]] };
    expect(s.gateways).toEqual({ ops: reset, support: reset });
    s.gateways = { ops: gw(), support: gw() };
    rollOver(s, Date.parse('2026-04-02T00:00:00Z'));
    const newDay = { todayUsd: 0, monthUsd: 9, monthBase: 2, toolCalls: [1], blocked: [[1, 2]] };
    expect(s.gateways).toEqual({ ops: newDay, support: newDay });
  });

  test('pruning: cursors of sessions gone from OpenClaw and without usage this month go; present ones stay', () => {
    const now = Date.parse('2026-04-10T00:00:00Z');
    const s = emptyState(now);
    s.databases = {
      'agents/a/agent/openclaw-agent.sqlite': { here: cursor({ a: 0 }), goneOld: cursor({ a: Date.parse('2026-03-31T23:00:00Z') }), goneThisMonth: cursor({ a: Date.parse('2026-04-02T00:00:00Z') }) },
      'agents/b/agent/openclaw-agent.sqlite': { old: cursor({ a: 0 }) },
    };
    const dropped = pruneCursors(s, new Map([['agents/a/agent/openclaw-agent.sqlite', new Set(['here'])]]), now);
    expect(dropped).toBe(2);
    expect(Object.keys(s.databases)).toEqual(['agents/a/agent/openclaw-agent.sqlite']);
    expect(Object.keys(s.databases['agents/a/agent/openclaw-agent.sqlite']!).sort()).toEqual(['goneThisMonth', 'here']);
  });

  test('a state document is checked before it is used', () => {
    const good = emptyState(0);
    expect(checkState(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(checkState({ ...good, todayUsd: -1 })).toBeUndefined();
    expect(checkState({ ...good, version: 2 })).toBeUndefined();
    expect(checkState({ ...good, day: '2026-4-1' })).toBeUndefined();
    expect(checkState({ ...good, databases: { x: { y: { s: 1, f: 2, a: 0 } } } })).toBeUndefined();
    expect(checkState(null)).toBeUndefined();
  });
});

describe('planSession and SessionMeter: incremental, and never counting a re-inserted record twice', () => {
  const ctx = { nowMs: Date.parse('2026-06-15T12:00:00Z'), prices: PRICES, fallback: fallbackPrice(PRICES) };
  const prev: SessionCursor = { s: 5, f: 'fp5', g: 'g1', a: Date.parse('2026-06-15T10:05:01Z'), i: ['r2'] };

  test.each([
    ['a new session: read it all', undefined, { maxSeq: 3 }, undefined, { kind: 'rescan' }],
    ['grown: read after the cursor', prev, { maxSeq: 8, generation: 'g1' }, 'fp5', { kind: 'append', after: 5 }],
    ['unchanged: skip', prev, { maxSeq: 5, generation: 'g1' }, 'fp5', { kind: 'skip' }],
    ['another generation: read again', prev, { maxSeq: 8, generation: 'g2' }, 'fp5', { kind: 'rescan' }],
    ['shorter: read again', prev, { maxSeq: 4, generation: 'g1' }, undefined, { kind: 'rescan' }],
    ['another row at the cursor: read again', prev, { maxSeq: 6, generation: 'g1' }, 'other', { kind: 'rescan' }],
  ] as const)('%s', (_name, cursor, info, row, plan) => {
    expect(planSession(cursor, info, row)).toEqual(plan);
  });

  const row = (seq: number, text?: string, createdAt = Date.parse('2026-06-15T10:00:00Z')) => ({ seq, createdAt, ...(text !== undefined ? { text } : {}) });
  const rec = (id: string, iso: string, usage: Record<string, number>) => event({ id, timestamp: Date.parse(iso), usage });

  test('a rescan counts only records after the latest counted one (its own time, then its id)', () => {
    const m = new SessionMeter(prev, { kind: 'rescan' }, { maxSeq: 9, generation: 'g2' }, ctx);
    m.add(row(0, rec('r1', '2026-06-15T10:00:01Z', { input: 1_000_000 }))); // counted before
    m.add(row(1, rec('r2', '2026-06-15T10:05:01Z', { output: 100_000 }))); // counted before, at the latest time
    m.add(row(2, rec('r2b', '2026-06-15T10:05:01Z', { output: 1_000 }))); // same time, another id: new
    m.add(row(3));
    m.add(row(4, rec('r3', '2026-06-15T11:00:00Z', { cacheRead: 1_000_000 }))); // new
    expect(m.counted.map((c) => [c.model, metricValue(c.usd), new Date(c.at).toISOString()])).toEqual([
      ['anthropic/claude-sonnet-4-6', 0.015, '2026-06-15T10:05:01.000Z'],
      ['anthropic/claude-sonnet-4-6', 0.3, '2026-06-15T11:00:00.000Z'],
    ]);
    expect(m.finish((seq) => `fp${seq}`)).toEqual({ s: 4, f: 'fp4', g: 'g2', a: Date.parse('2026-06-15T11:00:00Z'), i: ['r3'] });
  });

  test('an append counts every record it reads; malformed and unreadable rows are reported; the future counts as now', () => {
    const m = new SessionMeter(prev, { kind: 'append', after: 5 }, { maxSeq: 9, generation: 'g1' }, ctx);
    m.add(row(6, rec('r0', '2026-06-15T09:00:00Z', { input: 1_000_000 }))); // older than the latest: still new here
    m.add(row(7, '{"usage":'));
    m.add({ seq: 8, createdAt: 0, unreadable: 'compressed event that does not decode' });
    m.add(row(9, rec('r9', '2030-01-01T00:00:00Z', { input: 1_000_000 })));
    expect(m.counted.map((c) => c.at)).toEqual([Date.parse('2026-06-15T09:00:00Z'), ctx.nowMs]);
    expect(m.malformed).toEqual([
      { seq: 7, why: 'not JSON' },
      { seq: 8, why: 'compressed event that does not decode' },
    ]);
    expect(m.finish(() => 'fp9')).toMatchObject({ s: 9, f: 'fp9', a: Date.parse('2030-01-01T00:00:00Z'), i: ['r9'] });
  });

  test('a record without a time of its own counts at its row\'s time, or now', () => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: 1 }, ctx);
    m.add(row(0, event({ timestamp: undefined, iso: undefined }), Date.parse('2026-06-14T08:00:00Z')));
    m.add(row(1, event({ timestamp: undefined, iso: undefined, id: 'e2' }), 0));
    expect(m.counted.map((c) => c.at)).toEqual([Date.parse('2026-06-14T08:00:00Z'), ctx.nowMs]);
  });
});

/** The manifest's gateways with the first one changed. */
const gw = (m: Record<string, unknown>, change: Record<string, unknown>) => (m.gateways as object[]).map((g, i) => (i === 0 ? { ...g, ...change } : g));

describe('command line and manifest', () => {
  test('--now takes an ISO-8601 time with a zone; the clock otherwise', () => {
    expect(parseOptions(['--manifest', '/m.json', '--now', '2026-04-01T00:00:30Z'])).toEqual({ manifest: '/m.json', nowMs: Date.parse('2026-04-01T00:00:30Z'), imdsTimeoutMs: 1000, imdsAttempts: 3, systemctl: '/usr/bin/systemctl', nft: '/usr/sbin/nft' });
    expect(parseOptions(['--manifest', '/m.json'], () => 42).nowMs).toBe(42);
    for (const bad of [['--now', '2026-04-01'], ['--now', '2026-04-01T00:00:30'], ['--now', 'tomorrow'], ['--imds-attempts', '0'], ['--frobnicate'], []]) {
      expect(() => parseOptions([...(bad.length ? ['--manifest', '/m.json'] : []), ...bad])).toThrow(UsageError);
    }
  });

  test('the manifest of every config: host paths, its region and namespace, its price table and limits; it passes the meter\'s own check', () => {
    for (const c of allConfigs()) {
      const m = renderSpendMeterManifest(c);
      expect(m).toEqual({
        version: 2,
        deployment: `${c.project.prefix}-${c.client}-${c.env}`,
        region: c.aws.region,
        namespace: `OpenClaw/${c.project.prefix}-${c.client}-${c.env}`,
        openclawStateDir: HOST_PATHS.stateDir,
        stateFile: SPEND_METER_STATE_FILE,
        prices: c.spend.modelPrices,
        limits: { dailyUsd: c.spend.modelDailyLimitUsd, monthlyUsd: c.spend.modelMonthlyLimitUsd },
        gateways: agentGateways(c).map((g) => ({
          id: g.id,
          agents: [...g.agents],
          unit: `openclaw-gateway@${g.id}.service`,
          user: `openclaw-${g.id}`,
          stateDir: `/var/lib/openclaw/${g.id}`,
          proxyPort: g.proxyPort,
          nftCounter: `egress_blocked_${g.id}`,
          limits: {
            modelDailyUsd: Math.min(...g.agents.map((a) => c.openclaw.agents[a]!.breaker.modelDailyUsd)),
            modelMonthlyUsd: Math.min(...g.agents.map((a) => c.openclaw.agents[a]!.breaker.modelMonthlyUsd)),
            toolCallsPer5Min: Math.min(...g.agents.map((a) => c.openclaw.agents[a]!.breaker.toolCallsPer5Min)),
            blockedEgressPer5Min: Math.min(...g.agents.map((a) => c.openclaw.agents[a]!.breaker.blockedEgressPer5Min)),
          },
        })),
        breakerDir: '/var/lib/openclaw-meter/breaker',
        nftTable: NFT_TABLE,
        egressAccessLog: '/var/log/squid/access.log',
      });
      expect(m.gateways.map((g) => g.id)).toEqual(Object.keys(c.openclaw.agents).sort());
      expect(checkManifest(JSON.parse(spendMeterManifestText(c)), SPEND_METER_MANIFEST_PATH)).toEqual(m);
      for (const agent of Object.values(c.openclaw.agents)) expect(Object.keys(m.prices)).toContain(`${agent.provider}/${agent.model}`);
    }
    expect(SPEND_METER_STATE_FILE.startsWith(`${HOST_PATHS.spendMeterStateDir}/`)).toBe(true);
    expect(SPEND_METER_MANIFEST_PATH).toBe('/etc/openclaw/spend-meter.json');
  });

  test.each([
    ['no prices', (m: Record<string, unknown>) => ({ ...m, prices: {} }), 'prices: expected at least one model'],
    ['a negative price', (m: Record<string, unknown>) => ({ ...m, prices: { 'a/b': { ...SONNET, outputPerMTok: -1 } } }), 'prices.a/b.outputPerMTok: expected an amount'],
    ['a bad model key', (m: Record<string, unknown>) => ({ ...m, prices: { sonnet: SONNET } }), 'prices.sonnet: expected a <provider>/<model> key'],
    ['a relative path', (m: Record<string, unknown>) => ({ ...m, stateFile: 'state.json' }), 'stateFile: expected an absolute, normalized path'],
    ['its state in the gateway\'s', (m: Record<string, unknown>) => ({ ...m, stateFile: `${HOST_PATHS.stateDir}/x.json` }), 'stateFile: must not be in OpenClaw\'s state folder'],
    ['another version', (m: Record<string, unknown>) => ({ ...m, version: 1 }), 'version: expected 2'],
    ['no gateways', (m: Record<string, unknown>) => ({ ...m, gateways: [] }), 'gateways: expected a list of 1 to 64 gateways'],
    ['a gateway state folder not its own', (m: Record<string, unknown>) => ({ ...m, gateways: gw(m, { stateDir: '/var/lib/openclaw' }) }), 'gateways[0].stateDir: expected /var/lib/openclaw/ops'],
    ['another gateway\'s unit', (m: Record<string, unknown>) => ({ ...m, gateways: gw(m, { unit: 'openclaw-gateway@support.service' }) }), 'gateways[0].unit: expected openclaw-gateway@ops.service'],
    ['a unit that is not a gateway', (m: Record<string, unknown>) => ({ ...m, gateways: gw(m, { unit: 'sshd.service' }) }), 'gateways[0].unit: expected a string'],
    ['a gateway id that is no id', (m: Record<string, unknown>) => ({ ...m, gateways: gw(m, { id: '../ops' }) }), 'gateways[0].id: expected a string'],
    ['a zero tool-call limit', (m: Record<string, unknown>) => ({ ...m, gateways: gw(m, { limits: { ...(m.gateways as { limits: object }[])[0]!.limits, toolCallsPer5Min: 0 } }) }), 'gateways[0].limits.toolCallsPer5Min: expected a whole number'],
    ['markers in the gateway\'s state', (m: Record<string, unknown>) => ({ ...m, breakerDir: `${HOST_PATHS.stateDir}/ops` }), 'breakerDir: must not be in OpenClaw\'s state folder'],
    ['two gateways on one proxy port', (m: Record<string, unknown>) => ({ ...m, gateways: (m.gateways as object[]).map((g) => ({ ...g, proxyPort: 3129 })) }), 'gateways: expected distinct proxy ports'],
    ['a bad region', (m: Record<string, unknown>) => ({ ...m, region: 'moon' }), 'region: expected a string'],
  ])('the meter refuses a manifest with %s', (_name, change, message) => {
    const m = JSON.parse(spendMeterManifestText(exampleConfig('prod'))) as Record<string, unknown>;
    expect(() => checkManifest(change(m), '/etc/openclaw/spend-meter.json')).toThrow(ManifestError);
    expect(() => checkManifest(change(m), '/etc/openclaw/spend-meter.json')).toThrow(message);
  });

  test('an empty price table is refused at synth', () => {
    const c = exampleConfig('prod');
    expect(() => renderSpendMeterManifest({ ...c, spend: { ...c.spend, modelPrices: {} } })).toThrow('spend.modelPrices of example/prod is empty');
  });
});

test('the meter publishes what the spend alarms watch: the same names, in the host namespace', () => {
  expect({ daily: MODEL_SPEND_TODAY_METRIC, monthly: MODEL_SPEND_MONTH_METRIC }).toEqual(MODEL_SPEND_METRICS);
  for (const c of allConfigs()) expect(renderSpendMeterManifest(c).namespace).toBe(metricNamespace(c));
});

test('the data of a run: today and month without dimensions (the alarms), the month by model, highest first, unit None', () => {
  expect(metricData({ todayUsd: 1.0000001, monthUsd: 12.5, monthByModel: { 'b/small': 2.5, 'a/big': 10 } })).toEqual([
    { MetricName: 'ModelSpendTodayUsd', Value: 1, Unit: 'None' },
    { MetricName: 'ModelSpendMonthUsd', Value: 12.5, Unit: 'None' },
    { MetricName: 'ModelSpendMonthUsd', Dimensions: [{ Name: 'Model', Value: 'a/big' }], Value: 10, Unit: 'None' },
    { MetricName: 'ModelSpendMonthUsd', Dimensions: [{ Name: 'Model', Value: 'b/small' }], Value: 2.5, Unit: 'None' },
  ]);
});

test('the bundle: deterministic, for Node 24, the CloudWatch client inside, no CDK, zod or path of this machine', () => {
  const text = bundleSpendMeter();
  expect(buildHostProgram('spend-meter')).toBe(text);
  expect(text.startsWith('// spend-meter.js: bundled from host/spend-meter/')).toBe(true);
  expect(text).toContain('PutMetricData');
  expect(text).toContain('node:sqlite');
  expect(text).not.toContain(REPO_ROOT);
  expect(text).not.toMatch(/aws-cdk-lib|require\("zod"\)/);
  expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
});
