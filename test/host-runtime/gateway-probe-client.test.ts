import type * as events from 'events';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { DEFAULT_SLOW_MS, type Options } from '../../host/gateway-probe/args';
import { channelReports, sessionWrite } from '../../host/gateway-probe/checks';
import { ConnectionClosed, describeGatewayError, GatewayConnection, globalWebSocket, handshake, LOCAL_CLI_CLIENT, PROBE_CLIENT, tcpDiagnosis, type SocketLike } from '../../host/gateway-probe/client';
import { PROBE_SCOPES } from '../../host/gateway-probe/probe';
import { settlesWithin } from '../support/settles-within';
import { boundedProbe } from './support/bounded-probe';
import { tempDir } from '../host/support/host-tools';

// The gateway-probe's client (host/gateway-probe/client.ts) and the probe's paths that the
// healthy and failing gateways of gateway-probe-parts.test.ts do not take: what a WebSocket's
// error event says, TCP's own diagnosis on loopback, frames the protocol does not expect, a
// connection that ends while requests wait, and the token-only diagnosis after a dropped
// handshake. Node 20 has no WebSocket: a socket of the test's own is injected.

/** A socket the test drives by hand: `open()`, `frame()`, `error()`, `closeWith()`. */
function handSocket() {
  const sent: Record<string, unknown>[] = [];
  const s: SocketLike & { open(): void; frame(f: unknown): void; raw(data: unknown): void; error(ev: unknown): void; closeWith(code: number, reason?: string): void; sent: typeof sent } = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    sent,
    send(data: string) {
      sent.push(JSON.parse(data) as Record<string, unknown>);
    },
    close() {
      s.onclose?.({ code: 1005, reason: '' });
    },
    open: () => s.onopen?.({}),
    frame: (f) => s.onmessage?.({ data: JSON.stringify(f) }),
    raw: (data) => s.onmessage?.({ data }),
    error: (ev) => s.onerror?.(ev),
    closeWith: (code, reason = '') => s.onclose?.({ code, reason }),
  };
  return s;
}

const URL = 'ws://127.0.0.1:1/';

/**
 * When set, net.connect answers with a socket that neither connects nor fails, as TCP does when
 * its SYN goes unanswered (a listener whose accept queue is full): tcpDiagnosis then waits. Unset,
 * net is Node's own (the tcpDiagnosis tests use the real loopback).
 */
let tcpUnanswered = false;
/** The options of every net.connect of this file, in order. */
const tcpAsked: unknown[] = [];
jest.mock('net', () => {
  const actual = jest.requireActual<typeof net>('net');
  const { EventEmitter } = jest.requireActual<typeof events>('events');
  return {
    ...actual,
    connect: ((...a: Parameters<typeof actual.connect>) => {
      tcpAsked.push(a[0]);
      return tcpUnanswered ? Object.assign(new EventEmitter(), { destroy: () => undefined }) : actual.connect(...a);
    }) as typeof actual.connect,
  };
});

// Every case here ends within a few seconds; one that hangs (a mutant that loses the probe's own
// timeout, a regression) fails at 10 s instead of running into the project's 60 s test timeout.
jest.setTimeout(10_000);

/**
 * A hand socket answers at once (synchronously, or on the next setImmediate), so what it drives
 * settles within milliseconds. A mutant that loses a frame fails here within a second instead of
 * at the 10 s test timeout: the nine hand-socket cases that wait on frames then cost seconds, not
 * the 90 s that made Stryker time the whole run out.
 */
const soon = <T>(p: Promise<T>): Promise<T> => settlesWithin(p, 1_000);

describe('describeGatewayError', () => {
  test('the detail code first, else the code, then the message; "no error text" when there is none', () => {
    expect(describeGatewayError({ code: 'INVALID_REQUEST', message: 'bad', details: { code: 'AUTH_TOKEN_MISMATCH' } })).toBe('AUTH_TOKEN_MISMATCH: bad');
    expect(describeGatewayError({ code: 'INVALID_REQUEST', message: 'bad', details: { code: 7 } })).toBe('INVALID_REQUEST: bad');
    expect(describeGatewayError({ code: 'UNAVAILABLE' })).toBe('UNAVAILABLE');
    expect(describeGatewayError({ message: 'only a message' })).toBe('only a message');
    expect(describeGatewayError({ code: '', message: '' })).toBe('no error text');
    expect(describeGatewayError(undefined)).toBe('no error text');
  });
});

