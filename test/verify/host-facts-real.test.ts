import { agentGateways } from '../../lib/openclaw/gateways';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { HostFacts } from '../../lib/host/live-host-facts';
import { HOST_FACTS_COLLECTOR, verificationCommands } from '../../lib/host/live-document';
import { hostLiveChecks } from '../../lib/host/live-checks';
import { hostLiveSettings } from '../../lib/host/live-settings';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { HOST_SOURCE_DIR } from '../../lib/host/template';
import { CONTROL_UI_ORIGINS_FILE } from '../../lib/openclaw/openclaw-config';
import type { CheckResult } from '../../lib/verify/live-check';
import { exampleConfig } from '../host/support/host-tools';
import { OPENCLAW_CACHE, writeOpenclawFixture } from '../openclaw/support/openclaw';
import { tempDirsRemovedAfterAll } from '../support/temp-dirs';

// The collector (host/verify/collect-host-facts.sh) run here for real, as root, on
// what can be built without an EC2 host: the ruleset comparison in network
// namespaces, the mount check in a private mount namespace, OpenClaw's own audit of
// the rendered openclaw.json. Its facts then go through the host checks' judges.
// Each part is skipped, saying why, when this machine cannot run it (not root, a
// tool missing, OpenClaw not installed by .ci/install-openclaw.sh).

const COLLECTOR = path.join(HOST_SOURCE_DIR, HOST_FACTS_COLLECTOR);
const tempDir = tempDirsRemovedAfterAll();
const config = exampleConfig('prod');
const settings = hostLiveSettings(config);
const STEP = 20_000;

function which(tool: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${tool} || { [ -x /usr/sbin/${tool} ] && echo /usr/sbin/${tool}; }`], { encoding: 'utf8', timeout: 5_000 });
  return r.stdout.trim() || undefined;
}
/** Why this part cannot run here, or undefined. */
function missing(tools: readonly string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (namespaces, mounts, setpriv)';
  const absent = tools.filter((t) => !which(t));
  return absent.length ? `${absent.join(', ')} not installed (apt-get install nftables iproute2 util-linux)` : undefined;
}
const part = (why: string | undefined) => (why ? describe.skip : describe);
const titled = (title: string, why: string | undefined) => (why ? `${title} [skipped: ${why}]` : title);

/** Runs the collector with `env` (nothing else inherited but PATH), bounded; its one JSON line parsed. */
function collect(env: Record<string, string>, prefix: readonly string[] = [], timeoutMs = STEP): Promise<HostFacts> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = [...prefix, 'bash', COLLECTOR];
    const child = spawn(cmd!, args, { env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out.trim().split('\n');
      if (code !== 0 || lines.length !== 1) return reject(new Error(`collector exited ${code}:\n${out}\n${err}`));
      resolve(JSON.parse(lines[0]!) as HostFacts);
    });
  });
}

/** The host checks' judgement of `facts` (the SSM command stubbed by the facts themselves). */
async function judge(facts: HostFacts, id: string): Promise<readonly CheckResult[]> {
  const check = hostLiveChecks().find((c) => c.id === id)!;
  const ctx = { memo: async () => ({ ok: true, instanceId: 'i-local', facts }), settings: { host: settings } };
  return check.run(ctx as never);
}

describe('the collector script', () => {
  const why = which('shellcheck') ? undefined : 'shellcheck not installed (apt-get install shellcheck)';
  (why ? test.skip : test)(titled('shellcheck -S style accepts the collector and the whole document script', why), () => {
    const dir = tempDir('oc-ocv-sc-');
    const doc = path.join(dir, 'document.sh');
    fs.writeFileSync(doc, `${verificationCommands(settings).join('\n')}\n`);
    const r = spawnSync('shellcheck', ['-S', 'style', '-s', 'bash', COLLECTOR, doc], { encoding: 'utf8', timeout: STEP });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test("the document's script, run by sh as the SSM agent may, re-runs under bash and prints one JSON object", () => {
    const dir = tempDir('oc-ocv-doc-');
    const doc = path.join(dir, '_script.sh');
    const script = verificationCommands(settings).join('\n').replace('{{ AllowedName }}', 'localhost').replace('{{ DeniedName }}', 'name.invalid');
    fs.writeFileSync(doc, `${script}\n`, { mode: 0o700 });
    const r = spawnSync('sh', [doc], { encoding: 'utf8', timeout: STEP, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OCV_FAMILIES: 'dns ruleset' } });
    expect(r.status).toBe(0);
    const facts = JSON.parse(r.stdout) as HostFacts;
    expect(facts.dns).toEqual({ allowed: { name: 'localhost', resolves: true, address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) }, denied: { name: 'name.invalid', resolves: false } });
    // No /etc/nftables/openclaw.nft here: the collector says so instead of failing.
    expect(facts.ruleset).toEqual({ state: 'no-file', file: settings.ruleset.path });
    expect(r.stdout.length).toBeLessThan(24_000);
  });

  test('nothing listening at the origin or the metadata service: curl prints 000, the facts say 0 (valid JSON) instead of no facts at all', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const facts = await collect({ OCV_FAMILIES: 'imds origin', OCV_IMDS: `http://127.0.0.1:${closed}`, OCV_ORIGIN_URL: `http://127.0.0.1:${closed}/` });
    expect(facts.imds).toEqual({ withoutToken: 0, tokenPut: 0, withToken: 0 });
    expect(facts.origin).toEqual({ url: `http://127.0.0.1:${closed}/`, status: 0 });
  });
});

