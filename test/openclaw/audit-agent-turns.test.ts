import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AGENT_AUDIT_PROGRAM_PATH } from '../../lib/audit/agent-audit';
import { bundleAgentAudit } from '../../lib/bundling/host-programs';
import { AGENT_AUDIT_FILE } from '../../lib/host/cloudwatch-agent';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { EXEC_APPROVALS_FILE } from '../../lib/openclaw/openclaw-config';
import { agentGateways, type AgentGateway } from '../../lib/openclaw/gateways';
import { CONFIG_DIR } from '../support/config-fixture';
import { exampleConfig, freePort, waitForPort } from '../host/support/host-tools';
import { fileAttributes, removeAppendOnlyTree, requireAppendOnly, requireRootForRuntime, requireRuntimeTool, runAsync, writeExecutable } from '../host-runtime/support/runtime-tools';
import { startFakeModel, startFakeTelegram } from './support/audit-fakes';
import { descendants, killTree, openclawEnv, requireOpenclaw, writeOpenclawFixture, type OpenclawFixture } from './support/openclaw';

// The attributable audit, end to end with real agent turns. Two real OpenClaw gateways of
// the example client, one per agent as the host runs them (lib/openclaw/gateways.ts): each as
// its own OS user (openclaw-ops, openclaw-support, as on the host), its state folder
// <state root>/<gateway id> owned by that user. Their model is a loopback stand-in for the
// Anthropic API that answers with tool calls; support's Telegram channel a loopback stand-in
// for the Bot API. Each gateway runs its OWN rendered openclaw.json (renderOpenclawConfig with
// its AgentGateway: its agent only, its token, its proxy port); the only changes to it are those
// two URLs (models.providers.anthropic.baseUrl, support's channels.telegram.apiRoot) and the
// gateway port (a free one in place of edge.gatewayPort + n, given as the gateway's port): the
// egress proxy setting stays as rendered (no squid runs here; OpenClaw sends loopback
// traffic directly, proxy.loopbackMode gateway-only), and logging.audit is the rendered one.
// Turns are driven with `openclaw agent` through each gateway. Then the rendered
// export-logs.sh runs as root (journalctl a stand-in; the gateway-log step as rendered) with
// the bundled agent-audit.js under Node 24, and the audit file is checked line by line.

const config = exampleConfig('dev');
/** Generous: on a loaded CI machine one OpenClaw command can take minutes. */
const TURN_TIMEOUT = 300_000;
/** The fixed environment of the gateway unit (host/systemd/openclaw-gateway.service) beyond the paths. */
const UNIT_ENV = { OPENCLAW_CONFIG_READONLY: '1', OPENCLAW_NO_RESPAWN: '1', OPENCLAW_NO_AUTO_UPDATE: '1', NODE_ENV: 'production' };
/** Words of the conversation that must never reach the audit file. */
const CONTENT = ['How loaded is the host', 'Who runs the gateway', 'Hello customer', 'load average', 'uid=', '/usr/bin/id', '/usr/bin/uptime', '100000001'];

interface Running {
  readonly gateway: AgentGateway;
  readonly fx: OpenclawFixture;
  readonly proc: ChildProcess;
  output: string;
  exited: boolean;
}

let root: string;
let stateRoot: string;
let auditDir: string;
let exportState: string;
let script: string;
let program: string;
let journalctl: string;
let model: Awaited<ReturnType<typeof startFakeModel>>;
let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
const running = new Map<string, Running>();
let started = 0;

/** `node openclaw.mjs <args>` as the gateway's user with its fixture's environment, bounded. */
function openclawAs(g: AgentGateway, fx: OpenclawFixture, args: readonly string[], timeoutMs = TURN_TIMEOUT) {
  const oc = requireOpenclaw();
  return runAsync('setpriv', [`--reuid=${g.user}`, `--regid=${g.user}`, '--clear-groups', oc.node, oc.cli, ...args], { env: openclawEnv(fx, UNIT_ENV), cwd: fx.stateDir, timeoutMs });
}