describe('globalWebSocket', () => {
  test("Node's global WebSocket when there is one (a factory that constructs it with the URL), none without", () => {
    const had = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    try {
      delete (globalThis as { WebSocket?: unknown }).WebSocket;
      expect(globalWebSocket()).toBeUndefined();
      const made: string[] = [];
      (globalThis as { WebSocket?: unknown }).WebSocket = class {
        constructor(readonly url: string) {
          made.push(url);
        }
      };
      const socket = globalWebSocket()!(URL) as unknown as { url: string };
      expect([made, socket.url]).toEqual([[URL], URL]);
    } finally {
      delete (globalThis as { WebSocket?: unknown }).WebSocket;
      if (had) Object.defineProperty(globalThis, 'WebSocket', had);
    }
  });
});

describe('tcpDiagnosis (the real loopback)', () => {
  test('nothing listening: ECONNREFUSED; a listener: TCP connects, so the WebSocket upgrade failed', async () => {
    const server = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await tcpDiagnosis(port)).toBe('TCP connects, but the WebSocket upgrade failed');
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await tcpDiagnosis(port)).toBe('ECONNREFUSED');
    // Asked of the address the gateway binds, not of whatever "localhost" resolves to.
    expect(tcpAsked.slice(-2)).toEqual([
      { host: '127.0.0.1', port },
      { host: '127.0.0.1', port },
    ]);
  });

  test('the diagnosis closes its own connection: a listener that keeps it open sees it end', async () => {
    let ended!: Promise<void>;
    const server = net.createServer((c) => {
      ended = new Promise<void>((r) => c.on('close', () => r()));
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      expect(await tcpDiagnosis((server.address() as net.AddressInfo).port)).toBe('TCP connects, but the WebSocket upgrade failed');
      await settlesWithin(ended, 2_000);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('GatewayConnection', () => {
  test('a socket that cannot be made: opened rejects, naming the URL and why', async () => {
    const conn = GatewayConnection.connect(() => {
      throw new Error('Invalid URL');
    }, URL);
    await expect(conn.opened).rejects.toThrow(`cannot open ${URL}: Invalid URL`);
    await expect(conn.request('x', {})).rejects.toThrow(`cannot open ${URL}: Invalid URL`);
    await expect(conn.challenge()).rejects.toThrow(ConnectionClosed);
  });

  test.each([
    ['the cause code (Node: ECONNREFUSED)', { error: { cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, message: 'fetch failed' }, message: 'ev' }, ': ECONNREFUSED'],
    ['the cause message', { error: { cause: { message: 'getaddrinfo failed' }, message: 'fetch failed' } }, ': getaddrinfo failed'],
    ["the error's message", { error: { message: 'fetch failed' }, message: 'ev' }, ': fetch failed'],
    ["the event's message", { message: 'Unexpected server response: 503' }, ': Unexpected server response: 503'],
    ['nothing (Node 24 for a refused connection)', {}, ''],
    ['no event at all', undefined, ''],
  ])('closing before it opened, after an error event with %s', async (_what, ev, said) => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.error(ev);
    s.closeWith(1006);
    const e = await conn.opened.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionClosed);
    expect([(e as ConnectionClosed).message, (e as ConnectionClosed).code]).toEqual([`cannot connect to ${URL}${said} (code 1006)`, 1006]);
  });

  test('requests and the challenge wait; a close fails every one of them with the code and reason; later requests fail the same way', async () => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.open();
    await conn.opened;
    const challenge = conn.challenge();
    const a = conn.request('channels.status', {});
    const b = conn.request('sessions.create', { agentId: 'support' }, 'mine');
    expect(s.sent).toEqual([
      { type: 'req', id: 'probe-1', method: 'channels.status', params: {} },
      { type: 'req', id: 'mine', method: 'sessions.create', params: { agentId: 'support' } },
    ]);
    s.closeWith(1011, 'internal error');
    const said = 'the gateway closed the connection (code 1011: internal error)';
    for (const p of [challenge, a, b]) await expect(p).rejects.toThrow(said);
    await expect(conn.request('x', {})).rejects.toThrow(said);
    await expect(conn.challenge()).rejects.toThrow(said);
    // A close without a reason says the code alone.
    const s2 = handSocket();
    const c2 = GatewayConnection.connect(() => s2, URL);
    s2.open();
    const waiting = c2.request('x', {});
    s2.closeWith(1000);
    await expect(waiting).rejects.toThrow(/^the gateway closed the connection \(code 1000\)$/);
  });

  test('frames: a challenge before anyone asks is kept; text that is not JSON, other events, unknown ids and requests are ignored; an answer carries ok, payload and error', async () => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.open();
    s.frame({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n-1', ts: 1_700_000_000_000 } });
    expect(await soon(conn.challenge())).toEqual({ nonce: 'n-1', ts: 1_700_000_000_000 });
    const a = conn.request('m', {});
    const settled: unknown[] = [];
    void a.then((r) => settled.push(r));
    s.raw('not json');
    s.frame({ type: 'event', event: 'tick', payload: {} });
    s.frame({ type: 'res', id: 'someone-else', ok: true, payload: { x: 1 } });
    s.frame({ type: 'req', id: 'probe-1', method: 'm' });
    s.frame({ id: 'probe-1', ok: true });
    s.frame({ type: 'res', ok: true });
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    s.frame({ type: 'res', id: 'probe-1', ok: false, error: { code: 'UNAVAILABLE', message: 'busy' } });
    expect(await soon(a)).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'busy' } });
    const b = conn.request('m', {});
    s.frame({ type: 'res', id: 'probe-2', ok: true, payload: { y: 2 } });
    expect(await soon(b)).toEqual({ ok: true, payload: { y: 2 } });
    // ok must be true itself; an answer without payload or error has neither key.
    const c = conn.request('m', {});
    s.frame({ type: 'res', id: 'probe-3', ok: 'yes' });
    expect(await soon(c)).toEqual({ ok: false });
  });

  test('a challenge asked for before it comes is delivered when it comes, nonce as text and ts as a number', async () => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.open();
    const waiting = conn.challenge();
    s.frame({ type: 'event', event: 'connect.challenge', payload: { nonce: 42, ts: '1700000000000' } });
    expect(await soon(waiting)).toEqual({ nonce: '42', ts: 1_700_000_000_000 });
    // A second challenge is not a second answer: the next caller gets the one kept, if any.
    const s2 = handSocket();
    const c2 = GatewayConnection.connect(() => s2, URL);
    s2.open();
    s2.frame({ type: 'event', event: 'connect.challenge' });
    expect(await soon(c2.challenge())).toEqual({ nonce: '', ts: NaN });
  });

  test('close() fails what waits with "closed by the probe" and closes the socket; a socket whose close throws is left alone', async () => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.open();
    const waiting = conn.request('m', {});
    let closes = 0;
    s.close = () => {
      closes += 1;
      throw new Error('already closing');
    };
    expect(() => conn.close()).not.toThrow();
    await expect(waiting).rejects.toThrow('closed by the probe');
    expect(closes).toBe(1);
  });

  test('close() of a connection whose socket could not be made is no error', () => {
    const conn = GatewayConnection.connect(() => {
      throw new Error('Invalid URL');
    }, URL);
    expect(() => conn.close()).not.toThrow();
  });

  test('only an event named connect.challenge is the challenge, and only a res frame answers a request', async () => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.open();
    const settled: string[] = [];
    const challenge = conn.challenge();
    void challenge.then(() => settled.push('challenge'));
    void conn.request('m', {}).then(() => settled.push('request'));
    s.frame({ type: 'event', event: 'tick', payload: { nonce: 'not-it', ts: 1 } });
    s.frame({ type: 'res', event: 'connect.challenge', id: 'other', payload: { nonce: 'not-it', ts: 2 } });
    s.frame({ type: 'event', id: 'probe-1', ok: true, payload: {} });
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    s.frame({ type: 'event', event: 'connect.challenge', payload: { nonce: 'it', ts: 3 } });
    expect(await soon(challenge)).toEqual({ nonce: 'it', ts: 3 });
  });

  test('a connection closed before it opened, with no one waiting on it, leaves no unhandled rejection', async () => {
    const seen: unknown[] = [];
    const onUnhandled = (reason: unknown) => seen.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const s = handSocket();
      GatewayConnection.connect(() => s, URL);
      s.closeWith(1006);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('the connect request as OpenClaw\'s gateway expects it: id and method connect, protocol 4, the client, role, scopes, no caps, the token', async () => {
    for (const [client, named] of [
      [PROBE_CLIENT, { id: 'openclaw-probe', displayName: 'openclaw-gateway-probe', version: '1.0.0', platform: 'linux', mode: 'probe' }],
      [LOCAL_CLI_CLIENT, { id: 'cli', version: '1.0.0', platform: 'linux', mode: 'cli' }],
    ] as const) {
      const s = handSocket();
      const conn = GatewayConnection.connect(() => s, URL);
      s.open();
      const hello = handshake(conn, { token: 'the-token', client, scopes: PROBE_SCOPES });
      s.frame({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: 1 } });
      await new Promise((r) => setImmediate(r));
      expect(s.sent).toEqual([
        {
          type: 'req',
          id: 'connect',
          method: 'connect',
          params: { minProtocol: 4, maxProtocol: 4, client: named, role: 'operator', scopes: ['operator.read', 'operator.write'], caps: [], auth: { token: 'the-token' } },
        },
      ]);
      s.frame({ type: 'res', id: 'connect', ok: true, payload: { type: 'hello-ok' } });
      expect(await soon(hello)).toEqual({ ok: true, payload: { type: 'hello-ok' } });
    }
  });
});

