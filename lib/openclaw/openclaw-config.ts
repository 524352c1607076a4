/**
 * The gateway's files on the host: what openclaw.json and its neighbours are,
 * where they go, who owns them and what produces them (OPENCLAW_HOST_FILES;
 * host/scripts/install-bundle.sh installs them as listed here), and the host
 * folders the renderers write into those files (OpenclawHostPaths).
 *
 * Files on the host (HOST_PATHS; the boot step writes them; OPENCLAW_HOST_FILES
 * lists owners and modes):
 *
 *   /etc/openclaw/openclaw.json               renderOpenclawConfig(config) (openclaw-json.ts)
 *   /etc/openclaw/control-ui-origins.json     renderControlUiOrigins(config, [cloudFrontOrigin]) (control-ui-origins.ts)
 *        `$include`d by openclaw.json: the browser origins of the Control UI. The
 *        CloudFront domain is only known after deploy, so boot rewrites this file
 *        with it (as it rewrites nginx's allowed-origins.map.conf).
 *   /etc/openclaw/exec-approvals.json         renderExecApprovals(config) (exec-approvals.ts); boot imports it
 *        into the gateway's state with `openclaw approvals set --file` (the exec
 *        allowlists live in OpenClaw's state database, not in openclaw.json).
 *   /run/openclaw/secrets/gateway-token       openclawSecretFiles(config) (secret-files.ts): the gateway token (raw),
 *   /run/openclaw/secrets/agent-<agent>.json  and each agent's credential document (model provider
 *        API key, channel bot tokens) as in Secrets Manager, read by `file` SecretRefs in
 *        json mode (lib/secrets/secrets-manifest.ts); host/fetch-secrets/ writes them.
 *   /etc/openclaw/agents/<agent>/<file>       listAgentFiles(config, configDir) (agent-files.ts), bind-mounted
 *        read-only into the agent's workspace (agentFileBindMounts); their manifest
 *        /etc/openclaw/agents.sha256 is renderAgentFilesManifest in lib/host/runtime-files.ts.
 * lib/host/runtime-files.ts (assembleBundleFiles) puts all but the secrets in the
 * deployment bundle.
 */
import { HOST_LOG_FILES } from '../host/log-files';
import { HOST_PATHS } from '../host/paths';

/** The file openclaw.json `$include`s for gateway.controlUi (same folder). */
export const CONTROL_UI_ORIGINS_FILE = 'control-ui-origins.json';
/** The exec approvals document boot imports (`openclaw approvals set --file`). */
export const EXEC_APPROVALS_FILE = 'exec-approvals.json';

/** One file of the runtime contract: where it goes, who owns it, and what produces it. */
export interface OpenclawHostFile {
  /** Absolute path on the host (`<agent>`, `<file>`, `<name>` stand for each such file). */
  readonly path: string;
  /** user:group */
  readonly owner: string;
  /** Octal file mode, e.g. 0400. */
  readonly mode: string;
  /** What produces the file's content (the renderer, or what is written there). */
  readonly content: string;
}

/**
 * The files the boot step installs for the gateway, with owners and modes that
 * `openclaw security audit` accepts (it reports openclaw.json or an include
 * that is group-readable as a warning and world-readable as critical, and
 * OpenClaw refuses secret files that are readable by others, symlinked or
 * hard-linked). The gateway user owning its config is safe only because the
 * unit mounts HOST_PATHS.configDir read-only (ProtectSystem=strict,
 * ReadOnlyPaths=): inside the unit nothing can chmod or rewrite it.
 */
export const OPENCLAW_HOST_FILES: readonly OpenclawHostFile[] = [
  { path: HOST_PATHS.configFile, owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', content: 'renderOpenclawConfig(config)' },
  {
    path: `${HOST_PATHS.configDir}/control-ui-origins.json`,
    owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`,
    mode: '0400',
    content: 'renderControlUiOrigins(config, [https://<CloudFront domain>]): the bundle ships it without CloudFront; boot rewrites it',
  },
  {
    path: `${HOST_PATHS.configDir}/exec-approvals.json`,
    owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`,
    mode: '0400',
    content: 'renderExecApprovals(config); imported before every gateway start: `openclaw approvals set --file` as the gateway user',
  },
  { path: `${HOST_PATHS.agentFilesDir}/<agent>/<file>`, owner: `root:${HOST_PATHS.user}`, mode: '0444', content: 'listAgentFiles(config, configDir)[].content (folders root:root 0755)' },
  {
    path: HOST_PATHS.agentFilesManifest,
    owner: 'root:root',
    mode: '0644',
    content: 'renderAgentFilesManifest (lib/host/runtime-files.ts): `<sha256>  <agent>/<file>` per line, relative to the agent files folder',
  },
  { path: `${HOST_PATHS.workspacesDir}/<agent>/<file>`, owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0444', content: 'empty mount point; the unit bind-mounts the agent file over it read-only (agentFileBindMounts)' },
  { path: `${HOST_PATHS.secretsDir}/<name>`, owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', content: 'openclawSecretFiles(config): gateway-token (raw) and agent-<agent>.json (the agent\'s document), on tmpfs (folder 0700)' },
];

/** Host folders the generated config refers to; tests point them at a temporary folder. */
export interface OpenclawHostPaths {
  /** Folder of openclaw.json and its include files. */
  readonly configDir: string;
  /** Per-agent workspaces: <workspacesDir>/<agent>. */
  readonly workspacesDir: string;
  /** Read-only agent files: <agentFilesDir>/<agent>/SOUL.md, AGENTS.md. */
  readonly agentFilesDir: string;
  /** Secret files (`file` SecretRefs). */
  readonly secretsDir: string;
  /** OpenClaw's log file (openclaw.json `logging.file`). */
  readonly logFile: string;
}

export const DEFAULT_OPENCLAW_PATHS: OpenclawHostPaths = {
  configDir: HOST_PATHS.configDir,
  workspacesDir: HOST_PATHS.workspacesDir,
  agentFilesDir: HOST_PATHS.agentFilesDir,
  secretsDir: HOST_PATHS.secretsDir,
  logFile: HOST_LOG_FILES.gateway,
};

/** Options of the renderers of the gateway's files. */
export interface OpenclawRenderOptions {
  /** Host paths to use instead of the real ones (tests write the files into a temporary folder). @default DEFAULT_OPENCLAW_PATHS (HOST_PATHS) */
  readonly paths?: Partial<OpenclawHostPaths>;
}

/** The host paths of `options`: DEFAULT_OPENCLAW_PATHS with its overrides. */
export const openclawHostPaths = (options: OpenclawRenderOptions): OpenclawHostPaths => ({ ...DEFAULT_OPENCLAW_PATHS, ...options.paths });
