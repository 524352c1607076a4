import { parse as parseYaml } from 'yaml';
import {
  INSTALL_SCRIPT_HOST_PATH,
  INSTALL_SCRIPT_PATH,
  NO_EDGE_DOMAIN,
  PLACEHOLDER_BUNDLE,
  PLACEHOLDER_EDGE,
  PLACEHOLDER_STATE_VOLUME,
  TOKEN_URI_RESERVE_BYTES,
  TOKEN_VOLUME_ID_RESERVE_BYTES,
  USER_DATA_LIMIT_BYTES,
  USER_DATA_PATH,
  renderUserData,
  type BundleRef,
  type EdgeRef,
  type StateVolumeRef,
} from '../../lib/host/cloud-init';
import { renderHostTemplate } from '../../lib/host/template-values';
import { exampleConfig } from './support/host-tools';
import { withHostSource } from './support/patch-host-source';

// lib/host/cloud-init.ts on its own, fast: the #cloud-config it renders (every part), what
// it accepts as bundle location, checksum, CloudFront domain and state volume (and what not),
// and its refusals of a broken template or user data over EC2's 16 KB.

const config = exampleConfig('prod');
const SHA = 'a'.repeat(64);
const BUNDLE: BundleRef = { s3Uri: 's3://bucket-1/assets/abc.tar.gz', sha256: SHA };
const EDGE: EdgeRef = { cloudFrontDomain: 'd111111abcdef8.cloudfront.net' };
const VOLUME: StateVolumeRef = { volumeId: 'vol-0123456789abcdef0' };
const render = (b: BundleRef = BUNDLE, e: EdgeRef = EDGE, v: StateVolumeRef = VOLUME) => renderUserData(config, b, e, v);
const script = renderHostTemplate(config, INSTALL_SCRIPT_PATH);
const TOKEN = '${Token[TOKEN.123]}';

describe('constants', () => {
  test('paths, EC2 limit, token reserves and the render placeholders, exactly', () => {
    expect([USER_DATA_PATH, INSTALL_SCRIPT_PATH, INSTALL_SCRIPT_HOST_PATH]).toEqual([
      'cloud-init/user-data.yaml',
      'scripts/install-bundle.sh',
      '/usr/local/libexec/openclaw/install-bundle.sh',
    ]);
    expect([USER_DATA_LIMIT_BYTES, TOKEN_URI_RESERVE_BYTES, TOKEN_VOLUME_ID_RESERVE_BYTES]).toEqual([16384, 256, 32]);
    expect(PLACEHOLDER_BUNDLE).toEqual({ s3Uri: 's3://bundle-bucket-set-at-synth/deployment-bundle.tar.gz', sha256: '0'.repeat(64) });
    expect(PLACEHOLDER_EDGE).toEqual({ cloudFrontDomain: 'cloudfront-domain-set-at-deploy.cloudfront.net' });
    expect(PLACEHOLDER_STATE_VOLUME).toEqual({ volumeId: 'vol-0000000000000000f' });
    expect(NO_EDGE_DOMAIN).toEqual({ cloudFrontDomain: 'none' });
  });
});

