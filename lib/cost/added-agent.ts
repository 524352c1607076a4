/**
 * What one more isolated agent costs: the difference, line by line, between the
 * estimate of a deployment and the estimate of the same deployment with one more
 * agent (its own gateway; both synthesized, so every per-agent resource counts:
 * its secrets, alarms, log volume, and the instance size the gateways need), and the
 * instance sizes by agent count (lib/host/gateway-sizing.ts) with their prices.
 */
import { DEFAULT_INSTANCE_TYPES, GATEWAY_MEMORY_MAX_MIB, HOST_OVERHEAD_MIB, instanceFits } from '../host/gateway-sizing';
import { MAX_GATEWAYS } from '../openclaw/gateways';
import type { CostCategory, CostLine } from './cost-line';
import { HOURS_PER_MONTH, ec2Hourly } from './price-table';

/** One line of the estimate that changes when an agent is added. */
export interface AddedAgentLine {
  readonly key: string;
  readonly category: CostCategory;
  readonly item: string;
  readonly beforeUsd: number;
  readonly afterUsd: number;
  /** afterUsd - beforeUsd. */
  readonly deltaUsd: number;
}

/** The cost of the next agent of a deployment. */
export interface AddedAgentCost {
  /** Gateways before the added agent (one per agent, or per shared group). */
  readonly gatewaysBefore: number;
  /** The lines that change, in the estimate's order (lines only one side has count 0 on the other). */
  readonly lines: readonly AddedAgentLine[];
  /** What the month costs more: the sum of the changes. */
  readonly deltaUsd: number;
}

/** Changes smaller than this (a tenth of a cent) are rounding, not a line. */
const NOISE_USD = 0.0005;

/** The lines whose monthly cost differs between `before` and `after` (the same deployment with one more agent). */
export function addedAgentCost(before: readonly CostLine[], after: readonly CostLine[], gatewaysBefore: number): AddedAgentCost {
  const keys = [...new Set([...before.map((l) => l.key), ...after.map((l) => l.key)])];
  const find = (lines: readonly CostLine[], key: string) => lines.find((l) => l.key === key);
  const lines = keys
    .map((key) => {
      const b = find(before, key);
      const a = find(after, key);
      const line = (a ?? b)!;
      const beforeUsd = b?.monthlyUsd ?? 0;
      const afterUsd = a?.monthlyUsd ?? 0;
      return { key, category: line.category, item: line.item, beforeUsd, afterUsd, deltaUsd: afterUsd - beforeUsd };
    })
    .filter((l) => Math.abs(l.deltaUsd) >= NOISE_USD);
  return { gatewaysBefore, lines, deltaUsd: lines.reduce((s, l) => s + l.deltaUsd, 0) };
}

/** One default instance size and the gateway counts it is chosen for. */
export interface InstanceStep {
  readonly type: string;
  readonly fromGateways: number;
  readonly toGateways: number;
  /** On-demand, per month (us-east-1 list price). */
  readonly monthlyUsd: number;
}

/** The default instance by gateway count, 1 to MAX_GATEWAYS, as ranges of the same type. */
export function instanceSteps(): InstanceStep[] {
  const steps: InstanceStep[] = [];
  for (let n = 1; n <= MAX_GATEWAYS; n++) {
    const type = DEFAULT_INSTANCE_TYPES.find((t) => instanceFits(t, n));
    if (!type) break;
    const last = steps.at(-1);
    if (last?.type === type) steps[steps.length - 1] = { ...last, toGateways: n };
    else steps.push({ type, fromGateways: n, toGateways: n, monthlyUsd: ec2Hourly(type).usd * HOURS_PER_MONTH });
  }
  return steps;
}

const usd = (n: number) => `${n < 0 ? '-' : '+'}$${Math.abs(n).toFixed(2)}`;
const range = (s: InstanceStep) => (s.fromGateways === s.toGateways ? `${s.fromGateways}` : `${s.fromGateways}-${s.toGateways}`);

/** The report's section on the next agent: the changed lines, their sum, and the instance sizes by agent count. */
export function formatAddedAgent(cost: AddedAgentCost): string {
  const width = Math.max(...cost.lines.map((l) => l.item.length), 10);
  const next = cost.gatewaysBefore + 1;
  const out = [
    `Each added isolated agent (its own gateway, user, secrets and alarms): gateway ${next} adds ${usd(cost.deltaUsd)} / month`,
    ...cost.lines.map((l) => `  ${l.item.padEnd(width)}  ${usd(l.deltaUsd).padStart(9)}  ($${l.beforeUsd.toFixed(2)} -> $${l.afterUsd.toFixed(2)})`),
    `Instance by agent count (${HOST_OVERHEAD_MIB} MiB for the host + ${GATEWAY_MEMORY_MAX_MIB} MiB MemoryMax per gateway; lib/host/gateway-sizing.ts):`,
    ...instanceSteps().map((s) => `  ${range(s).padStart(5)} agent${s.toGateways === 1 ? ' ' : 's'}  ${s.type.padEnd(12)} $${s.monthlyUsd.toFixed(2)} / month`),
  ];
  return out.join('\n');
}
