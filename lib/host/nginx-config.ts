/**
 * The nginx reverse proxy in front of the OpenClaw gateway, rendered from the
 * config as one complete nginx.conf. Pure functions: no file system, no clock.
 *
 * Request path: CloudFront (VPC origin) -> security group -> nftables ->
 * nginx on edge.proxyPort -> the OpenClaw gateway of the agent the path names,
 * on 127.0.0.1:<its port> (lib/openclaw/gateways.ts). One gateway per agent
 * (or shared group), each with its own OS user and token; nginx routes by path:
 *
 *   /agents/<id>            -> 127.0.0.1:<port of gateway id>/agents/<id>  (the Control UI's WebSocket URL)
 *   /agents/<id>/...        -> 127.0.0.1:<port of gateway id>/agents/<id>/... (URI kept: the gateway serves
 *                              its Control UI under gateway.controlUi.basePath = /agents/<id>)
 *   /agents/<id>/healthz    -> 127.0.0.1:<port of gateway id>/healthz  (its liveness probe, for the live check)
 *   anything else           -> 404 from nginx; no gateway sees it
 *
 * A request is proxied only when its raw request line ($request_uri) and the
 * path nginx normalizes ($uri: %XX decoded, slashes merged, dot segments
 * resolved; it picks the location) name the same gateway, so an encoded slash
 * or a dot segment cannot carry a request from one gateway's path to another's.
 * The origin-verify, query-credential and Origin checks run once, in the
 * server block, before any location is chosen; the per-viewer rate limit is
 * one zone for all gateways. Each gateway checks its own token itself.
 *
 * Secrets never enter the rendered files. Two small files under `includeDir`
 * are written at boot and read by nginx at start and reload:
 *
 *   origin-verify.map.conf   root:root 0600, renderOriginVerifyMap(current, previous)
 *   allowed-origins.map.conf root:root 0644, renderAllowedOriginsMap([cloudFrontOrigin, ...])
 *
 * Both must exist before nginx starts (a missing include fails `nginx -t`, so a
 * host whose boot step did not fetch the secret never serves: fail closed).
 *
 * Over 300 lines, and nginx.conf still a template literal here rather than a
 * file under host/ filled by lib/host/template.ts like every other host file:
 * fetch-secrets.js bundles this module (renderOriginVerifyMap), and any code
 * change to it renames esbuild's minified identifiers, which changes the host
 * bundle and replaces every host on the next deploy. The move waits for the
 * next deliberate change of the host bundle (docs/decisions/0004).
 */
import type { ResolvedConfig } from '../config/schema';
import { agentGateways, GATEWAY_PATH_PREFIX, type AgentGateway } from '../openclaw/gateways';

export const ORIGIN_VERIFY_MAP_FILE = 'origin-verify.map.conf';
export const ALLOWED_ORIGINS_MAP_FILE = 'allowed-origins.map.conf';

/**
 * Query-string parameter names that carry credentials or capabilities. A request whose query
 * has one of them (any case, percent-encoded or not, also as `name[...]`) gets 403: a query
 * string lands in browser history, referrers and any log that keeps it.
 *
 * Besides the common names, the capability parameters the pinned OpenClaw's own routes read
 * (`searchParams.get(...)` in its dist; test/openclaw/query-parameters.test.ts lists every one
 * and fails on a name nobody has classified): `ticket` (node stream attach), `sig` (signed
 * channel URLs), `code` (OAuth callbacks: OpenClaw serves them at /oauth/... at its root,
 * which nginx routes to no gateway), `bt` (board widget tickets, also served at its root). `token` also refuses OpenClaw's query-token paths (public share links, observer and
 * screencast tokens): those features are not served through the edge.
 */
export const QUERY_CREDENTIAL_PARAMS = [
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'auth_token',
  'api_key',
  'api-key',
  'apikey',
  'key',
  'password',
  'secret',
  'client_secret',
  'auth',
  'authorization',
  'bearer',
  'jwt',
  'ticket',
  'sig',
  'signature',
  'code',
  'bt',
] as const;

