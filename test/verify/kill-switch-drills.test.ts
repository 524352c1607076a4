/**
 * The kill-switch drills against the fake of a correct example/prod, where
 * the fake Lambda runs the real kill switch (lambda/kill-switch) in-process
 * and its EC2, SSM, IAM and SNS calls are answered by the world's fakes:
 * the dry run's plan is what the deployed code would plan, and the kill
 * drill's signal goes through SNS to the function as the spend alarm's would.
 */
import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { attachedPolicies, instances, parameters } from '../support/fake-deployment/kill-world';
import { functionDrift } from '../support/fake-deployment/lambda';
import { deliveries, published } from '../support/fake-deployment/sns';
import { synthesizeFixture } from '../support/fake-deployment/world';
import { dryRunDrill, makeKillDrill, type DrillClock } from '../../lib/spend/kill-switch-drills';
import { runVerify } from '../../lib/verify/verify-command';

let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
}, 180_000);
afterAll(() => fake.restore());
// The kill switch logs one JSON line per step; the results are what is asserted.
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

const ctx = () =>
  fake.world.verifyContext({ now: NOW });
const log = () => {
  const lines: string[] = [];
  return { lines, log: (l: string) => lines.push(l) };
};

const name = () => fake.world.name;
const killSwitch = () => `${name()}-kill-switch`;
/** The gateway instance (the gateway stack's only AWS::EC2::Instance). */
const gateway = () => {
  const r = fake.world.resources('AWS::EC2::Instance', 'gateway')[0]!;
  return fake.world.physicalId(r.role, r.logicalId);
};
const secretNames = ['openclaw/example/prod/gateways/ops/token', 'openclaw/example/prod/gateways/support/token', 'openclaw/example/prod/agents/ops', 'openclaw/example/prod/agents/support', 'openclaw/example/prod/origin-verify'];

afterEach(async () => {
  await Promise.all(deliveries(fake.world));
  functionDrift(fake.world).clear();
  parameters(fake.world).clear();
  attachedPolicies(fake.world).clear();
  delete fake.world.state['ec2.instances'];
  jest.restoreAllMocks();
});

describe('--drill=dry-run', () => {
  it('passes: the plan stops the gateway instance and denies the host its secrets, and changes nothing', async () => {
    const results = await dryRunDrill.run(ctx(), log().log);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.map((r) => r.resource)).toEqual([
      `instance ${gateway()}`,
      expect.stringMatching(new RegExp(`^role ${name()}-gateway-HostRole\\w+$`)),
      ...secretNames.map((s) => expect.stringMatching(new RegExp(`^secret arn:aws:secretsmanager:(eu-west-1|us-east-1):${fake.world.account}:secret:${s}-`))),
    ]);
    expect(results.at(-1)!.evidence).toBe(`denied: the plan attaches arn:aws:iam::${fake.world.account}:policy/${name()}-kill-switch-deny-secrets, which denies reading it`);
    expect(results[0]!.evidence).toBe('plan: would-stop (now running)');
    expect(instances(fake.world).get(gateway())!.state).toBe('running');
    expect(parameters(fake.world).size).toBe(0);
    expect(attachedPolicies(fake.world).size).toBe(0);
  });

  it('fails when the plan names an extra instance carrying the deployment tag', async () => {
    const extra = 'i-0abcdef1234567890';
    instances(fake.world).set(extra, { state: 'running', settleIn: 0, statusChecks: 'ok', tags: [{ Key: 'openclaw:deployment', Value: name() }] });
    functionDrift(fake.world).set(killSwitch(), { environment: { INSTANCE_IDS: `${gateway()},${extra}` } });
    const failed = (await dryRunDrill.run(ctx(), log().log)).filter((r) => r.status === 'fail');
    expect(failed.map((r) => [r.control, r.resource, r.evidence])).toEqual([
      ['kill-switch-plan', `instance ${extra}`, "plan: would-stop (now running); expected no such instance: it is not the gateway stack's"],
    ]);
  });

  it('fails, naming each secret, when the plan denies no secret', async () => {
    functionDrift(fake.world).set(killSwitch(), { environment: { DENY_SECRETS: 'false' } });
    const failed = (await dryRunDrill.run(ctx(), log().log)).filter((r) => r.status === 'fail');
    expect(failed[0]!.evidence).toMatch(/^no deny in the plan; expected would-attach arn:aws:iam::\d+:policy\/openclaw-example-prod-kill-switch-deny-secrets to \S+$/);
    expect(failed.slice(1).map((r) => r.evidence)).toEqual(secretNames.map(() => 'not denied by the plan; expected denied to the host by the plan'));
    expect(failed.slice(1).map((r) => r.resource.split(':secret:')[1]!.replace(/-AbCdEf$/, ''))).toEqual(secretNames);
  });

  it('fails when the plan misses the gateway instance', async () => {
    functionDrift(fake.world).set(killSwitch(), { environment: { INSTANCE_IDS: 'i-0fedcba9876543210' } });
    const failed = (await dryRunDrill.run(ctx(), log().log)).filter((r) => r.status === 'fail');
    expect(failed.map((r) => [r.resource, r.evidence])).toEqual([
      [`instance ${gateway()}`, 'not in the plan; expected would-stop: the gateway instance'],
      ['instance i-0fedcba9876543210', "plan: missing (now missing); expected no such instance: it is not the gateway stack's"],
    ]);
  });
});

