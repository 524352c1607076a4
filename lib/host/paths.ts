/**
 * Where things live on the gateway host. One source for the cloud-init
 * files, the systemd units, the generated openclaw.json and the tests.
 */
export const HOST_PATHS = {
  /**
   * The user of the single gateway of earlier versions. The gateways now run as their own
   * users (openclaw-<id>, lib/openclaw/gateways.ts); this one remains only as the owner of
   * an earlier version's state, which the state volume keeps in place.
   */
  user: 'openclaw',
  /** Pinned OpenClaw and Node 24, installed with `npm ci --ignore-scripts` from the shipped lockfile. */
  installDir: '/opt/openclaw',
  /** Node 24 binary from the npm package `node` in the shipped lockfile. */
  node: '/opt/openclaw/node_modules/node/bin/node',
  /** OpenClaw CLI entry from the shipped lockfile. */
  openclawBin: '/opt/openclaw/node_modules/openclaw/openclaw.mjs',
  /**
   * host.env, the manifests and, per gateway, gateways/<id>/ (root:<user> 0750) with its
   * openclaw.json, control-ui-origins.json and exec-approvals.json, <user> 0400 (as
   * `openclaw security audit` wants), kept unchangeable by the gateway unit's read-only
   * mount of that folder. A root 0755 folder.
   */
  configDir: '/etc/openclaw',
  configFile: '/etc/openclaw/openclaw.json',
  /**
   * Per-agent soul and instruction files (SOUL.md, AGENTS.md): <agent>/ is root:<its gateway's
   * user> 0750, each file root:<that user> 0440, so only that gateway (and root) reads them.
   */
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
  /**
   * The gateways' state, on the state volume (root 0755): <id>/ per gateway (sessions, memory,
   * paired devices, workspaces), owned by its user, 0700. An earlier single gateway's state
   * stays in place at the top of this folder (owned by HOST_PATHS.user), unread.
   */
  stateDir: '/var/lib/openclaw',
  /**
   * The single gateway's workspaces of earlier versions. A gateway's workspaces are now
   * <stateDir>/<id>/workspaces/<agent> (AgentGateway.workspacesDir).
   */
  workspacesDir: '/var/lib/openclaw/workspaces',
  /**
   * Secrets written at boot on tmpfs (root 0755): <id>/ per gateway, its user 0700, each file
   * that user 0400 with one hard link.
   */
  secretsDir: '/run/openclaw/secrets',
  /**
   * OpenClaw's logs (openclaw.json `logging.file`): root 0755, <id>/openclaw.log per gateway in
   * its user's 0750 folder. OpenClaw 2026.9.6 owns that file and must: it re-applies mode 0600 to it before
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

/**
 * The per-gateway breaker's stop markers: `<dir>/<gateway id>.tripped` (root 0600 JSON:
 * reason, time, figures). Each gateway unit has `ConditionPathExists=!<marker>`, so a tripped
 * gateway stays stopped, across reboots too, until the restore removes its marker.
 * Inside the spend meter's state folder (root 0700): no gateway user can read or remove it.
 */
export const BREAKER_MARKER_DIR = `${HOST_PATHS.spendMeterStateDir}/breaker`;

/** The breaker's stop marker of one gateway (BREAKER_MARKER_DIR). */
export const breakerMarkerFile = (gatewayId: string): string => `${BREAKER_MARKER_DIR}/${gatewayId}.tripped`;
