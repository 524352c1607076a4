import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { CLAIMS_DIR, RUN_FLOOR, ephemeralLow, freePortRun } from './free-ports';

// freePortRun's ports are bound by gateways many seconds after the check, while
// other test files run beside it: the run must stay out of the kernel's
// ephemeral range and out of every other test process's claims.

const claimFile = (port: number) => path.join(CLAIMS_DIR, String(port));

/** Ports for the tests that pick them, apart from each other and from other test processes' (by pid). */
const base = RUN_FLOOR + 100 + (process.pid % 400) * 30;

/** The Math.random() value that makes freePortRun(count) try `port` first. */
function randomFor(port: number, count: number): number {
  const span = ephemeralLow() - count - RUN_FLOOR + 1;
  return (port - RUN_FLOOR + 0.5) / span;
}

/** A process that stays alive until killed, for claims held by another live process. */
function otherProcess() {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

afterEach(() => jest.restoreAllMocks());

describe('ephemeralLow', () => {
  test('reads the first figure of ip_local_port_range', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'port-range-'));
    fs.writeFileSync(path.join(dir, 'range'), '40000\t60999\n');
    expect(ephemeralLow(path.join(dir, 'range'))).toBe(40_000);
    fs.writeFileSync(path.join(dir, 'range'), 'garbage\n');
    expect(ephemeralLow(path.join(dir, 'range'))).toBe(32_768);
    expect(ephemeralLow(path.join(dir, 'missing'))).toBe(32_768);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('freePortRun', () => {
  test('returns a run below the ephemeral range, free, and claimed by this process', async () => {
    for (let i = 0; i < 20; i++) {
      const first = await freePortRun(3);
      expect(first).toBeGreaterThanOrEqual(RUN_FLOOR);
      expect(first + 2).toBeLessThan(ephemeralLow());
      for (let p = first; p < first + 3; p++) expect(fs.readFileSync(claimFile(p), 'utf8')).toBe(String(process.pid));
    }
  });

  test('the highest first port still leaves the whole run below the ephemeral range', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999_999_999);
    const first = await freePortRun(4);
    expect(first).toBe(ephemeralLow() - 4);
  });

  test('skips a port another live process has claimed, and one that is bound', async () => {
    const [claimed, bound, free] = [base, base + 3, base + 6];
    const other = otherProcess();
    const server = net.createServer();
    try {
      fs.mkdirSync(CLAIMS_DIR, { recursive: true });
      fs.writeFileSync(claimFile(claimed + 1), String(other.pid));
      await new Promise<void>((resolve) => server.listen(bound + 1, '127.0.0.1', resolve));
      jest
        .spyOn(Math, 'random')
        .mockReturnValueOnce(randomFor(claimed, 2))
        .mockReturnValueOnce(randomFor(bound, 2))
        .mockReturnValueOnce(randomFor(free, 2));
      expect(await freePortRun(2)).toBe(free);
      expect(fs.readFileSync(claimFile(claimed + 1), 'utf8')).toBe(String(other.pid));
      // the ports of the refused tries are not left claimed by this process
      expect(fs.existsSync(claimFile(claimed))).toBe(false);
      expect(fs.existsSync(claimFile(bound))).toBe(false);
    } finally {
      other.kill('SIGKILL');
      server.close();
      fs.rmSync(claimFile(claimed + 1), { force: true });
    }
  });

  test('takes over the claim of a process that is gone', async () => {
    const port = base + 10;
    const gone = spawnSync('sh', ['-c', 'echo $$']);
    const pid = Number(gone.stdout.toString().trim());
    fs.mkdirSync(CLAIMS_DIR, { recursive: true });
    fs.writeFileSync(claimFile(port), String(pid));
    jest.spyOn(Math, 'random').mockReturnValue(randomFor(port, 1));
    expect(await freePortRun(1)).toBe(port);
    expect(fs.readFileSync(claimFile(port), 'utf8')).toBe(String(process.pid));
  });

  test('never hands out the same port twice in one process', async () => {
    const port = base + 15;
    jest.spyOn(Math, 'random').mockReturnValueOnce(randomFor(port, 1)).mockReturnValueOnce(randomFor(port, 1)).mockReturnValue(randomFor(port + 1, 1));
    expect(await freePortRun(1)).toBe(port);
    expect(await freePortRun(1)).toBe(port + 1);
  });

  test("a process's claims are released when it exits", () => {
    const tsx = require.resolve('tsx/cli');
    const r = spawnSync(process.execPath, [tsx, '-e', `import { existsSync } from 'fs'; import { CLAIMS_DIR, freePortRun } from ${JSON.stringify(path.join(__dirname, 'free-ports'))}; freePortRun(3).then((p) => console.log(p, existsSync(CLAIMS_DIR + '/' + p)));`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    const [printed, claimedWhileAlive] = r.stdout.trim().split(' ');
    expect(claimedWhileAlive).toBe('true');
    const first = Number(printed);
    expect(first).toBeGreaterThanOrEqual(RUN_FLOOR);
    for (let p = first; p < first + 3; p++) expect(fs.existsSync(claimFile(p))).toBe(false);
  });

  test('gives up after 50 tries when no run is free', async () => {
    const port = base + 20;
    const other = otherProcess();
    try {
      fs.mkdirSync(CLAIMS_DIR, { recursive: true });
      fs.writeFileSync(claimFile(port), String(other.pid));
      jest.spyOn(Math, 'random').mockReturnValue(randomFor(port, 1));
      await expect(freePortRun(1)).rejects.toThrow('no 1 consecutive free ports on 127.0.0.1 after 50 attempts');
    } finally {
      other.kill('SIGKILL');
      fs.rmSync(claimFile(port), { force: true });
    }
  });
});
