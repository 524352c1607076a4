// The module object itself (not an import * copy), so that jest.spyOn can watch the calls state.ts makes.
import fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_CURSORS, checkState, emptyState, loadState, pruneCursors, saveState, type GatewayFigures, type MeterState, type SessionCursor } from '../../host/spend-meter/state';

// The meter's state file (host/spend-meter/state.ts), focused: every check of a
// state document, loading (fresh, ok, corrupt, unreadable), the atomic write, and
// the pruning of session cursors (by age, then by the MAX_CURSORS cap).

const NOW = Date.parse('2026-03-15T12:00:00Z');
const MONTH_START = Date.parse('2026-03-01T00:00:00Z');
const DB = 'agents/a/agent/openclaw-agent.sqlite';
const cursor = (over: Partial<SessionCursor> = {}): SessionCursor => ({ s: 5, f: 'fp5', a: 1000, ...over });
const good = (): MeterState => ({ ...emptyState(NOW), todayUsd: 1.5, monthUsd: 2.5, monthByModel: { 'anthropic/m': 2.5 }, databases: { [DB]: { s1: cursor({ g: 'g1', i: ['e1', 'e2'] }), s2: cursor({ i: [] }), s3: cursor() } }, recordsTotal: 7, malformedTotal: 1 });

describe('checkState: a state document is checked before it is used', () => {
  // Per-gateway figures (the breaker's) and the access-log cursor (refused egress).
  const gw = (g: Partial<GatewayFigures> = {}): GatewayFigures => ({ todayUsd: 1, monthUsd: 2, toolCalls: [NOW - 1000, NOW], blocked: [[NOW, 3]], ...g });
  const withGateways = (gateways: unknown, extra: Record<string, unknown> = {}) => ({ ...good(), gateways, ...extra });

  test('per-gateway figures (with and without their optional counters and bases) and the access-log cursor are taken as they are; no gateways is none', () => {
    const gateways = { ops: gw({ nftPackets: 12, todayBase: 0.5, monthBase: 1 }), support: gw({ toolCalls: [], blocked: [] }) };
    expect(checkState(JSON.parse(JSON.stringify(withGateways(gateways, { accessLog: { ino: 7, pos: 120 } }))))).toEqual({ ...good(), gateways, accessLog: { ino: 7, pos: 120 } });
    const none: Partial<MeterState> = good();
    delete none.gateways;
    expect(checkState(none)!.gateways).toEqual({});
  });

  test.each<[string, unknown]>([
    ['gateways not an object', 'ops'],
    ['gateways null', null],
    ['gateways a number (it has no entries, but is not a map of gateways)', 7],
    ['gateways true', true],
    ['a gateway null', { ops: null }],
    ['a gateway not an object', { ops: 3 }],
    ['todayUsd not a number', { ops: gw({ todayUsd: '1' as unknown as number }) }],
    ['monthUsd not finite', { ops: gw({ monthUsd: Infinity }) }],
    ['todayUsd negative', { ops: gw({ todayUsd: -1 }) }],
    ['monthUsd negative', { ops: gw({ monthUsd: -0.01 }) }],
    ['toolCalls not a list', { ops: gw({ toolCalls: 5 as unknown as number[] }) }],
    ['a tool call time not a number', { ops: gw({ toolCalls: [NOW, 'x' as unknown as number] }) }],
    ['blocked not a list', { ops: gw({ blocked: {} as unknown as [number, number][] }) }],
    ['a blocked entry not a pair', { ops: gw({ blocked: [[NOW] as unknown as [number, number]] }) }],
    ['a blocked entry of three numbers', { ops: gw({ blocked: [[NOW, 3, 4] as unknown as [number, number]] }) }],
    ['a blocked entry not a list', { ops: gw({ blocked: ['x' as unknown as [number, number]] }) }],
    ['a blocked time not a number', { ops: gw({ blocked: [['x' as unknown as number, 1]] }) }],
    ['a blocked count not a number', { ops: gw({ blocked: [[NOW, 'x' as unknown as number]] }) }],
    ['nftPackets not a number', { ops: gw({ nftPackets: '1' as unknown as number }) }],
    ['todayBase not a number', { ops: gw({ todayBase: NaN }) }],
    ['monthBase not a number', { ops: gw({ monthBase: '1' as unknown as number }) }],
    ['one good gateway and one bad', { ops: gw(), support: gw({ todayUsd: -1 }) }],
  ])('gateway figures refused: %s', (_what, gateways) => {
    expect(checkState(withGateways(gateways))).toBeUndefined();
  });

  test.each<[string, unknown]>([
    ['not an object', 'cursor'],
    ['null', null],
    ['ino not a number', { ino: '7', pos: 1 }],
    ['pos not finite', { ino: 7, pos: Infinity }],
    ['pos missing', { ino: 7 }],
  ])('an access-log cursor refused: %s', (_what, accessLog) => {
    expect(checkState(withGateways({}, { accessLog }))).toBeUndefined();
  });

  test('a full document (cursors with and without their optional g and i) is taken as it is', () => {
    const doc = JSON.parse(JSON.stringify(good()));
    expect(checkState(doc)).toEqual(good());
  });

  test('missing diagnostics counters start at 0', () => {
    const doc: Partial<MeterState> = good();
    delete doc.recordsTotal;
    delete doc.malformedTotal;
    expect(checkState(doc)).toEqual({ ...good(), recordsTotal: 0, malformedTotal: 0 });
  });

  test.each<[string, unknown]>([
    ['not an object', 'state'],
    ['null', null],
    ['another version', { ...good(), version: 2 }],
    ['day not a string (an array that prints as a day)', { ...good(), day: ['2026-03-15'] }],
    ['day with something before it', { ...good(), day: 'x2026-03-15' }],
    ['day with something after it', { ...good(), day: '2026-03-15x' }],
    ['day too short', { ...good(), day: '2026-3-15' }],
    ['month not a string (an array that prints as a month)', { ...good(), month: ['2026-03'] }],
    ['month with something before it', { ...good(), month: 'x2026-03' }],
    ['month with something after it', { ...good(), month: '2026-03x' }],
    ['todayUsd not a number', { ...good(), todayUsd: '1' }],
    ['todayUsd not finite', { ...good(), todayUsd: Infinity }],
    ['todayUsd NaN', { ...good(), todayUsd: NaN }],
    ['todayUsd negative', { ...good(), todayUsd: -1 }],
    ['monthUsd not a number', { ...good(), monthUsd: '1' }],
    ['monthUsd negative', { ...good(), monthUsd: -0.01 }],
    ['monthByModel missing', { ...good(), monthByModel: undefined }],
    ['monthByModel null', { ...good(), monthByModel: null }],
    ['monthByModel a number', { ...good(), monthByModel: 5 }],
    ['monthByModel with a value not a number', { ...good(), monthByModel: { m: '2' } }],
    ['monthByModel with a value not finite', { ...good(), monthByModel: { m: Infinity } }],
    ['databases missing', { ...good(), databases: undefined }],
    ['databases null', { ...good(), databases: null }],
    ['databases a number', { ...good(), databases: 5 }],
    ['a database a number', { ...good(), databases: { [DB]: 5 } }],
    ['a database null', { ...good(), databases: { [DB]: null } }],
    ['a cursor a number', { ...good(), databases: { [DB]: { s1: 5 } } }],
    ['a cursor null', { ...good(), databases: { [DB]: { s1: null } } }],
    ['a cursor without s', { ...good(), databases: { [DB]: { s1: { f: 'x', a: 0 } } } }],
    ['a cursor with s not finite', { ...good(), databases: { [DB]: { s1: cursor({ s: NaN }) } } }],
    ['a cursor with f not a string', { ...good(), databases: { [DB]: { s1: { s: 1, f: 2, a: 0 } } } }],
    ['a cursor without a', { ...good(), databases: { [DB]: { s1: { s: 1, f: 'x' } } } }],
    ['a cursor with a not a number', { ...good(), databases: { [DB]: { s1: { s: 1, f: 'x', a: '0' } } } }],
    ['a cursor with g not a string', { ...good(), databases: { [DB]: { s1: { s: 1, f: 'x', a: 0, g: 3 } } } }],
    ['a cursor with i not an array', { ...good(), databases: { [DB]: { s1: { s: 1, f: 'x', a: 0, i: 'e1' } } } }],
    ['a cursor with i holding a number', { ...good(), databases: { [DB]: { s1: { s: 1, f: 'x', a: 0, i: ['e1', 5] } } } }],
  ])('refused: %s', (_name, doc) => {
    expect(checkState(doc)).toBeUndefined();
  });
});

