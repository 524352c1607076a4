import { Annotations, CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A reason shorter than this is not one a reviewer can judge. */
export const MIN_REASON_LENGTH = 40;

/**
 * Acknowledges one finding of one rule on one resource, with a reason. The
 * acknowledgement lands on the CloudFormation resource itself (an L2's
 * default child), never on a stack or a subtree, and the gate fails if the
 * finding it covers no longer occurs (a stale acknowledgement).
 *
 * @param construct a CfnResource, or an L2 construct whose default child is one
 * @param rule rule ID as the report names it, e.g. `AwsSolutions-IAM5[Resource::*]`
 *   or `cdk-validator-cfnguard::kms_create_grant_aws_service_check`
 * @param reason why the finding is acceptable here, for the compliance report
 */
export function acknowledgeFinding(construct: IConstruct, rule: string, reason: string): void {
  // isCfnResource is false for a missing default child too.
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) {
    throw new Error(
      `acknowledgeFinding(${construct.node.path}, ${rule}): acknowledge on a single CloudFormation resource ` +
        '(a CfnResource or an L2 construct whose default child is one), not on a stack or a group of resources',
    );
  }
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `acknowledgeFinding(${resource.node.path}, ${rule}): give a reason of at least ${MIN_REASON_LENGTH} characters ` +
        'that says why the finding is acceptable and what compensates for it',
    );
  }
  Validations.of(resource).acknowledge({ id: rule, reason: reason.trim() });
  resource.node.addMetadata(BLUEPRINT_ACK_METADATA, rule);
}

/** Marks acknowledgements made by this blueprint, to tell them from aws-cdk-lib's own. */
export const BLUEPRINT_ACK_METADATA = 'openclaw:acknowledgement';

/**
 * A log group encrypted with the deployment key of the core stack carries a
 * cross-stack import as KmsKeyId, which Control Tower's guard rule cannot
 * resolve. Template tests assert the key on each such log group.
 */
export function acknowledgeImportedLogGroupKey(logGroup: IConstruct): void {
  acknowledgeFinding(
    logGroup,
    'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    'The log group is encrypted with the deployment key, which lives in the core stack: KmsKeyId is a cross-stack Fn::ImportValue the guard rule cannot resolve (the template assertion checks it).',
  );
}

/** Marks a CDK warning acknowledged by this blueprint: `{ id, reason }`. */
export const WARNING_ACK_METADATA = 'openclaw:warning-acknowledgement';

/**
 * Acknowledges one CDK warning (an `aws:cdk:warning` annotation such as
 * `@aws-cdk/aws-cloudfront:minimumProtocolVersionWithoutCertificate`) on one
 * construct and its children, with a reason. CDK drops the warning from the
 * cloud assembly; the gate fails on every warning not acknowledged this way,
 * and the compliance report lists each acknowledgement with its reason.
 */
export function acknowledgeWarning(construct: IConstruct, id: string, reason: string): void {
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON_LENGTH) {
    throw new Error(
      `acknowledgeWarning(${construct.node.path}, ${id}): give a reason of at least ${MIN_REASON_LENGTH} characters ` +
        'that says why the warning is acceptable here',
    );
  }
  Annotations.of(construct).acknowledgeWarning(id, trimmed);
  construct.node.addMetadata(WARNING_ACK_METADATA, { id, reason: trimmed });
}

/**
 * The partition as cdk-nag names it in a finding's ARN: the literal (`aws`) under
 * @aws-cdk/core:enablePartitionLiterals (cdk.json), else `<AWS::Partition>`.
 */
export function nagPartition(scope: IConstruct): string {
  const partition = Stack.of(scope).partition;
  return Token.isUnresolved(partition) ? '<AWS::Partition>' : partition;
}

/** The rule IDs (every pack) behind each Lambda operational finding a function may be acknowledged for. */
const LAMBDA_RULES = {
  outsideVpc: ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
  noDeadLetterQueue: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
  noReservedConcurrency: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
} as const;

/**
 * Acknowledges a Lambda function's operational findings, each with its own reason,
 * under every pack that reports it (in the order given).
 */
export function acknowledgeLambdaFindings(fn: IConstruct, reasons: Partial<Record<keyof typeof LAMBDA_RULES, string>>): void {
  for (const [finding, reason] of Object.entries(reasons) as [keyof typeof LAMBDA_RULES, string][]) {
    for (const rule of LAMBDA_RULES[finding]) acknowledgeFinding(fn, rule, reason);
  }
}
