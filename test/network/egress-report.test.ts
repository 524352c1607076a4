import { egressReportLines } from '../../lib/network/egress-report';
import { renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { egressDomains } from '../../lib/network/egress-domains';
import { allConfigs } from '../host/support/host-tools';

// The compliance report's "Egress, as enforced" section must say what the rendered host files
// enforce, for every client x env: the user the ruleset lets out on 443, the names the proxy
// allows, the names the DNS Firewall answers. Each fact below is read back from the RENDERED
// files, not from the constants the section is built from.

/** The dstdomain entries of the rendered squid.conf's allowlist acl. */
const proxyNames = (conf: string) =>
  [...conf.matchAll(/^acl egress_allowlist dstdomain -n (.+)$/gm)].flatMap((m) => m[1]!.split(' ')).sort();

describe.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s', (_name, config) => {
  const report = egressReportLines(config).join('\n');

  test('names the one user the ruleset lets out on 443', () => {
    const users = [...renderNftablesRules(config).matchAll(/meta skuid (\S+) tcp dport 443 .*accept/g)].map((m) => m[1]);
    expect(users).toHaveLength(1);
    expect(report).toContain(`from the proxy's user \`${users[0]}\``);
    // Nothing else in the output chain accepts 443.
    expect(renderNftablesRules(config).match(/dport 443[^\n]*accept/g)).toHaveLength(1);
  });

  test('counts exactly the names the rendered proxy allows', () => {
    const names = proxyNames(renderEgressProxyConfig(config));
    expect(names.length).toBeGreaterThan(0);
    expect(report).toContain(`allows CONNECT to port 443 of ${names.length} names`);
  });

  test('lists exactly the DNS Firewall names, each covered by the proxy', () => {
    const domains = egressDomains(config.network, config.aws.region, config.aws.account);
    const listed = /answers only the same (\d+) names \(second layer\): (.+)\.$/m.exec(report);
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
  const bedrock = { ...allConfigs()[0]!, network: { ...allConfigs()[0]!.network, egress: { ...allConfigs()[0]!.network.egress, providers: ['bedrock' as const] } } };
  expect(/^http_access allow .*egress_imds/m.test(renderEgressProxyConfig(bedrock))).toBe(true);
  expect(egressReportLines(bedrock).some((l) => l.includes('Instance metadata through the proxy'))).toBe(true);
});
