import { agentGateways } from '../../lib/openclaw/gateways';
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exampleConfig, freePort } from '../host/support/host-tools';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { CONFIG_DIR } from '../support/config-fixture';
import { descendants, killTree, openclawEnv, requireOpenclaw, writeOpenclawFixture } from '../openclaw/support/openclaw';
import {
  fileAttributes,
  removeAppendOnlyTree,
  requireAppendOnly,
  requireRootForRuntime,
  requireRuntimeTool,
  runAsync,
  tempDir,
  writeExecutable,
} from './support/runtime-tools';

// The control "the gateway user cannot change or delete the local audit files",
// proven on this machine's filesystem (ext4; Amazon Linux 2023 uses xfs, which
// takes the same attribute):
//   1. the copies as export-logs.sh leaves them are out of the gateway user's reach;
//   2. the append-only attribute, set as export-logs.sh sets it, holds even against
//      the file's owner: appending works, nothing else does;
//   3. why OpenClaw's own log cannot carry it: the real OpenClaw 2026.9.6 gateway,
//      given an append-only log file, drops every record (it re-applies the file's
//      mode before each append, which the attribute forbids), so its log is copied.
// The unprivileged user is `nobody` (openclaw on the host).

const config = exampleConfig('prod');
const GATEWAY_USER = 'nobody';

let root: string;
let script: string;
let uid: number;

beforeAll(() => {
  requireRootForRuntime('the append-only test (chattr, runuser)');
  for (const tool of ['bash', 'chattr', 'lsattr', 'runuser'] as const) requireRuntimeTool(tool);
  uid = Number(execFileSync('id', ['-u', GATEWAY_USER], { encoding: 'utf8' }).trim());
  root = tempDir('oc-append-only-');
  requireAppendOnly(root);
  script = writeExecutable(path.join(root, 'export-logs.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/export-logs.sh']!);
});
afterAll(() => removeAppendOnlyTree(root));

/** Tries each change to FILE as the gateway user; one line per attempt: `<what> ok` or `<what> denied: <reason>`. */
const PROBE = [
  'f=$1',
  'try() { local name=$1 out; shift; if out="$("$@" 2>&1)"; then echo "$name ok"; else echo "$name denied: ${out##*: }"; fi; }',
  'try read cat "$f"',
  'try append sh -c \'echo appended >>"$0"\' "$f"',
  'try truncate truncate -s 0 "$f"',
  'try overwrite sh -c \'echo replaced >"$0"\' "$f"',
  'try write-in-place dd if=/dev/zero of="$f" bs=1 count=1 conv=notrunc status=none',
  'try rename mv "$f" "$f.moved"',
  'try delete rm -f "$f"',
  'try chmod chmod 0666 "$f"',
  'try hardlink ln "$f" "$f.link"',
].join('\n');

async function probeAs(user: string, file: string) {
  const r = await runAsync(requireRuntimeTool('runuser'), ['-u', user, '--', requireRuntimeTool('bash'), '-c', PROBE, 'probe', file], { timeoutMs: 20_000 });
  return Object.fromEntries(r.stdout.split('\n').filter(Boolean).map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)]));
}

