import * as http from 'http';
import * as net from 'net';
import {
  HEADER_BUFFER_KIB,
  HEADER_BUFFERS,
  PLAIN_PROXY_TIMEOUT_SECONDS,
  QUERY_CAPABILITY_PARAMS_PASSED,
  QUERY_CREDENTIAL_PARAMS,
  REFUSAL_LOG_SAMPLE,
  renderNginxConfig,
  viewerKeyMapEntries,
  WEBSOCKET_PROXY_TIMEOUT_SECONDS,
} from '../../lib/host/nginx-config';
import { pseudoRandom } from '../support/pseudo-random';
import { exampleConfig } from './support/host-tools';
import { startNginxUnderTest, type Echo, type EdgeOverrides, type NginxUnderTest, type NginxUnderTestOptions, type Reply } from './support/nginx-under-test';

// The limits of the rendered nginx.conf, each proven against the real nginx on loopback in
// front of stand-in gateways (test/host/support/nginx-under-test.ts), one nginx per group of
// tests, with limits small enough to reach in a few requests: per viewer (an IPv4 address or
// the /64 of an IPv6 address) the request rate and the requests in progress; over all viewers
// the request rate, the WebSocket openings and the requests in progress; the plain and the
// WebSocket proxy timeouts; the header size limits; the query-credential refusal; and the
// sampling of refusals in the access log. Every test stops by itself within a few seconds.

const CURRENT = pseudoRandom(48, 201);
const TEST_TIMEOUT = 20_000;
/** Per-viewer and host limits no test of another limit reaches. */
const GENEROUS: EdgeOverrides = {
  rateLimit: { requestsPerSecond: 1000, burst: 10000, connectionsPerViewer: 1000 },
  hostLimit: { requestsPerSecond: 100000, burst: 100000, websocketsPerSecond: 10000, connections: 1000 },
};

/** Starts one nginx for the describe block it is called in, stopped after its last test. */
function nginxFor(options: Omit<NginxUnderTestOptions, 'verify'>): () => NginxUnderTest {
  let nginx: NginxUnderTest | undefined;
  beforeAll(async () => {
    nginx = await startNginxUnderTest({ verify: [CURRENT], ...options });
  }, TEST_TIMEOUT);
  afterAll(async () => {
    await nginx?.stop();
  }, TEST_TIMEOUT);
  return () => nginx!;
}

const statusesOf = (replies: readonly Reply[]) => replies.map((r) => r.status);
const count = (values: readonly number[], v: number) => values.filter((x) => x === v).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The most requests a limit_req of `rate`/s and `burst` lets through in `ms`: burst + 1 at once, one more per 1/rate s after. */
const mostAllowed = (rate: number, burst: number, ms: number) => burst + 1 + Math.floor((ms * rate) / 1000);

// ---------------------------------------------------------------------------------------------
// The viewer key: IPv4 address, or the /64 of an IPv6 address.

