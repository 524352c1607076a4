import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../lib/config/load';
import { AgentDocumentError, SetAgentSecretError, setAgentSecret } from '../../lib/secrets/set-agent-secret';
import { CONFIG_DIR, NOW } from '../support/config-fixture';
import { fakeRoleCredentials } from '../support/fake-aws/imds';
import { startFakeServer } from '../support/fake-aws/server';
import { startFakeSecretsManager, type FakeSecretsManager } from '../support/fake-aws/secrets-manager';
import { documentFor as documentForConfig, fakeValue } from './support/agent-secret-document';

const fake = fakeValue;

const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW });
const TARGET = 'openclaw/example/dev/agents/support in eu-west-1 (account 123456789012)';

const documentFor = (agent: string) => documentForConfig(config, agent);

/**
 * setAgentSecret with the real SDK client against the in-process fake Secrets Manager
 * (SigV4-checked, PutSecretValue as the service does it). Each agent's secret exists
 * (the stack made it) in the deployment's region, holding a previous value.
 */
describe('setAgentSecret', () => {
  const credentials = fakeRoleCredentials(12);
  let sm: FakeSecretsManager;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    sm = await startFakeSecretsManager(credentials);
    client = new SecretsManagerClient({ region: config.aws.region, endpoint: sm.endpoint, credentials, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await sm.close();
  });
  beforeEach(() => {
    sm.reset();
    for (const agent of Object.keys(config.openclaw.agents)) {
      sm.put(`openclaw/example/dev/agents/${agent}`, { region: config.aws.region, stages: { AWSCURRENT: `previous-${agent}` } });
    }
  });

  const run = (agent: string, document: string): Promise<Error> =>
    setAgentSecret({ client, config, agent, document }).then(
      () => new Error('stored'),
      (e: unknown) => e as Error,
    );

  test.each(Object.keys(config.openclaw.agents).sort())(
    'stores the normalised document of agent %s as the new AWSCURRENT version (the old one becomes AWSPREVIOUS)',
    async (agent) => {
      const { doc, pointers } = documentFor(agent);
      const result = await setAgentSecret({ client, config, agent, document: `\uFEFF${JSON.stringify(doc, null, 2)}\n` });
      const secretId = `openclaw/example/dev/agents/${agent}`;
      // Exactly what was sent: the secret id, the normalised document, the SDK's idempotency token; no
      // VersionStages, so Secrets Manager labels the new version AWSCURRENT.
      expect(sm.puts).toEqual([
        {
          secretId,
          region: 'eu-west-1',
          input: { SecretId: secretId, SecretString: JSON.stringify(doc), ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/) },
          outcome: 'stored',
        },
      ]);
      expect(result).toEqual({ secretName: secretId, versionId: sm.puts[0]!.input.ClientRequestToken, pointers });
      expect(sm.get(secretId)).toEqual({ region: 'eu-west-1', stages: { AWSCURRENT: JSON.stringify(doc), AWSPREVIOUS: `previous-${agent}` } });
    },
  );

  describe('a document with problems is not written, and the error lists them', () => {
    test('one problem', async () => {
      const value = fake('stray');
      const error = await run('support', JSON.stringify({ ...documentFor('support').doc, stray: { apiKey: value } }));
      expect(error).toBeInstanceOf(AgentDocumentError);
      expect(error.name).toBe('AgentDocumentError');
      expect(error.message).toBe(
        'the document has 1 problem: /stray/apiKey: unexpected key; remove it: the secret of agent support holds only /anthropic/apiKey, /telegram/botToken',
      );
      expect((error as AgentDocumentError).problems).toEqual([
        '/stray/apiKey: unexpected key; remove it: the secret of agent support holds only /anthropic/apiKey, /telegram/botToken',
      ]);
      expect(sm.puts).toEqual([]);
      expect(sm.get('openclaw/example/dev/agents/support')!.stages).toEqual({ AWSCURRENT: 'previous-support' });
    });

    test('two problems, joined with "; "; the API key of a provider the agent does not use names its own provider', async () => {
      const error = await run('support', JSON.stringify({ anthropic: { apiKey: fake('anthropic') }, openai: { apiKey: fake('openai') } }));
      expect(error).toBeInstanceOf(AgentDocumentError);
      expect(error.message).toBe(
        'the document has 2 problems: /telegram/botToken: missing; ' +
          '/openai/apiKey: agent support uses the model provider anthropic, not openai (openclaw.agents.support.provider); remove it: ' +
          'the secret of agent support holds only /anthropic/apiKey, /telegram/botToken',
      );
      expect(sm.puts).toEqual([]);
    });

    test("every agent's own provider key is required, even when another agent uses the same provider (no shared key)", async () => {
      // ops and support both use anthropic: support's document without its own key is refused.
      const error = await run('support', JSON.stringify({ telegram: { botToken: fake('telegram') } }));
      expect(error).toBeInstanceOf(AgentDocumentError);
      expect(error.message).toBe('the document has 1 problem: /anthropic/apiKey: missing');
      expect(sm.puts).toEqual([]);
    });
  });

  test('an unknown agent is refused, listing the agents (or none)', async () => {
    const unknown = await run('nobody', '{}');
    expect(unknown).toBeInstanceOf(AgentDocumentError);
    expect(unknown.message).toBe('the document has 1 problem: no agent "nobody" in openclaw.agents of example/dev; agents: ops, support');
    const noAgents = { ...config, openclaw: { ...config.openclaw, agents: {} } };
    const none = (await setAgentSecret({ client, config: noAgents, agent: 'support', document: '{}' }).catch((e: unknown) => e)) as Error;
    expect(none.message).toBe('the document has 1 problem: no agent "support" in openclaw.agents of example/dev; agents: none');
    expect(sm.puts).toEqual([]);
  });

  /** Stores a valid document of agent support and returns the error; no value of it may appear. */
  async function failure(doc = documentFor('support').doc, c = client): Promise<SetAgentSecretError> {
    const e = (await setAgentSecret({ client: c, config, agent: 'support', document: JSON.stringify(doc) }).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(SetAgentSecretError);
    expect(e.name).toBe('SetAgentSecretError');
    expect(e.message).not.toMatch(/\n/);
    for (const v of Object.values(doc).flatMap((o) => Object.values(o))) if (v.length >= 4) expect(e.message).not.toContain(v);
    return e as SetAgentSecretError;
  }

  test('AccessDeniedException: assume the break-glass role', async () => {
    sm.inject('openclaw/example/dev/agents/support', {
      status: 400,
      type: 'AccessDeniedException',
      message: 'User: arn:aws:sts::123456789012:assumed-role/Dev/me is not authorized to perform: secretsmanager:PutSecretValue\nwith an explicit deny in a resource-based policy',
    });
    const error = await failure();
    expect(error.awsErrorName).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `could not write ${TARGET}: access denied (AccessDeniedException); ` +
        "assume the break-glass role named in config breakGlass.roleName (openclaw-break-glass): the secret's resource policy lets only it write values",
    );
  });

  test('ResourceNotFoundException (no such secret in the region the client signs for): deploy the stack first', async () => {
    sm.put('openclaw/example/dev/agents/support', { region: 'us-east-1', stages: { AWSCURRENT: 'elsewhere' } });
    const error = await failure();
    expect(error.awsErrorName).toBe('ResourceNotFoundException');
    expect(error.message).toBe(
      `could not write ${TARGET}: the secret does not exist (ResourceNotFoundException); deploy the stack first ` +
        '(npx cdk deploy --all -c client=example -c env=dev), or use credentials of account 123456789012',
    );
    expect(sm.puts.map((p) => p.outcome)).toEqual(['ResourceNotFoundException']);
  });

  test('no credentials (the SDK default chain finds none): sign in', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials', AWS_EC2_METADATA_DISABLED: 'true' });
    const anonymous = new SecretsManagerClient({ region: config.aws.region, endpoint: sm.endpoint, maxAttempts: 1 });
    try {
      const error = await failure(undefined, anonymous);
      expect(error.awsErrorName).toBe('CredentialsProviderError');
      expect(error.message).toBe(
        `could not write ${TARGET}: no AWS credentials (CredentialsProviderError: Could not load credentials from any providers); ` +
          'sign in (e.g. aws sso login --profile <profile>) and set AWS_PROFILE',
      );
    } finally {
      anonymous.destroy();
      process.env = saved;
    }
    expect(sm.puts).toEqual([]);
  });

  describe('any other AWS error: one line, whitespace collapsed, values of 4 characters or more cut out should AWS ever echo them', () => {
    const inject = (message: string) => sm.inject('openclaw/example/dev/agents/support', { status: 400, type: 'InvalidRequestException', message });

    test('a value echoed in the message is cut out', async () => {
      const { doc, values } = documentFor('support');
      inject(`  bad \t input\n\nnear ${values[0]}  `);
      expect((await failure(doc)).message).toBe(`could not write ${TARGET}: InvalidRequestException: bad input near <redacted>`);
    });

    test('a value of exactly 4 characters is cut out', async () => {
      inject('bad input near Wk9p and Wk9p');
      expect((await failure({ anthropic: { apiKey: 'Wk9p' }, telegram: { botToken: 'Wk9p' } })).message).toBe(`could not write ${TARGET}: InvalidRequestException: bad input near <redacted> and <redacted>`);
    });

    test('a value of 3 characters is not (it would cut the message apart)', async () => {
      inject('bad input near Qz7');
      expect((await failure({ anthropic: { apiKey: 'Qz7' }, telegram: { botToken: 'Qz7' } })).message).toBe(`could not write ${TARGET}: InvalidRequestException: bad input near Qz7`);
    });
  });

  test('credentials Secrets Manager refuses (a wrong secret key: InvalidSignatureException): sign in again', async () => {
    const wrong = new SecretsManagerClient({ region: config.aws.region, endpoint: sm.endpoint, credentials: fakeRoleCredentials(99), maxAttempts: 1 });
    try {
      const error = await failure(undefined, wrong);
      expect(error.message).toBe(
        `could not write ${TARGET}: AWS refused the credentials (InvalidSignatureException: The request signature we calculated does not match the signature you provided.); ` +
          'sign in again (e.g. aws sso login --profile <profile>)',
      );
      expect(error.awsErrorName).toBe('InvalidSignatureException');
    } finally {
      wrong.destroy();
    }
  });

  test.each(['ExpiredTokenException', 'UnrecognizedClientException'])('an expired or unknown session (%s): sign in again', async (type) => {
    sm.inject('openclaw/example/dev/agents/support', { status: 400, type, message: 'The security token included in the request is expired' });
    expect((await failure()).message).toBe(
      `could not write ${TARGET}: AWS refused the credentials (${type}: The security token included in the request is expired); sign in again (e.g. aws sso login --profile <profile>)`,
    );
  });

  test('an answer without a version id is an error, not a stored version', async () => {
    const server = await startFakeServer(() => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ Name: 'x' }) }));
    const bare = new SecretsManagerClient({ region: config.aws.region, endpoint: server.endpoint, credentials, maxAttempts: 1 });
    try {
      const error = await failure(undefined, bare);
      expect(error.message).toBe('wrote openclaw/example/dev/agents/support but Secrets Manager returned no version id');
      expect(error.awsErrorName).toBeUndefined();
    } finally {
      bare.destroy();
      await server.close();
    }
  });
});
