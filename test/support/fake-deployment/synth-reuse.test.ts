import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDirsRemovedAfterAll } from '../temp-dirs';
import { ACTIVE_MUTANT_ENV, reuseOrSynthesize, type KeptSynth, type StrykerContext } from './synth-reuse';

// reuseOrSynthesize against Stryker's real instrumenter: a sample module is instrumented the
// way `npm run mutate` instruments lib/ (every mutant behind a switch, coverage recorded by
// the instrumenter's own helpers), then each of its mutants is run as Stryker's jest runner
// runs one: a fresh module registry, the mutant's id in the instrumenter context, hitCount 0.
// The kept synth is sound when, for every mutant, what reuseOrSynthesize returns is what a
// fresh synth with that mutant active returns.

const tempDir = tempDirsRemovedAfterAll();

// A top-level constant the synth reads (static), a synth, and a check that only the test calls.
const SAMPLE = `
const MODE = 'strict';
exports.synth = function (n) { return { size: n > 3 ? 'big' : 'small', mode: MODE }; };
exports.check = function (t) { return t.size === 'big'; };
`;

interface Mutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement: string;
  /** 2: the constant, 3: the synth, 4: the check. */
  readonly line: number;
}

let instrumented: string;
let mutants: Mutant[];

beforeAll(() => {
  const script = `
    import { Instrumenter } from ${JSON.stringify(require.resolve('@stryker-mutator/instrumenter').replace(/index\.js$/, 'index.js'))};
    const quiet = () => false;
    const logger = { debug() {}, info() {}, warn() {}, error() {}, trace() {}, fatal() {}, isDebugEnabled: quiet, isTraceEnabled: quiet, isInfoEnabled: quiet, isWarnEnabled: quiet, isErrorEnabled: quiet, isFatalEnabled: quiet };
    const r = await new Instrumenter(logger).instrument([{ name: 'sample.js', content: process.env.SAMPLE, mutate: true }], { plugins: null, excludedMutations: [], ignorers: [] });
    process.stdout.write(JSON.stringify({ content: r.files[0].content, mutants: r.mutants.map(({ id, mutatorName, replacement, location }) => ({ id, mutatorName, replacement, line: location.start.line + 1 })) }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, SAMPLE }, encoding: 'utf8' })) as { content: string; mutants: Mutant[] };
  instrumented = path.join(tempDir('synth-reuse-'), 'sample.js');
  fs.writeFileSync(instrumented, out.content);
  mutants = out.mutants;
}, 60_000);

interface Sample {
  synth(n: number): { size: string; mode: string };
  check(t: { size: string }): boolean;
}

/** Loads the instrumented sample in a fresh module registry, as jest does for each test file run. */
function load(ctx: StrykerContext | undefined): Sample {
  const g = globalThis as { __stryker__?: StrykerContext };
  if (ctx) g.__stryker__ = ctx;
  else delete g.__stryker__;
  let sample: Sample | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy per run is the point
    sample = require(instrumented) as Sample;
  });
  return sample!;
}

afterEach(() => {
  delete (globalThis as { __stryker__?: StrykerContext }).__stryker__;
});

/** What a fresh synth gives with `id` active: the oracle. */
function honest(id: string): unknown {
  return load({ activeMutant: id }).synth(5);
}

const find = (mutatorName: string, replacement: string) => mutants.find((m) => m.mutatorName === mutatorName && m.replacement === replacement)!.id;

/** One worker of a mutant run: its context lives across runs, as Stryker's instrumenter context does. */
function worker() {
  const ctx: StrykerContext = {};
  const kept = new Map<string, KeptSynth<unknown>>();
  const env: NodeJS.ProcessEnv = {};
  const calls: boolean[] = [];
  const run = (id: string | undefined, hitLimit = true) => {
    if (id === undefined) delete ctx.activeMutant;
    else ctx.activeMutant = id;
    ctx.hitCount = id !== undefined && hitLimit ? 0 : undefined;
    if (id === undefined) delete env[ACTIVE_MUTANT_ENV];
    else env[ACTIVE_MUTANT_ENV] = id;
    const sample = load(ctx);
    return reuseOrSynthesize(kept, 'example|prod', (k) => (calls.push(k), sample.synth(5)), ctx, env);
  };
  return { ctx, env, calls, run };
}

describe('the sample as Stryker instruments it', () => {
  it('has mutants in the top-level constant, in the synth and in the check', () => {
    expect(mutants.map((m) => `${m.mutatorName} ${m.replacement}`)).toEqual(
      expect.arrayContaining(['StringLiteral ""', 'EqualityOperator n >= 3', 'EqualityOperator t.size !== \'big\'']),
    );
    expect(mutants.length).toBeGreaterThan(10);
    // The mutants change the synth: otherwise the oracle below would prove nothing.
    expect(honest(find('EqualityOperator', 'n <= 3'))).toEqual({ size: 'small', mode: 'strict' });
    expect(load(undefined).synth(5)).toEqual({ size: 'big', mode: 'strict' });
  });
});

describe('reuseOrSynthesize', () => {
  it('for every mutant, in a worker whose kept synth was made by the first run, returns what a fresh synth with it active returns', () => {
    for (const first of [undefined, ...mutants.map((m) => m.id)]) {
      const w = worker();
      w.run(first);
      for (const m of mutants) expect({ id: m.id, first, value: w.run(m.id).value }).toEqual({ id: m.id, first, value: honest(m.id) });
    }
  });

  it('reuses the kept synth for the mutants the synth cannot reach, and only for those', () => {
    const w = worker();
    expect(w.run(undefined).source).toBe('made');
    const sources = mutants.map((m) => ({ line: m.line, mutant: `${m.mutatorName} ${m.replacement}`, source: w.run(m.id).source }));
    // Every mutant of check() is kept, and so is the 'small' of the branch synth(5) does not
    // take; every other mutant of synth() and the constant's get a fresh synth.
    const small = mutants.filter((m) => m.line === 3 && m.mutatorName === 'StringLiteral')[1]!.id;
    expect(sources).toEqual(mutants.map((m) => ({ line: m.line, mutant: `${m.mutatorName} ${m.replacement}`, source: m.line === 4 || m.id === small ? 'kept' : 'fresh' })));
    expect(new Set(mutants.map((m) => m.line))).toEqual(new Set([2, 3, 4]));
    expect(w.calls.filter((kept) => kept)).toEqual([true]);
  });

  it('a mutant that ran before the synth (a module top level) gets a fresh synth, as does one whose hits Stryker does not count', () => {
    const w = worker();
    w.run(undefined);
    const constant = mutants.find((m) => m.line === 2)!.id;
    expect(w.run(constant)).toEqual({ value: { size: 'big', mode: '' }, source: 'fresh' });
    expect(w.ctx.hitCount).toBe(1);
    expect(w.run(find('EqualityOperator', "t.size !== 'big'"), false).source).toBe('fresh');
  });

  it('makes the kept synth with no mutant active, and restores the mutant afterwards, also when the synth throws', () => {
    const w = worker();
    const id = find('EqualityOperator', "t.size !== 'big'");
    w.run(id);
    expect(w.calls).toEqual([true]);
    expect(w.ctx.activeMutant).toBe(id);
    expect(w.env[ACTIVE_MUTANT_ENV]).toBe(id);
    const seen: unknown[] = [];
    const ctx: StrykerContext = { activeMutant: '7', hitCount: 0 };
    const env: NodeJS.ProcessEnv = { [ACTIVE_MUTANT_ENV]: '7' };
    const boom = () => {
      seen.push([ctx.activeMutant, env[ACTIVE_MUTANT_ENV]]);
      throw new Error('synth failed');
    };
    expect(() => reuseOrSynthesize(new Map(), 'k', boom, ctx, env)).toThrow('synth failed');
    expect(seen).toEqual([[undefined, undefined]]);
    expect(ctx.activeMutant).toBe('7');
    expect(env[ACTIVE_MUTANT_ENV]).toBe('7');
  });

  it('without Stryker (no context, no mutant) keeps the first synth', () => {
    const kept = new Map<string, KeptSynth<number>>();
    let n = 0;
    expect(reuseOrSynthesize(kept, 'k', () => ++n, undefined, {})).toEqual({ value: 1, source: 'made' });
    expect(reuseOrSynthesize(kept, 'k', () => ++n, undefined, {})).toEqual({ value: 1, source: 'kept' });
    // A mutant named only in the environment, with no context to count its hits: fresh.
    expect(reuseOrSynthesize(kept, 'k', () => ++n, undefined, { [ACTIVE_MUTANT_ENV]: '3' })).toEqual({ value: 2, source: 'fresh' });
  });
});
