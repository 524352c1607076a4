import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The one place that decides what CloudFormation does with data-holding
 * resources (keys, secrets, log buckets, log groups) of a deployment.
 *
 * Retained (the default): CDK's RETAIN_ON_UPDATE_OR_DELETE, i.e.
 * DeletionPolicy `RetainExceptOnCreate` and UpdateReplacePolicy `Retain`. The
 * resource survives a stack deletion, a removal from the template and a
 * replacement, like `Retain`; but when the stack operation that created it
 * rolls back (a failed first deploy), CloudFormation deletes it, so that the
 * retry does not fail on a fixed name that "already exists". A resource
 * created by a failed operation holds nothing worth keeping, with one
 * exception CloudFormation cannot help: a bucket that already received
 * objects cannot be deleted (docs/configuration.md, "A failed first deploy").
 *
 * Destroyed (the opt-in `dataProtection.retainOnDelete: false`): `Delete`.
 */
export const RETAINED = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;

/** `retainOnDelete` (config dataProtection.retainOnDelete; undefined = the hardened default) as a removal policy. */
export function removalPolicyFor(retainOnDelete: boolean | undefined): RemovalPolicy {
  return retainOnDelete === false ? RemovalPolicy.DESTROY : RETAINED;
}

/** Whether a synthesized resource survives its stack's deletion and its replacement (Retain or RetainExceptOnCreate). */
export function isRetained(resource: { readonly DeletionPolicy?: unknown; readonly UpdateReplacePolicy?: unknown }): boolean {
  return (resource.DeletionPolicy === 'Retain' || resource.DeletionPolicy === 'RetainExceptOnCreate') && resource.UpdateReplacePolicy === 'Retain';
}