describe('checks', () => {
  /** A connection whose requests are answered by `answer`. */
  const answering = (answer: (method: string) => Record<string, unknown>) => {
    const s = handSocket();
    const conn = GatewayConnection.connect(() => s, URL);
    s.send = (data: string) => {
      const f = JSON.parse(data) as { id: string; method: string };
      setImmediate(() => s.frame({ type: 'res', id: f.id, ...answer(f.method) }));
    };
    s.open();
    return conn;
  };

  test.each([
    ['no payload', {}],
    ['no key', { payload: { sessionId: 's-1' } }],
    ['no session id', { payload: { key: 'agent:support:dashboard:1' } }],
    ['a key that is not text', { payload: { key: 1, sessionId: 's-1' } }],
  ])('sessions.create answered ok with %s: a failed write, and nothing archived or deleted', async (_what, created) => {
    const asked: string[] = [];
    const conn = answering((m) => (asked.push(m), { ok: true, ...created }));
    expect(await soon(sessionWrite(conn, 'support'))).toEqual({ ok: false, reason: 'sessions.create for agent support answered without a session key and id' });
    expect(asked).toEqual(['sessions.create']);
  });

  test('sessions.delete answered ok without deleted: true, or without a payload: the session is left behind; the steps name the session', async () => {
    for (const deleted of [{}, { payload: { deleted: false } }]) {
      const steps: string[] = [];
      const conn = answering((m) => (m === 'sessions.create' ? { ok: true, payload: { key: 'agent:support:dashboard:1', sessionId: 's-1' } } : m === 'sessions.delete' ? { ok: true, ...deleted } : { ok: true, payload: {} }));
      expect(await soon(sessionWrite(conn, 'support', (s) => steps.push(s)))).toEqual({
        ok: false,
        reason: "the probe's session agent:support:dashboard:1 was created but sessions.delete did not delete it; it is left behind",
      });
      expect(steps).toEqual(['sessions.create for agent support', "sessions.patch (archive) of the probe's session agent:support:dashboard:1", "sessions.delete of the probe's session agent:support:dashboard:1"]);
    }
    const ok = answering((m) => (m === 'sessions.create' ? { ok: true, payload: { key: 'k', sessionId: 's' } } : m === 'sessions.delete' ? { ok: true, payload: { deleted: true } } : { ok: true, payload: {} }));
    expect(await soon(sessionWrite(ok, 'support'))).toEqual({ ok: true });
  });

  test('accounts: an account without an id is "default"; accounts sort by id within their channel, whatever order the gateway gives', () => {
    const payload = { channelAccounts: { telegram: [{ accountId: 'zeta', running: true }, { running: true }, { accountId: 'alpha', running: false }, { accountId: 'alpha', running: true }] } };
    expect(channelReports(payload).map((r) => [r.account, r.running])).toEqual([
      ['alpha', false],
      ['alpha', true],
      ['default', true],
      ['zeta', true],
    ]);
    expect(channelReports({ channelAccounts: { telegram: [{ accountId: 'b' }, { accountId: 'a' }] } }).map((r) => r.account)).toEqual(['a', 'b']);
    expect(channelReports({ channelAccounts: { telegram: [{ accountId: 'a' }, { accountId: 'b' }] } }).map((r) => r.account)).toEqual(['a', 'b']);
    expect(channelReports({ channelAccounts: { telegram: [{ accountId: 7 }] } }).map((r) => r.account)).toEqual(['default']);
  });
});

