import { Stack, Tags } from 'aws-cdk-lib';
import { removalPolicyFor } from '../shared/retention';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';

/** The tag that marks a deployment's state volume (value: the deployment name); the daily backup selects by it. */
export const STATE_VOLUME_TAG_KEY = 'openclaw:state-volume';

export interface GatewayStateVolumeProps {
  /** `<prefix>-<client>-<env>`: the tag value the backup policy selects, and the volume's Name. */
  readonly deploymentName: string;
  /** The gateway host's Availability Zone (the first of the VPC, as GatewayInstance places it). */
  readonly availabilityZone: string;
  /** Encrypts the volume (and so every snapshot of it). */
  readonly key: kms.IKey;
  /** Size in GiB (instance.stateVolume.sizeGiB). */
  readonly sizeGiB: number;
  /**
   * Create the volume from this snapshot (instance.stateVolume.restoreFromSnapshotId): a NEW
   * volume under a new logical ID, so CloudFormation creates it; the previous one is removed
   * from the stack and, retained, stays in the account.
   * @default - an empty volume
   */
  readonly restoreFromSnapshotId?: string;
  /** Keep the volume when it leaves the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/** The logical-ID part of the state volume: `Volume`, or `VolumeFrom<snapshot hex>` for a restore. */
export function stateVolumeResourceId(restoreFromSnapshotId?: string): string {
  return restoreFromSnapshotId ? `VolumeFrom${restoreFromSnapshotId.replace(/^snap-/, '')}` : 'Volume';
}

/**
 * The agent state of the gateway (sessions, agent memory, paired devices) and the spend
 * meter's month: its own encrypted gp3 EBS volume in the host's Availability Zone,
 * retained, tagged for the daily snapshots (GatewayStateBackup). It references nothing of the
 * host, so no host change (user data, AMI, instance type) can replace it: only a restore does,
 * by design. The host attaches it to itself at boot (attach-state-volume.sh): an
 * AWS::EC2::VolumeAttachment cannot follow a host replacement, because CloudFormation
 * creates the new instance while the old one still holds the volume (VolumeInUse).
 */
export class GatewayStateVolume extends Construct {
  readonly volume: ec2.CfnVolume;
  /** The volume's ID (a token: its Ref). */
  readonly volumeId: string;
  /** arn:<partition>:ec2:<region>:<account>:volume/<id>. */
  readonly volumeArn: string;

  constructor(scope: Construct, id: string, props: GatewayStateVolumeProps) {
    super(scope, id);
    this.volume = new ec2.CfnVolume(this, stateVolumeResourceId(props.restoreFromSnapshotId), {
      availabilityZone: props.availabilityZone,
      encrypted: true,
      kmsKeyId: props.key.keyArn,
      size: props.sizeGiB,
      volumeType: 'gp3',
      snapshotId: props.restoreFromSnapshotId,
      multiAttachEnabled: false,
      autoEnableIo: false,
    });
    this.volume.applyRemovalPolicy(removalPolicyFor(props.retainOnDelete));
    Tags.of(this.volume).add(STATE_VOLUME_TAG_KEY, props.deploymentName);
    Tags.of(this.volume).add('Name', `${props.deploymentName}-state`);
    for (const rule of ['NIST.800.53.R5-EC2EBSInBackupPlan', 'HIPAA.Security-EC2EBSInBackupPlan']) {
      acknowledgeFinding(
        this.volume,
        rule,
        'Backed up daily by Amazon Data Lifecycle Manager (GatewayStateBackup: selected by its tag, snapshots kept instance.stateBackup.retainDays) instead of an AWS Backup plan, which this rule alone recognises.',
      );
    }
    this.volumeId = this.volume.ref;
    this.volumeArn = Stack.of(this).formatArn({ service: 'ec2', resource: 'volume', resourceName: this.volumeId });
  }
}
