/**
 * gateway-probe.js: what users need of ONE OpenClaw gateway, checked through the gateway's
 * own protocol (GET /healthz answers 200 while the state disk is full, a channel is silenced
 * by the crash-loop breaker or the gateway is saturated). Runs with the pinned Node 24 (its
 * global WebSocket); bundled into one file by lib/bundling/host-programs.ts.
 *
 *   node gateway-probe.js --gateway ID --port N --token-file PATH --agents AGENT[,AGENT...]
 *     --identity PATH [--channels AGENT:CHANNEL[,...]] [--timeout-ms 10000] [--slow-ms 2000]
 *     [--skip-session-write]     (args.ts)
 *
 * stdout, one JSON line, exit 0, whatever the gateway's state (probe.ts):
 *   {"gateway":ID,"usable":BOOL,"reason":STRING|null,"latencyMs":N,"connectMs":N|null,
 *    "channels":[{"channel","account","running":BOOL,"state":"running|stopped|suppressed|missing","reason":STRING|null}]}
 * A bad command line: one `openclaw-gateway-probe: ...` line on stderr naming the argument, exit 2.
 */
import { parseOptions, UsageError, type Options } from './args';
import { runProbe, type ProbeResult } from './probe';

export const PREFIX = 'openclaw-gateway-probe:';

let options: Options | undefined;
try {
  options = parseOptions(process.argv.slice(2));
} catch (e) {
  const message = e instanceof UsageError ? e.message : `unexpected: ${(e as Error).message}`;
  process.stderr.write(`${PREFIX} ${message.split('\n')[0]}\n`);
  process.exitCode = 2;
}

if (options) {
  const o = options;
  const print = (r: ProbeResult) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    // Exit now: a frozen gateway's half-open socket must not keep the process alive.
    process.exit(0);
  };
  runProbe(o).then(print, (e: unknown) => print({ gateway: o.gateway, usable: false, reason: `probe error: ${(e as Error).message}`, latencyMs: 0, connectMs: null, channels: [] }));
}
