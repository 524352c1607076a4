/**
 * The managed policies a synthesized template attaches to a role, by ARN, with the cross-stack
 * intrinsics of test/support/iam-intrinsics resolved: what test/app/spend.test.ts counts against
 * IAM's quota of managed policies per role, and names as the policies the kill switch must not
 * attach. (A role's policy documents for the simulator: deployment-policies.ts, rolePrincipal.)
 */
import { resolveIntrinsics, refOf, type CfnTemplate, type IntrinsicContext } from './iam-intrinsics';

export type PolicyDocument = { readonly Version?: string; readonly Statement: unknown };

const resolvedList = (raw: unknown, ctx: IntrinsicContext): string[] => (raw === undefined ? [] : (resolveIntrinsics(raw, ctx) as string[]));

/** The ARNs of the managed policies a template attaches to a role: its ManagedPolicyArns, then the template's policies naming it in Roles. */
export function attachedManagedPolicies(template: CfnTemplate, roleLogicalId: string, ctx: IntrinsicContext): string[] {
  const resources = template.Resources ?? {};
  const roleName = refOf(roleLogicalId, ctx);
  const arns = resolvedList(resources[roleLogicalId]!.Properties?.ManagedPolicyArns, ctx);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::ManagedPolicy' && resolvedList(r.Properties?.Roles, ctx).includes(roleName)) arns.push(refOf(id, ctx));
  }
  return arns;
}