describe('--drill=kill', () => {
  /** A clock that moves only when the drill waits; each wait lets the fake's SNS delivery run. */
  const fakeClock = (): DrillClock & { elapsed: () => number } => {
    let t = 0;
    return { now: () => t, elapsed: () => t, sleep: async (ms) => { t += ms; await new Promise((r) => setImmediate(r)); } };
  };

  it('passes: the breach signal stops the instance within 3 minutes, restore brings it back healthy; both timed', async () => {
    const out = log();
    const results = await makeKillDrill(fakeClock()).run(ctx(), out.log);
    expect(results.map((r) => [r.status, r.control, r.resource])).toEqual([
      ['pass', 'kill-switch-drill', gateway()],
      ['pass', 'kill-switch-drill', gateway()],
    ]);
    expect(results[0]!.evidence).toMatch(/^stopped \d+ s after the breach signal \(goal 180 s\)$/);
    expect(results[1]!.evidence).toMatch(new RegExp(`^restored and healthy \\d+ s after the restore \\(${gateway()} running status ok/ok, ${name()}-gateway-unhealthy OK\\)$`));
    const signal = published(fake.world).find((p) => p.topicArn.endsWith(`:${name()}-shutdown`));
    expect(JSON.parse(signal!.message)).toMatchObject({ AlarmName: `${name()}-model-spend-daily-limit`, NewStateValue: 'ALARM' });
    expect(JSON.parse(parameters(fake.world).get(`/openclaw/${name()}/kill-switch`)!)).toMatchObject({ state: 'restored', complete: true });
    expect(attachedPolicies(fake.world).get(`${name()}-gateway-HostRole`) ?? new Set()).toEqual(new Set());
    expect(instances(fake.world).get(gateway())!.state).toBe('running');
  });

  it('fails when the instance never stops within the limit, and says what it saw', async () => {
    instances(fake.world).get(gateway())!.stuck = true;
    const clock = fakeClock();
    const results = await makeKillDrill(clock).run(ctx(), log().log);
    expect(results[0]).toMatchObject({ status: 'fail', control: 'kill-switch-drill', resource: gateway(), evidence: `${gateway()} stopping 180 s after the breach signal; expected stopped within 180 s` });
    expect(results[1]).toMatchObject({ status: 'fail', evidence: expect.stringMatching(/^restore failed: kill switch restore incomplete: instance i-\w+: the instance is still stopping/) });
    expect(clock.elapsed()).toBe(180_000);
  });

  it('restores even when waiting for the stop fails (throttled, credentials expired): the deployment is never left killed', async () => {
    const clock = fakeClock();
    let polls = 0;
    const throttling = { ...clock, sleep: async (ms: number) => {
      await clock.sleep(ms);
      if (++polls === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    } };
    const results = await makeKillDrill(throttling).run(ctx(), log().log);
    expect(results[0]).toMatchObject({ status: 'fail', resource: gateway(), evidence: 'waiting for the stop failed: ThrottlingException: Rate exceeded' });
    expect(results[1]).toMatchObject({ status: 'pass', evidence: expect.stringMatching(/^restored and healthy/) });
    expect(JSON.parse(parameters(fake.world).get(`/openclaw/${name()}/kill-switch`)!)).toMatchObject({ state: 'restored', complete: true });
    expect(instances(fake.world).get(gateway())!.state).toBe('running');
  });

  it('fails at once when the gateway is not running', async () => {
    instances(fake.world).get(gateway())!.state = 'stopped';
    expect(await makeKillDrill(fakeClock()).run(ctx(), log().log)).toEqual([
      { check: 'drill.kill', control: 'kill-switch-drill', status: 'fail', resource: gateway(), evidence: 'not running (stopped): nothing to drill; expected running' },
    ]);
  });

  it('is refused on prod by npm run verify, before any AWS call', async () => {
    const err: string[] = [];
    const code = await runVerify(['--client', 'example', '--env', 'prod', '--drill', 'kill'], { io: { out: () => undefined, err: (t) => err.push(t) }, now: () => NOW });
    expect(code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^verify: --drill kill changes the deployment and runs only on .*, not prod$/)]);
  });
});
