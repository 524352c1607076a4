/**
 * The host firewall of the OpenClaw gateway instance: one nftables file (table inet
 * openclaw), rendered from the real file host/nftables/openclaw.nft with the config's
 * values (lib/host/template.ts). No clock; the only file read is the template.
 *
 * Inbound: only edge.proxyPort from CloudFront's VPC origin, plus loopback,
 * replies, DHCP and the ICMP that IPv4/IPv6 need to work. The gateway port is
 * dropped (and counted) on every interface but loopback, whatever address the
 * gateway binds to.
 *
 * VPC-origin traffic reaches the instance with a CloudFront origin-facing
 * source address (the managed prefix list
 * com.amazonaws.global.cloudfront.origin-facing), not an address of the VPC:
 * the proxy port is admitted from public IPv4 sources only, and dropped from
 * the VPC CIDR and every private or special-purpose range. The host has no
 * public address and no inbound route from the internet, so the only public
 * sources that reach it at all come through the VPC origin's interfaces; the
 * security group narrows them to the exact prefix list, which AWS keeps
 * current (this file cannot: it is rendered at synth, the list changes).
 * Outbound: DNS to the VPC resolver only; HTTPS only from the egress proxy's
 * user (lib/host/egress-proxy.ts: squid on loopback, CONNECT to allowlisted names
 * only; Route 53 Resolver DNS Firewall is the second layer); the instance metadata
 * service, Amazon Time Sync and DHCP. Everything else is refused at once (TCP reset,
 * ICMP admin-prohibited) and counted in the named counter EGRESS_BLOCKED_COUNTER.
 *
 * Loopback, one trust boundary per gateway (lib/openclaw/gateways.ts): a new connection to a
 * gateway's proxy port (squid, that gateway's allowlist) only from that gateway's user; to the
 * host's proxy port EGRESS_PROXY_PORT never from a gateway's user; to a gateway's own port only
 * from nginx's user, that gateway's user, root and DynamicUser= services (the health check). Every refusal is counted in
 * EGRESS_BLOCKED_COUNTER and, when a gateway's user made it, in that gateway's
 * gatewayBlockedCounter too (the breaker reads it). Users are resolved by name when nft loads the
 * file: nginx's and every gateway's user must exist by then (install-bundle.sh creates them).
 *
 * Loading is idempotent and atomic: the file declares the table, deletes it and
 * defines it again, all in one nft transaction. That is `flush table` with
 * stale chains and sets removed too; other tables are never touched.
 */
import type { ResolvedConfig } from '../config/schema';
import { agentGateways, type AgentGateway } from '../openclaw/gateways';
import { EGRESS_PROXY_PORT, EGRESS_PROXY_USER } from './egress-proxy';
import { fillTemplate, readHostSource, type TemplateValues } from './template';

export const NFT_TABLE = 'openclaw';
/** The named counter of refused outbound connections (`nft list counter inet openclaw egress_blocked`). */
export const EGRESS_BLOCKED_COUNTER = 'egress_blocked';
/** The named counter of one gateway user's refused connections: egress_blocked_<id> (`nft -j list counter inet openclaw egress_blocked_<id>`). */
export function gatewayBlockedCounter(gateway: AgentGateway): string {
  return `${EGRESS_BLOCKED_COUNTER}_${gateway.id}`;
}
/** nginx's worker user on Amazon Linux 2023 (the nginx package's; lib/host/nginx-config.ts renders `user nginx;`). */
export const NGINX_USER = 'nginx';
/**
 * systemd's range of DynamicUser= uids (systemd.exec(5); "Users, Groups, UIDs and GIDs on systemd
 * Systems": 61184-65519). openclaw-health.service runs with DynamicUser=yes and probes every
 * gateway's /healthz on its port, so a gateway's port admits this range too; a gateway's user is
 * a system user below 1000 (useradd --system), never in it.
 */
export const DYNAMIC_USER_UIDS = '61184-65519';
/** The template of the ruleset, under host/. */
export const NFTABLES_TEMPLATE = 'nftables/openclaw.nft';
/** Amazon Route 53 Resolver at its link-local address (reachable from every VPC). */
export const AMAZON_DNS_LINK_LOCAL = '169.254.169.253';
/** Instance metadata service (IMDSv2, HTTP). */
export const IMDS_ADDRESS = '169.254.169.254';
/** Amazon Time Sync Service (NTP). */
export const TIME_SYNC_ADDRESS = '169.254.169.123';

