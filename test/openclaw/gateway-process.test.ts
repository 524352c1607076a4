/**
 * The real pinned gateway started with the environment its rendered unit gives it
 * (the unit's own Environment= lines, paths moved into a temporary folder): the
 * launcher is the gateway, with no second Node process left behind by OpenClaw's
 * compile-cache respawn (about 60 MB for the gateway's whole life). And the same
 * gateway without the marker does leave one, so the test can see the difference.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as net from 'net';
import * as fs from 'fs';
import * as path from 'path';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { agentGateways } from '../../lib/openclaw/gateways';
import { freePortRun } from '../support/free-ports';
import { CONFIG_DIR } from '../support/config-fixture';
import { exampleConfig, waitForPort } from '../host/support/host-tools';
import { descendants, killTree, openclawEnv, privateTempDir, requireOpenclaw, writeOpenclawFixture, type OpenclawFixture } from './support/openclaw';

const START_TIMEOUT = 120_000;
/** The rendered unit of the example's support gateway (its TimeoutStopSec). */
const GATEWAY_UNIT_TEXT = () => renderRuntimeFiles(exampleConfig('dev'), CONFIG_DIR)['systemd/openclaw-gateway@support.service']!;

/** The Environment= assignments of the rendered unit of `gateway`, in order (`A=1 B=2` lines split). */
function unitEnvironment(unit: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unit.split('\n')) {
    if (!line.startsWith('Environment=')) continue;
    for (const word of line.slice('Environment='.length).split(' ')) {
      const i = word.indexOf('=');
      env[word.slice(0, i)] = word.slice(i + 1);
    }
  }
  return env;
}

const cmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

interface Started {
  readonly proc: ChildProcess;
  readonly fx: OpenclawFixture;
  output: string;
  exited: boolean;
}

interface StartOptions {
  /** Leave out the compile-cache marker of the unit. */
  readonly withoutMarker?: boolean;
  /** The gateway of the example (ops: no channel; support: Telegram). @default 0 (ops) */
  readonly gatewayIndex?: number;
  /** Changes openclaw.json before the start. */
  readonly edit?: (doc: Record<string, unknown>) => void;
  /** Start the gateway of an earlier run again: same files, state and port. */
  readonly again?: Started;
}

