/**
 * A run of consecutive free TCP ports on 127.0.0.1, for tests that start one
 * process per gateway: the gateways' ports are edge.gatewayPort + n
 * (lib/openclaw/gateways.ts), so a test needs `count` free ports in a row.
 */
import * as net from 'net';

/** Resolves once `port` could be bound on 127.0.0.1 (and was released again), false if it is taken. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first port of `count` consecutive ports free on 127.0.0.1, chosen at
 * random in 20000-59999 (below the Linux ephemeral range, so an outgoing
 * connection is unlikely to take one meanwhile). Throws after 50 attempts.
 */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * (40_000 - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await isFree(first + i);
    if (ok) return first;
  }
  throw new Error(`no ${count} consecutive free ports on 127.0.0.1 after 50 attempts`);
}
