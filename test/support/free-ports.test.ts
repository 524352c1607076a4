import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { CLAIM_PREFIX, RUN_FLOOR, ephemeralRange, freePortRun, releasePorts, runSpan } from './free-ports';

// freePortRun's ports are bound by gateways many seconds after the check, while
// other test files run beside it: the run must stay out of the kernel's
// ephemeral range and out of every other test process's claims.

/** Resolves with whether the abstract socket claiming `port` can be bound now (true: nobody holds the claim). */
function claimFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
    s.listen(`${CLAIM_PREFIX}${port}`, () => s.close(() => resolve(true)));
  });
}

/** Holds the claim of `port` as another holder would (a socket this helper did not make). */
function holdClaim(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(`${CLAIM_PREFIX}${port}`, () => resolve(s));
  });
}

/** The Math.random() value that makes freePortRun(count) try `port` first. */
function randomFor(port: number, count: number): number {
  const [from, to] = runSpan(count);
  return (port - from + 0.5) / (to - from + 1);
}

/** `n` consecutive ports free and unclaimed right now, for tests that need ports of their own to set up. */
async function fixturePorts(n: number): Promise<number> {
  const first = await freePortRun(n);
  releasePorts(Array.from({ length: n }, (_, i) => first + i));
  return first;
}

/** `code` run by tsx (which runs it in a child process of its own), in a process group of its own. */
const tsxRun = (code: string) =>
  spawn(process.execPath, [require.resolve('tsx/cli'), '-e', `import { freePortRun } from ${JSON.stringify(path.join(__dirname, 'free-ports'))};\n${code}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });

afterEach(() => {
  jest.restoreAllMocks();
  releasePorts();
});

describe('ephemeralRange and runSpan', () => {
  test('the range is read from ip_local_port_range; the kernel default where it cannot be', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'port-range-'));
    const range = (text: string) => {
      fs.writeFileSync(path.join(dir, 'range'), text);
      return ephemeralRange(path.join(dir, 'range'));
    };
    expect(range('40000\t60999\n')).toEqual([40_000, 60_999]);
    expect(range('garbage\n')).toEqual([32_768, 60_999]);
    expect(range('50000 40000\n')).toEqual([32_768, 60_999]);
    expect(range('1024 70000\n')).toEqual([32_768, 60_999]);
    expect(ephemeralRange(path.join(dir, 'missing'))).toEqual([32_768, 60_999]);
    fs.rmSync(dir, { recursive: true });
  });

  test('runs start between RUN_FLOOR and the range, whole runs below it; above it when it starts too low; none without room', () => {
    expect(runSpan(3, [32_768, 60_999])).toEqual([20_000, 32_765]);
    expect(runSpan(1, [20_001, 60_999])).toEqual([20_000, 20_000]);
    expect(runSpan(2, [20_001, 60_999])).toEqual([61_000, 65_534]);
    expect(runSpan(4, [1024, 65_000])).toEqual([65_001, 65_532]);
    expect(runSpan(535, [1024, 65_000])).toEqual([65_001, 65_001]);
    expect(() => runSpan(536, [1024, 65_000])).toThrow('no room for 536 ports outside the ephemeral range 1024-65000');
  });
});

describe('freePortRun', () => {
  test('returns a run outside the ephemeral range, free, and claimed by this process', async () => {
    const [low] = ephemeralRange();
    for (let i = 0; i < 20; i++) {
      const first = await freePortRun(3);
      expect(first).toBeGreaterThanOrEqual(RUN_FLOOR);
      expect(first + 2).toBeLessThan(low);
      for (let p = first; p < first + 3; p++) expect(await claimFree(p)).toBe(false);
    }
  });

  test('the highest first port still leaves the whole run below the ephemeral range', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999_999);
    expect(await freePortRun(4)).toBe(ephemeralRange()[0] - 4);
  });

  test('skips a port whose claim is held elsewhere, and one that is bound, leaving no claim of its refused tries', async () => {
    const base = await fixturePorts(9);
    const [claimed, bound, free] = [base, base + 3, base + 6];
    const other = await holdClaim(claimed + 1);
    const server = net.createServer();
    try {
      await new Promise<void>((resolve) => server.listen(bound + 1, '127.0.0.1', resolve));
      jest
        .spyOn(Math, 'random')
        .mockReturnValueOnce(randomFor(claimed, 2))
        .mockReturnValueOnce(randomFor(bound, 2))
        .mockReturnValueOnce(randomFor(free, 2));
      expect(await freePortRun(2)).toBe(free);
      expect(await Promise.all([claimed, bound, bound + 1].map(claimFree))).toEqual([true, true, true]);
      expect(await Promise.all([free, free + 1].map(claimFree))).toEqual([false, false]);
    } finally {
      other.close();
      server.close();
    }
  });

  test('never hands out the same port twice in one process, until it is released', async () => {
    const port = await fixturePorts(2);
    jest.spyOn(Math, 'random').mockReturnValueOnce(randomFor(port, 1)).mockReturnValueOnce(randomFor(port, 1)).mockReturnValue(randomFor(port + 1, 1));
    expect(await freePortRun(1)).toBe(port);
    expect(await freePortRun(1)).toBe(port + 1);
    releasePorts([port]);
    expect(await claimFree(port)).toBe(true);
    expect(await claimFree(port + 1)).toBe(false);
  });

  test("another process's claims hold while it runs, and are gone once it is killed", async () => {
    const child = tsxRun('freePortRun(3).then((p) => console.log(p)); setInterval(() => {}, 1000);');
    const first = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    try {
      expect(await Promise.all([first, first + 1, first + 2].map(claimFree))).toEqual([false, false, false]);
      jest.spyOn(Math, 'random').mockReturnValueOnce(randomFor(first, 1)).mockReturnValue(randomFor(first + 3, 1));
      expect(await freePortRun(1)).not.toBe(first);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGKILL'); // tsx and the node it started
      await exited;
    }
    // The kernel frees the names when the last process of the group is gone (the grandchild may outlive tsx by a moment).
    const freed = async () => (await Promise.all([first, first + 1, first + 2].map(claimFree))).every(Boolean);
    for (const deadline = Date.now() + 10_000; !(await freed()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await Promise.all([first, first + 1, first + 2].map(claimFree))).toEqual([true, true, true]);
  });

  test("a process's claims do not keep it alive, and end with it", () => {
    const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), '-e', `import { freePortRun } from ${JSON.stringify(path.join(__dirname, 'free-ports'))}; freePortRun(2).then((p) => console.log(p));`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(Number(r.stdout.trim())).toBeGreaterThanOrEqual(RUN_FLOOR);
  });

  test('gives up after 50 tries when no run is free', async () => {
    const port = await fixturePorts(1);
    const other = await holdClaim(port);
    try {
      jest.spyOn(Math, 'random').mockReturnValue(randomFor(port, 1));
      await expect(freePortRun(1)).rejects.toThrow('no 1 consecutive free ports on 127.0.0.1 after 50 attempts');
    } finally {
      other.close();
    }
  });
});
