import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CONTROLS_DRIFTED_METRIC, CONTROL_DRIFTED_METRIC, dailyChecks } from '../../lib/alarms/controls-drift';
import type { LiveCheck } from '../../lib/verify/live-check';
import { handler, runDailyCheck } from '../../lambda/verify-controls/index';
import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { synthesizeFixture } from '../support/fake-deployment/world';

// The daily drift check's handler, in-process, against the fake of example/prod: with the
// environment its construct synthesized (read from the Spend template), it reads the deployed
// templates, runs the daily checks and publishes one ControlDrifted per control and
// ControlsDrifted. PutMetricData is recorded here; every other CloudWatch call goes on to
// whatever the fake deployment answers (its service fakes may mock CloudWatchClient too).

let fake: InstalledFake;
let env: NodeJS.ProcessEnv;
let published: PutMetricDataCommandInput[];
let logged: string[];
let failPublish = false;

beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
  const spend = fake.world.stack('spend').template.Resources ?? {};
  const fn = Object.values(spend).find((r) => r.Type === 'AWS::Lambda::Function' && (r.Properties as { FunctionName?: string }).FunctionName === `${fake.world.name}-verify-controls`)!;
  const vars = (fn.Properties as { Environment: { Variables: Record<string, string> } }).Environment.Variables;
  env = { ...vars, AWS_REGION: fake.world.config.aws.region };
  const next = CloudWatchClient.prototype.send;
  jest.spyOn(CloudWatchClient.prototype, 'send').mockImplementation(function (this: CloudWatchClient, command: unknown) {
    if (command instanceof PutMetricDataCommand) {
      if (failPublish) return Promise.reject(Object.assign(new Error('User is not authorized to perform: cloudwatch:PutMetricData'), { name: 'AccessDenied' }));
      published.push(command.input);
      return Promise.resolve({});
    }
    return (next as (c: unknown) => Promise<unknown>).call(this, command);
  } as never);
});
afterAll(() => {
  jest.restoreAllMocks();
  fake.restore();
});
beforeEach(() => {
  published = [];
  logged = [];
  failPublish = false;
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(line));
});
afterEach(() => (console.log as jest.Mock).mockRestore());

/** Every datum published, as `<metric>[/<control>] = value`, and the namespaces used. */
function data() {
  const lines = published.flatMap((p) => (p.MetricData ?? []).map((d) => `${d.MetricName}${d.Dimensions ? `/${d.Dimensions.map((x) => `${x.Name}=${x.Value}`).join(',')}` : ''} = ${d.Value}`));
  return { lines, namespaces: [...new Set(published.map((p) => p.Namespace))] };
}

const controls = () => [...new Set(dailyChecks().map((c) => c.control))].sort();

test('a correct deployment: ControlsDrifted 0 and a 0 for every control of the daily checks, to the deployment namespace', async () => {
  const summary = await runDailyCheck(dailyChecks(), env, () => NOW);
  const { lines, namespaces } = data();
  expect(namespaces).toEqual([`OpenClaw/${fake.world.name}`]);
  expect(lines).toEqual([...controls().map((c) => `${CONTROL_DRIFTED_METRIC}/Control=${c} = 0`), `${CONTROLS_DRIFTED_METRIC} = 0`]);
  expect(summary).toEqual({ checks: dailyChecks().length, controls: controls().length, drifted: [] });
  // One JSON line per result, then the summary.
  const results = logged.map((l) => JSON.parse(l) as { status?: string; event?: string }).filter((l) => l.status !== undefined);
  expect(results.length).toBeGreaterThanOrEqual(dailyChecks().length);
  expect(results.every((r) => r.status === 'pass')).toBe(true);
}, 60_000);

test('the handler reads its environment from the process (as in Lambda) and only the daily checks run', async () => {
  const saved = process.env;
  process.env = { ...saved, ...env };
  // The handler reads the clock itself: the fake deployment's last deliveries and exports are as of NOW.
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
  try {
    const summary = await handler();
    expect(summary.drifted).toEqual([]);
  } finally {
    jest.useRealTimers();
    process.env = saved;
  }
  const checked = logged.map((l) => JSON.parse(l) as { check?: string }).flatMap((l) => (l.check ? [l.check] : []));
  expect(new Set(checked)).toEqual(new Set(dailyChecks().map((c) => c.id)));
  expect(checked).not.toContain('deployment.templates-current');
}, 60_000);

