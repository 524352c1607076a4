import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BreakGlassRoleConfig } from './config-schema';

export interface BreakGlassRoleProps {
  /** The role's name (config breakGlass.roleName): the secrets' and audit buckets' policies name it. */
  readonly roleName: string;
  /** config breakGlass.createRole (enabled is checked by the caller). */
  readonly config: BreakGlassRoleConfig;
  /** The operator policies it holds, and nothing else. */
  readonly policies: readonly iam.IManagedPolicy[];
}

/**
 * The break-glass role, when config breakGlass.createRole.enabled asks for it:
 * assumable only with MFA by the configured principals, for at most
 * maxSessionHours, holding only the operator policies
 * (lib/access/operator-access.ts).
 *
 * The trust condition is `Bool aws:MultiFactorAuthPresent true`, not
 * BoolIfExists: the key is absent from requests signed with long-term
 * credentials, and "Bool" does not match an absent key, so such a request is
 * not allowed; `BoolIfExists ... true` would allow it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent).
 */
export class BreakGlassRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BreakGlassRoleProps) {
    super(scope, id);
    const principals = props.config.trustedPrincipalArns.map((arn) => new iam.ArnPrincipal(arn));
    if (principals.length === 0) throw new Error(`BreakGlassRole ${props.roleName}: no principal may assume it (breakGlass.createRole.trustedPrincipalArns is empty)`);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Break-glass: the recorded Session Manager document and the deployment\'s own command documents only, assumed with MFA (docs/break-glass.md)',
      assumedBy: new iam.CompositePrincipal(...principals).withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      maxSessionDuration: Duration.hours(props.config.maxSessionHours),
      managedPolicies: [...props.policies],
    });
  }
}
