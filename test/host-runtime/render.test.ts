import { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH } from '../../lib/host/cloudwatch-agent-proxy';
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { parse as parseYaml } from 'yaml';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { HOST_PATHS } from '../../lib/host/paths';
import { renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { TOKEN_URI_RESERVE_BYTES, TOKEN_VOLUME_ID_RESERVE_BYTES, USER_DATA_LIMIT_BYTES } from '../../lib/host/cloud-init';
import { assembleBundleFiles, gatewayConfigFiles, packBundle, renderAgentFilesManifest, renderBundleRuntimeFiles, renderRuntimeFiles, type BundleFiles } from '../../lib/host/runtime-files';
import { BUNDLE_REQUIRED_FILES } from '../../lib/host/bundle-layout';
import { PLACEHOLDER_BUNDLE, PLACEHOLDER_EDGE, PLACEHOLDER_STATE_VOLUME, USER_DATA_PATH, renderUserData } from '../../lib/host/cloud-init';
import { FETCH_SECRETS_PROGRAM_PATH, SECRETS_MANIFEST_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { braceGroups } from '../../lib/host/template';
import { CONTROL_UI_ORIGINS_JS, LOCKFILE_CHECK_JS } from '../../lib/host/template-values';
import { CLOUDWATCH_AGENT_BUNDLE_PATH, renderCloudWatchAgentConfig } from '../../lib/host/cloudwatch-agent';
import { ORIGIN_VERIFY_MAP_PATH, SECRETS_MANIFEST_PATH, renderSecretsManifest } from '../../lib/secrets/secrets-manifest';
import { bundleFetchSecrets } from '../../lib/bundling/host-programs';
import { RUNTIME_PACKAGE_DIR } from '../../lib/openclaw/lockfile';
import { listAgentFiles } from '../../lib/openclaw/agent-files';
import { renderControlUiOrigins } from '../../lib/openclaw/control-ui-origins';
import { agentGateways } from '../../lib/openclaw/gateways';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR, REPO_ROOT } from '../support/config-fixture';
import { fakeAws, requireRuntimeTool, runAsync, tempDir, writeExecutable } from './support/runtime-tools';
import { scratchDirs } from '../support/find-tool';

// renderRuntimeFiles and the deployment bundle as pure functions, the 16 KB
// user-data budget, and the bundle checks of install-bundle.sh (run for real up
// to the point where it would start changing the machine, which it refuses;
// install-bundle.test.ts runs it to the end against a temporary root).

const config = exampleConfig('prod');
const EDGE = { cloudFrontDomain: 'd111111abcdef8.cloudfront.net' };
/**
 * User data kept free besides the token reserve, for what later steps add. It was a
 * quarter of the budget; the CloudFront domain, the include files, the workspaces and
 * the test hooks of install-bundle.sh brought the user data to about 13.7 KB, the
 * secrets step to 14.1 KB (after the installer's indentation went from 6 spaces to 3),
 * the audit trail (CloudWatch agent, health check, log export) to 14.2 KB (after the
 * required-file list went to brace expansion, braceGroups), the egress proxy (issue 15: its
 * step moved into the bundle's start-egress-proxy.sh, the required-file list longer) to
 * 15.3 KB with token reserves: the headroom went from 1536 to 1024 bytes.
 * Past this, move installer steps after the checksum check into the (SHA-pinned) bundle.
 */
const USER_DATA_HEADROOM_BYTES = 1024;
const AGENT_FILES = { 'main/SOUL.md': '# Soul\nHelpful, honest, never changes its own instructions.\n', 'main/AGENTS.md': '# Agents\nOne agent.\n' };

/** The complete bundle of the example prod config, as synth assembles it. */
const bundleFiles = (): BundleFiles => assembleBundleFiles(config, CONFIG_DIR);
const asBuffer = (content: string | Buffer) => (Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));

const { scratch, cleanup } = scratchDirs(tempDir);
afterAll(cleanup);