const nsWhy = missing(['nft', 'ip', 'unshare', 'diff', 'sha256sum']);
describe('the egress proxy facts: the unit state systemctl reports and the digest of the file squid reads', () => {
  // systemctl stands in (this machine runs no systemd): it answers `is-active <unit>` as squid.service would.
  function env(state: string, content: string): Record<string, string> {
    const dir = tempDir('oc-ocv-proxy-');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'systemctl'), `#!/bin/sh\n[ "$1 $2" = "is-active ${settings.proxy.unit}" ] || exit 4\necho ${state}\n[ ${state} = active ]\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'squid.conf'), content);
    return { PATH: `${path.join(dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, OCV_FAMILIES: 'proxy', OCV_PROXY_UNIT: settings.proxy.unit, OCV_PROXY_CONF: path.join(dir, 'squid.conf') };
  }

  test('running, with the rendered squid.conf: both results pass', async () => {
    const facts = await collect(env('active', renderEgressProxyConfig(config)));
    expect(facts.proxy).toEqual({ active: 'active', sha256: settings.proxy.sha256 });
    expect((await judge(facts, 'host.egress-proxy')).map((r) => r.status)).toEqual(['pass', 'pass']);
  }, STEP * 2);

  test('stopped, with a changed squid.conf: both fail, naming what the host reported', async () => {
    const facts = await collect(env('inactive', `${renderEgressProxyConfig(config)}http_access allow all\n`));
    expect(facts.proxy?.active).toBe('inactive');
    const results = await judge(facts, 'host.egress-proxy');
    expect(results.map((r) => [r.status, r.evidence.split(';')[0]])).toEqual([['fail', 'inactive'], ['fail', `sha256 ${facts.proxy!.sha256.slice(0, 12)}`]]);
  }, STEP * 2);
});

