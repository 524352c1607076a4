/**
 * The secrets of one client x environment, and the manifest the boot-time
 * retrieval program (host/fetch-secrets/) reads. One source for the stack
 * (secret names), the generated openclaw.json (file SecretRefs), the gateway
 * unit (which files must exist) and `npm run secrets:set` (which keys an
 * agent's document must hold). Pure: no clock, no network.
 *
 * Secrets Manager (names are predictable; ARNs end in a random suffix):
 *   <prefix>/<client>/<env>/gateway-token     generated; rotated by the rotation Lambda
 *   <prefix>/<client>/<env>/agents/<agent>    JSON document, filled by operators:
 *        { "<provider>": { "apiKey": "..." }, "<platform>": { "botToken": "..." } }
 *   <prefix>/<client>/<env>/origin-verify     us-east-1 (with CloudFront); generated; rotated
 *
 * On the host (tmpfs, written at boot by openclaw-secrets.service and on refresh):
 *   /run/openclaw/secrets/gateway-token       the raw token; openclaw:openclaw 0400
 *   /run/openclaw/secrets/agent-<agent>.json  the agent's document verbatim; openclaw:openclaw 0400
 *   /etc/nginx/openclaw/origin-verify.map.conf  renderOriginVerifyMap(current, pending, previous); root:root 0600
 */
import type { ResolvedConfig } from '../config/schema';
import type { CHANNELS } from '../network/config-schema';
import { HOST_PATHS } from '../host/paths';
import { SECRET_RETRIEVAL_METRIC } from '../shared/metric-names';
import { deploymentName, hostMetricNamespace } from '../shared/naming';

/** Region of the origin-verify secret: CloudFront-scoped resources live in us-east-1. */
export const EDGE_REGION = 'us-east-1';
/** Where nginx includes the accepted origin-verify values from. */
export const ORIGIN_VERIFY_MAP_PATH = '/etc/nginx/openclaw/origin-verify.map.conf';
/** Where the bundle installs the manifest (root 0644: names and paths only, no values). */
export const SECRETS_MANIFEST_PATH = `${HOST_PATHS.configDir}/secrets-manifest.json`;

/** `<prefix>/<client>/<env>`: every secret name of the deployment starts with it. */
export const secretNamePrefix = (config: ResolvedConfig) => `${config.project.prefix}/${config.client}/${config.env}`;
export const gatewayTokenSecretName = (config: ResolvedConfig) => `${secretNamePrefix(config)}/gateway-token`;
export const originVerifySecretName = (config: ResolvedConfig) => `${secretNamePrefix(config)}/origin-verify`;
export const agentSecretName = (config: ResolvedConfig, agent: string) => `${secretNamePrefix(config)}/agents/${agent}`;

/** JSON pointer of a provider's API key in an agent's document. */
export const providerKeyPointer = (provider: string) => `/${provider}/apiKey`;
/** JSON pointer of a chat platform's bot token in an agent's document. */
export const channelTokenPointer = (channel: string) => `/${channel}/botToken`;

/**
 * OpenClaw 2026.9.6 holds one API key per model provider for the whole
 * gateway (models.providers.<id>.apiKey); it has no per-agent provider
 * credential. So each provider's key comes from one agent's secret: the first
 * agent (by id) that uses the provider. Returns provider -> agent id.
 */
export function providerKeyOwners(config: ResolvedConfig): Record<string, string> {
  const owners: Record<string, string> = {};
  for (const id of Object.keys(config.openclaw.agents).sort()) {
    const provider = config.openclaw.agents[id]!.provider;
    owners[provider] ??= id;
  }
  return owners;
}

/**
 * The JSON pointers an agent's document must hold, sorted: the bot token of
 * each chat platform it answers on (one agent per platform, so each token is
 * its own), and its provider's API key when it owns that key
 * (providerKeyOwners).
 */
