/**
 * The attributable audit of the agents: every tool call and every outbound message, with
 * the gateway and agent that made it, when, and how it ended, in the shipped and
 * object-locked logs.
 *
 *   1. OpenClaw records them, metadata only, in each gateway's audit ledger (table
 *      audit_events of <state>/state/openclaw.sqlite): tool actions by default, outbound
 *      messages when openclaw.json says logging.audit.messages (OPENCLAW_AUDIT_LOGGING,
 *      rendered into every gateway's openclaw.json).
 *   2. Every minute, as root, openclaw-log-export (host/scripts/export-logs.sh,
 *      export_agent_audit) runs agent-audit.js (host/agent-audit/, bundled into the
 *      deployment bundle at AGENT_AUDIT_PROGRAM_PATH) over every gateway's state folder; it
 *      appends one JSON line per record to AGENT_AUDIT_FILE (lib/host/cloudwatch-agent.ts),
 *      root 0600 and append-only (chattr +a).
 *   3. The CloudWatch agent ships that file to the host log group `agent-audit`
 *      (HOST_LOG_GROUPS); its subscription feeds the log archive, which writes it into the
 *      object-locked audit bucket (lib/audit/log-archive.ts).
 *
 * Proven with real agent turns of the real OpenClaw: test/openclaw/audit-agent-turns.test.ts.
 */

/** The export program in the deployment bundle; install-bundle.sh installs scripts/*.js root 0644 in HOST_PATHS.libexecDir. */
export const AGENT_AUDIT_PROGRAM_PATH = 'scripts/agent-audit.js';

/**
 * openclaw.json `logging.audit` of every gateway (OpenClaw 2026.9.6,
 * docs/gateway/config-observability.md#audit): the ledger on (its default, pinned), and
 * outbound and inbound message metadata for every conversation kind ("all"; the default
 * "off" records no message). Content-free either way: OpenClaw stores the channel, the
 * outcome and keyed pseudonyms of account, conversation and recipient, never a body.
 * executionIdentity stays off (OpenClaw's default: a privacy-sensitive identity record
 * this audit does not need).
 */
export const OPENCLAW_AUDIT_LOGGING = { enabled: true, executionIdentity: false, messages: 'all' } as const;
