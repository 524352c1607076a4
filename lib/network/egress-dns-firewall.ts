import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as r53r from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';

export interface EgressDnsFirewallProps {
  /** The VPC whose DNS queries the firewall filters (GatewayVpc). */
  readonly vpc: ec2.IVpc;
  /** Domains the VPC may resolve (`*.` prefix allows subdomains). */
  readonly allowedDomains: readonly string[];
  /** Names the rule group and domain lists. */
  readonly namePrefix: string;
}

/**
 * A per-client domain allowlist for egress: Route 53 Resolver DNS Firewall
 * answers NXDOMAIN for every name not on the list, and fails closed when the
 * firewall itself is unavailable.
 */
export class EgressDnsFirewall extends Construct {
  readonly ruleGroup: r53r.CfnFirewallRuleGroup;

  constructor(scope: Construct, id: string, props: EgressDnsFirewallProps) {
    super(scope, id);
    const allowed = new r53r.CfnFirewallDomainList(this, 'Allowed', {
      name: `${props.namePrefix}-allowed`,
      domains: [...props.allowedDomains],
    });
    const everything = new r53r.CfnFirewallDomainList(this, 'Everything', {
      name: `${props.namePrefix}-everything`,
      domains: ['*'],
    });
    this.ruleGroup = new r53r.CfnFirewallRuleGroup(this, 'RuleGroup', {
      name: `${props.namePrefix}-egress`,
      firewallRules: [
        {
          firewallDomainListId: allowed.attrId,
          priority: 100,
          action: 'ALLOW',
          // Trust the CNAME/DNAME chain of an allowed name: DNS Firewall then inspects only
          // the name asked for. With the default (INSPECT_REDIRECTION_DOMAIN) every name of
          // the chain must be on the list, and the S3 virtual-hosted names and package
          // repository CDNs the host needs at first boot are CNAMEs to names nobody can list.
          firewallDomainRedirectionAction: 'TRUST_REDIRECTION_DOMAIN',
        },
        { firewallDomainListId: everything.attrId, priority: 200, action: 'BLOCK', blockResponse: 'NXDOMAIN' },
      ],
    });
    new r53r.CfnFirewallRuleGroupAssociation(this, 'Association', {
      firewallRuleGroupId: this.ruleGroup.attrId,
      vpcId: props.vpc.vpcId,
      priority: 101,
      // Not ENABLED: with mutation protection on, CloudFormation itself can neither update
      // nor delete the association (a failed create ends in ROLLBACK_FAILED, cdk destroy
      // fails). What protects it instead: changing it needs route53resolver write
      // permissions that only the deployment's CloudFormation execution role and
      // administrators hold (the gateway host's role has none), every such call is
      // recorded by the deployment's CloudTrail trail, and CloudFormation drift detection
      // on the network stack shows any change made outside it.
      mutationProtection: 'DISABLED',
      name: `${props.namePrefix}-egress`,
    });
    // Fail closed: if DNS Firewall cannot evaluate a query, it is blocked.
    new r53r.CfnFirewallConfig(this, 'FailClosed', { resourceId: props.vpc.vpcId, firewallFailOpen: 'DISABLED' });
  }
}
