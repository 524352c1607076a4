import * as http from 'http';
import type { AddressInfo } from 'net';
import * as net from 'net';
import { fakeRoleCredentials, startFakeImds, type FakeImds } from '../support/fake-aws/imds';
import { instanceCredentials } from '../../host/fetch-secrets/imds';
import { SecretsFailure } from '../../host/fetch-secrets/failure';
import { settlesWithin } from '../support/settles-within';

// Focused in-process checks of the metadata probe of host/fetch-secrets/imds.ts, against a loopback fake.

let answer: { token: [number, string]; roles: [number, string] };
let server: http.Server;
const savedEndpoint = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const [status, body] = req.url === '/latest/api/token' ? answer.token : answer.roles;
    res.writeHead(status).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = savedEndpoint;
  await new Promise((r) => server.close(r));
});

async function failure(): Promise<SecretsFailure> {
  const e: unknown = await bounded(instanceCredentials({ timeoutMs: 1000, attempts: 1 })).then(
    () => new Error('no failure'),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SecretsFailure);
  return e as SecretsFailure;
}

test('a token answer other than 200 is ImdsTokenRefused even with a body', async () => {
  answer = { token: [403, 'tok'], roles: [200, 'role'] };
  const f = await failure();
  expect(f.reason).toBe('ImdsTokenRefused');
  expect(f.detail).toMatch(/^the instance metadata service refused an IMDSv2 token \(PUT \/latest\/api\/token answered HTTP 403\); /);
});

test('a role listing other than 200 is NoRoleCredentials even with a body', async () => {
  answer = { token: [200, 'tok'], roles: [404, 'role\n'] };
  const f = await failure();
  expect(f.reason).toBe('NoRoleCredentials');
  expect(f.detail).toMatch(/^no IAM role attached to the instance \(GET \/latest\/meta-data\/iam\/security-credentials\/ answered HTTP 404\); /);
});

test('a blank role listing (whitespace only) is NoRoleCredentials "with no role"', async () => {
  answer = { token: [200, 'tok'], roles: [200, '  \nother'] };
  const f = await failure();
  expect(f.reason).toBe('NoRoleCredentials');
  expect(f.detail).toMatch(/^no IAM role attached to the instance \(GET \/latest\/meta-data\/iam\/security-credentials\/ answered HTTP 200 with no role\); /);
});

// ---- The whole IMDSv2 flow against the fake metadata service (token with TTL, token on every GET, role credentials) ----


/** Fails fast (instead of hanging until Stryker's timeout) when `p` does not settle within `ms`. */
const bounded = <T>(p: Promise<T>, ms = 1500): Promise<T> => settlesWithin(p, ms);

async function withEndpoint<T>(endpoint: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpoint;
  try {
    return await run();
  } finally {
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = saved;
  }
}

const rejection = (p: Promise<unknown>) => bounded(p.then(() => new Error('no failure'), (x: unknown) => x)) as Promise<SecretsFailure>;

describe('instanceCredentials against the fake IMDSv2', () => {
  const roleCreds = fakeRoleCredentials(41);
  let imds: FakeImds;
  beforeAll(async () => {
    imds = await startFakeImds(roleCreds, 'gw-role');
  });
  afterAll(() => imds.close());
  beforeEach(() => imds.reset());
  afterEach(() => jest.restoreAllMocks());

  const credsPath = '/latest/meta-data/iam/security-credentials/gw-role';
  const countOf = (url: string) => imds.requests.filter((r) => r.url === url).length;

  test('the probe PUTs a token with the TTL header, then GETs the role with that token; the SDK provider signs with the role credentials', async () => {
    const c = await bounded(withEndpoint(imds.endpoint, () => instanceCredentials({ timeoutMs: 1000, attempts: 2 })));
    expect(c.role).toBe('gw-role');
    expect(c.endpoint).toBe(imds.endpoint);
    expect(imds.requests.slice(0, 2).map((r) => [r.method, r.url, r.headers['x-aws-ec2-metadata-token-ttl-seconds'], typeof r.headers['x-aws-ec2-metadata-token']])).toEqual([
      ['PUT', '/latest/api/token', '300', 'undefined'],
      ['GET', '/latest/meta-data/iam/security-credentials/', undefined, 'string'],
    ]);
    const got = await bounded(c.provider());
    expect([got.accessKeyId, got.secretAccessKey, got.sessionToken]).toEqual([roleCreds.accessKeyId, roleCreds.secretAccessKey, roleCreds.sessionToken]);
  });

  test('credentials are reused while more than 5 minutes from expiry (exactly 5 min left: no refresh), refreshed below', async () => {
    const t0 = 1_800_000_000_000;
    let now = t0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    imds.behaviour.credentialsTtlMs = 5 * 60_000;
    const c = await bounded(withEndpoint(imds.endpoint, () => instanceCredentials({ timeoutMs: 1000, attempts: 1 })));
    expect(countOf(credsPath)).toBe(1);
    await bounded(c.provider());
    expect(countOf(credsPath)).toBe(1);
    now = t0 + 1;
    await bounded(withEndpoint(imds.endpoint, () => c.provider()));
    expect(countOf(credsPath)).toBe(2);
  });

  test('the SDK provider retries the role credentials attempts - 1 times (attempts requests in all)', async () => {
    imds.behaviour.credentials = 500;
    const f = await rejection(withEndpoint(imds.endpoint, () => instanceCredentials({ timeoutMs: 1000, attempts: 2 })));
    expect(f.reason).toBe('NoRoleCredentials');
    expect(countOf(credsPath)).toBe(2);
  });

  test("every request's deadline timer is cleared when the request closes (no timer keeps the host process alive)", async () => {
    // Each deadline timer the probe sets (60 s here; the token PUT and the role GET) must be handed to clearTimeout; counting
    // the process's active timers instead is blurred by the other timers that come and go.
    const set = jest.spyOn(global, 'setTimeout');
    const cleared = jest.spyOn(global, 'clearTimeout');
    await bounded(withEndpoint(imds.endpoint, () => instanceCredentials({ timeoutMs: 60_000, attempts: 1 })));
    await new Promise((r) => setImmediate(r));
    const deadlines = set.mock.calls.flatMap((c, i) => (c[1] === 60_000 ? [set.mock.results[i]!.value as unknown] : []));
    expect({ deadlines: deadlines.length, notCleared: deadlines.filter((t) => !cleared.mock.calls.some((c) => c[0] === t)).length }).toEqual({ deadlines: 2, notCleared: 0 });
  });
});

