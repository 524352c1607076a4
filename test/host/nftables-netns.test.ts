import { spawn, type ChildProcess } from 'child_process';
import { randomBytes, randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { EGRESS_PROXY_USER } from '../../lib/host/egress-proxy';
import { EGRESS_BLOCKED_COUNTER, NFT_TABLE, NON_PUBLIC_IPV4, renderNftablesRules, vpcResolverAddress } from '../../lib/host/nftables-rules';
import { exampleConfig, requireRoot, requireTool, run, runOk, tempDir } from './support/host-tools';
import { nftRulesForTest } from './support/nft-under-test';

// The rendered ruleset, loaded for real in a network namespace of its own:
//
//   [oc-test-cli-<id>] occ<id> 10.250.X.2/24, 10.251.X.2/24, 130.176.C.2/32
//          |  veth
//   [oc-test-srv-<id>] ocs<id> 10.250.X.1/24, 10.251.X.1/24   <- ruleset, listeners on 0.0.0.0
//                      route 130.176.C.2 via the veth
//
// network.vpcCidr is 10.250.X.0/24; 10.251.X.0/24 stands for "private, outside the VPC".
// 130.176.C.2 is in 130.176.0.0/18, one of CloudFront's origin-facing ranges
// (CLOUDFRONT_ORIGIN_FACING in ip-ranges.json, in the managed prefix list
// com.amazonaws.global.cloudfront.origin-facing): VPC-origin traffic reaches the
// instance's private address from such a source, which the client binds to.
// Nothing is configured outside these two namespaces.

const PROBE_TIMEOUT_MS = 1_500;
const TEST_TIMEOUT = 20_000;

const id = randomBytes(3).toString('hex');
const X = randomInt(1, 255);
const SRV = `oc-test-srv-${id}`;
const CLI = `oc-test-cli-${id}`;
const SRV_IF = `ocs${id}`;
const CLI_IF = `occ${id}`;
const SRV_VPC_IP = `10.250.${X}.1`;
const CLI_VPC_IP = `10.250.${X}.2`;
const SRV_OUTSIDE_IP = `10.251.${X}.1`;
const VPC_CIDR = `10.250.${X}.0/24`;
const CLOUDFRONT_IP = `130.176.${X % 64}.2`;

let ip: string;
let nft: string;
let setpriv: string;
let config: ResolvedConfig;
let rulesFile: string;
let dir: string | undefined;
const created: string[] = [];
const listeners: ChildProcess[] = [];

/** Listens on 0.0.0.0 on every port given; greets each connection; prints "ready" once all listen. */
const LISTENER = `
const net = require('net');
const ports = process.argv.slice(1).map(Number);
let up = 0;
for (const port of ports) {
  net.createServer((s) => s.end('hello ' + port + '\\n')).listen(port, '0.0.0.0', () => {
    if (++up === ports.length) console.log('ready');
  });
}
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

/** Connects once; prints "open" (and what the server said), "timeout", or the error code. */
const PROBE = `
const net = require('net');
const [host, port, ms, localAddress] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port), ...(localAddress ? { localAddress } : {}) });
const done = (r) => { console.log(r); s.destroy(); process.exit(0); };
const t = setTimeout(() => done('timeout'), Number(ms));
s.on('connect', () => s.once('data', (d) => { clearTimeout(t); done('open ' + d.toString().trim()); }));
s.on('error', (e) => { clearTimeout(t); done(e.code || String(e)); });
`;

const inNs = (ns: string, cmd: string, args: readonly string[]) => [ip, ['netns', 'exec', ns, cmd, ...args]] as const;

/**
 * Runs the probe inside `ns` against host:port (from `from` if given; as `user` if given, else
 * root); returns its one-word verdict (bounded by the probe timeout).
 */
function probe(ns: string, host: string, port: number, from?: string, user?: string): string {
  const started = Date.now();
  const node = [process.execPath, '-e', PROBE, host, String(port), String(PROBE_TIMEOUT_MS), from ?? ''];
  const [cmd, args] = user ? inNs(ns, setpriv, [`--reuid=${user}`, `--regid=${user}`, '--clear-groups', '--', ...node]) : inNs(ns, node[0]!, node.slice(1));
  const out = runOk(cmd, args, PROBE_TIMEOUT_MS + 5_000).trim();
  expect(Date.now() - started).toBeLessThan(PROBE_TIMEOUT_MS + 4_000);
  return out;
}

/** Starts the listener in `ns` and waits for "ready". */
function listen(ns: string, ports: readonly number[]): Promise<void> {
  const [cmd, args] = inNs(ns, process.execPath, ['-e', LISTENER, ...ports.map(String)]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  listeners.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`listener in ${ns} not ready: ${out}`)), 5_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`listener in ${ns} exited (${code}): ${out}`));
    });
  });
}

const ns = (name: string, ...args: string[]) => runOk(ip, ['-n', name, ...args]);

/** The named counter of refused outbound connections. */
function egressBlocked(): number {
  const out = runOk(...inNs(SRV, nft, ['list', 'counter', 'inet', NFT_TABLE, EGRESS_BLOCKED_COUNTER]));
  const m = /packets (\d+)/.exec(out);
  if (!m) throw new Error(`no packets in:\n${out}`);
  return Number(m[1]);
}

function counterOf(comment: string): number {
  const listing = runOk(...inNs(SRV, nft, ['list', 'table', 'inet', NFT_TABLE]));
  const line = listing.split('\n').find((l) => l.includes(`comment "${comment}"`));
  const m = line && /counter packets (\d+)/.exec(line);
  if (!m) throw new Error(`no counter with comment "${comment}" in:\n${listing}`);
  return Number(m[1]);
}

beforeAll(async () => {
  requireRoot('The nftables namespace test');
  ip = requireTool('ip');
  nft = requireTool('nft');
  setpriv = requireTool('setpriv');
  const base = exampleConfig('prod');
  config = { ...base, network: { ...base.network, vpcCidr: VPC_CIDR } };

  dir = tempDir('oc-nft-');
  rulesFile = path.join(dir, 'openclaw.nft');
  fs.writeFileSync(rulesFile, nftRulesForTest(renderNftablesRules(config)));

  for (const name of [SRV, CLI]) {
    runOk(ip, ['netns', 'add', name]);
    created.push(name);
    ns(name, 'link', 'set', 'lo', 'up');
  }
  runOk(ip, ['link', 'add', SRV_IF, 'netns', SRV, 'type', 'veth', 'peer', 'name', CLI_IF, 'netns', CLI]);
  ns(SRV, 'addr', 'add', `${SRV_VPC_IP}/24`, 'dev', SRV_IF);
  ns(SRV, 'addr', 'add', `${SRV_OUTSIDE_IP}/24`, 'dev', SRV_IF);
  ns(CLI, 'addr', 'add', `${CLI_VPC_IP}/24`, 'dev', CLI_IF);
  ns(CLI, 'addr', 'add', `10.251.${X}.2/24`, 'dev', CLI_IF);
  ns(CLI, 'addr', 'add', `${CLOUDFRONT_IP}/32`, 'dev', CLI_IF);
  ns(SRV, 'link', 'set', SRV_IF, 'up');
  ns(CLI, 'link', 'set', CLI_IF, 'up');
  ns(SRV, 'route', 'add', `${CLOUDFRONT_IP}/32`, 'dev', SRV_IF);

  // The server side: nginx's port and the gateway's, both on 0.0.0.0 so that
  // only the firewall stands between them and the client. The client side
  // stands in for the internet (443, 80) and the VPC resolver (53).
  await listen(SRV, [config.edge.proxyPort, config.edge.gatewayPort]);
  await listen(CLI, [443, 80, 53]);
}, TEST_TIMEOUT);

afterAll(() => {
  for (const child of listeners) if (child.exitCode === null) child.kill('SIGKILL');
  for (const name of created) {
    // Anything still running in our namespaces was started by this test.
    const pids = run(ip, ['netns', 'pids', name]).stdout.split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    run(ip, ['netns', 'del', name]);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, TEST_TIMEOUT);

test('control: without the ruleset, both ports answer from the client namespace', () => {
  expect(probe(CLI, SRV_VPC_IP, config.edge.proxyPort)).toBe(`open hello ${config.edge.proxyPort}`);
  expect(probe(CLI, SRV_VPC_IP, config.edge.proxyPort, CLOUDFRONT_IP)).toBe(`open hello ${config.edge.proxyPort}`);
  expect(probe(CLI, SRV_VPC_IP, config.edge.gatewayPort)).toBe(`open hello ${config.edge.gatewayPort}`);
  expect(probe(SRV, CLI_VPC_IP, 80)).toBe('open hello 80');
}, TEST_TIMEOUT);

test('the ruleset loads, and loading it again leaves one copy (idempotent)', () => {
  runOk(...inNs(SRV, nft, ['-f', rulesFile]));
  runOk(...inNs(SRV, nft, ['-f', rulesFile]));
  const listing = runOk(...inNs(SRV, nft, ['list', 'ruleset']));
  expect(listing.match(/table inet openclaw/g)).toHaveLength(1);
  expect(listing.match(/comment "gateway port: loopback only"/g)).toHaveLength(1);
  expect(listing.match(new RegExp(`tcp dport ${config.edge.gatewayPort} goto refuse`, 'g'))).toHaveLength(1);
  expect(listing).toMatch(/chain input \{\s*type filter hook input priority filter; policy drop;/);
  expect(listing).toMatch(/chain output \{\s*type filter hook output priority filter; policy drop;/);
}, TEST_TIMEOUT);

test("the proxy port connects from a CloudFront origin-facing address (the source VPC-origin traffic has) to the host's VPC address", () => {
  const before = counterOf('proxy port from CloudFront origin-facing addresses');
  expect(probe(CLI, SRV_VPC_IP, config.edge.proxyPort, CLOUDFRONT_IP)).toBe(`open hello ${config.edge.proxyPort}`);
  expect(counterOf('proxy port from CloudFront origin-facing addresses')).toBe(before + 1);
}, TEST_TIMEOUT);

test('the proxy port does not connect from inside the VPC CIDR (dropped, counted): no other host of the VPC reaches nginx', () => {
  const before = counterOf('proxy port from the VPC or a private range');
  expect(probe(CLI, SRV_VPC_IP, config.edge.proxyPort)).toBe('timeout');
  expect(counterOf('proxy port from the VPC or a private range')).toBeGreaterThan(before);
}, TEST_TIMEOUT);

test('from a CloudFront origin-facing address, only the proxy port: the gateway port and others stay closed', () => {
  expect(probe(CLI, SRV_VPC_IP, config.edge.gatewayPort, CLOUDFRONT_IP)).toBe('timeout');
  expect(probe(CLI, SRV_VPC_IP, 443, CLOUDFRONT_IP)).toBe('timeout');
}, TEST_TIMEOUT);

test('a VPC CIDR outside the private ranges is still never admitted to the proxy port', () => {
  const rules = renderNftablesRules({ ...config, network: { ...config.network, vpcCidr: '52.94.0.0/16' } });
  const set = /set not_origin_facing \{[^}]*elements = \{ ([^}]*) \}/.exec(rules);
  expect(set?.[1]?.split(', ')).toEqual([...NON_PUBLIC_IPV4, '52.94.0.0/16']);
}, TEST_TIMEOUT);

test('the gateway port does not connect from the client namespace (dropped, counted)', () => {
  const before = counterOf('gateway port: loopback only');
  expect(probe(CLI, SRV_VPC_IP, config.edge.gatewayPort)).toBe('timeout');
  expect(counterOf('gateway port: loopback only')).toBeGreaterThan(before);
}, TEST_TIMEOUT);

test('the proxy port does not connect from a private address outside the VPC CIDR', () => {
  expect(probe(CLI, SRV_OUTSIDE_IP, config.edge.proxyPort)).toBe('timeout');
}, TEST_TIMEOUT);

test('inside the server namespace the gateway port is reachable on 127.0.0.1', () => {
  expect(probe(SRV, '127.0.0.1', config.edge.gatewayPort)).toBe(`open hello ${config.edge.gatewayPort}`);
}, TEST_TIMEOUT);

// Outbound, the refusal is a reset the kernel hands the local socket at once (ECONNREFUSED,
// never a timeout), and each refused connection is one packet of the named counter egress_blocked.
test(`egress: tcp 443 leaves the server namespace as the egress proxy's user (${EGRESS_PROXY_USER}) only`, () => {
  const before = egressBlocked();
  expect(probe(SRV, CLI_VPC_IP, 443, undefined, EGRESS_PROXY_USER)).toBe('open hello 443');
  expect(egressBlocked()).toBe(before);
  expect(probe(SRV, CLI_VPC_IP, 443)).toBe('ECONNREFUSED');
  expect(egressBlocked()).toBe(before + 1);
  expect(probe(SRV, CLI_VPC_IP, 443, undefined, 'daemon')).toBe('ECONNREFUSED');
  expect(egressBlocked()).toBe(before + 2);
}, TEST_TIMEOUT);

