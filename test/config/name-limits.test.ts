import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import { checkNameLimits } from '../../lib/config/name-limits';
import { NAME_RULES, type NameParts } from '../../lib/config/name-rules';
import { configFixture, NOW, REPO_ROOT } from '../support/config-fixture';

/** Agents each in its own gateway (no shared group): the gateway ids are the agent ids. */
const agentsAlone = (ids: readonly string[]) => ({ agentIds: ids, gatewayIds: ids });

// Long names must stop at the config, naming the file and key, the derived
// name, its length and AWS's limit: not in CDK's validation (a stack trace)
// and not at deploy time (a failed stack).

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

const AWS = 'aws:\n  account: "111122223333"\n  region: eu-west-1\n';

function loadError(files: Record<string, string>, client: string, env: string): ConfigError {
  const root = configFixture(files);
  roots.push(root);
  try {
    loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client, env });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected ${client}/${env} to fail with a ConfigError, but it loaded`);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('a long project.prefix is refused, naming the file and line that set it, the derived name, its length and the limit', () => {
  const prefix = 'abcdefghijklmnopqrst'; // 20: the schema's own maximum
  const err = loadError({ 'clients/acme-corp/client.yaml': `${AWS}project:\n  prefix: ${prefix}\n` }, 'acme-corp', 'staging');
  const bucket = `aws-waf-logs-${prefix}-acme-corp-staging-111122223333`;
  expect(err.problems).toContainEqual({
    file: 'config/clients/acme-corp/client.yaml',
    line: 5,
    path: 'project.prefix',
    message: expect.stringMatching(new RegExp(`^found prefix "${prefix}", which gives the S3 bucket name "${esc(bucket)}": ${bucket.length} characters; expected at most 63 `)),
  });
  expect(err.problems.every((p) => p.path === 'project.prefix')).toBe(true);
  expect(err.message).toContain(`config/clients/acme-corp/client.yaml:5: project.prefix: found prefix "${prefix}"`);
});

test('a 40-character client folder is refused with the Lambda function name it would give (was CDK\'s FunctionNameTooLong stack trace)', () => {
  const client = 'a'.repeat(40);
  const err = loadError({ [`clients/${client}/client.yaml`]: AWS }, client, 'dev');
  const fn = `openclaw-${client}-dev-rotate-origin-verify`;
  expect(err.problems).toContainEqual({
    file: `config/clients/${client}`,
    path: `client name (the folder clients/${client})`,
    message: expect.stringMatching(new RegExp(`^found client "${client}", which gives the Lambda function name "${fn}": ${fn.length} characters; expected at most 64 \\(AWS's rule: 1-64 characters`)),
  });
  expect(err.problems.every((p) => p.file === `config/clients/${client}`)).toBe(true);
});

test('a long environment name is refused, naming the environment file', () => {
  const env = 'integration-testing-eu-0123456789';
  // Any environment but dev and staging is production: it needs a custom domain (viewer TLS), given here.
  const domain = 'edge:\n  customDomain:\n    domainName: agents.acme.example\n    certificateArn: arn:aws:acm:us-east-1:111122223333:certificate/11111111-1111-4111-8111-111111111111\n';
  const err = loadError({ 'clients/acme/client.yaml': AWS + domain, [`environments/${env}.yaml`]: 'tags: {}\n' }, 'acme', env);
  expect(err.problems.length).toBeGreaterThan(0);
  for (const p of err.problems) {
    expect(p).toMatchObject({ file: `config/environments/${env}.yaml`, path: `environment name (the file environments/${env}.yaml)` });
    expect(p.message).toMatch(new RegExp(`^found env "${env}", which gives the .+ characters; expected at most \\d+`));
  }
  expect(err.problems.map((p) => /gives the (.+?) "/.exec(p.message)![1])).toContain('S3 bucket name');
});

test('a name AWS refuses for its characters is refused too: "--" in a client breaks the CloudTrail trail name', () => {
  const err = loadError({ 'clients/ac--me/client.yaml': AWS }, 'ac--me', 'dev');
  expect(err.problems).toEqual([
    {
      file: 'config/clients/ac--me',
      path: 'client name (the folder clients/ac--me)',
      message: expect.stringMatching(/^found client "ac--me", which gives the CloudTrail trail name "openclaw-ac--me-dev-trail": expected letters, digits and \._-, starting and ending with a letter or digit, no two of \._- in a row/),
    },
  ]);
});

test('the names of the example client fit with room to spare, and every rule is checked at its exact limit', () => {
  const parts: NameParts = { prefix: 'openclaw', client: 'example', env: 'staging', account: '123456789012', ...agentsAlone(['support', 'ops']) };
  expect(checkNameLimits(parts, 'eu-west-1', [{ part: 'client', value: 'example', path: 'client' }])).toEqual([]);
  // Grow the client until each rule's longest derived name is exactly at its limit, then one more character.
  for (const rule of NAME_RULES.filter((r) => r.derived(parts).length > 0)) {
    const grow = (n: number) => ({ ...parts, client: 'c'.repeat(n) });
    const length = (n: number) => Math.max(...rule.derived(grow(n)).map((d) => (rule.measure ? rule.measure(d, 'eu-west-1', parts.account) : d.length)));
    const atLimit = rule.maxLength - length(0);
    if (atLimit > 2000) continue; // a limit no client name could reach
    const source = (n: number) => [{ part: 'client' as const, value: 'c'.repeat(n), path: 'client' }];
    expect(checkNameLimits(grow(atLimit), 'eu-west-1', source(atLimit)).filter((p) => p.message.includes(`the ${rule.what} "`))).toEqual([]);
    expect(checkNameLimits(grow(atLimit + 1), 'eu-west-1', source(atLimit + 1)).map((p) => p.message)).toContainEqual(
      expect.stringContaining(`the ${rule.what} "`),
    );
  }
});

test('the CLI prints the long-name error (file, key, limit) and no stack trace', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cli-names-'));
  roots.push(root);
  const client = 'b'.repeat(40);
  fs.cpSync(path.join(REPO_ROOT, 'config'), path.join(root, 'config'), { recursive: true });
  fs.mkdirSync(path.join(root, 'config', 'clients', client));
  fs.writeFileSync(path.join(root, 'config', 'clients', client, 'client.yaml'), AWS);
  const result = spawnSync('npx', ['tsx', 'bin/app.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ configDir: path.join(root, 'config'), client, env: 'dev' }), CDK_OUTDIR: path.join(root, 'out') },
  });
  expect(result.stderr).toMatch(new RegExp(`clients/${client}: client name \\(the folder clients/${client}\\): found client "${client}", which gives the Lambda function name "openclaw-${client}-dev-rotate-origin-verify": 74 characters; expected at most 64`));
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.status).toBe(1);
});
