import * as path from 'path';
import { HOST_PATHS } from '../../lib/host/paths';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { SECRETS_MANIFEST_PATH } from '../../lib/secrets/secrets-manifest';
import { exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';
import { scratchDirs } from '../support/find-tool';
import { readCalls, recorder, requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';

// The rendered fetch-secrets.sh (openclaw-secrets.service), run for real with bash:
// what it hands the retrieval program. A stand-in node (OPENCLAW_NODE) records its
// argv and answers as the program would. The script resolves no user: each secret's
// owner is its gateway's user, named in the manifest, and the program looks each up
// (a missing one is its NoGatewayUser failure, exit 2: fetch-secrets*.test.ts).

const config = exampleConfig('prod');
const NO_USER = 'openclaw-secrets: FAILED NoGatewayUser: user openclaw-support missing (cloud-init users step failed?)';
const PROGRAM = '/opt/test/fetch-secrets.js';
const MANIFEST = '/etc/test/secrets-manifest.json';

const { scratch, cleanup } = scratchDirs(tempDir);
afterAll(cleanup);

let files: Record<string, string>;
let fetchScript: string;
let refreshScript: string;

beforeAll(() => {
  requireRuntimeTool('bash');
  files = renderRuntimeFiles(config, CONFIG_DIR);
  const dir = scratch('oc-secrets-step-');
  fetchScript = writeExecutable(path.join(dir, 'fetch-secrets.sh'), files['scripts/fetch-secrets.sh']!);
  refreshScript = writeExecutable(path.join(dir, 'refresh-secrets.sh'), files['scripts/refresh-secrets.sh']!);
});


interface Options {
  /** Lines the stand-in node prints on stdout, and on stderr; its exit status. */
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
  readonly exit?: number;
  /** Set OPENCLAW_SECRETS_PROGRAM and OPENCLAW_SECRETS_MANIFEST (default: yes). */
  readonly overrides?: boolean;
  readonly args?: readonly string[];
  /** Run refresh-secrets.sh with this fetch-secrets.sh as its secrets step instead. */
  readonly viaRefresh?: boolean;
}

async function run(o: Options = {}) {
  const dir = scratch('oc-secrets-run-');
  const bin = path.join(dir, 'bin');
  const nodeLog = path.join(dir, 'node-calls');
  const idLog = path.join(dir, 'id-calls');
  const systemctlLog = path.join(dir, 'systemctl-calls');
  const print = (lines: readonly string[] | undefined, fd: string) => (lines ?? []).map((l) => `printf '%s\\n' ${JSON.stringify(l)} ${fd}`).join('\n');
  const node = recorder(path.join(dir, 'node'), nodeLog, [print(o.stdout, ''), print(o.stderr, '>&2'), `exit ${o.exit ?? 0}`].join('\n'));
  const systemctl = recorder(path.join(dir, 'systemctl'), systemctlLog, 'exit 0');
  // Any `id` call is recorded: the script must resolve no user itself.
  recorder(path.join(bin, 'id'), idLog, 'exit 1');
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, OPENCLAW_NODE: node };
  if (o.overrides ?? true) Object.assign(env, { OPENCLAW_SECRETS_PROGRAM: PROGRAM, OPENCLAW_SECRETS_MANIFEST: MANIFEST });
  if (o.viaRefresh) Object.assign(env, { OPENCLAW_FETCH_SECRETS: fetchScript, SYSTEMCTL: systemctl });
  const r = await runAsync(o.viaRefresh ? refreshScript : fetchScript, o.args ?? [], { env, timeoutMs: 10_000 });
  return { ...r, nodeCalls: readCalls(nodeLog), idCalls: readCalls(idLog), systemctlCalls: readCalls(systemctlLog) };
}

test('on the host: the pinned node, the program in the libexec folder, the installed manifest', () => {
  const text = files['scripts/fetch-secrets.sh']!;
  expect(text).toContain(`NODE="\${OPENCLAW_NODE:-${HOST_PATHS.node}}"\n`);
  expect(text).toContain(`PROGRAM="\${OPENCLAW_SECRETS_PROGRAM:-${HOST_PATHS.libexecDir}/fetch-secrets.js}"\n`);
  expect(text).toContain(`MANIFEST="\${OPENCLAW_SECRETS_MANIFEST:-${SECRETS_MANIFEST_PATH}}"\n`);
});

test('runs <program> --manifest <manifest>, and resolves no user itself; its output and status are the unit\'s', async () => {
  const ok = 'openclaw-secrets: OK 4 secrets (gateway-token, agent-ops, agent-support, origin-verify) in 0.4 s';
  const r = await run({ stdout: [ok] });
  expect(r.nodeCalls).toEqual([[PROGRAM, '--manifest', MANIFEST]]);
  expect(r.idCalls).toEqual([]);
  expect(r.stdout).toBe(`${ok}\n`);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('without the overrides: the program and manifest paths of the host', async () => {
  const r = await run({ overrides: false });
  expect(r.nodeCalls).toEqual([[`${HOST_PATHS.libexecDir}/fetch-secrets.js`, '--manifest', SECRETS_MANIFEST_PATH]]);
  expect(r.code).toBe(0);
});

test('passes extra arguments through, after its own, each as one word', async () => {
  const r = await run({ args: ['--refresh', '--only', 'gateway-token,origin-verify', 'a b'] });
  expect(r.nodeCalls).toEqual([[PROGRAM, '--manifest', MANIFEST, '--refresh', '--only', 'gateway-token,origin-verify', 'a b']]);
  expect(r.code).toBe(0);
});

test('a failure of the program: its one FAILED line and its exit status (exec: nothing added)', async () => {
  const failed = 'openclaw-secrets: FAILED ResourceNotFound: prod/agents/support: no such secret [metric SecretRetrievalFailed{Reason=ResourceNotFound} published]';
  const r = await run({ stderr: [failed], exit: 13 });
  expect(r.stderr).toBe(`${failed}\n`);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(13);
});

test('a gateway user missing: the program\'s NoGatewayUser line and exit 2, as the unit\'s', async () => {
  const r = await run({ stderr: [NO_USER], exit: 2 });
  expect(r.idCalls).toEqual([]);
  expect(r.stderr).toBe(`${NO_USER}\n`);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
});

test('refresh-secrets.sh through it: the program runs with --refresh, and what it reports changed is reloaded', async () => {
  const r = await run({ viaRefresh: true, stdout: ['openclaw-secrets: changed origin-verify', 'openclaw-secrets: changed agent-ops', 'openclaw-secrets: OK 4 secrets in 0.4 s, 2 changed'] });
  // Then the same node reads the manifest's files (the stand-in prints none: every gateway restarts).
  expect(r.nodeCalls).toEqual([[PROGRAM, '--manifest', MANIFEST, '--refresh'], ['-e', expect.stringContaining('.secrets'), MANIFEST]]);
  expect(r.systemctlCalls).toEqual([['reload-or-restart', 'nginx.service'], ['restart', 'openclaw-gateways.target']]);
  expect(r.code).toBe(0);
  const failed = await run({ viaRefresh: true, stderr: [NO_USER], exit: 2 });
  expect(failed.stderr).toBe(`${NO_USER}\n`);
  expect(failed.systemctlCalls).toEqual([]);
  expect(failed.code).toBe(2);
});
