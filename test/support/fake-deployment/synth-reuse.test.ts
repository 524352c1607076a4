import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDirsRemovedAfterAll } from '../temp-dirs';
import { ACTIVE_MUTANT_ENV, reuseOrSynthesize, type KeptSynth, type StrykerContext } from './synth-reuse';

// reuseOrSynthesize against Stryker's real instrumenter. Sample modules are instrumented the
// way `npm run mutate` instruments lib/ (every mutant behind a switch, coverage recorded by the
// instrumenter's own helpers), and each mutant is run as Stryker's jest runner runs one in a
// worker: one instrumenter context for the whole worker, the mutant's id in the environment
// (the context's activeMutant unset until an instrumented module reads it), hitCount 0, a fresh
// module registry per test file. The reuse is sound when, for every mutant, every test file
// kind and every history of the worker, the synth returned and what the file's code does
// afterwards are what they are in a file run with its own fresh synth.

const tempDir = tempDirsRemovedAfterAll();

interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement: string;
  readonly line: number;
}

/** Instruments `source` (CommonJS) with Stryker's instrumenter; its file and its mutants. */
function instrument(name: string, source: string): { file: string; mutants: Mutant[] } {
  const script = `
    import { Instrumenter } from ${JSON.stringify(require.resolve('@stryker-mutator/instrumenter'))};
    const quiet = () => false;
    const logger = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, fatal() {}, isDebugEnabled: quiet, isTraceEnabled: quiet, isInfoEnabled: quiet, isWarnEnabled: quiet, isErrorEnabled: quiet, isFatalEnabled: quiet };
    const r = await new Instrumenter(logger).instrument([{ name: 'sample.js', content: process.env.SAMPLE, mutate: true }], { plugins: null, excludedMutations: [], ignorers: [] });
    process.stdout.write(JSON.stringify({ content: r.files[0].content, mutants: r.mutants.map(({ id, mutatorName, replacement, location }) => ({ id, mutatorName, replacement, line: location.start.line + 1 })) }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, SAMPLE: source }, encoding: 'utf8' })) as { content: string; mutants: Mutant[] };
  const file = path.join(tempDir('synth-reuse-'), name);
  fs.writeFileSync(file, out.content);
  return { file, mutants: out.mutants };
}

// Lines: 2 the constant, 3 the synth, 4 the check.
const PLAIN = `
const MODE = 'strict';
exports.synth = function (n) { return { size: n > 3 ? 'big' : 'small', mode: MODE }; };
exports.check = function (t) { return t.size === 'big'; };
`;

// A module-level cache the synth reads, which some test files fill before the synth.
const MEMO = `
let table;
function compute() { return { limit: 3, label: 'big' }; }
exports.table = function () { if (table === undefined) table = compute(); return table; };
exports.synth = function (n) { const t = exports.table(); return { size: n > t.limit ? t.label : 'small' }; };
exports.check = function (t) { return t.size === 'big'; };
`;

interface Sample {
  synth(n: number): Record<string, string>;
  check(t: Record<string, string>): boolean;
  table?(): unknown;
}

/** How a test file meets the sample: imported before the synth, first loaded inside it, or imported with its cache filled. */
type FileKind = 'imports' | 'lazy' | 'primes';

const g = globalThis as { __stryker__?: StrykerContext };

/** What a file run ends with: a value, or the error a mutant made it throw. */
type Outcome = unknown;
const attempt = (f: () => unknown): Outcome => {
  try {
    return f();
  } catch (e) {
    return { threw: (e as Error).message };
  }
};

/** One worker: its instrumenter context and kept synths live across its runs, as in Stryker. */
function worker(file: string) {
  const ctx: StrykerContext = {};
  const kept = new Map<string, KeptSynth<Record<string, string>>>();
  const sources: string[] = [];
  /** One test file run with mutant `id` (undefined: the dry run). */
  const run = (id: string | undefined, kind: FileKind, hitLimit = true) => {
    g.__stryker__ = ctx;
    ctx.hitCount = id !== undefined && hitLimit ? 0 : undefined;
    if (id !== undefined) process.env[ACTIVE_MUTANT_ENV] = id;
    try {
      let outcome: Outcome | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry per test file run is the point
        const load = () => require(file) as Sample;
        outcome = attempt(() => {
          if (kind === 'imports') load();
          if (kind === 'primes') load().table!();
          const r = reuseOrSynthesize(kept, 'example|prod', () => load().synth(5), ctx, process.env);
          sources.push(r.source);
          return { value: r.value, check: attempt(() => load().check(r.value)) };
        });
      });
      return outcome!;
    } finally {
      // What the jest runner does after each mutant run.
      delete process.env[ACTIVE_MUTANT_ENV];
      delete ctx.activeMutant;
    }
  };
  return { ctx, kept, sources, run };
}

/** The oracle: the same file run, synthesizing itself (no reuseOrSynthesize), in a worker of its own. */
function honest(file: string, id: string | undefined, kind: FileKind): Outcome {
  g.__stryker__ = { hitCount: id === undefined ? undefined : 0 };
  if (id !== undefined) process.env[ACTIVE_MUTANT_ENV] = id;
  try {
    let outcome: Outcome;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry per test file run is the point
      const load = () => require(file) as Sample;
      outcome = attempt(() => {
        if (kind === 'imports') load();
        if (kind === 'primes') load().table!();
        const value = load().synth(5);
        return { value, check: attempt(() => load().check(value)) };
      });
    });
    return outcome;
  } finally {
    delete process.env[ACTIVE_MUTANT_ENV];
  }
}

afterEach(() => {
  delete g.__stryker__;
  delete process.env[ACTIVE_MUTANT_ENV];
});

let plain: { file: string; mutants: Mutant[] };
let memo: { file: string; mutants: Mutant[] };
beforeAll(() => {
  plain = instrument('plain.js', PLAIN);
  memo = instrument('memo.js', MEMO);
}, 60_000);

const KINDS: FileKind[] = ['imports', 'lazy'];

describe('the samples as Stryker instruments them', () => {
  it('have mutants that change what the synth returns and what the check says', () => {
    expect(plain.mutants.length).toBeGreaterThan(10);
    expect(new Set(plain.mutants.map((m) => m.line))).toEqual(new Set([2, 3, 4]));
    const lessOrEqual = plain.mutants.find((m) => m.replacement === 'n <= 3')!.id;
    expect(honest(plain.file, lessOrEqual, 'imports')).toEqual({ value: { size: 'small', mode: 'strict' }, check: false });
    expect(honest(plain.file, undefined, 'imports')).toEqual({ value: { size: 'big', mode: 'strict' }, check: true });
    const notEqual = plain.mutants.find((m) => m.replacement === "t.size !== 'big'")!.id;
    expect(honest(plain.file, notEqual, 'imports')).toEqual({ value: { size: 'big', mode: 'strict' }, check: false });
    const memoLabel = memo.mutants.find((m) => m.mutatorName === 'StringLiteral' && m.line === 3)!.id;
    expect(honest(memo.file, memoLabel, 'lazy')).toEqual({ value: { size: '' }, check: false });
  });
});

/**
 * For every first run of a worker (the dry run or any mutant, in any file kind) and every
 * mutant after it in every file kind: the outcome is the oracle's.
 */
function expectEveryMutantAsFresh(sample: { file: string; mutants: Mutant[] }, kinds: readonly FileKind[]): void {
  for (const first of [undefined, ...sample.mutants.map((m) => m.id)]) {
    for (const firstKind of kinds) {
      const w = worker(sample.file);
      w.run(first, firstKind);
      for (const m of sample.mutants) {
        for (const kind of kinds) expect({ m: m.id, first, firstKind, kind, out: w.run(m.id, kind) }).toEqual({ m: m.id, first, firstKind, kind, out: honest(sample.file, m.id, kind) });
      }
    }
  }
}

describe('reuseOrSynthesize gives every mutant what a fresh synth gives it', () => {
  it('plain sample: every mutant, whatever ran first in the worker, in files that import the sample or first load it inside the synth', () => {
    expectEveryMutantAsFresh(plain, KINDS);
  });

  it('memoizing sample: every mutant, whether the file that made the kept synth filled the cache before it or not', () => {
    expectEveryMutantAsFresh(memo, ['primes', 'lazy', 'imports']);
  });
});

describe('reuseOrSynthesize reuses', () => {
  it('the kept synth for the mutants no code before or in the synth passed, and only for those', () => {
    const w = worker(plain.file);
    w.run(undefined, 'imports');
    expect(w.sources).toEqual(['made']);
    const sources = plain.mutants.map((m) => (w.run(m.id, 'imports'), w.sources.at(-1)));
    // Every mutant of check() is kept, and so is the 'small' of the branch synth(5) does not
    // take; the constant's and every other mutant of synth() get a fresh synth.
    const small = plain.mutants.filter((m) => m.line === 3 && m.mutatorName === 'StringLiteral')[1]!.id;
    expect(sources).toEqual(plain.mutants.map((m) => (m.line === 4 || m.id === small ? 'kept' : 'fresh')));
  });

  it('a first synth made with a mutant on that did not run is kept; one whose mutant ran is not', () => {
    const w = worker(plain.file);
    const inCheck = plain.mutants.find((m) => m.replacement === "t.size !== 'big'")!.id;
    w.run(inCheck, 'lazy');
    const inSynth = plain.mutants.find((m) => m.replacement === 'n <= 3')!.id;
    w.run(inSynth, 'lazy');
    expect(w.sources).toEqual(['made', 'fresh']);
    const v = worker(plain.file);
    v.run(inSynth, 'lazy');
    v.run(inCheck, 'lazy');
    expect(v.sources).toEqual(['fresh', 'made']);
  });

  it('never when Stryker does not count the mutant\'s hits', () => {
    const w = worker(plain.file);
    w.run(undefined, 'imports');
    w.run(plain.mutants.find((m) => m.replacement === "t.size !== 'big'")!.id, 'imports', false);
    expect(w.sources).toEqual(['made', 'fresh']);
  });

  it('counts as passed what a test recorded (the dry run records coverage per test)', () => {
    const kept = new Map<string, KeptSynth<number>>();
    const ctx: StrykerContext = { mutantCoverage: { static: { '1': 1 }, perTest: { 'a test': { '7': 2 } } } };
    expect(reuseOrSynthesize(kept, 'k', () => 1, ctx, {})).toEqual({ value: 1, source: 'made' });
    expect([...kept.get('k')!.reached].sort()).toEqual(['1', '7']);
    expect(reuseOrSynthesize(kept, 'k', () => 2, { activeMutant: '7', hitCount: 0 }, {})).toEqual({ value: 2, source: 'fresh' });
    expect(reuseOrSynthesize(kept, 'k', () => 3, { activeMutant: '8', hitCount: 0 }, {})).toEqual({ value: 1, source: 'kept' });
  });

  it('without Stryker (no context, no mutant) the first synth is kept', () => {
    const kept = new Map<string, KeptSynth<number>>();
    let n = 0;
    expect(reuseOrSynthesize(kept, 'k', () => ++n, undefined, {})).toEqual({ value: 1, source: 'made' });
    expect(reuseOrSynthesize(kept, 'k', () => ++n, undefined, {})).toEqual({ value: 1, source: 'kept' });
    // A mutant named only in the environment, with no context to count its hits: fresh.
    expect(reuseOrSynthesize(kept, 'k', () => ++n, undefined, { [ACTIVE_MUTANT_ENV]: '3' })).toEqual({ value: 2, source: 'fresh' });
  });
});
