/**
 * `npx tsx scripts/bench-gateway-footprint.ts`: the memory footprint of ONE real
 * OpenClaw gateway (the pinned version and Node 24 of host/openclaw/package-lock.json)
 * serving one agent, started with the environment of the gateway unit
 * (host/systemd/openclaw-gateway.service) and the generated openclaw.json; then the
 * same gateway under a series of memory caps, to find the smallest cap under which
 * it starts, answers GET /healthz and a WebSocket `connect` with its token, and is
 * still alive and healthy a while later.
 *
 * Per run: the gateway's process tree (launcher, gateway, spawn broker, SQLite
 * worker, whatever it starts) with each process's RSS and PSS (/proc/<pid>/smaps_rollup)
 * at idle after `[gateway] ready` and a settle time; the memory cgroup's usage,
 * peak, anonymous memory and OOM kills. The cap is a memory cgroup's hard limit (the
 * kernel's equivalent of systemd MemoryMax=: v2 memory.max, or v1
 * memory.limit_in_bytes on a host that still mounts the v1 controller); the heap
 * limit is Node's --max-old-space-size, given on node's command line (as the unit
 * gives it) or through NODE_OPTIONS (--heap-via env), and the figures say which
 * processes carried it.
 *
 *   npx tsx scripts/bench-gateway-footprint.ts                        # no cap, then 1024 768 640 512 MiB
 *   npx tsx scripts/bench-gateway-footprint.ts --caps 768,512 --heap 384 --heap-via env --settle 30
 *
 * Needs root (a child memory cgroup) and the pinned OpenClaw (.ci/install-openclaw.sh).
 * Prints figures; asserts nothing (benchmarks are not timed tests).
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { parseArgs } from 'util';
import type { ResolvedConfig } from '../lib/config/schema';
import { EXEC_APPROVALS_FILE } from '../lib/openclaw/openclaw-config';
import { gatewayOfAgent } from '../lib/openclaw/gateways';
import { pinnedRuntime } from '../lib/openclaw/lockfile';
import { exampleConfig, freePort, waitForPort } from '../test/host/support/host-tools';
import { frameOf, gatewayConnect, openWebSocket } from '../test/openclaw/support/gateway-client';
import { descendants, killTree, openclawEnv, privateTempDir, requireOpenclaw, runOpenclaw, writeOpenclawFixture, type OpenclawFixture } from '../test/openclaw/support/openclaw';

const MIB = 1024 * 1024;
/** The agent the one-agent gateway runs: the example's Telegram agent (a channel plugin loads, as in production). */
const AGENT = 'support';
/** The unit's fixed environment beyond the paths (host/systemd/openclaw-gateway.service). */
const UNIT_ENV = { OPENCLAW_CONFIG_READONLY: '1', OPENCLAW_NO_RESPAWN: '1', OPENCLAW_NO_AUTO_UPDATE: '1', NODE_ENV: 'production' };

/** One process of the gateway's tree at the idle sample. */
export interface ProcessFigures {
  readonly pid: number;
  /** What it is, from its command line (node's script and first arguments). */
  readonly name: string;
  readonly rssMiB: number;
  readonly pssMiB: number;
  /** Its own peak RSS (VmHWM). */
  readonly hwmMiB: number;
  /** Whether --max-old-space-size reached it (command line or NODE_OPTIONS). */
  readonly heapLimit: string;
}

/** One run: a cap (or none), a heap limit (or none), and what the gateway did under them. */
export interface RunFigures {
  readonly capMiB: number | null;
  readonly heapMiB: number | null;
  readonly started: boolean;
  readonly startSeconds: number | null;
  readonly healthz: number | null;
  readonly wsConnect: boolean;
  /** Alive and /healthz 200 again after the second settle time. */
  readonly healthyAfter: boolean;
  readonly processes: readonly ProcessFigures[];
  readonly totalRssMiB: number;
  readonly totalPssMiB: number;
  /** The cgroup's charge at the idle sample, its peak over the run, anonymous memory (rss) and page cache. */
  readonly cgroupUsageMiB: number;
  readonly cgroupPeakMiB: number;
  readonly cgroupAnonMiB: number;
  readonly cgroupCacheMiB: number;
  readonly limitHits: number;
  readonly oomKills: number;
  readonly note: string;
}

const round = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;

/** A child memory cgroup of this process's own, v2 if the unified hierarchy has the memory controller, else v1. */
class MemoryCgroup {
  readonly dir: string;
  readonly v2: boolean;

