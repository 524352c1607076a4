import { NOW } from '../support/config-fixture';
import { cloudTrailState, type FakeTrail } from '../support/fake-deployment/cloudtrail';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { s3State, type FakeBucket } from '../support/fake-deployment/s3';
import { synthesizeFixture } from '../support/fake-deployment/world';
import type { CheckResult, LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { verifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';
import {
  AUDIT_LIVE_CHECKS,
  auditBucketEncryption,
  auditBucketPolicy,
  auditObjectLock,
  bucketPublicAccessBlock,
  cloudTrailDelivering,
  hostLogsShipped,
} from '../../lib/audit/live-checks';
import { auditWriteProbe } from '../../lib/audit/live-write-probe';

let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
});
afterAll(() => fake.restore());

const ctx = (writeProbes = false) =>
  new VerifyContext({ name: fake.world.name, account: fake.world.account, region: fake.world.config.aws.region, stacks: fake.world.stacks, settings: verifySettings(fake.world.config), options: { writeProbes, now: NOW } });

const buckets = () => [...s3State(fake.world).buckets.values()];
/** The audit bucket of the main region (the core stack's) and of us-east-1 (the edge stack's). */
const auditBucket = (region: string) => buckets().find((b) => b.objectLock !== undefined && b.region === region)!;
const trail = (): FakeTrail => [...cloudTrailState(fake.world).trails.values()][0]!;
const breakGlass = () => `arn:aws:iam::${fake.world.account}:role/${fake.world.config.breakGlass.roleName}`;

/** Runs `check` with `change` applied to `target`, restoring a copy afterwards; the results for `resource`. */
async function drifted<T extends object>(check: LiveCheck, target: T, change: (t: T) => void, resource: (r: CheckResult) => boolean, writeProbes = false): Promise<CheckResult[]> {
  const saved = structuredClone(target);
  change(target);
  try {
    return (await runChecks([check], ctx(writeProbes))).filter(resource);
  } finally {
    for (const k of Object.keys(target)) if (!(k in saved)) delete (target as Record<string, unknown>)[k];
    Object.assign(target, saved);
  }
}
const onBucket = (b: FakeBucket) => (r: CheckResult) => r.resource === b.name || r.resource.startsWith(`s3://${b.name}/`);

describe('audit live checks on the fake of a correct example/prod', () => {
  it('pass: two audit buckets (eu-west-1, us-east-1), four buckets in all, one trail, one archive', async () => {
    const checks = AUDIT_LIVE_CHECKS.filter((c) => c.needs !== 'write-probes');
    const results = await runChecks(checks, ctx());
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.filter((r) => r.check === auditObjectLock.id).map((r) => [r.resource, r.evidence])).toEqual(
      expect.arrayContaining([
        [auditBucket('eu-west-1').name, 'Object Lock COMPLIANCE 400 days'],
        [auditBucket('us-east-1').name, 'Object Lock COMPLIANCE 400 days'],
      ]),
    );
    expect(results.filter((r) => r.check === bucketPublicAccessBlock.id)).toHaveLength(4);
    expect(results.find((r) => r.check === cloudTrailDelivering.id)!.evidence).toMatch(/^logging; last delivery .* \(10 min ago\), no error$/);
    expect(results.find((r) => r.check === hostLogsShipped.id)!.evidence).toMatch(/^newest export .* \(3 min ago\)$/);
  }, 60_000);

  it('declare exactly the IAM actions they call; the probe alone writes and is not daily', () => {
    expect(Object.fromEntries(AUDIT_LIVE_CHECKS.map((c) => [c.id, c.iam]))).toEqual({
      'audit.object-lock': ['s3:GetBucketObjectLockConfiguration'],
      'audit.bucket-policy': ['s3:GetBucketPolicy'],
      'audit.public-access-block': ['s3:GetBucketPublicAccessBlock'],
      'audit.bucket-encryption': ['s3:GetEncryptionConfiguration'],
      'audit.cloudtrail-delivering': ['cloudtrail:GetTrailStatus'],
      'audit.host-logs-shipped': ['s3:ListBucket'],
      'audit.write-probe': ['s3:PutObject', 's3:GetObjectRetention', 's3:DeleteObjectVersion'],
    });
    expect(AUDIT_LIVE_CHECKS.filter((c) => !c.daily).map((c) => c.id)).toEqual(['audit.write-probe']);
    expect(auditWriteProbe.needs).toBe('write-probes');
  });
});

