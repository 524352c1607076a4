/**
 * `npm run bench:load`: what one host serves, and where nginx sheds load. The rendered
 * nginx.conf of example/prod (lib/host/render.ts, with test paths, loopback ports and the
 * origin-verify map written as the boot step writes it) runs in front of ONE real pinned
 * OpenClaw gateway (the example's `support` gateway, started with the node flags and
 * environment of its rendered unit, after the unit's ExecStartPre), on loopback only. Load
 * comes from autocannon (in this process, or in a child process for the flood of part 2, so
 * that the well-behaved client's timings are not the load generator's event loop); the
 * well-behaved client and the WebSockets use Node's own http and net.
 *
 *   1. Control UI page throughput: GET /agents/support/ with the origin-verify header, from
 *      the gateway alone (no nginx: the ceiling), through nginx from one viewer, and from many
 *      viewers (distinct CloudFront-Viewer-Address values, IPv4 and IPv6 in distinct /64s):
 *      requests/s and latency p50/p99 per status, so where edge.rateLimit and edge.hostLimit
 *      answer 429 shows, and how many (the access log tells nginx's answers from the gateway's).
 *   2. A good user under a many-viewer flood: while a flood from thousands of viewers runs
 *      against the page, one client's GET of the page (a few per second) and the round trip
 *      of a `health` request on its open, authenticated gateway WebSocket (a paired device,
 *      as the Control UI holds one): p50/p99 before and during the flood, and the flood's
 *      statuses (429, 502, 503, ...).
 *   3. Refusals: requests without the origin-verify header (403 from nginx) per second, and
 *      access.log bytes per million refusals (measured, then extrapolated).
 *   4. WebSocket capacity: authenticated WebSockets opened one after the other (distinct
 *      viewers, under edge.hostLimit.websocketsPerSecond) until nginx answers 429: how many
 *      it held (edge.hostLimit.connections), what the next opening got (an HTTP answer, not a
 *      silent drop), that it is the connection limit (still 429 a second later, 101 once one
 *      closes), what a plain GET gets meanwhile, and the gateway's memory with them open.
 *   5. Outage after `kill -9` of the gateway: time until nginx answers 502 for its path, then
 *      (the unit's ExecStartPre and start again) time until the page answers 200.
 *
 * Each part runs on a freshly started nginx (empty limit zones). Prints figures with the date,
 * the machine, the versions and the config values they were measured with; asserts nothing
 * (benchmarks are not timed tests). Needs the pinned OpenClaw (.ci/install-openclaw.sh) and
 * nginx (.ci/run's apt-get line), not root; run it on an otherwise idle machine for figures to
 * quote: the load generator, nginx and the gateway share its cores.
 *
 *   npm run bench:load                       # 30 s per measured run, about 4 minutes
 *   npm run bench:load -- --quick            # 5 s runs, 100 WebSockets: a smoke check
 *   npm run bench:load -- --duration 60 --connections 100 --viewers 20000 --sections 1,2
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import type autocannon from 'autocannon';
import type { ResolvedConfig } from '../lib/config/schema';
import { edgeSchema } from '../lib/edge/config-schema';
import { ORIGIN_VERIFY_MAP_FILE, REFUSAL_LOG_SAMPLE, renderOriginVerifyMap, workerConnections } from '../lib/host/nginx-config';
import { NGINX_LOG_GENERATIONS, NGINX_LOG_ROTATE_EVERY_MINUTES, NGINX_LOG_ROTATE_SIZE_MIB } from '../lib/host/nginx-log-rotation';
import { NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../lib/host/render';
import { renderRuntimeFiles } from '../lib/host/runtime-files';
import { gatewayById, type AgentGateway } from '../lib/openclaw/gateways';
import { pinnedRuntime } from '../lib/openclaw/lockfile';
import { EXEC_APPROVALS_FILE } from '../lib/openclaw/openclaw-config';
import { exampleConfig, freePort, nginxTestPaths, requireTool, waitForPort } from '../test/host/support/host-tools';
import { frameOf, gatewayConnect, newDeviceIdentity, openWebSocket, rpc, type DeviceIdentity, type Message, type WsConnection } from '../test/openclaw/support/gateway-client';
import { descendants, killTree, openclawEnv, privateTempDir, requireOpenclaw, runOpenclaw, writeOpenclawFixture, type OpenclawFixture } from '../test/openclaw/support/openclaw';
import { CONFIG_DIR } from '../test/support/config-fixture';
import { freePortRun } from '../test/support/free-ports';
import { pseudoRandom } from '../test/support/pseudo-random';

// ---------------------------------------------------------------------------------------------
// Options.

export interface LoadOptions {
  /** Short runs for a smoke check (the defaults below change; flags given still win). */
  readonly quick: boolean;
  /** Seconds of each measured run (the flood of part 2, the refusals of part 3...). */
  readonly duration: number;
  /** autocannon's concurrent connections (to nginx, or to the gateway alone). */
  readonly connections: number;
  /** Distinct viewer addresses the many-viewer runs and the flood rotate through. */
  readonly viewers: number;
  /** The good user's page requests (and WebSocket round trips) per second. */
  readonly goodRate: number;
  /** edge.hostLimit.connections for part 4 (null: the config's). */
  readonly hostConnections: number | null;
  /** The parts to run, 1 to 5. */
  readonly sections: readonly number[];
  /** nginx worker_processes. */
  readonly workers: number | 'auto';
  /** Seconds the gateway may take to be ready. */
  readonly startTimeout: number;
  readonly help: boolean;
}

export const DEFAULT_OPTIONS: LoadOptions = {
  quick: false,
  duration: 30,
  connections: 50,
  viewers: 10_000,
  goodRate: 4,
  hostConnections: null,
  sections: [1, 2, 3, 4, 5],
  // As production renders it (one worker per core).
  workers: 'auto',
  startTimeout: 300,
  help: false,
};