describe('renderRuntimeFiles', () => {
  test('renders the user data, the units, tmpfiles.d, host.env and the scripts', () => {
    expect(Object.keys(renderRuntimeFiles(config, CONFIG_DIR)).sort()).toEqual([
      USER_DATA_PATH,
      'openclaw/host.env',
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
      'systemd/amazon-ssm-agent.service.d/openclaw-proxy.conf',
      'systemd/nginx.service.d/openclaw.conf',
      'systemd/openclaw-gateway@ops.service',
      'systemd/openclaw-gateway@support.service',
      'systemd/openclaw-gateways.target',
      'systemd/openclaw-health.service',
      'systemd/openclaw-health.timer',
      'systemd/openclaw-imds-preflight.service',
      'systemd/openclaw-integrity.service',
      'systemd/openclaw-integrity.timer',
      'systemd/openclaw-log-export.service',
      'systemd/openclaw-log-export.timer',
      'systemd/openclaw-nginx-rotate.service',
      'systemd/openclaw-nginx-rotate.timer',
      'systemd/openclaw-proxy-rotate.service',
      'systemd/openclaw-proxy-rotate.timer',
      'systemd/openclaw-secrets-refresh.service',
      'systemd/openclaw-secrets-refresh.timer',
      'systemd/openclaw-secrets.service',
      'systemd/openclaw-spend-meter.service',
      'systemd/openclaw-spend-meter.timer',
      'systemd/openclaw-state-volume.service',
      'systemd/squid.service.d/openclaw-restart.conf',
      'systemd/tmpfiles.d/openclaw.conf',
    ]);
  });

  test('the bundle carries everything but the user data and the installer it embeds', () => {
    const runtime = renderRuntimeFiles(config, CONFIG_DIR);
    const bundle = renderBundleRuntimeFiles(config, CONFIG_DIR);
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(runtime).filter((k) => k !== USER_DATA_PATH && k !== 'scripts/install-bundle.sh').sort());
  });

  test('the scripts default to the host path contract (lib/host/paths.ts) and the config', () => {
    const files = renderRuntimeFiles(config, CONFIG_DIR);
    expect(files['scripts/check-agent-files.sh']).toContain(`AGENT_DIR="\${OPENCLAW_AGENT_FILES_DIR:-${HOST_PATHS.agentFilesDir}}"`);
    expect(files['scripts/check-agent-files.sh']).toContain(`MANIFEST="\${OPENCLAW_AGENT_FILES_MANIFEST:-${HOST_PATHS.agentFilesManifest}}"`);
    expect(files['scripts/check-agent-files.sh']).toContain('GATEWAYS_LIST="${OPENCLAW_GATEWAYS_LIST:-/etc/openclaw/gateways.list}"');
    expect(files['scripts/imds-preflight.sh']).toContain('IMDS_ENDPOINT="${IMDS_ENDPOINT:-http://169.254.169.254}"');
    expect(files['scripts/imds-preflight.sh']).toContain('NAMESPACE="${OPENCLAW_METRIC_NAMESPACE:-OpenClaw/openclaw-example-prod}"');
    expect(files['scripts/imds-preflight.sh']).toContain(`REGION="\${AWS_REGION:-${config.aws.region}}"`);
    expect(files['scripts/install-bundle.sh']).toContain('--ignore-scripts --omit=dev');
    expect(files['scripts/install-bundle.sh']).toContain('readonly R="${OPENCLAW_INSTALL_ROOT:-}"');
  });

  test('install-gateways.sh installs each gateway\'s openclaw.json and include files as its user, 0400, in root:<user> 0750', () => {
    const script = renderRuntimeFiles(config, CONFIG_DIR)['scripts/install-gateways.sh']!;
    expect(script).toContain('install -d -o root -g "$user" -m 0750 "$dest"\n');
    for (const [from, to] of [
      ['"$src/openclaw.json"', '"$dest/openclaw.json"'],
      ['"$TMP"', '"$dest/control-ui-origins.json"'],
      ['"$src/exec-approvals.json"', '"$dest/exec-approvals.json"'],
    ]) {
      expect(script).toContain(`install -o "$user" -g "$user" -m 0400 ${from} ${to}\n`);
    }
    expect(script).toContain('useradd --system --user-group --no-create-home --home-dir "/var/lib/openclaw/$gw" --shell /usr/sbin/nologin "$user"');
    expect(script).toContain(`-e '${CONTROL_UI_ORIGINS_JS}' "$src/control-ui-origins.json" "https://$CF"`);
  });

  test('the secrets step runs the retrieval program with the manifest (it looks each gateway user up itself), extra arguments passed through', () => {
    // The behaviour, run for real: secrets-step.test.ts. Here: the defaults on the host.
    const script = renderRuntimeFiles(config, CONFIG_DIR)['scripts/fetch-secrets.sh']!;
    const code = script.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(code).toEqual([
      'set -euo pipefail',
      `NODE="\${OPENCLAW_NODE:-${HOST_PATHS.node}}"`,
      `PROGRAM="\${OPENCLAW_SECRETS_PROGRAM:-${HOST_PATHS.libexecDir}/fetch-secrets.js}"`,
      `MANIFEST="\${OPENCLAW_SECRETS_MANIFEST:-${SECRETS_MANIFEST_PATH}}"`,
      'exec "$NODE" "$PROGRAM" --manifest "$MANIFEST" "$@"',
    ]);
    // The contract it states: each gateway's secret files 0400 for that gateway's user (from the manifest),
    // in a 0700 folder of that user; a missing user fails as NoGatewayUser; the nginx map root 0600.
    expect(script).toContain(
      `#   ${HOST_PATHS.secretsDir}/<gateway>/gateway-token, ${HOST_PATHS.secretsDir}/<gateway>/agent-<agent>.json\n` +
        '#        each owned by its gateway\'s user (openclaw-<gateway>, from the manifest), 0400,\n' +
        '#        in a folder of that user, 0700\n',
    );
    expect(script).toContain('NoGatewayUser (exit 2) before any secret is read');
    expect(script).toContain(`#   ${ORIGIN_VERIFY_MAP_PATH}   root:root 0600\n`);
    expect(script).not.toMatch(/placeholder/i);
  });

  test('the bundle carries the retrieval program and the secrets manifest of the config', () => {
    const files = bundleFiles();
    expect(files[FETCH_SECRETS_PROGRAM_PATH]).toBe(bundleFetchSecrets());
    expect(JSON.parse(files[SECRETS_MANIFEST_BUNDLE_PATH] as string)).toEqual(renderSecretsManifest(config));
    const script = renderRuntimeFiles(config, CONFIG_DIR)['scripts/install-bundle.sh']!;
    // The program is read by node, never executed: 0644; the manifest holds names and paths only.
    expect(script).toContain(`install -o root -g root -m 0644 "$B"/scripts/*.js "$LIBEXEC/"\n`);
    expect(FETCH_SECRETS_PROGRAM_PATH).toMatch(/^scripts\/[^/]+\.js$/);
    expect(script).toContain(`install -o root -g root -m 0644 "$B/${SECRETS_MANIFEST_BUNDLE_PATH}" "$R${SECRETS_MANIFEST_PATH}"\n`);
  });

  test('install-bundle.sh requires exactly BUNDLE_REQUIRED_FILES (as bash expands its list), which a complete bundle has', async () => {
    const list = /^for f in ([\s\S]*?); do$/m.exec(renderRuntimeFiles(config, CONFIG_DIR)['scripts/install-bundle.sh']!)![1]!;
    // The list uses brace expansion (user data budget): bash itself says what it names, in order.
    const expanded = await runAsync(requireRuntimeTool('bash'), ['-c', `for f in ${list}; do printf '%s\\n' "$f"; done`]);
    expect(expanded.stderr).toBe('');
    const named = expanded.stdout.split('\n').filter(Boolean);
    expect([...named].sort()).toEqual([...BUNDLE_REQUIRED_FILES].sort());
    // The first it checks is still openclaw.json (a bundle of something else fails naming it).
    expect(named[0]).toBe(BUNDLE_REQUIRED_FILES[0]);
    expect(BUNDLE_REQUIRED_FILES.filter((rel) => !(rel in bundleFiles()))).toEqual([]);
  });

  test('braceGroups: one word per folder and extension, the common start of the names before the brace, nothing lost', async () => {
    const paths = ['a/x-one.sh', 'b/c.json', 'a/x-two.sh', 'a/x.sh', 'top', 'a/y.conf', 'b/d.json'];
    expect(braceGroups(paths)).toEqual(['a/{x-one,x-two,x}.sh', 'b/{c,d}.json', 'top', 'a/y.conf']);
    const r = await runAsync(requireRuntimeTool('bash'), ['-c', `printf '%s\\n' ${braceGroups(paths).join(' ')}`]);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([...paths].sort());
  });
});

