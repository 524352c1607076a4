import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { BASE_AGENT_TOOLS } from '../../lib/openclaw/agent-tools';
import { ORIGIN_VERIFY_MAP_FILE, renderOriginVerifyMap } from '../../lib/host/nginx-config';
import { NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { renderControlUiOrigins } from '../../lib/openclaw/control-ui-origins';
import { renderExecApprovals } from '../../lib/openclaw/exec-approvals';
import { agentGateways, type AgentGateway } from '../../lib/openclaw/gateways';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE, type OpenclawHostPaths } from '../../lib/openclaw/openclaw-config';
import { renderOpenclawConfig } from '../../lib/openclaw/openclaw-json';
import { openclawSecretFiles } from '../../lib/openclaw/secret-files';
import { agentSecretPointers } from '../../lib/secrets/secrets-manifest';
import { freePortRun } from '../support/free-ports';
import { pseudoRandom } from '../support/pseudo-random';
import { exampleConfig, freePort, nginxTestPaths, requireRoot, requireTool, waitForPort } from '../host/support/host-tools';
import { frameOf, gatewayConnect, newDeviceIdentity, openWebSocket, rpc, type Frame, type WsConnection } from './support/gateway-client';
import { descendants, killTree, privateTempDir, requireOpenclaw } from './support/openclaw';

// One trust boundary per agent, end to end on loopback: the two gateways of the
// example (ops and support), each the real OpenClaw started with its own
// generated openclaw.json, as its own OS user (openclaw-ops, openclaw-support:
// .ci/install-host-tools.sh creates them), with its own config, state, secrets
// and workspace folders owned by that user (0700), behind ONE real nginx
// rendered by lib/host/render.ts. A client speaking the gateway's protocol
// goes through nginx with the origin-verify header, as CloudFront would.
// The two gateways start once for the whole file (each takes 20-60 s on a
// shared machine); the last test stops one of them.

const TIMEOUT = 60_000;
const START_TIMEOUT = 300_000;
const VERIFY = pseudoRandom(48, 311);
const CLOUDFRONT = 'https://d111111abcdef8.cloudfront.net';
/** The fixed environment of the gateway unit beyond the paths (host/systemd/openclaw-gateway@.service). */
const UNIT_ENV = { OPENCLAW_CONFIG_READONLY: '1', OPENCLAW_NO_RESPAWN: '1', OPENCLAW_NO_AUTO_UPDATE: '1', NODE_ENV: 'production' };

/** One running gateway of the test: its plan, its folders (all its user's, 0700) and its process. */
interface RunningGateway {
  readonly plan: AgentGateway;
  readonly root: string;
  readonly paths: OpenclawHostPaths;
  readonly configFile: string;
  readonly stateDir: string;
  readonly home: string;
  readonly token: string;
  readonly tokenFile: string;
  readonly uid: number;
  readonly gid: number;
  proc?: ChildProcess;
  exited: boolean;
  output: string;
}

let root: string;
let config: ResolvedConfig;
const gw = new Map<string, RunningGateway>();
let nginx: ChildProcess | undefined;
let nginxExited = false;
let viewerCount = 0;

const idOf = (user: string, flag: '-u' | '-g') => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
const g = (id: string) => gw.get(id)!;

/** The secret values of the test: deterministic, long, obviously fake. */
function testSecret(name: string, seed: number): string {
  if (name.endsWith('-telegram')) return `1${pseudoRandom(9, seed, '0123456789')}:${pseudoRandom(35, seed + 1)}`;
  return pseudoRandom(48, seed);
}

/**
 * Writes one gateway's generated files under `dir` as the host holds them: its
 * openclaw.json, origins include and exec approvals 0400, its secret files 0400
 * in a 0700 folder, its state, workspaces and home 0700; everything owned by
 * the gateway's user.
 */