/** What --quick changes: seconds per run, fewer connections and viewers, part 4 against a 100-connection limit. */
export const QUICK_OPTIONS: Partial<LoadOptions> = { duration: 5, connections: 20, viewers: 2_000, hostConnections: 100 };

export const USAGE = `npm run bench:load -- [--quick] [--duration S] [--connections N] [--viewers N] [--good-rate R]
    [--host-connections N|config] [--sections 1,2,3,4,5] [--workers N|auto] [--start-timeout S]`;

function positive(flag: string, value: string, integer = true): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)))) throw new Error(`npm run bench:load: --${flag} must be a positive ${integer ? 'whole ' : ''}number (got ${JSON.stringify(value)})`);
  return n;
}

/** The command line of `npm run bench:load`; throws on an unknown option or a bad value. */
export function parseOptions(argv: readonly string[]): LoadOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        viewers: { type: 'string' },
        'good-rate': { type: 'string' },
        'host-connections': { type: 'string' },
        sections: { type: 'string' },
        workers: { type: 'string' },
        'start-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new Error(`npm run bench:load: ${(e as Error).message}\n${USAGE}`);
  }
  const quick = values.quick === true;
  const base: LoadOptions = { ...DEFAULT_OPTIONS, ...(quick ? QUICK_OPTIONS : {}), quick };
  const sections = values.sections?.split(',').map((s) => s.trim());
  if (sections && !(sections.length > 0 && sections.every((s) => /^[1-5]$/.test(s)))) throw new Error(`npm run bench:load: --sections takes parts 1 to 5, comma-separated (got ${JSON.stringify(values.sections)})`);
  const hostConnections = values['host-connections'];
  return {
    ...base,
    duration: values.duration === undefined ? base.duration : positive('duration', values.duration),
    connections: values.connections === undefined ? base.connections : positive('connections', values.connections),
    viewers: values.viewers === undefined ? base.viewers : positive('viewers', values.viewers),
    goodRate: values['good-rate'] === undefined ? base.goodRate : positive('good-rate', values['good-rate'], false),
    hostConnections: hostConnections === undefined ? base.hostConnections : hostConnections === 'config' ? null : positive('host-connections', hostConnections),
    sections: sections ? [...new Set(sections.map(Number))].sort((a, b) => a - b) : base.sections,
    workers: values.workers === undefined || values.workers === 'auto' ? base.workers : positive('workers', values.workers),
    startTimeout: values['start-timeout'] === undefined ? base.startTimeout : positive('start-timeout', values['start-timeout']),
    help: values.help === true,
  };
}

// ---------------------------------------------------------------------------------------------
// Figures.

const VIEWER_HEADER = 'CloudFront-Viewer-Address';
/** The good user's viewer (part 2), and the one that pairs the benchmark's device. */
const GOOD_VIEWER = '198.51.100.7:40123';
/** The one viewer of part 1 and of the refusals. */
const ONE_VIEWER = '192.0.2.10:40123';

/**
 * Viewer address `i` of a flood, as CloudFront sends it (`<ip>:<port>`): even ones IPv4 in
 * 10.0.0.0/8, odd ones IPv6, each in its own /64 of 2001:db8::/32 (nginx keys IPv6 viewers by
 * their /64, so distinct addresses in one /64 would be one viewer).
 */
