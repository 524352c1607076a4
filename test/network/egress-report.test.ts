import { egressReportLines } from '../../lib/network/egress-report';
import { renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { egressDomains } from '../../lib/network/egress-domains';
import { agentGateways } from '../../lib/openclaw/gateways';
import { allConfigs } from '../host/support/host-tools';
import { perAgentConfig } from '../host/support/per-agent-config';

// The compliance report's "Egress, as enforced" section must say what the rendered host files
// enforce, for every client x env: the user the ruleset lets out on 443, the names the proxy
// allows, the names the DNS Firewall answers. Each fact below is read back from the RENDERED
// files, not from the constants the section is built from.

/** The dstdomain entries of one allowlist acl of the rendered squid.conf (all of them without `acl`). */
const proxyNames = (conf: string, acl = '\\S+') =>
  [...new Set([...conf.matchAll(new RegExp(`^acl egress_${acl}_allowlist dstdomain -n (.+)$`, 'gm'))].flatMap((m) => m[1]!.split(' ')))].sort();
/** The listening port of a myportname acl's port name. */
const portOf = (conf: string, name: string) => Number(new RegExp(`^http_port 127\\.0\\.0\\.1:(\\d+) name=${name}$`, 'm').exec(conf)?.[1]);

describe.each([...allConfigs(), perAgentConfig('prod', 'bedrock')].map((c) => [`${c.client}/${c.env} (ops: ${c.openclaw.agents.ops?.provider})`, c] as const))('%s', (_name, config) => {
  const report = egressReportLines(config).join('\n');

  test('names the one user the ruleset lets out on 443', () => {
    const users = [...renderNftablesRules(config).matchAll(/meta skuid (\S+) tcp dport 443 .*accept/g)].map((m) => m[1]);
    expect(users).toHaveLength(1);
    expect(report).toContain(`from the proxy's user \`${users[0]}\``);
    // Nothing else in the output chain accepts 443.
    expect(renderNftablesRules(config).match(/dport 443[^\n]*accept/g)).toHaveLength(1);
  });

  test('lists each port of the rendered proxy with exactly the names it allows', () => {
    const conf = renderEgressProxyConfig(config);
    const host = proxyNames(conf, 'host');
    expect(host.length).toBeGreaterThan(0);
    expect(report).toContain(`  - Port ${portOf(conf, 'host')}, the host's own services (no gateway user may connect): ${host.length} names,`);
    const gateways = agentGateways(config);
    expect(gateways.length).toBeGreaterThan(0);
    for (const g of gateways) {
      const line = report.split('\n').find((l) => l.startsWith(`  - Port ${portOf(conf, `gateway-${g.id}`)}, gateway \`${g.id}\` (only its user \`${g.user}\``));
      expect(line).toBeDefined();
      expect([...line!.split('): ')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1])).toEqual(proxyNames(conf, `gw_${g.id.replaceAll('-', '_')}`));
    }
  });

  test('lists exactly the DNS Firewall names, each covered by the proxy', () => {
    const domains = egressDomains(config.network, config.aws.region, config.aws.account);
    const listed = /answers only these (\d+) names, every port's among them \(second layer\): (.+)\.$/m.exec(report);
    expect(Number(listed?.[1])).toBe(domains.length);
    expect([...listed![2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1])).toEqual(domains);
    const names = proxyNames(renderEgressProxyConfig(config));
    const covered = (d: string) => names.some((n) => n === d || (n.startsWith('.') && (d === n.slice(1) || d.endsWith(n) || d === `*${n}`)));
    expect(domains.filter((d) => !covered(d))).toEqual([]);
  });

  test('names both remaining gaps', () => {
    expect(report).toContain('Gap: the proxy checks the name in CONNECT, not the TLS server name');
    expect(report).toContain('Gap: DNS to the VPC resolver is open to every local user');
  });
});

test('the IMDS exception is reported exactly when the rendered proxy forwards IMDS requests', () => {
  for (const config of allConfigs()) {
    const forwards = /^http_access allow .*egress_imds/m.test(renderEgressProxyConfig(config));
    expect({ deployment: `${config.client}/${config.env}`, reported: egressReportLines(config).some((l) => l.includes('Instance metadata through the proxy')) }).toEqual({
      deployment: `${config.client}/${config.env}`,
      reported: forwards,
    });
  }
  const bedrock = perAgentConfig('prod', 'bedrock');
  expect(renderEgressProxyConfig(bedrock).split('\n').filter((l) => /^http_access allow .*egress_imds/.test(l))).toEqual([
    'http_access allow egress_clients egress_gw_ops_port egress_imds_method egress_imds_port egress_imds',
  ]);
  expect(egressReportLines(bedrock).filter((l) => l.includes('Instance metadata through the proxy'))).toEqual([
    expect.stringContaining('The port of gateway `ops` also forwards plain-HTTP GET and PUT to 169.254.169.254:80'),
  ]);
});

