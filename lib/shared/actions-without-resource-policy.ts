import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../gate/acknowledge';

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
 * test/app/wildcard-acknowledgements.test.ts checks, against AWS's service
 * authorization reference, that every action in such a policy supports no
 * resource ARN.
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