function writeGateway(plan: AgentGateway, dir: string, seed: number): RunningGateway {
  const paths: OpenclawHostPaths = {
    configDir: path.join(dir, 'etc'),
    workspacesDir: path.join(dir, 'state', 'workspaces'),
    agentFilesDir: path.join(dir, 'etc', 'agents'),
    secretsDir: path.join(dir, 'secrets'),
    logFile: path.join(dir, 'log', 'openclaw.log'),
  };
  const stateDir = path.join(dir, 'state');
  const home = path.join(dir, 'home');
  for (const d of [dir, paths.configDir, stateDir, paths.workspacesDir, paths.secretsDir, path.dirname(paths.logFile), home]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  for (const agent of plan.agents) fs.mkdirSync(path.join(paths.workspacesDir, agent), { mode: 0o700 });
  const configFile = path.join(paths.configDir, 'openclaw.json');
  fs.writeFileSync(configFile, `${JSON.stringify(renderOpenclawConfig(config, plan, { paths }), null, 2)}\n`, { mode: 0o400 });
  fs.writeFileSync(path.join(paths.configDir, CONTROL_UI_ORIGINS_FILE), renderControlUiOrigins(config, [CLOUDFRONT]), { mode: 0o400 });
  fs.writeFileSync(path.join(paths.configDir, EXEC_APPROVALS_FILE), renderExecApprovals(config, plan), { mode: 0o400 });
  let token = '';
  let tokenFile = '';
  openclawSecretFiles(config, plan, { paths }).forEach((s, i) => {
    if (s.mode === 'json') {
      const agent = s.name.replace(/^agent-/, '');
      const doc: Record<string, Record<string, string>> = {};
      agentSecretPointers(config, agent).forEach((pointer, j) => {
        const [, outer, inner] = pointer.split('/') as [string, string, string];
        (doc[outer] ??= {})[inner] = testSecret(`${s.name}-${outer}`, seed + i * 7 + j);
      });
      fs.writeFileSync(s.path, JSON.stringify(doc), { mode: 0o400 });
      return;
    }
    const value = testSecret(s.name, seed + i * 7);
    if (s.name === 'gateway-token') [token, tokenFile] = [value, s.path];
    fs.writeFileSync(s.path, `${value}\n`, { mode: 0o400 });
  });
  if (!token) throw new Error(`no gateway-token among the secret files of gateway ${plan.id}`);
  const uid = idOf(plan.user, '-u');
  const gid = idOf(plan.user, '-g');
  if (!(uid > 0 && gid > 0)) throw new Error(`user ${plan.user} does not exist: run .ci/install-host-tools.sh (as root)`);
  const chown = spawnSync('chown', ['-R', `${plan.user}:${plan.user}`, dir], { encoding: 'utf8' });
  if (chown.status !== 0) throw new Error(`chown ${dir}: ${chown.stderr}`);
  return { plan, root: dir, paths, configFile, stateDir, home, token, tokenFile, uid, gid, exited: false, output: '' };
}

/** The gateway's environment: nothing inherited but PATH and the locale, its own folders. */
function gatewayEnv(r: RunningGateway): NodeJS.ProcessEnv {
  const oc = requireOpenclaw();
  return {
    PATH: `${path.dirname(oc.node)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: r.home,
    OPENCLAW_HOME: r.home,
    OPENCLAW_STATE_DIR: r.stateDir,
    OPENCLAW_CONFIG_PATH: r.configFile,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ...UNIT_ENV,
  };
}

/** Starts `openclaw gateway run` as the gateway's own user and group (no supplementary groups, no new privileges). */
function startGateway(r: RunningGateway): void {
  const oc = requireOpenclaw();
  const proc = spawn('setpriv', [`--reuid=${r.uid}`, `--regid=${r.gid}`, '--init-groups', '--no-new-privs', '--', oc.node, oc.cli, 'gateway', 'run'], {
    cwd: r.stateDir,
    env: gatewayEnv(r),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  r.proc = proc;
  proc.stdout?.on('data', (d: Buffer) => (r.output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (r.output += d.toString()));
  proc.on('exit', () => (r.exited = true));
}

async function waitReady(r: RunningGateway): Promise<void> {
  try {
    await waitForPort(r.plan.port, '127.0.0.1', START_TIMEOUT, () => !r.exited);
  } catch (e) {
    throw new Error(`gateway ${r.plan.id} did not start: ${(e as Error).message}\n${r.output.slice(-4000)}`);
  }
  const deadline = Date.now() + START_TIMEOUT;
  while (!/\[gateway\] ready/.test(r.output)) {
    if (r.exited || Date.now() > deadline) throw new Error(`gateway ${r.plan.id} never became ready:\n${r.output.slice(-4000)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** SIGTERM to the process and everything below it, SIGKILL to whatever is left after 5 s. */
async function stop(child: ChildProcess | undefined, exited: () => boolean): Promise<void> {
  if (!child?.pid || exited()) return;
  const all = [child.pid, ...descendants(child.pid)];
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  all.forEach((p) => killTree(p, 'SIGTERM'));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
  all.forEach((p) => killTree(p, 'SIGKILL'));
}

/** Headers CloudFront adds: the origin-verify value and a fresh viewer address. */
function edgeHeaders(verify: string | null = VERIFY): Record<string, string> {
  viewerCount += 1;
  const h: Record<string, string> = { 'CloudFront-Viewer-Address': `198.51.100.${viewerCount}:40123` };
  if (verify !== null) h[config.edge.originVerifyHeader] = verify;
  return h;
}

/** A WebSocket through nginx at `path` (the Control UI opens it at wss://<host>/agents/<id>). */
const throughNginx = (wsPath: string, verify: string | null = VERIFY) => openWebSocket({ port: config.edge.proxyPort, path: wsPath, headers: edgeHeaders(verify) });

/** A WebSocket straight to a gateway's port on loopback, as an operator's CLI on the host. */
const direct = (id: string) => openWebSocket({ port: g(id).plan.port });

/** A GET through nginx; resolves with status and body. */
function getThroughNginx(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: config.edge.proxyPort, path: p, headers: edgeHeaders(), agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${p} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const errorCode = (f: Frame) => String(f.error?.details?.code ?? f.error?.code);

/** The gateway's answer to `connect` with `token` and a new device on `conn`. */
async function connectWith(conn: WsConnection, token: string): Promise<string> {
  try {
    expect(conn.status).toBe(101);
    const res = frameOf(await gatewayConnect(conn, { token, device: newDeviceIdentity() }));
    return res.ok ? 'ok' : errorCode(res);
  } finally {
    conn.close();
  }
}

/** Runs `cmd args` as `user` (its uid, gid and groups only); returns exit status and stderr. */
function asUser(user: string, cmd: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', [`--reuid=${idOf(user, '-u')}`, `--regid=${idOf(user, '-g')}`, '--init-groups', '--no-new-privs', '--', cmd, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    cwd: '/',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Uid and gid (real, effective, saved, fs) of a process, from /proc. */
function credentials(pid: number): { uid: number[]; gid: number[]; groups: number[] } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const line = (k: string) => (new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return { uid: line('Uid'), gid: line('Gid'), groups: line('Groups') };
}

beforeAll(async () => {
  requireRoot('the per-agent gateway end-to-end test (gateways run as their own OS users)');
  const nginxBin = requireTool('nginx');
  const oc = requireOpenclaw();
  const base = exampleConfig('prod');
  const gateways = agentGateways(base);
  const [proxyPort, gatewayPort] = [await freePort(), await freePortRun(gateways.length)];
  config = { ...base, edge: { ...base.edge, proxyPort, gatewayPort } };

  root = privateTempDir('oc-gws-e2e-');
  fs.chmodSync(root, 0o755); // each gateway user traverses to its own 0700 folder; nginx workers to theirs
  // The pinned OpenClaw must be readable and runnable by the gateway users.
  for (const p of [oc.node, oc.cli]) {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'test', '-r', p], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${p} is not readable by an unprivileged user; the gateways cannot run it`);
  }
  agentGateways(config).forEach((plan, i) => gw.set(plan.id, writeGateway(plan, path.join(root, plan.id), 600 + i * 50)));
  for (const r of gw.values()) startGateway(r);

  const nginxDir = path.join(root, 'nginx');
  fs.mkdirSync(nginxDir, { mode: 0o755 });
  const includeDir = path.join(nginxDir, 'nginx', 'openclaw');
  writeHostFiles(nginxDir, renderHostFiles(config, { nginx: { ...nginxTestPaths(nginxDir, includeDir), listenAddress: '127.0.0.1', workerProcesses: 1 }, extraAllowedOrigins: [CLOUDFRONT] }));
  fs.mkdirSync(path.join(nginxDir, 'tmp'));
  fs.writeFileSync(path.join(includeDir, ORIGIN_VERIFY_MAP_FILE), renderOriginVerifyMap(VERIFY), { mode: 0o600 });
  const ngx = spawn(nginxBin, ['-p', nginxDir, '-e', path.join(nginxDir, 'error.log'), '-c', path.join(nginxDir, NGINX_CONF_PATH), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  nginx = ngx;
  ngx.on('exit', () => (nginxExited = true));
  await waitForPort(config.edge.proxyPort, '127.0.0.1', 5_000, () => !nginxExited);

  await Promise.all([...gw.values()].map(waitReady));
}, START_TIMEOUT + 60_000);

afterAll(async () => {
  await stop(nginx, () => nginxExited);
  for (const r of gw.values()) await stop(r.proc, () => r.exited);
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('the plan of the example', () => {
  test('two gateways, ops and support, one agent each, on consecutive ports, as their own users', () => {
    expect([...gw.values()].map((r) => [r.plan.id, r.plan.agents, r.plan.user, r.plan.port - config.edge.gatewayPort, r.plan.basePath])).toEqual([
      ['ops', ['ops'], 'openclaw-ops', 0, '/agents/ops'],
      ['support', ['support'], 'openclaw-support', 1, '/agents/support'],
    ]);
    expect(g('ops').token).not.toBe(g('support').token);
  });

  test('each gateway process (and every process below it) runs as its own user and group, with no other group', () => {
    for (const r of gw.values()) {
      const pids = [r.proc!.pid!, ...descendants(r.proc!.pid!)];
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) {
        let c;
        try {
          c = credentials(pid);
        } catch {
          continue; // gone meanwhile
        }
        expect({ gateway: r.plan.id, pid, ...c }).toEqual({ gateway: r.plan.id, pid, uid: Array(4).fill(r.uid), gid: Array(4).fill(r.gid), groups: [r.gid] });
      }
    }
  });
});

describe('through nginx: each agent path reaches its own gateway', () => {
  test.each(['ops', 'support'])(
    '/agents/%s/ is that gateway\'s Control UI (its own base path in the page), and healthz below it that gateway\'s liveness answer',
    async (id) => {
      const page = await getThroughNginx(`/agents/${id}/`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`data-openclaw-control-ui-base-path="/agents/${id}"`);
      expect(page.body).not.toContain(`data-openclaw-control-ui-base-path="/agents/${id === 'ops' ? 'support' : 'ops'}"`);
      expect(await getThroughNginx(`/agents/${id}/healthz`)).toEqual({ status: 200, body: '{"ok":true,"status":"live"}' });
    },
    TIMEOUT,
  );

  test(
    'paths that name no gateway, or cross from one to the other, are 404 from nginx',
    async () => {
      for (const p of ['/', '/healthz', '/agents/', '/agents/x/', '/agents/support/..%2Fops/', '/agents/ops%2F..%2Fsupport/', '//agents/ops/']) {
        expect({ p, status: (await getThroughNginx(p)).status }).toEqual({ p, status: 404 });
      }
    },
    TIMEOUT,
  );

  test.each([
    ['ops', 'support'],
    ['support', 'ops'],
  ])(
    'the WebSocket at /agents/%s takes that gateway\'s own token (a new device is then told to pair) and refuses %s\'s token',
    async (id, other) => {
      expect(await connectWith(await throughNginx(`/agents/${id}`), g(id).token)).toBe('PAIRING_REQUIRED');
      expect(await connectWith(await throughNginx(`/agents/${id}`), g(other).token)).toBe('AUTH_TOKEN_MISMATCH');
      expect(await connectWith(await throughNginx(`/agents/${id}`), pseudoRandom(48, 399))).toBe('AUTH_TOKEN_MISMATCH');
    },
    TIMEOUT,
  );

  test(
    'without the origin-verify header nginx answers 403 on every gateway\'s path',
    async () => {
      for (const id of ['ops', 'support']) {
        const conn = await throughNginx(`/agents/${id}`, null);
        conn.close();
        expect(conn.status).toBe(403);
      }
    },
    TIMEOUT,
  );
});

describe('directly on loopback: each gateway takes only its own token', () => {
  test.each([
    ['ops', 'support'],
    ['support', 'ops'],
  ])(
    'gateway %s: its own token connects (hello-ok, its own agents only); %s\'s token is refused',
    async (id, other) => {
      const conn = await direct(id);
      const hello = frameOf(await gatewayConnect(conn, { token: g(id).token, scopes: ['operator.read'] }));
      expect(hello.ok).toBe(true);
      const agents = frameOf(await rpc(conn, 'agents.list'));
      conn.close();
      expect(agents.ok).toBe(true);
      expect((agents.payload!.agents as { id: string }[]).map((a) => a.id).sort()).toEqual([id]);
      const refused = await direct(id);
      const res = frameOf(await gatewayConnect(refused, { token: g(other).token, scopes: ['operator.read'] }));
      refused.close();
      expect(res.ok).toBe(false);
      expect(errorCode(res)).toBe('AUTH_TOKEN_MISMATCH');
    },
    TIMEOUT,
  );
});

describe('least privilege per gateway, as each running gateway reports it', () => {
  test.each([
    ['support', [...BASE_AGENT_TOOLS].sort()],
    ['ops', [...BASE_AGENT_TOOLS, 'exec', 'process'].sort()],
  ])(
    'tools.effective of %s in its own gateway: exactly its tools',
    async (id, want) => {
      const conn = await direct(id);
      const hello = frameOf(await gatewayConnect(conn, { token: g(id).token, scopes: ['operator.read', 'operator.write'] }));
      expect(hello.ok).toBe(true);
      const created = frameOf(await rpc(conn, 'sessions.create', { agentId: id }));
      expect(created.ok).toBe(true);
      const effective = frameOf(await rpc(conn, 'tools.effective', { sessionKey: created.payload!.key }));
      conn.close();
      expect(effective.ok).toBe(true);
      const groups = effective.payload!.groups as { tools: { id: string }[] }[];
      expect(groups.flatMap((gr) => gr.tools.map((t) => t.id)).sort()).toEqual(want);
    },
    TIMEOUT,
  );
});

describe('one agent\'s user cannot read the other\'s files', () => {
  /** What one gateway's user tries on the other's folders: its token, agent secret, config, state and workspace. */
  const targets = (id: string) => {
    const r = g(id);
    return {
      token: r.tokenFile,
      secret: path.join(r.paths.secretsDir, `agent-${id}.json`),
      config: r.configFile,
      state: r.stateDir,
      workspace: path.join(r.paths.workspacesDir, id),
    };
  };

  test.each([
    ['openclaw-ops', 'support'],
    ['openclaw-support', 'ops'],
  ])(
    '%s: EACCES on %s\'s token, secret, config, state and workspace; its own token reads',
    (user, other) => {
      const t = targets(other);
      // [what, command, its exit status on "Permission denied" (coreutils: cat and touch 1, ls 2)]
      const attempts: [string, string, string, number][] = [
        ['token', 'cat', t.token, 1],
        ['secret', 'cat', t.secret, 1],
        ['config', 'cat', t.config, 1],
        ['state', 'ls', t.state, 2],
        ['workspace', 'ls', t.workspace, 2],
        ['write into the workspace', 'touch', path.join(t.workspace, 'x'), 1],
      ];
      for (const [what, cmd, target, status] of attempts) {
        const a = asUser(user, cmd, [target]);
        expect({ what, status: a.status, denied: /Permission denied/.test(a.stderr), leaked: a.stdout.includes(g(other).token) }).toEqual({ what, status, denied: true, leaked: false });
      }
      expect(fs.existsSync(path.join(t.workspace, 'x'))).toBe(false);
      const own = user.replace(/^openclaw-/, '');
      expect(asUser(user, 'cat', [g(own).tokenFile]).stdout.trim()).toBe(g(own).token);
    },
    TIMEOUT,
  );

  test.each([
    ['openclaw-ops', 'support'],
    ['openclaw-support', 'ops'],
  ])(
    'a child that %s\'s Node process execs (as the gateway\'s exec tool would) gets EACCES on %s\'s token and state too',
    (user, other) => {
      const oc = requireOpenclaw();
      const script = [
        "const { execFileSync } = require('child_process');",
        "const fs = require('fs');",
        'const out = {};',
        `try { out.cat = execFileSync('cat', [${JSON.stringify(g(other).tokenFile)}], { stdio: 'pipe' }).toString(); } catch (e) { out.cat = String(e.stderr); }`,
        `try { fs.readdirSync(${JSON.stringify(g(other).stateDir)}); out.readdir = 'read'; } catch (e) { out.readdir = e.code; }`,
        `try { fs.readFileSync(${JSON.stringify(g(other).tokenFile)}); out.read = 'read'; } catch (e) { out.read = e.code; }`,
        'process.stdout.write(JSON.stringify(out));',
      ].join('\n');
      const r = asUser(user, oc.node, ['-e', script]);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { cat: string; readdir: string; read: string };
      expect(out.cat).toMatch(/Permission denied/);
      expect(out.cat).not.toContain(g(other).token);
      expect({ readdir: out.readdir, read: out.read }).toEqual({ readdir: 'EACCES', read: 'EACCES' });
    },
    TIMEOUT,
  );
});

describe('stopping one gateway', () => {
  test(
    'ops stopped: its path answers 502 through nginx, support keeps serving its page, liveness and WebSocket',
    async () => {
      const ops = g('ops');
      await stop(ops.proc, () => ops.exited);
      expect(ops.exited).toBe(true);
      expect((await getThroughNginx('/agents/ops/healthz')).status).toBe(502);
      expect((await getThroughNginx('/agents/ops/')).status).toBe(502);
      expect(await getThroughNginx('/agents/support/healthz')).toEqual({ status: 200, body: '{"ok":true,"status":"live"}' });
      expect((await getThroughNginx('/agents/support/')).body).toContain('data-openclaw-control-ui-base-path="/agents/support"');
      expect(await connectWith(await throughNginx('/agents/support'), g('support').token)).toBe('PAIRING_REQUIRED');
    },
    TIMEOUT,
  );
});
