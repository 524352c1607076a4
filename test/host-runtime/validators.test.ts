import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { HOST_PATHS } from '../../lib/host/paths';
import { PLACEHOLDER_STATE_VOLUME, USER_DATA_PATH, renderUserData } from '../../lib/host/cloud-init';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import {
  GATEWAYS_TARGET,
  HEALTH_TIMER,
  HEALTH_UNIT,
  INTEGRITY_TIMER,
  INTEGRITY_UNIT,
  LOG_EXPORT_TIMER,
  LOG_EXPORT_UNIT,
  PREFLIGHT_UNIT,
  SECRETS_REFRESH_TIMER,
  SECRETS_REFRESH_UNIT,
  SECRETS_UNIT,
  SPEND_METER_TIMER,
  SPEND_METER_UNIT,
} from '../../lib/host/unit-names';
import { parseUnit } from '../../lib/host/unit-file';
import { allConfigs } from '../host/support/host-tools';
import { agentGateways } from '../../lib/openclaw/gateways';
import { CONFIG_DIR, REPO_ROOT } from '../support/config-fixture';
import { requireRuntimeTool, runAsync, tempDir } from './support/runtime-tools';
import { scratchDirs } from '../support/find-tool';

// The rendered runtime files of every client x environment, checked by the
// real tools: `cloud-init schema` (Debian's cloud-init 22.4.2), `shellcheck -S
// style`, and `systemd-analyze verify` / `security --offline` against a
// temporary root (no running systemd needed). Each tool also gets a broken
// input, to show that it does reject what it should.

const CONFIGS = allConfigs();
const ids = CONFIGS.map((c, i) => [`${c.client}/${c.env}`, i] as const);
const BUNDLE = { s3Uri: 's3://cdk-hnb659fds-assets-123456789012-eu-west-1/4f1c2e.tar.gz', sha256: 'ab'.repeat(32) };
const EDGE = { cloudFrontDomain: 'd111111abcdef8.cloudfront.net' };
/** The units of every host besides its gateway units (gatewayUnits). */
const UNITS = [
  GATEWAYS_TARGET,
  PREFLIGHT_UNIT,
  SECRETS_UNIT,
  INTEGRITY_UNIT,
  INTEGRITY_TIMER,
  SECRETS_REFRESH_UNIT,
  SECRETS_REFRESH_TIMER,
  HEALTH_UNIT,
  HEALTH_TIMER,
  LOG_EXPORT_UNIT,
  LOG_EXPORT_TIMER,
  SPEND_METER_UNIT,
  SPEND_METER_TIMER,
];
/** The gateway units of the config at index `i`: openclaw-gateway@<id>.service, one per gateway. */
const gatewayUnits = (i: number) => agentGateways(CONFIGS[i]!).map((g) => g.unit);

/** The systemd unit folder of this machine, copied into each temporary root. */
const SYSTEM_UNIT_DIR = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => fs.existsSync(path.join(d, 'multi-user.target')));

const { scratch, cleanup } = scratchDirs(tempDir);
afterAll(cleanup);

