import { createHash } from 'crypto';
import { CfnResource, DefaultTokenResolver, Lazy, Reference, Stack, StringConcat, Tokenization, type IPostProcessor, type IResolvable, type IResolveContext } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Properties of AWS::EC2::Instance that CloudFormation updates without
 * replacing the instance (the instance ID stays). Every other property, set
 * now or later, is treated as replacing: over-including only costs an extra,
 * deliberate replacement; under-including would replace the instance under an
 * unchanged logical ID, which its consumers in other stacks would not follow.
 * InstanceType is "some interruption" for an EBS-backed instance (stop, change,
 * start; same ID); the others are "no interruption" in the CloudFormation spec.
 */
export const INSTANCE_PROPERTIES_UPDATED_IN_PLACE = [
  'CreditSpecification',
  'DisableApiTermination',
  'IamInstanceProfile',
  'InstanceInitiatedShutdownBehavior',
  'InstanceType',
  'MetadataOptions',
  'Monitoring',
  'PropagateTagsToVolumeOnCreation',
  'SourceDestCheck',
  'SsmAssociations',
  'Tags',
  'Volumes',
] as const;

/**
 * The resource's own template entry (type and properties, overrides applied),
 * resolved with `resolver`, without resolving its logical ID.
 */
function resolvedEntry(resource: CfnResource, resolver: StableReferenceResolver): { Type?: unknown; Properties?: Record<string, unknown> } {
  const rendered = (resource as unknown as { _toCloudFormation(): { Resources: Record<string, unknown> } })._toCloudFormation();
  // The entry is a post-resolve token (properties rendered, overrides merged): resolve it, not its key.
  const [entry] = Object.values(rendered.Resources);
  return Tokenization.resolve(entry, { scope: resource, resolver }) as { Type?: unknown; Properties?: Record<string, unknown> };
}

/**
 * Resolves tokens for hashing: a reference to a resource renders as its
 * construct path and attribute (the same before and after CDK turns a
 * cross-stack reference into an import), and a reference to a resource of the
 * same stack also carries that resource's own properties, because an attribute
 * such as a launch template's LatestVersionNumber changes at deploy time when
 * the resource's properties change, with no change in the referencing text.
 */
class StableReferenceResolver extends DefaultTokenResolver {
  constructor(
    private readonly stack: Stack,
    private readonly visiting: Set<CfnResource>,
  ) {
    super(new StringConcat());
  }

  override resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (Reference.isReference(t) && CfnResource.isCfnResource(t.target)) {
      const target = t.target;
      const at = `${target.node.path}[${t.displayName}]`;
      // A Ref is the target's ID: it changes only when the target itself is replaced. Only an
      // attribute (a launch template's LatestVersionNumber) follows the target's properties; a
      // Ref's properties (a state volume grown in place) must not replace the instance.
      if (Stack.of(target) !== this.stack || this.visiting.has(target) || t.displayName === 'Ref') return `ref:${at}`;
      return `ref:${at}:${digestOf(target, this.stack, this.visiting, () => true)}`;
    }
    return super.resolveToken(t, context, postProcessor);
  }
}

function digestOf(resource: CfnResource, stack: Stack, visiting: Set<CfnResource>, include: (property: string) => boolean): string {
  visiting.add(resource);
  try {
    const entry = resolvedEntry(resource, new StableReferenceResolver(stack, visiting));
    const properties = Object.fromEntries(
      Object.entries(entry.Properties ?? {})
        .filter(([k]) => include(k))
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    return createHash('sha256').update(JSON.stringify({ Type: entry.Type, Properties: properties })).digest('hex');
  } finally {
    visiting.delete(resource);
  }
}

/**
 * The digest of everything that makes CloudFormation replace `instance`: every
 * property not updated in place, with the properties of the same-stack
 * resources they reference (its launch template). Tags, the instance type and
 * the other in-place properties are left out.
 */
export function replacementDigest(instance: ec2.CfnInstance): string {
  const inPlace = new Set<string>(INSTANCE_PROPERTIES_UPDATED_IN_PLACE);
  return digestOf(instance, Stack.of(instance), new Set(), (k) => !inPlace.has(k));
}

/**
 * Gives the instance a logical ID that changes whenever CloudFormation would
 * replace it (user data, AMI, subnet, launch template, block devices, ...).
 * CloudFormation then creates the new instance before deleting the old one,
 * and every name derived from the logical ID (the outputs other stacks read
 * with Fn::GetStackOutput) changes too, so those stacks' templates change and
 * `cdk deploy <stage>/*` updates them in the same run: no consumer keeps the
 * old instance's ID.
 */
export function logicalIdFollowsReplacement(instance: ec2.CfnInstance): void {
  const base = Stack.of(instance).getLogicalId(instance);
  let producing = false;
  instance.overrideLogicalId(
    Lazy.uncachedString({
      produce: () => {
        if (producing) return base;
        producing = true;
        try {
          return `${base}${replacementDigest(instance).slice(0, 16)}`;
        } finally {
          producing = false;
        }
      },
    }),
  );
}
