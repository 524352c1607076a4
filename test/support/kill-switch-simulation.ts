/**
 * Glue for the kill switch's proofs (test/app/spend.test.ts): the request
 * context AWS sends for a role session's call, the identity policies of a role
 * as synthesized, and one call simulated with @cloud-copilot/iam-simulate
 * (AGPL-3.0, a devDependency: tests only, never lib/, lambda/ or bin/).
 *
 * A simulation fails the test when iam-simulate cannot run it (an unknown
 * action, a resource ARN that fits none of the action's resource types) or
 * when it ignored a context key because AWS does not send that key for the
 * action: a test must not pass on a key the code expects but AWS never sends
 * (the old kill switch's iam:PolicyName).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { resolveIntrinsics, refOf, type CfnTemplate, type IntrinsicContext } from './iam-intrinsics';

export type PolicyDocument = { readonly Version?: string; readonly Statement: unknown };
export type SimulatedDecision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** A role session: how AWS sees a Lambda function or an EC2 instance calling with its role's credentials. */
export interface RoleSession {
  readonly account: string;
  /** arn:aws:iam::<account>:role/<name> */
  readonly roleArn: string;
  /** The role's unique id (AROA...). */
  readonly roleId: string;
  /** The session name: Lambda uses the function name, EC2 the instance id. */
  readonly sessionName: string;
  readonly identityPolicies: readonly PolicyDocument[];
}

export const sessionArn = (s: RoleSession) => `${s.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${s.sessionName}`;

/**
 * The global keys AWS puts in the request context of every call a role session
 * makes over HTTPS (IAM User Guide, "AWS global condition context keys": the
 * principal's keys, aws:SecureTransport, aws:RequestedRegion, aws:CurrentTime).
 */
function sessionContext(s: RoleSession, requestedRegion: string): Record<string, string> {
  return {
    'aws:PrincipalArn': s.roleArn,
    'aws:PrincipalAccount': s.account,
    'aws:PrincipalType': 'AssumedRole',
    'aws:userid': `${s.roleId}:${s.sessionName}`,
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': requestedRegion,
    'aws:CurrentTime': '2026-12-05T06:00:00Z',
    'aws:ViaAWSService': 'false',
  };
}

export interface SimulatedCall {
  readonly session: RoleSession;
  readonly action: string;
  readonly resource: string;
  /** Signed for this region (IAM's endpoint signs for us-east-1). */
  readonly region: string;
  /** The action's own keys, as AWS fills them from the request (e.g. iam:PolicyARN = the request's PolicyArn). */
  readonly requestKeys?: Record<string, string>;
  /** Extra identity policies attached at the time of the call (e.g. the deny policy once attached). */
  readonly alsoAttached?: readonly PolicyDocument[];
  readonly resourcePolicy?: PolicyDocument;
}

export async function simulate(call: SimulatedCall): Promise<SimulatedDecision> {
  return simulateRequest({
    principal: sessionArn(call.session),
    account: call.session.account,
    action: call.action,
    resource: call.resource,
    context: { ...sessionContext(call.session, call.region), ...(call.requestKeys ?? {}) },
    identityPolicies: [...call.session.identityPolicies, ...(call.alsoAttached ?? [])],
    ...(call.resourcePolicy !== undefined ? { resourcePolicy: call.resourcePolicy } : {}),
  });
}

/** A service principal's call (e.g. budgets.amazonaws.com publishing): only a resource policy applies. */
export interface RawRequest {
  readonly principal: string;
  /** The account that owns the resource. */
  readonly account: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
  readonly identityPolicies?: readonly PolicyDocument[];
  readonly resourcePolicy?: PolicyDocument;
}

export async function simulateRequest(r: RawRequest): Promise<SimulatedDecision> {
  const result = await runSimulation(
    {
      request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.account }, contextVariables: { ...r.context } },
      identityPolicies: (r.identityPolicies ?? []).map((policy, i) => ({ name: `policy-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(r.resourcePolicy !== undefined ? { resourcePolicy: r.resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`iam-simulate could not run ${r.action} on ${r.resource}: ${JSON.stringify(result.errors)}`);
  // An action that supports no resource ARN (ec2:DescribeInstances, cloudwatch:PutMetricData) is asked on "*": one
  // simulation when a statement matches, none (ImplicitlyDenied) when none does.
  if (result.resultType === 'wildcard' && r.resource === '*' && result.results.length === 0 && result.overallResult === 'ImplicitlyDenied') return 'ImplicitlyDenied';
  const single = result.resultType === 'single' ? result.result : r.resource === '*' && result.results.length === 1 ? result.results[0]! : undefined;
  if (single === undefined) throw new Error(`${r.action} on ${r.resource}: expected one simulation, got ${result.resultType === 'wildcard' ? result.results.length : 0}`);
  const ignored = single.ignoredContextKeys ?? [];
  if (ignored.length > 0) throw new Error(`${r.action}: AWS sends no ${ignored.join(', ')} for this action (iam-simulate ignored it); the test must not supply it`);
  return result.overallResult;
}

const resolvedDocument = (raw: unknown, ctx: IntrinsicContext) => resolveIntrinsics(raw, ctx) as PolicyDocument;
const resolvedList = (raw: unknown, ctx: IntrinsicContext): string[] => (raw === undefined ? [] : (resolveIntrinsics(raw, ctx) as string[]));

/** The managed policies attached to a role by a template: by ARN, with the document when the template holds it. */
export function attachedManagedPolicies(template: CfnTemplate, roleLogicalId: string, ctx: IntrinsicContext): { arn: string; document?: PolicyDocument }[] {
  const resources = template.Resources ?? {};
  const roleName = refOf(roleLogicalId, ctx);
  const local = new Map(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map(([id, r]) => [refOf(id, ctx), resolvedDocument(r.Properties!.PolicyDocument, ctx)] as const),
  );
  const arns = resolvedList(resources[roleLogicalId]!.Properties?.ManagedPolicyArns, ctx);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::ManagedPolicy' && resolvedList(r.Properties?.Roles, ctx).includes(roleName)) arns.push(refOf(id, ctx));
  }
  return arns.map((arn) => ({ arn, ...(local.has(arn) ? { document: local.get(arn)! } : {}) }));
}

/**
 * The identity policies of a role of a template: inline (Policies,
 * AWS::IAM::Policy) and the managed policies the template holds. AWS managed
 * policies (AmazonSSMManagedInstanceCore on the host) are not in any template
 * and are left out: callers must only use this where such a policy grants
 * none of the simulated action.
 */
export function identityPolicies(template: CfnTemplate, roleLogicalId: string, ctx: IntrinsicContext): PolicyDocument[] {
  const resources = template.Resources ?? {};
  const roleName = refOf(roleLogicalId, ctx);
  const inline = ((resources[roleLogicalId]!.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map((p) => resolvedDocument(p.PolicyDocument, ctx));
  const policies = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && resolvedList(r.Properties?.Roles, ctx).includes(roleName))
    .map((r) => resolvedDocument(r.Properties!.PolicyDocument, ctx));
  const managed = attachedManagedPolicies(template, roleLogicalId, ctx).flatMap((m) => (m.document ? [m.document] : []));
  return [...inline, ...policies, ...managed];
}