/** The RFC 5952 text of eight 16-bit groups: lowercase, no leading zeros, the first longest run of two or more zero groups as `::`. */
function rfc5952(groups: readonly number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLength).join(':')}`;
}

/** Every RFC 4291 text form (without an embedded IPv4 part) of eight groups: no `::`, or `::` for any run of zero groups; groups with or without leading zeros. */
function rfc4291Forms(groups: readonly number[]): string[] {
  const short = groups.map((g) => g.toString(16));
  const padded = short.map((g) => g.padStart(4, '0'));
  const forms = new Set([short.join(':'), padded.join(':')]);
  for (let i = 0; i < 8; i++) {
    for (let j = i + 1; j <= 8 && groups[j - 1] === 0; j++) {
      forms.add(`${short.slice(0, i).join(':')}::${short.slice(j).join(':')}`);
      forms.add(`${padded.slice(0, i).join(':')}::${padded.slice(j).join(':')}`);
    }
  }
  return [...forms];
}

/** mulberry32, as test/support/pseudo-random.ts: the same addresses on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('viewerKeyMapEntries (no nginx): the /64 of any IPv6 text form, and nothing for IPv4', () => {
  // Each entry as nginx reads it: "~*<regex>" "<value with $1..$9>"; nginx takes the first match.
  const entries = viewerKeyMapEntries().map((e) => {
    const m = /^"~\*(.+)" "(.+)";$/.exec(e);
    if (!m) throw new Error(`unexpected map entry ${e}`);
    return { re: new RegExp(m[1]!, 'i'), value: m[2]! };
  });
  const keyOf = (address: string): string | undefined => {
    for (const { re, value } of entries) {
      const m = re.exec(address);
      if (m) return value.replace(/\$(\d)/g, (_, d: string) => m[Number(d)] ?? '');
    }
    return undefined;
  };
  const expectedKey = (groups: readonly number[]) => `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;

  const random = prng(64);
  const group = () => {
    if (random() < 0.45) return 0; // zero runs of every length and place
    const digits = 1 + Math.floor(random() * 4); // 1 to 4 hex digits
    return 1 + Math.floor(random() * (16 ** digits - 1));
  };
  const addresses: number[][] = [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 1],
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
    [0x2001, 0xdb8, 0, 0, 1, 0, 0, 5],
    [0x2001, 0xdb8, 0, 1, 0, 0, 0, 5],
    [0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff],
    ...Array.from({ length: 400 }, () => Array.from({ length: 8 }, group)),
  ];

  test('our RFC 5952 compressor agrees with the WHATWG URL serializer (Node), which implements RFC 5952', () => {
    for (const g of addresses) {
      const full = g.map((x) => x.toString(16)).join(':');
      expect(rfc5952(g)).toBe(new URL(`http://[${full}]/`).hostname.slice(1, -1));
    }
  });

  test(`${addresses.length} IPv6 addresses, RFC 5952 form: the first matching entry gives exactly <g1>:<g2>:<g3>:<g4>::/64`, () => {
    const wrong = addresses.map((g) => [rfc5952(g), keyOf(rfc5952(g)), expectedKey(g)]).filter(([, got, want]) => got !== want);
    expect(wrong).toEqual([]);
  });

  test('every other RFC 4291 text form (:: for any zero run, leading zeros) gives the same key', () => {
    let forms = 0;
    const wrong: string[][] = [];
    for (const g of addresses) {
      for (const form of rfc4291Forms(g)) {
        forms++;
        if (keyOf(form) !== expectedKey(g)) wrong.push([form, String(keyOf(form)), expectedKey(g)]);
      }
    }
    expect(wrong).toEqual([]);
    expect(forms).toBeGreaterThan(addresses.length * 3);
  });

  test('upper-case hex matches too (nginx keeps the letters as sent: CloudFront writes RFC 5952, lowercase)', () => {
    for (const g of addresses.slice(0, 100)) expect(keyOf(rfc5952(g).toUpperCase())?.toLowerCase()).toBe(expectedKey(g));
  });

  test('IPv4 addresses (and IPv4-mapped IPv6 text) match no entry: they stay their own key', () => {
    const byte = () => Math.floor(random() * 256);
    const v4 = Array.from({ length: 300 }, () => [byte(), byte(), byte(), byte()].join('.'));
    expect(v4.filter((a) => keyOf(a) !== undefined)).toEqual([]);
    expect(keyOf('::ffff:192.0.2.1')).toBeUndefined();
    expect(keyOf('10.0.0.1')).toBeUndefined();
  });
});

