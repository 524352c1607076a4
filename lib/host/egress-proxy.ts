/**
 * The egress proxy of the gateway host: squid on 127.0.0.1, rendered from
 * host/squid/squid.conf with the deployment's allowlists (lib/network/egress-domains.ts,
 * whose union Route 53 Resolver DNS Firewall holds too).
 *
 * Why a proxy: DNS Firewall filters names only. A raw IP address, DNS over HTTPS to a public
 * resolver, or a hard-coded address would leave the VPC on port 443 without asking it. The host
 * firewall (host/nftables/openclaw.nft) lets only EGRESS_PROXY_USER open outbound HTTPS; every
 * other process goes through the proxy, which allows CONNECT to port 443 of an allowlisted
 * name and nothing else. Cost: none beyond the host's own CPU (AWS Network Firewall would be
 * ~$290 a month per endpoint).
 *
 * One squid, one listening port per trust boundary, each with its own allowlist:
 *   127.0.0.1:3128 (name=host)            the host's own services (root: SSM and CloudWatch agents,
 *                                         fetch-secrets, npm at boot, dnf): hostEgressDomains only,
 *                                         no provider or chat platform
 *   127.0.0.1:<gateway.proxyPort>         one gateway (lib/openclaw/gateways.ts): the domains of ITS
 *     (name=gateway-<id>)                 agents' providers and platforms (gatewayEgressDomains), and
 *                                         IMDS only when one of its agents uses bedrock
 * The host firewall decides who may connect to which port (a gateway's port: its user only;
 * 3128: no gateway user), so the port a request arrived on names the trust boundary it came from.
 *
 * The access log (HOST_LOG_FILES.egressProxyAccess) is squid's native format with the listening
 * port appended (EGRESS_LOG_FORMAT), one line per request:
 *   <time> <elapsed> <client> <result>/<status> <bytes> <method> <url> <user> <hierarchy>/<peer> <type> <port>
 *   1765018800.123    0 127.0.0.1 TCP_DENIED/403 3998 CONNECT api.openai.com:443 - HIER_NONE/- text/html 3130
 * A refusal keeps `TCP_DENIED/` (the egress-blocked metric filter counts it); parseEgressLogLine
 * reads a line and egressLogGateway names the gateway it is attributable to (the breaker's input).
 *
 * Everything else on the host learns the host's proxy from EGRESS_PROXY_URL (HTTPS_PROXY) and
 * EGRESS_NO_PROXY (what must stay direct: loopback and the link-local AWS services); a gateway
 * learns its own from gatewayProxyUrl (lib/openclaw/openclaw-json.ts).
 */
import type { ResolvedConfig } from '../config/schema';
import { egressDomains, gatewayEgressDomains, gatewayProviders, hostEgressDomains } from '../network/egress-domains';
import { agentGateways, type AgentGateway } from '../openclaw/gateways';
import { deploymentName } from '../shared/naming';
import { HOST_LOG_FILES } from './log-files';
import { IMDS_ADDRESS } from './nftables-rules';
import { EGRESS_LOG_FORMAT, parseEgressLogLine } from './egress-log-line';
import { fillTemplate, readHostSource } from './template';

/** The template of the proxy's configuration, under host/. */
export const EGRESS_PROXY_TEMPLATE = 'squid/squid.conf';
/** Where install-bundle.sh puts the rendered configuration (squid.service reads it there). */
export const EGRESS_PROXY_CONFIG_FILE = '/etc/squid/squid.conf';
/** The proxy's system user, created by Amazon Linux 2023's squid package: the one user nftables lets out on 443. */
export const EGRESS_PROXY_USER = 'squid';
/** The proxy's systemd unit (from the squid package). */
export const EGRESS_PROXY_UNIT = 'squid.service';
/** The proxy's address: loopback only. */
export const EGRESS_PROXY_ADDRESS = '127.0.0.1';
/** The proxy's port on loopback (squid's customary port). */
export const EGRESS_PROXY_PORT = 3128;
/** The host's own proxy, as the host's services get it in HTTPS_PROXY/HTTP_PROXY (a gateway gets gatewayProxyUrl). */
export const EGRESS_PROXY_URL = `http://${EGRESS_PROXY_ADDRESS}:${EGRESS_PROXY_PORT}`;
/**
 * What stays direct (NO_PROXY): loopback (the gateway, nginx, the proxy itself) and the
 * link-local AWS services the firewall allows without the proxy: the instance metadata
 * service (IMDSv2, port 80), the Route 53 Resolver and Amazon Time Sync.
 */
export const EGRESS_NO_PROXY = ['127.0.0.1', 'localhost', '::1', '169.254.169.254', '169.254.169.253', '169.254.169.123'] as const;

/**
 * The allowlist as squid's dstdomain entries: "*.example.com" becomes ".example.com"
 * (which also matches example.com), and a name already covered by such an entry is
 * dropped (squid warns about overlapping entries). Sorted, no duplicates.
 */
