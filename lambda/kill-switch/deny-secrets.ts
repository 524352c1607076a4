/**
 * The deny-secrets step: the kill switch attaches a managed policy that
 * CloudFormation created (the Spend stack, lib/spend/kill-switch.ts) to
 * the host role, and restore detaches it. The policy denies
 * secretsmanager:GetSecretValue and secretsmanager:BatchGetSecretValue on
 * every resource, so that even a restarted host cannot read its credentials.
 * IAM evaluates a role's policies on every request, so the deny applies to the
 * host's current session credentials too, not only to new ones.
 *
 * The calls are the ones the kill switch's role may make (iam:AttachRolePolicy
 * and iam:DetachRolePolicy on the host role only, under iam:PolicyARN = this
 * policy only). AttachRolePolicy of a policy that is already attached succeeds
 * (attaching is idempotent); DetachRolePolicy of one that is not attached is
 * NoSuchEntity, which is "not-attached", not an error. A role that already has
 * IAM's quota of attached managed policies makes AttachRolePolicy fail with
 * LimitExceeded: a failed step, retried, then dead-lettered (kill-switch-failed).
 */
import { iam } from './clients';
import { describeError } from './log';

export type DenyResult = 'attached' | 'would-attach' | 'removed' | 'not-attached' | 'would-remove' | 'failed';

export interface DenyTarget {
  readonly roleName: string;
  /** The ARN of the CloudFormation-managed deny policy. */
  readonly policyArn: string;
}

/** A failed outcome carries its error; no other does. */
export type DenyOutcome = DenyTarget &
  ({ readonly result: Exclude<DenyResult, 'failed'>; readonly error?: undefined } | { readonly result: 'failed'; readonly error: string });

/** IAM's NoSuchEntity (SDK v3 names the class NoSuchEntityException; the wire code is NoSuchEntity). */
const isNoSuchEntity = (err: unknown) => err instanceof Error && (err.name === 'NoSuchEntityException' || err.name === 'NoSuchEntity');

/** Kill: attaches the deny policy to the host role. Never throws: a failure is the outcome. */
export async function attachDeny(target: DenyTarget, dryRun: boolean): Promise<DenyOutcome> {
  if (dryRun) return { ...target, result: 'would-attach' };
  try {
    const { sdk, client } = await iam();
    await client.send(new sdk.AttachRolePolicyCommand({ RoleName: target.roleName, PolicyArn: target.policyArn }));
    return { ...target, result: 'attached' };
  } catch (err) {
    return { ...target, result: 'failed', error: describeError(err) };
  }
}

/** Restore: detaches the deny policy from the host role. Never throws: a failure is the outcome. */
export async function removeDeny(target: DenyTarget, dryRun: boolean): Promise<DenyOutcome> {
  if (dryRun) return { ...target, result: 'would-remove' };
  try {
    const { sdk, client } = await iam();
    await client.send(new sdk.DetachRolePolicyCommand({ RoleName: target.roleName, PolicyArn: target.policyArn }));
    return { ...target, result: 'removed' };
  } catch (err) {
    if (isNoSuchEntity(err)) return { ...target, result: 'not-attached' };
    return { ...target, result: 'failed', error: describeError(err) };
  }
}
