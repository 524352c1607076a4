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
  /** Generated openclaw.json and read-only agent files: root-owned, readable by the gateway group. */
  configDir: '/etc/openclaw',
  configFile: '/etc/openclaw/openclaw.json',
  /** Per-agent soul and instruction files (SOUL.md, AGENTS.md): root:openclaw 0444 under 0755 root dirs. */
  agentFilesDir: '/etc/openclaw/agents',
  /** SHA-256 manifest of the deployed agent files, checked at boot and periodically. */
  agentFilesManifest: '/etc/openclaw/agents.sha256',
  /** Gateway state (sessions, memory): owned by the gateway user, 0700. */
  stateDir: '/var/lib/openclaw',
  /** Per-agent writable workspaces. */
  workspacesDir: '/var/lib/openclaw/workspaces',
  /** Secrets written at boot on tmpfs, 0600, owned by the gateway user. */
  secretsDir: '/run/openclaw/secrets',
  /** Gateway logs and audit files: written by the gateway, shipped off the host. */
  logDir: '/var/log/openclaw',
  /** Helper scripts (preflight, integrity check, boot steps). */
  libexecDir: '/usr/local/libexec/openclaw',
} as const;
