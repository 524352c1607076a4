import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { loadConfig } from '../../lib/config/load';
import type { ResolvedConfig } from '../../lib/config/schema';
import { DeploymentSecrets } from '../../lib/secrets/deployment-secrets';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The regional secrets of one deployment on a bare stack (not the whole app): one generated
// token per gateway (one gateway per agent) and one empty JSON document per agent (sorted by id), by predictable names,
// encrypted with the deployment key, readable by the host and break-glass only, retained unless
// opted out; the rotation findings acknowledged on the agents' secrets only.

interface Resource { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }

const ACCOUNT = '123456789012';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const HOST = `arn:aws:iam::${ACCOUNT}:role/openclaw-example-prod-host`;
/** The default bootstrap's CloudFormation execution role of the bare stack (exempt from the UpdateSecret deny). */
const EXEC_ROLE = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`]] };
const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW });

const build = (cfg: ResolvedConfig) => {
  const stack = new Stack(new App(), 'Gateway', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const secrets = new DeploymentSecrets(stack, 'Secrets', { config: cfg, key: kms.Key.fromKeyArn(stack, 'Key', KEY_ARN), hostRoleArn: HOST });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const secretIds = secrets.all.map((s) => stack.getLogicalId(s.node.defaultChild as never));
  return { stack, secrets, resources, secretIds };
};
const example = build(config);
// A third agent, after the others by id, with no channel and the provider of another agent (it holds its own key).
const withKeyless = build({ ...config, openclaw: { ...config.openclaw, agents: { ...config.openclaw.agents, zeta: { ...config.openclaw.agents.ops!, channels: {} } } } });
const destroyed = build({ ...config, client: 'beta', env: 'dev', breakGlass: { ...config.breakGlass, roleName: 'beta-break-glass' }, dataProtection: { ...config.dataProtection, retainOnDelete: false } });

test('the example config: two agents (support, ops), break-glass openclaw-break-glass, retained', () => {
  expect(Object.keys(config.openclaw.agents)).toEqual(['support', 'ops']);
  expect(config.breakGlass.roleName).toBe('openclaw-break-glass');
  expect(config.dataProtection.retainOnDelete).toBe(true);
});

test('exactly one token per gateway, then one secret per agent, each sorted by id; `all` in the same order', () => {
  expect(Object.keys(example.secrets.gatewayTokens)).toEqual(['ops', 'support']);
  expect(Object.keys(example.secrets.agents)).toEqual(['ops', 'support']);
  expect(example.secrets.all).toEqual([example.secrets.gatewayTokens.ops, example.secrets.gatewayTokens.support, example.secrets.agents.ops, example.secrets.agents.support]);
  expect(example.secrets.all.map((s) => s.node.path)).toEqual([
    'Gateway/Secrets/GatewayToken-ops',
    'Gateway/Secrets/GatewayToken-support',
    'Gateway/Secrets/Agent-ops',
    'Gateway/Secrets/Agent-support',
  ]);
  expect(Object.values(example.resources).map((r) => r.Type)).toEqual(
    Array.from({ length: 4 }, () => ['AWS::SecretsManager::Secret', 'AWS::SecretsManager::ResourcePolicy']).flat(),
  );
  expect(withKeyless.secrets.all.map((s) => s.predictableName)).toEqual([
    'openclaw/example/prod/gateways/ops/token',
    'openclaw/example/prod/gateways/support/token',
    'openclaw/example/prod/gateways/zeta/token',
    'openclaw/example/prod/agents/ops',
    'openclaw/example/prod/agents/support',
    'openclaw/example/prod/agents/zeta',
  ]);
});

test('the secrets: predictable names, descriptions naming their keys, generated token and empty agent documents, the deployment key, retained', () => {
  const retained = { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' };
  expect(example.secretIds.map((id) => example.resources[id])).toEqual([
    ...['ops', 'support'].map((gw) => ({
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: `openclaw/example/prod/gateways/${gw}/token`,
        Description: `Token operators and the Control UI authenticate to OpenClaw gateway ${gw} (agents ${gw}) of example/prod with. Rotated on a schedule.`,
        KmsKeyId: KEY_ARN,
        GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
      },
      ...retained,
    })),
    {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: 'openclaw/example/prod/agents/ops',
        Description: 'Credentials of OpenClaw agent ops (example/prod), its own: a JSON document with /anthropic/apiKey. Fill with npm run secrets:set.',
        KmsKeyId: KEY_ARN,
        SecretString: '{}',
      },
      ...retained,
    },
    {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        Name: 'openclaw/example/prod/agents/support',
        Description: 'Credentials of OpenClaw agent support (example/prod), its own: a JSON document with /anthropic/apiKey, /telegram/botToken. Fill with npm run secrets:set.',
        KmsKeyId: KEY_ARN,
        SecretString: '{}',
      },
      ...retained,
    },
  ]);
});

test('an agent with several keys names each, sorted and comma-separated, in its description', () => {
  // Its own provider and the support agent's channel.
  const withTwo = build({ ...config, openclaw: { ...config.openclaw, agents: { ...config.openclaw.agents, multi: { ...config.openclaw.agents.support!, provider: 'openai' } } } });
  const multi = withTwo.resources[withTwo.secretIds[3]!]!;
  expect(multi.Properties.Name).toBe('openclaw/example/prod/agents/multi');
  expect(multi.Properties.Description).toBe(
    'Credentials of OpenClaw agent multi (example/prod), its own: a JSON document with /openai/apiKey, /telegram/botToken. Fill with npm run secrets:set.',
  );
});

test('an agent without a platform on the provider of another agent still holds its own provider key', () => {
  const zeta = withKeyless.resources[withKeyless.secretIds[5]!]!;
  expect(zeta.Properties.Description).toBe('Credentials of OpenClaw agent zeta (example/prod), its own: a JSON document with /anthropic/apiKey. Fill with npm run secrets:set.');
});

test('a shared gateway has one token, named by the group, describing its agents', () => {
  const shared = build({ ...config, openclaw: { ...config.openclaw, sharedGateways: { team: ['ops', 'support'] } } });
  expect(shared.secrets.all.map((s) => s.predictableName)).toEqual(['openclaw/example/prod/gateways/team/token', 'openclaw/example/prod/agents/ops', 'openclaw/example/prod/agents/support']);
  expect(shared.resources[shared.secretIds[0]!]!.Properties.Description).toBe(
    'Token operators and the Control UI authenticate to OpenClaw gateway team (agents ops, support) of example/prod with. Rotated on a schedule.',
  );
});

test('dataProtection.retainOnDelete: false deletes every secret; names and descriptions follow client and env', () => {
  expect(destroyed.secretIds.map((id) => [destroyed.resources[id]!.Properties.Name, destroyed.resources[id]!.DeletionPolicy, destroyed.resources[id]!.UpdateReplacePolicy])).toEqual([
    ['openclaw/beta/dev/gateways/ops/token', 'Delete', 'Delete'],
    ['openclaw/beta/dev/gateways/support/token', 'Delete', 'Delete'],
    ['openclaw/beta/dev/agents/ops', 'Delete', 'Delete'],
    ['openclaw/beta/dev/agents/support', 'Delete', 'Delete'],
  ]);
  expect(destroyed.resources[destroyed.secretIds[0]!]!.Properties.Description).toBe(
    'Token operators and the Control UI authenticate to OpenClaw gateway ops (agents ops) of beta/dev with. Rotated on a schedule.',
  );
});

test('each secret\'s values: read only by the host and the config\'s break-glass role, written only by break-glass, updated only by it and the gateway stack\'s execution role', () => {
  const denies = (b: typeof example, breakGlass: string) =>
    b.secretIds.map((id) => {
      const policy = Object.values(b.resources).find((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(r.Properties.SecretId) === JSON.stringify({ Ref: id }))!;
      const bg = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/${breakGlass}`]] };
      expect((policy.Properties.ResourcePolicy as { Statement: { Condition: unknown }[] }).Statement.map((s) => s.Condition)).toEqual([
        { StringNotEquals: { 'aws:PrincipalArn': [HOST, bg] } },
        { StringNotEquals: { 'aws:PrincipalArn': [bg] } },
        { StringNotEquals: { 'aws:PrincipalArn': [EXEC_ROLE, bg] } },
      ]);
      return id;
    });
  expect(denies(example, 'openclaw-break-glass')).toHaveLength(4);
  expect(denies(destroyed, 'beta-break-glass')).toHaveLength(4);
});

test('acknowledges the three rotation rules on each agent secret (third-party credentials), none on the rotated gateway token', () => {
  const reason =
    'Third-party credentials (a model provider API key, chat bot tokens) are issued by their provider and cannot be rotated by a Lambda; operators rotate them with npm run secrets:set and the host picks the new value up at its next refresh.';
  const rules = ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled'];
  expect(collectAcknowledgements(example.secrets).map((a) => [a.path, a.rule, a.reason, a.onSingleResource])).toEqual(
    ['Gateway/Secrets/Agent-ops/Resource', 'Gateway/Secrets/Agent-support/Resource'].flatMap((path) => rules.map((rule) => [path, rule, reason, true])),
  );
});
