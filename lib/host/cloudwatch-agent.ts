/**
 * The host's audit trail off the box: the log groups the gateway host writes
 * (HOST_LOG_GROUPS) and the CloudWatch agent configuration that ships them
 * (renderCloudWatchAgentConfig), installed by install-bundle.sh at
 * HOST_PATHS.cloudwatchAgentConfig (bundle path CLOUDWATCH_AGENT_BUNDLE_PATH) and
 * read by amazon-cloudwatch-agent.service at every start (its start-up translates
 * that file; no amazon-cloudwatch-agent-ctl call is needed).
 *
 * What is shipped, one log group per source, `<hostLogGroupPrefix(name)><id>`:
 *   gateway       OpenClaw's log (HOST_LOG_FILES.gateway, openclaw.json `logging.file`),
 *                 as root copies it into HOST_PATHS.auditLogDir (openclaw-log-export, every minute)
 *   nginx-access  nginx's JSON access log (HOST_LOG_FILES.nginxAccess; log_format openclaw of nginx.conf)
 *   nginx-error   nginx's error log (HOST_LOG_FILES.nginxError)
 *   journal       the journal of the host's units (JOURNAL_EXPORT_UNITS), exported by
 *                 openclaw-log-export as JSON lines
 *   egress-proxy  the egress proxy's access log (HOST_LOG_FILES.egressProxyAccess, squid's
 *                 native format): every outbound request, refusals as TCP_DENIED/403
 *   agent-audit   the attributable audit (AGENT_AUDIT_FILE): one JSON line per tool call and
 *                 per outbound message of every gateway's agents (gateway, agent, session,
 *                 tool or channel and recipient pseudonym, time, outcome ok/error/denied),
 *                 written by openclaw-log-export from each gateway's OpenClaw audit ledger
 *                 (host/agent-audit/, lib/audit/agent-audit.ts)
 * The log paths are read from lib/host/paths.ts, never back out of the rendered files;
 * the rendered openclaw.json and nginx.conf write to the same paths
 * (test/host/cloudwatch-agent.test.ts checks that they agree).
 * No OpenClaw audit log file: OpenClaw 2026.9.6 keeps its audit ledger in its state
 * database (`openclaw audit`; the audit/*.jsonl and logs/config-audit.jsonl it once
 * wrote are legacy paths that its doctor migrates into that database): root exports it
 * from there into AGENT_AUDIT_FILE.
 *
 * The agent reads files of root and of the proxy's system user only. The proxy's log
 * folder (/var/log/squid) belongs to EGRESS_PROXY_USER, which only squid runs as: no
 * process of the gateway or its agents can write there, so only a compromised squid
 * itself could swap access.log for a symlink. It does not read the gateway's log folder
 * (HOST_PATHS.logDir belongs to the gateway user, who could put a symlink there in
 * place of openclaw.log and have a root reader ship /etc/shadow or nginx's
 * origin-verify map): openclaw-log-export copies that log, refusing anything but a
 * regular file owned by the gateway user. It runs as root because the nginx logs
 * and the audit copies are root's (0700 folder); it has no credentials file (the
 * instance role through IMDSv2), no metrics section, and neither creates log groups
 * nor changes their retention (retention_in_days -1): the gateway stack creates them,
 * KMS-encrypted with their retention, and the host role may not.
 */
import { agentGateways } from '../openclaw/gateways';
import type { ResolvedConfig } from '../config/schema';
import { deploymentName, hostLogGroupPrefix } from '../shared/naming';
import { HOST_LOG_FILES } from './log-files';
import { HOST_PATHS } from './paths';

/** The bundle path of the agent configuration (install-bundle.sh installs it at HOST_PATHS.cloudwatchAgentConfig). */
export const CLOUDWATCH_AGENT_BUNDLE_PATH = 'cloudwatch/amazon-cloudwatch-agent.json';
/** Seconds the agent waits at most before it sends what it has read (force_flush_interval; its default). */
export const CLOUDWATCH_AGENT_FLUSH_SECONDS = 5;
/** The user the agent runs as: root (the files it ships are root's; see the module comment). */
export const CLOUDWATCH_AGENT_USER = 'root';
/** The journal export of openclaw-log-export (journalctl --output=json), shipped as `journal`. */
export const JOURNAL_EXPORT_FILE = `${HOST_PATHS.auditLogDir}/journal.jsonl`;
/** The root copy of OpenClaw's log made by openclaw-log-export, shipped as `gateway`. */
export const GATEWAY_LOG_COPY_FILE = `${HOST_PATHS.auditLogDir}/gateway.jsonl`;
/** The attributable audit written by openclaw-log-export (agent-audit.js), shipped as `agent-audit`. */
/** The root copy of one gateway's OpenClaw log (export-logs.sh), shipped as its own stream of the gateway group. */
export const gatewayLogCopyFile = (gatewayId: string) => `${HOST_PATHS.auditLogDir}/gateway-${gatewayId}.jsonl`;

