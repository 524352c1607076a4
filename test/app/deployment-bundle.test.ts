import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, FileSystem, Stack, type AssetStaging } from 'aws-cdk-lib';
import { DeploymentBundle } from '../../lib/host/deployment-bundle';
import { gatewayBundlePaths, packBundle, renderAgentFilesManifest } from '../../lib/host/runtime-files';
import { GATEWAYS_LIST_BUNDLE_PATH } from '../../lib/host/gateways-list';
import { BUNDLE_REQUIRED_FILES } from '../../lib/host/bundle-layout';

// The deployment bundle on a bare stack (not the whole app): one tar.gz file asset, uploaded as
// it is (no re-packaging), whose SHA-256 (pinned in the user data) is that of the object the host
// downloads, and which unpacks to exactly the bundle's files.

const env = { account: '123456789012', region: 'eu-west-1' };
/** The one gateway of the minimal bundle (gateways.list), and its unit and files. */
const GATEWAYS_LIST = 'support openclaw-support 18789 support\n';
/** A minimal valid bundle: every required file, one gateway's files, one agent file and its manifest. */
const bundleFiles = (soul = 'Be kind.\n'): Record<string, string | Buffer> => ({
  ...Object.fromEntries(BUNDLE_REQUIRED_FILES.map((f) => [f, `content of ${f}\n`])),
  [GATEWAYS_LIST_BUNDLE_PATH]: GATEWAYS_LIST,
  ...Object.fromEntries(gatewayBundlePaths(GATEWAYS_LIST).map((f) => [f, `content of ${f}\n`])),
  'agents/support/SOUL.md': soul,
  'agents/support/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]),
  'agents.sha256': renderAgentFilesManifest({ 'support/SOUL.md': soul, 'support/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]) }),
});
function build(files = bundleFiles()) {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Gateway', { env });
  const bundle = new DeploymentBundle(stack, 'Bundle', { files });
  const assembly = app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Gateway.assets.json'), 'utf8')) as { files: Record<string, unknown> };
  return { stack, bundle, assembly, manifest, template: assembly.getStackByName('Gateway').template as Record<string, unknown> };
}
const { stack, bundle, assembly, manifest, template } = build();
const hash = bundle.asset.assetHash;
const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

test('one file asset, uploaded as the archive itself to the bootstrap bucket; s3Uri names that object; no resource', () => {
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  const entry = manifest.files[hash] as { destinations: Record<string, unknown> };
  expect({ ...entry, destinations: Object.values(entry.destinations) }).toEqual({
    displayName: 'Bundle/Asset',
    source: { path: `asset.${hash}.tar.gz`, packaging: 'file' },
    destinations: [
      {
        bucketName: 'cdk-hnb659fds-assets-123456789012-eu-west-1',
        objectKey: `${hash}.gz`,
        region: 'eu-west-1',
        assumeRoleArn: 'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-eu-west-1',
      },
    ],
  });
  expect(stack.resolve(bundle.s3Uri)).toBe(`s3://cdk-hnb659fds-assets-123456789012-eu-west-1/${hash}.gz`);
  expect(template.Resources).toBeUndefined();
});

test('sha256 is the SHA-256 of the uploaded object, which is the packed bundle', () => {
  const uploaded = fs.readFileSync(path.join(assembly.directory, `asset.${hash}.tar.gz`));
  expect(sha256(uploaded)).toBe(bundle.sha256);
  expect(uploaded.equals(packBundle(bundleFiles()).archive)).toBe(true);
});

test('the uploaded object unpacks (tar) to exactly the bundle files', () => {
  const out = fs.mkdtempSync(path.join(FileSystem.tmpdir, 'bundle-test-'));
  execFileSync('tar', ['-xzf', path.join(assembly.directory, `asset.${hash}.tar.gz`), '-C', out]);
  const unpacked = (dir: string, prefix = ''): [string, Buffer][] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? unpacked(path.join(dir, e.name), `${prefix}${e.name}/`) : [[`${prefix}${e.name}`, fs.readFileSync(path.join(dir, e.name))] as [string, Buffer]]));
  const expected = Object.entries(bundleFiles()).map(([rel, data]) => [rel, Buffer.from(data)] as [string, Buffer]);
  expect(unpacked(out).sort(([a], [b]) => a.localeCompare(b))).toEqual(expected.sort(([a], [b]) => a.localeCompare(b)));
});

test('the archive is written as deployment-bundle.tar.gz in a temporary folder of its own', () => {
  const staging = bundle.asset.node.findChild('Stage') as AssetStaging;
  expect(path.basename(staging.sourcePath)).toBe('deployment-bundle.tar.gz');
  expect(path.dirname(path.dirname(staging.sourcePath))).toBe(FileSystem.tmpdir);
  expect(path.basename(path.dirname(staging.sourcePath))).toMatch(/^openclaw-bundle-[A-Za-z0-9]{6}$/);
  expect(sha256(fs.readFileSync(staging.sourcePath))).toBe(bundle.sha256);
});

test('the same files give the same archive and asset; a changed agent file gives new ones', () => {
  const again = build();
  expect([again.bundle.sha256, again.bundle.asset.assetHash]).toEqual([bundle.sha256, hash]);
  const changed = build(bundleFiles('Be brief.\n'));
  expect(changed.bundle.sha256).not.toBe(bundle.sha256);
  expect(changed.bundle.asset.assetHash).not.toBe(hash);
});
