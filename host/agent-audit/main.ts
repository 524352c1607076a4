/**
 * agent-audit.js: the attributable audit of the OpenClaw host. Run every minute as root by
 * export-logs.sh (openclaw-log-export.service), out of the agents' reach, with the pinned
 * Node 24 (--jitless: the unit denies writable executable memory); bundled into one file by
 * lib/bundling/host-programs.ts.
 *
 * For every gateway (one per agent: /var/lib/openclaw/<id>, user openclaw-<id>), appends one
 * JSON line per tool call and per outbound message its OpenClaw recorded in its audit
 * ledger (run.ts) to the append-only audit file the CloudWatch agent ships to the
 * agent-audit log group, from where the log archive writes it to the object-locked bucket.
 *
 * stdout: `openclaw-agent-audit: <gateway>: N records` per gateway with new records.
 * stderr: `openclaw-agent-audit: WARNING ...` (a folder refused, a replaced ledger, a
 * transcript it could not search) and `openclaw-agent-audit: FAILED <gateway|Setup|Usage>: ...`.
 * Exit: 0 every gateway exported, 1 one or more failed, 2 bad command line.
 */
import { describeError, PREFIX, runAgentAudit } from './run';

try {
  const { out, err, code } = runAgentAudit(process.argv.slice(2));
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`${PREFIX} FAILED unexpected: ${describeError(e)}\n`);
  process.exitCode = 1;
}