/**
 * Capability parameters the Control UI itself puts in URLs that a browser fetches without
 * headers, so nginx lets them pass: refusing them breaks the agent. `mediaTicket`: the signed,
 * expiring, session-bound ticket of an image attachment (`<img src=...?mediaTicket=...>`).
 * Query strings never reach a log: nginx logs the path only and its error log only at `crit`
 * (ERROR_LOG_LEVEL), WAF logging redacts the query string, and CloudFront's access logs leave
 * out the cs-uri-query field (lib/edge/gateway-distribution.ts).
 */
export const QUERY_CAPABILITY_PARAMS_PASSED = ['mediaTicket'] as const;

/**
 * nginx's error_log level. At `error` and `warn` nginx writes the full request line, query
 * string included, with a 413, a 502 or an upstream timeout; at `crit` it keeps its own
 * failures (start-up, configuration, resources) and no request-scoped message of this config
 * (bodies stay in memory: client_body_buffer_size is the body limit, and proxy_buffering is off,
 * so no temp file write can fail for a request). Refusals and upstream failures show in the
 * access log instead, with their status and upstream status, path only.
 */
export const ERROR_LOG_LEVEL = 'crit';

/**
 * The statuses nginx answers itself for a refused request: 403 (policy), 404 (no route), 413
 * (body), 429 (rate or connection limit), 400, 408, 414, 431, 494 (malformed, slow, oversized).
 * One in REFUSAL_LOG_SAMPLE of these gets an access-log line, carrying "weight" so that a
 * count (a metric filter's value) stays an estimate of all of them: a flood of refusals
 * cannot fill the disk or the log bill. Answers of a gateway are always logged, weight 1.
 */
export const REFUSAL_STATUSES = [400, 403, 404, 408, 413, 414, 429, 431, 494] as const;
/** One refusal in this many is logged (weight = this number). */
export const REFUSAL_LOG_SAMPLE = 10;

/**
 * Timeouts of a plain HTTP request to a gateway: a frozen gateway fails it with 504 after
 * this, rather than after the WebSocket's hour; under CloudFront's 60 s origin read timeout
 * (lib/edge/gateway-distribution.ts), so nginx answers, and logs, before CloudFront gives up. Seconds.
 */
export const PLAIN_PROXY_TIMEOUT_SECONDS = 55;
/** Read and send timeouts of an open WebSocket (the gateway's own keep-alive ticks keep an idle one open). Seconds. */
export const WEBSOCKET_PROXY_TIMEOUT_SECONDS = 3600;

/**
 * Request header limits, below the gateway's: Node's HTTP parser refuses more than 16 KiB of
 * request line and headers (431). nginx answers 400 above: one line at most
 * HEADER_BUFFER_KIB KiB, all of them within HEADER_BUFFERS such buffers plus the first 1 KiB.
 */
export const HEADER_BUFFERS = 3;
export const HEADER_BUFFER_KIB = 4;

/** Status code of every policy refusal (origin verify, query credential, Origin). */
export const DENY_STATUS = 403;

/**
 * The path below a gateway's base path that nginx sends to that gateway's
 * liveness probe (OpenClaw answers GET /healthz at its root only, whatever its
 * Control UI base path): /agents/<id>/healthz -> <gateway>/healthz.
 */
export const GATEWAY_LIVENESS_SUFFIX = '/healthz';

/** The status nginx answers for a path that names no gateway (and for a path whose raw and normalized forms disagree). */
export const NO_ROUTE_STATUS = 404;

/** One route of the edge: the gateway behind a base path. */
export interface EdgeRoute {
  /** The gateway id (agent id or shared group). */
  readonly gateway: string;
  /** /agents/<id>: the WebSocket URL; /agents/<id>/... is the Control UI. */
  readonly basePath: string;
  /** /agents/<id>/healthz: the gateway's liveness probe. */
  readonly livenessPath: string;
  /** The gateway's port on 127.0.0.1. */
  readonly port: number;
  /** The nginx upstream's name. */
  readonly upstream: string;
}

/** Gateway ids as nginx.conf uses them (in a regex, a location and an upstream name): the agent id pattern. */
const GATEWAY_ID = /^[a-z0-9-]+$/;