describe('instanceCredentials network failures', () => {
  /** A TCP server on `host` that handles each connection with `onSocket`, counting connections. */
  async function rawServer(host: string, onSocket: (s: net.Socket) => void) {
    const state = { connections: 0 };
    const server = net.createServer((s) => {
      state.connections++;
      onSocket(s);
    });
    await new Promise<void>((r) => server.listen(0, host, r));
    const { port } = server.address() as AddressInfo;
    return { state, port, close: () => new Promise((r) => server.close(r)) };
  }

  test('a connection reset is retried `attempts` times with backoff 50 ms x attempt, then ImdsUnreachable', async () => {
    const srv = await rawServer('127.0.0.1', (s) => s.destroy());
    try {
      const t = Date.now();
      const f = await rejection(withEndpoint(`http://127.0.0.1:${srv.port}`, () => instanceCredentials({ timeoutMs: 500, attempts: 3 })));
      const elapsed = Date.now() - t;
      expect(f.reason).toBe('ImdsUnreachable');
      expect(f.detail).toMatch(/^no answer from the instance metadata service \(PUT \/latest\/api\/token: \S.*, after 3 attempts\); /);
      expect(srv.state.connections).toBe(3);
      expect(elapsed).toBeGreaterThanOrEqual(145); // 50 + 100
    } finally {
      await srv.close();
    }
  });

  test('an answer cut in the middle of its body is a network error (retried, then ImdsUnreachable)', async () => {
    const srv = await rawServer('127.0.0.1', (s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
        setTimeout(() => s.destroy(), 20);
      });
    });
    try {
      const f = await rejection(withEndpoint(`http://127.0.0.1:${srv.port}`, () => instanceCredentials({ timeoutMs: 500, attempts: 2 })));
      expect(f.reason).toBe('ImdsUnreachable');
      expect(f.detail).toMatch(/^no answer from the instance metadata service \(PUT \/latest\/api\/token: \S.*, after 2 attempts\); /);
      expect(srv.state.connections).toBe(2);
    } finally {
      await srv.close();
    }
  });

  test('an endpoint without a port (the default http://169.254.169.254 shape) is used as is', async () => {
    // The request is watched, not sent to port 80 (something may listen there): it must leave
    // the port unset (http's default, 80); the test answers it with a refused connection.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself (an import * namespace cannot be spied on)
    const httpModule = require('http') as typeof http;
    const real = httpModule.request;
    const seen: unknown[] = [];
    const spy = jest.spyOn(httpModule, 'request').mockImplementation(((options: http.RequestOptions, cb?: (res: http.IncomingMessage) => void) => {
      seen.push([options.hostname, options.port, options.method, options.path]);
      const req = real({ ...options, port: 1 }, cb); // nothing listens on port 1 of the loopback: refused
      return req;
    }) as typeof http.request);
    try {
      const f = await rejection(withEndpoint('http://127.0.0.1', () => instanceCredentials({ timeoutMs: 500, attempts: 1 })));
      expect(seen).toEqual([['127.0.0.1', undefined, 'PUT', '/latest/api/token']]);
      expect([f.reason, f.subject]).toEqual(['ImdsUnreachable', 'http://127.0.0.1']);
      expect(f.detail).toMatch(/^no answer from the instance metadata service \(PUT \/latest\/api\/token: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1, after 1 attempt\); /);
    } finally {
      spy.mockRestore();
    }
  });

  test('the IPv6 endpoint [fd00:ec2::254] shape: brackets stripped for the socket, kept in messages', async () => {
    const imds6 = http.createServer((req, res) => res.writeHead(req.url === '/latest/api/token' ? 200 : 404).end(req.url === '/latest/api/token' ? 'tok6' : ''));
    await new Promise<void>((r) => imds6.listen(0, '::1', r));
    const { port } = imds6.address() as AddressInfo;
    try {
      const f = await rejection(withEndpoint(`http://[::1]:${port}`, () => instanceCredentials({ timeoutMs: 500, attempts: 1 })));
      expect([f.reason, f.subject]).toEqual(['NoRoleCredentials', `http://[::1]:${port}`]);
    } finally {
      await new Promise((r) => imds6.close(r));
    }
  });
});
