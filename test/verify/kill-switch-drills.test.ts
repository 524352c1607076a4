/**
 * The kill-switch drills against the fake of a correct example/prod, where
 * the fake Lambda runs the real kill switch (lambda/kill-switch) in-process
 * and its EC2, SSM, IAM and SNS calls are answered by the world's fakes:
 * the dry run's plan is what the deployed code would plan, and the kill
 * drill's signal goes through SNS to the function as the spend alarm's would.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, DescribeInstanceStatusCommand, EC2Client } from '@aws-sdk/client-ec2';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { attachedPolicies, instances, parameters } from '../support/fake-deployment/kill-world';
import { functionDrift } from '../support/fake-deployment/lambda';
import { deliveries, published } from '../support/fake-deployment/sns';
import { FakeWorld, synthesizeFixture } from '../support/fake-deployment/world';
import { dryRunDrill, killDrill, makeKillDrill, type DrillClock } from '../../lib/spend/kill-switch-drills';
import { runVerify } from '../../lib/verify/verify-command';
import { expectedKillPlan } from '../../lib/spend/live-kill-plan';
import type { VerifyContext } from '../../lib/verify/verify-context';
import { withClient, type SendOnly } from '../support/fake-deployment/wrapped-client';

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
/**
 * Most sleeps one drill may take here. Its waits poll a few dozen times at most; a wait that never
 * ends (a regression, a mutant) fails at this bound within milliseconds instead of at the test
 * timeout, so one such mutant does not add a minute per covering test.
 */
const MAX_SLEEPS = 1_000;
/** A clock that moves only when the drill waits, from `start`; each wait lets the fakes (SNS delivery) run. */
function steppedClock(start = 0): DrillClock {
  let t = start;
  let sleeps = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      if (++sleeps > MAX_SLEEPS) throw new Error(`slept more than ${MAX_SLEEPS} times: a wait of the drill never ends`);
      t += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}
const secretNames = ['openclaw/example/prod/gateways/ops/token', 'openclaw/example/prod/gateways/support/token', 'openclaw/example/prod/agents/ops', 'openclaw/example/prod/agents/support', 'openclaw/example/prod/origin-verify'];

/** The world with the spend stack's deny policy statements replaced. */
const withDenyStatements = (statements: unknown[]) =>
  new FakeWorld({
    ...fake.world.fixture,
    stacks: fake.world.stacks.map((s) =>
      s.role !== 'spend'
        ? s
        : {
            ...s,
            template: {
              ...s.template,
              Resources: Object.fromEntries(
                Object.entries(s.template.Resources ?? {}).map(([id, r]) => [
                  id,
                  r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties).includes('kill-switch-deny-secrets')
                    ? { ...r, Properties: { ...r.Properties, PolicyDocument: { Version: '2012-10-17', Statement: statements } } }
                    : r,
                ]),
              ),
            },
          },
    ) as typeof fake.world.stacks,
  }).verifyContext({ now: NOW });