/** The edge routes of a config, one per gateway, in the gateways' order (lib/openclaw/gateways.ts). */
export function edgeRoutes(config: ResolvedConfig): EdgeRoute[] {
  return agentGateways(config).map((g: AgentGateway) => {
    check('gateway id', g.id, GATEWAY_ID);
    if (g.basePath !== `${GATEWAY_PATH_PREFIX}/${g.id}`) throw new Error(`nginx render: gateway ${g.id} has base path ${JSON.stringify(g.basePath)}, expected ${GATEWAY_PATH_PREFIX}/${g.id}`);
    return { gateway: g.id, basePath: g.basePath, livenessPath: `${g.basePath}${GATEWAY_LIVENESS_SUFFIX}`, port: g.port, upstream: `openclaw_gateway_${g.id}` };
  });
}

/** Characters an origin-verify value may use (no quoting or regex escaping surprises in nginx syntax). */
const ORIGIN_VERIFY_VALUE = /^[A-Za-z0-9_\-+/=.~]{32,1024}$/;
/** Same rule as the config schema: https, lowercase host, optional port, no path. */
const ORIGIN = /^https:\/\/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/;
const HEADER_NAME = /^x-[a-z0-9-]{3,40}$/;
/** Absolute or prefix-relative paths without whitespace, quotes, braces, `;` or `$`. */
const SAFE_PATH = /^[A-Za-z0-9_\-./+@:]+$/;
const SAFE_USER = /^[a-z_][a-z0-9_-]*( [a-z_][a-z0-9_-]*)?$/;

export interface NginxRenderOptions {
  /** Address nginx listens on (with edge.proxyPort). @default '0.0.0.0' (VPC-facing; nftables limits it to the VPC CIDR) */
  readonly listenAddress?: string;
  /** Folder of the boot-written include files. @default '/etc/nginx/openclaw' */
  readonly includeDir?: string;
  /** nginx's PID file (`pid`). @default '/run/nginx.pid' (Amazon Linux 2023 nginx.service) */
  readonly pidFile?: string;
  /** nginx's error log (`error_log`, level warn). @default '/var/log/nginx/error.log' (HOST_LOG_FILES.nginxError; test/host/cloudwatch-agent.test.ts keeps the two equal) */
  readonly errorLog?: string;
  /** nginx's access log (`access_log`, the JSON `openclaw` format). @default '/var/log/nginx/access.log' (HOST_LOG_FILES.nginxAccess; test/host/cloudwatch-agent.test.ts keeps the two equal) */
  readonly accessLog?: string;
  /** Parent of nginx's client body and proxy temp folders. @default '/var/lib/nginx/tmp' */
  readonly tempDir?: string;
  /**
   * Worker user (`user` directive), optionally followed by a group.
   * `null` leaves the directive out (nginx's compiled default applies; tests).
   * @default 'nginx' (the Amazon Linux 2023 package's user)
   */
  readonly user?: string | null;
  /** nginx `worker_processes`. @default 'auto' */
  readonly workerProcesses?: number | 'auto';
}

// The log paths are literals, not HOST_LOG_FILES: fetch-secrets.js bundles this module (for
// renderOriginVerifyMap), and any code change here changes that program and so the host bundle.
const DEFAULTS = {
  listenAddress: '0.0.0.0',
  includeDir: '/etc/nginx/openclaw',
  pidFile: '/run/nginx.pid',
  errorLog: '/var/log/nginx/error.log',
  accessLog: '/var/log/nginx/access.log',
  tempDir: '/var/lib/nginx/tmp',
  user: 'nginx',
  workerProcesses: 'auto',
} as const;

/** nginx's logs and PID file under these options: what its log rotation (lib/host/nginx-log-rotation.ts) rotates and signals. */
export function nginxLogFiles(options: NginxRenderOptions = {}): { logs: string[]; pidFile: string } {
  return { logs: [options.accessLog ?? DEFAULTS.accessLog, options.errorLog ?? DEFAULTS.errorLog], pidFile: options.pidFile ?? DEFAULTS.pidFile };
}

function check(what: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`nginx render: invalid ${what} ${JSON.stringify(value)}`);
  return value;
}

/** `x-origin-verify` -> `$http_x_origin_verify` (nginx's variable for a request header). */
export function headerVariable(header: string): string {
  return `$http_${check('header name', header, HEADER_NAME).replace(/-/g, '_')}`;
}

/**
 * A regex (used case-insensitively) that matches `name` literally or with any
 * of its characters percent-encoded, a letter in either case: t, %74 or %54.
 */
