/**
 * One line of the egress proxy's access log: its format (squid.conf's `logformat egress`) and
 * the one parser of it. Pure and import-free: lib/host/egress-proxy.ts (the metric filter's
 * tests, the gateway attribution) and the spend meter's breaker on the host
 * (host/spend-meter/egress.ts, bundled) read the same lines the same way.
 */

/**
 * The access log's format: squid's native `squid` format (squid.conf.documented, logformat) with
 * %>lp, the local port the client connected to, appended: the port names the trust boundary.
 */
export const EGRESS_LOG_FORMAT = '%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt %>lp';

/** One line of the access log, read. */
export interface EgressLogLine {
  /** Seconds since the epoch, with milliseconds. */
  readonly time: number;
  /** The client's address (always loopback here). */
  readonly client: string;
  /** squid's result and the HTTP status, e.g. TCP_TUNNEL/200 or TCP_DENIED/403. */
  readonly result: string;
  /** True for a refusal (TCP_DENIED/...: what the egress-blocked metric filter counts). */
  readonly denied: boolean;
  /** CONNECT, GET, PUT... */
  readonly method: string;
  /** host:port for CONNECT, the URL otherwise. */
  readonly target: string;
  /** The proxy port the request arrived on. */
  readonly port: number;
}

const LOG_LINE =
  /^(\d+\.\d{3}) +\d+ (\S+) ([A-Z_]+\/\d{3}) \d+ ([A-Z]+|-|NONE) (\S+) \S+ [A-Z_]+\/\S+ \S+ (\d{1,5})$/;

/** Reads one access-log line (EGRESS_LOG_FORMAT); undefined for anything else (an old-format line, a fragment). */
export function parseEgressLogLine(line: string): EgressLogLine | undefined {
  const m = LOG_LINE.exec(line.trim());
  if (!m) return undefined;
  const [, time, client, result, method, target, port] = m as unknown as [string, string, string, string, string, string, string];
  return { time: Number(time), client, result, denied: result.startsWith('TCP_DENIED/'), method, target, port: Number(port) };
}
