import type { ResolvedConfig } from '../../lib/config/schema';
import { EGRESS_PROXY_PORT, imdsProxyLines, renderEgressProxyConfig, squidDomains } from '../../lib/host/egress-proxy';
import { gatewayProxyUrl } from '../../lib/openclaw/openclaw-json';
import { agentGateways } from '../../lib/openclaw/gateways';
import { exampleConfig } from './support/host-tools';

// The edges of the squid.conf renderer (lib/host/egress-proxy.ts) that the example configs do not
// reach: an allowlist of exactly four names (one acl line, not a second empty one), two gateways
// with bedrock, a port name the DNS Firewall does not hold, a last label that starts with digits.

const base = exampleConfig('dev');
const withEgress = (egress: Partial<ResolvedConfig['network']['egress']>): ResolvedConfig => ({ ...base, network: { ...base.network, egress: { ...base.network.egress, ...egress } } });

test('a last label with a letter anywhere is a name; all digits is not', () => {
  expect(squidDomains(['x.12ab', 'svc.9z', 'a.b0c'])).toEqual(['a.b0c', 'svc.9z', 'x.12ab']);
  expect(() => squidDomains(['x.1234'])).toThrow('egress proxy render: "x.1234" is not a domain name (or *.domain)');
});

test("a gateway's proxy URL: its own port on the proxy's loopback address", () => {
  for (const g of agentGateways(base)) expect(gatewayProxyUrl(g)).toBe(`http://127.0.0.1:${g.proxyPort}`);
});

test('four names make one acl line, five make two (four, then one); each port is announced by a comment with its port', () => {
  const config = withEgress({ extraDomains: ['a.example.com', 'b.example.com', 'c.example.com'] });
  const conf = renderEgressProxyConfig(config);
  const [ops, support] = agentGateways(config);
  const aclLines = (id: string) => conf.split('\n').filter((l) => l.startsWith(`acl egress_gw_${id}_allowlist dstdomain -n`));
  expect(aclLines(ops!.id)).toEqual(['acl egress_gw_ops_allowlist dstdomain -n a.example.com api.anthropic.com b.example.com c.example.com']);
  expect(aclLines(support!.id)).toHaveLength(2);
  expect(aclLines(support!.id)[0]!.split(' ').length - 4).toBe(4);
  expect(conf).toContain(`\n# the host's own port (${EGRESS_PROXY_PORT}):\nacl egress_host_port myportname host\n`);
  expect(conf).toContain(`\n# gateway ops (${ops!.proxyPort}):\nacl egress_gw_ops_port myportname gateway-ops\n`);
});

test("a name a port would allow that the DNS Firewall's list does not hold is refused at render", () => {
  expect(() => renderEgressProxyConfig(withEgress({ providers: [] }))).toThrow("egress proxy render: api.anthropic.com allowed by a port but not on the DNS Firewall's list");
});

test('two gateways with bedrock: the comment names both, and each gets the IMDS allow on its own port only', () => {
  const agents = Object.fromEntries(Object.entries(base.openclaw.agents).map(([id, a]) => [id, { ...a, provider: 'bedrock' as const, model: 'test-model' }]));
  const config = { ...withEgress({ providers: ['bedrock'] }), openclaw: { ...base.openclaw, agents } } as ResolvedConfig;
  const lines = imdsProxyLines(config).split('\n');
  expect(lines[0]).toBe('# An agent of gateway ops, support uses bedrock: that gateway takes the instance role credentials');
  expect(lines.filter((l) => l.startsWith('http_access'))).toEqual([
    'http_access allow egress_clients egress_gw_ops_port egress_imds_method egress_imds_port egress_imds',
    'http_access allow egress_clients egress_gw_support_port egress_imds_method egress_imds_port egress_imds',
  ]);
});
