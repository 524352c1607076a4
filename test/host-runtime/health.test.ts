import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { exampleConfig, freePort } from '../host/support/host-tools';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { metricNamespace } from '../../lib/host/template-values';
import { GATEWAYS_LIST_HOST_FILE } from '../../lib/host/host-file-paths';
import { BREAKER_MARKER_DIR } from '../../lib/host/paths';
import { agentGateways } from '../../lib/openclaw/gateways';
import { CHANNELS_DOWN_METRIC, DISK_HEADROOM_METRIC, EGRESS_BLOCKED_METRIC, EGRESS_HEALTH_METRIC, GATEWAY_HEALTH_METRIC, MEMORY_HEADROOM_METRIC } from '../../lib/shared/metric-names';
import { HEADROOM_MIN_PERCENT } from '../../lib/alarms/alarm-catalogue';
import { startFakeServer, type FakeAnswer, type FakeServer } from '../support/fake-aws/server';
import { CONFIG_DIR } from '../support/config-fixture';
import { fakeAws, requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';

// The rendered check-gateway-health.sh, run for real (bash + curl) against the
// example's two gateways, ops and support, each a stand-in (a loopback HTTP server the
// test controls) on the port a gateways.list written here names, a stand-in
// nginx (a loopback TCP listener) and a stand-in AWS endpoint for the egress
// check (another loopback HTTP server; OPENCLAW_EGRESS_URL points there), with
// a fake `aws` on PATH that records the metrics. Healthy: GatewayHealthy=1 (no
// dimensions: what the alarm watches), GatewayHealthy per gateway (dimension Gateway)
// and EgressHealthy=1 in one request, and one OK line. A failed gateway (any of them) or
// proxy check: one `openclaw-health: FAILED <Check>: ...` line, GatewayHealthy=0,
// exit 1. A gateway its breaker stopped (its marker listed): TRIPPED, not probed, not
// unhealthy. No egress: the FAILED Egress line and no EgressHealthy at all. EgressBlocked: the
// rise of the nftables counter egress_blocked, read from the snapshot the unit's privileged
// ExecStartPre writes (`nft list counter`, here in the format nft 1.0.6 prints, comment line
// included), published only when it rose.

const config = exampleConfig('prod');
const NAMESPACE = metricNamespace(config);
const TIMEOUT_S = 1;

let dir: string;
let script: string;
let gateway: FakeServer;
let gatewayAnswer: FakeAnswer = { status: 200, body: '{"ok":true,"status":"live"}' };
let gatewayRequests: string[] = [];
let support: FakeServer;
let supportAnswer: FakeAnswer = { status: 200 };
let supportRequests: string[] = [];
let proxy: net.Server;
let proxyPort: number;
let proxyConnections = 0;
let egress: FakeServer;
let egressAnswer: FakeAnswer = { status: 302 };
let egressRequests: string[] = [];
let runtimeDir: string;
/** A df that prints what GNU df --output=pcent,ipcent prints: 40 % and 5 % used on every path (60 % headroom). */
let fakeDf: string;
/** A /proc/meminfo with 25 % available. */
let meminfo: string;
const DISK_FREE = 60;
const MEMORY_FREE = 25;
/** The folder of the probes' results of a run (probeResult writes into it). */
let probeResults: string;
/** A probe result as gateway-probe.js prints it. */
const probeResult = (id: string, usable: boolean, reason: string | null, channels: { channel: string; account: string; running: boolean; state: string; reason: string | null }[] = []) =>
  fs.writeFileSync(path.join(probeResults, `${id}.json`), `${JSON.stringify({ gateway: id, usable, reason, latencyMs: 12, channels })}\n`);
const TELEGRAM_RUNNING = { channel: 'telegram', account: 'default', running: true, state: 'running', reason: null };

beforeAll(async () => {
  requireRuntimeTool('bash');
  requireRuntimeTool('curl');
  dir = tempDir('oc-health-');
  fakeDf = writeExecutable(path.join(dir, 'df'), '#!/bin/sh\n[ "$1" = --output=pcent,ipcent ] || exit 2\nprintf \'Use%% IUse%%\\n %s%% %s%%\\n\' 40 5\n');
  meminfo = path.join(dir, 'meminfo');
  fs.writeFileSync(meminfo, 'MemTotal:        2000000 kB\nMemFree:          100000 kB\nMemAvailable:     500000 kB\nBuffers:            1000 kB\n');
  script = writeExecutable(path.join(dir, 'check-gateway-health.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/check-gateway-health.sh']!);
  gateway = await startFakeServer((req) => {
    gatewayRequests.push(`${req.method} ${req.url}`);
    return gatewayAnswer;
  });
  support = await startFakeServer((req) => {
    supportRequests.push(`${req.method} ${req.url}`);
    return supportAnswer;
  });
  egress = await startFakeServer((req) => {
    egressRequests.push(`${req.method} ${req.url}`);
    return egressAnswer;
  });
  proxy = net.createServer((s) => {
    proxyConnections += 1;
    s.on('error', () => undefined);
    s.end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await gateway?.close();
  await support?.close();
  await egress?.close();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  gatewayAnswer = { status: 200, body: '{"ok":true,"status":"live"}' };
  gatewayRequests = [];
  supportAnswer = { status: 200 };
  supportRequests = [];
  proxyConnections = 0;
  egressAnswer = { status: 302 };
  egressRequests = [];
  runtimeDir = fs.mkdtempSync(path.join(dir, 'runtime-'));
  probeResults = fs.mkdtempSync(path.join(dir, 'probe-'));
  probeResult('ops', true, null);
  probeResult('support', true, null, [TELEGRAM_RUNNING]);
});

/** What `nft list counter inet openclaw egress_blocked` prints (nft 1.0.6, the rendered ruleset's comment included). */
const nftCounter = (packets: number) =>
  [
    'table inet openclaw {',
    '\tcounter egress_blocked {',
    '\t\tcomment "outbound connections refused: not through the egress proxy, or not allowed at all"',
    `\t\tpackets ${packets} bytes ${packets * 60}`,
    '\t}',
    '}',
    '',
  ].join('\n');

/** The example's gateways, as gateways.list names them (ops first). */
const GATEWAY_IDS = agentGateways(config).map((g) => g.id);
/**
 * The counter snapshot of a run: what nft printed, or null when the ExecStartPre failed (no file).
 * tripped: the breaker listing the unit's other ExecStartPre writes (null: none written);
 * list: gateways.list's text (default: both gateways on their stand-ins' ports), null: no file.
 */
async function check(
  ports: { gateway?: number; support?: number; proxy?: number; egress?: number } = {},
  awsExit = 0,
  snapshot: string | null = nftCounter(0),
  extraEnv: Record<string, string> = {},
  tripped: string | null = null,
  list: string | null = `ops openclaw-ops ${ports.gateway ?? gateway.port} ops\nsupport openclaw-support ${ports.support ?? support.port} support\n`,
) {
  const runDir = fs.mkdtempSync(path.join(dir, 'run-'));
  const aws = fakeAws(runDir);
  const counterFile = path.join(runDir, 'egress-blocked.counter');
  if (snapshot !== null) fs.writeFileSync(counterFile, snapshot);
  const listFile = path.join(runDir, 'gateways.list');
  if (list !== null) fs.writeFileSync(listFile, list);
  const trippedFile = path.join(runDir, 'breaker-tripped.list');
  if (tripped !== null) fs.writeFileSync(trippedFile, tripped);
  const started = Date.now();
  const r = await runAsync(script, [], {
    env: {
      PATH: `${aws.binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      OPENCLAW_GATEWAYS_LIST: listFile,
      OPENCLAW_BREAKER_TRIPPED_FILE: trippedFile,
      OPENCLAW_PROXY_PORT: String(ports.proxy ?? proxyPort),
      OPENCLAW_HEALTH_TIMEOUT: String(TIMEOUT_S),
      OPENCLAW_EGRESS_URL: egressUrl(ports.egress ?? egress.port),
      FAKE_AWS_EXIT: String(awsExit),
      OPENCLAW_EGRESS_COUNTER_FILE: counterFile,
      RUNTIME_DIRECTORY: runtimeDir,
      // Disk and memory from stand-ins (their real readings: the 'headroom' tests below).
      OPENCLAW_DISK_PATHS: '/state /var/log',
      OPENCLAW_DF: fakeDf,
      OPENCLAW_MEMINFO: meminfo,
      // The probes' results as run-gateway-probes.sh writes them (usable, Telegram running, by default).
      OPENCLAW_PROBE_RESULTS: probeResults,
      OPENCLAW_NODE: process.execPath,
      ...extraEnv,
    },
    timeoutMs: 20_000,
  });
  return { ...r, seconds: (Date.now() - started) / 1000, out: r.stdout.split('\n').filter(Boolean), err: r.stderr.split('\n').filter(Boolean), calls: aws.calls() };
}

const egressUrl = (port: number) => `http://127.0.0.1:${port}/`;
/** GatewayHealthy=0 of each gateway probed that failed (dimension Gateway), in the list's order; none for one that answered. */
const perGateway = (values: Record<string, 0 | 1>) =>
  Object.entries(values)
    .filter(([, v]) => v === 0)
    .map(([id]) => `MetricName=${GATEWAY_HEALTH_METRIC},Dimensions=[{Name=Gateway,Value=${id}}],Value=0,Unit=None`);
/**
 * The one put-metric-data call: GatewayHealthy (no dimensions: the AND) always, then 0 for each gateway
 * probed that failed, EgressHealthy=1 only when egress works, EgressBlocked only when the counter rose.
 */
/** The problem metrics of a run (published only when there is a problem): disk and memory headroom under the minimum, channels down. */
interface Problems {
  disk?: number;
  memory?: number;
  channels?: number;
}
const problemData = (p: Problems) => [
  ...(p.disk !== undefined ? [`MetricName=${DISK_HEADROOM_METRIC},Value=${p.disk},Unit=Percent`] : []),
  ...(p.memory !== undefined ? [`MetricName=${MEMORY_HEADROOM_METRIC},Value=${p.memory},Unit=Percent`] : []),
  ...(p.channels !== undefined ? [`MetricName=${CHANNELS_DOWN_METRIC},Value=${p.channels},Unit=Count`] : []),
];
const metric = (value: 0 | 1, egressOk = true, blocked = 0, gateways: Record<string, 0 | 1> = { ops: 1, support: 1 }, problems: Problems = {}) => [
  'cloudwatch', 'put-metric-data', '--region', config.aws.region, '--namespace', NAMESPACE,
  '--metric-data', `MetricName=${GATEWAY_HEALTH_METRIC},Value=${value},Unit=None`,
  ...perGateway(gateways),
  ...problemData(problems),
  ...(egressOk ? [`MetricName=${EGRESS_HEALTH_METRIC},Value=1,Unit=None`] : []),
  ...(blocked > 0 ? [`MetricName=${EGRESS_BLOCKED_METRIC},Value=${blocked},Unit=Count`] : []),
  '--cli-connect-timeout', '3', '--cli-read-timeout', '5',
];
/** ops down, support up. */
const OPS_DOWN = { ops: 0, support: 1 } as const;
const published = (value: 0 | 1, egressOk = true, problems: Problems = {}) =>
  `[metric ${GATEWAY_HEALTH_METRIC}=${value}${problems.disk !== undefined ? ` ${DISK_HEADROOM_METRIC}=${problems.disk}` : ''}${problems.memory !== undefined ? ` ${MEMORY_HEADROOM_METRIC}=${problems.memory}` : ''}${problems.channels !== undefined ? ` ${CHANNELS_DOWN_METRIC}=${problems.channels}` : ''}${egressOk ? ` ${EGRESS_HEALTH_METRIC}=1` : ''} published to ${NAMESPACE}]`;

test('defaults: the host\'s gateways.list, the breaker listing, the config\'s proxy port, a 5 s bound, the host namespace', () => {
  const text = fs.readFileSync(script, 'utf8');
  expect(GATEWAY_IDS).toEqual(['ops', 'support']);
  expect(text).toContain(`GATEWAYS_LIST="\${OPENCLAW_GATEWAYS_LIST:-${GATEWAYS_LIST_HOST_FILE}}"`);
  expect(text).toContain('TRIPPED_FILE="${OPENCLAW_BREAKER_TRIPPED_FILE:-/run/openclaw-breaker-tripped.list}"');
  expect(text).toContain(`PROXY_PORT="\${OPENCLAW_PROXY_PORT:-${config.edge.proxyPort}}"`);
  expect(text).toContain('TIMEOUT="${OPENCLAW_HEALTH_TIMEOUT:-5}"');
  expect(text).toContain(`NAMESPACE="\${OPENCLAW_METRIC_NAMESPACE:-${NAMESPACE}}"`);
  // The egress probe: this region's STS endpoint over HTTPS, a name on the DNS Firewall allowlist.
  expect(text).toContain(`EGRESS_URL="\${OPENCLAW_EGRESS_URL:-https://sts.${config.aws.region}.amazonaws.com/}"`);
  // The snapshot the unit's ExecStartPre writes (test/host-runtime/units.test.ts pins that command).
  expect(text).toContain('COUNTER_FILE="${OPENCLAW_EGRESS_COUNTER_FILE:-/run/openclaw-egress-blocked.counter}"');
});

test('healthy: GET /healthz answered by every gateway, nginx accepts: one OK line, GatewayHealthy=1 overall and per gateway, exit 0', async () => {
  const r = await check();
  expect(r.stderr).toBe('');
  expect(r.out).toEqual([
    `openclaw-health: OK: the gateways answer on 127.0.0.1 (ops:${gateway.port} support:${support.port}), nginx listens on 127.0.0.1:${proxyPort}, HTTPS leaves the host (${egressUrl(egress.port)}), disk ${DISK_FREE} % and memory ${MEMORY_FREE} % free ${published(1)}`,
  ]);
  expect(r.code).toBe(0);
  expect(r.calls).toEqual([metric(1)]);
  expect(gatewayRequests).toEqual(['GET /healthz']);
  expect(supportRequests).toEqual(['GET /healthz']);
  expect(egressRequests).toEqual(['GET /']);
  // The accept may reach this event loop just after the script's exit.
  for (let i = 0; i < 50 && proxyConnections === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(proxyConnections).toBe(1);
});

test('any status below 500 counts as answering (a 401 or 404 is a gateway that is up)', async () => {
  for (const status of [401, 404, 499]) {
    gatewayAnswer = { status };
    const r = await check();
    expect({ status, code: r.code, calls: r.calls }).toEqual({ status, code: 0, calls: [metric(1)] });
  }
});

test('gateway down (nothing listens): the FAILED line, GatewayHealthy=0, exit 1', async () => {
  const closed = await freePort();
  const r = await check({ gateway: closed });
  expect(r.out).toEqual([]);
  expect(r.err).toEqual([
    expect.stringMatching(
      new RegExp(`^openclaw-health: FAILED Gateway: ops: no HTTP answer from http://127\\.0\\.0\\.1:${closed}/healthz within ${TIMEOUT_S} s \\(curl exit 7, [^)]*\\); see journalctl -u openclaw-gateway@ops\\.service \\[metric GatewayHealthy=0 EgressHealthy=1 published to ${NAMESPACE.replace('/', '\\/')}\\]$`),
    ),
  ]);
  expect(r.code).toBe(1);
  expect(r.calls).toEqual([metric(0, true, 0, OPS_DOWN)]);
});

test('gateway answering 5xx: named with its status, GatewayHealthy=0', async () => {
  gatewayAnswer = { status: 503, body: '{"ok":false}' };
  const r = await check();
  expect(r.err).toEqual([`openclaw-health: FAILED Gateway: ops: http://127.0.0.1:${gateway.port}/healthz answered HTTP 503; see journalctl -u openclaw-gateway@ops.service ${published(0)}`]);
  expect(r.code).toBe(1);
  expect(r.calls).toEqual([metric(0, true, 0, OPS_DOWN)]);
});

test('gateway accepting but never answering: failed within the bound, not hung', async () => {
  gatewayAnswer = 'hang';
  const r = await check();
  expect(r.err).toEqual([expect.stringMatching(new RegExp(`^openclaw-health: FAILED Gateway: ops: no HTTP answer from http://127\\.0\\.0\\.1:${gateway.port}/healthz within ${TIMEOUT_S} s \\(curl exit 28, `))]);
  expect(r.code).toBe(1);
  expect(r.calls).toEqual([metric(0, true, 0, OPS_DOWN)]);
  expect(r.seconds).toBeLessThan(TIMEOUT_S + 5);
});

test('nginx down: the FAILED line naming the proxy port, GatewayHealthy=0, exit 1', async () => {
  const closed = await freePort();
  const r = await check({ proxy: closed });
  expect(r.err).toEqual([`openclaw-health: FAILED Proxy: nothing accepts connections on 127.0.0.1:${closed} within ${TIMEOUT_S} s (nginx); see journalctl -u nginx ${published(0)}`]);
  expect(r.code).toBe(1);
  expect(r.calls).toEqual([metric(0)]);
  expect(gatewayRequests).toEqual(['GET /healthz']);
});

test('both down: one line each, one metric', async () => {
  const [g, p] = [await freePort(), await freePort()];
  const r = await check({ gateway: g, proxy: p });
  expect(r.err.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['openclaw-health: FAILED Gateway', 'openclaw-health: FAILED Proxy']);
  expect(r.code).toBe(1);
  expect(r.calls).toEqual([metric(0, true, 0, OPS_DOWN)]);
});

describe('every gateway of gateways.list', () => {
  test('one gateway down of two (support): its FAILED line naming its unit, GatewayHealthy=0 overall and for it alone, exit 1', async () => {
    const closed = await freePort();
    const r = await check({ support: closed });
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      expect.stringMatching(new RegExp(`^openclaw-health: FAILED Gateway: support: no HTTP answer from http://127\\.0\\.0\\.1:${closed}/healthz within ${TIMEOUT_S} s \\(curl exit 7, [^)]*\\); see journalctl -u openclaw-gateway@support\\.service \\[metric GatewayHealthy=0 `)),
    ]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 1, support: 0 })]);
    expect(gatewayRequests).toEqual(['GET /healthz']);
  });

  test('a gateway its breaker stopped (support.tripped listed) and down: TRIPPED, not probed, not unhealthy: GatewayHealthy=1, no metric of its own, exit 0', async () => {
    const r = await check({ support: await freePort() }, 0, nftCounter(0), {}, 'ops.tripped.new\nsupport.tripped\n');
    expect(r.stderr).toBe('');
    expect(r.out).toEqual([
      `openclaw-health: TRIPPED support: stopped by its spend breaker (${BREAKER_MARKER_DIR}/support.tripped), not probed and not counted as unhealthy; see its BreakerTripped alarm ${published(1)}`,
      `openclaw-health: OK: the gateways answer on 127.0.0.1 (ops:${gateway.port}), nginx listens on 127.0.0.1:${proxyPort}, HTTPS leaves the host (${egressUrl(egress.port)}), disk ${DISK_FREE} % and memory ${MEMORY_FREE} % free ${published(1)}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([metric(1, true, 0, { ops: 1 })]);
    expect(supportRequests).toEqual([]);
  });

  test('a tripped gateway does not hide another one down: ops down, support tripped: GatewayHealthy=0, exit 1', async () => {
    const r = await check({ gateway: await freePort() }, 0, nftCounter(0), {}, 'support.tripped\n');
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-health: FAILED Gateway: ops: no HTTP answer /)]);
    expect(r.out).toEqual([expect.stringMatching(/^openclaw-health: TRIPPED support: /)]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 0 })]);
  });

  test('no breaker listing (its ExecStartPre failed): nothing counts as tripped, a gateway down is unhealthy', async () => {
    const r = await check({ support: await freePort() }, 0, nftCounter(0), {}, null);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 1, support: 0 })]);
  });

  test.each([
    ['no gateways.list', null, /^openclaw-health: FAILED Gateway: cannot read the list of gateways .*gateways\.list; /],
    ['an empty gateways.list', '', /^openclaw-health: FAILED Gateway: .*gateways\.list names no gateway \[/],
    ['a line without a port', 'ops openclaw-ops\n', /^openclaw-health: FAILED Gateway: .*gateways\.list: a line that is not <id> <user> <port> <agents> \(gateway 'ops'\) \[/],
  ])('%s: the Gateway check fails, GatewayHealthy=0', async (_what, list, line) => {
    const r = await check({}, 0, nftCounter(0), {}, null, list);
    // The bad line's own FAILED line first (then, with no gateway left, "names no gateway").
    expect(r.err.filter((l) => l.includes('FAILED Gateway'))[0]).toEqual(expect.stringMatching(line));
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metric(0, true, 0, {})]);
  });

  test('the unit\'s breaker ExecStartPre, run for real on a marker folder: the listing makes that gateway TRIPPED; no folder (no breaker ever tripped): no listing', async () => {
    const unitText = renderRuntimeFiles(config, CONFIG_DIR)['systemd/openclaw-health.service']!;
    const pres = [...unitText.matchAll(/^ExecStartPre=-\+(.*)$/gm)].map((m) => m[1]!);
    const pre = pres.find((c) => c.includes(BREAKER_MARKER_DIR))!;
    expect(pre).toBe(`/bin/sh -c 'umask 022; ls -1 ${BREAKER_MARKER_DIR} >/run/openclaw-breaker-tripped.list 2>/dev/null || rm -f /run/openclaw-breaker-tripped.list'`);
    const work = fs.mkdtempSync(path.join(dir, 'breaker-'));
    const markers = path.join(work, 'breaker');
    const listing = path.join(work, 'tripped.list');
    const command = pre.replaceAll(BREAKER_MARKER_DIR, markers).replaceAll('/run/openclaw-breaker-tripped.list', listing).replace(/^\/bin\/sh -c '(.*)'$/, '$1');
    fs.writeFileSync(listing, 'stale\n');
    spawnSync('sh', ['-c', command]);
    expect(fs.existsSync(listing)).toBe(false);
    fs.mkdirSync(markers, { mode: 0o700 });
    fs.writeFileSync(path.join(markers, 'support.tripped'), '{"reason":"model-daily-usd"}\n', { mode: 0o600 });
    expect(spawnSync('sh', ['-c', command]).status).toBe(0);
    const r = await check({ support: await freePort() }, 0, nftCounter(0), {}, fs.readFileSync(listing, 'utf8'));
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([metric(1, true, 0, { ops: 1 })]);
  });
});

test('the metric cannot be published: the result and exit status stand, the line says so', async () => {
  const down = await check({ proxy: await freePort() }, 255);
  expect(down.err).toEqual([expect.stringMatching(/\[metric GatewayHealthy=0 EgressHealthy=1 not published: aws exit 255\]$/)]);
  expect(down.code).toBe(1);
  const up = await check({}, 255);
  expect(up.out).toEqual([expect.stringMatching(/\[metric GatewayHealthy=1 EgressHealthy=1 not published: aws exit 255\]$/)]);
  expect(up.code).toBe(0);
});

describe('egress', () => {
  test('any HTTP answer from the endpoint is egress (a 403 from STS is a working path out)', async () => {
    for (const status of [200, 302, 403, 503]) {
      egressAnswer = { status };
      const r = await check();
      expect({ status, code: r.code, calls: r.calls }).toEqual({ status, code: 0, calls: [metric(1)] });
    }
  });

  test('no egress (nothing answers): the FAILED Egress line, EgressHealthy not published, GatewayHealthy still 1, exit 1', async () => {
    const closed = await freePort();
    const r = await check({ egress: closed });
    expect(r.out).toEqual([]);
    expect(r.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^openclaw-health: FAILED Egress: no HTTPS answer from http://127\\.0\\.0\\.1:${closed}/ within ${TIMEOUT_S} s \\(curl exit 7, [^)]*\\): the egress proxy, the NAT, its route or the DNS Firewall; see the egress-unhealthy runbook \\[metric GatewayHealthy=1 published to ${NAMESPACE.replace('/', '\\/')}\\]$`,
        ),
      ),
    ]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metric(1, false)]);
    expect(r.calls.flat().join(' ')).not.toContain(EGRESS_HEALTH_METRIC);
  });

  test('an endpoint that accepts but never answers (a NAT blackholing): failed within the bound, EgressHealthy not published', async () => {
    egressAnswer = 'hang';
    const r = await check();
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-health: FAILED Egress: no HTTPS answer from .* \(curl exit 28, /)]);
    expect(r.calls).toEqual([metric(1, false)]);
    expect(r.seconds).toBeLessThan(TIMEOUT_S + 5);
  });

  test('gateway down and no egress: both lines, GatewayHealthy=0 alone', async () => {
    const r = await check({ gateway: await freePort(), egress: await freePort() });
    expect(r.err.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['openclaw-health: FAILED Gateway', 'openclaw-health: FAILED Egress']);
    expect(r.calls).toEqual([metric(0, false, 0, OPS_DOWN)]);
  });
});