describe('renderUserData: the #cloud-config', () => {
  const userData = render();

  test('starts with the #cloud-config line and holds every part, exactly', () => {
    expect(userData.startsWith('#cloud-config\n# User data of the OpenClaw gateway host, openclaw-example-prod (Amazon Linux 2023, arm64).\n')).toBe(true);
    expect(parseYaml(userData)).toEqual({
      package_update: false,
      package_upgrade: false,
      package_reboot_if_required: false,
      packages: ['nginx', 'nftables', 'squid', 'amazon-cloudwatch-agent', 'awscli-2', 'nodejs22', 'nodejs22-npm', 'e2fsprogs'],
      groups: ['openclaw'],
      users: [
        'default',
        { name: 'openclaw', system: true, primary_group: 'openclaw', shell: '/sbin/nologin', homedir: '/var/lib/openclaw', no_create_home: true, lock_passwd: true },
      ],
      write_files: [{ path: '/usr/local/libexec/openclaw/install-bundle.sh', owner: 'root:root', permissions: '0700', content: script }],
      runcmd: [['/usr/local/libexec/openclaw/install-bundle.sh', BUNDLE.s3Uri, SHA, EDGE.cloudFrontDomain, VOLUME.volumeId]],
    });
  });

  test('the installer is embedded as a block scalar, 3 spaces deep, blank lines left empty', () => {
    const lines = script.replace(/\n$/, '').split('\n');
    const block = lines.map((l) => (l === '' ? '' : `   ${l}`)).join('\n');
    expect(userData).toContain(`  content: |\n${block}\n\n# The CloudFront domain`);
    expect(lines).toContain('');
  });

  test('the installer is the rendered install-bundle.sh, placeholders filled', () => {
    expect(script.startsWith('#!/usr/bin/env bash\n# install-bundle.sh: first-boot installer of the OpenClaw gateway host (openclaw-example-prod).\n')).toBe(true);
    expect(userData).not.toMatch(/@@[A-Z0-9_]+@@/);
  });

  test('a CloudFront domain of "none" is passed as is (boot adds no origin)', () => {
    expect(parseYaml(render(BUNDLE, NO_EDGE_DOMAIN)).runcmd).toEqual([[INSTALL_SCRIPT_HOST_PATH, BUNDLE.s3Uri, SHA, 'none', VOLUME.volumeId]]);
  });

  test('CDK tokens are passed through for CloudFormation to resolve', () => {
    const b = { s3Uri: `s3://${TOKEN}/${TOKEN}`, sha256: SHA };
    expect(parseYaml(render(b, { cloudFrontDomain: TOKEN }, { volumeId: TOKEN })).runcmd).toEqual([[INSTALL_SCRIPT_HOST_PATH, b.s3Uri, SHA, TOKEN, TOKEN]]);
  });
});

