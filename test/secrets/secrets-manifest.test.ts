import { loadConfig } from '../../lib/config/load';
import type { ResolvedConfig } from '../../lib/config/schema';
import {
  agentSecretFile,
  agentSecretPointers,
  EDGE_REGION,
  gatewayTokenFile,
  ORIGIN_VERIFY_MAP_PATH,
  providerKeyOwners,
  renderSecretsManifest,
  SECRETS_MANIFEST_PATH,
} from '../../lib/secrets/secrets-manifest';
import { SECRET_RETRIEVAL_METRIC } from '../../lib/shared/metric-names';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The secrets manifest (what the boot-time retrieval program reads), pure: the
// secret names, files, regions and the keys each agent document must hold.

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
  expect([gatewayTokenFile(), agentSecretFile('bob'), gatewayTokenFile('/tmp/s'), agentSecretFile('bob', '/tmp/s')]).toEqual([
    '/run/openclaw/secrets/gateway-token',
    '/run/openclaw/secrets/agent-bob.json',
    '/tmp/s/gateway-token',
    '/tmp/s/agent-bob.json',
  ]);
});

test('each provider\'s key belongs to the first agent using it, by id', () => {
  expect(providerKeyOwners(CONFIG)).toEqual({ anthropic: 'amy', openai: 'zed' });
});

test('an agent\'s document holds its platforms\' bot tokens and the provider keys it owns, sorted', () => {
  expect(agentSecretPointers(CONFIG, 'amy')).toEqual(['/anthropic/apiKey']);
  expect(agentSecretPointers(CONFIG, 'bob')).toEqual(['/telegram/botToken']);
  expect(agentSecretPointers(CONFIG, 'zed')).toEqual(['/openai/apiKey']);
  const both = { ...CONFIG, openclaw: { ...CONFIG.openclaw, agents: { zed: agent('openai', { telegram: TG }) } } } as unknown as ResolvedConfig;
  expect(agentSecretPointers(both, 'zed')).toEqual(['/openai/apiKey', '/telegram/botToken']);
});

test('an unknown agent is a programming error, named', () => {
  expect(() => agentSecretPointers(CONFIG, 'nobody')).toThrow(new Error('no agent "nobody" in openclaw.agents of acme/prod'));
});

test('the manifest, exactly: gateway token, each agent by id, origin-verify in us-east-1', () => {
  const json = (id: string, pointers: string[]) => ({
    kind: 'json',
    id: `agent-${id}`,
    secretId: `oc/acme/prod/agents/${id}`,
    region: 'eu-central-1',
    file: `/run/openclaw/secrets/agent-${id}.json`,
    requiredPointers: pointers,
    fillCommand: `npm run secrets:set -- --client acme --env prod --agent ${id}`,
  });
  expect(renderSecretsManifest(CONFIG)).toEqual({
    deployment: 'oc-acme-prod',
    region: 'eu-central-1',
    metricNamespace: 'OpenClaw/oc-acme-prod',
    metricName: 'SecretRetrievalFailed',
    user: 'openclaw',
    secrets: [
      { kind: 'text', id: 'gateway-token', secretId: 'oc/acme/prod/gateway-token', region: 'eu-central-1', file: '/run/openclaw/secrets/gateway-token' },
      json('amy', ['/anthropic/apiKey']),
      json('bob', ['/telegram/botToken']),
      json('zed', ['/openai/apiKey']),
      { kind: 'origin-verify', id: 'origin-verify', secretId: 'oc/acme/prod/origin-verify', region: 'us-east-1', file: '/etc/nginx/openclaw/origin-verify.map.conf' },
    ],
  });
});

test('the paths can be pointed elsewhere, each on its own', () => {
  const files = (paths: Parameters<typeof renderSecretsManifest>[1]) => renderSecretsManifest(CONFIG, paths).secrets.map((s) => s.file);
  expect(files({ secretsDir: '/tmp/s' })).toEqual(['/tmp/s/gateway-token', '/tmp/s/agent-amy.json', '/tmp/s/agent-bob.json', '/tmp/s/agent-zed.json', '/etc/nginx/openclaw/origin-verify.map.conf']);
  expect(files({ originVerifyMap: '/tmp/m.conf' }).slice(-1)).toEqual(['/tmp/m.conf']);
  expect(files({ originVerifyMap: '/tmp/m.conf' })[0]).toBe('/run/openclaw/secrets/gateway-token');
});
