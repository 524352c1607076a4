/**
 * The deny-secrets inline policy on the host role: with it, even a restarted
 * host cannot read its credentials (secretsmanager:GetSecretValue, which
 * BatchGetSecretValue also requires per secret) until restore removes it.
 * PutRolePolicy overwrites, so attaching is idempotent; removing a policy
 * that is not there (NoSuchEntity) is "not-attached", not an error.
 */
import { iam } from './clients';
import { describeError } from './log';

export const DENY_POLICY_DOCUMENT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'KillSwitchDenySecretValues', Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
});

export type DenyResult = 'attached' | 'would-attach' | 'removed' | 'not-attached' | 'would-remove' | 'failed';

export interface DenyOutcome {
  readonly roleName: string;
  readonly policyName: string;
  readonly result: DenyResult;
  readonly error?: string;
}

export interface DenyTarget {
  readonly roleName: string;
  readonly policyName: string;
}

/** IAM's NoSuchEntity (SDK v3 names the class NoSuchEntityException; the wire code is NoSuchEntity). */
const isNoSuchEntity = (err: unknown) => err instanceof Error && (err.name === 'NoSuchEntityException' || err.name === 'NoSuchEntity');

/** Kill: puts the deny policy. Never throws: a failure is the outcome. */
export async function attachDeny(target: DenyTarget, dryRun: boolean): Promise<DenyOutcome> {
  if (dryRun) return { ...target, result: 'would-attach' };
  try {
    const { sdk, client } = await iam();
    await client.send(new sdk.PutRolePolicyCommand({ RoleName: target.roleName, PolicyName: target.policyName, PolicyDocument: DENY_POLICY_DOCUMENT }));
    return { ...target, result: 'attached' };
  } catch (err) {
    return { ...target, result: 'failed', error: describeError(err) };
  }
}

/** Restore: deletes the deny policy. Never throws: a failure is the outcome. */
export async function removeDeny(target: DenyTarget, dryRun: boolean): Promise<DenyOutcome> {
  if (dryRun) return { ...target, result: 'would-remove' };
  try {
    const { sdk, client } = await iam();
    await client.send(new sdk.DeleteRolePolicyCommand({ RoleName: target.roleName, PolicyName: target.policyName }));
    return { ...target, result: 'removed' };
  } catch (err) {
    if (isNoSuchEntity(err)) return { ...target, result: 'not-attached' };
    return { ...target, result: 'failed', error: describeError(err) };
  }
}
