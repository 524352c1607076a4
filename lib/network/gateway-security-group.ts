import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';

export interface GatewaySecurityGroupProps {
  /** The VPC the gateway host runs in (GatewayVpc). */
  readonly vpc: ec2.IVpc;
  /** nginx's port: the only inbound port. */
  readonly proxyPort: number;
  /**
   * The CloudFront origin-facing managed prefix list (pl-..., resolved at deploy
   * time, see OriginFacingPrefixList): the only source admitted.
   */
  readonly originFacingPrefixListId: string;
}

/**
 * The gateway host's security group: inbound only the proxy port, only
 * from CloudFront's origin-facing servers; outbound only HTTPS. No SSH, no
 * RDP, nothing from 0.0.0.0/0 or ::/0.
 *
 * VPC-origin traffic reaches the host through CloudFront's network
 * interfaces in the private subnets, but its source address is one of
 * CloudFront's origin-facing addresses, not the interfaces' private ones: a
 * rule for the subnets' CIDRs admits nothing CloudFront sends. AWS documents
 * two sources that do: the managed prefix list
 * com.amazonaws.global.cloudfront.origin-facing (used here; AWS keeps it
 * current) or the service-created CloudFront-VPCOrigins-Service-SG, which
 * exists only after the edge stack's VPC origin does (a cross-stack cycle).
 * The prefix list counts as its MaxEntries (55 today) against the 60-rule
 * inbound quota; it is the only inbound rule.
 */
export class GatewaySecurityGroup extends ec2.SecurityGroup {
  constructor(scope: Construct, id: string, props: GatewaySecurityGroupProps) {
    super(scope, id, {
      vpc: props.vpc,
      allowAllOutbound: false,
      allowAllIpv6Outbound: false,
      description: 'OpenClaw gateway: proxy port from the VPC origin only; egress HTTPS only',
    });
    // A deploy-time prefix-list ID makes CDK emit the rule as its own AWS::EC2::SecurityGroupIngress.
    const ingress = new ec2.CfnSecurityGroupIngress(this, 'ProxyPortFromCloudFront', {
      groupId: this.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: props.proxyPort,
      toPort: props.proxyPort,
      sourcePrefixListId: props.originFacingPrefixListId,
      description: 'nginx from CloudFront origin-facing servers (VPC origin)',
    });
    for (const rule of ['cdk-validator-cfnguard::vpc_sg_open_only_to_authorized_ports_check', 'cdk-validator-cfnguard::vpc_sg_restricted_common_ports_check']) {
      acknowledgeFinding(
        ingress,
        rule,
        'The source is the AWS-managed CloudFront origin-facing prefix list, not 0.0.0.0/0 or ::/0; the guard rule cannot evaluate managed prefix lists and flags every such rule (its own fix text says so).',
      );
    }
    this.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to allowlisted domains (DNS Firewall)');
    // DNS (the Amazon-provided resolver), instance metadata and time sync are
    // not filtered by security groups; the host firewall restricts them.
  }
}
