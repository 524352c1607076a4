import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetResourcePolicyCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CommandInvocationStatus, GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { logsState } from '../support/fake-deployment/logs';
import { secretsManagerState, type FakeSecret } from '../support/fake-deployment/secrets-manager';
import { hostRefreshState, installHostRefreshFake } from '../support/fake-deployment/secrets-refresh-host';
import { FakeWorld, synthesizeFixture, type Restorable } from '../support/fake-deployment/world';
import { NOW } from '../support/config-fixture';
import { policyDifferences } from '../../lib/secrets/live-policy';
import { DRILL_DENY_SID, SECRET_DENIAL_DRILL, secretDenialDrill } from '../../lib/secrets/secret-denial-drill';
import { ALL_DRILLS } from '../../lib/verify/all-drills';
import { withClient, type SendOnly } from '../support/fake-deployment/wrapped-client';

let fake: InstalledFake;
let refresh: Restorable[];
// Every case here ends in well under a second on the world's clock. A drill that waits in real
// time instead (a sleep that is not the one given) fails its case at 5 s, not at the project's
// minute, so such a change costs the mutation run seconds per case. The synth has its own bound.
jest.setTimeout(5_000);
beforeAll(() => {
  // The drill runs on dev and staging only: its fake is example/dev.
  fake = installFakeAws(synthesizeFixture('example', 'dev'));
  refresh = installHostRefreshFake(fake.world);
}, 120_000);
afterAll(() => {
  refresh.forEach((r) => r.restore());
  fake.restore();
});

const ctx = () =>
  fake.world.verifyContext({ now: NOW });

/**
 * Most sleeps one drill may take here. Its longest waits (3, 15 and 20 minutes at 15 s) come to
 * 152 polls; the world's sleep resolves at once, so a wait that never ends (a regression, a
 * mutant) would spin without ever yielding to a timer. It fails at this bound instead.
 */
const MAX_SLEEPS = 1_000;
/** A sleep on the world's clock: it advances the clock by `ms` and records it in `seen`. */
const worldSleep =
  (state: { now: number }, seen: number[] = []) =>
  async (ms: number): Promise<void> => {
    if (seen.length >= MAX_SLEEPS) throw new Error(`slept more than ${MAX_SLEEPS} times: a wait of the drill never ends`);
    seen.push(ms);
    state.now += ms;
  };

/** The drill on the world's clock: every sleep advances it, nothing waits. */
const onWorldClock = () => {
  const state = hostRefreshState(fake.world);
  return secretDenialDrill({ pollMs: 15_000, sleep: worldSleep(state), now: () => state.now });
};
const ops = (): FakeSecret => [...secretsManagerState(fake.world).secrets.values()].find((s) => s.name.endsWith('/agents/ops'))!;

/** Resets the host and the clock between tests (the policies are the drill's to restore). */
beforeEach(() => {
  const state = hostRefreshState(fake.world);
  state.now += 3_600_000;
  state.sendError = undefined;
  state.metricBroken = undefined;
});

