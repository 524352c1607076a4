/**
 * The resource types no service family priced: those known to cost nothing by
 * themselves, and one "Not priced" line per other type, so that a resource the
 * estimate does not know is shown rather than silently left out.
 */
import type { Ledger } from './ledger';

/** Resource types that cost nothing by themselves (their usage, if any, is priced elsewhere). */
const FREE_TYPES = new Set([
  'AWS::CDK::Metadata',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::Route',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::LaunchTemplate',
  'AWS::EC2::EIPAssociation',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::NetworkAclEntry',
  'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::KMS::Alias',
  'AWS::SNS::TopicPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SecretsManager::ResourcePolicy',
  'AWS::SecretsManager::RotationSchedule',
  'AWS::SSM::Document',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::SubscriptionFilter',
  'AWS::Logs::ResourcePolicy',
  'AWS::Logs::DeliverySource',
  'AWS::Logs::DeliveryDestination',
  'AWS::Logs::Delivery',
  'AWS::Route53Resolver::FirewallRuleGroup',
  'AWS::Route53Resolver::FirewallConfig',
  'AWS::CloudFront::OriginRequestPolicy',
  'AWS::CloudFront::ResponseHeadersPolicy',
  'AWS::CloudFront::CachePolicy',
  'AWS::CloudFront::OriginAccessControl',
  'AWS::WAFv2::LoggingConfiguration',
  'AWS::WAFv2::WebACLAssociation',
  'AWS::Budgets::BudgetsAction',
  'AWS::Events::Rule',
]);

/** One not-priced line per resource type no family looked at and not known to be free (custom resources are free). */
export function listUnpricedTypes(l: Ledger) {
  const counts = new Map<string, number>();
  for (const r of l.ix.resources) {
    if (l.isHandled(r.type) || FREE_TYPES.has(r.type) || r.type.startsWith('Custom::') || r.type === 'AWS::CloudFormation::CustomResource') continue;
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  }
  for (const [type, n] of counts) l.unpriced(type, type, n, 'a resource type with no entry in lib/cost (priced or known to be free)');
}
