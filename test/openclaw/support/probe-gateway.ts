/**
 * A real gateway for the probe's tests (test/openclaw/gateway-probe-*.test.ts): the example's
 * support gateway (its agent bound to Telegram), its generated openclaw.json written as the
 * host holds it (writeOpenclawFixture) on a free loopback port, Telegram's apiRoot pointed at a
 * loopback URL of the test's choosing, started as `openclaw gateway run` with the gateway unit's
 * environment (as gateway-e2e.test.ts starts it). With `stateTmpfs`, it runs in a private mount
 * namespace whose state folder is a tmpfs of that size (the namespace, and the tmpfs with it,
 * go when the gateway's processes end). And the bundled gateway-probe.js, run with the pinned
 * Node 24 as the host would run it.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { bundleGatewayProbe } from '../../../lib/bundling/host-programs';
import type { ResolvedConfig } from '../../../lib/config/schema';
import { gatewayById, type AgentGateway } from '../../../lib/openclaw/gateways';
import { openclawSecretFiles } from '../../../lib/openclaw/secret-files';
import { freePort, waitForPort } from '../../host/support/host-tools';
import { runAsync, type RunResult } from '../../host-runtime/support/runtime-tools';
import { frameOf, gatewayConnect, openWebSocket, rpc } from './gateway-client';
import { descendants, killTree, openclawEnv, requireOpenclaw, writeOpenclawFixture, type OpenclawFixture } from './openclaw';

/** The fixed environment of the gateway unit (host/systemd/openclaw-gateway.service) beyond the paths. */
export const UNIT_ENV = { OPENCLAW_CONFIG_READONLY: '1', OPENCLAW_NO_RESPAWN: '1', OPENCLAW_NO_AUTO_UPDATE: '1', NODE_ENV: 'production' };
/** One boot of a gateway takes 15-60 s on a loaded machine. */
export const BOOT_TIMEOUT = 180_000;

/** The gateway's files; start() runs it (again: the state folder stays). */
export interface ProbeGateway {
  readonly gw: AgentGateway;
  readonly fx: OpenclawFixture;
  readonly tokenFile: string;
  proc?: ChildProcess;
  exited: boolean;
  output: string;
}

/** Writes support's gateway of `config` under `root` on a free port, Telegram's API at `telegramApiRoot`. */
export async function writeProbeGateway(config: ResolvedConfig, root: string, telegramApiRoot: string): Promise<ProbeGateway> {
  const gw = { ...gatewayById(config, 'support'), port: await freePort() };
  const fx = writeOpenclawFixture(config, root, [], gw);
  const doc = JSON.parse(fs.readFileSync(fx.configFile, 'utf8')) as { channels: { telegram: Record<string, unknown> } };
  doc.channels.telegram.apiRoot = telegramApiRoot;
  fs.chmodSync(fx.configFile, 0o600);
  fs.writeFileSync(fx.configFile, `${JSON.stringify(doc, null, 2)}\n`);
  fs.chmodSync(fx.configFile, 0o400);
  const tokenFile = openclawSecretFiles(config, gw, { paths: fx.paths }).find((s) => s.name === 'gateway-token')!.path;
  return { gw, fx, tokenFile, exited: false, output: '' };
}

