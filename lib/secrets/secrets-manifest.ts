/**
 * The secrets of one client x environment, and the manifest the boot-time
 * retrieval program (host/fetch-secrets/) reads. One source for the stack
 * (secret names), the generated openclaw.json (file SecretRefs), the gateway
 * unit (which files must exist) and `npm run secrets:set` (which keys an
 * agent's document must hold). Pure: no clock, no network.
 *
 * One gateway per agent (or per shared group; lib/openclaw/gateways.ts), each
 * with its own token and its own secret files, readable only by its own user.
 *
 * Secrets Manager (names are predictable; ARNs end in a random suffix):
 *   <prefix>/<client>/<env>/gateways/<id>/token  per gateway; generated; each rotated by its own rotation Lambda
 *   <prefix>/<client>/<env>/agents/<agent>       per agent; JSON document, filled by operators:
 *        { "<provider>": { "apiKey": "..." }, "<platform>": { "botToken": "..." } }
 *        every agent holds its own provider key (no key is shared between agents)
 *   <prefix>/<client>/<env>/origin-verify        us-east-1 (with CloudFront); generated; rotated
 *
 * On the host (tmpfs, written at boot by openclaw-secrets.service and on refresh):
 *   /run/openclaw/secrets/<id>/                  the gateway's folder, openclaw-<id>:openclaw-<id> 0700
 *   /run/openclaw/secrets/<id>/gateway-token     the raw token; openclaw-<id>:openclaw-<id> 0400
 *   /run/openclaw/secrets/<id>/agent-<agent>.json  the document of each agent of gateway <id>, verbatim; 0400, same owner
 *   /etc/nginx/openclaw/origin-verify.map.conf   renderOriginVerifyMap(current, pending, previous); root:root 0600
 * Each text and json entry of the manifest names its owner (`user`) and the
 * gateway unit that reads it (`unit`: the secrets refresh restarts it when its
 * file changed).
 */
import type { ResolvedConfig } from '../config/schema';
import type { CHANNELS } from '../network/config-schema';
import { HOST_PATHS } from '../host/paths';
import { agentGateways, type AgentGateway } from '../openclaw/gateways';
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
/** The token secret of gateway `gatewayId` (lib/openclaw/gateways.ts): one per gateway, each rotated on its own. */
export const gatewayTokenSecretName = (config: ResolvedConfig, gatewayId: string) => `${secretNamePrefix(config)}/gateways/${gatewayId}/token`;
export const originVerifySecretName = (config: ResolvedConfig) => `${secretNamePrefix(config)}/origin-verify`;
export const agentSecretName = (config: ResolvedConfig, agent: string) => `${secretNamePrefix(config)}/agents/${agent}`;

/** JSON pointer of a provider's API key in an agent's document. */
export const providerKeyPointer = (provider: string) => `/${provider}/apiKey`;
/** JSON pointer of a chat platform's bot token in an agent's document. */
export const channelTokenPointer = (channel: string) => `/${channel}/botToken`;

/**
 * The JSON pointers an agent's document must hold, sorted: its model
 * provider's API key (every agent holds its own key: two agents on the same
 * provider hold two keys) and the bot token of each chat platform it answers
 * on (its own bot).
 */
export function agentSecretPointers(config: ResolvedConfig, agent: string): string[] {
  const a = config.openclaw.agents[agent];
  if (!a) throw new Error(`no agent "${agent}" in openclaw.agents of ${config.client}/${config.env}`);
  const pointers = (Object.keys(a.channels) as (typeof CHANNELS)[number][]).map(channelTokenPointer);
  pointers.push(providerKeyPointer(a.provider));
  return pointers.sort();
}

