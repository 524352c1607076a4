/**
 * Network: public IPv4 addresses (explicit, Elastic IPs, the NAT instance's),
 * NAT gateways and what they process, VPC interface endpoints, data transfer
 * out to the internet, and the DNS Firewall's queries and domains.
 */
import type { PricedInstance } from './compute';
import type { Ledger } from './ledger';
import { FREE_TIERS, HOURS_PER_MONTH, PRICES } from './price-table';
import { arr, obj, refName, type Res } from './template-index';
import { listRefs, plural } from './wording';

/** Subnet is routed to an internet gateway (a public subnet). */
function isPublicSubnet(l: Ledger, subnet: Res): boolean {
  const tables = l.ix
    .ofType('AWS::EC2::SubnetRouteTableAssociation')
    .filter((a) => l.ix.refersTo(a.props.SubnetId, a.stack, subnet))
    .map((a) => l.ix.resolve(a.props.RouteTableId, a.stack))
    .filter((t): t is Res => t !== undefined);
  return l.ix
    .ofType('AWS::EC2::Route')
    .some((route) => tables.some((t) => l.ix.refersTo(route.props.RouteTableId, route.stack, t)) && l.ix.resolve(route.props.GatewayId, route.stack)?.type === 'AWS::EC2::InternetGateway');
}

/** Why an instance without an Elastic IP has a public address, if it has one (or needs one). */
function instanceAddress(l: Ledger, i: PricedInstance): string | undefined {
  const nics = arr(i.res.props.NetworkInterfaces).map(obj);
  const subnet = l.ix.resolve(i.res.props.SubnetId ?? nics[0]?.SubnetId, i.res.stack);
  const explicit =
    nics.some((n) => n.AssociatePublicIpAddress === true || n.AssociatePublicIpAddress === 'true') ||
    (nics.length === 0 && subnet !== undefined && subnet.props.MapPublicIpOnLaunch === true);
  const publicSubnet = subnet !== undefined && isPublicSubnet(l, subnet);
  if (explicit) return `public IP of ${refName(i.res)}`;
  if (i.nat && publicSubnet) {
    return `NAT instance ${refName(i.res)} (needs one to reach the internet; note: the template assigns none: no AssociatePublicIpAddress, MapPublicIpOnLaunch false, no Elastic IP)`;
  }
  return undefined;
}

/** Public IPv4 addresses: explicit ones, Elastic IPs, and the NAT instance's (it cannot work without one). */
function pricePublicAddresses(l: Ledger, instances: readonly PricedInstance[]) {
  const ips: string[] = [];
  const covered = new Set<Res>();
  for (const eip of l.of('AWS::EC2::EIP')) {
    const target = l.ix.resolve(eip.props.InstanceId, eip.stack);
    if (target) covered.add(target);
    ips.push(`Elastic IP ${refName(eip)}`);
  }
  for (const assoc of l.ix.ofType('AWS::EC2::EIPAssociation')) {
    const target = l.ix.resolve(assoc.props.InstanceId, assoc.stack);
    if (target) covered.add(target);
  }
  for (const i of instances) {
    if (i.res.type !== 'AWS::EC2::Instance' || covered.has(i.res)) continue;
    const address = instanceAddress(l, i);
    if (address) ips.push(address);
  }
  if (ips.length > 0) {
    l.add('public-ipv4', 'Network', 'Public IPv4 addresses', ips.length, 'publicIpv4Hour', `${ips.join('; ')}; $0.005/h x ${HOURS_PER_MONTH} h`, {
      unitUsd: PRICES.publicIpv4Hour.usd * HOURS_PER_MONTH,
      unit: 'address-month',
    });
  }
}

function priceNatGateways(l: Ledger) {
  const natGateways = l.of('AWS::EC2::NatGateway').filter((n) => n.props.ConnectivityType !== 'private');
  if (natGateways.length === 0) return;
  l.add('nat-gateway', 'Network', 'NAT gateway', natGateways.length, 'natGatewayHour', `${listRefs(natGateways)}; $0.045/h x ${HOURS_PER_MONTH} h`, {
    unitUsd: PRICES.natGatewayHour.usd * HOURS_PER_MONTH,
    unit: 'gateway-month',
  });
  l.add('nat-gateway-data', 'Network', 'NAT gateway data processed', l.u.natGatewayProcessedGb, 'natGatewayGb', 'usage assumption natGatewayProcessedGb');
}

function priceInterfaceEndpoints(l: Ledger) {
  const endpoints = l.of('AWS::EC2::VPCEndpoint').filter((e) => e.props.VpcEndpointType === 'Interface');
  const enis = endpoints.reduce((s, e) => s + Math.max(1, arr(e.props.SubnetIds).length), 0);
  if (enis > 0) {
    l.add('interface-endpoint', 'Network', 'VPC interface endpoints', enis, 'interfaceEndpointAzHour', `${listRefs(endpoints)}: one ENI per subnet`, {
      unitUsd: PRICES.interfaceEndpointAzHour.usd * HOURS_PER_MONTH,
      unit: 'endpoint-AZ-month',
    });
  }
}

function priceDataTransferOut(l: Ledger) {
  if (l.ix.ofType('AWS::EC2::InternetGateway').length === 0) return;
  const q = l.u.internetEgressGb;
  const free = FREE_TIERS.dataTransferOutGb.quantity;
  l.add('data-transfer-out', 'Network', 'Data transfer out to the internet', q, 'dataTransferOutGb', `usage assumption internetEgressGb; the first ${free} GB a month are free`, {
    monthlyUsd: Math.max(0, q - free) * PRICES.dataTransferOutGb.usd,
  });
}

function priceDnsFirewall(l: Ledger) {
  const associations = l.of('AWS::Route53Resolver::FirewallRuleGroupAssociation');
  if (associations.length > 0) {
    l.add(
      'dns-firewall-queries',
      'Network',
      'DNS Firewall queries',
      l.u.dnsQueriesMillions * associations.length,
      'dnsFirewallQueriesMillion',
      `${plural(associations.length, 'VPC association')} x usage assumption dnsQueriesMillions`,
    );
  }
  const lists = l.of('AWS::Route53Resolver::FirewallDomainList');
  const domains = lists.reduce((s, list) => s + arr(list.props.Domains).length, 0);
  if (lists.length > 0) {
    l.add('dns-firewall-domains', 'Network', 'DNS Firewall domains', domains, 'dnsFirewallDomainMonth', `${plural(lists.length, 'domain list')}: ${listRefs(lists)}`);
  }
}

/** Every network line, in the report's order. */
export function priceNetwork(l: Ledger, instances: readonly PricedInstance[]) {
  pricePublicAddresses(l, instances);
  priceNatGateways(l);
  priceInterfaceEndpoints(l);
  priceDataTransferOut(l);
  priceDnsFirewall(l);
}