export function agentSecretPointers(config: ResolvedConfig, agent: string): string[] {
  const a = config.openclaw.agents[agent];
  if (!a) throw new Error(`no agent "${agent}" in openclaw.agents of ${config.client}/${config.env}`);
  const pointers = (Object.keys(a.channels) as (typeof CHANNELS)[number][]).map(channelTokenPointer);
  if (providerKeyOwners(config)[a.provider] === agent) pointers.push(providerKeyPointer(a.provider));
  return pointers.sort();
}

/** One secret the retrieval program fetches and the file it writes. */
export type ManifestSecret =
  | {
      /** Raw value to a file owned by the gateway user, 0400. */
      readonly kind: 'text';
      /** Short id in log lines and `--only` (e.g. gateway-token). */
      readonly id: string;
      readonly secretId: string;
      readonly region: string;
      /** Absolute path. */
      readonly file: string;
    }
  | {
      /** A JSON object, written verbatim to a file owned by the gateway user, 0400. */
      readonly kind: 'json';
      /** agent-<agent> */
      readonly id: string;
      readonly secretId: string;
      readonly region: string;
      readonly file: string;
      /** Pointers that must hold non-empty strings (agentSecretPointers). */
      readonly requiredPointers: readonly string[];
      /** What the operator runs to fill it (printed when it is empty). */
      readonly fillCommand: string;
    }
  | {
      /** AWSCURRENT (required), AWSPENDING and AWSPREVIOUS (when present) to nginx's map, root 0600. */
      readonly kind: 'origin-verify';
      readonly id: string;
      readonly secretId: string;
      readonly region: string;
      readonly file: string;
    };

/** The document at SECRETS_MANIFEST_PATH. Names and paths only: never a value. */
export interface SecretsManifest {
  readonly deployment: string;
  /** Region of the host: the metric goes there. */
  readonly region: string;
  readonly metricNamespace: string;
  readonly metricName: string;
  /** Owner of the text and json files (the gateway user). */
  readonly user: string;
  readonly secrets: readonly ManifestSecret[];
}

/** Paths the manifest points at; tests point them at a temporary folder. */
export interface SecretsManifestPaths {
  readonly secretsDir: string;
  readonly originVerifyMap: string;
}

const DEFAULT_PATHS: SecretsManifestPaths = { secretsDir: HOST_PATHS.secretsDir, originVerifyMap: ORIGIN_VERIFY_MAP_PATH };

/** The host's secret files OpenClaw reads (file SecretRefs), by id. */
export const gatewayTokenFile = (secretsDir: string = HOST_PATHS.secretsDir) => `${secretsDir}/gateway-token`;
export const agentSecretFile = (agent: string, secretsDir: string = HOST_PATHS.secretsDir) => `${secretsDir}/agent-${agent}.json`;

export function renderSecretsManifest(config: ResolvedConfig, paths: Partial<SecretsManifestPaths> = {}): SecretsManifest {
  const p = { ...DEFAULT_PATHS, ...paths };
  const region = config.aws.region;
  const agents = Object.keys(config.openclaw.agents).sort();
  return {
    deployment: deploymentName(config),
    region,
    metricNamespace: hostMetricNamespace(deploymentName(config)),
    metricName: SECRET_RETRIEVAL_METRIC,
    user: HOST_PATHS.user,
    secrets: [
      { kind: 'text', id: 'gateway-token', secretId: gatewayTokenSecretName(config), region, file: gatewayTokenFile(p.secretsDir) },
      ...agents.map((agent) => ({
        kind: 'json' as const,
        id: `agent-${agent}`,
        secretId: agentSecretName(config, agent),
        region,
        file: agentSecretFile(agent, p.secretsDir),
        requiredPointers: agentSecretPointers(config, agent),
        fillCommand: `npm run secrets:set -- --client ${config.client} --env ${config.env} --agent ${agent}`,
      })),
      { kind: 'origin-verify', id: 'origin-verify', secretId: originVerifySecretName(config), region: EDGE_REGION, file: p.originVerifyMap },
    ],
  };
}
