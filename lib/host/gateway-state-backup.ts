import { Stack } from 'aws-cdk-lib';
import * as dlm from 'aws-cdk-lib/aws-dlm';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { acknowledgeFinding, nagPartition } from '../gate/acknowledge';
import { ebsKeyThroughEc2 } from '../keys/ebs-key-through-ec2';
import { STATE_VOLUME_TAG_KEY } from './gateway-state-volume';

/** The tag every snapshot of the state volume carries (value: the deployment name); only those may be deleted by the policy. */
export const STATE_SNAPSHOT_TAG_KEY = 'openclaw:state-snapshot';
/** When the daily snapshot starts (UTC, HH:MM; DLM starts it within the hour). */
export const STATE_BACKUP_TIME_UTC = '03:00';

export interface GatewayStateBackupProps {
  /** `<prefix>-<client>-<env>`: the STATE_VOLUME_TAG_KEY value of the volume to back up. */
  readonly deploymentName: string;
  /** Days each snapshot is kept (instance.stateBackup.retainDays). */
  readonly retainDays: number;
  /** The key the state volume is encrypted with: DLM must use it (through EC2) to snapshot the volume. */
  readonly key: kms.IKey;
}

/**
 * Daily snapshots of the state volume with Amazon Data Lifecycle Manager: the volume is
 * selected by its tag (STATE_VOLUME_TAG_KEY = deployment name), snapshots copy its tags and
 * are encrypted with its key (EBS snapshots of an encrypted volume always are), and each is
 * deleted after retainDays. DLM itself is free (only snapshot storage is billed) and needs
 * no vault. Its role may snapshot only volumes with this deployment's tag and delete only
 * snapshots with this deployment's snapshot tag.
 */
export class GatewayStateBackup extends Construct {
  readonly policy: dlm.CfnLifecyclePolicy;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GatewayStateBackupProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const snapshots = stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*' });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('dlm.amazonaws.com'),
      description: `Daily snapshots of the ${props.deploymentName} state volume (Data Lifecycle Manager)`,
    });
    const permissions = new iam.ManagedPolicy(this, 'Permissions', {
      description: `Snapshots of the ${props.deploymentName} state volume only`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'SnapshotOwnStateVolume',
          actions: ['ec2:CreateSnapshot', 'ec2:CreateSnapshots'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' })],
          conditions: { StringEquals: { [`aws:ResourceTag/${STATE_VOLUME_TAG_KEY}`]: props.deploymentName } },
        }),
        new iam.PolicyStatement({
          sid: 'CreateSnapshots',
          actions: ['ec2:CreateSnapshot', 'ec2:CreateSnapshots'],
          resources: [snapshots],
        }),
        // Tags only while creating a snapshot: a role that could tag any snapshot could give
        // one this deployment's snapshot tag and then delete it.
        new iam.PolicyStatement({
          sid: 'TagOnlySnapshotsItCreates',
          actions: ['ec2:CreateTags'],
          resources: [snapshots],
          conditions: { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSnapshots'] } },
        }),
        // An encrypted volume's snapshot needs its key (AWS: DLM prerequisites), only through EC2.
        ...ebsKeyThroughEc2(this, props.key, 'UseTheVolumeKeyThroughEc2'),
        new iam.PolicyStatement({
          sid: 'DeleteOwnStateSnapshots',
          actions: ['ec2:DeleteSnapshot'],
          resources: [snapshots],
          conditions: { StringEquals: { [`aws:ResourceTag/${STATE_SNAPSHOT_TAG_KEY}`]: props.deploymentName } },
        }),
      ],
    });
    const find = new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
      description: `Snapshots of the ${props.deploymentName} state volume: the actions that support no resource ARN`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'FindVolumesAndSnapshots',
          actions: ['ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'],
          resources: ['*'],
        }),
      ],
      reason: 'ec2:DescribeInstances, DescribeVolumes and DescribeSnapshots support no resource ARN; they are read-only and DLM needs them to find the tagged volume and its snapshots.',
    });
    this.policy = new dlm.CfnLifecyclePolicy(this, 'Policy', {
      // DLM takes letters, digits, spaces, _ and - only.
      description: `${props.deploymentName} state volume daily snapshots kept ${props.retainDays} days`,
      state: 'ENABLED',
      executionRoleArn: this.role.roleArn,
      policyDetails: {
        policyType: 'EBS_SNAPSHOT_MANAGEMENT',
        resourceTypes: ['VOLUME'],
        targetTags: [{ key: STATE_VOLUME_TAG_KEY, value: props.deploymentName }],
        schedules: [
          {
            name: 'daily',
            createRule: { interval: 24, intervalUnit: 'HOURS', times: [STATE_BACKUP_TIME_UTC] },
            retainRule: { interval: props.retainDays, intervalUnit: 'DAYS' },
            copyTags: true,
            tagsToAdd: [{ key: STATE_SNAPSHOT_TAG_KEY, value: props.deploymentName }],
          },
        ],
      },
    });
    this.policy.node.addDependency(permissions, find);
    const cfnRole = permissions.node.defaultChild as iam.CfnManagedPolicy;
    acknowledgeFinding(
      cfnRole,
      `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:ec2:${stack.region}:${stack.account}:volume/*]`,
      `Snapshots only volumes tagged ${STATE_VOLUME_TAG_KEY}=${props.deploymentName} (aws:ResourceTag condition): the volume ID is not an input of the policy, the tag is how DLM selects it.`,
    );
    acknowledgeFinding(
      cfnRole,
      `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:ec2:${stack.region}::snapshot/*]`,
      'Snapshot IDs do not exist before DLM creates them; deleting is limited by condition to snapshots carrying this deployment\'s snapshot tag.',
    );
  }
}
