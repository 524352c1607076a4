import { DefaultStackSynthesizer, type Stack } from 'aws-cdk-lib';

/**
 * ARN of the role CloudFormation deploys `stack` with: the role the CDK CLI
 * passes to CloudFormation (the stack artifact's cloudFormationExecutionRoleArn),
 * taken from the stack's synthesizer so that a custom bootstrap qualifier
 * (context `@aws-cdk/core:bootstrapQualifier`) or a custom role is followed.
 * CloudFormation resolves the stack's dynamic references with this role.
 */
export function cloudFormationExecutionRoleArn(stack: Stack): string {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(
      `${stack.node.path}: the stack must use the DefaultStackSynthesizer (CDK's default bootstrap), whose CloudFormation execution role ` +
        `resolves the stack's secret references at deploy time; found ${synthesizer.constructor.name}`,
    );
  }
  // The synthesizer leaves the CLI's placeholders where the stack's environment is not a literal.
  return synthesizer.cloudFormationExecutionRoleArn
    .split('${AWS::Partition}')
    .join(stack.partition)
    .split('${AWS::AccountId}')
    .join(stack.account)
    .split('${AWS::Region}')
    .join(stack.region);
}