async function startGateway(o: StartOptions = {}): Promise<Started> {
  const oc = requireOpenclaw();
  const base = exampleConfig('dev');
  const config = { ...base, edge: { ...base.edge, gatewayPort: o.again ? o.again.fx.gateway.port - (o.gatewayIndex ?? 0) : await freePortRun(2) } };
  const gateway = agentGateways(config)[o.gatewayIndex ?? 0]!;
  const fx = o.again?.fx ?? writeOpenclawFixture(config, privateTempDir('oc-process-'), [], gateway);
  if (o.edit && !o.again) {
    const doc = JSON.parse(fs.readFileSync(fx.configFile, 'utf8')) as Record<string, unknown>;
    o.edit(doc);
    fs.chmodSync(fx.configFile, 0o600);
    fs.writeFileSync(fx.configFile, `${JSON.stringify(doc, null, 2)}\n`);
    fs.chmodSync(fx.configFile, 0o400);
  }
  const unit = renderRuntimeFiles(config, CONFIG_DIR)[`systemd/${gateway.unit}`]!;
  const fromUnit = unitEnvironment(unit);
  // The unit's flags as rendered; its paths moved into the fixture; no egress proxy here (loopback only).
  const flags = Object.fromEntries(Object.entries(fromUnit).filter(([k]) => /^(OPENCLAW_(?!STATE_DIR|CONFIG_PATH)|NODE_)/.test(k)));
  expect(fromUnit.NODE_COMPILE_CACHE).toBe(`${fromUnit.OPENCLAW_STATE_DIR}/.compile-cache`);
  const env = openclawEnv(fx, { ...flags, NODE_COMPILE_CACHE: path.join(fx.stateDir, '.compile-cache') });
  if (o.withoutMarker) delete env.OPENCLAW_PACKAGED_COMPILE_CACHE_RESPAWNED;
  const proc = spawn(oc.node, [oc.cli, 'gateway', 'run'], { cwd: fx.stateDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const s: Started = { proc, fx, output: '', exited: false };
  proc.stdout?.on('data', (d: Buffer) => (s.output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (s.output += d.toString()));
  proc.on('exit', () => (s.exited = true));
  try {
    await waitForPort(gateway.port, '127.0.0.1', START_TIMEOUT, () => !s.exited);
  } catch (e) {
    throw new Error(`gateway did not start: ${(e as Error).message}\n${s.output.slice(-3000)}`);
  }
  return s;
}

/** SIGTERM to the whole tree (collected first: a respawned gateway outlives its launcher), SIGKILL after 10 s, then waits until every one is gone. */
async function stop(s: Started | undefined, keepFiles = false): Promise<void> {
  if (!s?.proc.pid) return;
  const all = [s.proc.pid, ...descendants(s.proc.pid)];
  const signal = (sig: NodeJS.Signals) => all.forEach((p) => killTree(p, sig));
  const alive = () => all.filter((p) => fs.existsSync(`/proc/${p}`) && !fs.readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z '));
  signal('SIGTERM');
  for (let i = 0; i < 100 && alive().length; i++) await new Promise((r) => setTimeout(r, 100));
  signal('SIGKILL');
  for (let i = 0; i < 50 && alive().length; i++) await new Promise((r) => setTimeout(r, 100));
  if (!keepFiles) fs.rmSync(s.fx.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/** SIGKILL to whatever of `pids` is left (a gateway's workers can outlive it), and waits until all are gone (bounded). */
async function reap(pids: readonly number[]): Promise<void> {
  const alive = () => pids.filter((p) => fs.existsSync(`/proc/${p}`) && !fs.readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z '));
  pids.forEach((p) => killTree(p, 'SIGKILL'));
  for (let i = 0; i < 50 && alive().length; i++) await new Promise((r) => setTimeout(r, 100));
}

/** Waits for `[gateway] ready` (bounded). */
async function ready(s: Started): Promise<void> {
  for (let i = 0; i < 600 && !/\[gateway\] ready/.test(s.output) && !s.exited; i++) await new Promise((r) => setTimeout(r, 200));
  expect(s.output).toMatch(/\[gateway\] ready/);
}

/**
 * Stops the gateway as `systemctl stop` does (SIGTERM to the main process), then runs the unit's
 * ExecStopPost= (the rendered record-clean-stop.sh) when asked, with the variables systemd gives it:
 * SERVICE_RESULT (success: exit status 0 or 143, the unit's SuccessExitStatus=), EXIT_CODE, EXIT_STATUS.
 */
async function systemdStop(s: Started, script: string | null): Promise<{ status: number | null; line: string }> {
  const family = descendants(s.proc.pid!);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => {
    s.proc.once('exit', (c, sig) => r([c, sig]));
    process.kill(s.proc.pid!, 'SIGTERM');
  });
  await reap(family);
  await stop(s, true);
  if (!script) return { status: code, line: '' };
  const r = spawnSync(script, [], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      OPENCLAW_STATE_DIR: s.fx.stateDir,
      OPENCLAW_NODE: requireOpenclaw().node,
      SERVICE_RESULT: code === 0 || code === 143 ? 'success' : 'exit-code',
      EXIT_CODE: signal ? 'killed' : 'exited',
      EXIT_STATUS: signal ?? String(code),
    },
  });
  expect(r.status).toBe(0);
  return { status: code, line: r.stdout.trim() };
}

/** OpenClaw's own crash-loop breaker decision for a state folder (inspectGatewayCrashLoopBreaker of the pinned dist). */
function breakerDecision(stateDir: string): { tripped: boolean; uncleanBoots: number } {
  const dist = path.join(path.dirname(requireOpenclaw().cli), 'dist');
  const file = fs.readdirSync(dist).find((f) => /^gateway-boot-lifecycle-.*\.mjs$/.test(f))!;
  const exported = /inspectGatewayCrashLoopBreaker as (\w+)/.exec(fs.readFileSync(path.join(dist, file), 'utf8'))![1]!;
  const r = spawnSync(requireOpenclaw().node, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(path.join(dist, file))}); const d = m.${exported}(process.env); console.log(JSON.stringify({ tripped: d.tripped, uncleanBoots: d.uncleanBoots }));`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, OPENCLAW_STATE_DIR: stateDir, HOME: stateDir },
  });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { tripped: boolean; uncleanBoots: number };
}

/** The processes of the tree that run the gateway (it names itself `openclaw-gateway`), and those still running the launcher. */
const tree = (s: Started) => {
  const all = [s.proc.pid!, ...descendants(s.proc.pid!)];
  return {
    gateway: all.filter((p) => cmdline(p).startsWith('openclaw-gateway')),
    launcher: all.filter((p) => cmdline(p).includes(`${requireOpenclaw().cli} gateway run`)),
  };
};

describe('the gateway process started as its unit starts it', () => {
  let s: Started | undefined;
  afterEach(async () => {
    await stop(s);
    s = undefined;
  });

  test(
    'the unit\'s environment: the launcher is the gateway, no second OpenClaw process, the compile cache on the state volume',
    async () => {
      s = await startGateway();
      // The process systemd started (the unit's main PID) is the gateway itself.
      expect(tree(s)).toEqual({ gateway: [s.proc.pid], launcher: [] });
      // The cache folder the unit names is the one Node writes (no per-version subfolder of the launcher's).
      expect(fs.existsSync(path.join(s.fx.stateDir, '.compile-cache'))).toBe(true);
      expect(fs.existsSync(path.join(s.fx.stateDir, '.compile-cache', 'openclaw'))).toBe(false);
    },
    START_TIMEOUT + 30_000,
  );

  test(
    'without the marker OpenClaw respawns itself and the launcher stays behind (what the marker saves)',
    async () => {
      s = await startGateway({ withoutMarker: true });
      const t = tree(s);
      expect(t.launcher).toEqual([s.proc.pid]);
      expect(t.gateway).toHaveLength(1);
      expect(t.gateway[0]).not.toBe(s.proc.pid);
    },
    START_TIMEOUT + 30_000,
  );

  test(
    'SIGTERM while Telegram hangs: the gateway exits by itself (143) before the unit\'s TimeoutStopSec, whose value is above its own shutdown budget even when it cannot read it; it leaves its boot record open, which the unit\'s ExecStopPost closes',
    async () => {
      // Telegram's API: accepts and never answers, so the channel's requests hang through the stop.
      const sockets = new Set<net.Socket>();
      const telegram = net.createServer((c) => (sockets.add(c), c.on('error', () => undefined)));
      await new Promise<void>((r) => telegram.listen(0, '127.0.0.1', r));
      try {
        const timeoutStopMs = Number(/^TimeoutStopSec=(\d+)$/m.exec(GATEWAY_UNIT_TEXT())![1]) * 1000;
        s = await startGateway({
          gatewayIndex: 1,
          edit: (doc) => {
            (doc.channels as Record<string, Record<string, unknown>>).telegram!.apiRoot = `http://127.0.0.1:${(telegram.address() as net.AddressInfo).port}`;
          },
        });
        for (let i = 0; i < 300 && (sockets.size === 0 || !/\[gateway\] ready/.test(s.output)); i++) await new Promise((r) => setTimeout(r, 200));
        expect(sockets.size).toBeGreaterThan(0);
        expect(s.output).toMatch(/\[gateway\] ready/);
        const started = Date.now();
        const family = descendants(s.proc.pid!);
        const exited = new Promise<number | null>((r) => (s!.exited ? r(s!.proc.exitCode) : s!.proc.once('exit', (code) => r(code))));
        process.kill(s.proc.pid!, 'SIGTERM');
        const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), timeoutStopMs + 10_000))]);
        await reap(family);
        // 143: what the unit's SuccessExitStatus= counts as a successful stop.
        expect(code).toBe(143);
        expect(Date.now() - started).toBeLessThan(timeoutStopMs);
        // This machine has no systemd: the gateway cannot read the unit's value and takes its default, the
        // worst case. Its forced exit (the budget, logged at start) plus its exit margin still ends before
        // systemd's SIGKILL. (It may exit before it logs the budget again at shutdown.)
        const budget = /shutdown budget at startup: drain=\d+ms shutdown=(\d+)ms reserve=\d+ms exitMargin=(\d+)ms/.exec(s.output);
        expect(budget).not.toBeNull();
        expect(Number(budget![1]) + Number(budget![2])).toBeLessThan(timeoutStopMs);
        // OpenClaw left its boot open (an unclean boot to its breaker); the unit's ExecStopPost closes it.
        const rows = () => {
          const r = spawnSync(requireOpenclaw().node, ['-e', `const { DatabaseSync } = require('node:sqlite'); const d = new DatabaseSync(process.argv[1], { readOnly: true }); console.log(JSON.stringify(d.prepare('select outcome, completed_at_ms is not null as closed from gateway_boot_lifecycle').all()))`, path.join(s!.fx.stateDir, 'state', 'openclaw.sqlite')], { encoding: 'utf8' });
          return JSON.parse(r.stdout) as unknown;
        };
        expect(rows()).toEqual([{ outcome: null, closed: 0 }]);
        const script = path.join(s.fx.root, 'record-clean-stop.sh');
        fs.writeFileSync(script, renderRuntimeFiles(exampleConfig('dev'), CONFIG_DIR)['scripts/record-clean-stop.sh']!, { mode: 0o755 });
        const post = spawnSync(script, [], { encoding: 'utf8', env: { PATH: process.env.PATH, OPENCLAW_STATE_DIR: s.fx.stateDir, OPENCLAW_NODE: requireOpenclaw().node, SERVICE_RESULT: 'success', EXIT_CODE: 'exited', EXIT_STATUS: String(code) } });
        expect(post.stdout).toMatch(/^record-clean-stop: closed boot /);
        expect(rows()).toEqual([{ outcome: 'clean_stop', closed: 1 }]);
      } finally {
        sockets.forEach((c) => c.destroy());
        telegram.close();
      }
    },
    START_TIMEOUT + 120_000,
  );

  test(
    'a bad minute of planned restarts: three stops in a row leave no unclean boot with the unit\'s ExecStopPost (OpenClaw\'s breaker stays off); the same three without it trip the breaker',
    async () => {
      const dir = privateTempDir('oc-stop-post-');
      const script = path.join(dir, 'record-clean-stop.sh');
      fs.writeFileSync(script, renderRuntimeFiles(exampleConfig('dev'), CONFIG_DIR)['scripts/record-clean-stop.sh']!, { mode: 0o755 });
      expect(GATEWAY_UNIT_TEXT()).toContain('\nSuccessExitStatus=143\nExecStopPost=/usr/local/libexec/openclaw/record-clean-stop.sh\n');
      let first: Started | undefined;
      try {
        for (let i = 0; i < 3; i++) {
          s = await startGateway(first ? { again: first } : {});
          first ??= s;
          await ready(s);
          const stopped = await systemdStop(s, script);
          expect(stopped.status).toBe(143);
          expect(stopped.line).toMatch(/^record-clean-stop: closed boot [0-9a-f-]{36}$/);
        }
        expect(breakerDecision(first!.fx.stateDir)).toEqual({ tripped: false, uncleanBoots: 0 });
        for (let i = 0; i < 3; i++) {
          s = await startGateway({ again: first });
          await ready(s);
          await systemdStop(s, null);
        }
        expect(breakerDecision(first!.fx.stateDir)).toEqual({ tripped: true, uncleanBoots: 3 });
      } finally {
        s = undefined;
        if (first) fs.rmSync(first.fx.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    6 * START_TIMEOUT,
  );

  test('the script closes nothing for a crash, a kill or a timed-out stop, and never fails the stop', () => {
    const dir = privateTempDir('oc-stop-post-');
    try {
      const script = path.join(dir, 'record-clean-stop.sh');
      fs.writeFileSync(script, renderRuntimeFiles(exampleConfig('dev'), CONFIG_DIR)['scripts/record-clean-stop.sh']!, { mode: 0o755 });
      const run = (env: Record<string, string>) => spawnSync(script, [], { encoding: 'utf8', env: { PATH: process.env.PATH, OPENCLAW_STATE_DIR: dir, OPENCLAW_NODE: requireOpenclaw().node, ...env } });
      fs.mkdirSync(path.join(dir, 'state'));
      const db = path.join(dir, 'state', 'openclaw.sqlite');
      spawnSync(requireOpenclaw().node, ['-e', `const { DatabaseSync } = require('node:sqlite'); const d = new DatabaseSync(process.argv[1]); d.exec("create table gateway_boot_lifecycle (boot_id text primary key, pid integer, started_at_ms integer, completed_at_ms integer, outcome text, startup_reason text, reason text); insert into gateway_boot_lifecycle values ('b1', 1, 1, null, null, null, null)");`, db]);
      for (const env of [
        { SERVICE_RESULT: 'exit-code', EXIT_CODE: 'exited', EXIT_STATUS: '1' },
        { SERVICE_RESULT: 'signal', EXIT_CODE: 'killed', EXIT_STATUS: 'KILL' },
        { SERVICE_RESULT: 'timeout', EXIT_CODE: 'killed', EXIT_STATUS: 'KILL' },
        { SERVICE_RESULT: 'success', EXIT_CODE: 'exited', EXIT_STATUS: '2' },
        { SERVICE_RESULT: 'oom-kill', EXIT_CODE: 'killed', EXIT_STATUS: 'KILL' },
      ]) {
        const r = run(env);
        expect([r.status, r.stdout.trim()]).toEqual([0, `record-clean-stop: nothing to close (result ${env.SERVICE_RESULT}, ${env.EXIT_CODE} ${env.EXIT_STATUS}: not a clean stop)`]);
      }
      const open = spawnSync(requireOpenclaw().node, ['-e', `const { DatabaseSync } = require('node:sqlite'); console.log(JSON.stringify(new DatabaseSync(process.argv[1]).prepare('select outcome from gateway_boot_lifecycle').all()))`, db], { encoding: 'utf8' });
      expect(JSON.parse(open.stdout)).toEqual([{ outcome: null }]);
      expect(run({ SERVICE_RESULT: 'success', EXIT_CODE: 'exited', EXIT_STATUS: '0' }).stdout.trim()).toBe('record-clean-stop: closed boot b1');
      expect(run({ SERVICE_RESULT: 'success', EXIT_CODE: 'exited', EXIT_STATUS: '143' }).stdout.trim()).toBe('record-clean-stop: nothing to close (no open boot record)');
      fs.rmSync(db);
      expect(run({ SERVICE_RESULT: 'success', EXIT_CODE: 'exited', EXIT_STATUS: '143' }).stdout.trim()).toBe(`record-clean-stop: nothing to close (no state database ${db})`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
