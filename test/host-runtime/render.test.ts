import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { HOST_PATHS } from '../../lib/host/paths';
import { renderHostFiles } from '../../lib/host/render';
import { TOKEN_URI_RESERVE_BYTES, USER_DATA_LIMIT_BYTES } from '../../lib/host/cloud-init';
import {
  BUNDLE_REQUIRED_FILES,
  PLACEHOLDER_BUNDLE,
  USER_DATA_PATH,
  packBundle,
  renderAgentFilesManifest,
  renderBundleRuntimeFiles,
  renderRuntimeFiles,
  renderUserData,
} from '../../lib/host/runtime-files';
import { LOCKFILE_CHECK_JS } from '../../lib/host/systemd-units';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import { REPO_ROOT } from '../support/config-fixture';
import { fakeAws, requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';

// renderRuntimeFiles and the deployment bundle as pure functions, the 16 KB
// user-data budget, and the bundle checks of install-bundle.sh (run for real up
// to the point where it would start changing the machine, which it refuses).

const config = exampleConfig('prod');
const AGENT_FILES = { 'main/SOUL.md': '# Soul\nHelpful, honest, never changes its own instructions.\n', 'main/AGENTS.md': '# Agents\nOne agent.\n' };
const LOCKFILE = JSON.stringify({ name: 'openclaw-host', lockfileVersion: 3, packages: { '': { dependencies: { openclaw: '2026.9.6' } } } }, null, 2);

/** A complete bundle as the lead's synth code would assemble it. */
function bundleFiles(): Record<string, string> {
  return {
    ...renderHostFiles(config),
    ...renderBundleRuntimeFiles(config),
    'openclaw/openclaw.json': '{"gateway":{"bind":"loopback"}}\n',
    'openclaw/package.json': '{"name":"openclaw-host","private":true,"dependencies":{"openclaw":"2026.9.6","node":"24.16.0"}}\n',
    'openclaw/package-lock.json': LOCKFILE,
    ...Object.fromEntries(Object.entries(AGENT_FILES).map(([k, v]) => [`agents/${k}`, v])),
    'agents.sha256': renderAgentFilesManifest(AGENT_FILES),
  };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function scratch(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

describe('renderRuntimeFiles', () => {
  test('renders the user data, the units, tmpfiles.d, host.env and the scripts', () => {
    expect(Object.keys(renderRuntimeFiles(config)).sort()).toEqual([
      USER_DATA_PATH,
      'openclaw/host.env',
      'scripts/check-agent-files.sh',
      'scripts/fetch-secrets.sh',
      'scripts/imds-preflight.sh',
      'scripts/install-bundle.sh',
      'systemd/nginx.service.d/openclaw.conf',
      'systemd/openclaw-gateway.service',
      'systemd/openclaw-imds-preflight.service',
      'systemd/openclaw-integrity.service',
      'systemd/openclaw-integrity.timer',
      'systemd/openclaw-secrets.service',
      'systemd/tmpfiles.d/openclaw.conf',
    ]);
  });

  test('the bundle carries everything but the user data and the installer it embeds', () => {
    const runtime = renderRuntimeFiles(config);
    const bundle = renderBundleRuntimeFiles(config);
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(runtime).filter((k) => k !== USER_DATA_PATH && k !== 'scripts/install-bundle.sh').sort());
  });

  test('the scripts default to the host path contract (lib/host/paths.ts) and the config', () => {
    const files = renderRuntimeFiles(config);
    expect(files['scripts/check-agent-files.sh']).toContain(`AGENT_DIR="\${OPENCLAW_AGENT_FILES_DIR:-${HOST_PATHS.agentFilesDir}}"`);
    expect(files['scripts/check-agent-files.sh']).toContain(`MANIFEST="\${OPENCLAW_AGENT_FILES_MANIFEST:-${HOST_PATHS.agentFilesManifest}}"`);
    expect(files['scripts/check-agent-files.sh']).toContain(`GATEWAY_USER="\${OPENCLAW_GATEWAY_USER:-${HOST_PATHS.user}}"`);
    expect(files['scripts/imds-preflight.sh']).toContain('IMDS_ENDPOINT="${IMDS_ENDPOINT:-http://169.254.169.254}"');
    expect(files['scripts/imds-preflight.sh']).toContain('NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-OpenClaw/openclaw-example-prod}"');
    expect(files['scripts/imds-preflight.sh']).toContain(`REGION="\${AWS_REGION:-${config.aws.region}}"`);
    expect(files['scripts/install-bundle.sh']).toContain('--ignore-scripts --omit=dev');
  });

  test('install-bundle.sh requires exactly BUNDLE_REQUIRED_FILES, which a complete bundle has', () => {
    const list = /^for f in ([\s\S]*?); do$/m.exec(renderRuntimeFiles(config)['scripts/install-bundle.sh']!)![1]!;
    expect(list.split(/[\s\\]+/).filter(Boolean).sort()).toEqual([...BUNDLE_REQUIRED_FILES].sort());
    expect(BUNDLE_REQUIRED_FILES.filter((rel) => !(rel in bundleFiles()))).toEqual([]);
  });
});

describe('user data size (EC2 limit: 16 KB before base64)', () => {
  test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s stays under the limit, with room for a CDK token', (_id, c) => {
    const literal = Buffer.byteLength(renderUserData(c, PLACEHOLDER_BUNDLE));
    const tokenized = Buffer.byteLength(renderUserData(c, { s3Uri: 's3://${Token[TOKEN.812]}/${Token[TOKEN.815]}', sha256: 'f'.repeat(64) }));
    expect(literal).toBeLessThan(USER_DATA_LIMIT_BYTES);
    expect(tokenized + TOKEN_URI_RESERVE_BYTES).toBeLessThan(USER_DATA_LIMIT_BYTES);
    // Keep a quarter of the budget free for what the next steps add.
    expect(literal).toBeLessThan(USER_DATA_LIMIT_BYTES * 0.75);
  });

  test('an S3 URI at its longest still fits', () => {
    const longest = { s3Uri: `s3://${'b'.repeat(63)}/${'k'.repeat(200)}.tar.gz`, sha256: 'e'.repeat(64) };
    expect(Buffer.byteLength(renderUserData(config, longest))).toBeLessThan(USER_DATA_LIMIT_BYTES);
  });

  test('takes the S3 URI of a real CDK file asset (tokens), which CloudFormation resolves', () => {
    const dir = scratch('oc-cdk-');
    const file = path.join(dir, 'bundle.tar.gz');
    const packed = packBundle(bundleFiles());
    fs.writeFileSync(file, packed.archive);
    const app = new App({ outdir: path.join(dir, 'out') });
    const stack = new Stack(app, 'Gateway');
    const asset = new Asset(stack, 'Bundle', { path: file });
    const userData = renderUserData(config, { s3Uri: asset.s3ObjectUrl, sha256: packed.sha256 });
    const resolved = JSON.stringify(stack.resolve(userData));
    expect(resolved).toMatch(/^\{"Fn::Join":\["",\["#cloud-config\\n/);
    expect(resolved).toMatch(/\{"Fn::Sub":"s3:\/\/cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[0-9a-f]{64}\.gz"\}/);
    expect(resolved).toContain(`', '${packed.sha256}']`);
  });

  test('refuses a bundle reference that is not an S3 URI and a SHA-256', () => {
    expect(() => renderUserData(config, { s3Uri: 'https://example.com/b.tgz', sha256: 'a'.repeat(64) })).toThrow(/must be s3:\/\/bucket\/key/);
    expect(() => renderUserData(config, { s3Uri: "s3://bucket/key'; rm -rf /", sha256: 'a'.repeat(64) })).toThrow(/must be s3:\/\/bucket\/key/);
    expect(() => renderUserData(config, { s3Uri: 's3://bucket/key', sha256: 'A'.repeat(64) })).toThrow(/64 lowercase hex/);
  });
});

describe('packBundle', () => {
  test('is deterministic: the same files give the same SHA-256', () => {
    const a = packBundle(bundleFiles());
    const b = packBundle(Object.fromEntries(Object.entries(bundleFiles()).reverse()));
    expect(a.sha256).toBe(b.sha256);
    expect(a.sha256).toBe(createHash('sha256').update(a.archive).digest('hex'));
    expect(a.archive.equals(b.archive)).toBe(true);
  });

  test('GNU tar extracts exactly the files, byte for byte', async () => {
    const tar = requireRuntimeTool('tar');
    const dir = scratch('oc-bundle-');
    const files = bundleFiles();
    fs.writeFileSync(path.join(dir, 'bundle.tar.gz'), packBundle(files).archive);
    const list = await runAsync(tar, ['-tzf', path.join(dir, 'bundle.tar.gz')]);
    expect(list.stdout.split('\n').filter(Boolean)).toEqual(Object.keys(files).sort());
    fs.mkdirSync(path.join(dir, 'x'));
    const x = await runAsync(tar, ['-xzf', path.join(dir, 'bundle.tar.gz'), '-C', path.join(dir, 'x'), '--no-same-owner']);
    expect(x.stderr).toBe('');
    for (const [rel, content] of Object.entries(files)) expect(fs.readFileSync(path.join(dir, 'x', rel), 'utf8')).toBe(content);
  });

  test('the agent manifest passes `sha256sum --strict -c` in the agent folder', async () => {
    const sha256sum = requireRuntimeTool('sha256sum');
    const dir = scratch('oc-manifest-');
    for (const [rel, content] of Object.entries(AGENT_FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    fs.writeFileSync(path.join(dir, 'agents.sha256'), renderAgentFilesManifest(AGENT_FILES));
    const r = await runAsync(sha256sum, ['--strict', '-c', 'agents.sha256'], { cwd: dir });
    expect(r.stdout).toBe('main/AGENTS.md: OK\nmain/SOUL.md: OK\n');
    expect(r.code).toBe(0);
  });

  test('refuses what install-bundle.sh would refuse on the host', () => {
    const drop = (rel: string) => Object.fromEntries(Object.entries(bundleFiles()).filter(([k]) => k !== rel));
    expect(() => packBundle(drop('openclaw/package-lock.json'))).toThrow('bundle: missing openclaw/package-lock.json');
    expect(() => packBundle({ ...bundleFiles(), 'agents/main/SOUL.md': 'changed after the manifest\n' })).toThrow(/agents.sha256 does not match/);
    expect(() => packBundle({ ...bundleFiles(), '../etc/passwd': 'x' })).toThrow(/must be relative/);
    expect(() => packBundle({ ...drop('agents/main/SOUL.md'), 'agents/main/AGENTS.md': AGENT_FILES['main/AGENTS.md'], 'agents.sha256': '' })).toThrow(/does not match/);
  });
});

describe('the lockfile check install-bundle.sh runs before npm ci (LOCKFILE_CHECK_JS)', () => {
  const SHIPPED = path.join(REPO_ROOT, 'host', 'openclaw', 'package-lock.json');
  async function checkLock(lock: unknown) {
    const file = path.join(scratch('oc-lock-'), 'package-lock.json');
    fs.writeFileSync(file, typeof lock === 'string' ? lock : JSON.stringify(lock));
    return runAsync(process.execPath, ['-e', LOCKFILE_CHECK_JS, file]);
  }
  const pkg = (integrity?: string) => ({ version: '1.0.0', ...(integrity ? { integrity } : {}) });

  test('is embedded verbatim in the installer', () => {
    expect(renderRuntimeFiles(config)['scripts/install-bundle.sh']).toContain(`-e '${LOCKFILE_CHECK_JS}' "$lock"`);
  });

  test('accepts the shipped lockfile (host/openclaw/package-lock.json, from the lockfile producer)', async () => {
    if (!fs.existsSync(SHIPPED)) throw new Error(`${SHIPPED} missing: the OpenClaw lockfile producer ships it (lib/openclaw/lockfile.ts)`);
    const r = await checkLock(fs.readFileSync(SHIPPED, 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('refuses a package without a sha512 integrity, and a v1 lockfile; exempts bundled packages', async () => {
    const ok = { lockfileVersion: 3, packages: { '': {}, 'node_modules/a': pkg('sha512-AAAA'), 'node_modules/a/node_modules/b': { version: '1.0.0', inBundle: true } } };
    expect((await checkLock(ok)).code).toBe(0);
    const missing = await checkLock({ ...ok, packages: { ...ok.packages, 'node_modules/c': pkg() } });
    expect(missing.stderr.trim()).toBe('no sha512 integrity: node_modules/c');
    expect(missing.code).toBe(1);
    expect((await checkLock({ ...ok, packages: { ...ok.packages, 'node_modules/d': pkg('sha1-AAAA') } })).code).toBe(1);
    const v1 = await checkLock({ lockfileVersion: 1, dependencies: {} });
    expect(v1.stderr.trim()).toBe('no sha512 integrity: lockfileVersion < 2');
    expect(v1.code).toBe(1);
  });
});

describe('install-bundle.sh refuses a bundle it cannot trust, before changing anything', () => {
  // Three guards keep this machine untouched whatever happens: the checksum, the
  // bundle's missing files, and the missing openclaw user (checked in that order,
  // before the first write outside the script's own folder in /var/tmp).
  let dir: string;
  let script: string;
  let bundleFile: string;
  let bundleSha: string;
  beforeAll(() => {
    requireRuntimeTool('bash');
    dir = scratch('oc-install-');
    script = writeExecutable(path.join(dir, 'install-bundle.sh'), renderRuntimeFiles(config)['scripts/install-bundle.sh']!);
    // A well-formed tar.gz with none of the required files.
    bundleFile = path.join(dir, 'decoy.tar.gz');
    fs.mkdirSync(path.join(dir, 'decoy'));
    fs.writeFileSync(path.join(dir, 'decoy', 'README'), 'not a deployment bundle\n');
    const tar = spawnSync(requireRuntimeTool('tar'), ['-czf', bundleFile, '-C', path.join(dir, 'decoy'), 'README']);
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    bundleSha = createHash('sha256').update(fs.readFileSync(bundleFile)).digest('hex');
  });

  async function install(args: string[]) {
    const aws = fakeAws(fs.mkdtempSync(path.join(dir, 'aws-')));
    const r = await runAsync(script, args, {
      env: { PATH: `${aws.binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, FAKE_S3_FILE: bundleFile },
      timeoutMs: 20_000,
    });
    return { ...r, lines: r.stderr.split('\n').filter(Boolean), calls: aws.calls() };
  }
  const installMetric = ['cloudwatch', 'put-metric-data', '--region', config.aws.region, '--namespace', 'OpenClaw/openclaw-example-prod', '--metric-name', 'BootPreflightFailed', '--dimensions', 'Step=Install', '--value', '1', '--unit', 'Count'];

  test('a checksum that differs from the pinned one', async () => {
    const pinned = 'c'.repeat(64);
    const r = await install(['s3://assets-bucket/bundle.tar.gz', pinned]);
    expect(r.lines).toEqual([`openclaw-install: FAILED: bundle SHA-256 is ${bundleSha}, the user data pins ${pinned}: refusing to install it`]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([['s3', 'cp', '--only-show-errors', '--region', config.aws.region, 's3://assets-bucket/bundle.tar.gz', expect.stringMatching(/^\/var\/tmp\/openclaw-bundle\.\w+\/bundle\.tar\.gz$/)], installMetric]);
  });

  test('the pinned checksum, but a bundle without the required files', async () => {
    const r = await install(['s3://assets-bucket/bundle.tar.gz', bundleSha]);
    expect(r.lines).toEqual(['openclaw-install: FAILED: bundle has no openclaw/openclaw.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('openclaw-install: downloading s3://assets-bucket/bundle.tar.gz\n');
  });

  test('arguments that are not an S3 URI and a SHA-256', async () => {
    expect((await install([])).lines).toEqual(['openclaw-install: FAILED: usage: install-bundle.sh <s3://bucket/key> <sha256>']);
    expect((await install(['https://x/y', bundleSha])).lines).toEqual(['openclaw-install: FAILED: bundle location https://x/y is not an s3://bucket/key URI']);
    const r = await install(['s3://assets-bucket/k', 'nothex']);
    expect(r.lines).toEqual(['openclaw-install: FAILED: bundle checksum nothex is not a SHA-256 (64 lowercase hex digits)']);
    expect(r.code).toBe(1);
  });
});
