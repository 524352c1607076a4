/**
 * A run of consecutive free TCP ports on 127.0.0.1, for tests that start one
 * process per gateway: the gateways' ports are edge.gatewayPort + n
 * (lib/openclaw/gateways.ts), so a test needs `count` free ports in a row.
 *
 * A gateway binds its port many seconds after the port was found free (it
 * loads its plugins first), and jest runs test files side by side. Two things
 * keep the port free meanwhile:
 * - the run lies outside the kernel's ephemeral range (below it, or above it
 *   where it starts too low), so no `listen(0)` and no outgoing connection of
 *   another test is given one of its ports;
 * - each port is claimed with a Linux abstract Unix socket named after it
 *   (CLAIM_PREFIX + port), which another process cannot bind while this one
 *   holds it: two test processes never pick overlapping runs. The kernel frees
 *   the name when the process ends, however it ends, so no claim outlives its
 *   process (no files, no pid reuse, no races between readers and writers).
 *   Under jest, a test file's claims are released after its last test.
 */
import * as fs from 'fs';
import * as net from 'net';

/** The lowest port the runs start at, below the ephemeral range. */
export const RUN_FLOOR = 20_000;

/** The prefix of the abstract socket name that claims a port. */
export const CLAIM_PREFIX = '\0openclaw-test-port-';

const held = new Map<number, net.Server>();

/** The kernel's ephemeral range (net.ipv4.ip_local_port_range), [32768, 60999] where it cannot be read. */
export function ephemeralRange(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [low, high] = fs.readFileSync(rangeFile, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low! && high! <= 65_535) return [low!, high!];
  } catch {
    // not Linux, or no /proc: the kernel's default
  }
  return [32_768, 60_999];
}

/**
 * The first ports a run of `count` may start at, outside `range`: between RUN_FLOOR and the
 * range's start, else above its end. Throws when neither has room.
 */
export function runSpan(count: number, range: [number, number] = ephemeralRange()): [number, number] {
  const [low, high] = range;
  if (low - count >= RUN_FLOOR) return [RUN_FLOOR, low - count];
  if (65_535 - count + 1 >= high + 1) return [high + 1, 65_535 - count + 1];
  throw new Error(`no room for ${count} ports outside the ephemeral range ${low}-${high}`);
}

/** Resolves once `port` could be bound on 127.0.0.1 (and was released again), false if it is taken. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Claims `port` for this process: true if it is now this process's, false if any process (this one included) holds it. */
function claim(port: number): Promise<boolean> {
  if (held.has(port)) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
    server.listen(`${CLAIM_PREFIX}${port}`, () => {
      server.unref(); // a claim never keeps a process alive
      held.set(port, server);
      resolve(true);
    });
  });
}

/** Releases this process's claims of `ports` (every claim when none are named). */
export function releasePorts(ports: Iterable<number> = [...held.keys()]): void {
  for (const p of [...ports]) {
    held.get(p)?.close();
    held.delete(p);
  }
}

// Under jest: release a test file's claims after its last test (jest keeps a worker, and this
// module's claims would otherwise stay held, for the next test files it runs).
if (typeof afterAll === 'function') afterAll(() => releasePorts());

/**
 * The first port of `count` consecutive ports free on 127.0.0.1 and claimed
 * for this process, chosen at random outside the ephemeral range (runSpan).
 * Throws after 50 attempts.
 */
export async function freePortRun(count: number): Promise<number> {
  const [from, to] = runSpan(count);
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = from + Math.floor(Math.random() * (to - from + 1));
    const mine: number[] = [];
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      ok = await claim(first + i);
      if (ok) mine.push(first + i);
      ok = ok && (await isFree(first + i));
    }
    if (ok) return first;
    releasePorts(mine);
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1 after 50 attempts`);
}
