import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { secretsManagerState, type FakeSecret } from '../support/fake-deployment/secrets-manager';
import { FakeWorld, synthesizeFixture } from '../support/fake-deployment/world';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { policyDifferences } from '../../lib/secrets/live-policy';
import { SECRETS_LIVE_CHECKS, secretExists, secretResourcePolicy, secretRotation } from '../../lib/secrets/live-checks';

const DAY_MS = 86_400_000;
let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
});
afterAll(() => fake.restore());

const ctx = () =>
  fake.world.verifyContext({ now: NOW });

const secret = (suffix: string): FakeSecret => [...secretsManagerState(fake.world).secrets.values()].find((s) => s.name.endsWith(suffix))!;

/** Runs `check` with `change` applied to the secret named `...suffix`, restoring it afterwards. */
async function drifted(check: LiveCheck, suffix: string, change: (s: FakeSecret) => void) {
  const s = secret(suffix);
  const saved = structuredClone({ ...s });
  change(s);
  try {
    const results = await runChecks([check], ctx());
    return results.filter((r) => r.resource === s.arn);
  } finally {
    Object.assign(s, saved);
    for (const k of Object.keys(s) as (keyof FakeSecret)[]) if (!(k in saved)) delete (s as Partial<FakeSecret>)[k];
  }
}

describe('secrets live checks on the fake of a correct example/prod', () => {
  it('pass, one result per secret, policy and schedule', async () => {
    const results = await runChecks(SECRETS_LIVE_CHECKS, ctx());
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    const names = [...secretsManagerState(fake.world).secrets.values()].map((s) => s.name).sort();
    expect(names).toEqual(['openclaw/example/prod/agents/ops', 'openclaw/example/prod/agents/support', 'openclaw/example/prod/gateways/ops/token', 'openclaw/example/prod/gateways/support/token', 'openclaw/example/prod/origin-verify']);
    expect(results.filter((r) => r.check === secretExists.id)).toHaveLength(5);
    expect(results.filter((r) => r.check === secretResourcePolicy.id)).toHaveLength(5);
    // Rotated: the gateway token and the origin-verify value (in us-east-1).
    expect(results.filter((r) => r.check === secretRotation.id).map((r) => r.resource).sort()).toEqual([secret('gateways/ops/token').arn, secret('gateways/support/token').arn, secret('origin-verify').arn].sort());
    expect(results.find((r) => r.check === secretExists.id && r.resource === secret('origin-verify').arn)!.evidence).toMatch(/^KmsKeyId arn:aws:kms:us-east-1:/);
  }, 60_000);

  it('every check declares the one Secrets Manager action it calls', () => {
    expect(secretExists.iam).toEqual(['secretsmanager:DescribeSecret']);
    expect(secretResourcePolicy.iam).toEqual(['secretsmanager:GetResourcePolicy']);
    expect(secretRotation.iam).toEqual(['secretsmanager:DescribeSecret']);
    expect(SECRETS_LIVE_CHECKS.every((c) => c.daily)).toBe(true);
  });
});