/** One gateway's files as the host holds them, owned by its user; the state folder at <state root>/<id>. */
async function startGateway(g: AgentGateway): Promise<Running> {
  const oc = requireOpenclaw();
  const port = (await freePort())!;
  // This gateway's own openclaw.json (renderOpenclawConfig(config, gateway)), on a free port instead of edge.gatewayPort + n.
  const base = writeOpenclawFixture(config, path.join(root, 'gateways', g.id), [], { ...g, port });
  const fx: OpenclawFixture = { ...base, stateDir: path.join(stateRoot, g.id) };
  const doc = JSON.parse(fs.readFileSync(fx.configFile, 'utf8')) as {
    gateway: { port: number };
    models: { providers: { anthropic: Record<string, unknown> } };
    channels: { telegram?: Record<string, unknown> };
  };
  expect(doc.gateway.port).toBe(port);
  // Only the support gateway has the Telegram channel (its agent's); ops renders none.
  expect(Object.keys(doc.channels)).toEqual(g.id === 'support' ? ['defaults', 'telegram'] : ['defaults']);
  doc.models.providers.anthropic.baseUrl = model.endpoint;
  if (doc.channels.telegram) doc.channels.telegram.apiRoot = telegram.endpoint;
  fs.chmodSync(fx.configFile, 0o600);
  fs.writeFileSync(fx.configFile, `${JSON.stringify(doc, null, 2)}\n`);
  fs.chmodSync(fx.configFile, 0o400);
  fs.mkdirSync(fx.stateDir, { mode: 0o700 });
  for (const p of [base.root, fx.stateDir]) await runAsync('chown', ['-R', `${g.user}:${g.user}`, p]);
  // The gateway unit's ExecStartPre: the exec approvals imported into the state folder.
  const imported = await openclawAs(g, fx, ['approvals', 'set', '--file', path.join(fx.paths.configDir, EXEC_APPROVALS_FILE)], TURN_TIMEOUT);
  if (imported.code !== 0) throw new Error(`${g.id}: openclaw approvals set failed (exit ${imported.code}, signal ${imported.signal}):\n${imported.stderr}${imported.stdout}`);
  const proc = spawn('setpriv', [`--reuid=${g.user}`, `--regid=${g.user}`, '--clear-groups', oc.node, oc.cli, 'gateway', 'run'], {
    cwd: fx.stateDir,
    env: openclawEnv(fx, UNIT_ENV),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const r: Running = { gateway: g, fx, proc, output: '', exited: false };
  proc.stdout?.on('data', (d: Buffer) => (r.output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (r.output += d.toString()));
  proc.on('exit', () => (r.exited = true));
  running.set(g.id, r);
  await waitForPort(port, '127.0.0.1', TURN_TIMEOUT, () => !r.exited).catch((e: Error) => {
    throw new Error(`${g.id}: the gateway did not listen: ${e.message}\n${r.output.slice(-3000)}`);
  });
  return r;
}

/** One agent turn through the gateway; fails with the CLI's output unless it succeeded. */
async function turn(id: string, args: readonly string[]): Promise<void> {
  const r = running.get(id)!;
  const out = await openclawAs(r.gateway, r.fx, ['agent', ...args, '--json']);
  if (out.code !== 0) throw new Error(`${id}: openclaw agent ${args.join(' ')} failed (${out.code}):\n${out.stderr.slice(-3000)}\n${out.stdout.slice(-2000)}\n${r.output.slice(-2000)}`);
}

/** The rendered export-logs.sh, as root, over the test's layout. */
function exportLogs() {
  return runAsync('bash', [script], {
    timeoutMs: 60_000,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      OPENCLAW_JOURNAL_EXPORT: path.join(auditDir, 'journal.jsonl'),
      OPENCLAW_GATEWAY_LOG_COPY: path.join(auditDir, 'gateway.jsonl'),
      OPENCLAW_GATEWAY_LOG: running.get('ops')!.fx.paths.logFile,
      OPENCLAW_GATEWAY_USER: 'openclaw-ops',
      OPENCLAW_LOG_EXPORT_STATE_DIR: exportState,
      OPENCLAW_JOURNALCTL: journalctl,
      OPENCLAW_AGENT_AUDIT: path.join(auditDir, 'agent-audit.jsonl'),
      OPENCLAW_STATE_ROOT: stateRoot,
      OPENCLAW_NODE: requireOpenclaw().node,
      OPENCLAW_AGENT_AUDIT_PROGRAM: program,
    },
  });
}

const auditLines = (): Record<string, unknown>[] => {
  const f = path.join(auditDir, 'agent-audit.jsonl');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
};

/** Runs the export until `done` holds for the audit lines (OpenClaw's ledger writer is asynchronous), at most 90 s. */
async function exportUntil(done: (lines: Record<string, unknown>[]) => boolean): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const r = await exportLogs();
    if (r.code !== 0 || r.stderr) throw new Error(`export-logs.sh exit ${r.code}:\n${r.stderr}${r.stdout}`);
    const lines = auditLines();
    if (done(lines) || Date.now() > deadline) return lines;
    await new Promise((res) => setTimeout(res, 2_000));
  }
}

