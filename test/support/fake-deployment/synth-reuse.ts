/**
 * Reusing one synth across Stryker's mutant runs, only where that cannot change a result.
 *
 * Stryker runs a test file again for every mutant; a live-check test file synthesizes a
 * deployment first (about 20 s under Stryker here) and then runs checks that take milliseconds.
 * A synth kept from an earlier run of the same worker is what a fresh synth would give under
 * the active mutant exactly when that mutant's code would not run before the synth ends.
 *
 * What Stryker's instrumented code tells (node_modules/@stryker-mutator/instrumenter/dist/src/
 * util/syntax-helpers.js): each visit of the active mutant's code adds one to
 * `__stryker__.hitCount`, which the jest runner sets to 0 at the start of a mutant run when it
 * gives a hit limit (always, for a mutant the dry run covered); each visit of any other
 * mutant's code is recorded in `__stryker__.mutantCoverage` (under `static` outside a test,
 * under `perTest` inside one in the dry run). So:
 *
 * - A run whose mutant has run already (`hitCount` above 0: a module's top level, an earlier
 *   test file of the run), or whose hits are not counted, synthesizes fresh.
 * - The first synth of a worker is made with the run's mutant on. If the mutant did not run
 *   during it (`hitCount` still 0), it is the unmutated synth, and it is kept with the set of
 *   every mutant the worker has passed so far: those the synth passed, and those that ran
 *   before it and left state the synth reads (a module-level cache filled at import).
 * - A later run whose mutant is in that set synthesizes fresh; any other gets the kept synth.
 *
 * This assumes the synth depends only on its inputs (config folder, client, env, a fixed
 * clock) and on state that code it runs creates (caches): no test sets anything it reads.
 */

/** The part of Stryker's instrumenter context (`globalThis.__stryker__`) read here. */
export interface StrykerContext {
  activeMutant?: string;
  hitCount?: number;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

/** Where Stryker's child process puts the active mutant's id before a mutant run. */
export const ACTIVE_MUTANT_ENV = '__STRYKER_ACTIVE_MUTANT__';

/** A synth kept for later runs, and every mutant the worker had passed when it was made. */
export interface KeptSynth<T> {
  readonly value: T;
  readonly reached: ReadonlySet<string>;
}

export type SynthSource = 'kept' | 'made' | 'fresh';

/** Every mutant recorded as passed in this process so far, in and out of tests. */
function passedSoFar(ctx: StrykerContext | undefined): Set<string> {
  const cov = ctx?.mutantCoverage;
  if (!cov) return new Set();
  return new Set([...Object.keys(cov.static ?? {}), ...Object.values(cov.perTest ?? {}).flatMap((t) => Object.keys(t))]);
}

/** The active mutant's id: the context's, or the environment's before any instrumented module has read it. */
export function activeMutant(ctx: StrykerContext | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return ctx?.activeMutant ?? env[ACTIVE_MUTANT_ENV];
}

/**
 * The synth for `key`: the kept one when the active mutant cannot have changed it, else a
 * fresh one with the mutant on. When none is kept yet, the synth made now is kept if the
 * mutant did not run during it.
 */
export function reuseOrSynthesize<T>(
  kept: Map<string, KeptSynth<T>>,
  key: string,
  synth: () => T,
  ctx: StrykerContext | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { readonly value: T; readonly source: SynthSource } {
  const active = activeMutant(ctx, env);
  const mutantRan = () => active !== undefined && ctx?.hitCount !== 0;
  if (mutantRan()) return { value: synth(), source: 'fresh' };
  const entry = kept.get(key);
  if (entry) {
    if (active !== undefined && entry.reached.has(active)) return { value: synth(), source: 'fresh' };
    return { value: entry.value, source: 'kept' };
  }
  const value = synth();
  if (mutantRan()) return { value, source: 'fresh' };
  kept.set(key, { value, reached: passedSoFar(ctx) });
  return { value, source: 'made' };
}
