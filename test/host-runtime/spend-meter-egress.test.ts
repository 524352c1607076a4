import * as fs from 'fs';
import * as path from 'path';
import { MAX_LOG_BYTES_PER_RUN, NFT_TIMEOUT_MS, blockedEgress, counterGrowth, parseDeniedLine, readDeniedLines, readNftCounter } from '../../host/spend-meter/egress';
import { BREAKER_NFT_TABLE, renderSpendMeterManifest, type SpendMeterManifest } from '../../lib/host/spend-meter';
import { exampleConfig } from '../host/support/host-tools';
import { readCalls, recorder, tempDir, writeExecutable } from './support/runtime-tools';

// What the breaker counts as refused egress (host/spend-meter/egress.ts), in process: the nft
// counter's answer read strictly, its growth, squid's TCP_DENIED lines of each gateway's port read
// from where the last run stopped. The nft answers are in the shape `nft -j list counter` prints
// (nftables 1.0, libnftables-json(5)); the real nft in a namespace: spend-meter-breaker.test.ts.

// The host's table (the meter reads its counters there): lib/host/spend-meter.ts BREAKER_NFT_TABLE.
const TABLE = BREAKER_NFT_TABLE;
const nftAnswer = (counter: Record<string, unknown>) => JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } }, { counter }] });
const counter = (name: string, packets: unknown, table = TABLE) => ({ family: 'inet', name, table, handle: 7, packets, bytes: 420 });
const line = (t: string, result: string, port: number, target = 'evil.example:443') => `${t}    0 127.0.0.1 ${result} 3912 CONNECT ${target} - HIER_NONE/- text/html ${port}`;

