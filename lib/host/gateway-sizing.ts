/**
 * Memory per gateway and the size of the host: how much memory each gateway
 * process may use (systemd MemoryMax= and Node's heap limit in its unit), what
 * the rest of the host needs, and so the smallest instance that holds them all.
 * Pure: no file system, no clock.
 *
 * The figures come from scripts/bench-gateway-footprint.ts (docs/cost.md, "Memory
 * per agent"): one real OpenClaw 2026.9.6 gateway on Node 24.21.0 with one agent,
 * the unit's environment, in a memory cgroup.
 *
 * The rule: the gateways' caps plus the host's own overhead fit the instance's
 * memory. A cap is a ceiling, not a reservation, but only when the ceilings add
 * up to no more than the memory can no gateway starve another or the host (nginx,
 * squid, the agents that ship logs and answer Session Manager): the one that grows
 * past its cap is killed and restarted by systemd, alone.
 */
import type { ResolvedConfig } from '../config/schema';
import { agentGateways } from '../openclaw/gateways';

/** What the benchmark measured, for the record (docs/cost.md prints the same figures). */
export const GATEWAY_FOOTPRINT = {
  date: '2026-12-06',
  openclaw: '2026.9.6',
  node: '24.21.0',
  /** All processes of one idle gateway (launcher, gateway, spawn broker, SQLite worker): sum of RSS, MiB. */
  idleRssMiB: 1006,
  /** The same, proportional set size (shared pages split), MiB. */
  idlePssMiB: 857,
  /** The memory cgroup's charge at idle and its peak over start-up and the probes, without a cap, MiB. */
  idleChargeMiB: 886,
  peakChargeMiB: 937,
  /**
   * The smallest cap, of those tried (1024, 896, 768, 640, 512 MiB), under which the gateway started,
   * answered /healthz and a WebSocket connect, and stayed healthy: with a 384 MiB heap limit, and without one
   * (Node then sizes its heap from the cgroup limit; 768 MiB was OOM-killed seconds after ready).
   */
  smallestHealthyCapMiB: { withHeapLimit384: 768, withoutHeapLimit: 896 },
} as const;

/**
 * systemd MemoryMax= of each gateway unit, MiB: the cgroup's hard limit. A third
 * above the smallest healthy cap with a heap limit (768 MiB with 384), the margin
 * an agent turn (a model reply, a tool's output, a session written) has above idle;
 * also above the peak of an uncapped gateway (937 MiB). A runaway gateway is
 * stopped at 1 GiB.
 */
export const GATEWAY_MEMORY_MAX_MIB = 1024;

/**
 * Node's --max-old-space-size of the gateway process, MiB: a third above the 384 MiB
 * that was healthy under a 768 MiB cap, as the cap is (on node's command line in
 * the unit, so only the gateway gets it, as OpenClaw's docs advise; its launcher
 * passes it on when it respawns the gateway, its workers do not inherit it). V8
 * collects harder as the old space nears it and the process fails with a heap
 * out-of-memory error instead of growing into the cgroup limit; the rest of the cap
 * holds the code, the other heap spaces, native memory and the two small workers.
 */
export const GATEWAY_HEAP_MIB = 512;

/** The gateway unit's MemoryMax= value (systemd's size syntax). */
export const GATEWAY_MEMORY_MAX = `${GATEWAY_MEMORY_MAX_MIB}M`;
/** The node option that sets the gateway's heap limit, placed before the OpenClaw entry script in ExecStart=. */
export const GATEWAY_HEAP_ARG = `--max-old-space-size=${GATEWAY_HEAP_MIB}`;

/** One part of the host's own memory, with how its figure was found. */
export interface HostOverheadPart {
  readonly what: string;
  readonly mib: number;
  readonly how: string;
}

/**
 * Everything on the host that is not a gateway. Estimates, each with its basis; the
 * total is what the sizing reserves.
 */