describe('secrets live checks on drifted deployments fail, naming the control, the secret and what they saw', () => {
  it('a secret deleted', async () => {
    const state = secretsManagerState(fake.world);
    const s = secret('agents/support');
    state.secrets.delete(s.arn);
    try {
      const [r] = (await runChecks([secretExists], ctx())).filter((x) => x.resource === s.arn);
      expect(r).toMatchObject({ status: 'fail', control: 'secret-cmk', evidence: 'ResourceNotFoundException: the secret does not exist' });
    } finally {
      state.secrets.set(s.arn, s);
    }
  });

  it('a secret scheduled for deletion', async () => {
    const [r] = await drifted(secretExists, 'agents/ops', (s) => (s.deletedDate = new Date('2026-12-01T00:00:00Z')));
    expect(r).toMatchObject({ status: 'fail', control: 'secret-cmk' });
    expect(r!.evidence).toBe('scheduled for deletion (DeletedDate 2026-12-01T00:00:00.000Z); expected no DeletedDate');
  });

  it('a secret re-encrypted with another key (or the AWS managed one)', async () => {
    const [r] = await drifted(secretExists, 'agents/ops', (s) => (s.kmsKeyId = 'arn:aws:kms:eu-west-1:210987654321:key/other'));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/^KmsKeyId arn:aws:kms:eu-west-1:210987654321:key\/other; expected arn:aws:kms:eu-west-1:210987654321:key\//);
    const [managed] = await drifted(secretExists, 'agents/ops', (s) => delete s.kmsKeyId);
    expect(managed!.evidence).toMatch(/^KmsKeyId \(none: aws\/secretsmanager\); expected/);
  });

  it('a resource policy deleted', async () => {
    const [r] = await drifted(secretResourcePolicy, 'agents/ops', (s) => delete s.policy);
    expect(r).toMatchObject({ status: 'fail', control: 'secret-value-access-restricted', evidence: "no resource policy; expected the template's denies" });
  });

  it('a statement widened: another role may read the value', async () => {
    const [r] = await drifted(secretResourcePolicy, 'agents/ops', (s) => {
      const doc = JSON.parse(s.policy!) as { Statement: { Sid: string; Condition: { StringNotEquals: { 'aws:PrincipalArn': string[] } } }[] };
      doc.Statement.find((x) => x.Sid === 'DenyValueReadsButOwnHostAndBreakGlass')!.Condition.StringNotEquals['aws:PrincipalArn'].push('arn:aws:iam::210987654321:role/intruder');
      s.policy = JSON.stringify(doc);
    });
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/^statement DenyValueReadsButOwnHostAndBreakGlass differs in Condition: Condition .*role\/intruder/);
  });

  it('the same policy written differently (order, a single action as a string) still passes', async () => {
    const [r] = await drifted(secretResourcePolicy, 'agents/ops', (s) => {
      const doc = JSON.parse(s.policy!) as { Statement: { Action: string | string[] }[] };
      doc.Statement.reverse();
      for (const st of doc.Statement) if (Array.isArray(st.Action) && st.Action.length === 1) st.Action = st.Action[0]!;
      s.policy = JSON.stringify(doc);
    });
    expect(r!.status).toBe('pass');
  });

  it('rotation disabled', async () => {
    const [r] = await drifted(secretRotation, 'gateways/ops/token', (s) => (s.rotationEnabled = false));
    expect(r).toMatchObject({ status: 'fail', control: 'secret-rotation', evidence: 'RotationEnabled false; expected true' });
  });

  it('a rotation schedule other than the config', async () => {
    const [r] = await drifted(secretRotation, 'gateways/ops/token', (s) => (s.rotationRules = { ScheduleExpression: 'rate(90 days)', AutomaticallyAfterDays: 90 }));
    expect(r!.evidence).toMatch(/^rotation every 90 days .*; expected rate\(30 days\)$/);
  });

  it('a failed rotation: a version stuck in AWSPENDING', async () => {
    const [r] = await drifted(secretRotation, 'origin-verify', (s) => (s.versions = { ...s.versions, 'a1b2c3d4-0000-4000-8000-000000000003': ['AWSPENDING'] }));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/^version a1b2c3d4-0000-4000-8000-000000000003 stuck in AWSPENDING/);
  });

  it('the last rotation older than twice the period', async () => {
    const [r] = await drifted(secretRotation, 'gateways/ops/token', (s) => (s.lastRotatedDate = new Date(NOW.getTime() - 61 * DAY_MS)));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/last rotated .* \(61\.0 days ago\); expected a rotation within 60 days$/);
  });

  it('never rotated: passes while younger than one period, fails after', async () => {
    const young = await drifted(secretRotation, 'gateways/ops/token', (s) => {
      delete s.lastRotatedDate;
      s.createdDate = new Date(NOW.getTime() - 5 * DAY_MS);
    });
    expect(young[0]!.status).toBe('pass');
    const [old] = await drifted(secretRotation, 'gateways/ops/token', (s) => {
      delete s.lastRotatedDate;
      s.createdDate = new Date(NOW.getTime() - 31 * DAY_MS);
    });
    expect(old!.status).toBe('fail');
    expect(old!.evidence).toMatch(/never rotated, created .*\(31\.0 days ago\); expected a first rotation within 30 days of creation$/);
  });
});