const secretArns = async (c: VerifyContext) => Promise.all(c.find('AWS::SecretsManager::Secret').map((r) => c.physicalId(r)));

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

  it('fails, naming the secret, when the deny policy leaves a secret uncovered', async () => {
    const arns = await secretArns(ctx());
    const support = arns.find((a) => a.includes(':secret:openclaw/example/prod/agents/support-'))!;
    const policyArn = `arn:aws:iam::${fake.world.account}:policy/${name()}-kill-switch-deny-secrets`;
    const results = await dryRunDrill.run(withDenyStatements([{ Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: arns.filter((a) => a !== support) }]), log().log);
    expect(results.filter((r) => r.status === 'fail').map((r) => [r.control, r.resource, r.evidence])).toEqual([
      ['kill-switch-plan', `secret ${support}`, `NOT covered by ${policyArn}; expected denied to the host by the plan`],
    ]);
    expect(results.filter((r) => r.status === 'pass')).toHaveLength(1 + 1 + secretNames.length - 1);
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
    const clock = steppedClock();
    return { ...clock, elapsed: clock.now };
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

describe('the expected kill plan (lib/spend/live-kill-plan.ts) and the drill settings', () => {
  /** `c` with other spend settings (a context on top of it: its state shared through the prototype). */
  const withSpend = (c: VerifyContext, spend: Partial<VerifyContext['settings']['spend']>): VerifyContext => {
    const w = Object.create(c) as VerifyContext & { settings: VerifyContext['settings'] };
    w.settings = { ...c.settings, spend: { ...c.settings.spend, ...spend } };
    return w;
  };
  const policyArnOf = () => `arn:aws:iam::${fake.world.account}:policy/${name()}-kill-switch-deny-secrets`;

  it('the settings of the drills: the function, its state parameter, the shutdown topic, the example\'s onShutdown, 180 s to stop, 1200 s to be healthy, polled every 10 s', () => {
    expect(ctx().settings.spend).toEqual({
      killSwitchFunction: killSwitch(),
      killSwitchStateParameter: `/openclaw/${name()}/kill-switch`,
      shutdownTopicName: `${name()}-shutdown`,
      disableDistribution: false,
      denySecrets: true,
      killDrill: { stopWithinSeconds: 180, restoreWithinSeconds: 1200, pollSeconds: 10 },
    });
  });

  it('example/prod: the gateway instance, no distribution, the deny policy on the host role covering every secret', async () => {
    const c = ctx();
    const plan = await expectedKillPlan(c);
    expect(plan.instances).toEqual([gateway()]);
    expect('distribution' in plan).toBe(false);
    expect(plan.deny!.roleName).toMatch(new RegExp(`^${name()}-gateway-HostRole\\w+$`));
    expect(plan.deny!.policyArn).toBe(`arn:aws:iam::${fake.world.account}:policy/${name()}-kill-switch-deny-secrets`);
    expect([...plan.deny!.secrets]).toEqual((await secretArns(c)).map((a) => [a, true]));
  });

  it('with disableDistribution the distribution is in the plan; without denySecrets there is no deny', async () => {
    const distribution = fake.world.resources('AWS::CloudFront::Distribution', 'edge')[0]!;
    const plan = await expectedKillPlan(withSpend(ctx(), { disableDistribution: true, denySecrets: false }));
    expect(plan).toEqual({ instances: [gateway()], distribution: fake.world.physicalId('edge', distribution.logicalId) });
    expect(await expectedKillPlan(withSpend(ctx(), { denySecrets: false }))).toEqual({ instances: [gateway()] });
  });

  it('which secrets a deny statement covers: IAM wildcards (* and ?), a literal dot, Deny only, the read action only', async () => {
    const c = ctx();
    const arns = await secretArns(c);
    const ops = arns.find((a) => a.includes(':secret:openclaw/example/prod/agents/ops-'))!;
    const covered = async (statements: unknown[]) => {
      const plan = await expectedKillPlan(withDenyStatements(statements));
      return arns.filter((a) => plan.deny!.secrets.get(a));
    };
    const deny = (Action: unknown, Resource: unknown) => ({ Effect: 'Deny', Action, Resource });
    expect(await covered([deny('secretsmanager:GetSecretValue', '*')])).toEqual(arns);
    expect(await covered([deny(['kms:Decrypt', 'secretsmanager:Get*'], [ops])])).toEqual([ops]);
    expect(await covered([deny('secretsmanager:GetSecretValu?', ops.replace(/agents\/ops-.*$/, 'agents/op?-*'))])).toEqual([ops]);
    // A "." in a pattern is a dot, not any character; "?" is exactly one.
    expect(await covered([deny('secretsmanager:GetSecretValue', ops.replace('secretsmanager', 'secretsmanager').replace(/:(\d{12}):/, ':$1.').replace(/\.$/, ''))])).toEqual([]);
    expect(await covered([deny('secretsmanager:GetSecretValue', ops.replace(/.$/, '??'))])).toEqual([]);
    expect(await covered([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }])).toEqual([]);
    expect(await covered([deny('secretsmanager:DescribeSecret', '*')])).toEqual([]);
    expect(await covered([{ Effect: 'Deny', Resource: '*' }, { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue' }])).toEqual([]);
    // One covering statement among others is enough; a special character of a pattern is itself ("+" is no repeat).
    expect(await covered([{ Effect: 'Allow', Action: '*', Resource: '*' }, deny('secretsmanager:GetSecretValue', '*')])).toEqual(arns);
    expect(await covered([deny('secretsmanager:GetSecretValue', ops.replace('arn:aws', 'arn+:aws'))])).toEqual([]);
    // Both conditions in one statement: an action statement and a resource statement apart do not add up.
    expect(await covered([deny('secretsmanager:GetSecretValue', 'arn:aws:s3:::x'), deny('s3:GetObject', ops)])).toEqual([]);
  });

  it('refused, naming what is missing: no deny policy with denySecrets on, a gateway instance without an instance profile', async () => {
    const noPolicy = new FakeWorld({
      ...fake.world.fixture,
      stacks: fake.world.stacks.map((s) =>
        s.role !== 'spend' ? s : { ...s, template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).filter(([, r]) => !(r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties).includes('kill-switch-deny-secrets')))) } },
      ) as typeof fake.world.stacks,
    }).verifyContext({ now: NOW });
    await expect(expectedKillPlan(noPolicy)).rejects.toThrow('spend.onShutdown.denySecrets is on, but the spend stack has no <name>-kill-switch-deny-secrets policy');
    const noProfile = new FakeWorld({
      ...fake.world.fixture,
      stacks: fake.world.stacks.map((s) =>
        s.role !== 'gateway'
          ? s
          : { ...s, template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).map(([id, r]) => [id, r.Type === 'AWS::EC2::Instance' ? { ...r, Properties: { ...r.Properties, IamInstanceProfile: undefined } } : r])) } },
      ) as typeof fake.world.stacks,
    }).verifyContext({ now: NOW });
    await expect(expectedKillPlan(noProfile)).rejects.toThrow(`${name()}-gateway has no gateway instance with an instance profile`);
    /** The world with the gateway stack's resources of `type` changed by `change`. */
    const gatewayWith = (type: string, change: (r: { Type: string; Properties?: Record<string, unknown> }) => object) =>
      new FakeWorld({
        ...fake.world.fixture,
        stacks: fake.world.stacks.map((s) =>
          s.role !== 'gateway' ? s : { ...s, template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).map(([id, r]) => [id, r.Type === type ? change(r as never) : r])) } },
        ) as typeof fake.world.stacks,
      }).verifyContext({ now: NOW });
    await expect(expectedKillPlan(gatewayWith('AWS::EC2::Instance', (r) => ({ Type: r.Type })))).rejects.toThrow(`${name()}-gateway has no gateway instance with an instance profile`);
    const profileId = (fake.world.resources('AWS::EC2::Instance', 'gateway')[0]!.resource.Properties as { IamInstanceProfile: { Ref: string } }).IamInstanceProfile.Ref;
    for (const bare of [(r: { Type: string }) => ({ Type: r.Type }), (r: { Type: string; Properties?: Record<string, unknown> }) => ({ ...r, Properties: { ...r.Properties, Roles: undefined } })]) {
      await expect(expectedKillPlan(gatewayWith('AWS::IAM::InstanceProfile', bare))).rejects.toThrow(`${name()}-gateway: the gateway instance profile ${profileId} names no role`);
    }
  });

  it('the deny policy is the one named <name>-kill-switch-deny-secrets, whatever else the spend stack holds', async () => {
    const spendWith = (extra: Record<string, object>, first: boolean) =>
      new FakeWorld({
        ...fake.world.fixture,
        stacks: fake.world.stacks.map((s) => (s.role !== 'spend' ? s : { ...s, template: { ...s.template, Resources: first ? { ...extra, ...s.template.Resources } : { ...s.template.Resources, ...extra } } })) as typeof fake.world.stacks,
      }).verifyContext({ now: NOW });
    const others = {
      BarePolicy: { Type: 'AWS::IAM::ManagedPolicy' },
      OtherPolicy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: `${name()}-something-else`, PolicyDocument: { Version: '2012-10-17', Statement: [] } } },
    };
    for (const first of [true, false]) expect((await expectedKillPlan(spendWith(others, first))).deny!.policyArn).toBe(policyArnOf());
  });
});