describe('what renderUserData accepts', () => {
  const bucket = (n: number) => `s3://${'b'.repeat(n)}/k`;
  test.each([
    ['a 3-character bucket', bucket(3)],
    ['a 63-character bucket', bucket(63)],
    ['dots and dashes inside the bucket, key characters _./=+@-', 's3://my.bucket-1/a_b/c.d=e+f@g-h'],
    ['a CDK token', TOKEN],
    ['tokens inside an S3 URI', `s3://${TOKEN}/${TOKEN}.tar.gz`],
  ])('bundle location: %s', (_what, s3Uri) => {
    expect(() => render({ s3Uri, sha256: SHA })).not.toThrow();
  });

  test.each([
    ['a 2-character bucket', bucket(2)],
    ['a 64-character bucket', bucket(64)],
    ['an upper-case bucket', 's3://Bucket/k'],
    ['a bucket starting with a dash', 's3://-bucket/k'],
    ['a bucket ending with a dot', 's3://bucket./k'],
    ['no key', 's3://bucket/'],
    ['https', 'https://example.com/b.tgz'],
    ['something before s3://', 'xs3://bucket/k'],
    ['a quote in the key', "s3://bucket/key'; rm -rf /"],
    ['a space after the key', 's3://bucket/key '],
    ['a token with a quote', `${TOKEN}'`],
    ['a token with a space', `s3://${TOKEN}/a b`],
    ['something token-like that is no token', 's3://${X}/k'],
    ['a token without its $', 's3://{Token[TOKEN.1]}/k'],
    ['an empty token', 's3://${Token[]}/k'],
  ])('bundle location: refuses %s', (_what, s3Uri) => {
    expect(() => render({ s3Uri, sha256: SHA })).toThrow(new Error(`user data: bundle location must be s3://bucket/key (or a CDK token), got ${JSON.stringify(s3Uri)}`));
  });

  test.each([
    ['63 digits', 'a'.repeat(63)],
    ['65 digits', 'a'.repeat(65)],
    ['upper case', 'A'.repeat(64)],
    ['a non-hex letter', `${'a'.repeat(63)}g`],
    ['a token', TOKEN],
  ])('sha256: refuses %s', (_what, sha256) => {
    expect(() => render({ s3Uri: BUNDLE.s3Uri, sha256 })).toThrow(new Error(`user data: bundle sha256 must be 64 lowercase hex digits, got ${JSON.stringify(sha256)}`));
  });

  test('sha256: accepts every hex digit', () => {
    expect(() => render({ s3Uri: BUNDLE.s3Uri, sha256: '0123456789abcdef'.repeat(4) })).not.toThrow();
  });

  const label = (n: number) => 'a'.repeat(n);
  test.each([
    ['a distribution domain', 'd111111abcdef8.cloudfront.net'],
    ['a custom two-label name with a dash and digits', 'agents-1.example.com'],
    ['a 63-character label', `${label(63)}.net`],
    ['a one-character label', 'a.io'],
    ['a name of 253 characters', `${[label(63), label(63), label(63), label(57)].join('.')}.com`],
    ['none', 'none'],
    ['a CDK token', TOKEN],
  ])('CloudFront domain: %s', (_what, cloudFrontDomain) => {
    expect(() => render(BUNDLE, { cloudFrontDomain })).not.toThrow();
  });

  test.each([
    ['a scheme', 'https://d111111abcdef8.cloudfront.net'],
    ['a path', 'd111111abcdef8.cloudfront.net/x'],
    ['upper case', 'D111111abcdef8.cloudfront.net'],
    ['one label', 'localhost'],
    ['a 64-character label', `${label(64)}.net`],
    ['a label starting with a dash', '-a.example.com'],
    ['a label ending with a dash', 'a-.example.com'],
    ['a digit in the top-level domain', 'a.example.c0m'],
    ['a one-letter top-level domain', 'a.example.c'],
    ['a trailing dot', 'a.example.com.'],
    ['a name of 254 characters', `${[label(63), label(63), label(63), label(58)].join('.')}.com`],
    ['a quote', "a.example.com'"],
    ['a token with a scheme', `https://${TOKEN}`],
    ['"None"', 'None'],
    ['a token without its $', '{Token[TOKEN.1]}'],
    ['an empty token', '${Token[]}'],
  ])('CloudFront domain: refuses %s', (_what, cloudFrontDomain) => {
    expect(() => render(BUNDLE, { cloudFrontDomain })).toThrow(
      new Error(`user data: CloudFront domain must be a DNS name like d111111abcdef8.cloudfront.net, without https:// (or a CDK token), got ${JSON.stringify(cloudFrontDomain)}`),
    );
  });

  test.each([
    ['17 hex digits', 'vol-0123456789abcdef0'],
    ['8 hex digits (older volumes)', 'vol-0123abcd'],
    ['a CDK token', TOKEN],
  ])('state volume: %s', (_what, volumeId) => {
    expect(() => render(BUNDLE, EDGE, { volumeId })).not.toThrow();
  });

  test.each([
    ['9 hex digits', 'vol-0123abcde'],
    ['16 hex digits', 'vol-0123456789abcdef'],
    ['18 hex digits', 'vol-0123456789abcdef01'],
    ['upper case', 'vol-0123456789ABCDEF0'],
    ['another prefix', 'snap-0123456789abcdef0'],
    ['something before vol-', 'xvol-0123abcd'],
    ['a token with a quote', `${TOKEN}'`],
    ['a token with a colon', `${TOKEN}:x`],
    ['a token without its $', '{Token[TOKEN.1]}'],
    ['an empty token', '${Token[]}'],
  ])('state volume: refuses %s', (_what, volumeId) => {
    expect(() => render(BUNDLE, EDGE, { volumeId })).toThrow(
      new Error(`user data: state volume must be an EBS volume ID like vol-0123456789abcdef0 (or a CDK token), got ${JSON.stringify(volumeId)}`),
    );
  });
});