export function squidDomains(domains: readonly string[]): string[] {
  const entries = domains.map((d) => {
    const name = d.trim().toLowerCase();
    // The last label has a letter: an IPv4 address (1.2.3.44) is not a name, and the allowlist
    // holds names only (raw-IP destinations are refused by design; the config schema agrees).
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(?=[a-z0-9-]*[a-z])[a-z0-9-]{2,63}$/.test(name)) {
      throw new Error(`egress proxy render: ${JSON.stringify(d)} is not a domain name (or *.domain)`);
    }
    return name.startsWith('*.') ? name.slice(1) : name;
  });
  const wildcards = entries.filter((e) => e.startsWith('.'));
  const covered = (e: string) => wildcards.some((w) => w !== e && (e === w.slice(1) || e.endsWith(w)));
  return [...new Set(entries.filter((e) => !covered(e)))].sort();
}

/** The name= of the host's own listening port (3128) in squid.conf (its myportname acl matches it). */
export const HOST_PROXY_PORT_NAME = 'host';

/** The name= of a gateway's listening port in squid.conf: gateway-<id>. */
export function gatewayProxyPortName(gateway: AgentGateway): string {
  return `gateway-${gateway.id}`;
}

/** The name of the access log's format in squid.conf (`logformat egress ...`, `access_log ... egress`). */
export const EGRESS_LOG_FORMAT_NAME = 'egress';

export { EGRESS_LOG_FORMAT, parseEgressLogLine, type EgressLogLine } from './egress-log-line';

/**
 * The trust boundary an access-log line is attributable to, by the port it arrived on: the id of
 * the gateway whose proxyPort it is, null for the host's own port (EGRESS_PROXY_PORT), undefined
 * for a line that is not in EGRESS_LOG_FORMAT or names a port this config does not listen on.
 * The host firewall lets only a gateway's user connect to its port, so the port is the user.
 */
export function egressLogGateway(line: string, config: ResolvedConfig): string | null | undefined {
  const parsed = parseEgressLogLine(line);
  if (!parsed) return undefined;
  if (parsed.port === EGRESS_PROXY_PORT) return null;
  return agentGateways(config).find((g) => g.proxyPort === parsed.port)?.id;
}

/**
 * The refusals (TCP_DENIED/ lines) of a stretch of the access log, per gateway id: every gateway of
 * the config appears, with 0 when it had none. Lines of the host's own port, of a port this config
 * does not listen on, and lines not in EGRESS_LOG_FORMAT are not counted.
 */
export function egressDeniedByGateway(lines: readonly string[], config: ResolvedConfig): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(agentGateways(config).map((g) => [g.id, 0]));
  for (const line of lines) {
    const gateway = parseEgressLogLine(line)?.denied ? egressLogGateway(line, config) : undefined;
    if (gateway) counts[gateway]! += 1;
  }
  return counts;
}

/** True when one of the gateway's agents uses Amazon Bedrock: it takes the instance role's credentials from IMDSv2. */
export function gatewayUsesBedrock(config: ResolvedConfig, gateway: AgentGateway): boolean {
  return gatewayProviders(config, gateway).includes('bedrock');
}

/** The acl names of one listening port: its myportname acl and its allowlist. */
const HOST_ACLS = { port: 'egress_host_port', allowlist: 'egress_host_allowlist' } as const;
const gatewayAcls = (gateway: AgentGateway) => {
  // Gateway ids are [a-z0-9-]+ (no "_"), so the mapping cannot merge two ids.
  const id = gateway.id.replaceAll('-', '_');
  return { port: `egress_gw_${id}_port`, allowlist: `egress_gw_${id}_allowlist` };
};

/** An allowlist's acl lines, a few names per line (squid adds up lines of the same acl). */
function allowlistLines(acl: string, domains: readonly string[], what: string): string[] {
  const names = squidDomains(domains);
  if (names.length === 0) throw new Error(`egress proxy render: the allowlist of ${what} is empty`);
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 4) lines.push(`acl ${acl} dstdomain -n ${names.slice(i, i + 4).join(' ')}`);
  return lines;
}

/** One listening port of the rendered squid.conf: the host's or a gateway's. */
interface ProxyPort {
  readonly port: number;
  readonly name: string;
  readonly acls: { readonly port: string; readonly allowlist: string };
  readonly domains: readonly string[];
  readonly what: string;
}

function proxyPorts(config: ResolvedConfig): ProxyPort[] {
  const gateways = agentGateways(config);
  const ports: ProxyPort[] = [
    { port: EGRESS_PROXY_PORT, name: HOST_PROXY_PORT_NAME, acls: HOST_ACLS, domains: hostEgressDomains(config.aws.region, config.aws.account), what: "the host's own port" },
    ...gateways.map((g) => ({ port: g.proxyPort, name: gatewayProxyPortName(g), acls: gatewayAcls(g), domains: gatewayEgressDomains(config, g), what: `gateway ${g.id}` })),
  ];
  // nginx's port and the gateways' ports are the host's too: squid could not listen there.
  const taken = new Map<number, string>([[config.edge.proxyPort, 'edge.proxyPort (nginx)'], ...gateways.map((g) => [g.port, `the port of gateway ${g.id}`] as [number, string])]);
  for (const p of ports) {
    const other = taken.get(p.port);
    if (other) throw new Error(`egress proxy render: the proxy port of ${p.what} (${p.port}) is ${other}`);
  }
  return ports;
}

