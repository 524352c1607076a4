import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HOST_PATHS } from '../../lib/host/paths';
import { assembleBundleFiles, packBundle, renderRuntimeFiles, type BundleFiles } from '../../lib/host/runtime-files';
import {
  CLOUDWATCH_AGENT_UNIT,
  HEALTH_TIMER,
  HEALTH_UNIT,
  LOG_EXPORT_TIMER,
  LOG_EXPORT_UNIT,
  SECRETS_REFRESH_TIMER,
  SECRETS_REFRESH_UNIT,
  SPEND_METER_TIMER,
  PROXY_ROTATE_TIMER,
  NGINX_ROTATE_TIMER,
  SPEND_METER_UNIT,
  SSM_AGENT_UNIT,
  STATE_VOLUME_UNIT,
} from '../../lib/host/unit-names';
import { EGRESS_NO_PROXY, EGRESS_PROXY_CONFIG_FILE, EGRESS_PROXY_UNIT, EGRESS_PROXY_URL, renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH, CLOUDWATCH_AGENT_PROXY_FILE } from '../../lib/host/cloudwatch-agent-proxy';
import { EGRESS_PROXY_RESTART_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { SSM_AGENT_PROXY_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { CLOUDWATCH_AGENT_BUNDLE_PATH } from '../../lib/host/cloudwatch-agent';
import { SPEND_METER_MANIFEST_BUNDLE_PATH, SPEND_METER_MANIFEST_PATH, SPEND_METER_PROGRAM_PATH } from '../../lib/host/spend-meter';
import { SECRETS_MANIFEST_PATH } from '../../lib/secrets/secrets-manifest';
import { listAgentFiles, type AgentFile } from '../../lib/openclaw/agent-files';
import { renderControlUiOrigins } from '../../lib/openclaw/control-ui-origins';
import { agentGateways } from '../../lib/openclaw/gateways';
import { openclawHostFiles } from '../../lib/openclaw/openclaw-config';
import { exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';
import { fakeAws, requireRootForRuntime, requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';

// install-bundle.sh, rendered for the example prod config, run for real as root
// to the end with the real bundle (assembleBundleFiles + packBundle), against a
// temporary root (OPENCLAW_INSTALL_ROOT prefixes every path it writes). The
// gateway user is `daemon` (a system user with a same-named group, like
// openclaw on the host; OPENCLAW_GATEWAY_USER). Stand-ins on PATH record what
// would change the machine: aws (download, metrics), nft, systemctl,
// systemd-tmpfiles, and npm (lays out node_modules as `npm ci` would). The
// OS node is the real one (it runs the lockfile check and the origins rewrite);
// check-agent-files.sh runs for real (runuser as daemon).
// The result is compared with OPENCLAW_HOST_FILES, the contract
// lib/openclaw/openclaw-config.ts states and test/openclaw proves against OpenClaw.

const config = exampleConfig('prod');
const GATEWAY_UNIT = 'openclaw-gateway@ops.service';
const CLOUDFRONT = 'd111111abcdef8.cloudfront.net';
const GATEWAY_USER = 'daemon';
const URI = 's3://assets-bucket/deployment-bundle.tar.gz';
const VOLUME = 'vol-0a1b2c3d4e5f60718';

let dir: string;
let root: string;
let bin: string;
let script: string;
let bundle: BundleFiles;
let sha256: string;
let agentFiles: AgentFile[];
let uid: number;
let gid: number;
let awsCalls: () => string[][];
let s3EndpointModes: () => string[];
let first: Awaited<ReturnType<typeof runAsync>>;

/** A stand-in command that appends its arguments (one line, \x1f-separated) to <dir>/calls, then runs `body`. */
function stub(name: string, body = '') {
  writeExecutable(
    path.join(bin, name),
    ['#!/usr/bin/env bash', `{ printf '%s' ${name}; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\n'; } >>${JSON.stringify(path.join(dir, 'calls'))}`, body, ''].join('\n'),
  );
}
const calls = () => fs.readFileSync(path.join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\x1f'));
const host = (p: string) => path.join(root, p);

function install(domain = CLOUDFRONT, stateVolumeExit = '0', extraEnv: Record<string, string> = {}) {
  return runAsync(script, [URI, sha256, domain, VOLUME], {
    env: {
      ...extraEnv,
      FAKE_STATE_VOLUME_EXIT: stateVolumeExit,
      PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      FAKE_S3_FILE: path.join(dir, 'bundle.tar.gz'),
      OPENCLAW_INSTALL_ROOT: root,
      OPENCLAW_GATEWAY_USER: GATEWAY_USER,
    },
    timeoutMs: 60_000,
  });
}

beforeAll(async () => {
  requireRootForRuntime('the installer test');
  for (const tool of ['bash', 'tar', 'sha256sum', 'runuser'] as const) requireRuntimeTool(tool);
  const ids = execFileSync('id', ['-u', GATEWAY_USER], { encoding: 'utf8' }).trim();
  const group = execFileSync('id', ['-gn', GATEWAY_USER], { encoding: 'utf8' }).trim();
  if (group !== GATEWAY_USER) throw new Error(`the test needs a system user ${GATEWAY_USER} whose primary group is ${GATEWAY_USER} (is ${group})`);
  uid = Number(ids);
  gid = Number(execFileSync('id', ['-g', GATEWAY_USER], { encoding: 'utf8' }).trim());

  dir = tempDir('oc-installer-');
  root = path.join(dir, 'root');
  fs.mkdirSync(root, { mode: 0o755 });
  script = writeExecutable(path.join(dir, 'install-bundle.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/install-bundle.sh']!);
  bundle = assembleBundleFiles(config, CONFIG_DIR);
  const packed = packBundle(bundle);
  sha256 = packed.sha256;
  fs.writeFileSync(path.join(dir, 'bundle.tar.gz'), packed.archive);
  agentFiles = listAgentFiles(config, CONFIG_DIR);

  const aws = fakeAws(dir);
  awsCalls = aws.calls;
  s3EndpointModes = aws.s3EndpointModes;
  bin = path.join(dir, 'bin');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  stub('nft');
  // `systemctl start` of the state volume unit: notes whether the state folder already
  // existed then (it must not: the volume is mounted over it), exits FAKE_STATE_VOLUME_EXIT.
  stub(
    'systemctl',
    [
      // The proxy is active once started (a run again then downloads through it).
      `if [ "$1" = is-active ]; then test -e ${JSON.stringify(path.join(dir, 'proxy-active'))}; exit; fi`,
      `if [ "$2" = ${EGRESS_PROXY_UNIT} ] && { [ "$1" = start ] || [ "$1" = reload-or-restart ]; }; then touch ${JSON.stringify(path.join(dir, 'proxy-active'))}; fi`,
      `if [ "$1 $2" = "start ${STATE_VOLUME_UNIT}" ]; then`,
      `  if [ -e ${JSON.stringify(path.join(root, HOST_PATHS.stateDir))} ]; then echo present; else echo absent; fi >>${JSON.stringify(path.join(dir, 'state-dir-at-volume-step'))}`,
      '  exit "${FAKE_STATE_VOLUME_EXIT:-0}"',
      'fi',
    ].join('\n'),
  );
  stub('systemd-tmpfiles');
  // The real squid checks the rendered squid.conf (`squid -k parse`); only that is allowed.
  stub('squid', '[ "$1 $2" = "-k parse" ] || exit 99\nexec /usr/sbin/squid "$@"');
  // `npm ci` in the install folder: the platform node (answers v24) and openclaw.mjs.
  stub(
    'npm',
    [
      'for a in x64 arm64; do mkdir -p "node_modules/node-linux-$a/bin"; printf \'#!/bin/sh\\necho v24.21.0\\n\' >"node_modules/node-linux-$a/bin/node"; chmod 755 "node_modules/node-linux-$a/bin/node"; done',
      'mkdir -p node_modules/openclaw && touch node_modules/openclaw/openclaw.mjs',
      `printf '%s %s\\n' "$npm_config_https_proxy" "$https_proxy" >>${JSON.stringify(path.join(dir, 'npm-proxy'))}`,
    ].join('\n'),
  );
  first = await install();
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** owner:group mode of a path, with the test's gateway user standing for HOST_PATHS.user. */
function meta(p: string) {
  const st = fs.lstatSync(p);
  // The stand-in gateway user (daemon) shows as HOST_PATHS.user.
  const name = (id: number, isGroup: boolean) => (id === 0 ? 'root' : id === (isGroup ? gid : uid) ? HOST_PATHS.user : String(id));
  return { type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other', owner: `${name(st.uid, false)}:${name(st.gid, true)}`, mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), links: st.nlink };
}

test('installs the bundle to the end: exit 0, no error, the agent files check passes', () => {
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const lines = first.stdout.split('\n').filter(Boolean);
  expect(lines).toContain(`openclaw-install: downloading ${URI}`);
  expect(lines.some((l) => l.startsWith(`openclaw-integrity: OK: ${agentFiles.length} agent files in ${host(HOST_PATHS.agentFilesDir)}`))).toBe(true);
  expect(lines.at(-1)).toBe(`openclaw-install: done: bundle ${sha256} installed; gateway starting (journalctl -u 'openclaw-*')`);
});

test.each(['ops', 'support'])('gateway %s: openclaw.json and its include files, its user (here daemon) 0400 in root:<user> 0750; the CloudFront domain added', (id) => {
  const dir = `${HOST_PATHS.configDir}/gateways/${id}`;
  for (const f of ['openclaw.json', 'control-ui-origins.json', 'exec-approvals.json']) {
    expect(meta(host(`${dir}/${f}`))).toEqual({ type: 'file', owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', links: 1 });
  }
  expect(fs.readFileSync(host(`${dir}/openclaw.json`), 'utf8')).toBe(bundle[`openclaw/gateways/${id}/openclaw.json`]);
  expect(fs.readFileSync(host(`${dir}/exec-approvals.json`), 'utf8')).toBe(bundle[`openclaw/gateways/${id}/exec-approvals.json`]);
  expect(fs.readFileSync(host(`${dir}/control-ui-origins.json`), 'utf8')).toBe(renderControlUiOrigins(config, [`https://${CLOUDFRONT}`]));
  // The folder is root's (the gateway user can neither add nor replace files), readable by its user only.
  expect(meta(host(dir))).toMatchObject({ type: 'dir', owner: `root:${HOST_PATHS.user}`, mode: '0750' });
  expect(meta(host(`${HOST_PATHS.configDir}/gateways`))).toMatchObject({ owner: 'root:root', mode: '0755' });
  expect(meta(host(`${HOST_PATHS.logDir}/${id}`))).toMatchObject({ type: 'dir', owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0750' });
});

test('every file of openclawHostFiles(gateway) that the bundle provides has the owner and mode of the contract, for every gateway', () => {
  const checked: string[] = [];
  for (const gateway of agentGateways(config)) {
    // Every gateway user is the stand-in here (it shows as HOST_PATHS.user); the secret files are fetch-secrets' (its own tests).
    const owner = (o: string) => o.split(':').map((n) => (n === gateway.user ? HOST_PATHS.user : n)).join(':');
    for (const entry of openclawHostFiles(gateway).filter((e) => !e.path.startsWith(`${gateway.secretsDir}/`))) {
      const agent = entry.path.match(/\/([^/]+)\/<file>$/)?.[1];
      const paths = agent ? agentFiles.filter((f) => f.agent === agent).map((f) => entry.path.replace(`${agent}/<file>`, f.relativePath)) : [entry.path];
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        expect({ path: p, ...meta(host(p)) }).toEqual({ path: p, type: 'file', owner: owner(entry.owner), mode: entry.mode, links: 1 });
        checked.push(p);
      }
    }
  }
  // Per gateway its openclaw.json and two include files; per agent file: itself and its mount point.
  expect(checked).toHaveLength(3 * agentGateways(config).length + 2 * agentFiles.length);
});

test('gateways.list: root 0644, the bundle\'s', () => {
  expect(meta(host(`${HOST_PATHS.configDir}/gateways.list`))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(`${HOST_PATHS.configDir}/gateways.list`), 'utf8')).toBe('ops openclaw-ops 18789 ops\nsupport openclaw-support 18790 support\n');
});

test('agent files: root:<gateway user> 0440 in root:<gateway user> 0750 folders (no other gateway reads them); the manifest matches them', () => {
  for (const f of agentFiles) {
    expect(meta(host(f.hostPath))).toEqual({ type: 'file', owner: `root:${HOST_PATHS.user}`, mode: '0440', links: 1 });
    expect(fs.readFileSync(host(f.hostPath)).equals(f.content)).toBe(true);
    expect(meta(host(path.posix.dirname(f.hostPath)))).toMatchObject({ type: 'dir', owner: `root:${HOST_PATHS.user}`, mode: '0750' });
  }
  expect(meta(host(HOST_PATHS.agentFilesDir))).toMatchObject({ type: 'dir', owner: 'root:root', mode: '0755' });
  expect(fs.readFileSync(host(HOST_PATHS.agentFilesManifest), 'utf8')).toBe(bundle['agents.sha256']);
});

test.each(['ops', 'support'])('gateway %s state: its user 0700, an empty read-only file at each BindReadOnlyPaths= destination of its unit', (id) => {
  const unit = fs.readFileSync(host(`/etc/systemd/system/openclaw-gateway@${id}.service`), 'utf8');
  const destinations = [...unit.matchAll(/^BindReadOnlyPaths=[^:\n]+:(.+)$/gm)].map((m) => m[1]!);
  expect(destinations).toEqual(agentFiles.filter((f) => f.agent === id).map((f) => `${HOST_PATHS.stateDir}/${id}/workspaces/${f.relativePath}`));
  for (const d of destinations) {
    expect(meta(host(d))).toEqual({ type: 'file', owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0444', links: 1 });
    expect(fs.statSync(host(d)).size).toBe(0);
  }
  for (const d of [`${HOST_PATHS.stateDir}/${id}`, `${HOST_PATHS.stateDir}/${id}/workspaces`, `${HOST_PATHS.stateDir}/${id}/workspaces/${id}`]) {
    expect(meta(host(d))).toMatchObject({ type: 'dir', owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0700' });
  }
  expect(meta(host(HOST_PATHS.stateDir))).toMatchObject({ type: 'dir', owner: 'root:root', mode: '0755' });
});

test('the CloudFront domain: in nginx\'s allowed origins and in host.env', () => {
  const map = fs.readFileSync(host('/etc/nginx/openclaw/allowed-origins.map.conf'), 'utf8');
  expect(map.split('\n').filter((l) => l.includes(CLOUDFRONT))).toEqual([`"https://${CLOUDFRONT}" 1;`]);
  expect(meta(host('/etc/nginx/openclaw/allowed-origins.map.conf'))).toMatchObject({ owner: 'root:root', mode: '0644' });
  const env = fs.readFileSync(host(`${HOST_PATHS.configDir}/host.env`), 'utf8');
  expect(env.startsWith(bundle['openclaw/host.env'] as string)).toBe(true);
  expect(env.split('\n').filter((l) => l.startsWith('OPENCLAW_CLOUDFRONT_DOMAIN='))).toEqual([`OPENCLAW_CLOUDFRONT_DOMAIN=${CLOUDFRONT}`]);
});

test('units, scripts, firewall and runtime: installed where the units expect them; the machine-changing commands as expected', () => {
  for (const u of [GATEWAY_UNIT, 'openclaw-gateway@support.service', 'openclaw-gateways.target']) expect(meta(host(`/etc/systemd/system/${u}`))).toMatchObject({ owner: 'root:root', mode: '0644' });
  expect(meta(host(`${HOST_PATHS.libexecDir}/check-agent-files.sh`))).toMatchObject({ owner: 'root:root', mode: '0755' });
  expect(meta(host('/etc/nftables/openclaw.nft'))).toMatchObject({ owner: 'root:root', mode: '0600' });
  expect(fs.readFileSync(host('/etc/sysconfig/nftables.conf'), 'utf8')).toBe('include "/etc/nftables/openclaw.nft"\n');
  // nginx's size-based rotation replaces the package's daily entry.
  expect(meta(host('/etc/logrotate.d/nginx'))).toMatchObject({ owner: 'root:root', mode: '0644' });
  expect(fs.readFileSync(host('/etc/logrotate.d/nginx'), 'utf8')).toBe(bundle['nginx/logrotate.conf']);
  expect(fs.readFileSync(host(HOST_PATHS.node), 'utf8')).toContain('v24.21.0');
  const c = calls();
  expect(c).toEqual(
    expect.arrayContaining([
      ['nft', '-c', '-f', host('/etc/nftables/openclaw.nft')],
      ['nft', '-f', host('/etc/nftables/openclaw.nft')],
      ['npm', 'ci', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund'],
      ['systemd-tmpfiles', '--create', host('/etc/tmpfiles.d/openclaw.conf')],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'start', STATE_VOLUME_UNIT],
      ['systemctl', 'enable', 'nftables.service', 'openclaw-imds-preflight.service', STATE_VOLUME_UNIT, 'openclaw-secrets.service', 'openclaw-gateways.target', 'openclaw-gateway@ops.service', 'openclaw-gateway@support.service', 'nginx.service'],
      [
        'systemctl', 'enable', '--now', CLOUDWATCH_AGENT_UNIT, LOG_EXPORT_TIMER, 'openclaw-integrity.timer', 'openclaw-secrets-refresh.timer', HEALTH_TIMER, SPEND_METER_TIMER,
        PROXY_ROTATE_TIMER,
        NGINX_ROTATE_TIMER,
      ],
      ['systemctl', 'start', '--no-block', 'openclaw-gateways.target', 'nginx.service'],
    ]),
  );
  // The audit trail runs before the gateway starts: the agent and the log export first.
  const systemctl = c.filter((x) => x[0] === 'systemctl').map((x) => x.join(' '));
  expect(systemctl.findIndex((x) => x.includes(CLOUDWATCH_AGENT_UNIT))).toBeLessThan(systemctl.findIndex((x) => x.startsWith('systemctl start --no-block')));
  // The refresh, health, export and spend-meter services are started by their timers (and SSM), never enabled on their own.
  for (const unit of [SECRETS_REFRESH_UNIT, HEALTH_UNIT, LOG_EXPORT_UNIT, SPEND_METER_UNIT]) expect(c.filter((x) => x[0] === 'systemctl').flat()).not.toContain(unit);
  expect(awsCalls()[0]).toEqual(['s3', 'cp', '--only-show-errors', '--region', config.aws.region, URI, expect.stringMatching(/^\/var\/tmp\/openclaw-bundle\.\w+\/bundle\.tar\.gz$/)]);
  expect(fs.readFileSync(host(`${HOST_PATHS.configDir}/bundle.sha256`), 'utf8')).toBe(`${sha256}\n`);
});

test('the state volume: its ID in host.env, its unit and script installed, and put in place before anything is written to the state folders', () => {
  const env = fs.readFileSync(host(`${HOST_PATHS.configDir}/host.env`), 'utf8').split('\n');
  expect(env.filter((l) => l.startsWith('OPENCLAW_STATE_VOLUME_ID='))).toEqual([`OPENCLAW_STATE_VOLUME_ID=${VOLUME}`]);
  expect(meta(host(`${HOST_PATHS.libexecDir}/attach-state-volume.sh`))).toMatchObject({ owner: 'root:root', mode: '0755' });
  expect(fs.readFileSync(host(`/etc/systemd/system/${STATE_VOLUME_UNIT}`), 'utf8')).toBe(bundle[`systemd/${STATE_VOLUME_UNIT}`]);
  // On the first run the state folder did not exist yet when the volume step ran.
  expect(fs.readFileSync(path.join(dir, 'state-dir-at-volume-step'), 'utf8').split('\n')[0]).toBe('absent');
  const systemctl = calls().filter((x) => x[0] === 'systemctl').map((x) => x.join(' '));
  expect(systemctl.indexOf(`systemctl start ${STATE_VOLUME_UNIT}`)).toBeGreaterThan(systemctl.indexOf('systemctl daemon-reload'));
  expect(systemctl.indexOf(`systemctl start ${STATE_VOLUME_UNIT}`)).toBeLessThan(systemctl.findIndex((x) => x.startsWith('systemctl start --no-block')));
});

test('refuses a state volume argument that is not a volume ID', async () => {
  const r = await runAsync(script, [URI, sha256, CLOUDFRONT, "vol-1'; rm -rf /"], {
    env: { PATH: `${bin}:/usr/bin:/bin`, OPENCLAW_INSTALL_ROOT: root, OPENCLAW_GATEWAY_USER: GATEWAY_USER },
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^openclaw-install: FAILED: state volume vol-1'; rm -rf \/ is not a vol-id/);
});

test('the secrets step: its scripts, the retrieval program, the manifest and the refresh units, where the units expect them', () => {
  for (const script of ['fetch-secrets.sh', 'refresh-secrets.sh']) {
    const p = host(`${HOST_PATHS.libexecDir}/${script}`);
    expect({ script, ...meta(p) }).toEqual({ script, type: 'file', owner: 'root:root', mode: '0755', links: 1 });
    expect(fs.readFileSync(p, 'utf8')).toBe(bundle[`scripts/${script}`]);
  }
  // Read by node, never executed; the manifest holds secret names and paths, no value.
  expect(meta(host(`${HOST_PATHS.libexecDir}/fetch-secrets.js`))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(`${HOST_PATHS.libexecDir}/fetch-secrets.js`), 'utf8')).toBe(bundle['scripts/fetch-secrets.js']);
  expect(meta(host(SECRETS_MANIFEST_PATH))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(SECRETS_MANIFEST_PATH), 'utf8')).toBe(bundle['openclaw/secrets-manifest.json']);
  for (const u of [SECRETS_REFRESH_UNIT, SECRETS_REFRESH_TIMER]) {
    expect({ u, ...meta(host(`/etc/systemd/system/${u}`)) }).toEqual({ u, type: 'file', owner: 'root:root', mode: '0644', links: 1 });
    expect(fs.readFileSync(host(`/etc/systemd/system/${u}`), 'utf8')).toBe(bundle[`systemd/${u}`]);
  }
});

test('the audit trail: the CloudWatch agent configuration where the agent reads it, the health check and log export with their units', () => {
  expect(meta(host(HOST_PATHS.cloudwatchAgentConfig))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(HOST_PATHS.cloudwatchAgentConfig), 'utf8')).toBe(bundle[CLOUDWATCH_AGENT_BUNDLE_PATH]);
  for (const script of ['check-gateway-health.sh', 'export-logs.sh']) {
    const p = host(`${HOST_PATHS.libexecDir}/${script}`);
    expect({ script, ...meta(p) }).toEqual({ script, type: 'file', owner: 'root:root', mode: '0755', links: 1 });
    expect(fs.readFileSync(p, 'utf8')).toBe(bundle[`scripts/${script}`]);
  }
  for (const u of [HEALTH_UNIT, HEALTH_TIMER, LOG_EXPORT_UNIT, LOG_EXPORT_TIMER]) {
    expect({ u, ...meta(host(`/etc/systemd/system/${u}`)) }).toEqual({ u, type: 'file', owner: 'root:root', mode: '0644', links: 1 });
    expect(fs.readFileSync(host(`/etc/systemd/system/${u}`), 'utf8')).toBe(bundle[`systemd/${u}`]);
  }
  // The audit folders are systemd's to create (LogsDirectory=, StateDirectory= of the export unit), root 0700.
  expect(fs.existsSync(host(HOST_PATHS.auditLogDir))).toBe(false);
});

test('the spend meter: its program and manifest (root 0644, read by node), its unit and timer; its state folder is systemd\'s to create', () => {
  expect(meta(host(`${HOST_PATHS.libexecDir}/spend-meter.js`))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(`${HOST_PATHS.libexecDir}/spend-meter.js`), 'utf8')).toBe(bundle[SPEND_METER_PROGRAM_PATH]);
  expect(meta(host(SPEND_METER_MANIFEST_PATH))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(SPEND_METER_MANIFEST_PATH), 'utf8')).toBe(bundle[SPEND_METER_MANIFEST_BUNDLE_PATH]);
  for (const u of [SPEND_METER_UNIT, SPEND_METER_TIMER]) {
    expect({ u, ...meta(host(`/etc/systemd/system/${u}`)) }).toEqual({ u, type: 'file', owner: 'root:root', mode: '0644', links: 1 });
    expect(fs.readFileSync(host(`/etc/systemd/system/${u}`), 'utf8')).toBe(bundle[`systemd/${u}`]);
  }
  expect(fs.existsSync(host(HOST_PATHS.spendMeterStateDir))).toBe(false);
});

test('the egress proxy: squid.conf checked by the real squid and installed root:squid 0640, squid started BEFORE the firewall loads, npm ci through it', () => {
  const c = calls().map((x) => x.join(' '));
  const squidConf = host(EGRESS_PROXY_CONFIG_FILE);
  expect(meta(squidConf)).toEqual({ type: 'file', owner: `root:${String(Number(execFileSync('id', ['-g', 'squid'], { encoding: 'utf8' })))}`, mode: '0640', links: 1 });
  expect(fs.readFileSync(squidConf, 'utf8')).toBe(renderEgressProxyConfig(config));
  const parse = c.findIndex((x) => /^squid -k parse -f \/var\/tmp\/openclaw-bundle\.\w+\/bundle\/squid\/squid\.conf$/.test(x));
  const enable = c.indexOf(`systemctl enable ${EGRESS_PROXY_UNIT}`);
  // First run: the file is new, so reload-or-restart (a start of a stopped unit; a reload, which
  // keeps open tunnels, of a running one).
  const start = c.indexOf(`systemctl reload-or-restart ${EGRESS_PROXY_UNIT}`);
  const firewall = c.indexOf(`nft -f ${host('/etc/nftables/openclaw.nft')}`);
  const npm = c.findIndex((x) => x.startsWith('npm ci'));
  expect([parse, enable, start, firewall, npm].every((i) => i >= 0)).toBe(true);
  expect(parse).toBeLessThan(enable);
  expect(enable).toBeLessThan(start);
  expect(start).toBeLessThan(firewall);
  expect(firewall).toBeLessThan(npm);
  // The state volume step (EC2 API calls through the proxy) comes after the proxy too.
  expect(start).toBeLessThan(c.indexOf(`systemctl start ${STATE_VOLUME_UNIT}`));
  expect(fs.readFileSync(path.join(dir, 'npm-proxy'), 'utf8').split('\n')[0]).toBe(`${EGRESS_PROXY_URL} ${EGRESS_PROXY_URL}`);
});

test('the bundle is downloaded by S3\'s regional name, in us-east-1 too (the name on the egress allowlist)', () => {
  expect(s3EndpointModes().length).toBeGreaterThan(0);
  expect([...new Set(s3EndpointModes())]).toEqual(['regional']);
});

test('squid comes back by itself (its restart drop-in), and dnf, login shells and sudo use the proxy too', () => {
  const dropIn = host(`/etc/systemd/system/${EGRESS_PROXY_RESTART_BUNDLE_PATH.replace(/^systemd\//, '')}`);
  expect(meta(dropIn)).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(dropIn, 'utf8')).toBe(bundle[EGRESS_PROXY_RESTART_BUNDLE_PATH]);
  expect(fs.readFileSync(dropIn, 'utf8')).toMatch(/^Restart=always$/m);
  // Installed before the daemon-reload that precedes squid's start.
  const c = calls().map((x) => x.join(' '));
  expect(c.indexOf('systemctl daemon-reload')).toBeLessThan(c.indexOf(`systemctl reload-or-restart ${EGRESS_PROXY_UNIT}`));
  // dnf: proxy= in [main] (the test root has no dnf.conf: the script made one).
  expect(fs.readFileSync(host('/etc/dnf/dnf.conf'), 'utf8')).toBe(`[main]\nproxy=${EGRESS_PROXY_URL}\n`);
  const profile = fs.readFileSync(host('/etc/profile.d/openclaw-proxy.sh'), 'utf8');
  expect(meta(host('/etc/profile.d/openclaw-proxy.sh'))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  for (const v of ['https_proxy', 'http_proxy', 'HTTPS_PROXY', 'HTTP_PROXY']) expect(profile).toContain(`\nexport ${v}=${EGRESS_PROXY_URL}\n`);
  for (const v of ['no_proxy', 'NO_PROXY']) expect(profile).toContain(`\nexport ${v}=${EGRESS_NO_PROXY.join(',')}\n`);
  expect(meta(host('/etc/sudoers.d/openclaw-proxy'))).toEqual({ type: 'file', owner: 'root:root', mode: '0440', links: 1 });
  expect(fs.readFileSync(host('/etc/sudoers.d/openclaw-proxy'), 'utf8')).toContain('\nDefaults env_keep += "http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY"\n');
});

test('dnf.conf of the AMI: proxy= goes right under [main], an earlier proxy= is replaced, the rest kept', async () => {
  const conf = host('/etc/dnf/dnf.conf');
  fs.writeFileSync(conf, '[main]\ngpgcheck=True\nproxy=http://old:1\ninstallonly_limit=3\n');
  const run = await install();
  expect(run.code).toBe(0);
  expect(fs.readFileSync(conf, 'utf8')).toBe(`[main]\nproxy=${EGRESS_PROXY_URL}\ngpgcheck=True\ninstallonly_limit=3\n`);
}, 90_000);

test('the SSM and CloudWatch agents: their proxy settings installed, a running agent restarted once (new settings)', () => {
  const ssm = host(`/etc/systemd/system/${SSM_AGENT_PROXY_BUNDLE_PATH.replace(/^systemd\//, '')}`);
  expect(meta(ssm)).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(ssm, 'utf8')).toBe(bundle[SSM_AGENT_PROXY_BUNDLE_PATH]);
  expect(fs.readFileSync(ssm, 'utf8')).toContain(`Environment="https_proxy=${EGRESS_PROXY_URL}"`);
  expect(meta(host(CLOUDWATCH_AGENT_PROXY_FILE))).toEqual({ type: 'file', owner: 'root:root', mode: '0644', links: 1 });
  expect(fs.readFileSync(host(CLOUDWATCH_AGENT_PROXY_FILE), 'utf8')).toBe(bundle[CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH]);
  const c = calls().map((x) => x.join(' '));
  expect(c.filter((x) => x.includes('try-restart'))).toEqual([`systemctl try-restart --no-block ${SSM_AGENT_UNIT}`, `systemctl try-restart ${CLOUDWATCH_AGENT_UNIT}`]);
  expect(c.indexOf(`systemctl try-restart --no-block ${SSM_AGENT_UNIT}`)).toBeGreaterThan(c.lastIndexOf('systemctl daemon-reload', c.indexOf(`systemctl try-restart --no-block ${SSM_AGENT_UNIT}`)));
});

test('running it again changes nothing: same modes, the domain once, npm ci skipped', async () => {
  const before = calls().filter((c) => c[0] === 'npm').length;
  const callsBefore = calls().length;
  const again = await install();
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('openclaw-install: node_modules already matches the lockfile');
  // Nothing changed: squid started (not restarted), the agents left alone; the download went through the proxy.
  const c = calls().slice(callsBefore).map((x) => x.join(' '));
  expect(c).toContain(`systemctl start ${EGRESS_PROXY_UNIT}`);
  expect(c.filter((x) => x.includes('restart'))).toEqual([]);
  expect(calls().filter((c) => c[0] === 'npm').length).toBe(before);
  expect(meta(host(`${HOST_PATHS.configDir}/gateways/ops/openclaw.json`))).toEqual({ type: 'file', owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', links: 1 });
  expect(fs.readFileSync(host(`${HOST_PATHS.configDir}/gateways/support/control-ui-origins.json`), 'utf8')).toBe(renderControlUiOrigins(config, [`https://${CLOUDFRONT}`]));
  expect(fs.readFileSync(host('/etc/nginx/openclaw/allowed-origins.map.conf'), 'utf8').split(CLOUDFRONT)).toHaveLength(2);
  const env = fs.readFileSync(host(`${HOST_PATHS.configDir}/host.env`), 'utf8').split('\n');
  expect(env.filter((l) => l.startsWith('OPENCLAW_CLOUDFRONT_DOMAIN='))).toEqual([`OPENCLAW_CLOUDFRONT_DOMAIN=${CLOUDFRONT}`]);
}, 90_000);

test('with "none" (no viewer domain known at synth) no origin is added, and nothing else changes', async () => {
  const run = await install('none');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  // The files from the earlier runs are replaced: the bundle's own origins, none added.
  expect(fs.readFileSync(host(`${HOST_PATHS.configDir}/gateways/support/control-ui-origins.json`), 'utf8')).toBe(bundle['openclaw/gateways/support/control-ui-origins.json']);
  const env = fs.readFileSync(host(`${HOST_PATHS.configDir}/host.env`), 'utf8').split('\n');
  expect(env.filter((l) => l.startsWith('OPENCLAW_CLOUDFRONT_DOMAIN='))).toEqual([]);
  expect(fs.readFileSync(host('/etc/nginx/openclaw/allowed-origins.map.conf'), 'utf8')).toBe(bundle['nginx/openclaw/allowed-origins.map.conf']);
  expect(meta(host(`${HOST_PATHS.configDir}/gateways/ops/openclaw.json`))).toEqual({ type: 'file', owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0400', links: 1 });
}, 90_000);

test('a failed state volume step stops the install: one FAILED line, the gateway is not started', async () => {
  const before = calls().length;
  const run = await install(CLOUDFRONT, '1');
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(`openclaw-install: FAILED: state volume step failed: journalctl -u ${STATE_VOLUME_UNIT}\n`);
  const after = calls().slice(before).filter((x) => x[0] === 'systemctl');
  expect(after.map((x) => x.join(' '))).toEqual([
    `systemctl is-active --quiet ${EGRESS_PROXY_UNIT}`,
    'systemctl daemon-reload',
    `systemctl enable ${EGRESS_PROXY_UNIT}`,
    `systemctl start ${EGRESS_PROXY_UNIT}`,
    'systemctl daemon-reload',
    `systemctl start ${STATE_VOLUME_UNIT}`,
  ]);
  expect(awsCalls().at(-1)).toEqual(['cloudwatch', 'put-metric-data', '--region', config.aws.region, '--namespace', expect.any(String), '--metric-name', 'BootPreflightFailed', '--dimensions', 'Step=Install', '--value', '1', '--unit', 'Count']);
}, 90_000);

test('a squid.conf that squid -k parse refuses stops the install before it replaces the proxy file or loads the firewall', async () => {
  const packed = packBundle({ ...bundle, 'squid/squid.conf': `${bundle['squid/squid.conf'] as string}no_such_directive on\n` });
  const badFile = path.join(dir, 'bad-bundle.tar.gz');
  fs.writeFileSync(badFile, packed.archive);
  const installed = fs.readFileSync(host('/etc/squid/squid.conf'), 'utf8');
  const before = calls().length;
  const run = await runAsync(script, [URI, packed.sha256, CLOUDFRONT, VOLUME], {
    env: { PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, FAKE_S3_FILE: badFile, OPENCLAW_INSTALL_ROOT: root, OPENCLAW_GATEWAY_USER: GATEWAY_USER },
    timeoutMs: 60_000,
  });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("squid -k parse rejects the bundle's squid/squid.conf");
  expect(run.stderr.trim().split('\n').at(-1)).toBe('openclaw-install: FAILED: egress proxy step failed');
  expect(fs.readFileSync(host('/etc/squid/squid.conf'), 'utf8')).toBe(installed);
  const after = calls().slice(before).map((x) => x.join(' '));
  expect(after.filter((x) => x.startsWith('nft ') || x.startsWith('npm ') || /systemctl (start|restart|enable)/.test(x))).toEqual([]);
}, 90_000);

test('day 2: a gateway the bundle no longer lists (its agent removed) is stopped, disabled and its unit removed; the listed ones stay', async () => {
  const stale = host('/etc/systemd/system/openclaw-gateway@retired.service');
  fs.copyFileSync(host(`/etc/systemd/system/${GATEWAY_UNIT}`), stale);
  // Its state stays on the volume, owned by a uid a gateway user of this host may have been given;
  // the earlier single gateway's folder (the earlier user's, here nobody) and root's lost+found stay as they are.
  const state = (p: string) => host(`${HOST_PATHS.stateDir}/${p}`);
  fs.mkdirSync(state('retired/agents'), { recursive: true });
  fs.writeFileSync(state('retired/agents/sessions.json'), '{"kept":true}');
  fs.chownSync(state('retired'), 4242, 4242);
  fs.chmodSync(state('retired'), 0o750);
  fs.mkdirSync(state('agents'));
  fs.chownSync(state('agents'), 65534, 65534);
  fs.chmodSync(state('agents'), 0o700);
  fs.mkdirSync(state('lost+found'), { mode: 0o700 });
  const before = calls().length;
  const run = await install(CLOUDFRONT, '0', { OPENCLAW_EARLIER_USER: 'nobody' });
  expect([run.code, run.stderr]).toEqual([0, '']);
  expect(run.stdout).toContain('openclaw-install: gateway openclaw-gateway@retired.service is no longer in the bundle: stopping and disabling it\n');
  expect(run.stdout).toContain(`prepare-state: ${state('retired')} belongs to no gateway of this host (uid 4242): made root's, 0700, contents kept\n`);
  expect(meta(state('retired'))).toMatchObject({ type: 'dir', owner: 'root:root', mode: '0700' });
  expect(fs.readFileSync(state('retired/agents/sessions.json'), 'utf8')).toBe('{"kept":true}');
  expect(meta(state('agents'))).toMatchObject({ owner: '65534:65534', mode: '0700' });
  expect(meta(state('lost+found'))).toMatchObject({ owner: 'root:root', mode: '0700' });
  for (const id of ['ops', 'support']) expect(meta(state(id))).toMatchObject({ owner: `${HOST_PATHS.user}:${HOST_PATHS.user}`, mode: '0700' });
  expect(run.stdout.match(/prepare-state: .* made root's/g)).toHaveLength(1);
  const c = calls().slice(before);
  expect(c).toContainEqual(['systemctl', 'disable', '--now', 'openclaw-gateway@retired.service']);
  expect(c.filter((x) => x[0] === 'systemctl' && x[1] === 'disable')).toEqual([['systemctl', 'disable', '--now', 'openclaw-gateway@retired.service']]);
  expect(fs.existsSync(stale)).toBe(false);
  for (const u of [GATEWAY_UNIT, 'openclaw-gateway@support.service']) expect(fs.existsSync(host(`/etc/systemd/system/${u}`))).toBe(true);
}, 90_000);