describe('per viewer: one request rate limit per IPv4 address and per IPv6 /64', () => {
  const BURST = 3;
  const nginx = nginxFor({ edge: { ...GENEROUS, rateLimit: { requestsPerSecond: 1, burst: BURST, connectionsPerViewer: 1000 } } });

  /**
   * Sends one request from each viewer, in order; returns the statuses and the milliseconds it
   * took. At 1 request/s, nginx allows burst + 1 at once and one more per full second after.
   */
  async function fromEach(viewers: readonly string[]): Promise<{ statuses: number[]; ms: number }> {
    const start = Date.now();
    const statuses: number[] = [];
    for (const viewer of viewers) statuses.push((await nginx().request({ viewer })).status);
    return { statuses, ms: Date.now() - start };
  }

  // Ten addresses of 2001:db8:0:1::/64 in different text forms (checked below: RFC 5952 where
  // marked, else another RFC 4291 form), with the port CloudFront appends, some bracketed.
  const SAME_64: [string, 'rfc5952' | 'rfc4291'][] = [
    ['2001:db8:0:1::5', 'rfc5952'],
    ['2001:db8:0:1:a:b:c:d', 'rfc5952'],
    ['2001:db8:0:1:ffff::', 'rfc5952'],
    ['2001:db8:0:1::', 'rfc5952'],
    ['2001:db8:0:1:8::9', 'rfc5952'],
    ['2001:db8:0:1:0:a::', 'rfc5952'],
    ['2001:db8:0:1::b:c', 'rfc5952'],
    ['2001:db8:0:1:1:2:3:4', 'rfc5952'],
    ['2001:db8::1:0:0:0:6', 'rfc4291'], // = 2001:db8:0:1::6
    ['2001:0db8:0000:0001:0000:0000:0000:0007', 'rfc4291'], // = 2001:db8:0:1::7
  ];
  // Each in another /64 than 2001:db8:0:1::/64 (which one, computed by hand, in the comment).
  const OTHER_64 = [
    '2001:db8::1:0:0:5', // 2001:db8:0:0::/64 (the :: stands for groups 3 and 4)
    '2001:db8::5', // 2001:db8:0:0::/64 as well: seen once only here
    '2001:db8:0:2::5', // 2001:db8:0:2::/64
    '2001:db8:0:10::5', // 2001:db8:0:10::/64
    '2001:db8:1:1::5', // 2001:db8:1:1::/64
    '2001:db9:0:1::5', // 2001:db9:0:1::/64
    '2002:db8:0:1::5', // 2002:db8:0:1::/64
  ];

  test('the text forms of the test are what they say (RFC 5952 or not) and all name 2001:db8:0:1::/64', () => {
    for (const [address, form] of SAME_64) {
      const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
      expect({ address, canonical: canonical === address }).toEqual({ address, canonical: form === 'rfc5952' });
      expect(canonical.startsWith('2001:db8:0:1:')).toBe(true);
    }
    expect(new Set(SAME_64.map(([a]) => new URL(`http://[${a}]/`).hostname)).size).toBe(SAME_64.length); // all different addresses
    for (const address of OTHER_64) expect(new URL(`http://[${address}]/`).hostname.startsWith('[2001:db8:0:1:')).toBe(false);
  });

  test(`ten different addresses of one IPv6 /64, in different text forms, share one limit: 429 after burst + 1 (${BURST + 1})`, async () => {
    const viewers = SAME_64.map(([a], i) => (i % 2 ? `[${a}]:${50000 + i}` : `${a}:${50000 + i}`));
    const { statuses, ms } = await fromEach(viewers);
    expect(statuses.slice(0, BURST + 1)).toEqual(Array(BURST + 1).fill(200));
    expect(statuses.slice(BURST + 1)).toContain(429);
    // Whatever the machine's speed: no more passed than the burst and the refill (1/s) allow.
    expect(count(statuses, 200)).toBeLessThanOrEqual(mostAllowed(1, BURST, ms));
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });

  test('addresses in other /64s (neighbours in each of the first four groups) are not limited with it', async () => {
    // Exhaust 2001:db8:0:1::/64 again (it may have refilled meanwhile), then one request from each other /64.
    const exhausted = await fromEach(Array.from({ length: BURST + 2 }, (_, i) => `2001:db8:0:1::${(0x100 + i).toString(16)}:443`));
    expect(exhausted.statuses).toContain(429);
    const others = await fromEach(OTHER_64.map((a) => `${a}:443`));
    // 2001:db8::1:0:0:5 and 2001:db8::5 share 2001:db8:0:0::/64: two requests, within its burst.
    expect(others.statuses).toEqual(OTHER_64.map(() => 200));
  });

  test('IPv4 viewers are keyed per address (the port aside): one address is limited, its neighbour is not', async () => {
    const { statuses, ms } = await fromEach(Array.from({ length: BURST + 4 }, (_, i) => `192.0.2.10:${40000 + i}`));
    expect(statuses.slice(0, BURST + 1)).toEqual(Array(BURST + 1).fill(200));
    expect(count(statuses, 200)).toBeLessThanOrEqual(mostAllowed(1, BURST, ms));
    expect(statuses).toContain(429);
    expect((await fromEach(['192.0.2.11:40000', '192.0.2.9:40000', '192.0.3.10:40000'])).statuses).toEqual([200, 200, 200]);
  });
});

