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
  /** Gateway state (sessions, memory): owned by the gateway user, 0700. */
  stateDir: '/var/lib/openclaw',
  /**
   * Per-agent writable workspaces (<agent>: openclaw 0700), each agent file bind-mounted
   * read-only at <agent>/<file> by the gateway unit.
   */
  workspacesDir: '/var/lib/openclaw/workspaces',
  /** Secrets written at boot on tmpfs (folder 0700): openclaw:openclaw 0400, one hard link each. */
  secretsDir: '/run/openclaw/secrets',
  /** Gateway logs and audit files: written by the gateway, shipped off the host. */
  logDir: '/var/log/openclaw',
  /** Helper scripts (preflight, integrity check, boot steps). */
  libexecDir: '/usr/local/libexec/openclaw',
} as const;
