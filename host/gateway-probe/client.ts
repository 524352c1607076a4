/**
 * A minimal client of OpenClaw's gateway protocol (protocol 4) over a WebSocket to
 * 127.0.0.1: the gateway sends `connect.challenge` (a nonce and its time), the client
 * answers with a `connect` request carrying the gateway token and, when it has one, its
 * device signed over that nonce (identity.ts signConnect); the gateway answers `hello-ok`
 * or an error, then `req` frames get `res` frames with the same id. Events other than the
 * challenge are ignored. No timeouts here: the probe bounds the whole run (probe.ts) and
 * closing the connection fails whatever still waits.
 *
 * The WebSocket is Node 24's global one (the host's pinned Node); tests can pass another.
 */
import * as net from 'net';
import { signConnect, type DeviceIdentity } from './identity';

/** The part of a WebSocket the client uses. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(): void;
}

/** Opens a WebSocket to `url`. */
export type SocketFactory = (url: string) => SocketLike;

/** Node's global WebSocket (Node 22 and later), or undefined where there is none (Node 20). */
export function globalWebSocket(): SocketFactory | undefined {
  const ctor = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  return ctor ? (url) => new ctor(url) as SocketLike : undefined;
}

/** A gateway error as it travels in a `res` frame. */
export interface GatewayError {
  readonly code?: string;
  readonly message?: string;
  readonly details?: Record<string, unknown>;
}

/** The answer to one request. */
export interface Response {
  readonly ok: boolean;
  readonly payload?: Record<string, unknown>;
  readonly error?: GatewayError;
}

/** The connection ended (or never opened) while something waited on it. */
export class ConnectionClosed extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/** `CODE: message`, the detail code first when the gateway gives one (e.g. AUTH_TOKEN_MISMATCH). */
export function describeGatewayError(e: GatewayError | undefined): string {
  const code = typeof e?.details?.code === 'string' ? e.details.code : e?.code;
  return [code, e?.message].filter((s) => typeof s === 'string' && s !== '').join(': ') || 'no error text';
}

/** What a WebSocket error event says, if anything (Node 24's says nothing for a refused connection). */
function socketError(ev: unknown): string | undefined {
  const e = ev as { error?: { message?: string; cause?: { code?: string; message?: string } }; message?: string } | undefined;
  return e?.error?.cause?.code || e?.error?.cause?.message || e?.error?.message || e?.message || undefined;
}

/**
 * Why a WebSocket to 127.0.0.1:`port` did not open, asked of TCP itself: "ECONNREFUSED"
 * (nothing listens), or that TCP connects (so the WebSocket upgrade failed).
 */