export function floodViewer(i: number): string {
  const n = Math.floor(i / 2);
  const port = 1024 + (i % 60_000);
  if (i % 2 === 0) return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:${port}`;
  return `2001:db8:${((n >> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::${((i % 0xfffe) + 1).toString(16)}:${port}`;
}

/** Nearest-rank percentile of ascending values (NaN for none). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Spread {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
const rate = (count: number, seconds: number) => (seconds > 0 ? count / seconds : 0);
const perSecond = (v: number) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)}/s`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const line = (s = '') => console.log(s);

// ---------------------------------------------------------------------------------------------
// Load with autocannon.

/** One load run: what autocannon sends, and where. */
export interface LoadSpec {
  readonly port: number;
  readonly path: string;
  readonly connections: number;
  readonly seconds: number;
  /** Headers of every request. */
  readonly headers: Record<string, string>;
  /** Distinct CloudFront-Viewer-Address values the requests rotate through, one per request; 0: only the headers' own. */
  readonly viewers: number;
}

export interface LoadFigures {
  readonly seconds: number;
  readonly answered: number;
  /** Per status: count and latency (ms, from the request's write to the whole answer). */
  readonly statuses: Record<string, Spread>;
  readonly errors: number;
  readonly timeouts: number;
}

/** Runs autocannon for spec.seconds; `onStart` when its connections are set up. */
async function runLoad(spec: LoadSpec, onStart?: () => void): Promise<LoadFigures> {
  const { default: cannon } = await import('autocannon');
  const times = new Map<number, number[]>();
  let next = 0;
  const request: autocannon.Request = spec.viewers > 0 ? { setupRequest: (r) => ({ ...r, headers: { ...spec.headers, [VIEWER_HEADER]: floodViewer(next++ % spec.viewers) } }) } : {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = cannon(
      { url: `http://127.0.0.1:${spec.port}${spec.path}`, connections: spec.connections, duration: spec.seconds, headers: spec.headers, requests: [request], timeout: 10 },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on('start', () => onStart?.());
    instance.on('response', (_client, status, _bytes, responseTime) => {
      const list = times.get(status) ?? [];
      list.push(responseTime);
      times.set(status, list);
    });
  });
  const statuses = Object.fromEntries([...times.entries()].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), spread(list)]));
  return { seconds: result.duration, answered: [...times.values()].reduce((s, l) => s + l.length, 0), statuses, errors: result.errors, timeouts: result.timeouts };
}

function printLoad(label: string, f: LoadFigures): void {
  line(`  ${label}: ${f.answered} answers in ${f.seconds.toFixed(1)} s = ${perSecond(rate(f.answered, f.seconds))}${f.errors ? `, ${f.errors} connection errors (${f.timeouts} timeouts)` : ''}`);
  for (const [status, s] of Object.entries(f.statuses)) {
    const share = f.answered ? ((100 * s.count) / f.answered).toFixed(1) : '0';
    line(`    ${status}: ${String(s.count).padStart(8)} (${share.padStart(5)} %) ${perSecond(rate(s.count, f.seconds)).padStart(9)}   p50 ${ms(s.p50).padStart(9)}   p99 ${ms(s.p99).padStart(9)}   max ${ms(s.max).padStart(9)}`);
  }
}

/** The flood of part 2 in a child process (its own event loop and core): this file again, with FLOOD_ROLE set. */
const FLOOD_ROLE = 'BENCH_LOAD_ROLE';

type FloodMessage = { kind: 'started' } | { kind: 'done'; figures: LoadFigures } | { kind: 'failed'; error: string };

function floodChild(): void {
  process.once('message', (message: unknown) => {
    runLoad(message as LoadSpec, () => process.send!({ kind: 'started' } satisfies FloodMessage))
      .then((figures) => process.send!({ kind: 'done', figures } satisfies FloodMessage, () => process.exit(0)))
      .catch((e: unknown) => process.send!({ kind: 'failed', error: String(e) } satisfies FloodMessage, () => process.exit(1)));
  });
}

// ---------------------------------------------------------------------------------------------
// The host under load: the gateway as its unit runs it, and nginx as rendered.

/** What the rendered unit gives the gateway. */
interface GatewayUnit {
  /** node's own flags on ExecStart= (before the CLI): the heap limit. */
  readonly nodeFlags: string[];
  /** Environment= assignments, in order. */
  readonly env: Record<string, string>;
  readonly restartSec: string;
  readonly memoryMax: string;
}

function readUnit(text: string): GatewayUnit {
  const env: Record<string, string> = {};
  for (const l of text.split('\n').filter((l) => l.startsWith('Environment='))) {
    for (const word of l.slice('Environment='.length).split(' ')) {
      const i = word.indexOf('=');
      env[word.slice(0, i)] = word.slice(i + 1);
    }
  }
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  const exec = value('ExecStart').split(' ');
  const cli = exec.findIndex((w) => w.endsWith('/openclaw.mjs'));
  if (cli < 1) throw new Error(`bench:load: no openclaw.mjs on the unit's ExecStart= (${value('ExecStart')})`);
  return { nodeFlags: exec.slice(1, cli), env, restartSec: value('RestartSec'), memoryMax: value('MemoryMax') };
}

interface RunningGateway {
  readonly proc: ChildProcess;
  readonly startedAt: number;
  output: string;
  exited: boolean;
}

interface Host {
  readonly root: string;
  readonly config: ResolvedConfig;
  readonly gateway: AgentGateway;
  readonly fx: OpenclawFixture;
  readonly unit: GatewayUnit;
  /** The unit's environment, its paths moved into the fixture. */
  readonly gatewayEnv: NodeJS.ProcessEnv;
  /** The unit's variables without its paths (for the ExecStartPre, which runOpenclaw gives the fixture's paths). */
  readonly unitFlags: Record<string, string>;
  readonly verify: string;
  readonly nginxDir: string;
  readonly accessLog: string;
  readonly workers: number | 'auto';
  running?: RunningGateway;
  nginx?: ChildProcess;
  flood?: ChildProcess;
}

/** The unit's ExecStartPre: the exec approvals into the gateway's state. Seconds. */
async function execStartPre(host: Host): Promise<number> {
  const started = Date.now();
  const r = await runOpenclaw(host.fx, ['approvals', 'set', '--file', path.join(host.fx.paths.configDir, EXEC_APPROVALS_FILE)], 180_000, host.unitFlags);
  if (r.status !== 0) throw new Error(`openclaw approvals set failed:\n${r.stderr}${r.stdout}`);
  return (Date.now() - started) / 1000;
}

/** Starts the gateway as its unit's ExecStart= does; resolves when it logs `[gateway] ready`. */
async function startGateway(host: Host, timeoutMs: number): Promise<RunningGateway> {
  const oc = requireOpenclaw();
  const proc = spawn(oc.node, [...host.unit.nodeFlags, oc.cli, 'gateway', 'run'], { cwd: host.fx.stateDir, env: host.gatewayEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const g: RunningGateway = { proc, startedAt: Date.now(), output: '', exited: false };
  host.running = g;
  proc.stdout!.on('data', (d: Buffer) => (g.output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (g.output += d.toString()));
  proc.on('exit', () => (g.exited = true));
  try {
    await waitForPort(host.gateway.port, '127.0.0.1', timeoutMs, () => !g.exited);
    const deadline = g.startedAt + timeoutMs;
    while (!/\[gateway\] ready/.test(g.output)) {
      if (g.exited || Date.now() > deadline) throw new Error(g.exited ? 'exited' : 'not ready in time');
      await sleep(100);
    }
  } catch (e) {
    throw new Error(`the gateway did not start: ${(e as Error).message}\n${g.output.slice(-3000)}`);
  }
  return g;
}

/** SIGKILL to the gateway's process tree (collected first), then waits for its exit. */
async function killGateway(host: Host): Promise<void> {
  const g = host.running;
  if (!g?.proc.pid || g.exited) return;
  const exited = new Promise<void>((r) => g.proc.once('exit', () => r()));
  killTree(g.proc.pid, 'SIGKILL');
  await Promise.race([exited, sleep(10_000)]);
}

/** (Re)starts nginx on the rendered nginx.conf of `config` (fresh limit zones); the access log is kept. */
async function startNginx(host: Host, config: ResolvedConfig = host.config): Promise<void> {
  await stopNginx(host);
  const dir = host.nginxDir;
  const includeDir = path.join(dir, 'nginx', 'openclaw');
  writeHostFiles(dir, renderHostFiles(config, { nginx: { ...nginxTestPaths(dir, includeDir), listenAddress: '127.0.0.1', workerProcesses: host.workers } }));
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  // As the boot step writes it (fetch-secrets): the current value only, root 0600.
  fs.writeFileSync(path.join(includeDir, ORIGIN_VERIFY_MAP_FILE), renderOriginVerifyMap(host.verify), { mode: 0o600 });
  let exited = false;
  let stderr = '';
  const proc = spawn(requireTool('nginx'), ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, NGINX_CONF_PATH), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.on('exit', () => (exited = true));
  host.nginx = proc;
  try {
    await waitForPort(config.edge.proxyPort, '127.0.0.1', 10_000, () => !exited);
  } catch (e) {
    throw new Error(`nginx did not start: ${(e as Error).message}\n${stderr}`);
  }
}

async function stopNginx(host: Host): Promise<void> {
  const proc = host.nginx;
  host.nginx = undefined;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

/** The headers CloudFront adds: the origin-verify value (unless null) and the viewer. */
function edgeHeaders(host: Host, viewer: string, verify: string | null = host.verify): Record<string, string> {
  return { [VIEWER_HEADER]: viewer, ...(verify === null ? {} : { [host.config.edge.originVerifyHeader]: verify }) };
}

interface Answer {
  /** 0: no answer (error or timeout). */
  readonly status: number;
  readonly ms: number;
  /** The answer's start (4 KiB at most). */
  readonly body: string;
  readonly bytes: number;
}

/** One GET; never rejects. */
function get(port: number, p: string, headers: Record<string, string>, agent: http.Agent | false = false, timeoutMs = 10_000): Promise<Answer> {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers, agent, timeout: timeoutMs }, (res) => {
      let body = '';
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (body.length < 4096) body += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: elapsed(), body, bytes }));
      res.on('error', () => resolve({ status: 0, ms: elapsed(), body, bytes }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: elapsed(), body: '', bytes: 0 }));
  });
}

