import type { IConstruct } from 'constructs';
import { acknowledgeFinding } from './acknowledge';

/**
 * aws-cdk-lib's own deploy-time handlers, and why each may run outside the VPC.
 * They exist only as singletons named exactly so, one per stack.
 */
const FRAMEWORK_HANDLERS: Readonly<Record<string, string>> = {
  'Custom::VpcRestrictDefaultSGCustomResourceProvider':
    'aws-cdk-lib deploy-time handler that strips every rule from the default security group; it runs only while deploying and calls the EC2 API.',
  'Custom::CrossRegionExportWriterCustomResourceProvider':
    'aws-cdk-lib deploy-time handler that writes cross-region references (SSM parameters in us-east-1); it runs only while deploying and calls the SSM API.',
  'Custom::CrossRegionExportReaderCustomResourceProvider':
    'aws-cdk-lib deploy-time handler that reads cross-region references (SSM parameters); it runs only while deploying and calls the SSM API.',
};

/**
 * Acknowledges Control Tower CT.LAMBDA.PR.3 (Lambda inside a VPC) on
 * aws-cdk-lib's deploy-time handlers, one handler at a time. The cross-region
 * handlers only appear while each stage is prepared, so this runs after the
 * stages are synthesized and before the app (and with it the gate) is.
 */
export function acknowledgeFrameworkHandlers(root: IConstruct): void {
  for (const node of root.node.findAll()) {
    const reason = FRAMEWORK_HANDLERS[node.node.id];
    const handler = node.node.tryFindChild('Handler');
    if (!reason || !handler) continue;
    acknowledgeFinding(
      handler,
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
      `${reason} Inside this VPC it could reach neither API (no interface endpoints, by design for cost).`,
    );
  }
}
