import { renderCloudWatchAgentProxyConfig } from '../../lib/host/cloudwatch-agent-proxy';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { listAgentFiles } from '../../lib/openclaw/agent-files';
import { renderControlUiOrigins } from '../../lib/openclaw/control-ui-origins';
import { agentGateways } from '../../lib/openclaw/gateways';
import { renderGatewaysList } from '../../lib/host/gateways-list';
import { renderSecretsManifest } from '../../lib/secrets/secrets-manifest';
import { renderUserData } from '../../lib/host/cloud-init';
import { renderCloudWatchAgentConfig } from '../../lib/host/cloudwatch-agent';
import { renderHostFiles } from '../../lib/host/render';
import { spendMeterManifestText } from '../../lib/host/spend-meter';
import { renderHostTemplate } from '../../lib/host/template-values';
import { renderSystemdFiles } from '../../lib/host/systemd-units';
import { AGENT_FILES_PREFIX, AGENT_MANIFEST_PATH, RUNTIME_PACKAGE_FILES, gatewayBundlePaths, gatewayConfigFiles, gatewayConfigBundlePath, gatewayControlUiOriginsBundlePath, gatewayExecApprovalsBundlePath, SCRIPT_FILES, assembleBundleFiles, packBundle, renderAgentFilesManifest, renderBundleRuntimeFiles, renderRuntimeFiles, type BundleFiles } from '../../lib/host/runtime-files';
import { BUNDLE_REQUIRED_FILES } from '../../lib/host/bundle-layout';
import { PLACEHOLDER_BUNDLE, PLACEHOLDER_EDGE, PLACEHOLDER_STATE_VOLUME } from '../../lib/host/cloud-init';
import { CONFIG_DIR, REPO_ROOT } from '../support/config-fixture';
import { exampleConfig } from './support/host-tools';

// The two bundled host programs are built by esbuild (slow, tested in their own files):
// here they are fixed texts, so the bundle's assembly is tested fast.
jest.mock('../../lib/bundling/host-programs', () => ({ bundleFetchSecrets: () => '// fetch-secrets program\n', bundleSpendMeter: () => '// spend-meter program\n', bundleAgentAudit: () => '// agent-audit program\n', bundleGatewayProbe: () => '// gateway-probe program\n' }));

// lib/host/runtime-files.ts on its own, fast: which runtime files are rendered, what the
// bundle holds, the agent manifest's format, and packBundle's tar (every header field read
// back here) and refusals. GNU tar and sha256sum reading them: test/host-runtime/render.test.ts.

const config = exampleConfig('prod');
const sha = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

test('the bundle paths and script list, exactly', () => {
  expect(SCRIPT_FILES).toEqual([
    'scripts/imds-preflight.sh',
    'scripts/check-agent-files.sh',
    'scripts/fetch-secrets.sh',
    'scripts/refresh-secrets.sh',
    'scripts/check-gateway-health.sh',
    'scripts/export-logs.sh',
    'scripts/attach-state-volume.sh',
    'scripts/prepare-state.sh',
    'scripts/start-egress-proxy.sh',
    'scripts/install-gateways.sh',
    'scripts/record-clean-stop.sh',
    'scripts/run-gateway-probes.sh',
    'scripts/install-bundle.sh',
  ]);
  expect([AGENT_FILES_PREFIX, AGENT_MANIFEST_PATH, gatewayConfigBundlePath('ops'), gatewayControlUiOriginsBundlePath('ops'), gatewayExecApprovalsBundlePath('ops')]).toEqual([
    'agents/',
    'agents.sha256',
    'openclaw/gateways/ops/openclaw.json',
    'openclaw/gateways/ops/control-ui-origins.json',
    'openclaw/gateways/ops/exec-approvals.json',
  ]);
  expect(RUNTIME_PACKAGE_FILES).toEqual(['package.json', 'package-lock.json']);
});

