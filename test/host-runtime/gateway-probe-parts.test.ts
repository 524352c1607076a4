import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_SLOW_MS, type Options } from '../../host/gateway-probe/args';
import { channelReports, CRASH_LOOP_SUPPRESSED } from '../../host/gateway-probe/checks';
import type { SocketFactory, SocketLike } from '../../host/gateway-probe/client';
import { IdentityError, loadOrCreateIdentity, signConnect } from '../../host/gateway-probe/identity';
import { tempDir } from '../host/support/host-tools';
import { boundedProbe } from './support/bounded-probe';

// One moment the tests cannot time for real: another run linking its identity into place
// between this run's look and its own link. `beforeLink` runs once, just before the next link.
let beforeLink: ((to: string) => void) | undefined;
jest.mock('fs', () => {
  const actual = jest.requireActual<typeof fs>('fs');
  return {
    ...actual,
    linkSync: (from: fs.PathLike, to: fs.PathLike) => {
      const hook = beforeLink;
      beforeLink = undefined;
      hook?.(String(to));
      actual.linkSync(from, to);
    },
  };
});

// The parts of gateway-probe.js (host/gateway-probe/) in the jest process: the identity file,
// the connect signature, the channel mapping, and the probe's conversation with a scripted
// gateway (an injected WebSocket; Node 20 has none). The real gateway: test/openclaw/gateway-probe-*.test.ts.

let dir: string;