describe('the secret-denial drill', () => {
  it('is registered, for dev and staging only', () => {
    expect(ALL_DRILLS).toContain(SECRET_DENIAL_DRILL);
    expect(SECRET_DENIAL_DRILL).toMatchObject({ id: 'secret-denial', nonProdOnly: true });
    expect(SECRET_DENIAL_DRILL.title).toBe('Deny the host one agent secret: the retrieval fails named AccessDenied and secret-retrieval-failed fires; then restore');
  });

  it('passes on the fake: the denied agent secret fails named AccessDenied, the alarm fires, and all is restored', async () => {
    const original = ops().policy!;
    const lines: string[] = [];
    const results = await onWorldClock().run(ctx(), (l) => lines.push(l));
    expect(results.map((r) => [r.status, r.resource])).toEqual([
      ['pass', ops().arn],
      ['pass', `${fake.world.name}-secret-retrieval-failed`],
      ['pass', ops().arn],
    ]);
    expect(results.every((r) => r.check === 'drill.secret-denial' && r.control === 'secret-retrieval-failed')).toBe(true);
    // The evidence quotes the journal's failure line (not systemd's "Starting" line before it), cut at 300 characters.
    const journal = logsState(fake.world).groups.get(`${fake.world.config.aws.region}|/openclaw/${fake.world.name}/journal`)!;
    const failure = journal.filter((e) => e.message.includes('FAILED AccessDenied: openclaw/example/dev/agents/ops')).at(-1)!.message;
    expect(failure.length).toBeGreaterThan(300);
    expect(failure).toContain('openclaw-secrets: FAILED AccessDenied: openclaw/example/dev/agents/ops: Secrets Manager denied GetSecretValue');
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ Failed; named failure after \d+ s: /);
    expect(results[0]!.evidence.replace(/^refresh command cmd-\d+ Failed; named failure after \d+ s: /, '')).toBe(failure.slice(0, 300));
    // Both refresh commands carry the drill in their comment (SSM's command history names it).
    expect(hostRefreshState(fake.world).sent.slice(-2).map((c) => c.comment)).toEqual(['npm run verify --drill=secret-denial', 'npm run verify --drill=secret-denial']);
    expect(results[1]!.evidence).toMatch(/^ALARM \d+ s after the deny$/);
    expect(results[2]!.evidence).toMatch(/^policy restored; refresh cmd-\d+ Success; alarm OK 300 s after the restore; drill took \d+ s$/);
    expect(policyDifferences(ops().policy!, original)).toEqual([]);
    expect(lines[0]).toMatch(/^denying arn:aws:iam::\d+:role\/.* GetSecretValue on openclaw\/example\/dev\/agents\/ops$/);
  });

  it('restores the original policy when a step fails (the refresh command cannot be sent)', async () => {
    const original = ops().policy!;
    hostRefreshState(fake.world).sendError = Object.assign(new Error('Instances not in a valid state for account'), { name: 'InvalidInstanceId' });
    await expect(onWorldClock().run(ctx(), () => undefined)).rejects.toThrow('Instances not in a valid state');
    expect(ops().policy).toBe(original);
    expect(ops().policy).not.toContain(DRILL_DENY_SID);
  });

  it('fails when the alarm never fires (the host cannot publish its metric), and still restores', async () => {
    const original = ops().policy!;
    hostRefreshState(fake.world).metricBroken = true;
    const results = await onWorldClock().run(ctx(), () => undefined);
    expect(results[0]!.status).toBe('pass');
    expect(results[1]).toMatchObject({ status: 'fail', resource: `${fake.world.name}-secret-retrieval-failed`, evidence: 'still OK 900 s after the deny; expected ALARM' });
    expect(results[2]!.status).toBe('pass');
    expect(ops().policy).toBe(original);
  });

  it('fails when the deny does not reach the host (its role is not the one denied): no named failure, no alarm', async () => {
    // A host role the template does not name: the drill's deny then misses the real host.
    const drill = onWorldClock();
    const c = ctx();
    const physical = c.physicalId.bind(c);
    c.physicalId = async (ref) => (ref.resource.Type === 'AWS::IAM::Role' ? 'some-other-role' : physical(ref));
    const results = await drill.run(c, () => undefined);
    expect(results[0]).toMatchObject({ status: 'fail' });
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ Success; no "FAILED AccessDenied: openclaw\/example\/dev\/agents\/ops" in \/openclaw\/openclaw-example-dev\/journal within 900 s; expected the named failure$/);
    expect(results[1]!.status).toBe('fail');
  });

  it('changes nothing when the alarm is already in ALARM', async () => {
    const state = hostRefreshState(fake.world);
    state.failures.push(state.now);
    const before = ops().policy;
    const sent = state.sent.length;
    const results = await onWorldClock().run(ctx(), () => undefined);
    expect(results).toEqual([expect.objectContaining({ status: 'fail', evidence: 'alarm ALARM before the drill; expected OK (nothing was changed)' })]);
    expect(ops().policy).toBe(before);
    expect(state.sent.length).toBe(sent);
  });
});