/**
 * The IMDS lines of squid.conf, after `http_access deny !egress_clients` and before every other
 * deny. Only a gateway one of whose agents uses bedrock (gatewayUsesBedrock) gets an allow, on its
 * own port: OpenClaw's managed proxy sends the AWS SDK's IMDSv2 requests (PUT /latest/api/token,
 * then GET with the token) to squid as plain-HTTP proxy requests. Exactly GET and PUT to the
 * literal address 169.254.169.254 on port 80 (dstdomain -n: the URL's host as written, no DNS
 * lookup, no other name that resolves there); no CONNECT to it, no other link-local address or
 * port, no other port of the proxy. Without such a gateway a comment only, and the deny rules
 * below refuse IMDS (egress_never).
 */
export function imdsProxyLines(config: ResolvedConfig): string {
  const bedrock = agentGateways(config).filter((g) => gatewayUsesBedrock(config, g));
  if (bedrock.length === 0) {
    return [
      '# IMDS is not reachable through this proxy: no gateway takes AWS credentials from the instance',
      '# role (no agent uses bedrock), the gateway units deny IMDS (IPAddressDeny), and the deny rules',
      '# below refuse it here too (plain HTTP, port 80, link-local): the proxy is no way around that',
      '# IPAddressDeny.',
    ].join('\n');
  }
  return [
    `# An agent of gateway ${bedrock.map((g) => g.id).join(', ')} uses bedrock: that gateway takes the instance role credentials`,
    '# from IMDSv2, and OpenClaw\'s managed proxy sends those plain-HTTP requests to its own port. Allowed:',
    `# GET and PUT to http://${IMDS_ADDRESS}/ (port 80) on that port only; no CONNECT to it, no other`,
    '# link-local address. No reach is added: that gateway unit keeps IMDS access by design (no',
    '# IPAddressDeny), and the host firewall lets every local user reach IMDS on port 80 directly.',
    '# forwarded_for delete keeps X-Forwarded-For off the token PUT, which IMDSv2 refuses (AWS Security',
    '# Blog, "Add defense in depth against open firewalls, reverse proxies, and SSRF vulnerabilities with',
    '# enhancements to the EC2 Instance Metadata Service"); cache deny all (below) keeps tokens and',
    '# credentials out of any cache.',
    `acl egress_imds dstdomain -n ${IMDS_ADDRESS}`,
    'acl egress_imds_port port 80',
    'acl egress_imds_method method GET PUT',
    ...bedrock.map((g) => `http_access allow egress_clients ${gatewayAcls(g).port} egress_imds_method egress_imds_port egress_imds`),
  ].join('\n');
}

/** The proxy's configuration (squid.conf) for one client x environment. */
export function renderEgressProxyConfig(config: ResolvedConfig): string {
  const ports = proxyPorts(config);
  // Every name a port allows is on the DNS Firewall's list (one source). The firewall may hold more:
  // the domains of a provider or platform network.egress lists but no agent uses (no port allows them).
  const firewall = new Set(squidDomains(egressDomains(config.network, config.aws.region, config.aws.account)));
  const outside = squidDomains(ports.flatMap((p) => p.domains)).filter((d) => !firewall.has(d));
  if (outside.length > 0) throw new Error(`egress proxy render: ${outside.join(', ')} allowed by a port but not on the DNS Firewall's list`);
  return fillTemplate(
    readHostSource(EGRESS_PROXY_TEMPLATE),
    {
      DEPLOYMENT: deploymentName(config),
      EGRESS_PROXY_USER,
      EGRESS_PROXY_PORT: String(EGRESS_PROXY_PORT),
      EGRESS_PROXY_PORTS: ports.map((p) => `http_port ${EGRESS_PROXY_ADDRESS}:${p.port} name=${p.name}`).join('\n'),
      EGRESS_LOG_FORMAT_NAME,
      EGRESS_LOG_FORMAT,
      EGRESS_PROXY_ACCESS_LOG: HOST_LOG_FILES.egressProxyAccess,
      EGRESS_PROXY_CACHE_LOG: HOST_LOG_FILES.egressProxyCache,
      EGRESS_PROXY_ALLOWLISTS: ports
        .flatMap((p) => [`# ${p.what} (${p.port}):`, `acl ${p.acls.port} myportname ${p.name}`, ...allowlistLines(p.acls.allowlist, p.domains, p.what)])
        .join('\n'),
      EGRESS_PROXY_IMDS: imdsProxyLines(config),
      EGRESS_PROXY_PORT_DENIES: ports.map((p) => `http_access deny ${p.acls.port} !${p.acls.allowlist}`).join('\n'),
      EGRESS_PROXY_PORT_ALLOWS: ports.map((p) => `http_access allow egress_clients ${p.acls.port}`).join('\n'),
    },
    `host/${EGRESS_PROXY_TEMPLATE}`,
  );
}
