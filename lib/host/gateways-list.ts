/**
 * The host's list of gateways (GATEWAYS_LIST_HOST_FILE, bundle path GATEWAYS_LIST_BUNDLE_PATH):
 * one line per AgentGateway, in id order, `<id> <user> <port> <agent>[,<agent>...]`. The host
 * scripts read it with `while read -r id user port agents`; everything else about a gateway
 * follows from its id (lib/openclaw/gateways.ts: folders, unit, secret files).
 */
import type { ResolvedConfig } from '../config/schema';
import { agentGateways, MAX_GATEWAYS } from '../openclaw/gateways';

/** Where the list travels in the deployment bundle. */
export const GATEWAYS_LIST_BUNDLE_PATH = 'openclaw/gateways.list';
/** A gateway id or agent id as the shell scripts take it: a word of [a-z0-9-], starting with a letter or digit. */
const WORD = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The list's text. Throws on an id, user or agent the scripts could misread (not WORD),
 * or more gateways than the host's port ranges hold (MAX_GATEWAYS).
 */
export function renderGatewaysList(config: ResolvedConfig): string {
  const gateways = agentGateways(config);
  if (gateways.length > MAX_GATEWAYS) throw new Error(`gateways.list: ${gateways.length} gateways, at most ${MAX_GATEWAYS}`);
  return gateways
    .map((g) => {
      for (const word of [g.id, ...g.agents]) if (!WORD.test(word)) throw new Error(`gateways.list: ${JSON.stringify(word)} is not a word of [a-z0-9-]`);
      return `${g.id} ${g.user} ${g.port} ${g.agents.join(',')}\n`;
    })
    .join('');
}
