/**
 * `npm run bench`: median wall times of the gate-checked synth of one
 * client x environment, of every client x environment, and of the unit test
 * suite, the boot-time secret retrieval of 20 agents (scripts/bench-secrets.ts), and
 * the kill switch's bundle size and module init time (scripts/bench-kill-switch.ts).
 * Prints figures; asserts nothing (benchmarks are not timed tests).
 *   npm run bench -- --runs 5
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { listClients, listEnvironments } from '../lib/config/config-dir';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));
const root = path.resolve(__dirname, '..');

function timeOnce(cmd: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  return seconds;
}

function median(cmd: string, args: string[]): number {
  const times = Array.from({ length: runs }, () => timeOnce(cmd, args)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const synth = (...ctx: string[]) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-'));
  return ['cdk', 'synth', '--quiet', '-o', out, ...ctx.flatMap((c) => ['-c', c])];
};

const deployments = listClients(path.join(root, 'config')).length * listEnvironments(path.join(root, 'config')).length;
const one = median('npx', synth('client=example', 'env=prod'));
const all = median('npx', synth('client=all'));
const tests = median('npx', ['jest', '--silent']);
const perAdded = deployments > 1 ? (all - one) / (deployments - 1) : 0;

const row = (label: string, seconds: number, goal = '') => console.log(`${label.padEnd(44)}${seconds.toFixed(2)} s${goal ? `   (goal ${goal})` : ''}`);
console.log(`runs per figure (median): ${runs}`);
row('synth + full gate, example/prod:', one, '<= 5.5 s');
row(`synth + full gate, all ${deployments} client x env:`, all);
row('each added client x env:', perAdded, '< 1.5 s');
row('unit test suite (jest):', tests);

// Boot-time secret retrieval against loopback fakes (scripts/bench-secrets.ts prints its own figures).
console.log('boot-time secret retrieval (loopback IMDSv2 + Secrets Manager):');
const secrets = spawnSync('npx', ['tsx', 'scripts/bench-secrets.ts'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (secrets.status !== 0) process.exitCode = 1;

// The kill switch's bundle size and module init time (scripts/bench-kill-switch.ts).
const killSwitch = spawnSync('npx', ['tsx', 'scripts/bench-kill-switch.ts'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (killSwitch.status !== 0) process.exitCode = 1;
