/**
 * spend-meter.js: the fast model-spend meter of the OpenClaw host. Runs every minute
 * as root from openclaw-spend-meter.service (its timer), out of the agents' reach,
 * with the pinned Node 24; bundled into one file by lib/bundling/host-programs.ts.
 *
 *   1. reads the manifest (args.ts, manifest.ts) and its own state (state.ts), and
 *      rolls the totals over to the current UTC day and month,
 *   2. reads, read-only, only what OpenClaw added to its transcripts since the last
 *      run (store.ts: agents/<id>/agent/openclaw-agent.sqlite, table transcript_events)
 *      and prices each model call's usage (meter.ts, usage.ts, pricing.ts),
 *   3. per gateway (one per agent, its own state folder <state>/<id>/): adds its refused
 *      egress (egress.ts) and runs its breaker (breaker.ts): a limit crossed writes its
 *      marker and stops that gateway's unit only,
 *   4. saves its state, then publishes ModelSpendTodayUsd, ModelSpendMonthUsd,
 *      ModelSpendMonthUsd{Model} and AgentBreakerTripped{Gateway} (publish.ts; IMDSv2
 *      credentials only).
 *
 * stdout, one line per run:
 *   openclaw-meter: today $X.XX, month $Y.YY (N new usage records) [metrics published to <ns> | not published: <why>]
 * stderr: `openclaw-meter: BREAKER ...` lines (a gateway tripped, restored, or its stop failed),
 * `openclaw-meter: WARNING ...` lines (an unpriced model, once per run; malformed
 * or capped records; a database it could not read; spend at or over a limit), or one
 * `openclaw-meter: FAILED ...` line when it could not meter at all.
 * Exit: 0 published, 1 metered but not published, 2 bad command line or manifest,
 * 3 could not meter (state file, OpenClaw's state folder).
 */
import { describeError, PREFIX, runSpendMeter } from './run';

// The host runs a supported Node; the SDK's notice for older ones would be a stray stderr line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

void runSpendMeter(process.argv.slice(2)).then(
  ({ out, err, code }) => {
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
    // Exit now: a metadata service that never answers must not keep the process alive.
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`${PREFIX} FAILED unexpected: ${describeError(e)}\n`);
    process.exit(3);
  },
);
