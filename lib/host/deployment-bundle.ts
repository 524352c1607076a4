import * as fs from 'fs';
import * as path from 'path';
import { FileSystem } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { packBundle } from './runtime-files';

export interface DeploymentBundleProps {
  /** Every file of the bundle, by its path inside the bundle (assembleBundleFiles). */
  readonly files: Readonly<Record<string, string | Buffer>>;
}

/**
 * The deployment bundle of the gateway host (host files, openclaw.json, the
 * pinned lockfile, agent files and their manifest) as one deterministic
 * tar.gz file asset. The user data pins its SHA-256, so the host refuses any
 * other object at that location.
 */
export class DeploymentBundle extends Construct {
  readonly asset: s3assets.Asset;
  /** SHA-256 of the archive, for the user data. */
  readonly sha256: string;

  constructor(scope: Construct, id: string, props: DeploymentBundleProps) {
    super(scope, id);
    const { archive, sha256 } = packBundle(props.files);
    this.sha256 = sha256;
    const dir = FileSystem.mkdtemp('openclaw-bundle-');
    const file = path.join(dir, 'deployment-bundle.tar.gz');
    fs.writeFileSync(file, archive);
    this.asset = new s3assets.Asset(this, 'Asset', { path: file });
  }

  /** s3://bucket/key of the bundle (a token until deploy). */
  get s3Uri(): string {
    return this.asset.s3ObjectUrl;
  }
}
