/**
 * The egress proxy of the gateway host: squid on 127.0.0.1, rendered from
 * host/squid/squid.conf with the deployment's allowlist (lib/network/egress-domains.ts,
 * the list Route 53 Resolver DNS Firewall holds too).
 *
 * Why a proxy: DNS Firewall filters names only. A raw IP address, DNS over HTTPS to a public
 * resolver, or a hard-coded address would leave the VPC on port 443 without asking it. The host
 * firewall (host/nftables/openclaw.nft) lets only EGRESS_PROXY_USER open outbound HTTPS; every
 * other process goes through the proxy, which allows CONNECT to port 443 of an allowlisted
 * name and nothing else. Cost: none beyond the host's own CPU (AWS Network Firewall would be
 * ~$290 a month per endpoint).
 *
 * Everything else on the host learns the proxy from EGRESS_PROXY_URL (HTTPS_PROXY) and
 * EGRESS_NO_PROXY (what must stay direct: loopback and the link-local AWS services).
 */
import type { ResolvedConfig } from '../config/schema';
import { egressDomains } from '../network/egress-domains';
import { deploymentName } from '../shared/naming';
import { gatewayUsesInstanceCredentials } from './instance-credentials';
import { HOST_LOG_FILES } from './log-files';
import { IMDS_ADDRESS } from './nftables-rules';
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
/** The proxy as HTTPS_PROXY/HTTP_PROXY and OpenClaw's proxy.proxyUrl give it. */
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

/** The allowlist's acl lines, a few names per line (squid adds up lines of the same acl). */
function allowlistLines(domains: readonly string[]): string {
  const names = squidDomains(domains);
  if (names.length === 0) throw new Error('egress proxy render: the allowlist is empty');
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 4) lines.push(`acl egress_allowlist dstdomain -n ${names.slice(i, i + 4).join(' ')}`);
  return lines.join('\n');
}

/**
 * The IMDS lines of squid.conf, after `http_access deny !egress_clients` and before every other
 * deny. Only a deployment whose gateway takes the instance role's credentials
 * (gatewayUsesInstanceCredentials: bedrock in network.egress.providers) gets an allow: OpenClaw's managed proxy
 * sends the AWS SDK's IMDSv2 requests (PUT /latest/api/token, then GET with the token) to squid
 * as plain-HTTP proxy requests. Exactly GET and PUT to the literal address 169.254.169.254 on
 * port 80 (dstdomain -n: the URL's host as written, no DNS lookup, no other name that resolves
 * there); no CONNECT to it, no other link-local address or port. Every other deployment gets a
 * comment only, and the deny rules below refuse IMDS (egress_never).
 */
export function imdsProxyLines(config: ResolvedConfig): string {
  if (!gatewayUsesInstanceCredentials(config)) {
    return [
      '# IMDS is not reachable through this proxy: the gateway takes no AWS credentials from the instance',
      '# role (bedrock is not in network.egress.providers), its unit denies IMDS (IPAddressDeny), and the',
      '# deny rules below refuse it here too (plain HTTP, port 80, link-local): the proxy is no way around',
      '# that IPAddressDeny.',
    ].join('\n');
  }
  return [
    '# network.egress.providers includes bedrock: the gateway takes the instance role credentials from',
    '# IMDSv2, and OpenClaw\'s managed proxy sends those plain-HTTP requests here. Allowed: GET and PUT',
    `# to http://${IMDS_ADDRESS}/ (port 80) from loopback; no CONNECT to it, no other link-local address.`,
    '# No reach is added: this gateway unit keeps IMDS access by design (no IPAddressDeny), and the',
    '# host firewall lets every local user reach IMDS on port 80 directly. forwarded_for delete keeps',
    '# X-Forwarded-For off the token PUT, which IMDSv2 refuses (AWS Security Blog, "Add defense in depth',
    '# against open firewalls, reverse proxies, and SSRF vulnerabilities with enhancements to the EC2',
    '# Instance Metadata Service"); cache deny all (below) keeps tokens and credentials out of any cache.',
    `acl egress_imds dstdomain -n ${IMDS_ADDRESS}`,
    'acl egress_imds_port port 80',
    'acl egress_imds_method method GET PUT',
    'http_access allow egress_clients egress_imds_method egress_imds_port egress_imds',
  ].join('\n');
}

/** The proxy's configuration (squid.conf) for one client x environment. */
export function renderEgressProxyConfig(config: ResolvedConfig): string {
  const domains = egressDomains(config.network, config.aws.region, config.aws.account);
  return fillTemplate(
    readHostSource(EGRESS_PROXY_TEMPLATE),
    {
      DEPLOYMENT: deploymentName(config),
      EGRESS_PROXY_USER,
      EGRESS_PROXY_PORT: String(EGRESS_PROXY_PORT),
      EGRESS_PROXY_ACCESS_LOG: HOST_LOG_FILES.egressProxyAccess,
      EGRESS_PROXY_CACHE_LOG: HOST_LOG_FILES.egressProxyCache,
      EGRESS_PROXY_ALLOWLIST: allowlistLines(domains),
      EGRESS_PROXY_IMDS: imdsProxyLines(config),
    },
    `host/${EGRESS_PROXY_TEMPLATE}`,
  );
}