/** nginx's own error page (its 429, 502...) rather than an answer of the gateway. */
const fromNginx = (body: string) => body.includes('<center>nginx</center>');

/** The access log's size once nginx has written its lines (it writes after answering). */
async function settledSize(file: string): Promise<number> {
  let size = -1;
  for (let i = 0; i < 40; i++) {
    const now = fs.existsSync(file) ? fs.statSync(file).size : 0;
    if (now === size) return size;
    size = now;
    await sleep(100);
  }
  return size;
}

/** The access-log lines written since `from` (a byte offset): their bytes, count, and summed weights by status and who answered. */
function accessTally(file: string, from: number): { bytes: number; lines: number; weights: Map<string, number> } {
  const text = fs.readFileSync(file).subarray(from).toString('utf8');
  const weights = new Map<string, number>();
  let lines = 0;
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    lines += 1;
    const j = JSON.parse(l) as { status: string; upstream_status: string; weight: number };
    const by = j.upstream_status === '' ? 'by nginx' : j.upstream_status === j.status ? 'by the gateway' : `(upstream ${j.upstream_status})`;
    const key = `${j.status} ${j.status === '499' ? 'client went away' : by}`;
    weights.set(key, (weights.get(key) ?? 0) + j.weight);
  }
  return { bytes: Buffer.byteLength(text), lines, weights };
}

function printTally(t: { lines: number; weights: Map<string, number> }): void {
  const parts = [...t.weights.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, w]) => `${k} ~${w}`);
  line(`    access log (refusals sampled 1 in ${REFUSAL_LOG_SAMPLE}, weights summed): ${parts.join(', ') || 'nothing'}`);
}

/**
 * A WebSocket opening through nginx at the gateway's base path: the helper's connection, with
 * no idle timeout once open (its socket timeout would end a quiet WebSocket: the gateway ticks
 * every 30 s); null when nothing answered within `ms`.
 */
async function openThroughNginx(host: Host, viewer: string, ms = 30_000): Promise<WsConnection | null> {
  let timer: NodeJS.Timeout | undefined;
  const opening = openWebSocket({ port: host.config.edge.proxyPort, path: host.gateway.basePath, headers: edgeHeaders(host, viewer), timeoutMs: 86_400_000 });
  const conn = await Promise.race([opening, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]);
  clearTimeout(timer);
  if (conn === null) opening.then((c) => c.close(), () => undefined);
  return conn;
}

/** A WebSocket opening on a raw socket, closed at once: the status, when its status line came (ms), and the answer's start. */
function rawOpening(host: Host, viewer: string, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const socket = net.connect({ host: '127.0.0.1', port: host.config.edge.proxyPort });
    let text = '';
    let status = 0;
    let at = NaN;
    const done = () => {
      socket.destroy();
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, ms: at, body, bytes: Buffer.byteLength(body, 'latin1') });
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (!status && text.includes('\r\n')) {
        status = Number(text.split(' ')[1]);
        at = Number(process.hrtime.bigint() - started) / 1e6;
      }
      if (status === 101 || text.includes('</html>')) done();
    });
    const head = { Host: '127.0.0.1', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', ...edgeHeaders(host, viewer) };
    socket.write([`GET ${host.gateway.basePath} HTTP/1.1`, ...Object.entries(head).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n'));
  });
}

/** A WebSocket through nginx at the gateway's base path, then `connect` with the token and the paired device. */
async function openSession(host: Host, viewer: string, device: DeviceIdentity): Promise<{ conn?: WsConnection; status: number; body: string; connect: string }> {
  let conn: WsConnection | null;
  try {
    conn = await openThroughNginx(host, viewer);
  } catch (e) {
    return { status: 0, body: (e as Error).message, connect: 'no answer' };
  }
  if (!conn) return { status: 0, body: 'no answer within 30 s', connect: 'no answer' };
  if (conn.status !== 101) {
    conn.close();
    return { status: conn.status, body: conn.body, connect: '-' };
  }
  try {
    const res = frameOf(await gatewayConnect(conn, { token: host.fx.token, device }));
    if (res.ok) return { conn, status: 101, body: '', connect: 'ok' };
    conn.close();
    return { status: 101, body: '', connect: String(res.error?.details?.code ?? res.error?.code) };
  } catch (e) {
    conn.close();
    return { status: 101, body: '', connect: (e as Error).message };
  }
}

