import { CustomResource, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { functionLogGroup } from '../shared/function-log-group';
import { Construct } from 'constructs';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { lambdaCode } from '../bundling/lambda-code';
import { acknowledgeLambdaFindings } from '../gate/acknowledge';

/** AWS's managed prefix list of CloudFront's origin-facing servers (IPv4); the source of VPC-origin traffic. */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

export interface OriginFacingPrefixListProps {
  /** `<prefix>-<client>-<env>`, for the function's name. */
  readonly deploymentName: string;
  /** Encrypts the function's log group. */
  readonly key: kms.IKey;
  /** How long the function's log group keeps events (config logs.retentionDays). */
  readonly logRetentionDays: logs.RetentionDays;
  /** Keep the function's log group when it leaves the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/**
 * The ID of the CloudFront origin-facing managed prefix list in this stack's
 * region, resolved by CloudFormation at deploy time through a small custom
 * resource (lambda/origin-facing-prefix-list/): the ID differs per region and
 * is never looked up at synth. Its function may call only
 * ec2:DescribeManagedPrefixLists and write its own encrypted, retained log
 * group; it runs only while the stack deploys (cost: nothing measurable).
 */
export class OriginFacingPrefixList extends Construct {
  /** pl-..., a deploy-time token. */
  readonly prefixListId: string;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: OriginFacingPrefixListProps) {
    super(scope, id);
    const name = `${props.deploymentName}-cf-prefix-list`;
    const logGroup = functionLogGroup(this, { functionName: name, key: props.key, logRetentionDays: props.logRetentionDays, retainOnDelete: props.retainOnDelete });

    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Looks up the CloudFront origin-facing prefix list ID for ${props.deploymentName} at deploy time`,
      statements: [new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
    });
    const readPrefixLists = new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
      description: `Looks up the CloudFront origin-facing prefix list ID for ${props.deploymentName}: the action that supports no resource ARN`,
      // DescribeManagedPrefixLists supports no resource-level permissions: Resource * is the only form.
      statements: [new iam.PolicyStatement({ sid: 'ReadPrefixLists', actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] })],
      reason: 'Only ec2:DescribeManagedPrefixLists takes Resource *: it is read-only and supports no resource-level permissions.',
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${name}: ec2:DescribeManagedPrefixLists and its own log group only`,
      managedPolicies: [policy, readPrefixLists],
    });
    this.function = new lambda.Function(this, 'Function', {
      functionName: name,
      description: `Deploy time only: the ID of ${CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST} in this region, for the gateway security group`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambdaCode('origin-facing-prefix-list'),
      role: role.withoutPolicyUpdates(),
      timeout: Duration.minutes(1),
      memorySize: 128,
      logGroup,
    });
    this.function.node.addDependency(policy, readPrefixLists);
    const lookup = new CustomResource(this, 'Lookup', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::OriginFacingPrefixList',
      // A function that fails before answering would otherwise hold the deploy for CloudFormation's hour.
      serviceTimeout: Duration.minutes(5),
      properties: { PrefixListName: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST },
    });
    this.prefixListId = lookup.getAttString('PrefixListId');
    this.acknowledge();
  }

  private acknowledge(): void {
    const fn = this.function.node.defaultChild as lambda.CfnFunction;
    acknowledgeLambdaFindings(fn, {
      outsideVpc:
        'A deploy-time lookup that calls only the EC2 API (DescribeManagedPrefixLists); inside this VPC it could not reach it before the NAT exists (no interface endpoints, by design for cost).',
      noReservedConcurrency:
        'Invoked only by CloudFormation while the stack deploys; reserving concurrency fails the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved).',
      noDeadLetterQueue:
        'CloudFormation invokes it and waits for its answer; a failure fails the deployment visibly, so there is nothing a dead-letter queue would keep.',
    });
  }
}
