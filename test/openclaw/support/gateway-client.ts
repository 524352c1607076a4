/**
 * A minimal OpenClaw gateway client for the tests (Node 20 has no WebSocket
 * client): the RFC 6455 opening handshake and text frames over a plain TCP
 * socket, then the gateway's own protocol (protocol 4): the server's
 * connect.challenge, a `connect` request signed with an Ed25519 device identity
 * (payload v3, as packages/gateway-client does), `hello-ok`, then RPC requests.
 */
import * as crypto from 'crypto';
import * as net from 'net';

export interface Frame {
  readonly type: string;
  readonly id?: string;
  readonly ok?: boolean;
  readonly event?: string;
  readonly method?: string;
  readonly payload?: Record<string, unknown>;
  readonly error?: { code: string; message: string; details?: Record<string, unknown> };
}

/** What the socket produced: a gateway frame, a close frame, or the end of the TCP stream. */
export type Message = { kind: 'frame'; frame: Frame } | { kind: 'close'; code: number; reason: string } | { kind: 'eof' };

export interface WsConnection {
  /** HTTP status of the upgrade response (101 when upgraded). */
  readonly status: number;
  /** Raw response head (status line and headers). */
  readonly head: string;
  /** Response body when not upgraded. */
  readonly body: string;
  send(obj: unknown): void;
  next(timeoutMs?: number): Promise<Message>;
  close(): void;
}

