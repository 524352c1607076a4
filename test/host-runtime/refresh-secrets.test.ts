import * as path from 'path';
import { HOST_PATHS } from '../../lib/host/paths';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import * as fs from 'fs';
import { exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';
import { scratchDirs } from '../support/find-tool';
import { readCalls, recorder, requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';

// The rendered refresh-secrets.sh (openclaw-secrets-refresh.service), run for real
// with bash. Stand-ins: the secrets step (OPENCLAW_FETCH_SECRETS) prints the lines
// and exits with the status a test gives it, as the retrieval program does in
// refresh mode; systemctl (SYSTEMCTL) only records its arguments. Each records
// one line per call, arguments separated by \x1f.

const config = exampleConfig('prod');
const OK = (changed: number) => `openclaw-secrets: OK 4 secrets (gateway-token, agent-ops, agent-support, origin-verify) in 0.4 s, ${changed} changed`;
const FAILED = 'openclaw-secrets: FAILED AccessDenied: prod/agents/support: Secrets Manager denied GetSecretValue [metric SecretRetrievalFailed{Reason=AccessDenied} published]';

const { scratch, cleanup } = scratchDirs(tempDir);
afterAll(cleanup);

let script: string;


beforeAll(() => {
  requireRuntimeTool('bash');
  script = writeExecutable(path.join(scratch('oc-refresh-'), 'refresh-secrets.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/refresh-secrets.sh']!);
});

interface Fetch {
  /** Lines the secrets step prints on stdout. */
  readonly stdout?: readonly string[];
  /** Lines it prints on stderr. */
  readonly stderr?: readonly string[];
  /** Its exit status. */
  readonly exit?: number;
}

/**
 * The manifest's secrets (names and paths only): each gateway's in its own folder of
 * /run/openclaw/secrets (lib/openclaw/gateways.ts), origin-verify elsewhere, and one in no
 * gateway's folder.
 */
const MANIFEST = {
  secrets: [
    { id: 'gateway-token-ops', file: '/run/openclaw/secrets/ops/gateway-token' },
    { id: 'agent-ops', file: '/run/openclaw/secrets/ops/agent-ops.json' },
    { id: 'gateway-token-support', file: '/run/openclaw/secrets/support/gateway-token' },
    { id: 'agent-support', file: '/run/openclaw/secrets/support/agent-support.json' },
    { id: 'origin-verify', file: '/etc/nginx/openclaw/origin-verify.map.conf' },
    { id: 'shared-thing', file: '/run/openclaw/secrets/shared-thing' },
  ],
};

/** Runs refresh-secrets.sh with a stand-in secrets step and systemctl. */
async function refresh(fetch: Fetch, systemctlExit = 0) {
  const dir = scratch('oc-refresh-run-');
  const manifest = path.join(dir, 'secrets-manifest.json');
  fs.writeFileSync(manifest, JSON.stringify(MANIFEST));
  const fetchLog = path.join(dir, 'fetch-calls');
  const systemctlLog = path.join(dir, 'systemctl-calls');
  const out = (lines: readonly string[] | undefined, fd: string) => (lines ?? []).map((l) => `printf '%s\\n' ${JSON.stringify(l)} ${fd}`).join('\n');
  const fetchScript = recorder(path.join(dir, 'fetch-secrets.sh'), fetchLog, [out(fetch.stdout, ''), out(fetch.stderr, '>&2'), `exit ${fetch.exit ?? 0}`].join('\n'));
  const systemctl = recorder(path.join(dir, 'systemctl'), systemctlLog, `exit ${systemctlExit}`);
  const r = await runAsync(script, [], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', OPENCLAW_FETCH_SECRETS: fetchScript, SYSTEMCTL: systemctl, OPENCLAW_NODE: process.execPath, OPENCLAW_SECRETS_MANIFEST: manifest },
    timeoutMs: 10_000,
  });
  return { ...r, fetchCalls: readCalls(fetchLog), systemctlCalls: readCalls(systemctlLog) };
}

const RELOAD_NGINX = ['reload-or-restart', 'nginx.service'];
const RESTART_OPS = ['restart', 'openclaw-gateway@ops.service'];
const RESTART_SUPPORT = ['restart', 'openclaw-gateway@support.service'];

test('on the host: the secrets step of the libexec folder, the real systemctl, the pinned node, the manifest, the gateway units', () => {
  const text = renderRuntimeFiles(config, CONFIG_DIR)['scripts/refresh-secrets.sh']!;
  expect(text).toContain(`FETCH="\${OPENCLAW_FETCH_SECRETS:-${HOST_PATHS.libexecDir}/fetch-secrets.sh}"\n`);
  expect(text).toContain('SYSTEMCTL="${SYSTEMCTL:-systemctl}"\n');
  expect(text).toContain(`NODE="\${OPENCLAW_NODE:-${HOST_PATHS.node}}"\n`);
  expect(text).toContain('MANIFEST="${OPENCLAW_SECRETS_MANIFEST:-/etc/openclaw/secrets-manifest.json}"\n');
  expect(text).toContain('readonly SECRETS_DIR=/run/openclaw/secrets\n');
  expect(text).toContain('unit="openclaw-gateway@$gateway.service"\n');
  expect(text).toContain('"$SYSTEMCTL" restart openclaw-gateways.target\n');
});

test('nothing changed: the OK line, no reload, no restart, exit 0', async () => {
  const r = await refresh({ stdout: [OK(0)] });
  expect(r.fetchCalls).toEqual([['--refresh']]);
  expect(r.systemctlCalls).toEqual([]);
  expect(r.stdout).toBe(`${OK(0)}\n`);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('origin-verify changed: nginx reloads (it accepts the old and new values), the gateway keeps running', async () => {
  const r = await refresh({ stdout: ['openclaw-secrets: changed origin-verify', OK(1)] });
  expect(r.fetchCalls).toEqual([['--refresh']]);
  expect(r.systemctlCalls).toEqual([RELOAD_NGINX]);
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([
    'openclaw-secrets: changed origin-verify',
    OK(1),
    'openclaw-secrets: origin-verify changed: reloading nginx',
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test.each([
  ['gateway-token-support', RESTART_SUPPORT],
  ['agent-support', RESTART_SUPPORT],
  ['gateway-token-ops', RESTART_OPS],
  ['agent-ops', RESTART_OPS],
])('%s changed: only its gateway restarts (%j), the other keeps running, nginx is left alone', async (id, restart) => {
  const r = await refresh({ stdout: [`openclaw-secrets: changed ${id}`, OK(1)] });
  expect(r.fetchCalls).toEqual([['--refresh']]);
  expect(r.systemctlCalls).toEqual([restart]);
  expect(r.stdout).toContain(`openclaw-secrets: changed ${id}\n`);
  expect(r.stdout).toContain(`openclaw-secrets: gateway secrets changed: restarting ${restart[1]} (its clients reconnect; the other gateways keep running)\n`);
  expect(r.code).toBe(0);
});

test('origin-verify and secrets of both gateways changed: nginx reloads, each gateway restarts once, in one call', async () => {
  const r = await refresh({
    stdout: ['openclaw-secrets: changed gateway-token-support', 'openclaw-secrets: changed agent-support', 'openclaw-secrets: changed agent-ops', 'openclaw-secrets: changed origin-verify', OK(4)],
  });
  expect(r.fetchCalls).toEqual([['--refresh']]);
  expect(r.systemctlCalls).toEqual([RELOAD_NGINX, ['restart', 'openclaw-gateway@support.service', 'openclaw-gateway@ops.service']]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test.each(['shared-thing', 'not-in-the-manifest'])('%s changed (a secret of no single gateway): every gateway restarts through the target', async (id) => {
  const r = await refresh({ stdout: [`openclaw-secrets: changed ${id}`, 'openclaw-secrets: changed agent-ops', OK(2)] });
  expect(r.systemctlCalls).toEqual([['restart', 'openclaw-gateways.target']]);
  expect(r.code).toBe(0);
});

test('only `openclaw-secrets: changed <id>` lines count, not the OK line\'s "N changed" or a line quoting one', async () => {
  const r = await refresh({ stdout: ['note: openclaw-secrets: changed gateway-token-ops', OK(2)] });
  expect(r.systemctlCalls).toEqual([]);
  expect(r.code).toBe(0);
});

test('the secrets step fails: its status and its FAILED line pass through; no reload, no restart', async () => {
  const r = await refresh({ stdout: ['openclaw-secrets: changed origin-verify'], stderr: [FAILED], exit: 15 });
  expect(r.fetchCalls).toEqual([['--refresh']]);
  expect(r.systemctlCalls).toEqual([]);
  expect(r.stderr).toBe(`${FAILED}\n`);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(15);
});

test('a reload that fails fails the refresh (the SSM command, and so the rotation step, fails too)', async () => {
  const r = await refresh({ stdout: ['openclaw-secrets: changed origin-verify', OK(1)] }, 1);
  expect(r.systemctlCalls).toEqual([RELOAD_NGINX]);
  expect(r.code).toBe(1);
});