test('egress: tcp 80 does not leave, not even as the proxy user (refused at once, counted)', () => {
  const before = egressBlocked();
  expect(probe(SRV, CLI_VPC_IP, 80)).toBe('ECONNREFUSED');
  expect(probe(SRV, CLI_VPC_IP, 80, undefined, EGRESS_PROXY_USER)).toBe('ECONNREFUSED');
  expect(egressBlocked()).toBe(before + 2);
}, TEST_TIMEOUT);

test('a link coming up with the ruleset loaded counts nothing in egress_blocked: its IPv6 chatter (neighbour discovery, MLD reports) is accepted', async () => {
  const before = egressBlocked();
  runOk(ip, ['link', 'add', `osx${id}`, 'netns', SRV, 'type', 'veth', 'peer', 'name', `ocx${id}`, 'netns', CLI]);
  ns(CLI, 'link', 'set', `ocx${id}`, 'up');
  ns(SRV, 'link', 'set', `osx${id}`, 'up');
  // MLDv2 sends its unsolicited reports within about a second of the link coming up (RFC 3810 9.11, twice).
  await new Promise((r) => setTimeout(r, 3_000));
  expect(egressBlocked()).toBe(before);
}, TEST_TIMEOUT);

test('joining an IPv4 multicast group counts nothing in egress_blocked: its IGMP membership reports (TTL 1) are accepted', () => {
  const join = (group: string) =>
    runOk(...inNs(SRV, process.execPath, ['-e', `const d=require('dgram').createSocket('udp4');d.bind(0,()=>{d.addMembership('${group}','${SRV_VPC_IP}');setTimeout(()=>process.exit(0),1000)})`]));
  const before = egressBlocked();
  join('239.1.2.3');
  expect(egressBlocked()).toBe(before);
  // The same join with the IGMP rule taken out of the loaded ruleset: its reports are refused and counted.
  const listing = runOk(...inNs(SRV, nft, ['-a', 'list', 'chain', 'inet', NFT_TABLE, 'output']));
  const handle = /ip protocol igmp.*# handle (\d+)/.exec(listing)?.[1] ?? /ip ttl 1 ip protocol igmp.*# handle (\d+)/.exec(listing)?.[1];
  expect(handle).toBeDefined();
  runOk(...inNs(SRV, nft, ['delete', 'rule', 'inet', NFT_TABLE, 'output', 'handle', handle!]));
  try {
    join('239.1.2.4');
    expect(egressBlocked()).toBeGreaterThan(before);
  } finally {
    runOk(...inNs(SRV, nft, ['-f', rulesFile]));
  }
}, TEST_TIMEOUT);

test('egress: DNS over tcp 53 reaches the VPC resolver (VPC CIDR base + 2) only', () => {
  expect(vpcResolverAddress(VPC_CIDR)).toBe(CLI_VPC_IP);
  const before = egressBlocked();
  expect(probe(SRV, CLI_VPC_IP, 53)).toBe('open hello 53');
  expect(egressBlocked()).toBe(before);
  expect(probe(SRV, `10.251.${X}.2`, 53)).toBe('ECONNREFUSED');
  expect(egressBlocked()).toBe(before + 1);
}, TEST_TIMEOUT);
