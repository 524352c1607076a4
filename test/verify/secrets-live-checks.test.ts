import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { secretsManagerState, type FakeSecret } from '../support/fake-deployment/secrets-manager';
import { synthesizeFixture } from '../support/fake-deployment/world';
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
