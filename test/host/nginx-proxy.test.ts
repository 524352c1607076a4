import * as fs from 'fs';
import * as path from 'path';
import { ORIGIN_VERIFY_MAP_FILE, REFUSAL_LOG_SAMPLE, renderOriginVerifyMap } from '../../lib/host/nginx-config';
import { pseudoRandom } from '../support/pseudo-random';
import { startNginxUnderTest, type Echo, type NginxUnderTest, type Reply, type Req } from './support/nginx-under-test';

// The rendered nginx.conf, run for real on loopback in front of one stand-in
// gateway per agent of the example (ops and support, on edge.gatewayPort + 0
// and + 1, their order in lib/openclaw/gateways.ts), each echoing what it
// receives and which gateway it is (test/host/support/nginx-under-test.ts).
// Every request of a test carries its own CloudFront-Viewer-Address, so the
// per-viewer rate limit only bites where a test means it to. The limits
// themselves (per viewer, per host, timeouts, headers, log sampling) are
// proven in nginx-limits.test.ts.

const CURRENT = pseudoRandom(48, 101);
const PREVIOUS = pseudoRandom(48, 102);
const WRONG = pseudoRandom(48, 103);
const NEXT = pseudoRandom(48, 104);
const CLOUDFRONT_ORIGIN = 'https://d111111abcdef8.cloudfront.net';
const BURST = 5;
const MAX_BODY_KIB = 64;
const TEST_TIMEOUT = 20_000;

let nginx: NginxUnderTest;
let header: string;
/** The path every test that is not about routing uses: support's gateway. */
const SUPPORT = '/agents/support';

const request = (r: Req = {}): Promise<Reply> => nginx.request(r);
const websocket = (r: Req = {}) => nginx.websocket(r);
/** One HTTP/1.0 request written byte for byte on a raw socket (no client normalizes the path); resolves with the status and body. */
const rawRequest = (target: string, headers: Record<string, string> = {}) => nginx.rawRequest(target, headers);
/** Every request line the stand-in gateways have received so far, by gateway. */
const receivedNow = () => nginx.receivedNow();
const log = (file: string) => nginx.log(file);

const echoOf = (reply: Reply): Echo => {
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as Echo;
};

beforeAll(async () => {
  nginx = await startNginxUnderTest({
    edge: {
      maxBodyKiB: MAX_BODY_KIB,
      rateLimit: { requestsPerSecond: 1, burst: BURST, connectionsPerViewer: 20 },
      customDomain: { domainName: 'agents.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b6c4a4e-2f3a-4c55-9d39-6f1e2a3b4c5d' },
      allowedOrigins: ['https://app.example.net'],
    },
    verify: [CURRENT, PREVIOUS],
    extraAllowedOrigins: [CLOUDFRONT_ORIGIN], // what the boot step adds
  });
  header = nginx.header;
}, TEST_TIMEOUT);

afterAll(async () => {
  await nginx?.stop();
}, TEST_TIMEOUT);

describe('origin verification', () => {
  test('403 without the origin-verify header', async () => {
    expect((await request({ verify: null })).status).toBe(403);
  });

  test('403 with a wrong value, or the right value in another letter case', async () => {
    expect((await request({ verify: WRONG })).status).toBe(403);
    expect((await request({ verify: CURRENT.toLowerCase() })).status).toBe(403);
    expect((await request({ verify: `${CURRENT}x` })).status).toBe(403);
  });

  test('403 for the header spelled with underscores', async () => {
    const reply = await request({ verify: null, headers: { [header.replace(/-/g, '_')]: CURRENT } });
    expect(reply.status).toBe(403);
  });

  test('200 with the current value; the gateway never sees the header', async () => {
    const echo = echoOf(await request({ path: `${SUPPORT}/status` }));
    expect(echo.url).toBe(`${SUPPORT}/status`);
    expect(echo.headers[header]).toBeUndefined();
    expect(JSON.stringify(echo)).not.toContain(CURRENT);
  });

  test('200 with the previous value (rotation overlap)', async () => {
    expect((await request({ verify: PREVIOUS })).status).toBe(200);
  });
});

