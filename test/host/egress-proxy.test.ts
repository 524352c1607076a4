import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { deploymentName } from '../../lib/shared/naming';
import { egressDomains, hostEgressDomains } from '../../lib/network/egress-domains';
import * as egressDomainsModule from '../../lib/network/egress-domains';
import {
  EGRESS_LOG_FORMAT,
  EGRESS_PROXY_PORT,
  EGRESS_PROXY_USER,
  egressDeniedByGateway,
  egressLogGateway,
  gatewayUsesBedrock,
  parseEgressLogLine,
  renderEgressProxyConfig,
  squidDomains,
} from '../../lib/host/egress-proxy';
import { HOST_LOG_FILES } from '../../lib/host/log-files';
import { agentGateways } from '../../lib/openclaw/gateways';
import { allConfigs, exampleConfig, requireTool, tempDir } from './support/host-tools';
import { parseDeniedLine } from '../../host/spend-meter/egress';
import { perAgentConfig } from './support/per-agent-config';
import { pinnedHostDomains } from '../support/host-egress-domains';

// lib/host/egress-proxy.ts as pure functions, and every rendered squid.conf checked by the real
// squid (`squid -k parse`, Debian's 5.7). The netns test (egress-proxy-netns.test.ts) runs it.

/** example/prod with ops on Bedrock (support keeps anthropic and Telegram). */
const bedrock = () => perAgentConfig('prod', 'bedrock');
/** The IMDS block of a render: the lines between `http_access deny !egress_clients` and `http_access deny !egress_connect`. */
const imdsBlock = (conf: string) => {
  const lines = conf.split('\n');
  return lines.slice(lines.indexOf('http_access deny !egress_clients') + 1, lines.indexOf('http_access deny !egress_connect'));
};
const IMDS_ACLS = ['acl egress_imds dstdomain -n 169.254.169.254', 'acl egress_imds_port port 80', 'acl egress_imds_method method GET PUT'];
const imdsAllow = (gateway: string) => `http_access allow egress_clients egress_gw_${gateway}_port egress_imds_method egress_imds_port egress_imds`;

/** squid's dstdomain semantics: "x" matches x only; ".x" matches x and every name under it. */
const squidMatches = (entries: readonly string[], name: string) => entries.some((e) => (e.startsWith('.') ? name === e.slice(1) || name.endsWith(e) : name === e));

/** The entries of one allowlist acl of a rendered squid.conf (every `acl <acl> dstdomain -n` line). */
const allowlistOf = (conf: string, acl: string) =>
  conf
    .split('\n')
    .filter((l) => l.startsWith(`acl ${acl} `))
    .flatMap((l) => {
      const m = new RegExp(`^acl ${acl} dstdomain -n (\\S+(?: \\S+)*)$`).exec(l);
      if (!m) throw new Error(`unexpected allowlist line ${JSON.stringify(l)}`);
      return m[1]!.split(' ');
    });
