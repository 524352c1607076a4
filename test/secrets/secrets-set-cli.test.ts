import { spawn } from 'child_process';
import { loadConfig } from '../../lib/config/load';
import { CONFIG_DIR, NOW, REPO_ROOT } from '../support/config-fixture';
import { fakeRoleCredentials } from '../support/fake-aws/imds';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-aws/secrets-manager';
import { documentFor as documentForConfig } from './support/agent-secret-document';


const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW });

const documentFor = (agent: string) => documentForConfig(config, agent);

describe('npm run secrets:set (the real CLI and SDK against the fake Secrets Manager)', () => {
  const credentials = fakeRoleCredentials(21);
  let sm: FakeSecretsManager;
  beforeAll(async () => {
    sm = await startFakeSecretsManager(credentials);
    sm.put('openclaw/example/dev/agents/support', { region: 'eu-west-1', stages: { AWSCURRENT: 'previous' } });
  });
  afterAll(() => sm.close());

  function runCli(args: string[], stdin: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'scripts/secrets-set.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(stdin);
    });
  }

  test('stores the document of agent support and prints no value', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
    Object.assign(env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_REGION: 'eu-west-1',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const { doc, values, pointers } = documentFor('support');
    expect(values.length).toBeGreaterThan(0);

    const result = await runCli(['--client', 'example', '--env', 'dev', '--agent', 'support', '--config-dir', 'config'], JSON.stringify(doc, null, 2), env);

    expect(result.stderr).not.toMatch(/secrets:set: (?!paste)/);
    expect(result.code).toBe(0);
    expect(sm.rejections).toEqual([]);
    expect(sm.puts).toEqual([
      {
        secretId: 'openclaw/example/dev/agents/support',
        region: 'eu-west-1',
        input: { SecretId: 'openclaw/example/dev/agents/support', SecretString: JSON.stringify(doc), ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        outcome: 'stored',
      },
    ]);
    expect(result.stdout).toBe(
      `secrets:set: stored ${pointers.length} value${pointers.length === 1 ? '' : 's'} (${pointers.join(', ')}) in openclaw/example/dev/agents/support (version ${String(sm.puts[0]!.input.ClientRequestToken)})\n`,
    );
    expect(sm.get('openclaw/example/dev/agents/support')!.stages).toEqual({ AWSCURRENT: JSON.stringify(doc), AWSPREVIOUS: 'previous' });
    for (const v of values) {
      expect(result.stdout).not.toContain(v);
      expect(result.stderr).not.toContain(v);
    }
  });
});
