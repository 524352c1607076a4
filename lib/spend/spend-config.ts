import type { ConfigProblem } from '../config/errors';
import { formatPath } from '../config/key-path';
import { originOf, type MergedConfig } from '../config/merge';
import type { ResolvedConfig } from '../config/schema';

/** `<provider>/<model>`, as OpenClaw and the spend meter name an agent's model. */
export const agentModelId = (agent: { provider: string; model: string }) => `${agent.provider}/${agent.model}`;

/**
 * Every agent's model must have a price in spend.modelPrices: the host meters
 * model spend from OpenClaw's usage records with that table, and an unpriced
 * model would make the fast breaker blind to it.
 */
export function checkSpend(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  const priced = Object.keys(config.spend.modelPrices);
  return Object.entries(config.openclaw.agents)
    .filter(([, agent]) => !priced.includes(agentModelId(agent)))
    .map(([id, agent]) => {
      const path = ['openclaw', 'agents', id, 'model'];
      const origin = originOf(merged, path);
      return {
        file: origin?.file,
        line: origin?.line,
        path: formatPath(path),
        message:
          `model "${agentModelId(agent)}" has no price in spend.modelPrices (priced: ${priced.join(', ') || 'none'}): the spend meter could not price its usage. ` +
          `Add spend.modelPrices."${agentModelId(agent)}" with the provider's list prices per million tokens`,
      };
    });
}