function encodedName(name: string): string {
  return [...name]
    .map((c) => {
      const code = c.charCodeAt(0);
      const hi = code >> 4;
      const lo = (code & 15).toString(16);
      const letter = /[a-z]/.test(c);
      return `(?:${c}|%${letter ? `[${hi - 2}${hi}]` : hi}${lo})`;
    })
    .join('');
}

/**
 * The PCRE (used case-insensitively) that finds a credential parameter in a raw
 * query string: `token=`, `ToKeN=`, `%74oken=`, `token[]=`, also after `;`.
 */
export function queryCredentialPattern(): string {
  const names = QUERY_CREDENTIAL_PARAMS.map(encodedName).join('|');
  return `(?:^|[&;])(?:${names})(?:=|\\[|%5b)`;
}

function allowedOriginsFromConfig(config: ResolvedConfig): string[] {
  const origins = [
    ...(config.edge.customDomain ? [`https://${config.edge.customDomain.domainName}`] : []),
    ...config.edge.allowedOrigins,
  ];
  return [...new Set(origins)].map((o) => check('origin', o, ORIGIN));
}

const originMapLines = (origins: readonly string[]) => origins.map((o) => `"${check('origin', o, ORIGIN)}" 1;`);

/**
 * Content of `<includeDir>/origin-verify.map.conf`: entries of the map from the
 * origin-verify header to $origin_verified. One case-sensitive, anchored regex
 * per accepted value: the current one and, during a rotation, the previous one
 * (CloudFront may still send it until its distribution update has propagated).
 * Values: 32-1024 characters of [A-Za-z0-9_-+/=.~]. Write it root:root 0600,
 * atomically (temp file + rename), then `nginx -s reload`.
 */
export function renderOriginVerifyMap(current: string, ...alsoAccepted: (string | undefined)[]): string {
  const values = [...new Set([current, ...alsoAccepted.filter((v): v is string => v !== undefined)])];
  for (const v of values) {
    if (!ORIGIN_VERIFY_VALUE.test(v)) {
      // Never echo the value: it is a secret.
      throw new Error(`origin-verify value: expected 32-1024 characters of [A-Za-z0-9_-+/=.~] (got ${v.length} characters)`);
    }
  }
  const entry = (v: string) => `"~^${v.replace(/[.+]/g, (c) => `\\${c}`)}$" 1;`;
  return [
    `# ${ORIGIN_VERIFY_MAP_FILE}: SECRET. Written at boot and on rotation; root:root 0600.`,
    '# Entries of: map $http_<origin verify header> $origin_verified { default 0; include this file; }',
    '# Each line: "~^<value>$" 1;  (case-sensitive, anchored). First the current value,',
    '# then, while a rotation is in progress, the pending and the previous one.',
    ...values.map(entry),
    '',
  ].join('\n');
}

/**
 * Content of `<includeDir>/allowed-origins.map.conf`: entries of the map from
 * the Origin header to $origin_allowed, one `"<origin>" 1;` line per origin
 * (https://host[:port], no path). Boot adds the CloudFront domain here.
 * Write it root:root 0644.
 */
export function renderAllowedOriginsMap(origins: readonly string[]): string {
  return [
    `# ${ALLOWED_ORIGINS_MAP_FILE}: browser origins allowed besides those in nginx.conf; root:root 0644.`,
    '# Entries of: map $http_origin $origin_allowed { default 0; ... include this file; }',
    '# Each line: "https://<host>[:<port>]" 1;',
    ...originMapLines([...new Set(origins)]),
    '',
  ].join('\n');
}

/** One group of an IPv6 address, its leading zeros left out of the capture: `0db8` and `db8` give one key. */
const HEX_GROUP = '0{0,3}([0-9a-f]{1,4})';

/**
 * The entries of the map from $viewer_addr to $viewer_key, the key of the per-viewer limits: an
 * IPv6 address (any RFC 4291 text form without an embedded IPv4 part, any letter case) becomes
 * its /64, `<g1>:<g2>:<g3>:<g4>::/64` (groups without leading zeros); anything else (an IPv4
 * address) stays itself. One entry per place of the `::` (groups before it, groups after it),
 * then the eight-group form: the /64 of `2001:db8::1:2:3:4` is 2001:db8:0:1, of `2001:db8::1`
 * is 2001:db8:0:0, so the groups the `::` stands for count. nginx captures $1..$9: at most 8 here.
 */