/** The fields that say who did what and how it ended (time, run, ids and sequence are checked apart). */
const VARYING = new Set(['time', 'run', 'sessionId', 'toolCall', 'target', 'eventId', 'sequence', 'durationMs']);
const attribution = (l: Record<string, unknown>) => Object.fromEntries(Object.entries(l).filter(([k]) => !VARYING.has(k)));

beforeAll(async () => {
  requireRootForRuntime('the audit test (gateways run as their own users; the export runs as root)');
  for (const tool of ['bash', 'chattr', 'lsattr', 'sha256sum'] as const) requireRuntimeTool(tool);
  requireOpenclaw();
  started = Date.now();
  root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'oc-audit-'));
  fs.chmodSync(root, 0o755);
  requireAppendOnly(root);
  stateRoot = path.join(root, 'var-lib-openclaw');
  auditDir = path.join(root, 'var-log-openclaw-audit');
  exportState = path.join(root, 'var-lib-openclaw-log-export');
  fs.mkdirSync(stateRoot, { mode: 0o755 });
  fs.mkdirSync(auditDir, { mode: 0o700 });
  fs.mkdirSync(path.join(root, 'gateways'), { mode: 0o755 });
  script = writeExecutable(path.join(root, 'export-logs.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/export-logs.sh']!);
  program = path.join(root, path.basename(AGENT_AUDIT_PROGRAM_PATH));
  fs.writeFileSync(program, renderRuntimeFiles(config, CONFIG_DIR)[AGENT_AUDIT_PROGRAM_PATH] ?? bundleAgentAudit(), { mode: 0o644 });
  // journalctl 252 with nothing after the cursor: exit 1 without a word.
  journalctl = writeExecutable(path.join(root, 'bin', 'journalctl'), '#!/usr/bin/env bash\nexit 1\n');
  model = await startFakeModel();
  telegram = await startFakeTelegram();
  const gateways = agentGateways(config);
  expect(gateways.map((g) => [g.id, g.user])).toEqual([
    ['ops', 'openclaw-ops'],
    ['support', 'openclaw-support'],
  ]);
  for (const g of gateways) await startGateway(g);

  // ops: an allowed command (on its exec allowlist), then one that is not.
  model.steps.push({ tool: 'exec', input: { command: '/usr/bin/uptime' } }, { text: 'The load average is low.' });
  await turn('ops', ['--agent', 'ops', '--message', 'How loaded is the host?']);
  model.steps.push({ tool: 'exec', input: { command: '/usr/bin/id' } }, { text: 'I may not run that.' });
  await turn('ops', ['--agent', 'ops', '--message', 'Who runs the gateway?']);
  // support: a reply delivered to a Telegram user (an outbound message).
  model.steps.push({ text: 'Hello customer, how can I help?' });
  await turn('support', ['--agent', 'support', '--channel', 'telegram', '--to', '100000001', '--message', 'Hi', '--deliver']);
  expect(model.steps).toEqual([]);
}, 1_500_000);

afterAll(async () => {
  for (const r of running.values()) {
    if (r.exited || !r.proc.pid) continue;
    const all = [r.proc.pid, ...descendants(r.proc.pid)];
    all.forEach((p) => killTree(p, 'SIGTERM'));
    await new Promise((res) => setTimeout(res, 3_000));
    all.forEach((p) => killTree(p, 'SIGKILL'));
  }
  await model?.close();
  await telegram?.close();
  if (root) removeAppendOnlyTree(root);
}, 60_000);

