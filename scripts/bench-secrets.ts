/**
 * `npx tsx scripts/bench-secrets.ts`: how long the boot-time secret retrieval
 * (the real bundled fetch-secrets.js, run with node as on the host) takes for
 * a deployment of 20 agents (20 agent documents + the gateway token +
 * origin-verify with its 3 stages: 24 GetSecretValue calls) against the
 * loopback fakes of IMDSv2, Secrets Manager and CloudWatch
 * (test/support/fake-aws/). Median of 5 runs, process start included; and one
 * run where the first 10 requests are throttled, which must still succeed.
 * Goal: < 1 s for 20 agents. Prints figures; asserts nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderSecretsManifest } from '../lib/secrets/secrets-manifest';
import { bundleFetchSecrets } from '../lib/bundling/host-programs';
import { exampleConfig } from '../test/host/support/host-tools';
import { writePasswd } from '../test/support/fake-aws/fetch-secrets-suite';
import { SM_ERRORS } from '../test/support/fake-aws/secrets-manager';
import { manifestWithAgents, runProgram, startFakeAws, storeSecrets, writeManifest, writeProgram } from '../test/support/fake-aws/world';

/** Figures of one benchmark. Times in seconds, wall clock of the child process (start included). */
export interface SecretsBenchFigures {
  readonly agents: number;
  readonly medianSeconds: number;
  /** Median of the time the program reports itself (from its process start to its OK line). */
  readonly medianInProcessSeconds: number;
  readonly throttledSeconds: number;
  readonly throttledOk: boolean;
  readonly bundleBytes: number;
}

const AGENTS = 20;
const RUNS = 5;
const THROTTLED_REQUESTS = 10;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the benchmark against fresh fakes in a temporary folder (removed afterwards). */
export async function benchSecretsRetrieval(): Promise<SecretsBenchFigures> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-secrets-'));
  const dirs = ['home', 'secrets', 'nginx'].map((d) => path.join(root, d));
  dirs.forEach((d) => fs.mkdirSync(d));
  const [home, secretsDir, nginxDir] = dirs as [string, string, string];
  const aws = await startFakeAws(4242, home);
  try {
    const base = renderSecretsManifest(exampleConfig('dev'), { secretsDir, originVerifyMap: path.join(nginxDir, 'origin-verify.map.conf') });
    const manifest = manifestWithAgents(base, AGENTS, secretsDir);
    storeSecrets(aws.sm, manifest, 4242);
    const program = writeProgram(root);
    const args = ['--manifest', writeManifest(root, manifest), '--passwd', writePasswd(root)];
    const once = async () => {
      const started = process.hrtime.bigint();
      const r = await runProgram(program, args, aws.env(), 60_000);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const inProcess = /^openclaw-secrets: OK .* in (\d+\.\d+) s/m.exec(r.stdout);
      return { ok: r.code === 0 && inProcess !== null, seconds, inProcess: inProcess ? Number(inProcess[1]) : NaN, r };
    };
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await once();
      if (!run.ok) throw new Error(`fetch-secrets failed (exit ${run.r.code}): ${run.r.stderr}`);
      runs.push(run);
    }
    aws.sm.inject('*', SM_ERRORS.throttling(), THROTTLED_REQUESTS);
    const throttled = await once();
    return {
      agents: AGENTS,
      medianSeconds: median(runs.map((r) => r.seconds)),
      medianInProcessSeconds: median(runs.map((r) => r.inProcess)),
      throttledSeconds: throttled.seconds,
      throttledOk: throttled.ok,
      bundleBytes: Buffer.byteLength(bundleFetchSecrets()),
    };
  } finally {
    await aws.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchSecretsRetrieval().then(
    (f) => {
      const row = (label: string, value: string) => console.log(`${label.padEnd(64)}${value}`);
      const secrets = f.agents + 2;
      row(`fetch-secrets.js bundle:`, `${(f.bundleBytes / 1024).toFixed(0)} KiB (${f.bundleBytes} bytes)`);
      row(`${f.agents} agents (${secrets} secrets), median of ${RUNS}, process start included:`, `${f.medianSeconds.toFixed(2)} s   (goal < 1 s)`);
      row(`  of which in the program (its own OK line):`, `${f.medianInProcessSeconds.toFixed(2)} s`);
      row(`first ${THROTTLED_REQUESTS} requests throttled:`, `${f.throttledSeconds.toFixed(2)} s, ${f.throttledOk ? 'succeeded' : 'FAILED'}`);
      process.exitCode = f.throttledOk ? 0 : 1;
    },
    (e: unknown) => {
      console.error(`bench-secrets: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