/** A device paired as an operator pairs the Control UI's: a connect through nginx asks to pair, `openclaw devices approve` approves. */
async function pairDevice(host: Host): Promise<DeviceIdentity> {
  const device = newDeviceIdentity();
  const conn = await openThroughNginx(host, GOOD_VIEWER);
  if (conn?.status !== 101) throw new Error(`pairing: the WebSocket opening got ${conn?.status ?? 'no answer'}`);
  const res = frameOf(await gatewayConnect(conn, { token: host.fx.token, device }));
  conn.close();
  if (res.ok) return device;
  const code = String(res.error?.details?.code ?? res.error?.code);
  if (code !== 'PAIRING_REQUIRED') throw new Error(`pairing: connect answered ${code}`);
  const approved = await runOpenclaw(host.fx, ['devices', 'approve', String(res.error?.details?.requestId)], 180_000, host.unitFlags);
  if (approved.status !== 0) throw new Error(`openclaw devices approve failed:\n${approved.stderr}${approved.stdout}`);
  return device;
}

/** Proportional set size of a process and its descendants (MiB, /proc/<pid>/smaps_rollup): shared pages split between them, as a memory cgroup charges them once. */
function treePssMiB(pid: number): number {
  let kb = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return Math.round(kb / 102.4) / 10;
}

// ---------------------------------------------------------------------------------------------
// The good user of part 2.

interface GoodFigures {
  readonly http: Spread;
  readonly httpStatuses: Record<string, number>;
  readonly ws: Spread | null;
  readonly wsFailures: number;
}

/**
 * For `seconds`: GET of the page at `perSecondRate` (on schedule, whatever the previous one
 * is doing: latency from the scheduled send), and, on `ws`, one `health` request after the
 * other at the same rate (each waits for its answer).
 */
async function goodUser(host: Host, seconds: number, perSecondRate: number, ws: WsConnection | null): Promise<GoodFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const started = Date.now();
  const end = started + seconds * 1000;
  const interval = 1000 / perSecondRate;
  const httpTimes: number[] = [];
  const statuses: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const plain = (async () => {
    for (let k = 0; started + k * interval < end; k++) {
      await sleep(Math.max(0, started + k * interval - Date.now()));
      pending.push(
        get(host.config.edge.proxyPort, `${host.gateway.basePath}/`, edgeHeaders(host, GOOD_VIEWER), agent).then((a) => {
          httpTimes.push(a.ms);
          const key = a.status === 0 ? 'no answer' : String(a.status);
          statuses[key] = (statuses[key] ?? 0) + 1;
        }),
      );
    }
  })();
  const wsTimes: number[] = [];
  let wsFailures = 0;
  const socket = (async () => {
    if (!ws) return;
    for (let k = 0; started + k * interval < end; k++) {
      await sleep(Math.max(0, started + k * interval - Date.now()));
      const t0 = process.hrtime.bigint();
      try {
        const res = frameOf(await rpc(ws, 'health', {}, 10_000));
        if (res.ok) wsTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
        else wsFailures += 1;
      } catch {
        wsFailures += 1;
      }
    }
  })();
  await Promise.all([plain, socket]);
  await Promise.all(pending);
  agent.destroy();
  return { http: spread(httpTimes), httpStatuses: statuses, ws: ws ? spread(wsTimes) : null, wsFailures };
}

function printGood(label: string, g: GoodFigures): void {
  const statuses = Object.entries(g.httpStatuses).map(([s, n]) => `${s} x${n}`).join(', ');
  line(`  ${label}`);
  line(`    GET page:            p50 ${ms(g.http.p50).padStart(9)}   p99 ${ms(g.http.p99).padStart(9)}   max ${ms(g.http.max).padStart(9)}   (${g.http.count} requests: ${statuses})`);
  if (g.ws) line(`    WebSocket health RTT: p50 ${ms(g.ws.p50).padStart(9)}   p99 ${ms(g.ws.p99).padStart(9)}   max ${ms(g.ws.max).padStart(9)}   (${g.ws.count} answered, ${g.wsFailures} failed)`);
}

// ---------------------------------------------------------------------------------------------
// The parts.

async function part1(host: Host, o: LoadOptions): Promise<void> {
  const { rateLimit, hostLimit } = host.config.edge;
  line(`\n1. Control UI page (GET ${host.gateway.basePath}/), ${o.connections} connections, ${o.duration} s each`);
  const page = `${host.gateway.basePath}/`;
  const sample = await get(host.gateway.port, page, {});
  line(`  the page: ${sample.status}, ${sample.bytes} bytes (the Control UI's index.html; its scripts and styles are further requests)`);
  const alone = await runLoad({ port: host.gateway.port, path: page, connections: o.connections, seconds: o.duration, headers: {}, viewers: 0 });
  printLoad('the gateway alone (no nginx, its loopback port)', alone);

  for (const [label, viewers] of [
    [`through nginx, one viewer (edge.rateLimit ${rateLimit.requestsPerSecond} r/s + burst ${rateLimit.burst}, ${rateLimit.connectionsPerViewer} at once)`, 0],
    [`through nginx, ${o.viewers} viewers in turn (edge.hostLimit ${hostLimit.requestsPerSecond} r/s + burst ${hostLimit.burst}, ${hostLimit.connections} at once)`, o.viewers],
  ] as const) {
    await startNginx(host);
    const from = await settledSize(host.accessLog);
    const f = await runLoad({ port: host.config.edge.proxyPort, path: page, connections: o.connections, seconds: o.duration, headers: edgeHeaders(host, ONE_VIEWER), viewers });
    printLoad(label, f);
    await settledSize(host.accessLog);
    printTally(accessTally(host.accessLog, from));
  }
}

