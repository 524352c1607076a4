import { loadConfig } from '../../lib/config/load';
import type { ResolvedConfig } from '../../lib/config/schema';
import {
  agentSecretFile,
  agentSecretPointers,
  EDGE_REGION,
  gatewayTokenFile,
  ORIGIN_VERIFY_MAP_PATH,
  gatewayTokenSecretId,
  gatewayTokenSecretName,
  renderSecretsManifest,
  SECRETS_MANIFEST_PATH,
} from '../../lib/secrets/secrets-manifest';
import { SECRET_RETRIEVAL_METRIC } from '../../lib/shared/metric-names';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The secrets manifest (what the boot-time retrieval program reads), pure: the
// secret names, files, owners, regions and the keys each agent document must
// hold. One gateway per agent (or shared group): its own token secret, its own
// folder and user.

const EXAMPLE = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;
const agent = (provider: string, channels: Record<string, unknown> = {}) => ({
  description: 'An agent.',
  provider,
  model: 'm',
  channels,
  tools: { exec: { mode: 'deny' as const, commands: [] }, elevated: false },
  agentToAgent: [],
  subagents: false,
  automations: false,
});
const TG = { dmPolicy: 'allowlist', allowFrom: ['1'], groupPolicy: 'disabled', groups: [], groupAllowFrom: [] };
/** Agents inserted out of order: zed (openai), bob (anthropic, telegram), amy (anthropic). */
const CONFIG = {
  ...EXAMPLE,
  project: { ...EXAMPLE.project, prefix: 'oc' },
  client: 'acme',
  env: 'prod',
  aws: { account: '111122223333', region: 'eu-central-1' },
  openclaw: { ...EXAMPLE.openclaw, agents: { zed: agent('openai'), bob: agent('anthropic', { telegram: TG }), amy: agent('anthropic') } },
} as unknown as ResolvedConfig;

test('the fixed names and paths', () => {
  expect([EDGE_REGION, ORIGIN_VERIFY_MAP_PATH, SECRETS_MANIFEST_PATH, SECRET_RETRIEVAL_METRIC]).toEqual([
    'us-east-1',
    '/etc/nginx/openclaw/origin-verify.map.conf',
    '/etc/openclaw/secrets-manifest.json',
    'SecretRetrievalFailed',
  ]);
  expect([gatewayTokenFile('/run/openclaw/secrets/bob'), agentSecretFile('bob', '/run/openclaw/secrets/bob'), gatewayTokenFile('/tmp/s'), agentSecretFile('bob', '/tmp/s')]).toEqual([
    '/run/openclaw/secrets/bob/gateway-token',
    '/run/openclaw/secrets/bob/agent-bob.json',
    '/tmp/s/gateway-token',
    '/tmp/s/agent-bob.json',
  ]);
  expect([gatewayTokenSecretName(CONFIG, 'bob'), gatewayTokenSecretId('bob')]).toEqual(['oc/acme/prod/gateways/bob/token', 'gateway-token-bob']);
});

test("an agent's document always holds its own provider's API key, plus its platforms' bot tokens, sorted", () => {
  // amy and bob both use anthropic: each holds its own key (two keys, never one shared).
  expect(agentSecretPointers(CONFIG, 'amy')).toEqual(['/anthropic/apiKey']);
  expect(agentSecretPointers(CONFIG, 'bob')).toEqual(['/anthropic/apiKey', '/telegram/botToken']);
  expect(agentSecretPointers(CONFIG, 'zed')).toEqual(['/openai/apiKey']);
  const both = { ...CONFIG, openclaw: { ...CONFIG.openclaw, agents: { zed: agent('openai', { telegram: TG }) } } } as unknown as ResolvedConfig;
  expect(agentSecretPointers(both, 'zed')).toEqual(['/openai/apiKey', '/telegram/botToken']);
});

test('an unknown agent is a programming error, named', () => {
  expect(() => agentSecretPointers(CONFIG, 'nobody')).toThrow(new Error('no agent "nobody" in openclaw.agents of acme/prod'));
});

/** The manifest entry of agent `id`'s document in gateway `gw`. */
const json = (id: string, gw: string, pointers: string[], secretsDir = '/run/openclaw/secrets') => ({
  kind: 'json',
  id: `agent-${id}`,
  secretId: `oc/acme/prod/agents/${id}`,
  region: 'eu-central-1',
  file: `${secretsDir}/${gw}/agent-${id}.json`,
  user: `openclaw-${gw}`,
  unit: `openclaw-gateway@${gw}.service`,
  requiredPointers: pointers,
  fillCommand: `npm run secrets:set -- --client acme --env prod --agent ${id}`,
});
/** The manifest entry of gateway `gw`'s token. */
const token = (gw: string, secretsDir = '/run/openclaw/secrets') => ({
  kind: 'text',
  id: `gateway-token-${gw}`,
  secretId: `oc/acme/prod/gateways/${gw}/token`,
  region: 'eu-central-1',
  file: `${secretsDir}/${gw}/gateway-token`,
  user: `openclaw-${gw}`,
  unit: `openclaw-gateway@${gw}.service`,
});
const ORIGIN = { kind: 'origin-verify', id: 'origin-verify', secretId: 'oc/acme/prod/origin-verify', region: 'us-east-1', file: '/etc/nginx/openclaw/origin-verify.map.conf' };

test("the manifest, exactly: per gateway by id its token and its agents' documents, owned by its user in its folder; origin-verify in us-east-1", () => {
  expect(renderSecretsManifest(CONFIG)).toEqual({
    deployment: 'oc-acme-prod',
    region: 'eu-central-1',
    metricNamespace: 'OpenClaw/oc-acme-prod',
    metricName: 'SecretRetrievalFailed',
    secrets: [
      token('amy'),
      json('amy', 'amy', ['/anthropic/apiKey']),
      token('bob'),
      json('bob', 'bob', ['/anthropic/apiKey', '/telegram/botToken']),
      token('zed'),
      json('zed', 'zed', ['/openai/apiKey']),
      ORIGIN,
    ],
  });
});

test("a shared gateway: one token, both agents' documents (each with its own key) in the group's folder, owned by the group's user", () => {
  const shared = { ...CONFIG, openclaw: { ...CONFIG.openclaw, sharedGateways: { pair: ['bob', 'amy'] } } } as ResolvedConfig;
  expect(renderSecretsManifest(shared).secrets).toEqual([
    token('pair'),
    json('amy', 'pair', ['/anthropic/apiKey']),
    json('bob', 'pair', ['/anthropic/apiKey', '/telegram/botToken']),
    token('zed'),
    json('zed', 'zed', ['/openai/apiKey']),
    ORIGIN,
  ]);
});

test('the paths can be pointed elsewhere, each on its own', () => {
  const files = (paths: Parameters<typeof renderSecretsManifest>[1]) => renderSecretsManifest(CONFIG, paths).secrets.map((s) => s.file);
  expect(files({ secretsDir: '/tmp/s' })).toEqual([
    '/tmp/s/amy/gateway-token',
    '/tmp/s/amy/agent-amy.json',
    '/tmp/s/bob/gateway-token',
    '/tmp/s/bob/agent-bob.json',
    '/tmp/s/zed/gateway-token',
    '/tmp/s/zed/agent-zed.json',
    '/etc/nginx/openclaw/origin-verify.map.conf',
  ]);
  expect(files({ originVerifyMap: '/tmp/m.conf' }).slice(-1)).toEqual(['/tmp/m.conf']);
  expect(files({ originVerifyMap: '/tmp/m.conf' })[0]).toBe('/run/openclaw/secrets/amy/gateway-token');
});
