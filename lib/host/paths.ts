/**
 * Where things live on the gateway host. One source for the cloud-init
 * files, the systemd units, the generated openclaw.json and the tests.
 */
export const HOST_PATHS = {
  /** Dedicated unprivileged system user (and group) the gateway runs as. */
  user: 'openclaw',
  /** Pinned OpenClaw and Node 24, installed with `npm ci --ignore-scripts` from the shipped lockfile. */
  installDir: '/opt/openclaw',
  /** Node 24 binary from the npm package `node` in the shipped lockfile. */
  node: '/opt/openclaw/node_modules/node/bin/node',
  /** OpenClaw CLI entry from the shipped lockfile. */
  openclawBin: '/opt/openclaw/node_modules/openclaw/openclaw.mjs',
  /**
   * Generated openclaw.json, its include files and the agent files: a root 0755 folder.
   * openclaw.json, control-ui-origins.json and exec-approvals.json are openclaw:openclaw
   * 0400 (as `openclaw security audit` wants), kept unchangeable by the gateway unit's
   * read-only mount of this folder (OPENCLAW_HOST_FILES in lib/openclaw/openclaw-config.ts).
   */
  configDir: '/etc/openclaw',
  configFile: '/etc/openclaw/openclaw.json',
  /** Per-agent soul and instruction files (SOUL.md, AGENTS.md): root:openclaw 0444 under 0755 root dirs. */
  agentFilesDir: '/etc/openclaw/agents',
  /** SHA-256 manifest of the deployed agent files, checked at boot and periodically. */
  agentFilesManifest: '/etc/openclaw/agents.sha256',
  /**
   * Where the state volume (its own EBS volume, kept across host replacements, snapshotted
   * daily: lib/host/gateway-state-volume.ts) is mounted, root 0755, by
   * openclaw-state-volume.service (attach-state-volume.sh). Its folders `gateway` and
   * `spend-meter` are bind-mounted on stateDir and spendMeterStateDir: every byte of state
   * that must outlive the host is there, nothing else is.
   */
  stateVolumeDir: '/var/lib/openclaw-volume',
  /** Gateway state (sessions, memory, paired devices): owned by the gateway user, 0700; on the state volume. */
  stateDir: '/var/lib/openclaw',
  /**
   * Per-agent writable workspaces (<agent>: openclaw 0700), each agent file bind-mounted
   * read-only at <agent>/<file> by the gateway unit.
   */
  workspacesDir: '/var/lib/openclaw/workspaces',
  /** Secrets written at boot on tmpfs (folder 0700): openclaw:openclaw 0400, one hard link each. */
  secretsDir: '/run/openclaw/secrets',
  /**
   * OpenClaw's own log (openclaw.json `logging.file`, openclaw.log): the gateway user's 0750
   * folder. OpenClaw 2026.9.6 owns that file and must: it re-applies mode 0600 to it before
   * every append (fchmod) and rotates it by renaming, both of which an append-only file
   * refuses (the gateway then drops every record). So it is not itself the audit copy:
   * openclaw-log-export copies it, as root, into auditLogDir (lib/host/cloudwatch-agent.ts).
   */
  logDir: '/var/log/openclaw',
  /**
   * The host's audit copies, root 0700 (systemd LogsDirectory= of openclaw-log-export.service),
   * each file root 0600 with the append-only attribute (chattr +a): the journal of the OpenClaw
   * units (journal.jsonl) and a copy of OpenClaw's log (gateway.jsonl). The gateway user can
   * neither read nor change them; the CloudWatch agent ships them (HOST_LOG_GROUPS).
   */
  auditLogDir: '/var/log/openclaw-audit',
  /** Where openclaw-log-export keeps its journal cursor and its position in OpenClaw's log (StateDirectory=, root 0700). */
  logExportStateDir: '/var/lib/openclaw-log-export',
  /**
   * The model-spend meter's own state (StateDirectory= of openclaw-spend-meter.service, root 0700):
   * state.json, its position in OpenClaw's usage records and the running totals. The gateway
   * user can neither read nor change it. On the state volume: the month's totals survive a new host.
   */
  spendMeterStateDir: '/var/lib/openclaw-meter',
  /** The CloudWatch agent's configuration (renderCloudWatchAgentConfig), read at every agent start. */
  cloudwatchAgentConfig: '/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json',
  /** Helper scripts (preflight, integrity check, boot steps). */
  libexecDir: '/usr/local/libexec/openclaw',
} as const;
