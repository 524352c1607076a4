/**
 * One probe of one gateway, bounded by --timeout-ms as a whole:
 *   1. reads the gateway token and the probe's device identity (created on the first run),
 *   2. connects to ws://127.0.0.1:<port>/ and does the handshake as a paired device (the
 *      path every user's device takes; on loopback the gateway pairs the probe silently the
 *      first time),
 *   3. the session write (checks.ts sessionWrite), then channels.status (readChannels).
 * When the gateway drops the paired-device handshake without an answer (what a full state
 * disk does: the pairing store write fails and the gateway closes the socket), the probe
 * connects once more with the token alone as the local CLI does (the gateway lets that
 * connection keep its scopes on loopback) to learn the write's own error, e.g.
 * "failed to create session transcript: database or disk is full"; the gateway stays unusable.
 *
 * usable: the handshake, the write and channels.status all succeeded, and the signed connection
 * (WebSocket opened, challenge, connect answered) took at most --slow-ms: a gateway that answers,
 * but that slowly, is saturated for its users too ("slow: ..."). A slow connection is tried once
 * more before the verdict: one pause (a garbage collection, a burst of work) is not saturation,
 * two slow connections in a row are. A channel that is not
 * running (stopped, suppressed by the crash-loop breaker) is reported in `channels`, it does
 * not make the gateway unusable. Every failure is a result with its reason, never a throw.
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import type { Options } from './args';
import { readChannels, sessionWrite, type ChannelReport } from './checks';
import { ConnectionClosed, GatewayConnection, LOCAL_CLI_CLIENT, PROBE_CLIENT, describeGatewayError, globalWebSocket, handshake, tcpDiagnosis, type SocketFactory } from './client';
import { loadOrCreateIdentity, type DeviceIdentity } from './identity';

/** The one JSON line the program prints. */
export interface ProbeResult {
  readonly gateway: string;
  readonly usable: boolean;
  /** Why not usable (the first failure, with the gateway's own text where it gave one); null when usable. */
  readonly reason: string | null;
  /** Wall time of the whole probe, connection to last answer (or to the failure, or the timeout), ms. */
  readonly latencyMs: number;
  /** The signed connection (WebSocket opened to connect answered), ms: the faster of two when the first was slow; null without one. */
  readonly connectMs: number | null;
  readonly channels: readonly ChannelReport[];
}

export interface ProbeDeps {
  /** @default Node's global WebSocket */
  readonly socketFactory?: SocketFactory;
}

/** The operator scopes the probe asks for: reading and the session write, not admin. */
export const PROBE_SCOPES = ['operator.read', 'operator.write'] as const;

type Outcome = Pick<ProbeResult, 'usable' | 'reason' | 'channels'>;

const SLOW_BECAUSE = 'a saturated gateway: its users wait as long';

const failed = (reason: string, channels: readonly ChannelReport[] = []): Outcome => ({ usable: false, reason, channels });

