import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TEST_CONTEXT } from '../support/build';
import { NOW, REPO_ROOT } from '../support/config-fixture';
import { startEdgePath, type EdgePath } from '../support/fake-deployment/edge-http';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { synthesizeFixture } from '../support/fake-deployment/world';
import { tempDirsRemovedAfterAll } from '../support/temp-dirs';
import { runVerify } from '../../lib/verify/verify-command';

const tempDir = tempDirsRemovedAfterAll();

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('npm run verify against the fake of a correct example/prod', () => {
  let fake: InstalledFake;
  let edge: EdgePath;
  beforeAll(async () => {
    fake = installFakeAws(synthesizeFixture('example', 'prod'));
    edge = await startEdgePath(fake.world);
  }, 180_000);
  afterAll(async () => {
    await edge?.stop();
    fake?.restore();
  });

  it('passes every check, writes the JSON report and appends to the compliance report', async () => {
    const outdir = tempDir('oc-verify-cmd-');
    const c = capture();
    const code = await runVerify(['--client', 'example', '--env', 'prod', '--outdir', outdir], { io: c.io, now: () => NOW, synthContext: TEST_CONTEXT, http: edge.http });
    const table = c.out.join('\n');
    expect(table).not.toMatch(/^FAIL/m);
    expect(code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, 'verify-example-prod.json'), 'utf8')) as { passed: boolean; results: { status: string }[] };
    expect(json.passed).toBe(true);
    expect(json.results.length).toBeGreaterThan(5);
    const report = fs.readFileSync(path.join(outdir, 'compliance-example-prod.md'), 'utf8');
    expect(report).toContain(`## Verified live at ${NOW.toISOString()}`);
    expect(report).toContain('- Result: **PASSED**');
  }, 180_000);

  it('fails with exit 1, naming the stack, when the last deploy of a stack rolled back', async () => {
    fake.world.stackStatus.set(`${fake.world.name}-gateway`, 'UPDATE_ROLLBACK_COMPLETE');
    try {
      const c = capture();
      const code = await runVerify(['--client', 'example', '--env', 'prod', '--outdir', tempDir('oc-verify-cmd-'), '--only', 'deployment'], { io: c.io, now: () => NOW, synthContext: TEST_CONTEXT });
      expect(code).toBe(1);
      expect(c.out.join('\n')).toMatch(new RegExp(`^FAIL +deployment-settled +deployment.stacks-deployed +${fake.world.name}-gateway \\(eu-west-1\\) +status UPDATE_ROLLBACK_COMPLETE; expected`, 'm'));
    } finally {
      fake.world.stackStatus.set(`${fake.world.name}-gateway`, 'UPDATE_COMPLETE');
    }
  }, 180_000);

  it('fails templates-current, naming the resources, when the deployed template is not the synthesized one (a change not deployed)', async () => {
    const gateway = fake.world.stack('gateway');
    const [firstId, first] = Object.entries(gateway.template.Resources ?? {})[0]!;
    const older = { ...gateway.template, Resources: { ...gateway.template.Resources, [firstId]: { ...first, Properties: { ...first.Properties, Changed: true } } } };
    fake.world.state.deployedTemplates = new Map([[gateway.stackName, older]]);
    try {
      const c = capture();
      const lines: string[] = [];
      const code = await runVerify(['--client', 'example', '--env', 'prod', '--outdir', tempDir('oc-verify-cmd-'), '--only', 'deployment'], {
        io: { ...c.io, progressLine: (t) => lines.push(t) },
        now: () => NOW,
        synthContext: TEST_CONTEXT,
      });
      expect(code).toBe(1);
      expect(c.out.join('\n')).toMatch(new RegExp(`^FAIL +deployment-current +deployment.templates-current +${gateway.stackName} +deployed template differs in 1 resource\\(s\\): ${firstId}; expected`, 'm'));
      expect(lines.some((l) => /^\[\d\/2\] ok {3}deployment.stacks-deployed$/.test(l))).toBe(true);
      expect(lines.some((l) => /^\[\d\/2\] FAIL deployment.templates-current$/.test(l))).toBe(true);
    } finally {
      delete fake.world.state.deployedTemplates;
    }
  }, 180_000);

  it('refuses a kill drill on prod before anything is called', async () => {
    const c = capture();
    expect(await runVerify(['--client', 'example', '--env', 'prod', '--drill', 'nonexistent'], { io: c.io, now: () => NOW })).toBe(2);
    expect(c.err.join('\n')).toMatch(/^verify: --drill nonexistent: expected one of/);
  });
});

describe('npm run verify without credentials', () => {
  it('exits 2 with one clear line, not a stack trace', () => {
    const home = tempDir('oc-verify-home-');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, 'none-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/verify.ts', '--client', 'example', '--env', 'dev'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'verify: no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the deploying account',
    ]);
  }, 90_000);
});

describe('npm run verify with credentials of another account', () => {
  it('exits 2 naming both accounts, before synthesizing', async () => {
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999' });
    try {
      const c = capture();
      expect(await runVerify(['--client', 'example', '--env', 'dev'], { io: c.io, now: () => NOW })).toBe(2);
      expect(c.err).toEqual([expect.stringMatching(/^verify: the credentials are for account 999999999999, but example\/dev is deployed in \d{12}: use a profile of that account$/)]);
    } finally {
      sts.restore();
    }
  });
});
