/**
 * The compliance report's account of egress, exactly as the default deployment enforces it:
 * the host firewall lets only the egress proxy's user open outbound HTTPS, the proxy allows
 * CONNECT to the allowlisted names only, the DNS Firewall holds the same list as a second layer;
 * and the gaps that remain, named. Rendered from the config with the same functions that render
 * the host files (lib/host/egress-proxy.ts, lib/network/egress-domains.ts), so the report cannot
 * list a name the proxy does not allow, or miss one it does.
 */
import type { ResolvedConfig } from '../config/schema';
import { EGRESS_PROXY_ADDRESS, EGRESS_PROXY_PORT, EGRESS_PROXY_USER, gatewayUsesBedrock, squidDomains } from '../host/egress-proxy';
import { EGRESS_BLOCKED_COUNTER, IMDS_ADDRESS, gatewayBlockedCounter } from '../host/nftables-rules';
import { agentGateways } from '../openclaw/gateways';
import { egressDomains, gatewayEgressDomains, hostEgressDomains } from './egress-domains';

/** The "Egress, as enforced" section (Markdown lines, ending with a blank line). */
export function egressReportLines(config: ResolvedConfig): string[] {
  const domains = egressDomains(config.network, config.aws.region, config.aws.account);
  const hostEntries = squidDomains(hostEgressDomains(config.aws.region, config.aws.account));
  const gateways = agentGateways(config);
  const bedrock = gateways.filter((g) => gatewayUsesBedrock(config, g));
  return [
    '## Egress, as enforced',
    '',
    `- **Only the egress proxy leaves on 443.** The host firewall (nftables, table \`inet openclaw\`) accepts new outbound ` +
      `TCP 443 only from the proxy's user \`${EGRESS_PROXY_USER}\`; every other new outbound connection that is not DNS to the VPC ` +
      `resolver, IMDS, time sync, DHCP or the ICMP and neighbour discovery IP needs is refused at once and counted (\`${EGRESS_BLOCKED_COUNTER}\`).`,
    `- **One proxy port per trust boundary.** The proxy (squid on ${EGRESS_PROXY_ADDRESS}) allows CONNECT to port 443 of the names ` +
      "on the allowlist of the port a request arrives on (a leading dot also covers the names under it). A raw IP address, any other " +
      'name, plain HTTP, any other port, and an allowlisted name that resolves to a loopback or link-local address are refused; each ' +
      "refusal is a `TCP_DENIED` line of the proxy's access log, which ends with the port. Refusals and direct attempts feed the " +
      '`egress-blocked` alarm.',
    `  - Port ${EGRESS_PROXY_PORT}, the host's own services (no gateway user may connect): ${hostEntries.length} names, AWS endpoints ` +
      'and package repositories, no model provider or chat platform.',
    ...gateways.map(
      (g) =>
        `  - Port ${g.proxyPort}, gateway \`${g.id}\` (only its user \`${g.user}\` may connect; its refusals also count in ` +
        `\`${gatewayBlockedCounter(g)}\`): ` +
        squidDomains(gatewayEgressDomains(config, g))
          .map((d) => `\`${d}\``)
          .join(', ') +
        '.',
    ),
    ...(bedrock.length > 0
      ? [
          `- **Instance metadata through the proxy (an agent uses bedrock).** The port of gateway ${bedrock.map((g) => `\`${g.id}\``).join(', ')} also ` +
            `forwards plain-HTTP GET and PUT to ${IMDS_ADDRESS}:80 (IMDSv2), so that gateway's AWS SDK gets the instance role's ` +
            'credentials for Bedrock; no other port forwards it.',
        ]
      : []),
    `- **Route 53 Resolver DNS Firewall** answers only these ${domains.length} names, every port's among them (second layer): ` +
      domains.map((d) => `\`${d}\``).join(', ') +
      '.',
    '- **Gap: the proxy checks the name in CONNECT, not the TLS server name or certificate** (it does not decrypt). A client can ' +
      "reach whatever an allowlisted name's servers route to it (domain fronting through a shared CDN name): keep " +
      '`network.egress.extraDomains` to names of single services.',
    '- **Gap: DNS to the VPC resolver is open to every local user.** DNS Firewall resolves only the allowlist, so a lookup of any ' +
      'other name gets NXDOMAIN and never reaches an outside name server.',
    '',
  ];
}