describe('the drills, edge by edge (what a mutation run found unpinned)', () => {
  const wrapped = (kind: unknown, wrap: (real: SendOnly) => SendOnly, c: VerifyContext = ctx()) => withClient(c, kind, wrap);
  /** The kill switch answering every invocation with `answer(request)` (a summary, or an error message). */
  const killSwitchAnswering = (answer: (request: Record<string, unknown>) => { summary?: unknown; error?: string }, c?: VerifyContext) =>
    wrapped(
      LambdaClient,
      (real) => ({
        send: async (cmd) => {
          if (!(cmd instanceof InvokeCommand)) return real.send(cmd);
          const a = answer(JSON.parse(new TextDecoder().decode(cmd.input.Payload as Uint8Array)) as Record<string, unknown>);
          const body = a.error !== undefined ? { errorMessage: a.error } : a.summary;
          return { StatusCode: 200, ...(a.error !== undefined ? { FunctionError: 'Unhandled' } : {}), Payload: new TextEncoder().encode(JSON.stringify(body)) };
        },
      }),
      c,
    );
  const policyArn = () => `arn:aws:iam::${fake.world.account}:policy/${name()}-kill-switch-deny-secrets`;
  const planOf = async (summary: unknown, c?: VerifyContext) => (await dryRunDrill.run(killSwitchAnswering(() => ({ summary }), c), () => undefined)).map((r) => [r.status, r.resource, r.evidence]);
  const hostRole = async () => (await expectedKillPlan(ctx())).deny!.roleName;

  it('the gateway stack has exactly one instance (what the drills stop and restore)', () => {
    expect(fake.world.resources('AWS::EC2::Instance', 'gateway')).toHaveLength(1);
  });

  it('the drills: ids, titles, where they may run; their results labelled drill.<id> with the control', async () => {
    expect([dryRunDrill.id, dryRunDrill.title, dryRunDrill.nonProdOnly]).toEqual(['dry-run', 'The kill switch plans to stop and deny exactly the gateway instances and secrets (dry run, changes nothing)', false]);
    const kill = makeKillDrill();
    expect([kill.id, kill.title, kill.nonProdOnly]).toEqual(['kill', 'A real kill and restore, timed: stopped within 3 minutes of the breach signal, then healthy again', true]);
    const out = log();
    const results = await dryRunDrill.run(ctx(), out.log);
    expect(results.every((r) => r.check === 'drill.dry-run' && r.control === 'kill-switch-plan')).toBe(true);
    expect(out.lines).toEqual([`invoking ${killSwitch()} with a dry-run kill`]);
  });

  it('dry run: a failed invocation, or an answer that is not a dry run, fails at once', async () => {
    expect((await dryRunDrill.run(killSwitchAnswering(() => ({ error: 'boom' })), () => undefined)).map((r) => [r.status, r.resource, r.evidence])).toEqual([['fail', killSwitch(), 'the dry run failed: boom']]);
    for (const dry of [false, undefined]) {
      expect(await planOf({ dryRun: dry, instances: [{ id: gateway(), before: 'running', result: 'stopped' }] })).toEqual([
        ['fail', killSwitch(), `the kill switch answered dryRun ${String(dry)}: it may have acted; expected a dry run`],
      ]);
    }
  });

  it('dry run: an instance already stopped is fine; another result, or no instances at all, fails', async () => {
    const role = await hostRole();
    const deny = { roleName: role, policyArn: policyArn(), result: 'would-attach' };
    const stopped = await planOf({ dryRun: true, instances: [{ id: gateway(), before: 'stopped', result: 'already-stopped' }], denySecrets: deny });
    expect(stopped[0]).toEqual(['pass', `instance ${gateway()}`, 'plan: already-stopped (now stopped)']);
    const skipped = await planOf({ dryRun: true, instances: [{ id: gateway(), before: 'running', result: 'skipped' }], denySecrets: deny });
    expect(skipped[0]).toEqual(['fail', `instance ${gateway()}`, 'plan: skipped (now running); expected would-stop: the gateway instance']);
    // A plan without its instances field: the gateway instance is missing, and nothing else is made up.
    expect((await planOf({ dryRun: true, denySecrets: deny })).filter((r) => String(r[1]).startsWith('instance'))).toEqual([['fail', `instance ${gateway()}`, 'not in the plan; expected would-stop: the gateway instance']]);
  });

  it('dry run: the distribution is checked when configured or when the plan names one', async () => {
    const role = await hostRole();
    const base = { dryRun: true, instances: [{ id: gateway(), before: 'running', result: 'would-stop' }], denySecrets: { roleName: role, policyArn: policyArn(), result: 'would-attach' } };
    const distribution = fake.world.physicalId('edge', fake.world.resources('AWS::CloudFront::Distribution', 'edge')[0]!.logicalId);
    const rows = (r: unknown[][]) => r.filter((x) => String(x[1]).startsWith('distribution'));
    // Not configured, not planned: no row. Not configured but planned: a failure.
    expect(rows(await planOf(base))).toEqual([]);
    expect(rows(await planOf({ ...base, distribution: { id: distribution, result: 'would-disable' } }))).toEqual([
      ['fail', `distribution ${distribution}`, `plan: would-disable ${distribution}; expected no distribution (spend.onShutdown.disableDistribution is off)`],
    ]);
    // Configured: planned passes, missing fails.
    const configured = Object.create(ctx()) as VerifyContext & { settings: VerifyContext['settings'] };
    configured.settings = { ...configured.settings, spend: { ...configured.settings.spend, disableDistribution: true } };
    expect(rows(await planOf({ ...base, distribution: { id: distribution, result: 'would-disable' } }, configured))).toEqual([['pass', `distribution ${distribution}`, `plan: would-disable ${distribution}`]]);
    expect(rows(await planOf(base, configured))).toEqual([['fail', `distribution ${distribution}`, `not in the plan; expected would-disable ${distribution}`]]);
  });

  it('dry run: the deny must be the policy, on the host role, to attach; none when denySecrets is off; a secret it does not cover is named', async () => {
    const role = await hostRole();
    const instancesOk = { dryRun: true, instances: [{ id: gateway(), before: 'running', result: 'would-stop' }] };
    const roleRow = async (denySecrets: unknown) => (await planOf({ ...instancesOk, denySecrets })).find((r) => String(r[1]).startsWith('role '));
    const expected = `would-attach ${policyArn()} to ${role}`;
    expect(await roleRow({ roleName: role, policyArn: policyArn(), result: 'would-attach' })).toEqual(['pass', `role ${role}`, `plan: would-attach ${policyArn()} to ${role}`]);
    expect(await roleRow({ roleName: role, policyArn: `${policyArn()}-old`, result: 'would-attach' })).toEqual(['fail', `role ${role}`, `plan: would-attach ${policyArn()}-old to ${role}; expected ${expected}`]);
    expect(await roleRow({ roleName: role, policyArn: policyArn(), result: 'already-attached' })).toEqual(['fail', `role ${role}`, `plan: already-attached ${policyArn()} to ${role}; expected ${expected}`]);
    // denySecrets off: a deny in the plan fails, naming it; none passes with no row.
    const off = Object.create(ctx()) as VerifyContext & { settings: VerifyContext['settings'] };
    off.settings = { ...off.settings, spend: { ...off.settings.spend, denySecrets: false } };
    expect(await planOf({ ...instancesOk, denySecrets: { roleName: role, policyArn: policyArn(), result: 'would-attach' } }, off)).toEqual([
      ['pass', `instance ${gateway()}`, 'plan: would-stop (now running)'],
      ['fail', `role ${role}`, `plan: would-attach ${policyArn()}; expected no deny (spend.onShutdown.denySecrets is off)`],
    ]);
    expect(await planOf(instancesOk, off)).toEqual([['pass', `instance ${gateway()}`, 'plan: would-stop (now running)']]);
  });

  it('kill: nothing to imitate when no template alarm signals the shutdown topic (nothing is published)', async () => {
    const quiet = new FakeWorld({
      ...fake.world.fixture,
      stacks: fake.world.stacks.map((s) => ({
        ...s,
        template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).map(([id, r]) => [id, r.Type === 'AWS::CloudWatch::Alarm' ? { ...r, Properties: { ...r.Properties, AlarmActions: undefined } } : r])) },
      })) as typeof fake.world.stacks,
    }).verifyContext({ now: NOW });
    const sent = published(fake.world).length;
    expect((await makeKillDrill({ now: () => 0, sleep: async () => undefined }).run(quiet, () => undefined)).map((r) => [r.status, r.resource, r.evidence])).toEqual([
      ['fail', `arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-shutdown`, 'no alarm of the templates signals the shutdown topic: nothing to imitate'],
    ]);
    expect(published(fake.world).length).toBe(sent);
  });

  it('kill: the breach signal is the alarm\'s ALARM notification, field by field; the log says each step', async () => {
    const out = log();
    const clock = steppedClock(Date.parse('2026-12-07T06:00:00Z'));
    await makeKillDrill(clock).run(ctx(), out.log);
    const signal = published(fake.world).filter((p) => p.topicArn.endsWith(`:${name()}-shutdown`)).at(-1)!;
    const alarm = `${name()}-model-spend-daily-limit`;
    expect(signal.subject).toBe(`ALARM: "${alarm}" (drill)`);
    expect(JSON.parse(signal.message)).toEqual({
      AlarmName: alarm,
      AlarmDescription: 'npm run verify --drill=kill',
      AWSAccountId: fake.world.account,
      NewStateValue: 'ALARM',
      NewStateReason: 'npm run verify --drill=kill: a drill of the kill switch, not a real breach',
      StateChangeTime: '2026-12-07T06:00:00.000Z',
      Region: 'eu-west-1',
      AlarmArn: `arn:aws:cloudwatch:eu-west-1:${fake.world.account}:alarm:${alarm}`,
      OldStateValue: 'OK',
    });
    expect(out.lines).toEqual([`publishing ${alarm} ALARM to arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-shutdown`, 'restoring through the kill switch (npm run restore)']);
  });

  it('kill: a restore that throws is reported with what to do; the stop is timed in whole seconds', async () => {
    const clock = steppedClock(0);
    const c = wrapped(LambdaClient, (real) => ({
      send: async (cmd) => {
        if (cmd instanceof InvokeCommand && new TextDecoder().decode(cmd.input.Payload as Uint8Array).includes('"restore"')) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
        return real.send(cmd);
      },
    }));
    const results = await makeKillDrill(clock).run(c, () => undefined);
    expect(results.map((r) => [r.status, r.resource, r.evidence])).toEqual([
      ['pass', gateway(), expect.stringMatching(/^stopped \d{1,3} s after the breach signal \(goal 180 s\)$/)],
      ['fail', killSwitch(), 'restore failed: TooManyRequestsException: Rate exceeded; run npm run restore, then check the instance'],
    ]);
    // (afterEach resets the instances, the state parameter and the attached policies the kill left.)
  });

  it('kill: an unhealthy alarm that stays in ALARM fails the restore after the limit, naming the instance, its checks and the alarm', async () => {
    const clock = steppedClock(0);
    const c = wrapped(CloudWatchClient, (real) => ({
      send: async (cmd) => {
        const out = (await real.send(cmd)) as { MetricAlarms?: { AlarmName?: string; StateValue?: string }[] };
        if (!(cmd instanceof DescribeAlarmsCommand)) return out;
        return { ...out, MetricAlarms: (out.MetricAlarms ?? []).map((a) => (a.AlarmName?.endsWith('-gateway-unhealthy') ? { ...a, StateValue: 'ALARM' } : a)) };
      },
    }));
    const results = await makeKillDrill(clock).run(c, () => undefined);
    expect(results[1]).toMatchObject({
      status: 'fail',
      resource: gateway(),
      evidence: `${gateway()} running status ok/ok, ${name()}-gateway-unhealthy ALARM 1200 s after the restore; expected running, status checks ok and the gateway healthy`,
    });
  });

  it('kill: without a gateway-unhealthy alarm in the templates, running with status checks ok is healthy', async () => {
    const clock = steppedClock(0);
    const noUnhealthy = new FakeWorld({
      ...fake.world.fixture,
      stacks: fake.world.stacks.map((s) => ({
        ...s,
        template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).filter(([, r]) => !(r.Type === 'AWS::CloudWatch::Alarm' && String((r.Properties as { AlarmName?: unknown } | undefined)?.AlarmName ?? '').endsWith('-gateway-unhealthy')))) },
      })) as typeof fake.world.stacks,
    }).verifyContext({ now: NOW });
    const results = await makeKillDrill(clock).run(noUnhealthy, () => undefined);
    expect(results[1]).toMatchObject({ status: 'pass', evidence: expect.stringMatching(new RegExp(`^restored and healthy \\d+ s after the restore \\(${gateway()} running status ok/ok\\)$`)) });
  });
});