describe('renderRuntimeFiles and renderBundleRuntimeFiles', () => {
  const files = renderRuntimeFiles(config, CONFIG_DIR);

  test('the user data, the systemd files and host.env, and every script, each from its renderer', () => {
    expect(files).toEqual({
      'cloud-init/user-data.yaml': renderUserData(config, PLACEHOLDER_BUNDLE, PLACEHOLDER_EDGE, PLACEHOLDER_STATE_VOLUME),
      ...renderSystemdFiles(config, CONFIG_DIR),
      ...Object.fromEntries(SCRIPT_FILES.map((s) => [s, renderHostTemplate(config, s)])),
    });
    expect(Object.keys(files)[0]).toBe('cloud-init/user-data.yaml');
  });

  test('the user data points at the bundle, domain and volume given', () => {
    const bundle = { s3Uri: 's3://bucket-x/k.tar.gz', sha256: 'b'.repeat(64) };
    const edge = { cloudFrontDomain: 'd1.cloudfront.net' };
    const stateVolume = { volumeId: 'vol-0123abcd' };
    expect(renderRuntimeFiles(config, CONFIG_DIR, { bundle, edge, stateVolume })['cloud-init/user-data.yaml']).toBe(renderUserData(config, bundle, edge, stateVolume));
  });

  test('the bundle\'s share: all of it but the user data and the installer it embeds', () => {
    const bundled = renderBundleRuntimeFiles(config, CONFIG_DIR);
    expect(Object.keys(bundled)).toEqual(Object.keys(files).filter((f) => f !== 'cloud-init/user-data.yaml' && f !== 'scripts/install-bundle.sh'));
    expect(Object.keys(bundled)).toHaveLength(Object.keys(files).length - 2);
  });
});

