/**
 * fetch-secrets.js: the boot-time (and refresh-time) secret retrieval of the
 * OpenClaw host. Runs as root from openclaw-secrets.service before nginx and
 * the gateway; bundled into one file by lib/bundling/host-programs.ts and run with the pinned Node.
 *
 * This entry only runs the program (run.ts) on process.argv, prints its lines
 * and exits with its code. Success: `openclaw-secrets: OK ...` on stdout;
 * failure: one `openclaw-secrets: FAILED <Reason>: ...` line on stderr and the
 * Reason's exit code (failure.ts). No secret value is ever printed.
 */
import { runFetchSecrets } from './run';

// The host runs a supported Node; the SDK's notice for older ones would be a second stderr line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

void runFetchSecrets(process.argv.slice(2)).then(({ out, err, code }) => {
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
  // Exit now: a metadata service that never answers must not keep the process alive.
  process.exit(code);
});