export function viewerKeyMapEntries(): string[] {
  const entries: string[] = [];
  const joined = (n: number) => Array(n).fill(HEX_GROUP).join(':');
  for (let before = 0; before <= 7; before++) {
    for (let after = 0; before + after <= 7; after++) {
      const zeros = 8 - before - after;
      const group = (i: number) => (i < before ? `$${i + 1}` : i < before + zeros ? '0' : `$${i - zeros + 1}`);
      entries.push(`"~*^${joined(before)}::${joined(after)}$" "${[0, 1, 2, 3].map(group).join(':')}::/64";`);
    }
  }
  entries.push(`"~*^${joined(8)}$" "$1:$2:$3:$4::/64";`);
  return entries;
}

/**
 * The locations of one gateway: its base path exactly (the Control UI opens its
 * WebSocket at ws(s)://<host><basePath>, without a trailing slash), everything
 * below it (URI kept), and its liveness probe. Each refuses (404) a request
 * whose raw request line names another gateway or none.
 */
function locations(r: EdgeRoute): string {
  const guard = `            if ($gateway_in_request != "${r.gateway}") {\n                return ${NO_ROUTE_STATUS};\n            }`;
  // A WebSocket opening goes on (status 418 never leaves nginx) to the named location with the long timeouts.
  const websocket = `            error_page ${WEBSOCKET_HANDOFF_STATUS} = @websocket_${r.gateway};\n            if ($websocket_opening) {\n                return ${WEBSOCKET_HANDOFF_STATUS};\n            }`;
  return [
    `        # Gateway ${r.gateway}: its Control UI and WebSocket (URI kept), and its liveness probe.`,
    `        location = ${r.basePath} {\n${guard}\n${websocket}\n            proxy_pass http://${r.upstream};\n        }`,
    `        location ^~ ${r.basePath}/ {\n${guard}\n${websocket}\n            proxy_pass http://${r.upstream};\n        }`,
    `        location = ${r.livenessPath} {\n${guard}\n            proxy_pass http://${r.upstream}${GATEWAY_LIVENESS_SUFFIX};\n        }`,
    `        location @websocket_${r.gateway} {\n            proxy_read_timeout ${WEBSOCKET_PROXY_TIMEOUT_SECONDS}s;\n            proxy_send_timeout ${WEBSOCKET_PROXY_TIMEOUT_SECONDS}s;\n            proxy_pass http://${r.upstream};\n        }`,
  ].join('\n');
}

/** The status a gateway location returns to hand a WebSocket opening to its named location; internal only. */
const WEBSOCKET_HANDOFF_STATUS = 418;

/** worker_connections: every request in progress (edge.hostLimit.connections) holds two, the viewer's and the gateway's, in any one worker; plus headroom for idle keep-alive connections. */
export const workerConnections = (config: ResolvedConfig) => 2 * config.edge.hostLimit.connections + 256;
/** worker_rlimit_nofile: two file descriptors per connection (a connection, and a temp file or log), so nginx never runs out of descriptors before connections. */
export const workerFileLimit = (config: ResolvedConfig) => 2 * workerConnections(config);