describe('assembleBundleFiles', () => {
  const files = assembleBundleFiles(config, CONFIG_DIR);
  const agents = listAgentFiles(config, CONFIG_DIR);

  test('every file, from its renderer, and nothing else', () => {
    const pkg = (f: string) => fs.readFileSync(path.join(REPO_ROOT, 'host', 'openclaw', f), 'utf8');
    expect(files).toEqual({
      ...renderHostFiles(config),
      ...renderBundleRuntimeFiles(config, CONFIG_DIR),
      'openclaw/gateways.list': renderGatewaysList(config),
      ...gatewayConfigFiles(config, agentGateways(config)[0]!),
      ...gatewayConfigFiles(config, agentGateways(config)[1]!),
      'scripts/fetch-secrets.js': '// fetch-secrets program\n',
      'openclaw/secrets-manifest.json': `${JSON.stringify(renderSecretsManifest(config), null, 2)}\n`,
      'scripts/spend-meter.js': '// spend-meter program\n',
      'scripts/agent-audit.js': '// agent-audit program\n',
      'scripts/gateway-probe.js': '// gateway-probe program\n',
      'openclaw/spend-meter.json': spendMeterManifestText(config),
      'cloudwatch/amazon-cloudwatch-agent.json': renderCloudWatchAgentConfig(config),
      'cloudwatch/common-config.toml': renderCloudWatchAgentProxyConfig(),
      'openclaw/package.json': pkg('package.json'),
      'openclaw/package-lock.json': pkg('package-lock.json'),
      ...Object.fromEntries(agents.map((a) => [`agents/${a.relativePath}`, a.content])),
      'agents.sha256': renderAgentFilesManifest(Object.fromEntries(agents.map((a) => [a.relativePath, a.content]))),
    });
    expect(Object.keys(files).filter((f) => f.startsWith('agents/'))).toEqual([
      'agents/ops/AGENTS.md',
      'agents/ops/SOUL.md',
      'agents/support/AGENTS.md',
      'agents/support/SOUL.md',
    ]);
    expect(Buffer.isBuffer(files['agents/ops/SOUL.md'])).toBe(true);
    expect(Object.keys(files).filter((f) => f.startsWith('openclaw/gateways') || f.startsWith('systemd/openclaw-gateway'))).toEqual([
      'systemd/openclaw-gateway@ops.service',
      'systemd/openclaw-gateway@support.service',
      'systemd/openclaw-gateways.target',
      'openclaw/gateways.list',
      'openclaw/gateways/ops/openclaw.json',
      'openclaw/gateways/ops/control-ui-origins.json',
      'openclaw/gateways/ops/exec-approvals.json',
      'openclaw/gateways/support/openclaw.json',
      'openclaw/gateways/support/control-ui-origins.json',
      'openclaw/gateways/support/exec-approvals.json',
    ]);
    expect(files['openclaw/gateways.list']).toBe('ops openclaw-ops 18789 ops\nsupport openclaw-support 18790 support\n');
  });

  test('origins known at synth go into nginx\'s map and control-ui-origins.json', () => {
    const origin = 'https://console.other-origin.test';
    const withOrigin = assembleBundleFiles(config, CONFIG_DIR, { extraAllowedOrigins: [origin] });
    expect(withOrigin['nginx/openclaw/allowed-origins.map.conf']).toBe(renderHostFiles(config, { extraAllowedOrigins: [origin] })['nginx/openclaw/allowed-origins.map.conf']);
    for (const id of ['ops', 'support']) {
      expect(withOrigin[`openclaw/gateways/${id}/control-ui-origins.json`]).toBe(renderControlUiOrigins(config, [origin]));
      expect(withOrigin[`openclaw/gateways/${id}/control-ui-origins.json`]).toContain(origin);
      expect(files[`openclaw/gateways/${id}/control-ui-origins.json`]).not.toContain(origin);
    }
    expect(withOrigin['nginx/openclaw/allowed-origins.map.conf']).toContain(origin);
    expect(files['nginx/openclaw/allowed-origins.map.conf']).not.toContain(origin);
  });

  test('packBundle accepts it', () => {
    expect(packBundle(files).sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('renderAgentFilesManifest', () => {
  test('sha256sum format, sorted by path', () => {
    expect(renderAgentFilesManifest({ 'b/SOUL.md': 'two', 'a/AGENTS.md': Buffer.from('one') })).toBe(`${sha('one')}  a/AGENTS.md\n${sha('two')}  b/SOUL.md\n`);
  });

  test('refuses no agent files', () => {
    expect(() => renderAgentFilesManifest({})).toThrow(new Error('agent files manifest: no agent files'));
  });

  test.each(['../x/SOUL.md', 'a/./SOUL.md', 'a/../SOUL.md', '/a/SOUL.md', 'a//SOUL.md', 'a/SOUL.md/', 'a b/SOUL.md', 'a/SOUL$.md', '', '..', '.'])('refuses the path %j', (rel) => {
    expect(() => renderAgentFilesManifest({ [rel]: 'x' })).toThrow(
      new Error(`agent files manifest: path ${JSON.stringify(rel)} must be relative, without "." or ".." parts, of [A-Za-z0-9._@+-]`),
    );
  });

  test('accepts names with the allowed punctuation, and dots inside names', () => {
    expect(renderAgentFilesManifest({ 'a-b_c/x.y@z+1..md': 'x' })).toBe(`${sha('x')}  a-b_c/x.y@z+1..md\n`);
  });
});

/** The smallest bundle packBundle accepts: every required file, one agent file, its manifest. */
function minimalBundle(extra: BundleFiles = {}): BundleFiles {
  const agents = { 'ops/SOUL.md': Buffer.from('# Ops\n') };
  return {
    ...Object.fromEntries(BUNDLE_REQUIRED_FILES.map((f) => [f, `${f}\n`])),
    'openclaw/gateways.list': 'ops openclaw-ops 18789 ops\n',
    ...Object.fromEntries(gatewayBundlePaths('ops openclaw-ops 18789 ops\n').map((f) => [f, `${f}\n`])),
    'agents/ops/SOUL.md': agents['ops/SOUL.md'],
    'agents.sha256': renderAgentFilesManifest(agents),
    ...extra,
  };
}

interface TarEntry {
  name: string;
  prefix: string;
  mode: string;
  uid: string;
  gid: string;
  size: number;
  mtime: string;
  checksumOk: boolean;
  checksumField: string;
  type: string;
  magic: string;
  version: string;
  uname: string;
  gname: string;
  data: Buffer;
}

/** Reads a ustar archive back, every header field as written. */
function readTar(archive: Buffer): { entries: TarEntry[]; trailer: Buffer } {
  const tar = zlib.gunzipSync(archive);
  const str = (b: Buffer, o: number, n: number) => b.subarray(o, o + n).toString('utf8').replace(/\0+$/, '');
  const entries: TarEntry[] = [];
  let off = 0;
  while (tar.subarray(off, off + 512).some((x) => x !== 0)) {
    const h = tar.subarray(off, off + 512);
    const size = parseInt(str(h, 124, 12), 8);
    const forSum = Buffer.from(h);
    forSum.fill(' ', 148, 156);
    const sum = forSum.reduce((a, x) => a + x, 0);
    entries.push({
      name: str(h, 0, 100),
      prefix: str(h, 345, 155),
      mode: h.subarray(100, 108).toString('latin1'),
      uid: h.subarray(108, 116).toString('latin1'),
      gid: h.subarray(116, 124).toString('latin1'),
      size,
      mtime: h.subarray(136, 148).toString('latin1'),
      checksumField: h.subarray(148, 156).toString('latin1'),
      checksumOk: parseInt(str(h, 148, 8), 8) === sum,
      type: h.subarray(156, 157).toString('latin1'),
      magic: h.subarray(257, 263).toString('latin1'),
      version: h.subarray(263, 265).toString('latin1'),
      uname: str(h, 265, 32),
      gname: str(h, 297, 32),
      data: tar.subarray(off + 512, off + 512 + size),
    });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return { entries, trailer: tar.subarray(off) };
}

describe('packBundle', () => {
  test('a ustar archive: sorted entries, root:root 0644, mtime 0, regular files, valid checksums, data padded to 512', () => {
    const files = minimalBundle({ 'z/odd.bin': Buffer.from([1, 2, 3]), 'z/empty': '' });
    const { entries, trailer } = readTar(packBundle(files).archive);
    expect(entries.map((e) => e.name)).toEqual(Object.keys(files).sort());
    for (const e of entries) {
      expect({ ...e, name: '', data: Buffer.alloc(0), size: 0 }).toEqual({
        name: '',
        prefix: '',
        mode: '0000644\0',
        uid: '0000000\0',
        gid: '0000000\0',
        size: 0,
        mtime: '00000000000\0',
        checksumOk: true,
        checksumField: expect.stringMatching(/^[0-7]{6}\0 $/) as unknown as string,
        type: '0',
        magic: 'ustar\0',
        version: '00',
        uname: 'root',
        gname: 'root',
        data: Buffer.alloc(0),
      });
      expect(e.data).toEqual(Buffer.isBuffer(files[e.name]) ? files[e.name] : Buffer.from(files[e.name] as string, 'utf8'));
    }
    expect(trailer).toEqual(Buffer.alloc(1024));
  });

  test('deterministic: the same files give the same archive; its SHA-256 is the archive\'s', () => {
    const a = packBundle(minimalBundle());
    const b = packBundle(Object.fromEntries(Object.entries(minimalBundle()).reverse()));
    expect(a.archive.equals(b.archive)).toBe(true);
    expect(a.sha256).toBe(sha(a.archive));
    expect(packBundle(minimalBundle({ 'x/y': 'z' })).sha256).not.toBe(a.sha256);
  });

  test('gzip at level 9', () => {
    const files = minimalBundle();
    const archive = packBundle(files).archive;
    expect(archive.equals(zlib.gzipSync(zlib.gunzipSync(archive), { level: 9 }))).toBe(true);
    expect(archive.equals(zlib.gzipSync(zlib.gunzipSync(archive)))).toBe(false);
  });

  test('a path over 100 bytes is split into prefix and name at a slash', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(90)}`;
    const { entries } = readTar(packBundle(minimalBundle({ [long]: 'x' })).archive);
    const e = entries.find((x) => x.name === 'f'.repeat(90))!;
    expect([e.prefix, e.checksumOk]).toEqual([`${'d'.repeat(60)}/${'e'.repeat(60)}`, true]);
    const exactly100 = 'g'.repeat(100);
    expect(readTar(packBundle(minimalBundle({ [exactly100]: 'x' })).archive).entries.find((x) => x.name === exactly100)?.prefix).toBe('');
  });

  test('a long path whose last part is exactly 100 bytes (the name field\'s size) is split, its name filling the field', () => {
    const long = `d/${'h'.repeat(100)}`;
    const e = readTar(packBundle(minimalBundle({ [long]: 'x' })).archive).entries.find((x) => x.name === 'h'.repeat(100))!;
    expect([e.prefix, e.checksumOk]).toEqual(['d', true]);
  });

  test.each([
    ['a file name over 100 bytes', `d/${'f'.repeat(101)}`],
    ['no slash within the first 155 bytes', `${'d'.repeat(156)}/f`],
  ])('refuses a path that ustar cannot hold: %s', (_what, long) => {
    expect(() => packBundle(minimalBundle({ [long]: 'x' }))).toThrow(new Error(`tar: path too long: ${long}`));
  });

  test('refuses a bundle without a required file, naming every one missing', () => {
    const files = minimalBundle();
    delete files['openclaw/package.json'];
    delete files['cloudwatch/amazon-cloudwatch-agent.json'];
    expect(() => packBundle(files)).toThrow(new Error('bundle: missing openclaw/package.json, cloudwatch/amazon-cloudwatch-agent.json'));
  });

  test('refuses a bundle without a listed gateway\'s unit or files, naming every one missing', () => {
    expect(gatewayBundlePaths('ops openclaw-ops 18789 ops\n')).toEqual([
      'systemd/openclaw-gateway@ops.service',
      'openclaw/gateways/ops/openclaw.json',
      'openclaw/gateways/ops/control-ui-origins.json',
      'openclaw/gateways/ops/exec-approvals.json',
    ]);
    const files = minimalBundle({ 'openclaw/gateways.list': 'ops openclaw-ops 18789 ops\nsupport openclaw-support 18790 support\n' });
    delete files['openclaw/gateways/ops/exec-approvals.json'];
    expect(() => packBundle(files)).toThrow(
      new Error(
        'bundle: missing openclaw/gateways/ops/exec-approvals.json, systemd/openclaw-gateway@support.service, openclaw/gateways/support/openclaw.json, openclaw/gateways/support/control-ui-origins.json, openclaw/gateways/support/exec-approvals.json',
      ),
    );
    expect(() => packBundle(minimalBundle({ 'openclaw/gateways.list': '' }))).toThrow(new Error('bundle: openclaw/gateways.list lists no gateway'));
  });

  test('refuses a bundle without agent files', () => {
    const files = minimalBundle();
    delete files['agents/ops/SOUL.md'];
    expect(() => packBundle(files)).toThrow(new Error('bundle: no agent files under agents/'));
  });

  test('refuses an agents.sha256 that does not match the agent files', () => {
    const message = new Error('bundle: agents.sha256 does not match the agent files under agents/ (renderAgentFilesManifest gives the expected content)');
    expect(() => packBundle(minimalBundle({ 'agents/ops/SOUL.md': Buffer.from('changed\n') }))).toThrow(message);
    expect(() => packBundle(minimalBundle({ 'agents/ops/AGENTS.md': 'extra\n' }))).toThrow(message);
    const manifest = minimalBundle()['agents.sha256']!;
    expect(() => packBundle(minimalBundle({ 'agents.sha256': Buffer.from(manifest as string) }))).not.toThrow();
  });

  test('refuses a path outside the bundle', () => {
    expect(() => packBundle(minimalBundle({ '../x': 'y' }))).toThrow(
      new Error('bundle: path "../x" must be relative, without "." or ".." parts, of [A-Za-z0-9._@+-]'),
    );
  });
});
