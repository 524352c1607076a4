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
import { HOST_LOG_FILES } from './log-files';
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
    },
    `host/${EGRESS_PROXY_TEMPLATE}`,
  );
}
