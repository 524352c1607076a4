import * as fs from 'fs';
import * as path from 'path';
import { MAX_WINDOW_ENTRIES, SYSTEMCTL_TIMEOUT_MS, crossedLimit, figuresOf, markerPath, pruneWindow, restoredPath, runBreaker, type BreakerFigures } from '../../host/spend-meter/breaker';
import { renderSpendMeterManifest, type SpendMeterManifest } from '../../lib/host/spend-meter';
import type { GatewayFigures } from '../../host/spend-meter/state';
import { exampleConfig } from '../host/support/host-tools';
import { recordDurableWrites } from './support/durable-writes';
import { readCalls, recorder, tempDir, writeExecutable } from './support/runtime-tools';

// The breaker's decisions (host/spend-meter/breaker.ts), in process, one by one: the window,
// the figures since a restore, which limit trips first, the marker and the stop of the one
// unit, and what happens when the stop or the marker fails. The whole bundled program, run
// for real with OpenClaw's own records and real nft counters: spend-meter-breaker.test.ts.

const WINDOW = 5 * 60_000;
const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const LIMITS = { modelDailyUsd: 2, modelMonthlyUsd: 25, toolCallsPer5Min: 150, blockedEgressPer5Min: 20 };
const figures = (f: Partial<BreakerFigures> = {}): BreakerFigures => ({ todayUsd: 0, monthUsd: 0, toolCalls5Min: 0, blockedEgress5Min: 0, ...f });
const gw = (g: Partial<GatewayFigures> = {}): GatewayFigures => ({ todayUsd: 0, monthUsd: 0, toolCalls: [], blocked: [], ...g });

describe('the 5-minute window', () => {
  test('an entry exactly 5 minutes old is out; one a millisecond younger is in; figures count what is left', () => {
    const g = gw({ toolCalls: [NOW - WINDOW - 1, NOW - WINDOW, NOW - WINDOW + 1, NOW], blocked: [[NOW - WINDOW, 7], [NOW - WINDOW + 1, 3], [NOW, 2]] });
    pruneWindow(g, NOW);
    expect(g.toolCalls).toEqual([NOW - WINDOW + 1, NOW]);
    expect(g.blocked).toEqual([[NOW - WINDOW + 1, 3], [NOW, 2]]);
    expect(figuresOf(g, NOW)).toEqual({ todayUsd: 0, monthUsd: 0, toolCalls5Min: 2, blockedEgress5Min: 5 });
  });

  test(`a flood keeps only the newest ${MAX_WINDOW_ENTRIES} entries of each list (still at or over any sane limit)`, () => {
    expect(MAX_WINDOW_ENTRIES).toBe(100_000);
    const many = Array.from({ length: MAX_WINDOW_ENTRIES + 2 }, (_, i) => NOW - MAX_WINDOW_ENTRIES - 1 + i);
    const g = gw({ toolCalls: many, blocked: many.map((t) => [t, 1] as [number, number]) });
    pruneWindow(g, NOW);
    expect(g.toolCalls).toHaveLength(MAX_WINDOW_ENTRIES);
    expect(g.toolCalls[0]).toBe(many[2]);
    expect(g.toolCalls.at(-1)).toBe(many.at(-1));
    expect(g.blocked).toHaveLength(MAX_WINDOW_ENTRIES);
    expect(g.blocked[0]).toEqual([many[2], 1]);
  });

  test('figures prune the window themselves: what is older than 5 minutes never counts', () => {
    const g = gw({ toolCalls: [NOW - WINDOW - 10, NOW - 1], blocked: [[NOW - WINDOW - 10, 9], [NOW - 1, 1]] });
    expect(figuresOf(g, NOW)).toEqual(figures({ toolCalls5Min: 1, blockedEgress5Min: 1 }));
    expect(g.toolCalls).toEqual([NOW - 1]);
  });

  test('spend counts from the last restore (its bases), never below zero', () => {
    expect(figuresOf(gw({ todayUsd: 5, monthUsd: 30, todayBase: 4.5, monthBase: 10 }), NOW)).toEqual(figures({ todayUsd: 0.5, monthUsd: 20 }));
    // A new day or month rolled the totals under the base: zero, not negative.
    expect(figuresOf(gw({ todayUsd: 1, monthUsd: 3, todayBase: 4, monthBase: 10 }), NOW)).toEqual(figures());
    expect(figuresOf(gw({ todayUsd: 1.25, monthUsd: 3 }), NOW)).toEqual(figures({ todayUsd: 1.25, monthUsd: 3 }));
  });
});

