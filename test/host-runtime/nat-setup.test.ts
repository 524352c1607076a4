import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { NAT_SETUP_SCRIPT, renderNatUserData } from '../../lib/network/nat-user-data';
import { requireRoot, requireTool, run, runOk } from '../host/support/host-tools';
import { requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';

// host/nat/nat-setup.sh (the NAT instance's user data), run for real by bash in
// a network namespace of its own, with the real `ip`, `sysctl` and `nft`
// (forwarding and the nat table are per namespace) and stand-ins for what
// must not touch this machine or the network: dnf, systemctl, mkswap, swapon,
// swapoff, dd, sleep (they log their calls, in order, to one file). The
// namespace has a veth with a default route, as the instance has ens5.

const TOOLS = ['bash', 'env', 'mkdir', 'dirname', 'sysctl', 'awk', 'wc', 'chmod', 'rm', 'cat', 'ip'];
let dir: string;
let bash: string;
let nft: string;
let ip: string;
const namespaces: string[] = [];

beforeAll(() => {
  requireRoot('The NAT setup test');
  bash = requireRuntimeTool('bash');
  nft = requireTool('nft');
  ip = requireTool('ip');
  dir = tempDir('oc-nat-');
});
afterAll(() => {
  for (const ns of namespaces) run(ip, ['netns', 'del', ns]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface World {
  readonly root: string;
  readonly console: string;
  readonly log: string;
  readonly ns: string;
}

/** A namespace with a default route via `nat0`, a bin dir of real tools plus stand-ins, and an empty root for the files. */
function world(opts: { nftInstalled: boolean; dnfFailures: number; memKib: number; defaultRoute?: boolean }): World & { bin: string } {
  const base = fs.mkdtempSync(path.join(dir, 'w-'));
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  const which = (t: string) => runOk('bash', ['-c', `command -v ${t}`]).trim();
  for (const t of TOOLS) fs.symlinkSync(which(t), path.join(bin, t));
  if (opts.nftInstalled) fs.symlinkSync(nft, path.join(bin, 'nft'));
  const log = path.join(base, 'calls');
  const rec = (name: string, body = '') => writeExecutable(path.join(bin, name), `#!${bash}\nprintf '%s\\n' "${name} $*" >>${JSON.stringify(log)}\n${body}\n`);
  const counter = path.join(base, 'dnf-count');
  rec(
    'dnf',
    `n=$(( $(cat ${JSON.stringify(counter)} 2>/dev/null || echo 0) + 1 )); echo "$n" >${JSON.stringify(counter)}
if [ "$n" -le ${opts.dnfFailures} ]; then echo "Error: Failed to download metadata for repo" >&2; exit 1; fi
${which('ln')} -sf ${JSON.stringify(nft)} ${JSON.stringify(path.join(bin, 'nft'))}`,
  );
  for (const t of ['systemctl', 'mkswap', 'swapon', 'swapoff', 'sleep']) rec(t);
  rec('dd', 'for a in "$@"; do case "$a" in of=*) : >"${a#of=}";; esac; done');
  const root = path.join(base, 'root');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(base, 'meminfo'), `MemTotal:       ${opts.memKib} kB\nMemFree:          100000 kB\n`);
  fs.writeFileSync(path.join(base, 'swaps'), 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n');
  const ns = `oc-test-nat-${randomBytes(3).toString('hex')}`;
  runOk(ip, ['netns', 'add', ns]);
  namespaces.push(ns);
  runOk(ip, ['-n', ns, 'link', 'add', 'nat0', 'type', 'veth', 'peer', 'name', 'nat1']);
  runOk(ip, ['-n', ns, 'addr', 'add', '10.99.0.10/24', 'dev', 'nat0']);
  for (const l of ['nat0', 'nat1', 'lo']) runOk(ip, ['-n', ns, 'link', 'set', l, 'up']);
  if (opts.defaultRoute !== false) runOk(ip, ['-n', ns, 'route', 'add', 'default', 'via', '10.99.0.1', 'dev', 'nat0']);
  return { root, console: path.join(base, 'console'), log, ns, bin };
}

async function setup(w: World & { bin: string }, extra: Record<string, string> = {}) {
  fs.writeFileSync(w.console, '');
  const r = await runAsync(ip, ['netns', 'exec', w.ns, bash, NAT_SETUP_SCRIPT], {
    env: {
      PATH: w.bin,
      NAT_SETUP_ROOT: w.root,
      NAT_SETUP_CONSOLE: w.console,
      NAT_SETUP_MEMINFO: path.join(path.dirname(w.bin), 'meminfo'),
      NAT_SETUP_SWAPS: path.join(path.dirname(w.bin), 'swaps'),
      ...extra,
    },
    timeoutMs: 30_000,
  });
  const calls = fs.existsSync(w.log) ? fs.readFileSync(w.log, 'utf8').split('\n').filter(Boolean) : [];
  return { ...r, calls, out: r.stdout.split('\n').filter(Boolean), err: r.stderr.split('\n').filter(Boolean), console: fs.readFileSync(w.console, 'utf8') };
}

const inNs = (ns: string, ...args: string[]) => runOk(ip, ['netns', 'exec', ns, ...args]);

test('the user data is exactly the script, and shellcheck -S style accepts it', async () => {
  expect(renderNatUserData()).toBe(fs.readFileSync(NAT_SETUP_SCRIPT, 'utf8'));
  expect(renderNatUserData().split('\n')[0]).toBe('#!/usr/bin/env bash');
  const r = await runAsync(requireRuntimeTool('shellcheck'), ['-S', 'style', '-s', 'bash', NAT_SETUP_SCRIPT]);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('nft already on the AMI: no dnf at all; forwarding on and masquerade loaded on the default route interface, both persisted', async () => {
  const w = world({ nftInstalled: true, dnfFailures: 0, memKib: 460_000 });
  const r = await setup(w);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.calls).toEqual(['systemctl enable nftables.service']);
  expect(r.out.at(-1)).toBe('nat-setup: OK: NAT ready (forwarding on, masquerade on nat0)');
  expect(inNs(w.ns, 'sysctl', '-n', 'net.ipv4.ip_forward').trim()).toBe('1');
  expect(inNs(w.ns, nft, 'list', 'table', 'ip', 'nat_instance')).toMatch(/type nat hook postrouting priority srcnat; policy accept;\s+oifname "nat0" masquerade/);
  expect(fs.readFileSync(path.join(w.root, 'etc/sysctl.d/90-nat-instance.conf'), 'utf8')).toBe('net.ipv4.ip_forward = 1\n');
  // What nftables.service loads at every boot: the same table, idempotent.
  inNs(w.ns, nft, '-f', path.join(w.root, 'etc/sysconfig/nftables.conf'));
  expect(inNs(w.ns, nft, 'list', 'ruleset').match(/table ip nat_instance/g)).toHaveLength(1);
});

test('nft missing on a 512 MiB host: a swap file before dnf, dnf retried with doubling backoff until it succeeds, swap removed', async () => {
  const w = world({ nftInstalled: false, dnfFailures: 2, memKib: 460_000 });
  const r = await setup(w);
  // Only dnf's own two errors; no FAILED line.
  expect(r.err).toEqual(['Error: Failed to download metadata for repo', 'Error: Failed to download metadata for repo']);
  expect(r.code).toBe(0);
  const swap = path.join(w.root, 'var/swap-nat-setup');
  const dnf = 'dnf -y -q --setopt=install_weak_deps=False install nftables';
  expect(r.calls).toEqual([
    `dd if=/dev/zero of=${swap} bs=1M count=512 status=none`,
    `mkswap ${swap}`,
    `swapon ${swap}`,
    dnf,
    'sleep 5',
    dnf,
    'sleep 10',
    dnf,
    `swapoff ${swap}`,
    'systemctl enable nftables.service',
  ]);
  expect(r.out).toContain('nat-setup: dnf install nftables failed (exit 1, attempt 1 of 5); retrying in 5 s');
  expect(r.out).toContain('nat-setup: nftables installed (attempt 3)');
  expect(fs.existsSync(swap)).toBe(false);
  expect(inNs(w.ns, nft, 'list', 'table', 'ip', 'nat_instance')).toContain('oifname "nat0" masquerade');
});

test('a host with 1 GiB or more gets no swap file', async () => {
  const w = world({ nftInstalled: false, dnfFailures: 0, memKib: 2_000_000 });
  const r = await setup(w);
  expect(r.code).toBe(0);
  expect(r.calls.filter((c) => /^(dd|mkswap|swapon)/.test(c))).toEqual([]);
});

test('dnf failing every time: a FAILED line on stderr and the console, exit 1, after the configured attempts; no NAT claimed', async () => {
  const w = world({ nftInstalled: false, dnfFailures: 99, memKib: 460_000 });
  const r = await setup(w, { NAT_SETUP_ATTEMPTS: '3' });
  expect(r.code).toBe(1);
  const line = 'nat-setup: FAILED nftables: dnf install nftables failed 3 times (last exit 1); see /var/log/dnf.log';
  expect(r.err.at(-1)).toBe(line);
  expect(r.console).toContain(line);
  expect(r.calls.filter((c) => c.startsWith('dnf'))).toHaveLength(3);
  expect(r.calls.filter((c) => c.startsWith('sleep'))).toEqual(['sleep 5', 'sleep 10']);
  expect(r.out.join('\n')).not.toContain('OK');
});

test('no default route: FAILED masquerade, exit 1', async () => {
  const w = world({ nftInstalled: true, dnfFailures: 0, memKib: 460_000, defaultRoute: false });
  const r = await setup(w);
  expect(r.code).toBe(1);
  expect(r.err).toEqual(['nat-setup: FAILED masquerade: no IPv4 default route (ip -4 route show default is empty)']);
});