async function part2(host: Host, o: LoadOptions, device: DeviceIdentity | null): Promise<void> {
  line(`\n2. A good user (one viewer, ${o.goodRate} GET/s and ${o.goodRate} WebSocket requests/s) under a flood of ${o.viewers} viewers (${o.connections} connections, a child process; IPv4 and IPv6 in distinct /64s: ${floodViewer(0)}, ${floodViewer(1)}, ...)`);
  await startNginx(host);
  let ws: WsConnection | null = null;
  if (device) {
    const s = await openSession(host, GOOD_VIEWER, device);
    if (s.conn) ws = s.conn;
    else line(`  (the good user's WebSocket: ${s.status} ${s.connect}; plain GETs only)`);
  }
  try {
    const baseline = await goodUser(host, Math.min(10, o.duration), o.goodRate, ws);
    printGood(`before the flood (${Math.min(10, o.duration)} s):`, baseline);

    const from = await settledSize(host.accessLog);
    const child = fork(__filename, [], { env: { ...process.env, [FLOOD_ROLE]: 'flood' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    host.flood = child;
    const started = new Promise<void>((resolve, reject) => {
      child.on('message', (message: unknown) => {
        const m = message as FloodMessage;
        if (m.kind === 'started') resolve();
        if (m.kind === 'failed') reject(new Error(m.error));
      });
      child.once('exit', (code) => reject(new Error(`the flood process exited (${code}) before starting`)));
    });
    const done = new Promise<LoadFigures>((resolve, reject) => {
      child.on('message', (message: unknown) => {
        const m = message as FloodMessage;
        if (m.kind === 'done') resolve(m.figures);
        if (m.kind === 'failed') reject(new Error(m.error));
      });
      child.once('exit', (code) => reject(new Error(`the flood process exited (${code}) without figures`)));
    });
    done.catch(() => undefined);
    child.send({ port: host.config.edge.proxyPort, path: `${host.gateway.basePath}/`, connections: o.connections, seconds: o.duration, headers: edgeHeaders(host, ONE_VIEWER), viewers: o.viewers } satisfies LoadSpec);
    await started;
    await sleep(1000);
    const during = await goodUser(host, Math.max(1, o.duration - 2), o.goodRate, ws);
    const flood = await done;
    host.flood = undefined;
    printGood(`during the flood (${Math.max(1, o.duration - 2)} s, from its second second):`, during);
    printLoad('the flood', flood);
    await settledSize(host.accessLog);
    printTally(accessTally(host.accessLog, from));
  } finally {
    ws?.close();
  }
}

async function part3(host: Host, o: LoadOptions): Promise<void> {
  line(`\n3. Refusals: GET without the origin-verify header (403 from nginx), one viewer, ${o.connections} connections, ${o.duration} s`);
  await startNginx(host);
  const from = await settledSize(host.accessLog);
  const f = await runLoad({ port: host.config.edge.proxyPort, path: `${host.gateway.basePath}/`, connections: o.connections, seconds: o.duration, headers: edgeHeaders(host, ONE_VIEWER, null), viewers: 0 });
  printLoad('refused', f);
  await settledSize(host.accessLog);
  const t = accessTally(host.accessLog, from);
  const refused = f.statuses['403']?.count ?? 0;
  printTally(t);
  const perRefusal = refused ? t.bytes / refused : NaN;
  line(`    access.log grew ${t.bytes} bytes (${t.lines} lines) for ${refused} refusals: ${perRefusal.toFixed(1)} bytes per refusal, ${((perRefusal * 1e6) / 1024 / 1024).toFixed(1)} MiB per million refusals (extrapolated)`);
  if (refused) {
    const perMinute = (perRefusal * rate(refused, f.seconds) * 60) / 1024 / 1024;
    line(
      `    at ${perSecond(rate(refused, f.seconds))}: ${perMinute.toFixed(1)} MiB of access log per minute, ${(perMinute * NGINX_LOG_ROTATE_EVERY_MINUTES).toFixed(0)} MiB between two rotation checks ` +
        `(every ${NGINX_LOG_ROTATE_EVERY_MINUTES} min, rotated over ${NGINX_LOG_ROTATE_SIZE_MIB} MiB, ${NGINX_LOG_GENERATIONS} generations kept)`,
    );
  }
}

async function part4(host: Host, o: LoadOptions, device: DeviceIdentity | null): Promise<void> {
  const limit = o.hostConnections ?? host.config.edge.hostLimit.connections;
  const config: ResolvedConfig = { ...host.config, edge: { ...host.config.edge, hostLimit: { ...host.config.edge.hostLimit, connections: limit } } };
  const valid = edgeSchema.safeParse(config.edge);
  if (!valid.success) throw new Error(`--host-connections ${limit}: outside the config schema: ${valid.error.message}`);
  const pace = config.edge.hostLimit.websocketsPerSecond * 0.9;
  line(
    `\n4. WebSocket capacity: edge.hostLimit.connections ${limit}${o.hostConnections === null ? '' : ` (--host-connections; the config's ${host.config.edge.hostLimit.connections})`}, worker_connections ${workerConnections(config)}; ` +
      `authenticated WebSockets opened one after the other at ${pace.toFixed(0)}/s (edge.hostLimit.websocketsPerSecond ${config.edge.hostLimit.websocketsPerSecond}), one viewer each`,
  );
  if (!device) {
    line('  skipped: no paired device (see above)');
    return;
  }
  await startNginx(host, config);
  const pssBefore = treePssMiB(host.running!.proc.pid!);
  const open: { conn: WsConnection; closed: boolean }[] = [];
  const watch = (conn: WsConnection) => {
    const entry = { conn, closed: false };
    void (async () => {
      for (;;) {
        let m: Message;
        try {
          m = await conn.next(3_600_000);
        } catch {
          continue;
        }
        if (m.kind !== 'frame') break;
      }
      entry.closed = true;
    })();
    open.push(entry);
  };
  const refusedOnTheWay: string[] = [];
  let refusal: { next: Answer; plainGet: number; afterClose: number } | null = null;
  let viewer = 0;
  const started = Date.now();
  let lastOpened = started;
  try {
    for (let k = 0; open.length <= limit + 10; k++) {
      await sleep(Math.max(0, started + (k * 1000) / pace - Date.now()));
      const s = await openSession(host, floodViewer(viewer++), device);
      if (s.conn) {
        watch(s.conn);
        lastOpened = Date.now();
        continue;
      }
      if (s.status === 429 && fromNginx(s.body)) {
        // The opening rate's 429 is gone a second later; the connection limit's is not.
        await sleep(1100);
        const next = await rawOpening(host, floodViewer(viewer++));
        if (next.status !== 429) {
          refusedOnTheWay.push(`429 after ${open.length} (the opening rate: ${next.status} a second later)`);
          continue;
        }
        const plainGet = (await get(host.config.edge.proxyPort, `${host.gateway.basePath}/`, edgeHeaders(host, floodViewer(viewer++)))).status;
        open.find((e) => !e.closed)?.conn.close();
        await sleep(300);
        const afterClose = (await rawOpening(host, floodViewer(viewer++))).status;
        refusal = { next, plainGet, afterClose };
        break;
      }
      refusedOnTheWay.push(`${s.status}${s.status === 101 ? ` connect ${s.connect}` : fromNginx(s.body) ? ' (nginx)' : ` ${s.body.slice(0, 80)}`} after ${open.length}`);
      if (refusedOnTheWay.length > 20) break;
    }
    const seconds = (lastOpened - started) / 1000;
    const alive = open.filter((e) => !e.closed);
    const probe = alive[0];
    line(`  ${open.length} WebSockets opened and authenticated in ${seconds.toFixed(1)} s, ${alive.length} still open at the end`);
    if (refusal) {
      const n = refusal.next;
      line(`  the next opening (a second after the first 429, so not the opening rate): HTTP ${n.status}${fromNginx(n.body) ? ' from nginx' : ''}, its status line after ${ms(n.ms)}: an answer, not a silent drop`);
      line(`  a plain GET of the page meanwhile: ${refusal.plainGet} (every request in progress counts, WebSockets included); an opening once one WebSocket closed: ${refusal.afterClose}`);
    } else {
      line(`  nginx answered no 429 (${open.length} opened)`);
    }
    if (refusedOnTheWay.length) line(`  refused on the way: ${refusedOnTheWay.slice(0, 5).join('; ')}${refusedOnTheWay.length > 5 ? `; ... (${refusedOnTheWay.length})` : ''}`);
    const pssAfter = treePssMiB(host.running!.proc.pid!);
    line(`  gateway memory (PSS of its process tree): ${pssBefore} MiB before, ${pssAfter} MiB with them open (unit MemoryMax=${host.unit.memoryMax})`);
    if (probe) {
      // The probe's watcher has its messages: a fresh session after closing one measures the round trip.
      probe.conn.close();
      await sleep(200);
      const s = await openSession(host, floodViewer(viewer++), device);
      if (s.conn) {
        const times: number[] = [];
        for (let i = 0; i < 10; i++) {
          const t0 = process.hrtime.bigint();
          const res = frameOf(await rpc(s.conn, 'health', {}, 10_000));
          if (res.ok) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        s.conn.close();
        const h = spread(times);
        line(`  health round trip with ${alive.length} open: p50 ${ms(h.p50)}, max ${ms(h.max)} (${h.count} of 10 answered)`);
      }
    }
  } finally {
    open.forEach((e) => e.conn.close());
  }
}

async function part5(host: Host, o: LoadOptions): Promise<void> {
  line(`\n5. Outage: kill -9 of the gateway, then the unit's ExecStartPre and start again (its unit: Restart=on-failure, RestartSec=${host.unit.restartSec})`);
  await startNginx(host);
  const port = host.config.edge.proxyPort;
  const page = `${host.gateway.basePath}/`;
  const healthz = `${host.gateway.basePath}/healthz`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const before = await get(port, healthz, edgeHeaders(host, ONE_VIEWER), agent);
    const g = host.running!;
    const tree = [g.proc.pid!, ...descendants(g.proc.pid!)];
    const killedAt = process.hrtime.bigint();
    process.kill(g.proc.pid!, 'SIGKILL');
    // What systemd does next (KillMode=control-group): the rest of its tree goes too.
    tree.slice(1).forEach((p) => killTree(p, 'SIGKILL'));
    let first502: Answer | null = null;
    const seen: Record<string, number> = {};
    for (let i = 0; i < 2000 && !first502; i++) {
      const a = await get(port, healthz, edgeHeaders(host, ONE_VIEWER), agent, 5_000);
      seen[a.status] = (seen[a.status] ?? 0) + 1;
      if (a.status === 502) first502 = a;
      else await sleep(2);
    }
    const since = Number(process.hrtime.bigint() - killedAt) / 1e6;
    line(`  before: healthz ${before.status}; after the kill: ${first502 ? `502 ${fromNginx(first502.body) ? 'from nginx ' : ''}${ms(since)} after the kill (that answer took ${ms(first502.ms)})` : 'no 502'}; answers until then: ${JSON.stringify(seen)}`);
    await new Promise<void>((r) => (g.exited ? r() : g.proc.once('exit', () => r())));

    const restartAt = Date.now();
    const pre = await execStartPre(host);
    const spawnedAt = Date.now();
    const statuses: Record<string, number> = {};
    let first200: number | null = null;
    const starting = startGateway(host, o.startTimeout * 1000);
    starting.catch(() => undefined);
    const deadline = spawnedAt + o.startTimeout * 1000;
    while (first200 === null && Date.now() < deadline && !host.running?.exited) {
      const a = await get(port, page, edgeHeaders(host, ONE_VIEWER), agent, 5_000);
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      if (a.status === 200) first200 = Date.now();
      else await sleep(100);
    }
    await starting;
    const ready = (Date.now() - spawnedAt) / 1000;
    if (first200 === null) {
      line(`  the page never answered 200 again (answers: ${JSON.stringify(statuses)})`);
      return;
    }
    const restartSec = Number(host.unit.restartSec) || 0;
    line(
      `  restart: ExecStartPre ${pre.toFixed(1)} s, then the page answers 200 ${((first200 - spawnedAt) / 1000).toFixed(1)} s after the start ` +
        `(${((first200 - restartAt) / 1000).toFixed(1)} s after the restart began; "[gateway] ready" logged within ${ready.toFixed(1)} s); answers meanwhile: ${JSON.stringify(statuses)}`,
    );
    line(`  outage of the page on a host: RestartSec ${restartSec} s + ${((first200 - restartAt) / 1000).toFixed(1)} s = ~${(restartSec + (first200 - restartAt) / 1000).toFixed(0)} s`);
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------

/** Ends what this run started (synchronously: also on exit and on a signal). */
function killAll(host: Host | undefined): void {
  if (!host) return;
  host.flood?.kill('SIGKILL');
  if (host.running?.proc.pid && !host.running.exited) killTree(host.running.proc.pid, 'SIGKILL');
  if (host.nginx && host.nginx.exitCode === null) host.nginx.kill('SIGKILL');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.help) {
    console.log(USAGE);
    return;
  }
  const begun = Date.now();
  const oc = requireOpenclaw();
  const nginxBin = requireTool('nginx');
  const runtime = pinnedRuntime();
  const base = exampleConfig('prod');
  const [proxyPort, gatewayPort] = [await freePort(), await freePortRun(2)];
  const config: ResolvedConfig = { ...base, edge: { ...base.edge, proxyPort, gatewayPort } };
  const gateway = gatewayById(config, 'support');
  const unit = readUnit(renderRuntimeFiles(config, CONFIG_DIR)[`systemd/${gateway.unit}`]!);
  const paths = new Set(['HOME', 'OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'NODE_COMPILE_CACHE']);
  const unitFlags = Object.fromEntries(Object.entries(unit.env).filter(([k]) => !paths.has(k)));

  const root = privateTempDir('oc-bench-load-');
  fs.chmodSync(root, 0o755); // nginx's workers (nobody) reach their temp folder below
  const nginxDir = path.join(root, 'nginx');
  fs.mkdirSync(nginxDir, { mode: 0o755 });
  const fx = writeOpenclawFixture(config, path.join(root, 'gateway'), [], gateway);
  const host: Host = {
    root,
    config,
    gateway,
    fx,
    unit,
    unitFlags,
    gatewayEnv: openclawEnv(fx, { ...unitFlags, NODE_COMPILE_CACHE: path.join(fx.stateDir, '.compile-cache') }),
    verify: pseudoRandom(48, 4242),
    nginxDir,
    accessLog: path.join(nginxDir, 'access.log'),
    workers: o.workers,
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killAll(host);
    fs.rmSync(root, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => killAll(host));

  try {
    const { edge } = config;
    const nodeVersion = spawnSync(oc.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const nginxVersion = spawnSync(nginxBin, ['-v'], { encoding: 'utf8' }).stderr.trim().replace(/^nginx version: /, '');
    const cpus = os.cpus();
    line(`Load benchmark (npm run bench:load${o.quick ? ' -- --quick' : ''}), ${new Date().toISOString()}`);
    line(`machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${os.type()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`);
    line(`OpenClaw ${runtime.openclaw} on Node ${nodeVersion} (pinned: ${runtime.node}); ${nginxVersion}; load from autocannon on Node ${process.version}`);
    line(
      `config example/prod: gateway ${gateway.id} (${gateway.agents.join(', ')}), node ${unit.nodeFlags.join(' ') || '(no flags)'}, MemoryMax=${unit.memoryMax}; nginx worker_processes ${o.workers}, worker_connections ${workerConnections(config)}; ` +
        `edge.rateLimit ${edge.rateLimit.requestsPerSecond} r/s burst ${edge.rateLimit.burst}, ${edge.rateLimit.connectionsPerViewer} connections per viewer; ` +
        `edge.hostLimit ${edge.hostLimit.requestsPerSecond} r/s burst ${edge.hostLimit.burst}, ${edge.hostLimit.websocketsPerSecond} WebSockets/s, ${edge.hostLimit.connections} connections; refusals logged 1 in ${REFUSAL_LOG_SAMPLE}`,
    );
    line(
      `runs: ${o.duration} s, ${o.connections} connections, ${o.viewers} viewers, good user ${o.goodRate}/s, parts ${o.sections.join(',')}; ` +
        `the gateway runs as ${os.userInfo().username} here (its unit: as ${gateway.user}), its egress proxy (${unit.env.HTTPS_PROXY ?? 'none'}) absent: no network`,
    );

    const preSeconds = await execStartPre(host);
    const g = await startGateway(host, o.startTimeout * 1000);
    line(`gateway: ExecStartPre ${preSeconds.toFixed(1)} s, "[gateway] ready" ${((Date.now() - g.startedAt) / 1000).toFixed(1)} s after its start, PSS of its process tree ${treePssMiB(g.proc.pid!)} MiB`);

    let device: DeviceIdentity | null = null;
    if (o.sections.includes(2) || o.sections.includes(4)) {
      await startNginx(host);
      try {
        device = await pairDevice(host);
      } catch (e) {
        line(`pairing a device failed, no authenticated WebSockets: ${(e as Error).message.split('\n')[0]}`);
      }
    }

    if (o.sections.includes(1)) await part1(host, o);
    if (o.sections.includes(2)) await part2(host, o, device);
    if (o.sections.includes(3)) await part3(host, o);
    if (o.sections.includes(4)) await part4(host, o, device);
    if (o.sections.includes(5)) await part5(host, o);
    line(`\nfinished in ${((Date.now() - begun) / 1000).toFixed(0)} s`);
  } finally {
    host.flood?.kill('SIGKILL');
    await killGateway(host);
    await stopNginx(host);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.env[FLOOD_ROLE] === 'flood') {
    floodChild();
  } else {
    main().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e instanceof Error ? e.stack : e);
        process.exit(1);
      },
    );
  }
}