/** One secret the retrieval program fetches and the file it writes. */
export type ManifestSecret =
  | {
      /** Raw value to a file owned by `user`, 0400. */
      readonly kind: 'text';
      /** Short id in log lines and `--only` (gateway-token-<gateway id>). */
      readonly id: string;
      readonly secretId: string;
      readonly region: string;
      /** Absolute path, in the gateway's secrets folder. */
      readonly file: string;
      /** Owner (user and its group) of the file and of its folder: the gateway's user. */
      readonly user: string;
      /** The gateway unit that reads the file (restarted when it changes). */
      readonly unit: string;
    }
  | {
      /** A JSON object, written verbatim to a file owned by `user`, 0400. */
      readonly kind: 'json';
      /** agent-<agent> */
      readonly id: string;
      readonly secretId: string;
      readonly region: string;
      readonly file: string;
      /** Owner (user and its group) of the file and of its folder: the user of the agent's gateway. */
      readonly user: string;
      /** The unit of the agent's gateway (restarted when the file changes). */
      readonly unit: string;
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
  readonly secrets: readonly ManifestSecret[];
}

/** Paths the manifest points at; tests point them at a temporary folder. */
export interface SecretsManifestPaths {
  /** Parent of the gateways' secrets folders: <secretsDir>/<gateway id>/ (HOST_PATHS.secretsDir). */
  readonly secretsDir: string;
  readonly originVerifyMap: string;
}

const DEFAULT_PATHS: SecretsManifestPaths = { secretsDir: HOST_PATHS.secretsDir, originVerifyMap: ORIGIN_VERIFY_MAP_PATH };

/** The secret files of a gateway OpenClaw reads (file SecretRefs), in the gateway's secrets folder (AgentGateway.secretsDir). */
export const gatewayTokenFile = (gatewaySecretsDir: string) => `${gatewaySecretsDir}/gateway-token`;
export const agentSecretFile = (agent: string, gatewaySecretsDir: string) => `${gatewaySecretsDir}/agent-${agent}.json`;
/** Manifest id of a gateway's token (ids are unique in the manifest; the file name is gateway-token in every gateway's folder). */
export const gatewayTokenSecretId = (gatewayId: string) => `gateway-token-${gatewayId}`;

/** The manifest entries of one gateway: its token, then its agents' documents, in its own folder under `secretsDir`. */
function gatewaySecrets(config: ResolvedConfig, gateway: AgentGateway, secretsDir: string): ManifestSecret[] {
  const region = config.aws.region;
  const dir = `${secretsDir}/${gateway.id}`;
  const owner = { user: gateway.user, unit: gateway.unit };
  return [
    { kind: 'text', id: gatewayTokenSecretId(gateway.id), secretId: gatewayTokenSecretName(config, gateway.id), region, file: gatewayTokenFile(dir), ...owner },
    ...[...gateway.agents].sort().map((agent) => ({
      kind: 'json' as const,
      id: `agent-${agent}`,
      secretId: agentSecretName(config, agent),
      region,
      file: agentSecretFile(agent, dir),
      ...owner,
      requiredPointers: agentSecretPointers(config, agent),
      fillCommand: `npm run secrets:set -- --client ${config.client} --env ${config.env} --agent ${agent}`,
    })),
  ];
}

/**
 * The secrets manifest of a config: per gateway (in id order) its token and its
 * agents' documents, each owned by the gateway's user in the gateway's own
 * folder; then the origin-verify value for nginx.
 */
export function renderSecretsManifest(config: ResolvedConfig, paths: Partial<SecretsManifestPaths> = {}): SecretsManifest {
  const p = { ...DEFAULT_PATHS, ...paths };
  return {
    deployment: deploymentName(config),
    region: config.aws.region,
    metricNamespace: hostMetricNamespace(deploymentName(config)),
    metricName: SECRET_RETRIEVAL_METRIC,
    secrets: [
      ...agentGateways(config).flatMap((g) => gatewaySecrets(config, g, p.secretsDir)),
      { kind: 'origin-verify', id: 'origin-verify', secretId: originVerifySecretName(config), region: EDGE_REGION, file: p.originVerifyMap },
    ],
  };
}
