/**
 * Live checks of the deployment's security groups through the EC2 API
 * (daily): no ingress from 0.0.0.0/0 or ::/0, and the live rules equal the
 * rendered ones exactly (inline SecurityGroupIngress/Egress, separate
 * AWS::EC2::SecurityGroupIngress/Egress resources of any stack, and the
 * allow-all egress EC2 adds when a group declares no inline egress).
 * Template values are resolved the way CloudFormation did: physical IDs from
 * the stacks, imports through the exporting stack's outputs, and the
 * origin-facing prefix list custom resource through DescribeManagedPrefixLists.
 */
import { DescribeManagedPrefixListsCommand, DescribeSecurityGroupRulesCommand, EC2Client, type SecurityGroupRule } from '@aws-sdk/client-ec2';
import type { DeployedStack, TemplateRef } from '../verify/deployed-stacks';
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';

/** A rule in one line: `ingress tcp 8080 from pl-123`, `egress all traffic to 0.0.0.0/0`. */
export type RuleKey = string;

/** EC2's protocol names for the numbers a template may use; -1 (all traffic) is the same in both. */
const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

function ruleKey(egress: boolean, protocol: unknown, from: unknown, to: unknown, peer: string): RuleKey {
  const p = String(protocol ?? '-1').toLowerCase();
  const proto = PROTOCOLS[p] ?? p;
  const ports = `${String(from ?? -1)}${String(to ?? -1) === String(from ?? -1) ? '' : `-${String(to ?? -1)}`}`;
  return `${egress ? 'egress' : 'ingress'} ${proto === '-1' ? 'all traffic' : `${proto} ${ports}`} ${egress ? 'to' : 'from'} ${peer}`;
}

const liveKey = (r: SecurityGroupRule): RuleKey =>
  ruleKey(!!r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId ?? '(no peer)');

/** Resolves a template value of `stack` to the string CloudFormation gave it. */
async function resolveValue(ctx: VerifyContext, stack: DeployedStack, value: unknown): Promise<string> {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const v = (value ?? {}) as Record<string, unknown>;
  const local = (id: unknown): TemplateRef => {
    const resource = typeof id === 'string' ? stack.template.Resources?.[id] : undefined;
    if (!resource) throw new Error(`${stack.stackName}: ${JSON.stringify(value)} names no resource of the stack`);
    return { stack, logicalId: id as string, resource };
  };
  if ('Ref' in v) return ctx.physicalId(local(v.Ref));
  if ('Fn::GetAtt' in v && Array.isArray(v['Fn::GetAtt'])) {
    const [id, attribute] = v['Fn::GetAtt'] as unknown[];
    const ref = local(id);
    if (ref.resource.Type === 'AWS::EC2::SecurityGroup' && attribute === 'GroupId') return ctx.physicalId(ref);
    const listName = ref.resource.Properties?.PrefixListName;
    if (attribute === 'PrefixListId' && typeof listName === 'string') return prefixListId(ctx, stack.region, listName);
  }
  if ('Fn::ImportValue' in v && typeof v['Fn::ImportValue'] === 'string') {
    const name = v['Fn::ImportValue'];
    for (const s of ctx.stacks) {
      const outputs = (s.template.Outputs ?? {}) as Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
      const out = Object.values(outputs).find((o) => o.Export?.Name === name);
      if (out) return resolveValue(ctx, s, out.Value);
    }
  }
  throw new Error(`${stack.stackName}: cannot resolve ${JSON.stringify(value)} in a security group rule`);
}

/** The ID of an AWS-managed prefix list by name (what the stack's lookup custom resource returned at deploy). */
function prefixListId(ctx: VerifyContext, region: string, name: string): Promise<string> {
  return ctx.memo(`ec2:prefix-list:${region}:${name}`, async () => {
    const out = await ctx.client(EC2Client, region).send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: [name] }] }));
    const id = out.PrefixLists?.[0]?.PrefixListId;
    if (!id) throw new Error(`no managed prefix list ${name} in ${region}`);
    return id;
  });
}

type TemplateRule = Record<string, unknown>;

async function templateRuleKey(ctx: VerifyContext, stack: DeployedStack, egress: boolean, r: TemplateRule): Promise<RuleKey> {
  const peerValue = egress
    ? (r.CidrIp ?? r.CidrIpv6 ?? r.DestinationPrefixListId ?? r.DestinationSecurityGroupId)
    : (r.CidrIp ?? r.CidrIpv6 ?? r.SourcePrefixListId ?? r.SourceSecurityGroupId);
  const peer = peerValue === undefined ? '(no peer)' : await resolveValue(ctx, stack, peerValue);
  return ruleKey(egress, r.IpProtocol, r.FromPort, r.ToPort, peer);
}

interface GroupRules {
  /** The template's AWS::EC2::SecurityGroup. */
  readonly ref: TemplateRef;
  /** Its live ID (sg-...). */
  readonly groupId: string;
  /** Its rules as DescribeSecurityGroupRules reports them. */
  readonly live: readonly SecurityGroupRule[];
}