let dir: string;
beforeEach(() => {
  dir = tempDir('spend-egress-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in nft that records its arguments and prints `out` (exit `code`, `err` on stderr). */
function fakeNft(out: string, code = 0, err = ''): { nft: string; calls: () => string[][] } {
  const log = path.join(dir, 'nft-calls');
  fs.writeFileSync(path.join(dir, 'nft-out'), out);
  fs.writeFileSync(path.join(dir, 'nft-err'), err);
  const nft = recorder(path.join(dir, 'bin/nft'), log, `cat ${JSON.stringify(path.join(dir, 'nft-out'))}; cat ${JSON.stringify(path.join(dir, 'nft-err'))} >&2; exit ${code}`);
  return { nft, calls: () => readCalls(log) };
}

describe('readNftCounter', () => {
  test('asks for exactly that counter of the inet table, in JSON, and reads its packets', () => {
    const { nft, calls } = fakeNft(nftAnswer(counter('egress_blocked_ops', 12)));
    expect(readNftCounter(nft, TABLE, 'egress_blocked_ops')).toEqual({ packets: 12 });
    expect(calls()).toEqual([['-j', 'list', 'counter', 'inet', TABLE, 'egress_blocked_ops']]);
    fs.writeFileSync(path.join(dir, 'nft-out'), nftAnswer(counter('egress_blocked_ops', 0)));
    expect(readNftCounter(nft, TABLE, 'egress_blocked_ops')).toEqual({ packets: 0 });
  });

  test.each([
    ['another counter', nftAnswer(counter('egress_blocked_support', 12))],
    ['another table', nftAnswer(counter('egress_blocked_ops', 12, 'filter'))],
    ['packets as a string', nftAnswer(counter('egress_blocked_ops', '12'))],
    ['negative packets', nftAnswer(counter('egress_blocked_ops', -1))],
    ['fractional packets', nftAnswer(counter('egress_blocked_ops', 1.5))],
    ['packets beyond a safe integer', nftAnswer(counter('egress_blocked_ops', 2 ** 53))],
    ['no nftables list', JSON.stringify({ counter: counter('egress_blocked_ops', 12) })],
    ['nftables not a list', JSON.stringify({ nftables: { counter: counter('egress_blocked_ops', 12) } })],
    ['null', 'null'],
    ['an item that is null', JSON.stringify({ nftables: [null] })],
  ])('%s: never read as a figure', (_name, out) => {
    const { nft } = fakeNft(out);
    expect(readNftCounter(nft, TABLE, 'egress_blocked_ops')).toEqual({ error: `nft list counter inet ${TABLE} egress_blocked_ops: no such counter in the answer` });
  });

  test('not JSON: an error that says so', () => {
    const { nft } = fakeNft('table inet openclaw {\n counter egress_blocked_ops { packets 12 bytes 420 }\n}\n');
    expect(readNftCounter(nft, TABLE, 'egress_blocked_ops')).toEqual({ error: `nft list counter inet ${TABLE} egress_blocked_ops: not JSON` });
  });

  test("nft failing: its stderr, on one line, at most 200 characters", () => {
    const { nft } = fakeNft('', 1, `\n  Error: No such file or directory\n\nlist counter  inet ${TABLE} egress_blocked_ops\n${'^'.repeat(300)}`);
    const r = readNftCounter(nft, TABLE, 'egress_blocked_ops') as { error: string };
    const prefix = `nft list counter inet ${TABLE} egress_blocked_ops: `;
    expect(r.error.startsWith(`${prefix}Error: No such file or directory list counter inet ${TABLE} egress_blocked_ops ^^^`)).toBe(true);
    expect(r.error.length).toBe(prefix.length + 200);
    expect(r.error).not.toContain('\n');
  });

  test('nft that hangs is given up (5 seconds on the host): an error, never a stuck meter', () => {
    expect(NFT_TIMEOUT_MS).toBe(5_000);
    const nft = writeExecutable(path.join(dir, 'bin/nft-hangs'), '#!/usr/bin/env bash\nexec sleep 30\n');
    const started = Date.now();
    const r = readNftCounter(nft, TABLE, 'egress_blocked_ops', 300) as { error: string };
    expect(r.error).toMatch(new RegExp(`^nft list counter inet ${TABLE} egress_blocked_ops: .*ETIMEDOUT`));
    expect(Date.now() - started).toBeLessThan(3_000);
  }, 20_000);

  test('nft missing: the error names the command', () => {
    expect(readNftCounter(path.join(dir, 'no-such-nft'), TABLE, 'egress_blocked_ops')).toEqual({ error: expect.stringMatching(new RegExp(`^nft list counter inet ${TABLE} egress_blocked_ops: .*ENOENT`)) });
  });
});

test('counter growth: nothing on the first read; the rise after; all of it after a reset (the counter went down)', () => {
  expect(counterGrowth(undefined, 50)).toBe(0);
  expect(counterGrowth(10, 10)).toBe(0);
  expect(counterGrowth(10, 14)).toBe(4);
  expect(counterGrowth(10, 3)).toBe(3);
  expect(counterGrowth(10, 0)).toBe(0);
});

test('denied lines: TCP_DENIED only, at their own time in ms, with their port', () => {
  expect(parseDeniedLine(line('1795251856.981', 'TCP_DENIED/403', 3130))).toEqual({ at: 1795251856981, port: 3130 });
  expect(parseDeniedLine(line('1795251856.981', 'TCP_TUNNEL/200', 3130, 'api.anthropic.com:443'))).toBeUndefined();
  expect(parseDeniedLine('1795251856.981    0 127.0.0.1 TCP_DENIED/403 3912 CONNECT evil.example:443 - HIER_NONE/- text/html')).toBeUndefined();
  expect(parseDeniedLine('')).toBeUndefined();
});

describe('readDeniedLines', () => {
  const file = () => path.join(dir, 'access.log');
  const d1 = line('1795251856.981', 'TCP_DENIED/403', 3130);
  const ok = line('1795251857.000', 'TCP_TUNNEL/200', 3130, 'api.anthropic.com:443');
  const d2 = line('1795251858.500', 'TCP_DENIED/403', 3131);

  test('no log yet: nothing, and the cursor is kept', () => {
    expect(readDeniedLines(file(), undefined)).toEqual({ lines: [] });
    expect(readDeniedLines(file(), { ino: 5, pos: 10 })).toEqual({ lines: [], cursor: { ino: 5, pos: 10 } });
  });

  test('whole lines only, from the cursor on; a line still being written is read next run', () => {
    fs.writeFileSync(file(), `${d1}\n${ok}\n${d2.slice(0, 20)}`);
    const ino = fs.statSync(file()).ino;
    const first = readDeniedLines(file(), undefined);
    expect(first).toEqual({ lines: [{ at: 1795251856981, port: 3130 }], cursor: { ino, pos: Buffer.byteLength(`${d1}\n${ok}\n`) } });
    fs.appendFileSync(file(), `${d2.slice(20)}\n`);
    const second = readDeniedLines(file(), first.cursor);
    expect(second).toEqual({ lines: [{ at: 1795251858500, port: 3131 }], cursor: { ino, pos: fs.statSync(file()).size } });
    // Nothing new: nothing, same cursor.
    expect(readDeniedLines(file(), second.cursor)).toEqual({ lines: [], cursor: second.cursor });
    // Only part of a line new: nothing yet, cursor unmoved.
    fs.appendFileSync(file(), 'partial');
    expect(readDeniedLines(file(), second.cursor)).toEqual({ lines: [], cursor: second.cursor });
  });

  test('rotated (another inode, or a shorter file): read from the start', () => {
    fs.writeFileSync(file(), `${d1}\n`);
    const ino = fs.statSync(file()).ino;
    const other = readDeniedLines(file(), { ino: ino + 1, pos: 5 });
    expect(other).toEqual({ lines: [{ at: 1795251856981, port: 3130 }], cursor: { ino, pos: d1.length + 1 } });
    const shorter = readDeniedLines(file(), { ino, pos: 100_000 });
    expect(shorter).toEqual({ lines: [{ at: 1795251856981, port: 3130 }], cursor: { ino, pos: d1.length + 1 } });
  });

  test(`a first read of a log over ${MAX_LOG_BYTES_PER_RUN} bytes: only its last ${MAX_LOG_BYTES_PER_RUN} bytes, the cut line dropped; then at most that much a run`, () => {
    expect(MAX_LOG_BYTES_PER_RUN).toBe(16 * 1024 * 1024);
    const old = `${line('1795251800.000', 'TCP_DENIED/403', 3130)}\n`;
    const count = Math.ceil(MAX_LOG_BYTES_PER_RUN / old.length) + 10;
    fs.writeFileSync(file(), old.repeat(count));
    const size = fs.statSync(file()).size;
    const r = readDeniedLines(file(), undefined);
    // The cut is mid-line (the size is not a multiple of the line's length minus the limit): dropped.
    expect((size - MAX_LOG_BYTES_PER_RUN) % old.length).not.toBe(0);
    expect(r.lines).toHaveLength(Math.floor(MAX_LOG_BYTES_PER_RUN / old.length));
    expect(r.cursor!.pos).toBe(size);
    // A cursor far behind: one run reads at most the limit, whole lines, and the next goes on.
    const next = readDeniedLines(file(), { ino: r.cursor!.ino, pos: 0 });
    expect(next.lines).toHaveLength(Math.floor(MAX_LOG_BYTES_PER_RUN / old.length));
    expect(next.cursor!.pos).toBe(Math.floor(MAX_LOG_BYTES_PER_RUN / old.length) * old.length);
    const rest = readDeniedLines(file(), next.cursor);
    expect(rest.lines).toHaveLength(count - next.lines.length);
    expect(rest.cursor!.pos).toBe(size);
  });

  test('a whole line squid has not ended with its newline yet is not read (nor any cut of it); a lone newline is passed over', () => {
    fs.writeFileSync(file(), `${d1}\n${d2}`);
    const ino = fs.statSync(file()).ino;
    expect(readDeniedLines(file(), undefined)).toEqual({ lines: [{ at: 1795251856981, port: 3130 }], cursor: { ino, pos: d1.length + 1 } });
    // The same line alone in the file (no newline anywhere yet).
    fs.writeFileSync(file(), d2);
    expect(readDeniedLines(file(), undefined)).toEqual({ lines: [], cursor: { ino: fs.statSync(file()).ino, pos: 0 } });
    fs.writeFileSync(file(), '\n');
    expect(readDeniedLines(file(), undefined)).toEqual({ lines: [], cursor: { ino: fs.statSync(file()).ino, pos: 1 } });
  });

  test(`a log of exactly ${MAX_LOG_BYTES_PER_RUN} bytes is read whole, its first line included`, () => {
    const filler = 'x'.repeat(MAX_LOG_BYTES_PER_RUN - (d1.length + 1) - 1);
    fs.writeFileSync(file(), `${d1}\n${filler}\n`);
    expect(fs.statSync(file()).size).toBe(MAX_LOG_BYTES_PER_RUN);
    expect(readDeniedLines(file(), undefined).lines).toEqual([{ at: 1795251856981, port: 3130 }]);
  });

  test('the cut line of a large first read is dropped even when what is left of it would read as a line', () => {
    const old = `${line('1795251800.000', 'TCP_DENIED/403', 3130)}\n`;
    const count = Math.ceil(MAX_LOG_BYTES_PER_RUN / old.length) + 10;
    // A last line of junk sized so that the cut falls 1 byte into a line: "795251800.000 ..." still has the shape of one.
    let junk = (((1 + MAX_LOG_BYTES_PER_RUN) % old.length) + old.length) % old.length;
    if (junk === 0) junk = old.length;
    fs.writeFileSync(file(), `${old.repeat(count)}${'j'.repeat(junk - 1)}\n`);
    const cut = fs.statSync(file()).size - MAX_LOG_BYTES_PER_RUN;
    expect(cut % old.length).toBe(1);
    const r = readDeniedLines(file(), undefined);
    expect(r.lines).toHaveLength((count * old.length - (cut + old.length - 1)) / old.length);
    expect(new Set(r.lines.map((l) => l.at))).toEqual(new Set([1795251800000]));
  });

  test('squid appending between the size check and the read: only up to the size checked is read; the rest next run', () => {
    fs.writeFileSync(file(), `${d1}\n${d1}\n${d2}\n`);
    const st = fs.statSync(file());
    const checked = 2 * (d1.length + 1);
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const realFstat = nodeFs.fstatSync;
    // fstat as it was before d2's line was written.
    const spy = jest.spyOn(nodeFs, 'fstatSync').mockImplementation(((fd: number) => Object.assign(realFstat(fd), { size: checked })) as typeof fs.fstatSync);
    try {
      expect(readDeniedLines(file(), { ino: st.ino, pos: d1.length + 1 })).toEqual({ lines: [{ at: 1795251856981, port: 3130 }], cursor: { ino: st.ino, pos: checked } });
    } finally {
      spy.mockRestore();
    }
  });

  test('an open error without a code is still a warning, never a figure', () => {
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const spy = jest.spyOn(nodeFs, 'openSync').mockImplementation((() => {
      throw new Error('odd');
    }) as typeof fs.openSync);
    try {
      expect(readDeniedLines(file(), undefined)).toEqual({ lines: [], warning: `${file()}: cannot read it (error); refused requests not counted this run` });
    } finally {
      spy.mockRestore();
    }
  });

  test('the log is closed after each read (no descriptor left open per run)', () => {
    fs.writeFileSync(file(), `${d1}\n`);
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) readDeniedLines(file(), undefined);
    // A leak would leave one per run (10 or more); another thread of the process may open one meanwhile.
    expect(open()).toBeLessThan(before + 5);
  });

  test('a symlink is not followed, and a folder is not a log: warnings, no figures', () => {
    fs.writeFileSync(path.join(dir, 'elsewhere'), `${d1}\n`);
    fs.symlinkSync(path.join(dir, 'elsewhere'), file());
    expect(readDeniedLines(file(), { ino: 1, pos: 0 })).toEqual({ lines: [], cursor: { ino: 1, pos: 0 }, warning: `${file()}: cannot read it (ELOOP); refused requests not counted this run` });
    expect(readDeniedLines(file(), undefined)).toEqual({ lines: [], warning: `${file()}: cannot read it (ELOOP); refused requests not counted this run` });
    const folder = path.join(dir, 'folder.log');
    fs.mkdirSync(folder);
    expect(readDeniedLines(folder, { ino: 1, pos: 0 })).toEqual({ lines: [], warning: `${folder}: not a regular file` });
  });

  test('multi-byte characters before the end: the cursor counts bytes, not characters', () => {
    const odd = `${line('1795251856.000', 'TCP_DENIED/403', 3130, 'xn--caf-dma.example:443')} é\n`;
    fs.writeFileSync(file(), `${odd}${d1}\n`);
    const r = readDeniedLines(file(), undefined);
    expect(r.cursor!.pos).toBe(fs.statSync(file()).size);
    expect(r.lines).toEqual([{ at: 1795251856981, port: 3130 }]);
  });
});

describe('blockedEgress', () => {
  let manifest: SpendMeterManifest;
  beforeEach(() => {
    manifest = renderSpendMeterManifest(exampleConfig('dev'), { breakerDir: path.join(dir, 'breaker'), egressAccessLog: path.join(dir, 'access.log') });
  });

  test("per gateway: its counter's growth, and the denied lines of its own port only", () => {
    const [ops, support] = manifest.gateways;
    expect([ops!.id, support!.id]).toEqual(['ops', 'support']);
    expect(ops!.proxyPort).not.toBe(support!.proxyPort);
    const nft = writeExecutable(
      path.join(dir, 'bin/nft'),
      `#!/usr/bin/env bash\ncase "$6" in ${ops!.nftCounter}) echo '${nftAnswer(counter(ops!.nftCounter, 30, manifest.nftTable))}';; ${support!.nftCounter}) echo '${nftAnswer(counter(support!.nftCounter, 4, manifest.nftTable))}';; esac\n`,
    );
    fs.writeFileSync(
      manifest.egressAccessLog,
      [line('1795251856.000', 'TCP_DENIED/403', ops!.proxyPort), line('1795251857.000', 'TCP_DENIED/403', support!.proxyPort), line('1795251858.000', 'TCP_DENIED/403', support!.proxyPort), line('1795251859.000', 'TCP_DENIED/403', 9999), line('1795251860.000', 'TCP_TUNNEL/200', ops!.proxyPort), ''].join('\n'),
    );
    const previous = { ops: 25, support: undefined } as Record<string, number | undefined>;
    const r = blockedEgress(manifest, { nftPackets: (id) => previous[id] }, nft);
    expect(r.warnings).toStrictEqual([]);
    expect([...r.nft]).toEqual([
      ['ops', { growth: 5, packets: 30 }],
      ['support', { growth: 0, packets: 4 }],
    ]);
    expect([...r.denied]).toEqual([
      ['ops', [1795251856000]],
      ['support', [1795251857000, 1795251858000]],
    ]);
    expect(r.logCursor).toEqual({ ino: fs.statSync(manifest.egressAccessLog).ino, pos: fs.statSync(manifest.egressAccessLog).size });
  });

  test('a counter that cannot be read: a warning naming the gateway, no growth, its last value kept; the log still read', () => {
    const { nft } = fakeNft('', 1, 'Error: Could not process rule: No such file or directory');
    const previous = { ops: 25 } as Record<string, number | undefined>;
    const r = blockedEgress(manifest, { nftPackets: (id) => previous[id] }, nft);
    expect([...r.nft]).toStrictEqual([
      ['ops', { growth: 0, packets: 25 }],
      ['support', { growth: 0 }],
    ]);
    expect(r.warnings).toEqual(
      manifest.gateways.map((g) => `nft list counter inet ${manifest.nftTable} ${g.nftCounter}: Error: Could not process rule: No such file or directory; gateway ${g.id}'s refused direct connections not counted this run`),
    );
    expect(r.denied.size).toBe(0);
    expect(r.logCursor).toBeUndefined();
  });

  test("the log's warning is passed on, and its cursor kept", () => {
    fs.mkdirSync(manifest.egressAccessLog);
    const { nft } = fakeNft(nftAnswer(counter('x', 1)));
    const r = blockedEgress(manifest, { nftPackets: () => undefined, logCursor: { ino: 3, pos: 9 } }, nft);
    expect(r.warnings.at(-1)).toBe(`${manifest.egressAccessLog}: not a regular file`);
    expect(r.warnings).toHaveLength(3);
  });
});