/** Every allowlist acl's entries, by acl name. */
const allowlists = (conf: string) => {
  const names = [...new Set([...conf.matchAll(/^acl (egress_\S+_allowlist) dstdomain /gm)].map((m) => m[1]!))];
  return Object.fromEntries(names.map((n) => [n, allowlistOf(conf, n)]));
};

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

  test('the letter of the last label may be anywhere in it, not only first or second', () => {
    expect(squidDomains(['example.00a', 'example.0-b'])).toEqual(['example.0-b', 'example.00a']);
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
  test('the rendered file has no placeholder left and names the deployment, the ports and the user', () => {
    const config = exampleConfig('prod');
    const conf = renderEgressProxyConfig(config);
    expect(conf).not.toMatch(/@@/);
    expect(conf).toContain(`# squid.conf: the egress proxy of the OpenClaw gateway host, ${deploymentName(config)}.`);
    expect(conf.split('\n').filter((l) => l.startsWith('http_port '))).toEqual([
      `http_port 127.0.0.1:${EGRESS_PROXY_PORT} name=host`,
      ...agentGateways(config).map((g) => `http_port 127.0.0.1:${g.proxyPort} name=gateway-${g.id}`),
    ]);
    expect(agentGateways(config).map((g) => [g.id, g.proxyPort])).toEqual([
      ['ops', 3129],
      ['support', 3130],
    ]);
    expect(conf).toMatch(new RegExp(`^cache_effective_user ${EGRESS_PROXY_USER}$`, 'm'));
  });

  test('the example: one port per trust boundary, each with its own allowlist, exactly; no provider or channel on the host port', () => {
    const config = exampleConfig('prod');
    const conf = renderEgressProxyConfig(config);
    const host = hostEgressDomains(config.aws.region, config.aws.account);
    expect(allowlists(conf)).toEqual({
      egress_host_allowlist: host,
      egress_gw_ops_allowlist: ['api.anthropic.com'],
      egress_gw_support_allowlist: ['api.anthropic.com', 'api.telegram.org'],
    });
    expect(host).toEqual(pinnedHostDomains('eu-west-1', '210987654321'));
  });

  test('support on anthropic + telegram, ops on openai: each gateway allows its own provider only, exactly (the netns test runs this config)', () => {
    const conf = renderEgressProxyConfig(perAgentConfig('prod'));
    expect(conf.split('\n').filter((l) => /^acl egress_(gw|host)_/.test(l) && !l.startsWith('acl egress_host_allowlist '))).toEqual([
      'acl egress_host_port myportname host',
      'acl egress_gw_ops_port myportname gateway-ops',
      'acl egress_gw_ops_allowlist dstdomain -n api.openai.com',
      'acl egress_gw_support_port myportname gateway-support',
      'acl egress_gw_support_allowlist dstdomain -n api.anthropic.com api.telegram.org',
    ]);
  });

  test('the access rules, exactly and in order: only CONNECT from loopback to port 443 of a name on the allowlist of the port it arrived on, not loopback or link-local', () => {
    const conf = renderEgressProxyConfig(exampleConfig('prod'));
    expect(conf.split('\n').filter((l) => /^(http_access|acl (?!egress_\S+_allowlist )|pinger_enable|cache |http_port|logformat|access_log)/.test(l))).toEqual([
      'http_port 127.0.0.1:3128 name=host',
      'http_port 127.0.0.1:3129 name=gateway-ops',
      'http_port 127.0.0.1:3130 name=gateway-support',
      'pinger_enable off',
      'acl egress_host_port myportname host',
      'acl egress_gw_ops_port myportname gateway-ops',
      'acl egress_gw_support_port myportname gateway-support',
      'acl egress_https_port port 443',
      'acl egress_connect method CONNECT',
      'acl egress_clients src 127.0.0.1/32 ::1/128',
      'acl egress_never dst 127.0.0.0/8 169.254.0.0/16 0.0.0.0/8 ::1/128 fe80::/10',
      'http_access deny !egress_clients',
      'http_access deny !egress_connect',
      'http_access deny !egress_https_port',
      'http_access deny egress_host_port !egress_host_allowlist',
      'http_access deny egress_gw_ops_port !egress_gw_ops_allowlist',
      'http_access deny egress_gw_support_port !egress_gw_support_allowlist',
      'http_access deny egress_never',
      'http_access allow egress_clients egress_host_port',
      'http_access allow egress_clients egress_gw_ops_port',
      'http_access allow egress_clients egress_gw_support_port',
      'http_access deny all',
      'cache deny all',
      `logformat egress ${EGRESS_LOG_FORMAT}`,
      `access_log stdio:${HOST_LOG_FILES.egressProxyAccess} egress`,
    ]);
    // squid's native format (squid.conf.documented: logformat squid) with the local port appended.
    expect(EGRESS_LOG_FORMAT).toBe('%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt %>lp');
  });

  test('IMDS: only on the port of the gateway whose agent uses bedrock, exactly GET and PUT to 169.254.169.254:80, right after the clients deny', () => {
    const conf = renderEgressProxyConfig(bedrock());
    expect(imdsBlock(conf).filter((l) => !l.startsWith('#'))).toEqual([...IMDS_ACLS, imdsAllow('ops')]);
    expect(conf.split('\n').filter((l) => l.startsWith('http_access '))).toEqual([
      'http_access deny !egress_clients',
      imdsAllow('ops'),
      'http_access deny !egress_connect',
      'http_access deny !egress_https_port',
      'http_access deny egress_host_port !egress_host_allowlist',
      'http_access deny egress_gw_ops_port !egress_gw_ops_allowlist',
      'http_access deny egress_gw_support_port !egress_gw_support_allowlist',
      'http_access deny egress_never',
      'http_access allow egress_clients egress_host_port',
      'http_access allow egress_clients egress_gw_ops_port',
      'http_access allow egress_clients egress_gw_support_port',
      'http_access deny all',
    ]);
    expect(allowlistOf(conf, 'egress_gw_ops_allowlist')).toEqual(['bedrock-runtime.eu-west-1.amazonaws.com', 'bedrock.eu-west-1.amazonaws.com']);
    expect(allowlistOf(conf, 'egress_gw_support_allowlist')).toEqual(['api.anthropic.com', 'api.telegram.org']);
    expect(conf).toMatch(/^forwarded_for delete$/m);
    expect(conf).toMatch(/^cache deny all$/m);
  });

  test('IMDS: bedrock in network.egress.providers but used by no agent: no IMDS allow on any port', () => {
    const c = exampleConfig('prod');
    const conf = renderEgressProxyConfig({ ...c, network: { ...c.network, egress: { ...c.network.egress, providers: ['anthropic', 'bedrock'] } } });
    expect(conf).not.toMatch(/egress_imds/);
    // Nor its endpoints: the DNS Firewall resolves them (network.egress), no port allows them.
    expect(Object.values(allowlists(conf)).flat().filter((e) => e.includes('bedrock'))).toEqual([]);
  });

  test.each([
    ['the example (anthropic)', exampleConfig('prod')],
    ['support on anthropic, ops on openai', perAgentConfig('prod')],
  ])('IMDS: without Bedrock (%s) a comment only: not reachable through the proxy', (_what, config) => {
    const conf = renderEgressProxyConfig(config);
    expect(imdsBlock(conf)).toEqual([
      '# IMDS is not reachable through this proxy: no gateway takes AWS credentials from the instance',
      '# role (no agent uses bedrock), the gateway units deny IMDS (IPAddressDeny), and the deny rules',
      '# below refuse it here too (plain HTTP, port 80, link-local): the proxy is no way around that',
      '# IPAddressDeny.',
    ]);
    expect(conf).not.toMatch(/egress_imds/);
  });

  test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s: IMDS is allowed on exactly the ports of the gateways that use bedrock', (_name, config) => {
    for (const c of [config, bedrock()]) {
      const conf = renderEgressProxyConfig(c);
      const allowed = [...conf.matchAll(/^http_access allow egress_clients egress_gw_(\S+)_port egress_imds_method egress_imds_port egress_imds$/gm)].map((m) => m[1]);
      expect(allowed).toEqual(agentGateways(c).filter((g) => gatewayUsesBedrock(c, g)).map((g) => g.id));
    }
  });

  // The DNS Firewall's list is egressDomains() (lib/stacks/network-stack.ts allowedDomains). Checked
  // both ways with squid's own matching rules: every name the firewall allows, some port allows; every
  // squid entry stands for a firewall entry ("*.x" -> ".x", which squid also lets match x itself).
  test.each([...allConfigs(), perAgentConfig('prod'), bedrock()].map((c) => [`${c.client}/${c.env} ${c.openclaw.agents.ops?.provider}`, c] as const))(
    '%s: the ports\' allowlists together are the DNS Firewall allowlist; no provider or channel on the host port',
    (_name, config) => {
      const firewall = egressDomains(config.network, config.aws.region, config.aws.account);
      const lists = allowlists(renderEgressProxyConfig(config));
      const proxy = [...new Set(Object.values(lists).flat())];
      for (const entries of Object.values(lists)) expect(new Set(entries).size).toBe(entries.length);
      const sample = (d: string) => (d.startsWith('*.') ? `probe-name.${d.slice(2)}` : d);
      expect(firewall.filter((d) => !squidMatches(proxy, sample(d)))).toEqual([]);
      expect(proxy.filter((e) => !firewall.includes(e.startsWith('.') ? `*${e}` : e))).toEqual([]);
      for (const name of ['evil.example.com', 'anthropic.com.evil.example', '1.1.1.1', 'cloudflare-dns.com']) expect(squidMatches(proxy, name)).toBe(false);
      const agentNames = ['api.anthropic.com', 'api.openai.com', 'api.telegram.org', 'bedrock-runtime.eu-west-1.amazonaws.com'];
      expect(lists.egress_host_allowlist!.filter((e) => agentNames.includes(e))).toEqual([]);
      expect(Object.keys(lists)).toEqual(['egress_host_allowlist', ...agentGateways(config).map((g) => `egress_gw_${g.id}_allowlist`)]);
    },
  );

  test.each([
    [{ proxyPort: 3129 }, 'gateway ops (3129) is edge.proxyPort (nginx)'],
    [{ proxyPort: 3128 }, "the host's own port (3128) is edge.proxyPort (nginx)"],
    [{ gatewayPort: 3130 }, 'gateway support (3130) is the port of gateway ops'],
  ])('a proxy port that is another port of the host is refused (%j)', (edge, what) => {
    const c = exampleConfig('prod');
    expect(() => renderEgressProxyConfig({ ...c, edge: { ...c.edge, ...edge } })).toThrow(new Error(`egress proxy render: the proxy port of ${what}`));
  });

  test('allowlists of 1 to 8 names: four names a line, no empty acl line (a count that is a multiple of 4 included)', () => {
    const c = exampleConfig('prod');
    const counts = new Set<number>();
    for (let extra = 0; extra < 4; extra += 1) {
      const extraDomains = Array.from({ length: extra }, (_v, i) => `extra${i}.example.org`);
      const conf = renderEgressProxyConfig({ ...c, network: { ...c.network, egress: { ...c.network.egress, extraDomains } } });
      for (const [acl, entries] of Object.entries(allowlists(conf))) {
        const lines = conf.split('\n').filter((l) => l.startsWith(`acl ${acl} `));
        expect(lines.map((l) => l.split(' ').length - 4)).toEqual(Array.from({ length: Math.ceil(entries.length / 4) }, (_v, i) => Math.min(4, entries.length - 4 * i)));
        counts.add(entries.length);
      }
    }
    // Some allowlist had a multiple of 4 names (the loop's edge).
    expect([...counts].some((n) => n % 4 === 0)).toBe(true);
  });

  test("each allowlist is announced by a comment naming its port's trust boundary and port", () => {
    const conf = renderEgressProxyConfig(exampleConfig('prod'));
    expect(conf.split('\n').filter((l) => /^# .* \(\d+\):$/.test(l))).toEqual(["# the host's own port (3128):", '# gateway ops (3129):', '# gateway support (3130):']);
  });

  test('IMDS with two gateways on bedrock: the comment names both, each port gets its allow', () => {
    const base = bedrock();
    const agents = base.openclaw.agents;
    const conf = renderEgressProxyConfig({ ...base, openclaw: { ...base.openclaw, agents: { ...agents, support: { ...agents.support!, provider: 'bedrock', model: 'test-model' } } } });
    expect(imdsBlock(conf)[0]).toBe('# An agent of gateway ops, support uses bedrock: that gateway takes the instance role credentials');
    expect(imdsBlock(conf).filter((l) => l.startsWith('http_access '))).toEqual([imdsAllow('ops'), imdsAllow('support')]);
  });

  test("a name a port allows that is not on the DNS Firewall's list is refused, naming each", () => {
    // The two lists come from one source (lib/network/egress-domains.ts); this is the guard that keeps them one.
    const c = exampleConfig('prod');
    const real = egressDomainsModule.egressDomains;
    const spy = jest.spyOn(egressDomainsModule, 'egressDomains').mockImplementation((network, region, account) => real(network, region, account).filter((d) => d !== 'api.anthropic.com' && d !== 'api.telegram.org'));
    try {
      expect(() => renderEgressProxyConfig(c)).toThrow(new Error("egress proxy render: api.anthropic.com, api.telegram.org allowed by a port but not on the DNS Firewall's list"));
    } finally {
      spy.mockRestore();
    }
    expect(() => renderEgressProxyConfig(c)).not.toThrow();
  });

  test('a gateway id with a hyphen: its acls use "_" (squid acl names), its port name keeps the id', () => {
    const c = exampleConfig('prod');
    const config = { ...c, openclaw: { ...c.openclaw, agents: { 'help-desk': c.openclaw.agents.support! } } };
    const conf = renderEgressProxyConfig(config);
    expect(conf).toContain('http_port 127.0.0.1:3129 name=gateway-help-desk\n');
    expect(conf).toContain('acl egress_gw_help_desk_port myportname gateway-help-desk\n');
    expect(conf).toContain('http_access deny egress_gw_help_desk_port !egress_gw_help_desk_allowlist\n');
  });
});