function readToken(file: string): string {
  let token: string;
  try {
    token = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new Error(`cannot read the gateway token file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (token === '' || /\s/.test(token)) throw new Error(`the gateway token file ${file} holds no single token`);
  return token;
}

/** Runs the probe; always resolves. */
export async function runProbe(o: Options, deps: ProbeDeps = {}): Promise<ProbeResult> {
  const start = performance.now();
  let connectMs: number | null = null;
  const result = (outcome: Outcome): ProbeResult => ({ gateway: o.gateway, usable: outcome.usable, reason: outcome.reason, latencyMs: Math.round(performance.now() - start), connectMs, channels: outcome.channels });
  let token: string;
  let identity: DeviceIdentity;
  const factory = deps.socketFactory ?? globalWebSocket();
  try {
    if (!factory) throw new Error(`this Node (${process.version}) has no WebSocket client: run the probe with the pinned Node 24`);
    token = readToken(o.tokenFile);
    identity = loadOrCreateIdentity(o.identity);
  } catch (e) {
    return result(failed(`probe setup: ${(e as Error).message}`));
  }

  const url = `ws://127.0.0.1:${o.port}/`;
  const agent = o.agents[0]!;
  const open: GatewayConnection[] = [];
  let step = `connecting to ${url}`;
  const setStep = (what: string) => (step = what);

  /** A new connection to the gateway, closed with the others when the probe ends. */
  const connect = (): GatewayConnection => {
    const conn = GatewayConnection.connect(factory, url);
    open.push(conn);
    return conn;
  };
  /** The handshake as the probe's own paired device (what users' devices do). */
  const signedHandshake = (conn: GatewayConnection) => handshake(conn, { token, identity, client: PROBE_CLIENT, scopes: PROBE_SCOPES });

  /** The write and channels.status on a connected gateway. */
  const checks = async (conn: GatewayConnection): Promise<{ write: string | null; channels: ChannelReport[]; channelsFailure: string | null }> => {
    const write = o.sessionWrite ? await sessionWrite(conn, agent, setStep) : { ok: true as const };
    setStep('channels.status');
    const status = await readChannels(conn, o.channels);
    return { write: write.ok ? null : write.reason, channels: status.ok ? status.channels : [], channelsFailure: status.ok ? null : status.reason };
  };

  /** After a dropped paired-device handshake: the write's own error over a token-only local connection. */
  const diagnose = async (dropped: string): Promise<Outcome> => {
    const reason = `paired-device handshake failed: ${dropped} before answering connect`;
    try {
      setStep(`connecting again to ${url} (token only, to learn why)`);
      const conn = connect();
      await conn.opened;
      setStep('the token-only handshake');
      const hello = await handshake(conn, { token, client: LOCAL_CLI_CLIENT, scopes: PROBE_SCOPES });
      if (!hello.ok) return failed(`${reason}; a token-only connection was refused too: ${describeGatewayError(hello.error)}`);
      const c = await checks(conn);
      const worked = o.sessionWrite ? 'a token-only connection could create and delete a session' : 'a token-only connection could read channels.status (no session write this run)';
      return failed(`${reason}; ${c.write ?? c.channelsFailure ?? worked}`, c.channels);
    } catch (e) {
      return failed(`${reason}; a token-only connection failed too: ${(e as Error).message}`);
    }
  };

  /** A second signed connection after a slow first one: its time, ms, or why it failed. */
  const connectAgain = async (): Promise<number | string> => {
    const again = performance.now();
    try {
      setStep(`a second signed connection to ${url} (the first took ${connectMs} ms)`);
      const conn = connect();
      await conn.opened;
      const hello = await signedHandshake(conn);
      return hello.ok ? Math.round(performance.now() - again) : `refused: ${describeGatewayError(hello.error)}`;
    } catch (e) {
      return (e as Error).message;
    }
  };

  const work = async (): Promise<Outcome> => {
    const connectStart = performance.now();
    const conn = connect();
    try {
      await conn.opened;
    } catch (e) {
      setStep(`a TCP connection to 127.0.0.1:${o.port} (why the WebSocket did not open)`);
      return failed(`${(e as Error).message}: ${await tcpDiagnosis(o.port)}`);
    }
    try {
      setStep('the handshake (connect.challenge, connect)');
      let hello;
      try {
        hello = await signedHandshake(conn);
      } catch (e) {
        if (e instanceof ConnectionClosed) return await diagnose(e.message);
        throw e;
      }
      if (!hello.ok) {
        const code = hello.error?.details?.code;
        const hint = code === 'PAIRING_REQUIRED' ? ` (approve the probe's device ${identity.id}: openclaw devices approve ${String(hello.error?.details?.requestId ?? '<request id>')})` : '';
        return failed(`the gateway refused the probe's connect: ${describeGatewayError(hello.error)}${hint}`);
      }
      const first = Math.round(performance.now() - connectStart);
      connectMs = first;
      const c = await checks(conn);
      const failure = c.write ?? c.channelsFailure;
      if (failure !== null) return failed(failure, c.channels);
      if (first <= o.slowMs) return { usable: true, reason: null, channels: c.channels };
      const second = await connectAgain();
      if (typeof second === 'string') return failed(`slow: the signed connection took ${first} ms, over the ${o.slowMs} ms bound, and a second one failed: ${second}`, c.channels);
      connectMs = Math.min(first, second);
      if (second <= o.slowMs) return { usable: true, reason: null, channels: c.channels };
      return failed(`slow: two signed connections in a row took ${first} and ${second} ms, over the ${o.slowMs} ms bound (${SLOW_BECAUSE})`, c.channels);
    } catch (e) {
      return failed(`${step}: ${(e as Error).message}`);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve(failed(`no answer within ${o.timeoutMs} ms (saturated or frozen): waiting for ${step}`)), o.timeoutMs);
  });
  const outcome = await Promise.race([work(), timeout]);
  clearTimeout(timer);
  for (const c of open) c.close();
  return result(outcome);
}