describe('per viewer: requests in progress (edge.rateLimit.connectionsPerViewer)', () => {
  const N = 3;
  const nginx = nginxFor({
    edge: { ...GENEROUS, rateLimit: { requestsPerSecond: 1000, burst: 10000, connectionsPerViewer: N } },
    behaviour: (req) => (req.url?.includes('/hold') ? { kind: 'hold' } : { kind: 'echo' }),
  });
  afterEach(() => nginx().releaseHeld());

  /** N requests of `viewers[i]` held at the gateway (counted by nginx while in progress). */
  async function holdFrom(viewers: readonly string[]): Promise<Promise<Reply>[]> {
    const pending = viewers.map((viewer, i) => nginx().request({ viewer, path: `/agents/support/hold/${i}`, timeoutMs: 10_000 }));
    await nginx().waitForHeld(viewers.length);
    return pending;
  }

  test(`the ${N + 1}th request in progress of one IPv4 viewer gets 429; another viewer gets through`, async () => {
    const held = await holdFrom(Array.from({ length: N }, (_, i) => `192.0.2.20:${41000 + i}`));
    const before = nginx().receivedNow();
    expect((await nginx().request({ viewer: '192.0.2.20:41999', path: '/agents/support/hold/extra', timeoutMs: 3_000 })).status).toBe(429);
    expect(nginx().receivedNow()).toEqual(before); // refused by nginx, never reached the gateway
    expect((await nginx().request({ viewer: '192.0.2.21:41000', timeoutMs: 3_000 })).status).toBe(200);
    nginx().releaseHeld();
    expect(statusesOf(await Promise.all(held))).toEqual(Array(N).fill(200));
    expect((await nginx().request({ viewer: '192.0.2.20:42000', timeoutMs: 3_000 })).status).toBe(200); // freed again
  });

  test(`one IPv6 /64 is one viewer: ${N} addresses of it hold ${N} requests, a ${N + 1}th address of it gets 429, the next /64 does not`, async () => {
    const held = await holdFrom(['2001:db8:0:7::1:443', '[2001:db8:0:7:a:b:c:d]:443', '2001:db8::7:0:0:0:3:443']);
    expect((await nginx().request({ viewer: '2001:db8:0:7:ffff:::443', timeoutMs: 3_000 })).status).toBe(429);
    expect((await nginx().request({ viewer: '2001:db8:0:8::1:443', timeoutMs: 3_000 })).status).toBe(200);
    nginx().releaseHeld();
    expect(statusesOf(await Promise.all(held))).toEqual(Array(N).fill(200));
  });

  test(`each open WebSocket is one: ${N} open WebSockets of a viewer, then its next request gets 429 until one closes`, async () => {
    const viewer = (port: number) => `192.0.2.30:${port}`;
    const opened = [];
    for (let i = 0; i < N; i++) opened.push(await nginx().openWebSocket({ viewer: viewer(43000 + i) }));
    try {
      expect(opened.map((o) => o.status)).toEqual(Array(N).fill(101));
      expect((await nginx().request({ viewer: viewer(43100), timeoutMs: 3_000 })).status).toBe(429);
      expect((await nginx().websocket({ viewer: viewer(43101) })).status).toBe(429);
    } finally {
      opened.forEach((o) => o.socket?.destroy());
    }
    // nginx frees the slot once it sees the tunnel close (bounded: 3 s).
    let status = 0;
    for (let i = 0; i < 30 && status !== 200; i++) {
      status = (await nginx().request({ viewer: viewer(43200 + i), timeoutMs: 3_000 })).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });
});

describe('over all viewers: request rate (edge.hostLimit.requestsPerSecond, burst)', () => {
  const RATE = 10;
  const BURST = 5;
  const nginx = nginxFor({ edge: { ...GENEROUS, hostLimit: { requestsPerSecond: RATE, burst: BURST, websocketsPerSecond: 10000, connections: 1000 } } });

  test(`30 requests at once from 30 different viewers: burst + 1 (${BURST + 1}) pass, the rest get 429`, async () => {
    const start = Date.now();
    const statuses = statusesOf(await Promise.all(Array.from({ length: 30 }, () => nginx().request({ timeoutMs: 5_000 }))));
    const ms = Date.now() - start;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(count(statuses, 200)).toBeGreaterThanOrEqual(BURST + 1);
    // Whatever the machine's speed: no more passed than the burst and the refill allow (+ 2: nginx
    // counts the time between requests on two workers' cached clocks, which may differ by a few ms).
    expect(count(statuses, 200)).toBeLessThanOrEqual(mostAllowed(RATE, BURST, ms) + 2);
  });
});

describe('over all viewers: WebSocket openings (edge.hostLimit.websocketsPerSecond) and requests in progress (edge.hostLimit.connections)', () => {
  const WEBSOCKETS = 3;
  const CONNECTIONS = 16; // the schema's minimum
  const nginx = nginxFor({
    edge: { ...GENEROUS, hostLimit: { requestsPerSecond: 100000, burst: 100000, websocketsPerSecond: WEBSOCKETS, connections: CONNECTIONS } },
    behaviour: (req) => (req.url?.includes('/hold') ? { kind: 'hold' } : { kind: 'echo' }),
  });
  afterEach(() => nginx().releaseHeld());

  test(`the ${CONNECTIONS + 1}th request in progress, from yet another viewer, gets 429; once they finish, requests pass again`, async () => {
    const held = Array.from({ length: CONNECTIONS }, (_, i) => nginx().request({ path: `/agents/support/hold/${i}`, timeoutMs: 10_000 }));
    await nginx().waitForHeld(CONNECTIONS);
    const before = nginx().receivedNow();
    expect((await nginx().request({ timeoutMs: 3_000 })).status).toBe(429);
    expect((await nginx().request({ path: '/agents/ops/', timeoutMs: 3_000 })).status).toBe(429); // every gateway: one host limit
    expect(nginx().receivedNow()).toEqual(before);
    nginx().releaseHeld();
    expect(statusesOf(await Promise.all(held))).toEqual(Array(CONNECTIONS).fill(200));
    expect((await nginx().request({ timeoutMs: 3_000 })).status).toBe(200);
  });

  test(`WebSocket openings from different viewers: ${WEBSOCKETS} + 1 pass, then 429; plain requests still pass`, async () => {
    const start = Date.now();
    const opened: number[] = [];
    for (let i = 0; i < WEBSOCKETS + 6; i++) opened.push((await nginx().websocket()).status); // each from a fresh viewer, closed at once
    const ms = Date.now() - start;
    expect(opened.slice(0, WEBSOCKETS + 1)).toEqual(Array(WEBSOCKETS + 1).fill(101));
    expect(opened.slice(WEBSOCKETS + 1)).toContain(429);
    expect(opened.filter((s) => s !== 101 && s !== 429)).toEqual([]);
    expect(count(opened, 101)).toBeLessThanOrEqual(mostAllowed(WEBSOCKETS, WEBSOCKETS, ms));
    // Plain requests (no Upgrade) are not WebSocket openings: they pass, on both gateways.
    const plain = await Promise.all(Array.from({ length: 10 }, (_, i) => nginx().request({ path: i % 2 ? '/agents/ops/' : '/agents/support/' })));
    expect(statusesOf(plain)).toEqual(Array(10).fill(200));
  });
});

// ---------------------------------------------------------------------------------------------
// Timeouts: plain requests PLAIN_PROXY_TIMEOUT_SECONDS, WebSockets WEBSOCKET_PROXY_TIMEOUT_SECONDS.

/** The rendered nginx.conf of a config with two gateways (ops, support), default paths. */
const renderedExample = (): string => renderNginxConfig(exampleConfig('dev'));

/** Replaces each `from` by `to`, failing unless it occurs exactly `times` times. */
function replaceExactly(text: string, from: string, to: string, times: number): string {
  const parts = text.split(from);
  if (parts.length - 1 !== times) throw new Error(`expected ${times} x ${JSON.stringify(from)} in nginx.conf, found ${parts.length - 1}`);
  return parts.join(to);
}

const TEST_PLAIN_S = 2;
const TEST_WEBSOCKET_S = 30;
/**
 * The rendered nginx.conf with the timeouts made testable: the plain one (60 s, once, in the
 * server block) becomes TEST_PLAIN_S, the WebSocket one (3600 s, once per gateway, in its named
 * location) TEST_WEBSOCKET_S. Only these four kinds of line change; the split itself (which
 * request gets which) is the rendered one.
 */
function withTestTimeouts(conf: string, gateways: number): string {
  let out = conf;
  for (const d of ['proxy_read_timeout', 'proxy_send_timeout']) {
    out = replaceExactly(out, `${d} ${PLAIN_PROXY_TIMEOUT_SECONDS}s;`, `${d} ${TEST_PLAIN_S}s;`, 1);
    out = replaceExactly(out, `${d} ${WEBSOCKET_PROXY_TIMEOUT_SECONDS}s;`, `${d} ${TEST_WEBSOCKET_S}s;`, gateways);
  }
  return out;
}

const TEST_CLIENT_S = 1;
/** The rendered client_header_timeout and client_body_timeout (10 s, once each) made TEST_CLIENT_S. */
function withTestClientTimeouts(conf: string): string {
  let out = conf;
  for (const d of ['client_header_timeout', 'client_body_timeout']) out = replaceExactly(out, `    ${d} 10s;\n`, `    ${d} ${TEST_CLIENT_S}s;\n`, 1);
  return out;
}

/** Writes `bytes` on a raw connection to nginx and waits (at most `maxMs`) for nginx to close it; resolves with when, and what it sent. */
function closedByNginx(port: number, bytes: string, maxMs: number): Promise<{ seconds: number; data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ seconds: (Date.now() - started) / 1000, data, closed: false });
    }, maxMs);
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ seconds: (Date.now() - started) / 1000, data, closed: true });
    });
    socket.write(bytes);
  });
}