part(nsWhy)(titled('(a) the ruleset comparison, in a network namespace standing in for the host', nsWhy), () => {
  const ns = `oc-ocv-${process.pid}`;
  let dir: string;
  let file: string;
  const inNs = (...args: string[]) => spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: STEP });
  beforeAll(() => {
    dir = tempDir('oc-ocv-nft-');
    file = path.join(dir, 'openclaw.nft');
    fs.writeFileSync(file, renderNftablesRules(config));
    expect(spawnSync('ip', ['netns', 'add', ns], { timeout: STEP }).status).toBe(0);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns], { timeout: STEP });
  });

  test('the rendered ruleset loaded: equal, and the file digest is the rendered one', async () => {
    expect(inNs('nft', '-f', file).status).toBe(0);
    const facts = await collect({ OCV_FAMILIES: 'ruleset', OCV_NFT_FILE: file }, ['ip', 'netns', 'exec', ns]);
    expect(facts.ruleset).toEqual({ state: 'equal', sha256: settings.ruleset.sha256, diffHead: [] });
    expect((await judge(facts, 'host.nftables-ruleset')).map((r) => r.status)).toEqual(['pass']);
  }, STEP * 2);

  test('a changed ruleset loaded (the gateway port rule on another port): differing, with the diff head', async () => {
    const changed = path.join(dir, 'changed.nft');
    const port = config.edge.gatewayPort;
    // The gateways' ports as one set (one gateway per agent: edge.gatewayPort + n); the change drops all but the first.
    const ports = `{ ${agentGateways(config).map((g) => g.port).join(', ')} }`;
    const rendered = renderNftablesRules(config);
    expect(rendered).toContain(`tcp dport ${ports} counter drop`);
    fs.writeFileSync(changed, rendered.replace(`tcp dport ${ports} counter drop`, `tcp dport ${port} counter drop`));
    expect(inNs('nft', '-f', changed).status).toBe(0);
    const facts = await collect({ OCV_FAMILIES: 'ruleset', OCV_NFT_FILE: file }, ['ip', 'netns', 'exec', ns]);
    expect(facts.ruleset).toEqual({
      state: 'differing',
      sha256: settings.ruleset.sha256,
      diffHead: [`< \t\ttcp dport ${ports} counter drop comment "gateway port: loopback only"`, `> \t\ttcp dport ${port} counter drop comment "gateway port: loopback only"`],
    });
    const [r] = await judge(facts, 'host.nftables-ruleset');
    expect(r).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`differing (rendered < > live): < \t\ttcp dport ${ports} counter drop`) });
  }, STEP * 2);

  test('the file itself not loadable: an error, not a comparison', async () => {
    const broken = path.join(dir, 'broken.nft');
    fs.writeFileSync(broken, 'table inet openclaw { chain input { nonsense } }\n');
    const facts = await collect({ OCV_FAMILIES: 'ruleset', OCV_NFT_FILE: broken }, ['ip', 'netns', 'exec', ns]);
    expect(facts.ruleset).toMatchObject({ state: 'error', error: expect.stringMatching(/^rendered: .*Error/s) });
  }, STEP * 2);
});

