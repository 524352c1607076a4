import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  headerVariable,
  queryCredentialPattern,
  renderAllowedOriginsMap,
  renderNginxConfig,
  renderOriginVerifyMap,
} from '../../lib/host/nginx-config';
import { parseIpv4Cidr, renderNftablesRules, vpcResolverAddress } from '../../lib/host/nftables-rules';
import { ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH, NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { configFixture, REPO_ROOT } from '../support/config-fixture';
import { pseudoRandom } from '../support/pseudo-random';
import { exampleConfig } from './support/host-tools';

// The renderers as pure functions, and `npm run render`. What nginx and nft
// make of the output is tested for real in the other files of this folder.

const config = exampleConfig('prod');

describe('renderHostFiles', () => {
  test('renders nginx.conf, the allowed-origins include and the ruleset, and never the origin-verify map', () => {
    const files = renderHostFiles(config);
    expect(Object.keys(files)).toEqual([NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH]);
    const directives = Object.values(files).join('\n').split('\n').filter((l) => !l.trim().startsWith('#'));
    expect(directives.filter((l) => /"~\^[^"]*\$" 1;/.test(l))).toEqual([]);
  });

  test('nginx.conf reads the origin-verify values from the include file, keyed on the configured header', () => {
    const conf = renderNginxConfig({ ...config, edge: { ...config.edge, originVerifyHeader: 'x-edge-check' } });
    expect(conf).toMatch(/map \$http_x_edge_check \$origin_verified \{\s*default 0;\s*include \/etc\/nginx\/openclaw\/origin-verify\.map\.conf;\s*\}/);
    expect(conf).toContain('proxy_set_header x-edge-check "";');
  });

  test('the defaults target Amazon Linux 2023', () => {
    const conf = renderNginxConfig(config);
    expect(conf).toContain('user nginx;');
    expect(conf).toContain('listen 0.0.0.0:8080 default_server;');
    expect(conf).toContain('server 127.0.0.1:18789;');
    expect(renderNginxConfig(config, { user: null })).not.toMatch(/^user /m);
  });

  test('the access log format uses $uri, never $request, $request_uri, $args or credential headers', () => {
    const format = /log_format openclaw[\s\S]*?';\n/.exec(renderNginxConfig(config))![0];
    expect(format).toContain('$uri');
    expect(format).not.toMatch(/\$request[^_]|\$request_uri|\$args|\$query_string|\$http_authorization|\$http_cookie|\$http_referer|\$http_x_origin_verify/);
  });

  test('refuses to render when proxy and gateway ports coincide', () => {
    const same = { ...config, edge: { ...config.edge, gatewayPort: config.edge.proxyPort } };
    expect(() => renderNginxConfig(same)).toThrow(/must differ/);
    expect(() => renderNftablesRules(same)).toThrow(/must differ/);
  });

  test('refuses option values that would inject nginx syntax', () => {
    expect(() => renderNginxConfig(config, { includeDir: '/etc/nginx; include /tmp/x' })).toThrow(/invalid includeDir/);
    expect(() => renderNginxConfig(config, { listenAddress: '0.0.0.0:80; listen 1.2.3.4' })).toThrow(/invalid listenAddress/);
  });

  test('writeHostFiles writes the tree and stays inside the output folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-host-write-'));
    try {
      const written = writeHostFiles(dir, renderHostFiles(config));
      expect(written.map((f) => path.relative(dir, f))).toEqual([NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH]);
      expect(() => writeHostFiles(dir, { '../escape.conf': 'x' })).toThrow(/inside the output folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderOriginVerifyMap', () => {
  const current = pseudoRandom(40, 1);
  const previous = pseudoRandom(40, 2);

  test('one anchored, case-sensitive entry per accepted value: current, then previous', () => {
    const lines = renderOriginVerifyMap(current, previous).split('\n').filter((l) => !l.startsWith('#') && l);
    expect(lines).toEqual([`"~^${current}$" 1;`, `"~^${previous}$" 1;`]);
    expect(renderOriginVerifyMap(current, current).match(/ 1;$/gm)).toHaveLength(1);
    expect(renderOriginVerifyMap(current).match(/ 1;$/gm)).toHaveLength(1);
  });

  test('regex characters are escaped', () => {
    expect(renderOriginVerifyMap(`${current}.+/=`)).toContain(`"~^${current}\\.\\+/=$" 1;`);
  });

  test('refuses short values and characters that could break out of the entry, without echoing the value', () => {
    const bad = [pseudoRandom(20, 3), `${current}" 1; default 1; #`, `${current}\n"~^" 1;`, `${current}$x`];
    for (const value of bad) {
      let message = '';
      try {
        renderOriginVerifyMap(value);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/origin-verify value: expected 32-1024 characters/);
      expect(message).not.toContain(value.slice(0, 12));
    }
  });
});

describe('renderAllowedOriginsMap', () => {
  test('one entry per distinct origin', () => {
    const content = renderAllowedOriginsMap(['https://d111111abcdef8.cloudfront.net', 'https://d111111abcdef8.cloudfront.net', 'https://a.example.com:8443']);
    expect(content.split('\n').filter((l) => !l.startsWith('#') && l)).toEqual([
      '"https://d111111abcdef8.cloudfront.net" 1;',
      '"https://a.example.com:8443" 1;',
    ]);
    expect(renderAllowedOriginsMap([]).split('\n').filter((l) => !l.startsWith('#') && l)).toEqual([]);
  });

  test.each(['http://a.example.com', 'https://a.example.com/path', 'https://*.example.com', 'https://a.example.com" 1; default 1; "x', 'null'])(
    'refuses %s',
    (origin) => {
      expect(() => renderAllowedOriginsMap([origin])).toThrow(/invalid origin/);
    },
  );
});

describe('query credential pattern', () => {
  const re = new RegExp(queryCredentialPattern(), 'i');
  test.each(['token=x', 'a=1&token=x', 'a=1;token=x', 'Access_Token=x', 'api_key=x', 'APIKEY=x', 'key=x', 'password=', 'secret=x', 'auth=x', '%74oken=x', '%54OKEN=x', 'api%5fkey=x', 'token[]=x', 'token%5B%5D=x'])(
    'matches %s',
    (q) => expect(re.test(q)).toBe(true),
  );
  test.each(['tokenizer=x', 'monkey=1', 'q=token%3Dx', 'author=x', 'keys=1', 'token', 'mytoken=1'])('does not match %s', (q) => expect(re.test(q)).toBe(false));
});

describe('nftables helpers', () => {
  test('the VPC resolver is the CIDR base plus two', () => {
    expect(vpcResolverAddress('10.40.0.0/16')).toBe('10.40.0.2');
    expect(vpcResolverAddress('192.168.10.0/24')).toBe('192.168.10.2');
    expect(vpcResolverAddress('10.40.7.9/16')).toBe('10.40.0.2');
    expect(vpcResolverAddress('172.31.255.0/24')).toBe('172.31.255.2');
  });

  test('bad CIDRs are refused', () => {
    for (const c of ['10.40.0.0', '10.300.0.0/16', '10.40.0.0/33']) expect(() => parseIpv4Cidr(c)).toThrow(/invalid IPv4 CIDR/);
  });

  test('the ruleset names the VPC, both resolvers, and drops the gateway port with a counter', () => {
    const rules = renderNftablesRules(config);
    expect(rules).toMatch(/^table inet openclaw\ndelete table inet openclaw\n/m);
    expect(rules).toContain('ip saddr != @not_origin_facing tcp dport 8080 ct state new counter accept');
    expect(rules).toMatch(/elements = \{ [^}]*, 10\.40\.0\.0\/16 \}/);
    expect(rules).toContain('tcp dport 18789 counter drop');
    expect(rules).toContain('ip daddr { 10.40.0.2, 169.254.169.253 } udp dport 53 accept');
    expect(rules).toContain('ip daddr 169.254.169.254 tcp dport 80 accept');
    expect(rules).toContain('ip daddr 169.254.169.123 udp dport 123 accept');
  });

  test('headerVariable maps a header name to its nginx variable', () => {
    expect(headerVariable('x-origin-verify')).toBe('$http_x_origin_verify');
    expect(() => headerVariable('x-a;b')).toThrow(/invalid header name/);
  });
});

describe('npm run render', () => {
  const run = (...args: string[]) =>
    spawnSync('npm', ['run', '-s', 'render', '--', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

  test('writes the three files and lists them', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-render-cli-'));
    try {
      const r = run('--client', 'example', '--env', 'prod', '--out', out);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('# example / prod: host files from config/base.yaml');
      for (const rel of [NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH]) {
        expect(r.stdout).toContain(`wrote ${path.join(out, rel)}`);
        expect(fs.existsSync(path.join(out, rel))).toBe(true);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  test('a config error prints the ConfigError message and exits 1', () => {
    const root = configFixture({ 'clients/acme/client.yaml': 'aws:\n  account: "123456789012"\n  region: eu-west-1\nedge:\n  proxyPort: 80\n' });
    try {
      const r = run('--client', 'acme', '--env', 'dev', '--config-dir', path.join(root, 'config'), '--out', path.join(root, 'out'));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/Invalid configuration \(1 problem\):\n {2}- .*clients\/acme\/client\.yaml:5: edge\.proxyPort: found number 80; expected proxyPort: a TCP port number from 1024 to 65535 \(no privileged ports\)/);
      expect(fs.existsSync(path.join(root, 'out'))).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