export const AGENT_AUDIT_FILE = `${HOST_PATHS.auditLogDir}/agent-audit.jsonl`;

export type HostLogGroupId = 'gateway' | 'nginx-access' | 'nginx-error' | 'journal' | 'egress-proxy' | 'agent-audit';

/** One file the CloudWatch agent ships, and the stream it goes to. */
export interface HostLogFile {
  /** The file on the host. */
  readonly file: string;
  /** Its log stream: {instance_id}, or {instance_id}-<gateway id> for a gateway's log. */
  readonly stream: string;
  /**
   * Where the records are first written, when `file` is a copy (a gateway's OpenClaw log).
   * @default - none: `file` is where the records are written
   */
  readonly source?: string;
}

/** One log group of the host: what the CloudWatch agent ships into it, and from where. */
export interface HostLogGroup {
  /** The last part of the log group name. */
  readonly id: HostLogGroupId;
  /** `<hostLogGroupPrefix(deployment)><id>`, e.g. /openclaw/openclaw-example-dev/gateway. */
  readonly logGroupName: string;
  /** The files shipped into it: one, or one per gateway (the gateway group). */
  readonly files: readonly HostLogFile[];
  /** What the records are, in one sentence. */
  readonly purpose: string;
}

/**
 * The log groups of one client x environment, in a fixed order. The gateway stack
 * creates each (KMS, retention); the host role may write streams in them only.
 */
export function HOST_LOG_GROUPS(config: ResolvedConfig): HostLogGroup[] {
  const prefix = hostLogGroupPrefix(deploymentName(config));
  const one = (file: string): HostLogFile => ({ file, stream: '{instance_id}' });
  const groups: Omit<HostLogGroup, 'logGroupName'>[] = [
    {
      id: 'gateway',
      files: agentGateways(config).map((g) => ({ file: gatewayLogCopyFile(g.id), stream: `{instance_id}-${g.id}`, source: g.logFile })),
      purpose: 'OpenClaw log of each gateway (JSON lines: agent runs, tools, channels, auth), as root copies it every minute; one stream per gateway, {instance_id}-<gateway id>, from gateway-<id>.jsonl',
    },
    { id: 'nginx-access', files: [one(HOST_LOG_FILES.nginxAccess)], purpose: 'nginx access log (JSON lines: time, viewer, status, origin verified; no query strings or credentials)' },
    { id: 'nginx-error', files: [one(HOST_LOG_FILES.nginxError)], purpose: 'nginx error log (warn and above)' },
    {
      id: 'journal',
      files: [one(JOURNAL_EXPORT_FILE)],
      purpose: 'journal of the gateway, nginx, boot preflight, secrets, integrity, health and install units (JSON lines; FAILED lines)',
    },
    {
      id: 'egress-proxy',
      files: [one(HOST_LOG_FILES.egressProxyAccess)],
      purpose: 'egress proxy (squid) access log: every outbound request of the host, refusals as TCP_DENIED/403 (metric EgressBlocked)',
    },
    {
      id: 'agent-audit',
      files: [one(AGENT_AUDIT_FILE)],
      purpose: 'attributable audit: one JSON line per tool call and outbound message of each gateway\'s agents (gateway, agent, session, tool or channel, time, outcome), from OpenClaw\'s audit ledger',
    },
  ];
  return groups.map((g) => ({ ...g, logGroupName: `${prefix}${g.id}` }));
}

/** The agent configuration (amazon-cloudwatch-agent.json): logs only, for this deployment's region. */
export function renderCloudWatchAgentConfig(config: ResolvedConfig): string {
  const doc = {
    agent: {
      run_as_user: CLOUDWATCH_AGENT_USER,
      region: config.aws.region,
      debug: false,
    },
    logs: {
      force_flush_interval: CLOUDWATCH_AGENT_FLUSH_SECONDS,
      logs_collected: {
        files: {
          collect_list: HOST_LOG_GROUPS(config).flatMap((g) =>
            g.files.map((f) => ({
              file_path: f.file,
              log_group_name: g.logGroupName,
              log_stream_name: f.stream,
              timezone: 'UTC',
              // -1: the agent leaves the group's retention alone (the stack sets it).
              retention_in_days: -1,
              auto_removal: false,
            })),
          ),
        },
      },
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
