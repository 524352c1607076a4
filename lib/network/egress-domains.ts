import type { ResolvedConfig } from '../config/schema';
import type { AgentGateway } from '../openclaw/gateways';
import type { NetworkConfig } from './config-schema';

type Provider = NetworkConfig['egress']['providers'][number];
type Channel = NetworkConfig['egress']['channels'][number];

/** API domains of each model provider. `<region>` is the deployment region. */
const PROVIDER_DOMAINS: { readonly [p in Provider]: readonly string[] } = {
  anthropic: ['api.anthropic.com'],
  openai: ['api.openai.com'],
  google: ['generativelanguage.googleapis.com'],
  openrouter: ['openrouter.ai'],
  bedrock: ['bedrock-runtime.<region>.amazonaws.com', 'bedrock.<region>.amazonaws.com'],
  mistral: ['api.mistral.ai'],
  groq: ['api.groq.com'],
  xai: ['api.x.ai'],
};

/** API and gateway domains of each chat platform. */
const CHANNEL_DOMAINS: { readonly [c in Channel]: readonly string[] } = {
  telegram: ['api.telegram.org'],
  slack: ['slack.com', '*.slack.com'],
  discord: ['discord.com', 'gateway.discord.gg', '*.discord.gg', 'cdn.discordapp.com'],
  whatsapp: ['web.whatsapp.com', '*.whatsapp.net'],
  msteams: ['login.microsoftonline.com', 'api.botframework.com', 'smba.trafficmanager.net'],
};

/**
 * What the host itself needs in its own region: Systems Manager (break-glass
 * sessions), Secrets Manager and KMS (boot-time secrets), CloudWatch Logs and
 * metrics, STS, EC2 (instance metadata lookups), the Amazon Linux package
 * repositories, and the npm registry for the pinned OpenClaw install. No
 * wildcard over amazonaws.com: that would allow any S3 bucket as an exfiltration target.
 */
const HOST_DOMAINS = [
  'ssm.<region>.amazonaws.com',
  'ssmmessages.<region>.amazonaws.com',
  'ec2messages.<region>.amazonaws.com',
  'secretsmanager.<region>.amazonaws.com',
  'secretsmanager.us-east-1.amazonaws.com',
  'kms.<region>.amazonaws.com',
  'logs.<region>.amazonaws.com',
  'monitoring.<region>.amazonaws.com',
  'sts.<region>.amazonaws.com',
  'ec2.<region>.amazonaws.com',
  'cdn.amazonlinux.com',
  'al2023-repos-<region>-de612dc2.s3.dualstack.<region>.amazonaws.com',
  'registry.npmjs.org',
];

/**
 * The domains the gateway host may resolve: its own AWS needs plus the
 * providers and channels the client enables, plus config extras. Everything
 * else gets NXDOMAIN from Route 53 Resolver DNS Firewall. This is the union of
 * hostEgressDomains and every gateway's gatewayEgressDomains (the egress proxy
 * splits it per listening port).
 */
export function egressDomains(network: NetworkConfig, region: string, account: string): string[] {
  const all = [
    ...HOST_DOMAINS,
    // The deployment bundle (host files, lockfile, agent files) is a CDK file asset.
    `cdk-hnb659fds-assets-${account}-${region}.s3.${region}.amazonaws.com`,
    ...network.egress.providers.flatMap((p) => PROVIDER_DOMAINS[p]),
    ...network.egress.channels.flatMap((c) => CHANNEL_DOMAINS[c]),
    ...network.egress.extraDomains,
  ].map((d) => d.replaceAll('<region>', region));
  return [...new Set(all)].sort();
}

/**
 * What the host's own services reach through the host's proxy port (3128): HOST_DOMAINS and the
 * CDK asset bucket the deployment bundle comes from. Never a provider's or a channel's domain:
 * only gateways use those, each through its own proxy port (gatewayEgressDomains).
 */
export function hostEgressDomains(region: string, account: string): string[] {
  const all = [...HOST_DOMAINS, `cdk-hnb659fds-assets-${account}-${region}.s3.${region}.amazonaws.com`].map((d) => d.replaceAll('<region>', region));
  return [...new Set(all)].sort();
}

/** The model providers of a gateway's agents (openclaw.agents.<id>.provider), sorted, no duplicates. */
export function gatewayProviders(config: ResolvedConfig, gateway: AgentGateway): Provider[] {
  return [...new Set(gateway.agents.map((a) => agentOf(config, a).provider))].sort();
}

/** The chat platforms of a gateway's agents (the keys of openclaw.agents.<id>.channels), sorted, no duplicates. */
export function gatewayChannels(config: ResolvedConfig, gateway: AgentGateway): Channel[] {
  return [...new Set(gateway.agents.flatMap((a) => Object.keys(agentOf(config, a).channels) as Channel[]))].sort();
}

/**
 * What one gateway's user may reach through its own proxy port: the API domains of its agents'
 * providers and chat platforms, plus network.egress.extraDomains (declared for "the gateway",
 * so every gateway gets them). Not the host's AWS endpoints, not the domains of another
 * gateway's providers or platforms. Sorted, no duplicates.
 */
export function gatewayEgressDomains(config: ResolvedConfig, gateway: AgentGateway): string[] {
  const region = config.aws.region;
  const all = [
    ...gatewayProviders(config, gateway).flatMap((p) => PROVIDER_DOMAINS[p]),
    ...gatewayChannels(config, gateway).flatMap((c) => CHANNEL_DOMAINS[c]),
    ...config.network.egress.extraDomains,
  ].map((d) => d.replaceAll('<region>', region));
  return [...new Set(all)].sort();
}

function agentOf(config: ResolvedConfig, agent: string) {
  const a = config.openclaw.agents[agent];
  if (!a) throw new Error(`egress domains: no agent "${agent}" in openclaw.agents`);
  return a;
}
