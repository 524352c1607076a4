import type { ResourceContext, TemplateResource } from './control';

/** True when `value` is `{ Ref: logicalId }` or `{ Fn::GetAtt: [logicalId, ...] }`. */
export function refersTo(value: unknown, logicalId: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  return v.Ref === logicalId || (Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][0] === logicalId);
}

/** Resources of `type` in the same template. */
export function resourcesOfType(context: ResourceContext, type: string): TemplateResource[] {
  return Object.values(context.resources).filter((r) => r.Type === type);
}

/** The launch template an instance references in the same template, if any. */
export function launchTemplateOf(instance: TemplateResource, context: ResourceContext): TemplateResource | undefined {
  const ref = (instance.Properties?.LaunchTemplate as { LaunchTemplateId?: unknown } | undefined)?.LaunchTemplateId;
  return Object.entries(context.resources).find(([id, r]) => r.Type === 'AWS::EC2::LaunchTemplate' && refersTo(ref, id))?.[1];
}
