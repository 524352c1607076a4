/**
 * Agent files: every agent has its SOUL.md and AGENTS.md in
 * config/clients/<client>/agents/<agent>/, and those folders hold nothing else.
 * listAgentFiles (lib/openclaw/agent-files.ts) reads them and names what is
 * wrong; this turns its refusal into a config problem at the agents folder.
 */
import * as path from 'path';
import { listAgentFiles } from '../../openclaw/agent-files';
import type { ConfigProblem } from '../errors';
import type { ResolvedConfig } from '../schema';

/** The problem listAgentFiles reports for `config`'s agent files, if any. */
export function checkAgentFiles(config: ResolvedConfig, configDir: string): ConfigProblem[] {
  try {
    listAgentFiles(config, configDir);
    return [];
  } catch (e) {
    return [{ file: path.relative(process.cwd(), path.join(configDir, 'clients', config.client, 'agents')), message: (e as Error).message }];
  }
}
