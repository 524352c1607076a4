import { EGRESS_BLOCKED_COUNTER, gatewayBlockedCounter, renderNftablesRules } from '../../lib/host/nftables-rules';
import { agentGateways } from '../../lib/openclaw/gateways';
import { exampleConfig } from './support/host-tools';

// The per-gateway parts of the rendered ruleset that render.test.ts's full pin (the example) does not
// reach: the counter's name (the breaker's contract), a hyphenated gateway id, and the refusal to
// render when a gateway's port would be another port of the host.

const config = exampleConfig('prod');

test('the counter of a gateway is egress_blocked_<id> (the breaker reads it by that name)', () => {
  expect(agentGateways(config).map(gatewayBlockedCounter)).toEqual(['egress_blocked_ops', 'egress_blocked_support']);
  expect(EGRESS_BLOCKED_COUNTER).toBe('egress_blocked');
});

test('a hyphenated gateway id keeps its name in the counter and its user (nft accepts "-" in names)', () => {
  const c = { ...config, openclaw: { ...config.openclaw, agents: { 'help-desk': config.openclaw.agents.support! } } };
  const rules = renderNftablesRules(c);
  expect(rules).toContain('\n    counter egress_blocked_help-desk {\n');
  expect(rules).toContain('\n        meta skuid "openclaw-help-desk" counter name "egress_blocked_help-desk"\n');
  expect(rules).toContain('\n        tcp dport 3129 meta skuid "openclaw-help-desk" accept\n');
});

test.each([
  ["edge.proxyPort (nginx's)", { proxyPort: 18790 }, 'support', 18790],
  ["the host's proxy port 3128", { gatewayPort: 3128 }, 'ops', 3128],
  ["a gateway's proxy port (3129, ops's own)", { gatewayPort: 3129 }, 'ops', 3129],
])('a gateway port that is %s is refused', (_what, edge, gateway, port) => {
  expect(() => renderNftablesRules({ ...config, edge: { ...config.edge, ...edge } })).toThrow(
    new Error(`nftables render: the port of gateway ${gateway} (${port}) is another port of the host`),
  );
});

test('no agents: nothing to render', () => {
  expect(() => renderNftablesRules({ ...config, openclaw: { ...config.openclaw, agents: {} } })).toThrow(new Error('nftables render: no gateway (openclaw.agents is empty)'));
});