test('the section, sentence by sentence (example/dev): each control it names, the table and counter read from the rendered ruleset', () => {
  const config = allConfigs().find((c) => c.client === 'example' && c.env === 'dev')!;
  const lines = egressReportLines(config);
  const rules = renderNftablesRules(config);
  const conf = renderEgressProxyConfig(config);
  const table = /^table inet (\S+) \{$/m.exec(rules)![1];
  const counter = /^\s*counter (egress_blocked) \{/m.exec(rules)![1];
  const user = /meta skuid (\S+) tcp dport 443 .*accept/.exec(rules)![1];
  const domains = egressDomains(config.network, config.aws.region, config.aws.account);
  const gateways = agentGateways(config);
  expect(lines).toEqual([
    '## Egress, as enforced',
    '',
    `- **Only the egress proxy leaves on 443.** The host firewall (nftables, table \`inet ${table}\`) accepts new outbound TCP 443 only from the proxy's user \`${user}\`; ` +
      `every other new outbound connection that is not DNS to the VPC resolver, IMDS, time sync, DHCP or the ICMP and neighbour discovery IP needs is refused at once and counted (\`${counter}\`).`,
    `- **One proxy port per trust boundary.** The proxy (squid on 127.0.0.1) allows CONNECT to port 443 of the names on the allowlist of the port a request arrives on ` +
      '(a leading dot also covers the names under it). A raw IP address, any other name, plain HTTP, any other port, and an allowlisted name that resolves to a loopback or ' +
      "link-local address are refused; each refusal is a `TCP_DENIED` line of the proxy's access log, which ends with the port. Refusals and direct attempts feed the `egress-blocked` alarm.",
    `  - Port ${portOf(conf, 'host')}, the host's own services (no gateway user may connect): ${proxyNames(conf, 'host').length} names, AWS endpoints and package repositories, no model provider or chat platform.`,
    ...gateways.map((g) => expect.stringMatching(new RegExp(`^  - Port ${portOf(conf, `gateway-${g.id}`)}, gateway \`${g.id}\` \\(only its user \`${g.user}\` may connect; its refusals also count in \`egress_blocked_${g.id.replaceAll('-', '_')}\`\\): \`.+\`\\.$`))),
    `- **Route 53 Resolver DNS Firewall** answers only these ${domains.length} names, every port's among them (second layer): ${domains.map((d) => `\`${d}\``).join(', ')}.`,
    '- **Gap: the proxy checks the name in CONNECT, not the TLS server name or certificate** (it does not decrypt). A client can ' +
      "reach whatever an allowlisted name's servers route to it (domain fronting through a shared CDN name): keep `network.egress.extraDomains` to names of single services.",
    '- **Gap: DNS to the VPC resolver is open to every local user.** DNS Firewall resolves only the allowlist, so a lookup of any other name gets NXDOMAIN and never reaches an outside name server.',
    '',
  ]);
  expect(gateways.length).toBeGreaterThan(1);
});

test('the IMDS sentence in full, naming every gateway on bedrock; each port line lists its names comma-separated', () => {
  const base = perAgentConfig('prod', 'bedrock');
  const both = { ...base, openclaw: { ...base.openclaw, agents: { ...base.openclaw.agents, support: { ...base.openclaw.agents.support!, provider: 'bedrock' as const, model: 'test-model' } } } };
  expect(egressReportLines(both).filter((l) => l.includes('Instance metadata through the proxy'))).toEqual([
    "- **Instance metadata through the proxy (an agent uses bedrock).** The port of gateway `ops`, `support` also forwards plain-HTTP GET and PUT to 169.254.169.254:80 (IMDSv2), so that gateway's AWS SDK gets the instance role's credentials for Bedrock; no other port forwards it.",
  ]);
  const conf = renderEgressProxyConfig(base);
  const ops = agentGateways(base).find((g) => g.id === 'ops')!;
  const line = egressReportLines(base).find((l) => l.startsWith(`  - Port ${ops.proxyPort}, gateway \`ops\``))!;
  const names = proxyNames(conf, 'gw_ops');
  expect(names.length).toBeGreaterThan(1);
  expect(line.endsWith(`): ${names.map((n) => `\`${n}\``).join(', ')}.`)).toBe(true);
});