const ipv4ToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIpv4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Parses "a.b.c.d/n", checking every octet and the prefix. */
export function parseIpv4Cidr(cidr: string): { network: string; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m?.slice(1, 5).map(Number);
  const prefix = Number(m?.[5]);
  if (!octets || octets.some((o) => o > 255) || prefix > 32) throw new Error(`nftables render: invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipv4ToInt(octets.join('.')) / size) * size;
  return { network: intToIpv4(base), prefix };
}

/** The VPC's Amazon DNS server: the base of the VPC CIDR plus two. */
export function vpcResolverAddress(vpcCidr: string): string {
  const { network } = parseIpv4Cidr(vpcCidr);
  return intToIpv4(ipv4ToInt(network) + 2);
}

/**
 * IPv4 ranges that are never a CloudFront origin-facing address: this
 * network, RFC 1918 private, shared (CGNAT), loopback, link-local, IETF
 * protocol assignments, documentation, benchmarking, multicast and reserved
 * (RFC 6890). The VPC CIDR is added to them when rendering.
 */
export const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
] as const;

const port = (what: string, p: number) => {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`nftables render: invalid ${what} ${p}`);
  return p;
};

/** Renders the nftables ruleset (for `nft -f`) of one client x environment. */
export function renderNftablesRules(config: ResolvedConfig): string {
  const proxyPort = port('edge.proxyPort', config.edge.proxyPort);
  const gatewayPort = port('edge.gatewayPort', config.edge.gatewayPort);
  if (proxyPort === gatewayPort) throw new Error(`nftables render: edge.proxyPort and edge.gatewayPort must differ (both ${proxyPort})`);
  const { network, prefix } = parseIpv4Cidr(config.network.vpcCidr);
  const vpc = `${network}/${prefix}`;
  const resolvers = `{ ${vpcResolverAddress(vpc)}, ${AMAZON_DNS_LINK_LOCAL} }`;
  // auto-merge: the VPC CIDR may lie inside one of the ranges (it usually does).
  const notOriginFacing = [...NON_PUBLIC_IPV4, vpc].join(', ');

  const gateways = agentGateways(config);
  if (gateways.length === 0) throw new Error('nftables render: no gateway (openclaw.agents is empty)');
  const gatewayPorts = gateways.map((g) => port(`gateway port of ${g.id} (edge.gatewayPort + ${g.port - gatewayPort})`, g.port));
  for (const g of gateways) {
    if ([proxyPort, EGRESS_PROXY_PORT].includes(g.port) || gateways.some((o) => o.proxyPort === g.port)) {
      throw new Error(`nftables render: the port of gateway ${g.id} (${g.port}) is another port of the host`);
    }
  }
  const q = (user: string) => `"${user}"`;
  const set = (items: readonly string[]) => (items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`);
  const indent = (lines: string[], n: number) => lines.map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

  const values: TemplateValues = {
    CLIENT: config.client,
    ENV: config.env,
    NFT_TABLE,
    NOT_ORIGIN_FACING: notOriginFacing,
    GATEWAY_PORTS: set(gatewayPorts.map(String)),
    GATEWAY_USERS: set(gateways.map((g) => q(g.user))),
    GATEWAY_COUNTERS: indent(
      gateways.flatMap((g) => [`counter ${gatewayBlockedCounter(g)} {`, `    comment "connections of ${g.user} (gateway ${g.id}) refused"`, '}']),
      4,
    ),
    GATEWAY_LOOPBACK_RULES: indent(
      gateways.flatMap((g) => [
        `# Gateway ${g.id}: its proxy port, its user only; its own port: nginx, its user, root and the health check only.`,
        `tcp dport ${g.proxyPort} meta skuid ${q(g.user)} accept`,
        `tcp dport ${g.proxyPort} goto refuse`,
        `tcp dport ${g.port} meta skuid { ${q(NGINX_USER)}, ${q(g.user)}, "root", ${DYNAMIC_USER_UIDS} } accept`,
        `tcp dport ${g.port} goto refuse`,
      ]),
      8,
    ),
    GATEWAY_REFUSAL_COUNTERS: indent(
      gateways.map((g) => `meta skuid ${q(g.user)} counter name "${gatewayBlockedCounter(g)}"`),
      8,
    ),
    PROXY_PORT: String(proxyPort),
    RESOLVERS: resolvers,
    IMDS_ADDRESS,
    TIME_SYNC_ADDRESS,
    EGRESS_PROXY_USER,
    EGRESS_PROXY_PORT: String(EGRESS_PROXY_PORT),
    EGRESS_BLOCKED_COUNTER,
  };
  return fillTemplate(readHostSource(NFTABLES_TEMPLATE), values, `host/${NFTABLES_TEMPLATE}`);
}
