import * as http from 'http';
import type * as net from 'net';

/** A request as a loopback fake received it, body read in full. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as sent on the request line. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a fake answers: status, headers and body, or 'hang' (accept, never answer). */
export type FakeAnswer = { status: number; headers?: Record<string, string>; body?: string | Buffer } | 'hang';

/** A started loopback fake. */
export interface FakeServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 (port chosen by the system) that reads each
 * request's body and answers with `handle`. close() drops open connections.
 */
export async function startFakeServer(handle: (req: ReceivedRequest) => FakeAnswer): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let answer: FakeAnswer;
      try {
        answer = handle({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      } catch (e) {
        answer = { status: 599, body: `fake server error: ${(e as Error).message}` };
      }
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
