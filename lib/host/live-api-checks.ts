/**
 * Live checks of the deployment's EC2 instances through the EC2 API (daily):
 * every instance of every stack (the gateway host, the NAT instance) has
 * IMDSv2 required with hop limit 1, and a public IP only where its template
 * asks for one; plus the security group checks (lib/network/live-security-groups.ts).
 */
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { TemplateRef } from '../verify/deployed-stacks';
import { expect, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { SECURITY_GROUP_LIVE_CHECKS } from '../network/live-security-groups';

interface LiveInstance {
  readonly ref: TemplateRef;
  readonly id: string;
  readonly instance: Instance | undefined;
}

/** Every AWS::EC2::Instance of the deployment with its live description (one DescribeInstances per region). */
function liveInstances(ctx: VerifyContext): Promise<LiveInstance[]> {
  return ctx.memo('ec2:instances', async () => {
    const refs = ctx.find('AWS::EC2::Instance');
    const ids = await Promise.all(refs.map((r) => ctx.physicalId(r)));
    const byRegion = new Map<string, string[]>();
    refs.forEach((r, i) => byRegion.set(r.stack.region, [...(byRegion.get(r.stack.region) ?? []), ids[i]!]));
    const found = new Map<string, Instance>();
    for (const [region, regionIds] of byRegion) {
      const out = await ctx.client(EC2Client, region).send(new DescribeInstancesCommand({ InstanceIds: regionIds }));
      for (const res of out.Reservations ?? []) for (const i of res.Instances ?? []) if (i.InstanceId) found.set(i.InstanceId, i);
    }
    return refs.map((ref, i) => ({ ref, id: ids[i]!, instance: found.get(ids[i]!) }));
  });
}

const label = (i: LiveInstance) => `${i.id} (${i.ref.stack.role}/${i.ref.logicalId})`;

export const imdsv2Required: LiveCheck = {
  id: 'host.imdsv2-required',
  control: 'ec2-imdsv2-hop-limit-1',
  title: 'Every instance requires IMDSv2 tokens with a hop limit of 1 (instance metadata options)',
  concern: 'host',
  daily: true,
  iam: ['ec2:DescribeInstances'],
  run: async (ctx) =>
    (await liveInstances(ctx)).map((i): CheckResult => {
      const m = i.instance?.MetadataOptions;
      const seen = i.instance
        ? `HttpTokens ${m?.HttpTokens ?? '(none)'}, HttpPutResponseHopLimit ${m?.HttpPutResponseHopLimit ?? '(none)'}, HttpEndpoint ${m?.HttpEndpoint ?? '(none)'}`
        : 'instance not found by DescribeInstances';
      const ok = m?.HttpTokens === 'required' && m.HttpPutResponseHopLimit === 1 && m.HttpEndpoint === 'enabled';
      return expect(imdsv2Required, ok, label(i), seen, 'HttpTokens required, HttpPutResponseHopLimit 1, HttpEndpoint enabled');
    }),
};

/** Whether the template gives the instance a public IP: AssociatePublicIpAddress on an interface, or an Elastic IP of the stack. */
function templateWantsPublicIp(ref: TemplateRef): string | undefined {
  const p = ref.resource.Properties ?? {};
  const nics = (p.NetworkInterfaces as { AssociatePublicIpAddress?: unknown }[] | undefined) ?? [];
  if (nics.some((n) => n.AssociatePublicIpAddress === true || n.AssociatePublicIpAddress === 'true')) return 'AssociatePublicIpAddress true on its network interface';
  const refersToInstance = (v: unknown) => JSON.stringify(v ?? null) === JSON.stringify({ Ref: ref.logicalId });
  for (const [id, r] of Object.entries(ref.stack.template.Resources ?? {})) {
    if ((r.Type === 'AWS::EC2::EIP' || r.Type === 'AWS::EC2::EIPAssociation') && refersToInstance(r.Properties?.InstanceId)) return `Elastic IP ${id}`;
  }
  return undefined;
}

/**
 * Every public IPv4 address EC2 reports on an instance's interfaces, with its interface: the
 * public, Elastic or Carrier IP of each interface's primary private IP (`Association`) and of each
 * of its secondary private IPs (`PrivateIpAddresses[].Association`: an Elastic IP can be
 * associated with any private IP of any interface), each address once.
 */
export function publicAddresses(instance: Instance): { readonly ip: string; readonly eni: string | undefined }[] {
  const out = new Map<string, { ip: string; eni: string | undefined }>();
  for (const n of instance.NetworkInterfaces ?? []) {
    for (const a of [n.Association, ...(n.PrivateIpAddresses ?? []).map((p) => p.Association)]) {
      for (const ip of [a?.PublicIp, a?.CarrierIp]) if (ip && !out.has(ip)) out.set(ip, { ip, eni: n.NetworkInterfaceId });
    }
  }
  return [...out.values()];
}

export const noPublicIp: LiveCheck = {
  id: 'host.no-public-ip',
  control: 'ec2-no-public-ip',
  title: 'No instance has a public IP, except where its template asks for one (the NAT instance)',
  concern: 'host',
  daily: true,
  iam: ['ec2:DescribeInstances'],
  run: async (ctx) =>
    (await liveInstances(ctx)).map((i): CheckResult => {
      if (!i.instance) return expect(noPublicIp, false, label(i), 'instance not found by DescribeInstances', 'the deployed instance');
      const associated = publicAddresses(i.instance);
      const own = i.instance.PublicIpAddress;
      const publicIps = [...associated.map((a) => `${a.ip} on ${a.eni}`), ...(own && !associated.some((a) => a.ip === own) ? [own] : [])];
      const seen = publicIps.length ? `public IP ${publicIps.join(', ')}` : 'no public IP, no association on any network interface';
      const wanted = templateWantsPublicIp(i.ref);
      return wanted
        ? expect(noPublicIp, publicIps.length > 0, label(i), `${seen} (its template asks for one: ${wanted})`, 'a public IP, as its template asks')
        : expect(noPublicIp, publicIps.length === 0, label(i), seen, 'no public IP (the template asks for none)');
    }),
};

export const HOST_API_LIVE_CHECKS: readonly LiveCheck[] = [imdsv2Required, noPublicIp, ...SECURITY_GROUP_LIVE_CHECKS];
