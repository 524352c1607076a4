/**
 * Instance size: a config that sets instance.type must name a type whose memory
 * holds the host's own overhead and every gateway's memory cap (one gateway per
 * agent, or per shared group; lib/host/gateway-sizing.ts). Otherwise the gateways'
 * caps would add up to more than the host has, and one agent could starve the
 * others. Without instance.type the host is sized from the gateway count, so
 * there is nothing to check.
 */
import { agentGateways } from '../../openclaw/gateways';
import { DEFAULT_INSTANCE_TYPES, GATEWAY_MEMORY_MAX_MIB, HOST_OVERHEAD_MIB, INSTANCE_MEMORY_GIB, defaultInstanceType, instanceMemoryMiB, requiredMemoryMiB } from '../../host/gateway-sizing';
import type { ConfigProblem } from '../errors';
import { formatPath } from '../key-path';
import { originOf, type MergedConfig } from '../merge';
import type { ResolvedConfig } from '../schema';

/** One problem at instance.type when the type is set and too small (or of unknown memory) for the config's gateways. */
export function checkInstanceSize(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  const type = config.instance.type;
  if (type === undefined) return [];
  const path = ['instance', 'type'];
  const origin = originOf(merged, path);
  const gateways = agentGateways(config).length;
  const need = requiredMemoryMiB(gateways);
  const at = { file: origin?.file, line: origin?.line, path: formatPath(path) };
  const memory = instanceMemoryMiB(type);
  if (memory === undefined) {
    return [
      {
        ...at,
        message:
          `"${type}": its memory is not known here, so the host cannot be checked to hold its ${gateways} gateway${gateways === 1 ? '' : 's'}. ` +
          `Expected one of ${Object.keys(INSTANCE_MEMORY_GIB).join(', ')}, or leave instance.type out (sized from the agent count: ${defaultInstanceType(gateways)})`,
      },
    ];
  }
  if (memory >= need) return [];
  return [
    {
      ...at,
      message:
        `"${type}" has ${memory} MiB of memory; ${gateways} gateway${gateways === 1 ? '' : 's'} (one per agent) need ${need} MiB ` +
        `(${gateways} x ${GATEWAY_MEMORY_MAX_MIB} MiB MemoryMax + ${HOST_OVERHEAD_MIB} MiB for the host). ` +
        `Expected a type with at least ${need} MiB, such as ${DEFAULT_INSTANCE_TYPES.find((t) => (instanceMemoryMiB(t) ?? 0) >= need) ?? 'a larger Graviton type'}, or leave instance.type out`,
    },
  ];
}
