import type { ResolvedConfig } from '../../../lib/config/schema';
import { exampleConfig } from './host-tools';

type Provider = ResolvedConfig['openclaw']['agents'][string]['provider'];

/**
 * The example's config with each agent on a model provider of its own, so that "an agent cannot
 * reach the provider that only the other agent uses" is a real check: in the example both agents
 * use anthropic. Here support keeps anthropic and its Telegram channel, ops moves to `opsProvider`
 * (openai unless told), and network.egress.providers lists both (as the validator requires).
 * The gateway users stay openclaw-support and openclaw-ops (they exist on the test machine).
 */
export function perAgentConfig(env = 'prod', opsProvider: Provider = 'openai'): ResolvedConfig {
  const base = exampleConfig(env);
  const agents = base.openclaw.agents;
  if (!agents.support || !agents.ops) throw new Error('the example config has no support and ops agents');
  return {
    ...base,
    network: { ...base.network, egress: { ...base.network.egress, providers: [...new Set<Provider>(['anthropic', opsProvider])] } },
    openclaw: { ...base.openclaw, agents: { ...agents, ops: { ...agents.ops, provider: opsProvider, model: 'test-model' } } },
  };
}
