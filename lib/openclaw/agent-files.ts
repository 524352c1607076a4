/**
 * The agent files (SOUL.md, AGENTS.md, ...) of a config: read from
 * config/clients/<client>/agents/<agent>/, installed read-only under
 * HOST_PATHS.agentFilesDir and bind-mounted into each agent's workspace, in the
 * state folder of the agent's gateway (lib/openclaw/gateways.ts).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { HOST_PATHS } from '../host/paths';
import { gatewayOfAgent, type AgentGateway } from './gateways';

/** The agent files every agent must have, in config/clients/<client>/agents/<agent>/. */
export const REQUIRED_AGENT_FILES = ['SOUL.md', 'AGENTS.md'] as const;
/** Optional further bootstrap files OpenClaw reads from a workspace; shipped when present. */
export const OPTIONAL_AGENT_FILES = ['IDENTITY.md', 'USER.md', 'TOOLS.md'] as const;

const join = (dir: string, ...rest: string[]) => path.posix.join(dir, ...rest);

/** One agent file to deploy: read from the config folder, installed read-only on the host. */
export interface AgentFile {
  /** The agent's id (its key in openclaw.agents and its folder name). */
  readonly agent: string;
  /** The id of the agent's gateway (gatewayOfAgent). */
  readonly gateway: string;
  /** File name, e.g. SOUL.md. */
  readonly file: string;
  /** `<agent>/<file>`, relative to HOST_PATHS.agentFilesDir (and to the bundle's agents/ folder). */
  readonly relativePath: string;
  /** Absolute path on the host: HOST_PATHS.agentFilesDir/<agent>/<file>. */
  readonly hostPath: string;
  /** Where it appears to OpenClaw: the agent's workspace in its gateway's state, read-only bind-mounted from hostPath. */
  readonly workspacePath: string;
  /** The file's bytes, as read from the config folder. */
  readonly content: Buffer;
  /** Hex SHA-256 of content. */
  readonly sha256: string;
}

/** Host folders listAgentFiles writes into the file list; tests point them at a temporary folder. */
export interface AgentFilePaths {
  /** Where the files are installed: <agentFilesDir>/<agent>/<file>. @default HOST_PATHS.agentFilesDir */
  readonly agentFilesDir?: string;
  /** The workspaces folder of a gateway: <workspacesDir(gateway)>/<agent>/<file>. @default the gateway's workspacesDir */
  readonly workspacesDir?: (gateway: AgentGateway) => string;
}

/**
 * The agent files of a config, read from `<configDir>/clients/<client>/agents/<agent>/`:
 * SOUL.md and AGENTS.md (required), IDENTITY.md, USER.md, TOOLS.md (when present).
 * Sorted by relative path. Throws naming every missing required file and any
 * file in an agent folder that is not an agent file (or a folder without an agent).
 */
export function listAgentFiles(config: ResolvedConfig, configDir: string, paths: AgentFilePaths = {}): AgentFile[] {
  const agentFilesDir = paths.agentFilesDir ?? HOST_PATHS.agentFilesDir;
  const workspacesDir = paths.workspacesDir ?? ((g: AgentGateway) => g.workspacesDir);
  const root = path.join(configDir, 'clients', config.client, 'agents');
  // Every path here is inside configDir, so this is never empty: e.g. config/clients/<client>/agents/<agent>/SOUL.md.
  const rel = (f: string) => path.relative(path.dirname(configDir), f);
  const problems: string[] = [];
  const files: AgentFile[] = [];
  const known = new Set<string>([...REQUIRED_AGENT_FILES, ...OPTIONAL_AGENT_FILES]);
  for (const agent of Object.keys(config.openclaw.agents).sort()) {
    const gateway = gatewayOfAgent(config, agent);
    const dir = path.join(root, agent);
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    for (const required of REQUIRED_AGENT_FILES) {
      if (!present.includes(required)) problems.push(`${rel(path.join(dir, required))}: missing; every agent needs ${REQUIRED_AGENT_FILES.join(' and ')}`);
    }
    for (const name of present) {
      const file = path.join(dir, name);
      if (!known.has(name) || !fs.lstatSync(file).isFile()) {
        problems.push(`${rel(file)}: not an agent file; an agent folder holds only regular files named ${[...known].join(', ')}`);
        continue;
      }
      const content = fs.readFileSync(file);
      files.push({
        agent,
        gateway: gateway.id,
        file: name,
        relativePath: `${agent}/${name}`,
        hostPath: join(agentFilesDir, agent, name),
        workspacePath: join(workspacesDir(gateway), agent, name),
        content,
        sha256: crypto.createHash('sha256').update(content).digest('hex'),
      });
    }
  }
  if (fs.existsSync(root)) {
    for (const name of fs.readdirSync(root)) {
      if (!(name in config.openclaw.agents)) problems.push(`${rel(path.join(root, name))}: no agent "${name}" in openclaw.agents; remove the folder or define the agent`);
    }
  }
  if (problems.length) throw new Error(`Agent files of client ${config.client}:\n${problems.map((m) => `  - ${m}`).join('\n')}`);
  return files;
}

/**
 * systemd BindReadOnlyPaths= entries for the unit of `gateway`: every agent
 * file of its agents appears at its workspace path, read-only (the files of
 * other gateways' agents are left out). OpenClaw reads bootstrap files
 * (SOUL.md, AGENTS.md) only from the agent's workspace, which the gateway (and
 * so the agent's own file tools) can write; a read-only bind mount cannot be
 * written, replaced, renamed or deleted from inside the unit.
 */
export function agentFileBindMounts(files: readonly AgentFile[], gateway?: Pick<AgentGateway, 'id'>): string[] {
  // Without a gateway: the files given, which the caller already took from one gateway (a test fixture's).
  return files.filter((f) => gateway === undefined || f.gateway === gateway.id).map((f) => `${f.hostPath}:${f.workspacePath}`);
}