describe('audit live checks on drifted deployments fail, naming the control, the bucket and what they saw', () => {
  it('GOVERNANCE on prod', async () => {
    const b = auditBucket('eu-west-1');
    const [r] = await drifted(auditObjectLock, b, (x) => (x.objectLock!.rule!.Mode = 'GOVERNANCE'), onBucket(b));
    expect(r).toMatchObject({ status: 'fail', control: 's3-object-locked', evidence: 'Object Lock GOVERNANCE 400 days; expected Object Lock COMPLIANCE 400 days' });
  });

  it('retention days shortened', async () => {
    const b = auditBucket('us-east-1');
    const [r] = await drifted(auditObjectLock, b, (x) => (x.objectLock!.rule!.Days = 1), onBucket(b));
    expect(r!.evidence).toBe('Object Lock COMPLIANCE 1 days; expected Object Lock COMPLIANCE 400 days');
  });

  it('lock absent (no default retention, or no Object Lock at all)', async () => {
    const b = auditBucket('eu-west-1');
    const [noRule] = await drifted(auditObjectLock, b, (x) => delete x.objectLock!.rule, onBucket(b));
    expect(noRule!.evidence).toBe('Object Lock enabled without a default retention; expected Object Lock COMPLIANCE 400 days');
    const [none] = await drifted(auditObjectLock, b, (x) => delete x.objectLock, onBucket(b));
    expect(none).toMatchObject({ status: 'fail', evidence: 'no Object Lock configuration; expected Object Lock COMPLIANCE 400 days' });
  });

  it('bucket policy deleted, or its tamper deny dropped', async () => {
    const b = auditBucket('eu-west-1');
    const [gone] = await drifted(auditBucketPolicy, b, (x) => delete x.policy, onBucket(b));
    expect(gone).toMatchObject({ status: 'fail', control: 's3-audit-tamper-denied', evidence: "NoSuchBucketPolicy: the bucket has no policy; expected the template's denies" });
    const [weak] = await drifted(
      auditBucketPolicy,
      b,
      (x) => {
        const doc = JSON.parse(x.policy!) as { Statement: { Sid?: string }[] };
        x.policy = JSON.stringify({ ...doc, Statement: doc.Statement.filter((s) => s.Sid !== 'DenyObjectTamperingButBreakGlass') });
      },
      onBucket(b),
    );
    expect(weak!.status).toBe('fail');
    expect(weak!.evidence).toMatch(/^statement DenyObjectTamperingButBreakGlass missing; expected the template's bucket policy$/);
  });

  it('a public access block setting off', async () => {
    const b = buckets().find((x) => x.objectLock === undefined)!;
    const [r] = await drifted(bucketPublicAccessBlock, b, (x) => (x.publicAccessBlock!.RestrictPublicBuckets = false), onBucket(b));
    expect(r).toMatchObject({ status: 'fail', control: 's3-private-tls-only', evidence: 'RestrictPublicBuckets off; expected all four on' });
  });

  it('default encryption back to SSE-S3', async () => {
    const b = auditBucket('us-east-1');
    const [r] = await drifted(auditBucketEncryption, b, (x) => (x.encryption = { SSEAlgorithm: 'AES256' }), onBucket(b));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/^AES256; expected aws:kms arn:aws:kms:us-east-1:210987654321:key\//);
  });

  it('CloudTrail logging stopped', async () => {
    const [r] = await drifted(cloudTrailDelivering, trail(), (t) => (t.isLogging = false), () => true);
    expect(r).toMatchObject({ status: 'fail', control: 'cloudtrail-delivering', resource: trail().arn });
    expect(r!.evidence).toMatch(/^IsLogging false; expected IsLogging true/);
  });

  it('CloudTrail delivery failing with AccessDenied (a changed bucket or key policy)', async () => {
    const [r] = await drifted(
      cloudTrailDelivering,
      trail(),
      (t) => {
        t.latestDeliveryError = 'AccessDenied';
        t.latestDeliveryTime = new Date(NOW.getTime() - 2 * 86_400_000);
      },
      () => true,
    );
    expect(r!.evidence).toMatch(/^LatestDeliveryError AccessDenied, last delivery 48\.0 h ago; expected/);
  });

  it('the newest host log export 2 days old', async () => {
    const b = auditBucket('eu-west-1');
    const [r] = await drifted(
      hostLogsShipped,
      b,
      (x) => {
        const old = new Date(NOW.getTime() - 2 * 86_400_000);
        const day = old.toISOString().slice(0, 10).replace(/-/g, '/');
        x.versions = [{ key: `cloudwatch-logs/${day}/openclaw-example-prod-log-archive-1-old`, versionId: 'v-old', lastModified: old }];
      },
      onBucket(b),
    );
    expect(r).toMatchObject({ status: 'fail', control: 'host-logs-shipped', evidence: 'no export today or yesterday; expected an export within 12 min (twice the export interval and the Firehose buffer)' });
    const [stale] = await drifted(hostLogsShipped, b, (x) => (x.versions = x.versions.map((v) => ({ ...v, lastModified: new Date(NOW.getTime() - 30 * 60_000) }))), onBucket(b));
    expect(stale!.evidence).toMatch(/^newest export .* \(30 min ago\); expected an export within 12 min/);
  });
});

describe('--write-probes', () => {
  const asBreakGlass = async <T>(fn: () => Promise<T>) => {
    const state = s3State(fake.world);
    const saved = state.caller;
    state.caller = breakGlass();
    try {
      return await fn();
    } finally {
      state.caller = saved;
    }
  };

  it('as break-glass: the probe is written, locked COMPLIANCE, its delete refused, and it stays', async () => {
    const results = await asBreakGlass(() => runChecks([auditWriteProbe], ctx(true)));
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r).toMatchObject({ status: 'pass', control: 's3-object-locked' });
      expect(r.resource).toMatch(/^s3:\/\/[^/]+\/verify-probes\//);
      expect(r.evidence).toMatch(/COMPLIANCE until 2027-12-26T12:00:00\.000Z; DeleteObject refused \(AccessDenied: Access Denied because object protected by object lock\.\); the probe stays/);
      const [bucket, key] = r.resource.replace('s3://', '').split(/\/(.*)/);
      expect(s3State(fake.world).buckets.get(bucket!)!.versions.some((v) => v.key === key)).toBe(true);
    }
  });

  it('GOVERNANCE on prod: the delete without the bypass header is refused, and the probe still fails naming the mode', async () => {
    const b = auditBucket('eu-west-1');
    const results = await asBreakGlass(() =>
      drifted(
        auditWriteProbe,
        b,
        (x) => (x.objectLock!.rule!.Mode = 'GOVERNANCE'),
        onBucket(b),
        true,
      ),
    );
    // The mode is prod's drift here: the probe names it, refused delete or not.
    expect(results[0]!.evidence).toMatch(/GOVERNANCE until .*; DeleteObject refused \(AccessDenied: Access Denied because object protected by object lock\.\); expected the version locked COMPLIANCE/);
  });

  it('a bucket without Object Lock: the delete succeeds, so the probe fails', async () => {
    const b = auditBucket('us-east-1');
    const [r] = await asBreakGlass(() => drifted(auditWriteProbe, b, (x) => delete x.objectLock, onBucket(b), true));
    expect(r).toMatchObject({ status: 'fail', control: 's3-object-locked' });
    expect(r!.evidence).toMatch(/^version \S+ no retention \(InvalidRequest\); DeleteObject of the version succeeded: the probe is gone; expected AccessDenied \(Object Lock\)$/);
  });

  it('as the deployer: the bucket policy refuses the write, and the evidence says to use break-glass', async () => {
    const b = auditBucket('eu-west-1');
    const [r] = (await runChecks([auditWriteProbe], ctx(true))).filter(onBucket(b));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/^PutObject refused: AccessDenied: Access Denied \(.*run --write-probes with the break-glass role\); expected the probe written$/);
  });
});

