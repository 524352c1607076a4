/**
 * The audit buckets of a deployment as the live checks find them: every
 * AWS::S3::Bucket of the templates tagged as an audit bucket (the tag the
 * settings name), with its stack's region and its physical name.
 */
import type { TemplateRef } from '../verify/deployed-stacks';
import type { VerifyContext } from '../verify/verify-context';

/** A bucket of the deployment: its template resource, region and name. */
export interface LiveBucket {
  readonly ref: TemplateRef;
  readonly region: string;
  readonly name: string;
}

const tagged = (ref: TemplateRef, key: string, value: string) =>
  ((ref.resource.Properties?.Tags as { Key?: unknown; Value?: unknown }[] | undefined) ?? []).some((t) => t.Key === key && t.Value === value);

/** Every bucket of the templates (audit and access-log buckets), with its live name. */
export async function allBuckets(ctx: VerifyContext): Promise<LiveBucket[]> {
  return Promise.all(ctx.find('AWS::S3::Bucket').map(async (ref) => ({ ref, region: ref.stack.region, name: await ctx.physicalId(ref) })));
}

/** The audit buckets (tagged `<auditBucketTag.key>=<auditBucketTag.value>`), with their live names. */
export async function auditBuckets(ctx: VerifyContext): Promise<LiveBucket[]> {
  const { key, value } = ctx.settings.audit.auditBucketTag;
  return (await allBuckets(ctx)).filter((b) => tagged(b.ref, key, value));
}

/** The AWS::S3::BucketPolicy of a bucket (Bucket: {Ref}), or undefined. */
export function bucketPolicyOf(bucket: LiveBucket): TemplateRef | undefined {
  const entry = Object.entries(bucket.ref.stack.template.Resources ?? {}).find(
    ([, r]) => r.Type === 'AWS::S3::BucketPolicy' && (r.Properties?.Bucket as { Ref?: string } | undefined)?.Ref === bucket.ref.logicalId,
  );
  return entry ? { stack: bucket.ref.stack, logicalId: entry[0], resource: entry[1] } : undefined;
}

/** The name of an S3 error (the SDK's error name, or its Code). */
export const s3ErrorName = (e: unknown) => (e as { name?: string; Code?: string }).name ?? (e as { Code?: string }).Code ?? 'Error';
