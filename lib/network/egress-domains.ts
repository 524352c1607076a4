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
 * else gets NXDOMAIN from Route 53 Resolver DNS Firewall.
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