describe('which limit trips', () => {
  test.each([
    ['daily spend at its limit', figures({ todayUsd: 2 }), { reason: 'model-daily-usd', limit: 2, figure: 2 }],
    ['monthly spend at its limit', figures({ monthUsd: 25 }), { reason: 'model-monthly-usd', limit: 25, figure: 25 }],
    ['tool calls at their limit', figures({ toolCalls5Min: 150 }), { reason: 'tool-calls-5min', limit: 150, figure: 150 }],
    ['refused egress at its limit', figures({ blockedEgress5Min: 20 }), { reason: 'blocked-egress-5min', limit: 20, figure: 20 }],
    ['every limit crossed: the daily spend is named', figures({ todayUsd: 3, monthUsd: 26, toolCalls5Min: 151, blockedEgress5Min: 21 }), { reason: 'model-daily-usd', limit: 2, figure: 3 }],
    ['month, calls and egress crossed: the month is named', figures({ monthUsd: 26, toolCalls5Min: 151, blockedEgress5Min: 21 }), { reason: 'model-monthly-usd', limit: 25, figure: 26 }],
    ['calls and egress crossed: the calls are named', figures({ toolCalls5Min: 151, blockedEgress5Min: 21 }), { reason: 'tool-calls-5min', limit: 150, figure: 151 }],
  ])('%s', (_name, f, crossed) => {
    expect(crossedLimit(LIMITS, f)).toEqual(crossed);
  });

  test('just under every limit: nothing', () => {
    expect(crossedLimit(LIMITS, figures({ todayUsd: 1.999999, monthUsd: 24.99, toolCalls5Min: 149, blockedEgress5Min: 19 }))).toBeUndefined();
  });
});

/** Runs `f` on a full disk: every write through a descriptor fails ENOSPC (a marker is written through its temporary file's). */
function onFullDisk(f: () => void): void {
  // The module object itself (the namespace import's properties are read-only bindings to it).
  const nodeFs = jest.requireActual<typeof fs>('fs');
  const real = nodeFs.writeFileSync;
  const spy = jest.spyOn(nodeFs, 'writeFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (typeof file === 'number') throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    return (real as (...a: unknown[]) => void)(file, ...rest);
  }) as typeof fs.writeFileSync);
  try {
    f();
  } finally {
    spy.mockRestore();
  }
}

