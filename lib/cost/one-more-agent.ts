/**
 * A copy of a config folder in which one client x environment has one more agent,
 * for the cost of the next agent (lib/cost/added-agent.ts): the agent `added-agent`
 * (provider and model of the client's first agent, no channel, hardened defaults),
 * set in the environment file of the client (clients/<client>/<env>.yaml, created
 * or extended), with its SOUL.md and AGENTS.md. The caller removes the copy.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import type { ResolvedConfig } from '../config/schema';

/** The id of the added agent. */
export const ADDED_AGENT_ID = 'added-agent';

/** Where the copy is: its root (remove it) and its config folder. */
export interface OneMoreAgentCopy {
  readonly root: string;
  readonly configDir: string;
}

/** Copies `configDir` into a temporary folder and adds ADDED_AGENT_ID to `config`'s client x environment. */
export function configWithOneMoreAgent(configDir: string, config: ResolvedConfig): OneMoreAgentCopy {
  const [first] = Object.keys(config.openclaw.agents).sort();
  const model = first === undefined ? undefined : config.openclaw.agents[first];
  if (!model) throw new Error(`${config.client}/${config.env} has no agent to model the added one on`);
  if (ADDED_AGENT_ID in config.openclaw.agents) throw new Error(`${config.client}/${config.env} already has an agent "${ADDED_AGENT_ID}"`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cost-agent-'));
  const copy = path.join(root, 'config');
  fs.cpSync(configDir, copy, { recursive: true });
  const clientDir = path.join(copy, 'clients', config.client);
  const envFile = path.join(clientDir, `${config.env}.yaml`);
  const text = fs.existsSync(envFile) ? fs.readFileSync(envFile, 'utf8') : '';
  // A file of comments only (or none) holds no mapping yet: start from an empty one.
  const doc = parseDocument(parseDocument(text).contents === null ? '{}\n' : text);
  doc.setIn(['openclaw', 'agents', ADDED_AGENT_ID], {
    description: 'One more agent, for the cost report: reached only through the gateway.',
    provider: model.provider,
    model: model.model,
  });
  fs.writeFileSync(envFile, doc.toString());
  const agentDir = path.join(clientDir, 'agents', ADDED_AGENT_ID);
  fs.mkdirSync(agentDir, { recursive: true });
  fs.writeFileSync(path.join(agentDir, 'SOUL.md'), '# Added agent\n');
  fs.writeFileSync(path.join(agentDir, 'AGENTS.md'), '# Instructions\nAnswer from the workspace only.\n');
  return { root, configDir: copy };
}
