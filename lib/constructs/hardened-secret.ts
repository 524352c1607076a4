import { Lazy, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** Actions that reveal a secret's value. */
export const SECRET_VALUE_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;
/** Actions that change a secret's value or which version is current. */
export const SECRET_VALUE_WRITE_ACTIONS = ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'] as const;

export interface HardenedSecretProps {
  /** Predictable name, e.g. `openclaw/acme/prod/agents/support`. */
  readonly secretName: string;
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
   * exception plus a deploy-time confirmation turns this off (README).
   * @default true
   */
  readonly retainOnDelete?: boolean;
}

/**
 * A Secrets Manager secret with hardened defaults: encrypted with the
 * deployment's customer-managed key, retained on stack deletion, created
 * without any value in the template, and a resource policy that denies
 * reading the value to every principal but the named readers and the
 * break-glass role, and writing it (or moving its stages) to every principal
 * but the named writers and the break-glass role. The denies hold against any
 * identity policy in the account, administrators included (they must assume
 * the break-glass role, which CloudTrail records).
 */
export class HardenedSecret extends secretsmanager.Secret {
  /** `arn:<partition>:iam::<account>:role/<breakGlass.roleName>` */
  readonly breakGlassRoleArn: string;
  /** The name given (a plain string, unlike `secretName`, which is derived from the ARN at deploy time). */
  readonly predictableName: string;
  private readonly valueReaders: string[];
  private readonly valueWriters: string[] = [];

  constructor(scope: Construct, id: string, props: HardenedSecretProps) {
    super(scope, id, {
      secretName: props.secretName,
      description: props.description,
      encryptionKey: props.key,
      ...(props.initialValue === 'generated'
        ? { generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false } }
        : // Not a secret: the empty document operators replace with `npm run secrets:set`.
          { secretStringValue: SecretValue.unsafePlainText('{}') }),
      removalPolicy: props.retainOnDelete === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const stack = Stack.of(this);
    this.breakGlassRoleArn = stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: props.breakGlassRoleName });
    this.valueReaders = [...props.readers];
    this.predictableName = props.secretName;
    const denyAllBut = (sid: string, actions: readonly string[], allowed: string[]) =>
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...actions],
          resources: ['*'],
          // aws:PrincipalArn is the role ARN for a role session, so a condition (not a
          // Principal element) names roles that may not exist yet, such as break-glass.
          conditions: { StringNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...allowed, this.breakGlassRoleArn] }) } },
        }),
      );
    denyAllBut('DenyValueReadsButOwnHostAndBreakGlass', SECRET_VALUE_READ_ACTIONS, this.valueReaders);
    denyAllBut('DenyValueWritesButRotationAndBreakGlass', SECRET_VALUE_WRITE_ACTIONS, this.valueWriters);
  }

  /**
   * Exempts one role from the resource policy's denies: `read` (the value) or
   * `read-write` (also put values and move stages: a rotation function). The
   * role still needs its own identity policy.
   */
  allowValueAccess(roleArn: string, access: 'read' | 'read-write'): void {
    this.valueReaders.push(roleArn);
    if (access === 'read-write') this.valueWriters.push(roleArn);
  }
}
