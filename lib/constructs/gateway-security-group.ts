import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

export interface GatewaySecurityGroupProps {
  readonly vpc: ec2.IVpc;
  /** nginx's port: the only inbound port. */
  readonly proxyPort: number;
}

/**
 * The gateway instance's security group: inbound only the proxy port, only
 * from the private subnets (where CloudFront's VPC origin places its network
 * interfaces); outbound only HTTPS. No SSH, no
 * RDP, nothing from 0.0.0.0/0 or ::/0.
 */
export class GatewaySecurityGroup extends ec2.SecurityGroup {
  constructor(scope: Construct, id: string, props: GatewaySecurityGroupProps) {
    super(scope, id, {
      vpc: props.vpc,
      allowAllOutbound: false,
      allowAllIpv6Outbound: false,
      description: 'OpenClaw gateway: proxy port from the VPC origin only; egress HTTPS only',
    });
    for (const subnet of props.vpc.privateSubnets) {
      this.addIngressRule(ec2.Peer.ipv4(subnet.ipv4CidrBlock), ec2.Port.tcp(props.proxyPort), `nginx from the VPC origin in ${subnet.availabilityZone}`);
    }
    this.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to allowlisted domains (DNS Firewall)');
    // DNS (the Amazon-provided resolver), instance metadata and time sync are
    // not filtered by security groups; the host firewall restricts them.
  }
}