/** Renders the complete nginx.conf of one client x environment. */
export function renderNginxConfig(config: ResolvedConfig, options: NginxRenderOptions = {}): string {
  const o = {
    listenAddress: options.listenAddress ?? DEFAULTS.listenAddress,
    includeDir: options.includeDir ?? DEFAULTS.includeDir,
    pidFile: options.pidFile ?? DEFAULTS.pidFile,
    errorLog: options.errorLog ?? DEFAULTS.errorLog,
    accessLog: options.accessLog ?? DEFAULTS.accessLog,
    tempDir: options.tempDir ?? DEFAULTS.tempDir,
    user: options.user === undefined ? DEFAULTS.user : options.user,
    workerProcesses: options.workerProcesses ?? DEFAULTS.workerProcesses,
  };
  const { edge } = config;
  const routes = edgeRoutes(config);
  if (routes.length === 0) throw new Error('nginx render: no gateway to route to (openclaw.agents is empty)');
  for (const r of routes) {
    if (r.port === edge.proxyPort) {
      throw new Error(`nginx render: edge.proxyPort ${edge.proxyPort} is also the port of gateway ${r.gateway} (edge.gatewayPort + its index)`);
    }
  }
  for (const [what, p] of [['includeDir', o.includeDir], ['pidFile', o.pidFile], ['errorLog', o.errorLog], ['accessLog', o.accessLog], ['tempDir', o.tempDir]] as const) {
    check(what, p, SAFE_PATH);
  }
  check('listenAddress', o.listenAddress, /^(\d{1,3}\.){3}\d{1,3}$|^\[[0-9a-fA-F:]+\]$/);
  // user: null leaves the directive out (a null never reaches the pattern, which would read it as "null").
  const userLine = o.user === null ? '# user: nginx default (render option user: null)' : `user ${check('user', o.user, SAFE_USER)};`;
  if (o.workerProcesses !== 'auto' && !(Number.isInteger(o.workerProcesses) && o.workerProcesses > 0)) {
    throw new Error(`nginx render: invalid workerProcesses ${String(o.workerProcesses)}`);
  }

  const verifyVar = headerVariable(edge.originVerifyHeader);
  const configOrigins = allowedOriginsFromConfig(config);
  const inc = (file: string) => `${o.includeDir.replace(/\/$/, '')}/${file}`;
  const tmp = (sub: string) => `${o.tempDir.replace(/\/$/, '')}/${sub}`;

  return `# nginx.conf of the OpenClaw gateway host, ${config.client}/${config.env}.
# Generated by \`npm run render\` from the config (lib/host/nginx-config.ts); do not edit.
#
# nginx listens on ${o.listenAddress}:${edge.proxyPort} for CloudFront's VPC origin and proxies each
# agent's path to that agent's OpenClaw gateway on loopback (one gateway, OS user and token per agent):
${routes.map((r) => `#   ${r.basePath}, ${r.basePath}/...  -> 127.0.0.1:${r.port} (gateway ${r.gateway}; ${r.livenessPath} -> its /healthz)`).join('\n')}
# Any other path: ${NO_ROUTE_STATUS}. Every refusal below answers ${DENY_STATUS}, except the rate and connection
# limits (429), oversized bodies (413), oversized headers (400) and paths that name no gateway (${NO_ROUTE_STATUS}).
#
# Files written at boot, not by the render (see lib/host/nginx-config.ts):
#   ${inc(ORIGIN_VERIFY_MAP_FILE)}    root:root 0600, SECRET: the accepted values of
#       the ${edge.originVerifyHeader} header, one map entry per line: "~^<value>$" 1;
#       (the current value, then the previous one during a rotation).
#   ${inc(ALLOWED_ORIGINS_MAP_FILE)}  root:root 0644: extra browser origins
#       (the CloudFront domain), one map entry per line: "https://<host>" 1;
# A missing file stops nginx from starting: fail closed.

${userLine}
worker_processes ${o.workerProcesses};
worker_rlimit_nofile ${workerFileLimit(config)};
pid ${o.pidFile};
# ${ERROR_LOG_LEVEL}: at error or warn nginx writes request lines, query strings included.
error_log ${o.errorLog} ${ERROR_LOG_LEVEL};

events {
    # edge.hostLimit.connections (${edge.hostLimit.connections}) requests in progress, two connections each, in any one worker.
    worker_connections ${workerConnections(config)};
}

http {
    server_tokens off;
    default_type application/octet-stream;

    # Headers with underscores or invalid characters are dropped, so a header
    # cannot impersonate ${edge.originVerifyHeader} through x_origin_verify-style spelling.
    underscores_in_headers off;
    ignore_invalid_headers on;

    client_body_temp_path ${tmp('client_body')};
    proxy_temp_path ${tmp('proxy')};
    fastcgi_temp_path ${tmp('fastcgi')};
    uwsgi_temp_path ${tmp('uwsgi')};
    scgi_temp_path ${tmp('scgi')};

    client_max_body_size ${edge.maxBodyKiB}k;
    # Bodies up to 1 MiB stay in memory: no temp file, so no request-scoped disk error.
    client_body_buffer_size ${Math.min(edge.maxBodyKiB, 1024)}k;
    # Headers: one line at most ${HEADER_BUFFER_KIB} KiB, all of them at most ${HEADER_BUFFERS} x ${HEADER_BUFFER_KIB} KiB plus 1 KiB,
    # under the gateway's 16 KiB (its 431); nginx answers 400 above.
    client_header_buffer_size 1k;
    large_client_header_buffers ${HEADER_BUFFERS} ${HEADER_BUFFER_KIB}k;
    # The whole header within 10 s; the body with no pause over 10 s (nginx has no deadline for
    # a whole body: a slow one holds one of its viewer's edge.rateLimit.connectionsPerViewer).
    client_header_timeout 10s;
    client_body_timeout 10s;
    send_timeout 30s;
    # Longer than CloudFront's origin keep-alive timeout (5-60 s), so nginx
    # never closes a connection CloudFront is about to reuse.
    keepalive_timeout 75s;
    reset_timedout_connection on;

    # The viewer address: CloudFront sends "CloudFront-Viewer-Address: <ip>:<port>"
    # (IPv6 as 2001:db8::1:443, bracketed forms accepted too). The port is
    # stripped; anything malformed or absent falls back to $remote_addr.
    map $http_cloudfront_viewer_address $viewer_addr {
        default $remote_addr;
        "~^\\[?(?<cf_viewer_ip>[0-9A-Fa-f:.]+?)\\]?:[0-9]{1,5}$" $cf_viewer_ip;
    }

    # Origin verification: only CloudFront knows the value of ${edge.originVerifyHeader}.
    map ${verifyVar} $origin_verified {
        default 0;
        include ${inc(ORIGIN_VERIFY_MAP_FILE)};
    }

    # Credentials in the query string (${QUERY_CREDENTIAL_PARAMS.join(', ')};
    # any case, percent-encoded or not) are refused.
    map $args $query_credential {
        default 0;
        "~*${queryCredentialPattern()}" 1;
    }

    # Browser origins. No Origin header (non-browser clients) passes.
    map $http_origin $origin_allowed {
        default 0;
        "" 1;
${configOrigins.map((l) => `        "${l}" 1;`).join('\n')}${configOrigins.length ? '\n' : ''}        include ${inc(ALLOWED_ORIGINS_MAP_FILE)};
    }

    # WebSocket upgrade; plain requests keep the upstream connection alive.
    map $http_upgrade $connection_upgrade {
        default upgrade;
        "" "";
    }

    # WebSocket openings (each one an authenticated gateway session).
    map $http_upgrade $websocket_opening {
        default 0;
        "~*^websocket$" 1;
    }

    # The key of the per-viewer limits: an IPv4 address, or the /64 of an IPv6 address
    # (one subscriber usually holds a whole /64, and may use every address in it).
    map $viewer_addr $viewer_key {
        default $viewer_addr;
${viewerKeyMapEntries().map((e) => `        ${e}`).join('\n')}
    }
    # One key for every request, and one for every WebSocket opening (others: empty, not counted).
    map $server_port $all_viewers {
        default all;
    }
    map $websocket_opening $all_websockets {
        default "";
        1 all;
    }

    # Per viewer: edge.rateLimit.
    limit_req_zone $viewer_key zone=openclaw_viewer:10m rate=${edge.rateLimit.requestsPerSecond}r/s;
    limit_conn_zone $viewer_key zone=openclaw_viewer_connections:10m;
    # Over all viewers together: edge.hostLimit, sized from the measured gateway.
    limit_req_zone $all_viewers zone=openclaw_host:1m rate=${edge.hostLimit.requestsPerSecond}r/s;
    limit_req_zone $all_websockets zone=openclaw_websockets:1m rate=${edge.hostLimit.websocketsPerSecond}r/s;
    limit_conn_zone $all_viewers zone=openclaw_host_connections:1m;
    limit_req_status 429;
    limit_conn_status 429;
    # Below the error_log level: refusals show in the access log (status 429)
    # without the error log's request line, which carries the query string.
    limit_req_log_level info;
    limit_conn_log_level info;

    # A refusal nginx answers itself (${REFUSAL_STATUSES.join(', ')}; no gateway answered) is logged
    # one time in ${REFUSAL_LOG_SAMPLE}, with "weight":${REFUSAL_LOG_SAMPLE} (a count of weights estimates them all): a flood of
    # refusals cannot fill the disk. Everything else is logged, weight 1.
    split_clients "$request_id" $refusal_sampled {
        ${100 / REFUSAL_LOG_SAMPLE}% 1;
        * 0;
    }
    map "$status:$upstream_status" $log_weight {
        default 1;
        "~^(?:${REFUSAL_STATUSES.join('|')}):$" ${REFUSAL_LOG_SAMPLE};
    }
    map "$log_weight:$refusal_sampled" $log_line {
        default 1;
        "${REFUSAL_LOG_SAMPLE}:0" 0;
    }

    # Access log: path only ($uri), never the query string, the origin-verify
    # header, Authorization, Cookie or Referer.
    log_format openclaw escape=json '{"time":"$time_iso8601","viewer":"$viewer_addr","remote":"$remote_addr",'
        '"method":"$request_method","uri":"$uri","protocol":"$server_protocol","status":"$status",'
        '"upstream_status":"$upstream_status","weight":$log_weight,'
        '"bytes":"$body_bytes_sent","request_time":"$request_time","upstream_time":"$upstream_response_time",'
        '"verified":"$origin_verified","origin":"$http_origin","user_agent":"$http_user_agent","request_id":"$request_id"}';
    access_log ${o.accessLog} openclaw if=$log_line;

    # The gateway a request names in its raw request line ($request_uri: before nginx
    # decodes %XX, merges slashes and resolves dot segments): /agents/<id> followed by
    # "/", "?" or the end. A gateway's locations below proxy only when this names the
    # same gateway as the normalized path ($uri) that chose the location.
    map $request_uri $gateway_in_request {
        default "";
${routes.map((r) => `        "~^${r.basePath}(?:[/?]|$)" ${r.gateway};`).join('\n')}
    }

${routes.map((r) => `    upstream ${r.upstream} {\n        server 127.0.0.1:${r.port};\n        keepalive 16;\n    }`).join('\n\n')}

    server {
        listen ${o.listenAddress}:${edge.proxyPort} default_server;
        server_name _;

        # Checked in this order, for every path, before a location (and so a gateway)
        # is chosen, and before the rate limit, body size or proxying.
        if ($origin_verified != "1") {
            return ${DENY_STATUS};
        }
        if ($query_credential) {
            return ${DENY_STATUS};
        }
        if ($origin_allowed != "1") {
            return ${DENY_STATUS};
        }

        # The limits, in front of every gateway: per viewer, then over all viewers together.
        limit_req zone=openclaw_viewer burst=${edge.rateLimit.burst} nodelay;
        limit_conn openclaw_viewer_connections ${edge.rateLimit.connectionsPerViewer};
        limit_req zone=openclaw_host burst=${edge.hostLimit.burst} nodelay;
        limit_req zone=openclaw_websockets burst=${edge.hostLimit.websocketsPerSecond} nodelay;
        limit_conn openclaw_host_connections ${edge.hostLimit.connections};

        # The proxy settings of every gateway location (inherited: no location sets its own).
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;

        # Set from the viewer address, never passed on from the client.
        proxy_set_header X-Forwarded-For $viewer_addr;
        proxy_set_header X-Real-IP $viewer_addr;
        proxy_set_header X-Forwarded-Proto https;
        proxy_set_header X-Forwarded-Host "";
        proxy_set_header X-Forwarded-Port "";
        proxy_set_header Forwarded "";
        # The gateway never sees the origin-verify secret.
        proxy_set_header ${edge.originVerifyHeader} "";

        proxy_hide_header X-Powered-By;

        # Plain requests: a frozen gateway fails them with 504 after ${PLAIN_PROXY_TIMEOUT_SECONDS} s. WebSockets get
        # ${WEBSOCKET_PROXY_TIMEOUT_SECONDS} s in their named location below. Streamed answers: no buffering.
        proxy_read_timeout ${PLAIN_PROXY_TIMEOUT_SECONDS}s;
        proxy_send_timeout ${PLAIN_PROXY_TIMEOUT_SECONDS}s;
        proxy_connect_timeout 5s;
        proxy_buffering off;

${routes.map(locations).join('\n\n')}

        # Any other path names no gateway.
        location / {
            return ${NO_ROUTE_STATUS};
        }
    }
}
`;
}
