import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from './config/schema';
import { DeploymentKey } from './constructs/deployment-key';

export interface CoreStackProps extends StackProps {
  readonly config: ResolvedConfig;
}

/**
 * Resources every other stack of a client x environment builds on: the
 * deployment KMS key (secrets, logs and volumes are encrypted with it).
 */
export class CoreStack extends Stack {
  readonly key: DeploymentKey;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.key = new DeploymentKey(this, 'DeploymentKey', {
      aliasName: `${config.project.prefix}/${config.client}/${config.env}`,
      rotationPeriodDays: config.kms.rotationPeriodDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
  }
}
