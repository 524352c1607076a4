/**
 * The program of spend-meter.js as a function (main.ts is its thin entry: process.argv
 * in, stdout/stderr lines and the exit code out). What it does and prints: main.ts.
 */
import type { SpendMeterManifest } from '../../lib/host/spend-meter';
import { parseOptions, UsageError, type Options } from './args';
import { ManifestError, loadManifest } from './manifest';
import { SessionMeter, planSession, type Counted } from './meter';
import { fallbackPrice, formatUsd, utcDay, utcMonth, MAX_TOKENS_PER_KIND } from './pricing';
import { publishFigures, type PublishOutcome } from './publish';
import { loadState, pruneCursors, rollOver, saveState, type MeterState } from './state';
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

/** Reads what is new in every agent database into `state`; returns what was counted and what went wrong. */
function meterDatabases(manifest: SpendMeterManifest, state: MeterState, nowMs: number) {
  const ctx = { nowMs, prices: manifest.prices, fallback: fallbackPrice(manifest.prices) };
  const counted: Counted[] = [];
  const malformed: string[] = [];
  const warnings: string[] = [];
  const present = new Map<string, Set<string>>();
  let found;
  try {
    found = findAgentDatabases(manifest.openclawStateDir);
  } catch (e) {
    throw new MeterFailure(`OpenClaw's state folder: ${describeError(e)}`, 3);
  }
  warnings.push(...found.problems);
  let rows = 0;
  for (const db of found.databases) {
    const cursors = (state.databases[db.rel] ??= {});
    if (rows >= MAX_ROWS_PER_RUN) {
      warnings.push(`${db.rel}: not read this run (more than ${MAX_ROWS_PER_RUN} rows read already); read next run`);
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
        if (rows >= MAX_ROWS_PER_RUN) break;
        const plan = planSession(cursor, info, cursor ? store.fingerprint(id, cursor.s) : undefined);
        if (plan.kind === 'skip') {
          if (info.generation !== undefined) cursor!.g = info.generation;
          continue;
        }
        const meter = new SessionMeter(cursor, plan, info, ctx);
        rows += store.forEachRowAfter(id, plan.kind === 'append' ? plan.after : -1, (row) => meter.add(row));
        cursors[id] = meter.finish((seq) => store!.fingerprint(id, seq));
        counted.push(...meter.counted);
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

/** Adds the counted records to the totals of the current day and month (state rolled over to now). */
function addToTotals(state: MeterState, counted: readonly Counted[]): void {
  for (const c of counted) {
    if (utcMonth(c.at) !== state.month) continue;
    state.monthUsd += c.usd;
    state.monthByModel[c.model] = (state.monthByModel[c.model] ?? 0) + c.usd;
    if (utcDay(c.at) === state.day) state.todayUsd += c.usd;
  }
}

/**
 * Runs the meter with `argv` (without node and the script): the lines it prints and its
 * exit code. The clock is Date.now unless `--now` is given; the metadata service and the
 * CloudWatch endpoint are the SDK's own configuration. Throws only on a bug (main.ts
 * prints it as FAILED unexpected, exit 3).
 */
export async function runSpendMeter(argv: readonly string[]): Promise<RunResult> {
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
    rollOver(state, o.nowMs);
    const { counted, malformed, warnings } = meterDatabases(manifest, state, o.nowMs);
    addToTotals(state, counted);
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

    const outcome: PublishOutcome = await publishFigures(manifest, state, { timeoutMs: o.imdsTimeoutMs, attempts: o.imdsAttempts });
    const tail = outcome.published ? `[metrics published to ${manifest.namespace}]` : `[not published: ${outcome.why}]`;
    const line = `${PREFIX} today ${formatUsd(state.todayUsd)}, month ${formatUsd(state.monthUsd)} (${plural(counted.length, 'new usage record')}) ${tail}`;
    return { out: [line], err, code: outcome.published ? 0 : 1 };
  } catch (e) {
    const failure = e instanceof MeterFailure ? e : new MeterFailure(`unexpected: ${describeError(e)}; this is a bug of the spend meter: report it`, 3);
    return { out: [], err: [...err, `${PREFIX} FAILED ${failure.what}`], code: failure.code };
  }
}
