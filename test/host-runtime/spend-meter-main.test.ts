import * as fs from 'fs';
import * as path from 'path';
import { SPEND_METER_MANIFEST_VERSION, type SpendMeterManifest } from '../../lib/host/spend-meter';
import { tempDir } from '../host/support/host-tools';
import { startFakeAws, type FakeAws } from '../support/fake-aws/world';
import type * as RunModule from '../../host/spend-meter/run';
import { runEntryInProcess } from './support/entry-in-process';
import { runAsync } from './support/runtime-tools';
import { breakerFields, runMeter, writePrograms } from './support/spend-meter-world';

// The spend meter as its unit starts it: the bundled spend-meter.js (lib/bundling/host-programs.ts)
// whose entry (main.ts) prints the run's lines on stdout and stderr and exits with its code.
// Fast and focused: no agent database, so the Node of jest runs it. Then the entry itself in
// this process (where mutation testing sees it: a child process runs unmutated code).

let root: string;
let aws: FakeAws;
let meter: string;
beforeAll(async () => {
  root = tempDir('oc-spend-meter-main-');
  fs.mkdirSync(path.join(root, 'home'));
  fs.mkdirSync(path.join(root, 'openclaw', 'ops'), { recursive: true });
  fs.mkdirSync(path.join(root, 'meter'), { mode: 0o700 });
  aws = await startFakeAws(9950, path.join(root, 'home'));
  ({ meter } = writePrograms(root));
});
afterAll(async () => {
  await aws?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => aws.reset());

const manifest = (): SpendMeterManifest => ({
  version: SPEND_METER_MANIFEST_VERSION,
  deployment: 'openclaw-example-dev',
  region: 'eu-west-1',
  namespace: 'OpenClaw/openclaw-example-dev',
  openclawStateDir: path.join(root, 'openclaw'),
  stateFile: path.join(root, 'meter', 'state.json'),
  prices: { 'anthropic/claude-sonnet-4-6': { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 } },
  limits: { dailyUsd: 5, monthlyUsd: 50 },
  ...breakerFields(path.join(root, 'meter'), path.join(root, 'openclaw')),
});

/** A script Node loads before the meter (NODE_OPTIONS=--require), to set up what the test is about. */
function preload(name: string, code: string): Record<string, string> {
  const file = path.join(root, `${name}.js`);
  fs.writeFileSync(file, code);
  return { NODE_OPTIONS: `--require=${file}` };
}

const NOW = ['--now', '2026-11-21T09:00:00Z'];

test('a run: its one line on stdout, nothing on stderr, exit 0; the figures published', async () => {
  const r = await runMeter(process.execPath, meter, aws, manifest(), NOW);
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
    code: 0,
    stdout: 'openclaw-meter: today $0.00, month $0.00 (0 new usage records) [metrics published to OpenClaw/openclaw-example-dev]\n',
    stderr: '',
  });
  expect(aws.cw.metrics.map((m) => m.metricName)).toEqual(['ModelSpendTodayUsd', 'ModelSpendMonthUsd', 'AgentBreakerTripped']);
});

test('CloudWatch failing: the figures line on stdout says why they were not published, stderr empty, exit 1', async () => {
  aws.cw.state.failing = true;
  const r = await runMeter(process.execPath, meter, aws, manifest(), NOW);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^openclaw-meter: today \$0\.00, month \$0\.00 \(0 new usage records\) \[not published: [^\n]+\]\n$/);
  expect(r.stderr).toBe('');
});

test('a usage error: nothing on stdout, one FAILED line on stderr, exit 2', async () => {
  const r = await runAsync(process.execPath, [meter, '--bogus'], { env: aws.env(), timeoutMs: 30_000 });
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
    code: 2,
    stdout: '',
    stderr:
      "openclaw-meter: FAILED Unknown option '--bogus'; usage: node spend-meter.js --manifest PATH [--now 2026-11-21T09:00:00Z] [--imds-timeout-ms 1000] [--imds-attempts 3] [--systemctl PATH] [--nft PATH]\n",
  });
});

test('a bug that escapes the run is printed as FAILED unexpected, exit 3 (simulated: reading the manifest throws null)', async () => {
  const env = preload(
    'throw-null',
    "const fs = require('fs'); const read = fs.readFileSync;\n" +
      "fs.readFileSync = function (f, ...a) { if (String(f).endsWith('spend-meter.json')) throw null; return read.call(this, f, ...a); };\n",
  );
  const r = await runMeter(process.execPath, meter, aws, manifest(), NOW, env);
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
    code: 3,
    stdout: '',
    stderr: "openclaw-meter: FAILED unexpected: Cannot read properties of null (reading 'code')\n",
  });
});

test("the AWS SDK's notice about the Node version is switched off (a Node it warns about: its stderr stays empty)", async () => {
  const env = preload('old-node', "Object.defineProperty(process, 'version', { value: 'v20.0.0' });\n");
  const r = await runMeter(process.execPath, meter, aws, manifest(), NOW, env);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
});

describe('the entry (main.ts) in this process', () => {
  // Loading the entry runs it (once per load: jest.isolateModules).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const entry = () => require('../../host/spend-meter/main');
  const RUN = path.resolve(__dirname, '../../host/spend-meter/run.ts');
  const saved = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = saved;
  });
  const withRun = (runSpendMeter: jest.Mock) => (doMock: typeof jest.doMock) =>
    doMock(RUN, () => ({ ...jest.requireActual<typeof RunModule>(RUN), runSpendMeter }));

  test('a usage error of the real program: nothing on stdout, its FAILED line on stderr, exit 2', async () => {
    expect(await runEntryInProcess(entry, ['--bogus'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "openclaw-meter: FAILED Unknown option '--bogus'; usage: node spend-meter.js --manifest PATH [--now 2026-11-21T09:00:00Z] [--imds-timeout-ms 1000] [--imds-attempts 3] [--systemctl PATH] [--nft PATH]\n",
    });
  });

  test('the lines of a run are printed whole, one per line, each stream ending with a newline; the code is the exit code', async () => {
    const run = jest.fn(async () => ({ out: ['o1', 'o2'], err: ['e1', 'e2'], code: 1 }));
    expect(await runEntryInProcess(entry, ['--manifest', '/m.json'], withRun(run))).toEqual({ code: 1, stdout: 'o1\no2\n', stderr: 'e1\ne2\n' });
    expect(run.mock.calls).toEqual([[['--manifest', '/m.json']]]);
  });

  test('a stream with no lines gets nothing (not an empty line)', async () => {
    expect(await runEntryInProcess(entry, [], withRun(jest.fn(async () => ({ out: [], err: [], code: 0 }))))).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('a run that throws (a bug) is one FAILED unexpected line, exit 3', async () => {
    const run = jest.fn(async () => {
      throw new RangeError('boom');
    });
    expect(await runEntryInProcess(entry, [], withRun(run))).toEqual({ code: 3, stdout: '', stderr: 'openclaw-meter: FAILED unexpected: boom\n' });
  });

  test("the AWS SDK's notice about the Node version is switched off before the program runs", async () => {
    delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    let seen: string | undefined;
    const run = jest.fn(async () => {
      seen = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
      return { out: [], err: [], code: 0 };
    });
    await runEntryInProcess(entry, [], withRun(run));
    expect(seen).toBe('true');
  });
});
