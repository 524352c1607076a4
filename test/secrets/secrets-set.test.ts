import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../lib/config/load';
import { agentSecretPointers } from '../../lib/secrets/secrets-manifest';
import { AgentDocumentError, SetAgentSecretError, setAgentSecret } from '../../lib/secrets/set-agent-secret';
import { CONFIG_DIR, NOW, REPO_ROOT } from '../support/config-fixture';

/** Obviously fake values, new on every run. */
const fake = (label: string) => `FAKE-${label}-${randomBytes(12).toString('hex')}`;

const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW });

/** A valid document for an agent of the example config: its required pointers, each with a fake value. */
function documentFor(agent: string): { doc: Record<string, Record<string, string>>; values: string[]; pointers: string[] } {
  const pointers = agentSecretPointers(config, agent);
  const doc: Record<string, Record<string, string>> = {};
  for (const p of pointers) {
    const [, top, leaf] = p.split('/');
    (doc[top!] ??= {})[leaf!] = fake(`${top}-${leaf}`);
  }
  return { doc, values: pointers.map((p) => doc[p.split('/')[1]!]![p.split('/')[2]!]!), pointers };
}

describe('setAgentSecret', () => {
  const sm = mockClient(SecretsManagerClient);
  const client = new SecretsManagerClient({ region: config.aws.region });
  beforeEach(() => sm.reset());
  afterAll(() => sm.restore());

  test.each(Object.keys(config.openclaw.agents).sort())('stores the normalised document of agent %s with PutSecretValue', async (agent) => {
    const { doc, pointers } = documentFor(agent);
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v-1', Name: `openclaw/example/dev/agents/${agent}` });
    const result = await setAgentSecret({ client, config, agent, document: `${JSON.stringify(doc, null, 2)}\n` });
    expect(result).toEqual({ secretName: `openclaw/example/dev/agents/${agent}`, versionId: 'v-1', pointers });
    const calls = sm.commandCalls(PutSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ SecretId: `openclaw/example/dev/agents/${agent}`, SecretString: JSON.stringify(doc) });
  });

  test('a document with problems is not written', async () => {
    const value = fake('stray');
    const error = await setAgentSecret({ client, config, agent: 'support', document: JSON.stringify({ stray: { apiKey: value } }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentDocumentError);
    expect((error as AgentDocumentError).problems.length).toBeGreaterThan(0);
    expect((error as Error).message).not.toContain(value);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  test('an unknown agent is refused, listing the agents', async () => {
    await expect(setAgentSecret({ client, config, agent: 'nobody', document: '{}' })).rejects.toThrow(/no agent "nobody".*agents: ops, support/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  async function failure(error: Error): Promise<{ error: SetAgentSecretError; values: string[] }> {
    const { doc, values } = documentFor('support');
    sm.on(PutSecretValueCommand).rejects(error);
    const e = await setAgentSecret({ client, config, agent: 'support', document: JSON.stringify(doc) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SetAgentSecretError);
    const message = (e as Error).message;
    expect(message).not.toMatch(/\n/);
    for (const v of values) expect(message).not.toContain(v);
    return { error: e as SetAgentSecretError, values };
  }

  test('AccessDenied: assume the break-glass role', async () => {
    const denied = new SecretsManagerServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'User: arn:aws:sts::123456789012:assumed-role/Dev/me is not authorized to perform: secretsmanager:PutSecretValue\nwith an explicit deny in a resource-based policy',
    });
    const { error } = await failure(denied);
    expect(error.awsErrorName).toBe('AccessDeniedException');
    expect(error.message).toBe(
      'could not write openclaw/example/dev/agents/support in eu-west-1 (account 123456789012): access denied (AccessDeniedException); ' +
        `assume the break-glass role named in config breakGlass.roleName (${config.breakGlass.roleName}): the secret's resource policy lets only it write values`,
    );
  });

  test('ResourceNotFound: deploy the stack first', async () => {
    const { error } = await failure(new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: "Secrets Manager can't find the specified secret." }));
    expect(error.awsErrorName).toBe('ResourceNotFoundException');
    expect(error.message).toMatch(/^could not write openclaw\/example\/dev\/agents\/support in eu-west-1 \(account 123456789012\): the secret does not exist \(ResourceNotFoundException\); deploy the stack first/);
  });

  test('any other AWS error is one line, with the values cut out should AWS ever echo them', async () => {
    const { doc, values } = documentFor('support');
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error(`bad input\nnear ${values[0]}`), { name: 'InvalidRequestException' }));
    const e = (await setAgentSecret({ client, config, agent: 'support', document: JSON.stringify(doc) }).catch((x: unknown) => x)) as Error;
    expect(e.message).toBe('could not write openclaw/example/dev/agents/support in eu-west-1 (account 123456789012): InvalidRequestException: bad input near <redacted>');
  });
});

describe('npm run secrets:set (the real CLI against a loopback Secrets Manager)', () => {
  interface Received {
    target: string | undefined;
    body: Record<string, unknown>;
  }
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      received.push({ target: req.headers['x-amz-target'] as string | undefined, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${String(body.SecretId)}-AbCdEf`, Name: body.SecretId, VersionId: 'loopback-version-1', VersionStages: ['AWSCURRENT'] }));
    });
  });
  beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
    const { port } = server.address() as AddressInfo;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
    Object.assign(env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'test-access-key-id',
      AWS_SECRET_ACCESS_KEY: fake('secret-access-key'),
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
    expect(result.stdout).toContain(
      `secrets:set: stored ${pointers.length} value${pointers.length === 1 ? '' : 's'} (${pointers.join(', ')}) in openclaw/example/dev/agents/support (version loopback-version-1)`,
    );
    expect(received).toHaveLength(1);
    expect(received[0]!.target).toBe('secretsmanager.PutSecretValue');
    expect(received[0]!.body).toMatchObject({ SecretId: 'openclaw/example/dev/agents/support', SecretString: JSON.stringify(doc) });
    for (const v of values) {
      expect(result.stdout).not.toContain(v);
      expect(result.stderr).not.toContain(v);
    }
  });
});
