import type { NetworkConfig } from '../../lib/network/config-schema';
import { CHANNELS, PROVIDERS } from '../../lib/network/config-schema';
import { egressDomains, gatewayChannels, gatewayEgressDomains, gatewayProviders, hostEgressDomains } from '../../lib/network/egress-domains';
import { agentGateways } from '../../lib/openclaw/gateways';
import { exampleConfig } from '../host/support/host-tools';
import { perAgentConfig } from '../host/support/per-agent-config';
import { pinnedHostDomains } from '../support/host-egress-domains';

// The DNS Firewall allowlist of the gateway host, exactly: every domain it may
// resolve (everything else gets NXDOMAIN). A domain added here is an
// exfiltration path; one dropped breaks a provider, a channel or the host.

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const network = (egress: Partial<NetworkConfig['egress']>): NetworkConfig => {
  const base = exampleConfig('prod').network;
  return { ...base, egress: { providers: [], channels: [], extraDomains: [], ...egress } };
};

/** What the host itself needs in eu-west-1, with account 111122223333's CDK asset bucket, sorted. */
const HOST = pinnedHostDomains('eu-west-1', '111122223333');
const withHost = (...extra: string[]) => [...new Set([...HOST, ...extra])].sort();

test('without providers or channels: the host\'s own domains, exactly, and no wildcard', () => {
  expect(egressDomains(network({}), REGION, ACCOUNT)).toEqual(HOST);
});

test('the example config: the host, Anthropic and Telegram, exactly', () => {
  const example = exampleConfig('prod');
  expect(egressDomains(example.network, example.aws.region, ACCOUNT)).toEqual(
    [...HOST.map((d) => d.replaceAll('eu-west-1', example.aws.region)), 'api.anthropic.com', 'api.telegram.org'].sort(),
  );
});

const PROVIDER_DOMAINS: Record<(typeof PROVIDERS)[number], string[]> = {
  anthropic: ['api.anthropic.com'],
  openai: ['api.openai.com'],
  google: ['generativelanguage.googleapis.com'],
  openrouter: ['openrouter.ai'],
  bedrock: ['bedrock-runtime.eu-west-1.amazonaws.com', 'bedrock.eu-west-1.amazonaws.com'],
  mistral: ['api.mistral.ai'],
  groq: ['api.groq.com'],
  xai: ['api.x.ai'],
};
const CHANNEL_DOMAINS: Record<(typeof CHANNELS)[number], string[]> = {
  telegram: ['api.telegram.org'],
  slack: ['slack.com', '*.slack.com'],
  discord: ['discord.com', 'gateway.discord.gg', '*.discord.gg', 'cdn.discordapp.com'],
  whatsapp: ['web.whatsapp.com', '*.whatsapp.net'],
  msteams: ['login.microsoftonline.com', 'api.botframework.com', 'smba.trafficmanager.net'],
};

test('the providers and channels, exactly', () => {
  expect([...PROVIDERS]).toEqual(Object.keys(PROVIDER_DOMAINS));
  expect([...CHANNELS]).toEqual(Object.keys(CHANNEL_DOMAINS));
});

test.each(PROVIDERS)('provider %s adds exactly its API domains', (p) => {
  expect(egressDomains(network({ providers: [p] }), REGION, ACCOUNT)).toEqual(withHost(...PROVIDER_DOMAINS[p]));
});

test.each(CHANNELS)('channel %s adds exactly its API domains', (c) => {
  expect(egressDomains(network({ channels: [c] }), REGION, ACCOUNT)).toEqual(withHost(...CHANNEL_DOMAINS[c]));
});

test('extra domains are added as given, duplicates once', () => {
  expect(egressDomains(network({ extraDomains: ['example.org', 'registry.npmjs.org'] }), REGION, ACCOUNT)).toEqual(withHost('example.org'));
});

describe('per trust boundary: hostEgressDomains (port 3128) and gatewayEgressDomains (each gateway\'s port)', () => {
  test('the host\'s own list is the host domains and the asset bucket, exactly: no provider, no channel, no extra domain', () => {
    expect(hostEgressDomains(REGION, ACCOUNT)).toEqual(HOST);
  });

  test('the example: ops reaches anthropic only, support anthropic and telegram', () => {
    const config = exampleConfig('prod');
    expect(agentGateways(config).map((g) => [g.id, gatewayEgressDomains(config, g)])).toEqual([
      ['ops', ['api.anthropic.com']],
      ['support', ['api.anthropic.com', 'api.telegram.org']],
    ]);
  });

  test('each gateway gets its own agents\' providers and channels, plus extraDomains; never another gateway\'s', () => {
    const config = perAgentConfig('prod', 'bedrock');
    const withExtra = { ...config, network: { ...config.network, egress: { ...config.network.egress, channels: ['telegram' as const, 'slack' as const], extraDomains: ['docs.example.org'] } } };
    const slackOps = { ...withExtra, openclaw: { ...withExtra.openclaw, agents: { ...withExtra.openclaw.agents, ops: { ...withExtra.openclaw.agents.ops!, channels: { slack: withExtra.openclaw.agents.support!.channels.telegram! } } } } };
    expect(agentGateways(slackOps).map((g) => [g.id, gatewayProviders(slackOps, g), gatewayChannels(slackOps, g), gatewayEgressDomains(slackOps, g)])).toEqual([
      ['ops', ['bedrock'], ['slack'], ['*.slack.com', 'bedrock-runtime.eu-west-1.amazonaws.com', 'bedrock.eu-west-1.amazonaws.com', 'docs.example.org', 'slack.com']],
      ['support', ['anthropic'], ['telegram'], ['api.anthropic.com', 'api.telegram.org', 'docs.example.org']],
    ]);
  });

  test('a shared gateway (openclaw.sharedGateways) gets the union of its agents\' domains', () => {
    const config = perAgentConfig('prod');
    const shared = { ...config, openclaw: { ...config.openclaw, sharedGateways: { team: ['ops', 'support'] } } };
    expect(agentGateways(shared).map((g) => [g.id, gatewayEgressDomains(shared, g)])).toEqual([['team', ['api.anthropic.com', 'api.openai.com', 'api.telegram.org']]]);
  });
});
