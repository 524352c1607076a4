/**
 * run-gateway-probes.sh, the health unit's privileged ExecStartPre: the rendered script run for
 * real (bash, runuser, timeout) with a stand-in probe program that records how it was called and as
 * whom. Per gateway of gateways.list whose breaker has not tripped, in parallel, as that gateway's
 * own user: its port, token file, agents, identity file and bound; one result file each; old
 * results gone; a probe that prints nothing leaves no result (the health check then counts it
 * unusable, test/host-runtime/health.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { exampleConfig } from '../host/support/host-tools';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { HOST_PATHS } from '../../lib/host/paths';
import { CONFIG_DIR } from '../support/config-fixture';
import { requireRuntimeTool, tempDir, writeExecutable } from './support/runtime-tools';

const config = exampleConfig('prod');
let dir: string;
let script: string;
let program: string;

beforeAll(() => {
  requireRuntimeTool('bash');
  dir = tempDir('oc-probes-');
  fs.chmodSync(dir, 0o755);
  script = writeExecutable(path.join(dir, 'run-gateway-probes.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/run-gateway-probes.sh']!);
  // The stand-in probe: its arguments and the user it runs as, as one JSON line; "silent" prints nothing.
  program = path.join(dir, 'probe.js');
  fs.writeFileSync(program, 'const a = process.argv.slice(2); if (a[1] === "silent") process.exit(0); console.log(JSON.stringify({ args: a, uid: process.getuid() }));\n', { mode: 0o644 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const uidOf = (user: string) => Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());

/** The time the script is told it is (seconds since the epoch). */
const NOW_S = 1_796_000_000;

/** Runs the script; `results` a fresh folder unless given (one that holds the session-write stamp). */
function run(list: string, tripped: string[] = [], env: Record<string, string> = {}, results = fs.mkdtempSync(path.join(dir, 'results-'))) {
  fs.chmodSync(results, 0o755);
  const breaker = fs.mkdtempSync(path.join(dir, 'breaker-'));
  for (const t of tripped) fs.writeFileSync(path.join(breaker, `${t}.tripped`), '');
  fs.writeFileSync(path.join(results, 'stale.json'), '{"old":true}\n');
  const listFile = path.join(dir, 'gateways.list');
  fs.writeFileSync(listFile, list);
  const r = spawnSync(script, [], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH,
      OPENCLAW_GATEWAYS_LIST: listFile,
      OPENCLAW_BREAKER_DIR: breaker,
      OPENCLAW_PROBE_RESULTS: results,
      OPENCLAW_NODE: process.execPath,
      OPENCLAW_PROBE_PROGRAM: program,
      OPENCLAW_PROBE_TIMEOUT_MS: '3000',
      OPENCLAW_PROBE_NOW: String(NOW_S),
      ...env,
    },
  });
  const files = Object.fromEntries(fs.readdirSync(results).filter((f) => f !== '.session-written').map((f) => [f, JSON.parse(fs.readFileSync(path.join(results, f), 'utf8')) as { args: string[]; uid: number }]));
  return { status: r.status, stderr: r.stderr, files };
}

test('the defaults: the host\'s list, breaker folder, Node, program, secrets and state folders, a 10 s bound, as the gateway\'s user', () => {
  const text = fs.readFileSync(script, 'utf8');
  for (const line of [
    'GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-/etc/openclaw/gateways.list}"',
    'RESULTS="${OPENCLAW_PROBE_RESULTS:-/run/openclaw-probe}"',
    `NODE="\${OPENCLAW_NODE:-${HOST_PATHS.node}}"`,
    `PROGRAM="\${OPENCLAW_PROBE_PROGRAM:-${HOST_PATHS.libexecDir}/gateway-probe.js}"`,
    `SECRETS="\${OPENCLAW_SECRETS_DIR:-${HOST_PATHS.secretsDir}}"`,
    `STATE="\${OPENCLAW_STATE_DIR:-${HOST_PATHS.stateDir}}"`,
    'TIMEOUT_MS="${OPENCLAW_PROBE_TIMEOUT_MS:-10000}"',
    'AS="${OPENCLAW_PROBE_AS:-runuser}"',
    'NOW="${OPENCLAW_PROBE_NOW:-$(date +%s)}"',
  ]) expect(text.split('\n')).toContain(line);
  expect(renderRuntimeFiles(config, CONFIG_DIR)['systemd/openclaw-health.service']).toContain(`\nExecStartPre=-+${HOST_PATHS.libexecDir}/run-gateway-probes.sh\nExecStart=${HOST_PATHS.libexecDir}/check-gateway-health.sh\n`);
});

