/**
 * Spend: every agent's model must have a price in spend.modelPrices. The host
 * meters model spend from OpenClaw's usage records with that table, and an
 * unpriced model would make the fast breaker blind to it.
 */
import { agentModelId } from '../../spend/spend-config';
import type { ConfigProblem } from '../errors';
import { formatPath } from '../key-path';
import { originOf, type MergedConfig } from '../merge';
import type { ResolvedConfig } from '../schema';

/** One problem per agent whose `<provider>/<model>` has no price, at the agent's model key. */
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
