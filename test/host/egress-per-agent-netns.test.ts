import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EGRESS_PROXY_PORT, egressLogGateway, renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { gatewayProxyUrl } from '../../lib/openclaw/openclaw-json';
import { EGRESS_BLOCKED_COUNTER, gatewayBlockedCounter, NFT_TABLE, renderNftablesRules } from '../../lib/host/nftables-rules';
import { agentGateways, gatewayById } from '../../lib/openclaw/gateways';
import { attempt, type ClientContext, type Who } from './support/egress-client';
import { createEgressTopology, INTERNET, type EgressTopology } from './support/egress-topology';
import { makeFakeCa, startFakeInternet } from './support/fake-internet';
import { requireRoot, requireTool, runOk, tempDir } from './support/host-tools';
import { nftRulesForTest, TEST_NGINX_USER } from './support/nft-under-test';
import { perAgentConfig } from './support/per-agent-config';
import { squidConfForTest, startSquid, type RunningSquid } from './support/squid-under-test';

// One trust boundary per agent, on the wire: the RENDERED nftables ruleset and the real squid
// running the RENDERED squid.conf, in the two network namespaces of support/egress-topology.ts,
// for a config where the agents use different model providers (support/per-agent-config.ts:
// support on anthropic with its Telegram channel, ops on openai; in the example both use
// anthropic, which would make "the provider only the other agent uses" empty). The clients are the
// real gateway users openclaw-support and openclaw-ops (they exist on the test machine as on the
// host; .ci/install-host-tools.sh creates them), each as itself and as a child its node process
// execs (the way the gateway execs tools). Every name resolves into the fake internet (the host
// namespace's /etc/hosts), so every refusal is squid's or nftables', never DNS's.
//
// Each gateway reaches its own provider and channel through its own proxy port. It cannot reach the
// provider only the other uses: through its own port (squid: TCP_DENIED/403 in the access log,
// attributed to it by the port), through the other's port, through the host's 3128 and directly
// (nftables: a reset, counted in egress_blocked and in its own egress_blocked_<id>, never in the
// other's). The gateways' own ports admit nginx's user, their own user, root and DynamicUser
// services only. Last, each control is weakened on a copy and the same attempt then succeeds.

const TEST_TIMEOUT = 20_000;
const SETUP_TIMEOUT = 30_000;
const config = perAgentConfig('prod');
const SUPPORT = gatewayById(config, 'support');
const OPS = gatewayById(config, 'ops');
const HOST_NAME = `sts.${config.aws.region}.amazonaws.com`;
/** Every name of the test and where it resolves (the host namespace's /etc/hosts). */
const NAMES = {
  anthropic: ['api.anthropic.com', INTERNET.allowed],
  openai: ['api.openai.com', INTERNET.denied],
  telegram: ['api.telegram.org', INTERNET.plainHttp],
  host: [HOST_NAME, INTERNET.rawIp],
} as const;
type Name = keyof typeof NAMES;
const url = (n: Name) => `https://${NAMES[n][0]}/`;
const hello = (n: Name) => `hello https ${NAMES[n][1]} ${NAMES[n][0]}`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const proxyEnv = (proxy: string) => ({ HTTPS_PROXY: proxy, https_proxy: proxy, HTTP_PROXY: proxy, http_proxy: proxy });
const HOST_PROXY = `http://127.0.0.1:${EGRESS_PROXY_PORT}`;
const COUNTERS = [EGRESS_BLOCKED_COUNTER, gatewayBlockedCounter(OPS), gatewayBlockedCounter(SUPPORT)];

