/**
 * Spend: every agent's model must have a price in spend.modelPrices. The host
 * meters model spend from OpenClaw's usage records with that table, and an
 * unpriced model would make the fast breaker blind to it. And every agent's own
 * breaker limits (openclaw.agents.<id>.breaker.modelDailyUsd, modelMonthlyUsd) are
 * at most the deployment's (spend.modelDailyLimitUsd, modelMonthlyLimitUsd): the
 * agent's breaker stops its gateway first, the deployment-wide kill switch stays
 * the backstop.
 */
import { agentModelId } from '../../spend/spend-config';
import type { ConfigProblem } from '../errors';
import { formatPath } from '../key-path';
import { originOf, type MergedConfig } from '../merge';
import type { ResolvedConfig } from '../schema';

/** The agent limit -> the deployment limit it may not exceed. */
const BREAKER_CEILINGS = [
  ['modelDailyUsd', 'modelDailyLimitUsd'],
  ['modelMonthlyUsd', 'modelMonthlyLimitUsd'],
] as const;

const usd = (n: number) => `$${n.toFixed(2)}`;

/** One problem per agent breaker limit above the deployment's, at that key. */
export function checkBreakerLimits(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [id, agent] of Object.entries(config.openclaw.agents)) {
    for (const [own, deployment] of BREAKER_CEILINGS) {
      const found = agent.breaker[own];
      const ceiling = config.spend[deployment];
      if (found <= ceiling) continue;
      const path = ['openclaw', 'agents', id, 'breaker', own];
      const origin = originOf(merged, path);
      problems.push({
        file: origin?.file,
        line: origin?.line,
        path: formatPath(path),
        message:
          `${usd(found)} is above spend.${deployment} ${usd(ceiling)}: expected at most ${usd(ceiling)}, the deployment's own limit ` +
          `(the agent's breaker must stop its gateway before the deployment-wide kill switch stops every gateway). Lower it, or raise spend.${deployment}`,
      });
    }
  }
  return problems;
}

/** One problem per agent whose `<provider>/<model>` has no price (at the agent's model key), then the breaker limits above the deployment's. */
export function checkSpend(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  return [...checkPrices(config, merged), ...checkBreakerLimits(config, merged)];
}

/** One problem per agent whose `<provider>/<model>` has no price, at the agent's model key. */
function checkPrices(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
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