/** Starts `openclaw gateway run`; resolves once it listens. `stateTmpfs`: its state folder a tmpfs of that size (e.g. "128m"). */
export async function startGateway(g: ProbeGateway, stateTmpfs?: string): Promise<void> {
  const oc = requireOpenclaw();
  g.exited = false;
  g.output = '';
  const env = openclawEnv(g.fx, UNIT_ENV);
  const proc = stateTmpfs
    ? spawn(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          '/bin/sh',
          '-c',
          // The workspaces live in the state folder: made again on the empty tmpfs.
          `set -e\nmount -t tmpfs -o size=${stateTmpfs},mode=0700 probe-state '${g.fx.stateDir}'\n${g.gw.agents.map((a) => `mkdir -p '${g.fx.paths.workspacesDir}/${a}'`).join('\n')}\ncd '${g.fx.stateDir}'\nexec '${oc.node}' '${oc.cli}' gateway run`,
        ],
        { cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      )
    : spawn(oc.node, [oc.cli, 'gateway', 'run'], { cwd: g.fx.stateDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  g.proc = proc;
  proc.stdout?.on('data', (d: Buffer) => (g.output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (g.output += d.toString()));
  proc.on('exit', () => (g.exited = true));
  await waitForPort(g.gw.port, '127.0.0.1', BOOT_TIMEOUT, () => !g.exited).catch((e: Error) => {
    throw new Error(`the gateway did not listen: ${e.message}\n${g.output.slice(-4000)}`);
  });
}

/** Waits until the gateway's output matches `re` (it logs "[gateway] ready" once channels may start). */
export async function waitForOutput(g: ProbeGateway, re: RegExp, timeoutMs = BOOT_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(g.output)) {
    if (g.exited || Date.now() > deadline) throw new Error(`the gateway never logged ${re}:\n${g.output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGKILL to the gateway and every process below it: an unclean end, as a crash. */
export async function killGateway(g: ProbeGateway): Promise<void> {
  const proc = g.proc;
  if (!proc?.pid || g.exited) return;
  const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  killTree(proc.pid, 'SIGKILL');
  await done;
}

/** SIGTERM to the gateway and everything below it, SIGKILL to whatever is left after 5 s. */
export async function stopGateway(g: ProbeGateway | undefined): Promise<void> {
  const proc = g?.proc;
  if (!g || !proc?.pid || g.exited) return;
  const all = [proc.pid, ...descendants(proc.pid)];
  all.forEach((p) => killTree(p, 'SIGCONT')); // a stopped one would not act on SIGTERM
  const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  all.forEach((p) => killTree(p, 'SIGTERM'));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
  all.forEach((p) => killTree(p, 'SIGKILL'));
}

/** A command run inside the gateway's mount namespace (where its tmpfs state folder is). */
export function inGatewayNamespace(g: ProbeGateway, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return runAsync('nsenter', ['-t', String(g.proc!.pid), '-m', '--', ...args], { timeoutMs, env: openclawEnv(g.fx, UNIT_ENV) });
}

/** GET /healthz on the gateway's port: what check-gateway-health.sh asks. */
export function healthz(g: ProbeGateway): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: g.gw.port, path: '/healthz', agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('GET /healthz timed out')));
    req.on('error', reject);
  });
}

/** The keys of the agent's sessions, as an operator on the host lists them (the local CLI's token-only connection). */
export async function sessionKeys(g: ProbeGateway): Promise<string[]> {
  const conn = await openWebSocket({ port: g.gw.port });
  try {
    const hello = frameOf(await gatewayConnect(conn, { token: g.fx.token, scopes: ['operator.read'] }));
    if (!hello.ok) throw new Error(`operator connect failed: ${JSON.stringify(hello.error)}`);
    const list = frameOf(await rpc(conn, 'sessions.list', {}));
    if (!list.ok) throw new Error(`sessions.list failed: ${JSON.stringify(list.error)}`);
    return (list.payload!.sessions as { key: string }[]).map((s) => s.key).sort();
  } finally {
    conn.close();
  }
}

/** The probe's JSON line. */
export interface ProbeJson {
  readonly gateway: string;
  readonly usable: boolean;
  readonly reason: string | null;
  readonly latencyMs: number;
  readonly connectMs: number | null;
  readonly channels: { channel: string; account: string; running: boolean; state: string; reason: string | null }[];
}

export interface ProbeRun extends RunResult {
  /** Wall time of the whole program, ms. */
  readonly wallMs: number;
  /** stdout parsed (undefined when it is not one JSON line). */
  readonly json?: ProbeJson;
}

/** Writes the bundled gateway-probe.js into `dir`. */
export function writeProbeProgram(dir: string): string {
  const file = path.join(dir, 'gateway-probe.js');
  fs.writeFileSync(file, bundleGatewayProbe(), { mode: 0o644 });
  return file;
}

/** The probe's arguments for gateway `g`, its identity in `identity`. */
export const probeArgs = (g: ProbeGateway, identity: string, extra: readonly string[] = []): string[] => [
  '--gateway',
  g.gw.id,
  '--port',
  String(g.gw.port),
  '--token-file',
  g.tokenFile,
  '--agents',
  g.gw.agents.join(','),
  '--identity',
  identity,
  ...extra,
];

/** Runs the bundled probe with the pinned Node 24, as the host would; killed after `limitMs`. */
export async function runProbeProgram(program: string, args: readonly string[], limitMs = 60_000): Promise<ProbeRun> {
  const oc = requireOpenclaw();
  const t0 = performance.now();
  const r = await runAsync(oc.node, [program, ...args], { timeoutMs: limitMs, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' } });
  const wallMs = performance.now() - t0;
  let json: ProbeJson | undefined;
  try {
    json = r.stdout.endsWith('\n') && r.stdout.indexOf('\n') === r.stdout.length - 1 ? (JSON.parse(r.stdout) as ProbeJson) : undefined;
  } catch {
    json = undefined;
  }
  return { ...r, wallMs, ...(json ? { json } : {}) };
}
