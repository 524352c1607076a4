/**
 * A role's policies as a synthesized template gives them (inline, AWS::IAM::Policy, and the
 * managed policies the template holds), with the cross-stack intrinsics of test/support/
 * iam-intrinsics resolved: what test/app/spend.test.ts hands the simulator
 * (test/support/simulator.ts, with the request context of test/support/request-context.ts).
 */
import { resolveIntrinsics, refOf, type CfnTemplate, type IntrinsicContext } from './iam-intrinsics';

export type PolicyDocument = { readonly Version?: string; readonly Statement: unknown };

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
