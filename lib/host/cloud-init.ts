/**
 * The user data of the gateway instance: host/cloud-init/user-data.yaml (a
 * #cloud-config) with the config's values filled in and host/scripts/install-bundle.sh
 * embedded, pointing at the deployment bundle by S3 URI and SHA-256, and naming the
 * CloudFront domain that boot adds to the browser origins (control-ui-origins.json
 * and nginx's allowed-origins.map.conf; also OPENCLAW_CLOUDFRONT_DOMAIN in host.env),
 * and the state volume that boot attaches and mounts (OPENCLAW_STATE_VOLUME_ID in host.env).
 *
 * Delivery: the user data is only a bootstrap (packages, the system user, the
 * installer, one runcmd). Everything else travels in the deployment bundle, a
 * tar.gz built at synth (packBundle in runtime-files.ts) and shipped as an S3 file
 * asset of the stack; the installer refuses it unless its SHA-256 is the one pinned
 * here. EC2 caps user data at 16 KB (before base64): the lockfile alone (~330
 * packages) is far larger, so embedding the files is not an option, and the bundle's
 * checksum in the user data keeps the asset as tamper-evident as embedding would.
 *
 * CDK wiring (gateway stack): `new s3assets.Asset(this, 'Bundle', { path: <bundle.tar.gz> })`,
 * `asset.grantRead(instance.role)`, and
 * `userData: ec2.UserData.custom(renderUserData(config, { s3Uri: asset.s3ObjectUrl, sha256 },
 * { cloudFrontDomain: distribution.distributionDomainName }))`
 * (custom: the default Linux user data would prepend `#!/bin/bash`). CDK tokens in
 * s3Uri and cloudFrontDomain are accepted and resolved by CloudFormation.
 */
import { parse as parseYaml } from 'yaml';
import type { ResolvedConfig } from '../config/schema';
import { HOST_PATHS } from './paths';
import { fillTemplate, readHostSource } from './template';
import { hostTemplateValues, renderHostTemplate } from './template-values';

export const USER_DATA_PATH = 'cloud-init/user-data.yaml';
export const INSTALL_SCRIPT_PATH = 'scripts/install-bundle.sh';
/** Where the user data writes the installer on the host. */
export const INSTALL_SCRIPT_HOST_PATH = `${HOST_PATHS.libexecDir}/install-bundle.sh`;
/** EC2's limit on user data, in bytes, before base64. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;
/**
 * Bytes kept free for each CDK token of a URI or name (bundle URI, CloudFront domain): the resolved
 * s3://<bucket up to 63>/<asset hash>.tar.gz and a DNS name (253 at most) are below this.
 */
export const TOKEN_URI_RESERVE_BYTES = 256;
/** Bytes kept free for the state volume ID's token: vol- and 17 hex digits resolved, 21 bytes. */
export const TOKEN_VOLUME_ID_RESERVE_BYTES = 32;

/** Where the deployment bundle is and what its SHA-256 must be. */
export interface BundleRef {
  /** s3://bucket/key, or a CDK token that resolves to one (asset.s3ObjectUrl). */
  readonly s3Uri: string;
  /** SHA-256 of the bundle file, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** What `npm run render` shows in place of the synth-time bundle location. */
export const PLACEHOLDER_BUNDLE: BundleRef = {
  s3Uri: 's3://bundle-bucket-set-at-synth/deployment-bundle.tar.gz',
  sha256: '0'.repeat(64),
};

/** The CloudFront distribution in front of the gateway, as boot needs it. */
export interface EdgeRef {
  /**
   * The distribution's domain name without scheme, e.g. d111111abcdef8.cloudfront.net,
   * or a CDK token that resolves to one (distribution.distributionDomainName).
   */
  readonly cloudFrontDomain: string;
}

/** What `npm run render` shows in place of the deploy-time CloudFront domain. */
export const PLACEHOLDER_EDGE: EdgeRef = { cloudFrontDomain: 'cloudfront-domain-set-at-deploy.cloudfront.net' };

const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9_./=+@-]+$/;
const CDK_TOKEN = /\$\{Token\[[A-Za-z0-9_.-]+\]\}/;
const TOKENISH_URI = /^[A-Za-z0-9_./=+@:${}[\]-]+$/;
/** A DNS name as install-bundle.sh accepts it (lowercase, at least two labels). */
const DNS_NAME = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const TOKENISH_NAME = /^[A-Za-z0-9_.${}[\]-]+$/;

/** Whether the value is a CDK token (resolved at deploy: room is reserved for it). */
function checkBundle(bundle: BundleRef): boolean {
  if (!/^[0-9a-f]{64}$/.test(bundle.sha256)) throw new Error(`user data: bundle sha256 must be 64 lowercase hex digits, got ${JSON.stringify(bundle.sha256)}`);
  if (S3_URI.test(bundle.s3Uri)) return false;
  if (CDK_TOKEN.test(bundle.s3Uri) && TOKENISH_URI.test(bundle.s3Uri)) return true;
  throw new Error(`user data: bundle location must be s3://bucket/key (or a CDK token), got ${JSON.stringify(bundle.s3Uri)}`);
}