// Every case here ends within a few seconds; one that hangs (a mutant that loses the probe's own
// timeout, a regression) fails at 10 s instead of running into the project's 60 s test timeout.
jest.setTimeout(10_000);
beforeEach(() => (dir = tempDir('probe-parts-')));
afterEach(() => {
  beforeLink = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('identity', () => {
  test('made on first use, 0600 whatever the umask, the device id the SHA-256 of the raw public key; the same identity after', () => {
    const file = path.join(dir, 'support.json');
    const old = process.umask(0);
    let made;
    try {
      made = loadOrCreateIdentity(file);
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const raw = Buffer.from(made.publicKey, 'base64url');
    expect(raw).toHaveLength(32);
    expect(made.id).toBe(crypto.createHash('sha256').update(raw).digest('hex'));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1, deviceId: made.id, publicKey: made.publicKey, privateKey: expect.stringContaining('BEGIN PRIVATE KEY') });
    const again = loadOrCreateIdentity(file);
    expect([again.id, again.publicKey]).toEqual([made.id, made.publicKey]);
    expect(fs.readdirSync(dir)).toEqual(['support.json']); // no temporary file left
  });

  test('a file readable by group or others is refused, not replaced', () => {
    const file = path.join(dir, 'support.json');
    loadOrCreateIdentity(file);
    const before = fs.readFileSync(file, 'utf8');
    fs.chmodSync(file, 0o640);
    expect(() => loadOrCreateIdentity(file)).toThrow(new IdentityError(`probe identity ${file} is readable by group or others (mode 0640): refused`));
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('a file whose device id does not match its key, or that holds no key, is refused', () => {
    const file = path.join(dir, 'support.json');
    loadOrCreateIdentity(file);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    fs.writeFileSync(file, JSON.stringify({ ...doc, deviceId: '0'.repeat(64) }));
    expect(() => loadOrCreateIdentity(file)).toThrow(/does not match its private key/);
    fs.writeFileSync(file, 'not json');
    expect(() => loadOrCreateIdentity(file)).toThrow(/is not an Ed25519 identity/);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.writeFileSync(file, JSON.stringify({ ...doc, privateKey: rsa }));
    expect(() => loadOrCreateIdentity(file)).toThrow(/is not an Ed25519 identity: a rsa key/);
  });

  test('a folder that does not exist: an IdentityError naming the file', () => {
    const file = path.join(dir, 'missing', 'support.json');
    expect(() => loadOrCreateIdentity(file)).toThrow(new RegExp(`^probe identity ${file} could not be created: ENOENT`));
  });

  test('exactly 0600 even under a umask that would take the owner\'s write bit', () => {
    const file = path.join(dir, 'support.json');
    const old = process.umask(0o277);
    try {
      loadOrCreateIdentity(file);
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test('no file descriptor is left open by creating or loading the identity', () => {
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    const file = path.join(dir, 'support.json');
    loadOrCreateIdentity(file);
    loadOrCreateIdentity(file);
    expect(fds()).toBe(before);
  });

  test('a public key that does not match the private key is refused too', () => {
    const file = path.join(dir, 'support.json');
    loadOrCreateIdentity(file);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    const other = crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64url');
    fs.writeFileSync(file, JSON.stringify({ ...doc, publicKey: other }));
    expect(() => loadOrCreateIdentity(file)).toThrow(new IdentityError(`probe identity ${file}: its device id or public key does not match its private key`));
  });

  test('a folder in the identity\'s place is refused, not replaced; a path through a file is an IdentityError naming the file', () => {
    const file = path.join(dir, 'support.json');
    fs.mkdirSync(file);
    expect(() => loadOrCreateIdentity(file)).toThrow(new IdentityError(`probe identity ${file} is not a regular file`));
    expect(fs.statSync(file).isDirectory()).toBe(true);
    fs.writeFileSync(path.join(dir, 'plain'), '');
    const through = path.join(dir, 'plain', 'support.json');
    let thrown: unknown;
    try {
      loadOrCreateIdentity(through);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(IdentityError);
    expect((thrown as Error).message).toMatch(new RegExp(`^probe identity ${through}: ENOTDIR`));
  });

  test('another run that creates the file first wins: its identity is used, and no temporary file is left', () => {
    const file = path.join(dir, 'support.json');
    const theirs = path.join(dir, 'theirs', 'support.json');
    fs.mkdirSync(path.dirname(theirs));
    const winner = loadOrCreateIdentity(theirs);
    // The other run links its file into place just before this one does.
    beforeLink = (to) => fs.copyFileSync(theirs, to);
    const got = loadOrCreateIdentity(file);
    expect(beforeLink).toBeUndefined();
    expect([got.id, got.publicKey]).toEqual([winner.id, winner.publicKey]);
    expect(fs.readdirSync(dir).sort()).toEqual(['support.json', 'theirs']);
  });

  test('another run wins, but its file is gone when read (a dangling link there): one retry, then an IdentityError, never an endless retry', () => {
    const file = path.join(dir, 'support.json');
    let links = 0;
    // Each time this run links, the name is taken (a link to a file that is gone): EEXIST, then ENOENT on reading it.
    const racing = (to: string) => {
      links++;
      if (!fs.existsSync(to) && links === 1) fs.symlinkSync(path.join(dir, 'gone.json'), to);
      beforeLink = racing;
    };
    beforeLink = racing;
    let thrown: unknown;
    try {
      loadOrCreateIdentity(file);
    } catch (e) {
      thrown = e;
    } finally {
      beforeLink = undefined;
    }
    expect(thrown).toBeInstanceOf(IdentityError);
    expect((thrown as Error).message).toMatch(new RegExp(`^probe identity ${file} could not be created: EEXIST`));
    expect(links).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['support.json']); // no temporary file left
  });

  test('the connect signature is Ed25519 over payload v3 (OpenClaw buildDeviceAuthPayloadV3)', () => {
    const id = loadOrCreateIdentity(path.join(dir, 'support.json'));
    const sig = signConnect(id, { clientId: 'openclaw-probe', clientMode: 'probe', role: 'operator', scopes: ['operator.read', 'operator.write'], signedAtMs: 1234, token: 'tok', nonce: 'n1', platform: 'linux' });
    const payload = `v3|${id.id}|openclaw-probe|probe|operator|operator.read,operator.write|1234|tok|n1|linux|`;
    const pub = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(id.publicKey, 'base64url')]), format: 'der', type: 'spki' });
    expect(crypto.verify(null, Buffer.from(payload), pub, Buffer.from(sig, 'base64url'))).toBe(true);
  });
});

describe('channel reports', () => {
  const payload = {
    channelAccounts: {
      telegram: [
        { accountId: 'work', running: false, lastError: `${CRASH_LOOP_SUPPRESSED}: 3 unclean boot(s) within 300000ms; suppressing` },
        { accountId: 'default', running: true, lastError: null },
      ],
      discord: [{ accountId: 'default', running: false, lastError: 'fetch failed' }],
      slack: [{ accountId: 'default', running: false, lastError: '' }],
    },
  };

  test('running, stopped with the gateway\'s reason, suppressed by the crash-loop breaker; sorted by channel and account', () => {
    expect(channelReports(payload)).toEqual([
      { channel: 'discord', account: 'default', running: false, state: 'stopped', reason: 'fetch failed' },
      { channel: 'slack', account: 'default', running: false, state: 'stopped', reason: null },
      { channel: 'telegram', account: 'default', running: true, state: 'running', reason: null },
      { channel: 'telegram', account: 'work', running: false, state: 'suppressed', reason: `${CRASH_LOOP_SUPPRESSED}: 3 unclean boot(s) within 300000ms; suppressing` },
    ]);
  });

  test('the accounts of a channel in account order, whatever order the gateway lists them in', () => {
    const ids = ['zulu', 'mike', 'alpha', 'work', 'default', 'bravo'];
    const reports = channelReports({ channelAccounts: { telegram: ids.map((accountId) => ({ accountId, running: true })) } });
    expect(reports.map((r) => r.account)).toEqual(['alpha', 'bravo', 'default', 'mike', 'work', 'zulu']);
  });

  test('with bindings: only the bound channels; a bound channel the gateway does not report is "missing"', () => {
    expect(channelReports(payload, [{ agent: 'support', channel: 'discord' }, { agent: 'support', channel: 'whatsapp' }])).toEqual([
      { channel: 'discord', account: 'default', running: false, state: 'stopped', reason: 'fetch failed' },
      { channel: 'whatsapp', account: '*', running: false, state: 'missing', reason: 'the gateway reports no whatsapp account (channels.status)' },
    ]);
    expect(channelReports(undefined, [])).toEqual([]);
  });
});

/** A scripted gateway behind an injected WebSocket: `answer` gets each request and returns the res frame's fields, or 'close'. */
function scriptedGateway(answer: (method: string, params: Record<string, unknown>, socketIndex: number) => { ok: boolean; payload?: unknown; error?: unknown; afterMs?: number } | 'close' | 'hang') {
  const requests: { socket: number; method: string; params: Record<string, unknown> }[] = [];
  const closed = new Set<number>();
  let sockets = 0;
  const factory: SocketFactory = () => {
    const index = sockets++;
    const s: SocketLike = {
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send(data: string) {
        const f = JSON.parse(data) as { id: string; method: string; params: Record<string, unknown> };
        requests.push({ socket: index, method: f.method, params: f.params });
        const a = answer(f.method, f.params, index);
        if (a === 'hang') return;
        if (a === 'close') setImmediate(() => s.onclose?.({ code: 1000, reason: '' }));
        else {
          const { afterMs, ...frame } = a;
          const send = () => s.onmessage?.({ data: JSON.stringify({ type: 'res', id: f.id, ...frame }) });
          if (afterMs === undefined) setImmediate(send);
          else setTimeout(send, afterMs);
        }
      },
      close() {
        closed.add(index);
        setImmediate(() => s.onclose?.({ code: 1005, reason: '' }));
      },
    };
    // 'hang' for 'open': the socket never opens.
    if (answer('open', {}, index) === 'hang') return s;
    setImmediate(() => {
      s.onopen?.({});
      s.onmessage?.({ data: JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'nonce-1', ts: 1_700_000_000_000 } }) });
    });
    return s;
  };
  return { factory, requests, closed, made: () => sockets };
}

