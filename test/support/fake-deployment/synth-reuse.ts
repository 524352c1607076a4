/**
 * Reusing one synth across Stryker's mutant runs, only where that cannot change a result.
 *
 * Stryker runs a test file again for every mutant; a live-check test file synthesizes a
 * deployment first (about 20 s under Stryker here) and then runs checks that take milliseconds.
 * A synth kept from an earlier run is what a fresh synth would give under the active mutant
 * exactly when that mutant cannot influence the synth. The synth is deterministic (fixed
 * config, fixed clock), so it can only differ if the mutated code runs before it ends:
 *
 * - **before it, in this run** (a module's top level, an earlier test file of the same run):
 *   Stryker counts every execution of the active mutant in `__stryker__.hitCount`, reset to 0
 *   for each mutant run. Above 0, or unknown (Stryker gives no hit limit), the synth is fresh.
 * - **during it**: the kept synth is made with no mutant active (the active one is switched
 *   off while it runs, the way Stryker's dry run runs), and Stryker's instrumented code records
 *   every mutant it passes in `__stryker__.mutantCoverage.static`. The mutants recorded while
 *   that synth ran are kept with it; a run whose active mutant is among them synthesizes fresh,
 *   with its mutant on.
 *
 * Everything else gets the kept synth. The instrumenter's helpers, which this reads, are in
 * node_modules/@stryker-mutator/instrumenter/dist/src/util/syntax-helpers.js.
 */

/** The part of Stryker's instrumenter context (`globalThis.__stryker__`) read here. */
export interface StrykerContext {
  activeMutant?: string;
  hitCount?: number;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

/** Where Stryker's child process puts the active mutant's id before a mutant run. */
export const ACTIVE_MUTANT_ENV = '__STRYKER_ACTIVE_MUTANT__';

/** A synth kept for later runs, and the mutants its making passed through. */
export interface KeptSynth<T> {
  readonly value: T;
  readonly reached: ReadonlySet<string>;
}

export type SynthSource = 'kept' | 'made' | 'fresh';

const staticCounts = (ctx: StrykerContext | undefined): Record<string, number> => ({ ...(ctx?.mutantCoverage?.static ?? {}) });

/** Runs `synth` with no mutant active, and returns what it made and the mutants it passed. */
function makeUnmutated<T>(synth: (kept: boolean) => T, ctx: StrykerContext | undefined, env: NodeJS.ProcessEnv): KeptSynth<T> {
  const active = ctx?.activeMutant;
  const fromEnv = env[ACTIVE_MUTANT_ENV];
  const before = staticCounts(ctx);
  if (ctx) delete ctx.activeMutant;
  // A module first loaded during the synth would read the id back from the environment.
  delete env[ACTIVE_MUTANT_ENV];
  try {
    const value = synth(true);
    const after = staticCounts(ctx);
    return { value, reached: new Set(Object.keys(after).filter((id) => after[id]! > (before[id] ?? 0))) };
  } finally {
    if (active !== undefined) ctx!.activeMutant = active;
    if (fromEnv !== undefined) env[ACTIVE_MUTANT_ENV] = fromEnv;
  }
}

/**
 * The synth for `key`: the kept one when the active mutant cannot have changed it, else a
 * fresh one with the mutant active. `synth(kept)` is told whether its result is kept. Keeps a new one (made with no mutant active) when there is
 * none yet and this run's mutant has not run before it.
 */
export function reuseOrSynthesize<T>(
  kept: Map<string, KeptSynth<T>>,
  key: string,
  synth: (kept: boolean) => T,
  ctx: StrykerContext | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { readonly value: T; readonly source: SynthSource } {
  const active = ctx?.activeMutant ?? env[ACTIVE_MUTANT_ENV];
  const ranBefore = active !== undefined && !(ctx?.hitCount === 0);
  if (ranBefore) return { value: synth(false), source: 'fresh' };
  let entry = kept.get(key);
  let source: SynthSource = 'kept';
  if (!entry) {
    entry = makeUnmutated(synth, ctx, env);
    kept.set(key, entry);
    source = 'made';
  }
  if (active !== undefined && entry.reached.has(active)) return { value: synth(false), source: 'fresh' };
  return { value: entry.value, source };
}
