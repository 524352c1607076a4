/**
 * The secret files of the gateway: the gateway token and one JSON document per
 * agent, which openclaw.json reads through `file` SecretRefs and
 * host/fetch-secrets/ writes on tmpfs at boot.
 */
import type { ResolvedConfig } from '../config/schema';
import { agentSecretFile, agentSecretName, agentSecretPointers, gatewayTokenFile } from '../secrets/secrets-manifest';
import { openclawHostPaths, type OpenclawRenderOptions } from './openclaw-config';

/** A secret file the gateway reads through a `file` SecretRef, written by the secrets step. */
export interface OpenclawSecretFile {
  /** secrets.providers key in openclaw.json (the manifest id of lib/secrets/secrets-manifest.ts). */
  readonly name: string;
  /** Absolute path on the host. */
  readonly path: string;
  /** `singleValue`: the raw value; `json`: a JSON document read by pointer. */
  readonly mode: 'singleValue' | 'json';
  /** What goes in it. */
  readonly purpose: string;
}

/**
 * The secret files of a config (the secrets manifest's text and json
 * entries): the gateway token and one JSON document per agent, as stored in
 * Secrets Manager. Owner HOST_PATHS.user, mode 0400 (OpenClaw refuses group-
 * or world-readable, symlinked or hard-linked secret files), on tmpfs.
 */
export function openclawSecretFiles(config: ResolvedConfig, options: OpenclawRenderOptions = {}): OpenclawSecretFile[] {
  const dir = openclawHostPaths(options).secretsDir;
  return [
    { name: 'gateway-token', path: gatewayTokenFile(dir), mode: 'singleValue', purpose: 'the gateway token operators and the Control UI authenticate with (generated, rotated)' },
    ...Object.keys(config.openclaw.agents)
      .sort()
      .map((agent) => ({
        name: `agent-${agent}`,
        path: agentSecretFile(agent, dir),
        mode: 'json' as const,
        purpose: `agent ${agent}'s credentials (${agentSecretPointers(config, agent).join(', ') || 'none needed'}), from ${agentSecretName(config, agent)}`,
      })),
  ];
}