test('every tool call and outbound message of the real turns is one audit line: gateway, agent, session, tool or channel, time, outcome', async () => {
  const lines = await exportUntil((ls) => ls.some((l) => l.kind === 'message') && ls.filter((l) => l.kind === 'tool').length >= 4);
  const ended = Date.now();
  expect(telegram.sent).toEqual([{ chatId: '100000001', text: 'Hello customer, how can I help?' }]);
  expect(lines.map(attribution)).toEqual([
    { gateway: 'ops', agent: 'ops', session: 'agent:ops:main', kind: 'tool', event: 'started', tool: 'exec', outcome: 'started', status: 'started', source: 'openclaw-audit-ledger' },
    { gateway: 'ops', agent: 'ops', session: 'agent:ops:main', kind: 'tool', event: 'finished', tool: 'exec', outcome: 'ok', status: 'succeeded', source: 'openclaw-audit-ledger' },
    { gateway: 'ops', agent: 'ops', session: 'agent:ops:main', kind: 'tool', event: 'started', tool: 'exec', outcome: 'started', status: 'started', source: 'openclaw-audit-ledger' },
    {
      gateway: 'ops',
      agent: 'ops',
      session: 'agent:ops:main',
      kind: 'tool',
      event: 'finished',
      tool: 'exec',
      outcome: 'denied',
      status: 'failed',
      errorCode: 'tool_failed',
      deniedBy: 'exec-policy',
      reason: 'allowlist miss',
      source: 'openclaw-audit-ledger',
    },
    {
      gateway: 'support',
      agent: 'support',
      kind: 'message',
      event: 'outbound',
      channel: 'telegram',
      conversation: 'direct',
      outcome: 'ok',
      status: 'sent',
      deliveryKind: 'text',
      resultCount: 1,
      source: 'openclaw-audit-ledger',
    },
  ]);
  for (const l of lines) {
    const t = Date.parse(String(l.time));
    expect(String(l.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(t).toBeGreaterThanOrEqual(started);
    expect(t).toBeLessThanOrEqual(ended);
    expect(String(l.run)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(String(l.eventId)).toMatch(/^[0-9a-f-]{36}$/);
    if (l.kind === 'tool') expect(String(l.toolCall)).toMatch(/^sha256:[0-9a-f]{64}$/);
    else expect(String(l.target)).toMatch(/^hmac-sha256:v1:[0-9a-f]{32}:[0-9a-f]{64}$/);
  }
  // Each tool call's two lines share its fingerprint; the two calls differ.
  const calls = lines.filter((l) => l.kind === 'tool').map((l) => l.toolCall);
  expect([calls[0] === calls[1], calls[2] === calls[3], calls[0] === calls[2]]).toEqual([true, true, false]);
}, 240_000);

test('the audit file holds no content: no prompt, command, output, reply, recipient id or secret', () => {
  const text = fs.readFileSync(path.join(auditDir, 'agent-audit.jsonl'), 'utf8');
  expect(text.length).toBeGreaterThan(0);
  const secrets = [...running.values()].flatMap((r) => [r.fx.token, ...fs.readdirSync(r.fx.paths.secretsDir).map((f) => fs.readFileSync(path.join(r.fx.paths.secretsDir, f), 'utf8').trim())]);
  expect([...CONTENT, ...secrets].filter((word) => text.includes(word))).toEqual([]);
});

test('the audit file is root 0600, append-only, at the path the CloudWatch agent ships; the next run adds nothing twice', async () => {
  const f = path.join(auditDir, 'agent-audit.jsonl');
  const st = fs.statSync(f);
  expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
  expect(fileAttributes(f)).toContain('a');
  expect(() => fs.writeFileSync(f, '')).toThrow(/EPERM/);
  const before = auditLines().length;
  const r = await exportLogs();
  expect([r.code, r.stderr]).toEqual([0, '']);
  expect(auditLines()).toHaveLength(before);
  expect(renderRuntimeFiles(config, CONFIG_DIR)['scripts/export-logs.sh']).toContain(`AGENT_AUDIT="\${OPENCLAW_AGENT_AUDIT:-${AGENT_AUDIT_FILE}}"`);
}, 120_000);
