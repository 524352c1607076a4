import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';
import { hardenInstance } from './instance-hardening';

export interface GatewayInstanceProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Encrypts the root volume. */
  readonly key: kms.IKey;
  /** The host's least-privilege role (see GatewayRole). */
  readonly role: iam.IRole;
  /** @default t4g.small */
  readonly instanceType?: string;
  /** @default 16 */
  readonly rootVolumeGiB?: number;
  /** The instance's user data (cloud-init). @default none */
  readonly userData?: ec2.UserData;
  /** Refuse API termination (prod). @default false */
  readonly terminationProtection?: boolean;
}

/**
 * The host of the OpenClaw gateway: Amazon Linux 2023 on Graviton in a
 * private subnet, no public IP, no key pair and no SSH, IMDSv2 with hop limit
 * 1, root volume encrypted with the deployment key, detailed monitoring, and
 * break-glass access only through SSM Session Manager.
 */
export class GatewayInstance extends ec2.Instance {
  readonly metadataLaunchTemplate: ec2.LaunchTemplate;

  constructor(scope: Construct, id: string, props: GatewayInstanceProps) {
    super(scope, id, {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [props.vpc.availabilityZones[0]!] },
      securityGroup: props.securityGroup,
      instanceType: new ec2.InstanceType(props.instanceType ?? 't4g.small'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.ARM_64 }),
      associatePublicIpAddress: false,
      role: props.role,
      userData: props.userData,
      // A new bundle means a new host: replace rather than keep a host that
      // never ran the new user data.
      userDataCausesReplacement: true,
    });
    this.metadataLaunchTemplate = hardenInstance(this, {
      key: props.key,
      terminationProtection: props.terminationProtection ?? false,
      rootVolumeGiB: props.rootVolumeGiB ?? 16,
    });
    const cfn = this.node.defaultChild as ec2.CfnInstance;
    for (const rule of ['NIST.800.53.R5-EC2InstancesInVPC', 'HIPAA.Security-EC2InstancesInVPC']) {
      acknowledgeFinding(
        cfn,
        rule,
        'The rule reads only the top-level SubnetId; the instance sits in a private subnet through NetworkInterfaces[0].SubnetId, which Control Tower CT.EC2.PR.8 requires so that AssociatePublicIpAddress is explicitly false.',
      );
    }
  }
}