export function tcpDiagnosis(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('TCP connects, but the WebSocket upgrade failed');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

export class GatewayConnection {
  private readonly pending = new Map<string, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  private challengeWaiter?: { resolve: (c: { nonce: string; ts: number }) => void; reject: (e: Error) => void };
  private challengeValue?: { nonce: string; ts: number };
  private closedWith?: ConnectionClosed;
  private lastError?: string;
  private count = 0;

  /** Resolves once the WebSocket is open; rejects with ConnectionClosed when it cannot open. */
  readonly opened: Promise<void>;

  private constructor(private readonly socket: SocketLike | undefined, url: string, cannot?: string) {
    this.opened = new Promise((resolve, reject) => {
      if (!socket) {
        const closed = new ConnectionClosed(`cannot open ${url}: ${cannot}`, undefined);
        this.fail(closed);
        reject(closed);
        return;
      }
      let isOpen = false;
      socket.onopen = () => {
        isOpen = true;
        resolve();
      };
      socket.onerror = (ev) => {
        this.lastError = socketError(ev);
      };
      socket.onclose = (ev) => {
        const closed = isOpen
          ? new ConnectionClosed(`the gateway closed the connection (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`, ev.code)
          : new ConnectionClosed(`cannot connect to ${url}${this.lastError ? `: ${this.lastError}` : ''} (code ${ev.code})`, ev.code);
        this.fail(closed);
        if (!isOpen) reject(closed);
      };
      socket.onmessage = (ev) => this.receive(ev.data);
    });
    this.opened.catch(() => undefined); // a caller that stopped waiting (the probe's timeout) must not leave it unhandled
  }

  /** Starts opening a connection to `url` (await `opened`); close() it in any case. */
  static connect(factory: SocketFactory, url: string): GatewayConnection {
    try {
      return new GatewayConnection(factory(url), url);
    } catch (e) {
      return new GatewayConnection(undefined, url, (e as Error).message);
    }
  }

  private fail(closed: ConnectionClosed): void {
    this.closedWith ??= closed;
    for (const p of this.pending.values()) p.reject(this.closedWith);
    this.pending.clear();
    this.challengeWaiter?.reject(this.closedWith);
    this.challengeWaiter = undefined;
  }

  private receive(data: unknown): void {
    let frame: { type?: string; id?: string; event?: string; ok?: boolean; payload?: Record<string, unknown>; error?: GatewayError };
    try {
      frame = JSON.parse(String(data)) as typeof frame;
    } catch {
      return; // not a frame of the protocol: ignored
    }
    if (frame.type === 'event' && frame.event === 'connect.challenge') {
      const c = { nonce: String(frame.payload?.nonce ?? ''), ts: Number(frame.payload?.ts) };
      if (this.challengeWaiter) this.challengeWaiter.resolve(c);
      else this.challengeValue = c;
      this.challengeWaiter = undefined;
      return;
    }
    if (frame.type !== 'res' || frame.id === undefined) return;
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    p.resolve({ ok: frame.ok === true, ...(frame.payload ? { payload: frame.payload } : {}), ...(frame.error ? { error: frame.error } : {}) });
  }

  /** The gateway's connect.challenge (it sends it right after the upgrade). */
  challenge(): Promise<{ nonce: string; ts: number }> {
    if (this.challengeValue) return Promise.resolve(this.challengeValue);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => (this.challengeWaiter = { resolve, reject }));
  }

  /** One request; resolves with the gateway's answer, rejects with ConnectionClosed. */
  request(method: string, params: Record<string, unknown>, id?: string): Promise<Response> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    this.count += 1;
    const rid = id ?? `probe-${this.count}`;
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      this.socket!.send(JSON.stringify({ type: 'req', id: rid, method, params }));
    });
  }

  close(): void {
    this.fail(new ConnectionClosed('closed by the probe', undefined));
    try {
      this.socket?.close();
    } catch {
      // already closing
    }
  }
}

/** Who the probe says it is in `connect`. */
export interface ClientInfo {
  readonly id: string;
  readonly mode: string;
  readonly displayName?: string;
}

/** The probe's client: its own client id and mode (a pairing cluster of its own, not the operators' CLI's). */
export const PROBE_CLIENT: ClientInfo = { id: 'openclaw-probe', mode: 'probe', displayName: 'openclaw-gateway-probe' };
/** The local CLI's client, which the gateway lets connect on loopback with the token alone. */
export const LOCAL_CLI_CLIENT: ClientInfo = { id: 'cli', mode: 'cli' };
export const PROTOCOL = 4;
const PLATFORM = 'linux';
const VERSION = '1.0.0';

/**
 * The handshake: waits for the challenge, sends `connect` (role operator, `scopes`, the token;
 * the device signature when `identity` is given) and returns the gateway's answer.
 */
export async function handshake(conn: GatewayConnection, o: { token: string; identity?: DeviceIdentity; client: ClientInfo; scopes: readonly string[] }): Promise<Response> {
  const { nonce, ts } = await conn.challenge();
  const role = 'operator';
  const device = o.identity
    ? {
        id: o.identity.id,
        publicKey: o.identity.publicKey,
        signature: signConnect(o.identity, { clientId: o.client.id, clientMode: o.client.mode, role, scopes: o.scopes, signedAtMs: ts, token: o.token, nonce, platform: PLATFORM }),
        signedAt: ts,
        nonce,
      }
    : undefined;
  return conn.request(
    'connect',
    {
      minProtocol: PROTOCOL,
      maxProtocol: PROTOCOL,
      client: { id: o.client.id, ...(o.client.displayName ? { displayName: o.client.displayName } : {}), version: VERSION, platform: PLATFORM, mode: o.client.mode },
      role,
      scopes: [...o.scopes],
      caps: [],
      auth: { token: o.token },
      ...(device ? { device } : {}),
    },
    'connect',
  );
}
