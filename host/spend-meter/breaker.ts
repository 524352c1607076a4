/**
 * The per-agent circuit breaker ("revoke, suspend, alert"), run by the meter after it
 * has read every gateway's records. Per gateway, against its manifest limits
 * (openclaw.agents.<id>.breaker), in this order:
 *
 *   model-daily-usd       its model spend of the current UTC day    >= modelDailyUsd
 *   model-monthly-usd     its model spend of the current UTC month  >= modelMonthlyUsd
 *   tool-calls-5min       tool calls its models asked for in the last 5 minutes >= toolCallsPer5Min
 *   blocked-egress-5min   its refused egress in the last 5 minutes (nft counter growth +
 *                         squid TCP_DENIED lines of its port)       >= blockedEgressPer5Min
 *
 * The first limit crossed trips it:
 *   1. the marker <breakerDir>/<id>.tripped (root 0600 JSON: gateway, agents, unit, reason,
 *      limit, figure, every figure, time, stopped) is written first, atomically; the gateway
 *      unit's ConditionPathExists=!<marker> keeps it from starting again, reboots included,
 *   2. `systemctl stop --no-block openclaw-gateway@<id>.service`: that gateway only,
 *   3. one log line names the gateway, its agents, the reason and the figures.
 * A gateway whose marker is there is not tripped or stopped again (a marker whose stop
 * failed is retried). Restore (the per-deployment SSM document <name>-restore-agent,
 * lib/spend/restore-agent-document.ts) writes <breakerDir>/<id>.restored, removes the
 * marker and starts the unit; the next run takes the .restored file as the operator's
 * word: the gateway's limits count again from that moment (its spend today and this
 * month so far, and its 5-minute windows, are set aside), so a restored gateway is not
 * stopped again at once for what stopped it. Raising its limit is the lasting answer. Every run reports, per gateway, whether its
 * marker is there (AgentBreakerTripped{Gateway}).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BREAKER_WINDOW_MS, type SpendMeterGateway, type SpendMeterManifest } from '../../lib/host/spend-meter';
import { writeFileAtomic } from './atomic-file';
import { formatUsd } from './pricing';
import type { GatewayFigures } from './state';

/** What a trip is for. */
export type BreakerReason = 'model-daily-usd' | 'model-monthly-usd' | 'tool-calls-5min' | 'blocked-egress-5min';

/** Most window entries kept per gateway (a flood counts as at least this many). */
export const MAX_WINDOW_ENTRIES = 100_000;
/** How long `systemctl stop --no-block` may take (it only queues the job). */
export const SYSTEMCTL_TIMEOUT_MS = 15_000;

/** One gateway's figures now. */
export interface BreakerFigures {
  readonly todayUsd: number;
  readonly monthUsd: number;
  readonly toolCalls5Min: number;
  readonly blockedEgress5Min: number;
}

/** The marker's content. */
export interface BreakerMarker {
  readonly gateway: string;
  readonly agents: readonly string[];
  readonly unit: string;
  readonly reason: BreakerReason;
  readonly limit: number;
  readonly figure: number;
  readonly figures: BreakerFigures;
  /** ISO time of the trip. */
  readonly time: string;
  /** Whether `systemctl stop` took the job. */
  readonly stopped: boolean;
}

/** Drops what is out of the window ending at `nowMs` (and the oldest beyond the cap). */
export function pruneWindow(g: GatewayFigures, nowMs: number): void {
  const from = nowMs - BREAKER_WINDOW_MS;
  g.toolCalls = g.toolCalls.filter((t) => t > from).slice(-MAX_WINDOW_ENTRIES);
  g.blocked = g.blocked.filter(([t]) => t > from).slice(-MAX_WINDOW_ENTRIES);
}

/** A gateway's figures now, as its limits see them (its window pruned first; since its last restore). */
export function figuresOf(g: GatewayFigures, nowMs: number): BreakerFigures {
  pruneWindow(g, nowMs);
  return {
    todayUsd: Math.max(0, g.todayUsd - (g.todayBase ?? 0)),
    monthUsd: Math.max(0, g.monthUsd - (g.monthBase ?? 0)),
    toolCalls5Min: g.toolCalls.length,
    blockedEgress5Min: g.blocked.reduce((n, [, k]) => n + k, 0),
  };
}

