/**
 * The real OpenClaw of host/openclaw/package-lock.json, for the tests: installed
 * by .ci/install-openclaw.sh into .cache/openclaw, run with a temporary HOME,
 * state folder and config, and generated configs written the way the host
 * holds them (owner-only files, secrets in their own folder).
 */
import { agentSecretPointers } from '../../../lib/secrets/secrets-manifest';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ResolvedConfig } from '../../../lib/config/schema';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE, type OpenclawHostPaths } from '../../../lib/openclaw/openclaw-config';
import { listAgentFiles, type AgentFile } from '../../../lib/openclaw/agent-files';
import { openclawSecretFiles } from '../../../lib/openclaw/secret-files';
import { renderControlUiOrigins } from '../../../lib/openclaw/control-ui-origins';
import { renderExecApprovals } from '../../../lib/openclaw/exec-approvals';
import { renderOpenclawConfig } from '../../../lib/openclaw/openclaw-json';
import { agentGateways, type AgentGateway } from '../../../lib/openclaw/gateways';
import { pseudoRandom } from '../../support/pseudo-random';
import { CONFIG_DIR, REPO_ROOT } from '../../support/config-fixture';

export const INSTALL_SCRIPT = path.join(REPO_ROOT, '.ci', 'install-openclaw.sh');
export const OPENCLAW_CACHE = process.env.OPENCLAW_CACHE_DIR ?? path.join(REPO_ROOT, '.cache', 'openclaw');
export const INSTALL_HINT = `run \`bash .ci/install-openclaw.sh\` (installs the pinned OpenClaw and Node 24 from host/openclaw/package-lock.json into ${path.relative(REPO_ROOT, OPENCLAW_CACHE) || OPENCLAW_CACHE}; needs the npm registry)`;

export interface OpenclawInstall {
  readonly dir: string;
  /** Node 24 from the lockfile. */
  readonly node: string;
  /** node_modules/openclaw/openclaw.mjs */
  readonly cli: string;
}

let install: OpenclawInstall | undefined;

/**
 * The pinned OpenClaw, installing it first if needed (the script is a no-op when
 * the install matches the lockfile). Throws, so that the tests fail rather than
 * skip, with the command to run.
 */
export function requireOpenclaw(): OpenclawInstall {
  if (install) return install;
  const r = spawnSync('bash', [INSTALL_SCRIPT], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, OPENCLAW_CACHE_DIR: OPENCLAW_CACHE },
  });
  const node = path.join(OPENCLAW_CACHE, 'node_modules', 'node', 'bin', 'node');
  const cli = path.join(OPENCLAW_CACHE, 'node_modules', 'openclaw', 'openclaw.mjs');
  if (r.status !== 0 || !fs.existsSync(node) || !fs.existsSync(cli)) {
    throw new Error(`OpenClaw is not installed and the installer failed (${r.status ?? r.error?.message}):\n${r.stderr}${r.stdout}\n${INSTALL_HINT}`);
  }
  install = { dir: OPENCLAW_CACHE, node, cli };
  return install;
}

/** A fresh private temporary folder. */
export function privateTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Where one generated deployment lives in a temporary folder: the host layout in miniature. */
export interface OpenclawFixture {
  readonly root: string;
  /** The gateway whose files these are. */
  readonly gateway: AgentGateway;
  readonly paths: OpenclawHostPaths;
  readonly configFile: string;
  readonly stateDir: string;
  readonly home: string;
  /** The test gateway token (also in the gateway-token secret file). */
  readonly token: string;
  readonly agentFiles: readonly AgentFile[];
}

/** Test values of the secret files: deterministic, long, obviously fake. */
function testSecret(name: string, seed: number): string {
  if (name === 'channel-telegram') return `1${pseudoRandom(9, seed, '0123456789')}:${pseudoRandom(35, seed + 1)}`;
  return pseudoRandom(48, seed);
}

/** The only gateway of `config`; throws when it has several (pass the one to write). */
function onlyGateway(config: ResolvedConfig): AgentGateway {
  const gateways = agentGateways(config);
  if (gateways.length !== 1) throw new Error(`writeOpenclawFixture: ${config.client}/${config.env} has ${gateways.length} gateways (${gateways.map((g) => g.id).join(', ')}): pass the one to write`);
  return gateways[0]!;
}

/**
 * Writes the generated config of one gateway of `config` under `root` as the
 * host holds it (openclawHostFiles): openclaw.json, its include and the exec
 * approvals 0400 (the audit reports anything readable by group or others),
 * the secrets folder 0700 with each secret 0400, agent files of its agents in
 * etc/agents/<agent>/ 0444, empty workspaces, state and home 0700.
 */
