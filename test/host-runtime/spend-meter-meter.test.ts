import { fallbackPrice } from '../../host/spend-meter/pricing';
import { SessionMeter, planSession, type Counted } from '../../host/spend-meter/meter';
import type { SessionCursor } from '../../host/spend-meter/state';
import type { Row } from '../../host/spend-meter/store';

// What to read of a session and what to count (host/spend-meter/meter.ts), focused:
// every plan, every row kind, the times a record counts at (bounds included), the
// dedupe of a rescan, and the cursor finish() gives (compared strictly).

const PRICES = { 'anthropic/m': { inputPerMTok: 1, outputPerMTok: 1, cacheReadPerMTok: 1, cacheWritePerMTok: 1 } };
const NOW = Date.parse('2026-06-15T12:00:00Z');
const CTX = { nowMs: NOW, prices: PRICES, fallback: fallbackPrice(PRICES) };
const FLOOR = Date.UTC(2020, 0, 1);
const T = Date.parse('2026-06-15T10:00:00Z');
const ROW_TIME = Date.parse('2026-06-14T08:00:00Z');

/** A usage event of 1,000,000 input tokens ($1 here) with this id and own time (ms), each optional. */
const usage = (id?: string, at?: number) => JSON.stringify({ ...(id === undefined ? {} : { id }), message: { provider: 'anthropic', model: 'm', usage: { input: 1_000_000 }, ...(at === undefined ? {} : { timestamp: at }) } });
const row = (seq: number, text?: string, createdAt = ROW_TIME): Row => ({ seq, createdAt, ...(text === undefined ? {} : { text }) });
const ats = (m: SessionMeter) => m.counted.map((c: Counted) => c.at);

describe('planSession', () => {
  const prev: SessionCursor = { s: 5, f: 'fp5', g: 'g1', a: T };
  test.each<[string, SessionCursor | undefined, { maxSeq: number; generation?: string }, string | undefined, unknown]>([
    ['a new session: read it all', undefined, { maxSeq: 3 }, undefined, { kind: 'rescan' }],
    ['grown, same generation: read after the cursor', prev, { maxSeq: 8, generation: 'g1' }, 'fp5', { kind: 'append', after: 5 }],
    ['grown, the cursor without generation: append', { ...prev, g: undefined }, { maxSeq: 8, generation: 'g2' }, 'fp5', { kind: 'append', after: 5 }],
    ['grown, the session without generation now: append', prev, { maxSeq: 8 }, 'fp5', { kind: 'append', after: 5 }],
    ['unchanged: skip', prev, { maxSeq: 5, generation: 'g1' }, 'fp5', { kind: 'skip' }],
    ['another generation: read again', prev, { maxSeq: 8, generation: 'g2' }, 'fp5', { kind: 'rescan' }],
    ['shorter: read again', prev, { maxSeq: 4, generation: 'g1' }, 'fp5', { kind: 'rescan' }],
    ['another row at the cursor: read again', prev, { maxSeq: 6, generation: 'g1' }, 'other', { kind: 'rescan' }],
    ['no row at the cursor any more: read again', prev, { maxSeq: 6, generation: 'g1' }, undefined, { kind: 'rescan' }],
  ])('%s', (_name, cursor, info, cursorRow, plan) => {
    expect(planSession(cursor, info, cursorRow)).toStrictEqual(plan);
  });
});

describe('SessionMeter.add', () => {
  test('rows without text, not usage, malformed or unreadable: nothing counted, the bad ones reported by seq', () => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: 3 }, CTX);
    m.add(row(0));
    m.add(row(1, JSON.stringify({ message: { role: 'user', content: 'hi' } })));
    m.add(row(2, '{"usage":'));
    m.add({ seq: 3, createdAt: 0, unreadable: 'does not decode' });
    expect(m.counted).toStrictEqual([]);
    expect(m.malformed).toStrictEqual([
      { seq: 2, why: 'not JSON' },
      { seq: 3, why: 'does not decode' },
    ]);
    expect(m.finish((seq) => `fp${seq}`)).toStrictEqual({ s: 3, f: 'fp3', a: 0 });
  });

  test('a counted record: model, cost, time, listed, capped', () => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: 1 }, CTX);
    m.add(row(0, usage('a', T)));
    m.add(row(1, JSON.stringify({ message: { provider: 'x', model: 'y', usage: { output: 1e15 }, timestamp: T } })));
    expect(m.counted).toStrictEqual([
      { model: 'anthropic/m', usd: 1, at: T, listed: true, capped: false, toolCalls: 0 },
      { model: 'x/y', usd: 10_000_000 / 1e6, at: T, listed: false, capped: true, toolCalls: 0 },
    ]);
  });

  test.each<[string, number | undefined, number, number]>([
    ['its own time', T, ROW_TIME, T],
    ['its own time at the floor (2020-01-01) exactly', FLOOR, ROW_TIME, FLOOR],
    ['its own time before the floor: the row\'s', FLOOR - 1, ROW_TIME, ROW_TIME],
    ['its own time far before the floor: the row\'s', 1000, ROW_TIME, ROW_TIME],
    ['no own time: the row\'s', undefined, ROW_TIME, ROW_TIME],
    ['no own time, the row\'s at the floor exactly', undefined, FLOOR, FLOOR],
    ['no own time, the row\'s before the floor: now', undefined, FLOOR - 1, NOW],
    ['in the future: now', NOW + 1, ROW_TIME, NOW],
  ])('counts at %s', (_name, own, createdAt, at) => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: 0 }, CTX);
    m.add(row(0, usage('a', own), createdAt));
    expect(ats(m)).toStrictEqual([at]);
  });

  test('a new session skips nothing, even at a clock before 1970', () => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: 0 }, { ...CTX, nowMs: -1000 });
    m.add(row(0, usage(undefined, undefined), 0));
    expect(ats(m)).toStrictEqual([-1000]);
  });
});

