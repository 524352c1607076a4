/**
 * The program of spend-meter.js as a function (main.ts is its thin entry: process.argv
 * in, stdout/stderr lines and the exit code out). What it does and prints: main.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SpendMeterManifest } from '../../lib/host/spend-meter';
import { runBreaker } from './breaker';
import { blockedEgress } from './egress';
import { parseOptions, UsageError, type Options } from './args';
import { ManifestError, loadManifest } from './manifest';
import { SessionMeter, planSession, type Counted } from './meter';
import { fallbackPrice, formatUsd, utcDay, utcMonth, MAX_TOKENS_PER_KIND } from './pricing';
import { publishFigures, type PublishOutcome } from './publish';
import { loadState, pruneCursors, rollOver, saveState, type GatewayFigures, type MeterState } from './state';
import { findAgentDatabases, StoreError, TranscriptStore } from './store';

export const PREFIX = 'openclaw-meter:';
/** Most transcript rows read in one run (checked between sessions); the rest is read next run. */
export const MAX_ROWS_PER_RUN = 500_000;

/** What the meter prints and its exit code. */
export interface RunResult {
  out: string[];
  err: string[];
  code: number;
}

class MeterFailure extends Error {
  constructor(
    readonly what: string,
    readonly code: number,
  ) {
    super(what);
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
export const describeError = (e: unknown) => String((e as Error)?.message ?? e).replace(/\s+/g, ' ').slice(0, 240);

/** True when nothing is at `p` (ENOENT); false when something is, or it cannot be told (EACCES: not "absent"). */
const absent = (p: string) => {
  try {
    fs.lstatSync(p);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
};

/** A usage record counted, and the gateway whose state it is in. */
type GatewayCounted = Counted & { readonly gateway: string };

/** Every agent database of every gateway: agents/<agent>/agent/openclaw-agent.sqlite of its state folder. */
function gatewayDatabases(manifest: SpendMeterManifest) {
  try {
    findAgentDatabases(manifest.openclawStateDir);
  } catch (e) {
    throw new MeterFailure(`OpenClaw's state folder: ${describeError(e)}`, 3);
  }
  const databases: { rel: string; file: string; gateway: string }[] = [];
  const problems: string[] = [];
  for (const g of manifest.gateways) {
    const prefix = path.posix.relative(manifest.openclawStateDir, g.stateDir);
    // A gateway that never ran has no folder yet: said, not fatal. One that cannot be read is
    // (its spend would go unseen): the run fails as for the state folder itself.
    if (absent(g.stateDir)) {
      problems.push(`gateway ${g.id}: no state folder ${g.stateDir} yet (its gateway never ran?)`);
      continue;
    }
    let found;
    try {
      found = findAgentDatabases(g.stateDir);
    } catch (e) {
      throw new MeterFailure(`OpenClaw's state folder of gateway ${g.id}: ${describeError(e)}`, 3);
    }
    problems.push(...found.problems.map((p) => `${prefix}/${p}`));
    databases.push(...found.databases.map((db) => ({ rel: path.posix.join(prefix, db.rel), file: db.file, gateway: g.id })));
  }
  return { databases, problems };
}

/** Reads what is new in every agent database into `state`; returns what was counted and what went wrong. */
function meterDatabases(manifest: SpendMeterManifest, state: MeterState, nowMs: number, maxRows: number) {
  const ctx = { nowMs, prices: manifest.prices, fallback: fallbackPrice(manifest.prices) };
  const counted: GatewayCounted[] = [];
  const malformed: string[] = [];
  const warnings: string[] = [];
  const present = new Map<string, Set<string>>();
  const found = gatewayDatabases(manifest);
  warnings.push(...found.problems);
  let rows = 0;
  for (const db of found.databases) {
    const cursors = (state.databases[db.rel] ??= {});
    if (rows >= maxRows) {
      warnings.push(`${db.rel}: not read this run (more than ${maxRows} rows read already); read next run`);
      present.set(db.rel, new Set(Object.keys(cursors)));
      continue;
    }
    let store: TranscriptStore | undefined;
    const seen = new Set<string>();
    try {
      store = new TranscriptStore(db.file);
      warnings.push(...store.notes.map((note) => `${db.rel}: ${note}`));
      const sessions = store.sessions();
      for (const id of sessions.keys()) seen.add(id);
      for (const [id, info] of sessions) {
        const cursor = cursors[id];
        if (rows >= maxRows) break;
        const plan = planSession(cursor, info, cursor ? store.fingerprint(id, cursor.s) : undefined);
        if (plan.kind === 'skip') {
          if (info.generation !== undefined) cursor!.g = info.generation;
          continue;
        }
        const meter = new SessionMeter(cursor, plan, info, ctx);
        rows += store.forEachRowAfter(id, plan.kind === 'append' ? plan.after : -1, (row) => meter.add(row));
        cursors[id] = meter.finish((seq) => store!.fingerprint(id, seq));
        counted.push(...meter.counted.map((c) => ({ ...c, gateway: db.gateway })));
        malformed.push(...meter.malformed.map((m) => `${db.rel} session ${id.slice(0, 40)} seq ${m.seq}: ${m.why}`));
      }
      present.set(db.rel, seen);
    } catch (e) {
      // Unread this run: its cursors stay where they were, and nothing of it is pruned.
      warnings.push(`${db.rel}: ${e instanceof StoreError ? e.message : describeError(e)}; read again next run`);
      present.set(db.rel, new Set([...seen, ...Object.keys(cursors)]));
    } finally {
      store?.close();
    }
  }
  pruneCursors(state, present, nowMs);
  return { counted, malformed, warnings };
}

/** The figures of every gateway of the manifest (new ones start at nothing; gone ones are dropped). */
function gatewayFigures(manifest: SpendMeterManifest, state: MeterState): Record<string, GatewayFigures> {
  const kept: Record<string, GatewayFigures> = {};
  for (const g of manifest.gateways) kept[g.id] = state.gateways[g.id] ?? { todayUsd: 0, monthUsd: 0, toolCalls: [], blocked: [] };
  state.gateways = kept;
  return kept;
}

/** Adds the counted records to the totals of the current day and month (state rolled over to now), and to their gateway's. */
function addToTotals(state: MeterState, counted: readonly GatewayCounted[]): void {
  for (const c of counted) {
    const g = state.gateways[c.gateway]!;
    for (let i = 0; i < c.toolCalls; i++) g.toolCalls.push(c.at);
    if (utcMonth(c.at) !== state.month) continue;
    state.monthUsd += c.usd;
    g.monthUsd += c.usd;
    state.monthByModel[c.model] = (state.monthByModel[c.model] ?? 0) + c.usd;
    if (utcDay(c.at) === state.day) {
      state.todayUsd += c.usd;
      g.todayUsd += c.usd;
    }
  }
  for (const g of Object.values(state.gateways)) g.toolCalls.sort((a, b) => a - b);
}

/** Adds each gateway's refused egress of this run to its window. */
function addBlocked(manifest: SpendMeterManifest, state: MeterState, nft: string, nowMs: number): string[] {
  const r = blockedEgress(manifest, { nftPackets: (id) => state.gateways[id]?.nftPackets, ...(state.accessLog ? { logCursor: state.accessLog } : {}) }, nft);
  for (const g of manifest.gateways) {
    const figures = state.gateways[g.id]!;
    const n = r.nft.get(g.id);
    if (n?.packets !== undefined) figures.nftPackets = n.packets;
    if (n && n.growth > 0) figures.blocked.push([nowMs, n.growth]);
    for (const at of r.denied.get(g.id) ?? []) figures.blocked.push([Math.min(at, nowMs), 1]);
    figures.blocked.sort((a, b) => a[0] - b[0]);
  }
  if (r.logCursor) state.accessLog = r.logCursor;
  return r.warnings;
}

/**
 * Runs the meter with `argv` (without node and the script): the lines it prints and its
 * exit code. The clock is Date.now unless `--now` is given; the metadata service and the
 * CloudWatch endpoint are the SDK's own configuration. Throws only on a bug (main.ts
 * prints it as FAILED unexpected, exit 3). `maxRows` bounds the rows read in this run (the
 * program's is MAX_ROWS_PER_RUN; a test gives a small one rather than half a million rows).
 */
export async function runSpendMeter(argv: readonly string[], maxRows = MAX_ROWS_PER_RUN): Promise<RunResult> {
  const err: string[] = [];
  const warn = (line: string) => err.push(`${PREFIX} WARNING ${line}`);
  let o: Options;
  let manifest: SpendMeterManifest;
  try {
    o = parseOptions(argv);
    manifest = loadManifest(o.manifest);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ManifestError) return { out: [], err: [`${PREFIX} FAILED ${e.message}`], code: 2 };
    throw e;
  }
  try {
    let loaded;
    try {
      loaded = loadState(manifest.stateFile, o.nowMs);
    } catch (e) {
      throw new MeterFailure(`state file ${manifest.stateFile}: ${describeError(e)}`, 3);
    }
    const state = loaded.state;
    if (loaded.status === 'corrupt') warn(`${manifest.stateFile} was unreadable: set aside as ${manifest.stateFile}.corrupt; the figures are rebuilt from the records still in OpenClaw's state`);
    gatewayFigures(manifest, state);
    rollOver(state, o.nowMs);
    const { counted, malformed, warnings } = meterDatabases(manifest, state, o.nowMs, maxRows);
    addToTotals(state, counted);
    warnings.push(...addBlocked(manifest, state, o.nft, o.nowMs));
    // Before the state is saved: the windows it prunes are saved pruned.
    const breaker = runBreaker(manifest, state.gateways, o.nowMs, o.systemctl);
    state.recordsTotal += counted.length;
    state.malformedTotal += malformed.length;
    state.updatedAt = new Date(o.nowMs).toISOString();

    for (const model of [...new Set(counted.filter((c) => !c.listed).map((c) => c.model))].sort()) {
      warn(`unpriced model ${model} (priced at the highest listed price of each kind; add it to spend.modelPrices)`);
    }
    if (malformed.length) warn(`${plural(malformed.length, 'malformed usage record')} ignored (first: ${malformed[0]}); ${state.malformedTotal} since the state began`);
    const capped = counted.filter((c) => c.capped).length;
    if (capped) warn(`${plural(capped, 'usage record')} with absurd token counts, capped at ${MAX_TOKENS_PER_KIND} tokens of each kind`);
    for (const w of warnings) warn(w);

    try {
      saveState(manifest.stateFile, state);
    } catch (e) {
      warn(`could not save ${manifest.stateFile} (${describeError(e)}): the next run reads these records again`);
    }
    if (state.todayUsd >= manifest.limits.dailyUsd) warn(`today's model spend ${formatUsd(state.todayUsd)} is at or over the daily limit ${formatUsd(manifest.limits.dailyUsd)}`);
    if (state.monthUsd >= manifest.limits.monthlyUsd) warn(`this month's model spend ${formatUsd(state.monthUsd)} is at or over the monthly limit ${formatUsd(manifest.limits.monthlyUsd)}`);

    for (const b of breaker.lines) err.push(`${PREFIX} ${b}`);

    const outcome: PublishOutcome = await publishFigures(manifest, { ...state, tripped: breaker.tripped }, { timeoutMs: o.imdsTimeoutMs, attempts: o.imdsAttempts });
    const tail = outcome.published ? `[metrics published to ${manifest.namespace}]` : `[not published: ${outcome.why}]`;
    const line = `${PREFIX} today ${formatUsd(state.todayUsd)}, month ${formatUsd(state.monthUsd)} (${plural(counted.length, 'new usage record')}) ${tail}`;
    return { out: [line], err, code: outcome.published ? 0 : 1 };
  } catch (e) {
    const failure = e instanceof MeterFailure ? e : new MeterFailure(`unexpected: ${describeError(e)}; this is a bug of the spend meter: report it`, 3);
    return { out: [], err: [...err, `${PREFIX} FAILED ${failure.what}`], code: failure.code };
  }
}