describe('loadState and saveState', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spend-meter-state-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('no file: a fresh empty state of now', () => {
    expect(loadState(path.join(dir, 'state.json'), NOW)).toEqual({ state: emptyState(NOW), status: 'fresh' });
  });

  test('a saved state loads back as it was, status ok', () => {
    const file = path.join(dir, 'state.json');
    saveState(file, good());
    expect(fs.readFileSync(file, 'utf8')).toBe(`${JSON.stringify(good())}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
    expect(loadState(file, NOW + 1)).toEqual({ state: good(), status: 'ok' });
  });

  test.each([['not JSON', '{"version":1,'], ['JSON but not a state', '{"version":1}\n']])('%s: set aside as state.json.corrupt, a fresh state, status corrupt', (_name, text) => {
    const file = path.join(dir, 'state.json');
    fs.writeFileSync(file, text);
    expect(loadState(file, NOW)).toEqual({ state: emptyState(NOW), status: 'corrupt' });
    expect(fs.readdirSync(dir)).toEqual(['state.json.corrupt']);
    expect(fs.readFileSync(`${file}.corrupt`, 'utf8')).toBe(text);
  });

  test('an unreadable state (not ENOENT) is an error, not a fresh start', () => {
    const file = path.join(dir, 'state.json');
    fs.mkdirSync(file);
    expect(() => loadState(file, NOW)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
  });

  test('written atomically and durably: temporary file 0600 in the same folder, written, fsynced, closed, renamed over, then the folder fsynced', () => {
    const file = path.join(dir, 'state.json');
    const calls: string[] = [];
    const open = jest.spyOn(fs, 'openSync');
    // What a descriptor is open on (the folder's descriptor may reuse the temporary file's number).
    const which = (fd: number) => {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      return target === dir ? 'dir' : target === path.join(dir, `.state.json.${process.pid}.tmp`) ? 'fd' : target;
    };
    const { closeSync, renameSync, fsyncSync } = fs;
    const fsync = jest.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      calls.push(`fsync ${which(fd)}`);
      fsyncSync(fd);
    });
    const close = jest.spyOn(fs, 'closeSync');
    close.mockImplementation((fd) => {
      calls.push(`close ${which(fd)}`);
      closeSync(fd);
    });
    const rename = jest.spyOn(fs, 'renameSync');
    rename.mockImplementation((from, to) => {
      calls.push(`rename ${path.basename(String(from))} -> ${path.basename(String(to))}`);
      renameSync(from, to);
    });
    saveState(file, good());
    expect(open.mock.calls).toEqual([
      [path.join(dir, `.state.json.${process.pid}.tmp`), 'w', 0o600],
      [dir, 'r'],
    ]);
    expect(fsync).toHaveBeenCalledTimes(2);
    expect(calls).toEqual(['fsync fd', 'close fd', `rename .state.json.${process.pid}.tmp -> state.json`, 'fsync dir', 'close dir']);
  });

  test('a failed write still closes the temporary file, and nothing is renamed over the state', () => {
    const file = path.join(dir, 'state.json');
    const open = jest.spyOn(fs, 'openSync');
    jest.spyOn(fs, 'writeFileSync').mockImplementation(() => {
      throw new Error('ENOSPC: no space left on device');
    });
    const close = jest.spyOn(fs, 'closeSync');
    expect(() => saveState(file, good())).toThrow('ENOSPC: no space left on device');
    expect(close.mock.calls).toEqual([[open.mock.results[0]!.value]]);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('pruneCursors', () => {
  test('absent sessions whose last usage is before this month go; at the month start exactly they stay; present ones always stay', () => {
    const s = emptyState(NOW);
    s.databases = {
      [DB]: { here: cursor({ a: 0 }), goneOld: cursor({ a: MONTH_START - 1 }), goneAtStart: cursor({ a: MONTH_START }) },
      'agents/b/agent/openclaw-agent.sqlite': { old: cursor({ a: 0 }) },
      'agents/c/agent/openclaw-agent.sqlite': { recent: cursor({ a: NOW }) },
      'agents/d/agent/openclaw-agent.sqlite': {},
    };
    const present = new Map([[DB, new Set(['here'])], ['agents/d/agent/openclaw-agent.sqlite', new Set<string>()]]);
    expect(pruneCursors(s, present, NOW)).toBe(2);
    expect(s.databases).toEqual({
      [DB]: { here: cursor({ a: 0 }), goneAtStart: cursor({ a: MONTH_START }) },
      'agents/c/agent/openclaw-agent.sqlite': { recent: cursor({ a: NOW }) },
      'agents/d/agent/openclaw-agent.sqlite': {},
    });
  });

  /** A state of `present` present sessions plus the absent ones given. */
  const big = (present: number, absent: Record<string, SessionCursor>) => {
    const s = emptyState(NOW);
    const sessions: Record<string, SessionCursor> = {};
    const ids = new Set<string>();
    for (let n = 0; n < present; n++) {
      sessions[`p${n}`] = cursor({ a: NOW });
      ids.add(`p${n}`);
    }
    s.databases = { [DB]: { ...absent, ...sessions } };
    return { s, present: new Map([[DB, ids]]) };
  };

  test(`beyond ${MAX_CURSORS} cursors, the absent ones with the oldest usage go first, down to the cap; old ones count as gone first`, () => {
    const { s, present } = big(MAX_CURSORS - 2, { newest: cursor({ a: NOW }), oldest: cursor({ a: MONTH_START + 1 }), middle: cursor({ a: MONTH_START + 2 }), lastMonth: cursor({ a: MONTH_START - 1 }) });
    expect(pruneCursors(s, present, NOW)).toBe(2);
    expect(Object.keys(s.databases[DB]!).length).toBe(MAX_CURSORS);
    expect(Object.keys(s.databases[DB]!).filter((id) => !id.startsWith('p'))).toEqual(['newest', 'middle']);
  });

  test(`exactly ${MAX_CURSORS} cursors: none dropped for the cap`, () => {
    const { s, present } = big(MAX_CURSORS - 1, { absentRecent: cursor({ a: NOW }) });
    expect(pruneCursors(s, present, NOW)).toBe(0);
    expect(Object.keys(s.databases[DB]!).length).toBe(MAX_CURSORS);
  });

  test('present sessions are never dropped for the cap, even if that leaves more than the cap', () => {
    const { s, present } = big(MAX_CURSORS + 1, { absentRecent: cursor({ a: NOW }) });
    expect(pruneCursors(s, present, NOW)).toBe(1);
    expect(Object.keys(s.databases[DB]!).length).toBe(MAX_CURSORS + 1);
    expect(s.databases[DB]!.absentRecent).toBeUndefined();
  });
});