test('each gateway probed as its own user with its own token, identity and agents; one result each; old results gone', () => {
  const r = run('ops openclaw-ops 18789 ops\nsupport openclaw-support 18790 support,helper\n');
  expect(r.status).toBe(0);
  expect(Object.keys(r.files).sort()).toEqual(['ops.json', 'support.json']);
  expect(r.files['ops.json']).toEqual({
    args: ['--gateway', 'ops', '--port', '18789', '--token-file', `${HOST_PATHS.secretsDir}/ops/gateway-token`, '--agents', 'ops', '--identity', `${HOST_PATHS.stateDir}/ops/.gateway-probe-identity.json`, '--timeout-ms', '3000'],
    uid: uidOf('openclaw-ops'),
  });
  expect(r.files['support.json']!.args.slice(0, 8)).toEqual(['--gateway', 'support', '--port', '18790', '--token-file', `${HOST_PATHS.secretsDir}/support/gateway-token`, '--agents', 'support,helper']);
  expect(r.files['support.json']!.uid).toBe(uidOf('openclaw-support'));
});

test('a session is written every 15 minutes (OpenClaw archives every deleted session): when the stamp of the last write is 14.5 minutes old or more, or missing (after a boot); the other runs pass --skip-session-write', () => {
  const results = fs.mkdtempSync(path.join(dir, 'results-'));
  const stamp = path.join(results, '.session-written');
  const writes = () => !run('ops openclaw-ops 18789 ops\n', [], {}, results).files['ops.json']!.args.includes('--skip-session-write');
  fs.rmSync(stamp, { force: true });
  expect(writes()).toBe(true);
  expect(fs.statSync(stamp).mtimeMs / 1000).toBe(NOW_S); // stamped with this run's time
  for (const [agoS, write] of [[60, false], [869, false], [870, true], [3600, true]] as const) {
    fs.utimesSync(stamp, NOW_S - agoS, NOW_S - agoS);
    expect([agoS, writes()]).toEqual([agoS, write]);
    expect([agoS, fs.statSync(stamp).mtimeMs / 1000]).toEqual([agoS, write ? NOW_S : NOW_S - agoS]);
  }
});

test('a gateway its breaker stopped is not probed; a line that is not a gateway is skipped; a silent probe leaves no result and says so', () => {
  const r = run('ops openclaw-ops 18789 ops\nsupport openclaw-support 18790 support\nbad; rm -rf / 1 x\nsilent openclaw-ops 18791 silent\n', ['support']);
  expect(Object.keys(r.files)).toEqual(['ops.json']);
  expect(r.stderr.trim().split('\n')).toEqual(['run-gateway-probes: the probe of gateway silent printed no result']);
});

test('a probe that hangs is stopped by the backstop (its bound + 5 s) and leaves no result', () => {
  const hang = path.join(dir, 'hang.js');
  fs.writeFileSync(hang, 'setInterval(() => undefined, 1000);\n', { mode: 0o644 });
  const started = Date.now();
  const r = run('ops openclaw-ops 18789 ops\n', [], { OPENCLAW_PROBE_PROGRAM: hang, OPENCLAW_PROBE_TIMEOUT_MS: '1000' });
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(r.files).toEqual({});
  expect(r.stderr).toContain('the probe of gateway ops printed no result');
});
