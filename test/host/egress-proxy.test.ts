import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { deploymentName } from '../../lib/shared/naming';
import { egressDomains } from '../../lib/network/egress-domains';
import type { ResolvedConfig } from '../../lib/config/schema';
import { EGRESS_PROXY_PORT, EGRESS_PROXY_USER, renderEgressProxyConfig, squidDomains } from '../../lib/host/egress-proxy';
import { gatewayUsesInstanceCredentials } from '../../lib/host/instance-credentials';
import { hostTemplateValues } from '../../lib/host/template-values';
import { allConfigs, exampleConfig, requireTool, tempDir } from './support/host-tools';

// lib/host/egress-proxy.ts as pure functions, and every rendered squid.conf checked by the real
// squid (`squid -k parse`, Debian's 5.7). The netns test (egress-proxy-netns.test.ts) runs it.

const withProviders = (c: ResolvedConfig, providers: readonly string[]) =>
  ({ ...c, network: { ...c.network, egress: { ...c.network.egress, providers } } }) as ResolvedConfig;
/** example/prod with an agent provider list that includes Bedrock. */
const bedrock = () => withProviders(exampleConfig('prod'), ['anthropic', 'bedrock']);
/** The IMDS block of a render: the lines between `http_access deny !egress_clients` and `http_access deny !egress_connect`. */
const imdsBlock = (conf: string) => {
  const lines = conf.split('\n');
  return lines.slice(lines.indexOf('http_access deny !egress_clients') + 1, lines.indexOf('http_access deny !egress_connect'));
};
const BEDROCK_IMDS_RULES = [
  'acl egress_imds dstdomain -n 169.254.169.254',
  'acl egress_imds_port port 80',
  'acl egress_imds_method method GET PUT',
  'http_access allow egress_clients egress_imds_method egress_imds_port egress_imds',
];

/** squid's dstdomain semantics: "x" matches x only; ".x" matches x and every name under it. */
const squidMatches = (entries: readonly string[], name: string) => entries.some((e) => (e.startsWith('.') ? name === e.slice(1) || name.endsWith(e) : name === e));

/** The allowlist entries of a rendered squid.conf (every `acl egress_allowlist dstdomain -n` line). */
const allowlistOf = (conf: string) =>
  conf
    .split('\n')
    .filter((l) => l.startsWith('acl egress_allowlist '))
    .flatMap((l) => {
      const m = /^acl egress_allowlist dstdomain -n (\S+(?: \S+)*)$/.exec(l);
      if (!m) throw new Error(`unexpected allowlist line ${JSON.stringify(l)}`);
      return m[1]!.split(' ');
    });

describe('squidDomains', () => {
  test('a wildcard becomes a leading dot, and the names it covers are dropped (squid warns about overlaps)', () => {
    expect(squidDomains(['slack.com', '*.slack.com', 'files.slack.com', 'api.anthropic.com'])).toEqual(['.slack.com', 'api.anthropic.com']);
  });

  test('a name that only ends like a wildcard is kept: .slack.com does not cover notslack.com', () => {
    expect(squidDomains(['*.slack.com', 'notslack.com'])).toEqual(['.slack.com', 'notslack.com']);
  });

  test('a last label with a digit is still a name (punycode TLDs)', () => {
    expect(squidDomains(['example.xn--p1ai'])).toEqual(['example.xn--p1ai']);
  });

  test('nested wildcards: the narrower one is dropped', () => {
    expect(squidDomains(['*.example.com', '*.a.example.com', 'b.a.example.com'])).toEqual(['.example.com']);
  });

  test('trimmed, lower-cased, deduplicated and sorted', () => {
    expect(squidDomains([' B.example.org ', 'a.example.org', 'b.example.org', 'A.EXAMPLE.ORG'])).toEqual(['a.example.org', 'b.example.org']);
  });

  test.each(['', 'localhost', '1.2.3.4', '10.0.0.44', '192.168.100.200', '*.', '*.*.example.com', 'exa_mple.com', 'a b.com', 'https://api.anthropic.com', 'example.com/path', '-a.example.com', 'a-.example.com', 'example.com.', '.example.com'])(
    'refuses %j: not a domain name (a raw IP or a URL would be an allowlist squid reads differently)',
    (bad) => {
      expect(() => squidDomains([bad])).toThrow(new Error(`egress proxy render: ${JSON.stringify(bad)} is not a domain name (or *.domain)`));
    },
  );
});

