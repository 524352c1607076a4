import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { logsState } from '../support/fake-deployment/logs';
import { secretsManagerState, type FakeSecret } from '../support/fake-deployment/secrets-manager';
import { hostRefreshState, installHostRefreshFake } from '../support/fake-deployment/secrets-refresh-host';
import { synthesizeFixture, type Restorable } from '../support/fake-deployment/world';
import { NOW } from '../support/config-fixture';
import { policyDifferences } from '../../lib/secrets/live-policy';
import { DRILL_DENY_SID, SECRET_DENIAL_DRILL, secretDenialDrill } from '../../lib/secrets/secret-denial-drill';
import { ALL_DRILLS } from '../../lib/verify/all-drills';

let fake: InstalledFake;
let refresh: Restorable[];
beforeAll(() => {
  // The drill runs on dev and staging only: its fake is example/dev.
  fake = installFakeAws(synthesizeFixture('example', 'dev'));
  refresh = installHostRefreshFake(fake.world);
});
afterAll(() => {
  refresh.forEach((r) => r.restore());
  fake.restore();
});

const ctx = () =>
  fake.world.verifyContext({ now: NOW });

/** The drill on the world's clock: every sleep advances it, nothing waits. */
const onWorldClock = () => {
  const state = hostRefreshState(fake.world);
  return secretDenialDrill({ pollMs: 15_000, sleep: async (ms) => void (state.now += ms), now: () => state.now });
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
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ Failed; named failure after \d+ s: .*openclaw-secrets: FAILED AccessDenied: openclaw\/example\/dev\/agents\/ops: Secrets Manager denied GetSecretValue/);
    expect(results[1]!.evidence).toMatch(/^ALARM \d+ s after the deny$/);
    expect(results[2]!.evidence).toMatch(/^policy restored; refresh cmd-\d+ Success; alarm OK 300 s after the restore; drill took \d+ s$/);
    expect(policyDifferences(ops().policy!, original)).toEqual([]);
    expect(lines[0]).toMatch(/^denying arn:aws:iam::\d+:role\/.* GetSecretValue on openclaw\/example\/dev\/agents\/ops$/);
    // The journal kept the failure, naming the secret, as the host ships it.
    const journal = logsState(fake.world).groups.get(`${fake.world.config.aws.region}|/openclaw/${fake.world.name}/journal`)!;
    expect(journal.some((e) => e.message.includes('FAILED AccessDenied: openclaw/example/dev/agents/ops'))).toBe(true);
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
    expect(results[0]!.evidence).toMatch(/^refresh command cmd-\d+ Success; no "FAILED AccessDenied: openclaw\/example\/dev\/agents\/ops" in its output or \/openclaw\/openclaw-example-dev\/journal within 900 s; expected the named failure$/);
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