describe('the secret-denial drill, edge by edge (what a mutation run found unpinned)', () => {
  /** A context whose `kind` client is wrapped: `wrap(real)` gives the client the drill gets. */
  const wrapped = <T extends { send: (c: never) => Promise<unknown> }>(kind: unknown, wrap: (real: T) => SendOnly) => withClient(ctx(), kind, (real) => wrap(real as unknown as T));
  /** SSM whose GetCommandInvocation answers `statuses` in turn (then the real one's), after the real SendCommand. */
  const ssmAnswering = (statuses: readonly (string | Error)[]) =>
    wrapped<SSMClient>(SSMClient, (real) => {
      let i = 0;
      return {
        send: async (cmd: unknown) => {
          const out = await real.send(cmd as never);
          if (!(cmd instanceof GetCommandInvocationCommand) || i >= statuses.length) return out;
          const s = statuses[i++]!;
          if (s instanceof Error) throw s;
          return { ...(out as object), Status: s };
        },
      };
    });

  it("the first refresh ends at each of SSM's final statuses and at Cancelling, and waits through the others (every Status of the SDK's model)", async () => {
    const statuses = Object.values(CommandInvocationStatus) as string[];
    expect(statuses.sort()).toEqual(['Cancelled', 'Cancelling', 'Delayed', 'Failed', 'InProgress', 'Pending', 'Success', 'TimedOut']);
    const waited = ['Pending', 'InProgress', 'Delayed'];
    for (const status of statuses.filter((s) => !waited.includes(s))) {
      const results = await onWorldClock().run(ssmAnswering([...waited, status]), () => undefined);
      expect({ status, evidence: results[0]!.evidence }).toEqual({ status, evidence: expect.stringMatching(new RegExp(`^refresh command cmd-\\d+ ${status}; named failure after 45 s: `)) });
    }
  });

  it('a command that never finishes is "not finished" after 3 minutes (the default), polled every 15 s', async () => {
    const state = hostRefreshState(fake.world);
    const sleeps: number[] = [];
    // No poll interval given: the default.
    const drill = secretDenialDrill({ sleep: worldSleep(state, sleeps), now: () => state.now });
    const results = await drill.run(ssmAnswering(Array(13).fill('InProgress')), () => undefined);
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ not finished; named failure after 180 s: /);
    // 12 polls of 15 s before the timeout.
    expect(sleeps.slice(0, 12)).toEqual(Array(12).fill(15_000));
  });

  it('an invocation SSM does not list yet is waited for; any other error ends the drill, and the policy is restored', async () => {
    const notYet = Object.assign(new Error('InvocationDoesNotExist'), { name: 'InvocationDoesNotExist' });
    const results = await onWorldClock().run(ssmAnswering([notYet]), () => undefined);
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ Failed; named failure after 15 s: /);
    const original = ops().policy;
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(onWorldClock().run(ssmAnswering([throttled]), () => undefined)).rejects.toThrow('Rate exceeded');
    expect(ops().policy).toBe(original);
  });

  it('no alarm at all, or no resource policy: fails before changing anything', async () => {
    const noAlarm = wrapped<CloudWatchClient>(CloudWatchClient, () => ({ send: async () => ({ MetricAlarms: [] }) }));
    expect((await onWorldClock().run(noAlarm, () => undefined)).map((r) => r.evidence)).toEqual(['alarm (no alarm) before the drill; expected OK (nothing was changed)']);
    const saved = ops().policy;
    delete ops().policy;
    try {
      const results = await onWorldClock().run(ctx(), () => undefined);
      expect(results).toEqual([{ check: 'drill.secret-denial', control: 'secret-retrieval-failed', status: 'fail', resource: ops().arn, evidence: 'the secret has no resource policy to restore afterwards (nothing was changed); run the secrets checks' }]);
    } finally {
      ops().policy = saved;
    }
  });

  it('a restore that does not take: the last result fails, naming the difference', async () => {
    const original = ops().policy!;
    // Secrets Manager that ignores the drill's second PutResourcePolicy (the restore).
    let puts = 0;
    const c = wrapped<SecretsManagerClient>(SecretsManagerClient, (real) => ({ send: async (cmd: unknown) => (cmd instanceof PutResourcePolicyCommand && ++puts === 2 ? {} : real.send(cmd as never)) }));
    try {
      const results = await onWorldClock().run(c, () => undefined);
      expect(results[2]!.status).toBe('fail');
      // The host's second refresh is denied too; its one failure leaves the alarm's period after 300 s.
      expect(results[2]!.evidence).toMatch(
        new RegExp(`^policy differs from the original: extra statement ${DRILL_DENY_SID}: .*; refresh cmd-\\d+ Failed; alarm OK 300 s after the restore; drill took \\d+ s; expected the original policy, a successful refresh and the alarm OK$`),
      );
    } finally {
      ops().policy = original;
    }
  });

  it('an alarm that stays in ALARM after the restore: the last result fails after 20 minutes (the default)', async () => {
    let fired = false;
    const c = wrapped<CloudWatchClient>(CloudWatchClient, (real) => ({
      send: async (cmd: unknown) => {
        const out = (await real.send(cmd as never)) as { MetricAlarms: { StateValue: string }[] };
        fired ||= out.MetricAlarms[0]?.StateValue === 'ALARM';
        return fired ? { MetricAlarms: [{ ...out.MetricAlarms[0], StateValue: 'ALARM' }] } : out;
      },
    }));
    const results = await onWorldClock().run(c, () => undefined);
    expect(results[2]).toMatchObject({ status: 'fail', resource: ops().arn });
    expect(results[2]!.evidence).toMatch(/^policy restored; refresh cmd-\d+ Success; alarm not OK within 1200 s; drill took \d+ s; expected the original policy, a successful refresh and the alarm OK$/);
  });

  it('the drill picks the first agent secret by name, never a generated one, whatever the template order', async () => {
    const reversed = fake.world.stacks.map((s) => ({ ...s, template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).reverse()) } }));
    const lines: string[] = [];
    await onWorldClock().run(new FakeWorld({ ...fake.world.fixture, stacks: reversed }).verifyContext({ now: NOW }), (l) => lines.push(l));
    expect(lines[0]).toMatch(/ GetSecretValue on openclaw\/example\/dev\/agents\/ops$/);
    expect(lines).toEqual([lines[0], expect.stringMatching(/^running openclaw-example-dev-\S+ on i-\w+$/), 'waiting for the alarm', 'restoring the resource policy of openclaw/example/dev/agents/ops', 'waiting for the alarm to return to OK']);
  });

  it('SendCommand without a command ID ends the drill, naming it, and the policy is restored', async () => {
    const original = ops().policy;
    const c = wrapped<SSMClient>(SSMClient, (real) => ({ send: async (cmd: unknown) => (cmd instanceof SendCommandCommand ? {} : real.send(cmd as never)) }));
    await expect(onWorldClock().run(c, () => undefined)).rejects.toThrow(/^SendCommand of openclaw-example-dev-\S+ to i-\w+ returned no command ID$/);
    expect(ops().policy).toBe(original);
  });

  it('DescribeAlarms without MetricAlarms is "no alarm": nothing is changed', async () => {
    const sent = hostRefreshState(fake.world).sent.length;
    const c = wrapped<CloudWatchClient>(CloudWatchClient, () => ({ send: async () => ({}) }));
    expect((await onWorldClock().run(c, () => undefined)).map((r) => r.evidence)).toEqual(['alarm (no alarm) before the drill; expected OK (nothing was changed)']);
    expect(hostRefreshState(fake.world).sent.length).toBe(sent);
  });

  it('a journal search that answers no events list finds nothing: the named-failure result fails, the drill goes on', async () => {
    const c = wrapped<CloudWatchLogsClient>(CloudWatchLogsClient, () => ({ send: async () => ({ searchedLogStreams: [] }) }));
    const results = await onWorldClock().run(c, () => undefined);
    expect(results.map((r) => r.status)).toEqual(['fail', 'pass', 'pass']);
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ Failed; no "FAILED AccessDenied: openclaw\/example\/dev\/agents\/ops" in \/openclaw\/openclaw-example-dev\/journal within 900 s; expected the named failure$/);
  });

  it('a restore to a different policy that the host can still read: the last result fails, listing every difference', async () => {
    const original = ops().policy!;
    const empty = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const differences = policyDifferences(empty, original);
    expect(differences.length).toBeGreaterThanOrEqual(2);
    let puts = 0;
    const c = wrapped<SecretsManagerClient>(SecretsManagerClient, (real) => ({
      send: async (cmd: unknown) =>
        cmd instanceof PutResourcePolicyCommand && ++puts === 2 ? real.send(new PutResourcePolicyCommand({ SecretId: cmd.input.SecretId, ResourcePolicy: empty })) : real.send(cmd as never),
    }));
    try {
      const results = await onWorldClock().run(c, () => undefined);
      expect(results[2]).toMatchObject({ status: 'fail', resource: ops().arn });
      const prefix = `policy differs from the original: ${differences.join('; ')}; refresh `;
      expect(results[2]!.evidence.startsWith(prefix)).toBe(true);
      expect(results[2]!.evidence.slice(prefix.length)).toMatch(/^cmd-\d+ Success; alarm OK 300 s after the restore; drill took \d+ s; expected the original policy, a successful refresh and the alarm OK$/);
    } finally {
      ops().policy = original;
    }
  });

  it('a restored policy that reads back as none is compared with an empty policy', async () => {
    const original = ops().policy!;
    let gets = 0;
    const c = wrapped<SecretsManagerClient>(SecretsManagerClient, (real) => ({
      send: async (cmd: unknown) => (cmd instanceof GetResourcePolicyCommand && ++gets === 2 ? { ARN: ops().arn, Name: ops().name } : real.send(cmd as never)),
    }));
    const results = await onWorldClock().run(c, () => undefined);
    expect(results[2]!.status).toBe('fail');
    expect(results[2]!.evidence.startsWith(`policy differs from the original: ${policyDifferences('{}', original).join('; ')}; refresh cmd-`)).toBe(true);
    expect(ops().policy).toBe(original);
  });

  it('a second refresh that does not succeed fails the last result, even with the policy restored and the alarm OK', async () => {
    // The first refresh ends Failed (the deny), the second Cancelled.
    const results = await onWorldClock().run(ssmAnswering(['Failed', 'Cancelled']), () => undefined);
    expect(results[2]).toMatchObject({ status: 'fail', resource: ops().arn });
    expect(results[2]!.evidence).toMatch(/^policy restored; refresh cmd-\d+ Cancelled; alarm OK 300 s after the restore; drill took \d+ s; expected the original policy, a successful refresh and the alarm OK$/);
  });

  it('by default it sleeps pollMs between polls on the real clock (never a busy loop)', async () => {
    let polls = 0;
    const c = wrapped<SSMClient>(SSMClient, (real) => ({
      send: async (cmd: unknown) => {
        const out = await real.send(cmd as never);
        if (!(cmd instanceof GetCommandInvocationCommand)) return out;
        polls += 1;
        return { ...(out as object), Status: 'InProgress' };
      },
    }));
    // No sleep and no clock given: setTimeout and Date.now. Each command is polled at 0, 20, ... ms until 100 ms:
    // 2 to about 6 polls each (a timer may fire a millisecond early by Date.now, or late under load); a busy loop makes hundreds.
    const results = await secretDenialDrill({ pollMs: 20, commandTimeoutMs: 100, alarmTimeoutMs: 100, okTimeoutMs: 100 }).run(c, () => undefined);
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ not finished; /);
    expect(polls).toBeGreaterThanOrEqual(4);
    expect(polls).toBeLessThanOrEqual(24);
  });

  it('passes over resources without properties and secrets without a literal name, first or last in the template', async () => {
    const bare = {
      AaaBareSecret: { Type: 'AWS::SecretsManager::Secret' },
      AaaJoinedSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: { 'Fn::Join': ['', ['a', 'b']] } } },
      AaaBareDocument: { Type: 'AWS::SSM::Document' },
      AaaBareAlarm: { Type: 'AWS::CloudWatch::Alarm' },
    };
    for (const first of [true, false]) {
      const stacks = fake.world.stacks.map((s) => {
        if (s.role !== 'gateway') return s;
        const own = s.template.Resources ?? {};
        return { ...s, template: { ...s.template, Resources: first ? { ...bare, ...own } : { ...own, ...bare } } };
      });
      const lines: string[] = [];
      const results = await onWorldClock().run(new FakeWorld({ ...fake.world.fixture, stacks: stacks as typeof fake.world.stacks }).verifyContext({ now: NOW }), (l) => lines.push(l));
      expect(lines[0]).toMatch(/ GetSecretValue on openclaw\/example\/dev\/agents\/ops$/);
      expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    }
  });

  describe('a template it cannot act on is refused, naming what is missing', () => {
    const run = (change: (type: string, r: Record<string, unknown>) => Record<string, unknown> | undefined) => {
      const stacks = fake.world.stacks.map((s) => {
        if (s.role !== 'gateway') return s;
        const resources = Object.entries(s.template.Resources ?? {}).flatMap(([id, r]) => {
          const out = change(r.Type, r as unknown as Record<string, unknown>);
          return out ? [[id, out]] : [];
        });
        return { ...s, template: { ...s.template, Resources: Object.fromEntries(resources) } };
      });
      return onWorldClock().run(new FakeWorld({ ...fake.world.fixture, stacks: stacks as typeof fake.world.stacks }).verifyContext({ now: NOW }), () => undefined);
    };
    const props = (r: Record<string, unknown>) => (r.Properties ?? {}) as Record<string, unknown>;

    it('no agent secret (every secret generated)', async () => {
      await expect(run((t, r) => (t === 'AWS::SecretsManager::Secret' ? { ...r, Properties: { ...props(r), GenerateSecretString: {} } } : r))).rejects.toThrow('the gateway stack has no agent secret');
    });
    it('no gateway instance', async () => {
      await expect(run((t, r) => (t === 'AWS::EC2::Instance' ? undefined : r))).rejects.toThrow('the gateway stack has 0 gateway instances; expected one');
    });
    it('an instance without an instance profile role', async () => {
      await expect(run((t, r) => (t === 'AWS::EC2::Instance' ? { ...r, Properties: { ...props(r), IamInstanceProfile: 'x' } } : r))).rejects.toThrow('the gateway instance has no instance profile role in its template');
      await expect(run((t, r) => (t === 'AWS::IAM::InstanceProfile' ? { ...r, Properties: { ...props(r), Roles: [] } } : r))).rejects.toThrow('the gateway instance has no instance profile role in its template');
    });
    it('a gateway instance without properties (no instance profile)', async () => {
      await expect(run((t, r) => (t === 'AWS::EC2::Instance' ? { Type: t } : r))).rejects.toThrow('the gateway instance has no instance profile role in its template');
    });
    it('only agent secrets whose Name is not a literal (they are not taken for one)', async () => {
      await expect(run((t, r) => (t === 'AWS::SecretsManager::Secret' && props(r).GenerateSecretString === undefined ? { ...r, Properties: { ...props(r), Name: { 'Fn::Join': ['', ['a']] } } } : r))).rejects.toThrow(
        'the gateway stack has no agent secret (a secret with a literal Name and no GenerateSecretString)',
      );
    });
    it('no refresh document, or no alarm', async () => {
      await expect(run((t, r) => (t === 'AWS::SSM::Document' && JSON.stringify(props(r).Content).includes('openclaw-secrets-refresh') ? undefined : r))).rejects.toThrow('the gateway stack has 0 secrets refresh documents; expected one');
      await expect(run((t, r) => (t === 'AWS::CloudWatch::Alarm' && props(r).AlarmName === 'openclaw-example-dev-secret-retrieval-failed' ? undefined : r))).rejects.toThrow(
        'the gateway stack has 0 alarms named openclaw-example-dev-secret-retrieval-failed; expected one',
      );
    });
  });
});