describe('the probe: the token-only diagnosis after a dropped handshake, and a connection that ends mid-way', () => {
  let dir: string;
  let options: Options;
  beforeEach(() => {
    dir = tempDir('probe-client-');
    const tokenFile = path.join(dir, 'gateway-token');
    fs.writeFileSync(tokenFile, 'the-token\n');
    // Every answer comes at once: 1 s is ample, and a wait that would not end fails in 1 s.
    options = { gateway: 'support', port: 1, tokenFile, agents: ['support'], identity: path.join(dir, 'id.json'), timeoutMs: 1_000, slowMs: DEFAULT_SLOW_MS, sessionWrite: true };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /**
   * Socket n (0: the signed one, 1: the token-only one) answers each request with `answer(n,
   * method)`: a frame, 'drop' (the gateway closes the socket), or 'refuse' (it never opens).
   */
  const gateway = (answer: (n: number, method: string) => Record<string, unknown> | 'drop' | 'refuse') => {
    const made: string[] = [];
    let n = 0;
    const factory = () => {
      const i = n++;
      const s = handSocket();
      made.push(`socket ${i}`);
      s.send = (data: string) => {
        const f = JSON.parse(data) as { id: string; method: string };
        made.push(`${i}:${f.method}`);
        const a = answer(i, f.method);
        setImmediate(() => (a === 'drop' ? s.closeWith(1006) : a === 'refuse' ? undefined : s.frame({ type: 'res', id: f.id, ...a })));
      };
      setImmediate(() => {
        if (answer(i, 'open') === 'refuse') {
          s.closeWith(1006);
          return;
        }
        s.open();
        s.frame({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: 1 } });
      });
      return s;
    };
    return { factory, made };
  };
  const OK = (m: string) => (m === 'sessions.create' ? { ok: true, payload: { key: 'k', sessionId: 's' } } : m === 'sessions.delete' ? { ok: true, payload: { deleted: true } } : m === 'channels.status' ? { ok: true, payload: { channelAccounts: {} } } : { ok: true, payload: {} });
  const dropped = 'paired-device handshake failed: the gateway closed the connection (code 1006) before answering connect';

  test('the token-only connection is refused too: both said, on a second socket', async () => {
    const g = gateway((n, m) => (n === 0 && m === 'connect' ? 'drop' : m === 'connect' ? { ok: false, error: { code: 'UNAUTHORIZED', message: 'token mismatch' } } : OK(m)));
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect([r.usable, r.reason, r.channels]).toEqual([false, `${dropped}; a token-only connection was refused too: UNAUTHORIZED: token mismatch`, []]);
    expect(g.made).toEqual(['socket 0', '0:connect', 'socket 1', '1:connect']);
  });

  test('the token-only connection cannot open, or drops too: said, with why', async () => {
    const refused = gateway((n, m) => (n === 0 && m === 'connect' ? 'drop' : n === 1 && m === 'open' ? 'refuse' : OK(m)));
    expect((await boundedProbe(options, { socketFactory: refused.factory })).reason).toBe(`${dropped}; a token-only connection failed too: cannot connect to ${URL} (code 1006)`);
    const drops = gateway((_n, m) => (m === 'connect' ? 'drop' : OK(m)));
    expect((await boundedProbe(options, { socketFactory: drops.factory })).reason).toBe(`${dropped}; a token-only connection failed too: the gateway closed the connection (code 1006)`);
  });

  test('the token-only connection works and so does the write: still not usable (the paired-device path is what users take), saying so, with the channels', async () => {
    const g = gateway((n, m) => (n === 0 && m === 'connect' ? 'drop' : m === 'channels.status' ? { ok: true, payload: { channelAccounts: { telegram: [{ accountId: 'default', running: true }] } } } : OK(m)));
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect([r.usable, r.reason]).toEqual([false, `${dropped}; a token-only connection could create and delete a session`]);
    expect(r.channels).toEqual([{ channel: 'telegram', account: 'default', running: true, state: 'running', reason: null }]);
    // Without the write, channels.status failing is what it says.
    const noStatus = gateway((n, m) => (n === 0 && m === 'connect' ? 'drop' : m === 'channels.status' ? { ok: false, error: { code: 'UNAVAILABLE', message: 'later' } } : OK(m)));
    const unread = await boundedProbe({ ...options, sessionWrite: false }, { socketFactory: noStatus.factory });
    expect([unread.reason, unread.channels]).toEqual([`${dropped}; channels.status failed: UNAVAILABLE: later`, []]);
    // A run without the write says what it did try.
    const noWrite = gateway((n, m) => (n === 0 && m === 'connect' ? 'drop' : OK(m)));
    expect((await boundedProbe({ ...options, sessionWrite: false }, { socketFactory: noWrite.factory })).reason).toBe(`${dropped}; a token-only connection could read channels.status (no session write this run)`);
  });

  test('the connection drops after the handshake: the step it was at, and why', async () => {
    const g = gateway((_n, m) => (m === 'sessions.patch' ? 'drop' : OK(m)));
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect(r.reason).toBe("sessions.patch (archive) of the probe's session k: the gateway closed the connection (code 1006)");
    const status = gateway((_n, m) => (m === 'channels.status' ? 'drop' : OK(m)));
    expect((await boundedProbe(options, { socketFactory: status.factory })).reason).toBe('channels.status: the gateway closed the connection (code 1006)');
  });

  test('the WebSocket never opens: its close and TCP\'s own word (nothing listens on port 1 here)', async () => {
    const g = gateway((_n, m) => (m === 'open' ? 'refuse' : OK(m)));
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect(r.reason).toBe(`cannot connect to ${URL} (code 1006): ECONNREFUSED`);
  });

  test('no answer from TCP while diagnosing a WebSocket that did not open: the timeout names that step', async () => {
    const g = gateway((_n, m) => (m === 'open' ? 'refuse' : OK(m)));
    tcpUnanswered = true;
    try {
      const r = await boundedProbe(options, { socketFactory: g.factory });
      expect([r.usable, r.reason]).toEqual([false, 'no answer within 1000 ms (saturated or frozen): waiting for a TCP connection to 127.0.0.1:1 (why the WebSocket did not open)']);
    } finally {
      tcpUnanswered = false;
    }
  });

  test('a refused connect without details, or without any error: said as the gateway gave it, no hint', async () => {
    const plain = gateway((_n, m) => (m === 'connect' ? { ok: false, error: { code: 'UNAVAILABLE', message: 'starting' } } : OK(m)));
    expect((await boundedProbe(options, { socketFactory: plain.factory })).reason).toBe("the gateway refused the probe's connect: UNAVAILABLE: starting");
    const bare = gateway((_n, m) => (m === 'connect' ? { ok: false } : OK(m)));
    expect((await boundedProbe(options, { socketFactory: bare.factory })).reason).toBe("the gateway refused the probe's connect: no error text");
  });

  test('PAIRING_REQUIRED: the hint names the probe device and the request to approve; without a request id, a placeholder', async () => {
    const ask = (details: Record<string, unknown>) => gateway((_n, m) => (m === 'connect' ? { ok: false, error: { code: 'FORBIDDEN', message: 'pairing required', details } } : OK(m)));
    const withId = await boundedProbe(options, { socketFactory: ask({ code: 'PAIRING_REQUIRED', requestId: 'req-9' }).factory });
    const id = (JSON.parse(fs.readFileSync(options.identity, 'utf8')) as { deviceId: string }).deviceId;
    expect(withId.reason).toBe(`the gateway refused the probe's connect: PAIRING_REQUIRED: pairing required (approve the probe's device ${id}: openclaw devices approve req-9)`);
    expect((await boundedProbe(options, { socketFactory: ask({ code: 'PAIRING_REQUIRED' }).factory })).reason).toBe(
      `the gateway refused the probe's connect: PAIRING_REQUIRED: pairing required (approve the probe's device ${id}: openclaw devices approve <request id>)`,
    );
    expect((await boundedProbe(options, { socketFactory: ask({ code: 'AUTH_TOKEN_MISMATCH' }).factory })).reason).toBe("the gateway refused the probe's connect: AUTH_TOKEN_MISMATCH: pairing required");
  });

  test('a token file that is empty, or holds more than one word: not a token', async () => {
    for (const text of ['\n', 'two words\n', 'a\tb']) {
      fs.writeFileSync(options.tokenFile, text);
      expect((await boundedProbe(options, { socketFactory: gateway(() => OK('x')).factory })).reason).toBe(`probe setup: the gateway token file ${options.tokenFile} holds no single token`);
    }
  });
});