test('a stack left in UPDATE_ROLLBACK_COMPLETE: its control publishes 1 and ControlsDrifted >= 1', async () => {
  const stackName = `${fake.world.name}-gateway`;
  fake.world.stackStatus.set(stackName, 'UPDATE_ROLLBACK_COMPLETE');
  try {
    const summary = await runDailyCheck(dailyChecks(), env, () => NOW);
    const { lines } = data();
    expect(lines).toContain(`${CONTROL_DRIFTED_METRIC}/Control=deployment-settled = 1`);
    const total = published.flatMap((p) => p.MetricData ?? []).find((d) => d.MetricName === CONTROLS_DRIFTED_METRIC)!;
    expect(total.Value).toBeGreaterThanOrEqual(1);
    expect(summary.drifted).toContain('deployment-settled');
    const failed = logged.map((l) => JSON.parse(l) as { status?: string; resource?: string; evidence?: string }).filter((r) => r.status === 'fail');
    expect(failed).toEqual([expect.objectContaining({ resource: `${stackName} (${fake.world.config.aws.region})`, evidence: expect.stringContaining('status UPDATE_ROLLBACK_COMPLETE') })]);
  } finally {
    fake.world.stackStatus.set(stackName, 'UPDATE_COMPLETE');
  }
}, 60_000);

test('a stack it cannot read is logged, and the check that looks at it fails (its control drifts) instead of the run stopping', async () => {
  const stacks = JSON.parse(env.STACKS!) as { stackName: string; role: string; region: string }[];
  const gone = [...stacks.slice(0, 4), { ...stacks[4]!, stackName: `${fake.world.name}-spend-deleted` }];
  const summary = await runDailyCheck(dailyChecks(), { ...env, STACKS: JSON.stringify(gone) }, () => NOW);
  expect(logged.map((l) => JSON.parse(l) as { event?: string; stack?: string }).find((l) => l.event === 'template-unreadable')).toMatchObject({ stack: `${fake.world.name}-spend-deleted` });
  expect(summary.drifted).toContain('deployment-settled');
}, 60_000);

test('a check that throws counts as its control drifting; the others still publish 0', async () => {
  const broken: LiveCheck = { id: 'x.broken', control: 'x-control', title: 'x', concern: 'deployment', daily: true, iam: [], run: async () => Promise.reject(new Error('boom')) };
  await runDailyCheck([...dailyChecks(), broken], env, () => NOW);
  const { lines } = data();
  expect(lines).toContain(`${CONTROL_DRIFTED_METRIC}/Control=x-control = 1`);
  expect(lines).toContain(`${CONTROLS_DRIFTED_METRIC} = 1`);
  for (const c of controls()) expect(lines).toContain(`${CONTROL_DRIFTED_METRIC}/Control=${c} = 0`);
}, 60_000);

test('many controls are published in batches of at most 20 data', async () => {
  const many: LiveCheck[] = Array.from({ length: 45 }, (_, i) => ({ id: `x.c${i}`, control: `c${String(i).padStart(2, '0')}`, title: 'x', concern: 'deployment', daily: true, iam: [], run: async () => [] }));
  await runDailyCheck(many, env, () => NOW);
  expect(published.map((p) => p.MetricData!.length)).toEqual([20, 20, 6]);
  // A check that returned nothing proved nothing: it fails.
  expect(published.flatMap((p) => p.MetricData!).find((d) => d.MetricName === CONTROLS_DRIFTED_METRIC)!.Value).toBe(45);
}, 60_000);

test('when it cannot publish, the run fails (the alarm then sees a day without data)', async () => {
  failPublish = true;
  await expect(runDailyCheck(dailyChecks(), env, () => NOW)).rejects.toThrow(/PutMetricData/);
}, 60_000);

test('a missing environment variable is named', async () => {
  const { METRIC_NAMESPACE: _omit, ...rest } = env;
  void _omit;
  await expect(runDailyCheck(dailyChecks(), rest, () => NOW)).rejects.toThrow('environment variable METRIC_NAMESPACE is not set');
});