describe('a rescan counts only records after the latest counted one', () => {
  const prev: SessionCursor = { s: 5, f: 'fp5', g: 'g1', a: T, i: ['r2'] };
  test('before: skipped; at the latest time: new only with another id; after: new', () => {
    const m = new SessionMeter(prev, { kind: 'rescan' }, { maxSeq: 9, generation: 'g2' }, CTX);
    m.add(row(0, usage('r1', T - 1)));
    m.add(row(1, usage('r2', T)));
    m.add(row(2, usage(undefined, T)));
    m.add(row(3, usage('r2b', T)));
    m.add(row(4, usage('r3', T + 1)));
    expect(ats(m)).toStrictEqual([T, T + 1]);
    expect(m.finish((seq) => `fp${seq}`)).toStrictEqual({ s: 4, f: 'fp4', g: 'g2', a: T + 1, i: ['r3'] });
  });

  test('after the latest time: a record without an id, or with an id of the cursor, is new (ids are compared at the latest time only)', () => {
    const m = new SessionMeter(prev, { kind: 'rescan' }, { maxSeq: 1 }, CTX);
    m.add(row(0, usage(undefined, T + 1)));
    m.add(row(1, usage('r2', T + 2)));
    expect(ats(m)).toStrictEqual([T + 1, T + 2]);
  });

  test('a cursor without ids: every record with an id at its time is new', () => {
    const m = new SessionMeter({ ...prev, i: undefined }, { kind: 'rescan' }, { maxSeq: 1 }, CTX);
    m.add(row(0, usage('r2', T)));
    m.add(row(1, usage(undefined, T)));
    expect(ats(m)).toStrictEqual([T]);
    expect(m.finish(() => 'fp1')).toStrictEqual({ s: 1, f: 'fp1', a: T, i: ['r2'] });
  });
});

describe('an append counts every record it reads, and keeps the latest time and its ids', () => {
  const prev: SessionCursor = { s: 5, f: 'fp5', g: 'g1', a: T, i: ['r2'] };
  test('older records count but do not move the latest time back; ids at the latest time are added to', () => {
    const m = new SessionMeter(prev, { kind: 'append', after: 5 }, { maxSeq: 8, generation: 'g1' }, CTX);
    m.add(row(6, usage('old', T - 1)));
    m.add(row(7, usage('r5', T)));
    m.add(row(8, usage(undefined, T)));
    expect(ats(m)).toStrictEqual([T - 1, T, T]);
    expect(m.finish((seq) => `fp${seq}`)).toStrictEqual({ s: 8, f: 'fp8', g: 'g1', a: T, i: ['r2', 'r5'] });
  });

  test('a later record starts a new set of ids; at most the last 20 are kept', () => {
    const m = new SessionMeter(prev, { kind: 'append', after: 5 }, { maxSeq: 30 }, CTX);
    for (let n = 0; n < 25; n++) m.add(row(6 + n, usage(`n${String(n).padStart(2, '0')}`, T + 1)));
    expect(m.finish(() => 'fp30')).toStrictEqual({ s: 30, f: 'fp30', a: T + 1, i: Array.from({ length: 20 }, (_, n) => `n${String(n + 5).padStart(2, '0')}`) });
  });
});

describe('finish without a row read', () => {
  test('a new session: seq -1, no fingerprint, no time, no ids', () => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: -1 }, CTX);
    expect(m.finish(() => 'unused')).toStrictEqual({ s: -1, f: '', a: 0 });
  });

  test('a known session: its cursor kept (the fingerprint of the row read before, not asked again)', () => {
    const prev: SessionCursor = { s: 5, f: 'fp5', a: T, i: ['r2'] };
    const m = new SessionMeter(prev, { kind: 'append', after: 5 }, { maxSeq: 5, generation: 'g3' }, CTX);
    expect(m.finish(() => 'asked')).toStrictEqual({ s: 5, f: 'fp5', g: 'g3', a: T, i: ['r2'] });
  });

  test('the last row read has no fingerprint any more: empty', () => {
    const m = new SessionMeter(undefined, { kind: 'rescan' }, { maxSeq: 0 }, CTX);
    m.add(row(0));
    expect(m.finish(() => undefined)).toStrictEqual({ s: 0, f: '', a: 0 });
  });
});