/** Every AWS::EC2::SecurityGroup of the deployment with its live rules (DescribeSecurityGroupRules). */
function liveGroups(ctx: VerifyContext): Promise<GroupRules[]> {
  return ctx.memo('ec2:security-group-rules', async () =>
    Promise.all(
      ctx.find('AWS::EC2::SecurityGroup').map(async (ref) => {
        const groupId = await ctx.physicalId(ref);
        const live: SecurityGroupRule[] = [];
        let token: string | undefined;
        do {
          const out = await ctx.client(EC2Client, ref.stack.region).send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }], NextToken: token }));
          live.push(...(out.SecurityGroupRules ?? []));
          token = out.NextToken;
        } while (token);
        return { ref, groupId, live };
      }),
    ),
  );
}

/** The rules the templates render for one group, resolved. */
async function renderedRules(ctx: VerifyContext, g: GroupRules): Promise<RuleKey[]> {
  const p = g.ref.resource.Properties ?? {};
  const keys: RuleKey[] = []; // each awaited in turn: a rejection left pending while a later await throws would go unhandled
  for (const r of (p.SecurityGroupIngress as TemplateRule[] | undefined) ?? []) keys.push(await templateRuleKey(ctx, g.ref.stack, false, r));
  const inlineEgress = p.SecurityGroupEgress as TemplateRule[] | undefined;
  // EC2 gives a new VPC group an allow-all IPv4 egress rule; only inline egress replaces it.
  if (inlineEgress === undefined) keys.push(ruleKey(true, '-1', -1, -1, '0.0.0.0/0'));
  for (const r of inlineEgress ?? []) keys.push(await templateRuleKey(ctx, g.ref.stack, true, r));
  for (const [type, egress] of [['AWS::EC2::SecurityGroupIngress', false], ['AWS::EC2::SecurityGroupEgress', true]] as const) {
    for (const sep of ctx.find(type)) {
      const props = sep.resource.Properties ?? {};
      if ((await resolveValue(ctx, sep.stack, props.GroupId)) === g.groupId) keys.push(await templateRuleKey(ctx, sep.stack, egress, props));
    }
  }
  return keys;
}

const groupLabel = (g: GroupRules) => `${g.groupId} (${g.ref.stack.role}/${g.ref.logicalId})`;
const WORLD = new Set(['0.0.0.0/0', '::/0']);

export const sgNoWorldIngress: LiveCheck = {
  id: 'host.sg-no-world-ingress',
  control: 'sg-no-world-ingress',
  title: 'No security group admits 0.0.0.0/0 or ::/0 on any port',
  concern: 'host',
  daily: true,
  iam: ['ec2:DescribeSecurityGroupRules'],
  run: async (ctx) =>
    (await liveGroups(ctx)).map((g): CheckResult => {
      const ingress = g.live.filter((r) => !r.IsEgress);
      const open = ingress.filter((r) => WORLD.has(r.CidrIpv4 ?? '') || WORLD.has(r.CidrIpv6 ?? ''));
      return open.length
        ? result(sgNoWorldIngress, 'fail', groupLabel(g), `${open.map((r) => `${liveKey(r)} (${r.SecurityGroupRuleId})`).join('; ')}; expected no ingress from 0.0.0.0/0 or ::/0`)
        : result(sgNoWorldIngress, 'pass', groupLabel(g), `${ingress.length} ingress rule(s), none from the world: ${ingress.map(liveKey).join('; ') || '(none)'}`);
    }),
};

export const sgRulesAsRendered: LiveCheck = {
  id: 'host.sg-rules-as-rendered',
  control: 'sg-rules-as-rendered',
  title: 'Every security group has exactly the ingress and egress rules the templates render',
  concern: 'host',
  daily: true,
  iam: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeManagedPrefixLists'],
  run: async (ctx) =>
    Promise.all(
      (await liveGroups(ctx)).map(async (g): Promise<CheckResult> => {
        const rendered = await renderedRules(ctx, g);
        const live = g.live.map(liveKey);
        const missing = rendered.filter((k) => !live.includes(k));
        const extra = live.filter((k) => !rendered.includes(k));
        const seen = missing.length || extra.length
          ? [...extra.map((k) => `extra ${k}`), ...missing.map((k) => `missing ${k}`)].join('; ')
          : `${live.length} rule(s) as rendered: ${[...live].sort().join('; ')}`;
        // Rule keys merge what EC2 merges (it refuses a duplicate rule), so the two sides are equal as sets.
        return expect(sgRulesAsRendered, missing.length === 0 && extra.length === 0, groupLabel(g), seen, `exactly: ${[...rendered].sort().join('; ')}`);
      }),
    ),
};

export const SECURITY_GROUP_LIVE_CHECKS: readonly LiveCheck[] = [sgNoWorldIngress, sgRulesAsRendered];