describe('user data size (EC2 limit: 16 KB before base64)', () => {
  test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s stays under the limit, with room for CDK tokens', (_id, c) => {
    const literal = Buffer.byteLength(renderUserData(c, PLACEHOLDER_BUNDLE, PLACEHOLDER_EDGE, PLACEHOLDER_STATE_VOLUME));
    const tokenized = Buffer.byteLength(
      renderUserData(
        c,
        { s3Uri: 's3://${Token[TOKEN.812]}/${Token[TOKEN.815]}', sha256: 'f'.repeat(64) },
        { cloudFrontDomain: '${Token[TOKEN.901]}' },
        { volumeId: '${Token[TOKEN.902]}' },
      ),
    );
    expect(literal).toBeLessThan(USER_DATA_LIMIT_BYTES);
    // Each token (bundle URI, CloudFront domain, state volume ID) keeps room for its resolved value.
    const reserve = 2 * TOKEN_URI_RESERVE_BYTES + TOKEN_VOLUME_ID_RESERVE_BYTES;
    expect('vol-0123456789abcdef0'.length).toBeLessThan(TOKEN_VOLUME_ID_RESERVE_BYTES);
    expect(tokenized + reserve).toBeLessThan(USER_DATA_LIMIT_BYTES);
    // Keep room for what the next steps add: USER_DATA_HEADROOM_BYTES besides the token reserve.
    expect(tokenized + reserve + USER_DATA_HEADROOM_BYTES).toBeLessThan(USER_DATA_LIMIT_BYTES);
  });

  test('an S3 URI and a domain name at their longest still fit', () => {
    const longest = { s3Uri: `s3://${'b'.repeat(63)}/${'k'.repeat(200)}.tar.gz`, sha256: 'e'.repeat(64) };
    const longDomain = { cloudFrontDomain: `${Array.from({ length: 3 }, () => 'd'.repeat(63)).join('.')}.${'n'.repeat(61)}` };
    expect(longDomain.cloudFrontDomain).toHaveLength(253);
    expect(Buffer.byteLength(renderUserData(config, longest, longDomain, PLACEHOLDER_STATE_VOLUME))).toBeLessThan(USER_DATA_LIMIT_BYTES);
  });

  test('takes the S3 URI of a real CDK file asset (tokens), which CloudFormation resolves', () => {
    const dir = scratch('oc-cdk-');
    const file = path.join(dir, 'bundle.tar.gz');
    const packed = packBundle(bundleFiles());
    fs.writeFileSync(file, packed.archive);
    const app = new App({ outdir: path.join(dir, 'out') });
    const stack = new Stack(app, 'Gateway');
    const asset = new Asset(stack, 'Bundle', { path: file });
    // The distribution's domain as a token too (distribution.distributionDomainName).
    const domain = Fn.getAtt('GatewayDistribution', 'DomainName').toString();
    // And the state volume's ID (its Ref).
    const volumeId = Fn.ref('StateVolume9DB55417');
    const userData = renderUserData(config, { s3Uri: asset.s3ObjectUrl, sha256: packed.sha256 }, { cloudFrontDomain: domain }, { volumeId });
    const resolved = JSON.stringify(stack.resolve(userData));
    expect(resolved).toMatch(/^\{"Fn::Join":\["",\["#cloud-config\\n/);
    expect(resolved).toMatch(/\{"Fn::Sub":"s3:\/\/cdk-[a-z0-9]+-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[0-9a-f]{64}\.gz"\}/);
    expect(resolved).toContain(`', '${packed.sha256}', '",{"Fn::GetAtt":["GatewayDistribution","DomainName"]},"', '",{"Ref":"StateVolume9DB55417"},"']`);
  });

  test('refuses a bundle reference that is not an S3 URI and a SHA-256', () => {
    expect(() => renderUserData(config, { s3Uri: 'https://example.com/b.tgz', sha256: 'a'.repeat(64) }, EDGE, PLACEHOLDER_STATE_VOLUME)).toThrow(/must be s3:\/\/bucket\/key/);
    expect(() => renderUserData(config, { s3Uri: "s3://bucket/key'; rm -rf /", sha256: 'a'.repeat(64) }, EDGE, PLACEHOLDER_STATE_VOLUME)).toThrow(/must be s3:\/\/bucket\/key/);
    expect(() => renderUserData(config, { s3Uri: 's3://bucket/key', sha256: 'A'.repeat(64) }, EDGE, PLACEHOLDER_STATE_VOLUME)).toThrow(/64 lowercase hex/);
  });

  test('refuses a CloudFront domain that is not a DNS name (no scheme, path, quote or upper case)', () => {
    for (const bad of ['https://d111111abcdef8.cloudfront.net', 'd111111abcdef8.cloudfront.net/x', "d1.cloudfront.net'; rm -rf /", 'D111.cloudfront.net', 'localhost', '']) {
      expect(() => renderUserData(config, PLACEHOLDER_BUNDLE, { cloudFrontDomain: bad }, PLACEHOLDER_STATE_VOLUME)).toThrow(/CloudFront domain must be a DNS name/);
    }
    const doc = parseYaml(renderUserData(config, PLACEHOLDER_BUNDLE, EDGE, PLACEHOLDER_STATE_VOLUME)) as { runcmd: string[][] };
    expect(doc.runcmd[0]!.at(-2)).toBe(EDGE.cloudFrontDomain);
  });

  test('passes the state volume ID as the installer\'s last argument, and refuses anything but a volume ID', () => {
    const doc = parseYaml(renderUserData(config, PLACEHOLDER_BUNDLE, EDGE, { volumeId: 'vol-0123456789abcdef0' })) as { runcmd: string[][] };
    expect(doc.runcmd[0]!.at(-1)).toBe('vol-0123456789abcdef0');
    for (const bad of ['vol-123', "vol-0123456789abcdef0'; rm -rf /", 'VOL-0123456789ABCDEF0', 'snap-0123456789abcdef0', '']) {
      expect(() => renderUserData(config, PLACEHOLDER_BUNDLE, EDGE, { volumeId: bad })).toThrow(/state volume must be an EBS volume ID/);
    }
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
    for (const [rel, content] of Object.entries(files)) {
      expect({ rel, same: fs.readFileSync(path.join(dir, 'x', rel)).equals(asBuffer(content)) }).toEqual({ rel, same: true });
    }
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
    expect(() => packBundle(bundleFiles())).not.toThrow();
    expect(() => packBundle(drop('openclaw/package-lock.json'))).toThrow('bundle: missing openclaw/package-lock.json');
    expect(() => packBundle(drop('openclaw/gateways/ops/control-ui-origins.json'))).toThrow('bundle: missing openclaw/gateways/ops/control-ui-origins.json');
    expect(() => packBundle(drop('openclaw/gateways/support/exec-approvals.json'))).toThrow('bundle: missing openclaw/gateways/support/exec-approvals.json');
    expect(() => packBundle(drop('systemd/openclaw-gateway@support.service'))).toThrow('bundle: missing systemd/openclaw-gateway@support.service');
    expect(() => packBundle(drop('openclaw/gateways.list'))).toThrow('bundle: missing openclaw/gateways.list');
    expect(() => packBundle({ ...bundleFiles(), 'agents/support/SOUL.md': 'changed after the manifest\n' })).toThrow(/agents.sha256 does not match/);
    expect(() => packBundle({ ...bundleFiles(), 'agents/support/TOOLS.md': 'not in the manifest\n' })).toThrow(/agents.sha256 does not match/);
    expect(() => packBundle({ ...bundleFiles(), '../etc/passwd': 'x' })).toThrow(/must be relative/);
    expect(() => packBundle({ ...drop('agents/support/SOUL.md'), 'agents.sha256': '' })).toThrow(/does not match/);
    const noAgents = Object.fromEntries(Object.entries(bundleFiles()).filter(([k]) => !k.startsWith('agents/')));
    expect(() => packBundle(noAgents)).toThrow('bundle: no agent files under agents/');
  });
});

describe('assembleBundleFiles: the whole bundle from the config (what synth and `npm run render` call)', () => {
  const CONFIGS = allConfigs();

  test.each(CONFIGS.map((c) => [`${c.client}/${c.env}`, c] as const))('%s: packBundle accepts it; it holds every file the host needs', (_id, c) => {
    const files = assembleBundleFiles(c, CONFIG_DIR);
    const packed = packBundle(files);
    expect(packed.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(packBundle(assembleBundleFiles(c, CONFIG_DIR)).sha256).toBe(packed.sha256);

    const agentFiles = listAgentFiles(c, CONFIG_DIR);
    expect(Object.keys(files).sort()).toEqual(
      [
        ...Object.keys(renderHostFiles(c)),
        ...Object.keys(renderBundleRuntimeFiles(c, CONFIG_DIR)),
        'openclaw/gateways.list',
        ...agentGateways(c).flatMap((g) => ['openclaw.json', 'control-ui-origins.json', 'exec-approvals.json'].map((f) => `openclaw/gateways/${g.id}/${f}`)),
        'openclaw/package.json',
        'openclaw/package-lock.json',
        'openclaw/secrets-manifest.json',
        'openclaw/spend-meter.json',
        'scripts/fetch-secrets.js',
        'scripts/spend-meter.js',
        'scripts/agent-audit.js',
        'scripts/gateway-probe.js',
        CLOUDWATCH_AGENT_BUNDLE_PATH,
        CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH,
        ...agentFiles.map((f) => `agents/${f.relativePath}`),
        'agents.sha256',
      ].sort(),
    );
    for (const rel of BUNDLE_REQUIRED_FILES) expect({ rel, present: rel in files }).toEqual({ rel, present: true });
    for (const g of agentGateways(c)) {
      const own = gatewayConfigFiles(c, g);
      for (const f of ['openclaw.json', 'control-ui-origins.json', 'exec-approvals.json']) expect(files[`openclaw/gateways/${g.id}/${f}`]).toBe(own[`openclaw/gateways/${g.id}/${f}`]);
    }
    expect(files[CLOUDWATCH_AGENT_BUNDLE_PATH]).toBe(renderCloudWatchAgentConfig(c));
    for (const f of ['package.json', 'package-lock.json']) expect(files[`openclaw/${f}`]).toBe(fs.readFileSync(path.join(RUNTIME_PACKAGE_DIR, f), 'utf8'));
    for (const f of agentFiles) expect(asBuffer(files[`agents/${f.relativePath}`]!).equals(f.content)).toBe(true);
    expect(files['agents.sha256']).toBe(agentFiles.map((f) => `${f.sha256}  ${f.relativePath}\n`).join(''));
    // Each gateway unit in the bundle mounts exactly its agents' files, into its own workspaces.
    for (const g of agentGateways(c)) {
      const unit = files[`systemd/${g.unit}`] as string;
      for (const f of agentFiles) {
        const line = `\nBindReadOnlyPaths=${f.hostPath}:${g.workspacesDir}/${f.relativePath}\n`;
        expect({ unit: g.unit, file: f.relativePath, mounted: unit.includes(line) }).toEqual({ unit: g.unit, file: f.relativePath, mounted: g.agents.includes(f.agent) });
      }
    }
  });

  test('the agent files travel byte for byte (Buffers), and the unit and manifest follow the config folder given', () => {
    const root = scratch('oc-assemble-');
    fs.cpSync(CONFIG_DIR, path.join(root, 'config'), { recursive: true });
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x23, 0x20, 0xff, 0x0a]); // BOM, "# ", an invalid UTF-8 byte
    fs.writeFileSync(path.join(root, 'config/clients/example/agents/support/USER.md'), bytes);
    const files = assembleBundleFiles(config, path.join(root, 'config'));
    expect(Buffer.isBuffer(files['agents/support/USER.md'])).toBe(true);
    expect((files['agents/support/USER.md'] as Buffer).equals(bytes)).toBe(true);
    expect(files['agents.sha256']).toContain(`${createHash('sha256').update(bytes).digest('hex')}  support/USER.md\n`);
    expect(files['systemd/openclaw-gateway@support.service']).toContain(`BindReadOnlyPaths=${HOST_PATHS.agentFilesDir}/support/USER.md:${HOST_PATHS.stateDir}/support/workspaces/support/USER.md`);
    expect(files['systemd/openclaw-gateway@ops.service']).not.toContain('USER.md');
    expect(() => packBundle(files)).not.toThrow();
  });

  test('writeHostFiles writes it out byte for byte (what `npm run render` does with it)', () => {
    const out = scratch('oc-render-');
    const files = bundleFiles();
    expect(writeHostFiles(out, files)).toHaveLength(Object.keys(files).length);
    for (const [rel, content] of Object.entries(files)) expect({ rel, same: fs.readFileSync(path.join(out, rel)).equals(asBuffer(content)) }).toEqual({ rel, same: true });
  });

  test('origins known at synth go into both nginx\'s map and control-ui-origins.json', () => {
    const files = assembleBundleFiles(config, CONFIG_DIR, { extraAllowedOrigins: ['https://d222222abcdef8.cloudfront.net'] });
    expect(files['nginx/openclaw/allowed-origins.map.conf']).toContain('"https://d222222abcdef8.cloudfront.net" 1;');
    expect(files['openclaw/gateways/support/control-ui-origins.json']).toBe(renderControlUiOrigins(config, ['https://d222222abcdef8.cloudfront.net']));
  });
});

describe('the Control UI origins rewrite install-bundle.sh runs (CONTROL_UI_ORIGINS_JS)', () => {
  async function addOrigin(content: string, origin: string) {
    const file = path.join(scratch('oc-origins-'), 'control-ui-origins.json');
    fs.writeFileSync(file, content);
    return runAsync(process.execPath, ['-e', CONTROL_UI_ORIGINS_JS, file, origin]);
  }

  test('gives exactly renderControlUiOrigins(config, [origin]), once however often it runs', async () => {
    for (const c of allConfigs()) {
      const once = await addOrigin(renderControlUiOrigins(c), 'https://d111111abcdef8.cloudfront.net');
      expect(once.stdout).toBe(renderControlUiOrigins(c, ['https://d111111abcdef8.cloudfront.net']));
      const twice = await addOrigin(once.stdout, 'https://d111111abcdef8.cloudfront.net');
      expect(twice.stdout).toBe(once.stdout);
    }
  });

  test('fails on a file without an allowedOrigins list', async () => {
    const r = await addOrigin('{}\n', 'https://d111111abcdef8.cloudfront.net');
    expect(r.stderr).toContain('no allowedOrigins list');
    expect(r.code).toBe(1);
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
    expect(renderRuntimeFiles(config, CONFIG_DIR)['scripts/install-bundle.sh']).toContain(`-e '${LOCKFILE_CHECK_JS}' "$lock"`);
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
    script = writeExecutable(path.join(dir, 'install-bundle.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/install-bundle.sh']!);
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
      env: { PATH: `${aws.binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${path.dirname(process.execPath)}`, FAKE_S3_FILE: bundleFile },
      timeoutMs: 20_000,
    });
    return { ...r, lines: r.stderr.split('\n').filter(Boolean), calls: aws.calls() };
  }
  const installMetric = ['cloudwatch', 'put-metric-data', '--region', config.aws.region, '--namespace', 'OpenClaw/openclaw-example-prod', '--metric-name', 'BootPreflightFailed', '--dimensions', 'Step=Install', '--value', '1', '--unit', 'Count'];

  test('a checksum that differs from the pinned one', async () => {
    const pinned = 'c'.repeat(64);
    const r = await install(['s3://assets-bucket/bundle.tar.gz', pinned, EDGE.cloudFrontDomain, PLACEHOLDER_STATE_VOLUME.volumeId]);
    expect(r.lines).toEqual([`openclaw-install: FAILED: bundle SHA-256 is ${bundleSha}, the user data pins ${pinned}: refusing to install it`]);
    expect(r.code).toBe(1);
    expect(r.calls).toEqual([['s3', 'cp', '--only-show-errors', '--region', config.aws.region, 's3://assets-bucket/bundle.tar.gz', expect.stringMatching(/^\/var\/tmp\/openclaw-bundle\.\w+\/bundle\.tar\.gz$/)], installMetric]);
  });

  test('the pinned checksum, but a bundle without the required files', async () => {
    const r = await install(['s3://assets-bucket/bundle.tar.gz', bundleSha, EDGE.cloudFrontDomain, PLACEHOLDER_STATE_VOLUME.volumeId]);
    expect(r.lines).toEqual(['openclaw-install: FAILED: bundle has no openclaw/gateways.list']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('openclaw-install: downloading s3://assets-bucket/bundle.tar.gz\n');
  });

  test('arguments that are not an S3 URI, a SHA-256 and a DNS name', async () => {
    const usage = 'openclaw-install: FAILED: usage: install-bundle.sh <s3://bucket/key> <sha256> <CloudFront domain> <vol-id>';
    expect((await install([])).lines).toEqual([usage]);
    expect((await install(['s3://assets-bucket/k', bundleSha])).lines).toEqual([usage]);
    expect((await install(['s3://assets-bucket/k', bundleSha, EDGE.cloudFrontDomain])).lines).toEqual([usage]);
    expect((await install(['https://x/y', bundleSha, EDGE.cloudFrontDomain, PLACEHOLDER_STATE_VOLUME.volumeId])).lines).toEqual(['openclaw-install: FAILED: bundle location https://x/y is not an s3://bucket/key URI']);
    const r = await install(['s3://assets-bucket/k', 'nothex', EDGE.cloudFrontDomain, PLACEHOLDER_STATE_VOLUME.volumeId]);
    expect(r.lines).toEqual(['openclaw-install: FAILED: bundle checksum nothex is not a SHA-256 (64 lowercase hex digits)']);
    expect(r.code).toBe(1);
    for (const bad of ['https://d111111abcdef8.cloudfront.net', 'd1.cloudfront.net/"x', 'D1.CLOUDFRONT.NET', 'localhost']) {
      const b = await install(['s3://assets-bucket/k', bundleSha, bad, PLACEHOLDER_STATE_VOLUME.volumeId]);
      expect(b.lines).toEqual([`openclaw-install: FAILED: CloudFront domain ${bad} is not a DNS name like d111111abcdef8.cloudfront.net (or none)`]);
      expect(b.calls.filter((c) => c[0] === 's3')).toEqual([]);
    }
  });
});