/** The state volume the host attaches at boot (lib/host/gateway-state-volume.ts). */
export interface StateVolumeRef {
  /** vol-..., or a CDK token that resolves to one (the volume's Ref). */
  readonly volumeId: string;
}

/** What `npm run render` shows in place of the deploy-time state volume ID. */
export const PLACEHOLDER_STATE_VOLUME: StateVolumeRef = { volumeId: 'vol-0000000000000000f' };

const VOLUME_ID = /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Whether the value is a CDK token (resolved at deploy: room is reserved for it). */
function checkStateVolume(volume: StateVolumeRef): boolean {
  if (VOLUME_ID.test(volume.volumeId)) return false;
  if (CDK_TOKEN.test(volume.volumeId) && TOKENISH_NAME.test(volume.volumeId)) return true;
  throw new Error(`user data: state volume must be an EBS volume ID like vol-0123456789abcdef0 (or a CDK token), got ${JSON.stringify(volume.volumeId)}`);
}

/** The viewer domain is not known at synth: boot adds no origin (docs/edge.md, "The viewer domain for browsers"). */
export const NO_EDGE_DOMAIN: EdgeRef = { cloudFrontDomain: 'none' };

/** Whether the value is a CDK token (resolved at deploy: room is reserved for it). */
function checkEdge(edge: EdgeRef): boolean {
  const d = edge.cloudFrontDomain;
  if (d === NO_EDGE_DOMAIN.cloudFrontDomain) return false;
  if (DNS_NAME.test(d) && d.length <= 253) return false;
  if (CDK_TOKEN.test(d) && TOKENISH_NAME.test(d)) return true;
  throw new Error(`user data: CloudFront domain must be a DNS name like d111111abcdef8.cloudfront.net, without https:// (or a CDK token), got ${JSON.stringify(d)}`);
}

/** `text` indented by `indent` on every non-empty line (a YAML block scalar's body). */
function indentBlock(text: string, indent: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : indent + l))
    .join('\n');
}

/**
 * The rendered #cloud-config. Throws when the result is not the YAML it should
 * be (the installer does not round-trip, the header is missing) or when it would
 * exceed EC2's 16 KB limit.
 */
export function renderUserData(config: ResolvedConfig, bundle: BundleRef, edge: EdgeRef, stateVolume: StateVolumeRef): string {
  const tokens = [checkBundle(bundle), checkEdge(edge)].filter(Boolean).length;
  const reserve = tokens * TOKEN_URI_RESERVE_BYTES + (checkStateVolume(stateVolume) ? TOKEN_VOLUME_ID_RESERVE_BYTES : 0);
  const script = renderHostTemplate(config, INSTALL_SCRIPT_PATH);
  const values = { ...hostTemplateValues(config), BUNDLE_URI: bundle.s3Uri, BUNDLE_SHA256: bundle.sha256, CLOUDFRONT_DOMAIN: edge.cloudFrontDomain, STATE_VOLUME_ID: stateVolume.volumeId };
  const filled = fillTemplate(readHostSource(USER_DATA_PATH), values, `host/${USER_DATA_PATH}`, ['INSTALL_BUNDLE_SH']);
  const slot = /^( +)@@INSTALL_BUNDLE_SH@@$/m.exec(filled);
  if (!slot) throw new Error(`host/${USER_DATA_PATH}: the @@INSTALL_BUNDLE_SH@@ line (under content: |) is missing`);
  const userData = filled.replace(slot[0], () => indentBlock(script, slot[1]!));

  if (!userData.startsWith('#cloud-config\n')) throw new Error('user data: must start with the #cloud-config line');
  const doc = parseYaml(userData) as {
    write_files?: { path?: string; content?: string }[];
    runcmd?: unknown[];
  };
  const installer = doc.write_files?.find((f) => f.path === INSTALL_SCRIPT_HOST_PATH);
  if (installer?.content !== script) throw new Error('user data: the embedded install-bundle.sh does not round-trip through YAML');
  const run = JSON.stringify(doc.runcmd ?? []);
  if (run !== JSON.stringify([[INSTALL_SCRIPT_HOST_PATH, bundle.s3Uri, bundle.sha256, edge.cloudFrontDomain, stateVolume.volumeId]])) throw new Error(`user data: unexpected runcmd ${run}`);

  const size = Buffer.byteLength(userData) + reserve;
  if (size > USER_DATA_LIMIT_BYTES) {
    throw new Error(`user data: ${size} bytes, over EC2's ${USER_DATA_LIMIT_BYTES}-byte limit; move content into the deployment bundle`);
  }
  return userData;
}
