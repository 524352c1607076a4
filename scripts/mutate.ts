/**
 * `npm run mutate [-- <folder|file|glob>... [--tests <test file|folder|glob>,...] [--concurrency N] [--force] [--reuse-synth]]`
 *
 * Runs Stryker (stryker.config.mjs, jest.mutate.config.js) over the control code, or over
 * the folders, files or globs given, incrementally: the committed
 * reports/mutation/stryker-incremental.json is reused, so only mutants in changed code
 * or covered by changed tests run again. The run's results are merged back per file and
 * docs/mutation-score.md is regenerated (scripts/mutation-report.ts).
 *
 * --tests narrows the run to the given test files (comma-separated; a folder means its
 * *.test.ts). Without it, every test file that imports the mutated code runs (jest
 * --findRelatedTests), which for a construct is most of test/app and slow.
 *
 * --reuse-synth keeps the fake deployment's synth (test/support/fake-deployment/world.ts) for
 * the whole jest worker, for every mutant that cannot have changed it: one whose code had not
 * run in the worker when the kept synth was made, nor in its own run before the synth
 * (test/support/fake-deployment/synth-reuse.ts). Any other mutant synthesizes fresh, with its
 * mutant active. For the live checks, whose test files synthesize before checks that take
 * milliseconds. A fresh synth in each of several test files can outlast Stryker's timeout,
 * which the dry run (one synth per deployment) set, so the run's timeout is raised to
 * REUSE_SYNTH_TIMEOUT_MS; give one test file per deployment where you can.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CONTROL_FOLDERS, PATHS, formatScore, matchesPatterns, writeReport, type MutationReport } from './mutation-report';

const ROOT = path.resolve(__dirname, '..');
const RUN_INCREMENTAL = 'reports/mutation/.run-incremental.json';
/** Stryker's fixed timeout part (timeoutMS) under --reuse-synth: several fresh synths, 20-40 s each here. */
export const REUSE_SYNTH_TIMEOUT_MS = 300_000;

interface Args {
  targets: string[];
  tests: string[];
  concurrency: string;
  force: boolean;
  reuseSynth: boolean;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { targets: [], tests: [], concurrency: process.env.MUTATE_CONCURRENCY ?? '1', force: false, reuseSynth: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--tests') args.tests.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a === '--concurrency') args.concurrency = argv[++i] ?? '1';
    else if (a === '--force') args.force = true;
    else if (a === '--reuse-synth') args.reuseSynth = true;
    else if (a.startsWith('--')) throw new Error(`npm run mutate: unknown option ${a} (expected --tests, --concurrency, --force or --reuse-synth)`);
    else args.targets.push(a);
  }
  return args;
}

const isDir = (p: string) => fs.existsSync(path.join(ROOT, p)) && fs.statSync(path.join(ROOT, p)).isDirectory();
const trim = (p: string) => p.replace(/^\.\//, '').replace(/\/$/, '');

/** Stryker `mutate` patterns: a folder means its .ts files, a file or glob is kept. */
export function mutatePatterns(targets: string[]): string[] {
  const list = (targets.length ? targets : CONTROL_FOLDERS).map(trim);
  return [...list.map((t) => (isDir(t) ? `${t}/**/*.ts` : t)), '!**/*.d.ts'];
}

/** jest testMatch entries (relative to the repo): a folder means its *.test.ts. */
export function testPatterns(tests: string[]): string[] {
  return tests.map(trim).map((t) => (isDir(t) ? `${t}/**/*.test.ts` : t));
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'lib', 'lambda', 'host', 'test'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
}

/**
 * Stryker 10 needs Node.js 22 or later. The project runs on Node 20 and up, so use this
 * Node if it is new enough, else $MUTATE_NODE, else the Node 24 of the OpenClaw cache
 * (.cache/openclaw, installed for the host tests).
 */
export function strykerNode(): string {
  const major = (v: string) => Number(v.replace(/^v/, '').split('.')[0]);
  if (major(process.versions.node) >= 22) return process.execPath;
  const candidates = [process.env.MUTATE_NODE, path.join(ROOT, '.cache/openclaw/node_modules/node/bin/node')].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      if (major(execFileSync(c, ['--version'], { encoding: 'utf8' }).trim()) >= 22) return c;
    } catch {
      // not there
    }
  }
  throw new Error(`npm run mutate: Stryker 10 needs Node.js 22 or later (this is ${process.version}); set MUTATE_NODE to a node binary >= 22`);
}

/**
 * The environment Stryker and its jest workers run with. The workers run in a sandbox copy
 * of the repository without .cache (stryker.config.mjs ignores it), so tests that run the
 * real OpenClaw are pointed at the repository's own install (.ci/install-openclaw.sh)
 * unless OPENCLAW_CACHE_DIR already names one.
 */
export function mutateEnv(env: NodeJS.ProcessEnv, tests: readonly string[], reuseSynth: boolean): NodeJS.ProcessEnv {
  return {
    ...env,
    OPENCLAW_CACHE_DIR: env.OPENCLAW_CACHE_DIR ?? path.join(ROOT, '.cache', 'openclaw'),
    MUTATE_TESTS: tests.join(','),
    ...(reuseSynth ? { MUTATE_REUSE_SYNTH: '1' } : {}),
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const mutate = mutatePatterns(args.targets);
  const tests = testPatterns(args.tests);
  const accumulated = path.join(ROOT, PATHS.accumulated);
  if (fs.existsSync(accumulated)) fs.copyFileSync(accumulated, path.join(ROOT, RUN_INCREMENTAL));
  fs.rmSync(path.join(ROOT, PATHS.lastRun), { force: true });
  const started = new Date();
  console.log(`mutate: ${mutate.join(' ')}${tests.length ? `\ntests: ${tests.join(' ')}` : '\ntests: every test file that imports the mutated code'}`);
  const res = spawnSync(
    strykerNode(),
    [path.join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs', '--mutate', mutate.join(','), '--concurrency', args.concurrency, ...(args.force ? ['--force'] : []), ...(args.reuseSynth ? ['--timeoutMS', String(REUSE_SYNTH_TIMEOUT_MS)] : [])],
    { cwd: ROOT, stdio: 'inherit', env: mutateEnv(process.env, tests, args.reuseSynth) },
  );
  if (res.status !== 0 || !fs.existsSync(path.join(ROOT, PATHS.lastRun))) {
    console.error(`npm run mutate: Stryker failed (exit ${res.status}); ${PATHS.markdown} not updated.`);
    process.exit(res.status || 1);
  }
  const report = JSON.parse(fs.readFileSync(path.join(ROOT, PATHS.lastRun), 'utf8')) as MutationReport;
  const summary = writeReport(ROOT, {
    report,
    date: started.toISOString().slice(0, 10),
    commit: gitCommit(),
    tests: `${tests.length ? tests.join(', ') : 'related tests (jest --findRelatedTests)'}${args.reuseSynth ? ' (synth reused: --reuse-synth)' : ''}`,
    mutated: (file) => matchesPatterns(file, mutate),
  });
  const minutes = ((Date.now() - started.getTime()) / 60000).toFixed(1);
  console.log(`\n${PATHS.markdown}: ${formatScore(summary.total.score)} over ${summary.total.mutants} mutants, ${summary.open.length} not killed (this run: ${minutes} min)`);
}

if (require.main === module) main();