const HEALTHY = (method: string) => {
  if (method === 'connect') return { ok: true, payload: { type: 'hello-ok' } };
  if (method === 'sessions.create') return { ok: true, payload: { key: 'agent:support:dashboard:1', sessionId: 's-1' } };
  if (method === 'sessions.patch') return { ok: true, payload: {} };
  if (method === 'sessions.delete') return { ok: true, payload: { deleted: true } };
  if (method === 'channels.status') return { ok: true, payload: { channelAccounts: { telegram: [{ accountId: 'default', running: true }] } } };
  return { ok: false, error: { code: 'INVALID_REQUEST', message: `unknown method ${method}` } };
};

describe('the probe against a scripted gateway', () => {
  let options: Options;
  beforeEach(() => {
    const tokenFile = path.join(dir, 'gateway-token');
    fs.writeFileSync(tokenFile, 'the-token\n');
    // The scripted gateway answers at once: 1 s is ample (the cases that answer late set their own),
    // and a probe that would wait for ever (a mutant, a regression) ends each test in 1 s, not 5.
    options = { gateway: 'support', port: 1, tokenFile, agents: ['support', 'ops'], identity: path.join(dir, 'id.json'), timeoutMs: 1_000, slowMs: DEFAULT_SLOW_MS, sessionWrite: true };
  });

  test('--skip-session-write: the signed connect and channels.status only, no session created; still usable', async () => {
    const g = scriptedGateway(HEALTHY);
    const r = await boundedProbe({ ...options, sessionWrite: false }, { socketFactory: g.factory });
    expect(r).toMatchObject({ usable: true, reason: null });
    expect(g.requests.map((q) => q.method)).toEqual(['connect', 'channels.status']);
  });

  test('healthy: a signed connect with the token, the write on the first agent (create, archive, delete, pinned to its id), channels.status; usable', async () => {
    const g = scriptedGateway(HEALTHY);
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect(r).toEqual({ gateway: 'support', usable: true, reason: null, latencyMs: expect.any(Number), connectMs: expect.any(Number), channels: [{ channel: 'telegram', account: 'default', running: true, state: 'running', reason: null }] });
    expect(r.connectMs).toBeLessThanOrEqual(r.latencyMs);
    expect(g.requests.map((q) => q.method)).toEqual(['connect', 'sessions.create', 'sessions.patch', 'sessions.delete', 'channels.status']);
    const id = loadOrCreateIdentity(options.identity);
    const connect = g.requests[0]!.params as { client: Record<string, string>; scopes: string[]; auth: unknown; device: Record<string, unknown>; role: string; minProtocol: number; maxProtocol: number };
    expect(connect).toMatchObject({ minProtocol: 4, maxProtocol: 4, role: 'operator', scopes: ['operator.read', 'operator.write'], auth: { token: 'the-token' }, client: { id: 'openclaw-probe', mode: 'probe', platform: 'linux' } });
    expect(connect.device).toEqual({ id: id.id, publicKey: id.publicKey, signedAt: 1_700_000_000_000, nonce: 'nonce-1', signature: signConnect(id, { clientId: 'openclaw-probe', clientMode: 'probe', role: 'operator', scopes: connect.scopes, signedAtMs: 1_700_000_000_000, token: 'the-token', nonce: 'nonce-1', platform: 'linux' }) });
    expect(g.requests.slice(1, 4).map((q) => q.params)).toEqual([
      { agentId: 'support', displayName: 'gateway probe' },
      { key: 'agent:support:dashboard:1', archived: true, expectedSessionId: 's-1' },
      { key: 'agent:support:dashboard:1', archivedOnly: true, expectedSessionId: 's-1', deleteTranscript: true },
    ]);
  });

  test.each([
    ['the write fails', 'sessions.create', { ok: false, error: { code: 'UNAVAILABLE', message: 'failed to create session transcript: database or disk is full' } }, 'sessions.create for agent support failed: UNAVAILABLE: failed to create session transcript: database or disk is full'],
    ['the archive fails', 'sessions.patch', { ok: false, error: { code: 'INVALID_REQUEST', message: 'nope' } }, "the probe's session agent:support:dashboard:1 was created but could not be archived to delete it (sessions.patch: INVALID_REQUEST: nope); it is left behind"],
    ['the delete fails', 'sessions.delete', { ok: false, error: { code: 'UNAVAILABLE', message: 'busy', details: { code: 'SESSION_BUSY' } } }, "the probe's session agent:support:dashboard:1 was created but could not be deleted (sessions.delete: SESSION_BUSY: busy); it is left behind"],
    ['the delete deletes nothing', 'sessions.delete', { ok: true, payload: { deleted: false } }, "the probe's session agent:support:dashboard:1 was created but sessions.delete did not delete it; it is left behind"],
    ['channels.status fails', 'channels.status', { ok: false, error: { code: 'UNAVAILABLE', message: 'later' } }, 'channels.status failed: UNAVAILABLE: later'],
    ['connect is refused', 'connect', { ok: false, error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', details: { code: 'AUTH_TOKEN_MISMATCH' } } }, "the gateway refused the probe's connect: AUTH_TOKEN_MISMATCH: unauthorized: gateway token mismatch"],
  ])('%s: not usable, the gateway\'s own words in the reason', async (_what, failing, answer, reason) => {
    const g = scriptedGateway((m) => (m === failing ? answer : HEALTHY(m)));
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect([r.usable, r.reason]).toEqual([false, reason]);
  });

  test('a dropped paired-device handshake: a token-only local CLI connection (no device) learns the write\'s error; not usable', async () => {
    const g = scriptedGateway((m, _p, socket) => (socket === 0 && m === 'connect' ? 'close' : m === 'sessions.create' ? { ok: false, error: { code: 'UNAVAILABLE', message: 'database or disk is full' } } : HEALTHY(m)));
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect([r.usable, r.reason]).toEqual([false, 'paired-device handshake failed: the gateway closed the connection (code 1000) before answering connect; sessions.create for agent support failed: UNAVAILABLE: database or disk is full']);
    expect(r.channels).toEqual([{ channel: 'telegram', account: 'default', running: true, state: 'running', reason: null }]);
    const second = g.requests.find((q) => q.socket === 1 && q.method === 'connect')!.params;
    expect(second).toMatchObject({ client: { id: 'cli', mode: 'cli' }, auth: { token: 'the-token' } });
    expect(second).not.toHaveProperty('device');
  });

  const TELEGRAM = [{ channel: 'telegram', account: 'default', running: true, state: 'running', reason: null }];

  // The bound is --slow-ms (its default, 2 s, is pinned in gateway-probe-args.test.ts); these cases
  // use a bound of 250 ms and connections 400 ms late, so that they take a second or two, not ten.
  test('slow: two signed connections in a row answered after the bound: not usable, both times said; the checks ran on the first and the channels are reported', async () => {
    const g = scriptedGateway((m) => (m === 'connect' ? { ...HEALTHY(m), afterMs: 400 } : HEALTHY(m)));
    const r = await boundedProbe({ ...options, slowMs: 250, timeoutMs: 3_000 }, { socketFactory: g.factory });
    expect(r).toEqual({
      gateway: 'support',
      usable: false,
      reason: expect.stringMatching(/^slow: two signed connections in a row took \d+ and \d+ ms, over the 250 ms bound \(a saturated gateway: its users wait as long\)$/),
      latencyMs: expect.any(Number),
      connectMs: expect.any(Number),
      channels: TELEGRAM,
    });
    const [first, second] = /took (\d+) and (\d+) ms/.exec(r.reason!)!.slice(1).map(Number);
    for (const t of [first!, second!]) expect(t).toBeGreaterThanOrEqual(400 - 5);
    expect(r.connectMs).toBe(Math.min(first!, second!));
    expect(first! + second!).toBeLessThanOrEqual(r.latencyMs);
    expect(g.requests.map((q) => `${q.socket}:${q.method}`)).toEqual(['0:connect', '0:sessions.create', '0:sessions.patch', '0:sessions.delete', '0:channels.status', '1:connect']);
    // The second connection is signed as the first (the probe's device), not the CLI's token-only one.
    expect(g.requests.find((q) => q.socket === 1)!.params).toMatchObject({ client: { id: 'openclaw-probe' }, device: expect.objectContaining({ id: expect.any(String) }) });
  });

  test('one slow connection then a fast one: usable (one pause is not saturation), connectMs the faster', async () => {
    const g = scriptedGateway((m, _p, socket) => (m === 'connect' && socket === 0 ? { ...HEALTHY(m), afterMs: 400 } : HEALTHY(m)));
    const r = await boundedProbe({ ...options, slowMs: 250, timeoutMs: 3_000 }, { socketFactory: g.factory });
    expect([r.usable, r.reason, r.channels]).toEqual([true, null, TELEGRAM]);
    expect(r.connectMs).toBeLessThan(250);
    expect(g.requests.filter((q) => q.method === 'connect').map((q) => q.socket)).toEqual([0, 1]);
  });

  test('a slow connection whose second try fails: not usable, the slow time and the failure said', async () => {
    const refused = scriptedGateway((m, _p, socket) => (m === 'connect' ? (socket === 0 ? { ...HEALTHY(m), afterMs: 400 } : { ok: false, error: { code: 'UNAVAILABLE', message: 'busy' } }) : HEALTHY(m)));
    const r = await boundedProbe({ ...options, slowMs: 250, timeoutMs: 3_000 }, { socketFactory: refused.factory });
    expect(r.reason).toMatch(/^slow: the signed connection took \d{3,4} ms, over the 250 ms bound, and a second one failed: refused: UNAVAILABLE: busy$/);
    expect(r.connectMs).toBeGreaterThanOrEqual(395);
    const closed = scriptedGateway((m, _p, socket) => (m === 'connect' ? (socket === 0 ? { ...HEALTHY(m), afterMs: 400 } : 'close') : HEALTHY(m)));
    expect((await boundedProbe({ ...options, slowMs: 250, timeoutMs: 3_000 }, { socketFactory: closed.factory })).reason).toMatch(
      /, and a second one failed: the gateway closed the connection \(code 1000\)$/,
    );
  });

  test("the probe's own deadline timer is cleared when it answers (no timer keeps the host process alive for the timeout)", async () => {
    // The timer of the 60 s deadline (and of no other) must be handed to clearTimeout; counting the
    // process's active timers instead is blurred by the other timers that come and go.
    const set = jest.spyOn(global, 'setTimeout');
    const cleared = jest.spyOn(global, 'clearTimeout');
    try {
      const r = await boundedProbe({ ...options, timeoutMs: 60_000 }, { socketFactory: scriptedGateway(HEALTHY).factory });
      expect(r.usable).toBe(true);
      const deadlines = set.mock.calls.flatMap((c, i) => (c[1] === 60_000 ? [set.mock.results[i]!.value as unknown] : []));
      expect({ deadlines: deadlines.length, notCleared: deadlines.filter((t) => !cleared.mock.calls.some((c) => c[0] === t)).length }).toEqual({ deadlines: 1, notCleared: 0 });
    } finally {
      set.mockRestore();
      cleared.mockRestore();
    }
  });

  test('slow means over the bound, not at it: a signed connection of exactly --slow-ms is usable at once, and so is a second one of exactly --slow-ms after a slow first', async () => {
    // A clock that only the gateway's connect answers move (performance.now is the probe's clock).
    let now = 0;
    const clock = jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const atBound = scriptedGateway((m) => ((now += m === 'connect' ? 100 : 0), HEALTHY(m)));
      const r = await boundedProbe({ ...options, slowMs: 100 }, { socketFactory: atBound.factory });
      expect([r.usable, r.reason, r.connectMs, atBound.made()]).toEqual([true, null, 100, 1]);
      const overThenAt = scriptedGateway((m, _p, socket) => ((now += m === 'connect' ? (socket === 0 ? 101 : 100) : 0), HEALTHY(m)));
      const r2 = await boundedProbe({ ...options, slowMs: 100 }, { socketFactory: overThenAt.factory });
      expect([r2.usable, r2.reason, r2.connectMs, overThenAt.made()]).toEqual([true, null, 100, 2]);
    } finally {
      clock.mockRestore();
    }
  });

  test('slow is about the signed connection only: a connect within the bound is usable, however long the session write or channels.status take', async () => {
    const late = (m: string) => (m === 'connect' ? { ...HEALTHY(m), afterMs: 100 } : { ...HEALTHY(m), afterMs: m === 'sessions.create' || m === 'channels.status' ? 400 : 0 });
    const r = await boundedProbe({ ...options, slowMs: 300, timeoutMs: 3_000 }, { socketFactory: scriptedGateway(late).factory });
    expect([r.usable, r.reason]).toEqual([true, null]);
    expect(r.connectMs).toBeLessThan(300);
    expect(r.latencyMs).toBeGreaterThanOrEqual(100 + 400 + 400 - 5);
    // The bound is the one given: 100 ms is over 50, twice.
    const over = await boundedProbe({ ...options, slowMs: 50, timeoutMs: 3_000 }, { socketFactory: scriptedGateway(late).factory });
    expect(over.reason).toMatch(/^slow: two signed connections in a row took \d+ and \d+ ms, over the 50 ms bound /);
  });

  test('a failure says what failed, not that it was slow: a refused write after a slow connect names the write', async () => {
    const g = scriptedGateway((m) => (m === 'connect' ? { ...HEALTHY(m), afterMs: 400 } : m === 'sessions.create' ? { ok: false, error: { code: 'UNAVAILABLE', message: 'database or disk is full' } } : HEALTHY(m)));
    const r = await boundedProbe({ ...options, slowMs: 250, timeoutMs: 3_000 }, { socketFactory: g.factory });
    expect(r.reason).toBe('sessions.create for agent support failed: UNAVAILABLE: database or disk is full');
  });

  test.each([
    ['the WebSocket opening', (m: string) => (m === 'open' ? 'hang' : HEALTHY(m)), 'connecting to ws://127.0.0.1:1/'],
    ['the token-only connection opening', (m: string, s: number) => (s === 0 && m === 'connect' ? 'close' : s === 1 && m === 'open' ? 'hang' : HEALTHY(m)), 'connecting again to ws://127.0.0.1:1/ (token only, to learn why)'],
    ['the token-only handshake', (m: string, s: number) => (s === 0 && m === 'connect' ? 'close' : s === 1 && m === 'connect' ? 'hang' : HEALTHY(m)), 'the token-only handshake'],
    ['the signed handshake', (m: string) => (m === 'connect' ? 'hang' : HEALTHY(m)), 'the handshake (connect.challenge, connect)'],
  ] as const)('no answer while waiting for %s: the timeout names that step', async (_what, answer, step) => {
    const g = scriptedGateway((m, _p, socket) => answer(m, socket) as ReturnType<typeof HEALTHY> | 'close' | 'hang');
    const r = await boundedProbe({ ...options, timeoutMs: 1_000 }, { socketFactory: g.factory });
    expect([r.usable, r.reason]).toEqual([false, `no answer within 1000 ms (saturated or frozen): waiting for ${step}`]);
  });

  test('no answer from a second signed connection after a slow first one: the timeout names it and the first one\'s time', async () => {
    const g = scriptedGateway((m, _p, socket) => (socket === 0 && m === 'connect' ? { ...HEALTHY(m), afterMs: 400 } : socket === 1 && m === 'open' ? 'hang' : HEALTHY(m)));
    const r = await boundedProbe({ ...options, slowMs: 250, timeoutMs: 1_500 }, { socketFactory: g.factory });
    expect(r.reason).toMatch(/^no answer within 1500 ms \(saturated or frozen\): waiting for a second signed connection to ws:\/\/127\.0\.0\.1:1\/ \(the first took \d{3,4} ms\)$/);
  });

  test('every connection the probe opened is closed when it ends: one when healthy, both after a slow first one', async () => {
    const healthy = scriptedGateway(HEALTHY);
    await boundedProbe(options, { socketFactory: healthy.factory });
    expect([healthy.made(), [...healthy.closed]]).toEqual([1, [0]]);
    const slow = scriptedGateway((m, _p, socket) => (socket === 0 && m === 'connect' ? { ...HEALTHY(m), afterMs: 400 } : HEALTHY(m)));
    await boundedProbe({ ...options, slowMs: 250, timeoutMs: 3_000 }, { socketFactory: slow.factory });
    expect([slow.made(), [...slow.closed].sort()]).toEqual([2, [0, 1]]);
  });

  test('an error in the handshake that is not the gateway closing (a socket that cannot send) is said with its step, not diagnosed as a dropped handshake', async () => {
    const g = scriptedGateway((m) => {
      if (m === 'connect') throw new Error('send failed: socket not writable');
      return HEALTHY(m);
    });
    const r = await boundedProbe(options, { socketFactory: g.factory });
    expect([r.usable, r.reason]).toEqual([false, 'the handshake (connect.challenge, connect): send failed: socket not writable']);
    expect(g.made()).toBe(1);
  });

  test('no answer: not usable within the timeout, naming what it waited for', async () => {
    const g = scriptedGateway((m) => (m === 'sessions.create' ? 'hang' : HEALTHY(m)));
    const r = await boundedProbe({ ...options, timeoutMs: 1_000 }, { socketFactory: g.factory });
    expect([r.usable, r.reason]).toEqual([false, 'no answer within 1000 ms (saturated or frozen): waiting for sessions.create for agent support']);
    expect(r.latencyMs).toBeGreaterThanOrEqual(1_000);
    expect(r.latencyMs).toBeLessThan(1_500);
  });

  test('setup failures are results: no WebSocket in this Node, an unreadable token file', async () => {
    // A Node without a global WebSocket (Node 20, jest's own; Node 22+ has one: it is taken away here).
    const had = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    if (had) delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      expect((await boundedProbe(options)).reason).toBe(`probe setup: this Node (${process.version}) has no WebSocket client: run the probe with the pinned Node 24`);
    } finally {
      if (had) Object.defineProperty(globalThis, 'WebSocket', had);
    }
    const g = scriptedGateway(HEALTHY);
    expect((await boundedProbe({ ...options, tokenFile: path.join(dir, 'none') }, { socketFactory: g.factory })).reason).toBe(`probe setup: cannot read the gateway token file ${path.join(dir, 'none')}: ENOENT`);
    expect(g.requests).toEqual([]);
  });
});
