/**
 * spend-meter.js: the fast model-spend meter of the OpenClaw host. Runs every minute
 * as root from openclaw-spend-meter.service (its timer), out of the agents' reach,
 * with the pinned Node 24; bundled into one file by bundle.ts.
 *
 *   1. reads the manifest (args.ts, manifest.ts) and its own state (state.ts), and
 *      rolls the totals over to the current UTC day and month,
 *   2. reads, read-only, only what OpenClaw added to its transcripts since the last
 *      run (store.ts: agents/<id>/agent/openclaw-agent.sqlite, table transcript_events)
 *      and prices each model call's usage (meter.ts, usage.ts, pricing.ts),
 *   3. saves its state, then publishes ModelSpendTodayUsd, ModelSpendMonthUsd and
 *      ModelSpendMonthUsd{Model} (publish.ts; IMDSv2 credentials only).
 *
 * stdout, one line per run:
 *   openclaw-meter: today $X.XX, month $Y.YY (N new usage records) [metrics published to <ns> | not published: <why>]
 * stderr: `openclaw-meter: WARNING ...` lines (an unpriced model, once per run; malformed
 * or capped records; a database it could not read; spend at or over a limit), or one
 * `openclaw-meter: FAILED ...` line when it could not meter at all.
 * Exit: 0 published, 1 metered but not published, 2 bad command line or manifest,
 * 3 could not meter (state file, OpenClaw's state folder).
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

interface RunResult {
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
const describe = (e: unknown) => String((e as Error)?.message ?? e).replace(/\s+/g, ' ').slice(0, 240);

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
    throw new MeterFailure(`OpenClaw's state folder: ${describe(e)}`, 3);
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
      warnings.push(`${db.rel}: ${e instanceof StoreError ? e.message : describe(e)}; read again next run`);
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

async function run(argv: readonly string[]): Promise<RunResult> {
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
      throw new MeterFailure(`state file ${manifest.stateFile}: ${describe(e)}`, 3);
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
      warn(`could not save ${manifest.stateFile} (${describe(e)}): the next run reads these records again`);
    }
    if (state.todayUsd >= manifest.limits.dailyUsd) warn(`today's model spend ${formatUsd(state.todayUsd)} is at or over the daily limit ${formatUsd(manifest.limits.dailyUsd)}`);
    if (state.monthUsd >= manifest.limits.monthlyUsd) warn(`this month's model spend ${formatUsd(state.monthUsd)} is at or over the monthly limit ${formatUsd(manifest.limits.monthlyUsd)}`);

    const outcome: PublishOutcome = await publishFigures(manifest, state, { timeoutMs: o.imdsTimeoutMs, attempts: o.imdsAttempts });
    const tail = outcome.published ? `[metrics published to ${manifest.namespace}]` : `[not published: ${outcome.why}]`;
    const line = `${PREFIX} today ${formatUsd(state.todayUsd)}, month ${formatUsd(state.monthUsd)} (${plural(counted.length, 'new usage record')}) ${tail}`;
    return { out: [line], err, code: outcome.published ? 0 : 1 };
  } catch (e) {
    const failure = e instanceof MeterFailure ? e : new MeterFailure(`unexpected: ${describe(e)}; this is a bug of the spend meter: report it`, 3);
    return { out: [], err: [...err, `${PREFIX} FAILED ${failure.what}`], code: failure.code };
  }
}

// The host runs a supported Node; the SDK's notice for older ones would be a stray stderr line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

void run(process.argv.slice(2)).then(
  ({ out, err, code }) => {
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
    // Exit now: a metadata service that never answers must not keep the process alive.
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`${PREFIX} FAILED unexpected: ${describe(e)}\n`);
    process.exit(3);
  },
);