describe('cloud-init schema accepts the rendered user data', () => {
  let cloudInit: string;
  beforeAll(() => {
    cloudInit = requireRuntimeTool('cloud-init');
  });

  test.each(ids)('%s', async (_id, i) => {
    const file = path.join(scratch('oc-ud-'), 'user-data.yaml');
    fs.writeFileSync(file, renderUserData(CONFIGS[i]!, BUNDLE, EDGE, PLACEHOLDER_STATE_VOLUME));
    const r = await runAsync(cloudInit, ['schema', '-c', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Valid cloud-config');
    expect(r.code).toBe(0);
  });

  test('and rejects a broken one (file mode as a YAML integer)', async () => {
    const file = path.join(scratch('oc-ud-'), 'user-data.yaml');
    fs.writeFileSync(file, renderUserData(CONFIGS[0]!, BUNDLE, EDGE, PLACEHOLDER_STATE_VOLUME).replace("permissions: '0700'", 'permissions: 700'));
    const r = await runAsync(cloudInit, ['schema', '-c', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('write_files.0.permissions: 700 is not of type');
  });
});

describe('the user data has what the boot relies on (parsed with yaml)', () => {
  test.each(ids)('%s', (_id, i) => {
    const text = renderUserData(CONFIGS[i]!, BUNDLE, EDGE, PLACEHOLDER_STATE_VOLUME);
    expect(text.split('\n')[0]).toBe('#cloud-config');
    const doc = parseYaml(text) as Record<string, unknown>;
    expect(doc.package_update).toBe(false);
    expect(doc.package_upgrade).toBe(false);
    // OS repositories only; nodejs + npm only to run `npm ci` of the lockfile.
    // e2fsprogs: mkfs.ext4 for a blank state volume (attach-state-volume.sh).
    expect(doc.packages).toEqual(['nginx', 'nftables', 'squid', 'amazon-cloudwatch-agent', 'awscli-2', 'nodejs22', 'nodejs22-npm', 'e2fsprogs']);
    expect(doc.groups).toEqual([HOST_PATHS.user]);
    expect(doc.users).toEqual([
      'default',
      {
        name: HOST_PATHS.user,
        system: true,
        primary_group: HOST_PATHS.user,
        shell: '/sbin/nologin',
        homedir: HOST_PATHS.stateDir,
        no_create_home: true,
        lock_passwd: true,
      },
    ]);
    const installer = `${HOST_PATHS.libexecDir}/install-bundle.sh`;
    expect(doc.write_files).toEqual([{ path: installer, owner: 'root:root', permissions: '0700', content: expect.stringMatching(/^#!\/usr\/bin\/env bash\n/) }]);
    expect(doc.runcmd).toEqual([[installer, BUNDLE.s3Uri, BUNDLE.sha256, EDGE.cloudFrontDomain, PLACEHOLDER_STATE_VOLUME.volumeId]]);
    // Nothing fetched outside the pinned paths: no curl | sh, no wget, no npm install.
    expect(text).not.toMatch(/curl[^\n]*\|\s*(ba)?sh|wget |npm install|npm i /);
  });
});

describe('shellcheck -S style accepts every shell script', () => {
  let shellcheck: string;
  beforeAll(() => {
    shellcheck = requireRuntimeTool('shellcheck');
  });

  test.each(ids)('%s', async (_id, i) => {
    const dir = scratch('oc-sh-');
    const files = renderRuntimeFiles(CONFIGS[i]!, CONFIG_DIR);
    const scripts = Object.keys(files).filter((rel) => rel.endsWith('.sh'));
    expect(scripts.sort()).toEqual([
      'scripts/attach-state-volume.sh',
      'scripts/check-agent-files.sh',
      'scripts/check-gateway-health.sh',
      'scripts/export-logs.sh',
      'scripts/fetch-secrets.sh',
      'scripts/imds-preflight.sh',
      'scripts/install-bundle.sh',
      'scripts/install-gateways.sh',
      'scripts/prepare-state.sh',
      'scripts/record-clean-stop.sh',
      'scripts/refresh-secrets.sh',
      'scripts/run-gateway-probes.sh',
      'scripts/start-egress-proxy.sh',
    ]);
    const paths = scripts.map((rel) => {
      const file = path.join(dir, path.basename(rel));
      fs.writeFileSync(file, files[rel]!);
      return file;
    });
    const r = await runAsync(shellcheck, ['-S', 'style', '-s', 'bash', ...paths]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('.ci/install-host-tools.sh too', async () => {
    const r = await runAsync(shellcheck, ['-S', 'style', path.join(REPO_ROOT, '.ci', 'install-host-tools.sh')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('and rejects a script with an unquoted expansion', async () => {
    const file = path.join(scratch('oc-sh-'), 'bad.sh');
    fs.writeFileSync(file, '#!/usr/bin/env bash\nrm -rf $1/tmp\n');
    const r = await runAsync(shellcheck, ['-S', 'style', file]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('SC2086');
  });
});

/**
 * A temporary root for systemd-analyze --root: this machine's unit folder (for
 * targets and the stock nginx.service and nftables.service), the rendered units
 * and drop-in in /etc/systemd/system, the rendered scripts in the libexec folder,
 * and an executable stand-in for every other command the units run (node).
 */
function systemdRoot(files: Record<string, string>): string {
  if (!SYSTEM_UNIT_DIR) throw new Error('no systemd unit folder (multi-user.target) on this machine; install systemd: bash .ci/install-host-tools.sh');
  const root = scratch('oc-root-');
  fs.cpSync(SYSTEM_UNIT_DIR, path.join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  for (const [rel, content] of Object.entries(files)) {
    if (rel.startsWith('systemd/tmpfiles.d/')) continue;
    const dest = rel.startsWith('systemd/')
      ? path.join(root, 'etc/systemd/system', rel.slice('systemd/'.length))
      : rel.startsWith('scripts/')
        ? path.join(root, HOST_PATHS.libexecDir, path.basename(rel))
        : undefined;
    if (!dest) continue;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, content, { mode: rel.startsWith('scripts/') ? 0o755 : 0o644 });
  }
  const gatewayUnitFiles = Object.keys(files).filter((f) => /^systemd\/openclaw-gateway@[^/]+\.service$/.test(f)).map((f) => f.slice('systemd/'.length));
  const units = [...[...gatewayUnitFiles, ...UNITS].map((u) => path.join(root, 'etc/systemd/system', u)), path.join(root, 'usr/lib/systemd/system/nginx.service')];
  for (const unit of units.filter((u) => fs.existsSync(u))) {
    for (const e of parseUnit(fs.readFileSync(unit, 'utf8'))) {
      if (!e.key.startsWith('Exec')) continue;
      const exe = e.value.replace(/^[-@:+!]+/, '').split(/\s+/)[0]!;
      const stub = path.join(root, exe);
      if (exe.startsWith('/') && !fs.existsSync(stub)) {
        fs.mkdirSync(path.dirname(stub), { recursive: true });
        fs.writeFileSync(stub, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      }
    }
  }
  return root;
}

describe('systemd-analyze verify accepts every unit (and the nginx drop-in), without a warning', () => {
  let analyze: string;
  beforeAll(() => {
    analyze = requireRuntimeTool('systemd-analyze');
  });

  test.each(ids)('%s', async (_id, i) => {
    const root = systemdRoot(renderRuntimeFiles(CONFIGS[i]!, CONFIG_DIR));
    const nginx = fs.existsSync(path.join(root, 'usr/lib/systemd/system/nginx.service')) ? ['nginx.service'] : [];
    expect(gatewayUnits(i).length).toBeGreaterThan(0);
    const r = await runAsync(analyze, ['verify', '--man=no', '--generators=no', `--root=${root}`, ...gatewayUnits(i), ...UNITS, ...nginx], { cwd: root });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('the example verifies exactly its two gateway units, each an instance file that systemd loads as it is (no template on the host)', async () => {
    const i = CONFIGS.findIndex((c) => c.client === 'example' && c.env === 'prod');
    expect(gatewayUnits(i)).toEqual(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service']);
    const root = systemdRoot(renderRuntimeFiles(CONFIGS[i]!, CONFIG_DIR));
    expect(fs.existsSync(path.join(root, 'etc/systemd/system/openclaw-gateway@.service'))).toBe(false);
    const ok = await runAsync(analyze, ['verify', '--man=no', '--generators=no', `--root=${root}`, 'openclaw-gateway@support.service'], { cwd: root });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    // An instance that was not rendered has no unit file at all: nothing to start.
    const other = await runAsync(analyze, ['verify', '--man=no', '--generators=no', `--root=${root}`, 'openclaw-gateway@rogue.service'], { cwd: root });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/openclaw-gateway@rogue\.service/);
  });

  test('and rejects a unit with an unknown directive or a missing command', async () => {
    const files = renderRuntimeFiles(CONFIGS[0]!, CONFIG_DIR);
    const root = systemdRoot(files);
    const unit = path.join(root, 'etc/systemd/system', 'openclaw-gateway@support.service');
    fs.writeFileSync(unit, fs.readFileSync(unit, 'utf8').replace('NoNewPrivileges=yes', 'NoNewPrivilege=yes'));
    fs.rmSync(path.join(root, HOST_PATHS.node));
    const r = await runAsync(analyze, ['verify', '--man=no', '--generators=no', `--root=${root}`, 'openclaw-gateway@support.service'], { cwd: root });
    expect(r.stderr).toContain("Unknown key 'NoNewPrivilege' in section [Service]");
    expect(r.stderr).toContain(`Command ${HOST_PATHS.node} is not executable`);
    expect(r.code).not.toBe(0);
  });
});

describe('systemd-analyze security --offline rates each service OK', () => {
  // Exposure 0.0 (locked down) to 10.0 (unprotected); the gateway scores about 1.3.
  const THRESHOLDS: Record<string, number> = {
    [PREFLIGHT_UNIT]: 2.0,
    [SECRETS_UNIT]: 3.0,
    [INTEGRITY_UNIT]: 3.0,
    [SECRETS_REFRESH_UNIT]: 3.0,
    [HEALTH_UNIT]: 2.0,
    [LOG_EXPORT_UNIT]: 2.0,
    [SPEND_METER_UNIT]: 2.0,
  };

  test.each(ids)('%s', async (_id, i) => {
    const analyze = requireRuntimeTool('systemd-analyze');
    const root = systemdRoot(renderRuntimeFiles(CONFIGS[i]!, CONFIG_DIR));
    // Every gateway unit: 2.0 at most (each scores about 1.3).
    for (const [unit, max] of [...gatewayUnits(i).map((u) => [u, 2.0] as const), ...Object.entries(THRESHOLDS)]) {
      const r = await runAsync(analyze, ['security', '--offline=yes', `--root=${root}`, `--threshold=${Math.round(max * 10)}`, '--no-pager', unit], { cwd: root });
      const level = /Overall exposure level for \S+: (\d+\.\d)/.exec(r.stdout)?.[1];
      expect({ unit, level: Number(level), code: r.code }).toEqual({ unit, level: expect.any(Number), code: 0 });
      expect(Number(level)).toBeLessThanOrEqual(max);
    }
  });
});

test('the runtime files are rendered for every client x environment with nothing left unfilled', () => {
  for (const config of CONFIGS) {
    const files = renderRuntimeFiles(config, CONFIG_DIR);
    expect(Object.keys(files)).toContain(USER_DATA_PATH);
    for (const [rel, content] of Object.entries(files)) expect({ rel, leftover: /@@[A-Z0-9_]+@@/.exec(content)?.[0] }).toEqual({ rel, leftover: undefined });
  }
});
