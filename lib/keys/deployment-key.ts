import { Duration, Stack } from 'aws-cdk-lib';
import { removalPolicyFor } from '../shared/retention';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

export interface DeploymentKeyProps {
  /** Alias, without the `alias/` prefix, e.g. `openclaw/acme/prod`. */
  readonly aliasName: string;
  /**
   * Days between automatic rotations (90 to 2560). Rotation is always on.
   * @default 365
   */
  readonly rotationPeriodDays?: number;
  /**
   * Keep the key when the stack is deleted. Only an approved config exception
   * plus a deploy-time confirmation turns this off (docs/configuration.md, "Destroying data needs two opt-ins").
   * @default true
   */
  readonly retainOnDelete?: boolean;
}

/**
 * The customer-managed KMS key of one client x environment, hardened: rotation
 * always on, retained on stack deletion with the longest pending window, and a
 * key policy that lets grants be created only by AWS services acting on AWS
 * resources (Control Tower CT.KMS.PR.3).
 */
export class DeploymentKey extends kms.Key {
  constructor(scope: Construct, id: string, props: DeploymentKeyProps) {
    super(scope, id, {
      alias: `alias/${props.aliasName}`,
      description: `Encrypts the data of ${props.aliasName} (secrets, logs, volumes).`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(props.rotationPeriodDays ?? 365),
      pendingWindow: Duration.days(30),
      removalPolicy: removalPolicyFor(props.retainOnDelete),
    });
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGrantsExceptForAwsServicesOnAwsResources',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    // CloudWatch Logs encrypts this deployment's log groups, and only those of this account and region.
    // Only actions that carry an encryption context can meet the condition (kms:Describe*, in
    // CloudWatch Logs' guide, never does), and the key is a String in AWS's reference: StringLike
    // matches the same log-group ARNs ArnLike would.
    const stack = Stack.of(this);
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
        },
      }),
    );
  }
}
