import { spawn, type ChildProcess } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import type { ResolvedConfig } from '../../../lib/config/schema';
import { edgeSchema } from '../../../lib/edge/config-schema';
import { ORIGIN_VERIFY_MAP_FILE, renderOriginVerifyMap } from '../../../lib/host/nginx-config';
import { NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../../lib/host/render';
import { freePortRun } from '../../support/free-ports';
import { exampleConfig, freePort, nginxTestPaths, requireTool, tempDir, waitForPort } from './host-tools';

/**
 * The RENDERED nginx.conf run for real on loopback (Debian's nginx binary), in front of one
 * stand-in gateway per agent of the example config (ops and support, on edge.gatewayPort + 0
 * and + 1: their order in lib/openclaw/gateways.ts, written out here rather than asked of it).
 * A stand-in echoes what it receives as JSON (its id, method, URL, headers, body size), records
 * each request line, and answers WebSocket upgrades with a real 101 that names it and echoes
 * the bytes it gets. What a stand-in does with a plain request is the test's choice
 * (GatewayAnswer): echo, answer a status, answer after a delay, hold until released, or hang.
 *
 * Every path (pid, logs, temp folders, the boot-written include files) is inside one temporary
 * folder; nginx listens on 127.0.0.1 only. `stop()` ends nginx and the stand-ins and removes
 * the folder.
 */

/** What a stand-in gateway does with one plain (non-upgrade) request. */
export type GatewayAnswer =
  /** Echo the request as JSON, 200 (the default). */
  | { kind: 'echo' }
  /** Echo the request as JSON with this status. */
  | { kind: 'status'; status: number }
  /** Echo the request after `ms` milliseconds. */
  | { kind: 'delay'; ms: number }
  /** Hold the request (counted by held()) until releaseHeld(), then echo it. */
  | { kind: 'hold' }
  /** Read the request and never answer (the socket is destroyed at stop()). */
  | { kind: 'hang' };

/** The stand-ins' choice per request; `gateway` is the stand-in's id. */
export type GatewayBehaviour = (req: http.IncomingMessage, gateway: string) => GatewayAnswer;

/** The edge settings a test may set (within the config schema: checked); the ports are always fresh ones. */
export type EdgeOverrides = Partial<Omit<ResolvedConfig['edge'], 'proxyPort' | 'gatewayPort'>>;

export interface NginxUnderTestOptions {
  /** Edge settings over the example config's (rateLimit, hostLimit, maxBodyKiB, origins...). */
  readonly edge?: EdgeOverrides;
  /** The accepted origin-verify values: the current one (sent by default), then the others (rotation). */
  readonly verify: readonly [string, ...string[]];
  /** Origins the boot step adds to the allowed-origins include file (the CloudFront domain). @default [] */
  readonly extraAllowedOrigins?: readonly string[];
  /** nginx worker_processes. @default 2 (so that the limits' shared zones are shared for real) */
  readonly workerProcesses?: number;
  /** The stand-in gateways' ids, in edge.gatewayPort order. @default ['ops', 'support'] (the example config's agents) */
  readonly gateways?: readonly string[];
  /** What the stand-ins do with a plain request. @default always echo */
  readonly behaviour?: GatewayBehaviour;
  /**
   * Rewrites the rendered nginx.conf before nginx starts (a test that needs a small timeout
   * substitutes it here, and says so). @default the rendered file unchanged
   */
  readonly transformConf?: (rendered: string) => string;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What a stand-in gateway answers (echo). */
export interface Echo {
  gateway: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

export interface Req {
  /** @default '/agents/support/' (for websocket(): '/agents/support', where the Control UI opens it) */
  path?: string;
  method?: string;
  /** Origin-verify value; null sends none. @default the current value */
  verify?: string | null;
  /** CloudFront-Viewer-Address; null sends none. @default a fresh one (nextViewer) */
  viewer?: string | null;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Client-side limit: the request fails (rejects) when nginx has not answered by then. @default 5000 ms */
  timeoutMs?: number;
  /** An http.Agent (keep-alive floods). @default a fresh connection */
  agent?: http.Agent;
}

/** An opened WebSocket through nginx (status 101), or the refusal (no socket). */
export interface OpenedWebSocket {
  status: number;
  gateway?: string;
  accept?: string;
  expectedAccept: string;
  /** The tunnel (101 only); the caller destroys it. */
  socket?: net.Socket;
}

export interface WebSocketResult {
  status: number;
  gateway?: string;
  accept?: string;
  expectedAccept: string;
  /** What came back through the tunnel after 'ping through the tunnel' was sent (101 only). */
  echoed?: string;
}

/** One access-log line (the `openclaw` JSON format). */
export interface AccessLine {
  uri: string;
  status: string;
  upstream_status: string;
  weight: number;
  viewer: string;
  method: string;
  verified: string;
  request_id: string;
  [field: string]: unknown;
}

export interface NginxUnderTest {
  /** The config nginx.conf was rendered from (with the test's ports and edge settings). */
  readonly config: ResolvedConfig;
  /** The temporary folder holding nginx.conf, the logs and the include files. */
  readonly dir: string;
  /** The origin-verify header's name. */
  readonly header: string;
  /** The origin-verify value requests carry by default. */
  readonly verify: string;
  /** nginx.conf as nginx runs it (after transformConf). */
  readonly conf: string;
  /** nginx's master process. */
  readonly process: ChildProcess;
  /** A fresh viewer address per call, "198.18.<n>:<port>" as CloudFront sends it. */
  nextViewer(): string;
  /** One request on a fresh connection (or `agent`); resolves with the response even if nginx cuts the upload short. */
  request(r?: Req): Promise<Reply>;
  /** A WebSocket opening handshake through nginx: the 101 with its accept key and the tunnel, or the refusal. */
  openWebSocket(r?: Req): Promise<OpenedWebSocket>;
  /** openWebSocket, then bytes both ways ('ping through the tunnel'), then the tunnel closed. */
  websocket(r?: Req): Promise<WebSocketResult>;
  /** One HTTP/1.0 request written byte for byte on a raw socket (no client normalizes the path). */
  rawRequest(target: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** Every request line each stand-in has received so far, by gateway (a copy). */
  receivedNow(): Record<string, string[]>;
  /** Requests the stand-ins hold now (GatewayAnswer 'hold'). */
  held(): number;
  /** Answers every held request. */
  releaseHeld(): void;
  /** Waits (at most `ms`) until the stand-ins hold `count` requests; throws otherwise. */
  waitForHeld(count: number, ms?: number): Promise<void>;
  /** The content of a file in dir ('' when absent): 'access.log', 'error.log'. */
  log(file: string): string;
  /** The access log's lines, parsed. */
  accessLines(): AccessLine[];
  /** Stops stand-in `id` (its port refuses connections: nginx answers 502) until startGateway(id). */
  stopGateway(id: string): Promise<void>;
  startGateway(id: string): Promise<void>;
  /** nginx's worker processes (children of the master). */
  workers(): number[];
  /** Stops nginx (SIGTERM, SIGKILL after 5 s) and the stand-ins, and removes dir. */
  stop(): Promise<void>;
}

const PING = 'ping through the tunnel';

export function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** Renders nginx.conf for a fresh port set, starts the stand-ins and nginx, and waits until nginx listens. */
export async function startNginxUnderTest(options: NginxUnderTestOptions): Promise<NginxUnderTest> {
  const nginxBin = requireTool('nginx');
  const gatewayIds = options.gateways ?? ['ops', 'support'];
  const behaviour: GatewayBehaviour = options.behaviour ?? (() => ({ kind: 'echo' }));
  const [current] = options.verify;
  const base = exampleConfig('dev');
  const proxyPort = await freePort();
  const gatewayPort = await freePortRun(gatewayIds.length);
  const config: ResolvedConfig = { ...base, edge: { ...base.edge, ...options.edge, proxyPort, gatewayPort } };
  // The limits a test sets are ones a deployment could set: the config schema accepts them.
  const valid = edgeSchema.safeParse(config.edge);
  if (!valid.success) throw new Error(`nginx under test: edge settings outside the config schema: ${valid.error.message}`);
  const header = config.edge.originVerifyHeader;

  const dir = tempDir('oc-nginx-');
  const includeDir = path.join(dir, 'nginx', 'openclaw');
  const confFile = path.join(dir, NGINX_CONF_PATH);

  // The stand-in gateways, and nginx once started.
  const servers = new Map<string, http.Server>();
  const received = new Map<string, string[]>();
  const sockets = new Set<net.Socket>();
  const heldAnswers: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  let proc: ChildProcess | undefined;
  let exited = false;
  let stderr = '';

  const log = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), 'utf8') : '');
  const closeServer = async (id: string) => {
    const server = servers.get(id);
    if (!server) return;
    servers.delete(id);
    const port = (server.address() as net.AddressInfo).port;
    for (const s of sockets) if (s.localPort === port) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const stop = async () => {
    const nginx = proc;
    if (nginx && !exited) {
      const gone = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
      nginx.kill('SIGTERM');
      const timer = setTimeout(() => nginx.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    timers.forEach((t) => clearTimeout(t));
    timers.clear();
    heldAnswers.length = 0;
    sockets.forEach((s) => s.destroy());
    for (const id of [...servers.keys()]) await closeServer(id);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const startUpstream = (id: string, port: number): Promise<void> => {
    if (!received.has(id)) received.set(id, []);
    const server = http.createServer((req, res) => {
      received.get(id)!.push(`${req.method} ${req.url}`);
      const answer = behaviour(req, id);
      let bodyBytes = 0;
      req.on('data', (c: Buffer) => (bodyBytes += c.length));
      req.on('end', () => {
        const echo = (status = 200) => {
          if (res.destroyed || res.writableEnded) return;
          res.statusCode = status;
          res.setHeader('X-Powered-By', 'Express');
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ gateway: id, method: req.method, url: req.url, headers: req.headers, bodyBytes }));
        };
        switch (answer.kind) {
          case 'echo':
            return echo();
          case 'status':
            return echo(answer.status);
          case 'delay': {
            const t = setTimeout(() => {
              timers.delete(t);
              echo();
            }, answer.ms);
            timers.add(t);
            return;
          }
          case 'hold': {
            const entry = () => echo();
            heldAnswers.push(entry);
            // A request nginx gave up on (its client left) is no longer held.
            res.on('close', () => {
              const at = heldAnswers.indexOf(entry);
              if (at >= 0) heldAnswers.splice(at, 1);
            });
            return;
          }
          case 'hang':
            return;
        }
      });
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('upgrade', (req, socket: net.Socket) => {
      received.get(id)!.push(`UPGRADE ${req.url}`);
      sockets.add(socket);
      const key = req.headers['sec-websocket-key'];
      if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        return;
      }
      socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${acceptKey(key)}`, `X-Stand-In-Gateway: ${id}`, '', ''].join('\r\n'));
      socket.on('data', (d) => socket.write(d)); // echo
      socket.on('error', () => undefined); // nginx closing the tunnel is no test failure
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        servers.set(id, server);
        resolve();
      });
    });
  };
  const portOf = (id: string) => gatewayPort + gatewayIds.indexOf(id);

  // Everything up to a listening nginx; on any failure (a transformConf that throws, a config
  // nginx refuses) the stand-ins and nginx are stopped and the folder removed.
  let conf: string;
  let nginx: ChildProcess;
  try {
    writeHostFiles(
      dir,
      renderHostFiles(config, {
        nginx: { ...nginxTestPaths(dir, includeDir), listenAddress: '127.0.0.1', workerProcesses: options.workerProcesses ?? 2 },
        extraAllowedOrigins: [...(options.extraAllowedOrigins ?? [])],
      }),
    );
    const rendered = fs.readFileSync(confFile, 'utf8');
    conf = options.transformConf ? options.transformConf(rendered) : rendered;
    fs.writeFileSync(confFile, conf);
    fs.mkdirSync(path.join(dir, 'tmp'));
    fs.writeFileSync(path.join(includeDir, ORIGIN_VERIFY_MAP_FILE), renderOriginVerifyMap(current, ...options.verify.slice(1)), { mode: 0o600 });

    for (const id of gatewayIds) await startUpstream(id, portOf(id));

    // nginx in the foreground, its own start-up errors to error.log and stderr.
    nginx = spawn(nginxBin, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', confFile, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc = nginx;
    nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    nginx.on('exit', () => (exited = true));
    nginx.on('error', (e) => {
      stderr += `${e.message}\n`;
      exited = true;
    });
    try {
      await waitForPort(proxyPort, '127.0.0.1', 5_000, () => !exited);
    } catch (e) {
      throw new Error(`nginx did not start: ${(e as Error).message}\n${stderr}${log('error.log')}`);
    }
  } catch (e) {
    await stop();
    throw e;
  }

  let viewerCount = 0;
  const nextViewer = () => {
    viewerCount += 1;
    return `198.18.${viewerCount >> 8}.${viewerCount & 255}:${40000 + (viewerCount % 20000)}`;
  };
  const requestHeaders = (r: Req): Record<string, string> => {
    const h: Record<string, string> = { ...r.headers };
    const verify = r.verify === undefined ? current : r.verify;
    if (verify !== null) h[header] = verify;
    const viewer = r.viewer === undefined ? nextViewer() : r.viewer;
    if (viewer !== null) h['CloudFront-Viewer-Address'] = viewer;
    return h;
  };

  const request = (r: Req = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      let replied = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxyPort,
          path: r.path ?? '/agents/support/',
          method: r.method ?? (r.body ? 'POST' : 'GET'),
          headers: { ...requestHeaders(r), ...(r.body ? { 'Content-Length': String(r.body.length) } : {}) },
          agent: r.agent ?? false,
          timeout: r.timeoutMs ?? 5_000,
        },
        (res) => {
          replied = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request ${r.path ?? ''} timed out after ${r.timeoutMs ?? 5_000} ms`)));
      req.on('error', (e) => {
        if (!replied) reject(e);
      });
      req.end(r.body);
    });

  const openWebSocket = (r: Req = {}): Promise<OpenedWebSocket> => {
    const key = randomBytes(16).toString('base64');
    const expectedAccept = acceptKey(key);
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: proxyPort,
        path: r.path ?? '/agents/support', // where the Control UI opens it: ws(s)://<host><basePath>
        agent: false,
        timeout: r.timeoutMs ?? 5_000,
        headers: { ...requestHeaders(r), Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket: net.Socket) => {
        socket.setTimeout(0); // the request's timeout no longer applies to the tunnel
        resolve({
          status: res.statusCode ?? 0,
          gateway: res.headers['x-stand-in-gateway'] as string,
          accept: res.headers['sec-websocket-accept'] as string,
          expectedAccept,
          socket,
        });
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, expectedAccept }));
      });
      req.on('timeout', () => req.destroy(new Error('websocket request timed out')));
      req.on('error', reject);
      req.end();
    });
  };

  const websocket = async (r: Req = {}): Promise<WebSocketResult> => {
    const { socket, ...opened } = await openWebSocket(r);
    if (!socket) return opened;
    const echoed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo through the tunnel within 5 s')), 5_000);
      socket.once('data', (d: Buffer) => {
        clearTimeout(timer);
        resolve(d.toString());
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.write(PING);
    }).finally(() => socket.destroy());
    return { ...opened, echoed };
  };

  const rawRequest = (target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: proxyPort });
      let data = '';
      socket.setTimeout(5_000, () => socket.destroy(new Error(`raw request ${target} timed out`)));
      socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => {
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0);
        resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
      });
      // HTTP/1.0: the answer is not chunked and ends with the connection.
      const lines = [`GET ${target} HTTP/1.0`, 'Host: agents.example.com', ...Object.entries({ ...requestHeaders({}), ...headers }).map(([k, v]) => `${k}: ${v}`)];
      // Written, not ended: nginx takes a half-closed client connection for an aborted request (499).
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });

  const held = () => heldAnswers.length;
  return {
    config,
    dir,
    header,
    verify: current,
    conf,
    process: nginx,
    nextViewer,
    request,
    openWebSocket,
    websocket,
    rawRequest,
    receivedNow: () => Object.fromEntries([...received].map(([id, lines]) => [id, [...lines]])),
    held,
    releaseHeld: () => heldAnswers.splice(0).forEach((answer) => answer()),
    waitForHeld: async (count, ms = 5_000) => {
      const deadline = Date.now() + ms;
      while (held() < count) {
        if (Date.now() > deadline) throw new Error(`the stand-ins hold ${held()} requests, expected ${count} within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    log,
    accessLines: () =>
      log('access.log')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as AccessLine),
    stopGateway: (id) => closeServer(id),
    startGateway: (id) => startUpstream(id, portOf(id)),
    workers: () => {
      const pid = nginx.pid!;
      return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    },
    stop,
  };
}