describe('EC2\'s 16 KB limit, with room for each CDK token', () => {
  /** The user data with `pad` bytes of comment appended to the template. */
  const padded = (pad: number, b: BundleRef = BUNDLE, e: EdgeRef = EDGE, v: StateVolumeRef = VOLUME) =>
    withHostSource(USER_DATA_PATH, (t) => `${t}#${'x'.repeat(pad - 2)}\n`, () => renderUserData(config, b, e, v));
  const over = (size: number) => new Error(`user data: ${size} bytes, over EC2's ${USER_DATA_LIMIT_BYTES}-byte limit; move content into the deployment bundle`);

  test.each([
    ['literal values: no reserve', BUNDLE, EDGE, VOLUME, 0],
    ['no CloudFront domain ("none"): no reserve', BUNDLE, NO_EDGE_DOMAIN, VOLUME, 0],
    ['a bundle token: 256 bytes', { s3Uri: TOKEN, sha256: SHA }, EDGE, VOLUME, 256],
    ['bundle and domain tokens: 512 bytes', { s3Uri: TOKEN, sha256: SHA }, { cloudFrontDomain: TOKEN }, VOLUME, 512],
    ['a volume token: 32 bytes', BUNDLE, EDGE, { volumeId: TOKEN }, 32],
    ['every token: 544 bytes', { s3Uri: TOKEN, sha256: SHA }, { cloudFrontDomain: TOKEN }, { volumeId: TOKEN }, 544],
  ])('%s', (_what, b, e, v, reserve) => {
    const base = Buffer.byteLength(renderUserData(config, b, e, v));
    const room = USER_DATA_LIMIT_BYTES - reserve - base;
    expect(room).toBeGreaterThan(2);
    expect(Buffer.byteLength(padded(room, b, e, v))).toBe(USER_DATA_LIMIT_BYTES - reserve);
    expect(() => padded(room + 1, b, e, v)).toThrow(over(USER_DATA_LIMIT_BYTES + 1));
  });
});

describe('refuses a broken template', () => {
  const broken = (transform: (t: string) => string) => () => withHostSource(USER_DATA_PATH, transform, () => render());

  test('without the installer slot line', () => {
    expect(broken((t) => t.replace('   @@INSTALL_BUNDLE_SH@@', '   @@INSTALL_BUNDLE_SH@@ x'))).toThrow(
      new Error('host/cloud-init/user-data.yaml: the @@INSTALL_BUNDLE_SH@@ line (under content: |) is missing'),
    );
    expect(broken((t) => t.replace('   @@INSTALL_BUNDLE_SH@@', 'x  @@INSTALL_BUNDLE_SH@@'))).toThrow(
      new Error('host/cloud-init/user-data.yaml: the @@INSTALL_BUNDLE_SH@@ line (under content: |) is missing'),
    );
    expect(broken((t) => t.replace('   @@INSTALL_BUNDLE_SH@@', '@@INSTALL_BUNDLE_SH@@'))).toThrow(
      new Error('host/cloud-init/user-data.yaml: the @@INSTALL_BUNDLE_SH@@ line (under content: |) is missing'),
    );
  });

  test('with a placeholder that has no value', () => {
    expect(broken((t) => `${t}# @@NO_SUCH_VALUE@@\n`)).toThrow(new Error('host template host/cloud-init/user-data.yaml: no value for @@NO_SUCH_VALUE@@'));
  });

  test('without the #cloud-config first line', () => {
    expect(broken((t) => t.replace('#cloud-config\n', '# cloud-config\n'))).toThrow(new Error('user data: must start with the #cloud-config line'));
    expect(broken((t) => `\n${t}`)).toThrow(new Error('user data: must start with the #cloud-config line'));
    expect(broken((t) => t.replace('#cloud-config\n', '#cloud-configs\n'))).toThrow(new Error('user data: must start with the #cloud-config line'));
  });

  test('where the installer does not come back byte for byte from the YAML', () => {
    const message = new Error('user data: the embedded install-bundle.sh does not round-trip through YAML');
    expect(broken((t) => t.replace('content: |', 'content: |-'))).toThrow(message);
    expect(broken((t) => t.replace('- path: @@LIBEXEC_DIR@@/install-bundle.sh', '- path: /tmp/install-bundle.sh'))).toThrow(message);
    expect(broken((t) => t.replace('write_files:', 'other_files:'))).toThrow(message);
  });

  test('with another runcmd', () => {
    expect(broken((t) => t.replace("'@@STATE_VOLUME_ID@@']", "'@@STATE_VOLUME_ID@@']\n  - [reboot]"))).toThrow(
      new Error(`user data: unexpected runcmd ${JSON.stringify([[INSTALL_SCRIPT_HOST_PATH, BUNDLE.s3Uri, SHA, EDGE.cloudFrontDomain, VOLUME.volumeId], ['reboot']])}`),
    );
    expect(broken((t) => t.replace('runcmd:', 'bootcmd:'))).toThrow(new Error('user data: unexpected runcmd []'));
  });
});