export interface WsOptions {
  readonly host?: string;
  readonly port: number;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** Opens a WebSocket (ws://, no TLS). Resolves once the upgrade response (or a refusal) has arrived. */
export function openWebSocket(o: WsOptions): Promise<WsConnection> {
  const host = o.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: o.port });
    socket.setTimeout(o.timeoutMs ?? 10_000, () => socket.destroy(new Error(`websocket to ${host}:${o.port} timed out`)));
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let settled = false;
    const queue: Message[] = [];
    const waiters: ((m: Message) => void)[] = [];
    const push = (m: Message) => {
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    };
    let status = 0;
    let head = '';
    let body = '';
    const conn: WsConnection = {
      get status() {
        return status;
      },
      get head() {
        return head;
      },
      get body() {
        return body;
      },
      send(obj: unknown) {
        const data = Buffer.from(JSON.stringify(obj));
        const mask = crypto.randomBytes(4);
        let header: Buffer;
        if (data.length < 126) header = Buffer.from([0x81, 0x80 | data.length]);
        else if (data.length < 65536) {
          header = Buffer.alloc(4);
          header[0] = 0x81;
          header[1] = 0x80 | 126;
          header.writeUInt16BE(data.length, 2);
        } else {
          header = Buffer.alloc(10);
          header[0] = 0x81;
          header[1] = 0x80 | 127;
          header.writeBigUInt64BE(BigInt(data.length), 2);
        }
        for (let i = 0; i < data.length; i++) data[i]! ^= mask[i % 4]!;
        socket.write(Buffer.concat([header, mask, data]));
      },
      next(timeoutMs = 10_000) {
        const m = queue.shift();
        if (m) return Promise.resolve(m);
        return new Promise((res, rej) => {
          const t = setTimeout(() => {
            const i = waiters.indexOf(done);
            if (i >= 0) waiters.splice(i, 1);
            rej(new Error(`no websocket message within ${timeoutMs} ms`));
          }, timeoutMs);
          const done = (msg: Message) => {
            clearTimeout(t);
            res(msg);
          };
          waiters.push(done);
        });
      },
      close() {
        socket.destroy();
      },
    };
    const parseFrames = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 1) push({ kind: 'frame', frame: JSON.parse(payload.toString('utf8')) as Frame });
        else if (opcode === 8) push({ kind: 'close', code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') });
        else if (opcode === 9) {
          // ping: answer with a masked pong carrying the same payload
          const mask = crypto.randomBytes(4);
          const p = Buffer.from(payload);
          for (let i = 0; i < p.length; i++) p[i]! ^= mask[i % 4]!;
          socket.write(Buffer.concat([Buffer.from([0x8a, 0x80 | p.length]), mask, p]));
        }
      }
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buf.subarray(0, end).toString('latin1');
        status = Number(head.split(' ')[1]);
        buf = buf.subarray(end + 4);
        if (status !== 101) {
          body = buf.toString('utf8');
          socket.on('data', (more: Buffer) => (body += more.toString('utf8')));
          socket.once('end', () => {
            settled = true;
            resolve(conn);
          });
          setTimeout(() => {
            if (!settled) {
              settled = true;
              resolve(conn);
            }
          }, 500);
          return;
        }
        upgraded = true;
        settled = true;
        resolve(conn);
      }
      parseFrames();
    });
    socket.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      } else push({ kind: 'eof' });
    });
    socket.on('close', () => push({ kind: 'eof' }));
    socket.write(
      [
        `GET ${o.path ?? '/'} HTTP/1.1`,
        `Host: ${host}:${o.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** An Ed25519 device identity as OpenClaw clients hold it. */
export interface DeviceIdentity {
  /** SHA-256 (hex) of the raw public key. */
  readonly id: string;
  /** Raw public key, base64url. */
  readonly publicKey: string;
  readonly privateKey: crypto.KeyObject;
}

export function newDeviceIdentity(): DeviceIdentity {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  return { id: crypto.createHash('sha256').update(raw).digest('hex'), publicKey: raw.toString('base64url'), privateKey };
}

export interface ConnectOptions {
  readonly token?: string;
  readonly device?: DeviceIdentity;
  readonly scopes?: readonly string[];
  /** @default 'cli' (client id and mode) */
  readonly client?: string;
}

/** Next gateway frame that answers request `id`, skipping events; or the close/eof that came instead. */
export async function responseTo(conn: WsConnection, id: string, timeoutMs = 10_000): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await conn.next(Math.max(1, deadline - Date.now()));
    if (m.kind !== 'frame') return m;
    if (m.frame.type === 'res' && m.frame.id === id) return m;
  }
}

/**
 * The gateway handshake on an upgraded connection: waits for connect.challenge,
 * sends `connect` (signed with `device` when given), returns the gateway's answer
 * to it (hello-ok or an error frame), or the close that came instead.
 */
export async function gatewayConnect(conn: WsConnection, o: ConnectOptions): Promise<Message> {
  const first = await conn.next(10_000);
  if (first.kind !== 'frame' || first.frame.event !== 'connect.challenge') return first;
  const nonce = String(first.frame.payload?.nonce);
  const ts = Number(first.frame.payload?.ts);
  const client = o.client ?? 'cli';
  const scopes = [...(o.scopes ?? ['operator.read'])];
  const platform = 'linux';
  let device: Record<string, unknown> | undefined;
  if (o.device) {
    const payload = ['v3', o.device.id, client, client, 'operator', scopes.join(','), String(ts), o.token ?? '', nonce, platform, ''].join('|');
    device = {
      id: o.device.id,
      publicKey: o.device.publicKey,
      signature: crypto.sign(null, Buffer.from(payload, 'utf8'), o.device.privateKey).toString('base64url'),
      signedAt: ts,
      nonce,
    };
  }
  conn.send({
    type: 'req',
    id: 'connect',
    method: 'connect',
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: client, version: '1.0.0', platform, mode: client },
      role: 'operator',
      scopes,
      caps: [],
      ...(o.token !== undefined ? { auth: { token: o.token } } : {}),
      ...(device ? { device } : {}),
    },
  });
  return responseTo(conn, 'connect');
}

let requestCount = 0;

/** One RPC request on a connected socket; resolves with the gateway's response frame (or the close). */
export async function rpc(conn: WsConnection, method: string, params: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Message> {
  requestCount += 1;
  const id = `r${requestCount}`;
  conn.send({ type: 'req', id, method, params });
  return responseTo(conn, id, timeoutMs);
}

/** The response frame of a message, or a failure naming what came instead. */
export function frameOf(m: Message): Frame {
  if (m.kind !== 'frame') throw new Error(`expected a gateway frame, got ${JSON.stringify(m)}`);
  return m.frame;
}
