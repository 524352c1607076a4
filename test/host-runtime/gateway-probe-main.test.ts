// gateway-probe.js's entry (host/gateway-probe/main.ts) in this process: what it prints and how
// it ends, for a bad command line, a probe result, and the failures it guards against. The
// bundle run as the host runs it: gateway-probe-args.test.ts and test/openclaw/gateway-probe-*.

// Every case here ends within a few seconds; one that hangs (a mutant that loses the probe's own
// timeout, a regression) fails at 10 s instead of running into the project's 60 s test timeout.
jest.setTimeout(10_000);

const ARGS = ['--gateway', 'support', '--port', '1', '--token-file', '/nonexistent/gateway-token', '--agents', 'support', '--identity', '/nonexistent/id.json'];

interface MainRun {
  readonly out: string[];
  readonly err: string[];
  /** What process.exit was called with (it is not really called). */
  readonly exit: (number | undefined)[];
  readonly exitCode: number | string | undefined;
}

/** Loads main.ts afresh with `argv`, `mocks` (paths as from this file) replacing its modules, and waits until it has printed. */
async function runMain(argv: readonly string[], mocks: Record<string, () => unknown> = {}): Promise<MainRun> {
  const out: string[] = [];
  const err: string[] = [];
  const exit: (number | undefined)[] = [];
  const saved = { argv: process.argv, exitCode: process.exitCode, ws: Object.getOwnPropertyDescriptor(globalThis, 'WebSocket') };
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  jest.spyOn(process, 'exit').mockImplementation(((code?: number) => void exit.push(code)) as never);
  process.argv = ['node', 'gateway-probe.js', ...argv];
  // No WebSocket, whatever this Node has: the probe then ends at once with its setup failure.
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  try {
    jest.isolateModules(() => {
      for (const [name, factory] of Object.entries(mocks)) jest.doMock(name, factory);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- main.ts runs when loaded; isolateModules loads it afresh
      require('../../host/gateway-probe/main');
    });
    for (let i = 0; i < 500 && out.length === 0 && err.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return { out, err, exit, exitCode: process.exitCode };
  } finally {
    jest.restoreAllMocks();
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
    if (saved.ws) Object.defineProperty(globalThis, 'WebSocket', saved.ws);
  }
}

test('a bad command line: one line on stderr, prefixed, the first line of the usage error; exit status 2; nothing on stdout', async () => {
  const r = await runMain(ARGS.slice(2));
  expect(r.out).toEqual([]);
  expect(r.err).toEqual([
    'openclaw-gateway-probe: --gateway is required; usage: node gateway-probe.js --gateway ID --port N --token-file PATH --agents AGENT[,AGENT...] --identity PATH [--channels AGENT:CHANNEL[,...]] [--timeout-ms 10000] [--slow-ms 2000] [--skip-session-write]\n',
  ]);
  expect([r.exitCode, r.exit]).toEqual([2, []]);
});

test('a probe result: its one JSON line on stdout, then exit 0 at once (a half-open socket must not keep it alive)', async () => {
  const r = await runMain(ARGS);
  expect(r.err).toEqual([]);
  expect(r.out).toHaveLength(1);
  expect(r.out[0]!.endsWith('\n')).toBe(true);
  expect(JSON.parse(r.out[0]!)).toEqual({
    gateway: 'support',
    usable: false,
    reason: `probe setup: this Node (${process.version}) has no WebSocket client: run the probe with the pinned Node 24`,
    latencyMs: expect.any(Number),
    connectMs: null,
    channels: [],
  });
  expect(r.exit).toEqual([0]);
});

test('guards: a probe that throws still prints a result ("probe error"); an error that is not a usage error is "unexpected", its first line', async () => {
  const thrown = await runMain(ARGS, { '../../host/gateway-probe/probe': () => ({ runProbe: () => Promise.reject(new Error('boom')) }) });
  expect(thrown.out.map((l) => JSON.parse(l) as unknown)).toEqual([{ gateway: 'support', usable: false, reason: 'probe error: boom', latencyMs: 0, connectMs: null, channels: [] }]);
  expect(thrown.exit).toEqual([0]);
  const odd = await runMain(ARGS, {
    '../../host/gateway-probe/args': () => ({
      ...jest.requireActual<object>('../../host/gateway-probe/args'),
      parseOptions: () => {
        throw new Error('first line\nsecond line');
      },
    }),
  });
  expect([odd.err, odd.out, odd.exitCode]).toEqual([['openclaw-gateway-probe: unexpected: first line\n'], [], 2]);
});

export {}; // a module: its names stay its own