describe('credentials in the query string', () => {
  test.each(['token', 'access_token', 'ToKeN', 'API_KEY', 'apikey', 'key', 'password', 'secret', 'auth', '%74oken', 'api%5Fkey', 'token[]'])(
    '403 for ?%s=... even with the right header',
    async (name) => {
      expect((await request({ path: `${SUPPORT}/chat?session=1&${name}=abc123` })).status).toBe(403);
    },
  );

  test('403 when the credential is the first parameter', async () => {
    expect((await request({ path: `${SUPPORT}/?token=abc123` })).status).toBe(403);
    expect((await request({ path: '/agents/ops/?access_token=abc123' })).status).toBe(403);
  });

  test('other parameters pass, including names that merely contain a credential word', async () => {
    const echo = echoOf(await request({ path: `${SUPPORT}/search?tokenizer=bpe&monkey=1&q=token%3Dx` }));
    expect(echo.url).toBe(`${SUPPORT}/search?tokenizer=bpe&monkey=1&q=token%3Dx`);
  });
});

describe('WebSocket', () => {
  test('101 with a correct Sec-WebSocket-Accept for a valid upgrade, and bytes flow both ways', async () => {
    const ws = await websocket();
    expect(ws.status).toBe(101);
    expect(ws.accept).toBe(ws.expectedAccept);
    expect(ws.echoed).toBe('ping through the tunnel');
  });

  test('403 for an upgrade without the origin-verify header', async () => {
    expect((await websocket({ verify: null })).status).toBe(403);
  });

  test('403 for an upgrade from a disallowed browser origin (cross-site WebSocket hijacking)', async () => {
    expect((await websocket({ headers: { Origin: 'https://evil.example.org' } })).status).toBe(403);
  });
});

