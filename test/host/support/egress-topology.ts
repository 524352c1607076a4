import * as fs from 'fs';
import * as path from 'path';
import { parseIpv4Cidr } from '../../../lib/host/nftables-rules';
import { run, runOk } from './host-tools';

/**
 * Two network namespaces joined by a veth pair, for the egress proxy's netns test:
 *
 *   [<prefix>-host-<id>]  h<id> <VPC base + 10>/<prefix>, default route via the "internet"
 *        |  veth          the gateway host: the rendered nftables ruleset, squid, the clients
 *   [<prefix>-inet-<id>]  i<id> <VPC base + 1>/<prefix> and, as /32s, every INTERNET address
 *
 * Name resolution in the host namespace: `ip netns exec` bind-mounts /etc/netns/<ns>/hosts
 * and resolv.conf over /etc/ (ip-netns(8)), so squid and curl read HOSTS from there; the
 * resolver named in resolv.conf is the VPC resolver (VPC base + 2), which the ruleset allows
 * and which has no server here. /etc/netns/<ns>/ is removed by `destroy`.
 */

/** The fake internet's addresses (TEST-NET ranges, RFC 5737, plus a public resolver's address). */
export const INTERNET = {
  /** Where the allowlisted name resolves. */
  allowed: '192.0.2.10',
  /** Where the name that is not on the allowlist resolves. */
  denied: '192.0.2.66',
  /** A raw IP address nobody resolves to. */
  rawIp: '198.51.100.7',
  /** Cloudflare's public resolver: DNS over HTTPS on 443. */
  doh: '1.1.1.1',
  /** A plain HTTP server (port 80). */
  plainHttp: '203.0.113.80',
} as const;

/** Names the host namespace resolves (its /etc/hosts), every one pointing into the internet namespace. */
export interface HostsEntries {
  /** The allowlisted name (on the rendered allowlist). */
  allowedName: string;
  /** A name that is not on the allowlist. */
  deniedName: string;
  /** The public resolver's DoH name (not on the allowlist either). */
  dohName: string;
  /** An allowlisted name that resolves to 127.0.0.1 (a rebinding attempt at the host's own services). */
  loopbackName: string;
  /** More names, each pointing at an INTERNET address (the fake internet answers on every one). */
  extra?: ReadonlyArray<readonly [address: string, name: string]>;
}

export interface EgressTopology {
  /** The gateway host's namespace. */
  host: string;
  /** The fake internet's namespace. */
  internet: string;
  /** The host's address (inside the VPC CIDR). */
  hostAddress: string;
  /** The VPC resolver's address (VPC base + 2), named in the host's resolv.conf; nothing answers there. */
  resolver: string;
  /** The argv that runs `cmd args` inside `ns`. */
  inNs: (ns: string, cmd: string, args: readonly string[]) => [string, string[]];
  /** Kills every process left in both namespaces, deletes them and /etc/netns/<host>/. Safe to call twice. */
  destroy: () => void;
}

const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/**
 * Creates the two namespaces (names unique per `id`), their link, addresses, routes and the host's
 * hosts/resolv.conf. `extraAddresses` are more /32s of the internet namespace (e.g. the fake IMDS's
 * 169.254.169.254), reached from the host over the same default route.
 */
export function createEgressTopology(ipTool: string, id: string, vpcCidr: string, names: HostsEntries, extraAddresses: readonly string[] = []): EgressTopology {
  const host = `oc-egress-host-${id}`;
  const internet = `oc-egress-inet-${id}`;
  const { network, prefix } = parseIpv4Cidr(vpcCidr);
  const base = ipToInt(network);
  const hostAddress = intToIp(base + 10);
  const gatewayAddress = intToIp(base + 1);
  const resolver = intToIp(base + 2);
  const etcDir = path.join('/etc/netns', host);
  const created: string[] = [];
  const inNs = (ns: string, cmd: string, args: readonly string[]): [string, string[]] => [ipTool, ['netns', 'exec', ns, cmd, ...args]];

  const destroy = () => {
    for (const ns of created.splice(0)) {
      // Everything still running in these namespaces was started by the test.
      for (const pid of run(ipTool, ['netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      run(ipTool, ['netns', 'del', ns]);
    }
    fs.rmSync(etcDir, { recursive: true, force: true });
  };

  try {
    for (const ns of [host, internet]) {
      runOk(ipTool, ['netns', 'add', ns]);
      created.push(ns);
    }
    runOk(ipTool, ['link', 'add', `h${id}`, 'netns', host, 'type', 'veth', 'peer', 'name', `i${id}`, 'netns', internet]);
    const ns = (name: string, ...args: string[]) => runOk(ipTool, ['-n', name, ...args]);
    ns(host, 'link', 'set', 'lo', 'up');
    ns(internet, 'link', 'set', 'lo', 'up');
    ns(host, 'addr', 'add', `${hostAddress}/${prefix}`, 'dev', `h${id}`);
    ns(internet, 'addr', 'add', `${gatewayAddress}/${prefix}`, 'dev', `i${id}`);
    for (const address of [...Object.values(INTERNET), ...extraAddresses]) ns(internet, 'addr', 'add', `${address}/32`, 'dev', `i${id}`);
    ns(host, 'link', 'set', `h${id}`, 'up');
    ns(internet, 'link', 'set', `i${id}`, 'up');
    ns(host, 'route', 'add', 'default', 'via', gatewayAddress);

    fs.mkdirSync(etcDir, { recursive: true });
    fs.writeFileSync(
      path.join(etcDir, 'hosts'),
      [
        '127.0.0.1 localhost',
        `${INTERNET.allowed} ${names.allowedName}`,
        `${INTERNET.denied} ${names.deniedName}`,
        `${INTERNET.doh} ${names.dohName}`,
        `127.0.0.1 ${names.loopbackName}`,
        ...(names.extra ?? []).map(([address, name]) => `${address} ${name}`),
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(etcDir, 'resolv.conf'), `nameserver ${resolver}\n`);
  } catch (e) {
    destroy();
    throw e;
  }
  return { host, internet, hostAddress, resolver, inNs, destroy };
}
