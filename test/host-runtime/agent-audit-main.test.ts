// agent-audit.js's entry (host/agent-audit/main.ts) in this process: it prints what
// runAgentAudit returns and ends with its status, and turns anything thrown into one FAILED
// line. The export itself: test/openclaw/audit-export-program.test.ts.

interface MainRun {
  readonly out: string[];
  readonly err: string[];
  readonly exitCode: number | string | undefined;
}

/** Loads main.ts afresh with `argv`, runAgentAudit replaced by `run` when given. */
function runMain(argv: readonly string[], run?: (argv: readonly string[]) => unknown): MainRun {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { argv: process.argv, exitCode: process.exitCode };
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  process.argv = ['node', 'agent-audit.js', ...argv];
  process.exitCode = undefined;
  try {
    jest.isolateModules(() => {
      if (run) jest.doMock('../../host/agent-audit/run', () => ({ ...jest.requireActual<object>('../../host/agent-audit/run'), runAgentAudit: run }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- main.ts runs when loaded; isolateModules loads it afresh
      require('../../host/agent-audit/main');
    });
    return { out, err, exitCode: process.exitCode };
  } finally {
    jest.restoreAllMocks();
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
  }
}

test('a bad command line: the usage failure on stderr, exit status 2, nothing on stdout', () => {
  expect(runMain(['--out'])).toEqual({
    out: [],
    err: [expect.stringMatching(/^openclaw-agent-audit: FAILED Usage: .*usage: node agent-audit\.js --state-root DIR --out FILE --position-dir DIR\n$/)],
    exitCode: 2,
  });
});

test('what a run returns: stdout lines, stderr lines, each ending in a newline, and its status; nothing written for an empty list', () => {
  const seen: (readonly string[])[] = [];
  const r = runMain(['--a', 'b'], (argv) => (seen.push(argv), { out: ['one', 'two'], err: ['warn', 'more'], code: 1 }));
  expect(seen).toEqual([['--a', 'b']]);
  expect(r).toEqual({ out: ['one\ntwo\n'], err: ['warn\nmore\n'], exitCode: 1 });
  expect(runMain([], () => ({ out: [], err: [], code: 0 }))).toEqual({ out: [], err: [], exitCode: 0 });
});

test('anything thrown: one FAILED unexpected line, its first line only, and status 1', () => {
  const r = runMain([], () => {
    throw new Error('disk gone\nstack line');
  });
  expect(r).toEqual({ out: [], err: ['openclaw-agent-audit: FAILED unexpected: disk gone\n'], exitCode: 1 });
});

export {}; // a module: its names stay its own
