import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { findTool } from '../../support/find-tool';
import { freePortRun } from '../../support/free-ports';
import { listClients, listEnvironments } from '../../../lib/config/config-dir';
import { loadConfig } from '../../../lib/config/load';
import type { NginxRenderOptions } from '../../../lib/host/nginx-config';
import type { ResolvedConfig } from '../../../lib/config/schema';
import { CONFIG_DIR, NOW } from '../../support/config-fixture';

/** The line of .ci/run that installs what these tests run for real. */
export const INSTALL_HINT =
  'install them with the apt-get line of .ci/run (as root): apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx nftables iproute2';

/** The script that installs the host-runtime tools (squid and the `squid` user, curl, runuser/setpriv). */
export const HOST_TOOLS_HINT = 'install them with .ci/install-host-tools.sh (as root), as .ci/run does';

const HINTS = {
  nginx: INSTALL_HINT,
  nft: INSTALL_HINT,
  ip: INSTALL_HINT,
  squid: HOST_TOOLS_HINT,
  curl: HOST_TOOLS_HINT,
  setpriv: HOST_TOOLS_HINT,
  openssl: 'install it with apt-get install -y openssl (as root)',
} as const;

/**
 * Absolute path of a tool these tests run for real. Throws (the test fails,
 * never skips) saying how to install it.
 */
export function requireTool(name: keyof typeof HINTS): string {
  return findTool(name, HINTS[name]);
}

/** Fails (does not skip) when not root: nft and network namespaces need CAP_NET_ADMIN. */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root (CAP_NET_ADMIN): run the tests as root, as CI (.ci/run) does. The tools: ${INSTALL_HINT}`);
  }
}

/** Every client x environment of the repo's config/, loaded the way synth loads it. */
export function allConfigs(): ResolvedConfig[] {
  return listClients(CONFIG_DIR).flatMap((client) =>
    listEnvironments(CONFIG_DIR).map((env) => loadConfig({ configDir: CONFIG_DIR, client, env, now: NOW }).config),
  );
}

export function exampleConfig(env = 'dev'): ResolvedConfig {
  return loadConfig({ configDir: CONFIG_DIR, client: 'example', env, now: NOW }).config;
}

/** A fresh temporary folder (mode 0755, so nginx workers running as nobody can reach their temp files). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/**
 * A TCP port on 127.0.0.1 that is free and claimed for this test process
 * (test/support/free-ports.ts): below the kernel's ephemeral range, so no
 * other test's listener or connection is given it while a slow program (a
 * gateway loading its plugins) starts, and a port a test expects closed stays
 * closed.
 */
export function freePort(): Promise<number> {
  return freePortRun(1);
}

/** Runs a command to completion (bounded), returning its status and output. */
export function run(cmd: string, args: readonly string[], timeoutMs = 15_000) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Like run, but throws with the command's output when it fails. */
export function runOk(cmd: string, args: readonly string[], timeoutMs = 15_000): string {
  const r = run(cmd, args, timeoutMs);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.error?.message}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Polls until something accepts a TCP connection on host:port, or throws after timeoutMs. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 5_000, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!alive()) throw new Error(`process exited before listening on ${host}:${port}`);
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * nginx options for running a rendered config from a temporary folder:
 * every path inside `dir`, no `user` directive (the test runs as root and
 * Debian has no nginx user).
 */
export function nginxTestPaths(dir: string, includeDir: string): NginxRenderOptions {
  return {
    includeDir,
    pidFile: path.join(dir, 'nginx.pid'),
    errorLog: path.join(dir, 'error.log'),
    accessLog: path.join(dir, 'access.log'),
    tempDir: path.join(dir, 'tmp'),
    user: null,
  };
}