describe('renderEgressProxyConfig', () => {
  test('the rendered file has no placeholder left and names the deployment, the port and the user', () => {
    const config = exampleConfig('prod');
    const conf = renderEgressProxyConfig(config);
    expect(conf).not.toMatch(/@@/);
    expect(conf).toContain(`# squid.conf: the egress proxy of the OpenClaw gateway host, ${deploymentName(config)}.`);
    expect(conf).toMatch(new RegExp(`^http_port 127\\.0\\.0\\.1:${EGRESS_PROXY_PORT}$`, 'm'));
    expect(conf).toMatch(new RegExp(`^cache_effective_user ${EGRESS_PROXY_USER}$`, 'm'));
  });

  test('the access rules, exactly and in order: only CONNECT from loopback to port 443 of an allowlisted name that is not loopback or link-local', () => {
    const conf = renderEgressProxyConfig(exampleConfig('prod'));
    expect(conf.split('\n').filter((l) => /^(http_access|acl (?!egress_allowlist )|pinger_enable|cache |http_port)/.test(l))).toEqual([
      'http_port 127.0.0.1:3128',
      'pinger_enable off',
      'acl egress_https_port port 443',
      'acl egress_connect method CONNECT',
      'acl egress_clients src 127.0.0.1/32 ::1/128',
      'acl egress_never dst 127.0.0.0/8 169.254.0.0/16 0.0.0.0/8 ::1/128 fe80::/10',
      'http_access deny !egress_clients',
      'http_access deny !egress_connect',
      'http_access deny !egress_https_port',
      'http_access deny !egress_allowlist',
      'http_access deny egress_never',
      'http_access allow egress_clients',
      'http_access deny all',
      'cache deny all',
    ]);
  });

  test('IMDS: with bedrock in network.egress.providers, exactly GET and PUT to 169.254.169.254:80 from loopback, right after the clients deny', () => {
    const conf = renderEgressProxyConfig(bedrock());
    expect(imdsBlock(conf).filter((l) => !l.startsWith('#'))).toEqual(BEDROCK_IMDS_RULES);
    expect(conf.split('\n').filter((l) => l.startsWith('http_access '))).toEqual([
      'http_access deny !egress_clients',
      BEDROCK_IMDS_RULES[3],
      'http_access deny !egress_connect',
      'http_access deny !egress_https_port',
      'http_access deny !egress_allowlist',
      'http_access deny egress_never',
      'http_access allow egress_clients',
      'http_access deny all',
    ]);
    // Everything else is the render without Bedrock (but the allowlist, which gains the Bedrock endpoints).
    const rest = (c: string) => c.split('\n').filter((l) => !imdsBlock(c).includes(l) && !l.startsWith('acl egress_allowlist '));
    expect(rest(conf)).toEqual(rest(renderEgressProxyConfig(exampleConfig('prod'))));
    expect(conf).toMatch(/^forwarded_for delete$/m);
    expect(conf).toMatch(/^cache deny all$/m);
  });

  test.each([
    ['anthropic, as shipped', ['anthropic']],
    ['anthropic and openai', ['anthropic', 'openai']],
  ])('IMDS: without Bedrock (%s) a comment only: not reachable through the proxy', (_what, providers) => {
    const conf = renderEgressProxyConfig(withProviders(exampleConfig('prod'), providers));
    expect(imdsBlock(conf)).toEqual([
      '# IMDS is not reachable through this proxy: the gateway takes no AWS credentials from the instance',
      '# role (bedrock is not in network.egress.providers), its unit denies IMDS (IPAddressDeny), and the',
      '# deny rules below refuse it here too (plain HTTP, port 80, link-local): the proxy is no way around',
      '# that IPAddressDeny.',
    ]);
    expect(conf).not.toMatch(/egress_imds/);
  });

  test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))(
    '%s: the proxy lets IMDS through exactly when the gateway unit keeps IMDS access (one predicate)',
    (_name, config) => {
      for (const c of [config, withProviders(config, [...config.network.egress.providers, 'bedrock'])]) {
        const usesRole = gatewayUsesInstanceCredentials(c);
        expect(usesRole).toBe(c.network.egress.providers.includes('bedrock'));
        expect(renderEgressProxyConfig(c).includes(BEDROCK_IMDS_RULES[3]!)).toBe(usesRole);
        expect(hostTemplateValues(c).IMDS_ACCESS!.includes('IPAddressDeny=169.254.169.254/32')).toBe(!usesRole);
      }
    },
  );

  // The DNS Firewall's list is egressDomains() (lib/stacks/network-stack.ts allowedDomains). Checked
  // both ways with squid's own matching rules: every name the firewall allows, squid allows; every
  // squid entry stands for a firewall entry ("*.x" -> ".x", which squid also lets match x itself).
  test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s: the proxy allowlist is the DNS Firewall allowlist', (_name, config) => {
    const firewall = egressDomains(config.network, config.aws.region, config.aws.account);
    const proxy = allowlistOf(renderEgressProxyConfig(config));
    expect(proxy.length).toBeGreaterThan(0);
    expect(new Set(proxy).size).toBe(proxy.length);
    const sample = (d: string) => (d.startsWith('*.') ? `probe-name.${d.slice(2)}` : d);
    expect(firewall.filter((d) => !squidMatches(proxy, sample(d)))).toEqual([]);
    expect(proxy.filter((e) => !firewall.includes(e.startsWith('.') ? `*${e}` : e))).toEqual([]);
    for (const name of ['evil.example.com', 'anthropic.com.evil.example', '1.1.1.1', 'cloudflare-dns.com']) expect(squidMatches(proxy, name)).toBe(false);
  });
});

describe('squid -k parse accepts every rendered squid.conf without a warning or an error', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('oc-squid-parse-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s', (name, config) => {
    const squid = requireTool('squid');
    const file = path.join(dir, `${name.replace('/', '-')}.conf`);
    fs.writeFileSync(file, renderEgressProxyConfig(config));
    // squid -k parse prints what it read and its findings on stderr.
    const r = spawnSync(squid, ['-k', 'parse', '-f', file], { encoding: 'utf8', timeout: 15_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect({ status: r.status, problems: out.split('\n').filter((l) => /WARNING|ERROR|FATAL/i.test(l)) }).toEqual({ status: 0, problems: [] });
    expect(out).toContain(`Processing: acl egress_allowlist dstdomain -n`);
  });

  test('example/prod with bedrock in network.egress.providers (the IMDS lines)', () => {
    const squid = requireTool('squid');
    const file = path.join(dir, 'example-prod-bedrock.conf');
    fs.writeFileSync(file, renderEgressProxyConfig(bedrock()));
    const r = spawnSync(squid, ['-k', 'parse', '-f', file], { encoding: 'utf8', timeout: 15_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect({ status: r.status, problems: out.split('\n').filter((l) => /WARNING|ERROR|FATAL/i.test(l)) }).toEqual({ status: 0, problems: [] });
    for (const line of BEDROCK_IMDS_RULES) expect(out).toContain(`Processing: ${line}`);
  });
});
