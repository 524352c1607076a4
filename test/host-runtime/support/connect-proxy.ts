/**
 * Loopback stand-ins for the egress path of the host programs: a forward proxy that records
 * every CONNECT (and refuses any other request, as squid refuses plain HTTP), and a TLS front
 * (a throw-away self-signed certificate for "localhost") that forwards the decrypted bytes to
 * a plain-HTTP fake. Both listen on 127.0.0.1 only; close() ends every connection.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';

export interface ConnectProxy {
  /** http://127.0.0.1:<port>, what HTTPS_PROXY names. */
  readonly url: string;
  /** The CONNECT targets seen (host:port), in order. */
  readonly connects: string[];
  /** Requests that were not CONNECT (method and target), refused with 403. */
  readonly refused: string[];
  close(): Promise<void>;
}

function track(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));

/** A CONNECT proxy on loopback that tunnels to any host:port and records it. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: string[] = [];
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    refused.push(`${req.method} ${req.url}`);
    res.writeHead(403).end();
  });
  const tunnels = new Set<net.Socket>();
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = [(req.url ?? '').replace(/:\d+$/, ''), Number((req.url ?? '').split(':').pop())];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('close', () => tunnels.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const closeServer = track(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    refused,
    close: async () => {
      for (const t of tunnels) t.destroy();
      await closeServer();
    },
  };
}

export interface TlsFront {
  /** https://localhost:<port>. */
  readonly endpoint: string;
  /** The certificate's PEM file (NODE_EXTRA_CA_CERTS of the client). */
  readonly caFile: string;
  close(): Promise<void>;
}

/** A TLS endpoint for "localhost" in front of the plain-HTTP service at `target` (http://127.0.0.1:<port>). */
export async function startTlsFront(target: string, dir: string): Promise<TlsFront> {
  const key = path.join(dir, 'tls-key.pem');
  const cert = path.join(dir, 'tls-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore', timeout: 20_000 });
  const { hostname, port } = new URL(target);
  const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (socket) => {
    const upstream = net.connect(Number(port), hostname);
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const close = track(server);
  const listenPort = await listen(server);
  return { endpoint: `https://localhost:${listenPort}`, caFile: cert, close };
}
