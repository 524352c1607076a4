import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configFixture, REPO_ROOT } from './support/config-fixture';

// The commands a user types, run for real through the CDK CLI and npm.
const run = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } });

const synth = (...context: string[]) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cli-out-'));
  return { out, result: run('npx', ['cdk', 'synth', '--quiet', '-o', out, ...context.flatMap((c) => ['-c', c])]) };
};

test('npx cdk synth -c client=example -c env=prod passes the gate and writes the compliance report', () => {
  const { out, result } = synth('client=example', 'env=prod');
  expect(result.stderr).toContain('Gate passed for example/prod: 0 unacknowledged findings');
  expect(result.status).toBe(0);
  expect(fs.readFileSync(path.join(out, 'compliance-example-prod.md'), 'utf8')).toContain('Gate: **PASSED**');
  expect(fs.readdirSync(path.join(out, 'assembly-example-prod')).some((f) => f.endsWith('.template.json'))).toBe(true);
});

describe('a bad overlay stops synth with a message naming the file and key', () => {
  const root = configFixture({
    'clients/acme/client.yaml': 'aws:\n  account: "123456789012"\n  region: eu-west-1\n  acount: "123456789012"\n',
    'clients/leaky/client.yaml': `aws:\n  account: "123456789012"\n  region: eu-west-1\ntags:\n  owner: ${'sk-' + 'ant-' + 'api03-' + 'Q'.repeat(12) + 'w7'.repeat(10)}\n`,
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('unknown key', () => {
    const { out, result } = synth(`configDir=${path.join(root, 'config')}`, 'client=acme', 'env=dev');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/clients\/acme\/client\.yaml:4: aws\.acount: unknown key "acount"; expected one of: account, region/);
    expect(fs.existsSync(path.join(out, 'compliance-acme-dev.md'))).toBe(false);
  });

  test('pasted credential', () => {
    const { result } = synth(`configDir=${path.join(root, 'config')}`, 'client=leaky', 'env=dev');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/clients\/leaky\/client\.yaml:5: tags\.owner: the value looks like an Anthropic API key\. .*AWS Secrets Manager/);
    expect(result.stderr).not.toContain('sk-ant-');
  });
});

test('npm run config prints the merged config and where each value came from', () => {
  const result = run('npm', ['run', '-s', 'config', '--', '--client', 'example', '--env', 'prod']);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('account: "210987654321" # config/clients/example/prod.yaml:4');
  expect(result.stdout).toContain('prefix: openclaw # config/base.yaml:12');
});
