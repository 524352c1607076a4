import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { pinnedAmiId } from '../config/ami';
import type { NetworkConfig } from './config-schema';
import { acknowledgeFinding } from '../gate/acknowledge';
import { renderNatUserData } from './nat-user-data';
import { acknowledgePinnedAmi, hardenInstance } from '../host/instance-hardening';
import { logicalIdFollowsReplacement } from '../host/replacement-identity';

/** Where the VPC's flow logs land in the audit bucket (they add /AWSLogs/<account>/vpcflowlogs/...). */
export const VPC_FLOW_LOG_PREFIX = 'vpc-flow-logs';

export interface GatewayVpcProps {
  /** config.network: the VPC CIDR and the NAT (mode, instance type, pinned AMI). */
  readonly network: NetworkConfig;
  /** The two AZs, as deploy-time tokens (Fn::GetAZs): no synth-time lookup. */
  readonly availabilityZones: readonly string[];
  /** Encrypts the NAT instance's volume. */
  readonly key: kms.IKey;
  /** The object-locked audit bucket (core stack): flow logs go there, under VPC_FLOW_LOG_PREFIX. */
  readonly auditBucketArn: string;
}

/**
 * The VPC of the gateway host, hardened: two AZs, a public and a private subnet in each,
 * no subnet that hands out public IPs, the default security group stripped of
 * all rules, one NAT (an instance by default, for cost) and flow logs of all
 * traffic to the object-locked audit bucket (core stack).
 */
export class GatewayVpc extends ec2.Vpc {
  /** Flow logs of all traffic to the audit bucket. */
  readonly flowLog: ec2.CfnFlowLog;

  constructor(scope: Construct, id: string, props: GatewayVpcProps) {
    const { network } = props;
    const natGatewayProvider =
      network.natMode === 'gateway'
        ? ec2.NatProvider.gateway()
        : ec2.NatProvider.instanceV2({
            instanceType: new ec2.InstanceType(network.natInstanceType),
            machineImage: ec2.MachineImage.genericLinux({ [Stack.of(scope).region]: pinnedAmiId(network.natAmiId, 'network.natAmiId') }),
            defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
            // The public subnets do not map public IPs on launch (nothing else there may
            // have one), so the NAT instance asks for its own: without it, no egress at all.
            associatePublicIpAddress: true,
            // Our own setup (host/nat/nat-setup.sh), not CDK's unguarded `yum install
            // iptables-services`: no dnf when the AMI has nft, otherwise swap first and
            // retries; a failed step is a FAILED line on the console and a cloud-init error.
            userData: ec2.UserData.custom(renderNatUserData()),
          });
    super(scope, id, {
      ipAddresses: ec2.IpAddresses.cidr(network.vpcCidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: 1,
      natGatewayProvider,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    if (natGatewayProvider instanceof ec2.NatInstanceProviderV2) {
      // The NAT instance forwards only what the private subnets send it.
      natGatewayProvider.connections.allowFrom(ec2.Peer.ipv4(network.vpcCidr), ec2.Port.tcp(443), 'HTTPS from the VPC, the only egress');
      for (const nat of natGatewayProvider.gatewayInstances) {
        hardenInstance(nat, { key: props.key, rootVolumeGiB: 8 });
        acknowledgePinnedAmi(nat);
        // A new setup script or AMI must reach a NEW instance (cloud-init runs user data once
        // per instance): its logical ID follows every replacing change, the route follows by Ref.
        logicalIdFollowsReplacement(nat.node.defaultChild as ec2.CfnInstance);
        acknowledgeFinding(
          nat,
          'cdk-validator-cfnguard::ec2_instance_no_public_ip_check',
          'This is the NAT instance: translating private egress to its public IP is its whole function. Its security group admits only HTTPS from the VPC and nothing from the internet.',
        );
        for (const rule of ['NIST.800.53.R5-EC2InstanceNoPublicIp', 'HIPAA.Security-EC2InstanceNoPublicIp']) {
          acknowledgeFinding(
            nat,
            rule,
            'This is the NAT instance: translating private egress to its public IP is its whole function. Its security group admits only HTTPS from the VPC and nothing from the internet.',
          );
        }
        for (const rule of ['NIST.800.53.R5-EC2InstancesInVPC', 'HIPAA.Security-EC2InstancesInVPC']) {
          acknowledgeFinding(
            nat,
            rule,
            'The rule reads only the top-level SubnetId; with its public IP requested on the network interface, the NAT instance sits in a public subnet of this VPC through NetworkInterfaces[0].SubnetId.',
          );
        }
      }
    }
    for (const subnet of this.publicSubnets) {
      const route = subnet.node.findChild('DefaultRoute');
      for (const rule of ['NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW']) {
        acknowledgeFinding(
          route,
          rule,
          'Only the public subnets route to the internet gateway, for the NAT (and the NAT gateway option); they host no workload and auto-assign no public IPs.',
        );
      }
    }
    // Flow logs of all traffic, straight to the object-locked audit bucket (core stack):
    // the tamper-evident record, at half the price of CloudWatch Logs ingestion.
    this.flowLog = new ec2.CfnFlowLog(this, 'AllTrafficToAuditBucket', {
      resourceId: this.vpcId,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 's3',
      logDestination: `${props.auditBucketArn}/${VPC_FLOW_LOG_PREFIX}`,
      maxAggregationInterval: 600,
    });
  }
}
