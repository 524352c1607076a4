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
 * but that slowly, is saturated or stalled for its users too ("slow: ..."). A channel that is not
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
  readonly channels: readonly ChannelReport[];
}

export interface ProbeDeps {
  /** @default Node's global WebSocket */
  readonly socketFactory?: SocketFactory;
}

/** The operator scopes the probe asks for: reading and the session write, not admin. */
export const PROBE_SCOPES = ['operator.read', 'operator.write'] as const;

type Outcome = Pick<ProbeResult, 'usable' | 'reason' | 'channels'>;

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
  const result = (outcome: Outcome): ProbeResult => ({ gateway: o.gateway, usable: outcome.usable, reason: outcome.reason, latencyMs: Math.round(performance.now() - start), channels: outcome.channels });
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
      const conn = GatewayConnection.connect(factory, url);
      open.push(conn);
      await conn.opened;
      setStep('the token-only handshake');
      const hello = await handshake(conn, { token, client: LOCAL_CLI_CLIENT, scopes: PROBE_SCOPES });
      if (!hello.ok) return failed(`${reason}; a token-only connection was refused too: ${describeGatewayError(hello.error)}`);
      const c = await checks(conn);
      return failed(`${reason}; ${c.write ?? c.channelsFailure ?? 'a token-only connection could create and delete a session'}`, c.channels);
    } catch (e) {
      return failed(`${reason}; a token-only connection failed too: ${(e as Error).message}`);
    }
  };

  const work = async (): Promise<Outcome> => {
    const connectStart = performance.now();
    const conn = GatewayConnection.connect(factory, url);
    open.push(conn);
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
        hello = await handshake(conn, { token, identity, client: PROBE_CLIENT, scopes: PROBE_SCOPES });
      } catch (e) {
        if (e instanceof ConnectionClosed) return await diagnose(e.message);
        throw e;
      }
      if (!hello.ok) {
        const code = hello.error?.details?.code;
        const hint = code === 'PAIRING_REQUIRED' ? ` (approve the probe's device ${identity.id}: openclaw devices approve ${String(hello.error?.details?.requestId ?? '<request id>')})` : '';
        return failed(`the gateway refused the probe's connect: ${describeGatewayError(hello.error)}${hint}`);
      }
      const connectMs = Math.round(performance.now() - connectStart);
      const c = await checks(conn);
      const reason =
        c.write ?? c.channelsFailure ?? (connectMs > o.slowMs ? `slow: the signed connection took ${connectMs} ms, over the ${o.slowMs} ms bound (a saturated or stalled gateway: its users wait as long)` : null);
      return reason === null ? { usable: true, reason: null, channels: c.channels } : failed(reason, c.channels);
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
