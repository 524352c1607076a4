import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import { EgressDnsFirewall } from '../network/egress-dns-firewall';
import { GatewaySecurityGroup } from '../network/gateway-security-group';
import { GatewayVpc } from '../network/gateway-vpc';
import { OriginFacingPrefixList } from '../edge/origin-facing-prefix-list';
import { egressDomains } from '../network/egress-domains';

export interface NetworkStackProps extends StackProps {
  /** The resolved config of this client x environment. */
  readonly config: ResolvedConfig;
  /** The deployment key (core stack): encrypts the NAT instance's volume and the lookup function's log group. */
  readonly key: kms.IKey;
  /** `<prefix>-<client>-<env>`, for resource names. */
  readonly deploymentName: string;
  /** The object-locked audit bucket (core stack): flow logs also go there. */
  readonly auditBucketArn: string;
}

/**
 * The VPC (with its NAT and flow logs), its egress allowlist (DNS Firewall),
 * the deploy-time lookup of CloudFront's origin-facing prefix list and the
 * gateway host's security group, which admits only that list.
 */
export class NetworkStack extends Stack {
  readonly vpc: GatewayVpc;
  readonly gatewaySecurityGroup: GatewaySecurityGroup;
  readonly dnsFirewall: EgressDnsFirewall;

  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    // The first two AZs of the region, resolved by CloudFormation at deploy time (Fn::GetAZs):
    // neither a synth-time lookup nor hard-coded names.
    this.zones = [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
    this.vpc = new GatewayVpc(this, 'Vpc', {
      network: config.network,
      availabilityZones: this.zones,
      key: props.key,
      auditBucketArn: props.auditBucketArn,
    });
    this.dnsFirewall = new EgressDnsFirewall(this, 'EgressAllowlist', {
      vpc: this.vpc,
      allowedDomains: egressDomains(config.network, config.aws.region, config.aws.account),
      namePrefix: props.deploymentName,
    });
    const originFacing = new OriginFacingPrefixList(this, 'CloudFrontOriginFacing', {
      deploymentName: props.deploymentName,
      key: props.key,
      logRetentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    this.gatewaySecurityGroup = new GatewaySecurityGroup(this, 'GatewaySecurityGroup', {
      vpc: this.vpc,
      proxyPort: config.edge.proxyPort,
      originFacingPrefixListId: originFacing.prefixListId,
    });
  }

  /** Deploy-time AZs: CDK would otherwise look them up in the account at synth time. */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
