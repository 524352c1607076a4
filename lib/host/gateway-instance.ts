import { CrossStackReferences, ReferenceStrength, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';
import { acknowledgePinnedAmi, hardenInstance } from './instance-hardening';
import { logicalIdFollowsReplacement } from './replacement-identity';

export interface GatewayInstanceProps {
  /** The VPC: the host runs in the private subnet of its first Availability Zone. */
  readonly vpc: ec2.IVpc;
  /** The gateway host's security group (GatewaySecurityGroup). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Encrypts the root volume. */
  readonly key: kms.IKey;
  /** The host's least-privilege role (see GatewayRole). */
  readonly role: iam.IRole;
  /** The pinned Amazon Linux 2023 arm64 AMI of the stack's region (config instance.amiId). */
  readonly amiId: string;
  /** The EC2 instance type (config instance.type, or sized from the agent count: gatewayInstanceType); an arm64 (Graviton) type. @default t4g.small */
  readonly instanceType?: string;
  /** Root volume size in GiB (config instance.rootVolumeGiB). @default 16 */
  readonly rootVolumeGiB?: number;
  /** The host's user data (cloud-init). @default - no user data */
  readonly userData?: ec2.UserData;
}

/**
 * The gateway host, the EC2 instance the OpenClaw gateway runs on: Amazon
 * Linux 2023 on Graviton in a private subnet, no public IP, no key pair and no
 * SSH, IMDSv2 with hop limit 1, root volume encrypted with the deployment key,
 * basic (5-minute) monitoring, not detailed (see hardenInstance), and
 * break-glass access only through SSM Session Manager.
 *
 * Replacing it is safe and deliberate: the AMI is pinned in config (never
 * "latest" resolved again on each deploy), its logical ID changes with
 * everything that makes CloudFormation replace it, and other stacks read its
 * ID through weak references (Fn::GetStackOutput, no export to fight), so
 * they follow the new instance in the same `cdk deploy <stage>/*`.
 */
export class GatewayInstance extends ec2.Instance {
  readonly metadataLaunchTemplate: ec2.LaunchTemplate;

  constructor(scope: Construct, id: string, props: GatewayInstanceProps) {
    super(scope, id, {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: [props.vpc.availabilityZones[0]!] },
      securityGroup: props.securityGroup,
      instanceType: new ec2.InstanceType(props.instanceType ?? 't4g.small'),
      // Pinned: a new AMI is a config change that `cdk diff` shows, not a side effect of deploying.
      machineImage: ec2.MachineImage.genericLinux({ [Stack.of(scope).region]: props.amiId }),
      associatePublicIpAddress: false,
      role: props.role,
      userData: props.userData,
    });
    this.metadataLaunchTemplate = hardenInstance(this, {
      key: props.key,
      rootVolumeGiB: props.rootVolumeGiB ?? 16,
    });
    acknowledgePinnedAmi(this);
    const cfn = this.node.defaultChild as ec2.CfnInstance;
    // A new bundle means a new host (replace rather than keep a host that never ran
    // the new user data), and so does a new AMI, subnet or launch template: each
    // gives the instance a new logical ID (CDK's userDataCausesReplacement covered
    // the user data only).
    logicalIdFollowsReplacement(cfn);
    // Other stacks (edge: VPC origin, origin-verify rotation; spend: kill switch) read
    // the instance's ID and attributes with Fn::GetStackOutput, whatever the app-wide
    // default: a strong export could never change while imported, so a replacement
    // would fail the Gateway stack's update.
    CrossStackReferences.of(this).produce(ReferenceStrength.WEAK);
    for (const rule of ['NIST.800.53.R5-EC2InstancesInVPC', 'HIPAA.Security-EC2InstancesInVPC']) {
      acknowledgeFinding(
        cfn,
        rule,
        'The rule reads only the top-level SubnetId; the instance sits in a private subnet through NetworkInterfaces[0].SubnetId, which Control Tower CT.EC2.PR.8 requires so that AssociatePublicIpAddress is explicitly false.',
      );
    }
  }
}
