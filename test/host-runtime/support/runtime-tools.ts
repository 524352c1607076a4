import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import type * as http from 'http';
import * as path from 'path';
import { findTool } from '../../support/find-tool';
import { tempDir } from '../../host/support/host-tools';
import { startFakeServer } from '../../support/fake-aws/server';

/** How to get what these tests run for real. */
export const INSTALL_HINT = 'install them with: bash .ci/install-host-tools.sh (as root; apt-get, idempotent)';

/**
 * Absolute path of a tool these tests run for real. Throws (the test fails,
 * never skips) saying how to install it.
 */
export function requireRuntimeTool(
  name: 'cloud-init' | 'shellcheck' | 'systemd-analyze' | 'runuser' | 'sha256sum' | 'curl' | 'tar' | 'bash' | 'journalctl' | 'chattr' | 'lsattr',
): string {
  return findTool(name, name === 'chattr' || name === 'lsattr' ? `${INSTALL_HINT} (chattr and lsattr: the e2fsprogs package)` : INSTALL_HINT);
}

/**
 * Fails (does not skip) unless files under `dir` take the append-only attribute
 * (chattr +a; ext4, xfs and btrfs do): the tests prove what it does there.
 */
export function requireAppendOnly(dir: string): void {
  const probe = path.join(dir, '.append-only-probe');
  fs.writeFileSync(probe, '');
  const set = spawnSync(requireRuntimeTool('chattr'), ['+a', probe], { encoding: 'utf8' });
  spawnSync(requireRuntimeTool('chattr'), ['-a', probe]);
  fs.rmSync(probe, { force: true });
  if (set.status !== 0) {
    throw new Error(`${dir}: its filesystem does not take the append-only attribute (chattr +a: ${set.stderr.trim()}); run the tests with TMPDIR on ext4 or xfs, as root`);
  }
}

/** The attribute letters lsattr shows for a file (e.g. 'a' for append-only), without the dashes. */
export function fileAttributes(file: string): string {
  const r = spawnSync(requireRuntimeTool('lsattr'), ['-d', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lsattr ${file}: ${r.stderr}`);
  return r.stdout.split(/\s+/)[0]!.replace(/-/g, '');
}

/** Clears the append-only attribute under `dir` (so that it can be removed), then removes it. */
export function removeAppendOnlyTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  spawnSync(requireRuntimeTool('chattr'), ['-R', '-a', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Fails (does not skip) when not root: runuser, which the integrity check uses, needs it. */
export function requireRootForRuntime(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`${what} needs root (runuser): run the tests as root, as CI does. Tools: ${INSTALL_HINT}`);
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command without blocking the event loop (the stub servers of the test
 * answer meanwhile), killed after timeoutMs. Never rejects.
 */
export function runAsync(cmd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: options.env, cwd: options.cwd, timeout: options.timeoutMs ?? 20_000, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        const err = error as (Error & { code?: number | string; signal?: string }) | null;
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
          signal: err?.signal ?? null,
          stdout: stdout ?? '',
          stderr: stderr ?? '',
        });
      },
    );
  });
}

/** Writes an executable file (0755). */
export function writeExecutable(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode: 0o755 });
  fs.chmodSync(file, 0o755);
  return file;
}

/**
 * A stand-in `aws` CLI in `<dir>/bin`: records each invocation's arguments (one
 * line per call, fields separated by \x1f) in `<dir>/aws-calls`, copies
 * FAKE_S3_FILE to the destination of `aws s3 cp`, and exits FAKE_AWS_EXIT (0).
 */
export function fakeAws(dir: string): { binDir: string; calls: () => string[][]; s3EndpointModes: () => string[] } {
  const binDir = path.join(dir, 'bin');
  const log = path.join(dir, 'aws-calls');
  writeExecutable(
    path.join(binDir, 'aws'),
    [
      '#!/usr/bin/env bash',
      `log=${JSON.stringify(log)}`,
      'args=("$@")',
      `{ printf '%s' "\${args[0]}"; for a in "\${args[@]:1}"; do printf '\\037%s' "$a"; done; printf '\\n'; } >>"$log"`,
      'if [ "${FAKE_AWS_EXIT:-0}" != 0 ]; then exit "$FAKE_AWS_EXIT"; fi',
      // Which S3 endpoint an `s3 cp` would use in us-east-1 (regional: the allowlisted bucket name).
      'if [ "${args[0]}" = s3 ] && [ "${args[1]}" = cp ]; then printf \'%s\\n\' "${AWS_S3_US_EAST_1_REGIONAL_ENDPOINT:-unset}" >>"$log.s3-endpoint"; cp "$FAKE_S3_FILE" "${args[-1]}"; fi',
      '',
    ].join('\n'),
  );
  return {
    binDir,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\x1f')) : []),
    /** AWS_S3_US_EAST_1_REGIONAL_ENDPOINT at each `s3 cp` ('unset' when absent). */
    s3EndpointModes: () => (fs.existsSync(`${log}.s3-endpoint`) ? fs.readFileSync(`${log}.s3-endpoint`, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/** One request the stub metadata service received. */
export interface ImdsRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** What the stub answers: status and body, or 'hang' (accept, never answer). */
export type ImdsAnswer = { status: number; body?: string } | 'hang';

/** A stand-in instance metadata service on 127.0.0.1 that answers per request. */
export async function stubImds(answer: (req: ImdsRequest, index: number) => ImdsAnswer): Promise<{ endpoint: string; requests: ImdsRequest[]; close: () => Promise<void> }> {
  const requests: ImdsRequest[] = [];
  const server = await startFakeServer(({ method, url, headers }) => {
    const r = { method, url, headers };
    requests.push(r);
    const a = answer(r, requests.length - 1);
    return a === 'hang' ? a : { status: a.status, headers: { 'content-type': 'text/plain' }, body: a.body ?? '' };
  });
  return { endpoint: server.endpoint, requests, close: server.close };
}

/** A stand-in command that appends its arguments to `log` (one line, \x1f-separated, led by their count), then runs `body`. */
export function recorder(file: string, log: string, body: string): string {
  return writeExecutable(
    file,
    ['#!/usr/bin/env bash', `{ printf '%s' "$#"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\n'; } >>${JSON.stringify(log)}`, body, ''].join('\n'),
  );
}

/** The argument lists a recorder logged, one per call (without the count). */
export const readCalls = (log: string): string[][] =>
  fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\x1f').slice(1)) : [];

export { tempDir };