describe('viewer address', () => {
  test('X-Forwarded-For and X-Real-IP come from CloudFront-Viewer-Address, not from the client', async () => {
    const echo = echoOf(
      await request({
        viewer: '203.0.113.45:51234',
        headers: { 'X-Forwarded-For': '6.6.6.6, 7.7.7.7', 'X-Real-IP': '6.6.6.6', Forwarded: 'for=6.6.6.6', 'X-Forwarded-Host': 'evil.example' },
      }),
    );
    expect(echo.headers['x-forwarded-for']).toBe('203.0.113.45');
    expect(echo.headers['x-real-ip']).toBe('203.0.113.45');
    expect(echo.headers.forwarded).toBeUndefined();
    expect(echo.headers['x-forwarded-host']).toBeUndefined();
  });

  test('IPv6 viewer addresses lose their port', async () => {
    const echo = echoOf(await request({ viewer: '2001:db8:85a3::8a2e:370:7334:443' }));
    expect(echo.headers['x-forwarded-for']).toBe('2001:db8:85a3::8a2e:370:7334');
  });

  test('without (or with a malformed) CloudFront-Viewer-Address, the connection address is used', async () => {
    expect(echoOf(await request({ viewer: null, headers: { 'X-Forwarded-For': '6.6.6.6' } })).headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echoOf(await request({ viewer: '6.6.6.6, 7.7.7.7:80' })).headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('limits', () => {
  test(`413 for a body over maxBodyKiB (${MAX_BODY_KIB} KiB); exactly the limit passes`, async () => {
    const atLimit = echoOf(await request({ body: Buffer.alloc(MAX_BODY_KIB * 1024, 0x61) }));
    expect(atLimit.bodyBytes).toBe(MAX_BODY_KIB * 1024);
    expect((await request({ body: Buffer.alloc(MAX_BODY_KIB * 1024 + 1, 0x61) })).status).toBe(413);
  });

  test(`429 once one viewer sends more than burst + 1 (${BURST + 1}) rapid requests; other viewers are unaffected`, async () => {
    const viewer = '192.0.2.77:4444';
    const statuses: number[] = [];
    for (let i = 0; i < BURST + 6; i++) {
      const { status } = await request({ viewer });
      statuses.push(status);
      if (status === 429) break;
    }
    expect(statuses.slice(0, BURST + 1)).toEqual(Array(BURST + 1).fill(200));
    expect(statuses).toContain(429);
    expect((await request()).status).toBe(200);
  });
});

describe('browser origins', () => {
  test('403 for a disallowed Origin (and for "null")', async () => {
    expect((await request({ headers: { Origin: 'https://evil.example.org' } })).status).toBe(403);
    expect((await request({ headers: { Origin: 'null' } })).status).toBe(403);
    expect((await request({ headers: { Origin: 'https://agents.example.com.evil.example.org' } })).status).toBe(403);
  });

  test.each([
    ['the custom domain', 'https://agents.example.com'],
    ['edge.allowedOrigins', 'https://app.example.net'],
    ['the boot-written include file (CloudFront domain)', CLOUDFRONT_ORIGIN],
  ])('200 for an Origin from %s', async (_from, origin) => {
    expect((await request({ headers: { Origin: origin } })).status).toBe(200);
  });

  test('200 without an Origin header (non-browser clients)', async () => {
    expect((await request()).status).toBe(200);
  });
});

describe('response headers', () => {
  test('the Server header carries no version and X-Powered-By is dropped', async () => {
    const reply = await request();
    expect(reply.status).toBe(200);
    expect(reply.headers.server).toBe('nginx');
    expect(reply.headers['x-powered-by']).toBeUndefined();
    const refused = await request({ verify: null });
    expect(refused.headers.server).toBe('nginx');
    expect(refused.body).not.toMatch(/nginx\/\d/);
  });
});

describe('logs', () => {
  // Refusals nginx answers itself are sampled (one in REFUSAL_LOG_SAMPLE is logged, with its
  // weight): a refused request's line is not guaranteed here. nginx-limits.test.ts counts them.
  test('the access log has paths but no query strings, no origin-verify value, no Authorization or Cookie', async () => {
    const marker = `q${pseudoRandom(12, 7)}`;
    await request({ path: `${SUPPORT}/logged/path?note=${marker}`, headers: { Authorization: `Bearer ${marker}A`, Cookie: `session=${marker}C` } });
    expect((await request({ path: `${SUPPORT}/refused?token=${marker}T` })).status).toBe(403);
    const access = log('access.log');
    expect(access).toContain(`"uri":"${SUPPORT}/logged/path"`);
    expect(access).not.toContain(marker);
    expect(access).not.toContain('?');
    for (const secret of [CURRENT, PREVIOUS, WRONG]) {
      expect(access).not.toContain(secret);
      expect(log('error.log')).not.toContain(secret);
    }
    for (const line of access.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    // The answered request: weight 1 (a JSON number), with the gateway's status.
    const answered = nginx.accessLines().filter((l) => l.uri === `${SUPPORT}/logged/path`);
    expect(answered.map((l) => ({ status: l.status, upstream_status: l.upstream_status, weight: l.weight }))).toEqual([{ status: '200', upstream_status: '200', weight: 1 }]);
    // Every line logged: weight 1, or REFUSAL_LOG_SAMPLE for a refusal no gateway answered.
    for (const l of nginx.accessLines()) expect(l.weight === 1 || (l.weight === REFUSAL_LOG_SAMPLE && l.upstream_status === '')).toBe(true);
    expect(log('error.log')).not.toContain('limiting requests'); // its request line would carry the query string
  });

  test('error.log has no request line: neither a 413 nor a 502 (gateway down) writes its query string there', async () => {
    const marker = `n${pseudoRandom(12, 8)}`;
    expect((await request({ path: `${SUPPORT}/upload?note=${marker}`, body: Buffer.alloc(MAX_BODY_KIB * 1024 + 1, 0x61) })).status).toBe(413);
    await nginx.stopGateway('ops');
    try {
      expect((await request({ path: `/agents/ops/down?note=${marker}` })).status).toBe(502);
    } finally {
      await nginx.startGateway('ops');
    }
    expect(echoOf(await request({ path: '/agents/ops/' })).gateway).toBe('ops');
    const errors = log('error.log');
    expect(errors).not.toContain(marker);
    expect(errors).not.toMatch(/request: "/); // nginx's request context, "request: \"GET /...?... HTTP/1.1\""
    // The upstream failure shows in the access log instead: path only, always logged (weight 1).
    const down = nginx.accessLines().filter((l) => l.uri === '/agents/ops/down');
    expect(down.map((l) => ({ status: l.status, upstream_status: l.upstream_status, weight: l.weight }))).toEqual([{ status: '502', upstream_status: '502', weight: 1 }]);
    expect(log('access.log')).not.toContain(marker);
  });
});

describe('rotation (boot contract)', () => {
  test('after the map is rewritten with a new value and nginx reloads, the old previous value is refused', async () => {
    const mapFile = path.join(nginx.dir, 'nginx', 'openclaw', ORIGIN_VERIFY_MAP_FILE);
    fs.writeFileSync(mapFile, renderOriginVerifyMap(NEXT, CURRENT), { mode: 0o600 });
    const oldWorkers = nginx.workers();
    nginx.process.kill('SIGHUP'); // what `nginx -s reload` sends
    // The reload is done once the old workers have left (bounded: 5 s).
    for (let i = 0; i < 50 && nginx.workers().some((w) => oldWorkers.includes(w)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(nginx.workers().filter((w) => oldWorkers.includes(w))).toEqual([]);
    expect(nginx.workers().length).toBeGreaterThan(0);
    expect((await request({ verify: PREVIOUS })).status).toBe(403);
    expect((await request({ verify: NEXT })).status).toBe(200);
    expect((await request({ verify: CURRENT })).status).toBe(200);
  });
});

describe('routing: each agent path reaches its own gateway, and only that one', () => {
  // [request target, gateway that must receive it, the URL it must receive]. Pinned exactly.
  const ROUTES: [string, string, string][] = [
    ['/agents/support', 'support', '/agents/support'],
    ['/agents/support/', 'support', '/agents/support/'],
    ['/agents/support?x=1', 'support', '/agents/support?x=1'],
    ['/agents/support/chat/support', 'support', '/agents/support/chat/support'],
    ['/agents/support/control-ui-config.json', 'support', '/agents/support/control-ui-config.json'],
    ['/agents/support/avatar/support?meta=1', 'support', '/agents/support/avatar/support?meta=1'],
    ['/agents/support/share/card.png', 'support', '/agents/support/share/card.png'],
    ['/agents/support/__openclaw__/plugins/control-ui/x/a.js', 'support', '/agents/support/__openclaw__/plugins/control-ui/x/a.js'],
    ['/agents/support/healthz', 'support', '/healthz'],
    ['/agents/support//chat', 'support', '/agents/support//chat'], // same gateway: the raw URI is passed as sent
    ['/agents/support/chat/a%2Fb', 'support', '/agents/support/chat/a%2Fb'],
    ['/agents/ops', 'ops', '/agents/ops'],
    ['/agents/ops/', 'ops', '/agents/ops/'],
    ['/agents/ops/chat/ops', 'ops', '/agents/ops/chat/ops'],
    ['/agents/ops/healthz', 'ops', '/healthz'],
    ['/agents/ops/healthz?x=1', 'ops', '/healthz?x=1'],
  ];

  test.each(ROUTES)('%s reaches %s as %s, and no other gateway', async (target, gateway, url) => {
    const before = receivedNow();
    const reply = await rawRequest(target);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ gateway, url });
    const after = receivedNow();
    expect(after).toEqual({ ...before, [gateway]: [...before[gateway]!, `GET ${url}`] });
  });

  // Paths that name no gateway, or whose raw form and normalized form (what nginx matches
  // locations on) name different gateways: 404 from nginx, no gateway sees them.
  const NO_ROUTE = [
    '/',
    '/healthz',
    '/chat/support',
    '/agents',
    '/agents/',
    '/agents/x/',
    '/agents/opsx/',
    '/agents/ops-2/',
    '/agents/supportx',
    '/AGENTS/support/',
    '/agents/Support/',
    '/__openclaw__/board/agent%3Asupport%3Amain/w/index.html',
    '/v1/chat/completions',
    '/tools/invoke',
    // Traversal and encoded separators between the two gateways' paths.
    '/agents/support/..%2Fops/',
    '/agents/support/..%2fops/healthz',
    '/agents/support/%2e%2e/ops/',
    '/agents/support/%2E%2E%2Fops/',
    '/agents/support/../ops/',
    '/agents/support/./../ops/',
    '/agents/ops%2F..',
    '/agents/ops%2F../support/',
    '/agents/ops%2f..%2fsupport',
    '/agents/support%2F',
    '/agents/support%2Fhealthz',
    '/agents/%73upport/',
    '/agents/ops/..',
    '/agents/ops/../',
    '/x/../agents/support/',
    // Double slashes before the gateway id.
    '//agents/support/',
    '/agents//support/',
    '//agents//ops',
    '/agents///ops/',
  ];

  test.each(NO_ROUTE)('%s: 404 from nginx, no gateway reached', async (target) => {
    const before = receivedNow();
    const reply = await rawRequest(target);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('"gateway"');
    expect(receivedNow()).toEqual(before);
  });

  test.each(['/%2E%2E/agents/ops/', '/../agents/support/', '/agents/../../agents/ops/'])(
    '%s climbs above the root: 400 from nginx\'s request parser, with or without the header, no gateway reached',
    async (target) => {
      const before = receivedNow();
      expect((await rawRequest(target)).status).toBe(400);
      expect((await rawRequest(target, { [header]: '' })).status).toBe(400);
      expect(receivedNow()).toEqual(before);
    },
  );

  test('an absolute-form request target is routed by its path like any other', async () => {
    expect(JSON.parse((await rawRequest('http://agents.example.com/agents/ops/')).body)).toMatchObject({ gateway: 'ops', url: '/agents/ops/' });
    const before = receivedNow();
    expect((await rawRequest('http://agents.example.com/agents/support/..%2Fops/')).status).toBe(404);
    expect(receivedNow()).toEqual(before);
  });

  test.each([...ROUTES.map(([t]) => t), ...NO_ROUTE])('%s without the origin-verify header: 403, no gateway reached', async (target) => {
    const before = receivedNow();
    const noHeader = await rawRequest(target, { [header]: '' });
    expect(noHeader.status).toBe(403);
    expect((await rawRequest(target, { [header]: WRONG })).status).toBe(403);
    expect(receivedNow()).toEqual(before);
  });

  test('the query-credential and Origin refusals apply to every gateway: 403, no gateway reached', async () => {
    const before = receivedNow();
    for (const base of ['/agents/ops', '/agents/support']) {
      expect((await rawRequest(`${base}/?token=abc123`)).status).toBe(403);
      expect((await rawRequest(`${base}/healthz?api_key=abc123`)).status).toBe(403);
      expect((await rawRequest(`${base}/`, { Origin: 'https://evil.example.org' })).status).toBe(403);
    }
    expect(receivedNow()).toEqual(before);
  });

  test('WebSocket upgrades at each base path (where the Control UI opens them) reach that gateway', async () => {
    for (const gateway of ['ops', 'support']) {
      const ws = await websocket({ path: `/agents/${gateway}` });
      expect({ status: ws.status, gateway: ws.gateway, accept: ws.accept === ws.expectedAccept, echoed: ws.echoed }).toEqual({
        status: 101,
        gateway,
        accept: true,
        echoed: 'ping through the tunnel',
      });
    }
    expect((await websocket({ path: '/agents/support/..%2Fops' })).status).toBe(404);
    expect((await websocket({ path: '/' })).status).toBe(404);
  });

  test('one per-viewer rate limit in front of all gateways: a viewer alternating between them is limited after burst + 1', async () => {
    const viewer = '192.0.2.88:5555';
    const statuses: number[] = [];
    for (let i = 0; i < BURST + 6; i++) {
      const { status } = await request({ viewer, path: i % 2 ? '/agents/ops/' : '/agents/support/' });
      statuses.push(status);
      if (status === 429) break;
    }
    expect(statuses.slice(0, BURST + 1)).toEqual(Array(BURST + 1).fill(200));
    expect(statuses).toContain(429);
  });

  test('a gateway that is down gives 502 on its own path; the other keeps answering', async () => {
    await nginx.stopGateway('ops');
    try {
      expect((await request({ path: '/agents/ops/' })).status).toBe(502);
      expect(echoOf(await request({ path: '/agents/support/' })).gateway).toBe('support');
    } finally {
      await nginx.startGateway('ops');
    }
    expect(echoOf(await request({ path: '/agents/ops/' })).gateway).toBe('ops');
  });
});