const mountWhy = missing(['unshare', 'nsenter', 'setpriv', 'mount']) ?? (spawnSync('id', ['-u', 'nobody']).status === 0 ? undefined : 'no user nobody');
part(mountWhy)(titled('(b) the mount check and the write test as an unprivileged user, in a private mount namespace', mountWhy), () => {
  // The host's layout in miniature: etc/ (ReadOnlyPaths=, holding agents/ops/SOUL.md) and
  // workspaces/ops/SOUL.md (BindReadOnlyPaths= of the agent file). Every folder and the file
  // writable by everyone, so that only the mounts stand between `nobody` and a write.
  const holders: ChildProcess[] = [];
  afterAll(() => holders.forEach((h) => h.exitCode === null && h.kill('SIGKILL')));

  /**
   * A process in its own mount namespace with bind mounts (`ro` or not), as systemd makes them
   * for ReadOnlyPaths= (a path onto itself) and BindReadOnlyPaths= (`source:target`); resolves
   * with its pid once they are up. By default the miniature's etc/ and its agent file.
   */
  function mountNamespace(root: string, readOnly: boolean, binds: readonly string[] = ['etc', 'etc/agents/ops/SOUL.md:workspaces/ops/SOUL.md']): Promise<number> {
    const ro = readOnly ? ',ro' : '';
    const script = [
      ...binds.flatMap((b) => {
        const [from, to = from] = b.split(':');
        return [`mount --bind "$1/${from}" "$1/${to}"`, `mount -o remount,bind${ro},nosuid,nodev "$1/${to}"`];
      }),
      'echo ready',
      'exec sleep 60',
    ].join(' && ');
    const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    holders.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve(child.pid!);
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => reject(new Error(`mount namespace exited (${code}): ${out}`)));
    });
  }

  function layout(): string {
    const root = tempDir('oc-ocv-mnt-');
    fs.chmodSync(root, 0o755);
    fs.mkdirSync(path.join(root, 'etc', 'agents', 'ops'), { recursive: true });
    fs.mkdirSync(path.join(root, 'workspaces', 'ops'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc', 'agents', 'ops', 'SOUL.md'), 'You are ops.\n');
    fs.writeFileSync(path.join(root, 'workspaces', 'ops', 'SOUL.md'), '');
    for (const d of ['etc', 'etc/agents', 'etc/agents/ops', 'workspaces', 'workspaces/ops']) fs.chmodSync(path.join(root, d), 0o777);
    fs.chmodSync(path.join(root, 'etc', 'agents', 'ops', 'SOUL.md'), 0o666);
    return root;
  }

  const env = (root: string, pid: number) => ({
    OCV_FAMILIES: 'agentFiles',
    OCV_NS_PID: String(pid),
    OCV_GATEWAY_USER: 'nobody',
    OCV_READONLY_ROOTS: `${root}/etc ${root}/workspaces`,
    OCV_READONLY_DIRS: `${root}/etc ${root}/etc/agents`,
  });
  test('a listed file that does not exist is not created by the write test (a writable parent would let it)', async () => {
    const root = layout();
    const missingFile = `${root}/workspaces/ops/MISSING.md`;
    const facts = await collect({ ...env(root, await mountNamespace(root, false)), OCV_READONLY_DIRS: `${root}/etc ${missingFile}` });
    expect(fs.existsSync(missingFile)).toBe(false);
    expect(facts.agentFiles!.writable.map((w) => w.replaceAll(root, '<root>'))).not.toContain('<root>/workspaces/ops/MISSING.md (opened for append; nothing written)');
  }, STEP * 2);

  const mountsOf = (facts: HostFacts, root: string) => facts.agentFiles!.mounts.map((m) => m.replaceAll(root, '<root>'));
  const local = (root: string) => ({ ...settings, readOnlyMounts: [`${root}/etc`, `${root}/etc/agents`, `${root}/workspaces/ops/SOUL.md`], readOnlyRoots: [`${root}/etc`, `${root}/workspaces`], agentFilesDir: `${root}/etc/agents`, gatewayUser: 'nobody' });
  async function judgeLocal(facts: HostFacts, root: string) {
    const check = hostLiveChecks().find((c) => c.id === 'host.agent-files-read-only')!;
    return check.run({ memo: async () => ({ ok: true, instanceId: 'i-local', facts }), settings: { host: local(root) } } as never);
  }

  test('read-only mounts: seen ro (the agent folder through the mount that holds it), every write refused', async () => {
    const root = layout();
    const facts = await collect(env(root, await mountNamespace(root, true)));
    expect(mountsOf(facts, root)).toEqual([
      expect.stringMatching(/^<root>\/etc ro,nosuid,nodev\b/),
      expect.stringMatching(/^<root>\/workspaces\/ops\/SOUL\.md ro,nosuid,nodev\b/),
      expect.stringMatching(/^<root>\/etc\/agents ro,nosuid,nodev.*,held-by=<root>\/etc$/),
    ]);
    expect(facts.agentFiles).toMatchObject({ namespace: 'gateway', writeRefused: 3, writable: [] });
    expect((await judgeLocal(facts, root)).map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(fs.readdirSync(path.join(root, 'etc'))).toEqual(['agents']);
  }, STEP * 2);

  test("the deployment's layout: the agent folder is its own read-only mount (ReadOnlyPaths=) outside the roots, and is reported as one", async () => {
    // As on the host: the gateway's config folder (etc/gateways/ops) and its agents' folder
    // (etc/agents/ops) are two ReadOnlyPaths= entries; the roots are the config folder and the
    // workspaces, so the agent folder's mount is under no root.
    const root = layout();
    fs.mkdirSync(path.join(root, 'etc', 'gateways', 'ops'), { recursive: true });
    const pid = await mountNamespace(root, true, ['etc/gateways/ops', 'etc/agents/ops', 'etc/agents/ops/SOUL.md:workspaces/ops/SOUL.md']);
    const facts = await collect({
      ...env(root, pid),
      OCV_READONLY_ROOTS: `${root}/etc/gateways/ops ${root}/workspaces`,
      OCV_READONLY_DIRS: `${root}/etc/gateways/ops ${root}/etc/agents/ops`,
    });
    expect(mountsOf(facts, root)).toEqual([
      expect.stringMatching(/^<root>\/etc\/gateways\/ops ro,nosuid,nodev\b/),
      expect.stringMatching(/^<root>\/workspaces\/ops\/SOUL\.md ro,nosuid,nodev\b/),
      expect.stringMatching(/^<root>\/etc\/agents\/ops ro,nosuid,nodev(?!.*held-by)/),
    ]);
    const check = hostLiveChecks().find((c) => c.id === 'host.agent-files-read-only')!;
    const host = {
      ...settings,
      readOnlyMounts: [`${root}/etc/gateways/ops`, `${root}/etc/agents/ops`, `${root}/workspaces/ops/SOUL.md`],
      readOnlyRoots: [`${root}/etc/gateways/ops`, `${root}/workspaces`],
      agentFilesDir: `${root}/etc/agents`,
      gatewayUser: 'nobody',
    };
    const results = await check.run({ memo: async () => ({ ok: true, instanceId: 'i-local', facts }), settings: { host } } as never);
    expect(results.map((r) => [r.resource.replaceAll(root, '<root>'), r.status])).toEqual([
      ['i-local:<root>/etc/gateways/ops', 'pass'],
      ['i-local:<root>/etc/agents/ops', 'pass'],
      ['i-local:<root>/workspaces/ops/SOUL.md', 'pass'],
      ['i-local:<root>/etc/agents (write as nobody)', 'pass'],
    ]);
  }, STEP * 2);

  test('writable mounts: seen rw, the writes succeed, the created files are removed again and reported, the agent file unchanged', async () => {
    const root = layout();
    const facts = await collect(env(root, await mountNamespace(root, false)));
    expect(mountsOf(facts, root)).toEqual([expect.stringMatching(/^<root>\/etc rw,/), expect.stringMatching(/^<root>\/workspaces\/ops\/SOUL\.md rw,/), expect.stringMatching(/^<root>\/etc\/agents rw,.*held-by=<root>\/etc$/)]);
    expect(facts.agentFiles!.writable.map((w) => w.replaceAll(root, '<root>'))).toEqual([
      '<root>/etc (created a file; removed)',
      '<root>/workspaces/ops/SOUL.md (opened for append; nothing written)',
      '<root>/etc/agents (created a file; removed)',
    ]);
    expect(facts.agentFiles!.writeRefused).toBe(0);
    // Nothing left behind: the probe files are gone, the agent file is as it was.
    expect(fs.readdirSync(path.join(root, 'etc'))).toEqual(['agents']);
    expect(fs.readdirSync(path.join(root, 'etc', 'agents'))).toEqual(['ops']);
    expect(fs.readFileSync(path.join(root, 'etc', 'agents', 'ops', 'SOUL.md'), 'utf8')).toBe('You are ops.\n');
    const results = await judgeLocal(facts, root);
    expect(results.filter((r) => r.status === 'fail').map((r) => r.evidence.replaceAll(root, '<root>'))).toEqual([
      expect.stringMatching(/^mounted rw,.* in the gateway's mount namespace; expected a read-only mount \(ro\)$/),
      expect.stringMatching(/^mounted rw,.*; expected a read-only mount/),
      expect.stringMatching(/^mounted rw,.*; expected a read-only mount/),
      expect.stringMatching(/^0 write\(s\) refused, writable: <root>\/etc \(created a file; removed\), .*; expected every write refused$/),
    ]);
  }, STEP * 2);
});

const node = path.join(OPENCLAW_CACHE, 'node_modules', 'node', 'bin', 'node');
const cli = path.join(OPENCLAW_CACHE, 'node_modules', 'openclaw', 'openclaw.mjs');
const auditWhy = missing(['setpriv']) ?? (fs.existsSync(node) && fs.existsSync(cli) ? undefined : `OpenClaw not installed in ${OPENCLAW_CACHE} (bash .ci/install-openclaw.sh)`);
part(auditWhy)(titled("(c) OpenClaw's own audit of the rendered openclaw.json, as an unprivileged user, summarized by the collector", auditWhy), () => {
  const AUDIT = 150_000;
  /** The rendered files the way the host holds them, owned by the user the audit runs as. */
  function fixture(groupReadable = false) {
    const root = tempDir('oc-ocv-audit-');
    const fx = writeOpenclawFixture(config, root, ['https://d111111abcdef8.cloudfront.net'], agentGateways(config)[0]!);
    if (groupReadable) for (const f of [fx.configFile, path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE)]) fs.chmodSync(f, 0o640);
    spawnSync('chown', ['-R', 'nobody:', root], { timeout: STEP });
    fs.chmodSync(root, 0o755);
    return { OCV_FAMILIES: 'audit', OCV_GATEWAY_USER: 'nobody', OCV_GATEWAY_UNIT: 'openclaw-verify-test-none.service', OCV_TIMEOUT: '140', OCV_NODE: node, OCV_OPENCLAW_BIN: cli, OCV_STATE_DIR: fx.stateDir, OCV_CONFIG_FILE: fx.configFile };
  }
  let deep: HostFacts;
  let plain: HostFacts;
  let weakened: HostFacts;
  beforeAll(async () => {
    [deep, plain, weakened] = await Promise.all([
      collect(fixture(), [], AUDIT),
      collect({ ...fixture(), OCV_AUDIT_ARGS: 'security audit --json' }, [], AUDIT),
      collect({ ...fixture(true), OCV_AUDIT_ARGS: 'security audit --json' }, [], AUDIT),
    ]);
  }, AUDIT + 10_000);

  test('without --deep: 0 critical, 0 warn, and the check passes', async () => {
    expect(plain.audit).toMatchObject({ critical: 0, warn: 0, findings: [] });
    expect((await judge(plain, 'host.openclaw-audit'))[0]).toMatchObject({ status: 'pass', evidence: '0 critical, 0 warn' });
  });

  test('--deep with no gateway running: 0 critical and only the probe finding, which is NOT the known one (the probe cannot connect), so the check fails', async () => {
    expect(deep.audit).toMatchObject({ critical: 0, warn: 1, findings: [{ id: 'gateway.probe_failed', severity: 'warn', detail: `connect ECONNREFUSED 127.0.0.1:${config.edge.gatewayPort}` }] });
    expect((await judge(deep, 'host.openclaw-audit'))[0]).toMatchObject({ status: 'fail', evidence: expect.stringContaining(`warn gateway.probe_failed: connect ECONNREFUSED`) });
  });

  test('openclaw.json readable by its group: the warn findings reach the check, which fails naming them', async () => {
    expect(weakened.audit!.findings!.map((f) => f.id).sort()).toEqual(['fs.config.perms_group_readable', 'fs.config_include.perms_group_readable']);
    expect((await judge(weakened, 'host.openclaw-audit'))[0]).toMatchObject({ status: 'fail', evidence: expect.stringMatching(/^0 critical, 2 warn: warn fs\.config/) });
  });
});
