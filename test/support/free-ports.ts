/**
 * A run of consecutive free TCP ports on 127.0.0.1, for tests that start one
 * process per gateway: the gateways' ports are edge.gatewayPort + n
 * (lib/openclaw/gateways.ts), so a test needs `count` free ports in a row.
 *
 * A gateway binds its port many seconds after the port was found free (it
 * loads its plugins first), and jest runs test files side by side. Two things
 * keep the port free meanwhile:
 * - the run lies below the kernel's ephemeral range, so no `listen(0)` (as
 *   host-tools' freePort) and no outgoing connection of another test is given
 *   one of its ports;
 * - each port is claimed by a file in a folder every test process shares, so
 *   two test processes never pick overlapping runs. A claim holds until its
 *   process exits; a claim whose process is gone is taken over.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The lowest port the runs start at. */
export const RUN_FLOOR = 20_000;

/** Where the claims live (one file per port, holding the claiming process's pid). */
export const CLAIMS_DIR = path.join(os.tmpdir(), 'openclaw-test-port-claims');

const held = new Set<string>();
let releaseHooked = false;

/** The first port of the kernel's ephemeral range (net.ipv4.ip_local_port_range), 32768 where it cannot be read. */
export function ephemeralLow(rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'): number {
  try {
    const low = Number(fs.readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Resolves once `port` could be bound on 127.0.0.1 (and was released again), false if it is taken. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `port` for this process: true if it is now this process's, false if a live process holds it. */
function claim(port: number): boolean {
  const file = path.join(CLAIMS_DIR, String(port));
  if (held.has(file)) return false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      held.add(file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
      fs.rmSync(file, { force: true }); // its process is gone: take it over
    }
  }
  return false;
}

function release(files: Iterable<string>): void {
  for (const f of files) {
    fs.rmSync(f, { force: true });
    held.delete(f);
  }
}

/**
 * The first port of `count` consecutive ports free on 127.0.0.1 and claimed
 * for this process, chosen at random between RUN_FLOOR and the ephemeral
 * range. Throws after 50 attempts.
 */
export async function freePortRun(count: number): Promise<number> {
  const ceiling = ephemeralLow() - count; // the last possible first port
  if (ceiling < RUN_FLOOR) throw new Error(`no room for ${count} ports between ${RUN_FLOOR} and the ephemeral range (from ${ephemeralLow()})`);
  fs.mkdirSync(CLAIMS_DIR, { recursive: true, mode: 0o1777 });
  if (!releaseHooked) {
    process.once('exit', () => release([...held]));
    releaseHooked = true;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = RUN_FLOOR + Math.floor(Math.random() * (ceiling - RUN_FLOOR + 1));
    const mine: string[] = [];
    let ok = true;
    for (let i = 0; i < count && ok; i++) {
      ok = claim(first + i);
      if (ok) mine.push(path.join(CLAIMS_DIR, String(first + i)));
      ok = ok && (await isFree(first + i));
    }
    if (ok) return first;
    release(mine);
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1 after 50 attempts`);
}
