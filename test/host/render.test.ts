import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  edgeRoutes,
  headerVariable,
  queryCredentialPattern,
  renderAllowedOriginsMap,
  renderNginxConfig,
  renderOriginVerifyMap,
  viewerKeyMapEntries,
} from '../../lib/host/nginx-config';
import { parseIpv4Cidr, renderNftablesRules, vpcResolverAddress } from '../../lib/host/nftables-rules';
import { ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH, NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { EGRESS_PROXY_BUNDLE_PATH, NGINX_LOG_ROTATION_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { configFixture, REPO_ROOT } from '../support/config-fixture';
import { pseudoRandom } from '../support/pseudo-random';
import { exampleConfig } from './support/host-tools';

// The renderers as pure functions, and `npm run render`. What nginx and nft
// make of the output is tested for real in the other files of this folder.

const config = exampleConfig('prod');

describe('renderHostFiles', () => {
  test('renders nginx.conf, the allowed-origins include, nginx\'s log rotation and the ruleset, and never the origin-verify map', () => {
    const files = renderHostFiles(config);
    expect(Object.keys(files)).toEqual([NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NGINX_LOG_ROTATION_BUNDLE_PATH, NFTABLES_PATH, EGRESS_PROXY_BUNDLE_PATH]);
    const directives = Object.values(files).join('\n').split('\n').filter((l) => !l.trim().startsWith('#'));
    expect(directives.filter((l) => /"~\^[^"]*\$" 1;/.test(l))).toEqual([]);
  });

  test('nginx.conf reads the origin-verify values from the include file, keyed on the configured header', () => {
    const conf = renderNginxConfig({ ...config, edge: { ...config.edge, originVerifyHeader: 'x-edge-check' } });
    expect(conf).toMatch(/map \$http_x_edge_check \$origin_verified \{\s*default 0;\s*include \/etc\/nginx\/openclaw\/origin-verify\.map\.conf;\s*\}/);
    expect(conf).toContain('proxy_set_header x-edge-check "";');
  });

  test('every directive of nginx.conf, exactly (comments aside): a header, limit or refusal dropped fails here', () => {
    const directives = renderNginxConfig(config)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(directives).toEqual([
      "user nginx;",
      "worker_processes auto;",
      "worker_rlimit_nofile 4512;",
      "pid /run/nginx.pid;",
      "error_log /var/log/nginx/error.log crit;",
      "events {",
      "worker_connections 2256;",
      "}",
      "http {",
      "server_tokens off;",
      "default_type application/octet-stream;",
      "underscores_in_headers off;",
      "ignore_invalid_headers on;",
      "client_body_temp_path /var/lib/nginx/tmp/client_body;",
      "proxy_temp_path /var/lib/nginx/tmp/proxy;",
      "fastcgi_temp_path /var/lib/nginx/tmp/fastcgi;",
      "uwsgi_temp_path /var/lib/nginx/tmp/uwsgi;",
      "scgi_temp_path /var/lib/nginx/tmp/scgi;",
      "client_max_body_size 1024k;",
      "client_body_buffer_size 1024k;",
      "client_header_buffer_size 1k;",
      "large_client_header_buffers 3 4k;",
      "client_header_timeout 10s;",
      "client_body_timeout 10s;",
      "send_timeout 30s;",
      "keepalive_timeout 75s;",
      "reset_timedout_connection on;",
      "map $http_cloudfront_viewer_address $viewer_addr {",
      "default $remote_addr;",
      "\"~^\\[?(?<cf_viewer_ip>[0-9A-Fa-f:.]+?)\\]?:[0-9]{1,5}$\" $cf_viewer_ip;",
      "}",
      "map $http_x_origin_verify $origin_verified {",
      "default 0;",
      "include /etc/nginx/openclaw/origin-verify.map.conf;",
      "}",
      "map $args $query_credential {",
      "default 0;",
      `"~*${queryCredentialPattern()}" 1;`,
      "}",
      "map $http_origin $origin_allowed {",
      "default 0;",
      "\"\" 1;",
      "\"https://agents.example.com\" 1;",
      "include /etc/nginx/openclaw/allowed-origins.map.conf;",
      "}",
      "map $http_upgrade $connection_upgrade {",
      "default upgrade;",
      "\"\" \"\";",
      "}",
      "map $http_upgrade $websocket_opening {",
      "default 0;",
      "\"~*^websocket$\" 1;",
      "}",
      "map $viewer_addr $viewer_key {",
      "default $viewer_addr;",
      ...viewerKeyMapEntries(),
      "}",
      "map $server_port $all_viewers {",
      "default all;",
      "}",
      "map $websocket_opening $all_websockets {",
      "default \"\";",
      "1 all;",
      "}",
      "limit_req_zone $viewer_key zone=openclaw_viewer:10m rate=10r/s;",
      "limit_conn_zone $viewer_key zone=openclaw_viewer_connections:10m;",
      "limit_req_zone $all_viewers zone=openclaw_host:1m rate=500r/s;",
      "limit_req_zone $all_websockets zone=openclaw_websockets:1m rate=40r/s;",
      "limit_conn_zone $all_viewers zone=openclaw_host_connections:1m;",
      "limit_req_status 429;",
      "limit_conn_status 429;",
      "limit_req_log_level info;",
      "limit_conn_log_level info;",
      "split_clients \"$request_id\" $refusal_sampled {",
      "10% 1;",
      "* 0;",
      "}",
      "map \"$status:$upstream_status\" $log_weight {",
      "default 1;",
      "\"~^(?:400|403|404|408|413|414|429|431|494):$\" 10;",
      "}",
      "map \"$log_weight:$refusal_sampled\" $log_line {",
      "default 1;",
      "\"10:0\" 0;",
      "}",
      "log_format openclaw escape=json '{\"time\":\"$time_iso8601\",\"viewer\":\"$viewer_addr\",\"remote\":\"$remote_addr\",'",
      "'\"method\":\"$request_method\",\"uri\":\"$uri\",\"protocol\":\"$server_protocol\",\"status\":\"$status\",'",
      "'\"upstream_status\":\"$upstream_status\",\"weight\":$log_weight,'",
      "'\"bytes\":\"$body_bytes_sent\",\"request_time\":\"$request_time\",\"upstream_time\":\"$upstream_response_time\",'",
      "'\"verified\":\"$origin_verified\",\"origin\":\"$http_origin\",\"user_agent\":\"$http_user_agent\",\"request_id\":\"$request_id\"}';",
      "access_log /var/log/nginx/access.log openclaw if=$log_line;",
      "map $request_uri $gateway_in_request {",
      "default \"\";",
      "\"~^/agents/ops(?:[/?]|$)\" ops;",
      "\"~^/agents/support(?:[/?]|$)\" support;",
      "}",
      "upstream openclaw_gateway_ops {",
      "server 127.0.0.1:18789;",
      "keepalive 16;",
      "}",
      "upstream openclaw_gateway_support {",
      "server 127.0.0.1:18790;",
      "keepalive 16;",
      "}",
      "server {",
      "listen 0.0.0.0:8080 default_server;",
      "server_name _;",
      "if ($origin_verified != \"1\") {",
      "return 403;",
      "}",
      "if ($query_credential) {",
      "return 403;",
      "}",
      "if ($origin_allowed != \"1\") {",
      "return 403;",
      "}",
      "limit_req zone=openclaw_viewer burst=40 nodelay;",
      "limit_conn openclaw_viewer_connections 20;",
      "limit_req zone=openclaw_host burst=500 nodelay;",
      "limit_req zone=openclaw_websockets burst=40 nodelay;",
      "limit_conn openclaw_host_connections 1000;",
      "proxy_http_version 1.1;",
      "proxy_set_header Host $host;",
      "proxy_set_header Upgrade $http_upgrade;",
      "proxy_set_header Connection $connection_upgrade;",
      "proxy_set_header X-Forwarded-For $viewer_addr;",
      "proxy_set_header X-Real-IP $viewer_addr;",
      "proxy_set_header X-Forwarded-Proto https;",
      "proxy_set_header X-Forwarded-Host \"\";",
      "proxy_set_header X-Forwarded-Port \"\";",
      "proxy_set_header Forwarded \"\";",
      "proxy_set_header x-origin-verify \"\";",
      "proxy_hide_header X-Powered-By;",
      "proxy_read_timeout 55s;",
      "proxy_send_timeout 55s;",
      "proxy_connect_timeout 5s;",
      "proxy_buffering off;",
      "location = /agents/ops {",
      "if ($gateway_in_request != \"ops\") {",
      "return 404;",
      "}",
      "error_page 418 = @websocket_ops;",
      "if ($websocket_opening) {",
      "return 418;",
      "}",
      "proxy_pass http://openclaw_gateway_ops;",
      "}",
      "location ^~ /agents/ops/ {",
      "if ($gateway_in_request != \"ops\") {",
      "return 404;",
      "}",
      "error_page 418 = @websocket_ops;",
      "if ($websocket_opening) {",
      "return 418;",
      "}",
      "proxy_pass http://openclaw_gateway_ops;",
      "}",
      "location = /agents/ops/healthz {",
      "if ($gateway_in_request != \"ops\") {",
      "return 404;",
      "}",
      "proxy_pass http://openclaw_gateway_ops/healthz;",
      "}",
      "location @websocket_ops {",
      "proxy_read_timeout 3600s;",
      "proxy_send_timeout 3600s;",
      "proxy_pass http://openclaw_gateway_ops;",
      "}",
      "location = /agents/support {",
      "if ($gateway_in_request != \"support\") {",
      "return 404;",
      "}",
      "error_page 418 = @websocket_support;",
      "if ($websocket_opening) {",
      "return 418;",
      "}",
      "proxy_pass http://openclaw_gateway_support;",
      "}",
      "location ^~ /agents/support/ {",
      "if ($gateway_in_request != \"support\") {",
      "return 404;",
      "}",
      "error_page 418 = @websocket_support;",
      "if ($websocket_opening) {",
      "return 418;",
      "}",
      "proxy_pass http://openclaw_gateway_support;",
      "}",
      "location = /agents/support/healthz {",
      "if ($gateway_in_request != \"support\") {",
      "return 404;",
      "}",
      "proxy_pass http://openclaw_gateway_support/healthz;",
      "}",
      "location @websocket_support {",
      "proxy_read_timeout 3600s;",
      "proxy_send_timeout 3600s;",
      "proxy_pass http://openclaw_gateway_support;",
      "}",
      "location / {",
      "return 404;",
      "}",
      "}",
      "}",
    ]);
  });

  test('edgeRoutes: one route per gateway of the example, in id order, ports from edge.gatewayPort', () => {
    expect(edgeRoutes(config)).toEqual([
      { gateway: 'ops', basePath: '/agents/ops', livenessPath: '/agents/ops/healthz', port: 18789, upstream: 'openclaw_gateway_ops' },
      { gateway: 'support', basePath: '/agents/support', livenessPath: '/agents/support/healthz', port: 18790, upstream: 'openclaw_gateway_support' },
    ]);
  });

  test('refuses an edge.proxyPort that is also a gateway\'s port (edge.gatewayPort + n)', () => {
    const clash = { ...config, edge: { ...config.edge, gatewayPort: config.edge.proxyPort - 1 } };
    expect(() => renderNginxConfig(clash)).toThrow(
      new Error(`nginx render: edge.proxyPort ${config.edge.proxyPort} is also the port of gateway support (edge.gatewayPort + its index)`),
    );
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
    expect(() => renderNginxConfig(same)).toThrow(/edge\.proxyPort 8080 is also the port of gateway ops/);
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
      expect(written.map((f) => path.relative(dir, f))).toEqual([NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NGINX_LOG_ROTATION_BUNDLE_PATH, NFTABLES_PATH, EGRESS_PROXY_BUNDLE_PATH]);
      expect(() => writeHostFiles(dir, { '../escape.conf': 'x' })).toThrow(/inside the output folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderNginxConfig inputs and options', () => {
  const directives = (conf: string) =>
    conf
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  const block = (conf: string, opening: string) => {
    const lines = directives(conf);
    const start = lines.indexOf(opening);
    return lines.slice(start, lines.indexOf('}', start) + 1);
  };
  const ORIGIN_MAP = 'map $http_origin $origin_allowed {';

  test('without a custom domain or allowed origins, only a missing Origin and the boot-written include pass', () => {
    const conf = renderNginxConfig({ ...config, edge: { ...config.edge, customDomain: undefined, allowedOrigins: [] } });
    expect(block(conf, ORIGIN_MAP)).toEqual([ORIGIN_MAP, 'default 0;', '"" 1;', 'include /etc/nginx/openclaw/allowed-origins.map.conf;', '}']);
  });

  test('the custom domain, then each distinct allowed origin, one entry per line', () => {
    const edge = { ...config.edge, allowedOrigins: ['https://a.example.com:8443', 'https://agents.example.com', 'https://b.example.org'] };
    const conf = renderNginxConfig({ ...config, edge });
    expect(conf).toContain(
      '        "" 1;\n        "https://agents.example.com" 1;\n        "https://a.example.com:8443" 1;\n        "https://b.example.org" 1;\n' +
        '        include /etc/nginx/openclaw/allowed-origins.map.conf;\n',
    );
    expect(block(conf, ORIGIN_MAP)).toEqual([
      ORIGIN_MAP,
      'default 0;',
      '"" 1;',
      '"https://agents.example.com" 1;',
      '"https://a.example.com:8443" 1;',
      '"https://b.example.org" 1;',
      'include /etc/nginx/openclaw/allowed-origins.map.conf;',
      '}',
    ]);
  });

  test.each(['http://a.example.com', 'https://a.example.com/path', 'x https://a.example.com', 'https://a.example.com" 1; default 1; "x'])(
    'an allowed origin %j is refused, naming it',
    (origin) => {
      const conf = { ...config, edge: { ...config.edge, allowedOrigins: [origin] } };
      expect(() => renderNginxConfig(conf)).toThrow(new Error(`nginx render: invalid origin ${JSON.stringify(origin)}`));
    },
  );

  test.each([
    ['10.0.1.25', 'listen 10.0.1.25:8080 default_server;'],
    ['[::1]', 'listen [::1]:8080 default_server;'],
    ['[2001:DB8::a0]', 'listen [2001:DB8::a0]:8080 default_server;'],
  ])('listenAddress %s is rendered as given', (listenAddress, line) => {
    expect(block(renderNginxConfig(config, { listenAddress }), 'server {').slice(0, 2)).toEqual(['server {', line]);
  });

  test.each(['10.0.1.256x', '[::1]:80; include /tmp/x', 'x [::1]', '[]', '[::g]', '0.0.0.0:80; listen 1.2.3.4', 'localhost'])(
    'listenAddress %j is refused, naming it',
    (listenAddress) => {
      expect(() => renderNginxConfig(config, { listenAddress })).toThrow(new Error(`nginx render: invalid listenAddress ${JSON.stringify(listenAddress)}`));
    },
  );

  test('the user directive: the default, a user and group, or left out with user: null (and the file says so)', () => {
    expect(directives(renderNginxConfig(config))[0]).toBe('user nginx;');
    expect(directives(renderNginxConfig(config, { user: 'nginx nginx' }))[0]).toBe('user nginx nginx;');
    expect(directives(renderNginxConfig(config, { user: 'www-data adm_1' }))[0]).toBe('user www-data adm_1;');
    const withoutUser = renderNginxConfig(config, { user: null });
    expect(directives(withoutUser)[0]).toBe('worker_processes auto;');
    expect(withoutUser).toContain('\n\n# user: nginx default (render option user: null)\nworker_processes auto;\n');
  });

  test.each(['nginx; load_module /tmp/x.so', 'x; nginx', 'nginx nginx; daemon off', 'Root', 'nginx  nginx', ''])('user %j is refused, naming it', (user) => {
    expect(() => renderNginxConfig(config, { user })).toThrow(new Error(`nginx render: invalid user ${JSON.stringify(user)}`));
  });

  test('worker_processes: auto by default, or a positive whole number', () => {
    expect(directives(renderNginxConfig(config))[1]).toBe('worker_processes auto;');
    expect(directives(renderNginxConfig(config, { workerProcesses: 1 }))[1]).toBe('worker_processes 1;');
    expect(directives(renderNginxConfig(config, { workerProcesses: 4 }))[1]).toBe('worker_processes 4;');
  });

  test.each([0, -2, 1.5, Number.NaN])('workerProcesses %p is refused', (workerProcesses) => {
    expect(() => renderNginxConfig(config, { workerProcesses })).toThrow(new Error(`nginx render: invalid workerProcesses ${workerProcesses}`));
  });

  test('includeDir and tempDir with a trailing slash name the same files (no double slash)', () => {
    const paths = (conf: string) => directives(conf).filter((l) => /^include |_temp_path /.test(l));
    const expected = [
      'client_body_temp_path /var/tmp/ng/client_body;',
      'proxy_temp_path /var/tmp/ng/proxy;',
      'fastcgi_temp_path /var/tmp/ng/fastcgi;',
      'uwsgi_temp_path /var/tmp/ng/uwsgi;',
      'scgi_temp_path /var/tmp/ng/scgi;',
      'include /etc/nginx/oc/origin-verify.map.conf;',
      'include /etc/nginx/oc/allowed-origins.map.conf;',
    ];
    expect(paths(renderNginxConfig(config, { includeDir: '/etc/nginx/oc/', tempDir: '/var/tmp/ng/' }))).toEqual(expected);
    expect(paths(renderNginxConfig(config, { includeDir: '/etc/nginx/oc', tempDir: '/var/tmp/ng' }))).toEqual(expected);
  });

  test('the comments tell the operator reading the file on the host what this deployment does', () => {
    const conf = renderNginxConfig({ ...config, edge: { ...config.edge, originVerifyHeader: 'x-edge-check' } });
    for (const line of [
      '# nginx.conf of the OpenClaw gateway host, example/prod.',
      '# nginx listens on 0.0.0.0:8080 for CloudFront\'s VPC origin and proxies each',
      '#   /agents/ops, /agents/ops/...  -> 127.0.0.1:18789 (gateway ops; /agents/ops/healthz -> its /healthz)',
      '#   /agents/support, /agents/support/...  -> 127.0.0.1:18790 (gateway support; /agents/support/healthz -> its /healthz)',
      '# Any other path: 404. Every refusal below answers 403, except the rate and connection',
      '# limits (429), oversized bodies (413), oversized headers (400) and paths that name no gateway (404).',
      '    # edge.hostLimit.connections (1000) requests in progress, two connections each, in any one worker.',
      '#   /etc/nginx/openclaw/origin-verify.map.conf    root:root 0600, SECRET: the accepted values of',
      '#       the x-edge-check header, one map entry per line: "~^<value>$" 1;',
      '#   /etc/nginx/openclaw/allowed-origins.map.conf  root:root 0644: extra browser origins',
      '    # cannot impersonate x-edge-check through x_origin_verify-style spelling.',
      '    # Origin verification: only CloudFront knows the value of x-edge-check.',
      '    # Credentials in the query string (token, access_token, id_token, refresh_token, auth_token, api_key, api-key, apikey, key, password, secret, client_secret, auth, authorization, bearer, jwt, ticket, sig, signature, code, bt;',
    ]) {
      expect(conf.split('\n')).toContain(line);
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

  test('an absent previous value (undefined) is skipped, wherever it is', () => {
    expect(renderOriginVerifyMap(current, undefined)).toBe(renderOriginVerifyMap(current));
    expect(renderOriginVerifyMap(current, undefined, previous)).toBe(renderOriginVerifyMap(current, previous));
  });

  test('the whole file: a header marking it SECRET and saying how to write it, then the entries', () => {
    expect(renderOriginVerifyMap(current, previous)).toBe(
      [
        '# origin-verify.map.conf: SECRET. Written at boot and on rotation; root:root 0600.',
        '# Entries of: map $http_<origin verify header> $origin_verified { default 0; include this file; }',
        '# Each line: "~^<value>$" 1;  (case-sensitive, anchored). First the current value,',
        '# then, while a rotation is in progress, the pending and the previous one.',
        `"~^${current}$" 1;`,
        `"~^${previous}$" 1;`,
        '',
      ].join('\n'),
    );
  });

  test('regex characters are escaped', () => {
    expect(renderOriginVerifyMap(`${current}.+/=`)).toContain(`"~^${current}\\.\\+/=$" 1;`);
  });

  test('refuses short values and characters that could break out of the entry, without echoing the value', () => {
    const bad = [pseudoRandom(20, 3), `${current}" 1; default 1; #`, `${current}\n"~^" 1;`, `${current}$x`, `" 1; default 1; ${current}`, `\n${current}`];
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

  test('the whole file: a header saying what it holds and its mode, then the entries', () => {
    expect(renderAllowedOriginsMap(['https://d111111abcdef8.cloudfront.net'])).toBe(
      [
        '# allowed-origins.map.conf: browser origins allowed besides those in nginx.conf; root:root 0644.',
        '# Entries of: map $http_origin $origin_allowed { default 0; ... include this file; }',
        '# Each line: "https://<host>[:<port>]" 1;',
        '"https://d111111abcdef8.cloudfront.net" 1;',
        '',
      ].join('\n'),
    );
  });

  test.each(['http://a.example.com', 'https://a.example.com/path', 'https://*.example.com', 'https://a.example.com" 1; default 1; "x', '" 1; default 1; "https://a.example.com', 'null'])(
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

  test('a CIDR parses to its network (host bits cleared) and prefix, /0 to /32, every octet 0-255', () => {
    expect(parseIpv4Cidr('10.40.7.9/16')).toEqual({ network: '10.40.0.0', prefix: 16 });
    expect(parseIpv4Cidr('10.40.0.29/28')).toEqual({ network: '10.40.0.16', prefix: 28 });
    expect(parseIpv4Cidr('10.40.0.129/32')).toEqual({ network: '10.40.0.129', prefix: 32 });
    expect(parseIpv4Cidr('255.255.255.255/32')).toEqual({ network: '255.255.255.255', prefix: 32 });
    expect(parseIpv4Cidr('203.0.113.77/0')).toEqual({ network: '0.0.0.0', prefix: 0 });
  });

  test.each([
    '10.40.0.0',
    '10.300.0.0/16',
    '10.40.0.256/16',
    '10.40.0.0/33',
    '10.40.0.0/160',
    '10.40.0.0/16, 0.0.0.0/0',
    '0.0.0.0/0, 10.40.0.0/16',
    ' 10.40.0.0/16',
    '10.40.0/16',
    '',
  ])('the CIDR %j is refused, naming it', (cidr) => {
    expect(() => parseIpv4Cidr(cidr)).toThrow(new Error(`nftables render: invalid IPv4 CIDR ${JSON.stringify(cidr)}`));
    const bad = { ...config, network: { ...config.network, vpcCidr: cidr } };
    expect(() => renderNftablesRules(bad)).toThrow(new Error(`nftables render: invalid IPv4 CIDR ${JSON.stringify(cidr)}`));
  });

  test.each([
    ['proxyPort', 0],
    ['proxyPort', -8080],
    ['proxyPort', 65536],
    ['proxyPort', 8080.5],
    ['proxyPort', Number.NaN],
    ['gatewayPort', 0],
    ['gatewayPort', 65536],
    ['gatewayPort', 18789.5],
  ] as const)('edge.%s %p is refused: no rule is rendered for a port that does not exist', (key, value) => {
    const bad = { ...config, edge: { ...config.edge, [key]: value } };
    expect(() => renderNftablesRules(bad)).toThrow(new Error(`nftables render: invalid edge.${key} ${value}`));
  });

  test('ports 1 and 65535 (the ends of the TCP range) are rendered as given', () => {
    // Two gateways: edge.gatewayPort and the next port (the last one, 65535).
    const rules = renderNftablesRules({ ...config, edge: { ...config.edge, proxyPort: 1, gatewayPort: 65534 } });
    expect(rules).toContain('\n        tcp dport { 65534, 65535 } counter drop comment "gateway port: loopback only"\n');
    expect(() => renderNftablesRules({ ...config, edge: { ...config.edge, gatewayPort: 65535 } })).toThrow(
      new Error('nftables render: invalid gateway port of support (edge.gatewayPort + 1) 65536'),
    );
    expect(rules).toContain('\n        ip saddr != @not_origin_facing tcp dport 1 ct state new counter accept comment');
    expect(rules).toContain('\n        tcp dport 1 counter drop comment "proxy port from the VPC or a private range"\n');
  });

  test('every rule of the ruleset, exactly (comments aside): a rule dropped or widened fails here', () => {
    const rules = renderNftablesRules(config)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(rules).toEqual([
      'table inet openclaw',
      'delete table inet openclaw',
      'table inet openclaw {',
      'counter egress_blocked {',
      'comment "outbound connections refused: not through the egress proxy, or not allowed at all"',
      '}',
      'counter egress_blocked_ops {',
      'comment "connections of openclaw-ops (gateway ops) refused"',
      '}',
      'counter egress_blocked_support {',
      'comment "connections of openclaw-support (gateway support) refused"',
      '}',
      'set not_origin_facing {',
      'type ipv4_addr; flags interval; auto-merge;',
      'elements = { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.0.0/24, 192.0.2.0/24, 192.168.0.0/16, ' +
        '198.18.0.0/15, 198.51.100.0/24, 203.0.113.0/24, 224.0.0.0/3, 10.40.0.0/16 }',
      '}',
      'chain input {',
      'type filter hook input priority filter; policy drop;',
      'iif "lo" accept',
      'ip daddr 127.0.0.0/8 counter drop comment "spoofed loopback"',
      'ip6 daddr ::1 counter drop comment "spoofed loopback"',
      'tcp dport { 18789, 18790 } counter drop comment "gateway port: loopback only"',
      'ct state established,related accept',
      'ct state invalid counter drop',
      'ip saddr != @not_origin_facing tcp dport 8080 ct state new counter accept comment "proxy port from CloudFront origin-facing addresses"',
      'tcp dport 8080 counter drop comment "proxy port from the VPC or a private range"',
      'udp sport 67 udp dport 68 accept',
      'ip protocol icmp icmp type { destination-unreachable, time-exceeded, parameter-problem } accept',
      'ip protocol icmp icmp type echo-request limit rate 5/second accept',
      'meta l4proto ipv6-icmp icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept',
      'meta l4proto ipv6-icmp icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept',
      'meta l4proto ipv6-icmp icmpv6 type echo-request limit rate 5/second accept',
      'limit rate 6/minute burst 10 packets log prefix "openclaw-in-drop " level info',
      'counter comment "dropped by policy"',
      '}',
      'chain output {',
      'type filter hook output priority filter; policy drop;',
      'oif "lo" jump loopback',
      'oif "lo" accept',
      'ct state established,related accept',
      'ct state invalid counter drop',
      'ip daddr { 10.40.0.2, 169.254.169.253 } udp dport 53 accept',
      'ip daddr { 10.40.0.2, 169.254.169.253 } tcp dport 53 accept',
      'meta skuid squid tcp dport 443 counter accept comment "egress proxy to HTTPS"',
      'ip daddr 169.254.169.254 tcp dport 80 accept',
      'ip daddr 169.254.169.123 udp dport 123 accept',
      'udp sport 68 udp dport 67 accept',
      'meta l4proto ipv6-icmp icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } accept',
      'meta l4proto ipv6-icmp icmpv6 type { mld-listener-report, mld-listener-done, mld2-listener-report } ip6 hoplimit 1 accept',
      'ip protocol igmp ip ttl 1 ip daddr 224.0.0.0/4 accept',
      'ip protocol icmp icmp type { destination-unreachable, time-exceeded, parameter-problem } accept',
      'meta l4proto ipv6-icmp icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept',
      'goto refuse',
      '}',
      'chain loopback {',
      'ct state established,related accept',
      'tcp dport 3128 meta skuid { "openclaw-ops", "openclaw-support" } goto refuse',
      'tcp dport 3129 meta skuid "openclaw-ops" accept',
      'tcp dport 3129 goto refuse',
      'tcp dport 18789 meta skuid { "nginx", "openclaw-ops", "root", 61184-65519 } accept',
      'tcp dport 18789 goto refuse',
      'tcp dport 3130 meta skuid "openclaw-support" accept',
      'tcp dport 3130 goto refuse',
      'tcp dport 18790 meta skuid { "nginx", "openclaw-support", "root", 61184-65519 } accept',
      'tcp dport 18790 goto refuse',
      '}',
      'chain refuse {',
      'limit rate 6/minute burst 10 packets log prefix "openclaw-out-drop " level info',
      'meta skuid "openclaw-ops" counter name "egress_blocked_ops"',
      'meta skuid "openclaw-support" counter name "egress_blocked_support"',
      'counter name "egress_blocked"',
      'meta l4proto tcp reject with tcp reset',
      'reject with icmpx type admin-prohibited',
      '}',
      '}',
    ]);
  });

  test('the ruleset names the VPC, both resolvers, and drops the gateway port with a counter', () => {
    const rules = renderNftablesRules(config);
    expect(rules).toMatch(/^table inet openclaw\ndelete table inet openclaw\n/m);
    expect(rules).toContain('ip saddr != @not_origin_facing tcp dport 8080 ct state new counter accept');
    expect(rules).toMatch(/elements = \{ [^}]*, 10\.40\.0\.0\/16 \}/);
    expect(rules).toContain('tcp dport { 18789, 18790 } counter drop');
    expect(rules).toContain('ip daddr { 10.40.0.2, 169.254.169.253 } udp dport 53 accept');
    expect(rules).toContain('ip daddr 169.254.169.254 tcp dport 80 accept');
    expect(rules).toContain('ip daddr 169.254.169.123 udp dport 123 accept');
  });

  test('headerVariable maps a header name to its nginx variable', () => {
    expect(headerVariable('x-origin-verify')).toBe('$http_x_origin_verify');
    for (const bad of ['x-a;b', 'x-abc;b', 'a;x-abc', 'x-abc\nx']) expect(() => headerVariable(bad)).toThrow(new Error(`nginx render: invalid header name ${JSON.stringify(bad)}`));
  });
});

describe('npm run render', () => {
  const run = (...args: string[]) =>
    spawnSync('npm', ['run', '-s', 'render', '--', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

  test('writes the host files (nginx, the ruleset, the proxy) and lists them', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-render-cli-'));
    try {
      const r = run('--client', 'example', '--env', 'prod', '--out', out);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('# example / prod: host files from config/base.yaml');
      for (const rel of [NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH, EGRESS_PROXY_BUNDLE_PATH]) {
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