export const HOST_OVERHEAD_PARTS: readonly HostOverheadPart[] = [
  {
    what: 'kernel, its reservations and page tables',
    mib: 192,
    how: 'an arm64 Nitro instance reports 150-200 MiB less MemTotal than its nominal memory (kernel image, crash kernel, struct page)',
  },
  { what: 'systemd, journald, udevd, dbus, chronyd, auditd, the nftables service', mib: 96, how: 'typical RSS of the Amazon Linux 2023 base services' },
  { what: 'amazon-ssm-agent and its worker', mib: 64, how: 'two Go processes, about 30 MiB each when idle' },
  { what: 'CloudWatch agent (logs and metrics)', mib: 96, how: 'one Go process tailing the shipped log files; 60-100 MiB' },
  { what: 'nginx (master and one worker per vCPU)', mib: 24, how: 'a few MiB per process with the rendered config' },
  { what: 'squid (the egress proxy, all gateways\' ports)', mib: 48, how: 'one process; HTTPS is tunnelled (CONNECT), nothing is cached' },
  { what: 'the host\'s Node programs (spend meter, health check, secrets at boot)', mib: 96, how: 'a short-lived Node 24 process is 50-90 MiB RSS; the timers may overlap' },
  { what: 'page cache left to the host (logs being shipped, binaries)', mib: 152, how: 'headroom so the shippers do not thrash' },
];

/** The host's own memory, MiB: the sum of HOST_OVERHEAD_PARTS (768). */
export const HOST_OVERHEAD_MIB = HOST_OVERHEAD_PARTS.reduce((s, p) => s + p.mib, 0);

/** Memory of the Graviton instance types the config allows (instance.type), GiB, from the EC2 instance type pages. */
export const INSTANCE_MEMORY_GIB: Readonly<Record<string, number>> = {
  't4g.nano': 0.5,
  't4g.micro': 1,
  't4g.small': 2,
  't4g.medium': 4,
  't4g.large': 8,
  't4g.xlarge': 16,
  't4g.2xlarge': 32,
  'm6g.medium': 4,
  'm6g.large': 8,
  'm6g.xlarge': 16,
  'm6g.2xlarge': 32,
  'm7g.medium': 4,
  'm7g.large': 8,
  'm7g.xlarge': 16,
  'm7g.2xlarge': 32,
  'c6g.medium': 2,
  'c6g.large': 4,
  'c6g.xlarge': 8,
  'c6g.2xlarge': 16,
  'c7g.medium': 2,
  'c7g.large': 4,
  'c7g.xlarge': 8,
  'c7g.2xlarge': 16,
  'r6g.medium': 8,
  'r6g.large': 16,
  'r6g.xlarge': 32,
  'r6g.2xlarge': 64,
  'r7g.medium': 8,
  'r7g.large': 16,
  'r7g.xlarge': 32,
  'r7g.2xlarge': 64,
};

/** The burstable Graviton sizes the default is chosen from, smallest first (nano and micro hold no gateway). */
export const DEFAULT_INSTANCE_TYPES = ['t4g.small', 't4g.medium', 't4g.large', 't4g.xlarge', 't4g.2xlarge'] as const;

/** Memory of an instance type, MiB; undefined for a type this table does not know. */
export function instanceMemoryMiB(type: string): number | undefined {
  const gib = INSTANCE_MEMORY_GIB[type];
  return gib === undefined ? undefined : gib * 1024;
}

/** Memory `gatewayCount` gateways need on one host, MiB: the host's overhead plus one cap each. */
export function requiredMemoryMiB(gatewayCount: number): number {
  return HOST_OVERHEAD_MIB + gatewayCount * GATEWAY_MEMORY_MAX_MIB;
}

/** Whether `type` holds `gatewayCount` gateways (false for a type of unknown memory). */
export function instanceFits(type: string, gatewayCount: number): boolean {
  const mib = instanceMemoryMiB(type);
  return mib !== undefined && mib >= requiredMemoryMiB(gatewayCount);
}

/**
 * The smallest t4g type whose memory holds the host's overhead and `gatewayCount`
 * gateway caps. Throws for a count no t4g size holds.
 */
export function defaultInstanceType(gatewayCount: number): string {
  if (!Number.isInteger(gatewayCount) || gatewayCount < 1) throw new Error(`gateway count must be a whole number of at least 1, not ${gatewayCount}`);
  const type = DEFAULT_INSTANCE_TYPES.find((t) => instanceFits(t, gatewayCount));
  if (!type) throw new Error(`no t4g size holds ${gatewayCount} gateways (${requiredMemoryMiB(gatewayCount)} MiB); the largest, t4g.2xlarge, has 32768 MiB`);
  return type;
}

/** The host's instance type: config instance.type when set, else the default for its gateways. */
export function gatewayInstanceType(config: ResolvedConfig): string {
  return config.instance.type ?? defaultInstanceType(agentGateways(config).length);
}