/** Sets aside what a gateway spent and did so far: its limits count from now (a restore). */
function setAside(g: GatewayFigures): void {
  g.todayBase = g.todayUsd;
  g.monthBase = g.monthUsd;
  g.toolCalls = [];
  g.blocked = [];
}

/** The first limit `f` crosses, or undefined. */
export function crossedLimit(limits: SpendMeterGateway['limits'], f: BreakerFigures): { reason: BreakerReason; limit: number; figure: number } | undefined {
  if (f.todayUsd >= limits.modelDailyUsd) return { reason: 'model-daily-usd', limit: limits.modelDailyUsd, figure: f.todayUsd };
  if (f.monthUsd >= limits.modelMonthlyUsd) return { reason: 'model-monthly-usd', limit: limits.modelMonthlyUsd, figure: f.monthUsd };
  if (f.toolCalls5Min >= limits.toolCallsPer5Min) return { reason: 'tool-calls-5min', limit: limits.toolCallsPer5Min, figure: f.toolCalls5Min };
  if (f.blockedEgress5Min >= limits.blockedEgressPer5Min) return { reason: 'blocked-egress-5min', limit: limits.blockedEgressPer5Min, figure: f.blockedEgress5Min };
  return undefined;
}

const WHAT: Record<BreakerReason, (limit: number, figure: number) => string> = {
  'model-daily-usd': (l, f) => `model spend today ${formatUsd(f)} at or over its daily limit ${formatUsd(l)}`,
  'model-monthly-usd': (l, f) => `model spend this month ${formatUsd(f)} at or over its monthly limit ${formatUsd(l)}`,
  'tool-calls-5min': (l, f) => `${f} tool calls in the last 5 minutes, at or over its limit ${l}`,
  'blocked-egress-5min': (l, f) => `${f} refused egress attempts in the last 5 minutes, at or over its limit ${l}`,
};

/** The marker file of a gateway. */
export const markerPath = (breakerDir: string, id: string) => path.join(breakerDir, `${id}.tripped`);
/** The file the restore document leaves for the meter. */
export const restoredPath = (breakerDir: string, id: string) => path.join(breakerDir, `${id}.restored`);

/** Writes the marker atomically and durably (atomic-file.ts), root 0600, in its root 0700 folder. */
function writeMarker(file: string, marker: BreakerMarker): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, `${JSON.stringify(marker)}\n`);
}

/**
 * The marker of a gateway: absent, present (parsed when it parses). Present means what the
 * unit's ConditionPathExists=!<marker> sees: access(2) finds the path (fs.existsSync), so a
 * dangling link, a symlink loop or a folder that is not a folder are "absent" for both.
 */
function readMarker(file: string): { present: false } | { present: true; marker?: Partial<BreakerMarker> } {
  if (!fs.existsSync(file)) return { present: false };
  try {
    return { present: true, marker: JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BreakerMarker> };
  } catch {
    // There but unreadable or not JSON: still a marker (the unit will not start); never tripped twice.
    return { present: true };
  }
}