describe('the access log: parseEgressLogLine and egressLogGateway', () => {
  const config = exampleConfig('prod');
  test('a line in the egress format is read field by field; the port names the gateway, 3128 the host', () => {
    const line = '1765018800.123      0 127.0.0.1 TCP_DENIED/403 3998 CONNECT api.openai.com:443 - HIER_NONE/- text/html 3130';
    expect(parseEgressLogLine(line)).toEqual({
      time: 1765018800.123,
      client: '127.0.0.1',
      result: 'TCP_DENIED/403',
      denied: true,
      method: 'CONNECT',
      target: 'api.openai.com:443',
      port: 3130,
    });
    expect(egressLogGateway(line, config)).toBe('support');
    expect(egressLogGateway(line.replace(/3130$/, '3129'), config)).toBe('ops');
    expect(egressLogGateway(line.replace(/3130$/, '3128'), config)).toBeNull();
    expect(parseEgressLogLine(line.replace('TCP_DENIED/403', 'TCP_TUNNEL/200'))?.denied).toBe(false);
  });

  test('the whole line is the format: real tunnels and refusals with multi-digit fields read; a fragment, a prefix or a trailing field do not', () => {
    // A tunnel as squid 6 writes it: elapsed 153 ms, a user name, the peer's address after HIER_DIRECT/.
    const tunnel = '1765018800.123    153 127.0.0.1 TCP_TUNNEL/200 5821 CONNECT api.anthropic.com:443 alice HIER_DIRECT/160.79.104.10 - 3129';
    expect(parseEgressLogLine(tunnel)).toEqual({ time: 1765018800.123, client: '127.0.0.1', result: 'TCP_TUNNEL/200', denied: false, method: 'CONNECT', target: 'api.anthropic.com:443', port: 3129 });
    // Read from a file: the newline and stray spaces around it are not part of the line.
    expect(parseEgressLogLine(`  ${tunnel}\n`)?.port).toBe(3129);
    // Anything before or after the format's fields is not this format.
    expect(parseEgressLogLine(`garbage ${tunnel}`)).toBeUndefined();
    expect(parseEgressLogLine(`${tunnel} 99`)).toBeUndefined();
  });

  test("the breaker on the host (host/spend-meter/egress.ts) counts exactly the lines this parser calls refusals, at the line's own time", () => {
    const line = '1765018800.123      0 127.0.0.1 TCP_DENIED/403 3998 CONNECT api.openai.com:443 - HIER_NONE/- text/html 3130';
    const lines = [
      line,
      line.replace('TCP_DENIED/403', 'TCP_TUNNEL/200'),
      line.replace('TCP_DENIED/403', 'TCP_DENIED_REPLY/403'),
      line.replace(/ 3130$/, ''),
      line.replace('CONNECT api.openai.com:443', 'GET http://169.254.169.254/latest/meta-data/'),
      line.slice(0, 40),
      '',
    ];
    expect(lines.map((l) => parseDeniedLine(l))).toEqual(lines.map((l) => {
      const parsed = parseEgressLogLine(l);
      return parsed?.denied ? { at: Math.round(parsed.time * 1000), port: parsed.port } : undefined;
    }));
    expect(lines.map((l) => parseDeniedLine(l))).toEqual([{ at: 1765018800123, port: 3130 }, undefined, undefined, undefined, { at: 1765018800123, port: 3130 }, undefined, undefined]);
  });

  test('egressDeniedByGateway counts each gateway\'s refusals only: not its tunnels, not the host\'s port, not an unknown port or format', () => {
    const line = (result: string, port: number | '') => `1765018800.123      0 127.0.0.1 ${result} 3998 CONNECT api.openai.com:443 - HIER_NONE/- text/html ${port}`.trimEnd();
    const lines = [
      line('TCP_DENIED/403', 3130),
      line('TCP_DENIED/403', 3130),
      line('TCP_TUNNEL/200', 3130),
      line('TCP_DENIED/403', 3129),
      line('TCP_DENIED/403', 3128),
      line('TCP_DENIED/403', 3199),
      line('TCP_DENIED/403', ''),
    ];
    expect(egressDeniedByGateway(lines, config)).toEqual({ ops: 1, support: 2 });
    expect(egressDeniedByGateway([], config)).toEqual({ ops: 0, support: 0 });
  });

  test.each([
    ['squid\'s native format (no port)', '1765018800.123      0 127.0.0.1 TCP_DENIED/403 3998 CONNECT api.openai.com:443 - HIER_NONE/- text/html'],
    ['a port this config does not listen on', '1765018800.123      0 127.0.0.1 TCP_DENIED/403 3998 CONNECT api.openai.com:443 - HIER_NONE/- text/html 3199'],
    ['an empty line', ''],
  ])('undefined for %s', (_what, line) => {
    expect(egressLogGateway(line, config)).toBeUndefined();
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
    expect(out).toContain(`Processing: acl egress_host_allowlist dstdomain -n`);
    expect(out).toContain(`Processing: http_port 127.0.0.1:3129 name=gateway-`);
  });

  test('ops on bedrock (the IMDS lines on its port)', () => {
    const squid = requireTool('squid');
    const file = path.join(dir, 'example-prod-bedrock.conf');
    fs.writeFileSync(file, renderEgressProxyConfig(bedrock()));
    const r = spawnSync(squid, ['-k', 'parse', '-f', file], { encoding: 'utf8', timeout: 15_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect({ status: r.status, problems: out.split('\n').filter((l) => /WARNING|ERROR|FATAL/i.test(l)) }).toEqual({ status: 0, problems: [] });
    for (const line of [...IMDS_ACLS, imdsAllow('ops')]) expect(out).toContain(`Processing: ${line}`);
  });
});
