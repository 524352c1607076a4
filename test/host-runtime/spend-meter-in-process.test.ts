import * as fs from 'fs';
import * as path from 'path';
import { renderSpendMeterManifest, type SpendMeterManifest } from '../../lib/host/spend-meter';
import { runSpendMeter, type RunResult } from '../../host/spend-meter/run';
import { emptyState, saveState } from '../../host/spend-meter/state';
import { exampleConfig, freePort } from '../host/support/host-tools';
import { useInProcessFakeAws } from '../support/fake-aws/world';
import { settlesWithin } from '../support/settles-within';
import { breakerTools } from './support/spend-meter-world';

// The program of spend-meter.js (host/spend-meter/run.ts) run INSIDE the jest
// process against the loopback IMDSv2 and CloudWatch fakes: the paths that
// need no agent database. Reading OpenClaw's databases needs node:sqlite
// (Node 24, the host's pinned Node); jest here may run an older Node, so
// metering itself is proven by the real bundle in spend-meter.test.ts.

const NS = 'OpenClaw/openclaw-example-dev';
const NOW = '2026-11-21T09:00:00Z';
const world = useInProcessFakeAws(9700, 'oc-spend-meter-in-process-');
let n = 0;

/** An empty OpenClaw state folder, a meter state folder (0700) and the manifest, written; returns the manifest and its path. */
function setup(): { manifest: SpendMeterManifest; file: string; stateDir: string } {
  const dir = path.join(world.root, `t${++n}`);
  const stateDir = path.join(dir, 'openclaw');
  // The example's two gateways' state folders (ops, support), empty.
  for (const g of ['ops', 'support']) fs.mkdirSync(path.join(stateDir, g), { recursive: true });
  fs.mkdirSync(path.join(dir, 'meter'), { mode: 0o700 });
  tools = breakerTools(path.join(dir, 'meter'));
  // Every path in the test's folder: the default breaker folder is the host's /var/lib/openclaw-meter/breaker.
  const manifest = renderSpendMeterManifest(exampleConfig('dev'), { openclawStateDir: stateDir, stateFile: path.join(dir, 'meter', 'state.json'), breakerDir: path.join(dir, 'meter', 'breaker') });
  const file = path.join(dir, 'spend-meter.json');
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, file, stateDir };
}

let tools: ReturnType<typeof breakerTools>;
/** A run with IMDS at 300 ms and one attempt, failing when it has not answered within 5 s (a run that loses its IMDS bounds fails fast). */
const run = (file: string, args: readonly string[] = []): Promise<RunResult> =>
  settlesWithin(runSpendMeter(['--manifest', file, '--now', NOW, '--imds-timeout-ms', '300', '--imds-attempts', '1', '--systemctl', tools.systemctl, '--nft', tools.nft, ...args]), 5_000);
const published = () =>
  world.aws.cw.metrics.map(
    (m) => `${m.metricName}${m.dimensions.Model ? `{Model=${m.dimensions.Model}}` : ''}${m.dimensions.Gateway ? `{Gateway=${m.dimensions.Gateway}}` : ''}=${m.value} ${m.unit} @${m.region}/${m.namespace}`,
  );

test('no agent yet: zero figures published, the state saved for the day and month', async () => {
  const { file, manifest } = setup();
  expect(await run(file)).toEqual({ out: [`openclaw-meter: today $0.00, month $0.00 (0 new usage records) [metrics published to ${NS}]`], err: [], code: 0 });
  expect(published()).toEqual([
    `ModelSpendTodayUsd=0 None @eu-west-1/${NS}`,
    `ModelSpendMonthUsd=0 None @eu-west-1/${NS}`,
    `AgentBreakerTripped{Gateway=ops}=0 Count @eu-west-1/${NS}`,
    `AgentBreakerTripped{Gateway=support}=0 Count @eu-west-1/${NS}`,
  ]);
  expect(tools.systemctlCalls()).toEqual([]);
  const state = JSON.parse(fs.readFileSync(manifest.stateFile, 'utf8')) as Record<string, unknown>;
  expect({ day: state.day, month: state.month, todayUsd: state.todayUsd, monthUsd: state.monthUsd, updatedAt: state.updatedAt }).toEqual({
    day: '2026-11-21',
    month: '2026-11',
    todayUsd: 0,
    monthUsd: 0,
    updatedAt: '2026-11-21T09:00:00.000Z',
  });
});