test("each check's id, control, title, concern, schedule and actions, exactly (the list a mutation run found unpinned)", () => {
  expect(AUDIT_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam }))).toEqual([
      {"id":"audit.object-lock","control":"s3-object-locked","title":"Each audit bucket's Object Lock default retention has the config's mode and days","concern":"audit","daily":true,"iam":["s3:GetBucketObjectLockConfiguration"]},
      {"id":"audit.bucket-policy","control":"s3-audit-tamper-denied","title":"Each audit bucket's policy is the template's (tampering and insecure transport denied)","concern":"audit","daily":true,"iam":["s3:GetBucketPolicy"]},
      {"id":"audit.public-access-block","control":"s3-private-tls-only","title":"Every bucket of the deployment blocks all public access (all four settings)","concern":"audit","daily":true,"iam":["s3:GetBucketPublicAccessBlock"]},
      {"id":"audit.bucket-encryption","control":"s3-audit-cmk","title":"Each audit bucket encrypts by default with the deployment key (SSE-KMS)","concern":"audit","daily":true,"iam":["s3:GetEncryptionConfiguration"]},
      {"id":"audit.cloudtrail-delivering","control":"cloudtrail-delivering","title":"CloudTrail is logging and its last delivery to the audit bucket had no error, within a day","concern":"audit","daily":true,"iam":["cloudtrail:GetTrailStatus"]},
      {"id":"audit.host-logs-shipped","control":"host-logs-shipped","title":"The newest host log export in the audit archive is recent","concern":"audit","daily":true,"iam":["s3:ListBucket"]},
      {"id":"audit.write-probe","control":"s3-object-locked","title":"A probe object written to each audit bucket is locked: deleting its version is refused","concern":"audit","daily":false,"iam":["s3:PutObject","s3:GetObjectRetention","s3:DeleteObjectVersion"]},
  ]);
});