// What a mutation run found unpinned (lambda/verify-controls).
describe('the handler, edge by edge', () => {
  /** Each CloudFormation and CloudWatch call: the client's region and the input. Undone after each test. */
  const undo: (() => void)[] = [];
  afterEach(() => undo.splice(0).forEach((u) => u()));
  const spyRegions = () => {
    const calls: { service: string; region: string; command: string; input: Record<string, unknown> }[] = [];
    for (const [service, Client] of [['cloudformation', CloudFormationClient], ['cloudwatch', CloudWatchClient]] as const) {
      // The send in place now (a fake's, or the recorder above): called through, and put back after.
      const proto = Client.prototype as unknown as { send: (c: unknown) => Promise<unknown> };
      const current = proto.send;
      const next = jest.isMockFunction(current) ? (current.getMockImplementation() as (c: unknown) => Promise<unknown>) : current;
      const record = async function (this: CloudFormationClient | CloudWatchClient, command: { input: Record<string, unknown>; constructor: { name: string } }) {
        calls.push({ service, region: await this.config.region(), command: command.constructor.name, input: command.input });
        return next.call(this, command);
      };
      if (jest.isMockFunction(current)) {
        current.mockImplementation(record as never);
        undo.push(() => current.mockImplementation(next as never));
      } else {
        proto.send = record as never;
        undo.push(() => (proto.send = current));
      }
    }
    return calls;
  };

  test('each stack is read back where it is deployed (the edge stack in us-east-1), as submitted (TemplateStage Original); metrics go to the main region', async () => {
    const calls = spyRegions();
    await runDailyCheck([], env, () => NOW);
    const stacks = JSON.parse(env.STACKS!) as { stackName: string; region: string }[];
    expect(new Set(stacks.map((s) => s.region))).toEqual(new Set([fake.world.config.aws.region, 'us-east-1']));
    const reads = calls.filter((c) => c.command === 'GetTemplateCommand').map((c) => ({ region: c.region, StackName: String(c.input.StackName), ...c.input }));
    expect(reads.sort((a, b) => a.StackName.localeCompare(b.StackName))).toEqual(
      stacks.map((s) => ({ region: s.region, StackName: s.stackName, TemplateStage: 'Original' })).sort((a, b) => a.StackName.localeCompare(b.StackName)),
    );
    const puts = calls.filter((c) => c.command === 'PutMetricDataCommand');
    expect(puts.map((c) => c.region)).toEqual([fake.world.config.aws.region]);
  }, 60_000);

  test('a stack it cannot read: the log names it and the error (name: message); the check reports the stack by its name', async () => {
    const stacks = JSON.parse(env.STACKS!) as { stackName: string; role: string; region: string }[];
    const deleted = `${fake.world.name}-spend-deleted`;
    await runDailyCheck(dailyChecks(), { ...env, STACKS: JSON.stringify([...stacks.slice(0, 4), { ...stacks[4]!, stackName: deleted }]) }, () => NOW);
    const lines = logged.map((l) => JSON.parse(l) as { event?: string; stack?: string; error?: string; status?: string; resource?: string });
    const unreadable = lines.filter((l) => l.event === 'template-unreadable');
    expect(unreadable).toEqual([{ event: 'template-unreadable', stack: deleted, error: expect.stringMatching(/^\w+: \S/) }]);
    expect(lines.filter((l) => l.status === 'fail').map((l) => l.resource)).toContain(`${deleted} (${stacks[4]!.region})`);
  }, 60_000);

  test('an empty environment variable is as missing as an absent one', async () => {
    await expect(runDailyCheck(dailyChecks(), { ...env, ACCOUNT: '' }, () => NOW)).rejects.toThrow('verify-controls: environment variable ACCOUNT is not set');
  });

  test('exactly 40 data (39 controls and the total) are two full batches, no empty third', async () => {
    const checks: LiveCheck[] = Array.from({ length: 39 }, (_, i) => ({ id: `x.c${i}`, control: `c${String(i).padStart(2, '0')}`, title: 'x', concern: 'deployment', daily: true, iam: [], run: async () => [] }));
    await runDailyCheck(checks, env, () => NOW);
    expect(published.map((p) => p.MetricData!.length)).toEqual([20, 20]);
  }, 60_000);

  test('the checks run read-only (writeProbes off, whatever a check could write), at the time given; the last line is the summary', async () => {
    const seen: { writeProbes: boolean; now: Date }[] = [];
    const probe: LiveCheck = { id: 'x.options', control: 'x-options', title: 'x', concern: 'deployment', daily: true, iam: [], run: async (ctx) => (seen.push({ ...ctx.options }), []) };
    const summary = await runDailyCheck([probe], env, () => NOW);
    expect(seen).toEqual([{ writeProbes: false, now: NOW }]);
    expect(JSON.parse(logged[logged.length - 1]!)).toEqual({ event: 'summary', ...summary });
    expect(summary).toEqual({ checks: 1, controls: 1, drifted: ['x-options'] });
  }, 60_000);
});
