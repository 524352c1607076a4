import { type IResolvable, type IResolveContext, Lazy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import { removalPolicyFor } from '../shared/retention';
import { cloudFormationExecutionRoleArn } from '../shared/cloudformation-execution-role';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** Actions that reveal a secret's value. */
export const SECRET_VALUE_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
/** Actions that change a secret's value or which version is current, and nothing else. */
export const SECRET_VALUE_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'] as const;
/**
 * Actions that change a secret's metadata (description, KMS key) and, given
 * `SecretString` or `SecretBinary`, its value too (a new version that becomes
 * AWSCURRENT); no condition key tells the two apart. CloudFormation's execution
 * role calls it to update the secret resource on a day-2 deploy, so it is
 * denied separately, exempting that role as well.
 */
export const SECRET_UPDATE_ACTIONS = ['secretsmanager:UpdateSecret'] as const;


/**
 * A dynamic reference (`{{resolve:secretsmanager:...}}`) to a HardenedSecret:
 * it may only be resolved in a stack whose execution role the secret lets read
 * the value, or CloudFormation would be denied at deploy time. Synthesis fails
 * in any other stack instead.
 */
class DeployTimeSecretReference implements IResolvable {
  readonly creationStack: string[] = [];

  constructor(
    private readonly secret: HardenedSecret,
    private readonly reference: SecretValue,
  ) {}

  resolve(context: IResolveContext): unknown {
    const consumer = Stack.of(context.scope);
    if (!this.secret.isResolvableAtDeployBy(consumer)) {
      throw new Error(
        `${context.scope.node.path}: references the value of secret ${this.secret.predictableName} (${this.secret.node.path}), whose resource policy ` +
          `denies the CloudFormation execution role of stack ${consumer.stackName}; call allowResolutionAtDeployBy(stack) on the secret`,
      );
    }
    // The dynamic reference itself ({{resolve:secretsmanager:...}}), never a value: unwrapped here
    // because this reference is what the consumer placed (checkSecretUsage refuses a bare SecretValue).
    return this.reference.unsafeUnwrap();
  }

  toString(): string {
    return Token.asString(this);
  }
}

export interface HardenedSecretProps {
  /** Predictable name, e.g. `openclaw/acme/prod/agents/support`. */
  readonly secretName: string;
  /** The secret's description in Secrets Manager: what the value is and who sets it. */
  readonly description: string;
  /** The customer-managed key of this client x environment (rotation on). */
  readonly key: kms.IKey;
  /**
   * `generated`: a random 48-character alphanumeric value made by Secrets
   * Manager at creation (never in the template). `empty-document`: the JSON
   * document `{}`, filled later by operators (no value in the template either).
   */
  readonly initialValue: 'generated' | 'empty-document';
  /** Role ARNs that may read the value besides the break-glass role (the host); see also allowValueAccess. */
  readonly readers: readonly string[];
  /** The break-glass role name (config breakGlass.roleName), in this stack's account. */
  readonly breakGlassRoleName: string;
  /**
   * Keep the secret when the stack is deleted. Only an approved config
   * exception plus a deploy-time confirmation turns this off (docs/configuration.md, "Destroying data needs two opt-ins").
   * @default true
   */
  readonly retainOnDelete?: boolean;
}

/**
 * A Secrets Manager secret with hardened defaults: encrypted with the
 * deployment's customer-managed key, retained on stack deletion, created
 * without any value in the template, and a resource policy that denies
 * reading the value to every principal but the named readers and the
 * break-glass role, writing it (or moving its stages) to every principal
 * but the named writers and the break-glass role, and updating the secret
 * (which can write the value too) to every principal but those and the
 * CloudFormation execution role of the secret's own stack (which manages the
 * secret and this policy anyway). The denies hold against any identity policy
 * in the account, administrators included (they must assume the break-glass
 * role, which CloudTrail records).
 */
export class HardenedSecret extends secretsmanager.Secret {
  /** `arn:<partition>:iam::<account>:role/<breakGlass.roleName>` */
  readonly breakGlassRoleArn: string;
  /** The name given (a plain string, unlike `secretName`, which is derived from the ARN at deploy time). */
  readonly predictableName: string;
  private readonly valueReaders: string[];
  private readonly valueWriters: string[] = [];
  /** Stacks whose CloudFormation execution role may read the value (to resolve a dynamic reference). */
  private readonly resolvingStacks = new Set<Stack>();

  constructor(scope: Construct, id: string, props: HardenedSecretProps) {
    super(scope, id, {
      secretName: props.secretName,
      description: props.description,
      encryptionKey: props.key,
      ...{
        generated: { generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false } },
        // Not a secret: the empty document operators replace with `npm run secrets:set`.
        'empty-document': { secretStringValue: SecretValue.unsafePlainText('{}') },
      }[props.initialValue],
      removalPolicy: removalPolicyFor(props.retainOnDelete),
    });
    const stack = Stack.of(this);
    this.breakGlassRoleArn = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: props.breakGlassRoleName });
    this.valueReaders = [...props.readers];
    this.predictableName = props.secretName;
    const denyAllBut = (sid: string, actions: readonly string[], allowed: string[], alsoAllowed: readonly string[] = []) =>
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...actions],
          resources: ['*'],
          // aws:PrincipalArn is the role ARN for a role session, so a condition (not a
          // Principal element) names roles that may not exist yet, such as break-glass.
          conditions: { StringNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...allowed, ...alsoAllowed, this.breakGlassRoleArn] }) } },
        }),
      );
    denyAllBut('DenyValueReadsButOwnHostAndBreakGlass', SECRET_VALUE_READ_ACTIONS, this.valueReaders);
    denyAllBut('DenyValueWritesButRotationAndBreakGlass', SECRET_VALUE_WRITE_ACTIONS, this.valueWriters);
    // A day-2 deploy that changes the description or key updates the secret with this stack's execution role.
    const ownStackRole = cloudFormationExecutionRoleArn(stack);
    denyAllBut('DenyUpdatesButOwnStackRotationAndBreakGlass', SECRET_UPDATE_ACTIONS, this.valueWriters, [ownStackRole]);
    // The policy stays with the secret: a secret left behind when it leaves the template (an agent
    // removed) keeps its denies, instead of CloudFormation deleting them and leaving the value
    // readable by any identity policy in the account.
    (this.node.findChild('Policy') as secretsmanager.ResourcePolicy).applyRemovalPolicy(removalPolicyFor(props.retainOnDelete));
  }

  /**
   * Exempts one role from the resource policy's denies: `read` (the value) or
   * `read-write` (also put values, move stages and update the secret: a
   * rotation function). The role still needs its own identity policy.
   */
  allowValueAccess(roleArn: string, access: 'read' | 'read-write'): void {
    this.valueReaders.push(roleArn);
    if (access === 'read-write') this.valueWriters.push(roleArn);
  }

  /**
   * The value as a dynamic reference that CloudFormation resolves at deploy
   * time with the execution role of the stack it is used in. Synthesis fails
   * unless that stack's role was let past the resource policy's read deny
   * (allowResolutionAtDeployBy, or use resolvedAtDeployIn).
   */
  override secretValueFromJson(jsonField: string): SecretValue {
    return new SecretValue(new DeployTimeSecretReference(this, super.secretValueFromJson(jsonField)));
  }

  /**
   * The value, for a property of a resource in `scope`'s stack that
   * CloudFormation resolves at deploy time: lets exactly that stack's execution
   * role read the value (reads only; every other principal stays denied).
   */
  resolvedAtDeployIn(scope: Construct): SecretValue {
    this.allowResolutionAtDeployBy(Stack.of(scope));
    return this.secretValue;
  }

  /** Lets the CloudFormation execution role of `stack` read the value (to resolve a dynamic reference in it). */
  allowResolutionAtDeployBy(stack: Stack): void {
    if (this.resolvingStacks.has(stack)) return;
    this.resolvingStacks.add(stack);
    this.valueReaders.push(cloudFormationExecutionRoleArn(stack));
  }

  /** Whether a dynamic reference to the value may be resolved when `stack` is deployed. */
  isResolvableAtDeployBy(stack: Stack): boolean {
    return this.resolvingStacks.has(stack);
  }
}