async function exportInto(dir: string, gatewayLog: string) {
  const r = await runAsync(script, [], {
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      OPENCLAW_JOURNAL_EXPORT: path.join(dir, 'journal.jsonl'),
      OPENCLAW_GATEWAY_LOG_COPY: path.join(dir, 'gateway.jsonl'),
      OPENCLAW_GATEWAY_LOG: gatewayLog,
      OPENCLAW_GATEWAY_USER: GATEWAY_USER,
      OPENCLAW_LOG_EXPORT_STATE_DIR: path.join(dir, '.state'),
      OPENCLAW_JOURNALCTL: '/bin/true',
      // The agent audit step (test/openclaw/audit-agent-turns.test.ts runs it for real): a Node that exports nothing.
      OPENCLAW_AGENT_AUDIT: path.join(dir, 'agent-audit.jsonl'),
      OPENCLAW_NODE: '/bin/true',
    },
    timeoutMs: 20_000,
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** The gateway's log folder and file, the gateway user's, with some records. */
function gatewayLog(dir: string): string {
  fs.mkdirSync(dir, { mode: 0o750 });
  fs.chownSync(dir, uid, uid);
  const log = path.join(dir, 'openclaw.log');
  fs.writeFileSync(log, '{"0":"agent ops: exec rm -rf data"}\n', { mode: 0o600 });
  fs.chownSync(log, uid, uid);
  return log;
}

test('the copies as export-logs.sh leaves them: the gateway user can neither read, append to, truncate, rename nor delete them', async () => {
  const audit = path.join(root, 'audit');
  fs.mkdirSync(audit, { mode: 0o700 }); // LogsDirectoryMode=0700 of openclaw-log-export.service
  await exportInto(audit, gatewayLog(path.join(root, 'gw1')));
  const copy = path.join(audit, 'gateway.jsonl');
  expect(fileAttributes(copy)).toContain('a');
  const before = fs.readFileSync(copy, 'utf8');
  expect(before).toBe('{"0":"agent ops: exec rm -rf data"}\n');
  const as = await probeAs(GATEWAY_USER, copy);
  for (const what of ['read', 'append', 'truncate', 'overwrite', 'write-in-place', 'rename', 'delete', 'chmod', 'hardlink']) {
    expect({ what, result: as[what] }).toEqual({ what, result: expect.stringMatching(/^denied: (Permission denied|Operation not permitted)/) });
  }
  expect(fs.readFileSync(copy, 'utf8')).toBe(before);
});

test('the append-only attribute, set as export-logs.sh sets it, holds against the file\'s owner: append works, nothing else', async () => {
  // The copy in a folder of the gateway user, owned by it: only the attribute stands in its way.
  const open = path.join(root, 'owned-by-gateway-user');
  fs.mkdirSync(open, { mode: 0o755 });
  fs.chownSync(open, uid, uid);
  const copy = path.join(open, 'gateway.jsonl');
  fs.writeFileSync(copy, '', { mode: 0o600 });
  fs.chownSync(copy, uid, uid);
  await exportInto(open, gatewayLog(path.join(root, 'gw2')));
  expect(fileAttributes(copy)).toContain('a');
  expect(fs.statSync(copy).uid).toBe(uid);
  const as = await probeAs(GATEWAY_USER, copy);
  expect(as).toEqual({
    read: 'ok',
    append: 'ok',
    truncate: 'denied: Operation not permitted',
    overwrite: 'denied: Operation not permitted',
    'write-in-place': 'denied: Operation not permitted',
    rename: 'denied: Operation not permitted',
    delete: 'denied: Operation not permitted',
    chmod: 'denied: Operation not permitted',
    hardlink: 'denied: Operation not permitted',
  });
  expect(fs.readFileSync(copy, 'utf8')).toBe('{"0":"agent ops: exec rm -rf data"}\nappended\n');
  expect(fs.existsSync(`${copy}.moved`) || fs.existsSync(`${copy}.link`)).toBe(false);
  // Root too, until it clears the attribute (CAP_LINUX_IMMUTABLE: only openclaw-log-export.service keeps it).
  expect(() => fs.truncateSync(copy, 0)).toThrow(/EPERM/);
  expect(() => fs.unlinkSync(copy)).toThrow(/EPERM/);
});

describe('OpenClaw 2026.9.6 and an append-only log file (why its log is copied, not sealed)', () => {
  interface Run {
    log: string;
    output: string;
    healthz: number;
  }
  const running: ChildProcess[] = [];
  afterAll(() => running.forEach((p) => p.pid && killTree(p.pid, 'SIGKILL')));

  /** Starts the real gateway with the generated config, its log file made append-only or not; stops it once it has served /healthz. */
  async function gatewayWithLog(appendOnly: boolean): Promise<Run> {
    const oc = requireOpenclaw();
    const gatewayPort = await freePort();
    const c = { ...config, edge: { ...config.edge, gatewayPort } };
    const dir = fs.mkdtempSync(path.join(root, appendOnly ? 'oc-a-' : 'oc-plain-'));
    const fx = writeOpenclawFixture(c, dir, [], agentGateways(c)[0]!);
    const log = fx.paths.logFile;
    fs.writeFileSync(log, '', { mode: 0o600 });
    if (appendOnly) execFileSync(requireRuntimeTool('chattr'), ['+a', log]);
    const env = openclawEnv(fx, { OPENCLAW_CONFIG_READONLY: '1', OPENCLAW_NO_RESPAWN: '1', OPENCLAW_NO_AUTO_UPDATE: '1', NODE_ENV: 'production' });
    const proc = spawn(oc.node, [oc.cli, 'gateway', 'run'], { cwd: fx.stateDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.push(proc);
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let healthz = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && proc.exitCode === null) {
      try {
        healthz = (await fetch(`http://127.0.0.1:${gatewayPort}/healthz`, { signal: AbortSignal.timeout(2_000) })).status;
        if (healthz === 200 && (appendOnly ? output.includes('log file append failed') : fs.statSync(log).size > 0)) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Everything it started, collected before it exits (its helpers would be re-parented).
    const all = [proc.pid!, ...descendants(proc.pid!)];
    all.forEach((p) => killTree(p, 'SIGTERM'));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    all.forEach((p) => killTree(p, 'SIGKILL'));
    return { log, output, healthz };
  }

  test('with the attribute the gateway runs but every record is dropped; without it, the same gateway logs', async () => {
    const [sealed, plain] = await Promise.all([gatewayWithLog(true), gatewayWithLog(false)]);
    expect(sealed.healthz).toBe(200);
    expect(fileAttributes(sealed.log)).toContain('a');
    expect(sealed.output).toContain(`[openclaw] log file append failed; records dropped; check that the path is a writable regular file; file=${sealed.log}`);
    expect(fs.statSync(sealed.log).size).toBe(0);
    expect(plain.healthz).toBe(200);
    expect(plain.output).not.toContain('log file append failed');
    expect(fs.readFileSync(plain.log, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(0);
  }, 150_000);
});