  constructor(name: string) {
    const lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes('memory'));
    const unified = lines.find((l) => l.startsWith('0::'));
    if (v1 && fs.existsSync('/sys/fs/cgroup/memory')) {
      this.v2 = false;
      this.dir = path.join('/sys/fs/cgroup/memory', v1.split(':')[2]!, name);
    } else if (unified) {
      const mount = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
      this.v2 = true;
      this.dir = path.join(mount, unified.slice(3), name);
    } else {
      throw new Error('no memory cgroup: neither a v1 memory controller nor a unified hierarchy');
    }
    fs.mkdirSync(this.dir);
  }

  private read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), 'utf8').trim();
  }

  private stat(): Record<string, number> {
    return Object.fromEntries(
      this.read('memory.stat')
        .split('\n')
        .map((l) => l.split(' '))
        .map(([k, v]) => [k!, Number(v)]),
    );
  }

  /** Sets the hard limit (null: none). */
  limit(capMiB: number | null): void {
    if (this.v2) fs.writeFileSync(path.join(this.dir, 'memory.max'), capMiB === null ? 'max' : String(capMiB * MIB));
    else fs.writeFileSync(path.join(this.dir, 'memory.limit_in_bytes'), capMiB === null ? '-1' : String(capMiB * MIB));
  }

  get procsFile(): string {
    return path.join(this.dir, 'cgroup.procs');
  }

  figures() {
    const s = this.stat();
    if (this.v2) {
      const events = Object.fromEntries(this.read('memory.events').split('\n').map((l) => l.split(' ')).map(([k, v]) => [k!, Number(v)]));
      const peak = fs.existsSync(path.join(this.dir, 'memory.peak')) ? Number(this.read('memory.peak')) : NaN;
      return { usage: Number(this.read('memory.current')), peak, anon: s.anon ?? 0, cache: s.file ?? 0, limitHits: events.max ?? 0, oomKills: events.oom_kill ?? 0 };
    }
    const oom = Object.fromEntries(this.read('memory.oom_control').split('\n').map((l) => l.split(' ')).map(([k, v]) => [k!, Number(v)]));
    return {
      usage: Number(this.read('memory.usage_in_bytes')),
      peak: Number(this.read('memory.max_usage_in_bytes')),
      anon: s.total_rss ?? s.rss ?? 0,
      cache: s.total_cache ?? s.cache ?? 0,
      limitHits: Number(this.read('memory.failcnt')),
      oomKills: oom.oom_kill ?? 0,
    };
  }

  /** Kills whatever is left in it and removes it. */
  remove(): void {
    for (let i = 0; i < 50; i++) {
      const pids = this.read('cgroup.procs').split('\n').filter(Boolean).map(Number);
      if (pids.length === 0) break;
      pids.forEach((p) => {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    fs.rmdirSync(this.dir);
  }
}

/** RSS, PSS and peak of one process, in bytes, and its command line and environment's heap setting. */
function processFigures(pid: number): ProcessFigures | undefined {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (key: string, text: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const heapArg = argv.find((a) => a.startsWith('--max-old-space-size'));
    const heapEnv = env.find((e) => e.startsWith('NODE_OPTIONS='))?.match(/--max-old-space-size=\d+/)?.[0];
    const script = argv.findIndex((a, i) => i > 0 && !a.startsWith('-'));
    const name = [path.basename(argv[0] ?? '?'), ...(script > 0 ? argv.slice(script, script + 3).map((a) => (a.includes('/') ? path.basename(a) : a)) : [])].join(' ');
    return {
      pid,
      name,
      rssMiB: round(kb('Rss', rollup)),
      pssMiB: round(kb('Pss', rollup)),
      hwmMiB: round(kb('VmHWM', status)),
      // A process that re-titled itself (the gateway: "openclaw-gateway") no longer shows its node options.
      heapLimit: heapArg ? `argv ${heapArg}` : heapEnv ? `NODE_OPTIONS ${heapEnv}` : argv.length === 1 ? 'not readable (re-titled)' : 'none',
    };
  } catch {
    return undefined;
  }
}

/** GET /healthz on the gateway's port: the status code, or null without an answer within 5 s. */
function healthz(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** A WebSocket `connect` with the gateway token (operator.read): true on hello-ok. */
async function wsConnect(port: number, token: string): Promise<boolean> {
  try {
    const conn = await openWebSocket({ port });
    try {
      return conn.status === 101 && frameOf(await gatewayConnect(conn, { token, scopes: ['operator.read'] })).ok === true;
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The example's dev config with its gateway ports from a free port. */
async function exampleOnFreePorts(): Promise<ResolvedConfig> {
  const base = exampleConfig('dev');
  return { ...base, edge: { ...base.edge, gatewayPort: await freePort() } };
}

/**
 * The host's files of one gateway of the example: the gateway of AGENT, which runs that
 * one agent (one gateway per agent, lib/openclaw/gateways.ts).
 */
function writeOneAgentFixture(example: ResolvedConfig, root: string): OpenclawFixture {
  return writeOpenclawFixture(example, root, [], gatewayOfAgent(example, AGENT));
}

interface RunOptions {
  readonly capMiB: number | null;
  readonly heapMiB: number | null;
  readonly heapVia: 'argv' | 'env';
  readonly settleMs: number;
  readonly startTimeoutMs: number;
}

/** One gateway start in a fresh fixture and a fresh memory cgroup. */
async function runOnce(o: RunOptions): Promise<RunFigures> {
  const oc = requireOpenclaw();
  const example = await exampleOnFreePorts();
  const port = gatewayOfAgent(example, AGENT).port;
  const root = privateTempDir('oc-bench-footprint-');
  const cg = new MemoryCgroup(`oc-bench-footprint-${process.pid}-${Date.now()}`);
  let child: ChildProcess | undefined;
  let output = '';
  let exited = false;
  try {
    const fx = writeOneAgentFixture(example, root);
    // The unit's ExecStartPre, outside the cap (its own process, before the gateway starts).
    const imported = await runOpenclaw(fx, ['approvals', 'set', '--file', path.join(fx.paths.configDir, EXEC_APPROVALS_FILE)], 120_000, UNIT_ENV);
    if (imported.status !== 0) throw new Error(`openclaw approvals set failed:\n${imported.stderr}${imported.stdout}`);
    cg.limit(o.capMiB);
    const heapFlag = o.heapMiB === null ? [] : [`--max-old-space-size=${o.heapMiB}`];
    const argv = o.heapVia === 'argv' ? [...heapFlag, oc.cli, 'gateway', 'run'] : [oc.cli, 'gateway', 'run'];
    // Unit environment: the paths, the fixed variables, the compile cache, the egress proxy (a loopback port nothing listens on: no network here).
    const proxy = 'http://127.0.0.1:9';
    const env = openclawEnv(fx, {
      ...UNIT_ENV,
      NODE_COMPILE_CACHE: path.join(fx.stateDir, '.compile-cache'),
      HTTPS_PROXY: proxy,
      https_proxy: proxy,
      HTTP_PROXY: proxy,
      http_proxy: proxy,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      ...(o.heapVia === 'env' && o.heapMiB !== null ? { NODE_OPTIONS: heapFlag[0]! } : {}),
    });
    const quoted = [oc.node, ...argv].map((a) => `'${a}'`).join(' ');
    const started = Date.now();
    // Into the cgroup before node starts, so every process it spawns is charged there.
    child = spawn('/bin/sh', ['-c', `echo $$ > '${cg.procsFile}' && exec ${quoted}`], { cwd: fx.stateDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', () => (exited = true));
    let startSeconds: number | null = null;
    try {
      await waitForPort(port, '127.0.0.1', o.startTimeoutMs, () => !exited);
      const deadline = Date.now() + o.startTimeoutMs;
      while (!/\[gateway\] ready/.test(output)) {
        if (exited || Date.now() > deadline) throw new Error('not ready');
        await sleep(200);
      }
      startSeconds = (Date.now() - started) / 1000;
    } catch {
      // did not start under this cap: reported below
    }
    if (startSeconds === null) {
      const f = cg.figures();
      const last = output.trim().split('\n').slice(-3).join(' | ').slice(0, 300);
      return {
        capMiB: o.capMiB, heapMiB: o.heapMiB, started: false, startSeconds: null, healthz: null, wsConnect: false, healthyAfter: false,
        processes: [], totalRssMiB: 0, totalPssMiB: 0, cgroupUsageMiB: round(f.usage), cgroupPeakMiB: round(f.peak), cgroupAnonMiB: round(f.anon),
        cgroupCacheMiB: round(f.cache), limitHits: f.limitHits, oomKills: f.oomKills, note: exited ? `exited: ${last}` : `not ready in ${o.startTimeoutMs / 1000} s: ${last}`,
      };
    }
    await sleep(o.settleMs);
    const processes = [child.pid!, ...descendants(child.pid!)].map(processFigures).filter((p): p is ProcessFigures => p !== undefined);
    const idle = cg.figures();
    const status = await healthz(port);
    const ws = await wsConnect(port, fx.token);
    await sleep(o.settleMs);
    const healthyAfter = !exited && (await healthz(port)) === 200;
    const after = cg.figures();
    return {
      capMiB: o.capMiB,
      heapMiB: o.heapMiB,
      started: true,
      startSeconds,
      healthz: status,
      wsConnect: ws,
      healthyAfter,
      processes,
      totalRssMiB: round(processes.reduce((s, p) => s + p.rssMiB * MIB, 0)),
      totalPssMiB: round(processes.reduce((s, p) => s + p.pssMiB * MIB, 0)),
      cgroupUsageMiB: round(idle.usage),
      cgroupPeakMiB: round(after.peak),
      cgroupAnonMiB: round(idle.anon),
      cgroupCacheMiB: round(idle.cache),
      limitHits: after.limitHits,
      oomKills: after.oomKills,
      note: exited ? `exited after start: ${output.trim().split('\n').slice(-2).join(' | ').slice(0, 300)}` : '',
    };
  } finally {
    if (child?.pid && !exited) killTree(child.pid, 'SIGKILL');
    await sleep(300);
    cg.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function print(r: RunFigures): void {
  const cap = r.capMiB === null ? 'none' : `${r.capMiB} MiB`;
  const heap = r.heapMiB === null ? 'none' : `${r.heapMiB} MiB`;
  const verdict = r.started && r.healthz === 200 && r.wsConnect && r.healthyAfter ? 'HEALTHY' : 'FAILED';
  console.log(`\ncap ${cap}, heap ${heap}: ${verdict}${r.startSeconds !== null ? ` (ready in ${r.startSeconds.toFixed(1)} s)` : ''}${r.note ? ` - ${r.note}` : ''}`);
  console.log(`  /healthz ${r.healthz ?? '-'}, websocket connect ${r.wsConnect ? 'hello-ok' : 'failed'}, healthy after settling ${r.healthyAfter ? 'yes' : 'no'}`);
  for (const p of r.processes) console.log(`  pid ${String(p.pid).padEnd(7)} ${p.name.padEnd(48)} RSS ${String(p.rssMiB).padStart(7)} MiB  PSS ${String(p.pssMiB).padStart(7)} MiB  peak RSS ${String(p.hwmMiB).padStart(7)} MiB  heap limit: ${p.heapLimit}`);
  if (r.processes.length) console.log(`  all processes: RSS ${r.totalRssMiB} MiB, PSS ${r.totalPssMiB} MiB`);
  console.log(`  cgroup: ${r.cgroupUsageMiB} MiB charged at idle (anonymous ${r.cgroupAnonMiB}, page cache ${r.cgroupCacheMiB}), peak ${r.cgroupPeakMiB} MiB, limit hits ${r.limitHits}, OOM kills ${r.oomKills}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      caps: { type: 'string', default: 'none,1024,768,640,512' },
      heap: { type: 'string', default: 'none' },
      'heap-via': { type: 'string', default: 'argv' },
      settle: { type: 'string', default: '20' },
      'start-timeout': { type: 'string', default: '180' },
    },
  });
  if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark creates a child memory cgroup');
  const parse = (v: string) => (v === 'none' ? null : Number(v));
  const caps = values.caps.split(',').map(parse);
  const heaps = values.heap.split(',').map(parse);
  const runtime = pinnedRuntime();
  console.log(`Gateway footprint: OpenClaw ${runtime.openclaw}, Node ${runtime.node}, one agent (${AGENT}), unit environment; ${new Date().toISOString()}`);
  const results: RunFigures[] = [];
  for (const capMiB of caps) {
    for (const heapMiB of heaps) {
      const r = await runOnce({ capMiB, heapMiB, heapVia: values['heap-via'] === 'env' ? 'env' : 'argv', settleMs: Number(values.settle) * 1000, startTimeoutMs: Number(values['start-timeout']) * 1000 });
      print(r);
      results.push(r);
    }
  }
  const healthy = results.filter((r) => r.started && r.healthz === 200 && r.wsConnect && r.healthyAfter && r.capMiB !== null);
  const smallest = healthy.sort((a, b) => a.capMiB! - b.capMiB!)[0];
  console.log(`\nSmallest healthy cap: ${smallest ? `${smallest.capMiB} MiB (heap ${smallest.heapMiB ?? 'none'})` : 'none of those tried'}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