export function writeOpenclawFixture(config: ResolvedConfig, root: string, extraOrigins: readonly string[] = [], gateway: AgentGateway = onlyGateway(config)): OpenclawFixture {
  const paths: OpenclawHostPaths = {
    configDir: path.join(root, 'etc'),
    workspacesDir: path.join(root, 'state', 'workspaces'),
    agentFilesDir: path.join(root, 'etc', 'agents'),
    secretsDir: path.join(root, 'secrets'),
    logFile: path.join(root, 'log', 'openclaw.log'),
  };
  const stateDir = path.join(root, 'state');
  const home = path.join(root, 'home');
  for (const d of [paths.configDir, stateDir, paths.workspacesDir, paths.secretsDir, path.dirname(paths.logFile), home]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const configFile = path.join(paths.configDir, 'openclaw.json');
  fs.writeFileSync(configFile, `${JSON.stringify(renderOpenclawConfig(config, gateway, { paths }), null, 2)}\n`, { mode: 0o400 });
  fs.writeFileSync(path.join(paths.configDir, CONTROL_UI_ORIGINS_FILE), renderControlUiOrigins(config, extraOrigins), { mode: 0o400 });
  fs.writeFileSync(path.join(paths.configDir, EXEC_APPROVALS_FILE), renderExecApprovals(config, gateway), { mode: 0o400 });
  let token = '';
  openclawSecretFiles(config, gateway, { paths }).forEach((s, i) => {
    if (s.mode === 'json') {
      // The agent's document as stored in Secrets Manager: a test value at each pointer it must hold.
      const agent = s.name.replace(/^agent-/, '');
      const doc: Record<string, Record<string, string>> = {};
      agentSecretPointers(config, agent).forEach((pointer, j) => {
        const [, outer, inner] = pointer.split('/') as [string, string, string];
        (doc[outer] ??= {})[inner] = testSecret(`${s.name}-${outer}`, 500 + i * 7 + j);
      });
      fs.writeFileSync(s.path, JSON.stringify(doc), { mode: 0o400 });
      return;
    }
    const value = testSecret(s.name, 500 + i * 7);
    if (s.name === 'gateway-token') token = value;
    fs.writeFileSync(s.path, `${value}\n`, { mode: 0o400 });
  });
  const agentFiles = listAgentFiles(config, CONFIG_DIR, { agentFilesDir: paths.agentFilesDir, workspacesDir: () => paths.workspacesDir }).filter((f) => f.gateway === gateway.id);
  for (const f of agentFiles) {
    fs.mkdirSync(path.dirname(f.hostPath), { recursive: true, mode: 0o755 });
    fs.writeFileSync(f.hostPath, f.content, { mode: 0o444 });
    fs.mkdirSync(path.dirname(f.workspacePath), { recursive: true, mode: 0o700 });
  }
  for (const id of gateway.agents) fs.mkdirSync(path.join(paths.workspacesDir, id), { recursive: true, mode: 0o700 });
  return { root, gateway, paths, configFile, stateDir, home, token, agentFiles };
}

/** Environment of an OpenClaw command for a fixture: nothing inherited but PATH (with Node 24 first) and the locale. */
export function openclawEnv(fx: OpenclawFixture, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const oc = requireOpenclaw();
  return {
    PATH: `${path.dirname(oc.node)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    HOME: fx.home,
    OPENCLAW_HOME: fx.home,
    OPENCLAW_STATE_DIR: fx.stateDir,
    OPENCLAW_CONFIG_PATH: fx.configFile,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ...extra,
  };
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `openclaw <args>` for a fixture, bounded; resolves with its status and output. */
export function runOpenclaw(fx: OpenclawFixture, args: readonly string[], timeoutMs = 60_000, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  const oc = requireOpenclaw();
  return new Promise((resolve, reject) => {
    const child = spawn(oc.node, [oc.cli, ...args], { cwd: fx.root, env: openclawEnv(fx, extraEnv), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killTree(child.pid!, 'SIGKILL');
      reject(new Error(`openclaw ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL'); // helpers left in its process group
      } catch {
        // none
      }
      resolve({ status, stdout, stderr });
    });
  });
}

/** Parses the JSON document a command printed (stdout, ignoring log lines around it). */
export function jsonOf<T = Record<string, unknown>>(r: RunResult, what: string): T {
  const start = r.stdout.indexOf('{');
  const end = r.stdout.lastIndexOf('}');
  if (start < 0 || end < start) throw new Error(`${what}: no JSON on stdout (status ${r.status})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return JSON.parse(r.stdout.slice(start, end + 1)) as T;
}

export interface AuditFinding {
  readonly checkId: string;
  readonly severity: 'critical' | 'warn' | 'info';
  readonly title?: string;
  readonly detail?: string;
}
export interface AuditReport {
  readonly summary: { critical: number; warn: number; info: number };
  readonly findings: AuditFinding[];
}

/** `openclaw security audit --json [...]` of a fixture. */
export async function securityAudit(fx: OpenclawFixture, extraArgs: readonly string[] = [], timeoutMs = 90_000): Promise<AuditReport> {
  const r = await runOpenclaw(fx, ['security', 'audit', '--json', ...extraArgs], timeoutMs);
  const report = jsonOf<AuditReport>(r, 'openclaw security audit --json');
  if (!report.summary) throw new Error(`openclaw security audit --json: no summary (status ${r.status})\n${r.stdout}\n${r.stderr}`);
  return report;
}

/** Critical and warn findings, one line each, for failure messages. */
export const seriousFindings = (report: AuditReport) =>
  report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.checkId}: ${f.title ?? ''} | ${f.detail ?? ''}`);

/** Child pids of `pid`, recursively, from /proc (a process group does not hold OpenClaw's helper processes). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

/** Signals `pid` and every descendant (collected first, so re-parented helpers are not missed). */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const p of [pid, ...descendants(pid)]) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}
