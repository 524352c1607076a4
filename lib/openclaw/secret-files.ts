/**
 * The secret files of one gateway: its token and one JSON document per agent
 * it runs, which its openclaw.json reads through `file` SecretRefs and
 * host/fetch-secrets/ writes on tmpfs at boot, owned by the gateway's user.
 */
import type { ResolvedConfig } from '../config/schema';
import { agentSecretFile, agentSecretName, agentSecretPointers, gatewayTokenFile, gatewayTokenSecretName } from '../secrets/secrets-manifest';
import type { AgentGateway } from './gateways';
import { openclawHostPaths, type OpenclawRenderOptions } from './openclaw-config';

/** A secret file the gateway reads through a `file` SecretRef, written by the secrets step. */
export interface OpenclawSecretFile {
  /** secrets.providers key in the gateway's openclaw.json: gateway-token, agent-<agent>. */
  readonly name: string;
  /** Absolute path on the host. */
  readonly path: string;
  /** `singleValue`: the raw value; `json`: a JSON document read by pointer. */
  readonly mode: 'singleValue' | 'json';
  /** What goes in it. */
  readonly purpose: string;
}

/**
 * The secret files of `gateway` (its entries of the secrets manifest): its
 * token and one JSON document per agent of the gateway, as stored in Secrets
 * Manager. Owner the gateway's user, mode 0400 (OpenClaw refuses group- or
 * world-readable, symlinked or hard-linked secret files), on tmpfs in the
 * gateway's own 0700 folder.
 */
export function openclawSecretFiles(config: ResolvedConfig, gateway: AgentGateway, options: OpenclawRenderOptions = {}): OpenclawSecretFile[] {
  const dir = openclawHostPaths(gateway, options).secretsDir;
  return [
    {
      name: 'gateway-token',
      path: gatewayTokenFile(dir),
      mode: 'singleValue',
      purpose: `the token operators and the Control UI authenticate to gateway ${gateway.id} with (generated, rotated), from ${gatewayTokenSecretName(config, gateway.id)}`,
    },
    ...gateway.agents.map((agent) => ({
      name: `agent-${agent}`,
      path: agentSecretFile(agent, dir),
      mode: 'json' as const,
      purpose: `agent ${agent}'s credentials (${agentSecretPointers(config, agent).join(', ')}), from ${agentSecretName(config, agent)}`,
    })),
  ];
}
