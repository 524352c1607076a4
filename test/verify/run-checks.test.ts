import type { LiveCheck } from '../../lib/verify/live-check';
import { expect as expectResult, result } from '../../lib/verify/live-check';
import { describeError, runCheck, runChecks } from '../../lib/verify/run-checks';
import { credentialsProblem } from '../../lib/verify/verify-command';
import { VerifyContext } from '../../lib/verify/verify-context';
import { verifySettings } from '../../lib/verify/settings';
import { loadConfig } from '../../lib/config/load';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

const config = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;
const ctx = new VerifyContext({ name: 'oc-example-dev', account: config.aws.account, region: config.aws.region, stacks: [], settings: verifySettings(config), options: { writeProbes: false, now: NOW } });

const check = (id: string, run: LiveCheck['run']): LiveCheck => ({ id, control: `${id}-control`, title: id, concern: 'deployment', daily: true, iam: [], run });

describe('runCheck', () => {
  it('turns a thrown error into one failed result naming the error', async () => {
    const c = check('x.throws', async () => {
      throw Object.assign(new Error('User is not authorized to perform: ec2:DescribeInstances'), { name: 'UnauthorizedOperation' });
    });
    expect(await runCheck(c, ctx)).toEqual([
      { check: 'x.throws', control: 'x.throws-control', status: 'fail', resource: '(check)', evidence: 'UnauthorizedOperation: User is not authorized to perform: ec2:DescribeInstances' },
    ]);
  });

  it('fails a check that looked at nothing: it proved nothing', async () => {
    expect(await runCheck(check('x.empty', async () => []), ctx)).toEqual([
      { check: 'x.empty', control: 'x.empty-control', status: 'fail', resource: '(none)', evidence: 'the check found no resource to look at' },
    ]);
  });

  it('passes results through', async () => {
    const c: LiveCheck = check('x.ok', async () => [result(c, 'pass', 'r1', 'seen'), expectResult(c, false, 'r2', 'hop limit 2', '1')]);
    expect(await runCheck(c, ctx)).toEqual([
      { check: 'x.ok', control: 'x.ok-control', status: 'pass', resource: 'r1', evidence: 'seen' },
      { check: 'x.ok', control: 'x.ok-control', status: 'fail', resource: 'r2', evidence: 'hop limit 2; expected 1' },
    ]);
  });
});

describe('runChecks', () => {
  it('keeps the order of the checks, runs at most `concurrency` at once and reports progress for each', async () => {
    let running = 0;
    let peak = 0;
    const checks = Array.from({ length: 7 }, (_, i) => {
      const c: LiveCheck = check(`x.${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        return [result(c, 'pass', `r${i}`, 'ok')];
      });
      return c;
    });
    const started: string[] = [];
    const finished: string[] = [];
    const results = await runChecks(checks, ctx, { started: (c) => started.push(c.id), finished: (c) => finished.push(c.id) }, 3);
    expect(results.map((r) => r.resource)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(peak).toBe(3);
    expect(started.sort()).toEqual(checks.map((c) => c.id).sort());
    expect(finished.sort()).toEqual(checks.map((c) => c.id).sort());
  });
});

describe('describeError', () => {
  it('names a non-Error value too', () => {
    expect(describeError('boom')).toBe('Error: boom');
    expect(describeError({ Code: 'AccessDenied', message: 'no' })).toBe('AccessDenied: no');
  });
});

describe('credentialsProblem', () => {
  // The SDK's own errors, as its credential chain raises them.
  it('says in one line what to do for each way credentials fail', () => {
    expect(credentialsProblem(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))).toBe(
      'no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the deploying account',
    );
    expect(credentialsProblem(Object.assign(new Error('The SSO session associated with this profile has expired.\nTo refresh run aws sso login.'), { name: 'CredentialsProviderError' }))).toBe(
      'could not load AWS credentials: The SSO session associated with this profile has expired. To refresh run aws sso login. (for SSO: aws sso login)',
    );
    expect(credentialsProblem(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }))).toBe(
      'AWS refused the credentials (ExpiredToken): refresh them (aws sso login, or new keys) and run again',
    );
    expect(credentialsProblem(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }))).toBeUndefined();
  });
});