test('the totals of the state: limits warned at or over; a new UTC day resets today, a new month everything', async () => {
  const { file, manifest } = setup();
  const { dailyUsd, monthlyUsd } = manifest.limits;
  saveState(manifest.stateFile, { ...emptyState(Date.parse(NOW)), todayUsd: dailyUsd, monthUsd: monthlyUsd, monthByModel: { 'anthropic/claude-sonnet-4-6': monthlyUsd } });
  const usd = (v: number) => `$${v.toFixed(2)}`;
  expect(await run(file)).toEqual({
    out: [`openclaw-meter: today ${usd(dailyUsd)}, month ${usd(monthlyUsd)} (0 new usage records) [metrics published to ${NS}]`],
    err: [
      `openclaw-meter: WARNING today's model spend ${usd(dailyUsd)} is at or over the daily limit ${usd(dailyUsd)}`,
      `openclaw-meter: WARNING this month's model spend ${usd(monthlyUsd)} is at or over the monthly limit ${usd(monthlyUsd)}`,
    ],
    code: 0,
  });
  expect(published()).toContain(`ModelSpendMonthUsd{Model=anthropic/claude-sonnet-4-6}=${monthlyUsd} None @eu-west-1/${NS}`);
  world.aws.cw.reset();
  expect(await run(file, ['--now', '2026-11-22T00:00:00Z'])).toEqual({
    out: [`openclaw-meter: today $0.00, month ${usd(monthlyUsd)} (0 new usage records) [metrics published to ${NS}]`],
    err: [`openclaw-meter: WARNING this month's model spend ${usd(monthlyUsd)} is at or over the monthly limit ${usd(monthlyUsd)}`],
    code: 0,
  });
  expect(await run(file, ['--now', '2026-12-01T00:00:00Z'])).toEqual({ out: [`openclaw-meter: today $0.00, month $0.00 (0 new usage records) [metrics published to ${NS}]`], err: [], code: 0 });
});

test('a corrupt state file is set aside and the figures rebuilt', async () => {
  const { file, manifest } = setup();
  fs.writeFileSync(manifest.stateFile, '{"version": 1, "todayUsd": -5');
  const r = await run(file);
  expect(r.err).toEqual([
    `openclaw-meter: WARNING ${manifest.stateFile} was unreadable: set aside as ${manifest.stateFile}.corrupt; the figures are rebuilt from the records still in OpenClaw's state`,
  ]);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(`${manifest.stateFile}.corrupt`, 'utf8')).toBe('{"version": 1, "todayUsd": -5');
});

test('exit 1: metered but not published (no metadata service); nothing published', async () => {
  const { file } = setup();
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
  const r = await run(file);
  expect(r.code).toBe(1);
  expect(r.err).toEqual([]);
  expect(r.out).toEqual(['openclaw-meter: today $0.00, month $0.00 (0 new usage records) [not published: no credentials (ImdsUnreachable)]']);
  expect(world.aws.cw.metrics).toEqual([]);
});

test('exit 3: OpenClaw state folder missing, or the agents entry not a folder', async () => {
  const { file, stateDir } = setup();
  fs.rmSync(stateDir, { recursive: true });
  expect(await run(file)).toEqual({ out: [], err: [`openclaw-meter: FAILED OpenClaw's state folder: ${stateDir}: not a folder (OpenClaw's state folder)`], code: 3 });
  fs.mkdirSync(stateDir);
  fs.writeFileSync(path.join(stateDir, 'agents'), '');
  expect(await run(file)).toEqual({ out: [], err: [`openclaw-meter: FAILED OpenClaw's state folder: ${path.join(stateDir, 'agents')}: not a folder, or a symlink`], code: 3 });
  expect(world.aws.cw.metrics).toEqual([]);
});

test('exit 2: a bad command line or manifest, before anything is read', async () => {
  const { file } = setup();
  const bad = await run(file, ['--now', 'yesterday']);
  expect(bad).toEqual({ out: [], err: [expect.stringMatching(/^openclaw-meter: FAILED --now: expected an ISO-8601 time with a zone, like 2026-11-21T09:00:00Z \(got "yesterday"\); usage: /)], code: 2 });
  fs.writeFileSync(file, '{');
  const manifest = await run(file);
  expect(manifest.code).toBe(2);
  expect(manifest.err).toEqual([`openclaw-meter: FAILED ${file}: not valid JSON`]);
  expect(world.aws.imds.requests).toEqual([]);
});