describe('policies are compared by meaning (lib/secrets/live-policy.ts)', () => {
  const template = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TlsOnly', Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'], Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }],
  };

  it('the forms AWS may return for the same policy are equal', () => {
    const live = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::b'], Condition: { NumericLessThan: { 'S3:TlsVersion': '1.2' } } }],
    });
    expect(policyDifferences(live, template)).toEqual([]);
  });

  it('a changed value, a missing and an extra statement are named', () => {
    const changed = { ...template, Statement: [{ ...template.Statement[0]!, Condition: { NumericLessThan: { 's3:TlsVersion': 1.0 } } }] };
    expect(policyDifferences(changed, template)).toEqual(['statement TlsOnly differs in Condition: Condition {"NumericLessThan":{"s3:tlsversion":["1"]}}']);
    expect(policyDifferences({ Statement: [] }, template)).toEqual(['statement TlsOnly missing']);
    const extra = { ...template, Statement: [...template.Statement, { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] };
    expect(policyDifferences(extra, template)).toEqual([expect.stringMatching(/^extra statement #\d \(Allow s3:GetObject\): /)]);
  });
});

describe('what each check says, and its edges (every line a mutation run found unpinned)', () => {
  it("each check's id, control, title, concern, schedule and actions", () => {
    expect(SECRETS_LIVE_CHECKS.map(({ run: _run, ...meta }) => meta)).toEqual([
      { id: 'secrets.secret-exists', control: 'secret-cmk', title: 'Each secret exists, encrypted with the deployment key, not scheduled for deletion', concern: 'secrets', daily: true, iam: ['secretsmanager:DescribeSecret'] },
      { id: 'secrets.resource-policy', control: 'secret-value-access-restricted', title: "Each secret's resource policy is the template's (value reads and writes denied to all but the named roles)", concern: 'secrets', daily: true, iam: ['secretsmanager:GetResourcePolicy'] },
      { id: 'secrets.rotation', control: 'secret-rotation', title: 'Each rotated secret has rotation on, on its schedule, and its last rotation succeeded', concern: 'secrets', daily: true, iam: ['secretsmanager:DescribeSecret'] },
    ]);
  });

  it('the evidence of a pass names what was seen', async () => {
    const token = secret('gateways/ops/token');
    const seen = (await runChecks(SECRETS_LIVE_CHECKS, ctx())).filter((r) => r.resource === token.arn).map((r) => [r.check, r.status, r.evidence]);
    expect(seen).toEqual([
      ['secrets.secret-exists', 'pass', `KmsKeyId ${token.kmsKeyId}`],
      ['secrets.resource-policy', 'pass', "resource policy equals the template's"],
      ['secrets.rotation', 'pass', `rotation every 30 days; last rotated ${token.lastRotatedDate!.toISOString()} (10.0 days ago)`],
    ]);
  });

  it('DescribeSecret may give the key as its ID: the same key passes, another key ID fails', async () => {
    const s = secret('agents/ops');
    const keyId = s.kmsKeyId!.split(':key/')[1]!;
    const [same] = await drifted(secretExists, 'agents/ops', (x) => (x.kmsKeyId = keyId));
    expect([same!.status, same!.evidence]).toEqual(['pass', `KmsKeyId ${keyId}`]);
    // A prefix of the key's ARN is not its ID.
    const [prefix] = await drifted(secretExists, 'agents/ops', (x) => (x.kmsKeyId = s.kmsKeyId!.split(':key/')[0]!));
    expect(prefix!.status).toBe('fail');
  });

  it('an error other than ResourceNotFoundException is not read as a missing secret', async () => {
    const c = ctx();
    const denied = Object.assign(new Error('User is not authorized to perform: secretsmanager:DescribeSecret'), { name: 'AccessDeniedException' });
    const real = c.client.bind(c);
    jest.spyOn(c, 'client').mockImplementation(((kind: unknown, region?: string) => (kind === SecretsManagerClient ? { send: () => Promise.reject(denied) } : real(kind as never, region))) as never);
    const results = await runChecks([secretExists], c);
    expect(results.map((r) => [r.status, r.evidence])).toEqual([['fail', 'AccessDeniedException: User is not authorized to perform: secretsmanager:DescribeSecret']]);
  });

  it('a resource policy or schedule whose SecretId is not a Ref to a secret of its stack fails the check, naming it', async () => {
    const stacks = fake.world.stacks.map((s) => {
      const resources = Object.fromEntries(
        Object.entries(s.template.Resources ?? {}).map(([id, r]) => [id, r.Type === 'AWS::SecretsManager::ResourcePolicy' ? { ...r, Properties: { ...r.Properties, SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' } } : r]),
      );
      return { ...s, template: { ...s.template, Resources: resources } };
    });
    const c = new FakeWorld({ ...fake.world.fixture, stacks }).verifyContext({ now: NOW });
    const [r] = await runChecks([secretResourcePolicy], c);
    expect(r).toMatchObject({ status: 'fail', resource: '(check)' });
    expect(r!.evidence).toMatch(/^Error: openclaw-example-prod-(gateway|edge)\/\w+: SecretId is not a Ref to a secret of its stack$/);
    // A Ref to something that is not in the stack is refused the same way.
    const dangling = fake.world.stacks.map((s) => ({
      ...s,
      template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).map(([id, r]) => [id, r.Type === 'AWS::SecretsManager::RotationSchedule' ? { ...r, Properties: { ...r.Properties, SecretId: { Ref: 'Gone' } } } : r])) },
    }));
    const [d] = await runChecks([secretRotation], new FakeWorld({ ...fake.world.fixture, stacks: dangling }).verifyContext({ now: NOW }));
    expect(d!.evidence).toMatch(/^Error: openclaw-example-prod-(gateway|edge)\/\w+: SecretId is a Ref to Gone, which is not a secret of its stack$/);
    // A Ref to a resource of the stack that is not a secret (the instance), and a policy without a SecretId at all.
    const retarget = (change: (r: { Type: string; Properties?: Record<string, unknown> }) => object) =>
      fake.world.stacks.map((s) => ({
        ...s,
        template: { ...s.template, Resources: Object.fromEntries(Object.entries(s.template.Resources ?? {}).map(([id, r]) => [id, r.Type === 'AWS::SecretsManager::ResourcePolicy' ? change(r) : r])) },
      }));
    const keyId = Object.entries(fake.world.stack('gateway').template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::EC2::Instance')![0];
    const toKey = (await runChecks([secretResourcePolicy], new FakeWorld({ ...fake.world.fixture, stacks: retarget((r) => ({ ...r, Properties: { ...r.Properties, SecretId: { Ref: keyId } } })) as typeof fake.world.stacks }).verifyContext({ now: NOW }))).map((x) => x.evidence);
    expect(toKey).toContain(`Error: openclaw-example-prod-gateway/${Object.entries(fake.world.stack('gateway').template.Resources ?? {}).find(([, r]) => r.Type === 'AWS::SecretsManager::ResourcePolicy')![0]}: SecretId is a Ref to ${keyId}, which is not a secret of its stack`);
    const [none] = await runChecks([secretResourcePolicy], new FakeWorld({ ...fake.world.fixture, stacks: retarget((r) => ({ Type: r.Type })) as typeof fake.world.stacks }).verifyContext({ now: NOW }));
    expect(none!.evidence).toMatch(/^Error: openclaw-example-prod-(gateway|edge)\/\w+: SecretId is not a Ref to a secret of its stack$/);
  });

  it('a template secret without a key (or without properties) is expected on the AWS managed key', async () => {
    const s = secret('agents/ops');
    const logicalId = secretsManagerState(fake.world).secrets.get(s.arn)!.logicalId;
    /** The check on templates where the ops secret is `change`d, its live copy without a key. */
    const run = async (change: (r: { Type: string; Properties?: Record<string, unknown> }) => object) => {
      const stacks = fake.world.stacks.map((st) =>
        st.role === 'gateway' ? { ...st, template: { ...st.template, Resources: { ...st.template.Resources, [logicalId]: change(st.template.Resources![logicalId]!) } } } : st,
      );
      const saved = s.kmsKeyId;
      delete s.kmsKeyId;
      try {
        return (await runChecks([secretExists], new FakeWorld({ ...fake.world.fixture, stacks: stacks as typeof fake.world.stacks }).verifyContext({ now: NOW }))).filter((r) => r.resource === s.arn);
      } finally {
        s.kmsKeyId = saved;
      }
    };
    const pass = [expect.objectContaining({ status: 'pass', evidence: 'KmsKeyId (none: aws/secretsmanager)' })];
    expect(await run((r) => ({ ...r, Properties: Object.fromEntries(Object.entries(r.Properties ?? {}).filter(([k]) => k !== 'KmsKeyId')) }))).toEqual(pass);
    expect(await run((r) => ({ Type: r.Type }))).toEqual(pass);
    // The template's key and no key live: a failure naming both.
    expect(await run((r) => r)).toEqual([expect.objectContaining({ status: 'fail', evidence: expect.stringMatching(/^KmsKeyId \(none: aws\/secretsmanager\); expected arn:aws:kms:/) })]);
  });

  it('a policy with two differences names both, and says what was expected', async () => {
    const [r] = await drifted(secretResourcePolicy, 'agents/ops', (s) => {
      const doc = JSON.parse(s.policy!) as { Statement: { Sid: string }[] };
      s.policy = JSON.stringify({ ...doc, Statement: doc.Statement.slice(2) });
    });
    const original = JSON.parse(secret('agents/ops').policy!) as { Statement: { Sid: string }[] };
    expect(original.Statement.length).toBeGreaterThanOrEqual(3);
    expect(r).toMatchObject({
      status: 'fail',
      evidence: `statement ${original.Statement[0]!.Sid} missing; statement ${original.Statement[1]!.Sid} missing; expected the template's resource policy`,
    });
  });

  it('rotation: the schedule read from rate(N day[s]), else AutomaticallyAfterDays; RotationEnabled missing is false', async () => {
    const run = async (change: (s: FakeSecret) => void) => (await drifted(secretRotation, 'gateways/ops/token', change))[0]!;
    expect((await run((s) => (s.rotationRules = { ScheduleExpression: 'rate(30 days)' }))).status).toBe('pass');
    expect((await run((s) => (s.rotationRules = { ScheduleExpression: 'cron(0 0 1 * ? *)', AutomaticallyAfterDays: 30 }))).status).toBe('pass');
    // Only a whole rate(...) is read: anything around it falls back to AutomaticallyAfterDays.
    expect(await run((s) => (s.rotationRules = { ScheduleExpression: 'rate(30 days) ', AutomaticallyAfterDays: 7 }))).toMatchObject({ status: 'fail', control: 'secret-rotation' });
    expect((await run((s) => (s.rotationRules = { ScheduleExpression: 'rate(30 days) ', AutomaticallyAfterDays: 7 }))).evidence).toBe(
      'rotation every 7 days ({"ScheduleExpression":"rate(30 days) ","AutomaticallyAfterDays":7}); expected rate(30 days)',
    );
    expect((await run((s) => (s.rotationRules = { ScheduleExpression: ' rate(30 days)', AutomaticallyAfterDays: 7 }))).evidence).toMatch(/^rotation every 7 days/);
    expect((await run((s) => (s.rotationRules = { ScheduleExpression: 'rate(1 day)' }))).evidence).toBe('rotation every 1 days ({"ScheduleExpression":"rate(1 day)"}); expected rate(30 days)');
    expect((await run((s) => (s.rotationRules = { ScheduleExpression: 'rate(300 days)' }))).evidence).toMatch(/^rotation every 300 days/);
    expect((await run((s) => delete s.rotationRules)).evidence).toBe('rotation every ? days ({}); expected rate(30 days)');
    expect((await run((s) => (s.rotationEnabled = undefined as unknown as boolean))).evidence).toBe('RotationEnabled false; expected true');
  });

  it('rotation age: exactly twice the period still passes; never rotated, exactly one period old fails; no creation date is named', async () => {
    const run = async (change: (s: FakeSecret) => void) => (await drifted(secretRotation, 'gateways/ops/token', change))[0]!;
    expect((await run((s) => (s.lastRotatedDate = new Date(NOW.getTime() - 60 * DAY_MS)))).status).toBe('pass');
    const atPeriod = await run((s) => {
      delete s.lastRotatedDate;
      s.createdDate = new Date(NOW.getTime() - 30 * DAY_MS);
    });
    expect(atPeriod.status).toBe('fail');
    const unknown = await run((s) => {
      delete s.lastRotatedDate;
      s.createdDate = undefined as unknown as Date;
    });
    expect([unknown.status, unknown.evidence]).toEqual(['fail', 'rotation every 30 days; never rotated, created (unknown); expected a first rotation within 30 days of creation']);
  });

  it('AWSPENDING on the AWSCURRENT version is not stuck; every stuck version is named', async () => {
    const run = async (change: (s: FakeSecret) => void) => (await drifted(secretRotation, 'origin-verify', change))[0]!;
    expect((await run((s) => (s.versions = { 'a1b2c3d4-0000-4000-8000-000000000001': ['AWSCURRENT', 'AWSPENDING'] }))).status).toBe('pass');
    const two = await run((s) => (s.versions = { ...s.versions, 'a1b2c3d4-0000-4000-8000-000000000003': ['AWSPENDING'], 'a1b2c3d4-0000-4000-8000-000000000004': ['AWSPENDING', 'AWSPREVIOUS'] }));
    expect(two).toMatchObject({
      status: 'fail',
      evidence:
        "version a1b2c3d4-0000-4000-8000-000000000003, a1b2c3d4-0000-4000-8000-000000000004 stuck in AWSPENDING (a rotation failed; see the rotation function's log group); expected AWSPENDING only with AWSCURRENT",
    });
  });

  it('a secret gone: the rotation check says so too', async () => {
    const state = secretsManagerState(fake.world);
    const s = secret('gateways/ops/token');
    state.secrets.delete(s.arn);
    try {
      const [r] = (await runChecks([secretRotation], ctx())).filter((x) => x.resource === s.arn);
      expect(r).toMatchObject({ status: 'fail', evidence: 'ResourceNotFoundException: the secret does not exist' });
    } finally {
      state.secrets.set(s.arn, s);
    }
  });
});