/** The text of the nginx block opened by `opening` (a line ending in `{`), up to its closing brace. */
function block(conf: string, opening: string): string {
  const at = conf.indexOf(opening);
  if (at < 0) throw new Error(`no block ${opening}`);
  let depth = 0;
  for (let i = at; i < conf.length; i++) {
    if (conf[i] === '{') depth++;
    if (conf[i] === '}' && --depth === 0) return conf.slice(at, i + 1);
  }
  throw new Error(`unclosed block ${opening}`);
}

describe('timeouts', () => {
  test(`structure: ${PLAIN_PROXY_TIMEOUT_SECONDS} s for plain requests in the server block; ${WEBSOCKET_PROXY_TIMEOUT_SECONDS} s in each gateway's WebSocket location, where both its paths hand openings`, () => {
    expect(PLAIN_PROXY_TIMEOUT_SECONDS).toBe(55);
    expect(WEBSOCKET_PROXY_TIMEOUT_SECONDS).toBe(3600);
    const conf = renderedExample();
    const server = block(conf, 'server {');
    const beforeLocations = server.slice(0, server.indexOf('\n        location '));
    for (const d of ['proxy_read_timeout', 'proxy_send_timeout']) {
      expect(conf.split(`${d} `).length - 1).toBe(3); // server block + one WebSocket location per gateway
      expect(beforeLocations).toContain(`        ${d} ${PLAIN_PROXY_TIMEOUT_SECONDS}s;\n`);
    }
    expect(conf).toMatch(/map \$http_upgrade \$websocket_opening \{\n\s+default 0;\n\s+"~\*\^websocket\$" 1;\n\s+\}/);
    for (const gateway of ['ops', 'support']) {
      const named = block(conf, `location @websocket_${gateway} {`);
      expect(named).toContain(`proxy_read_timeout ${WEBSOCKET_PROXY_TIMEOUT_SECONDS}s;`);
      expect(named).toContain(`proxy_send_timeout ${WEBSOCKET_PROXY_TIMEOUT_SECONDS}s;`);
      expect(named).toContain(`proxy_pass http://openclaw_gateway_${gateway};`);
      for (const opening of [`location = /agents/${gateway} {`, `location ^~ /agents/${gateway}/ {`]) {
        const location = block(conf, opening);
        expect(location).toContain(`error_page 418 = @websocket_${gateway};`);
        expect(location).toMatch(/if \(\$websocket_opening\) \{\s+return 418;\s+\}/);
        expect(location).not.toContain('_timeout');
      }
      expect(block(conf, `location = /agents/${gateway}/healthz {`)).not.toContain('_timeout');
    }
  });

  describe(`real nginx, timeouts substituted (proxy ${PLAIN_PROXY_TIMEOUT_SECONDS} s -> ${TEST_PLAIN_S} s, ${WEBSOCKET_PROXY_TIMEOUT_SECONDS} s -> ${TEST_WEBSOCKET_S} s; client 10 s -> ${TEST_CLIENT_S} s), a gateway that never answers a plain request (but /slow, after 1 s)`, () => {
    const nginx = nginxFor({ edge: GENEROUS, behaviour: (req) => (req.url?.includes('/slow') ? { kind: 'delay', ms: 1000 } : { kind: 'hang' }), transformConf: (conf) => withTestClientTimeouts(withTestTimeouts(conf, 2)) });

    test(`a plain GET gets 504 after the plain timeout (~${TEST_PLAIN_S} s), while a WebSocket on the same path stays open past it and still echoes`, async () => {
      const started = Date.now();
      const plain = Promise.all(
        ['/agents/support', '/agents/support/chat'].map(async (path) => {
          const reply = await nginx().request({ path, timeoutMs: 10_000 });
          return { path, status: reply.status, seconds: (Date.now() - started) / 1000 };
        }),
      );
      const tunnels = await Promise.all(['/agents/support', '/agents/support/chat'].map((path) => nginx().openWebSocket({ path })));
      try {
        expect(tunnels.map((t) => t.status)).toEqual([101, 101]);
        for (const p of await plain) {
          expect({ path: p.path, status: p.status }).toEqual({ path: p.path, status: 504 });
          expect(p.seconds).toBeGreaterThanOrEqual(TEST_PLAIN_S - 0.2);
          expect(p.seconds).toBeLessThan(TEST_PLAIN_S + 3);
        }
        // Idle both ways for longer than the plain timeout (+1 s), then bytes still flow.
        await sleep((TEST_PLAIN_S + 1) * 1000 - (Date.now() - started));
        const echoes = await Promise.all(
          tunnels.map(
            (t, i) =>
              new Promise<string>((resolve) => {
                const s = t.socket!;
                if (s.readyState !== 'open') return resolve('(closed)');
                const timer = setTimeout(() => resolve('(no echo within 3 s)'), 3_000);
                s.once('data', (d: Buffer) => {
                  clearTimeout(timer);
                  resolve(d.toString());
                });
                s.once('close', () => {
                  clearTimeout(timer);
                  resolve('(closed)');
                });
                s.on('error', () => undefined);
                s.write(`still open ${i}`);
              }),
          ),
        );
        expect((Date.now() - started) / 1000).toBeGreaterThan(TEST_PLAIN_S + 0.9);
        expect(echoes).toEqual(['still open 0', 'still open 1']);
      } finally {
        tunnels.forEach((t) => t.socket?.destroy());
      }
      // The timed-out requests are logged, always (a gateway's failure, weight 1).
      const timedOut = nginx().accessLines().filter((l) => l.status === '504');
      expect(timedOut.map((l) => [l.upstream_status, l.weight])).toEqual([
        ['504', 1],
        ['504', 1],
      ]);
    }, TEST_TIMEOUT);

    test(`a gateway answering within the plain timeout (after 1 s) is not cut off`, async () => {
      const started = Date.now();
      const reply = await nginx().request({ path: '/agents/support/slow', timeoutMs: 10_000 });
      expect(reply.status).toBe(200);
      expect((Date.now() - started) / 1000).toBeGreaterThanOrEqual(0.9);
    });

    test(`client_header_timeout (10 s, here ${TEST_CLIENT_S} s): a client that stops mid-header is cut off; no gateway sees it`, async () => {
      const before = nginx().receivedNow();
      const slow = await closedByNginx(nginx().config.edge.proxyPort, `GET /agents/support/ HTTP/1.1\r\nHost: agents.example.com\r\n${nginx().header}: ${CURRENT}\r\nX-Slow: `, 6_000);
      expect(slow.closed).toBe(true);
      expect(slow.seconds).toBeGreaterThanOrEqual(TEST_CLIENT_S - 0.2);
      expect(slow.seconds).toBeLessThan(TEST_CLIENT_S + 3);
      expect(slow.data).not.toContain('"gateway"');
      expect(nginx().receivedNow()).toEqual(before);
    });

    test(`client_body_timeout (10 s, here ${TEST_CLIENT_S} s): a body that pauses longer is cut off (408 or close); no gateway sees it`, async () => {
      const before = nginx().receivedNow();
      const head = [`POST /agents/support/upload HTTP/1.1`, 'Host: agents.example.com', `${nginx().header}: ${CURRENT}`, `CloudFront-Viewer-Address: ${nginx().nextViewer()}`, 'Content-Length: 100', '', ''].join('\r\n');
      const slow = await closedByNginx(nginx().config.edge.proxyPort, `${head}${'b'.repeat(10)}`, 6_000);
      expect(slow.closed).toBe(true);
      expect(slow.seconds).toBeGreaterThanOrEqual(TEST_CLIENT_S - 0.2);
      expect(slow.seconds).toBeLessThan(TEST_CLIENT_S + 3);
      expect(slow.data === '' || slow.data.startsWith('HTTP/1.1 408')).toBe(true);
      expect(nginx().receivedNow()).toEqual(before);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Headers and the query string.

describe('request headers and query parameters', () => {
  const nginx = nginxFor({ edge: GENEROUS });
  const pad = (n: number, bytes: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-Pad-${i}`, 'h'.repeat(bytes)]));
  const echoOf = (reply: Reply): Echo => {
    expect(reply.status).toBe(200);
    return JSON.parse(reply.body) as Echo;
  };

  test('the limits rendered: one line at most 4 KiB, all of them within 3 x 4 KiB + 1 KiB (the gateway refuses above 16 KiB)', () => {
    expect([HEADER_BUFFERS, HEADER_BUFFER_KIB]).toEqual([3, 4]);
    const conf = renderedExample();
    expect(conf).toContain('    client_header_buffer_size 1k;\n');
    expect(conf).toContain('    large_client_header_buffers 3 4k;\n');
    expect(conf).toContain('    client_header_timeout 10s;\n');
    expect(conf).toContain('    client_body_timeout 10s;\n');
  });

  test('~8 KiB of headers (8 x 1000 bytes), and one 4000-byte header line, reach the gateway whole', async () => {
    const eight = echoOf(await nginx().request({ headers: pad(8, 1000) }));
    for (let i = 0; i < 8; i++) expect(eight.headers[`x-pad-${i}`]).toHaveLength(1000);
    expect(echoOf(await nginx().request({ headers: { 'X-Big': 'b'.repeat(4000) } })).headers['x-big']).toHaveLength(4000);
  });

  test.each([
    ['14 KiB of headers (14 x 1000 bytes)', pad(14, 1000)],
    ['13 KiB of headers (26 x 500 bytes)', pad(26, 500)],
    ['one header line over 4 KiB (4200 bytes)', { 'X-Big': 'b'.repeat(4200) }],
  ])('%s: 400 from nginx, the gateway never sees it', async (_what, headers) => {
    const before = nginx().receivedNow();
    const reply = await nginx().request({ headers });
    expect(reply.status).toBe(400);
    expect(reply.body).not.toContain('"gateway"');
    expect(nginx().receivedNow()).toEqual(before);
  });

  /** Spellings of a parameter name nginx must refuse: any case, any character percent-encoded (either hex case), `name[...]`. */
  const spellings = (name: string): string[] => {
    const pct = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    const mixed = [...name].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
    return [
      name,
      name.toUpperCase(),
      mixed,
      `${pct(name[0]!)}${name.slice(1)}`, // %74oken
      `${pct(name[0]!.toUpperCase()).toUpperCase()}${name.slice(1)}`, // %54oken
      [...name].map(pct).join(''), // every character encoded
      [...name].map((c) => pct(c).toUpperCase()).join(''),
      `${name.slice(0, -1)}${pct(name.slice(-1).toUpperCase())}`, // the last one, upper case, encoded
      `${name}[]`,
      `${name}%5B0%5D`,
    ];
  };

  test('the refused names include at least these (a name dropped from the list would drop its test below too)', () => {
    const required = ['token', 'access_token', 'id_token', 'refresh_token', 'auth_token', 'api_key', 'api-key', 'apikey', 'key', 'password', 'secret', 'client_secret'];
    const alsoRequired = ['auth', 'authorization', 'bearer', 'jwt', 'ticket', 'sig', 'signature', 'code'];
    expect([...required, ...alsoRequired].filter((n) => !(QUERY_CREDENTIAL_PARAMS as readonly string[]).includes(n))).toEqual([]);
  });

  test.each([...QUERY_CREDENTIAL_PARAMS])('?%s=... in any spelling, first or later parameter: 403, the gateway never sees it', async (name) => {
    const before = nginx().receivedNow();
    const statuses: Record<string, number> = {};
    for (const spelled of spellings(name)) {
      for (const query of [`${spelled}=abc123`, `session=1&${spelled}=abc123`, `a=1;${spelled}=x`]) {
        statuses[query] = (await nginx().request({ path: `/agents/support/chat?${query}` })).status;
      }
    }
    expect(Object.entries(statuses).filter(([, s]) => s !== 403)).toEqual([]);
    expect(nginx().receivedNow()).toEqual(before);
  });

  test(`${QUERY_CAPABILITY_PARAMS_PASSED.join(', ')} passes to the gateway unchanged (the Control UI's image URLs)`, async () => {
    expect([...QUERY_CAPABILITY_PARAMS_PASSED]).toEqual(['mediaTicket']);
    for (const url of [
      '/agents/support/media/inline/a1.png?mediaTicket=v1.eyJhIjoxfQ.c2ln-_~x',
      '/agents/support/media/inline/a1.png?w=64&mediaTicket=v1.abc%2Bdef',
      '/agents/ops/media/a.png?mediaTicket=x',
    ]) {
      expect(echoOf(await nginx().request({ path: url })).url).toBe(url);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The access log: refusals sampled, answers always logged.

describe(`access log: refusals nginx answers itself are sampled (1 in ${REFUSAL_LOG_SAMPLE}, weight ${REFUSAL_LOG_SAMPLE}), every answer of a gateway is logged`, () => {
  const nginx = nginxFor({ edge: GENEROUS, behaviour: (req) => (req.url?.includes('/gateway-403/') ? { kind: 'status', status: 403 } : { kind: 'echo' }) });

  /** The access log's size once nginx has written the lines of answered requests (it writes after answering). */
  async function settledSize(): Promise<number> {
    let size = -1;
    for (let i = 0; i < 20; i++) {
      await sleep(50);
      const now = Buffer.byteLength(nginx().log('access.log'));
      if (now === size) return size;
      size = now;
    }
    return size;
  }

  test('3000 refused requests (403: no origin-verify header): ~300 lines of weight 10, under 60 bytes of log per refusal', async () => {
    const REFUSED = 3000;
    const sizeBefore = await settledSize();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    try {
      const statuses = statusesOf(await Promise.all(Array.from({ length: REFUSED }, () => nginx().request({ path: '/agents/support/flood', verify: null, agent }))));
      expect(count(statuses, 403)).toBe(REFUSED);
    } finally {
      agent.destroy();
    }
    const bytes = (await settledSize()) - sizeBefore;
    const lines = nginx()
      .accessLines()
      .filter((l) => l.uri === '/agents/support/flood');
    // Binomial(3000, 0.1): mean 300, standard deviation 16.4. [150, 450] is 9 standard deviations
    // either side; the chance of a correct nginx falling outside (Chernoff) is below 1e-15.
    expect(lines.length).toBeGreaterThanOrEqual(150);
    expect(lines.length).toBeLessThanOrEqual(450);
    expect(lines.filter((l) => !(l.status === '403' && l.upstream_status === '' && l.weight === REFUSAL_LOG_SAMPLE))).toEqual([]);
    const weights = lines.reduce((sum, l) => sum + l.weight, 0);
    expect(weights).toBeGreaterThanOrEqual(REFUSED / 2);
    expect(weights).toBeLessThanOrEqual(REFUSED * 1.5);
    // A line is ~380 bytes: logged every time, that would be ~380 bytes per refusal.
    expect(bytes / lines.length).toBeGreaterThan(300);
    expect(bytes / REFUSED).toBeLessThan(60);
  }, TEST_TIMEOUT);

  test('200 answered requests: every one logged, weight 1, with the upstream status', async () => {
    const statuses = statusesOf(await Promise.all(Array.from({ length: 200 }, (_, i) => nginx().request({ path: `/agents/support/answered/${i}` }))));
    expect(count(statuses, 200)).toBe(200);
    await settledSize();
    const lines = nginx()
      .accessLines()
      .filter((l) => l.uri.startsWith('/agents/support/answered/'));
    expect(new Set(lines.map((l) => l.uri)).size).toBe(200);
    expect(lines.filter((l) => !(l.status === '200' && l.upstream_status === '200' && l.weight === 1))).toEqual([]);
  });

  test('a 403 answered by the gateway itself is always logged, weight 1 (only refusals of nginx are sampled)', async () => {
    const statuses = statusesOf(await Promise.all(Array.from({ length: 100 }, (_, i) => nginx().request({ path: `/agents/support/gateway-403/${i}` }))));
    expect(count(statuses, 403)).toBe(100);
    await settledSize();
    const lines = nginx()
      .accessLines()
      .filter((l) => l.uri.startsWith('/agents/support/gateway-403/'));
    expect(new Set(lines.map((l) => l.uri)).size).toBe(100);
    expect(lines.filter((l) => !(l.status === '403' && l.upstream_status === '403' && l.weight === 1))).toEqual([]);
  });
});
