import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HOST_LOG_FILES } from '../../../lib/host/log-files';
import { EGRESS_LOG_FORMAT_NAME, EGRESS_PROXY_USER } from '../../../lib/host/egress-proxy';
import { runOk } from './host-tools';

/**
 * The real squid (Debian's /usr/sbin/squid) running the RENDERED squid.conf inside a network
 * namespace. Only what cannot run on a test machine moves, by exact line substitution
 * (`squidConfForTest`): the access log, the cache log and the core dump folder go into a
 * temporary folder, and a pid_filename line is appended (squid's compiled-in default,
 * /run/squid.pid, belongs to the machine). Every acl and http_access line stays byte for
 * byte the rendered one; the netns test asserts that.
 *
 * squid runs in the foreground (-N) under a service name of its own (-n), so that its shared
 * memory segments (/dev/shm/<name>-cf__*.shm; squid wants an alphanumeric name) never meet another squid on the machine; it
 * drops to cache_effective_user (squid) as on the host.
 */

/** The rendered file with the log, core dump and pid paths in `dir`; every other line as rendered. */
export function squidConfForTest(rendered: string, dir: string): string {
  const moves: Array<[string, string]> = [
    [`access_log stdio:${HOST_LOG_FILES.egressProxyAccess} ${EGRESS_LOG_FORMAT_NAME}`, `access_log stdio:${path.join(dir, 'access.log')} ${EGRESS_LOG_FORMAT_NAME}`],
    [`cache_log ${HOST_LOG_FILES.egressProxyCache}`, `cache_log ${path.join(dir, 'cache.log')}`],
    ['coredump_dir /var/spool/squid', `coredump_dir ${dir}`],
  ];
  const lines = rendered.split('\n');
  for (const [from, to] of moves) {
    const at = lines.indexOf(from);
    if (at < 0 || lines.lastIndexOf(from) !== at) throw new Error(`squid.conf for the test: expected exactly one line ${JSON.stringify(from)}`);
    lines[at] = to;
  }
  return `${lines.join('\n').replace(/\n*$/, '\n')}pid_filename ${path.join(dir, 'squid.pid')}\n`;
}

export interface RunningSquid {
  /** The folder holding squid.conf, the logs and the pid file (owned by the proxy's user). */
  dir: string;
  /** The access log's lines so far. */
  accessLog: () => string[];
  /** The access log's lines after the first `mark`: waits (3 s at most) until `expected` are there, then a moment for any extra. */
  linesAfter: (mark: number, expected: number) => Promise<string[]>;
  /** Kills squid (SIGKILL: a clean stop waits shutdown_lifetime) and removes its shared memory segments. */
  stop: () => void;
}

const uidOf = (user: string, flag: '-u' | '-g') => Number(runOk('id', [flag, user]).trim());

/**
 * Writes `conf` to `<dir>/squid.conf` (dir made owned by the proxy's user), checks it with
 * `squid -k parse`, starts `squid -N` through `argv` (the command prefix that enters the host
 * namespace, bounded by `timeout`), and waits until it accepts connections on the proxy port.
 */
export async function startSquid(squid: string, argv: (cmd: string, args: readonly string[]) => [string, string[]], dir: string, conf: string, service: string): Promise<RunningSquid> {
  fs.chownSync(dir, uidOf(EGRESS_PROXY_USER, '-u'), uidOf(EGRESS_PROXY_USER, '-g'));
  const file = path.join(dir, 'squid.conf');
  fs.writeFileSync(file, conf);
  runOk(...argv(squid, ['-k', 'parse', '-n', service, '-f', file]), 10_000);
  const [cmd, args] = argv('timeout', ['-s', 'KILL', '600', squid, '-N', '-n', service, '-f', file]);
  const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const cacheLog = path.join(dir, 'cache.log');
  const stop = () => {
    // The squid processes themselves (the namespace may hold others): children of `timeout`.
    for (const pid of runOk('ps', ['-o', 'pid=', '--ppid', String(child.pid)]).split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const f of fs.readdirSync('/dev/shm')) if (f.startsWith(`${service}-`)) fs.rmSync(path.join('/dev/shm', f), { force: true });
    fs.rmSync(path.join(dir, 'squid.pid'), { force: true });
  };
  const deadline = Date.now() + 8_000;
  for (;;) {
    const log = fs.existsSync(cacheLog) ? fs.readFileSync(cacheLog, 'utf8') : '';
    if (log.includes('Accepting HTTP Socket connections')) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`squid did not start (exit ${child.exitCode}):\n${out}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const accessFile = path.join(dir, 'access.log');
  const accessLog = () => (fs.existsSync(accessFile) ? fs.readFileSync(accessFile, 'utf8').split('\n').filter(Boolean) : []);
  const linesAfter = async (mark: number, expected: number) => {
    const deadline = Date.now() + 3_000;
    while (accessLog().length < mark + expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 150));
    return accessLog().slice(mark);
  };
  return { dir, accessLog, linesAfter, stop };
}
