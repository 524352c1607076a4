import { spawnSync } from 'child_process';

/**
 * The clients of the egress netns test: curl run inside the host namespace, as root, as the
 * gateway's user (setpriv to a non-squid uid, environment passed on as given), or as a child
 * that a node parent running as that user execs (the way the gateway execs tools: the child
 * inherits the parent's environment, HTTPS_PROXY included, and nothing else tells it the proxy).
 */

/** What one attempt did: curl's exit code, its output and error, and who ran it. */
export interface Attempt {
  /** curl's exit code: 0 success, 7 could not connect, 22 an HTTP error with --fail, 56 the proxy refused the tunnel (CONNECT 403). */
  exit: number | null;
  /** The body on success (the fake internet says "hello https <address> <host>"). */
  body: string;
  /** curl's error message, if any. */
  error: string;
  /** The uid the request ran as (the exec'd child's parent reports its own and its child's). */
  uid: string;
}

export interface ClientContext {
  /** The argv prefix that enters the host namespace. */
  inHost: (cmd: string, args: readonly string[]) => [string, string[]];
  curl: string;
  setpriv: string;
  /** The node binary the exec'd-child parent runs with. */
  node: string;
  /** The gateway's user for this test (a non-squid system user). */
  gatewayUser: string;
  /** The fake internet's CA (the client trusts it; it is not part of the control). */
  caFile: string;
}

/** How a request is made: who makes it, and the environment it gets. */
export type Who = 'gateway-user' | 'exec-child' | 'root';

const TIMEOUT_S = 5;

/** curl's arguments for one URL; `extra` adds e.g. --noproxy '*' or --proxy. */
const curlArgs = (ctx: ClientContext, url: string, extra: readonly string[]) => ['-sS', '--max-time', String(TIMEOUT_S), '--cacert', ctx.caFile, ...extra, url];

/** A node parent that execs curl with the arguments given, inheriting its environment; prints JSON. */
const PARENT = `
const { spawnSync } = require('child_process');
const [curl, ...args] = process.argv.slice(1);
const r = spawnSync(curl, args, { encoding: 'utf8', timeout: 10000 });
console.log(JSON.stringify({ parentUid: process.getuid(), exit: r.status, body: r.stdout, error: r.stderr }));
`;

/**
 * Requests `url` from the host namespace as `who`, with `env` (e.g. HTTPS_PROXY) as its whole
 * environment besides PATH (the test runner's own proxy variables never leak in); `extra` are
 * curl options.
 */
export function attempt(ctx: ClientContext, who: Who, url: string, env: Record<string, string>, extra: readonly string[] = []): Attempt {
  const environment = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env };
  const asUser = (cmd: string, args: readonly string[]) =>
    ctx.inHost(ctx.setpriv, [`--reuid=${ctx.gatewayUser}`, `--regid=${ctx.gatewayUser}`, '--clear-groups', '--', cmd, ...args]);
  const args = curlArgs(ctx, url, extra);
  if (who === 'exec-child') {
    const r = spawnSync(...asUser(ctx.node, ['-e', PARENT, ctx.curl, ...args]), { encoding: 'utf8', timeout: 20_000, env: environment });
    if (r.status !== 0) throw new Error(`exec'd-child parent failed (${r.status ?? r.error?.message}): ${r.stderr}${r.stdout}`);
    const out = JSON.parse(r.stdout) as { parentUid: number; exit: number | null; body: string; error: string };
    return { exit: out.exit, body: out.body, error: out.error.trim(), uid: `${out.parentUid} (node parent; curl its child)` };
  }
  const [cmd, argv] = who === 'root' ? ctx.inHost(ctx.curl, args) : asUser(ctx.curl, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: (TIMEOUT_S + 5) * 1000, env: environment });
  return { exit: r.status, body: r.stdout ?? '', error: (r.stderr ?? '').trim(), uid: who === 'root' ? '0' : ctx.gatewayUser };
}
