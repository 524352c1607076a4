/**
 * Reading the edge template and its live counterparts for the edge live
 * checks: which template resource an intrinsic points at, the live web ACL
 * (GetWebACL, through its `name|id|scope` physical ID) and the live
 * distribution config, each fetched once per run (ctx.memo).
 */
import { CloudFrontClient, GetDistributionConfigCommand, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import { GetWebACLCommand, WAFV2Client, type Scope, type WebACL } from '@aws-sdk/client-wafv2';
import type { TemplateRef } from '../verify/deployed-stacks';
import type { VerifyContext } from '../verify/verify-context';

/** The logical ID a `Ref` or `Fn::GetAtt` points at, or undefined for anything else. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  const att = v['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** The template resource of `ref`'s stack that `value` points at. */
export function referencedResource(ref: TemplateRef, value: unknown): TemplateRef | undefined {
  const id = referencedLogicalId(value);
  const resource = id === undefined ? undefined : ref.stack.template.Resources?.[id];
  return id !== undefined && resource ? { stack: ref.stack, logicalId: id, resource } : undefined;
}

/** A web ACL as GetWebACL returns it: ARN is a required member of WebACL (the SDK types every member optional). */
export type LiveWebAcl = WebACL & { readonly ARN: string };

/** The live web ACL of a template AWS::WAFv2::WebACL (its physical ID is `name|id|scope`). */
export function liveWebAcl(ctx: VerifyContext, ref: TemplateRef): Promise<LiveWebAcl> {
  return ctx.memo(`wafv2:web-acl:${ref.stack.stackName}/${ref.logicalId}`, async () => {
    const physical = await ctx.physicalId(ref);
    const [name, id, scope] = physical.split('|');
    if (!name || !id || !scope) throw new Error(`${ref.logicalId}: unexpected web ACL physical ID ${physical} (expected name|id|scope)`);
    const out = await ctx.client(WAFV2Client, ref.stack.region).send(new GetWebACLCommand({ Name: name, Id: id, Scope: scope as Scope }));
    if (!out.WebACL?.ARN) throw new Error(`GetWebACL ${name} returned no web ACL ARN`);
    return out.WebACL as LiveWebAcl;
  });
}

/** The live config of a template AWS::CloudFront::Distribution (CloudFront is global; its API is in us-east-1). */
export function liveDistributionConfig(ctx: VerifyContext, ref: TemplateRef): Promise<{ readonly id: string; readonly config: DistributionConfig }> {
  return ctx.memo(`cloudfront:distribution-config:${ref.stack.stackName}/${ref.logicalId}`, async () => {
    const id = await ctx.physicalId(ref);
    const out = await ctx.client(CloudFrontClient, 'us-east-1').send(new GetDistributionConfigCommand({ Id: id }));
    if (!out.DistributionConfig) throw new Error(`GetDistributionConfig ${id} returned no config`);
    return { id, config: out.DistributionConfig };
  });
}

/** `{"Block":{}}` -> `Block`; the key of a WAF action object, `(none)` when absent. */
export const actionName = (action: unknown): string => (action && typeof action === 'object' ? Object.keys(action).join('+') || '(empty)' : '(none)');

/** JSON with object keys sorted, for comparing template and live structures. */
export function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}
