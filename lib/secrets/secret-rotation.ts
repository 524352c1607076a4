import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { functionLogGroup } from '../shared/function-log-group';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { lambdaCode } from '../bundling/lambda-code';
import { acknowledgeLambdaFindings } from '../gate/acknowledge';
import type { HardenedSecret } from './hardened-secret';

/** What the host does with a rotated secret (lambda/rotate-secret/env.ts KIND). */
export type RotatedSecretKind = 'origin-verify' | 'gateway-token';

export interface SecretRotationProps {
  /** The generated secret to rotate; its resource policy is opened to the rotation role (allowValueAccess). */
  readonly secret: HardenedSecret;
  /** The key the secret is encrypted with. */
  readonly key: kms.IKey;
  /** Which secret it is: decides what the host does with a new value and whether the distribution follows. */
  readonly kind: RotatedSecretKind;
  /** Days between rotations (config secrets.rotationDays). */
  readonly rotationDays: number;
  /** `<prefix>-<client>-<env>`: names the function and its log group. */
  readonly deploymentName: string;
  /**
   * What the function's name says it rotates: `<deploymentName>-rotate-<rotates>`. One function
   * per secret: a gateway token's is `token-<gateway id>` (each gateway's token rotates on its own).
   * @default kind
   */
  readonly rotates?: string;
  /** The gateway host the rotation asks to refresh its secrets. */
  readonly hostInstanceId: string;
  /** The gateway host's region (the edge stack's rotation runs in us-east-1, the host elsewhere). */
  readonly hostRegion: string;
  /** The SSM Command document that refreshes the host's secrets (SecretsRefreshDocument). */
  readonly refreshDocumentName: string;
  /**
   * The distribution whose origin header follows the secret, and the header's name:
   * required for `origin-verify` (the constructor throws without it).
   * @default - none: no distribution is updated (`gateway-token`)
   */
  readonly distribution?: { readonly distributionId: string; readonly originHeader: string };
  /** How long the function's log group keeps events (config logs.retentionDays). */
  readonly logRetentionDays: logs.RetentionDays;
  /** Keep the function's log group when it leaves the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/** How long one rotation step may take: the host refresh waits up to 2 minutes (REFRESH_MAX_WAIT_MS). */
const TIMEOUT = Duration.minutes(5);

/**
 * Scheduled rotation of one generated secret by lambda/rotate-secret/ (arm64,
 * Node 24, SDK bundled at the pinned version), with a role that can touch
 * only this secret, its key (through Secrets Manager), the host's refresh
 * document on the one gateway host and, for origin-verify, the one
 * distribution. The secret's resource policy lets this role read and write
 * values (allowValueAccess). Secrets Manager may invoke the function only for
 * this secret (source ARN and account).
 */
export class SecretRotation extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly schedule: secretsmanager.RotationSchedule;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = `${props.deploymentName}-rotate-${props.rotates ?? props.kind}`;
    this.logGroup = functionLogGroup(this, { functionName: name, key: props.key, logRetentionDays: props.logRetentionDays, retainOnDelete: props.retainOnDelete });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotates ${props.secret.predictableName} of ${props.deploymentName}; nothing else`,
    });
    // A HardenedSecret is created here, never imported: its ARN is the full ARN (with the suffix).
    const secretArn = props.secret.secretArn;
    const hostArn = (service: string, resource: string, resourceName: string) =>
      stack.formatArn({ service, region: props.hostRegion, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const statements = [
      new iam.PolicyStatement({
        sid: 'RotateThisSecretOnly',
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        resources: [secretArn],
      }),
      new iam.PolicyStatement({
        sid: 'UseTheSecretKeyThroughSecretsManager',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secretArn },
        },
      }),
      new iam.PolicyStatement({
        sid: 'RefreshTheHost',
        actions: ['ssm:SendCommand'],
        resources: [hostArn('ssm', 'document', props.refreshDocumentName), hostArn('ec2', 'instance', props.hostInstanceId)],
      }),
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.logGroupArn}`],
      }),
    ];
    if (props.kind === 'origin-verify') {
      if (!props.distribution) throw new Error('SecretRotation: origin-verify needs the distribution');
      statements.push(
        new iam.PolicyStatement({
          sid: 'UpdateTheOriginHeaderOfThisDistribution',
          actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
          resources: [stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: props.distribution.distributionId })],
        }),
      );
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', { description: `Rotation of ${props.secret.predictableName} only`, statements });
    this.role.addManagedPolicy(policy);
    const withoutResource = new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
      description: `Rotation of ${props.secret.predictableName}: the actions that support no resource ARN`,
      statements: [
        new iam.PolicyStatement({ sid: 'GenerateValues', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }),
        new iam.PolicyStatement({ sid: 'ReadRefreshResult', actions: ['ssm:GetCommandInvocation'], resources: ['*'] }),
      ],
      reason: 'Only secretsmanager:GetRandomPassword and ssm:GetCommandInvocation take Resource *: neither supports a resource ARN; the first reads no secret, the second only the status of commands.',
    });
    this.role.addManagedPolicy(withoutResource);
    props.secret.allowValueAccess(this.role.roleArn, 'read-write');

    this.function = new lambda.Function(this, 'Function', {
      functionName: name,
      description: `Rotates ${props.secret.predictableName} (${props.kind}) of ${props.deploymentName}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambdaCode('rotate-secret'),
      role: this.role,
      timeout: TIMEOUT,
      memorySize: 256,
      logGroup: this.logGroup,
      environment: {
        KIND: props.kind,
        REFRESH_DOCUMENT: props.refreshDocumentName,
        HOST_INSTANCE_ID: props.hostInstanceId,
        HOST_REGION: props.hostRegion,
        ...(props.distribution ? { DISTRIBUTION_ID: props.distribution.distributionId, ORIGIN_HEADER: props.distribution.originHeader } : {}),
      },
    });
    this.function.node.addDependency(policy, withoutResource);
    this.function.addPermission('InvokedBySecretsManagerForThisSecret', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
      sourceArn: secretArn,
    });
    // An imported reference: RotationSchedule then adds no grants of its own (all are above, scoped).
    const rotator = lambda.Function.fromFunctionAttributes(this, 'Rotator', { functionArn: this.function.functionArn, sameEnvironment: true, skipPermissions: true });
    this.schedule = new secretsmanager.RotationSchedule(this, 'Schedule', {
      secret: props.secret,
      rotationLambda: rotator,
      automaticallyAfter: Duration.days(props.rotationDays),
      // A deploy never rotates: the first rotation comes on schedule, once the host is up.
      rotateImmediatelyOnUpdate: false,
    });
    this.schedule.node.addDependency(this.function);
    this.acknowledge();
  }

  private acknowledge(): void {
    const fn = this.function.node.defaultChild as lambda.CfnFunction;
    acknowledgeLambdaFindings(fn, {
      outsideVpc:
        'The rotation function calls only AWS APIs (Secrets Manager, SSM, CloudFront); a VPC would add NAT or endpoint cost and no isolation, and its role reaches only its secret, its host and (origin-verify) its distribution.',
      noDeadLetterQueue:
        'Secrets Manager invokes rotation synchronously and records a failed step on the secret (and retries at the next schedule); an asynchronous dead-letter queue would never receive anything.',
      noReservedConcurrency:
        'Invoked only by Secrets Manager, one step at a time per schedule; reserving concurrency would fail the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved).',
    });
  }
}
