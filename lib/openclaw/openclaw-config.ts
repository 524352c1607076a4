/**
 * Each gateway's files on the host: what openclaw.json and its neighbours are,
 * where they go, who owns them and what produces them (openclawHostFiles;
 * host/scripts/install-bundle.sh installs them as listed here), and the host
 * folders the renderers write into those files (OpenclawHostPaths). One gateway
 * per agent (or per shared group): lib/openclaw/gateways.ts names its user and
 * folders; `<id>` below is the gateway's id, `<user>` its user openclaw-<id>.
 *
 * Files on the host, per gateway (openclawHostFiles(gateway) lists owners and modes):
 *
 *   /etc/openclaw/gateways/<id>/openclaw.json           renderOpenclawConfig(config, gateway) (openclaw-json.ts)
 *   /etc/openclaw/gateways/<id>/control-ui-origins.json renderControlUiOrigins(config, [cloudFrontOrigin]) (control-ui-origins.ts)
 *        `$include`d by openclaw.json: the browser origins of the Control UI. The
 *        CloudFront domain is only known after deploy, so boot rewrites this file
 *        with it (as it rewrites nginx's allowed-origins.map.conf). The same
 *        origins for every gateway: the path (/agents/<id>/) tells them apart.
 *   /etc/openclaw/gateways/<id>/exec-approvals.json     renderExecApprovals(config, gateway) (exec-approvals.ts);
 *        boot imports it into that gateway's state with `openclaw approvals set --file`
 *        (the exec allowlists live in OpenClaw's state database, not in openclaw.json).
 *   /run/openclaw/secrets/<id>/gateway-token            openclawSecretFiles(config, gateway) (secret-files.ts): the
 *   /run/openclaw/secrets/<id>/agent-<agent>.json       gateway's token (raw) and the credential document of each of
 *        its agents (model provider API key, channel bot tokens) as in Secrets Manager,
 *        read by `file` SecretRefs in json mode (lib/secrets/secrets-manifest.ts);
 *        host/fetch-secrets/ writes them, owned by the gateway's user.
 *   /etc/openclaw/agents/<agent>/<file>                 listAgentFiles(config, configDir) (agent-files.ts), bind-mounted
 *        read-only into the agent's workspace in its gateway's state
 *        (agentFileBindMounts(files, gateway)); their manifest /etc/openclaw/agents.sha256
 *        is renderAgentFilesManifest in lib/host/runtime-files.ts.
 * lib/host/runtime-files.ts puts all but the secrets in the deployment bundle.
 */
import { HOST_PATHS } from '../host/paths';
import type { AgentGateway } from './gateways';

/** The file openclaw.json `$include`s for gateway.controlUi (same folder). */
export const CONTROL_UI_ORIGINS_FILE = 'control-ui-origins.json';
/** The exec approvals document boot imports (`openclaw approvals set --file`). */
export const EXEC_APPROVALS_FILE = 'exec-approvals.json';

/** One file of the runtime contract: where it goes, who owns it, and what produces it. */
export interface OpenclawHostFile {
  /** Absolute path on the host (`<agent>`, `<file>` stand for each such file). */
  readonly path: string;
  /** user:group */
  readonly owner: string;
  /** Octal file mode, e.g. 0400. */
  readonly mode: string;
  /** What produces the file's content (the renderer, or what is written there). */
  readonly content: string;
}

/**
 * The files the boot step installs for one gateway, with owners and modes that
 * `openclaw security audit` accepts (it reports openclaw.json or an include
 * that is group-readable as a warning and world-readable as critical, and
 * OpenClaw refuses secret files that are readable by others, symlinked or
 * hard-linked). The gateway user owning its config is safe only because its
 * unit mounts the config folder read-only (ProtectSystem=strict,
 * ReadOnlyPaths=): inside the unit nothing can chmod or rewrite it. The agent
 * files of the gateway's agents are readable by its group only (0440): another
 * gateway's user cannot read them.
 */
export function openclawHostFiles(gateway: AgentGateway): OpenclawHostFile[] {
  const own = `${gateway.user}:${gateway.user}`;
  return [
    { path: gateway.configFile, owner: own, mode: '0400', content: 'renderOpenclawConfig(config, gateway)' },
    {
      path: gateway.controlUiOriginsFile,
      owner: own,
      mode: '0400',
      content: 'renderControlUiOrigins(config, [https://<CloudFront domain>]): the bundle ships it without CloudFront; boot rewrites it',
    },
    {
      path: gateway.execApprovalsFile,
      owner: own,
      mode: '0400',
      content: 'renderExecApprovals(config, gateway); imported before every start of the gateway: `openclaw approvals set --file` as the gateway user',
    },
    ...gateway.agents.flatMap((agent) => [
      {
        path: `${HOST_PATHS.agentFilesDir}/${agent}/<file>`,
        owner: `root:${gateway.user}`,
        mode: '0440',
        content: `listAgentFiles(config, configDir)[].content of agent ${agent} (its folder root:${gateway.user} 0750)`,
      },
      {
        path: `${gateway.workspacesDir}/${agent}/<file>`,
        owner: own,
        mode: '0444',
        content: 'empty mount point; the unit bind-mounts the agent file over it read-only (agentFileBindMounts(files, gateway))',
      },
    ]),
    {
      path: `${gateway.secretsDir}/<name>`,
      owner: own,
      mode: '0400',
      content: `openclawSecretFiles(config, gateway): gateway-token (raw) and agent-<agent>.json (the agent's document), on tmpfs (folder ${own} 0700)`,
    },
  ];
}

/** Host folders and files one gateway's generated config refers to; tests point them at a temporary folder. */
export interface OpenclawHostPaths {
  /** Folder of openclaw.json and its include files. */
  readonly configDir: string;
  /** Per-agent workspaces of the gateway: <workspacesDir>/<agent>. */
  readonly workspacesDir: string;
  /** Read-only agent files: <agentFilesDir>/<agent>/SOUL.md, AGENTS.md. */
  readonly agentFilesDir: string;
  /** The gateway's secret files (`file` SecretRefs). */
  readonly secretsDir: string;
  /** The gateway's OpenClaw log file (openclaw.json `logging.file`). */
  readonly logFile: string;
}

/** The real host paths of a gateway (lib/openclaw/gateways.ts). */
export const gatewayHostPaths = (gateway: AgentGateway): OpenclawHostPaths => ({
  configDir: gateway.configDir,
  workspacesDir: gateway.workspacesDir,
  agentFilesDir: HOST_PATHS.agentFilesDir,
  secretsDir: gateway.secretsDir,
  logFile: gateway.logFile,
});

/** Options of the renderers of a gateway's files. */
export interface OpenclawRenderOptions {
  /** Host paths to use instead of the gateway's real ones (tests write the files into a temporary folder). @default gatewayHostPaths(gateway) */
  readonly paths?: Partial<OpenclawHostPaths>;
}

/** The host paths of `gateway` with the overrides of `options`. */
export const openclawHostPaths = (gateway: AgentGateway, options: OpenclawRenderOptions = {}): OpenclawHostPaths => ({ ...gatewayHostPaths(gateway), ...options.paths });