/** Answers "hello gateway <port>" over HTTP on 127.0.0.1 on each port: the gateways' ports. */
const GATEWAY_LISTENER = `
const http = require('http');
const ports = process.argv.slice(1).map(Number);
let up = 0;
for (const port of ports) http.createServer((q, r) => r.end('hello gateway ' + port + '\\n')).listen(port, '127.0.0.1', () => { if (++up === ports.length) console.log('ready'); });
setTimeout(() => process.exit(0), 600000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

const id = randomBytes(3).toString('hex');
let topo: EgressTopology | undefined;
let squid: RunningSquid | undefined;
let listener: ChildProcess | undefined;
let dir: string;
let nft: string;
let squidBin: string;
let rules: string;
let conf: string;
let base: Omit<ClientContext, 'gatewayUser'>;

const inHost = (cmd: string, args: readonly string[]) => topo!.inNs(topo!.host, cmd, args);
/** The three counters, read as the breaker reads them (`nft -j list counter inet <table> <name>`). */
const counters = (): Record<string, number> =>
  Object.fromEntries(
    COUNTERS.map((name) => {
      const out = JSON.parse(runOk(...inHost(nft, ['-j', 'list', 'counter', 'inet', NFT_TABLE, name]))) as { nftables: Array<{ counter?: { packets: number } }> };
      const counter = out.nftables.find((e) => e.counter)?.counter;
      if (!counter) throw new Error(`no counter ${name}`);
      return [name, counter.packets];
    }),
  );
const loadRules = (text: string) => {
  const file = path.join(dir, `rules-${randomBytes(2).toString('hex')}.nft`);
  fs.writeFileSync(file, text);
  runOk(...inHost(nft, ['-f', file]));
};
const runSquid = async (text: string, name: string) => {
  squid?.stop();
  const squidDir = path.join(dir, name);
  fs.mkdirSync(squidDir);
  squid = await startSquid(squidBin, inHost, squidDir, squidConfForTest(text, squidDir), `ocpa${id}${name}`);
};

/** One attempt as `user` (`who`: the user itself, or a child its node process execs), with the counters' rise and squid's new lines. */
async function observe(user: string, who: Who, target: string, env: Record<string, string>, extra: readonly string[], expectedLogLines: number) {
  const mark = squid!.accessLog().length;
  const before = counters();
  const a = attempt({ ...base, gatewayUser: user }, who, target, env, extra);
  const after = counters();
  const accessLog = await squid!.linesAfter(mark, expectedLogLines);
  return {
    exit: a.exit,
    body: a.body.trim(),
    curl: a.error,
    rise: Object.fromEntries(COUNTERS.map((c) => [c, after[c]! - before[c]!])),
    accessLog,
    attributedTo: accessLog.map((l) => egressLogGateway(l, config)),
  };
}
const rise = (own?: string) => Object.fromEntries(COUNTERS.map((c) => [c, c === EGRESS_BLOCKED_COUNTER || c === own ? 1 : 0]));
const NO_RISE = Object.fromEntries(COUNTERS.map((c) => [c, 0]));
const tunnel = (n: Name, port: number) => new RegExp(` TCP_TUNNEL/200 \\d+ CONNECT ${esc(NAMES[n][0])}:443 - HIER_DIRECT/${esc(NAMES[n][1])} \\S+ ${port}$`);
const denied = (n: Name, port: number) => new RegExp(` TCP_DENIED/403 \\d+ CONNECT ${esc(NAMES[n][0])}:443 - HIER_NONE/- \\S+ ${port}$`);

beforeAll(async () => {
  requireRoot('The per-agent egress namespace test');
  const ip = requireTool('ip');
  nft = requireTool('nft');
  squidBin = requireTool('squid');
  for (const g of [SUPPORT, OPS]) runOk('id', ['-u', g.user]);
  rules = nftRulesForTest(renderNftablesRules(config));
  conf = renderEgressProxyConfig(config);
  dir = tempDir('oc-egress-agents-');
  const names = Object.values(NAMES).map(([n]) => n);
  const ca = makeFakeCa(requireTool('openssl'), dir, names, []);
  topo = createEgressTopology(ip, id, config.network.vpcCidr, {
    allowedName: NAMES.anthropic[0],
    deniedName: NAMES.openai[0],
    dohName: 'cloudflare-dns.com',
    loopbackName: 'registry.npmjs.org',
    extra: [
      [NAMES.telegram[1], NAMES.telegram[0]],
      [NAMES.host[1], NAMES.host[0]],
    ],
  });
  await startFakeInternet(topo.inNs(topo.internet, process.execPath, []), ca);
  const [cmd, args] = inHost(process.execPath, ['-e', GATEWAY_LISTENER, String(OPS.port), String(SUPPORT.port)]);
  listener = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gateway listener not ready: ${out}`)), 5_000);
    listener!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    listener!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  });
  loadRules(rules);
  await runSquid(conf, 'squid');
  base = { inHost, curl: requireTool('curl'), setpriv: requireTool('setpriv'), node: process.execPath, caFile: ca.caFile };
}, SETUP_TIMEOUT);

