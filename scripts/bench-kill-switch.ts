/**
 * The kill switch's bundle size and its module init time when Node loads it
 * (a cold start's share that is ours): median of 5 fresh processes, each
 * timing require() of the bundled index.js. Prints figures; asserts nothing.
 *   npx tsx scripts/bench-kill-switch.ts
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { bundleLambda } from '../lib/bundling/lambda-code';

const RUNS = 5;
const file = path.join(bundleLambda('kill-switch'), 'index.js');
const bytes = fs.statSync(file).size;
const probe = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m.handler!=='function')process.exit(3);console.log(Number(process.hrtime.bigint()-t)/1e6)`;
const times = Array.from({ length: RUNS }, () => {
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } });
  if (r.status !== 0) throw new Error(`loading ${file} failed (exit ${r.status}): ${r.stderr}`);
  return Number(r.stdout.trim());
}).sort((a, b) => a - b);
const row = (label: string, value: string) => console.log(`${label.padEnd(44)}${value}`);
row('kill-switch Lambda bundle:', `${(bytes / 1024).toFixed(0)} KiB (${bytes} bytes)`);
row(`kill-switch module init (median of ${RUNS}):`, `${times[Math.floor(RUNS / 2)]!.toFixed(1)} ms (Node ${process.versions.node}; Lambda runs Node 24)`);