test('the egress probe goes through the proxy the unit\'s environment names (host.env); the loopback probes never do', async () => {
  // A stand-in egress proxy: curl sends it the absolute URL of a plain-HTTP request (a CONNECT for HTTPS).
  const proxied: string[] = [];
  const egressProxy = await startFakeServer((req) => {
    proxied.push(`${req.method} ${req.url}`);
    return { status: 200 };
  });
  try {
    const viaProxy = `http://127.0.0.1:${egressProxy.port}`;
    const r = await check({}, 0, nftCounter(0), { OPENCLAW_EGRESS_URL: 'http://sts.example.invalid/', http_proxy: viaProxy, HTTP_PROXY: viaProxy, HTTPS_PROXY: viaProxy });
    expect(proxied).toEqual(['GET http://sts.example.invalid/']);
    expect(gatewayRequests).toEqual(['GET /healthz']);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([metric(1)]);
  } finally {
    await egressProxy.close();
  }
});

describe('EgressBlocked: the rise of the nftables counter egress_blocked', () => {
  test('first run (no last value: after a boot) publishes the counter; unchanged publishes no EgressBlocked; a rise publishes the rise', async () => {
    const first = await check({}, 0, nftCounter(4));
    expect(first.calls).toEqual([metric(1, true, 4)]);
    expect(first.out).toEqual([expect.stringContaining(`[metric ${GATEWAY_HEALTH_METRIC}=1 ${EGRESS_HEALTH_METRIC}=1 ${EGRESS_BLOCKED_METRIC}=4 published to ${NAMESPACE}]`)]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const unchanged = await check({}, 0, nftCounter(4));
    expect(unchanged.calls).toEqual([metric(1)]);
    expect(unchanged.calls.flat().join(' ')).not.toContain(EGRESS_BLOCKED_METRIC);
    const rose = await check({}, 0, nftCounter(17));
    expect(rose.calls).toEqual([metric(1, true, 13)]);
    expect(fs.readFileSync(path.join(runtimeDir, 'egress-blocked.last'), 'utf8')).toBe('17\n');
  });

  test('a counter below the last value (the ruleset was reloaded and restarted at 0) publishes the new value whole', async () => {
    await check({}, 0, nftCounter(50));
    const reset = await check({}, 0, nftCounter(3));
    expect(reset.calls).toEqual([metric(1, true, 3)]);
    const zero = await check({}, 0, nftCounter(0));
    expect(zero.calls).toEqual([metric(1)]);
  });

  test('the rise goes with a failing health check too, in the same request', async () => {
    await check({}, 0, nftCounter(1));
    const r = await check({ gateway: await freePort() }, 0, nftCounter(12));
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([metric(0, true, 11, OPS_DOWN)]);
  });

  test.each([
    ['no snapshot (nft failed: the ExecStartPre removed it)', null],
    ['an empty snapshot', ''],
    ['not a counter', 'Error: No such file or directory\nlist counter inet openclaw egress_blocked\n'],
    ['a number too long for the shell', nftCounter(1).replace('packets 1 ', 'packets 1234567890123456789012 ')],
  ])('%s: the health metrics as always, no EgressBlocked, one WARNING line, the exit status of the health checks', async (_what, snapshot) => {
    const r = await check({}, 0, snapshot);
    expect(r.calls).toEqual([metric(1)]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([expect.stringMatching(/^openclaw-health: OK: /)]);
    expect(r.err).toEqual([expect.stringMatching(/^openclaw-health: WARNING EgressBlocked: no counter in .*egress-blocked\.counter \(the unit's ExecStartPre nft list counter failed\?\); see journalctl -u openclaw-health \[metric GatewayHealthy=1 EgressHealthy=1 published to /)]);
    expect(fs.existsSync(path.join(runtimeDir, 'egress-blocked.last'))).toBe(false);
    const down = await check({ proxy: await freePort() }, 0, snapshot);
    expect(down.calls).toEqual([metric(0)]);
    expect(down.code).toBe(1);
  });

  test('the unit\'s ExecStartPre, run for real against the rendered ruleset in a network namespace of its own: three refused connections publish EgressBlocked=3', async () => {
    requireRuntimeTool('curl');
    for (const tool of ['unshare', 'nft', 'ip']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is needed (util-linux, nftables, iproute2)`);
    const unitText = renderRuntimeFiles(config, CONFIG_DIR)['systemd/openclaw-health.service']!;
    const pre = /^ExecStartPre=-\+(.*)$/m.exec(unitText)![1]!;
    const work = fs.mkdtempSync(path.join(dir, 'netns-'));
    const snapshot = path.join(work, 'counter');
    fs.writeFileSync(path.join(work, 'openclaw.nft'), renderNftablesRules(config));
    // The unit's command as it is, but for the root-owned /run file (this test's folder instead).
    const command = pre.replaceAll('/run/openclaw-egress-blocked.counter', snapshot);
    expect(command).not.toBe(pre);
    const inNamespace = [
      'set -e',
      // No IPv6 on the new links: a link coming up sends MLD reports, which the ruleset refuses and
      // counts too (real, but a timing-dependent extra packet for this count). This namespace's sysctls only.
      'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6',
      'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6',
      'ip link set lo up',
      // A link with an address and a route out, so that a connection reaches the output hook.
      'ip link add oc-h4a type veth peer name oc-h4b',
      'ip addr add 10.9.9.1/24 dev oc-h4a',
      'ip link set oc-h4a up',
      'ip link set oc-h4b up',
      `nft -f ${JSON.stringify(path.join(work, 'openclaw.nft'))}`,
      // Three direct connections that skip the proxy: HTTPS to a raw address twice, plain HTTP once.
      'for port in 443 443 80; do ! curl --silent --noproxy "*" --max-time 2 "http://10.9.9.2:$port/" >/dev/null; done',
      command.replace(/^\/bin\/sh -c '(.*)'$/, '$1'),
    ].join('\n');
    // The namespace (and its veth pair and ruleset) vanishes when this one process exits.
    const r = spawnSync('unshare', ['--net', 'sh', '-c', inNamespace], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fs.readFileSync(snapshot, 'utf8')).toMatch(/^\t\tpackets 3 bytes \d+$/m);
    const run = await check({}, 0, fs.readFileSync(snapshot, 'utf8'));
    expect(run.calls).toEqual([metric(1, true, 3)]);
  });
});

describe('headroom: disk (space and inodes) and memory, each its own FAILED line and metric, never GatewayHealthy', () => {
  const mounts: string[] = [];
  /** A tmpfs of its own (root: the tests run as root, as CI does), unmounted after the tests. */
  const tmpfs = (name: string, options: string) => {
    const at = fs.mkdtempSync(path.join(dir, `${name}-`));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount tmpfs (needs root, as CI runs the tests): ${r.stderr}`);
    mounts.push(at);
    return at;
  };
  afterAll(() => {
    for (const m of mounts) spawnSync('umount', [m]);
  });
  const real = { OPENCLAW_DF: 'df' };

  test('a full state volume (a real tmpfs filled to the last byte, the real df): FAILED Disk naming it, DiskHeadroom=0, GatewayHealthy stays 1, exit 1', async () => {
    const state = tmpfs('state', 'size=256k');
    spawnSync('sh', ['-c', `dd if=/dev/zero of=${state}/fill bs=4k 2>/dev/null; true`]);
    const r = await check({}, 0, nftCounter(0), { ...real, OPENCLAW_DISK_PATHS: `${state} ${dir}` });
    expect(r.err).toEqual([
      `openclaw-health: FAILED Disk: ${state} has 0 % of its space and ${100 - Number(spawnSync('df', ['--output=ipcent', state], { encoding: 'utf8' }).stdout.split('\n')[1]!.replace(/[ %]/g, ''))} % of its inodes free (below ${HEADROOM_MIN_PERCENT} %): new sessions and logs fail when it fills; see the disk-low runbook ${published(1, true, { disk: 0 })}`,
    ]);
    expect(r.calls).toEqual([metric(1, true, 0, undefined, { disk: 0 })]);
    expect(r.code).toBe(1);
  });

  test('no inodes left (a real tmpfs with 64 inodes, all used): FAILED Disk, DiskHeadroom=0', async () => {
    const state = tmpfs('inodes', 'size=4m,nr_inodes=64');
    spawnSync('sh', ['-c', `i=0; while touch ${state}/f$i 2>/dev/null; do i=$((i+1)); done`]);
    const r = await check({}, 0, nftCounter(0), { ...real, OPENCLAW_DISK_PATHS: state });
    expect(r.err).toEqual([expect.stringMatching(new RegExp(`^openclaw-health: FAILED Disk: ${state} has \\d+ % of its space and 0 % of its inodes free \\(below ${HEADROOM_MIN_PERCENT} %\\)`))]);
    expect(r.calls).toEqual([metric(1, true, 0, undefined, { disk: 0 })]);
  });

  test('the lowest of the volumes counts: a half-full one and an emptier one give 50 % (in the OK line: above the minimum nothing is published)', async () => {
    const half = tmpfs('half', 'size=1m');
    spawnSync('sh', ['-c', `dd if=/dev/zero of=${half}/fill bs=4k count=128 2>/dev/null`]);
    const roomy = tmpfs('roomy', 'size=8m');
    const r = await check({}, 0, nftCounter(0), { ...real, OPENCLAW_DISK_PATHS: `${roomy} ${half}` });
    expect(r.code).toBe(0);
    expect(r.out).toEqual([expect.stringContaining(`, disk 50 % and memory ${MEMORY_FREE} % free [`)]);
    expect(r.calls).toEqual([metric(1)]);
  });

  test('a path df cannot read: FAILED Disk, DiskHeadroom=0 (never a silent 100)', async () => {
    const r = await check({}, 0, nftCounter(0), { ...real, OPENCLAW_DISK_PATHS: path.join(dir, 'no-such-volume') });
    expect(r.err).toEqual([`openclaw-health: FAILED Disk: df cannot read ${path.join(dir, 'no-such-volume')}; see journalctl -u openclaw-health ${published(1, true, { disk: 0 })}`]);
    expect(r.calls).toEqual([metric(1, true, 0, undefined, { disk: 0 })]);
  });

  test.each([
    ['5 % available', 'MemTotal: 2000000 kB\nMemAvailable: 100000 kB\n', 5],
    ['9 % available (just under)', 'MemTotal: 1000 kB\nMemAvailable: 99 kB\n', 9],
  ])('memory low, %s: FAILED Memory with the percentage, MemoryHeadroom published, GatewayHealthy stays 1', async (_what, text, pct) => {
    const file = path.join(dir, `meminfo-${pct}`);
    fs.writeFileSync(file, text);
    const r = await check({}, 0, nftCounter(0), { OPENCLAW_MEMINFO: file });
    expect(r.err).toEqual([
      `openclaw-health: FAILED Memory: ${pct} % of the memory is available (below ${HEADROOM_MIN_PERCENT} %): the gateways are near their limit or the host swaps; see the memory-low runbook ${published(1, true, { memory: pct })}`,
    ]);
    expect(r.calls).toEqual([metric(1, true, 0, undefined, { memory: pct })]);
    expect(r.code).toBe(1);
  });

  test('exactly the minimum (10 %) passes; an unreadable meminfo fails as 0', async () => {
    const file = path.join(dir, 'meminfo-10');
    fs.writeFileSync(file, 'MemTotal: 1000 kB\nMemAvailable: 100 kB\n');
    expect((await check({}, 0, nftCounter(0), { OPENCLAW_MEMINFO: file })).code).toBe(0);
    const none = await check({}, 0, nftCounter(0), { OPENCLAW_MEMINFO: path.join(dir, 'no-meminfo') });
    expect(none.err).toEqual([`openclaw-health: FAILED Memory: cannot read MemTotal and MemAvailable of ${path.join(dir, 'no-meminfo')} ${published(1, true, { memory: 0 })}`]);
    expect(none.calls).toEqual([metric(1, true, 0, undefined, { memory: 0 })]);
  });

  test('this machine\'s real /proc/meminfo and df give percentages the script reads', async () => {
    const r = await check({}, 0, nftCounter(0), { ...real, OPENCLAW_DISK_PATHS: dir, OPENCLAW_MEMINFO: '/proc/meminfo' });
    const line = [...r.out, ...r.err].join('\n');
    expect(line).toMatch(/disk (\d|[1-9]\d|100) % and memory (\d|[1-9]\d|100) % free|FAILED (Disk|Memory)/);
  });
});

describe('usable and channels: the gateways\' probe results (run-gateway-probes.sh)', () => {
  test('a gateway whose probe failed (a full state disk): FAILED Usable quoting it, unhealthy: GatewayHealthy=0 overall and for it, exit 1', async () => {
    probeResult('support', false, 'sessions.create for agent support failed: failed to create session transcript: database or disk is full', [TELEGRAM_RUNNING]);
    const r = await check();
    expect(r.err).toEqual([
      `openclaw-health: FAILED Usable: support: sessions.create for agent support failed: failed to create session transcript: database or disk is full; see the gateway-unhealthy runbook ${published(0)}`,
    ]);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 1, support: 0 })]);
    expect(r.code).toBe(1);
  });

  test('down and unusable: one GatewayHealthy=0 for the gateway, not two', async () => {
    const closed = await freePort();
    probeResult('ops', false, 'no answer within 10000 ms (saturated or frozen)');
    const r = await check({ gateway: closed });
    expect(r.err.map((l) => l.replace(/ \[metric .*\]$/, '').replace(/\(curl exit 7, [^)]*\)/, '(curl exit 7)'))).toEqual([
      `openclaw-health: FAILED Gateway: ops: no HTTP answer from http://127.0.0.1:${closed}/healthz within ${TIMEOUT_S} s (curl exit 7); see journalctl -u openclaw-gateway@ops.service`,
      'openclaw-health: FAILED Usable: ops: no answer within 10000 ms (saturated or frozen); see the gateway-unhealthy runbook',
    ]);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 0, support: 1 })]);
  });

  test('no result for a gateway (the probe printed nothing): unusable, named', async () => {
    fs.rmSync(path.join(probeResults, 'ops.json'));
    const r = await check();
    expect(r.err).toEqual([
      `openclaw-health: FAILED Usable: ops: no probe result in ${probeResults}/ops.json (see journalctl -u openclaw-health); see the gateway-unhealthy runbook ${published(0)}`,
    ]);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 0, support: 1 })]);
  });

  test('a result that is not a probe result (not JSON, no usable flag) counts as none', async () => {
    fs.writeFileSync(path.join(probeResults, 'ops.json'), 'garbage\n');
    fs.writeFileSync(path.join(probeResults, 'support.json'), '{"gateway":"support","usable":"yes"}\n');
    const r = await check();
    expect(r.err.map((l) => l.replace(/ \[metric .*\]$/, ''))).toEqual([
      `openclaw-health: FAILED Usable: ops: no probe result in ${probeResults}/ops.json (see journalctl -u openclaw-health); see the gateway-unhealthy runbook`,
      `openclaw-health: FAILED Usable: support: no probe result in ${probeResults}/support.json (see journalctl -u openclaw-health); see the gateway-unhealthy runbook`,
    ]);
    expect(r.calls).toEqual([metric(0, true, 0, { ops: 0, support: 0 })]);
  });

  test('a channel suppressed by the crash-loop breaker and one stopped: a FAILED Channel line each, ChannelsDown=2, GatewayHealthy stays 1', async () => {
    probeResult('support', true, null, [
      { channel: 'telegram', account: 'default', running: false, state: 'suppressed', reason: 'gateway restart-loop breaker tripped: 3 unclean boot(s) within 300000ms' },
      { channel: 'slack', account: 'work', running: false, state: 'stopped', reason: null },
      { channel: 'discord', account: 'default', running: true, state: 'running', reason: null },
    ]);
    const r = await check();
    expect(r.err).toEqual([
      `openclaw-health: FAILED Channel: support: telegram/default is suppressed (gateway restart-loop breaker tripped: 3 unclean boot(s) within 300000ms); see the channel-down runbook ${published(1, true, { channels: 2 })}`,
      `openclaw-health: FAILED Channel: support: slack/work is stopped; see the channel-down runbook ${published(1, true, { channels: 2 })}`,
    ]);
    expect(r.calls).toEqual([metric(1, true, 0, undefined, { channels: 2 })]);
    expect(r.code).toBe(1);
  });

  test('a tripped gateway is not read (its probe did not run); the others are', async () => {
    fs.rmSync(path.join(probeResults, 'support.json'));
    const r = await check({}, 0, nftCounter(0), {}, 'support.tripped\n');
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([metric(1, true, 0, { ops: 1 })]);
  });

  test('the results cannot be read at all (no Node): unusable, never a silent pass', async () => {
    const r = await check({}, 0, nftCounter(0), { OPENCLAW_NODE: path.join(dir, 'no-node') });
    expect(r.err).toEqual([
      `openclaw-health: FAILED Usable: cannot read the probe results in ${probeResults} with ${path.join(dir, 'no-node')}; see journalctl -u openclaw-health ${published(0)}`,
    ]);
    expect(r.calls).toEqual([metric(0)]);
  });
});