/** Stops one unit (queues the job); says why not. */
function stopUnit(systemctl: string, unit: string, timeoutMs: number): string | undefined {
  try {
    execFileSync(systemctl, ['stop', '--no-block', unit], { timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    return undefined;
  } catch (e) {
    const err = e as { stderr?: Buffer | string; message?: string };
    return String(err.stderr?.toString() || err.message || e).replace(/\s+/g, ' ').trim().slice(0, 200);
  }
}

/** What the breaker did this run. */
export interface BreakerOutcome {
  /** Gateway id -> whether its marker is there now. */
  readonly tripped: Record<string, boolean>;
  /** Log lines (the trips, and what went wrong). */
  readonly lines: string[];
}

/** Runs the breaker over every gateway of the manifest with the figures in `gateways` (`systemctl` given up after `systemctlTimeoutMs`). */
export function runBreaker(
  manifest: SpendMeterManifest,
  gateways: Readonly<Record<string, GatewayFigures>>,
  nowMs: number,
  systemctl: string,
  systemctlTimeoutMs: number = SYSTEMCTL_TIMEOUT_MS,
): BreakerOutcome {
  const tripped: Record<string, boolean> = {};
  const lines: string[] = [];
  // Something else where the marker folder should be: no marker can be written or seen there.
  if (fs.statSync(manifest.breakerDir, { throwIfNoEntry: false })?.isDirectory() === false) {
    lines.push(`BREAKER ${manifest.breakerDir} is not a folder: no gateway can be kept stopped by a marker until it is one`);
  }
  for (const g of manifest.gateways) {
    const file = markerPath(manifest.breakerDir, g.id);
    let existing = readMarker(file);
    const restored = restoredPath(manifest.breakerDir, g.id);
    if (!existing.present && fs.existsSync(restored)) {
      // Consumed first: a .restored file that stayed would set the figures aside on every run,
      // and the gateway's limits would never count. One that cannot be removed is not applied.
      try {
        fs.rmSync(restored, { force: true });
        setAside(gateways[g.id]!);
        lines.push(`BREAKER gateway ${g.id} restored: its limits count again from now`);
      } catch (e) {
        lines.push(`BREAKER gateway ${g.id}: could not remove ${restored} (${(e as NodeJS.ErrnoException).code ?? String(e)}); the restore is not applied and its limits count as before`);
      }
      existing = readMarker(file);
    }
    const figures = figuresOf(gateways[g.id]!, nowMs);
    if (existing.present) {
      tripped[g.id] = true;
      // Tripped before, but its stop did not take: try again (the marker stays).
      if (existing.marker?.stopped === false) {
        const why = stopUnit(systemctl, g.unit, systemctlTimeoutMs);
        if (why) lines.push(`BREAKER gateway ${g.id}: could not stop ${g.unit} (${why}); tried again next run`);
        else {
          try {
            writeMarker(file, { ...(existing.marker as BreakerMarker), stopped: true });
            lines.push(`BREAKER gateway ${g.id}: ${g.unit} stopped (its earlier stop had failed)`);
          } catch (e) {
            // The marker keeps stopped: false, so the next run stops the (stopped) unit again: harmless.
            lines.push(`BREAKER gateway ${g.id}: ${g.unit} stopped (its earlier stop had failed); could not record it in ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
          }
        }
      }
      continue;
    }
    const crossed = crossedLimit(g.limits, figures);
    if (!crossed) {
      tripped[g.id] = false;
      continue;
    }
    const marker: BreakerMarker = { gateway: g.id, agents: g.agents, unit: g.unit, ...crossed, figures, time: new Date(nowMs).toISOString(), stopped: false };
    try {
      writeMarker(file, marker);
    } catch (e) {
      lines.push(`BREAKER gateway ${g.id}: could not write ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}); stopping ${g.unit} anyway (it may start again at the next boot)`);
    }
    tripped[g.id] = true;
    const why = stopUnit(systemctl, g.unit, systemctlTimeoutMs);
    if (!why) {
      try {
        writeMarker(file, { ...marker, stopped: true });
      } catch {
        // the first write's marker stays: the stop is retried next run, harmlessly
      }
    }
    const all = `today ${formatUsd(figures.todayUsd)}, month ${formatUsd(figures.monthUsd)}, ${figures.toolCalls5Min} tool calls and ${figures.blockedEgress5Min} refused egress in 5 min`;
    lines.push(
      `BREAKER tripped gateway ${g.id} (agents ${g.agents.join(', ')}, user ${g.user}): ${crossed.reason}: ${WHAT[crossed.reason](crossed.limit, crossed.figure)} (${all}); ` +
        (why ? `could not stop ${g.unit} (${why}); tried again next run` : `${g.unit} stopped; marker ${file}`),
    );
  }
  return { tripped, lines };
}
