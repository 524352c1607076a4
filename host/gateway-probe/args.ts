/**
 * The command line of gateway-probe.js:
 *   node gateway-probe.js --gateway ID --port N --token-file PATH --agents AGENT[,AGENT...]
 *     --identity PATH [--channels AGENT:CHANNEL[,...]] [--timeout-ms 10000] [--slow-ms 2000]
 *     [--skip-session-write]
 * --gateway     the gateway's id (lib/openclaw/gateways.ts), only a label of the result
 * --port        its port on 127.0.0.1
 * --token-file  its gateway token file (/run/openclaw/secrets/<id>/gateway-token)
 * --agents      its agents; the session write uses the first
 * --identity    the probe's own Ed25519 device identity file for this gateway (created 0600
 *               on the first run, reused after: one paired device, not one a minute)
 * --channels    the channels each agent is bound to; without it, every channel account the
 *               gateway's channels.status reports (its openclaw.json holds only its agents'
 *               channels); an empty value: none
 * --timeout-ms  the whole probe's bound (1000 to 120000; default 10000)
 * --slow-ms     the longest the signed connection (WebSocket opened, challenge, connect answered)
 *               may take, twice in a row, for the gateway to count as usable (100 to 119999, below
 *               --timeout-ms; default 2000, or --timeout-ms less 1 when that is 2000 or less): a
 *               saturated gateway that still answers is not usable
 * --skip-session-write  no session created and deleted this run (the signed connect and
 *               channels.status only): OpenClaw archives the transcript of every deleted session,
 *               so the host's runner writes a session only every 15 minutes
 */
import { integerOption, strictArgs } from '../shared/strict-args';

/** One agent's channel binding. */
export interface Binding {
  readonly agent: string;
  readonly channel: string;
}

export interface Options {
  readonly gateway: string;
  readonly port: number;
  readonly tokenFile: string;
  readonly agents: readonly string[];
  readonly identity: string;
  /** undefined: read the channels from the gateway. */
  readonly channels?: readonly Binding[];
  readonly timeoutMs: number;
  /** The longest the signed connection may take, ms (a gateway answering slower is not usable). */
  readonly slowMs: number;
  /** Create and delete a session (the write a full state disk breaks). @default true */
  readonly sessionWrite: boolean;
}

export const USAGE =
  'usage: node gateway-probe.js --gateway ID --port N --token-file PATH --agents AGENT[,AGENT...] --identity PATH [--channels AGENT:CHANNEL[,...]] [--timeout-ms 10000] [--slow-ms 2000] [--skip-session-write]';

/** A bad command line: the message names the argument and how to call the program. */
export class UsageError extends Error {}

/** A gateway, agent or channel id as the host's lists hold it (lib/host/gateways-list.ts). */
const WORD = /^[a-z0-9][a-z0-9-]*$/;
export const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * 2 s for the whole signed connection (the upgrade, the challenge, the connect answered): 4 times
 * the 500 ms a user should wait at most for an answer. On loopback the healthy gateway of
 * test/openclaw/gateway-probe-e2e.test.ts connects well within it.
 */
export const DEFAULT_SLOW_MS = 2_000;

const usage = (what: string) => new UsageError(`${what}; ${USAGE}`);

function word(name: string, raw: string): string {
  if (!WORD.test(raw)) throw usage(`--${name}: expected a word of [a-z0-9-] (got "${raw}")`);
  return raw;
}

function absolute(name: string, raw: string | undefined): string {
  if (raw === undefined) throw usage(`--${name} is required`);
  if (!raw.startsWith('/') || raw.includes('\0')) throw usage(`--${name}: expected an absolute path (got "${raw}")`);
  return raw;
}

const integer = (name: string, raw: string | undefined, fallback: number | undefined, min: number, max: number): number => integerOption(name, raw, fallback, min, max, usage);

/** Parses argv (without node and the script); throws a UsageError. */
export function parseOptions(argv: readonly string[]): Options {
  const values = strictArgs(
    argv,
    {
      gateway: { type: 'string' },
      port: { type: 'string' },
      'token-file': { type: 'string' },
      agents: { type: 'string' },
      identity: { type: 'string' },
      channels: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'slow-ms': { type: 'string' },
      'skip-session-write': { type: 'boolean' },
    },
    usage,
  );
  const str = (k: string) => values[k] as string | undefined;
  const gatewayRaw = str('gateway');
  if (gatewayRaw === undefined) throw usage('--gateway is required');
  const gateway = word('gateway', gatewayRaw);
  const port = integer('port', str('port'), undefined, 1, 65_535);
  const tokenFile = absolute('token-file', str('token-file'));
  const agentsRaw = str('agents');
  if (agentsRaw === undefined) throw usage('--agents is required');
  const agents = [...new Set(agentsRaw.split(',').map((a) => word('agents', a)))];
  const identity = absolute('identity', str('identity'));
  const channelsRaw = str('channels');
  let channels: Binding[] | undefined;
  if (channelsRaw !== undefined) {
    channels = channelsRaw === '' ? [] : channelsRaw.split(',').map((pair) => {
      const m = /^([^:]*):([^:]*)$/.exec(pair);
      if (!m) throw usage(`--channels: expected AGENT:CHANNEL pairs separated by commas (got "${pair}")`);
      const agent = word('channels', m[1]!);
      if (!agents.includes(agent)) throw usage(`--channels: agent "${agent}" is not one of --agents (${agents.join(', ')})`);
      return { agent, channel: word('channels', m[2]!) };
    });
  }
  const timeoutMs = integer('timeout-ms', str('timeout-ms'), DEFAULT_TIMEOUT_MS, 1_000, 120_000);
  // Not given: the default, kept below a short --timeout-ms.
  const slowMs = integer('slow-ms', str('slow-ms'), Math.min(DEFAULT_SLOW_MS, timeoutMs - 1), 100, 119_999);
  if (slowMs >= timeoutMs) throw usage(`--slow-ms: expected less than --timeout-ms (${timeoutMs}) (got ${slowMs})`);
  return {
    gateway,
    port,
    tokenFile,
    agents,
    identity,
    ...(channels ? { channels: channels.filter((b, i) => channels.findIndex((c) => c.agent === b.agent && c.channel === b.channel) === i) } : {}),
    timeoutMs,
    slowMs,
    sessionWrite: values['skip-session-write'] !== true,
  };
}