describe('the kill drill\'s instance states and clock (what a mutation run found unpinned)', () => {
  const clockFrom = (start: number) => steppedClock(start);

  it('times from the breach signal whatever the clock reads: the same seconds from 0 and from a real date, under the goal', async () => {
    const fromZero = await makeKillDrill(clockFrom(0)).run(ctx(), () => undefined);
    delete fake.world.state['ec2.instances'];
    const fromDate = await makeKillDrill(clockFrom(Date.parse('2026-12-07T06:00:00Z'))).run(ctx(), () => undefined);
    expect(fromDate.map((r) => [r.status, r.evidence])).toEqual(fromZero.map((r) => [r.status, r.evidence]));
    const seconds = Number(/^stopped (\d+) s after the breach signal \(goal 180 s\)$/.exec(fromDate[0]!.evidence)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(180);
  });

  it('asks EC2 for the gateway instance only, and for status checks only of running instances', async () => {
    const asked: [string, unknown][] = [];
    const c = withClient(ctx(), EC2Client, (real) => ({
      send: async (cmd) => {
        if (cmd instanceof DescribeInstancesCommand || cmd instanceof DescribeInstanceStatusCommand) asked.push([cmd.constructor.name, (cmd.input as { InstanceIds?: unknown }).InstanceIds]);
        return real.send(cmd);
      },
    }));
    await makeKillDrill(clockFrom(0)).run(c, () => undefined);
    expect(new Set(asked.map(([, ids]) => JSON.stringify(ids)))).toEqual(new Set([JSON.stringify([gateway()])]));
    // While the instance is stopping or stopped, no status call is made: there are as many DescribeInstances as polls, fewer status calls.
    expect(asked.filter(([n]) => n === 'DescribeInstanceStatusCommand').length).toBeLessThan(asked.filter(([n]) => n === 'DescribeInstancesCommand').length);
  });

  it('an instance EC2 does not list is "missing"; an answer without state or status fields reads "?"', async () => {
    const gone = withClient(ctx(), EC2Client, (real) => ({ send: async (cmd) => (cmd instanceof DescribeInstancesCommand ? { Reservations: [{}] } : real.send(cmd)) }));
    expect((await makeKillDrill(clockFrom(0)).run(gone, () => undefined)).map((r) => r.evidence)).toEqual(['not running (missing): nothing to drill; expected running']);
    const bare = withClient(ctx(), EC2Client, (real) => ({ send: async (cmd) => (cmd instanceof DescribeInstancesCommand ? { Reservations: [{ Instances: [{ InstanceId: gateway() }] }] } : real.send(cmd)) }));
    expect((await makeKillDrill(clockFrom(0)).run(bare, () => undefined)).map((r) => r.evidence)).toEqual(['not running (?): nothing to drill; expected running']);
    const noReservations = withClient(ctx(), EC2Client, (real) => ({ send: async (cmd) => (cmd instanceof DescribeInstancesCommand ? {} : real.send(cmd)) }));
    expect((await makeKillDrill(clockFrom(0)).run(noReservations, () => undefined)).map((r) => r.evidence)).toEqual(['not running (missing): nothing to drill; expected running']);
    // Status checks without their fields: '?/?', so the restore never counts as healthy.
    const noStatus = withClient(ctx(), EC2Client, (real) => ({
      send: async (cmd) => (cmd instanceof DescribeInstanceStatusCommand ? { InstanceStatuses: [{ InstanceId: gateway() }] } : real.send(cmd)),
    }));
    const results = await makeKillDrill(clockFrom(0)).run(noStatus, () => undefined);
    // (The alarm is not asked while the checks fail: its state reads "-".)
    expect(results[1]).toMatchObject({ status: 'fail', evidence: `${gateway()} running status ?/?, ${name()}-gateway-unhealthy - 1200 s after the restore; expected running, status checks ok and the gateway healthy` });
  });

  it('an instance EC2 stops listing after the breach signal is "missing" in both waits (never a TypeError), and "-" for its checks', async () => {
    let calls = 0;
    const vanishing = withClient(ctx(), EC2Client, (real) => ({
      send: async (cmd) => {
        // The world still answers (its instance moves on); the drill is told the instance is gone.
        const out = await real.send(cmd);
        return cmd instanceof DescribeInstancesCommand && ++calls > 1 ? { Reservations: [{}] } : out;
      },
    }));
    const results = await makeKillDrill(clockFrom(0)).run(vanishing, () => undefined);
    expect(results.map((r) => [r.status, r.evidence])).toEqual([
      ['fail', `${gateway()} missing 180 s after the breach signal; expected stopped within 180 s`],
      ['fail', `${gateway()} missing status -, ${name()}-gateway-unhealthy - 1200 s after the restore; expected running, status checks ok and the gateway healthy`],
    ]);
  });

  it('the restore is healthy only with its status checks ok: running with impaired checks never passes', async () => {
    // After the kill, EC2 is made to report `state` with status checks `checks` for good.
    const stuck = (state: string, checks: string) => {
      let polls = 0;
      return withClient(ctx(), EC2Client, (real) => ({
        send: async (cmd) => {
          const out = await real.send(cmd);
          if (cmd instanceof DescribeInstancesCommand) polls += 1;
          if (polls <= 3) return out;
          if (cmd instanceof DescribeInstancesCommand) return { Reservations: [{ Instances: [{ InstanceId: gateway(), State: { Name: state } }] }] };
          if (cmd instanceof DescribeInstanceStatusCommand) return { InstanceStatuses: [{ InstanceId: gateway(), InstanceStatus: { Status: checks }, SystemStatus: { Status: checks } }] };
          return out;
        },
      }));
    };
    const running = await makeKillDrill(clockFrom(0)).run(stuck('running', 'impaired'), () => undefined);
    expect(running[1]).toMatchObject({ status: 'fail' });
    expect(running[1]!.evidence).toMatch(new RegExp(`^${gateway()} running status impaired/impaired, `));
  });
  it('the drill npm run verify runs (killDrill) keeps real time: it sleeps its poll interval between polls and times in whole seconds from the breach signal', async () => {
    const c = ctx();
    const k = c.settings.spend.killDrill;
    // The same drill, polled every 50 ms with 5 s to stop: real time, kept short.
    Object.defineProperty(c, 'settings', { value: { ...c.settings, spend: { ...c.settings.spend, killDrill: { ...k, pollSeconds: 0.05, stopWithinSeconds: 5 } } } });
    let polls = 0;
    const counted = withClient(c, EC2Client, (real) => ({
      send: async (cmd) => {
        if (cmd instanceof DescribeInstancesCommand) polls += 1;
        return real.send(cmd);
      },
    }));
    const t0 = performance.now();
    const results = await killDrill.run(counted, () => undefined);
    const elapsedMs = performance.now() - t0;
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(results[0]!.evidence).toBe('stopped 0 s after the breach signal (goal 5 s)');
    expect(results[1]!.evidence).toMatch(/^restored and healthy 0 s after the restore \(/);
    // More than one poll in each wait (the fake's instance takes a few), each after a real 50 ms sleep.
    expect(polls).toBeGreaterThan(3);
    expect(elapsedMs).toBeGreaterThanOrEqual((polls - 3) * 50 - 5);
  });

  it('an alarm DescribeAlarms does not return reads "missing" (never healthy); status checks without InstanceStatuses stay "-"', async () => {
    // CloudWatch answers an alarm name it does not know with an empty MetricAlarms list; a bare answer reads the same.
    for (const answer of [{ MetricAlarms: [] }, {}]) {
      const noAlarm = withClient(ctx(), CloudWatchClient, (real) => ({ send: async (cmd) => (cmd instanceof DescribeAlarmsCommand && (cmd.input.AlarmNames ?? []).some((n) => n.endsWith('-gateway-unhealthy')) ? answer : real.send(cmd)) }));
      const results = await makeKillDrill(clockFrom(0)).run(noAlarm, () => undefined);
      expect(results[1]).toMatchObject({ status: 'fail', evidence: `${gateway()} running status ok/ok, ${name()}-gateway-unhealthy missing 1200 s after the restore; expected running, status checks ok and the gateway healthy` });
      delete fake.world.state['ec2.instances'];
    }
    const noStatuses = withClient(ctx(), EC2Client, (real) => ({ send: async (cmd) => (cmd instanceof DescribeInstanceStatusCommand ? {} : real.send(cmd)) }));
    const second = await makeKillDrill(clockFrom(0)).run(noStatuses, () => undefined);
    expect(second[1]).toMatchObject({ status: 'fail', evidence: `${gateway()} running status -, ${name()}-gateway-unhealthy - 1200 s after the restore; expected running, status checks ok and the gateway healthy` });
  });
});