afterAll(() => {
  squid?.stop();
  listener?.kill('SIGKILL');
  topo?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, SETUP_TIMEOUT);

test('the config under test: support on anthropic + telegram, ops on openai; each gateway its own user, proxy port and port', () => {
  expect(agentGateways(config).map((g) => [g.id, g.user, g.proxyPort, g.port, config.openclaw.agents[g.id]!.provider, Object.keys(config.openclaw.agents[g.id]!.channels)])).toEqual([
    ['ops', 'openclaw-ops', 3129, 18789, 'openai', []],
    ['support', 'openclaw-support', 3130, 18790, 'anthropic', ['telegram']],
  ]);
  expect(conf.split('\n').filter((l) => /^acl egress_gw_\S+_allowlist /.test(l))).toEqual([
    'acl egress_gw_ops_allowlist dstdomain -n api.openai.com',
    'acl egress_gw_support_allowlist dstdomain -n api.anthropic.com api.telegram.org',
  ]);
});

describe('each gateway reaches its own provider and channel through its own proxy port; the line names it', () => {
  const cases: Array<[string, Name, Who]> = [
    ['support', 'anthropic', 'gateway-user'],
    ['support', 'anthropic', 'exec-child'],
    ['support', 'telegram', 'gateway-user'],
    ['support', 'telegram', 'exec-child'],
    ['ops', 'openai', 'gateway-user'],
    ['ops', 'openai', 'exec-child'],
  ];
  it.each(cases)('%s -> %s (%s)', async (gw, name, who) => {
    const g = gatewayById(config, gw);
    const seen = await observe(g.user, who, url(name), proxyEnv(gatewayProxyUrl(g)), [], 1);
    expect(seen).toEqual({ ...seen, exit: 0, body: hello(name), rise: NO_RISE, accessLog: [expect.stringMatching(tunnel(name, g.proxyPort))], attributedTo: [g.id] });
  }, TEST_TIMEOUT);
});

// [gateway, the other gateway's provider or channel]
const crossings: Array<[string, Name]> = [
  ['support', 'openai'],
  ['ops', 'anthropic'],
  ['ops', 'telegram'],
];
const whos: Who[] = ['gateway-user', 'exec-child'];
const matrix = crossings.flatMap(([gw, name]) => whos.map((who) => [gw, name, who] as const));

describe("no gateway reaches the other's provider or channel", () => {
  it.each(matrix)("%s -> %s (%s), through its own proxy port: squid refuses (403), the line is attributed to it, nftables counts nothing", async (gw, name, who) => {
    const g = gatewayById(config, gw);
    const seen = await observe(g.user, who, url(name), proxyEnv(gatewayProxyUrl(g)), [], 1);
    expect(seen).toEqual({
      ...seen,
      exit: 56,
      curl: expect.stringContaining('CONNECT tunnel failed, response 403'),
      rise: NO_RISE,
      accessLog: [expect.stringMatching(denied(name, g.proxyPort))],
      attributedTo: [g.id],
    });
  }, TEST_TIMEOUT);

  it.each(matrix)("%s -> %s (%s), through the other gateway's proxy port: nftables resets it, counted in egress_blocked and its own counter only", async (gw, name, who) => {
    const g = gatewayById(config, gw);
    const other = gw === 'ops' ? SUPPORT : OPS;
    const seen = await observe(g.user, who, url(name), proxyEnv(gatewayProxyUrl(other)), [], 0);
    expect(seen).toEqual({ ...seen, exit: 7, curl: expect.stringContaining(`port ${other.proxyPort}`), rise: rise(gatewayBlockedCounter(g)), accessLog: [] });
  }, TEST_TIMEOUT);

  it.each(matrix)("%s -> %s (%s), through the host's port 3128: nftables resets it, counted in egress_blocked and its own counter", async (gw, name, who) => {
    const g = gatewayById(config, gw);
    const seen = await observe(g.user, who, url(name), proxyEnv(HOST_PROXY), [], 0);
    expect(seen).toEqual({ ...seen, exit: 7, curl: expect.stringContaining(`port ${EGRESS_PROXY_PORT}`), rise: rise(gatewayBlockedCounter(g)), accessLog: [] });
  }, TEST_TIMEOUT);

  it.each(matrix)('%s -> %s (%s), directly (no proxy): nftables resets it, counted in egress_blocked and its own counter', async (gw, name, who) => {
    const g = gatewayById(config, gw);
    const seen = await observe(g.user, who, url(name), proxyEnv(gatewayProxyUrl(g)), ['--noproxy', '*'], 0);
    expect(seen).toEqual({ ...seen, exit: 7, curl: expect.stringContaining("Couldn't connect to server"), rise: rise(gatewayBlockedCounter(g)), accessLog: [] });
  }, TEST_TIMEOUT);
});

describe("the host's own port 3128: the host's AWS endpoints for root, no provider, no gateway user", () => {
  it('root reaches the host\'s AWS endpoint through 3128; the line is the host\'s (null)', async () => {
    const seen = await observe('root', 'root', url('host'), proxyEnv(HOST_PROXY), [], 1);
    expect(seen).toEqual({ ...seen, exit: 0, body: hello('host'), rise: NO_RISE, accessLog: [expect.stringMatching(tunnel('host', EGRESS_PROXY_PORT))], attributedTo: [null] });
  }, TEST_TIMEOUT);

  it.each<Name>(['anthropic', 'openai', 'telegram'])('root cannot reach %s through 3128 (no provider or channel on the host port: 403)', async (name) => {
    const seen = await observe('root', 'root', url(name), proxyEnv(HOST_PROXY), [], 1);
    expect(seen).toEqual({ ...seen, exit: 56, rise: NO_RISE, accessLog: [expect.stringMatching(denied(name, EGRESS_PROXY_PORT))], attributedTo: [null] });
  }, TEST_TIMEOUT);

  it.each(['support', 'ops'])("%s's user cannot reach the host's AWS endpoint through 3128 (nftables, its own counter)", async (gw) => {
    const g = gatewayById(config, gw);
    const seen = await observe(g.user, 'gateway-user', url('host'), proxyEnv(HOST_PROXY), [], 0);
    expect(seen).toEqual({ ...seen, exit: 7, rise: rise(gatewayBlockedCounter(g)), accessLog: [] });
  }, TEST_TIMEOUT);

  it.each(['support', 'ops'])("root cannot use %s's proxy port (nftables; counted in egress_blocked, in no gateway's counter)", async (gw) => {
    const g = gatewayById(config, gw);
    const seen = await observe('root', 'root', url('host'), proxyEnv(gatewayProxyUrl(g)), [], 0);
    expect(seen).toEqual({ ...seen, exit: 7, rise: rise(), accessLog: [] });
  }, TEST_TIMEOUT);
});

describe("a gateway's own port: nginx's user, its own user, root and DynamicUser services only", () => {
  const gatewayUrl = (gw: string) => `http://127.0.0.1:${gatewayById(config, gw).port}/`;
  const noProxy = ['--noproxy', '*'];
  it.each([
    ['its own user', 'support', 'openclaw-support', 'gateway-user'],
    ["its own user's exec'd child", 'support', 'openclaw-support', 'exec-child'],
    [`nginx's user (${TEST_NGINX_USER} here)`, 'support', TEST_NGINX_USER, 'gateway-user'],
    ['root', 'support', 'root', 'root'],
    ['a DynamicUser uid (61190: the health check)', 'support', '61190', 'gateway-user'],
    ['its own user', 'ops', 'openclaw-ops', 'gateway-user'],
    [`nginx's user (${TEST_NGINX_USER} here)`, 'ops', TEST_NGINX_USER, 'gateway-user'],
  ] as const)('admitted: %s to %s', async (_what, gw, user, who) => {
    const seen = await observe(user, who, gatewayUrl(gw), {}, noProxy, 0);
    expect(seen).toEqual({ ...seen, exit: 0, body: `hello gateway ${gatewayById(config, gw).port}`, rise: NO_RISE, accessLog: [] });
  }, TEST_TIMEOUT);

  it.each([
    ["the other gateway's user", 'support', 'openclaw-ops', 'gateway-user', gatewayBlockedCounter(OPS)],
    ["the other gateway's user's exec'd child", 'support', 'openclaw-ops', 'exec-child', gatewayBlockedCounter(OPS)],
    ["the other gateway's user", 'ops', 'openclaw-support', 'gateway-user', gatewayBlockedCounter(SUPPORT)],
    ['another system user (daemon)', 'ops', 'daemon', 'gateway-user', undefined],
  ] as const)('refused and counted: %s to %s', async (_what, gw, user, who, own) => {
    const seen = await observe(user, who, gatewayUrl(gw), {}, noProxy, 0);
    expect(seen).toEqual({ ...seen, exit: 7, rise: rise(own), accessLog: [] });
  }, TEST_TIMEOUT);
});

describe('each control weakened on a copy: the same attempt then succeeds', () => {
  afterEach(async () => {
    loadRules(rules);
    await runSquid(conf, `restored${randomBytes(2).toString('hex')}`);
  }, SETUP_TIMEOUT);

  it("squid without support's allowlist deny: support reaches openai through its own port", async () => {
    const line = 'http_access deny egress_gw_support_port !egress_gw_support_allowlist';
    expect(conf.split('\n').filter((l) => l === line)).toHaveLength(1);
    await runSquid(conf.split('\n').filter((l) => l !== line).join('\n'), 'nodeny');
    const seen = await observe(SUPPORT.user, 'exec-child', url('openai'), proxyEnv(gatewayProxyUrl(SUPPORT)), [], 1);
    expect(seen).toEqual({ ...seen, exit: 0, body: hello('openai'), accessLog: [expect.stringMatching(tunnel('openai', SUPPORT.proxyPort))] });
  }, TEST_TIMEOUT);

  it("nftables without the refusal on ops's proxy port: support reaches openai through it (and the line blames ops)", async () => {
    const line = `        tcp dport ${OPS.proxyPort} goto refuse`;
    expect(rules.split('\n').filter((l) => l === line)).toHaveLength(1);
    loadRules(rules.split('\n').filter((l) => l !== line).join('\n'));
    const seen = await observe(SUPPORT.user, 'gateway-user', url('openai'), proxyEnv(gatewayProxyUrl(OPS)), [], 1);
    expect(seen).toEqual({ ...seen, exit: 0, body: hello('openai'), accessLog: [expect.stringMatching(tunnel('openai', OPS.proxyPort))], attributedTo: ['ops'] });
  }, TEST_TIMEOUT);

  it("nftables without the 3128 refusal of gateway users: support reaches the host's AWS endpoint through 3128", async () => {
    const line = `        tcp dport ${EGRESS_PROXY_PORT} meta skuid { "${OPS.user}", "${SUPPORT.user}" } goto refuse`;
    expect(rules.split('\n').filter((l) => l === line)).toHaveLength(1);
    loadRules(rules.split('\n').filter((l) => l !== line).join('\n'));
    const seen = await observe(SUPPORT.user, 'gateway-user', url('host'), proxyEnv(HOST_PROXY), [], 1);
    expect(seen).toEqual({ ...seen, exit: 0, body: hello('host'), accessLog: [expect.stringMatching(tunnel('host', EGRESS_PROXY_PORT))] });
  }, TEST_TIMEOUT);

  it("nftables without the refusal on support's gateway port: ops's user reaches it", async () => {
    const line = `        tcp dport ${SUPPORT.port} goto refuse`;
    expect(rules.split('\n').filter((l) => l === line)).toHaveLength(1);
    loadRules(rules.split('\n').filter((l) => l !== line).join('\n'));
    const seen = await observe(OPS.user, 'gateway-user', `http://127.0.0.1:${SUPPORT.port}/`, {}, ['--noproxy', '*'], 0);
    expect(seen).toEqual({ ...seen, exit: 0, body: `hello gateway ${SUPPORT.port}`, rise: NO_RISE });
  }, TEST_TIMEOUT);

  it("nftables without ops's counter rule: ops's refused attempt no longer rises egress_blocked_ops", async () => {
    const line = `        meta skuid "${OPS.user}" counter name "${gatewayBlockedCounter(OPS)}"`;
    expect(rules.split('\n').filter((l) => l === line)).toHaveLength(1);
    loadRules(rules.split('\n').filter((l) => l !== line).join('\n'));
    const seen = await observe(OPS.user, 'gateway-user', url('anthropic'), proxyEnv(HOST_PROXY), [], 0);
    expect(seen).toEqual({ ...seen, exit: 7, rise: rise() });
  }, TEST_TIMEOUT);
});