describe('runBreaker', () => {
  let dir: string;
  let manifest: SpendMeterManifest;
  let log: string;
  let systemctl: string;
  let failingSystemctl: string;

  beforeEach(() => {
    dir = tempDir('breaker-parts-');
    manifest = renderSpendMeterManifest(exampleConfig('dev'), { breakerDir: path.join(dir, 'breaker'), egressAccessLog: path.join(dir, 'access.log') });
    log = path.join(dir, 'systemctl-calls');
    systemctl = recorder(path.join(dir, 'bin/systemctl'), log, 'exit 0');
    failingSystemctl = recorder(path.join(dir, 'bin/systemctl-failing'), log, 'echo "Failed to stop  unit:\n   Access denied" >&2; exit 1');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const ids = () => manifest.gateways.map((g) => g.id);
  const calm = (): Record<string, GatewayFigures> => Object.fromEntries(ids().map((id) => [id, gw()]));
  const marker = (id: string) => JSON.parse(fs.readFileSync(markerPath(manifest.breakerDir, id), 'utf8'));

  test('the example has the two gateways this test is about', () => {
    expect(ids()).toEqual(['ops', 'support']);
    expect(manifest.gateways.map((g) => g.unit)).toEqual(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service']);
    expect(markerPath('/b', 'ops')).toBe('/b/ops.tripped');
    expect(restoredPath('/b', 'ops')).toBe('/b/ops.restored');
  });

  test('below every limit: no marker, no stop, no line, both reported as not tripped', () => {
    const out = runBreaker(manifest, calm(), NOW, systemctl);
    expect(out).toEqual({ tripped: { ops: false, support: false }, lines: [] });
    expect(readCalls(log)).toEqual([]);
    expect(fs.existsSync(manifest.breakerDir)).toBe(false);
  });

  test('a trip: the marker (root 0600 in a 0700 folder, every figure), the stop of that unit only, one line naming gateway, agents, user, reason and figures', () => {
    const g = calm();
    g.support = gw({ todayUsd: 2.5, monthUsd: 7, toolCalls: [NOW - 1000, NOW], blocked: [[NOW, 3]] });
    const out = runBreaker(manifest, g, NOW, systemctl);
    expect(out.tripped).toEqual({ ops: false, support: true });
    expect(readCalls(log)).toEqual([['stop', '--no-block', 'openclaw-gateway@support.service']]);
    const file = markerPath(manifest.breakerDir, 'support');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(manifest.breakerDir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(manifest.breakerDir)).toEqual(['support.tripped']);
    const support = manifest.gateways.find((x) => x.id === 'support')!;
    expect(marker('support')).toEqual({
      gateway: 'support',
      agents: ['support'],
      unit: 'openclaw-gateway@support.service',
      reason: 'model-daily-usd',
      limit: 2,
      figure: 2.5,
      figures: { todayUsd: 2.5, monthUsd: 7, toolCalls5Min: 2, blockedEgress5Min: 3 },
      time: '2026-12-06T12:00:00.000Z',
      stopped: true,
    });
    expect(out.lines).toEqual([
      `BREAKER tripped gateway support (agents support, user ${support.user}): model-daily-usd: model spend today $2.50 at or over its daily limit $2.00 ` +
        `(today $2.50, month $7.00, 2 tool calls and 3 refused egress in 5 min); openclaw-gateway@support.service stopped; marker ${path.join(manifest.breakerDir, 'support.tripped')}`,
    ]);
  });

  test.each([
    ['model-monthly-usd', gw({ monthUsd: 30 }), 'model spend this month $30.00 at or over its monthly limit $25.00'],
    ['tool-calls-5min', gw({ toolCalls: Array.from({ length: 150 }, (_, i) => NOW - i) }), '150 tool calls in the last 5 minutes, at or over its limit 150'],
    ['blocked-egress-5min', gw({ blocked: [[NOW - 10, 12], [NOW, 8]] }), '20 refused egress attempts in the last 5 minutes, at or over its limit 20'],
  ])('the line says what %s means', (reason, figs, what) => {
    const g = calm();
    g.ops = figs;
    const out = runBreaker(manifest, g, NOW, systemctl);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toContain(`: ${reason}: ${what} (`);
    expect(marker('ops').reason).toBe(reason);
  });

  test('tripped once: the next run neither stops it again nor rewrites its marker, and still reports it tripped', () => {
    const g = calm();
    g.ops = gw({ todayUsd: 9 });
    runBreaker(manifest, g, NOW, systemctl);
    const before = fs.readFileSync(markerPath(manifest.breakerDir, 'ops'), 'utf8');
    g.ops.todayUsd = 12;
    const again = runBreaker(manifest, g, NOW + 60_000, systemctl);
    expect(again).toEqual({ tripped: { ops: true, support: false }, lines: [] });
    expect(readCalls(log)).toHaveLength(1);
    expect(fs.readFileSync(markerPath(manifest.breakerDir, 'ops'), 'utf8')).toBe(before);
  });

  test('a stop that fails: the marker stays with stopped false, the line says why (one line of it, trimmed); the next run tries again and then records the stop', () => {
    const g = calm();
    g.ops = gw({ toolCalls: Array.from({ length: 200 }, () => NOW) });
    const out = runBreaker(manifest, g, NOW, failingSystemctl);
    expect(out.tripped.ops).toBe(true);
    expect(marker('ops').stopped).toBe(false);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/; could not stop openclaw-gateway@ops\.service \(Failed to stop unit: Access denied\); tried again next run$/);

    const still = runBreaker(manifest, g, NOW + 60_000, failingSystemctl);
    expect(still.lines).toEqual(['BREAKER gateway ops: could not stop openclaw-gateway@ops.service (Failed to stop unit: Access denied); tried again next run']);
    expect(marker('ops').stopped).toBe(false);

    const done = runBreaker(manifest, g, NOW + 120_000, systemctl);
    expect(done).toEqual({ tripped: { ops: true, support: false }, lines: ['BREAKER gateway ops: openclaw-gateway@ops.service stopped (its earlier stop had failed)'] });
    expect(marker('ops')).toMatchObject({ stopped: true, reason: 'tool-calls-5min', figure: 200, time: '2026-12-06T12:00:00.000Z' });
    expect(readCalls(log).map((c) => c.join(' '))).toEqual(Array(3).fill('stop --no-block openclaw-gateway@ops.service'));
  });

  test("a stop's error is one line of at most 200 characters; a systemctl that cannot run is named by its error", () => {
    const long = recorder(path.join(dir, 'bin/systemctl-long'), log, `printf 'x%.0s' $(seq 1 400) >&2; exit 1`);
    const g = calm();
    g.ops = gw({ todayUsd: 9 });
    const out = runBreaker(manifest, g, NOW, long);
    expect(out.lines[0]).toContain(`could not stop openclaw-gateway@ops.service (${'x'.repeat(200)}); tried again next run`);
    fs.rmSync(manifest.breakerDir, { recursive: true });
    const missing = runBreaker(manifest, g, NOW, path.join(dir, 'bin/no-such-systemctl'));
    expect(missing.lines[0]).toMatch(/could not stop openclaw-gateway@ops\.service \(.*ENOENT.*\); tried again next run$/);
  });

  test('a systemctl that hangs is given up (15 seconds on the host): the stop counts as failed and is tried again next run', () => {
    expect(SYSTEMCTL_TIMEOUT_MS).toBe(15_000);
    const hangs = writeExecutable(path.join(dir, 'bin/systemctl-hangs'), '#!/usr/bin/env bash\nexec sleep 40\n');
    const g = calm();
    g.support = gw({ todayUsd: 9 });
    const started = Date.now();
    const out = runBreaker(manifest, g, NOW, hangs, 500);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out.lines[0]).toMatch(/could not stop openclaw-gateway@support\.service \(.*ETIMEDOUT.*\); tried again next run$/);
    expect(marker('support').stopped).toBe(false);
  }, 25_000);

  test('a shared gateway: the line names all of its agents', () => {
    const shared = { ...manifest.gateways[0]!, agents: ['ops', 'ops-helper'] };
    const m = { ...manifest, gateways: [shared, manifest.gateways[1]!] };
    const g = calm();
    g.ops = gw({ todayUsd: 9 });
    const out = runBreaker(m, g, NOW, systemctl);
    expect(out.lines[0]).toMatch(/^BREAKER tripped gateway ops \(agents ops, ops-helper, user /);
    expect(marker('ops').agents).toEqual(['ops', 'ops-helper']);
  });

  test('writing markers leaves no descriptor open', () => {
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 10; i++) {
      const g = calm();
      g.ops = gw({ todayUsd: 9 });
      fs.rmSync(manifest.breakerDir, { recursive: true, force: true });
      runBreaker(manifest, g, NOW + i, systemctl);
    }
    // A leak would leave one per run (10 or more); another thread of the process may open one meanwhile.
    expect(open()).toBeLessThan(before + 5);
  });

  test('a marker that cannot be read or parsed still counts as tripped, and is never stopped again', () => {
    fs.mkdirSync(markerPath(manifest.breakerDir, 'ops'), { recursive: true });
    fs.writeFileSync(markerPath(manifest.breakerDir, 'support'), 'not json');
    const g = calm();
    g.ops = gw({ todayUsd: 100 });
    g.support = gw({ todayUsd: 100 });
    expect(runBreaker(manifest, g, NOW, systemctl)).toEqual({ tripped: { ops: true, support: true }, lines: [] });
    expect(readCalls(log)).toEqual([]);
  });

  test('a marker that cannot be written: the unit is stopped anyway, and the line says so', () => {
    fs.writeFileSync(manifest.breakerDir, 'a file where the folder should be');
    const g = calm();
    g.support = gw({ monthUsd: 40 });
    const out = runBreaker(manifest, g, NOW, systemctl);
    // ops has no marker there (ENOTDIR is "not there", as systemd sees it): not tripped.
    expect(out.tripped).toEqual({ ops: false, support: true });
    expect(readCalls(log)).toEqual([['stop', '--no-block', 'openclaw-gateway@support.service']]);
    expect(out.lines).toHaveLength(3);
    expect(out.lines[0]).toBe(`BREAKER ${manifest.breakerDir} is not a folder: no gateway can be kept stopped by a marker until it is one`);
    expect(out.lines[1]).toMatch(/^BREAKER gateway support: could not write .*support\.tripped \((EEXIST|ENOTDIR)\); stopping openclaw-gateway@support\.service anyway \(it may start again at the next boot\)$/);
    expect(out.lines[2]).toMatch(/^BREAKER tripped gateway support .*openclaw-gateway@support\.service stopped; marker /);
  });

  test('a full disk (the marker write fails): the unit is stopped anyway, the line names the error, no temporary file is left', () => {
    const g = calm();
    g.support = gw({ blocked: [[NOW, 20]] });
    onFullDisk(() => {
      const out = runBreaker(manifest, g, NOW, systemctl);
      expect(out.tripped).toEqual({ ops: false, support: true });
      expect(readCalls(log)).toEqual([['stop', '--no-block', 'openclaw-gateway@support.service']]);
      expect(out.lines[0]).toBe(
        `BREAKER gateway support: could not write ${markerPath(manifest.breakerDir, 'support')} (ENOSPC); stopping openclaw-gateway@support.service anyway (it may start again at the next boot)`,
      );
      expect(out.lines).toHaveLength(2);
      expect(fs.readdirSync(manifest.breakerDir)).toEqual([]);
    });
  });

  test('a retried stop that succeeds while the disk is full: the run goes on to the other gateways, the line says the stop was not recorded', () => {
    const g = calm();
    g.ops = gw({ todayUsd: 9 });
    runBreaker(manifest, g, NOW, failingSystemctl);
    expect(marker('ops').stopped).toBe(false);
    onFullDisk(() => {
      g.support = gw({ todayUsd: 9 });
      const out = runBreaker(manifest, g, NOW + 60_000, systemctl);
      expect(out.tripped).toEqual({ ops: true, support: true });
      expect(out.lines[0]).toBe(`BREAKER gateway ops: openclaw-gateway@ops.service stopped (its earlier stop had failed); could not record it in ${markerPath(manifest.breakerDir, 'ops')} (ENOSPC)`);
      // The other gateway was still looked at, and stopped.
      expect(out.lines).toHaveLength(3);
      expect(out.lines[2]).toMatch(/^BREAKER tripped gateway support .*openclaw-gateway@support\.service stopped; marker /);
      expect(marker('ops').stopped).toBe(false);
    });
    // The next run stops it again (a no-op for a stopped unit) and records it; support, whose
    // marker could not be written either, trips again.
    const next = runBreaker(manifest, g, NOW + 120_000, systemctl);
    expect(next.lines[0]).toBe('BREAKER gateway ops: openclaw-gateway@ops.service stopped (its earlier stop had failed)');
    expect(next.lines[1]).toMatch(/^BREAKER tripped gateway support /);
    expect(marker('ops').stopped).toBe(true);
  });

  test('the marker is durable: its content fsynced before the rename, the folder fsynced after it', () => {
    const order = recordDurableWrites(() => {
      const g = calm();
      g.ops = gw({ todayUsd: 9 });
      runBreaker(manifest, g, NOW, systemctl);
    });
    const tmp = path.join(manifest.breakerDir, `.ops.tripped.${process.pid}.tmp`);
    // Written twice: the trip, then stopped: true.
    const once = [`fsync ${tmp}`, `rename .ops.tripped.${process.pid}.tmp ops.tripped`, `fsync ${manifest.breakerDir}`];
    expect(order).toEqual([...once, ...once]);
    expect(fs.readdirSync(manifest.breakerDir)).toEqual(['ops.tripped']);
  });

  test('a marker path that access(2) cannot resolve (a symlink loop) is no marker, as for systemd: the gateway trips and the loop is replaced', () => {
    fs.mkdirSync(manifest.breakerDir, { recursive: true });
    fs.symlinkSync('ops.tripped', markerPath(manifest.breakerDir, 'ops'));
    const g = calm();
    g.ops = gw({ todayUsd: 9 });
    expect(runBreaker(manifest, g, NOW, systemctl).tripped.ops).toBe(true);
    expect(readCalls(log)).toEqual([['stop', '--no-block', 'openclaw-gateway@ops.service']]);
    expect(fs.lstatSync(markerPath(manifest.breakerDir, 'ops')).isFile()).toBe(true);
  });

  test('a restore: the .restored file is consumed, what the gateway spent and did so far is set aside, and it is not tripped again for it', () => {
    fs.mkdirSync(manifest.breakerDir, { recursive: true });
    fs.writeFileSync(restoredPath(manifest.breakerDir, 'ops'), '');
    const g = calm();
    g.ops = gw({ todayUsd: 3, monthUsd: 30, toolCalls: [NOW], blocked: [[NOW, 25]] });
    const out = runBreaker(manifest, g, NOW, systemctl);
    expect(out).toEqual({ tripped: { ops: false, support: false }, lines: ['BREAKER gateway ops restored: its limits count again from now'] });
    expect(fs.existsSync(restoredPath(manifest.breakerDir, 'ops'))).toBe(false);
    expect(g.ops).toEqual({ todayUsd: 3, monthUsd: 30, todayBase: 3, monthBase: 30, toolCalls: [], blocked: [] });
    expect(readCalls(log)).toEqual([]);
    // What it spends from now counts: $2 more trips it again.
    g.ops.todayUsd = 5;
    const later = runBreaker(manifest, g, NOW + 60_000, systemctl);
    expect(later.tripped.ops).toBe(true);
    expect(marker('ops')).toMatchObject({ reason: 'model-daily-usd', figure: 2, figures: { todayUsd: 2, monthUsd: 0, toolCalls5Min: 0, blockedEgress5Min: 0 } });
  });

  test('a .restored file that cannot be removed (here a folder) is not applied: the figures still count, the line says why, the other gateways are run', () => {
    fs.mkdirSync(restoredPath(manifest.breakerDir, 'ops'), { recursive: true });
    const g = calm();
    g.ops = gw({ todayUsd: 9 });
    g.support = gw({ todayUsd: 9 });
    const out = runBreaker(manifest, g, NOW, systemctl);
    expect(out.lines[0]).toMatch(new RegExp(`^BREAKER gateway ops: could not remove ${restoredPath(manifest.breakerDir, 'ops').replace(/[.]/g, '\\.')} \\(\\w+\\); the restore is not applied and its limits count as before$`));
    expect(g.ops.todayBase).toBeUndefined();
    expect(out.tripped).toEqual({ ops: true, support: true });
    expect(readCalls(log).map((c) => c[2])).toEqual(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service']);
  });

  test('a .restored file beside a marker (restore not finished) is left alone: the marker wins', () => {
    fs.mkdirSync(manifest.breakerDir, { recursive: true });
    fs.writeFileSync(markerPath(manifest.breakerDir, 'ops'), JSON.stringify({ gateway: 'ops', stopped: true }));
    fs.writeFileSync(restoredPath(manifest.breakerDir, 'ops'), '');
    const g = calm();
    g.ops = gw({ todayUsd: 3 });
    expect(runBreaker(manifest, g, NOW, systemctl)).toEqual({ tripped: { ops: true, support: false }, lines: [] });
    expect(fs.existsSync(restoredPath(manifest.breakerDir, 'ops'))).toBe(true);
    expect(g.ops.todayBase).toBeUndefined();
  });
});
